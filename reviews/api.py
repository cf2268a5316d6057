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

from reviews.models import Evidence, Verdict, VerdictCorrection
from reviews.pagination import BoundedLimitOffsetPagination
from reviews.serializers import ClaimReviewSerializer, VerdictSerializer

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
