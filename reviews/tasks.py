"""Background jobs of the review desk: thin wrappers that load by primary key and call a service."""

from celery import shared_task

from reviews import services, webhooks


@shared_task(
    name="reviews.tasks.source_fetch",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=45,
    time_limit=60,
)
def source_fetch_task(source_id: int) -> None:
    """Fetch and archive one source; the service makes a repeated or concurrent run a no-op."""
    source = services.source_fetch(source_id=source_id)
    if source is not None and source.fetch_status == source.FetchStatus.PENDING:
        # A transient failure: try again later, with backoff by attempt number.
        source_fetch_task.apply_async((source_id,), countdown=min(30 * source.attempts, 120))


@shared_task(name="reviews.tasks.sources_sweep", ignore_result=True)
def sources_sweep_task() -> int:
    """Re-queue sources whose fetch was lost or never finished (run by beat every minute)."""
    return services.sources_sweep()


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
