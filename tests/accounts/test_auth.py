from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

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
    assert client.get(reverse("catalog:home"))["Location"] == reverse("recommendations:onboarding")
    client.post(reverse("recommendations:onboarding"), {"skip": "1"})
    assert "Welcome back, Dana" in client.get(reverse("catalog:home")).text


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
