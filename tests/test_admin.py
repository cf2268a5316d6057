"""Admin smoke tests for every ModelAdmin, and one test per action."""

from http import HTTPStatus
from typing import Any
from unittest import mock

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Article, Claim
from reviews import services
from reviews.models import Source, Verdict, WebhookDelivery
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    SourceFactory,
    UserFactory,
    VerdictFactory,
)

pytestmark = pytest.mark.django_db

MODELS = [model for model in admin.site._registry if model._meta.app_label in {"claims", "reviews"}]
# Logs written only by the app: their admin refuses the add page.
READ_ONLY = {WebhookDelivery}


@pytest.fixture
def admin_client_(admin_user: Any) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_changelist_search_and_add_pages_load(admin_client_: Client, model: Any) -> None:
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert admin_client_.get(changelist).status_code == HTTPStatus.OK
    assert admin_client_.get(changelist, {"q": "budget"}).status_code == HTTPStatus.OK
    add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    expected = HTTPStatus.FORBIDDEN if model in READ_ONLY else HTTPStatus.OK
    assert admin_client_.get(add).status_code == expected


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_choice_of_every_filter_loads(admin_client_: Client, model: Any) -> None:
    """Each list filter of each admin, every choice it offers, answers with a list."""
    verdict = VerdictFactory(claim__article__external_id="cms-1")
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    response = admin_client_.get(changelist)
    cl = response.context["cl"]
    queries: set[str] = set()
    for spec in cl.filter_specs:
        choices = list(spec.choices(cl))
        if all("query_string" in choice for choice in choices):
            queries |= {choice["query_string"] for choice in choices}
        else:  # a typed-in filter (an id box): a real value and one that is not a number
            name = spec.parameter_name
            queries |= {f"?{name}={verdict.claim.article_id}", f"?{name}=not-a-number"}
    assert queries or not cl.filter_specs
    for query in sorted(queries):
        response = admin_client_.get(changelist + query)
        assert response.status_code == HTTPStatus.OK, query
        # An invalid lookup redirects with ?e=1; every offered choice must be a valid one.
        assert "e=1" not in response.get("Location", ""), query


def test_change_pages_load(admin_client_: Client) -> None:
    verdict = VerdictFactory()
    source = SourceFactory()
    for obj in [
        verdict,
        verdict.claim,
        verdict.claim.article,
        verdict.rating,
        verdict.rating.scale,
        source,
    ]:
        opts = obj._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert admin_client_.get(url).status_code == HTTPStatus.OK, url


def _change_claim(client: Client, claim: Claim, seen_version: int, priority: int) -> Any:
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    return client.post(
        url,
        {
            "status": claim.status,
            "assignee": "",
            "priority": priority,
            "due_on": "",
            "seen_version": seen_version,
        },
    )


def test_the_change_form_saves_and_bumps_the_version(admin_client_: Client) -> None:
    claim = ClaimFactory()
    response = _change_claim(admin_client_, claim, claim.version, Claim.Priority.HIGH)
    assert response.status_code == HTTPStatus.FOUND
    claim.refresh_from_db()
    assert claim.priority == Claim.Priority.HIGH and claim.version == 2


def test_the_change_form_refuses_a_stale_edit(admin_client_: Client) -> None:
    claim = ClaimFactory()
    _change_claim(admin_client_, claim, claim.version, Claim.Priority.HIGH)
    response = _change_claim(admin_client_, claim, 1, Claim.Priority.LOW)
    assert response.status_code == HTTPStatus.OK
    assert b"Someone else changed this" in response.content
    claim.refresh_from_db()
    assert claim.priority == Claim.Priority.HIGH


def _action(client: Client, model: Any, action: str, pks: list[int]) -> Any:
    opts = model._meta
    return client.post(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        {"action": action, "_selected_action": pks},
    )


def test_action_select_claims(admin_client_: Client) -> None:
    claim = ClaimFactory()
    _action(admin_client_, Claim, "select_claims", [claim.pk])
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SELECTED


def test_action_dismiss_claims(admin_client_: Client) -> None:
    claim = ClaimFactory()
    _action(admin_client_, Claim, "dismiss_claims", [claim.pk])
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DISMISSED


def test_action_mark_urgent(admin_client_: Client) -> None:
    claim = ClaimFactory()
    _action(admin_client_, Claim, "mark_urgent", [claim.pk])
    claim.refresh_from_db()
    assert claim.priority == Claim.Priority.URGENT


def test_action_refetch(admin_client_: Client, run_on_commit: Any) -> None:
    source = SourceFactory(fetch_status=Source.FetchStatus.FAILED, attempts=3)
    with mock.patch("reviews.tasks.sources_fetch_many_task.delay") as delay:
        with run_on_commit(execute=True):
            _action(admin_client_, Source, "refetch", [source.pk])
    source.refresh_from_db()
    assert source.fetch_status == Source.FetchStatus.PENDING and source.attempts == 0
    delay.assert_called_once_with([source.pk])


