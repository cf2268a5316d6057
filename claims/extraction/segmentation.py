"""Split text into sentences with character offsets into the original text.

Algorithm:
1. One compiled regular expression finds every candidate boundary in a single pass: a run of
   terminal punctuation (with closing quotes or brackets) followed by whitespace, a line break,
   CJK full stops (which need no space) and bullets.
2. Cheap checks run only at those candidates: the word before the full stop (abbreviation,
   initial, multi-period abbreviation such as "U.S.", list marker) and the word after it
   (lower case, a digit, a common sentence opener).
3. Possible list markers ("1.", "2)", "3.)", "a.") seen on the way are resolved at the end:
   a run of consecutive markers splits before each item ("1) a 2) b").
4. Emoticons (":-)", ":P") stay with the sentence they close, and a new sentence may follow.
5. In Spanish, no boundary falls inside "¿...?" or "¡...!".
6. Each span between boundaries is stripped of surrounding whitespace; empty spans vanish.

Informal text: a sentence may start in lower case. After "?" or "!" (unless a quotation closes
after it, or a Spanish "¿"/"¡" opened it) or after a full stop that follows an ordinary word
or number (not an abbreviation, short form or initial), a lower-case word opens a new
sentence. A line break before a lower-case word ends the sentence unless the line was
hard-wrapped: it is as long as the text's longest line, so the next word would not have fitted
on it, and the next line fits that width too.

Languages: "en" (the default) and "es" differ in their abbreviations, their common sentence
openers and in what may follow "?" and "!" (Spanish continues in lower case: "¿Vienes? dijo").

Offsets are Python string indexes (code points), so ``text[s.start:s.end] == s.text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: ``text == original[start:end]``, stripped of surrounding whitespace."""

    start: int
    end: int
    text: str


_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_CLOSERS = "\"'”’)]}»」』）›“‘"  # “ and ‘ too: writers often type them the wrong way
_OPENERS = "\"'“‘([{«¿¡「『（‹"
_BULLETS = "•⁃▪◦●‣∙"

_TERMINALS = ".!?‼⁇⁈⁉…؟।॥"
_CJK_TERMINALS = "。！？｡"
_T = re.escape(_TERMINALS)
_C = re.escape(_CLOSERS)
_CANDIDATE_RE = re.compile(
    # One character class first, so that the regex engine skips quickly between candidates;
    # a lookbehind then tells which kind of candidate the first character started.
    f"[{_T}{_CJK_TERMINALS}{_LINE_BREAKS}{_BULLETS})]"
    f"(?:(?<=[{_CJK_TERMINALS}])(?P<cjk>[{_CJK_TERMINALS}]*[{_C}]*)"
    f"|(?<=[{_LINE_BREAKS}])(?P<nl>\\s*)"
    # terminal punctuation, a spaced ellipsis ". . .", closing quotes, then a space or the end
    f"|(?<=[{_T}])(?P<term>[{_T}]*(?:[ \\t]\\.(?=[\\s.{_C}]|$))*)(?P<close>[{_C}]*)(?=\\s|$)"
    f"|(?<=\\))(?P<paren>)(?=\\s)"  # "1) first item": a possible list marker
    f"|(?<=[{_BULLETS}])(?P<bullet>))"
)
_NEXT_WORD_RE = re.compile(r"\s*[" + re.escape(_OPENERS) + r"]*(\S?)([\w'’-]*)")
_MULTI_PERIOD_RE = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")

