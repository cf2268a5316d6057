"""Admin for bulk edits of evidence, sources, rating scales and verdicts, and the review desk's
side of the claim admin (evidence and verdict inlines, verdict actions, spreadsheet round trips).

The claim admin is registered by claims/admin.py, which cannot know the review desk (imports run
reviews -> claims); this module registers a subclass in its place that adds what needs it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, widgets  # type: ignore[import-untyped]
from import_export.admin import ExportActionMixin, ImportMixin  # type: ignore[import-untyped]
from import_export.formats import base_formats  # type: ignore[import-untyped]
from simple_history.admin import SimpleHistoryAdmin

from claims import admin as claims_admin
from claims import services as claim_services
from claims.lifecycle import Action, BulkReport, claims_transition
from claims.models import Claim
from factcheck.lib.admin import (
    BulkActionsByPermission,
    EstimatedCountPaginator,
    FormulaSafeResource,
    ReadOnlyInline,
    VersionedAdmin,
    action_form,
    short_column,
    unneutralise_formula,
)
from reviews import (
    admin_api_keys,  # noqa: F401  (registers the API key admin)
    admin_webhooks,  # noqa: F401  (registers the webhook endpoint and delivery admin)
    matching,
    services,
)
from reviews.models import (
    Evidence,
    ExternalFactCheck,
    Rating,
    RatingScale,
    Snapshot,
    Source,
    Verdict,
)

EDITOR = "claims.select_claim"


# --- Sources, evidence, ratings ---------------------------------------------------------------


class SnapshotInline(admin.TabularInline[Snapshot, Source]):
    """The archived copies of a source, newest first: written by the worker, never edited."""

    model = Snapshot
    fields = ("fetched_at", "attempt", "http_status", "final_url", "body_sha256", "body_size")
    readonly_fields = fields
    ordering = ["-fetched_at"]
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Source)
class SourceAdmin(BulkActionsByPermission, SimpleHistoryAdmin):
    list_display = ["url", "fetch_status", "http_status", "attempts", "fetched_at", "updated_at"]
    list_filter = ["fetch_status", "http_status", "fetched_at", "created_at"]
    search_fields = ["url", "title"]
    readonly_fields = [
        "http_status",
        "final_url",
        "title",
        "text",
        "body_sha256",
        "attempts",
        "fetched_at",
        "last_error",
        "error_kind",
        "next_attempt_at",
        "lease_until",
        "live_status",
        "checked_at",
        "created_at",
        "updated_at",
    ]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    actions = ["refetch"]
    inlines = [SnapshotInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Source]:
        queryset = super().get_queryset(request)
        if request.resolver_match and (request.resolver_match.url_name or "").endswith(
            "changelist"
        ):
            queryset = queryset.defer("text", "last_error")
        return queryset

    @admin.action(description=_("Fetch the chosen sources again"))
    def refetch(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        count = services.sources_refetch(
            source_ids=list(queryset.values_list("pk", flat=True)), user=request.user
        )
        self.message_user(
            request,
            _("%(count)d source(s) queued for fetching.") % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Evidence)
class EvidenceAdmin(BulkActionsByPermission, SimpleHistoryAdmin):
    list_display = ["__str__", "claim_short", "source_short", "stance", "added_by", "added_at"]
    list_filter = ["stance", "source__fetch_status", "added_at"]
    # Short fields: the URL, and the claim or source by id. Quotes and notes are long text.
    search_fields = ["url", "=claim__id", "=source__id"]
    list_select_related = ["claim", "source", "added_by"]
    autocomplete_fields = ["claim", "source"]
    readonly_fields = ["added_by", "added_at"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    claim_short = short_column("claim", _("claim"), ordering="claim__pk")
    source_short = short_column("source", _("source"), ordering="source__url", chars=60)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Evidence]:
        return (
            super()
            .get_queryset(request)
            .defer("claim__reasons", "source__text", "source__last_error")
        )


class RatingInline(admin.TabularInline[Rating, RatingScale]):
    model = Rating
    fields = ["position", "label", "label_es", "claimreview_value", "description", "description_es"]
    extra = 0


@admin.register(RatingScale)
class RatingScaleAdmin(admin.ModelAdmin[RatingScale]):
    list_display = ["name", "is_default", "created_at"]
    list_filter = ["is_default"]
    search_fields = ["name"]
    inlines = [RatingInline]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin[Rating]):
    list_display = ["label", "label_es", "scale", "claimreview_value", "position"]
    list_filter = ["scale"]
    search_fields = ["label", "label_es"]
    list_select_related = ["scale"]


# --- Verdicts ---------------------------------------------------------------------------------


@admin.register(Verdict)
class VerdictAdmin(BulkActionsByPermission, VersionedAdmin):
    list_display = ["summary", "claim_short", "rating", "author", "approved_by", "published_at"]
    list_filter = ["rating", "is_current", "published_at", "submitted_at", "withdrawn_at"]
    search_fields = ["summary", "=claim__id"]
    list_select_related = ["claim", "rating", "author", "approved_by"]
    autocomplete_fields = ["claim", "rating"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    claim_short = short_column("claim", _("claim"), ordering="claim__pk")
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

    def get_queryset(self, request: HttpRequest) -> QuerySet[Verdict]:
        return super().get_queryset(request).defer("explanation", "claim__reasons")

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

    @admin.action(description=_("Withdraw the chosen verdicts from the CMS (mark not current)"))
    def withdraw(self, request: HttpRequest, queryset: QuerySet[Verdict]) -> None:
        count = services.verdicts_withdraw(
            verdict_ids=list(queryset.values_list("pk", flat=True)),
            user=request.user,
            note=f"withdrawn from the admin by {request.user}",
        )
        self.message_user(
            request,
            _("%(count)d verdict(s) withdrawn at %(time)s.")
            % {"count": count, "time": f"{timezone.now():%H:%M}"},
            messages.SUCCESS,
        )

    @admin.action(description=_("Reopen the claims of the chosen withdrawn verdicts for review"))
    def reopen(self, request: HttpRequest, queryset: QuerySet[Verdict]) -> None:
        report = claims_transition(
            claim_ids=queryset.values("claim_id"),
            action=Action.REOPEN,
            user=request.user,
            note="reopened (admin)",
        )
        claims_admin.report(self, request, report)


# --- Claims: the review desk's side -----------------------------------------------------------


class EvidenceInline(ReadOnlyInline):
    model = Evidence
    fields = ["url", "source", "stance", "quote", "added_by", "added_at"]
    readonly_fields = ["url", "source", "stance", "quote", "added_by", "added_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Evidence]:
        return (
            super().get_queryset(request).select_related("source", "added_by").defer("source__text")
        )


class VerdictInline(ReadOnlyInline):
    model = Verdict
    fields = ["rating", "summary", "is_current", "author", "approved_by", "published_at"]
    readonly_fields = ["rating", "summary", "is_current", "author", "approved_by", "published_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Verdict]:
        return super().get_queryset(request).select_related("rating", "author", "approved_by")


class RatingFilter(admin.SimpleListFilter):
    """Claims by the rating of their current verdict."""

    title = _("rating")
    parameter_name = "rating"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            (str(rating.pk), f"{rating.label} ({rating.scale.name})")
            for rating in Rating.objects.select_related("scale")
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(
                Exists(
                    Verdict.objects.filter(
                        claim=OuterRef("pk"), is_current=True, rating_id=int(value)
                    )
                )
            )
        return queryset


class HasEvidenceFilter(admin.SimpleListFilter):
    title = _("evidence")
    parameter_name = "evidence"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", gettext("Has evidence")), ("no", gettext("No evidence"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        has = Exists(Evidence.objects.filter(claim=OuterRef("pk")))
        if self.value() == "yes":
            return queryset.filter(has)
        if self.value() == "no":
            return queryset.filter(~has)
        return queryset


class UsernameWidget(widgets.ForeignKeyWidget):
    """A user by username; empty clears; a cell neutralised on export reads back as written."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        return super().clean(unneutralise_formula(value), row, **kwargs)


