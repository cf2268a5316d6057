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

from claims.lifecycle import Action, claim_transition
from claims.models import Claim
from factcheck.lib import http as fetching
from factcheck.lib.history import annotate_save, record_history, update_with_history
from factcheck.lib.htmltext import readable_text
from factcheck.lib.locking import StaleVersionError, update_versioned
from factcheck.lib.permissions import require_permission
from reviews import outbox
from reviews.models import (
    COMMENT_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    QUOTE_MAX_LENGTH,
    ChangeEvent,
    Comment,
    Evidence,
    Rating,
    Source,
    Verdict,
    VerdictCorrection,
)

logger = logging.getLogger(__name__)

MAX_TITLE_LENGTH = Source._meta.get_field("title").max_length or 500
CLAIMANT_MAX_LENGTH = Claim._meta.get_field("claimant").max_length or 200


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
    record_history([source], by=None, note=f"fetch attempt {source.attempts}")
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
        record_history([source], by=None, note=f"fetch failed: {error.reason}")
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
    record_history([source], by=None, note="archived")
    return source


def sources_sweep(*, older_than: datetime.timedelta = datetime.timedelta(minutes=5)) -> int:
    """Re-queue sources stuck waiting (message lost, worker killed); returns how many.

    A source stuck in `fetching` (its worker died) goes back to pending while it has attempts
    left, and is marked failed when it has none.
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
        )
    stale = Source.objects.stale(older_than=cutoff).filter(attempts__lt=max_attempts)
    requeued = []
    for source_id in stale.values_list("pk", flat=True):
        # Re-check staleness in the update itself: a fetch may finish between the two queries.
        if stale.filter(pk=source_id).update(
            fetch_status=Source.FetchStatus.PENDING, updated_at=timezone.now()
        ):
            requeued.append(source_id)
    record_history(Source.objects.filter(pk__in=requeued), by=None, note="re-queued by the sweeper")
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
    """Set who reviews a claim, how urgent it is and when it is due (editors only).

    Assigning moves a candidate or queued claim onto the reviewer's desk; clearing the assignee
    puts it back on the queue (refused while someone's draft verdict is on it).
    """
    require_permission(user, "claims.select_claim")
    if assignee is not None and not assignee.has_perm("reviews.add_verdict"):
        raise ValidationError({"assignee": f"{assignee} is not a reviewer."})
    if not claim.is_open:
        raise ValidationError(f"A claim that is {claim.get_status_display()} cannot be assigned.")
    draft = claim.verdicts.filter(is_current=True, published_at__isnull=True).first()
    if draft is not None and draft.author_id != getattr(assignee, "pk", None):
        raise ValidationError(
            {"assignee": f"{draft.author} has a draft verdict; they must finish or hand it over."}
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
        raise ValidationError("Evidence needs at least a URL, a quote or a note.")
    for field, value, limit in (
        ("quote", quote, QUOTE_MAX_LENGTH),
        ("note", note, NOTE_MAX_LENGTH),
    ):
        if len(value) > limit:
            raise ValidationError(
                {field: f"The {field} is {len(value):,} characters; the limit is {limit:,}."}
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
        raise ValidationError({"summary": "Write a one-line summary for the CMS."})
    if claimant is not None:
        claimant = _clean_claimant(claimant)
    verdict = claim.verdicts.filter(is_current=True).first()
    if verdict is not None and verdict.is_published:
        raise ValidationError("This verdict is published; it can no longer be edited.")
    if verdict is not None and verdict.author_id != user.pk:
        raise ValidationError(f"This draft is {verdict.author}'s.")
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
        )
    if claimant is not None:
        claim_set_claimant(claim=claim, user=user, claimant=claimant)
    return verdict


def _clean_claimant(claimant: str) -> str:
    claimant = " ".join(claimant.split())
    if len(claimant) > CLAIMANT_MAX_LENGTH:
        raise ValidationError(
            {
                "claimant": f"The claimant is {len(claimant):,} characters; the limit is "
                f"{CLAIMANT_MAX_LENGTH:,}."
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
        raise ValidationError({"claimant": "Only the claim's reviewer records who made it."})
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
        raise ValidationError("Only the author submits a draft for approval.")
    if verdict.submitted_at is not None or verdict.is_published:
        raise ValidationError("This verdict was already submitted.")
    update_versioned(
        verdict,
        expected_version=verdict.version if expected_version is None else expected_version,
        by=user,
        note="submitted",
        submitted_at=timezone.now(),
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
        raise ValidationError("You wrote this verdict; a second person must approve it.")
    if verdict.submitted_at is None:
        raise ValidationError("This verdict has not been submitted for approval.")
    if verdict.is_published:
        raise ValidationError("This verdict is already published.")
    if not verdict.is_current:
        raise ValidationError("This verdict was withdrawn; approve the current one.")
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
    logger.info("verdict %s on claim %s published by %s", verdict.pk, verdict.claim_id, user)
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
        )
        for source_id in ids:
            _enqueue_source_fetch(source_id)
    return len(ids)


@transaction.atomic
def verdicts_withdraw(*, verdict_ids: list[int], user: Any, note: str = "") -> int:
    """Withdraw published verdicts: no longer current, so the CMS API stops listing them.

    Their claims become withdrawn; reopening one puts it back in review for a new verdict.
    """
    require_permission(user, "reviews.approve_verdict")
    note = note.strip() or "withdrawn"
    verdicts = list(
        Verdict.objects.select_related("claim").filter(
            pk__in=verdict_ids, is_current=True, published_at__isnull=False
        )
    )
    now = timezone.now()
    for verdict in verdicts:
        update_versioned(
            verdict,
            expected_version=verdict.version,
            by=user,
            note=note,
            is_current=False,
            withdrawn_at=now,
            withdrawal_reason=note,
        )
        claim_transition(claim=verdict.claim, action=Action.WITHDRAW, user=user, note=note)
        outbox.record(verdict=verdict, kind=ChangeEvent.Kind.WITHDRAWN, note=note)
    logger.info("%s withdrew verdicts %s", user, [verdict.pk for verdict in verdicts])
    return len(verdicts)


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
        raise ValidationError("Only a published, current verdict can be corrected.")
    if not note:
        raise ValidationError({"note": "Say publicly what was corrected and why."})
    if not summary:
        raise ValidationError({"summary": "Write a one-line summary for the CMS."})
    if (rating.pk, summary, explanation) == (
        verdict.rating_id,
        verdict.summary,
        verdict.explanation,
    ):
        raise ValidationError("Nothing changed: change the rating or the text to correct it.")
    if rating.scale_id != verdict.rating.scale_id:
        raise ValidationError({"rating": "A correction keeps the verdict's rating scale."})
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
        raise ValidationError({"body": "Write the comment first."})
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {
                "body": f"The comment is {len(body):,} characters; the limit is "
                f"{COMMENT_MAX_LENGTH:,}."
            }
        )
    comment = Comment(claim=claim, author=user, body=body)
    annotate_save(comment, by=user, note="comment")
    comment.save()
    return comment
