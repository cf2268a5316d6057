"""The review queue: tabs and their counts, order, filters, paging, and a fixed query budget."""

import datetime
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims.models import Claim
from reviews.models import Verdict
from reviews.queue import PAGE_SIZE
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    UserFactory,
    VerdictFactory,
    default_rating,
)

pytestmark = pytest.mark.django_db

URL = "/queue/"
S = Claim.Status
P = Claim.Priority


def _today() -> datetime.date:
    return timezone.localdate()


def _days(n: int) -> datetime.date:
    return _today() + datetime.timedelta(days=n)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _get(user: Any, **params: Any) -> Any:
    return _client(user).get(URL, params)


def _pks(response: Any) -> list[int]:
    return [claim.pk for claim in response.context["page"]]


def _counts(response: Any) -> dict[str, int]:
    return {tab.slug: tab.count for tab in response.context["tabs"]}


def _bulk_claims(
    count: int, *, title: str = "Bulk article", make: Callable[[int], dict[str, Any]] | None = None
) -> list[Claim]:
    """`count` claims in one article whose body is their sentences, so every offset slices back."""
    texts = [f"Claim {i} says the town bought {i + 1} buses." for i in range(count)]
    article = ArticleFactory(title=title, body=" ".join(texts))
    claims, start = [], 0
    for position, text in enumerate(texts):
        fields = make(position) if make else {}
        claims.append(
            Claim(
                article=article,
                text=text,
                start=start,
                end=start + len(text),
                position=position,
                **fields,
            )
        )
        start += len(text) + 1
    created = Claim.objects.bulk_create(claims)
    assert all(article.body[c.start : c.end] == c.text for c in created)
    return created


# --- Access -----------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_the_login_page() -> None:
    response = Client().get(URL)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/login/")


def test_an_account_with_no_role_is_refused() -> None:
    response = _get(UserFactory(username="cms"))
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_a_reviewer_sees_the_queue_but_no_approval_tab(reviewer: Any) -> None:
    response = _get(reviewer, tab="approval")
    assert response.status_code == HTTPStatus.OK
    assert "approval" not in _counts(response)
    assert response.context["tab"] == "all"  # the tab they cannot have falls back


# --- Tabs -------------------------------------------------------------------------------------


@pytest.fixture
def desk(editor: Any, reviewer: Any) -> dict[str, Claim]:
    """One claim per case a tab must take in or leave out, seen by the editor."""
    claims = {
        "mine_selected": ClaimFactory(status=S.SELECTED, assignee=editor),
        "mine_in_review": ClaimFactory(status=S.IN_REVIEW, assignee=editor),
        "theirs": ClaimFactory(status=S.IN_REVIEW, assignee=reviewer),
        "open": ClaimFactory(status=S.SELECTED),
        "candidate": ClaimFactory(status=S.CANDIDATE),
        "to_approve": ClaimFactory(status=S.AWAITING_APPROVAL, assignee=reviewer),
        "my_own_draft": ClaimFactory(status=S.AWAITING_APPROVAL, assignee=editor),
        "returned": ClaimFactory(status=S.IN_REVIEW, assignee=editor),
        "late": ClaimFactory(status=S.SELECTED, due_on=_days(-1)),
        "late_but_published": ClaimFactory(status=S.PUBLISHED, due_on=_days(-3)),
        "due_today": ClaimFactory(status=S.IN_REVIEW, assignee=reviewer, due_on=_today()),
    }
    now = timezone.now()
    VerdictFactory(claim=claims["to_approve"], author=reviewer, submitted_at=now)
    VerdictFactory(claim=claims["my_own_draft"], author=editor, submitted_at=now)
    VerdictFactory(claim=claims["returned"], author=editor, return_note="Check the date.")
    # A note on a verdict that is no longer current does not send the claim back.
    VerdictFactory(
        claim=claims["mine_in_review"], author=editor, return_note="Old note.", is_current=False
    )
    VerdictFactory(claim=claims["mine_in_review"], author=editor)
    return claims


TAB_MEMBERS = {
    "all": {
        "mine_selected",
        "mine_in_review",
        "theirs",
        "open",
        "to_approve",
        "my_own_draft",
        "returned",
        "late",
        "due_today",
    },
    "mine": {"mine_selected", "mine_in_review", "returned"},
    "unassigned": {"open", "late"},
    "approval": {"to_approve"},
    "returned": {"returned"},
    "overdue": {"late"},
}


