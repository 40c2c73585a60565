"""The README's screenshots: home, a title and the player, on a desktop and a phone.

Every run renders them and checks that each shows a page (not a blank or half-drawn
screen) that fits its window. With MARQUEE_SCREENSHOTS=1 they are also written to
docs/screenshots/, as 256-colour PNGs to keep the repository small:

    MARQUEE_SCREENSHOTS=1 .venv/bin/pytest tests/browser/test_screenshots.py
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from PIL import Image, ImageStat
from playwright.sync_api import Page, expect

from recommendations.models import ModelVersion
from tests.browser.session import Window, watching_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUT = Path(settings.BASE_DIR) / "docs" / "screenshots"


def _settle(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready")
    page.mouse.move(0, 0)  # no card drawn hovered
    page.wait_for_timeout(300)  # transitions end


def _shot(page: Page, name: str, width: int) -> Image.Image:
    overflow = page.evaluate("document.documentElement.scrollWidth") - width
    assert overflow <= 0, f"{name} is {overflow}px wider than the window"
    image = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    # A blank or half-drawn page is one or two flat colours.
    stats = ImageStat.Stat(image)
    assert max(stats.stddev) > 20, f"{name} looks blank"
    assert len(image.getcolors(maxcolors=1 << 20) or []) > 500, f"{name} has almost no detail"
    return image


def _write(image: Image.Image, name: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    small = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(OUT / f"{name}.png", optimize=True)


def test_screenshots(window: Window, live_server: Any, trained: ModelVersion) -> None:
    page, width, errors = window.page, window.width, window.errors
    base = live_server.url
    watching_as(page, base, "Ana")
    expect(page.locator("#row-top-picks .card").first).to_be_visible()
    _settle(page)
    shots = {"home": _shot(page, f"home-{window.name}", width)}

    # The title page of Ana's top pick shows her match; its player, the same title.
    link = page.locator("#row-top-picks .card a[href^='/titles/']").first
    title_url = link.get_attribute("href")
    assert title_url is not None
    page.goto(base + title_url)
    expect(page.locator("main h1")).to_be_visible()
    _settle(page)
    shots["title"] = _shot(page, f"title-{window.name}", width)

    page.locator("a.button-play").click()
    expect(page.locator("[data-status]")).to_be_visible()
    _settle(page)
    shots["player"] = _shot(page, f"player-{window.name}", width)
    assert errors == []
    if os.environ.get("MARQUEE_SCREENSHOTS") == "1":
        for name, image in shots.items():
            _write(image, f"{name}-{window.name}")
