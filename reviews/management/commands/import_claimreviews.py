"""Import other publishers' fact-checks: ``manage.py import_claimreviews FILE``."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reviews.external import claimreviews_import

# A ClaimReview export of a few hundred thousand records fits well below this.
MAX_BYTES = 200 * 1024 * 1024


class Command(BaseCommand):
    help = (
        "Import schema.org ClaimReview records (JSON: one, a list, {'claims': [...]} as Google "
        "Fact Check Tools answers; or JSON Lines). Bad records are reported and skipped; "
        "importing the same file again updates what it imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="A .json or .jsonl file.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            if path.stat().st_size > MAX_BYTES:
                raise CommandError(f"{path} is larger than {MAX_BYTES // (1024 * 1024)} MB.")
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from None
        report = claimreviews_import(text=text)
        for problem in report.problems:
            self.stderr.write(f"skipped {problem}")
        self.stdout.write(
            f"imported {report.imported}, updated {report.updated}, skipped {report.skipped}"
        )
