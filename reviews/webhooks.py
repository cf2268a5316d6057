"""Webhook deliveries to the CMS, signed as the Standard Webhooks spec says.

A change (publication, correction, withdrawal) creates one `WebhookDelivery` per subscribed
endpoint in the change's own transaction (`deliveries_for_event`, called by `reviews.outbox`).
After commit a task sends it (`webhook_deliver`); the retry schedule lives in the row
(`next_attempt_at`), and beat's `webhooks_send_due` re-sends what is due, including rows whose
worker died mid-attempt (an expired lease). A dead endpoint costs the publishing request nothing:
no I/O happens in its transaction, and a broker outage at commit is only logged.

`attempts` counts the tries of the current round (since creation or the last re-send) and is
also the fencing token of a claim: a worker finishes its attempt only if `attempts` still has
the value its claim set, so a worker whose lease was taken over cannot overwrite the newer
attempt's outcome. The attempt log (`WebhookAttempt.number`) counts every try ever made.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import ipaddress
import logging
import math
import random
import secrets
import time
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Q, QuerySet
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from factcheck.lib import http as fetching
from reviews import selectors
from reviews.models import (
    ChangeEvent,
    Verdict,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

logger = logging.getLogger(__name__)

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 24
# The Standard Webhooks `type` of each change kind.
EVENT_TYPES: dict[str, str] = {
    ChangeEvent.Kind.PUBLISHED: "verdict.published",
    ChangeEvent.Kind.CORRECTED: "verdict.corrected",
    ChangeEvent.Kind.WITHDRAWN: "verdict.withdrawn",
}
# The endpoint flag that subscribes it to each change kind.
_SUBSCRIPTIONS: dict[str, str] = {
    ChangeEvent.Kind.PUBLISHED: "send_published",
    ChangeEvent.Kind.CORRECTED: "send_corrected",
    ChangeEvent.Kind.WITHDRAWN: "send_withdrawn",
}
# What is kept of the CMS's answer in the attempt log.
EXCERPT_BYTES = 1024
MAX_RETRY_SECONDS = 3600.0
# A claimed row is someone else's for this long. It must outlast the task's hard time limit
# (reviews.tasks.webhook_deliver_task: 60 s) so a running attempt never loses its lease, yet be
# short enough that a delivery whose worker died is picked up again within minutes.
LEASE_MARGIN_SECONDS = 90.0
# Reasons for which trying again cannot help until someone changes the endpoint.
_PERMANENT_REASONS = frozenset(
    {"blocked_address", "bad_port", "bad_scheme", "credentials", "invalid_url", "bad_config"}
)
UNFINISHED_ATTEMPT = "The attempt did not finish (the worker stopped or timed out)."
# How many due deliveries one beat run enqueues; the rest wait for the next run.
SEND_DUE_BATCH = 500


# --- Endpoints ---------------------------------------------------------------------------------


def secret_generate() -> str:
    """A new signing secret, written as the Standard Webhooks spec writes them: whsec_<base64>."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def validate_allowed_networks(text: str) -> tuple[str, ...]:
    """The CIDR networks of an endpoint's `allowed_networks` text, one a line, blanks ignored.

    Raises ValidationError naming each bad line: not a network, host bits set (`10.0.0.1/8`:
    did the admin mean the network or the host?), or every address (`0.0.0.0/0`, which would
    switch the SSRF guard off for this endpoint).
    """
    networks: list[str] = []
    errors: list[str] = []
    for line in text.splitlines():
        entry = line.strip()
        if not entry:
            continue
        try:
            network = ipaddress.ip_network(entry)
        except ValueError as error:
            errors.append(
                f"{entry!r} is not a network in CIDR form, such as 10.20.0.0/16: {error}."
            )
            continue
        if network.prefixlen == 0:
            errors.append(f"{entry!r} allows every address; list only the CMS's own network.")
            continue
        networks.append(str(network))
    if errors:
        raise ValidationError(errors)
    return tuple(networks)


