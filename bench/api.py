"""Benchmark the CMS API at 100,000 published verdicts (``manage.py bench api``).

Runs in a throw-away test database (SQLite in memory by default, PostgreSQL when DATABASE_URL
names one), never in the desk's own.

Steps:
1. Build 1,000 articles with 100 claims each, a published verdict on every claim (distinct
   publication times), evidence on every second verdict citing 10,000 archived sources, and a
   correction on every 20th verdict: all with bulk inserts.
2. Take 30 cursor positions spread over the first 3,000 verdicts ("a 100-item page") and 30
   spread over the last half of the table ("a deep cursor page"). Every other position is read
   through the whole Django stack (key check, throttle, filters, documents, JSON) with a read
   key; the positions between are read by a hand-written baseline: one SQL query for the page's
   rows with every join, one for their evidence and one for their corrections, then
   `json.dumps` of plain dicts. Each position is read once, by one side, in turn.
3. Print both medians and their ratio (target: API within 3x of the baseline), and the query
   count of a page at 10 and at 100 items.
"""

from __future__ import annotations

import datetime
import io
import json
import statistics
import time
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

VERDICTS = 100_000
CLAIMS_PER_ARTICLE = 100
PAGE = 100
POSITIONS = 30


def _seed(verdict_count: int) -> None:
    """Steps 1: articles, claims, verdicts, sources, evidence and corrections by bulk insert."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from claims.models import Article, Claim
    from reviews.models import Evidence, Rating, Source, Verdict, VerdictCorrection

    users = get_user_model().objects
    author = users.create(username="bench-reviewer", first_name="Rui", last_name="Santos")
    approver = users.create(username="bench-editor", first_name="Eda", last_name="Morgan")
    ratings = list(Rating.objects.filter(scale__is_default=True))
    sentence = "The council spent {n} pounds on the harbour in year {n}. "
    start = timezone.now() - datetime.timedelta(days=400)
    articles = verdict_count // CLAIMS_PER_ARTICLE
    Article.objects.bulk_create(
        Article(
            title=f"Bench article {a}",
            body="".join(sentence.format(n=n) for n in range(CLAIMS_PER_ARTICLE)),
            body_sha256=f"{a:064d}",
            source_url=f"https://news.example/story-{a}",
            external_id=f"cms-{a}",
        )
        for a in range(articles)
    )
    claims: list[Claim] = []
    for article in Article.objects.only("pk", "body").order_by("pk"):
        offset = 0
        for n in range(CLAIMS_PER_ARTICLE):
            text = sentence.format(n=n).strip()
            claims.append(
                Claim(
                    article_id=article.pk,
                    text=text,
                    start=offset,
                    end=offset + len(text),
                    position=n,
                    status=Claim.Status.PUBLISHED,
                )
            )
            offset += len(text) + 1
    Claim.objects.bulk_create(claims, batch_size=5000)
    claim_ids = list(Claim.objects.order_by("pk").values_list("pk", flat=True))
    Verdict.objects.bulk_create(
        (
            Verdict(
                claim_id=claim_id,
                rating=ratings[i % len(ratings)],
                summary=f"Verdict {i}: the figure is off.",
                explanation="The budget papers give another figure.",
                author=author,
                submitted_at=start,
                approved_by=approver,
                approved_at=start,
                published_at=start + datetime.timedelta(seconds=i * 300),
            )
            for i, claim_id in enumerate(claim_ids)
        ),
        batch_size=5000,
    )
    Source.objects.bulk_create(
        (
            Source(
                url=f"https://stats.example/table-{s}",
                fetch_status=Source.FetchStatus.FETCHED,
                fetched_at=start,
                body_sha256=f"{s:064x}",
                text="Archived table.",
            )
            for s in range(verdict_count // 10)
        ),
        batch_size=5000,
    )
    source_ids = list(Source.objects.order_by("pk").values_list("pk", flat=True))
    Evidence.objects.bulk_create(
        (
            Evidence(
                claim_id=claim_id,
                source_id=source_ids[i % len(source_ids)],
                url=f"https://stats.example/table-{i % len(source_ids)}",
                quote="The table gives 3.1 million.",
                stance=Evidence.Stance.CONTRADICTS,
            )
            for i, claim_id in enumerate(claim_ids)
            if i % 2 == 0
        ),
        batch_size=5000,
    )
    verdicts = list(Verdict.objects.order_by("pk").values_list("pk", "rating_id")[::20])
    VerdictCorrection.objects.bulk_create(
        (
            VerdictCorrection(
                verdict_id=verdict_id,
                previous_rating_id=rating_id,
                previous_summary="Before.",
                rating_id=rating_id,
                summary="After.",
                note="A better figure came in.",
                corrected_by=approver,
                corrected_at=start,
            )
            for verdict_id, rating_id in verdicts
        ),
        batch_size=5000,
    )


_BASELINE_SQL = """
SELECT v.id, v.summary, v.explanation, v.published_at, v.modified_at,
       c.id, c.text, c.start, c."end", c.claimant,
       a.id, a.title, a.source_url, a.external_id, a.outlet, a.published_on,
       r.label, r.claimreview_value, s.name,
       au.first_name, au.last_name, ap.first_name, ap.last_name
