from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from accounts.models import Profile
from catalog.models import Title
from recommendations import watching
from recommendations.models import WatchEvent, WatchProgress
from recommendations.watching import Heartbeat
from tests.factories import (
    EpisodeFactory,
    ProfileFactory,
    RatingFactory,
    SeasonFactory,
    TitleFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/history/"


def watch(profile: Profile, title: Title, *, episode: object = None, minutes_ago: int = 60) -> None:
    watching.watch_events_record(
        profile=profile,
        heartbeats=[
            Heartbeat(
                client_event_id=uuid.uuid4(),
                title_id=title.pk,
                episode_id=getattr(episode, "pk", None),
                kind="start",
                position=0,
                occurred_at=timezone.now() - timedelta(minutes=minutes_ago),
            )
        ],
    )


def test_it_lists_what_the_profile_watched_newest_first(
    alice_client: Client, alice_profile: Profile
) -> None:
    watch(alice_profile, TitleFactory(name="Old"), minutes_ago=120)
    watch(alice_profile, TitleFactory(name="New"), minutes_ago=10)
    watch(ProfileFactory(), TitleFactory(name="Someone else's"))
    body = alice_client.get(URL).json()
    assert [row["title"]["name"] for row in body["results"]] == ["New", "Old"]
    row = body["results"][0]
    assert (row["percent"], row["completed"], row["current_episode"]) == (0.0, False, None)


def test_it_filters_by_kind(alice_client: Client, alice_profile: Profile) -> None:
    watch(alice_profile, TitleFactory(name="Arrival"))
    episode = EpisodeFactory(season=SeasonFactory(title=TitleFactory(name="Dark", kind="series")))
    watch(alice_profile, episode.season.title, episode=episode)
    series = alice_client.get(URL, {"kind": "series"}).json()["results"]
    assert [row["title"]["name"] for row in series] == ["Dark"]
    assert series[0]["current_episode"] == {
        "id": episode.pk,
        "season": episode.season.number,
        "number": episode.number,
        "name": episode.name,
    }
    movies = alice_client.get(URL, {"kind": "movie"}).json()["results"]
    assert [row["title"]["name"] for row in movies] == ["Arrival"]


def test_an_unknown_kind_is_400(alice_client: Client) -> None:
    response = alice_client.get(URL, {"kind": "opera"})
    assert response.status_code == 400
    assert list(response.json()) == ["kind"]


def test_it_is_paginated_in_few_queries(
    alice_client: Client, alice_profile: Profile, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for i in range(25):
        title = TitleFactory(name=f"Film {i}")
        watch(alice_profile, title)
        RatingFactory(profile=alice_profile, title=title)
    for _ in range(3):
        episode = EpisodeFactory(season=SeasonFactory(title=TitleFactory(kind="series")))
        watch(alice_profile, episode.season.title, episode=episode, minutes_ago=5)
    # 1. the session's account with its profile (accounts.viewer; the session itself
    # comes from the cache), 2. count, 3. the page of rows with titles, current episodes
    # and their seasons (select_related) and the rating and taste exclusion (subqueries)
    with django_assert_num_queries(3):
        response = alice_client.get(URL)
    body = response.json()
    assert (body["count"], len(body["results"])) == (28, 24)
    assert body["results"][0]["current_episode"]["season"] >= 1
    assert body["results"][3]["my_stars"] == 4.0


def test_delete_forgets_the_title(alice_client: Client, alice_profile: Profile) -> None:
    film = TitleFactory(name="Arrival")
    watch(alice_profile, film)
    response = alice_client.delete(f"{URL}arrival/")
    assert response.status_code == 204
    assert not WatchProgress.objects.exists()
    assert not WatchEvent.objects.exists()


def test_delete_of_what_was_not_watched_is_404(alice_client: Client) -> None:
    TitleFactory(name="Arrival")
    response = alice_client.delete(f"{URL}arrival/")
    assert response.status_code == 404
    assert response.json() == {"detail": "This title is not in the profile's history."}
    assert alice_client.delete(f"{URL}nothing-here/").json() == {"detail": "No such title."}


def test_mark_as_watched(alice_client: Client, alice_profile: Profile) -> None:
    TitleFactory(name="Arrival")
    response = alice_client.post(f"{URL}arrival/watched/")
    assert response.status_code == 200
    body = response.json()
    assert (body["title"]["slug"], body["completed"], body["percent"]) == ("arrival", True, 100.0)
    assert WatchProgress.objects.get(profile=alice_profile).times_completed == 1


def test_mark_as_watched_above_the_maturity_limit_is_400(
    client: Client, alice_profile: Profile
) -> None:
    kid = ProfileFactory(account=alice_profile.account, is_kids=True, max_maturity_age=7)
    TitleFactory(name="Heat", maturity_rating="R")
    client.force_login(alice_profile.account)
    response = client.post(f"{URL}heat/watched/", headers={"X-Marquee-Profile": str(kid.pk)})
    assert response.status_code == 400
    assert response.json() == {"title": ["This title is above the profile's maturity limit."]}
    assert not WatchProgress.objects.exists()


def test_mark_as_watched_of_an_unknown_title_is_404(alice_client: Client) -> None:
    assert alice_client.post(f"{URL}nothing-here/watched/").status_code == 404