@pytest.mark.parametrize("tab", list(TAB_MEMBERS))
def test_each_tab_lists_exactly_its_claims(editor: Any, desk: dict[str, Claim], tab: str) -> None:
    response = _get(editor, tab=tab)
    assert response.status_code == HTTPStatus.OK
    assert set(_pks(response)) == {desk[name].pk for name in TAB_MEMBERS[tab]}


def test_every_tab_shows_how_many_claims_it_holds(editor: Any, desk: dict[str, Claim]) -> None:
    counts = _counts(_get(editor))
    assert counts == {tab: len(members) for tab, members in TAB_MEMBERS.items()}


def test_a_returned_verdict_leaves_the_tab_once_submitted_again(
    editor: Any, desk: dict[str, Claim]
) -> None:
    Verdict.objects.filter(claim=desk["returned"]).update(submitted_at=timezone.now())
    assert _counts(_get(editor))["returned"] == 0


def test_the_tab_counts_come_from_one_query(editor: Any, desk: dict[str, Claim]) -> None:
    with CaptureQueriesContext(connection) as queries:
        _get(editor)
    counting = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    # One aggregate for the tabs, one count for the paginator.
    assert len(counting) == 2


# --- Rows -------------------------------------------------------------------------------------


def test_a_row_shows_the_full_claim_its_article_and_its_assignment(editor: Any) -> None:
    text = (
        "The council said it had spent 48 million pounds on the new bus station in 2025, "
        "which is more than twice what the budget papers allowed for."
    )
    assignee = UserFactory(first_name="Ada", last_name="Reyes", role="Reviewer")
    claim = ClaimFactory(
        text=text,
        status=S.IN_REVIEW,
        assignee=assignee,
        due_on=_days(-2),
        priority=P.HIGH,
        score=0.73,
        article__title="Bus station costs",
    )
    VerdictFactory(claim=claim, author=assignee, rating=default_rating("Mostly false"))
    page = _get(editor).content.decode()
    assert text in page  # not cut at 77 characters
    assert f'href="/articles/{claim.article_id}/">Bus station costs</a>' in page
    assert f'href="{claim.get_absolute_url()}"' in page
    assert "Ada Reyes" in page
    assert "0.73" in page
    assert "<dd>High</dd>" in page
    assert "<dd>In review</dd>" in page
    assert "Mostly false" in page
    assert "is-overdue" in page
    assert "Overdue</span>" in page


def test_the_page_never_reads_article_bodies(editor: Any, desk: dict[str, Claim]) -> None:
    ClaimFactory(status=S.SELECTED, text="A sentence only the body holds.")
    with CaptureQueriesContext(connection) as queries:
        response = _get(editor, q="sentence")
    assert response.status_code == HTTPStatus.OK
    sql = "\n".join(q["sql"] for q in queries)
    assert '"claims_article"."title"' in sql
    for column in ("body", "extraction", "consistency_flags"):
        assert f'"claims_article"."{column}"' not in sql
    # The claim's own extraction reasons are not needed either.
    assert '"claims_claim"."reasons"' not in sql


# --- Order ------------------------------------------------------------------------------------


def test_overdue_claims_come_first_then_priority_then_due_date(editor: Any) -> None:
    made = {
        "normal_undated": ClaimFactory(status=S.SELECTED, priority=P.NORMAL),
        "high_undated": ClaimFactory(status=S.SELECTED, priority=P.HIGH),
        "normal_today": ClaimFactory(status=S.SELECTED, priority=P.NORMAL, due_on=_today()),
        "low_late": ClaimFactory(status=S.SELECTED, priority=P.LOW, due_on=_days(-1)),
        "high_tomorrow": ClaimFactory(status=S.SELECTED, priority=P.HIGH, due_on=_days(1)),
        "urgent_late": ClaimFactory(status=S.SELECTED, priority=P.URGENT, due_on=_days(-5)),
        "normal_undated_2": ClaimFactory(status=S.SELECTED, priority=P.NORMAL),
    }
    expected = [
        "urgent_late",
        "low_late",
        "high_tomorrow",
        "high_undated",
        "normal_today",
        "normal_undated",
        "normal_undated_2",
    ]
    assert _pks(_get(editor)) == [made[name].pk for name in expected]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("score", ["top", "middle", "bottom"]),
        ("due", ["bottom", "top", "middle"]),
        ("newest", ["bottom", "middle", "top"]),
    ],
)
def test_the_queue_can_be_sorted(editor: Any, sort: str, expected: list[str]) -> None:
    made = {
        "top": ClaimFactory(status=S.SELECTED, score=0.9, due_on=_days(3)),
        "middle": ClaimFactory(status=S.SELECTED, score=0.6),
        "bottom": ClaimFactory(status=S.SELECTED, score=0.2, due_on=_days(1)),
    }
    assert _pks(_get(editor, sort=sort)) == [made[name].pk for name in expected]


