"""Link rot: sources of published verdicts are re-checked; gone, changed and moved pages are
recorded on the source and flagged on the claim for the editor."""

from __future__ import annotations

import datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from claims.models import Claim
from reviews import services
from reviews.models import Snapshot, Source
from reviews.tasks import source_fetch_task, source_recheck_task, sources_recheck_due_task
from tests.factories import EvidenceFactory, SourceFactory, UserFactory, VerdictFactory

pytestmark = pytest.mark.django_db

PAGE = "<title>Report</title><p>Spending was 30 million.</p>"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _published_claim_citing(source: Source) -> Claim:
    verdict = VerdictFactory()
    approver = UserFactory(role="Editor")
    now = timezone.now()
    type(verdict).objects.filter(pk=verdict.pk).update(
        submitted_at=now, approved_by=approver, approved_at=now, published_at=now
    )
    EvidenceFactory(claim=verdict.claim, source=source, url=source.url)
    return verdict.claim


def _archived(local_server: Any, path: str = "/report", body: str = PAGE) -> Source:
    source = SourceFactory(url=local_server.add(path, body))
    source_fetch_task(source.pk)
    source.refresh_from_db()
    assert source.fetch_status == Source.FetchStatus.FETCHED
    return source


def test_an_unchanged_page_is_ok_and_adds_no_snapshot(local_server: Any) -> None:
    source = _archived(local_server)
    source_recheck_task(source.pk)
    source.refresh_from_db()
    assert source.live_status == Source.LiveStatus.OK and source.checked_at is not None
    assert Snapshot.objects.filter(source=source).count() == 1


def test_a_changed_page_is_flagged_and_archived_again_keeping_the_cited_copy(
    local_server: Any,
) -> None:
    source = _archived(local_server)
    cited_hash, cited_text = source.body_sha256, source.text
    local_server.add("/report", "<title>Report</title><p>Spending was 40 million.</p>")
    source_recheck_task(source.pk)
    source.refresh_from_db()
    assert source.live_status == Source.LiveStatus.CHANGED
    assert source.body_sha256 == cited_hash and source.text == cited_text
    assert Snapshot.objects.filter(source=source).count() == 2
    # Checked again, still changed: the flag stays up and no duplicate snapshot is kept.
    source_recheck_task(source.pk)
    source.refresh_from_db()
    assert source.live_status == Source.LiveStatus.CHANGED
    assert Snapshot.objects.filter(source=source).count() == 2


@pytest.mark.parametrize("status", [404, 410])
def test_a_missing_page_is_gone(local_server: Any, status: int) -> None:
    source = _archived(local_server)
    local_server.add("/report", "gone", status=status)
    source_recheck_task(source.pk)
    source.refresh_from_db()
    assert source.live_status == Source.LiveStatus.GONE and str(status) in source.live_note


def test_a_page_that_now_redirects_elsewhere_has_moved(local_server: Any) -> None:
    source = _archived(local_server)
    target = local_server.add("/elsewhere", PAGE)
    local_server.add("/report", "", status=301, Location=target)
    source_recheck_task(source.pk)
    source.refresh_from_db()
    assert source.live_status == Source.LiveStatus.MOVED and target in source.live_note


def test_a_timeout_on_recheck_is_noted_without_calling_the_page_gone(
    local_server: Any, settings: Any
) -> None:
    source = _archived(local_server)
    settings.FACTCHECK_FETCH_TIMEOUT = 0.3
    settings.FACTCHECK_FETCH_DEADLINE = 0.5
    local_server.add("/report", PAGE, delay=2.0)
    source_recheck_task(source.pk)
    source.refresh_from_db()
    assert source.live_status == Source.LiveStatus.UNCHECKED and "Timed out" in source.live_note


def test_beat_queues_rechecks_only_for_sources_of_published_verdicts(
    local_server: Any, settings: Any
) -> None:
    cited = _archived(local_server, "/cited")
    _published_claim_citing(cited)
    uncited = _archived(local_server, "/draft")
    EvidenceFactory(source=uncited, url=uncited.url)
    with mock.patch("reviews.tasks.source_recheck_task.delay") as delay:
        assert sources_recheck_due_task() == 1
    delay.assert_called_once_with(cited.pk)
    # Checked recently: not queued again until FACTCHECK_LINK_CHECK_DAYS have passed.
    Source.objects.filter(pk=cited.pk).update(checked_at=timezone.now())
    with mock.patch("reviews.tasks.source_recheck_task.delay") as delay:
        assert sources_recheck_due_task() == 0
    Source.objects.filter(pk=cited.pk).update(
        checked_at=timezone.now() - datetime.timedelta(days=settings.FACTCHECK_LINK_CHECK_DAYS + 1)
    )
    with mock.patch("reviews.tasks.source_recheck_task.delay") as delay:
        assert sources_recheck_due_task() == 1


def test_a_rotted_source_flags_the_claim_for_the_editor(local_server: Any, editor: Any) -> None:
    source = _archived(local_server)
    claim = _published_claim_citing(source)
    assert not services.claims_citing_rotted_sources().exists()
    local_server.add("/report", "gone", status=404)
    source_recheck_task(source.pk)
    assert list(services.claims_citing_rotted_sources()) == [claim]
    client = Client()
    client.force_login(editor)
    response = client.get(f"/claims/{claim.pk}/")
    assert response.status_code == HTTPStatus.OK
    content = response.content.decode()
    assert 'id="link-rot-note"' in content and "Gone" in content


def test_the_evidence_panel_shows_the_attached_snapshot(local_server: Any, editor: Any) -> None:
    source = _archived(local_server)
    evidence = EvidenceFactory(source=source, url=source.url)
    client = Client()
    client.force_login(editor)
    response = client.get(f"/claims/{evidence.claim_id}/")
    assert f'SHA-256 <span class="hash">{source.body_sha256[:12]}' in response.content.decode()


def test_web_archive_submission_is_off_by_default_and_goes_through_the_guarded_fetcher(
    local_server: Any, settings: Any, run_on_commit: Any
) -> None:
    assert settings.FACTCHECK_ARCHIVE_SUBMIT_URL == ""
    source = _archived(local_server)
    assert services.source_archive_submit(source_id=source.pk) is False
    settings.FACTCHECK_ARCHIVE_SUBMIT_URL = local_server.url("/save?u={url}")
    local_server.add(f"/save?u={source.url}", "saved", **{"Content-Type": "text/plain"})
    assert services.source_archive_submit(source_id=source.pk) is True
    assert local_server.hits[-1] == f"/save?u={source.url}"
    settings.FACTCHECK_FETCH_ALLOWED_NETWORKS = []  # the guard refuses loopback again
    assert services.source_archive_submit(source_id=source.pk) is False
