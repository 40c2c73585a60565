from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from accounts.lock import OPEN, SESSION_KEY, Credential, SessionLock
from accounts.models import Profile
from accounts.navigation import back_to
from accounts.viewer import viewer_profile

# Pages that show titles: until a profile is chosen, the picker comes first.
TITLE_NAMESPACES = frozenset({"catalog", "recommendations"})
# The account pages a session held by a kids profile may still open: signing in and out,
# the picker (entering another profile asks there), the forms that ask for the PIN or the
# password, and the profile's own private-session switch, which lifts no limit. Every
# other page of the account pages' namespaces, and the admin, asks for the password first.
OPEN_ACCOUNT_PAGES = frozenset(
    {
        "accounts:login",
        "accounts:logout",
        "accounts:signup",
        "accounts:password_reset",
        "accounts:password_reset_done",
        "accounts:password_reset_confirm",
        "accounts:password_reset_complete",
        "accounts:profile_picker",
        "accounts:profile_select",
        "accounts:profile_unlock",
        "accounts:profile_leave",
        "profile_data:private_session",
    }
)
# `profile_data`: the account's data under /account/ (the export holds every profile's
# history), served by the recommendations app; named here, not imported.
MANAGED_NAMESPACES = frozenset({"accounts", "profile_data", "admin"})


def _current_profile(request: HttpRequest) -> Profile | None:
    user = request.user
    if not user.is_authenticated:
        return None
    profile_id = request.session.get(SESSION_KEY)
    if profile_id is None:
        return None
    # Read with the account when the session named both (accounts.viewer); scoped to the
    # signed-in account either way: a stale or forged id in the session selects nothing.
    profile = viewer_profile(user.pk)
    if profile is None or profile.pk != profile_id:
        profile = Profile.objects.filter(pk=profile_id, account=user).first()
    if profile is None:
        request.session.pop(SESSION_KEY, None)
    return profile


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    target = f"{url}?{urlencode({'next': back_to(request)})}"
    if getattr(request, "htmx", False):
        # A fragment request would swap the form into a row: send the whole page there.
        return HttpResponseClientRedirect(target)
    return HttpResponseRedirect(target)


class CurrentProfileMiddleware:
    """Sets `request.profile` (the viewing profile chosen in this session, or None) and
    `request.profile_lock`, and sends a request elsewhere when the lock or the lack of a
    profile says so:

    - signed in, no profile chosen, a page that shows titles: to the picker;
    - held by a kids profile, an account page or the admin: to the password form.

    The API decides for itself (`accounts.api.request_profile`).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.profile = _current_profile(request)
        request.profile_lock = (
            SessionLock.read(request.session, request.profile)
            if request.user.is_authenticated
            else OPEN
        )
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[object, ...],
        view_kwargs: dict[str, object],
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or not request.user.is_authenticated:
            return None
        namespace = match.namespaces[0] if match.namespaces else ""
        if (
            namespace in MANAGED_NAMESPACES
            and match.view_name not in OPEN_ACCOUNT_PAGES
            and request.profile_lock.to_manage() is not Credential.NONE
        ):
            return _redirect(request, reverse("accounts:profile_leave"))
        if namespace in TITLE_NAMESPACES and request.profile is None:
            # The admin's poster thumbnails: a curator may curate without a profile.
            if match.view_name == "catalog:poster" and request.user.is_staff:
                return None
            return _redirect(request, reverse("accounts:profile_picker"))
        return None
