"""Admin for the CMS API keys: a key is shown masked, never in full.

A key on a screen ends up in screenshots, screen shares and browser history; the admin needs
only to tell keys apart and to revoke one. The CMS's key is handed over from a shell:
`manage.py drf_create_token <username>` prints it (`-r` replaces it with a new one).
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

SHOWN_CHARACTERS = 4


def mask_key(key: str | None) -> str:
    """The first few characters of a key and an ellipsis: enough to tell keys apart."""
    return f"{key[:SHOWN_CHARACTERS]}…" if key else "-"


def _masked_str(token: TokenProxy) -> str:
    return mask_key(token.key)


# The admin names an object by str() in titles, breadcrumbs, messages, the delete page and the
# action log (LogEntry.object_repr, shown under "Recent actions"); DRF's Token.__str__ is the
# full key. TokenProxy exists only for this admin, so masking its str() covers all of them.
TokenProxy.__str__ = _masked_str  # type: ignore[assignment, method-assign]

admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class ApiKeyAdmin(TokenAdmin):
    """API keys by user: masked keys, search by username, a key's user fixed once it exists."""

    list_display = ("masked_key", "user", "created")
    search_fields = ("user__username",)
    search_help_text = "Username"
    list_select_related = ("user",)

    @admin.display(description="Key")
    def masked_key(self, token: TokenProxy) -> str:
        return mask_key(token.key)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("user",) if obj is None else ("user", "masked_key", "created")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Moving a key to another user would give the CMS that user's access: delete the key
        # and create a new one instead.
        return () if obj is None else ("user", "masked_key", "created")
