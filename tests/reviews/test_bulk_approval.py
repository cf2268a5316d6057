"""verdicts_approve: the rules of one approval applied to many verdicts in a few queries."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import Claim
from reviews import services
from reviews.models import ChangeEvent, Source, Verdict, WebhookDelivery
from tests.factories import (
    EvidenceFactory,
    SourceFactory,
    UserFactory,
    WebhookEndpointFactory,
    default_rating,
)

pytestmark = pytest.mark.django_db


def _submitted(author: Any, count: int = 1) -> list[Verdict]:
    from tests.factories import ClaimFactory

    verdicts = []
    for _ in range(count):
        claim = ClaimFactory(status=Claim.Status.SELECTED)
        verdict = services.verdict_save(
            claim=claim, user=author, rating=default_rating("Mostly false"), summary="Too high."
        )
        verdicts.append(services.verdict_submit(verdict=verdict, user=author))
    return verdicts


def test_it_publishes_each_verdict_with_its_claim_history_and_change_event(
    editor: Any, reviewer: Any
) -> None:
    verdicts = _submitted(reviewer, 3)
    report = services.verdicts_approve(verdict_ids=[v.pk for v in verdicts], user=editor)
    assert report.changed == 3 and not report.refused
    for verdict in Verdict.objects.filter(pk__in=[v.pk for v in verdicts]):
        assert verdict.published_at and verdict.approved_by == editor
        assert verdict.version == 3  # saved 1, submitted 2, approved 3
        assert verdict.claim.status == Claim.Status.PUBLISHED
        latest = verdict.history.latest()
        assert latest.history_change_reason == "approved and published"
        assert latest.history_user == editor and latest.published_at == verdict.published_at
    events = list(ChangeEvent.objects.order_by("pk"))
    assert [(e.kind, e.verdict_id) for e in events] == [
        (ChangeEvent.Kind.PUBLISHED, v.pk) for v in sorted(verdicts, key=lambda v: v.pk)
    ]


def test_it_refuses_the_users_own_the_gated_and_the_not_awaiting(
    settings: Any, editor: Any, reviewer: Any
) -> None:
    settings.FACTCHECK_APPROVAL_MIN_ARCHIVED_EVIDENCE = 1
    archived, gated = _submitted(reviewer, 2)
    source = SourceFactory(fetch_status=Source.FetchStatus.FETCHED)
    EvidenceFactory(claim=archived.claim, url=source.url, source=source)
    [own] = _submitted(editor)
    report = services.verdicts_approve(
        verdict_ids=[archived.pk, gated.pk, own.pk, 999_999], user=editor
    )
    assert report.changed == 1
    assert dict(report.refused) == {
        "not awaiting approval": 1,
        "written by you (a second person must approve it)": 1,
        "with fewer than 1 archived source(s)": 1,
    }
    assert set(Verdict.objects.filter(published_at__isnull=False).values_list("pk", flat=True)) == {
        archived.pk
    }


def test_a_user_without_the_approver_permission_changes_nothing(reviewer: Any) -> None:
    verdicts = _submitted(UserFactory(role="Reviewer"), 2)
    with pytest.raises(PermissionDenied):
        services.verdicts_approve(verdict_ids=[v.pk for v in verdicts], user=reviewer)
    assert not Verdict.objects.filter(published_at__isnull=False).exists()


def test_its_queries_do_not_grow_with_the_number_of_verdicts(editor: Any, reviewer: Any) -> None:
    WebhookEndpointFactory()  # a delivery per event, created in the same single insert
    # The first approval also creates the outbox's lock row and fills the permission cache.
    services.verdicts_approve(verdict_ids=[v.pk for v in _submitted(reviewer)], user=editor)
    counts = []
    for size in (2, 20):
        verdicts = _submitted(reviewer, size)
        with CaptureQueriesContext(connection) as queries:
            services.verdicts_approve(verdict_ids=[v.pk for v in verdicts], user=editor)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert WebhookDelivery.objects.count() == 1 + 2 + 20


def test_withdrawing_many_is_set_based_with_a_tombstone_each(editor: Any, reviewer: Any) -> None:
    services.verdicts_approve(verdict_ids=[v.pk for v in _submitted(reviewer)], user=editor)
    services.verdicts_withdraw(
        verdict_ids=list(Verdict.objects.values_list("pk", flat=True)), user=editor
    )
    counts = []
    for size in (2, 20):
        verdicts = _submitted(reviewer, size)
        services.verdicts_approve(verdict_ids=[v.pk for v in verdicts], user=editor)
        with CaptureQueriesContext(connection) as queries:
            withdrawn = services.verdicts_withdraw(
                verdict_ids=[v.pk for v in verdicts], user=editor, note="Source retracted."
            )
        assert withdrawn == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    tombstones = ChangeEvent.objects.filter(kind=ChangeEvent.Kind.WITHDRAWN)
    assert tombstones.count() == 1 + 2 + 20
    assert set(tombstones.exclude(note="withdrawn").values_list("note", flat=True)) == {
        "Source retracted."
    }
    assert not Verdict.objects.filter(is_current=True).exists()
    assert set(Claim.objects.values_list("status", flat=True)) == {Claim.Status.WITHDRAWN}
