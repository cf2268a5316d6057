"""Features for the check-worthiness model, shared by training and inference.

Pure Python and deterministic: the training command and the runtime scorer call the same
functions, so the model sees exactly the features it was trained on.

Three blocks:
1. word 1-2-grams of the lower-cased sentence, digits folded to ``0``;
2. character 2-5-grams of the same folded text (with a space on each side);
3. a few hand features (a figure, a source, a comparison, an opinion...), which also give
   the human-readable reasons shown to editors.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import NamedTuple

from claims.extraction.numbers import NUMBER_WORDS, find_quantities

FEATURE_VERSION = 1

_DIGITS = str.maketrans("0123456789", "0000000000")
_WORD_RE = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")
CHAR_NGRAM_RANGE = (2, 5)
FIGURE_SCAN_CHARS = 2_000


def fold(text: str) -> str:
    """Lower-case, fold every digit to ``0`` and collapse runs of whitespace to one space."""
    return " ".join(text.lower().translate(_DIGITS).split())


def word_ngrams(folded: str) -> list[str]:
    """Word unigrams and bigrams of folded text (bigrams joined by a space)."""
    tokens = _WORD_RE.findall(folded)
    return tokens + [a + " " + b for a, b in pairwise(tokens)]


def char_ngrams(folded: str) -> list[str]:
    """Character n-grams (2 to 5) of folded text padded with one space on each side."""
    if not folded:
        return []
    padded = " " + folded + " "
    size = len(padded)
    grams: list[str] = []
    low, high = CHAR_NGRAM_RANGE
    for n in range(low, high + 1):
        grams += [padded[i : i + n] for i in range(size - n + 1)]
    return grams


_ATTRIBUTION_RE = re.compile(
    r"\baccording to ((?:the )?(?:[A-Z][\w.'’-]*(?:\s+(?:of|for|de|the)\s+|\s+)?){1,6})"
    r"|((?:[A-Z][\w.'’-]*\s+){0,5}[A-Z][\w.'’-]*),? (?:said|says|told|reported|announced|"
    r"stated|estimated|estimates|wrote|confirmed|testified|found)\b"
    r"|\b(?:said|says|told|reported|announced|stated|estimated|wrote|confirmed)\s+"
    r"((?:the )?(?:[A-Z][\w.'’-]*\s*){1,6})"
)
_ACCORDING_TO_RE = re.compile(r"\baccording to\b", re.IGNORECASE)
_DIGIT_RE = re.compile(r"\d")
_CAPITALISED_RE = re.compile(r"(?<=[\w,;] )[A-Z][a-z]+")
# A word ending in "ed", as the folded tokens see it ("agreed", not "need's").
_PAST_TENSE_RE = re.compile(r"[eE][dD]\b(?!['’]\w)")
_SOURCE_TRIGGERS = frozenset(
    "according said says told reported announced stated estimated estimates wrote confirmed "
    "testified found".split()
)
_COMPARATIVES = frozenset(
    "more less fewer higher lower larger smaller bigger greater faster slower better worse "
    "cheaper richer poorer older younger longer shorter".split()
)
_CHANGE_WORDS = frozenset(
    """increase increased increases increasing decrease decreased decreases decreasing rose
    risen rises fell fallen drop dropped drops doubled tripled quadrupled halved grew grown
    declined declines shrank shrunk soared plunged jumped highest lowest largest smallest
    biggest fastest slowest""".split()
)
_CHANGE_BIGRAMS = frozenset(
    [("up", "from"), ("down", "from"), ("compared", "to"), ("compared", "with"),
     ("twice", "as"), ("times", "as"), ("as", "many"), ("as", "much")]
)  # fmt: skip
_OPINION_BIGRAMS = frozenset(
    [("i", "think"), ("i", "believe"), ("i", "feel"), ("i", "hope"), ("my", "opinion"),
     ("we", "should"), ("we", "must"), ("we", "need"), ("ought", "to"), ("let", "me"),
     ("thank", "you"), ("i", "want"), ("we", "want"), ("i", "will"), ("we", "will"),
     ("we're", "going"), ("i'm", "going"), ("i'll", "tell"), ("should", "be"),
     ("you", "know")]
)  # fmt: skip
_OPINION_WORDS = frozenset(["let's", "hopefully", "frankly", "honestly"])


class HandFeatures(NamedTuple):
    """Dense hand features of one sentence and the evidence behind them.

    ``values`` follow ``HAND_FEATURE_NAMES``. (A named tuple: built for every sentence scored,
    it must be cheap to create.)
    """

    values: tuple[float, ...]
    figures: tuple[str, ...]
    date: str | None
    source: str | None
    comparison: str | None
    opinion: str | None
    question: bool


HAND_FEATURE_NAMES = (
    "figure",
    "several_figures",
    "percent",
    "money",
    "date",
    "source",
    "comparison",
    "opinion",
    "question",
    "short",
    "long",
    "names",
    "several_names",
    "past_tense",
)


def tokens_of(folded: str) -> list[str]:
    """Word and punctuation tokens of folded text."""
    return _WORD_RE.findall(folded)


def hand_features(text: str, tokens: list[str] | None = None) -> HandFeatures:
    """Compute the hand features of one sentence (see ``HAND_FEATURE_NAMES``).

    ``tokens`` are the sentence's folded tokens when the caller already has them.
    """
    if tokens is None:
        tokens = tokens_of(fold(text))
    token_set = set(tokens)
    # Without a digit or a number word there is no figure: skip the costly parse.
    maybe_figures = _DIGIT_RE.search(text) is not None or not NUMBER_WORDS.isdisjoint(token_set)
    # Figures are looked for at the start of very long "sentences" only (tables, lists).
    quantities = find_quantities(text[:FIGURE_SCAN_CHARS]) if maybe_figures else []
    figures = [q for q in quantities if q.is_countable]
    years = [q for q in quantities if q.is_year]
    date = years[0].text if years else None
    source = _find_source(text) if not _SOURCE_TRIGGERS.isdisjoint(token_set) else None
    comparison = _find_comparison(tokens, token_set)
    opinion = _find_opinion(tokens, token_set)
    # Capitalised words after the first one: names of people, places, organisations (the
    # n-grams are lower-cased, so only this feature sees them).
    names = len(_CAPITALISED_RE.findall(text))
    stripped = text.rstrip()
    question = stripped.endswith(("?", "？", "؟"))
    words = len(tokens)
    values = (
        1.0 if figures else 0.0,  # figure
        1.0 if len(figures) > 1 else 0.0,  # several_figures
        1.0 if figures and any(q.unit == "%" for q in figures) else 0.0,  # percent
        1.0 if figures and any(q.unit and q.unit != "%" for q in figures) else 0.0,  # money
        1.0 if years else 0.0,  # date
        1.0 if source else 0.0,  # source
        1.0 if comparison else 0.0,  # comparison
        1.0 if opinion else 0.0,  # opinion
        1.0 if question else 0.0,  # question
        1.0 if words < 6 else 0.0,  # short
        1.0 if words > 35 else 0.0,  # long
        1.0 if names else 0.0,  # names
        min(names, 3) / 3,  # several_names
        1.0 if _PAST_TENSE_RE.search(text) else 0.0,  # past_tense: a token ending in -ed
    )
    shown = tuple(" ".join(q.text.split()) for q in figures)
    return HandFeatures(values, shown, date, source, comparison, opinion, question)


def _find_comparison(tokens: list[str], token_set: set[str]) -> str | None:
    """A comparison such as "more than", "higher than", "doubled" or "up from"."""
    if "than" in token_set:
        for index, word in enumerate(tokens):
            if word != "than":
                continue
            for back in range(index - 1, max(-1, index - 4), -1):
                before = tokens[back]
                if before in _COMPARATIVES or (back == index - 1 and before.endswith("er")):
                    return " ".join(tokens[back : index + 1])
    changed = _CHANGE_WORDS.intersection(token_set)
    if changed:
        return next(t for t in tokens if t in changed)
    for pair in pairwise(tokens):
        if pair in _CHANGE_BIGRAMS:
            return " ".join(pair)
    return None


def _find_opinion(tokens: list[str], token_set: set[str]) -> str | None:
    """An opinion, promise or exhortation marker ("I think", "we should", "let's")."""
    if not _OPINION_WORDS.isdisjoint(token_set):
        return next(t for t in tokens if t in _OPINION_WORDS)
    for pair in pairwise(tokens):
        if pair in _OPINION_BIGRAMS:
            return " ".join(pair)
    return None


def _find_source(text: str) -> str | None:
    """Return the named source a sentence attributes its content to, if any."""
    match = _ATTRIBUTION_RE.search(text)
    if match:
        name = next((g for g in match.groups() if g), "").strip(" ,.")
        if name and name.split()[0] not in ("I", "We", "He", "She", "They", "It", "You"):
            return name
    # Lower-case "according to the regional water authority": the words after the cue, taken
    # from the original text by position (not by length arithmetic on a stripped copy).
    cue = _ACCORDING_TO_RE.search(text)
    if cue:
        words = text[cue.end() :].split()[:5]
        return " ".join(words).strip(" ,.") or None
    return None
