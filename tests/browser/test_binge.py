"""Binge-watching a series, and a resume point that is current the moment the player is left."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.services import profile_create
from catalog.models import Episode, Title
from tests.browser.cards import more_open
from tests.browser.session import console_errors, watching_as
from tests.factories import EpisodeFactory, SeasonFactory, TitleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": (1440, 900), "phone": (390, 844)}
ANA = "ana@example.com"


@pytest.fixture
def series() -> Title:
    """Two seasons of two-minute episodes: two, then one."""
    user = UserFactory(email=ANA, name="Ana")
    profile_create(account=user, name="Ana")
    show = TitleFactory(kind=Title.Kind.SERIES, name="Long Winter", slug="long-winter")
    for season_number, count in ((1, 2), (2, 1)):
        season = SeasonFactory(title=show, number=season_number)
        for number in range(1, count + 1):
            EpisodeFactory(
                season=season,
                number=number,
                name=f"Winter {season_number}.{number}",
                runtime_minutes=2,
            )
    return show


@pytest.fixture
def film() -> Title:
    user = UserFactory(email=ANA, name="Ana")
    profile_create(account=user, name="Ana")
    return TitleFactory(name="Long Film", slug="long-film", runtime_minutes=100)


def _episode(show: Title, season: int, number: int) -> Episode:
    return Episode.objects.get(season__title=show, season__number=season, number=number)


def _play_to_the_end(page: Page) -> None:
    """Play the episode open in the player at 60x until the player says it finished."""
    page.get_by_label("Speed").select_option("60")
    page.get_by_role("button", name=re.compile("^(Play|Resume)")).click()
    expect(page.locator("[data-status]")).to_have_text("Finished", timeout=15_000)


def _no_overflow(page: Page) -> dict[str, int]:
    """The page's width at each viewport where it is wider than the window."""
    wide = {}
    for name, (width, height) in VIEWPORTS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(100)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            wide[name] = scroll_width
    page.set_viewport_size({"width": 1440, "height": 900})
    return wide


def test_binge_a_series_to_its_end(page: Page, live_server: object, series: Title) -> None:
    base = live_server.url
    errors = console_errors(page)
    page.set_viewport_size({"width": 1440, "height": 900})
    watching_as(page, base, "Ana", ANA, path="/titles/long-winter/")
    page.get_by_role("link", name="Play S1:E1").click()
    expect(page.locator(".player-episode")).to_have_text("S1:E1 · Winter 1.1")
    assert _no_overflow(page) == {}
    _play_to_the_end(page)
    page.get_by_role("link", name="Back to Long Winter").click()

    # The next episode is the resume point, on the title page and on the home page.
    expect(page.get_by_role("link", name="Play S1:E2")).to_be_visible()
    expect(page.get_by_text("33% watched")).to_be_visible()
    assert page.get_by_role("link", name=re.compile("S1:E1")).count() == 0
    assert _no_overflow(page) == {}

    page.goto(f"{base}/")
    row = page.locator("section.row", has=page.get_by_role("heading", name=re.compile("^Continue")))
    card = row.locator(".card", has_text="Long Winter")
    expect(card).to_have_count(1)
    more_open(card)
    expect(card.get_by_text("Up next: S1:E2 · 33% of the series watched")).to_be_visible()
    expect(card.locator('.progress[aria-label="33% watched"]')).to_have_count(1)

    # Its Play says the next episode, and opens it at 0:00.
    play = card.get_by_role("link", name=re.compile("^Play S1:E2"))
    expect(play).to_have_attribute("title", "Play S1:E2")
    play.click()
    expect(page).to_have_url(re.compile("/watch/long-winter/$"))
    player = page.locator("[data-player]")
    assert player.get_attribute("data-episode") == str(_episode(series, 1, 2).pk)
    assert player.get_attribute("data-start") == "0"
    expect(page.locator(".player-episode")).to_have_text("S1:E2 · Winter 1.2")
    expect(page.locator("[data-time]")).to_have_text("0:00")
    expect(page.get_by_text("33% of the series watched")).to_be_visible()

    # The last episode of the last season finishes the series.
    _play_to_the_end(page)
    page.get_by_role("link", name=re.compile("^Next: S2:E1")).click()
    _play_to_the_end(page)
    page.get_by_role("link", name="Back to Long Winter").click()
    expect(page.get_by_role("link", name="Watch again S1:E1")).to_be_visible()
    expect(page.get_by_text(re.compile("^Watched, last on"))).to_be_visible()

    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name=re.compile("^Continue"))).to_have_count(0)
    assert errors == []


