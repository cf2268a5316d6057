"""The evidence pack of a verdict: the JSON document (reviews/claimreview.py) and its printable
newsroom page (reviews.views.evidence_pack)."""

import datetime
import json
from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from claims.models import Claim
from reviews import services
from reviews.claimreview import claim_in_context, evidence_pack, with_evidence_pack_data
from reviews.models import Source, Verdict
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    EvidenceFactory,
    SourceFactory,
    UserFactory,
    default_rating,
)

pytestmark = pytest.mark.django_db

SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
FETCHED_AT = datetime.datetime(2025, 3, 15, 9, 30, tzinfo=datetime.UTC)


def _published(reviewer: Any, editor: Any, claimant: str = "Jane Doe") -> Verdict:
    """A claim researched with one archived source, drafted, approved and published."""
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    source = SourceFactory(
        url="https://stats.example/report",
        fetch_status=Source.FetchStatus.FETCHED,
        final_url="https://stats.example/report?v=2",
        http_status=200,
        title="Annual report",
        body_sha256=SHA,
        fetched_at=FETCHED_AT,
    )
    EvidenceFactory(
        claim=claim,
        source=source,
        url=source.url,
        stance="contradicts",
        quote="Ridership fell by 3%.",
        note="Table 4.",
        added_by=reviewer,
    )
    verdict = services.verdict_save(
        claim=claim,
        user=reviewer,
        rating=default_rating("Mostly false"),
        summary="Ridership fell.",
        explanation="The report says it fell.",
        claimant=claimant,
    )
    services.verdict_submit(verdict=verdict, user=reviewer)
    return services.verdict_approve(verdict=verdict, user=editor)


def _pack(verdict: Verdict) -> dict[str, Any]:
    return evidence_pack(with_evidence_pack_data(Verdict.objects.all()).get(pk=verdict.pk))


def test_the_pack_holds_the_archive_hash_and_fetch_time_of_each_source(
    reviewer: Any, editor: Any
) -> None:
    pack = _pack(_published(reviewer, editor))
    (item,) = pack["evidence"]
    assert item["url"] == "https://stats.example/report"
    assert (item["stance"], item["quote"], item["note"]) == (
        "contradicts",
        "Ridership fell by 3%.",
        "Table 4.",
    )
    assert item["added_by"]["username"] == "reviewer"
    assert item["source"] == {
        "id": item["source"]["id"],
        "url": "https://stats.example/report",
        "final_url": "https://stats.example/report?v=2",
        "title": "Annual report",
        "fetch_status": "fetched",
        "http_status": 200,
        "fetched_at": "2025-03-15T09:30:00+00:00",
        "body_sha256": SHA,
        "last_error": "",
    }


def test_the_pack_says_who_wrote_and_approved_the_verdict_and_when(
    reviewer: Any, editor: Any
) -> None:
    verdict = _published(reviewer, editor)
    pack = _pack(verdict)
    assert pack["verdict_id"] == verdict.pk
    assert pack["review"]["author"] == {
        "username": "reviewer",
        "name": reviewer.get_full_name(),
    }
    assert pack["review"]["approved_by"]["username"] == "editor"
    assert verdict.submitted_at and verdict.approved_at and verdict.published_at
    assert pack["review"]["submitted_at"] == verdict.submitted_at.isoformat()
    assert pack["review"]["approved_at"] == verdict.approved_at.isoformat()
    assert pack["verdict"]["published_at"] == verdict.published_at.isoformat()
    assert pack["verdict"] == {
        "state": "published",
        "rating": "Mostly false",
        "rating_value": 2,
        "rating_scale": "Truth scale",
        "rating_description": default_rating("Mostly false").description,
        "summary": "Ridership fell.",
        "explanation": "The report says it fell.",
        "version": verdict.version,
        "published_at": verdict.published_at.isoformat(),
        "modified_at": None,
        "withdrawn_at": None,
        "withdrawal_reason": "",
    }
    assert pack["claim"]["claimant"] == "Jane Doe"
    assert pack["claim"]["text"] == verdict.claim.text
    assert pack["article"]["body_sha256"] == verdict.claim.article.body_sha256
    statuses = [change["status"] for change in pack["status_history"]]
    assert statuses == ["selected", "in_review", "awaiting_approval", "published"]
    assert pack["status_history"][-1]["by"]["username"] == "editor"
    json.dumps(pack)  # one JSON document, nothing left to serialise
    generated = datetime.datetime.fromisoformat(pack["generated_at"])
    assert abs(timezone.now() - generated) < datetime.timedelta(minutes=1)


def test_the_pack_lists_each_correction_before_and_after(reviewer: Any, editor: Any) -> None:
    verdict = _published(reviewer, editor)
    services.verdict_correct(
        verdict=verdict,
        user=editor,
        rating=default_rating("False"),
        summary="Ridership fell by 3%.",
        explanation="",
        note="The report gives the exact figure.",
        expected_version=verdict.version,
    )
    verdict.refresh_from_db()
    assert verdict.modified_at is not None
    pack = _pack(verdict)
    assert pack["verdict"]["modified_at"] == verdict.modified_at.isoformat()
    assert pack["corrections"] == [
        {
            "corrected_at": verdict.modified_at.isoformat(),
            "corrected_by": {"username": "editor", "name": editor.get_full_name()},
            "note": "The report gives the exact figure.",
            "before": {
                "rating": "Mostly false",
                "summary": "Ridership fell.",
                "explanation": "The report says it fell.",
            },
            "after": {"rating": "False", "summary": "Ridership fell by 3%.", "explanation": ""},
        }
    ]


