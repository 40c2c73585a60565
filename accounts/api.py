"""API of accounts: tokens for clients, the account's profiles, and which profile a request
acts as (shared by the catalogue and the /me/ endpoints)."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from accounts import selectors
from accounts.limits import LimitReached
from accounts.lock import Credential
from accounts.models import Profile
from accounts.services import sign_in
from config.parsers import JSONParser

PROFILE_HEADER = "X-Marquee-Profile"

PROFILE_PARAMETER = OpenApiParameter(
    PROFILE_HEADER,
    int,
    OpenApiParameter.HEADER,
    description="The profile to act as (see /api/v1/me/profiles/); without it, the profile "
    "chosen in the site's session. With a token any of the account's profiles (the token "
    "stands for the password); in a site session only those it may enter without asking "
    "for a PIN or the password (403 otherwise: the kids lock).",
)

_UNRESOLVED = object()


class Locked(exceptions.APIException):
    """Too many wrong passwords for the address or from the client (services.sign_in)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "sign_in_locked"

    def __init__(self, exc: LimitReached) -> None:
        super().__init__(str(exc))
        # DRF's exception handler sends it as Retry-After.
        self.wait = exc.seconds


class ProfileLocked(exceptions.PermissionDenied):
    default_detail = (
        "This profile is locked for this session: choose it on the site with its PIN or "
        "the account's password, or use an API token."
    )
    default_code = "profile_locked"


class ProfileRequired(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = (
        f"Choose a profile: send the {PROFILE_HEADER} header with the id of one of "
        "your profiles (GET /api/v1/me/profiles/), or pick one on the site."
    )
    default_code = "profile_required"


def _resolve_profile(request: Request) -> Profile | None:
    header = request.headers.get(PROFILE_HEADER)
    if header is not None:
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated(f"Sign in to choose a profile with {PROFILE_HEADER}.")
        if not re.fullmatch(r"[0-9]{1,18}", header.strip()):
            raise exceptions.ValidationError({PROFILE_HEADER: ["A profile id is a number."]})
        try:
            profile = selectors.profile_get_for_account(
                account=request.user, profile_id=int(header)
            )
        except Http404:
            # Another account's id answers like a missing one, so ids do not leak.
            raise exceptions.NotFound("No such profile.") from None
        # A site session keeps its kids lock here too: the header is not a way out of a
        # kids profile, nor into a profile with a PIN.
        if _by_session(request) and (
            request._request.profile_lock.to_enter(profile) is not Credential.NONE
        ):
            raise ProfileLocked()
        return profile
    # CurrentProfileMiddleware read the session before DRF authenticated the request; a
    # token request is anonymous to it, so only trust its profile for the same user.
    profile = getattr(request._request, "profile", None)
    if profile is not None and profile.account_id == request.user.pk:
        return profile
    if _by_session(request):
        # As on the site, where the picker comes first: a signed-in session shows no
        # title before it chose a profile. A token without the header acts as the
        # account (it stands for the password), with no maturity limit.
        raise ProfileRequired()
    return None


def _by_session(request: Request) -> bool:
    return isinstance(request.successful_authenticator, SessionAuthentication)


def request_profile(request: Request) -> Profile | None:
    """The profile this request acts as: the header's, else the session's, else None
    (anonymous, or a token acting as the account).

    Raises 404 for an id that is not one of the account's profiles, 403 for a profile the
    session's kids lock or the profile's PIN keeps it from, 400 for a signed-in session
    that has not chosen a profile.
    """
    # Views may ask more than once (a filter and the serializer); one query per request.
    cached = getattr(request, "_marquee_profile", _UNRESOLVED)
    if cached is _UNRESOLVED:
        cached = _resolve_profile(request)
        request._marquee_profile = cached
    return cached


def current_profile(request: Request) -> Profile:
    """Like `request_profile`, but a profile is required: 400 when none is chosen."""
    profile = request_profile(request)
    if profile is None:
        raise ProfileRequired()
    return profile


class TokenObtainApi(ObtainAuthToken):
    """Exchange an e-mail address and password for the account's API token."""

    # Credentials travel in the body: a session (and its CSRF check) has no say here.
    authentication_classes: list[type] = []
    parser_classes = [JSONParser]
    # Guessing passwords costs time: a few tries a minute per client address.
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth-token"

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(write_only=True)
        password = serializers.CharField(
            write_only=True, trim_whitespace=False, style={"input_type": "password"}
        )

        class Meta:
            ref_name = "TokenRequest"

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            try:
                user = sign_in(
                    request=self.context.get("request"),
                    email=attrs["email"],
                    password=attrs["password"],
                )
            except LimitReached as exc:
                raise Locked(exc) from exc
            if user is None:
                raise serializers.ValidationError(
                    "Unable to sign in with that e-mail address and password.",
                    code="authorization",
                )
            attrs["user"] = user
            return attrs

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()

        class Meta:
            ref_name = "Token"

    serializer_class = InputSerializer

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)


class ProfileListApi(generics.ListAPIView):
    """The signed-in account's profiles, to choose one with the X-Marquee-Profile header."""

    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.ModelSerializer):
        has_pin = serializers.BooleanField(
            read_only=True, help_text="Whether the site asks for the profile's PIN to enter it."
        )

        class Meta:
            model = Profile
            ref_name = "Profile"
            fields = [
                "id",
                "name",
                "avatar_color",
                "language",
                "is_kids",
                "max_maturity_age",
                "has_pin",
            ]

    serializer_class = OutputSerializer

    def get_queryset(self) -> QuerySet[Profile]:
        return selectors.profile_list(account=self.request.user)
