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
2. ``percentage``: "A of B ... (P%)" or "Of the B ..., A ..., a rate of P%" in one sentence,
   where A / B does not round to P.
3. ``mismatch``: the same quantity stated twice with different values ("killed 12 people" and
   later "killed 15 people"), skipped when the text signals an update or another event.

Figures are intervals (``claims.extraction.numbers``): "over 2,000" is checked as a bound, an
"about" figure with a margin, years and dates never take part in arithmetic.

The checks live in ``consistency_sums`` (stated totals, enumerations),
``consistency_cumulative`` (running totals), ``consistency_percentages`` and
``consistency_mismatches``; ``consistency_common`` holds ``Flag`` and shared helpers.
"""

from __future__ import annotations

from collections.abc import Sequence

from claims.extraction.consistency_common import MAX_PARTS, Flag
from claims.extraction.consistency_cumulative import CUMULATIVE_WINDOW, _cumulative_flags
from claims.extraction.consistency_mismatches import _mismatch_flags
from claims.extraction.consistency_percentages import _percentage_flags
from claims.extraction.consistency_sums import (
    ENUMERATION_WINDOW,
    SUM_WINDOW,
    _enumeration_flags,
    _sum_flags,
)
from claims.extraction.numbers import find_quantities

__all__ = [
    "CUMULATIVE_WINDOW",
    "ENUMERATION_WINDOW",
    "MAX_PARTS",
    "MAX_SENTENCE_CHARS",
    "SUM_WINDOW",
    "Flag",
    "check_consistency",
]


MAX_SENTENCE_CHARS = 2_000


def check_consistency(sentences: Sequence[str]) -> list[Flag]:
    """Flag sums, percentages and repeated figures that contradict each other.

    Steps: 1. parse the quantities of every sentence; 2. run the sum, percentage and mismatch
    checks; 3. return the flags ordered by the first sentence they name. Never raises.
    """
    # A "sentence" longer than MAX_SENTENCE_CHARS is a table or a list, not prose: skip it.
    texts = [
        text if isinstance(text, str) and len(text) <= MAX_SENTENCE_CHARS else ""
        for text in sentences
    ]
    parsed = [find_quantities(text) for text in texts]
    flags: list[Flag] = []
    flags += _sum_flags(texts, parsed)
    flags += _enumeration_flags(texts, parsed)
    flags += _cumulative_flags(texts, parsed, {f.sentence_indexes[-1] for f in flags})
    flags += _percentage_flags(texts, parsed)
    flags += _mismatch_flags(texts, parsed)
    seen: set[tuple[str, tuple[int, ...], str]] = set()
    unique: list[Flag] = []
    for flag in flags:
        key = (flag.kind, flag.sentence_indexes, flag.arithmetic)
        if key not in seen:
            seen.add(key)
            unique.append(flag)
    unique.sort(key=lambda f: (f.sentence_indexes, f.kind))
    return unique
