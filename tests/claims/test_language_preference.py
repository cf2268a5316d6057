"""The desk's language: a per-user preference, the cookie, the browser; the API stays English."""

from http import HTTPStatus
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.utils import translation

from claims.apps import language_apply_on_login
from claims.middleware import SESSION_LANGUAGE_KEY
from claims.models import UserPreference
from reviews.models import Rating
from reviews.templatetags.ratings import rating_label, rating_label_of
from tests.factories import ClaimFactory, VerdictFactory, default_rating

pytestmark = pytest.mark.django_db


def _client(user: Any, **headers: str) -> Client:
    client = Client(headers=headers)
    client.force_login(user)
    return client


def test_english_is_the_default(editor: Any) -> None:
    page = _client(editor).get("/").content.decode()
    assert '<html lang="en-gb">' in page
    assert "Review queue" in page


def test_the_browser_language_is_used_without_a_preference(editor: Any) -> None:
    page = _client(editor, accept_language="es-ES,es;q=0.9,en;q=0.5").get("/").content.decode()
    assert '<html lang="es">' in page
    assert "Cola de revisión" in page


def test_the_switcher_stores_the_preference_and_sets_the_cookie(editor: Any) -> None:
    client = _client(editor)
    response = client.post("/language/", {"language": "es", "next": "/queue/"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/queue/"
    assert UserPreference.objects.get(user=editor).language == "es"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    page = client.get("/").content.decode()
    assert "Cola de revisión" in page and "Cerrar sesión" in page


def test_the_stored_preference_beats_the_browser(editor: Any) -> None:
    UserPreference.objects.create(user=editor, language="es")
    client = _client(editor, accept_language="en-GB,en;q=0.9")
    assert "Cola de revisión" in client.get("/").content.decode()


def test_the_preference_is_applied_at_login(editor: Any) -> None:
    UserPreference.objects.create(user=editor, language="es")
    request = RequestFactory().get("/")
    request.session = {}  # type: ignore[assignment]
    language_apply_on_login(sender=type(editor), request=request, user=editor)
    assert request.session[SESSION_LANGUAGE_KEY] == "es"


def test_logging_in_through_the_form_applies_the_stored_language(editor: Any) -> None:
    editor.set_password("a long pass phrase")
    editor.save()
    UserPreference.objects.create(user=editor, language="es")
    client = Client()
    response = client.post("/login/", {"username": "editor", "password": "a long pass phrase"})
    assert response.status_code == HTTPStatus.FOUND
    assert "Cola de revisión" in client.get("/").content.decode()


def test_switching_back_to_english_wins_over_the_browser(editor: Any) -> None:
    client = _client(editor, accept_language="es")
    client.post("/language/", {"language": "en-gb", "next": "/"})
    assert UserPreference.objects.get(user=editor).language == "en-gb"
    assert "Review queue" in client.get("/").content.decode()


def test_the_switcher_refuses_an_unknown_language_and_a_foreign_next(editor: Any) -> None:
    client = _client(editor)
    assert client.post("/language/", {"language": "xx"}).status_code == HTTPStatus.BAD_REQUEST
    response = client.post("/language/", {"language": "es", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_a_visitor_gets_the_browser_language_and_cannot_store_one() -> None:
    client = Client(headers={"accept-language": "es"})
    assert "Inicie sesión en la mesa" in client.get("/login/").content.decode()
    response = client.post("/language/", {"language": "es", "next": "/login/"})
    assert response["Location"].startswith("/login/?next=")
    assert not UserPreference.objects.exists()


def test_after_logging_out_the_login_page_keeps_the_chosen_language(editor: Any) -> None:
    client = _client(editor)
    client.post("/language/", {"language": "es", "next": "/"})
    client.post("/logout/")
    assert "Inicie sesión en la mesa" in client.get("/login/").content.decode()


def test_the_api_stays_english_whatever_the_browser_says() -> None:
    # DRF ships Spanish messages: without the guard a CMS in Spain would get them.
    response = Client(headers={"accept-language": "es"}).get("/api/v1/verdicts/")
    assert response.status_code in {HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN}
    assert response["Content-Language"] == "en-gb"
    assert "credentials" in response.content.decode().lower()


def test_a_form_error_is_in_spanish_for_a_spanish_user(editor: Any) -> None:
    UserPreference.objects.create(user=editor, language="es")
    page = _client(editor).post("/articles/new/", {"title": "", "body": ""}).content.decode()
    assert "El artículo no tiene texto" in page


def test_rating_labels_fall_back_to_english() -> None:
    rating = default_rating("False")
    assert rating.label_es == "Falso"  # filled for the default scale by the data migration
    assert rating.label_in("es") == "Falso"
    assert rating.label_in("es-ar") == "Falso"
    assert rating.label_in("en-gb") == "False"
    custom = Rating(scale=rating.scale, label="Satire")
    assert custom.label_in("es") == "Satire"
    with translation.override("es"):
        assert rating_label(rating) == "Falso"
        assert rating_label_of("False", "Falso") == "Falso"
        assert rating_label_of("Satire", "") == "Satire"
    with translation.override("en-gb"):
        assert rating_label(rating) == "False"


def test_the_claim_page_shows_the_spanish_rating(editor: Any) -> None:
    claim = ClaimFactory()
    VerdictFactory(claim=claim, rating=default_rating("Mostly true"))
    UserPreference.objects.create(user=editor, language="es")
    page = _client(editor).get(f"/claims/{claim.pk}/").content.decode()
    assert "Mayormente verdadero" in page
    assert "Veredicto" in page
