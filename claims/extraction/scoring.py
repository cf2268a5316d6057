"""Check-worthiness scoring: a pure-Python linear model with human-readable reasons.

The model is multinomial logistic regression over three ClaimBuster classes (check-worthy
factual, unimportant factual, non-factual), stored as two linear "heads", each the
difference between the check-worthy class and one other class. For every head::

    h = bias + sum(word weights) / sqrt(#word n-grams)
             + sum(char weights) / sqrt(#char n-grams)
             + sum(hand weight * hand value)

and P(check-worthy) = 1 / (1 + sum(exp(-h))). (A binary model has one head.)

The score is a calibrated probability, ``sigmoid(a * logit(P) + b)``: Platt scaling fitted by
the training command on debates of the training split the model was not fitted on, so that
of the sentences scored about 0.8, about 80% were labelled check-worthy. The candidate threshold
(``DEFAULT_THRESHOLD``, also stored in the weights file) is chosen to make the candidates a
shortlist on news prose: see ``claims/extraction/training.py``.

Speed: a sentence costs the same the first time as any other (no cache of what was scored).
One sentence (``score``): the character n-grams beginning at one place are the prefixes of the
five characters from there, so a table of prefix sums (``_prefix_sums``) needs one lookup per
place where the raw weights need four; the lookups run in C (a regular expression lists the
places, ``map`` looks them up, ``sum`` adds both heads at once, packed in a complex number).
Many sentences (``score_many``, an article): the n-grams of the whole batch are looked up at
once with numpy (``claims/extraction/vectorised.py``), the same sums added in another order;
without numpy the batch takes the one-sentence path.

Each score comes with reasons (``Reason``): a stable code, an English label (``REASON_LABELS``,
the one place they are written) and what was found in the sentence.
No network and no scikit-learn at inference; numpy only to go faster.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import repeat
from operator import add
from pathlib import Path
from typing import Any, cast

from claims.extraction import vectorised
from claims.extraction.features import (
    CHAR_NGRAM_RANGE,
    FEATURE_VERSION,
    HAND_FEATURE_NAMES,
    HandFeatures,
    fold,
    hand_features,
    tokens_of,
)
from claims.extraction.numbers import Quantity

MODEL_FORMAT = "factcheck-checkworthiness"
MODEL_VERSION = 2
# The calibrated probability at or above which a sentence is a candidate (see training.py).
DEFAULT_THRESHOLD = 0.55
DEFAULT_WEIGHTS = Path(__file__).resolve().parent / "data" / "checkworthiness-v1.json.gz"
# From this many sentences on, score_many looks up character n-grams for the whole batch.
BATCH_MINIMUM = 8
# Every place a character n-gram can begin, with the (up to) five characters from there: the
# lookahead makes the matches overlap; a place needs two characters to begin an n-gram.
_WINDOWS_RE = re.compile(r"(?=(.{{{},{}}}))".format(*CHAR_NGRAM_RANGE), re.DOTALL)
if CHAR_NGRAM_RANGE != (2, 5):  # Scorer._wording falls back through sizes 4, 3 and 2
    raise ImportError("the scorer expects character n-grams of 2 to 5 characters")


# Every reason's code and English label: the Django layer translates by code. Codes are stable
# (stored with claims); labels may be reworded. Those marked "legacy" are no longer produced
# but may be stored with claims extracted by older versions.
REASON_LABELS: dict[str, str] = {
    "figure": "states a figure",
    "figures": "states figures",
    "source": "attributes to a named source",
    "quote": "quotes someone",
    "speech": "reports what someone said or did",
    "statistic": "cites a statistic",
    "comparison": "compares",
    "superlative": "uses a superlative",
    "causal": "states a cause",
    "prediction": "makes a prediction",
    "date": "refers to a date",
    "promise": "a promise or plan",
    "conditional": "a conditional",
    "imperative": "an appeal or instruction",
    "opinion": "an opinion",
    "question": "a question",
    "opinion_or_question": "opinion or question",  # legacy
    "wording_checkable": "wording typical of checkable claims",  # legacy
    "wording_opinion": "wording typical of opinion or talk",  # legacy
}
_CODE_OF_LABEL = {label: code for code, label in REASON_LABELS.items()}


class Reason(str):
    """One reason for a score: its English text, with ``code`` and ``detail`` beside it.

    A ``str`` (``"states a figure: 177"``), so it is stored, joined and compared as before;
    ``parse_reason`` recovers code and detail from a stored string.
    """

    code: str
    detail: str

    def __new__(cls, code: str, detail: str = "") -> Reason:
        """Build the reason ``code`` (a key of ``REASON_LABELS``) with what was found."""
        label = REASON_LABELS[code]
        reason = super().__new__(cls, f"{label}: {detail}" if detail else label)
        reason.code = code
        reason.detail = detail
        return reason

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]
        """Copy and pickle as (code, detail), which is what ``__new__`` takes."""
        return (self.code, self.detail)


def parse_reason(stored: str) -> tuple[str | None, str]:
    """(code, detail) of a stored reason; (None, the text) for text this code never wrote."""
    label, separator, detail = stored.partition(": ")
    code = _CODE_OF_LABEL.get(label)
    if code is None:
        return None, stored
    return code, detail if separator else ""


class ModelError(ValueError):
    """The weights file is missing, unreadable or not a model this code can use."""


@dataclass(frozen=True, slots=True)
class Score:
    """Check-worthiness of one sentence: ``value`` in [0, 1] and reasons an editor can read."""

    value: float
    reasons: tuple[Reason, ...]


# One or two heads packed in a complex number (head 1 real, head 2 imaginary), so that a
# single C-level sum() adds both heads at once: the hot loop stays pure Python yet fast.
Packed = complex
MAX_HEADS = 2


class Scorer:
    """A loaded check-worthiness model. Thread-safe: nothing changes after loading.

    It keeps no cache of what it has scored: a sentence costs the same the first time as the
    hundredth, which is what an article no one has seen before gets.
    """

    def __init__(self, model: dict[str, Any]) -> None:
        """Validate a decoded weights file and prepare it for scoring."""
        if model.get("format") != MODEL_FORMAT or model.get("version") != MODEL_VERSION:
            raise ModelError("not a check-worthiness model of a supported version")
        if model.get("feature_version") != FEATURE_VERSION:
            raise ModelError("the model was trained on features of another version")
        try:
            self.heads = len(model["bias"])
            if not 1 <= self.heads <= MAX_HEADS:
                raise ValueError(f"{self.heads} heads; this scorer supports 1 or 2")
            self.bias = _packed(model["bias"], self.heads)
            self.threshold = float(model.get("threshold", DEFAULT_THRESHOLD))
            calibration = model.get("calibration", {"a": 1.0, "b": 0.0})
            self.calibration_a = float(calibration["a"])
            self.calibration_b = float(calibration["b"])
            self.word_weights = {str(k): _packed(v, self.heads) for k, v in model["word"].items()}
            self.char_weights = {str(k): _packed(v, self.heads) for k, v in model["char"].items()}
            hand = model["hand"]
            self.hand_weights = tuple(
                _packed(hand.get(name, [0.0] * self.heads), self.heads)
                for name in HAND_FEATURE_NAMES
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ModelError(f"malformed weights file: {error}") from error
        if not all(
            math.isfinite(v) for v in (self.threshold, self.calibration_a, self.calibration_b)
        ):
            raise ModelError("malformed weights file: a bad threshold or calibration")
        self.metadata: dict[str, Any] = dict(model.get("metadata", {}))
        self._hand_items = tuple(
            (index, weight) for index, weight in enumerate(self.hand_weights) if weight
        )
        self._prefix_sums  # built now, not on the first sentence  # noqa: B018
        # The batch path of score_many (numpy); None keeps every batch on the pure path.
        self._tables = vectorised.build(self.char_weights)
        self._word_tables = (
            vectorised.WordTables(self._tables.np, self.word_weights) if self._tables else None
        )
        self._hand_vector = (
            self._tables.np.array(self.hand_weights, dtype=complex) if self._tables else None
        )

    @cached_property
    def _prefix_sums(self) -> dict[str, Packed]:
        """The character n-gram weights as prefix sums: see the function ``_prefix_sums``."""
        return _prefix_sums(self.char_weights)

    def _wording(self, folded: str, tokens: list[str] | None = None) -> Packed:
        """Contribution of the word and character n-grams to each head.

        ``tokens`` are the folded tokens when the caller already has them. Character n-grams
        cost one lookup per place in the padded sentence (see ``_prefix_sums``), word n-grams
        one per token and one per pair; every loop runs in C (``map``, ``sum``, a regular
        expression), the places whose five characters the table does not hold (a few in a
        debate sentence, more in a name or word the training data never had) included.
        """
        if not folded:
            return 0j
        if tokens is None:
            tokens = tokens_of(folded)
        padded = " " + folded + " "
        windows = _WINDOWS_RE.findall(padded)
        get = self._prefix_sums.get
        values: list[Packed | None] = list(map(get, windows))
        if None in values:
            # A window the table lacks counts as its longest prefix that the table holds.
            index = values.index(None)  # list.index: the search runs in C
            try:
                while True:
                    window = windows[index]
                    value = get(window[:4])
                    if value is None:
                        value = get(window[:3])
                        if value is None:
                            value = get(window[:2])
                    values[index] = 0j if value is None else value
                    index = values.index(None, index + 1)
            except ValueError:
                pass
        char_sum: Packed = sum(cast("list[Packed]", values), 0j)  # no None is left
        char_scale = 1.0 / math.sqrt(_char_ngram_count(len(padded)))
        return self._words(tokens) + char_sum * char_scale

    def _words(self, tokens: list[str]) -> Packed:
        """Contribution of the word n-grams (tokens and pairs of tokens), scaled."""
        get_word = self.word_weights.get
        nothing = repeat(0j)
        word_sum = sum(map(get_word, tokens, nothing)) + sum(
            map(get_word, map(add, map(add, tokens, repeat(" ")), tokens[1:]), nothing)
        )
        return word_sum / math.sqrt(2 * len(tokens) - 1)

    def _logits(
        self, text: str, quantities: Sequence[Quantity] | None = None
    ) -> tuple[float, HandFeatures]:
        """(logit of the model's P(check-worthy), the hand features)."""
        folded = fold(text)
        tokens = tokens_of(folded)
        heads = self.bias + self._wording(folded, tokens)
        hand = hand_features(text, tokens, quantities)
        values = hand.values
        for index, weight in self._hand_items:
            if values[index]:
                heads += weight * values[index]
        return self._logit(heads), hand

    def _logit(self, heads: Packed) -> float:
        """logit(P(check-worthy)), where P = 1 / (1 + sum over heads of exp(-head))."""
        if self.heads == 1:
            return heads.real
        low, high = sorted((heads.real, heads.imag))
        return low - math.log1p(math.exp(low - high))

    def value(self, text: str) -> float:
        """The calibrated probability alone, in [0, 1]."""
        return self._calibrated(self._logits(text)[0])

    def score(self, text: str) -> Score:
        """Score one sentence and explain the score."""
        return self._score(text)

    def _score(self, text: str, quantities: Sequence[Quantity] | None = None) -> Score:
        logit, hand = self._logits(text, quantities)
        return Score(self._calibrated(logit), _reasons(hand))

    def _calibrated(self, logit: float) -> float:
        return _sigmoid(self.calibration_a * logit + self.calibration_b)

    def score_many(
        self, texts: Iterable[str], quantities: Sequence[Sequence[Quantity]] | None = None
    ) -> list[Score]:
        """Score several sentences: the same scores as ``score`` on each, computed faster.

        From ``BATCH_MINIMUM`` sentences on, where numpy is installed, the character n-grams of
        the whole batch are looked up at once (``claims.extraction.vectorised``); the scores
        equal ``score``'s up to the order in which floating-point numbers are added.
        ``quantities``: ``find_quantities(text)`` (English) of each sentence, when the caller has
        parsed them (``extract`` shares them with the consistency checks).
        """
        texts = list(texts)
        # zip(strict=True) below raises ValueError on quantities of another length.
        found: Sequence[Sequence[Quantity] | None] = (
            quantities if quantities is not None else [None] * len(texts)
        )
        if self._tables is None or len(texts) < BATCH_MINIMUM:
            return [self._score(text, parsed) for text, parsed in zip(texts, found, strict=True)]
        folded = [fold(text) for text in texts]
        padded = [" " + text + " " for text in folded]
        token_lists = [tokens_of(text) for text in folded]
        hands = [
            hand_features(text, tokens, parsed)
            for text, tokens, parsed in zip(texts, token_lists, found, strict=True)
        ]
        values = self._batch_values(padded, token_lists, hands)
        return [Score(value, _reasons(hand)) for value, hand in zip(values, hands, strict=True)]

    def _batch_values(
        self, padded: list[str], token_lists: list[list[str]], hands: list[HandFeatures]
    ) -> list[float]:
        """The calibrated probabilities of a batch: ``value``'s arithmetic, in numpy at once.

        The n-gram lookups (``vectorised``), their scaling, the hand features' weights, the
        heads' logit and the calibration are each one array operation over the batch, where
        one sentence at a time the arithmetic alone costs as much as the lookups.
        """
        assert self._tables is not None and self._word_tables is not None
        np = self._tables.np
        size = len(padded)
        chars = np.fromiter(map(len, padded), dtype=np.float64, count=size)
        tokens = np.fromiter(map(len, token_lists), dtype=np.float64, count=size)
        # _char_ngram_count for every length at once (windows of each size that fit).
        low, high = CHAR_NGRAM_RANGE
        windows = sum(np.maximum(chars - (n - 1), 0.0) for n in range(low, high + 1))
        # An empty sentence (no tokens; its padding alone) scores its bias and hand features.
        spoken = tokens > 0
        scale = np.zeros(size)
        np.sqrt(2 * tokens - 1, out=scale, where=spoken)
        np.divide(1.0, scale, out=scale, where=spoken)
        wording = self._word_tables.sum_array(token_lists) * scale
        wording += np.where(spoken, self._tables.sum_array(padded) / np.sqrt(windows), 0)
        features = np.array([hand.values for hand in hands], dtype=np.float64)
        heads = self.bias + wording + features @ self._hand_vector
        if self.heads == 1:
            logits = heads.real
        else:
            lower = np.minimum(heads.real, heads.imag)
            logits = lower - np.log1p(np.exp(lower - np.maximum(heads.real, heads.imag)))
        # The logistic function without overflow: 1 / (1 + e^-x) = e^-log(1 + e^-x).
        values: list[float] = np.exp(
            -np.logaddexp(0.0, -(self.calibration_a * logits + self.calibration_b))
        ).tolist()
        return values


def _packed(raw: Any, heads: int) -> Packed:
    """Validate one weight vector from the file (``heads`` finite numbers) and pack it."""
    values = [float(v) for v in (raw if isinstance(raw, list) else [raw])]
    if len(values) != heads or not all(math.isfinite(v) for v in values):
        raise ValueError(f"expected {heads} finite numbers, got {raw!r}")
    return complex(values[0], values[1] if heads == 2 else 0.0)


def _prefix_sums(char_weights: dict[str, Packed]) -> dict[str, Packed]:
    """For every prefix (two characters or more) of a character n-gram of the model, the sum
    of the weights of its own prefixes that are n-grams of the model (itself included).

    The n-grams beginning at one place in a text are the prefixes of the five characters
    from there, so their summed weight is this table's value for the longest of those
    prefixes that it holds: one lookup where the raw weights need four.
    """
    low = CHAR_NGRAM_RANGE[0]
    prefixes = {gram[:size] for gram in char_weights for size in range(low, len(gram) + 1)}
    get = char_weights.get
    return {
        prefix: sum([get(prefix[:size], 0j) for size in range(low, len(prefix) + 1)], 0j)
        for prefix in prefixes
    }


def _char_ngram_count(length: int) -> int:
    """How many character n-grams (2 to 5) a string of ``length`` characters has."""
    low, high = CHAR_NGRAM_RANGE
    if length >= high:
        return (high - low + 1) * length - sum(range(low - 1, high))
    return sum(max(0, length - n + 1) for n in range(low, high + 1))


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _reasons(hand: HandFeatures) -> tuple[Reason, ...]:
    """What the sentence contains that bears on its score, most telling first.

    Only what was found in the sentence: a sentence with nothing specific has no reasons and
    shows its score alone.
    """
    reasons: list[Reason] = []
    if len(hand.figures) == 1:
        reasons.append(Reason("figure", _clip(hand.figures[0])))
    elif hand.figures:
        shown = ", ".join(hand.figures[:3]) + (", …" if len(hand.figures) > 3 else "")
        reasons.append(Reason("figures", _clip(shown)))
    if hand.source:
        reasons.append(Reason("source", _clip(hand.source)))
    if hand.quote:
        reasons.append(Reason("quote", _clip(hand.quote)))
    elif hand.speech and not hand.source:
        reasons.append(Reason("speech", hand.speech))
    if hand.statistic:
        reasons.append(Reason("statistic", hand.statistic))
    if hand.comparison:
        reasons.append(Reason("comparison", _clip(hand.comparison)))
    if hand.superlative:
        reasons.append(Reason("superlative", hand.superlative))
    if hand.causal:
        reasons.append(Reason("causal", hand.causal))
    if hand.prediction:
        reasons.append(Reason("prediction", hand.prediction))
    if hand.date and not hand.figures:
        reasons.append(Reason("date", _clip(hand.date)))
    if hand.promise:
        reasons.append(Reason("promise", hand.promise))
    if hand.conditional:
        reasons.append(Reason("conditional", hand.conditional))
    if hand.imperative:
        reasons.append(Reason("imperative", hand.imperative))
    if hand.opinion:
        reasons.append(Reason("opinion", hand.opinion))
    if hand.question:
        reasons.append(Reason("question"))
    return tuple(reasons)


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def read_model(path: str | Path) -> dict[str, Any]:
    """Read a weights file (``.json`` or ``.json.gz``) into a dictionary."""
    path = Path(path)
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        model = json.loads(raw.decode("utf-8"))
    except (OSError, EOFError, UnicodeDecodeError, ValueError) as error:
        raise ModelError(f"cannot read weights file {path}: {error}") from error
    if not isinstance(model, dict):
        raise ModelError(f"weights file {path} does not hold a model")
    return model


@lru_cache(maxsize=8)
def _load_cached(path: str) -> Scorer:
    return Scorer(read_model(path))


def load_scorer(path: str | Path | None = None) -> Scorer:
    """Load a scorer from ``path`` (the bundled model when None), cached per path."""
    return _load_cached(str(Path(path).resolve()) if path is not None else str(DEFAULT_WEIGHTS))


def score_sentence(text: str) -> Score:
    """Score one sentence with the bundled model."""
    return load_scorer().score(text)


def score_sentences(texts: Sequence[str]) -> list[Score]:
    """Score several sentences with the bundled model."""
    return load_scorer().score_many(texts)
