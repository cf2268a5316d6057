"""The claim lifecycle: one table of allowed moves and the one service that writes `Claim.status`.

Every interface (newsroom views, the admin, bulk actions, tasks, the API) moves a claim through
`claim_transition` or `claims_transition`; nothing else assigns `status`. Each move is one
conditional UPDATE (the claim must still be in the state and version the caller saw) and leaves a
history record with who, when, what changed and the note.

The table is keyed by (from state, action) and says where the claim goes and which permission
the actor needs (the role: editors select and assign, reviewers research and draft, approvers
approve). Rules that need more than the claim's own row (the four-eyes rule, the draft's author)
are checked by the review desk's services before they call in here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, pgettext, pgettext_lazy

from claims.models import Claim
from factcheck.lib.history import chunks, record_history_copy
from factcheck.lib.locking import update_versioned

Status = Claim.Status


class Action(models.TextChoices):
    """What a person (or the system) does to a claim."""

    SELECT = "select", "select"
    DISMISS = "dismiss", "dismiss"
    RESTORE = "restore", "restore"
    ASSIGN = "assign", "assign"
    UNASSIGN = "unassign", "unassign"
    TAKE = "take", "take"
    SUBMIT = "submit", "submit for approval"
    RECALL = "recall", "return to draft"
    RETURN = "return", "send back"
    APPROVE = "approve", "approve and publish"
    WITHDRAW = "withdraw", "withdraw"
    REOPEN = "reopen", "reopen"


# The actions' names in messages, translated (the labels above stay English: they are stored
# as history notes, which the timeline reads).
_ACTION_NAMES = {
    Action.SELECT: pgettext_lazy("claim action", "select"),
    Action.DISMISS: pgettext_lazy("claim action", "dismiss"),
    Action.RESTORE: pgettext_lazy("claim action", "restore"),
    Action.ASSIGN: pgettext_lazy("claim action", "assign"),
    Action.UNASSIGN: pgettext_lazy("claim action", "unassign"),
    Action.TAKE: pgettext_lazy("claim action", "take"),
    Action.SUBMIT: pgettext_lazy("claim action", "submit for approval"),
    Action.RECALL: pgettext_lazy("claim action", "return to draft"),
    Action.RETURN: pgettext_lazy("claim action", "send back"),
    Action.APPROVE: pgettext_lazy("claim action", "approve and publish"),
    Action.WITHDRAW: pgettext_lazy("claim action", "withdraw"),
    Action.REOPEN: pgettext_lazy("claim action", "reopen"),
}

# The permission each role carries (see reviews/migrations/0002_default_scale_and_roles.py).
EDITOR = "claims.select_claim"
REVIEWER = "reviews.add_verdict"
APPROVER = "reviews.approve_verdict"


@dataclass(frozen=True)
class Move:
    """Where an action takes a claim from one state, and the permission it needs."""

    to: str
    permission: str


TRANSITIONS: dict[tuple[str, str], Move] = {
    # Editors decide what gets checked.
    (Status.CANDIDATE, Action.SELECT): Move(Status.SELECTED, EDITOR),
    (Status.DISMISSED, Action.SELECT): Move(Status.SELECTED, EDITOR),
    (Status.CANDIDATE, Action.DISMISS): Move(Status.DISMISSED, EDITOR),
    (Status.SELECTED, Action.DISMISS): Move(Status.DISMISSED, EDITOR),
    (Status.DISMISSED, Action.RESTORE): Move(Status.CANDIDATE, EDITOR),
    # Editors hand claims to reviewers (assigning a candidate selects it on the way).
    (Status.CANDIDATE, Action.ASSIGN): Move(Status.IN_REVIEW, EDITOR),
    (Status.SELECTED, Action.ASSIGN): Move(Status.IN_REVIEW, EDITOR),
    (Status.IN_REVIEW, Action.ASSIGN): Move(Status.IN_REVIEW, EDITOR),
    (Status.AWAITING_APPROVAL, Action.ASSIGN): Move(Status.AWAITING_APPROVAL, EDITOR),
    (Status.CANDIDATE, Action.UNASSIGN): Move(Status.SELECTED, EDITOR),
    (Status.SELECTED, Action.UNASSIGN): Move(Status.SELECTED, EDITOR),
    (Status.IN_REVIEW, Action.UNASSIGN): Move(Status.SELECTED, EDITOR),
    # Reviewers take claims from the queue, research, draft and submit.
    (Status.SELECTED, Action.TAKE): Move(Status.IN_REVIEW, REVIEWER),
    (Status.IN_REVIEW, Action.SUBMIT): Move(Status.AWAITING_APPROVAL, REVIEWER),
    (Status.AWAITING_APPROVAL, Action.RECALL): Move(Status.IN_REVIEW, REVIEWER),
    # A second person approves or sends back; published verdicts can be withdrawn and redone.
    (Status.AWAITING_APPROVAL, Action.RETURN): Move(Status.IN_REVIEW, APPROVER),
    (Status.AWAITING_APPROVAL, Action.APPROVE): Move(Status.PUBLISHED, APPROVER),
    (Status.PUBLISHED, Action.WITHDRAW): Move(Status.WITHDRAWN, APPROVER),
    (Status.WITHDRAWN, Action.REOPEN): Move(Status.IN_REVIEW, APPROVER),
}

# Actions that take the claim off a reviewer's desk or put it on one.
_CLEARS_ASSIGNEE = {Action.DISMISS, Action.RESTORE, Action.UNASSIGN}


def move_for(*, status: str, action: str) -> Move:
    """The table's cell for (status, action); ValidationError naming both when there is none."""
    move = TRANSITIONS.get((status, action))
    if move is None:
        raise ValidationError(
            gettext(
                "A claim that is %(status)s cannot be %(done)s: '%(action)s' is not allowed "
                "from '%(status_label)s'."
            )
            % {
                "status": Status(status).label.lower(),
                "done": _past_participle(action),
                "action": _ACTION_NAMES[Action(action)],
                "status_label": Status(status).label,
            },
            code="illegal_transition",
        )
    return move


