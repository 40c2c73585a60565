from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import Profile
from catalog.models import Credit, Title
from tests.factories import (
    CreditFactory,
    EpisodeFactory,
    GenreFactory,
    PersonFactory,
    SeasonFactory,
    TitleFactory,
)
from tests.helpers import watch_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def drama() -> object:
    return GenreFactory(name="Drama", slug="drama")


def test_home_shows_rows_of_published_titles(client: Client, drama: object) -> None:
    TitleFactory(name="Harbor Lights", genres=[drama])
    TitleFactory(name="Hidden Draft", genres=[drama], is_published=False)
    response = client.get(reverse("recommendations:home"))
    assert response.status_code == 200
    assert "Harbor Lights" in response.text
    assert "Hidden Draft" not in response.text
    assert "New on Marquee" in response.text


def test_home_explains_an_empty_catalogue(client: Client) -> None:
    response = client.get(reverse("recommendations:home"))
    assert "The catalogue is empty" in response.text


def test_genre_page_lists_titles_and_links_the_next_page(client: Client, drama: object) -> None:
    for i in range(30):
        TitleFactory(name=f"Drama {i:02d}", year=1990 + i, genres=[drama])
    response = client.get(reverse("catalog:genre", args=["drama"]))
    assert response.status_code == 200
    assert response.text.count('class="card"') == 24
    # A real link for people without JS, revealed-triggered for HTMX.
    assert 'href="?page=2"' in response.text
    assert 'hx-trigger="revealed"' in response.text


