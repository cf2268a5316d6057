"""Workflows on articles and claims: import, extraction and selection (moves go through the
lifecycle service in claims/lifecycle.py)."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext

from claims import reranking
from claims.extraction import Extraction, ScoredSentence, detect_language, extract, segment
from claims.lifecycle import Action, BulkReport, claim_transition, claims_transition
from claims.models import Article, ArticleRevision, Claim, UserPreference
from factcheck.lib.documents import DocumentError, DocumentLimits, read_document
from factcheck.lib.history import (
    annotate_save,
    chunks,
    create_with_history,
    record_history,
    record_history_copy,
    update_with_history,
)
from factcheck.lib.locking import update_versioned
from factcheck.lib.permissions import require_permission
from factcheck.lib.text import normalise_line, normalise_text

MAX_TITLE_LENGTH = Article._meta.get_field("title").max_length or 300
# A title taken from the text is at most this long: a headline, not the opening paragraph.
TITLE_FROM_TEXT_CHARS = 150


def article_body_validate(body: str) -> str:
    """Return the normalised body, or raise ValidationError saying what is wrong with it."""
    normalised = normalise_text(body)
    if not normalised:
        raise ValidationError(
            {"body": gettext("The article has no text. Paste or upload its text.")}
        )
    limit = settings.FACTCHECK_MAX_ARTICLE_BYTES
    size = len(normalised.encode("utf-8"))
    if size > limit:
        raise ValidationError(
            {
                "body": gettext(
                    "The article is %(size)s MB; the limit is %(limit)s MB. "
                    "Split it into parts and import each."
                )
                % {
                    "size": formats.number_format(size / 1_000_000, 1),
                    "limit": formats.number_format(limit / 1_000_000, 1),
                }
            }
        )
    return normalised


class DuplicateArticleError(ValidationError):
    """The text is already in the desk: `article` is the article that holds it."""

    def __init__(self, article: Article) -> None:
        self.article = article
        super().__init__(
            {
                "body": f"This text is already in the desk as article {article.pk}, "
                f"“{article.title}”: nothing new was created."
            }
        )


def article_import(
    *,
    title: str,
    body: str,
    created_by: Any,
    import_method: str = Article.ImportMethod.PASTE,
    source_url: str = "",
    outlet: str = "",
    author: str = "",
    published_on: datetime.date | None = None,
    language: str = "",
) -> Article:
    """Store an article and its candidate claims, for a newsroom user allowed to add articles.

    A body identical (after normalisation) to an article's already in the desk raises
    DuplicateArticleError naming that article instead of storing a copy. An empty
    ``language`` is detected from the text.
    """
    require_permission(created_by, "claims.add_article")
    return _article_import_new(
        title=title,
        body=body,
        created_by=created_by,
        note=f"imported ({import_method})",
        import_method=import_method,
        source_url=source_url,
        outlet=outlet,
        author=author,
        published_on=published_on,
        language=language,
    )


def _article_import_new(*, body: str, **fields: Any) -> Article:
    """`article_store`, unless the desk already holds the same text (DuplicateArticleError).

    Two imports of the same new text racing each other can both pass the check: there is no
    unique constraint on the text, since a CMS may push one text under two story ids.
    """
    normalised_body = article_body_validate(body)
    existing = (
        Article.objects.filter(body_sha256=body_hash(normalised_body))
        .only("pk", "title")
        .order_by("pk")
        .first()
    )
    if existing is not None:
        raise DuplicateArticleError(existing)
    return article_store(body=normalised_body, **fields)


def article_title_from_text(body: str, language: str) -> str:
    """The title of an article imported without one: the first line of its (normalised) text.

    A first line longer than ``TITLE_FROM_TEXT_CHARS`` is an opening paragraph, not a headline:
    its first sentence is the title, and a sentence longer still is cut at a word, with "…".
    """
    line = normalise_line(body.split("\n", 1)[0])
    if len(line) <= TITLE_FROM_TEXT_CHARS:
        return line
    sentences = segment(line, language)
    first = normalise_line(sentences[0].text) if sentences else line
    if len(first) <= TITLE_FROM_TEXT_CHARS:
        return first
    cut = first[: TITLE_FROM_TEXT_CHARS - 1]
    space = cut.rfind(" ")
    if space >= TITLE_FROM_TEXT_CHARS // 2:  # a word boundary not too far back
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


def article_store(*, title: str, body: str, created_by: Any, note: str, **fields: Any) -> Article:
    """Store an article and its candidate claims.

    Steps: normalise the body once (NFC, `\\n`), refuse empty or oversized text, store it with
    its sha256, then run claim extraction on the stored body.
    """
    normalised_body = article_body_validate(body)
    language = fields.pop("language", "") or article_language_detect(normalised_body)
    normalised_title = normalise_line(title)[:MAX_TITLE_LENGTH] or article_title_from_text(
        normalised_body, language
    )
    # Extract before the transaction: SQLite takes its write lock at BEGIN, and the worker and
    # other users should not wait while a long article is scored.
    threshold = settings.FACTCHECK_CANDIDATE_THRESHOLD
    extraction = extract(normalised_body, threshold=threshold, language=language)
    with transaction.atomic():
        article = Article(
            language=language,
            title=normalised_title,
            body=normalised_body,
            body_sha256=body_hash(normalised_body),
            outlet=normalise_line(fields.pop("outlet", "")),
            author=normalise_line(fields.pop("author", "")),
            created_by=created_by if created_by and created_by.is_authenticated else None,
            extraction=extraction_record(extraction, threshold=threshold),
            consistency_flags=flags_record(extraction),
            **fields,
        )
        annotate_save(article, by=created_by, note=note)
        article.save()
        article_first_revision(article, note=note)
        _claims_store(article=article, extraction=extraction, by=created_by)
        reranking.article_rerank_enqueue(article_id=article.pk, revision=article.revision)
    return article


def article_language_detect(body: str) -> str:
    """The language of an article body ("en" or "es"); English when the text is too short."""
    detected = detect_language(body, default=Article.Language.ENGLISH).language
    return detected if detected in Article.Language.values else Article.Language.ENGLISH


def article_first_revision(article: Article, *, note: str = "imported") -> ArticleRevision:
    """The article's first revision (its text as imported), stored now if it is missing (bulk
    seeded articles have none until their text first changes)."""
    revision, _ = ArticleRevision.objects.get_or_create(
        article=article,
        number=1,
        defaults={
            "title": article.title,
            "body": article.body,
            "body_sha256": article.body_sha256,
            "created_at": article.created_at,
            "created_by": article.created_by,
            "note": note[:200],
        },
    )
    return revision


def body_hash(normalised_body: str) -> str:
    return hashlib.sha256(normalised_body.encode("utf-8")).hexdigest()


def document_limits() -> DocumentLimits:
    """The limits on uploaded and command-imported files, from settings."""
    return DocumentLimits(
        max_bytes=settings.FACTCHECK_MAX_UPLOAD_BYTES,
        max_pages=settings.FACTCHECK_MAX_UPLOAD_PAGES,
        max_decompressed_bytes=settings.FACTCHECK_MAX_UNPACKED_BYTES,
    )


def article_import_file(*, title: str, data: bytes, filename: str, created_by: Any) -> Article:
    """Import an uploaded file: plain text, Markdown, HTML, Word (.docx) or PDF, told apart by
    its content (factcheck/lib/documents.py); anything else is refused saying what is taken."""
    require_permission(created_by, "claims.add_article")
    return _article_import_document(
        title=title,
        data=data,
        filename=filename,
        created_by=created_by,
        note="imported (upload)",
    )


def _article_import_document(
    *, title: str, data: bytes, filename: str, created_by: Any, note: str
) -> Article:
    try:
        document = read_document(data, filename=filename, limits=document_limits())
    except DocumentError as error:
        raise ValidationError({"file": str(error)}) from error
    return _article_import_new(
        title=title or document.title,
        body=document.text,
        created_by=created_by,
        note=note,
        import_method=Article.ImportMethod.UPLOAD,
    )


class FileImport(StrEnum):
    IMPORTED = "imported"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


@dataclass(frozen=True)
class FileImportResult:
    """What `article_import_path` did with one file."""

    path: Path
    outcome: FileImport
    article: Article | None = None
    reason: str = ""


def article_import_path(*, path: Path, created_by: Any = None) -> FileImportResult:
    """Import one file from disk for `manage.py import_articles` (an operator's command, so no
    role is checked; `created_by` is recorded when given).

    A file too large is refused before it is read; a text the desk already holds is
    `unchanged` (so a second run adds nothing); any refusal carries the reason a person would
    see on the upload form.
    """
    try:
        size = path.stat().st_size
        if size > settings.FACTCHECK_MAX_UPLOAD_BYTES:
            limit = settings.FACTCHECK_MAX_UPLOAD_BYTES
            return FileImportResult(
                path,
                FileImport.REFUSED,
                reason=f"The file is {size / 1_000_000:.1f} MB; the limit is "
                f"{limit / 1_000_000:.1f} MB.",
            )
        data = path.read_bytes()
    except OSError as error:
        return FileImportResult(path, FileImport.REFUSED, reason=f"Cannot read it: {error}")
    try:
        article = _article_import_document(
            title="",
            data=data,
            filename=path.name,
            created_by=created_by,
            note=f"imported by manage.py import_articles from {path.name}",
        )
    except DuplicateArticleError as duplicate:
        return FileImportResult(path, FileImport.UNCHANGED, article=duplicate.article)
    except ValidationError as error:
        return FileImportResult(path, FileImport.REFUSED, reason=" ".join(error.messages))
    return FileImportResult(path, FileImport.IMPORTED, article=article)


def article_sentences(*, article: Article) -> list[ScoredSentence]:
    """Every sentence of the article as scored at import, in reading order (no re-extraction)."""
    stored = article.extraction
    if not stored.get("sentences"):
        # Only rows written before the result was stored and missed by the data migration.
        extraction = extract(
            article.body,
            threshold=settings.FACTCHECK_CANDIDATE_THRESHOLD,
            language=article.language,
        )
        return list(extraction.sentences)
    threshold = float(stored.get("threshold", settings.FACTCHECK_CANDIDATE_THRESHOLD))
    return [
        ScoredSentence(
            index=item["index"],
            start=item["start"],
            end=item["end"],
            text=article.body[item["start"] : item["end"]],
            score=item["score"],
            reasons=tuple(item["reasons"]),
            is_candidate=item["score"] >= threshold,
        )
        for item in stored["sentences"]
    ]


def article_other_sentences(*, article: Article) -> list[ScoredSentence]:
    """Sentences of the article that are not claims yet, scored, in reading order."""
    taken = set(article.claims.values_list("start", flat=True))
    return [s for s in article_sentences(article=article) if s.start not in taken]


@transaction.atomic
def claim_promote(*, article: Article, user: Any, start: int) -> Claim:
    """Make a sentence the engine scored below the threshold into a selected claim.

    The sentence is looked up again by its start offset, so a claim is always a whole sentence
    anchored to the stored body.
    """
    require_permission(user, "claims.select_claim")
    sentence = next((s for s in article_other_sentences(article=article) if s.start == start), None)
    if sentence is None:
        raise ValidationError(gettext("That sentence is already a claim or is not in the article."))
    claim = claim_for_sentence(article=article, sentence=sentence)
    annotate_save(claim, by=user, note="made a claim from a sentence below the threshold")
    claim.save()
    return claim_transition(claim=claim, action=Action.SELECT, user=user)


def claim_for_sentence(*, article: Article, sentence: ScoredSentence) -> Claim:
    """An unsaved candidate claim anchored to one scored sentence of the article."""
    return Claim(
        article=article,
        text=sentence.text,
        start=sentence.start,
        end=sentence.end,
        position=sentence.index,
        score=sentence.score,
        reasons=list(sentence.reasons),
    )


def extraction_record(extraction: Extraction, *, threshold: float) -> dict[str, Any]:
    """The extraction result as stored on the article (texts are slices of the body)."""
    return {
        "threshold": threshold,
        "sentences": [
            {
                "index": s.index,
                "start": s.start,
                "end": s.end,
                "score": s.score,
                "reasons": list(s.reasons),
            }
            for s in extraction.sentences
        ],
    }


def flags_record(extraction: Extraction) -> list[dict[str, Any]]:
    by_index = {sentence.index: sentence for sentence in extraction.sentences}
    return [
        {
            "kind": flag.kind,
            "message": flag.message,
            "arithmetic": flag.arithmetic,
            "severity": flag.severity,
            # The message's template and values, so the page can show it translated.
            "template": flag.template,
            "params": dict(flag.params),
            "spans": [
                [by_index[index].start, by_index[index].end]
                for index in flag.sentence_indexes
                if index in by_index
            ],
        }
        for flag in extraction.flags
    ]


def _claims_store(*, article: Article, extraction: Extraction, by: Any) -> list[Claim]:
    claims = [
        claim_for_sentence(article=article, sentence=sentence)
        for sentence in extraction.sentences
        if sentence.is_candidate
    ]
    for claim in claims:
        if article.body[claim.start : claim.end] != claim.text:  # the invariant, never trusted
            raise ValidationError(f"Extraction produced a misaligned claim: {claim.text!r}")
    return create_with_history(Claim, claims, by=by, note="extracted at import")


@transaction.atomic
def claim_select(*, claim: Claim, user: Any, expected_version: int | None = None) -> Claim:
    """Put a candidate (or a dismissed claim) on the review queue."""
    return claim_transition(
        claim=claim, action=Action.SELECT, user=user, expected_version=expected_version
    )


@transaction.atomic
def claim_dismiss(*, claim: Claim, user: Any, expected_version: int | None = None) -> Claim:
    """Take a candidate or selected claim off the desk."""
    return claim_transition(
        claim=claim, action=Action.DISMISS, user=user, expected_version=expected_version
    )


@transaction.atomic
def claim_restore(*, claim: Claim, user: Any, expected_version: int | None = None) -> Claim:
    """Bring a dismissed claim back as a candidate."""
    return claim_transition(
        claim=claim, action=Action.RESTORE, user=user, expected_version=expected_version
    )


def claims_bulk_update_status(*, claim_ids: Iterable[int], user: Any, select: bool) -> int:
    """Select (or dismiss) many claims at once; claims not in a state that allows it are skipped.

    Returns how many claims changed.
    """
    require_permission(user, "claims.select_claim")
    action = Action.SELECT if select else Action.DISMISS
    return claims_transition(claim_ids=claim_ids, action=action, user=user).changed


@transaction.atomic
def claim_take(*, claim: Claim, user: Any) -> Claim:
    """A reviewer takes a selected claim from the queue; only one reviewer can win it."""
    require_permission(user, "reviews.add_verdict")
    if claim.assignee_id is not None and claim.assignee_id != user.pk:
        raise ValidationError(
            gettext("This claim is assigned to %(assignee)s.") % {"assignee": claim.assignee}
        )
    if claim.status != Claim.Status.SELECTED:
        raise ValidationError(gettext("This claim is not on the queue any more."))
    return claim_transition(claim=claim, action=Action.TAKE, user=user, assignee=user)


@transaction.atomic
def claims_mark_urgent(*, claim_ids: Iterable[int], user: Any) -> int:
    """Raise open claims to urgent priority (an admin's bulk action); returns how many changed."""
    require_permission(user, "claims.select_claim")
    chosen = Claim.objects.filter(pk__in=list(claim_ids)).exclude(
        status__in=[Claim.Status.PUBLISHED, Claim.Status.WITHDRAWN, Claim.Status.DISMISSED]
    )
    changed = update_with_history(
        chosen,
        by=user,
        note="marked urgent",
        priority=Claim.Priority.URGENT,
        version=F("version") + 1,
    )
    return len(changed)


# --- Bulk edits (admin actions, set-based) ---------------------------------------------------


@transaction.atomic
def claims_assign(
    *, claim_ids: Iterable[int] | QuerySet[Any], user: Any, assignee: Any, note: str = ""
) -> BulkReport:
    """Hand many claims to one reviewer with a few set-based queries, history included.

    Steps: refuse an assignee who is not a reviewer; refuse the claims that carry someone
    else's draft verdict (they must finish it or hand it over, as `claim_assign` says); move the
    rest by the lifecycle table's `assign` cell (closed claims are refused by state).
    """
    require_permission(user, "claims.select_claim")
    if not assignee.has_perm("reviews.add_verdict"):
        raise ValidationError(
            {"assignee": gettext("%(user)s is not a reviewer.") % {"user": assignee}}
        )
    # The verdict model is reached through the relation: claims never imports the review desk.
    verdict_model = Claim._meta.get_field("verdicts").related_model
    foreign_draft = Exists(
        verdict_model._default_manager.filter(
            claim=OuterRef("pk"), is_current=True, published_at__isnull=True
        ).exclude(author=assignee)
    )
    return claims_transition(
        claim_ids=claim_ids,
        action=Action.ASSIGN,
        user=user,
        note=note or f"assigned to {assignee}",
        changes={"assignee": assignee},
        refuse={gettext("with another reviewer's draft verdict"): Q(foreign_draft)},
    )


@transaction.atomic
def claims_schedule(
    *,
    claim_ids: Iterable[int] | QuerySet[Any],
    user: Any,
    priority: int | None = None,
    due_on: datetime.date | None = None,
    clear_due_on: bool = False,
) -> BulkReport:
    """Set the priority and/or due date of many open claims at once, history included.

    Closed claims (published, withdrawn, dismissed) are refused and counted by state. Each
    changed claim's version moves on, so a list page opened before this refuses its stale edit.
    """
    require_permission(user, "claims.select_claim")
    changes: dict[str, Any] = {}
    if priority is not None:
        changes["priority"] = priority
    if due_on is not None or clear_due_on:
        changes["due_on"] = due_on
    if not changes:
        raise ValidationError(gettext("Choose a priority or a due date to set."))
    if isinstance(claim_ids, QuerySet):
        chosen = Claim.objects.filter(pk__in=claim_ids)
    else:
        chosen = Claim.objects.filter(pk__in=list(claim_ids))
    report = BulkReport()
    for status, count in (
        chosen.filter(status__in=Claim.CLOSED_STATUSES)
        .values_list("status")
        .annotate(n=Count("pk"))
    ):
        report.refused[Claim.Status(status).label.lower()] += count
    ids = list(
        chosen.exclude(status__in=Claim.CLOSED_STATUSES)
        .select_for_update()
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    for chunk in chunks(ids):
        report.changed += Claim.objects.filter(pk__in=chunk).update(
            version=F("version") + 1, updated_at=now, **changes
        )
    described = ", ".join(f"{name} {value}" for name, value in changes.items())
    record_history_copy(Claim, ids, by=user, note=f"set {described}", at=now)
    return report


@dataclass(frozen=True)
class Reextraction:
    """What re-running extraction did: articles re-scored and new candidate claims stored."""

    articles: int
    new_claims: int


def articles_reextract(*, article_ids: Iterable[int] | QuerySet[Any], user: Any) -> Reextraction:
    """Run claim extraction again on stored articles (after a model or threshold change).

    Steps: score each body with today's engine and threshold (before any transaction, as at
    import); then in one transaction store every article's extraction and consistency flags
    with one bulk update and one history insert, and add the new candidates (sentences that
    are not claims yet) with one bulk insert and their history. Existing claims stay as they
    are: the body never changes, so their anchors hold and the work done on them is kept.
    """
    require_permission(user, "claims.change_article")
    threshold = settings.FACTCHECK_CANDIDATE_THRESHOLD
    articles = list(
        Article.objects.filter(pk__in=article_ids)
        .only("pk", "body", "title", "language")
        .order_by("pk")
    )
    results = [
        (article, extract(article.body, threshold=threshold, language=article.language))
        for article in articles
    ]
    with transaction.atomic():
        # Starts and positions are unique per article: a sentence whose start or index is
        # already a claim's is skipped (the engine's segmentation may have moved since).
        taken: dict[int, set[tuple[str, int]]] = {}
        for article_id, start, position in (
            Claim.objects.filter(article_id__in=[article.pk for article in articles])
            .exclude(anchor=Claim.Anchor.ORPHANED)
            .values_list("article_id", "start", "position")
        ):
            taken.setdefault(article_id, set()).update({("start", start), ("index", position)})
        new_claims: list[Claim] = []
        for article, extraction in results:
            article.extraction = extraction_record(extraction, threshold=threshold)
            article.consistency_flags = flags_record(extraction)
            new_claims.extend(
                claim_for_sentence(article=article, sentence=sentence)
                for sentence in extraction.sentences
                if sentence.is_candidate
                and not {("start", sentence.start), ("index", sentence.index)}
                & taken.get(article.pk, set())
            )
        Article.objects.bulk_update(articles, ["extraction", "consistency_flags"], batch_size=500)
        record_history(
            Article.objects.filter(pk__in=[article.pk for article in articles]).defer(
                "body", "extraction"
            ),
            by=user,
            note="extraction re-run",
        )
        create_with_history(Claim, new_claims, by=user, note="extracted again")
        reranking.articles_rerank_enqueue(article_ids=[article.pk for article in articles])
    return Reextraction(articles=len(articles), new_claims=len(new_claims))


@transaction.atomic
def claim_schedule(
    *,
    claim: Claim,
    user: Any,
    priority: int,
    due_on: datetime.date | None,
    expected_version: int,
) -> Claim:
    """Set one open claim's priority and due date, if it is still at the version the user saw.

    Used by the admin's spreadsheet import: a row exported before someone else's change is
    refused (StaleVersionError), never saved over.
    """
    require_permission(user, "claims.select_claim")
    if claim.status in Claim.CLOSED_STATUSES:
        raise ValidationError(
            gettext("A claim that is %(status)s cannot be planned.")
            % {"status": claim.get_status_display()}
        )
    update_versioned(
        claim,
        expected_version=expected_version,
        by=user,
        note="priority and due date set (import)",
        condition=~Q(status__in=Claim.CLOSED_STATUSES),
        priority=priority,
        due_on=due_on,
    )
    return claim


def user_language_set(*, user: Any, language: str) -> UserPreference:
    """Store the language the desk speaks to this user (one of settings.LANGUAGES)."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": gettext("Choose one of the offered languages.")})
    preference, _ = UserPreference.objects.update_or_create(
        user=user, defaults={"language": language}
    )
    return preference
