"""Features for the check-worthiness model, shared by training and inference.

Pure Python and deterministic: the training command and the runtime scorer call the same
functions, so the model sees exactly the features it was trained on.

Three blocks:
1. word 1-2-grams of the lower-cased sentence, digits folded to ``0``;
2. character 2-5-grams of the same folded text (with a space on each side);
3. hand features (a figure, a named source, a comparison, a promise...), which also give the
   reasons shown to editors: each reason names what was found in the sentence.

The hand features are cheap on purpose, for stage 1 scores every sentence of every article:
- one set intersection of the folded tokens with every trigger word, whose bits (``_KINDS``)
  say which features can fire; the others cost nothing;
- the two-word triggers are looked for only when a first word and a possible second word
  are both among the tokens;
- the costly parts (figures, named sources, quotes) run only when a digit, a number word, a
  speech verb or a quotation mark is there, and their regular expressions are written so
  that the engine can skip ahead (a leading literal, a search bounded by ``endpos``).
Nothing is cached by sentence: the speed holds on text never seen before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence, Set
from itertools import pairwise
from operator import itemgetter
from typing import NamedTuple

from claims.extraction.numbers import NUMBER_WORDS, Quantity, find_quantities

FEATURE_VERSION = 2

_DIGITS = str.maketrans("0123456789", "0000000000")
# The same for ASCII text as bytes (nearly all text), where a translation is a table look-up
# per byte rather than a dictionary look-up per character.
_DIGIT_BYTES = bytes.maketrans(b"0123456789", b"0000000000")
_WORD_RE = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")
# The same tokens in ASCII text, spelt with classes: on ASCII characters ``\w`` is
# [A-Za-z0-9_] and ``\s`` is [ \t\n\r\f\v\x1c-\x1f], and a class is checked against a table
# where ``\w`` asks the Unicode database (a quarter faster over a sentence).
_ASCII_WORD_RE = re.compile(r"[A-Za-z0-9_]+(?:'[A-Za-z0-9_]+)*|[^A-Za-z0-9_ \t\n\r\f\v\x1c-\x1f]")
CHAR_NGRAM_RANGE = (2, 5)
FIGURE_SCAN_CHARS = 2_000


def fold(text: str) -> str:
    """Lower-case, fold every digit to ``0`` and collapse runs of whitespace to one space."""
    if text.isascii():
        folded = text.lower().encode().translate(_DIGIT_BYTES).decode()
        # Most sentences hold single spaces only (no control character is printable): the
        # split and join would give them back unchanged.
        if folded.isprintable() and "  " not in folded and folded[:1] != " " != folded[-1:]:
            return folded
        return " ".join(folded.split())
    return " ".join(text.lower().translate(_DIGITS).split())


def word_ngrams(folded: str) -> list[str]:
    """Word unigrams and bigrams of folded text (bigrams joined by a space)."""
    tokens = tokens_of(folded)
    return tokens + [a + " " + b for a, b in pairwise(tokens)]


def char_ngrams(folded: str) -> list[str]:
    """Character n-grams (2 to 5) of folded text padded with one space on each side."""
    if not folded:
        return []
    padded = " " + folded + " "
    size = len(padded)
    grams: list[str] = []
    low, high = CHAR_NGRAM_RANGE
    for n in range(low, high + 1):
        grams += [padded[i : i + n] for i in range(size - n + 1)]
    return grams


def tokens_of(folded: str) -> list[str]:
    """Word and punctuation tokens of folded text."""
    if folded.isascii():
        return _ASCII_WORD_RE.findall(folded)
    return _WORD_RE.findall(folded)


# --- Figures -------------------------------------------------------------------------------

_DIGIT_RE = re.compile(r"\d")
# Digits glued to a name by a hyphen: COVID-19, G-7, F-35.
_GLUED_RE = re.compile(r"[A-Za-z0-9][-‐‑]$")
# A capitalised word just before the figure: "Boeing 737", "Windows 10", "Apollo 11". A
# possessive ("Brackwater's 177 households") is no name: the apostrophe stops the match.
_NAME_BEFORE_RE = re.compile(r"(?<![\w'’])[A-Z][\w.-]*\s$")
# Punctuation that may cling to the word before a figure: "(Some 40".
_OPENERS = "\"'“‘([«—–-:;.!?"
# Words that may stand capitalised before a figure without naming anything.
_NOT_NAMES = frozenset(
    "Only Some About Around Nearly Almost Over Under Just Roughly Approximately More Less "
    "Fewer At Up By From To In On Of For With Between Than And Or The A An All Another "
    "Page No Number Unos Unas Casi Más Menos Entre De En El La Los Las Hasta January February "
    "March April May June July August September October November December Jan Feb Mar Apr "
    "Jun Jul Aug Sep Sept Oct Nov Dec Monday Tuesday Wednesday Thursday Friday Saturday "
    "Sunday".split()
)
_SLASH_DATE_RE = re.compile(r"\d[/.]\d{1,2}[/.]\d|\d/\d")
_YEAR_RANGE_RE = re.compile(
    r"^(?:between |from |entre )?(?:1[89]\d\d|20\d\d)\s*(?:-|–|—|to|and|a|y)\s*"
    r"(?:1[89]\d\d|20\d\d|\d\d)$",
    re.IGNORECASE,
)
# One to nine are spelt out in news copy ("two councillors"): counting words, not figures.
SMALLEST_WORD_FIGURE = 10


def is_part_of_a_name(text: str, quantity: Quantity) -> bool:
    """True for digits that belong to a name (COVID-19, G-7, Boeing 737), not a count."""
    start = quantity.start
    # Both patterns must end where the figure starts (``endpos``), so only its last few
    # characters are read: a name is one run of [\w.-] characters before a space, so it begins
    # after the last space ahead of those two (the look-behind still sees the text before).
    if _GLUED_RE.search(text, max(0, start - 3), start):
        return True
    name = _NAME_BEFORE_RE.search(text, text.rfind(" ", 0, max(0, start - 2)) + 1, start)
    if name is None:
        return False
    # "Only 177", "Some 40", "March 177": openers, approximations and months name nothing.
    return name.group().strip().strip(_OPENERS) not in _NOT_NAMES


def is_figure(text: str, quantity: Quantity) -> bool:
    """A number the sentence states: a count, an amount, a share; not a year, date or name."""
    if not quantity.is_countable or is_part_of_a_name(text, quantity):
        return False
    if quantity.is_word and quantity.value < SMALLEST_WORD_FIGURE and not quantity.unit:
        return False
    if not quantity.unit and _YEAR_RANGE_RE.match(quantity.text.strip()):
        return False  # "between 2015 and 2019" is a period, not a figure
    around = text[max(0, quantity.start - 3) : quantity.end + 3]
    return _SLASH_DATE_RE.search(around) is None


# --- Named sources -------------------------------------------------------------------------

_SPEECH_VERBS = (
    "said|says|told|tells|reported|reports|announced|announces|stated|states|estimated|"
    "estimates|wrote|writes|confirmed|confirms|testified|found|finds|claimed|claims|argued|"
    "argues|insisted|insists|warned|warns|noted|notes|added|explained|revealed|admitted|"
    "acknowledged|denied|disclosed|published|concluded|calculated|counted|recorded|"
    "afirmó|afirma|dijo|dice|declaró|declara|informó|informa|aseguró|asegura|señaló|señala|"
    "indicó|indica|explicó|denunció|denuncia|reportó|reporta|anunció|anuncia|confirmó|"
    "estimó|estima|reconoció|advirtió|sostuvo"
)
# The three ways a sentence names its source, each with the words it cannot match without:
# "according to X" (a word before the source), "X said" (a speech verb after it) and "...,
# said X" (inverted). A sentence is searched only for the ways whose words are among its
# tokens: the same matches as one pattern with the three, for a fraction of the cost.
_AFTER_WORDS = frozenset(
    """according per según segun stated reported announced confirmed estimated published
    calculated counted recorded cited informó afirmó declaró señaló dijo reportó
    anunció""".split()
)
# The word without which each English word of the first way cannot match: "according to",
# "as per", "stated by" (the others, "según", "afirmó", stand alone).
_AFTER_COMPANIONS = {"according": "to", "per": "as"} | {
    verb: "by"
    for verb in "stated reported announced confirmed estimated published calculated counted "
    "recorded cited".split()
}
_INVERTED_WORDS = frozenset(
    "said says added wrote stated dijo afirmó declaró señaló añadió".split()
)
_COMPANION_WORDS = frozenset(_AFTER_COMPANIONS.values())
_SOURCE_TRIGGERS = frozenset(_SPEECH_VERBS.split("|")) | _AFTER_WORDS | _INVERTED_WORDS
# Every word ``find_source`` reads among a sentence's tokens.
_SOURCE_WORDS = _SOURCE_TRIGGERS | _COMPANION_WORDS
_CAP = r"[A-ZÁÉÍÓÚÑ][\w.'’&-]*"
_JOIN = r"(?:\s+(?:of|for|on|de|del|la|el|los|las|y|and|the)\s+|\s+)"
_NAME = rf"{_CAP}(?:{_JOIN}{_CAP}){{0,6}}"
# Lower-case organisations and office holders that count as a source after "the".
_ORG_NOUNS = (
    "ministry|government|department|agency|police|court|council|commission|bureau|office|"
    "institute|report|study|survey|census|board|authority|authorities|committee|union|bank|"
    "army|military|spokesman|spokeswoman|spokesperson|officials?|prosecutors?|minister|"
    "president|mayor|governor|data|statistics|watchdog|regulator|inspectorate|hospital|"
    "company|firm|group|organi[sz]ation|charity|researchers|scientists|auditors?|treasury|"
    "chief|director|secretary|chair(?:man|woman|person)?|head|leader|commissioner|inspector|"
    "officer|master|coroner|judge|sheriff|"
    "ministerio|gobierno|policía|fiscal|fiscalía|tribunal|ministro|ministra|presidente|"
    "presidenta|portavoz|instituto|banco|ejército|agencia|organización|informe|estudio|"
    "encuesta|alcalde|alcaldesa|autoridades|oficina|comisión"
)
_ORG = (
    rf"(?:[Tt]he|[Ee]l|[Ll]as?|[Ll]os)\s+(?:[\w'’-]+\s+){{0,3}}(?:{_ORG_NOUNS})\b"
    rf"(?:\s+(?:of|for|de|del)\s+(?:the\s+)?{_CAP}(?:\s+{_CAP}){{0,3}})?"
)
_SOURCE_WAYS = (
    # "according to X", "According to X", "según X", "as stated by X", "as reported by X"
    rf"\b(?i:according\s+to|as\s+per|según|segun|(?:as\s+)?(?:stated|reported|announced|"
    rf"confirmed|estimated|published|calculated|counted|recorded|cited)\s+by|"
    rf"(?:informó|afirmó|declaró|señaló|dijo|reportó|anunció)\s+(?:por\s+)?)\s+"
    rf"(?P<after>{_NAME}|{_ORG}|[a-zà-ÿ][\w'’-]*(?:\s+[\w'’-]+){{0,4}})",
    # "X said", "X has reported", "X, the ministry, said" (from the start of a word)
    rf"\b(?P<before>{_NAME}|{_ORG})(?:,[^,]{{1,60}},)?\s+(?:(?:has|have|had|also|then|"
    rf"later|previously|ha|han|había)\s+)*(?:{_SPEECH_VERBS})\b",
    # "..., said Interior Minister X"
    rf"\b(?:said|says|added|wrote|stated|dijo|afirmó|declaró|señaló|añadió)\s+"
    rf"(?P<inverted>{_NAME})",
)
_SOURCE_WAY_WORDS = (_AFTER_WORDS, frozenset(_SPEECH_VERBS.split("|")), _INVERTED_WORDS)
# One pattern for each set of ways (bit i set: way i), the ways in the order above: at any
# position, the first way that matches wins, as in a single alternation of the three.
_SOURCE_PATTERNS = {
    mask: re.compile("|".join(way for bit, way in enumerate(_SOURCE_WAYS) if mask >> bit & 1))
    for mask in range(1, 8)
}
_SOURCE_RE = _SOURCE_PATTERNS[7]
# Capitalised words that are not a source: weekdays, months, interjections, pronouns,
# sentence openers and generic nouns.
_NOT_SOURCES = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december lunes martes miércoles jueves
    viernes sábado domingo enero febrero marzo abril mayo junio julio agosto septiembre octubre
    noviembre diciembre well yes no oh so but and or now then also however still yet okay ok
    indeed meanwhile today yesterday tomorrow last this that these those it he she they we you
    i who what which there here people someone somebody everyone everybody nobody others
    experts critics some many most all one the a an in on at for after before
    while when since if because although as by earlier later recently sí pero y o también
    hoy ayer él ella ellos nosotros usted over under about nearly almost around roughly
    only just more less than""".split()
)
_PRONOUNS = frozenset(
    "me him her them us you it this that he she they we i itself ellos él ella".split()
)
# "according to his own figures", "según sus datos": whose figures, not a source.
_POSSESSIVES = frozenset("his her their its our my your su sus mi mis nuestro nuestra".split())
_SOURCE_STRIP = " ,.;:\"'“”‘’()"


