"""Drill: the same request sent 20 times at once (a double-click, a retrying client).

Each write keeps exactly one row, and every copy is answered as a success or a clean 4xx,
never a 500 from a unique constraint. Threads need a database that several connections
share: PostgreSQL (the SQLite test database lives in one connection's memory).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from accounts.models import Profile, User
from catalog.models import Title
from recommendations.models import ListItem, NotInterested, Rating, WatchEvent, WatchProgress
from tests.factories import EpisodeFactory, SeasonFactory, TitleFactory
from tests.helpers import watch_as

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="threads share PostgreSQL only"),
    pytest.mark.django_db(transaction=True),
]

COPIES = 20


def _at_once(user: User, profile: Profile, send: Callable[[Client], Any]) -> list[int]:
    """Send the same request from COPIES clients released together; their status codes."""
    clients = []
    for _ in range(COPIES):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients.append(watch_as(client, profile))
    connections.close_all()
    start = threading.Barrier(COPIES)
    statuses: list[int] = []

    def run(client: Client) -> None:
        try:
            start.wait()
            statuses.append(send(client).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def _all_fine(statuses: list[int]) -> bool:
    # A success (a page's redirect included) or a clean refusal; never a server error.
    return len(statuses) == COPIES and all(code < 500 for code in statuses)


def test_the_same_rating(alice: User, alice_profile: Profile) -> None:
    title = TitleFactory()
    statuses = _at_once(
        alice,
        alice_profile,
        lambda c: c.put(
            f"/api/v1/me/ratings/{title.slug}/", {"stars": 4}, content_type="application/json"
        ),
    )
    assert _all_fine(statuses), statuses
    assert Rating.objects.filter(profile=alice_profile, title=title).count() == 1


def test_the_same_rating_from_the_page(alice: User, alice_profile: Profile) -> None:
    title = TitleFactory()
    statuses = _at_once(
        alice, alice_profile, lambda c: c.post(f"/titles/{title.slug}/rate/", {"stars": "3.5"})
    )
    assert _all_fine(statuses), statuses
    assert Rating.objects.filter(profile=alice_profile, title=title).count() == 1


def test_the_same_list_add(alice: User, alice_profile: Profile) -> None:
    title = TitleFactory()
    statuses = _at_once(alice, alice_profile, lambda c: c.put(f"/api/v1/me/list/{title.slug}/"))
    assert _all_fine(statuses), statuses
    assert ListItem.objects.filter(profile=alice_profile, title=title).count() == 1


def test_the_same_not_interested(alice: User, alice_profile: Profile) -> None:
    title = TitleFactory()
    statuses = _at_once(
        alice, alice_profile, lambda c: c.put(f"/api/v1/me/not-interested/{title.slug}/")
    )
    assert _all_fine(statuses), statuses
    assert NotInterested.objects.filter(profile=alice_profile, title=title).count() == 1


def test_the_same_heartbeat(alice: User, alice_profile: Profile) -> None:
    title = TitleFactory(runtime_minutes=100)
    event_id = str(uuid.uuid4())
    body = {
        "events": [
            {
                "id": event_id,
                "title": title.slug,
                "episode": None,
                "kind": "start",
                "position": 0,
                "at": (timezone.now() - timedelta(minutes=5)).isoformat(),
            }
        ]
    }
    statuses = _at_once(
        alice,
        alice_profile,
        lambda c: c.post("/api/v1/me/watch-events/", body, content_type="application/json"),
    )
    assert _all_fine(statuses), statuses
    assert WatchEvent.objects.filter(profile=alice_profile).count() == 1
    assert WatchProgress.objects.filter(profile=alice_profile, title=title).count() == 1


def _different_heartbeats_at_once(
    user: User, profile: Profile, title_slug: str, episode_id: int | None
) -> list[int]:
    """COPIES first heartbeats of one title, each with its own id (a seek, a pause, ...)."""
    at = timezone.now() - timedelta(minutes=5)
    bodies = iter(
        [
            {
                "events": [
                    {
                        "id": str(uuid.uuid4()),
                        "title": title_slug,
                        "episode": episode_id,
                        "kind": "seek",
                        "position": 60 + copy,
                        "at": (at + timedelta(seconds=copy)).isoformat(),
                    }
                ]
            }
            for copy in range(COPIES)
        ]
    )
    lock = threading.Lock()

    def send(client: Client) -> Any:
        with lock:
            body = next(bodies)
        return client.post("/api/v1/me/watch-events/", body, content_type="application/json")

    return _at_once(user, profile, send)


def test_different_first_heartbeats_of_a_film(alice: User, alice_profile: Profile) -> None:
    # Each batch is new, so none waits on another's event row: the rollup they all create
    # is what must come out once.
    title = TitleFactory(runtime_minutes=100)
    statuses = _different_heartbeats_at_once(alice, alice_profile, title.slug, None)
    assert _all_fine(statuses), statuses
    assert WatchProgress.objects.filter(profile=alice_profile, title=title).count() == 1
    # A batch older than one already recorded is refused as out of order; the others count.
    accepted = statuses.count(200)
    assert WatchEvent.objects.filter(profile=alice_profile).count() == accepted


def test_different_first_heartbeats_of_an_episode(alice: User, alice_profile: Profile) -> None:
    series = TitleFactory(kind=Title.Kind.SERIES)
    season = SeasonFactory(title=series, number=1)
    episode = EpisodeFactory(season=season, number=1)
    EpisodeFactory(season=season, number=2)
    statuses = _different_heartbeats_at_once(alice, alice_profile, series.slug, episode.pk)
    assert _all_fine(statuses), statuses
    rollups = WatchProgress.objects.filter(profile=alice_profile, title=series)
    assert rollups.filter(episode=episode).count() == 1
    assert rollups.filter(episode=None).count() == 1
