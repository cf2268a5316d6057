"""The ``sum`` check: stated totals and enumerations against the parts listed with them."""

from __future__ import annotations

import itertools
import re

from claims.extraction.consistency_common import (
    _MEASURE_NOUNS,
    _TOTAL_CUE_RE,
    MAX_PARTS,
    PARTS_ANNOUNCED,
    PARTS_DO_NOT_ADD_UP,
    Flag,
    _overlaps,
    _shown,
    _unit_key,
    flag,
)
from claims.extraction.numbers import Quantity, format_number

SUM_WINDOW = 4  # sentences before the total that may hold its parts
_CUMULATIVE_RE = re.compile(
    r"\b(?:since|so far|to date|until now|thus far|this year|in the past|over the past)\b",
    re.IGNORECASE,
)
_PART_EXCLUDED_BEFORE_RE = re.compile(
    r"(?:including|includes|include|of whom|of them|of which|among them|among whom|aged|ages|"
    r"age|out of|per|every|each|by|from|to|than|between|of the|of all|and up|up to|times|"
    r"rank(?:ed)?|number|no\.?|"
    r"score[sd]?|won|beat|vote[sd]?|"
    r"incluid[oa]s|incluyendo|de ell[oa]s|entre ell[oa]s|de l[oa]s cuales|cada|por|entre|hasta|"
    r"de un total de|edad de|que)\s*$",
    re.IGNORECASE,
)


def _sum_flags(texts: list[str], parsed: list[list[Quantity]]) -> list[Flag]:
    flags: list[Flag] = []
    for index, text in enumerate(texts):
        cue = _TOTAL_CUE_RE.search(text)
        if cue is None:
            continue
        total = _total_near(parsed[index], cue)
        if total is None:
            continue
        parts = _parts_before(texts, parsed, index, total)
        if len(parts) < 2:
            continue
        flag = _check_sum(texts[index], total, parts, index)
        if flag is not None:
            flags.append(flag)
    return flags


_NUMBER_NAMES = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
    "nueve": 9, "diez": 10,
}  # fmt: skip
_ANNOUNCED_RE = re.compile(
    r"\b(?:in (two|three|four|five|six|seven|eight|nine|ten|\d) (?:rounds|stages|phases|batches|"
    r"tranches|waves|instal?ments|parts|steps|payments|deliveries|releases)|"
    r"en (dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|\d) (?:rondas|etapas|fases|tandas|"
    r"entregas|pagos|partes|oleadas|cuotas|plazos))\b(?P<colon>\s*:)?",
    re.IGNORECASE,
)
_FIRST_RE = re.compile(r"\b(?:first|initial)\b", re.IGNORECASE)
_LAST_RE = re.compile(r"\b(?:final|last|remaining)\b", re.IGNORECASE)
ENUMERATION_WINDOW = 4


def _enumeration_flags(texts: list[str], parsed: list[list[Quantity]]) -> list[Flag]:
    """A total stated before a complete enumeration of its parts that does not add up."""
    flags: list[Flag] = []
    for start, text in enumerate(texts):
        announced = _ANNOUNCED_RE.search(text)
        expected = None
        after = 0
        if announced:
            word = (announced.group(1) or announced.group(2)).lower()
            expected = int(word) if word.isdigit() else _NUMBER_NAMES[word]
            after = announced.end()
        elif not _FIRST_RE.search(text):
            continue
        parts = _enumerated_parts(
            texts, parsed, start, complete_by_markers=expected is None, after=after
        )
        if announced and announced.group("colon") and expected is not None:
            count_flag = _count_flag(texts, parsed, start, parts, expected, announced.group(0))
            if count_flag is not None:
                flags.append(count_flag)
                continue
        if len(parts) < 2 or (expected is not None and len(parts) != expected):
            continue
        total_at = _total_before(
            texts, parsed, start, parts, before=announced.start() if announced else None
        )
        if total_at is None:
            continue
        total_index, total = total_at
        flag = _check_sum(texts[total_index], total, parts, total_index)
        if flag is not None:
            flags.append(flag)
    return flags