_NOT_LEADING_SOURCES = _NOT_SOURCES - {"the"}
_SOURCE_END_RE = re.compile(r"[,;:.()]")


def _clean_source(raw: str) -> str | None:
    """The source as shown, without leading words that name nothing; None if nothing is left."""
    words = raw.strip(_SOURCE_STRIP).split()
    while words and words[0].lower().strip(_SOURCE_STRIP) in _NOT_LEADING_SOURCES:
        words = words[1:]
    while words and words[-1].lower().strip(_SOURCE_STRIP) in _NOT_SOURCES:
        words = words[:-1]
    if not words:
        return None
    if all(w.lower().strip(_SOURCE_STRIP) in _NOT_SOURCES for w in words):
        return None
    if len(words) == 1 and words[0].lower() in _PRONOUNS:
        return None
    return " ".join(words).strip(_SOURCE_STRIP) or None


def find_source(text: str, hits: Set[str] | None = None, kinds: int | None = None) -> str | None:
    """The named source a sentence attributes its content to, if any.

    A person, a title, an organisation ("Attorney General Tarek Saab", "Foro Penal", "the
    ministry"); never a weekday, a month, an interjection ("Well, ...") or a pronoun.
    ``hits`` are the sentence's folded tokens that are trigger words (source triggers and
    ``_COMPANION_WORDS`` at least), and ``kinds`` their kinds or-ed together, when the caller
    has them (``hand_features`` does): only the ways those words allow are searched
    ("reported by" needs "by" too).
    """
    if hits is None:
        hits = _SOURCE_WORDS.intersection(tokens_of(fold(text)))
    if kinds is None:
        kinds = 0
        for word in hits:
            kinds |= _KINDS.get(word, 0)
    mask = kinds >> _WAYS_SHIFT & 7  # bit i: the way of _SOURCE_WAYS[i] may match
    if (
        mask & 1
        and text.isascii()
        and "'" not in text
        and all(
            _AFTER_COMPANIONS.get(word, word) not in hits
            for word in _AFTER_WORDS.intersection(hits)
        )
    ):
        # "reported" without "by", "according" without "to": not the first way. (An
        # apostrophe can glue "according" into another token, "x'according", and out of
        # ASCII a long s reads as an s: there the first way stays.)
        mask &= ~1
    if not mask:
        return None
    return first_source(_SOURCE_PATTERNS[mask].finditer(text))


