"""The Django admin in a real browser, at the widths the newsroom's admins use."""

from collections.abc import Callable
from typing import Any

import pytest

from claims import services
from tests.claims.test_article_view import BRACKWATER
from tests.factories import (
    ClaimFactory,
    EvidenceFactory,
    SourceFactory,
    UserFactory,
    VerdictFactory,
)

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


@pytest.mark.parametrize("changelist", ["claims/claim", "reviews/evidence", "reviews/verdict"])
def test_no_changelist_column_of_related_text_runs_wide(
    page: Any,
    live_server: Any,
    log_in: Callable[..., None],
    screenshot: Callable[..., Any],
    changelist: str,
) -> None:
    # Django renders foreign-key columns nowrap: a claim's whole sentence or a long URL in one
    # made the column hundreds of pixels wide and squeezed the row's own text.
    long_claim = (
        "The council says every one of the 177 households displaced by the March storm has been "
        "offered a permanent tenancy in a home of its own size within the borough boundary."
    )
    title = "Brackwater storm: council says every displaced household has a new home tonight"
    claim = ClaimFactory(text=long_claim, article__title=title)
    source = SourceFactory(url="https://news.example/" + "a-very-long-path-segment/" * 6)
    EvidenceFactory(claim=claim, source=source, url=source.url, quote="")
    VerdictFactory(claim=ClaimFactory(text=long_claim + " Again."))
    UserFactory(username="ada", role="Admin", is_staff=True, is_superuser=True)
    log_in(page, live_server.url, "ada")
    page.set_viewport_size({"width": 1300, "height": 800})
    page.goto(f"{live_server.url}/admin/{changelist}/")
    screenshot(page, changelist.replace("/", "-"))
    cells = page.eval_on_selector_all(
        "#result_list td.nowrap, #result_list th.nowrap",
        # Cells holding a form control (list_editable's date and assignee) are widgets, not text.
        "cells => cells.filter(cell => !cell.querySelector('input, select, textarea'))"
        ".map(cell => [cell.className, cell.innerText.trim()])",
    )
    assert cells, "no nowrap column to check"  # dates, at least
    # Dates, names and short choices only: no sentence, no URL.
    assert all(len(text) <= 40 for _, text in cells), cells
    # The related text is there, cut short, whole in its tooltip.
    short = page.locator(
        "#result_list td[class*='_short'] span, #result_list td.field-article_title span"
    )
    assert short.count() > 0
    assert any(
        len(short.nth(i).get_attribute("title") or "") > len(short.nth(i).inner_text())
        for i in range(short.count())
    )
