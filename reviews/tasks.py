"""Background jobs of the review desk: thin wrappers that load by primary key and call a service."""

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from reviews import services, webhooks


@shared_task(
    name="reviews.tasks.source_fetch",
    bind=True,
    acks_late=True,
    # A killed worker child puts the message back; its redelivery takes the lease over.
    reject_on_worker_lost=True,
    # A run stopped by its hard time limit is put back too, and its redelivery takes over.
    acks_on_failure_or_timeout=False,
    ignore_result=True,
    # The fetch deadline (FACTCHECK_FETCH_DEADLINE) ends the request well before these; the
    # source's lease (FACTCHECK_FETCH_LEASE_SECONDS) outlasts the hard limit.
    soft_time_limit=settings.FACTCHECK_FETCH_SOFT_TIME_LIMIT,
    time_limit=settings.FACTCHECK_FETCH_TIME_LIMIT,
    # A transient database failure (a lock held by another connection, a dropped connection)
    # is tried again shortly rather than left for the sweep; the retry keeps the task id, so
    # the source's lease lets it take over.
    autoretry_for=(OperationalError,),
    max_retries=5,
    default_retry_delay=1,
)
def source_fetch_task(self: Task, source_id: int) -> None:
    """Fetch and archive one source; the service's lease makes a duplicate run a no-op and lets
    a redelivery after a crash take over at once."""
    task_id = self.request.id or ""
    try:
        source = services.source_fetch(source_id=source_id, task_id=task_id)
    except SoftTimeLimitExceeded:
        # Let the next run take over at once rather than when the lease runs out.
        services.source_lease_release(source_id=source_id, task_id=task_id)
        source_fetch_task.apply_async((source_id,), countdown=1)
        return
    if source is not None and source.fetch_status == source.FetchStatus.PENDING:
        # A transient failure: come back when the row says (backoff with jitter).
        countdown = 0.0
        if source.next_attempt_at is not None:
            countdown = max(0.0, (source.next_attempt_at - timezone.now()).total_seconds())
        source_fetch_task.apply_async((source_id,), countdown=countdown)


@shared_task(name="reviews.tasks.sources_fetch_many", ignore_result=True, time_limit=120)
def sources_fetch_many_task(source_ids: list[int]) -> int:
    """Queue one fetch per source (a bulk re-fetch sends its ids here in one message)."""
    for source_id in source_ids:
        source_fetch_task.delay(source_id)
    return len(source_ids)


@shared_task(name="reviews.tasks.sources_sweep", ignore_result=True, time_limit=60)
def sources_sweep_task() -> int:
    """Re-queue sources whose fetch was lost or whose lease expired (beat, every minute)."""
    return services.sources_sweep()


@shared_task(
    name="reviews.tasks.source_recheck",
    acks_late=True,
    ignore_result=True,
    soft_time_limit=settings.FACTCHECK_FETCH_SOFT_TIME_LIMIT,
    time_limit=settings.FACTCHECK_FETCH_TIME_LIMIT,
)
def source_recheck_task(source_id: int) -> None:
    """Re-check the live page of one archived source for link rot."""
    services.source_recheck(source_id=source_id)


@shared_task(name="reviews.tasks.sources_recheck_due", ignore_result=True, time_limit=60)
def sources_recheck_due_task() -> int:
    """Queue link-rot re-checks of the sources published verdicts cite (run by beat)."""
    return services.sources_recheck_due()


@shared_task(
    name="reviews.tasks.source_archive_submit",
    acks_late=True,
    ignore_result=True,
    soft_time_limit=settings.FACTCHECK_FETCH_SOFT_TIME_LIMIT,
    time_limit=settings.FACTCHECK_FETCH_TIME_LIMIT,
)
def source_archive_submit_task(source_id: int) -> None:
    """Ask the public web archive to save one source (only when the setting is on)."""
    services.source_archive_submit(source_id=source_id)


@shared_task(
    name="reviews.tasks.webhook_deliver",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    # The HTTP deadline (FACTCHECK_WEBHOOK_TIMEOUT) ends the request well before these; the
    # delivery's lease (reviews.webhooks.LEASE_MARGIN_SECONDS) outlasts the hard limit.
    soft_time_limit=45,
    time_limit=60,
)
def webhook_deliver_task(delivery_id: int) -> None:
    """Send one webhook delivery; the service's lease makes a repeated or concurrent run a no-op.

    No retry here: a failed attempt leaves the next time in the row, and beat's
    `webhooks_send_due` enqueues it when it comes.
    """
    webhooks.webhook_deliver(delivery_id=delivery_id)


@shared_task(name="reviews.tasks.webhooks_send_due", ignore_result=True)
def webhooks_send_due_task() -> int:
    """Enqueue webhook deliveries that are due or whose worker died (run by beat every 30 s)."""
    return webhooks.webhooks_send_due()
