"""MovieLens datasets: read a folder (pure functions, no database), then load it (Django).

The readers only look at files and yield small frozen dataclasses, so every rule about the
formats is testable without a database. `movielens_import` is the only writer.

Choices this importer makes, which the command's help repeats:

- Genres. "Sci-Fi" becomes "Science Fiction" and "Children's"/"Children" become "Family",
  the names the rest of Marquee uses; ml-100k's "unknown" and "(no genres listed)" give no
  genre; every other MovieLens name is kept ("Film-Noir", "IMAX"…). Genres are matched by
  slug, then by name, and created when missing.
- Titles. Matched by `movielens_id`; a new one gets its name without the year, a trailing
  article moved to the front ("Postman, The (Il postino)" → "The Postman (Il postino)") and
  a unique slug. A title that exists only gets its missing IMDb/TMDb ids filled in: curators
  own everything else. An id that another title already holds is left empty and counted.
- Viewers. One account (`ml-<dataset>-<userId>@movielens.invalid`, unusable password) and
  one profile ("MovieLens <userId>") per MovieLens user.
- Ratings. Stars as in the file, thumbs from `stars_to_thumbs`, dated by the file's
  timestamp (UTC). ml-1m's `ratings_no_timestamp.dat` has none: those ratings are all dated
  `UNDATED_RATED_AT`, a fixed date, so that re-imports and tests are reproducible.
- Tags (tags.csv). Whitespace collapsed and lower-cased; a tag goes on a title only when at
  least `TAG_MIN_USERS` different users gave that title that tag, which drops most one-off
  notes ("watched on a plane"); tags longer than `Tag.name` allows are dropped.
- Errors. Every file is read and checked before anything is written, and the writes share
  one transaction: a bad line stops the import with nothing changed.
"""

from __future__ import annotations

import csv
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple, TypeVar

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from accounts.models import Profile, User
from catalog.maturity import MaturityRating
from catalog.models import MAX_YEAR, MIN_YEAR, Genre, Tag, Title
from recommendations.models import Rating, Source
from recommendations.services import stars_to_thumbs

# ======================================================================================
# Reading: files in, dataclasses out. Nothing below this line touches Django until the
# "Loading" section.
# ======================================================================================

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


# ======================================================================================
# Loading
# ======================================================================================

EMAIL_DOMAIN = "movielens.invalid"
TAG_MIN_USERS = 2
# MovieLens 1M was published in February 2003, after every rating in it.
UNDATED_RATED_AT = datetime(2003, 2, 1, tzinfo=UTC)
# MovieLens genre → Marquee genre; None: no genre.
GENRE_NAMES: dict[str, str | None] = {
    "Sci-Fi": "Science Fiction",
    "Children's": "Family",
    "Children": "Family",
    "unknown": None,
    NO_GENRES: None,
}
BATCH_SIZE = 2000
COPY_CHUNK = 20_000
STAGING_TABLE = "marquee_movielens_rating"
RATING_COLUMNS = ("profile", "title", "stars", "thumbs", "scale", "source", "rated_at")

_T = TypeVar("_T")


@dataclass(frozen=True)
class ImportSummary:
    label: str
    titles_created: int
    titles_updated: int
    id_clashes: int
    accounts_created: int
    accounts_existing: int
    ratings_added: int
    ratings_skipped: int
    ratings_unknown_movie: int
    tags_created: int
    title_tags_added: int
    seconds: float


@dataclass(frozen=True)
class _Titles:
    ids: dict[int, int]  # MovieLens id → Title pk
    created: int
    updated: int
    id_clashes: int


class _Existing(NamedTuple):
    pk: int
    name: str
    year: int | None
    imdb_id: str | None
    tmdb_id: int | None


@dataclass(frozen=True)
class _RatingsScan:
    count: int
    user_ids: set[int]
    unknown_movie: int


