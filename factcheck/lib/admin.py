"""Admin base classes shared by both apps: change forms that cannot lose a concurrent edit."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin


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


class VersionedAdmin(SimpleHistoryAdmin):
    """A ModelAdmin whose change form cannot lose a concurrent edit, with each object's history."""

    form = VersionedAdminForm

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            # The form's clean() checked the version under the row lock of this transaction.
            obj.version = form.cleaned_data["seen_version"] + 1
        super().save_model(request, obj, form, change)
