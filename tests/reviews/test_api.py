"""The CMS API: token authentication, published verdicts only, JSON and ClaimReview."""

from http import HTTPStatus
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from claims.models import Claim
from tests.factories import EvidenceFactory, UserFactory, VerdictFactory, default_rating

pytestmark = pytest.mark.django_db


@pytest.fixture
def cms_client() -> APIClient:
    token = Token.objects.create(user=UserFactory(username="cms"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _published(**kwargs: Any) -> Any:
    approver = UserFactory(role="Editor")
    now = timezone.now()
    verdict = VerdictFactory(
        submitted_at=now, approved_by=approver, approved_at=now, published_at=now, **kwargs
    )
    Claim.objects.filter(pk=verdict.claim_id).update(status=Claim.Status.PUBLISHED)
    return verdict


def _refused_without_data(response: Any) -> None:
    """401 with the scheme to use, and nothing of the published verdict in the body."""
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response["WWW-Authenticate"] == "Token"
    assert b"Published secret" not in response.content and "results" not in response.json()


def test_it_refuses_a_request_without_a_token() -> None:
    _published(summary="Published secret")
    _refused_without_data(APIClient().get("/api/v1/verdicts/"))


def test_it_refuses_a_wrong_token() -> None:
    _published(summary="Published secret")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    _refused_without_data(client.get("/api/v1/verdicts/"))


def test_it_refuses_a_session_login_without_a_token(reviewer: Any) -> None:
    _published(summary="Published secret")
    client = APIClient()
    client.force_login(reviewer)
    _refused_without_data(client.get("/api/v1/verdicts/"))


def test_it_lists_only_published_verdicts(cms_client: APIClient) -> None:
    published = _published(summary="Published one")
    VerdictFactory(summary="Still a draft")
    response = cms_client.get("/api/v1/verdicts/")
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item["id"] == published.pk
    assert item["summary"] == "Published one"
    assert item["claim"] == published.claim.text
    assert item["rating"] == "False" and item["rating_value"] == 1


def test_it_lists_without_a_query_per_verdict(
    cms_client: APIClient, django_assert_max_num_queries: Any
) -> None:
    for _ in range(5):
        verdict = _published()
        EvidenceFactory(claim=verdict.claim, url="https://stats.example/t")
    with django_assert_max_num_queries(6):
        response = cms_client.get("/api/v1/verdicts/")
    assert len(response.json()["results"]) == 5


def test_a_draft_is_not_found_by_id(cms_client: APIClient) -> None:
    draft = VerdictFactory(summary="Draft secret")
    response = cms_client.get(f"/api/v1/verdicts/{draft.pk}/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert b"Draft secret" not in response.content


def test_it_renders_a_schema_org_claimreview(cms_client: APIClient) -> None:
    verdict = _published(rating=default_rating("Mostly false"), summary="Too high by half.")
    response = cms_client.get(f"/api/v1/verdicts/{verdict.pk}/claimreview/")
    assert response.status_code == HTTPStatus.OK
    review = response.json()
    assert review["@context"] == "https://schema.org"
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == verdict.claim.text
    assert review["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "Mostly false",
        "ratingValue": 2,
        "bestRating": 5,
        "worstRating": 1,
    }
    assert review["reviewBody"] == "Too high by half."


def test_a_non_ordinal_rating_has_no_rating_value(cms_client: APIClient) -> None:
    verdict = _published(rating=default_rating("Misleading"))
    review = cms_client.get("/api/v1/verdicts/claimreview/").json()["results"][0]
    assert review["reviewRating"] == {"@type": "Rating", "alternateName": "Misleading"}
    assert review["claimReviewed"] == verdict.claim.text


def test_the_openapi_schema_is_served(cms_client: APIClient) -> None:
    response = cms_client.get("/api/v1/schema/")
    assert response.status_code == HTTPStatus.OK
    assert b"/api/v1/verdicts/" in response.content


def test_it_returns_one_published_verdict_by_id(cms_client: APIClient) -> None:
    verdict = _published(summary="One of them.", explanation="Because the report says 30.")
    EvidenceFactory(claim=verdict.claim, url="https://stats.example/t", quote="30, not 40.")
    response = cms_client.get(f"/api/v1/verdicts/{verdict.pk}/")
    assert response.status_code == HTTPStatus.OK
    item = response.json()
    assert item["id"] == verdict.pk and item["claim_id"] == verdict.claim_id
    assert item["summary"] == "One of them."
    assert item["explanation"] == "Because the report says 30."
    assert item["rating"] == "False" and item["rating_scale"] == "Truth scale"
    assert item["evidence"] == [
        {"url": "https://stats.example/t", "quote": "30, not 40.", "stance": "context", "note": ""}
    ]


def test_it_pages_with_limit_and_offset_newest_first(cms_client: APIClient) -> None:
    verdicts = [_published(summary=f"Verdict {number}") for number in range(5)]
    first = cms_client.get("/api/v1/verdicts/", {"limit": 2}).json()
    assert first["count"] == 5
    assert len(first["results"]) == 2
    assert first["previous"] is None and "offset=2" in first["next"]
    last = cms_client.get("/api/v1/verdicts/", {"limit": 2, "offset": 4}).json()
    assert len(last["results"]) == 1 and last["next"] is None
    seen = [
        item["id"]
        for offset in (0, 2, 4)
        for item in cms_client.get("/api/v1/verdicts/", {"limit": 2, "offset": offset}).json()[
            "results"
        ]
    ]
    assert sorted(seen) == sorted(verdict.pk for verdict in verdicts)
    assert len(set(seen)) == 5


@pytest.mark.parametrize(
    "query",
    [{"limit": 2**63}, {"offset": 2**63}, {"limit": 10**30}, {"limit": -1}, {"offset": "x"}],
    ids=["limit-2**63", "offset-2**63", "limit-10**30", "limit-negative", "offset-junk"],
)
def test_odd_page_numbers_get_a_page_or_a_400_never_a_crash(
    cms_client: APIClient, query: dict[str, Any]
) -> None:
    """SQLite raises on integers of 2**63 and more in LIMIT/OFFSET (RELIABILITY.md)."""
    _published()
    response = cms_client.get("/api/v1/verdicts/", query)
    assert response.status_code in {HTTPStatus.OK, HTTPStatus.BAD_REQUEST}
    if response.status_code == HTTPStatus.OK:
        assert len(response.json()["results"]) <= 1


def test_a_withdrawn_verdict_leaves_the_list_detail_and_claimreview(
    cms_client: APIClient,
) -> None:
    from reviews import services

    kept = _published(summary="Still stands.")
    withdrawn = _published(summary="Withdrawn.")
    services.verdicts_withdraw(verdict_ids=[withdrawn.pk], user=UserFactory(role="Editor"))
    listed = cms_client.get("/api/v1/verdicts/").json()
    assert [item["id"] for item in listed["results"]] == [kept.pk] and listed["count"] == 1
    reviews = cms_client.get("/api/v1/verdicts/claimreview/").json()["results"]
    assert [review["reviewBody"] for review in reviews] == ["Still stands."]
    for path in (
        f"/api/v1/verdicts/{withdrawn.pk}/",
        f"/api/v1/verdicts/{withdrawn.pk}/claimreview/",
    ):
        assert cms_client.get(path).status_code == HTTPStatus.NOT_FOUND


def test_the_api_root_lists_the_verdicts_endpoint(cms_client: APIClient) -> None:
    response = cms_client.get("/api/v1/")
    assert response.status_code == HTTPStatus.OK
    assert response.json()["verdicts"].endswith("/api/v1/verdicts/")
    assert APIClient().get("/api/v1/").status_code == HTTPStatus.UNAUTHORIZED
