"""The Content-Security-Policy in a real browser: no page is refused anything it needs.

What the policy blocks fails silently (a row that never refreshes, a Swagger UI that
stays blank), so the browser's own reports are collected: `securitypolicyviolation`
events and the console's "Refused to ..." errors, while the pages are used.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from catalog.models import Title
from recommendations.models import ModelVersion
from tests.browser.cards import more_open, rate
from tests.browser.scrolling import load_every_row
from tests.browser.session import DEMO_EMAIL, DEMO_PASSWORD, sign_in_through_the_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before any page script, outside the page's policy (Playwright injects it).
REPORT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${where}`);
});
"""


@pytest.fixture
def refused(page: Page) -> list[str]:
    """What the browser refused under the policy, on every page the test opens."""
    found: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        text = message.text
        if "Content Security Policy" in text or text.startswith("Refused to"):
            found.append(f"console: {text}")

    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", on_console)
    return found


def _check(page: Page, refused: list[str], where: str) -> None:
    # The events are kept by the page: read them before it is left.
    refused.extend(page.evaluate("window.__cspViolations || []"))
    assert not refused, (where, refused)


def test_pages_work_under_the_policy(
    page: Page, live_server: Any, trained: ModelVersion, refused: list[str]
) -> None:
    base = live_server.url
    response = page.goto(f"{base}/")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # Through the form: the login page and the picker are pages under the policy too.
    sign_in_through_the_form(page, base, DEMO_EMAIL, DEMO_PASSWORD, profile="Ana")
    expect(page.get_by_role("heading", name="Welcome back, Ana")).to_be_visible()

    # Home: lazy rows load, a rating refreshes the row (signals-changed), a hidden title
    # keeps its Undo on screen (title-hidden: the rows keep still).
    load_every_row(page)
    row = page.locator("#row-top-picks")
    card = row.locator(".card").first
    name = card.locator(".card-name").inner_text()
    rate(card, "5")
    exact = re.compile(f"^{re.escape(name)}$")
    expect(row.locator(".card-name", has_text=exact)).to_have_count(0)
    second = row.locator(".card").nth(1)
    more_open(second).get_by_role("button", name=re.compile("^Not interested")).click()
    hidden = row.locator(".card-hidden")
    expect(hidden).to_have_count(1)
    page.wait_for_timeout(500)  # a row refresh would take the Undo away
    expect(hidden.get_by_role("button", name="Undo")).to_be_visible()
    _check(page, refused, "home")

    # The intent form re-ranks the rows through htmx.
    page.locator(".intent-chip", has_text="90 min").click()
    expect(page).to_have_url(re.compile(r"minutes=90"))
    _check(page, refused, "intent")

    title = Title.objects.filter(is_published=True, maturity_rating__in=["G", "PG"]).first()
    assert title is not None
    page.goto(f"{base}{title.get_absolute_url()}")
    expect(page.get_by_role("heading", name=title.name, exact=True)).to_be_visible()
    _check(page, refused, "title page")

    page.goto(f"{base}/watch/{title.slug}/")
    page.locator("[data-speed]").select_option("60")
    page.get_by_role("button", name="Play").click()
    expect(page.locator("[data-status]")).to_have_text("Playing")
    page.wait_for_timeout(1000)
    page.get_by_role("button", name="Pause").click()
    expect(page.locator("[data-status]")).to_contain_text("Paused at")
    # The player sets the bar's width through the CSSOM, which the policy allows.
    bar = page.locator("[data-bar]")
    assert bar.evaluate("el => parseFloat(getComputedStyle(el).width)") > 0
    expect(page.locator(".player-poster")).to_be_visible()
    _check(page, refused, "player")

    page.goto(f"{base}/me/start/")
    expect(page.locator("main")).to_be_visible()
    _check(page, refused, "onboarding")

    # Swagger UI draws the operations from its set-up script (served as a file).
    page.goto(f"{base}/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible(timeout=15_000)
    _check(page, refused, "api docs")


def test_the_admin_works_under_the_policy(
    page: Page, live_server: Any, trained: ModelVersion, refused: list[str]
) -> None:
    base = live_server.url
    page.goto(f"{base}/admin/login/")
    page.locator("#id_username").fill("curator@marquee.local")
    page.locator("#id_password").fill("marquee-demo")
    page.locator("input[type=submit]").click()
    page.goto(f"{base}/admin/catalog/title/")
    expect(page.locator("#result_list img.poster-thumb").first).to_be_visible()
    page.goto(f"{base}/admin/recommendations/modelversion/")
    expect(page.get_by_role("button", name="Retrain now")).to_be_visible()
    page.goto(f"{base}/admin/catalog/title/add/")
    expect(page.locator("#title_form")).to_be_visible()
    _check(page, refused, "admin")
