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
4. Each span between boundaries is stripped of surrounding whitespace; empty spans vanish.

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
    """mr mrs ms messrs mme mlle dr prof st mt ft gen gov sen rep rev fr capt cmdr col lt
    sgt cpl pvt adm maj brig hon pres supt det insp amb atty e.g i.e cf vs v viz approx ca
    esp incl ref sr.s""".split()
)
# End a sentence only before a number-free opener: "No. 5", "p. 55", "N°. 1026".
_NUMERIC_PREPOSITIVE = frozenset("no nos nr n° p pp vol fig figs ch chap sec art para op".split())
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


def segment(text: str) -> list[Sentence]:
    """Split ``text`` into sentences whose offsets slice back to their text.

    Sentences come in order, never overlap, are never empty and carry no surrounding
    whitespace. Never raises on any string.
    """
    if not text:
        return []
    boundaries = _boundaries(text)
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


def _boundaries(text: str) -> list[int]:
    """Every position where a sentence ends, in increasing order (duplicates allowed)."""
    boundaries: list[int] = []
    add = boundaries.append
    markers: list[_Marker] = []
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
            position = _term_boundary(text, match)
            if position is not None:
                add(position)
        elif kind == "nl":
            if _line_break_ends_sentence(text, match.start(), match.end()):
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
        _resolve_markers(text, markers, add)
        boundaries.sort()
    return boundaries


def _term_boundary(text: str, match: re.Match[str]) -> int | None:
    """Position of the boundary at a terminal-punctuation candidate, or None."""
    if _is_boundary(text, match):
        term_start = match.start()
        if match.end("term") - term_start > 2 and " " in text[term_start : match.end("term")]:
            attached = term_start > 0 and not text[term_start - 1].isspace()
            if attached and text[match.end() :].strip():
                # "compounds. . . . The": the full stop ends the sentence; the ellipsis
                # opens the next one.
                return term_start + 1
        return match.end()
    return None


def _is_boundary(text: str, match: re.Match[str]) -> bool:
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
    if first_char.islower():
        return False
    if term_end - term_start == 1:
        mark = text[term_start]
        if mark != ".":
            return mark != "…" or _ellipsis_ends_sentence(text, term_start, mark, first_char)
    else:
        term = text[term_start:term_end]
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
    if lowered in _PREPOSITIVE:
        return False
    if lowered in _NUMERIC_PREPOSITIVE:
        return not first_char.isdigit()
    if "." in token and _MULTI_PERIOD_RE.fullmatch(token):
        return _multi_period_ends_sentence(text, term_start - len(token), token, end)
    if lowered in _ENDING_ABBREVIATIONS:
        return _next_word(text, end) in _OPENERS_WORDS
    if len(token) == 1 and token.isupper():
        return _initial_ends_sentence(text, term_start - 1, token, end)
    return True


def _next_word(text: str, end: int) -> str:
    """The word after position ``end``, without opening quotes or brackets."""
    following = _NEXT_WORD_RE.match(text, end)
    return following.group(1) + following.group(2) if following else ""


_WORD_AFTER_NEXT_RE = re.compile(r"\s*[" + re.escape(_OPENERS) + r"]*\S+\s+(\S)")


def _multi_period_ends_sentence(text: str, token_start: int, token: str, end: int) -> bool:
    """After "U.S." or "a.m.": split before an opener, not inside a name ("U.S. Army")."""
    next_word = _next_word(text, end)
    if token[0].islower():
        return next_word in _OPENERS_WORDS
    if next_word in _OPENERS_WORDS or next_word in _TITLES:
        return True  # "at 6 P.M. Mr. Smith then went": a title opens a new sentence
    if next_word in _MULTI_PERIOD_FOLLOWERS or not next_word[:1].isupper():
        return False
    if token_start == 0 or text[token_start - 1] in _LINE_BREAKS:
        return False  # "K.C. Maurer said" at the start of a line: initials of a name
    after = _WORD_AFTER_NEXT_RE.match(text, end)
    # "The U.S. Environmental Protection Agency": a run of capitalised words continues.
    return not (after and after.group(1).isupper())


def _initial_ends_sentence(text: str, position: int, letter: str, end: int) -> bool:
    """A capital letter and full stop: an initial ("Jonas E. Smith") or a sentence end."""
    next_word = _next_word(text, end)
    if next_word in _OPENERS_WORDS or not next_word[:1].isupper():
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


def _line_break_ends_sentence(text: str, start: int, end: int) -> bool:
    """A line break ends a sentence unless wrapped text continues in lower case."""
    breaks = text[start:end]
    if breaks.count("\n") + breaks.count("\r") - breaks.count("\r\n") > 1 or (
        len(breaks) > 2 and any(ch in _LINE_BREAKS for ch in breaks.replace("\r\n", "\n")[1:])
    ):
        return True  # blank line: always a paragraph break
    if "\u2029" in breaks:
        return True
    return not text[end : end + 1].islower()


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


def _resolve_markers(text: str, markers: list[_Marker], add: object) -> None:
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
            position = _term_boundary(text, marker.match)
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
