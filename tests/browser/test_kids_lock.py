"""The kids lock, as a child on the kids profile tries it in headless Chromium: another
profile, the account page and Edit profile each ask for a PIN or the password; a wrong PIN
is refused, the right one lets through; no adult title shows on the way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Profile
from accounts.services import profile_create
from tests.browser.session import Window, sign_in_through_the_form
from tests.factories import GenreFactory, TitleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADULT_TITLE = "Night Heist"


@pytest.fixture
def household() -> None:
    family = GenreFactory(name="Family", slug="family")
    for i in range(12):
        TitleFactory(name=f"Sunny Farm {i:02d}", maturity_rating="G", genres=[family])
    TitleFactory(name=ADULT_TITLE, maturity_rating="R", genres=[family], synopsis="A heist.")
    user = UserFactory(email="ana@example.com", name="Ana")
    profile_create(account=user, name="Ana")
    profile_create(account=user, name="Theo", pin="2468")
    profile_create(account=user, name="Kids", is_kids=True, max_maturity_age=7)
    # Past the first-visit picks, straight to the rows.
    Profile.objects.update(onboarded_at=timezone.now())


def _no_adult_title(page: Page) -> None:
    expect(page.locator("body")).not_to_contain_text(ADULT_TITLE)


def _fits(page: Page, width: int, where: str) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{where} is {scroll_width}px wide in a {width}px window"


def test_a_child_cannot_leave_the_kids_profile(
    window: Window, live_server: object, household: None, tmp_path: Path
) -> None:
    page, width, errors = window.page, window.width, window.errors
    base = live_server.url

    sign_in_through_the_form(page, base, "ana@example.com")

    # Before a profile is chosen, no title: the picker comes first.
    page.goto(f"{base}/search/?q=heist")
    expect(page.get_by_role("heading", name="Who’s watching?")).to_be_visible()
    _no_adult_title(page)
    _fits(page, width, "the picker")
    page.screenshot(path=str(tmp_path / f"picker-{window.name}.png"), full_page=True)

    page.get_by_role("button", name="Watch as Kids").click()
    expect(page.locator(".menu summary")).to_contain_text("Kids")
    _no_adult_title(page)

    # Another profile, from the header: the password, since Ana has no PIN.
    page.locator(".menu summary").click()
    page.locator(".menu-panel").get_by_role("button", name=re.compile("^Ana")).click()
    expect(page.get_by_role("heading", name="Watch as Ana?")).to_be_visible()
    expect(page.get_by_label("The account’s password")).to_be_visible()
    _no_adult_title(page)
    _fits(page, width, "the password form")
    page.get_by_label("The account’s password").fill("not the password")
    page.get_by_role("button", name="Watch as Ana").click()
    expect(page.get_by_text("That is not the account’s password.")).to_be_visible()
    page.screenshot(path=str(tmp_path / f"password-form-{window.name}.png"), full_page=True)

    # The account page and Edit profile: the password as well.
    page.goto(f"{base}/account/")
    expect(page.get_by_role("heading", name="Enter the account’s password")).to_be_visible()
    page.screenshot(path=str(tmp_path / f"leave-form-{window.name}.png"), full_page=True)
    page.goto(f"{base}/account/profiles/")
    page.get_by_role("link", name="Edit Kids").click()
    expect(page.get_by_role("heading", name="Enter the account’s password")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Kids profile")).to_have_count(0)
    _fits(page, width, "the leave form")

    # The adult title stays out of reach, by its address too.
    response = page.request.get(f"{base}/titles/night-heist/")
    assert response.status == 403
    assert "A heist." not in response.text()
    page.goto(f"{base}/search/?q=heist")
    _no_adult_title(page)

    # Theo has a PIN: a wrong one is refused, the right one lets through.
    page.goto(f"{base}/account/profiles/")
    page.get_by_role("button", name="Watch as Theo").click()
    expect(page.get_by_role("heading", name="Enter Theo’s PIN")).to_be_visible()
    _fits(page, width, "the PIN form")
    page.screenshot(path=str(tmp_path / f"pin-form-{window.name}.png"), full_page=True)
    page.get_by_label("PIN").fill("1111")
    page.get_by_role("button", name="Watch as Theo").click()
    expect(page.get_by_text("That PIN is not right.")).to_be_visible()
    expect(page.locator(".menu summary")).to_contain_text("Kids")
    _fits(page, width, "the PIN form with its error")
    page.screenshot(path=str(tmp_path / f"pin-error-{window.name}.png"), full_page=True)
    _no_adult_title(page)
    page.get_by_label("PIN").fill("2468")
    page.get_by_role("button", name="Watch as Theo").click()
    expect(page.locator(".menu summary")).to_contain_text("Theo")
    page.goto(f"{base}/search/?q=heist")
    expect(page.locator("#search-results")).to_contain_text(ADULT_TITLE)

    assert errors == []
