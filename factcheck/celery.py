"""The Celery application, configured from Django settings (CELERY_* names).

Two queues, so a flood of slow sources never delays other work:

- the default queue (`celery`, or `task_default_queue`): webhooks, sweeps, everything else;
- `<default>.fetch`: fetching, re-checking and web-archive submissions of sources.

A plain `celery worker` consumes both (the embedded `make run` default); production runs one
worker per queue with `-Q celery` and `-Q celery.fetch` (docker-compose.yml). The fetch queue's
name follows the default queue's, so tests that give each process its own default queue get
their own fetch queue too.
"""

import os
from collections.abc import Mapping
from typing import Any

from celery import Celery, signals
from celery.app.amqp import AMQP
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")

# Tasks that fetch pages on the internet: slow, many, and bounded by the fetch deadline.
FETCH_TASKS = frozenset(
    {
        "reviews.tasks.source_fetch",
        "reviews.tasks.source_recheck",
        "reviews.tasks.source_archive_submit",
        "claims.tasks.article_import_url",
    }
)


def fetch_queue_name(default_queue: str) -> str:
    """The fetch queue that goes with a default queue."""
    return f"{default_queue}.fetch"


class _AMQP(AMQP):
    """Declares the fetch queue beside the default one, so a worker started without `-Q`
    consumes both."""

    def Queues(self, queues: Any, *args: Any, **kwargs: Any) -> Any:
        declared = super().Queues(queues, *args, **kwargs)
        default_queue = self.app.conf.task_default_queue
        name = fetch_queue_name(default_queue)
        if not queues and default_queue and name not in declared:
            declared.select_add(Queue(name, routing_key=name))
        return declared


def route_task(name: str, args: Any, kwargs: Any, options: Any, task: Any = None, **kw: Any) -> Any:
    """Send fetching tasks to the fetch queue; everything else to the default queue."""
    if name in FETCH_TASKS:
        queue = fetch_queue_name(app.conf.task_default_queue)
        return {"queue": queue, "routing_key": queue}
    return None


app = Celery("factcheck", amqp=_AMQP)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def keep_database_connections(databases: Mapping[str, Any], max_age: int) -> None:
    """Let worker processes keep their database connections for `max_age` seconds, checking
    a kept connection is still usable before a task uses it.

    Changes the settings dicts in place: Django's connections read these same dicts.
    """
    for database in databases.values():
        database["CONN_MAX_AGE"] = max_age
        database["CONN_HEALTH_CHECKS"] = True


def _runs_a_process_pool(worker: Any) -> bool:
    """Whether a worker runs tasks in pool processes of its own (`celery worker`, prefork),
    rather than inside another program's process, as the tests' in-thread worker does."""
    pool = getattr(worker, "pool_cls", None)
    name = pool if isinstance(pool, str) else getattr(pool, "__module__", "")
    return "prefork" in str(name)


@signals.worker_init.connect
def _configure_worker(sender: Any = None, **kwargs: Any) -> None:
    """Worker processes (before the pool forks): reuse database connections, and keep no
    query log even when DEBUG is on (`make run`): the log is for a developer looking at a
    page; a worker only grows it (Celery warns of the leak) and pays for it on every query
    (on SQLite, a second query per query to quote its parameters).

    Celery's Django fix-up closes every connection around every task unless
    CELERY_DB_REUSE_MAX (settings) lets it keep them for that many tasks; each task then
    reconnects (on SQLite re-running the connection PRAGMAs; on PostgreSQL a new session).
    With it set, `_database_connections_around_tasks` does what Django does around a request.
    """
    from django.conf import settings

    if not _runs_a_process_pool(sender):
        return  # a worker inside another program: its settings are that program's
    keep_database_connections(settings.DATABASES, settings.FACTCHECK_WORKER_CONN_MAX_AGE)
    settings.DEBUG = False


@signals.task_prerun.connect
@signals.task_postrun.connect
def _database_connections_around_tasks(task: Any = None, **kwargs: Any) -> None:
    """Around each task in a worker, what Django does around each request: close a connection
    that failed or outlived CONN_MAX_AGE, and health-check the others before their next use."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