def first_source(matches: Iterable[re.Match[str]]) -> str | None:
    """The source named by the first of ``matches`` (of ``_SOURCE_RE``'s ways) that names one."""
    for match in matches:
        way = match.lastgroup
        found = match.group(way) if way else None
        if found is None:
            continue
        if way == "after":
            first = found.split(maxsplit=1)[0].lower() if found.strip() else ""
            if first in _PRONOUNS or first in _POSSESSIVES:
                continue
            # "according to the county health board, ..." ends at the first punctuation.
            found = _SOURCE_END_RE.split(found, maxsplit=1)[0]
        name = _clean_source(found)
        if name:
            return name
    return None


# --- Other hand features -------------------------------------------------------------------

# A capitalised word after a word, comma or semicolon and one space. The pattern starts with
# the space (a literal the regex engine jumps to) and counts the same matches as
# ``(?<=[\w,;] )[A-Z][a-z]+``: a match holds one space, its first character.
_CAPITALISED_RE = re.compile(r" (?<=[\w,;] )[A-Z][a-z]+")
# A word ending in "ed", as the folded tokens see it ("agreed", not "need's").
_PAST_TENSE_RE = re.compile(r"[eE][dD]\b(?!['’]\w)")
_IRREGULAR_PAST = frozenset(
    """took made gave lost won went got left sent sold spent brought paid fell rose grew saw
    had was were did built bought kept met ran struck told thought wrote began became broke
    chose drove fought found held knew led lent meant overtook shot sank sat stood stole swore
    taught threw understood withdrew""".split()
)
_COMPARATIVES = frozenset(
    "more less fewer higher lower larger smaller bigger greater faster slower better worse "
    "cheaper richer poorer older younger longer shorter".split()
)
_CHANGE_WORDS = frozenset(
    """increase increased increases increasing decrease decreased decreases decreasing rose
    risen rises fell fallen drop dropped drops doubled tripled quadrupled halved grew grown
    declined declines shrank shrunk soared plunged jumped""".split()
)
_CHANGE_BIGRAMS = frozenset(
    [("up", "from"), ("down", "from"), ("compared", "to"), ("compared", "with"),
     ("twice", "as"), ("times", "as"), ("más", "que"), ("menos", "que")]
)  # fmt: skip
_SUPERLATIVES = frozenset(
    """highest lowest largest smallest biggest fastest slowest greatest worst best richest
    poorest oldest youngest longest shortest deadliest costliest cheapest strongest weakest
    unprecedented""".split()
)
_SUPERLATIVE_BIGRAMS = frozenset(
    [("the", "most"), ("the", "least"), ("the", "fewest"), ("first", "time"),
     ("never", "before"), ("el", "mayor"), ("la", "mayor"), ("el", "menor"), ("la", "menor"),
     ("más", "alto"), ("más", "alta"), ("record", "high"), ("record", "low"),
     ("record", "number"), ("record", "levels"), ("new", "record"), ("all", "time")]
)  # fmt: skip
_CAUSAL_WORDS = frozenset(
    "because caused causes causing therefore consequently porque provocó causó".split()
)
_CAUSAL_BIGRAMS = frozenset(
    [("due", "to"), ("led", "to"), ("leads", "to"), ("lead", "to"), ("leading", "to"),
     ("resulted", "in"), ("resulting", "in"),
     ("results", "in"), ("result", "of"), ("thanks", "to"), ("owing", "to"),
     ("responsible", "for"), ("blamed", "for"), ("debido", "a"), ("a", "causa")]
)  # fmt: skip
_STATISTIC_WORDS = frozenset(
    """average median rate rates percent percentage proportion poll polls survey surveys
    census gdp unemployment inflation deficit statistics statistical majority capita
    promedio tasa encuesta porcentaje""".split()
)
_PREDICTION_BIGRAMS = frozenset(
    [("expected", "to"), ("projected", "to"), ("forecast", "to"), ("predicted", "to"),
     ("likely", "to"), ("set", "to"), ("predicts", "that"), ("forecasts", "that")]
)  # fmt: skip
_FIRST_PERSON = frozenset("i we i'm we're i'll we'll i’m we’re i’ll we’ll".split())
_PROMISE_BIGRAMS = frozenset(
    [("i", "will"), ("we", "will"), ("i'm", "going"), ("we're", "going"), ("am", "going"),
     ("i", "plan"), ("we", "plan"), ("i", "intend"), ("we", "intend"), ("i", "promise"),
     ("we", "promise"), ("my", "plan"), ("our", "plan"), ("i'm", "gonna"),
     ("we're", "gonna"), ("i", "would"), ("we", "would"), ("i'd", "like"), ("i", "want"),
     ("we", "want"), ("i'll", "be"), ("we'll", "be")]
)  # fmt: skip
_PROMISE_WORDS = frozenset(["i'll", "we'll", "i’ll", "we’ll"])
_IMPERATIVE_STARTS = frozenset(
    """let let's look think imagine consider remember go stop give take make tell vote join
    read listen help get don't do please check keep come see ask support call understand
    try bring put send""".split()
)
_CONDITIONAL_WORDS = frozenset("if unless suppose supposing otherwise si".split())
_OPINION_BIGRAMS = frozenset(
    [("i", "think"), ("i", "believe"), ("i", "feel"), ("i", "hope"), ("my", "opinion"),
     ("we", "should"), ("we", "must"), ("we", "need"), ("ought", "to"), ("thank", "you"),
     ("should", "be"), ("you", "know"), ("i", "guess"), ("in", "my")]
)  # fmt: skip
_OPINION_WORDS = frozenset(["hopefully", "frankly", "honestly", "fortunately", "unfortunately"])
_SAID_WORDS = frozenset(
    """said says say claimed claims promised voted called proposed opposed supported
    vetoed dijo prometió votó""".split()
)
# "Didn't you vote against ...?", "Isn't it true that ...?": questions that assert.
_NEGATIVE_QUESTION_STARTS = frozenset(
    "didn't isn't wasn't haven't hasn't doesn't aren't weren't don't".split()
)
_QUOTE_RE = re.compile(r"[\"“«„]([^\"”»“]{3,}?)[\"”»“]")