# Never end a sentence: titles and Latin abbreviations that introduce what follows.
_PREPOSITIVE = frozenset(
    """mr mrs ms messrs mme mlle dr drs prof st mt ft gen gov sen rep rev fr capt cmdr col lt
    sgt cpl pvt adm maj brig hon pres supt det insp amb atty e.g i.e cf vs v viz approx ca
    esp incl ref sr.s""".split()
)
# End a sentence only before a number-free opener: "No. 5", "p. 55", "N°. 1026".
_NUMERIC_PREPOSITIVE = frozenset(
    "no nos nr n° p pp vol fig figs ch chap sec art para op ext tel".split()
)
# Abbreviations that may end a sentence: split only when a common sentence opener follows.
_ENDING_ABBREVIATIONS = frozenset(
    """co corp inc ltd llc plc bros jr sr a.m p.m etc al jan feb mar apr jun jul aug sep sept
    oct nov dec mon tue tues wed thu thur thurs fri sat sun est dept univ assn ave blvd rd
    ala ariz ark calif colo conn del fla ga ill ind kan ky la md mass mich minn miss mo mont
    neb nev okla ore pa tenn tex va vt wash wis wyo""".split()
)
# After "U.S." and the like, these words continue the same sentence ("U.S. Government").
_MULTI_PERIOD_FOLLOWERS = frozenset(
    """Government Administration Army Navy Air Marine Marines Coast Department Dept Senate
    Senator Sen Congress Congressman Congresswoman House Representative Rep President Vice
    Secretary Attorney Ambassador Embassy Supreme Court Court District Federal Treasury
    State States Military Forces Force Special Open Census Bureau Agency Geological Postal
    Justice Commerce Energy Defense Defence Border Customs Food Department Olympic National
    Central Chamber Constitution Capitol Steel Bank Airways Airlines Gen Gov
    Pres Sen Rep Highway Route Interstate Open Masters Championship Cup Team Soccer Dollar
    Treasuries Citizenship Immigration Fish Forest Park Marshals Marshal Patent Trade
    Trade Mint Space Command Central Southern Northern Pacific Atlantic Fleet""".split()
)
_TITLES = frozenset("Mr Mrs Ms Dr Prof Messrs Mme".split())
# Words that commonly open a sentence (function words, pronouns, connectives).
_OPENERS_WORDS = frozenset(
    """The A An It Its He She They We I You This That These Those There Here In On At But
    And Or Nor However His Her Their Our My Your How What Why When Where Who Whom Whose Which
    If As After Before Since While Although Though So Then Also Yet For Some Many Most All
    Both Each Every No Not None Now Today Yesterday Tomorrow Meanwhile Still Even Such Other
    Another Despite During Following According Under Over From To With Without By Of Is Are
    Was Were Do Does Did Has Have Had Can Could Will Would Should May Might Must Let Please
    Thus Therefore Instead Indeed Later Earlier Last Next First Second Third Finally Only
    Just Among About Because Unlike Like Once Until Whether More Less Several Few One Two
    Three Four Five Six Seven Eight Nine Ten Officials Police Authorities Critics Experts
    Analysts Witnesses Residents Students Researchers Scientists Yes Well Oh Hello Thank
    Thanks Hi Image Photo Source""".split()
)

# Short forms that continue a sentence in lower case ("approx. ten", "the dept. head"): a full
# stop after them before a lower-case word is not a boundary, in any language.
_LOWER_CONTINUING = frozenset(
    """approx appt apt assoc avg b.c bldg cm dept diff dist div doz est ext ft govt hr hrs in
    intl kg km lb lbs max med min mins misc mm mo mos mt no nos oz pkg pl pt qt sec secs sq tel
    temp tsp tbsp univ wk wks yd yds yr yrs vol vs sr jr""".split()
)

# Spanish: titles and short forms that never end a sentence before a name or a figure.
_ES_PREPOSITIVE = frozenset(
    """sr sra srta sres sras srs dr dra dres dras lic lcdo lcda ing arq prof profa d dña
    da ud uds vd vds excmo excma ilmo ilma mons fr sto sta gral cnel tte cap cmdte pdte
    av avda c p.ej e.g i.e cf vs aprox""".split()
)
_ES_NUMERIC_PREPOSITIVE = frozenset(
    "núm nro no n° pág págs p pp art arts cap vol tomo fig apdo inc ap".split()
)
_ES_ENDING_ABBREVIATIONS = frozenset(
    """etc cía ltda hnos s.a s.l a.c d.c a.m p.m ene feb mar abr may jun jul ago sep sept oct
    nov dic lun mié jue vie sáb dom tel admón dpto depto""".split()
)
_ES_OPENERS_WORDS = frozenset(
    """El La Los Las Lo Un Una Unos Unas Es Son Fue Era Hay Pero Y O Ni En Por Para Con Sin
    Según Desde Hasta Sobre Entre Tras Ante Este Esta Estos Estas Ese Esa Esos Esas Eso Esto
    Aquel Aquella Hoy Ayer Mañana Ahora Luego Después Antes Entonces Además También Tampoco
    Sin Así Aunque Cuando Como Si Porque Pues No Sí Se Su Sus Mi Mis Tu Tus Nuestro Nuestra
    Al Del Ya Yo Él Ella Ellos Ellas Nosotros Nosotras Usted Ustedes Qué Quién Cómo Dónde
    Cuándo Cuánto Cuál Todo Toda Todos Todas Cada Otro Otra Otros Otras Muchos Muchas Varios
    Algunos Algunas Nadie Nada Mientras Durante Finalmente Primero Segundo Gracias Hola
    Sí Bueno Bien Por Las Le Les Me Te Nos Allí Aquí Incluso Solo Sólo Más Menos""".split()
)
# Doubled capitals mark Spanish plurals: "EE. UU.", "FF. AA.", "CC. OO.", "RR. HH.".
_ES_DOUBLED_RE = re.compile(r"(?:([A-ZÁÉÍÓÚÑ])\1)+")


