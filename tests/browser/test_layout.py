"""No page scrolls sideways, on a desktop or a phone, and none logs a console error."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from catalog.models import Title
from recommendations.models import ModelVersion
from tests.browser.scrolling import scroll_to_the_end

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": (1440, 900), "phone": (390, 844)}


def _watch_as(page: Page, base: str, name: str) -> None:
    page.goto(f"{base}/account/login/")
    page.get_by_label("E-mail address").fill("demo@marquee.local")
    page.get_by_label("Password").fill("marquee-demo")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name=f"Watch as {name}").click()
    expect(page.get_by_role("heading", name=f"Welcome back, {name}")).to_be_visible()


def _load_everything(page: Page) -> None:
    # Lazy rows arrive as they scroll into view; each may widen the page.
    scroll_to_the_end(page, screens=40)
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_no_page_scrolls_sideways(
    browser: Browser, live_server: object, trained: ModelVersion, viewport: str
) -> None:
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    base = live_server.url
    _watch_as(page, base, "Ana")
    title = Title.objects.filter(is_published=True, kind="movie").order_by("pk").first()
    series = Title.objects.filter(is_published=True, kind="series").order_by("pk").first()
    paths = [
        "/",
        title.get_absolute_url(),
        series.get_absolute_url(),
        "/search/?q=the",
        "/browse/",
        "/me/list/",
        "/me/history/",
        "/me/ratings/",
        f"/watch/{title.slug}/",
        "/account/",
    ]
    wide = {}
    for path in paths:
        response = page.goto(base + path)
        assert response is not None
        assert response.status == 200, path
        _load_everything(page)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            wide[path] = scroll_width
    context.close()
    assert wide == {}, f"pages wider than the {width}px window: {wide}"
    assert errors == []
