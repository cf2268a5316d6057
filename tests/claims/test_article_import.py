"""The article import service: normalisation, bad input, claims anchored to the body."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from claims import importing, services
from claims.models import Article

pytestmark = pytest.mark.django_db

FIGURES = (
    "The council approved a budget of 48 million pounds on Thursday.\r\n"
    "Council tax will rise by 4.5%, the largest increase since 2019.\r\n"
    "Is that fair? Residents will have their say in April."
)


def test_it_stores_a_normalised_body_and_anchors_every_claim(editor: object) -> None:
    article = services.article_import(title="  Budget\n day ", body=FIGURES, created_by=editor)
    assert article.title == "Budget day"
    assert "\r" not in article.body
    claims = list(article.claims.all())
    assert claims, "a text full of figures must give candidate claims"
    for claim in claims:
        assert article.body[claim.start : claim.end] == claim.text
        assert 0.0 <= claim.score <= 1.0
    assert len(article.body_sha256) == 64


def test_it_ranks_the_figure_above_the_question(editor: object) -> None:
    article = services.article_import(
        title="t",
        body=FIGURES,
        created_by=editor,
    )
    texts = [claim.text for claim in article.claims.order_by("-score")]
    assert texts[0].startswith(("The council approved", "Council tax"))
    assert not any(text.startswith("Is that fair?") for text in texts[:1])


def test_it_takes_the_title_from_the_first_line_when_none_is_given(editor: object) -> None:
    article = services.article_import(
        title="", body="Rents rose 9% in 2025.\nMore.", created_by=editor
    )
    assert article.title == "Rents rose 9% in 2025."


def test_an_opening_paragraph_gives_its_first_sentence_as_the_title(editor: object) -> None:
    opening = (
        "The harbour board approved a 12 million pound dredging contract on Monday, ending "
        "a two-year dispute with the fishing cooperative. Work starts in March and is due to "
        "finish before the summer season, the board's chair said."
    )
    article = services.article_import(title="", body=opening + "\nMore.", created_by=editor)
    assert article.title == (
        "The harbour board approved a 12 million pound dredging contract on Monday, ending "
        "a two-year dispute with the fishing cooperative."
    )


def test_a_long_first_sentence_is_cut_at_a_word_for_the_title(editor: object) -> None:
    words = "the ferry timetable for the winter months was changed again " * 4
    body = "Residents said " + words.strip() + " without notice."
    article = services.article_import(title="", body=body, created_by=editor)
    assert len(article.title) <= services.TITLE_FROM_TEXT_CHARS
    assert article.title.endswith("…")
    assert body.startswith(article.title[:-1])
    assert body[len(article.title) - 1] == " ", "the cut falls between two words"


def test_a_title_given_is_kept_whole_however_long(editor: object) -> None:
    title = "Harbour " * 30
    article = services.article_import(title=title, body="Rents rose 9%.", created_by=editor)
    assert article.title == title.strip()


@pytest.mark.parametrize("body", ["", "   \n\t ", "\ufeff\x00"])
def test_it_refuses_an_empty_article_with_a_clear_message(editor: object, body: str) -> None:
    with pytest.raises(ValidationError, match="no text"):
        services.article_import(title="Empty", body=body, created_by=editor)
    assert not Article.objects.exists()


def test_it_refuses_an_article_over_the_size_limit(editor: object, settings: object) -> None:
    settings.FACTCHECK_MAX_ARTICLE_BYTES = 1000  # type: ignore[attr-defined]
    with pytest.raises(ValidationError, match="limit is"):
        services.article_import(title="Big", body="Figures 12. " * 200, created_by=editor)


def test_a_reviewer_cannot_import(reviewer: object) -> None:
    with pytest.raises(PermissionDenied):
        services.article_import(title="t", body=FIGURES, created_by=reviewer)


def test_it_imports_an_html_upload_as_text_without_its_scripts(editor: object) -> None:
    html = (
        b"<html><head><title>Budget night</title><script>alert(1)</script></head>"
        b"<body><p>The council approved a budget of 48 million pounds.</p>"
        b"<p>Council tax rises by 4.5%.</p></body></html>"
    )
    article = services.article_import_file(
        title="", data=html, filename="budget.html", created_by=editor
    )
    assert article.title == "Budget night"
    assert "alert" not in article.body
    assert "48 million pounds.\n" in article.body
    assert article.import_method == Article.ImportMethod.UPLOAD


def test_it_decodes_a_latin_1_upload(editor: object) -> None:
    data = "Le budget de la région augmente de 4,5 % cette année, a déclaré le maire.".encode(
        "latin-1"
    )
    article = services.article_import_file(
        title="Région", data=data, filename="a.txt", created_by=editor
    )
    assert "région" in article.body


def test_it_refuses_a_binary_upload_with_a_clear_message(editor: object) -> None:
    data = bytes(range(256)) * 20
    with pytest.raises(ValidationError) as raised:
        services.article_import_file(title="x", data=data, filename="x.txt", created_by=editor)
    assert "file" in raised.value.message_dict
    assert not Article.objects.exists()


def test_it_imports_an_article_from_a_local_url(editor: object, local_server: object) -> None:
    url = local_server.add(  # type: ignore[attr-defined]
        "/story", "<title>Bus fares</title><p>Fares were capped at 2 pounds in 2025.</p>"
    )
    job = importing.article_import_url_queue(url=url, requested_by=editor)
    importing.article_import_url_run(import_id=job.pk)
    article = Article.objects.get()
    assert article.title == "Bus fares"
    assert article.source_url == url
    assert article.body == "Fares were capped at 2 pounds in 2025."


def test_it_refuses_a_url_on_a_private_address_without_the_allowance(
    editor: object, local_server: object, settings: object
) -> None:
    settings.FACTCHECK_FETCH_ALLOWED_NETWORKS = []  # type: ignore[attr-defined]
    url = local_server.add("/story", "<p>Secret admin page.</p>")  # type: ignore[attr-defined]
    with pytest.raises(ValidationError, match="is not a public address"):
        importing.article_import_url_queue(url=url, requested_by=editor)
    assert local_server.hits == []  # type: ignore[attr-defined]
