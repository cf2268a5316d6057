"""The CMS API: keys and scopes, published verdicts only, cursor pages, filters, one error shape,
article push, archived source text and the docs."""

import datetime
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from claims.models import Article, Claim
from reviews import services
from reviews.models import ApiKey, Source
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    EvidenceFactory,
    SourceFactory,
    UserFactory,
    VerdictFactory,
    default_rating,
)

pytestmark = pytest.mark.django_db


def _published(published_at: datetime.datetime | None = None, **kwargs: Any) -> Any:
    approver = UserFactory(role="Editor", first_name="Eda", last_name="Morgan")
    now = published_at or timezone.now()
    verdict = VerdictFactory(
        submitted_at=now, approved_by=approver, approved_at=now, published_at=now, **kwargs
    )
    Claim.objects.filter(pk=verdict.claim_id).update(status=Claim.Status.PUBLISHED)
    return verdict


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The one error shape of the API."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"status", "code", "detail", "errors"}
    assert body["status"] == status and body["code"] == code and body["detail"]
    return body


# --- Keys, scopes and throttling -------------------------------------------------------------

READ_PATHS = [
    "/api/v1/",
    "/api/v1/verdicts/",
    "/api/v1/verdicts/{verdict}/",
    "/api/v1/verdicts/claimreview/",
    "/api/v1/verdicts/{verdict}/claimreview/",
    "/api/v1/verdicts/{verdict}/evidence-pack/",
    "/api/v1/articles/{article}/claimreview/",
    "/api/v1/changes/",
    "/api/v1/sources/{source}/snapshot/",
]


@pytest.fixture
def published_with_source() -> dict[str, int]:
    verdict = _published()
    source = SourceFactory(fetch_status=Source.FetchStatus.FETCHED, text="Archived page text.")
    EvidenceFactory(claim=verdict.claim, url=source.url, source=source)
    return {"verdict": verdict.pk, "article": verdict.claim.article_id, "source": source.pk}


@pytest.mark.parametrize("path", READ_PATHS)
@pytest.mark.parametrize("scope", ["read", "read_write"])
def test_every_read_endpoint_answers_a_key_of_either_scope(
    api_client_for: Callable[..., APIClient],
    published_with_source: dict[str, int],
    path: str,
    scope: str,
) -> None:
    response = api_client_for(scope).get(path.format(**published_with_source))
    assert response.status_code == HTTPStatus.OK, response.content


@pytest.mark.parametrize("path", READ_PATHS)
def test_every_read_endpoint_refuses_a_request_without_a_key(
    published_with_source: dict[str, int], path: str
) -> None:
    response = APIClient().get(path.format(**published_with_source))
    body = _error(response, HTTPStatus.UNAUTHORIZED, "not_authenticated")
    assert response["WWW-Authenticate"] == "Api-Key"
    assert "Api-Key" in body["detail"]
    assert b"Archived page text" not in response.content


def test_an_unknown_a_revoked_and_an_expired_key_are_refused(
    api_client_for: Callable[..., APIClient],
) -> None:
    _published(summary="Published secret")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Api-Key notakey.atall")
    _error(client.get("/api/v1/verdicts/"), HTTPStatus.UNAUTHORIZED, "authentication_failed")
    _revoked, key = ApiKey.objects.create_key(name="old", revoked=True)
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    _error(client.get("/api/v1/verdicts/"), HTTPStatus.UNAUTHORIZED, "authentication_failed")
    _expired, key = ApiKey.objects.create_key(
        name="expired", expiry_date=timezone.now() - datetime.timedelta(days=1)
    )
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    response = client.get("/api/v1/verdicts/")
    _error(response, HTTPStatus.UNAUTHORIZED, "authentication_failed")
    assert b"Published secret" not in response.content


def test_a_newsroom_login_is_not_a_key_but_staff_may_browse(reviewer: Any, admin_user: Any) -> None:
    _published(summary="Published one")
    client = APIClient()
    client.force_login(reviewer)
    _error(client.get("/api/v1/verdicts/"), HTTPStatus.FORBIDDEN, "permission_denied")
    client.force_login(admin_user)
    assert client.get("/api/v1/verdicts/").status_code == HTTPStatus.OK
    browsable = client.get("/api/v1/verdicts/", HTTP_ACCEPT="text/html")
    assert browsable.status_code == HTTPStatus.OK and b"Published one" in browsable.content


