"""Workflows of the review desk: evidence, source archiving, verdicts and approval."""

from __future__ import annotations

import datetime
import gzip
import hashlib
import logging
import random
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext

from claims import revisions
from claims.lifecycle import Action, BulkReport, claim_transition, claims_transition
from claims.models import Claim
from claims.revisions import ArticlePush
from factcheck.lib import http as fetching
from factcheck.lib.history import (
    annotate_save,
    chunks,
    record_history,
    record_history_copy,
    update_with_history,
)
from factcheck.lib.htmltext import readable_main_text
from factcheck.lib.locking import StaleVersionError, update_versioned
from factcheck.lib.permissions import require_permission
from reviews import matching, outbox
from reviews.models import (
    COMMENT_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    QUOTE_MAX_LENGTH,
    ChangeEvent,
    Comment,
    Evidence,
    Rating,
    Snapshot,
    Source,
    Verdict,
    VerdictCorrection,
    snapshot_upload_to,
)

logger = logging.getLogger(__name__)

MAX_TITLE_LENGTH = Source._meta.get_field("title").max_length or 500
CLAIMANT_MAX_LENGTH = Claim._meta.get_field("claimant").max_length or 200


def _require_researcher(*, claim: Claim, user: Any) -> None:
    if not claim.can_be_researched_by(user):
        if claim.assignee_id and claim.assignee_id != user.pk:
            raise ValidationError(
                gettext("This claim is assigned to %(assignee)s.") % {"assignee": claim.assignee}
            )
        raise ValidationError(
            gettext("A claim that is %(status)s takes no more research.")
            % {"status": claim.get_status_display()}
        )


# --- Sources ------------------------------------------------------------------------------


def _enqueue_source_fetch(source_id: int) -> None:
    """Send the fetch to the worker once the row is committed; a broker outage only logs."""
    from reviews.tasks import source_fetch_task

    def send() -> None:
        source_fetch_task.delay(source_id)

    # robust: the row is saved either way; the sweeper re-sends what the broker did not take.
    transaction.on_commit(send, robust=True)


def _enqueue_sources_fetch(source_ids: list[int]) -> None:
    """Send many fetches with a message per BULK_CHUNK sources: the worker sends each fetch,
    so an admin re-fetching 10,000 sources waits for two messages, not ten thousand."""
    from reviews.tasks import sources_fetch_many_task

    def send_batches() -> None:
        for chunk in chunks(source_ids):
            sources_fetch_many_task.delay(chunk)

    transaction.on_commit(send_batches, robust=True)


@transaction.atomic
def source_for_url(*, url: str) -> Source:
    """Return the archived source for a URL, creating it (and queueing its fetch) if new.

    Raises ValidationError for URLs the server would never fetch (bad scheme, credentials,
    disallowed port), so the user hears about it at once instead of via a failed fetch.
    """
    try:
        normalised = fetching.normalise_url(url)
        fetching.check_url(normalised, fetching.policy_from_settings())
    except fetching.FetchError as error:
        raise ValidationError({"url": str(error)}) from error
    source, created = Source.objects.get_or_create(url=normalised)
    if created:
        _enqueue_source_fetch(source.pk)
    return source


# The retry waits in the broker as a countdown message: with Redis it must stay well under the
# visibility timeout (600 s) minus the task's time limit, or a second worker gets it too.
MAX_RETRY_DELAY = 300.0


def _fetch_lease() -> datetime.timedelta:
    """How long a claimed fetch is held before another run may take it over."""
    return datetime.timedelta(seconds=settings.FACTCHECK_FETCH_LEASE_SECONDS)


def source_retry_delay(*, attempt: int) -> float:
    """Seconds before a transient failure is tried again: exponential backoff with jitter.

    FACTCHECK_FETCH_RETRY_SECONDS doubled per attempt, capped at MAX_RETRY_DELAY, then a
    random share between half and all of it, so sources failing together do not retry together.
    """
    base = settings.FACTCHECK_FETCH_RETRY_SECONDS * 2 ** max(0, attempt - 1)
    capped = min(base, MAX_RETRY_DELAY)
    return capped / 2 + random.uniform(0, capped / 2)


def _claimable(*, now: datetime.datetime, task_id: str) -> Q:
    """The rows a fetch may claim: pending and due, under an expired lease, or under a lease
    held by this very task message (a redelivery: the run that held it is dead)."""
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + _EARLY_RETRY)
    claimable = Q(fetch_status=Source.FetchStatus.PENDING) & due
    claimable |= Q(fetch_status=Source.FetchStatus.FETCHING) & (
        Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    )
    if task_id:
        claimable |= Q(fetch_status=Source.FetchStatus.FETCHING, lease_task_id=task_id)
    return claimable


# A retry message may arrive a moment before its row's next_attempt_at (clock skew, rounding).
_EARLY_RETRY = datetime.timedelta(seconds=2)


