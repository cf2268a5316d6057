"""Check-worthiness reasons and import messages in the reader's language.

The engine stores English text; the pages show it translated, and old or unknown text as stored.
"""

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from claims import extraction, importing
from claims.models import ArticleImport, Claim, UserPreference
from claims.reasons import REASON_LABELS, reason_display
from claims.templatetags.claims_imports import import_message_display
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


def _spanish_client(user: Any) -> Client:
    UserPreference.objects.create(user=user, language="es")
    client = Client()
    client.force_login(user)
    return client


# --- Reasons ---------------------------------------------------------------------------------


def test_every_reason_code_of_the_engine_has_a_translatable_label() -> None:
    assert set(REASON_LABELS) == set(extraction.REASON_LABELS)


def test_the_english_labels_are_the_engines_word_for_word() -> None:
    with translation.override("en"):
        shown = {code: str(label) for code, label in REASON_LABELS.items()}
    assert shown == extraction.REASON_LABELS


@pytest.mark.parametrize("code", sorted(extraction.REASON_LABELS))
def test_every_reason_has_a_spanish_label(code: str) -> None:
    stored = str(extraction.Reason(code, "1,240"))
    with translation.override("es"):
        shown = reason_display(stored)
    assert shown.endswith(": 1,240")
    assert shown != stored


def test_a_reason_shows_the_spanish_label_and_what_was_found() -> None:
    with translation.override("es"):
        assert reason_display("states a figure: 1,240") == "da una cifra: 1,240"
        assert reason_display("an opinion") == "una opinión"


def test_an_unknown_or_legacy_reason_is_shown_as_stored() -> None:
    with translation.override("es"):
        assert reason_display("looks important: 12") == "looks important: 12"
        assert reason_display("") == ""


def test_the_article_page_shows_reasons_in_spanish(editor: Any) -> None:
    claim: Claim = ClaimFactory.create(
        status=Claim.Status.CANDIDATE, reasons=["states a figure: 1,240"]
    )
    page = _spanish_client(editor).get(claim.article.get_absolute_url()).content.decode()
    assert "<li>da una cifra: 1,240</li>" in page
    assert "states a figure" not in page


def test_the_claim_workspace_shows_reasons_in_spanish(reviewer: Any) -> None:
    claim: Claim = ClaimFactory.create(
        status=Claim.Status.SELECTED, reasons=["quotes someone", "old wording: 7"]
    )
    page = _spanish_client(reviewer).get(f"/claims/{claim.pk}/").content.decode()
    assert "<li>cita a alguien</li>" in page
    assert "<li>old wording: 7</li>" in page


# --- Import messages -------------------------------------------------------------------------


def test_a_stored_import_error_with_a_figure_is_translated_with_it() -> None:
    stored = importing.GAVE_UP % {"attempts": 3}
    with translation.override("es"):
        assert import_message_display(stored) == (
            "Abandonada: la importación no terminó en 3 intentos."
        )
    with translation.override("en"):
        assert import_message_display(stored) == stored


def test_a_stored_import_error_without_figures_is_translated() -> None:
    with translation.override("es"):
        assert import_message_display(importing.NO_ARTICLE_TEXT).startswith(
            "La página no tiene texto de artículo"
        )
        assert import_message_display(importing.DUPLICATE_NOTE) == "ya está en la mesa"


def test_an_unknown_import_error_is_shown_as_stored() -> None:
    with translation.override("es"):
        assert import_message_display("example.test has no address.") == (
            "example.test has no address."
        )
        assert import_message_display("") == ""


def test_every_stored_import_message_has_a_spanish_translation() -> None:
    with translation.override("es"):
        for message in importing.STORED_MESSAGES:
            assert translation.gettext(message) != message


def test_the_import_job_page_shows_the_error_in_spanish(editor: Any) -> None:
    job = ArticleImport.objects.create(
        url="https://news.example/story",
        requested_by=editor,
        status=ArticleImport.Status.FAILED,
        error=importing.TIMED_OUT % {"seconds": "30"},
    )
    page = _spanish_client(editor).get(f"/articles/imports/{job.pk}/").content.decode()
    assert "La importación tardó más de 30 s y se detuvo." in page
    assert "was stopped" not in page
