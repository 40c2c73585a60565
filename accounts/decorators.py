from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.navigation import back_to


def profile_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in and watching as a profile: otherwise to sign-in, then to the picker.

    After choosing, the picker returns to the page; a POST cannot be replayed, so after
    one it returns to the page the form was on, or home.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.profile is None:
            query = urlencode({"next": back_to(request)})
            return redirect(f"{reverse('accounts:profile_picker')}?{query}")
        return view(request, *args, **kwargs)

    return wrapper
