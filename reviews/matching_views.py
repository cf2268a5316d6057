"""The article page's "already checked" fragment: claims among an article's candidates that
resemble claims with a published verdict, and other publishers' fact-checks.

The article page belongs to the claims app, which cannot import the review desk; it loads this
fragment once with htmx, and the fragment fills each candidate's slot out of band.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from claims.models import Article
from factcheck.lib.permissions import permission_view
from reviews import matching

# An article with more candidates than this is not a news story; the first ones are matched.
MAX_CLAIMS = 100


@permission_view("claims.view_claim")
@require_GET
def article_matches(request: HttpRequest, pk: int) -> HttpResponse:
    """Matches of every claim of the article, one slot each (hx-swap-oob)."""
    article = get_object_or_404(Article.objects.only("pk"), pk=pk)
    claims = list(article.claims.only("pk", "text").order_by("position", "pk")[:MAX_CLAIMS])
    found = matching.matches_for_claims(claims)
    rows = [(claim.pk, found[claim.pk]) for claim in claims]
    context = {
        "article": article,
        "rows": rows,
        "found": sum(1 for _, matches in rows if matches.ours or matches.theirs),
    }
    return render(request, "reviews/article_matches.html", context)
