"""The ``mismatch`` check: the same quantity stated twice with different values."""

from __future__ import annotations

import re

from claims.extraction.consistency_common import (
    _MEASURE_NOUNS,
    _WORDS_RE,
    Flag,
    _overlaps,
    _shown,
    _unit_key,
)
from claims.extraction.numbers import Quantity

_UPDATE_RE = re.compile(
    r"\b(?:another|more|additional|further|other|others|new|second|third|also|rose|risen|"
    r"rising|increased|climbed|grew|fell|dropped|decreased|now|latest|updated|revised|earlier|"
    r"previously|initially|originally|first|up from|down from|compared|from|instead|until|"
    r"each|every|per|average|estimated|expected|planned|could|would|may|might|if)\b",
    re.IGNORECASE,
)
_STOP_BEFORE = frozenset(
    """of the a an some about around nearly almost over more than at least just only and or
    to in on for by with from as all its their his her our total roughly approximately
    were was are is be been had have has""".split()
)


def _mismatch_flags(texts: list[str], parsed: list[list[Quantity]]) -> list[Flag]:
    """The same thing counted twice with different values, in different sentences."""
    seen: dict[tuple[str, str, str], tuple[int, Quantity]] = {}
    flags: list[Flag] = []
    for index, (text, quantities) in enumerate(zip(texts, parsed, strict=True)):
        if _UPDATE_RE.search(text):
            continue
        keyed = [(q, _mismatch_key(text, q)) for q in quantities]
        keys_here = [key for _, key in keyed if key is not None]
        for quantity, key in keyed:
            if key is None or keys_here.count(key) > 1:
                continue
            if key in seen:
                earlier_index, earlier = seen[key]
                if (
                    earlier_index != index
                    and not _overlaps(earlier.low, earlier.high, quantity.low, quantity.high)
                    and not _different_subjects(texts[earlier_index], earlier, text, quantity)
                ):
                    flags.append(_mismatch_flag(texts, earlier_index, earlier, index, quantity))
                continue
            seen[key] = (index, quantity)
    return flags


def _mismatch_key(text: str, quantity: Quantity) -> tuple[str, str, str] | None:
    """(verb-like word before, counted noun, unit) identifying what a figure counts."""
    if not quantity.is_countable or not quantity.noun or quantity.noun in _MEASURE_NOUNS:
        return None
    if quantity.is_word and quantity.value < 10:
        return None
    words = _WORDS_RE.findall(text[max(0, quantity.start - 40) : quantity.start])
    context = next((w.lower() for w in reversed(words) if w.lower() not in _STOP_BEFORE), None)
    if context is None or len(context) < 4 or context[0].isupper():
        return None
    return (context, quantity.noun, _unit_key(quantity))


def _names_before(text: str, quantity: Quantity) -> set[str]:
    """Capitalised words (not the sentence's first) in the clause before a figure."""
    clause_start = max(text.rfind(";", 0, quantity.start), text.rfind(":", 0, quantity.start))
    words = _WORDS_RE.findall(text[clause_start + 1 : quantity.start])
    if clause_start < 0 and words:
        words = words[1:]
    return {word for word in words if word[0].isupper()}


def _different_subjects(
    first_text: str, first: Quantity, second_text: str, second: Quantity
) -> bool:
    """True when the two figures are about differently named people or places."""
    first_names = _names_before(first_text, first)
    second_names = _names_before(second_text, second)
    if first_names and second_names and first_names.isdisjoint(second_names):
        return True  # "Quat was elected with 58,825 votes" / "Or was elected with 51,516 votes"
    first_after = _words_after(first_text, first)
    second_after = _words_after(second_text, second)
    # "47 million people on food stamps" / "23 million people struggling to find a job"
    return bool(first_after and second_after and first_after != second_after)


def _words_after(text: str, quantity: Quantity) -> list[str]:
    """Up to three content words after the counted noun, lower-cased."""
    words = [w.lower() for w in _WORDS_RE.findall(text[quantity.end : quantity.end + 80])]
    return [w for w in words[1:] if w not in _STOP_BEFORE][:3]


def _mismatch_flag(
    texts: list[str], first_index: int, first: Quantity, second_index: int, second: Quantity
) -> Flag:
    a, b = _shown(first), _shown(second)
    noun = first.noun or "figure"
    arithmetic = f"{a} ≠ {b}"
    message = (
        f"The same count ({noun}) is given as {a} in sentence {first_index + 1} "
        f"and as {b} in sentence {second_index + 1}."
    )
    return Flag("mismatch", (first_index, second_index), message, arithmetic)
