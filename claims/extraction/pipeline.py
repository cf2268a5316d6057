"""The whole extraction pipeline: segment, score, check consistency."""

from __future__ import annotations

from dataclasses import dataclass

from claims.extraction.consistency import MAX_SENTENCE_CHARS, Flag, check_consistency
from claims.extraction.features import FIGURE_SCAN_CHARS
from claims.extraction.numbers import find_quantities
from claims.extraction.scoring import DEFAULT_THRESHOLD, Scorer, load_scorer
from claims.extraction.segmentation import segment, without_dateline


@dataclass(frozen=True, slots=True)
class ScoredSentence:
    """A sentence of the article with its check-worthiness."""

    index: int
    start: int
    end: int
    text: str
    score: float
    reasons: tuple[str, ...]
    is_candidate: bool


@dataclass(frozen=True, slots=True)
class Extraction:
    """Every sentence of a text, scored, and the consistency flags between them."""

    sentences: tuple[ScoredSentence, ...]
    flags: tuple[Flag, ...]

    @property
    def candidates(self) -> tuple[ScoredSentence, ...]:
        """The sentences at or above the threshold."""
        return tuple(s for s in self.sentences if s.is_candidate)


def extract(
    text: str,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    scorer: Scorer | None = None,
    language: str = "en",
) -> Extraction:
    """Segment ``text``, score every sentence and flag inconsistent figures.

    Steps: 1. ``segment`` by ``language`` ("en" or "es"), a story's dateline taken off the
    sentence it opens (``without_dateline``); 2. parse each sentence's quantities
    once; 3. score each sentence (candidate when ``score >= threshold``); 4.
    ``check_consistency`` over all sentences, flags naming them by index.
    """
    model = scorer if scorer is not None else load_scorer()
    sentences = without_dateline(text, segment(text, language))
    texts = [s.text for s in sentences]
    # Each sentence's quantities are parsed once, for the consistency checks and (read as
    # English, as the hand features read figures in any language but Spanish) for the scores'
    # figure features. Each reader leaves out or rescans the "sentences" over its own limit
    # (tables, lists): the checks skip those over MAX_SENTENCE_CHARS, the hand features scan the
    # first FIGURE_SCAN_CHARS of longer ones.
    longest = max(MAX_SENTENCE_CHARS, FIGURE_SCAN_CHARS)
    quantities = [
        find_quantities(sentence, language) if len(sentence) <= longest else []
        for sentence in texts
    ]
    scored = tuple(
        ScoredSentence(
            index=index,
            start=sentence.start,
            end=sentence.end,
            text=sentence.text,
            score=score.value,
            reasons=score.reasons,
            is_candidate=score.value >= threshold,
        )
        for index, (sentence, score) in enumerate(
            zip(
                sentences,
                model.score_many(texts, quantities if language != "es" else None),
                strict=True,
            )
        )
    )
    flags = check_consistency(texts, language, quantities)
    return Extraction(sentences=scored, flags=tuple(flags))