FROM reviews_verdict v
JOIN claims_claim c ON c.id = v.claim_id
JOIN claims_article a ON a.id = c.article_id
JOIN reviews_rating r ON r.id = v.rating_id
JOIN reviews_ratingscale s ON s.id = r.scale_id
JOIN auth_user au ON au.id = v.author_id
JOIN auth_user ap ON ap.id = v.approved_by_id
WHERE v.is_current AND v.published_at IS NOT NULL AND v.published_at < %s
ORDER BY v.published_at DESC, v.id DESC
LIMIT %s
"""


def _in(ids: list[int]) -> str:
    return ",".join(str(int(i)) for i in ids) or "NULL"


def _baseline_page(before: datetime.datetime) -> bytes:
    """Step 3: the same rows as the API's page, by hand: three queries and json.dumps."""
    with connection.cursor() as cursor:
        cursor.execute(_BASELINE_SQL, [connection.ops.adapt_datetimefield_value(before), PAGE])
        rows = cursor.fetchall()
        claim_ids = [row[5] for row in rows]
        verdict_ids = [row[0] for row in rows]
        cursor.execute(
            "SELECT e.claim_id, e.url, e.quote, e.note, e.stance, s.id, s.fetch_status, "
            "s.fetched_at, s.body_sha256 FROM reviews_evidence e "
            "LEFT JOIN reviews_source s ON s.id = e.source_id "
            f"WHERE e.claim_id IN ({_in(claim_ids)}) ORDER BY e.added_at, e.id"
        )
        evidence: dict[int, list[dict[str, Any]]] = {}
        for claim_id, url, quote, note, stance, source_id, status, fetched, sha in cursor:
            archived = status == "fetched"
            evidence.setdefault(claim_id, []).append(
                {
                    "url": url,
                    "archived_url": f"/api/v1/sources/{source_id}/snapshot/" if archived else None,
                    "archived_at": str(fetched) if archived else None,
                    "archived_sha256": sha if archived else None,
                    "stance": stance,
                    "quote": quote,
                    "note": note,
                }
            )
        cursor.execute(
            "SELECT k.verdict_id, k.corrected_at, k.note, p.label, r.label, k.previous_summary "
            "FROM reviews_verdictcorrection k JOIN reviews_rating p ON p.id = k.previous_rating_id "
            "JOIN reviews_rating r ON r.id = k.rating_id "
            f"WHERE k.verdict_id IN ({_in(verdict_ids)}) ORDER BY k.corrected_at, k.id"
        )
        corrections: dict[int, list[dict[str, Any]]] = {}
        for verdict_id, at, note, previous, rating, previous_summary in cursor:
            corrections.setdefault(verdict_id, []).append(
                {
                    "corrected_at": str(at),
                    "note": note,
                    "previous_rating": previous,
                    "rating": rating,
                    "previous_summary": previous_summary,
                }
            )
    results = [
        {
            "id": row[0],
            "claim": {
                "id": row[5],
                "text": row[6],
                "start": row[7],
                "end": row[8],
                "claimant": row[9],
            },
            "article": {
                "id": row[10],
                "title": row[11],
                "url": row[12],
                "external_id": row[13],
                "outlet": row[14],
                "published_on": str(row[15]) if row[15] else None,
            },
            "rating": {"label": row[16], "value": row[17], "scale": row[18]},
            "summary": row[1],
            "explanation": row[2],
            "reviewer": f"{row[19]} {row[20]}",
            "approver": f"{row[21]} {row[22]}",
            "published_at": str(row[3]),
            "modified_at": str(row[4]) if row[4] else None,
            "evidence": evidence.get(row[5], []),
            "corrections": corrections.get(row[0], []),
        }
        for row in rows
    ]
    return json.dumps({"next": None, "previous": None, "results": results}).encode()


