"""The ``percentage`` check: "A of B (P%)" where A / B does not round to P."""

from __future__ import annotations

import itertools
import re

from claims.extraction.consistency_common import (
    PERCENTAGE_MISMATCH,
    SHARES_PAST_100,
    Flag,
    _shown,
    flag,
)
from claims.extraction.numbers import Quantity, format_number

_OPENING_GAP_RE = re.compile(r"\s*(?:\(|,|—|–|-)\s*")
_PAIR_RE_TEXT = (
    r"^\s+(?:(?:out\s+)?of\s+(?:the\s+|all\s+|its\s+|their\s+|these\s+|those\s+)?|"
    r"de\s+(?:los\s+|las\s+|un\s+total\s+de\s+)?)$"
)
_PAIR_GAP_RE = re.compile(_PAIR_RE_TEXT, re.IGNORECASE)
_PERCENT_GAP_RE = re.compile(
    r"^\s*(?:[A-Za-z][\w'’-]*\s+){0,3}[A-Za-z]*[\w'’-]*\s*(?:[,(—–-]|,\s*or|\bor)\s*"
    r"(?:or\s+|that\s+is\s+|i\.e\.\s*|some\s+)?$",
    re.IGNORECASE,
)


def _percentage_flags(texts: list[str], parsed: list[list[Quantity]]) -> list[Flag]:
    flags: list[Flag] = []
    for index, (text, quantities) in enumerate(zip(texts, parsed, strict=True)):
        percents = [q for q in quantities if q.unit == "%" and not _is_points(q)]
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
        flag = _ratio_flag(part, whole, percent, (index,))
        if flag is not None:
            flags.append(flag)
    flags += _neighbour_flags(texts, parsed)
    flags += _share_flags(texts, parsed)
    return flags


def _is_points(quantity: Quantity) -> bool:
    lowered = quantity.text.lower()
    return "point" in lowered or "punto" in lowered


def _percent_half(percent: Quantity) -> float:
    """Half the last written decimal place: "30%" stands for 29.5 to 30.5."""
    digits = percent.text.replace(",", ".") if "," in percent.text else percent.text
    decimals = len(digits.split(".")[1].rstrip("% percntoi")) if "." in digits else 0
    return 0.5 * 10.0**-decimals


def _ratio_flag(
    part: Quantity, whole: Quantity, percent: Quantity, indexes: tuple[int, ...]
) -> Flag | None:
    """A flag when ``part`` / ``whole`` does not round to ``percent``."""
    if whole.value <= 0 or part.value > whole.value:
        return None
    if not (part.is_exact and whole.is_exact):
        return None  # "about 12 of some 40": too vague to check
    ratio = part.value / whole.value * 100.0
    half = _percent_half(percent)
    low = percent.low - half if percent.is_exact else percent.low
    high = percent.high + half if percent.is_exact else percent.high
    if low - 1e-9 <= ratio <= high + 1e-9:
        return None
    arithmetic = (
        f"{format_number(part.value)} / {format_number(whole.value)} = "
        f"{ratio:.1f}%, but the text says {_shown(percent)}"
    )
    return flag(
        "percentage",
        indexes,
        PERCENTAGE_MISMATCH,
        arithmetic,
        percent=_shown(percent),
        part=_shown(part),
        whole=_shown(whole),
    )


_OF_THEM_RE = re.compile(
    r"\b(?:of\s+(?:them|these|those|whom)|among\s+(?:them|these|those)|"
    r"de\s+(?:ell[oa]s|est[oa]s)|entre\s+(?:ell[oa]s|est[oa]s))\b",
    re.IGNORECASE,
)
_PERCENT_NEAR_RE = re.compile(
    r"^\s*(?:[A-Za-z][\w'’-]*\s+){0,6}?[\w'’-]*\s*(?:\(|,\s*(?:or|that\s+is|o\s+sea|es\s+decir|"
    r"el|la|un|una)?|—|–|\bor\b|\bo\b)\s*$",
    re.IGNORECASE,
)


