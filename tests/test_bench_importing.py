"""The import bench's own pages and files are what it says they are (bench/importing.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import importing


def test_main_text_drops_the_boilerplate_of_our_page_layouts_and_keeps_every_paragraph() -> None:
    figures = importing.main_text_figures()
    main = figures["URL import (article_text)"]
    whole = figures["whole page (html_to_text, before)"]
    # Every measured boilerplate line is on the page (the whole text shows all of them) ...
    assert whole["boilerplate_kept"] == 1.0 and whole["boilerplate_lines"] > 100
    # ... and the main text keeps every article paragraph and almost none of them.
    assert main["article_lost"] == 0.0
    assert main["boilerplate_kept"] < 0.1
    assert main["by_layout"]["semantic"] == (0, 0)
    assert main["by_layout"]["long comment thread"] == (0, 0)
    archive = figures["archived sources (main_text)"]
    assert archive["article_lost"] == 0.0 and archive["boilerplate_kept"] < 0.1


def test_generated_articles_are_all_different(tmp_path: Path) -> None:
    importing.write_articles(tmp_path, 300)
    bodies = {path.read_text(encoding="utf-8") for path in tmp_path.iterdir()}
    assert len(bodies) == 300


@pytest.mark.django_db
def test_the_import_bench_imports_each_file_once() -> None:
    figures = importing.import_figures(12)
    assert figures["files"] == figures["articles"] == 12
