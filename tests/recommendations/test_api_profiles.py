"""Who the /me/ endpoints act for: signing in for a token, and choosing a profile."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries
from rest_framework.authtoken.models import Token

from accounts.models import Profile, User
from tests.factories import ListItemFactory, ProfileFactory, TitleFactory

pytestmark = pytest.mark.django_db

ME_LIST = "/api/v1/me/list/"


def token_client(user: User, **headers: str) -> Client:
    token, _created = Token.objects.get_or_create(user=user)
    return Client(headers={"Authorization": f"Token {token.key}", **headers})


class TestToken:
    def test_email_and_password_give_a_token(self, client: Client, alice: User) -> None:
        response = client.post(
            "/api/v1/auth/token/",
            {"email": "Alice@Example.com", "password": "correct horse battery"},
            content_type="application/json",
        )
        assert response.status_code == 200
        assert response.json() == {"token": Token.objects.get(user=alice).key}

    def test_asking_again_gives_the_same_token(self, client: Client, alice: User) -> None:
        body = {"email": "alice@example.com", "password": "correct horse battery"}
        first = client.post("/api/v1/auth/token/", body, content_type="application/json")
        again = client.post("/api/v1/auth/token/", body, content_type="application/json")
        assert first.json() == again.json()

    def test_guessing_is_slowed_down(self, client: Client, alice: User) -> None:
        # Per client address, whatever the e-mail address (each address has its own limit
        # on wrong passwords too: tests/accounts/test_auth.py).
        answers = [
            client.post(
                "/api/v1/auth/token/",
                {"email": f"guess{i}@example.com", "password": "guess"},
                content_type="application/json",
            )
            for i in range(11)
        ]
        assert [a.status_code for a in answers] == [400] * 10 + [429]
        assert "throttled" in answers[-1].json()["detail"]

    def test_a_wrong_password_is_400(self, client: Client, alice: User) -> None:
        response = client.post(
            "/api/v1/auth/token/",
            {"email": "alice@example.com", "password": "wrong"},
            content_type="application/json",
        )
        assert response.status_code == 400
        assert response.json() == {
            "non_field_errors": ["Unable to sign in with that e-mail address and password."]
        }
        assert not Token.objects.exists()

    def test_missing_fields_are_named(self, client: Client) -> None:
        response = client.post("/api/v1/auth/token/", {}, content_type="application/json")
        assert response.json() == {
            "email": ["This field is required."],
            "password": ["This field is required."],
        }

    def test_a_session_without_csrf_token_does_not_block_it(self, alice: User) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(alice)
        response = client.post(
            "/api/v1/auth/token/",
            {"email": "alice@example.com", "password": "correct horse battery"},
            content_type="application/json",
        )
        assert response.status_code == 200

    def test_an_invalid_token_is_refused(self, alice_profile: Profile) -> None:
        client = Client(headers={"Authorization": "Token nope", "X-Marquee-Profile": "1"})
        response = client.get(ME_LIST)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
        assert response.json() == {"detail": "Invalid token."}


class TestProfileChoice:
    def test_unauthenticated_is_401_json(self, client: Client) -> None:
        response = client.get(ME_LIST)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
        assert response.json() == {"detail": "Authentication credentials were not provided."}

    def test_the_session_profile_is_used(
        self, alice_client: Client, alice_profile: Profile
    ) -> None:
        ListItemFactory(profile=alice_profile, title=TitleFactory(name="Arrival"))
        body = alice_client.get(ME_LIST).json()
        assert [row["title"]["slug"] for row in body["results"]] == ["arrival"]

    def test_the_header_takes_precedence_over_the_session(
        self, alice_client: Client, alice: User, alice_profile: Profile
    ) -> None:
        kid = ProfileFactory(account=alice, name="Kid")
        ListItemFactory(profile=alice_profile, title=TitleFactory(name="Arrival"))
        ListItemFactory(profile=kid, title=TitleFactory(name="Paddington"))
        body = alice_client.get(ME_LIST, headers={"X-Marquee-Profile": str(kid.pk)}).json()
        assert [row["title"]["slug"] for row in body["results"]] == ["paddington"]

    def test_another_accounts_profile_is_404(self, alice_client: Client, bob: User) -> None:
        bobs = ProfileFactory(account=bob)
        response = alice_client.get(ME_LIST, headers={"X-Marquee-Profile": str(bobs.pk)})
        assert response.status_code == 404
        assert response.json() == {"detail": "No such profile."}

    def test_writes_to_another_accounts_profile_are_404(
        self, alice_client: Client, bob: User
    ) -> None:
        bobs = ProfileFactory(account=bob)
        TitleFactory(name="Arrival")
        response = alice_client.put(
            f"{ME_LIST}arrival/", headers={"X-Marquee-Profile": str(bobs.pk)}
        )
        assert response.status_code == 404
        assert not bobs.list_items.exists()

    @pytest.mark.parametrize("header", ["me", "1.5", "", "9" * 40])
    def test_a_header_that_is_not_an_id_is_400(self, alice_client: Client, header: str) -> None:
        response = alice_client.get(ME_LIST, headers={"X-Marquee-Profile": header})
        assert response.status_code == 400
        assert response.json() == {"X-Marquee-Profile": ["A profile id is a number."]}

    def test_no_profile_chosen_is_400(self, client: Client, alice: User) -> None:
        client.force_login(alice)
        response = client.get(ME_LIST)
        assert response.status_code == 400
        assert "X-Marquee-Profile" in response.json()["detail"]

    def test_a_token_client_chooses_with_the_header(
        self, alice: User, alice_profile: Profile
    ) -> None:
        ListItemFactory(profile=alice_profile, title=TitleFactory(name="Arrival"))
        client = token_client(alice, **{"X-Marquee-Profile": str(alice_profile.pk)})
        body = client.get(ME_LIST).json()
        assert [row["title"]["slug"] for row in body["results"]] == ["arrival"]

    def test_a_token_client_without_the_header_has_no_profile(
        self, alice: User, alice_profile: Profile
    ) -> None:
        response = token_client(alice).get(ME_LIST)
        assert response.status_code == 400

    def test_a_token_client_cannot_use_another_accounts_profile(
        self, alice: User, bob: User
    ) -> None:
        bobs = ProfileFactory(account=bob)
        response = token_client(alice, **{"X-Marquee-Profile": str(bobs.pk)}).get(ME_LIST)
        assert response.status_code == 404

    def test_the_header_without_signing_in_is_401(
        self, client: Client, alice_profile: Profile
    ) -> None:
        response = client.get(ME_LIST, headers={"X-Marquee-Profile": str(alice_profile.pk)})
        assert response.status_code == 401


class TestProfileList:
    def test_it_lists_the_accounts_profiles_only(
        self, alice: User, alice_profile: Profile, bob: User
    ) -> None:
        ProfileFactory(account=alice, name="Kid", is_kids=True, max_maturity_age=7)
        ProfileFactory(account=bob)
        # No profile is needed to list them: that is how a token client picks one.
        body = token_client(alice).get("/api/v1/me/profiles/").json()
        assert [(p["name"], p["is_kids"]) for p in body["results"]] == [
            ("Alice", False),
            ("Kid", True),
        ]
        assert body["results"][0]["id"] == alice_profile.pk

    def test_it_needs_signing_in(self, client: Client) -> None:
        assert client.get("/api/v1/me/profiles/").status_code == 401

    def test_it_costs_few_queries(
        self, alice: User, alice_profile: Profile, django_assert_num_queries: DjangoAssertNumQueries
    ) -> None:
        for i in range(4):
            ProfileFactory(account=alice, name=f"P{i}")
        client = token_client(alice)
        # 1. the token with its user (TokenAuthentication), 2. count, 3. the page of profiles
        with django_assert_num_queries(3):
            response = client.get("/api/v1/me/profiles/")
        assert response.json()["count"] == 5
