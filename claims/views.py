"""Newsroom screens for articles and claims: parse input, call one service, render."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from claims import services
from claims.forms import (
    ArticlePasteForm,
    ArticleUploadForm,
    ArticleURLForm,
    ClaimAssignForm,
    ClaimBulkForm,
)
from claims.models import Article, Claim
from reviews.forms import EvidenceForm, VerdictForm
from reviews.models import Verdict


def flash_errors(request: HttpRequest, error: ValidationError) -> None:
    """Show a service's ValidationError to the user as error messages."""
    for message in error.messages:
        messages.error(request, str(message))


def flash_form_errors(request: HttpRequest, form: Any) -> None:
    """Show a form's errors as messages (for forms posted from a page that redirects back)."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else None
        for message in errors:
            messages.error(request, f"{label}: {message}" if label else str(message))


def _add_form_errors(form: object, error: ValidationError) -> None:
    """Attach a service's ValidationError to the form that caused it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None  # type: ignore[attr-defined]
            for item in errors:
                form.add_error(target, item)  # type: ignore[attr-defined]
    else:
        form.add_error(None, error)  # type: ignore[attr-defined]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Articles with their claim counts by status, and the user's queues."""
    counts = {
        f"n_{status}": Count("claims", filter=Q(claims__status=status))
        for status in Claim.Status.values
    }
    articles = Article.objects.annotate(n_claims=Count("claims"), **counts).select_related(
        "created_by"
    )[:100]
    claim_fields = ("article",)
    return render(
        request,
        "claims/dashboard.html",
        {
            "articles": articles,
            "statuses": Claim.Status,
            "my_claims": Claim.objects.assigned_to(request.user).select_related(*claim_fields),
            "open_claims": Claim.objects.open_for_review().select_related(*claim_fields)[:50],
            "awaiting": Claim.objects.awaiting_approval().select_related(*claim_fields)[:50],
        },
    )


def _render_import(request: HttpRequest, status: int = 200, **forms: object) -> HttpResponse:
    context = {
        "paste_form": forms.get("paste_form") or ArticlePasteForm(),
        "upload_form": forms.get("upload_form") or ArticleUploadForm(),
        "url_form": forms.get("url_form") or ArticleURLForm(),
        "active": next(iter(forms), "paste_form"),
    }
    return render(request, "claims/article_form.html", context, status=status)


