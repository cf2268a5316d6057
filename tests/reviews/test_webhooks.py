"""Signed webhooks to the CMS: signing, retries kept in rows, the SSRF guard, leases, the admin.

The CMS is a local HTTP server on 127.0.0.1 that answers POSTs as each test scripts it. Its
signature check is written here by hand from the Standard Webhooks spec (hmac and base64), not
with the standardwebhooks library the sender uses, so a shared mistake cannot pass unseen.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim
from factcheck.lib import http as fetching
from reviews import services, tasks, webhooks
from reviews.models import (
    ChangeEvent,
    Verdict,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from tests.factories import ClaimFactory, WebhookEndpointFactory, default_rating
from tests.polling import poll

pytestmark = pytest.mark.django_db

Status = WebhookDelivery.Status


# --- A fake CMS ---------------------------------------------------------------------------------


@dataclass
class Received:
    """One POST the fake CMS received."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeCms:
    """Answers POSTs with the scripted `answers` in order, then 200; records what it got."""

    base_url: str
    answers: list[tuple[int, bytes, dict[str, str]]] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    delay: float = 0.0

    def url(self, path: str = "/hook") -> str:
        return self.base_url + path


@pytest.fixture
def cms() -> Iterator[FakeCms]:
    fake = FakeCms(base_url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {name.lower(): value for name, value in self.headers.items()}
            fake.received.append(Received(self.path, headers, body))
            if fake.delay:
                time.sleep(fake.delay)
            status, answer, extra = fake.answers.pop(0) if fake.answers else (200, b"ok", {})
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    yield fake
    server.shutdown()
    server.server_close()


class BadSignature(Exception):
    pass


def verify(secret: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """A CMS's check, straight from the spec: HMAC-SHA256 of "{id}.{timestamp}.{body}", keyed by
    the base64-decoded secret after "whsec_", compared with each "v1,<base64>" signature."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    message_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > 5 * 60:
        raise BadSignature("timestamp outside the tolerance")
    signed = f"{message_id}.{timestamp}.".encode() + body
    expected = hmac.new(key, signed, hashlib.sha256).digest()
    for candidate in headers["webhook-signature"].split(" "):
        version, _comma, signature = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(base64.b64decode(signature), expected):
            return json.loads(body)  # type: ignore[no-any-return]
    raise BadSignature("no matching signature")


# --- Helpers ------------------------------------------------------------------------------------


def _publish(reviewer: Any, editor: Any, summary: str = "Too high.") -> Verdict:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    verdict = services.verdict_save(
        claim=claim, user=reviewer, rating=default_rating("Mostly false"), summary=summary
    )
    services.verdict_submit(verdict=verdict, user=reviewer)
    return services.verdict_approve(verdict=verdict, user=editor)


def _delivery_for(endpoint: WebhookEndpoint) -> WebhookDelivery:
    return WebhookDelivery.objects.get(endpoint=endpoint)


def _make_due(delivery: WebhookDelivery) -> None:
    """Move the clock past the scheduled retry (the schedule lives in the row)."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )


def _deliver(delivery: WebhookDelivery) -> WebhookDelivery | None:
    return webhooks.webhook_deliver(delivery_id=delivery.pk)


@pytest.fixture
def sync_tasks() -> Iterator[list[int]]:
    """Run webhook_deliver tasks in the caller when queued; yields the queued delivery ids."""
    queued: list[int] = []

    def run(delivery_id: int) -> None:
        queued.append(delivery_id)
        tasks.webhook_deliver_task(delivery_id)

    with mock.patch.object(tasks.webhook_deliver_task, "delay", side_effect=run):
        yield queued


# --- Signing ------------------------------------------------------------------------------------


def test_a_cms_verifying_by_hand_accepts_the_delivery_and_rejects_a_tampered_body(
    cms: FakeCms, reviewer: Any, editor: Any
) -> None:
    endpoint = WebhookEndpointFactory(url=cms.url())
    verdict = _publish(reviewer, editor)
    delivery = _delivery_for(endpoint)
    assert _deliver(delivery) is not None
    [request] = cms.received
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-id"] == delivery.message_id
    payload = verify(endpoint.secret, request.headers, request.body)
    event = ChangeEvent.objects.get(verdict=verdict)
    assert payload["type"] == "verdict.published"
    assert payload["timestamp"].endswith("Z")
    assert datetime.datetime.fromisoformat(payload["timestamp"]) == event.created_at
    data = payload["data"]
    assert (data["kind"], data["verdict_id"], data["claim_id"]) == (
        "published",
        verdict.pk,
        verdict.claim_id,
    )
    assert data["cursor"] and data["verdict"]["summary"] == "Too high."
    tampered = request.body.replace(b"Too high.", b"Too low..")
    with pytest.raises(BadSignature):
        verify(endpoint.secret, request.headers, tampered)
    with pytest.raises(BadSignature):
        verify(webhooks.secret_generate(), request.headers, request.body)
    with pytest.raises(BadSignature):
        verify(endpoint.secret, {**request.headers, "webhook-id": "msg_other"}, request.body)


def test_a_new_secret_is_whsec_and_24_random_bytes_in_base64() -> None:
    secret = webhooks.secret_generate()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 24
    assert webhooks.secret_generate() != secret


def test_endpoint_create_generates_a_secret_and_refuses_bad_networks() -> None:
    endpoint = webhooks.endpoint_create(name="CMS", url="https://cms.example/hook")
    assert endpoint.secret.startswith("whsec_")
    with pytest.raises(webhooks.ValidationError) as caught:
        webhooks.endpoint_create(
            name="Other", url="https://cms.example/hook", allowed_networks="10.0.0.1/8\nnope"
        )
    assert len(caught.value.message_dict["allowed_networks"]) == 2


# --- Retries ------------------------------------------------------------------------------------


def test_it_retries_after_two_failures_and_logs_every_attempt(
    cms: FakeCms, reviewer: Any, editor: Any, sync_tasks: list[int]
) -> None:
    cms.answers = [(500, b"down for maintenance", {}), (500, b"still down", {})]
    cms.answers.append((200, b"thanks", {}))
    cms.delay = 0.05
    endpoint = WebhookEndpointFactory(url=cms.url())
    _publish(reviewer, editor)
    delivery = _delivery_for(endpoint)

    first = _deliver(delivery)
    assert first is not None and first.status == Status.PENDING and first.attempts == 1
    assert first.last_status_code == 500 and first.last_error == "Answered 500."
    assert first.next_attempt_at is not None and first.next_attempt_at > timezone.now()
    # Not due yet: neither a duplicate task nor the beat job sends it early.
    assert _deliver(delivery) is None
    assert webhooks.webhooks_send_due() == 0

    for _ in range(2):
        _make_due(delivery)
        assert tasks.webhooks_send_due_task() == 1

    delivery.refresh_from_db()
    assert delivery.status == Status.DELIVERED and delivery.attempts == 3
    assert delivery.delivered_at is not None and delivery.next_attempt_at is None
    assert sync_tasks == [delivery.pk, delivery.pk]
    log = list(delivery.attempt_log.order_by("number"))
    assert [a.number for a in log] == [1, 2, 3]
    assert [a.status_code for a in log] == [500, 500, 200]
    assert [a.response_excerpt for a in log] == ["down for maintenance", "still down", "thanks"]
    assert [a.succeeded for a in log] == [False, False, True]
    assert all(a.duration_ms >= 50 for a in log)
    # The same webhook-id on every try, each freshly signed.
    assert {r.headers["webhook-id"] for r in cms.received} == {delivery.message_id}
    for request in cms.received:
        verify(endpoint.secret, request.headers, request.body)


def test_it_gives_up_after_the_maximum_number_of_attempts(
    cms: FakeCms, reviewer: Any, editor: Any, settings: Any
) -> None:
    settings.FACTCHECK_WEBHOOK_MAX_ATTEMPTS = 2
    cms.answers = [(503, b"no", {})] * 3
    endpoint = WebhookEndpointFactory(url=cms.url())
    _publish(reviewer, editor)
    delivery = _delivery_for(endpoint)
    _deliver(delivery)
    _make_due(delivery)
    failed = _deliver(delivery)
    assert failed is not None and failed.status == Status.FAILED
    assert failed.last_error == "Answered 503. Gave up after 2 attempts."
    assert failed.next_attempt_at is None
    _make_due(delivery)
    assert _deliver(delivery) is None
    assert webhooks.webhooks_send_due() == 0
    assert len(cms.received) == 2


def test_the_retry_delay_doubles_with_jitter_and_stops_at_an_hour(settings: Any) -> None:
    settings.FACTCHECK_WEBHOOK_RETRY_SECONDS = 30.0
    for attempt, base in [(1, 30), (2, 60), (3, 120)]:
        seconds = webhooks.retry_delay(attempt).total_seconds()
        assert base * 0.8 <= seconds <= base * 1.2
    assert webhooks.retry_delay(20).total_seconds() == 3600


def test_a_redirect_is_a_failed_attempt_and_is_not_followed(
    cms: FakeCms, reviewer: Any, editor: Any
) -> None:
    cms.answers = [(302, b"", {"Location": "/elsewhere"})]
    endpoint = WebhookEndpointFactory(url=cms.url())
    _publish(reviewer, editor)
    delivery = _deliver(_delivery_for(endpoint))
    assert delivery is not None and delivery.status == Status.PENDING
    assert delivery.last_status_code == 302 and "not followed" in delivery.last_error
    assert [request.path for request in cms.received] == ["/hook"]
    assert delivery.attempt_log.get().status_code == 302


# --- The SSRF guard -----------------------------------------------------------------------------


def test_a_private_address_is_refused_unless_the_endpoint_allows_its_network(
    cms: FakeCms, reviewer: Any, editor: Any, settings: Any
) -> None:
    settings.FACTCHECK_FETCH_ALLOWED_NETWORKS = []
    endpoint = WebhookEndpointFactory(url=cms.url())
    _publish(reviewer, editor)
    delivery = _deliver(_delivery_for(endpoint))
    # Retrying cannot fix a refused address: it fails at once, for the admin to fix.
    assert delivery is not None and delivery.status == Status.FAILED
    assert "not a public address" in delivery.last_error
    assert cms.received == []
    attempt = delivery.attempt_log.get()
    assert attempt.status_code is None and "not a public address" in attempt.error

    endpoint.allowed_networks = "127.0.0.1/32\n"
    endpoint.save()
    assert webhooks.deliveries_resend(delivery_ids=[delivery.pk]) == 1
    delivered = _deliver(delivery)
    assert delivered is not None and delivered.status == Status.DELIVERED
    assert len(cms.received) == 1
    # Another endpoint does not inherit the allowance.
    other = WebhookEndpointFactory(url=cms.url())
    verdict = _publish(reviewer, editor, summary="Second.")
    refused = _deliver(WebhookDelivery.objects.get(endpoint=other, event__verdict=verdict))
    assert refused is not None and refused.status == Status.FAILED


# --- Publishing -----------------------------------------------------------------------------


def test_publishing_with_a_dead_endpoint_and_a_dead_broker_still_publishes(
    reviewer: Any, editor: Any, run_on_commit: Callable[..., Any]
) -> None:
    endpoint = WebhookEndpointFactory(url="http://127.0.0.1:9/hook")  # nothing listens there
    with (
        mock.patch.object(
            tasks.webhook_deliver_task, "delay", side_effect=ConnectionError("broker down")
        ) as delay,
        run_on_commit(execute=True),
    ):
        verdict = _publish(reviewer, editor)
    verdict.refresh_from_db()
    assert verdict.published_at is not None and verdict.is_current
    delivery = _delivery_for(endpoint)
    assert delivery.status == Status.PENDING
    delay.assert_called_once_with(delivery.pk)
    # The beat job finds it; the refused connection is logged and retried later.
    tried = _deliver(delivery)
    assert tried is not None and tried.status == Status.PENDING
    assert tried.next_attempt_at is not None and tried.next_attempt_at > timezone.now()
    assert tried.attempt_log.get().error.startswith("Could not fetch")


def test_only_active_endpoints_subscribed_to_the_kind_get_a_delivery(
    reviewer: Any, editor: Any
) -> None:
    everything = WebhookEndpointFactory()
    corrections_only = WebhookEndpointFactory(send_published=False, send_withdrawn=False)
    WebhookEndpointFactory(is_active=False)
    verdict = _publish(reviewer, editor)
    published = ChangeEvent.objects.get(verdict=verdict, kind=ChangeEvent.Kind.PUBLISHED)
    assert [d.endpoint for d in published.deliveries.all()] == [everything]
    services.verdict_correct(
        verdict=verdict,
        user=editor,
        rating=default_rating("False"),
        summary="Far too high.",
        explanation="",
        note="The budget line says 2.1m.",
        expected_version=verdict.version,
    )
    corrected = ChangeEvent.objects.get(verdict=verdict, kind=ChangeEvent.Kind.CORRECTED)
    assert {d.endpoint for d in corrected.deliveries.all()} == {everything, corrections_only}


# --- The lease ------------------------------------------------------------------------------------


def test_a_live_lease_makes_a_duplicate_exit_and_an_expired_one_is_taken_over(
    cms: FakeCms, reviewer: Any, editor: Any
) -> None:
    endpoint = WebhookEndpointFactory(url=cms.url())
    _publish(reviewer, editor)
    delivery = _delivery_for(endpoint)
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=Status.SENDING, attempts=1, lease_until=now + datetime.timedelta(seconds=60)
    )
    assert _deliver(delivery) is None
    assert webhooks.webhooks_send_due() == 0
    assert cms.received == []

    # Its worker died: once the lease expires, the beat job and a redelivered task take over.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        lease_until=now - datetime.timedelta(seconds=1)
    )
    with mock.patch.object(tasks.webhook_deliver_task, "delay") as delay:
        assert webhooks.webhooks_send_due() == 1
    delay.assert_called_once_with(delivery.pk)
    taken_over = _deliver(delivery)
    assert taken_over is not None and taken_over.status == Status.DELIVERED
    assert taken_over.attempts == 2 and len(cms.received) == 1


