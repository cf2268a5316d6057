"""The claim workspace: its panels, and no lost work when a form is refused or a save conflicts."""

import datetime
import re
from html.parser import HTMLParser
from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client

from claims.models import Claim
from reviews import selectors, services
from reviews.forms import RELOAD_TO_DECIDE
from reviews.models import Evidence, Verdict
from reviews.views import BACK_IN_DRAFT
from tests.factories import ClaimFactory, UserFactory, VerdictFactory, default_rating

pytestmark = pytest.mark.django_db

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


class _FormReader(HTMLParser):
    """Reads the values a browser would submit from one form of a page (by its id)."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.values: dict[str, str] = {}
        self.types: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.inside = attr.get("id") == self.form_id
        elif not self.inside:
            return
        elif tag == "input" and "name" in attr:
            self.values[attr["name"]] = attr.get("value", "")
            self.types[attr["name"]] = attr.get("type", "text")
        elif tag == "textarea":
            self._textarea = attr["name"]
            self.values[attr["name"]] = ""
        elif tag == "select":
            self._select = attr["name"]
            self.values.setdefault(attr["name"], "")
        elif tag == "option" and self._select and "selected" in attr:
            self.values[self._select] = attr.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea:
            # As in a browser, a newline right after <textarea> is not part of the value.
            value = self.values[self._textarea]
            self.values[self._textarea] = value[1:] if value.startswith("\n") else value
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self.inside and self._textarea:
            # The HTML parser splits text at entities; a textarea's content is all of it.
            self.values[self._textarea] += data


def _form(response: Any, form_id: str) -> dict[str, str]:
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    assert reader.values, f"no form #{form_id} on the page"
    # A date input drops a value that is not YYYY-MM-DD (HTML's value sanitisation), so the
    # browser would post it empty.
    return {
        name: ("" if reader.types.get(name) == "date" and not ISO_DATE.fullmatch(value) else value)
        for name, value in reader.values.items()
    }


def _draft(reviewer: Any, **fields: Any) -> Verdict:
    claim = ClaimFactory(status=Claim.Status.IN_REVIEW, assignee=reviewer)
    return services.verdict_save(
        claim=claim, user=reviewer, rating=default_rating("False"), **fields
    )


# --- Panels ---------------------------------------------------------------------------------


def test_the_workspace_is_built_from_its_panels(editor: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    response = _client(editor).get(f"/claims/{claim.pk}/")
    assert response.status_code == HTTPStatus.OK
    names = [template.name for template in response.templates]
    for panel in ("header", "evidence", "verdict", "assignment", "timeline"):
        assert f"reviews/claim_{panel}.html" in names
    content = response.content.decode()
    for element in ('id="claim-status"', 'id="evidence"', 'id="verdict"', 'id="assignment"'):
        assert element in content


def test_the_timeline_says_when_there_is_no_history(
    reviewer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    monkeypatch.setattr(selectors, "claim_timeline", lambda claim: [])
    response = _client(reviewer).get(f"/claims/{claim.pk}/")
    assert "No history yet." in response.content.decode()


def test_the_timeline_shows_each_entry_in_the_order_given_and_escaped(
    reviewer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = UserFactory(username="eda", first_name="Eda", last_name="Marsh", role="Editor")
    claim = ClaimFactory(status=Claim.Status.IN_REVIEW)
    when = datetime.datetime(2025, 3, 4, 9, 30, tzinfo=datetime.UTC)
    entries = [
        selectors.TimelineEntry(
            when=when,
            who=editor,
            kind="return",
            summary="Sent back to the author",
            changes=[("Status", "Awaiting approval", "In review")],
            note="Cite the <b>report</b>.",
        ),
        selectors.TimelineEntry(
            when=when - datetime.timedelta(days=1),
            who=None,
            kind="assignment",
            summary="Assigned",
            changes=[("Due", "", "2025-03-10")],
        ),
    ]
    monkeypatch.setattr(selectors, "claim_timeline", lambda claim: entries)
    content = _client(reviewer).get(f"/claims/{claim.pk}/").content.decode()
    timeline = content[content.index('id="timeline"') :]
    assert "No history yet." not in timeline
    assert timeline.index("Sent back to the author") < timeline.index("Assigned")
    assert "Awaiting approval" in timeline and "In review" in timeline
    assert "Cite the &lt;b&gt;report&lt;/b&gt;." in timeline
    assert "<b>report</b>" not in timeline
    assert "Eda Marsh" in timeline
    assert "The system" in timeline
    assert 'datetime="2025-03-04T09:30:00+00:00"' in timeline


# --- The assignment keeps its due date ------------------------------------------------------


def test_the_assignment_form_shows_the_stored_due_date_as_an_iso_date(editor: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED, due_on=datetime.date(2025, 3, 4))
    response = _client(editor).get(f"/claims/{claim.pk}/")
    assert _form(response, "assign-form")["due_on"] == "2025-03-04"


def test_re_saving_the_assignment_with_only_a_new_priority_keeps_the_due_date(
    editor: Any,
) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED, due_on=datetime.date(2025, 3, 4))
    client = _client(editor)
    posted = _form(client.get(f"/claims/{claim.pk}/"), "assign-form")
    posted["priority"] = str(Claim.Priority.URGENT)
    response = client.post(f"/claims/{claim.pk}/assignment/", posted)
    assert response.status_code == HTTPStatus.FOUND
    claim.refresh_from_db()
    assert claim.priority == Claim.Priority.URGENT
    assert claim.due_on == datetime.date(2025, 3, 4)


def test_a_refused_assignment_keeps_what_the_editor_chose(editor: Any, reviewer: Any) -> None:
    verdict = _draft(reviewer, summary="Reviewer's draft.")
    claim = verdict.claim
    other = UserFactory(username="other-reviewer", role="Reviewer")
    client = _client(editor)
    posted = _form(client.get(f"/claims/{claim.pk}/"), "assign-form")
    posted.update(assignee=str(other.pk), priority=str(Claim.Priority.HIGH), due_on="2025-05-06")
    response = client.post(f"/claims/{claim.pk}/assignment/", posted)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    kept = _form(response, "assign-form")
    assert kept["assignee"] == str(other.pk)
    assert kept["priority"] == str(Claim.Priority.HIGH)
    assert kept["due_on"] == "2025-05-06"
    assert "has a draft verdict" in response.content.decode()
    claim.refresh_from_db()
    assert claim.assignee == reviewer and claim.due_on is None


def test_an_assignment_without_a_version_is_refused(editor: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    response = _client(editor).post(
        f"/claims/{claim.pk}/assignment/", {"priority": str(Claim.Priority.URGENT)}
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "did not say which version" in response.content.decode()
    claim.refresh_from_db()
    assert claim.priority == Claim.Priority.NORMAL


# --- Refused evidence keeps the text ----------------------------------------------------------


def test_refused_evidence_keeps_the_quote_note_and_stance(reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.IN_REVIEW, assignee=reviewer)
    response = _client(reviewer).post(
        f"/claims/{claim.pk}/evidence/",
        {
            "url": "http://user:secret@x.example/report",
            "quote": "The table lists 1,075 payments.",
            "stance": "contradicts",
            "note": "Page 4 of the council report.",
        },
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    kept = _form(response, "evidence-form")
    assert kept["quote"] == "The table lists 1,075 payments."
    assert kept["note"] == "Page 4 of the council report."
    assert kept["stance"] == "contradicts"
    # The reason is inside the evidence form, not a flash message elsewhere.
    form_html = response.content.decode().split('id="evidence-form"')[1].split("</form>")[0]
    assert "errorlist" in form_html
    assert not Evidence.objects.exists()


def test_evidence_refused_by_the_service_keeps_the_text(reviewer: Any) -> None:
    owner = UserFactory(username="owner", role="Reviewer")
    claim = ClaimFactory(status=Claim.Status.IN_REVIEW, assignee=owner)
    response = _client(reviewer).post(
        f"/claims/{claim.pk}/evidence/", {"quote": "My quote.", "stance": "supports", "note": ""}
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "assigned to" in response.content.decode()
    assert _form(response, "evidence-form")["quote"] == "My quote."
    assert not Evidence.objects.exists()


# --- Verdicts: conflicts, versions, back to draft ---------------------------------------------


def test_a_stale_verdict_save_shows_the_stored_version_beside_the_unsaved_text(
    reviewer: Any,
) -> None:
    verdict = _draft(reviewer, summary="First draft.", explanation="First reasoning.")
    seen = verdict.version
    client = _client(reviewer)
    page = _form(client.get(f"/claims/{verdict.claim_id}/"), "verdict-form")
    assert page["version"] == str(seen)
    services.verdict_save(  # meanwhile, saved from another page
        claim=verdict.claim,
        user=reviewer,
        rating=default_rating("Mostly false"),
        summary="Stored elsewhere.",
        explanation="Stored reasoning.",
        expected_version=seen,
    )
    page.update(summary="Mine, unsaved.", explanation="My own reasoning.")
    response = client.post(f"/claims/{verdict.claim_id}/verdict/", page)

    assert response.status_code == HTTPStatus.CONFLICT
    content = response.content.decode()
    stored = content[content.index('id="verdict-stored"') : content.index('id="verdict-form"')]
    assert "Stored elsewhere." in stored and "Stored reasoning." in stored
    assert "Mostly false" in stored
    assert "Someone saved this verdict" in content
    assert "Save my version instead" in content
    assert "Submit for approval" not in content  # not the stored draft, unread, by accident
    kept = _form(response, "verdict-form")
    assert kept["summary"] == "Mine, unsaved."
    assert kept["explanation"] == "My own reasoning."
    verdict.refresh_from_db()
    assert verdict.summary == "Stored elsewhere."
    assert kept["version"] == str(verdict.version) != str(seen)

    # Having seen both, saving again is deliberate and wins.
    again = client.post(f"/claims/{verdict.claim_id}/verdict/", kept)
    assert again.status_code == HTTPStatus.FOUND
    verdict.refresh_from_db()
    assert verdict.summary == "Mine, unsaved."


def test_a_first_draft_from_a_second_page_conflicts_instead_of_overwriting(
    reviewer: Any,
) -> None:
    claim = ClaimFactory(status=Claim.Status.IN_REVIEW, assignee=reviewer)
    client = _client(reviewer)
    first = _form(client.get(f"/claims/{claim.pk}/"), "verdict-form")
    second = dict(first)
    assert first["version"] == "0"
    first.update(rating=str(default_rating("False").pk), summary="From page one.")
    assert client.post(f"/claims/{claim.pk}/verdict/", first).status_code == HTTPStatus.FOUND
    second.update(rating=str(default_rating("True").pk), summary="From page two.")
    response = client.post(f"/claims/{claim.pk}/verdict/", second)
    assert response.status_code == HTTPStatus.CONFLICT
    assert _form(response, "verdict-form")["summary"] == "From page two."
    assert Verdict.objects.get(claim=claim).summary == "From page one."


@pytest.mark.parametrize("has_draft", [True, False])
def test_a_verdict_post_without_a_version_is_refused_and_saves_nothing(
    reviewer: Any, has_draft: bool
) -> None:
    if has_draft:
        claim = _draft(reviewer, summary="Stored.").claim
    else:
        claim = ClaimFactory(status=Claim.Status.IN_REVIEW, assignee=reviewer)
    response = _client(reviewer).post(
        f"/claims/{claim.pk}/verdict/",
        {"rating": default_rating("True").pk, "summary": "Over the top.", "explanation": ""},
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "did not say which version" in response.content.decode()
    assert _form(response, "verdict-form")["summary"] == "Over the top."
    summaries = list(Verdict.objects.filter(claim=claim).values_list("summary", flat=True))
    assert summaries == (["Stored."] if has_draft else [])


def test_editing_a_submitted_verdict_says_it_goes_back_to_draft(reviewer: Any) -> None:
    verdict = services.verdict_submit(verdict=_draft(reviewer, summary="Sent."), user=reviewer)
    client = _client(reviewer)
    page = client.get(f"/claims/{verdict.claim_id}/")
    assert "Save and return to draft" in page.content.decode()
    posted = _form(page, "verdict-form")
    posted["summary"] = "Sent, then changed."
    response = client.post(f"/claims/{verdict.claim_id}/verdict/", posted, follow=True)
    assert BACK_IN_DRAFT in [str(message) for message in response.context["messages"]]
    verdict.refresh_from_db()
    assert verdict.summary == "Sent, then changed." and verdict.submitted_at is None
    assert verdict.claim.status == Claim.Status.IN_REVIEW
    assert "Save and return to draft" not in response.content.decode()


def test_approving_without_the_version_read_is_refused_with_a_reload_message(
    editor: Any, reviewer: Any
) -> None:
    verdict = services.verdict_submit(verdict=_draft(reviewer, summary="Sent."), user=reviewer)
    response = _client(editor).post(f"/verdicts/{verdict.pk}/approve/", follow=True)
    assert RELOAD_TO_DECIDE in [str(message) for message in response.context["messages"]]
    verdict.refresh_from_db()
    assert verdict.published_at is None


def test_a_return_without_a_version_keeps_the_note(editor: Any, reviewer: Any) -> None:
    verdict = services.verdict_submit(verdict=_draft(reviewer, summary="Sent."), user=reviewer)
    response = _client(editor).post(
        f"/verdicts/{verdict.pk}/return/", {"note": "Cite the council report."}
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert _form(response, "return-form")["note"] == "Cite the council report."
    assert RELOAD_TO_DECIDE in response.content.decode()
    verdict.refresh_from_db()
    assert verdict.submitted_at is not None and verdict.return_note == ""


def test_a_stale_return_keeps_the_note_and_sends_nothing(editor: Any, reviewer: Any) -> None:
    verdict = services.verdict_submit(verdict=_draft(reviewer, summary="Sent."), user=reviewer)
    client = _client(editor)
    posted = _form(client.get(f"/claims/{verdict.claim_id}/"), "return-form")
    Verdict.objects.filter(pk=verdict.pk).update(version=verdict.version + 1)  # changed meanwhile
    posted["note"] = "Cite the council report."
    response = client.post(f"/verdicts/{verdict.pk}/return/", posted)
    assert response.status_code == HTTPStatus.CONFLICT
    kept = _form(response, "return-form")
    assert kept["note"] == "Cite the council report."
    assert kept["version"] == str(verdict.version + 1)
    verdict.refresh_from_db()
    assert verdict.submitted_at is not None and verdict.return_note == ""


def test_a_published_verdict_shows_no_forms(reviewer: Any, editor: Any) -> None:
    verdict = VerdictFactory(author=reviewer)
    when = verdict.created_at
    Verdict.objects.filter(pk=verdict.pk).update(
        submitted_at=when, approved_by=editor, approved_at=when, published_at=when
    )
    Claim.objects.filter(pk=verdict.claim_id).update(status=Claim.Status.PUBLISHED)
    for user in (reviewer, editor):
        content = _client(user).get(f"/claims/{verdict.claim_id}/").content.decode()
        assert "The figure is wrong." in content
        for form_id in ("verdict-form", "return-form", "approve-form", "assign-form"):
            assert f'id="{form_id}"' not in content


# --- Posts that work redirect back to the workspace -------------------------------------------


def test_evidence_that_is_accepted_redirects_to_the_workspace(reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.IN_REVIEW, assignee=reviewer)
    response = _client(reviewer).post(
        f"/claims/{claim.pk}/evidence/",
        {"quote": "The table lists 1,075.", "stance": "contradicts", "note": ""},
        follow=True,
    )
    assert response.redirect_chain == [(f"/claims/{claim.pk}/", HTTPStatus.FOUND)]
    assert "The table lists 1,075." in response.content.decode()
    assert Evidence.objects.get().stance == "contradicts"


def test_a_draft_is_submitted_approved_and_published_from_the_workspace(
    editor: Any, reviewer: Any
) -> None:
    verdict = _draft(reviewer, summary="Too high.")
    response = _client(reviewer).post(
        f"/verdicts/{verdict.pk}/submit/", {"version": verdict.version}
    )
    assert response.status_code == HTTPStatus.FOUND
    verdict.refresh_from_db()
    assert verdict.submitted_at is not None
    approve = _form(_client(editor).get(f"/claims/{verdict.claim_id}/"), "approve-form")
    assert approve["version"] == str(verdict.version)
    response = _client(editor).post(f"/verdicts/{verdict.pk}/approve/", approve)
    assert response.status_code == HTTPStatus.FOUND
    verdict.refresh_from_db()
    assert verdict.published_at is not None and verdict.approved_by == editor


def test_approving_a_draft_that_changed_since_it_was_read_is_refused(
    editor: Any, reviewer: Any
) -> None:
    verdict = services.verdict_submit(verdict=_draft(reviewer, summary="Sent."), user=reviewer)
    client = _client(editor)
    approve = _form(client.get(f"/claims/{verdict.claim_id}/"), "approve-form")
    Verdict.objects.filter(pk=verdict.pk).update(version=verdict.version + 1)  # changed meanwhile
    response = client.post(f"/verdicts/{verdict.pk}/approve/", approve, follow=True)
    assert any("changed after you read it" in str(m) for m in response.context["messages"])
    verdict.refresh_from_db()
    assert verdict.published_at is None


def test_a_draft_sent_back_with_a_note_reaches_its_author(editor: Any, reviewer: Any) -> None:
    verdict = services.verdict_submit(verdict=_draft(reviewer, summary="Sent."), user=reviewer)
    client = _client(editor)
    posted = _form(client.get(f"/claims/{verdict.claim_id}/"), "return-form")
    posted["note"] = "Cite the council report."
    response = client.post(f"/verdicts/{verdict.pk}/return/", posted)
    assert response.status_code == HTTPStatus.FOUND
    verdict.refresh_from_db()
    assert verdict.submitted_at is None and verdict.return_note == "Cite the council report."
    page = _client(reviewer).get(f"/claims/{verdict.claim_id}/").content.decode()
    assert "Sent back: Cite the council report." in page
    timeline = page[page.index('id="timeline"') :]
    assert "Sent back to the author" in timeline and "Cite the council report." in timeline


def test_submitting_a_draft_that_changed_since_it_was_read_is_refused(reviewer: Any) -> None:
    verdict = _draft(reviewer, summary="Too high.")
    seen = verdict.version
    Verdict.objects.filter(pk=verdict.pk).update(version=seen + 1)
    response = _client(reviewer).post(
        f"/verdicts/{verdict.pk}/submit/", {"version": seen}, follow=True
    )
    assert "changed after you read it" in response.content.decode()
    verdict.refresh_from_db()
    assert verdict.submitted_at is None


def test_submitting_without_the_version_read_is_refused(reviewer: Any) -> None:
    verdict = _draft(reviewer, summary="Too high.")
    _client(reviewer).post(f"/verdicts/{verdict.pk}/submit/")
    verdict.refresh_from_db()
    assert verdict.submitted_at is None