# --- Filters ----------------------------------------------------------------------------------


@pytest.fixture
def varied(reviewer: Any) -> dict[str, Claim]:
    made = {
        "a": ClaimFactory(
            status=S.SELECTED, score=0.95, text="Bus fares rose by 12% last year.", due_on=_days(1)
        ),
        "b": ClaimFactory(status=S.IN_REVIEW, assignee=reviewer, score=0.55, due_on=_days(10)),
        "c": ClaimFactory(status=S.AWAITING_APPROVAL, assignee=reviewer, score=0.3),
    }
    # The current verdict's rating counts; an earlier one's does not.
    VerdictFactory(claim=made["b"], rating=default_rating("False"), is_current=False)
    VerdictFactory(claim=made["b"], rating=default_rating("True"))
    VerdictFactory(claim=made["c"], rating=default_rating("False"), submitted_at=timezone.now())
    return made


FILTERS: list[tuple[Callable[[dict[str, Claim]], dict[str, Any]], set[str]]] = [
    (lambda made: {"article": made["b"].article_id}, {"b"}),
    (lambda made: {"status": "in_review"}, {"b"}),
    (lambda made: {"assignee": made["b"].assignee_id}, {"b", "c"}),
    (lambda made: {"rating": default_rating("False").pk}, {"c"}),
    (lambda made: {"rating": default_rating("True").pk}, {"b"}),
    (lambda made: {"score_min": "0.5"}, {"a", "b"}),
    (lambda made: {"score_max": "0.55"}, {"b", "c"}),
    (lambda made: {"score_min": "0.4", "score_max": "0.6"}, {"b"}),
    (lambda made: {"due_before": _days(10).isoformat()}, {"a"}),
    (lambda made: {"q": "BUS FARES"}, {"a"}),
    (lambda made: {"q": "bus", "status": "selected", "score_min": "0.9"}, {"a"}),
]


@pytest.mark.parametrize(("params", "expected"), FILTERS)
def test_each_filter_narrows_the_list(
    editor: Any,
    varied: dict[str, Claim],
    params: Callable[[dict[str, Claim]], dict[str, Any]],
    expected: set[str],
) -> None:
    response = _get(editor, **params(varied))
    assert response.status_code == HTTPStatus.OK
    assert set(_pks(response)) == {varied[name].pk for name in expected}


