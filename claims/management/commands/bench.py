"""Run a benchmark and print its figures: ``manage.py bench extraction --data PATH``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Benchmark the extraction engine (shared reference data) or the CMS API (100k verdicts)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("suite", choices=("extraction", "api"), help="what to benchmark")
        parser.add_argument(
            "--verdicts", type=int, default=100_000, help="api: published verdicts to build"
        )
        parser.add_argument("--data", type=Path, default=None, help="shared data folder")
        parser.add_argument("--weights", type=Path, default=None, help="model weights file")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["suite"] == "api":
            self._api(options)
            return
        from bench import extraction

        data_dir: Path = options["data"] or extraction.DEFAULT_DATA
        if not (data_dir / "sentences").is_dir():
            raise CommandError(f"{data_dir} has no sentences/ folder; pass --data PATH.")
        results = extraction.run(data_dir, options["weights"])
        if options["json"]:
            self.stdout.write(json.dumps(results, indent=2))
        else:
            self.stdout.write(extraction.format_report(results))

    def _api(self, options: dict[str, Any]) -> None:
        """The CMS API bench, in a throw-away test database (never the desk's own)."""
        from django.db import connection
        from django.test.utils import setup_test_environment, teardown_test_environment

        from bench import api

        setup_test_environment()
        old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
        try:
            results = api.run(options["verdicts"])
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            teardown_test_environment()
        if options["json"]:
            self.stdout.write(json.dumps(results, indent=2))
        else:
            self.stdout.write(api.format_report(results))
