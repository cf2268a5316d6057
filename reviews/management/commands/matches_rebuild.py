"""Build the similar-claims index afresh: ``manage.py matches_rebuild``."""

from typing import Any

from django.core.management.base import BaseCommand

from reviews.matching import matches_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the index of claims with a published verdict and of external fact-checks "
        "(publishing and withdrawing keep it up to date; run this after a bulk load or restore)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = matches_rebuild()
        self.stdout.write(f"indexed {count} texts")
