"""The refusals and failure paths of the review desk's services, asserted by their outcomes.

Assignment, verdict save/submit/return/withdraw and evidence refusals leave every row as it was;
source fetches that time out or cannot connect go back to pending until their attempts run out,
the task re-queues them with a growing countdown, and the beat sweep reaches a real worker
through the real broker under the name the beat schedule uses.
"""

import datetime
import socket
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from claims.models import Claim
from factcheck.celery import app as celery_app
from factcheck.lib.locking import StaleVersionError
from reviews import services
from reviews.models import Evidence, Source, Verdict
from reviews.tasks import source_fetch_task
from tests.factories import (
    ClaimFactory,
    EvidenceFactory,
    SourceFactory,
    UserFactory,
    default_rating,
)
from tests.polling import poll

pytestmark = pytest.mark.django_db

SWEEP_ENTRY = "sweep-stale-sources"


@pytest.fixture
def second_reviewer(db: None) -> Any:
    return UserFactory(username="second-reviewer", role="Reviewer")


def _snapshot(claim: Claim) -> tuple[Any, ...]:
    claim = Claim.objects.get(pk=claim.pk)
    return (claim.status, claim.assignee_id, claim.priority, claim.due_on, claim.version)


def _verdict_snapshot(verdict: Verdict) -> tuple[Any, ...]:
    verdict = Verdict.objects.get(pk=verdict.pk)
    return (
        verdict.summary,
        verdict.version,
        verdict.submitted_at,
        verdict.published_at,
        verdict.is_current,
        verdict.return_note,
    )


def _draft(author: Any, summary: str = "Wrong.") -> Verdict:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    return services.verdict_save(claim=claim, user=author, rating=default_rating(), summary=summary)


def _submitted(author: Any) -> Verdict:
    return services.verdict_submit(verdict=_draft(author), user=author)


def _published(author: Any, approver: Any) -> Verdict:
    verdict = _submitted(author)
    source = SourceFactory(fetch_status=Source.FetchStatus.FETCHED)  # approval needs an archive
    EvidenceFactory(claim=verdict.claim, source=source, url=source.url)
    return services.verdict_approve(verdict=verdict, user=approver)


# --- Assignment ----------------------------------------------------------------------------------


