"""Check-worthiness scoring: scores, reasons, the weights file and training."""

from __future__ import annotations

import csv
import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from claims.extraction import DEFAULT_THRESHOLD, ModelError, Score, load_scorer, score_sentence
from claims.extraction.scoring import DEFAULT_WEIGHTS, Scorer, read_model


def test_it_scores_a_sentence_between_zero_and_one_with_reasons() -> None:
    score = score_sentence("Unemployment fell to 4.1% in May, the lowest rate since 2001.")
    assert isinstance(score, Score)
    assert 0.0 <= score.value <= 1.0
    assert score.reasons[0] == "states a figure: 4.1%"


def test_a_statistical_claim_outscores_an_opinion() -> None:
    claim = score_sentence(
        "The state spent $4.2 billion on prisons last year, twice as much as in 2010."
    )
    opinion = score_sentence("I think we should all be proud of our great country.")
    assert claim.value > DEFAULT_THRESHOLD > opinion.value
    assert "an opinion: i think" in opinion.reasons


def test_it_names_the_source_a_sentence_attributes_its_content_to() -> None:
    score = score_sentence("Crime fell by a third, according to Police Commissioner Ana Ruiz.")
    assert "attributes to a named source: Police Commissioner Ana Ruiz" in score.reasons


def test_it_keeps_the_first_letter_of_a_lower_case_source_before_a_full_stop() -> None:
    # Regression: the full stop after the source shifted the name by one character
    # ("he county health board").
    score = score_sentence(
        "Flu admissions doubled to 320 in the week to 9 March, "
        "according to the county health board."
    )
    assert "attributes to a named source: the county health board" in score.reasons


def test_it_gives_a_reason_for_a_comparison() -> None:
    score = score_sentence("Our schools now receive more money than those of any other state.")
    assert any(reason.startswith("compares") for reason in score.reasons)


def test_a_question_is_marked_as_a_question() -> None:
    assert "a question" in score_sentence("Why would anyone vote for that?").reasons


def test_the_default_threshold_is_the_one_the_model_was_trained_with() -> None:
    assert load_scorer().threshold == DEFAULT_THRESHOLD


def test_the_bundled_model_is_calibrated_and_says_how() -> None:
    model = read_model(DEFAULT_WEIGHTS)
    assert model["calibration"]["a"] > 0
    training = model["metadata"]["training"]
    assert "groundtruth.csv" in training["c_chosen_on"]
    assert "Platt" in training["calibration"]


def test_it_scores_many_sentences_like_one_at_a_time() -> None:
    scorer = load_scorer()
    texts = ["Taxes rose 3%.", "Hello there.", ""]
    assert scorer.score_many(texts) == [scorer.score(text) for text in texts]


def test_the_default_model_is_loaded_once() -> None:
    assert load_scorer() is load_scorer()
    assert load_scorer(DEFAULT_WEIGHTS) is load_scorer()


def test_the_weights_file_is_small_plain_json_with_attribution() -> None:
    assert DEFAULT_WEIGHTS.stat().st_size < 5 * 1024 * 1024
    model = read_model(DEFAULT_WEIGHTS)
    attribution = model["metadata"]["attribution"]
    assert attribution["doi"] == "10.5281/zenodo.3609356"
    assert attribution["licence"] == "CC BY 4.0"
    assert "Arslan" in attribution["citation"]
    assert model["format"] == "factcheck-checkworthiness" and model["version"] == 2


def test_it_refuses_a_weights_file_that_is_not_a_model(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "something-else"}', encoding="utf-8")
    with pytest.raises(ModelError):
        load_scorer(broken)
    garbage = tmp_path / "garbage.json.gz"
    garbage.write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(ModelError):
        load_scorer(garbage)


def test_it_loads_plain_and_gzipped_json_alike(tmp_path: Path) -> None:
    model = read_model(DEFAULT_WEIGHTS)
    # The bundled model's format with a slice of its n-grams: the same reading, a 50th the work.
    for table in ("char", "word"):
        model[table] = dict(list(model[table].items())[:2000])
    plain = tmp_path / "model.json"
    plain.write_text(json.dumps(model), encoding="utf-8")
    zipped = tmp_path / "model.json.gz"
    zipped.write_bytes(gzip.compress(json.dumps(model).encode()))
    text = "Exports rose 12% to $3 billion."
    assert Scorer(read_model(plain)).score(text) == Scorer(read_model(zipped)).score(text)


