from __future__ import annotations

from django.http import HttpRequest

from accounts.selectors import profile_list


def profiles(request: HttpRequest) -> dict[str, object]:
    context: dict[str, object] = {"current_profile": getattr(request, "profile", None)}
    if request.user.is_authenticated:
        context["account_profiles"] = lambda: list(profile_list(account=request.user))
    return context
