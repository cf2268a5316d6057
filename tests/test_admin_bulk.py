"""Admin at newsroom scale: filters, search, set-based bulk actions with their refusals and
permissions, list edits through the services, and query counts that do not grow with the rows."""

from __future__ import annotations

import datetime
from http import HTTPStatus
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.admin import ClaimAdmin
from claims.models import Article, Claim
from reviews import services
from reviews.models import Source, Verdict
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    EvidenceFactory,
    SourceFactory,
    UserFactory,
    VerdictFactory,
)

pytestmark = pytest.mark.django_db

CLAIMS = "/admin/claims/claim/"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client_(admin_user: Any) -> Client:
    return _client(admin_user)


@pytest.fixture
def staff_editor(editor: Any) -> Any:
    editor.is_staff = True
    editor.save()
    return editor


def _post_action(
    client: Client, action: str, pks: list[int], url: str = CLAIMS, **data: Any
) -> Any:
    return client.post(url, {"action": action, "index": "0", "_selected_action": pks, **data})


def _post_across(client: Client, action: str, query: str, **data: Any) -> Any:
    """An action on every row matching the list's filters ("select all", across pages)."""
    return client.post(
        f"{CLAIMS}?{query}",
        {"action": action, "index": "0", "select_across": "1", "_selected_action": "0", **data},
    )


def _messages(client: Client, response: Any) -> str:
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[-2000:]
    return client.get(response["Location"]).content.decode()


# --- Filters and search -----------------------------------------------------------------------

FILTERS = [
    "status__exact=candidate",
    "article=1",
    "assignee=none",
    "priority__exact=4",
    "flags=yes",
    "flags=no",
    "due_on__gte=2026-01-01&due_on__lt=2027-01-01",
    "created_at__gte=2026-01-01+00:00:00%2B00:00",
    "updated_at__gte=2026-01-01+00:00:00%2B00:00",
    "rating=1",
    "evidence=yes",
    "evidence=no",
    "search_in=text&q=council",
]


@pytest.mark.parametrize("query", FILTERS)
def test_each_claim_filter_loads(admin_client_: Client, query: str) -> None:
    ClaimFactory()
    assert admin_client_.get(f"{CLAIMS}?{query}").status_code == HTTPStatus.OK


def test_the_filters_choose_the_right_claims(admin_client_: Client, reviewer: Any) -> None:
    with_evidence = EvidenceFactory().claim
    plain = ClaimFactory()
    Claim.objects.filter(pk=plain.pk).update(assignee=reviewer, status=Claim.Status.IN_REVIEW)
    flagged = ClaimFactory()
    Article.objects.filter(pk=flagged.article_id).update(consistency_flags=[{"kind": "total"}])

    def listed(query: str) -> set[int]:
        response = admin_client_.get(f"{CLAIMS}?{query}")
        return {claim.pk for claim in response.context["cl"].result_list}

    assert listed("evidence=yes") == {with_evidence.pk}
    assert listed(f"assignee={reviewer.pk}") == {plain.pk}
    assert listed("flags=yes") == {flagged.pk}
    assert listed(f"article={plain.article_id}") == {plain.pk}


def test_search_looks_in_titles_and_ids_and_in_claim_text_only_when_asked(
    admin_client_: Client,
) -> None:
    claim = ClaimFactory(text="Ferries carried 9,876 people.", article__title="Harbour report")
    other = ClaimFactory()

    def found(query: str) -> set[int]:
        response = admin_client_.get(f"{CLAIMS}?{query}")
        return {row.pk for row in response.context["cl"].result_list}

    assert found("q=harbour") == {claim.pk}
    assert found(f"q={other.pk}") >= {other.pk}
    assert found("q=ferries") == set()  # no scan of the claim text by default
    assert found("q=ferries&search_in=text") == {claim.pk}


def test_the_claim_search_never_scans_the_claim_text_by_default(admin_client_: Client) -> None:
    ClaimFactory(article__title="Budget report")
    with CaptureQueriesContext(connection) as queries:
        response = admin_client_.get(f"{CLAIMS}?q=budget")
    assert len(response.context["cl"].result_list) == 1
    claim_queries = [q["sql"] for q in queries if 'FROM "claims_claim"' in q["sql"]]
    assert claim_queries
    assert all('"claims_claim"."text" LIKE' not in sql for sql in claim_queries)


def test_the_evidence_change_page_and_autocomplete_load(admin_client_: Client) -> None:
    evidence = EvidenceFactory()
    url = reverse("admin:reviews_evidence_change", args=[evidence.pk])
    assert admin_client_.get(url).status_code == HTTPStatus.OK
    response = admin_client_.get(
        "/admin/autocomplete/",
        {
            "term": "council",
            "app_label": "reviews",
            "model_name": "evidence",
            "field_name": "claim",
        },
    )
    assert response.status_code == HTTPStatus.OK