class HandFeatures(NamedTuple):
    """Dense hand features of one sentence and the evidence behind them.

    ``values`` follow ``HAND_FEATURE_NAMES``; the other fields are what an editor is shown
    (None when the feature is absent). A named tuple: built for every sentence scored, it must
    be cheap to create.
    """

    values: tuple[float, ...]
    figures: tuple[str, ...]
    date: str | None
    source: str | None
    comparison: str | None
    superlative: str | None
    causal: str | None
    quote: str | None
    statistic: str | None
    prediction: str | None
    promise: str | None
    conditional: str | None
    imperative: str | None
    opinion: str | None
    question: bool
    speech: str | None


HAND_FEATURE_NAMES = (
    "figure",
    "several_figures",
    "percent",
    "money",
    "date",
    "source",
    "comparison",
    "superlative",
    "causal",
    "quote",
    "statistic",
    "prediction",
    "promise",
    "conditional",
    "imperative",
    "opinion",
    "question",
    "checkable_question",
    "reports_speech",
    "short_assertion",
    "short",
    "long",
    "names",
    "several_names",
    "past_tense",
)


def hand_features(
    text: str, tokens: list[str] | None = None, quantities: Sequence[Quantity] | None = None
) -> HandFeatures:
    """Compute the hand features of one sentence (see ``HAND_FEATURE_NAMES``).

    ``tokens`` are the sentence's folded tokens when the caller already has them;
    ``quantities`` are ``find_quantities(text)`` (English) when the caller has parsed them, as
    ``extract`` does for the consistency checks (read for a sentence of up to
    ``FIGURE_SCAN_CHARS`` characters; a longer one is scanned here, its start only).
    """
    if tokens is None:
        tokens = tokens_of(fold(text))
    token_set = set(tokens)
    # One intersection finds every token that could fire a feature (most sentences have a few)
    # and their kinds say which features to look for: the others are absent.
    hits = token_set & _TRIGGER_WORDS
    kinds = 0
    for word in hits:
        kinds |= _KINDS[word]
    # Without a digit or a number word there is no figure: skip the costly parse.
    if _DIGIT_RE.search(text) is not None or kinds & _NUMBER:
        # Figures are looked for at the start of very long "sentences" only (tables, lists).
        scanned = text[:FIGURE_SCAN_CHARS]
        if quantities is None or len(text) > FIGURE_SCAN_CHARS:
            quantities = find_quantities(scanned, "en", hits & NUMBER_WORDS)
        figures = [q for q in quantities if is_figure(scanned, q)]
        years = [q for q in quantities if q.is_year]
    else:
        figures = years = []
    date = years[0].text if years else None
    source = find_source(text, hits, kinds) if kinds & _SOURCE else None
    pairs = _trigger_pairs(tokens, token_set, hits) if kinds & _PAIR else _NO_PAIRS
    # Most sentences have no trigger pair and few trigger words: each search below is called
    # only when what it looks for can be there (the same results, fewer calls).
    comparison = (
        _find_comparison(tokens, kinds, pairs) if pairs or kinds & (_THAN | _CHANGE) else None
    )
    superlative = (_first(tokens, _SUPERLATIVES) if kinds & _SUPERLATIVE else None) or (
        _first_pair(pairs, tokens, _SUPERLATIVE_BIGRAMS) if pairs else None
    )
    causal = (_first(tokens, _CAUSAL_WORDS) if kinds & _CAUSAL else None) or (
        _first_pair(pairs, tokens, _CAUSAL_BIGRAMS) if pairs else None
    )
    quote = _find_quote(text) if '"' in text or "“" in text or "«" in text or "„" in text else None
    statistic = _first(tokens, _STATISTIC_WORDS) if kinds & _STATISTIC else None
    if statistic == "rate" and ("any", "rate") in pairs:
        statistic = None
    promise = (_first(tokens, _PROMISE_WORDS) if kinds & _PROMISE else None) or (
        (
            _first_pair(pairs, tokens, _PROMISE_BIGRAMS)
            or ("we are going" if ("we", "are") in pairs and ("are", "going") in pairs else None)
        )
        if pairs
        else None
    )
    prediction = (
        _find_prediction(tokens, kinds, pairs)
        if promise is None and (pairs or kinds & _WILL)
        else None
    )
    conditional = _first(tokens, _CONDITIONAL_WORDS) if kinds & _CONDITIONAL else None
    first = tokens[0] if tokens else ""
    second = tokens[1] if len(tokens) > 1 else ""
    imperative = (
        first if first in _IMPERATIVE_STARTS and second not in _SUBJECT_AFTER_VERB else None
    )
    opinion = (_first(tokens, _OPINION_WORDS) if kinds & _OPINION else None) or (
        _first_pair(pairs, tokens, _OPINION_BIGRAMS) if pairs else None
    )
    names = len(_CAPITALISED_RE.findall(text))
    question = text.rstrip().endswith(("?", "？", "؟"))
    words = sum(map(str.isalnum, map(itemgetter(0), tokens)))  # tokens that are words
    past = bool(kinds & _PAST) or _PAST_TENSE_RE.search(text) is not None
    checkable_question = question and (
        bool(figures) or bool(years) or names > 0 or first in _NEGATIVE_QUESTION_STARTS
    )
    speech = _first(tokens, _SAID_WORDS) if kinds & _SAID else None
    short_assertion = (
        4 <= words <= 15
        and not figures
        and past
        and not (question or promise or conditional or imperative or opinion)
    )
    percent = money = False
    for quantity in figures:
        if quantity.unit == "%":
            percent = True
        elif quantity.unit:
            money = True
    values = (
        1.0 if figures else 0.0,  # figure
        1.0 if len(figures) > 1 else 0.0,  # several_figures
        1.0 if percent else 0.0,  # percent
        1.0 if money else 0.0,  # money
        1.0 if years else 0.0,  # date
        1.0 if source else 0.0,  # source
        1.0 if comparison else 0.0,  # comparison
        1.0 if superlative else 0.0,  # superlative
        1.0 if causal else 0.0,  # causal
        1.0 if quote else 0.0,  # quote
        1.0 if statistic else 0.0,  # statistic
        1.0 if prediction else 0.0,  # prediction
        1.0 if promise else 0.0,  # promise
        1.0 if conditional else 0.0,  # conditional
        1.0 if imperative else 0.0,  # imperative
        1.0 if opinion else 0.0,  # opinion
        1.0 if question else 0.0,  # question
        1.0 if checkable_question else 0.0,  # checkable_question
        1.0 if speech else 0.0,  # reports_speech
        1.0 if short_assertion else 0.0,  # short_assertion
        1.0 if words < 6 else 0.0,  # short
        1.0 if words > 35 else 0.0,  # long
        1.0 if names else 0.0,  # names
        min(names, 3) / 3,  # several_names
        1.0 if past else 0.0,  # past_tense
    )
    shown = tuple(" ".join(q.text.split()) for q in figures) if figures else ()
    return HandFeatures(
        values,
        shown,
        date,
        source,
        comparison,
        superlative,
        causal,
        quote,
        statistic,
        prediction,
        promise,
        conditional,
        imperative,
        opinion,
        question,
        speech,
    )


