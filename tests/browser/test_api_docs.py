"""The API's own docs in a real browser: Swagger UI loads from our static files under our
Content-Security-Policy, and the browsable API works for staff."""

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from claims.models import Claim
from tests.factories import UserFactory, VerdictFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def _watch(page: Any) -> tuple[list[str], list[str]]:
    """Collect console errors (CSP violations show there) and requests to other hosts."""
    errors: list[str] = []
    foreign: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on(
        "request",
        lambda request: (
            not request.url.startswith(("http://localhost", "data:", "blob:"))
            and foreign.append(request.url)
        ),
    )
    return errors, foreign


def test_swagger_ui_renders_the_schema_offline_under_the_csp(
    page: Any, live_server: Any, screenshot: Callable[..., Any], log_in: Callable[..., None]
) -> None:
    base = live_server.url.replace("127.0.0.1", "localhost")
    errors, foreign = _watch(page)
    page.goto(f"{base}/api/v1/docs/")
    page.wait_for_selector("text=factcheck CMS API")
    page.wait_for_selector("text=/api/v1/articles/")
    page.click("text=Push an article from the CMS")
    page.wait_for_selector("text=external_id")
    screenshot(page, "swagger")
    assert not foreign, foreign
    assert not [error for error in errors if "Content Security Policy" in error], errors


def test_staff_browse_the_api_with_their_login(
    page: Any, live_server: Any, screenshot: Callable[..., Any], log_in: Callable[..., None]
) -> None:
    base = live_server.url.replace("127.0.0.1", "localhost")
    UserFactory(username="ada", role="Admin", is_staff=True)
    now = timezone.now()
    verdict = VerdictFactory(
        summary="Browsable summary.",
        submitted_at=now,
        approved_by=UserFactory(role="Editor"),
        approved_at=now,
        published_at=now,
    )
    Claim.objects.filter(pk=verdict.claim_id).update(status=Claim.Status.PUBLISHED)
    errors, foreign = _watch(page)
    log_in(page, base, "ada")
    page.goto(f"{base}/api/v1/verdicts/")
    page.wait_for_selector("text=Browsable summary.")
    screenshot(page, "browsable")
    assert not foreign, foreign
    assert not [error for error in errors if "Content Security Policy" in error], errors