def test_the_search_looks_at_claim_text_not_the_article(editor: Any) -> None:
    article = ArticleFactory(body="Ferries are late. The mayor said 40 buses were bought.")
    in_text = Claim.objects.create(
        article=article, text="Ferries are late.", start=0, end=17, position=0, status=S.SELECTED
    )
    response = _get(editor, q="mayor")
    assert in_text.pk not in _pks(response)
    assert _pks(_get(editor, q="ferries")) == [in_text.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"score_min": "2"}, "score_min"),
        ({"score_max": "-1"}, "score_max"),
        ({"score_min": "lots"}, "score_min"),
        ({"score_min": "0.2", "score_max": "0.1"}, "score_max"),
        ({"due_before": "next tuesday"}, "due_before"),
        ({"article": "x"}, "article"),
        ({"article": "-3"}, "article"),
        ({"status": "bogus"}, "status"),
        ({"status": "candidate"}, "status"),
        ({"assignee": "999999"}, "assignee"),
        ({"rating": "abc"}, "rating"),
        ({"sort": "sideways"}, "sort"),
        ({"tab": "everything"}, "tab"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_an_invalid_parameter_is_reported_and_ignored(
    editor: Any, varied: dict[str, Claim], params: dict[str, str], field: str
) -> None:
    response = _get(editor, **params)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert field in response.context["form"].errors
    assert b'class="errorlist' in response.content
    # The rest of the page still works: the unfiltered queue is listed.
    assert set(_pks(response)) == {claim.pk for claim in varied.values()}


# --- Pages ------------------------------------------------------------------------------------


def test_the_queue_is_paged_by_fifty_and_links_keep_the_filters(editor: Any) -> None:
    _bulk_claims(PAGE_SIZE * 2 + 20, make=lambda i: {"status": S.SELECTED})
    first = _get(editor, q="claim", tab="unassigned")
    assert len(_pks(first)) == PAGE_SIZE
    assert first.context["page"].paginator.count == PAGE_SIZE * 2 + 20
    assert "?q=claim&amp;tab=unassigned&amp;page=2" in first.content.decode()
    last = _get(editor, q="claim", tab="unassigned", page="3")
    assert len(_pks(last)) == 20
    assert not set(_pks(first)) & set(_pks(last))


@pytest.mark.parametrize(("page", "number"), [("abc", 1), ("0", 3), ("999", 3), ("", 1)])
def test_a_page_number_that_is_not_one_falls_back(editor: Any, page: str, number: int) -> None:
    _bulk_claims(PAGE_SIZE * 2 + 1, make=lambda i: {"status": S.SELECTED})
    response = _get(editor, page=page)
    assert response.status_code == HTTPStatus.OK
    assert response.context["page"].number == number


def test_tab_links_keep_the_filters_and_start_on_the_first_page(editor: Any) -> None:
    page = _get(editor, q="bus", page="2", tab="mine").content.decode()
    assert 'href="?q=bus&amp;tab=overdue"' in page


# --- Query budget -----------------------------------------------------------------------------


def _varied_claim(reviewer: Any, editor: Any) -> Callable[[int], dict[str, Any]]:
    """Fields for the i-th bulk claim, cycling through what the rows and tabs show."""
    statuses = [S.SELECTED, S.IN_REVIEW, S.AWAITING_APPROVAL]
    assignees = [None, reviewer, editor]

    def make(i: int) -> dict[str, Any]:
        return {
            "status": statuses[i % 3],
            "assignee": assignees[(i // 3) % 3],
            "priority": [P.LOW, P.NORMAL, P.HIGH, P.URGENT][i % 4],
            "due_on": _days((i % 7) - 3) if i % 2 else None,
            "score": (i % 100) / 100,
        }

    return make


def _add_verdicts(claims: list[Claim], author: Any) -> None:
    rating = default_rating("False")
    Verdict.objects.bulk_create(
        Verdict(
            claim=claim,
            rating=rating,
            summary="Wrong.",
            author=author,
            submitted_at=timezone.now() if claim.status == S.AWAITING_APPROVAL else None,
            return_note="Check it." if claim.status == S.IN_REVIEW else "",
        )
        for claim in claims
        if claim.status != S.SELECTED
    )


def _query_count(user: Any, params: dict[str, Any]) -> tuple[int, Any]:
    client = _client(user)
    client.get(URL, params)  # warm up: session and permission caches are not what is measured
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == HTTPStatus.OK
    return len(queries), response


@pytest.mark.parametrize(
    "params",
    [{}, {"tab": "approval", "sort": "score"}, {"tab": "returned"}, {"tab": "overdue"}],
)
def test_ten_thousand_claims_take_as_many_queries_as_ten(
    editor: Any, reviewer: Any, params: dict[str, Any]
) -> None:
    make = _varied_claim(reviewer, editor)
    few = _bulk_claims(10, title="Ten claims", make=make)
    _add_verdicts(few, reviewer)
    rating = {"rating": default_rating("False").pk, "score_min": "0"}
    small, _ = _query_count(editor, {**params, **rating})

    many = _bulk_claims(9_990, title="Many claims", make=lambda i: make(i + 10))
    _add_verdicts(many, reviewer)
    large, response = _query_count(editor, {**params, **rating})

    assert large == small
    assert response.context["page"].paginator.count > PAGE_SIZE
    assert len(_pks(response)) == PAGE_SIZE


def test_the_whole_queue_of_ten_thousand_is_counted_and_paged(editor: Any, reviewer: Any) -> None:
    _bulk_claims(10_000, make=_varied_claim(reviewer, editor))
    response = _get(editor)
    assert response.context["page"].paginator.count == 10_000
    assert len(_pks(response)) == PAGE_SIZE
    assert _counts(response)["all"] == 10_000
