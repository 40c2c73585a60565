"""The home page with only a keyboard: a row is one Tab stop, arrows move between cards."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from recommendations.models import ModelVersion
from tests.browser.session import console_errors, watching_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _focused(page: Page) -> dict:
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          const card = el.closest('.card');
          const row = el.closest('.row');
          const track = card && card.parentElement;
          return {
            tag: el.tagName.toLowerCase(),
            cls: el.className,
            row: row ? row.id : null,
            card: card && track ? Array.prototype.indexOf.call(track.children, card) : null,
            outline: getComputedStyle(el).outlineStyle,
          };
        }"""
    )


def test_a_row_is_one_tab_stop_and_arrows_move_between_cards(
    page: Page, live_server: object, trained: ModelVersion
) -> None:
    errors = console_errors(page)
    watching_as(page, live_server.url, "Ana")
    cards = page.locator("#row-top-picks .card")
    expect(cards.first).to_be_visible()
    assert cards.count() >= 4
    cards.first.locator(".card-link").focus()

    # The card's link, then its three actions (Play, My List, More), then out of the row.
    stops = []
    for _ in range(4):
        page.keyboard.press("Tab")
        stops.append(_focused(page))
    assert [(s["row"], s["card"]) for s in stops[:3]] == [("row-top-picks", 0)] * 3
    assert [s["tag"] for s in stops[:3]] == ["a", "button", "summary"]
    assert (stops[3]["row"], stops[3]["card"]) != ("row-top-picks", 1)

    # Back in the row: arrows move card to card, Home and End to the ends.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert _focused(page)["cls"] == "card-link"
    page.keyboard.press("ArrowRight")
    now = _focused(page)
    assert (now["row"], now["card"], now["cls"]) == ("row-top-picks", 1, "card-link")
    # Focus stays visible.
    assert now["outline"] == "solid"
    page.keyboard.press("End")
    assert _focused(page)["card"] == cards.count() - 1
    page.keyboard.press("Home")
    assert _focused(page)["card"] == 0
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    # The row remembers its card: Tab goes on to the third card's actions.
    page.keyboard.press("Tab")
    assert (_focused(page)["card"], _focused(page)["tag"]) == (2, "a")

    # Down moves to the next row with cards, Up comes back to the card left.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("ArrowDown")
    below = _focused(page)
    assert below["row"] not in (None, "row-top-picks")
    assert below["cls"] == "card-link"
    page.keyboard.press("ArrowUp")
    assert (_focused(page)["row"], _focused(page)["card"]) == ("row-top-picks", 2)
    assert errors == []


def test_more_holds_rating_why_and_hide(
    page: Page, live_server: object, trained: ModelVersion
) -> None:
    errors = console_errors(page)
    watching_as(page, live_server.url, "Ana")
    card = page.locator("#row-top-picks .card").first
    expect(card).to_be_visible()
    card.locator(".card-link").focus()
    for _ in range(3):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    panel = card.locator(".card-more-panel")
    expect(panel).to_be_visible()
    expect(panel.locator(".star-input")).to_have_count(10)
    expect(panel.get_by_text("Why this?")).to_be_visible()
    expect(panel.get_by_role("button", name="Not interested", exact=False)).to_be_visible()
    # Arrow keys inside the rating change the rating, not the card.
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowRight")
    focused = _focused(page)
    assert (focused["tag"], focused["card"]) == ("input", 0)
    # Moving on to another card closes the panel.
    card.locator(".card-link").focus()
    page.keyboard.press("ArrowRight")
    expect(panel).to_be_hidden()
    assert errors == []
