"""Newsroom screens of the review desk: the claim workspace, evidence, verdicts, approval.

The workspace is one page of panels (templates/reviews/claim_*.html). A refused post re-renders
it with the refused form still bound, so what the person typed stays on the screen next to the
reason (400, or 409 when someone changed the row first); only a post that worked redirects.
"""

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from claims.models import Claim
from factcheck.lib.locking import StaleVersionError
from factcheck.lib.messages import add_form_errors, flash_errors
from factcheck.lib.permissions import permission_view
from reviews import selectors, services
from reviews.forms import (
    RELOAD_TO_DECIDE,
    ClaimAssignForm,
    EvidenceForm,
    VerdictDecisionForm,
    VerdictForm,
)
from reviews.models import Source, Verdict

BACK_IN_DRAFT = "The verdict is back in draft: submit it again for approval."
VERDICT_CHANGED = (
    "Not saved: this is your version; the stored one is shown above. "
    "Save again to replace the stored version with yours."
)
ASSIGNMENT_CHANGED = (
    "Not saved: the claim changed after this page was opened (its current assignment is shown "
    "at the top). Your choices are still in the form: save again to apply them."
)
DRAFT_CHANGED = (
    "Not sent back: the draft changed after you read it. Read it again above; your note is "
    "still in the form."
)


# --- The workspace ----------------------------------------------------------------------------


def _current_verdict(claim: Claim) -> Verdict | None:
    return (
        Verdict.objects.filter(claim=claim, is_current=True)
        .select_related("rating", "author", "approved_by")
        .first()
    )


def _evidence_panel(request: HttpRequest, claim: Claim, form: Any) -> dict[str, Any]:
    can_research = claim.can_be_researched_by(request.user) and request.user.has_perm(
        "reviews.add_evidence"
    )
    return {
        "evidence_list": claim.evidence.select_related("source", "added_by"),
        "evidence_form": form or EvidenceForm(),
        # A refused form stays even when its author may no longer use it: the text is theirs.
        "show_evidence_form": can_research or form is not None,
    }


def _verdict_panel(
    request: HttpRequest, claim: Claim, bound: Mapping[str, forms.BaseForm], conflict: bool
) -> dict[str, Any]:
    user = request.user
    verdict = _current_verdict(claim)
    can_approve = verdict is not None and verdict.can_be_approved_by(user)
    may_edit = claim.can_be_drafted_by(user) and (
        verdict is None or (verdict.author_id == user.pk and not verdict.is_published)
    )
    return {
        "verdict": verdict,
        "verdict_form": bound.get("verdict_form") or VerdictForm(instance=verdict),
        "show_verdict_form": may_edit or "verdict_form" in bound,
        "verdict_conflict": conflict and verdict is not None,
        # Saving a submitted draft takes it out of the approval queue: the form says so first.
        "verdict_awaiting_approval": claim.status == Claim.Status.AWAITING_APPROVAL,
        "can_approve": can_approve,
        "return_form": bound.get("return_form")
        or VerdictDecisionForm(initial={"version": verdict.version if verdict else None}),
        "show_return_form": verdict is not None and (can_approve or "return_form" in bound),
    }


def _assignment_panel(request: HttpRequest, claim: Claim, form: Any) -> dict[str, Any]:
    initial = {
        "assignee": claim.assignee_id,
        "priority": claim.priority,
        "due_on": claim.due_on,
        "version": claim.version,
    }
    may_assign = request.user.has_perm("claims.select_claim") and claim.is_open
    return {
        "assign_form": form or ClaimAssignForm(initial=initial),
        "show_assign_form": may_assign or form is not None,
    }


