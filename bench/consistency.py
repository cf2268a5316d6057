"""Benchmark the consistency checks: false flags on real news and web text, hits on our suite.

Usage: ``python -m bench.consistency --data ../shared/data``.

Reports:
1. flags raised on every GUM news document and every EWT dev document (gold sentences, one
   document at a time): these texts are consistent, so every flag is a false flag (target 0);
2. an extra stress test, same target: the US presidential debates of the check-worthiness data
   (``checkworthiness/crowdsourced.csv``), 40 consecutive sentences of one speaker at a time;
3. our own suite (``bench/data/consistency_suite.json``, sentences written by the team): short
   documents with a true contradiction (a hit expected) and consistent traps (subsets, ranges,
   "up to", unit conversions, other events, sub-bases, rounding, other dates): hits, misses and
   false flags (target 0).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

from claims.extraction.consistency import Flag, check_consistency
from claims.extraction.segmentation import segment

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
SUITE = Path(__file__).resolve().parent / "data" / "consistency_suite.json"
CORPORA = ("gum_news.json", "ewt_dev.json")


def _document_sentences(document: dict[str, Any]) -> list[str]:
    """The gold sentences of a shared-data document, in order."""
    return [sentence for paragraph in document["paragraphs"] for sentence in paragraph["expected"]]


def corpus_flags(data_dir: Path) -> dict[str, list[tuple[str, Flag, list[str]]]]:
    """Every flag raised on each corpus: (document id, flag, the sentences it names)."""
    found: dict[str, list[tuple[str, Flag, list[str]]]] = {}
    for name in CORPORA:
        documents = json.loads((data_dir / "sentences" / name).read_text("utf-8"))
        found[name] = []
        for document in documents:
            sentences = _document_sentences(document)
            for flag in check_consistency(sentences):
                named = [sentences[i] for i in flag.sentence_indexes]
                found[name].append((document["doc"], flag, named))
    return found


DEBATE_WINDOW = 40


def debate_flags(data_dir: Path) -> tuple[int, list[tuple[str, Flag, list[str]]]]:
    """Windows checked and flags raised on the debates, one speaker's turns in order."""
    path = data_dir / "checkworthiness" / "crowdsourced.csv"
    if not path.is_file():
        return 0, []
    turns: dict[tuple[str, str], list[tuple[int, str]]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            turns.setdefault((row["File_id"], row["Speaker"]), []).append(
                (int(row["Line_number"]), row["Text"])
            )
    windows = 0
    found: list[tuple[str, Flag, list[str]]] = []
    for (debate, speaker), lines in turns.items():
        texts = [text for _, text in sorted(lines)]
        for start in range(0, len(texts), DEBATE_WINDOW):
            window = texts[start : start + DEBATE_WINDOW]
            windows += 1
            for flag in check_consistency(window):
                named = [window[i] for i in flag.sentence_indexes]
                found.append((f"{debate} {speaker}", flag, named))
    return windows, found


def _print_flags(flags: list[tuple[str, Flag, list[str]]]) -> None:
    for doc, flag, named in flags:
        print(f"    {doc}: [{flag.kind}/{flag.severity}] {flag.arithmetic}")
        for sentence in named:
            print(f"      | {sentence[:160]}")


def suite_results(suite: Path = SUITE) -> dict[str, Any]:
    """Hits, misses and false flags of the checks on our own suite of short documents."""
    cases = json.loads(suite.read_text("utf-8"))
    hits: list[str] = []
    misses: list[str] = []
    false_flags: list[tuple[str, list[Flag]]] = []
    for case in cases:
        language = case.get("language", "en")
        sentences = [s.text for s in segment(case["text"], language)]
        flags = check_consistency(sentences, language=language)
        expected = case.get("expect")
        if expected is None:
            if flags:
                false_flags.append((case["id"], flags))
            continue
        matching = [
            f
            for f in flags
            if f.kind == expected["kind"]
            and f.severity == expected.get("severity", "contradiction")
        ]
        (hits if matching else misses).append(case["id"])
        if len(flags) > len(matching):
            false_flags.append((case["id"], [f for f in flags if f not in matching]))
    return {
        "cases": len(cases),
        "expected_hits": sum(1 for c in cases if c.get("expect") is not None),
        "traps": sum(1 for c in cases if c.get("expect") is None),
        "hits": hits,
        "misses": misses,
        "false_flags": false_flags,
    }


def run(data_dir: Path) -> None:
    """Print the flags on GUM news and EWT dev (target 0) and the suite's hits and false flags."""
    print("Consistency checks (target: 0 flags on GUM news and EWT dev, 0 false flags on suite)")
    for name, flags in corpus_flags(Path(data_dir)).items():
        print(f"  {name:<16} {len(flags)} flags")
        _print_flags(flags)
    windows, debates = debate_flags(Path(data_dir))
    if windows:
        print(f"  debates (extra)  {len(debates)} flags on {windows} windows of {DEBATE_WINDOW}")
        _print_flags(debates)
    results = suite_results()
    print(
        f"  own suite        {len(results['hits'])}/{results['expected_hits']} hits, "
        f"{len(results['false_flags'])} false flags "
        f"({results['traps']} consistent traps, {results['cases']} cases)"
    )
    for case_id in results["misses"]:
        print(f"    missed: {case_id}")
    for case_id, flags in results["false_flags"]:
        for flag in flags:
            print(f"    false flag: {case_id}: [{flag.kind}/{flag.severity}] {flag.arithmetic}")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: print the consistency report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data directory")
    args = parser.parse_args(argv)
    run(args.data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
