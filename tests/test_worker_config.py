"""What a Celery worker process changes in its own settings before its pool forks."""

from __future__ import annotations

from typing import Any

import pytest
from celery import signals

from factcheck import celery as celery_module


def test_worker_processes_keep_database_connections_with_health_checks() -> None:
    databases: dict[str, dict[str, Any]] = {
        "default": {"ENGINE": "django.db.backends.sqlite3", "CONN_MAX_AGE": 0},
        "other": {"ENGINE": "django.db.backends.postgresql", "CONN_MAX_AGE": 0},
    }
    celery_module.keep_database_connections(databases, 300)
    assert [(db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"]) for db in databases.values()] == [
        (300, True),
        (300, True),
    ]


class _Worker:
    def __init__(self, pool_cls: str) -> None:
        self.pool_cls = pool_cls


def test_worker_init_reuses_connections_and_turns_the_query_log_off(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept: list[tuple[Any, int]] = []
    monkeypatch.setattr(
        celery_module,
        "keep_database_connections",
        lambda databases, max_age: kept.append((databases, max_age)),
    )
    settings.DEBUG = True
    settings.FACTCHECK_WORKER_CONN_MAX_AGE = 123
    # Connected to the signal a worker sends before its pool forks; called directly here, since
    # sending the signal would also run Celery's own worker set-up in the test process.
    assert celery_module._configure_worker in signals.worker_init._live_receivers(None)
    # A worker run inside another program (the tests' in-thread worker) is left alone ...
    celery_module._configure_worker(sender=_Worker("solo"))
    assert kept == [] and settings.DEBUG is True
    # ... a `celery worker` with its process pool is configured.
    celery_module._configure_worker(sender=_Worker("celery.concurrency.prefork:TaskPool"))
    assert kept == [(settings.DATABASES, 123)]
    assert settings.DEBUG is False


class _Request:
    def __init__(self, is_eager: bool) -> None:
        self.is_eager = is_eager


class _Task:
    def __init__(self, is_eager: bool) -> None:
        self.request = _Request(is_eager)


def test_around_each_worker_task_connections_are_checked_as_around_a_request(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import django.db

    calls: list[str] = []
    monkeypatch.setattr(django.db, "close_old_connections", lambda: calls.append("checked"))
    handler = celery_module._database_connections_around_tasks
    assert handler in signals.task_prerun._live_receivers(None)
    assert handler in signals.task_postrun._live_receivers(None)
    # Celery's own fix-up would otherwise close every connection around every task.
    assert settings.CELERY_DB_REUSE_MAX >= 100
    assert celery_module.app.conf.get("CELERY_DB_REUSE_MAX") == settings.CELERY_DB_REUSE_MAX

    handler(task=_Task(is_eager=False))
    handler(task=_Task(is_eager=True))  # a task run in the caller's process: left alone
    assert calls == ["checked"]
