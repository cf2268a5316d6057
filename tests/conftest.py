"""Shared fixtures: users per role, a local HTTP server, and test broker wiring.

Also loads the URL coverage check (tests/url_coverage.py) and a hypothesis profile without a
deadline: on a loaded 2-core machine a property test must fail for a wrong answer, never for time.
"""

import importlib
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from celery.signals import task_prerun
from django.conf import settings
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from factcheck import broker
from factcheck.celery import app as celery_app
from tests.factories import UserFactory

pytest_plugins = ["tests.url_coverage"]

# Tests that set their own @settings inherit this for whatever they leave out.
hypothesis_settings.register_profile("factcheck", deadline=None)
hypothesis_settings.load_profile("factcheck")

_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")

# The Spanish .mo is built, never committed: build it once per run (in the xdist controller,
# before any worker starts), so the tests read the catalogue the .po holds now.
if _XDIST_WORKER == "main":
    subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "scripts" / "compile_messages.py")], check=True
    )

# Each test process gets its own queue (Redis) or folder (embedded broker), so a real worker in
# one xdist process never takes another process's messages.
if settings.REDIS_URL:
    celery_app.conf.task_default_queue = f"factcheck-test-{_XDIST_WORKER}"
else:
    _broker_dir = settings.VAR_DIR / "test-broker" / _XDIST_WORKER
    celery_app.conf.broker_transport_options = broker.folder_options(_broker_dir)
    # Start each run with an empty queue: messages of earlier runs would be noise.
    shutil.rmtree(_broker_dir, ignore_errors=True)
    broker.create_folders(_broker_dir)


def _fail_skips_under_ci(report: Any) -> Any:
    """In CI a skip hides a missing tool or service: report it as a failure, with its reason."""
    if report.skipped and os.environ.get("CI") == "true" and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"Skipped under CI=true, where nothing may be skipped: {reason}"
    return report


def _stage2_installed() -> bool:
    from claims.extraction import stage2

    return stage2.available()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out, and say so, tests that cannot run in this process's set-up:

    - the tests of the real stage-2 encoder where it is not installed. Stage 2 is optional
      (`make stage2`): without it those tests are deselected, not skipped, and the summary
      names them. FACTCHECK_EXPECT_STAGE2=1 (.ci/run's stage-2 step) keeps them, so a missing
      encoder fails there;
    - tests marked pure_python while the compiled extraction is in use (they count calls
      through module attributes, which compiled modules call past): `make test` runs them in
      its pure-Python pass of tests/extraction.
    """
    from claims.extraction import native

    if native.status().active:
        _leave_out(config, items, "pure_python", _pure_left_out)
    if os.environ.get("FACTCHECK_EXPECT_STAGE2") != "1" and not _stage2_installed():
        _leave_out(config, items, "stage2", _stage2_left_out)


def _leave_out(
    config: pytest.Config, items: list[pytest.Item], marker: str, key: pytest.StashKey[int]
) -> None:
    left_out = [item for item in items if item.get_closest_marker(marker)]
    if left_out:
        items[:] = [item for item in items if not item.get_closest_marker(marker)]
        config.hook.pytest_deselected(items=left_out)
        config.stash[key] = len(left_out)
        # An xdist worker hands its count to the controller (see pytest_testnodedown).
        if hasattr(config, "workeroutput"):
            config.workeroutput[marker] = len(left_out)


_stage2_left_out = pytest.StashKey[int]()
_pure_left_out = pytest.StashKey[int]()
_LEFT_OUT_KEYS = {"stage2": _stage2_left_out, "pure_python": _pure_left_out}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """Under xdist the workers collect and deselect: the controller takes the largest count any
    worker reported (every worker collects the same tests), so the summary states it."""
    output = getattr(node, "workeroutput", {})
    for marker, key in _LEFT_OUT_KEYS.items():
        if output.get(marker):
            node.config.stash[key] = max(node.config.stash.get(key, 0), int(output[marker]))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return
    if count := config.stash.get(_stage2_left_out, 0):
        terminalreporter.write_line(
            f"{count} stage-2 test(s) deselected: the optional encoder is not installed "
            "(make stage2; .ci/run runs them with it)."
        )
    if count := config.stash.get(_pure_left_out, 0):
        terminalreporter.write_line(
            f"{count} test(s) marked pure_python deselected: the extraction runs compiled here; "
            "`make test` runs them in its pure-Python pass (FACTCHECK_EXTRACTION_COMPILED=0)."
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    return _fail_skips_under_ci((yield))


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Any:
    return _fail_skips_under_ci((yield))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """On SQLite, test on a database file, as the embedded default runs, not in memory.

    Django's default test database is a shared-cache in-memory one. There a connection that
    meets another's table lock gets "database table is locked" at once, with no busy wait,
    so the test thread, the live server and the in-thread worker failed each other under load.
    A file keeps the settings' WAL journal and busy timeout: readers never block a writer and
    a second writer waits its turn. Each process (xdist worker) gets a new file of its own,
    in pytest's temporary folder: on SQLite, ``--reuse-db`` therefore reuses nothing.
    """
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        path = tmp_path_factory.mktemp("database") / "test.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(path)


@pytest.fixture(scope="session", autouse=True)
def _empty_redis_test_queue() -> None:
    """Start each run with an empty Redis test queue (messages of earlier runs would be noise)."""
    if settings.REDIS_URL:
        with celery_app.connection_for_write() as connection:
            connection.default_channel.queue_purge(celery_app.conf.task_default_queue)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Hash test passwords with a fast hasher (as cookiecutter-django does).

    Every factory user gets a password; with the production hasher each one costs most of a
    second of CPU on this machine, which made the suite slow for no gain in what it proves.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language: LocaleMiddleware activates a request's language
    on the thread and leaves it there, so a Spanish request in one test would speak Spanish to
    the next test's services."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _approval_gate_off(settings: Any) -> None:
    """Tests of other rules approve without archiving a source first; the gate's own tests
    (tests/reviews/test_approval_gate.py) and the browser walk turn it back on."""
    settings.FACTCHECK_APPROVAL_MIN_ARCHIVED_EVIDENCE = 0


@pytest.fixture(autouse=True)
def _fetch_loopback_allowed(settings: Any) -> None:
    """Tests serve pages from 127.0.0.1; production never allows private addresses."""
    settings.FACTCHECK_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]


@pytest.fixture(autouse=True)
def _api_throttle_out_of_the_way(settings: Any) -> None:
    """Tests of other API behaviour never meet the per-key throttle; its own tests set a rate."""
    settings.FACTCHECK_API_RATE = "1000000/min"


@pytest.fixture
def api_client_for(db: None) -> Callable[..., Any]:
    """Make an API client holding a new key of the given scope ("read" or "read_write")."""
    from rest_framework.test import APIClient

    from reviews.models import ApiKey

    def make(scope: str = "read", name: str = "Test CMS") -> APIClient:
        _api_key, key = ApiKey.objects.create_key(name=name, scope=scope)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
        return client

    return make


@pytest.fixture
def cms_client(api_client_for: Callable[..., Any]) -> Any:
    """An API client with a read-only CMS key."""
    return api_client_for("read")


@pytest.fixture
def reference_data(transactional_db: None) -> None:
    """Restore the rows the data migration made (roles, the default scale).

    Transactional tests flush every table when they end; this puts them back, idempotently.
    """
    from django.apps import apps

    for name in (
        "0002_default_scale_and_roles",
        "0005_comment_permissions",
        "0011_rating_labels_es",
    ):
        importlib.import_module(f"reviews.migrations.{name}").forwards(apps, None)


@pytest.fixture
def editor(db: None) -> Any:
    return UserFactory(username="editor", role="Editor")


@pytest.fixture
def reviewer(db: None) -> Any:
    return UserFactory(username="reviewer", role="Reviewer")


@pytest.fixture
def admin_user(db: None) -> Any:
    return UserFactory(username="admin", role="Admin", is_staff=True, is_superuser=True)


@dataclass
class Route:
    """A canned response of the local test server."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html"})
    # Seconds to wait before answering: a slow server, for timeout tests.
    delay: float = 0.0


