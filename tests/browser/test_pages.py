"""Every page of a viewer's evening, at desktop and phone size: it fits the window (no
sideways scrolling), axe-core finds no serious or critical violation, and no page logs a
console error.

One tour per window size visits each page once, with everything that loads on scroll
loaded, and runs all three checks there: the pages are the same for the three.

axe-core comes from the npm registry through package-lock.json (`make test` runs `npm ci`);
the test reads it from node_modules and runs it inside each page, never fetching anything.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page

from accounts.models import User
from catalog.models import Title
from recommendations.media_servers.models import MediaServer, MediaServerUser
from recommendations.models import ModelVersion
from tests.browser.scrolling import scroll_to_the_end
from tests.browser.session import Window, watching_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="module")
def axe_source() -> str | None:
    """axe-core's script, or None where npm did not install it: the tour then checks the
    layout and the console without axe (and fails under MARQUEE_REQUIRE_BROWSER)."""
    if not AXE.exists():
        message = f"{AXE} is missing: run `npm ci` (make test does when npm is installed)"
        if os.environ.get("MARQUEE_REQUIRE_BROWSER"):
            pytest.fail(message)
        warnings.warn(f"{message}; pages are not checked with axe", stacklevel=1)
        return None
    return AXE.read_text()


def _violations(page: Page, axe_source: str) -> list[dict[str, Any]]:
    """The page's serious and critical axe violations, each with the elements it found.

    The site's Content-Security-Policy allows no inline script: `evaluate` runs axe through
    the DevTools protocol, which the policy does not govern, so the page stays as served.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            # A few elements tell where; the first one's summary tells what.
            "count": len(violation["nodes"]),
            "targets": [node["target"] for node in violation["nodes"][:3]],
            "summary": violation["nodes"][0]["failureSummary"],
        }
        for violation in results["violations"]
        if violation["impact"] in BLOCKING
    ]


def _pages() -> dict[str, str]:
    # A film every profile may see, so the kids' limit never hides it from the tour.
    film = Title.objects.filter(is_published=True, kind="movie", maturity_rating__in=["G", "PG"])
    film = film.order_by("pk").first()
    series = Title.objects.filter(is_published=True, kind="series").order_by("pk").first()
    assert film is not None
    assert series is not None
    account = User.objects.get(email="demo@marquee.local")
    server = MediaServer.objects.create(
        name="Living room",
        kind="jellyfin",
        base_url="http://192.168.1.10:8096",
        account=account,
        webhook_token_digest="tour",
        webhook_token_hint="x9Zq",
        events_rejected=1,
        last_error="The body is not JSON: Expecting value: line 1 column 1 (char 0).",
    )
    MediaServerUser.objects.create(server=server, external_id="5d1e7f3a", name="alice")
    return {
        "home": "/",
        "film": film.get_absolute_url(),
        "series": series.get_absolute_url(),
        "search": "/search/?q=the",
        "browse": "/browse/",
        "my list": "/me/list/",
        "history": "/me/history/",
        "ratings": "/me/ratings/",
        "player": f"/watch/{film.slug}/",
        "onboarding": "/me/start/",
        "account": "/account/",
        "media servers": "/account/media-servers/",
        "media server": f"/account/media-servers/{server.pk}/",
    }


def test_pages_fit_pass_axe_and_log_no_error(
    window: Window, live_server: Any, trained: ModelVersion, axe_source: str | None
) -> None:
    page, width, errors = window.page, window.width, window.errors
    base = live_server.url
    watching_as(page, base, "Ana")
    wide: dict[str, int] = {}
    found: dict[str, list[dict[str, Any]]] = {}
    for name, path in _pages().items():
        response = page.goto(base + path)
        assert response is not None
        assert response.status == 200, path
        # Lazy rows and the browse page's next pages arrive as they scroll into view; each
        # may widen the page or bring a violation.
        scroll_to_the_end(page, screens=40)
        page.wait_for_load_state("networkidle")
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            wide[name] = scroll_width
        page.mouse.wheel(0, -100_000)
        violations = _violations(page, axe_source) if axe_source is not None else []
        if violations:
            found[name] = violations
    assert wide == {}, f"pages wider than the {width}px window: {wide}"
    assert found == {}, json.dumps(found, indent=1)
    assert errors == []
