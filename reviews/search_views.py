"""The search page: one box over articles, claims and verdicts, with filters.

A form validates the query parameters, the selectors in `reviews.search` build one queryset per
kind of hit, and the view renders either every kind grouped (a few hits of each and how many
there are) or one kind, paged. The number of queries does not grow with the number of hits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from claims.models import Claim
from factcheck.lib.permissions import permission_view
from reviews.models import Rating
from reviews.search import (
    KIND_LABELS,
    KIND_PERMISSIONS,
    KINDS,
    MAX_QUERY_LENGTH,
    Hit,
    Kind,
    SearchFilters,
    hits_build,
    kind_search,
    search_terms,
)

PAGE_SIZE = 20
GROUP_SIZE = 5  # hits of each kind on the grouped page
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SearchForm(forms.Form):
    """The search box and its filters; the kinds offered are those the person may see."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        # Longer input is refused with a message by search_terms(), not cut by the browser.
        widget=forms.TextInput(attrs={"type": "search", "autofocus": True}),
    )
    type = forms.ChoiceField(label=_("Type"), required=False)
    status = forms.ChoiceField(
        label=_("Claim status"),
        required=False,
        choices=[("", _("Any status")), *Claim.Status.choices],
    )
    rating = forms.ModelChoiceField(
        label=_("Rating"), queryset=Rating.objects.none(), required=False, empty_label=_("Any")
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Articles by publication date, claims by creation, verdicts by publication."),
    )

    def __init__(self, *args: Any, kinds: list[Kind], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [  # type: ignore[attr-defined]
            ("", _("Everything")),
            *[(kind, KIND_LABELS[kind]) for kind in kinds],
        ]
        ratings = Rating.of_default_scale().order_by("position", "pk")
        self.fields["rating"].queryset = ratings  # type: ignore[attr-defined]
        language = translation.get_language()
        self.fields["rating"].label_from_instance = lambda rating: rating.label_in(language)  # type: ignore[attr-defined]
        self.fields["q"].widget.attrs["maxlength"] = MAX_QUERY_LENGTH * 4

    def clean_q(self) -> list[str]:
        raw: str = self.cleaned_data.get("q") or ""
        return search_terms(raw) if raw else []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("date_from"), data.get("date_to")
        if low and high and low > high:
            self.add_error("date_to", ValidationError(_("The end date is before the start.")))
        return data

    def search_filters(self) -> SearchFilters:
        """The validated words and filters (call after is_valid() returned True)."""
        data = self.cleaned_data
        return SearchFilters(
            terms=tuple(data["q"]),
            status=data.get("status") or "",
            rating_id=data["rating"].pk if data.get("rating") else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


@dataclass(frozen=True)
class Group:
    """The hits of one kind on the grouped page, with how many there are in all."""

    kind: Kind
    label: str
    count: int
    hits: list[Hit]


def _group(kind: Kind, filters: SearchFilters) -> Group:
    """The first hits of one kind and their count (a fixed number of queries)."""
    found = kind_search(kind, filters)
    return Group(
        kind, str(KIND_LABELS[kind]), found.count(), hits_build(kind, found[:GROUP_SIZE], filters)
    )


def _kinds_for(user: Any) -> list[Kind]:
    return [kind for kind in KINDS if user.has_perm(KIND_PERMISSIONS[kind])]


@permission_view("claims.view_claim")
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Search everything, or one kind of hit, page by page; an empty query shows the form."""
    kinds = _kinds_for(request.user)
    context: dict[str, Any] = {"groups": [], "page": None, "hits": [], "searched": False}
    if not request.GET.get("q", "").strip():
        form = SearchForm(initial=request.GET.dict(), kinds=kinds)
        return render(request, "reviews/search.html", {**context, "form": form})
    form = SearchForm(request.GET, kinds=kinds)
    context.update(form=form)
    if not form.is_valid():
        return render(request, "reviews/search.html", context, status=400)
    filters = form.search_filters()
    kind: Kind | None = form.cleaned_data.get("type") or None
    if kind is None:
        context["groups"] = [_group(k, filters) for k in kinds]
    else:
        page = Paginator(kind_search(kind, filters), PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(page=page, hits=hits_build(kind, page.object_list, filters), kind=kind)
    return render(request, "reviews/search.html", {**context, "searched": True})
