from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Profile, User
from catalog.models import Title
from recommendations import services
from recommendations.models import ListItem, NotInterested, Rating, TasteExclusion, WatchProgress
from tests.factories import (
    EpisodeFactory,
    ProfileFactory,
    SeasonFactory,
    TitleFactory,
    WatchProgressFactory,
)
from tests.helpers import watch_as

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def film() -> Title:
    return TitleFactory(name="Arrival", slug="arrival", runtime_minutes=100)


class TestRating:
    def test_htmx_rating_keeps_the_widget_and_signals_rows(
        self, alice_client: Client, alice_profile: Profile, film: Title
    ) -> None:
        url = reverse("recommendations:rate", args=[film.slug])
        response = alice_client.post(url, {"stars": "4.5"}, headers=HTMX)
        # No redraw: a change made while the request was on its way stays on screen.
        assert response.status_code == 204
        assert response.content == b""
        assert json.loads(response["HX-Trigger"]) == {"signals-changed": {"title": "arrival"}}
        assert Rating.objects.get(profile=alice_profile).stars == Decimal("4.5")

    def test_htmx_clear_redraws_the_widget(
        self, alice_client: Client, alice_profile: Profile, film: Title
    ) -> None:
        services.rating_set(profile=alice_profile, title=film, stars=4)
        url = reverse("recommendations:rate", args=[film.slug])
        response = alice_client.post(url, {"clear": "1", "stars": "4"}, headers=HTMX)
        assert response.status_code == 200
        assert "<html" not in response.text
        assert re.findall(r'id="rate-arrival-[\d.]+" checked', response.text) == []
        assert json.loads(response["HX-Trigger"]) == {"signals-changed": {"title": "arrival"}}
        assert not Rating.objects.filter(profile=alice_profile).exists()

    def test_plain_form_rating_redirects_back(
        self, alice_client: Client, alice_profile: Profile, film: Title
    ) -> None:
        response = alice_client.post(
            reverse("recommendations:rate", args=[film.slug]), {"stars": "3", "next": "/browse/"}
        )
        assert response.status_code == 302
        assert response["Location"] == "/browse/"

    def test_a_bad_rating_is_explained_in_the_widget(
        self, alice_client: Client, film: Title
    ) -> None:
        response = alice_client.post(
            reverse("recommendations:rate", args=[film.slug]), {"stars": "7"}, headers=HTMX
        )
        assert response.status_code == 200
        assert "half steps" in response.text
        assert "HX-Trigger" not in response
        assert not Rating.objects.exists()

    def test_thumbs_accounts_get_thumbs(
        self, alice_client: Client, alice: User, alice_profile: Profile, film: Title
    ) -> None:
        alice.rating_scale = "thumbs"
        alice.save()
        url = reverse("recommendations:rate", args=[film.slug])
        assert alice_client.post(url, {"thumbs": "two_up"}, headers=HTMX).status_code == 204
        response = alice_client.get(url, headers=HTMX)
        assert re.findall(r'name="thumbs" value="(\w+)"[^>]*checked', response.text) == ["two_up"]
        assert "rating-thumbs" in response.text
        rating = Rating.objects.get(profile=alice_profile)
        assert (rating.stars, rating.thumbs) == (Decimal("5.0"), 2)

    def test_clearing(self, alice_client: Client, alice_profile: Profile, film: Title) -> None:
        services.rating_set(profile=alice_profile, title=film, stars=2)
        alice_client.post(reverse("recommendations:rate", args=[film.slug]), {"clear": "1"})
        assert not Rating.objects.exists()

    def test_csrf_is_required(self, alice: User, alice_profile: Profile, film: Title) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(alice)
        watch_as(client, alice_profile)
        url = reverse("recommendations:rate", args=[film.slug])
        assert client.post(url, {"stars": "3"}, headers=HTMX).status_code == 403
        assert not Rating.objects.exists()

    def test_signed_out_viewers_are_sent_to_sign_in(self, client: Client, film: Title) -> None:
        response = client.post(reverse("recommendations:rate", args=[film.slug]), {"stars": "3"})
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]

    def test_unknown_title_is_404(self, alice_client: Client) -> None:
        response = alice_client.post(reverse("recommendations:rate", args=["nope"]), {"stars": 3})
        assert response.status_code == 404

    def test_cards_fetch_the_widget_with_the_profiles_rating(
        self, alice_client: Client, alice_profile: Profile, film: Title
    ) -> None:
        services.rating_set(profile=alice_profile, title=film, stars=4)
        response = alice_client.get(reverse("recommendations:rate", args=[film.slug]), headers=HTMX)
        assert response.status_code == 200
        assert "<html" not in response.text
        assert 'id="rating-arrival"' in response.text
        assert re.findall(r'value="([\d.]+)" id="rate-arrival-[\d.]+" checked', response.text) == [
            "4"
        ]
        assert "HX-Trigger" not in response  # reading the widget is not a signal

    def test_without_js_the_widget_is_on_the_title_page(
        self, alice_client: Client, film: Title
    ) -> None:
        response = alice_client.get(reverse("recommendations:rate", args=[film.slug]))
        assert response.status_code == 302
        assert response["Location"] == film.get_absolute_url() + "#your-rating"
        page = alice_client.get(film.get_absolute_url())
        assert 'id="your-rating"' in page.text

    def test_the_widget_of_a_hidden_title_is_404(self, alice_client: Client, film: Title) -> None:
        film.is_published = False
        film.save()
        url = reverse("recommendations:rate", args=[film.slug])
        assert alice_client.get(url, headers=HTMX).status_code == 404
        assert alice_client.get(url).status_code == 404


