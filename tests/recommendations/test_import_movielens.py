"""`manage.py import_movielens` against the database.

The readers alone are tested in tests/catalog/test_movielens_formats.py. The fixture folders
in tests/fixtures/movielens are hand-written, a few lines per file, in the format of each
MovieLens flavour. The real ml-100k, when present, is read in place.
"""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Profile, User
from catalog.models import Genre, Tag, Title
from recommendations.importers.movielens import UNDATED_RATED_AT
from recommendations.models import Rating, Thumbs
from tests.factories import GenreFactory, TagFactory, TitleFactory

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "movielens"
ML_100K = FIXTURES / "ml-100k"
ML_1M = FIXTURES / "ml-1m"
ML_1M_NO_TIMESTAMP = FIXTURES / "ml-1m-no-timestamp"
ML_LATEST_SMALL = FIXTURES / "ml-latest-small"
# The shared data sits next to the project: ../shared/data/movielens.
REAL_ML_100K = Path(__file__).resolve().parents[3] / "shared" / "data" / "movielens" / "ml-100k"


def _import(path: Path, *args: str, **options: Any) -> str:
    out = StringIO()
    call_command("import_movielens", str(path), *args, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        "titles": Title.objects.count(),
        "genres": Genre.objects.count(),
        "title genres": Title.genres.through.objects.count(),
        "tags": Tag.objects.count(),
        "title tags": Title.tags.through.objects.count(),
        "users": User.objects.count(),
        "profiles": Profile.objects.count(),
        "ratings": Rating.objects.count(),
    }


def _genres(title: Title) -> list[str]:
    return sorted(genre.name for genre in title.genres.all())


