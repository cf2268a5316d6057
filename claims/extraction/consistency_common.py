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
