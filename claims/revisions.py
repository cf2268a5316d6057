"""Article revisions: a new text for an article, with every claim re-anchored to it.

Every text an article has had is kept as an ArticleRevision; the article holds the current one
(`Article.revision` is its number). When a new text arrives (a CMS push of a changed story),
each claim is re-anchored with `factcheck.lib.anchoring.reanchor`: exact match first, then
fuzzy by the text around it. A claim whose sentence is still there stays (moved when its
offsets changed); one whose sentence was edited takes the edited sentence and is marked
changed; one whose sentence is gone is orphaned: never deleted, it keeps its evidence, verdict
and offsets, which point into the revision it was last in (`Claim.revision`), so for every claim
`claim.text == article.revision_body(claim.revision)[claim.start:claim.end]`.

Published verdicts belong to the review desk (reviews/): a changed claim whose verdict is
published is only reported here (`Revised.published_changed`); the caller withdraws the verdict
and reopens the claim through the lifecycle.
"""

from __future__ import annotations

import bisect
import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from claims import reranking
from claims.extraction import ScoredSentence, extract
from claims.models import REVISION_CHANGES, Article, ArticleRevision, Claim
from claims.services import (
    MAX_TITLE_LENGTH,
    article_body_validate,
    article_first_revision,
    article_store,
    body_hash,
    claim_for_sentence,
    extraction_record,
    flags_record,
)
from factcheck.lib.anchoring import Anchor, Outcome, reanchor
from factcheck.lib.history import create_with_history, record_history_copy
from factcheck.lib.htmltext import readable_text
from factcheck.lib.text import normalise_line
from factcheck.lib.textdiff import Piece, word_diff

# Added to a claim's offsets and position while its row is rewritten, so that the final values
# of one row never meet the old values of another under the per-article unique constraints.
_PARKED = 1_000_000_000


@dataclass
class Revised:
    """What a new text did to an article: the revision made (None when the text was the same)
    and the claims it moved, changed, orphaned or added, by primary key."""

    article: Article
    revision: ArticleRevision | None = None
    unchanged: list[int] = field(default_factory=list)
    moved: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)
    orphaned: list[int] = field(default_factory=list)
    added: list[int] = field(default_factory=list)
    published_changed: list[int] = field(default_factory=list)

    def summary(self) -> dict[str, list[int]]:
        return {kind: getattr(self, kind) for kind in REVISION_CHANGES}


