from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from accounts import limits
from accounts.lock import KIDS_KEY, OPEN, SESSION_KEY, UNLOCKED_KEY, Credential, SessionLock
from accounts.maturity import KIDS_MAX_AGE
from accounts.models import AvatarColor, Profile, User


class ProfileLocked(PermissionDenied):
    """The session is held by a kids profile, or the profile has a PIN: ask first."""


def _sign_in_limits() -> tuple[limits.Limit, limits.Limit]:
    window = settings.MARQUEE_SIGN_IN_WINDOW
    return (
        limits.Limit(
            "sign-in-client",
            settings.MARQUEE_SIGN_IN_CLIENT_FAILURES,
            window,
            "Too many failed sign-ins from your network.",
        ),
        limits.Limit(
            "sign-in-address",
            settings.MARQUEE_SIGN_IN_FAILURES,
            window,
            "Too many failed sign-ins for this address.",
        ),
    )


def sign_in(*, request: HttpRequest | None, email: str, password: str) -> User | None:
    """Check an address and password, with limits on wrong guesses.

    After MARQUEE_SIGN_IN_FAILURES wrong passwords for an address, or
    MARQUEE_SIGN_IN_CLIENT_FAILURES from one client address, within MARQUEE_SIGN_IN_WINDOW
    seconds (counted from the first), sign-in raises LimitReached, on the site and for an
    API token, until the window ends: guessing a password takes years instead of hours.
    Each check takes its slot before the password is checked, so parallel guesses get no
    more checks than sequential ones. A right password clears the address's count and
    gives back the client's slot, but does not clear the client's count: signing in to
    one's own account must not reset a guesser's.
    """
    client_limit, address_limit = _sign_in_limits()
    client = limits.client_address(request) if request is not None else ""
    checks = [(address_limit, email)]
    if client:
        checks.insert(0, (client_limit, client))
    limits.attempts_take(*checks)
    user = authenticate(request, email=email, password=password)
    if user is not None:
        limits.attempts_clear(limit=address_limit, who=email)
        if client:
            limits.attempt_give_back(limit=client_limit, who=client)
    return user


def sign_up_attempt(*, request: HttpRequest, email: str) -> None:
    """Count a sign-up for the client and for the address; LimitReached past the limits.

    Checked before the address is looked up: "an account with this address exists" tells
    who has an account, so probing costs time like guessing passwords does.
    """
    window = settings.MARQUEE_SIGN_UP_WINDOW
    limits.attempts_take(
        (
            limits.Limit(
                "sign-up-client",
                settings.MARQUEE_SIGN_UP_PER_CLIENT,
                window,
                "Too many sign-ups from your network.",
            ),
            limits.client_address(request),
        ),
        (
            limits.Limit(
                "sign-up-address",
                settings.MARQUEE_SIGN_UP_PER_ADDRESS,
                window,
                "Too many sign-ups for this address.",
            ),
            email,
        ),
    )


def password_reset_attempt(*, request: HttpRequest, email: str) -> None:
    """Count a password-reset request for the client and the address, whether or not an
    account uses it (so the answer says nothing about that); LimitReached past the limits.
    """
    window = settings.MARQUEE_PASSWORD_RESET_WINDOW
    limits.attempts_take(
        (
            limits.Limit(
                "password-reset-client",
                settings.MARQUEE_PASSWORD_RESET_PER_CLIENT,
                window,
                "Too many reset requests from your network.",
            ),
            limits.client_address(request),
        ),
        (
            limits.Limit(
                "password-reset-address",
                settings.MARQUEE_PASSWORD_RESET_PER_ADDRESS,
                window,
                "Too many reset requests for this address.",
            ),
            email,
        ),
    )


def _pin_limits() -> tuple[limits.Limit, limits.Limit]:
    window = settings.MARQUEE_PIN_WINDOW
    return (
        limits.Limit(
            "pin-client",
            settings.MARQUEE_PIN_CLIENT_FAILURES,
            window,
            "Too many wrong PINs from your network.",
        ),
        limits.Limit(
            "pin-profile",
            settings.MARQUEE_PIN_FAILURES,
            window,
            "Too many wrong PINs for this profile.",
        ),
    )


