"""The extract_claims management command: output formats and clear errors on bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ARTICLE = (
    "Council approves budget\n"
    "The council approved 533 new homes on Monday, according to Mayor Ana Ruiz. "
    "It approved another 103 on Tuesday, then 177 on Friday. "
    "In all, 910 homes were approved. "
    "I think we should celebrate."
)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("extract_claims", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def article_file(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def test_it_prints_candidates_with_offsets_scores_reasons_and_flags(article_file: Path) -> None:
    output = run(str(article_file))
    assert "CANDIDATE" in output
    assert "states a figure: 533" in output
    assert "FLAG sum" in output
    assert "533 + 103 + 177 = 813, but the stated total is 910" in output
    assert "I think we should celebrate." not in output


def test_it_prints_every_sentence_as_json_with_all(article_file: Path) -> None:
    payload = json.loads(run(str(article_file), "--format", "json", "--all"))
    [document] = payload["documents"]
    sentences = document["sentences"]
    assert [s["index"] for s in sentences] == list(range(len(sentences)))
    for sentence in sentences:
        assert ARTICLE[sentence["start"] : sentence["end"]] == sentence["text"]
        assert 0.0 <= sentence["score"] <= 1.0
    assert sentences[0]["text"] == "Council approves budget"
    assert document["flags"][0]["kind"] == "sum"
    assert document["flags"][0]["sentence_indexes"] == [1, 2, 3]


def test_a_threshold_of_one_keeps_no_candidates(article_file: Path) -> None:
    payload = json.loads(run(str(article_file), "--format", "json", "--threshold", "1"))
    assert payload["documents"][0]["sentences"] == []


def test_it_treats_each_line_as_a_document_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "lines.txt"
    path.write_text("Unemployment fell to 4.1% in May.\n\nWhat a lovely day!\n", encoding="utf-8")
    payload = json.loads(run(str(path), "--lines", "--all", "--format", "json"))
    assert [d["line"] for d in payload["documents"]] == [1, 3]
    assert payload["documents"][0]["sentences"][0]["start"] == 0


def test_it_reads_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(b"Exports rose 12% in 2024."), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", stdin)
    assert "Exports rose 12% in 2024." in run("-", "--all")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"  \n\t ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("Caf\u00e9 prices rose.".encode("latin-1"), "not UTF-8"),
    ],
)
def test_it_rejects_bad_input_with_a_clear_error(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "input.txt"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run(str(path))


def test_it_rejects_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        run(str(tmp_path / "missing.txt"))


def test_it_rejects_a_threshold_outside_zero_to_one(article_file: Path) -> None:
    with pytest.raises(CommandError, match="between 0 and 1"):
        run(str(article_file), "--threshold", "1.5")
