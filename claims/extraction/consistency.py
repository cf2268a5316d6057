"""Flag figures in a text that contradict each other.

Three checks, each tuned for precision (a newsroom tool must not cry wolf):
1. ``sum``: a stated total ("in all, 910 prisoners were released") against the parts listed
   just before it in the same or the previous few sentences. Parts must count the same thing
   (same unit, same noun or none), and no two or more of them may already add up to the total.
   Also a total stated first ("relief reached 1,240 households") against an enumeration that
   follows it, but only a complete one: announced ("in three rounds": three parts) or running
   from "first" to "final"/"last".
   And a running total ("an additional 177 ..., bringing the total to 910") against the
   earlier parts stated elsewhere ("earlier releases, including 103 ... and 533 prior to
   that"): at least two earlier parts, all counting the same thing as the addition.
   Also parts right after the whole they divide, in one sentence ("the $12,000 grant is split
   into $5,000 ..., $4,000 ... and $2,000 ..."; "$4,000: $1,500 on Saturday and ..."), and
   an enumeration announced in one sentence ("1,240 households in three rounds: 400 in May,
   350 ... and 390 ..."): its sum, and the number of parts listed against the announced one.
   Non-exhaustive wording ("including", "among them", "such as", "of whom") never makes a
   contradiction: parts that exceed the whole get the softer severity ``may_not_add_up``.
2. ``percentage``: "A of B ... (P%)" or "Of the B ..., A ..., a rate of P%" in one sentence,
   where A / B does not round to P; the base in the previous sentence ("The survey covered
   400 schools. Of them, 120 ..., or 40%."); shares of one vote or budget past 100%.
3. ``mismatch``: the same quantity stated twice with different values ("killed 12 people" and
   later "killed 15 people"; "the blast, which killed 17" and "the blast killed 19"; a
   headline "Blast kills 17"), skipped when the text signals an update or another event,
   another year, another named subject or another source. A bound ("more than 2,000 people
   marched") is contradicted by an exact figure outside it ("1,800 people marched").

Every flag has a ``severity``: ``contradiction`` (the figures cannot all be right) or
``may_not_add_up`` (non-exhaustive wording). ``language`` ("en", "es") picks how figures are
read: "1,877" and "67.2%" in English, "1.877" and "67,2 %" in Spanish.

Figures are intervals (``claims.extraction.numbers``): "over 2,000" is checked as a bound, an
"about" figure with a margin, years and dates never take part in arithmetic.

The checks live in ``consistency_sums`` (stated totals, enumerations),
``consistency_cumulative`` (running totals), ``consistency_parts`` (parts right after their
whole), ``consistency_percentages`` and ``consistency_mismatches``; ``consistency_common``
holds ``Flag`` and shared helpers.
"""

from __future__ import annotations

from collections.abc import Sequence

from claims.extraction.consistency_common import CONTRADICTION, MAX_PARTS, MAY_NOT_ADD_UP, Flag
from claims.extraction.consistency_cumulative import CUMULATIVE_WINDOW, _cumulative_flags
from claims.extraction.consistency_mismatches import _mismatch_flags
from claims.extraction.consistency_parts import _parts_flags
from claims.extraction.consistency_percentages import _percentage_flags
from claims.extraction.consistency_sums import (
    ENUMERATION_WINDOW,
    SUM_WINDOW,
    _enumeration_flags,
    _sum_flags,
)
from claims.extraction.numbers import Quantity, find_quantities

__all__ = [
    "CONTRADICTION",
    "CUMULATIVE_WINDOW",
    "ENUMERATION_WINDOW",
    "MAX_PARTS",
    "MAX_SENTENCE_CHARS",
    "MAY_NOT_ADD_UP",
    "SUM_WINDOW",
    "Flag",
    "check_consistency",
]


MAX_SENTENCE_CHARS = 2_000


def check_consistency(
    sentences: Sequence[str],
    language: str = "en",
    quantities: Sequence[Sequence[Quantity]] | None = None,
) -> list[Flag]:
    """Flag sums, percentages and repeated figures that contradict each other.

    Steps: 1. parse the quantities of every sentence in ``language`` ("en" or "es": "1.877"
    is 1,877 in Spanish), or take them from ``quantities`` (one list per sentence, as
    ``find_quantities(sentence, language)`` gives them) when the caller has parsed them;
    2. run the sum, percentage and mismatch checks; 3. return the flags ordered by the first
    sentence they name. Never raises on any text (a ``quantities`` of another length than
    ``sentences`` is a ValueError).
    """
    # A "sentence" longer than MAX_SENTENCE_CHARS is a table or a list, not prose: skip it.
    texts = [
        text if isinstance(text, str) and len(text) <= MAX_SENTENCE_CHARS else ""
        for text in sentences
    ]
    if quantities is None:
        parsed = [find_quantities(text, language) for text in texts]
    else:  # zip(strict=True) raises ValueError on lists of another length
        parsed = [
            list(found) if text else [] for text, found in zip(texts, quantities, strict=True)
        ]
    flags: list[Flag] = []
    flags += _sum_flags(texts, parsed)
    flags += _enumeration_flags(texts, parsed)
    flags += _parts_flags(texts, parsed)
    flags += _cumulative_flags(texts, parsed, {f.sentence_indexes[-1] for f in flags})
    flags += _percentage_flags(texts, parsed)
    flags += _mismatch_flags(texts, parsed, language)
    seen: set[tuple[str, tuple[int, ...], str]] = set()
    unique: list[Flag] = []
    for flag in flags:
        key = (flag.kind, flag.sentence_indexes, flag.arithmetic)
        if key not in seen:
            seen.add(key)
            unique.append(flag)
    unique.sort(key=lambda f: (f.sentence_indexes, f.kind))
    return unique
