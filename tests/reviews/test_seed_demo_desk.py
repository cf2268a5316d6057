"""The demo desk: after `seed_demo`, a claim waits at each stage before publication."""

from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from claims.models import Claim
from reviews import services
from reviews.models import Comment, Evidence, Verdict

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
