"""Parts given right after the whole they divide: "a $12 million budget split into ...".

Two kinds of wording:
- exhaustive ("split into", "divided among", "made up of", "comprising", or a colon right
  before the first part: "$4,000: $1,500 on Saturday and ..."): the parts must add up to the
  whole, else a ``sum`` contradiction;
- non-exhaustive ("including", "among them", "such as", "of whom"): the parts may be partial
  or overlap, so only parts that together exceed the whole are flagged, and softly
  (severity ``may_not_add_up``), never as a contradiction.
The parts follow the whole in the same sentence, or open the next one ("Among them, ...").
"""

from __future__ import annotations

import re

from claims.extraction.consistency_common import (
    _MEASURE_NOUNS,
    MAX_PARTS,
    MAY_NOT_ADD_UP,
    PARTS_MAY_OVERLAP,
    Flag,
    _shown,
    _unit_key,
    flag,
)
from claims.extraction.consistency_sums import _check_sum, _plain_part
from claims.extraction.numbers import Quantity, format_number

_EXHAUSTIVE_RE = re.compile(
    r"\b(?:(?:split|divided|broken\s+down|allocated|shared|distributed|apportioned)\s+"
    r"(?:[\w'’-]+\s+){0,2}?(?:into|between|among|across|as)|comprising|consisting\s+of|"
    r"made\s+up\s+of|repartid[oa]s?\s+(?:entre|en)|dividid[oa]s?\s+(?:entre|en)|"
    r"desglosad[oa]s?\s+en|distribuid[oa]s?\s+(?:entre|en)|"
    r"se\s+(?:reparte|divide|distribuye|desglosa)n?\s+(?:en|entre))\b|^[^;:.!?()]*:\s*$",
    re.IGNORECASE,
)
_PARTIAL_RE = re.compile(
    r"\b(?:including|includes|included|include|among\s+them|among\s+whom|among\s+those|"
    r"such\s+as|of\s+whom|of\s+them|of\s+which|of\s+these|incluid[oa]s|incluyendo|incluye|"
    r"entre\s+ell[oa]s|entre\s+los\s+que|entre\s+las\s+que|de\s+ell[oa]s|de\s+los\s+cuales|"
    r"de\s+las\s+cuales|como)\b",
    re.IGNORECASE,
)
_OPENS_WITH_PARTIAL_RE = re.compile(
    r"^\W*(?:among\s+them|among\s+those|of\s+them|of\s+these|of\s+those|they\s+include[d]?|"
    r"including|entre\s+ell[oa]s|de\s+ell[oa]s)\b",
    re.IGNORECASE,
)
_REMAINDER_RE = re.compile(
    r"\b(?:rest|remainder|remaining|balance|others?|resto|restante|restantes|demás)\b",
    re.IGNORECASE,
)
_GAP_LIMIT = 60  # characters between the whole and its first part


def _parts_flags(texts: list[str], parsed: list[list[Quantity]]) -> list[Flag]:
    """Wholes followed by parts that do not add up (exhaustive) or exceed them (partial)."""
    flags: list[Flag] = []
    for index, text in enumerate(texts):
        for position, whole in enumerate(parsed[index]):
            if not _can_be_whole(whole):
                continue
            later = [q for q in parsed[index][position + 1 :] if _unit_key(q) == _unit_key(whole)]
            if not later:
                continue
            gap = text[whole.end : later[0].start]
            if len(gap) > _GAP_LIMIT or any(ch.isdigit() for ch in gap):
                continue
            # "between 40 ...": the parser keeps "between" with the figure; read it with the gap.
            cue_text = gap + later[0].text.split()[0] if later[0].text[:1].isalpha() else gap
            partial = _PARTIAL_RE.search(cue_text) is not None
            if not partial and _EXHAUSTIVE_RE.search(cue_text) is None:
                continue
            parts = _parts(text, later, whole, partial)
            flag = _parts_flag(text, index, whole, parts, partial)
            if flag is not None:
                flags.append(flag)
                break
        if index + 1 < len(texts) and _OPENS_WITH_PARTIAL_RE.match(texts[index + 1]):
            flag = _next_sentence_flag(texts, parsed, index)
            if flag is not None:
                flags.append(flag)
    return flags


def _can_be_whole(quantity: Quantity) -> bool:
    return (
        quantity.is_countable
        and quantity.unit != "%"
        and quantity.value > 0
        and quantity.noun not in _MEASURE_NOUNS
        and not (quantity.is_word and quantity.value < 10)
    )


def _parts(
    text: str, candidates: list[Quantity], whole: Quantity, partial: bool
) -> list[tuple[int, Quantity]]:
    """The figures after the whole that can be its parts (same unit, same noun if exhaustive)."""
    parts: list[tuple[int, Quantity]] = []
    for quantity in candidates[:MAX_PARTS]:
        if not _can_be_whole(quantity) or not quantity.is_exact or quantity.low >= whole.high:
            return []  # a bigger figure or a bound in the list: not a plain split of the whole
        if not partial and quantity.noun and whole.noun and quantity.noun != whole.noun:
            return []
        before = text[max(0, quantity.start - 20) : quantity.start]
        # The first part follows the cue ("split into 5", "including 80"): no exclusion then.
        if parts and not _plain_part(text, quantity) and not _PARTIAL_RE.search(before):
            return []
        parts.append((0, quantity))
    return parts


def _parts_flag(
    text: str, index: int, whole: Quantity, parts: list[tuple[int, Quantity]], partial: bool
) -> Flag | None:
    if len(parts) < 2:
        return None
    located = [(index, q) for _, q in parts]
    if not partial:
        if _REMAINDER_RE.search(text, parts[-1][1].end):
            return None  # "..., with the rest unassigned": the parts listed are not all
        return _check_sum(text, whole, located, index)
    return _exceeds_flag(whole, located, index)


def _exceeds_flag(whole: Quantity, parts: list[tuple[int, Quantity]], index: int) -> Flag | None:
    """Partial parts that together exceed the whole: they may overlap, so a soft flag."""
    low = sum(q.low for _, q in parts)
    if low <= whole.high * (1 + 1e-9):
        return None
    values = " + ".join(format_number(q.value) for _, q in parts)
    stated = _shown(whole)
    arithmetic = f"{values} = {format_number(low)}, more than {stated}"
    indexes = tuple(sorted({i for i, _ in parts} | {index}))
    return flag(
        "sum",
        indexes,
        PARTS_MAY_OVERLAP,
        arithmetic,
        MAY_NOT_ADD_UP,
        whole=stated,
        parts=", ".join(_shown(q) for _, q in parts),
    )


def _next_sentence_flag(texts: list[str], parsed: list[list[Quantity]], index: int) -> Flag | None:
    """ "The fire destroyed 120 homes. Among them, 80 ... and 60 ...": partial parts."""
    wholes = [q for q in parsed[index] if _can_be_whole(q) and q.noun]
    if len(wholes) != 1:
        return None
    whole = wholes[0]
    following = [q for q in parsed[index + 1] if q.is_countable and q.unit != "%"]
    if any(_unit_key(q) != _unit_key(whole) for q in following):
        return None
    parts = _parts(texts[index + 1], following, whole, partial=True)
    if len(parts) < 2:
        return None
    return _exceeds_flag(whole, [(index + 1, q) for _, q in parts], index)