def test_a_worker_whose_lease_was_taken_over_does_not_overwrite_the_outcome(
    cms: FakeCms, reviewer: Any, editor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = WebhookEndpointFactory(url=cms.url())
    _publish(reviewer, editor)
    delivery = _delivery_for(endpoint)
    real_post = fetching.post_json
    calls: list[str] = []

    def stalls_past_its_lease(url: str, **kwargs: Any) -> fetching.PostResult:
        calls.append(url)
        if len(calls) == 1:
            # While the first worker hangs, its lease runs out and a second one delivers.
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                lease_until=timezone.now() - datetime.timedelta(seconds=1)
            )
            second = _deliver(delivery)
            assert second is not None and second.status == Status.DELIVERED
            raise fetching.FetchError("timeout", "took too long")
        return real_post(url, **kwargs)

    monkeypatch.setattr(fetching, "post_json", stalls_past_its_lease)
    first = _deliver(delivery)
    assert first is not None and first.status == Status.DELIVERED and first.attempts == 2
    log = list(first.attempt_log.order_by("number"))
    assert [(a.number, a.succeeded, a.error) for a in log] == [
        (1, False, "took too long"),
        (2, True, ""),
    ]


def test_the_beat_job_gives_up_an_unfinished_attempt_with_no_attempts_left(
    settings: Any, reviewer: Any, editor: Any
) -> None:
    settings.FACTCHECK_WEBHOOK_MAX_ATTEMPTS = 3
    endpoint = WebhookEndpointFactory()
    _publish(reviewer, editor)
    delivery = _delivery_for(endpoint)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=Status.SENDING,
        attempts=3,
        lease_until=timezone.now() - datetime.timedelta(seconds=1),
    )
    assert webhooks.webhooks_send_due() == 0
    delivery.refresh_from_db()
    assert delivery.status == Status.FAILED and "never finished" in delivery.last_error


