"""Who may call the CMS API: API keys with a scope, staff sessions, and a per-key throttle.

The CMS sends `Authorization: Api-Key <key>`. Keys are djangorestframework-api-key rows (hashed
at rest, shown once at creation, revocable); the scope says whether a key may push articles.
Staff may browse the API with their session (the browsable API).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from reviews.models import ApiKey

if TYPE_CHECKING:
    from rest_framework.views import APIView

SCHEME = "Api-Key"
# last_used_at is written at most this often per key: a busy CMS must not write on every read.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


class ApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Api-Key <key>`: a usable key authenticates the request as that key."""

    def authenticate(self, request: Request) -> tuple[AnonymousUser, ApiKey] | None:
        scheme, _, key = get_authorization_header(request).decode("latin-1").partition(" ")
        if scheme.lower() != SCHEME.lower():
            return None
        key = key.strip()
        if not key:
            raise AuthenticationFailed(f"No key after '{SCHEME}'.")
        try:
            api_key = cast(ApiKey, ApiKey.objects.get_from_key(key))
        except ApiKey.DoesNotExist:
            raise AuthenticationFailed("Unknown or revoked API key.") from None
        if api_key.has_expired:
            raise AuthenticationFailed("This API key has expired.")
        _record_use(api_key)
        return AnonymousUser(), api_key

    def authenticate_header(self, request: Request) -> str:
        return SCHEME


def _record_use(api_key: ApiKey) -> None:
    """Set last_used_at, with one conditional UPDATE at most once a minute per key."""
    now = timezone.now()
    if api_key.last_used_at and now - api_key.last_used_at < LAST_USED_RESOLUTION:
        return  # the row says so already: no write on a busy CMS's every read
    ApiKey.objects.filter(pk=api_key.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)


def _is_staff(request: Request) -> bool:
    return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class CanRead(BasePermission):
    """Any usable API key, or a staff session."""

    message = f"Send 'Authorization: {SCHEME} <key>' with a key created in the admin."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return isinstance(request.auth, ApiKey) or _is_staff(request)


class CanReadOrPushArticles(BasePermission):
    """Reads as CanRead; a write needs a read-write key, or a staff session that may add
    articles."""

    message = "Pushing articles needs a read-write API key."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if request.method in SAFE_METHODS:
            return CanRead().has_permission(request, view)
        if isinstance(request.auth, ApiKey):
            return request.auth.can_write
        return _is_staff(request) and request.user.has_perm("claims.add_article")


class PerKeyThrottle(SimpleRateThrottle):
    """FACTCHECK_API_RATE requests per key (per user for staff, per address otherwise).

    Past the rate the API answers 429 with `Retry-After`.
    """

    scope = "api_key"

    def get_rate(self) -> str | None:
        # Read at request time, not import time, so the setting can change under tests.
        rate: str | None = settings.FACTCHECK_API_RATE
        return rate

    def get_cache_key(self, request: Request, view: Any) -> str:
        if isinstance(request.auth, ApiKey):
            ident = f"key:{request.auth.prefix}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"address:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """Documents the key header in the OpenAPI schema (drf-spectacular)."""

    target_class = ApiKeyAuthentication
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": f"`{SCHEME} <key>`, with a key created in the admin.",
        }


class StaffBrowsableAPIRenderer(BrowsableAPIRenderer):
    """DRF's browsable API, for staff in a browser, under our Content-Security-Policy.

    Its templates set a few `style=` attributes, which `style-src 'self'` blocks; these pages
    (and only these) also allow inline styles. Scripts stay 'self' only: the page's CSRF token
    travels in a `<script type="application/json">` data block, which runs nothing.
    """

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> Any:
        response = (renderer_context or {}).get("response")
        if response is not None:
            allow_inline_styles(response)
        return super().render(data, accepted_media_type, renderer_context)


def allow_inline_styles(response: Any) -> None:
    """Let this one response apply inline styles (django-csp's per-response update)."""
    response._csp_update = {"style-src": ["'unsafe-inline'"]}
