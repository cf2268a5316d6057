"""Admin for bulk edits of articles and claims, fit for 100,000 claims.

Lists read only short columns (bodies and extraction results are deferred), join their foreign
keys in the same query, count with an estimate on PostgreSQL and never search a body. Every bulk
action calls one set-based service of the claim lifecycle, reports what it did and what it
refused, and is offered only to editors and admins.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from claims import lifecycle, services
from claims.lifecycle import BulkReport
from claims.models import Article, ArticleRevision, Claim
from factcheck.lib.admin import (
    BulkActionsByPermission,
    EstimatedCountPaginator,
    ReadOnlyInline,
    ReadOnlyInlinesMixin,
    VersionedAdmin,
    action_form,
    short_column,
)

REVIEWER_PERMISSION = ("reviews", "add_verdict")
# Up to this many articles matched by a search are passed to the claim query by id.
ARTICLE_IDS_INLINE = 500


def reviewers() -> QuerySet[Any]:
    """Active accounts that may review (through a group, their own permission, or superuser)."""
    permission = Permission.objects.filter(
        content_type__app_label=REVIEWER_PERMISSION[0], codename=REVIEWER_PERMISSION[1]
    )
    return (
        get_user_model()
        .objects.filter(
            Q(groups__permissions__in=permission)
            | Q(user_permissions__in=permission)
            | Q(is_superuser=True),
            is_active=True,
        )
        .distinct()
        .order_by("username")
    )


def report(modeladmin: admin.ModelAdmin[Any], request: HttpRequest, done: BulkReport) -> None:
    """Tell the admin user what a bulk action changed and what it refused, with counts."""
    level = messages.SUCCESS if not done.refused else messages.WARNING
    modeladmin.message_user(request, done.describe(), level)


class ClaimInline(ReadOnlyInline):
    model = Claim
    fields = ["position", "text", "score", "status", "anchor", "assignee"]
    # Status and assignee change through the lifecycle (admin actions), not here.
    readonly_fields = ["position", "text", "score", "status", "anchor", "assignee"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Claim]:
        return super().get_queryset(request).select_related("assignee").defer("reasons")


class RevisionInline(ReadOnlyInline):
    """The article's revisions, newest first: what each did to the claims (texts not loaded)."""

    model = ArticleRevision
    fields = ["number", "created_at", "created_by", "note", "changes"]
    readonly_fields = ["number", "created_at", "created_by", "note", "changes"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ArticleRevision]:
        return super().get_queryset(request).select_related("created_by").defer("body")


class ArticleFlagsFilter(admin.SimpleListFilter):
    """Articles with figures that do not add up (open consistency flags)."""

    title = _("consistency flags")
    parameter_name = "flags"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", gettext("Has flags")), ("no", gettext("No flags"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.exclude(consistency_flags=[])
        if self.value() == "no":
            return queryset.filter(consistency_flags=[])
        return queryset