def _at(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


def _rating(flavour: str, user_id: int, movielens_id: int) -> Rating:
    return Rating.objects.get(
        profile__account__email=f"ml-{flavour}-{user_id}@movielens.invalid",
        title__movielens_id=movielens_id,
    )


def _copy(fixture: Path, tmp_path: Path) -> Path:
    folder = tmp_path / fixture.name
    shutil.copytree(fixture, folder)
    return folder


# --------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_imports_ml_100k() -> None:
    output = _import(ML_100K)

    assert _counts() == {
        "titles": 9,
        "genres": 12,
        "title genres": 19,
        "tags": 0,
        "title tags": 0,
        "users": 4,
        "profiles": 4,
        "ratings": 10,
    }
    toy_story = Title.objects.get(movielens_id=1)
    assert (toy_story.name, toy_story.year, toy_story.slug) == ("Toy Story", 1995, "toy-story-1995")
    assert _genres(toy_story) == ["Animation", "Comedy", "Family"]
    assert _genres(Title.objects.get(movielens_id=7)) == ["Drama", "Science Fiction"]
    assert Title.objects.get(movielens_id=543).name == "Les Misérables"
    unknown = Title.objects.get(movielens_id=267)
    assert (unknown.name, unknown.year, _genres(unknown)) == ("unknown", None, [])
    assert Title.objects.get(movielens_id=246).slug == "chasing-amy-1997"
    assert Title.objects.get(movielens_id=268).slug == "chasing-amy-1997-2"
    assert not Genre.objects.filter(name__in=["unknown", "Sci-Fi", "Children's"]).exists()
    assert set(Title.objects.values_list("kind", "maturity_rating", "is_published")) == {
        ("movie", "NR", True)
    }
    rating = _rating("100k", 1, 1)
    assert (rating.stars, rating.thumbs, rating.scale, rating.source) == (
        Decimal("5.0"), Thumbs.TWO_UP, "stars", "import"
    )  # fmt: skip
    assert rating.rated_at == _at(874965758)
    assert _rating("100k", 2, 268).thumbs == Thumbs.DOWN
    assert _rating("100k", 3, 73).thumbs == Thumbs.UP
    assert "titles 9 created" in output
    assert "users 4 created" in output
    assert "ratings 10 added, 0 skipped" in output


@pytest.mark.django_db
def test_it_creates_one_account_and_profile_per_user_even_without_ratings() -> None:
    _import(ML_100K)

    account = User.objects.get(email="ml-100k-4@movielens.invalid")
    assert not account.has_usable_password()
    assert [profile.name for profile in account.profiles.all()] == ["MovieLens 4"]
    assert not Rating.objects.filter(profile__account=account).exists()
    assert User.objects.get(email="ml-100k-1@movielens.invalid").profiles.get().name == (
        "MovieLens 1"
    )


@pytest.mark.django_db
def test_it_imports_ml_1m_with_timestamps() -> None:
    output = _import(ML_1M)

    counts = _counts()
    assert (counts["titles"], counts["users"], counts["ratings"]) == (8, 5, 10)
    assert Title.objects.get(movielens_id=11).name == "The American President"
    assert Title.objects.get(movielens_id=29).name == "The City of Lost Children"
    assert _genres(Title.objects.get(movielens_id=29)) == ["Adventure", "Science Fiction"]
    assert Title.objects.get(movielens_id=73).name == "Les Misérables"
    contender = Title.objects.get(movielens_id=3952)
    assert (contender.name, contender.year) == ("The Contender", 2000)
    assert _rating("1m", 1, 3952).rated_at == _at(978300275)
    assert _rating("1m", 2, 73).stars == Decimal("1.0")
    assert "ratings 10 added" in output


@pytest.mark.django_db
def test_ratings_without_timestamps_get_the_fixed_date() -> None:
    _import(ML_1M_NO_TIMESTAMP)

    assert Rating.objects.count() == 10
    assert set(Rating.objects.values_list("rated_at", flat=True)) == {UNDATED_RATED_AT}
    assert _rating("1m", 3, 246).stars == Decimal("5.0")


@pytest.mark.django_db
def test_both_ml_1m_rating_files_are_the_same_ratings() -> None:
    _import(ML_1M)

    output = _import(ML_1M_NO_TIMESTAMP)

    assert Rating.objects.count() == 10
    assert "ratings 0 added, 10 skipped" in output
    assert _rating("1m", 1, 1).rated_at == _at(978824291)


@pytest.mark.django_db
def test_it_imports_ml_latest_small_with_half_stars_tags_and_links() -> None:
    output = _import(ML_LATEST_SMALL)

    counts = _counts()
    assert (counts["titles"], counts["users"], counts["ratings"]) == (8, 3, 9)
    assert _rating("latest-small", 1, 11).stars == Decimal("3.5")
    assert _rating("latest-small", 2, 1).stars == Decimal("0.5")
    assert _rating("latest-small", 3, 47).thumbs == Thumbs.TWO_UP
    assert _rating("latest-small", 2, 58).thumbs == Thumbs.DOWN
    assert _rating("latest-small", 1, 11).rated_at == _at(964982224)
    postman = Title.objects.get(movielens_id=58)
    assert (postman.name, postman.year) == ("The Postman (Postino, Il)", 1994)
    marco_polo = Title.objects.get(movielens_id=149532)
    assert (marco_polo.year, _genres(marco_polo), marco_polo.slug) == (
        None, [], "marco-polo-one-hundred-eyes"
    )  # fmt: skip
    assert _genres(Title.objects.get(movielens_id=1)) == [
        "Adventure", "Animation", "Comedy", "Family", "Fantasy"
    ]  # fmt: skip
    toy_story = Title.objects.get(movielens_id=1)
    assert (toy_story.imdb_id, toy_story.tmdb_id) == ("tt0114709", 862)
    assert Title.objects.get(movielens_id=73).tmdb_id is None
    # 176 shares 32's IMDb id in links.csv: the first keeps it.
    assert Title.objects.get(movielens_id=32).imdb_id == "tt0114746"
    assert Title.objects.get(movielens_id=176).imdb_id is None
    tags = {
        title.movielens_id: [tag.name for tag in title.tags.all()]
        for title in Title.objects.prefetch_related("tags")
        if title.tags.all()
    }
    assert tags == {1: ["pixar"], 11: ["politics, romance"], 47: ["twist ending"]}
    assert set(Tag.objects.values_list("kind", flat=True)) == {"theme"}
    assert "1 IMDb/TMDb ids left empty" in output
    assert "tags 3 created, 3 put on titles" in output


@pytest.mark.django_db
@pytest.mark.parametrize("fixture", [ML_100K, ML_1M, ML_1M_NO_TIMESTAMP, ML_LATEST_SMALL])
def test_running_it_again_adds_nothing(fixture: Path) -> None:
    _import(fixture)
    before = _counts()
    ratings_before = sorted(Rating.objects.values_list("id", "stars", "rated_at"))

    output = _import(fixture)

    assert _counts() == before
    assert sorted(Rating.objects.values_list("id", "stars", "rated_at")) == ratings_before
    assert "titles 0 created, 0 updated" in output
    assert "users 0 created" in output
    assert f"ratings 0 added, {before['ratings']} skipped" in output


@pytest.mark.django_db
def test_it_fills_in_ids_of_titles_it_already_has_and_keeps_their_names() -> None:
    _import(ML_1M)
    Title.objects.filter(movielens_id=11).update(name="The American President (curated)")

    output = _import(ML_LATEST_SMALL)

    president = Title.objects.get(movielens_id=11)
    assert (president.name, president.imdb_id, president.tmdb_id) == (
        "The American President (curated)", "tt0112346", 9087
    )  # fmt: skip
    assert "titles 5 created, 3 updated" in output
    assert Title.objects.count() == 13


@pytest.mark.django_db
def test_an_id_another_title_holds_is_left_empty_and_counted() -> None:
    curated = TitleFactory(name="Toy Story", slug="toy-story-1995", imdb_id="tt0114709")

    output = _import(ML_LATEST_SMALL)

    toy_story = Title.objects.get(movielens_id=1)
    assert toy_story != curated
    assert (toy_story.imdb_id, toy_story.tmdb_id, toy_story.slug) == (
        None, 862, "toy-story-1995-2"
    )  # fmt: skip
    assert "2 IMDb/TMDb ids left empty" in output


@pytest.mark.django_db
def test_it_reuses_genres_and_tags_a_curator_made() -> None:
    science_fiction = GenreFactory(name="Science Fiction", slug="sci-fi-films")
    pixar = TagFactory(name="Pixar", slug="pixar")

    _import(ML_LATEST_SMALL)

    assert list(Title.objects.get(movielens_id=32).genres.filter(slug__startswith="sci")) == [
        science_fiction
    ]
    assert list(Title.objects.get(movielens_id=1).tags.all()) == [pixar]
    assert Genre.objects.filter(name__icontains="sci").count() == 1


@pytest.mark.django_db
def test_ml_100k_numbering_is_not_mixed_with_the_others() -> None:
    _import(ML_1M)
    before = _counts()

    with pytest.raises(CommandError, match="ml-100k numbers its films differently"):
        _import(ML_100K)

    assert _counts() == before


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_folder_without_movielens_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a dataset")

    with pytest.raises(CommandError, match=r"No MovieLens files in .*Expected .*movies\.csv"):
        _import(tmp_path)


@pytest.mark.django_db
def test_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="is not a folder"):
        _import(tmp_path / "nowhere")