@dataclass(frozen=True, slots=True)
class _Profile:
    """What differs between languages: abbreviations, openers, "?" before lower case."""

    prepositive: frozenset[str]
    numeric_prepositive: frozenset[str]
    ending_abbreviations: frozenset[str]
    openers: frozenset[str]
    inverted_marks: bool  # "¿...?" and "¡...!" hold one sentence


_PROFILES = {
    "en": _Profile(
        _PREPOSITIVE,
        _NUMERIC_PREPOSITIVE,
        _ENDING_ABBREVIATIONS,
        _OPENERS_WORDS,
        inverted_marks=False,
    ),
    "es": _Profile(
        _ES_PREPOSITIVE | _PREPOSITIVE,
        _ES_NUMERIC_PREPOSITIVE,
        _ES_ENDING_ABBREVIATIONS,
        _ES_OPENERS_WORDS,
        inverted_marks=True,
    ),
}
LANGUAGES = tuple(_PROFILES)

# ":-)", ";P", ":(", "^_^", "<3", "XD" before a space or the end; one leading character class
# keeps the scan fast, and the character before is checked in Python.
_EMOTICON_RE = re.compile(
    r"[:;=^<xX](?:(?<=[:;=])[-o^'’]?[)(\]\[DPpOo3|*@$]+|(?<=\^)_*\^|(?<=<)3+|(?<=[xX])D+)"
    r"(?=\s|$)"
)


def segment(text: str, language: str = "en") -> list[Sentence]:
    """Split ``text`` into sentences whose offsets slice back to their text.

    ``language`` is "en" or "es" (anything else is read as English). Sentences come in order,
    never overlap, are never empty and carry no surrounding whitespace. Never raises on any
    string.
    """
    if not text:
        return []
    profile = _PROFILES.get(language, _PROFILES["en"])
    boundaries = _boundaries(text, profile)
    boundaries.append(len(text))
    sentences: list[Sentence] = []
    append = sentences.append
    previous = 0
    for boundary in boundaries:
        if boundary <= previous:
            continue
        chunk = text[previous:boundary]
        stripped = chunk.strip()
        if stripped:
            first = previous + len(chunk) - len(chunk.lstrip())
            append(Sentence(first, first + len(stripped), stripped))
        previous = boundary
    return sentences


def _boundaries(text: str, profile: _Profile) -> list[int]:
    """Every position where a sentence ends, in increasing order (duplicates allowed)."""
    boundaries: list[int] = []
    add = boundaries.append
    markers: list[_Marker] = []
    wrap: list[int] = []  # the hard-wrap width, computed once when first needed
    for match in _CANDIDATE_RE.finditer(text):
        kind = match.lastgroup
        if kind == "close":  # a run of terminal punctuation, with or without closers
            start = match.start()
            if text[start] == "." and match.end("term") == start + 1:
                marker = _marker_at(
                    text, start, match, ".)" if match.group("close") == ")" else "."
                )
                if marker is not None:
                    markers.append(marker)
                    continue
            position = _term_boundary(text, match, profile)
            if position is not None:
                add(position)
        elif kind == "nl":
            if _line_break_ends_sentence(text, match.start(), match.end(), wrap):
                add(match.start())
        elif kind == "paren":
            marker = _marker_at(text, match.start(), None, ")")
            if marker is not None:
                markers.append(marker)
        elif kind == "cjk":
            add(match.end())
        else:  # bullet
            start = match.start()
            if start == 0 or text[start - 1].isspace():
                add(start)
    if markers:
        _resolve_markers(text, markers, add, profile)
        boundaries.sort()
    if (":" in text or ";" in text or "^" in text or "<" in text or "XD" in text) and (
        emoticons := list(_EMOTICON_RE.finditer(text))
    ):
        boundaries = _attach_emoticons(text, boundaries, emoticons)
    if profile.inverted_marks and ("¿" in text or "¡" in text):
        boundaries = _outside_inverted_marks(text, boundaries)
    return boundaries


