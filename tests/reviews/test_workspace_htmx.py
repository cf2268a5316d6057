"""The workspace's actions through the web views, as htmx posts and as plain forms.

An htmx post gets back the panel it concerns (no <html>), with its message inside and the
display panels out of band; a plain post redirects back to the page (or re-renders it when
refused). Per action: what it stores, its refusals and who may use it.
"""

import json
import re
from http import HTTPStatus
from typing import Any

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.test import Client

from claims.models import Claim
from reviews import services
from reviews.models import Comment, Evidence, Source, Verdict, VerdictCorrection
from reviews.views import CORRECTION_CHANGED
from tests.factories import (
    ClaimFactory,
    EvidenceFactory,
    SourceFactory,
    UserFactory,
    default_rating,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
PANEL_IDS = (
    "claim-header",
    "approval",
    "evidence-panel",
    "comments",
    "timeline",
    "verdict",
    "assignment",
)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _messages(response: Any, level: int) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level == level]


def _panel(html: str, panel_id: str) -> str:
    """The markup of one panel (from its opening tag to the next panel's)."""
    start = html.index(f'id="{panel_id}"')
    following = [html.find(f'id="{other}"', start + 1) for other in PANEL_IDS]
    ends = [index for index in following if index > start]
    return html[start : min(ends)] if ends else html[start:]


def _oob_panels(html: str) -> set[str]:
    return set(re.findall(r'id="([\w-]+)"[^>]*hx-swap-oob="true"', html))


def _assert_fragment(response: Any, panel_id: str, status: int = HTTPStatus.OK) -> str:
    assert response.status_code == status
    html = response.content.decode()
    assert "<html" not in html and "<body" not in html
    assert response["HX-Retarget"] == f"#{panel_id}"
    assert response["HX-Reswap"] == "outerHTML"
    assert html.lstrip().startswith(("<section", "<header")) and f'id="{panel_id}"' in html
    return html


def _draft(reviewer: Any, summary: str = "It was 30, not 40.") -> Verdict:
    claim = ClaimFactory(status=Claim.Status.IN_REVIEW, assignee=reviewer)
    return services.verdict_save(
        claim=claim, user=reviewer, rating=default_rating("False"), summary=summary
    )


def _submitted(reviewer: Any) -> Verdict:
    return services.verdict_submit(verdict=_draft(reviewer), user=reviewer)


def _published(reviewer: Any, editor: Any) -> Verdict:
    return services.verdict_approve(verdict=_submitted(reviewer), user=editor)


# --- htmx answers with a panel, a plain post with the page ----------------------------------


def test_an_htmx_post_gets_its_panel_with_the_message_and_the_display_panels_out_of_band(
    reviewer: Any,
) -> None:
    claim = ClaimFactory(status=Claim.Status.IN_REVIEW, assignee=reviewer)
    response = _client(reviewer).post(
        f"/claims/{claim.pk}/evidence/",
        {"quote": "The table lists 1,075.", "stance": "contradicts", "note": ""},
        headers=HTMX,
    )
    html = _assert_fragment(response, "evidence-panel")
    panel = _panel(html, "evidence-panel")
    assert "Evidence added." in panel and "The table lists 1,075." in panel
    assert _oob_panels(html) == {"claim-header", "approval", "timeline", "assignment"}
    assert 'id="comments"' not in html and 'id="verdict"' not in html  # typed text stays
    assert Evidence.objects.get().quote == "The table lists 1,075."
    assert not list(get_messages(response.wsgi_request))  # said in the panel, not queued


def test_a_plain_post_still_redirects_with_a_message(reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.IN_REVIEW, assignee=reviewer)
    response = _client(reviewer).post(f"/claims/{claim.pk}/comments/", {"body": "Checking."})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/claims/{claim.pk}/"
    assert _messages(response, messages.SUCCESS) == ["Comment added."]