def test_the_beat_job_skips_inactive_endpoints(reviewer: Any, editor: Any) -> None:
    endpoint = WebhookEndpointFactory()
    _publish(reviewer, editor)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
    assert webhooks.webhooks_send_due() == 0
    assert _deliver(_delivery_for(endpoint)) is None


# --- The admin ----------------------------------------------------------------------------------


@pytest.fixture
def admin_client_(admin_user: Any) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def _messages(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_admin_resend_queues_the_chosen_deliveries_and_reports_counts(
    admin_client_: Client, reviewer: Any, editor: Any, run_on_commit: Callable[..., Any]
) -> None:
    endpoint = WebhookEndpointFactory()
    _publish(reviewer, editor)
    _publish(reviewer, editor, summary="Second.")
    done, busy = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("pk")
    WebhookDelivery.objects.filter(pk=done.pk).update(status=Status.FAILED, attempts=8)
    WebhookDelivery.objects.filter(pk=busy.pk).update(
        status=Status.SENDING, lease_until=timezone.now() + datetime.timedelta(seconds=60)
    )
    with (
        mock.patch.object(tasks.webhook_deliver_task, "delay") as delay,
        run_on_commit(execute=True),
    ):
        response = admin_client_.post(
            reverse("admin:reviews_webhookdelivery_changelist"),
            {"action": "resend", "_selected_action": [done.pk, busy.pk]},
            follow=True,
        )
    assert response.status_code == HTTPStatus.OK
    assert _messages(response) == [
        "1 delivery(ies) queued to be sent again.",
        "1 skipped: being sent right now, or their endpoint is inactive.",
    ]
    delay.assert_called_once_with(done.pk)
    done.refresh_from_db()
    assert done.status == Status.PENDING and done.attempts == 0


def test_admin_rotate_secret_gives_the_endpoint_a_new_secret(admin_client_: Client) -> None:
    endpoint = WebhookEndpointFactory()
    old = endpoint.secret
    response = admin_client_.post(
        reverse("admin:reviews_webhookendpoint_changelist"),
        {"action": "rotate_secret", "_selected_action": [endpoint.pk]},
        follow=True,
    )
    assert response.status_code == HTTPStatus.OK
    assert "New secret for 1 endpoint(s)" in _messages(response)[0]
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret.startswith("whsec_")


def _endpoint_form(**changes: str) -> dict[str, str]:
    data = {
        "name": "Newsroom CMS",
        "url": "https://cms.example/hooks/factcheck",
        "send_published": "on",
        "send_corrected": "on",
        "send_withdrawn": "on",
        "allowed_networks": "",
        "is_active": "on",
    }
    return {**data, **changes}


def test_admin_add_generates_a_secret_and_shows_it(admin_client_: Client) -> None:
    response = admin_client_.post(
        reverse("admin:reviews_webhookendpoint_add"), _endpoint_form(allowed_networks="10.0.0.0/8")
    )
    assert response.status_code == HTTPStatus.FOUND
    endpoint = WebhookEndpoint.objects.get(name="Newsroom CMS")
    assert endpoint.secret.startswith("whsec_")
    page = admin_client_.get(reverse("admin:reviews_webhookendpoint_change", args=[endpoint.pk]))
    assert endpoint.secret in page.content.decode()
    assert "Recent deliveries" in page.content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"allowed_networks": "10.0.0.0/8\nnot-a-network"}, "allowed_networks", "not-a-network"),
        ({"allowed_networks": "10.0.0.1/8"}, "allowed_networks", "host bits set"),
        ({"allowed_networks": "0.0.0.0/0"}, "allowed_networks", "allows every address"),
        ({"url": "http://10.1.2.3/hook"}, "url", "not a public address"),
    ],
)
def test_admin_refuses_bad_networks_and_unreachable_urls_with_a_form_error(
    admin_client_: Client, settings: Any, changes: dict[str, str], field: str, fragment: str
) -> None:
    settings.FACTCHECK_FETCH_ALLOWED_NETWORKS = []
    response = admin_client_.post(
        reverse("admin:reviews_webhookendpoint_add"), _endpoint_form(**changes)
    )
    assert response.status_code == HTTPStatus.OK
    errors = response.context["adminform"].form.errors
    assert fragment in " ".join(errors[field])
    assert not WebhookEndpoint.objects.exists()


