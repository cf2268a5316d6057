"""The search page: the same hits on SQLite (FTS5) and PostgreSQL (tsvector + pg_trgm).

Run this file on both databases; every expected hit here is written once, so the same fixtures
must give the same hits on each. Also: filters, dates, escaped snippets, bad input (a message,
never a 500), permissions, the index following edits, and a fixed query budget.
"""

import datetime
from http import HTTPStatus
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Article, Claim
from claims.revisions import article_revise
from reviews import search
from reviews.models import Verdict
from reviews.search import SearchFilters, kind_search, search_terms, trigram_similarity
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    UserFactory,
    VerdictFactory,
    default_rating,
)

pytestmark = pytest.mark.django_db

URL = reverse("reviews:search")
S = Claim.Status


def _at(day: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T12:00:00+00:00")


def _article(title: str, outlet: str, body: str, published_on: str | None) -> Article:
    return ArticleFactory(
        title=title,
        outlet=outlet,
        body=body,
        published_on=datetime.date.fromisoformat(published_on) if published_on else None,
    )


def _claim(article: Article, text: str, status: str, created: str) -> Claim:
    start = article.body.index(text)
    claim = ClaimFactory(
        article=article, text=text, start=start, end=start + len(text), status=status
    )
    Claim.objects.filter(pk=claim.pk).update(created_at=_at(created))
    return claim


@pytest.fixture
def desk(editor: Any) -> dict[str, Any]:
    """Three articles, two claims, two verdicts (and one replaced draft), in our own words."""
    bridges = _article(
        "Council budget for river bridges",
        "The Riverside Gazette",
        "The council will spend 3.5 million pounds on two river bridges. "
        "Residents asked for safer crossings.",
        "2026-03-10",
    )
    hospital = _article(
        "Hospital waiting lists",
        "Northern Herald",
        "Waiting lists at the city hospital fell by 12% last winter, the trust claimed.",
        "2026-05-20",
    )
    hostile = _article(
        "Script <b>test</b> of the bridge desk",
        "Evil Times",
        "An attacker wrote <script>alert('bridge')</script> into the story about a bridge.",
        None,
    )
    Article.objects.filter(pk=hostile.pk).update(created_at=_at("2026-07-01"))
    c_bridges = _claim(
        bridges,
        "The council will spend 3.5 million pounds on two river bridges.",
        S.IN_REVIEW,
        "2026-03-11",
    )
    c_hospital = _claim(
        hospital,
        "Waiting lists at the city hospital fell by 12% last winter, the trust claimed.",
        S.PUBLISHED,
        "2026-05-21",
    )
    v_hospital = VerdictFactory(
        claim=c_hospital,
        rating=default_rating("False"),
        summary="Waiting lists rose, not fell",
        explanation="Hospital figures show the waiting list grew by 4% over the winter months.",
        approved_by=editor,
        approved_at=_at("2026-05-25"),
        published_at=_at("2026-05-25"),
    )
    # A replaced draft: history, never a hit.
    VerdictFactory(
        claim=c_bridges,
        rating=default_rating("False"),
        summary="Bridge costs are invented",
        is_current=False,
    )
    v_bridges = VerdictFactory(
        claim=c_bridges,
        rating=default_rating("True"),
        summary="Bridge costs are accurate",
        explanation="The budget papers list 3.5 million for both bridges.",
    )
    Verdict.objects.filter(pk=v_bridges.pk).update(created_at=_at("2026-03-12"))
    return {
        "a_bridges": bridges,
        "a_hospital": hospital,
        "a_hostile": hostile,
        "c_bridges": c_bridges,
        "c_hospital": c_hospital,
        "v_hospital": v_hospital,
        "v_bridges": v_bridges,
    }


def _hits(terms: str, **filters: Any) -> set[tuple[str, int]]:
    found = SearchFilters(terms=tuple(search_terms(terms)), **filters)
    return {(kind, row.pk) for kind in search.KINDS for row in kind_search(kind, found)}


def _named(desk: dict[str, Any], *names: str) -> set[tuple[str, int]]:
    kinds = {"a": "article", "c": "claim", "v": "verdict"}
    return {(kinds[name[0]], desk[name].pk) for name in names}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# -- The same hits on both databases ----------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Words match as prefixes, in every searched field, case aside.
        ("bridge", ["a_bridges", "a_hostile", "c_bridges", "v_bridges"]),
        ("BRIDGES", ["a_bridges", "c_bridges", "v_bridges"]),
        # Every word must match, in any field of the row.
        ("hosp wait", ["a_hospital", "c_hospital", "v_hospital"]),
        ("hospital gazette", []),
        # Numbers, decimals included.
        ("3.5 million", ["a_bridges", "c_bridges", "v_bridges"]),
        ("12%", ["a_hospital", "c_hospital"]),
        # Outlets are searched, and misspelt outlet names or titles are found by trigrams.
        ("riverside", ["a_bridges"]),
        ("Riverside Gazete", ["a_bridges"]),
        ("Nortern Herlad", ["a_hospital"]),
        ("Hospitl waitng lists", ["a_hospital"]),
        # Verdict explanations; a replaced draft is never found.
        ("grew", ["v_hospital"]),
        ("invented", []),
        # Quotes and operators are words or nothing, never query syntax.
        ('"bridge', ["a_bridges", "a_hostile", "c_bridges", "v_bridges"]),
        ("bridge OR hospital", []),
        ("NOT bridge", []),
        ("hospital:* & !wait | (", ["a_hospital", "c_hospital", "v_hospital"]),
        ("NEAR(bridges council)", ["a_bridges"]),  # by trigrams: the title is close
        ("bridges council", ["a_bridges", "c_bridges"]),
        ("nothingmatcheshere", []),
    ],
)
def test_the_same_fixtures_give_the_same_hits(
    desk: dict[str, Any], query: str, expected: list[str]
) -> None:
    assert _hits(query) == _named(desk, *expected)


