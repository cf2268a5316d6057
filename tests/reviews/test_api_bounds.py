"""The CMS API's lists are bounded: pages of at most 100, limit and offset checked, never a 500."""

from http import HTTPStatus
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from claims.models import Claim
from reviews.models import Verdict
from tests.factories import ArticleFactory, UserFactory, default_rating

pytestmark = pytest.mark.django_db

LISTS = ["/api/v1/verdicts/", "/api/v1/verdicts/claimreview/"]
HUGE = [
    pytest.param(str(2**63), id="2**63"),
    pytest.param(str(10**30), id="10**30"),
    pytest.param("9" * 5000, id="5000-digits"),
]


@pytest.fixture
def cms_client() -> APIClient:
    token = Token.objects.create(user=UserFactory(username="cms"))
    # A server error must come back as a response to assert on, not as an exception.
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def many_published() -> None:
    """105 published verdicts: more than one page may hold."""
    sentences = [f"S{number:03d}." for number in range(105)]
    article = ArticleFactory(body=" ".join(sentences))
    claims = Claim.objects.bulk_create(
        Claim(
            article=article,
            text=text,
            start=6 * number,
            end=6 * number + len(text),
            position=number,
            status=Claim.Status.PUBLISHED,
        )
        for number, text in enumerate(sentences)
    )
    author, approver = UserFactory(role="Reviewer"), UserFactory(role="Editor")
    now = timezone.now()
    Verdict.objects.bulk_create(
        Verdict(
            claim=claim,
            rating=default_rating(),
            summary=claim.text,
            author=author,
            submitted_at=now,
            approved_by=approver,
            approved_at=now,
            published_at=now,
        )
        for claim in claims
    )


@pytest.mark.usefixtures("many_published")
@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("limit", [*HUGE, "101", "100"])
def test_a_huge_limit_gives_a_page_of_at_most_100(
    cms_client: APIClient, path: str, limit: str
) -> None:
    response = cms_client.get(path, {"limit": limit})
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["count"] == 105
    assert len(body["results"]) == 100
    assert "limit=100" in body["next"]


@pytest.mark.usefixtures("many_published")
@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("offset", [*HUGE, "105"])
def test_an_offset_past_the_end_is_an_empty_page(
    cms_client: APIClient, path: str, offset: str, django_assert_max_num_queries: Any
) -> None:
    # Token, user and count: no query with the offset in it.
    with django_assert_max_num_queries(3):
        response = cms_client.get(path, {"offset": offset})
    assert response.status_code == HTTPStatus.OK
    assert response.json()["results"] == []


@pytest.mark.usefixtures("many_published")
@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    "query",
    [
        {"limit": "-1"},
        {"limit": "0"},
        {"limit": "abc"},
        {"limit": "1.5"},
        {"limit": ""},
        {"limit": " 5"},
        {"limit": "²"},
        {"offset": "-1"},
        {"offset": "abc"},
        {"offset": "1e3"},
        {"offset": "-" + str(2**63)},
    ],
)
def test_a_malformed_number_is_a_400_with_a_json_error(
    cms_client: APIClient, path: str, query: dict[str, str]
) -> None:
    response = cms_client.get(path, query)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    [(name, _)] = query.items()
    minimum = 1 if name == "limit" else 0
    assert response.json() == {name: [f"Must be a whole number of at least {minimum}."]}


@pytest.mark.usefixtures("many_published")
@pytest.mark.parametrize("path", LISTS)
def test_leading_zeros_do_not_make_a_number_huge(cms_client: APIClient, path: str) -> None:
    response = cms_client.get(path, {"limit": "0" * 30 + "3", "offset": "0" * 30 + "102"})
    assert response.status_code == HTTPStatus.OK
    assert len(response.json()["results"]) == 3


@pytest.mark.usefixtures("many_published")
@pytest.mark.parametrize("path", LISTS)
def test_pages_follow_on_from_each_other(cms_client: APIClient, path: str) -> None:
    first = cms_client.get(path, {"limit": 100}).json()
    rest = cms_client.get(first["next"]).json()
    assert len(first["results"]) == 100 and len(rest["results"]) == 5
    assert rest["next"] is None


def test_the_schema_states_the_bounds(cms_client: APIClient) -> None:
    schema = cms_client.get("/api/v1/schema/?format=json").json()
    for path in LISTS:
        operation = schema["paths"][path]["get"]
        parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
        assert parameters["limit"]["schema"]["minimum"] == 1
        assert parameters["offset"]["schema"]["minimum"] == 0
        assert "400" in operation["responses"]
