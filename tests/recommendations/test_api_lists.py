"""My List and "not interested"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from accounts.models import Profile
from recommendations.models import ListItem, NotInterested
from tests.factories import ListItemFactory, ProfileFactory, TitleFactory

pytestmark = pytest.mark.django_db


class TestMyList:
    def test_put_adds_and_is_idempotent(self, alice_client: Client, alice_profile: Profile) -> None:
        TitleFactory(name="Arrival")
        first = alice_client.put("/api/v1/me/list/arrival/")
        again = alice_client.put("/api/v1/me/list/arrival/")
        assert (first.status_code, again.status_code) == (200, 200)
        assert again.json()["title"]["slug"] == "arrival"
        assert ListItem.objects.filter(profile=alice_profile).count() == 1

    def test_put_of_an_unknown_title_is_404(self, alice_client: Client) -> None:
        response = alice_client.put("/api/v1/me/list/nothing-here/")
        assert response.status_code == 404
        assert response.json() == {"detail": "No such title."}

    def test_put_above_the_maturity_limit_is_400(
        self, client: Client, alice_profile: Profile
    ) -> None:
        kid = ProfileFactory(account=alice_profile.account, is_kids=True, max_maturity_age=7)
        TitleFactory(name="Heat", maturity_rating="R")
        client.force_login(alice_profile.account)
        response = client.put("/api/v1/me/list/heat/", headers={"X-Marquee-Profile": str(kid.pk)})
        assert response.status_code == 400
        assert not ListItem.objects.exists()

    def test_delete_removes(self, alice_client: Client, alice_profile: Profile) -> None:
        ListItemFactory(profile=alice_profile, title=TitleFactory(name="Arrival"))
        assert alice_client.delete("/api/v1/me/list/arrival/").status_code == 204
        assert not ListItem.objects.exists()

    def test_delete_of_what_is_not_on_the_list_is_404(self, alice_client: Client) -> None:
        TitleFactory(name="Arrival")
        response = alice_client.delete("/api/v1/me/list/arrival/")
        assert response.status_code == 404
        assert response.json() == {"detail": "This title is not on the profile's list."}

    def test_a_title_unpublished_since_can_still_be_removed(
        self, alice_client: Client, alice_profile: Profile
    ) -> None:
        ListItemFactory(profile=alice_profile, title=TitleFactory(name="Gone", is_published=False))
        assert alice_client.delete("/api/v1/me/list/gone/").status_code == 204

    def test_the_list_is_newest_first(self, alice_client: Client, alice_profile: Profile) -> None:
        now = timezone.now()
        ListItemFactory(
            profile=alice_profile, title=TitleFactory(name="Old"), added_at=now - timedelta(1)
        )
        ListItemFactory(profile=alice_profile, title=TitleFactory(name="New"), added_at=now)
        ListItemFactory(title=TitleFactory(name="Someone else's"))
        body = alice_client.get("/api/v1/me/list/").json()
        assert [row["title"]["name"] for row in body["results"]] == ["New", "Old"]

    def test_the_list_is_paginated_in_few_queries(
        self,
        alice_client: Client,
        alice_profile: Profile,
        django_assert_num_queries: DjangoAssertNumQueries,
    ) -> None:
        for i in range(30):
            ListItemFactory(profile=alice_profile, title=TitleFactory(name=f"Title {i}"))
        # 1. the session's account with its profile (accounts.viewer; the session itself
        # comes from the cache), 2. count, 3. the page of items with their titles
        with django_assert_num_queries(3):
            response = alice_client.get("/api/v1/me/list/")
        body = response.json()
        assert (body["count"], len(body["results"])) == (30, 24)


class TestNotInterested:
    def test_put_marks_and_delete_undoes(
        self, alice_client: Client, alice_profile: Profile
    ) -> None:
        TitleFactory(name="Arrival")
        response = alice_client.put("/api/v1/me/not-interested/arrival/")
        assert response.status_code == 200
        assert response.json()["title"]["slug"] == "arrival"
        assert NotInterested.objects.filter(profile=alice_profile).count() == 1
        assert alice_client.delete("/api/v1/me/not-interested/arrival/").status_code == 204
        assert not NotInterested.objects.exists()

    def test_delete_of_what_is_not_marked_is_404(self, alice_client: Client) -> None:
        TitleFactory(name="Arrival")
        assert alice_client.delete("/api/v1/me/not-interested/arrival/").status_code == 404

    def test_put_of_an_unpublished_title_is_404(self, alice_client: Client) -> None:
        TitleFactory(name="Hidden", is_published=False)
        assert alice_client.put("/api/v1/me/not-interested/hidden/").status_code == 404
        assert not NotInterested.objects.exists()

    def test_the_list_is_paginated_in_few_queries(
        self,
        alice_client: Client,
        alice_profile: Profile,
        django_assert_num_queries: DjangoAssertNumQueries,
    ) -> None:
        for i in range(30):
            NotInterested.objects.create(profile=alice_profile, title=TitleFactory(name=f"T{i}"))
        NotInterested.objects.create(profile=ProfileFactory(), title=TitleFactory())
        # 1. the session's account with its profile (accounts.viewer; the session itself
        # comes from the cache), 2. count, 3. the page of marks with their titles
        with django_assert_num_queries(3):
            response = alice_client.get("/api/v1/me/not-interested/")
        body = response.json()
        assert (body["count"], len(body["results"])) == (30, 24)
        assert set(body["results"][0]) == {"title", "created_at"}