# After a sentence-initial verb, these make it a question or statement, not an order.
_SUBJECT_AFTER_VERB = frozenset("i you we they he she it not n't - ‐ ‑ 's".split())

# Every two-word phrase a feature looks for, and every word: a sentence's tokens are
# intersected once with ``_TRIGGER_WORDS``, and the features test that small set only.
_TRIGGER_PAIRS = (
    _CHANGE_BIGRAMS
    | _SUPERLATIVE_BIGRAMS
    | _CAUSAL_BIGRAMS
    | _PREDICTION_BIGRAMS
    | _PROMISE_BIGRAMS
    | _OPINION_BIGRAMS
    | {("any", "rate"), ("we", "are"), ("are", "going")}
)
_NO_PAIRS: frozenset[tuple[str, str]] = frozenset()
_PAIR_FIRSTS = frozenset(first for first, _ in _TRIGGER_PAIRS)
# The words that may follow each first word of a trigger pair.
_PAIR_SECONDS = {
    word: frozenset(second for first, second in _TRIGGER_PAIRS if first == word)
    for word in _PAIR_FIRSTS
}
# The kinds of trigger, one bit each: a word may be of several kinds ("rose" is a change and
# a past tense).
_NUMBER, _SOURCE, _PAIR, _CHANGE, _SUPERLATIVE, _CAUSAL, _STATISTIC = (1 << n for n in range(7))
_PROMISE, _CONDITIONAL, _OPINION, _PAST, _SAID, _THAN, _WILL = (1 << n for n in range(7, 14))
# "to", "as", "by" ("according to", "as per", "reported by"): no feature reads this bit; it puts
# the words among a sentence's trigger words, where ``find_source`` looks for them.
_COMPANION = 1 << 14
# The words of each way of naming a source (``_SOURCE_WAY_WORDS``), one bit each from here.
_WAYS_SHIFT = 15


