"""The player plays time, sends heartbeats to the API, and resumes where it stopped."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.services import profile_create
from recommendations.models import WatchEvent, WatchProgress
from tests.browser.session import watching_as
from tests.factories import TitleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def film() -> object:
    user = UserFactory(email="ana@example.com", name="Ana")
    profile_create(account=user, name="Ana")
    return TitleFactory(name="Short Film", slug="short-film", runtime_minutes=2)


def test_watch_pause_resume_and_finish(page: Page, live_server: object, film: object) -> None:
    base = live_server.url
    watching_as(page, base, "Ana", "ana@example.com", path="/titles/short-film/")
    page.get_by_role("link", name="Play").click()
    expect(page).to_have_url(re.compile("/watch/short-film/$"))
    page.get_by_label("Speed").select_option("10")
    page.get_by_role("button", name="Play").click()
    expect(page.locator("[data-status]")).to_have_text("Playing")
    page.wait_for_timeout(3000)
    page.get_by_role("button", name="Pause").click()
    expect(page.locator("[data-status]")).to_contain_text("Paused at")
    page.wait_for_timeout(500)

    progress = WatchProgress.objects.get()
    assert 20 <= progress.last_position <= 45
    assert not progress.completed
    assert list(WatchEvent.objects.order_by("occurred_at").values_list("kind", flat=True)) == [
        "start",
        "pause",
    ]

    page.reload()
    assert int(page.locator("[data-player]").get_attribute("data-start")) == progress.last_position
    page.get_by_label("Speed").select_option("60")
    page.get_by_role("button", name="Resume").click()
    expect(page.locator("[data-status]")).to_have_text("Finished", timeout=10_000)
    page.wait_for_timeout(500)
    progress.refresh_from_db()
    assert progress.completed
    assert progress.times_completed == 1
