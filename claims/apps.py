"""App configuration for claims."""

from typing import Any

from django.apps import AppConfig


def language_apply_on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Copy the user's stored language into the new session (UserLanguageMiddleware reads it)."""
    from claims.middleware import SESSION_LANGUAGE_KEY
    from claims.models import UserPreference

    if request is not None and hasattr(request, "session"):
        request.session[SESSION_LANGUAGE_KEY] = UserPreference.language_for(user)


def watch_extraction_sources(sender: Any, **kwargs: Any) -> None:
    """Have runserver restart when an extraction source changes, compiled ones included.

    A module loaded from the compiled build (claims/extraction/native.py) is watched through its
    extension file, not its source; after the restart the edited source runs as Python, the
    build being stale until the next `make` command rebuilds it.
    """
    from claims.extraction import native

    sender.watch_dir(native.PACKAGE_DIR, "*.py")


class ClaimsConfig(AppConfig):
    """Articles, claims and extraction."""

    name = "claims"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Apply a user's stored language as soon as they log in; watch the extraction sources."""
        from django.contrib.auth.signals import user_logged_in
        from django.utils.autoreload import autoreload_started

        user_logged_in.connect(language_apply_on_login, dispatch_uid="claims_language_on_login")
        autoreload_started.connect(
            watch_extraction_sources, dispatch_uid="claims_watch_extraction_sources"
        )
