"""Selecting, reviewing and approving: the four-eyes rule and lost-update protection."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from claims import services as claim_services
from claims.models import Claim
from factcheck.lib.locking import StaleVersionError
from reviews import services
from reviews.models import Verdict
from tests.factories import ClaimFactory, UserFactory, VerdictFactory, default_rating

pytestmark = pytest.mark.django_db


def _submitted_verdict(author: Any) -> Verdict:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    verdict = services.verdict_save(
        claim=claim, user=author, rating=default_rating("Mostly false"), summary="Too high."
    )
    return services.verdict_submit(verdict=verdict, user=author)


def test_the_whole_flow_publishes_a_verdict(editor: Any, reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.CANDIDATE)
    claim_services.claim_select(claim=claim, user=editor)
    claim_services.claim_take(claim=claim, user=reviewer)
    services.evidence_add(
        claim=claim, user=reviewer, quote="The report says 30.", stance="contradicts"
    )
    verdict = services.verdict_save(
        claim=claim, user=reviewer, rating=default_rating("False"), summary="It was 30, not 40."
    )
    services.verdict_submit(verdict=verdict, user=reviewer)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.AWAITING_APPROVAL
    services.verdict_approve(verdict=verdict, user=editor)
    claim.refresh_from_db()
    verdict.refresh_from_db()
    assert claim.status == Claim.Status.PUBLISHED
    assert verdict.approved_by == editor and verdict.published_at is not None
    assert list(Verdict.objects.published()) == [verdict]


def test_it_rejects_approval_by_the_author_even_an_editor() -> None:
    author = UserFactory(username="writing-editor", role="Editor")
    verdict = _submitted_verdict(author)
    with pytest.raises(ValidationError, match="second person"):
        services.verdict_approve(verdict=verdict, user=author)
    verdict.refresh_from_db()
    assert verdict.published_at is None


def test_the_database_also_refuses_an_author_approving_their_own_verdict() -> None:
    verdict = VerdictFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Verdict.objects.filter(pk=verdict.pk).update(
            approved_by=verdict.author, approved_at=verdict.created_at
        )


def test_a_reviewer_cannot_approve(reviewer: Any) -> None:
    verdict = _submitted_verdict(UserFactory(username="other-reviewer", role="Reviewer"))
    with pytest.raises(PermissionDenied):
        services.verdict_approve(verdict=verdict, user=reviewer)


def test_it_refuses_to_approve_a_draft_that_was_not_submitted(editor: Any, reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    verdict = services.verdict_save(
        claim=claim, user=reviewer, rating=default_rating(), summary="Wrong."
    )
    with pytest.raises(ValidationError, match="not been submitted"):
        services.verdict_approve(verdict=verdict, user=editor)


def test_a_returned_verdict_goes_back_to_review_with_the_note(editor: Any, reviewer: Any) -> None:
    verdict = _submitted_verdict(reviewer)
    services.verdict_return(verdict=verdict, user=editor, note="Cite the report.")
    verdict.refresh_from_db()
    assert verdict.submitted_at is None and verdict.return_note == "Cite the report."
    assert verdict.claim.status == Claim.Status.IN_REVIEW


def test_only_one_current_verdict_per_claim(reviewer: Any) -> None:
    verdict = VerdictFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Verdict.objects.create(
            claim=verdict.claim, rating=verdict.rating, summary="Again", author=reviewer
        )


def test_a_stale_edit_loses_instead_of_overwriting(reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    verdict = services.verdict_save(
        claim=claim, user=reviewer, rating=default_rating(), summary="A"
    )
    seen = verdict.version
    services.verdict_save(
        claim=claim, user=reviewer, rating=default_rating(), summary="B", expected_version=seen
    )
    with pytest.raises(StaleVersionError):
        services.verdict_save(
            claim=claim, user=reviewer, rating=default_rating(), summary="C", expected_version=seen
        )
    verdict.refresh_from_db()
    assert verdict.summary == "B"


def test_two_reviewers_cannot_both_take_a_claim() -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    first = UserFactory(username="first", role="Reviewer")
    second = UserFactory(username="second", role="Reviewer")
    stale_copy = Claim.objects.get(pk=claim.pk)
    claim_services.claim_take(claim=claim, user=first)
    with pytest.raises(ValidationError):
        claim_services.claim_take(claim=stale_copy, user=second)
    claim.refresh_from_db()
    assert claim.assignee == first


def test_a_reviewer_cannot_research_a_claim_assigned_to_someone_else(reviewer: Any) -> None:
    other = UserFactory(username="owner", role="Reviewer")
    claim = ClaimFactory(status=Claim.Status.IN_REVIEW, assignee=other)
    with pytest.raises(ValidationError, match="assigned to"):
        services.evidence_add(claim=claim, user=reviewer, note="Mine now?")


def test_bulk_select_skips_claims_in_other_states(editor: Any) -> None:
    candidate = ClaimFactory(status=Claim.Status.CANDIDATE)
    published = ClaimFactory(status=Claim.Status.PUBLISHED)
    changed = claim_services.claims_bulk_update_status(
        claim_ids=[candidate.pk, published.pk], user=editor, select=True
    )
    assert changed == 1
    candidate.refresh_from_db()
    assert candidate.status == Claim.Status.SELECTED


def test_withdrawing_a_published_verdict_removes_it_from_the_published_list(
    editor: Any, reviewer: Any
) -> None:
    verdict = _submitted_verdict(reviewer)
    services.verdict_approve(verdict=verdict, user=editor)
    assert services.verdicts_withdraw(verdict_ids=[verdict.pk], user=editor) == 1
    assert not Verdict.objects.published().exists()


def test_approving_refuses_a_draft_changed_since_the_approver_read_it(
    editor: Any, reviewer: Any
) -> None:
    verdict = _submitted_verdict(reviewer)
    seen = verdict.version
    services.verdict_save(
        claim=verdict.claim, user=reviewer, rating=default_rating("True"), summary="Rewritten."
    )
    services.verdict_submit(verdict=Verdict.objects.get(pk=verdict.pk), user=reviewer)
    with pytest.raises(StaleVersionError):
        services.verdict_approve(
            verdict=Verdict.objects.get(pk=verdict.pk), user=editor, expected_version=seen
        )
    assert not Verdict.objects.published().exists()


def test_a_verdict_that_is_no_longer_current_cannot_be_approved(editor: Any, reviewer: Any) -> None:
    verdict = _submitted_verdict(reviewer)
    Verdict.objects.filter(pk=verdict.pk).update(is_current=False)
    verdict.refresh_from_db()
    with pytest.raises(ValidationError, match="withdrawn"):
        services.verdict_approve(verdict=verdict, user=editor)
    verdict.claim.refresh_from_db()
    assert verdict.claim.status == Claim.Status.AWAITING_APPROVAL


def test_withdrawing_touches_only_published_verdicts(editor: Any, reviewer: Any) -> None:
    verdict = _submitted_verdict(reviewer)
    assert services.verdicts_withdraw(verdict_ids=[verdict.pk], user=editor) == 0
    verdict.refresh_from_db()
    assert verdict.is_current
    assert verdict.claim.status == Claim.Status.AWAITING_APPROVAL


def test_withdrawing_a_published_verdict_withdraws_the_claim_and_reopen_puts_it_in_review(
    editor: Any, reviewer: Any
) -> None:
    verdict = _submitted_verdict(reviewer)
    services.verdict_approve(verdict=verdict, user=editor)
    assert services.verdicts_withdraw(verdict_ids=[verdict.pk], user=editor, note="Wrong year") == 1
    verdict.refresh_from_db()
    claim = verdict.claim
    claim.refresh_from_db()
    assert not verdict.is_current
    assert claim.status == Claim.Status.WITHDRAWN
    assert not Verdict.objects.published().exists()
    assert claim.history.first().history_change_reason == "Wrong year"
    services.claim_reopen(claim=claim, user=editor)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.IN_REVIEW


def test_unassigning_a_claim_without_a_draft_puts_it_back_on_the_queue(
    editor: Any, reviewer: Any
) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    services.claim_assign(
        claim=claim, user=editor, assignee=reviewer, priority=Claim.Priority.HIGH, due_on=None
    )
    assert claim.status == Claim.Status.IN_REVIEW and claim.assignee == reviewer
    services.claim_assign(
        claim=claim, user=editor, assignee=None, priority=Claim.Priority.HIGH, due_on=None
    )
    assert claim.status == Claim.Status.SELECTED
    assert list(Claim.objects.open_for_review()) == [claim]


def test_a_claim_with_someone_elses_draft_cannot_be_reassigned(editor: Any, reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    services.verdict_save(claim=claim, user=reviewer, rating=default_rating(), summary="Wrong.")
    claim.refresh_from_db()
    other = UserFactory(username="other", role="Reviewer")
    with pytest.raises(ValidationError, match="has a draft"):
        services.claim_assign(
            claim=claim, user=editor, assignee=other, priority=Claim.Priority.NORMAL, due_on=None
        )


def test_of_two_first_drafts_at_once_the_second_gets_a_conflict_not_a_crash() -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    first = UserFactory(username="first-drafter", role="Reviewer")
    second = UserFactory(username="second-drafter", role="Reviewer")
    stale_copy = Claim.objects.get(pk=claim.pk)
    services.verdict_save(claim=claim, user=first, rating=default_rating(), summary="Mine.")
    with pytest.raises(ValidationError):
        services.verdict_save(claim=stale_copy, user=second, rating=default_rating(), summary="No")
    assert Verdict.objects.get().author == first


def test_marking_urgent_skips_closed_claims(editor: Any) -> None:
    open_claim = ClaimFactory(status=Claim.Status.SELECTED)
    closed = ClaimFactory(status=Claim.Status.PUBLISHED)
    assert claim_services.claims_mark_urgent(claim_ids=[open_claim.pk, closed.pk], user=editor) == 1
    closed.refresh_from_db()
    assert closed.priority == Claim.Priority.NORMAL