def movielens_import(
    *, path: Path, skip_unknown_movies: bool = False, progress: bool = False
) -> ImportSummary:
    """Import the MovieLens folder `path`; return what was added.

    Raises MovieLensError, with nothing written, when the folder is not a MovieLens dataset
    or a file has a bad line (a rating or tag of a film that is not in the movies file is
    one, unless `skip_unknown_movies`). `progress` draws tqdm bars on stderr.
    """
    started = time.perf_counter()
    dataset = dataset_detect(path)
    movies = movies_read(dataset)
    movie_ids = {movie.movielens_id for movie in movies}
    links = {
        link.movie_id: link
        for link in links_read(dataset)
        if _known(dataset.links, link.line, link.movie_id, movie_ids, skip_unknown_movies)
    }
    users = users_read(dataset)
    scan = _ratings_scan(
        _bar(ratings_read(dataset), enabled=progress, desc=f"Checking {dataset.ratings.name}"),
        dataset=dataset,
        movie_ids=movie_ids,
        skip_unknown=skip_unknown_movies,
    )
    tags = tags_select(
        (
            row
            for row in tags_read(dataset)
            if _known(dataset.tags, row.line, row.movie_id, movie_ids, skip_unknown_movies)
        ),
        min_users=TAG_MIN_USERS,
    )

    with transaction.atomic():
        titles = _titles_ensure(movies, links)
        profile_ids, accounts_created = _accounts_ensure(dataset.label, users | scan.user_ids)
        rows = _bar(
            (row for row in ratings_read(dataset) if row.movie_id in movie_ids),
            enabled=progress,
            desc="Writing ratings",
            total=scan.count,
        )
        if connection.vendor == "postgresql":
            ratings_added = _ratings_copy(
                rows, profile_ids=profile_ids, title_ids=titles.ids, progress=progress
            )
        else:
            ratings_added = _ratings_insert(rows, profile_ids=profile_ids, title_ids=titles.ids)
        tags_created, title_tags_added = _tags_attach(tags, title_ids=titles.ids)
    if connection.vendor == "postgresql":
        # Fresh statistics, or the planner guesses on tables that just grew a millionfold.
        with connection.cursor() as cursor:
            tables = (Title, User, Profile, Rating)
            cursor.execute(f"ANALYZE {', '.join(model._meta.db_table for model in tables)}")
    return ImportSummary(
        label=dataset.label,
        titles_created=titles.created,
        titles_updated=titles.updated,
        id_clashes=titles.id_clashes,
        accounts_created=accounts_created,
        accounts_existing=len(profile_ids) - accounts_created,
        ratings_added=ratings_added,
        ratings_skipped=scan.count - ratings_added,
        ratings_unknown_movie=scan.unknown_movie,
        tags_created=tags_created,
        title_tags_added=title_tags_added,
        seconds=time.perf_counter() - started,
    )


def _bar(rows: Iterable[_T], *, enabled: bool, desc: str, total: int | None = None) -> Iterable[_T]:
    if not enabled:
        return rows
    return tqdm(rows, desc=desc, total=total, unit=" ratings", unit_scale=True, file=sys.stderr)


def _known(
    path: Path | None, line: int, movie_id: int, movie_ids: set[int], skip_unknown: bool
) -> bool:
    if movie_id in movie_ids:
        return True
    if skip_unknown:
        return False
    assert path is not None
    raise MovieLensFormatError(
        path,
        line,
        f"movie id {movie_id} is not in the movies file (--skip-unknown-movies skips such lines)",
    )


def _ratings_scan(
    rows: Iterable[RatingRow], *, dataset: Dataset, movie_ids: set[int], skip_unknown: bool
) -> _RatingsScan:
    count = unknown = 0
    user_ids: set[int] = set()
    for row in rows:
        if _known(dataset.ratings, row.line, row.movie_id, movie_ids, skip_unknown):
            count += 1
            user_ids.add(row.user_id)
        else:
            unknown += 1
    return _RatingsScan(count=count, user_ids=user_ids, unknown_movie=unknown)


def _name_key(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.split(" (", 1)[0].lower())


def _numbering_check(movies: list[Movie], existing: dict[int, _Existing]) -> None:
    # ml-100k numbers its 1,682 films itself (its 2 is GoldenEye, everywhere else Jumanji),
    # so mixing it with another dataset would pin ratings on the wrong films. Names and
    # years legitimately drift between releases, so only a pattern of films that differ in
    # both counts.
    matched = [movie for movie in movies if movie.movielens_id in existing]
    different = [
        movie
        for movie in matched
        if movie.year != existing[movie.movielens_id].year
        and _name_key(movie.name) != _name_key(existing[movie.movielens_id].name)
    ]
    if len(different) >= 3 and len(different) * 5 > len(matched):
        movie = different[0]
        title = existing[movie.movielens_id]
        raise MovieLensError(
            f"{len(different):,} of the {len(matched):,} MovieLens ids in this folder already "
            f"belong to other films here (id {movie.movielens_id} is “{title.name}” "
            f"({title.year}) in the database, “{movie.name}” ({movie.year}) in the file). "
            "ml-100k numbers its films differently from the other MovieLens datasets: "
            "import it into a database of its own."
        )


