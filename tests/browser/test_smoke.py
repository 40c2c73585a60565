"""A viewer's first minutes, in headless Chromium: sign in, pick a profile, browse a genre,
scroll for more, open a title, search as you type."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.services import profile_create
from catalog.models import Credit
from tests.browser.session import sign_in_through_the_form
from tests.factories import CreditFactory, GenreFactory, PersonFactory, TitleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue() -> None:
    drama = GenreFactory(name="Drama", slug="drama")
    for i in range(30):
        TitleFactory(name=f"Drama Number {i:02d}", year=1990 + i, genres=[drama])
    arrival = TitleFactory(
        name="Arrival at Dawn", year=2021, genres=[drama], synopsis="A linguist listens."
    )
    CreditFactory(title=arrival, person=PersonFactory(name="Lou Brandt"), role=Credit.Role.DIRECTOR)
    user = UserFactory(email="ana@example.com", name="Ana")
    profile_create(account=user, name="Ana")
    profile_create(account=user, name="Kids", is_kids=True)


def test_a_viewer_signs_in_browses_and_searches(
    page: Page, live_server: object, catalogue: None
) -> None:
    base = live_server.url
    sign_in_through_the_form(page, base, "ana@example.com")

    expect(page.get_by_role("heading", name="Who’s watching?")).to_be_visible()
    page.get_by_role("button", name="Watch as Ana").click()
    # A new profile starts by picking titles it likes; it may skip that.
    expect(page.get_by_role("heading", name="Pick 3 or more titles you like")).to_be_visible()
    page.get_by_role("button", name="Skip for now").click()
    expect(page.get_by_role("heading", name="Welcome, Ana")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Browse").click()
    page.get_by_role("navigation", name="Genres").get_by_role(
        "link", name=re.compile("Drama")
    ).click()
    expect(page).to_have_url(re.compile(r"/browse/drama/$"))
    cards = page.locator("#title-grid .card")
    expect(cards).to_have_count(24)

    # Infinite scroll: the "Load more" link is revealed and HTMX appends the next page.
    page.locator(".load-more").scroll_into_view_if_needed()
    expect(cards).to_have_count(31)
    expect(page).to_have_url(re.compile(r"/browse/drama/$"))

    page.get_by_role("link", name=re.compile("Arrival at Dawn")).first.click()
    expect(page.get_by_role("heading", name="Arrival at Dawn")).to_be_visible()
    expect(page.get_by_role("link", name="Lou Brandt")).to_be_visible()

    page.goto(f"{base}/search/")
    page.get_by_label("Search titles and people").last.press_sequentially("arriv", delay=40)
    results = page.locator("#search-results")
    expect(results.locator(".card-name", has_text="Arrival at Dawn")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/search/\?q=arriv"))
    expect(results.locator(".card-name", has_text="Drama Number 01")).to_have_count(0)


def test_the_profile_switcher_in_the_header(
    page: Page, live_server: object, catalogue: None
) -> None:
    base = live_server.url
    sign_in_through_the_form(page, base, "ana@example.com", profile="Ana")
    page.locator(".menu summary").click()
    page.locator(".menu-panel").get_by_role("button", name=re.compile("Kids")).click()
    expect(page.locator(".menu summary")).to_contain_text("Kids")
