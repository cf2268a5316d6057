"""Find and parse quantities in a sentence.

Digits with thousands separators and decimals, number words ("nearly two hundred"),
percentages, money, scales ("2.5 million"), ranges ("between 10 and 20", "10-20") and
approximations ("over", "nearly", "about", "at least"). Every quantity carries the interval
of values it can stand for, so that "over 2,000" is checked as a bound, not an equality.
Years and calendar dates are recognised and marked, so that arithmetic can ignore them.

English and Spanish (``find_quantities(text, "es")``): in Spanish "1.877" is 1,877 and
"67,2 %" is 67.2%, with Spanish words ("dos mil", "3,5 millones", "más de", "entre 10 y 20")
and dates ("3 de mayo"); in English "1,877" is 1,877 and "67,2" is no figure at all.

Every sentence of an article goes through here, so the scan is kept cheap: the full pattern
runs only from just before each anchor (a run of digits, a number word), English ASCII text
is matched lower-cased by a case-sensitive twin of the pattern (same matches, faster), and
the date and label patterns run only when the text before a figure ends with a month or a
label word. These give the results the plain scan gives (tests/extraction/test_fast_paths.py),
except where a figure is preceded by more than ``_PREFIX_WORDS`` words that belong to its match
(only a chain of articles does that: "un un un y dos") or by a word of over 16 characters, and
on digits that are not ASCII ("٣٠٠"), which the digit scan does not anchor.
"""

from __future__ import annotations

import math
import re
from collections.abc import Set as AbstractSet
from typing import NamedTuple

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
_MONTH_NAMES = (
    "January|February|March|April|May|June|July|August|September|October|November|"
    "December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
)
_MONTHS = rf"(?:{_MONTH_NAMES})\.?"

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


