"""In a real browser: an editor imports an article by its URL and watches the job finish.

The page is served by the local test server and fetched by a real worker (solo pool, in this
process) through the broker; the job page polls its status panel with htmx, with no reload,
until it is done, then links the article.
"""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from claims.models import Article, ArticleImport
from tests.claims.test_url_import import NAVIGATION_ONLY, STORY, news_page
from tests.claims.test_url_import import worker as worker  # the fixture: a real worker
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


def test_an_editor_imports_a_url_and_watches_the_job_finish(
    page: Any,
    live_server: Any,
    local_server: Any,
    worker: Any,
    screenshot: Callable[..., Any],
    log_in: Callable[..., None],
) -> None:
    base = live_server.url
    UserFactory(username="eda", role="Editor")
    # A slow page, so the status can be seen moving on without a reload.
    url = local_server.add(
        "/news/parking-fees", news_page(local_server.url("/news/parking-fees")), delay=2.5
    )
    log_in(page, base, "eda")
    page.click("text=Import article")
    page.fill("#fetch [name=url]", url)
    screenshot(page, "form")
    page.click("text=Fetch and import")
    page.wait_for_url(f"{base}/articles/imports/*/")
    label = page.locator("#import-status-label")
    expect(label).to_have_text("Fetching", timeout=15_000)
    screenshot(page, "fetching")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    expect(label).to_have_text("Done", timeout=30_000)
    assert navigations == []  # htmx swapped the panel; the page never reloaded
    screenshot(page, "done")
    expect(page.locator("#import-status")).not_to_have_attribute("hx-trigger", "every 1s")

    job = ArticleImport.objects.get()
    assert job.status == ArticleImport.Status.DONE and job.article is not None
    page.click("#import-article")
    page.wait_for_selector("#article-body")
    body = page.inner_text("#article-body")
    assert STORY[0] in body and "We use cookies" not in body
    expect(page.locator("h1")).to_have_text("Harbourton council raises parking fees")
    screenshot(page, "article")


def test_a_failed_import_says_why_and_offers_the_form_again(
    page: Any,
    live_server: Any,
    local_server: Any,
    worker: Any,
    screenshot: Callable[..., Any],
    log_in: Callable[..., None],
) -> None:
    base = live_server.url
    UserFactory(username="eda", role="Editor")
    url = local_server.add("/sections", NAVIGATION_ONLY)
    log_in(page, base, "eda")
    page.goto(f"{base}/articles/new/")
    page.fill("#fetch [name=url]", url)
    page.click("text=Fetch and import")
    expect(page.locator("#import-status-label")).to_have_text("Failed", timeout=30_000)
    expect(page.locator("#import-error")).to_contain_text("The page has no article text")
    expect(page.locator("#import-status [name=url]")).to_have_value(url)
    screenshot(page, "failed")
    assert not Article.objects.exists()
