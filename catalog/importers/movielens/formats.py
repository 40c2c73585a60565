"""MovieLens files in, small frozen dataclasses out: pure functions, no database.

Every rule about the formats (ml-100k, ml-1m's .dat files, the CSV datasets) is here and
testable without Django's database. A bad line raises MovieLensFormatError naming its file
and line, before anything is written.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

EXPECTED_FILES = (
    "ml-100k: u.data, u.item and u.genre (u.user optional); "
    "ml-1m: movies.dat with ratings.dat or ratings_no_timestamp.dat (users.dat optional); "
    "ml-latest, ml-latest-small, ml-25m, ml-32m: movies.csv and ratings.csv "
    "(links.csv and tags.csv optional)"
)
NO_GENRES = "(no genres listed)"
# The columns are int4 on PostgreSQL: a bigger id is a corrupt file, not a film.
MAX_ID = 2**31 - 1
# 2100-01-01 UTC: MovieLens timestamps are seconds since 1970, all well before this.
MAX_TIMESTAMP = 4_102_444_800

# "4", "4.0" and "3.5" → half stars (8, 8, 7). A lookup both parses and range-checks, and
# is several times faster than Decimal() on the millions of lines of a large dataset.
HALF_STARS_BY_TEXT: dict[str, int] = {
    **{f"{half / 2:.1f}": half for half in range(1, 11)},
    **{str(whole): whole * 2 for whole in range(1, 6)},
}

# A trailing "(V)" (ml-100k: straight to video) or "(TV)" goes with the year.
_YEAR = re.compile(r"\s*\((\d{4})(?:\s*[-–]\s*\d{0,4})?\)(?:\s*\((?:V|TV)\))?\s*$")
# Only the main title's article moves; an alias in brackets keeps its own ("Blue Angel,
# The (Blaue Engel, Der)" → "The Blue Angel (Blaue Engel, Der)").
_TRAILING_ARTICLE = re.compile(
    r"^(?P<main>.+?), (?P<article>The|An|A|Les|Le|La|L'|Il|Das|Der|Die|El|Los|Las)"
    r"(?P<aliases>(?: \([^()]*\))*)$"
)
_README_DATASET = re.compile(r"\((ml-[a-z0-9-]+)\)")


class MovieLensError(Exception):
    """A folder or file this importer cannot use. When it is raised, nothing is written."""


class DatasetNotFound(MovieLensError):
    pass


class MovieLensFormatError(MovieLensError):
    def __init__(self, path: Path, line: int, reason: str) -> None:
        super().__init__(f"{path.name}, line {line}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class Dataset:
    """Which files of a MovieLens folder to read, and how."""

    flavour: str  # "100k", "1m" or "csv"
    label: str  # names the dataset in e-mails: "100k", "1m", "latest-small", "25m"…
    root: Path
    movies: Path
    ratings: Path
    ratings_have_timestamps: bool
    users: Path | None = None
    genres: Path | None = None
    links: Path | None = None
    tags: Path | None = None


@dataclass(frozen=True, slots=True)
class Movie:
    movielens_id: int
    name: str
    year: int | None
    genres: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RatingRow:
    user_id: int
    movie_id: int
    half_stars: int  # 1–10
    timestamp: int | None
    line: int

    @property
    def stars(self) -> Decimal:
        return Decimal(self.half_stars) / 2


@dataclass(frozen=True, slots=True)
class Link:
    movie_id: int
    imdb_id: str | None
    tmdb_id: int | None
    line: int


@dataclass(frozen=True, slots=True)
class TagRow:
    user_id: int
    movie_id: int
    tag: str
    line: int


def dataset_detect(root: Path) -> Dataset:
    """The flavour of the MovieLens folder `root`, or DatasetNotFound saying what was expected."""
    if not root.is_dir():
        raise DatasetNotFound(
            f"{root} is not a folder. Expected a MovieLens folder — {EXPECTED_FILES}."
        )

    def present(name: str) -> Path | None:
        path = root / name
        return path if path.is_file() else None

    def require(flavour: str, names: tuple[str, ...]) -> None:
        missing = [name for name in names if present(name) is None]
        if missing:
            raise DatasetNotFound(
                f"{root} looks like {flavour} but has no {', '.join(missing)}. "
                f"Expected — {EXPECTED_FILES}."
            )

    if present("u.data") or present("u.item"):
        require("ml-100k", ("u.data", "u.item", "u.genre"))
        return Dataset(
            flavour="100k",
            label="100k",
            root=root,
            movies=root / "u.item",
            ratings=root / "u.data",
            ratings_have_timestamps=True,
            users=present("u.user"),
            genres=root / "u.genre",
        )
    dat_ratings = present("ratings.dat") or present("ratings_no_timestamp.dat")
    if present("movies.dat") or dat_ratings:
        require("ml-1m", ("movies.dat",))
        if dat_ratings is None:
            raise DatasetNotFound(
                f"{root} looks like ml-1m but has neither ratings.dat nor "
                f"ratings_no_timestamp.dat. Expected — {EXPECTED_FILES}."
            )
        return Dataset(
            flavour="1m",
            label="1m",
            root=root,
            movies=root / "movies.dat",
            ratings=dat_ratings,
            ratings_have_timestamps=dat_ratings.name == "ratings.dat",
            users=present("users.dat"),
        )
    if present("movies.csv") or present("ratings.csv"):
        require("a MovieLens CSV dataset", ("movies.csv", "ratings.csv"))
        return Dataset(
            flavour="csv",
            label=_csv_label(root),
            root=root,
            movies=root / "movies.csv",
            ratings=root / "ratings.csv",
            ratings_have_timestamps=True,
            links=present("links.csv"),
            tags=present("tags.csv"),
        )
    raise DatasetNotFound(f"No MovieLens files in {root}. Expected — {EXPECTED_FILES}.")


def _csv_label(root: Path) -> str:
    # The CSV datasets number their users independently, so the e-mails must say which
    # dataset a user came from. Their README.txt names it ("This dataset (ml-25m)…"), which
    # survives renaming the folder; the folder name is the fallback.
    readme = root / "README.txt"
    if readme.is_file():
        match = _README_DATASET.search(readme.read_text("utf-8", errors="replace")[:2000])
        if match:
            return match.group(1).removeprefix("ml-")
    name = root.resolve().name.lower()
    if re.fullmatch(r"ml-[a-z0-9-]+", name):
        return name.removeprefix("ml-")
    return "latest"


def title_split(raw: str) -> tuple[str, int | None]:
    """A MovieLens title as (name, year): "Postman, The (Il postino) (1994)" → ("The
    Postman (Il postino)", 1994). A title without a year keeps its whole name and None."""
    text = " ".join(raw.split())
    year = None
    match = _YEAR.search(text)
    if match and match.start() > 0:
        year = int(match.group(1))
        text = text[: match.start()]
    article = _TRAILING_ARTICLE.match(text)
    if article:
        joiner = "" if article["article"].endswith("'") else " "
        text = f"{article['article']}{joiner}{article['main']}{article['aliases']}"
    return text, year


def tag_normalise(tag: str) -> str:
    return " ".join(tag.split()).lower()


def movies_read(dataset: Dataset) -> list[Movie]:
    """Every film of the dataset, in file order; MovieLensFormatError on a bad line."""
    if dataset.flavour == "100k":
        assert dataset.genres is not None
        rows = _movies_100k(dataset.movies, _genres_100k(dataset.genres))
    elif dataset.flavour == "1m":
        rows = _movies_dat(dataset.movies)
    else:
        rows = _movies_csv(dataset.movies)
    movies: dict[int, Movie] = {}
    for number, movie in rows:
        if movie.movielens_id in movies:
            raise MovieLensFormatError(
                dataset.movies, number, f"movie id {movie.movielens_id} appears twice"
            )
        movies[movie.movielens_id] = movie
    return list(movies.values())


def users_read(dataset: Dataset) -> set[int]:
    """The user ids of u.user or users.dat; empty for CSV datasets, which have no such file."""
    if dataset.users is None:
        return set()
    sep = "|" if dataset.flavour == "100k" else "::"
    users = set()
    for number, text in _lines(dataset.users, "ascii"):
        fields = _fields(dataset.users, number, text, sep, 5)
        users.add(_id(dataset.users, number, fields[0], "user id"))
    return users


def ratings_read(dataset: Dataset) -> Iterator[RatingRow]:
    """Every rating line, checked; movie ids are not checked against the films here."""
    path = dataset.ratings
    if dataset.flavour == "csv":
        for number, fields in _csv_rows(path, ("userId", "movieId", "rating", "timestamp")):
            _check_count(path, number, fields, 4)
            yield _rating(path, number, fields)
        return
    sep = "\t" if dataset.flavour == "100k" else "::"
    count = 4 if dataset.ratings_have_timestamps else 3
    for number, text in _lines(path, "ascii"):
        yield _rating(path, number, _fields(path, number, text, sep, count))


def links_read(dataset: Dataset) -> Iterator[Link]:
    """links.csv: IMDb ids as "tt" + at least 7 digits, TMDb ids as numbers or None."""
    if dataset.links is None:
        return
    path = dataset.links
    for number, fields in _csv_rows(path, ("movieId", "imdbId", "tmdbId")):
        _check_count(path, number, fields, 3)
        movie_id = _id(path, number, fields[0], "movieId")
        imdb = fields[1].strip()
        tmdb = fields[2].strip()
        imdb_id = None
        if imdb:
            digits = _id(path, number, imdb, "imdbId")
            imdb_id = f"tt{digits:07d}"
            if len(imdb_id) > 12:
                raise MovieLensFormatError(path, number, f"imdbId {imdb!r} is too long")
        tmdb_id = _id(path, number, tmdb, "tmdbId") if tmdb else None
        yield Link(movie_id=movie_id, imdb_id=imdb_id, tmdb_id=tmdb_id, line=number)


def tags_read(dataset: Dataset) -> Iterator[TagRow]:
    if dataset.tags is None:
        return
    path = dataset.tags
    for number, fields in _csv_rows(path, ("userId", "movieId", "tag", "timestamp")):
        _check_count(path, number, fields, 4)
        yield TagRow(
            user_id=_id(path, number, fields[0], "userId"),
            movie_id=_id(path, number, fields[1], "movieId"),
            tag=fields[2],
            line=number,
        )


def tags_select(rows: Iterable[TagRow], *, min_users: int) -> dict[int, list[str]]:
    """Movie id → normalised tags, sorted, that at least `min_users` different users gave it."""
    # A user who tags a film "Funny" and later "funny " counts once.
    given = {(row.movie_id, tag, row.user_id) for row in rows if (tag := tag_normalise(row.tag))}
    users = Counter((movie_id, tag) for movie_id, tag, _user_id in given)
    selected: dict[int, list[str]] = {}
    for (movie_id, tag), count in sorted(users.items()):
        if count >= min_users:
            selected.setdefault(movie_id, []).append(tag)
    return selected


def _lines(path: Path, encoding: str) -> Iterator[tuple[int, str]]:
    """(line number, text) for every non-blank line, decoded strictly."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError as error:
                raise MovieLensFormatError(
                    path,
                    number,
                    f"byte {raw[error.start]:#04x} at column {error.start + 1} is not "
                    f"valid {encoding.upper()} (bad encoding)",
                ) from None
            if number == 1:
                text = text.removeprefix("\ufeff")
            text = text.rstrip("\r\n")
            if text.strip():
                yield number, text


def _csv_rows(path: Path, header: tuple[str, ...]) -> Iterator[tuple[int, list[str]]]:
    """Rows after the header, each with the number of the line it ends on."""
    current = 0

    def texts() -> Iterator[str]:
        nonlocal current
        for number, text in _lines(path, "utf-8"):
            current = number
            yield text + "\n"

    reader = csv.reader(texts(), strict=True)
    try:
        first = next(reader, None)
        if first is None or tuple(field.strip() for field in first) != header:
            raise MovieLensFormatError(
                path, current or 1, f"expected the header {','.join(header)}"
            )
        for row in reader:
            yield current, row
    except csv.Error as error:
        raise MovieLensFormatError(path, current, f"not valid CSV ({error})") from None


def _fields(path: Path, number: int, text: str, sep: str, count: int) -> list[str]:
    fields = text.split(sep)
    _check_count(path, number, fields, count, sep)
    return fields


def _check_count(path: Path, number: int, fields: list[str], count: int, sep: str = ",") -> None:
    if len(fields) != count:
        raise MovieLensFormatError(
            path, number, f"expected {count} fields separated by {sep!r}, found {len(fields)}"
        )


def _id(path: Path, number: int, value: str, what: str) -> int:
    # int() would also take " 7", "7_0" and "٧".
    if not (value.isdigit() and value.isascii()):
        raise MovieLensFormatError(path, number, f"{what} must be a whole number, got {value!r}")
    result = int(value)
    if result > MAX_ID:
        raise MovieLensFormatError(path, number, f"{what} {value} is too large")
    return result


def _rating(path: Path, number: int, fields: list[str]) -> RatingRow:
    half_stars = HALF_STARS_BY_TEXT.get(fields[2].strip())
    if half_stars is None:
        raise MovieLensFormatError(
            path, number, f"rating must be 0.5 to 5 in half steps, got {fields[2]!r}"
        )
    timestamp = None
    if len(fields) == 4:
        timestamp = _id(path, number, fields[3], "timestamp")
        if timestamp > MAX_TIMESTAMP:
            raise MovieLensFormatError(path, number, f"timestamp {timestamp} is out of range")
    return RatingRow(
        user_id=_id(path, number, fields[0], "user id"),
        movie_id=_id(path, number, fields[1], "movie id"),
        half_stars=half_stars,
        timestamp=timestamp,
        line=number,
    )


def _genres_100k(path: Path) -> list[str]:
    names = []
    for number, text in _lines(path, "latin-1"):
        name, index = _fields(path, number, text, "|", 2)
        if _id(path, number, index, "genre number") != len(names) or not name.strip():
            raise MovieLensFormatError(
                path, number, f"expected genre number {len(names)} with a name"
            )
        names.append(name.strip())
    return names


def _movies_100k(path: Path, genre_names: list[str]) -> Iterator[tuple[int, Movie]]:
    for number, text in _lines(path, "latin-1"):
        fields = _fields(path, number, text, "|", 5 + len(genre_names))
        flags = fields[5:]
        if any(flag not in ("0", "1") for flag in flags):
            raise MovieLensFormatError(path, number, "genre flags must be 0 or 1")
        genres = tuple(name for name, flag in zip(genre_names, flags, strict=True) if flag == "1")
        yield number, _movie(path, number, fields[0], fields[1], genres)


def _movies_dat(path: Path) -> Iterator[tuple[int, Movie]]:
    for number, text in _lines(path, "latin-1"):
        movie_id, title, genres = _fields(path, number, text, "::", 3)
        yield number, _movie(path, number, movie_id, title, _genre_list(genres))


def _movies_csv(path: Path) -> Iterator[tuple[int, Movie]]:
    for number, fields in _csv_rows(path, ("movieId", "title", "genres")):
        _check_count(path, number, fields, 3)
        yield number, _movie(path, number, fields[0], fields[1], _genre_list(fields[2]))


def _genre_list(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split("|"))
    return tuple(name for name in names if name and name != NO_GENRES)


def _movie(path: Path, number: int, movie_id: str, title: str, genres: tuple[str, ...]) -> Movie:
    if not title.strip():
        raise MovieLensFormatError(path, number, "the title is empty")
    name, year = title_split(title)
    return Movie(
        movielens_id=_id(path, number, movie_id, "movie id"), name=name, year=year, genres=genres
    )
