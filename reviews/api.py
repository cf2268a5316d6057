"""The token-protected CMS API: published verdicts only."""

from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reviews.models import ChangeEvent, Evidence, Verdict, VerdictCorrection
from reviews.pagination import BoundedLimitOffsetPagination
from reviews.serializers import (
    ChangePageSerializer,
    ClaimReviewSerializer,
    VerdictSerializer,
    change_representation,
    decode_cursor,
    encode_cursor,
)

# Lists answer a malformed limit or offset with 400 (reviews/pagination.py).
_BAD_PAGE = OpenApiResponse(
    OpenApiTypes.OBJECT, description="limit or offset is not a whole number in range."
)
# The custom ClaimReview list pages like the default list; spectacular only knows the latter.
_PAGE_PARAMETERS = [
    OpenApiParameter(
        "limit",
        {"type": "integer", "minimum": 1},
        description=BoundedLimitOffsetPagination.limit_query_description,
    ),
    OpenApiParameter(
        "offset",
        {"type": "integer", "minimum": 0},
        description=str(BoundedLimitOffsetPagination.offset_query_description),
    ),
]


@extend_schema_view(
    list=extend_schema(responses={200: VerdictSerializer(many=True), 400: _BAD_PAGE})
)
class PublishedVerdictViewSet(viewsets.ReadOnlyModelViewSet[Verdict]):
    """Published verdicts, newest first, for the CMS to pull."""

    serializer_class = VerdictSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = BoundedLimitOffsetPagination

    def get_queryset(self) -> QuerySet[Verdict]:
        return (
            Verdict.objects.published()
            .select_related("claim__article", "rating__scale", "author", "approved_by")
            # The CMS gets the claim and the article's title and URL, never the whole body.
            .defer(
                "claim__article__body",
                "claim__article__extraction",
                "claim__article__consistency_flags",
            )
            .prefetch_related(
                "rating__scale__ratings",
                Prefetch("claim__evidence", queryset=Evidence.objects.order_by("added_at", "pk")),
                Prefetch(
                    "corrections",
                    queryset=VerdictCorrection.objects.select_related("rating", "previous_rating"),
                ),
            )
        )

    @extend_schema(
        responses={200: OpenApiTypes.OBJECT, 400: _BAD_PAGE},
        parameters=_PAGE_PARAMETERS,
        operation_id="verdicts_claimreview_list",
    )
    @action(detail=False, url_path="claimreview", serializer_class=ClaimReviewSerializer)
    def claimreview_list(self, request: Request) -> Response:
        """All published verdicts as schema.org ClaimReview objects."""
        page = self.paginate_queryset(self.get_queryset())
        # many=True returns a ListSerializer; the stubs only know the single-instance form.
        serializer = ClaimReviewSerializer(page, many=True)  # type: ignore[arg-type]
        return self.get_paginated_response(serializer.data)

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, operation_id="verdicts_claimreview")
    @action(detail=True, url_path="claimreview", serializer_class=ClaimReviewSerializer)
    def claimreview(self, request: Request, pk: str | None = None) -> Response:
        """One published verdict as a schema.org ClaimReview object."""
        return Response(ClaimReviewSerializer(self.get_object()).data)


class ChangeFeedView(APIView):
    """The change feed: every publication, correction and withdrawal, in commit order.

    A CMS keeps the `next_cursor` of each page and asks for `?after=<cursor>` next; it sees each
    change exactly once, withdrawals included (as tombstones with the verdict id).
    """

    permission_classes = [IsAuthenticated]
    page_size = 100

    @extend_schema(
        parameters=[
            OpenApiParameter("after", str, description="The next_cursor of the previous page."),
            OpenApiParameter("limit", {"type": "integer", "minimum": 1, "maximum": 100}),
        ],
        responses={200: ChangePageSerializer, 400: _BAD_PAGE},
    )
    def get(self, request: Request) -> Response:
        """One page of changes after the cursor (from the start when there is none)."""
        try:
            after = decode_cursor(request.query_params.get("after", ""))
            limit = _feed_limit(request.query_params.get("limit", ""), self.page_size)
        except ValueError as error:
            return Response({"detail": str(error)}, status=400)
        events = list(
            ChangeEvent.objects.filter(pk__gt=after)
            .order_by("pk")
            .select_related("verdict")[: limit + 1]
        )
        has_more = len(events) > limit
        events = events[:limit]
        current = {
            verdict.pk: verdict
            for verdict in PublishedVerdictViewSet()
            .get_queryset()
            .filter(pk__in={event.verdict_id for event in events})
        }
        return Response(
            {
                "results": [change_representation(event, current) for event in events],
                "next_cursor": encode_cursor(events[-1].pk if events else after),
                "has_more": has_more,
            }
        )


def _feed_limit(raw: str, default: int) -> int:
    if raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6 or int(raw) < 1:
        raise ValueError("limit must be a whole number from 1.")
    return min(int(raw), default)