def _count_flag(
    texts: list[str],
    parsed: list[list[Quantity]],
    start: int,
    parts: list[tuple[int, Quantity]],
    expected: int,
    announcement: str,
) -> Flag | None:
    """ "in three rounds: 400, 350, 120 and 390": the list after the colon has four parts.

    Only a list wholly inside the announcing sentence, every figure after the colon a part.
    """
    if len(parts) < 2 or len(parts) == expected or any(i != start for i, _ in parts):
        return None
    if len({q.noun for _, q in parts}) > 1 or len({_unit_key(q) for _, q in parts}) > 1:
        return None  # "400 parcels in May and 350 in June, for 12 towns": not one list
    colon = texts[start].find(":")
    after_colon = [q for q in parsed[start] if q.start > colon and q.is_countable]
    if colon < 0 or len(after_colon) != len(parts):
        return None
    listed = ", ".join(_shown(q) for _, q in parts)
    return flag(
        "sum",
        (start,),
        PARTS_ANNOUNCED,
        f"{len(parts)} parts listed ≠ {expected} announced",
        expected=expected,
        announcement=" ".join(announcement.split()).rstrip(":"),
        listed_count=len(parts),
        listed=listed,
    )


def _enumerated_parts(
    texts: list[str],
    parsed: list[list[Quantity]],
    start: int,
    *,
    complete_by_markers: bool,
    after: int = 0,
) -> list[tuple[int, Quantity]]:
    """Exact counts listed from sentence ``start`` on, one unit and counted noun throughout.

    In the announcing sentence only figures after ``after`` (the announcement) count.
    """
    parts: list[tuple[int, Quantity]] = []
    for index in range(start, min(len(texts), start + ENUMERATION_WINDOW + 1)):
        found = [
            q
            for q in parsed[index]
            if (index > start or q.start >= after)
            and q.is_countable
            and q.is_exact
            and q.value > 0
            and (not q.is_word or q.value >= 10)
            and _plain_part(texts[index], q)
        ]
        if parts:
            unit, noun = _unit_key(parts[0][1]), _named_noun(parts)
            found = [
                q
                for q in found
                if _unit_key(q) == unit and (q.noun is None or noun is None or q.noun == noun)
            ]
        if not found and index > start:
            break
        parts += [(index, q) for q in found]
        if parts and _LAST_RE.search(texts[index]):
            break
    else:
        if complete_by_markers:
            return []
    if complete_by_markers and not (
        parts and _FIRST_RE.search(texts[parts[0][0]]) and _LAST_RE.search(texts[parts[-1][0]])
    ):
        return []
    return parts


def _plain_part(text: str, quantity: Quantity) -> bool:
    """Not a percentage, not a measure, not "out of", "each" or another exclusion."""
    if quantity.unit == "%" or quantity.noun in _MEASURE_NOUNS:
        return False
    before = text[max(0, quantity.start - 20) : quantity.start]
    return _PART_EXCLUDED_BEFORE_RE.search(before) is None


def _named_noun(parts: list[tuple[int, Quantity]]) -> str | None:
    return next((q.noun for _, q in parts if q.noun), None)


def _total_before(
    texts: list[str],
    parsed: list[list[Quantity]],
    start: int,
    parts: list[tuple[int, Quantity]],
    before: int | None = None,
) -> tuple[int, Quantity] | None:
    """The nearest earlier figure counting the same named thing, larger than every part.

    Parts that name nothing ("400 in May, 350 in June") take the one figure stated before
    the announcement in their own sentence ("1,240 households in three rounds: ...").
    """
    noun = _named_noun(parts)
    unit = _unit_key(parts[0][1])
    largest = max(q.high for _, q in parts)
    first_part = parts[0][1]
    if noun is None:
        if before is None or parts[0][0] != start:
            return None
        candidates = [
            q
            for q in parsed[start]
            if q.end <= before and q.is_countable and q.noun and _unit_key(q) == unit
        ]
        if len(candidates) == 1 and candidates[0].low > largest:
            return start, candidates[0]
        return None
    for index in range(start, max(-1, start - ENUMERATION_WINDOW - 1), -1):
        for quantity in reversed(parsed[index]):
            if index == parts[0][0] and quantity.start >= first_part.start:
                continue
            if (
                quantity.is_countable
                and quantity.noun == noun
                and _unit_key(quantity) == unit
                and quantity.low > largest
            ):
                return index, quantity
    return None


