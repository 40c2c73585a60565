"""Drill: bad input is a 4xx (or an empty answer), never a 500.

NUL in a search (PostgreSQL refuses it in any text parameter), page numbers past a
bigint, JSON nested thousands deep (a RecursionError in the json module), and HEAD on
pages (405 while the views only allowed GET).
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Profile
from config.parsers import MAX_DEPTH, json_depth
from tests.factories import RatingFactory, TitleFactory

pytestmark = pytest.mark.django_db

HUGE_PAGE = "99999999999999999999"
DEEP_ARRAY = "[" * 5000
DEEP_OBJECT = '{"a":' * 5000


@pytest.fixture
def watching(alice_client: Client, alice_profile: Profile) -> Client:
    """Alice with a rated title, past onboarding, so that her home page is the real one."""
    alice_profile.onboarded_at = timezone.now()
    alice_profile.save(update_fields=["onboarded_at"])
    RatingFactory(profile=alice_profile, title=TitleFactory(name="Arrival", slug="arrival"))
    return alice_client


# --------------------------------------------------------------------------------------
# NUL in the search box
# --------------------------------------------------------------------------------------


def test_search_with_nul_is_an_empty_search(client: Client) -> None:
    TitleFactory(name="Arrival")
    response = client.get("/search/?q=%00")
    assert response.status_code == 200
    assert response.context["results"].titles == []


def test_search_with_nul_between_words_finds_the_words(client: Client) -> None:
    TitleFactory(name="Arrival", synopsis="Linguists meet visitors.")
    response = client.get("/search/?q=Arr%00ival")
    assert response.status_code == 200
    assert response.context["results"].query == "Arr ival"


def test_onboarding_search_with_nul_answers(watching: Client) -> None:
    assert watching.get("/me/start/?q=%00").status_code == 200


def test_api_search_with_nul_is_a_400(client: Client) -> None:
    response = client.get("/api/v1/titles/?q=%00")
    assert response.status_code == 400
    assert "q" in response.json()


# --------------------------------------------------------------------------------------
# Page numbers beyond any list
# --------------------------------------------------------------------------------------

PAGED_PAGES = [
    "/browse/",
    "/browse/?order=new",
    "/me/history/",
    "/me/ratings/",
    "/me/list/",
    "/me/not-interested/",
    "/me/rate/",
]


@pytest.mark.parametrize("path", PAGED_PAGES)
def test_a_page_past_a_bigint_is_a_404_page(watching: Client, path: str) -> None:
    separator = "&" if "?" in path else "?"
    response = watching.get(f"{path}{separator}page={HUGE_PAGE}")
    assert response.status_code == 404
    assert "text/html" in response["Content-Type"]


@pytest.mark.parametrize("path", PAGED_PAGES)
def test_a_page_past_the_end_is_a_404(watching: Client, path: str) -> None:
    separator = "&" if "?" in path else "?"
    assert watching.get(f"{path}{separator}page=50").status_code == 404


@pytest.mark.parametrize("number", ["0", "-3", "x", "1" * 5000])
def test_a_page_that_is_no_number_is_the_first(watching: Client, number: str) -> None:
    assert watching.get(f"/me/ratings/?page={number}").status_code == 200


@pytest.mark.parametrize("path", ["/search/?q=arrival", "/me/top-picks/", "/rows/new/"])
def test_pages_without_pages_ignore_the_number(watching: Client, path: str) -> None:
    assert watching.get(f"{path}&page={HUGE_PAGE}".replace("/&", "/?")).status_code in (200, 404)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/titles/",
        "/api/v1/genres/",
        "/api/v1/me/ratings/",
        "/api/v1/me/history/",
        "/api/v1/me/list/",
        "/api/v1/me/not-interested/",
    ],
)
def test_an_api_page_past_a_bigint_is_a_json_404(watching: Client, path: str) -> None:
    response = watching.get(f"{path}?page={HUGE_PAGE}")
    assert response.status_code == 404
    assert "detail" in response.json()


# --------------------------------------------------------------------------------------
# Deeply nested JSON
# --------------------------------------------------------------------------------------


def test_depth_counts_arrays_and_objects_but_not_strings() -> None:
    assert json_depth('{"a": [1, {"b": "[[[[{{{{"}]}') == 3
    assert json_depth('"\\"[[["') == 0
    assert json_depth(DEEP_ARRAY) == 5000


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT, DEEP_ARRAY + "]" * 5000])
def test_deep_json_to_the_anonymous_token_endpoint_is_a_400(client: Client, body: str) -> None:
    response = client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper" in response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/api/v1/me/watch-events/"), ("put", "/api/v1/me/ratings/arrival/")],
)
@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT])
def test_deep_json_to_a_profile_endpoint_is_a_400(
    watching: Client, method: str, path: str, body: str
) -> None:
    response = getattr(watching, method)(path, body, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper" in response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "/api/v1/me/list/arrival/"),
        ("put", "/api/v1/me/not-interested/arrival/"),
        ("post", "/api/v1/me/history/arrival/watched/"),
        ("delete", "/api/v1/me/ratings/arrival/"),
    ],
)
def test_deep_json_to_an_endpoint_without_a_body_is_ignored(
    watching: Client, method: str, path: str
) -> None:
    # These read nothing from the body, so it is never parsed.
    response = getattr(watching, method)(path, DEEP_ARRAY, content_type="application/json")
    assert response.status_code < 300


def test_json_as_deep_as_allowed_still_parses(client: Client) -> None:
    # Parsed, then refused by the serializer for what it is, not for how it is nested.
    body = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    response = client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper" not in json.dumps(response.json())


def test_brackets_inside_strings_are_not_nesting(client: Client) -> None:
    body = json.dumps({"email": "[" * 5000, "password": "{" * 5000})
    response = client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert "email" in response.json()


def test_a_body_over_the_upload_limit_is_a_400(client: Client, settings: object) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"email": "a@example.com", "password": "x" * 2000})
    response = client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400


def test_invalid_json_is_still_a_400(client: Client) -> None:
    response = client.post("/api/v1/auth/token/", "{nope", content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


# --------------------------------------------------------------------------------------
# HEAD
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/", "/browse/", "/search/?q=arrival", "/titles/arrival/", "/titles/arrival/poster.svg"],
)
def test_head_on_public_pages_is_a_200_without_body(client: Client, path: str) -> None:
    TitleFactory(name="Arrival", slug="arrival")
    response = client.head(path)
    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/rows/new/",
        "/me/history/",
        "/me/ratings/",
        "/me/list/",
        "/me/not-interested/",
        "/me/top-picks/",
        "/me/start/",
        "/account/",
        "/account/profiles/",
        "/account/profiles/new/",
        "/account/data/import/",
        "/account/delete/",
        "/account/data/ratings.csv",
    ],
)
def test_head_on_signed_in_pages_is_a_200_without_body(watching: Client, path: str) -> None:
    TitleFactory.create_batch(4)
    response = watching.head(path)
    assert response.status_code == 200
    assert response.content == b""


def test_head_on_sign_in_and_sign_up_is_a_200(client: Client) -> None:
    assert client.head("/account/login/").status_code == 200
    assert client.head("/account/signup/").status_code == 200


def test_head_never_submits_a_form(watching: Client, alice_profile: Profile) -> None:
    # HEAD is safe: the profile form's view must treat it as GET, not as a post.
    response = watching.head(f"/account/profiles/{alice_profile.pk}/edit/")
    assert response.status_code == 200
    alice_profile.refresh_from_db()
    assert alice_profile.name == "Alice"