def test_the_claim_change_page_shows_evidence_and_verdict_inlines(admin_client_: Client) -> None:
    verdict = VerdictFactory()
    EvidenceFactory(claim=verdict.claim, url="https://stats.example/table")
    page = admin_client_.get(reverse("admin:claims_claim_change", args=[verdict.claim.pk]))
    assert "https://stats.example/table" in page.content.decode()
    assert verdict.summary in page.content.decode()


# --- Query counts --------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == HTTPStatus.OK
    return len(queries)


def test_the_claim_list_costs_the_same_queries_at_few_and_many_rows(
    admin_client_: Client, reviewer: Any
) -> None:
    ClaimFactory(assignee=reviewer)
    few = _queries(admin_client_, CLAIMS)
    for claim in ClaimFactory.create_batch(30):
        Claim.objects.filter(pk=claim.pk).update(assignee=UserFactory(role="Reviewer"))
    assert _queries(admin_client_, CLAIMS) == few


@pytest.mark.parametrize("model", ["reviews/evidence", "reviews/verdict", "reviews/source"])
def test_other_lists_cost_the_same_queries_at_few_and_many_rows(
    admin_client_: Client, model: str
) -> None:
    factory = {
        "reviews/evidence": EvidenceFactory,
        "reviews/verdict": VerdictFactory,
        "reviews/source": SourceFactory,
    }[model]
    factory()
    few = _queries(admin_client_, f"/admin/{model}/")
    factory.create_batch(10)
    assert _queries(admin_client_, f"/admin/{model}/") == few


def test_a_bulk_action_costs_the_same_queries_for_3_or_30_claims(admin_client_: Client) -> None:
    def cost(n: int) -> int:
        pks = [claim.pk for claim in ClaimFactory.create_batch(n)]
        with CaptureQueriesContext(connection) as queries:
            _post_action(admin_client_, "select_claims", pks)
        assert Claim.objects.filter(pk__in=pks, status=Claim.Status.SELECTED).count() == n
        return len(queries)

    assert cost(3) == cost(30)


def test_a_big_table_is_never_counted_whole_for_the_list(admin_client_: Client) -> None:
    assert ClaimAdmin.show_full_result_count is False
    ClaimFactory()
    with CaptureQueriesContext(connection) as queries:
        admin_client_.get(CLAIMS)
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert all("claims_claim" in sql for sql in counts), counts
    assert len(counts) <= 1  # the page count only (an estimate on PostgreSQL), no full count


# --- Permissions ----------------------------------------------------------------------------


def test_reviewers_get_no_bulk_actions(reviewer: Any) -> None:
    reviewer.is_staff = True
    reviewer.save()
    client = _client(reviewer)
    page = client.get(CLAIMS)
    assert page.status_code == HTTPStatus.OK
    assert 'name="action"' not in page.content.decode()
    claim = ClaimFactory()
    _post_action(client, "select_claims", [claim.pk])
    claim.refresh_from_db()
    assert claim.status == Claim.Status.CANDIDATE


def test_editors_get_bulk_actions(staff_editor: Any) -> None:
    client = _client(staff_editor)
    page = client.get(CLAIMS).content.decode()
    assert 'value="assign_claims"' in page and 'value="export_admin_action"' in page
    claim = ClaimFactory()
    _post_action(client, "select_claims", [claim.pk])
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SELECTED


def test_an_editor_cannot_publish_without_the_approver_permission(
    staff_editor: Any, reviewer: Any
) -> None:
    Group.objects.get(name="Editor").permissions.remove(
        *Group.objects.get(name="Editor").permissions.filter(codename="approve_verdict")
    )
    verdict = VerdictFactory(author=reviewer, claim__status=Claim.Status.IN_REVIEW)
    services.verdict_submit(verdict=verdict, user=reviewer)
    client = _client(staff_editor)
    page = _messages(client, _post_action(client, "publish_approved", [verdict.claim_id]))
    assert "0 verdict(s) approved" in page
    assert "You need the permission &#x27;reviews.approve_verdict&#x27;" in page
    verdict.refresh_from_db()
    assert verdict.published_at is None


# --- Actions -----------------------------------------------------------------------------


