"""Integration: a real Celery worker on the configured broker (embedded or Redis) archives a source.

The worker runs in a thread of the test process (solo pool) against the committed database rows,
so these tests use transactional database access. They fail, rather than pass vacuously, when
tasks would run eagerly in the caller instead of going through the broker.
"""

from typing import Any

import pytest

from claims.models import Claim
from factcheck.celery import app as celery_app
from factcheck.celery import fetch_queue_name
from reviews import services
from reviews.models import Source
from tests.factories import ClaimFactory
from tests.polling import poll

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _wait_for(source_id: int, timeout: float = 30.0) -> Source:
    # Polls the database the worker writes to (tests/polling.py).
    finished = {Source.FetchStatus.FETCHED, Source.FetchStatus.FAILED}
    source = poll(
        lambda: Source.objects.get(pk=source_id),
        lambda row: row.fetch_status in finished,
        timeout=timeout,
    )
    if source.fetch_status not in finished:
        raise AssertionError(f"the worker did not finish source {source_id} in {timeout}s")
    return source


def test_tasks_are_not_run_eagerly() -> None:
    assert celery_app.conf.task_always_eager is False


def test_a_real_worker_archives_the_source_of_new_evidence(
    real_worker: Any, task_runs: list[dict[str, Any]], reviewer: Any, local_server: Any
) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    url = local_server.add("/evidence", "<title>Evidence</title><p>The figure was 30.</p>")
    evidence = services.evidence_add(claim=claim, user=reviewer, url=url)
    source = _wait_for(evidence.source_id)
    assert source.fetch_status == Source.FetchStatus.FETCHED
    assert source.title == "Evidence" and "The figure was 30." in source.text
    fetches = [run for run in task_runs if run["name"] == "reviews.tasks.source_fetch"]
    assert len({run["id"] for run in fetches}) == 1, task_runs  # one task, retried or not
    # Taken from this test process's own queue on the broker, not run in the caller.
    assert fetches[0]["eager"] is False
    assert fetches[0]["delivery"].get("routing_key") == fetch_queue_name(
        celery_app.conf.task_default_queue
    )
