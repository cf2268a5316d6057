"""Headless Debian Chromium driven by Playwright (never a downloaded browser)."""

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("FACTCHECK_CHROMIUM", "/usr/bin/chromium")
# Screenshots for a person to look at after a run; var/ is git-ignored.
SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
# itself (setting up rows) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        message = f"No Chromium at {CHROMIUM}: run scripts/ensure-browser.sh (Debian's chromium)."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[Any, str], Path]:
    """Save a full-page screenshot as var/screenshots/<test>-<name>.png and return its path."""

    def shoot(page: Any, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        test = re.sub(r"[^\w-]+", "-", request.node.name).strip("-")
        path = SCREENSHOTS / f"{test}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shoot


@pytest.fixture
def log_in() -> Callable[[Any, str, str], None]:
    """Log a page in through the login form (users from UserFactory share one password)."""

    def go(page: Any, base: str, username: str) -> None:
        page.goto(f"{base}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "test-pass-123")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")

    return go
