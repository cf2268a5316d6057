"""The ``mismatch`` check: the same quantity stated twice with different values."""

from __future__ import annotations

import math
import re

from claims.extraction.consistency_common import (
    _MEASURE_NOUNS,
    _WORDS_RE,
    SAME_COUNT_TWICE,
    Flag,
    _overlaps,
    _shown,
    _unit_key,
    flag,
)
from claims.extraction.numbers import Quantity

_UPDATE_RE = re.compile(
    r"\b(?:another|more|additional|further|other|others|new|second|third|also|rose|risen|"
    r"rising|increased|climbed|grew|fell|dropped|decreased|now|latest|updated|revised|earlier|"
    r"previously|initially|originally|first|up from|down from|compared|from|instead|until|"
    r"each|every|per|average|estimated|expected|planned|could|would|may|might|if|later|next|"
    r"last|previous|prior|separate|similar|"
    # Spanish: otro(s), más, nuevo(s), ahora, subió, bajó, antes, después, cada, podría...
    r"otr[oa]s?|más|mas|nuev[oa]s?|ahora|segund[oa]|tercer[oa]?|también|subió|aumentó|"
    r"creció|bajó|cayó|disminuyó|inicialmente|previamente|anteriormente|antes|después|luego|"
    r"cada|promedio|media|estimad[oa]s?|previst[oa]s?|podría|podrían|si)\b",
    re.IGNORECASE,
)
# A figure told in a relative clause ("the blast, which killed 17") or a headline ("Blast
# kills 17") names its subject before the verb: "which", "that", "has" are skipped.
_RELATIVE_SKIP = frozenset(
    "which that who has have had also reportedly allegedly then que quien cual".split()
)
_STOP_BEFORE = frozenset(
    """of the a an some about around nearly almost over more than at least just only and or
    to in on for by with from as all its their his her our total roughly approximately
    were was are is be been had have has""".split()
)
_ES_STOP_BEFORE = frozenset(
    """de del la el los las lo un una unos unas más casi cerca alrededor al menos y o a en
    por para con como sobre total fueron fue eran era son es ha han había habían se su sus
    aproximadamente poco hasta entre""".split()
)


def _mismatch_flags(
    texts: list[str], parsed: list[list[Quantity]], language: str = "en"
) -> list[Flag]:
    """The same thing counted twice with different values, in different sentences.

    A figure is keyed by the verb before it and the noun it counts ("killed 12 people"), and
    also by the verb and the subject before the verb ("the blast, which killed 17"; a headline
    "Blast kills 17"), verbs lightly stemmed so that "kills" and "killed" meet. A bound
    ("more than 2,000 people") is contradicted by an exact figure outside it.
    """
    seen: dict[tuple[str, str, str], tuple[int, Quantity]] = {}
    flags: list[Flag] = []
    flagged: set[tuple[int, int]] = set()
    for index, (text, quantities) in enumerate(zip(texts, parsed, strict=True)):
        keyed = [(q, _mismatch_keys(text, q, language)) for q in quantities]
        keys_here = [key for _, keys in keyed for key in keys]
        if not keys_here or _UPDATE_RE.search(_masked(text, quantities)):
            continue
        for quantity, keys in keyed:
            for key in keys:
                if keys_here.count(key) > 1:
                    continue
                if key in seen:
                    earlier_index, earlier = seen[key]
                    if (
                        earlier_index != index
                        and (earlier_index, index) not in flagged
                        and not _overlaps(earlier.low, earlier.high, quantity.low, quantity.high)
                        and not (earlier.noun and quantity.noun and earlier.noun != quantity.noun)
                        and not _different_subjects(
                            texts[earlier_index], earlier, text, quantity, key[0][:1] == "→"
                        )
                    ):
                        flagged.add((earlier_index, index))
                        flags.append(_mismatch_flag(earlier_index, earlier, index, quantity))
                    continue
                seen[key] = (index, quantity)
    return flags


def _masked(text: str, quantities: list[Quantity]) -> str:
    """The sentence with its figures blanked, so "more than 2,000" is no update word."""
    pieces = []
    position = 0
    for quantity in quantities:
        pieces.append(text[position : quantity.start])
        position = max(position, quantity.end)
    pieces.append(text[position:])
    return " # ".join(pieces)