def test_a_key_records_when_it_was_last_used_at_most_once_a_minute(
    api_client_for: Callable[..., APIClient],
    django_assert_num_queries: Any,
) -> None:
    client = api_client_for("read")
    api_key = ApiKey.objects.get()
    assert api_key.last_used_at is None
    client.get("/api/v1/changes/")
    first = ApiKey.objects.get().last_used_at
    assert first is not None
    # Within the minute: the key lookup and the page, no write.
    with django_assert_num_queries(2):
        client.get("/api/v1/changes/")
    assert ApiKey.objects.get().last_used_at == first


def test_a_key_is_stored_hashed(api_client_for: Callable[..., APIClient]) -> None:
    _api_key, key = ApiKey.objects.create_key(name="CMS")
    stored = ApiKey.objects.get(name="CMS")
    assert key not in stored.hashed_key and key.split(".")[1] not in stored.id
    assert ApiKey.objects.get_from_key(key) == stored


def test_past_its_rate_a_key_gets_429_with_retry_after_and_others_go_on(
    settings: Any, api_client_for: Callable[..., APIClient]
) -> None:
    settings.FACTCHECK_API_RATE = "2/min"
    busy, quiet = api_client_for("read", name="busy"), api_client_for("read", name="quiet")
    assert [busy.get("/api/v1/changes/").status_code for _ in range(2)] == [200, 200]
    response = busy.get("/api/v1/changes/")
    _error(response, HTTPStatus.TOO_MANY_REQUESTS, "throttled")
    assert 0 < int(response["Retry-After"]) <= 60
    assert quiet.get("/api/v1/changes/").status_code == HTTPStatus.OK


# --- Published verdicts ----------------------------------------------------------------------


def test_it_lists_only_published_verdicts_with_claim_article_rating_and_people(
    cms_client: APIClient,
) -> None:
    article = ArticleFactory(
        title="Harbour budget",
        body="The council spent 4.2 million on the harbour.",
        source_url="https://news.example/harbour",
        external_id="cms-77",
    )
    claim = ClaimFactory(
        article=article, text=article.body, claimant="Mayor Lin", status=Claim.Status.PUBLISHED
    )
    published = _published(
        claim=claim,
        summary="Published one",
        author=UserFactory(role="Reviewer", first_name="Rui", last_name="Santos"),
    )
    VerdictFactory(summary="Still a draft")
    response = cms_client.get("/api/v1/verdicts/")
    assert response.status_code == HTTPStatus.OK
    [item] = response.json()["results"]
    assert item["id"] == published.pk and item["summary"] == "Published one"
    assert item["claim"] == {
        "id": claim.pk,
        "text": claim.text,
        "start": 0,
        "end": len(claim.text),
        "revision": 1,
        "anchor": "anchored",
        "claimant": "Mayor Lin",
    }
    assert item["article"] == {
        "id": article.pk,
        "title": "Harbour budget",
        "url": "https://news.example/harbour",
        "external_id": "cms-77",
        "outlet": "",
        "published_on": None,
    }
    assert item["rating"] == {"label": "False", "value": 1, "scale": "Truth scale"}
    assert item["reviewer"] == "Rui Santos" and item["approver"] == "Eda Morgan"
    assert item["published_at"] and item["modified_at"] is None


def test_evidence_carries_its_archived_copy_once_archived(cms_client: APIClient) -> None:
    verdict = _published()
    archived = SourceFactory(
        fetch_status=Source.FetchStatus.FETCHED,
        fetched_at=timezone.now(),
        body_sha256="ab" * 32,
        text="Archived.",
    )
    EvidenceFactory(claim=verdict.claim, url=archived.url, source=archived, quote="30, not 40.")
    waiting = SourceFactory()
    EvidenceFactory(claim=verdict.claim, url=waiting.url, source=waiting, quote="")
    item = cms_client.get(f"/api/v1/verdicts/{verdict.pk}/").json()
    first, second = item["evidence"]
    assert first["archived_url"] == f"http://testserver/api/v1/sources/{archived.pk}/snapshot/"
    assert first["archived_sha256"] == "ab" * 32 and first["archived_at"]
    assert first["quote"] == "30, not 40." and first["stance"] == "context"
    assert second["archived_url"] is None and second["archived_sha256"] is None
    snapshot = cms_client.get(first["archived_url"])
    assert snapshot.status_code == HTTPStatus.OK and snapshot.content == b"Archived."
    assert snapshot["Content-Type"].startswith("text/plain")
    assert snapshot["Content-Security-Policy"] == "sandbox"


