"""API tokens end with the password they were issued under."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts.models import User
from tests.factories import UserFactory


class UpgradedHasher(MD5PasswordHasher):
    """A preferred hasher other than the suite's, as after a change of PASSWORD_HASHERS."""

    algorithm = "upgraded_md5"


pytestmark = pytest.mark.django_db

PROFILES_URL = "/api/v1/me/profiles/"


def _token(client: Client, password: str = "correct horse battery") -> str:
    response = client.post(
        "/api/v1/auth/token/",
        {"email": "alice@example.com", "password": password},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _status_with(token: str) -> int:
    return Client().get(PROFILES_URL, headers={"Authorization": f"Token {token}"}).status_code


def _refused(token: str) -> bool:
    # Answered like a token that never existed: 401 with the challenge, so a client
    # knows to ask for a new one.
    response = Client().get(PROFILES_URL, headers={"Authorization": f"Token {token}"})
    return (response.status_code, response.json(), response.get("WWW-Authenticate")) == (
        401,
        {"detail": "Invalid token."},
        "Token",
    )


def test_a_token_works_until_the_password_changes(client: Client, alice: User) -> None:
    token = _token(client)
    assert _status_with(token) == 200
    client.force_login(alice)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "correct horse battery",
            "new_password1": "another long secret",
            "new_password2": "another long secret",
        },
    )
    assert response.status_code == 302
    assert _refused(token)
    # The new password gets a new token, which works.
    new_token = _token(Client(), "another long secret")
    assert new_token != token
    assert _status_with(new_token) == 200


def test_a_password_reset_ends_the_token(client: Client, alice: User) -> None:
    token = _token(client)
    client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"})
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a brand new secret", "new_password2": "a brand new secret"},
    )
    assert response.status_code == 302
    assert _refused(token)


def test_a_password_set_in_the_admin_ends_the_token(client: Client, alice: User) -> None:
    token = _token(client)
    curator = UserFactory(email="curator@example.com", is_staff=True, is_superuser=True)
    client.force_login(curator)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[alice.pk]),
        {
            "password1": "set by a curator",
            "password2": "set by a curator",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content
    alice.refresh_from_db()
    assert alice.check_password("set by a curator")
    assert _refused(token)


def test_set_password_ends_the_token(client: Client, alice: User) -> None:
    # The path of `manage.py changepassword` and of any code that sets a password.
    token = _token(client)
    alice.set_password("from the command line")
    alice.save()
    assert not Token.objects.filter(user=alice).exists()
    assert _refused(token)


def test_an_unusable_password_ends_the_token(client: Client, alice: User) -> None:
    token = _token(client)
    alice.set_unusable_password()
    alice.save()
    assert _refused(token)


def test_other_account_changes_keep_the_token(client: Client, alice: User) -> None:
    token = _token(client)
    alice.name = "Alice B"
    alice.save()
    assert _status_with(token) == 200


def test_a_hash_upgrade_at_sign_in_keeps_the_token(
    client: Client, alice: User, settings: Any
) -> None:
    # Django re-hashes a password with the preferred hasher when it checks it; the
    # password is the same, so the token stays.
    token = _token(client)
    settings.PASSWORD_HASHERS = [
        "tests.accounts.test_tokens.UpgradedHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    _token(Client())
    alice.refresh_from_db()
    assert alice.password.startswith("upgraded_md5$")
    assert _status_with(token) == 200


def test_another_accounts_password_change_keeps_the_token(
    client: Client, alice: User, bob: User
) -> None:
    token = _token(client)
    bob.set_password("bob's new secret")
    bob.save()
    assert _status_with(token) == 200
