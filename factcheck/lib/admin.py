"""Admin base classes shared by both apps: change forms and list edits that cannot lose an edit."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import router, transaction
from django.forms.boundfield import BoundField
from django.forms.models import BaseModelFormSet
from django.http import HttpRequest, HttpResponseBase
from django.utils.html import format_html
from django.utils.safestring import SafeString
from simple_history.admin import SimpleHistoryAdmin

STALE_MESSAGE = (
    "Someone else changed this since you opened it. Reload the page to see their change, "
    "then make yours again."
)
MISSING_VERSION_MESSAGE = (
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
        required=False, error_messages={"required": MISSING_VERSION_MESSAGE}
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
            raise forms.ValidationError(MISSING_VERSION_MESSAGE)
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
            raise forms.ValidationError(STALE_MESSAGE)
        return data


class VersionedChangelistForm(VersionedAdminForm):
    """One row of a `list_editable` changelist, with the version of the row as it was listed."""

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


class VersionedChangelistFormSet(BaseModelFormSet):
    """The changelist formset: every row form carries its version next to its pk."""

    def add_fields(self, form: forms.ModelForm[Any], index: int | None) -> None:
        super().add_fields(form, index)
        form.fields[form.instance._meta.pk.name].bound_field_class = _PkWithSeenVersion


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
