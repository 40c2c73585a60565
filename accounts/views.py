from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors, services, viewer
from accounts.forms import (
    AccountDeleteForm,
    AccountForm,
    KidsLockLeaveForm,
    PasswordResetForm,
    ProfileForm,
    ProfileUnlockForm,
    RatingScaleForm,
    SignupForm,
)
from accounts.limits import LimitReached
from accounts.lock import Credential, SessionLock
from accounts.models import Profile
from accounts.navigation import safe_next


class ProfileHttpRequest(HttpRequest):
    profile: Profile | None
    profile_lock: SessionLock


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:profile_picker")
    form = SignupForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        user = services.account_create(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            name=form.cleaned_data["name"],
        )
        login(request, user, backend=viewer.BACKEND)
        profile = selectors.profile_list(account=user).first()
        lock = SessionLock.read(request.session, None)
        services.profile_select(session=request.session, lock=lock, profile=profile)
        messages.success(request, f"Welcome to Marquee, {profile.name}.")
        return redirect("recommendations:home")
    return TemplateResponse(request, "accounts/signup.html", {"form": form})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, with limits on the mails per address and per client (PasswordResetForm)."""

    form_class = PasswordResetForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}


def _account_page(
    request: ProfileHttpRequest,
    *,
    form: AccountForm | None = None,
    scale_form: RatingScaleForm | None = None,
) -> HttpResponse:
    profiles = list(selectors.profile_list(account=request.user))
    return TemplateResponse(
        request,
        "accounts/account.html",
        {
            "form": form or AccountForm(instance=request.user),
            "scale_form": scale_form or RatingScaleForm(instance=request.user),
            "profiles": profiles,
            "account_profiles": profiles,
            "max_profiles": settings.MARQUEE_MAX_PROFILES,
            "profile": request.profile,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def account(request: ProfileHttpRequest) -> HttpResponse:
    form = AccountForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your account is saved.")
        return redirect("accounts:account")
    return _account_page(request, form=form)


@login_required
@require_POST
def account_rating_scale(request: ProfileHttpRequest) -> HttpResponse:
    form = RatingScaleForm(request.POST, instance=request.user)
    if form.is_valid():
        user = form.save()
        messages.success(request, f"Your profiles now rate with {user.get_rating_scale_display()}.")
        return redirect("accounts:account")
    return _account_page(request, scale_form=form)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def account_delete(request: ProfileHttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.account_delete(account=request.user)
        # After the delete: if it fails, the person is still signed in to try again.
        logout(request)
        messages.success(request, "Your account and everything in it are deleted. Goodbye.")
        return redirect("recommendations:home")
    profiles = list(selectors.profile_list(account=request.user))
    return TemplateResponse(
        request,
        "accounts/account_delete.html",
        {"form": form, "profiles": profiles, "account_profiles": profiles},
    )


@login_required
def profile_picker(request: ProfileHttpRequest) -> HttpResponse:
    profiles = list(selectors.profile_list(account=request.user))
    return TemplateResponse(
        request,
        "accounts/profile_picker.html",
        {
            "profiles": profiles,
            # Overrides the header's own lookup of the same list.
            "account_profiles": profiles,
            "can_add": len(profiles) < settings.MARQUEE_MAX_PROFILES,
            "next": safe_next(request, ""),
        },
    )


def _unlock_url(profile: Profile, next_url: str) -> str:
    url = reverse("accounts:profile_unlock", args=[profile.pk])
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


@login_required
@require_POST
def profile_select(request: ProfileHttpRequest, pk: int) -> HttpResponse:
    profile = selectors.profile_get_for_account(account=request.user, profile_id=pk)
    try:
        services.profile_select(session=request.session, lock=request.profile_lock, profile=profile)
    except services.ProfileLocked:
        # The PIN or the password first, on a page of its own (it can be reloaded, and
        # works without JavaScript).
        return redirect(_unlock_url(profile, safe_next(request, "")))
    return redirect(safe_next(request, "recommendations:home"))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def profile_unlock(request: ProfileHttpRequest, pk: int) -> HttpResponse:
    """Enter a profile that asks for its PIN or the account's password."""
    profile = selectors.profile_get_for_account(account=request.user, profile_id=pk)
    needed = request.profile_lock.to_enter(profile)
    if needed is Credential.NONE and request.method != "POST":
        # Nothing to ask: the picker enters it with one click.
        return redirect(reverse("accounts:profile_picker"))
    # Bound on any POST, an empty one included: it must answer "enter the PIN".
    data = request.POST if request.method == "POST" else None
    form = ProfileUnlockForm(data, ask_pin=needed is Credential.PIN_OR_PASSWORD)
    if form.is_valid():
        try:
            services.profile_unlock(
                request=request,
                lock=request.profile_lock,
                profile=profile,
                pin=form.cleaned_data.get("pin", ""),
                password=form.cleaned_data["password"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except LimitReached as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(safe_next(request, "recommendations:home"))
    return TemplateResponse(
        request,
        "accounts/profile_unlock.html",
        {
            "form": form,
            "target": profile,
            "leaving_kids": request.profile_lock.kids,
            "next": safe_next(request, ""),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def profile_leave(request: ProfileHttpRequest) -> HttpResponse:
    """The account's password, to go from a kids profile to the account's pages."""
    next_url = safe_next(request, reverse("accounts:account"))
    if request.profile_lock.to_manage() is Credential.NONE:
        return redirect(next_url)
    form = KidsLockLeaveForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            services.kids_lock_leave(request=request, password=form.cleaned_data["password"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        except LimitReached as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(next_url)
    return TemplateResponse(
        request,
        "accounts/profile_leave.html",
        {"form": form, "next": safe_next(request, "")},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile_create(request: ProfileHttpRequest) -> HttpResponse:
    count = selectors.profile_list(account=request.user).count()
    if count >= settings.MARQUEE_MAX_PROFILES and request.method != "POST":
        messages.error(
            request, f"An account can have at most {settings.MARQUEE_MAX_PROFILES} profiles."
        )
        return redirect("accounts:profile_picker")
    form = ProfileForm(request.POST or None, instance=Profile(account=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.profile_create(
                account=request.user, by=request.profile_lock, **form.profile_fields()
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"Profile “{profile.name}” created.")
            return redirect("accounts:profile_picker")
    return TemplateResponse(request, "accounts/profile_form.html", {"form": form, "profile": None})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile_edit(request: ProfileHttpRequest, pk: int) -> HttpResponse:
    profile = selectors.profile_get_for_account(account=request.user, profile_id=pk)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(
                profile=profile, by=request.profile_lock, **form.profile_fields()
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"Profile “{profile.name}” saved.")
            return redirect("accounts:profile_picker")
    # The form mutates the instance while validating; show the stored name in the heading.
    stored = selectors.profile_get_for_account(account=request.user, profile_id=pk)
    return TemplateResponse(
        request, "accounts/profile_form.html", {"form": form, "profile": stored}
    )


@login_required
@require_POST
def profile_delete(request: ProfileHttpRequest, pk: int) -> HttpResponse:
    profile = selectors.profile_get_for_account(account=request.user, profile_id=pk)
    try:
        services.profile_delete(profile=profile, by=request.profile_lock)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if request.session.get(services.SESSION_KEY) == pk:
            request.session.pop(services.SESSION_KEY)
        messages.success(request, f"Profile “{profile.name}” deleted.")
    return redirect("accounts:profile_picker")
