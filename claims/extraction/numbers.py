"""Find and parse quantities in a sentence.

Digits with thousands separators and decimals, number words ("nearly two hundred"),
percentages, money, scales ("2.5 million"), ranges ("between 10 and 20", "10-20") and
approximations ("over", "nearly", "about", "at least"). Every quantity carries the interval
of values it can stand for, so that "over 2,000" is checked as a bound, not an equality.
Years and calendar dates are recognised and marked, so that arithmetic can ignore them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {
    "hundred": 100.0,
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "dozen": 12.0,
}
_SHORT_SCALES = {"k": 1e3, "m": 1e6, "mn": 1e6, "bn": 1e9, "b": 1e9, "tn": 1e12}

_NUMBER_WORD = (
    r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety|hundred|thousand|million|billion|trillion|dozen)"
)
_WORDS = rf"(?:(?:a\s+)?{_NUMBER_WORD}(?:(?:[\s-]+|\s+and\s+){_NUMBER_WORD})*)"
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
_APPROX = (
    r"(?:more\s+than|over|above|in\s+excess\s+of|at\s+least|no\s+fewer\s+than|"
    r"no\s+less\s+than|nearly|almost|just\s+under|under|below|less\s+than|fewer\s+than|"
    r"up\s+to|as\s+many\s+as|no\s+more\s+than|at\s+most|about|around|approximately|"
    r"roughly|some|close\s+to|an\s+estimated|estimated|almost|just\s+over|circa|c\.|~)"
)
_CURRENCY = r"(?:US\$|C\$|A\$|[$€£¥₹])"
_SCALE = r"(?:hundred|thousand|million|billion|trillion|dozen|bn|mn|tn|[kKmMbB](?![\w]))"
_PERCENT = r"(?:\s?%|\s*per\s?cent\b|\s+percent\b|\s+percentage\s+points?\b)"
_CURRENCY_WORDS = r"(?:dollars|euros|pounds|yen|rupees|yuan|pesos)"
_MONTHS = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)

_ONE_NUMBER = (
    rf"(?P<curN>{_CURRENCY})?\s?(?P<numN>{_DIGITS}|{_WORDS})"
    rf"(?:[\s-]?(?P<scaleN>{_SCALE}))?"
)
_QUANTITY_RE = re.compile(
    rf"(?<![\w.,$€£¥₹])(?:(?P<approx>{_APPROX})\s+)?"
    rf"(?:(?P<between>between|from)\s+)?"
    + _ONE_NUMBER.replace("N>", "1>")
    + r"(?:\s*(?:-|–|—|to|and)\s*"
    + _ONE_NUMBER.replace("N>", "2>")
    + rf")?(?P<pct>{_PERCENT})?(?:\s+(?P<curword>{_CURRENCY_WORDS})\b)?"
    rf"(?![\w]|[.,]\d)",
    re.IGNORECASE,
)
_YEAR_RE = re.compile(r"1[89]\d\d|20\d\d")
_WORD_SPLIT_RE = re.compile(r"[\s-]+")
_DATE_BEFORE_RE = re.compile(rf"\b{_MONTHS}\s*$")
_DATE_AFTER_RE = re.compile(rf"(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}")
_TIME_AFTER_RE = re.compile(r"^\s*(?:[ap]\.?m\b|o'clock|:\d)", re.IGNORECASE)
_LABEL_BEFORE_RE = re.compile(
    r"(?:\b(?:No|no|Nos|p|pp|page|pages|chapter|section|article|Article|room|Room|route|"
    r"Route|number|Number|version|Version|level|Level|grade|Grade|size|Size|vol|Vol|#)\.?"
    r"\s*$)|[#:/]$"
)
_NOUN_RE = re.compile(r"^\s*(?:[-–]\s*)?((?:[a-z][\w'’-]*\s+){0,1})([A-Za-z][\w'’-]*)")
_NOT_NOUNS = frozenset(
    "of to in on at and or by for from were was are is than as with per a an the".split()
)
_ADJECTIVES = frozenset(
    "new more other additional further extra young old former local foreign american "
    "civilian registered eligible unemployed full-time part-time million billion thousand "
    "hundred".split()
)


@dataclass(frozen=True)
class Quantity:
    """A quantity found in a sentence.

    ``low`` and ``high`` bound the value the text stands for: equal for an exact figure,
    open (``math.inf``) for "over 2,000", widened for "about" and rounded scales.
    """

    text: str
    start: int
    end: int
    value: float
    low: float
    high: float
    unit: str | None
    approx: str | None
    is_year: bool
    is_date: bool
    is_label: bool
    is_word: bool
    noun: str | None

    @property
    def is_exact(self) -> bool:
        """True when the figure is stated as an exact value."""
        return self.low == self.high

    @property
    def is_countable(self) -> bool:
        """True for a figure that can take part in arithmetic (not a year, date or label)."""
        return not (self.is_year or self.is_date or self.is_label)


def words_to_number(words: str) -> float | None:
    """Turn number words ("two hundred and fifty", "a dozen") into a value, or None."""
    total = 0.0
    current = 0.0
    seen = False
    for token in _WORD_SPLIT_RE.split(words.lower()):
        if token in ("and", "a", ""):
            if token == "a":
                current = current or 1.0
            continue
        if token in _UNITS:
            current += _UNITS[token]
            seen = True
        elif token == "hundred":
            current = (current or 1.0) * 100.0
            seen = True
        elif token in _SCALES:
            scale = _SCALES[token]
            total += (current or 1.0) * scale
            current = 0.0
            seen = True
        else:
            return None
    return total + current if seen else None


def _parse_number(raw: str, scale_word: str | None) -> tuple[float, float, bool] | None:
    """Return (value, rounding half-width, is_word) for one matched number."""
    cleaned = raw.replace(",", "")
    is_word = not any(ch.isdigit() for ch in cleaned)
    if is_word:
        parsed = words_to_number(raw)
        if parsed is None:
            return None
        value, half = parsed, 0.0
    else:
        try:
            value = float(cleaned)
        except ValueError:
            return None
        decimals = len(cleaned.split(".", 1)[1]) if "." in cleaned else 0
        half = 0.5 * 10.0**-decimals
    if scale_word:
        key = scale_word.lower()
        scale = _SCALES.get(key) or _SHORT_SCALES.get(key)
        if scale is None:
            return None
        value *= scale
        # "2.5 million" is a rounded figure: it stands for 2.45 to 2.55 million.
        half = half * scale if not is_word else 0.0
    else:
        half = 0.0
    if not math.isfinite(value):
        return None
    return value, half, is_word


def _bounds(value: float, half: float, approx: str | None) -> tuple[float, float]:
    """Interval of values a figure with an approximation word stands for."""
    low, high = value - half, value + half
    if approx is None:
        return low, high
    word = " ".join(approx.lower().split())
    if word in ("more than", "over", "above", "in excess of", "just over"):
        return value, math.inf
    if word in ("at least", "no fewer than", "no less than"):
        return low, math.inf
    if word in ("nearly", "almost", "just under", "close to"):
        return value * 0.85, high
    if word in ("under", "below", "less than", "fewer than"):
        return 0.0, value
    if word in ("up to", "as many as", "no more than", "at most"):
        return 0.0, high
    # about, around, approximately, roughly, some, estimated, circa, ~
    return value * 0.85, value * 1.15


def _noun_after(text: str, end: int) -> str | None:
    """The counted noun after a figure ("533 prisoners" -> "prisoner"), if any."""
    match = _NOUN_RE.match(text[end : end + 60])
    if not match:
        return None
    first = match.group(1).strip().lower()
    noun = match.group(2).lower()
    if first and first not in _ADJECTIVES:
        # Two words: keep the second one only when the first is a plain adjective.
        noun = first
    if noun in _NOT_NOUNS or noun in _ADJECTIVES:
        return None  # "275 more", "12 of", "30 were": nothing counted is named
    return _stem(noun)


def _stem(word: str) -> str:
    """Very light plural folding so that "prisoners" and "prisoner" compare equal."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def find_quantities(text: str) -> list[Quantity]:
    """Find every quantity in ``text``, in order, with its value interval and kind.

    The full pattern is costly to try at every position, so it only runs from just before
    each anchor (a run of digits or a number word), found by cheap scans.
    """
    if not text:
        return []
    anchors = [(m.start(), m.end()) for m in _DIGIT_RUN_RE.finditer(text)]
    lowered = text.lower()
    if len(lowered) == len(text):
        words = NUMBER_WORDS.intersection(lowered.translate(_NOT_WORD_CHARS).split())
        for word in words:
            position = lowered.find(word)
            size = len(word)
            while position >= 0:
                if (
                    not lowered[position - 1 : position].isalpha()
                    and not lowered[position + size : position + size + 1].isalpha()
                ):
                    anchors.append((position, position + size))
                position = lowered.find(word, position + 1)
        anchors.sort()
    elif not anchors and not _has_number_word(text):
        return []
    else:
        anchors = [(0, len(text))]  # case folding changed the length: scan everything
    matches: list[re.Match[str]] = []
    position = 0
    for start, end in anchors:
        if end <= position:
            continue
        match = _QUANTITY_RE.search(text, max(position, _prefix_start(text, start)))
        while match is not None and match.start() <= end:
            if _is_and_pair(text, match):
                # "103 on December 12 and 533": two figures, not a range. Keep the first
                # alone and look for the second from where it starts.
                alone = _QUANTITY_RE.match(text, match.start(), match.end("num1"))
                if alone is not None:
                    matches.append(alone)
                position = match.start("num2")
            else:
                matches.append(match)
                position = match.end()
            match = _QUANTITY_RE.search(text, position) if position < end else None
    found: list[Quantity] = []
    for match in matches:
        quantity = _quantity_from_match(text, match)
        if quantity is not None:
            found.append(quantity)
    return found