def _titles_ensure(movies: list[Movie], links: dict[int, Link]) -> _Titles:
    existing = {
        row[0]: _Existing(*row[1:])
        for row in Title.objects.filter(movielens_id__isnull=False).values_list(
            "movielens_id", "pk", "name", "year", "imdb_id", "tmdb_id"
        )
    }
    _numbering_check(movies, existing)
    imdb_taken = set(Title.objects.exclude(imdb_id=None).values_list("imdb_id", flat=True))
    tmdb_taken = set(Title.objects.exclude(tmdb_id=None).values_list("tmdb_id", flat=True))
    slugs_taken = set(Title.objects.values_list("slug", flat=True))
    clashes = 0

    def claim(value: _T | None, taken: set[_T]) -> _T | None:
        nonlocal clashes
        if value is None:
            return None
        if value in taken:
            clashes += 1
            return None
        taken.add(value)
        return value

    new: list[Title] = []
    changed: list[Title] = []
    now = timezone.now()
    for movie in sorted(movies, key=lambda movie: movie.movielens_id):
        link = links.get(movie.movielens_id)
        imdb_id = link.imdb_id if link else None
        tmdb_id = link.tmdb_id if link else None
        if movie.movielens_id in existing:
            title = existing[movie.movielens_id]
            fill_imdb = claim(imdb_id, imdb_taken) if title.imdb_id is None else None
            fill_tmdb = claim(tmdb_id, tmdb_taken) if title.tmdb_id is None else None
            if fill_imdb or fill_tmdb:
                changed.append(
                    Title(
                        pk=title.pk,
                        imdb_id=fill_imdb or title.imdb_id,
                        tmdb_id=fill_tmdb or title.tmdb_id,
                        updated_at=now,
                    )
                )
            continue
        year = movie.year if movie.year and MIN_YEAR <= movie.year <= MAX_YEAR else None
        name = movie.name[: Title._meta.get_field("name").max_length]
        new.append(
            Title(
                kind=Title.Kind.MOVIE,
                name=name,
                slug=_slug_free(name, year, movie.movielens_id, slugs_taken),
                year=year,
                maturity_rating=MaturityRating.NR,
                is_published=True,
                movielens_id=movie.movielens_id,
                imdb_id=claim(imdb_id, imdb_taken),
                tmdb_id=claim(tmdb_id, tmdb_taken),
            )
        )
    Title.objects.bulk_create(new, batch_size=BATCH_SIZE)
    Title.objects.bulk_update(changed, ["imdb_id", "tmdb_id", "updated_at"], batch_size=BATCH_SIZE)
    # Read the ids back rather than trust bulk_create to return them: not every backend does.
    wanted = {movie.movielens_id for movie in movies}
    ids = {
        movielens_id: pk
        for movielens_id, pk in Title.objects.filter(movielens_id__isnull=False).values_list(
            "movielens_id", "pk"
        )
        if movielens_id in wanted
    }
    _title_genres_create(
        [movie for movie in movies if movie.movielens_id not in existing], title_ids=ids
    )
    return _Titles(ids=ids, created=len(new), updated=len(changed), id_clashes=clashes)


def _slug_free(name: str, year: int | None, movielens_id: int, taken: set[str]) -> str:
    # 270 leaves room for a "-NN" suffix within the field's 280.
    base = slugify(f"{name} {year}" if year else name)[:270].strip("-")
    base = base or f"movielens-{movielens_id}"
    slug, counter = base, 2
    while slug in taken:
        slug = f"{base}-{counter}"
        counter += 1
    taken.add(slug)
    return slug


def _title_genres_create(movies: list[Movie], *, title_ids: dict[int, int]) -> None:
    wanted: dict[int, list[str]] = {}
    for movie in movies:
        mapped = (GENRE_NAMES.get(name, name) for name in movie.genres)
        wanted[movie.movielens_id] = sorted({name for name in mapped if name})
    names = sorted({name for names in wanted.values() for name in names})
    genre_ids = _vocabulary_ensure(Genre, names, build=lambda name: Genre(name=name))
    through = Title.genres.through
    through.objects.bulk_create(
        [
            through(title_id=title_ids[movielens_id], genre_id=genre_ids[name])
            for movielens_id, names in wanted.items()
            for name in names
            if name in genre_ids
        ],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )


