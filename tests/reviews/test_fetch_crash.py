"""A fetch whose worker dies is finished by the redelivered message, at once, exactly once.

A real crash: a prefork worker subprocess, whose child is SIGKILLed mid-fetch, shares the test
database with this process. In the services pass that is PostgreSQL with Redis; in the SQLite
pass the test database file with the embedded (file-system) broker, the set-up `make run` uses.
The lease rules the redelivery relies on (the claim of the dead run, a duplicate delivery, the
redelivery) are also driven one by one in process.
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection

from factcheck import broker
from factcheck.celery import app as celery_app
from factcheck.celery import fetch_queue_name
from factcheck.lib import http as fetching
from reviews import services
from reviews.models import Snapshot, Source
from reviews.tasks import source_fetch_task
from tests.factories import SourceFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PAGE = b"<html><head><title>Survivor</title></head><body><p>Archived after a crash.</p></body>"
# Short limits for the worker subprocess: the deadline < soft < hard < lease rule still holds.
WORKER_LIMITS = {
    "FACTCHECK_FETCH_DEADLINE": "4",
    "FACTCHECK_FETCH_TIMEOUT": "4",
    "FACTCHECK_FETCH_SOFT_TIME_LIMIT": "6",
    "FACTCHECK_FETCH_TIME_LIMIT": "8",
    "FACTCHECK_FETCH_LEASE_SECONDS": "30",
}


@dataclass
class HangOnce:
    """A local server whose first request hangs (until released) and the rest answer."""

    url: str
    first_request: threading.Event
    release: threading.Event
    hits: list[str] = field(default_factory=list)


@pytest.fixture
def hang_once() -> Iterator[HangOnce]:
    first_request = threading.Event()
    release = threading.Event()
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            if len(hits) == 1:
                first_request.set()
                release.wait(timeout=30)  # the client is killed long before
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield HangOnce(
        f"http://127.0.0.1:{server.server_address[1]}/page", first_request, release, hits
    )
    release.set()
    server.shutdown()
    server.server_close()


def _children(pid: int) -> list[int]:
    """The worker's pool processes (Linux /proc)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _wait(predicate: Any, timeout: float, what: str) -> None:
    # The bound only keeps a broken run from hanging the suite; nothing asserts on time.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def _database_url() -> str:
    """The test database, for a second process: PostgreSQL's, or SQLite's file."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        assert not connection.is_in_memory_db()  # another process could not open it
        return f"sqlite:///{database['NAME']}"
    return (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )


def _start_worker(queue: str, var_dir: Path) -> subprocess.Popen[bytes]:
    """A prefork worker (one child) on a queue of its own, in its own session, no beat."""
    env = {
        **os.environ,
        **WORKER_LIMITS,
        "DATABASE_URL": _database_url(),
        "FACTCHECK_VAR_DIR": str(var_dir),
        "FACTCHECK_FETCH_ALLOWED_NETWORKS": "127.0.0.0/8",
        "FACTCHECK_MEDIA_ROOT": str(var_dir / "media"),
    }
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    else:  # the embedded broker, in var_dir/broker
        env.pop("REDIS_URL", None)
        env.pop("CELERY_BROKER_URL", None)
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "factcheck",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            f"--queues={queue}",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
            f"--hostname=crash-{queue}@%h",
        ],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stop(worker: subprocess.Popen[bytes]) -> None:
    """Stop the worker's whole process group (it was started in its own session)."""
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def test_a_worker_killed_mid_fetch_is_taken_over_by_the_redelivery_with_one_snapshot(
    reference_data: None, hang_once: HangOnce, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    source = SourceFactory(url=hang_once.url)
    _real_sigkill(source, hang_once, tmp_path)
    _assert_fetched_once_on_the_second_attempt(source, hang_once)


def test_the_lease_rules_of_a_redelivery_one_by_one_in_process(
    reference_data: None, hang_once: HangOnce, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    source = SourceFactory(url=hang_once.url)
    _in_process_redelivery(source, hang_once)
    _assert_fetched_once_on_the_second_attempt(source, hang_once)


def _assert_fetched_once_on_the_second_attempt(source: Source, hang_once: HangOnce) -> None:
    source.refresh_from_db()
    assert source.fetch_status == Source.FetchStatus.FETCHED, source.last_error
    assert source.title == "Survivor" and source.attempts == 2
    assert hang_once.hits == ["/page", "/page"]
    snapshot = Snapshot.objects.get(source=source)  # exactly one
    assert snapshot.attempt == 2 and snapshot.body_sha256 == source.body_sha256


def _real_sigkill(source: Source, hang_once: HangOnce, var_dir: Path) -> None:
    """SIGKILL the pool child while it waits on the server; the parent puts the message back
    and the new child, seeing its own message's lease, takes over before the lease expires."""
    queue = f"factcheck-crash-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    # On the embedded broker, this process publishes into the worker's folders.
    # (The worker's settings put them in FACTCHECK_VAR_DIR/broker, as in settings.BROKER_DIR.)
    options: dict[str, Any] = {}
    if not settings.REDIS_URL:
        broker.create_folders(var_dir / "broker")
        options["transport_options"] = broker.folder_options(var_dir / "broker")
    # Emptied before the worker starts: a message an aborted earlier run left there would be
    # taken first, and test row ids start again each run.
    with celery_app.connection_for_write(**options) as conn:
        conn.default_channel.queue_purge(queue)
    worker = _start_worker(queue, var_dir)
    try:
        with celery_app.connection_for_write(**options) as conn:
            source_fetch_task.apply_async(
                (source.pk,), queue=queue, routing_key=queue, connection=conn
            )
        assert hang_once.first_request.wait(timeout=60), "the worker never fetched"
        first = Source.objects.get(pk=source.pk)
        assert first.fetch_status == Source.FetchStatus.FETCHING and first.attempts == 1
        assert first.lease_until is not None
        children = _children(worker.pid)
        assert len(children) == 1
        os.kill(children[0], signal.SIGKILL)
        _wait(
            lambda: Source.objects.get(pk=source.pk).fetch_status != Source.FetchStatus.FETCHING,
            timeout=60,
            what="the takeover",
        )
        done = Source.objects.get(pk=source.pk)
        # Taken over by the redelivery, not by waiting for the dead run's lease to run out.
        assert done.fetched_at is not None and done.fetched_at < first.lease_until
        assert worker.poll() is None  # the worker itself lived on; only its child died
    finally:
        _stop(worker)


def _in_process_redelivery(source: Source, hang_once: HangOnce) -> None:
    """The same rules without a second process: a run that dies after claiming, a duplicate
    message while its lease is live, then the redelivery of the dead run's own message."""
    hang_once.release.set()  # the first request answers nothing; no thread must wait on it
    real_fetch = fetching.fetch

    def dies(*args: Any, **kwargs: Any) -> Any:
        try:
            real_fetch(*args, **kwargs)
        finally:
            raise SystemExit("worker child killed")  # never caught by the service

    with mock.patch.object(fetching, "fetch", dies), pytest.raises(SystemExit):
        source_fetch_task.apply(args=(source.pk,), task_id="message-1", throw=True)
    held = Source.objects.get(pk=source.pk)
    assert held.fetch_status == Source.FetchStatus.FETCHING and held.lease_task_id == "message-1"
    # Another message for the same source while the lease is live does nothing.
    assert services.source_fetch(source_id=source.pk, task_id="message-2") is None
    assert hang_once.hits == ["/page"]
    # The broker redelivers message-1: its earlier run is dead, so it takes over at once.
    source_fetch_task.apply(args=(source.pk,), task_id="message-1", throw=True)


def test_an_expired_lease_is_taken_over_by_any_run(local_server: Any, tmp_path: Path) -> None:
    source = SourceFactory(
        url=local_server.add("/p", "<title>P</title><p>p</p>"),
        fetch_status=Source.FetchStatus.FETCHING,
        attempts=1,
        lease_task_id="dead",
    )
    Source.objects.filter(pk=source.pk).update(
        lease_until=source.created_at - datetime.timedelta(seconds=1)
    )
    result = services.source_fetch(source_id=source.pk, task_id="someone-else")
    assert result is not None and result.fetch_status == Source.FetchStatus.FETCHED
    assert result.attempts == 2 and Snapshot.objects.filter(source=source).count() == 1


def test_a_run_that_lost_its_lease_writes_no_snapshot(local_server: Any) -> None:
    """If the lease is taken over while a slow run is still fetching, only one run archives."""
    source = SourceFactory(url=local_server.add("/slow", "<p>slow</p>"))
    real_fetch = fetching.fetch

    def taken_over_meanwhile(*args: Any, **kwargs: Any) -> Any:
        page = real_fetch(*args, **kwargs)
        Source.objects.filter(pk=source.pk).update(attempts=5)  # another run claimed it
        return page

    with mock.patch.object(fetching, "fetch", taken_over_meanwhile):
        assert services.source_fetch(source_id=source.pk, task_id="slow") is None
    assert not Snapshot.objects.exists()


def test_a_message_that_kills_its_worker_every_time_gives_up_after_the_attempts(
    settings: Any,
) -> None:
    settings.FACTCHECK_FETCH_MAX_ATTEMPTS = 2
    source = SourceFactory(
        fetch_status=Source.FetchStatus.FETCHING, attempts=2, lease_task_id="poison"
    )
    assert services.source_fetch(source_id=source.pk, task_id="poison") is None
    source.refresh_from_db()
    assert source.fetch_status == Source.FetchStatus.FAILED and source.error_kind == "gave_up"


def test_fetch_tasks_go_to_the_fetch_queue_and_webhooks_to_the_default_one() -> None:
    router = celery_app.amqp.router
    default = celery_app.conf.task_default_queue
    assert router.route({}, "reviews.tasks.source_fetch")["queue"].name == fetch_queue_name(default)
    assert router.route({}, "reviews.tasks.source_recheck")["queue"].name == fetch_queue_name(
        default
    )
    for name in ("reviews.tasks.webhook_deliver", "reviews.tasks.webhooks_send_due"):
        assert router.route({}, name)["queue"].name == default
    # A worker started without -Q consumes both.
    assert {default, fetch_queue_name(default)} <= set(celery_app.amqp.queues.consume_from)


def test_the_fetch_task_has_time_limits_and_survives_a_lost_worker() -> None:
    assert source_fetch_task.acks_late and source_fetch_task.reject_on_worker_lost
    assert source_fetch_task.soft_time_limit and source_fetch_task.time_limit
    assert (
        settings.FACTCHECK_FETCH_DEADLINE
        < source_fetch_task.soft_time_limit
        < source_fetch_task.time_limit
        < settings.FACTCHECK_FETCH_LEASE_SECONDS
    )
