"""Newsroom screens: login, import with clear errors, escaped article text, claim actions."""

import datetime
import re
from http import HTTPStatus
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from claims.forms import ArticlePasteForm
from claims.models import Article, Claim
from claims.views import PAGE_SIZE
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
    article = ArticleFactory(title="Counted article", body="The one. The two. The six.")
    for position, (start, status) in enumerate(
        [(0, "candidate"), (9, "candidate"), (18, "in_review")]
    ):
        Claim.objects.create(
            article=article,
            text="The",
            start=start,
            end=start + 3,
            position=position,
            status=status,
        )
    ArticleFactory(title="Article without claims")
    response = _client(editor).get("/")
    assert response.status_code == HTTPStatus.OK
    empty, counted = response.context["articles"].page  # newest first
    assert (counted.n_claims, counted.n_candidate, counted.n_in_review) == (3, 2, 1)
    assert (counted.n_selected, counted.n_published) == (0, 0)
    assert (empty.n_claims, empty.n_candidate) == (0, 0)


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
    assert not Article.objects.exists()


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
    claim.refresh_from_db()
    assert claim.status == Claim.Status.CANDIDATE


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


def _many_claims(count: int, **fields: Any) -> list[Claim]:
    """`count` claims of one article, anchored to their own sentences (one bulk insert)."""
    sentences = [f"Claim number {n:05d} says 5. " for n in range(count)]
    article = ArticleFactory(body="".join(sentences))
    width = len(sentences[0])
    return Claim.objects.bulk_create(
        Claim(
            article=article,
            text=sentences[n].strip(),
            start=n * width,
            end=n * width + len(sentences[n].strip()),
            position=n,
            **fields,
        )
        for n in range(count)
    )


def _listed(response: Any, list_id: str) -> list[str]:
    content = response.content.decode()
    section = content[content.index(f'id="{list_id}"') :].split("</section>")[0]
    return re.findall(r'<a href="/claims/(\d+)/">', section)


def test_a_reviewer_with_thousands_of_claims_gets_one_small_page(reviewer: Any) -> None:
    claims = _many_claims(2_500, status=Claim.Status.IN_REVIEW, assignee=reviewer)
    response = _client(reviewer).get("/")
    assert response.status_code == HTTPStatus.OK
    mine = response.context["my_claims"].page
    assert len(mine) == PAGE_SIZE == 25
    assert mine.paginator.count == 2_500
    assert _listed(response, "my-claims") == [str(claim.pk) for claim in claims[:PAGE_SIZE]]
    assert "page 1 of 100" in response.content.decode()


def test_each_dashboard_list_has_its_own_page_number(editor: Any) -> None:
    _many_claims(60, status=Claim.Status.SELECTED)
    _many_claims(30, status=Claim.Status.IN_REVIEW, assignee=editor)
    response = _client(editor).get("/", {"queue_page": "3", "mine_page": "2"})
    assert response.context["open_claims"].page.number == 3
    assert len(response.context["open_claims"].page) == 10
    assert response.context["my_claims"].page.number == 2
    assert len(response.context["my_claims"].page) == 5
    # The link to the queue's previous page keeps "my claims" on its page.
    previous = response.context["open_claims"].previous_url
    assert "queue_page=2" in previous and "mine_page=2" in previous


@pytest.mark.parametrize("number", ["0", "-1", "abc", "999", "1e3", "99999999999999999999", ""])
def test_a_page_number_that_is_not_one_falls_back_to_a_page(editor: Any, number: str) -> None:
    _many_claims(30, status=Claim.Status.SELECTED)
    response = _client(editor).get("/", {"queue_page": number, "articles_page": number})
    assert response.status_code == HTTPStatus.OK
    assert response.context["open_claims"].page.number in {1, 2}
    assert len(response.context["open_claims"].page) > 0


def test_the_dashboard_pages_articles(editor: Any) -> None:
    for _ in range(PAGE_SIZE + 2):
        ArticleFactory()
    response = _client(editor).get("/", {"articles_page": "2"})
    assert len(response.context["articles"].page) == 2
    assert response.context["articles"].page.paginator.count == PAGE_SIZE + 2


def test_the_dashboard_shows_the_whole_claim_text(reviewer: Any) -> None:
    text = (
        "The council said the new bus lanes cut average journey times by eleven minutes, "
        "a figure its own report gives as four."
    )
    claim = ClaimFactory(text=text, status=Claim.Status.SELECTED)
    assert len(text) > 80 and str(claim) != text
    response = _client(reviewer).get("/")
    assert text in response.content.decode()


def test_the_dashboard_never_reads_article_bodies(editor: Any) -> None:
    _many_claims(5, status=Claim.Status.SELECTED)
    _many_claims(5, status=Claim.Status.IN_REVIEW, assignee=editor)
    _many_claims(5, status=Claim.Status.AWAITING_APPROVAL)
    client = _client(editor)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == HTTPStatus.OK
    assert all(len(response.context[name].page) == 5 for name in ("my_claims", "open_claims"))
    assert len(response.context["awaiting"].page) == 5
    article_queries = [query["sql"] for query in queries if "claims_article" in query["sql"]]
    assert article_queries
    # Counting the articles for their pager does not go through every claim.
    assert any(
        sql.startswith("SELECT COUNT(*)") and "claims_claim" not in sql for sql in article_queries
    )
    for sql in article_queries:
        assert '"body"' not in sql
        assert '"consistency_flags"' not in sql
        assert '"extraction"' not in sql


def test_the_paste_form_shows_a_publication_date_as_an_iso_date() -> None:
    form = ArticlePasteForm(initial={"published_on": datetime.date(2025, 3, 4)})
    assert 'value="2025-03-04"' in str(form["published_on"])


def test_the_article_page_reads_the_stored_extraction_and_never_re_runs_it(editor: Any) -> None:
    from unittest import mock

    from claims import services

    body = "The council spent 48 million pounds in 2025. What a lovely day it was."
    article = services.article_import(title="Stored", body=body, created_by=editor)
    stored = article.extraction["sentences"]
    assert [body[s["start"] : s["end"]] for s in stored] == [
        "The council spent 48 million pounds in 2025.",
        "What a lovely day it was.",
    ]
    with mock.patch("claims.services.extract", side_effect=AssertionError("re-extracted")):
        response = _client(editor).get(f"/articles/{article.pk}/")
    assert response.status_code == HTTPStatus.OK
    assert "What a lovely day it was." in response.content.decode()
