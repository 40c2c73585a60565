from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors, services
from accounts.forms import AccountForm, ProfileForm, SignupForm
from accounts.models import Profile


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _apply_errors(form: ProfileForm | SignupForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:profile_picker")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.account_create(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            name=form.cleaned_data["name"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        profile = selectors.profile_list(account=user).first()
        services.profile_select(session=request.session, profile=profile)
        messages.success(request, f"Welcome to Marquee, {profile.name}.")
        return redirect("catalog:home")
    return TemplateResponse(request, "accounts/signup.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    form = AccountForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your account is saved.")
        return redirect("accounts:account")
    profiles = list(selectors.profile_list(account=request.user))
    return TemplateResponse(
        request,
        "accounts/account.html",
        {
            "form": form,
            "profiles": profiles,
            "account_profiles": profiles,
            "max_profiles": settings.MARQUEE_MAX_PROFILES,
        },
    )


@login_required
def profile_picker(request: HttpRequest) -> HttpResponse:
    profiles = list(selectors.profile_list(account=request.user))
    return TemplateResponse(
        request,
        "accounts/profile_picker.html",
        {
            "profiles": profiles,
            # Overrides the header's own lookup of the same list.
            "account_profiles": profiles,
            "can_add": len(profiles) < settings.MARQUEE_MAX_PROFILES,
            "next": _safe_next(request, ""),
        },
    )


@login_required
@require_POST
def profile_select(request: HttpRequest, pk: int) -> HttpResponse:
    profile = selectors.profile_get_for_account(account=request.user, profile_id=pk)
    services.profile_select(session=request.session, profile=profile)
    return redirect(_safe_next(request, "catalog:home"))


@login_required
@require_http_methods(["GET", "POST"])
def profile_create(request: HttpRequest) -> HttpResponse:
    count = selectors.profile_list(account=request.user).count()
    if count >= settings.MARQUEE_MAX_PROFILES and request.method == "GET":
        messages.error(
            request, f"An account can have at most {settings.MARQUEE_MAX_PROFILES} profiles."
        )
        return redirect("accounts:profile_picker")
    form = ProfileForm(request.POST or None, instance=Profile(account=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.profile_create(account=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"Profile “{profile.name}” created.")
            return redirect("accounts:profile_picker")
    return TemplateResponse(request, "accounts/profile_form.html", {"form": form, "profile": None})


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    profile = selectors.profile_get_for_account(account=request.user, profile_id=pk)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(profile=profile, **form.cleaned_data)
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
def profile_delete(request: HttpRequest, pk: int) -> HttpResponse:
    profile = selectors.profile_get_for_account(account=request.user, profile_id=pk)
    try:
        services.profile_delete(profile=profile)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if request.session.get(services.SESSION_KEY) == pk:
            request.session.pop(services.SESSION_KEY)
        messages.success(request, f"Profile “{profile.name}” deleted.")
    return redirect("accounts:profile_picker")