def test_a_refused_htmx_post_gets_its_panel_with_what_was_typed_and_400(reviewer: Any) -> None:
    owner = UserFactory(username="owner", role="Reviewer")
    claim = ClaimFactory(status=Claim.Status.IN_REVIEW, assignee=owner)
    response = _client(reviewer).post(
        f"/claims/{claim.pk}/evidence/",
        {"quote": "My <quote>.", "stance": "supports", "note": ""},
        headers=HTMX,
    )
    html = _assert_fragment(response, "evidence-panel", HTTPStatus.BAD_REQUEST)
    assert "assigned to" in html
    assert "My &lt;quote&gt;.</textarea>" in html
    assert not Evidence.objects.exists()


def test_a_stale_htmx_verdict_save_gets_409_with_the_stored_version_beside_the_typed_one(
    reviewer: Any,
) -> None:
    verdict = _draft(reviewer, summary="Stored first.")
    seen = verdict.version
    services.verdict_save(
        claim=verdict.claim,
        user=reviewer,
        rating=default_rating("True"),
        summary="Stored elsewhere.",
        expected_version=seen,
    )
    response = _client(reviewer).post(
        f"/claims/{verdict.claim_id}/verdict/",
        {"rating": default_rating("False").pk, "summary": "Mine.", "version": seen},
        headers=HTMX,
    )
    html = _assert_fragment(response, "verdict", HTTPStatus.CONFLICT)
    assert 'id="verdict-conflict"' in html and "Stored elsewhere." in html
    assert 'value="Mine."' in html


def test_an_assignment_saved_by_htmx_updates_the_header_out_of_band(
    editor: Any, reviewer: Any
) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    response = _client(editor).post(
        f"/claims/{claim.pk}/assignment/",
        {"assignee": reviewer.pk, "priority": Claim.Priority.HIGH, "version": claim.version},
        headers=HTMX,
    )
    html = _assert_fragment(response, "assignment")
    assert "Assignment saved." in _panel(html, "assignment")
    assert {"claim-header", "evidence-panel", "verdict"} <= _oob_panels(html)
    assert "assigned to" in _panel(html, "claim-header")
    claim.refresh_from_db()
    assert claim.assignee == reviewer and claim.status == Claim.Status.IN_REVIEW


def test_an_htmx_submission_reports_in_the_verdict_panel(reviewer: Any) -> None:
    verdict = _draft(reviewer)
    response = _client(reviewer).post(
        f"/verdicts/{verdict.pk}/submit/", {"version": verdict.version}, headers=HTMX
    )
    html = _assert_fragment(response, "verdict")
    assert "Sent for approval." in _panel(html, "verdict")
    assert "Awaiting approval" in _panel(html, "claim-header")


def test_a_stale_htmx_submission_is_refused_with_409(reviewer: Any) -> None:
    verdict = _draft(reviewer)
    Verdict.objects.filter(pk=verdict.pk).update(version=verdict.version + 1)
    response = _client(reviewer).post(
        f"/verdicts/{verdict.pk}/submit/", {"version": verdict.version}, headers=HTMX
    )
    html = _assert_fragment(response, "verdict", HTTPStatus.CONFLICT)
    assert "changed after you read it" in html
    verdict.refresh_from_db()
    assert verdict.submitted_at is None


def test_an_htmx_approval_closes_the_card_and_reports_in_the_verdict_panel(
    editor: Any, reviewer: Any
) -> None:
    verdict = _submitted(reviewer)
    response = _client(editor).post(
        f"/verdicts/{verdict.pk}/approve/", {"version": verdict.version}, headers=HTMX
    )
    html = _assert_fragment(response, "verdict")
    assert "Approved and published." in _panel(html, "verdict")
    assert re.search(r'id="approval" hidden hx-swap-oob="true"', html)
    assert "Published" in _panel(html, "claim-header")
    verdict.refresh_from_db()
    assert verdict.is_published


# --- Comments ---------------------------------------------------------------------------------


