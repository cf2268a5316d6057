"""Benchmark the extraction engine on the shared reference data (no Django needed).

Usage: ``python -m bench.extraction --data ../shared/data`` (or ``manage.py bench extraction``).

Reports:
1. segmentation: Golden Rules passed, precision/recall/F1 on GUM news, sentences per second
   on whole articles;
2. check-worthiness: precision/recall/F1 of the check-worthy class on ``groundtruth.csv`` with
   the committed weights, sentences scored per second;
3. the whole pipeline (segment, score, check consistency) on a 5,000-word article: median ms.

Other segmenters (pysbd, blingfire...) are measured beside ours when importable; otherwise the
reference figures from the data README are printed, labelled as reference.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from claims.extraction import extract, load_scorer, segment

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"

# From shared/data/README.md, measured on this machine: golden rules, GUM F1, sentences/s.
REFERENCE_FIGURES = {
    "pysbd 0.3.4": ("47/48", 0.879, 1_200),
    "sentencex 1.0.32": ("43/48", 0.886, 480_000),
    "blingfire 0.1.8": ("36/48", 0.935, 200_000),
    "syntok 1.4.4": ("34/48", 0.927, 5_000),
    "spaCy blank + sentencizer": ("25/48", 0.888, 19_000),
    "regex (?<=[.!?])\\s+": ("23/48", 0.887, 300_000),
}

Splitter = Callable[[str], list[str]]


def _ours(text: str) -> list[str]:
    return [s.text for s in segment(text)]


def golden_rules(data_dir: Path, split: Splitter = _ours) -> tuple[int, int, list[int]]:
    """Count Golden Rules whose whole expected list is reproduced exactly."""
    rules = json.loads((data_dir / "sentences" / "golden_rules_en.json").read_text("utf-8"))
    failed = [rule["id"] for rule in rules if split(rule["text"]) != rule["expected"]]
    return len(rules) - len(failed), len(rules), failed


def _squeezed_spans(sentences: list[str]) -> set[tuple[int, int]]:
    """Spans of sentences in the text with all whitespace removed."""
    spans = set()
    position = 0
    for sentence in sentences:
        length = len("".join(sentence.split()))
        if length:
            spans.add((position, position + length))
            position += length
    return spans


def gum_documents(data_dir: Path) -> list[tuple[str, list[str]]]:
    """GUM news articles as (text with paragraphs on their own lines, gold sentences)."""
    docs = json.loads((data_dir / "sentences" / "gum_news.json").read_text("utf-8"))
    result = []
    for doc in docs:
        text = "\n".join(p["text"] for p in doc["paragraphs"])
        gold = [s for p in doc["paragraphs"] for s in p["expected"]]
        result.append((text, gold))
    return result


def gum_scores(data_dir: Path, split: Splitter = _ours) -> dict[str, float]:
    """Precision, recall and F1 of predicted sentence spans against GUM gold spans."""
    true_positive = predicted = expected = 0
    for text, gold in gum_documents(data_dir):
        ours = _squeezed_spans(split(text))
        theirs = _squeezed_spans(gold)
        true_positive += len(ours & theirs)
        predicted += len(ours)
        expected += len(theirs)
    precision = true_positive / predicted if predicted else 0.0
    recall = true_positive / expected if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def _best_of(repeats: int, function: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def segmentation_speed(data_dir: Path, split: Splitter = _ours, repeats: int = 5) -> float:
    """Sentences per second on whole GUM articles, one process (best of ``repeats``)."""
    texts = [text for text, _ in gum_documents(data_dir)]
    count = sum(len(split(text)) for text in texts)

    def run_all() -> None:
        for text in texts:
            split(text)

    return count / _best_of(repeats, run_all)


def _read_checkworthiness(path: Path) -> tuple[list[str], list[int]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [row["Text"] for row in rows], [
        1 if row["Verdict"].strip() == "1" else 0 for row in rows
    ]


def checkworthiness_scores(data_dir: Path, weights: Path | None = None) -> dict[str, float]:
    """P/R/F1 of the check-worthy class on groundtruth.csv, and sentences scored per second."""
    scorer = load_scorer(weights)
    texts, labels = _read_checkworthiness(data_dir / "checkworthiness" / "groundtruth.csv")
    threshold = scorer.threshold
    predicted = [score.value >= threshold for score in scorer.score_many(texts)]
    true_positive = sum(1 for p, y in zip(predicted, labels, strict=True) if p and y)
    precision = true_positive / max(1, sum(predicted))
    recall = true_positive / max(1, sum(labels))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    seconds = _best_of(3, lambda: scorer.score_many(texts))
    values_only = _best_of(3, lambda: [scorer.value(text) for text in texts])
    training = scorer.metadata.get("training", {})
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "threshold": threshold,
        "dev_average_precision": training.get("dev", {}).get("average_precision"),
        "chosen_c": training.get("chosen_c"),
        "kept_ngrams": len(scorer.word_weights) + len(scorer.char_weights),
        "sentences_per_second": len(texts) / seconds,
        "values_per_second": len(texts) / values_only,
    }


def article_of_words(data_dir: Path, words: int = 5000) -> str:
    """A realistic article of about ``words`` words, from GUM news paragraphs."""
    paragraphs = [p for text, _ in gum_documents(data_dir) for p in text.split("\n")]
    chosen: list[str] = []
    count = 0
    index = 0
    while count < words:
        paragraph = paragraphs[index % len(paragraphs)]
        chosen.append(paragraph)
        count += len(paragraph.split())
        index += 1
    return "\n\n".join(chosen)


def pipeline_speed(data_dir: Path, repeats: int = 21) -> dict[str, float]:
    """Median milliseconds for extract() on a 5,000-word article."""
    article = article_of_words(data_dir)
    extract(article)  # warm the model cache
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        extract(article)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "words": float(len(article.split())),
        "median_ms": statistics.median(timings),
        "sentences": float(len(segment(article))),
    }


def _other_segmenters() -> dict[str, Splitter]:
    """Third-party segmenters that happen to be importable, as text splitters."""
    found: dict[str, Splitter] = {}
    try:
        pysbd: Any = importlib.import_module("pysbd")
        seg = pysbd.Segmenter(language="en", clean=False)
        found["pysbd"] = lambda text: [s.strip() for s in seg.segment(text) if s.strip()]
    except Exception:
        pass
    try:
        blingfire: Any = importlib.import_module("blingfire")
        found["blingfire"] = lambda text: [
            s for s in blingfire.text_to_sentences(text).split("\n") if s.strip()
        ]
    except Exception:
        pass
    return found


def run(data_dir: Path | str = DEFAULT_DATA, weights: Path | None = None) -> dict[str, Any]:
    """Measure everything and return the figures as a dictionary."""
    data = Path(data_dir)
    passed, total, failed = golden_rules(data)
    results: dict[str, Any] = {
        "segmentation": {
            "golden_rules_passed": passed,
            "golden_rules_total": total,
            "golden_rules_failed": failed,
            **gum_scores(data),
            "sentences_per_second": segmentation_speed(data),
        },
        "checkworthiness": checkworthiness_scores(data, weights),
        "pipeline": pipeline_speed(data),
        "others": {},
    }
    for name, split in _other_segmenters().items():
        other_passed, other_total, _ = golden_rules(data, split)
        results["others"][name] = {
            "golden_rules": f"{other_passed}/{other_total}",
            "f1": gum_scores(data, split)["f1"],
            "sentences_per_second": segmentation_speed(data, split, repeats=1),
        }
    return results


def format_report(results: dict[str, Any]) -> str:
    """Render benchmark figures as a plain-text report with the targets beside them."""
    seg = results["segmentation"]
    cw = results["checkworthiness"]
    pipe = results["pipeline"]
    lines = [
        "Segmentation (targets: >= 47/48 golden rules, GUM F1 >= 0.935, >= 200,000 sent/s)",
        f"  golden rules     {seg['golden_rules_passed']}/{seg['golden_rules_total']}"
        f"  failed: {seg['golden_rules_failed'] or 'none'}",
        f"  GUM news         P {seg['precision']:.3f}  R {seg['recall']:.3f}  F1 {seg['f1']:.3f}",
        f"  speed            {seg['sentences_per_second']:,.0f} sentences/s",
        "Check-worthiness on groundtruth.csv (targets: F1 >= 0.90, >= 20,000 sent/s)",
        f"  model            C={cw['chosen_c']} (chosen on dev AP {cw['dev_average_precision']}), "
        f"{cw['kept_ngrams']:,} n-gram weights; threshold {cw['threshold']:.3f}",
        f"  check-worthy     P {cw['precision']:.3f}  R {cw['recall']:.3f}  F1 {cw['f1']:.3f}",
        f"  speed (warm)     {cw['sentences_per_second']:,.0f} sentences/s in batches with "
        f"reasons, {cw['values_per_second']:,.0f} one at a time (value(), no numpy batch); "
        "cold figures: bench.ranking",
        "Pipeline (target: median < 50 ms on 5,000 words)",
        f"  extract()        {pipe['median_ms']:.1f} ms median for {pipe['words']:,.0f} words, "
        f"{pipe['sentences']:,.0f} sentences",
    ]
    if results["others"]:
        lines.append("Other segmenters, measured here")
        for name, figures in results["others"].items():
            lines.append(
                f"  {name:<26} golden {figures['golden_rules']:<6} GUM F1 {figures['f1']:.3f}  "
                f"{figures['sentences_per_second']:,.0f} sent/s"
            )
    else:
        lines.append("Other segmenters (reference figures from data/README.md, not measured)")
        for name, (golden, f1, speed) in REFERENCE_FIGURES.items():
            lines.append(f"  {name:<26} golden {golden:<6} GUM F1 {f1:.3f}  ~{speed:,} sent/s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: print the benchmark report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data directory")
    parser.add_argument("--weights", type=Path, default=None, help="model weights file")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    args = parser.parse_args(argv)
    results = run(args.data, args.weights)
    print(json.dumps(results, indent=2) if args.json else format_report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
