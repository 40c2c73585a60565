"""Search, the same on SQLite and PostgreSQL: typos, words in any order, accents, and
genres, moods, themes and people named in the box, each result saying why it is there.

Every test here runs on both databases (the suite runs on PostgreSQL when DATABASE_URL
points there); none is skipped on either.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Profile
from catalog.models import Credit, Genre, Person, Tag, Title
from catalog.search import SearchResults, search
from tests.factories import CreditFactory, GenreFactory, PersonFactory, TagFactory, TitleFactory
from tests.helpers import watch_as

pytestmark = pytest.mark.django_db


def _names(results: SearchResults) -> list[str]:
    return [hit.title.name for hit in results.hits]


def _why(results: SearchResults) -> dict[str, str]:
    return {hit.title.name: hit.why for hit in results.hits}


@pytest.fixture
def western() -> Genre:
    return GenreFactory(name="Western", slug="western")


@pytest.fixture
def evening(western: Genre) -> dict[str, Title]:
    """A small catalogue where each kind of match has exactly one right answer."""
    drama = GenreFactory(name="Drama", slug="drama")
    titles = {
        "thunder": TitleFactory(
            name="Thunder in the Dust", synopsis="Two drifters cross a dry county.", genres=[drama]
        ),
        "malmo": TitleFactory(name="Malmö Nights", synopsis="A ferry, a bridge, a winter."),
        "ridge": TitleFactory(
            name="Dead Man’s Ridge",
            synopsis="A sheriff waits for the noon train.",
            genres=[western],
        ),
        "quiet": TitleFactory(
            name="Quiet Waters", synopsis="Sisters keep a lighthouse.", genres=[drama]
        ),
    }
    revenge = TagFactory(name="revenge", slug="revenge", kind=Tag.Kind.THEME)
    gloomy = TagFactory(name="gloomy", slug="gloomy", kind=Tag.Kind.MOOD)
    titles["ridge"].tags.add(revenge)
    titles["quiet"].tags.add(gloomy)
    CreditFactory(
        title=titles["quiet"], person=PersonFactory(name="Mira Solvang"), role=Credit.Role.ACTOR
    )
    CreditFactory(
        title=titles["ridge"], person=PersonFactory(name="Søren Kjær"), role=Credit.Role.DIRECTOR
    )
    return titles


class TestTextMatches:
    def test_it_forgives_a_typo(self, evening: dict[str, Title]) -> None:
        assert _names(search(query="thundr", profile=None)) == ["Thunder in the Dust"]

    def test_it_finds_words_in_any_order(self, evening: dict[str, Title]) -> None:
        assert _names(search(query="dust thunder", profile=None))[0] == "Thunder in the Dust"

    def test_it_ignores_accents_both_ways(self, evening: dict[str, Title]) -> None:
        assert _names(search(query="malmo", profile=None)) == ["Malmö Nights"]
        assert _names(search(query="MALMÖ", profile=None)) == ["Malmö Nights"]
        TitleFactory(name="Cafe Society")
        assert _names(search(query="café", profile=None)) == ["Cafe Society"]

    def test_it_matches_a_word_still_being_typed(self, evening: dict[str, Title]) -> None:
        assert _names(search(query="thund", profile=None))[0] == "Thunder in the Dust"

    def test_a_name_match_says_nothing_more(self, evening: dict[str, Title]) -> None:
        assert _why(search(query="thunder dust", profile=None)) == {"Thunder in the Dust": ""}

    def test_a_synopsis_match_says_so(self, evening: dict[str, Title]) -> None:
        assert _why(search(query="lighthouse", profile=None)) == {"Quiet Waters": "In the synopsis"}

    def test_exact_words_come_before_look_alikes(self) -> None:
        TitleFactory(name="Harbour Lights")
        TitleFactory(name="Harbor")
        TitleFactory(name="Quiet Waters", synopsis="A harbor town keeps a secret.")
        assert _names(search(query="harbor", profile=None)) == [
            "Harbor",
            "Quiet Waters",
            "Harbour Lights",
        ]

    def test_unrelated_titles_stay_out(self, evening: dict[str, Title]) -> None:
        assert search(query="zeppelin", profile=None).hits == []


class TestNamedThings:
    def test_a_genre_word_finds_the_genre_and_says_why(self, evening: dict[str, Title]) -> None:
        results = search(query="western", profile=None)
        assert _why(results) == {"Dead Man’s Ridge": "Genre: Western"}
        assert [(genre.name, genre.url) for genre in results.genres] == [
            ("Western", "/browse/western/")
        ]

    def test_a_genre_word_with_a_typo(self, evening: dict[str, Title]) -> None:
        assert _why(search(query="westrn", profile=None)) == {"Dead Man’s Ridge": "Genre: Western"}

    def test_a_mood_word(self, evening: dict[str, Title]) -> None:
        assert _why(search(query="gloomy", profile=None)) == {"Quiet Waters": "Mood: Gloomy"}

    def test_a_theme_word(self, evening: dict[str, Title]) -> None:
        assert _why(search(query="Revenge", profile=None)) == {"Dead Man’s Ridge": "Theme: Revenge"}

    def test_an_actor_finds_the_person_and_their_titles(self, evening: dict[str, Title]) -> None:
        results = search(query="mira solvang", profile=None)
        assert [person.name for person in results.people] == ["Mira Solvang"]
        assert results.people[0].url == Person.objects.get(name="Mira Solvang").get_absolute_url()
        assert _why(results) == {"Quiet Waters": "Cast: Mira Solvang"}

    def test_a_surname_first_and_without_accents(self, evening: dict[str, Title]) -> None:
        # "ø" has no decomposition: folding maps it to "o" as unaccent does.
        results = search(query="kjaer soren", profile=None)
        assert [person.name for person in results.people] == ["Søren Kjær"]
        assert _why(results) == {"Dead Man’s Ridge": "Director: Søren Kjær"}

    def test_a_title_named_like_the_genre_comes_first(self, evening: dict[str, Title]) -> None:
        TitleFactory(name="Western Skies", synopsis="Clouds.")
        results = search(query="western", profile=None)
        assert _names(results) == ["Western Skies", "Dead Man’s Ridge"]
        assert _why(results) == {"Western Skies": "", "Dead Man’s Ridge": "Genre: Western"}

    def test_the_page_shows_why(self, client: Client, evening: dict[str, Title]) -> None:
        response = client.get(reverse("catalog:search") + "?q=western")
        assert response.status_code == 200
        assert "Dead Man’s Ridge" in response.text
        assert '<p class="search-why">Genre: Western</p>' in response.text
        assert 'href="/browse/western/"' in response.text

    def test_the_live_fragment_shows_why(self, client: Client, evening: dict[str, Title]) -> None:
        response = client.get(
            reverse("catalog:search") + "?q=solvang",
            headers={"HX-Request": "true", "HX-Target": "search-results"},
        )
        assert "<html" not in response.text
        assert '<p class="search-why">Cast: Mira Solvang</p>' in response.text


class TestKidsProfiles:
    @pytest.fixture
    def kid(self, alice_profile: Profile) -> Profile:
        from accounts.services import profile_create

        return profile_create(account=alice_profile.account, name="Kid", is_kids=True)

    def test_a_genre_never_shows_titles_above_the_limit(self, kid: Profile, western: Genre) -> None:
        TitleFactory(name="Pony Express", maturity_rating="G", genres=[western])
        TitleFactory(name="Blood Meridian", maturity_rating="R", genres=[western])
        assert _names(search(query="western", profile=kid)) == ["Pony Express"]
        assert _names(search(query="blood meridian", profile=kid)) == []
        assert _names(search(query="blod meridan", profile=kid)) == []

    def test_people_known_only_for_titles_above_the_limit_stay_hidden(self, kid: Profile) -> None:
        CreditFactory(
            title=TitleFactory(name="Heat", maturity_rating="R"),
            person=PersonFactory(name="Ada Quill"),
        )
        results = search(query="ada quill", profile=kid)
        assert results.people == []
        assert results.hits == []

    def test_the_page_for_a_kids_profile(self, client: Client, kid: Profile) -> None:
        mood = TagFactory(name="gloomy", kind=Tag.Kind.MOOD)
        TitleFactory(name="Rainy Day Bears", maturity_rating="G").tags.add(mood)
        TitleFactory(name="Gloomy Slaughter", maturity_rating="R").tags.add(mood)
        client.force_login(kid.account)
        watch_as(client, kid)
        text = client.get(reverse("catalog:search") + "?q=gloomy").text
        assert "Rainy Day Bears" in text
        assert "Gloomy Slaughter" not in text


class TestTheIndexKeepsUp:
    """Writes that bypass model signals (bulk imports, QuerySet.update) are found at once."""

    def test_a_bulk_created_title(self) -> None:
        Title.objects.bulk_create([Title(name="Bulk Harvest", slug="bulk-harvest")])
        assert _names(search(query="harvest", profile=None)) == ["Bulk Harvest"]

    def test_a_renamed_title(self) -> None:
        title = TitleFactory(name="Working Title")
        Title.objects.filter(pk=title.pk).update(name="Final Cut", synopsis="Edited.")
        assert _names(search(query="final cut", profile=None)) == ["Final Cut"]
        assert _names(search(query="working", profile=None)) == []
        assert _names(search(query="edited", profile=None)) == ["Final Cut"]

    def test_a_deleted_title(self) -> None:
        title = TitleFactory(name="Gone Tomorrow")
        Title.objects.filter(pk=title.pk).delete()
        assert _names(search(query="gone tomorrow", profile=None)) == []

    def test_renamed_people_genres_and_tags(self) -> None:
        title = TitleFactory(name="Plain Name")
        genre = GenreFactory(name="Noir", slug="noir")
        tag = TagFactory(name="sunny", kind=Tag.Kind.MOOD)
        person = PersonFactory(name="First Name")
        title.genres.add(genre)
        title.tags.add(tag)
        CreditFactory(title=title, person=person)
        Genre.objects.filter(pk=genre.pk).update(name="Néo-noir")
        Tag.objects.filter(pk=tag.pk).update(name="stormy")
        Person.objects.filter(pk=person.pk).update(name="Zélie Mornay")
        assert _why(search(query="neo noir", profile=None)) == {"Plain Name": "Genre: Néo-noir"}
        assert _why(search(query="stormy", profile=None)) == {"Plain Name": "Mood: Stormy"}
        assert _why(search(query="zelie", profile=None)) == {"Plain Name": "Cast: Zélie Mornay"}
        assert search(query="noir sunny first", profile=None).hits == []


ODD_QUERIES = [
    "\x00",
    "a\x00b",
    "!!!",
    '"',
    "' OR 1=1 --",
    "%_%",
    "NEAR(a b)",
    "col : x",
    "a* OR b^ NOT c",
    "{name}:-x",
    "\\",
    "é" * 5000,
    "word " * 400,
    "🎬🎞",
    "ﬁlm",
]


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_odd_input_is_an_ordinary_search(client: Client, query: str) -> None:
    TitleFactory(name="Arrival", synopsis="Linguists meet visitors.")
    response = client.get(reverse("catalog:search"), {"q": query})
    assert response.status_code == 200
    assert search(query=query, profile=None).query == response.context["results"].query


def test_a_ligature_is_folded() -> None:
    TitleFactory(name="The Film Club")
    assert _names(search(query="ﬁlm", profile=None)) == ["The Film Club"]


def test_the_api_says_why(client: Client, evening: dict[str, Title]) -> None:
    results = client.get("/api/v1/titles/", {"q": "western"}).json()["results"]
    assert [(t["name"], t["match"]) for t in results] == [("Dead Man’s Ridge", "Genre: Western")]
    plain = client.get("/api/v1/titles/").json()["results"]
    assert {t["match"] for t in plain} == {None}


class TestQueryCounts:
    @pytest.mark.parametrize("count", [5, 40])
    def test_a_genre_search_is_six_queries_however_much_matches(
        self, client: Client, western: Genre, count: int, django_assert_num_queries: object
    ) -> None:
        person = PersonFactory(name="Wes Ford")
        for i in range(count):
            title = TitleFactory(name=f"Film {i:02d}", genres=[western])
            CreditFactory(title=title, person=person, role=Credit.Role.DIRECTOR)
        # 1. titles holding every word (name or synopsis), 2. names that look alike (a
        # typo), asked because fewer than a page matched, 3. people, genres, moods and
        # themes named by the words, 4. the titles of the best of them, most watched
        # first, 5. which of them each of those titles has (its "why"), 6. the cards
        with django_assert_num_queries(6):
            response = client.get(reverse("catalog:search") + "?q=western")
        assert response.status_code == 200
        assert response.text.count('class="card"') == min(count, 30)
        assert response.text.count("Genre: Western") == min(count, 30)

    def test_a_page_of_name_matches_asks_nothing_more(
        self, client: Client, western: Genre, django_assert_num_queries: object
    ) -> None:
        for i in range(40):
            TitleFactory(name=f"Western Trail {i:02d}", genres=[western])
        # 1. titles holding every word: a full page of matching names, 2. people, genres,
        # moods and themes named by the words (listed above the titles; their titles
        # could not outrank a page of names), 3. the cards
        with django_assert_num_queries(3):
            response = client.get(reverse("catalog:search") + "?q=western")
        assert response.text.count('class="card"') == 30
        assert "search-why" not in response.text
        assert 'href="/browse/western/"' in response.text


def test_look_alikes_give_way_to_what_the_words_name(evening: dict[str, Title]) -> None:
    CreditFactory(person=PersonFactory(name="Alma Westergaard"), title=TitleFactory())
    results = search(query="western", profile=None)
    assert results.people == []
    assert [genre.name for genre in results.genres] == ["Western"]
    # Nothing is named exactly: a look-alike is what the viewer may have meant.
    results = search(query="westergard", profile=None)
    assert [person.name for person in results.people] == ["Alma Westergaard"]


def test_the_api_search_is_bounded_in_queries(
    client: Client, western: Genre, django_assert_num_queries: object
) -> None:
    for i in range(40):
        TitleFactory(name=f"Film {i:02d}", genres=[western])
    # 1–6. the search (as on the page: full text, look-alikes, named things, their
    # titles, the "why" of each, the cards), 7. the count, 8. the page of titles with
    # their reasons and ranks, 9. their genres
    with django_assert_num_queries(9):
        response = client.get("/api/v1/titles/", {"q": "western"})
    assert response.json()["count"] == 40
    assert {title["match"] for title in response.json()["results"]} == {"Genre: Western"}
