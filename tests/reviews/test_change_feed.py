"""The CMS change feed: every publication, correction and withdrawal, once each, in order."""

from http import HTTPStatus
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from claims.models import Claim
from reviews import services
from reviews.models import ChangeEvent, Verdict
from tests.factories import ClaimFactory, default_rating

pytestmark = pytest.mark.django_db


@pytest.fixture
def cms(cms_client: APIClient) -> APIClient:
    return cms_client


def _publish(reviewer: Any, editor: Any, summary: str = "Too high.") -> Verdict:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    verdict = services.verdict_save(
        claim=claim, user=reviewer, rating=default_rating("Mostly false"), summary=summary
    )
    services.verdict_submit(verdict=verdict, user=reviewer)
    return services.verdict_approve(verdict=verdict, user=editor)


def _page(cms: APIClient, after: str = "", limit: int | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {"after": after} if after else {}
    if limit is not None:
        params["limit"] = limit
    response = cms.get("/api/v1/changes/", params)
    assert response.status_code == HTTPStatus.OK, response.content
    return response.json()


def test_publish_correct_and_withdraw_appear_in_order_with_a_tombstone(
    cms: APIClient, editor: Any, reviewer: Any
) -> None:
    verdict = _publish(reviewer, editor)
    services.verdict_correct(
        verdict=verdict,
        user=editor,
        rating=default_rating("False"),
        summary="Far too high.",
        explanation="",
        note="The budget line says 2.1m.",
        expected_version=verdict.version,
    )
    kept = _publish(reviewer, editor, summary="Kept.")
    services.verdicts_withdraw(verdict_ids=[verdict.pk], user=editor, note="Source retracted.")
    page = _page(cms)
    assert [(c["kind"], c["verdict_id"]) for c in page["results"]] == [
        ("published", verdict.pk),
        ("corrected", verdict.pk),
        ("published", kept.pk),
        ("withdrawn", verdict.pk),
    ]
    tombstone = page["results"][-1]
    assert tombstone["verdict"] is None and tombstone["note"] == "Source retracted."
    assert tombstone["claim_id"] == verdict.claim_id
    # The withdrawn verdict's earlier events no longer carry its text; the kept one does.
    assert page["results"][0]["verdict"] is None
    assert page["results"][2]["verdict"]["summary"] == "Kept."
    assert page["has_more"] is False


def test_a_cms_following_the_cursor_sees_every_change_once_while_verdicts_are_published(
    cms: APIClient, editor: Any, reviewer: Any
) -> None:
    published = [_publish(reviewer, editor, summary=f"First {i}.") for i in range(3)]
    seen: list[tuple[str, int]] = []
    cursor = ""
    for round_number in range(6):
        page = _page(cms, cursor, limit=2)
        seen += [(c["kind"], c["verdict_id"]) for c in page["results"]]
        cursor = page["next_cursor"]
        # Changes land between the page reads.
        if round_number < 3:
            published.append(_publish(reviewer, editor, summary=f"Later {round_number}."))
        if round_number == 1:
            services.verdicts_withdraw(verdict_ids=[published[0].pk], user=editor, note="x")
    expected = [("published", v.pk) for v in published[:5]]
    expected.append(("withdrawn", published[0].pk))
    expected.append(("published", published[5].pk))
    assert seen == expected
    assert len(set(seen)) == len(seen)
    assert _page(cms, cursor)["results"] == []


def test_a_change_that_rolls_back_leaves_no_event(editor: Any, reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    verdict = services.verdict_save(
        claim=claim, user=reviewer, rating=default_rating("False"), summary="Wrong."
    )
    services.verdict_submit(verdict=verdict, user=reviewer)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.verdict_approve(verdict=verdict, user=editor)
        raise RuntimeError("the request failed after the approval")
    assert not ChangeEvent.objects.exists()


@pytest.mark.parametrize(
    "params",
    [{"after": "nonsense"}, {"after": "c2VxOi0x"}, {"limit": "abc"}, {"limit": "0"}],
)
def test_a_bad_cursor_or_limit_is_a_400_not_a_500(cms: APIClient, params: dict[str, str]) -> None:
    response = cms.get("/api/v1/changes/", params)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "detail" in response.json()


def test_a_huge_limit_is_capped_and_the_feed_needs_a_key(
    cms: APIClient, editor: Any, reviewer: Any
) -> None:
    _publish(reviewer, editor)
    assert len(_page(cms, limit=10**5)["results"]) == 1
    assert APIClient().get("/api/v1/changes/").status_code == HTTPStatus.UNAUTHORIZED


def test_a_page_costs_the_same_queries_for_2_changes_and_for_12(
    cms: APIClient, editor: Any, reviewer: Any
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            _page(cms)
        return len(queries)

    _page(cms)  # the key's last-used time is written on its first request only
    for _ in range(2):
        _publish(reviewer, editor)
    small = count()
    for _ in range(10):
        _publish(reviewer, editor)
    assert count() == small


@pytest.mark.django_db(transaction=True)
def test_an_append_waits_for_an_earlier_uncommitted_one_so_no_reader_skips_it(
    reference_data: None,
) -> None:
    """Were the second append to commit first, a reader could take its cursor past the first."""
    import threading
    import time

    from django.db import OperationalError, connections

    from reviews import outbox
    from tests.factories import VerdictFactory

    first, second = VerdictFactory(), VerdictFactory()
    first_recorded, release_first, second_done = (threading.Event() for _ in range(3))
    pks: dict[str, int] = {}

    def append(name: str, verdict: Verdict, hold: bool) -> None:
        try:
            for _attempt in range(600):
                try:
                    with transaction.atomic():
                        event = outbox.record(verdict=verdict, kind=ChangeEvent.Kind.PUBLISHED)
                        pks[name] = event.pk
                        if hold:
                            first_recorded.set()
                            release_first.wait(timeout=30)
                    return
                except OperationalError:
                    # PostgreSQL waits on the lock row and SQLite for its busy timeout;
                    # should that run out on a loaded machine, try again.
                    time.sleep(0.05)
        finally:
            connections.close_all()

    holder = threading.Thread(target=append, args=("first", first, True))
    holder.start()
    assert first_recorded.wait(timeout=30)
    follower = threading.Thread(target=lambda: (append("second", second, False), second_done.set()))
    follower.start()
    # While the first append is uncommitted the second cannot finish.
    assert not second_done.wait(timeout=1.0)
    release_first.set()
    holder.join(timeout=30)
    follower.join(timeout=30)
    assert second_done.is_set()
    assert pks["second"] > pks["first"]
    assert list(ChangeEvent.objects.values_list("pk", flat=True)) == [pks["first"], pks["second"]]