_DIGIT_RUN_RE = re.compile(r"[0-9][0-9.,]*")
_PREFIX_WORDS = 3  # longest approximation before a figure: "no fewer than", "in excess of"


def _prefix_start(text: str, start: int) -> int:
    """Where an approximation or currency before the figure at ``start`` could begin."""
    position = start
    for _ in range(_PREFIX_WORDS):
        space = text.rfind(" ", max(0, position - 16), max(0, position - 1))
        if space < 0:
            return max(0, position - 16) if position > 16 else 0
        position = space
    return position


NUMBER_WORDS = frozenset(_UNITS) | frozenset(_SCALES)
_NOT_WORD_CHARS = str.maketrans({ch: " " for ch in "-,.;:!?()[]\"'“”‘’/"})


def _has_number_word(text: str) -> bool:
    return not NUMBER_WORDS.isdisjoint(text.lower().translate(_NOT_WORD_CHARS).split())


def _is_and_pair(text: str, match: re.Match[str]) -> bool:
    """ "10-20" or "10 to 20" is a range; "10 and 20" only after "between"."""
    if match.group("num2") is None or match.group("between") is not None:
        return False
    joiner = text[match.end("num1") : match.start("num2")]
    return "and" in joiner.lower() and "between" not in text[: match.start()].lower()[-10:]


