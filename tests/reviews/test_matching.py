"""Already checked: the similar-claims index, kept by publishing and withdrawing, and shown on
the claim workspace and the article page."""

from http import HTTPStatus
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from bench import matching as bench_matching
from claims.models import Article, Claim
from reviews import matching, services
from reviews.models import ExternalFactCheck, MatchDocument, MatchTerm, Verdict
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    UserFactory,
    VerdictFactory,
    default_rating,
)

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _published(text: str, label: str = "False", article: Article | None = None) -> Claim:
    """A claim with a published verdict, through the services (so the index is refreshed)."""
    author = UserFactory(username=f"author-{abs(hash(text)) % 10**8}", role="Reviewer")
    approver = UserFactory(username="matching-approver", role="Editor")
    extra = {"article": article, "start": 0, "end": len(text)} if article else {}
    claim = ClaimFactory(text=text, status=Claim.Status.SELECTED, **extra)
    verdict = services.verdict_save(
        claim=claim, user=author, rating=default_rating(label), summary="Checked."
    )
    services.verdict_submit(verdict=verdict, user=author)
    services.verdict_approve(verdict=verdict, user=approver)
    return claim


def _external(text: str, url: str = "https://checks.example/1", **fields: Any) -> Any:
    record = ExternalFactCheck.objects.create(
        claim_text=text, review_url=url, publisher_name="Other Checkers", **fields
    )
    matching.externals_refresh(external_ids=[record.pk])
    return record


# --- Terms ------------------------------------------------------------------------------------


def test_terms_fold_case_accents_stop_words_and_numbers() -> None:
    assert matching.terms("La EDUCACIÓN pública") == matching.terms("la educacion publica")
    assert "la" not in matching.terms("La educación")
    assert matching.terms("5,000 jobs") == matching.terms("5.000 jobs")
    assert matching.terms("five thousand jobs") == matching.terms("5,000 jobs")
    assert matching.terms("dos millones de euros") == matching.terms("2 millones de euros")
    assert matching.terms("30%") == matching.terms("thirty percent") == ["30", "%"]
    assert matching.terms("treinta por ciento") == ["30", "%"]
    assert matching.terms("4.2%") == matching.terms("4,2 per cent")


def test_light_stemming_joins_plurals_and_verb_forms() -> None:
    assert matching.terms("hospitals") == matching.terms("hospital")
    assert matching.terms("polluted") == matching.terms("pollution")
    assert matching.terms("viviendas") == matching.terms("vivienda")


@given(st.text(max_size=200))
def test_terms_of_normalised_text_are_the_same_and_bounded(text: str) -> None:
    assert matching.terms(matching.normalise(text)) == matching.terms(text)
    assert all(0 < len(term) <= matching.TERM_MAX_LENGTH for term in matching.terms(text))


# --- The index, kept by the services ----------------------------------------------------------


def test_publishing_indexes_the_claim_and_withdrawing_removes_it(editor: Any) -> None:
    claim = _published("The council cut the library budget by 30% last year.")
    document = MatchDocument.objects.get(claim=claim)
    assert document.kind == MatchDocument.Kind.OURS
    assert set(document.terms.values_list("term", flat=True)) == set(matching.terms(claim.text))
    verdict = Verdict.objects.get(claim=claim, is_current=True)
    services.verdicts_withdraw(verdict_ids=[verdict.pk], user=editor, note="Wrong figure.")
    assert not MatchDocument.objects.filter(claim=claim).exists()
    assert not MatchTerm.objects.filter(document=document.pk).exists()


def test_bulk_approval_indexes_every_published_claim(editor: Any) -> None:
    author = UserFactory(username="bulk-author", role="Reviewer")
    verdicts = []
    for text in ["Bus fares rose by 15 percent.", "Tram fares fell by 3 percent."]:
        claim = ClaimFactory(text=text, status=Claim.Status.SELECTED)
        verdict = services.verdict_save(
            claim=claim, user=author, rating=default_rating("True"), summary="Yes."
        )
        verdicts.append(services.verdict_submit(verdict=verdict, user=author))
    services.verdicts_approve(verdict_ids=[v.pk for v in verdicts], user=editor)
    assert MatchDocument.objects.filter(kind="ours").count() == 2


