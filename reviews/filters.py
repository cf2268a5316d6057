"""Validated query parameters of the CMS API lists (django-filter)."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field

from reviews.models import Verdict


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 2**63 - 1})
class IdFilter(django_filters.NumberFilter):
    """A whole-number id that fits the database's integers (a larger one is a 400, not a 500)."""

    field_class = forms.IntegerField

    def __init__(self, **kwargs: object) -> None:
        super().__init__(min_value=1, max_value=2**63 - 1, **kwargs)


@extend_schema_field({"type": "string", "pattern": "^[^\\u0000]*$"})
class TextFilter(django_filters.CharFilter):
    """Text without NUL characters (Django's form fields refuse them, with a 400)."""


class VerdictFilter(django_filters.FilterSet):
    """Filters of the published verdict list; a malformed value is a 400 naming the parameter."""

    updated_since = django_filters.IsoDateTimeFilter(
        method="filter_updated_since",
        label="Verdicts published or corrected at or after this time (ISO 8601).",
    )
    article = IdFilter(field_name="claim__article_id", label="The desk's article id.")
    external_article_id = TextFilter(
        field_name="claim__article__external_id", label="The CMS's id for the article."
    )
    rating = TextFilter(
        field_name="rating__label", lookup_expr="iexact", label="A rating label, e.g. False."
    )

    class Meta:
        model = Verdict
        fields: list[str] = []

    def filter_updated_since(self, queryset, name: str, value: datetime.datetime):  # type: ignore[no-untyped-def]
        # In UTC before it reaches SQL: PostgreSQL refuses offsets past 15:59 ("+23:39"), and a
        # time at the edge of the calendar may have no UTC form at all.
        try:
            since = value.astimezone(datetime.UTC)
        except OverflowError:
            raise ValidationError(
                {"updated_since": ["This time has no UTC equivalent in the calendar."]}
            ) from None
        return queryset.filter(Q(published_at__gte=since) | Q(modified_at__gte=since))


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when the request names none of the filters.

    Building and validating the filter form costs about as much as a page's query; a CMS that
    pages through everything sends no filter at all.
    """

    def filter_queryset(self, request: Any, queryset: Any, view: Any) -> Any:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not set(request.query_params) & set(
            filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)
