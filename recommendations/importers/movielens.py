"""Import a MovieLens folder: its films into the catalogue, its users and their ratings here.

`catalog.importers.movielens.formats` reads the files (no database) and `.titles` makes the
catalogue's titles, genres and tags; `movielens_import` ties them together and writes the
viewers and their ratings.

Choices this importer makes, which the command's help repeats:

- Films, genres and tags (tags.csv): as `catalog.importers.movielens.titles` says.
- Viewers. One account (`ml-<dataset>-<userId>@movielens.invalid`, unusable password) and
  one profile ("MovieLens <userId>") per MovieLens user.
- Ratings. Stars as in the file, thumbs from `stars_to_thumbs`, dated by the file's
  timestamp (UTC). ml-1m's `ratings_no_timestamp.dat` has none: those ratings are all dated
  `UNDATED_RATED_AT`, a fixed date, so that re-imports and tests are reproducible.
- Errors. Every file is read and checked before anything is written, and the writes share
  one transaction: a bad line stops the import with nothing changed.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from accounts.models import Profile, User
from catalog.importers.movielens.formats import (
    Dataset,
    MovieLensFormatError,
    RatingRow,
    dataset_detect,
    links_read,
    movies_read,
    ratings_read,
    tags_read,
    tags_select,
    users_read,
)
from catalog.importers.movielens.titles import TAG_MIN_USERS, tags_attach, titles_ensure
from catalog.models import Title
from recommendations.models import Rating, Source
from recommendations.services import stars_to_thumbs

EMAIL_DOMAIN = "movielens.invalid"
# MovieLens 1M was published in February 2003, after every rating in it.
UNDATED_RATED_AT = datetime(2003, 2, 1, tzinfo=UTC)
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
        titles = titles_ensure(movies, links=links)
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
        tags_created, title_tags_added = tags_attach(tags, title_ids=titles.ids)
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
