"""`seed_demo --claims N` builds a newsroom at scale by bulk inserts (the admin bench uses it)."""

from io import StringIO

import pytest
from django.core.management import call_command

from claims.models import Article, Claim
from reviews.models import Evidence, Verdict

pytestmark = pytest.mark.django_db


def test_seed_demo_claims_bulk_inserts_articles_claims_verdicts_and_evidence() -> None:
    out = StringIO()
    call_command("seed_demo", claims=300, stdout=out)
    scale = Article.objects.filter(title__startswith="Scale article")
    assert scale.count() == 3
    claims = Claim.objects.filter(article__in=scale)
    assert claims.count() == 300
    assert Verdict.objects.filter(claim__in=claims).count() == 60
    assert Evidence.objects.filter(claim__in=claims).count() == 150
    assert set(claims.values_list("status", flat=True)) == set(Claim.Status.values)
    for claim in claims.select_related("article")[:20]:  # the anchor invariant holds
        assert claim.article.body[claim.start : claim.end] == claim.text
    assert "300 claims" in out.getvalue()