def test_a_source_cited_only_by_unpublished_work_is_not_served(cms_client: APIClient) -> None:
    source = SourceFactory(fetch_status=Source.FetchStatus.FETCHED, text="Research in progress.")
    EvidenceFactory(claim=VerdictFactory().claim, url=source.url, source=source)
    response = cms_client.get(f"/api/v1/sources/{source.pk}/snapshot/")
    _error(response, HTTPStatus.NOT_FOUND, "not_found")


def _verdicts_with_evidence(count: int) -> None:
    for _ in range(count):
        verdict = _published()
        source = SourceFactory(fetch_status=Source.FetchStatus.FETCHED)
        EvidenceFactory(claim=verdict.claim, url=source.url, source=source)
        services.verdict_correct(
            verdict=verdict,
            user=verdict.approved_by,
            rating=default_rating("Mostly false"),
            summary="Corrected.",
            explanation="",
            note="A better figure.",
            expected_version=verdict.version,
        )


@pytest.mark.parametrize("path", ["/api/v1/verdicts/", "/api/v1/verdicts/claimreview/"])
def test_a_page_costs_the_same_queries_for_2_or_12_verdicts(
    cms_client: APIClient, path: str
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for batch in (2, 10):
        _verdicts_with_evidence(batch)
        cms_client.get(path)  # the key's last-used time is written on the first request only
        with CaptureQueriesContext(connection) as queries:
            response = cms_client.get(path)
        assert response.status_code == HTTPStatus.OK
        counts.append(len(queries))
    assert len(response.json()["results"]) == 12
    assert counts[0] == counts[1]


def test_a_draft_and_a_withdrawn_verdict_are_not_found(cms_client: APIClient) -> None:
    draft = VerdictFactory(summary="Draft secret")
    withdrawn = _published(summary="Withdrawn secret")
    services.verdicts_withdraw(verdict_ids=[withdrawn.pk], user=UserFactory(role="Editor"))
    kept = _published(summary="Still stands.")
    for verdict in (draft, withdrawn):
        for suffix in ("", "claimreview/", "evidence-pack/"):
            response = cms_client.get(f"/api/v1/verdicts/{verdict.pk}/{suffix}")
            _error(response, HTTPStatus.NOT_FOUND, "not_found")
            assert b"secret" not in response.content
    listed = cms_client.get("/api/v1/verdicts/").json()["results"]
    assert [item["id"] for item in listed] == [kept.pk]
    reviews = cms_client.get("/api/v1/verdicts/claimreview/").json()["results"]
    assert [review["claimReviewed"] for review in reviews] == [kept.claim.text]


def test_claimreview_and_evidence_pack_endpoints_serve_the_builders(
    cms_client: APIClient,
) -> None:
    verdict = _published(rating=default_rating("Mostly false"))
    review = cms_client.get(f"/api/v1/verdicts/{verdict.pk}/claimreview/").json()
    assert review["@type"] == "ClaimReview" and review["claimReviewed"] == verdict.claim.text
    assert review["reviewRating"]["alternateName"] == "Mostly false"
    by_article = cms_client.get(f"/api/v1/articles/{verdict.claim.article_id}/claimreview/")
    assert by_article.json() == [review]
    pack = cms_client.get(f"/api/v1/verdicts/{verdict.pk}/evidence-pack/").json()
    assert pack["verdict"]["rating"] == "Mostly false" and pack["verdict_id"] == verdict.pk
    assert cms_client.get("/api/v1/articles/999999/claimreview/").status_code == 404


# --- Cursor pages and filters ----------------------------------------------------------------


def test_cursor_pages_follow_on_newest_first_and_new_publications_do_not_shift_them(
    cms_client: APIClient,
) -> None:
    start = timezone.now() - datetime.timedelta(hours=1)
    verdicts = [
        _published(published_at=start + datetime.timedelta(minutes=n), summary=f"V{n}")
        for n in range(5)
    ]
    first = cms_client.get("/api/v1/verdicts/", {"limit": 2}).json()
    assert [item["summary"] for item in first["results"]] == ["V4", "V3"]
    assert first["previous"] is None and "cursor=" in first["next"]
    # Published between two page reads: a cursor holds a position, so nothing shifts.
    _published(summary="Newer")
    seen = [item["id"] for item in first["results"]]
    page = first
    while page["next"]:
        page = cms_client.get(page["next"]).json()
        seen += [item["id"] for item in page["results"]]
    assert seen == [verdict.pk for verdict in reversed(verdicts)]


def test_filters_updated_since_article_external_id_and_rating(cms_client: APIClient) -> None:
    old = timezone.now() - datetime.timedelta(days=3)
    stale = _published(published_at=old, rating=default_rating("True"))
    corrected = _published(published_at=old)
    services.verdict_correct(
        verdict=corrected,
        user=corrected.approved_by,
        rating=default_rating("Mostly false"),
        summary="Corrected.",
        explanation="",
        note="New figures.",
        expected_version=corrected.version,
    )
    fresh = _published()
    Article.objects.filter(pk=fresh.claim.article_id).update(external_id="cms-9")

    def ids(**query: Any) -> set[int]:
        response = cms_client.get("/api/v1/verdicts/", query)
        assert response.status_code == HTTPStatus.OK, response.content
        return {item["id"] for item in response.json()["results"]}

    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert ids(updated_since=since) == {corrected.pk, fresh.pk}
    assert ids(article=stale.claim.article_id) == {stale.pk}
    assert ids(external_article_id="cms-9") == {fresh.pk}
    assert ids(rating="mostly false") == {corrected.pk}
    assert ids(rating="True", updated_since=since) == set()
    # Any offset ISO 8601 allows, even past what PostgreSQL stores (+15:59): compared in UTC.
    far_east = (timezone.now() - datetime.timedelta(days=1)).astimezone(
        datetime.timezone(datetime.timedelta(hours=23, minutes=39))
    )
    assert ids(updated_since=far_east.isoformat()) == {corrected.pk, fresh.pk}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"updated_since": "0001-01-01T00:00:00+05:00"}, "updated_since"),
        ({"article": "abc"}, "article"),
        ({"article": str(2**70)}, "article"),
        ({"limit": "0"}, "limit"),
        ({"limit": "²"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "cD1ub3QtYS1kYXRl"}, "cursor"),  # a well-formed cursor at "not-a-date"
    ],
)
def test_a_malformed_parameter_is_a_400_naming_it(
    cms_client: APIClient, query: dict[str, str], field: str
) -> None:
    _published()
    body = _error(cms_client.get("/api/v1/verdicts/", query), HTTPStatus.BAD_REQUEST, "invalid")
    assert list(body["errors"]) == [field]


