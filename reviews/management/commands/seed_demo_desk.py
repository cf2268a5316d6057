"""Put work on the demo newsroom's desk: a claim at each stage before publication.

Run by ``seed_demo`` after it imports the demo articles, so that a new user's first look at the
desk, the review queue and the approval card shows the lifecycle rather than empty lists. Every
step goes through the services a person's click would (selection, assignment, evidence,
comment, draft, submission), so each claim's history reads as the newsroom's own. No step
needs the internet. Approval waits, as it should, for a source the worker archives
(``FACTCHECK_APPROVAL_MIN_ARCHIVED_EVIDENCE``): with ``--sources-url`` (``make run`` passes its
demo source server, which serves ``claims/demo/sources/``, our own pages) the rated claim cites
the council's table of payments, which the worker fetches and archives once it starts.
"""

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from claims.management.commands.seed_demo import DEMO_OUTLET
from claims.models import Article, Claim
from claims.services import claim_select
from reviews import services
from reviews.models import Evidence, Rating


def _claim(article_title: str, claim_start: str) -> Claim | None:
    """The demo claim that begins with ``claim_start`` in the article so titled, if extracted."""
    return (
        Claim.objects.filter(
            article__outlet=DEMO_OUTLET,
            article__title__startswith=article_title,
            text__startswith=claim_start,
        )
        .order_by("pk")
        .first()
    )


def _assigned(
    claim: Claim, *, editor: Any, assignee: Any, priority: int, due_in_days: int
) -> Claim:
    """The claim selected and assigned by ``editor``, as from the article and claim pages."""
    claim = claim_select(claim=claim, user=editor)
    return services.claim_assign(
        claim=claim,
        user=editor,
        assignee=assignee,
        priority=priority,
        due_on=timezone.localdate() + datetime.timedelta(days=due_in_days),
    )


# The demo source page each demo claim can cite (claims/demo/sources/).
RELIEF_SOURCE = "flood-relief-payments.html"


class Command(BaseCommand):
    help = (
        "Put demo claims on the desk at each stage before publication (once: a desk with work "
        "on it is left as it is)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--sources-url",
            default="",
            help="Base URL of the demo source pages; the rated claim then cites one.",
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if not Article.objects.filter(outlet=DEMO_OUTLET).exists():
            self.stdout.write("No demo articles: run seed_demo first.")
            return
        if (
            Claim.objects.filter(article__outlet=DEMO_OUTLET)
            .exclude(status=Claim.Status.CANDIDATE)
            .exists()
        ):
            self.stdout.write("The demo desk already has work on it.")
            return
        users = get_user_model().objects
        editor = users.get(username="editor")
        reviewer = users.get(username="reviewer")
        reviewer2 = users.get(username="reviewer2")
        stages: list[str] = []

        # Awaiting approval: researched, rated and submitted by a reviewer.
        relief = _claim("Harbourton flood relief", "The council's emergency fund has now paid")
        if relief is not None:
            relief = _assigned(
                relief,
                editor=editor,
                assignee=reviewer,
                priority=Claim.Priority.HIGH,
                due_in_days=1,
            )
            services.evidence_add(
                claim=relief,
                user=reviewer,
                quote="First round (January): 610 households. Second round (February): 275. "
                "Final round: 190.",
                stance=Evidence.Stance.CONTRADICTS,
                note="The article's own round figures; 610 + 275 + 190 = 1,075.",
            )
            if options["sources_url"]:
                services.evidence_add(
                    claim=relief,
                    user=reviewer,
                    url=f"{options['sources_url'].rstrip('/')}/{RELIEF_SOURCE}",
                    stance=Evidence.Stance.CONTRADICTS,
                    note="The council's own table of payments by round: 1,075 households.",
                )
            services.comment_add(
                claim=relief,
                user=reviewer,
                body="The rounds add up to 1,075, not 1,240. Asked the council's press office "
                "for the payment table.",
            )
            rating = Rating.of_default_scale().filter(label="Mostly false").first()
            if rating is not None:
                verdict = services.verdict_save(
                    claim=relief,
                    user=reviewer,
                    rating=rating,
                    summary="The three payment rounds the council lists reach 1,075 households, "
                    "not 1,240.",
                    explanation="The council gives three rounds of payments: 610, 275 and 190 "
                    "households. Together they make 1,075, 165 fewer than the total stated.",
                    claimant="Maren Oduya, finance director, Harbourton council",
                )
                services.verdict_submit(verdict=verdict, user=reviewer)
                stages.append("awaiting approval (flood relief, by reviewer)")

        # In review: assigned to the second reviewer, with a question from the editor.
        budget = _claim("Council sets", "Harbourton Borough Council on Thursday approved")
        if budget is not None:
            budget = _assigned(
                budget,
                editor=editor,
                assignee=reviewer2,
                priority=Claim.Priority.NORMAL,
                due_in_days=3,
            )
            services.comment_add(
                claim=budget,
                user=editor,
                body="Check both totals against last year's published budget book.",
            )
            stages.append("in review (budget, by reviewer2)")

        # On the queue: selected, waiting for someone to take it.
        buses = _claim("Bus journeys", "Passengers made 3.2 million bus journeys")
        if buses is not None:
            claim_select(claim=buses, user=editor)
            stages.append("on the queue (bus journeys)")

        self.stdout.write("Demo desk: " + ("; ".join(stages) or "no demo claim found") + ".")