def test_a_draft_or_submitted_verdict_is_not_in_the_index() -> None:
    VerdictFactory(claim__text="Bus fares rose by 15 percent.", submitted_at=timezone.now())
    assert matching.matches_refresh(claim_ids=Claim.objects.values_list("pk", flat=True)) == 0
    assert not MatchDocument.objects.exists()


def test_the_rebuild_command_builds_the_same_index_as_the_services() -> None:
    _published("The council cut the library budget by 30% last year.")
    _published("Unemployment in the region fell to 4.2% in March.")
    _external("Vaccines contain microchips.")
    before = sorted(MatchTerm.objects.values_list("kind", "term", "count"))
    MatchTerm.objects.all().delete()
    MatchDocument.objects.all().delete()
    call_command("matches_rebuild", stdout=open("/dev/null", "w"))
    assert sorted(MatchTerm.objects.values_list("kind", "term", "count")) == before
    assert MatchDocument.objects.count() == 3


# --- Searching --------------------------------------------------------------------------------


def test_the_best_match_comes_first_and_the_claim_itself_is_left_out() -> None:
    best = _published("The council cut the library budget by 30% last year.")
    _published("The council raised parking charges by 10% in the town centre.", label="True")
    _published("Unemployment in the region fell to 4.2% in March.")
    query = ClaimFactory(text="Last year the town council reduced library spending by 30 per cent.")
    found = matching.claim_matches(query)
    assert found.ours[0].claim == best
    assert found.ours[0].verdict.rating.label == "False"
    assert 0 < found.ours[-1].similarity <= found.ours[0].similarity <= 1
    assert best not in [match.claim for match in matching.claim_matches(best).ours]


def test_other_publishers_checks_are_listed_apart_from_ours() -> None:
    _published("Vaccines contain microchips that track people.")
    theirs = _external("Microchips in vaccines track the people who get them.")
    query = ClaimFactory(text="People are tracked by microchips in vaccines.")
    found = matching.claim_matches(query)
    assert [match.external for match in found.theirs] == [theirs]
    assert all(match.claim is not None and match.external is None for match in found.ours)


def test_an_unrelated_claim_has_no_matches() -> None:
    _published("The council cut the library budget by 30% last year.")
    query = ClaimFactory(text="Dolphins sleep with one eye open.")
    assert matching.claim_matches(query) == matching.Matches([], [])


def test_spanish_paraphrases_match() -> None:
    best = _published("El precio del alquiler ha subido un 12% en el último año.")
    _published("El ayuntamiento subirá el precio del autobús en marzo.")
    query = ClaimFactory(
        text="En el último año los alquileres se han encarecido un doce por ciento."
    )
    assert matching.claim_matches(query).ours[0].claim == best


def _count_queries(fn: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries)


def test_the_workspace_panel_reads_the_same_number_of_queries_for_3_or_30_published(
    editor: Any,
) -> None:
    claim = ClaimFactory(text="The council cut the library budget by 30% last year.")
    client = _client(editor)
    url = reverse("reviews:claim_detail", args=[claim.pk])
    for number in range(3):
        _published(f"The council cut the library budget by {number + 30}% in {2000 + number}.")
    few = _count_queries(lambda: matching.claim_matches(claim))
    page_few = _count_queries(lambda: client.get(url))
    for number in range(3, 30):
        _published(f"The council cut the library budget by {number + 30}% in {2000 + number}.")
    many = _count_queries(lambda: matching.claim_matches(claim))
    page_many = _count_queries(lambda: client.get(url))
    assert few == many == 5  # statistics, frequencies, ours, theirs, the documents
    assert page_few == page_many


