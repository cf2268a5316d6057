"""The demo desk: after `seed_demo`, a claim waits at each stage before publication."""

from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from claims.models import Claim
from reviews import services
from reviews.management.commands.seed_demo_desk import RELIEF_SOURCE
from reviews.models import Comment, Evidence, Source, Verdict
from tests.polling import poll

SOURCES_DIR = Path(__file__).resolve().parents[2] / "claims" / "demo" / "sources"

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _demo(text_start: str) -> Claim:
    return Claim.objects.select_related("assignee").get(
        article__outlet="Harbourton Courier (demo)", text__startswith=text_start
    )


def test_a_claim_waits_at_each_stage_walked_there_by_the_people_of_the_newsroom() -> None:
    output = _seed()
    assert "Demo desk: awaiting approval" in output

    relief = _demo("The council's emergency fund has now paid")
    assert relief.status == Claim.Status.AWAITING_APPROVAL
    assert relief.assignee is not None and relief.assignee.username == "reviewer"
    assert relief.priority == Claim.Priority.HIGH
    verdict = Verdict.objects.get(claim=relief)
    assert verdict.author.username == "reviewer"
    assert verdict.submitted_at is not None and not verdict.is_published
    assert verdict.rating.label == "Mostly false"
    evidence = Evidence.objects.get(claim=relief)
    assert evidence.quote and not evidence.url, "nothing the demo adds needs the network"
    assert Comment.objects.filter(claim=relief, author__username="reviewer").count() == 1
    # Its history reads as the newsroom's own steps, each by the person who took it.
    authors = {record.history_user.username for record in relief.history.all()}
    assert authors == {"editor", "reviewer"}

    budget = _demo("Harbourton Borough Council on Thursday")
    assert budget.status == Claim.Status.IN_REVIEW
    assert budget.assignee is not None and budget.assignee.username == "reviewer2"
    assert Comment.objects.filter(claim=budget, author__username="editor").exists()

    buses = _demo("Passengers made 3.2 million bus journeys")
    assert buses.status == Claim.Status.SELECTED and buses.assignee is None

    others = Claim.objects.filter(article__outlet="Harbourton Courier (demo)").exclude(
        pk__in=[relief.pk, budget.pk, buses.pk]
    )
    assert set(others.values_list("status", flat=True)) == {Claim.Status.CANDIDATE}


def test_approval_of_the_demo_verdict_waits_for_an_archived_source(settings: Any) -> None:
    settings.FACTCHECK_APPROVAL_MIN_ARCHIVED_EVIDENCE = 1  # the default outside the tests
    _seed()
    verdict = Verdict.objects.get(claim=_demo("The council's emergency fund has now paid"))
    with pytest.raises(ValidationError, match="archived source"):
        services.verdict_approve(verdict=verdict, user=verdict.claim.article.created_by)


def test_seeding_again_leaves_the_desk_as_it_is() -> None:
    _seed()
    counts = (Verdict.objects.count(), Evidence.objects.count(), Comment.objects.count())
    statuses = dict(Claim.objects.values_list("pk", "status"))
    output = _seed()
    assert "already has work on it" in output
    assert (Verdict.objects.count(), Evidence.objects.count(), Comment.objects.count()) == counts
    assert dict(Claim.objects.values_list("pk", "status")) == statuses


def test_without_demo_articles_it_says_so_and_does_nothing() -> None:
    out = StringIO()
    call_command("seed_demo_desk", stdout=out)
    assert "run seed_demo first" in out.getvalue()
    assert not Claim.objects.exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_with_the_demo_sources_served_the_cited_page_is_archived_and_the_verdict_can_be_published(
    real_worker: Any, local_server: Any, settings: Any
) -> None:
    # What `make run` does offline: its demo source server is the one address the fetcher may
    # reach besides the internet (FACTCHECK_FETCH_ALLOWED_ORIGINS), on that one port.
    settings.FACTCHECK_APPROVAL_MIN_ARCHIVED_EVIDENCE = 1
    settings.FACTCHECK_FETCH_ALLOWED_NETWORKS = []
    settings.FACTCHECK_FETCH_ALLOWED_ORIGINS = [f"127.0.0.1:{urlsplit(local_server.base_url).port}"]
    for page in SOURCES_DIR.glob("*.html"):
        local_server.add(f"/{page.name}", page.read_bytes(), **{"Content-Type": "text/html"})
    call_command("seed_demo", sources_url=local_server.base_url, stdout=StringIO())

    relief = _demo("The council's emergency fund has now paid")
    cited = Evidence.objects.get(claim=relief, url=f"{local_server.base_url}/{RELIEF_SOURCE}")
    assert cited.stance == Evidence.Stance.CONTRADICTS and cited.added_by.username == "reviewer"
    source = poll(
        lambda: Source.objects.get(pk=cited.source_id),
        lambda row: row.fetch_status in {Source.FetchStatus.FETCHED, Source.FetchStatus.FAILED},
    )
    assert source.fetch_status == Source.FetchStatus.FETCHED, source.last_error
    assert "1,075" in source.text and source.title.startswith("Emergency flood relief fund")

    verdict = Verdict.objects.get(claim=relief)
    services.verdict_approve(verdict=verdict, user=relief.article.created_by)
    relief.refresh_from_db()
    assert relief.status == Claim.Status.PUBLISHED
