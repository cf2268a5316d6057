"""End to end in a real browser: paste an article, select, research, draft, approve, publish."""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from claims.models import Article, Claim
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

ARTICLE = (
    "Harbourton paid flood relief to 1,240 households, the council said on Tuesday.\n\n"
    "The first round reached 610 households and the second round 275 more.\n\n"
    "<script>window.hacked = true</script> Officials called it a record."
)


def _log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "test-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _log_out(page: Any) -> None:
    page.click("text=Log out")


def test_an_article_goes_from_paste_to_a_published_verdict_in_the_api(
    page: Any, live_server: Any, screenshot: Callable[..., Any], api_client_for: Any
) -> None:
    base = live_server.url
    UserFactory(username="eda", role="Editor")
    UserFactory(username="rui", role="Reviewer")

    # The editor pastes the article; the text is shown, escaped, with its claims highlighted.
    _log_in(page, base, "eda")
    page.click("text=Import article")
    page.fill("#id_title", "Flood relief")
    page.fill("#id_body", ARTICLE)
    page.click("text=Import and extract claims")
    page.wait_for_selector("#article-body")
    screenshot(page, "article")
    assert "<script>window.hacked = true</script>" in page.inner_text("#article-body")
    assert page.evaluate("window.hacked === undefined")
    article = Article.objects.get()
    claim = article.claims.order_by("-score").first()
    assert claim is not None
    assert page.inner_text(f"#mark-{claim.pk}") == claim.text

    # She selects the top claim for review.
    page.click(f"#mark-{claim.pk}")
    page.click("text=Select for review")
    expect(page.locator("#claim-status")).to_have_text("Selected")
    _log_out(page)

    # The reviewer takes it from the queue, adds evidence and drafts a verdict.
    _log_in(page, base, "rui")
    page.click(f"#queue >> text={claim.text[:30]}")
    page.click("text=Take this claim")
    page.fill("#evidence-form [name=quote]", "The council's own table lists 1,075 payments.")
    page.select_option("#evidence-form [name=stance]", "contradicts")
    page.click("#evidence-form button")
    page.wait_for_selector("text=The council's own table lists 1,075 payments.")
    page.select_option("#verdict-form [name=rating]", label="Mostly false")
    page.fill("#verdict-form [name=summary]", "The rounds add up to 1,075, not 1,240.")
    page.click("#verdict-form button")
    page.click("text=Submit for approval")
    expect(page.locator("#claim-status")).to_have_text("Awaiting approval")
    expect(page.locator("text=Approve and publish")).to_have_count(0)  # never the author
    _log_out(page)

    # The editor approves; the verdict is published.
    _log_in(page, base, "eda")
    page.click(f"#awaiting >> text={claim.text[:30]}")
    page.click("text=Approve and publish")
    expect(page.locator("#claim-status")).to_have_text("Published")
    screenshot(page, "published")

    claim.refresh_from_db()
    assert claim.status == Claim.Status.PUBLISHED
    api = api_client_for("read")
    results = api.get("/api/v1/verdicts/").json()["results"]
    assert [item["summary"] for item in results] == ["The rounds add up to 1,075, not 1,240."]
    assert results[0]["rating"]["label"] == "Mostly false"