def test_the_workspace_shows_our_verdicts_and_theirs_labelled(editor: Any) -> None:
    published = _published("Vaccines contain microchips that track people.")
    _external("Microchips in vaccines track the people who get them.", rating_text="Fake")
    claim = ClaimFactory(text="People are tracked by microchips in vaccines.")
    response = _client(editor).get(reverse("reviews:claim_detail", args=[claim.pk]))
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert 'id="matches"' in page and "css/matches.css" in page
    ours, _, theirs = page.partition('class="matches-heading external"')
    assert published.get_absolute_url() in ours
    assert "https://checks.example/1" in theirs and "Fake" in theirs
    assert "Fake" not in ours


def test_a_hostile_external_text_is_escaped(editor: Any) -> None:
    _published("Vaccines contain microchips that track people.")
    _external("<script>alert(1)</script> vaccines microchips track people")
    claim = ClaimFactory(text="People are tracked by microchips in vaccines.")
    page = _client(editor).get(reverse("reviews:claim_detail", args=[claim.pk])).content
    assert b"<script>alert(1)" not in page


# --- The article page -------------------------------------------------------------------------


def _article_with_candidates() -> tuple[Article, Claim, Claim]:
    first, second = "Bus fares rose by 15% in January.", "Dolphins sleep with one eye open."
    article = ArticleFactory(body=f"{first} {second}")
    near = ClaimFactory(article=article, text=first, start=0, end=len(first))
    start = len(first) + 1
    far = ClaimFactory(
        article=article, text=second, start=start, end=start + len(second), position=1
    )
    return article, near, far


def test_the_article_page_loads_matches_once_from_the_review_desk(editor: Any) -> None:
    article, _, _ = _article_with_candidates()
    page = _client(editor).get(reverse("claims:article_detail", args=[article.pk])).content
    url = reverse("reviews:article_matches", args=[article.pk])
    assert page.count(f'hx-get="{url}"'.encode()) == 1


def test_the_article_fragment_fills_the_slot_of_each_candidate_with_a_match(
    editor: Any,
) -> None:
    article, near, far = _article_with_candidates()
    published = _published("In January the price of a bus ticket went up 15%.")
    response = _client(editor).get(reverse("reviews:article_matches", args=[article.pk]))
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert f'id="matches-{near.pk}" hx-swap-oob="true"' in page
    assert f'id="matches-{far.pk}"' not in page
    assert published.get_absolute_url() in page
    assert 'id="article-matches"' in page


def test_the_article_fragment_reads_a_constant_number_of_queries(editor: Any) -> None:
    article, _, _ = _article_with_candidates()
    client = _client(editor)
    url = reverse("reviews:article_matches", args=[article.pk])
    _published("In January the price of a bus ticket went up 15%.")
    few = _count_queries(lambda: client.get(url))
    for number in range(20):
        _published(f"Bus fares rose by {number}% in {1990 + number}.")
    assert _count_queries(lambda: client.get(url)) == few


def test_the_article_fragment_needs_the_claim_permission(editor: Any) -> None:
    article, _, _ = _article_with_candidates()
    url = reverse("reviews:article_matches", args=[article.pk])
    assert _client(UserFactory(username="no-role")).get(url).status_code == HTTPStatus.FORBIDDEN
    assert _client(editor).post(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED


# --- Quality ----------------------------------------------------------------------------------


def test_recall_at_5_on_our_paraphrase_fixture_stays_above_the_measured_floor() -> None:
    """Measured 1.000 with no similarity floor and 0.953 with the display floor (64 pairs,
    99 published claims); a drop below these floors is a regression."""
    results = bench_matching.measure(variants=("full",))["variants"]["full"]
    assert results["no floor"]["all"]["recall@5"] >= 0.95
    assert results["with floor"]["all"]["recall@5"] >= 0.90
    assert results["no floor"]["all"]["mrr"] >= 0.9