def _workspace(
    request: HttpRequest,
    pk: int,
    *,
    status: int = HTTPStatus.OK,
    bound: Mapping[str, forms.BaseForm] | None = None,
    conflict: bool = False,
) -> HttpResponse:
    """Render the workspace panel by panel; `bound` holds refused forms by their panel's name.

    The claim is read afresh: a refused service call may have left the instance in memory
    ahead of the database it rolled back.
    """
    bound = bound or {}
    claim = get_object_or_404(Claim.objects.select_related("article", "assignee"), pk=pk)
    before, after = claim.context()
    context = {
        "claim": claim,
        "article": claim.article,
        "context_before": before,
        "context_after": after,
        "timeline": selectors.claim_timeline(claim),
        **_evidence_panel(request, claim, bound.get("evidence_form")),
        **_verdict_panel(request, claim, bound, conflict),
        **_assignment_panel(request, claim, bound.get("assign_form")),
    }
    return render(request, "reviews/claim_detail.html", context, status=status)


def _refused(
    request: HttpRequest,
    pk: int,
    panel: str,
    form: forms.BaseForm,
    error: ValidationError | None = None,
    *,
    stored_version: int | None = None,
    changed: str = "",
) -> HttpResponse:
    """Re-render the workspace with a refused form: what was typed, and why it was refused.

    When the version was the problem (someone saved first, or the post carried none) the form
    comes back carrying the version stored now, so that saving again, after seeing the stored
    state, is a deliberate choice rather than an accident.
    """
    stale = isinstance(error, StaleVersionError)
    if stored_version is not None and (stale or form.has_error("version")):
        changed_meanwhile = form.data.get("version") != str(stored_version)
        reasons: list[str]
        if error is None:  # the post carried no usable version
            reasons = [str(reason) for reason in form.errors["version"]]
        else:
            reasons = [changed] if changed_meanwhile else error.messages
        form = type(form)(_with_version(request, stored_version))
        for reason in reasons:
            form.add_error(None, reason)
        conflict = changed_meanwhile and panel == "verdict_form"
    else:
        if error is not None:
            add_form_errors(form, error)
        conflict = False
    status = HTTPStatus.CONFLICT if stale else HTTPStatus.BAD_REQUEST
    return _workspace(request, pk, status=status, bound={panel: form}, conflict=conflict)


def _with_version(request: HttpRequest, version: int) -> Any:
    data = request.POST.copy()
    data["version"] = str(version)
    return data


@permission_view("claims.view_claim")
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The claim workspace: the claim in context, evidence, the verdict, assignment, history."""
    return _workspace(request, pk)


# --- Changes from the workspace ---------------------------------------------------------------


@permission_view("claims.select_claim")
@require_POST
def claim_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """An editor assigns a claim, with priority and due date."""
    claim = get_object_or_404(Claim, pk=pk)
    form = ClaimAssignForm(request.POST)
    error: ValidationError | None = None
    if form.is_valid():
        try:
            services.claim_assign(
                claim=claim,
                user=request.user,
                assignee=form.cleaned_data["assignee"],
                priority=form.cleaned_data["priority"],
                due_on=form.cleaned_data["due_on"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as refusal:
            error = refusal
        else:
            messages.success(request, "Assignment saved.")
            return redirect(claim)
    stored = Claim.objects.filter(pk=pk).values_list("version", flat=True).first()
    return _refused(
        request, pk, "assign_form", form, error, stored_version=stored, changed=ASSIGNMENT_CHANGED
    )


@permission_view("reviews.add_evidence")
@require_POST
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach evidence to a claim; its URL is archived in the background."""
    claim = get_object_or_404(Claim, pk=pk)
    form = EvidenceForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, "evidence_form", form)
    try:
        services.evidence_add(claim=claim, user=request.user, **form.cleaned_data)
    except ValidationError as error:
        return _refused(request, pk, "evidence_form", form, error)
    messages.success(request, "Evidence added.")
    return redirect(claim)


