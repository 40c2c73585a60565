from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from accounts.models import Profile
from accounts.services import SESSION_KEY


def _current_profile(request: HttpRequest) -> Profile | None:
    user = request.user
    if not user.is_authenticated:
        return None
    profile_id = request.session.get(SESSION_KEY)
    if profile_id is None:
        return None
    # Scoped to the signed-in account: a stale or forged id in the session selects nothing.
    profile = Profile.objects.filter(pk=profile_id, account=user).first()
    if profile is None:
        request.session.pop(SESSION_KEY, None)
    return profile


class CurrentProfileMiddleware:
    """Sets `request.profile`: the viewing profile chosen in this session, or None."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.profile = _current_profile(request)
        return self.get_response(request)
