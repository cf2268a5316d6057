"""The shortcuts that make stage 1 fast find what the plain scans find, on any text.

``tokens_of`` reads ASCII text with an ASCII pattern; ``find_quantities`` runs its pattern only
from just before each anchor (a digit run, a number word) and matches ASCII English lower-cased;
``find_source`` searches only the ways its trigger words allow ("reported" needs "by" for
"reported by"); ``extract`` parses each sentence's quantities once. Each is checked here against
the plain way it replaces: for the scans, the whole pattern searched from every position of the
text (the handling of each match, ``take_match``, ``quantities_of``, ``first_source``, is shared
with the product and tested through the features' own tests).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from claims.extraction import features, numbers
from claims.extraction.numbers import Quantity


def plain_quantities(text: str, language: str = "en") -> list[Quantity]:
    """Every quantity of ``text``: the case-insensitive pattern tried at every position."""
    pattern = numbers._ES_QUANTITY_RE if language == "es" else numbers._QUANTITY_RE
    matches: list[re.Match[str]] = []
    match = pattern.search(text)
    while match is not None:
        position = numbers.take_match(pattern, text, text, match, language, matches)
        match = pattern.search(text, position)
    return numbers.quantities_of(text, matches, language)


def plain_source(text: str) -> str | None:
    """The first usable match of the three ways at once (``_SOURCE_RE``), from the start."""
    return features.first_source(features._SOURCE_RE.finditer(text))


_ENGLISH_WORDS = (
    "1,877 2.5 12 400 2019 07 1990s 3/4 .5 $ US$ € £ % per cent percent percentage points "
    "dollars euros k bn m million two Twenty hundred thousand dozen a an and to - – between "
    "from over More than about nearly up at least no fewer as many some estimated "
    "January May Dec. 5 p.m. No. page Apollo Boeing COVID-19 G-7 people households the The "
    "on in of , . ; ( ) \" Brackwater Council's week last & + ten& seventy+ twenty's x'ten "
    "ten_x ten5 ’"
).split()
_SPANISH_WORDS = (
    "1.877 67,2 % 3,5 2.000 dos mil millones un uno veinte cien y entre más de unos casi "
    "hasta personas hogares mayo el la 3 de 2019 núm. , . %"
).split()
_SOURCE_WORDS = (
    "according to as per per by said says reported has Reported Stated stated estimated "
    "counted cited told the The ministry's Ministry council officials police of Health "
    "Attorney General Tarek Saab Foro Penal Well Wednesday he they his own según dijo el "
    "ministerio afirmó Juan , . ; \" ’ 's in were 400 people"
).split()
english_text = st.lists(st.sampled_from(_ENGLISH_WORDS), max_size=24).map(" ".join)
spanish_text = st.lists(st.sampled_from(_SPANISH_WORDS), max_size=24).map(" ".join)
source_text = st.lists(st.sampled_from(_SOURCE_WORDS), max_size=24).map(" ".join)


@given(english_text | st.text(alphabet="0123456789,.-$% aonetwhuds", max_size=40))
@settings(max_examples=400, deadline=None)
def test_quantities_from_anchors_equal_the_plain_scan_in_english(text: str) -> None:
    expected = plain_quantities(text)
    assert numbers.find_quantities(text) == expected
    # As the hand features call it: the number words among the folded tokens given.
    tokens = features.tokens_of(features.fold(text))
    assert numbers.find_quantities(text, "en", numbers.NUMBER_WORDS.intersection(tokens)) == (
        expected
    )


@given(
    st.text(alphabet=st.characters(max_codepoint=127), max_size=80)
    | st.lists(st.sampled_from(_ENGLISH_WORDS), max_size=20).map(" ".join)
)
@settings(max_examples=400, deadline=None)
def test_ascii_tokens_are_the_unicode_patterns_tokens(text: str) -> None:
    for folded in (text, features.fold(text)):
        assert features.tokens_of(folded) == features._WORD_RE.findall(folded)


# Where the shortcut differs on this vocabulary, on purpose: a chain of articles before a number
# word ("no menos de un un un y dos"). The scan starts six words before each anchor, and "un",
# "una", "uno" (and "y") are no anchors, since alone they are articles; such a chain is no
# Spanish number either way. (Other known differences, words of over 16 characters and
# non-ASCII digits, are not in this vocabulary: see claims/extraction/numbers.py.)
_ARTICLE_CHAIN = re.compile(r"\b(?:(?:un|una|uno|y)\s+){3,}")


@given(spanish_text)
@settings(max_examples=300, deadline=None)
def test_quantities_from_anchors_equal_the_plain_scan_in_spanish(text: str) -> None:
    assume(_ARTICLE_CHAIN.search(text) is None)
    assert numbers.find_quantities(text, "es") == plain_quantities(text, "es")


@given(source_text)
@settings(max_examples=400, deadline=None)
def test_the_source_from_the_allowed_ways_equals_the_plain_scan(text: str) -> None:
    assert features.find_source(text) == plain_source(text)
    tokens = features.tokens_of(features.fold(text))
    assert features.hand_features(text, tokens).source == plain_source(text)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("It cost no fewer than $ 400 in 2019.", "en"),
        ("x no    fewer than 5 people", "en"),
        ("no fewer than from $ a hundred people", "en"),
        ("más de un un dos personas", "es"),
        ("no menos de US$ 400", "es"),
    ],
)
def test_a_long_approximation_before_a_figure_is_read_as_the_plain_scan_reads_it(
    text: str, language: str
) -> None:
    assert numbers.find_quantities(text, language) == plain_quantities(text, language)


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("The figure was reported by the ministry of Health on Monday.", "the ministry of Health"),
        ("The figure was reported by officials, the council said.", "officials"),
        ("Officials reported 400 cases, as stated by Attorney General Tarek Saab.", "Officials"),
        ("The toll was counted in Brackwater and reported on Monday.", None),
        ("According to the police, 17 people died.", "the police"),
        ("ACCORDING TO the police, 17 people died.", "the police"),
        ("As per the council, the road will close.", "the council"),
        ("Per the council, the road will close.", None),
        ("The toll was counted, x'according to the police.", "the police"),
        ("Aſ per the council, 40 people.", "the council"),
    ],
)
def test_the_first_way_needs_its_companion_word(text: str, source: str | None) -> None:
    assert features.find_source(text) == plain_source(text) == source


_ARTICLE = (
    "The council said 1,240 households were helped in three rounds: 400 in May, 350 in June "
    "and 390 in July. About 2,000 people applied, according to the housing office. "
    "Officials expect twenty more grants next year. "
    + "A table of 45 rows follows, 12 and 13 and 14, " * 60
    + "\n\nIn all, 1,240 households received help, the mayor told reporters on Tuesday."
)
_ARTICLE_ES = (
    "El ministerio informó que 1.240 hogares recibieron ayuda en tres rondas: 400, 350 y 390. "
    "Según la alcaldía, unas 2.000 personas la pidieron."
)


# Compiled modules call each other directly, past a patched module attribute: this runs in the
# pure-Python pass of `make test` (tests/conftest.py leaves it out while the build is in use).
@pytest.mark.pure_python
@pytest.mark.parametrize(("text", "language"), [(_ARTICLE, "en"), (_ARTICLE_ES, "es")])
def test_extract_parses_each_sentence_once_and_finds_what_separate_parses_find(
    text: str, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from claims.extraction import consistency, extract, load_scorer, pipeline, segment
    from claims.extraction.consistency import check_consistency

    sentences = [s.text for s in segment(text, language)]
    scores = load_scorer().score_many(sentences)
    flags = check_consistency(sentences, language)
    assert flags  # the three rounds do not add up to the total: something to compare

    calls: list[tuple[str, str]] = []

    def counted(sentence: str, language: str = "en", *rest: object) -> list[Quantity]:
        calls.append((sentence, language))
        return numbers.find_quantities(sentence, language, *rest)  # type: ignore[arg-type]

    for module in (pipeline, consistency, features):
        monkeypatch.setattr(module, "find_quantities", counted, raising=False)
    extraction = extract(text, language=language)
    assert [(s.score, s.reasons) for s in extraction.sentences] == [
        (score.value, score.reasons) for score in scores
    ]
    assert list(extraction.flags) == flags
    # No sentence is parsed twice in one language: in English, the checks and the scores share
    # one parse (the table, too long for the checks, is scanned by the hand features alone);
    # a Spanish sentence is read once as Spanish (checks) and, with a figure, once as English
    # (the hand features read figures the English way).
    assert calls  # the patch is what extract() called
    assert len(calls) == len(set(calls))
    parsed = {sentence for sentence, _ in calls}
    assert parsed == {sentence[: features.FIGURE_SCAN_CHARS] for sentence in sentences}
    if language == "en":
        assert max(map(len, sentences)) > consistency.MAX_SENTENCE_CHARS
        assert len(calls) == len(sentences)


@pytest.mark.parametrize("size", [1, 12])  # one at a time, and the numpy batch
def test_quantities_for_another_number_of_sentences_are_refused(size: int) -> None:
    from claims.extraction import load_scorer
    from claims.extraction.consistency import check_consistency

    sentences = ["Harbourton counted 1,240 households."] * size
    with pytest.raises(ValueError):
        load_scorer().score_many(sentences, [[]] * (size + 1))
    with pytest.raises(ValueError):
        check_consistency(sentences, "en", [[]] * (size - 1))