def _lower_case_twin(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The case-sensitive twin of an IGNORECASE ``pattern``, for lower-cased ASCII text.

    On ASCII text, an IGNORECASE search finds exactly what the lower-cased pattern finds in the
    lower-cased text (same length, same positions); without IGNORECASE, the engine rejects an
    alternative ("more than", "nearly", "twenty"...) on its first letter instead of entering
    each one. Group texts come from the lower-cased text: read any whose case matters from the
    original by position.
    """
    source = pattern.pattern
    if re.search(r"\\[A-Z]", source):
        raise ValueError("an upper-case escape (\\S, \\W, \\D...) cannot be lower-cased")
    return re.compile(source.lower().replace("(?p<", "(?P<"))


_QUANTITY_LOWER_RE = _lower_case_twin(_QUANTITY_RE)
# Spanish: "1.877" is 1,877 (thousands dot), "67,2 %" is 67.2 (decimal comma), "dos mil",
# "3,5 millones", "más de 2.000", "entre 10 y 20".
_ES_UNITS = {
    "cero": 0, "un": 1, "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5,
    "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12,
    "trece": 13, "catorce": 14, "quince": 15, "dieciséis": 16, "dieciseis": 16,
    "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veinte": 20, "veintiuno": 21,
    "veintiún": 21, "veintiuna": 21, "veintidós": 22, "veintidos": 22, "veintitrés": 23,
    "veintitres": 23, "veinticuatro": 24, "veinticinco": 25, "veintiséis": 26,
    "veintiseis": 26, "veintisiete": 27, "veintiocho": 28, "veintinueve": 29, "treinta": 30,
    "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80,
    "noventa": 90, "cien": 100, "ciento": 100, "doscientos": 200, "doscientas": 200,
    "trescientos": 300, "trescientas": 300, "cuatrocientos": 400, "cuatrocientas": 400,
    "quinientos": 500, "quinientas": 500, "seiscientos": 600, "seiscientas": 600,
    "setecientos": 700, "setecientas": 700, "ochocientos": 800, "ochocientas": 800,
    "novecientos": 900, "novecientas": 900,
}  # fmt: skip
_ES_SCALES = {
    "mil": 1e3, "millón": 1e6, "millon": 1e6, "millones": 1e6, "billón": 1e12,
    "billon": 1e12, "billones": 1e12,
}  # fmt: skip
_ES_NUMBER_WORD = "(?:" + "|".join(sorted({*_ES_UNITS, *_ES_SCALES}, key=len, reverse=True)) + ")"
_ES_WORDS = rf"(?:{_ES_NUMBER_WORD}(?:(?:\s+y\s+|\s+){_ES_NUMBER_WORD})*)"
_ES_DIGITS = r"(?:\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?)"
# Each Spanish approximation, with the English one whose bounds it takes.
_ES_APPROX_MEANING = {
    "poco más de": "just over", "más de": "more than", "por encima de": "over",
    "al menos": "at least", "por lo menos": "at least", "como mínimo": "at least",
    "no menos de": "at least", "poco menos de": "just under", "casi": "nearly",
    "menos de": "less than", "por debajo de": "under", "hasta": "up to",
    "como máximo": "up to", "como mucho": "up to", "cerca de": "about",
    "alrededor de": "about", "unos": "about", "unas": "about", "aproximadamente": "about",
    "en torno a": "about", "aprox.": "about", "~": "about",
}  # fmt: skip
_ES_APPROX = (
    "(?:"
    + "|".join(
        re.escape(word).replace(r"\ ", r"\s+")
        for word in sorted(_ES_APPROX_MEANING, key=len, reverse=True)
    )
    + ")"
)
_ES_SCALE = r"(?:mil\s+millones|millones|millón|millon|billones|billón|billon|mil)"
_ES_PERCENT = r"(?:\s?%|\s+por\s+ciento\b|\s+puntos?\s+porcentuales\b)"
_ES_CURRENCY_WORDS = r"(?:euros|dólares|dolares|pesos|libras|yenes)"
_ES_MONTHS = (
    r"(?:enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|"
    r"noviembre|diciembre)"
)
_ES_ONE_NUMBER = (
    rf"(?P<curN>{_CURRENCY})?\s?(?P<numN>{_ES_DIGITS}|{_ES_WORDS})"
    rf"(?:\s(?P<scaleN>{_ES_SCALE})(?!\w))?"
)
_ES_QUANTITY_RE = re.compile(
    rf"(?<![\w.,$€£¥₹])(?:(?P<approx>{_ES_APPROX})\s+)?"
    rf"(?:(?P<between>entre)\s+)?"
    + _ES_ONE_NUMBER.replace("N>", "1>")
    + r"(?:\s*(?:-|–|—|\ba\b|\by\b)\s*"
    + _ES_ONE_NUMBER.replace("N>", "2>")
    + rf")?(?P<pct>{_ES_PERCENT})?(?:\s+(?:de\s+)?(?P<curword>{_ES_CURRENCY_WORDS})\b)?"
    rf"(?![\w]|[.,]\d)",
    re.IGNORECASE,
)

_YEAR_RE = re.compile(r"1[89]\d\d|20\d\d")
_WORD_SPLIT_RE = re.compile(r"[\s-]+")
_DATE_BEFORE_RE = re.compile(rf"\b{_MONTHS}\s*$")
_DATE_AFTER_RE = re.compile(rf"(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}")
_TIME_AFTER_RE = re.compile(r"^\s*(?:[ap]\.?m\b|o'clock|:\d)", re.IGNORECASE)
_LABEL_WORDS = (
    "No|no|Nos|p|pp|page|pages|chapter|section|article|Article|room|Room|route|"
    "Route|number|Number|version|Version|level|Level|grade|Grade|size|Size|vol|Vol|#"
)
_LABEL_BEFORE_RE = re.compile(rf"(?:\b(?:{_LABEL_WORDS})\.?\s*$)|[#:/]$")
# What the text before a figure must end with (spaces and one dot aside) for the English
# date and label patterns to match: most figures have neither, and a test of the end is
# cheaper than a regular expression tried at every position.
_MONTH_ENDINGS = tuple(_MONTH_NAMES.split("|"))
_LABEL_ENDINGS = (*_LABEL_WORDS.split("|"), ":", "/")
_NOUN_RE = re.compile(r"^\s*(?:[-–]\s*)?((?:[a-z][\w'’-]*\s+){0,1})([A-Za-z][\w'’-]*)")
_NOT_NOUNS = frozenset(
    "of to in on at and or by for from were was are is than as with per a an the".split()
)
_ADJECTIVES = frozenset(
    "new more other additional further extra young old former local foreign american "
    "civilian registered eligible unemployed full-time part-time million billion thousand "
    "hundred".split()
)
# Words after a figure that say when, not what: "150 last week", "120 the week before".
_TIME_WORDS = frozenset("last this next previous past".split())
_ES_DATE_BEFORE_RE = re.compile(rf"\b{_ES_MONTHS}\s+(?:de\s+)?$", re.IGNORECASE)
_ES_DATE_AFTER_RE = re.compile(rf"\s+de\s+{_ES_MONTHS}\b", re.IGNORECASE)
_ES_TIME_AFTER_RE = re.compile(r"^\s*(?:h\b|hrs?\b|:\d)", re.IGNORECASE)
_ES_LABEL_BEFORE_RE = re.compile(
    r"(?:\b(?:n\.?º|nº|núm|num|número|página|páginas|pág|capítulo|sección|artículo|Artículo|"
    r"ruta|versión|nivel|grado|talla|vol|#)\.?\s*$)|[#:/]$",
    re.IGNORECASE,
)
_ES_NOUN_RE = re.compile(r"^\s*(?:[-–]\s*)?([^\W\d_][\w'’-]*)")
_ES_NOT_NOUNS = frozenset(
    """de del a al en y o e u por para con sin que los las el la lo un una unos unas más menos
    fueron eran son es fue era han ha había habían se su sus entre como sobre desde hasta no
    mil millones millón por ciento""".split()
)


class Quantity(NamedTuple):
    """A quantity found in a sentence.

    ``low`` and ``high`` bound the value the text stands for: equal for an exact figure,
    open (``math.inf``) for "over 2,000", widened for "about" and rounded scales.
    A named tuple (immutable, compared by value), not a dataclass: one is built for every
    figure of every sentence scored, and a tuple is built three times faster.
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


def words_to_number(words: str, language: str = "en") -> float | None:
    """Turn number words ("two hundred and fifty", "a dozen"; "dos mil") into a value, or None."""
    if language == "es":
        return _es_words_to_number(words)
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


def _es_words_to_number(words: str) -> float | None:
    """Spanish number words: "dos mil trescientos", "treinta y dos", "tres mil millones"."""
    total = 0.0
    current = 0.0
    seen = False
    for token in words.lower().split():
        if token == "y":
            continue
        if token in _ES_UNITS:
            current += _ES_UNITS[token]
        elif token == "mil":
            current = (current or 1.0) * 1e3  # "mil millones": multiplies what follows too
        elif token in _ES_SCALES:
            total += (current or 1.0) * _ES_SCALES[token]
            current = 0.0
        else:
            return None
        seen = True
    return total + current if seen else None


def _parse_number(
    raw: str, scale_word: str | None, language: str = "en"
) -> tuple[float, float, bool] | None:
    """Return (value, rounding half-width, is_word) for one matched number."""
    if language == "es":
        cleaned = raw.replace(".", "").replace(",", ".")
    else:
        cleaned = raw.replace(",", "")
    is_word = not any(map(str.isdigit, cleaned))
    if is_word:
        parsed = words_to_number(raw, language)
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
        key = " ".join(scale_word.lower().split())
        if language == "es":
            scale = 1e9 if key == "mil millones" else _ES_SCALES.get(key)
        else:
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
    word = _ES_APPROX_MEANING.get(word, word)
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


def _noun_after(text: str, end: int, language: str = "en") -> str | None:
    """The counted noun after a figure ("533 prisoners" -> "prisoner"), if any."""
    if language == "es":
        # Spanish puts the noun first: "17 personas muertas", "400 hogares".
        found = _ES_NOUN_RE.match(text[end : end + 60])
        if not found or found.group(1).lower() in _ES_NOT_NOUNS:
            return None
        return _stem(found.group(1).lower())
    match = _NOUN_RE.match(text[end : end + 60])
    if not match:
        return None
    first = match.group(1).strip().lower()
    noun = match.group(2).lower()
    if first in _TIME_WORDS or (noun in _TIME_WORDS and not first):
        return None  # "150 last week": when, not what
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


def find_quantities(
    text: str, language: str = "en", number_words: AbstractSet[str] | None = None
) -> list[Quantity]:
    """Find every quantity in ``text``, in order, with its value interval and kind.

    ``language`` ("en" or "es"; anything else reads as English) decides the separators and
    the words: "1,877" and "67.2" in English, "1.877" and "67,2" in Spanish.
    The full pattern is costly to try at every position, so it only runs from just before
    each anchor (a run of digits or a number word), found by cheap scans.
    ``number_words``: the English number words (``NUMBER_WORDS``) among the text's folded
    tokens (``claims.extraction.features.tokens_of``), when the caller has them, as the hand
    features do; they spare the scan for words unless the text holds an apostrophe, which the
    tokens keep inside a word ("twenty's").
    """
    if not text:
        return []
    language = "es" if language == "es" else "en"
    lowered = text.lower()
    # English ASCII text (nearly all of it) is matched lower-cased by the case-sensitive twin
    # of the pattern: the same matches at the same positions, found faster.
    haystack = text
    if language == "es":
        pattern = _ES_QUANTITY_RE
    elif text.isascii():
        pattern, haystack = _QUANTITY_LOWER_RE, lowered
    else:
        pattern = _QUANTITY_RE
    vocabulary = _ES_NUMBER_WORDS if language == "es" else NUMBER_WORDS
    anchors = [m.span() for m in _DIGIT_RUN_RE.finditer(text)]
    if len(lowered) == len(text):
        if number_words is None or language == "es" or "'" in text or "’" in text:
            words: AbstractSet[str] = _words_among(lowered, vocabulary)
        else:
            words = number_words
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
    elif not anchors and not _words_among(lowered, vocabulary):
        return []
    else:
        anchors = [(0, len(text))]  # case folding changed the length: scan everything
    matches: list[re.Match[str]] = []
    position = 0
    for start, end in anchors:
        if end <= position:
            continue
        match = pattern.search(haystack, max(position, _prefix_start(text, start)))
        while match is not None and match.start() <= end:
            position = take_match(pattern, haystack, text, match, language, matches)
            match = pattern.search(haystack, position) if position < end else None
    return quantities_of(text, matches, language)


def take_match(
    pattern: re.Pattern[str],
    haystack: str,
    text: str,
    match: re.Match[str],
    language: str,
    matches: list[re.Match[str]],
) -> int:
    """Add ``match`` (found in ``haystack``, ``text`` or its lower-cased twin) to ``matches``;
    return where the search goes on.

    "103 on December 12 and 533" is two figures, not a range: the first is kept alone and the
    search goes on from where the second starts.
    """
    if _is_and_pair(text, match, language):
        alone = pattern.match(haystack, match.start(), match.end("num1"))
        if alone is not None:
            matches.append(alone)
        return match.start("num2")
    matches.append(match)
    return match.end()


def quantities_of(text: str, matches: list[re.Match[str]], language: str) -> list[Quantity]:
    """The quantities ``matches`` of the pattern in ``text`` stand for (some stand for none)."""
    found: list[Quantity] = []
    for match in matches:
        quantity = _quantity_from_match(text, match, language)
        if quantity is not None:
            found.append(quantity)
    return found


_DIGIT_RUN_RE = re.compile(r"[0-9][0-9.,]*")
# Words that may stand before a figure's digits or first number word and belong to the match:
# an approximation of up to three ("no fewer than"), "between" or "from", a currency sign set
# apart ("$ 400") and "a" ("from $ a hundred").
_PREFIX_WORDS = 6


def _prefix_start(text: str, start: int) -> int:
    """Where an approximation or currency before the figure at ``start`` could begin.

    Steps back over up to ``_PREFIX_WORDS`` words, each of at most 16 characters, a run of
    spaces counting as one separator.
    """
    position = start
    for _ in range(_PREFIX_WORDS):
        low = position - 16 if position > 16 else 0
        space = text.rfind(" ", low, position - 1 if position > 1 else 0)
        if space < 0:
            return low
        while space > 0 and text[space - 1] == " ":
            space -= 1  # "no    fewer than 5": the run is one separator
        position = space
    return position


NUMBER_WORDS = frozenset(_UNITS) | frozenset(_SCALES)
_ES_NUMBER_WORDS = (frozenset(_ES_UNITS) | frozenset(_ES_SCALES)) - {"un", "una", "uno"}
# Lower-cased ASCII text as bytes, where a translation is a table look-up per byte: every byte
# but a-z becomes a space.
_NOT_LETTER_BYTES = bytes(code if 97 <= code <= 122 else 32 for code in range(256))
_LETTERS_RE = re.compile(r"[^\W\d_]+")
_VOCABULARY_BYTES = {
    vocabulary: frozenset(word.encode() for word in vocabulary)
    for vocabulary in (NUMBER_WORDS, _ES_NUMBER_WORDS)
}


def _words_among(lowered: str, vocabulary: frozenset[str]) -> AbstractSet[str]:
    """The words of ``vocabulary`` that are whole runs of letters in ``lowered``.

    Every word the pattern can match stands between characters that are not letters ("ten",
    "ten&", "seventy+", "twenty's", "twenty-five"), so none is missed. For ASCII text (nearly
    all of it) the runs are found on bytes: several times faster, the same words.
    """
    if lowered.isascii():
        found = _VOCABULARY_BYTES[vocabulary].intersection(
            lowered.encode().translate(_NOT_LETTER_BYTES).split()
        )
        return {word.decode() for word in found}
    return vocabulary.intersection(_LETTERS_RE.findall(lowered))


def _is_and_pair(text: str, match: re.Match[str], language: str = "en") -> bool:
    """ "10-20" or "10 to 20" is a range; "10 and 20" ("10 y 20") only after "between"."""
    if match.group("num2") is None or match.group("between") is not None:
        return False
    joiner = text[match.end("num1") : match.start("num2")].lower()
    if language == "es":
        return "y" in joiner.split() and "entre" not in text[: match.start()].lower()[-10:]
    return "and" in joiner and "between" not in text[: match.start()].lower()[-10:]


_ES_ARTICLES = frozenset(["un", "uno", "una", "cero", "y"])


def _quantity_from_match(text: str, match: re.Match[str], language: str = "en") -> Quantity | None:
    raw1, raw2, scale1, scale2, approx, pct, curword, cur1, cur2 = match.group(
        "num1", "num2", "scale1", "scale2", "approx", "pct", "curword", "cur1", "cur2"
    )
    is_range = raw2 is not None  # never "10 and 20": ``find_quantities`` split those
    spanish = language == "es"
    first = _parse_number(raw1, scale1 or (scale2 if is_range else None), language)
    if first is None:
        return None
    value, half, is_word = first
    lone_word = raw1.strip().lower()
    if spanish:
        if is_word and lone_word in ("millón", "millon", "millones", "billón", "billones"):
            return None  # "millones de personas": no figure is stated
        if is_word and not scale1 and _ES_ARTICLES.issuperset(lone_word.split()):
            return None  # "un", "un un", "cero": an article (or nothing), no figure
    elif is_word and (lone_word in _SCALES or lone_word.startswith(("a ", "an "))) and not scale1:
        return None  # "million people", "a hundred reasons": no figure is stated
    if is_word and lone_word in ("one", "a", "zero") and not scale1 and not pct:
        return None
    low, high = _bounds(value, half, approx)
    if is_range:
        second = _parse_number(raw2, scale2, language)
        if second is None:
            return None
        if second[0] < value:
            return None
        low, high = value - half, second[0] + second[1]
    currency = None
    if cur1 or cur2:
        # The match may have run on the lower-cased text: the currency is read from ``text``.
        currency_start, currency_end = match.span("cur1" if cur1 else "cur2")
        currency = text[currency_start:currency_end]
    elif curword:
        currency = curword.lower()
    unit = "%" if pct else (currency or None)
    start, end = match.start(), match.end()
    while start < end and text[start].isspace():
        start += 1  # the optional space before a figure without currency: " 400" is "400"
    if curword:
        end = match.end("curword")
    before = text[max(0, start - 20) : start]
    after = text[end : end + 20]
    is_year = (
        not is_word
        and not unit
        and not scale1
        and not is_range
        and ("." if spanish else ",") not in raw1
        and _YEAR_RE.fullmatch(raw1) is not None
    )
    date_before, date_after, time_after, label_before = (
        (_ES_DATE_BEFORE_RE, _ES_DATE_AFTER_RE, _ES_TIME_AFTER_RE, _ES_LABEL_BEFORE_RE)
        if spanish
        else (_DATE_BEFORE_RE, _DATE_AFTER_RE, _TIME_AFTER_RE, _LABEL_BEFORE_RE)
    )
    # In English the patterns "...$" cannot match unless ``before`` ends with a month or a
    # label word: a cheap test of the end skips most searches (the result is the same).
    tail = "" if spanish else before.rstrip().removesuffix(".")
    is_date = (
        not unit
        and not is_word
        and (
            ((spanish or tail.endswith(_MONTH_ENDINGS)) and date_before.search(before) is not None)
            or date_after.match(text, match.end("num1"), match.end("num1") + 30) is not None
            or time_after.match(after) is not None
        )
    )
    is_label = (
        not unit
        and (spanish or tail.endswith(_LABEL_ENDINGS))
        and label_before.search(before) is not None
    )
    # Positional: the fields in their order (keywords cost more, on every figure scored).
    return Quantity(
        text[start:end],
        start,
        end,
        value,
        low,
        high,
        unit,
        approx.lower() if approx else None,
        is_year,
        is_date,
        is_label,
        is_word,
        _noun_after(text, end, language),
    )


def format_number(value: float) -> str:
    """Format a value the way a newsroom would write it: 1,877 or 3.5."""
    if math.isinf(value):
        return "unbounded"
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")
