from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from accounts.lock import OPEN
from accounts.models import Profile, User
from accounts.services import SESSION_KEY, profile_create, profile_delete, profile_update
from tests.factories import ProfileFactory
from tests.helpers import watch_as

pytestmark = pytest.mark.django_db


class TestProfileLimits:
    def test_it_allows_five_profiles(self, alice: User) -> None:
        for i in range(5):
            profile_create(account=alice, name=f"P{i}")
        assert alice.profiles.count() == 5

    def test_it_rejects_a_sixth_profile(self, alice: User) -> None:
        for i in range(5):
            profile_create(account=alice, name=f"P{i}")
        with pytest.raises(ValidationError, match="at most 5"):
            profile_create(account=alice, name="Six")
        assert alice.profiles.count() == 5

    def test_the_add_page_refuses_a_sixth_profile(self, alice_client: Client, alice: User) -> None:
        for i in range(4):
            profile_create(account=alice, name=f"P{i}")
        response = alice_client.post(
            reverse("accounts:profile_create"),
            {"name": "Six", "avatar_color": "#2bb673", "language": "en", "max_maturity_age": 18},
        )
        assert response.status_code == 200
        assert "at most 5 profiles" in response.text
        assert alice.profiles.count() == 5

    def test_names_are_unique_per_account_ignoring_case(self, alice: User, bob: User) -> None:
        profile_create(account=alice, name="Sam")
        profile_create(account=bob, name="Sam")
        with pytest.raises(ValidationError):
            profile_create(account=alice, name="sam")

    def test_the_database_refuses_duplicate_names(self, alice: User) -> None:
        ProfileFactory(account=alice, name="Sam")
        with pytest.raises(IntegrityError), transaction.atomic():
            ProfileFactory(account=alice, name="SAM")

    def test_the_last_profile_cannot_be_deleted(self, alice_profile: Profile) -> None:
        with pytest.raises(ValidationError):
            profile_delete(profile=alice_profile, by=OPEN)


class TestKidsFlag:
    def test_a_kids_profile_is_capped_at_twelve(self, alice: User) -> None:
        kid = profile_create(account=alice, name="Kid", is_kids=True, max_maturity_age=18)
        assert kid.max_maturity_age == 12

    def test_the_database_refuses_an_adult_limit_on_a_kids_profile(self, alice: User) -> None:
        with pytest.raises(IntegrityError), transaction.atomic():
            Profile.objects.create(account=alice, name="Kid", is_kids=True, max_maturity_age=18)

    def test_the_form_explains_the_limit(self, alice_client: Client, alice: User) -> None:
        response = alice_client.post(
            reverse("accounts:profile_create"),
            {
                "name": "Kid",
                "avatar_color": "#2bb673",
                "language": "en",
                "is_kids": "on",
                "max_maturity_age": 18,
            },
        )
        assert response.status_code == 200
        assert "up to 12+" in response.text
        assert not alice.profiles.filter(name="Kid").exists()

    def test_editing_a_profile_into_kids_lowers_its_limit(self, alice_profile: Profile) -> None:
        profile_update(profile=alice_profile, by=OPEN, is_kids=True)
        alice_profile.refresh_from_db()
        assert alice_profile.max_maturity_age == 12


class TestSwitching:
    def test_login_leads_to_the_picker(self, client: Client, alice_profile: Profile) -> None:
        response = client.post(
            reverse("accounts:login"),
            {"username": "ALICE@example.com", "password": "correct horse battery"},
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:profile_picker")
        picker = client.get(response["Location"])
        assert "Who’s watching?" in picker.text
        assert "Alice" in picker.text

    def test_selecting_a_profile_keeps_it_in_the_session(
        self, client: Client, alice: User, alice_profile: Profile
    ) -> None:
        client.force_login(alice)
        response = client.post(reverse("accounts:profile_select", args=[alice_profile.pk]))
        assert response.status_code == 302
        assert client.session[SESSION_KEY] == alice_profile.pk
        home = client.get(reverse("recommendations:home"), follow=True)
        assert "Alice" in home.text
        assert "Pick 3 or more titles" in home.text

    def test_switching_from_the_header_returns_to_the_page(
        self, alice_client: Client, alice: User
    ) -> None:
        other = profile_create(account=alice, name="Theo")
        response = alice_client.post(
            reverse("accounts:profile_select", args=[other.pk]), {"next": "/browse/"}
        )
        assert response["Location"] == "/browse/"
        assert alice_client.session[SESSION_KEY] == other.pk

    def test_switching_refuses_an_outside_redirect(self, alice_client: Client, alice: User) -> None:
        other = profile_create(account=alice, name="Theo")
        response = alice_client.post(
            reverse("accounts:profile_select", args=[other.pk]), {"next": "https://evil.example/"}
        )
        assert response["Location"] == reverse("recommendations:home")

    def test_another_accounts_profile_is_404(self, alice_client: Client, bob: User) -> None:
        bobs = ProfileFactory(account=bob)
        assert (
            alice_client.post(reverse("accounts:profile_select", args=[bobs.pk])).status_code == 404
        )
        assert alice_client.get(reverse("accounts:profile_edit", args=[bobs.pk])).status_code == 404
        assert (
            alice_client.post(reverse("accounts:profile_delete", args=[bobs.pk])).status_code == 404
        )
        assert Profile.objects.filter(pk=bobs.pk).exists()

    def test_a_forged_session_profile_is_ignored(
        self, client: Client, alice: User, bob: User
    ) -> None:
        bobs = ProfileFactory(account=bob, name="Bobby")
        client.force_login(alice)
        watch_as(client, bobs)
        response = client.get(reverse("recommendations:home"))
        assert "Bobby" not in response.text

    def test_selecting_needs_post_and_csrf(self, alice: User, alice_profile: Profile) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(alice)
        url = reverse("accounts:profile_select", args=[alice_profile.pk])
        assert client.get(url).status_code == 405
        assert client.post(url).status_code == 403


class TestProfilePages:
    def test_creating_a_profile(self, alice_client: Client, alice: User) -> None:
        response = alice_client.post(
            reverse("accounts:profile_create"),
            {"name": "Theo", "avatar_color": "#2bb673", "language": "fr", "max_maturity_age": 16},
        )
        assert response.status_code == 302
        theo = alice.profiles.get(name="Theo")
        assert (theo.language, theo.max_maturity_age) == ("fr", 16)

    def test_editing_a_profile(self, alice_client: Client, alice_profile: Profile) -> None:
        response = alice_client.post(
            reverse("accounts:profile_edit", args=[alice_profile.pk]),
            {"name": "Ali", "avatar_color": "#3d7eff", "language": "en", "max_maturity_age": 18},
        )
        assert response.status_code == 302
        alice_profile.refresh_from_db()
        assert alice_profile.name == "Ali"

    def test_deleting_a_profile(self, alice_client: Client, alice: User) -> None:
        other = profile_create(account=alice, name="Theo")
        alice_client.post(reverse("accounts:profile_delete", args=[other.pk]))
        assert not Profile.objects.filter(pk=other.pk).exists()

    def test_pages_need_sign_in(self, client: Client) -> None:
        response = client.get(reverse("accounts:profile_picker"))
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]

    def test_picker_query_count(
        self, alice_client: Client, alice: User, django_assert_num_queries: object
    ) -> None:
        for i in range(4):
            profile_create(account=alice, name=f"P{i}")
        # 1. the account with its current profile (accounts.viewer; the session comes from
        # the cache), 2. the account's profiles
        with django_assert_num_queries(2):
            alice_client.get(reverse("accounts:profile_picker"))
