"""Sessions read from the cache, written through to the database, cached for a minute.

Django's `cached_db` store: a signed-in request reads its session from the cache instead
of querying the database on every page and fragment, and a session outlives a cache flush
or outage, being read from the database again on a miss.

Django caches a session for as long as the session lives (two weeks). During a Redis
outage the cache falls back to local memory (config.cache), so a session changed then
(signed out, another profile chosen, a kids profile's lock) is changed in the database
and in one process's memory only: Redis keeps the copy from before, and would serve it
again once it is back. Here a cached copy lives at most CACHED_SECONDS, which bounds how
long after an outage a stale copy can be read; a session costs one query a minute.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import cached_db
from django.core.cache.backends.base import BaseCache

CACHED_SECONDS = 60


def _capped(timeout: float | None) -> float:
    return CACHED_SECONDS if timeout is None else min(timeout, CACHED_SECONDS)


class _ShortLived:
    """The session cache, with every entry's timeout capped at CACHED_SECONDS."""

    def __init__(self, cache: BaseCache) -> None:
        self._cache = cache

    def set(self, key: str, value: Any, timeout: float | None = None) -> None:
        self._cache.set(key, value, _capped(timeout))

    async def aset(self, key: str, value: Any, timeout: float | None = None) -> None:
        await self._cache.aset(key, value, _capped(timeout))

    def __contains__(self, key: str) -> bool:
        return key in self._cache

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cache, name)


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key: str | None = None) -> None:
        super().__init__(session_key)
        self._cache = _ShortLived(self._cache)
