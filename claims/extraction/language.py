"""Tell English from Spanish text with stop-word profiles and telltale characters.

A pure function, no model file: each language has a list of its commonest function words; the
text's words vote for the languages whose list holds them, and characters only one language
uses add to Spanish: one vote per word with "ñ", "ü" or an acute accent, and one per "¿" or
"¡" that opens a word. The confidence is the winner's share of the votes, scaled down when the
evidence is thin. Texts with too little evidence get ``default`` ("und", undetermined, unless
the caller chooses a language).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UNDETERMINED = "und"
SUPPORTED = ("en", "es")

_STOP_WORDS = {
    "en": frozenset(
        """the a an and or but of to in on at by for with from into about as is are was were
        be been being have has had do does did not no this that these those it its he she they
        them his her their we our you your i me my which who whom what when where why how than
        then there here would could should will can may might must shall just also only very
        said says after before over under more most some any all each other such up out if so
        because while many much one two new year years people government""".split()
    ),
    "es": frozenset(
        """el la los las un una unos unas y o pero de del al a en por para con sin sobre entre
        hasta desde es son fue fueron era eran ser sido está están estaba ha han había hay que
        qué se su sus lo le les me te nos mi mis tu tus este esta estos estas ese esa esos esas
        eso esto como cómo cuando cuándo donde dónde quien quién porque muy más menos también
        ya pero si sí no ni todo todos toda todas otro otra otros otras dijo según año años
        tiene tienen hace después antes durante mientras aunque gobierno personas""".split()
    ),
}
# Words both lists share would vote twice: keep each word in one list only.
_SHARED = _STOP_WORDS["en"] & _STOP_WORDS["es"]
_PROFILES = {code: words - _SHARED for code, words in _STOP_WORDS.items()}

_SPANISH_CHARACTERS = frozenset("ñáéíóúü")  # looked for in lower-cased words
_INVERTED_RE = re.compile(r"[¿¡][^\W\d_]")
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")

MIN_VOTES = 3  # fewer stop words and telltale characters than this: undetermined
_FULL_EVIDENCE = 20  # votes at which the confidence is no longer scaled down
_SAMPLE = 20_000  # characters read from the start of a long text


@dataclass(frozen=True, slots=True)
class Detection:
    """The detected language code ("en", "es" or the default) and a confidence in [0, 1]."""

    language: str
    confidence: float


def detect_language(text: str, *, default: str = UNDETERMINED) -> Detection:
    """Detect whether ``text`` is English or Spanish.

    Returns ``Detection(default, 0.0)`` when the text has too little evidence (fewer than
    ``MIN_VOTES`` stop words and Spanish-only characters) or the two languages tie. Only the
    first 20,000 characters are read. Never raises on any string.
    """
    sample = text[:_SAMPLE]
    votes = dict.fromkeys(SUPPORTED, 0)
    for word in _WORD_RE.findall(sample.lower()):
        for code in SUPPORTED:
            if word in _PROFILES[code]:
                votes[code] += 1
        if not _SPANISH_CHARACTERS.isdisjoint(word):
            votes["es"] += 1  # one vote per word with "ñ" or an accent, however many
    # "¿" and "¡" vote only when they open a word: "¡¡¡" alone decides nothing.
    votes["es"] += len(_INVERTED_RE.findall(sample))
    total = sum(votes.values())
    if total < MIN_VOTES:
        return Detection(default, 0.0)
    ranked = sorted(SUPPORTED, key=lambda code: votes[code], reverse=True)
    best, second = ranked[0], ranked[1]
    if votes[best] == votes[second]:
        return Detection(default, 0.0)
    share = votes[best] / total
    evidence = min(1.0, total / _FULL_EVIDENCE)
    return Detection(best, round(share * evidence, 3))
