"""Admin for webhook endpoints and their deliveries.

The endpoint page shows the signing secret: the CMS needs it to verify deliveries, and the
admin is where it is copied from (unlike API keys, it is needed on both sides). Deliveries are a
log: read-only, with their attempts inline, and a "re-send" action.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from reviews import webhooks
from reviews.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


class WebhookEndpointForm(forms.ModelForm):
    """Reports bad networks and URLs the sender would refuse as errors on their fields."""

    class Meta:
        model = WebhookEndpoint
        fields = [
            "name",
            "url",
            "send_published",
            "send_corrected",
            "send_withdrawn",
            "allowed_networks",
            "is_active",
        ]
        help_texts = {
            "allowed_networks": (
                "Only for a CMS on a private network: its network in CIDR form, one a line "
                "(e.g. 10.20.0.0/16). Leave empty for a CMS on the internet."
            ),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "url" in data and "allowed_networks" in data:
            try:
                webhooks.endpoint_check(url=data["url"], allowed_networks=data["allowed_networks"])
            except forms.ValidationError as error:
                self.add_error(None, error)
        return data


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = [
        "name",
        "url",
        "is_active",
        "send_published",
        "send_corrected",
        "send_withdrawn",
        "created_at",
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    readonly_fields = ["secret", "deliveries", "created_at"]
    actions = ["rotate_secret"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # No secret and no deliveries before the endpoint exists.
        return list(self.readonly_fields) if obj is not None else []

    def save_model(
        self, request: HttpRequest, obj: WebhookEndpoint, form: Any, change: bool
    ) -> None:
        if not change:
            obj.secret = webhooks.secret_generate()
        super().save_model(request, obj, form, change)

    @admin.display(description=_("Deliveries"))
    def deliveries(self, endpoint: WebhookEndpoint) -> SafeString:
        counts = {
            row["status"]: row["n"]
            for row in endpoint.deliveries.order_by().values("status").annotate(n=Count("pk"))
        }
        summary = ", ".join(
            f"{counts[status]} {label.lower()}"
            for status, label in WebhookDelivery.Status.choices
            if counts.get(status)
        )
        url = reverse("admin:reviews_webhookdelivery_changelist")
        return format_html(
            '<a href="{}?endpoint__id__exact={}">Recent deliveries</a> ({})',
            url,
            endpoint.pk,
            summary or "none yet",
        )

    @admin.action(description=_("Rotate the secret of the chosen endpoints"))
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        count = webhooks.endpoints_rotate_secret(
            endpoint_ids=list(queryset.values_list("pk", flat=True))
        )
        self.message_user(
            request,
            _("New secret for %(count)d endpoint(s): give it to the CMS before its next delivery.")
            % {"count": count},
            messages.SUCCESS,
        )


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = readonly_fields = (
        "number",
        "started_at",
        "duration_ms",
        "status_code",
        "succeeded",
        "response_excerpt",
        "error",
    )
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """A read-only log of deliveries; the only change is re-sending."""

    list_display = [
        "pk",
        "endpoint",
        "event",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
        "created_at",
    ]
    list_filter = ["status", "endpoint"]
    list_select_related = ["endpoint", "event"]
    search_fields = ["message_id", "endpoint__name"]
    search_help_text = "webhook-id or endpoint name"
    # Deliveries pile up: skip counting the whole table on every filtered page.
    show_full_result_count = False
    fields = readonly_fields = (
        "endpoint",
        "event",
        "message_id",
        "status",
        "attempts",
        "next_attempt_at",
        "lease_until",
        "last_status_code",
        "last_error",
        "delivered_at",
        "created_at",
    )
    inlines = [WebhookAttemptInline]
    actions = ["resend"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_resend_permission(self, request: HttpRequest) -> bool:
        # The page is read-only, but re-sending is a change to the row's schedule.
        return request.user.has_perm("reviews.change_webhookdelivery")

    @admin.action(description=_("Re-send the chosen deliveries now"), permissions=["resend"])
    def resend(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        chosen = list(queryset.values_list("pk", flat=True))
        queued = webhooks.deliveries_resend(delivery_ids=chosen)
        self.message_user(
            request, _("%(count)d delivery(ies) queued to be sent again.") % {"count": queued}
        )
        if skipped := len(chosen) - queued:
            self.message_user(
                request,
                _("%(count)d skipped: being sent right now, or their endpoint is inactive.")
                % {"count": skipped},
                messages.WARNING,
            )
