"""The personalised home page in a real browser: lazy rows, fresh rows, tonight's intent."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from recommendations.models import ModelVersion
from tests.browser.cards import more_open, rate
from tests.browser.scrolling import load_every_row
from tests.browser.session import watching_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rows_load_as_they_scroll_into_view(
    page: Page, live_server: object, trained: ModelVersion
) -> None:
    watching_as(page, live_server.url, "Ana")
    expect(page.locator("#row-top-picks .card").first).to_be_visible()
    assert page.locator("section.row-lazy").count() > 0
    load_every_row(page, pause_ms=100)
    names = page.locator("#home-rows .card-name").all_inner_texts()
    assert len(names) == len(set(names)), "a title appears twice on the page"


def test_a_rating_refreshes_the_rows_in_place(
    page: Page, live_server: object, trained: ModelVersion
) -> None:
    watching_as(page, live_server.url, "Ben")
    load_every_row(page)
    last = page.locator("section.row[data-refresh]").last
    last_url = f"/rows/{last.get_attribute('id', timeout=1000).removeprefix('row-')}/"
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(urlsplit(request.url).path))
    row = page.locator("#row-top-picks")
    card = row.locator(".card").first
    name = card.locator(".card-name").inner_text()
    rate(card, "5")
    # The row re-fetches on the signals-changed event: the rated title leaves Top picks.
    expect(row.locator(".card-name", has_text=re.compile(f"^{re.escape(name)}$"))).to_have_count(0)
    expect(row.locator(".card").first).to_be_visible()
    assert page.url.rstrip("/") == live_server.url
    # A row out of sight waits until it is seen again.
    assert "/rows/top-picks/" in fetched
    assert last_url not in fetched
    with page.expect_response(lambda response: urlsplit(response.url).path == last_url):
        page.mouse.wheel(0, 20000)


def test_striking_evidence_from_why_this(
    page: Page, live_server: object, trained: ModelVersion
) -> None:
    watching_as(page, live_server.url, "Ana")
    card = page.locator("#row-top-picks .card").first
    more_open(card)
    strike = card.locator("button.strike").first
    label = strike.inner_text().removeprefix("Don’t use ").strip()
    strike.click()
    expect(page.locator("#row-top-picks")).not_to_contain_text(f"Don’t use {label}")


def test_tonight_i_have_re_ranks_the_rows(
    page: Page, live_server: object, trained: ModelVersion
) -> None:
    watching_as(page, live_server.url, "Ana")
    page.locator(".intent-chip", has_text="30 min").click()
    expect(page).to_have_url(re.compile(r"minutes=30"))
    expect(page.locator(".intent-chip input[value='30']")).to_be_checked()
    page.locator(".intent-chip", has_text="A favourite again").click()
    expect(page).to_have_url(re.compile(r"mood=favourite"))
    expect(page.locator("#home-rows section.row").first).to_be_visible()


def test_a_new_profile_picks_three_titles_and_gets_its_own_rows(
    page: Page, live_server: object, trained: ModelVersion
) -> None:
    from accounts.models import Profile
    from accounts.services import profile_create

    ana = Profile.objects.get(account__email="demo@marquee.local", name="Ana")
    profile_create(account=ana.account, name="Nora")
    # Home sends a profile with no picks yet to pick some first.
    watching_as(page, live_server.url, "Nora")
    expect(page.get_by_role("heading", name="Pick 3 or more titles you like")).to_be_visible()
    tiles = page.locator("label.pick")
    for i in (0, 9, 18):
        tiles.nth(i).click()
    expect(page.locator("input[name=titles]:checked")).to_have_count(3)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Top picks for Nora")).to_be_visible()
    expect(page.locator("#row-top-picks .match").first).to_contain_text("% match")
