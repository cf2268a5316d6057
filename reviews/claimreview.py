"""What leaves the desk about a verdict: schema.org ClaimReview and the evidence pack.

Plain functions of loaded objects, free of DRF, so the CMS API and the newsroom pages build the
same documents. `claim_review` makes no query when the caller loaded the verdict through
`with_claimreview_data`; `evidence_pack` is for one verdict at a time (load it through
`with_evidence_pack_data`).

ClaimReview follows https://schema.org/ClaimReview and Google's fact-check markup rules
(https://developers.google.com/search/docs/appearance/structured-data/factcheck): `url`,
`claimReviewed`, `author`, `reviewRating` with `alternateName` always and the numbers only for
ordinal labels (worst 1 or more), and `itemReviewed` a Claim with its appearance.
"""

from __future__ import annotations

import datetime
import string
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from claims.models import Claim
from reviews.models import Evidence, Verdict, VerdictCorrection

URL_PATTERN_FIELDS = {"verdict_id", "claim_id", "article_id", "external_id"}
# The evidence pack's layout; raised when a key changes meaning, so stored packs stay readable.
EVIDENCE_PACK_VERSION = 1
# Whole sentences of the article shown on each side of the claim in the evidence pack.
CONTEXT_SENTENCES = 2
# Characters on each side instead, for an article imported without stored sentences.
CONTEXT_CHARS = 400


# --- Loading ----------------------------------------------------------------------------------


def with_claimreview_data(verdicts: QuerySet[Verdict]) -> QuerySet[Verdict]:
    """The verdicts with everything `claim_review` reads, in a fixed number of queries.

    The article's body and extraction are left out: a ClaimReview never shows them.
    """
    return (
        verdicts.select_related("claim__article", "rating__scale")
        .defer(
            "claim__article__body",
            "claim__article__extraction",
            "claim__article__consistency_flags",
        )
        .prefetch_related("rating__scale__ratings", "corrections")
    )


def with_evidence_pack_data(verdicts: QuerySet[Verdict]) -> QuerySet[Verdict]:
    """The verdicts with everything `evidence_pack` reads but the claim's status history."""
    return verdicts.select_related(
        "claim__article", "rating__scale", "author", "approved_by"
    ).prefetch_related(
        "rating__scale__ratings",
        Prefetch(
            "claim__evidence",
            queryset=Evidence.objects.select_related("source", "added_by").order_by(
                "added_at", "pk"
            ),
        ),
        Prefetch(
            "corrections",
            queryset=VerdictCorrection.objects.select_related(
                "previous_rating", "rating", "corrected_by"
            ),
        ),
    )


# --- ClaimReview ------------------------------------------------------------------------------


