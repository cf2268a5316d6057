"""The demo newsroom: users per role and demo articles; running it twice adds nothing."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from claims.models import Article

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_it_creates_users_for_each_role_and_prints_their_logins() -> None:
    output = _seed()
    users = get_user_model().objects
    assert users.get(username="editor").groups.filter(name="Editor").exists()
    assert users.get(username="reviewer").groups.filter(name="Reviewer").exists()
    assert users.get(username="admin").is_superuser
    assert users.get(username="editor").check_password("demo-editor-pass")
    assert "demo-reviewer-pass" in output


def test_running_it_twice_adds_nothing() -> None:
    _seed()
    counts = (Article.objects.count(), get_user_model().objects.count())
    _seed()
    assert (Article.objects.count(), get_user_model().objects.count()) == counts


def test_the_demo_articles_have_anchored_candidate_claims() -> None:
    _seed()
    assert Article.objects.count() == 3
    for article in Article.objects.all():
        claims = list(article.claims.all())
        assert claims, article.title
        assert all(article.body[c.start : c.end] == c.text for c in claims)


def test_the_flood_relief_article_is_flagged_for_figures_that_do_not_add_up() -> None:
    _seed()
    article = Article.objects.get(title__startswith="Harbourton flood relief")
    kinds = {flag["kind"] for flag in article.consistency_flags}
    assert "sum" in kinds, article.consistency_flags
    sum_flag = next(flag for flag in article.consistency_flags if flag["kind"] == "sum")
    assert "1,075" in sum_flag["arithmetic"] or "1075" in sum_flag["arithmetic"]
    for start, end in sum_flag["spans"]:
        assert article.body[start:end].strip()


def test_the_demo_brings_other_publishers_fact_checks_once_and_matches_them() -> None:
    from reviews.matching import claim_matches
    from reviews.models import ExternalFactCheck

    _seed()
    _seed()
    assert ExternalFactCheck.objects.count() == 4
    buses = Article.objects.get(title__startswith="Bus journeys")
    claim = buses.claims.get(text__startswith="Passengers made 3.2 million bus journeys")
    theirs = claim_matches(claim).theirs
    assert theirs[0].external is not None
    assert theirs[0].external.review_url.endswith("/bus-journeys-record")
