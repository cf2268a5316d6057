"""Property-based tests: the text algorithms never raise and offsets always slice back."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.extraction import check_consistency, extract, score_sentence, segment

# Text built from the characters that drive segmentation, plus any Unicode at all.
_TRICKY = st.sampled_from(
    [*" \t\n\r.!?…。！？؟,;:\"'“”‘’()[]•⁃-–—$%0123456789aAbBeEiIpPsSuU", "\r\n", " . . . "]
)
tricky_text = st.lists(_TRICKY | st.text(max_size=3), max_size=80).map("".join)
any_text = st.text(max_size=300) | tricky_text
# Spanish: inverted marks, abbreviations, ordinals, decimal commas (and emoticons).
_TRICKY_ES = st.sampled_from(
    [
        *"¿¡?!.,;: \n«»ñáéíóúAEUae0123456789",
        *("Sr.", "Sra.", "Dr.", "EE. UU.", "núm.", "pág.", "etc.", "1.º", "2.ª", "67,2 %"),
        *(" :) ", " :-( ", "¿Qué?", "¡Ya!"),
    ]
)
spanish_text = st.lists(_TRICKY_ES | st.text(max_size=3), max_size=80).map("".join)


@given(any_text)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_segmentation_offsets_always_slice_back_in_order(text: str) -> None:
    previous_end = 0
    for sentence in segment(text):
        assert text[sentence.start : sentence.end] == sentence.text
        assert sentence.text == sentence.text.strip()
        assert sentence.text
        assert previous_end <= sentence.start < sentence.end
        previous_end = sentence.end


@given(any_text)
@settings(max_examples=300, deadline=None)
def test_segmentation_loses_no_text_but_whitespace(text: str) -> None:
    kept = "".join(s.text for s in segment(text))
    assert "".join(kept.split()) == "".join(text.split())


@given(spanish_text | any_text)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_spanish_segmentation_slices_back_in_order_and_loses_no_text(text: str) -> None:
    previous_end = 0
    sentences = segment(text, "es")
    for sentence in sentences:
        assert text[sentence.start : sentence.end] == sentence.text
        assert sentence.text == sentence.text.strip()
        assert previous_end <= sentence.start < sentence.end
        previous_end = sentence.end
    assert "".join("".join(s.text for s in sentences).split()) == "".join(text.split())


# Datelines and what looks like one: capitals, commas, brackets and every kind of dash.
_DATELINE_PARTS = st.sampled_from(
    [
        "OSTERLEA",
        "ST. ANSELM",
        "US",
        "NASA",
        ", 2 June",
        ", Gulf Coast",
        " (Wire)",
        "(AP)",
        " —",
        "—",
        " – ",
        " - ",
        "-",
        " -- ",
        "\n",
        "\n\n",
        " ",
        "The ferry carried 41,000 cars.",
        "Tolls rose 8% in May.",
        '"We paid 400 families," she said.',
        "¿Subió?",
    ]
)
dateline_text = st.lists(_DATELINE_PARTS | _TRICKY, max_size=30).map("".join)


@given(dateline_text | any_text, st.sampled_from(["en", "es"]))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_extracted_sentences_slice_back_in_order_with_or_without_a_dateline(
    text: str, language: str
) -> None:
    segmented = segment(text, language)
    sentences = extract(text, language=language).sentences
    assert len(sentences) == len(segmented)
    previous_end = 0
    for sentence, whole in zip(sentences, segmented, strict=True):
        assert text[sentence.start : sentence.end] == sentence.text
        assert sentence.text == sentence.text.strip() and sentence.text
        assert whole.start <= sentence.start and sentence.end == whole.end
        assert previous_end <= sentence.start < sentence.end
        previous_end = sentence.end


@given(any_text)
@settings(max_examples=150, deadline=None)
def test_scores_are_always_between_zero_and_one(text: str) -> None:
    score = score_sentence(text)
    assert 0.0 <= score.value <= 1.0
    assert all(isinstance(reason, str) and reason for reason in score.reasons)


digits_and_punctuation = st.text(alphabet="0123456789.,%$-–() /+=:;!?", max_size=60)


@given(st.lists(digits_and_punctuation | tricky_text, max_size=8))
@settings(max_examples=300, deadline=None)
def test_consistency_never_raises(sentences: list[str]) -> None:
    for language in ("en", "es"):
        for flag in check_consistency(sentences, language=language):
            assert flag.kind in ("sum", "percentage", "mismatch")
            assert flag.severity in ("contradiction", "may_not_add_up")
            assert all(0 <= index < len(sentences) for index in flag.sentence_indexes)
            assert flag.arithmetic


@given(st.lists(st.text(alphabet="ab c.,'\n0", max_size=12), max_size=6).map(" ".join))
@settings(max_examples=300, deadline=None)
def test_cached_ngram_sums_equal_the_plain_sums(text: str) -> None:
    from claims.extraction.features import char_ngrams, fold, word_ngrams
    from claims.extraction.scoring import Scorer

    folded = fold(text)
    words = word_ngrams(folded)
    chars = char_ngrams(folded)
    weights = {gram: float(len(gram) * 7 + ord(gram[-1]) % 5) for gram in {*words, *chars}}
    scorer = Scorer.__new__(Scorer)
    scorer.heads = 2
    scorer.word_weights = {gram: complex(weight, -weight) for gram, weight in weights.items()}
    scorer.char_weights = {gram: complex(weight / 2, 1.0) for gram, weight in weights.items()}
    scorer._chunk_cache = {}
    scorer._pair_cache = {}
    expected = 0j
    if folded:
        word_part = sum(weights[gram] for gram in words) / len(words) ** 0.5
        char_part = sum(weights[gram] for gram in chars) / len(chars) ** 0.5
        expected = complex(word_part + char_part / 2, -word_part + len(chars) ** 0.5)
    assert scorer._wording(folded) == pytest.approx(expected)
    assert scorer._wording(folded) == pytest.approx(expected)  # now from the caches


def test_the_hypothesis_profile_has_no_deadline() -> None:
    """tests/conftest.py loads it: a loaded 2-core machine never fails a property for time.

    Files that use @given without @settings (tests/lib/test_text.py, test_htmltext.py) rely on it.
    """
    assert settings.default.deadline is None
