"""Create a CMS API key and print it: the only time the full key is shown."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from reviews.models import ApiKey


class Command(BaseCommand):
    help = "Create a named CMS API key (scope read or read_write) and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="What the key is for, e.g. 'Main CMS'.")
        parser.add_argument(
            "--scope", choices=[choice.value for choice in ApiKey.Scope], default="read"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete keys of the same name first (the demo's key is made anew on each run).",
        )
        parser.add_argument("--url", default="", help="Where the app runs, for a curl example.")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if options["replace"]:
            ApiKey.objects.filter(name=options["name"]).delete()
        _api_key, key = ApiKey.objects.create_key(name=options["name"], scope=options["scope"])
        self.stdout.write(f"  CMS API key ({ApiKey.Scope(options['scope']).label}): {key}")
        if options["url"]:
            self.stdout.write(
                f"  try: curl -H 'Authorization: Api-Key {key}' "
                f"{options['url'].rstrip('/')}/api/v1/verdicts/"
            )
