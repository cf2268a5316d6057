"""Every HTML page sends our Content-Security-Policy, and nothing on them needs it relaxed."""

import re
from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client

from tests.factories import ArticleFactory, ClaimFactory, SourceFactory

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "frame-ancestors": {"'none'"},
    "form-action": {"'self'"},
}

# What the policy would block: inline scripts, <style> blocks, style and on* attributes.
INLINE = re.compile(
    r"<script(?![^>]*\ssrc=)[^>]*>|<style[\s>]|\sstyle\s*=|\son[a-z]+\s*=|javascript:", re.I
)


def _policy(response: Any) -> dict[str, set[str]]:
    header = response["Content-Security-Policy"]
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: set(values) for name, *values in directives}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pages(editor: Any, admin_user: Any) -> list[tuple[str, Client]]:
    claim = ClaimFactory()
    article = ArticleFactory()
    return [
        ("/login/", Client()),
        ("/", _client(editor)),
        (f"/articles/{article.pk}/", _client(editor)),
        (f"/claims/{claim.pk}/", _client(admin_user)),
        ("/admin/", _client(admin_user)),
        ("/admin/login/", Client()),
        ("/admin/claims/claim/", _client(admin_user)),
        (f"/admin/claims/claim/{claim.pk}/change/", _client(admin_user)),
        ("/admin/reviews/verdict/add/", _client(admin_user)),
        ("/admin/reviews/apikey/", _client(admin_user)),
        ("/admin/axes/accessattempt/", _client(admin_user)),
    ]


def test_every_page_sends_the_policy(editor: Any, admin_user: Any) -> None:
    for url, client in _pages(editor, admin_user):
        response = client.get(url)
        assert response.status_code == HTTPStatus.OK, url
        assert _policy(response) == POLICY, url


def test_no_page_has_inline_script_or_style_the_policy_would_block(
    editor: Any, admin_user: Any
) -> None:
    for url, client in _pages(editor, admin_user):
        html = client.get(url).content.decode()
        assert INLINE.findall(html) == [], url


def test_a_refused_page_sends_the_policy_too() -> None:
    response = Client().get("/admin/")
    assert response.status_code == HTTPStatus.FOUND
    assert _policy(response) == POLICY


def test_the_archived_source_keeps_its_own_sandbox_policy(reviewer: Any) -> None:
    source = SourceFactory(text="<script>alert(1)</script>", fetch_status="fetched")
    response = _client(reviewer).get(f"/sources/{source.pk}/")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Security-Policy"] == "sandbox"