def _iso(value: datetime.date | datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _pattern_fields(pattern: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(pattern) if field is not None}


def claimreview_url(verdict: Verdict) -> str | None:
    """The absolute URL of the public page that carries this fact check (ClaimReview `url`).

    Steps:
    1. `FACTCHECK_CLAIMREVIEW_URL_PATTERN`, when set, filled with {verdict_id}, {claim_id},
       {article_id} and {external_id} (the article's CMS id, percent-encoded). A pattern that
       needs {external_id} is skipped for an article that has none.
    2. Otherwise the article's own URL with the anchor `#claim-<claim id>` (the CMS renders the
       verdict next to the claim in the story, under that id).
    3. Otherwise None, and the ClaimReview has no `url`. Google requires one, but this desk
       publishes no public page of its own: a made-up address (our base URL, or the newsroom
       evidence pack, which needs a login) would send readers and search engines to a page
       that is not the fact check. The CMS knows where it publishes; set the pattern or give
       the article its URL.

    A pattern naming another field, or giving anything but an absolute http(s) URL, is a
    configuration error (ImproperlyConfigured), not something to publish quietly.
    """
    claim = verdict.claim
    article = claim.article
    pattern: str = settings.FACTCHECK_CLAIMREVIEW_URL_PATTERN
    if pattern:
        fields = _pattern_fields(pattern)
        unknown = fields - URL_PATTERN_FIELDS
        if unknown:
            raise ImproperlyConfigured(
                f"FACTCHECK_CLAIMREVIEW_URL_PATTERN names {sorted(unknown)}; it may use only "
                f"{sorted(URL_PATTERN_FIELDS)}."
            )
        if "external_id" not in fields or article.external_id:
            url = pattern.format(
                verdict_id=verdict.pk,
                claim_id=claim.pk,
                article_id=article.pk,
                external_id=quote(article.external_id),
            )
            parts = urlsplit(url)
            if parts.scheme not in {"http", "https"} or not parts.netloc:
                raise ImproperlyConfigured(
                    "FACTCHECK_CLAIMREVIEW_URL_PATTERN must give an absolute http(s) URL; "
                    f"it gave {url!r}."
                )
            return url
    if article.source_url:
        parts = urlsplit(article.source_url)
        return urlunsplit(parts._replace(fragment=f"claim-{claim.pk}"))
    return None


def review_rating(verdict: Verdict) -> dict[str, Any]:
    """The schema.org Rating of a verdict: the label always, the numbers for ordinal labels.

    `ratingExplanation` is a property of Rating in schema.org (not of ClaimReview): the
    verdict's one-line summary, which is what it asks for ("one to two sentences").
    """
    rating = verdict.rating
    result: dict[str, Any] = {"@type": "Rating", "alternateName": rating.label}
    if rating.claimreview_value is not None:
        # One pass over the scale (prefetched by with_claimreview_data).
        values = [
            other.claimreview_value
            for other in rating.scale.ratings.all()
            if other.claimreview_value is not None
        ]
        result["ratingValue"] = rating.claimreview_value
        result["bestRating"] = max(values)
        result["worstRating"] = min(values)
    result["ratingExplanation"] = verdict.summary
    return result


def _claim_item(claim: Claim) -> dict[str, Any]:
    """ClaimReview `itemReviewed`: the Claim, who made it, and the article it appeared in.

    The claim's author is the claimant the reviewer recorded, as a Person (the usual case: the
    official quoted; the desk does not record whether it is an organisation). With no claimant
    there is no author: the article's author is the journalist who reported the claim, and
    naming them as its author would attribute it to the wrong person. The journalist is named
    where they belong, as the author of the appearance.
    """
    article = claim.article
    appearance: dict[str, Any] = {"@type": "NewsArticle", "headline": article.title}
    if article.source_url:
        appearance["url"] = article.source_url
    if article.published_on:
        appearance["datePublished"] = article.published_on.isoformat()
    if article.author:
        appearance["author"] = {"@type": "Person", "name": article.author}
    if article.outlet:
        appearance["publisher"] = {"@type": "Organization", "name": article.outlet}
    item: dict[str, Any] = {"@type": "Claim"}
    if claim.claimant:
        item["author"] = {"@type": "Person", "name": claim.claimant}
    if article.published_on:
        item["datePublished"] = article.published_on.isoformat()
    item["appearance"] = appearance
    return item


def claim_review(verdict: Verdict) -> dict[str, Any]:
    """A published verdict as one schema.org ClaimReview JSON-LD object.

    Keys with no value are left out rather than sent as null (a draft has no datePublished, an
    article without a URL may give no `url`). `dateModified` is the last correction's time, or
    the publication time when there was none. Corrections are CorrectionComments
    (CreativeWork.correction), oldest first.
    """
    claim = verdict.claim
    review: dict[str, Any] = {"@context": "https://schema.org", "@type": "ClaimReview"}
    url = claimreview_url(verdict)
    if url:
        review["url"] = url
    review["claimReviewed"] = claim.text
    review["author"] = {"@type": "Organization", "name": settings.FACTCHECK_ORGANISATION_NAME}
    published = _iso(verdict.published_at)
    if published:
        review["datePublished"] = published
        review["dateModified"] = _iso(verdict.modified_at) or published
    review["reviewRating"] = review_rating(verdict)
    review["reviewBody"] = verdict.explanation or verdict.summary
    review["itemReviewed"] = _claim_item(claim)
    corrections = list(verdict.corrections.all())
    if corrections:
        review["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": correction.note,
                "datePublished": correction.corrected_at.isoformat(),
            }
            for correction in corrections
        ]
    return review


# --- The evidence pack ------------------------------------------------------------------------


def _person(user: Any) -> dict[str, str] | None:
    if user is None:
        return None
    return {"username": user.get_username(), "name": user.get_full_name() or user.get_username()}


def claim_in_context(claim: Claim, sentences: int = CONTEXT_SENTENCES) -> dict[str, Any]:
    """The article text around the claim: whole sentences before and after, with offsets.

    Steps: take the sentence spans stored at import (`article.extraction`); start `sentences`
    sentences before the one the claim starts in and end `sentences` after the one it ends in
    (the article's start or end when there are fewer). Without stored sentences, the model's
    window of CONTEXT_CHARS characters on each side stands in.
    """
    body = claim.article.body
    spans = [
        (int(item["start"]), int(item["end"]))
        for item in (claim.article.extraction or {}).get("sentences", [])
    ]
    if not spans:
        begin = max(0, claim.start - CONTEXT_CHARS)
        finish = min(len(body), claim.end + CONTEXT_CHARS)
    else:
        starts = sorted(start for start, _ in spans if start <= claim.start)
        ends = sorted(end for _, end in spans if end >= claim.end)
        begin = starts[-(sentences + 1)] if len(starts) > sentences else 0
        finish = ends[sentences] if len(ends) > sentences else len(body)
    return {
        "before": body[begin : claim.start],
        "text": claim.text,
        "after": body[claim.end : finish],
        "start": claim.start,
        "end": claim.end,
        "context_start": begin,
        "context_end": finish,
    }