def test_trigram_similarity_is_counted_as_pg_trgm_counts_it() -> None:
    pairs = [
        ("riverside gazete", "The Riverside Gazette"),
        ("nortern herlad", "Northern Herald"),
        ("word", "word"),
        ("café", "CAFÉ au lait"),
        ("", "anything"),
        ("a-b_c", "a b c"),
    ]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for left, right in pairs:
                cursor.execute("SELECT similarity(%s, %s)", [left, right])
                expected = cursor.fetchone()[0]
                assert trigram_similarity(left, right) == pytest.approx(expected, abs=1e-6)
    else:  # pg_trgm's answers, taken from PostgreSQL 15
        answers = [0.6956522, 0.42857143, 1.0, 0.3846154, 0.0, 1.0]
        for (left, right), expected in zip(pairs, answers, strict=True):
            assert trigram_similarity(left, right) == pytest.approx(expected, abs=1e-6)


# -- Filters ----------------------------------------------------------------------------------


def test_the_status_filter_keeps_claims_their_verdicts_and_their_articles(
    desk: dict[str, Any],
) -> None:
    assert _hits("bridge", status=S.IN_REVIEW) == _named(
        desk, "a_bridges", "c_bridges", "v_bridges"
    )
    assert _hits("bridge", status=S.PUBLISHED) == set()
    assert _hits("wait", status=S.PUBLISHED) == _named(
        desk, "a_hospital", "c_hospital", "v_hospital"
    )


def test_the_rating_filter_uses_the_current_verdict(desk: dict[str, Any]) -> None:
    false = default_rating("False").pk
    true = default_rating("True").pk
    assert _hits("bridge", rating_id=true) == _named(desk, "a_bridges", "c_bridges", "v_bridges")
    # The replaced draft of the bridges claim was rated False: it does not count.
    assert _hits("bridge", rating_id=false) == set()
    assert _hits("list", rating_id=false) == _named(desk, "a_hospital", "c_hospital", "v_hospital")


def test_the_date_range_is_inclusive_and_dates_each_kind_its_own_way(
    desk: dict[str, Any],
) -> None:
    may = {"date_from": datetime.date(2026, 5, 1), "date_to": datetime.date(2026, 5, 31)}
    assert _hits("hosp", **may) == _named(desk, "a_hospital", "c_hospital", "v_hospital")
    # The hospital article was published on the 20th, its claim made on the 21st, the verdict
    # published on the 25th.
    day = datetime.date(2026, 5, 21)
    assert _hits("hosp", date_from=day, date_to=day) == _named(desk, "c_hospital")
    # An article with no publication date is dated by its import; a draft verdict by creation.
    july = datetime.date(2026, 7, 1)
    assert _hits("bridge", date_from=july) == _named(desk, "a_hostile")
    march = {"date_from": datetime.date(2026, 3, 12), "date_to": datetime.date(2026, 3, 12)}
    assert _hits("bridge", **march) == _named(desk, "v_bridges")


