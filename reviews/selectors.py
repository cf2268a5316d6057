"""Read-side queries of the review desk: what the workspace shows, assembled for display."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from claims.models import Claim
from reviews.models import Evidence, Verdict, VerdictCorrection


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened to a claim, as the timeline panel shows it."""

    when: datetime.datetime
    who: Any | None  # the user who did it; None for the system (a worker, a migration)
    kind: str  # "status", "assignment", "evidence", "verdict", "approval", "return", ...
    summary: str
    # (field label, old value, new value) for each field the change touched.
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)
    note: str = ""


# Bookkeeping columns that change on every write and mean nothing to a reader.
_QUIET = {"version", "updated_at", "created_at", "added_at", "id", "claim", "article"}
_CLAIM_FIELDS = {"status", "assignee", "priority", "due_on"}
_VERDICT_FIELDS = {"rating", "summary", "explanation", "is_current"}
MAX_ENTRIES = 200


def _display(model: Any, name: str, value: Any, names: dict[str, dict[Any, str]]) -> Any:
    """A readable value: choice labels, user names and rating labels instead of raw ids."""
    if value is None or value == "":
        return ""
    if name in names:
        return names[name].get(value, value)
    field = model._meta.get_field(name)
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%d %b %Y %H:%M")
    return value


def _changes(
    model: Any, new: Any, old: Any, fields: set[str], names: dict[str, dict[Any, str]]
) -> list[tuple[str, Any, Any]]:
    if old is None:
        return []
    delta = new.diff_against(old, included_fields=sorted(fields))
    return [
        (
            str(model._meta.get_field(change.field).verbose_name).capitalize(),
            _display(model, change.field, change.old, names),
            _display(model, change.field, change.new, names),
        )
        for change in delta.changes
        if change.field not in _QUIET
    ]


def _claim_kind(record: Any, old: Any) -> tuple[str, str]:
    if old is None:
        return "created", "Claim created"
    if record.status != old.status:
        return "status", f"Now {Claim.Status(record.status).label.lower()}"
    if record.assignee_id != old.assignee_id or record.due_on != old.due_on:
        return "assignment", "Assignment changed"
    if record.priority != old.priority:
        return "assignment", "Priority changed"
    return "claim", "Claim changed"


def _verdict_kind(record: Any, old: Any) -> tuple[str, str]:
    if old is None:
        return "verdict", "Verdict drafted"
    if record.published_at and not old.published_at:
        return "approval", "Approved and published"
    if old.is_current and not record.is_current:
        return "withdrawal", "Verdict withdrawn"
    if record.modified_at and record.modified_at != old.modified_at:
        return "correction", "Corrected after publication"
    if record.submitted_at and not old.submitted_at:
        return "submitted", "Submitted for approval"
    if record.return_note != old.return_note and record.return_note:
        return "return", "Sent back to the author"
    return "verdict", "Verdict edited"


def _pairs(records: list[Any]) -> list[tuple[Any, Any]]:
    """Each history row with the one before it for the same object (None for the first)."""
    last: dict[Any, Any] = {}
    pairs = []
    for record in records:
        pairs.append((record, last.get(record.id)))
        last[record.id] = record
    return pairs


def claim_timeline(claim: Claim) -> list[TimelineEntry]:
    """What happened to a claim and its evidence and verdicts, newest first.

    Steps: read the history rows of the claim, of its evidence and of its verdicts (three
    queries, oldest first so each row can be compared with the one before it), turn each into
    an entry with the fields it changed, then merge them newest first.
    """
    from django.contrib.auth import get_user_model

    from reviews.models import Evidence, Rating, Verdict

    claim_rows = list(
        Claim.history.filter(id=claim.pk).select_related("history_user").order_by("history_id")
    )
    evidence_rows = list(
        Evidence.history.filter(claim_id=claim.pk, history_type="+")
        .select_related("history_user")
        .order_by("history_id")
    )
    verdict_rows = list(
        Verdict.history.filter(claim_id=claim.pk)
        .select_related("history_user")
        .order_by("history_id")
    )
    user_ids = {row.assignee_id for row in claim_rows if row.assignee_id}
    names: dict[str, dict[Any, str]] = {
        "assignee": {
            user.pk: user.get_full_name() or user.username
            for user in get_user_model().objects.filter(pk__in=user_ids)
        },
        "rating": dict(
            Rating.objects.filter(pk__in={row.rating_id for row in verdict_rows}).values_list(
                "pk", "label"
            )
        ),
    }
    entries: list[TimelineEntry] = []
    for record, old in _pairs(claim_rows):
        kind, summary = _claim_kind(record, old)
        entries.append(
            TimelineEntry(
                when=record.history_date,
                who=record.history_user,
                kind=kind,
                summary=summary,
                changes=_changes(Claim, record, old, _CLAIM_FIELDS, names),
                note=_note(record),
            )
        )
    for record in evidence_rows:
        what = record.url or (record.quote[:80] + ("…" if len(record.quote) > 80 else ""))
        stance = record.get_stance_display().lower()
        entries.append(
            TimelineEntry(
                when=record.history_date,
                who=record.history_user,
                kind="evidence",
                summary=f"Evidence added ({stance}): {what or 'a note'}",
            )
        )
    for record, old in _pairs(verdict_rows):
        kind, summary = _verdict_kind(record, old)
        entries.append(
            TimelineEntry(
                when=record.history_date,
                who=record.history_user,
                kind=kind,
                summary=summary,
                changes=_changes(Verdict, record, old, _VERDICT_FIELDS, names),
                note=record.return_note if kind == "return" else _note(record),
            )
        )
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:MAX_ENTRIES]


# Notes the services write for their own bookkeeping; a reader learns nothing from them.
_ROUTINE_NOTES = {
    "select",
    "dismiss",
    "restore",
    "take",
    "submit for approval",
    "submitted",
    "approve and publish",
    "approved and published",
    "draft written",
    "draft edited",
    "drafting",
    "extracted at import",
    "evidence added",
    "unassigned",
}


def _note(record: Any) -> str:
    note = record.history_change_reason or ""
    return "" if note in _ROUTINE_NOTES or note.startswith("assigned to ") else note


def verdicts_for_cms() -> QuerySet[Verdict]:
    """Published verdicts with everything the CMS representation reads, in a fixed few queries."""
    return (
        Verdict.objects.published()
        .select_related("claim__article", "rating__scale", "author", "approved_by")
        # The CMS gets the claim and the article's title and URL, never the whole body.
        .defer(
            "claim__article__body",
            "claim__article__extraction",
            "claim__article__consistency_flags",
        )
        .prefetch_related(
            "rating__scale__ratings",
            Prefetch(
                "claim__evidence",
                queryset=Evidence.objects.select_related("source")
                .defer("source__text")
                .order_by("added_at", "pk"),
            ),
            Prefetch(
                "corrections",
                queryset=VerdictCorrection.objects.select_related("rating", "previous_rating"),
            ),
        )
    )