def profile_pin_check(*, request: HttpRequest, profile: Profile, pin: str) -> bool:
    """Whether `pin` is the profile's PIN, with limits on wrong guesses.

    After MARQUEE_PIN_FAILURES wrong PINs for a profile, or MARQUEE_PIN_CLIENT_FAILURES from
    one client address (any profiles), within MARQUEE_PIN_WINDOW seconds, raises
    LimitReached until the window ends: at 5 tries per 15 minutes, the 10,000 PINs take
    weeks. The slots are taken before the PIN is checked, as for sign-in, so parallel
    guesses get no more checks than sequential ones. A right PIN clears the profile's count
    and gives back the client's slot.
    """
    client_limit, profile_limit = _pin_limits()
    client = limits.client_address(request)
    limits.attempts_take((client_limit, client), (profile_limit, str(profile.pk)))
    if not profile.check_pin(pin):
        return False
    limits.attempts_clear(limit=profile_limit, who=str(profile.pk))
    limits.attempt_give_back(limit=client_limit, who=client)
    return True


def _password_check(*, request: HttpRequest, password: str) -> None:
    # The sign-in check and its limits: the form is one more place to guess the password.
    account = request.user
    user = sign_in(request=request, email=account.email, password=password)
    if user is None or user.pk != account.pk:
        raise ValidationError(
            {"password": "That is not the account’s password."}, code="password_incorrect"
        )


def _require_account_holder(by: SessionLock) -> None:
    # Services check it too, not only the pages: whatever calls them on a session's behalf
    # cannot let a kids profile change limits or add profiles.
    if by.to_manage() is not Credential.NONE:
        raise ProfileLocked("A kids profile cannot change profiles. Enter the account’s password.")


def _profile_validate(profile: Profile) -> None:
    if profile.is_kids and profile.max_maturity_age > KIDS_MAX_AGE:
        profile.max_maturity_age = KIDS_MAX_AGE
    profile.full_clean(exclude=["account"], validate_unique=False, validate_constraints=False)


@transaction.atomic
def profile_create(
    *,
    account: User,
    name: str,
    avatar_color: str | None = None,
    language: str = "en",
    is_kids: bool = False,
    max_maturity_age: int | None = None,
    pin: str | None = None,
    by: SessionLock = OPEN,
) -> Profile:
    """Create a profile, at most MARQUEE_MAX_PROFILES per account.

    `by` is the lock of the session asking; a session held by a kids profile is refused
    (ProfileLocked). Sign-up and commands act for the account itself (the default).
    The account row is locked so that two simultaneous requests cannot both pass the limit.
    """
    _require_account_holder(by)
    User.objects.select_for_update().filter(pk=account.pk).first()
    existing = Profile.objects.filter(account=account)
    if existing.count() >= settings.MARQUEE_MAX_PROFILES:
        raise ValidationError(
            f"An account can have at most {settings.MARQUEE_MAX_PROFILES} profiles.",
            code="too_many_profiles",
        )
    if existing.filter(name__iexact=name.strip()).exists():
        raise ValidationError({"name": "Another profile in this account has that name."})
    if avatar_color is None:
        used = set(existing.values_list("avatar_color", flat=True))
        avatar_color = next((c for c in AvatarColor.values if c not in used), AvatarColor.RED)
    if max_maturity_age is None:
        max_maturity_age = KIDS_MAX_AGE if is_kids else 18
    profile = Profile(
        account=account,
        name=name.strip(),
        avatar_color=avatar_color,
        language=language,
        is_kids=is_kids,
        max_maturity_age=max_maturity_age,
    )
    profile.set_pin(pin)
    _profile_validate(profile)
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError:
        raise ValidationError({"name": "Another profile in this account has that name."}) from None
    return profile


