"""The CMS contract: published verdicts as JSON and as schema.org ClaimReview."""

from typing import Any

from django.conf import settings
from rest_framework import serializers

from reviews.models import Evidence, Verdict


class EvidenceSerializer(serializers.ModelSerializer[Evidence]):
    """Evidence as the CMS shows it: where it came from and what it says."""

    class Meta:
        model = Evidence
        fields = ["url", "quote", "stance", "note"]


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
            "evidence",
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
        return {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "datePublished": verdict.published_at.isoformat() if verdict.published_at else None,
            "claimReviewed": verdict.claim.text,
            "author": {"@type": "Organization", "name": settings.FACTCHECK_ORGANISATION_NAME},
            "reviewRating": review_rating,
            "reviewBody": verdict.summary,
            "itemReviewed": item_reviewed,
        }