def test_a_seek_while_paused_is_the_resume_point_at_once(
    page: Page, live_server: object, film: Title
) -> None:
    base = live_server.url
    errors = console_errors(page)
    player_url = f"{base}/watch/long-film/"
    watching_as(page, base, "Ana", ANA, path="/watch/long-film/")
    page.get_by_role("button", name="Play").click()
    expect(page.locator("[data-status]")).to_have_text("Playing")
    page.get_by_role("button", name="Pause").click()
    page.get_by_label("Position").fill("3000")
    expect(page.locator("[data-time]")).to_have_text("50:00")
    # Left at once, by typing an address: the page must not wait for the player.
    page.goto(f"{base}/titles/long-film/")
    expect(page.get_by_role("link", name="Resume from 50:00")).to_be_visible()
    expect(page.get_by_text("50% watched")).to_be_visible()

    # The same through the player's own link, and back again on the home page.
    page.goto(player_url)
    page.get_by_label("Position").fill("4500")
    page.get_by_role("link", name="Back to Long Film").click()
    expect(page.get_by_role("link", name="Resume from 1:15:00")).to_be_visible()
    page.goto(f"{base}/")
    row = page.locator("section.row", has=page.get_by_role("heading", name=re.compile("^Continue")))
    expect(row.locator('.progress[aria-label="75% watched"]')).to_have_count(1)
    assert errors == []


def test_leaving_while_playing_keeps_the_last_second(
    page: Page, live_server: object, film: Title
) -> None:
    base = live_server.url
    errors = console_errors(page)
    watching_as(page, base, "Ana", ANA, path="/watch/long-film/")
    page.get_by_label("Speed").select_option("60")
    page.get_by_role("button", name="Play").click()
    page.wait_for_timeout(2500)
    # No heartbeat is due yet (one every 10 s): only leaving can tell where playback was.
    shown = page.locator("[data-time]").text_content()
    page.get_by_role("link", name="Back to Long Film").click()
    button = page.get_by_role("link", name=re.compile("^Resume from "))
    expect(button).to_be_visible()
    minutes, seconds = button.text_content().strip().removeprefix("Resume from ").split(":")
    shown_minutes, shown_seconds = shown.split(":")
    assert int(minutes) * 60 + int(seconds) >= int(shown_minutes) * 60 + int(shown_seconds)
    assert errors == []


def test_back_from_the_player_shows_the_new_resume_point(
    page: Page, live_server: object, film: Title
) -> None:
    base = live_server.url
    errors = console_errors(page)
    watching_as(page, base, "Ana", ANA, path="/titles/long-film/")
    page.get_by_role("link", name="Play").click()
    page.get_by_label("Position").fill("3000")
    # The browser's Back: the title page is not shown as it was before the player.
    page.go_back()
    expect(page.get_by_role("link", name="Resume from 50:00")).to_be_visible()

    page.goto(f"{base}/")
    row = page.locator("section.row", has=page.get_by_role("heading", name=re.compile("^Continue")))
    row.locator(".card-actions a").first.click()
    page.get_by_label("Position").fill("4500")
    page.go_back()
    expect(row.locator('.progress[aria-label="75% watched"]')).to_have_count(1)
    assert errors == []