def _store_body(body: bytes, sha256: str) -> str:
    """Save the raw body gzip-compressed in the default storage, once per content hash."""
    name = snapshot_upload_to(Snapshot(body_sha256=sha256), "")
    if not default_storage.exists(name):
        # mtime=0: the same body always compresses to the same bytes.
        name = default_storage.save(name, ContentFile(gzip.compress(body, mtime=0)))
    return name


def snapshot_body(snapshot: Snapshot) -> bytes:
    """The raw body of a snapshot, decompressed (it was capped when fetched)."""
    with snapshot.body.open("rb") as stored:
        return gzip.decompress(stored.read())


def _snapshot_from_page(
    *, source: Source, page: fetching.FetchedPage, attempt: int, now: datetime.datetime
) -> Snapshot:
    """An unsaved snapshot of a fetched page, its raw body already in storage."""
    sha256 = hashlib.sha256(page.body).hexdigest()
    title, text = readable_main_text(page.text, page.content_type, url=page.final_url)
    snapshot = Snapshot(
        source=source,
        attempt=attempt,
        final_url=page.final_url[:2000],
        http_status=page.status_code,
        content_type=page.content_type[:100],
        headers=dict(page.headers),
        title=title[:MAX_TITLE_LENGTH],
        text=text,
        body_sha256=sha256,
        body_size=len(page.body),
        fetched_at=now,
    )
    snapshot.body.name = _store_body(page.body, sha256)
    return snapshot


def source_fetch(*, source_id: int, task_id: str = "") -> Source | None:
    """Fetch and archive one source under a lease; safe to run twice, concurrently or after
    a crash.

    Steps:
    1. Claim a lease with one conditional update: a pending source that is due, one whose
       lease expired, or one leased to this same task message (a broker redelivery after its
       worker died) gets attempt + 1 and `lease_until`; anything else (a duplicate delivery
       while a live lease runs, a retry that is not due yet) returns None.
    2. Fetch through the SSRF-guarded client.
    3. Success: store the raw body (gzip, by hash) and, in one transaction that first checks
       the lease is still this attempt's, write the Snapshot and the source's latest copy.
       A run that lost its lease writes nothing, so a takeover leaves exactly one snapshot.
    4. Failure: a transient error (DNS, refused, timeout, 5xx, 429) with attempts left goes
       back to pending with `next_attempt_at` (backoff with jitter); anything else fails for
       good with the reason and message.
    Returns the source, or None when there was nothing to do.
    """
    now = timezone.now()
    max_attempts = settings.FACTCHECK_FETCH_MAX_ATTEMPTS
    claimed = Source.objects.filter(
        _claimable(now=now, task_id=task_id), pk=source_id, attempts__lt=max_attempts
    ).update(
        fetch_status=Source.FetchStatus.FETCHING,
        attempts=F("attempts") + 1,
        lease_until=now + _fetch_lease(),
        lease_task_id=task_id[:64],
        next_attempt_at=None,
        updated_at=now,
    )
    if not claimed:
        if task_id:
            # A message redelivered after its run died once too often (a page that kills or
            # hangs the worker every time): give up instead of leaving it to the sweeper.
            _give_up_lease(source_id=source_id, task_id=task_id, max_attempts=max_attempts)
        return None
    source = Source.objects.get(pk=source_id)
    attempt = source.attempts
    # One history row per attempt, written with its outcome (a claim row as well doubled the
    # cost of a fetch's bookkeeping); an attempt that never ends shows in `attempts`.
    # Every write after the fetch checks the lease is still this attempt's.
    mine = Source.objects.filter(
        pk=source_id, fetch_status=Source.FetchStatus.FETCHING, attempts=attempt
    )
    try:
        page = fetching.fetch(source.url, policy=fetching.policy_from_settings())
    except fetching.FetchError as error:
        retry = fetching.is_transient(error) and attempt < max_attempts
        delay = source_retry_delay(attempt=attempt) if retry else 0.0
        done = timezone.now()
        if not mine.update(
            fetch_status=Source.FetchStatus.PENDING if retry else Source.FetchStatus.FAILED,
            http_status=error.status_code,
            last_error=str(error),
            error_kind=error.reason[:20],
            next_attempt_at=done + datetime.timedelta(seconds=delay) if retry else None,
            lease_until=None,
            lease_task_id="",
            updated_at=done,
        ):
            return None
        source.refresh_from_db()
        note = f"fetch attempt {attempt} failed: {error.reason}" + (
            f", retry in {delay:.0f} s" if retry else ""
        )
        record_history([source], by=None, note=note)
        return source
    done = timezone.now()
    snapshot = _snapshot_from_page(source=source, page=page, attempt=attempt, now=done)
    archived = {
        "fetch_status": Source.FetchStatus.FETCHED,
        "http_status": snapshot.http_status,
        "final_url": snapshot.final_url,
        "title": snapshot.title,
        "text": snapshot.text,
        "body_sha256": snapshot.body_sha256,
        "fetched_at": done,
        "last_error": "",
        "error_kind": "",
        "next_attempt_at": None,
        "lease_until": None,
        "lease_task_id": "",
        "updated_at": done,
    }
    # One write transaction: the row, its snapshot and its history row (on SQLite each
    # transaction is a turn at the single write lock that every fetch process waits for).
    with transaction.atomic():
        if not mine.update(**archived):
            return None
        snapshot.save()
        # Copied by the database from the row as just written (no instance built for it).
        record_history_copy(Source, [source_id], by=None, note="archived", at=done)
    for field, value in archived.items():
        setattr(source, field, value)
    if settings.FACTCHECK_ARCHIVE_SUBMIT_URL:
        _enqueue_archive_submit(source.pk)
    return source