@pytest.mark.django_db
def test_a_half_dataset_names_what_is_missing(tmp_path: Path) -> None:
    shutil.copy(ML_1M / "movies.dat", tmp_path)

    with pytest.raises(CommandError, match="looks like ml-1m but has neither ratings.dat"):
        _import(tmp_path)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fixture", "file", "line", "text", "message"),
    [
        (ML_100K, "u.data", 5, "2\t1\t4\n", "expected 4 fields separated by '\\t', found 3"),
        (ML_100K, "u.data", 5, "2\tone\t4\t888550871\n", "movie id must be a whole number"),
        (ML_100K, "u.data", 5, "2\t1\t6\t888550871\n", "rating must be 0.5 to 5"),
        (ML_100K, "u.data", 5, "2\t999\t4\t888550871\n", "movie id 999 is not in the movies file"),
        (ML_100K, "u.item", 4, "11|Seven (1995)|01-Jan-1995||x|0|1\n", "expected 24 fields"),
        (ML_1M, "ratings.dat", 5, "2::1::0::978298709\n", "rating must be 0.5 to 5"),
        (ML_1M, "ratings.dat", 5, "2::1::4::-5\n", "timestamp must be a whole number"),
        (ML_1M, "movies.dat", 3, "11::The American President (1995)\n", "expected 3 fields"),
        (ML_1M, "users.dat", 3, "x3::M::25::15::55117\n", "user id must be a whole number"),
        (
            ML_1M_NO_TIMESTAMP, "ratings_no_timestamp.dat", 5, "2::1::4::978298709\n",
            "expected 3 fields",
        ),
        (ML_LATEST_SMALL, "ratings.csv", 5, "2,1,0.75,1445714835\n", "rating must be 0.5 to 5"),
        (ML_LATEST_SMALL, "ratings.csv", 5, "2,1,5.5,1445714835\n", "rating must be 0.5 to 5"),
        (
            ML_LATEST_SMALL, "movies.csv", 3, '11,"American President, The" (1995),Comedy\n',
            "not valid CSV",
        ),
        (
            ML_LATEST_SMALL, "movies.csv", 3, "1,Toy Story again (1995),Comedy\n",
            "movie id 1 appears twice",
        ),
        (
            ML_LATEST_SMALL, "tags.csv", 4, "3,4711,dark,1445714997\n",
            "movie id 4711 is not in the movies file",
        ),
        (ML_LATEST_SMALL, "links.csv", 3, "11,tt0112346,9087\n", "imdbId must be a whole number"),
    ],
)  # fmt: skip
def test_a_corrupt_line_stops_the_import_and_writes_nothing(
    tmp_path: Path, fixture: Path, file: str, line: int, text: str, message: str
) -> None:
    folder = _copy(fixture, tmp_path)
    path = folder / file
    lines = path.read_bytes().splitlines(keepends=True)
    lines[line - 1] = text.encode("latin-1")
    path.write_bytes(b"".join(lines))
    TitleFactory(name="Already here", slug="already-here")
    before = _counts()

    with pytest.raises(CommandError) as error:
        _import(folder)

    assert str(error.value).startswith(f"{file}, line {line}: ")
    assert message in str(error.value)
    assert _counts() == before


