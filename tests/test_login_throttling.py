"""Logins are throttled: past the limit a username and address are locked out for a cool-off."""

import os
import subprocess
import sys
from datetime import timedelta
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "test-pass-123"  # UserFactory's
LOCKED = b"Too many log-in attempts"


def _log_in(username: str, password: str, address: str = "127.0.0.1", **headers: str) -> Any:
    """POST the login page as a browser at `address` does."""
    client = Client(REMOTE_ADDR=address, **headers)
    response = client.post("/login/", {"username": username, "password": password})
    response.logged_in = "_auth_user_id" in client.session
    return response


def _lock_out(username: str, **kwargs: str) -> None:
    for _ in range(5):
        _log_in(username, "wrong-password", **kwargs)
    assert _log_in(username, PASSWORD, **kwargs).status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_after_the_limit_even_the_right_password_is_refused_with_a_clear_message() -> None:
    UserFactory(username="alice")
    statuses = [_log_in("alice", f"guess-{number}").status_code for number in range(100)]
    # Four wrong passwords are answered as wrong; the fifth locks the account out.
    assert statuses[:4] == [HTTPStatus.OK] * 4
    assert statuses[4:] == [HTTPStatus.TOO_MANY_REQUESTS] * 96

    response = _log_in("alice", PASSWORD)
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert not response.logged_in
    assert LOCKED in response.content
    assert b"Wait 15 minutes" in response.content
    # The lockout page is one of ours: it carries the site's Content-Security-Policy.
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_a_wrong_password_below_the_limit_is_answered_as_wrong() -> None:
    UserFactory(username="alice")
    response = _log_in("alice", "wrong-password")
    assert response.status_code == HTTPStatus.OK
    assert b"did not match" in response.content and LOCKED not in response.content


def test_the_lockout_also_covers_the_admin_login() -> None:
    UserFactory(username="alice", is_staff=True)
    _lock_out("alice")
    client = Client()
    response = client.post("/admin/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "_auth_user_id" not in client.session


def test_other_users_and_other_addresses_are_unaffected() -> None:
    UserFactory(username="alice")
    UserFactory(username="bob")
    _lock_out("alice")
    # Another user from the same address, and alice herself from another address.
    assert _log_in("bob", PASSWORD).logged_in
    assert _log_in("alice", PASSWORD, address="192.0.2.44").logged_in


def test_after_the_cool_off_the_right_password_works() -> None:
    UserFactory(username="alice")
    _lock_out("alice")
    # Fourteen minutes after the last attempt it is still locked, and that refused attempt
    # starts the wait again (as the lockout page says); sixteen minutes after it, it is free.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    assert _log_in("alice", PASSWORD).status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert AccessAttempt.objects.get().attempt_time > timezone.now() - timedelta(minutes=1)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _log_in("alice", PASSWORD).logged_in


def test_a_successful_login_clears_the_count() -> None:
    UserFactory(username="alice")
    for _ in range(4):
        _log_in("alice", "wrong-password")
    assert _log_in("alice", PASSWORD).logged_in
    for _ in range(4):
        _log_in("alice", "wrong-password")
    assert _log_in("alice", PASSWORD).logged_in


def test_force_login_and_the_api_key_still_work(cms_client: Any) -> None:
    user = UserFactory(username="alice", role="Editor")
    _lock_out("alice")
    client = Client()
    client.force_login(user)
    assert client.get("/").status_code == HTTPStatus.OK
    # A locked-out password does not lock the account's API key: the key is not guessable.
    assert cms_client.get("/api/v1/verdicts/").status_code == HTTPStatus.OK


@pytest.fixture
def behind_one_proxy(settings: Any) -> None:
    """What FACTCHECK_PROXY_COUNT=1 sets (checked by the test below)."""
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR",)
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.IPWARE_STRICT = False


@pytest.mark.usefixtures("behind_one_proxy")
def test_behind_a_proxy_clients_are_told_apart_by_the_address_the_proxy_saw() -> None:
    UserFactory(username="alice")
    proxy = "10.0.0.2"
    _lock_out("alice", address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    # Another client of the same proxy is not locked out with the first one...
    assert _log_in("alice", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9").logged_in
    # ...and the locked-out client cannot escape by sending an address of its own: the proxy
    # appends the real one, and only that is believed.
    forged = _log_in(
        "alice", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7"
    )
    assert forged.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_the_limits_and_the_proxy_count_come_from_the_environment() -> None:
    code = (
        "from django.conf import settings as s; "
        "print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds(), "
        "s.AXES_IPWARE_META_PRECEDENCE_ORDER, s.AXES_IPWARE_PROXY_COUNT, s.IPWARE_STRICT)"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("FACTCHECK_")}
    env.update(
        FACTCHECK_LOGIN_FAILURE_LIMIT="7",
        FACTCHECK_LOGIN_COOLOFF_MINUTES="30",
        FACTCHECK_PROXY_COUNT="1",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-2] == "7 1800.0 ('HTTP_X_FORWARDED_FOR',) 0 False"
