"""`manage.py import_articles`: files and folders in, a summary out, and nothing twice."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from claims.models import Article
from tests.documents import build_docx, build_pdf, text_content
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BUDGET = (
    "Harbour budget\n\nThe council will spend 12 million pounds on the harbour walls in 2027, "
    "up from 9 million this year, the finance committee said on Tuesday.\n"
)


def _newsroom_folder(root: Path) -> Path:
    """A folder of our own stories in every accepted type, a bad file, and a hidden one."""
    (root / "desk" / "wire").mkdir(parents=True)
    (root / "desk" / ".drafts").mkdir()
    (root / "desk" / "budget.txt").write_text(BUDGET, encoding="utf-8")
    (root / "desk" / "ferry.md").write_text(
        "# Ferry numbers\n\nThe ferry carried 41,000 passengers in 2026, the operator said.\n",
        encoding="utf-8",
    )
    (root / "desk" / "wire" / "school.html").write_text(
        "<html><head><title>School roof</title></head><body><p>The school roof repair cost "
        "340,000 pounds, twice the estimate given in March.</p></body></html>",
        encoding="utf-8",
    )

    def fill(document: Any) -> None:
        document.core_properties.title = "Bridge survey"
        document.add_paragraph("The survey found 14 cracks in the eastern span of the bridge.")

    (root / "desk" / "wire" / "bridge.docx").write_bytes(build_docx(fill))
    (root / "desk" / "wire" / "parking.pdf").write_bytes(
        build_pdf(
            [text_content("Parking fines rose to 2.1 million pounds in 2026,")],
            title="Parking fines",
        )
    )
    (root / "desk" / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    (root / "desk" / ".drafts" / "unfinished.txt").write_text("Not ready.", encoding="utf-8")
    return root / "desk"


def _run(*args: str) -> tuple[str, str, int]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_articles", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit:
        code = int(exit.code or 0)
    return out.getvalue(), err.getvalue(), code


def test_a_folder_is_imported_once_with_a_summary_and_each_refusal_explained(
    tmp_path: Path,
) -> None:
    folder = _newsroom_folder(tmp_path)
    out, _, code = _run(str(folder))
    assert code == 1  # one file was refused
    assert "6 files: 5 imported, 0 unchanged (already in the desk), 1 refused." in out
    assert f"refused {folder / 'photo.txt'}:" in out and "PNG" in out
    assert sorted(Article.objects.values_list("title", flat=True)) == [
        "Bridge survey",
        "Ferry numbers",
        "Harbour budget",
        "Parking fines",
        "School roof",
    ]
    parking = Article.objects.get(title="Parking fines")
    assert parking.body.startswith("Parking fines rose to 2.1 million pounds")
    assert parking.import_method == Article.ImportMethod.UPLOAD and parking.claims.exists()
    assert not Article.objects.filter(body__contains="Not ready").exists()

    again, _, code = _run(str(folder))
    assert "6 files: 0 imported, 5 unchanged (already in the desk), 1 refused." in again
    assert Article.objects.count() == 5 and code == 1


def test_files_are_named_one_by_one_and_the_importer_is_recorded(tmp_path: Path) -> None:
    user = UserFactory(username="archivist", role="Editor")
    story = tmp_path / "budget.txt"
    story.write_text(BUDGET, encoding="utf-8")
    out, _, code = _run(str(story), "--user", "archivist")
    assert code == 0 and "1 files: 1 imported" in out
    article = Article.objects.get()
    assert article.created_by == user
    assert article.history.get().history_change_reason == (
        "imported by manage.py import_articles from budget.txt"
    )


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path: Path, settings: Any) -> None:
    settings.FACTCHECK_MAX_UPLOAD_BYTES = 100
    story = tmp_path / "long.txt"
    story.write_text(BUDGET * 3, encoding="utf-8")
    out, _, code = _run(str(story))
    assert code == 1 and "the limit is 0.0 MB" in out and not Article.objects.exists()


def test_the_progress_bar_counts_every_file(tmp_path: Path) -> None:
    folder = _newsroom_folder(tmp_path)
    _, err, _ = _run(str(folder), "--progress")
    frames = err.split("\r")[1:]
    assert len(frames) == 6
    assert frames[-1].startswith("[" + "#" * 30 + "] 6/6 (5 imported, 0 unchanged, 1 refused)")
    _, quiet, _ = _run(str(folder), "--no-progress")
    assert quiet == ""


def test_a_missing_path_or_user_is_an_error_before_anything_is_imported(tmp_path: Path) -> None:
    story = tmp_path / "budget.txt"
    story.write_text(BUDGET, encoding="utf-8")
    with pytest.raises(CommandError, match="No such file or folder"):
        call_command("import_articles", str(story), str(tmp_path / "nowhere"))
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        call_command("import_articles", str(story), "--user", "ghost")
    assert not Article.objects.exists()
