"""The admin's API key screens show a masked key, never the full one."""

from http import HTTPStatus
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/authtoken/tokenproxy/"


@pytest.fixture
def admin_client_(admin_user: Any) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def token() -> Token:
    return Token.objects.create(user=UserFactory(username="cms"))


def _masked(token: Token) -> bytes:
    return f"{token.key[:4]}…".encode()


def test_the_changelist_shows_only_the_masked_key(admin_client_: Client, token: Token) -> None:
    response = admin_client_.get(CHANGELIST)
    assert response.status_code == HTTPStatus.OK
    assert token.key.encode() not in response.content
    assert _masked(token) in response.content
    assert b"cms" in response.content


def test_the_change_page_shows_only_the_masked_key(admin_client_: Client, token: Token) -> None:
    response = admin_client_.get(f"{CHANGELIST}{token.user_id}/change/")
    assert response.status_code == HTTPStatus.OK
    assert token.key.encode() not in response.content
    assert _masked(token) in response.content


def test_the_history_and_delete_pages_show_only_the_masked_key(
    admin_client_: Client, token: Token
) -> None:
    for page in ("history", "delete"):
        response = admin_client_.get(f"{CHANGELIST}{token.user_id}/{page}/")
        assert response.status_code == HTTPStatus.OK, page
        assert token.key.encode() not in response.content, page
        assert _masked(token) in response.content, page


def test_it_searches_by_username_not_by_key(admin_client_: Client, token: Token) -> None:
    assert _masked(token) in admin_client_.get(CHANGELIST, {"q": "cms"}).content
    assert _masked(token) not in admin_client_.get(CHANGELIST, {"q": token.key[:10]}).content


def test_adding_and_deleting_a_key_never_shows_or_logs_it(admin_client_: Client) -> None:
    user = UserFactory(username="newsdesk-cms")
    response = admin_client_.post(f"{CHANGELIST}add/", {"user": user.pk}, follow=True)
    assert response.status_code == HTTPStatus.OK
    key = Token.objects.get(user=user).key
    assert key.encode() not in response.content
    deleted = admin_client_.post(f"{CHANGELIST}{user.pk}/delete/", {"post": "yes"}, follow=True)
    assert deleted.status_code == HTTPStatus.OK and not Token.objects.filter(key=key).exists()
    assert key.encode() not in deleted.content
    # The action log (the admin index's "Recent actions") keeps the masked name only.
    assert [entry.object_repr for entry in LogEntry.objects.order_by("pk")] == [f"{key[:4]}…"] * 2
    assert key.encode() not in admin_client_.get("/admin/").content


def test_a_keys_user_cannot_be_changed(admin_client_: Client, token: Token) -> None:
    other = UserFactory(username="someone-else")
    admin_client_.post(f"{CHANGELIST}{token.user_id}/change/", {"user": other.pk})
    token.refresh_from_db()
    assert token.user.username == "cms"