def _attach_emoticons(
    text: str, boundaries: list[int], emoticons: list[re.Match[str]]
) -> list[int]:
    """Move a boundary just before an emoticon to just after it ("Great! :) See you")."""
    moved = set(boundaries)
    for emoticon in emoticons:
        start, end = emoticon.span()
        if start and not (text[start - 1].isspace() or text[start - 1] in _TERMINALS):
            continue  # part of a word or a number ("10:30", "http://")
        probe = start
        while probe > 0 and text[probe - 1].isspace():
            probe -= 1
        if probe in moved and probe < start:
            moved.discard(probe)
        rest = text[end : end + 80].lstrip()
        if rest and (rest[0].isalnum() or rest[0] in _OPENERS):
            moved.add(end)
    return sorted(moved)


_INVERTED_SPAN = 400  # an unclosed "¿" protects at most this many characters


def _outside_inverted_marks(text: str, boundaries: list[int]) -> list[int]:
    """Drop boundaries inside "¿...?" and "¡...!" (Spanish).

    The closing mark must come within ``_INVERTED_SPAN`` characters, before the next opening
    mark of the same kind and with no line break between: otherwise the opening mark was left
    unclosed and protects nothing.
    """
    protected: list[tuple[int, int]] = []
    for opening, closing in (("¿", "?"), ("¡", "!")):
        start = text.find(opening)
        while start != -1:
            following = text.find(opening, start + 1)
            limit = start + _INVERTED_SPAN
            if following != -1:
                limit = min(limit, following)
            end = text.find(closing, start + 1, limit)
            if end != -1 and not any(ch in _LINE_BREAKS for ch in text[start:end]):
                protected.append((start, end))
            start = following
    if not protected:
        return boundaries
    protected.sort()
    merged = [protected[0]]
    for start, end in protected[1:]:
        if start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    kept = []
    index = 0
    for boundary in sorted(boundaries):
        while index < len(merged) and merged[index][1] < boundary:
            index += 1
        if index < len(merged) and merged[index][0] < boundary <= merged[index][1]:
            continue  # inside (start, end]: the sentence goes on to the closing mark
        kept.append(boundary)
    return kept


def _term_boundary(text: str, match: re.Match[str], profile: _Profile) -> int | None:
    """Position of the boundary at a terminal-punctuation candidate, or None."""
    if _is_boundary(text, match, profile):
        term_start = match.start()
        if match.end("term") - term_start > 2 and " " in text[term_start : match.end("term")]:
            attached = term_start > 0 and not text[term_start - 1].isspace()
            if attached and text[match.end() :].strip():
                # "compounds. . . . The": the full stop ends the sentence; the ellipsis
                # opens the next one.
                return term_start + 1
        return match.end()
    return None


