"""The private-session switch on the account page and in the header menu."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Profile, User
from tests.factories import ProfileFactory
from tests.helpers import signed_in

pytestmark = pytest.mark.django_db

ACCOUNT = reverse("accounts:account")
PRIVATE_SESSION = reverse("profile_data:private_session")


def csrf_client(user: User, profile: Profile | None = None) -> Client:
    return signed_in(user, profile, csrf=True)


class TestPrivateSession:
    def test_it_turns_the_private_session_on(
        self, alice_client: Client, alice_profile: Profile
    ) -> None:
        response = alice_client.post(PRIVATE_SESSION, {"enabled": "on"})
        assert response.status_code == 302
        assert response["Location"] == ACCOUNT
        alice_profile.refresh_from_db()
        assert alice_profile.private_session
        page = alice_client.get(ACCOUNT)
        assert "Private session on for Alice" in page.text
        assert "Turn off private session" in page.text

    def test_it_turns_the_private_session_off(
        self, alice_client: Client, alice_profile: Profile
    ) -> None:
        alice_profile.private_session = True
        alice_profile.save()
        alice_client.post(PRIVATE_SESSION, {"enabled": "off"})
        alice_profile.refresh_from_db()
        assert not alice_profile.private_session

    def test_it_changes_only_the_current_profile(
        self, alice_client: Client, alice: User, alice_profile: Profile
    ) -> None:
        other = ProfileFactory(account=alice, name="Sam")
        alice_client.post(PRIVATE_SESSION, {"enabled": "on"})
        other.refresh_from_db()
        assert not other.private_session

    def test_it_ignores_a_value_that_is_neither_on_nor_off(
        self, alice_client: Client, alice_profile: Profile
    ) -> None:
        alice_profile.private_session = True
        alice_profile.save()
        response = alice_client.post(PRIVATE_SESSION, {})
        assert response.status_code == 302
        alice_profile.refresh_from_db()
        assert alice_profile.private_session
        assert "on or off" in alice_client.get(ACCOUNT).text

    def test_without_a_profile_it_sends_the_viewer_to_the_picker(
        self, client: Client, alice: User, alice_profile: Profile
    ) -> None:
        client.force_login(alice)
        # The POST cannot be replayed: after choosing, the picker returns to the form's page.
        response = client.post(
            PRIVATE_SESSION, {"enabled": "on"}, headers={"Referer": "http://testserver/account/"}
        )
        assert response.status_code == 302
        assert response["Location"] == (
            f"{reverse('accounts:profile_picker')}?next=http%3A%2F%2Ftestserver%2Faccount%2F"
        )
        alice_profile.refresh_from_db()
        assert not alice_profile.private_session

    def test_it_refuses_a_post_without_csrf(self, alice: User, alice_profile: Profile) -> None:
        client = csrf_client(alice, alice_profile)
        assert client.post(PRIVATE_SESSION, {"enabled": "on"}).status_code == 403
        alice_profile.refresh_from_db()
        assert not alice_profile.private_session

    def test_it_returns_to_a_safe_next_page_only(
        self, alice_client: Client, alice_profile: Profile
    ) -> None:
        response = alice_client.post(PRIVATE_SESSION, {"enabled": "on", "next": "/browse/"})
        assert response["Location"] == "/browse/"
        response = alice_client.post(
            PRIVATE_SESSION, {"enabled": "off", "next": "https://evil.example/"}
        )
        assert response["Location"] == ACCOUNT
