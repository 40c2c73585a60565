"""The home rows in the API: /api/v1/me/rows/ and /api/v1/me/rows/<key>/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries
from rest_framework.authtoken.models import Token

from accounts.models import Profile, User
from catalog.maturity import age_for
from catalog.models import Title
from recommendations import services
from recommendations.core.page.assemble import ROW_SIZE
from recommendations.models import ModelVersion, TrendingTitle, WatchProgress
from tests.factories import (
    CreditFactory,
    GenreFactory,
    PersonFactory,
    ProfileFactory,
    RatingFactory,
    TitleFactory,
    WatchProgressFactory,
)
from tests.helpers import watch_as

pytestmark = pytest.mark.django_db

ROWS = "/api/v1/me/rows/"

CARD_FIELDS = {
    "id",
    "slug",
    "name",
    "year",
    "kind",
    "poster_url",
    "url",
    "match",
    "predicted_stars",
    "rank",
    "progress",
    "my_rating",
    "in_my_list",
    "evidence",
}


@dataclass
class Page:
    favourites: list[Title]  # finished long ago and rated 5 stars: "Watch again"
    started: list[Title]  # half watched: "Continue watching"
    trending: list[Title]  # watched today by others: "Top 10"
    unseen: list[Title]  # the rest of the catalogue: "New on Marquee"


def finish_long_ago(profile: Profile, title: Title, *, stars: int = 5) -> None:
    services.watch_mark_watched(profile=profile, title=title)
    services.rating_set(profile=profile, title=title, stars=stars)
    WatchProgress.objects.filter(profile=profile, title=title).update(
        last_watched_at=timezone.now() - timedelta(days=60)
    )


def build_page(profile: Profile, *, unseen: int = 10) -> Page:
    """A profile with a favourite to watch again, films under way, and a busy instance."""
    favourites = [TitleFactory(name=f"Favourite {i}") for i in range(4)]
    for title in favourites:
        finish_long_ago(profile, title)
    started = [TitleFactory(name=f"Started {i}") for i in range(4)]
    for title in started:
        WatchProgressFactory(profile=profile, title=title, last_position=3000)
    trending = [TitleFactory(name=f"Trending {i}") for i in range(5)]
    for i, title in enumerate(trending):
        TrendingTitle.objects.create(title=title, score=10 - i, viewers_today=5 - i)
    others = [TitleFactory(name=f"Unseen {i}") for i in range(unseen)]
    return Page(favourites=favourites, started=started, trending=trending, unseen=others)


def token_client(user: User, profile: Profile) -> Client:
    token, _created = Token.objects.get_or_create(user=user)
    return Client(
        headers={"Authorization": f"Token {token.key}", "X-Marquee-Profile": str(profile.pk)}
    )


def slugs(row: dict) -> list[str]:
    return [card["slug"] for card in row["titles"]]


class TestRowList:
    def test_it_lists_the_rows_in_page_order(
        self, alice_client: Client, alice_profile: Profile
    ) -> None:
        build_page(alice_profile)
        response = alice_client.get(ROWS)
        assert response.status_code == 200
        body = response.json()
        assert body["intent"] == {"minutes": None, "mood": None}
        # No trained model: popularity ranks, and the profile's own rows stand on facts.
        assert (body["personal"], body["has_model"]) == (False, False)
        assert [row["key"] for row in body["rows"]] == ["continue", "watch-again", "top-10", "new"]
        first = body["rows"][0]
        assert first == {
            "key": "continue",
            "heading": "Continue watching for Alice",
            "url": "/api/v1/me/rows/continue/",
            "see_all_url": "/rows/continue/",
            "titles": first["titles"],
        }
        assert sorted(slugs(first)) == [f"started-{i}" for i in range(4)]
        assert slugs(body["rows"][2]) == [f"trending-{i}" for i in range(5)]

    def test_a_title_is_in_one_row_only(self, alice_client: Client, alice_profile: Profile) -> None:
        # The trending titles are new too, but the Top 10 keeps them.
        build_page(alice_profile, unseen=30)
        rows = alice_client.get(ROWS).json()["rows"]
        shown = [slug for row in rows for slug in slugs(row)]
        assert len(shown) == len(set(shown))
        new = next(row for row in rows if row["key"] == "new")
        assert len(new["titles"]) == ROW_SIZE
        assert not any(slug.startswith("trending-") for slug in slugs(new))

    def test_a_card_carries_the_profiles_state_and_the_reasons(
        self, alice_client: Client, alice_profile: Profile
    ) -> None:
        page = build_page(alice_profile)
        services.list_add(profile=alice_profile, title=page.trending[0])
        rows = {row["key"]: row for row in alice_client.get(ROWS).json()["rows"]}

        again = rows["watch-again"]["titles"][0]
        assert set(again) == CARD_FIELDS
        favourite = page.favourites[0]
        assert {k: again[k] for k in ("id", "slug", "name", "year", "kind", "url")} == {
            "id": favourite.pk,
            "slug": "favourite-0",
            "name": "Favourite 0",
            "year": 2001,
            "kind": "movie",
            "url": "/titles/favourite-0/",
        }
        assert again["poster_url"] == favourite.poster_url
        assert (again["match"], again["predicted_stars"], again["rank"]) == (None, None, None)
        assert again["progress"] == {"percent": 100.0, "completed": True}
        assert again["my_rating"] == 5.0
        assert again["in_my_list"] is False
        [reason] = again["evidence"]
        assert reason["text"].startswith("You rated it 5★ and last watched it on ")
        assert reason["title"] is None

        started = rows["continue"]["titles"][0]
        assert started["progress"] == {"percent": 50.0, "completed": False}
        assert started["my_rating"] is None
        assert started["evidence"][0]["text"].startswith("You stopped at 50% on ")

        top = rows["top-10"]["titles"]
        assert [card["rank"] for card in top] == [1, 2, 3, 4, 5]
        assert top[0]["in_my_list"] is True
        assert {"text": "#1 today: 5 viewers", "title": None} in top[0]["evidence"]

    def test_a_reason_names_the_profiles_own_title(
        self, alice_client: Client, alice_profile: Profile
    ) -> None:
        # Without a model, neighbours by content: the credits make the films alike.
        director = PersonFactory(name="Denis Villeneuve")
        seen = TitleFactory(name="Arrival")
        CreditFactory(title=seen, person=director, role="director")
        for i in range(5):
            CreditFactory(title=TitleFactory(name=f"Dune {i}"), person=director, role="director")
        TitleFactory.create_batch(5)
        services.watch_mark_watched(profile=alice_profile, title=seen)
        rows = {row["key"]: row for row in alice_client.get(ROWS).json()["rows"]}
        because = rows[f"because-{seen.pk}"]
        assert because["heading"] == "Because you watched Arrival"
        # A Dune may be newer than it is alike: it then stays in the row it ranks best in.
        assert set(slugs(because)) <= {f"dune-{i}" for i in range(5)}
        assert len(because["titles"]) >= 4
        assert because["titles"][0]["evidence"][0] == {
            "text": "Because you finished Arrival",
            "title": {"id": seen.pk, "slug": "arrival", "name": "Arrival"},
        }

    def test_a_new_signal_shows_on_the_next_request(
        self, alice_client: Client, alice_profile: Profile
    ) -> None:
        # Only signals after the first request: in a test's single transaction, a profile's
        # stamp moves once (services.signals_changed waits for the commit to run again).
        films = TitleFactory.create_batch(8)
        assert [row["key"] for row in alice_client.get(ROWS).json()["rows"]] == ["new"]
        for title in films[:4]:
            services.list_add(profile=alice_profile, title=title)
        rows = {row["key"]: row for row in alice_client.get(ROWS).json()["rows"]}
        assert set(rows) == {"my-list", "new"}
        assert sorted(slugs(rows["my-list"])) == sorted(title.slug for title in films[:4])

    def test_a_profile_without_signals_gets_popular_rows(
        self, alice_client: Client, alice_profile: Profile
    ) -> None:
        drama, comedy = GenreFactory(name="Drama"), GenreFactory(name="Comedy")
        dramas = [TitleFactory(name=f"Drama {i}", genres=[drama]) for i in range(6)]
        for i in range(5):
            TitleFactory(name=f"Comedy {i}", genres=[comedy])
        body = alice_client.get(ROWS).json()
        assert body["personal"] is False
        # Each title where it ranks best: the comedies are left too few for a row of their own.
        assert [(row["key"], row["heading"]) for row in body["rows"]] == [
            ("new", "New on Marquee"),
            ("popular-drama", "Popular in Drama"),
        ]
        popular = body["rows"][1]["titles"]
        assert {card["slug"] for card in popular} == {title.slug for title in dramas}
        assert popular[0]["evidence"] == [
            {"text": "New in Drama: nobody has watched it yet", "title": None}
        ]


class TestRow:
    def test_it_has_the_full_list(self, alice_client: Client, alice_profile: Profile) -> None:
        build_page(alice_profile, unseen=30)
        on_page = next(row for row in alice_client.get(ROWS).json()["rows"] if row["key"] == "new")
        response = alice_client.get(f"{ROWS}new/")
        assert response.status_code == 200
        row = response.json()
        assert set(row) == {"key", "heading", "url", "see_all_url", "titles"}
        assert (row["key"], row["heading"], row["url"]) == (
            "new",
            "New on Marquee",
            "/api/v1/me/rows/new/",
        )
        assert row["see_all_url"] == "/rows/new/"
        # Every new title, the Top 10's included: "see all" is the row's own list.
        assert len(row["titles"]) == 35
        assert set(slugs(on_page)) < set(slugs(row))
        assert set(row["titles"][0]) == CARD_FIELDS

    def test_an_unknown_row_is_404(self, alice_client: Client, alice_profile: Profile) -> None:
        build_page(alice_profile)
        response = alice_client.get(f"{ROWS}my-list/")
        assert response.status_code == 404
        assert response.json() == {"detail": "This row is not on the profile's home page."}

    def test_a_row_the_intent_leaves_out_is_404(
        self, alice_client: Client, alice_profile: Profile
    ) -> None:
        # Films of 100 minutes: none is new enough to fit half an hour.
        build_page(alice_profile)
        assert alice_client.get(f"{ROWS}new/").status_code == 200
        response = alice_client.get(f"{ROWS}new/", {"minutes": 30})
        assert response.status_code == 404
        assert response.json() == {"detail": "This row is not on the profile's home page."}


class TestIntent:
    def test_a_mood_puts_its_row_first(self, alice_client: Client, alice_profile: Profile) -> None:
        build_page(alice_profile)
        assert alice_client.get(ROWS).json()["rows"][0]["key"] == "continue"
        body = alice_client.get(ROWS, {"mood": "favourite"}).json()
        assert body["intent"] == {"minutes": None, "mood": "favourite"}
        first = body["rows"][0]
        assert first["key"] == "watch-again"
        assert sorted(slugs(first)) == [f"favourite-{i}" for i in range(4)]
        # The row's links keep the intent, so "see all" shows the same row.
        assert first["url"] == "/api/v1/me/rows/watch-again/?mood=favourite"
        assert first["see_all_url"] == "/rows/watch-again/?mood=favourite"

    def test_a_time_budget_keeps_what_fits(
        self, alice_client: Client, alice_profile: Profile
    ) -> None:
        page = build_page(alice_profile)
        short = page.unseen[:5]
        Title.objects.filter(pk__in=[t.pk for t in short]).update(runtime_minutes=25)
        everything = {row["key"]: row for row in alice_client.get(ROWS).json()["rows"]}
        assert len(everything["new"]["titles"]) == 10
        body = alice_client.get(ROWS, {"minutes": "30"}).json()
        assert body["intent"] == {"minutes": 30, "mood": None}
        rows = {row["key"]: row for row in body["rows"]}
        # Films of 100 minutes do not fit half an hour: only the short ones are left.
        assert sorted(slugs(rows["new"])) == sorted(t.slug for t in short)
        assert rows["new"]["url"] == "/api/v1/me/rows/new/?minutes=30"
        full = alice_client.get(f"{ROWS}new/", {"minutes": 30}).json()
        assert sorted(slugs(full)) == sorted(t.slug for t in short)

    def test_blank_values_mean_no_preference(
        self, alice_client: Client, alice_profile: Profile
    ) -> None:
        build_page(alice_profile)
        body = alice_client.get(ROWS, {"minutes": "", "mood": ""}).json()
        assert body["intent"] == {"minutes": None, "mood": None}
        assert body["rows"] == alice_client.get(ROWS).json()["rows"]

    @pytest.mark.parametrize("url", [ROWS, f"{ROWS}new/"])
    def test_an_unknown_value_is_400(self, alice_client: Client, url: str) -> None:
        response = alice_client.get(url, {"minutes": "45", "mood": "sad"})
        assert response.status_code == 400
        assert set(response.json()) == {"minutes", "mood"}


class TestWhoAsks:
    @pytest.mark.parametrize("url", [ROWS, f"{ROWS}new/"])
    def test_unauthenticated_is_401_json(self, client: Client, url: str) -> None:
        response = client.get(url)
        assert response.status_code == 401
        assert response.json() == {"detail": "Authentication credentials were not provided."}

    @pytest.mark.parametrize("url", [ROWS, f"{ROWS}new/"])
    def test_an_invalid_token_is_401(self, url: str) -> None:
        client = Client(headers={"Authorization": "Token nope", "X-Marquee-Profile": "1"})
        response = client.get(url)
        assert response.status_code == 401
        assert response.json() == {"detail": "Invalid token."}

    @pytest.mark.parametrize("url", [ROWS, f"{ROWS}new/"])
    def test_another_accounts_profile_is_404(
        self, alice_client: Client, bob: User, url: str
    ) -> None:
        bobs = ProfileFactory(account=bob)
        build_page(bobs)
        response = alice_client.get(url, headers={"X-Marquee-Profile": str(bobs.pk)})
        assert response.status_code == 404
        assert response.json() == {"detail": "No such profile."}

    @pytest.mark.parametrize("url", [ROWS, f"{ROWS}new/"])
    def test_no_profile_chosen_is_400(self, client: Client, alice: User, url: str) -> None:
        client.force_login(alice)
        response = client.get(url)
        assert response.status_code == 400
        assert "X-Marquee-Profile" in response.json()["detail"]

    def test_a_token_client_chooses_with_the_header(
        self, alice: User, alice_profile: Profile
    ) -> None:
        other = ProfileFactory(account=alice, name="Other")
        build_page(alice_profile)
        body = token_client(alice, alice_profile).get(ROWS).json()
        assert body["rows"][0]["heading"] == "Continue watching for Alice"
        # Another of the account's profiles has its own page.
        rows = token_client(alice, other).get(ROWS).json()["rows"]
        assert "continue" not in [row["key"] for row in rows]
        assert token_client(alice, alice_profile).get(f"{ROWS}continue/").status_code == 200
        assert token_client(alice, other).get(f"{ROWS}continue/").status_code == 404


class TestKids:
    def test_a_kids_profile_never_gets_a_title_above_its_limit(
        self, client: Client, alice: User, alice_profile: Profile
    ) -> None:
        kid = ProfileFactory(account=alice, name="Kid", is_kids=True, max_maturity_age=7)
        adult_titles = []
        for source in ("trending", "new", "started", "favourite", "listed"):
            for i in range(4):
                adult_titles.append(TitleFactory(name=f"Adult {source} {i}", maturity_rating="R"))
                TitleFactory(name=f"Kids {source} {i}", maturity_rating="G")
        for i, title in enumerate(Title.objects.filter(name__contains="trending")):
            TrendingTitle.objects.create(title=title, score=20 - i, viewers_today=20 - i)
        # Signals from before the limit was lowered, written past the services' checks.
        for title in Title.objects.filter(name__contains="started"):
            WatchProgressFactory(profile=kid, title=title, last_position=3000)
        for title in Title.objects.filter(name__contains="favourite"):
            WatchProgressFactory(
                profile=kid,
                title=title,
                last_position=6000,
                completed=True,
                times_completed=1,
                last_watched_at=timezone.now() - timedelta(days=60),
            )
            RatingFactory(profile=kid, title=title, stars=5)
        for title in Title.objects.filter(name__contains="listed"):
            kid.list_items.create(title=title)

        client.force_login(alice)
        watch_as(client, kid)
        rows = client.get(ROWS).json()["rows"]
        assert {"continue", "top-10", "new", "my-list", "watch-again"} <= {r["key"] for r in rows}
        seen = {slug for row in rows for slug in slugs(row)}
        for row in rows:
            seen |= set(slugs(client.get(row["url"]).json()))
        ages = dict(Title.objects.values_list("slug", "maturity_rating"))
        assert seen
        assert all(age_for(ages[slug]) <= 7 for slug in seen), seen
        # The same instance shows them to an adult.
        watch_as(client, alice_profile)
        adult = {slug for row in client.get(ROWS).json()["rows"] for slug in slugs(row)}
        assert adult & {title.slug for title in adult_titles}


class TestWithAModel:
    def test_cards_have_a_match_and_reasons(self, client: Client, trained: ModelVersion) -> None:
        profile = Profile.objects.get(account__email="demo@marquee.local", name="Ana")
        client.force_login(profile.account)
        watch_as(client, profile)
        body = client.get(ROWS).json()
        assert (body["personal"], body["has_model"]) == (True, True)
        picks = next(row for row in body["rows"] if row["key"] == "top-picks")
        assert picks["heading"] == "Top picks for Ana"
        for card in picks["titles"]:
            assert 0 <= card["match"] <= 100
            assert 0.5 <= card["predicted_stars"] <= 5
        named = [r["title"] for c in picks["titles"] for r in c["evidence"] if r["title"]]
        assert named
        assert set(named[0]) == {"id", "slug", "name"}
        assert Title.objects.filter(pk=named[0]["id"], slug=named[0]["slug"]).exists()


class TestQueries:
    @pytest.mark.parametrize("unseen", [10, 40])
    def test_the_rows_cost_the_same_whatever_the_catalogue(
        self,
        alice_client: Client,
        alice_profile: Profile,
        django_assert_num_queries: DjangoAssertNumQueries,
        django_assert_max_num_queries: DjangoAssertNumQueries,
        unseen: int,
    ) -> None:
        build_page(alice_profile, unseen=unseen)
        # Building the plan: the session's account and profile (1); the active model (1);
        # the catalogue's newest arrays (1: none yet, so this first page of the instance
        # builds them, 9, asks whether rows show only what the media servers hold, 1,
        # records them, 2, and reads the stamp, 1, with that option, 1); the profile's
        # signals (5); trending (1); the names in the reasons (1); then one query per row
        # for its cards (4 rows here).
        with django_assert_max_num_queries(29):
            response = alice_client.get(ROWS)
        assert len(response.json()["rows"]) == 4
        # 1. the session's account with its profile (accounts.viewer; the session itself
        # comes from the cache), 2.-5. the cards of each of the 4 rows with the profile's
        # state (subqueries): the plan is cached.
        with django_assert_num_queries(5):
            alice_client.get(ROWS)

    @pytest.mark.parametrize("unseen", [10, 40])
    def test_a_row_costs_one_query_once_the_plan_is_built(
        self,
        alice_client: Client,
        alice_profile: Profile,
        django_assert_num_queries: DjangoAssertNumQueries,
        unseen: int,
    ) -> None:
        build_page(alice_profile, unseen=unseen)
        alice_client.get(ROWS)
        # 1. the session's account with its profile (accounts.viewer; the session itself
        # comes from the cache), 2. the row's cards with the profile's state
        with django_assert_num_queries(2):
            response = alice_client.get(f"{ROWS}new/")
        # The unseen titles and the trending ones, new to this profile too.
        assert len(response.json()["titles"]) == unseen + 5


def test_the_rows_are_in_the_schema(client: Client) -> None:
    response = client.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})
    paths = response.json()["paths"]
    assert paths["/api/v1/me/rows/"]["get"]["operationId"] == "v1_me_rows_list"
    assert "/api/v1/me/rows/{key}/" in paths
