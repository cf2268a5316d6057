"""Newsroom screens for articles and claims: parse input, call one service, render."""

import itertools
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from claims import importing, reranking, revisions, services
from claims.flag_messages import flag_message_display
from claims.forms import (
    ArticlePasteForm,
    ArticleUploadForm,
    ArticleURLForm,
    ClaimBulkForm,
    LanguageForm,
)
from claims.grouping import overlapping, ranked_entries
from claims.middleware import SESSION_LANGUAGE_KEY, set_language_cookie
from claims.models import Article, ArticleImport, Claim
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
        except services.DuplicateArticleError as duplicate:
            return _already_in_the_desk(request, duplicate.article)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            n = article.claims.count()
            messages.success(
                request,
                _("Imported with %(count)d candidate claims.") % {"count": n},
            )
            return redirect(article)
    return _render_import(request, status=400, paste_form=form)


def _already_in_the_desk(request: HttpRequest, article: Article) -> HttpResponse:
    """A text the desk holds already: take the editor to that article, copy nothing."""
    messages.info(
        request,
        _(
            "This text is already in the desk: here is the article “%(title)s”. "
            "Nothing new was created."
        )
        % {"title": article.title},
    )
    return redirect(article)


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
            )
        except services.DuplicateArticleError as duplicate:
            return _already_in_the_desk(request, duplicate.article)
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            n = article.claims.count()
            messages.success(
                request,
                _("Imported with %(count)d candidate claims.") % {"count": n},
            )
            return redirect(article)
    return _render_import(request, status=400, upload_form=form)


@permission_view("claims.add_article")
@require_POST
def article_fetch(request: HttpRequest) -> HttpResponse:
    """Queue the import of an article from a URL; the job's page follows the worker."""
    form = ArticleURLForm(request.POST)
    if form.is_valid():
        try:
            job = importing.article_import_url_queue(
                url=form.cleaned_data["url"], requested_by=request.user
            )
        except ValidationError as error:
            add_form_errors(form, error)
        else:
            return redirect(job)
    return _render_import(request, status=400, url_form=form)


def _import_context(job: ArticleImport) -> dict[str, Any]:
    # A failed job offers the form again, the URL filled in, to try once more.
    retry = ArticleURLForm(initial={"url": job.url}) if job.status == job.Status.FAILED else None
    return {"job": job, "url_form": retry}


@permission_view("claims.add_article")
@require_safe
def article_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A URL import as it goes: its status, polled without reloading until it is finished."""
    job = get_object_or_404(ArticleImport.objects.select_related("article", "requested_by"), pk=pk)
    return render(request, "claims/article_import_detail.html", _import_context(job))


@permission_view("claims.add_article")
@require_safe
def article_import_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The status panel of a URL import, for the job page to poll (it stops once finished)."""
    job = get_object_or_404(ArticleImport.objects.select_related("article"), pk=pk)
    return render(request, "claims/article_import_status.html", _import_context(job))


@dataclass(frozen=True)
class TextRun:
    """A run of article text with the flags whose sentences it is part of."""

    text: str
    flags: tuple[int, ...] = ()
    anchors: tuple[str, ...] = ()  # ids of the flagged sentences that start here
    markers: tuple[int, ...] = ()  # flags whose sentence ends here: a link follows the run


@dataclass(frozen=True)
class MarkedPiece:
    """A body piece (a claim or plain text) cut into runs where flagged sentences begin or end.

    Inside a claim, the runs carry no markers: a claim is a link and links do not nest, so its
    flag markers follow the claim instead.
    """

    claim: Claim | None
    runs: tuple[TextRun, ...]
    markers: tuple[int, ...] = ()


@dataclass(frozen=True)
class FlagSentence:
    """A sentence a flag involves: the anchor of its place in the text, and the claims on it."""

    anchor: str
    text: str
    claims: list[Claim]


@dataclass(frozen=True)
class FlagView:
    """A consistency flag, numbered, with its sentences and every claim they overlap."""

    number: int
    message: str
    arithmetic: str
    sentences: list[FlagSentence]
    claims: list[Claim]
    # "contradiction", or "may_not_add_up" where the wording is not exhaustive ("including");
    # flags stored before severities existed read as contradictions.
    severity: str = "contradiction"


