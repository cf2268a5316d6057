"""A changed story becomes a new revision and every claim follows its sentence: moved, changed
or orphaned, never lost; the offsets invariant holds against the revision each claim is in."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from claims import revisions
from claims.models import Article, ArticleRevision, Claim
from reviews.models import ChangeEvent, Verdict
from tests.factories import EvidenceFactory, UserFactory, VerdictFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _candidate_threshold(settings: Any) -> None:
    """The articles here anchor claims on plain sentences that must be candidates; one ("Bus
    passes for pupils stay free, the transport committee said.") scores 0.52, under the default
    cut (0.55), so these tests keep the 0.5 they were written for."""
    settings.FACTCHECK_CANDIDATE_THRESHOLD = 0.5


FIRST = (
    "Harbourton council approved a budget of 48.2 million pounds on Thursday.\n\n"
    "Council tax will rise by 4.5% for a typical home, the largest rise since 2019.\n\n"
    "The harbour walls get 3 million pounds, up from 1.2 million last year.\n\n"
    "Bus passes for pupils stay free, the transport committee said."
)


def _push(body: str, title: str = "Budget approved") -> revisions.ArticlePush:
    return revisions.article_push(
        external_id="cms-77", title=title, body=body, pushed_by="Test CMS"
    )


def _claim(article: Article, fragment: str) -> Claim:
    return Claim.objects.get(article=article, text__contains=fragment)


def _assert_invariant(article: Article) -> None:
    """Every claim slices the text of the revision it is anchored in back to its own text."""
    article.refresh_from_db()
    bodies = dict(article.revisions.values_list("number", "body"))
    for claim in article.claims.all():
        body = article.body if claim.revision == article.revision else bodies[claim.revision]
        assert body[claim.start : claim.end] == claim.text, claim
        if claim.anchor != Claim.Anchor.ORPHANED:
            assert claim.revision == article.revision


@pytest.fixture
def article() -> Article:
    article = _push(FIRST).article
    assert article.revision == 1 and article.claims.count() >= 3
    return article


def test_the_same_text_again_makes_no_revision(article: Article) -> None:
    pushed = _push(FIRST)
    assert pushed.revised is None and not pushed.created
    # The first revision, the text as imported, is stored at import.
    assert list(ArticleRevision.objects.filter(article=article).values_list("number", "body")) == [
        (1, FIRST)
    ]
    article.refresh_from_db()
    assert article.revision == 1


def test_text_added_before_moves_every_claim_with_its_sentence(article: Article) -> None:
    tax = _claim(article, "Council tax")
    before = (tax.start, tax.end, tax.text)
    second = "UPDATE: the vote was 31 to 9.\n\n" + FIRST
    revised = _push(second).revised
    assert revised is not None and revised.revision is not None
    assert revised.revision.number == 2 and tax.pk in revised.moved
    assert not revised.changed and not revised.orphaned
    tax.refresh_from_db()
    assert tax.text == before[2] and tax.start == before[0] + len(
        "UPDATE: the vote was 31 to 9.\n\n"
    )
    assert tax.anchor == Claim.Anchor.ANCHORED
    # Every revision is kept, the first one as imported.
    assert list(article.revisions.order_by("number").values_list("number", "body")) == [
        (1, FIRST),
        (2, second),
    ]
    _assert_invariant(article)


def test_an_edited_sentence_changes_its_claim_and_a_deleted_one_is_orphaned(
    article: Article,
) -> None:
    walls = _claim(article, "harbour walls")
    tax = _claim(article, "Council tax")
    evidence = EvidenceFactory(claim=tax, note="Budget papers, page 4.")
    second = FIRST.replace(
        "3 million pounds, up from 1.2", "3.4 million pounds, up from 1.2"
    ).replace(
        "Council tax will rise by 4.5% for a typical home, the largest rise since 2019.\n\n", ""
    )
    revised = _push(second).revised
    assert revised is not None
    assert revised.changed == [walls.pk] and revised.orphaned == [tax.pk]
    walls.refresh_from_db()
    assert walls.anchor == Claim.Anchor.CHANGED
    assert "3.4 million pounds" in walls.text and walls.revision == 2
    tax.refresh_from_db()
    # Orphaned, never deleted: its evidence stays, its anchor points into revision 1.
    assert tax.anchor == Claim.Anchor.ORPHANED and tax.revision == 1
    assert tax.evidence.get() == evidence
    assert revised.revision is not None
    assert revised.revision.changes == {
        "moved": revised.moved,
        "changed": [walls.pk],
        "orphaned": [tax.pk],
        "added": revised.added,
    }
    history = walls.history.first()
    assert history is not None and history.history_change_reason == (
        "revision 2: its sentence was edited"
    )
    _assert_invariant(article)


def test_a_new_sentence_becomes_a_candidate(article: Article) -> None:
    second = FIRST + "\n\nThe library budget falls by 12% to 2.1 million pounds."
    revised = _push(second).revised
    assert revised is not None and len(revised.added) == 1
    added = Claim.objects.get(pk=revised.added[0])
    assert "library budget" in added.text and added.status == Claim.Status.CANDIDATE
    assert added.revision == 2
    _assert_invariant(article)


def test_paragraphs_reordered_keep_positions_unique_and_in_reading_order(
    article: Article,
) -> None:
    paragraphs = FIRST.split("\n\n")
    revised = _push("\n\n".join(reversed(paragraphs))).revised
    assert revised is not None and not revised.orphaned and not revised.changed
    claims = list(article.claims.order_by("start"))
    assert [claim.position for claim in claims] == sorted(claim.position for claim in claims)
    assert len({claim.position for claim in claims}) == len(claims)
    _assert_invariant(article)


def test_a_revision_after_an_orphan_can_reuse_its_old_offsets(article: Article) -> None:
    tax = _claim(article, "Council tax")
    without_tax = FIRST.replace(tax.text, "")
    _push(without_tax)
    # A different sentence later lands exactly where the orphan's old offsets were.
    third = FIRST.replace(tax.text, "Parking charges rise by 20% from April, the council said.")
    revised = _push(third).revised
    assert revised is not None and revised.added
    tax.refresh_from_db()
    assert tax.anchor == Claim.Anchor.ORPHANED and tax.revision == 1
    _assert_invariant(article)


# --- Through the API, with a published verdict -------------------------------------------------


def test_a_pushed_revision_reopens_a_published_claim_whose_sentence_changed(
    api_client_for: Callable[..., APIClient], reference_data: None
) -> None:
    client = api_client_for("read_write")
    story = {"external_id": "cms-88", "title": "Budget approved", "body": FIRST}
    assert client.post("/api/v1/articles/", story, format="json").status_code == HTTPStatus.CREATED
    article = Article.objects.get(external_id="cms-88")
    walls = _claim(article, "harbour walls")
    Claim.objects.filter(pk=walls.pk).update(status=Claim.Status.PUBLISHED)
    now = timezone.now()
    verdict = VerdictFactory(
        claim=walls,
        author=UserFactory(username="r-rev", role="Reviewer"),
        approved_by=UserFactory(username="e-rev", role="Editor"),
        submitted_at=now,
        approved_at=now,
        published_at=now,
    )
    tax = _claim(article, "Council tax")
    edited = {
        **story,
        "body": FIRST.replace("3 million pounds", "3.4 million pounds").replace(tax.text, ""),
    }
    response = client.post("/api/v1/articles/", edited, format="json")
    assert response.status_code == HTTPStatus.OK, response.content
    body = response.json()
    assert body["revision"] == 2
    assert body["revision_changes"]["changed"] == [walls.pk]
    # Every claim listed slices the text as pushed.
    assert all(
        edited["body"][claim["start"] : claim["end"]] == claim["text"] for claim in body["claims"]
    )
    walls.refresh_from_db()
    assert walls.status == Claim.Status.IN_REVIEW and walls.anchor == Claim.Anchor.CHANGED
    verdict.refresh_from_db()
    assert not verdict.is_current and verdict.withdrawn_at is not None
    assert ChangeEvent.objects.filter(verdict=verdict, kind=ChangeEvent.Kind.WITHDRAWN).exists()
    note = walls.history.first().history_change_reason
    assert note == "reopened: the article's revision 2 edited this claim's sentence"
    # The same text again: nothing more happens.
    again = client.post("/api/v1/articles/", edited, format="json")
    assert again.status_code == HTTPStatus.OK and again.json()["revision_changes"] is None
    assert Verdict.objects.filter(claim=walls).count() == 1


def test_the_article_page_lists_revisions_and_shows_the_differences(
    client: Any, editor: Any, article: Article
) -> None:
    walls = _claim(article, "harbour walls")
    tax = _claim(article, "Council tax")
    second = FIRST.replace("3 million pounds", "3.4 million pounds").replace(tax.text, "")
    _push(second)
    client.force_login(editor)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Revision 2" in page and "1 changed" in page and "1 orphaned" in page
    assert "sentence gone in revision 2" in page and "sentence edited in revision 2" in page
    diff = client.get(reverse("claims:article_revisions", args=[article.pk]) + "?from=1&to=2")
    assert diff.status_code == HTTPStatus.OK
    text = diff.content.decode()
    assert "<del>3 million</del>" in text or "<del>3</del>" in text
    assert "<ins>3.4 million</ins>" in text or "<ins>3.4</ins>" in text
    assert walls.text.replace("3 million", "3.4 million")[:30] in text
    assert "Orphaned" in text and tax.text[:30] in text
    bad = client.get(reverse("claims:article_revisions", args=[article.pk]) + "?from=1&to=9")
    assert bad.status_code == HTTPStatus.NOT_FOUND


def test_the_claim_page_flags_a_changed_or_orphaned_claim_and_reads_an_orphan_in_its_revision(
    client: Any, editor: Any, article: Article
) -> None:
    walls = _claim(article, "harbour walls")
    tax = _claim(article, "Council tax")
    _push(FIRST.replace("3 million pounds", "3.4 million pounds").replace(tax.text, ""))
    client.force_login(editor)
    changed = client.get(reverse("reviews:claim_detail", args=[walls.pk])).content.decode()
    assert "this claim's sentence was edited" in changed
    orphan = client.get(reverse("reviews:claim_detail", args=[tax.pk])).content.decode()
    assert "sentence is gone from the article since revision 2" in orphan
    # "In context" reads the orphan where it was: revision 1's text around it.
    assert "Harbourton council approved a budget" in orphan.split('class="context"')[1]
    untouched = client.get(reverse("reviews:claim_detail", args=[_claim(article, "Bus").pk]))
    assert 'id="anchor-note"' not in untouched.content.decode()


def test_an_orphan_with_a_published_verdict_keeps_it_and_the_api_says_where_it_reads(
    api_client_for: Callable[..., APIClient], reference_data: None
) -> None:
    article = _push(FIRST).article
    tax = _claim(article, "Council tax")
    Claim.objects.filter(pk=tax.pk).update(status=Claim.Status.PUBLISHED)
    now = timezone.now()
    verdict = VerdictFactory(
        claim=tax,
        author=UserFactory(username="r-orph", role="Reviewer"),
        approved_by=UserFactory(username="e-orph", role="Editor"),
        submitted_at=now,
        approved_at=now,
        published_at=now,
    )
    _push(FIRST.replace(tax.text, ""))
    verdict.refresh_from_db()
    assert verdict.is_current and verdict.withdrawn_at is None  # never dropped with its text
    document = api_client_for("read").get(f"/api/v1/verdicts/{verdict.pk}/").json()
    assert document["claim"]["anchor"] == "orphaned" and document["claim"]["revision"] == 1
    first = article.revisions.get(number=1).body
    assert first[document["claim"]["start"] : document["claim"]["end"]] == tax.text
