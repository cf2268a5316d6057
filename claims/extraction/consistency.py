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
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from claims.extraction.numbers import Quantity, find_quantities, format_number

SUM_WINDOW = 4  # sentences before the total that may hold its parts
MAX_SENTENCE_CHARS = 2_000
MAX_PARTS = 12
_RELATIVE_TOLERANCE = 1e-6


@dataclass(frozen=True, slots=True)
class Flag:
    """A group of figures that contradict each other, with the arithmetic shown."""

    kind: str  # "sum" | "percentage" | "mismatch"
    sentence_indexes: tuple[int, ...]
    message: str
    arithmetic: str


_TOTAL_CUE_RE = re.compile(
    r"\b(?:in all|in total|a total of|altogether|all told|combined|total(?:l?ing|l?ed)?|"
    r"overall|all in all)\b",
    re.IGNORECASE,
)
_CUMULATIVE_RE = re.compile(
    r"\b(?:since|so far|to date|until now|thus far|this year|in the past|over the past)\b",
    re.IGNORECASE,
)
_PART_EXCLUDED_BEFORE_RE = re.compile(
    r"(?:including|includes|include|of whom|of them|of which|among them|among whom|aged|ages|"
    r"age|out of|per|every|each|by|from|to|than|between|of the|of all|and up|up to|times|"
    r"rank(?:ed)?|number|no\.?|"
    r"score[sd]?|won|beat|vote[sd]?)\s*$",
    re.IGNORECASE,
)
_MEASURE_NOUNS = frozenset(
    """day week month year hour minute second decade century time km kilometre kilometer mile
    metre meter m cm mm kg g tonne ton pound lb foot feet ft inch percent per point age
    year-old degree mph kph acre hectare square round game match goal seat""".split()
)
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
_OPENING_GAP_RE = re.compile(r"\s*(?:\(|,|—|–|-)\s*")
_WORDS_RE = re.compile(r"[A-Za-z][\w'’-]*")
_PAIR_RE_TEXT = r"^\s+(?:out\s+)?of\s+(?:the\s+|all\s+|its\s+|their\s+|these\s+|those\s+)?$"
_PAIR_GAP_RE = re.compile(_PAIR_RE_TEXT, re.IGNORECASE)
_PERCENT_GAP_RE = re.compile(
    r"^\s*(?:[A-Za-z][\w'’-]*\s+){0,3}[A-Za-z]*[\w'’-]*\s*(?:[,(—–-]|,\s*or|\bor)\s*"
    r"(?:or\s+|that\s+is\s+|i\.e\.\s*|some\s+)?$",
    re.IGNORECASE,
)


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


def _unit_key(quantity: Quantity) -> str:
    unit = quantity.unit or ""
    return {"dollars": "$", "euros": "€", "pounds": "£"}.get(unit, unit)