def _kinds_of_words() -> dict[str, int]:
    """Every trigger word with the kinds of trigger it is (bits or-ed together)."""
    kinds: dict[str, int] = {}
    for kind, words in (
        (_NUMBER, NUMBER_WORDS),
        (_SOURCE, _SOURCE_TRIGGERS),
        (_COMPANION, _COMPANION_WORDS),
        *((1 << (_WAYS_SHIFT + way), words) for way, words in enumerate(_SOURCE_WAY_WORDS)),
        (_PAIR, _PAIR_FIRSTS),
        (_CHANGE, _CHANGE_WORDS),
        (_SUPERLATIVE, _SUPERLATIVES),
        (_CAUSAL, _CAUSAL_WORDS),
        (_STATISTIC, _STATISTIC_WORDS),
        (_PROMISE, _PROMISE_WORDS),
        (_CONDITIONAL, _CONDITIONAL_WORDS),
        (_OPINION, _OPINION_WORDS),
        (_PAST, _IRREGULAR_PAST),
        (_SAID, _SAID_WORDS),
        (_THAN, frozenset(["than"])),
        (_WILL, frozenset(["will", "won't"])),
    ):
        for word in words:
            kinds[word] = kinds.get(word, 0) | kind
    return kinds


_KINDS = _kinds_of_words()
_TRIGGER_WORDS = frozenset(_KINDS)


