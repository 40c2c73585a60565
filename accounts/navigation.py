"""Where to send a viewer back to, without ever redirecting off the site."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def is_safe_url(request: HttpRequest, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` parameter of the request when it stays on this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if is_safe_url(request, target) else default


def back_to(request: HttpRequest) -> str:
    """Where to return after a detour (the picker, a PIN or password form): this page for
    a GET; a POST cannot be replayed, so the page its form was on, or home."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.headers.get("Referer", "")
    if is_safe_url(request, referer):
        return referer
    return reverse("recommendations:home")