@login_required
@permission_required("claims.add_article", raise_exception=True)
def article_create(request: HttpRequest) -> HttpResponse:
    """Import an article by pasting its text."""
    if request.method != "POST":
        return _render_import(request)
    form = ArticlePasteForm(request.POST)
    if form.is_valid():
        try:
            article = services.article_import(created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_form_errors(form, error)
        else:
            messages.success(request, f"Imported with {article.claims.count()} candidate claims.")
            return redirect(article)
    return _render_import(request, status=400, paste_form=form)


@login_required
@permission_required("claims.add_article", raise_exception=True)
@require_POST
def article_upload(request: HttpRequest) -> HttpResponse:
    """Import an article from an uploaded text or HTML file."""
    form = ArticleUploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            article = services.article_import_file(
                created_by=request.user,
                title=form.cleaned_data["title"],
                data=upload.read(),
                filename=upload.name,
                content_type=upload.content_type or "",
            )
        except ValidationError as error:
            _add_form_errors(form, error)
        else:
            messages.success(request, f"Imported with {article.claims.count()} candidate claims.")
            return redirect(article)
    return _render_import(request, status=400, upload_form=form)


@login_required
@permission_required("claims.add_article", raise_exception=True)
@require_POST
def article_fetch(request: HttpRequest) -> HttpResponse:
    """Import an article from a URL the server fetches (private addresses are refused)."""
    form = ArticleURLForm(request.POST)
    if form.is_valid():
        try:
            article = services.article_import_url(
                created_by=request.user, url=form.cleaned_data["url"]
            )
        except ValidationError as error:
            _add_form_errors(form, error)
        else:
            messages.success(request, f"Imported with {article.claims.count()} candidate claims.")
            return redirect(article)
    return _render_import(request, status=400, url_form=form)


@login_required
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The article with every claim highlighted, candidates ranked, and consistency flags."""
    article = get_object_or_404(Article.objects.prefetch_related("claims"), pk=pk)
    ranked = sorted(article.claims.all(), key=lambda claim: (-claim.score, claim.position))
    return render(
        request,
        "claims/article_detail.html",
        {
            "article": article,
            "pieces": list(article.body_pieces()),
            "ranked": ranked,
            "bulk_form": ClaimBulkForm(article=article),
            "other_sentences": services.article_other_sentences(article=article),
        },
    )


@login_required
@require_POST
def claim_promote(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a sentence below the threshold into a claim on the review queue."""
    article = get_object_or_404(Article, pk=pk)
    try:
        start = int(request.POST.get("start", ""))
    except ValueError:
        messages.error(request, "Choose a sentence to make into a claim.")
        return redirect(article)
    try:
        claim = services.claim_promote(article=article, user=request.user, start=start)
    except ValidationError as error:
        flash_errors(request, error)
        return redirect(article)
    messages.success(request, "The sentence is now a claim on the review queue.")
    return redirect(claim)


@login_required
@require_POST
def claim_bulk(request: HttpRequest, pk: int) -> HttpResponse:
    """Select or dismiss the ticked claims of an article."""
    article = get_object_or_404(Article, pk=pk)
    form = ClaimBulkForm(request.POST, article=article)
    if not form.is_valid():
        messages.error(request, "Tick at least one claim and choose select or dismiss.")
        return redirect(article)
    changed = services.claims_bulk_update_status(
        claim_ids=[claim.pk for claim in form.cleaned_data["claims"]],
        user=request.user,
        select=form.cleaned_data["action"] == "select",
    )
    messages.success(request, f"{changed} claim(s) updated.")
    return redirect(article)


@login_required
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A claim in its context, with evidence, the verdict and the workflow buttons."""
    claim = get_object_or_404(Claim.objects.select_related("article", "assignee"), pk=pk)
    verdict = (
        Verdict.objects.filter(claim=claim, is_current=True)
        .select_related("rating", "author", "approved_by")
        .first()
    )
    evidence = claim.evidence.select_related("source", "added_by")
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
        "claims/claim_detail.html",
        {
            "claim": claim,
            "context_before": before,
            "context_after": after,
            "article": claim.article,
            "verdict": verdict,
            "evidence_list": evidence,
            "evidence_form": EvidenceForm(),
            "verdict_form": verdict_form,
            "assign_form": assign_form,
            "can_approve": verdict is not None and verdict.can_be_approved_by(request.user),
            "can_research": claim.can_be_researched_by(request.user)
            and request.user.has_perm("reviews.add_evidence"),
            "can_draft": claim.can_be_drafted_by(request.user),
        },
    )


def _claim_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    claim = get_object_or_404(Claim, pk=pk)
    try:
        if action == "select":
            services.claim_select(claim=claim, user=request.user)
        elif action == "dismiss":
            services.claim_dismiss(claim=claim, user=request.user)
        else:
            services.claim_take(claim=claim, user=request.user)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(request, f"Claim is now {claim.get_status_display().lower()}.")
    return redirect(claim)


@login_required
@require_POST
def claim_select(request: HttpRequest, pk: int) -> HttpResponse:
    """Put a candidate on the review queue."""
    return _claim_action(request, pk, "select")


@login_required
@require_POST
def claim_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a claim off the desk."""
    return _claim_action(request, pk, "dismiss")


@login_required
@require_POST
def claim_take(request: HttpRequest, pk: int) -> HttpResponse:
    """A reviewer takes a claim from the queue."""
    return _claim_action(request, pk, "take")


@login_required
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
