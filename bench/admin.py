"""Admin at newsroom scale: seed 100,000 claims and time the claim list, search and bulk actions.

`seed` is shared by ``manage.py seed_demo --claims N`` and ``manage.py bench admin``.

Bench steps (``manage.py bench admin``, in a throw-away test database: SQLite in memory by
default, PostgreSQL when DATABASE_URL names one):
1. Seed N claims (default 100,000) on N/100 articles, 20% with verdicts, half with evidence.
2. Through the Django test client, logged in as an admin: time the claim changelist (median of
   several page views, each a different page) and count its queries at 25 and 100 rows a page.
   Templates render as on a server (the test environment's per-template context copies for
   the test client are switched off).
3. Time the admin search (article titles) and the filtered list.
4. Time bulk actions posted with "select all" (`select_across`) on 10,000 claims: select,
   assign to a reviewer, set priority; count their queries and check one history row per claim.
"""

from __future__ import annotations

import datetime
import statistics
import time
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

CLAIMS_PER_ARTICLE = 100
SENTENCE = "The council spent {n} pounds on the harbour in year {n}."
BATCH = 5000
# Claim i's status, by i % 10: four candidates, and one of each other state.
STATUS_CYCLE = [
    "candidate",
    "candidate",
    "candidate",
    "candidate",
    "selected",
    "in_review",
    "awaiting_approval",
    "published",
    "dismissed",
    "withdrawn",
]


