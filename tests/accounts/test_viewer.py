"""The account and its chosen profile, read in one query (accounts.viewer), with Django's
own checks of the session still in force."""

from __future__ import annotations

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Profile, User
from accounts.viewer import BACKEND, DJANGO_BACKEND
from tests.factories import ProfileFactory
from tests.helpers import watch_as

pytestmark = pytest.mark.django_db

PAGE = "/me/list/"


def _queries_of(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def _reading(sqls: list[str], table: str) -> list[str]:
    return [sql for sql in sqls if f'FROM "{table}"' in sql]


def test_account_and_profile_are_one_query(alice_client: Client, alice_profile: Profile) -> None:
    sqls = _queries_of(alice_client, PAGE)
    # The header's profile switcher lists the account's profiles: that is another read.
    (viewer,) = [sql for sql in _reading(sqls, "accounts_profile") if '"id" = ' in sql]
    assert 'JOIN "accounts_user"' in viewer
    assert _reading(sqls, "accounts_user") == []


def test_a_changed_password_still_ends_other_sessions(alice_client: Client, alice: User) -> None:
    alice.set_password("a new one, set elsewhere")
    alice.save()
    response = alice_client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_deactivated_account_is_no_one(alice_client: Client, alice: User) -> None:
    User.objects.filter(pk=alice.pk).update(is_active=False)
    response = alice_client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_session_of_django_s_backend_stays_signed_in(
    alice_client: Client, alice_profile: Profile
) -> None:
    session = alice_client.session
    session[BACKEND_SESSION_KEY] = DJANGO_BACKEND
    session.save()
    assert alice_client.get(PAGE).status_code == 200
    assert alice_client.session[BACKEND_SESSION_KEY] == BACKEND


def test_another_account_s_profile_in_the_session_is_not_used(
    alice_client: Client, bob: User
) -> None:
    watch_as(alice_client, ProfileFactory(account=bob, name="Bob"))
    response = alice_client.get(PAGE)
    # Signed in as Alice, with no profile chosen: the picker, never Bob's list.
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:profile_picker"))