def _give_up_lease(*, source_id: int, task_id: str, max_attempts: int) -> None:
    with transaction.atomic():
        update_with_history(
            Source.objects.filter(
                pk=source_id,
                fetch_status=Source.FetchStatus.FETCHING,
                lease_task_id=task_id,
                attempts__gte=max_attempts,
            ),
            by=None,
            note="gave up",
            fetch_status=Source.FetchStatus.FAILED,
            last_error=f"Gave up: the fetch never finished in {max_attempts} attempts.",
            error_kind="gave_up",
            lease_until=None,
            lease_task_id="",
        )


def source_lease_release(*, source_id: int, task_id: str) -> bool:
    """End a lease whose run is stopping (its time limit came) so the next run takes over at
    once instead of waiting for the lease to expire. Returns whether it held the lease."""
    return bool(
        Source.objects.filter(
            pk=source_id, fetch_status=Source.FetchStatus.FETCHING, lease_task_id=task_id
        ).update(lease_until=timezone.now(), updated_at=timezone.now())
    )


def sources_sweep(*, older_than: datetime.timedelta = datetime.timedelta(minutes=5)) -> int:
    """Re-queue sources whose fetch was lost; returns how many.

    Pending sources that are due and untouched since `older_than` (their message was lost) and
    fetching sources whose lease expired (their worker died) go back to pending while they have
    attempts left, and are marked failed when they have none.
    """
    cutoff = timezone.now() - older_than
    max_attempts = settings.FACTCHECK_FETCH_MAX_ATTEMPTS
    with transaction.atomic():
        update_with_history(
            Source.objects.stale(older_than=cutoff).filter(attempts__gte=max_attempts),
            by=None,
            note="gave up",
            fetch_status=Source.FetchStatus.FAILED,
            last_error="Gave up after repeated attempts that never finished.",
            error_kind="gave_up",
            lease_until=None,
            lease_task_id="",
        )
    stale = Source.objects.stale(older_than=cutoff).filter(attempts__lt=max_attempts)
    requeued = []
    for source_id in stale.values_list("pk", flat=True):
        # Re-check staleness in the update itself: a fetch may finish between the two queries.
        if stale.filter(pk=source_id).update(
            fetch_status=Source.FetchStatus.PENDING,
            lease_until=None,
            lease_task_id="",
            next_attempt_at=None,
            updated_at=timezone.now(),
        ):
            requeued.append(source_id)
    record_history(Source.objects.filter(pk__in=requeued), by=None, note="re-queued by the sweeper")
    for source_id in requeued:
        _enqueue_source_fetch(source_id)
    return len(requeued)


# --- Link rot -------------------------------------------------------------------------------


def source_recheck(*, source_id: int) -> Source | None:
    """Fetch the live page of an archived source again and record whether it rotted.

    Steps: claim the check (one conditional update of `checked_at`, so two runs never both
    check); fetch through the guarded client; 404/410 or a name that no longer resolves is
    `gone`; a final URL other than the archived one is `moved`; a body whose hash differs from
    the archived copy's is `changed`; the same body is `ok`. A version not archived yet is kept
    as a new snapshot; the source's own copy (the one the verdicts cite) stays as it was.
    Other failures (timeouts, 5xx) leave the status as it was and note the error. Returns None
    if there was nothing to do.
    """
    source = Source.objects.filter(pk=source_id, fetch_status=Source.FetchStatus.FETCHED).first()
    if source is None:
        return None
    now = timezone.now()
    previous = Source.objects.filter(pk=source_id, checked_at=source.checked_at)
    if not previous.update(checked_at=now):
        return None
    latest = source.snapshots.order_by("-fetched_at", "-pk").first()
    try:
        page = fetching.fetch(source.url, policy=fetching.policy_from_settings())
    except fetching.FetchError as error:
        gone = error.reason == "dns" or error.status_code in {404, 410}
        fields: dict[str, Any] = {"live_note": str(error)[:500]}
        if gone:
            fields["live_status"] = Source.LiveStatus.GONE
        with transaction.atomic():
            update_with_history(
                Source.objects.filter(pk=source_id),
                by=None,
                note=f"re-check: {'gone' if gone else error.reason}",
                **fields,
            )
        return Source.objects.get(pk=source_id)
    snapshot = _snapshot_from_page(
        source=source, page=page, attempt=source.attempts, now=timezone.now()
    )
    # Compared with the source's archived copy (what the verdicts cite), so the flag stays
    # up for as long as the live page differs from it.
    if snapshot.final_url != source.final_url:
        status, note = Source.LiveStatus.MOVED, f"Now ends at {snapshot.final_url}."
    elif snapshot.body_sha256 != source.body_sha256:
        status, note = Source.LiveStatus.CHANGED, "The live page differs from the archive."
    else:
        status, note = Source.LiveStatus.OK, ""
    with transaction.atomic():
        if latest is None or (latest.body_sha256, latest.final_url) != (
            snapshot.body_sha256,
            snapshot.final_url,
        ):
            # A version of the page not archived yet: keep it too.
            snapshot.save()
        update_with_history(
            Source.objects.filter(pk=source_id),
            by=None,
            note=f"re-check: {status or 'unchecked'}",
            live_status=status,
            live_note=note,
        )
    return Source.objects.get(pk=source_id)


