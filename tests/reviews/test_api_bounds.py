"""The CMS API's lists are bounded: pages of at most 100, limit and cursor checked, never a 500."""

from http import HTTPStatus

import pytest
from django.utils import timezone
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


@pytest.fixture
def client(cms_client: APIClient) -> APIClient:
    # A server error must come back as a response to assert on, not as an exception.
    cms_client.raise_request_exception = False
    return cms_client


@pytest.mark.usefixtures("many_published")
@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("limit", [*HUGE, "101", "100"])
def test_a_huge_limit_gives_a_page_of_at_most_100(client: APIClient, path: str, limit: str) -> None:
    response = client.get(path, {"limit": limit})
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert len(body["results"]) == 100
    assert len(client.get(body["next"]).json()["results"]) == 5


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
        {"limit": "-" + str(2**63)},
    ],
)
def test_a_malformed_limit_is_a_400_with_a_json_error(
    client: APIClient, path: str, query: dict[str, str]
) -> None:
    response = client.get(path, query)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"] == {"limit": ["Must be a whole number of at least 1."]}


@pytest.mark.usefixtures("many_published")
@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    "cursor",
    [
        "junk",
        "%00",
        "cD0yMDI2LTAxLTAx" + "A" * 5000,
        # Well-formed base64 of query strings with a position that is not a time, a huge
        # offset, a negative one.
        "cD1ub3QtYS1kYXRl",
        "bz05OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5",
        "bz0tMQ==",
        # Times ISO 8601 allows but PostgreSQL does not (+23:39), or with no UTC form.
        "cD0xMjg3LTAzLTA0VDEzOjI0OjU0JTJCMjM6Mzk=",
        "cD0wMDAxLTAxLTAxVDAwOjAwOjAwJTJCMDU6MDA=",
    ],
)
def test_a_forged_cursor_is_a_400_or_a_page_never_a_500(
    client: APIClient, path: str, cursor: str
) -> None:
    response = client.get(path, {"cursor": cursor})
    assert response.status_code in {HTTPStatus.OK, HTTPStatus.BAD_REQUEST}, response.content
    if response.status_code == HTTPStatus.BAD_REQUEST:
        assert list(response.json()["errors"]) == ["cursor"]


@pytest.mark.usefixtures("many_published")
@pytest.mark.parametrize("path", LISTS)
def test_leading_zeros_do_not_make_a_number_huge(client: APIClient, path: str) -> None:
    response = client.get(path, {"limit": "0" * 30 + "3"})
    assert response.status_code == HTTPStatus.OK
    assert len(response.json()["results"]) == 3


@pytest.mark.usefixtures("many_published")
@pytest.mark.parametrize("path", LISTS)
def test_pages_follow_on_from_each_other(client: APIClient, path: str) -> None:
    first = client.get(path, {"limit": 100}).json()
    rest = client.get(first["next"]).json()
    assert len(first["results"]) == 100 and len(rest["results"]) == 5
    assert rest["next"] is None


def test_the_schema_states_the_bounds(client: APIClient) -> None:
    schema = client.get("/api/v1/schema/?format=json").json()
    for path in LISTS:
        operation = schema["paths"][path]["get"]
        parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
        assert parameters["limit"]["schema"]["minimum"] == 1
        assert "cursor" in parameters
        assert "400" in operation["responses"]