class TestCardActions:
    def test_my_list_toggle(
        self, alice_client: Client, alice_profile: Profile, film: Title
    ) -> None:
        url = reverse("recommendations:list_toggle", args=[film.slug])
        added = alice_client.post(url, {"action": "add"}, headers=HTMX)
        assert 'aria-pressed="true"' in added.text
        assert ListItem.objects.filter(profile=alice_profile).exists()
        removed = alice_client.post(url, {"action": "remove"}, headers=HTMX)
        assert 'aria-pressed="false"' in removed.text
        assert not ListItem.objects.exists()

    def test_the_title_page_s_wide_button_comes_back_wide(
        self, alice_client: Client, film: Title
    ) -> None:
        page = alice_client.get(reverse("recommendations:title", args=[film.slug])).text
        assert '<span class="">My List</span>' in page  # its label shows
        url = reverse("recommendations:list_toggle", args=[film.slug])
        added = alice_client.post(url, {"action": "add", "wide": "1"}, headers=HTMX).text
        assert '<span class="">My List</span>' in added
        assert 'name="wide" value="1"' in added  # and stays wide on the next click
        card = alice_client.post(url, {"action": "remove"}, headers=HTMX).text
        assert '<span class="visually-hidden">My List</span>' in card

    def test_not_interested_offers_undo(
        self, alice_client: Client, alice_profile: Profile, film: Title
    ) -> None:
        url = reverse("recommendations:not_interested", args=[film.slug])
        hidden = alice_client.post(url, headers=HTMX)
        assert "Undo" in hidden.text
        assert NotInterested.objects.filter(profile=alice_profile).exists()
        card = alice_client.post(url, {"action": "undo"}, headers=HTMX)
        assert 'class="card"' in card.text
        assert not NotInterested.objects.exists()

    def test_not_interested_titles_leave_the_rows(
        self, alice_client: Client, alice_profile: Profile, film: Title
    ) -> None:
        services.not_interested_add(profile=alice_profile, title=film)
        assert "Arrival" not in alice_client.get(reverse("recommendations:home")).text
        assert "Arrival" in alice_client.get(reverse("catalog:browse")).text

    def test_taste_exclusion_toggle(
        self, alice_client: Client, alice_profile: Profile, film: Title
    ) -> None:
        url = reverse("recommendations:taste_exclusion", args=[film.slug])
        response = alice_client.post(url, {"excluded": "on"}, headers=HTMX)
        assert "use it again" in response.text
        assert TasteExclusion.objects.filter(profile=alice_profile).exists()

    def test_cards_show_progress(
        self, alice_client: Client, alice_profile: Profile, film: Title
    ) -> None:
        WatchProgressFactory(profile=alice_profile, title=film, last_position=3000)
        page = alice_client.get(reverse("recommendations:home")).text
        assert "50% watched" in page
        assert "Resume: Arrival" in page


class TestTitlePage:
    def test_shows_rating_list_and_play(
        self, alice_client: Client, alice_profile: Profile, film: Title
    ) -> None:
        services.rating_set(profile=alice_profile, title=film, stars=4)
        page = alice_client.get(film.get_absolute_url()).text
        assert reverse("recommendations:player", args=[film.slug]) in page
        assert "My List" in page
        assert re.findall(r'value="([\d.]+)" id="rate-arrival-[\d.]+" checked', page) == ["4"]
        assert "Don’t use this for my recommendations" in page

    def test_mark_as_watched_and_remove_from_history(
        self, alice_client: Client, alice_profile: Profile, film: Title
    ) -> None:
        alice_client.post(reverse("recommendations:mark_watched", args=[film.slug]))
        assert WatchProgress.objects.get(profile=alice_profile).completed
        assert "Watched" in alice_client.get(film.get_absolute_url()).text
        alice_client.post(reverse("recommendations:history_remove", args=[film.slug]))
        assert not WatchProgress.objects.exists()

    def test_series_resume_names_the_episode(
        self, alice_client: Client, alice_profile: Profile
    ) -> None:
        show = TitleFactory(kind=Title.Kind.SERIES)
        season = SeasonFactory(title=show, number=1)
        EpisodeFactory(season=season, number=1)
        page = alice_client.get(show.get_absolute_url()).text
        assert "Play S1:E1" in page


