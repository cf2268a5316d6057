"""Newsroom screens: login, import with clear errors, escaped article text, claim actions."""

from http import HTTPStatus
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from claims.models import Article, Claim
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db

BODY = "The council spent 48 million pounds in 2025. Spending rose by 4.5% on the year."


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_need_a_login() -> None:
    response = Client().get("/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/login/")


def test_the_login_page_is_served() -> None:
    response = Client().get("/login/")
    assert response.status_code == HTTPStatus.OK
    assert b"Log in" in response.content


def test_the_dashboard_counts_claims_by_status(editor: Any) -> None:
    article = ArticleFactory(title="Counted article")
    Claim.objects.create(article=article, text="The", start=0, end=3, position=0)
    response = _client(editor).get("/")
    assert response.status_code == HTTPStatus.OK
    assert response.context["articles"][0].n_candidate == 1


def test_pasting_an_article_redirects_to_it_with_claims(editor: Any) -> None:
    response = _client(editor).post("/articles/new/", {"title": "Budget", "body": BODY})
    article = Article.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/articles/{article.pk}/"
    assert article.claims.exists()


def test_an_empty_paste_keeps_the_title_and_says_why(editor: Any) -> None:
    response = _client(editor).post("/articles/new/", {"title": "Kept title", "body": "   "})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b"The article has no text" in response.content
    assert b"Kept title" in response.content
    assert not Article.objects.exists()


def test_a_huge_paste_is_refused_with_a_message_not_a_crash(editor: Any) -> None:
    response = _client(editor).post(
        "/articles/new/", {"title": "Huge", "body": "A 1. " * 1_000_000}
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b"the limit is" in response.content


def test_a_reviewer_may_not_import(reviewer: Any) -> None:
    response = _client(reviewer).post("/articles/new/", {"title": "x", "body": BODY})
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_a_binary_upload_gets_a_clear_error(editor: Any) -> None:
    upload = SimpleUploadedFile("photo.txt", bytes(range(256)) * 10, "text/plain")
    response = _client(editor).post("/articles/upload/", {"title": "", "file": upload})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b"binary" in response.content.lower()


def test_article_text_is_escaped_never_run(editor: Any) -> None:
    article = ArticleFactory(body="<script>alert(1)</script> The fund paid 1,240 households.")
    Claim.objects.create(
        article=article, text="The fund paid 1,240 households.", start=26, end=57, position=1
    )
    response = _client(editor).get(f"/articles/{article.pk}/")
    content = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<script>alert(1)" not in content


def test_the_claim_page_shows_the_claim_and_its_forms(reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    response = _client(reviewer).get(f"/claims/{claim.pk}/")
    assert response.status_code == HTTPStatus.OK
    assert claim.text.encode() in response.content
    assert b"Take this claim" in response.content


def test_bulk_select_from_the_article_page(editor: Any) -> None:
    first = ClaimFactory()
    response = _client(editor).post(
        f"/articles/{first.article_id}/claims/", {"claims": [first.pk], "action": "select"}
    )
    assert response.status_code == HTTPStatus.FOUND
    first.refresh_from_db()
    assert first.status == Claim.Status.SELECTED


def test_selecting_needs_a_post(editor: Any) -> None:
    claim = ClaimFactory()
    assert _client(editor).get(f"/claims/{claim.pk}/select/").status_code == (
        HTTPStatus.METHOD_NOT_ALLOWED
    )


def test_the_archived_source_is_plain_text_in_a_sandbox(reviewer: Any) -> None:
    from tests.factories import SourceFactory

    source = SourceFactory(text="<script>alert(1)</script>", fetch_status="fetched")
    response = _client(reviewer).get(f"/sources/{source.pk}/")
    assert response["Content-Type"].startswith("text/plain")
    assert response["Content-Security-Policy"] == "sandbox"


def test_the_dashboard_query_count_does_not_grow_with_articles(
    editor: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(8):
        ClaimFactory(status=Claim.Status.SELECTED)
    client = _client(editor)
    with django_assert_max_num_queries(12):
        assert client.get("/").status_code == HTTPStatus.OK


def test_the_article_page_query_count_does_not_grow_with_claims(
    editor: Any, django_assert_max_num_queries: Any
) -> None:
    article = ArticleFactory(body="One 1. Two 2. Three 3. Four 4. Five 5. Six 6.")
    for position, start in enumerate(range(0, 42, 7)):
        Claim.objects.create(
            article=article,
            text=article.body[start : start + 6],
            start=start,
            end=start + 6,
            position=position,
        )
    client = _client(editor)
    with django_assert_max_num_queries(10):
        assert client.get(f"/articles/{article.pk}/").status_code == HTTPStatus.OK


def test_an_editor_can_make_a_low_scoring_sentence_a_claim(editor: Any) -> None:
    from claims import services

    article = services.article_import(
        title="Mixed",
        body="The council spent 48 million pounds in 2025. What a lovely day it was.",
        created_by=editor,
    )
    others = services.article_other_sentences(article=article)
    assert others, "the second sentence should score below the threshold"
    target = others[-1]
    response = _client(editor).post(f"/articles/{article.pk}/claims/new/", {"start": target.start})
    claim = article.claims.get(start=target.start)
    assert response.status_code == HTTPStatus.FOUND
    assert claim.status == Claim.Status.SELECTED
    assert article.body[claim.start : claim.end] == claim.text == target.text
    again = _client(editor).post(f"/articles/{article.pk}/claims/new/", {"start": target.start})
    assert again.status_code == HTTPStatus.FOUND
    assert article.claims.filter(start=target.start).count() == 1


def test_a_reviewer_cannot_make_claims(reviewer: Any) -> None:
    article = ArticleFactory(body="Nice weather today. The fund paid 12 people.")
    response = _client(reviewer).post(f"/articles/{article.pk}/claims/new/", {"start": 0})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not article.claims.exists()


def test_the_article_page_shows_each_flag_with_its_sentences(editor: Any) -> None:
    from claims import services

    body = (
        "The fund paid 1,240 households in three rounds. The first round reached 610 households. "
        "The second round added 275 households, and the final round paid 190 households."
    )
    article = services.article_import(title="Relief", body=body, created_by=editor)
    assert article.consistency_flags, "the parts do not add up to the total"
    content = _client(editor).get(f"/articles/{article.pk}/").content.decode()
    assert "1,075" in content
    assert "“The first round reached 610 households.”" in content
