"""Rating Westerns on their title pages brings a "Because you like Western" row home."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from accounts.models import Profile
from catalog.models import Title
from recommendations import engine
from recommendations.activity import activity_read
from recommendations.core.page import assemble
from tests.browser.scrolling import load_every_row
from tests.browser.session import console_errors, watching_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": (1440, 900), "phone": (390, 844)}
HEADING = "Because you like Western"


@pytest.fixture
def demo() -> None:
    # What `make run` seeds: enough Westerns (31) for a taste to have a row of its own.
    call_command("seed_demo", titles=1500, users=60, seed=42, verbosity=0)
    engine.model_train()


def _rate_five_stars(page: Page, base: str, title: Title) -> None:
    page.goto(f"{base}/titles/{title.slug}/")
    widget = page.locator("#your-rating")
    # The rating is sent once the value settles: wait for the answer before leaving.
    with page.expect_response(
        lambda r: r.url.endswith(f"/titles/{title.slug}/rate/") and r.request.method == "POST"
    ) as answer:
        widget.locator("label.star[for$='-5']").click()
    assert answer.value.ok
    expect(page.locator("#your-rating .star-input[value='5']:checked")).to_have_count(1)


def _wider_than_the_window(page: Page) -> dict[str, int]:
    wide = {}
    for name, (width, height) in VIEWPORTS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(150)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            wide[name] = scroll_width
    page.set_viewport_size({"width": 1440, "height": 900})
    return wide


def test_rating_westerns_brings_a_row_of_westerns_home(
    page: Page, live_server: object, demo: None
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.set_viewport_size({"width": 1440, "height": 900})
    errors = console_errors(page)
    watching_as(page, base, "Ana")
    expect(page.get_by_role("heading", name="Top picks for Ana")).to_be_visible()
    load_every_row(page, pause_ms=100)
    expect(page.get_by_role("heading", name=HEADING, exact=True)).to_have_count(0)

    ana = Profile.objects.get(account__email="demo@marquee.local", name="Ana")
    read = activity_read(ana)
    westerns = Title.objects.filter(genres__slug="western", is_published=True)
    names = set(westerns.values_list("name", flat=True))
    unseen = (
        westerns.filter(kind=Title.Kind.MOVIE)
        .exclude(pk__in=set(read.ratings) | set(read.progress))
        .order_by("pk")
    )
    for title in unseen[:6]:
        _rate_five_stars(page, base, title)

    page.goto(f"{base}/")
    load_every_row(page, pause_ms=100)
    heading = page.get_by_role("heading", name=HEADING, exact=True)
    expect(heading).to_be_visible()
    row = page.locator("section.row", has=heading)
    shown = row.locator(".card-name").all_inner_texts()
    assert len(shown) >= assemble.MIN_ROW_TITLES
    assert sum(name in names for name in shown) / len(shown) >= 0.8, shown
    assert _wider_than_the_window(page) == {}
    assert errors == []
