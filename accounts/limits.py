"""Limits on attempts (sign-in, sign-up, password-reset mail), per client and per address.

Counters live in the cache: shared by every process when it is Redis, per process
otherwise. A slot is taken *before* the attempt, with `cache.add` + `cache.incr`, both
atomic in Redis and in local memory: parallel requests cannot all read "4 of 5" and all
go ahead, as they could with a get-then-set.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


@dataclass(frozen=True)
class Limit:
    """At most `attempts` in `window` seconds, counted from the first of them."""

    name: str
    attempts: int
    window: int
    # What the person reads when the limit is reached, before "Try again in N minutes."
    refusal: str


class LimitReached(Exception):
    def __init__(self, refusal: str, *, seconds: int) -> None:
        self.seconds = seconds
        minutes = max(1, math.ceil(seconds / 60))
        unit = "minute" if minutes == 1 else "minutes"
        super().__init__(f"{refusal} Try again in {minutes} {unit}.")


def client_address(request: HttpRequest) -> str:
    """The address of the client, as far as MARQUEE_TRUSTED_PROXIES lets us know it.

    With no trusted proxy, X-Forwarded-For is whatever the client wrote: REMOTE_ADDR it
    is. Behind N proxies, each appends the address it received from, so the Nth from the
    right is the one our outermost proxy saw; anything left of it is the client's say.
    DRF's throttles read the same way (REST_FRAMEWORK["NUM_PROXIES"]).
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.MARQUEE_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        addresses = [address.strip() for address in forwarded.split(",")]
        return addresses[-min(proxies, len(addresses))] or remote
    return remote


def _keys(limit: Limit, who: str) -> tuple[str, str]:
    # Hashed: the cache (Redis, perhaps shared) need not hold addresses.
    digest = hashlib.sha256(who.strip().lower().encode()).hexdigest()
    return f"limit:{limit.name}:{digest}", f"limit:{limit.name}:{digest}:since"


def _take(limit: Limit, who: str) -> bool:
    key, since_key = _keys(limit, who)
    cache.add(since_key, time.time(), limit.window)
    for _ in range(3):
        cache.add(key, 0, limit.window)
        try:
            count = cache.incr(key)
        except ValueError:
            # Expired between the add and the incr: a new window starts.
            continue
        if count == 1:
            # Redis creates a missing key on INCR without an expiry (the key can expire
            # between Django's existence check and the INCR): give it its window.
            cache.touch(key, limit.window)
        return count <= limit.attempts
    return False


def attempt_give_back(*, limit: Limit, who: str) -> None:
    """Return a slot taken by `attempts_take` (the attempt did not count against it)."""
    key, _ = _keys(limit, who)
    # ValueError: the window ended meanwhile, nothing is left to give back to.
    with contextlib.suppress(ValueError):
        cache.incr(key, -1)


def attempts_clear(*, limit: Limit, who: str) -> None:
    for key in _keys(limit, who):
        cache.delete(key)


def seconds_left(*, limit: Limit, who: str) -> int:
    _, since_key = _keys(limit, who)
    since = cache.get(since_key)
    if since is None:
        return limit.window
    return max(1, math.ceil(since + limit.window - time.time()))


def attempts_take(*checks: tuple[Limit, str]) -> None:
    """Take one slot of each (limit, who) pair, or none: raise LimitReached for the first
    limit reached, after giving back the slots already taken."""
    taken: list[tuple[Limit, str]] = []
    for limit, who in checks:
        if not _take(limit, who):
            for earlier, earlier_who in taken:
                attempt_give_back(limit=earlier, who=earlier_who)
            raise LimitReached(limit.refusal, seconds=seconds_left(limit=limit, who=who))
        taken.append((limit, who))