def test_a_comment_is_added_to_the_thread_with_who_and_when(editor: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.IN_REVIEW)
    response = _client(editor).post(
        f"/claims/{claim.pk}/comments/", {"body": "Ask the <council>."}, headers=HTMX
    )
    html = _assert_fragment(response, "comments")
    assert "Comment added." in html
    assert "Ask the &lt;council&gt;." in html and "<council>" not in html
    assert editor.get_full_name() in html and "<time" in html
    assert '<textarea name="body"' in html and "</textarea>" in html
    assert "Ask the &lt;council&gt;.</textarea>" not in html  # the form is empty again
    comment = Comment.objects.get()
    assert (comment.claim, comment.author, comment.kind) == (claim, editor, "comment")


def test_an_empty_comment_is_refused_in_the_panel(reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.IN_REVIEW)
    for headers in (HTMX, {}):
        response = _client(reviewer).post(
            f"/claims/{claim.pk}/comments/", {"body": "   "}, headers=headers
        )
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert "Write the comment first." in _panel(response.content.decode(), "comments")
    assert not Comment.objects.exists()


def test_an_account_without_the_comment_permission_may_not_comment() -> None:
    claim = ClaimFactory(status=Claim.Status.IN_REVIEW)
    for user in (UserFactory(username="cms"), None):
        client = _client(user) if user else Client()
        response = client.post(f"/claims/{claim.pk}/comments/", {"body": "Hi."}, headers=HTMX)
        assert response.status_code in {HTTPStatus.FORBIDDEN, HTTPStatus.FOUND}
        assert response.status_code == HTTPStatus.FORBIDDEN or "/login/" in response["Location"]
    assert not Comment.objects.exists()


def test_the_thread_lists_comments_oldest_first_with_return_notes_marked(
    editor: Any, reviewer: Any
) -> None:
    verdict = _submitted(reviewer)
    services.comment_add(claim=verdict.claim, user=reviewer, body="First, from me.")
    services.verdict_return(
        verdict=verdict, user=editor, note="Cite the report.", expected_version=verdict.version
    )
    services.comment_add(claim=verdict.claim, user=reviewer, body="Will do.")
    html = _client(reviewer).get(f"/claims/{verdict.claim_id}/").content.decode()
    thread = _panel(html, "comments")
    assert thread.index("First, from me.") < thread.index("Cite the report.")
    assert thread.index("Cite the report.") < thread.index("Will do.")
    assert thread.count("Sent back") == 1
    returned = thread[thread.index("Sent back") - 400 : thread.index("Sent back")]
    assert "kind-return" in returned


# --- Return with a comment --------------------------------------------------------------------


def test_a_return_adds_the_note_to_the_thread_and_on_top_of_the_authors_verdict(
    editor: Any, reviewer: Any
) -> None:
    verdict = _submitted(reviewer)
    response = _client(editor).post(
        f"/verdicts/{verdict.pk}/return/",
        {"version": verdict.version, "note": "Cite the council report."},
        headers=HTMX,
    )
    html = _assert_fragment(response, "verdict")
    assert "Sent back to the author." in _panel(html, "verdict")
    assert "comments" in _oob_panels(html)
    assert "Cite the council report." in _panel(html, "comments")
    comment = Comment.objects.get()
    assert (comment.kind, comment.author, comment.body) == (
        Comment.Kind.RETURN,
        editor,
        "Cite the council report.",
    )

    page = _client(reviewer).get(f"/claims/{verdict.claim_id}/").content.decode()
    panel = _panel(page, "verdict")
    assert panel.index("Sent back: Cite the council report.") < panel.index('id="verdict-current"')
    assert editor.get_full_name() in panel[: panel.index('id="verdict-current"')]


def test_a_resubmitted_draft_no_longer_shows_the_return_note(editor: Any, reviewer: Any) -> None:
    verdict = _submitted(reviewer)
    services.verdict_return(verdict=verdict, user=editor, note="Cite it.")
    services.verdict_submit(verdict=verdict, user=reviewer)
    page = _client(reviewer).get(f"/claims/{verdict.claim_id}/").content.decode()
    assert "Sent back: Cite it." not in page
    assert "Cite it." in _panel(page, "comments")  # the thread keeps it


