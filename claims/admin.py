"""Admin for bulk edits of articles and claims."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from claims import services
from claims.models import Article, Claim
from factcheck.lib.admin import VersionedAdmin


class ClaimInline(admin.TabularInline):
    model = Claim
    fields = ["position", "text", "score", "status", "assignee"]
    # Status and assignee change through the workflow (and the versioned claim form), not here.
    readonly_fields = ["position", "text", "score", "status", "assignee"]
    extra = 0
    show_change_link = True
    can_delete = False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "outlet", "import_method", "created_by", "created_at"]
    list_filter = ["import_method", "outlet", "created_at"]
    search_fields = ["title", "body", "outlet", "author", "source_url"]
    readonly_fields = ["body", "body_sha256", "consistency_flags", "created_at"]
    date_hierarchy = "created_at"
    inlines = [ClaimInline]


@admin.register(Claim)
class ClaimAdmin(VersionedAdmin):
    list_display = ["__str__", "article", "status", "score", "priority", "assignee", "due_on"]
    list_filter = ["status", "priority", "assignee", "due_on"]
    list_editable = ["priority"]
    search_fields = ["text", "article__title"]
    list_select_related = ["article", "assignee"]
    # Offsets and text are fixed by extraction: editing them would break the anchor invariant.
    readonly_fields = ["article", "text", "start", "end", "position", "score", "reasons", "version"]
    actions = ["select_claims", "dismiss_claims", "mark_urgent"]
    formfield_overrides = {models.JSONField: {"widget": forms.Textarea(attrs={"rows": 3})}}

    @admin.action(description="Select the chosen claims for review")
    def select_claims(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        changed = services.claims_bulk_update_status(
            claim_ids=queryset.values_list("pk", flat=True), user=request.user, select=True
        )
        self.message_user(request, f"{changed} claim(s) selected.", messages.SUCCESS)

    @admin.action(description="Dismiss the chosen claims")
    def dismiss_claims(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        changed = services.claims_bulk_update_status(
            claim_ids=queryset.values_list("pk", flat=True), user=request.user, select=False
        )
        self.message_user(request, f"{changed} claim(s) dismissed.", messages.SUCCESS)

    @admin.action(description="Mark the chosen claims urgent")
    def mark_urgent(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        changed = services.claims_mark_urgent(
            claim_ids=queryset.values_list("pk", flat=True), user=request.user
        )
        self.message_user(request, f"{changed} claim(s) marked urgent.", messages.SUCCESS)
