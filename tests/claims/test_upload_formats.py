"""Uploads are read by what they contain: Word, PDF, Markdown, HTML and text become articles;
anything else, a scanned PDF or a bomb is refused with a message, and nothing is stored; a text
the desk already holds points to its article instead of becoming a copy."""

from __future__ import annotations

import zipfile
from http import HTTPStatus
from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.models import Article
from factcheck.lib.documents import ACCEPTED
from tests.documents import build_docx, build_pdf, text_content

pytestmark = pytest.mark.django_db

HEADLINE = "Harbour walls to cost 12 million"
SENTENCE = "The council will spend 12 million pounds on the harbour walls, up from 9 million."


def _upload(client: Any, name: str, data: bytes, title: str = "") -> Any:
    return client.post(
        reverse("claims:article_upload"),
        {"title": title, "file": SimpleUploadedFile(name, data, "application/octet-stream")},
    )


@pytest.fixture
def desk(client: Any, editor: Any) -> Any:
    client.force_login(editor)
    return client


def _word() -> bytes:
    def fill(document: Any) -> None:
        document.core_properties.title = HEADLINE
        document.add_paragraph(SENTENCE)
        document.add_paragraph("Work starts in May, the harbour master said.")

    return build_docx(fill)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("story.docx", _word()),
        # Named as anything: the content decides.
        ("story.bin", _word()),
        ("story.pdf", build_pdf([text_content(SENTENCE)], title=HEADLINE)),
        ("story.md", f"# {HEADLINE}\n\n{SENTENCE}\n".encode()),
        (
            "story.txt",
            f"<html><head><title>{HEADLINE}</title></head><body><p>{SENTENCE}</p>".encode(),
        ),
    ],
    ids=["docx", "docx-named-bin", "pdf", "markdown", "html-named-txt"],
)
def test_each_accepted_type_becomes_an_article_with_its_title(
    desk: Any, name: str, data: bytes
) -> None:
    response = _upload(desk, name, data)
    article = Article.objects.get()
    assert (
        response.status_code == HTTPStatus.FOUND
        and response["Location"] == article.get_absolute_url()
    )
    assert article.title == HEADLINE
    assert SENTENCE in article.body
    assert article.import_method == Article.ImportMethod.UPLOAD
    assert article.claims.filter(text__contains="12 million").exists()
    for claim in article.claims.all():
        assert article.body[claim.start : claim.end] == claim.text


def _spreadsheet() -> bytes:
    data = BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return data.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("scan.pdf", build_pdf([None]), "no text layer"),
        ("figures.txt", _spreadsheet(), ACCEPTED),
        ("photo.txt", b"\x89PNG\r\n\x1a\n" + bytes(64), ACCEPTED),
        ("empty.docx", b"PK\x03\x04broken", "Word"),
    ],
    ids=["scanned-pdf", "spreadsheet", "png-named-txt", "broken-docx"],
)
def test_what_cannot_be_read_is_refused_with_a_message_and_nothing_stored(
    desk: Any, name: str, data: bytes, message: str
) -> None:
    response = _upload(desk, name, data, title="Kept title")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    page = response.content.decode()
    assert message in page.replace("&#x27;", "'")
    assert 'value="Kept title"' in page  # what the person typed comes back
    assert not Article.objects.exists()


def test_a_file_over_the_upload_limit_is_refused(desk: Any, settings: Any) -> None:
    settings.FACTCHECK_MAX_UPLOAD_BYTES = 1_000
    response = _upload(desk, "story.docx", _word())
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "the limit is 0.0 MB" in response.content.decode()
    assert not Article.objects.exists()


def test_the_same_text_again_points_to_the_article_that_holds_it(desk: Any) -> None:
    _upload(desk, "story.md", f"# {HEADLINE}\n\n{SENTENCE}\n".encode())
    first = Article.objects.get()
    # The same words pasted, with other line endings: identical once normalised.
    pasted = desk.post(
        reverse("claims:article_create"),
        {"title": "Another title", "body": first.body.replace("\n", "\r\n")},
        follow=True,
    )
    assert pasted.redirect_chain == [(first.get_absolute_url(), HTTPStatus.FOUND)]
    assert "This text is already in the desk" in pasted.content.decode()
    # The same file again.
    uploaded = _upload(desk, "story-again.md", f"# {HEADLINE}\n\n{SENTENCE}\n".encode())
    assert uploaded["Location"] == first.get_absolute_url()
    assert Article.objects.count() == 1
