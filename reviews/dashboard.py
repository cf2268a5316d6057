"""The newsroom throughput dashboard: what is open, what got published, how long it took.

Shaped like the queue (reviews/queue.py): a form validates the query parameters (a date range and
a desk, the article's outlet), selectors compute every figure with aggregates in the database, and
a short view renders panels whose charts are drawn server-side (reviews/charts.py). The page runs
a fixed number of queries however many claims there are:

1. the desks (distinct outlets) for the filter's select;
2. one aggregate over claims: open claims by status, overdue;
3. one aggregate over published verdicts: this week, this month, in the range, agreement;
4. verdicts by rating (every rating of the default scale, and any other rating used);
5. one row per verdict published in the range: week, selection and publication times (the
   weekly median is taken in Python, so it is the same on every database);
6. reviewer workload: queued claims per assignee, by status;
7. consistency flags still open: one aggregate over articles.

Definitions the page states too: "now" figures (open, overdue, workload, flags) follow the desk
filter only; "published" figures follow the date range and the desk. A published verdict is a
current one with a publication time (a withdrawn one no longer counts). Selection is the first
time the claim's history shows it out of the candidates (selected, in review, ...), falling back
to the claim's creation when it has no such history row (bulk-seeded claims). Agreement compares
the rating the reviewer proposed at first submission (Verdict.proposed_rating) with the rating
the approver published (before any later correction). A flag is open while its article has at
least one open claim (not published, withdrawn or dismissed).
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from claims.models import Article, Claim
from factcheck.lib.permissions import permission_view
from reviews import charts
from reviews.models import Rating, Verdict, VerdictCorrection
from reviews.queue import QUEUED
from reviews.selectors import full_name

DEFAULT_WEEKS = 12
# A range longer than this draws more weekly columns than a screen can read.
MAX_DAYS = 731
# Statuses a claim has once somebody chose to check it.
CHOSEN = [*QUEUED, Claim.Status.PUBLISHED, Claim.Status.WITHDRAWN]
HOURS_PER_DAY = 24


def desks() -> list[str]:
    """The outlets articles come from, for the desk filter (one query)."""
    return list(
        Article.objects.exclude(outlet="")
        .order_by("outlet")
        .values_list("outlet", flat=True)
        .distinct()
    )


class DashboardFilterForm(forms.Form):
    """The dashboard's query parameters: a date range (inclusive) and a desk."""

    date_from = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Enter a date as YYYY-MM-DD.")},
    )
    date_to = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Enter a date as YYYY-MM-DD.")},
    )
    desk = forms.ChoiceField(label=gettext_lazy("Desk"), required=False)

    def __init__(self, *args: Any, desk_choices: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["desk"].choices = [  # type: ignore[attr-defined]
            ("", _("All desks")),
            *[(name, name) for name in desk_choices],
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("date_from", "date_to"):
            if name not in data and self.data.get(name):
                # A browser's date input drops a value it cannot read: show what was typed.
                self.fields[name].widget.input_type = "text"
        low, high = data.get("date_from"), data.get("date_to")
        if low and high and low > high:
            self.add_error("date_to", _("The end date must not be before the start date."))
        elif low and (high or timezone.localdate()) - low > datetime.timedelta(days=MAX_DAYS):
            self.add_error(
                "date_to", _("Choose a range of at most %(days)s days.") % {"days": MAX_DAYS}
            )
        return data

    @staticmethod
    def default_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
        """The last DEFAULT_WEEKS weeks, from a Monday to today."""
        return today - datetime.timedelta(days=today.weekday(), weeks=DEFAULT_WEEKS - 1), today

    def window(self, today: datetime.date) -> tuple[datetime.date, datetime.date]:
        """The range to show (call after is_valid()): what validated, defaults for the rest.

        A start that is missing or does not fit the end is the default window's.
        """
        data = getattr(self, "cleaned_data", {})
        errors = set(self.errors)
        high = data.get("date_to") if "date_to" not in errors else None
        low = data.get("date_from") if "date_from" not in errors else None
        high = high or today
        if low is None or low > high or (high - low).days > MAX_DAYS:
            low = self.default_window(high)[0]
        return low, high

    def chosen_desk(self) -> str:
        """The chosen desk, or "" for every desk."""
        return str(getattr(self, "cleaned_data", {}).get("desk") or "")


@dataclass(frozen=True)
class Period:
    """The moments a dashboard's figures are computed against."""

    date_from: datetime.date
    date_to: datetime.date
    today: datetime.date
    desk: str = ""

    @staticmethod
    def start_of(day: datetime.date) -> datetime.datetime:
        """Midnight at the start of `day` in the desk's time zone."""
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

    @property
    def start(self) -> datetime.datetime:
        return self.start_of(self.date_from)

    @property
    def end(self) -> datetime.datetime:
        """Exclusive: midnight after the last day."""
        return self.start_of(self.date_to + datetime.timedelta(days=1))

    @property
    def week_start(self) -> datetime.datetime:
        return self.start_of(self.today - datetime.timedelta(days=self.today.weekday()))

    @property
    def month_start(self) -> datetime.datetime:
        return self.start_of(self.today.replace(day=1))

    def weeks(self) -> list[datetime.date]:
        """The Mondays of every week the range touches, in order."""
        monday = self.date_from - datetime.timedelta(days=self.date_from.weekday())
        mondays = []
        while monday <= self.date_to:
            mondays.append(monday)
            monday += datetime.timedelta(weeks=1)
        return mondays


class JSONArrayLength(Func):
    """The number of items of a JSON array column (SQLite's and PostgreSQL's own functions)."""

    function = "JSON_ARRAY_LENGTH"
    output_field = IntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="JSONB_ARRAY_LENGTH", **extra)


def _claims(period: Period) -> QuerySet[Claim]:
    claims = Claim.objects.all()
    return claims.filter(article__outlet=period.desk) if period.desk else claims


def _published(period: Period) -> QuerySet[Verdict]:
    verdicts = Verdict.objects.published()
    if period.desk:
        verdicts = verdicts.filter(claim__article__outlet=period.desk)
    return verdicts.order_by()


def claim_figures(period: Period) -> dict[str, int]:
    """Open claims by status and the overdue ones (queued, due before today), in one query."""
    return _claims(period).aggregate(
        **{status.value: Count("pk", filter=Q(status=status)) for status in Claim.OPEN_STATUSES},
        overdue=Count("pk", filter=Q(status__in=QUEUED, due_on__lt=period.today)),
    )


def verdict_figures(period: Period) -> dict[str, int]:
    """Publications this week, this month and in the range, and agreement, in one query.

    Agreement, over verdicts published in the range: "agreed" when the rating published is the
    one the reviewer proposed, "changed" otherwise, "unknown" when no proposal was recorded.
    The rating published is the first correction's previous rating, or the rating now.
    """
    first_correction = VerdictCorrection.objects.filter(verdict=OuterRef("pk")).order_by(
        "corrected_at", "pk"
    )
    in_range = Q(published_at__gte=period.start, published_at__lt=period.end)
    return (
        _published(period)
        .annotate(
            approved_rating=Coalesce(
                Subquery(first_correction.values("previous_rating_id")[:1]),
                F("rating_id"),
                output_field=IntegerField(),
            )
        )
        .aggregate(
            week=Count("pk", filter=Q(published_at__gte=period.week_start)),
            month=Count("pk", filter=Q(published_at__gte=period.month_start)),
            in_range=Count("pk", filter=in_range),
            agreed=Count("pk", filter=in_range & Q(proposed_rating_id=F("approved_rating"))),
            changed=Count(
                "pk",
                filter=in_range
                & Q(proposed_rating__isnull=False)
                & ~Q(proposed_rating_id=F("approved_rating")),
            ),
            unknown=Count("pk", filter=in_range & Q(proposed_rating__isnull=True)),
        )
    )


def ratings_published(period: Period) -> list[tuple[str, int]]:
    """Verdicts published in the range by their rating: every rating of the default scale (zeros
    included, in scale order) and any other rating that was used; labels in the page's language."""
    condition = Q(
        verdicts__is_current=True,
        verdicts__published_at__gte=period.start,
        verdicts__published_at__lt=period.end,
    )
    if period.desk:
        condition &= Q(verdicts__claim__article__outlet=period.desk)
    rows = (
        Rating.objects.annotate(count=Count("verdicts", filter=condition))
        .filter(Q(scale__is_default=True) | Q(count__gt=0))
        .order_by("-scale__is_default", "scale__name", "position", "pk")
        .values_list("label", "label_es", "count")
    )
    language = get_language()
    return [
        (Rating(label=label, label_es=label_es).label_in(language), count)
        for label, label_es, count in rows
    ]


def selection_times(period: Period) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """(selected, published) for each verdict published in the range, in one query."""
    history = Claim.history.model
    first_chosen = (
        history.objects.filter(id=OuterRef("claim_id"), status__in=CHOSEN)
        .order_by("history_date", "history_id")
        .values("history_date")[:1]
    )
    rows = (
        _published(period)
        .filter(published_at__gte=period.start, published_at__lt=period.end)
        .annotate(selected_at=Coalesce(Subquery(first_chosen), F("claim__created_at")))
        .values_list("selected_at", "published_at")
    )
    # Both are set: the filter requires a publication, Coalesce falls back to creation.
    return cast(list[tuple[datetime.datetime, datetime.datetime]], list(rows))


def weekly_medians(
    period: Period, times: list[tuple[datetime.datetime, datetime.datetime]]
) -> list[tuple[datetime.date, float | None, int]]:
    """(Monday, median days from selection to publication, verdicts) for every week of the range.

    Weeks run Monday to Sunday in the desk's time zone, as TruncWeek counts them.
    """
    days: dict[datetime.date, list[float]] = defaultdict(list)
    for selected_at, published_at in times:
        local = timezone.localtime(published_at).date()
        monday = local - datetime.timedelta(days=local.weekday())
        span = max((published_at - selected_at).total_seconds(), 0.0)
        days[monday].append(span / 3600 / HOURS_PER_DAY)
    return [
        (
            monday,
            round(statistics.median(days[monday]), 1) if days[monday] else None,
            len(days[monday]),
        )
        for monday in period.weeks()
    ]


@dataclass(frozen=True)
class Workload:
    """One assignee's queued claims by status (`name` empty for the unassigned ones)."""

    name: str
    selected: int
    in_review: int
    awaiting_approval: int

    @property
    def total(self) -> int:
        return self.selected + self.in_review + self.awaiting_approval


def workload(period: Period) -> list[Workload]:
    """Queued claims per assignee, by status, busiest first; the unassigned last (one query)."""
    rows = (
        _claims(period)
        .filter(status__in=QUEUED)
        .values("assignee", "assignee__username", "assignee__first_name", "assignee__last_name")
        .annotate(
            selected=Count("pk", filter=Q(status=Claim.Status.SELECTED)),
            in_review=Count("pk", filter=Q(status=Claim.Status.IN_REVIEW)),
            awaiting_approval=Count("pk", filter=Q(status=Claim.Status.AWAITING_APPROVAL)),
        )
        .order_by(F("assignee").asc(nulls_last=True))
    )
    people: list[Workload] = []
    unassigned: list[Workload] = []
    for row in rows:
        full = full_name(row["assignee__first_name"], row["assignee__last_name"])
        name = full or row["assignee__username"] or ""
        item = Workload(name, row["selected"], row["in_review"], row["awaiting_approval"])
        (people if row["assignee"] is not None else unassigned).append(item)
    people.sort(key=lambda item: (-item.total, item.name.casefold()))
    return people + unassigned


def open_flags(period: Period) -> dict[str, int]:
    """Consistency flags on articles that still have an open claim, and those articles."""
    articles = Article.objects.exclude(consistency_flags=[])
    if period.desk:
        articles = articles.filter(outlet=period.desk)
    still_open = Exists(
        Claim.objects.filter(article=OuterRef("pk")).exclude(status__in=Claim.CLOSED_STATUSES)
    )
    figures = articles.filter(still_open).aggregate(
        flags=Coalesce(Sum(JSONArrayLength("consistency_flags")), 0),
        articles=Count("pk"),
    )
    return {"flags": int(figures["flags"]), "articles": int(figures["articles"])}


@dataclass(frozen=True)
class Dashboard:
    """Every figure of the page, and the charts drawn from them."""

    period: Period
    claims: dict[str, int]
    verdicts: dict[str, int]
    ratings: list[tuple[str, int]]
    weeks: list[tuple[datetime.date, float | None, int]]
    workload: list[Workload]
    flags: dict[str, int]

    @property
    def open_by_status(self) -> list[tuple[str, int]]:
        return [(str(status.label), self.claims[status.value]) for status in Claim.OPEN_STATUSES]

    @property
    def open_total(self) -> int:
        return sum(count for _, count in self.open_by_status)

    @property
    def agreement(self) -> list[tuple[str, int]]:
        return [
            (_("Rating kept"), self.verdicts["agreed"]),
            (_("Rating changed"), self.verdicts["changed"]),
            (_("Not recorded"), self.verdicts["unknown"]),
        ]

    @property
    def agreement_rate(self) -> float | None:
        """Share of verdicts (with a recorded proposal) whose rating the approver kept, in %."""
        known = self.verdicts["agreed"] + self.verdicts["changed"]
        return round(100 * self.verdicts["agreed"] / known, 1) if known else None

    def status_chart(self) -> charts.Chart:
        return charts.bar_chart(self.open_by_status, title=_("Open claims by status"))

    def rating_chart(self) -> charts.Chart:
        return charts.bar_chart(self.ratings, title=_("Verdicts published by rating"))

    def median_chart(self) -> charts.Chart:
        return charts.column_chart(
            [(monday.strftime("%d/%m"), median) for monday, median, _count in self.weeks],
            title=_("Median days from selection to publication, by week"),
            unit=_("days"),
        )

    def workload_chart(self) -> charts.Chart:
        return charts.stacked_bar_chart(
            [
                (
                    item.name or _("Unassigned"),
                    [item.selected, item.in_review, item.awaiting_approval],
                )
                for item in self.workload
            ],
            series=[str(Claim.Status(status).label) for status in QUEUED],
            title=_("Reviewer workload: queued claims by status"),
        )

    def agreement_chart(self) -> charts.Chart:
        return charts.bar_chart(self.agreement, title=_("Approval and the proposed rating"))


def dashboard_figures(period: Period) -> Dashboard:
    """Compute every figure of the dashboard (a fixed number of queries)."""
    return Dashboard(
        period=period,
        claims=claim_figures(period),
        verdicts=verdict_figures(period),
        ratings=ratings_published(period),
        weeks=weekly_medians(period, selection_times(period)),
        workload=workload(period),
        flags=open_flags(period),
    )


@permission_view("claims.view_claim")
def dashboard(request: HttpRequest) -> HttpResponse:
    """The throughput dashboard, for a date range and a desk."""
    today = timezone.localdate()
    start, end = DashboardFilterForm.default_window(today)
    form = DashboardFilterForm(
        request.GET or None, desk_choices=desks(), initial={"date_from": start, "date_to": end}
    )
    valid = form.is_valid() if form.is_bound else True
    date_from, date_to = form.window(today)
    figures = dashboard_figures(Period(date_from, date_to, today, form.chosen_desk()))
    context = {
        "form": form,
        "figures": figures,
        "charts": {
            "status": figures.status_chart(),
            "rating": figures.rating_chart(),
            "median": figures.median_chart(),
            "workload": figures.workload_chart(),
            "agreement": figures.agreement_chart(),
        },
    }
    return render(request, "reviews/dashboard.html", context, status=200 if valid else 400)