def sources_recheck_due() -> int:
    """Queue a re-check of every archived source cited by a published verdict that was not
    checked within FACTCHECK_LINK_CHECK_DAYS (run by beat); returns how many were queued."""
    from reviews.tasks import source_recheck_task

    cutoff = timezone.now() - datetime.timedelta(days=settings.FACTCHECK_LINK_CHECK_DAYS)
    ids = list(
        Source.objects.due_for_recheck(checked_before=cutoff)
        .order_by("checked_at", "pk")
        .values_list("pk", flat=True)[: settings.FACTCHECK_LINK_CHECK_BATCH]
    )
    for source_id in ids:
        source_recheck_task.delay(source_id)
    return len(ids)


def claims_citing_rotted_sources() -> QuerySet[Claim]:
    """Claims whose published verdict cites a source that is gone, changed or moved: the
    editor should look at them again."""
    return Claim.objects.filter(
        verdicts__is_current=True,
        verdicts__published_at__isnull=False,
        evidence__source__live_status__in=Source.LiveStatus.rotted(),
    ).distinct()


def snapshot_for_evidence(evidence: Evidence) -> Snapshot | None:
    """The snapshot that was current when the evidence was attached (or the first after)."""
    if evidence.source_id is None:
        return None
    return Snapshot.objects.filter(source_id=evidence.source_id).as_of(evidence.added_at)


# --- Web archive submission (optional) -------------------------------------------------------


def _enqueue_archive_submit(source_id: int) -> None:
    from reviews.tasks import source_archive_submit_task

    def send() -> None:
        source_archive_submit_task.delay(source_id)

    transaction.on_commit(send, robust=True)


def source_archive_submit(*, source_id: int) -> bool:
    """Ask a public web archive to save the source (FACTCHECK_ARCHIVE_SUBMIT_URL, off by
    default), through the same guarded fetcher; returns whether the archive answered 2xx."""
    pattern = settings.FACTCHECK_ARCHIVE_SUBMIT_URL
    source = Source.objects.filter(pk=source_id).first()
    if not pattern or source is None:
        return False
    try:
        fetching.fetch(pattern.format(url=source.url), policy=fetching.policy_from_settings())
    except fetching.FetchError as error:
        logger.info("web archive submission of %s failed: %s", source.url, error)
        return False
    return True


# --- Assignment ---------------------------------------------------------------------------


@transaction.atomic
def claim_assign(
    *,
    claim: Claim,
    user: Any,
    assignee: Any | None,
    priority: int,
    due_on: datetime.date | None,
    expected_version: int | None = None,
) -> Claim:
    """Set who reviews a claim, how urgent it is and when it is due (editors only).

    Assigning moves a candidate or queued claim onto the reviewer's desk; clearing the assignee
    puts it back on the queue (refused while someone's draft verdict is on it).
    """
    require_permission(user, "claims.select_claim")
    if assignee is not None and not assignee.has_perm("reviews.add_verdict"):
        raise ValidationError(
            {"assignee": gettext("%(user)s is not a reviewer.") % {"user": assignee}}
        )
    if not claim.is_open:
        raise ValidationError(
            gettext("A claim that is %(status)s cannot be assigned.")
            % {"status": claim.get_status_display()}
        )
    draft = claim.verdicts.filter(is_current=True, published_at__isnull=True).first()
    if draft is not None and draft.author_id != getattr(assignee, "pk", None):
        raise ValidationError(
            {
                "assignee": gettext(
                    "%(author)s has a draft verdict; they must finish or hand it over."
                )
                % {"author": draft.author}
            }
        )
    return claim_transition(
        claim=claim,
        action=Action.ASSIGN if assignee is not None else Action.UNASSIGN,
        user=user,
        expected_version=expected_version,
        note=f"assigned to {assignee}" if assignee is not None else "unassigned",
        assignee=assignee,
        priority=priority,
        due_on=due_on,
    )


# --- Evidence -------------------------------------------------------------------------------


