"""Archiving evidence sources: the task body run synchronously against a local server."""

import datetime
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.utils import timezone

from claims.models import Claim
from reviews import services
from reviews.models import Source
from reviews.tasks import source_fetch_task, sources_sweep_task
from tests.factories import ClaimFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_adding_evidence_with_a_url_queues_one_fetch_after_commit(
    reviewer: Any, local_server: Any, run_on_commit: Any
) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    url = local_server.add("/report", "<title>Report</title><p>Spending was 30.</p>")
    with mock.patch("reviews.tasks.source_fetch_task.delay") as delay:
        with run_on_commit(execute=True):
            evidence = services.evidence_add(claim=claim, user=reviewer, url=url)
    assert evidence.source is not None
    assert evidence.source.fetch_status == Source.FetchStatus.PENDING
    delay.assert_called_once_with(evidence.source.pk)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.IN_REVIEW and claim.assignee == reviewer


def test_the_same_url_spelled_differently_shares_one_source(
    reviewer: Any, local_server: Any
) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    url = local_server.add("/a", "<p>x</p>")
    first = services.evidence_add(claim=claim, user=reviewer, url=url)
    second = services.evidence_add(
        claim=claim, user=reviewer, url=url.upper().replace("/A", "/a") + "#part"
    )
    assert first.source_id == second.source_id
    assert Source.objects.count() == 1


