"""In a real browser, as the newsroom would: select, assign, research, return, fix, the approval
gate, approve, correct, and the CMS API showing the correction.

The workspace's forms post with htmx and swap their panel; the walk waits for what a person
would see (a message in the panel, a status in the header) rather than for page loads. The
source the reviewer cites is served by the local test server and archived by calling the fetch
service, as the worker would (no worker runs here), while the editor's page is open: its status
poll and the approval card update without a reload.
"""

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from claims.models import Claim
from reviews import services
from reviews.models import Comment, Source, Verdict
from tests.factories import ArticleFactory, ClaimFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

CLAIM = "Harbourton paid flood relief to 1,240 households, the council said on Tuesday."
BODY = f"{CLAIM} The first round reached 610 households and the second round 275 more."
PAGE = (
    "<html><head><title>Harbourton flood relief table</title></head><body>"
    "<p>Payments made: 1,075 households in two rounds.</p></body></html>"
)
RETURN_NOTE = "Cite the council's own payment table, not the press release."
SUMMARY = "The council's table lists 1,075 payments, not 1,240."
CORRECTED = "The council's table lists 885 payments in two rounds, not 1,240."
CORRECTION_NOTE = "We added the rounds wrongly: 610 and 275 make 885, not 1,075."


def _log_out(page: Any) -> None:
    page.click("text=Log out")


def _csp_errors(page: Any) -> list[str]:
    """Collect what the browser refused under the Content-Security-Policy (htmx must need none)."""
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


def test_a_claim_goes_through_return_gate_approval_and_correction_to_the_api(
    page: Any,
    live_server: Any,
    local_server: Any,
    api_client_for: Any,
    settings: Any,
    log_in: Callable[..., None],
    screenshot: Callable[..., Any],
) -> None:
    settings.FACTCHECK_APPROVAL_MIN_ARCHIVED_EVIDENCE = 1
    base = live_server.url
    eda = UserFactory(username="eda", first_name="Eda", last_name="Marsh", role="Editor")
    UserFactory(username="rui", first_name="Rui", last_name="Costa", role="Reviewer")
    article = ArticleFactory(title="Flood relief", body=BODY)
    claim = ClaimFactory(article=article, text=CLAIM, start=0, end=len(CLAIM))
    source_url = local_server.add("/relief-table", PAGE)
    refused = _csp_errors(page)
    workspace = f"{base}/claims/{claim.pk}/"

    # The editor ticks the claim on the article page and selects it.
    log_in(page, base, "eda")
    page.goto(f"{base}/articles/{article.pk}/")
    screenshot(page, "article")
    page.check(f"input[name=claims][value='{claim.pk}']")
    page.click("text=Select ticked")
    page.wait_for_selector("text=1 claim(s) updated.")

    # On the claim page she assigns it to the reviewer; the panel and the header update in place.
    page.goto(workspace)
    expect(page.locator("#claim-status")).to_have_text("Selected")
    page.evaluate("window.sameDocument = true")  # gone if the page were loaded again
    page.select_option("#assign-form [name=assignee]", label="rui")
    with page.expect_request(lambda request: request.method == "POST") as posted:
        page.click("#assign-form button[type=submit]")
    headers = posted.value.headers
    assert headers.get("hx-request") == "true" and headers.get("x-csrftoken")  # set on <body>
    expect(page.locator("#assignment .message")).to_have_text("Assignment saved.")
    expect(page.locator("#claim-status")).to_have_text("In review")
    expect(page.locator("#claim-assignment")).to_contain_text("assigned to Rui Costa")
    assert page.evaluate("window.sameDocument") is True  # swapped in place, not reloaded
    _log_out(page)

    # The reviewer cites the source, drafts and submits.
    log_in(page, base, "rui")
    page.goto(workspace)
    page.fill("#evidence-form [name=url]", source_url)
    page.fill("#evidence-form [name=quote]", "Payments made: 1,075 households in two rounds.")
    page.select_option("#evidence-form [name=stance]", "contradicts")
    page.click("#evidence-form button[type=submit]")
    expect(page.locator("#evidence-panel .message")).to_have_text("Evidence added.")
    expect(page.locator("#evidence .source-status")).to_contain_text("Waiting to be fetched")
    page.select_option("#verdict-form [name=rating]", label="Mostly false")
    expect(page.locator("#rating-descriptions .chosen dt")).to_have_text("Mostly false")
    page.fill("#verdict-form [name=summary]", "The rounds add up to less.")
    page.click("#verdict-form button[type=submit]")
    expect(page.locator("#verdict .message")).to_have_text("Draft verdict saved.")
    page.click("text=Submit for approval")
    expect(page.locator("#claim-status")).to_have_text("Awaiting approval")
    expect(page.locator("#approval")).to_contain_text("A second person must approve it.")
    _log_out(page)

    # The editor sees the evidence beside the verdict, and the gate: no archived source yet.
    log_in(page, base, "eda")
    page.goto(workspace)
    card = page.locator("#approval")
    expect(card).to_contain_text("1 item, 0 with an archived source.")
    expect(card.locator("#approval-blockers")).to_contain_text(
        "Approval needs at least 1 evidence item(s) with an archived source"
    )
    expect(card.get_by_role("button", name="Approve and publish")).to_be_disabled()
    screenshot(page, "gate")

    # She sends it back with a note; it is in the thread, marked, and the claim is in review.
    page.fill("#return-form [name=note]", RETURN_NOTE)
    page.click("#return-form button[type=submit]")
    expect(page.locator("#verdict .message")).to_have_text("Sent back to the author.")
    expect(page.locator("#comments .kind-return")).to_contain_text(RETURN_NOTE)
    expect(page.locator("#comments .kind-return .badge")).to_have_text("Sent back")
    expect(page.locator("#claim-status")).to_have_text("In review")
    expect(page.locator("#approval")).to_be_hidden()
    _log_out(page)

    # The reviewer finds it in the returned tab, reads the note on top of the verdict, fixes it.
    log_in(page, base, "rui")
    page.goto(f"{base}/queue/?tab=returned")
    expect(page.get_by_text(CLAIM).first).to_be_visible()
    screenshot(page, "queue-returned")
    page.goto(workspace)
    returned = page.locator("#verdict-returned")
    expect(returned).to_contain_text(f"Sent back: {RETURN_NOTE}")
    expect(returned).to_contain_text("Eda Marsh")
    screenshot(page, "returned")
    page.fill("#verdict-form [name=summary]", SUMMARY)
    page.fill("#verdict-form [name=explanation]", "The table is linked as evidence.")
    page.click("#verdict-form button[type=submit]")
    expect(page.locator("#verdict .message")).to_have_text("Draft verdict saved.")
    page.fill("#comment-form [name=body]", "Cited the table; summary fixed.")
    page.click("#comment-form button[type=submit]")
    expect(page.locator("#comments .message")).to_have_text("Comment added.")
    expect(page.locator("#comment-form [name=body]")).to_have_value("")
    page.click("text=Submit for approval")
    expect(page.locator("#claim-status")).to_have_text("Awaiting approval")
    expect(page.locator("#verdict-returned")).to_have_count(0)
    _log_out(page)

    # The gate still refuses; the source is archived while her page is open, and it opens.
    log_in(page, base, "eda")
    page.goto(workspace)
    approve = page.locator("#approval").get_by_role("button", name="Approve and publish")
    expect(approve).to_be_disabled()
    source = Source.objects.get(url=source_url)
    assert source.fetch_status == Source.FetchStatus.PENDING
    services.source_fetch(source_id=source.pk)  # what the worker does
    expect(page.locator("#evidence .source-status")).to_contain_text("archived copy")
    expect(approve).to_be_enabled(timeout=10_000)
    expect(page.locator("#approval")).to_contain_text("1 item, 1 with an archived source.")
    expect(page.locator("#approval-blockers")).to_have_count(0)
    screenshot(page, "workspace")
    approve.click()
    expect(page.locator("#claim-status")).to_have_text("Published")

    # She issues a correction: a new rating and summary with a public note.
    page.click("text=Issue a correction")
    page.select_option("#correction-form [name=rating]", label="False")
    page.fill("#correction-form [name=summary]", CORRECTED)
    page.fill("#correction-form [name=note]", CORRECTION_NOTE)
    page.click("#correction-form button[type=submit]")
    expect(page.locator("#verdict .message")).to_have_text("Correction published.")
    corrections = page.locator("#corrections")
    expect(corrections).to_contain_text(CORRECTION_NOTE)
    expect(corrections).to_contain_text("Mostly false → False")
    expect(corrections).to_contain_text("Eda Marsh")
    expect(page.locator("#verdict-current")).to_contain_text(CORRECTED)
    screenshot(page, "correction")
    assert refused == [], refused

    # The CMS sees the corrected verdict, when it changed and the public note.
    verdict = Verdict.objects.get(claim=claim)
    assert Comment.objects.filter(claim=claim).count() == 2
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.PUBLISHED
    assert verdict.approved_by == eda and verdict.modified_at is not None
    api = api_client_for("read")
    [item] = api.get("/api/v1/verdicts/").json()["results"]
    assert item["summary"] == CORRECTED and item["rating"]["label"] == "False"
    assert item["modified_at"]
    assert [correction["note"] for correction in item["corrections"]] == [CORRECTION_NOTE]


