"""The approval gate, corrections after publication, and the comment thread (services and API)."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.test import APIClient

from claims.models import Claim
from factcheck.lib.locking import StaleVersionError
from reviews import selectors, services
from reviews.models import Comment, Source, Verdict, VerdictCorrection
from tests.factories import (
    ClaimFactory,
    EvidenceFactory,
    SourceFactory,
    UserFactory,
    default_rating,
)

pytestmark = pytest.mark.django_db


def _submitted(reviewer: Any) -> Verdict:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    verdict = services.verdict_save(
        claim=claim, user=reviewer, rating=default_rating("Mostly false"), summary="Too high."
    )
    return services.verdict_submit(verdict=verdict, user=reviewer)


def _published(reviewer: Any, editor: Any) -> Verdict:
    return services.verdict_approve(verdict=_submitted(reviewer), user=editor)


# --- The approval gate --------------------------------------------------------------------


@pytest.fixture
def gate(settings: Any) -> None:
    settings.FACTCHECK_APPROVAL_MIN_ARCHIVED_EVIDENCE = 1


def test_the_gate_refuses_approval_without_an_archived_source(
    gate: None, editor: Any, reviewer: Any
) -> None:
    verdict = _submitted(reviewer)
    pending = SourceFactory(fetch_status=Source.FetchStatus.PENDING)
    EvidenceFactory(claim=verdict.claim, source=pending, url=pending.url)
    assert verdict.approval_blockers() == [
        "Approval needs at least 1 evidence item(s) with an archived source; this claim has 0. "
        "Wait for the archive or add a source."
    ]
    with pytest.raises(ValidationError, match="archived source"):
        services.verdict_approve(verdict=verdict, user=editor)
    verdict.refresh_from_db()
    assert verdict.published_at is None
    assert verdict.claim.status == Claim.Status.AWAITING_APPROVAL


def test_the_gate_opens_once_a_source_is_archived(gate: None, editor: Any, reviewer: Any) -> None:
    verdict = _submitted(reviewer)
    archived = SourceFactory(fetch_status=Source.FetchStatus.FETCHED)
    EvidenceFactory(claim=verdict.claim, source=archived, url=archived.url)
    assert verdict.approval_blockers() == []
    services.verdict_approve(verdict=verdict, user=editor)
    assert verdict.published_at is not None


def test_the_gate_counts_the_setting(settings: Any, editor: Any, reviewer: Any) -> None:
    settings.FACTCHECK_APPROVAL_MIN_ARCHIVED_EVIDENCE = 2
    verdict = _submitted(reviewer)
    archived = SourceFactory(fetch_status=Source.FetchStatus.FETCHED)
    EvidenceFactory(claim=verdict.claim, source=archived, url=archived.url)
    assert "at least 2" in verdict.approval_blockers()[0]


# --- Corrections --------------------------------------------------------------------------


def test_a_correction_keeps_the_published_version_and_the_public_note(
    editor: Any, reviewer: Any
) -> None:
    verdict = _published(reviewer, editor)
    correction = services.verdict_correct(
        verdict=verdict,
        user=editor,
        rating=default_rating("False"),
        summary="Far too high.",
        explanation="The budget line says 2.1m.",
        note="We first rated this mostly false; the budget line makes it false.",
        expected_version=verdict.version,
    )
    verdict.refresh_from_db()
    assert (verdict.rating.label, verdict.summary) == ("False", "Far too high.")
    assert verdict.modified_at == correction.corrected_at
    assert (correction.previous_rating.label, correction.previous_summary) == (
        "Mostly false",
        "Too high.",
    )
    assert correction.corrected_by == editor
    assert verdict.claim.status == Claim.Status.PUBLISHED
    assert "corrected" in verdict.history.latest().history_change_reason
    entry = selectors.claim_timeline(verdict.claim)[0]
    assert (entry.kind, entry.who) == ("correction", editor)
    assert ("Rating", "Mostly false", "False") in entry.changes


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"note": "  "}, "Say publicly"),
        ({"summary": "Too high.", "rating": "Mostly false"}, "Nothing changed"),
    ],
)
def test_a_correction_needs_a_note_and_a_change(
    editor: Any, reviewer: Any, changes: dict[str, str], message: str
) -> None:
    verdict = _published(reviewer, editor)
    arguments = {"note": "Fixed.", "summary": "New.", "rating": "False", **changes}
    with pytest.raises(ValidationError, match=message):
        services.verdict_correct(
            verdict=verdict,
            user=editor,
            rating=default_rating(arguments["rating"]),
            summary=arguments["summary"],
            explanation="",
            note=arguments["note"],
            expected_version=verdict.version,
        )
    assert not VerdictCorrection.objects.exists()


def test_a_correction_from_a_stale_page_is_refused(editor: Any, reviewer: Any) -> None:
    verdict = _published(reviewer, editor)
    with pytest.raises(StaleVersionError):
        services.verdict_correct(
            verdict=verdict,
            user=editor,
            rating=default_rating("False"),
            summary="New.",
            explanation="",
            note="Fixed.",
            expected_version=verdict.version - 1,
        )
    assert not VerdictCorrection.objects.exists()


def test_only_an_approver_corrects_and_only_a_published_verdict(editor: Any, reviewer: Any) -> None:
    with pytest.raises(ValidationError, match="published"):
        services.verdict_correct(
            verdict=_submitted(reviewer),
            user=editor,
            rating=default_rating("False"),
            summary="New.",
            explanation="",
            note="Fixed.",
            expected_version=2,
        )
    verdict = _published(UserFactory(username="r2", role="Reviewer"), editor)
    with pytest.raises(PermissionDenied):
        services.verdict_correct(
            verdict=verdict,
            user=reviewer,
            rating=default_rating("False"),
            summary="New.",
            explanation="",
            note="Fixed.",
            expected_version=verdict.version,
        )


def test_the_api_and_claimreview_show_the_correction_and_date_modified(
    editor: Any, reviewer: Any, cms_client: APIClient
) -> None:
    verdict = _published(reviewer, editor)
    services.verdict_correct(
        verdict=verdict,
        user=editor,
        rating=default_rating("False"),
        summary="Far too high.",
        explanation="",
        note="Rating changed after the budget line was published.",
        expected_version=verdict.version,
    )
    item = cms_client.get("/api/v1/verdicts/").json()["results"][0]
    assert item["summary"] == "Far too high." and item["rating"]["label"] == "False"
    assert item["modified_at"] is not None
    assert item["corrections"] == [
        {
            "corrected_at": item["corrections"][0]["corrected_at"],
            "note": "Rating changed after the budget line was published.",
            "previous_rating": "Mostly false",
            "rating": "False",
            "previous_summary": "Too high.",
        }
    ]
    review = cms_client.get(f"/api/v1/verdicts/{verdict.pk}/claimreview/").json()
    assert review["dateModified"] and review["reviewRating"]["alternateName"] == "False"
    assert review["correction"][0]["text"].startswith("Rating changed")


def test_withdrawal_records_why_and_when(editor: Any, reviewer: Any) -> None:
    verdict = _published(reviewer, editor)
    services.verdicts_withdraw(verdict_ids=[verdict.pk], user=editor, note="Source retracted.")
    verdict.refresh_from_db()
    assert verdict.withdrawal_reason == "Source retracted." and verdict.withdrawn_at is not None


# --- Comments -----------------------------------------------------------------------------


def test_a_return_note_becomes_a_comment_in_the_thread(editor: Any, reviewer: Any) -> None:
    verdict = _submitted(reviewer)
    services.verdict_return(verdict=verdict, user=editor, note="Cite the budget line.")
    comment = Comment.objects.get()
    assert (comment.kind, comment.author, comment.body) == (
        Comment.Kind.RETURN,
        editor,
        "Cite the budget line.",
    )


def test_comments_need_text_within_the_limit_and_the_role(reviewer: Any) -> None:
    claim = ClaimFactory()
    services.comment_add(claim=claim, user=reviewer, body="  Checked the archive.  ")
    assert claim.comments.get().body == "Checked the archive."
    with pytest.raises(ValidationError, match="Write the comment"):
        services.comment_add(claim=claim, user=reviewer, body="   ")
    with pytest.raises(ValidationError, match="limit"):
        services.comment_add(claim=claim, user=reviewer, body="x" * 5001)
    with pytest.raises(PermissionDenied):
        services.comment_add(claim=claim, user=UserFactory(username="cms"), body="Hello")
    assert claim.comments.count() == 1
