"""Shared by the consistency checks: the ``Flag`` type, common patterns and helpers."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from claims.extraction.numbers import Quantity

MAX_PARTS = 12
_RELATIVE_TOLERANCE = 1e-6


@dataclass(frozen=True, slots=True)
class Flag:
    """A group of figures that contradict each other, with the arithmetic shown."""

    kind: str  # "sum" | "percentage" | "mismatch"
    sentence_indexes: tuple[int, ...]
    message: str
    arithmetic: str
    # "contradiction": the figures cannot all be right. "may_not_add_up": the wording is not
    # exhaustive ("including", "among them", "such as"): parts may overlap or be partial.
    severity: str = "contradiction"
    # The message's template (one of FLAG_MESSAGES) and its values, so that a page can show the
    # message in its reader's language: message == template % dict(params).
    template: str = ""
    params: tuple[tuple[str, str], ...] = ()


# Every flag message, as a %-template over string values. The Django side keeps a translated
# copy (claims/flag_messages.py; a test keeps the two in step).
SAME_COUNT_TWICE = (
    "The same count (%(noun)s) is given as %(first)s in sentence %(first_sentence)s "
    "and as %(second)s in sentence %(second_sentence)s."
)
PARTS_MAY_OVERLAP = (
    "The figures given as part of %(whole)s (%(parts)s) add up to more than it: they may "
    "overlap or count something else, so they may not add up."
)
PERCENTAGE_MISMATCH = (
    "The percentage (%(percent)s) does not match the counts (%(part)s of %(whole)s)."
)
SHARES_PAST_100 = "The shares of one vote (%(shares)s) add up to more than 100%%."
PARTS_ANNOUNCED = (
    "The text announces %(expected)s parts (%(announcement)s) but lists %(listed_count)s: "
    "%(listed)s."
)
PARTS_DO_NOT_ADD_UP = (
    "The figures listed (%(parts)s) do not add up to the stated total (%(total)s)."
)
FLAG_MESSAGES = (
    SAME_COUNT_TWICE,
    PARTS_MAY_OVERLAP,
    PERCENTAGE_MISMATCH,
    SHARES_PAST_100,
    PARTS_ANNOUNCED,
    PARTS_DO_NOT_ADD_UP,
)


def flag(
    kind: str,
    sentence_indexes: tuple[int, ...],
    template: str,
    arithmetic: str,
    severity: str = "contradiction",
    **params: object,
) -> Flag:
    """A flag whose message is ``template`` filled with ``params`` (kept for translation)."""
    values = tuple((name, str(value)) for name, value in params.items())
    message = template % dict(values)
    return Flag(kind, sentence_indexes, message, arithmetic, severity, template, values)


CONTRADICTION = "contradiction"
MAY_NOT_ADD_UP = "may_not_add_up"


_TOTAL_CUE_RE = re.compile(
    r"\b(?:in all|in total|a total of|altogether|all told|combined|total(?:l?ing|l?ed)?|"
    r"overall|all in all|en total|un total de|en conjunto|en suma|en todo)\b",
    re.IGNORECASE,
)
_MEASURE_NOUNS = frozenset(
    """day week month year hour minute second decade century time km kilometre kilometer mile
    metre meter m cm mm kg g tonne ton pound lb foot feet ft inch percent per point age
    year-old degree mph kph acre hectare square round game match goal seat""".split()
)
_WORDS_RE = re.compile(r"[A-Za-z][\w'’-]*")


def _unit_key(quantity: Quantity) -> str:
    unit = quantity.unit or ""
    return {
        "dollars": "$",
        "euros": "€",
        "pounds": "£",
        "dólares": "$",
        "dolares": "$",
        "libras": "£",
    }.get(unit.lower(), unit)


def _shown(quantity: Quantity) -> str:
    """The figure as written in the text, on one line."""
    return " ".join(quantity.text.split())


def _overlaps(low: float, high: float, other_low: float, other_high: float) -> bool:
    slack = _RELATIVE_TOLERANCE * max(1.0, abs(other_low) if math.isfinite(other_low) else 1.0)
    return low <= other_high + slack and other_low <= high + slack