def test_admin_delivery_page_shows_the_attempt_log_read_only(
    admin_client_: Client, cms: FakeCms, reviewer: Any, editor: Any
) -> None:
    cms.answers = [(500, b"CMS exploded", {})]
    endpoint = WebhookEndpointFactory(url=cms.url())
    _publish(reviewer, editor)
    delivery = _delivery_for(endpoint)
    _deliver(delivery)
    change = reverse("admin:reviews_webhookdelivery_change", args=[delivery.pk])
    listing = admin_client_.get(
        reverse("admin:reviews_webhookdelivery_changelist"),
        {"status__exact": "pending", "endpoint__id__exact": endpoint.pk},
    )
    assert listing.status_code == HTTPStatus.OK and change in listing.content.decode()
    page = admin_client_.get(change)
    assert page.status_code == HTTPStatus.OK
    assert "CMS exploded" in page.content.decode()
    assert b'name="_save"' not in page.content
    assert admin_client_.get(reverse("admin:reviews_webhookdelivery_add")).status_code == (
        HTTPStatus.FORBIDDEN
    )
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == 1


# --- Through a real worker ------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_a_publication_after_commit(
    real_worker: Any, cms: FakeCms, reviewer: Any, editor: Any
) -> None:
    endpoint = WebhookEndpointFactory(url=cms.url())
    _publish(reviewer, editor)
    delivery = _delivery_for(endpoint)
    # Polls the database the worker writes to (tests/polling.py).
    delivery = poll(
        lambda: type(delivery).objects.get(pk=delivery.pk),
        lambda row: row.status == Status.DELIVERED,
    )
    assert delivery.status == Status.DELIVERED
    [request] = cms.received
    assert verify(endpoint.secret, request.headers, request.body)["type"] == "verdict.published"
