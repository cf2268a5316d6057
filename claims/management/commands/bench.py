"""Run a benchmark and print its figures: ``manage.py bench extraction --data PATH``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Benchmark the extraction engine on the shared reference data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("suite", choices=("extraction",), help="what to benchmark")
        parser.add_argument("--data", type=Path, default=None, help="shared data folder")
        parser.add_argument("--weights", type=Path, default=None, help="model weights file")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        from bench import extraction

        data_dir: Path = options["data"] or extraction.DEFAULT_DATA
        if not (data_dir / "sentences").is_dir():
            raise CommandError(f"{data_dir} has no sentences/ folder; pass --data PATH.")
        results = extraction.run(data_dir, options["weights"])
        if options["json"]:
            self.stdout.write(json.dumps(results, indent=2))
        else:
            self.stdout.write(extraction.format_report(results))
