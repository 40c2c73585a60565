"""Searching from the header, as a viewer would: a typo, a genre, a person, each result
saying why it is there; on a desktop and a phone, with no sideways scroll and no console
error."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from accounts.services import profile_create
from catalog.models import Credit, Tag
from tests.browser.session import Window, watching_as
from tests.factories import (
    CreditFactory,
    GenreFactory,
    PersonFactory,
    TagFactory,
    TitleFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue() -> None:
    """A catalogue with one answer per kind of search, and Ana, past her first picks."""
    western = GenreFactory(name="Western", slug="western")
    drama = GenreFactory(name="Drama", slug="drama")
    TitleFactory(name="Thunder in the Dust", synopsis="Two drifters.", genres=[drama])
    ridge = TitleFactory(
        name="Dead Man’s Ridge", synopsis="A sheriff waits for the noon train.", genres=[western]
    )
    ridge.tags.add(TagFactory(name="revenge", kind=Tag.Kind.THEME))
    quiet = TitleFactory(name="Quiet Waters", synopsis="Sisters keep a lighthouse.")
    CreditFactory(title=quiet, person=PersonFactory(name="Mira Solvang"), role=Credit.Role.ACTOR)
    for i in range(12):
        TitleFactory(name=f"Another Evening {i:02d}", genres=[drama])
    user = UserFactory(email="ana@example.com", name="Ana")
    profile = profile_create(account=user, name="Ana")
    profile.onboarded_at = timezone.now()
    profile.save(update_fields=["onboarded_at"])


def _search_from_the_header(page: Page, words: str) -> None:
    box = page.get_by_role("banner").get_by_role("searchbox")
    box.click()
    box.select_text()  # the last search is still in the box: typing replaces it
    box.press_sequentially(words, delay=30)
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))


def _hit(page: Page, name: str) -> Locator:
    return page.locator("#search-results .search-hit").filter(
        has=page.locator(".card-name", has_text=name)
    )


def test_a_viewer_searches_from_the_header(
    window: Window, live_server: object, catalogue: None
) -> None:
    page, width, errors = window.page, window.width, window.errors
    base = live_server.url
    wide: dict[str, int] = {}

    def measure(label: str) -> None:
        page.wait_for_load_state("networkidle")
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            wide[label] = scroll_width

    # Signing in is another test's subject: this one starts with a session.
    watching_as(page, base, "Ana", "ana@example.com", path="/browse/")

    # A typo finds the title, which needs no explanation.
    _search_from_the_header(page, "thundr")
    typo = _hit(page, "Thunder in the Dust")
    expect(typo).to_be_visible()
    expect(typo.locator(".search-why")).to_have_count(0)
    expect(page.locator("#search-results .search-hit")).to_have_count(1)
    measure("thundr")

    # A genre: its titles, each saying so, and a way to the whole genre.
    _search_from_the_header(page, "western")
    ridge = _hit(page, "Dead Man’s Ridge")
    expect(ridge).to_be_visible()
    expect(ridge.locator(".search-why")).to_have_text("Genre: Western")
    expect(page.locator("#search-results .search-hit")).to_have_count(1)
    expect(page.get_by_role("link", name="Western", exact=True)).to_have_attribute(
        "href", "/browse/western/"
    )
    measure("western")

    # A person, surname first and without capitals: the person, then their titles.
    _search_from_the_header(page, "solvang mira")
    expect(page.get_by_role("link", name="Mira Solvang")).to_be_visible()
    expect(_hit(page, "Quiet Waters").locator(".search-why")).to_have_text("Cast: Mira Solvang")
    measure("solvang mira")

    # The page's own box searches as the viewer types, with the same reasons.
    page.locator("#search-q").fill("")
    page.locator("#search-q").press_sequentially("revenge", delay=30)
    expect(_hit(page, "Dead Man’s Ridge").locator(".search-why")).to_have_text("Theme: Revenge")
    expect(page).to_have_url(re.compile(r"/search/\?q=revenge"))
    measure("revenge")

    assert wide == {}, f"search pages wider than the {width}px window: {wide}"
    assert errors == []