@dataclass
class LocalServer:
    """A local HTTP server on 127.0.0.1 with routes a test sets; no test touches the internet."""

    base_url: str
    routes: dict[str, Route]
    hits: list[str]

    def url(self, path: str) -> str:
        return self.base_url + path

    def add(
        self, path: str, body: str | bytes, status: int = 200, delay: float = 0.0, **headers: str
    ) -> str:
        raw = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(status, raw, {"Content-Type": "text/html", **headers}, delay)
        return self.url(path)


class _QuietServer(ThreadingHTTPServer):
    """Says nothing when a client hangs up mid-answer, as the fetcher does on purpose (a body
    over its limit, a timeout); any other error in a handler is printed as usual."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    routes: dict[str, Route] = {}
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            route = routes.get(self.path, Route(404, b"not found", {"Content-Type": "text/plain"}))
            if route.delay:
                time.sleep(route.delay)
            self.send_response(route.status)
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            self.wfile.write(route.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = _QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LocalServer(f"http://127.0.0.1:{server.server_address[1]}", routes, hits)
    server.shutdown()
    server.server_close()


@pytest.fixture
def real_worker(reference_data: None) -> Iterator[Any]:
    """A real Celery worker (solo pool, in a thread) consuming this test process's queue.

    Needs committed rows: use it from `django_db(transaction=True)` tests.
    """
    from celery.contrib.testing.worker import start_worker

    with start_worker(
        celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10, loglevel="WARNING"
    ) as running:
        yield running


@pytest.fixture
def task_runs() -> Iterator[list[dict[str, Any]]]:
    """How each task started in this process was delivered (eagerly, or by the broker).

    A retried task (say, after SQLite's busy timeout ran out under load) runs again under the
    same id: count tasks by ``id``, not by runs.
    """
    runs: list[dict[str, Any]] = []

    def record(task: Any = None, **kwargs: Any) -> None:
        runs.append(
            {
                "name": task.name,
                "id": task.request.id,
                "eager": bool(task.request.is_eager),
                "delivery": dict(task.request.delivery_info or {}),
            }
        )

    task_prerun.connect(record, weak=False)
    yield runs
    task_prerun.disconnect(record)


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks: Callable[..., Any]) -> Callable[..., Any]:
    """Run on_commit callbacks (the task enqueue) inside a non-transactional test."""
    return django_capture_on_commit_callbacks
