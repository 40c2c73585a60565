"""A Redis cache that keeps the site up while Redis is unreachable.

Marquee's cache holds nothing that cannot be rebuilt (the active model's id, home-page
plans, catalogue stamps) and counters that only need to hold in the meantime (sign-in
limits, throttles). So when Redis cannot be reached, every operation falls back to a
per-process local-memory cache instead of failing the request: pages, sign-in and
feedback keep working, limits count per process, each process rebuilds what it needs.

Django's RedisCache waits as long as the operating system lets a connect or a read wait
(minutes, for a host that does not answer) and tries Redis again on every call. Here a
connect or read waits a fraction of a second, is never retried by redis-py, and after a
failure Redis is left alone for `retry_after` seconds: one call then tries it again, the
others stay local meanwhile. One warning is logged when Redis goes away, one line when it
is back (and the local copies, now stale, are dropped).

Use it as the BACKEND with REDIS_CACHE_URL; OPTIONS may set `socket_connect_timeout`,
`socket_timeout` (seconds) and `retry_after` (seconds) besides redis-py's own options.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger(__name__)

# What an unreachable, restarting or overloaded Redis raises (BusyLoadingError is a
# ConnectionError). Anything else is a bug worth a 500.
OUTAGE = (RedisConnectionError, RedisTimeoutError)

DEFAULT_OPTIONS: dict[str, Any] = {
    "socket_connect_timeout": 0.25,
    "socket_timeout": 0.5,
}
DEFAULT_RETRY_AFTER = 5.0
# The local fallback holds a process's plans and counters during an outage only.
FALLBACK_MAX_ENTRIES = 2000


class _Health:
    """Whether one Redis location is reachable, shared by every thread of the process.

    Django makes a cache backend per thread, so this lives at module level, per location.
    """

    def __init__(self, *, location: str, retry_after: float) -> None:
        self.location = location
        self.retry_after = retry_after
        self.down = False
        self.retry_at = 0.0
        self._lock = threading.Lock()

    def should_try(self) -> bool:
        if not self.down:
            return True
        with self._lock:
            now = time.monotonic()
            if not self.down:
                return True
            if now < self.retry_at:
                return False
            # This caller tries Redis; everyone else stays local until it has answered.
            self.retry_at = now + self.retry_after
            return True

    def failed(self, exc: Exception) -> None:
        with self._lock:
            was_down = self.down
            self.down = True
            self.retry_at = time.monotonic() + self.retry_after
        if not was_down:
            logger.warning(
                "Cache: Redis at %s is unreachable (%s); using local memory in this "
                "process, trying Redis again every %g s.",
                _redacted(self.location),
                exc,
                self.retry_after,
            )

    def succeeded(self) -> bool:
        """Mark the location reachable; True for the one call that saw it come back."""
        if not self.down:
            return False
        with self._lock:
            if not self.down:
                return False
            self.down = False
        logger.warning("Cache: Redis at %s is reachable again.", _redacted(self.location))
        return True


_health: dict[str, _Health] = {}
_health_lock = threading.Lock()


def _health_for(location: str, retry_after: float) -> _Health:
    with _health_lock:
        if location not in _health:
            _health[location] = _Health(location=location, retry_after=retry_after)
        return _health[location]


def _redacted(location: str) -> str:
    # redis://user:password@host/0: the password has no place in a log.
    scheme, sep, rest = location.partition("://")
    if "@" in rest:
        rest = "***@" + rest.rsplit("@", 1)[1]
    return f"{scheme}{sep}{rest}"


class _ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client with one redis-py client per connection pool, made once.

    Django makes a new `redis.Redis` for every call; its constructor builds a table of some
    170 response callbacks, about a third of a millisecond of CPU per cache read on a page
    that reads the cache twice. A client holds no connection of its own (the pool does), so
    one per pool serves every call.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class FallbackRedisCache(RedisCache):
    """RedisCache with short timeouts that falls back to local memory when Redis is down."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ReusedClientRedisCacheClient
        options = {**DEFAULT_OPTIONS, **params.get("OPTIONS", {})}
        retry_after = float(options.pop("retry_after", DEFAULT_RETRY_AFTER))
        # The back-off here is the only retry: a call never pays for more than one attempt.
        options.setdefault("retry", Retry(NoBackoff(), 0))
        self._options = options
        location = server if isinstance(server, str) else ",".join(server)
        self._health = _health_for(location, retry_after)
        # Same prefix, version and key function: the fallback builds the same keys.
        self._fallback = LocMemCache(
            f"marquee-fallback:{location}",
            {
                **{k: v for k, v in params.items() if k != "OPTIONS"},
                "OPTIONS": {"MAX_ENTRIES": FALLBACK_MAX_ENTRIES},
            },
        )

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if self._health.should_try():
            try:
                result = getattr(super(), name)(*args, **kwargs)
            except OUTAGE as exc:
                self._health.failed(exc)
            else:
                if self._health.succeeded():
                    # What was kept locally meanwhile is older than Redis now: drop it, so
                    # a later outage does not serve it again.
                    self._fallback.clear()
                return result
        return getattr(self._fallback, name)(*args, **kwargs)

    def add(self, *args: Any, **kwargs: Any) -> bool:
        return self._call("add", *args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get", *args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> None:
        return self._call("set", *args, **kwargs)

    def touch(self, *args: Any, **kwargs: Any) -> bool:
        return self._call("touch", *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> bool:
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> bool:
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> int:
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args: Any, **kwargs: Any) -> list[str]:
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args: Any, **kwargs: Any) -> None:
        return self._call("delete_many", *args, **kwargs)

    def clear(self) -> bool:
        return self._call("clear")
