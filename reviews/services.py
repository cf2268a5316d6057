"""Workflows of the review desk: evidence, source archiving, verdicts and approval."""

from __future__ import annotations

import datetime
import hashlib
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from claims.models import Claim
from claims.services import _claims_transition  # replaced by the lifecycle service next
from factcheck.lib import http as fetching
from factcheck.lib.htmltext import readable_text
from factcheck.lib.locking import update_versioned
from factcheck.lib.permissions import require_permission
from reviews.models import Evidence, Rating, Source, Verdict

logger = logging.getLogger(__name__)

MAX_TITLE_LENGTH = Source._meta.get_field("title").max_length or 500


def _require_researcher(*, claim: Claim, user: Any) -> None:
    if not claim.can_be_researched_by(user):
        if claim.assignee_id and claim.assignee_id != user.pk:
            raise ValidationError(f"This claim is assigned to {claim.assignee}.")
        raise ValidationError(
            f"A claim that is {claim.get_status_display()} takes no more research."
        )


# --- Sources ------------------------------------------------------------------------------


def _enqueue_source_fetch(source_id: int) -> None:
    """Send the fetch to the worker once the row is committed; a broker outage only logs."""
    from reviews.tasks import source_fetch_task

    def send() -> None:
        source_fetch_task.delay(source_id)

    # robust: the row is saved either way; the sweeper re-sends what the broker did not take.
    transaction.on_commit(send, robust=True)


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


def source_fetch(*, source_id: int) -> Source | None:
    """Fetch and archive one source; safe to run twice or concurrently.

    Steps: claim the row with a conditional update (pending -> fetching) and stop if another
    worker has it; fetch through the SSRF-guarded client; store the readable text, or the error.
    A source that keeps failing transiently goes back to pending until it runs out of attempts.
    Returns the source, or None when there was nothing to do.
    """
    claimed = Source.objects.filter(
        pk=source_id,
        fetch_status=Source.FetchStatus.PENDING,
        attempts__lt=settings.FACTCHECK_FETCH_MAX_ATTEMPTS,
    ).update(
        fetch_status=Source.FetchStatus.FETCHING,
        attempts=F("attempts") + 1,
        updated_at=timezone.now(),
    )
    if not claimed:
        return None
    source = Source.objects.get(pk=source_id)
    try:
        page = fetching.fetch(source.url, policy=fetching.policy_from_settings())
    except fetching.FetchError as error:
        retryable = error.reason in {"timeout", "connection"} or (
            error.reason == "http_error" and (getattr(error, "status_code", 0) or 0) >= 500
        )
        out_of_attempts = source.attempts >= settings.FACTCHECK_FETCH_MAX_ATTEMPTS
        Source.objects.filter(pk=source_id).update(
            fetch_status=(
                Source.FetchStatus.PENDING
                if retryable and not out_of_attempts
                else Source.FetchStatus.FAILED
            ),
            http_status=getattr(error, "status_code", None),
            last_error=str(error),
            updated_at=timezone.now(),
        )
        source.refresh_from_db()
        return source
    title, text = readable_text(page.text, page.content_type)
    Source.objects.filter(pk=source_id).update(
        fetch_status=Source.FetchStatus.FETCHED,
        http_status=page.status_code,
        final_url=page.final_url[:2000],
        title=title[:MAX_TITLE_LENGTH],
        text=text,
        body_sha256=hashlib.sha256(page.body).hexdigest(),
        fetched_at=timezone.now(),
        last_error="",
        updated_at=timezone.now(),
    )
    source.refresh_from_db()
    return source


