"""In a real browser: saving a form never silently drops what was stored or what was typed."""

import datetime
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import pytest

from claims.models import Claim
from reviews import services
from reviews.models import Verdict
from tests.factories import ClaimFactory, UserFactory, default_rating

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

DUE = datetime.date(2025, 3, 4)


def test_re_saving_an_assignment_with_a_new_priority_keeps_the_due_date(
    page: Any, live_server: Any, log_in: Callable[..., None], screenshot: Callable[..., Any]
) -> None:
    base = live_server.url
    UserFactory(username="eda", role="Editor")
    claim = ClaimFactory(status=Claim.Status.SELECTED, due_on=DUE)
    log_in(page, base, "eda")
    page.goto(f"{base}/claims/{claim.pk}/")
    assert page.input_value("#assignment [name=due_on]") == "2025-03-04"
    screenshot(page, "before")

    page.select_option("#assignment [name=priority]", str(Claim.Priority.URGENT))
    page.click("#assignment button[type=submit]")
    page.wait_for_selector("text=Assignment saved.")
    page.reload()
    assert page.input_value("#assignment [name=due_on]") == "2025-03-04"
    assert page.input_value("#assignment [name=priority]") == str(Claim.Priority.URGENT)
    screenshot(page, "after")
    claim.refresh_from_db()
    assert claim.priority == Claim.Priority.URGENT
    assert claim.due_on == DUE


def test_a_verdict_saved_in_another_page_is_shown_beside_the_unsaved_text(
    page: Any, live_server: Any, log_in: Callable[..., None], screenshot: Callable[..., Any]
) -> None:
    base = live_server.url
    rui = UserFactory(username="rui", role="Reviewer")
    claim = ClaimFactory(status=Claim.Status.IN_REVIEW, assignee=rui)
    services.verdict_save(claim=claim, user=rui, rating=default_rating("False"), summary="Start.")
    log_in(page, base, "rui")
    second = page.context.new_page()  # the same reviewer, the same session, another tab
    page.goto(f"{base}/claims/{claim.pk}/")
    second.goto(f"{base}/claims/{claim.pk}/")

    page.select_option("#verdict-form [name=rating]", label="Mostly false")
    page.fill("#verdict-form [name=summary]", "Saved from the first page.")
    page.fill("#verdict-form [name=explanation]", "The first page's reasoning.")
    page.click("#verdict-form button[type=submit]")
    page.wait_for_selector("text=Draft verdict saved.")

    second.select_option("#verdict-form [name=rating]", label="True")
    second.fill("#verdict-form [name=summary]", "Typed in the second page.")
    second.fill("#verdict-form [name=explanation]", "The second page's reasoning.")
    with second.expect_response(lambda response: response.request.method == "POST") as posted:
        second.click("#verdict-form button[type=submit]")
    assert posted.value.status == HTTPStatus.CONFLICT
    second.wait_for_selector("#verdict-conflict")
    stored = second.inner_text("#verdict-stored")
    assert "Saved from the first page." in stored
    assert "The first page's reasoning." in stored
    assert "Mostly false" in stored
    assert second.input_value("#verdict-form [name=summary]") == "Typed in the second page."
    assert second.input_value("#verdict-form [name=explanation]") == "The second page's reasoning."
    assert second.locator("#verdict-form [name=rating] option:checked").inner_text() == "True"
    screenshot(second, "conflict")
    verdict = Verdict.objects.get(claim=claim)
    assert verdict.summary == "Saved from the first page."

    # Having seen both, the reviewer saves again on purpose: now their text wins.
    second.click("#verdict-form button[type=submit]")
    second.wait_for_selector("text=Draft verdict saved.")
    screenshot(second, "saved-again")
    verdict.refresh_from_db()
    assert verdict.summary == "Typed in the second page."
    assert verdict.rating == default_rating("True")
