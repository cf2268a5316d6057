"""Newsroom screens of the review desk: evidence, verdicts, approval, archived sources."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from claims.models import Claim
from factcheck.lib.messages import flash_errors, flash_form_errors
from factcheck.lib.permissions import permission_view
from reviews import services
from reviews.forms import ClaimAssignForm, EvidenceForm, VerdictDecisionForm, VerdictForm
from reviews.models import Source, Verdict


@permission_view("claims.view_claim")
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The claim workspace: the claim in context, evidence, the verdict and the workflow."""
    claim = get_object_or_404(Claim.objects.select_related("article", "assignee"), pk=pk)
    verdict = (
        Verdict.objects.filter(claim=claim, is_current=True)
        .select_related("rating", "author", "approved_by")
        .first()
    )
    verdict_form = VerdictForm(
        instance=verdict,
        initial={"version": verdict.version} if verdict else None,
    )
    assign_form = ClaimAssignForm(
        initial={
            "assignee": claim.assignee_id,
            "priority": claim.priority,
            "due_on": claim.due_on,
            "version": claim.version,
        }
    )
    before, after = claim.context()
    return render(
        request,
        "reviews/claim_detail.html",
        {
            "claim": claim,
            "context_before": before,
            "context_after": after,
            "article": claim.article,
            "verdict": verdict,
            "evidence_list": claim.evidence.select_related("source", "added_by"),
            "evidence_form": EvidenceForm(),
            "verdict_form": verdict_form,
            "assign_form": assign_form,
            "can_approve": verdict is not None and verdict.can_be_approved_by(request.user),
            "can_research": claim.can_be_researched_by(request.user)
            and request.user.has_perm("reviews.add_evidence"),
            "can_draft": claim.can_be_drafted_by(request.user),
        },
    )


@permission_view("claims.select_claim")
@require_POST
def claim_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """An editor assigns a claim, with priority and due date."""
    claim = get_object_or_404(Claim, pk=pk)
    form = ClaimAssignForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(claim)
    try:
        services.claim_assign(
            claim=claim,
            user=request.user,
            assignee=form.cleaned_data["assignee"],
            priority=form.cleaned_data["priority"],
            due_on=form.cleaned_data["due_on"],
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, "Assignment saved.")
    return redirect(claim)


@permission_view("reviews.add_evidence")
@require_POST
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach evidence to a claim; its URL is archived in the background."""
    claim = get_object_or_404(Claim, pk=pk)
    form = EvidenceForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(claim)
    try:
        services.evidence_add(claim=claim, user=request.user, **form.cleaned_data)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, "Evidence added.")
    return redirect(claim)


@permission_view("reviews.add_verdict")
@require_POST
def verdict_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Create or edit the draft verdict of a claim."""
    claim = get_object_or_404(Claim, pk=pk)
    form = VerdictForm(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect(claim)
    try:
        services.verdict_save(
            claim=claim,
            user=request.user,
            rating=form.cleaned_data["rating"],
            summary=form.cleaned_data["summary"],
            explanation=form.cleaned_data["explanation"],
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, "Draft verdict saved.")
    return redirect(claim)


def _verdict_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    verdict = get_object_or_404(Verdict.objects.select_related("claim"), pk=pk)
    form = VerdictDecisionForm(request.POST)
    # The approver decides on the version they read; a draft changed since then is refused.
    seen = form.cleaned_data["version"] if form.is_valid() else -1
    try:
        if action == "submit":
            services.verdict_submit(verdict=verdict, user=request.user)
            messages.success(request, "Sent for approval.")
        elif action == "approve":
            services.verdict_approve(verdict=verdict, user=request.user, expected_version=seen)
            messages.success(request, "Approved and published.")
        else:
            note = form.cleaned_data.get("note", "") if form.is_valid() else ""
            services.verdict_return(
                verdict=verdict, user=request.user, note=note, expected_version=seen
            )
            messages.success(request, "Sent back to the author.")
    except ValidationError as error:
        flash_errors(request, error)
    return redirect(verdict.claim)


@permission_view("reviews.add_verdict")
@require_POST
def verdict_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """The author sends the draft for approval."""
    return _verdict_action(request, pk, "submit")


@permission_view("reviews.approve_verdict")
@require_POST
def verdict_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """A second person approves and publishes."""
    return _verdict_action(request, pk, "approve")


@permission_view("reviews.approve_verdict")
@require_POST
def verdict_return(request: HttpRequest, pk: int) -> HttpResponse:
    """An approver sends the draft back with a note."""
    return _verdict_action(request, pk, "return")


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