def _first(tokens: list[str], words: frozenset[str]) -> str | None:
    """The first token of the sentence that is one of ``words`` (the caller knows one is)."""
    return next((token for token in tokens if token in words), None)


def _trigger_pairs(
    tokens: list[str], token_set: set[str], hits: set[str]
) -> frozenset[tuple[str, str]]:
    """The adjacent token pairs of the sentence that are one of ``_TRIGGER_PAIRS``.

    Built only when a trigger pair could be there: its first word is a token (a hit) and one
    of the words that may follow it is a token too; otherwise the sentence has none.
    """
    for word in _PAIR_FIRSTS.intersection(hits):
        if not _PAIR_SECONDS[word].isdisjoint(token_set):
            return _TRIGGER_PAIRS.intersection(pairwise(tokens))
    return _NO_PAIRS


def _first_pair(
    pairs: frozenset[tuple[str, str]], tokens: list[str], wanted: frozenset[tuple[str, str]]
) -> str | None:
    """The first two-word phrase of the sentence that is one of ``wanted``.

    ``pairs`` are the sentence's adjacent pairs that are in ``_TRIGGER_PAIRS`` (which holds
    every ``wanted``): the test for "none of them" reads a set of a few pairs at most.
    """
    if not pairs or wanted.isdisjoint(pairs):
        return None
    return next(a + " " + b for a, b in pairwise(tokens) if (a, b) in wanted)