class ClaimResource(FormulaSafeResource):
    """Claims as spreadsheet rows: context to read, and priority, due date and assignee to plan.

    Import changes existing claims only, and only through the services with the version each
    row was exported at: a row exported before someone else's change is refused, never saved
    over, and every change leaves a history row with who and why.
    """

    article = fields.Field(attribute="article__title", column_name="article", readonly=True)
    text = fields.Field(attribute="text", column_name="text", readonly=True)
    status = fields.Field(attribute="status", column_name="status", readonly=True)
    assignee = fields.Field(
        attribute="assignee",
        column_name="assignee",
        widget=UsernameWidget(get_user_model(), "username"),
    )

    class Meta:
        model = Claim
        fields = ["id", "version", "article", "text", "status", "priority", "due_on", "assignee"]
        export_order = fields
        import_id_fields = ["id"]
        skip_unchanged = True
        report_skipped = False
        use_bulk = False  # bulk mode skips signals, and with them our history rows
        clean_model_instances = False

    def get_or_init_instance(self, instance_loader: Any, row: Any) -> tuple[Any, bool]:
        instance, new = super().get_or_init_instance(instance_loader, row)
        if new:
            raise ValidationError(
                f"No claim with id {row.get('id')!r}: the import plans existing claims only."
            )
        return instance, new

    def import_field(self, field: Any, instance: Any, row: Any, **kwargs: Any) -> None:
        if field.attribute == "version":
            # The version is what the row was exported at; the service checks it, never sets it.
            try:
                instance._seen_version = int(row.get("version"))
            except (TypeError, ValueError):
                raise ValidationError(
                    {"version": "Each row needs the version it was exported at."}
                ) from None
            return
        super().import_field(field, instance, row, **kwargs)

    def skip_row(
        self, instance: Any, original: Any, row: Any, import_validation_errors: Any = None
    ) -> bool:
        if getattr(instance, "_seen_version", None) != original.version:
            return False  # a stale row is reported, never skipped as "unchanged"
        return bool(super().skip_row(instance, original, row, import_validation_errors))

    def save_instance(self, instance: Claim, is_create: bool, row: Any, **kwargs: Any) -> None:
        user = kwargs.get("user")
        stored = Claim.objects.select_related("assignee").get(pk=instance.pk)
        seen = instance._seen_version  # type: ignore[attr-defined]
        try:
            if instance.assignee_id != stored.assignee_id:
                services.claim_assign(
                    claim=stored,
                    user=user,
                    assignee=instance.assignee,
                    priority=instance.priority,
                    due_on=instance.due_on,
                    expected_version=seen,
                )
            else:
                claim_services.claim_schedule(
                    claim=stored,
                    user=user,
                    priority=instance.priority,
                    due_on=instance.due_on,
                    expected_version=seen,
                )
        except PermissionDenied as error:
            raise ValidationError(str(error)) from error
        instance.version = stored.version


class WithdrawForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the verdicts are withdrawn; it goes to the CMS feed and the history."),
    )


admin.site.unregister(Claim)


# The export format form's own fields (format, resource, field choices, CSRF token) besides ids.
_FORM_FIELDS_BESIDE_IDS = 100


@admin.register(Claim)
class ReviewDeskClaimAdmin(ExportActionMixin, ImportMixin, claims_admin.ClaimAdmin):
    """The claim admin with evidence and verdicts, their actions, and CSV/XLSX round trips."""

    inlines = [EvidenceInline, VerdictInline]
    list_filter: Any = [
        *claims_admin.ClaimAdmin.list_filter[:-1],
        RatingFilter,
        HasEvidenceFilter,
        claims_admin.ClaimAdmin.list_filter[-1],
    ]
    actions: Any = [
        *claims_admin.ClaimAdmin.actions,
        "publish_approved",
        "withdraw_verdicts",
        "refetch_sources",
    ]
    resource_classes = [ClaimResource]
    # Both buttons (each mixin alone names a template with only its own).
    import_export_change_list_template = "admin/import_export/change_list_import_export.html"
    formats = [base_formats.CSV, base_formats.XLSX]

    def export_admin_action(self, request: HttpRequest, queryset: QuerySet[Claim]) -> Any:
        """Export the chosen claims. The format form sends the chosen ids back as hidden
        fields, which past Django's field limit (DATA_UPLOAD_MAX_NUMBER_FIELDS) is refused: a
        selection that large ("select all" on 10,000 claims) is written at once, as CSV."""
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        if limit is not None and queryset.count() > limit - _FORM_FIELDS_BESIDE_IDS:
            return self._do_file_export(base_formats.CSV(), request, queryset)
        return super().export_admin_action(request, queryset)

    def has_import_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm(EDITOR))

    def has_export_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm(EDITOR))

    def get_export_queryset(self, request: HttpRequest) -> QuerySet[Claim]:
        return super().get_export_queryset(request).select_related("article", "assignee")

    def save_assignment(self, request: HttpRequest, obj: Claim, form: Any) -> None:
        """A list edit of the assignee goes through the assignment service (lifecycle, rules,
        version), as the workspace's form does; a refusal is shown, the other rows are saved."""
        stored = Claim.objects.get(pk=obj.pk)
        try:
            services.claim_assign(
                claim=stored,
                user=request.user,
                assignee=obj.assignee,
                priority=obj.priority,
                due_on=obj.due_on,
                expected_version=form.cleaned_data["seen_version"],
            )
        except ValidationError as error:
            self.message_user(
                request,
                _("Claim %(pk)s was not changed: %(reasons)s")
                % {"pk": obj.pk, "reasons": " ".join(error.messages)},
                messages.ERROR,
            )

    @admin.action(description=_("Approve and publish the chosen claims' submitted verdicts"))
    def publish_approved(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        ids = list(
            Verdict.objects.filter(
                claim__in=queryset.values("pk"),
                is_current=True,
                submitted_at__isnull=False,
                published_at__isnull=True,
            ).values_list("pk", flat=True)
        )
        try:
            report = services.verdicts_approve(verdict_ids=ids, user=request.user)
        except PermissionDenied as error:
            report = BulkReport()
            report.refused[str(error)] += len(ids)
        without = queryset.count() - len(ids)
        if without:
            report.refused["without a submitted verdict"] += without
        self.message_user(
            request,
            report.describe(gettext("verdict(s) approved and published")),
            messages.WARNING if report.refused else messages.SUCCESS,
        )

    @admin.action(description=_("Withdraw the chosen claims' published verdicts, with a note…"))
    def withdraw_verdicts(
        self, request: HttpRequest, queryset: QuerySet[Claim]
    ) -> HttpResponseBase | None:
        def apply(data: dict[str, Any]) -> None:
            ids = list(
                Verdict.objects.filter(
                    claim__in=queryset.values("pk"), is_current=True, published_at__isnull=False
                ).values_list("pk", flat=True)
            )
            try:
                count = services.verdicts_withdraw(
                    verdict_ids=ids, user=request.user, note=data["note"]
                )
            except PermissionDenied as error:
                self.message_user(request, str(error), messages.ERROR)
                return
            refused = queryset.count() - count
            text = _("%(count)d verdict(s) withdrawn.") % {"count": count}
            if refused:
                text += " " + _("Not changed: %(count)d without a published verdict.") % {
                    "count": refused
                }
            self.message_user(request, text, messages.WARNING if refused else messages.SUCCESS)

        return action_form(
            self,
            request,
            queryset,
            form_class=WithdrawForm,
            title=gettext("Withdraw published verdicts"),
            apply=apply,
        )

    @admin.action(description=_("Fetch the chosen claims' evidence sources again"))
    def refetch_sources(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        source_ids = list(
            Source.objects.filter(evidence__claim__in=queryset.values("pk"))
            .distinct()
            .values_list("pk", flat=True)
        )
        count = services.sources_refetch(source_ids=source_ids, user=request.user)
        skipped = len(source_ids) - count
        text = _("%(count)d source(s) queued for fetching.") % {"count": count}
        if skipped:
            text += " " + _("Not changed: %(count)d being fetched right now.") % {"count": skipped}
        self.message_user(request, text, messages.SUCCESS)


# --- Other publishers' fact-checks (imported with `manage.py import_claimreviews`) ------------


@admin.register(ExternalFactCheck)
class ExternalFactCheckAdmin(admin.ModelAdmin[ExternalFactCheck]):
    """Imported ClaimReviews: a searchable list; a fix made here is re-indexed for matching."""

    list_display = ("claim_text", "publisher_name", "rating_text", "date_published", "language")
    list_filter = ("language",)
    search_fields = ("claim_text", "publisher_name", "publisher_site", "claimant", "review_url")
    readonly_fields = ("imported_at",)
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def save_model(
        self, request: HttpRequest, obj: ExternalFactCheck, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        matching.externals_refresh(external_ids=[obj.pk])
