from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from pytest_django import DjangoAssertNumQueries
from rest_framework.authtoken.models import Token

from accounts.models import Profile
from tests.factories import GenreFactory, ProfileFactory, TitleFactory

pytestmark = pytest.mark.django_db


def test_titles_are_paginated_and_filtered(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    drama = GenreFactory(name="Drama", slug="drama")
    for i in range(30):
        TitleFactory(name=f"Drama {i:02d}", genres=[drama])
    TitleFactory(name="Elsewhere")
    TitleFactory(name="Hidden", genres=[drama], is_published=False)
    # 1. count, 2. the page of titles, 3. their genres
    with django_assert_num_queries(3):
        response = client.get("/api/v1/titles/?genre=drama")
    body = response.json()
    assert body["count"] == 30
    assert len(body["results"]) == 24
    assert body["results"][0]["genres"] == ["drama"]
    assert body["next"].endswith("genre=drama&page=2")


def test_a_signed_in_profile_costs_no_query_more_than_the_session(
    alice_client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for i in range(3):
        TitleFactory(name=f"Title {i}")
    # 1. the session's account with its profile (accounts.viewer; the session itself
    # comes from the cache), 2. count, 3. the page of titles, 4. their genres
    with django_assert_num_queries(4):
        response = alice_client.get("/api/v1/titles/")
    assert response.json()["count"] == 3


def test_titles_filter_by_kind_and_year(client: Client) -> None:
    TitleFactory(name="Arrival", year=2016)
    TitleFactory(name="Dark", year=2017, kind="series")
    TitleFactory(name="Heat", year=1995)

    def names(query: str) -> list[str]:
        return [t["name"] for t in client.get(f"/api/v1/titles/?{query}").json()["results"]]

    assert names("kind=series") == ["Dark"]
    assert names("year=2016") == ["Arrival"]
    assert names("kind=movie&year=1995") == ["Heat"]
    # An empty parameter is no filter, as a form with a blank field sends it.
    assert names("kind=&year=") == ["Arrival", "Dark", "Heat"]


def test_title_filters_validate_their_input(client: Client) -> None:
    response = client.get("/api/v1/titles/?kind=opera")
    assert response.status_code == 400
    assert response.json() == {"kind": ["Use movie or series."]}
    response = client.get("/api/v1/titles/?year=soon")
    assert response.status_code == 400
    assert response.json() == {"year": ["A year is a number."]}
    assert client.get("/api/v1/titles/?year=99").status_code == 400


def test_titles_above_the_profiles_maturity_limit_are_left_out(
    client: Client, alice_profile: Profile
) -> None:
    kid = ProfileFactory(account=alice_profile.account, is_kids=True, max_maturity_age=7)
    TitleFactory(name="Paddington", maturity_rating="PG")
    TitleFactory(name="Heat", maturity_rating="R")
    token = Token.objects.create(user=alice_profile.account)
    token_client = Client(
        headers={"Authorization": f"Token {token.key}", "X-Marquee-Profile": str(kid.pk)}
    )
    names = [t["name"] for t in token_client.get("/api/v1/titles/").json()["results"]]
    assert names == ["Paddington"]
    assert token_client.get("/api/v1/titles/heat/").status_code == 403
    assert [t["name"] for t in client.get("/api/v1/titles/").json()["results"]] == [
        "Heat",
        "Paddington",
    ]


def test_title_detail_and_404(client: Client) -> None:
    title = TitleFactory(name="Arrival", synopsis="Listening.")
    body = client.get(f"/api/v1/titles/{title.slug}/").json()
    assert (body["name"], body["synopsis"]) == ("Arrival", "Listening.")
    missing = client.get("/api/v1/titles/nothing-here/")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "No such title."}


def test_title_detail_above_the_maturity_limit_is_403(
    alice_client: Client, alice_profile: Profile
) -> None:
    alice_profile.max_maturity_age = 7
    alice_profile.save()
    TitleFactory(name="Heat", maturity_rating="R")
    response = alice_client.get("/api/v1/titles/heat/")
    assert response.status_code == 403
    assert response.json() == {"detail": "This title is above the profile's maturity limit."}


def test_title_search(client: Client) -> None:
    TitleFactory(name="Arrival")
    TitleFactory(name="Departure")
    names = [t["name"] for t in client.get("/api/v1/titles/?q=arrival").json()["results"]]
    assert names == ["Arrival"]
    assert client.get("/api/v1/titles/?q=nothing").json()["count"] == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ranked search is PostgreSQL")
def test_title_search_keeps_the_best_match_first(client: Client) -> None:
    TitleFactory(name="A quiet story", synopsis="Nothing about arrival here but this word.")
    TitleFactory(name="Arrival", synopsis="Listening.")
    names = [t["name"] for t in client.get("/api/v1/titles/?q=arrival").json()["results"]]
    assert names[0] == "Arrival"


def test_genres_are_listed_in_few_queries(
    client: Client, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for name in ("Drama", "Comedy", "Western"):
        GenreFactory(name=name)
    # 1. count, 2. the page of genres
    with django_assert_num_queries(2):
        response = client.get("/api/v1/genres/")
    assert [g["name"] for g in response.json()["results"]] == ["Comedy", "Drama", "Western"]