def article_revise(*, article_id: int, title: str, body: str, by: Any, note: str) -> Revised:
    """Make `body` the article's text as a new revision, re-anchoring every claim.

    Steps:
    1. Normalise and check the text; score it (before the transaction, as at import).
    2. Lock the article. The same text as now: nothing changes (returns no revision).
    3. Re-anchor the claims in the current text (orphans stay where they are).
    4. Rewrite the claims that moved or changed: offsets, text, position (the index of the new
       sentence they start in), anchor state and revision; first parked out of the way of the
       unique constraints, then set, in two set-based statements; orphans are marked.
    5. Add the new text's candidate sentences that no claim holds yet, as new candidates.
    6. Store the revision (with what it did to the claims) and the article's new text, title,
       extraction and flags; one history row per claim and article touched, with the note.
    """
    normalised = article_body_validate(body)
    threshold = settings.FACTCHECK_CANDIDATE_THRESHOLD
    # The article keeps its language across revisions (the editor may have set it by hand).
    language = (
        Article.objects.filter(pk=article_id).values_list("language", flat=True).first() or "en"
    )
    extraction = extract(normalised, threshold=threshold, language=language)
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        result = Revised(article=article)
        if article.body_sha256 == body_hash(normalised):
            return result
        article_first_revision(article)
        number = article.revision + 1
        live = list(
            article.claims.exclude(anchor=Claim.Anchor.ORPHANED)
            .only("pk", "start", "end", "text", "position", "status", "score", "reasons")
            .order_by("start")
        )
        placed = reanchor(article.body, normalised, [Anchor(c.start, c.end, c.text) for c in live])
        sentences = extraction.sentences
        starts = [sentence.start for sentence in sentences]
        by_span = {(sentence.start, sentence.end): sentence for sentence in sentences}
        rewritten: list[Claim] = []
        used_positions: set[int] = set()
        used_starts: set[int] = set()
        for claim, where in zip(live, placed, strict=True):
            if where.outcome is Outcome.ORPHANED or where.start is None or where.end is None:
                result.orphaned.append(claim.pk)
                continue
            same_place = _index_at(starts, where.start) == claim.position
            if where.outcome is Outcome.UNCHANGED and same_place:
                result.unchanged.append(claim.pk)
                used_positions.add(claim.position)
                used_starts.add(claim.start)
                continue
            claim.start, claim.end, claim.text = where.start, where.end, where.text or ""
            claim.position = _index_at(starts, where.start)
            sentence = by_span.get((where.start, where.end))
            if where.outcome is Outcome.CHANGED:
                claim.anchor = Claim.Anchor.CHANGED
                result.changed.append(claim.pk)
                if sentence is not None:
                    claim.score, claim.reasons = sentence.score, list(sentence.reasons)
                if claim.status == Claim.Status.PUBLISHED:
                    result.published_changed.append(claim.pk)
            else:
                result.moved.append(claim.pk)
            rewritten.append(claim)
        # Two claims in one sentence of the new text: the later ones take positions past the
        # last sentence, so positions stay unique and in order.
        spare = len(sentences)
        for claim in rewritten:
            if claim.position in used_positions:
                claim.position = spare
                spare += 1
            used_positions.add(claim.position)
            used_starts.add(claim.start)
            claim.revision = number
        # Orphans first: their old offsets may be where a moved or changed claim now starts.
        Claim.objects.filter(pk__in=result.orphaned).update(anchor=Claim.Anchor.ORPHANED)
        moving = [claim.pk for claim in rewritten]
        Claim.objects.filter(pk__in=moving).update(
            start=F("start") + _PARKED, end=F("end") + _PARKED, position=F("position") + _PARKED
        )
        Claim.objects.bulk_update(
            rewritten,
            ["start", "end", "text", "position", "anchor", "revision", "score", "reasons"],
            batch_size=500,
        )
        Claim.objects.filter(pk__in=result.unchanged).update(revision=number)
        added = _new_candidates(article, normalised, sentences, used_starts, used_positions)
        for claim in added:
            claim.revision = number
        article.body = normalised
        article.body_sha256 = body_hash(normalised)
        article.title = normalise_line(title)[:MAX_TITLE_LENGTH] or article.title
        article.extraction = extraction_record(extraction, threshold=threshold)
        article.consistency_flags = flags_record(extraction)
        article.revision = number
        result.added = [
            claim.pk
            for claim in create_with_history(
                Claim, added, by=by, note=f"revision {number}: a new sentence"
            )
        ]
        result.revision = ArticleRevision.objects.create(
            article=article,
            number=number,
            title=article.title,
            body=normalised,
            body_sha256=article.body_sha256,
            created_by=by if by is not None and by.is_authenticated else None,
            note=note[:200],
            changes=result.summary(),
        )
        Article.objects.filter(pk=article.pk).update(
            body=article.body,
            body_sha256=article.body_sha256,
            title=article.title,
            extraction=article.extraction,
            consistency_flags=article.consistency_flags,
            revision=number,
        )
        record_history_copy(Article, [article.pk], by=by, note=f"revision {number}: {note}")
        reranking.article_rerank_enqueue(article_id=article.pk, revision=number)
        for ids, what in (
            (result.moved, "moved with its sentence"),
            (result.changed, "its sentence was edited"),
            (result.orphaned, "its sentence is gone (orphaned)"),
        ):
            record_history_copy(Claim, ids, by=by, note=f"revision {number}: {what}")
    return result


def _index_at(starts: list[int], offset: int) -> int:
    """The index of the sentence that `offset` falls in (sentences sorted by start)."""
    return max(0, bisect.bisect_right(starts, offset) - 1)