def test_assigning_to_an_account_that_is_not_a_reviewer_is_refused(editor: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    before = _snapshot(claim)
    cms = UserFactory(username="cms-integration")
    with pytest.raises(ValidationError) as caught:
        services.claim_assign(
            claim=claim, user=editor, assignee=cms, priority=Claim.Priority.HIGH, due_on=None
        )
    assert "not a reviewer" in caught.value.message_dict["assignee"][0]
    assert _snapshot(claim) == before


@pytest.mark.parametrize("status", [Claim.Status.PUBLISHED, Claim.Status.DISMISSED])
def test_assigning_a_closed_claim_is_refused(editor: Any, reviewer: Any, status: str) -> None:
    claim = ClaimFactory(status=status)
    before = _snapshot(claim)
    with pytest.raises(ValidationError, match="cannot be assigned"):
        services.claim_assign(
            claim=claim, user=editor, assignee=reviewer, priority=Claim.Priority.HIGH, due_on=None
        )
    assert _snapshot(claim) == before


def test_assigning_on_a_stale_version_is_refused(editor: Any, reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    seen = claim.version
    services.claim_assign(
        claim=claim, user=editor, assignee=None, priority=Claim.Priority.URGENT, due_on=None
    )
    before = _snapshot(claim)
    with pytest.raises(StaleVersionError):
        services.claim_assign(
            claim=Claim.objects.get(pk=claim.pk),
            user=editor,
            assignee=reviewer,
            priority=Claim.Priority.LOW,
            due_on=None,
            expected_version=seen,
        )
    assert _snapshot(claim) == before


def test_a_reviewer_cannot_assign(reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    before = _snapshot(claim)
    with pytest.raises(PermissionDenied):
        services.claim_assign(
            claim=claim, user=reviewer, assignee=reviewer, priority=Claim.Priority.HIGH, due_on=None
        )
    assert _snapshot(claim) == before


# --- Evidence ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [{}, {"url": "", "quote": "", "note": ""}, {"url": "  ", "quote": " \n", "note": "\t"}],
    ids=["nothing", "empty", "whitespace"],
)
def test_evidence_with_nothing_in_it_is_refused(reviewer: Any, content: dict[str, str]) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    before = _snapshot(claim)
    with pytest.raises(ValidationError, match="at least a URL, a quote or a note"):
        services.evidence_add(claim=claim, user=reviewer, **content)
    assert not Evidence.objects.exists() and not Source.objects.exists()
    assert _snapshot(claim) == before


def test_evidence_on_a_published_claim_is_refused(reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.PUBLISHED)
    with pytest.raises(ValidationError):
        services.evidence_add(claim=claim, user=reviewer, note="Too late.")
    assert not Evidence.objects.exists()


def test_an_account_without_a_role_cannot_add_evidence() -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    with pytest.raises(PermissionDenied):
        services.evidence_add(claim=claim, user=UserFactory(username="cms"), note="Hello.")
    assert not Evidence.objects.exists()


# --- Verdict save --------------------------------------------------------------------------------


def test_saving_needs_the_reviewer_role() -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    with pytest.raises(PermissionDenied):
        services.verdict_save(
            claim=claim, user=UserFactory(username="cms"), rating=default_rating(), summary="x"
        )
    assert not Verdict.objects.exists()


@pytest.mark.parametrize("summary", ["", "   ", "\n\t"])
def test_saving_without_a_summary_is_refused(reviewer: Any, summary: str) -> None:
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    before = _snapshot(claim)
    with pytest.raises(ValidationError) as caught:
        services.verdict_save(claim=claim, user=reviewer, rating=default_rating(), summary=summary)
    assert "summary" in caught.value.message_dict
    assert not Verdict.objects.exists()
    assert _snapshot(claim) == before


def test_saving_over_someone_elses_draft_is_refused(reviewer: Any, second_reviewer: Any) -> None:
    verdict = _draft(reviewer, summary="Mine.")
    before = _verdict_snapshot(verdict)
    with pytest.raises(ValidationError):
        services.verdict_save(
            claim=verdict.claim, user=second_reviewer, rating=default_rating(), summary="Theirs."
        )
    assert _verdict_snapshot(verdict) == before
    assert Claim.objects.get(pk=verdict.claim_id).assignee == reviewer


def test_saving_on_a_stale_version_changes_neither_the_draft_nor_the_claim(reviewer: Any) -> None:
    verdict = _draft(reviewer, summary="First.")
    seen = verdict.version
    services.verdict_save(
        claim=verdict.claim, user=reviewer, rating=default_rating(), summary="Second."
    )
    submitted = services.verdict_submit(verdict=Verdict.objects.get(pk=verdict.pk), user=reviewer)
    claim_before = _snapshot(submitted.claim)
    verdict_before = _verdict_snapshot(verdict)
    with pytest.raises(StaleVersionError):
        services.verdict_save(
            claim=Claim.objects.get(pk=verdict.claim_id),
            user=reviewer,
            rating=default_rating(),
            summary="Third.",
            expected_version=seen,
        )
    assert _verdict_snapshot(verdict) == verdict_before
    assert _snapshot(submitted.claim) == claim_before  # still awaiting approval


def test_a_published_verdict_cannot_be_edited(editor: Any, reviewer: Any) -> None:
    verdict = _published(reviewer, editor)
    before = _verdict_snapshot(verdict)
    with pytest.raises(ValidationError):
        services.verdict_save(
            claim=Claim.objects.get(pk=verdict.claim_id),
            user=reviewer,
            rating=default_rating("True"),
            summary="Changed my mind.",
        )
    assert _verdict_snapshot(verdict) == before
    assert list(Verdict.objects.published()) == [verdict]


def test_drafting_on_a_dismissed_claim_is_refused(reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.DISMISSED)
    with pytest.raises(ValidationError):
        services.verdict_save(claim=claim, user=reviewer, rating=default_rating(), summary="x")
    assert not Verdict.objects.exists()


# --- Submit --------------------------------------------------------------------------------------


def test_only_the_author_submits(reviewer: Any, second_reviewer: Any) -> None:
    verdict = _draft(reviewer)
    before = _verdict_snapshot(verdict), _snapshot(verdict.claim)
    with pytest.raises(ValidationError, match="Only the author"):
        services.verdict_submit(verdict=verdict, user=second_reviewer)
    assert (_verdict_snapshot(verdict), _snapshot(verdict.claim)) == before


def test_a_submitted_verdict_cannot_be_submitted_again(reviewer: Any) -> None:
    verdict = _submitted(reviewer)
    before = _verdict_snapshot(verdict)
    with pytest.raises(ValidationError, match="already submitted"):
        services.verdict_submit(verdict=Verdict.objects.get(pk=verdict.pk), user=reviewer)
    assert _verdict_snapshot(verdict) == before


def test_a_published_verdict_cannot_be_submitted(editor: Any, reviewer: Any) -> None:
    verdict = _published(reviewer, editor)
    with pytest.raises(ValidationError):
        services.verdict_submit(verdict=Verdict.objects.get(pk=verdict.pk), user=reviewer)
    assert Claim.objects.get(pk=verdict.claim_id).status == Claim.Status.PUBLISHED


# --- Return --------------------------------------------------------------------------------------


def test_returning_needs_the_approver_role(reviewer: Any, second_reviewer: Any) -> None:
    verdict = _submitted(reviewer)
    before = _verdict_snapshot(verdict)
    with pytest.raises(PermissionDenied):
        services.verdict_return(verdict=verdict, user=second_reviewer, note="No.")
    assert _verdict_snapshot(verdict) == before


@pytest.mark.parametrize("note", ["", "   "])
def test_returning_without_a_note_is_refused(editor: Any, reviewer: Any, note: str) -> None:
    verdict = _submitted(reviewer)
    before = _verdict_snapshot(verdict), _snapshot(verdict.claim)
    with pytest.raises(ValidationError) as caught:
        services.verdict_return(verdict=verdict, user=editor, note=note)
    assert "note" in caught.value.message_dict
    assert (_verdict_snapshot(verdict), _snapshot(verdict.claim)) == before


def test_a_draft_that_was_not_submitted_cannot_be_returned(editor: Any, reviewer: Any) -> None:
    verdict = _draft(reviewer)
    before = _verdict_snapshot(verdict), _snapshot(verdict.claim)
    with pytest.raises(ValidationError, match="submitted"):
        services.verdict_return(verdict=verdict, user=editor, note="Why?")
    assert (_verdict_snapshot(verdict), _snapshot(verdict.claim)) == before


def test_a_published_verdict_cannot_be_returned(editor: Any, reviewer: Any) -> None:
    verdict = _published(reviewer, editor)
    with pytest.raises(ValidationError):
        services.verdict_return(
            verdict=Verdict.objects.get(pk=verdict.pk), user=editor, note="Oops."
        )
    assert list(Verdict.objects.published()) == [verdict]


def test_returning_a_draft_changed_since_it_was_read_is_refused(editor: Any, reviewer: Any) -> None:
    verdict = _submitted(reviewer)
    seen = verdict.version
    services.verdict_save(
        claim=Claim.objects.get(pk=verdict.claim_id),
        user=reviewer,
        rating=default_rating("True"),
        summary="Rewritten.",
    )
    resubmitted = services.verdict_submit(verdict=Verdict.objects.get(pk=verdict.pk), user=reviewer)
    before = _verdict_snapshot(resubmitted)
    with pytest.raises(StaleVersionError):
        services.verdict_return(
            verdict=Verdict.objects.get(pk=verdict.pk),
            user=editor,
            note="About the old text.",
            expected_version=seen,
        )
    assert _verdict_snapshot(resubmitted) == before


# --- Withdraw ------------------------------------------------------------------------------------


def test_withdrawing_takes_the_verdict_out_of_the_published_list(
    editor: Any, reviewer: Any
) -> None:
    verdict = _published(reviewer, editor)
    assert services.verdicts_withdraw(verdict_ids=[verdict.pk], user=editor) == 1
    verdict.refresh_from_db()
    assert not verdict.is_current
    assert Claim.objects.get(pk=verdict.claim_id).status != Claim.Status.PUBLISHED
    assert not Verdict.objects.published().exists()


def test_withdrawing_needs_the_approver_role(editor: Any, reviewer: Any) -> None:
    verdict = _published(reviewer, editor)
    with pytest.raises(PermissionDenied):
        services.verdicts_withdraw(verdict_ids=[verdict.pk], user=reviewer)
    assert list(Verdict.objects.published()) == [verdict]
    assert Claim.objects.get(pk=verdict.claim_id).status == Claim.Status.PUBLISHED


def test_withdrawing_twice_withdraws_once(editor: Any, reviewer: Any) -> None:
    verdict = _published(reviewer, editor)
    services.verdicts_withdraw(verdict_ids=[verdict.pk], user=editor)
    claim_after_first = _snapshot(verdict.claim)
    assert services.verdicts_withdraw(verdict_ids=[verdict.pk], user=editor) == 0
    assert _snapshot(verdict.claim) == claim_after_first


def test_withdrawing_a_draft_does_nothing(editor: Any, reviewer: Any) -> None:
    verdict = _draft(reviewer)
    before = _verdict_snapshot(verdict), _snapshot(verdict.claim)
    assert services.verdicts_withdraw(verdict_ids=[verdict.pk], user=editor) == 0
    assert (_verdict_snapshot(verdict), _snapshot(verdict.claim)) == before


# --- Fetch retries -------------------------------------------------------------------------------


def _closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: the connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/report"


@pytest.fixture
def quick_timeouts(settings: Any) -> None:
    settings.FACTCHECK_FETCH_TIMEOUT = 0.3
    settings.FACTCHECK_FETCH_DEADLINE = 1.0


def test_a_timeout_is_retried_until_the_attempts_run_out(
    local_server: Any, settings: Any, quick_timeouts: None
) -> None:
    settings.FACTCHECK_FETCH_MAX_ATTEMPTS = 2
    settings.FACTCHECK_FETCH_RETRY_SECONDS = 0  # due again at once
    source = SourceFactory(url=local_server.add("/slow", "<p>late</p>", delay=3.0))
    first = services.source_fetch(source_id=source.pk)
    assert first is not None
    assert first.fetch_status == Source.FetchStatus.PENDING and first.attempts == 1
    assert first.last_error and first.http_status is None
    last = services.source_fetch(source_id=source.pk)
    assert last is not None
    assert last.fetch_status == Source.FetchStatus.FAILED and last.attempts == 2
    assert services.source_fetch(source_id=source.pk) is None  # nothing left to do
    assert local_server.hits == ["/slow", "/slow"]


def test_a_refused_connection_is_retried_until_the_attempts_run_out(settings: Any) -> None:
    settings.FACTCHECK_FETCH_MAX_ATTEMPTS = 2
    settings.FACTCHECK_FETCH_RETRY_SECONDS = 0  # due again at once
    source = SourceFactory(url=_closed_port_url())
    first = services.source_fetch(source_id=source.pk)
    assert first is not None and first.fetch_status == Source.FetchStatus.PENDING
    assert first.last_error
    last = services.source_fetch(source_id=source.pk)
    assert last is not None and last.fetch_status == Source.FetchStatus.FAILED
    assert last.attempts == 2


def test_the_task_requeues_a_transient_failure_with_a_growing_countdown(settings: Any) -> None:
    settings.FACTCHECK_FETCH_MAX_ATTEMPTS = 4
    source = SourceFactory(url=_closed_port_url())
    with mock.patch("reviews.tasks.source_fetch_task.apply_async") as requeue:
        for _ in range(4):  # as the broker would deliver each re-queued message
            source_fetch_task(source.pk)
            # ...once its countdown has passed.
            Source.objects.filter(pk=source.pk).update(next_attempt_at=None)
    source.refresh_from_db()
    assert source.fetch_status == Source.FetchStatus.FAILED and source.attempts == 4
    assert requeue.call_count == 3  # after attempts 1-3; the last failure is final
    assert all(call.args == ((source.pk,),) for call in requeue.call_args_list)
    countdowns = [call.kwargs["countdown"] for call in requeue.call_args_list]
    assert countdowns[0] > 0 and countdowns == sorted(countdowns) and countdowns[-1] > countdowns[0]
    # A message waiting out its countdown must not be handed to a second worker (RELIABILITY.md).
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    assert max(countdowns) + (source_fetch_task.time_limit or 0) < visibility


def test_a_permanent_failure_is_not_requeued(local_server: Any) -> None:
    source = SourceFactory(url=local_server.url("/missing"))
    with mock.patch("reviews.tasks.source_fetch_task.apply_async") as requeue:
        source_fetch_task(source.pk)
    source.refresh_from_db()
    assert source.fetch_status == Source.FetchStatus.FAILED and source.http_status == 404
    requeue.assert_not_called()


# --- The beat sweep ------------------------------------------------------------------------------


def test_every_beat_schedule_entry_names_a_registered_task() -> None:
    celery_app.loader.import_default_modules()  # what a worker and beat do at start
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in celery_app.tasks, (name, entry["task"], sorted(celery_app.tasks))
    assert SWEEP_ENTRY in settings.CELERY_BEAT_SCHEDULE


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_beat_sweep_reaches_a_real_worker_and_the_stale_source_gets_archived(
    real_worker: Any, local_server: Any
) -> None:
    url = local_server.add("/lost", "<title>Lost</title><p>The message was lost.</p>")
    source = SourceFactory(url=url, fetch_status=Source.FetchStatus.FETCHING, attempts=1)
    Source.objects.filter(pk=source.pk).update(
        updated_at=timezone.now() - datetime.timedelta(hours=1)
    )
    # Sent as beat sends it: by the name in the schedule, through the broker.
    celery_app.send_task(settings.CELERY_BEAT_SCHEDULE[SWEEP_ENTRY]["task"])
    source = poll(
        lambda: Source.objects.get(pk=source.pk),
        lambda row: row.fetch_status == Source.FetchStatus.FETCHED,
    )
    assert source.fetch_status == Source.FetchStatus.FETCHED, source.last_error
    assert source.title == "Lost" and source.attempts == 2
    assert local_server.hits == ["/lost"]
