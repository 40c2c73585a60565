from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile, User
from accounts.services import profile_create
from catalog.models import Title
from recommendations import services
from recommendations.home.catalogue import catalogue
from recommendations.models import Rating, Source, Thumbs
from recommendations.onboarding import (
    MAX_PICKS,
    has_history,
    needs_onboarding,
    onboarding_complete,
    onboarding_groups,
    onboarding_search,
    onboarding_skip,
)
from tests.factories import (
    GenreFactory,
    ListItemFactory,
    NotInterestedFactory,
    ProfileFactory,
    RatingFactory,
    TitleFactory,
    WatchProgressFactory,
)
from tests.helpers import watch_as

pytestmark = pytest.mark.django_db

HTMX_SEARCH = {"HX-Request": "true", "HX-Target": "onboarding-results"}


def onboarding_url() -> str:
    return reverse("recommendations:onboarding")


def make_popular(title: Title, viewers: int) -> None:
    """`viewers` other profiles rate the title."""
    for _ in range(viewers):
        RatingFactory(title=title)


def ticked(page: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'name="titles" value="(\d+)" checked', page)}


def offered(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'name="titles" value="(\d+)"', page)]


@pytest.fixture
def kid(alice: User) -> Profile:
    return profile_create(account=alice, name="Kid", is_kids=True)


@pytest.fixture
def kid_client(client: Client, alice: User, kid: Profile) -> Client:
    client.force_login(alice)
    watch_as(client, kid)
    return client


@pytest.fixture
def films() -> list[Title]:
    """Five dramas anyone may see, kids included."""
    drama = GenreFactory(name="Drama")
    return [TitleFactory(name=f"Film {i}", maturity_rating="PG", genres=[drama]) for i in range(5)]


class TestNeedsOnboarding:
    def test_a_new_profile_needs_it_in_one_query(
        self, alice_profile: Profile, django_assert_num_queries: object
    ) -> None:
        with django_assert_num_queries(1):
            assert needs_onboarding(alice_profile)
        alice_profile.refresh_from_db()
        assert alice_profile.onboarded_at is None

    @pytest.mark.parametrize(
        "signal",
        [
            lambda profile: RatingFactory(profile=profile),
            lambda profile: WatchProgressFactory(profile=profile, last_position=60),
            lambda profile: ListItemFactory(profile=profile),
        ],
        ids=["rating", "watching", "my-list"],
    )
    def test_a_profile_with_signals_does_not_and_the_question_writes_nothing(
        self,
        alice_profile: Profile,
        signal: Callable[[Profile], object],
        django_assert_num_queries: object,
    ) -> None:
        signal(alice_profile)  # written behind the services' back, as an import does
        # One query, a read: a predicate never writes.
        with django_assert_num_queries(1):
            assert not needs_onboarding(alice_profile)
        assert Profile.objects.get(pk=alice_profile.pk).onboarded_at is None

    def test_recording_a_signal_stamps_the_profile(
        self, alice_profile: Profile, django_assert_num_queries: object
    ) -> None:
        services.list_add(profile=alice_profile, title=TitleFactory())
        assert Profile.objects.get(pk=alice_profile.pk).onboarded_at is not None
        # Later checks are free.
        with django_assert_num_queries(0):
            assert not needs_onboarding(alice_profile)

    def test_an_onboarded_profile_costs_no_query(
        self, alice_profile: Profile, django_assert_num_queries: object
    ) -> None:
        alice_profile.onboarded_at = timezone.now()
        with django_assert_num_queries(0):
            assert not needs_onboarding(alice_profile)

    def test_not_interested_marks_and_other_profiles_signals_do_not_count(
        self, alice: User, alice_profile: Profile
    ) -> None:
        NotInterestedFactory(profile=alice_profile)
        theo = ProfileFactory(account=alice, name="Theo")
        RatingFactory(profile=theo)
        ListItemFactory(profile=theo)
        assert needs_onboarding(alice_profile)

    def test_skipping_ends_it(self, alice_profile: Profile) -> None:
        onboarding_skip(profile=alice_profile)
        alice_profile.refresh_from_db()
        assert alice_profile.onboarded_at is not None
        assert not needs_onboarding(alice_profile)


