"""App configuration for claims."""

from typing import Any

from django.apps import AppConfig


def language_apply_on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Copy the user's stored language into the new session (UserLanguageMiddleware reads it)."""
    from claims.middleware import SESSION_LANGUAGE_KEY
    from claims.models import UserPreference

    if request is not None and hasattr(request, "session"):
        request.session[SESSION_LANGUAGE_KEY] = UserPreference.language_for(user)


class ClaimsConfig(AppConfig):
    """Articles, claims and extraction."""

    name = "claims"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Apply a user's stored language as soon as they log in."""
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(language_apply_on_login, dispatch_uid="claims_language_on_login")
