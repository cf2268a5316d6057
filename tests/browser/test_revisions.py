"""In a real browser: an editor follows an article that the CMS changed, from the article page
to the differences between its revisions and on to a claim whose sentence was edited."""

from collections.abc import Callable
from typing import Any

import pytest

from claims import revisions
from claims.models import Claim
from tests.claims.test_revisions import FIRST
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_editor_reads_what_a_revision_changed(
    page: Any,
    live_server: Any,
    screenshot: Callable[..., Any],
    log_in: Callable[..., None],
    reference_data: None,
) -> None:
    UserFactory(username="eda", role="Editor")
    push = {"external_id": "cms-5", "title": "Budget approved", "pushed_by": "CMS"}
    article = revisions.article_push(body=FIRST, **push).article
    tax = Claim.objects.get(article=article, text__contains="Council tax")
    edited = FIRST.replace("3 million pounds", "3.4 million pounds").replace(tax.text, "")
    revisions.article_push(body=edited + "\n\nParking fines rose by 8% in 2026.", **push)

    log_in(page, live_server.url, "eda")
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    link = page.locator("#revisions-link")
    assert "Revision 2" in link.inner_text()
    screenshot(page, "article")
    link.click()
    page.wait_for_selector("#revision-diff")
    assert page.locator("#revision-diff ins", has_text="3.4").count() == 1
    assert page.locator("#revision-diff del", has_text="Council tax will rise").count() == 1
    assert "Council tax" in page.inner_text("#claims-orphaned")
    screenshot(page, "differences")
    page.locator("#claims-changed a").first.click()
    page.wait_for_selector("#anchor-note")
    assert "sentence was edited" in page.inner_text("#anchor-note")
    screenshot(page, "changed-claim")
