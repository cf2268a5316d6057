"""Background jobs of the article desk: thin wrappers that take a primary key and call a service."""

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import OperationalError


@shared_task(
    name="claims.tasks.article_import_url",
    bind=True,
    acks_late=True,
    # A killed worker child puts the message back; its redelivery takes the lease over.
    reject_on_worker_lost=True,
    # A run stopped by its hard time limit is put back too, and its redelivery takes over.
    acks_on_failure_or_timeout=False,
    ignore_result=True,
    # The fetch deadline (FACTCHECK_FETCH_DEADLINE) ends the request well before these; the
    # job's lease (FACTCHECK_FETCH_LEASE_SECONDS) outlasts the hard limit.
    soft_time_limit=settings.FACTCHECK_FETCH_SOFT_TIME_LIMIT,
    time_limit=settings.FACTCHECK_FETCH_TIME_LIMIT,
    # A transient database failure (a lock, a dropped connection) is tried again shortly; the
    # retry keeps the task id, so the job's lease lets it take over.
    autoretry_for=(OperationalError,),
    max_retries=5,
    default_retry_delay=1,
)
def article_import_url_task(self: Task, import_id: int) -> None:
    """Fetch, extract and store one queued URL import; the service's lease makes a duplicate
    run a no-op and lets a redelivery after a crash take over."""
    from claims import importing

    task_id = self.request.id or ""
    try:
        importing.article_import_url_run(import_id=import_id, task_id=task_id)
    except SoftTimeLimitExceeded:
        importing.article_import_url_stop(
            import_id=import_id, task_id=task_id, seconds=settings.FACTCHECK_FETCH_SOFT_TIME_LIMIT
        )


@shared_task(name="claims.tasks.article_imports_sweep", ignore_result=True, time_limit=60)
def article_imports_sweep_task() -> int:
    """Send again URL imports whose message was lost or whose worker died (beat, every minute)."""
    from claims import importing

    return importing.article_imports_sweep()


@shared_task(
    name="claims.tasks.article_rerank",
    acks_late=True,
    # Idempotent (keyed by the article's revision): a killed worker's message runs again.
    reject_on_worker_lost=True,
    ignore_result=True,
    # Loading the encoder the first time in a process takes a few seconds; a long article's
    # candidates take a few more.
    soft_time_limit=120,
    time_limit=180,
)
def article_rerank_task(article_id: int, revision: int) -> None:
    """Refine the scores of an article's claims with stage 2, for the revision it was sent for
    (a message for an older revision stores nothing)."""
    from claims import reranking

    reranking.article_rerank(article_id=article_id, revision=revision)
