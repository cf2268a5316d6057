"""The CMS API: published verdicts (JSON, ClaimReview, evidence packs), the change feed, archived
source text, and article push for read-write keys.

Who may call what is in reviews/api_auth.py; every error has the shape in reviews/api_errors.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from claims.models import Article, Claim
from reviews import selectors, services
from reviews.api_auth import CanReadOrPushArticles, allow_inline_styles
from reviews.claimreview import (
    claim_review,
    evidence_pack,
    with_claimreview_data,
    with_evidence_pack_data,
)
from reviews.filters import VerdictFilter
from reviews.models import ChangeEvent, Source, Verdict
from reviews.pagination import VerdictCursorPagination, whole_number_param
from reviews.serializers import (
    CLAIMREVIEW_PAGE_SCHEMA,
    CLAIMREVIEW_SCHEMA,
    ArticlePushedSerializer,
    ArticlePushSerializer,
    ChangePageSerializer,
    VerdictSerializer,
    change_representation,
    decode_cursor,
    encode_cursor,
)

# --- Documented error responses (all in the shape of reviews/api_errors.error_body) --------------
_ERROR = OpenApiTypes.OBJECT
_BAD_REQUEST = OpenApiResponse(_ERROR, description="A query parameter or field is not valid.")
_UNAUTHORISED = OpenApiResponse(_ERROR, description="No API key, or an unknown or revoked one.")
_FORBIDDEN = OpenApiResponse(_ERROR, description="The key's scope does not allow this.")
_NOT_FOUND = OpenApiResponse(_ERROR, description="No such published item.")
_THROTTLED = OpenApiResponse(_ERROR, description="Too many requests for this key: see Retry-After.")
_READ_ERRORS = {401: _UNAUTHORISED, 403: _FORBIDDEN, 429: _THROTTLED}


@extend_schema_view(
    list=extend_schema(
        summary="Published verdicts",
        description="Newest publication first, in cursor pages (follow `next`).",
        responses={200: VerdictSerializer(many=True), 400: _BAD_REQUEST, **_READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One published verdict",
        responses={200: VerdictSerializer, 404: _NOT_FOUND, **_READ_ERRORS},
    ),
)
class PublishedVerdictViewSet(viewsets.ReadOnlyModelViewSet[Verdict]):
    """Published verdicts, for the CMS to pull."""

    serializer_class = VerdictSerializer
    pagination_class = VerdictCursorPagination
    lookup_value_regex = r"[0-9]+"
    filterset_class = VerdictFilter

    def get_queryset(self) -> QuerySet[Verdict]:
        return Verdict.objects.published()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A cursor page of verdict documents (built from rows, not model instances)."""
        rows = selectors.verdict_rows(self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(rows) or []
        return self.get_paginated_response(_documents(request, page))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """One verdict document."""
        documents = _documents(
            request, selectors.verdict_rows(self.get_queryset().filter(pk=kwargs["pk"]))
        )
        if not documents:
            raise NotFound()
        return Response(documents[0])

    @extend_schema(
        summary="Published verdicts as schema.org ClaimReview",
        responses={200: CLAIMREVIEW_PAGE_SCHEMA, 400: _BAD_REQUEST, **_READ_ERRORS},
        filters=True,
        # The list's pages, which spectacular adds only to serializer-described lists.
        parameters=[
            OpenApiParameter("cursor", str, description="The pagination cursor value."),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1},
                description="Number of results to return per page (at most 100).",
            ),
        ],
        operation_id="verdicts_claimreview_list",
    )
    @action(detail=False, url_path="claimreview")
    def claimreview_list(self, request: Request) -> Response:
        """All published verdicts as ClaimReview objects, in the list's pages and filters."""
        verdicts = with_claimreview_data(self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(verdicts) or []
        return self.get_paginated_response([claim_review(verdict) for verdict in page])

    @extend_schema(
        summary="One published verdict as schema.org ClaimReview (JSON-LD)",
        responses={200: CLAIMREVIEW_SCHEMA, 404: _NOT_FOUND, **_READ_ERRORS},
        operation_id="verdicts_claimreview",
    )
    @action(detail=True, url_path="claimreview")
    def claimreview(self, request: Request, pk: str | None = None) -> Response:
        """One published verdict as a ClaimReview object."""
        verdicts = with_claimreview_data(self.get_queryset())
        return Response(claim_review(get_object_or_404(verdicts, pk=pk)))

    @extend_schema(
        summary="The evidence pack of a published verdict",
        description="The claim in context, the verdict, each evidence item with its archived "
        "snapshot's hash and fetch time, who reviewed and approved it and when, corrections.",
        responses={200: OpenApiTypes.OBJECT, 404: _NOT_FOUND, **_READ_ERRORS},
        operation_id="verdicts_evidence_pack",
    )
    @action(detail=True, url_path="evidence-pack")
    def evidence_pack(self, request: Request, pk: str | None = None) -> Response:
        """Everything a standards or legal review needs about one published verdict."""
        # The pack shows the claim in context: the one place the API reads an article body.
        verdict = get_object_or_404(with_evidence_pack_data(Verdict.objects.published()), pk=pk)
        return Response(evidence_pack(verdict))


class ArticleViewSet(viewsets.GenericViewSet[Article]):
    """Articles as the CMS sees them: pushed in, and their ClaimReviews out."""

    queryset = Article.objects.only("pk")
    serializer_class = ArticlePushSerializer
    permission_classes = [CanReadOrPushArticles]
    pagination_class = None  # an article's ClaimReviews come whole, in reading order
    # The CMS sends JSON; form encodings would turn `null` into the text "null".
    parser_classes = [JSONParser]
    lookup_value_regex = r"[0-9]+"

    @extend_schema(
        summary="Push an article from the CMS",
        description="Needs a read-write key. Idempotent on `external_id`: the same story again "
        "is a 200 that changes nothing; other text under a held id is a 200 that stores it as "
        "the article's next revision (`revision`), every claim re-anchored "
        "(`revision_changes`: claim ids moved, changed, orphaned, added). A published verdict "
        "on a claim whose sentence changed is withdrawn and the claim reopened for review.",
        request=ArticlePushSerializer,
        responses={
            201: ArticlePushedSerializer,
            200: ArticlePushedSerializer,
            400: _BAD_REQUEST,
            413: OpenApiResponse(_ERROR, description="The body is larger than accepted."),
            **_READ_ERRORS,
        },
        examples=[
            OpenApiExample(
                "A story",
                value={
                    "external_id": "cms-4512",
                    "title": "Council approves harbour budget",
                    "body": "The council approved 4.2 million for the harbour on Monday.",
                    "url": "https://news.example/harbour-budget",
                },
                request_only=True,
            )
        ],
    )
    def create(self, request: Request) -> Response:
        """Store a pushed story once per external id and extract its claims."""
        serializer = ArticlePushSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        pushed = services.article_push(
            external_id=data["external_id"],
            title=data["title"],
            body=data["body"],
            body_is_html=data["body_format"] == "html",
            source_url=data["url"],
            author=data["author"],
            outlet=data["outlet"],
            published_on=data["published_on"],
            pushed_by=str(getattr(request.auth, "name", "") or request.user),
        )
        article = (
            Article.objects.defer("body", "extraction")
            .prefetch_related(
                # The claims in the text as pushed; orphans are named in `revision_changes`.
                Prefetch(
                    "claims",
                    queryset=Claim.objects.exclude(anchor=Claim.Anchor.ORPHANED).order_by(
                        "position"
                    ),
                )
            )
            .get(pk=pushed.article.pk)
        )
        revised = pushed.revised
        context = {"revision_changes": revised.summary() if revised and revised.revision else None}
        return Response(
            ArticlePushedSerializer(article, context=context).data,
            status=status.HTTP_201_CREATED if pushed.created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="The published verdicts of an article as ClaimReview",
        responses={
            200: {"type": "array", "items": CLAIMREVIEW_SCHEMA},
            404: _NOT_FOUND,
            **_READ_ERRORS,
        },
        operation_id="articles_claimreview",
    )
    @action(detail=True, url_path="claimreview")
    def claimreview(self, request: Request, pk: str | None = None) -> Response:
        """Every published verdict on the article's claims, in the article's order."""
        article = self.get_object()
        verdicts = (
            with_claimreview_data(Verdict.objects.published())
            .filter(claim__article=article)
            .order_by("claim__position")
        )
        return Response([claim_review(verdict) for verdict in verdicts])


class SourceSnapshotView(APIView):
    """The archived text of a source cited by a published verdict, as plain text."""

    @extend_schema(
        summary="Archived text of a cited source",
        responses={
            (200, "text/plain"): OpenApiTypes.STR,
            404: _NOT_FOUND,
            **_READ_ERRORS,
        },
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        """Plain text under a sandbox policy: an archived page never runs on our origin."""
        source = get_object_or_404(
            Source.objects.filter(
                fetch_status=Source.FetchStatus.FETCHED,
                evidence__claim__verdicts__is_current=True,
                evidence__claim__verdicts__published_at__isnull=False,
            ).distinct(),
            pk=pk,
        )
        response = HttpResponse(source.text, content_type="text/plain; charset=utf-8")
        response["Content-Security-Policy"] = "sandbox"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class ChangeFeedView(APIView):
    """The change feed: every publication, correction and withdrawal, in commit order.

    A CMS keeps the `next_cursor` of each page and asks for `?after=<cursor>` next; it sees each
    change exactly once, withdrawals included (as tombstones with the verdict id).
    """

    page_size = 100

    @extend_schema(
        summary="Changes since a cursor",
        parameters=[
            OpenApiParameter("after", str, description="The next_cursor of the previous page."),
            OpenApiParameter("limit", {"type": "integer", "minimum": 1}),
        ],
        responses={200: ChangePageSerializer, 400: _BAD_REQUEST, **_READ_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """One page of changes after the cursor (from the start when there is none)."""
        try:
            after = decode_cursor(request.query_params.get("after", ""))
        except ValueError as error:
            raise ValidationError({"after": [str(error)]}) from None
        limit = min(
            whole_number_param(request, "limit", minimum=1) or self.page_size, self.page_size
        )
        events = list(
            ChangeEvent.objects.filter(pk__gt=after)
            .order_by("pk")
            .select_related("verdict")[: limit + 1]
        )
        has_more = len(events) > limit
        events = events[:limit]
        verdicts = Verdict.objects.published().filter(pk__in={e.verdict_id for e in events})
        rows = selectors.verdict_rows(verdicts)
        current = {document["id"]: document for document in _documents(request, rows)}
        return Response(
            {
                "results": [change_representation(event, current) for event in events],
                "next_cursor": encode_cursor(events[-1].pk if events else after),
                "has_more": has_more,
            }
        )


def _documents(request: Request, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Verdict documents of `selectors.verdict_rows` rows, archived copies linked on the
    request's host."""
    site = request.build_absolute_uri("/").removesuffix("/")
    return selectors.verdict_documents(rows, site=site)


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI from our static files. It injects `<style>` elements as operations open, so
    this page (only schema text, no newsroom data) also allows inline styles."""

    @extend_schema(exclude=True)
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().get(request, *args, **kwargs)
        allow_inline_styles(response)
        return response
