from __future__ import annotations

import os
import socket
import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.test import Client

from accounts.models import Profile, User
from accounts.services import SESSION_KEY
from catalog.models import Title
from recommendations import services, watching
from recommendations.watching import Heartbeat
from tests.factories import EpisodeFactory, SeasonFactory, TitleFactory

T0 = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)


def redis_up() -> bool:
    """Whether Redis answers on 127.0.0.1:6379 (tests that need it skip otherwise, unless
    MARQUEE_REQUIRE_SERVICES says it must be there)."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def redis_location() -> str:
    """A Redis database for a test's own cache that no other pytest-xdist worker empties.

    Every test clears the default cache (a FLUSHDB where it is Redis); each worker has a
    database of its own for that (conftest's `_worker_cache`). A test that took the
    REDIS_CACHE_URL database itself shared it with the first worker, and lost its counters
    whenever a test there began.
    """
    default = settings.CACHES["default"]
    if "redis" in default["BACKEND"].lower():
        return default["LOCATION"]
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or "0"
    return f"redis://127.0.0.1:6379/{15 - int(worker)}"


def watch_as(client: Client, profile: Profile) -> Client:
    """Put `profile` in the client's session as the current profile (the client is signed in)."""
    session = client.session
    session[SESSION_KEY] = profile.pk
    session.save()
    return client


def beat(title: Title, kind: str, position: int, at: int, episode: object = None) -> Heartbeat:
    return Heartbeat(
        client_event_id=uuid.uuid4(),
        title_id=title.pk,
        episode_id=getattr(episode, "pk", None),
        kind=kind,
        position=position,
        occurred_at=T0 + timedelta(seconds=at),
    )


def fill(profile: Profile) -> dict[str, Title]:
    """One row of every kind a profile owns, written through the services."""
    film = TitleFactory(name=f"{profile.name} film", year=1999)
    liked = TitleFactory(name=f"{profile.name} liked", year=2004)
    refused = TitleFactory(name=f"{profile.name} refused")
    series = SeasonFactory(title__name=f"{profile.name} series", number=1).title
    episode = EpisodeFactory(season=series.seasons.get(), number=1, name="Pilot")
    services.rating_set(profile=profile, title=film, stars="3.5")
    services.rating_set(profile=profile, title=liked, thumbs="two_up")
    services.list_add(profile=profile, title=liked)
    services.not_interested_add(profile=profile, title=refused)
    services.taste_exclusion_set(profile=profile, title=film, excluded=True)
    watching.watch_events_record(
        profile=profile,
        heartbeats=[
            beat(film, "start", 0, 0),
            beat(film, "progress", 600, 600),
            beat(series, "start", 0, 1000, episode),
            beat(series, "stop", 300, 1300, episode),
        ],
    )
    return {"film": film, "liked": liked, "refused": refused, "series": series}


def signed_in(user: User, profile: Profile | None, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    if profile is not None:
        watch_as(client, profile)
    return client
