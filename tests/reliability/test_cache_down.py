"""Drill: the cache (Redis) is unreachable. Pages, sign-in and feedback keep working."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from redis import connection as redis_connection
from redis.exceptions import ConnectionError as RedisConnectionError

from accounts.models import Profile, User
from config import cache as fallback_cache
from recommendations.models import ListItem, NotInterested, Rating
from tests.factories import TitleFactory
from tests.helpers import redis_location, redis_up

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: every connect is refused at once.
CLOSED = "redis://127.0.0.1:1/0"


def _use_cache(settings: Any, location: str, **options: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.FallbackRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            "OPTIONS": options,
        }
    }


@pytest.fixture(autouse=True)
def _fresh_health() -> Iterator[None]:
    # Reachability is kept per process; each drill starts with Redis presumed up.
    fallback_cache._health.clear()
    yield
    fallback_cache._health.clear()


@pytest.fixture
def silent_server() -> Iterator[str]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []

    def accept() -> None:
        with contextlib.suppress(OSError):
            while True:
                accepted.append(server.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()
    for conn in accepted:
        conn.close()


@pytest.fixture
def unreachable(settings: Any) -> None:
    _use_cache(settings, CLOSED)


def _cache_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    # From the fixtures on: signing a client in already writes its session to the cache.
    return [
        record.getMessage()
        for record in caplog.get_records("setup") + caplog.records
        if record.name == "config.cache" and record.levelno == logging.WARNING
    ]


class TestPagesWithTheCacheDown:
    def test_anonymous_pages_answer(
        self, unreachable: None, client: Client, caplog: pytest.LogCaptureFixture
    ) -> None:
        title = TitleFactory(name="Arrival")
        for url in (
            reverse("recommendations:home"),
            reverse("recommendations:title", args=[title.slug]),
            reverse("catalog:search") + "?q=arrival",
            reverse("catalog:browse"),
            "/api/v1/titles/",
            f"/api/v1/titles/{title.slug}/",
        ):
            assert client.get(url).status_code == 200, url
        assert len(_cache_warnings(caplog)) == 1

    def test_a_signed_in_profile_browses_and_gives_feedback(
        self, unreachable: None, alice_client: Client, caplog: pytest.LogCaptureFixture
    ) -> None:
        arrival, dune, heat, *_ = TitleFactory.create_batch(8)
        Profile.objects.update(onboarded_at=timezone.now())
        for url in (
            reverse("recommendations:home"),
            reverse("recommendations:title", args=[arrival.slug]),
            reverse("recommendations:row", args=["new"]),
            "/api/v1/me/rows/",
        ):
            assert alice_client.get(url).status_code == 200, url

        rated = alice_client.post(
            reverse("recommendations:rate", args=[arrival.slug]), {"stars": 4}
        )
        assert rated.status_code == 302
        listed = alice_client.post(reverse("recommendations:list_toggle", args=[dune.slug]))
        assert listed.status_code == 302
        refused = alice_client.put(f"/api/v1/me/not-interested/{heat.slug}/")
        assert refused.status_code in (200, 201)

        assert Rating.objects.get().title == arrival
        assert ListItem.objects.get().title == dune
        assert NotInterested.objects.get().title == heat
        assert len(_cache_warnings(caplog)) == 1


class TestSignInWithTheCacheDown:
    def test_the_form_signs_in(self, unreachable: None, client: Client, alice: User) -> None:
        response = client.post(
            reverse("accounts:login"),
            {"username": "alice@example.com", "password": "correct horse battery"},
        )
        assert response.status_code == 302

    def test_the_api_gives_a_token(self, unreachable: None, client: Client, alice: User) -> None:
        response = client.post(
            "/api/v1/auth/token/",
            {"email": "alice@example.com", "password": "correct horse battery"},
            content_type="application/json",
        )
        assert response.status_code == 200
        assert response.json()["token"]

    def test_wrong_passwords_are_still_limited(
        self, unreachable: None, client: Client, alice: User, settings: Any
    ) -> None:
        # The counters live in this process's memory meanwhile: the lockout still holds.
        settings.MARQUEE_SIGN_IN_FAILURES = 3
        form = reverse("accounts:login")
        for _ in range(3):
            client.post(form, {"username": "alice@example.com", "password": "nope"})
        locked = client.post(
            form, {"username": "alice@example.com", "password": "correct horse battery"}
        )
        assert locked.status_code == 200
        assert "Try again in 15 minutes" in locked.text


class TestFallbackCache:
    def test_an_unreachable_redis_is_tried_once_per_back_off(
        self, settings: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        _use_cache(settings, CLOSED, retry_after=30)
        attempts = []
        real_connect = redis_connection.Connection._connect

        def counting_connect(self: redis_connection.Connection) -> Any:
            attempts.append(1)
            return real_connect(self)

        monkeypatch.setattr(redis_connection.Connection, "_connect", counting_connect)
        for n in range(100):
            cache.set(f"k{n}", n)
            assert cache.get(f"k{n}") == n
        assert len(attempts) == 1

    def test_a_redis_that_never_answers_costs_one_short_wait(
        self, settings: Any, silent_server: str
    ) -> None:
        # Accepts connections, never replies: without a socket timeout, a read waits forever.
        _use_cache(settings, silent_server, retry_after=30)
        started = time.monotonic()
        for n in range(50):
            cache.set(f"k{n}", n)
            assert cache.get(f"k{n}") == n
        assert time.monotonic() - started < 2.0

    def test_counters_work_like_redis_meanwhile(self, unreachable: None) -> None:
        assert cache.add("n", 0, 60) is True
        assert cache.add("n", 5, 60) is False
        assert cache.incr("n") == 1
        assert cache.incr("n", -1) == 0
        assert cache.touch("n", 60) is True
        with pytest.raises(ValueError, match="not found"):
            cache.incr("missing")
        cache.set_many({"a": 1, "b": 2})
        assert cache.get_many(["a", "b", "c"]) == {"a": 1, "b": 2}
        assert cache.has_key("a")
        cache.delete_many(["a"])
        assert cache.get("a") is None
        assert cache.delete("b") is True
        assert cache.get_or_set("c", 3) == 3

    def test_it_warns_once_per_outage(
        self, settings: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
    ) -> None:
        _use_cache(settings, CLOSED, retry_after=0)
        up = {"now": False}
        real_get = RedisCache.get

        def flaky_get(self: RedisCache, key: str, default: Any = None, version: Any = None) -> Any:
            if not up["now"]:
                raise RedisConnectionError("refused")
            return "from redis"

        monkeypatch.setattr(RedisCache, "get", flaky_get)
        for _ in range(5):
            assert cache.get("k") is None
        assert len(_cache_warnings(caplog)) == 1

        cache.set("kept-locally", "stale")
        up["now"] = True
        assert cache.get("k") == "from redis"
        assert _cache_warnings(caplog)[-1].endswith("is reachable again.")

        up["now"] = False
        for _ in range(5):
            cache.get("k")
        warnings = _cache_warnings(caplog)
        assert len(warnings) == 3
        assert "unreachable" in warnings[2]
        # What was set locally during the first outage was dropped when Redis came back.
        assert cache.get("kept-locally") is None
        monkeypatch.setattr(RedisCache, "get", real_get)

    def test_a_password_in_the_url_is_not_logged(
        self, settings: Any, caplog: pytest.LogCaptureFixture
    ) -> None:
        _use_cache(settings, "redis://:s3cret@127.0.0.1:1/0")
        cache.get("k")
        (warning,) = _cache_warnings(caplog)
        assert "s3cret" not in warning
        assert "redis://***@127.0.0.1:1/0" in warning


def test_redis_cache_url_uses_the_fallback_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    from config.settings import base

    monkeypatch.setenv("REDIS_CACHE_URL", "redis://127.0.0.1:6379/3")
    try:
        reloaded = importlib.reload(base)
        assert reloaded.CACHES["default"]["BACKEND"] == "config.cache.FallbackRedisCache"
    finally:
        monkeypatch.delenv("REDIS_CACHE_URL")
        importlib.reload(base)


@pytest.mark.skipif(
    not redis_up() and not os.environ.get("MARQUEE_REQUIRE_SERVICES"),
    reason="Redis is not running on 127.0.0.1:6379",
)
def test_a_reachable_redis_is_the_cache(settings: Any, caplog: pytest.LogCaptureFixture) -> None:
    location = redis_location()
    _use_cache(settings, location)
    cache.set("shared", "across processes", 60)
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    plain = RedisCache(location, {"KEY_PREFIX": prefix})
    assert plain.get("shared") == "across processes"
    plain.delete("shared")
    assert _cache_warnings(caplog) == []


def test_calls_share_one_redis_client(settings: Any) -> None:
    # A redis-py client costs a third of a millisecond to make; the pool holds the
    # connections, so one client per pool serves every call of the process.
    _use_cache(settings, CLOSED)
    client = cache._cache.get_client("a")
    assert cache._cache.get_client("b", write=True) is client
    assert client.connection_pool is cache._cache._get_connection_pool(False)