def test_a_post_from_an_expired_session_goes_to_the_login_page_not_into_a_panel(
    page: Any, live_server: Any, log_in: Callable[..., None]
) -> None:
    base = live_server.url
    UserFactory(username="rui", role="Reviewer")
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    log_in(page, base, "rui")
    page.goto(f"{base}/claims/{claim.pk}/")
    # The session ends while the page is open (the CSRF cookie, good for a year, stays).
    cookies = page.context.cookies()
    page.context.clear_cookies()
    page.context.add_cookies([cookie for cookie in cookies if cookie["name"] != "sessionid"])
    page.fill("#comment-form [name=body]", "Typed after the session ended.")
    page.click("#comment-form button[type=submit]")
    page.wait_for_url(f"{base}/login/?next=%2Fclaims%2F{claim.pk}%2F")
    assert not Comment.objects.exists()


def test_a_refused_htmx_post_says_so_in_its_panel(
    page: Any, live_server: Any, log_in: Callable[..., None]
) -> None:
    base = live_server.url
    rui = UserFactory(username="rui", role="Reviewer")
    claim = ClaimFactory(status=Claim.Status.SELECTED)
    log_in(page, base, "rui")
    page.goto(f"{base}/claims/{claim.pk}/")
    rui.groups.clear()  # the role is taken away while the page is open
    page.fill("#comment-form [name=body]", "Typed after the role was removed.")
    page.click("#comment-form button[type=submit]")
    expect(page.locator("#comments [role=alert]")).to_contain_text("Not done: refused.")
    expect(page.locator("#comment-form [name=body]")).to_have_value(
        "Typed after the role was removed."
    )
    assert not Comment.objects.exists()