def sources_sweep(*, older_than: datetime.timedelta = datetime.timedelta(minutes=5)) -> int:
    """Re-queue sources stuck waiting (message lost, worker killed); returns how many.

    A source stuck in `fetching` (its worker died) goes back to pending while it has attempts
    left, and is marked failed when it has none.
    """
    cutoff = timezone.now() - older_than
    max_attempts = settings.FACTCHECK_FETCH_MAX_ATTEMPTS
    Source.objects.stale(older_than=cutoff).filter(attempts__gte=max_attempts).update(
        fetch_status=Source.FetchStatus.FAILED,
        last_error="Gave up after repeated attempts that never finished.",
        updated_at=timezone.now(),
    )
    stale = Source.objects.stale(older_than=cutoff).filter(attempts__lt=max_attempts)
    requeued = []
    for source_id in stale.values_list("pk", flat=True):
        # Re-check staleness in the update itself: a fetch may finish between the two queries.
        if stale.filter(pk=source_id).update(
            fetch_status=Source.FetchStatus.PENDING, updated_at=timezone.now()
        ):
            requeued.append(source_id)
    for source_id in requeued:
        _enqueue_source_fetch(source_id)
    return len(requeued)


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
    """Set who reviews a claim, how urgent it is and when it is due (editors only)."""
    require_permission(user, "claims.select_claim")
    if assignee is not None and not assignee.has_perm("reviews.add_verdict"):
        raise ValidationError({"assignee": f"{assignee} is not a reviewer."})
    if not claim.is_open:
        raise ValidationError(f"A claim that is {claim.get_status_display()} cannot be assigned.")
    draft = claim.verdicts.filter(is_current=True, published_at__isnull=True).first()
    if draft is not None and assignee is not None and draft.author_id != assignee.pk:
        raise ValidationError(
            {"assignee": f"{draft.author} has a draft verdict; they must finish or hand it over."}
        )
    status = claim.status
    if claim.status == Claim.Status.CANDIDATE:
        status = Claim.Status.SELECTED
    if assignee is not None and status == Claim.Status.SELECTED:
        status = Claim.Status.IN_REVIEW
    if assignee is None and status == Claim.Status.IN_REVIEW and draft is None:
        status = Claim.Status.SELECTED  # back on the queue, where any reviewer can take it
    return _claims_transition(
        claim=claim,
        expected_version=expected_version,
        allowed_from=[
            Claim.Status.CANDIDATE,
            Claim.Status.SELECTED,
            Claim.Status.IN_REVIEW,
            Claim.Status.AWAITING_APPROVAL,
        ],
        assignee=assignee,
        priority=priority,
        due_on=due_on,
        status=status,
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
    """Attach evidence to a claim; a URL gets an archived source fetched in the background."""
    require_permission(user, "reviews.add_evidence")
    _require_researcher(claim=claim, user=user)
    url, quote, note = url.strip(), quote.strip(), note.strip()
    if not (url or quote or note):
        raise ValidationError("Evidence needs at least a URL, a quote or a note.")
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
    evidence.save()
    if claim.status == Claim.Status.SELECTED:
        update_versioned(
            claim,
            expected_version=claim.version,
            status=Claim.Status.IN_REVIEW,
            assignee=claim.assignee or user,
        )
    return evidence


# --- Verdicts -------------------------------------------------------------------------------


@transaction.atomic
def verdict_save(
    *,
    claim: Claim,
    user: Any,
    rating: Rating,
    summary: str,
    explanation: str = "",
    expected_version: int | None = None,
) -> Verdict:
    """Create or edit the draft verdict of a claim (the claim becomes the user's, in review).

    Editing a draft that was submitted takes it back out of the approval queue.
    """
    require_permission(user, "reviews.add_verdict")
    if claim.status != Claim.Status.AWAITING_APPROVAL:  # the author may pull a submitted draft back
        _require_researcher(claim=claim, user=user)
    summary = " ".join(summary.split())
    if not summary:
        raise ValidationError({"summary": "Write a one-line summary for the CMS."})
    verdict = claim.verdicts.filter(is_current=True).first()
    if verdict is not None and verdict.is_published:
        raise ValidationError("This verdict is published; it can no longer be edited.")
    if verdict is not None and verdict.author_id != user.pk:
        raise ValidationError(f"This draft is {verdict.author}'s.")
    # Claim the claim first: of two reviewers drafting at once, the loser gets a clear conflict
    # message instead of hitting the one-current-verdict constraint.
    update_versioned(
        claim,
        expected_version=claim.version,
        condition=Q(assignee__isnull=True) | Q(assignee=user),
        status=Claim.Status.IN_REVIEW,
        assignee=user,
    )
    if verdict is None:
        verdict = Verdict(
            claim=claim, rating=rating, summary=summary, explanation=explanation, author=user
        )
        verdict.full_clean()
        verdict.save()
    else:
        update_versioned(
            verdict,
            expected_version=verdict.version if expected_version is None else expected_version,
            condition=Q(published_at__isnull=True),
            rating=rating,
            summary=summary,
            explanation=explanation,
            submitted_at=None,
        )
    return verdict


@transaction.atomic
def verdict_submit(*, verdict: Verdict, user: Any) -> Verdict:
    """The author sends a draft to a second person for approval."""
    if verdict.author_id != user.pk:
        raise ValidationError("Only the author submits a draft for approval.")
    if verdict.submitted_at is not None or verdict.is_published:
        raise ValidationError("This verdict was already submitted.")
    update_versioned(verdict, expected_version=verdict.version, submitted_at=timezone.now())
    claim = verdict.claim
    update_versioned(
        claim,
        expected_version=claim.version,
        condition=Q(status=Claim.Status.IN_REVIEW),
        status=Claim.Status.AWAITING_APPROVAL,
    )
    return verdict


@transaction.atomic
def verdict_approve(*, verdict: Verdict, user: Any, expected_version: int | None = None) -> Verdict:
    """A second person approves a submitted verdict, which publishes it.

    Nobody approves a verdict they wrote: refused here, and by a database constraint.
    """
    require_permission(user, "reviews.approve_verdict")
    if verdict.author_id == user.pk:
        raise ValidationError("You wrote this verdict; a second person must approve it.")
    if verdict.submitted_at is None:
        raise ValidationError("This verdict has not been submitted for approval.")
    if verdict.is_published:
        raise ValidationError("This verdict is already published.")
    if not verdict.is_current:
        raise ValidationError("This verdict was withdrawn; approve the current one.")
    now = timezone.now()
    update_versioned(
        verdict,
        expected_version=verdict.version if expected_version is None else expected_version,
        condition=Q(is_current=True, published_at__isnull=True, submitted_at__isnull=False),
        approved_by=user,
        approved_at=now,
        published_at=now,
    )
    claim = verdict.claim
    update_versioned(
        claim,
        expected_version=claim.version,
        condition=Q(status=Claim.Status.AWAITING_APPROVAL),
        status=Claim.Status.PUBLISHED,
    )
    logger.info("verdict %s on claim %s published by %s", verdict.pk, claim.pk, user)
    return verdict


@transaction.atomic
def verdict_return(
    *, verdict: Verdict, user: Any, note: str, expected_version: int | None = None
) -> Verdict:
    """An approver sends a submitted verdict back to its author with a note."""
    require_permission(user, "reviews.approve_verdict")
    note = note.strip()
    if not note:
        raise ValidationError({"note": "Say what the author should change."})
    if verdict.submitted_at is None or verdict.is_published:
        raise ValidationError("Only a submitted, unpublished verdict can be sent back.")
    update_versioned(verdict, expected_version=verdict.version, submitted_at=None, return_note=note)
    claim = verdict.claim
    update_versioned(
        claim,
        expected_version=claim.version,
        condition=Q(status=Claim.Status.AWAITING_APPROVAL),
        status=Claim.Status.IN_REVIEW,
    )
    return verdict


def sources_refetch(*, source_ids: list[int]) -> int:
    """Put sources back in the fetch queue with fresh attempts (an admin's bulk action)."""
    ids = list(
        Source.objects.filter(pk__in=source_ids)
        .exclude(fetch_status=Source.FetchStatus.FETCHING)
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        Source.objects.filter(pk__in=ids).update(
            fetch_status=Source.FetchStatus.PENDING, attempts=0, updated_at=timezone.now()
        )
        for source_id in ids:
            _enqueue_source_fetch(source_id)
    return len(ids)


@transaction.atomic
def verdicts_withdraw(*, verdict_ids: list[int], user: Any) -> int:
    """Withdraw published verdicts: no longer current, so the CMS API stops listing them.

    Their claims go back to review so a corrected verdict can be drafted.
    """
    require_permission(user, "reviews.approve_verdict")
    verdicts = list(Verdict.objects.filter(pk__in=verdict_ids, is_current=True))
    for verdict in verdicts:
        update_versioned(verdict, expected_version=verdict.version, is_current=False)
        Claim.objects.filter(pk=verdict.claim_id).update(
            status=Claim.Status.IN_REVIEW, version=F("version") + 1, updated_at=timezone.now()
        )
    logger.info("%s withdrew verdicts %s", user, [verdict.pk for verdict in verdicts])
    return len(verdicts)