@transaction.atomic
def evidence_add(
    *,
    claim: Claim,
    user: Any,
    url: str = "",
    quote: str = "",
    stance: str = Evidence.Stance.CONTEXT,
    note: str = "",
) -> Evidence:
    """Attach evidence to a claim; a URL gets an archived source fetched in the background.

    Research on a claim still on the queue takes it: it becomes the researcher's, in review.
    """
    require_permission(user, "reviews.add_evidence")
    _require_researcher(claim=claim, user=user)
    url, quote, note = url.strip(), quote.strip(), note.strip()
    if not (url or quote or note):
        raise ValidationError(gettext("Evidence needs at least a URL, a quote or a note."))
    for field, value, limit in (
        ("quote", quote, QUOTE_MAX_LENGTH),
        ("note", note, NOTE_MAX_LENGTH),
    ):
        if len(value) > limit:
            raise ValidationError(
                {
                    field: (
                        gettext("The quote is %(length)s characters; the limit is %(limit)s.")
                        if field == "quote"
                        else gettext("The note is %(length)s characters; the limit is %(limit)s.")
                    )
                    % {
                        "length": formats.number_format(len(value), force_grouping=True),
                        "limit": formats.number_format(limit, force_grouping=True),
                    }
                }
            )
    source = source_for_url(url=url) if url else None
    evidence = Evidence(
        claim=claim,
        source=source,
        url=source.url if source else "",
        quote=quote,
        stance=stance,
        note=note,
        added_by=user,
    )
    evidence.full_clean()
    annotate_save(evidence, by=user, note="evidence added")
    evidence.save()
    if claim.status == Claim.Status.SELECTED:
        claim_transition(
            claim=claim, action=Action.TAKE, user=user, assignee=claim.assignee or user
        )
    return evidence


# --- Verdicts -------------------------------------------------------------------------------


def _claim_for_drafting(*, claim: Claim, user: Any) -> None:
    """Make the claim the drafter's: take it from the queue, claim an unowned one, or bring a
    submitted draft back to review. Of two reviewers drafting at once the loser gets a clear
    conflict instead of hitting the one-current-verdict constraint."""
    if claim.status == Claim.Status.SELECTED:
        claim_transition(claim=claim, action=Action.TAKE, user=user, assignee=user)
    elif claim.status == Claim.Status.AWAITING_APPROVAL:
        claim_transition(
            claim=claim, action=Action.RECALL, user=user, note="the author edited the draft"
        )
    elif claim.assignee_id is None:
        update_versioned(
            claim,
            expected_version=claim.version,
            by=user,
            note="drafting",
            condition=Q(assignee__isnull=True, status=claim.status),
            assignee=user,
        )


@transaction.atomic
def verdict_save(
    *,
    claim: Claim,
    user: Any,
    rating: Rating,
    summary: str,
    explanation: str = "",
    expected_version: int | None = None,
    claimant: str | None = None,
) -> Verdict:
    """Create or edit the draft verdict of a claim (the claim becomes the user's, in review).

    Editing a draft that was submitted returns it to draft: the claim leaves the approval queue
    and the author submits it again (the view says so before and after saving). `claimant`, when
    given, is saved on the claim with it (None leaves the claim's claimant as it is).
    """
    require_permission(user, "reviews.add_verdict")
    if claim.status != Claim.Status.AWAITING_APPROVAL:  # the author may pull a submitted draft back
        _require_researcher(claim=claim, user=user)
    summary = " ".join(summary.split())
    if not summary:
        raise ValidationError({"summary": gettext("Write a one-line summary for the CMS.")})
    if claimant is not None:
        claimant = _clean_claimant(claimant)
    verdict = claim.verdicts.filter(is_current=True).first()
    if verdict is not None and verdict.is_published:
        raise ValidationError(gettext("This verdict is published; it can no longer be edited."))
    if verdict is not None and verdict.author_id != user.pk:
        raise ValidationError(gettext("This draft is %(author)s's.") % {"author": verdict.author})
    if verdict is not None:
        # Check the draft's version before moving the claim, so a stale form changes nothing.
        seen = verdict.version if expected_version is None else expected_version
        if seen != verdict.version:
            raise StaleVersionError()
    _claim_for_drafting(claim=claim, user=user)
    if verdict is None:
        verdict = Verdict(
            claim=claim, rating=rating, summary=summary, explanation=explanation, author=user
        )
        verdict.full_clean()
        annotate_save(verdict, by=user, note="draft written")
        verdict.save()
    else:
        update_versioned(
            verdict,
            expected_version=seen,
            by=user,
            note="draft edited",
            condition=Q(published_at__isnull=True),
            rating=rating,
            summary=summary,
            explanation=explanation,
            submitted_at=None,
            # The author recalling a submitted draft proposes afresh on the next submission.
            **({"proposed_rating": None} if verdict.submitted_at is not None else {}),
        )
    if claimant is not None:
        claim_set_claimant(claim=claim, user=user, claimant=claimant)
    return verdict


