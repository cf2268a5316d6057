"""The CMS contract: published verdicts, the change feed and article push, as JSON."""

import base64
from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from claims.models import Article
from reviews.models import ChangeEvent, Evidence

# The verdict JSON is built by reviews.selectors.verdict_documents from rows, without model
# instances (see `make bench`); these serializers document its shape for the OpenAPI schema, and
# schemathesis checks every response against that schema.


class ClaimPartSerializer(serializers.Serializer[Any]):
    """The claim a verdict is on: its exact text and where it stands in the article."""

    id = serializers.IntegerField()
    text = serializers.CharField()
    start = serializers.IntegerField(help_text="Offset of the claim's first character.")
    end = serializers.IntegerField(
        help_text="Offset after its last: body[start:end] == text, in the body of `revision`."
    )
    revision = serializers.IntegerField(
        help_text="The article revision the offsets point into: the current one unless the "
        "claim's sentence is gone from the article (`anchor` orphaned)."
    )
    anchor = serializers.ChoiceField(
        choices=["anchored", "changed", "orphaned"],
        help_text="anchored: in the current text; changed: its sentence was edited in a later "
        "revision (the text is the edited one); orphaned: its sentence is gone.",
    )
    claimant = serializers.CharField(allow_blank=True, help_text="Who made the claim.")


class ArticlePartSerializer(serializers.Serializer[Any]):
    """The article a claim comes from (never its body)."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField(allow_blank=True)
    external_id = serializers.CharField(allow_blank=True, help_text="The CMS's id for it.")
    outlet = serializers.CharField(allow_blank=True)
    published_on = serializers.DateField(allow_null=True)


class RatingPartSerializer(serializers.Serializer[Any]):
    """A rating: its label, its ClaimReview number (null when not ordinal) and its scale."""

    # Serializer fields named like Field attributes: fine at run time (the metaclass collects
    # them), but the stubs see a clash.
    label = serializers.CharField()  # type: ignore[assignment]
    value = serializers.IntegerField(allow_null=True)
    scale = serializers.CharField()


class EvidenceSerializer(serializers.Serializer[Any]):
    """Evidence as the CMS shows it: where it came from, its archived copy and what it says."""

    url = serializers.CharField(allow_blank=True)
    archived_url = serializers.URLField(
        allow_null=True, help_text="The archived text, served by this API (null until archived)."
    )
    archived_at = serializers.DateTimeField(allow_null=True)
    archived_sha256 = serializers.CharField(
        allow_null=True, help_text="sha256 of the page's raw body as archived."
    )
    stance = serializers.ChoiceField(choices=Evidence.Stance.choices)
    quote = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True)


class CorrectionSerializer(serializers.Serializer[Any]):
    """A public correction of a published verdict: when, why, and the rating before and after."""

    corrected_at = serializers.DateTimeField()
    note = serializers.CharField()
    previous_rating = serializers.CharField()
    rating = serializers.CharField()
    previous_summary = serializers.CharField()


class VerdictSerializer(serializers.Serializer[Any]):
    """A published verdict with its claim, article, rating, evidence and corrections."""

    id = serializers.IntegerField()
    claim = ClaimPartSerializer()
    article = ArticlePartSerializer()
    rating = RatingPartSerializer()
    summary = serializers.CharField()
    explanation = serializers.CharField(allow_blank=True)
    reviewer = serializers.CharField()
    approver = serializers.CharField()
    published_at = serializers.DateTimeField()
    modified_at = serializers.DateTimeField(allow_null=True)
    evidence = EvidenceSerializer(many=True)
    corrections = CorrectionSerializer(many=True)


_THING = {"type": "object", "required": ["@type"], "properties": {"@type": {"type": "string"}}}
# The schema.org ClaimReview objects built by reviews.claimreview.claim_review, for the OpenAPI
# schema (property names start with "@", which serializer fields cannot).
CLAIMREVIEW_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A schema.org ClaimReview (JSON-LD).",
    "required": [
        "@context",
        "@type",
        "claimReviewed",
        "author",
        "datePublished",
        "reviewRating",
        "itemReviewed",
    ],
    "properties": {
        "@context": {"type": "string", "enum": ["https://schema.org"]},
        "@type": {"type": "string", "enum": ["ClaimReview"]},
        "url": {"type": "string", "format": "uri"},
        "claimReviewed": {"type": "string"},
        "author": _THING,
        "datePublished": {"type": "string"},
        "dateModified": {"type": "string"},
        "reviewRating": {
            "type": "object",
            "required": ["@type", "alternateName"],
            "properties": {
                "@type": {"type": "string", "enum": ["Rating"]},
                "alternateName": {"type": "string"},
                "ratingValue": {"type": "integer", "minimum": 1},
                "bestRating": {"type": "integer", "minimum": 1},
                "worstRating": {"type": "integer", "minimum": 1},
                "ratingExplanation": {"type": "string"},
            },
        },
        "reviewBody": {"type": "string"},
        "itemReviewed": _THING,
        "correction": {"type": "array", "items": _THING},
    },
}
CLAIMREVIEW_PAGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["results"],
    "properties": {
        "next": {"type": "string", "format": "uri", "nullable": True},
        "previous": {"type": "string", "format": "uri", "nullable": True},
        "results": {"type": "array", "items": CLAIMREVIEW_SCHEMA},
    },
}


class ArticlePushSerializer(serializers.Serializer[Any]):
    """A story the CMS pushes; the same external id with the same text changes nothing."""

    external_id = serializers.CharField(max_length=200)
    title = serializers.CharField(max_length=300, allow_blank=True, default="")
    # Some text that is not white space: an empty article is refused (the schema says so too).
    body = serializers.CharField(
        trim_whitespace=False,
        validators=[
            RegexValidator(
                r"[^\s\x00-\x1f\x7f\ufeff]", message="The article has no text: send its body."
            )
        ],
    )
    body_format = serializers.ChoiceField(choices=["text", "html"], default="text")
    url = serializers.URLField(max_length=2000, allow_blank=True, default="")
    author = serializers.CharField(max_length=200, allow_blank=True, default="")
    outlet = serializers.CharField(max_length=200, allow_blank=True, default="")
    published_on = serializers.DateField(required=False, allow_null=True, default=None)


class RevisionChangesSerializer(serializers.Serializer[Any]):
    """What a new revision did to the article's claims, as claim ids."""

    moved = serializers.ListField(child=serializers.IntegerField())
    changed = serializers.ListField(child=serializers.IntegerField())
    orphaned = serializers.ListField(child=serializers.IntegerField())
    added = serializers.ListField(child=serializers.IntegerField())


