from __future__ import annotations

import json
from collections.abc import Iterable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.decorators import profile_required
from accounts.models import Profile
from accounts.navigation import safe_next
from accounts.views import ProfileHttpRequest
from recommendations.profile_data import export, letterboxd
from recommendations.profile_data.forms import LetterboxdImportForm, PrivateSessionForm
from recommendations.services import private_session_set


@login_required
@require_POST
@profile_required
def private_session(request: ProfileHttpRequest) -> HttpResponse:
    form = PrivateSessionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether the private session is on or off.")
    else:
        profile = private_session_set(profile=request.profile, enabled=form.cleaned_data["enabled"])
        if profile.private_session:
            messages.success(
                request,
                f"Private session on for {profile.name}: nothing watched counts towards "
                "recommendations until you turn it off.",
            )
        else:
            messages.success(request, f"Private session off for {profile.name}.")
    return redirect(safe_next(request, reverse("accounts:account")))


def _download(content_type: str, filename: str) -> HttpResponse:
    return HttpResponse(
        content_type=content_type,
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


@login_required
@require_safe
@never_cache
def data_export(request: ProfileHttpRequest) -> HttpResponse:
    response = _download(
        "application/json; charset=utf-8", f"marquee-data-{timezone.localdate():%Y-%m-%d}.json"
    )
    json.dump(export.account_export(account=request.user), response, ensure_ascii=False, indent=2)
    return response


def _profile_csv(profile: Profile, what: str, rows: Iterable[list[str]]) -> HttpResponse:
    name = slugify(profile.name) or "profile"
    response = _download(
        "text/csv; charset=utf-8", f"marquee-{name}-{what}-{timezone.localdate():%Y-%m-%d}.csv"
    )
    export.csv_write(rows, response)
    return response


@login_required
@require_safe
@never_cache
@profile_required
def ratings_csv(request: ProfileHttpRequest) -> HttpResponse:
    profile = request.profile
    return _profile_csv(profile, "ratings", export.ratings_csv_rows(profile=profile))


@login_required
@require_safe
@never_cache
@profile_required
def history_csv(request: ProfileHttpRequest) -> HttpResponse:
    profile = request.profile
    return _profile_csv(profile, "history", export.history_csv_rows(profile=profile))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@profile_required
def ratings_import(request: ProfileHttpRequest) -> HttpResponse:
    # Not `request.POST or None`: a POST carrying only the file has an empty POST dict.
    if request.method == "POST":
        form = LetterboxdImportForm(request.POST, request.FILES)
    else:
        form = LetterboxdImportForm()
    if form.is_valid():
        try:
            report = letterboxd.letterboxd_import(
                profile=request.profile, file=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            # Rendered, not redirected: the report lives only in this response, and
            # posting the same file again rates the same titles the same way.
            return TemplateResponse(
                request,
                "recommendations/ratings_import_result.html",
                {"report": report, "profile": request.profile},
            )
    return TemplateResponse(
        request,
        "recommendations/ratings_import.html",
        {"form": form, "profile": request.profile},
    )
