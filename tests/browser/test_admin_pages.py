"""The Django admin in a real browser, at the widths the newsroom's admins use."""

from collections.abc import Callable
from typing import Any

import pytest

from claims import services
from tests.claims.test_article_view import BRACKWATER
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def test_the_claim_list_gives_the_claim_more_room_than_its_article_title(
    page: Any, live_server: Any, log_in: Callable[..., None], screenshot: Callable[..., Any]
) -> None:
    editor = UserFactory(username="eda", role="Editor")
    title = "Brackwater storm: council says every displaced household has a new home tonight"
    services.article_import(title=title, body=BRACKWATER, created_by=editor)
    UserFactory(username="ada", role="Admin", is_staff=True, is_superuser=True)
    log_in(page, live_server.url, "ada")
    # A laptop's width with the admin's navigation sidebar open (its default).
    page.set_viewport_size({"width": 1300, "height": 800})
    page.goto(f"{live_server.url}/admin/claims/claim/")
    screenshot(page, "claims-1300")
    claim, article = (
        page.locator(f"#result_list thead th.column-{name}").bounding_box()
        for name in ("__str__", "article_title")
    )
    assert claim is not None and article is not None
    assert claim["width"] >= 16 * 16 > article["width"], (claim, article)  # 16rem
    # Scores to two places, not a float's sixteen digits.
    score = page.locator("#result_list td.field-score_shown").first.inner_text()
    assert len(score) == 4 and score.startswith("0."), score
    # The title is cut short in the column and whole in its tooltip.
    cell = page.locator("#result_list td.field-article_title span").first
    assert cell.get_attribute("title") == title
    assert cell.inner_text().endswith("…") and len(cell.inner_text()) <= 40
