"""The batch path of stage 1 (numpy) gives the scores of the one-sentence path."""

from __future__ import annotations

import json
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claims.extraction import extract, load_scorer
from claims.extraction.features import CHAR_NGRAM_RANGE, fold
from claims.extraction.scoring import BATCH_MINIMUM, Scorer
from claims.extraction.vectorised import CharNgramTables, WordTables, build

ROOT = Path(__file__).resolve().parents[2]

# Our own sentences, with what tends to break a lookup table: characters the model never saw,
# a NUL, a lone letter, punctuation only, whitespace only, an empty string, a very long line.
AWKWARD = [
    "Harbourton paid flood relief to 1,240 households, the council said on Tuesday.",
    "",
    "   \n\t ",
    "a",
    "?!",
    "Zqxvbrunk Wolloppa said 48,213 frimbles were counted in Quarnoth.",
    "Der Stadtrat von Münster zählte 17 Brücken — ὁ λόγος 😀 東京 مرحبا.",
    "tabs\tand\nnew lines\r\nin one sentence",
    "a NUL \x00 inside a sentence",
    "El ministerio afirmó que el paro bajó al 12,4 % en 2024.",
    "We're going to cut taxes, believe me.",
    "Brackwater counted " + "very " * 800 + "many geese.",
    "I think so.",
    "¿Cuántos hogares recibieron la ayuda?",
]


def _assert_same_scores(texts: list[str]) -> None:
    scorer = load_scorer()
    assert scorer._tables is not None and len(texts) >= BATCH_MINIMUM
    batch = scorer.score_many(texts)
    for text, score in zip(texts, batch, strict=True):
        alone = scorer.score(text)
        assert score.value == pytest.approx(alone.value, abs=1e-12), text
        assert score.reasons == alone.reasons


def test_a_batch_scores_every_sentence_as_one_at_a_time_does() -> None:
    _assert_same_scores(AWKWARD)
    _assert_same_scores(list(reversed(AWKWARD)))


@settings(max_examples=150)
@given(st.lists(st.text(max_size=60), min_size=BATCH_MINIMUM, max_size=BATCH_MINIMUM + 6))
def test_any_batch_of_text_scores_as_one_at_a_time(texts: list[str]) -> None:
    _assert_same_scores(texts)


def _naive_char_sum(weights: dict[str, complex], padded: str) -> complex:
    low, high = CHAR_NGRAM_RANGE
    grams = [padded[i : i + n] for n in range(low, high + 1) for i in range(len(padded) - n + 1)]
    return sum((weights.get(gram, 0j) for gram in grams), 0j)


def test_the_trie_sums_every_ngram_of_its_own_sentence_and_none_across_two() -> None:
    weights = {
        "ab": 1 + 0j,
        "abc": 2j,
        "bc": 4 + 0j,
        "c a": 8 + 0j,
        "abcab": 16 + 0j,
        " a": 32 + 0j,
    }
    tables = CharNgramTables(numpy, weights)
    padded = [" abc ", " abcab ", " x ", "  ", " cab "]
    sums = tables.sums(padded)
    assert sums == [_naive_char_sum(weights, text) for text in padded]
    # " abc " + " abc " laid end to end would hold "c a" (8) if windows crossed sentences.
    assert tables.sums([" abc ", " abc "]) == [32 + 1 + 2j + 4] * 2


def test_word_sums_count_pairs_within_a_sentence_only() -> None:
    weights = {"a": 1 + 0j, "b": 2 + 0j, "a b": 4 + 0j, "b a": 8 + 0j, "c": 16j}
    sums = WordTables(numpy, weights).sums([["a", "b"], [], ["a"], ["c", "a", "b"], []])
    # "b" then "a" across the first and third sentences is no pair: the 8 is never added.
    assert sums == [1 + 2 + 4, 0, 1, 16j + 1 + 2 + 4, 0]


def _naive_word_sum(weights: dict[str, complex], tokens: list[str]) -> complex:
    grams = tokens + [a + " " + b for a, b in pairwise(tokens)]
    return sum((weights.get(gram, 0j) for gram in grams), 0j)


def test_a_pair_counts_even_when_neither_of_its_words_counts_alone() -> None:
    # "x y" is in the model, "x" and "y" are not: the ids must still know both words.
    weights = {"x y": 1 + 0j, "a": 2 + 0j, "y a": 4j}
    tables = WordTables(numpy, weights)
    lists = [["x", "y", "a"], ["y", "x"], ["x"], ["q", "x", "y"]]
    assert tables.sums(lists) == [1 + 2 + 4j, 0, 0, 1 + 0j]


WORDS = st.sampled_from(["a", "b", "c", "the", "said", "0", ",", "unseen"])


@settings(max_examples=200)
@given(st.lists(st.lists(WORDS, max_size=8), max_size=10))
def test_word_tables_sum_what_a_naive_lookup_sums(lists: list[list[str]]) -> None:
    weights = {"a": 1 + 0j, "b": 2 + 1j, "a b": 4 + 0j, "b a": 8j, "the said": 16 + 0j, "0": 32j}
    assert WordTables(numpy, weights).sums(lists) == pytest.approx(
        [_naive_word_sum(weights, tokens) for tokens in lists], abs=1e-12
    )


@settings(max_examples=300)
@given(st.text() | st.text(alphabet=" aB7.\t\n\r\x0b\x0c\x1c\x1f\x7f", max_size=12))
def test_folding_ascii_as_bytes_gives_what_folding_the_string_gives(text: str) -> None:
    digits = str.maketrans("0123456789", "0000000000")
    for sample in (text, text.encode("ascii", "replace").decode("ascii")):
        assert fold(sample) == " ".join(sample.lower().translate(digits).split())


def test_no_tables_for_a_model_whose_ngrams_the_trie_cannot_hold() -> None:
    assert build({"abcdef": 1 + 0j}) is None
    assert build({"ab": 1 + 0j}) is not None


def test_without_numpy_the_scorer_keeps_its_pure_path_and_the_same_scores(
    tmp_path: Path,
) -> None:
    code = (
        "import json, sys; sys.modules['numpy'] = None\n"
        "from claims.extraction import extract, load_scorer\n"
        "text = open(sys.argv[1], encoding='utf-8').read()\n"
        "result = extract(text)\n"
        "print(json.dumps([load_scorer()._tables is None, [s.score for s in result.sentences]]))"
    )
    text = "\n\n".join(AWKWARD * 2)
    article = ROOT / "claims" / "demo"
    sample = next(iter(sorted(article.glob("*.txt"))))
    text += "\n\n" + sample.read_text("utf-8")
    path = tmp_path / "article.txt"
    path.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    pure, scores = json.loads(result.stdout)
    assert pure is True
    batch = [s.score for s in extract(text).sentences]
    assert len(batch) == len(scores) > BATCH_MINIMUM
    assert batch == pytest.approx(scores, abs=1e-12)


def test_a_scorer_built_without_tables_scores_like_one_with_them() -> None:
    scorer = load_scorer()
    plain = Scorer.__new__(Scorer)
    plain.__dict__.update(scorer.__dict__)
    plain._tables = None
    texts = AWKWARD * 2
    assert [s.value for s in plain.score_many(texts)] == pytest.approx(
        [s.value for s in scorer.score_many(texts)], abs=1e-12
    )
