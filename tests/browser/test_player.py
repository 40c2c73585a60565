"""The player plays time, sends heartbeats to the API, and resumes where it stopped."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from accounts.services import profile_create
from catalog.models import Title
from recommendations.models import WatchEvent, WatchProgress
from tests.browser.session import watching_as
from tests.factories import TitleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLIP = Path(__file__).parent.parent / "fixtures" / "clip.webm"


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


def test_a_real_video_plays_and_its_end_finishes_the_title(
    page: Page, live_server: object, film: object, settings: object, tmp_path: Path
) -> None:
    # A four-second WebM in the household's video folder, for a one-minute title: the
    # player counts the video's share of its own length against the catalogue's runtime.
    shutil.copy(CLIP, tmp_path / "clip.webm")
    settings.MARQUEE_VIDEO_ROOT = str(tmp_path)
    Title.objects.filter(pk=film.pk).update(video_path="clip.webm", runtime_minutes=1)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    watching_as(page, live_server.url, "Ana", "ana@example.com", path="/watch/short-film/")
    video = page.locator("video[data-video]")
    expect(video).to_have_attribute("src", "/watch/short-film/video/")
    page.get_by_role("button", name="Play").click()
    expect(page.locator("[data-status]")).to_have_text("Finished", timeout=15_000)
    page.wait_for_timeout(500)
    progress = WatchProgress.objects.get()
    assert progress.completed
    assert page.evaluate("document.querySelector('video').currentTime") >= 3.5
    assert errors == []
