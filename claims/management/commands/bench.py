"""Run a benchmark and print its figures: ``manage.py bench extraction --data PATH``."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Benchmark the extraction engine (shared reference data), the CMS API (100k verdicts), "
        "the admin (100k claims), source fetching or article import."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "suite",
            choices=(
                "extraction",
                "api",
                "admin",
                "sources",
                "importing",
                "matching",
                "dashboard",
            ),
            help="what to benchmark",
        )
        parser.add_argument(
            "--files", type=int, default=1000, help="importing: article files to import"
        )
        parser.add_argument("--urls", type=int, default=500, help="sources: pages to fetch")
        parser.add_argument(
            "--delay", type=float, default=0.1, help="sources: seconds the server takes a page"
        )
        parser.add_argument(
            "--concurrency", type=int, default=None, help="sources: fetch worker processes"
        )
        parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument(
            "--verdicts", type=int, default=100_000, help="api: published verdicts to build"
        )
        parser.add_argument(
            "--claims", type=int, default=100_000, help="admin, dashboard: claims to build"
        )
        parser.add_argument("--data", type=Path, default=None, help="shared data folder")
        parser.add_argument("--weights", type=Path, default=None, help="model weights file")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["suite"] == "api":
            self._api(options)
            return
        if options["suite"] == "admin":
            self._admin(options)
            return
        if options["suite"] == "sources":
            self._sources(options)
            return
        if options["suite"] == "importing":
            self._importing(options)
            return
        if options["suite"] == "matching":
            from bench import matching

            self._in_test_database(matching.measure, matching.format_report, options)
            return
        if options["suite"] == "dashboard":
            from bench import dashboard

            self._in_test_database(
                lambda: dashboard.measure(options["claims"]), dashboard.format_report, options
            )
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
        """The CMS API bench (bench/api.py)."""
        from bench import api

        self._in_test_database(lambda: api.run(options["verdicts"]), api.format_report, options)

    def _admin(self, options: dict[str, Any]) -> None:
        """The admin bench (bench/admin.py)."""
        from bench import admin

        self._in_test_database(lambda: admin.run(options["claims"]), admin.format_report, options)

    def _importing(self, options: dict[str, Any]) -> None:
        """Main-text extraction and import_articles throughput (bench/importing.py)."""
        from bench import importing

        self._in_test_database(
            lambda: {
                "main_text": importing.main_text_figures(),
                "import": importing.import_figures(options["files"]),
            },
            importing.format_report,
            options,
        )

    def _in_test_database(
        self,
        run: Callable[[], dict[str, Any]],
        report: Callable[[dict[str, Any]], str],
        options: dict[str, Any],
    ) -> None:
        """Run a bench in a throw-away test database (never the desk's own) and print it."""
        from django.db import connection
        from django.test.utils import setup_test_environment, teardown_test_environment

        setup_test_environment()
        old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
        try:
            results = run()
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            teardown_test_environment()
        self.stdout.write(json.dumps(results, indent=2) if options["json"] else report(results))

    def _sources(self, options: dict[str, Any]) -> None:
        """Source fetching through a real worker, in a throw-away folder (bench/sources.py)."""
        from bench import sources

        concurrency = options["concurrency"] or sources.DEFAULT_CONCURRENCY
        if not options["inner"]:
            code = sources.run_in_child(options["urls"], options["delay"], concurrency)
            if code:
                raise CommandError(f"The sources bench failed (exit {code}).")
            return
        results = sources.run(options["urls"], options["delay"], concurrency)
        if options["json"]:
            self.stdout.write(json.dumps(results, indent=2))
        else:
            self.stdout.write(sources.format_report(results))
