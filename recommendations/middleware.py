"""A page opened right after the player shows where the player stopped.

A browser requests the next page before the player's last heartbeat has been answered:
the stop sent as the player is left, or a seek made just before. Both requests then run
side by side, and the page could read the resume point from before them. The player
(static/js/player.js) puts "<profile id>.<event id>" of its newest unacknowledged event in
a cookie; a page requested with it waits, briefly, until that event is stored, then drops
the cookie.

The wait comes before the profile is read (its stamp keys the cached home plan; what
accounts.viewer read with the account before it is read again), and
while a heartbeat of the same profile is being recorded in this process it reads nothing:
it is woken when that request ends. Other processes' heartbeats are found by polling.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from accounts.viewer import viewer_profile_forget
from recommendations import selectors

PENDING_COOKIE = "marquee_watch_pending"
# Long enough for a heartbeat that is on its way (milliseconds); an event that never
# comes (the network dropped, or the server refused it) costs one page this much, once.
PENDING_WAIT_SECONDS = 1.5
# How often a waiting page looks for a heartbeat recorded by another process.
POLL_SECONDS = 0.05


def _pending(request: HttpRequest) -> tuple[int, uuid.UUID] | None:
    """The profile id and event id in the cookie, for a signed-in request."""
    value = request.COOKIES.get(PENDING_COOKIE)
    if not value or not request.user.is_authenticated:
        return None
    profile_id, _dot, event_id = value.partition(".")
    try:
        return int(profile_id), uuid.UUID(event_id)
    except ValueError:
        return None


class _Recording:
    """The heartbeat requests of each profile being recorded in this process."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._busy: Counter[int] = Counter()

    def run(self, profile_id: int, call: Callable[[], HttpResponse]) -> HttpResponse:
        with self._changed:
            self._busy[profile_id] += 1
        try:
            return call()
        finally:
            with self._changed:
                self._busy[profile_id] -= 1
                if not self._busy[profile_id]:
                    del self._busy[profile_id]
                self._changed.notify_all()

    def wait(self, profile_id: int, event_id: uuid.UUID, timeout: float) -> bool:
        """True once the event is stored; False after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                # Looked up under the lock, so no heartbeat of this profile starts writing
                # in this process meanwhile: on SQLite a read beside a write may fail.
                if not self._busy[profile_id] and selectors.watch_event_stored(
                    profile_id=profile_id, client_event_id=event_id
                ):
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(min(remaining, POLL_SECONDS))


_recording = _Recording()


class PendingWatchEventMiddleware:
    """After AuthenticationMiddleware, before anything reads the profile."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._heartbeats_path: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        pending = _pending(request)
        if pending is None:
            if request.COOKIES.get(PENDING_COOKIE) and request.method in ("GET", "HEAD"):
                return self._dropping_cookie(self.get_response(request))
            return self.get_response(request)
        profile_id, event_id = pending
        if request.method == "POST" and request.path == self._heartbeats():
            return _recording.run(profile_id, lambda: self.get_response(request))
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        _recording.wait(profile_id, event_id, PENDING_WAIT_SECONDS)
        # Read with the account before the wait, the profile's stamp may predate the event.
        viewer_profile_forget()
        # Waited for (or given up on): no later page waits for it again.
        return self._dropping_cookie(self.get_response(request))

    def _heartbeats(self) -> str:
        if self._heartbeats_path is None:
            self._heartbeats_path = reverse("api:me-watch-events")
        return self._heartbeats_path

    @staticmethod
    def _dropping_cookie(response: HttpResponse) -> HttpResponse:
        response.delete_cookie(PENDING_COOKIE, samesite="Lax")
        return response
