"""Admin smoke tests for every ModelAdmin, and one test per action."""

from http import HTTPStatus
from typing import Any
from unittest import mock

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from claims.models import Claim
from reviews.models import Source, Verdict
from tests.factories import ClaimFactory, SourceFactory, VerdictFactory

pytestmark = pytest.mark.django_db

MODELS = [model for model in admin.site._registry if model._meta.app_label in {"claims", "reviews"}]


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
    assert admin_client_.get(add).status_code == HTTPStatus.OK


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
    with mock.patch("reviews.tasks.source_fetch_task.delay") as delay:
        with run_on_commit(execute=True):
            _action(admin_client_, Source, "refetch", [source.pk])
    source.refresh_from_db()
    assert source.fetch_status == Source.FetchStatus.PENDING and source.attempts == 0
    delay.assert_called_once_with(source.pk)


def test_action_withdraw(admin_client_: Client) -> None:
    verdict = VerdictFactory()
    _action(admin_client_, Verdict, "withdraw", [verdict.pk])
    verdict.refresh_from_db()
    assert verdict.is_current is False