def test_select_all_across_pages_moves_every_matching_claim(admin_client_: Client) -> None:
    candidates = ClaimFactory.create_batch(4)
    published = ClaimFactory(status=Claim.Status.PUBLISHED)
    page = _messages(
        admin_client_, _post_across(admin_client_, "select_claims", "status__exact=candidate")
    )
    assert "4 claim(s) updated." in page
    assert Claim.objects.filter(status=Claim.Status.SELECTED).count() == len(candidates)
    published.refresh_from_db()
    assert published.status == Claim.Status.PUBLISHED


def test_assign_shows_a_form_to_pick_the_reviewer(admin_client_: Client, reviewer: Any) -> None:
    claim = ClaimFactory()
    response = _post_action(admin_client_, "assign_claims", [claim.pk])
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "1 claims chosen" in page and f'value="{reviewer.pk}"' in page
    claim.refresh_from_db()
    assert claim.assignee is None


def test_assign_hands_claims_to_the_reviewer_with_history_and_reports_refusals(
    admin_client_: Client, reviewer: Any, admin_user: Any
) -> None:
    open_claims = ClaimFactory.create_batch(2, status=Claim.Status.SELECTED)
    published = ClaimFactory(status=Claim.Status.PUBLISHED)
    drafted = VerdictFactory().claim  # another reviewer's draft
    pks = [c.pk for c in [*open_claims, published, drafted]]
    response = _post_action(
        admin_client_, "assign_claims", pks, apply="Apply", assignee=reviewer.pk
    )
    page = _messages(admin_client_, response)
    assert "2 claim(s) updated." in page
    assert "1 published" in page and "1 with another reviewer&#x27;s draft verdict" in page
    for claim in open_claims:
        claim.refresh_from_db()
        assert claim.assignee == reviewer and claim.status == Claim.Status.IN_REVIEW
        record = claim.history.latest()
        assert record.history_user == admin_user and "assigned to" in record.history_change_reason
    drafted.refresh_from_db()
    assert drafted.assignee != reviewer


def test_assign_refuses_someone_who_is_not_a_reviewer(admin_client_: Client) -> None:
    claim = ClaimFactory()
    outsider = UserFactory()
    response = _post_action(
        admin_client_, "assign_claims", [claim.pk], apply="Apply", assignee=outsider.pk
    )
    assert response.status_code == HTTPStatus.OK  # the form again, with its error
    assert "Select a valid choice" in response.content.decode()
    claim.refresh_from_db()
    assert claim.assignee is None


def test_assign_with_select_all_uses_the_filtered_list(
    admin_client_: Client, reviewer: Any
) -> None:
    chosen = ClaimFactory.create_batch(3, status=Claim.Status.SELECTED)
    other = ClaimFactory()
    response = _post_across(
        admin_client_,
        "assign_claims",
        "status__exact=selected",
        apply="Apply",
        assignee=reviewer.pk,
    )
    assert "3 claim(s) updated." in _messages(admin_client_, response)
    assert set(Claim.objects.filter(assignee=reviewer).values_list("pk", flat=True)) == {
        c.pk for c in chosen
    }
    other.refresh_from_db()
    assert other.assignee is None


def test_schedule_sets_priority_and_due_date_and_refuses_closed_claims(
    admin_client_: Client,
) -> None:
    open_claim = ClaimFactory()
    dismissed = ClaimFactory(status=Claim.Status.DISMISSED)
    response = _post_action(
        admin_client_,
        "schedule_claims",
        [open_claim.pk, dismissed.pk],
        apply="Apply",
        priority=Claim.Priority.HIGH,
        due_on="2026-12-24",
    )
    page = _messages(admin_client_, response)
    assert "1 claim(s) updated. Not changed: 1 dismissed." in page
    open_claim.refresh_from_db()
    dismissed.refresh_from_db()
    assert open_claim.priority == Claim.Priority.HIGH
    assert open_claim.due_on == datetime.date(2026, 12, 24) and open_claim.version == 2
    assert dismissed.priority == Claim.Priority.NORMAL
    assert "set priority" in open_claim.history.latest().history_change_reason


def test_schedule_needs_something_to_set(admin_client_: Client) -> None:
    claim = ClaimFactory()
    response = _post_action(admin_client_, "schedule_claims", [claim.pk], apply="Apply")
    assert response.status_code == HTTPStatus.OK
    assert "Choose a priority, a due date" in response.content.decode()


def test_unassign_puts_claims_back_on_the_queue_and_reports_refusals(
    admin_client_: Client, reviewer: Any
) -> None:
    taken = ClaimFactory(status=Claim.Status.IN_REVIEW, assignee=reviewer)
    published = ClaimFactory(status=Claim.Status.PUBLISHED, assignee=reviewer)
    page = _messages(
        admin_client_, _post_action(admin_client_, "unassign_claims", [taken.pk, published.pk])
    )
    assert "1 claim(s) updated. Not changed: 1 published." in page
    taken.refresh_from_db()
    assert taken.status == Claim.Status.SELECTED and taken.assignee is None


