"""Newsroom screens for articles and claims: parse input, call one service, render."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
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

# Every dashboard list is paged: a reviewer with thousands of claims still gets a small page.
PAGE_SIZE = 25
# What a claim row shows; the article's body, flags and extraction (megabytes) stay unread.
CLAIM_ROW_FIELDS = ("text", "status", "priority", "due_on", "article", "article__title")
ARTICLE_ROW_FIELDS = ("title", "outlet", "created_at")


@dataclass(frozen=True)
class ListPage:
    """One page of a dashboard list, with links that keep the other lists on their pages."""

    page: Page[Any]
    previous_url: str
    next_url: str


def _list_page(request: HttpRequest, items: QuerySet[Any], param: str) -> ListPage:
    """Page `param` of a list; a page number that is not one falls back to the first or last."""
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get(param))

    def link(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return f"?{query.urlencode()}"

    return ListPage(
        page,
        link(page.previous_page_number()) if page.has_previous() else "",
        link(page.next_page_number()) if page.has_next() else "",
    )


def _claim_count(**filters: Any) -> Coalesce:
    """How many claims (matching `filters`) an article has, as a subquery on its row.

    Evaluated for the rows of one page only, where a join with GROUP BY would count every claim
    of every article to show 25 of them, and make the paginator's count do the same.
    """
    claims = Claim.objects.filter(article=OuterRef("pk"), **filters).order_by().values("article")
    return Coalesce(Subquery(claims.annotate(n=Count("pk")).values("n")), 0)


@permission_view("claims.view_claim")
def dashboard(request: HttpRequest) -> HttpResponse:
    """Articles with their claim counts by status, and the user's queues, each list paged."""
    counts = {f"n_{status}": _claim_count(status=status) for status in Claim.Status.values}
    articles = Article.objects.only(*ARTICLE_ROW_FIELDS).annotate(n_claims=_claim_count(), **counts)
    rows = Claim.objects.select_related("article").only(*CLAIM_ROW_FIELDS)
    context = {
        "articles": _list_page(request, articles, "articles_page"),
        "my_claims": _list_page(request, rows.assigned_to(request.user), "mine_page"),
        "open_claims": _list_page(request, rows.open_for_review(), "queue_page"),
        # Counted only for those who see it: each list costs a count and a page query.
        "awaiting": _list_page(request, rows.awaiting_approval(), "awaiting_page")
        if request.user.has_perm("reviews.approve_verdict")
        else None,
    }
    return render(request, "claims/dashboard.html", context)


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