def test_inference_imports_neither_django_nor_scikit_learn() -> None:
    code = (
        "import sys; from claims.extraction import extract; extract('Taxes rose 3%. Fine.');"
        "bad = [m for m in ('django', 'sklearn', 'scipy') if m in sys.modules];"
        "print(bad)"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def _write_tiny_corpus(folder: Path) -> None:
    for name, start in (("crowdsourced.csv", 0), ("groundtruth.csv", 100)):
        rows = []
        for number in range(start, start + 60):
            debate = f"debate-{number % 3}.txt"
            claim = f"The city spent {number + 3} million dollars on roads in 2019."
            rows.append((claim, "1", debate))
            rows.append((f"I think that is a wonderful idea number {number}.", "-1", debate))
            rows.append((f"We will talk about that later, friend {number}.", "0", debate))
        with (folder / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["Sentence_id", "Text", "Verdict", "File_id"])
            for index, (text, verdict, file_id) in enumerate(rows):
                writer.writerow([index, text, verdict, file_id])


def test_training_twice_gives_the_same_file(tmp_path: Path) -> None:
    # scikit-learn is a dev requirement (make test installs it): a missing one fails, not skips.
    from claims.extraction.training import train

    _write_tiny_corpus(tmp_path)
    first = train(tmp_path, tmp_path / "one.json.gz", c_grid=(1.0,))
    train(tmp_path, tmp_path / "two.json.gz", c_grid=(1.0,))
    assert (tmp_path / "one.json.gz").read_bytes() == (tmp_path / "two.json.gz").read_bytes()
    assert first.dev["f1"] > 0.9
    scorer = load_scorer(tmp_path / "one.json.gz")
    assert scorer.score("The city spent 8 million dollars on roads in 2019.").value > 0.5
    assert scorer.score("I think that is a wonderful idea.").value < 0.5


def test_the_threshold_is_the_lowest_that_reaches_the_target_precision() -> None:
    from claims.extraction.training import precise_threshold

    labels = [1, 1, 0, 1, 0, 0]
    scores = [0.95, 0.85, 0.75, 0.65, 0.35, 0.15]
    assert precise_threshold(labels, scores, target=1.0) == 0.8
    assert precise_threshold(labels, scores, target=0.75) == 0.4


def _plain_wording(scorer: Scorer, folded: str) -> complex:
    """Word and character n-gram sums the slow way: one lookup per n-gram."""
    from claims.extraction.features import char_ngrams, word_ngrams

    words, chars = word_ngrams(folded), char_ngrams(folded)
    word_sum = sum((scorer.word_weights.get(g, 0j) for g in words), 0j)
    char_sum = sum((scorer.char_weights.get(g, 0j) for g in chars), 0j)
    return word_sum / len(words) ** 0.5 + char_sum / len(chars) ** 0.5


@pytest.mark.parametrize(
    "text",
    [
        "Harbourton paid flood relief to 1,240 households.",
        "Zqxvbrunk Wolloppa said 48,213 frimbles were counted in Quarnoth.",
        "a",
        "I . a b c ! 12%",
    ],
)
def test_the_prefix_sums_give_the_sums_of_every_ngram(text: str) -> None:
    from claims.extraction.features import fold

    scorer = load_scorer()
    folded = fold(text)
    assert scorer._wording(folded) == pytest.approx(_plain_wording(scorer, folded), abs=1e-9)


def test_a_window_missing_from_the_prefix_sums_falls_back_to_its_longest_prefix() -> None:
    scorer = Scorer.__new__(Scorer)
    scorer.word_weights = {}
    scorer.char_weights = {"ab": 1 + 0j, "abc": 2 + 0j, "bc": 4 + 0j}
    # " abcx " holds "ab", "abc" and "bc"; the window "abcx " is not in the table, "abc" is.
    expected = complex(7 / _char_count(6) ** 0.5, 0)
    assert scorer._wording("abcx") == pytest.approx(expected)


def _char_count(length: int) -> int:
    return sum(max(0, length - n + 1) for n in range(2, 6))


def test_scoring_keeps_no_cache_of_what_it_has_seen() -> None:
    scorer = Scorer(read_model(DEFAULT_WEIGHTS))
    before = {name: len(value) for name, value in vars(scorer).items() if hasattr(value, "__len__")}
    scorer.score_many(["Taxes rose 3% in 2023, the ministry said.", "Qwerty zxcv 917 lorem."])
    after = {name: len(value) for name, value in vars(scorer).items() if hasattr(value, "__len__")}
    assert after == before
