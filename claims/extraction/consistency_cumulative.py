"""The running-total ``sum`` check: an addition bringing a total to N against earlier parts."""

from __future__ import annotations

import re

from claims.extraction.consistency_common import (
    _MEASURE_NOUNS,
    _TOTAL_CUE_RE,
    _WORDS_RE,
    MAX_PARTS,
    Flag,
    _unit_key,
)
from claims.extraction.consistency_sums import _check_sum
from claims.extraction.numbers import Quantity

CUMULATIVE_WINDOW = 12  # sentences either side of a running total that may hold its parts
_ADDITION_BEFORE_RE = re.compile(
    r"\b(?:an?\s+additional|additional|another|an?\s+further|further|an?\s+extra)\s*$",
    re.IGNORECASE,
)
_ADDITION_AFTER_RE = re.compile(r"^\s+(?:more|additional|further|extra)\b", re.IGNORECASE)
_RUNNING_TOTAL_RE = re.compile(
    r"\b(?:bringing|brings|brought|taking|takes|took|raising|raises|raised|pushing|pushes|"
    r"pushed|lifting|lifts|lifted)\s+(?:the|its|their|his|her|our)\s+"
    r"(?P<phrase>(?:overall\s+|cumulative\s+|running\s+)?(?:total|tally|count|number)"
    r"(?:\s+[\w'’-]+){0,5}?)\s+to\s*$"
    r"|\bfor\s+a\s+(?:combined\s+|cumulative\s+)?total\s+of\s*$",
    re.IGNORECASE,
)
_RUNNING_TOTAL_AFTER_RE = re.compile(
    r"^(?:\s+[a-z][\w'’-]*){0,3}?\s*,?\s*(?:in\s+all|altogether|all\s+told)\b",
    re.IGNORECASE,
)
_EARLIER_RE = re.compile(
    r"\b(?:earlier|previously|prior\s+to\s+(?:that|this|then)|before\s+(?:that|this|then)|"
    r"(?:in|at)\s+(?:an?\s+|the\s+)?(?:previous|prior)\s+(?:rounds?|releases?|batch(?:es)?|"
    r"waves?|phases?|stages?|tranches?))\b",
    re.IGNORECASE,
)
_BACKWARDS_RE = re.compile(r"\b(?:prior\s+to|before)\s+(?:that|this|then)\b", re.IGNORECASE)
_FIRST_THEN_RE = re.compile(r"\bfirst\b.*\bthen\b", re.IGNORECASE | re.DOTALL)
_EARLIER_PART_EXCLUDED_BEFORE_RE = re.compile(
    r"(?:of whom|of them|of which|among them|among whom|aged|ages|age|out of|per|every|each|"
    r"by|to|than|between|of the|of all|and up|up to|times|rank(?:ed)?|number|no\.?|"
    r"score[sd]?|won|beat|vote[sd]?)\s*$",
    re.IGNORECASE,
)
_FAMILY_WORD_RE = re.compile(r"\s*([A-Za-z][\w'’-]*)")
_FAMILY_STOP = frozenset(
    """of to in on at and or by for from were was are is than as with per a an the prior
    before after earlier later amid since during over under into onto that which who whom this
    these those had have has been be being it its their his her our while when who where
    bringing taking raising total all more additional further extra another new other
    so far""".split()
)
_FAMILY_SKIP = frozenset("more additional further extra new other".split())
_GENERIC_WORDS = frozenset(
    "number total tally count overall cumulative running people person".split()
)


def _family(words: list[str]) -> set[str]:
    """Content words naming what is counted, lightly stemmed ("protesters" -> "protester")."""
    return {_light_stem(w) for w in words if w not in _GENERIC_WORDS and w not in _FAMILY_STOP} - {
        _light_stem(w) for w in _ADJECTIVE_WORDS
    }


_ADJECTIVE_WORDS = frozenset(
    "young old former local foreign civilian registered eligible political".split()
)


def _light_stem(word: str) -> str:
    word = word.lower()
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _words_after_figure(text: str, quantity: Quantity) -> list[str]:
    """Up to three words right after a figure, up to punctuation or a function word."""
    words: list[str] = []
    position = quantity.end
    while len(words) < 3:
        match = _FAMILY_WORD_RE.match(text, position)
        if match is None:
            break
        word = match.group(1).lower()
        if not words and word in _FAMILY_SKIP:
            position = match.end()
            continue
        if word in _FAMILY_STOP:
            break
        words.append(word)
        position = match.end()
    return words


