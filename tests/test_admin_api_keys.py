"""The admin's CMS API keys: created with a scope, shown once, stored hashed, revocable."""

import re
from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from reviews.models import ApiKey

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/reviews/apikey/"


@pytest.fixture
def admin_client_(admin_user: Any) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def _create(client: Client, name: str, scope: str) -> tuple[ApiKey, str]:
    response = client.post(f"{CHANGELIST}add/", {"name": name, "scope": scope}, follow=True)
    assert response.status_code == HTTPStatus.OK
    [message] = [str(m) for m in response.context["messages"] if "Please store it" in str(m)]
    key = re.search(r"is: (\S+)\. ", message)
    assert key, message
    return ApiKey.objects.get(name=name), key.group(1)


def test_a_new_key_is_shown_once_then_only_its_prefix(
    admin_client_: Client, admin_user: Any
) -> None:
    api_key, key = _create(admin_client_, "Main CMS", "read_write")
    assert api_key.scope == ApiKey.Scope.READ_WRITE and api_key.created_by == admin_user
    assert key.startswith(api_key.prefix + ".") and key not in api_key.hashed_key
    for page in ("", f"{api_key.pk}/change/", f"{api_key.pk}/history/", f"{api_key.pk}/delete/"):
        response = admin_client_.get(f"{CHANGELIST}{page}")
        assert response.status_code == HTTPStatus.OK, page
        assert key.encode() not in response.content, page
    assert api_key.prefix.encode() in admin_client_.get(CHANGELIST).content
    # The key works, with its scope.
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert client.get("/api/v1/verdicts/").status_code == HTTPStatus.OK


def test_the_revoke_action_turns_keys_off_at_once(admin_client_: Client) -> None:
    api_key, key = _create(admin_client_, "Old CMS", "read")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert client.get("/api/v1/changes/").status_code == HTTPStatus.OK
    response = admin_client_.post(
        CHANGELIST, {"action": "revoke", "_selected_action": [api_key.pk]}, follow=True
    )
    assert "Revoked 1 key(s)." in response.content.decode()
    assert ApiKey.objects.get(pk=api_key.pk).revoked
    assert client.get("/api/v1/changes/").status_code == HTTPStatus.UNAUTHORIZED


def test_a_revoked_key_cannot_be_turned_back_on(admin_client_: Client) -> None:
    api_key, _key = _create(admin_client_, "Gone", "read")
    ApiKey.objects.filter(pk=api_key.pk).update(revoked=True)
    admin_client_.post(
        f"{CHANGELIST}{api_key.pk}/change/", {"name": "Gone", "scope": "read", "revoked": ""}
    )
    assert ApiKey.objects.get(pk=api_key.pk).revoked


def test_searching_finds_a_key_by_name_or_prefix(admin_client_: Client) -> None:
    api_key, _key = _create(admin_client_, "Newsdesk CMS", "read")
    for query in ("Newsdesk", api_key.prefix):
        assert b"Newsdesk CMS" in admin_client_.get(CHANGELIST, {"q": query}).content