@admin.register(Article)
class ArticleAdmin(BulkActionsByPermission, ReadOnlyInlinesMixin, SimpleHistoryAdmin):
    list_display = [
        "title",
        "outlet",
        "import_method",
        "external_id",
        "created_by",
        "created_at",
        "claims_link",
    ]
    list_filter = ["import_method", "language", ArticleFlagsFilter, "created_at", "published_on"]
    # Short fields only: a LIKE over every body would scan the whole table on each search.
    search_fields = ["title", "outlet", "author", "=external_id"]
    list_select_related = ["created_by"]
    readonly_fields = [
        "body",
        "body_sha256",
        "consistency_flags",
        "created_by",
        "created_at",
        "import_method",
        "revision",
    ]
    autocomplete_fields: list[str] = []
    exclude = ["extraction"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    inlines = [ClaimInline, RevisionInline]
    actions = ["reextract"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        queryset = super().get_queryset(request)
        # The list never shows bodies or extraction results; the change page loads them.
        if (
            request.resolver_match
            and request.resolver_match.url_name == "claims_article_changelist"
        ):
            queryset = queryset.defer("body", "extraction", "consistency_flags")
        return queryset

    @admin.display(description=_("claims"))
    def claims_link(self, article: Article) -> str:
        url = reverse("admin:claims_claim_changelist") + f"?article={article.pk}"
        return format_html('<a href="{}">claims</a>', url)

    @admin.action(description=_("Run claim extraction again on the chosen articles"))
    def reextract(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        done = services.articles_reextract(
            article_ids=queryset.values_list("pk", flat=True), user=request.user
        )
        self.message_user(
            request,
            _("Extraction re-run on %(articles)d article(s); %(claims)d new candidate claim(s).")
            % {"articles": done.articles, "claims": done.new_claims},
            messages.SUCCESS,
        )


class ArticleFilter(admin.SimpleListFilter):
    """Claims of one article, by its id (a list of 1,000 article links would help nobody)."""

    title = _("article")
    parameter_name = "article"
    template = "admin/input_filter.html"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("", "")]  # the input box is the choice

    def choices(self, changelist: Any) -> Any:
        """One "choice": the list's other parameters, kept as hidden inputs beside the box."""
        yield {
            "query_parts": [
                (key, value)
                for key, values in changelist.filter_params.items()
                if key not in {self.parameter_name, "p"}
                for value in values
            ]
        }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(article_id=int(value))
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    """Claims by reviewer, or nobody's."""

    title = _("assignee")
    parameter_name = "assignee"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("none", gettext("Unassigned"))] + [
            (str(user.pk), str(user.get_username())) for user in reviewers()
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        if value and value.isdigit():
            return queryset.filter(assignee_id=int(value))
        return queryset


class ConsistencyFlagsFilter(admin.SimpleListFilter):
    """Claims whose article has figures that do not add up (open consistency flags)."""

    title = _("consistency flags on the article")
    parameter_name = "flags"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", gettext("Has flags")), ("no", gettext("No flags"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        flagged = Article.objects.exclude(consistency_flags=[]).values("pk")
        if self.value() == "yes":
            return queryset.filter(article_id__in=flagged)
        if self.value() == "no":
            return queryset.exclude(article_id__in=flagged)
        return queryset


class SearchInFilter(admin.SimpleListFilter):
    """Where the search box looks: article titles and ids by default, claim text on request.

    Claim text has no index a `LIKE '%word%'` can use: searching it reads the whole table, so
    it is a choice the user makes, not the default.
    """

    title = _("search in")
    parameter_name = "search_in"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("text", gettext("Claim text and claimant (slower)"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset  # read by ClaimAdmin.get_search_results


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label=_("Reviewer"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = reviewers()  # type: ignore[attr-defined]


class ScheduleForm(forms.Form):
    priority = forms.TypedChoiceField(
        choices=[("", "(leave as it is)"), *Claim.Priority.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    due_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty to keep each claim's due date."),
    )
    clear_due_on = forms.BooleanField(required=False, label=_("Clear the due date"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("priority") is None and not data.get("due_on") and not data.get("clear_due_on"):
            raise forms.ValidationError(_("Choose a priority, a due date, or clear the due date."))
        if data.get("due_on") and data.get("clear_due_on"):
            raise forms.ValidationError(_("Set a due date or clear it, not both."))
        return data


@admin.register(Claim)
class ClaimAdmin(BulkActionsByPermission, ReadOnlyInlinesMixin, VersionedAdmin):
    list_display = [
        "__str__",
        "article_title",
        "status",
        "score_shown",
        "priority",
        "due_on",
        "assignee",
        "updated_at",
    ]
    list_display_links = ["__str__"]
    list_filter = [
        "status",
        ArticleFilter,
        AssigneeFilter,
        "priority",
        "anchor",
        ConsistencyFlagsFilter,
        "due_on",
        "created_at",
        "updated_at",
        SearchInFilter,
    ]
    # Priority, due date and assignee are edited in the list; each row's version is checked.
    list_editable = ["priority", "due_on", "assignee"]
    search_fields = ["article__title"]
    search_help_text = _(
        "Searches article titles, a claim id or a CMS article id; choose 'search in: claim "
        "text' to search the claims themselves."
    )
    list_select_related = ["article", "assignee"]
    list_per_page = 100
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    # Newest first by the primary key: the index is the order, so no sort of 100,000 rows.
    ordering = ["-pk"]
    autocomplete_fields = ["article"]
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
        "anchor",
        "revision",
        "assignee",
        "version",
        "created_at",
        "updated_at",
    ]
    actions = [
        "select_claims",
        "dismiss_claims",
        "restore_claims",
        "unassign_claims",
        "reopen_claims",
        "assign_claims",
        "schedule_claims",
        "mark_urgent",
    ]
    formfield_overrides = {models.JSONField: {"widget": forms.Textarea(attrs={"rows": 3})}}

    class Media:
        css = {"all": ["css/admin-claims.css"]}

    @admin.display(description=_("score"), ordering="score")
    def score_shown(self, claim: Claim) -> str:
        """The check-worthiness score to two places (the float's 16 digits took a column)."""
        return f"{claim.score:.2f}"

    article_title = short_column("article", _("article"), ordering="article__title")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Claim]:
        queryset = super().get_queryset(request).defer("reasons")
        return queryset.defer("article__body", "article__extraction", "article__consistency_flags")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Claim], search_term: str
    ) -> tuple[QuerySet[Claim], bool]:
        """Article titles (a small table) as a subquery, a claim or CMS id exactly, and claim
        text only when asked: never a join that makes the database read every claim."""
        term = search_term.strip()
        if not term:
            return queryset, False
        articles = Article.objects.filter(Q(title__icontains=term) | Q(external_id=term))
        # The matching articles' ids as a list when there are few, so the database reads
        # their claims by the article index instead of testing every claim against a subquery.
        found = list(articles.values_list("pk", flat=True)[: ARTICLE_IDS_INLINE + 1])
        condition = Q(
            article_id__in=found if len(found) <= ARTICLE_IDS_INLINE else articles.values("pk")
        )
        if term.isdigit():
            condition |= Q(pk=int(term))
        if request.GET.get(SearchInFilter.parameter_name) == "text":
            condition |= Q(text__icontains=term) | Q(claimant__icontains=term)
        return queryset.filter(condition), False

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "assignee":
            # Their ids, read once: every row's field copies its queryset, and copying the
            # permission joins for 100 rows cost more than this one query.
            if not hasattr(request, "_reviewer_ids"):
                request._reviewer_ids = list(  # type: ignore[attr-defined]
                    reviewers().values_list("pk", flat=True)
                )
            ids = request._reviewer_ids  # type: ignore[attr-defined]
            kwargs["queryset"] = get_user_model().objects.filter(pk__in=ids).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Claim, form: Any, change: bool) -> None:
        if change and "assignee" in getattr(form, "changed_data", ()):
            self.save_assignment(request, obj, form)
            return
        super().save_model(request, obj, form, change)

    def save_assignment(self, request: HttpRequest, obj: Claim, form: Any) -> None:
        """A list edit of the assignee: the review desk's admin sends it through its service."""
        raise NotImplementedError("reviews/admin.py registers the claim admin that assigns")

    def _move(self, request: HttpRequest, queryset: QuerySet[Claim], action: str) -> None:
        done = lifecycle.claims_transition(
            claim_ids=queryset.values("pk"),
            action=action,
            user=request.user,
            note=f"{action} (admin)",
        )
        report(self, request, done)

    @admin.action(description=_("Select the chosen claims for review"))
    def select_claims(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        self._move(request, queryset, lifecycle.Action.SELECT)

    @admin.action(description=_("Dismiss the chosen claims"))
    def dismiss_claims(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        self._move(request, queryset, lifecycle.Action.DISMISS)

    @admin.action(description=_("Restore the chosen dismissed claims as candidates"))
    def restore_claims(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        self._move(request, queryset, lifecycle.Action.RESTORE)

    @admin.action(description=_("Put the chosen claims back on the queue (unassign)"))
    def unassign_claims(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        self._move(request, queryset, lifecycle.Action.UNASSIGN)

    @admin.action(description=_("Reopen the chosen withdrawn claims for review"))
    def reopen_claims(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        self._move(request, queryset, lifecycle.Action.REOPEN)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        # Claims leave the desk by dismissal (restorable, with history), never by a bulk
        # delete that would take their evidence, verdicts and history with them.
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Assign the chosen claims to a reviewer…"))
    def assign_claims(
        self, request: HttpRequest, queryset: QuerySet[Claim]
    ) -> HttpResponseBase | None:
        def apply(data: dict[str, Any]) -> None:
            report(
                self,
                request,
                services.claims_assign(
                    claim_ids=queryset.values("pk"), user=request.user, assignee=data["assignee"]
                ),
            )

        return action_form(
            self,
            request,
            queryset,
            form_class=AssignForm,
            title=gettext("Assign claims to a reviewer"),
            apply=apply,
        )

    @admin.action(description=_("Set the priority or due date of the chosen claims…"))
    def schedule_claims(
        self, request: HttpRequest, queryset: QuerySet[Claim]
    ) -> HttpResponseBase | None:
        def apply(data: dict[str, Any]) -> None:
            report(
                self,
                request,
                services.claims_schedule(
                    claim_ids=queryset.values("pk"),
                    user=request.user,
                    priority=data.get("priority"),
                    due_on=data.get("due_on"),
                    clear_due_on=bool(data.get("clear_due_on")),
                ),
            )

        return action_form(
            self,
            request,
            queryset,
            form_class=ScheduleForm,
            title=gettext("Set priority and due date"),
            apply=apply,
        )

    @admin.action(description=_("Mark the chosen claims urgent"))
    def mark_urgent(self, request: HttpRequest, queryset: QuerySet[Claim]) -> None:
        done = services.claims_schedule(
            claim_ids=queryset.values("pk"), user=request.user, priority=Claim.Priority.URGENT
        )
        report(self, request, done)
