"""Database constraints and row behaviour of articles and claims."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from claims.models import Claim
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db


def test_it_refuses_a_claim_whose_end_is_not_after_its_start() -> None:
    article = ArticleFactory(body="Twelve buses.")
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(article=article, text="", start=3, end=3, position=0)


def test_it_refuses_a_claim_whose_text_is_longer_than_its_span() -> None:
    article = ArticleFactory(body="Twelve buses were bought.")
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(article=article, text="Twelve buses", start=0, end=6, position=0)


@pytest.mark.parametrize("score", [-0.1, 1.5])
def test_it_refuses_a_score_outside_0_and_1(score: float) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimFactory(score=score)


def test_it_refuses_two_claims_at_the_same_position_of_an_article() -> None:
    claim = ClaimFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(
            article=claim.article, text=claim.text[:5], start=0, end=5, position=claim.position
        )


def test_clean_refuses_offsets_that_do_not_slice_back_to_the_text() -> None:
    article = ArticleFactory(body="Rents rose 9%. Wages rose 3%.")
    claim = Claim(article=article, text="Wages rose 3%.", start=0, end=14, position=1)
    with pytest.raises(ValidationError, match="exactly the article text"):
        claim.clean()


def test_body_pieces_cover_the_body_exactly_and_link_each_claim() -> None:
    article = ArticleFactory(body="Intro. Rents rose 9%. Outro.")
    claim = Claim.objects.create(
        article=article, text="Rents rose 9%.", start=7, end=21, position=1
    )
    pieces = list(article.body_pieces())
    assert "".join(piece.text for piece in pieces) == article.body
    assert [piece.claim for piece in pieces] == [None, claim, None]


def test_claim_state_helpers_follow_the_workflow() -> None:
    claim = ClaimFactory(status=Claim.Status.CANDIDATE)
    assert claim.can_be_selected() and claim.can_be_dismissed() and not claim.can_be_taken()
    claim.status = Claim.Status.PUBLISHED
    assert not claim.is_open and not claim.can_be_selected()