def _new_candidates(
    article: Article,
    body: str,
    sentences: tuple[ScoredSentence, ...] | list[ScoredSentence],
    used_starts: set[int],
    used_positions: set[int],
) -> list[Claim]:
    """Unsaved candidates for the new text's candidate sentences that no claim holds."""
    claims = []
    for sentence in sentences:
        if not sentence.is_candidate:
            continue
        if sentence.start in used_starts or sentence.index in used_positions:
            continue
        claim = claim_for_sentence(article=article, sentence=sentence)
        if body[claim.start : claim.end] != claim.text:  # the invariant, never trusted
            raise ValueError(f"Extraction produced a misaligned claim: {claim.text!r}")
        claims.append(claim)
    return claims


@dataclass(frozen=True)
class ArticlePush:
    """What a CMS push did: the article, whether it was stored now, and the revision a
    changed text made (None when the story was new or unchanged)."""

    article: Article
    created: bool
    revised: Revised | None = None


def article_push(
    *,
    external_id: str,
    title: str,
    body: str,
    body_is_html: bool = False,
    source_url: str = "",
    outlet: str = "",
    author: str = "",
    published_on: datetime.date | None = None,
    pushed_by: str,
) -> ArticlePush:
    """Store a story the CMS pushed, once per external id (the API checks the key's scope).

    Steps: reduce HTML to text; normalise and check the body; a new external id is imported;
    a held one with the same text changes nothing; with other text it becomes the article's
    next revision (`article_revise`: every claim re-anchored). Two identical pushes racing each
    other end with one article: the loser of the unique constraint reads the winner's row.
    """
    if body_is_html:
        html_title, body = readable_text(body, "text/html")
        title = title or html_title
    normalised_body = article_body_validate(body)
    note = f"pushed by the CMS ({pushed_by})"
    existing = Article.objects.filter(external_id=external_id).only("pk", "body_sha256").first()
    if existing is None:
        try:
            article = article_store(
                title=title,
                body=normalised_body,
                created_by=None,
                note=note,
                import_method=Article.ImportMethod.API,
                external_id=external_id,
                source_url=source_url,
                outlet=outlet,
                author=author,
                published_on=published_on,
            )
            return ArticlePush(article=article, created=True)
        except IntegrityError:
            existing = Article.objects.filter(external_id=external_id).first()
            if existing is None:
                raise
    if existing.body_sha256 == body_hash(normalised_body):
        return ArticlePush(article=Article.objects.get(pk=existing.pk), created=False)
    revised = article_revise(
        article_id=existing.pk, title=title, body=normalised_body, by=None, note=note
    )
    return ArticlePush(article=revised.article, created=False, revised=revised)


@dataclass(frozen=True)
class RevisionComparison:
    """Two revisions of an article side by side: the list of all its revisions (without their
    texts), the word-level differences from `since` to `to`, and the claims the revisions in
    between moved, changed, orphaned or added, by kind."""

    history: list[ArticleRevision]
    since: int
    to: int
    pieces: list[Piece]
    changes: list[tuple[str, list[Claim]]]


def revision_comparison(*, article: Article, since: int, to: int) -> RevisionComparison | None:
    """Compare revision `since` with revision `to` of the article; None when either is not one
    of its revisions."""
    if not 1 <= since <= to <= article.revision:
        return None
    bodies = dict(article.revisions.filter(number__in={since, to}).values_list("number", "body"))
    if article.revision == 1 and 1 not in bodies:
        # Bulk-seeded articles have no revision rows: their one text is the first revision.
        bodies[1] = Article.objects.values_list("body", flat=True).get(pk=article.pk)
    if since not in bodies or to not in bodies:
        return None
    history = list(article.revisions.defer("body").order_by("number"))
    changes: dict[str, list[int]] = {kind: [] for kind in REVISION_CHANGES}
    for revision in history:
        if since < revision.number <= to:
            for kind in REVISION_CHANGES:
                changes[kind].extend(revision.changes.get(kind, []))
    claims = Claim.objects.in_bulk([pk for ids in changes.values() for pk in ids])
    return RevisionComparison(
        history=history,
        since=since,
        to=to,
        pieces=word_diff(bodies[since], bodies[to]),
        changes=[
            (kind, [claims[pk] for pk in ids if pk in claims]) for kind, ids in changes.items()
        ],
    )
