"""schemathesis fuzzes the CMS API against its own OpenAPI schema, in process: every endpoint,
the write one included, at least 1,000 generated cases, no server error and no response that
breaks the schema.

One test drives every operation itself (rather than one pytest item per operation) so that it can
count the cases it really ran and fail when fewer than the target ran: an operation whose
parameters allow few distinct values would otherwise shrink the run without anyone noticing.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from claims.models import Claim
from factcheck.wsgi import application
from reviews.models import ApiKey, Source
from tests.factories import EvidenceFactory, SourceFactory, UserFactory, VerdictFactory

pytestmark = pytest.mark.django_db

TARGET_CASES = 1000
# Cases per operation: enough that the total passes the target with operations that have few
# distinct inputs (they stop early when Hypothesis has tried every one).
CASES_PER_OPERATION = 125


@pytest.fixture
def open_connection() -> Iterator[None]:
    """Keep the test's database connection across the WSGI requests schemathesis makes.

    Django closes connections at the start and end of every request it serves through WSGI;
    inside the test's transaction that would throw the test data away (Django's test client
    disconnects the same handlers).
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _published_data() -> dict[str, list[int]]:
    """A few published verdicts with archived evidence, so ids in generated paths can exist."""
    approver = UserFactory(role="Editor")
    now = timezone.now()
    ids: dict[str, list[int]] = {"verdict": [], "article": [], "source": []}
    for number in range(3):
        verdict = VerdictFactory(
            submitted_at=now, approved_by=approver, approved_at=now, published_at=now
        )
        Claim.objects.filter(pk=verdict.claim_id).update(status=Claim.Status.PUBLISHED)
        source = SourceFactory(
            fetch_status=Source.FetchStatus.FETCHED, text=f"Archived {number}.", fetched_at=now
        )
        EvidenceFactory(claim=verdict.claim, url=source.url, source=source)
        ids["verdict"].append(verdict.pk)
        ids["article"].append(verdict.claim.article_id)
        ids["source"].append(source.pk)
    return ids


def test_the_api_keeps_its_schema_under_1000_generated_cases(open_connection: None) -> None:
    ids = _published_data()
    _api_key, key = ApiKey.objects.create_key(name="fuzz", scope=ApiKey.Scope.READ_WRITE)
    headers = {"Authorization": f"Api-Key {key}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    ran: dict[str, int] = {}

    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        ran[label] = 0
        _fuzz(operation, label, ids, headers, ran)()

    assert "POST /api/v1/articles/" in ran and "GET /api/v1/changes/" in ran, ran
    assert all(count > 0 for count in ran.values()), ran
    assert sum(ran.values()) >= TARGET_CASES, ran


def _fuzz(
    operation: Any,
    label: str,
    ids: dict[str, list[int]],
    headers: dict[str, str],
    ran: dict[str, int],
) -> Any:
    """A Hypothesis test of one operation that counts the cases it ran."""
    kind = next((kind for kind in ids if f"/{kind}s/" in operation.path), "verdict")

    @given(case=operation.as_strategy(), data=st.data())
    @settings(
        max_examples=CASES_PER_OPERATION,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def run(case: Any, data: Any) -> None:
        # Half the time aim a path id at a row that exists, so detail pages answer 200 too.
        for name in case.path_parameters or {}:
            if data.draw(st.booleans(), label="real id"):
                case.path_parameters[name] = data.draw(st.sampled_from(ids[kind]), label="id")
        response = case.call(headers=headers)
        # Two schema-valid inputs are rightly refused with a 400: an opaque cursor we never gave
        # out, and a pushed HTML body with no text in it ("<p></p>"). Those cases are held to
        # every check but "valid data is accepted"; all others to every check.
        opaque = {"cursor", "after"} & set(case.query or {})
        excluded = [positive_data_acceptance] if case.method == "POST" or opaque else []
        case.validate_response(response, headers=headers, excluded_checks=excluded)
        ran[label] += 1

    return run
