"""`python manage.py import_articles PATH...`: import article files and folders into the desk.

Each file (.txt, .md, .html, .docx or .pdf, told apart by content) becomes an article with its
candidate claims, as an upload would; folders are walked in name order (hidden files and
folders skipped). A text the desk already holds is reported unchanged, so running the command
again adds nothing. Prints a progress bar and a summary: imported, unchanged, refused with
each reason. Exits 1 when any file was refused.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims import services
from claims.services import FileImport

BAR_WIDTH = 30


def _files(paths: list[Path]) -> Iterator[Path]:
    """The files named and those under the folders named, in order, without hidden ones."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path).parts
                if child.is_file() and not any(part.startswith(".") for part in relative):
                    yield child
        else:
            yield path


class Command(BaseCommand):
    help = "Import article files (.txt, .md, .html, .docx, .pdf) and folders of them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help="Files and folders to import.")
        parser.add_argument(
            "--user",
            help="Username recorded as the importer (default: none, the command itself).",
        )
        parser.add_argument(
            "--progress",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="Draw a progress bar on stderr (default: when stderr is a terminal).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[Path] = options["paths"]
        missing = [str(path) for path in paths if not path.exists()]
        if missing:
            raise CommandError(f"No such file or folder: {', '.join(missing)}")
        user = None
        if options["user"]:
            try:
                user = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist as error:
                raise CommandError(f"No user named {options['user']!r}.") from error
        files = list(_files(paths))
        show_progress = options["progress"]
        if show_progress is None:
            show_progress = sys.stderr.isatty()
        counts: Counter[FileImport] = Counter()
        refused: list[services.FileImportResult] = []
        for done, path in enumerate(files, start=1):
            result = services.article_import_path(path=path, created_by=user)
            counts[result.outcome] += 1
            if result.outcome is FileImport.REFUSED:
                refused.append(result)
            if show_progress:
                self._progress(done, len(files), counts)
        if show_progress and files:
            self.stderr.write("", style_func=str)
        self.stdout.write(
            f"{len(files)} files: {counts[FileImport.IMPORTED]} imported, "
            f"{counts[FileImport.UNCHANGED]} unchanged (already in the desk), "
            f"{counts[FileImport.REFUSED]} refused."
        )
        for result in refused:
            self.stdout.write(f"  refused {result.path}: {result.reason}")
        if refused:
            raise SystemExit(1)

    def _progress(self, done: int, total: int, counts: Counter[FileImport]) -> None:
        filled = BAR_WIDTH * done // total
        self.stderr.write(
            f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} "
            f"({counts[FileImport.IMPORTED]} imported, {counts[FileImport.UNCHANGED]} unchanged, "
            f"{counts[FileImport.REFUSED]} refused)",
            style_func=str,
            ending="",
        )
        self.stderr.flush()
