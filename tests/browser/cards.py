"""What a person does with a card in the browser: open More, rate, hide."""

from __future__ import annotations

from playwright.sync_api import Locator, expect


def more_open(card: Locator) -> Locator:
    """Opens the card's More panel (rating, why this, hide) and returns it."""
    card.locator("details.card-more > summary").click()
    panel = card.locator(".card-more-panel")
    expect(panel).to_be_visible()
    return panel


def rate(card: Locator, stars: str) -> None:
    """Rates from the card: More, then the half star for ``stars`` ("4", "3.5")."""
    panel = more_open(card)
    label = panel.locator(f"label.star[for$='-{stars}']")
    expect(label).to_be_visible()
    # This card, not whichever is first once the row has been drawn again: the rated title
    # may leave its row when the page refreshes it after the rating.
    element = card.element_handle()
    # Sent once the value settles: wait for it as the page does.
    with card.page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/rate/")
    ) as sent:
        label.click()
    assert sent.value.status == 204
    # A settled rating answers 204 and leaves the widget as drawn: checked at the value.
    checked = element.evaluate(
        "(card, stars) => !card.isConnected"
        " || card.querySelector(`.star-input[value='${stars}']:checked`) !== null",
        stars,
    )
    assert checked
