"""Shared fixtures: users per role, a local HTTP server, and test broker wiring."""

import importlib
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.conf import settings

from factcheck.celery import app as celery_app
from tests.factories import UserFactory

_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")

# Each test process gets its own queue (Redis) or folder (embedded broker), so a real worker in
# one xdist process never takes another process's messages.
if settings.REDIS_URL:
    celery_app.conf.task_default_queue = f"factcheck-test-{_XDIST_WORKER}"
else:
    _broker_dir = settings.VAR_DIR / "test-broker" / _XDIST_WORKER
    celery_app.conf.broker_transport_options = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    # Start each run with an empty queue: messages of earlier runs would be noise.
    shutil.rmtree(_broker_dir, ignore_errors=True)
    (_broker_dir / "queue").mkdir(parents=True, exist_ok=True)
    (_broker_dir / "processed").mkdir(parents=True, exist_ok=True)
    (_broker_dir / "control").mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="session", autouse=True)
def _empty_redis_test_queue() -> None:
    """Start each run with an empty Redis test queue (messages of earlier runs would be noise)."""
    if settings.REDIS_URL:
        with celery_app.connection_for_write() as connection:
            connection.default_channel.queue_purge(celery_app.conf.task_default_queue)


@pytest.fixture(autouse=True)
def _fetch_loopback_allowed(settings: Any) -> None:
    """Tests serve pages from 127.0.0.1; production never allows private addresses."""
    settings.FACTCHECK_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]


@pytest.fixture
def reference_data(transactional_db: None) -> None:
    """Restore the rows the data migration made (roles, the default scale).

    Transactional tests flush every table when they end; this puts them back, idempotently.
    """
    from django.apps import apps

    migration = importlib.import_module("reviews.migrations.0002_default_scale_and_roles")
    migration.forwards(apps, None)


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


@dataclass
class LocalServer:
    """A local HTTP server on 127.0.0.1 with routes a test sets; no test touches the internet."""

    base_url: str
    routes: dict[str, Route]
    hits: list[str]

    def url(self, path: str) -> str:
        return self.base_url + path

    def add(self, path: str, body: str | bytes, status: int = 200, **headers: str) -> str:
        raw = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(status, raw, {"Content-Type": "text/html", **headers})
        return self.url(path)


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    routes: dict[str, Route] = {}
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            route = routes.get(self.path, Route(404, b"not found", {"Content-Type": "text/plain"}))
            self.send_response(route.status)
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            self.wfile.write(route.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LocalServer(f"http://127.0.0.1:{server.server_address[1]}", routes, hits)
    server.shutdown()
    server.server_close()


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks: Callable[..., Any]) -> Callable[..., Any]:
    """Run on_commit callbacks (the task enqueue) inside a non-transactional test."""
    return django_capture_on_commit_callbacks
