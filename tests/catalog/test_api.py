from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import GenreFactory, TitleFactory

pytestmark = pytest.mark.django_db


def test_titles_are_paginated_and_filtered(
    client: Client, django_assert_num_queries: object
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


def test_title_filters_validate_their_input(client: Client) -> None:
    response = client.get("/api/v1/titles/?kind=opera")
    assert response.status_code == 400
    assert response.json() == {"kind": "Use movie or series."}
    assert client.get("/api/v1/titles/?year=soon").status_code == 400


def test_title_detail_and_404(client: Client) -> None:
    title = TitleFactory(name="Arrival", synopsis="Listening.")
    body = client.get(f"/api/v1/titles/{title.slug}/").json()
    assert (body["name"], body["synopsis"]) == ("Arrival", "Listening.")
    missing = client.get("/api/v1/titles/nothing-here/")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "No such title."}


def test_title_search(client: Client) -> None:
    TitleFactory(name="Arrival")
    TitleFactory(name="Departure")
    names = [t["name"] for t in client.get("/api/v1/titles/?q=arrival").json()["results"]]
    assert names == ["Arrival"]