def _status_history(claim: Claim) -> list[dict[str, Any]]:
    """Each change of the claim's status, oldest first, with who, when and the note (one query)."""
    rows = Claim.history.filter(id=claim.pk).select_related("history_user").order_by("history_id")
    changes = []
    previous = None
    for row in rows:
        if row.status != previous:
            changes.append(
                {
                    "status": row.status,
                    "status_display": str(Claim.Status(row.status).label),
                    "at": row.history_date.isoformat(),
                    "by": _person(row.history_user),
                    "note": row.history_change_reason or "",
                }
            )
            previous = row.status
    return changes


def _evidence_item(item: Evidence) -> dict[str, Any]:
    source = item.source
    return {
        "id": item.pk,
        "url": item.url,
        "stance": item.stance,
        "stance_display": str(item.get_stance_display()),
        "quote": item.quote,
        "note": item.note,
        "added_by": _person(item.added_by),
        "added_at": item.added_at.isoformat(),
        "source": None
        if source is None
        else {
            "id": source.pk,
            "url": source.url,
            "final_url": source.final_url,
            "title": source.title,
            "fetch_status": source.fetch_status,
            "http_status": source.http_status,
            "fetched_at": _iso(source.fetched_at),
            "body_sha256": source.body_sha256,
            "last_error": source.last_error,
        },
    }


def _correction(correction: VerdictCorrection) -> dict[str, Any]:
    return {
        "corrected_at": correction.corrected_at.isoformat(),
        "corrected_by": _person(correction.corrected_by),
        "note": correction.note,
        "before": {
            "rating": correction.previous_rating.label,
            "summary": correction.previous_summary,
            "explanation": correction.previous_explanation,
        },
        "after": {
            "rating": correction.rating.label,
            "summary": correction.summary,
            "explanation": correction.explanation,
        },
    }


def _verdict_state(verdict: Verdict) -> str:
    if verdict.withdrawn_at:
        return "withdrawn"
    if verdict.published_at:
        return "published"
    return "submitted" if verdict.submitted_at else "draft"


def evidence_pack(verdict: Verdict) -> dict[str, Any]:
    """Everything a standards or legal review needs about one verdict, as one JSON document.

    The article and the claim in context, the verdict and its state, each evidence item with
    its archived source (hash of the fetched body and fetch time), who wrote, submitted,
    approved and published it and when, every correction (before and after), the claim's
    status history, and when the pack was made. Times are ISO 8601 with their offset.
    """
    claim = verdict.claim
    article = claim.article
    rating = verdict.rating
    return {
        "pack_version": EVIDENCE_PACK_VERSION,
        "generated_at": timezone.now().isoformat(),
        "verdict_id": verdict.pk,
        "public_url": claimreview_url(verdict),
        "article": {
            "id": article.pk,
            "title": article.title,
            "url": article.source_url,
            "outlet": article.outlet,
            "author": article.author,
            "published_on": _iso(article.published_on),
            "external_id": article.external_id,
            "body_sha256": article.body_sha256,
        },
        "claim": {
            "id": claim.pk,
            "text": claim.text,
            "claimant": claim.claimant,
            "status": claim.status,
            "context": claim_in_context(claim),
        },
        "verdict": {
            "state": _verdict_state(verdict),
            "rating": rating.label,
            "rating_value": rating.claimreview_value,
            "rating_scale": rating.scale.name,
            "rating_description": rating.description,
            "summary": verdict.summary,
            "explanation": verdict.explanation,
            "version": verdict.version,
            "published_at": _iso(verdict.published_at),
            "modified_at": _iso(verdict.modified_at),
            "withdrawn_at": _iso(verdict.withdrawn_at),
            "withdrawal_reason": verdict.withdrawal_reason,
        },
        "review": {
            "author": _person(verdict.author),
            "submitted_at": _iso(verdict.submitted_at),
            "approved_by": _person(verdict.approved_by),
            "approved_at": _iso(verdict.approved_at),
        },
        "evidence": [_evidence_item(item) for item in claim.evidence.all()],
        "corrections": [_correction(correction) for correction in verdict.corrections.all()],
        "status_history": _status_history(claim),
    }
