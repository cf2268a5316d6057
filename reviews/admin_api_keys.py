"""Admin for the CMS API keys: named, scoped, shown once at creation, revocable.

Keys are stored hashed (djangorestframework-api-key); the admin shows only the prefix that tells
keys apart. The full key appears once, in the message after the key is created; a lost key is
revoked and replaced, never recovered.
"""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import TokenProxy
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from reviews.models import ApiKey

# One kind of key: the library's unscoped model and DRF's plain tokens are not used.
admin.site.unregister(APIKey)
admin.site.unregister(TokenProxy)


@admin.register(ApiKey)
class ApiKeyAdmin(APIKeyModelAdmin):
    """Create, scope and revoke CMS keys; the key itself is shown once."""

    # The library types these as tuples of its own lengths; ours list more.
    list_display = ("name", "prefix", "scope", "created", "last_used_at", "expiry_date", "revoked")  # type: ignore[assignment]
    list_filter = ("scope", "revoked", "created")  # type: ignore[assignment]
    search_fields = ("name", "prefix")
    fields = ("name", "scope", "expiry_date", "revoked", "prefix", "created_by", "last_used_at")
    actions = ["revoke"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields: tuple[str, ...] = ("prefix", "created_by", "last_used_at")
        if obj is not None and obj.revoked:
            # A revoked key stays revoked: issue a new one instead.
            fields += ("name", "scope", "revoked", "expiry_date")
        return fields

    def save_model(
        self, request: HttpRequest, obj: Any, form: Any = None, change: bool = False
    ) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        count = queryset.filter(revoked=False).update(revoked=True)
        self.message_user(
            request, _("Revoked %(count)d key(s).") % {"count": count}, messages.SUCCESS
        )
