"""The claim timeline in the reader's language: summaries and badges are translated."""

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from claims.models import Claim, UserPreference
from reviews import selectors, services
from tests.factories import ClaimFactory, EvidenceFactory, default_rating

pytestmark = pytest.mark.django_db


def _spanish_client(user: Any) -> Client:
    UserPreference.objects.create(user=user, language="es")
    client = Client()
    client.force_login(user)
    return client


def _claim_with_a_draft(reviewer: Any) -> Claim:
    claim: Claim = ClaimFactory.create(status=Claim.Status.IN_REVIEW, assignee=reviewer)
    services.verdict_save(
        claim=claim, user=reviewer, rating=default_rating("False"), summary="The figure is wrong."
    )
    return claim


def test_the_timeline_summaries_are_english_by_default(reviewer: Any) -> None:
    claim = _claim_with_a_draft(reviewer)
    summaries = [entry.summary for entry in selectors.claim_timeline(claim)]
    assert "Claim created" in summaries
    assert "Verdict drafted" in summaries


def test_the_timeline_summaries_and_badges_are_spanish_for_a_spanish_reader(
    reviewer: Any,
) -> None:
    claim = _claim_with_a_draft(reviewer)
    with translation.override("es"):
        entries = selectors.claim_timeline(claim)
        badges = {entry.kind: entry.kind_label for entry in entries}
    summaries = [entry.summary for entry in entries]
    assert "Afirmación creada" in summaries
    assert "Veredicto redactado" in summaries
    assert badges["verdict"] == "veredicto"
    assert badges["created"] == "creación"


def test_a_status_change_names_the_new_status_in_spanish(reviewer: Any) -> None:
    claim: Claim = ClaimFactory.create(status=Claim.Status.SELECTED)
    claim.status = Claim.Status.IN_REVIEW
    claim.save()
    with translation.override("es"):
        label = str(Claim.Status.IN_REVIEW.label).lower()
        summaries = [entry.summary for entry in selectors.claim_timeline(claim)]
    assert label != "in review"
    assert f"Ahora: {label}" in summaries


def test_evidence_entries_are_spanish_with_the_stance(reviewer: Any) -> None:
    claim: Claim = ClaimFactory.create(status=Claim.Status.IN_REVIEW)
    EvidenceFactory(claim=claim, url="", quote="Las cifras del censo.", stance="supports")
    with translation.override("es"):
        summaries = [entry.summary for entry in selectors.claim_timeline(claim)]
    assert "Evidencia añadida (respalda la afirmación): Las cifras del censo." in summaries


def test_the_workspace_timeline_renders_in_spanish(reviewer: Any) -> None:
    claim = _claim_with_a_draft(reviewer)
    content = _spanish_client(reviewer).get(f"/claims/{claim.pk}/").content.decode()
    timeline = content[content.index('id="timeline"') :]
    assert "Veredicto redactado" in timeline
    assert "Afirmación creada" in timeline
    assert '<span class="badge">veredicto</span>' in timeline
    assert "Verdict drafted" not in timeline
    assert "Claim created" not in timeline


def test_a_rating_change_shows_the_scales_spanish_labels(reviewer: Any) -> None:
    claim = _claim_with_a_draft(reviewer)
    services.verdict_save(
        claim=claim,
        user=reviewer,
        rating=default_rating("Mostly false"),
        summary="The figure is wrong.",
    )
    with translation.override("es"):
        changes = [change for entry in selectors.claim_timeline(claim) for change in entry.changes]
    ratings = [(old, new) for _, old, new in changes if old and new and "falso" in str(new).lower()]
    assert ("Falso", "Mayormente falso") in ratings
