"""Group an article's claims for the article page: by the figure they state, by the flag they share.

Plain Python over claim texts and character spans (no Django, no database), so the rules can be
tested with sentences alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from claims.extraction.features import is_figure
from claims.extraction.numbers import Quantity, find_quantities, format_number

# Currencies written as words and as symbols are one unit: "£1,500" and "1,500 pounds" agree.
_UNIT_ALIASES = {"dollars": "$", "euros": "€", "pounds": "£"}
_RANGE_RE = re.compile(r"\d\s*(?:-|–|—|to|and)\s*[$€£¥₹]?\d", re.IGNORECASE)


@dataclass(frozen=True)
class FigureGroup:
    """Claims that state the same figure, as indexes into the texts given, in their order."""

    figure: str
    members: tuple[int, ...]


@dataclass(frozen=True)
class RankedEntry:
    """One item of the ranked list: a lone claim, or a figure group (``figure`` set)."""

    figure: str | None
    members: tuple[int, ...]


def _figure_key(quantity: Quantity) -> tuple[str, float, float | None]:
    unit = quantity.unit or ""
    is_range = quantity.approx is None and _RANGE_RE.search(quantity.text) is not None
    return (_UNIT_ALIASES.get(unit, unit), quantity.value, quantity.high if is_range else None)


def _label(quantity: Quantity) -> str:
    """The figure as written, without "about" or "over" in front and on one line."""
    words = quantity.text.split()
    if quantity.approx:
        words = words[len(quantity.approx.split()) :]
    return " ".join(words) or format_number(quantity.value)


def figures(text: str) -> dict[tuple[str, float, float | None], Quantity]:
    """The figures a text states, keyed by unit and value, first occurrence kept.

    The figures are those the check-worthiness reasons name (``features.is_figure``): years,
    dates, labels ("page 12"), digits inside names (COVID-19, Boeing 737) and number words
    below ten are not figures: two claims naming the same year are not restating a figure.
    """
    found: dict[tuple[str, float, float | None], Quantity] = {}
    for quantity in find_quantities(text):
        if is_figure(text, quantity):
            found.setdefault(_figure_key(quantity), quantity)
    return found


def figure_groups(texts: Sequence[str]) -> list[FigureGroup]:
    """Claims that state the same figure, each claim in one group at most.

    Steps: 1. find the figures of every text; 2. take the figures stated in two texts or more,
    the most repeated first (ties: the one whose first text comes first); 3. give each figure
    the texts not yet in a group, keeping it only while two or more remain.
    """
    found = [figures(text) for text in texts]
    stated_in: dict[tuple[str, float, float | None], list[int]] = {}
    for index, keyed in enumerate(found):
        for key in keyed:
            stated_in.setdefault(key, []).append(index)
    repeated = sorted(
        (key for key, indexes in stated_in.items() if len(indexes) > 1),
        key=lambda key: (-len(stated_in[key]), stated_in[key][0]),
    )
    grouped: set[int] = set()
    groups: list[FigureGroup] = []
    for key in repeated:
        members = tuple(index for index in stated_in[key] if index not in grouped)
        if len(members) < 2:
            continue
        # Shown as written where it is plainest: "177" rather than "nearly 177" or "Nineteen".
        plainest = min(
            (found[index][key] for index in members),
            key=lambda quantity: (quantity.approx is not None, quantity.is_word),
        )
        groups.append(FigureGroup(_label(plainest), members))
        grouped.update(members)
    return groups


def ranked_entries(texts: Sequence[str]) -> list[RankedEntry]:
    """The ranked list with repeated figures gathered: each group stands where its first text was.

    ``texts`` come in ranked order; a group's members keep that order among themselves.
    """
    group_of = {index: group for group in figure_groups(texts) for index in group.members}
    entries: list[RankedEntry] = []
    for index in range(len(texts)):
        group = group_of.get(index)
        if group is None:
            entries.append(RankedEntry(None, (index,)))
        elif group.members[0] == index:
            entries.append(RankedEntry(group.figure, group.members))
    return entries


def overlapping(
    flag_spans: Sequence[Sequence[tuple[int, int]]], claim_spans: Sequence[tuple[int, int]]
) -> list[list[int]]:
    """For each flag, the claims (indexes into ``claim_spans``) sharing a character with it."""
    return [
        [
            index
            for index, (start, end) in enumerate(claim_spans)
            if any(start < flag_end and flag_start < end for flag_start, flag_end in spans)
        ]
        for spans in flag_spans
    ]
