"""Admin for bulk edits of articles and claims."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import F, QuerySet
from django.http import HttpRequest

from claims import services
from claims.models import Article, Claim


class VersionedAdminForm(forms.ModelForm):
    """Carries the version the admin user saw, so a stale change is refused, not saved over."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk:
            model = type(self.instance)
            # The admin view runs in a transaction: the row lock keeps the check and the save
            # together on PostgreSQL, and SQLite's IMMEDIATE transactions serialise writers.
            current = (
                model._default_manager.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if current != data.get("seen_version"):
                raise forms.ValidationError(
                    "Someone else changed this since you opened it. Reload the page to see "
                    "their change, then make yours again."
                )
        return data


class VersionedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose change form cannot lose a concurrent edit."""

    form = VersionedAdminForm

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            obj.version = F("version") + 1
        super().save_model(request, obj, form, change)
        if change:
            obj.refresh_from_db(fields=["version"])


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
