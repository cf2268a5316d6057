"""Integration: a real Celery worker on the configured broker (embedded or Redis) archives a source.

The worker runs in a thread of the test process (solo pool) against the committed database rows,
so these tests use transactional database access.
"""

import time
from collections.abc import Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker

from claims.models import Claim
from factcheck.celery import app as celery_app
from reviews import services
from reviews.models import Source
from tests.factories import ClaimFactory

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


@pytest.fixture
def worker() -> Iterator[Any]:
    with start_worker(
        celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"
    ) as running:
        yield running


def _wait_for(source_id: int, timeout: float = 30.0) -> Source:
    # Polls the database the worker writes to; the bound only keeps a broken run from hanging.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        source = Source.objects.get(pk=source_id)
        if source.fetch_status in {Source.FetchStatus.FETCHED, Source.FetchStatus.FAILED}:
            return source
        time.sleep(0.1)
    raise AssertionError(f"the worker did not finish source {source_id} in {timeout}s")


def test_a_real_worker_archives_the_source_of_new_evidence(
    worker: Any, reviewer: Any, local_server: Any
) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    url = local_server.add("/evidence", "<title>Evidence</title><p>The figure was 30.</p>")
    evidence = services.evidence_add(claim=claim, user=reviewer, url=url)
    source = _wait_for(evidence.source_id)
    assert source.fetch_status == Source.FetchStatus.FETCHED
    assert source.title == "Evidence" and "The figure was 30." in source.text
    assert celery_app.conf.broker_url.split(":")[0] in {"redis", "filesystem"}