def _total_near(quantities: list[Quantity], cue: re.Match[str]) -> Quantity | None:
    """The countable figure closest to a total cue ("in all, 910"; "910 in total")."""
    best: tuple[int, Quantity] | None = None
    for quantity in quantities:
        if not quantity.is_countable or quantity.unit == "%":
            continue
        if quantity.end <= cue.start():
            distance = cue.start() - quantity.end
        elif quantity.start >= cue.end():
            distance = quantity.start - cue.end()
        else:
            distance = 0
        if distance <= 30 and (best is None or distance < best[0]):
            best = (distance, quantity)
    return best[1] if best else None


def _parts_before(
    texts: list[str], parsed: list[list[Quantity]], index: int, total: Quantity
) -> list[tuple[int, Quantity]]:
    """Figures that may be parts of ``total``: same unit and noun, before it, near it."""
    parts: list[tuple[int, Quantity]] = []
    first = max(0, index - SUM_WINDOW)
    for position in range(index, first - 1, -1):
        if position < index and _TOTAL_CUE_RE.search(texts[position]):
            break  # an earlier total closes the window
        for quantity in reversed(parsed[position]):
            if position == index and quantity.start >= total.start:
                continue
            if _is_part(texts[position], quantity, total):
                parts.append((position, quantity))
    parts.reverse()
    return parts[-MAX_PARTS:]


def _is_part(text: str, quantity: Quantity, total: Quantity) -> bool:
    if not quantity.is_countable or (quantity.is_word and quantity.value < 10):
        return False
    if _unit_key(quantity) != _unit_key(total) or quantity.unit == "%":
        return False
    if quantity.low >= total.high or quantity.value <= 0:
        return False
    if quantity.noun in _MEASURE_NOUNS and quantity.noun != total.noun:
        return False
    if quantity.noun and total.noun and quantity.noun != total.noun:
        return False
    before = text[max(0, quantity.start - 20) : quantity.start]
    return _PART_EXCLUDED_BEFORE_RE.search(before) is None


def _check_sum(
    total_text: str, total: Quantity, parts: list[tuple[int, Quantity]], index: int
) -> Flag | None:
    quantities = [q for _, q in parts]
    low = sum(q.low for q in quantities)
    high = sum(q.high for q in quantities)
    cumulative = _CUMULATIVE_RE.search(total_text) is not None
    if _overlaps(low, high, total.low, total.high):
        return None
    if cumulative and high < total.low:
        return None  # "since January": the total may include parts not listed
    if _some_subset_matches(quantities, total):
        return None  # the window probably caught an unrelated figure
    values = " + ".join(format_number(q.value) for q in quantities)
    exact = all(q.is_exact for q in quantities)
    stated = _shown(total)
    if exact:
        arithmetic = f"{values} = {format_number(low)}, but the stated total is {stated}"
    else:
        arithmetic = (
            f"{values} is between {format_number(low)} and {format_number(high)}, "
            f"but the stated total is {stated}"
        )
    indexes = tuple(sorted({i for i, _ in parts} | {index}))
    return flag(
        "sum",
        indexes,
        PARTS_DO_NOT_ADD_UP,
        arithmetic,
        parts=", ".join(_shown(q) for q in quantities),
        total=stated,
    )


def _some_subset_matches(quantities: list[Quantity], total: Quantity) -> bool:
    """True when two or more of the figures (in order, any subset) fit the total."""
    count = len(quantities)
    for size in range(2, count):
        for subset in itertools.combinations(quantities, size):
            if _overlaps(
                sum(q.low for q in subset), sum(q.high for q in subset), total.low, total.high
            ):
                return True
    return False
