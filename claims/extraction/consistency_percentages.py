"""The ``percentage`` check: "A of B (P%)" where A / B does not round to P."""

from __future__ import annotations

import itertools
import re

from claims.extraction.consistency_common import Flag, _shown
from claims.extraction.numbers import Quantity, format_number

_OPENING_GAP_RE = re.compile(r"\s*(?:\(|,|—|–|-)\s*")
_PAIR_RE_TEXT = r"^\s+(?:out\s+)?of\s+(?:the\s+|all\s+|its\s+|their\s+|these\s+|those\s+)?$"
_PAIR_GAP_RE = re.compile(_PAIR_RE_TEXT, re.IGNORECASE)
_PERCENT_GAP_RE = re.compile(
    r"^\s*(?:[A-Za-z][\w'’-]*\s+){0,3}[A-Za-z]*[\w'’-]*\s*(?:[,(—–-]|,\s*or|\bor)\s*"
    r"(?:or\s+|that\s+is\s+|i\.e\.\s*|some\s+)?$",
    re.IGNORECASE,
)


def _percentage_flags(texts: list[str], parsed: list[list[Quantity]]) -> list[Flag]:
    flags: list[Flag] = []
    for index, (text, quantities) in enumerate(zip(texts, parsed, strict=True)):
        percents = [q for q in quantities if q.unit == "%" and "point" not in q.text.lower()]
        if len(percents) != 1:
            continue
        percent = percents[0]
        pairs = _count_pairs(text, quantities)
        if len(pairs) == 1:
            part, whole = pairs[0]
            if not _percent_is_attached(text, part, whole, percent):
                continue
        else:
            leading = _leading_of_pair(text, quantities, percent)
            if pairs or leading is None:
                continue
            part, whole = leading
        if whole.value <= 0 or part.value > whole.value:
            continue
        ratio = part.value / whole.value * 100.0
        decimals = len(percent.text.split(".")[1].rstrip("% percnt")) if "." in percent.text else 0
        half = 0.5 * 10.0**-decimals
        low = percent.low - half if percent.is_exact else percent.low
        high = percent.high + half if percent.is_exact else percent.high
        if not (part.is_exact and whole.is_exact):
            continue  # "about 12 of some 40": too vague to check
        if low - 1e-9 <= ratio <= high + 1e-9:
            continue
        arithmetic = (
            f"{format_number(part.value)} / {format_number(whole.value)} = "
            f"{ratio:.1f}%, but the text says {_shown(percent)}"
        )
        message = (
            f"The percentage ({_shown(percent)}) does not match the counts "
            f"({_shown(part)} of {_shown(whole)})."
        )
        flags.append(Flag("percentage", (index,), message, arithmetic))
    return flags


def _count_pairs(text: str, quantities: list[Quantity]) -> list[tuple[Quantity, Quantity]]:
    """Pairs "A of (the) B" / "A out of B" of plain counts in one sentence."""
    counts = [q for q in quantities if q.is_countable and q.unit is None]
    pairs = []
    for first, second in itertools.pairwise(counts):
        gap = text[first.end : second.start]
        if _PAIR_GAP_RE.match(gap):
            pairs.append((first, second))
    return pairs


_LEADING_OF_RE = re.compile(
    r"(?:^|[;:]\s*)[\"'“‘]?(?:of|out of)\s+(?:the\s+|all\s+|its\s+|their\s+|these\s+|those\s+)?$",
    re.IGNORECASE,
)


def _leading_of_pair(
    text: str, quantities: list[Quantity], percent: Quantity
) -> tuple[Quantity, Quantity] | None:
    """ "Of the 400 applications, 120 were approved, a rate of 30%": (120, 400)."""
    counts = [q for q in quantities if q.is_countable and q.unit is None]
    for whole, part in itertools.pairwise(counts):
        if not _LEADING_OF_RE.search(text[: whole.start]):
            continue
        between = text[whole.end : part.start]
        after = text[part.end : percent.start]
        if "," not in between or part.end > percent.start or len(after) > 60:
            return None
        if any(ch.isdigit() for ch in between + after):
            return None
        return part, whole
    return None


def _percent_is_attached(text: str, part: Quantity, whole: Quantity, percent: Quantity) -> bool:
    """The percentage sits right next to the pair: "12 of the 40 members (30%)"."""
    if percent.start >= whole.end:
        return _PERCENT_GAP_RE.match(text[whole.end : percent.start]) is not None
    if percent.end <= part.start:
        gap = text[percent.end : part.start]
        return _OPENING_GAP_RE.fullmatch(gap) is not None
    return False