def test_it_refuses_a_url_the_server_would_never_fetch(reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    with pytest.raises(ValidationError) as caught:
        services.evidence_add(claim=claim, user=reviewer, url="ftp://files.example/report")
    assert caught.value.message_dict == {"url": ["Only http:// and https:// URLs can be fetched."]}
    assert not Source.objects.exists() and not claim.evidence.exists()


def test_the_task_archives_the_page_as_text(local_server: Any) -> None:
    url = local_server.add(
        "/report",
        "<html><head><title>Annual report</title><script>steal()</script></head>"
        "<body><p>Spending was 30 million.</p></body></html>",
    )
    source = SourceFactory(url=url)
    source_fetch_task(source.pk)
    source.refresh_from_db()
    assert source.fetch_status == Source.FetchStatus.FETCHED
    assert source.title == "Annual report"
    assert "Spending was 30 million." in source.text and "steal" not in source.text
    assert source.http_status == 200 and len(source.body_sha256) == 64


def test_a_locked_database_is_retried_and_the_source_still_gets_archived(
    local_server: Any,
) -> None:
    url = local_server.add("/locked", "<title>Locked</title><p>Fetched on the second try.</p>")
    source = SourceFactory(url=url)
    real_fetch = services.source_fetch
    calls: list[int] = []

    def locked_once(**kwargs: Any) -> Source | None:
        calls.append(kwargs["source_id"])
        if len(calls) == 1:
            raise OperationalError("database table is locked: reviews_source")
        return real_fetch(**kwargs)

    with mock.patch("reviews.services.source_fetch", side_effect=locked_once):
        result = source_fetch_task.apply(args=(source.pk,))
    source.refresh_from_db()
    assert result.successful(), result.traceback
    assert calls == [source.pk, source.pk]
    assert source.fetch_status == Source.FetchStatus.FETCHED


def test_running_the_task_twice_fetches_once(local_server: Any) -> None:
    url = local_server.add("/once", "<p>Once.</p>")
    source = SourceFactory(url=url)
    source_fetch_task(source.pk)
    source_fetch_task(source.pk)
    assert local_server.hits == ["/once"]


def test_a_404_fails_for_good_with_the_reason(local_server: Any) -> None:
    source = SourceFactory(url=local_server.url("/missing"))
    source_fetch_task(source.pk)
    source.refresh_from_db()
    assert source.fetch_status == Source.FetchStatus.FAILED
    assert source.http_status == 404 and source.last_error


def test_a_private_address_is_refused_without_the_allowance(
    local_server: Any, settings: Any
) -> None:
    settings.FACTCHECK_FETCH_ALLOWED_NETWORKS = []
    source = SourceFactory(url=local_server.add("/internal", "<p>secret</p>"))
    source_fetch_task(source.pk)
    source.refresh_from_db()
    assert source.fetch_status == Source.FetchStatus.FAILED
    assert local_server.hits == []


def test_a_server_error_is_retried_until_attempts_run_out(local_server: Any, settings: Any) -> None:
    settings.FACTCHECK_FETCH_MAX_ATTEMPTS = 2
    source = SourceFactory(url=local_server.add("/flaky", "oops", status=503))
    with mock.patch("reviews.tasks.source_fetch_task.apply_async") as retry:
        source_fetch_task(source.pk)
        source.refresh_from_db()
        assert source.fetch_status == Source.FetchStatus.PENDING
        assert source.next_attempt_at is not None and source.next_attempt_at > timezone.now()
        assert source.error_kind == "http_error" and "503" in source.last_error
        retry.assert_called_once()
        # Delivered before its time the retry does nothing; once due it runs.
        source_fetch_task(source.pk)
        assert Source.objects.get(pk=source.pk).attempts == 1
        Source.objects.filter(pk=source.pk).update(next_attempt_at=timezone.now())
        source_fetch_task(source.pk)
    source.refresh_from_db()
    assert source.fetch_status == Source.FetchStatus.FAILED and source.attempts == 2


def test_the_sweeper_requeues_stale_sources_and_gives_up_on_exhausted_ones(
    settings: Any, run_on_commit: Any
) -> None:
    settings.FACTCHECK_FETCH_MAX_ATTEMPTS = 3
    stale = SourceFactory(fetch_status=Source.FetchStatus.FETCHING, attempts=1)
    exhausted = SourceFactory(fetch_status=Source.FetchStatus.FETCHING, attempts=3)
    fresh = SourceFactory(fetch_status=Source.FetchStatus.PENDING)
    old = timezone.now() - datetime.timedelta(hours=1)
    Source.objects.filter(pk__in=[stale.pk, exhausted.pk]).update(updated_at=old)
    with mock.patch("reviews.tasks.source_fetch_task.delay") as delay:
        with run_on_commit(execute=True):
            assert sources_sweep_task() == 1
    delay.assert_called_once_with(stale.pk)
    stale.refresh_from_db()
    exhausted.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.fetch_status == Source.FetchStatus.PENDING
    assert exhausted.fetch_status == Source.FetchStatus.FAILED
    assert fresh.fetch_status == Source.FetchStatus.PENDING


def test_a_broker_outage_at_commit_keeps_the_evidence(
    reviewer: Any, local_server: Any, run_on_commit: Any
) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    url = local_server.add("/r", "<p>r</p>")
    with mock.patch(
        "reviews.tasks.source_fetch_task.delay", side_effect=ConnectionError("broker down")
    ):
        with run_on_commit(execute=True):
            evidence = services.evidence_add(claim=claim, user=reviewer, url=url)
    assert Source.objects.get(pk=evidence.source_id).fetch_status == Source.FetchStatus.PENDING


def test_a_bulk_refetch_sends_one_message_per_chunk_and_the_worker_sends_each_fetch(
    admin_user: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    from reviews import tasks

    sources = [SourceFactory(fetch_status=Source.FetchStatus.FAILED, attempts=3) for _ in range(3)]
    batches: list[list[int]] = []
    fetches: list[int] = []
    monkeypatch.setattr(tasks.sources_fetch_many_task, "delay", batches.append)
    monkeypatch.setattr(tasks.source_fetch_task, "delay", fetches.append)
    with django_capture_on_commit_callbacks(execute=True):
        count = services.sources_refetch(source_ids=[s.pk for s in sources], user=admin_user)
    assert count == 3
    assert [sorted(batch) for batch in batches] == [sorted(s.pk for s in sources)]
    assert fetches == []
    assert set(Source.objects.values_list("fetch_status", "attempts")) == {("pending", 0)}
    tasks.sources_fetch_many_task(batches[0])
    assert sorted(fetches) == sorted(s.pk for s in sources)
