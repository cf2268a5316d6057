"""Newsroom screens of the review desk: the claim workspace, evidence, verdicts, approval.

Every form posts plainly and, with htmx, as an `hx-post` that swaps its panel; how the panels
are built and answered is in reviews/workspace.py. Views parse input, call one service, answer.
"""

from http import HTTPStatus

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from claims.models import Claim
from factcheck.lib.htmltext import decode_bytes
from factcheck.lib.locking import StaleVersionError
from factcheck.lib.permissions import permission_view
from reviews import claimreview, services
from reviews.forms import (
    RELOAD_TO_DECIDE,
    ClaimAssignForm,
    ClaimReopenForm,
    CommentForm,
    EvidenceForm,
    VerdictCorrectionForm,
    VerdictDecisionForm,
    VerdictForm,
    VerdictWithdrawForm,
)
from reviews.models import Snapshot, Source, Verdict
from reviews.workspace import (
    HtmxRequest,
    declined,
    done,
    refused,
    render_panel,
    workspace_response,
)

BACK_IN_DRAFT = gettext_noop("The verdict is back in draft: submit it again for approval.")
VERDICT_CHANGED = gettext_noop(
    "Not saved: this is your version; the stored one is shown above. "
    "Save again to replace the stored version with yours."
)
ASSIGNMENT_CHANGED = gettext_noop(
    "Not saved: the claim changed after this page was opened (its current assignment is shown "
    "at the top). Your choices are still in the form: save again to apply them."
)
DRAFT_CHANGED = gettext_noop(
    "Not sent back: the draft changed after you read it. Read it again above; your note is "
    "still in the form."
)
CORRECTION_CHANGED = gettext_noop(
    "Not corrected: the verdict changed after you opened it (what it says now is shown above). "
    "Your correction is still in the form: read the verdict, then save again to apply it."
)


@permission_view("claims.view_claim")
def claim_detail(request: HtmxRequest, pk: int) -> HttpResponse:
    """The claim workspace: the claim in context, evidence, the verdict, assignment, history."""
    return workspace_response(request, pk)


@permission_view("claims.view_claim")
@require_GET
def claim_approval(request: HtmxRequest, pk: int) -> HttpResponse:
    """The approval card alone, fetched again when a source settles (the gate may open)."""
    return render_panel(request, pk, "approval")


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
            return done(request, pk, "assignment", _("Assignment saved."), also)
    stored = Claim.objects.filter(pk=pk).values_list("version", flat=True).first()
    return refused(
        request,
        pk,
        "assign_form",
        form,
        error,
        stored_version=stored,
        changed=_(ASSIGNMENT_CHANGED),
    )


@permission_view("reviews.add_evidence")
@require_POST
def evidence_add(request: HtmxRequest, pk: int) -> HttpResponse:
    """Attach evidence to a claim; its URL is archived in the background."""
    claim = get_object_or_404(Claim, pk=pk)
    form = EvidenceForm(request.POST)
    if not form.is_valid():
        return refused(request, pk, "evidence_form", form)
    try:
        services.evidence_add(claim=claim, user=request.user, **form.cleaned_data)
    except ValidationError as error:
        return refused(request, pk, "evidence_form", form, error)
    # Research may have taken the claim: the assignment form needs its new version.
    return done(request, pk, "evidence-panel", _("Evidence added."), also=("assignment",))


