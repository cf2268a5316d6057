"""The throughput dashboard: exact figures on a known newsroom, filters, refusal, query count."""

import datetime
import importlib
from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim
from reviews import services
from reviews.dashboard import Period, Workload, dashboard_figures
from reviews.models import Verdict, VerdictCorrection
from tests.factories import ClaimFactory, UserFactory, VerdictFactory, default_rating

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 18)  # a Wednesday: the week began on 16 March
NORTH, SOUTH = "North Courier", "South Gazette"
URL = "/dashboard/"
RANGE = {"date_from": "2026-02-23", "date_to": "2026-03-18"}


def _at(day: str, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour))
    )


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> datetime.date:
    """Pin the desk's date: the page's "today", this week and this month."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
    return TODAY


def _claim(desk: str, status: str, **kwargs: Any) -> Claim:
    return ClaimFactory(article__outlet=desk, status=status, **kwargs)


def _published(
    desk: str,
    *,
    selected: str,
    published: str,
    rating: str,
    proposed: str | None,
    approver: Any,
    author: Any,
    current: bool = True,
) -> Verdict:
    """A published verdict whose claim was first selected at `selected` (its history row)."""
    status = Claim.Status.PUBLISHED if current else Claim.Status.WITHDRAWN
    claim = _claim(desk, status, assignee=author)
    Claim.history.filter(id=claim.pk).update(history_date=_at(selected))
    moment = _at(published)
    return VerdictFactory(
        claim=claim,
        rating=default_rating(rating),
        proposed_rating=default_rating(proposed) if proposed else None,
        author=author,
        submitted_at=moment,
        approved_by=approver,
        approved_at=moment,
        published_at=moment,
        is_current=current,
    )


@pytest.fixture
def newsroom(today: datetime.date) -> dict[str, Any]:
    """Two desks; every open status, overdue and not, five publications and a withdrawal."""
    editor = UserFactory(username="desk-editor", role="Editor")
    alice = UserFactory(username="alice", first_name="Alice", last_name="Adams", role="Reviewer")
    bob = UserFactory(username="bob", first_name="Bob", last_name="Brown", role="Reviewer")
    yesterday, tomorrow = TODAY - datetime.timedelta(days=1), TODAY + datetime.timedelta(days=1)
    flag = {"kind": "total", "message": "Parts do not add up.", "arithmetic": "", "spans": []}
    # Candidates (one long overdue: a candidate is not queued, so never overdue).
    _claim(NORTH, Claim.Status.CANDIDATE, article__consistency_flags=[flag, flag])
    _claim(NORTH, Claim.Status.CANDIDATE, due_on=TODAY - datetime.timedelta(days=30))
    _claim(SOUTH, Claim.Status.CANDIDATE)
    _claim(NORTH, Claim.Status.SELECTED, due_on=yesterday)
    _claim(SOUTH, Claim.Status.SELECTED, due_on=tomorrow)
    _claim(NORTH, Claim.Status.IN_REVIEW, assignee=alice, due_on=datetime.date(2026, 3, 10))
    _claim(NORTH, Claim.Status.IN_REVIEW, assignee=alice)
    _claim(SOUTH, Claim.Status.IN_REVIEW, assignee=bob)
    waiting = _claim(NORTH, Claim.Status.AWAITING_APPROVAL, assignee=bob, due_on=TODAY)
    VerdictFactory(claim=waiting, author=bob, submitted_at=_at("2026-03-17"))
    _claim(SOUTH, Claim.Status.DISMISSED)
    # Publications: this week; this month twice; last month (corrected since); before the range.
    common = {"approver": editor, "author": alice}
    _published(NORTH, selected="2026-03-15", published="2026-03-17", rating="False",
               proposed="False", **common)  # fmt: skip
    _published(NORTH, selected="2026-03-01", published="2026-03-05", rating="Misleading",
               proposed="False", **common)  # fmt: skip
    _published(SOUTH, selected="2026-03-05", published="2026-03-06", rating="Half true",
               proposed=None, **common)  # fmt: skip
    corrected = _published(NORTH, selected="2026-02-20", published="2026-02-25",
                           rating="True", proposed="True", **common)  # fmt: skip
    VerdictCorrection.objects.create(
        verdict=corrected,
        previous_rating=default_rating("True"),
        previous_summary=corrected.summary,
        rating=default_rating("False"),
        summary=corrected.summary,
        note="A figure was out of date.",
        corrected_by=editor,
        corrected_at=_at("2026-03-02"),
    )
    Verdict.objects.filter(pk=corrected.pk).update(rating=default_rating("False"))
    _published(NORTH, selected="2026-01-02", published="2026-01-10", rating="False",
               proposed="True", **common)  # fmt: skip
    _published(NORTH, selected="2026-03-01", published="2026-03-03", rating="False",
               proposed="True", current=False, **common)  # fmt: skip
    # Flags on an article whose only claim is closed, and on one with no claims: not open.
    _claim(SOUTH, Claim.Status.PUBLISHED, article__consistency_flags=[flag])
    return {"editor": editor, "alice": alice, "bob": bob}


def _period(desk: str = "") -> Period:
    return Period(datetime.date(2026, 2, 23), TODAY, TODAY, desk)


def test_it_counts_every_figure_exactly(newsroom: dict[str, Any]) -> None:
    figures = dashboard_figures(_period())
    assert figures.open_by_status == [
        ("Candidate", 3),
        ("Selected", 2),
        ("In review", 3),
        ("Awaiting approval", 1),
    ]
    assert figures.claims["overdue"] == 2
    assert (figures.verdicts["week"], figures.verdicts["month"]) == (1, 3)
    assert figures.verdicts["in_range"] == 4
    ratings = dict(figures.ratings)
    assert ratings == {
        "True": 0,
        "Mostly true": 0,
        "Half true": 1,
        "Mostly false": 0,
        "False": 2,
        "Misleading": 1,
        "Unproven": 0,
    }
    assert figures.ratings[0][0] == "True"  # scale order
    assert figures.weeks == [
        (datetime.date(2026, 2, 23), 5.0, 1),
        (datetime.date(2026, 3, 2), 2.5, 2),
        (datetime.date(2026, 3, 9), None, 0),
        (datetime.date(2026, 3, 16), 2.0, 1),
    ]
    assert figures.workload == [
        Workload("Alice Adams", 0, 2, 0),
        Workload("Bob Brown", 0, 1, 1),
        Workload("", 2, 0, 0),
    ]
    assert figures.agreement == [("Rating kept", 2), ("Rating changed", 1), ("Not recorded", 1)]
    assert figures.agreement_rate == 66.7
    assert figures.flags == {"flags": 2, "articles": 1}


def test_the_desk_filter_narrows_every_figure(newsroom: dict[str, Any]) -> None:
    figures = dashboard_figures(_period(NORTH))
    assert figures.open_total == 6
    assert figures.claims["overdue"] == 2
    assert (figures.verdicts["week"], figures.verdicts["month"], figures.verdicts["in_range"]) == (
        1,
        2,
        3,
    )
    assert [week[1:] for week in figures.weeks] == [(5.0, 1), (4.0, 1), (None, 0), (2.0, 1)]
    assert figures.workload == [Workload("Alice Adams", 0, 2, 0), Workload("Bob Brown", 0, 0, 1),
                                Workload("", 1, 0, 0)]  # fmt: skip
    assert figures.flags == {"flags": 2, "articles": 1}
    south = dashboard_figures(_period(SOUTH))
    assert south.open_total == 3
    assert south.flags == {"flags": 0, "articles": 0}
    assert south.agreement == [("Rating kept", 0), ("Rating changed", 0), ("Not recorded", 1)]


def test_the_page_shows_the_figures_charts_and_tables(
    client: Client, newsroom: dict[str, Any]
) -> None:
    client.force_login(newsroom["editor"])
    response = client.get(URL, RANGE)
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert '<dd id="figure-open">9</dd>' in html
    assert '<dd id="figure-overdue">2</dd>' in html
    assert '<dd id="figure-week">1</dd>' in html
    assert '<dd id="figure-month">3</dd>' in html
    assert '<dd id="figure-flags">2</dd>' in html
    assert html.count('role="img"') == 5
    assert '<title id="chart-status-title">Open claims by status</title>' in html
    assert "Candidate: 3; Selected: 2; In review: 3; Awaiting approval: 1" in html
    for table in ("status", "ratings", "medians", "workload", "agreement"):
        assert f'id="table-{table}"' in html
    assert '<th scope="row">Alice Adams</th>' in html
    assert " style=" not in html and "<script>" not in html  # the CSP forbids both
    assert "css/dashboard.css" in html


def test_the_desk_filter_offers_the_outlets_and_applies(
    client: Client, newsroom: dict[str, Any]
) -> None:
    client.force_login(newsroom["editor"])
    response = client.get(URL, {**RANGE, "desk": SOUTH})
    assert response.status_code == HTTPStatus.OK
    assert f'<option value="{NORTH}">' in response.content.decode()
    assert '<dd id="figure-open">3</dd>' in response.content.decode()
    assert response.context["figures"].period.desk == SOUTH


def test_an_unknown_desk_is_refused_and_all_desks_shown(
    client: Client, newsroom: dict[str, Any]
) -> None:
    client.force_login(newsroom["editor"])
    response = client.get(URL, {"desk": "Nowhere Times"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.context["form"].errors["desk"]
    assert response.context["figures"].open_total == 9


def test_a_bad_date_says_so_and_keeps_what_was_typed(
    client: Client, newsroom: dict[str, Any]
) -> None:
    client.force_login(newsroom["editor"])
    response = client.get(URL, {"date_from": "2026-02-31", "date_to": "2026-03-18"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    html = response.content.decode()
    assert "Enter a date as YYYY-MM-DD." in html
    assert 'type="text" name="date_from" value="2026-02-31"' in html  # a date input drops it
    assert 'type="date" name="date_to" value="2026-03-18"' in html
    # The valid end stands; the start falls back to the default twelve weeks.
    period = response.context["figures"].period
    assert (period.date_from, period.date_to) == (datetime.date(2025, 12, 29), TODAY)


def test_an_end_before_the_start_is_refused(client: Client, newsroom: dict[str, Any]) -> None:
    client.force_login(newsroom["editor"])
    response = client.get(URL, {"date_from": "2026-03-18", "date_to": "2026-03-01"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "The end date must not be before the start date." in response.content.decode()


def test_a_range_of_over_two_years_is_refused(client: Client, newsroom: dict[str, Any]) -> None:
    client.force_login(newsroom["editor"])
    response = client.get(URL, {"date_from": "2020-01-01", "date_to": "2026-03-18"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.context["form"].errors["date_to"]


def test_without_filters_it_shows_the_last_twelve_weeks(
    client: Client, newsroom: dict[str, Any]
) -> None:
    client.force_login(newsroom["editor"])
    response = client.get(URL)
    assert response.status_code == HTTPStatus.OK
    figures = response.context["figures"]
    assert (figures.period.date_from, figures.period.date_to) == (
        datetime.date(2025, 12, 29),
        TODAY,
    )
    assert len(figures.weeks) == 12
    assert figures.verdicts["in_range"] == 5  # the January publication is in it now
    assert 'value="2025-12-29"' in response.content.decode()


def test_a_reviewer_may_see_it(client: Client, newsroom: dict[str, Any]) -> None:
    client.force_login(newsroom["alice"])
    assert client.get(URL).status_code == HTTPStatus.OK


def test_an_account_without_a_newsroom_role_is_refused(client: Client, today: Any) -> None:
    client.force_login(UserFactory(username="cms-integration"))
    assert client.get(URL).status_code == HTTPStatus.FORBIDDEN


def test_an_anonymous_visitor_is_sent_to_log_in(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("login"))


def _more_claims(count: int, author: Any, approver: Any) -> None:
    for n in range(count):
        desk = NORTH if n % 2 else SOUTH
        _claim(desk, Claim.Status.IN_REVIEW, assignee=UserFactory(role="Reviewer"))
        _published(desk, selected="2026-03-01", published=f"2026-03-{10 + n % 8:02d}",
                   rating="False", proposed="True", approver=approver, author=author)  # fmt: skip


def test_it_runs_a_constant_number_of_queries(
    client: Client, newsroom: dict[str, Any], django_assert_num_queries: Any
) -> None:
    client.force_login(newsroom["editor"])
    client.get(URL, RANGE)  # warm the session and the content types
    queries = 11  # session, user, permissions (2), desks, and the six figure queries
    with django_assert_num_queries(queries):
        small = client.get(URL, {**RANGE, "desk": NORTH})
    _more_claims(30, newsroom["alice"], newsroom["editor"])
    with django_assert_num_queries(queries):
        large = client.get(URL, {**RANGE, "desk": NORTH})
    assert small.status_code == large.status_code == HTTPStatus.OK
    assert large.context["figures"].verdicts["in_range"] == 3 + 15


# --- The proposed rating, as the services record it ---------------------------------------


def test_submission_records_the_proposal_and_a_return_keeps_it(editor: Any, reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    verdict = services.verdict_save(
        claim=claim, user=reviewer, rating=default_rating("False"), summary="Wrong."
    )
    assert verdict.proposed_rating is None
    services.verdict_submit(verdict=verdict, user=reviewer)
    verdict.refresh_from_db()
    assert verdict.proposed_rating == default_rating("False")
    services.verdict_return(verdict=verdict, user=editor, note="Misleading, not false.")
    claim.refresh_from_db()
    verdict = services.verdict_save(
        claim=claim, user=reviewer, rating=default_rating("Misleading"), summary="Misleading."
    )
    services.verdict_submit(verdict=verdict, user=reviewer)
    services.verdict_approve(verdict=verdict, user=editor)
    verdict.refresh_from_db()
    assert verdict.rating == default_rating("Misleading")
    assert verdict.proposed_rating == default_rating("False")
    figures = dashboard_figures(Period(timezone.localdate(), timezone.localdate(),
                                       timezone.localdate()))  # fmt: skip
    assert figures.agreement[1] == ("Rating changed", 1)


def test_an_author_recalling_the_draft_proposes_afresh(reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    verdict = services.verdict_save(
        claim=claim, user=reviewer, rating=default_rating("False"), summary="Wrong."
    )
    services.verdict_submit(verdict=verdict, user=reviewer)
    claim.refresh_from_db()
    verdict = services.verdict_save(
        claim=claim, user=reviewer, rating=default_rating("True"), summary="Right after all."
    )
    assert verdict.proposed_rating is None
    services.verdict_submit(verdict=verdict, user=reviewer)
    verdict.refresh_from_db()
    assert verdict.proposed_rating == default_rating("True")


def test_the_migration_backfills_proposals_from_the_submission_history(reviewer: Any) -> None:
    from django.apps import apps

    backfill = importlib.import_module("reviews.migrations.0012_dashboard").backfill
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    verdict = services.verdict_save(
        claim=claim, user=reviewer, rating=default_rating("Unproven"), summary="No data."
    )
    draft = VerdictFactory(author=reviewer)  # never submitted: nothing to backfill
    services.verdict_submit(verdict=verdict, user=reviewer)
    Verdict.objects.update(proposed_rating=None)
    backfill(apps, None)
    verdict.refresh_from_db()
    draft.refresh_from_db()
    assert verdict.proposed_rating == default_rating("Unproven")
    assert draft.proposed_rating is None