@pytest.mark.django_db
def test_bytes_that_are_not_utf8_in_a_csv_file_are_a_corrupt_line(tmp_path: Path) -> None:
    folder = _copy(ML_LATEST_SMALL, tmp_path)
    path = folder / "movies.csv"
    # Latin-1 where UTF-8 belongs: the é of "Misérables" as one byte.
    path.write_bytes(
        path.read_bytes().replace("Misérables".encode(), "Misérables".encode("latin-1"))
    )

    with pytest.raises(CommandError, match=r"movies.csv, line 7: byte 0xe9 .*\(bad encoding\)"):
        _import(folder)

    assert _counts()["titles"] == 0


@pytest.mark.django_db
def test_the_corrupt_fixture_leaves_the_database_as_it_was() -> None:
    _import(ML_LATEST_SMALL)
    before = _counts()
    accounts = list(User.objects.order_by("pk").values_list("pk", "email"))

    with pytest.raises(
        CommandError, match=r"^ratings.dat, line 5: rating must be 0.5 to 5 in half steps, got '7'$"
    ):
        _import(FIXTURES / "corrupt-ml-1m")

    assert _counts() == before
    assert list(User.objects.order_by("pk").values_list("pk", "email")) == accounts


@pytest.mark.django_db
def test_a_failure_while_writing_rolls_everything_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from recommendations.importers import movielens

    def explode(*args: object, **kwargs: object) -> tuple[int, int]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(movielens, "tags_attach", explode)

    with pytest.raises(RuntimeError, match="disk full"):
        _import(ML_LATEST_SMALL)

    assert set(_counts().values()) == {0}


@pytest.mark.django_db
def test_unknown_films_can_be_skipped_and_are_counted(tmp_path: Path) -> None:
    folder = _copy(ML_1M, tmp_path)
    with (folder / "ratings.dat").open("a") as ratings:
        ratings.write("5::100278::3::978300000\n5::100831::4::978300001\n")

    output = _import(folder, "--skip-unknown-movies")

    assert Rating.objects.count() == 10
    assert "(2 of unknown films left out)" in output


@pytest.mark.django_db
def test_no_progress_is_accepted_and_prints_only_the_summary() -> None:
    err = StringIO()
    out = StringIO()

    call_command("import_movielens", str(ML_1M), "--no-progress", stdout=out, stderr=err)

    assert out.getvalue().startswith("MovieLens 1m: titles 8 created")
    assert err.getvalue() == ""


# --------------------------------------------------------------------------------------
# The real ml-100k
# --------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.skipif(not REAL_ML_100K.exists(), reason="the MovieLens 100k data is not here")
def test_the_real_ml_100k_imports_whole_and_once() -> None:
    started = time.perf_counter()
    output = _import(REAL_ML_100K)

    counts = _counts()
    assert (counts["ratings"], counts["users"], counts["profiles"], counts["titles"]) == (
        100_000, 943, 943, 1_682
    )  # fmt: skip
    assert "ratings 100,000 added, 0 skipped" in output
    toy_story = Title.objects.get(movielens_id=1)
    assert (toy_story.name, toy_story.year) == ("Toy Story", 1995)
    assert Rating.objects.filter(title=toy_story).count() == 452
    assert _rating("100k", 196, 242).rated_at == _at(881250949)

    again = _import(REAL_ML_100K)

    assert _counts() == counts
    assert "ratings 0 added, 100,000 skipped" in again
    assert time.perf_counter() - started < 30
