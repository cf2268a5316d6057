"""Speak to a signed-in user in the language they chose (claims.UserPreference)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from claims.models import UserPreference

# The stored preference, copied into the session at login so pages need no query for it.
SESSION_LANGUAGE_KEY = "factcheck_language"
# The CMS API (and its docs) speak English only: clients parse its texts.
API_PREFIX = "/api/"


def set_language_cookie(response: HttpResponse, language: str) -> None:
    """Remember the language in the browser too, for the pages after logging out."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]
    )


class UserLanguageMiddleware:
    """After LocaleMiddleware and authentication: a stored preference beats cookie and browser.

    Without a preference the language LocaleMiddleware chose (cookie, then Accept-Language,
    then LANGUAGE_CODE) stays.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = ""
        user = getattr(request, "user", None)
        if request.path_info.startswith(API_PREFIX):
            # The CMS contract is English whatever the client's Accept-Language says.
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = translation.get_language()
        elif user is not None and user.is_authenticated:
            if SESSION_LANGUAGE_KEY not in request.session:
                # A session from before the preference existed: read it once.
                request.session[SESSION_LANGUAGE_KEY] = UserPreference.language_for(user)
            language = request.session[SESSION_LANGUAGE_KEY]
            if language and translation.check_for_language(language):
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
            else:
                language = ""
        response = self.get_response(request)
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            set_language_cookie(response, language)
        return response