def test_next_page_is_a_fragment_for_htmx(client: Client, drama: object) -> None:
    for i in range(30):
        TitleFactory(name=f"Drama {i:02d}", year=1990 + i, genres=[drama])
    response = client.get(
        reverse("catalog:genre", args=["drama"]) + "?page=2", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.count('class="card"') == 6
    assert "Load more" not in response.text


def test_next_page_without_js_is_a_full_page(client: Client, drama: object) -> None:
    for i in range(30):
        TitleFactory(name=f"Drama {i:02d}", year=1990 + i, genres=[drama])
    response = client.get(reverse("catalog:genre", args=["drama"]) + "?page=2")
    assert "<html" in response.text
    assert response.text.count('class="card"') == 6


def test_browse_filters_by_kind(client: Client) -> None:
    TitleFactory(name="A Film")
    TitleFactory(name="A Show", kind=Title.Kind.SERIES)
    response = client.get(reverse("catalog:browse") + "?kind=series")
    assert "A Show" in response.text
    assert "A Film" not in response.text


def test_unknown_genre_is_a_styled_404(client: Client) -> None:
    response = client.get(reverse("catalog:genre", args=["nope"]))
    assert response.status_code == 404
    assert "Lost your way?" in response.text


def test_bad_page_number_falls_back_to_the_first_page(client: Client, drama: object) -> None:
    TitleFactory(name="Only One", genres=[drama])
    response = client.get(reverse("catalog:genre", args=["drama"]) + "?page=abc")
    assert response.status_code == 200
    assert "Only One" in response.text


def test_title_page_shows_credits_genres_and_episodes(client: Client, drama: object) -> None:
    show = TitleFactory(name="Long Winter", kind=Title.Kind.SERIES, genres=[drama])
    director = PersonFactory(name="Ada Quill")
    actor = PersonFactory(name="Ben Marsh")
    CreditFactory(title=show, person=director, role=Credit.Role.CREATOR)
    CreditFactory(title=show, person=actor, role=Credit.Role.ACTOR, character="The Keeper")
    season = SeasonFactory(title=show, number=1)
    EpisodeFactory(season=season, number=1, name="First Snow")
    response = client.get(show.get_absolute_url())
    assert response.status_code == 200
    for text in ("Long Winter", "Ada Quill", "Ben Marsh", "The Keeper", "Drama", "First Snow"):
        assert text in response.text


def test_unpublished_title_is_404(client: Client) -> None:
    title = TitleFactory(is_published=False)
    assert client.get(title.get_absolute_url()).status_code == 404


def test_person_page_lists_only_published_titles(client: Client) -> None:
    person = PersonFactory(name="Cleo Vance")
    CreditFactory(person=person, title=TitleFactory(name="Out Now"))
    CreditFactory(person=person, title=TitleFactory(name="Not Yet", is_published=False))
    response = client.get(person.get_absolute_url())
    assert response.status_code == 200
    assert "Out Now" in response.text
    assert "Not Yet" not in response.text


def test_person_known_only_for_unpublished_titles_is_404(client: Client) -> None:
    person = PersonFactory()
    CreditFactory(person=person, title=TitleFactory(is_published=False))
    assert client.get(person.get_absolute_url()).status_code == 404


def test_generated_poster_is_svg(client: Client) -> None:
    title = TitleFactory(name="Glass Harbor", year=1999)
    response = client.get(reverse("catalog:poster", args=[title.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "GLASS" in response.text
    assert "1999" in response.text


def test_poster_of_unpublished_title_is_hidden_from_the_public(client: Client) -> None:
    title = TitleFactory(is_published=False)
    assert client.get(reverse("catalog:poster", args=[title.slug])).status_code == 404


class TestSearch:
    def test_it_finds_titles_by_name(self, client: Client) -> None:
        TitleFactory(name="Arrival of Winter")
        TitleFactory(name="Departures")
        response = client.get(reverse("catalog:search") + "?q=arrival")
        assert "Arrival of Winter" in response.text
        assert "Departures" not in response.text

    def test_it_finds_people(self, client: Client) -> None:
        CreditFactory(person=PersonFactory(name="Mira Solvang"), title=TitleFactory())
        response = client.get(reverse("catalog:search") + "?q=solvang")
        assert "Mira Solvang" in response.text

    def test_it_hides_unpublished_titles(self, client: Client) -> None:
        TitleFactory(name="Arrival Draft", is_published=False)
        response = client.get(reverse("catalog:search") + "?q=arrival")
        assert "Arrival Draft" not in response.text
        assert "No titles match" in response.text

    def test_live_results_are_a_fragment(self, client: Client) -> None:
        TitleFactory(name="Arrival")
        response = client.get(
            reverse("catalog:search") + "?q=arr",
            headers={"HX-Request": "true", "HX-Target": "search-results"},
        )
        assert "<html" not in response.text
        assert "Arrival" in response.text

    def test_empty_query_prompts(self, client: Client) -> None:
        response = client.get(reverse("catalog:search"))
        assert response.status_code == 200
        assert "Type to search" in response.text

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL")
    def test_it_matches_stemmed_words_in_the_synopsis(self, client: Client) -> None:
        TitleFactory(name="Quiet Waters", synopsis="Two sisters run a lighthouse in a storm.")
        response = client.get(reverse("catalog:search") + "?q=lighthouses")
        assert "Quiet Waters" in response.text

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL")
    def test_it_matches_a_word_still_being_typed(self, client: Client) -> None:
        TitleFactory(name="When the Lighthouse Falls")
        response = client.get(reverse("catalog:search") + "?q=lighth")
        assert "When the Lighthouse Falls" in response.text

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL")
    def test_exact_matches_come_before_look_alikes(self) -> None:
        from catalog.search import search

        TitleFactory(name="Harbour Lights")
        TitleFactory(name="Harbor")
        TitleFactory(name="Quiet Waters", synopsis="A harbor town keeps a secret.")
        names = [t.name for t in search(query="harbor", profile=None).titles]
        assert names[:2] == ["Harbor", "Quiet Waters"]
        assert "Harbour Lights" in names

    @pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram search is PostgreSQL")
    def test_it_forgives_typos(self, client: Client) -> None:
        TitleFactory(name="Arrival")
        response = client.get(reverse("catalog:search") + "?q=arival")
        assert "Arrival" in response.text


class TestKidsProfiles:
    @pytest.fixture
    def kids_client(self, client: Client, alice_profile: Profile) -> Client:
        from accounts.services import profile_create

        kid = profile_create(account=alice_profile.account, name="Kid", is_kids=True)
        client.force_login(alice_profile.account)
        watch_as(client, kid)
        return client

    def test_rows_and_search_hide_titles_above_the_limit(self, kids_client: Client) -> None:
        TitleFactory(name="Bedtime Bears", maturity_rating="G")
        TitleFactory.create_batch(4, maturity_rating="G")
        TitleFactory(name="Bloody Harbour", maturity_rating="R")
        kids_client.post(reverse("recommendations:onboarding"), {"skip": "1"})
        home = kids_client.get(reverse("recommendations:home")).text
        assert "Bedtime Bears" in home
        assert "Bloody Harbour" not in home
        found = kids_client.get(reverse("catalog:search") + "?q=b").text
        assert "Bloody Harbour" not in found

    def test_title_above_the_limit_is_a_friendly_403(self, kids_client: Client) -> None:
        title = TitleFactory(name="Bloody Harbour", maturity_rating="R")
        response = kids_client.get(title.get_absolute_url())
        assert response.status_code == 403
        assert "Not for this profile" in response.text


class TestQueryCounts:
    def test_genre_page(
        self, client: Client, drama: object, django_assert_num_queries: object
    ) -> None:
        for i in range(30):
            TitleFactory(name=f"Drama {i:02d}", genres=[drama])
        # 1. the genre, 2. one page of titles (+1 row to detect a next page),
        # 3. genres with counts for the chips
        with django_assert_num_queries(3):
            client.get(reverse("catalog:genre", args=["drama"]))

    def test_genre_page_signed_in(
        self, alice_client: Client, drama: object, django_assert_num_queries: object
    ) -> None:
        for i in range(30):
            TitleFactory(name=f"Drama {i:02d}", genres=[drama])
        # 1. the account with its current profile (the session comes from the cache),
        # 2. genre, 3. page of titles, 4. genre chips, 5. the account's profiles for the
        # header
        with django_assert_num_queries(5):
            alice_client.get(reverse("catalog:genre", args=["drama"]))

    def test_title_page(
        self, client: Client, drama: object, django_assert_num_queries: object
    ) -> None:
        show = TitleFactory(kind=Title.Kind.SERIES, genres=[drama])
        for i in range(8):
            CreditFactory(title=show, billing_order=i)
        for number in (1, 2, 3):
            season = SeasonFactory(title=show, number=number)
            for episode in range(1, 6):
                EpisodeFactory(season=season, number=episode)
        TitleFactory.create_batch(3, genres=[drama])  # "More like this"
        client.get(show.get_absolute_url())  # builds this process's catalogue arrays
        # 1. title, 2. genres, 3. tags, 4. credits with people, 5. seasons, 6. episodes,
        # 7. "More like this" cards
        with django_assert_num_queries(7):
            response = client.get(show.get_absolute_url())
        assert response.status_code == 200
        assert "More like this" in response.text

    def test_home(self, client: Client, django_assert_num_queries: object) -> None:
        genres = [GenreFactory(name=f"G{i}") for i in range(8)]
        for i in range(40):
            TitleFactory(genres=[genres[i % 8]])
        # 1. trending titles, 2. new titles, 3. top genres, 4–9. one query per genre row
        with django_assert_num_queries(9):
            client.get(reverse("recommendations:home"))