def test_mark_urgent_reports_what_it_changed(admin_client_: Client) -> None:
    claim = ClaimFactory()
    page = _messages(admin_client_, _post_action(admin_client_, "mark_urgent", [claim.pk]))
    assert "1 claim(s) updated." in page
    claim.refresh_from_db()
    assert claim.priority == Claim.Priority.URGENT


def _submitted(reviewer: Any) -> Verdict:
    verdict = VerdictFactory(author=reviewer, claim__status=Claim.Status.IN_REVIEW)
    return services.verdict_submit(verdict=verdict, user=reviewer)


def test_publish_approved_publishes_submitted_verdicts_and_refuses_the_rest(
    admin_client_: Client, reviewer: Any
) -> None:
    submitted = _submitted(reviewer)
    bare = ClaimFactory()
    page = _messages(
        admin_client_,
        _post_action(admin_client_, "publish_approved", [submitted.claim_id, bare.pk]),
    )
    assert "1 verdict(s) approved and published." in page
    assert "1 without a submitted verdict" in page
    submitted.refresh_from_db()
    assert submitted.published_at is not None
    assert submitted.claim.status == Claim.Status.PUBLISHED


def test_publish_approved_refuses_the_authors_own_verdict(reviewer: Any, admin_user: Any) -> None:
    verdict = _submitted(admin_user) if admin_user.has_perm("reviews.add_verdict") else None
    assert verdict is not None
    Claim.objects.filter(pk=verdict.claim_id).update(assignee=admin_user)
    client = _client(admin_user)
    page = _messages(client, _post_action(client, "publish_approved", [verdict.claim_id]))
    assert "0 verdict(s) approved" in page and "a second person must approve it" in page
    verdict.refresh_from_db()
    assert verdict.published_at is None


def test_withdraw_verdicts_asks_for_a_note_then_withdraws_with_it(
    admin_client_: Client, reviewer: Any, editor: Any
) -> None:
    verdict = services.verdict_approve(verdict=_submitted(reviewer), user=editor)
    unpublished = ClaimFactory()
    pks = [verdict.claim_id, unpublished.pk]
    form = _post_action(admin_client_, "withdraw_verdicts", pks)
    assert form.status_code == HTTPStatus.OK and 'name="note"' in form.content.decode()
    empty = _post_action(admin_client_, "withdraw_verdicts", pks, apply="Apply", note="")
    assert empty.status_code == HTTPStatus.OK
    page = _messages(
        admin_client_,
        _post_action(admin_client_, "withdraw_verdicts", pks, apply="Apply", note="Wrong table."),
    )
    assert "1 verdict(s) withdrawn. Not changed: 1 without a published verdict." in page
    verdict.refresh_from_db()
    assert verdict.is_current is False and verdict.withdrawal_reason == "Wrong table."
    assert verdict.claim.history.latest().history_change_reason == "Wrong table."


def test_refetch_sources_queues_the_chosen_claims_sources(
    admin_client_: Client, run_on_commit: Any
) -> None:
    source = SourceFactory(fetch_status=Source.FetchStatus.FAILED, attempts=3)
    evidence = EvidenceFactory(source=source, url=source.url)
    with mock.patch("reviews.tasks.sources_fetch_many_task.delay") as delay:
        with run_on_commit(execute=True):
            response = _post_action(admin_client_, "refetch_sources", [evidence.claim_id])
    assert "1 source(s) queued" in _messages(admin_client_, response)
    source.refresh_from_db()
    assert source.fetch_status == Source.FetchStatus.PENDING and source.attempts == 0
    # One message for the batch; the worker sends each fetch (tests/reviews/test_source_fetch).
    delay.assert_called_once_with([source.pk])


def test_reextract_rescores_articles_and_adds_only_new_candidates(
    admin_client_: Client, admin_user: Any
) -> None:
    body = (
        "The council spent 4.2 million pounds on new buses last year. "
        "Ridership rose by 12% according to the transport office."
    )
    article = ArticleFactory(body=body, extraction={}, consistency_flags=[])
    url = "/admin/claims/article/"
    page = _messages(admin_client_, _post_action(admin_client_, "reextract", [article.pk], url=url))
    assert "Extraction re-run on 1 article(s)" in page
    article.refresh_from_db()
    assert article.extraction["sentences"]
    created = article.claims.count()
    assert created >= 1
    assert article.history.latest().history_change_reason == "extraction re-run"
    _post_action(admin_client_, "reextract", [article.pk], url=url)
    assert article.claims.count() == created  # the second run adds nothing


