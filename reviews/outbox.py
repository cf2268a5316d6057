"""Appending to the CMS change feed, in the transaction of the change it reports.

The same transaction creates the change's webhook deliveries (reviews.webhooks), so pull (the
feed) and push (webhooks) always agree on which changes exist.
"""

from __future__ import annotations

from django.db import transaction

from reviews import webhooks
from reviews.models import ChangeEvent, OutboxLock, Verdict


def record(*, verdict: Verdict, kind: str, note: str = "") -> ChangeEvent:
    """Append one event for a verdict; call it inside the transaction that made the change.

    Steps: lock the single lock row (PostgreSQL waits here until earlier appenders commit;
    SQLite's IMMEDIATE transactions already serialise writers), then insert. Holding the lock to
    commit means no event with a lower sequence can commit after one with a higher sequence,
    so a CMS that follows the cursor sees every event exactly once. Then create a webhook
    delivery per subscribed endpoint, sent after commit (no network I/O here).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Change events are written inside the change's transaction.")
    OutboxLock.objects.get_or_create(id=1)
    OutboxLock.objects.select_for_update().get(id=1)
    event = ChangeEvent.objects.create(
        kind=kind, verdict=verdict, claim_id_at_change=verdict.claim_id, note=note
    )
    webhooks.deliveries_for_event(event=event)
    return event