def _shown(quantity: Quantity) -> str:
    """The figure as written in the text, on one line."""
    return " ".join(quantity.text.split())


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
    "ten": 10,
}  # fmt: skip
_ANNOUNCED_RE = re.compile(
    r"\bin (two|three|four|five|six|seven|eight|nine|ten|\d) (?:rounds|stages|phases|batches|"
    r"tranches|waves|instal?ments|parts|steps|payments|deliveries|releases)\b",
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
        if announced:
            word = announced.group(1).lower()
            expected = int(word) if word.isdigit() else _NUMBER_NAMES[word]
        elif not _FIRST_RE.search(text):
            continue
        parts = _enumerated_parts(texts, parsed, start, complete_by_markers=expected is None)
        if len(parts) < 2 or (expected is not None and len(parts) != expected):
            continue
        total_at = _total_before(texts, parsed, start, parts)
        if total_at is None:
            continue
        total_index, total = total_at
        flag = _check_sum(texts[total_index], total, parts, total_index)
        if flag is not None:
            flags.append(flag)
    return flags


def _enumerated_parts(
    texts: list[str], parsed: list[list[Quantity]], start: int, *, complete_by_markers: bool
) -> list[tuple[int, Quantity]]:
    """Exact counts listed from sentence ``start`` on, one unit and counted noun throughout."""
    parts: list[tuple[int, Quantity]] = []
    for index in range(start, min(len(texts), start + ENUMERATION_WINDOW + 1)):
        found = [
            q
            for q in parsed[index]
            if q.is_countable
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


CUMULATIVE_WINDOW = 12  # sentences either side of a running total that may hold its parts
_ADDITION_BEFORE_RE = re.compile(
    r"\b(?:an?\s+additional|additional|another|an?\s+further|further|an?\s+extra)\s*$",
    re.IGNORECASE,
)
_ADDITION_AFTER_RE = re.compile(r"^\s+(?:more|additional|further|extra)\b", re.IGNORECASE)
_RUNNING_TOTAL_RE = re.compile(
    r"\b(?:bringing|brings|brought|taking|takes|took|raising|raises|raised|pushing|pushes|"
    r"pushed|lifting|lifts|lifted)\s+(?:the|its|their|his|her|our)\s+"
    r"(?P<phrase>(?:overall\s+|cumulative\s+|running\s+)?(?:total|tally|count|number)"
    r"(?:\s+[\w'’-]+){0,5}?)\s+to\s*$"
    r"|\bfor\s+a\s+(?:combined\s+|cumulative\s+)?total\s+of\s*$",
    re.IGNORECASE,
)
_RUNNING_TOTAL_AFTER_RE = re.compile(
    r"^(?:\s+[a-z][\w'’-]*){0,3}?\s*,?\s*(?:in\s+all|altogether|all\s+told)\b",
    re.IGNORECASE,
)
_EARLIER_RE = re.compile(
    r"\b(?:earlier|previously|prior\s+to\s+(?:that|this|then)|before\s+(?:that|this|then)|"
    r"(?:in|at)\s+(?:an?\s+|the\s+)?(?:previous|prior)\s+(?:rounds?|releases?|batch(?:es)?|"
    r"waves?|phases?|stages?|tranches?))\b",
    re.IGNORECASE,
)
_BACKWARDS_RE = re.compile(r"\b(?:prior\s+to|before)\s+(?:that|this|then)\b", re.IGNORECASE)
_FIRST_THEN_RE = re.compile(r"\bfirst\b.*\bthen\b", re.IGNORECASE | re.DOTALL)
_EARLIER_PART_EXCLUDED_BEFORE_RE = re.compile(
    r"(?:of whom|of them|of which|among them|among whom|aged|ages|age|out of|per|every|each|"
    r"by|to|than|between|of the|of all|and up|up to|times|rank(?:ed)?|number|no\.?|"
    r"score[sd]?|won|beat|vote[sd]?)\s*$",
    re.IGNORECASE,
)
_FAMILY_WORD_RE = re.compile(r"\s*([A-Za-z][\w'’-]*)")
_FAMILY_STOP = frozenset(
    """of to in on at and or by for from were was are is than as with per a an the prior
    before after earlier later amid since during over under into onto that which who whom this
    these those had have has been be being it its their his her our while when who where
    bringing taking raising total all more additional further extra another new other
    so far""".split()
)
_FAMILY_SKIP = frozenset("more additional further extra new other".split())
_GENERIC_WORDS = frozenset(
    "number total tally count overall cumulative running people person".split()
)


def _family(words: list[str]) -> set[str]:
    """Content words naming what is counted, lightly stemmed ("protesters" -> "protester")."""
    return {_light_stem(w) for w in words if w not in _GENERIC_WORDS and w not in _FAMILY_STOP} - {
        _light_stem(w) for w in _ADJECTIVE_WORDS
    }


_ADJECTIVE_WORDS = frozenset(
    "young old former local foreign civilian registered eligible political".split()
)


def _light_stem(word: str) -> str:
    word = word.lower()
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _words_after_figure(text: str, quantity: Quantity) -> list[str]:
    """Up to three words right after a figure, up to punctuation or a function word."""
    words: list[str] = []
    position = quantity.end
    while len(words) < 3:
        match = _FAMILY_WORD_RE.match(text, position)
        if match is None:
            break
        word = match.group(1).lower()
        if not words and word in _FAMILY_SKIP:
            position = match.end()
            continue
        if word in _FAMILY_STOP:
            break
        words.append(word)
        position = match.end()
    return words


def _is_addition(text: str, quantity: Quantity) -> bool:
    before = text[max(0, quantity.start - 20) : quantity.start]
    after = text[quantity.end : quantity.end + 20]
    return bool(_ADDITION_BEFORE_RE.search(before) or _ADDITION_AFTER_RE.match(after))


def _running_total(
    text: str, quantities: list[Quantity], addition: Quantity
) -> tuple[Quantity, set[str]] | None:
    """The total an addition brings a count to, with the words naming what it counts."""
    for quantity in quantities:
        if quantity is addition or not quantity.is_countable or quantity.unit == "%":
            continue
        before = text[max(0, quantity.start - 80) : quantity.start]
        cue = _RUNNING_TOTAL_RE.search(before)
        if cue is None and quantity.start > addition.start:
            if _RUNNING_TOTAL_AFTER_RE.match(text[quantity.end : quantity.end + 60]):
                return quantity, _family(_words_after_figure(text, quantity))
            continue
        if cue is None:
            continue
        phrase = cue.group("phrase") or ""
        words = [w.lower() for w in _WORDS_RE.findall(phrase)]
        return quantity, _family(words) | _family(_words_after_figure(text, quantity))
    return None


def _earlier_parts(
    text: str, quantities: list[Quantity], addition: Quantity, family: set[str]
) -> tuple[list[Quantity], bool] | None:
    """The earlier parts a sentence states, and whether one names the counted thing.

    None when the sentence is not about earlier parts, or when a figure in it counts
    something else, restates an addition or a total: then nothing of it is used.
    """
    if not (_EARLIER_RE.search(text) or _FIRST_THEN_RE.search(text)):
        return None
    if _RUNNING_TOTAL_RE.search(text) or _TOTAL_CUE_RE.search(text):
        return None
    parts: list[Quantity] = []
    named = False
    for quantity in quantities:
        if not quantity.is_countable or (quantity.is_word and quantity.value < 10):
            continue
        if quantity.unit == "%" or _unit_key(quantity) != _unit_key(addition):
            continue
        if quantity.value <= 0 or quantity.noun in _MEASURE_NOUNS:
            continue
        before = text[max(0, quantity.start - 20) : quantity.start]
        if _EARLIER_PART_EXCLUDED_BEFORE_RE.search(before):
            continue
        if _is_addition(text, quantity):
            return None
        own = _family(_words_after_figure(text, quantity))
        if own and own.isdisjoint(family):
            return None  # "103 protesters ... 40 journalists": not one count
        named = named or bool(own)
        parts.append(quantity)
    if not parts:
        return None
    if _BACKWARDS_RE.search(text, parts[0].end):
        parts.reverse()  # "103 on December 12 and 533 prior to that": 533 came first
    return parts, named


def _cumulative_flags(
    texts: list[str], parsed: list[list[Quantity]], already: set[int]
) -> list[Flag]:
    """ "An additional 177 ..., bringing the total to 910" against the earlier parts."""
    flags: list[Flag] = []
    for index, text in enumerate(texts):
        if index in already:
            continue
        additions = [
            q
            for q in parsed[index]
            if q.is_countable and q.unit != "%" and q.value > 0 and _is_addition(text, q)
        ]
        if len(additions) != 1:
            continue
        addition = additions[0]
        found = _running_total(text, parsed[index], addition)
        if found is None:
            continue
        total, total_family = found
        family = _family(_words_after_figure(text, addition)) | total_family
        if not family or total.low <= addition.high:
            continue
        earlier: list[tuple[int, Quantity]] = []
        named = False
        first = max(0, index - CUMULATIVE_WINDOW)
        for position in range(first, min(len(texts), index + CUMULATIVE_WINDOW + 1)):
            if position == index:
                continue
            result = _earlier_parts(texts[position], parsed[position], addition, family)
            if result is None:
                continue
            parts, has_name = result
            named = named or has_name
            located = [(position, q) for q in parts]
            if _BACKWARDS_RE.search(texts[position]) and earlier:
                earlier = located + earlier  # "Before that, 120": earlier than what came before
            else:
                earlier += located
        if len(earlier) < 2 or len(earlier) >= MAX_PARTS or not named:
            continue
        values = [q.value for _, q in earlier] + [addition.value]
        if len(set(values)) != len(values):
            continue  # a figure stated twice: probably a restatement, not another part
        flag = _check_sum(text, total, [*earlier, (index, addition)], index)
        if flag is not None:
            flags.append(flag)
    return flags


def _plain_part(text: str, quantity: Quantity) -> bool:
    """Not a percentage, not a measure, not "out of", "each" or another exclusion."""
    if quantity.unit == "%" or quantity.noun in _MEASURE_NOUNS:
        return False
    before = text[max(0, quantity.start - 20) : quantity.start]
    return _PART_EXCLUDED_BEFORE_RE.search(before) is None


def _named_noun(parts: list[tuple[int, Quantity]]) -> str | None:
    return next((q.noun for _, q in parts if q.noun), None)


def _total_before(
    texts: list[str], parsed: list[list[Quantity]], start: int, parts: list[tuple[int, Quantity]]
) -> tuple[int, Quantity] | None:
    """The nearest earlier figure counting the same named thing, larger than every part."""
    noun = _named_noun(parts)
    if noun is None:
        return None
    unit = _unit_key(parts[0][1])
    largest = max(q.high for _, q in parts)
    first_part = parts[0][1]
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
    message = (
        f"The figures listed ({', '.join(_shown(q) for q in quantities)}) do not add "
        f"up to the stated total ({stated})."
    )
    return Flag("sum", indexes, message, arithmetic)


def _overlaps(low: float, high: float, other_low: float, other_high: float) -> bool:
    slack = _RELATIVE_TOLERANCE * max(1.0, abs(other_low) if math.isfinite(other_low) else 1.0)
    return low <= other_high + slack and other_low <= high + slack


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


def _percentage_flags(texts: list[str], parsed: list[list[Quantity]]) -> list[Flag]:
    flags: list[Flag] = []
    for index, (text, quantities) in enumerate(zip(texts, parsed, strict=True)):
        percents = [q for q in quantities if q.unit == "%" and "point" not in q.text.lower()]
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
        ratio = part.value / whole.value * 100.0
        decimals = len(percent.text.split(".")[1].rstrip("% percnt")) if "." in percent.text else 0
        half = 0.5 * 10.0**-decimals
        low = percent.low - half if percent.is_exact else percent.low
        high = percent.high + half if percent.is_exact else percent.high
        if not (part.is_exact and whole.is_exact):
            continue  # "about 12 of some 40": too vague to check
        if low - 1e-9 <= ratio <= high + 1e-9:
            continue
        arithmetic = (
            f"{format_number(part.value)} / {format_number(whole.value)} = "
            f"{ratio:.1f}%, but the text says {_shown(percent)}"
        )
        message = (
            f"The percentage ({_shown(percent)}) does not match the counts "
            f"({_shown(part)} of {_shown(whole)})."
        )
        flags.append(Flag("percentage", (index,), message, arithmetic))
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
    r"(?:^|[;:]\s*)[\"'“‘]?(?:of|out of)\s+(?:the\s+|all\s+|its\s+|their\s+|these\s+|those\s+)?$",
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