def _vocabulary_ensure(
    model: type[Genre] | type[Tag], names: list[str], *, build: Callable[[str], Genre | Tag]
) -> dict[str, int]:
    """Name → id of genres or tags, creating the missing ones; a name without slug is left out."""
    # Match by slug, then by name: a curator may have renamed either, and both are unique.
    existing = list(model.objects.all())
    by_slug = {item.slug: item.pk for item in existing}
    by_name = {item.name.lower(): item.pk for item in existing}
    slug_length = model._meta.get_field("slug").max_length
    ids: dict[str, int] = {}
    missing: dict[str, Genre | Tag] = {}
    aliases: dict[str, str] = {}
    for name in names:
        slug = slugify(name)[:slug_length].strip("-")
        if not slug:
            continue
        pk = by_slug.get(slug) or by_name.get(name.lower())
        if pk is not None:
            ids[name] = pk
        elif slug in missing:
            # "sci-fi" and "sci fi" share a slug: one row for both.
            aliases[name] = slug
        else:
            item = build(name)
            item.slug = slug
            missing[slug] = item
    model.objects.bulk_create(list(missing.values()), batch_size=BATCH_SIZE)
    # All of them rather than `slug__in`: SQLite refuses more than 32,766 parameters.
    created = dict(model.objects.values_list("slug", "pk")) if missing else {}
    for slug, item in missing.items():
        ids[item.name] = created[slug]
    for name, slug in aliases.items():
        ids[name] = created[slug]
    return ids


def _accounts_ensure(label: str, user_ids: set[int]) -> tuple[dict[int, int], int]:
    """MovieLens user id → profile id, creating accounts and profiles; and accounts created."""
    prefix = f"ml-{label}-"
    suffix = f"@{EMAIL_DOMAIN}"

    def email(user_id: int) -> str:
        return f"{prefix}{user_id}{suffix}"

    def accounts() -> dict[str, int]:
        rows = User.objects.filter(email__istartswith=prefix, email__iendswith=suffix)
        return {address.lower(): pk for address, pk in rows.values_list("email", "pk")}

    known = accounts()
    missing = sorted(user_id for user_id in user_ids if email(user_id) not in known)
    # One unusable hash for everyone: these accounts never sign in, and hashing per account
    # would take longer than the whole import.
    password = make_password(None)
    now = timezone.now()
    User.objects.bulk_create(
        [
            User(
                email=email(user_id),
                name=f"MovieLens {user_id}",
                password=password,
                date_joined=now,
            )
            for user_id in missing
        ],
        batch_size=BATCH_SIZE,
    )
    known = accounts() if missing else known

    def profiles() -> dict[int, int]:
        # An account's first profile is its MovieLens viewer, whatever it has been renamed
        # to; newest first, so that the oldest is the one left in the dict.
        rows = Profile.objects.filter(
            account__email__istartswith=prefix, account__email__iendswith=suffix
        ).order_by("-created_at", "-id")
        return dict(rows.values_list("account_id", "pk"))

    profile_of = profiles()
    account_of = {user_id: known[email(user_id)] for user_id in user_ids}
    lonely = sorted(user_id for user_id in user_ids if account_of[user_id] not in profile_of)
    Profile.objects.bulk_create(
        [
            Profile(account_id=account_of[user_id], name=f"MovieLens {user_id}")
            for user_id in lonely
        ],
        batch_size=BATCH_SIZE,
    )
    if lonely:
        profile_of = profiles()
    return {user_id: profile_of[account_of[user_id]] for user_id in user_ids}, len(missing)


# Per half star: the stars and thumbs columns, computed once rather than a million times.
_STARS = {half: Decimal(half) / 2 for half in range(1, 11)}
_THUMBS = {half: int(stars_to_thumbs(stars)) for half, stars in _STARS.items()}


