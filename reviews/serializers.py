"""The CMS contract: published verdicts as JSON and as schema.org ClaimReview."""

from typing import Any

from django.conf import settings
from rest_framework import serializers

from reviews.models import Evidence, Verdict, VerdictCorrection


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