def endpoint_check(*, url: str, allowed_networks: str) -> None:
    """Refuse an endpoint the sender would never reach, before any delivery is tried.

    Raises ValidationError keyed by field: bad networks, or a URL the guarded fetcher refuses
    without I/O (scheme, credentials, a private IP literal outside the allowed networks, a
    port other than 80/443 outside them). Names are resolved only when sending.
    """
    try:
        own = validate_allowed_networks(allowed_networks)
    except ValidationError as error:
        raise ValidationError({"allowed_networks": error.messages}) from error
    base = fetching.policy_from_settings()
    policy = dataclasses.replace(base, allowed_networks=base.allowed_networks + own)
    try:
        fetching.check_url(url, policy)
    except fetching.FetchError as error:
        raise ValidationError({"url": str(error)}) from error


@transaction.atomic
def endpoint_create(
    *,
    name: str,
    url: str,
    send_published: bool = True,
    send_corrected: bool = True,
    send_withdrawn: bool = True,
    allowed_networks: str = "",
    is_active: bool = True,
) -> WebhookEndpoint:
    """Create an endpoint with a new secret; raises ValidationError for bad fields or networks."""
    endpoint = WebhookEndpoint(
        name=name,
        url=url,
        secret=secret_generate(),
        send_published=send_published,
        send_corrected=send_corrected,
        send_withdrawn=send_withdrawn,
        allowed_networks=allowed_networks,
        is_active=is_active,
    )
    endpoint.full_clean()
    endpoint_check(url=url, allowed_networks=allowed_networks)
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoints_rotate_secret(*, endpoint_ids: Iterable[int]) -> int:
    """Give each endpoint a new secret at once; returns how many were rotated.

    Attempts from now on are signed with the new secret (the secret is read at send time), so
    the CMS must be given the new one before its next delivery verifies.
    """
    endpoints = list(WebhookEndpoint.objects.select_for_update().filter(pk__in=endpoint_ids))
    for endpoint in endpoints:
        endpoint.secret = secret_generate()
    WebhookEndpoint.objects.bulk_update(endpoints, ["secret"])
    for endpoint in endpoints:
        logger.info("webhook endpoint %s: secret rotated", endpoint.pk)
    return len(endpoints)


# --- Creating and queueing deliveries ---------------------------------------------------------


def _enqueue_delivery(delivery_id: int) -> None:
    """Send the delivery to the worker once committed; a broker outage only logs."""
    from reviews.tasks import webhook_deliver_task

    def send_webhook() -> None:
        webhook_deliver_task.delay(delivery_id)

    # robust: the change is saved either way, and beat's webhooks_send_due picks the row up.
    transaction.on_commit(send_webhook, robust=True)


def deliveries_for_event(*, event: ChangeEvent) -> list[WebhookDelivery]:
    """Create one pending delivery per active endpoint subscribed to the event's kind."""
    return deliveries_for_events(events=[event])