@dataclass(frozen=True)
class RankedGroup:
    """An item of the ranked list: one claim, or the claims stating one figure (``figure``)."""

    figure: str | None
    rows: list[tuple[Claim, list[int]]]  # each claim with the numbers of its flags


def _flag_spans(article: Article) -> list[list[tuple[int, int]]]:
    """Each flag's sentence spans, leaving out any that do not fit the body."""
    size = len(article.body)
    return [
        [(int(start), int(end)) for start, end in flag.get("spans", []) if 0 <= start < end <= size]
        for flag in article.consistency_flags
    ]


def _marked_pieces(article: Article, flag_spans: list[list[tuple[int, int]]]) -> list[MarkedPiece]:
    """The body in pieces (claims, plain text) cut into runs where flagged sentences start or end.

    The template escapes every run: no article text is ever rendered as markup.
    """
    spans = [
        (start, end, number, f"flag-{number}-{index}")
        for number, flag in enumerate(flag_spans, 1)
        for index, (start, end) in enumerate(flag)
    ]
    pieces: list[MarkedPiece] = []
    offset = 0
    for piece in article.body_pieces():
        first, last = offset, offset + len(piece.text)
        offset = last
        inside = {at for start, end, _, _ in spans for at in (start, end) if first < at < last}
        cuts = sorted({first, last, *inside})
        runs = [
            TextRun(
                article.body[start:end],
                tuple(sorted({n for s, e, n, _ in spans if s <= start and end <= e})),
                tuple(anchor for s, _, _, anchor in spans if s == start),
                tuple(sorted({n for _, e, n, _ in spans if e == end})),
            )
            for start, end in itertools.pairwise(cuts)
        ]
        if piece.claim is None:
            pieces.append(MarkedPiece(None, tuple(runs)))
        else:
            markers = tuple(sorted({n for run in runs for n in run.markers}))
            runs = [TextRun(run.text, run.flags, run.anchors) for run in runs]
            pieces.append(MarkedPiece(piece.claim, tuple(runs), markers))
    return pieces


def _flag_views(
    article: Article, flag_spans: list[list[tuple[int, int]]], claims: list[Claim]
) -> list[FlagView]:
    """The article's flags, numbered from 1, each sentence with the claims that overlap it."""
    in_order = sorted(claims, key=lambda claim: claim.start)
    claim_spans = [(claim.start, claim.end) for claim in in_order]
    views = []
    for number, (flag, spans) in enumerate(
        zip(article.consistency_flags, flag_spans, strict=True), 1
    ):
        on_sentence = overlapping([[span] for span in spans], claim_spans)
        sentences = [
            FlagSentence(f"flag-{number}-{i}", article.body[start:end], [in_order[c] for c in on])
            for i, ((start, end), on) in enumerate(zip(spans, on_sentence, strict=True))
        ]
        involved = [in_order[i] for i in sorted({index for on in on_sentence for index in on})]
        message, arithmetic = flag_message_display(flag), flag.get("arithmetic", "")
        severity = str(flag.get("severity", "contradiction"))
        views.append(FlagView(number, message, arithmetic, sentences, involved, severity))
    return views


@permission_view("claims.view_article")
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The article with claims highlighted by status, ranked, and its consistency flags.

    Flagged sentences are marked in the text and each flag links to the claims it involves;
    in the ranked list, claims that state the same figure stand under one heading.
    """
    article = get_object_or_404(Article.objects.prefetch_related("claims"), pk=pk)
    rerank = reranking.article_rerank_state(article=article)
    ranked = reranking.claims_ranked(claims=list(article.claims.all()), state=rerank)
    flag_spans = _flag_spans(article)
    flags = _flag_views(article, flag_spans, ranked)
    flags_of = {claim.pk: [f.number for f in flags if claim in f.claims] for claim in ranked}
    groups = [
        RankedGroup(entry.figure, [(ranked[i], flags_of[ranked[i].pk]) for i in entry.members])
        for entry in ranked_entries([claim.text for claim in ranked])
    ]
    return render(
        request,
        "claims/article_detail.html",
        {
            "article": article,
            "pieces": _marked_pieces(article, flag_spans),
            "ranked": groups,
            "flags": flags,
            "statuses": Claim.Status.choices,
            "bulk_form": ClaimBulkForm(article=article),
            "other_sentences": services.article_other_sentences(article=article),
            "rerank": rerank,
        },
    )


@permission_view("claims.view_article")
@require_safe
def article_rerank_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Where the article's scores come from, for its page to poll while stage 2 is pending
    (the refined claims' scores ride along, swapped out of band)."""
    article = get_object_or_404(
        Article.objects.only("pk", "revision", "extraction", "created_at"), pk=pk
    )
    rerank = reranking.article_rerank_state(article=article)
    refreshed = article.claims.only("pk", "score", "score_refined") if rerank.refined else []
    return render(
        request,
        "claims/article_rerank_status.html",
        {"article": article, "rerank": rerank, "refreshed_claims": refreshed},
    )