def _clean_claimant(claimant: str) -> str:
    claimant = " ".join(claimant.split())
    if len(claimant) > CLAIMANT_MAX_LENGTH:
        raise ValidationError(
            {
                "claimant": gettext(
                    "The claimant is %(length)s characters; the limit is %(limit)s."
                )
                % {
                    "length": formats.number_format(len(claimant), force_grouping=True),
                    "limit": formats.number_format(CLAIMANT_MAX_LENGTH, force_grouping=True),
                }
            }
        )
    return claimant


@transaction.atomic
def claim_set_claimant(*, claim: Claim, user: Any, claimant: str) -> Claim:
    """Record who made the claim (ClaimReview's itemReviewed.author), with a history row.

    Whoever may draft the claim's verdict may say who made it. The claim's version is left
    alone: the claimant is no part of what the assignment form, which checks it, decides.
    """
    require_permission(user, "reviews.add_verdict")
    if not claim.can_be_drafted_by(user):
        raise ValidationError(
            {"claimant": gettext("Only the claim's reviewer records who made it.")}
        )
    claimant = _clean_claimant(claimant)
    if claimant != claim.claimant:
        note = f"claimant: {claimant}" if claimant else "claimant cleared"
        update_with_history(
            Claim.objects.filter(pk=claim.pk), by=user, note=note, claimant=claimant
        )
        claim.refresh_from_db(fields=["claimant", "updated_at"])
    return claim


@transaction.atomic
def verdict_submit(*, verdict: Verdict, user: Any, expected_version: int | None = None) -> Verdict:
    """The author sends the draft they read to a second person for approval."""
    if verdict.author_id != user.pk:
        raise ValidationError(gettext("Only the author submits a draft for approval."))
    if verdict.submitted_at is not None or verdict.is_published:
        raise ValidationError(gettext("This verdict was already submitted."))
    update_versioned(
        verdict,
        expected_version=verdict.version if expected_version is None else expected_version,
        by=user,
        note="submitted",
        submitted_at=timezone.now(),
        # The first submission's rating stays the proposal through returns by an approver.
        proposed_rating=Coalesce(F("proposed_rating"), F("rating")),
    )
    claim_transition(claim=verdict.claim, action=Action.SUBMIT, user=user)
    return verdict


@transaction.atomic
def verdict_approve(*, verdict: Verdict, user: Any, expected_version: int | None = None) -> Verdict:
    """A second person approves a submitted verdict, which publishes it.

    Nobody approves a verdict they wrote: refused here, and by a database constraint.
    """
    require_permission(user, "reviews.approve_verdict")
    if verdict.author_id == user.pk:
        raise ValidationError(gettext("You wrote this verdict; a second person must approve it."))
    if verdict.submitted_at is None:
        raise ValidationError(gettext("This verdict has not been submitted for approval."))
    if verdict.is_published:
        raise ValidationError(gettext("This verdict is already published."))
    if not verdict.is_current:
        raise ValidationError(gettext("This verdict was withdrawn; approve the current one."))
    blockers = verdict.approval_blockers()
    if blockers:
        raise ValidationError(blockers, code="approval_gate")
    now = timezone.now()
    update_versioned(
        verdict,
        expected_version=verdict.version if expected_version is None else expected_version,
        by=user,
        note="approved and published",
        condition=Q(is_current=True, published_at__isnull=True, submitted_at__isnull=False),
        approved_by=user,
        approved_at=now,
        published_at=now,
    )
    claim_transition(claim=verdict.claim, action=Action.APPROVE, user=user)
    outbox.record(verdict=verdict, kind=ChangeEvent.Kind.PUBLISHED)
    matching.matches_refresh(claim_ids=[verdict.claim_id])
    logger.info("verdict %s on claim %s published by %s", verdict.pk, verdict.claim_id, user)
    return verdict