# --- The verdict panel and the approval card ---------------------------------------------------


def test_the_rating_select_shows_what_each_label_means(reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.IN_REVIEW, assignee=reviewer)
    html = _client(reviewer).get(f"/claims/{claim.pk}/").content.decode()
    rating = default_rating("Mostly false")
    assert rating.description
    assert f'<option value="{rating.pk}" title="{rating.description}">' in html
    assert 'aria-describedby="rating-descriptions"' in html
    descriptions = html[html.index('id="rating-descriptions"') :]
    assert "<dt>Mostly false</dt>" in descriptions and rating.description in descriptions


def test_the_approval_card_shows_the_evidence_beside_the_verdict(
    editor: Any, reviewer: Any
) -> None:
    verdict = _submitted(reviewer)
    source = SourceFactory(fetch_status=Source.FetchStatus.FETCHED, title="Budget")
    EvidenceFactory(claim=verdict.claim, source=source, url=source.url, stance="contradicts")
    EvidenceFactory(claim=verdict.claim, quote="Page 4 says 30.", stance="supports")
    card = _panel(_client(editor).get(f"/claims/{verdict.claim_id}/").content.decode(), "approval")
    assert "It was 30, not 40." in card and "False" in card
    assert "2 items, 1 with an archived source." in card
    assert source.url in card and "archived copy: Budget" in card
    assert "Contradicts the claim" in card and "Supports the claim" in card
    assert "Page 4 says 30." in card
    assert 'id="approve-form"' in card and "disabled" not in card


def test_the_gate_tells_the_editor_why_approval_is_refused(
    editor: Any, reviewer: Any, settings: Any
) -> None:
    settings.FACTCHECK_APPROVAL_MIN_ARCHIVED_EVIDENCE = 1
    verdict = _submitted(reviewer)
    source = SourceFactory(url="https://news.example/budget")  # still waiting to be fetched
    EvidenceFactory(claim=verdict.claim, source=source, url=source.url)
    client = _client(editor)
    card = _panel(client.get(f"/claims/{verdict.claim_id}/").content.decode(), "approval")
    assert "Approval is refused for now." in card
    assert "at least 1 evidence item(s) with an archived source" in card
    assert re.search(r"<button[^>]*disabled[^>]*>Approve and publish", card)

    # A post anyway (an old page, a script) is refused with the same reason, in the card.
    posted = {"version": verdict.version}
    response = client.post(f"/verdicts/{verdict.pk}/approve/", posted, headers=HTMX)
    html = _assert_fragment(response, "approval", HTTPStatus.BAD_REQUEST)
    assert 'role="alert">Approval needs at least 1 evidence item(s)' in html
    plain = client.post(f"/verdicts/{verdict.pk}/approve/", posted)
    assert plain.status_code == HTTPStatus.FOUND
    assert any("archived source" in text for text in _messages(plain, messages.ERROR))
    verdict.refresh_from_db()
    assert not verdict.is_published

    # Once the source is archived the gate opens.
    Source.objects.filter(pk=source.pk).update(fetch_status=Source.FetchStatus.FETCHED)
    card = _panel(client.get(f"/claims/{verdict.claim_id}/approval/").content.decode(), "approval")
    assert "Approval is refused" not in card and "disabled" not in card
    assert client.post(f"/verdicts/{verdict.pk}/approve/", posted).status_code == HTTPStatus.FOUND
    verdict.refresh_from_db()
    assert verdict.is_published


