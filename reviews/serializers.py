"""The CMS contract: published verdicts as JSON and as schema.org ClaimReview."""

import base64
from typing import Any

from django.conf import settings
from rest_framework import serializers

from reviews.models import ChangeEvent, Evidence, Verdict, VerdictCorrection


class EvidenceSerializer(serializers.ModelSerializer[Evidence]):
    """Evidence as the CMS shows it: where it came from and what it says."""

    class Meta:
        model = Evidence
        fields = ["url", "quote", "stance", "note"]


class CorrectionSerializer(serializers.ModelSerializer[VerdictCorrection]):
    """A public correction of a published verdict: when, why, and the rating before and after."""

    previous_rating = serializers.CharField(source="previous_rating.label")
    rating = serializers.CharField(source="rating.label")

    class Meta:
        model = VerdictCorrection
        fields = ["corrected_at", "note", "previous_rating", "rating", "previous_summary"]


class VerdictSerializer(serializers.ModelSerializer[Verdict]):
    """A published verdict with its claim, article and evidence."""

    claim = serializers.CharField(source="claim.text")
    claim_id = serializers.IntegerField(source="claim.pk")
    article_title = serializers.CharField(source="claim.article.title")
    article_url = serializers.CharField(source="claim.article.source_url")
    rating = serializers.CharField(source="rating.label")
    rating_value = serializers.IntegerField(source="rating.claimreview_value", allow_null=True)
    rating_scale = serializers.CharField(source="rating.scale.name")
    author = serializers.CharField(source="author.get_full_name")
    approved_by = serializers.CharField(source="approved_by.get_full_name")
    evidence = EvidenceSerializer(source="claim.evidence", many=True)
    corrections = CorrectionSerializer(many=True)

    class Meta:
        model = Verdict
        fields = [
            "id",
            "claim_id",
            "claim",
            "article_title",
            "article_url",
            "rating",
            "rating_value",
            "rating_scale",
            "summary",
            "explanation",
            "author",
            "approved_by",
            "published_at",
            "modified_at",
            "evidence",
            "corrections",
        ]


class ClaimReviewSerializer(serializers.BaseSerializer[Verdict]):
    """A published verdict as a schema.org ClaimReview (https://schema.org/ClaimReview) object."""

    def to_representation(self, verdict: Verdict) -> dict[str, Any]:
        rating = verdict.rating
        review_rating: dict[str, Any] = {"@type": "Rating", "alternateName": rating.label}
        if rating.claimreview_value is not None:
            review_rating["ratingValue"] = rating.claimreview_value
            review_rating["bestRating"] = rating.scale.best_value
            review_rating["worstRating"] = rating.scale.worst_value
        article = verdict.claim.article
        appearance: dict[str, Any] = {"@type": "CreativeWork", "headline": article.title}
        if article.source_url:
            appearance["url"] = article.source_url
        if article.published_on:
            appearance["datePublished"] = article.published_on.isoformat()
        item_reviewed: dict[str, Any] = {"@type": "Claim", "appearance": appearance}
        if article.author:
            item_reviewed["author"] = {"@type": "Person", "name": article.author}
        review: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "datePublished": verdict.published_at.isoformat() if verdict.published_at else None,
            "claimReviewed": verdict.claim.text,
            "author": {"@type": "Organization", "name": settings.FACTCHECK_ORGANISATION_NAME},
            "reviewRating": review_rating,
            "reviewBody": verdict.summary,
            "itemReviewed": item_reviewed,
        }
        if verdict.modified_at:
            review["dateModified"] = verdict.modified_at.isoformat()
        corrections = list(verdict.corrections.all())
        if corrections:
            # schema.org has no correction property on ClaimReview; CreativeWork.correction
            # takes text or a CorrectionComment, which is what each note is.
            review["correction"] = [
                {
                    "@type": "CorrectionComment",
                    "text": correction.note,
                    "datePublished": correction.corrected_at.isoformat(),
                }
                for correction in corrections
            ]
        return review


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


def change_representation(event: ChangeEvent, current: dict[int, Verdict]) -> dict[str, Any]:
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
            VerdictSerializer(verdict).data
            if verdict is not None and event.kind != ChangeEvent.Kind.WITHDRAWN
            else None
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
