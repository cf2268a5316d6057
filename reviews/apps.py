"""App configuration for reviews."""

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    """Evidence, sources, verdicts, approval and the CMS API."""

    name = "reviews"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Connect the search index's after-migrate repair (SQLite table rebuilds drop triggers)."""
        import reviews.search  # noqa: F401
