"""Read-side queries of the review desk: what the workspace shows, assembled for display."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext, pgettext_lazy

from claims.models import Claim
from reviews.models import Evidence, Source, Verdict, VerdictCorrection


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

    @property
    def kind_label(self) -> str:
        """The kind as the badge shows it, in the reader's language."""
        return str(KIND_LABELS.get(self.kind, self.kind))


# The badge of each kind of entry (the kind itself stays an English code, used in CSS classes).
KIND_LABELS = {
    "created": pgettext_lazy("timeline kind", "created"),
    "status": pgettext_lazy("timeline kind", "status"),
    "assignment": pgettext_lazy("timeline kind", "assignment"),
    "claim": pgettext_lazy("timeline kind", "claim"),
    "evidence": pgettext_lazy("timeline kind", "evidence"),
    "verdict": pgettext_lazy("timeline kind", "verdict"),
    "approval": pgettext_lazy("timeline kind", "approval"),
    "withdrawal": pgettext_lazy("timeline kind", "withdrawal"),
    "correction": pgettext_lazy("timeline kind", "correction"),
    "submitted": pgettext_lazy("timeline kind", "submitted"),
    "return": pgettext_lazy("timeline kind", "return"),
}

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
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return formats.date_format(local, "j M Y H:i")
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
        return "created", gettext("Claim created")
    if record.status != old.status:
        return "status", gettext("Now %(status)s") % {
            "status": str(Claim.Status(record.status).label).lower()
        }
    if record.assignee_id != old.assignee_id or record.due_on != old.due_on:
        return "assignment", gettext("Assignment changed")
    if record.priority != old.priority:
        return "assignment", gettext("Priority changed")
    return "claim", gettext("Claim changed")


