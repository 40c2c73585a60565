"""The MovieLens readers, without a database.

The fixture folders in tests/fixtures/movielens are hand-written, a few lines per file, in
the format of each MovieLens flavour.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from catalog.importers.movielens.formats import (
    Dataset,
    DatasetNotFound,
    MovieLensFormatError,
    RatingRow,
    TagRow,
    dataset_detect,
    links_read,
    movies_read,
    ratings_read,
    tags_select,
    title_split,
    users_read,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "movielens"
ML_100K = FIXTURES / "ml-100k"
ML_1M = FIXTURES / "ml-1m"
ML_1M_NO_TIMESTAMP = FIXTURES / "ml-1m-no-timestamp"
ML_LATEST_SMALL = FIXTURES / "ml-latest-small"


def _copy(fixture: Path, tmp_path: Path) -> Path:
    folder = tmp_path / fixture.name
    shutil.copytree(fixture, folder)
    return folder


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Toy Story (1995)", ("Toy Story", 1995)),
        ("Seven (a.k.a. Se7en) (1995)", ("Seven (a.k.a. Se7en)", 1995)),
        ("Postman, The (Il postino) (1994)", ("The Postman (Il postino)", 1994)),
        ("American President, The (1995)", ("The American President", 1995)),
        (
            "Man and a Woman, A (Un homme et une femme) (1966)",
            ("A Man and a Woman (Un homme et une femme)", 1966),
        ),
        ("Blue Angel, The (Blaue Engel, Der) (1930)", ("The Blue Angel (Blaue Engel, Der)", 1930)),
        ("Misérables, Les (1995)", ("Les Misérables", 1995)),
        ("Avventura, L' (1960)", ("L'Avventura", 1960)),
        (
            "Good, the Bad and the Ugly, The (Buono, il brutto, il cattivo, Il) (1966)",
            ("The Good, the Bad and the Ugly (Buono, il brutto, il cattivo, Il)", 1966),
        ),
        ("Fawlty Towers (1975-1979)", ("Fawlty Towers", 1975)),
        (
            "Land Before Time III: The Time of the Great Giving (1995) (V)",
            ("Land Before Time III: The Time of the Great Giving", 1995),
        ),
        ("Marco Polo: One Hundred Eyes", ("Marco Polo: One Hundred Eyes", None)),
        ("  Babylon 5  ", ("Babylon 5", None)),
        ("1984 (1984)", ("1984", 1984)),
        ("unknown", ("unknown", None)),
    ],
)  # fmt: skip
def test_title_split_takes_the_year_and_moves_the_article(
    raw: str, expected: tuple[str, int | None]
) -> None:
    assert title_split(raw) == expected


@pytest.mark.parametrize(
    ("fixture", "flavour", "label", "ratings", "timestamps"),
    [
        (ML_100K, "100k", "100k", "u.data", True),
        (ML_1M, "1m", "1m", "ratings.dat", True),
        (ML_1M_NO_TIMESTAMP, "1m", "1m", "ratings_no_timestamp.dat", False),
        (ML_LATEST_SMALL, "csv", "latest-small", "ratings.csv", True),
    ],
)
def test_it_detects_the_flavour_from_the_files(
    fixture: Path, flavour: str, label: str, ratings: str, timestamps: bool
) -> None:
    dataset = dataset_detect(fixture)

    assert (dataset.flavour, dataset.label) == (flavour, label)
    assert dataset.ratings.name == ratings
    assert dataset.ratings_have_timestamps is timestamps


def test_a_csv_folder_without_readme_is_named_after_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ml-25m"
    shutil.copytree(ML_LATEST_SMALL, folder)
    (folder / "README.txt").unlink()

    assert dataset_detect(folder).label == "25m"


def test_it_reads_ml_100k_films_with_their_genre_flags() -> None:
    movies = {movie.movielens_id: movie for movie in movies_read(dataset_detect(ML_100K))}

    assert len(movies) == 9
    assert movies[1].name == "Toy Story"
    assert movies[1].genres == ("Animation", "Children's", "Comedy")
    assert (movies[543].name, movies[543].year) == ("Les Misérables", 1995)
    assert (movies[267].name, movies[267].year, movies[267].genres) == (
        "unknown",
        None,
        ("unknown",),
    )


def test_it_reads_quoted_csv_titles_and_no_genres() -> None:
    movies = {movie.movielens_id: movie for movie in movies_read(dataset_detect(ML_LATEST_SMALL))}

    assert movies[11].name == "The American President"
    assert movies[58].name == "The Postman (Postino, Il)"
    assert movies[73].name == "Les Misérables"
    assert movies[149532].genres == ()
    assert movies[149532].year is None


def test_it_reads_ratings_as_half_stars() -> None:
    rows = list(ratings_read(dataset_detect(ML_LATEST_SMALL)))

    assert len(rows) == 9
    assert rows[1] == RatingRow(user_id=1, movie_id=11, half_stars=7, timestamp=964982224, line=3)
    assert rows[1].stars == Decimal("3.5")
    assert [row.half_stars for row in rows] == [8, 7, 10, 1, 5, 2, 9, 6, 4]


def test_ratings_without_timestamps_have_none() -> None:
    rows = list(ratings_read(dataset_detect(ML_1M_NO_TIMESTAMP)))

    assert len(rows) == 10
    assert rows[0] == RatingRow(user_id=1, movie_id=1, half_stars=10, timestamp=None, line=1)


def test_users_come_from_the_users_file() -> None:
    assert users_read(dataset_detect(ML_1M)) == {1, 2, 3, 4, 5}
    assert users_read(dataset_detect(ML_LATEST_SMALL)) == set()


def test_links_pad_imdb_ids_and_allow_no_tmdb_id() -> None:
    links = {link.movie_id: link for link in links_read(dataset_detect(ML_LATEST_SMALL))}

    assert (links[1].imdb_id, links[1].tmdb_id) == ("tt0114709", 862)
    assert (links[73].imdb_id, links[73].tmdb_id) == ("tt0113828", None)
    assert links[149532].imdb_id == "tt1234567890"


def test_tags_need_two_users_and_are_normalised() -> None:
    rows = [
        TagRow(user_id=1, movie_id=47, tag="twist ending", line=2),
        TagRow(user_id=2, movie_id=47, tag=" Twist  Ending", line=3),
        TagRow(user_id=3, movie_id=47, tag="dark", line=4),
        TagRow(user_id=3, movie_id=47, tag="Dark", line=5),
        TagRow(user_id=1, movie_id=1, tag="pixar", line=6),
        TagRow(user_id=2, movie_id=2, tag="pixar", line=7),
        TagRow(user_id=2, movie_id=2, tag="   ", line=8),
    ]

    assert tags_select(rows, min_users=2) == {47: ["twist ending"]}
    assert tags_select(rows, min_users=1) == {
        1: ["pixar"],
        2: ["pixar"],
        47: ["dark", "twist ending"],
    }


def test_a_bad_line_names_its_file_and_line(tmp_path: Path) -> None:
    folder = _copy(ML_100K, tmp_path)
    lines = (folder / "u.data").read_text().splitlines(keepends=True)
    lines[3] = "1\t543\tfour\t875072262\n"
    (folder / "u.data").write_text("".join(lines))

    with pytest.raises(MovieLensFormatError, match="u.data, line 4: rating") as error:
        list(ratings_read(dataset_detect(folder)))
    assert (error.value.path.name, error.value.line) == ("u.data", 4)


def test_an_empty_folder_is_not_a_dataset(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFound, match="ml-100k: u.data, u.item and u.genre"):
        dataset_detect(tmp_path)


def test_the_dataset_dataclass_says_which_files_to_read() -> None:
    dataset = dataset_detect(ML_LATEST_SMALL)

    assert dataset == Dataset(
        flavour="csv",
        label="latest-small",
        root=ML_LATEST_SMALL,
        movies=ML_LATEST_SMALL / "movies.csv",
        ratings=ML_LATEST_SMALL / "ratings.csv",
        ratings_have_timestamps=True,
        links=ML_LATEST_SMALL / "links.csv",
        tags=ML_LATEST_SMALL / "tags.csv",
    )
