"""Newsroom screens of the review desk: the claim workspace, evidence, verdicts, approval.

The workspace is one page of panels (templates/reviews/claim_*.html), each keyed here by the id
of the element it renders. Every form posts plainly and, with htmx, as an `hx-post` that swaps
its panel: an htmx post gets back the panel the change concerns (its message inside it) plus the
panels that only display state (header, approval card, history) out of band; a plain post that
worked redirects back to the page. A refused post re-renders with the refused form still bound,
so what the person typed stays on the screen next to the reason (400, or 409 when someone
changed the row first): the whole page for a plain post, the panel for htmx.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event
from django_htmx.middleware import HtmxDetails

from claims.models import Claim
from factcheck.lib.locking import StaleVersionError
from factcheck.lib.messages import add_form_errors
from factcheck.lib.permissions import permission_view
from reviews import selectors, services
from reviews.forms import (
    RELOAD_TO_DECIDE,
    ClaimAssignForm,
    ClaimReopenForm,
    CommentForm,
    EvidenceForm,
    VerdictCorrectionForm,
    VerdictDecisionForm,
    VerdictForm,
)
from reviews.models import Comment, Source, Verdict

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
CORRECTION_CHANGED = (
    "Not corrected: the verdict changed after you opened it (what it says now is shown above). "
    "Your correction is still in the form: read the verdict, then save again to apply it."
)

# Each panel by the id of the element it renders (htmx swaps it by that id).
PANELS = {
    "claim-header": "reviews/claim_header.html",
    "approval": "reviews/claim_approval.html",
    "evidence-panel": "reviews/claim_evidence.html",
    "comments": "reviews/claim_comments.html",
    "timeline": "reviews/claim_timeline.html",
    "verdict": "reviews/claim_verdict.html",
    "assignment": "reviews/claim_assignment.html",
}
# Panels with nothing a person types in: re-rendered after every change, never losing work.
DISPLAY_PANELS = ("claim-header", "approval", "timeline")
# The panel each refused form belongs to.
FORM_PANELS = {
    "evidence_form": "evidence-panel",
    "comment_form": "comments",
    "verdict_form": "verdict",
    "return_form": "verdict",
    "correction_form": "verdict",
    "assign_form": "assignment",
}


class HtmxRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it (`request.htmx`), for the type checker."""

    htmx: HtmxDetails


@dataclass(frozen=True)
class Notice:
    """What an htmx post did (or why not), shown inside the panel it re-rendered."""

    level: str  # "success" or "error", as the message tags of a full page
    texts: list[str]


# --- The workspace ----------------------------------------------------------------------------


def _current_verdict(claim: Claim) -> Verdict | None:
    return (
        Verdict.objects.filter(claim=claim, is_current=True)
        .select_related("rating__scale", "author", "approved_by")
        .first()
    )


def _evidence_panel(
    request: HtmxRequest, claim: Claim, evidence: list[Any], form: Any
) -> dict[str, Any]:
    can_research = claim.can_be_researched_by(request.user) and request.user.has_perm(
        "reviews.add_evidence"
    )
    return {
        "evidence_list": evidence,
        "evidence_form": form or EvidenceForm(),
        # A refused form stays even when its author may no longer use it: the text is theirs.
        "show_evidence_form": can_research or form is not None,
    }


def _comment_panel(request: HtmxRequest, claim: Claim, form: Any) -> dict[str, Any]:
    return {
        "comments": claim.comments.select_related("author"),
        "comment_form": form or CommentForm(),
        "show_comment_form": request.user.has_perm("reviews.add_comment") or form is not None,
    }


def _return_comment(claim: Claim, verdict: Verdict | None) -> Comment | None:
    """The latest return note, while the draft it sent back has not been submitted again."""
    if verdict is None or not verdict.return_note or verdict.submitted_at or verdict.is_published:
        return None
    return claim.comments.filter(kind=Comment.Kind.RETURN).select_related("author").last()


def _verdict_panel(
    request: HtmxRequest,
    claim: Claim,
    verdict: Verdict | None,
    bound: Mapping[str, forms.BaseForm],
    conflict: bool,
) -> dict[str, Any]:
    user = request.user
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
        "return_comment": _return_comment(claim, verdict),
    }


