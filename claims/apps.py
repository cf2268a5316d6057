"""App configuration for claims."""

from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    """Articles, claims and extraction."""

    name = "claims"
    default_auto_field = "django.db.models.BigAutoField"
