"""Review desk actions through the Django client: assignment, evidence, verdicts, approval, sources.

Each action has its success path (the change is stored, the page redirects back to the claim
with a message) and its main refusals (nothing is stored, the person is told why).
"""

import datetime
from http import HTTPStatus
from typing import Any

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.test import Client

from claims.models import Claim
from reviews import services
from reviews.models import Evidence, Source, Verdict
from tests.factories import (
    ClaimFactory,
    EvidenceFactory,
    SourceFactory,
    UserFactory,
    default_rating,
)

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _messages(response: Any, level: int) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level == level]


def _redirects_to_claim(response: Any, claim: Claim) -> None:
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/claims/{claim.pk}/"


def _refused_with_message(response: Any, claim: Claim) -> str:
    """A refusal that redirects back with one error message and no success message."""
    _redirects_to_claim(response, claim)
    errors = _messages(response, messages.ERROR)
    assert len(errors) == 1 and not _messages(response, messages.SUCCESS), errors
    return errors[0]


@pytest.fixture
def second_reviewer(db: None) -> Any:
    return UserFactory(username="second-reviewer", role="Reviewer")


def _draft(author: Any, summary: str = "It was 30, not 40.") -> Verdict:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    return services.verdict_save(
        claim=claim, user=author, rating=default_rating("False"), summary=summary
    )


def _submitted(author: Any) -> Verdict:
    return services.verdict_submit(verdict=_draft(author), user=author)


def _with_archived_evidence(verdict: Verdict) -> Verdict:
    """Approval needs evidence whose source was archived (FACTCHECK_APPROVAL_MIN_...)."""
    source = SourceFactory(fetch_status=Source.FetchStatus.FETCHED)
    EvidenceFactory(claim=verdict.claim, source=source, url=source.url)
    return verdict


# --- Assignment --------------------------------------------------------------------------------


