"""Rating, My List and Not interested from a card, swapped in place by HTMX."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from accounts.services import profile_create
from recommendations.models import ListItem, NotInterested, Rating
from tests.browser.cards import more_open, rate
from tests.browser.session import watching_as
from tests.factories import GenreFactory, TitleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def viewer() -> None:
    drama = GenreFactory(name="Drama", slug="drama")
    for i in range(6):
        TitleFactory(name=f"Drama Number {i}", year=2000 + i, genres=[drama])
    user = UserFactory(email="ana@example.com", name="Ana")
    profile_create(account=user, name="Ana")


def test_card_actions_update_in_place(page: Page, live_server: object, viewer: None) -> None:
    watching_as(page, live_server.url, "Ana", "ana@example.com", path="/browse/drama/")
    card = page.locator("#title-grid .card").first
    name = card.locator(".card-name").inner_text()

    # The rating is under More; the widget is fetched when More opens.
    expect(card.locator(".stars-peek")).to_have_count(0)
    rate(card, "4")
    expect(card.locator(".card-more-panel .star-input:checked + .star")).to_have_count(1)
    card.get_by_role("button", name="My List").click()
    expect(card.get_by_role("button", name="My List")).to_have_attribute("aria-pressed", "true")
    assert page.url.endswith("/browse/drama/")  # no navigation happened

    second = page.locator("#title-grid .card").nth(1)
    more_open(second).get_by_role("button", name=re.compile("^Not interested")).click()
    hidden = page.locator(".card-hidden")
    expect(hidden).to_contain_text("won’t be recommended again")
    hidden.get_by_role("button", name="Undo").click()
    expect(page.locator(".card-hidden")).to_have_count(0)

    assert Rating.objects.get().title.name == name
    assert ListItem.objects.count() == 1
    assert NotInterested.objects.count() == 0

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My List").click()
    expect(page.locator(".grid .card")).to_have_count(1)
    expect(page.locator(".grid .card .card-name")).to_have_text(name)


def test_rating_works_with_the_keyboard(page: Page, live_server: object, viewer: None) -> None:
    watching_as(page, live_server.url, "Ana", "ana@example.com", path="/browse/drama/")
    first = page.locator("#title-grid .card").first
    # The card's link, Play, My List, More: then Enter opens More and Tab enters the rating.
    first.locator(".card-link").focus()
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(first.locator("summary")).to_be_focused()
    page.keyboard.press("Enter")
    expect(first.locator(".star-input")).to_have_count(10)
    page.keyboard.press("Tab")
    expect(first.locator(".star-input[value='0.5']")).to_be_focused()
    # One control: arrows change the value (0.5 -> 3) and it is sent once it settles.
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    expect(first.locator(".star-input[value='3']:checked")).to_have_count(1)
    expect(first.locator(".star-input:checked + .star")).to_have_count(1)
    expect(first.locator(".star:has(~ .star-input:checked)")).to_have_count(5)
    page.wait_for_function("() => document.activeElement && document.activeElement.value === '3'")
    for _ in range(50):
        if Rating.objects.exists():
            break
        page.wait_for_timeout(100)
    assert Rating.objects.get().stars == 3
    # Focus stays on the rating after the swap, so the keyboard user can go on.
    page.keyboard.press("ArrowRight")
    expect(first.locator(".star-input[value='3.5']")).to_be_focused()
    for _ in range(50):
        if Rating.objects.get().stars == Decimal("3.5"):
            break
        page.wait_for_timeout(100)
    assert Rating.objects.get().stars == Decimal("3.5")
