"""Other publishers' fact-checks: importing schema.org ClaimReview records.

`claimreviews_import` reads the text of a file: a single ClaimReview, a list of them, an object
holding a list (``{"claims": [...]}``, the Google Fact Check Tools shape with its nested
``claimReview`` list, ``{"@graph": [...]}``), or JSON Lines of ClaimReviews. A record that cannot
be used (no claim text, no URL, a URL that is not http(s), a date that is not one, a line that is
not JSON, a value that is not an object) is counted and reported with where it was; it never
stops the import. A record already imported (same review URL and claim text) is updated.
"""

from __future__ import annotations

import datetime
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from reviews import matching
from reviews.models import ExternalFactCheck

# Claims are a sentence or two; anything much longer is not a claim.
CLAIM_MAX_LENGTH = 5000
URL_MAX_LENGTH = ExternalFactCheck._meta.get_field("review_url").max_length or 1000
LIST_KEYS = ("claims", "claimReviews", "claimreviews", "@graph", "items", "data", "results")
_url_ok = URLValidator(schemes=["http", "https"])


@dataclass
class ImportReport:
    """What an import did: counts, and each skipped record with where it was and why."""

    imported: int = 0
    updated: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)

    def skip(self, where: str, why: str) -> None:
        self.skipped += 1
        self.problems.append(f"{where}: {why}")


class BadRecord(ValueError):
    """A record that cannot be imported; its message says why."""


# --- Reading the file -------------------------------------------------------------------------


def _records(text: str, report: ImportReport) -> Iterator[tuple[str, Any]]:
    """(where, value) for every top-level record of a JSON document or of JSON Lines."""
    text = text.lstrip("\ufeff")
    try:
        document = json.loads(text)
    except ValueError:
        document = None
        lines = True
    else:
        lines = False
    if not lines:
        yield from _unwrap(document, "record")
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            report.skip(f"line {number}", f"not JSON ({error.msg})")
            continue
        yield from _unwrap(value, f"line {number}")


def _unwrap(value: Any, where: str) -> Iterator[tuple[str, Any]]:
    """A list, or an object holding one, gives its items; anything else is one record."""
    if isinstance(value, dict):
        for key in LIST_KEYS:
            if isinstance(value.get(key), list):
                value = value[key]
                break
    if isinstance(value, list):
        for number, item in enumerate(value, start=1):
            yield (f"{where} {number}" if where != "record" else f"record {number}"), item
    else:
        yield (where if where != "record" else "record 1"), value