@permission_view("reviews.add_verdict")
@require_POST
def verdict_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Create or edit the draft verdict of a claim (a submitted one goes back to draft)."""
    claim = get_object_or_404(Claim, pk=pk)
    form = VerdictForm(request.POST)
    was_awaiting_approval = claim.status == Claim.Status.AWAITING_APPROVAL
    error: ValidationError | None = None
    if form.is_valid():
        try:
            services.verdict_save(
                claim=claim,
                user=request.user,
                rating=form.cleaned_data["rating"],
                summary=form.cleaned_data["summary"],
                explanation=form.cleaned_data["explanation"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as refusal:
            error = refusal
        else:
            messages.success(
                request, BACK_IN_DRAFT if was_awaiting_approval else "Draft verdict saved."
            )
            return redirect(claim)
    stored = Verdict.objects.filter(claim=claim, is_current=True).values_list("version", flat=True)
    return _refused(
        request,
        pk,
        "verdict_form",
        form,
        error,
        stored_version=stored.first() or 0,  # 0: no draft yet
        changed=VERDICT_CHANGED,
    )


@permission_view("reviews.add_verdict")
@require_POST
def verdict_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """The author sends the draft they read for approval."""
    verdict = get_object_or_404(Verdict.objects.select_related("claim"), pk=pk)
    form = VerdictDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, RELOAD_TO_DECIDE)
        return redirect(verdict.claim)
    try:
        services.verdict_submit(
            verdict=verdict, user=request.user, expected_version=form.cleaned_data["version"]
        )
    except StaleVersionError:
        messages.error(request, "Not sent: the draft changed after you read it. Read it again.")
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, "Sent for approval.")
    return redirect(verdict.claim)


@permission_view("reviews.approve_verdict")
@require_POST
def verdict_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """A second person approves and publishes the version they read."""
    verdict = get_object_or_404(Verdict.objects.select_related("claim"), pk=pk)
    form = VerdictDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, RELOAD_TO_DECIDE)
        return redirect(verdict.claim)
    try:
        services.verdict_approve(
            verdict=verdict, user=request.user, expected_version=form.cleaned_data["version"]
        )
    except StaleVersionError:
        messages.error(
            request, "Not published: the draft changed after you read it. Read it again."
        )
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, "Approved and published.")
    return redirect(verdict.claim)


@permission_view("reviews.approve_verdict")
@require_POST
def verdict_return(request: HttpRequest, pk: int) -> HttpResponse:
    """An approver sends the draft back with a note, about the version they read."""
    verdict = get_object_or_404(Verdict.objects.select_related("claim"), pk=pk)
    form = VerdictDecisionForm(request.POST)
    error: ValidationError | None = None
    if form.is_valid():
        try:
            services.verdict_return(
                verdict=verdict,
                user=request.user,
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as refusal:
            error = refusal
        else:
            messages.success(request, "Sent back to the author.")
            return redirect(verdict.claim)
    stored = Verdict.objects.filter(pk=pk).values_list("version", flat=True).first()
    return _refused(
        request,
        verdict.claim_id,
        "return_form",
        form,
        error,
        stored_version=stored,
        changed=DRAFT_CHANGED,
    )


# --- Archived sources -------------------------------------------------------------------------


@permission_view("reviews.view_source")
def source_status(request: HttpRequest, pk: int) -> JsonResponse:
    """The fetch status of a source, polled by the claim page while a fetch is under way."""
    source = get_object_or_404(Source, pk=pk)
    return JsonResponse(
        {
            "id": source.pk,
            "status": source.fetch_status,
            "status_display": source.get_fetch_status_display(),
            "title": source.title,
            "http_status": source.http_status,
            "error": source.last_error,
        }
    )


@permission_view("reviews.view_source")
def source_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The archived text of a source, as plain text: never served as live HTML on our origin."""
    source = get_object_or_404(Source, pk=pk)
    header = f"{source.title}\n{source.final_url or source.url}\nArchived: {source.fetched_at}\n\n"
    response = HttpResponse(header + source.text, content_type="text/plain; charset=utf-8")
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
