"""The Spanish/English probe is well formed and bench/spanish.py measures it correctly."""

from __future__ import annotations

import pytest

from bench import spanish

POSITIVE_KINDS = frozenset(
    ("figure", "record", "source_statement", "causal", "comparative", "short_assertion")
)
NEGATIVE_KINDS = frozenset(
    ("opinion", "promise", "question", "greeting", "imperative", "conditional", "unimportant")
)


def test_the_probe_is_parallel_labelled_and_has_no_duplicates() -> None:
    pairs = spanish.load_probe()
    assert 150 <= len(pairs) <= 200
    for pair in pairs:
        assert set(pair) == {"en", "es", "label", "kind"}
        assert pair["label"] in (0, 1)
        assert pair["en"].strip() and pair["es"].strip() and pair["en"] != pair["es"]
        assert pair["kind"] in (POSITIVE_KINDS if pair["label"] else NEGATIVE_KINDS)
        if pair["kind"] == "question":
            assert pair["en"].endswith("?") and "¿" in pair["es"] and pair["es"].endswith("?")
    for language in ("en", "es"):
        texts = [pair[language].casefold() for pair in pairs]
        assert len(set(texts)) == len(texts), f"duplicate {language} sentence"
    share = sum(pair["label"] for pair in pairs) / len(pairs)
    assert 0.3 <= share <= 0.5


def test_figures_on_a_three_sentence_toy() -> None:
    labels, values = [1, 0, 1], [0.9, 0.2, 0.4]
    result = spanish.figures(labels, values, 0.5, resamples=200)
    # Flagged: the 0.9 sentence only; one of two check-worthy sentences found.
    assert (result["flagged"], result["true_positives"], result["check_worthy"]) == (1, 1, 2)
    assert result["precision"] == 1.0 and result["recall"] == 0.5
    assert result["f1"] == pytest.approx(2 / 3, abs=1e-4)
    # Both check-worthy sentences rank above the other one: a perfect ranking.
    assert result["average_precision"] == 1.0
    low, high = result["f1_interval"]
    assert 0.0 <= low <= high <= 1.0 and low < high
    # Lower the cut below 0.4: every decision is right, so every resample has F1 1.
    perfect = spanish.figures(labels, values, 0.3, resamples=200)
    assert (perfect["f1"], perfect["f1_interval"]) == (1.0, (1.0, 1.0))
    # The interval is reproducible (fixed seed).
    assert spanish.figures(labels, values, 0.5, resamples=200)["f1_interval"] == (low, high)


def test_figures_refuses_mismatched_input() -> None:
    with pytest.raises(ValueError):
        spanish.figures([1, 0], [0.5], 0.5)