@transaction.atomic
def profile_update(*, profile: Profile, by: SessionLock, **fields: object) -> Profile:
    """Change a profile's settings; `pin` sets its PIN, or removes it when None or "".

    Refused (ProfileLocked) when `by`, the asking session's lock, is held by a kids
    profile: a kids profile never lifts its own limit or PIN.
    """
    allowed = {"name", "avatar_color", "language", "is_kids", "max_maturity_age", "pin"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Cannot update {', '.join(sorted(unknown))}.")
    _require_account_holder(by)
    if "pin" in fields:
        pin = fields.pop("pin")
        profile.set_pin(str(pin) if pin else None)
    for field, value in fields.items():
        setattr(profile, field, value.strip() if isinstance(value, str) else value)
    clash = (
        Profile.objects.filter(account_id=profile.account_id, name__iexact=profile.name)
        .exclude(pk=profile.pk)
        .exists()
    )
    if clash:
        raise ValidationError({"name": "Another profile in this account has that name."})
    _profile_validate(profile)
    profile.save()
    return profile


@transaction.atomic
def profile_delete(*, profile: Profile, by: SessionLock) -> None:
    _require_account_holder(by)
    if not Profile.objects.filter(account_id=profile.account_id).exclude(pk=profile.pk).exists():
        raise ValidationError("An account keeps at least one profile.", code="last_profile")
    profile.delete()


@transaction.atomic
def account_create(*, email: str, password: str, name: str = "") -> User:
    """Sign-up: the account and its first profile, named after the person."""
    user = User.objects.create_user(email=email, password=password, name=name)
    profile_create(account=user, name=name.strip() or user.get_short_name()[:40])
    return user


@transaction.atomic
def account_delete(*, account: User) -> None:
    """Delete the account and, by CASCADE, its profiles and every row they own.

    That includes ratings, lists, refusals, the watch log and progress, and the API token.
    Sessions are not searched (the session table is not indexed by user): a session of a
    deleted user no longer authenticates, and the view flushes the current one.
    """
    User.objects.filter(pk=account.pk).delete()


def _enter(session: SessionBase, profile: Profile, *, unlocked: bool) -> None:
    # Whole values assigned, never a stored list changed in place: a session saves only
    # what it saw assigned, whichever engine keeps it.
    session[SESSION_KEY] = profile.pk
    if profile.is_kids:
        # The screen goes to a child: forget every unlock, hold the session.
        session[KIDS_KEY] = True
        session.pop(UNLOCKED_KEY, None)
        return
    session.pop(KIDS_KEY, None)
    if unlocked and profile.has_pin:
        remembered = [pk for pk in session.get(UNLOCKED_KEY) or [] if pk != profile.pk]
        session[UNLOCKED_KEY] = [*remembered, profile.pk]


def profile_select(*, session: SessionBase, lock: SessionLock, profile: Profile) -> None:
    """Watch as `profile` in this session; ProfileLocked when it asks for a PIN or the
    password first (`lock.to_enter`, then `profile_unlock`)."""
    if lock.to_enter(profile) is not Credential.NONE:
        raise ProfileLocked(f"{profile.name} is locked.")
    _enter(session, profile, unlocked=False)


def profile_unlock(
    *, request: HttpRequest, lock: SessionLock, profile: Profile, pin: str, password: str
) -> None:
    """Watch as `profile`, given its PIN or the account's password when the lock asks.

    Raises ValidationError (by field) for a wrong or missing one, LimitReached after too
    many wrong ones. The unlock is remembered in the session until it ends or enters a
    kids profile.
    """
    needed = lock.to_enter(profile)
    if needed is not Credential.NONE:
        if pin and needed is Credential.PIN_OR_PASSWORD:
            if not profile_pin_check(request=request, profile=profile, pin=pin):
                raise ValidationError({"pin": "That PIN is not right."}, code="pin_incorrect")
        elif password:
            _password_check(request=request, password=password)
        elif needed is Credential.PIN_OR_PASSWORD:
            raise ValidationError(
                f"Enter {profile.name}’s PIN or the account’s password.", code="required"
            )
        else:
            raise ValidationError({"password": "Enter the account’s password."}, code="required")
    _enter(request.session, profile, unlocked=needed is not Credential.NONE)


def kids_lock_leave(*, request: HttpRequest, password: str) -> None:
    """Let the session out of its kids profile, to the account's pages, with the password.

    The session leaves the kids profile too (no profile is chosen): titles then wait
    for the picker, and choosing the kids profile again holds the session again.
    Raises ValidationError for a wrong password, LimitReached after too many.
    """
    _password_check(request=request, password=password)
    for key in (SESSION_KEY, KIDS_KEY, UNLOCKED_KEY):
        request.session.pop(key, None)


DEMO_VIEWER_EMAIL = "demo@marquee.local"
DEMO_CURATOR_EMAIL = "curator@marquee.local"
DEMO_PASSWORD = "marquee-demo"
DEMO_PROFILES = [("Ana", False), ("Ben", False), ("Kids", True)]


@transaction.atomic
def demo_accounts_ensure() -> tuple[User, User]:
    """The demo viewer (three profiles, one for kids) and a curator for the admin.

    Created once; an existing account keeps whatever password its owner set.
    """
    viewer = User.objects.filter(email=DEMO_VIEWER_EMAIL).first()
    if viewer is None:
        viewer = User.objects.create_user(DEMO_VIEWER_EMAIL, DEMO_PASSWORD, name="Demo household")
        for name, is_kids in DEMO_PROFILES:
            profile_create(account=viewer, name=name, is_kids=is_kids)
    curator = User.objects.filter(email=DEMO_CURATOR_EMAIL).first()
    if curator is None:
        curator = User.objects.create_superuser(DEMO_CURATOR_EMAIL, DEMO_PASSWORD, name="Curator")
        profile_create(account=curator, name="Curator")
    return viewer, curator