@permission_view("reviews.add_comment")
@require_POST
def comment_add(request: HtmxRequest, pk: int) -> HttpResponse:
    """Add a comment to the claim's thread between reviewer and editor."""
    claim = get_object_or_404(Claim, pk=pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return refused(request, pk, "comment_form", form)
    try:
        services.comment_add(claim=claim, user=request.user, body=form.cleaned_data["body"])
    except ValidationError as error:
        return refused(request, pk, "comment_form", form, error)
    return done(request, pk, "comments", _("Comment added."))


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
                # A page from before the field existed posts none: leave the claimant alone.
                claimant=form.cleaned_data["claimant"] if "claimant" in request.POST else None,
            )
        except ValidationError as refusal:
            error = refusal
        else:
            text = _(BACK_IN_DRAFT) if was_awaiting_approval else _("Draft verdict saved.")
            return done(request, pk, "verdict", text, also=("assignment",))
    stored = Verdict.objects.filter(claim=claim, is_current=True).values_list("version", flat=True)
    return refused(
        request,
        pk,
        "verdict_form",
        form,
        error,
        stored_version=stored.first() or 0,  # 0: no draft yet
        changed=_(VERDICT_CHANGED),
    )


@permission_view("reviews.add_verdict")
@require_POST
def verdict_submit(request: HtmxRequest, pk: int) -> HttpResponse:
    """The author sends the draft they read for approval."""
    verdict = get_object_or_404(Verdict.objects.select_related("claim"), pk=pk)
    form = VerdictDecisionForm(request.POST)
    if not form.is_valid():
        return declined(request, verdict.claim_id, "verdict", [RELOAD_TO_DECIDE])
    try:
        services.verdict_submit(
            verdict=verdict, user=request.user, expected_version=form.cleaned_data["version"]
        )
    except StaleVersionError:
        text = _("Not sent: the draft changed after you read it. Read it again.")
        return declined(request, verdict.claim_id, "verdict", [text], HTTPStatus.CONFLICT)
    except ValidationError as error:
        return declined(request, verdict.claim_id, "verdict", error.messages)
    also = ("evidence-panel", "assignment")  # a claim awaiting approval takes no research
    return done(request, verdict.claim_id, "verdict", _("Sent for approval."), also)


@permission_view("reviews.approve_verdict")
@require_POST
def verdict_approve(request: HtmxRequest, pk: int) -> HttpResponse:
    """A second person approves and publishes the version they read."""
    verdict = get_object_or_404(Verdict.objects.select_related("claim"), pk=pk)
    form = VerdictDecisionForm(request.POST)
    if not form.is_valid():
        return declined(request, verdict.claim_id, "approval", [RELOAD_TO_DECIDE])
    try:
        services.verdict_approve(
            verdict=verdict, user=request.user, expected_version=form.cleaned_data["version"]
        )
    except StaleVersionError:
        text = _("Not published: the draft changed after you read it. Read it again.")
        return declined(request, verdict.claim_id, "approval", [text], HTTPStatus.CONFLICT)
    except ValidationError as error:  # the approval gate's reasons among them
        return declined(request, verdict.claim_id, "approval", error.messages)
    # The card closes; the verdict panel reports it and offers corrections from now on.
    also = ("evidence-panel", "assignment")
    return done(request, verdict.claim_id, "verdict", _("Approved and published."), also)


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
            return done(request, verdict.claim_id, "verdict", _("Sent back to the author."), also)
    stored = Verdict.objects.filter(pk=pk).values_list("version", flat=True).first()
    return refused(
        request,
        verdict.claim_id,
        "return_form",
        form,
        error,
        stored_version=stored,
        changed=_(DRAFT_CHANGED),
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
            return done(request, verdict.claim_id, "verdict", _("Correction published."))
    stored = Verdict.objects.filter(pk=pk).values_list("version", flat=True).first()
    return refused(
        request,
        verdict.claim_id,
        "correction_form",
        form,
        error,
        stored_version=stored,
        changed=_(CORRECTION_CHANGED),
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
        text = _("Not reopened: the claim changed after this page was opened. Look again.")
        return declined(request, pk, "verdict", [text], HTTPStatus.CONFLICT)
    except ValidationError as error:
        return declined(request, pk, "verdict", error.messages)
    text = _("Reopened: the claim is back in review for a new verdict.")
    return done(request, pk, "verdict", text, also=("evidence-panel", "assignment"))


@permission_view("reviews.approve_verdict")
@require_POST
def verdict_withdraw(request: HtmxRequest, pk: int) -> HttpResponse:
    """Withdraw a published verdict from the CMS, with the reason; its claim is withdrawn."""
    verdict = get_object_or_404(Verdict, pk=pk)
    form = VerdictWithdrawForm(request.POST)
    if not form.is_valid():
        return workspace_response(
            request,
            verdict.claim_id,
            status=HTTPStatus.BAD_REQUEST,
            panel="verdict",
            bound={"withdraw_form": form},
        )
    withdrawn = services.verdicts_withdraw(
        verdict_ids=[verdict.pk], user=request.user, note=form.cleaned_data["note"]
    )
    if not withdrawn:
        text = _("Not withdrawn: only a published, current verdict can be withdrawn.")
        return declined(request, verdict.claim_id, "verdict", [text])
    text = _("Withdrawn: the CMS no longer lists this verdict. Reopen the claim for a new one.")
    return done(request, verdict.claim_id, "verdict", text, also=("evidence-panel", "assignment"))


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
            "error_kind": source.error_kind,
            "attempts": source.attempts,
            "next_attempt_at": (
                source.next_attempt_at.isoformat() if source.next_attempt_at else None
            ),
            "live_status": source.live_status,
            "checked_at": source.checked_at.isoformat() if source.checked_at else None,
        }
    )