def _find_comparison(
    tokens: list[str], kinds: int, pairs: frozenset[tuple[str, str]]
) -> str | None:
    """A comparison such as "more than", "higher than", "doubled" or "up from"."""
    if kinds & _THAN:
        for index, word in enumerate(tokens):
            if word != "than":
                continue
            for back in range(index - 1, max(-1, index - 4), -1):
                before = tokens[back]
                if before in _COMPARATIVES or (back == index - 1 and before.endswith("er")):
                    return " ".join(tokens[back : index + 1])
    return (_first(tokens, _CHANGE_WORDS) if kinds & _CHANGE else None) or _first_pair(
        pairs, tokens, _CHANGE_BIGRAMS
    )


def _find_prediction(
    tokens: list[str], kinds: int, pairs: frozenset[tuple[str, str]]
) -> str | None:
    """A forecast about others: "will" after anyone but I/we, "is expected to", "by 0000".

    Shown with the word that follows when it is a word ("expected to rise", "will cost"):
    what is forecast, rather than the subject before "will" ("home will").
    """
    if pairs and not _PREDICTION_BIGRAMS.isdisjoint(pairs):
        for index, pair in enumerate(pairwise(tokens)):
            if pair in _PREDICTION_BIGRAMS:
                return _with_next_word(pair[0] + " " + pair[1], tokens, index + 2)
    if kinds & _WILL:
        for index, (before, word) in enumerate(pairwise(tokens)):
            if word in ("will", "won't") and before not in _FIRST_PERSON and before != "you":
                shown = _with_next_word(word, tokens, index + 2)
                return shown if shown != word else before + " " + word
    return None


def _with_next_word(phrase: str, tokens: list[str], index: int) -> str:
    """``phrase`` and the token at ``index`` when that token is a word (not a figure, which the
    folded tokens show as 0s, nor punctuation)."""
    following = tokens[index] if index < len(tokens) else ""
    return phrase + " " + following if following.isalpha() else phrase


def _find_quote(text: str) -> str | None:
    """The opening words of a quotation of three words or more."""
    for match in _QUOTE_RE.finditer(text):
        words = match.group(1).split()
        if len(words) >= 3:
            return " ".join(words[:6]) + (" …" if len(words) > 6 else "")
    return None
