"""Every write path leaves a history record: who, when, which fields from what to what, the note.

The suite runs on SQLite and on PostgreSQL in CI, so each path is proven on both databases.
"""

from http import HTTPStatus
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from claims import services as claim_services
from claims.models import Article, Claim
from reviews import selectors, services
from reviews.models import Evidence, Source, Verdict
from tests.factories import ClaimFactory, SourceFactory, default_rating

pytestmark = pytest.mark.django_db

BODY = (
    "The council spent 4.2 million pounds on new buses last year. "
    "Ridership rose by 12% according to the transport office. "
    "The mayor said the scheme was popular."
)


def _changes(record: Any) -> dict[str, tuple[Any, Any]]:
    previous = record.prev_record
    assert previous is not None, "expected an earlier history record to compare with"
    return {c.field: (c.old, c.new) for c in record.diff_against(previous).changes}


def test_an_import_records_the_article_and_every_claim_it_created(editor: Any) -> None:
    article = claim_services.article_import(title="Buses", body=BODY, created_by=editor)
    record = article.history.get()
    assert record.history_type == "+" and record.history_user == editor
    assert "imported" in record.history_change_reason
    claims = list(article.claims.all())
    assert claims
    for claim in claims:  # bulk_create sends no signal: these come from the service
        created = claim.history.get()
        assert created.history_type == "+" and created.history_user == editor


def test_a_lifecycle_move_records_the_status_change_and_its_note(
    editor: Any, reviewer: Any
) -> None:
    claim = ClaimFactory()
    claim_services.claim_select(claim=claim, user=editor)  # a conditional UPDATE, no signal
    record = claim.history.latest()
    assert record.history_type == "~" and record.history_user == editor
    assert _changes(record)["status"] == (Claim.Status.CANDIDATE, Claim.Status.SELECTED)


def test_a_set_based_bulk_move_records_one_row_per_claim(editor: Any) -> None:
    claims = ClaimFactory.create_batch(4)
    changed = claim_services.claims_bulk_update_status(
        claim_ids=[c.pk for c in claims], user=editor, select=False
    )
    assert changed == 4
    for claim in claims:
        record = Claim.history.filter(id=claim.pk).latest()
        assert record.history_user == editor
        assert _changes(record)["status"] == (Claim.Status.CANDIDATE, Claim.Status.DISMISSED)


def test_marking_urgent_in_bulk_records_the_priority_change(editor: Any) -> None:
    claim = ClaimFactory()
    claim_services.claims_mark_urgent(claim_ids=[claim.pk], user=editor)
    record = Claim.history.filter(id=claim.pk).latest()
    assert _changes(record)["priority"] == (Claim.Priority.NORMAL, Claim.Priority.URGENT)
    assert record.history_change_reason == "marked urgent"


def test_assignment_records_who_and_the_fields(editor: Any, reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    services.claim_assign(
        claim=claim, user=editor, assignee=reviewer, priority=Claim.Priority.HIGH, due_on=None
    )
    changes = _changes(claim.history.latest())
    assert changes["assignee"] == (None, reviewer.pk)
    assert changes["priority"] == (Claim.Priority.NORMAL, Claim.Priority.HIGH)
    assert changes["status"] == (Claim.Status.SELECTED, Claim.Status.IN_REVIEW)


def test_the_review_flow_records_evidence_verdict_edits_return_and_approval(
    editor: Any, reviewer: Any, run_on_commit: Any
) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    with mock.patch("reviews.tasks.source_fetch_task.delay"), run_on_commit(execute=True):
        evidence = services.evidence_add(
            claim=claim, user=reviewer, url="https://stats.example/buses", quote="4.1m"
        )
    assert evidence.history.get().history_user == reviewer
    assert Source.history.filter(id=evidence.source_id).exists()
    verdict = services.verdict_save(
        claim=claim, user=reviewer, rating=default_rating("Mostly true"), summary="Close."
    )
    verdict = services.verdict_save(
        claim=claim,
        user=reviewer,
        rating=default_rating("Mostly false"),
        summary="Off by 0.1m.",
        expected_version=verdict.version,
    )
    edit = verdict.history.latest()
    assert edit.history_user == reviewer
    assert _changes(edit)["summary"] == ("Close.", "Off by 0.1m.")
    services.verdict_submit(verdict=verdict, user=reviewer)
    services.verdict_return(verdict=verdict, user=editor, note="Cite the budget line.")
    returned = verdict.history.latest()
    assert returned.history_user == editor
    assert returned.history_change_reason == "Cite the budget line."
    services.verdict_submit(verdict=verdict, user=reviewer)
    services.verdict_approve(verdict=verdict, user=editor)
    approved = verdict.history.latest()
    assert approved.history_user == editor and approved.published_at is not None

    timeline = selectors.claim_timeline(claim)
    kinds = [entry.kind for entry in timeline]
    assert kinds[0] == "status"  # newest first: the claim was just published
    assert {"evidence", "verdict", "return", "approval", "submitted", "status"} <= set(kinds)
    returned_entry = next(entry for entry in timeline if entry.kind == "return")
    assert returned_entry.note == "Cite the budget line." and returned_entry.who == editor
    assert timeline == sorted(timeline, key=lambda entry: entry.when, reverse=True)


def test_a_source_fetch_records_the_system_as_the_actor(local_server: Any) -> None:
    url = local_server.add("/page", "<html><title>T</title><p>Budget text.</p></html>")
    source = SourceFactory(url=url)
    services.source_fetch(source_id=source.pk)
    latest = Source.history.filter(id=source.pk).latest()
    assert latest.history_user is None
    assert latest.fetch_status == Source.FetchStatus.FETCHED
    assert latest.history_change_reason == "archived"


def test_a_refetch_and_a_sweep_are_recorded(admin_user: Any) -> None:
    source = SourceFactory(fetch_status=Source.FetchStatus.FAILED, attempts=3)
    with mock.patch("reviews.tasks.source_fetch_task.delay"):
        services.sources_refetch(source_ids=[source.pk], user=admin_user)
    record = Source.history.filter(id=source.pk).latest()
    assert record.history_user == admin_user
    assert _changes(record)["fetch_status"] == (
        Source.FetchStatus.FAILED,
        Source.FetchStatus.PENDING,
    )


def test_the_admin_change_form_records_the_request_user(admin_user: Any) -> None:
    client = Client()
    client.force_login(admin_user)
    claim = ClaimFactory()
    response = client.post(
        reverse("admin:claims_claim_change", args=[claim.pk]),
        {"priority": Claim.Priority.LOW, "due_on": "", "seen_version": claim.version},
    )
    assert response.status_code == HTTPStatus.FOUND
    record = Claim.history.filter(id=claim.pk).latest()
    assert record.history_user == admin_user
    assert _changes(record)["priority"] == (Claim.Priority.NORMAL, Claim.Priority.LOW)


def test_withdrawal_records_the_reason_on_verdict_and_claim(editor: Any, reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    verdict = services.verdict_save(
        claim=claim, user=reviewer, rating=default_rating("False"), summary="Wrong."
    )
    services.verdict_submit(verdict=verdict, user=reviewer)
    services.verdict_approve(verdict=verdict, user=editor)
    services.verdicts_withdraw(verdict_ids=[verdict.pk], user=editor, note="Wrong source")
    assert Verdict.history.filter(id=verdict.pk).latest().history_change_reason == "Wrong source"
    assert Claim.history.filter(id=claim.pk).latest().history_change_reason == "Wrong source"


def test_every_tracked_model_keeps_history() -> None:
    for model in (Article, Claim, Evidence, Verdict, Source):
        assert hasattr(model, "history"), model
