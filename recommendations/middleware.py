"""A page opened right after the player shows where the player stopped.

A browser requests the next page before the player's last heartbeat has been answered:
the stop sent as the player is left, or a seek made just before. Both requests then run
side by side, and the page could read the resume point from before them. The player
(static/js/player.js) puts the id of its newest unacknowledged event in a cookie; a page
requested with it waits, briefly, until that event is stored, then drops the cookie.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from recommendations import selectors

PENDING_COOKIE = "marquee_watch_pending"
# Long enough for a heartbeat that is on its way (milliseconds); an event that never
# comes (the network dropped, or the server refused it) costs one page this much, once.
PENDING_WAIT_SECONDS = 1.5


def _pending_event(request: HttpRequest) -> uuid.UUID | None:
    """The event id in the cookie, when it is the current profile's: "<profile>.<uuid>"."""
    profile = getattr(request, "profile", None)
    value = request.COOKIES.get(PENDING_COOKIE, "")
    profile_id, _dot, event_id = value.partition(".")
    if profile is None or profile_id != str(profile.pk):
        return None
    try:
        return uuid.UUID(event_id)
    except ValueError:
        return None


class PendingWatchEventMiddleware:
    """Reads wait for the player's last heartbeat; after CurrentProfileMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.COOKIES.get(PENDING_COOKIE) or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        event_id = _pending_event(request)
        if event_id is not None:
            selectors.watch_event_wait(
                profile=request.profile, client_event_id=event_id, timeout=PENDING_WAIT_SECONDS
            )
            # The profile was read before the event was stored, and its stamp keys the
            # cached home plan: with the old stamp, Continue watching would be the old one.
            request.profile.refresh_from_db(fields=["signals_changed_at"])
        response = self.get_response(request)
        # Waited for, or not this profile's: either way no later page waits for it again.
        response.delete_cookie(PENDING_COOKIE, samesite="Lax")
        return response
