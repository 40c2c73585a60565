"""Who is asking: the signed-in account and its chosen profile, read in one query.

Every page of a signed-in viewer needs both: Django's AuthenticationMiddleware reads the
account (one query) and `CurrentProfileMiddleware` the profile (another), on every row
fragment and heartbeat. When the session names both, `ViewerMiddleware` reads them
together (the profile, joined to its account) before authentication runs, and
`ViewerBackend.get_user` hands Django that account instead of reading it again. Django
still does its own checks on it: the session's auth hash against the password, and an
inactive account is no one. A session whose ids do not match (a profile of another
account, one deleted) falls back to the two plain reads.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth import SESSION_KEY as USER_SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest, HttpResponse

from accounts.lock import SESSION_KEY as PROFILE_SESSION_KEY
from accounts.models import Profile

BACKEND = "accounts.viewer.ViewerBackend"
# Sessions signed in before this backend name Django's; they are moved over, not ended.
DJANGO_BACKEND = "django.contrib.auth.backends.ModelBackend"

_read: ContextVar[Profile | None] = ContextVar("marquee_viewer", default=None)


def viewer_profile(user_id: Any) -> Profile | None:
    """The profile read with its account for this request, if it belongs to `user_id`."""
    profile = _read.get()
    if profile is not None and user_id is not None and profile.account_id == user_id:
        return profile
    return None


def viewer_profile_forget() -> None:
    """Read the profile again when it is next asked for (the account read stays).

    For a request that waited for another one to change the profile's signals: the
    profile read before the wait has its stamp from before them.
    """
    _read.set(None)


class ViewerBackend(ModelBackend):
    """Django's model backend, given the account that `ViewerMiddleware` already read."""

    def get_user(self, user_id: Any) -> Any:
        profile = viewer_profile(user_id)
        if profile is None:
            return super().get_user(user_id)
        user = profile.account
        return user if self.user_can_authenticate(user) else None


class ViewerMiddleware:
    """After SessionMiddleware, before AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        profile = None
        user_id = session.get(USER_SESSION_KEY)
        if user_id is not None:
            if session.get(BACKEND_SESSION_KEY) == DJANGO_BACKEND:
                session[BACKEND_SESSION_KEY] = BACKEND
            profile_id = session.get(PROFILE_SESSION_KEY)
            if profile_id is not None:
                # Not first(): ordering a lookup by primary key by Profile's ordering
                # was a fifth of this query's CPU, on every request.
                found = Profile.objects.select_related("account").filter(
                    pk=profile_id, account_id=user_id
                )
                profile = next(iter(found.order_by()[:1]), None)
        token = _read.set(profile)
        try:
            return self.get_response(request)
        finally:
            _read.reset(token)
