"""History records for writes that Django's signals never see: `QuerySet.update()` and bulk paths.

django-simple-history records `save()` and `delete()` through signals. Conditional updates (the
version check), set-based bulk actions and `bulk_create` send no signal, so every such write in
the services calls one of these right after it, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

# History notes are stored as text; this keeps one runaway note from bloating every history row.
NOTE_LIMIT = 4000
# Rows per UPDATE or history copy in set-based writes: below every database's bound-parameter
# limit (SQLite's is 32,766).
BULK_CHUNK = 5000
# The columns simple-history adds to a history table; the rest mirror the model's own.
_HISTORY_OWN = {
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
}


def chunks(ids: list[Any]) -> Iterable[list[Any]]:
    """The ids in slices of BULK_CHUNK."""
    for index in range(0, len(ids), BULK_CHUNK):
        yield ids[index : index + BULK_CHUNK]


def _actor(user: Any) -> Any:
    """The user to store on a history row: None for the system or an anonymous request."""
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def record_history(
    rows: models.QuerySet[Any] | Iterable[models.Model], *, by: Any, note: str = ""
) -> None:
    """Write one 'changed' history row per row, as it is now in the database.

    Give it a queryset (re-read after the update) or instances refreshed from the database.
    """
    objects = list(rows)
    if not objects:
        return
    model = type(objects[0])
    for instance in objects:
        # simple-history prefers these instance attributes to the defaults; an instance saved
        # earlier with `annotate_save` would otherwise lend its old actor and note to this row.
        annotate_save(instance, by=by, note=note)
    model.history.bulk_history_create(objects, update=True)


def update_with_history(
    queryset: models.QuerySet[Any], *, by: Any, note: str = "", **changes: Any
) -> list[int]:
    """A set-based `queryset.update(**changes)` that leaves one history row per changed row.

    Locks the chosen rows first, so the rows recorded are the rows changed; call it inside a
    transaction. Sets `updated_at` when the model has one. Returns the changed primary keys.
    """
    model = queryset.model
    ids = list(queryset.select_for_update().values_list("pk", flat=True))
    if not ids:
        return []
    now = timezone.now()
    if any(field.name == "updated_at" for field in model._meta.get_fields()):
        changes.setdefault("updated_at", now)
    for chunk in chunks(ids):
        model._default_manager.filter(pk__in=chunk).update(**changes)
    record_history_copy(model, ids, by=by, note=note, at=now)
    return ids


def record_history_copy(
    model: type[models.Model], ids: list[Any], *, by: Any, note: str = "", at: Any = None
) -> None:
    """One 'changed' history row per id, copied by the database with INSERT ... SELECT.

    The rows `record_history` writes (every tracked column as it is now, who, when, the note),
    without building an instance per row in Python: at 10,000 rows that took seconds, this takes
    one statement per BULK_CHUNK rows.
    """
    if not ids:
        return
    history = model.history.model  # type: ignore[attr-defined]
    ops = connection.ops
    columns = [
        field.column for field in history._meta.concrete_fields if field.name not in _HISTORY_OWN
    ]
    if set(columns) - {field.column for field in model._meta.concrete_fields}:
        # A history column the model no longer has: let simple-history build the rows.
        for chunk in chunks(ids):
            record_history(model._default_manager.filter(pk__in=chunk), by=by, note=note)
        return
    listed = ", ".join(ops.quote_name(column) for column in columns)
    own = ", ".join(
        ops.quote_name(column)
        for column in ("history_date", "history_change_reason", "history_type", "history_user_id")
    )
    actor = _actor(by)
    values = [
        ops.adapt_datetimefield_value(at or timezone.now()),
        note[:NOTE_LIMIT],
        "~",
        actor.pk if actor is not None else None,
    ]
    pk = ops.quote_name(model._meta.pk.column or "id")
    with connection.cursor() as cursor:
        for chunk in chunks(ids):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {ops.quote_name(history._meta.db_table)} ({listed}, {own}) "
                f"SELECT {listed}, %s, %s, %s, %s FROM {ops.quote_name(model._meta.db_table)} "
                f"WHERE {pk} IN ({marks})",
                [*values, *chunk],
            )


def create_with_history(
    model: type[models.Model], objects: list[Any], *, by: Any, note: str = ""
) -> list[Any]:
    """`bulk_create` that also writes one 'created' history row per object."""
    return bulk_create_with_history(
        objects, model, default_user=_actor(by), default_change_reason=note[:NOTE_LIMIT]
    )


def annotate_save(instance: models.Model, *, by: Any, note: str = "") -> None:
    """Tell the signal-driven history row of the next `save()` who did it and why."""
    instance._history_user = _actor(by)  # type: ignore[attr-defined]
    instance._change_reason = note[:NOTE_LIMIT]  # type: ignore[attr-defined]
