"""Newsroom actions on articles and claims through the Django client: success and main refusals.

Also the session pages of the project urlconf (health probe, logout).
"""

from http import HTTPStatus
from typing import Any

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from claims.models import Article, ArticleImport, Claim
from claims.tasks import article_import_url_task
from tests.factories import ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db

BODY = "The council spent 48 million pounds in 2025. Spending rose by 4.5% on the year."


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _messages(response: Any, level: int | None = None) -> list[str]:
    """The flash messages the request left, optionally only those of one level."""
    return [
        str(message)
        for message in get_messages(response.wsgi_request)
        if level is None or message.level == level
    ]


def _one_error(response: Any) -> str:
    """The one error message a refused action flashed (its wording belongs to the service)."""
    errors = _messages(response, messages.ERROR)
    assert len(errors) == 1, _messages(response)
    assert not _messages(response, messages.SUCCESS)
    return errors[0]


# --- Project pages -----------------------------------------------------------------------------


def test_the_health_probe_answers_ok_without_a_login() -> None:
    response = Client().get("/health/")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "ok"}


def test_logging_out_ends_the_session(editor: Any) -> None:
    client = _client(editor)
    assert client.get("/").status_code == HTTPStatus.OK
    response = client.post("/logout/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/login/"
    after = client.get("/")
    assert after.status_code == HTTPStatus.FOUND and after["Location"].startswith("/login/?next=")


def test_logging_out_needs_a_post(editor: Any) -> None:
    client = _client(editor)
    assert client.get("/logout/").status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert client.get("/").status_code == HTTPStatus.OK  # still logged in


# --- Import by upload --------------------------------------------------------------------------


def test_uploading_a_text_file_imports_it_with_claims(editor: Any) -> None:
    upload = SimpleUploadedFile("budget.txt", BODY.encode("utf-8"), "text/plain")
    response = _client(editor).post("/articles/upload/", {"title": "Budget", "file": upload})
    article = Article.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/articles/{article.pk}/"
    assert article.title == "Budget" and article.body == BODY
    assert article.import_method == Article.ImportMethod.UPLOAD
    assert article.claims.exists()
    assert all(article.body[c.start : c.end] == c.text for c in article.claims.all())
    assert _messages(response) == [f"Imported with {article.claims.count()} candidate claims."]


def test_uploading_an_html_file_keeps_its_text_and_title_not_its_markup(editor: Any) -> None:
    page = (
        "<html><head><title>Council budget</title><script>steal()</script></head>"
        f"<body><p>{BODY}</p></body></html>"
    )
    upload = SimpleUploadedFile("budget.html", page.encode("utf-8"), "application/octet-stream")
    response = _client(editor).post("/articles/upload/", {"title": "", "file": upload})
    article = Article.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert article.title == "Council budget"
    assert BODY in article.body and "steal" not in article.body and "<p>" not in article.body


def test_an_empty_upload_is_refused_with_a_message(editor: Any) -> None:
    upload = SimpleUploadedFile("empty.txt", b"", "text/plain")
    response = _client(editor).post("/articles/upload/", {"title": "", "file": upload})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b"The submitted file is empty." in response.content
    assert not Article.objects.exists()


def test_uploading_needs_the_right_to_import(reviewer: Any) -> None:
    upload = SimpleUploadedFile("budget.txt", BODY.encode("utf-8"), "text/plain")
    response = _client(reviewer).post("/articles/upload/", {"title": "", "file": upload})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not Article.objects.exists()


# --- Import by URL -----------------------------------------------------------------------------


def _fetch_in_background(client: Client, url: str) -> Any:
    """Post the URL form, then run the queued job as the worker would."""
    response = client.post("/articles/fetch/", {"url": url})
    if response.status_code == HTTPStatus.FOUND:
        job = ArticleImport.objects.get()
        assert response["Location"] == f"/articles/imports/{job.pk}/"
        article_import_url_task(job.pk)
    return response


def test_fetching_a_url_imports_the_page(editor: Any, local_server: Any) -> None:
    url = local_server.add(
        "/story",
        f"<html><head><title>Fetched story</title></head><body><p>{BODY}</p></body></html>",
    )
    response = _fetch_in_background(_client(editor), url)
    article = Article.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert ArticleImport.objects.get().article == article
    assert article.title == "Fetched story" and article.body == BODY
    assert article.import_method == Article.ImportMethod.URL and article.source_url == url
    assert article.claims.exists()
    assert local_server.hits == ["/story"]


def test_fetching_a_missing_page_says_why(editor: Any, local_server: Any) -> None:
    url = local_server.url("/gone")
    client = _client(editor)
    _fetch_in_background(client, url)
    job = ArticleImport.objects.get()
    assert job.status == ArticleImport.Status.FAILED
    response = client.get(f"/articles/imports/{job.pk}/")
    assert f"{url} answered 404".encode() in response.content
    assert not Article.objects.exists()


def test_fetching_a_private_address_is_refused_without_the_allowance(
    editor: Any, local_server: Any, settings: Any
) -> None:
    settings.FACTCHECK_FETCH_ALLOWED_NETWORKS = []
    url = local_server.add("/internal", f"<p>{BODY}</p>")
    response = _client(editor).post("/articles/fetch/", {"url": url})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b"127.0.0.1 is not a public address." in response.content
    assert local_server.hits == [] and not Article.objects.exists()
    assert not ArticleImport.objects.exists()


def test_fetching_refuses_a_non_url_and_a_get(editor: Any) -> None:
    client = _client(editor)
    response = client.post("/articles/fetch/", {"url": "not a url at all"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b"Enter a valid URL." in response.content
    assert client.get("/articles/fetch/").status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert not Article.objects.exists() and not ArticleImport.objects.exists()


# --- Select, dismiss, take ---------------------------------------------------------------------


def test_selecting_a_candidate_puts_it_on_the_queue(editor: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.CANDIDATE)
    response = _client(editor).post(f"/claims/{claim.pk}/select/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/claims/{claim.pk}/"
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SELECTED
    assert list(Claim.objects.open_for_review()) == [claim]
    assert _messages(response) == ["Claim is now selected."]


def test_selecting_a_published_claim_is_refused_with_a_message(editor: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.PUBLISHED)
    response = _client(editor).post(f"/claims/{claim.pk}/select/")
    assert response.status_code == HTTPStatus.FOUND
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PUBLISHED
    assert "cannot be selected" in _one_error(response)


def test_a_reviewer_may_not_select(reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.CANDIDATE)
    assert _client(reviewer).post(f"/claims/{claim.pk}/select/").status_code == (
        HTTPStatus.FORBIDDEN
    )
    claim.refresh_from_db()
    assert claim.status == Claim.Status.CANDIDATE


def test_dismissing_takes_a_selected_claim_off_the_desk(editor: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    response = _client(editor).post(f"/claims/{claim.pk}/dismiss/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/claims/{claim.pk}/"
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DISMISSED and claim.assignee is None
    assert not Claim.objects.open_for_review().exists()
    assert _messages(response) == ["Claim is now dismissed."]


def test_dismissing_a_claim_in_review_is_refused_with_a_message(editor: Any, reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.IN_REVIEW, assignee=reviewer)
    response = _client(editor).post(f"/claims/{claim.pk}/dismiss/")
    assert response.status_code == HTTPStatus.FOUND
    claim.refresh_from_db()
    assert claim.status == Claim.Status.IN_REVIEW and claim.assignee == reviewer
    assert "cannot be dismissed" in _one_error(response)


def test_a_reviewer_may_not_dismiss(reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    response = _client(reviewer).post(f"/claims/{claim.pk}/dismiss/")
    assert response.status_code == HTTPStatus.FORBIDDEN
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SELECTED


def test_dismissing_an_unknown_claim_is_not_found(editor: Any) -> None:
    assert _client(editor).post("/claims/999999/dismiss/").status_code == HTTPStatus.NOT_FOUND


def test_a_reviewer_takes_a_claim_from_the_queue(reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    response = _client(reviewer).post(f"/claims/{claim.pk}/take/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/claims/{claim.pk}/"
    claim.refresh_from_db()
    assert claim.status == Claim.Status.IN_REVIEW and claim.assignee == reviewer
    assert list(Claim.objects.assigned_to(reviewer)) == [claim]
    assert _messages(response) == ["Claim is now in review."]


def test_a_claim_already_taken_cannot_be_taken_by_a_second_reviewer(reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    _client(reviewer).post(f"/claims/{claim.pk}/take/")
    second = UserFactory(username="second-reviewer", role="Reviewer")
    response = _client(second).post(f"/claims/{claim.pk}/take/")
    assert response.status_code == HTTPStatus.FOUND
    claim.refresh_from_db()
    assert claim.assignee == reviewer
    _one_error(response)


def test_an_account_without_a_role_may_not_take_a_claim() -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    cms = UserFactory(username="cms-integration")
    assert _client(cms).post(f"/claims/{claim.pk}/take/").status_code == HTTPStatus.FORBIDDEN
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SELECTED and claim.assignee is None
