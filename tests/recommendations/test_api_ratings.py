from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from accounts.models import Profile
from recommendations.models import Rating, Source, Thumbs
from tests.factories import ProfileFactory, RatingFactory, TitleFactory

pytestmark = pytest.mark.django_db


def put(client: Client, slug: str, body: object) -> object:
    return client.put(f"/api/v1/me/ratings/{slug}/", body, content_type="application/json")


def test_it_rates_in_stars_and_returns_both_scales(
    alice_client: Client, alice_profile: Profile
) -> None:
    TitleFactory(name="Arrival")
    response = put(alice_client, "arrival", {"stars": 4.5})
    assert response.status_code == 200
    body = response.json()
    assert (body["stars"], body["thumbs"], body["scale"]) == (4.5, "two_up", "stars")
    assert body["title"]["slug"] == "arrival"
    rating = Rating.objects.get(profile=alice_profile)
    assert (rating.stars, rating.source) == (Decimal("4.5"), Source.API)


def test_it_rates_in_thumbs(alice_client: Client, alice_profile: Profile) -> None:
    TitleFactory(name="Arrival")
    body = put(alice_client, "arrival", {"thumbs": "down"}).json()
    assert (body["stars"], body["thumbs"], body["scale"]) == (1.0, "down", "thumbs")
    assert Rating.objects.get(profile=alice_profile).thumbs == Thumbs.DOWN


def test_rating_again_replaces(alice_client: Client, alice_profile: Profile) -> None:
    TitleFactory(name="Arrival")
    put(alice_client, "arrival", {"stars": 2})
    put(alice_client, "arrival", {"thumbs": "up"})
    rating = Rating.objects.get(profile=alice_profile)
    assert (rating.stars, rating.scale) == (Decimal("4.0"), "thumbs")


@pytest.mark.parametrize("stars", [0, 0.4, 5.5, 3.3, 4.25, -1, "many"])
def test_it_rejects_stars_outside_half_steps(alice_client: Client, stars: object) -> None:
    TitleFactory(name="Arrival")
    response = put(alice_client, "arrival", {"stars": stars})
    assert response.status_code == 400
    assert list(response.json()) == ["stars"]
    assert not Rating.objects.exists()


def test_it_rejects_unknown_thumbs(alice_client: Client) -> None:
    TitleFactory(name="Arrival")
    response = put(alice_client, "arrival", {"thumbs": "sideways"})
    assert response.status_code == 400
    assert response.json() == {"thumbs": ["Thumbs are down, up or two_up."]}


@pytest.mark.parametrize("body", [{}, {"stars": 4, "thumbs": "up"}])
def test_it_needs_exactly_one_scale(alice_client: Client, body: dict[str, object]) -> None:
    TitleFactory(name="Arrival")
    response = put(alice_client, "arrival", body)
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Give either stars or thumbs."]}


def test_an_unknown_or_unpublished_title_is_404(alice_client: Client) -> None:
    TitleFactory(name="Hidden", is_published=False)
    for slug in ("nothing-here", "hidden"):
        response = put(alice_client, slug, {"stars": 4})
        assert response.status_code == 404
        assert response.json() == {"detail": "No such title."}


def test_a_title_above_the_maturity_limit_is_refused(
    client: Client, alice_profile: Profile
) -> None:
    kid = ProfileFactory(account=alice_profile.account, is_kids=True, max_maturity_age=7)
    TitleFactory(name="Heat", maturity_rating="R")
    client.force_login(alice_profile.account)
    response = client.put(
        "/api/v1/me/ratings/heat/",
        {"stars": 4},
        content_type="application/json",
        headers={"X-Marquee-Profile": str(kid.pk)},
    )
    assert response.status_code == 400
    assert response.json() == {"title": ["This title is above the profile's maturity limit."]}


def test_a_body_that_is_not_json_is_400(alice_client: Client) -> None:
    TitleFactory(name="Arrival")
    response = alice_client.put(
        "/api/v1/me/ratings/arrival/", "stars=4", content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_delete_clears_the_rating(alice_client: Client, alice_profile: Profile) -> None:
    title = TitleFactory(name="Arrival")
    RatingFactory(profile=alice_profile, title=title)
    response = alice_client.delete("/api/v1/me/ratings/arrival/")
    assert response.status_code == 204
    assert not Rating.objects.exists()


def test_delete_without_a_rating_is_404(alice_client: Client) -> None:
    TitleFactory(name="Arrival")
    response = alice_client.delete("/api/v1/me/ratings/arrival/")
    assert response.status_code == 404
    assert response.json() == {"detail": "This profile has not rated this title."}


def test_the_list_is_newest_first_and_only_the_profiles(
    alice_client: Client, alice_profile: Profile
) -> None:
    now = timezone.now()
    RatingFactory(
        profile=alice_profile, title=TitleFactory(name="Old"), rated_at=now - timedelta(1)
    )
    RatingFactory(profile=alice_profile, title=TitleFactory(name="New"), rated_at=now)
    RatingFactory(title=TitleFactory(name="Someone else's"))
    body = alice_client.get("/api/v1/me/ratings/").json()
    assert body["count"] == 2
    assert [row["title"]["name"] for row in body["results"]] == ["New", "Old"]


def test_the_list_is_paginated_in_few_queries(
    alice_client: Client, alice_profile: Profile, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for i in range(30):
        RatingFactory(profile=alice_profile, title=TitleFactory(name=f"Title {i}"))
    # 1. the session's account with its profile (accounts.viewer; the session itself
    # comes from the cache), 2. count, 3. the page of ratings with their titles
    with django_assert_num_queries(3):
        response = alice_client.get("/api/v1/me/ratings/")
    body = response.json()
    assert (body["count"], len(body["results"])) == (30, 24)
    assert body["next"].endswith("/api/v1/me/ratings/?page=2")