def _reviews(where: str, value: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """One record as fact-check fields: a Google claim gives one per review in it."""
    if not isinstance(value, dict):
        raise BadRecord(f"not an object ({type(value).__name__})")
    if "claimReview" in value:
        reviews = value["claimReview"]
        if not isinstance(reviews, list):
            reviews = [reviews]
        for number, review in enumerate(reviews, start=1):
            label = f"{where} review {number}" if len(reviews) > 1 else where
            if not isinstance(review, dict):
                yield label, {"error": f"review is not an object ({type(review).__name__})"}
                continue
            yield label, _from_google(value, review)
        return
    yield where, _from_schema_org(value)


def _text(value: Any, limit: int = 200) -> str:
    if isinstance(value, dict):
        value = value.get("name") or ""
    if isinstance(value, list):
        value = next((_text(item, limit) for item in value if _text(item, limit)), "")
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return ""
    return " ".join(str(value).split())[:limit]


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _from_google(claim: dict[str, Any], review: dict[str, Any]) -> dict[str, Any]:
    publisher = _object(review.get("publisher"))
    return {
        "claim_text": _text(claim.get("text"), CLAIM_MAX_LENGTH + 1),
        "claimant": _text(claim.get("claimant")),
        "publisher_name": _text(publisher.get("name")),
        "publisher_site": _text(publisher.get("site")),
        "review_url": review.get("url"),
        "title": _text(review.get("title"), 500),
        "rating_text": _text(review.get("textualRating")),
        "rating_value": None,
        "date_published": review.get("reviewDate"),
        "language": _text(review.get("languageCode"), 20),
    }


def _from_schema_org(record: dict[str, Any]) -> dict[str, Any]:
    item = _object(record.get("itemReviewed"))
    rating = _object(record.get("reviewRating"))
    who = record.get("publisher") or record.get("author") or {}
    if isinstance(who, list):
        who = next((p for p in who if isinstance(p, dict)), {})
    publisher = who if isinstance(who, dict) else {"name": who}
    site = _text(publisher.get("url"), 1000)
    try:
        host = urlsplit(site).hostname or ""
    except ValueError:
        host = ""
    return {
        "claim_text": _text(record.get("claimReviewed"), CLAIM_MAX_LENGTH + 1),
        "claimant": _text(item.get("author")),
        "publisher_name": _text(publisher.get("name")),
        "publisher_site": host or site[:200],
        "review_url": record.get("url"),
        "title": _text(record.get("name") or record.get("headline"), 500),
        "rating_text": _text(rating.get("alternateName")),
        "rating_value": rating.get("ratingValue"),
        "date_published": record.get("datePublished"),
        "language": _text(record.get("inLanguage"), 20),
    }


def _date(value: Any) -> datetime.date | None:
    """An ISO date or date-time (only its date is kept); empty is None, anything else bad."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise BadRecord(f"date is not a date: {value!r:.40}")
    try:
        return datetime.date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise BadRecord(f"date is not a date: {value!r:.40}") from None


def _number(value: Any) -> float | None:
    """ratingValue as a number when it is one (it is often a string), else None."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    """Fields checked and converted, or BadRecord saying what is wrong."""
    if "error" in fields:
        raise BadRecord(fields["error"])
    if not fields["claim_text"]:
        raise BadRecord("no claim text")
    if len(fields["claim_text"]) > CLAIM_MAX_LENGTH:
        raise BadRecord(f"claim text longer than {CLAIM_MAX_LENGTH} characters")
    url = fields["review_url"]
    if not isinstance(url, str) or not url.strip():
        raise BadRecord("no review URL")
    url = url.strip()
    try:
        if len(url) > URL_MAX_LENGTH:
            raise ValidationError("too long")
        _url_ok(url)
    except ValidationError:
        raise BadRecord(f"review URL is not an http(s) URL: {url!r:.60}") from None
    return {
        **fields,
        "review_url": url,
        "date_published": _date(fields["date_published"]),
        "rating_value": _number(fields["rating_value"]),
    }


# --- The service ------------------------------------------------------------------------------


@transaction.atomic
def claimreviews_import(*, text: str) -> ImportReport:
    """Import other publishers' ClaimReviews from the text of a JSON or JSON Lines file.

    Steps: read the records (bad JSON lines reported); turn each into fact-check fields (a
    Google claim gives one per review); check them (claim text, http(s) URL, dates); create or
    update by review URL and claim text; index what was stored for matching.
    """
    report = ImportReport()
    stored: list[int] = []
    now = timezone.now()
    for where, value in _records(text, report):
        try:
            reviews = list(_reviews(where, value))
        except BadRecord as error:
            report.skip(where, str(error))
            continue
        for label, fields in reviews:
            try:
                cleaned = _clean(fields)
            except BadRecord as error:
                report.skip(label, str(error))
                continue
            sha = ExternalFactCheck.claim_hash(cleaned["claim_text"])
            record, created = ExternalFactCheck.objects.update_or_create(
                review_url=cleaned.pop("review_url"),
                claim_sha256=sha,
                defaults={**cleaned, "imported_at": now},
            )
            stored.append(record.pk)
            if created:
                report.imported += 1
            else:
                report.updated += 1
    matching.externals_refresh(external_ids=stored)
    return report
