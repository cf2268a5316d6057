"""The whole extraction pipeline: segment, score, check consistency."""

from __future__ import annotations

from dataclasses import dataclass

from claims.extraction.consistency import MAX_SENTENCE_CHARS, Flag, check_consistency
from claims.extraction.numbers import find_quantities
from claims.extraction.scoring import DEFAULT_THRESHOLD, Scorer, load_scorer
from claims.extraction.segmentation import segment


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

    Steps: 1. ``segment`` by ``language`` ("en" or "es"); 2. parse each sentence's quantities
    once; 3. score each sentence (candidate when ``score >= threshold``); 4.
    ``check_consistency`` over all sentences, flags naming them by index.
    """
    model = scorer if scorer is not None else load_scorer()
    sentences = segment(text, language)
    texts = [s.text for s in sentences]
    # Each sentence's quantities are parsed once, for the consistency checks and (in English,
    # the language the hand features read figures in) for the scores' figure features. A
    # "sentence" over MAX_SENTENCE_CHARS is a table or a list: both skip or scan it themselves.
    quantities = [
        find_quantities(sentence, language) if len(sentence) <= MAX_SENTENCE_CHARS else []
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
                model.score_many(texts, quantities if language == "en" else None),
                strict=True,
            )
        )
    )
    flags = check_consistency(texts, language, quantities)
    return Extraction(sentences=scored, flags=tuple(flags))
