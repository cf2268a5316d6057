"""The newsroom's pages load in a real browser without a console error or a failed request."""

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


def test_every_page_loads_without_a_console_error_or_a_failed_request(
    page: Any, live_server: Any, log_in: Callable[..., None], screenshot: Callable[..., Any]
) -> None:
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    # A request the browser dropped because the page navigated on (the login form submitted
    # while the icon was loading) is not a failure of the server: CI saw it once, for the icon.
    page.on(
        "requestfailed",
        lambda request: (
            problems.append(f"failed {request.url}: {request.failure}")
            if request.failure != "net::ERR_ABORTED"
            else None
        ),
    )
    editor = UserFactory(username="eda", role="Editor")
    article = services.article_import(title="", body=BRACKWATER, created_by=editor)
    claim = article.claims.order_by("-score").first()
    assert claim is not None

    page.goto(f"{live_server.url}/login/")
    page.wait_for_load_state("networkidle")
    assert problems == [], "the login page"
    log_in(page, live_server.url, "eda")
    paths = {
        "desk": "/",
        "import": "/articles/new/",
        "article": article.get_absolute_url(),
        "claim": claim.get_absolute_url(),
        "queue": "/queue/",
        "dashboard": "/dashboard/",
        "search": "/search/?q=storm",
    }
    for name, path in paths.items():
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert problems == [], f"{name} ({path})"
    screenshot(page, "search")
