"""Language detection: English or Spanish from stop words and telltale characters."""

from __future__ import annotations

import pytest

from claims.extraction import Detection, detect_language
from claims.extraction.language import UNDETERMINED


@pytest.mark.parametrize(
    "text",
    [
        "The council said on Monday that the new bridge would open in the spring.",
        "i think the pool is closed but you can ask at the desk, they were nice to us",
        "José Núñez said the plan was over budget and would be cut.",
    ],
)
def test_it_detects_english(text: str) -> None:
    detection = detect_language(text)
    assert detection.language == "en"
    assert 0.0 < detection.confidence <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "El ayuntamiento aprobó ayer el presupuesto para el año que viene.",
        "¿Cuánto costó la obra? Según los vecinos, más de lo previsto.",
        "la verdad es que el sitio está muy bien y la comida también",
    ],
)
def test_it_detects_spanish(text: str) -> None:
    detection = detect_language(text)
    assert detection.language == "es"
    assert 0.0 < detection.confidence <= 1.0


@pytest.mark.parametrize("text", ["", "   ", "Hola", "OK 2024", "12,5 % 1.877", "¡¡¡"])
def test_too_little_text_is_undetermined(text: str) -> None:
    assert detect_language(text) == Detection(UNDETERMINED, 0.0)


def test_too_little_text_takes_the_default_the_caller_chooses() -> None:
    assert detect_language("Hola", default="en") == Detection("en", 0.0)


def test_longer_text_gives_more_confidence() -> None:
    short = detect_language("El gobierno dijo que no.")
    long = detect_language(
        "El gobierno dijo que no habrá más recortes este año. Los sindicatos, sin embargo, "
        "creen que las cuentas no salen y piden que se publiquen todos los datos."
    )
    assert short.language == long.language == "es"
    assert long.confidence > short.confidence


def test_a_few_accents_do_not_outvote_english_words() -> None:
    text = "The café on the corner, run by Ana Muñoz, was the best in the town for years."
    assert detect_language(text).language == "en"


def test_it_reads_only_the_start_of_a_very_long_text() -> None:
    text = "The mayor said that the plan is good. " * 2000 + "El plan es bueno y ya está. " * 10
    assert detect_language(text).language == "en"


# At import: the article's language is detected, or chosen by the editor, and shown.

SPANISH_BODY = (
    "El ayuntamiento aprobó ayer un presupuesto de 48 millones de euros. ¿Es justo? "
    "Los vecinos podrán opinar en abril, según el Sr. Gómez."
)


@pytest.mark.django_db
def test_an_imported_spanish_article_is_detected_and_segmented_as_spanish(editor: object) -> None:
    from claims import services

    article = services.article_import(title="Presupuesto", body=SPANISH_BODY, created_by=editor)
    assert article.language == "es"
    starts = [item["start"] for item in article.extraction["sentences"]]
    # "Sr. Gómez" does not end a sentence: three sentences, not four.
    assert len(starts) == 3


@pytest.mark.django_db
def test_a_short_article_is_english_by_default(editor: object) -> None:
    from claims import services

    article = services.article_import(title="t", body="Rents 9%.", created_by=editor)
    assert article.language == "en"


@pytest.mark.django_db
def test_the_editor_may_choose_the_language_when_pasting(client: object, editor: object) -> None:
    from http import HTTPStatus

    from claims.models import Article

    client.force_login(editor)  # type: ignore[attr-defined]
    response = client.post(  # type: ignore[attr-defined]
        "/articles/new/", {"title": "t", "body": SPANISH_BODY, "language": "en"}
    )
    assert response.status_code == HTTPStatus.FOUND
    article = Article.objects.get()
    assert article.language == "en"
    page = client.get(f"/articles/{article.pk}/")  # type: ignore[attr-defined]
    assert 'id="article-language" lang="en"' in page.content.decode()