def _is_boundary(text: str, match: re.Match[str], profile: _Profile) -> bool:
    """Decide whether a run of terminal punctuation ends a sentence."""
    term_start = match.start()
    term_end = match.end("term")
    end = match.end()
    # The first character of the next word: the common case ". Next" needs no regex.
    first_char = text[end + 1 : end + 2]
    if not first_char or first_char.isspace() or first_char in _OPENERS:
        following = _NEXT_WORD_RE.match(text, end)
        first_char = following.group(1) if following else ""
        if not first_char:
            return True  # end of text (or only whitespace and openers left)
    lower = first_char.islower()
    if term_end - term_start == 1:
        mark = text[term_start]
        if mark != ".":
            if lower:
                return mark != "…" and _mark_opens_lower_case(text, match, profile)
            return mark != "…" or _ellipsis_ends_sentence(text, term_start, mark, first_char)
    else:
        term = text[term_start:term_end]
        if lower:
            # "?!" or "...?" before a lower-case word: the final mark decides
            return term[-1] in "!?" and _mark_opens_lower_case(text, match, profile)
        if "." not in term and "…" not in term:
            return True  # "!!", "?!" before a capital, digit or other script
        if term_start > 0 and text[term_start - 1] == "[":
            # "[...]" marks an omission: a new sentence only if a capital follows at once.
            return text[end + 1 : end + 2].isupper()
        return _ellipsis_ends_sentence(text, term_start, term, first_char)
    # A single full stop: look at the word before it.
    space = text.rfind(" ", max(0, term_start - 40), term_start)
    token = text[space + 1 : term_start]
    if not token:
        return True
    if not token.isalpha():
        if any(ch.isspace() for ch in token):
            words = token.split()
            if not words:  # only tabs or other non-space whitespace before the stop
                return True
            token = words[-1]
        token = token.lstrip(_OPENERS)
        if not token:
            return True
    lowered = token.lower()
    if lowered in profile.prepositive:
        return False
    if lowered in profile.numeric_prepositive:
        return not first_char.isdigit()
    if "." in token and _MULTI_PERIOD_RE.fullmatch(token):
        if lower:
            return False
        return _multi_period_ends_sentence(text, term_start - len(token), token, end, profile)
    if lowered in profile.ending_abbreviations:
        return not lower and _next_word(text, end) in profile.openers
    if profile.inverted_marks and _ES_DOUBLED_RE.fullmatch(token):
        # "EE. UU." : the first half never ends a sentence, the second may.
        next_word = _next_word(text, end)
        if _ES_DOUBLED_RE.fullmatch(next_word):
            return False
        return not lower and next_word in profile.openers
    if len(token) == 1 and token.isupper():
        return not lower and _initial_ends_sentence(text, term_start - 1, token, end, profile)
    if lower:
        return not match.group("close") and _word_ends_before_lower_case(token, lowered)
    return True


def _mark_opens_lower_case(text: str, match: re.Match[str], profile: _Profile) -> bool:
    """Whether "?" or "!" before a lower-case word ends the sentence.

    "really? yes" is two sentences in informal writing; not when a quotation or bracket closes
    after the mark ("'Why?' she asked"), nor after a name that carries the mark ("works at
    Yahoo! in the"): a single "!" right after a capitalised word inside the sentence. In
    Spanish a question or exclamation opened by "¿" or "¡" goes on in lower case ("¿Vienes?
    preguntó"), while an informal one without them ("que tal? yo bien") ends.
    """
    if match.group("close"):
        return False
    start = match.start()
    if profile.inverted_marks:
        window = text[max(0, start - _INVERTED_SPAN) : start]
        opening = max(window.rfind("¿"), window.rfind("¡"))
        if opening != -1 and not any(ch in "?!" or ch in _LINE_BREAKS for ch in window[opening:]):
            return False
    if text[start] == "!" and match.end("term") == start + 1:
        space = text.rfind(" ", max(0, start - 40), start)
        word = text[space + 1 : start]
        if word[:1].isupper() and not word.isupper() and space > 0:
            before = text[max(0, space - 20) : space].rstrip()
            return not before or before[-1] in _TERMINALS or before[-1] in _LINE_BREAKS
    return True


def _word_ends_before_lower_case(token: str, lowered: str) -> bool:
    """A full stop after an ordinary word ends a sentence even before a lower-case word.

    Informal writing often starts sentences in lower case ("it was closed. we left"). Short
    forms ("approx. ten", "dept. head"), single letters and words with inner dots are not
    ordinary words.
    """
    if len(token) < 2 or lowered in _LOWER_CONTINUING or "." in token:
        return False
    if not token[-1].isalnum():
        return False
    return all(ch.isalnum() or ch in "-'’/" for ch in token)


def _next_word(text: str, end: int) -> str:
    """The word after position ``end``, without opening quotes or brackets."""
    following = _NEXT_WORD_RE.match(text, end)
    return following.group(1) + following.group(2) if following else ""


_WORD_AFTER_NEXT_RE = re.compile(r"\s*[" + re.escape(_OPENERS) + r"]*\S+\s+(\S)")


