"""Admin base classes shared by both apps: change forms and list edits that cannot lose an edit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.paginator import Paginator
from django.db import connections, router, transaction
from django.forms.boundfield import BoundField
from django.forms.models import BaseModelFormSet
from django.forms.utils import ErrorList, flatatt
from django.http import HttpRequest, HttpResponseBase
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_lazy, gettext_noop
from import_export import resources  # type: ignore[import-untyped]
from simple_history.admin import SimpleHistoryAdmin

STALE_MESSAGE = gettext_noop(
    "Someone else changed this since you opened it. Reload the page to see their change, "
    "then make yours again."
)
MISSING_VERSION_MESSAGE = gettext_noop(
    "This form did not say which version you saw, so it was not saved. Reload the page and "
    "make your change again."
)


class SeenVersionField(forms.IntegerField):
    """The version a form was opened at: bookkeeping that never counts as a change by itself."""

    widget = forms.HiddenInput

    def has_changed(self, initial: Any, data: Any) -> bool:
        return False


class VersionedAdminForm(forms.ModelForm):
    """Carries the version the admin user saw, so a stale change is refused, not saved over.

    The version is required on every form of an existing row: a POST without it is refused,
    since "no version" would otherwise mean "overwrite whatever is there".
    """

    seen_version = SeenVersionField(
        required=False, error_messages={"required": gettext_lazy(MISSING_VERSION_MESSAGE)}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].required = True
            if not self.is_bound:
                self.fields["seen_version"].initial = self.instance.version

    def needs_version_check(self) -> bool:
        """Whether this form will save: the change form always does."""
        return True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.instance.pk:
            return data
        if data.get("seen_version") is None:
            # The field error sits on a hidden input; say it where the user can see it.
            raise forms.ValidationError(gettext(MISSING_VERSION_MESSAGE))
        if not self.needs_version_check():
            return data
        model = type(self.instance)
        # The admin view runs in a transaction: the row lock keeps the check and the save
        # together on PostgreSQL, and SQLite's IMMEDIATE transactions serialise writers.
        current = (
            model._default_manager.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("version", flat=True)
            .first()
        )
        if current != data["seen_version"]:
            raise forms.ValidationError(gettext(STALE_MESSAGE))
        return data


class QuietErrorList(ErrorList):
    """An error list that renders nothing, without a template, when it is empty.

    The changelist prints every editable cell's errors; 300 empty lists each rendered through
    a template were a fifth of a 100-row page.
    """

    def __str__(self) -> SafeString:
        return super().__str__() if self.data else SafeString("")


class VersionedChangelistForm(VersionedAdminForm):
    """One row of a `list_editable` changelist, with the version of the row as it was listed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("error_class", QuietErrorList)
        super().__init__(*args, **kwargs)

    def needs_version_check(self) -> bool:
        # The changelist saves only rows whose values differ from the database now. A stale
        # row the user did not touch differs too (it carries the old value) and is refused.
        return self.has_changed()


class _PkWithSeenVersion(BoundField):
    """The row's hidden pk input followed by its hidden version input.

    The changelist renders only each row's pk among the hidden fields (and only the
    list_editable fields), so the version rides along with the pk.
    """

    def __str__(self) -> SafeString:
        return format_html("{}{}", self.as_widget(), self.form["seen_version"].as_widget())

    __html__ = __str__


