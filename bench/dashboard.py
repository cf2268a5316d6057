"""The throughput dashboard at newsroom scale: 100,000 claims, render time and query count.

``manage.py bench dashboard`` (``--claims N`` to change the size) runs `run()`, which works in a
throw-away test database (SQLite in memory by default, PostgreSQL when DATABASE_URL names one),
never the desk's own.

Steps:
1. Seed N claims with `bench.admin.seed` (100 per article, every state, 20% with verdicts, one
   article in ten with consistency flags), spread the publications over the last 26 weeks, give
   half the verdicts a proposed rating (one in five different from the published one), and give
   each published claim a history row for its selection a few days before publication.
2. Through the Django test client, logged in as an editor, render the dashboard: once cold
   (right after seeding), then RUNS times for the default twelve weeks, a 26-week range and
   one desk; print the cold time, the medians and the query count of each.
"""

from __future__ import annotations

import datetime
import statistics
import time
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

RUNS = 5
URL = "/dashboard/"


def _spread(stdout: Any = None) -> int:
    """Publication and selection times over 26 weeks, proposals, and selection history rows."""
    from django.db.models import F
    from django.utils import timezone

    from claims.models import Claim
    from reviews.models import Rating, Verdict

    now = timezone.now()
    ratings = list(Rating.objects.filter(scale__is_default=True).values_list("pk", flat=True))
    published = list(
        Verdict.objects.filter(published_at__isnull=False)
        .order_by("pk")
        .values_list("pk", "claim_id", "rating_id")
    )
    claims = {
        claim.pk: claim for claim in Claim.objects.filter(pk__in=[row[1] for row in published])
    }
    rows: list[Claim] = []
    verdicts: list[Verdict] = []
    for n, (pk, claim_id, rating_id) in enumerate(published):
        moment = now - datetime.timedelta(hours=(n * 37) % (26 * 7 * 24))
        proposed = None
        if n % 2 == 0:
            proposed = rating_id if n % 10 else ratings[(ratings.index(rating_id) + 1) % 7]
        verdicts.append(
            Verdict(pk=pk, published_at=moment, approved_at=moment, proposed_rating_id=proposed)
        )
        claim = claims[claim_id]
        # simple-history dates a bulk-created row by this attribute.
        selected = moment - datetime.timedelta(hours=12 + (n * 7) % 200)
        claim._history_date = selected  # type: ignore[attr-defined]
        rows.append(claim)
    Verdict.objects.bulk_update(
        verdicts, ["published_at", "approved_at", "proposed_rating"], batch_size=2000
    )
    Verdict.objects.filter(published_at__isnull=False).update(submitted_at=F("approved_at"))
    Claim.history.bulk_history_create(
        rows, batch_size=2000, update=True, default_change_reason="selected"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    if stdout is not None:
        stdout.write(f"{len(published):,} publications spread over 26 weeks")
    return len(published)


def _timed_get(client: Any, url: str) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - began
    assert response.status_code == 200, (url, response.status_code)
    return elapsed * 1000, len(queries)


def measure(claims: int) -> dict[str, Any]:
    """Seed, then time the dashboard (see the module steps); returns the figures."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.template import Template
    from django.test import Client
    from django.test.utils import _TestState
    from django.utils import timezone

    from bench.admin import seed

    # Render templates as a server does (see bench/admin.py).
    Template._render = _TestState.saved_data.template_render  # type: ignore[attr-defined]
    began = time.perf_counter()
    counts = seed(claims)
    counts["publications"] = _spread()
    seeded = time.perf_counter() - began
    editor = get_user_model().objects.create(username="bench-dashboard-editor")
    editor.groups.add(Group.objects.get(name="Editor"))
    client = Client()
    client.force_login(editor)
    today = timezone.localdate()
    half_year = f"{URL}?date_from={today - datetime.timedelta(weeks=26)}&date_to={today}"
    desk = f"{URL}?desk=Harbourton+Courier+%28scale%29"
    cold_ms, cold_queries = _timed_get(client, URL)
    results: dict[str, Any] = {
        "database": connection.vendor,
        "seed": counts,
        "seed_seconds": round(seeded, 1),
        "cold_ms": round(cold_ms),
        "cold_queries": cold_queries,
    }
    for name, url in (("default", URL), ("half_year", half_year), ("desk", desk)):
        timings = [_timed_get(client, url) for _ in range(RUNS)]
        results[f"{name}_ms"] = round(statistics.median(ms for ms, _ in timings))
        results[f"{name}_queries"] = max(queries for _, queries in timings)
    return results


def format_report(results: dict[str, Any]) -> str:
    """The figures as a small table."""
    seed_counts = ", ".join(f"{v:,} {k}" for k, v in results["seed"].items())
    return "\n".join(
        [
            f"Dashboard at scale on {results['database']} ({seed_counts}; "
            f"seeded in {results['seed_seconds']} s)",
            f"  cold render (first view)      {results['cold_ms']} ms,"
            f" {results['cold_queries']} queries",
            f"  default (12 weeks), median    {results['default_ms']} ms,"
            f" {results['default_queries']} queries",
            f"  26 weeks, median              {results['half_year_ms']} ms,"
            f" {results['half_year_queries']} queries",
            f"  one desk, median              {results['desk_ms']} ms,"
            f" {results['desk_queries']} queries",
            f"  (median of {RUNS} views each)",
        ]
    )


def run(claims: int = 100_000, stdout: Any = None) -> None:
    """Build `claims` claims in a throw-away test database, time the dashboard and print it."""
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        results = measure(claims)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    report = format_report(results)
    if stdout is not None:
        stdout.write(report)
    else:
        print(report)
