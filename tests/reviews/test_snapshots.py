"""Archived snapshots: one per fetch, raw body compressed in storage, never served as HTML."""

from __future__ import annotations

import datetime
import gzip
import hashlib
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from reviews import services
from reviews.models import Snapshot, Source
from reviews.tasks import source_fetch_task
from tests.factories import EvidenceFactory, SourceFactory

pytestmark = pytest.mark.django_db

ARTICLE = (
    "<html><head><title>Harbour budget</title></head><body>"
    "<nav>Home | News | Sport | Weather</nav>"
    "<article><h1>Harbour budget</h1>"
    + "".join(
        f"<p>Paragraph {n}: the council will spend {n} million pounds on the harbour walls, "
        "the ferry terminal and the new flood barrier, officials said on Tuesday.</p>"
        for n in range(1, 8)
    )
    + "</article><footer>Copyright Harbourton News. All rights reserved.</footer></body></html>"
)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_a_fetch_writes_one_snapshot_with_the_raw_body_compressed(local_server: Any) -> None:
    url = local_server.add("/budget", ARTICLE, **{"Last-Modified": "Tue, 01 Dec 2026 10:00:00 GMT"})
    source = SourceFactory(url=url)
    source_fetch_task(source.pk)
    source.refresh_from_db()
    snapshot = Snapshot.objects.get(source=source)
    body = ARTICLE.encode()
    assert snapshot.body_sha256 == hashlib.sha256(body).hexdigest() == source.body_sha256
    assert services.snapshot_body(snapshot) == body
    assert snapshot.body.name.endswith(".gz") and snapshot.body_size == len(body)
    assert snapshot.final_url == url and snapshot.http_status == HTTPStatus.OK
    assert snapshot.headers["last-modified"] == "Tue, 01 Dec 2026 10:00:00 GMT"
    assert snapshot.title == "Harbour budget" == source.title
    assert snapshot.fetched_at == source.fetched_at


def test_the_main_text_leaves_out_menus_and_footers(local_server: Any) -> None:
    source = SourceFactory(url=local_server.add("/budget", ARTICLE))
    source_fetch_task(source.pk)
    source.refresh_from_db()
    assert "Paragraph 7: the council will spend 7 million" in source.text
    assert "Sport | Weather" not in source.text and "All rights reserved" not in source.text
    assert Snapshot.objects.get(source=source).text == source.text


def test_a_failed_fetch_writes_no_snapshot(local_server: Any) -> None:
    source = SourceFactory(url=local_server.url("/missing"))
    source_fetch_task(source.pk)
    assert not Snapshot.objects.exists()


def test_the_same_body_is_stored_once(local_server: Any) -> None:
    first = SourceFactory(url=local_server.add("/a", ARTICLE))
    second = SourceFactory(url=local_server.add("/b", ARTICLE))
    source_fetch_task(first.pk)
    source_fetch_task(second.pk)
    names = set(Snapshot.objects.values_list("body", flat=True))
    assert Snapshot.objects.count() == 2 and len(names) == 1


def test_evidence_shows_the_snapshot_taken_when_it_was_attached(local_server: Any) -> None:
    source = SourceFactory(url=local_server.add("/budget", ARTICLE))
    source_fetch_task(source.pk)
    first = Snapshot.objects.get(source=source)
    evidence = EvidenceFactory(source=source, url=source.url)
    later = Snapshot.objects.create(
        source=source,
        attempt=2,
        final_url=source.url,
        http_status=200,
        content_type="text/html",
        body_sha256="0" * 64,
        body=first.body.name,
        fetched_at=evidence.added_at + datetime.timedelta(days=3),
    )
    assert services.snapshot_for_evidence(evidence) == first
    assert later != first