class DirectRenderMixin:
    """Renders a select or an input with `format_html` instead of the template engine.

    A 100-row list with three editable columns renders 500 widgets; through templates
    (one template per widget and one per option) that was most of the page's time. The HTML
    is the same as Django's, every value escaped by `format_html`.
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        attributes = flatatt({key: val for key, val in widget["attrs"].items() if val is not False})
        if isinstance(self, forms.Select):
            options = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    (option["value"], " selected" if option["selected"] else "", option["label"])
                    for _group, group_options, _index in widget["optgroups"]
                    for option in group_options
                ),
            )
            return format_html(
                '<select name="{}"{}>{}</select>', widget["name"], attributes, options
            )
        value_attr = (
            format_html(' value="{}"', widget["value"]) if widget["value"] is not None else ""
        )
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            widget["name"],
            value_attr,
            attributes,
        )


_DIRECT_CLASSES: dict[type, type] = {}


def direct_render(widget: forms.Widget) -> forms.Widget:
    """The widget (unwrapped from the admin's related-object links) rendered directly."""
    widget = (
        getattr(widget, "widget", widget)
        if isinstance(widget, RelatedFieldWidgetWrapper)
        else widget
    )
    simple = isinstance(widget, forms.widgets.Input) or (
        isinstance(widget, forms.Select) and not isinstance(widget, forms.SelectMultiple)
    )
    if simple and not isinstance(widget, DirectRenderMixin):
        base = type(widget)
        if base not in _DIRECT_CLASSES:
            _DIRECT_CLASSES[base] = type(f"Direct{base.__name__}", (DirectRenderMixin, base), {})
        widget.__class__ = _DIRECT_CLASSES[base]
    return widget


class VersionedChangelistFormSet(BaseModelFormSet):
    """The changelist formset: every row form carries its version next to its pk.

    Its rows share one evaluated list of choices per foreign key: each row's select would
    otherwise run its own query (100 rows, 100 queries for the assignee list).
    """

    def add_fields(self, form: forms.ModelForm[Any], index: int | None) -> None:
        super().add_fields(form, index)
        form.fields[form.instance._meta.pk.name].bound_field_class = _PkWithSeenVersion
        shared: dict[str, list[Any]] = self.__dict__.setdefault("_shared_choices", {})
        for name, field in form.fields.items():
            if isinstance(field, forms.ModelChoiceField) and name in (form._meta.fields or ()):
                if name not in shared:
                    # iter(): list() of the iterator itself would ask its length, a COUNT query.
                    shared[name] = list(iter(cast(Any, field.choices)))
                field.choices = shared[name]
            field.widget = direct_render(field.widget)


class VersionedAdmin(SimpleHistoryAdmin):
    """A ModelAdmin whose change form and list edits cannot lose a concurrent edit."""

    form = VersionedAdminForm

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs.setdefault("form", VersionedChangelistForm)
        return super().get_changelist_form(request, **kwargs)

    def get_changelist_formset(self, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs.setdefault("formset", VersionedChangelistFormSet)
        return super().get_changelist_formset(request, **kwargs)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponseBase:
        if request.method == "POST" and "_save" in request.POST:
            # Django saves list edits in a transaction but validates them before it; one
            # transaction around both keeps each row's version check and its save together.
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super().changelist_view(request, extra_context)
        return super().changelist_view(request, extra_context)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            # The form's clean() checked the version under the row lock of this transaction.
            obj.version = form.cleaned_data["seen_version"] + 1
        super().save_model(request, obj, form, change)


class BulkActionsByPermission:
    """Admin mixin: bulk actions only for users holding `bulk_permission` (editors, admins).

    Reviewers may browse the admin lists their role can view, but never act on many rows.
    """

    bulk_permission = "claims.select_claim"

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions: dict[str, Any] = super().get_actions(request)  # type: ignore[misc]
        if not request.user.has_perm(self.bulk_permission):
            return {}
        return actions

    def action_checkbox(self, obj: Any) -> SafeString:
        """Each row's tick box, as Django renders it, without a template per row."""
        # Django's own msgid, so its catalogue and ours translate it alike.
        label = gettext("Select this object for an action - {}").format(obj)
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            obj.pk,
            label,
        )


class EstimatedCountPaginator(Paginator):
    """A paginator that reads PostgreSQL's row estimate for an unfiltered big table.

    `COUNT(*)` over 100,000 rows on every page view costs more than the page itself; the
    planner's estimate (kept fresh by autovacuum) is plenty for "about N results, page k".
    Filtered lists, and every list on SQLite, are counted exactly.
    """

    ESTIMATE_ABOVE = 10_000

    @property
    def count(self) -> int:
        if "_count" not in self.__dict__:
            self.__dict__["_count"] = self._estimate() or super().count
        return int(self.__dict__["_count"])

    def _estimate(self) -> int | None:
        queryset = cast(Any, self.object_list)
        query = getattr(queryset, "query", None)
        if query is None or query.where or getattr(queryset, "db", None) is None:
            return None
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return None
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                [queryset.model._meta.db_table],
            )
            row = cursor.fetchone()
        estimate = int(row[0]) if row else -1
        return estimate if estimate >= self.ESTIMATE_ABOVE else None


