"""The claim lifecycle table, cell by cell: every state × action × role, allowed or refused."""

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import lifecycle
from claims.lifecycle import Action
from claims.models import Claim
from factcheck.lib.locking import StaleVersionError
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db

S = Claim.Status

# The specification, written out independently of claims/lifecycle.py: (state, action) -> (the
# state it leads to, the role whose permission it needs). Every cell not listed is illegal.
EXPECTED: dict[tuple[str, str], tuple[str, str]] = {
    (S.CANDIDATE, Action.SELECT): (S.SELECTED, "editor"),
    (S.DISMISSED, Action.SELECT): (S.SELECTED, "editor"),
    (S.CANDIDATE, Action.DISMISS): (S.DISMISSED, "editor"),
    (S.SELECTED, Action.DISMISS): (S.DISMISSED, "editor"),
    (S.DISMISSED, Action.RESTORE): (S.CANDIDATE, "editor"),
    (S.CANDIDATE, Action.ASSIGN): (S.IN_REVIEW, "editor"),
    (S.SELECTED, Action.ASSIGN): (S.IN_REVIEW, "editor"),
    (S.IN_REVIEW, Action.ASSIGN): (S.IN_REVIEW, "editor"),
    (S.AWAITING_APPROVAL, Action.ASSIGN): (S.AWAITING_APPROVAL, "editor"),
    (S.CANDIDATE, Action.UNASSIGN): (S.SELECTED, "editor"),
    (S.SELECTED, Action.UNASSIGN): (S.SELECTED, "editor"),
    (S.IN_REVIEW, Action.UNASSIGN): (S.SELECTED, "editor"),
    (S.SELECTED, Action.TAKE): (S.IN_REVIEW, "reviewer"),
    (S.IN_REVIEW, Action.SUBMIT): (S.AWAITING_APPROVAL, "reviewer"),
    (S.AWAITING_APPROVAL, Action.RECALL): (S.IN_REVIEW, "reviewer"),
    (S.AWAITING_APPROVAL, Action.RETURN): (S.IN_REVIEW, "approver"),
    (S.AWAITING_APPROVAL, Action.APPROVE): (S.PUBLISHED, "approver"),
    (S.PUBLISHED, Action.WITHDRAW): (S.WITHDRAWN, "approver"),
    (S.WITHDRAWN, Action.REOPEN): (S.IN_REVIEW, "approver"),
}

# Which roles carry which permission (the groups of the data migration).
ROLE_CAN = {
    "no role": set(),
    "Reviewer": {"reviewer"},
    "Editor": {"reviewer", "editor", "approver"},
    "Admin": {"reviewer", "editor", "approver"},
}

CELLS = [(state, action) for state in S.values for action in Action.values]


def _user(username: str, role: str | None) -> Any:
    # No password: hashing one per user would dominate a 336-cell table.
    user = get_user_model().objects.create(username=username)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def users(db: None) -> dict[str, Any]:
    return {
        role: _user(role.replace(" ", ""), None if role == "no role" else role) for role in ROLE_CAN
    }


def test_the_table_in_the_code_is_the_specified_one() -> None:
    actual = {key: (move.to, move.permission) for key, move in lifecycle.TRANSITIONS.items()}
    permission = {
        "editor": lifecycle.EDITOR,
        "reviewer": lifecycle.REVIEWER,
        "approver": lifecycle.APPROVER,
    }
    assert actual == {key: (to, permission[role]) for key, (to, role) in EXPECTED.items()}


@pytest.mark.parametrize("role", list(ROLE_CAN))
@pytest.mark.parametrize(("state", "action"), CELLS, ids=[f"{s}-{a}" for s, a in CELLS])
def test_every_cell(users: dict[str, Any], role: str, state: str, action: str) -> None:
    claim = ClaimFactory(status=state)
    user = users[role]
    expected = EXPECTED.get((state, action))
    if expected is None:
        with pytest.raises(ValidationError) as refused:
            lifecycle.claim_transition(claim=claim, action=action, user=user)
        message = refused.value.messages[0]
        assert S(state).label.lower() in message.lower()
        assert Action(action).label in message
    elif expected[1] not in ROLE_CAN[role]:
        with pytest.raises(PermissionDenied):
            lifecycle.claim_transition(claim=claim, action=action, user=user)
    else:
        lifecycle.claim_transition(claim=claim, action=action, user=user)
        assert claim.status == expected[0]
    claim.refresh_from_db()
    assert claim.status == (expected[0] if expected and expected[1] in ROLE_CAN[role] else state)