def test_the_approval_card_alone_is_served_for_a_refresh(editor: Any, reviewer: Any) -> None:
    verdict = _submitted(reviewer)
    response = _client(editor).get(f"/claims/{verdict.claim_id}/approval/", headers=HTMX)
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "<html" not in html and html.count('id="approval"') == 1
    assert 'hx-trigger="source-settled from:body"' in html
    draft = _draft(reviewer)
    html = _client(editor).get(f"/claims/{draft.claim_id}/approval/").content.decode()
    assert '<section class="card approval" id="approval" hidden>' in html


def test_a_waiting_source_polls_its_status_and_says_when_it_settles(reviewer: Any) -> None:
    source = SourceFactory()
    client = _client(reviewer)
    waiting = client.get(f"/sources/{source.pk}/status/", headers=HTMX)
    assert 'hx-trigger="every 2s"' in waiting.content.decode()
    assert "HX-Trigger" not in waiting
    Source.objects.filter(pk=source.pk).update(
        fetch_status=Source.FetchStatus.FETCHED, title="Budget"
    )
    settled = client.get(f"/sources/{source.pk}/status/", headers=HTMX)
    html = settled.content.decode()
    assert "hx-trigger" not in html and "archived copy: Budget" in html
    assert "source-settled" in json.loads(settled["HX-Trigger"])
    assert client.get(f"/sources/{source.pk}/status/").json()["status"] == "fetched"


def test_a_source_being_retried_says_so_with_the_last_error(reviewer: Any) -> None:
    source = SourceFactory(attempts=1, last_error="Timed out after 10 s.")
    html = _client(reviewer).get(f"/sources/{source.pk}/status/", headers=HTMX).content.decode()
    assert "Retrying" in html and "Timed out after 10 s." in html


# --- Corrections after publication ------------------------------------------------------------


def _correction(verdict: Verdict, **changes: Any) -> dict[str, Any]:
    return {
        "rating": default_rating("Mostly false").pk,
        "summary": "It was 35, not 40.",
        "explanation": "The second table.",
        "note": "We misread the table; the figure is 35.",
        "version": verdict.version,
        **changes,
    }


def test_an_editor_sees_the_correction_form_prefilled_and_a_reviewer_does_not(
    editor: Any, reviewer: Any
) -> None:
    verdict = _published(reviewer, editor)
    html = _client(editor).get(f"/claims/{verdict.claim_id}/").content.decode()
    start = html.rindex("<form", 0, html.index('id="correction-form"'))
    form = html[start : html.index("</form>", start)]
    assert f'action="/verdicts/{verdict.pk}/correction/"' in form
    assert 'value="It was 30, not 40."' in form
    assert re.search(f'<option value="{verdict.rating_id}" selected title="[^"]+">', form)
    assert f'name="version" value="{verdict.version}"' in form
    assert re.search(r'<textarea name="note"[^>]*required', form)
    assert "Issue a correction" in html
    assert (
        'id="correction-form"'
        not in _client(reviewer).get(f"/claims/{verdict.claim_id}/").content.decode()
    )


def test_an_editor_corrects_a_published_verdict(editor: Any, reviewer: Any) -> None:
    verdict = _published(reviewer, editor)
    response = _client(editor).post(
        f"/verdicts/{verdict.pk}/correction/", _correction(verdict), headers=HTMX
    )
    html = _assert_fragment(response, "verdict")
    panel = _panel(html, "verdict")
    assert "Correction published." in panel
    assert "We misread the table; the figure is 35." in panel
    assert "<del>False</del> → <ins>Mostly false</ins>" in panel
    assert "Summary was: “It was 30, not 40.”" in panel
    assert editor.get_full_name() in panel
    verdict.refresh_from_db()
    assert verdict.summary == "It was 35, not 40." and verdict.modified_at is not None
    correction = VerdictCorrection.objects.get()
    assert (correction.previous_summary, correction.corrected_by) == ("It was 30, not 40.", editor)


def test_a_plain_correction_redirects_to_the_workspace(editor: Any, reviewer: Any) -> None:
    verdict = _published(reviewer, editor)
    response = _client(editor).post(f"/verdicts/{verdict.pk}/correction/", _correction(verdict))
    assert response.status_code == HTTPStatus.FOUND
    assert _messages(response, messages.SUCCESS) == ["Correction published."]


