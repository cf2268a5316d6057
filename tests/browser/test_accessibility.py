"""Keyboard and small screens in a real browser: skip link, tab order, focus, no side-scroll."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from claims import services
from claims.models import Article, UserPreference
from tests.claims.test_article_view import BRACKWATER
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

WIDTHS = [(1280, 800), (390, 844)]
# What has focus, described from inside the page: the element, and where it sits.
FOCUSED = """() => {
  const el = document.activeElement;
  return {
    tag: el.tagName.toLowerCase(),
    type: el.getAttribute("type"),
    name: el.getAttribute("name"),
    cls: el.className,
    href: el.getAttribute("href"),
    inCandidates: !!el.closest("#candidates"),
    inText: !!el.closest("#article-body"),
    outline: getComputedStyle(el).outlineStyle,
    outlineWidth: getComputedStyle(el).outlineWidth,
  };
}"""


def _article() -> Article:
    editor = UserFactory(username="eda", role="Editor")
    return services.article_import(title="", body=BRACKWATER, created_by=editor)


def _tab_until(page: Any, found: Callable[[dict[str, Any]], bool], limit: int = 150) -> list[Any]:
    """Press Tab until `found` holds for the focused element; every stop on the way, in order."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUSED))
        if found(stops[-1]):
            return stops
    raise AssertionError(f"never reached after {limit} tabs: {stops[-5:]}")


def test_the_first_tab_focuses_the_skip_link_which_leads_to_the_content(
    page: Any, live_server: Any, log_in: Callable[..., None]
) -> None:
    _article()
    log_in(page, live_server.url, "eda")
    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUSED)
    assert (focused["cls"], focused["href"]) == ("skip-link", "#main")
    skip = page.locator(".skip-link")
    assert skip.inner_text() == "Skip to content"
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0 and box["width"] > 0  # shown when focused
    page.keyboard.press("Enter")
    # The browser reports the fragment navigation a moment after the key press: wait for it.
    expect(page).to_have_url(re.compile(r"#main$"))
    # The next Tab lands inside the content, past the top bar.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_tabbing_reaches_the_ranked_list_before_any_link_in_the_article_text(
    page: Any, live_server: Any, log_in: Callable[..., None]
) -> None:
    article = _article()
    top = max(article.claims.all(), key=lambda claim: (claim.score, -claim.position))
    log_in(page, live_server.url, "eda")
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    stops = _tab_until(page, lambda el: el["inText"])
    first_box = next(i for i, el in enumerate(stops) if el["type"] == "checkbox")
    assert stops[first_box]["inCandidates"] and stops[first_box]["name"] == "claims"
    assert not any(el["inText"] for el in stops[:first_box])
    # The first checkbox is named by the text of the most check-worthy claim.
    box = page.get_by_role("checkbox", name=top.text, exact=True)
    assert box.count() == 1
    assert box.get_attribute("value") == str(top.pk)


def test_a_focused_element_shows_a_visible_outline(
    page: Any, live_server: Any, log_in: Callable[..., None]
) -> None:
    article = _article()
    log_in(page, live_server.url, "eda")
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    stops = _tab_until(page, lambda el: el["inText"])
    checkbox = next(el for el in stops if el["type"] == "checkbox")
    for focused in (stops[0], checkbox, stops[-1]):  # skip link, checkbox, link in the text
        assert focused["outline"] != "none", focused
        assert focused["outlineWidth"] != "0px", focused


# The last two column headers and the import-time words, in each language of the desk.
DESK_WORDS = {
    "en": ("Withdrawn", "Dismissed", "imported"),
    "es": ("Retirada", "Descartada", "importado"),
}


@pytest.mark.parametrize("language", ["en", "es"])
def test_at_a_laptops_width_the_desk_shows_every_column_without_scrolling(
    page: Any,
    live_server: Any,
    log_in: Callable[..., None],
    screenshot: Callable[..., Any],
    language: str,
) -> None:
    article = _article()
    UserPreference.objects.create(user=article.created_by, language=language)
    log_in(page, live_server.url, "eda")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/")
    screenshot(page, f"desk-1280-{language}")
    scroll, client = page.eval_on_selector(
        ".table-scroll", "el => [el.scrollWidth, el.clientWidth]"
    )
    assert scroll <= client, f"the articles table is {scroll}px wide in a {client}px box"
    withdrawn, dismissed, imported = DESK_WORDS[language]
    headers = page.locator("#articles th").all_inner_texts()
    assert headers[-1] == dismissed and withdrawn in headers
    assert imported in page.locator("#articles td").first.inner_text()


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_no_page_scrolls_sideways(
    page: Any,
    live_server: Any,
    log_in: Callable[..., None],
    screenshot: Callable[..., Any],
    width: int,
    height: int,
    language: str,
) -> None:
    article = _article()
    claim = article.claims.order_by("-score").first()
    assert claim is not None
    # Spanish words run longer: every page is checked in both languages of the desk.
    UserPreference.objects.create(user=article.created_by, language=language)
    log_in(page, live_server.url, "eda")
    page.set_viewport_size({"width": width, "height": height})
    pages = {
        "desk": "/",
        "queue": reverse("reviews:queue"),
        "dashboard": reverse("reviews:dashboard"),
        "search": reverse("reviews:search") + "?q=households",
        "import": reverse("claims:article_create"),
        "claim": claim.get_absolute_url(),
        "article": article.get_absolute_url(),
    }
    for name, path in pages.items():
        page.goto(f"{live_server.url}{path}")
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"{path} is {scroll}px wide in a {inner}px window"
        screenshot(page, name)
        if name == "desk":  # the articles table scrolls inside its own box when it must
            overflow = page.eval_on_selector(
                ".table-scroll", "el => getComputedStyle(el).overflowX"
            )
            assert overflow == "auto"
    # The long URL in the text wraps inside its column instead of widening the page.
    body = page.locator("#article-body").bounding_box()
    assert body is not None and body["x"] + body["width"] <= width