@transaction.atomic
def verdicts_approve(*, verdict_ids: list[int], user: Any) -> BulkReport:
    """Approve and publish many submitted verdicts at once (the admin's bulk action).

    The rules of `verdict_approve`, applied as sets. Steps: lock the submitted, unpublished,
    current verdicts chosen; refuse those the user wrote and those the approval gate holds back
    (too few archived sources on their claim); publish the rest with one UPDATE per chunk and a
    copied history row each; move their claims with one set-based lifecycle move; append their
    change events (and webhook deliveries) in one insert. Chosen ids that are not awaiting
    approval are counted as refused.
    """
    require_permission(user, "reviews.approve_verdict")
    report = BulkReport()
    rows = list(
        Verdict.objects.filter(
            pk__in=verdict_ids, is_current=True, submitted_at__isnull=False, published_at=None
        )
        .select_for_update()
        .values_list("pk", "author_id", "claim_id", "claim__status")
        .order_by("pk")
    )
    if len(rows) < len(set(verdict_ids)):
        report.refused[gettext("not awaiting approval")] += len(set(verdict_ids)) - len(rows)
    needed = settings.FACTCHECK_APPROVAL_MIN_ARCHIVED_EVIDENCE
    archived: dict[int, int] = {}
    if needed:
        archived = dict(
            Evidence.objects.filter(
                claim_id__in=[row[2] for row in rows],
                source__fetch_status=Source.FetchStatus.FETCHED,
            )
            .values_list("claim_id")
            .annotate(count=Count("pk"))
        )
    approved: list[int] = []
    for pk, author_id, claim_id, claim_status in rows:
        if author_id == user.pk:
            report.refused[gettext("written by you (a second person must approve it)")] += 1
        elif claim_status != Claim.Status.AWAITING_APPROVAL:
            report.refused[gettext("on a claim not awaiting approval")] += 1
        elif archived.get(claim_id, 0) < needed:
            report.refused[
                gettext("with fewer than %(needed)d archived source(s)") % {"needed": needed}
            ] += 1
        else:
            approved.append(pk)
    now = timezone.now()
    for chunk in chunks(approved):
        report.changed += Verdict.objects.filter(pk__in=chunk).update(
            approved_by=user,
            approved_at=now,
            published_at=now,
            version=F("version") + 1,
            updated_at=now,
        )
    record_history_copy(Verdict, approved, by=user, note="approved and published", at=now)
    verdicts = list(Verdict.objects.filter(pk__in=approved).order_by("pk"))
    claims_transition(
        claim_ids=[verdict.claim_id for verdict in verdicts], action=Action.APPROVE, user=user
    )
    outbox.record_many(verdicts=verdicts, kind=ChangeEvent.Kind.PUBLISHED)
    matching.matches_refresh(claim_ids=[verdict.claim_id for verdict in verdicts])
    logger.info("%s published verdicts %s", user, approved)
    return report


@transaction.atomic
def verdict_return(
    *, verdict: Verdict, user: Any, note: str, expected_version: int | None = None
) -> Verdict:
    """An approver sends a submitted verdict back to its author with a note."""
    require_permission(user, "reviews.approve_verdict")
    note = note.strip()
    if not note:
        raise ValidationError({"note": gettext("Say what the author should change.")})
    if verdict.submitted_at is None or verdict.is_published:
        raise ValidationError(gettext("Only a submitted, unpublished verdict can be sent back."))
    update_versioned(
        verdict,
        expected_version=verdict.version if expected_version is None else expected_version,
        by=user,
        note=note,
        submitted_at=None,
        return_note=note,
    )
    claim_transition(claim=verdict.claim, action=Action.RETURN, user=user, note=note)
    comment = Comment(claim=verdict.claim, author=user, kind=Comment.Kind.RETURN, body=note)
    annotate_save(comment, by=user, note="sent back")
    comment.save()
    return verdict


def sources_refetch(*, source_ids: list[int], user: Any = None) -> int:
    """Put sources back in the fetch queue with fresh attempts (an admin's bulk action)."""
    with transaction.atomic():
        ids = update_with_history(
            Source.objects.filter(pk__in=source_ids).exclude(
                fetch_status=Source.FetchStatus.FETCHING
            ),
            by=user,
            note="re-fetch requested",
            fetch_status=Source.FetchStatus.PENDING,
            attempts=0,
            next_attempt_at=None,
        )
        _enqueue_sources_fetch(ids)
    return len(ids)


@transaction.atomic
def verdicts_withdraw(*, verdict_ids: list[int], user: Any, note: str = "") -> int:
    """Withdraw published verdicts: no longer current, so the CMS API stops listing them.

    Their claims become withdrawn; reopening one puts it back in review for a new verdict.
    Steps, as sets: lock the current, published verdicts chosen whose claim is published; mark
    them withdrawn (one update per chunk, a copied history row each); move their claims with
    one lifecycle move; append their tombstones to the change feed in one insert.
    """
    require_permission(user, "reviews.approve_verdict")
    return _verdicts_withdraw(verdict_ids=verdict_ids, by=user, note=note)