def test_a_correction_without_a_note_is_refused_and_keeps_the_text(
    editor: Any, reviewer: Any
) -> None:
    verdict = _published(reviewer, editor)
    response = _client(editor).post(
        f"/verdicts/{verdict.pk}/correction/", _correction(verdict, note="  "), headers=HTMX
    )
    html = _assert_fragment(response, "verdict", HTTPStatus.BAD_REQUEST)
    assert "Say publicly what was corrected and why." in html
    assert (
        'value="It was 35, not 40."' in html and '<details class="correction-editor" open>' in html
    )
    verdict.refresh_from_db()
    assert verdict.summary == "It was 30, not 40." and not VerdictCorrection.objects.exists()


def test_a_correction_on_an_old_version_is_refused_and_keeps_the_text(
    editor: Any, reviewer: Any
) -> None:
    verdict = _published(reviewer, editor)
    seen = verdict.version
    services.verdict_correct(
        verdict=verdict,
        user=editor,
        rating=verdict.rating,
        summary="Corrected elsewhere.",
        explanation="",
        note="Another editor's fix.",
        expected_version=seen,
    )
    response = _client(editor).post(
        f"/verdicts/{verdict.pk}/correction/", _correction(verdict, version=seen), headers=HTMX
    )
    html = _assert_fragment(response, "verdict", HTTPStatus.CONFLICT)
    assert CORRECTION_CHANGED in html
    assert "Corrected elsewhere." in _panel(html, "verdict")  # what it says now
    assert 'value="It was 35, not 40."' in html  # and what this editor typed
    verdict.refresh_from_db()
    assert f'name="version" value="{verdict.version}"' in html
    assert verdict.summary == "Corrected elsewhere." and VerdictCorrection.objects.count() == 1


