"""Stage 2 on the desk: refine the candidates' scores with the sentence encoder, in the worker.

Import and revision services call `article_rerank_enqueue` inside their transaction; after the
commit the worker runs `article_rerank` (claims.tasks.article_rerank), which stores a refined
score on each claim in the current text and marks the article's extraction with the revision
and the model that scored it (`article.extraction["stage2"]`). A new revision or a re-run of
extraction replaces the extraction and so the mark: the page then falls back to stage 1 until
the new run lands, and a run for an older revision stores nothing.

Where stage 2 is not installed (`claims.extraction.stage2.available()` is false), nothing is
enqueued or stored and pages say the scores are stage 1's. Tests put a small fake in place of
the encoder through `reranker_use` (a module-level registry), never by patching internals.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from claims.extraction import stage2
from claims.models import Article, ArticleRevision, Claim

logger = logging.getLogger(__name__)


class Reranker(Protocol):
    """What stage 2 must offer the desk (the `claims.extraction.stage2` module does)."""

    def available(self) -> bool: ...

    def model_name(self) -> str: ...

    def rerank(
        self, sentences: list[str], stage1_scores: list[float] | None = None
    ) -> list[float]: ...


class _Stage2:
    """The real stage 2: the encoder package when it is installed."""

    def available(self) -> bool:
        return settings.FACTCHECK_STAGE2_ENABLED and stage2.available()

    def model_name(self) -> str:
        return stage2.model_name()

    def rerank(self, sentences: list[str], stage1_scores: list[float] | None = None) -> list[float]:
        return stage2.rerank(sentences, stage1_scores)


DEFAULT_RERANKER: Reranker = _Stage2()
_registry: dict[str, Reranker] = {"current": DEFAULT_RERANKER}


def reranker() -> Reranker:
    """The stage-2 scorer in use."""
    return _registry["current"]


def reranker_use(replacement: Reranker | None) -> Reranker:
    """Put `replacement` in use (None: the real one) and return the one it replaces."""
    previous = _registry["current"]
    _registry["current"] = replacement if replacement is not None else DEFAULT_RERANKER
    return previous


def article_rerank_enqueue(*, article_id: int, revision: int) -> None:
    """After the current transaction commits, ask the worker to re-rank the article's claims.

    Nothing is sent where stage 2 is unavailable. A broker that is down is logged, not raised
    (`robust`): the saved article keeps its stage-1 scores and the page stops waiting.
    """
    if not reranker().available():
        return

    def send_article_rerank() -> None:
        from claims.tasks import article_rerank_task

        article_rerank_task.delay(article_id, revision)

    transaction.on_commit(send_article_rerank, robust=True)


def article_rerank(*, article_id: int, revision: int) -> bool:
    """Store stage-2 scores for the article's claims at `revision`; False when nothing stored.

    Steps:
    1. stage 2 unavailable, the article gone, at another revision (a stale message), or already
       scored at this revision by this model: store nothing (the task is idempotent);
    2. score the texts of the claims in the current text, outside any transaction (slow);
    3. lock the article; if its revision or extraction changed meanwhile, drop the result;
       else set each claim's `score_refined`/`scored_by` and mark the extraction.
    """
    scorer = reranker()
    if not scorer.available():
        return False
    article = Article.objects.filter(pk=article_id).only("pk", "revision", "extraction").first()
    if article is None or article.revision != revision:
        return False
    model = scorer.model_name()
    mark = _mark(article)
    if mark.get("revision") == revision and mark.get("model") == model:
        return False
    claims = list(article.claims.exclude(anchor=Claim.Anchor.ORPHANED).only("pk", "text", "score"))
    scores = scorer.rerank([claim.text for claim in claims], [claim.score for claim in claims])
    if len(scores) != len(claims):
        raise ValueError("stage 2 returned one score per claim")
    with transaction.atomic():
        current = (
            Article.objects.select_for_update().only("revision", "extraction").get(pk=article_id)
        )
        if current.revision != revision or _mark(current) != mark:
            return False
        for claim, score in zip(claims, scores, strict=True):
            claim.score_refined = min(1.0, max(0.0, float(score)))
            claim.scored_by = model[: Claim._meta.get_field("scored_by").max_length or 100]
        # A bulk update: machine scores are not edits, so they make no history rows and leave
        # the claims' edit `version` alone.
        Claim.objects.bulk_update(claims, ["score_refined", "scored_by"], batch_size=500)
        extraction = dict(current.extraction or {})
        extraction["stage2"] = {"revision": revision, "model": model, "claims": len(claims)}
        Article.objects.filter(pk=article_id, revision=revision).update(extraction=extraction)
    return True


def _mark(article: Article) -> dict[str, Any]:
    mark = (article.extraction or {}).get("stage2")
    return mark if isinstance(mark, dict) else {}


class RerankStatus(StrEnum):
    """Where an article's scores come from, as its page shows them."""

    REFINED = "refined"  # stage 2 scored the current revision
    PENDING = "pending"  # stage 2 is expected soon: the page polls
    STAGE1 = "stage1"  # stage 1 only (stage 2 unavailable, or it did not come in time)


@dataclass(frozen=True)
class RerankState:
    """The article page's view of stage 2: its status and the model that scored."""

    status: RerankStatus
    model: str = ""

    @property
    def refined(self) -> bool:
        return self.status == RerankStatus.REFINED

    @property
    def pending(self) -> bool:
        return self.status == RerankStatus.PENDING


def article_rerank_state(*, article: Article) -> RerankState:
    """Refined when the mark names the current revision; pending while stage 2 is available and
    the revision is younger than FACTCHECK_STAGE2_WAIT_SECONDS; stage 1 otherwise."""
    mark = _mark(article)
    if mark.get("revision") == article.revision and mark.get("model"):
        return RerankState(RerankStatus.REFINED, str(mark["model"]))
    if not reranker().available():
        return RerankState(RerankStatus.STAGE1)
    since = (
        ArticleRevision.objects.filter(article=article, number=article.revision)
        .values_list("created_at", flat=True)
        .first()
    ) or article.created_at
    waited = timezone.now() - since
    if waited < datetime.timedelta(seconds=settings.FACTCHECK_STAGE2_WAIT_SECONDS):
        return RerankState(RerankStatus.PENDING)
    return RerankState(RerankStatus.STAGE1)


def claims_ranked(*, claims: list[Claim], state: RerankState) -> list[Claim]:
    """Claims most check-worthy first: by the refined score when stage 2 scored this revision."""

    def key(claim: Claim) -> tuple[float, int]:
        refined = claim.score_refined if state.refined else None
        return (-(refined if refined is not None else claim.score), claim.position)

    return sorted(claims, key=key)


def articles_rerank_enqueue(*, article_ids: list[int]) -> None:
    """`article_rerank_enqueue` for each article, at its current revision (after re-extraction)."""
    if not reranker().available():
        return
    for article_id, revision in Article.objects.filter(pk__in=article_ids).values_list(
        "pk", "revision"
    ):
        article_rerank_enqueue(article_id=article_id, revision=revision)
