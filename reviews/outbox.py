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
    [event] = record_many(verdicts=[verdict], kind=kind, note=note)
    return event


def record_many(*, verdicts: list[Verdict], kind: str, note: str = "") -> list[ChangeEvent]:
    """Append one event per verdict, in the given order, under one hold of the lock (a bulk
    approval): the same guarantees as `record`, one INSERT for all."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Change events are written inside the change's transaction.")
    if not verdicts:
        return []
    OutboxLock.objects.get_or_create(id=1)
    OutboxLock.objects.select_for_update().get(id=1)
    events = ChangeEvent.objects.bulk_create(
        ChangeEvent(kind=kind, verdict=verdict, claim_id_at_change=verdict.claim_id, note=note)
        for verdict in verdicts
    )
    webhooks.deliveries_for_events(events=events)
    return events