def test_evidence_attached_before_the_fetch_shows_the_first_snapshot(local_server: Any) -> None:
    source = SourceFactory(url=local_server.add("/budget", ARTICLE))
    evidence = EvidenceFactory(source=source, url=source.url)
    source_fetch_task(source.pk)
    assert services.snapshot_for_evidence(evidence) == Snapshot.objects.get(source=source)


def test_the_archived_copy_is_served_as_plain_text_in_a_sandbox(
    client: Any, reviewer: Any, local_server: Any
) -> None:
    source = SourceFactory(url=local_server.add("/budget", ARTICLE + "<script>alert(1)</script>"))
    source_fetch_task(source.pk)
    client.force_login(reviewer)
    response = client.get(reverse("reviews:source_detail", args=[source.pk]))
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/plain")
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"<script>" not in response.content


def test_a_source_status_shows_when_a_retry_will_run(
    client: Any, reviewer: Any, local_server: Any, settings: Any
) -> None:
    source = SourceFactory(url=local_server.add("/flaky", "oops", status=503))
    services.source_fetch(source_id=source.pk)
    source.refresh_from_db()
    assert source.fetch_status == Source.FetchStatus.PENDING and source.next_attempt_at
    client.force_login(reviewer)
    response = client.get(reverse("reviews:source_status", args=[source.pk]))
    assert response.json()["next_attempt_at"] == source.next_attempt_at.isoformat()
    assert response.json()["error_kind"] == "http_error"


def test_the_cited_snapshot_text_and_page_source_are_plain_text_in_a_sandbox(
    client: Any, reviewer: Any, local_server: Any
) -> None:
    hostile = ARTICLE.replace("</body>", "<script>alert('archived')</script></body>")
    source = SourceFactory(url=local_server.add("/budget", hostile))
    source_fetch_task(source.pk)
    snapshot = Snapshot.objects.get(source=source)
    evidence = EvidenceFactory(source=source, url=source.url)
    client.force_login(reviewer)

    panel = client.get(reverse("reviews:claim_detail", args=[evidence.claim.pk])).content.decode()
    assert reverse("reviews:snapshot_detail", args=[snapshot.pk]) in panel
    assert reverse("reviews:snapshot_page_source", args=[snapshot.pk]) in panel

    text = client.get(reverse("reviews:snapshot_detail", args=[snapshot.pk]))
    assert text.status_code == HTTPStatus.OK
    assert text["Content-Type"] == "text/plain; charset=utf-8"
    assert text["Content-Security-Policy"] == "sandbox"
    assert text["X-Content-Type-Options"] == "nosniff"
    body = text.content.decode()
    assert snapshot.body_sha256 in body and "HTTP 200" in body
    assert "Paragraph 7: the council will spend 7 million" in body and "<script>" not in body

    page = client.get(reverse("reviews:snapshot_page_source", args=[snapshot.pk]))
    assert page.status_code == HTTPStatus.OK
    assert page["Content-Type"] == "text/plain; charset=utf-8"
    assert page["Content-Security-Policy"] == "sandbox"
    # The page exactly as fetched, markup and script included, but as text: never rendered.
    assert page.content.decode() == hostile


def test_a_snapshot_body_that_is_not_text_is_a_download_and_a_lost_one_a_404(
    client: Any, reviewer: Any, local_server: Any
) -> None:
    source = SourceFactory(url=local_server.add("/budget", ARTICLE))
    source_fetch_task(source.pk)
    snapshot = Snapshot.objects.get(source=source)
    client.force_login(reviewer)
    url = reverse("reviews:snapshot_page_source", args=[snapshot.pk])

    binary = bytes(range(256)) * 4
    snapshot.body.storage.delete(snapshot.body.name)
    snapshot.body.storage.save(snapshot.body.name, ContentFile(gzip.compress(binary)))
    download = client.get(url)
    assert download.status_code == HTTPStatus.OK
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download.content == binary

    snapshot.body.storage.delete(snapshot.body.name)
    assert client.get(url).status_code == HTTPStatus.NOT_FOUND
