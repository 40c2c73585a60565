"""Signing the browser in: through the form where signing in or picking a profile is what a
test is about, and otherwise with a session the test makes and hands the browser as its
cookie, which spares each test the login page and the profile picker."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.test import Client
from playwright.sync_api import ConsoleMessage, Page, expect

from accounts.lock import SessionLock
from accounts.models import Profile
from accounts.services import profile_select

# The demo account (`seed_demo`) and the password of every UserFactory user.
DEMO_EMAIL = "demo@marquee.local"
DEMO_PASSWORD = "marquee-demo"
FACTORY_PASSWORD = "correct horse battery"


# The two window sizes pages are checked at: a laptop and a phone.
VIEWPORTS = {"desktop": (1440, 900), "phone": (390, 844)}


@dataclass(frozen=True)
class Window:
    name: str
    width: int
    page: Page
    errors: list[str]  # console errors and uncaught exceptions, as they come


def console_errors(page: Page) -> list[str]:
    """The page's console errors and uncaught exceptions from now on, each with its page."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    return errors


def sign_in_through_the_form(
    page: Page,
    base: str,
    email: str,
    password: str = FACTORY_PASSWORD,
    profile: str | None = None,
) -> None:
    """Sign in on the login page, then, given a `profile`, watch as it from the picker."""
    page.goto(f"{base}/account/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if profile is not None:
        page.get_by_role("button", name=f"Watch as {profile}").click()


def watching_as(
    page: Page, base: str, name: str, email: str = DEMO_EMAIL, *, path: str = "/"
) -> None:
    """Open `path` signed in to `email`'s account, watching as its profile `name`.

    The session is written by the test, as the picker would write it (`profile_select`,
    so a kids profile holds the session; a profile with a PIN raises ProfileLocked), and
    saved through the site's own session engine: the live server runs in this process on
    the same database and cache, so it reads the session the test saved.
    """
    profile = Profile.objects.select_related("account").get(account__email=email, name=name)
    client = Client()
    client.force_login(profile.account)
    # `client.session` is a new store each time it is read: keep one to change and save.
    session = client.session
    profile_select(session=session, lock=SessionLock.read(session, None), profile=profile)
    session.save()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": base}]
    )
    page.goto(base + path)
    # A session the server does not accept shows the login page, or no profile: say so here
    # rather than in whatever the test looks for next.
    expect(page.locator(".header-account .menu-name")).to_have_text(name)