def test_a_reviewer_may_not_issue_a_correction(editor: Any, reviewer: Any) -> None:
    verdict = _published(reviewer, editor)
    response = _client(reviewer).post(
        f"/verdicts/{verdict.pk}/correction/", _correction(verdict), headers=HTMX
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not VerdictCorrection.objects.exists()


def test_an_unpublished_verdict_cannot_be_corrected(editor: Any, reviewer: Any) -> None:
    verdict = _submitted(reviewer)
    response = _client(editor).post(f"/verdicts/{verdict.pk}/correction/", _correction(verdict))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Only a published, current verdict can be corrected." in response.content.decode()
    assert not VerdictCorrection.objects.exists()


# --- Withdrawn verdicts and reopening ---------------------------------------------------------


def _withdrawn(reviewer: Any, editor: Any) -> Verdict:
    verdict = _published(reviewer, editor)
    services.verdicts_withdraw(verdict_ids=[verdict.pk], user=editor, note="The source retracted.")
    verdict.refresh_from_db()
    return verdict


def test_a_withdrawn_verdict_shows_why_and_an_editor_may_reopen_the_claim(
    editor: Any, reviewer: Any
) -> None:
    verdict = _withdrawn(reviewer, editor)
    html = _client(editor).get(f"/claims/{verdict.claim_id}/").content.decode()
    panel = _panel(html, "verdict")
    assert "The source retracted." in panel and "It was 30, not 40." in panel
    assert 'id="reopen-form"' in panel
    assert (
        'id="reopen-form"'
        not in _client(reviewer).get(f"/claims/{verdict.claim_id}/").content.decode()
    )

    response = _client(editor).post(
        f"/claims/{verdict.claim_id}/reopen/", {"note": "New evidence."}, headers=HTMX
    )
    html = _assert_fragment(response, "verdict")
    assert "Reopened" in _panel(html, "verdict") and 'id="reopen-form"' not in html
    assert "The source retracted." in _panel(html, "verdict")  # the earlier verdict stays shown
    assert "In review" in _panel(html, "claim-header")
    verdict.claim.refresh_from_db()
    assert verdict.claim.status == Claim.Status.IN_REVIEW


def test_a_plain_reopen_redirects_and_a_second_one_is_refused(editor: Any, reviewer: Any) -> None:
    verdict = _withdrawn(reviewer, editor)
    client = _client(editor)
    first = client.post(f"/claims/{verdict.claim_id}/reopen/")
    assert first.status_code == HTTPStatus.FOUND
    assert _messages(first, messages.SUCCESS)
    again = client.post(f"/claims/{verdict.claim_id}/reopen/", headers=HTMX)
    html = _assert_fragment(again, "verdict", HTTPStatus.BAD_REQUEST)
    assert "cannot be reopened" in html


def test_a_reviewer_may_not_reopen_a_claim(editor: Any, reviewer: Any) -> None:
    verdict = _withdrawn(reviewer, editor)
    response = _client(reviewer).post(f"/claims/{verdict.claim_id}/reopen/")
    assert response.status_code == HTTPStatus.FORBIDDEN
    verdict.claim.refresh_from_db()
    assert verdict.claim.status == Claim.Status.WITHDRAWN


def test_an_editor_withdraws_a_published_verdict_with_a_reason(editor: Any, reviewer: Any) -> None:
    verdict = _published(reviewer, editor)
    page = _client(editor).get(f"/claims/{verdict.claim_id}/").content.decode()
    assert 'id="withdraw-form"' in _panel(page, "verdict")
    response = _client(editor).post(
        f"/verdicts/{verdict.pk}/withdrawal/", {"note": "The council retracted it."}, headers=HTMX
    )
    html = _assert_fragment(response, "verdict")
    assert "Withdrawn" in _panel(html, "verdict")
    assert "The council retracted it." in _panel(html, "verdict")
    verdict.refresh_from_db()
    assert not verdict.is_current and verdict.withdrawal_reason == "The council retracted it."
    assert verdict.claim.status == Claim.Status.WITHDRAWN


def test_a_withdrawal_without_a_reason_is_refused_and_changes_nothing(
    editor: Any, reviewer: Any
) -> None:
    verdict = _published(reviewer, editor)
    response = _client(editor).post(f"/verdicts/{verdict.pk}/withdrawal/", {"note": "  "})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Say why the verdict is withdrawn." in response.content.decode()
    verdict.refresh_from_db()
    assert verdict.is_current and verdict.claim.status == Claim.Status.PUBLISHED


def test_a_reviewer_may_not_withdraw_and_an_unpublished_verdict_is_not_withdrawn(
    editor: Any, reviewer: Any
) -> None:
    verdict = _published(reviewer, editor)
    assert (
        _client(reviewer).post(f"/verdicts/{verdict.pk}/withdrawal/", {"note": "x"}).status_code
        == HTTPStatus.FORBIDDEN
    )
    services.verdicts_withdraw(verdict_ids=[verdict.pk], user=editor, note="first")
    again = _client(editor).post(f"/verdicts/{verdict.pk}/withdrawal/", {"note": "x"}, follow=True)
    assert "only a published, current verdict" in again.content.decode()
    verdict.refresh_from_db()
    assert verdict.withdrawal_reason == "first"


def test_an_editor_restores_a_dismissed_claim(editor: Any, reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.DISMISSED)
    page = _client(editor).get(f"/claims/{claim.pk}/").content.decode()
    assert "Restore as a candidate" in page
    response = _client(editor).post(f"/claims/{claim.pk}/restore/")
    assert response.status_code == HTTPStatus.FOUND
    claim.refresh_from_db()
    assert claim.status == Claim.Status.CANDIDATE
    refused = _client(editor).post(f"/claims/{claim.pk}/restore/", follow=True)
    assert "cannot be restored" in refused.content.decode()
    assert _client(reviewer).post(f"/claims/{claim.pk}/restore/").status_code == 403
