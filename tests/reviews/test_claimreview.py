"""schema.org ClaimReview (reviews/claimreview.py): every rating label, Google's rules, an
independent JSON-LD expansion, the public URL, and the claimant the reviewer records."""

import datetime
import re
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import Client
from pyld import jsonld

from claims.models import Claim
from reviews import services
from reviews.claimreview import claim_review, claimreview_url, with_claimreview_data
from reviews.models import Rating, RatingScale, Verdict
from tests.factories import ClaimFactory, UserFactory, default_rating

pytestmark = pytest.mark.django_db

SUMMARY = "The council spent less than it said."

# Every label of the default scale (reviews/migrations/0002_default_scale_and_roles.py) with its
# ClaimReview number; None: not ordinal.
DEFAULT_SCALE = [
    ("True", 5),
    ("Mostly true", 4),
    ("Half true", 3),
    ("Mostly false", 2),
    ("False", 1),
    ("Misleading", None),
    ("Unproven", None),
]
# A newsroom's own scale: numbers with gaps, lowest above 1, and two non-ordinal labels.
CUSTOM_SCALE = [
    ("Pants on fire", 2),
    ("Wrong", 3),
    ("Right", 7),
    ("Satire", None),
    ("Needs context", None),
]


def _published(rating: Rating, *, reviewer: Any = None, **claim_fields: Any) -> Verdict:
    """A verdict published through the services, on a claim of an article with a URL."""
    reviewer = reviewer or UserFactory(role="Reviewer")
    claim_fields.setdefault(
        "article__source_url", "https://news.example/politics/buses?utm_source=x"
    )
    claim_fields.setdefault("article__published_on", datetime.date(2025, 3, 14))
    claim = ClaimFactory(status=Claim.Status.SELECTED, **claim_fields)
    verdict = services.verdict_save(claim=claim, user=reviewer, rating=rating, summary=SUMMARY)
    services.verdict_submit(verdict=verdict, user=reviewer)
    return services.verdict_approve(verdict=verdict, user=UserFactory(role="Editor"))


def _loaded(verdict: Verdict) -> Verdict:
    return with_claimreview_data(Verdict.objects.all()).get(pk=verdict.pk)


@pytest.fixture
def custom_scale(db: None) -> RatingScale:
    scale = RatingScale.objects.create(name="Newsroom scale")
    for position, (label, value) in enumerate(CUSTOM_SCALE):
        Rating.objects.create(scale=scale, label=label, claimreview_value=value, position=position)
    return scale


# --- reviewRating, label by label -------------------------------------------------------------


def test_the_table_covers_every_label_of_the_default_scale() -> None:
    stored = Rating.objects.filter(scale__is_default=True).values_list("label", "claimreview_value")
    assert set(stored) == set(DEFAULT_SCALE)


@pytest.mark.parametrize(("label", "value"), DEFAULT_SCALE)
def test_each_default_label_gives_its_exact_review_rating(label: str, value: int | None) -> None:
    review = claim_review(_loaded(_published(default_rating(label))))
    expected: dict[str, Any] = {"@type": "Rating", "alternateName": label}
    if value is not None:
        expected |= {"ratingValue": value, "bestRating": 5, "worstRating": 1}
    expected["ratingExplanation"] = SUMMARY
    assert review["reviewRating"] == expected


@pytest.mark.parametrize(("label", "value"), CUSTOM_SCALE)
def test_each_custom_label_gives_its_exact_review_rating(
    custom_scale: RatingScale, label: str, value: int | None
) -> None:
    rating = custom_scale.ratings.get(label=label)
    review = claim_review(_loaded(_published(rating)))
    expected: dict[str, Any] = {"@type": "Rating", "alternateName": label}
    if value is not None:
        # The scale's own best and worst numbers, not 5 and 1.
        expected |= {"ratingValue": value, "bestRating": 7, "worstRating": 2}
    expected["ratingExplanation"] = SUMMARY
    assert review["reviewRating"] == expected