class TestGroups:
    def test_genres_with_most_titles_first_and_most_popular_titles_first(
        self, alice_profile: Profile
    ) -> None:
        drama, comedy, horror = (GenreFactory(name=n) for n in ("Drama", "Comedy", "Horror"))
        quiet = TitleFactory(name="Quiet", genres=[drama])
        loud = TitleFactory(name="Loud", genres=[drama])
        TitleFactory(name="Drama 3", genres=[drama])
        laugh = TitleFactory(name="Laugh", genres=[comedy])
        TitleFactory(name="Giggle", genres=[comedy])
        TitleFactory(name="Boo", genres=[horror])
        make_popular(loud, 3)
        make_popular(quiet, 1)

        groups = onboarding_groups(profile=alice_profile, genres=2, per_genre=2)

        assert [g.genre for g in groups] == [drama, comedy]
        assert groups[0].titles == [loud, quiet]
        assert laugh in groups[1].titles

    def test_popularity_counts_raters_and_watchers_once_each(self, alice_profile: Profile) -> None:
        drama = GenreFactory(name="Drama")
        rated_and_watched = TitleFactory(name="Both", genres=[drama])
        watched = TitleFactory(name="Watched", genres=[drama])
        viewer = ProfileFactory()
        RatingFactory(profile=viewer, title=rated_and_watched)
        WatchProgressFactory(profile=viewer, title=rated_and_watched, last_position=60)
        for _ in range(2):
            WatchProgressFactory(title=watched, last_position=60)
        # Private viewing is nobody's business, here as on trending.
        for _ in range(3):
            WatchProgressFactory(title=rated_and_watched, last_position=60, is_private=True)

        [group] = onboarding_groups(profile=alice_profile)

        assert group.titles == [watched, rated_and_watched]

    def test_ties_go_to_the_newest_then_by_name(self, alice_profile: Profile) -> None:
        drama = GenreFactory(name="Drama")
        old = TitleFactory(name="Aa old", year=1990, genres=[drama])
        new_b = TitleFactory(name="Bb new", year=2020, genres=[drama])
        new_a = TitleFactory(name="Ab new", year=2020, genres=[drama])

        [group] = onboarding_groups(profile=alice_profile)

        assert group.titles == [new_a, new_b, old]

    def test_a_title_appears_once_and_the_next_popular_takes_its_place(
        self, alice_profile: Profile
    ) -> None:
        drama, comedy = GenreFactory(name="Drama"), GenreFactory(name="Comedy")
        both = [TitleFactory(name=f"Dramedy {i}", genres=[drama, comedy]) for i in range(3)]
        TitleFactory.create_batch(2, genres=[drama])
        only_comedy = TitleFactory(name="Only comedy", genres=[comedy])
        for viewers, title in zip([5, 4, 3], both, strict=True):
            make_popular(title, viewers)

        groups = onboarding_groups(profile=alice_profile, per_genre=2)

        assert [g.genre for g in groups] == [drama, comedy]
        assert groups[0].titles == both[:2]
        assert groups[1].titles == [both[2], only_comedy]

    def test_a_genre_left_empty_by_the_others_is_dropped(self, alice_profile: Profile) -> None:
        drama, comedy = GenreFactory(name="Drama"), GenreFactory(name="Comedy")
        TitleFactory(name="Both", genres=[drama, comedy])
        TitleFactory(name="Drama only", genres=[drama])

        groups = onboarding_groups(profile=alice_profile)

        assert [g.genre for g in groups] == [drama]

    def test_kids_never_see_titles_above_their_limit(self, kid: Profile) -> None:
        drama = GenreFactory(name="Drama")
        adult = TitleFactory(name="Adult Hit", maturity_rating="R", genres=[drama])
        make_popular(adult, 10)
        family = TitleFactory(name="Family Hit", maturity_rating="PG", genres=[drama])

        groups = onboarding_groups(profile=kid)

        assert [t for g in groups for t in g.titles] == [family]
        assert onboarding_search(profile=kid, query="Hit") == [family]

    def test_adults_find_them(self, alice_profile: Profile) -> None:
        adult = TitleFactory(name="Adult Hit", maturity_rating="R")
        assert onboarding_search(profile=alice_profile, query="Adult") == [adult]

    def test_not_interested_and_unpublished_titles_are_left_out(
        self, alice_profile: Profile
    ) -> None:
        drama = GenreFactory(name="Drama")
        refused = TitleFactory(name="Refused", genres=[drama])
        hidden = TitleFactory(name="Hidden", genres=[drama], is_published=False)
        kept = TitleFactory(name="Kept", genres=[drama])
        for title in (refused, hidden):
            make_popular(title, 4)
        NotInterestedFactory(profile=alice_profile, title=refused)

        [group] = onboarding_groups(profile=alice_profile)

        assert group.titles == [kept]

    def test_an_empty_catalogue_has_no_groups(
        self, alice_profile: Profile, django_assert_num_queries: object
    ) -> None:
        catalogue()
        # The profile's refusals only.
        with django_assert_num_queries(1):
            assert onboarding_groups(profile=alice_profile) == []

    @pytest.mark.parametrize("size", [10, 40])
    def test_three_queries_whatever_the_catalogue(
        self, alice_profile: Profile, size: int, django_assert_num_queries: object
    ) -> None:
        genres = [GenreFactory(name=f"Genre {i}") for i in range(4)]
        for i in range(size):
            title = TitleFactory(genres=[genres[i % 4], genres[(i + 1) % 4]])
            make_popular(title, i % 3)
        catalogue()  # the process's arrays: popularity and genres, built once
        # 1. the profile's refusals, 2. the titles shown, 3. their genres
        with django_assert_num_queries(3):
            groups = onboarding_groups(profile=alice_profile, genres=4, per_genre=4)
        assert sum(len(g.titles) for g in groups) == min(size, 16)