def _quantity_from_match(text: str, match: re.Match[str]) -> Quantity | None:
    raw1 = match.group("num1")
    raw2 = match.group("num2")
    scale1 = match.group("scale1")
    scale2 = match.group("scale2")
    is_range = raw2 is not None
    if _is_and_pair(text, match):
        return None
    first = _parse_number(raw1, scale1 or (scale2 if is_range else None))
    if first is None:
        return None
    value, half, is_word = first
    lone_word = raw1.strip().lower()
    if is_word and (lone_word in _SCALES or lone_word.startswith(("a ", "an "))) and not scale1:
        return None  # "million people", "a hundred reasons": no figure is stated
    if is_word and lone_word in ("one", "a", "zero") and not scale1 and not match.group("pct"):
        return None
    approx = match.group("approx")
    low, high = _bounds(value, half, approx)
    if is_range:
        second = _parse_number(raw2, scale2)
        if second is None:
            return None
        if second[0] < value:
            return None
        low, high = value - half, second[0] + second[1]
    currency = match.group("cur1") or match.group("cur2")
    if currency is None and match.group("curword"):
        currency = match.group("curword").lower()
    pct = match.group("pct")
    unit = "%" if pct else (currency or None)
    start, end = match.start(), match.end()
    if match.group("curword"):
        end = match.end("curword")
    before = text[max(0, start - 20) : start]
    after = text[end : end + 20]
    is_year = (
        not is_word
        and not unit
        and not scale1
        and not is_range
        and "," not in raw1
        and _YEAR_RE.fullmatch(raw1) is not None
    )
    is_date = (
        not unit
        and not is_word
        and (
            _DATE_BEFORE_RE.search(before) is not None
            or _DATE_AFTER_RE.match(text, match.end("num1"), match.end("num1") + 30) is not None
            or _TIME_AFTER_RE.match(after) is not None
        )
    )
    is_label = not unit and _LABEL_BEFORE_RE.search(before) is not None
    return Quantity(
        text=text[start:end],
        start=start,
        end=end,
        value=value,
        low=low,
        high=high,
        unit=unit,
        approx=approx.lower() if approx else None,
        is_year=is_year,
        is_date=is_date,
        is_label=is_label,
        is_word=is_word,
        noun=_noun_after(text, end),
    )


def format_number(value: float) -> str:
    """Format a value the way a newsroom would write it: 1,877 or 3.5."""
    if math.isinf(value):
        return "unbounded"
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")