def _published_panel(
    request: HtmxRequest, claim: Claim, verdict: Verdict | None, form: Any
) -> dict[str, Any]:
    """Corrections of the published verdict, the form to issue one, and a withdrawn verdict."""
    approver = request.user.has_perm("reviews.approve_verdict")
    corrections: Any = []
    if verdict is not None and verdict.is_published:
        corrections = verdict.corrections.select_related(
            "previous_rating", "rating", "corrected_by"
        )
        if form is None and approver:
            form = VerdictCorrectionForm.for_verdict(verdict)
    return {
        "corrections": corrections,
        "correction_form": form,
        "withdrawn_verdict": claim.verdicts.filter(withdrawn_at__isnull=False)
        .select_related("rating")
        .order_by("-withdrawn_at")
        .first(),
        "can_reopen": approver and claim.status == Claim.Status.WITHDRAWN,
        "reopen_form": ClaimReopenForm(),
    }


def _approval_panel(verdict: Verdict | None, evidence: list[Any]) -> dict[str, Any]:
    """The approval card: the submitted verdict beside its evidence, and what blocks approval."""
    awaiting = verdict is not None and verdict.submitted_at is not None and not verdict.is_published
    archived = [item for item in evidence if item.source and item.source.fetch_status == "fetched"]
    return {
        "show_approval": awaiting,
        "approval_blockers": verdict.approval_blockers() if verdict and awaiting else [],
        "archived_count": len(archived),
    }


def _assignment_panel(request: HtmxRequest, claim: Claim, form: Any) -> dict[str, Any]:
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


def _context(
    request: HtmxRequest, pk: int, bound: Mapping[str, forms.BaseForm], conflict: bool
) -> dict[str, Any]:
    """Everything the panels show; `bound` holds refused forms by their name.

    The claim is read afresh: a refused service call may have left the instance in memory
    ahead of the database it rolled back.
    """
    claim = get_object_or_404(Claim.objects.select_related("article", "assignee"), pk=pk)
    before, after = claim.context()
    verdict = _current_verdict(claim)
    evidence = list(claim.evidence.select_related("source", "added_by"))
    return {
        "claim": claim,
        "article": claim.article,
        "context_before": before,
        "context_after": after,
        "timeline": selectors.claim_timeline(claim),
        **_evidence_panel(request, claim, evidence, bound.get("evidence_form")),
        **_comment_panel(request, claim, bound.get("comment_form")),
        **_verdict_panel(request, claim, verdict, bound, conflict),
        **_published_panel(request, claim, verdict, bound.get("correction_form")),
        **_approval_panel(verdict, evidence),
        **_assignment_panel(request, claim, bound.get("assign_form")),
    }


def _workspace(
    request: HtmxRequest,
    pk: int,
    *,
    panel: str | None = None,
    status: int = HTTPStatus.OK,
    bound: Mapping[str, forms.BaseForm] | None = None,
    conflict: bool = False,
    notice: Notice | None = None,
    also: Iterable[str] = (),
) -> HttpResponse:
    """The whole page; or, for htmx, `panel` with the display panels (and `also`) out of band.

    The response names its own target, so a view may answer in another panel than the one
    the form was in (an approval is reported in the verdict panel, the card having closed).
    """
    context = _context(request, pk, bound or {}, conflict)
    if panel is None or not request.htmx:
        return render(request, "reviews/claim_detail.html", context, status=status)
    parts = [render_to_string(PANELS[panel], {**context, "notice": notice}, request)]
    for other in dict.fromkeys((*DISPLAY_PANELS, *also)):
        if other != panel:
            parts.append(render_to_string(PANELS[other], {**context, "oob": True}, request))
    response = HttpResponse("".join(parts), status=status)
    return reswap(retarget(response, f"#{panel}"), "outerHTML")


def _done(
    request: HtmxRequest, pk: int, panel: str, text: str, also: Iterable[str] = ()
) -> HttpResponse:
    """A change that worked: its panel with the message (htmx), or back to the page."""
    if request.htmx:
        return _workspace(request, pk, panel=panel, notice=Notice("success", [text]), also=also)
    messages.success(request, text)
    return redirect("reviews:claim_detail", pk=pk)


def _declined(
    request: HtmxRequest,
    pk: int,
    panel: str,
    texts: list[str],
    status: int = HTTPStatus.BAD_REQUEST,
) -> HttpResponse:
    """A refused button press (no form to keep): the reason in its panel, or as a message."""
    if request.htmx:
        return _workspace(request, pk, panel=panel, status=status, notice=Notice("error", texts))
    for text in texts:
        messages.error(request, text)
    return redirect("reviews:claim_detail", pk=pk)


