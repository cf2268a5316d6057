"""Newsroom screens for articles and claims: parse input, call one service, render."""

from django.contrib import messages
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
    ClaimBulkForm,
)
from claims.models import Article, Claim
from factcheck.lib.messages import add_form_errors, flash_errors
from factcheck.lib.permissions import permission_view


@permission_view("claims.view_claim")
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


@permission_view("claims.add_article")
def article_create(request: HttpRequest) -> HttpResponse:
    """Import an article by pasting its text."""
    if request.method != "POST":
        return _render_import(request)
    form = ArticlePasteForm(request.POST)
    if form.is_valid():
        try:
            article = services.article_import(created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            messages.success(request, f"Imported with {article.claims.count()} candidate claims.")
            return redirect(article)
    return _render_import(request, status=400, paste_form=form)


@permission_view("claims.add_article")
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
            add_form_errors(form, error)
        else:
            messages.success(request, f"Imported with {article.claims.count()} candidate claims.")
            return redirect(article)
    return _render_import(request, status=400, upload_form=form)


@permission_view("claims.add_article")
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
            add_form_errors(form, error)
        else:
            messages.success(request, f"Imported with {article.claims.count()} candidate claims.")
            return redirect(article)
    return _render_import(request, status=400, url_form=form)


@permission_view("claims.view_article")
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


@permission_view("claims.select_claim")
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


@permission_view("claims.select_claim")
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


@permission_view("claims.select_claim")
@require_POST
def claim_select(request: HttpRequest, pk: int) -> HttpResponse:
    """Put a candidate on the review queue."""
    return _claim_action(request, pk, "select")


@permission_view("claims.select_claim")
@require_POST
def claim_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a claim off the desk."""
    return _claim_action(request, pk, "dismiss")


@permission_view("reviews.add_verdict")
@require_POST
def claim_take(request: HttpRequest, pk: int) -> HttpResponse:
    """A reviewer takes a claim from the queue."""
    return _claim_action(request, pk, "take")
