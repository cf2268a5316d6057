"""Benchmark the sentence segmenter on news and on informal web text (no Django needed).

Usage: ``python -m bench.segmentation --data ../shared/data``.

Prints, for our segmenter and beside it the reference tools that are importable (pysbd,
blingfire; the one-line regex ``(?<=[.!?])\\s+`` always):
1. Golden Rules passed (exact match of each rule's whole list);
2. GUM news: span precision/recall/F1, whitespace ignored (as ``bench.extraction``);
3. EWT dev (web forums, e-mail, reviews, answers): the same span figures over whole documents,
   and the boundary F1 inside paragraphs (each paragraph segmented on its own; the boundaries
   between its sentences scored, the paragraph's end not counted, as it is given).

As in shared/data/README.md, the other tools get each paragraph on its own line by line; ours
gets the whole document, paragraphs joined by line breaks, as it handles line breaks itself.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bench.extraction import (
    DEFAULT_DATA,
    REFERENCE_FIGURES,
    Splitter,
    _other_segmenters,
    _squeezed_spans,
    golden_rules,
)
from claims.extraction import segment

_REGEX = re.compile(r"(?<=[.!?])\s+")

Document = tuple[str, list[list[str]], list[str]]  # text, gold per paragraph, paragraph texts


def _ours(text: str) -> list[str]:
    return [s.text for s in segment(text)]


def _regex(text: str) -> list[str]:
    return [part for part in _REGEX.split(text) if part.strip()]


def _line_by_line(split: Splitter) -> Splitter:
    """A peer gets each line on its own, as in the data README."""
    return lambda text: [s for line in text.split("\n") for s in split(line)]


def documents(data_dir: Path, name: str) -> list[Document]:
    """A data set's documents: paragraphs joined by line breaks, gold sentences per paragraph."""
    docs = json.loads((data_dir / "sentences" / name).read_text("utf-8"))
    return [
        (
            "\n".join(p["text"] for p in doc["paragraphs"]),
            [p["expected"] for p in doc["paragraphs"]],
            [p["text"] for p in doc["paragraphs"]],
        )
        for doc in docs
    ]


def _prf(true_positive: int, predicted: int, expected: int) -> dict[str, float]:
    precision = true_positive / predicted if predicted else 0.0
    recall = true_positive / expected if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def span_scores(docs: Iterable[Document], split: Splitter) -> dict[str, float]:
    """P/R/F1 of predicted sentence spans against gold spans over whole documents."""
    true_positive = predicted = expected = 0
    for text, gold, _ in docs:
        ours = _squeezed_spans(split(text))
        theirs = _squeezed_spans([s for paragraph in gold for s in paragraph])
        true_positive += len(ours & theirs)
        predicted += len(ours)
        expected += len(theirs)
    return _prf(true_positive, predicted, expected)


def _inner_boundaries(sentences: list[str]) -> set[int]:
    ends = {end for _, end in _squeezed_spans(sentences)}
    if ends:
        ends.discard(max(ends))
    return ends


def boundary_scores(docs: Iterable[Document], split: Splitter) -> dict[str, float]:
    """P/R/F1 of the boundaries between sentences inside each paragraph."""
    true_positive = predicted = expected = 0
    for _, gold, paragraphs in docs:
        for text, expected_sentences in zip(paragraphs, gold, strict=True):
            ours = _inner_boundaries(split(text))
            theirs = _inner_boundaries(expected_sentences)
            true_positive += len(ours & theirs)
            predicted += len(ours)
            expected += len(theirs)
    return _prf(true_positive, predicted, expected)


def measure(data_dir: Path, split: Splitter, *, whole: Splitter | None = None) -> dict[str, Any]:
    """Every figure for one segmenter; ``whole`` splits whole documents (default ``split``)."""
    whole = whole or split
    passed, total, failed = golden_rules(data_dir, split)
    gum = documents(data_dir, "gum_news.json")
    ewt = documents(data_dir, "ewt_dev.json")
    return {
        "golden_rules": f"{passed}/{total}",
        "golden_rules_failed": failed,
        "gum_span": span_scores(gum, whole),
        "gum_boundary": boundary_scores(gum, split),
        "ewt_span": span_scores(ewt, whole),
        "ewt_boundary": boundary_scores(ewt, split),
    }


def run(data_dir: Path) -> None:
    """Print Golden Rules, GUM news F1 and EWT dev F1 for ours and the importable peers."""
    data = Path(data_dir)
    rows: dict[str, dict[str, Any]] = {"ours": measure(data, _ours)}
    peers: dict[str, Splitter] = {"regex (?<=[.!?])\\s+": _regex, **_other_segmenters()}
    for name, split in peers.items():
        rows[name] = measure(data, split, whole=_line_by_line(split))
    print("Sentence segmentation (targets: >= 47/48 golden rules, GUM span F1 >= 0.935)")
    print(
        f"  {'segmenter':<24} {'golden':<7} {'GUM span F1':>11} {'GUM bound.':>10} "
        f"{'EWT span F1':>11} {'EWT bound.':>10}"
    )
    for name, figures in rows.items():
        print(
            f"  {name:<24} {figures['golden_rules']:<7} "
            f"{figures['gum_span']['f1']:>11.3f} {figures['gum_boundary']['f1']:>10.3f} "
            f"{figures['ewt_span']['f1']:>11.3f} {figures['ewt_boundary']['f1']:>10.3f}"
        )
    ours = rows["ours"]
    print(f"  ours: golden rules failed {ours['golden_rules_failed'] or 'none'}")
    for key, label in (("ewt_span", "EWT span"), ("ewt_boundary", "EWT boundary")):
        scores = ours[key]
        print(
            f"  ours {label:<13} P {scores['precision']:.3f}  R {scores['recall']:.3f}"
            f"  F1 {scores['f1']:.3f}"
        )
    print("  not installed here, reference figures from data/README.md (GUM span F1):")
    for name, (golden, f1, _) in REFERENCE_FIGURES.items():
        if not name.startswith("regex") and name.split()[0] not in rows:
            print(f"    {name:<26} golden {golden:<6} GUM F1 {f1:.3f}")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: print the segmentation report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data directory")
    args = parser.parse_args(argv)
    run(args.data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
