"""Optimistic locking: a change applies only to the version of the row the user saw."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from factcheck.lib.history import record_history


class StaleVersionError(ValidationError):
    """The row changed since the user loaded it (or is no longer in a state that allows this)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "Someone else changed this since you opened it. Reload the page to see their "
            "change, then try again.",
            code="conflict",
        )


def update_versioned(
    instance: models.Model,
    *,
    expected_version: int,
    by: Any,
    note: str = "",
    condition: Q | None = None,
    **changes: Any,
) -> None:
    """Apply `changes` to the row only if it still has `expected_version` (and `condition`).

    One conditional UPDATE, so two concurrent edits can never both win; the loser gets a
    StaleVersionError. The instance is refreshed from the database afterwards and, when the
    model keeps history, a history row records the change with `by` (None: the system) and
    `note`: an UPDATE sends no signal, so nothing else would.
    """
    model = type(instance)
    query = Q(pk=instance.pk, version=expected_version)
    if condition is not None:
        query &= condition
    if any(field.name == "updated_at" for field in model._meta.get_fields()):
        changes.setdefault("updated_at", timezone.now())
    updated = model._default_manager.filter(query).update(version=F("version") + 1, **changes)
    if updated == 0:
        raise StaleVersionError()
    instance.refresh_from_db()
    if hasattr(model, "history"):
        record_history([instance], by=by, note=note)