def test_the_page_applies_the_filters_and_the_type(editor: Any, desk: dict[str, Any]) -> None:
    response = _client(editor).get(
        URL, {"q": "bridge", "type": "claim", "status": S.IN_REVIEW, "date_from": "2026-03-01"}
    )
    assert response.status_code == HTTPStatus.OK
    assert [hit.pk for hit in response.context["hits"]] == [desk["c_bridges"].pk]
    assert response.context["groups"] == []


# -- The page ----------------------------------------------------------------------------------


def test_an_empty_query_shows_the_form_only(editor: Any, desk: dict[str, Any]) -> None:
    for params in ({}, {"q": ""}, {"q": "   ", "type": "claim"}):
        response = _client(editor).get(URL, params)
        assert response.status_code == HTTPStatus.OK
        assert 'role="search"' in response.content.decode()
        assert response.context["searched"] is False
        assert "search-hit" not in response.content.decode()


def test_everything_is_grouped_by_kind_with_counts_and_links(
    editor: Any, desk: dict[str, Any]
) -> None:
    response = _client(editor).get(URL, {"q": "bridge"})
    assert response.status_code == HTTPStatus.OK
    groups = {group.kind: group for group in response.context["groups"]}
    assert {kind: group.count for kind, group in groups.items()} == {
        "article": 2,
        "claim": 1,
        "verdict": 1,
    }
    html = response.content.decode()
    assert f'href="{desk["a_bridges"].get_absolute_url()}"' in html
    assert f'href="{reverse("reviews:claim_detail", args=[desk["c_bridges"].pk])}"' in html
    assert f'href="{reverse("reviews:claim_detail", args=[desk["c_bridges"].pk])}#verdict"' in html


def test_matched_words_are_marked(editor: Any, desk: dict[str, Any]) -> None:
    response = _client(editor).get(URL, {"q": "grew", "type": "verdict"})
    (hit,) = response.context["hits"]
    assert [piece.text.lower() for piece in hit.snippet if piece.is_match] == ["grew"]
    assert "<mark>grew</mark>" in response.content.decode()
    (claim_hit,) = _client(editor).get(URL, {"q": "pounds", "type": "claim"}).context["hits"]
    assert [piece.text for piece in claim_hit.title if piece.is_match] == ["pounds"]
    assert "".join(piece.text for piece in claim_hit.title) == desk["c_bridges"].text


def test_hostile_html_in_an_article_is_escaped_in_the_snippet(
    editor: Any, desk: dict[str, Any]
) -> None:
    response = _client(editor).get(URL, {"q": "attacker", "type": "article"})
    html = response.content.decode()
    (hit,) = response.context["hits"]
    assert hit.pk == desk["a_hostile"].pk
    assert "<script>alert" not in html and "<b>" not in html
    assert "<mark>attacker</mark>" in html
    assert "alert(&#x27;bridge&#x27;)" in html
    if connection.vendor == "sqlite":
        assert "&lt;script&gt;alert(" in html
    # (PostgreSQL's ts_headline leaves tag-like runs out of a snippet; they are never markup.)
    # The title too: marked words and markup-looking text, each escaped.
    response = _client(editor).get(URL, {"q": "script", "type": "article"})
    html = response.content.decode()
    assert "<b>test</b>" not in html
    assert "&lt;b&gt;test&lt;/b&gt;" in html
    assert "<mark>Script</mark>" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("x" * 201, "Keep the search under 200 characters."),
        ("bridge\x00", "Null characters are not allowed."),
        ("!!! ... ???", "Type at least one word or number"),
        ('"', "Type at least one word or number"),
        ("* : & | ! ( ) <-> ^ -", "Type at least one word or number"),
        (" ".join(f"w{i}" for i in range(13)), "Search for at most 12 words at a time."),
    ],
)
def test_bad_input_gets_a_message_not_an_error(
    editor: Any, desk: dict[str, Any], query: str, message: str
) -> None:
    response = _client(editor).get(URL, {"q": query})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert message in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"type": "nonsense"},
        {"status": "nonsense"},
        {"rating": "999999"},
        {"rating": "x"},
        {"date_from": "2026-13-40"},
        {"date_from": "2026-05-02", "date_to": "2026-05-01"},
    ],
)
def test_bad_filters_get_a_message_not_an_error(
    editor: Any, desk: dict[str, Any], params: dict[str, str]
) -> None:
    response = _client(editor).get(URL, {"q": "bridge", **params})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert 'class="errorlist' in response.content.decode()