def test_the_pack_is_built_in_a_fixed_number_of_queries(
    reviewer: Any, editor: Any, django_assert_num_queries: Any
) -> None:
    verdict = _published(reviewer, editor)
    EvidenceFactory(claim=verdict.claim, quote="A second item.", added_by=reviewer)
    # The verdict with its claim, article, rating, people; the scale's ratings; evidence with
    # sources and who added it; corrections; then the claim's status history.
    with django_assert_num_queries(5):
        pack = _pack(verdict)
    assert len(pack["evidence"]) == 2


# --- The claim in context ---------------------------------------------------------------------

SENTENCES = ["One.", "Two.", "Three.", "The claim is here.", "Five.", "Six.", "Seven."]


def _article_with_sentences() -> Any:
    body = " ".join(SENTENCES)
    spans, cursor = [], 0
    for index, sentence in enumerate(SENTENCES):
        start = body.index(sentence, cursor)
        spans.append({"index": index, "start": start, "end": start + len(sentence)})
        cursor = start + len(sentence)
    return ArticleFactory(body=body, extraction={"threshold": 0.5, "sentences": spans})


def test_the_context_is_two_whole_sentences_on_each_side() -> None:
    article = _article_with_sentences()
    start = article.body.index("The claim")
    claim = ClaimFactory(
        article=article,
        text="The claim is here.",
        start=start,
        end=start + len("The claim is here."),
    )
    context = claim_in_context(claim)
    assert context["before"] == "Two. Three. "
    assert context["after"] == " Five. Six."
    assert article.body[context["context_start"] : context["context_end"]] == (
        "Two. Three. The claim is here. Five. Six."
    )


def test_a_claim_near_the_start_takes_the_context_from_the_start() -> None:
    article = _article_with_sentences()
    claim = ClaimFactory(article=article, text="Two.", start=5, end=9)
    context = claim_in_context(claim)
    assert (context["before"], context["after"]) == ("One. ", " Three. The claim is here.")


def test_without_stored_sentences_a_window_of_characters_stands_in() -> None:
    claim = ClaimFactory(text="The council spent 5 pounds.")
    context = claim_in_context(claim)
    assert (context["before"], context["after"]) == ("", "")
    assert (context["context_start"], context["context_end"]) == (0, len(claim.text))


# --- The printable page -----------------------------------------------------------------------


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ["Reviewer", "Editor", "Admin"])
def test_the_newsroom_roles_read_the_printable_pack(reviewer: Any, editor: Any, role: str) -> None:
    verdict = _published(reviewer, editor)
    response = _client(UserFactory(role=role)).get(f"/verdicts/{verdict.pk}/evidence-pack/")
    assert response.status_code == HTTPStatus.OK
    assert "reviews/evidence_pack.html" in [template.name for template in response.templates]
    content = response.content.decode()
    for text in (SHA, "2025-03-15T09:30:00+00:00", "Jane Doe", "Ridership fell.", "(editor)"):
        assert text in content


def test_an_account_without_a_role_is_refused_the_pack(reviewer: Any, editor: Any) -> None:
    verdict = _published(reviewer, editor)
    response = _client(UserFactory(username="cms")).get(f"/verdicts/{verdict.pk}/evidence-pack/")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert SHA not in response.content.decode()


def test_the_pack_page_shows_user_data_as_text(reviewer: Any, editor: Any) -> None:
    verdict = _published(reviewer, editor, claimant="<i>Jane</i>")
    EvidenceFactory(
        claim=verdict.claim,
        quote="<script>alert(1)</script>",
        note='<img src=x onerror="alert(2)">',
        added_by=reviewer,
    )
    content = _client(editor).get(f"/verdicts/{verdict.pk}/evidence-pack/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in content
    assert "&lt;i&gt;Jane&lt;/i&gt;" in content
    assert "<script>alert" not in content and "<img" not in content and "<i>Jane" not in content


def test_the_workspace_links_a_published_verdict_to_its_pack(reviewer: Any, editor: Any) -> None:
    verdict = _published(reviewer, editor)
    page = _client(reviewer).get(f"/claims/{verdict.claim_id}/").content.decode()
    assert f'href="/verdicts/{verdict.pk}/evidence-pack/"' in page


def test_a_draft_has_no_link_to_a_pack(reviewer: Any) -> None:
    claim = ClaimFactory(status=Claim.Status.IN_REVIEW, assignee=reviewer)
    services.verdict_save(claim=claim, user=reviewer, rating=default_rating(), summary="Draft.")
    page = _client(reviewer).get(f"/claims/{claim.pk}/").content.decode()
    assert "evidence-pack" not in page