def _ratings_copy(
    rows: Iterable[RatingRow],
    *,
    profile_ids: dict[int, int],
    title_ids: dict[int, int],
    progress: bool,
) -> int:
    """PostgreSQL: COPY into a staging table, then one INSERT … ON CONFLICT DO NOTHING.

    COPY cannot skip rows that exist, hence the staging table; both run inside the caller's
    transaction.
    """
    meta = Rating._meta
    undated = int(UNDATED_RATED_AT.timestamp())
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{STAGING_TABLE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGING_TABLE} (profile_id bigint, title_id bigint, "
            "stars numeric(2, 1), thumbs smallint, rated_epoch bigint)"
        )
        stars_text = {half: str(stars) for half, stars in _STARS.items()}
        with cursor.cursor.copy(f"COPY {STAGING_TABLE} FROM STDIN") as copy:
            chunk: list[str] = []
            for row in rows:
                epoch = undated if row.timestamp is None else row.timestamp
                chunk.append(
                    f"{profile_ids[row.user_id]}\t{title_ids[row.movie_id]}\t"
                    f"{stars_text[row.half_stars]}\t{_THUMBS[row.half_stars]}\t{epoch}\n"
                )
                if len(chunk) == COPY_CHUNK:
                    copy.write("".join(chunk))
                    chunk.clear()
            if chunk:
                copy.write("".join(chunk))
        if progress:
            # The INSERT is most of the time, and tqdm cannot see inside it.
            tqdm.write("Inserting the ratings, skipping those already there…", file=sys.stderr)
        columns = [meta.get_field(name).column for name in RATING_COLUMNS]
        cursor.execute(
            f"INSERT INTO {meta.db_table} ({', '.join(columns)}) "
            "SELECT profile_id, title_id, stars, thumbs, %s, %s, to_timestamp(rated_epoch) "
            f"FROM {STAGING_TABLE} "
            f"ON CONFLICT ({columns[0]}, {columns[1]}) DO NOTHING",
            [Rating.Scale.STARS.value, Source.IMPORT.value],
        )
        added = cursor.rowcount
        cursor.execute(f"DROP TABLE {STAGING_TABLE}")
    return added


def _ratings_insert(
    rows: Iterable[RatingRow], *, profile_ids: dict[int, int], title_ids: dict[int, int]
) -> int:
    """SQLite: batches of one INSERT … ON CONFLICT DO NOTHING through executemany.

    bulk_create spent two thirds of the import building model instances and preparing each
    value; here the fields prepare the ten stars values once and each date directly.
    """
    meta = Rating._meta
    columns = [meta.get_field(name).column for name in RATING_COLUMNS]
    sql = (
        f"INSERT INTO {meta.db_table} ({', '.join(columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({columns[0]}, {columns[1]}) DO NOTHING"
    )
    stars_field = meta.get_field("stars")
    rated_at_field = meta.get_field("rated_at")
    stars = {
        half: stars_field.get_db_prep_save(value, connection) for half, value in _STARS.items()
    }
    undated = rated_at_field.get_db_prep_save(UNDATED_RATED_AT, connection)
    scale, source = Rating.Scale.STARS.value, Source.IMPORT.value
    before = Rating.objects.count()
    with connection.cursor() as cursor:
        batch: list[tuple[object, ...]] = []
        for row in rows:
            rated_at = (
                undated
                if row.timestamp is None
                else rated_at_field.get_db_prep_save(
                    datetime.fromtimestamp(row.timestamp, tz=UTC), connection
                )
            )
            batch.append(
                (
                    profile_ids[row.user_id],
                    title_ids[row.movie_id],
                    stars[row.half_stars],
                    _THUMBS[row.half_stars],
                    scale,
                    source,
                    rated_at,
                )
            )
            if len(batch) == BATCH_SIZE:
                cursor.executemany(sql, batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)
    return Rating.objects.count() - before


def _tags_attach(tags: dict[int, list[str]], *, title_ids: dict[int, int]) -> tuple[int, int]:
    """Put the selected tags on their titles; return (tags created, title–tag links added)."""
    if not tags:
        return 0, 0
    max_length = Tag._meta.get_field("name").max_length
    names = sorted({name for names in tags.values() for name in names if len(name) <= max_length})
    before_tags = Tag.objects.count()
    tag_ids = _vocabulary_ensure(Tag, names, build=lambda name: Tag(name=name, kind=Tag.Kind.THEME))
    through = Title.tags.through
    before_links = through.objects.count()
    through.objects.bulk_create(
        [
            through(title_id=title_ids[movie_id], tag_id=tag_ids[name])
            for movie_id, names in tags.items()
            for name in names
            if name in tag_ids
        ],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )
    return Tag.objects.count() - before_tags, through.objects.count() - before_links
