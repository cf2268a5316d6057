"""The training and benchmark management commands, run end to end on tiny generated data.

`extract_claims` and `seed_demo` have their own files (test_extract_claims_command.py,
test_seed_demo.py). Everything here reads and writes under tmp_path only: the committed weights
are never overwritten, and no shared data is needed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from claims.extraction import load_scorer
from claims.extraction.scoring import DEFAULT_WEIGHTS

GOLDEN_RULES = [
    {
        "id": 1,
        "rule": "Simple period to end sentence",
        "text": "Hello World. My name is Jonas.",
        "expected": ["Hello World.", "My name is Jonas."],
    },
    {
        "id": 2,
        "rule": "Question mark to end sentence",
        "text": "What is your name? My name is Jonas.",
        "expected": ["What is your name?", "My name is Jonas."],
    },
    {
        "id": 3,
        "rule": "Number with a decimal point",
        "text": "The price rose by 4.5 percent. Buyers were unhappy.",
        "expected": ["The price rose by 4.5 percent.", "Buyers were unhappy."],
    },
]
GUM_NEWS = [
    {
        "doc": "tiny_news_council",
        "paragraphs": [
            {"text": "Council approves budget", "expected": ["Council approves budget"]},
            {
                "text": "The council approved 533 new homes on Monday. It also cut bus fares.",
                "expected": [
                    "The council approved 533 new homes on Monday.",
                    "It also cut bus fares.",
                ],
            },
        ],
    },
    {
        "doc": "tiny_news_weather",
        "paragraphs": [
            {
                "text": "Rain fell for 12 days in a row. Farmers said crops were lost.",
                "expected": ["Rain fell for 12 days in a row.", "Farmers said crops were lost."],
            }
        ],
    },
]
CHECK_WORTHY = "The city spent {n} million dollars on roads in 2019."
NOT_FACTUAL = "I think that is a wonderful idea number {n}."
UNIMPORTANT = "We will talk about that later, friend {n}."


def _write_crowdsourced(folder: Path, debates: int = 5, per_debate: int = 12) -> None:
    """A ClaimBuster-shaped crowdsourced.csv (three classes, `debates` File_id groups) and the
    groundtruth.csv that training tunes on."""
    _write_groundtruth(folder / "groundtruth.csv")
    with (folder / "crowdsourced.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Sentence_id", "Text", "Verdict", "File_id"])
        index = 0
        for number in range(debates * per_debate):
            debate = f"debate-{number % debates}.txt"
            for template, verdict in ((CHECK_WORTHY, 1), (NOT_FACTUAL, -1), (UNIMPORTANT, 0)):
                writer.writerow([index, template.format(n=number + 3), verdict, debate])
                index += 1


def _write_groundtruth(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Sentence_id", "Text", "File_id", "Verdict"])
        for number in range(10):
            writer.writerow([number, CHECK_WORTHY.format(n=number + 40), "gt.txt", 1])
            writer.writerow([100 + number, NOT_FACTUAL.format(n=number), "gt.txt", -1])


@pytest.fixture
def shared_data(tmp_path: Path) -> Path:
    """A tiny copy of the ../shared/data layout the bench reads."""
    root = tmp_path / "data"
    (root / "sentences").mkdir(parents=True)
    (root / "checkworthiness").mkdir()
    (root / "sentences" / "golden_rules_en.json").write_text(json.dumps(GOLDEN_RULES), "utf-8")
    (root / "sentences" / "gum_news.json").write_text(json.dumps(GUM_NEWS), "utf-8")
    _write_groundtruth(root / "checkworthiness" / "groundtruth.csv")
    return root


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- train_checkworthiness ---------------------------------------------------------------------


def test_training_writes_a_model_that_scores_as_it_learned(tmp_path: Path) -> None:
    committed = _sha(DEFAULT_WEIGHTS)
    _write_crowdsourced(tmp_path)
    out = tmp_path / "model.json.gz"
    output = _run("train_checkworthiness", "--data", str(tmp_path), "--out", str(out))
    assert "Trained on 180 sentences (60 check-worthy)." in output
    assert f"wrote {out}" in output
    scorer = load_scorer(out)
    assert scorer.score(CHECK_WORTHY.format(n=8)).value > 0.5
    assert scorer.score("I think that is a wonderful idea.").value < 0.5
    assert _sha(DEFAULT_WEIGHTS) == committed  # the committed weights are untouched


def test_training_without_the_data_file_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"crowdsourced\.csv not found"):
        _run("train_checkworthiness", "--data", str(tmp_path), "--out", str(tmp_path / "m.gz"))
    assert not (tmp_path / "m.gz").exists()


def test_training_on_too_few_debates_fails_with_the_reason(tmp_path: Path) -> None:
    _write_crowdsourced(tmp_path, debates=1)
    with pytest.raises(CommandError, match="at least 2 debates"):
        _run("train_checkworthiness", "--data", str(tmp_path), "--out", str(tmp_path / "m.gz"))
    assert not (tmp_path / "m.gz").exists()


# --- bench -------------------------------------------------------------------------------------


def test_the_bench_measures_every_figure_on_tiny_data(shared_data: Path) -> None:
    results = json.loads(_run("bench", "extraction", "--data", str(shared_data), "--json"))
    segmentation = results["segmentation"]
    assert segmentation["golden_rules_total"] == len(GOLDEN_RULES)
    assert segmentation["golden_rules_passed"] == len(GOLDEN_RULES)
    assert segmentation["golden_rules_failed"] == []
    assert segmentation["f1"] == pytest.approx(1.0)  # these few sentences are easy
    assert segmentation["sentences_per_second"] > 0
    checkworthiness = results["checkworthiness"]
    assert 0.0 <= checkworthiness["precision"] <= 1.0 and 0.0 <= checkworthiness["f1"] <= 1.0
    assert checkworthiness["recall"] == pytest.approx(1.0)  # plain figures are check-worthy
    assert checkworthiness["sentences_per_second"] > 0
    pipeline = results["pipeline"]
    assert pipeline["words"] >= 5000 and pipeline["median_ms"] > 0


def test_the_bench_prints_a_report_with_its_targets(shared_data: Path, tmp_path: Path) -> None:
    model = tmp_path / "model.json.gz"
    _write_crowdsourced(tmp_path)
    _run("train_checkworthiness", "--data", str(tmp_path), "--out", str(model))
    report = _run("bench", "extraction", "--data", str(shared_data), "--weights", str(model))
    assert f"golden rules     {len(GOLDEN_RULES)}/{len(GOLDEN_RULES)}  failed: none" in report
    assert "GUM news" in report and "Check-worthiness on groundtruth.csv" in report
    assert "extract()" in report and "ms median" in report


def test_the_bench_without_data_says_which_folder_is_missing(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"has no sentences/ folder"):
        _run("bench", "extraction", "--data", str(tmp_path))