class TestPlayer:
    def test_player_page_starts_where_the_profile_stopped(
        self, alice_client: Client, alice_profile: Profile, film: Title
    ) -> None:
        WatchProgressFactory(profile=alice_profile, title=film, last_position=1234)
        page = alice_client.get(reverse("recommendations:player", args=[film.slug])).text
        assert 'data-start="1234"' in page
        assert 'data-runtime="6000"' in page
        assert "js/player.js" in page
        assert "<script>" not in page  # no inline script

    def test_finished_titles_start_again(
        self, alice_client: Client, alice_profile: Profile, film: Title
    ) -> None:
        services.watch_mark_watched(profile=alice_profile, title=film)
        page = alice_client.get(reverse("recommendations:player", args=[film.slug])).text
        assert 'data-start="0"' in page

    def test_series_player_plays_an_episode(
        self, alice_client: Client, alice_profile: Profile
    ) -> None:
        show = TitleFactory(kind=Title.Kind.SERIES)
        season = SeasonFactory(title=show, number=1)
        first = EpisodeFactory(season=season, number=1, name="Pilot")
        EpisodeFactory(season=season, number=2, name="Second")
        page = alice_client.get(reverse("recommendations:player", args=[show.slug])).text
        assert f'data-episode="{first.pk}"' in page
        assert "Next: S1:E2 Second" in page

    def test_kids_cannot_play_adult_titles(self, client: Client, alice: User) -> None:
        kid = services_profile_kid(alice)
        client.force_login(alice)
        watch_as(client, kid)
        adult = TitleFactory(maturity_rating="R")
        assert client.get(reverse("recommendations:player", args=[adult.slug])).status_code == 404

    def test_needs_a_profile(self, client: Client, alice: User, film: Title) -> None:
        client.force_login(alice)
        response = client.get(reverse("recommendations:player", args=[film.slug]))
        assert response.status_code == 302
        assert reverse("accounts:profile_picker") in response["Location"]


def services_profile_kid(account: User) -> Profile:
    from accounts.services import profile_create

    return profile_create(account=account, name="Kid", is_kids=True)


class TestListPages:
    @pytest.fixture
    def activity(self, alice_profile: Profile) -> list[Title]:
        titles = [TitleFactory(name=f"Watched {i}") for i in range(6)]
        for title in titles:
            services.watch_mark_watched(profile=alice_profile, title=title)
            services.list_add(profile=alice_profile, title=title)
            services.not_interested_add(profile=alice_profile, title=title)
        for title in titles[:3]:
            services.rating_set(profile=alice_profile, title=title, stars=4)
        return titles

    @pytest.mark.parametrize(
        ("name", "queries"),
        [
            # 1. the account with its profile (the session comes from the cache), 2. rows
            # (with titles, ratings and exclusions as subqueries or joins), 3. the
            # account's profiles
            ("recommendations:history", 3),
            ("recommendations:ratings", 3),
            ("recommendations:my_list", 3),
            ("recommendations:not_interested_list", 3),
            ("recommendations:rate_watched", 3),
        ],
    )
    def test_query_counts(
        self,
        alice_client: Client,
        activity: list[Title],
        django_assert_num_queries: object,
        name: str,
        queries: int,
    ) -> None:
        with django_assert_num_queries(queries):
            response = alice_client.get(reverse(name))
        assert response.status_code == 200
        assert "Watched 0" in response.text or name == "recommendations:rate_watched"

    def test_rate_what_you_watched_lists_only_unrated(
        self, alice_client: Client, activity: list[Title]
    ) -> None:
        page = alice_client.get(reverse("recommendations:rate_watched")).text
        assert "Watched 5" in page
        assert "Watched 0" not in page

    def test_history_filters_by_kind(self, alice_client: Client, activity: list[Title]) -> None:
        page = alice_client.get(reverse("recommendations:history") + "?kind=series").text
        assert "Watched 0" not in page
        assert "Nothing watched yet" in page

    def test_history_remove_by_htmx(
        self, alice_client: Client, alice_profile: Profile, activity: list[Title]
    ) -> None:
        response = alice_client.post(
            reverse("recommendations:history_remove", args=[activity[0].slug]), headers=HTMX
        )
        assert response.status_code == 200
        assert response.text == ""
        assert not WatchProgress.objects.filter(profile=alice_profile, title=activity[0]).exists()

    def test_pages_only_show_this_profile(
        self, alice_client: Client, alice: User, activity: list[Title]
    ) -> None:
        other = ProfileFactory(account=alice, name="Theo")
        watch_as(alice_client, other)
        assert "Watched 0" not in alice_client.get(reverse("recommendations:history")).text


class TestPrivateSession:
    def test_toggle_from_the_menu(self, alice_client: Client, alice_profile: Profile) -> None:
        alice_client.post(reverse("recommendations:onboarding"), {"skip": "1"})
        alice_client.post(reverse("profile_data:private_session"), {"enabled": "on", "next": "/"})
        alice_profile.refresh_from_db()
        assert alice_profile.private_session
        assert "Private session: on" in alice_client.get(reverse("recommendations:home")).text
