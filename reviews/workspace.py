"""The claim workspace as panels: what each panel shows, and the responses views send.

The workspace is one page of panels (templates/reviews/claim_*.html), each keyed here by the id
of the element it renders. An htmx post gets back the panel the change concerns (its message
inside it) plus the panels that only display state (header, approval card, history) out of band;
a plain post that worked redirects back to the page. A refused post re-renders with the refused
form still bound, so what the person typed stays on the screen next to the reason (400, or 409
when someone changed the row first): the whole page for a plain post, the panel for htmx.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject
from django_htmx.http import reswap, retarget
from django_htmx.middleware import HtmxDetails

from claims.models import Claim
from factcheck.lib.locking import StaleVersionError
from factcheck.lib.messages import add_form_errors
from reviews import matching, selectors
from reviews.forms import (
    ClaimAssignForm,
    ClaimReopenForm,
    CommentForm,
    EvidenceForm,
    VerdictCorrectionForm,
    VerdictDecisionForm,
    VerdictForm,
    VerdictWithdrawForm,
)
from reviews.models import Comment, Source, Verdict

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
    "withdraw_form": "verdict",
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
        "verdict_form": bound.get("verdict_form")
        or VerdictForm(instance=verdict, initial={"claimant": claim.claimant}),
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
    request: HtmxRequest,
    claim: Claim,
    verdict: Verdict | None,
    form: Any,
    form_withdraw: Any = None,
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
        "withdraw_form": (form_withdraw or VerdictWithdrawForm())
        if approver and verdict is not None and verdict.is_published
        else None,
    }


def _approval_panel(verdict: Verdict | None, evidence: list[Any]) -> dict[str, Any]:
    """The approval card: the submitted verdict beside its evidence, and what blocks approval."""
    awaiting = verdict is not None and verdict.submitted_at is not None and not verdict.is_published
    archived = [
        item
        for item in evidence
        if item.source and item.source.fetch_status == Source.FetchStatus.FETCHED
    ]
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
        **_published_panel(
            request, claim, verdict, bound.get("correction_form"), bound.get("withdraw_form")
        ),
        **_approval_panel(verdict, evidence),
        **_assignment_panel(request, claim, bound.get("assign_form")),
        # Read only when a template shows it (the full page), not for every htmx panel.
        "matches": SimpleLazyObject(lambda: matching.claim_matches(claim)),
    }


def workspace_response(
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


def done(
    request: HtmxRequest, pk: int, panel: str, text: str, also: Iterable[str] = ()
) -> HttpResponse:
    """A change that worked: its panel with the message (htmx), or back to the page."""
    if request.htmx:
        return workspace_response(
            request, pk, panel=panel, notice=Notice("success", [text]), also=also
        )
    messages.success(request, text)
    return redirect("reviews:claim_detail", pk=pk)


def declined(
    request: HtmxRequest,
    pk: int,
    panel: str,
    texts: list[str],
    status: int = HTTPStatus.BAD_REQUEST,
) -> HttpResponse:
    """A refused button press (no form to keep): the reason in its panel, or as a message."""
    if request.htmx:
        return workspace_response(
            request, pk, panel=panel, status=status, notice=Notice("error", texts)
        )
    for text in texts:
        messages.error(request, text)
    return redirect("reviews:claim_detail", pk=pk)


def refused(
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
        form = (rebuild or type(form))(with_version(request, stored_version))
        for reason in reasons:
            form.add_error(None, reason)
        conflict = changed_meanwhile and name == "verdict_form"
    else:
        if error is not None:
            add_form_errors(form, error)
        conflict = False
    status = HTTPStatus.CONFLICT if stale else HTTPStatus.BAD_REQUEST
    return workspace_response(
        request, pk, panel=FORM_PANELS[name], status=status, bound={name: form}, conflict=conflict
    )


def with_version(request: HtmxRequest, version: int) -> Any:
    data = request.POST.copy()
    data["version"] = str(version)
    return data


def render_panel(request: HtmxRequest, pk: int, panel: str) -> HttpResponse:
    """One panel alone, as it stands (e.g. the approval card, fetched again by htmx)."""
    return render(request, PANELS[panel], _context(request, pk, {}, False))
