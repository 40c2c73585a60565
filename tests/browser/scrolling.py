"""Scrolling a page to its end as a viewer would, so that what loads on scroll arrives."""

from __future__ import annotations

from playwright.sync_api import Page, expect

AT_THE_END = "innerHeight + scrollY >= document.documentElement.scrollHeight - 1"
LOADING = "document.querySelector('.htmx-request') !== null"


def scroll_to_the_end(page: Page, *, screens: int, step: int = 700) -> None:
    """Scrolls down `step` pixels at a time, `screens` times at most, until the page ends.

    Lazy rows and the browse page's next pages load as they scroll into view. At the end,
    the last of them are let in (htmx finished, the page no longer growing) and the
    scrolling stops there instead of going on for every remaining step.
    """
    for _ in range(screens):
        page.mouse.wheel(0, step)
        # A frame for the IntersectionObserver (`intersect`) between two steps.
        page.wait_for_timeout(60)
        if not page.evaluate(AT_THE_END):
            continue
        page.wait_for_timeout(250)  # htmx looks for `revealed` elements every 200 ms
        # Polled from here: wait_for_function compiles its predicate in the page, which the
        # pages' Content-Security-Policy (no 'unsafe-eval') refuses.
        for _wait in range(100):
            if not page.evaluate(LOADING):
                break
            page.wait_for_timeout(50)
        if page.evaluate(AT_THE_END):
            return


def load_every_row(page: Page, *, pause_ms: int = 60) -> None:
    """Scroll the home page down until no row is left to load lazily, then back to the top."""
    lazy = page.locator("section.row-lazy")
    for _ in range(40):
        if lazy.count() == 0:
            break
        page.mouse.wheel(0, 700)
        page.wait_for_timeout(pause_ms)
    expect(lazy).to_have_count(0)
    page.mouse.wheel(0, -100_000)
