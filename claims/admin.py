"""Admin for bulk edits of articles and claims."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from claims import lifecycle, services
from claims.lifecycle import BulkReport
from claims.models import Article, Claim
from factcheck.lib.admin import VersionedAdmin


class ClaimInline(admin.TabularInline):
    model = Claim
    fields = ["position", "text", "score", "status", "assignee"]
    # Status and assignee change through the lifecycle (admin actions), not here.
    readonly_fields = ["position", "text", "score", "status", "assignee"]
    extra = 0
    show_change_link = True
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Claim]:
        return super().get_queryset(request).select_related("assignee")


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    list_display = ["title", "outlet", "import_method", "created_by", "created_at"]
    list_filter = ["import_method", "outlet", "created_at"]
    # Short fields only: a LIKE over every body would scan the whole table on each search.
    search_fields = ["title", "outlet", "author", "source_url"]
    list_select_related = ["created_by"]
    readonly_fields = ["body", "body_sha256", "consistency_flags", "created_at"]
    exclude = ["extraction"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [ClaimInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        queryset = super().get_queryset(request)
        # The list never shows bodies or extraction results; the change page loads them.
        if (
            request.resolver_match
            and request.resolver_match.url_name == "claims_article_changelist"
        ):
            queryset = queryset.defer("body", "extraction", "consistency_flags")
        return queryset


def _report(modeladmin: admin.ModelAdmin, request: HttpRequest, report: BulkReport) -> None:
    level = messages.SUCCESS if not report.refused else messages.WARNING
    modeladmin.message_user(request, report.describe(), level)


@admin.register(Claim)
class ClaimAdmin(VersionedAdmin):
    list_display = ["__str__", "article", "status", "score", "priority", "assignee", "due_on"]
    list_filter = ["status", "priority", "assignee", "due_on"]
    list_editable = ["priority"]
    search_fields = ["text", "article__title"]
    list_select_related = ["article", "assignee"]
    show_full_result_count = False
    # Offsets and text are fixed by extraction: editing them would break the anchor invariant.
    # Status and assignee move only through the lifecycle service: the actions below.
    readonly_fields = [
        "article",
        "text",
        "start",
        "end",
        "position",
        "score",
        "reasons",
        "status",
        "assignee",
        "version",
    ]
    actions = ["select_claims", "dismiss_claims", "restore_claims", "mark_urgent"]
    formfield_overrides = {models.JSONField: {"widget": forms.Textarea(attrs={"rows": 3})}}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Claim]:
        return super().get_queryset(request).defer("article__body", "article__extraction")

    def _move(self, request: HttpRequest, queryset: QuerySet[Claim], action: str) -> None:
        report = lifecycle.claims_transition(
            claim_ids=queryset.values_list("pk", flat=True),
            action=action,
            user=request.user,
            note=f"{action} (admin)",
        )
        _report(self, request, report)

    @admin.action(description="Select the chosen claims for review")
    def select_claims(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        self._move(request, queryset, lifecycle.Action.SELECT)

    @admin.action(description="Dismiss the chosen claims")
    def dismiss_claims(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        self._move(request, queryset, lifecycle.Action.DISMISS)

    @admin.action(description="Restore the chosen dismissed claims as candidates")
    def restore_claims(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        self._move(request, queryset, lifecycle.Action.RESTORE)

    @admin.action(description="Mark the chosen claims urgent")
    def mark_urgent(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        changed = services.claims_mark_urgent(
            claim_ids=queryset.values_list("pk", flat=True), user=request.user
        )
        self.message_user(request, f"{changed} claim(s) marked urgent.", messages.SUCCESS)