def test_a_scale_with_one_ordinal_label_rates_it_best_and_worst_at_once() -> None:
    scale = RatingScale.objects.create(name="Binary-ish")
    Rating.objects.create(scale=scale, label="Checked", claimreview_value=3)
    Rating.objects.create(scale=scale, label="Opinion", claimreview_value=None)
    review = claim_review(_loaded(_published(scale.ratings.get(label="Checked"))))
    rating = review["reviewRating"]
    assert (rating["ratingValue"], rating["bestRating"], rating["worstRating"]) == (3, 3, 3)


# --- Google's rules ---------------------------------------------------------------------------


def _every_label(custom_scale: RatingScale) -> list[Rating]:
    return list(Rating.objects.filter(scale__is_default=True)) + list(custom_scale.ratings.all())


def test_every_label_follows_googles_rules(custom_scale: RatingScale) -> None:
    for rating in _every_label(custom_scale):
        review = claim_review(_loaded(_published(rating)))
        url = urlsplit(review["url"])
        assert url.scheme in {"http", "https"} and url.netloc, review["url"]
        assert review["claimReviewed"]
        assert review["author"] == {"@type": "Organization", "name": "factcheck demo newsroom"}
        stars = review["reviewRating"]
        assert stars["alternateName"] == rating.label
        if rating.claimreview_value is None:
            assert not {"ratingValue", "bestRating", "worstRating"} & set(stars)
        else:
            assert all(isinstance(stars[key], int) for key in ("ratingValue", "bestRating"))
            assert stars["worstRating"] >= 1
            assert stars["bestRating"] >= stars["ratingValue"] >= stars["worstRating"]
        # ISO 8601: the parsers accept nothing else, and a time must carry its offset.
        for key in ("datePublished", "dateModified"):
            assert datetime.datetime.fromisoformat(review[key]).utcoffset() is not None
        claim = review["itemReviewed"]
        assert claim["@type"] == "Claim"
        assert datetime.date.fromisoformat(claim["datePublished"]) == datetime.date(2025, 3, 14)
        assert claim["appearance"]["url"] == "https://news.example/politics/buses?utm_source=x"


def test_a_correction_sets_date_modified_and_is_listed(editor: Any) -> None:
    verdict = _published(default_rating("Mostly false"))
    first = claim_review(_loaded(verdict))
    assert first["dateModified"] == first["datePublished"]
    assert "correction" not in first
    services.verdict_correct(
        verdict=verdict,
        user=editor,
        rating=default_rating("False"),
        summary="Far less than it said.",
        explanation="",
        note="The budget line was published.",
        expected_version=verdict.version,
    )
    verdict.refresh_from_db()
    review = claim_review(_loaded(verdict))
    assert verdict.modified_at is not None
    assert review["dateModified"] == verdict.modified_at.isoformat() != review["datePublished"]
    assert review["reviewRating"]["alternateName"] == "False"
    assert review["reviewRating"]["ratingExplanation"] == "Far less than it said."
    assert review["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "The budget line was published.",
            "datePublished": verdict.modified_at.isoformat(),
        }
    ]


def test_the_review_body_is_the_explanation_or_else_the_summary() -> None:
    verdict = _published(default_rating("False"))
    assert claim_review(_loaded(verdict))["reviewBody"] == SUMMARY
    Verdict.objects.filter(pk=verdict.pk).update(explanation="The report says 30, not 40.")
    assert claim_review(_loaded(verdict))["reviewBody"] == "The report says 30, not 40."


def test_many_claimreviews_are_built_without_a_query_each(
    django_assert_num_queries: Any, editor: Any
) -> None:
    for label in ("True", "False", "Misleading"):
        verdict = _published(default_rating(label))
    services.verdict_correct(
        verdict=verdict,
        user=editor,
        rating=default_rating("Unproven"),
        summary="Changed.",
        explanation="",
        note="Fixed.",
        expected_version=verdict.version,
    )
    # Verdicts with their claim, article, rating and scale; the scale's ratings; corrections.
    with django_assert_num_queries(3):
        verdicts = list(with_claimreview_data(Verdict.objects.published()))
    with django_assert_num_queries(0):
        reviews = [claim_review(verdict) for verdict in verdicts]
    assert len(reviews) == 3 and sum("correction" in review for review in reviews) == 1


