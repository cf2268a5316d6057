"""In a real browser: a reviewer switches the desk to Spanish with the switcher at the foot of
the page, then walks the queue, a claim and the dashboard in Spanish; the choice outlives a
logout and a new login, and the rating shows the scale's Spanish label.
"""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from claims.models import Claim, UserPreference
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    UserFactory,
    VerdictFactory,
    default_rating,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

CLAIM = "Puerto Nuevo opened 14 new clinics last year, the mayor told the council."


def test_a_reviewer_switches_to_spanish_and_walks_queue_claim_and_dashboard(
    page: Any,
    live_server: Any,
    log_in: Callable[..., None],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    rui = UserFactory(username="rui", first_name="Rui", last_name="Costa", role="Reviewer")
    article = ArticleFactory(title="Clinics", body=f"{CLAIM} Two of them closed in March.")
    claim = ClaimFactory(
        article=article,
        text=CLAIM,
        start=0,
        end=len(CLAIM),
        status=Claim.Status.IN_REVIEW,
        assignee=rui,
        reasons=["states a figure: 14"],
    )
    VerdictFactory(claim=claim, author=rui, rating=default_rating("Mostly false"))

    # English first, as the browser sends no Spanish; the switcher is at the foot of the page.
    log_in(page, base, "rui")
    expect(page.locator("nav[aria-label=Main]")).to_contain_text("Review queue")
    page.select_option("#language-switch", "es")
    page.click("text=Change language")
    page.wait_for_url(f"{base}/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("nav")).to_contain_text("Cola de revisión")
    assert UserPreference.objects.get(user=rui).language == "es"
    screenshot(page, "desk-es")

    # The queue: tabs, filters and the row's labels in Spanish, the rating in the scale's Spanish.
    page.click("text=Cola de revisión")
    page.wait_for_url(f"{base}/queue/")
    expect(page.locator("h1")).to_have_text("Cola de revisión")
    expect(page.locator("#tab-mine")).to_contain_text("Asignadas a mí")
    expect(page.locator(".queue-filters")).to_contain_text("Buscar en el texto de la afirmación")
    expect(page.locator(".queue-row").first).to_contain_text("Mayormente falso")
    expect(page.locator(".queue-row").first).to_contain_text("En revisión")
    screenshot(page, "queue-es")

    # The claim: panels, buttons and the verdict's rating in Spanish.
    page.click(f"text={CLAIM}")
    page.wait_for_url(f"{base}/claims/{claim.pk}/")
    expect(page.locator("#evidence-panel h2")).to_have_text("Evidencia")
    expect(page.locator("#verdict h2")).to_have_text("Veredicto")
    expect(page.locator("#verdict .badge.rating").first).to_have_text("Mayormente falso")
    expect(page.locator("#verdict-form")).to_contain_text("Guardar borrador")
    expect(page.locator("#rating-descriptions")).to_contain_text("Verdad a medias")
    expect(page.locator("#claim-status")).to_have_text("En revisión")
    expect(page.locator("#claim-header .reasons")).to_contain_text("da una cifra: 14")
    expect(page.locator("#timeline")).to_contain_text("Veredicto redactado")
    expect(page.locator("#timeline")).to_contain_text("Afirmación creada")
    screenshot(page, "claim-es")

    # The dashboard.
    page.goto(f"{base}/dashboard/")
    expect(page.locator("h1")).to_have_text("Panel de producción")
    expect(page.locator("body")).to_contain_text("De un vistazo")
    screenshot(page, "dashboard-es")

    # The preference outlives the session: log out, log in again, still Spanish.
    page.click("text=Cerrar sesión")
    page.wait_for_url(f"{base}/login/")
    expect(page.locator("h1")).to_have_text("Inicie sesión en la mesa")
    page.context.clear_cookies()
    log_in(page, base, "rui")
    expect(page.locator("nav")).to_contain_text("Cola de revisión")
    screenshot(page, "desk-es-after-login")