class TestComplete:
    def test_picks_become_thumbs_up_from_onboarding(
        self, alice_profile: Profile, films: list[Title]
    ) -> None:
        before = alice_profile.signals_changed_at

        recorded = onboarding_complete(profile=alice_profile, title_ids=[f.pk for f in films[:3]])

        assert recorded == 3
        ratings = Rating.objects.filter(profile=alice_profile)
        assert {r.title_id for r in ratings} == {f.pk for f in films[:3]}
        assert {(r.thumbs, r.stars, r.source) for r in ratings} == {
            (Thumbs.UP, Decimal("4.0"), Source.ONBOARDING)
        }
        alice_profile.refresh_from_db()
        assert alice_profile.onboarded_at is not None
        assert alice_profile.signals_changed_at > before

    def test_ids_may_come_as_text_and_repeat(
        self, alice_profile: Profile, films: list[Title]
    ) -> None:
        ids = [str(f.pk) for f in films[:3]]
        assert onboarding_complete(profile=alice_profile, title_ids=ids + ids) == 3

    def test_an_existing_rating_is_kept(self, alice_profile: Profile, films: list[Title]) -> None:
        services.rating_set(profile=alice_profile, title=films[0], stars="1.5")

        recorded = onboarding_complete(profile=alice_profile, title_ids=[f.pk for f in films[:3]])

        assert recorded == 2
        kept = Rating.objects.get(profile=alice_profile, title=films[0])
        assert (kept.stars, kept.source) == (Decimal("1.5"), Source.SITE)

    @pytest.mark.parametrize("count", [0, 2])
    def test_fewer_than_three_writes_nothing(
        self, alice_profile: Profile, films: list[Title], count: int
    ) -> None:
        with pytest.raises(ValidationError, match="at least 3"):
            onboarding_complete(profile=alice_profile, title_ids=[f.pk for f in films[:count]])
        assert not Rating.objects.exists()
        alice_profile.refresh_from_db()
        assert alice_profile.onboarded_at is None

    def test_the_same_title_twice_is_one_pick(
        self, alice_profile: Profile, films: list[Title]
    ) -> None:
        with pytest.raises(ValidationError, match="you picked 2"):
            onboarding_complete(profile=alice_profile, title_ids=[films[0].pk] * 2 + [films[1].pk])

    def test_a_title_above_the_limit_is_refused_unnamed_and_nothing_written(
        self, kid: Profile, films: list[Title]
    ) -> None:
        adult = TitleFactory(name="Adult Hit", maturity_rating="R")
        ids = [adult.pk, *(f.pk for f in films[:3])]
        with pytest.raises(ValidationError) as error:
            onboarding_complete(profile=kid, title_ids=ids)
        # Not named: a kids profile must not learn mature titles by posting ids.
        assert error.value.messages == ["A pick is above Kid’s maturity limit."]
        assert not Rating.objects.exists()
        kid.refresh_from_db()
        assert kid.onboarded_at is None

    @pytest.mark.parametrize("bad", ["unknown", "unpublished", "text", "huge", "negative"])
    def test_unknown_unpublished_or_junk_ids_write_nothing(
        self, alice_profile: Profile, films: list[Title], bad: str
    ) -> None:
        bad_id = {
            "unknown": str(max(f.pk for f in films) + 1000),
            "unpublished": str(TitleFactory(is_published=False).pk),
            "text": "drop table",
            "huge": "9" * 30,
            "negative": "-1",
        }[bad]
        with pytest.raises(ValidationError) as error:
            onboarding_complete(
                profile=alice_profile, title_ids=[bad_id, *(f.pk for f in films[:3])]
            )
        expected = "no longer in the" if bad in ("unknown", "unpublished") else "not a title"
        assert expected in " ".join(error.value.messages)
        assert not Rating.objects.exists()

    def test_every_problem_is_named(self, kid: Profile, films: list[Title]) -> None:
        adult = TitleFactory(name="Adult Hit", maturity_rating="TV-MA")
        gone = TitleFactory(is_published=False)
        with pytest.raises(ValidationError) as error:
            onboarding_complete(
                profile=kid, title_ids=[adult.pk, gone.pk, *(f.pk for f in films[:3])]
            )
        assert error.value.messages == [
            "A pick is above Kid’s maturity limit.",
            "Some picks are no longer in the catalogue: pick again.",
        ]

    def test_too_many_picks_are_refused(self, alice_profile: Profile) -> None:
        titles = TitleFactory.create_batch(MAX_PICKS + 1)
        with pytest.raises(ValidationError, match=f"at most {MAX_PICKS}"):
            onboarding_complete(profile=alice_profile, title_ids=[t.pk for t in titles])
        assert not Rating.objects.exists()

    def test_the_first_stamp_stays(self, alice_profile: Profile, films: list[Title]) -> None:
        onboarding_skip(profile=alice_profile)
        first = Profile.objects.get(pk=alice_profile.pk).onboarded_at
        onboarding_complete(profile=alice_profile, title_ids=[f.pk for f in films[:3]])
        assert Profile.objects.get(pk=alice_profile.pk).onboarded_at == first


