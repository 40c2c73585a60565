from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Profile, RatingScale, User
from tests.factories import ProfileFactory
from tests.helpers import signed_in

pytestmark = pytest.mark.django_db

ACCOUNT = reverse("accounts:account")
RATING_SCALE = reverse("accounts:rating_scale")


def csrf_client(user: User, profile: Profile | None = None) -> Client:
    return signed_in(user, profile, csrf=True)


class TestAccountPage:
    def test_it_shows_the_settings_and_links_to_data_and_deletion(
        self, alice_client: Client
    ) -> None:
        response = alice_client.get(ACCOUNT)
        assert response.status_code == 200
        for text in ("Settings", "Rating scale", "Private session", "Your data", "Danger zone"):
            assert text in response.text
        for name in (
            "profile_data:data_export",
            "profile_data:ratings_csv",
            "profile_data:history_csv",
            "profile_data:ratings_import",
            "accounts:delete",
        ):
            assert f'href="{reverse(name)}"' in response.text
        assert "your place in a title is still kept" in response.text

    def test_without_a_profile_it_offers_the_picker_instead(
        self, client: Client, alice: User, alice_profile: Profile
    ) -> None:
        client.force_login(alice)
        response = client.get(ACCOUNT)
        assert response.status_code == 200
        assert f"{reverse('accounts:profile_picker')}?next=/account/" in response.text
        assert reverse("profile_data:ratings_csv") not in response.text
        assert reverse("profile_data:data_export") in response.text

    def test_it_needs_a_signed_in_account(self, client: Client) -> None:
        response = client.get(ACCOUNT)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))

    def test_it_costs_four_queries_whatever_the_number_of_profiles(
        self,
        alice_client: Client,
        alice: User,
        django_assert_num_queries: Callable[..., Any],
    ) -> None:
        for i in range(3):
            ProfileFactory(account=alice, name=f"Extra {i}")
        # 1. the account with its current profile (accounts.viewer; the session comes from
        #    the cache)
        # 2. the account's profiles, for the page and the header menu alike
        with django_assert_num_queries(2):
            response = alice_client.get(ACCOUNT)
        for profile in alice.profiles.all():
            assert reverse("accounts:profile_edit", args=[profile.pk]) in response.text


class TestRatingScale:
    def test_it_saves_the_rating_scale(self, alice_client: Client, alice: User) -> None:
        response = alice_client.post(RATING_SCALE, {"rating_scale": "thumbs"})
        assert response.status_code == 302
        assert response["Location"] == ACCOUNT
        alice.refresh_from_db()
        assert alice.rating_scale == RatingScale.THUMBS
        page = alice_client.get(ACCOUNT)
        assert "now rate with Thumbs" in page.text
        assert page.context["scale_form"]["rating_scale"].value() == "thumbs"

    def test_it_rejects_an_unknown_scale(self, alice_client: Client, alice: User) -> None:
        response = alice_client.post(RATING_SCALE, {"rating_scale": "emoji"})
        assert response.status_code == 200
        assert "Select a valid choice" in response.text
        alice.refresh_from_db()
        assert alice.rating_scale == RatingScale.STARS

    def test_it_refuses_get(self, alice_client: Client) -> None:
        assert alice_client.get(RATING_SCALE).status_code == 405

    def test_it_refuses_a_post_without_csrf(self, alice: User, alice_profile: Profile) -> None:
        client = csrf_client(alice, alice_profile)
        response = client.post(RATING_SCALE, {"rating_scale": "thumbs"})
        assert response.status_code == 403
        alice.refresh_from_db()
        assert alice.rating_scale == RatingScale.STARS

    def test_the_form_on_the_page_carries_a_csrf_token(
        self, alice: User, alice_profile: Profile
    ) -> None:
        client = csrf_client(alice, alice_profile)
        page = client.get(ACCOUNT)
        token = page.context["csrf_token"]
        response = client.post(
            RATING_SCALE, {"rating_scale": "thumbs", "csrfmiddlewaretoken": str(token)}
        )
        assert response.status_code == 302
        alice.refresh_from_db()
        assert alice.rating_scale == RatingScale.THUMBS