def _verb_stem(word: str) -> str:
    """ "kills", "killed", "killing" -> "kill"; "dies", "died" -> "di"."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _mismatch_keys(text: str, quantity: Quantity, language: str) -> list[tuple[str, str, str]]:
    """What a figure counts: (verb before, counted noun, unit) and (verb, @subject, unit)."""
    if not quantity.is_countable or quantity.noun in _MEASURE_NOUNS:
        return []
    if (quantity.is_word and quantity.value < 10) or quantity.unit == "%":
        return []
    stop = _ES_STOP_BEFORE if language == "es" else _STOP_BEFORE
    before = text[max(0, quantity.start - 60) : quantity.start]
    words = _WORDS_RE.findall(before)
    at = len(words) - 1
    while at >= 0 and words[at].lower() in stop:
        at -= 1
    if at < 0:
        return _after_keys(text, quantity, stop)
    context = words[at].lower()
    if len(context) < 4 or (words[at][0].isupper() and at > 0):
        return _after_keys(text, quantity, stop)
    verb = _verb_stem(context) if language == "en" else context
    keys = []
    if quantity.noun:
        keys.append((verb, quantity.noun, _unit_key(quantity)))
        following = _verb_after_noun(text, quantity, stop)
        if following is not None:
            keys.append(("→" + following, quantity.noun, _unit_key(quantity)))
    looks_like_verb = language != "en" or context.endswith(("ed", "s")) or context in _IRREGULAR
    subject = _subject_before(words[:at], before, language) if looks_like_verb else None
    if subject is not None:
        keys.append((verb, "@" + subject, _unit_key(quantity)))
    return keys


def _after_keys(text: str, quantity: Quantity, stop: frozenset[str]) -> list[tuple[str, str, str]]:
    """A figure opening its sentence keys by its noun and the verb after it only."""
    following = _verb_after_noun(text, quantity, stop) if quantity.noun else None
    if following is None or quantity.noun is None:
        return []
    return [("→" + following, quantity.noun, _unit_key(quantity))]


def _verb_after_noun(text: str, quantity: Quantity, stop: frozenset[str]) -> str | None:
    """ "2,000 people marched": the verb right after the counted noun, stemmed."""
    words = _WORDS_RE.findall(text[quantity.end : quantity.end + 40])
    if len(words) < 2:
        return None
    word = words[1]
    past = ("aron", "ieron") if stop is _ES_STOP_BEFORE else ("ed",)
    if word[0].isupper() or word.lower() in stop or len(word) < 4 or not word.endswith(past):
        return None  # only a plain past tense ("marched", "marcharon"): "people in Ohio" is not
    return _verb_stem(word.lower())


_SOURCE_RE = re.compile(
    r"\b(?:according\s+to|said|says|told|estimated|reported)\s+(?:the\s+|a\s+)?([A-Za-z][\w'’-]*)"
    r"|\b([A-Za-z][\w'’-]*)\s+(?:said|says|say|told|estimated|estimate|claimed|claims|reported)\b",
    re.IGNORECASE,
)


def _subject_of(text: str, quantity: Quantity) -> str | None:
    """The subject before the verb before a figure, as ``_mismatch_keys`` finds it."""
    before = text[max(0, quantity.start - 60) : quantity.start]
    words = _WORDS_RE.findall(before)
    at = len(words) - 1
    while at >= 0 and words[at].lower() in _STOP_BEFORE:
        at -= 1
    return _subject_before(words[:at], before, "en") if at > 0 else None


_YEAR_RE = re.compile(r"\b(?:1[89]\d\d|20\d\d)\b")


def _years(text: str) -> set[str]:
    return set(_YEAR_RE.findall(text))


def _sources(text: str) -> set[str]:
    """Who a sentence attributes its figures to: "Police said" -> {"police"}."""
    found = set()
    for match in _SOURCE_RE.finditer(text):
        word = (match.group(1) or match.group(2)).lower()
        if word not in _STOP_BEFORE and word not in ("that", "it", "they", "he", "she"):
            found.add(word)
    return found


_IRREGULAR = frozenset(
    "left hit cost took won lost made sent sold paid spent drew brought put cut shot "
    "struck tore burnt built".split()
)
_PRONOUNS = frozenset("she him her its you who they them this that these those one".split())
_DETERMINERS = frozenset("the a an this its their his her our el la los las este esta".split())


def _subject_before(words: list[str], before: str, language: str) -> str | None:
    """The noun right before the verb, past "which", "that" ("the blast, which killed").

    Only a noun after a determiner ("the market blast") or opening a headline ("Ferry fire
    kills 23"): "We gave them" names no subject.
    """
    at = len(words) - 1
    while at >= 0 and words[at].lower() in _RELATIVE_SKIP:
        at -= 1
    if at < 0:
        return None
    if at > 2 and _DETERMINERS.isdisjoint(w.lower() for w in words[max(0, at - 2) : at]):
        return None
    if at <= 2 and at > 0 and _DETERMINERS.isdisjoint(w.lower() for w in words[:at]):
        if before.strip()[:1].islower():
            return None
    word = words[at].lower()
    stop = _ES_STOP_BEFORE if language == "es" else _STOP_BEFORE
    if word in stop or word in _PRONOUNS or len(word) < 3 or (words[at][0].isupper() and at > 0):
        return None  # a name ("Smith killed 3") is left to the noun key
    if any(ch.isdigit() for ch in before[before.lower().rfind(word) :]):
        return None
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _names_before(text: str, quantity: Quantity) -> set[str]:
    """Capitalised words (not the sentence's first) in the clause before a figure."""
    clause_start = max(text.rfind(";", 0, quantity.start), text.rfind(":", 0, quantity.start))
    words = _WORDS_RE.findall(text[clause_start + 1 : quantity.start])
    if clause_start < 0 and words:
        words = words[1:]
    return {word for word in words if word[0].isupper()}


def _different_subjects(
    first_text: str, first: Quantity, second_text: str, second: Quantity, verb_after: bool = False
) -> bool:
    """True when the two figures are about differently named people or places.

    With ``verb_after`` ("2,000 people marched") the words compared follow the verb.
    """
    first_subject, second_subject = _subject_of(first_text, first), _subject_of(second_text, second)
    if first_subject and second_subject and first_subject != second_subject:
        return True  # "The law, which passed with 60 votes" / "The budget passed with 52 votes"
    first_years, second_years = _years(first_text), _years(second_text)
    if first_years and second_years and first_years.isdisjoint(second_years):
        return True  # "in 2015" / "in 2019": two events
    first_sources, second_sources = _sources(first_text), _sources(second_text)
    if first_sources and second_sources and first_sources.isdisjoint(second_sources):
        return True  # "Organisers said ..." / "Police said ...": two sources, two estimates
    first_names = _names_before(first_text, first)
    second_names = _names_before(second_text, second)
    if first_names and second_names and first_names.isdisjoint(second_names):
        return True  # "Quat was elected with 58,825 votes" / "Or was elected with 51,516 votes"
    skip = 2 if verb_after else 1
    first_after = _words_after(first_text, first, skip)
    second_after = _words_after(second_text, second, skip)
    if verb_after:
        return first_after != second_after  # "50 people attended" / "80 attended the gala"
    # "47 million people on food stamps" / "23 million people struggling to find a job"
    return bool(first_after and second_after and first_after != second_after)


def _words_after(text: str, quantity: Quantity, skip: int = 1) -> list[str]:
    """Up to three content words after the counted noun (and ``skip`` - 1 more), lower-cased."""
    words = [w.lower() for w in _WORDS_RE.findall(text[quantity.end : quantity.end + 80])]
    return [w for w in words[skip:] if w not in _STOP_BEFORE][:3]


def _mismatch_flag(first_index: int, first: Quantity, second_index: int, second: Quantity) -> Flag:
    a, b = _shown(first), _shown(second)
    noun = first.noun or second.noun or "figure"
    arithmetic = f"{a} ≠ {b}"
    bound, exact = (first, second) if not first.is_exact else (second, first)
    if not bound.is_exact and exact.is_exact and math.isinf(bound.high):
        arithmetic = f"{_shown(exact)} is below {_shown(bound)}"
    elif not bound.is_exact and exact.is_exact and bound.low == 0:
        arithmetic = f"{_shown(exact)} is above {_shown(bound)}"
    return flag(
        "mismatch",
        (first_index, second_index),
        SAME_COUNT_TWICE,
        arithmetic,
        noun=noun,
        first=a,
        first_sentence=first_index + 1,
        second=b,
        second_sentence=second_index + 1,
    )