# "120 had no library": a verb after the count, read as its noun by the parser.
_VERBS_AFTER_COUNT = frozenset(
    "had have has were was are is did do said reported tenían tenia eran fueron son".split()
)


def _neighbour_flags(texts: list[str], parsed: list[list[Quantity]]) -> list[Flag]:
    """The base in one sentence, count and percentage in the next ("Of them, 120 ... (40%)").

    The base sentence must state one count only, and the next one count and one percentage,
    the count referring back ("of them", "among them") with the percentage right after it.
    """
    flags: list[Flag] = []
    for index in range(1, len(texts)):
        text = texts[index]
        refer = _OF_THEM_RE.search(text)
        if refer is None:
            continue
        counts = [q for q in parsed[index] if q.is_countable and q.unit is None]
        percents = [q for q in parsed[index] if q.unit == "%" and not _is_points(q)]
        bases = [q for q in parsed[index - 1] if q.is_countable and q.unit != "%"]
        if len(counts) != 1 or len(percents) != 1 or len(bases) != 1 or bases[0].unit:
            continue
        part, percent, whole = counts[0], percents[0], bases[0]
        if whole.noun is None or part.noun not in (None, whole.noun, *_VERBS_AFTER_COUNT):
            continue
        if not (
            part.end <= percent.start and _PERCENT_NEAR_RE.match(text[part.end : percent.start])
        ):
            continue
        if abs(refer.start() - part.start) > 40:
            continue  # "of them" must sit by the count
        flag = _ratio_flag(part, whole, percent, (index - 1, index))
        if flag is not None:
            flags.append(flag)
    return flags


_SHARE_CUE_RE = re.compile(
    r"%\s*(?:of\s+(?:the\s+|its\s+|their\s+)?(?:vote|votes|ballots|budget|seats|spending)|"
    r"del\s+(?:voto|presupuesto|gasto)|de\s+los\s+(?:votos|escaños))\b",
    re.IGNORECASE,
)
_CHANGE_RE = re.compile(
    r"\b(?:up|down|rose|rise|risen|fell|fall|fallen|increased?|decreased?|grew|growth|gain(?:ed)?|"
    r"lost|dropped|by|from|than|compared|previous|earlier|last|before|while|whereas|"
    r"respectively|among|each|per|subió|bajó|aumentó|cayó|creció|respecto|anterior|mientras|"
    r"entre|cada)\b",
    re.IGNORECASE,
)


def _share_flags(texts: list[str], parsed: list[list[Quantity]]) -> list[Flag]:
    """Shares of one vote in one sentence ("55% ..., 38% ... and 12% of the vote") past 100%.

    Only one whole in the sentence (a single "of the vote"), no year or date (another count),
    no change or comparison word: every percentage is then a share of the same vote.
    """
    flags: list[Flag] = []
    for index, text in enumerate(texts):
        cues = _SHARE_CUE_RE.findall(text)
        if len(cues) != 1 or _CHANGE_RE.search(text):
            continue
        quantities = parsed[index]
        shares = [q for q in quantities if q.unit == "%"]
        if len(shares) < 2 or any(_is_points(q) or not q.is_exact for q in shares):
            continue
        if any(not q.is_countable for q in quantities):
            continue  # a year or a date: two elections, two wholes
        if sum(q.value - _percent_half(q) for q in shares) <= 100.0 + 1e-9:
            continue  # rounding can explain it: 33.4 + 33.4 + 33.4
        values = " + ".join(_shown(q) for q in shares)
        total = format_number(round(sum(q.value for q in shares), 6))
        arithmetic = f"{values} = {total}% > 100%"
        shown = ", ".join(_shown(q) for q in shares)
        flags.append(flag("percentage", (index,), SHARES_PAST_100, arithmetic, shares=shown))
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
    r"(?:^|[;:]\s*)[\"'“‘]?(?:(?:of|out of)\s+(?:the\s+|all\s+|its\s+|their\s+|these\s+|"
    r"those\s+)?|de\s+(?:los\s+|las\s+|un\s+total\s+de\s+))$",
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