def _multi_period_ends_sentence(
    text: str, token_start: int, token: str, end: int, profile: _Profile
) -> bool:
    """After "U.S." or "a.m.": split before an opener, not inside a name ("U.S. Army")."""
    next_word = _next_word(text, end)
    if token[0].islower():
        return next_word in profile.openers
    if next_word in profile.openers or next_word in _TITLES:
        return True  # "at 6 P.M. Mr. Smith then went": a title opens a new sentence
    if next_word in _MULTI_PERIOD_FOLLOWERS or not next_word[:1].isupper():
        return False
    if token_start == 0 or text[token_start - 1] in _LINE_BREAKS:
        return False  # "K.C. Maurer said" at the start of a line: initials of a name
    after = _WORD_AFTER_NEXT_RE.match(text, end)
    # "The U.S. Environmental Protection Agency": a run of capitalised words continues.
    return not (after and after.group(1).isupper())


def _initial_ends_sentence(
    text: str, position: int, letter: str, end: int, profile: _Profile
) -> bool:
    """A capital letter and full stop: an initial ("Jonas E. Smith") or a sentence end."""
    next_word = _next_word(text, end)
    if next_word in profile.openers or not next_word[:1].isupper():
        return True
    if letter != "I":
        return False  # "writer L. Ron Hubbard"
    # "you and I. Did you see": the pronoun I after a lower-case word ends the sentence.
    window = text[max(0, position - 30) : position].split()
    return not window or not window[-1][:1].isupper()


def _ellipsis_ends_sentence(text: str, term_start: int, term: str, next_word: str) -> bool:
    """Ellipses end a sentence only with a fourth dot or before a capitalised word."""
    if " " in term or "\t" in term:
        dots = term.count(".")
        spaced_before = term_start > 0 and text[term_start - 1].isspace()
        if spaced_before and dots < 4:
            return False  # "the thing is . . . I didn't": an omission mid-sentence
        return True
    if term[0] in "!?":
        return True
    return next_word[:1].isupper() or next_word[:1].isdigit()


_MAX_WRAP_WIDTH = 120  # longer lines were not hard-wrapped


def _line_break_ends_sentence(text: str, start: int, end: int, wrap: list[int]) -> bool:
    """A line break ends a sentence unless hard-wrapped text continues in lower case.

    A line is hard-wrapped when the next word would not have fitted on it: the line and that
    word are longer than the text's longest line (of those short enough to be wrapped at all),
    and the next line fits that width too. A shorter line was ended on purpose ("thanks\nsee
    you soon"). ``wrap`` caches the width.
    """
    breaks = text[start:end]
    if breaks.count("\n") + breaks.count("\r") - breaks.count("\r\n") > 1 or (
        len(breaks) > 2 and any(ch in _LINE_BREAKS for ch in breaks.replace("\r\n", "\n")[1:])
    ):
        return True  # blank line: always a paragraph break
    if "\u2029" in breaks:
        return True
    if not text[end : end + 1].islower():
        return True
    window = max(0, start - 2 * _MAX_WRAP_WIDTH)  # bounded: no rescan of a long text
    line_start = max(text.rfind(ch, window, start) for ch in _LINE_BREAKS) + 1
    if line_start == 0 and window > 0:
        return True  # a line longer than any hard-wrapped one
    line_length = len(text[line_start:start].strip())
    if line_length > _MAX_WRAP_WIDTH:
        return True
    if not wrap:
        wrap.append(
            max(
                (
                    length
                    for line in text.splitlines()
                    if (length := len(line.strip())) <= _MAX_WRAP_WIDTH
                ),
                default=0,
            )
        )
    next_word = len(_next_word(text, end))
    if line_length + 1 + next_word <= wrap[0]:
        return True  # the next word would have fitted: the line was ended on purpose
    # A wrapped line's continuation fits the width too; a longer next line is a new paragraph.
    next_break = min(
        (found for ch in _LINE_BREAKS if (found := text.find(ch, end, end + wrap[0] + 2)) != -1),
        default=-1,
    )
    if next_break == -1:
        next_break = min(len(text), end + wrap[0] + 2)
    return len(text[end:next_break].strip()) > wrap[0]


@dataclass(frozen=True, slots=True)
class _Marker:
    """A possible list-item marker such as "1.", "2)", "3.)" or "a."."""

    label: str
    style: str
    item_start: int
    line_start: bool
    match: re.Match[str] | None