def _published_verdict(reviewer: Any, editor: Any) -> Verdict:
    verdict = VerdictFactory(author=reviewer, claim__status=Claim.Status.IN_REVIEW)
    services.verdict_submit(verdict=verdict, user=reviewer)
    return services.verdict_approve(verdict=verdict, user=editor)


def test_action_withdraw(admin_client_: Client, reviewer: Any, editor: Any) -> None:
    verdict = _published_verdict(reviewer, editor)
    _action(admin_client_, Verdict, "withdraw", [verdict.pk])
    verdict.refresh_from_db()
    verdict.claim.refresh_from_db()
    assert verdict.is_current is False
    assert verdict.claim.status == Claim.Status.WITHDRAWN
    record = verdict.claim.history.first()
    assert record.history_user.username == "admin"
    assert "withdrawn from the admin" in record.history_change_reason


def test_action_reopen(admin_client_: Client, reviewer: Any, editor: Any) -> None:
    verdict = _published_verdict(reviewer, editor)
    services.verdicts_withdraw(verdict_ids=[verdict.pk], user=editor)
    _action(admin_client_, Verdict, "reopen", [verdict.pk])
    verdict.claim.refresh_from_db()
    assert verdict.claim.status == Claim.Status.IN_REVIEW


def test_action_restore_claims(admin_client_: Client) -> None:
    claim = ClaimFactory(status=Claim.Status.DISMISSED)
    _action(admin_client_, Claim, "restore_claims", [claim.pk])
    claim.refresh_from_db()
    assert claim.status == Claim.Status.CANDIDATE


def test_a_bulk_action_reports_the_claims_it_refused(admin_client_: Client) -> None:
    moved = ClaimFactory(status=Claim.Status.CANDIDATE)
    refused = ClaimFactory(status=Claim.Status.PUBLISHED)
    response = _action(admin_client_, Claim, "dismiss_claims", [moved.pk, refused.pk])
    page = admin_client_.get(response["Location"])
    assert "1 claim(s) updated. Not changed" in page.content.decode()
    assert "1 published" in page.content.decode()
    refused.refresh_from_db()
    assert refused.status == Claim.Status.PUBLISHED


def test_the_change_form_cannot_set_status_or_assignee(
    admin_client_: Client, reviewer: Any
) -> None:
    claim = ClaimFactory(status=Claim.Status.CANDIDATE)
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    response = admin_client_.post(
        url,
        {
            "status": Claim.Status.PUBLISHED,
            "assignee": reviewer.pk,
            "priority": Claim.Priority.HIGH,
            "due_on": "",
            "seen_version": claim.version,
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    claim.refresh_from_db()
    assert claim.priority == Claim.Priority.HIGH
    assert claim.status == Claim.Status.CANDIDATE and claim.assignee is None


def test_each_object_has_a_history_page(admin_client_: Client) -> None:
    claim = ClaimFactory()
    _change_claim(admin_client_, claim, claim.version, Claim.Priority.HIGH)
    response = admin_client_.get(reverse("admin:claims_claim_history", args=[claim.pk]))
    assert response.status_code == HTTPStatus.OK
    assert "admin" in response.content.decode()  # who changed it


def _query_count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == HTTPStatus.OK
    return len(queries)


def _article_with_claims(n: int) -> Article:
    sentences = [f"The council spent {100 + i} pounds on item {i}." for i in range(n)]
    body = " ".join(sentences)
    article = ArticleFactory(body=body)
    start = 0
    for position, sentence in enumerate(sentences):
        reviewer = UserFactory(role="Reviewer")
        Claim.objects.create(
            article=article,
            text=sentence,
            start=start,
            end=start + len(sentence),
            position=position,
            status=Claim.Status.IN_REVIEW,
            assignee=reviewer,
        )
        start += len(sentence) + 1
    return article


def test_the_article_list_has_no_per_row_queries(admin_client_: Client) -> None:
    changelist = reverse("admin:claims_article_changelist")
    ArticleFactory()
    few = _query_count(admin_client_, changelist)
    ArticleFactory.create_batch(10)
    assert _query_count(admin_client_, changelist) == few


def test_the_article_change_page_has_no_per_claim_queries(admin_client_: Client) -> None:
    small, large = _article_with_claims(1), _article_with_claims(8)
    url = "admin:claims_article_change"
    admin_client_.get(reverse(url, args=[small.pk]))  # warm the content-type cache
    assert _query_count(admin_client_, reverse(url, args=[large.pk])) == _query_count(
        admin_client_, reverse(url, args=[small.pk])
    )
