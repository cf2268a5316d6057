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


def test_it_refuses_a_request_without_a_token() -> None:
    response = APIClient().get("/api/v1/verdicts/")
    assert response.status_code == HTTPStatus.UNAUTHORIZED


def test_it_refuses_a_wrong_token() -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/verdicts/").status_code == HTTPStatus.UNAUTHORIZED


def test_it_refuses_a_session_login_without_a_token(reviewer: Any) -> None:
    client = APIClient()
    client.force_login(reviewer)
    assert client.get("/api/v1/verdicts/").status_code == HTTPStatus.UNAUTHORIZED


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
    draft = VerdictFactory()
    assert cms_client.get(f"/api/v1/verdicts/{draft.pk}/").status_code == HTTPStatus.NOT_FOUND


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