# --- An independent JSON-LD check -------------------------------------------------------------

SCHEMA_ORG = "https://schema.org/"
# A local, minimal stand-in for the schema.org context: every term is a schema.org IRI.
LOCAL_CONTEXT = {"@context": {"@vocab": SCHEMA_ORG}}
# The schema.org properties each type we emit may carry (its own and inherited ones), written
# out from schema.org by hand: an invented or misplaced property fails the check.
_THING = {"name", "url", "alternateName", "description", "sameAs"}
_CREATIVE_WORK = _THING | {
    "author",
    "datePublished",
    "dateModified",
    "headline",
    "publisher",
    "text",
    "correction",
    "inLanguage",
}
PROPERTIES = {
    "ClaimReview": _CREATIVE_WORK | {"reviewRating", "reviewBody", "itemReviewed", "claimReviewed"},
    "Claim": _CREATIVE_WORK | {"appearance", "firstAppearance"},
    "NewsArticle": _CREATIVE_WORK,
    "CorrectionComment": _CREATIVE_WORK,
    "Rating": _THING | {"ratingValue", "bestRating", "worstRating", "ratingExplanation", "author"},
    "Organization": _THING,
    "Person": _THING,
}


def _local_loader(url: str, options: Any = None) -> dict[str, Any]:
    """Serve the schema.org context from memory; any other URL fails the test (no network)."""
    if url.rstrip("/") not in {"https://schema.org", "http://schema.org"}:
        raise AssertionError(f"the JSON-LD check tried to fetch {url}")
    return {"contextUrl": None, "documentUrl": url, "document": LOCAL_CONTEXT}


