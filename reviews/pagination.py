"""Pagination of the CMS API: page sizes capped, limit and offset checked before any query."""

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.views import APIView

MAX_PAGE_SIZE = 100
_BEYOND_ANY_TABLE = 10**20


def _whole_number(request: Request, name: str, *, minimum: int) -> int | None:
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


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """Limit/offset pages of at most 100 items, with both numbers validated first.

    SQLite raises on integers of 2**63 and more in LIMIT/OFFSET (a 500), so:
    1. Validate `limit` (a whole number from 1; above 100 it means 100) and `offset` (a whole
       number from 0), before any query: a malformed one is a 400.
    2. Count the rows. An offset at or past the count is an empty page, answered without
       another query, so a huge offset never reaches SQL.
    3. Otherwise fetch the slice: offset < count and limit <= 100 both fit SQL's integers.
    """

    max_limit = MAX_PAGE_SIZE
    limit_query_description = f"Number of results to return per page (at most {MAX_PAGE_SIZE})."

    def paginate_queryset(
        self, queryset: QuerySet[Any] | Sequence[Any], request: Request, view: APIView | None = None
    ) -> list[Any]:
        self.request = request
        limit = self.limit = self.get_limit(request)
        offset = self.offset = self.get_offset(request)
        count = self.count = self.get_count(queryset)
        if offset >= count:
            return []
        return list(queryset[offset : offset + limit])

    def get_limit(self, request: Request) -> int:
        limit = _whole_number(request, self.limit_query_param, minimum=1)
        if limit is None:
            return min(self.default_limit or MAX_PAGE_SIZE, MAX_PAGE_SIZE)
        return min(limit, MAX_PAGE_SIZE)

    def get_offset(self, request: Request) -> int:
        return _whole_number(request, self.offset_query_param, minimum=0) or 0

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        minimums = {self.limit_query_param: 1, self.offset_query_param: 0}
        for parameter in parameters:
            parameter["schema"]["minimum"] = minimums[parameter["name"]]
        return parameters