class TestPage:
    def test_needs_a_profile(self, client: Client, alice: User) -> None:
        client.force_login(alice)
        response = client.get(onboarding_url())
        assert response.status_code == 302
        assert reverse("accounts:profile_picker") in response["Location"]

    def test_signed_out_viewers_are_sent_to_sign_in(self, client: Client) -> None:
        response = client.get(onboarding_url())
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]

    def test_shows_popular_titles_by_genre_as_checkboxes(
        self, alice_client: Client, films: list[Title]
    ) -> None:
        page = alice_client.get(onboarding_url()).text
        assert "Pick 3 or more titles you like" in page
        assert re.search(r"<h2[^>]*>Drama</h2>", page)
        assert films[0].poster_url in page
        assert sorted(offered(page)) == sorted(f.pk for f in films)
        assert not ticked(page)
        assert "Skip for now" in page
        assert "js/onboarding.js" in page
        assert "<script>" not in page  # no inline script

    @pytest.mark.parametrize("size", [10, 30])
    def test_query_count_does_not_grow_with_the_catalogue(
        self, alice_client: Client, size: int, django_assert_num_queries: object
    ) -> None:
        genres = [GenreFactory(name=f"Genre {i}") for i in range(5)]
        for i in range(size):
            title = TitleFactory(genres=[genres[i % 5], genres[(i + 2) % 5]])
            make_popular(title, i % 4)
        catalogue()  # the process's arrays: popularity and genres, built once
        # 1. the account with its profile (the session comes from the cache), 2. the
        # profile's refusals, 3. the titles shown, 4. their genres, 5. the account's
        # profiles for the header
        with django_assert_num_queries(5):
            response = alice_client.get(onboarding_url())
        assert response.status_code == 200
        assert len(offered(response.text)) == size

    def test_kids_never_see_adult_titles_not_even_by_search(
        self, kid_client: Client, films: list[Title]
    ) -> None:
        adult = TitleFactory(
            name="Film Noir Adult", maturity_rating="R", genres=films[0].genres.all()
        )
        make_popular(adult, 10)
        for url in (onboarding_url(), onboarding_url() + "?q=Film"):
            page = kid_client.get(url).text
            assert adult.pk not in offered(page)
            assert "Film Noir Adult" not in page
        search = kid_client.get(onboarding_url() + "?q=Adult", headers=HTMX_SEARCH).text
        assert adult.pk not in offered(search)

    def test_search_filters_the_grid(self, alice_client: Client, films: list[Title]) -> None:
        arrival = TitleFactory(name="Arrival")
        page = alice_client.get(onboarding_url(), {"q": "arrival"}).text
        assert offered(page) == [arrival.pk]
        assert "for “arrival”" in page

    def test_htmx_search_returns_only_the_results_keeping_the_ticks(
        self, alice_client: Client, films: list[Title]
    ) -> None:
        arrival = TitleFactory(name="Arrival")
        response = alice_client.get(
            onboarding_url(), {"q": "arrival", "titles": [films[0].pk]}, headers=HTMX_SEARCH
        )
        assert response.status_code == 200
        assert "<html" not in response.text
        assert "Pick 3 or more" not in response.text
        assert offered(response.text) == [films[0].pk, arrival.pk]
        assert ticked(response.text) == {films[0].pk}
        assert "Your picks" in response.text

    def test_picks_survive_a_search_without_javascript(
        self, alice_client: Client, films: list[Title]
    ) -> None:
        arrival = TitleFactory(name="Arrival")
        response = alice_client.post(
            onboarding_url(), {"search": "1", "q": "arrival", "titles": [films[0].pk, arrival.pk]}
        )
        # A GET of its own: reloading or going back never re-posts, no CSRF token in the URL.
        assert response.status_code == 302
        assert "csrf" not in response["Location"]
        page = alice_client.get(response["Location"]).text
        assert ticked(page) == {films[0].pk, arrival.pk}
        assert set(offered(page)) == {films[0].pk, arrival.pk}

        back = alice_client.post(
            onboarding_url(), {"search": "clear", "q": "arrival", "titles": [arrival.pk]}
        )
        page = alice_client.get(back["Location"]).text
        assert ticked(page) == {arrival.pk}
        assert set(offered(page)) == {arrival.pk, *(f.pk for f in films)}

    def test_continue_rates_the_picks_and_goes_home(
        self, alice_client: Client, alice_profile: Profile, films: list[Title]
    ) -> None:
        response = alice_client.post(
            onboarding_url(), {"continue": "1", "titles": [f.pk for f in films[:4]]}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("recommendations:home")
        assert Rating.objects.filter(profile=alice_profile, source=Source.ONBOARDING).count() == 4
        alice_profile.refresh_from_db()
        assert alice_profile.onboarded_at is not None
        assert "start from your picks" in alice_client.get(onboarding_url()).text

    @pytest.mark.parametrize(
        ("next_url", "expected"),
        [("/browse/", "/browse/"), ("https://evil.example/", "/")],
    )
    def test_continue_goes_to_a_safe_next(
        self, alice_client: Client, films: list[Title], next_url: str, expected: str
    ) -> None:
        response = alice_client.post(
            onboarding_url(), {"titles": [f.pk for f in films[:3]], "next": next_url}
        )
        assert response["Location"] == expected

    def test_too_few_picks_show_the_error_with_the_picks_still_ticked(
        self, alice_client: Client, alice_profile: Profile, films: list[Title]
    ) -> None:
        response = alice_client.post(onboarding_url(), {"titles": [films[0].pk, films[1].pk]})
        assert response.status_code == 400
        assert "Pick at least 3 titles you like (you picked 2)" in response.text
        assert 'role="alert"' in response.text
        assert ticked(response.text) == {films[0].pk, films[1].pk}
        assert "Pick 3 or more titles you like" in response.text  # the whole page
        assert not Rating.objects.exists()
        alice_profile.refresh_from_db()
        assert alice_profile.onboarded_at is None

    def test_a_forbidden_pick_is_refused_and_nothing_written(
        self, kid_client: Client, kid: Profile, films: list[Title]
    ) -> None:
        adult = TitleFactory(name="Adult Hit", maturity_rating="R")
        ids = [adult.pk, *(f.pk for f in films[:3])]
        response = kid_client.post(onboarding_url(), {"titles": ids})
        assert response.status_code == 400
        assert "A pick is above Kid’s maturity limit." in response.text
        assert "Adult Hit" not in response.text
        assert ticked(response.text) == {f.pk for f in films[:3]}
        assert not Rating.objects.exists()

    def test_skip(self, alice_client: Client, alice_profile: Profile, films: list[Title]) -> None:
        response = alice_client.post(onboarding_url(), {"skip": "1", "titles": [films[0].pk]})
        assert response.status_code == 302
        assert response["Location"] == reverse("recommendations:home")
        alice_profile.refresh_from_db()
        assert alice_profile.onboarded_at is not None
        assert not Rating.objects.exists()

    def test_csrf_is_required(self, alice: User, alice_profile: Profile) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(alice)
        watch_as(client, alice_profile)
        assert client.post(onboarding_url(), {"skip": "1"}).status_code == 403
        alice_profile.refresh_from_db()
        assert alice_profile.onboarded_at is None

    def test_junk_in_the_address_is_ignored(self, alice_client: Client, films: list[Title]) -> None:
        response = alice_client.get(
            onboarding_url(), {"titles": ["abc", "9" * 30, "-1", str(films[0].pk)]}
        )
        assert response.status_code == 200
        assert ticked(response.text) == {films[0].pk}

    def test_an_empty_catalogue_still_lets_the_profile_skip(self, alice_client: Client) -> None:
        page = alice_client.get(onboarding_url()).text
        assert "nothing to pick from yet" in page
        assert 'name="skip"' in page


def test_tiles_need_no_query_of_their_own(
    alice_profile: Profile, django_assert_num_queries: object
) -> None:
    TitleFactory(name="Arrival", year=2016, genres=[GenreFactory(name="Drama")])
    [group] = onboarding_groups(profile=alice_profile)
    with django_assert_num_queries(0):
        [title] = group.titles
        tile = (title.name, title.year, title.kind, title.poster_url, group.genre.slug)
    assert tile == ("Arrival", 2016, "movie", "/titles/arrival/poster.svg", "drama")


class TestWelcome:
    def test_onboarding_picks_are_no_history(
        self, alice_profile: Profile, films: list[Title]
    ) -> None:
        onboarding_complete(profile=alice_profile, title_ids=[f.pk for f in films[:3]])
        assert not has_history(alice_profile)

    @pytest.mark.parametrize(
        "signal",
        [
            lambda profile, title: WatchProgressFactory(profile=profile, title=title),
            lambda profile, title: ListItemFactory(profile=profile, title=title),
            lambda profile, title: RatingFactory(profile=profile, title=title, source="site"),
        ],
        ids=["watched", "listed", "rated"],
    )
    def test_a_signal_of_its_own_is_history(
        self,
        alice_profile: Profile,
        films: list[Title],
        signal: Callable[[Profile, Title], object],
    ) -> None:
        signal(ProfileFactory(), films[0])  # someone else's counts for nothing
        assert not has_history(alice_profile)
        signal(alice_profile, films[0])
        assert has_history(alice_profile)

    def test_a_new_profile_is_welcomed_and_a_returning_one_welcomed_back(
        self, alice_client: Client, alice_profile: Profile, films: list[Title]
    ) -> None:
        alice_client.post(onboarding_url(), {"continue": "1", "titles": [f.pk for f in films[:3]]})
        page = alice_client.get(reverse("recommendations:home")).text
        assert "<h1>Welcome, Alice</h1>" in page
        WatchProgressFactory(profile=alice_profile, title=films[4], last_position=600)
        page = alice_client.get(reverse("recommendations:home")).text
        assert "<h1>Welcome back, Alice</h1>" in page