class ArticlePushedSerializer(serializers.ModelSerializer[Article]):
    """The stored article a push created or found, with the claims the desk extracted; after a
    changed text, its new revision number and what the revision did to the claims."""

    url = serializers.CharField(source="source_url")
    claims = ClaimPartSerializer(many=True)
    revision_changes = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id",
            "external_id",
            "title",
            "url",
            "author",
            "outlet",
            "published_on",
            "revision",
            "revision_changes",
            "claims",
        ]

    @extend_schema_field(RevisionChangesSerializer(allow_null=True))
    def get_revision_changes(self, article: Article) -> dict[str, list[int]] | None:
        changes: dict[str, list[int]] | None = self.context.get("revision_changes")
        return changes


# --- The change feed ------------------------------------------------------------------------

_CURSOR_PREFIX = "seq:"


def encode_cursor(sequence: int) -> str:
    """An opaque cursor for a position in the change feed."""
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{sequence}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The position a cursor stands for (0 for none); ValueError for one we never issued."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError("after is not a cursor this feed gave out.") from error
    number = text.removeprefix(_CURSOR_PREFIX)
    if not text.startswith(_CURSOR_PREFIX) or not number.isdigit() or len(number) > 18:
        raise ValueError("after is not a cursor this feed gave out.")
    return int(number)


def change_representation(event: ChangeEvent, current: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """One change: a withdrawal is a tombstone; otherwise the verdict as it stands now (None
    when it has since been withdrawn: a later tombstone in the feed says so)."""
    verdict = current.get(event.verdict_id)
    return {
        "cursor": encode_cursor(event.pk),
        "kind": event.kind,
        "verdict_id": event.verdict_id,
        "claim_id": event.claim_id_at_change,
        "occurred_at": event.created_at.isoformat(),
        "note": event.note,
        "verdict": (
            verdict if verdict is not None and event.kind != ChangeEvent.Kind.WITHDRAWN else None
        ),
    }


class ChangeSerializer(serializers.Serializer[ChangeEvent]):
    """Documents one change of the feed (built by `change_representation`)."""

    cursor = serializers.CharField()
    kind = serializers.ChoiceField(choices=ChangeEvent.Kind.choices)
    verdict_id = serializers.IntegerField()
    claim_id = serializers.IntegerField()
    occurred_at = serializers.DateTimeField()
    note = serializers.CharField(allow_blank=True)
    verdict = VerdictSerializer(allow_null=True)


class ChangePageSerializer(serializers.Serializer[Any]):
    """Documents one page of the change feed."""

    results = ChangeSerializer(many=True)
    next_cursor = serializers.CharField()
    has_more = serializers.BooleanField()