def test_an_out_of_range_page_falls_back_to_the_last(editor: Any, desk: dict[str, Any]) -> None:
    response = _client(editor).get(URL, {"q": "bridge", "type": "article", "page": "99"})
    assert response.status_code == HTTPStatus.OK
    assert response.context["page"].number == 1


def test_one_kind_is_paged(editor: Any) -> None:
    for i in range(23):
        ArticleFactory(title=f"Ferry timetable {i}", body=f"The ferry sails {i} times a day.")
    first = _client(editor).get(URL, {"q": "ferry", "type": "article"})
    second = _client(editor).get(URL, {"q": "ferry", "type": "article", "page": "2"})
    assert first.context["page"].paginator.count == 23
    assert len(first.context["hits"]) == 20
    assert len(second.context["hits"]) == 3
    assert 'rel="next"' in first.content.decode()
    both = {hit.pk for hit in first.context["hits"]} | {hit.pk for hit in second.context["hits"]}
    assert len(both) == 23


# -- Permissions -------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_the_login_page() -> None:
    response = Client().get(URL, {"q": "bridge"})
    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(reverse("login"))


def test_staff_without_the_view_permission_are_refused(desk: dict[str, Any]) -> None:
    nobody = UserFactory(username="no-role", is_staff=True)
    response = _client(nobody).get(URL, {"q": "bridge"})
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_kinds_a_person_may_not_see_are_neither_searched_nor_offered(
    desk: dict[str, Any],
) -> None:
    from django.contrib.auth.models import Permission

    claims_only = UserFactory(username="claims-only")
    claims_only.user_permissions.add(
        Permission.objects.get(codename="view_claim", content_type__app_label="claims")
    )
    response = _client(claims_only).get(URL, {"q": "bridge"})
    assert response.status_code == HTTPStatus.OK
    assert [group.kind for group in response.context["groups"]] == ["claim"]
    refused = _client(claims_only).get(URL, {"q": "bridge", "type": "verdict"})
    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert "search-hit" not in refused.content.decode()


# -- The index follows edits -------------------------------------------------------------------


def test_a_revised_article_is_found_by_its_new_text_only(editor: Any, desk: dict[str, Any]) -> None:
    article = desk["a_bridges"]
    article_revise(
        article_id=article.pk,
        title="Council budget for river crossings",
        body="The council will spend 3.5 million pounds on two river tunnels. "
        "Residents asked for safer crossings.",
        by=editor,
        note="tunnels, not bridges",
    )
    assert ("article", article.pk) in _hits("tunnels")
    assert ("article", article.pk) not in _hits("bridges")
    # The claim's sentence changed with it.
    assert ("claim", desk["c_bridges"].pk) in _hits("tunnels")


def test_edited_and_deleted_rows_leave_the_index(desk: dict[str, Any]) -> None:
    Verdict.objects.filter(pk=desk["v_hospital"].pk).update(
        summary="Waiting lists shrank", explanation="Ambulance data agree."
    )
    assert _hits("ambulance") == _named(desk, "v_hospital")
    assert _hits("grew") == set()
    Article.objects.filter(pk=desk["a_hostile"].pk).update(outlet="Quiet Times")
    assert _hits("quiet") == _named(desk, "a_hostile")
    desk["a_hostile"].delete()
    assert _hits("attacker") == set()


def test_a_new_article_is_found_at_once() -> None:
    article = ArticleFactory(title="Tram depot", body="A new tram depot opens in spring.")
    assert _hits("depot") == {("article", article.pk)}


# -- Cost --------------------------------------------------------------------------------------


def _queries(client: Client, params: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, params)
    assert response.status_code == HTTPStatus.OK
    return len(captured)


