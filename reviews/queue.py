"""The review queue: tabs with counts, validated filters, one page of claims.

Shaped like the HackSoft list APIs: a form validates the query parameters, a selector builds the
queryset, and a short view renders it. The page runs a fixed number of queries however many
claims there are (one aggregate for every tab's count, one count and one page of rows), and no
query reads an article's body, extraction or consistency flags.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from claims.models import Claim
from factcheck.lib.permissions import permission_view
from reviews.forms import reviewers
from reviews.models import Rating, Verdict

PAGE_SIZE = 50
# Claims somebody is working on; candidates, published, withdrawn and dismissed are not queued.
QUEUED = [Claim.Status.SELECTED, Claim.Status.IN_REVIEW, Claim.Status.AWAITING_APPROVAL]
# What a row shows. The article's body, extraction and flags (megabytes) stay unread.
ROW_FIELDS = (
    "text",
    "status",
    "priority",
    "due_on",
    "score",
    "created_at",
    "article",
    "article__title",
    "assignee",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
)


@dataclass(frozen=True)
class Tab:
    """One tab of the queue: its query parameter value, its label and how many claims it holds."""

    slug: str
    label: str
    count: int


TAB_LABELS = {
    "all": _("All queued"),
    "mine": _("Assigned to me"),
    "unassigned": _("Unassigned"),
    "approval": _("Awaiting my approval"),
    "returned": _("Returned to me"),
    "overdue": _("Overdue"),
}
# Orderings by sort choice; pk last, so a page never shows a row twice or skips one.
SORTS: dict[str, list[Any]] = {
    "urgency": ["-overdue", "-priority", F("due_on").asc(nulls_last=True), "pk"],
    "score": ["-score", "pk"],
    "due": [F("due_on").asc(nulls_last=True), "-priority", "pk"],
    "newest": ["-created_at", "-pk"],
}


class QueueFilterForm(forms.Form):
    """The queue's query parameters; a value that does not validate is reported and ignored."""

    tab = forms.ChoiceField(
        choices=list(TAB_LABELS.items()), required=False, widget=forms.HiddenInput
    )
    q = forms.CharField(label=_("Search claim text"), max_length=200, required=False)
    article = forms.IntegerField(label=_("Article id"), min_value=1, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *[(s.value, s.label) for s in QUEUED]],
        required=False,
    )
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=reviewers().none(), required=False, empty_label=_("Anyone")
    )
    rating = forms.ModelChoiceField(
        label=_("Rating"),
        queryset=Rating.objects.none(),
        required=False,
        empty_label=_("Any rating"),
    )
    score_min = forms.FloatField(label=_("Score from"), min_value=0, max_value=1, required=False)
    score_max = forms.FloatField(label=_("Score to"), min_value=0, max_value=1, required=False)
    # A date input only takes ISO dates (see ClaimAssignForm).
    due_before = forms.DateField(
        label=_("Due before"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        choices=[
            ("urgency", _("Most urgent")),
            ("score", _("Highest score")),
            ("due", _("Due soonest")),
            ("newest", _("Newest")),
        ],
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = reviewers()  # type: ignore[attr-defined]
        ratings = Rating.of_default_scale().order_by("position", "pk")
        self.fields["rating"].queryset = ratings  # type: ignore[attr-defined]
        language = translation.get_language()
        self.fields["rating"].label_from_instance = lambda rating: rating.label_in(language)  # type: ignore[attr-defined]
        for name in ("score_min", "score_max"):
            self.fields[name].widget.attrs["step"] = "0.01"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("score_min"), data.get("score_max")
        if low is not None and high is not None and low > high:
            self.add_error("score_max", _("The upper score must not be below the lower one."))
        return data

    def filters(self) -> dict[str, Any]:
        """The values that validated (call after is_valid()); invalid ones are left out."""
        data = getattr(self, "cleaned_data", {})
        return {name: value for name, value in data.items() if value not in (None, "")}


def _current_verdict() -> QuerySet[Verdict]:
    return Verdict.objects.current().filter(claim=OuterRef("pk"))


def tab_conditions(user: Any, today: datetime.date) -> dict[str, Q]:
    """Which claims each tab holds, as conditions usable in filter() and in Count(filter=...)."""
    current = _current_verdict()
    queued = Q(status__in=QUEUED)
    conditions = {
        "all": queued,
        "mine": Q(assignee=user, status__in=[Claim.Status.SELECTED, Claim.Status.IN_REVIEW]),
        "unassigned": Q(status=Claim.Status.SELECTED, assignee__isnull=True),
        # Nobody approves their own verdict, so it is not in their tab either.
        "approval": Q(status=Claim.Status.AWAITING_APPROVAL)
        & ~Q(Exists(current.filter(author=user))),
        # The approver sent the draft back: a note, and not submitted again yet.
        "returned": Q(status=Claim.Status.IN_REVIEW, assignee=user)
        & Q(Exists(current.filter(submitted_at__isnull=True).exclude(return_note=""))),
        "overdue": queued & Q(due_on__lt=today),
    }
    if not user.has_perm("reviews.approve_verdict"):
        del conditions["approval"]
    return conditions


def queue_tabs(conditions: dict[str, Q]) -> list[Tab]:
    """Every tab with its count, in one aggregate query."""
    counts = Claim.objects.aggregate(
        **{slug: Count("pk", filter=condition) for slug, condition in conditions.items()}
    )
    return [Tab(slug, str(TAB_LABELS[slug]), counts[slug]) for slug in conditions]


def queue_claims(*, condition: Q, filters: dict[str, Any], today: datetime.date) -> QuerySet[Claim]:
    """The claims of one tab narrowed by the filters, with what a row shows, in the chosen order."""
    claims = Claim.objects.filter(condition)
    if "q" in filters:
        claims = claims.filter(text__icontains=filters["q"])
    if "article" in filters:
        claims = claims.filter(article_id=filters["article"])
    if "status" in filters:
        claims = claims.filter(status=filters["status"])
    if "assignee" in filters:
        claims = claims.filter(assignee=filters["assignee"])
    if "rating" in filters:
        claims = claims.filter(Exists(_current_verdict().filter(rating=filters["rating"])))
    if "score_min" in filters:
        claims = claims.filter(score__gte=filters["score_min"])
    if "score_max" in filters:
        claims = claims.filter(score__lte=filters["score_max"])
    if "due_before" in filters:
        claims = claims.filter(due_on__lt=filters["due_before"])
    return (
        claims.select_related("article", "assignee")
        .only(*ROW_FIELDS)
        .annotate(
            overdue=Case(
                When(due_on__lt=today, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            rating_label=Subquery(_current_verdict().values("rating__label")[:1]),
            rating_label_es=Subquery(_current_verdict().values("rating__label_es")[:1]),
        )
        .order_by(*SORTS[filters.get("sort", "urgency")])
    )


@permission_view("claims.view_claim")
def queue(request: HttpRequest) -> HttpResponse:
    """The review queue: a tab of claims, filtered, sorted and paged."""
    form = QueueFilterForm(request.GET)
    valid = form.is_valid()
    filters = form.filters()
    today = timezone.localdate()
    conditions = tab_conditions(request.user, today)
    tab: str = filters.get("tab", "all")
    if tab not in conditions:  # the approval tab, asked for by someone who cannot approve
        tab = "all"
    claims = queue_claims(condition=conditions[tab], filters=filters, today=today)
    context = {
        "form": form,
        "tabs": queue_tabs(conditions),
        "tab": tab,
        "page": Paginator(claims, PAGE_SIZE).get_page(request.GET.get("page")),
    }
    return render(request, "reviews/queue.html", context, status=200 if valid else 400)