def _is_addition(text: str, quantity: Quantity) -> bool:
    before = text[max(0, quantity.start - 20) : quantity.start]
    after = text[quantity.end : quantity.end + 20]
    return bool(_ADDITION_BEFORE_RE.search(before) or _ADDITION_AFTER_RE.match(after))


def _running_total(
    text: str, quantities: list[Quantity], addition: Quantity
) -> tuple[Quantity, set[str]] | None:
    """The total an addition brings a count to, with the words naming what it counts."""
    for quantity in quantities:
        if quantity is addition or not quantity.is_countable or quantity.unit == "%":
            continue
        before = text[max(0, quantity.start - 80) : quantity.start]
        cue = _RUNNING_TOTAL_RE.search(before)
        if cue is None and quantity.start > addition.start:
            if _RUNNING_TOTAL_AFTER_RE.match(text[quantity.end : quantity.end + 60]):
                return quantity, _family(_words_after_figure(text, quantity))
            continue
        if cue is None:
            continue
        phrase = cue.group("phrase") or ""
        words = [w.lower() for w in _WORDS_RE.findall(phrase)]
        return quantity, _family(words) | _family(_words_after_figure(text, quantity))
    return None


def _earlier_parts(
    text: str, quantities: list[Quantity], addition: Quantity, family: set[str]
) -> tuple[list[Quantity], bool] | None:
    """The earlier parts a sentence states, and whether one names the counted thing.

    None when the sentence is not about earlier parts, or when a figure in it counts
    something else, restates an addition or a total: then nothing of it is used.
    """
    if not (_EARLIER_RE.search(text) or _FIRST_THEN_RE.search(text)):
        return None
    if _RUNNING_TOTAL_RE.search(text) or _TOTAL_CUE_RE.search(text):
        return None
    parts: list[Quantity] = []
    named = False
    for quantity in quantities:
        if not quantity.is_countable or (quantity.is_word and quantity.value < 10):
            continue
        if quantity.unit == "%" or _unit_key(quantity) != _unit_key(addition):
            continue
        if quantity.value <= 0 or quantity.noun in _MEASURE_NOUNS:
            continue
        before = text[max(0, quantity.start - 20) : quantity.start]
        if _EARLIER_PART_EXCLUDED_BEFORE_RE.search(before):
            continue
        if _is_addition(text, quantity):
            return None
        own = _family(_words_after_figure(text, quantity))
        if own and own.isdisjoint(family):
            return None  # "103 protesters ... 40 journalists": not one count
        named = named or bool(own)
        parts.append(quantity)
    if not parts:
        return None
    if _BACKWARDS_RE.search(text, parts[0].end):
        parts.reverse()  # "103 on December 12 and 533 prior to that": 533 came first
    return parts, named


def _cumulative_flags(
    texts: list[str], parsed: list[list[Quantity]], already: set[int]
) -> list[Flag]:
    """ "An additional 177 ..., bringing the total to 910" against the earlier parts."""
    flags: list[Flag] = []
    for index, text in enumerate(texts):
        if index in already:
            continue
        additions = [
            q
            for q in parsed[index]
            if q.is_countable and q.unit != "%" and q.value > 0 and _is_addition(text, q)
        ]
        if len(additions) != 1:
            continue
        addition = additions[0]
        found = _running_total(text, parsed[index], addition)
        if found is None:
            continue
        total, total_family = found
        family = _family(_words_after_figure(text, addition)) | total_family
        if not family or total.low <= addition.high:
            continue
        earlier: list[tuple[int, Quantity]] = []
        named = False
        first = max(0, index - CUMULATIVE_WINDOW)
        for position in range(first, min(len(texts), index + CUMULATIVE_WINDOW + 1)):
            if position == index:
                continue
            result = _earlier_parts(texts[position], parsed[position], addition, family)
            if result is None:
                continue
            parts, has_name = result
            named = named or has_name
            located = [(position, q) for q in parts]
            if _BACKWARDS_RE.search(texts[position]) and earlier:
                earlier = located + earlier  # "Before that, 120": earlier than what came before
            else:
                earlier += located
        if len(earlier) < 2 or len(earlier) >= MAX_PARTS or not named:
            continue
        values = [q.value for _, q in earlier] + [addition.value]
        if len(set(values)) != len(values):
            continue  # a figure stated twice: probably a restatement, not another part
        flag = _check_sum(text, total, [*earlier, (index, addition)], index)
        if flag is not None:
            flags.append(flag)
    return flags