@pytest.mark.parametrize("params", [{"q": "harbour"}, {"q": "harbour", "type": "claim"}])
def test_the_query_count_does_not_grow_with_the_hits(
    editor: Any, params: dict[str, str], django_assert_num_queries: Any
) -> None:
    client = _client(editor)
    article = ArticleFactory(title="Harbour works", body="Harbour works begin.")
    claim = _claim(article, "Harbour works begin.", S.SELECTED, "2026-01-01")
    VerdictFactory(claim=claim, summary="Harbour works", explanation="They began.")
    client.get(URL, params)  # session and permission caches warm
    few = _queries(client, params)
    for i in range(12):
        claim = ClaimFactory(text=f"The harbour wall cost {i} million.")
        VerdictFactory(claim=claim, summary=f"Harbour wall {i}", explanation="The harbour.")
    with django_assert_num_queries(few):
        response = client.get(URL, params)
    hits = response.context["hits"] or [h for g in response.context["groups"] for h in g.hits]
    assert len(hits) > 3


def test_the_database_answers_from_its_search_index(desk: dict[str, Any]) -> None:
    """PostgreSQL uses the GIN indexes; SQLite the FTS5 tables (not a scan of the bodies)."""
    found = SearchFilters(terms=("bridge",))
    models = {"article": Article, "claim": Claim, "verdict": Verdict}
    plans = {}
    for kind in search.KINDS:
        if connection.vendor == "postgresql":
            # The search's own expressions, alone, so the plan can only differ by index use.
            queryset = (
                models[kind]
                .objects.alias(document=search.pg_document(kind))
                .filter(document=search.pg_query(found.terms))
                .values("pk")
            )
            if kind == "article":
                queryset = kind_search(kind, found).values("pk")
        else:
            queryset = kind_search(kind, found)
            if isinstance(queryset, search.ChainedResults):  # articles: the words, then fuzzy
                queryset = queryset.first
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute(f"EXPLAIN {sql}", params)
            else:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plans[kind] = "\n".join(str(row[-1]) for row in cursor.fetchall())
    if connection.vendor == "postgresql":
        assert "Bitmap Index Scan on article_search_document" in plans["article"]
        assert "Bitmap Index Scan on article_title_trgm" in plans["article"]
        assert "Bitmap Index Scan on article_outlet_trgm" in plans["article"]
        assert "Bitmap Index Scan on claim_search_document" in plans["claim"]
        assert "Bitmap Index Scan on verdict_search_document" in plans["verdict"]
    else:
        assert search.search_backend() == "fts5"
        for kind, table in search.FTS_TABLES.items():
            assert f"SCAN {table} VIRTUAL TABLE INDEX" in plans[kind], plans[kind]


def test_without_fts5_sqlite_falls_back_to_like(
    desk: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "sqlite":
        assert search.search_backend() == "postgresql"
        return
    monkeypatch.setattr(search, "search_backend", lambda: "like")
    assert _hits("bridge") == _named(desk, "a_bridges", "a_hostile", "c_bridges", "v_bridges")
    assert _hits("Nortern Herlad") == _named(desk, "a_hospital")
    (hit,) = [
        h
        for h in search.hits_build(
            "verdict",
            kind_search("verdict", SearchFilters(terms=("grew",))),
            SearchFilters(("grew",)),
        )
    ]
    assert [piece.text for piece in hit.snippet if piece.is_match] == ["grew"]


def test_triggers_a_table_rebuild_dropped_are_put_back(desk: dict[str, Any]) -> None:
    """SQLite drops a table's triggers when a migration rebuilds it; `migrate` puts them back."""
    if connection.vendor != "sqlite":
        assert search.search_index_ensure() == []
        return
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER search_article_au")
    Article.objects.filter(pk=desk["a_hospital"].pk).update(outlet="Ambulance Weekly")
    assert search.search_index_ensure() == ["search_article_au"]
    assert _hits("ambulance") == _named(desk, "a_hospital")
    Article.objects.filter(pk=desk["a_hospital"].pk).update(outlet="Ferry Weekly")
    assert _hits("ferry") == _named(desk, "a_hospital")
    assert search.search_index_ensure() == []


def test_the_page_only_answers_get(editor: Any) -> None:
    assert _client(editor).post(URL, {"q": "bridge"}).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_the_rating_filter_speaks_the_readers_language(editor: Any) -> None:
    english = _client(editor).get(URL, {"q": "bridge"}).content.decode()
    spanish = _client(editor).get(URL, {"q": "bridge"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert ">Mostly false</option>" in english
    assert ">Mayormente falso</option>" in spanish
