"""Admin list edits and change forms go through the version check: no save over newer data."""

import re
from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from claims.models import Claim
from factcheck.lib.admin import MISSING_VERSION_MESSAGE, STALE_MESSAGE
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/claims/claim/"


@pytest.fixture
def admin_client_(admin_user: Any) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def _row(index: int, claim: Claim, priority: int, seen_version: int | None) -> dict[str, Any]:
    row = {f"form-{index}-id": claim.pk, f"form-{index}-priority": priority}
    if seen_version is not None:
        row[f"form-{index}-seen_version"] = seen_version
    return row


def _save_list(client: Client, *rows: dict[str, Any]) -> Any:
    """POST the changelist's list_editable formset as the page's Save button does."""
    data: dict[str, Any] = {
        "form-TOTAL_FORMS": len(rows),
        "form-INITIAL_FORMS": len(rows),
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000,
        "_save": "Save",
    }
    for row in rows:
        data.update(row)
    # The changelist query the page was opened with (ordering by id).
    return client.post(f"{CHANGELIST}?o=-1", data)


def _message(text: str) -> bytes:
    """A message as the admin renders it (autoescaped)."""
    return text.replace("'", "&#x27;").encode()


def test_the_changelist_carries_each_rows_version(admin_client_: Client) -> None:
    claim = ClaimFactory()
    Claim.objects.filter(pk=claim.pk).update(version=7)
    html = admin_client_.get(CHANGELIST).content.decode()
    inputs = re.findall(r'<input[^>]*name="form-0-seen_version"[^>]*>', html)
    assert len(inputs) == 1
    assert 'type="hidden"' in inputs[0] and 'value="7"' in inputs[0]


def test_a_second_stale_list_edit_is_refused_and_the_first_value_kept(
    admin_client_: Client,
) -> None:
    claim = ClaimFactory(priority=Claim.Priority.NORMAL)
    # Two people opened the list at version 1; the first saves High.
    first = _save_list(admin_client_, _row(0, claim, Claim.Priority.HIGH, seen_version=1))
    assert first.status_code == HTTPStatus.FOUND
    claim.refresh_from_db()
    assert claim.priority == Claim.Priority.HIGH and claim.version == 2

    second = _save_list(admin_client_, _row(0, claim, Claim.Priority.LOW, seen_version=1))
    assert second.status_code == HTTPStatus.OK
    assert _message(STALE_MESSAGE) in second.content
    claim.refresh_from_db()
    assert claim.priority == Claim.Priority.HIGH and claim.version == 2


def test_a_stale_row_the_user_did_not_touch_is_not_saved_over(admin_client_: Client) -> None:
    edited, other = ClaimFactory(), ClaimFactory()
    # Someone raised `other` to Urgent after the list was opened; the stale page still says
    # Normal for it, and saving the page must not put Normal back, nor save half the page.
    Claim.objects.filter(pk=other.pk).update(priority=Claim.Priority.URGENT, version=2)
    response = _save_list(
        admin_client_,
        _row(0, edited, Claim.Priority.HIGH, seen_version=1),
        _row(1, other, Claim.Priority.NORMAL, seen_version=1),
    )
    assert response.status_code == HTTPStatus.OK
    assert _message(STALE_MESSAGE) in response.content
    other.refresh_from_db()
    edited.refresh_from_db()
    assert other.priority == Claim.Priority.URGENT and other.version == 2
    assert edited.priority == Claim.Priority.NORMAL and edited.version == 1


def test_an_unchanged_row_with_an_old_version_does_not_block_the_others(
    admin_client_: Client,
) -> None:
    edited, other = ClaimFactory(), ClaimFactory()
    # `other` changed elsewhere in a field the list does not show: its listed priority is
    # still right, so the row is not saved and needs no check.
    Claim.objects.filter(pk=other.pk).update(version=2)
    response = _save_list(
        admin_client_,
        _row(0, edited, Claim.Priority.HIGH, seen_version=1),
        _row(1, other, Claim.Priority.NORMAL, seen_version=1),
    )
    assert response.status_code == HTTPStatus.FOUND
    edited.refresh_from_db()
    other.refresh_from_db()
    assert edited.priority == Claim.Priority.HIGH and edited.version == 2
    assert other.version == 2


def test_a_list_edit_without_the_version_is_refused(admin_client_: Client) -> None:
    claim = ClaimFactory(priority=Claim.Priority.NORMAL)
    response = _save_list(admin_client_, _row(0, claim, Claim.Priority.HIGH, seen_version=None))
    assert response.status_code == HTTPStatus.OK
    assert _message(MISSING_VERSION_MESSAGE) in response.content
    claim.refresh_from_db()
    assert claim.priority == Claim.Priority.NORMAL and claim.version == 1


def _change_form_data(claim: Claim, priority: int) -> dict[str, Any]:
    """Every field the claim change form shows, from its own GET, with a new priority."""
    return {
        "status": claim.status,
        "assignee": "",
        "priority": priority,
        "due_on": "",
    }


def test_a_change_form_post_without_the_version_is_refused(admin_client_: Client) -> None:
    claim = ClaimFactory(priority=Claim.Priority.NORMAL)
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    response = admin_client_.post(url, _change_form_data(claim, Claim.Priority.HIGH))
    assert response.status_code == HTTPStatus.OK
    assert _message(MISSING_VERSION_MESSAGE) in response.content
    claim.refresh_from_db()
    assert claim.priority == Claim.Priority.NORMAL and claim.version == 1


def test_a_change_form_post_with_the_version_saves(admin_client_: Client) -> None:
    claim = ClaimFactory(priority=Claim.Priority.NORMAL)
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    data = {**_change_form_data(claim, Claim.Priority.HIGH), "seen_version": 1}
    assert admin_client_.post(url, data).status_code == HTTPStatus.FOUND
    claim.refresh_from_db()
    assert claim.priority == Claim.Priority.HIGH and claim.version == 2


def test_the_add_form_needs_no_version(admin_client_: Client) -> None:
    from reviews.models import Verdict
    from tests.factories import default_rating

    claim = ClaimFactory()
    response = admin_client_.post(
        reverse("admin:reviews_verdict_add"),
        {
            "claim": claim.pk,
            "rating": default_rating().pk,
            "summary": "Added in the admin.",
            "is_current": "on",
        },
    )
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[-3000:]
    assert Verdict.objects.get(claim=claim).version == 1