# Cells a spreadsheet would read as a formula (OWASP "CSV injection"): =, +, -, @, and the
# tab and carriage return some spreadsheets strip before looking.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: Any) -> Any:
    """Prefix a text cell that a spreadsheet would run as a formula with a single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unneutralise_formula(value: Any) -> Any:
    """Undo `neutralise_formula` on a cell read back from an exported file."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


class ReadOnlyInline(admin.TabularInline):
    """An inline that shows related rows and links to them; changes go through their own page."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class FormulaSafeResource(resources.ModelResource):
    """A django-import-export resource whose exported text cells can never run as formulas.

    The library's own escaping is off by default and partial when on; every exported cell
    passes through `neutralise_formula` here, in CSV and XLSX alike.
    """

    def export_field(self, field: Any, instance: Any, **kwargs: Any) -> Any:
        return neutralise_formula(super().export_field(field, instance, **kwargs))


def action_form(
    modeladmin: admin.ModelAdmin[Any],
    request: HttpRequest,
    queryset: Any,
    *,
    form_class: type[forms.Form],
    title: str,
    apply: Any,
) -> HttpResponseBase | None:
    """Run a bulk action that needs more input (whom to assign, a note) through a form page.

    The first POST (from the changelist) shows the form; the form posts back to the same
    changelist URL with the action, the chosen rows (or `select_across`) and `apply`. A valid
    form calls `apply(cleaned_data)`; the admin then redirects back to the list.
    """
    form = form_class(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        apply(form.cleaned_data)
        return None
    select_across = request.POST.get("select_across") == "1"
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.model._meta,
        "form": form,
        "action": request.POST.get("action", ""),
        "select_across": select_across,
        "selected": [] if select_across else request.POST.getlist(ACTION_CHECKBOX_NAME),
        "chosen": queryset.count(),
    }
    return TemplateResponse(request, "admin/bulk_action_form.html", context)


class ReadOnlyInlinesMixin:
    """Admin mixin: read-only inlines are shown on the change page but never posted back.

    They have nothing to save, and leaving them out of the POST keeps a change form (and its
    version check) independent of how many related rows the object has.
    """

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        inlines: list[Any] = super().get_inline_instances(request, obj)  # type: ignore[misc]
        if request.method == "POST":
            return [inline for inline in inlines if not isinstance(inline, ReadOnlyInline)]
        return inlines


def short_column(
    field: str, description: Any, *, ordering: str | None = None, chars: int = 40
) -> Callable[[Any, Any], SafeString]:
    """A changelist column for a related object's text, cut to ``chars`` and free to wrap.

    Django renders a foreign-key column ``nowrap``, so a claim's or an article's whole text
    widened it until the row's own text was squeezed into a sliver; this column shows the start
    and keeps the whole text in its tooltip. Use as ``claim_short = short_column("claim", ...)``
    and name ``claim_short`` in ``list_display``.
    """

    @admin.display(description=description, ordering=ordering or field)
    def column(model_admin: Any, obj: Any) -> SafeString:
        related = getattr(obj, field)
        text = "" if related is None else str(related)
        return format_html('<span title="{}">{}</span>', text, Truncator(text).chars(chars))

    return column