def _verdict_kind(record: Any, old: Any) -> tuple[str, str]:
    if old is None:
        return "verdict", gettext("Verdict drafted")
    if record.published_at and not old.published_at:
        return "approval", gettext("Approved and published")
    if old.is_current and not record.is_current:
        return "withdrawal", gettext("Verdict withdrawn")
    if record.modified_at and record.modified_at != old.modified_at:
        return "correction", gettext("Corrected after publication")
    if record.submitted_at and not old.submitted_at:
        return "submitted", gettext("Submitted for approval")
    if record.return_note != old.return_note and record.return_note:
        return "return", gettext("Sent back to the author")
    return "verdict", gettext("Verdict edited")


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
    language = get_language()
    names: dict[str, dict[Any, str]] = {
        "assignee": {
            user.pk: user.get_full_name() or user.username
            for user in get_user_model().objects.filter(pk__in=user_ids)
        },
        "rating": {
            rating.pk: rating.label_in(language)
            for rating in Rating.objects.filter(pk__in={row.rating_id for row in verdict_rows})
        },
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
                summary=gettext("Evidence added (%(stance)s): %(what)s")
                % {"stance": stance, "what": what or gettext("a note")},
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


# The verdict's own fields and those of its claim, article, rating and people, as one row each.
_ROW_FIELDS = (
    "id",
    "summary",
    "explanation",
    "published_at",
    "modified_at",
    "claim_id",
    "claim__text",
    "claim__start",
    "claim__end",
    "claim__revision",
    "claim__anchor",
    "claim__claimant",
    "claim__article_id",
    "claim__article__title",
    "claim__article__source_url",
    "claim__article__external_id",
    "claim__article__outlet",
    "claim__article__published_on",
    "rating__label",
    "rating__claimreview_value",
    "rating__scale__name",
    "author__first_name",
    "author__last_name",
    "approved_by__first_name",
    "approved_by__last_name",
)


def verdict_rows(verdicts: QuerySet[Verdict]) -> QuerySet[Verdict, dict[str, Any]]:
    """The verdicts as flat rows of everything their CMS document shows, in one query."""
    return verdicts.values(*_ROW_FIELDS)


def verdict_documents(rows: Iterable[dict[str, Any]], *, site: str = "") -> list[dict[str, Any]]:
    """The CMS's JSON of each verdict row (from `verdict_rows`), in the rows' order.

    Steps: read the rows' evidence (with their archived sources) in one query and their
    corrections in another, then build plain dicts. No model instances are made: at 100 verdicts
    a page this keeps the API within a few times a hand-written SQL query (`make bench`).
    `site` ("https://desk.example", the request's) makes the archived copies' URLs absolute.
    """
    rows = list(rows)
    claim_ids = [row["claim_id"] for row in rows]
    iso = _iso_writer()
    # One reverse() for the page, not one per evidence item (it was a fifth of a page's time).
    before_id, after_id = reverse("api:source-snapshot", args=[0]).rsplit("/0/", 1)
    evidence: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for item in (
        Evidence.objects.filter(claim_id__in=claim_ids)
        .order_by("added_at", "pk")
        .values(
            "claim_id",
            "url",
            "quote",
            "note",
            "stance",
            "source_id",
            "source__fetch_status",
            "source__fetched_at",
            "source__body_sha256",
        )
    ):
        archived = item["source__fetch_status"] == Source.FetchStatus.FETCHED
        path = f"{before_id}/{item['source_id']}/{after_id}"
        evidence[item["claim_id"]].append(
            {
                "url": item["url"],
                "archived_url": site + path if archived else None,
                "archived_at": iso(item["source__fetched_at"]) if archived else None,
                "archived_sha256": item["source__body_sha256"] if archived else None,
                "stance": item["stance"],
                "quote": item["quote"],
                "note": item["note"],
            }
        )
    corrections: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for correction in (
        VerdictCorrection.objects.filter(verdict_id__in=[row["id"] for row in rows])
        .order_by("corrected_at", "pk")
        .values(
            "verdict_id",
            "corrected_at",
            "note",
            "previous_rating__label",
            "rating__label",
            "previous_summary",
        )
    ):
        corrections[correction["verdict_id"]].append(
            {
                "corrected_at": iso(correction["corrected_at"]),
                "note": correction["note"],
                "previous_rating": correction["previous_rating__label"],
                "rating": correction["rating__label"],
                "previous_summary": correction["previous_summary"],
            }
        )
    return [
        {
            "id": row["id"],
            "claim": {
                "id": row["claim_id"],
                "text": row["claim__text"],
                "start": row["claim__start"],
                "end": row["claim__end"],
                "revision": row["claim__revision"],
                "anchor": row["claim__anchor"],
                "claimant": row["claim__claimant"],
            },
            "article": {
                "id": row["claim__article_id"],
                "title": row["claim__article__title"],
                "url": row["claim__article__source_url"],
                "external_id": row["claim__article__external_id"],
                "outlet": row["claim__article__outlet"],
                "published_on": iso(row["claim__article__published_on"]),
            },
            "rating": {
                "label": row["rating__label"],
                "value": row["rating__claimreview_value"],
                "scale": row["rating__scale__name"],
            },
            "summary": row["summary"],
            "explanation": row["explanation"],
            "reviewer": full_name(row["author__first_name"], row["author__last_name"]),
            "approver": full_name(row["approved_by__first_name"], row["approved_by__last_name"]),
            "published_at": iso(row["published_at"]),
            "modified_at": iso(row["modified_at"]),
            "evidence": evidence[row["claim_id"]],
            "corrections": corrections[row["id"]],
        }
        for row in rows
    ]


def full_name(first: str | None, last: str | None) -> str:
    """As `User.get_full_name()` gives it."""
    return f"{first or ''} {last or ''}".strip()


def _iso_writer() -> Callable[[datetime.date | datetime.datetime | None], str | None]:
    """ISO 8601 as DRF writes it: times in the current zone, UTC as `Z`.

    The zone is looked up once per page: `timezone.localtime` per value reads a thread-local
    each time, which cost as much as the page's queries.
    """
    zone = timezone.get_current_timezone()

    def iso(value: datetime.date | datetime.datetime | None) -> str | None:
        if value is None:
            return None
        if isinstance(value, datetime.datetime):
            text = (value.astimezone(zone) if value.tzinfo else value).isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return value.isoformat()

    return iso
