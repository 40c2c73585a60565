from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from recommendations import tasks, trending
from recommendations.models import TrendingTitle
from tests.factories import ProfileFactory, TitleFactory, WatchProgressFactory

pytestmark = pytest.mark.django_db


def watched(title: object, hours_ago: float, *, private: bool = False) -> None:
    WatchProgressFactory(
        title=title,
        last_position=600,
        last_watched_at=timezone.now() - timedelta(hours=hours_ago),
        is_private=private,
        profile=ProfileFactory(),
    )


def test_recent_viewers_weigh_more() -> None:
    busy, fading, old = TitleFactory(), TitleFactory(), TitleFactory()
    for _ in range(3):
        watched(busy, hours_ago=2)
    for _ in range(3):
        watched(fading, hours_ago=100)
    watched(old, hours_ago=24 * 8)  # outside the week
    assert trending.trending_refresh() == 2
    scores = dict(TrendingTitle.objects.values_list("title_id", "score"))
    assert scores[busy.pk] > scores[fading.pk] > 0
    assert old.pk not in scores
    assert TrendingTitle.objects.get(title=busy).viewers_today == 3


def test_a_viewer_counts_with_half_weight_after_the_half_life() -> None:
    title = TitleFactory()
    watched(title, hours_ago=trending.TRENDING_HALF_LIFE_HOURS)
    trending.trending_refresh()
    assert TrendingTitle.objects.get().score == pytest.approx(0.5, abs=0.01)


def test_private_viewing_and_unpublished_titles_do_not_trend() -> None:
    watched(TitleFactory(), hours_ago=1, private=True)
    watched(TitleFactory(is_published=False), hours_ago=1)
    assert trending.trending_refresh() == 0


def test_refreshing_replaces_the_table() -> None:
    title = TitleFactory()
    watched(title, hours_ago=1)
    tasks.refresh_trending.delay().get()
    tasks.refresh_trending.delay().get()
    assert TrendingTitle.objects.count() == 1


def test_trending_is_the_first_row_of_the_home_page(client: Client) -> None:
    title = TitleFactory(name="Everyone Watches This")
    watched(title, hours_ago=1)
    trending.trending_refresh()
    page = client.get(reverse("recommendations:home")).text
    assert page.index("Trending now") < page.index("New on Marquee")
    assert "Everyone Watches This" in page


def test_browse_can_sort_by_trending(client: Client) -> None:
    TitleFactory(name="Aaa Quiet One")
    watched(TitleFactory(name="Zzz Hot One"), hours_ago=1)
    trending.trending_refresh()
    page = client.get(reverse("catalog:browse") + "?order=trending").text
    assert page.index("Zzz Hot One") < page.index("Aaa Quiet One")


def test_the_hourly_schedule_is_seeded() -> None:
    task = PeriodicTask.objects.get(task="recommendations.tasks.refresh_trending")
    assert (task.interval.every, task.interval.period, task.enabled) == (60, "minutes", True)
