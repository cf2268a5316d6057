"""Each test pass runs on the backend it declares (CI runs the suite on both setups).

`.ci/run` sets FACTCHECK_EXPECT_BACKEND for each pass (`sqlite`: SQLite and the embedded broker;
`postgresql`: PostgreSQL and Redis), and these tests compare it with what the suite really uses:
the database connection's vendor and the transport of a live broker connection. Comparing with
the variables the settings read (DATABASE_URL, REDIS_URL) would prove nothing: a pass that
inherited them from the calling environment would agree with itself. Under CI=true the
declaration is required; a local run without it checks against DATABASE_URL/REDIS_URL.
"""

import os

import pytest
from django.db import connection

from factcheck.celery import app as celery_app

pytestmark = pytest.mark.django_db

# Declared backend -> (database vendor, broker transport).
BACKENDS = {"sqlite": ("sqlite", "filesystem"), "postgresql": ("postgresql", "redis")}


def _expected() -> tuple[str, str]:
    declared = os.environ.get("FACTCHECK_EXPECT_BACKEND", "").strip()
    if declared:
        assert declared in BACKENDS, f"FACTCHECK_EXPECT_BACKEND={declared!r}: use {set(BACKENDS)}"
        return BACKENDS[declared]
    if os.environ.get("CI") == "true":
        pytest.fail(
            "CI=true but FACTCHECK_EXPECT_BACKEND is not set: .ci/run declares the backend of "
            "each pass (sqlite or postgresql) so that a pass on the wrong one fails."
        )
    on_postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    return (
        "postgresql" if on_postgres else "sqlite",
        "redis" if os.environ.get("REDIS_URL") else "filesystem",
    )


def _broker_transport() -> str:
    with celery_app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1)  # a live connection, not just a URL
        return str(broker.transport.driver_type)


def test_the_database_is_the_one_the_pass_declares() -> None:
    vendor, _ = _expected()
    assert connection.vendor == vendor
    with connection.cursor() as cursor:  # and it answers
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_the_broker_is_the_one_the_pass_declares() -> None:
    _, transport = _expected()
    assert _broker_transport() == transport


def test_tasks_go_through_the_broker_not_eagerly() -> None:
    assert celery_app.conf.task_always_eager is False


def test_sqlite_tests_run_on_a_file_in_wal_mode_as_the_embedded_default_does() -> None:
    """Not Django's shared-cache in-memory database, whose table locks fail at once instead of
    waiting (tests/conftest.py, django_db_modify_db_settings)."""
    if connection.vendor != "sqlite":
        assert connection.vendor == "postgresql"  # the other pass: nothing of SQLite's to check
        return
    assert not connection.is_in_memory_db()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone() == ("wal",)
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 1000