def test_an_unknown_api_url_is_a_json_404(cms_client: APIClient) -> None:
    for path in ("/api/v1/nothing-here/", "/api/v1/verdicts/abc/", "/api/v1/verdicts/1/x/"):
        _error(cms_client.get(path), HTTPStatus.NOT_FOUND, "not_found")


# --- Article push ----------------------------------------------------------------------------

STORY = {
    "external_id": "cms-4512",
    "title": "Council approves harbour budget",
    "body": "The council approved 4.2 million for the harbour on Monday. "
    "Officials said unemployment fell to 3.1% last year.",
    "url": "https://news.example/harbour-budget",
    "author": "Sam Reed",
    "published_on": "2026-11-30",
}


def test_a_read_write_key_pushes_an_article_once(
    api_client_for: Callable[..., APIClient],
) -> None:
    client = api_client_for("read_write")
    created = client.post("/api/v1/articles/", STORY, format="json")
    assert created.status_code == HTTPStatus.CREATED, created.content
    body = created.json()
    article = Article.objects.get(external_id="cms-4512")
    assert body["id"] == article.pk and body["title"] == STORY["title"]
    assert article.import_method == Article.ImportMethod.API
    assert article.published_on == datetime.date(2026, 11, 30)
    assert body["claims"] and all(
        article.body[claim["start"] : claim["end"]] == claim["text"] for claim in body["claims"]
    )
    again = client.post("/api/v1/articles/", STORY, format="json")
    assert again.status_code == HTTPStatus.OK and again.json()["id"] == article.pk
    assert Article.objects.count() == 1 and Claim.objects.count() == len(body["claims"])
    history = article.history.get()
    assert history.history_change_reason == "pushed by the CMS (Test CMS)"