def _past_participle(action: str) -> str:
    return {
        Action.SELECT: pgettext("claim", "selected"),
        Action.DISMISS: pgettext("claim", "dismissed"),
        Action.RESTORE: pgettext("claim", "restored"),
        Action.ASSIGN: pgettext("claim", "assigned"),
        Action.UNASSIGN: pgettext("claim", "unassigned"),
        Action.TAKE: pgettext("claim", "taken"),
        Action.SUBMIT: pgettext("claim", "submitted"),
        Action.RECALL: pgettext("claim", "returned to draft"),
        Action.RETURN: pgettext("claim", "sent back"),
        Action.APPROVE: pgettext("claim", "approved"),
        Action.WITHDRAW: pgettext("claim", "withdrawn"),
        Action.REOPEN: pgettext("claim", "reopened"),
    }[Action(action)]


def _require(user: Any, move: Move) -> None:
    if user is not None and not user.has_perm(move.permission):
        raise PermissionDenied(f"You need the permission {move.permission!r} for this.")


@transaction.atomic
def claim_transition(
    *,
    claim: Claim,
    action: str,
    user: Any,
    expected_version: int | None = None,
    note: str = "",
    **changes: Any,
) -> Claim:
    """Move one claim by the table, with other field changes, in one conditional UPDATE.

    Steps: look the cell up for the state the caller saw (refused with a message naming the
    state and the action), check the actor's permission, then update only if the row still has
    that state and version (StaleVersionError otherwise), and record history with the note.
    `user=None` means the system itself (a task), which needs no permission.
    """
    move = move_for(status=claim.status, action=action)
    _require(user, move)
    if action in _CLEARS_ASSIGNEE:
        changes.setdefault("assignee", None)
    update_versioned(
        claim,
        expected_version=claim.version if expected_version is None else expected_version,
        condition=models.Q(status=claim.status),
        by=user,
        note=note or Action(action).label,
        status=move.to,
        **changes,
    )
    return claim


@dataclass
class BulkReport:
    """What a bulk move did: how many claims moved, and how many were refused and why."""

    changed: int = 0
    refused: Counter[str] = field(default_factory=Counter)

    @property
    def refused_count(self) -> int:
        return sum(self.refused.values())

    def describe(self, done: str | None = None) -> str:
        """One sentence for a message: the count moved and each refusal reason with its count.

        `done` and the refusal reasons arrive translated (they are built in the request's
        language); this adds the frame around them in the same language.
        """
        what = done if done is not None else gettext("claim(s) updated")
        text = gettext("%(count)d %(done)s.") % {"count": self.changed, "done": what}
        if self.refused:
            reasons = "; ".join(f"{count} {reason}" for reason, count in self.refused.items())
            text += " " + gettext("Not changed: %(reasons)s.") % {"reasons": reasons}
        return text


@transaction.atomic
def claims_transition(
    *,
    claim_ids: Iterable[int] | models.QuerySet[Any],
    action: str,
    user: Any,
    note: str = "",
    changes: Mapping[str, Any] | None = None,
    refuse: Mapping[str, models.Q] | None = None,
) -> BulkReport:
    """Move many claims by the same action with a few set-based queries, history included.

    Steps: lock the chosen rows (`claim_ids` may be a queryset of primary keys: "select all"
    across pages stays one subquery), refuse the rows matching a `refuse` condition (reason ->
    condition, counted under that reason), group the rest by state, refuse the states the table
    does not allow (counted by state), check the permission once per allowed cell, then one
    UPDATE per allowed state (in chunks) with the extra `changes`, and one bulk insert of
    history rows.
    """
    report = BulkReport()
    if isinstance(claim_ids, models.QuerySet):
        chosen = Claim.objects.filter(pk__in=claim_ids)
        requested: int | None = None
    else:
        ids = list(claim_ids)
        chosen = Claim.objects.filter(pk__in=ids)
        requested = len(ids)
    rows = list(chosen.select_for_update().values_list("pk", "status").order_by("pk"))
    refused_ids: set[int] = set()
    for reason, condition in (refuse or {}).items():
        hits = set(chosen.filter(condition).values_list("pk", flat=True)) - refused_ids
        if hits:
            report.refused[reason] += len(hits)
            refused_ids |= hits
    by_status: dict[str, list[int]] = {}
    for pk, status in rows:
        if pk not in refused_ids:
            by_status.setdefault(status, []).append(pk)
    now = timezone.now()
    moved: list[int] = []
    for status, pks in by_status.items():
        move = TRANSITIONS.get((status, action))
        if move is None:
            report.refused[f"{Status(status).label.lower()}"] += len(pks)
            continue
        _require(user, move)
        update: dict[str, Any] = {"status": move.to, **(changes or {})}
        if action in _CLEARS_ASSIGNEE:
            update["assignee"] = None
        for chunk in chunks(pks):
            report.changed += Claim.objects.filter(pk__in=chunk, status=status).update(
                version=F("version") + 1, updated_at=now, **update
            )
        moved.extend(pks)
    missing = (requested - len(rows)) if requested is not None else 0
    if missing:
        report.refused[gettext("not found")] += missing
    record_history_copy(Claim, moved, by=user, note=note or action, at=now)
    return report
