"""Pagination of the CMS API: page sizes capped, every query number checked before any query."""

import datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request
from rest_framework.views import APIView

MAX_PAGE_SIZE = 100
_BEYOND_ANY_TABLE = 10**20


def whole_number_param(request: Request, name: str, *, minimum: int) -> int | None:
    """Return a query parameter as a whole number of at least `minimum`, None when absent.

    Anything else (words, signs, decimals, digits of other scripts, an empty value) is a 400
    with a JSON error: never a silent default, never a 500 from the database. A number too
    long to mean anything is taken as "more than there is", as a number that fits would be.
    """
    raw = request.query_params.get(name)
    if raw is None:
        return None
    # isdigit() alone accepts "²" and Arabic-Indic digits; int() alone accepts " 1" and "-1".
    if not (raw.isascii() and raw.isdigit()):
        raise ValidationError({name: [f"Must be a whole number of at least {minimum}."]})
    # Past 20 digits every number means the same here (more than any page or table holds);
    # int() of thousands of digits is slow, and past 4300 Python refuses it.
    digits = raw.lstrip("0") or "0"
    value = int(digits) if len(digits) <= 20 else _BEYOND_ANY_TABLE
    if value < minimum:
        raise ValidationError({name: [f"Must be a whole number of at least {minimum}."]})
    return value


class VerdictCursorPagination(CursorPagination):
    """Cursor pages of published verdicts, newest publication first, at most 100 a page.

    A cursor holds a position (a publication time), never an offset into a table that grows, so
    a CMS paging while verdicts are published neither skips nor repeats one. `limit` is checked
    like the other lists; a cursor we never gave out is a 400, not a silent first page.
    """

    ordering = ("-published_at", "-id")
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        limit = whole_number_param(request, self.page_size_query_param, minimum=1)
        return self.page_size if limit is None else min(limit, MAX_PAGE_SIZE)

    def decode_cursor(self, request: Request) -> Cursor | None:
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise ValidationError({self.cursor_query_param: [_BAD_CURSOR]}) from None
        if cursor is not None and cursor.position is not None:
            # The position goes into a WHERE on a datetime column: a forged one must not 500.
            # In UTC, since PostgreSQL refuses offsets past 15:59 that ISO 8601 allows.
            when = parse_datetime(str(cursor.position))
            try:
                utc = when.astimezone(datetime.UTC) if when is not None else None
            except OverflowError:
                utc = None
            if utc is None:
                raise ValidationError({self.cursor_query_param: [_BAD_CURSOR]})
            position: Any = utc.isoformat()
            cursor = cursor._replace(position=position)
        return cursor

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1})
        return parameters


_BAD_CURSOR = "Not a cursor this API gave out: start again without one."