def seed(claims: int, *, stdout: Any = None) -> dict[str, int]:
    """Bulk-insert a newsroom of `claims` claims (100 per article), verdicts and evidence.

    Steps: three reviewers and an editor; N/100 articles (one in ten with consistency
    flags); N claims cycling through every state, with priorities and due dates spread; a
    verdict on every awaiting and published claim (20%); evidence on every second claim
    citing N/20 archived sources. All by `bulk_create` in batches: seed rows carry no history.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models import Max
    from django.utils import timezone

    from claims.models import Article, Claim
    from reviews.models import Evidence, Rating, Source, Verdict

    def say(text: str) -> None:
        if stdout is not None:
            stdout.write(text)

    users = get_user_model().objects
    reviewers = []
    for n in range(3):
        user, _ = users.get_or_create(username=f"scale-reviewer{n}")
        user.groups.add(Group.objects.get(name="Reviewer"))
        reviewers.append(user)
    editor, _ = users.get_or_create(username="scale-editor")
    editor.groups.add(Group.objects.get(name="Editor"))
    ratings = list(Rating.objects.filter(scale__is_default=True))
    today = timezone.localdate()
    start = timezone.now() - datetime.timedelta(days=200)
    first = Article.objects.count()
    last_article = Article.objects.aggregate(last=Max("pk"))["last"] or 0
    articles = max(1, claims // CLAIMS_PER_ARTICLE)
    body = " ".join(SENTENCE.format(n=n) for n in range(CLAIMS_PER_ARTICLE))
    flags = [{"kind": "total", "message": "Parts do not add up.", "arithmetic": "", "spans": []}]
    Article.objects.bulk_create(
        (
            Article(
                title=f"Scale article {first + a}: harbour budget",
                body=body,
                body_sha256=f"{first + a:064d}",
                outlet="Harbourton Courier (scale)",
                source_url=f"https://news.example/scale-{first + a}",
                consistency_flags=flags if a % 10 == 0 else [],
                created_by=editor,
            )
            for a in range(articles)
        ),
        batch_size=BATCH,
    )
    article_ids = list(
        Article.objects.filter(pk__gt=last_article).order_by("pk").values_list("pk", flat=True)
    )
    say(f"{len(article_ids)} articles")
    rows: list[Claim] = []
    i = 0
    for article_id in article_ids:
        offset = 0
        for n in range(CLAIMS_PER_ARTICLE):
            if i >= claims:
                break
            text = SENTENCE.format(n=n)
            status = STATUS_CYCLE[i % 10]
            rows.append(
                Claim(
                    article_id=article_id,
                    text=text,
                    start=offset,
                    end=offset + len(text),
                    position=n,
                    score=(i % 100) / 100,
                    reasons=["states a figure"],
                    status=status,
                    priority=1 + i % 4,
                    due_on=today + datetime.timedelta(days=i % 60 - 20) if i % 3 else None,
                    assignee=(
                        reviewers[i % 3]
                        if status in {"in_review", "awaiting_approval", "published"}
                        else None
                    ),
                )
            )
            offset += len(text) + 1
            i += 1
    Claim.objects.bulk_create(rows, batch_size=BATCH)
    claim_rows = list(
        Claim.objects.filter(article_id__in=article_ids)
        .order_by("pk")
        .values_list("pk", "status", "assignee_id")
    )
    say(f"{len(claim_rows)} claims")
    with_verdict = [
        (pk, status, assignee)
        for pk, status, assignee in claim_rows
        if status in {"awaiting_approval", "published"}
    ]
    Verdict.objects.bulk_create(
        (
            Verdict(
                claim_id=pk,
                rating=ratings[n % len(ratings)],
                summary=f"Verdict {n}: the figure is off.",
                explanation="The budget papers give another figure.",
                author_id=assignee,
                submitted_at=start,
                approved_by=editor if status == "published" else None,
                approved_at=start if status == "published" else None,
                published_at=start + datetime.timedelta(seconds=n)
                if status == "published"
                else None,
            )
            for n, (pk, status, assignee) in enumerate(with_verdict)
        ),
        batch_size=BATCH,
    )
    sources = max(1, claims // 20)
    first_source = Source.objects.count()
    last_source = Source.objects.aggregate(last=Max("pk"))["last"] or 0
    Source.objects.bulk_create(
        (
            Source(
                url=f"https://stats.example/scale-{first_source + s}",
                fetch_status=Source.FetchStatus.FETCHED,
                fetched_at=start,
                body_sha256=f"{s:064x}",
                text="Archived table.",
            )
            for s in range(sources)
        ),
        batch_size=BATCH,
    )
    source_ids = list(
        Source.objects.filter(pk__gt=last_source).order_by("pk").values_list("pk", flat=True)
    )
    evidence = [pk for n, (pk, _status, _assignee) in enumerate(claim_rows) if n % 2 == 0]
    Evidence.objects.bulk_create(
        (
            Evidence(
                claim_id=pk,
                source_id=source_ids[n % len(source_ids)],
                url=f"https://stats.example/scale-{n % len(source_ids)}",
                quote="The table gives 3.1 million.",
                stance=Evidence.Stance.CONTRADICTS,
                added_by=reviewers[n % 3],
            )
            for n, pk in enumerate(evidence)
        ),
        batch_size=BATCH,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    counts = {
        "articles": len(article_ids),
        "claims": len(claim_rows),
        "verdicts": len(with_verdict),
        "evidence": len(evidence),
        "sources": sources,
    }
    say(", ".join(f"{value:,} {key}" for key, value in counts.items()))
    return counts


# --- The bench -----------------------------------------------------------------------------

VIEWS = 9
BULK = 10_000


def _timed_get(client: Any, url: str) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - began
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, len(queries)


def _median_ms(client: Any, urls: list[str]) -> tuple[float, int]:
    _timed_get(client, urls[0])  # warm the templates and the connection
    timings = [_timed_get(client, url) for url in urls]
    return statistics.median(t for t, _ in timings) * 1000, max(q for _, q in timings)


def _action(client: Any, url: str, data: dict[str, Any]) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        response = client.post(url, data)
        elapsed = time.perf_counter() - began
    assert response.status_code == 302, (url, response.status_code, response.content[-2000:])
    return elapsed, len(queries)


def run(claims: int) -> dict[str, Any]:
    """Seed, then time the changelist, search and three bulk actions (see the module steps)."""
    from django.contrib.admin import site
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.template import Template
    from django.test import Client
    from django.test.utils import _TestState

    from claims.admin import ClaimAdmin
    from claims.models import Claim

    # Render templates as a server does: the test environment's instrumented render copies
    # every template context for the test client, which a real request never pays for.
    Template._render = _TestState.saved_data.template_render  # type: ignore[attr-defined]
    began = time.perf_counter()
    counts = seed(claims)
    seeded = time.perf_counter() - began
    admin = get_user_model().objects.create(
        username="bench-admin", is_staff=True, is_superuser=True
    )
    admin.groups.add(Group.objects.get(name="Admin"))
    client = Client()
    client.force_login(admin)
    url = "/admin/claims/claim/"
    results: dict[str, Any] = {
        "database": connection.vendor,
        "seed": counts,
        "seed_seconds": round(seeded, 1),
    }
    pages = [f"{url}?p={p}" for p in range(1, VIEWS + 1)]
    results["changelist_ms"], results["changelist_queries_100"] = _median_ms(client, pages)
    registered = type(site._registry[Claim])
    per_page = registered.list_per_page
    try:
        registered.list_per_page = 25
        _, results["changelist_queries_25"] = _timed_get(client, url)
    finally:
        registered.list_per_page = per_page
    assert issubclass(registered, ClaimAdmin)
    results["filtered_ms"], _ = _median_ms(
        client, [f"{url}?status__exact=in_review&p={p}" for p in range(1, VIEWS + 1)]
    )
    results["search_ms"], results["search_queries"] = _median_ms(
        client, [f"{url}?q=Scale+article+{n}7" for n in range(1, VIEWS + 1)]
    )
    results["text_search_ms"], _ = _median_ms(
        client, [f"{url}?q=year+{n}&search_in=text" for n in range(1, VIEWS + 1)]
    )
    # 10,000 claims by "select all": every selected claim (one in ten) is set urgent, then
    # assigned; then the 10,000 low-priority candidates are dismissed.
    chosen = f"{url}?status__exact=selected"
    selected = Claim.objects.filter(status="selected").count()
    history_before = Claim.history.count()
    reviewer = get_user_model().objects.get(username="scale-reviewer0")
    bulk: dict[str, Any] = {"claims": selected}
    bulk["schedule_s"], bulk["schedule_queries"] = _action(
        client,
        chosen,
        {
            "action": "schedule_claims",
            "select_across": "1",
            "index": "0",
            "_selected_action": "all",
            "apply": "Apply",
            "priority": "4",
        },
    )
    bulk["assign_s"], bulk["assign_queries"] = _action(
        client,
        chosen,
        {
            "action": "assign_claims",
            "select_across": "1",
            "index": "0",
            "_selected_action": "all",
            "apply": "Apply",
            "assignee": reviewer.pk,
        },
    )
    moved = f"{url}?status__exact=in_review&assignee={reviewer.pk}"
    bulk["dismiss_s"], bulk["dismiss_queries"] = _action(
        client,
        f"{url}?status__exact=candidate&priority__exact=1",
        {"action": "dismiss_claims", "select_across": "1", "index": "0", "_selected_action": "all"},
    )
    bulk["history_rows"] = Claim.history.count() - history_before
    bulk["dismissed"] = Claim.objects.filter(status="dismissed").count()
    results["bulk"] = bulk
    results["after_assign_list_ms"], _ = _median_ms(client, [moved])
    return results


def format_report(results: dict[str, Any]) -> str:
    """The figures as a small table."""
    bulk = results["bulk"]
    seed_counts = ", ".join(f"{v:,} {k}" for k, v in results["seed"].items())
    return "\n".join(
        [
            f"Admin at scale on {results['database']} ({seed_counts}; "
            f"seeded in {results['seed_seconds']} s)",
            f"  claim changelist, 100 rows   median {results['changelist_ms']:.0f} ms"
            "   (target < 300 ms)",
            f"  queries per page             {results['changelist_queries_25']} at 25 rows,"
            f" {results['changelist_queries_100']} at 100 rows",
            f"  filtered list (in review)    median {results['filtered_ms']:.0f} ms",
            f"  search (article titles)      median {results['search_ms']:.0f} ms,"
            f" {results['search_queries']} queries",
            f"  search in claim text         median {results['text_search_ms']:.0f} ms",
            f"  bulk on {bulk['claims']:,} claims (select all, history included; target < 3 s):",
            f"    set priority               {bulk['schedule_s']:.2f} s,"
            f" {bulk['schedule_queries']} queries",
            f"    assign to a reviewer       {bulk['assign_s']:.2f} s,"
            f" {bulk['assign_queries']} queries",
            f"    dismiss candidates         {bulk['dismiss_s']:.2f} s,"
            f" {bulk['dismiss_queries']} queries",
            f"    history rows written       {bulk['history_rows']:,}",
        ]
    )