# --- List edits -----------------------------------------------------------------------------


def _list_edit(client: Client, claim: Claim, seen_version: int, **values: Any) -> Any:
    data = {
        "form-TOTAL_FORMS": 1,
        "form-INITIAL_FORMS": 1,
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000,
        "_save": "Save",
        "form-0-id": claim.pk,
        "form-0-seen_version": seen_version,
        "form-0-priority": values.get("priority", claim.priority),
        "form-0-due_on": values.get("due_on", ""),
        "form-0-assignee": values.get("assignee", claim.assignee_id or ""),
    }
    return client.post(f"{CLAIMS}?o=-1", data)


def test_a_list_edit_of_the_assignee_goes_through_the_lifecycle(
    admin_client_: Client, reviewer: Any
) -> None:
    claim = ClaimFactory()
    response = _list_edit(admin_client_, claim, 1, assignee=reviewer.pk)
    assert response.status_code == HTTPStatus.FOUND
    claim.refresh_from_db()
    assert claim.assignee == reviewer and claim.status == Claim.Status.IN_REVIEW
    assert claim.version == 2


def test_two_stale_list_edits_of_the_assignee_are_refused(
    admin_client_: Client, reviewer: Any
) -> None:
    claim = ClaimFactory()
    other = UserFactory(role="Reviewer")
    assert _list_edit(admin_client_, claim, 1, assignee=reviewer.pk).status_code == HTTPStatus.FOUND
    for stale in (1, 1):
        response = _list_edit(admin_client_, claim, stale, assignee=other.pk)
        assert response.status_code == HTTPStatus.OK
        assert b"Someone else changed this" in response.content
    claim.refresh_from_db()
    assert claim.assignee == reviewer and claim.version == 2


def test_a_list_edit_the_lifecycle_refuses_is_reported_not_saved(
    admin_client_: Client, reviewer: Any
) -> None:
    claim = ClaimFactory(status=Claim.Status.PUBLISHED)
    response = _list_edit(admin_client_, claim, 1, assignee=reviewer.pk)
    page = _messages(admin_client_, response)
    assert f"Claim {claim.pk} was not changed" in page
    claim.refresh_from_db()
    assert claim.assignee is None and claim.version == 1


def test_bulk_history_rows_diff_like_any_other_change(
    admin_client_: Client, admin_user: Any
) -> None:
    claim = ClaimFactory()
    _post_action(admin_client_, "select_claims", [claim.pk])
    record = claim.history.latest()
    changes = {c.field: (c.old, c.new) for c in record.diff_against(record.prev_record).changes}
    assert changes["status"] == (Claim.Status.CANDIDATE, Claim.Status.SELECTED)
    assert record.version == 2, [(r.version, r.history_type) for r in claim.history.all()]
    assert record.history_type == "~" and record.history_user == admin_user
    assert record.history_change_reason == "select (admin)"


def test_reopen_puts_withdrawn_claims_back_in_review_and_refuses_others(
    admin_client_: Client,
) -> None:
    withdrawn = ClaimFactory(status=Claim.Status.WITHDRAWN)
    candidate = ClaimFactory()
    page = _messages(
        admin_client_, _post_action(admin_client_, "reopen_claims", [withdrawn.pk, candidate.pk])
    )
    assert "1 claim(s) updated. Not changed: 1 candidate." in page
    withdrawn.refresh_from_db()
    assert withdrawn.status == Claim.Status.IN_REVIEW


def test_claims_have_no_bulk_delete(admin_client_: Client) -> None:
    assert 'value="delete_selected"' not in admin_client_.get(CLAIMS).content.decode()


@pytest.mark.parametrize("query", ["flags=yes", "flags=no", "import_method__exact=paste"])
def test_each_article_filter_loads(admin_client_: Client, query: str) -> None:
    flagged = ArticleFactory(consistency_flags=[{"kind": "total"}])
    response = admin_client_.get(f"/admin/claims/article/?{query}")
    assert response.status_code == HTTPStatus.OK
    if query == "flags=yes":
        assert [a.pk for a in response.context["cl"].result_list] == [flagged.pk]


def test_a_filtered_list_is_counted_exactly() -> None:
    from factcheck.lib.admin import EstimatedCountPaginator

    ClaimFactory.create_batch(3)
    ClaimFactory(status=Claim.Status.SELECTED)
    paginator = EstimatedCountPaginator(Claim.objects.filter(status=Claim.Status.SELECTED), 25)
    assert paginator.count == 1
    assert EstimatedCountPaginator(Claim.objects.all(), 25).count == 4  # small: exact