def _archived_text(text: str) -> HttpResponse:
    """An archived page's text as plain text under a sandbox policy: never live HTML here."""
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@permission_view("reviews.view_source")
@require_GET
def source_detail(request: HtmxRequest, pk: int) -> HttpResponse:
    """The latest archived text of a source, as plain text."""
    source = get_object_or_404(Source, pk=pk)
    header = (
        f"{source.title}\n{source.final_url or source.url}\nArchived: {source.fetched_at}\n"
        f"SHA-256 of the page: {source.body_sha256}\n\n"
    )
    return _archived_text(header + source.text)


@permission_view("reviews.view_source")
@require_GET
def snapshot_detail(request: HtmxRequest, pk: int) -> HttpResponse:
    """One snapshot's main text (the copy a piece of evidence cites), as plain text."""
    snapshot = get_object_or_404(Snapshot.objects.select_related("source"), pk=pk)
    header = (
        f"{snapshot.title}\n{snapshot.final_url}\nArchived: {snapshot.fetched_at} "
        f"(HTTP {snapshot.http_status}, {snapshot.content_type}, {snapshot.body_size:,} bytes)\n"
        f"SHA-256 of the page: {snapshot.body_sha256}\n\n"
    )
    return _archived_text(header + snapshot.text)


@permission_view("reviews.view_source")
@require_GET
def snapshot_page_source(request: HtmxRequest, pk: int) -> HttpResponse:
    """One snapshot's raw page as fetched, shown as its source text (never rendered); a body
    that is not text is offered as a download."""
    snapshot = get_object_or_404(Snapshot, pk=pk)
    try:
        body = services.snapshot_body(snapshot)
    except (OSError, EOFError, ValueError) as error:
        raise Http404(_("The archived page is no longer in storage.")) from error
    try:
        return _archived_text(decode_bytes(body))
    except ValueError:
        response = HttpResponse(body, content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="snapshot-{snapshot.pk}.bin"'
        response["Content-Security-Policy"] = "sandbox"
        response["X-Content-Type-Options"] = "nosniff"
        return response


# --- The evidence pack ------------------------------------------------------------------------


@permission_view("reviews.view_verdict")
@require_GET
def evidence_pack(request: HtmxRequest, pk: int) -> HttpResponse:
    """The evidence pack of a verdict as a printable page, for a standards or legal review."""
    verdict = get_object_or_404(claimreview.with_evidence_pack_data(Verdict.objects.all()), pk=pk)
    pack = claimreview.evidence_pack(verdict)
    return render(request, "reviews/evidence_pack.html", {"pack": pack})