@permission_view("claims.select_claim")
@require_POST
def claim_promote(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a sentence below the threshold into a claim on the review queue."""
    article = get_object_or_404(Article, pk=pk)
    try:
        start = int(request.POST.get("start", ""))
    except ValueError:
        messages.error(request, _("Choose a sentence to make into a claim."))
        return redirect(article)
    try:
        claim = services.claim_promote(article=article, user=request.user, start=start)
    except ValidationError as error:
        flash_errors(request, error)
        return redirect(article)
    messages.success(request, _("The sentence is now a claim on the review queue."))
    return redirect(claim)


@permission_view("claims.select_claim")
@require_POST
def claim_bulk(request: HttpRequest, pk: int) -> HttpResponse:
    """Select or dismiss the ticked claims of an article."""
    article = get_object_or_404(Article, pk=pk)
    form = ClaimBulkForm(request.POST, article=article)
    if not form.is_valid():
        messages.error(request, _("Tick at least one claim and choose select or dismiss."))
        return redirect(article)
    changed = services.claims_bulk_update_status(
        claim_ids=[claim.pk for claim in form.cleaned_data["claims"]],
        user=request.user,
        select=form.cleaned_data["action"] == "select",
    )
    messages.success(
        request,
        _("%(count)d claim(s) updated.") % {"count": changed},
    )
    return redirect(article)


def _claim_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    claim = get_object_or_404(Claim, pk=pk)
    try:
        if action == "select":
            services.claim_select(claim=claim, user=request.user)
        elif action == "dismiss":
            services.claim_dismiss(claim=claim, user=request.user)
        elif action == "restore":
            services.claim_restore(claim=claim, user=request.user)
        else:
            services.claim_take(claim=claim, user=request.user)
    except ValidationError as error:
        flash_errors(request, error)
    else:
        messages.success(
            request,
            _("Claim is now %(status)s.") % {"status": claim.get_status_display().lower()},
        )
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


@permission_view("claims.select_claim")
@require_POST
def claim_restore(request: HttpRequest, pk: int) -> HttpResponse:
    """Bring a dismissed claim back as a candidate."""
    return _claim_action(request, pk, "restore")


@permission_view("reviews.add_verdict")
@require_POST
def claim_take(request: HttpRequest, pk: int) -> HttpResponse:
    """A reviewer takes a claim from the queue."""
    return _claim_action(request, pk, "take")


@permission_view("claims.view_article")
@require_safe
def article_revisions(request: HttpRequest, pk: int) -> HttpResponse:
    """The differences between two revisions of an article (`?from=1&to=2`; by default the
    latest against the one before), and which claims the revisions in between moved, changed,
    orphaned or added."""
    article = get_object_or_404(Article.objects.only("pk", "title", "revision"), pk=pk)
    to = _revision_number(request.GET.get("to"), default=article.revision)
    since = _revision_number(request.GET.get("from"), default=max(1, to - 1))
    comparison = revisions.revision_comparison(article=article, since=since, to=to)
    if comparison is None:
        raise Http404(_("No such revisions."))
    context = {"article": article, **vars(comparison)}
    return render(request, "claims/article_revisions.html", context)


def _revision_number(value: str | None, *, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise Http404(_("No such revision.")) from None


@permission_view("claims.view_claim")
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Switch the desk's language: stored as the user's preference, and in a cookie so the login
    page after a logout speaks it too (before any choice, the browser's language is used)."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose one of the offered languages."))
    language = form.cleaned_data["language"]
    target = form.cleaned_data["next"]
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("claims:dashboard")
    services.user_language_set(user=request.user, language=language)
    request.session[SESSION_LANGUAGE_KEY] = language
    response = redirect(target)
    set_language_cookie(response, language)
    return response
