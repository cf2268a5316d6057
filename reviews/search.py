"""Search across articles, claims and verdicts: query building per database, typed hits.

One search box, three kinds of hit. The words of the query are taken out of whatever was typed
(quotes, operators and punctuation are dropped, never passed to a query parser), and every word
must match, as a prefix, in the searched fields:

- articles: title, outlet and body; also a fuzzy match (trigram similarity, as pg_trgm counts it)
  of the whole query against the title or the outlet, for misspelt names;
- claims: text;
- verdicts: summary and explanation (current verdicts only: a replaced draft is history).

Each database answers with its own engine, kept in the same shape so the fixtures give the same
hits on both (tests/reviews/test_search.py runs on each):

1. PostgreSQL: a tsvector matched by `to_tsquery('simple', 'word:*' & ...)`: for articles a
   stored generated column, for claims and verdicts the expression of their GIN index;
   `pg_trgm`'s `%` operator on title and outlet (GIN trigram indexes); `ts_rank` orders;
   `ts_headline` cuts the snippets. The `simple` configuration (no stemming, no stop words)
   because the desk is multilingual and SQLite's tokenizer does not stem either.
2. SQLite: FTS5 tables over the same columns, kept in step by triggers, joined to rank by
   `bm25()`; `snippet()` for the rows of one page only; the fuzzy match by the same trigram
   similarity as a Python function (a scan of titles and outlets).
3. SQLite built without FTS5: every word as a case-insensitive substring (LIKE), snippets cut in
   Python. Slower and a little looser (substrings, not word prefixes), but it answers.

Known differences, on text the fixtures avoid: PostgreSQL's parser keeps `example.com` and
`-19` as one lexeme each (so `com` or `19` alone do not find them there), and its snippets
leave out runs it takes for HTML tags; FTS5 splits on every non-alphanumeric character.

Titles, claims and summaries are shown whole, with the words that start with a term marked here
in Python (the same on every database). Snippets of bodies and explanations come back from the
database with the matched words between two control characters that a stored text never holds
(the normaliser drops them); `pieces()` splits them into (text, is_match) pairs. The template
escapes every piece, so no stored text is ever rendered as markup.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, cast, overload

from django.contrib.postgres.lookups import TrigramSimilar
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
)
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Left
from django.db.models.signals import post_migrate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from claims.models import Article, Claim
from reviews.models import Verdict

Kind = Literal["article", "claim", "verdict"]
_QS = TypeVar("_QS", bound=QuerySet[Any])
KINDS: tuple[Kind, ...] = ("article", "claim", "verdict")
KIND_LABELS = {
    "article": gettext_lazy("Articles"),
    "claim": gettext_lazy("Claims"),
    "verdict": gettext_lazy("Verdicts"),
}
# The permission a person needs to see each kind of hit (the page itself needs view_claim).
KIND_PERMISSIONS = {
    "article": "claims.view_article",
    "claim": "claims.view_claim",
    "verdict": "reviews.view_verdict",
}

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
# A tsvector holds at most 1 MiB of lexemes, and an expression index that cannot be built
# refuses the row: only the first 250,000 characters (at most 4 bytes each) of a body are
# indexed, on both databases. Longer than a book chapter; the desk's articles are far shorter.
BODY_INDEXED_CHARS = 250_000
# pg_trgm's default `similarity_threshold`; the `%` operator keeps pairs at or above it.
SIMILARITY_THRESHOLD = 0.3
TS_CONFIG = "simple"
# Around each matched word in a snippet; the body normaliser drops these control characters.
START, STOP = "\x02", "\x03"
ELLIPSIS = "…"

# Article, claim and verdict FTS5 tables (claims/migrations/0008, reviews/migrations/0009).
FTS_TABLES = {"article": "search_article", "claim": "search_claim", "verdict": "search_verdict"}

# Words: letters and digits; a decimal number stays one word ("3.5", "1,000").
_WORD = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+")
_PIECES = re.compile(f"{START}(.*?){STOP}", re.DOTALL)


def search_terms(raw: str) -> list[str]:
    """The words to search for in what was typed, lower-cased, each once, in order.

    Raises ValidationError with a message for a person when there is nothing to search for or
    too much.
    """
    if "\x00" in raw:
        raise ValidationError(_("The search contains a null character."), code="null")
    if len(raw) > MAX_QUERY_LENGTH:
        raise ValidationError(
            _("Keep the search under %(limit)d characters.") % {"limit": MAX_QUERY_LENGTH},
            code="too_long",
        )
    terms = list(dict.fromkeys(word.lower() for word in _WORD.findall(raw)))
    if not terms:
        raise ValidationError(
            _("Type at least one word or number to search for: punctuation alone finds nothing."),
            code="no_words",
        )
    if len(terms) > MAX_TERMS:
        raise ValidationError(
            _("Search for at most %(limit)d words at a time.") % {"limit": MAX_TERMS},
            code="too_many_words",
        )
    return terms


@dataclass(frozen=True)
class SearchFilters:
    """What to search for (validated words) and what to narrow the hits by."""

    terms: tuple[str, ...]
    status: str = ""
    rating_id: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    @property
    def text(self) -> str:
        """The words as one string, for the fuzzy (trigram) comparison."""
        return " ".join(self.terms)


@dataclass(frozen=True)
class Piece:
    """A run of text in a snippet; `is_match` runs are the searched words."""

    text: str
    is_match: bool


@dataclass(frozen=True)
class Hit:
    """One search result, ready for the template."""

    kind: Kind
    pk: int
    url: str
    title: list[Piece]
    snippet: list[Piece]
    status: str
    date: datetime.date | None
    context: str = ""  # the outlet of an article, the article of a claim, the claim of a verdict
    rating: str = ""


def pieces(marked: str) -> list[Piece]:
    """Split a snippet marked by the database into (text, is_match) pieces."""
    result: list[Piece] = []
    cursor = 0
    for match in _PIECES.finditer(marked):
        if match.start() > cursor:
            result.append(Piece(marked[cursor : match.start()], False))
        if match.group(1):
            result.append(Piece(match.group(1), True))
        cursor = match.end()
    if cursor < len(marked):
        result.append(Piece(marked[cursor:], False))
    # A stray marker (cut off by a snippet's edge) must not reach the page.
    return [
        Piece(p.text.replace(START, "").replace(STOP, ""), p.is_match)
        for p in result
        if p.text.replace(START, "").replace(STOP, "")
    ]


# -- The backends -----------------------------------------------------------------------------


def search_backend() -> Literal["postgresql", "fts5", "like"]:
    """Which engine answers on this database."""
    if connection.vendor == "postgresql":
        return "postgresql"
    return "fts5" if _fts_tables_exist(connection.settings_dict["NAME"]) else "like"


@functools.cache
def _fts_tables_exist(database_name: str) -> bool:
    """Whether the FTS5 tables are there and kept in step (asked once per database).

    The migrations skip them on a SQLite built without FTS5: then the search answers with LIKE.
    """
    tables = list(FTS_TABLES.values())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN (%s, %s, %s)",
            tables,
        )
        if cursor.fetchone()[0] != len(tables):
            return False
    search_index_ensure()
    return True


# What each FTS5 table indexes (as created by claims/migrations/0008 and reviews/migrations/0009).
FTS_SOURCES = {
    "search_article": ("claims_article", ("title", "outlet", "body")),
    "search_claim": ("claims_claim", ("text",)),
    "search_verdict": ("reviews_verdict", ("summary", "explanation")),
}


def _fts_triggers(table: str, source: str, columns: tuple[str, ...]) -> dict[str, str]:
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    insert = f"INSERT INTO {table}(rowid, {names}) VALUES (new.id, {new});"
    delete = f"INSERT INTO {table}({table}, rowid, {names}) VALUES ('delete', old.id, {old});"
    return {
        f"{table}_ai": f"CREATE TRIGGER {table}_ai AFTER INSERT ON {source} BEGIN {insert} END",
        f"{table}_ad": f"CREATE TRIGGER {table}_ad AFTER DELETE ON {source} BEGIN {delete} END",
        f"{table}_au": f"CREATE TRIGGER {table}_au AFTER UPDATE OF {names} ON {source} "
        f"BEGIN {delete} {insert} END",
    }


def search_index_ensure(using: str = "default") -> list[str]:
    """On SQLite, put back the FTS5 triggers a table rebuild dropped, and refill that index.

    SQLite migrations rebuild a table for many schema changes (a new table, the rows copied,
    the old one dropped), and the old table's triggers go with it, so the index would silently
    stop following edits. Runs after every `migrate` and before the first search of a process.

    Steps:
    1. Skip other databases, and SQLite without the FTS5 tables.
    2. For each FTS5 table with a trigger missing: create the missing triggers, then rebuild
       the index from its content table (rows written meanwhile are picked up).
    3. Return the names of the triggers created (empty: nothing was missing).
    """
    from django.db import connections, transaction

    db = connections[using]
    if db.vendor != "sqlite":
        return []
    created: list[str] = []
    with transaction.atomic(using=using), db.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {row[0] for row in cursor.fetchall()}
        for table, (source, columns) in FTS_SOURCES.items():
            if table not in present:
                continue
            missing = {
                name: sql
                for name, sql in _fts_triggers(table, source, columns).items()
                if name not in present
            }
            for name, sql in missing.items():
                cursor.execute(sql)
                created.append(name)
            if missing:
                cursor.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
    return created


def _after_migrate(using: str = "default", **kwargs: Any) -> None:
    search_index_ensure(using)
    _fts_tables_exist.cache_clear()


post_migrate.connect(_after_migrate, dispatch_uid="reviews.search.index_ensure")


def trigram_similarity(left: str | None, right: str | None) -> float:
    """pg_trgm's similarity(): shared trigrams of the padded, lower-cased words over all trigrams.

    The SQLite stand-in for `similarity()`, so fuzzy hits are the same on both databases.
    """
    a, b = _trigrams(left or ""), _trigrams(right or "")
    if not a or not b:
        return 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


# SQLite calls the function once per row: the query's side and repeated outlets are cached.
@functools.lru_cache(maxsize=4096)
def _trigrams(text: str) -> frozenset[str]:
    grams: set[str] = set()
    for word in re.findall(r"[^\W_]+", text.lower()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


class _SqliteSimilarity(Func):
    """`fc_similarity(a, b)`: trigram_similarity() registered on the SQLite connection."""

    function = "fc_similarity"
    output_field = FloatField()


def _sqlite_register_functions() -> None:
    connection.ensure_connection()
    connection.connection.create_function(
        "fc_similarity", 2, trigram_similarity, deterministic=True
    )


def _fts5_query(terms: tuple[str, ...]) -> str:
    return " ".join('"{}"*'.format(term.replace('"', '""')) for term in terms)


def pg_document(kind: Kind) -> Any:
    """The tsvector PostgreSQL searches for each kind of hit.

    Articles: the stored `search_document` column (claims/migrations/0008_search.py). Claims
    and verdicts: exactly the expressions of their GIN indexes; any other would leave them
    unused (tests/reviews/test_search.py checks the query plans).
    """
    if kind == "article":
        return RawSQL('"claims_article"."search_document"', [], output_field=SearchVectorField())
    fields = {"claim": ("text",), "verdict": ("summary", "explanation")}
    return SearchVector(*fields[kind], config=TS_CONFIG)


def pg_query(terms: tuple[str, ...]) -> SearchQuery:
    """Every term as a prefix: `'word':* & 'other':*`."""
    # Terms are letters, digits and inner dots/commas only, so quoting them is enough.
    raw = " & ".join(f"'{term}':*" for term in terms)
    return SearchQuery(raw, search_type="raw", config=TS_CONFIG)


def _pg_snippet(field: Any, query: SearchQuery) -> SearchHeadline:
    # ts_headline leaves out runs its parser takes for HTML tags ("<b>"); the words stay.
    return SearchHeadline(
        field,
        query,
        config=TS_CONFIG,
        start_sel=START,
        stop_sel=STOP,
        max_words=30,
        min_words=12,
        max_fragments=2,
        fragment_delimiter=f" {ELLIPSIS} ",
    )


def _fts_join(queryset: _QS, kind: Kind, source: str, fts: str, weights: str = "") -> _QS:
    """Rows whose FTS5 entry matches, joined to it, best first (`rank`: higher is better).

    `extra()` because the ORM joins no virtual table; the values go in as parameters.
    """
    table = FTS_TABLES[kind]
    bm25 = f"bm25({table}, {weights})" if weights else f"bm25({table})"
    joined = queryset.extra(
        select={"rank": f"-{bm25}"},
        tables=[table],
        where=[f"{table} MATCH %s", f"{table}.rowid = {source}.id"],
        params=[fts],
    ).order_by("-rank", "-pk")
    return cast(_QS, joined)


# The long field each FTS5 table gives snippets of (its column number).
FTS_SNIPPET_COLUMNS: dict[Kind, int] = {"article": 2, "verdict": 1}


def _fts_snippets(kind: Kind, ids: list[int], fts: str) -> dict[int, str]:
    """Marked snippets of the long field for one page of rows, in one query."""
    if kind not in FTS_SNIPPET_COLUMNS or not ids:
        return {}
    table = FTS_TABLES[kind]
    column = FTS_SNIPPET_COLUMNS[kind]
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, snippet({table}, {column}, char(2), char(3), %s, 24) FROM {table} "
            f"WHERE {table} MATCH %s AND rowid IN ({marks})",
            [ELLIPSIS, fts, *ids],
        )
        return {row[0]: row[1] for row in cursor.fetchall()}


class ChainedResults:
    """Two querysets read as one list: every row of the first, then those of the second.

    The SQLite article search: articles the words match, best first, then those found only by
    a fuzzy title or outlet, newest first (PostgreSQL ranks the latter 0: the same order).
    Paginator reads it like a queryset; every read runs the same number of queries.
    """

    def __init__(self, first: QuerySet[Any], second: QuerySet[Any]) -> None:
        self.first, self.second = first, second
        self._counts: tuple[int, int] | None = None

    def _sizes(self) -> tuple[int, int]:
        if self._counts is None:
            self._counts = (self.first.count(), self.second.count())
        return self._counts

    def count(self) -> int:
        return sum(self._sizes())

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Any]:
        return iter(self[0 : self.count()])

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        if stop is None:
            stop = self.count()
        in_first = self._sizes()[0]
        rows = list(self.first[start:stop]) if stop > start else []
        low, high = max(start - in_first, 0), max(stop - in_first, 0)
        # One row more than needed, so the query always runs (a constant number of queries).
        rows += list(self.second[low : high + 1])[: high - low]
        return rows


def _fts_ids(kind: Kind, fts: str) -> RawSQL:
    table = FTS_TABLES[kind]
    return RawSQL(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [fts])


def _like(fields: tuple[str, ...], terms: tuple[str, ...]) -> Q:
    """Every term in one of the fields, as a substring (the fallback without FTS5)."""
    condition = Q()
    for term in terms:
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__icontains": term})
        condition &= any_field
    return condition


# -- The selectors ----------------------------------------------------------------------------


def _date_range(q_date: str, fallback: str, filters: SearchFilters) -> Q:
    """Hits dated within the range: by `q_date`, or by `fallback` when `q_date` is empty."""
    condition = Q()
    for bound, lookup in ((filters.date_from, "gte"), (filters.date_to, "lte")):
        if bound is not None:
            condition &= Q(**{f"{q_date}__{lookup}": bound}) | Q(
                **{f"{q_date}__isnull": True, f"{fallback}__{lookup}": bound}
            )
    return condition


def _claim_conditions(filters: SearchFilters, prefix: str = "") -> Q:
    """Status and rating filters on a claim (through `prefix` from another model)."""
    condition = Q()
    if filters.status:
        condition &= Q(**{f"{prefix}status": filters.status})
    if filters.rating_id is not None:
        condition &= Q(
            Exists(
                Verdict.objects.current().filter(
                    claim=OuterRef(f"{prefix}pk" if prefix else "pk"), rating_id=filters.rating_id
                )
            )
        )
    return condition


def articles_search(filters: SearchFilters) -> QuerySet[Article] | ChainedResults:
    """Articles matching the words (or, fuzzily, the title or outlet), best first.

    Annotated with `rank` and `marked_snippet` (a piece of the body, matched words marked).
    With a status or rating filter, only articles that have such a claim.
    """
    articles = Article.objects.only("title", "outlet", "published_on", "created_at")
    backend = search_backend()
    if backend == "postgresql":
        query = pg_query(filters.terms)
        vector = pg_document("article")
        articles = articles.alias(document=vector).filter(
            Q(document=query)
            | Q(TrigramSimilar(F("title"), Value(filters.text)))
            | Q(TrigramSimilar(F("outlet"), Value(filters.text)))
        )
        articles = articles.annotate(
            rank=SearchRank(vector, query),
            marked_snippet=_pg_snippet(Left("body", BODY_INDEXED_CHARS), query),
        ).order_by("-rank", "-pk")
    elif backend == "fts5":
        # Ranked by a join to the FTS5 table: bm25() in a subquery per row would compute the
        # words' statistics again for every row (seconds at a few thousand hits).
        _sqlite_register_functions()
        fts = _fts5_query(filters.terms)
        text = Value(filters.text)
        narrowed = _article_filters(articles, filters)
        # bm25 is lower for better matches; titles weigh most, as setweight would.
        matched = _fts_join(narrowed, "article", "claims_article", fts, "10.0, 5.0, 1.0")
        similar, close = _sqlite_similar(narrowed, text)
        fuzzy_only = similar.filter(close).exclude(pk__in=_fts_ids("article", fts)).order_by("-pk")
        return ChainedResults(matched, fuzzy_only)
    else:
        _sqlite_register_functions()
        text = Value(filters.text)
        similar, close = _sqlite_similar(articles, text)
        articles = (
            similar.filter(_like(("title", "outlet", "body"), filters.terms) | close)
            .annotate(
                rank=Value(0.0),
                marked_snippet=Left("body", 2000),
            )
            .order_by("-pk")
        )
    return _article_filters(articles, filters)


def _sqlite_similar(articles: QuerySet[Article], text: Value) -> tuple[QuerySet[Article], Q]:
    """SQLite: articles with their title and outlet similarity to `text`, and the condition
    that one of them is close enough (pg_trgm's `%` on PostgreSQL)."""
    similar = articles.alias(
        title_similarity=_SqliteSimilarity(F("title"), text),
        outlet_similarity=_SqliteSimilarity(F("outlet"), text),
    )
    close = Q(title_similarity__gte=SIMILARITY_THRESHOLD) | Q(
        outlet_similarity__gte=SIMILARITY_THRESHOLD
    )
    return similar, close


def _article_filters(articles: QuerySet[Article], filters: SearchFilters) -> QuerySet[Article]:
    """Articles in the date range and, with a status or rating filter, with such a claim."""
    claim_condition = _claim_conditions(filters)
    if claim_condition:
        articles = articles.filter(
            Exists(Claim.objects.filter(claim_condition, article=OuterRef("pk")))
        )
    return articles.filter(_date_range("published_on", "created_at__date", filters))


def claims_search(filters: SearchFilters) -> QuerySet[Claim]:
    """Claims whose text matches the words, best first, with their article's title."""
    claims = Claim.objects.select_related("article").only(
        "text", "status", "created_at", "article__title"
    )
    backend = search_backend()
    if backend == "postgresql":
        query = pg_query(filters.terms)
        vector = pg_document("claim")
        claims = (
            claims.alias(document=vector)
            .filter(document=query)
            .annotate(rank=SearchRank(vector, query))
            .order_by("-rank", "-pk")
        )
    elif backend == "fts5":
        fts = _fts5_query(filters.terms)
        claims = _fts_join(claims, "claim", "claims_claim", fts)
    else:
        claims = (
            claims.filter(_like(("text",), filters.terms)).annotate(rank=Value(0.0)).order_by("-pk")
        )
    return claims.filter(
        _claim_conditions(filters), _date_range("created_at__date", "created_at__date", filters)
    )


def verdicts_search(filters: SearchFilters) -> QuerySet[Verdict]:
    """Current verdicts whose summary or explanation matches the words, best first."""
    verdicts = (
        Verdict.objects.current()
        .select_related("claim", "rating")
        .only(
            "summary",
            "submitted_at",
            "published_at",
            "withdrawn_at",
            "created_at",
            "claim__text",
            "rating__label",
        )
    )
    backend = search_backend()
    if backend == "postgresql":
        query = pg_query(filters.terms)
        vector = pg_document("verdict")
        verdicts = (
            verdicts.alias(document=vector)
            .filter(document=query)
            .annotate(
                rank=SearchRank(vector, query),
                marked_snippet=_pg_snippet("explanation", query),
            )
            .order_by("-rank", "-pk")
        )
    elif backend == "fts5":
        fts = _fts5_query(filters.terms)
        verdicts = _fts_join(verdicts, "verdict", "reviews_verdict", fts, "3.0, 1.0")
    else:
        verdicts = (
            verdicts.filter(_like(("summary", "explanation"), filters.terms))
            .annotate(rank=Value(0.0), marked_snippet=Left("explanation", 2000))
            .order_by("-pk")
        )
    return verdicts.filter(
        _claim_conditions(filters, prefix="claim__"),
        _date_range("published_at__date", "created_at__date", filters),
    )


SELECTORS = {"article": articles_search, "claim": claims_search, "verdict": verdicts_search}


def kind_search(kind: Kind, filters: SearchFilters) -> QuerySet[Any] | ChainedResults:
    """The hits of one kind, as a queryset (or two chained) to count and page."""
    return SELECTORS[kind](filters)


# -- From rows to hits --------------------------------------------------------------------------


def highlight(text: str, terms: tuple[str, ...]) -> list[Piece]:
    """The whole text in pieces, the words that start with a term marked.

    Done here rather than by the database for short fields shown whole (titles, claims,
    summaries): the text is then shown exactly as stored, on every database.
    """
    result: list[Piece] = []
    cursor = 0
    for match in _WORD.finditer(text):
        if match.group(0).lower().startswith(terms):
            if match.start() > cursor:
                result.append(Piece(text[cursor : match.start()], False))
            result.append(Piece(match.group(0), True))
            cursor = match.end()
    if cursor < len(text):
        result.append(Piece(text[cursor:], False))
    return result


def _window(text: str, terms: tuple[str, ...], width: int = 240) -> list[Piece]:
    """A piece of text around the first term, marked (the snippet of the LIKE fallback)."""
    lowered = text.lower()
    first = min((i for i in (lowered.find(t) for t in terms) if i >= 0), default=0)
    start = max(0, first - width // 3)
    window = highlight(text[start : start + width], terms)
    if start > 0:
        window.insert(0, Piece(ELLIPSIS, False))
    if start + width < len(text):
        window.append(Piece(ELLIPSIS, False))
    return window


def _snippet(
    row: Any, terms: tuple[str, ...], fts_snippets: dict[int, str], backend: str
) -> list[Piece]:
    if backend == "fts5":
        return pieces(fts_snippets.get(row.pk, ""))
    marked = getattr(row, "marked_snippet", None) or ""
    return _window(marked, terms) if backend == "like" else pieces(marked)


def _verdict_status(verdict: Verdict) -> str:
    if verdict.withdrawn_at is not None:
        return _("Withdrawn")
    if verdict.published_at is not None:
        return _("Published")
    if verdict.submitted_at is not None:
        return _("Awaiting approval")
    return _("Draft")


def hits_build(kind: Kind, rows: Any, filters: SearchFilters) -> list[Hit]:
    """Turn rows of one kind (a page of a selector's queryset) into hits.

    On SQLite with FTS5 the snippets come from one more query, for these rows only.
    """
    terms = filters.terms
    rows = list(rows)
    fts_snippets: dict[int, str] = {}
    backend = search_backend()
    if backend == "fts5":
        fts_snippets = _fts_snippets(kind, [row.pk for row in rows], _fts5_query(terms))
    if kind == "article":
        return [
            Hit(
                kind="article",
                pk=row.pk,
                url=row.get_absolute_url(),
                title=highlight(row.title, terms),
                snippet=_snippet(row, terms, fts_snippets, backend),
                status="",
                date=row.published_on or timezone.localdate(row.created_at),
                context=row.outlet,
            )
            for row in rows
        ]
    if kind == "claim":
        return [
            Hit(
                kind="claim",
                pk=row.pk,
                url=row.get_absolute_url(),
                title=highlight(row.text, terms),
                snippet=[],
                status=row.get_status_display(),
                date=timezone.localdate(row.created_at),
                context=row.article.title,
            )
            for row in rows
        ]
    return [
        Hit(
            kind="verdict",
            pk=row.pk,
            url=reverse("reviews:claim_detail", args=[row.claim_id]) + "#verdict",
            title=highlight(row.summary, terms),
            snippet=_snippet(row, terms, fts_snippets, backend),
            status=_verdict_status(row),
            date=timezone.localdate(row.published_at or row.created_at),
            context=row.claim.text,
            rating=row.rating.label,
        )
        for row in rows
    ]
