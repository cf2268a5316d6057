"""Probe check-worthiness in Spanish beside English on our own parallel sentences.

Usage: ``python -m bench.spanish`` (run by ``make bench-extraction``).

There is no public Spanish check-worthiness data in ../shared/data, so the team wrote
``bench/data/checkworthiness_probe.json``: 160 pairs, each the same sentence in English and in
natural Spanish, labelled by hand by ClaimBuster's definition before any model scored them
(see the file's ``about``). For each language it prints, for stage 1 (the scorer at its own
threshold) and for stage 2 when it is installed (the head's threshold): precision, recall and
F1 of the check-worthy class, a 95% bootstrap interval of F1 (pairs resampled, fixed seed),
average precision, the sentences flagged, how often the two languages' decisions agree, and
the sentences flagged per kind. Thresholds are the models' own: nothing is tuned on the probe.
It is a probe, not a benchmark: 160 sentences by one team, so the intervals are wide.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from claims.extraction import stage2
from claims.extraction.scoring import load_scorer
from claims.extraction.training import classification_figures

PROBE = Path(__file__).resolve().parent / "data" / "checkworthiness_probe.json"
LANGUAGES = ("en", "es")
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20261202


def load_probe(path: Path = PROBE) -> list[dict[str, Any]]:
    """The probe's pairs: dicts with ``en``, ``es``, ``label`` (0 or 1) and ``kind``."""
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    return list(document["pairs"])


def _f1(labels: Sequence[int], predicted: Sequence[bool]) -> float | None:
    """F1 of the positive class; None when there is no positive and nothing flagged."""
    true_positive = sum(1 for p, y in zip(predicted, labels, strict=True) if p and y)
    flagged, positive = sum(predicted), sum(labels)
    return 2 * true_positive / (flagged + positive) if flagged + positive else None


def f1_interval(
    labels: Sequence[int],
    values: Sequence[float],
    threshold: float,
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> tuple[float, float]:
    """A 95% percentile bootstrap interval of F1 at ``threshold`` (sentences resampled).

    Resamples with no check-worthy sentence and nothing flagged (F1 undefined) are skipped.
    """
    predicted = [value >= threshold for value in values]
    rng = random.Random(seed)
    size = len(labels)
    scores = []
    for _ in range(resamples):
        picks = [rng.randrange(size) for _ in range(size)]
        score = _f1([labels[i] for i in picks], [predicted[i] for i in picks])
        if score is not None:
            scores.append(score)
    if not scores:
        return 0.0, 0.0
    scores.sort()
    last = len(scores) - 1
    return scores[round(0.025 * last)], scores[round(0.975 * last)]


def figures(
    labels: Sequence[int],
    values: Sequence[float],
    threshold: float,
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> dict[str, Any]:
    """Counts, P/R/F1 at ``threshold``, its F1 interval and average precision of one run."""
    if len(labels) != len(values) or not labels:
        raise ValueError("one score per label, and at least one label")
    measured = classification_figures(labels, values, threshold)
    flagged = sum(1 for value in values if value >= threshold)
    return {
        "sentences": len(labels),
        "check_worthy": sum(labels),
        "flagged": flagged,
        "true_positives": sum(
            1 for value, label in zip(values, labels, strict=True) if label and value >= threshold
        ),
        "threshold": threshold,
        "precision": measured["precision"],
        "recall": measured["recall"],
        "f1": measured["f1"],
        "f1_interval": f1_interval(labels, values, threshold, resamples=resamples, seed=seed),
        "average_precision": measured["average_precision"],
    }


def _report(
    name: str,
    pairs: list[dict[str, Any]],
    score: Callable[[list[str]], list[float]],
    threshold: float,
) -> None:
    """Print one stage's figures for both languages, their agreement and flags per kind."""
    labels = [int(pair["label"]) for pair in pairs]
    print(f"  {name} (threshold {threshold:.3f}, the model's own)")
    decisions: dict[str, list[bool]] = {}
    for language in LANGUAGES:
        values = score([pair[language] for pair in pairs])
        result = figures(labels, values, threshold)
        low, high = result["f1_interval"]
        decisions[language] = [value >= threshold for value in values]
        print(
            f"    {language}: P {result['precision']:.3f} R {result['recall']:.3f} "
            f"F1 {result['f1']:.3f} (95% CI {low:.3f}-{high:.3f}) "
            f"AP {result['average_precision']:.3f}; flagged {result['flagged']}"
            f"/{result['sentences']} ({result['true_positives']} of {result['check_worthy']}"
            " check-worthy)"
        )
    agree = sum(1 for a, b in zip(decisions["en"], decisions["es"], strict=True) if a == b)
    print(f"    en/es decisions agree on {agree}/{len(pairs)} pairs")
    for label, heading in ((1, "check-worthy"), (0, "not check-worthy")):
        kinds: dict[str, list[int]] = {}
        for index, pair in enumerate(pairs):
            if int(pair["label"]) != label:
                continue
            tally = kinds.setdefault(str(pair["kind"]), [0, 0, 0])
            tally[0] += decisions["en"][index]
            tally[1] += decisions["es"][index]
            tally[2] += 1
        print(
            f"    flagged en/es of n, {heading}: "
            + ", ".join(f"{kind} {en}/{es} of {n}" for kind, (en, es, n) in kinds.items())
        )


def run(probe: Path = PROBE) -> None:
    """Print stage 1's (and, when installed, stage 2's) figures on the probe in both languages."""
    pairs = load_probe(probe)
    positives = sum(int(pair["label"]) for pair in pairs)
    print(
        f"Spanish/English check-worthiness probe ({probe.name}): {len(pairs)} pairs, "
        f"{positives} check-worthy"
    )
    print(
        f"  caveat: {len(pairs)} pairs written and labelled by the team; a probe, not a "
        f"benchmark; intervals are wide (bootstrap, {BOOTSTRAP_RESAMPLES} resamples, "
        f"seed {BOOTSTRAP_SEED})"
    )
    scorer = load_scorer()
    _report("stage 1", pairs, lambda texts: [scorer.value(t) for t in texts], scorer.threshold)
    if not stage2.available():
        print("  stage 2 not installed (make stage2); stage 1 only")
        return
    try:
        threshold = stage2.read_head().threshold
        _report("stage 2", pairs, lambda texts: stage2.rerank(texts), threshold)
    except (stage2.HeadError, ImportError, OSError) as error:
        print(f"  stage 2 could not run here: {error}")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: print the probe's figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--probe", type=Path, default=PROBE, help="probe file (JSON)")
    args = parser.parse_args(argv)
    run(args.probe)
    return 0


if __name__ == "__main__":
    sys.exit(main())