def _marker_at(text: str, punct: int, match: re.Match[str] | None, style: str) -> _Marker | None:
    """The list marker whose punctuation is at ``punct``, if the label before it is one."""
    label_end = punct
    label_start = punct - 1
    if label_start < 0:
        return None
    char = text[label_start]
    if char.isdigit():
        if label_start > 0 and text[label_start - 1].isdigit():
            label_start -= 1
    elif not ("a" <= char <= "z"):
        return None
    if label_start > 0:
        before = text[label_start - 1]
        if not (before.isspace() or before in _BULLETS):
            return None
        if label_start > 1 and text[label_start - 2].isdigit():
            return None
    probe = label_start - 1
    while probe >= 0 and text[probe] in " \t" + _BULLETS:
        probe -= 1
    item_start = label_start
    if label_start > 0 and probe < label_start - 1 and text[probe + 1 : label_start].strip():
        # include a bullet right before the marker in the item
        item_start = (
            probe
            + 1
            + next(i for i, ch in enumerate(text[probe + 1 : label_start]) if ch in _BULLETS)
        )
    line_start = probe < 0 or text[probe] in _LINE_BREAKS
    return _Marker(text[label_start:label_end], style, item_start, line_start, match)


def _resolve_markers(text: str, markers: list[_Marker], add: object, profile: _Profile) -> None:
    """Split before each item of a run of consecutive list markers.

    A full stop that belongs to a list marker in a run, or to a marker opening a line, does
    not end a sentence; any other marker-like full stop ("scored 5. Then") is judged normally.
    """
    in_run: set[int] = set()
    run = [0]
    for index in range(1, len(markers) + 1):
        if index < len(markers) and _follows(markers[run[-1]], markers[index]):
            run.append(index)
            continue
        if len(run) > 1:
            in_run.update(run)
        run = [index]
    for index, marker in enumerate(markers):
        if index in in_run:
            add(marker.item_start)  # type: ignore[operator]
        elif marker.match is not None and not marker.line_start:
            position = _term_boundary(text, marker.match, profile)
            if position is not None:
                add(position)  # type: ignore[operator]


def _follows(previous: _Marker, marker: _Marker) -> bool:
    """True when ``marker`` is the next item after ``previous`` in the same style."""
    if previous.style != marker.style:
        return False
    before, label = previous.label, marker.label
    if before.isdigit() and label.isdigit():
        return int(label) == int(before) + 1
    if before.isalpha() and label.isalpha():
        return ord(label) == ord(before) + 1
    return False


# A news dateline before the first sentence of a story: the place in capitals, then perhaps a
# date or region after a comma and the agency in brackets, then a dash ("HARBOURTON, 14 March
# (Desk) —", "WASHINGTON (AP) —", "CARACAS, Venezuela (Reuters) - "). A hyphen counts only
# with a space before it ("US-China" is no dateline).
_DATELINE_RE = re.compile(
    r"[A-ZÁÉÍÓÚÑÜÇ][A-ZÁÉÍÓÚÑÜÇ'’.\- ]{1,38}[A-ZÁÉÍÓÚÑÜÇ.]"
    r"(?:,[^\n,—–()]{1,40}){0,2}"
    r"(?:\s*\([^()\n]{1,30}\))?"
    r"(?:\s*[—–]|\s+--?)\s*"
)
# Datelines open a story: only a paragraph's first sentence among the text's first few is read.
DATELINE_SENTENCES = 3


def without_dateline(text: str, sentences: list[Sentence]) -> list[Sentence]:
    """``sentences`` of ``text`` with a news dateline taken off the sentence it opens.

    The dateline says where and from whom a story comes; it is not part of the claim that
    follows it, and the claim is anchored where its own words begin. Only a sentence that
    opens a paragraph among the first ``DATELINE_SENTENCES`` is read, and one that would be
    left with fewer than three words keeps its dateline.
    """
    result = list(sentences)
    for index, sentence in enumerate(result[:DATELINE_SENTENCES]):
        before = text[: sentence.start].rstrip(" \t")
        if before and before[-1] not in _LINE_BREAKS:
            continue  # not the start of a paragraph
        match = _DATELINE_RE.match(sentence.text)
        if match is None:
            continue
        rest = sentence.text[match.end() :]
        if len(rest.split()) < 3 or (not rest[0].isalnum() and rest[0] not in "\"“'‘¿¡"):
            continue
        result[index] = Sentence(sentence.start + match.end(), sentence.end, rest)
    return result
