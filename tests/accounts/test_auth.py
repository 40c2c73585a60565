from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts import limits, services
from accounts.models import User

pytestmark = pytest.mark.django_db


def test_signup_creates_an_account_with_a_first_profile(client: Client) -> None:
    response = client.post(
        reverse("accounts:signup"),
        {"name": "Dana", "email": "Dana@Example.com", "password": "a long enough secret"},
    )
    assert response.status_code == 302
    user = User.objects.get(email="dana@example.com")
    assert [p.name for p in user.profiles.all()] == ["Dana"]
    # A new profile first picks a few titles it likes (or skips), then lands home.
    assert client.get(reverse("recommendations:home"))["Location"] == reverse(
        "recommendations:onboarding"
    )
    client.post(reverse("recommendations:onboarding"), {"skip": "1"})
    assert (
        "Welcome, Dana" in client.get(reverse("recommendations:home")).text
    )  # nothing watched yet


def test_signup_rejects_a_taken_address(client: Client, alice: User) -> None:
    response = client.post(
        reverse("accounts:signup"),
        {"name": "A", "email": "ALICE@example.com", "password": "a long enough secret"},
    )
    assert response.status_code == 200
    assert "An account with this address exists" in response.text


def test_signup_rejects_a_weak_password(client: Client) -> None:
    response = client.post(
        reverse("accounts:signup"), {"name": "Eve", "email": "eve@example.com", "password": "123"}
    )
    assert response.status_code == 200
    assert "too short" in response.text
    assert not User.objects.filter(email="eve@example.com").exists()


def test_login_with_a_wrong_password_is_a_form_error(client: Client, alice: User) -> None:
    response = client.post(
        reverse("accounts:login"), {"username": "alice@example.com", "password": "nope"}
    )
    assert response.status_code == 200
    assert "correct e-mail address and password" in response.text


def test_logout(alice_client: Client) -> None:
    response = alice_client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in alice_client.session


def test_password_change(alice_client: Client, alice: User) -> None:
    response = alice_client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "correct horse battery",
            "new_password1": "another long secret",
            "new_password2": "another long secret",
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("another long secret")


def test_password_reset_by_email(client: Client, alice: User) -> None:
    client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.text
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a brand new secret", "new_password2": "a brand new secret"},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("a brand new secret")


def test_account_page_updates_name_and_email(alice_client: Client, alice: User) -> None:
    response = alice_client.post(
        reverse("accounts:account"), {"name": "Alice B", "email": "alice.b@example.com"}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.name, alice.email) == ("Alice B", "alice.b@example.com")


def test_emails_are_unique_ignoring_case(alice: User) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="Alice@Example.com")


class TestWrongPasswordLimit:
    @pytest.fixture(autouse=True)
    def _limit(self, settings: Any) -> None:
        settings.MARQUEE_SIGN_IN_FAILURES = 3
        settings.MARQUEE_SIGN_IN_WINDOW = 600

    def _login(self, client: Client, password: str, email: str = "alice@example.com") -> Any:
        return client.post(reverse("accounts:login"), {"username": email, "password": password})

    def test_the_address_waits_after_too_many_wrong_passwords(
        self, client: Client, alice: User
    ) -> None:
        for _ in range(3):
            assert "correct e-mail address and password" in self._login(client, "nope").text
        # Even the right password waits now, with the reason and the time to wait.
        locked = self._login(client, "correct horse battery")
        assert locked.status_code == 200
        assert "Too many failed sign-ins for this address. Try again in 10 minutes." in locked.text
        assert "_auth_user_id" not in client.session
        # Other addresses are not affected; the count is per address, in any letter case.
        assert self._login(client, "nope", "ALICE@example.com").status_code == 200
        assert "Too many failed" not in self._login(client, "x", "bob@example.com").text

    def test_the_window_ends(self, client: Client, alice: User, monkeypatch: Any) -> None:
        for _ in range(3):
            self._login(client, "nope")
        later = time.time() + 601
        monkeypatch.setattr(limits.time, "time", lambda: later)
        _, address_limit = services._sign_in_limits()
        # As the cache expires the count at the end of its window.
        limits.attempts_clear(limit=address_limit, who="alice@example.com")
        assert self._login(client, "correct horse battery").status_code == 302

    def test_a_right_password_clears_the_count(self, client: Client, alice: User) -> None:
        for _ in range(2):
            self._login(client, "nope")
        assert self._login(client, "correct horse battery").status_code == 302
        client.logout()
        for _ in range(2):
            self._login(client, "nope")
        assert self._login(client, "correct horse battery").status_code == 302

    def test_the_api_shares_the_count_and_says_429(self, client: Client, alice: User) -> None:
        url = "/api/v1/auth/token/"
        body = {"email": "alice@example.com", "password": "nope"}
        for _ in range(2):
            assert client.post(url, body, content_type="application/json").status_code == 400
        self._login(client, "nope")
        body["password"] = "correct horse battery"
        locked = client.post(url, body, content_type="application/json")
        assert locked.status_code == 429
        assert locked.json()["detail"].startswith("Too many failed sign-ins")