def test_a_move_from_a_state_the_claim_has_left_is_refused(users: dict[str, Any]) -> None:
    claim = ClaimFactory(status=S.CANDIDATE)
    stale = Claim.objects.get(pk=claim.pk)
    lifecycle.claim_transition(claim=claim, action=Action.SELECT, user=users["Editor"])
    with pytest.raises(StaleVersionError):
        lifecycle.claim_transition(claim=stale, action=Action.DISMISS, user=users["Editor"])
    claim.refresh_from_db()
    assert claim.status == S.SELECTED


def test_dismissing_clears_the_assignee(users: dict[str, Any]) -> None:
    claim = ClaimFactory(status=S.SELECTED, assignee=users["Reviewer"])
    lifecycle.claim_transition(claim=claim, action=Action.DISMISS, user=users["Editor"])
    assert claim.assignee is None


def test_a_bulk_move_applies_the_table_per_state_and_reports_refusals(
    users: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    candidates = ClaimFactory.create_batch(5, status=S.CANDIDATE)
    dismissed = ClaimFactory.create_batch(3, status=S.DISMISSED)
    published = ClaimFactory.create_batch(2, status=S.PUBLISHED)
    ids = [claim.pk for claim in candidates + dismissed + published] + [10**9]
    # Set-based: a lock, one update per state and one history insert, whatever the count.
    with django_assert_max_num_queries(10):
        report = lifecycle.claims_transition(
            claim_ids=ids, action=Action.SELECT, user=users["Editor"]
        )
    assert report.changed == 8
    assert report.refused == {"published": 2, "not found": 1}
    assert "8 claim(s) updated" in report.describe() and "2 published" in report.describe()
    statuses = Claim.objects.filter(pk__in=ids).values_list("status", flat=True)
    assert sorted(statuses) == sorted([S.SELECTED] * 8 + [S.PUBLISHED] * 2)


def test_a_bulk_move_costs_the_same_queries_for_3_claims_and_for_30(
    users: dict[str, Any],
) -> None:
    def count(n: int) -> int:
        ids = [c.pk for c in ClaimFactory.create_batch(n, status=S.CANDIDATE)]
        with CaptureQueriesContext(connection) as queries:
            lifecycle.claims_transition(claim_ids=ids, action=Action.SELECT, user=users["Editor"])
        return len(queries)

    count(1)  # warms the permission cache of the user
    # (Beyond ~40 rows SQLite splits the history insert into 999-parameter batches.)
    assert count(3) == count(30)


def test_a_bulk_move_without_the_permission_changes_nothing(users: dict[str, Any]) -> None:
    claims = ClaimFactory.create_batch(3, status=S.CANDIDATE)
    with pytest.raises(PermissionDenied):
        lifecycle.claims_transition(
            claim_ids=[c.pk for c in claims], action=Action.SELECT, user=users["Reviewer"]
        )
    assert set(Claim.objects.values_list("status", flat=True)) == {S.CANDIDATE}


def test_a_bulk_summary_speaks_the_language_it_is_built_in() -> None:
    from collections import Counter

    from django.utils import translation

    with translation.override("es"):
        report = lifecycle.BulkReport(
            changed=3, refused=Counter({translation.gettext("not found"): 2})
        )
        assert (
            report.describe() == "3 afirmación(es) actualizada(s). Sin cambios: 2 no encontradas."
        )
    english = lifecycle.BulkReport(changed=1, refused=Counter({"not found": 1})).describe()
    assert english == "1 claim(s) updated. Not changed: 1 not found."