def _compact_keys(node: Any) -> set[str]:
    if isinstance(node, list):
        return set().union(*(_compact_keys(item) for item in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    keys = {key for key in node if not key.startswith("@")}
    return keys.union(*(_compact_keys(value) for value in node.values()))


def _nodes(node: Any) -> list[dict[str, Any]]:
    """Every node object of an expanded document (value objects left out)."""
    if isinstance(node, list):
        return [found for item in node for found in _nodes(item)]
    if not isinstance(node, dict) or "@value" in node:
        return []
    return [
        node,
        *(found for key, value in node.items() if key != "@type" for found in _nodes(value)),
    ]


def _only(expanded: dict[str, Any], name: str) -> Any:
    values = expanded[SCHEMA_ORG + name]
    assert len(values) == 1, name
    return values[0]


@pytest.mark.parametrize("label", ["Mostly false", "Misleading"])
def test_the_json_ld_expands_to_schema_org_with_nothing_dropped(editor: Any, label: str) -> None:
    verdict = _published(
        default_rating(label),
        claimant="Jane Doe, health minister",
        article__author="A. Reporter",
        article__outlet="Daily Example",
    )
    services.verdict_correct(
        verdict=verdict,
        user=editor,
        rating=default_rating(label),
        summary="Reworded.",
        explanation="",
        note="Wording.",
        expected_version=verdict.version,
    )
    review = claim_review(_loaded(verdict))

    expanded_list = jsonld.expand(review, {"documentLoader": _local_loader})
    assert len(expanded_list) == 1
    expanded = expanded_list[0]
    assert expanded["@type"] == [SCHEMA_ORG + "ClaimReview"]

    nodes = _nodes(expanded)
    used = {key for node in nodes for key in node if not key.startswith("@")}
    assert all(key.startswith(SCHEMA_ORG) for key in used)
    # Every key of the document came through expansion (none was dropped as unknown).
    assert {key.removeprefix(SCHEMA_ORG) for key in used} == _compact_keys(review)
    for node in nodes:
        (node_type,) = node["@type"]
        allowed = PROPERTIES[node_type.removeprefix(SCHEMA_ORG)]
        properties = {key.removeprefix(SCHEMA_ORG) for key in node if not key.startswith("@")}
        assert properties <= allowed, (node_type, properties - allowed)

    claim = _only(expanded, "itemReviewed")
    assert claim["@type"] == [SCHEMA_ORG + "Claim"]
    claimant = _only(claim, "author")
    assert claimant["@type"] == [SCHEMA_ORG + "Person"]
    assert _only(claimant, "name") == {"@value": "Jane Doe, health minister"}
    appearance = _only(claim, "appearance")
    assert _only(appearance, "url")["@value"].startswith("https://news.example/")
    assert _only(_only(appearance, "author"), "name") == {"@value": "A. Reporter"}

    rating = _only(expanded, "reviewRating")
    assert _only(rating, "alternateName") == {"@value": label}
    if label == "Mostly false":
        assert _only(rating, "ratingValue") == {"@value": 2}
        assert _only(rating, "bestRating") == {"@value": 5}
        assert _only(rating, "worstRating") == {"@value": 1}
    else:
        assert SCHEMA_ORG + "ratingValue" not in rating
    assert _only(_only(expanded, "correction"), "text") == {"@value": "Wording."}


# --- The public URL ---------------------------------------------------------------------------


def test_the_url_pattern_gives_the_public_page(settings: Any) -> None:
    settings.FACTCHECK_CLAIMREVIEW_URL_PATTERN = (
        "https://news.example/fact-checks/{verdict_id}?claim={claim_id}&article={article_id}"
    )
    verdict = _published(default_rating("False"))
    claim = verdict.claim
    expected = (
        f"https://news.example/fact-checks/{verdict.pk}?claim={claim.pk}&article={claim.article_id}"
    )
    assert claimreview_url(verdict) == expected
    assert claim_review(_loaded(verdict))["url"] == expected


def test_the_pattern_fills_in_the_cms_id_percent_encoded(settings: Any) -> None:
    settings.FACTCHECK_CLAIMREVIEW_URL_PATTERN = "https://cms.example/{external_id}/fact-check"
    verdict = _published(default_rating("False"), article__external_id="politics/story 7#a")
    assert claimreview_url(verdict) == "https://cms.example/politics/story%207%23a/fact-check"


def test_without_a_pattern_the_url_is_the_articles_with_the_claims_anchor(settings: Any) -> None:
    settings.FACTCHECK_CLAIMREVIEW_URL_PATTERN = ""
    verdict = _published(
        default_rating("False"), article__source_url="https://news.example/story?id=4#comments"
    )
    expected = f"https://news.example/story?id=4#claim-{verdict.claim_id}"
    assert claimreview_url(verdict) == expected
    assert claim_review(_loaded(verdict))["url"] == expected


def test_a_pattern_needing_a_cms_id_falls_back_to_the_article_anchor(settings: Any) -> None:
    settings.FACTCHECK_CLAIMREVIEW_URL_PATTERN = "https://cms.example/{external_id}/fact-check"
    verdict = _published(default_rating("False"), article__source_url="https://news.example/s")
    assert claimreview_url(verdict) == f"https://news.example/s#claim-{verdict.claim_id}"


def test_with_no_pattern_and_no_article_url_there_is_no_url_rather_than_a_made_up_one(
    settings: Any,
) -> None:
    settings.FACTCHECK_CLAIMREVIEW_URL_PATTERN = ""
    verdict = _published(default_rating("False"), article__source_url="")
    assert claimreview_url(verdict) is None
    review = claim_review(_loaded(verdict))
    assert "url" not in review and "url" not in review["itemReviewed"]["appearance"]


@pytest.mark.parametrize(
    "pattern",
    ["https://news.example/{verdict}", "/fact-checks/{verdict_id}", "{verdict_id.__class__}"],
)
def test_a_pattern_that_cannot_give_an_absolute_url_is_a_configuration_error(
    settings: Any, pattern: str
) -> None:
    settings.FACTCHECK_CLAIMREVIEW_URL_PATTERN = pattern
    verdict = _published(default_rating("False"))
    with pytest.raises(ImproperlyConfigured, match="FACTCHECK_CLAIMREVIEW_URL_PATTERN"):
        claimreview_url(verdict)


# --- The claimant -----------------------------------------------------------------------------


def test_the_claimant_is_the_claims_author_and_the_journalist_the_appearances() -> None:
    verdict = _published(
        default_rating("False"), claimant="Jane Doe", article__author="A. Reporter"
    )
    item = claim_review(_loaded(verdict))["itemReviewed"]
    assert item["author"] == {"@type": "Person", "name": "Jane Doe"}
    assert item["appearance"]["author"] == {"@type": "Person", "name": "A. Reporter"}


def test_without_a_claimant_the_claim_has_no_author_not_the_journalist() -> None:
    verdict = _published(default_rating("False"), article__author="A. Reporter")
    item = claim_review(_loaded(verdict))["itemReviewed"]
    assert "author" not in item
    assert item["appearance"]["author"] == {"@type": "Person", "name": "A. Reporter"}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _claimant_input(content: str) -> str:
    match = re.search(r'<input[^>]*name="claimant"[^>]*>', content)
    assert match, "no claimant field in the verdict form"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


def test_the_reviewer_saves_the_claimant_from_the_workspace_and_history_records_it(
    reviewer: Any,
) -> None:
    claim = ClaimFactory(status=Claim.Status.IN_REVIEW, assignee=reviewer)
    client = _client(reviewer)
    response = client.post(
        f"/claims/{claim.pk}/verdict/",
        {
            "rating": default_rating("False").pk,
            "summary": "Wrong figure.",
            "explanation": "",
            "version": 0,
            "claimant": "  Jane   Doe, health minister ",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    claim.refresh_from_db()
    assert claim.claimant == "Jane Doe, health minister"
    record = Claim.history.filter(id=claim.pk).latest("history_id")
    assert record.claimant == "Jane Doe, health minister"
    assert record.history_user == reviewer
    assert record.history_change_reason == "claimant: Jane Doe, health minister"
    page = client.get(f"/claims/{claim.pk}/").content.decode()
    assert _claimant_input(page) == "Jane Doe, health minister"
    assert "Claim made by Jane Doe, health minister" in page


def test_a_refused_verdict_form_gives_back_the_typed_claimant(reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.IN_REVIEW, assignee=reviewer)
    response = _client(reviewer).post(
        f"/claims/{claim.pk}/verdict/",
        {
            "rating": default_rating("False").pk,
            "summary": "",
            "version": 0,
            "claimant": 'Jane <b>"Doe"</b>',
        },
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    content = response.content.decode()
    assert _claimant_input(content) == "Jane &lt;b&gt;&quot;Doe&quot;&lt;/b&gt;"
    assert "<b>" not in content
    claim.refresh_from_db()
    assert claim.claimant == ""


def test_a_post_without_the_claimant_field_leaves_the_claimant_alone(reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.IN_REVIEW, assignee=reviewer, claimant="Jane Doe")
    response = _client(reviewer).post(
        f"/claims/{claim.pk}/verdict/",
        {"rating": default_rating("False").pk, "summary": "Wrong.", "version": 0},
    )
    assert response.status_code == HTTPStatus.FOUND
    claim.refresh_from_db()
    assert claim.claimant == "Jane Doe"


def test_only_the_claims_reviewer_records_the_claimant(reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.IN_REVIEW, assignee=reviewer)
    other = UserFactory(role="Reviewer")
    with pytest.raises(ValidationError, match="reviewer records who made it"):
        services.claim_set_claimant(claim=claim, user=other, claimant="Jane Doe")
    assert Claim.objects.get(pk=claim.pk).claimant == ""
    services.claim_set_claimant(claim=claim, user=reviewer, claimant="Jane Doe")
    assert Claim.objects.get(pk=claim.pk).claimant == "Jane Doe"


def test_the_service_refuses_a_claimant_past_the_limit(reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.IN_REVIEW, assignee=reviewer)
    with pytest.raises(ValidationError, match="the limit is 200"):
        services.verdict_save(
            claim=claim,
            user=reviewer,
            rating=default_rating("False"),
            summary="Wrong.",
            claimant="x" * 201,
        )
    assert not Verdict.objects.filter(claim=claim).exists()