def test_other_text_under_a_held_id_is_the_next_revision_of_that_article(
    api_client_for: Callable[..., APIClient],
) -> None:
    client = api_client_for("read_write")
    first = client.post("/api/v1/articles/", STORY, format="json").json()
    assert first["revision"] == 1 and first["revision_changes"] is None
    changed = {**STORY, "body": STORY["body"] + " A late paragraph says 40 jobs were cut."}
    response = client.post("/api/v1/articles/", changed, format="json")
    assert response.status_code == HTTPStatus.OK, response.content
    body = response.json()
    article = Article.objects.get()
    assert body["id"] == article.pk and body["revision"] == 2 == article.revision
    assert article.body == changed["body"]
    assert body["revision_changes"]["orphaned"] == [] and body["revision_changes"]["added"]
    assert all(
        article.body[claim["start"] : claim["end"]] == claim["text"] for claim in body["claims"]
    )


def test_an_html_body_is_reduced_to_its_text(api_client_for: Callable[..., APIClient]) -> None:
    story = {
        **STORY,
        "title": "",
        "body_format": "html",
        "body": "<html><head><title>From the page</title><script>alert(1)</script></head>"
        "<body><p>The council approved 4.2 million.</p></body></html>",
    }
    response = api_client_for("read_write").post("/api/v1/articles/", story, format="json")
    assert response.status_code == HTTPStatus.CREATED, response.content
    article = Article.objects.get()
    assert article.title == "From the page" and "alert" not in article.body
    assert "4.2 million" in article.body


def test_a_read_key_and_an_anonymous_client_cannot_push(
    api_client_for: Callable[..., APIClient],
) -> None:
    _error(
        api_client_for("read").post("/api/v1/articles/", STORY, format="json"),
        HTTPStatus.FORBIDDEN,
        "permission_denied",
    )
    _error(
        APIClient().post("/api/v1/articles/", STORY, format="json"),
        HTTPStatus.UNAUTHORIZED,
        "not_authenticated",
    )
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    ("story", "field"),
    [
        ({**STORY, "external_id": ""}, "external_id"),
        ({**STORY, "body": "   \n "}, "body"),
        ({**STORY, "external_id": "x" * 201}, "external_id"),
        ({**STORY, "published_on": "30/11/2026"}, "published_on"),
        ({**STORY, "url": "javascript:alert(1)"}, "url"),
        ({**STORY, "body_format": "pdf"}, "body_format"),
        ({key: value for key, value in STORY.items() if key != "body"}, "body"),
    ],
)
def test_a_bad_push_is_a_400_naming_the_field_and_stores_nothing(
    api_client_for: Callable[..., APIClient], story: dict[str, str], field: str
) -> None:
    response = api_client_for("read_write").post("/api/v1/articles/", story, format="json")
    body = _error(response, HTTPStatus.BAD_REQUEST, "invalid")
    assert field in body["errors"]
    assert not Article.objects.exists()


def test_an_article_over_the_size_limit_is_a_400_and_a_body_over_the_server_cap_a_413(
    settings: Any, api_client_for: Callable[..., APIClient]
) -> None:
    client = api_client_for("read_write")
    settings.FACTCHECK_MAX_ARTICLE_BYTES = 100
    body = _error(
        client.post("/api/v1/articles/", STORY, format="json"), HTTPStatus.BAD_REQUEST, "invalid"
    )
    assert "limit" in body["errors"]["body"][0]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50
    _error(
        client.post("/api/v1/articles/", STORY, format="json"),
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        "too_large",
    )
    assert not Article.objects.exists()


def test_malformed_json_is_a_400(api_client_for: Callable[..., APIClient]) -> None:
    response = api_client_for("read_write").post(
        "/api/v1/articles/", b"{not json", content_type="application/json"
    )
    _error(response, HTTPStatus.BAD_REQUEST, "parse_error")


# --- Contract and docs -----------------------------------------------------------------------


def test_the_schema_and_docs_are_served_without_a_cdn(cms_client: APIClient) -> None:
    schema = cms_client.get("/api/v1/schema/?format=json").json()
    assert "/api/v1/articles/" in schema["paths"] and "/api/v1/changes/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["ApiKeyAuth"]["in"] == "header"
    for path in ("/api/v1/docs/",):
        page = cms_client.get(path)
        assert page.status_code == HTTPStatus.OK
        text = page.content.decode()
        assert "cdn." not in text and "unpkg" not in text and "jsdelivr" not in text
        assert "/static/drf_spectacular_sidecar/" in text