def _verdicts_withdraw(*, verdict_ids: list[int], by: Any, note: str) -> int:
    """`verdicts_withdraw` without the permission check; `by=None` is the desk itself."""
    user = by
    note = note.strip() or "withdrawn"
    ids = list(
        Verdict.objects.filter(
            pk__in=verdict_ids,
            is_current=True,
            published_at__isnull=False,
            claim__status=Claim.Status.PUBLISHED,
        )
        .select_for_update()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    for chunk in chunks(ids):
        Verdict.objects.filter(pk__in=chunk).update(
            is_current=False,
            withdrawn_at=now,
            withdrawal_reason=note,
            version=F("version") + 1,
            updated_at=now,
        )
    record_history_copy(Verdict, ids, by=user, note=note, at=now)
    verdicts = list(Verdict.objects.filter(pk__in=ids).order_by("pk"))
    claims_transition(
        claim_ids=[verdict.claim_id for verdict in verdicts],
        action=Action.WITHDRAW,
        user=user,
        note=note,
    )
    outbox.record_many(verdicts=verdicts, kind=ChangeEvent.Kind.WITHDRAWN, note=note)
    matching.matches_refresh(claim_ids=[verdict.claim_id for verdict in verdicts])
    logger.info("%s withdrew verdicts %s", user or "the desk", ids)
    return len(ids)


def article_push(**story: Any) -> ArticlePush:
    """A story the CMS pushed (`claims.revisions.article_push`); when its new text edited the
    sentence of a claim with a published verdict, that claim is reopened for review."""
    pushed = revisions.article_push(**story)
    revised = pushed.revised
    if revised is not None and revised.revision is not None and revised.published_changed:
        claims_reopen_after_revision(
            claim_ids=revised.published_changed, revision=revised.revision.number
        )
    return pushed


def claims_reopen_after_revision(*, claim_ids: list[int], revision: int, note: str = "") -> int:
    """Published claims whose sentence a new revision of the article edited: their verdict
    judged words the article no longer says. Withdraw it (the CMS learns it from the change
    feed and webhooks) and reopen the claim for review, by the desk itself, with a note the
    editor sees in the timeline; the claim page flags it (`Claim.anchor` is changed).
    Returns how many claims were reopened."""
    note = note or f"the article's revision {revision} edited this claim's sentence"
    with transaction.atomic():
        verdicts = list(
            Verdict.objects.filter(
                claim_id__in=claim_ids,
                claim__status=Claim.Status.PUBLISHED,
                is_current=True,
                published_at__isnull=False,
            ).values_list("pk", flat=True)
        )
        _verdicts_withdraw(verdict_ids=verdicts, by=None, note=note)
        report = claims_transition(
            claim_ids=claim_ids, action=Action.REOPEN, user=None, note=f"reopened: {note}"
        )
    return report.changed


@transaction.atomic
def claim_reopen(*, claim: Claim, user: Any, note: str = "") -> Claim:
    """Put a claim whose verdict was withdrawn back in review, for a new verdict."""
    return claim_transition(claim=claim, action=Action.REOPEN, user=user, note=note or "reopened")


# --- Corrections and comments -----------------------------------------------------------------


@transaction.atomic
def verdict_correct(
    *,
    verdict: Verdict,
    user: Any,
    rating: Rating,
    summary: str,
    explanation: str,
    note: str,
    expected_version: int,
) -> VerdictCorrection:
    """Correct a published verdict: new rating or text, with a public note, who and when.

    Steps: refuse anything but the current published verdict, an empty note or no change; keep
    what it said before in a correction row; update the verdict (version-checked) and set its
    modified time. The claim stays published: the CMS sees the correction through the API.
    """
    require_permission(user, "reviews.approve_verdict")
    note = note.strip()
    summary = " ".join(summary.split())
    if not verdict.is_published or not verdict.is_current:
        raise ValidationError(gettext("Only a published, current verdict can be corrected."))
    if not note:
        raise ValidationError({"note": gettext("Say publicly what was corrected and why.")})
    if not summary:
        raise ValidationError({"summary": gettext("Write a one-line summary for the CMS.")})
    if (rating.pk, summary, explanation) == (
        verdict.rating_id,
        verdict.summary,
        verdict.explanation,
    ):
        raise ValidationError(
            gettext("Nothing changed: change the rating or the text to correct it.")
        )
    if rating.scale_id != verdict.rating.scale_id:
        raise ValidationError({"rating": gettext("A correction keeps the verdict's rating scale.")})
    previous = (verdict.rating, verdict.summary, verdict.explanation)
    now = timezone.now()
    update_versioned(
        verdict,
        expected_version=expected_version,
        by=user,
        note=f"corrected: {note}",
        condition=Q(is_current=True, published_at__isnull=False),
        rating=rating,
        summary=summary,
        explanation=explanation,
        modified_at=now,
    )
    correction = VerdictCorrection(
        verdict=verdict,
        previous_rating=previous[0],
        previous_summary=previous[1],
        previous_explanation=previous[2],
        rating=rating,
        summary=summary,
        explanation=explanation,
        note=note,
        corrected_by=user,
        corrected_at=now,
    )
    correction.full_clean()
    correction.save()
    outbox.record(verdict=verdict, kind=ChangeEvent.Kind.CORRECTED, note=note)
    logger.info("verdict %s corrected by %s", verdict.pk, user)
    return correction


@transaction.atomic
def comment_add(*, claim: Claim, user: Any, body: str) -> Comment:
    """Add a comment to a claim's thread (reviewers and editors)."""
    require_permission(user, "reviews.add_comment")
    body = body.strip()
    if not body:
        raise ValidationError({"body": gettext("Write the comment first.")})
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {
                "body": gettext("The comment is %(length)s characters; the limit is %(limit)s.")
                % {
                    "length": formats.number_format(len(body), force_grouping=True),
                    "limit": formats.number_format(COMMENT_MAX_LENGTH, force_grouping=True),
                }
            }
        )
    comment = Comment(claim=claim, author=user, body=body)
    annotate_save(comment, by=user, note="comment")
    comment.save()
    return comment