def test_an_editor_assigns_a_claim_with_priority_and_due_date(editor: Any, reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    response = _client(editor).post(
        f"/claims/{claim.pk}/assignment/",
        {
            "assignee": reviewer.pk,
            "priority": Claim.Priority.HIGH,
            "due_on": "2030-01-31",
            "version": claim.version,
        },
    )
    _redirects_to_claim(response, claim)
    claim.refresh_from_db()
    assert claim.assignee == reviewer and claim.status == Claim.Status.IN_REVIEW
    assert claim.priority == Claim.Priority.HIGH and claim.due_on == datetime.date(2030, 1, 31)
    assert _messages(response, messages.SUCCESS) == ["Assignment saved."]


def test_a_claim_cannot_be_assigned_to_an_account_that_is_not_a_reviewer(editor: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    cms = UserFactory(username="cms-integration")
    response = _client(editor).post(
        f"/claims/{claim.pk}/assignment/",
        {"assignee": cms.pk, "priority": Claim.Priority.NORMAL, "version": claim.version},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b"Select a valid choice" in response.content
    claim.refresh_from_db()
    assert claim.assignee is None and claim.status == Claim.Status.SELECTED


def test_an_assignment_made_on_an_old_version_is_refused(editor: Any, reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    seen = claim.version
    services.claim_assign(
        claim=claim, user=editor, assignee=None, priority=Claim.Priority.URGENT, due_on=None
    )
    response = _client(editor).post(
        f"/claims/{claim.pk}/assignment/",
        {"assignee": reviewer.pk, "priority": Claim.Priority.LOW, "version": seen},
    )
    assert response.status_code == HTTPStatus.CONFLICT
    claim.refresh_from_db()
    assert claim.assignee is None and claim.priority == Claim.Priority.URGENT


def test_a_published_claim_cannot_be_assigned(editor: Any, reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.PUBLISHED)
    response = _client(editor).post(
        f"/claims/{claim.pk}/assignment/",
        {"assignee": reviewer.pk, "priority": Claim.Priority.NORMAL, "version": claim.version},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b"cannot be assigned" in response.content
    claim.refresh_from_db()
    assert claim.assignee is None and claim.status == Claim.Status.PUBLISHED


def test_a_reviewer_may_not_assign(reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    response = _client(reviewer).post(
        f"/claims/{claim.pk}/assignment/",
        {"assignee": reviewer.pk, "priority": Claim.Priority.NORMAL, "version": claim.version},
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    claim.refresh_from_db()
    assert claim.assignee is None


# --- Evidence ----------------------------------------------------------------------------------


def test_a_reviewer_adds_a_quote_and_the_claim_becomes_theirs(reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    response = _client(reviewer).post(
        f"/claims/{claim.pk}/evidence/",
        {"quote": "The report says 30.", "stance": Evidence.Stance.CONTRADICTS, "note": ""},
    )
    _redirects_to_claim(response, claim)
    evidence = Evidence.objects.get()
    assert evidence.claim == claim and evidence.added_by == reviewer
    assert evidence.quote == "The report says 30."
    assert evidence.stance == Evidence.Stance.CONTRADICTS
    claim.refresh_from_db()
    assert claim.status == Claim.Status.IN_REVIEW and claim.assignee == reviewer
    assert _messages(response, messages.SUCCESS) == ["Evidence added."]


def test_evidence_with_a_url_gets_a_source_waiting_to_be_archived(
    reviewer: Any, local_server: Any
) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    url = local_server.add("/report", "<p>30.</p>")
    response = _client(reviewer).post(
        f"/claims/{claim.pk}/evidence/", {"url": url, "stance": Evidence.Stance.CONTEXT}
    )
    _redirects_to_claim(response, claim)
    source = Evidence.objects.get().source
    assert source is not None and source.url == url
    assert source.fetch_status == Source.FetchStatus.PENDING


def test_evidence_with_nothing_in_it_is_refused(reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    response = _client(reviewer).post(
        f"/claims/{claim.pk}/evidence/",
        {"url": "", "quote": "   ", "note": "", "stance": Evidence.Stance.CONTEXT},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b"Evidence needs at least a URL, a quote or a note." in response.content
    assert not Evidence.objects.exists()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SELECTED and claim.assignee is None


def test_evidence_on_a_claim_assigned_to_someone_else_is_refused(
    reviewer: Any, second_reviewer: Any
) -> None:
    claim = ClaimFactory(status=Claim.Status.IN_REVIEW, assignee=reviewer)
    response = _client(second_reviewer).post(
        f"/claims/{claim.pk}/evidence/", {"note": "Mine now?", "stance": Evidence.Stance.CONTEXT}
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b"assigned to" in response.content
    assert not Evidence.objects.exists()


# --- Verdict drafts ----------------------------------------------------------------------------


def test_a_reviewer_saves_a_first_draft(reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    response = _client(reviewer).post(
        f"/claims/{claim.pk}/verdict/",
        {
            "rating": default_rating("Mostly false").pk,
            "summary": "Too high by half.",
            "explanation": "The budget papers say 20.",
            "version": 0,
        },
    )
    _redirects_to_claim(response, claim)
    verdict = Verdict.objects.get(claim=claim, is_current=True)
    assert verdict.author == reviewer and verdict.summary == "Too high by half."
    assert verdict.rating.label == "Mostly false" and verdict.submitted_at is None
    claim.refresh_from_db()
    assert claim.status == Claim.Status.IN_REVIEW and claim.assignee == reviewer
    assert _messages(response, messages.SUCCESS) == ["Draft verdict saved."]


def test_a_draft_without_a_summary_is_refused(reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    response = _client(reviewer).post(
        f"/claims/{claim.pk}/verdict/",
        {"rating": default_rating().pk, "summary": "", "version": 0},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not Verdict.objects.exists()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SELECTED


def test_an_edit_made_on_an_old_version_of_the_draft_is_refused(reviewer: Any) -> None:
    verdict = _draft(reviewer, summary="First.")
    seen = verdict.version
    client = _client(reviewer)
    url = f"/claims/{verdict.claim_id}/verdict/"
    rating = default_rating().pk
    edited = client.post(url, {"rating": rating, "summary": "Second.", "version": seen})
    assert edited.status_code == HTTPStatus.FOUND
    stale = client.post(url, {"rating": rating, "summary": "Third.", "version": seen})
    assert stale.status_code == HTTPStatus.CONFLICT
    verdict.refresh_from_db()
    assert verdict.summary == "Second."


def test_a_second_reviewer_cannot_edit_someone_elses_draft(
    reviewer: Any, second_reviewer: Any
) -> None:
    verdict = _draft(reviewer, summary="Mine.")
    response = _client(second_reviewer).post(
        f"/claims/{verdict.claim_id}/verdict/",
        {"rating": default_rating().pk, "summary": "Theirs.", "version": verdict.version},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    verdict.refresh_from_db()
    assert verdict.summary == "Mine." and verdict.author == reviewer


# --- Submit ------------------------------------------------------------------------------------


def test_the_author_submits_the_draft_for_approval(reviewer: Any) -> None:
    verdict = _draft(reviewer)
    response = _client(reviewer).post(
        f"/verdicts/{verdict.pk}/submit/", {"version": verdict.version}
    )
    _redirects_to_claim(response, verdict.claim)
    verdict.refresh_from_db()
    assert verdict.submitted_at is not None
    assert verdict.claim.status == Claim.Status.AWAITING_APPROVAL
    assert list(Claim.objects.awaiting_approval()) == [verdict.claim]
    assert _messages(response, messages.SUCCESS) == ["Sent for approval."]


def test_only_the_author_submits(reviewer: Any, second_reviewer: Any) -> None:
    verdict = _draft(reviewer)
    response = _client(second_reviewer).post(
        f"/verdicts/{verdict.pk}/submit/", {"version": verdict.version}
    )
    assert "Only the author" in _refused_with_message(response, verdict.claim)
    verdict.refresh_from_db()
    assert verdict.submitted_at is None and verdict.claim.status == Claim.Status.IN_REVIEW


def test_a_submitted_draft_cannot_be_submitted_again(reviewer: Any) -> None:
    verdict = _submitted(reviewer)
    submitted_at = verdict.submitted_at
    response = _client(reviewer).post(
        f"/verdicts/{verdict.pk}/submit/", {"version": verdict.version}
    )
    assert "already submitted" in _refused_with_message(response, verdict.claim)
    verdict.refresh_from_db()
    assert verdict.submitted_at == submitted_at


# --- Approve -----------------------------------------------------------------------------------


def test_an_editor_approves_and_publishes_the_version_they_read(editor: Any, reviewer: Any) -> None:
    verdict = _submitted(reviewer)
    response = _client(editor).post(
        f"/verdicts/{verdict.pk}/approve/", {"version": verdict.version}
    )
    _redirects_to_claim(response, verdict.claim)
    verdict.refresh_from_db()
    assert verdict.approved_by == editor and verdict.published_at is not None
    assert verdict.claim.status == Claim.Status.PUBLISHED
    assert list(Verdict.objects.published()) == [verdict]
    assert _messages(response, messages.SUCCESS) == ["Approved and published."]


def test_an_editor_cannot_approve_their_own_verdict() -> None:
    author = UserFactory(username="writing-editor", role="Editor")
    verdict = _with_archived_evidence(_submitted(author))
    response = _client(author).post(
        f"/verdicts/{verdict.pk}/approve/", {"version": verdict.version}
    )
    assert "second person" in _refused_with_message(response, verdict.claim)
    assert not Verdict.objects.published().exists()


def test_approving_a_draft_changed_since_it_was_read_is_refused(editor: Any, reviewer: Any) -> None:
    verdict = _with_archived_evidence(_submitted(reviewer))
    seen = verdict.version
    services.verdict_save(
        claim=verdict.claim, user=reviewer, rating=default_rating("True"), summary="Rewritten."
    )
    services.verdict_submit(verdict=Verdict.objects.get(pk=verdict.pk), user=reviewer)
    response = _client(editor).post(f"/verdicts/{verdict.pk}/approve/", {"version": seen})
    _refused_with_message(response, verdict.claim)
    assert not Verdict.objects.published().exists()


def test_approving_without_archived_evidence_is_refused(
    editor: Any, reviewer: Any, settings: Any
) -> None:
    settings.FACTCHECK_APPROVAL_MIN_ARCHIVED_EVIDENCE = 1
    verdict = _submitted(reviewer)
    EvidenceFactory(claim=verdict.claim, quote="A quote is not an archived source.")
    response = _client(editor).post(
        f"/verdicts/{verdict.pk}/approve/", {"version": verdict.version}
    )
    assert "archived source" in _refused_with_message(response, verdict.claim)
    assert not Verdict.objects.published().exists()


def test_approving_a_draft_that_was_not_submitted_is_refused(editor: Any, reviewer: Any) -> None:
    verdict = _draft(reviewer)
    response = _client(editor).post(
        f"/verdicts/{verdict.pk}/approve/", {"version": verdict.version}
    )
    assert "not been submitted" in _refused_with_message(response, verdict.claim)
    assert not Verdict.objects.published().exists()


def test_approving_without_saying_which_version_was_read_is_refused(
    editor: Any, reviewer: Any
) -> None:
    verdict = _submitted(reviewer)
    response = _client(editor).post(f"/verdicts/{verdict.pk}/approve/")
    _refused_with_message(response, verdict.claim)
    assert not Verdict.objects.published().exists()


def test_a_reviewer_may_not_approve(reviewer: Any, second_reviewer: Any) -> None:
    verdict = _submitted(reviewer)
    response = _client(second_reviewer).post(
        f"/verdicts/{verdict.pk}/approve/", {"version": verdict.version}
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not Verdict.objects.published().exists()


# --- Return ------------------------------------------------------------------------------------


def test_an_editor_sends_a_draft_back_with_a_note(editor: Any, reviewer: Any) -> None:
    verdict = _submitted(reviewer)
    response = _client(editor).post(
        f"/verdicts/{verdict.pk}/return/", {"version": verdict.version, "note": "Cite the report."}
    )
    _redirects_to_claim(response, verdict.claim)
    verdict.refresh_from_db()
    assert verdict.submitted_at is None and verdict.return_note == "Cite the report."
    assert verdict.claim.status == Claim.Status.IN_REVIEW
    assert _messages(response, messages.SUCCESS) == ["Sent back to the author."]


def test_sending_back_without_a_note_is_refused(editor: Any, reviewer: Any) -> None:
    verdict = _submitted(reviewer)
    response = _client(editor).post(
        f"/verdicts/{verdict.pk}/return/", {"version": verdict.version, "note": "  "}
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b"Say what the author should change." in response.content
    verdict.refresh_from_db()
    assert verdict.submitted_at is not None
    assert verdict.claim.status == Claim.Status.AWAITING_APPROVAL


def test_a_draft_that_was_not_submitted_cannot_be_sent_back(editor: Any, reviewer: Any) -> None:
    verdict = _draft(reviewer)
    response = _client(editor).post(
        f"/verdicts/{verdict.pk}/return/", {"version": verdict.version, "note": "Why?"}
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    verdict.refresh_from_db()
    assert verdict.return_note == "" and verdict.claim.status == Claim.Status.IN_REVIEW


def test_a_reviewer_may_not_send_a_draft_back(reviewer: Any, second_reviewer: Any) -> None:
    verdict = _submitted(reviewer)
    response = _client(second_reviewer).post(
        f"/verdicts/{verdict.pk}/return/", {"version": verdict.version, "note": "No."}
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    verdict.refresh_from_db()
    assert verdict.submitted_at is not None and verdict.return_note == ""


# --- Source status -----------------------------------------------------------------------------


def test_the_source_status_reports_a_fetched_source(reviewer: Any) -> None:
    source = SourceFactory(
        fetch_status=Source.FetchStatus.FETCHED, title="Annual report", http_status=200
    )
    response = _client(reviewer).get(f"/sources/{source.pk}/status/")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {
        "id": source.pk,
        "status": "fetched",
        "status_display": "Archived",
        "title": "Annual report",
        "http_status": 200,
        "error": "",
        "error_kind": "",
        "attempts": 0,
        "next_attempt_at": None,
        "live_status": "",
        "checked_at": None,
    }


def test_the_source_status_reports_why_a_fetch_failed(reviewer: Any) -> None:
    source = SourceFactory(
        fetch_status=Source.FetchStatus.FAILED, http_status=404, last_error="HTTP 404"
    )
    body = _client(reviewer).get(f"/sources/{source.pk}/status/").json()
    assert body["status"] == "failed" and body["http_status"] == 404
    assert body["error"] == "HTTP 404"


def test_the_source_status_of_an_unknown_source_is_not_found(reviewer: Any) -> None:
    assert _client(reviewer).get("/sources/999999/status/").status_code == HTTPStatus.NOT_FOUND


def test_the_source_status_needs_a_newsroom_role() -> None:
    source = SourceFactory()
    cms = UserFactory(username="cms-integration")
    assert _client(cms).get(f"/sources/{source.pk}/status/").status_code == HTTPStatus.FORBIDDEN
    anonymous = Client().get(f"/sources/{source.pk}/status/")
    assert anonymous.status_code == HTTPStatus.FOUND
    assert anonymous["Location"].startswith("/login/?next=")


def _unassign(editor: Any, claim: Claim) -> Any:
    return _client(editor).post(
        f"/claims/{claim.pk}/assignment/",
        {"assignee": "", "priority": claim.priority, "due_on": "", "version": claim.version},
    )


def test_clearing_the_assignee_puts_the_claim_back_on_the_queue(editor: Any, reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.IN_REVIEW, assignee=reviewer)
    _redirects_to_claim(_unassign(editor, claim), claim)
    claim.refresh_from_db()
    assert claim.assignee is None and claim.status == Claim.Status.SELECTED


def test_clearing_the_assignee_is_refused_while_their_draft_is_on_the_claim(
    editor: Any, reviewer: Any
) -> None:
    verdict = _draft(reviewer)
    claim = Claim.objects.get(pk=verdict.claim_id)
    response = _unassign(editor, claim)
    assert response.status_code == 400
    assert "has a draft verdict" in response.content.decode()
    claim.refresh_from_db()
    assert claim.assignee == reviewer and claim.status == Claim.Status.IN_REVIEW


def test_editing_a_submitted_draft_on_the_page_returns_the_claim_to_review(
    reviewer: Any,
) -> None:
    verdict = _submitted(reviewer)
    response = _client(reviewer).post(
        f"/claims/{verdict.claim_id}/verdict/",
        {
            "rating": verdict.rating_id,
            "summary": "Reworded.",
            "explanation": "",
            "version": verdict.version,
        },
    )
    assert response.status_code == 302
    verdict.refresh_from_db()
    assert verdict.submitted_at is None and verdict.summary == "Reworded."
    assert Claim.objects.get(pk=verdict.claim_id).status == Claim.Status.IN_REVIEW