def _cursor_for(before: datetime.datetime) -> str:
    """The API's own cursor for "the page after this publication time"."""
    from rest_framework.pagination import Cursor

    from reviews.pagination import VerdictCursorPagination

    paginator = VerdictCursorPagination()
    paginator.base_url = "http://bench/api/v1/verdicts/"
    # DRF's stubs type the position as an int; it is the ordering field's value as text.
    position: Any = before.isoformat()
    url = paginator.encode_cursor(Cursor(offset=0, reverse=False, position=position))
    return url.split("cursor=", 1)[1].split("&", 1)[0]


class _Server:
    """Requests straight into Django's WSGI handler, as a WSGI server would send them.

    Django's test client adds its own instrumentation (template and context capture, request
    copies) that a deployed server never runs; the bench measures the product, not that.
    """

    def __init__(self, key: str) -> None:
        from django.core.handlers.wsgi import WSGIHandler

        self.handler = WSGIHandler()
        self.key = key

    def get(self, path: str, query: dict[str, str]) -> tuple[int, bytes]:
        from urllib.parse import urlencode

        status: list[str] = []
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": urlencode(query),
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "HTTP_HOST": "testserver",
            "HTTP_AUTHORIZATION": f"Api-Key {self.key}",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": io.StringIO(),
        }

        def start_response(code: str, headers: Any, exc_info: Any = None) -> Any:
            status.append(code)
            return None

        body = b"".join(self.handler(environ, start_response))
        return int(status[0].split()[0]), body


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


def run(verdict_count: int = VERDICTS) -> dict[str, Any]:
    """Seed, then time the API and the baseline at shallow and deep positions."""
    from urllib.parse import unquote

    from reviews.models import ApiKey, Verdict

    began = time.perf_counter()
    _seed(verdict_count)
    seeded_s = time.perf_counter() - began
    _api_key, key = ApiKey.objects.create_key(name="bench", scope=ApiKey.Scope.READ)
    server = _Server(key)
    server.get("/api/v1/verdicts/", {"limit": "1"})  # the key's last-used write, once
    published = Verdict.objects.filter(published_at__isnull=False).order_by("-published_at")
    times = [when for when in published.values_list("published_at", flat=True) if when]
    near = min(100, (len(times) // 2) // POSITIONS)
    shallow = [times[i * near] for i in range(POSITIONS)]
    step = (len(times) // 2 - PAGE - 1) // POSITIONS
    deep = [times[len(times) // 2 + i * step] for i in range(POSITIONS)]
    results: dict[str, Any] = {"verdicts": len(times), "seed_s": round(seeded_s, 1)}
    for name, positions in (("page", shallow), ("deep_page", deep)):
        # Each position is read once, by one side: the API takes every other position and the
        # baseline the ones between, in turn, so neither reads rows the other just warmed.
        api: list[float] = []
        baseline: list[float] = []
        for index, before in enumerate(positions):
            began = time.perf_counter()
            if index % 2 == 0:
                cursor = unquote(_cursor_for(before))
                code, body = server.get("/api/v1/verdicts/", {"limit": str(PAGE), "cursor": cursor})
                api.append(time.perf_counter() - began)
                assert code == 200 and len(json.loads(body)["results"]) == PAGE
            else:
                body = _baseline_page(before)
                baseline.append(time.perf_counter() - began)
                assert body.count(b'"claim"') == PAGE
        results[name] = {
            "api_ms": _median_ms(api),
            "baseline_ms": _median_ms(baseline),
            "ratio": round(statistics.median(api) / statistics.median(baseline), 2),
        }
    for size in (10, 100):
        with CaptureQueriesContext(connection) as queries:
            server.get("/api/v1/verdicts/", {"limit": str(size)})
        results[f"queries_{size}"] = len(queries)
    return results


def format_report(results: dict[str, Any]) -> str:
    """The figures as the bench prints them."""
    lines = [
        f"CMS API at {results['verdicts']:,} published verdicts "
        f"({connection.vendor}; seeded in {results['seed_s']} s)",
        f"  queries per page: {results['queries_10']} at 10 items, "
        f"{results['queries_100']} at 100 items (must be equal)",
    ]
    for name, label in (("page", "100-item page"), ("deep_page", "deep cursor page")):
        figures = results[name]
        verdict = "ok" if figures["ratio"] <= 3 else "OVER TARGET"
        lines.append(
            f"  {label:<17} API median {figures['api_ms']:>6} ms, hand-written SQL + JSON "
            f"{figures['baseline_ms']:>6} ms: {figures['ratio']}x (target <= 3x: {verdict})"
        )
    return "\n".join(lines)