def deliveries_for_events(*, events: list[ChangeEvent]) -> list[WebhookDelivery]:
    """Create one pending delivery per event and active endpoint subscribed to its kind.

    Runs inside the change's transaction (from `reviews.outbox`): the rows commit with the
    change or not at all. Each is enqueued after commit; nothing here does network I/O. One
    query for the endpoints and one insert, however many events (a bulk approval).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Webhook deliveries are created inside the change's transaction.")
    if not events:
        return []
    endpoints = list(WebhookEndpoint.objects.filter(is_active=True).order_by("pk"))
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            event=event,
            message_id=f"msg_{uuid.uuid4().hex}",
            next_attempt_at=now,
        )
        for event in events
        for endpoint in endpoints
        if getattr(endpoint, _SUBSCRIPTIONS[event.kind])
    )
    for delivery in deliveries:
        _enqueue_delivery(delivery.pk)
    return deliveries


def _active_endpoints() -> QuerySet[WebhookEndpoint, Any]:
    """Active endpoint ids, as a subquery.

    Not a join (`endpoint__is_active`): Django turns an UPDATE with a join into
    `WHERE id IN (SELECT ...)`, and PostgreSQL re-checks a row changed by a concurrent claim
    against the outer WHERE only, so two workers could both claim it. Kept as a plain subquery
    on the other table, the row's own conditions stay in the outer WHERE.
    """
    return WebhookEndpoint.objects.filter(is_active=True).values("pk")


def _is_due(now: datetime.datetime) -> Q:
    """Rows a worker may claim now: pending and due, or sending under an expired lease."""
    pending_and_due = Q(status=WebhookDelivery.Status.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    lease_expired = Q(status=WebhookDelivery.Status.SENDING, lease_until__lt=now)
    return pending_and_due | lease_expired


def webhooks_send_due() -> int:
    """Enqueue the deliveries whose time has come; returns how many (run by beat every 30 s).

    Steps: give up rows whose last attempt never finished and that have no attempts left; then
    enqueue, oldest due first, rows that are pending and due or whose lease has expired (their
    worker died). A row enqueued twice is harmless: the second task finds it claimed and exits.
    """
    now = timezone.now()
    max_attempts = settings.FACTCHECK_WEBHOOK_MAX_ATTEMPTS
    given_up = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.SENDING, lease_until__lt=now, attempts__gte=max_attempts
    ).update(
        status=WebhookDelivery.Status.FAILED,
        lease_until=None,
        next_attempt_at=None,
        last_error=f"Gave up after {max_attempts} attempts; the last one never finished.",
    )
    if given_up:
        logger.warning(
            "webhooks: gave up %s deliveries whose last attempt never finished", given_up
        )
    due = list(
        WebhookDelivery.objects.filter(
            _is_due(now), attempts__lt=max_attempts, endpoint_id__in=_active_endpoints()
        )
        .order_by(F("next_attempt_at").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)[:SEND_DUE_BATCH]
    )
    from reviews.tasks import webhook_deliver_task

    for delivery_id in due:
        webhook_deliver_task.delay(delivery_id)
    return len(due)


@transaction.atomic
def deliveries_resend(*, delivery_ids: Iterable[int]) -> int:
    """Queue deliveries to be sent again now, with a fresh round of attempts; returns how many.

    Any status may be re-sent (a delivered one again, a failed one after the endpoint was
    fixed) except a row being sent right now (a live lease) or one whose endpoint is inactive.
    The same `webhook-id` is sent, so a CMS that already has it can ignore the repeat.
    """
    now = timezone.now()
    chosen = list(
        WebhookDelivery.objects.select_for_update()
        .filter(pk__in=delivery_ids, endpoint_id__in=_active_endpoints())
        .exclude(status=WebhookDelivery.Status.SENDING, lease_until__gte=now)
        .values_list("pk", flat=True)
    )
    WebhookDelivery.objects.filter(pk__in=chosen).update(
        status=WebhookDelivery.Status.PENDING,
        attempts=0,
        next_attempt_at=now,
        lease_until=None,
        delivered_at=None,
    )
    for delivery_id in chosen:
        _enqueue_delivery(delivery_id)
    return len(chosen)


# --- Sending one delivery ---------------------------------------------------------------------


def _lease_until(now: datetime.datetime) -> datetime.datetime:
    seconds = float(settings.FACTCHECK_WEBHOOK_TIMEOUT) + LEASE_MARGIN_SECONDS
    return now + datetime.timedelta(seconds=seconds)


def retry_delay(attempt: int) -> datetime.timedelta:
    """How long to wait after failed attempt number `attempt` (1-based) of a round.

    FACTCHECK_WEBHOOK_RETRY_SECONDS, doubled each attempt, times a random 0.8-1.2 (so that
    deliveries failed by one outage do not all come back in the same second), at most an hour.
    """
    base = float(settings.FACTCHECK_WEBHOOK_RETRY_SECONDS)
    seconds = base * 2 ** min(max(attempt - 1, 0), 30) * random.uniform(0.8, 1.2)
    return datetime.timedelta(seconds=min(seconds, MAX_RETRY_SECONDS))


def _claim(delivery_id: int) -> int | None:
    """Claim a due delivery with one conditional UPDATE; returns the attempt number, or None.

    A row sending under a live lease (another worker has it, or this very message was
    delivered twice) is left alone; an expired lease (its worker died) is taken over.
    """
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        _is_due(now),
        pk=delivery_id,
        attempts__lt=settings.FACTCHECK_WEBHOOK_MAX_ATTEMPTS,
        endpoint_id__in=_active_endpoints(),
    ).update(
        status=WebhookDelivery.Status.SENDING,
        attempts=F("attempts") + 1,
        lease_until=_lease_until(now),
    )
    if not claimed:
        return None
    attempts: int = (
        WebhookDelivery.objects.filter(pk=delivery_id).values_list("attempts", flat=True).get()
    )
    return attempts


def _policy_for(endpoint: WebhookEndpoint) -> fetching.FetchPolicy:
    """The fetch policy of one endpoint: the global one, plus its own networks and timeout."""
    base = fetching.policy_from_settings()
    timeout = float(settings.FACTCHECK_WEBHOOK_TIMEOUT)
    try:
        own = validate_allowed_networks(endpoint.allowed_networks)
    except ValidationError as error:
        raise fetching.FetchError(
            "bad_config", f"The endpoint's allowed networks are invalid: {error.messages}"
        ) from error
    return dataclasses.replace(
        base,
        allowed_networks=base.allowed_networks + own,
        timeout=min(base.timeout, timeout),
        deadline=timeout,
        user_agent="factcheck-webhooks/1.0",
    )


def payload_for(event: ChangeEvent) -> dict[str, Any]:
    """The Standard Webhooks payload of a change: its type, when it happened, and the change
    as the change feed renders it (cursor included, so the CMS can order what it receives)."""
    # Imported here: the serializers import much of DRF, and webhooks must not depend on them
    # at import time (reviews.outbox imports this module).
    from reviews.serializers import change_representation

    rows = selectors.verdict_rows(Verdict.objects.published().filter(pk=event.verdict_id))
    current = {document["id"]: document for document in selectors.verdict_documents(rows)}
    occurred = event.created_at.astimezone(datetime.UTC)
    return {
        "type": EVENT_TYPES[event.kind],
        "timestamp": occurred.isoformat().replace("+00:00", "Z"),
        "data": change_representation(event, current),
    }


def _render(payload: dict[str, Any]) -> bytes:
    """The payload as the API renders JSON, so pull and push carry the same bytes."""
    from rest_framework.renderers import JSONRenderer

    return JSONRenderer().render(payload)


def signed_headers(
    *, secret: str, message_id: str, body: bytes, at: datetime.datetime
) -> dict[str, str]:
    """The Standard Webhooks headers for a body sent at `at` (timezone-aware)."""
    # The library reads the timestamp with .replace(tzinfo=UTC): hand it UTC, or the
    # signed time and the header would disagree by the UTC offset.
    at_utc = at.astimezone(datetime.UTC)
    signature = Webhook(secret).sign(message_id, at_utc, body.decode("utf-8"))
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(math.floor(at_utc.timestamp())),
        "webhook-signature": signature,
    }


@dataclasses.dataclass(frozen=True)
class _Sent:
    """What one attempt found out."""

    succeeded: bool = False
    permanent: bool = False
    status_code: int | None = None
    excerpt: str = ""
    error: str = ""


def _send(delivery: WebhookDelivery, at: datetime.datetime) -> _Sent:
    """Render, sign and POST one delivery; never raises for the CMS's or the network's faults."""
    endpoint = delivery.endpoint
    try:
        body = _render(payload_for(delivery.event))
    except Exception as failure:
        # A bug, not the CMS's fault: keep it in the log and retry on schedule, so a fix
        # deployed meanwhile still gets the change out.
        logger.exception("webhook delivery %s: could not build the payload", delivery.pk)
        return _Sent(error=f"Could not build the payload: {failure!r}")
    headers = signed_headers(
        secret=endpoint.secret, message_id=delivery.message_id, body=body, at=at
    )
    try:
        result = fetching.post_json(
            endpoint.url,
            body=body,
            headers=headers,
            policy=_policy_for(endpoint),
            excerpt_bytes=EXCERPT_BYTES,
        )
    except fetching.FetchError as failure:
        return _Sent(error=str(failure), permanent=failure.reason in _PERMANENT_REASONS)
    if result.ok:
        error = ""
    elif result.location:
        error = f"Answered {result.status_code}, a redirect to {result.location} (not followed)."
    else:
        error = f"Answered {result.status_code}."
    return _Sent(
        succeeded=result.ok, status_code=result.status_code, excerpt=result.excerpt, error=error
    )


def _outcome(*, number: int, sent: _Sent) -> dict[str, Any]:
    """The fields to write on the delivery after attempt `number` of its round."""
    now = timezone.now()
    common: dict[str, Any] = {"lease_until": None, "last_status_code": sent.status_code}
    if sent.succeeded:
        return {
            **common,
            "status": WebhookDelivery.Status.DELIVERED,
            "delivered_at": now,
            "next_attempt_at": None,
            "last_error": "",
        }
    if sent.permanent or number >= settings.FACTCHECK_WEBHOOK_MAX_ATTEMPTS:
        why = "" if sent.permanent else f" Gave up after {number} attempts."
        return {
            **common,
            "status": WebhookDelivery.Status.FAILED,
            "next_attempt_at": None,
            "last_error": sent.error + why,
        }
    return {
        **common,
        "status": WebhookDelivery.Status.PENDING,
        "next_attempt_at": now + retry_delay(number),
        "last_error": sent.error,
    }


def webhook_deliver(*, delivery_id: int) -> WebhookDelivery | None:
    """Try to send one delivery now; safe to run twice or concurrently.

    Steps: claim the row (conditional UPDATE taking a lease; exit with None if it is not due,
    is leased by a live worker, has no attempts left or its endpoint is inactive); log the
    attempt as started; render and sign the payload (a new `webhook-timestamp` per attempt,
    the same `webhook-id` throughout); POST it through the guarded fetcher with the endpoint's
    own allowed networks; log the status code, response excerpt, duration or error; then mark
    the row delivered (2xx), failed (a refused address or bad URL, which retrying cannot fix, or
    no attempts left) or pending again with `next_attempt_at` pushed back. Returns the row.
    """
    number = _claim(delivery_id)
    if number is None:
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint", "event").get(pk=delivery_id)
    started = timezone.now()
    previous = delivery.attempt_log.aggregate(last=Max("number"))["last"] or 0
    # Logged before the request, so an attempt whose worker dies still shows in the log.
    attempt = WebhookAttempt.objects.create(
        delivery=delivery, number=previous + 1, started_at=started, error=UNFINISHED_ATTEMPT
    )
    clock = time.monotonic()
    sent = _send(delivery, started)
    duration_ms = round((time.monotonic() - clock) * 1000)
    WebhookAttempt.objects.filter(pk=attempt.pk).update(
        duration_ms=duration_ms,
        status_code=sent.status_code,
        # PostgreSQL text cannot hold NUL characters; a CMS may well send them.
        response_excerpt=sent.excerpt.replace("\x00", "\ufffd"),
        error=sent.error,
        succeeded=sent.succeeded,
    )
    # Fenced by the attempt number: if this worker's lease expired and another took over,
    # the newer attempt owns the row and this outcome stays in the log only.
    finished = WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.Status.SENDING, attempts=number
    ).update(**_outcome(number=number, sent=sent))
    if not finished:
        logger.warning(
            "webhook delivery %s: attempt %s finished after its lease was taken over",
            delivery_id,
            number,
        )
    logger.log(
        logging.INFO if sent.succeeded else logging.WARNING,
        "webhook delivery %s to endpoint %s: attempt %s: %s in %s ms",
        delivery_id,
        delivery.endpoint_id,
        number,
        sent.status_code if sent.status_code is not None else sent.error,
        duration_ms,
    )
    delivery.refresh_from_db()
    return delivery
