"""Admin for bulk edits of evidence, sources, rating scales and verdicts."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from claims.lifecycle import Action, claims_transition
from factcheck.lib.admin import VersionedAdmin
from reviews import (
    admin_api_keys,  # noqa: F401  (registers the API key admin)
    admin_webhooks,  # noqa: F401  (registers the webhook endpoint and delivery admin)
    services,
)
from reviews.models import Evidence, Rating, RatingScale, Source, Verdict


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ["url", "fetch_status", "http_status", "attempts", "fetched_at"]
    list_filter = ["fetch_status", "http_status"]
    search_fields = ["url", "final_url", "title"]
    readonly_fields = [
        "http_status",
        "final_url",
        "title",
        "text",
        "body_sha256",
        "attempts",
        "fetched_at",
        "last_error",
        "created_at",
        "updated_at",
    ]
    actions = ["refetch"]

    @admin.action(description="Fetch the chosen sources again")
    def refetch(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        count = services.sources_refetch(
            source_ids=list(queryset.values_list("pk", flat=True)), user=request.user
        )
        self.message_user(request, f"{count} source(s) queued for fetching.", messages.SUCCESS)


@admin.register(Evidence)
class EvidenceAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "claim", "stance", "added_by", "added_at"]
    list_filter = ["stance", "added_at"]
    search_fields = ["url", "quote", "note", "claim__text"]
    list_select_related = ["claim", "added_by"]
    raw_id_fields = ["claim", "source"]


class RatingInline(admin.TabularInline):
    model = Rating
    fields = ["position", "label", "claimreview_value", "description"]
    extra = 0


@admin.register(RatingScale)
class RatingScaleAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default", "created_at"]
    list_filter = ["is_default"]
    search_fields = ["name"]
    inlines = [RatingInline]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["label", "scale", "claimreview_value", "position"]
    list_filter = ["scale"]
    search_fields = ["label", "description"]


@admin.register(Verdict)
class VerdictAdmin(VersionedAdmin):
    list_display = ["summary", "claim", "rating", "author", "approved_by", "published_at"]
    list_filter = ["rating", "is_current", "published_at"]
    search_fields = ["summary", "explanation", "claim__text"]
    list_select_related = ["claim", "rating", "author", "approved_by"]
    raw_id_fields = ["claim"]
    # Approval goes through the four-eyes service, never through a form field.
    readonly_fields = [
        "author",
        "submitted_at",
        "approved_by",
        "approved_at",
        "published_at",
        "version",
    ]
    actions = ["withdraw", "reopen"]

    def get_readonly_fields(self, request: HttpRequest, obj: Verdict | None = None) -> list[str]:
        """A published verdict changes only by withdrawal and a new, approved verdict."""
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.published_at is not None:
            fields += ["claim", "rating", "summary", "explanation", "is_current"]
        return fields

    def save_model(self, request: HttpRequest, obj: Verdict, form: object, change: bool) -> None:
        if not change:
            obj.author = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    @admin.action(description="Withdraw the chosen verdicts from the CMS (mark not current)")
    def withdraw(self, request: HttpRequest, queryset: QuerySet[Verdict]) -> None:
        count = services.verdicts_withdraw(
            verdict_ids=list(queryset.values_list("pk", flat=True)),
            user=request.user,
            note=f"withdrawn from the admin by {request.user}",
        )
        self.message_user(
            request, f"{count} verdict(s) withdrawn at {timezone.now():%H:%M}.", messages.SUCCESS
        )

    @admin.action(description="Reopen the claims of the chosen withdrawn verdicts for review")
    def reopen(self, request: HttpRequest, queryset: QuerySet[Verdict]) -> None:
        claim_ids = queryset.values_list("claim_id", flat=True)
        report = claims_transition(
            claim_ids=claim_ids, action=Action.REOPEN, user=request.user, note="reopened (admin)"
        )
        level = messages.SUCCESS if not report.refused else messages.WARNING
        self.message_user(request, report.describe(), level)