def _refused(
    request: HtmxRequest,
    pk: int,
    name: str,
    form: forms.BaseForm,
    error: ValidationError | None = None,
    *,
    stored_version: int | None = None,
    changed: str = "",
    rebuild: Callable[[Any], forms.BaseForm] | None = None,
) -> HttpResponse:
    """Re-render with a refused form (`name` in FORM_PANELS): what was typed, and why not.

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
        form = (rebuild or type(form))(_with_version(request, stored_version))
        for reason in reasons:
            form.add_error(None, reason)
        conflict = changed_meanwhile and name == "verdict_form"
    else:
        if error is not None:
            add_form_errors(form, error)
        conflict = False
    status = HTTPStatus.CONFLICT if stale else HTTPStatus.BAD_REQUEST
    return _workspace(
        request, pk, panel=FORM_PANELS[name], status=status, bound={name: form}, conflict=conflict
    )


def _with_version(request: HtmxRequest, version: int) -> Any:
    data = request.POST.copy()
    data["version"] = str(version)
    return data


@permission_view("claims.view_claim")
def claim_detail(request: HtmxRequest, pk: int) -> HttpResponse:
    """The claim workspace: the claim in context, evidence, the verdict, assignment, history."""
    return _workspace(request, pk)


@permission_view("claims.view_claim")
@require_GET
def claim_approval(request: HtmxRequest, pk: int) -> HttpResponse:
    """The approval card alone, fetched again when a source settles (the gate may open)."""
    return render(request, PANELS["approval"], _context(request, pk, {}, False))


# --- Changes from the workspace ---------------------------------------------------------------


@permission_view("claims.select_claim")
@require_POST
def claim_assign(request: HtmxRequest, pk: int) -> HttpResponse:
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
            # Who may research and draft changed with the assignee: those panels follow.
            also = ("evidence-panel", "verdict")
            return _done(request, pk, "assignment", "Assignment saved.", also)
    stored = Claim.objects.filter(pk=pk).values_list("version", flat=True).first()
    return _refused(
        request, pk, "assign_form", form, error, stored_version=stored, changed=ASSIGNMENT_CHANGED
    )


@permission_view("reviews.add_evidence")
@require_POST
def evidence_add(request: HtmxRequest, pk: int) -> HttpResponse:
    """Attach evidence to a claim; its URL is archived in the background."""
    claim = get_object_or_404(Claim, pk=pk)
    form = EvidenceForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, "evidence_form", form)
    try:
        services.evidence_add(claim=claim, user=request.user, **form.cleaned_data)
    except ValidationError as error:
        return _refused(request, pk, "evidence_form", form, error)
    # Research may have taken the claim: the assignment form needs its new version.
    return _done(request, pk, "evidence-panel", "Evidence added.", also=("assignment",))


@permission_view("reviews.add_comment")
@require_POST
def comment_add(request: HtmxRequest, pk: int) -> HttpResponse:
    """Add a comment to the claim's thread between reviewer and editor."""
    claim = get_object_or_404(Claim, pk=pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _refused(request, pk, "comment_form", form)
    try:
        services.comment_add(claim=claim, user=request.user, body=form.cleaned_data["body"])
    except ValidationError as error:
        return _refused(request, pk, "comment_form", form, error)
    return _done(request, pk, "comments", "Comment added.")


@permission_view("reviews.add_verdict")
@require_POST
def verdict_save(request: HtmxRequest, pk: int) -> HttpResponse:
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
            text = BACK_IN_DRAFT if was_awaiting_approval else "Draft verdict saved."
            return _done(request, pk, "verdict", text, also=("assignment",))
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
def verdict_submit(request: HtmxRequest, pk: int) -> HttpResponse:
    """The author sends the draft they read for approval."""
    verdict = get_object_or_404(Verdict.objects.select_related("claim"), pk=pk)
    form = VerdictDecisionForm(request.POST)
    if not form.is_valid():
        return _declined(request, verdict.claim_id, "verdict", [RELOAD_TO_DECIDE])
    try:
        services.verdict_submit(
            verdict=verdict, user=request.user, expected_version=form.cleaned_data["version"]
        )
    except StaleVersionError:
        text = "Not sent: the draft changed after you read it. Read it again."
        return _declined(request, verdict.claim_id, "verdict", [text], HTTPStatus.CONFLICT)
    except ValidationError as error:
        return _declined(request, verdict.claim_id, "verdict", error.messages)
    also = ("evidence-panel", "assignment")  # a claim awaiting approval takes no research
    return _done(request, verdict.claim_id, "verdict", "Sent for approval.", also)


@permission_view("reviews.approve_verdict")
@require_POST
def verdict_approve(request: HtmxRequest, pk: int) -> HttpResponse:
    """A second person approves and publishes the version they read."""
    verdict = get_object_or_404(Verdict.objects.select_related("claim"), pk=pk)
    form = VerdictDecisionForm(request.POST)
    if not form.is_valid():
        return _declined(request, verdict.claim_id, "approval", [RELOAD_TO_DECIDE])
    try:
        services.verdict_approve(
            verdict=verdict, user=request.user, expected_version=form.cleaned_data["version"]
        )
    except StaleVersionError:
        text = "Not published: the draft changed after you read it. Read it again."
        return _declined(request, verdict.claim_id, "approval", [text], HTTPStatus.CONFLICT)
    except ValidationError as error:  # the approval gate's reasons among them
        return _declined(request, verdict.claim_id, "approval", error.messages)
    # The card closes; the verdict panel reports it and offers corrections from now on.
    also = ("evidence-panel", "assignment")
    return _done(request, verdict.claim_id, "verdict", "Approved and published.", also)


@permission_view("reviews.approve_verdict")
@require_POST
def verdict_return(request: HtmxRequest, pk: int) -> HttpResponse:
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
            also = ("comments", "assignment")  # the note is also the thread's newest comment
            return _done(request, verdict.claim_id, "verdict", "Sent back to the author.", also)
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


@permission_view("reviews.approve_verdict")
@require_POST
def verdict_correct(request: HtmxRequest, pk: int) -> HttpResponse:
    """An editor corrects a published verdict: the new rating or text and a public note."""
    verdict = get_object_or_404(Verdict.objects.select_related("claim", "rating__scale"), pk=pk)
    form = VerdictCorrectionForm.for_verdict(verdict, request.POST)
    error: ValidationError | None = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.verdict_correct(
                verdict=verdict,
                user=request.user,
                rating=data["rating"],
                summary=data["summary"],
                explanation=data["explanation"],
                note=data["note"],
                expected_version=data["version"],
            )
        except ValidationError as refusal:
            error = refusal
        else:
            return _done(request, verdict.claim_id, "verdict", "Correction published.")
    stored = Verdict.objects.filter(pk=pk).values_list("version", flat=True).first()
    return _refused(
        request,
        verdict.claim_id,
        "correction_form",
        form,
        error,
        stored_version=stored,
        changed=CORRECTION_CHANGED,
        rebuild=lambda data: VerdictCorrectionForm.for_verdict(verdict, data),
    )


@permission_view("reviews.approve_verdict")
@require_POST
def claim_reopen(request: HtmxRequest, pk: int) -> HttpResponse:
    """Put a claim whose verdict was withdrawn back in review, for a new verdict."""
    claim = get_object_or_404(Claim, pk=pk)
    form = ClaimReopenForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.claim_reopen(claim=claim, user=request.user, note=note)
    except StaleVersionError:
        text = "Not reopened: the claim changed after this page was opened. Look again."
        return _declined(request, pk, "verdict", [text], HTTPStatus.CONFLICT)
    except ValidationError as error:
        return _declined(request, pk, "verdict", error.messages)
    text = "Reopened: the claim is back in review for a new verdict."
    return _done(request, pk, "verdict", text, also=("evidence-panel", "assignment"))


# --- Archived sources -------------------------------------------------------------------------


SETTLED = {Source.FetchStatus.FETCHED, Source.FetchStatus.FAILED}


@permission_view("reviews.view_source")
def source_status(request: HtmxRequest, pk: int) -> HttpResponse:
    """The fetch status of a source while a fetch is under way: JSON, or (htmx) the badge."""
    source = get_object_or_404(Source, pk=pk)
    if request.htmx:
        response = render(request, "reviews/source_status.html", {"source": source, "poll": True})
        if source.fetch_status in SETTLED:
            # The approval card listens for this: an archived source may open the gate.
            trigger_client_event(response, "source-settled")
        return response
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
def source_detail(request: HtmxRequest, pk: int) -> HttpResponse:
    """The archived text of a source, as plain text: never served as live HTML on our origin."""
    source = get_object_or_404(Source, pk=pk)
    header = f"{source.title}\n{source.final_url or source.url}\nArchived: {source.fetched_at}\n\n"
    response = HttpResponse(header + source.text, content_type="text/plain; charset=utf-8")
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
