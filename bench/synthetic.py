"""A synthetic catalogue and its viewers for bench/home.py, generated with numpy, written with COPY.

    world = world_build(scale=1.0, seed=0, now=time.time())  # 50k titles, 100k profiles
    ids = world_load(world, connection)                       # PostgreSQL only
    data = training_data(world, ids, ...)                     # as training_data_read() reads

The world has structure for the models to find: every title belongs to one of `CLUSTERS`
taste clusters, which decides most of its genres, tags and people; every profile has a
primary and a secondary cluster and draws most of what it watches from them. Popularity is
skewed (Zipf, exponent 1, over a random order of the titles). Ratings follow the profile's
affinity plus the title's quality plus noise, and finishing a title is likelier the better
the profile would rate it.

Signals are title-level watch progress rows (finished, in progress, abandoned) and star
ratings of about two thirds of them; some profiles also get My List entries (on top of the
signal count). There are no episode-level progress rows, no thumbs, no "not interested",
no private viewing and no kids profiles.

Rating and WatchProgress rows go in with binary COPY built straight from numpy arrays, with
the tables' secondary indexes dropped and rebuilt afterwards and foreign-key triggers off
(`session_replication_role = replica`): the data is generated consistent. Smaller tables go
through text COPY (`write_row`). The database must be fresh but migrated.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np
from django.core.management.color import no_style

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from psycopg import Cursor

    from recommendations.core.signals import TrainingData

TITLES = 50_000
PROFILES = 100_000
SIGNALS = 10_000_000
PROFILES_PER_ACCOUNT = 5
CLUSTERS = 24
RATED_SHARE = 0.67  # ratings per watched title: 6M progress rows + 4M ratings at full scale
PG_EPOCH = 946_684_800  # 2000-01-01T00:00:00Z in Unix seconds: binary timestamps count from it
DAY = 86_400.0

GENRES = [
    "Action", "Adventure", "Animation", "Comedy", "Crime", "Documentary", "Drama", "Family",
    "Fantasy", "History", "Horror", "Music", "Mystery", "Romance", "Science Fiction",
    "Thriller", "War", "Western", "Sport", "Biography",
]  # fmt: skip
ADJECTIVES = [
    "Silent", "Crimson", "Hidden", "Last", "Golden", "Broken", "Distant", "Electric",
    "Frozen", "Burning", "Hollow", "Midnight", "Northern", "Paper", "Quiet", "Restless",
    "Secret", "Shattered", "Stolen", "Wild", "Velvet", "Iron", "Lost", "Glass", "Endless",
    "Falling", "Bitter", "Lucky", "Savage", "Gentle",
]  # fmt: skip
NOUNS = [
    "Harbor", "Empire", "River", "Garden", "Signal", "Orchard", "Kingdom", "Mirror", "Road",
    "Summer", "Winter", "Island", "Letter", "Machine", "Tower", "Forest", "Desert", "Station",
    "Promise", "Shadow", "Voyage", "Circus", "Frontier", "Lighthouse", "Orchestra", "Citadel",
    "Valley", "Archive", "Comet", "Carnival", "Canyon", "Reef", "Engine", "Bridge", "Crown",
    "Ghost", "Hotel", "Meadow", "Pilot", "Saint",
]  # fmt: skip
FIRST_NAMES = [
    "Ada", "Ben", "Carla", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Kemi", "Luca", "Maya", "Nils", "Olga", "Pablo", "Quinn", "Rosa", "Sami", "Tess",
]  # fmt: skip
LAST_NAMES = [
    "Abbott", "Barros", "Chen", "Duarte", "Eklund", "Fischer", "Garcia", "Haddad", "Ito",
    "Jensen", "Kowalski", "Larsen", "Moreau", "Novak", "Okafor", "Petrov", "Quiroga",
    "Rossi", "Silva", "Tanaka", "Usman", "Varga", "Weber", "Yilmaz", "Zhou",
]  # fmt: skip
MATURITY = ["G", "PG", "PG-13", "R", "TV-14", "TV-MA", "NC-17", "NR"]
MATURITY_SHARE = [0.08, 0.14, 0.25, 0.25, 0.1, 0.1, 0.03, 0.05]


def _unique(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct values; numpy 2's hash-based np.unique is ten times slower here."""
    keys = np.sort(keys)
    return keys[np.concatenate([[True], keys[1:] != keys[:-1]])] if keys.size else keys


def _unique_pairs(pairs: np.ndarray, n_second: int) -> np.ndarray:
    keys = _unique(pairs[:, 0].astype(np.int64) * n_second + pairs[:, 1])
    return np.stack([keys // n_second, keys % n_second], 1)


@dataclass
class World:
    """Everything generated, as arrays of indices (0-based; ids are given when loading)."""

    now: float  # Unix seconds; every date is `now` minus a generated age
    # Titles
    cluster: np.ndarray
    is_series: np.ndarray
    year: np.ndarray
    runtime: np.ndarray  # minutes; a series' episode length
    maturity: np.ndarray  # index into MATURITY
    added_days: np.ndarray
    quality: np.ndarray
    weight: np.ndarray  # popularity weight (Zipf)
    title_genres: np.ndarray  # (pairs, 2): title, genre
    title_tags: np.ndarray  # (pairs, 2): title, tag
    n_tags: int
    n_people: int
    credits: np.ndarray  # (rows, 4): title, person, role (0 director, 1 actor), billing
    seasons: np.ndarray  # (rows, 2): title, number
    episodes: np.ndarray  # (rows, 3): season row, number, runtime
    # Profiles: n_profiles with signals, then `new_profiles` without (their own account)
    n_profiles: int
    new_profiles: int
    primary: np.ndarray
    secondary: np.ndarray
    # Watched titles (one title-level progress row each), sorted by (profile, title)
    w_profile: np.ndarray
    w_title: np.ndarray
    w_percent: np.ndarray
    w_completed: np.ndarray
    w_times: np.ndarray
    w_days: np.ndarray  # last watched, days ago
    w_rated: np.ndarray  # bool: also rated
    w_half: np.ndarray  # half stars 1-10 of the rating (where rated)
    # My List
    l_profile: np.ndarray
    l_title: np.ndarray
    l_days: np.ndarray

    @property
    def n_titles(self) -> int:
        return int(self.cluster.size)

    @property
    def n_ratings(self) -> int:
        return int(self.w_rated.sum())


def world_build(*, scale: float, seed: int, now: float, new_profiles: int = 5) -> World:
    """Generate the world: `scale` 1 is 50,000 titles, 100,000 profiles, 10M signals."""
    rng = np.random.default_rng(seed)
    n_titles = max(int(TITLES * scale), 200)
    n_profiles = max(int(PROFILES * scale) // PROFILES_PER_ACCOUNT * PROFILES_PER_ACCOUNT, 50)
    n_watched = int(SIGNALS * scale / (1 + RATED_SHARE))

    cluster = rng.integers(0, CLUSTERS, n_titles)
    is_series = rng.random(n_titles) < 0.15
    year = rng.integers(1950, 2026, n_titles)
    runtime = np.where(is_series, rng.integers(22, 61, n_titles), rng.integers(78, 170, n_titles))
    maturity = rng.choice(len(MATURITY), n_titles, p=MATURITY_SHARE)
    added_days = np.minimum(rng.exponential(700, n_titles), 5000)
    fresh = rng.random(n_titles) < 0.02
    added_days[fresh] = rng.uniform(0, 45, int(fresh.sum()))
    quality = rng.normal(0, 0.4, n_titles)
    rank = rng.permutation(n_titles)
    weight = 1.0 / (rank + 10.0)

    # Genres: one or two of the cluster's two home genres, sometimes one at random.
    home = np.stack([np.arange(CLUSTERS) % len(GENRES), (np.arange(CLUSTERS) * 7 + 3) % 20], 1)
    pairs = [np.stack([np.arange(n_titles), home[cluster, rng.integers(0, 2, n_titles)]], 1)]
    second = np.flatnonzero(rng.random(n_titles) < 0.5)
    pairs.append(np.stack([second, home[cluster[second], 1]], 1))
    third = np.flatnonzero(rng.random(n_titles) < 0.3)
    pairs.append(np.stack([third, rng.integers(0, len(GENRES), third.size)], 1))
    title_genres = _unique_pairs(np.concatenate(pairs), len(GENRES))

    # Tags: four per title, mostly from the cluster's fifteen.
    n_tags = 400
    home_tags = rng.integers(0, n_tags, (CLUSTERS, 15))
    titles4 = np.repeat(np.arange(n_titles), 4)
    from_home = home_tags[cluster[titles4], rng.integers(0, 15, titles4.size)]
    tags = np.where(
        rng.random(titles4.size) < 0.7, from_home, rng.integers(0, n_tags, titles4.size)
    )
    title_tags = _unique_pairs(np.stack([titles4, tags], 1), n_tags)

    # People: a director and four actors per title, mostly from the cluster's own people.
    n_people = max(n_titles * 2 // 5, 50)
    person_cluster = rng.integers(0, CLUSTERS, n_people)
    order = np.argsort(person_cluster, kind="stable")
    starts = np.searchsorted(person_cluster[order], np.arange(CLUSTERS + 1))

    def people_of(titles: np.ndarray) -> np.ndarray:
        c = cluster[titles]
        size = starts[c + 1] - starts[c]
        local = order[starts[c] + (rng.random(titles.size) * size).astype(np.int64)]
        anyone = rng.integers(0, n_people, titles.size)
        return np.where((rng.random(titles.size) < 0.7) & (size > 0), local, anyone)

    directors = np.arange(n_titles)
    actors = np.repeat(np.arange(n_titles), 4)
    zeros = np.zeros(n_titles, dtype=np.int64)
    credits = np.concatenate(
        [
            np.stack([directors, people_of(directors), zeros, zeros], 1),
            np.stack(
                [actors, people_of(actors), zeros.repeat(4) + 1, np.tile(np.arange(4), n_titles)], 1
            ),
        ]
    )
    # One credit per (title, person, role): the best billing wins.
    keys = (credits[:, 0] * n_people + credits[:, 1]) * 2 + credits[:, 2]
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    credits = credits[np.sort(order[np.concatenate([[True], ordered[1:] != ordered[:-1]])])]

    # Series: one to four seasons of six to ten episodes.
    series = np.flatnonzero(is_series)
    n_seasons = np.minimum(rng.geometric(0.45, series.size), 4)
    season_title = np.repeat(series, n_seasons)
    season_number = np.concatenate([np.arange(1, k + 1) for k in n_seasons]) if series.size else []
    seasons = np.stack([season_title, np.asarray(season_number, dtype=np.int64)], 1)
    n_episodes = rng.integers(6, 11, len(seasons))
    episode_season = np.repeat(np.arange(len(seasons)), n_episodes)
    episode_number = np.arange(episode_season.size) - np.repeat(
        np.cumsum(n_episodes) - n_episodes, n_episodes
    )
    episode_runtime = np.clip(
        runtime[season_title[episode_season]] + rng.integers(-4, 5, episode_season.size), 1, 999
    )
    episodes = np.stack([episode_season, episode_number + 1, episode_runtime], 1)

    # Profiles and what they watch.
    primary = rng.integers(0, CLUSTERS, n_profiles)
    secondary = (primary + rng.integers(1, CLUSTERS, n_profiles)) % CLUSTERS
    activity = rng.lognormal(0.0, 1.0, n_profiles)
    activity *= n_watched / activity.sum()
    cap = max(n_titles // 5, 10)
    counts = np.clip(np.round(activity).astype(np.int64), 3, cap)
    members = np.argsort(cluster, kind="stable")
    member_starts = np.searchsorted(cluster[members], np.arange(CLUSTERS + 1))
    member_cum = [
        np.cumsum(weight[members[member_starts[k] : member_starts[k + 1]]]) for k in range(CLUSTERS)
    ]
    global_cum = np.cumsum(weight)

    def draw(profiles: np.ndarray) -> np.ndarray:
        """One title per entry of `profiles`: own clusters 55% / 20%, anything 25%."""
        source = rng.random(profiles.size)
        wanted = np.where(source < 0.55, primary[profiles], secondary[profiles])
        wanted[source >= 0.75] = -1
        titles = np.empty(profiles.size, dtype=np.int64)
        anywhere = wanted < 0
        u = rng.random(int(anywhere.sum())) * global_cum[-1]
        titles[anywhere] = np.minimum(np.searchsorted(global_cum, u), n_titles - 1)
        for k in range(CLUSTERS):
            mine = np.flatnonzero(wanted == k)
            cum = member_cum[k]
            if mine.size == 0 or cum.size == 0:
                titles[mine] = rng.integers(0, n_titles, mine.size)
                continue
            at = np.searchsorted(cum, rng.random(mine.size) * cum[-1])
            titles[mine] = members[member_starts[k] + np.minimum(at, cum.size - 1)]
        return titles

    keys = np.empty(0, dtype=np.int64)
    for _round in range(6):
        missing = n_watched - keys.size
        if missing <= 0:
            break
        share = counts / counts.sum()
        extra = np.maximum(np.round(share * missing * 1.15).astype(np.int64), 0)
        profiles = np.repeat(np.arange(n_profiles), extra)
        keys = _unique(np.concatenate([keys, profiles * n_titles + draw(profiles)]))
    if keys.size > n_watched:
        keys = np.sort(rng.choice(keys, n_watched, replace=False))
    w_profile = (keys // n_titles).astype(np.int32)
    w_title = (keys % n_titles).astype(np.int32)
    n = keys.size

    affinity = (cluster[w_title] == primary[w_profile]) | (cluster[w_title] == secondary[w_profile])
    taste = 3.1 + 0.9 * affinity + quality[w_title] + rng.normal(0, 0.6, n)
    w_half = np.clip(np.round(taste * 2), 1, 10).astype(np.int16)
    completed = rng.random(n) < 0.95 / (1 + np.exp(-2.5 * (taste - 2.8)))
    in_progress = ~completed & (rng.random(n) < 0.45)
    abandoned = ~completed & ~in_progress
    percent = np.where(completed, 100.0, 0.0)
    percent[in_progress] = rng.uniform(5, 95, int(in_progress.sum()))
    percent[abandoned] = rng.uniform(1, 24, int(abandoned.sum()))
    times = completed.astype(np.int32)
    rewatched = completed & (rng.random(n) < 0.08)
    times[rewatched] += rng.integers(1, 3, int(rewatched.sum()))
    days = 7 + np.minimum(rng.exponential(200, n), 1500)
    recent = rng.random(n)
    days[recent < 0.08] = rng.uniform(1, 7, int((recent < 0.08).sum()))
    days[recent < 0.02] = rng.uniform(0, 1, int((recent < 0.02).sum()))
    days[in_progress] = rng.uniform(0, 40, int(in_progress.sum()))
    days[abandoned] = 15 + np.minimum(rng.exponential(200, int(abandoned.sum())), 1500)
    chance = np.where(completed, 0.85, np.where(in_progress, 0.15, 0.45))
    chance = np.minimum(chance * RATED_SHARE * n / chance.sum(), 1.0)
    rated = rng.random(n) < chance

    # My List: a third of the profiles keep up to ten titles of their primary cluster.
    listers = np.flatnonzero(rng.random(n_profiles) < 0.35)
    l_profile = np.repeat(listers, rng.integers(1, 11, listers.size))
    lc = primary[l_profile]
    size = member_starts[lc + 1] - member_starts[lc]
    l_title = members[member_starts[lc] + (rng.random(l_profile.size) * size).astype(np.int64)]
    l_keys = _unique(l_profile.astype(np.int64) * n_titles + l_title)
    at = np.minimum(np.searchsorted(keys, l_keys), keys.size - 1)
    l_keys = l_keys[keys[at] != l_keys]  # not what they watched
    return World(
        now=now,
        cluster=cluster,
        is_series=is_series,
        year=year,
        runtime=runtime,
        maturity=maturity,
        added_days=added_days,
        quality=quality,
        weight=weight,
        title_genres=title_genres,
        title_tags=title_tags,
        n_tags=n_tags,
        n_people=n_people,
        credits=credits,
        seasons=seasons,
        episodes=episodes,
        n_profiles=n_profiles,
        new_profiles=new_profiles,
        primary=primary,
        secondary=secondary,
        w_profile=w_profile,
        w_title=w_title,
        w_percent=percent,
        w_completed=completed,
        w_times=times,
        w_days=days,
        w_rated=rated,
        w_half=w_half,
        l_profile=(l_keys // n_titles).astype(np.int32),
        l_title=(l_keys % n_titles).astype(np.int32),
        l_days=rng.uniform(0, 300, l_keys.size),
    )


# --------------------------------------------------------------------------------------
# Writing it
# --------------------------------------------------------------------------------------

_BINARY = {
    "int8": ">i8",
    "int4": ">i4",
    "int2": ">i2",
    "float8": ">f8",
    "bool": "u1",
    "timestamptz": ">i8",
}
_STARS_PARTS = ("ndigits", "weight", "sign", "dscale", "d0", "d1")


def copy_binary(cursor: Cursor, table: str, columns: list[tuple[str, str, object]], n: int) -> None:
    """COPY `n` rows in PostgreSQL's binary format, laid out by numpy: no Python per row.

    Each column is (name, kind, values): kind is a key of `_BINARY` (values an array of `n`
    or a scalar; timestamptz in Unix seconds), "stars" (half stars 1-10, written as
    numeric(2,1) with two base-10000 digits) or "const" (bytes, the same in every row).
    """
    fields: list[tuple[str, str]] = [("count", ">i2")]
    for name, kind, values in columns:
        fields.append((f"{name}__len", ">i4"))
        if kind == "stars":
            fields += [(f"{name}__{part}", ">i2") for part in _STARS_PARTS]
        elif kind == "const":
            assert isinstance(values, bytes)
            fields.append((name, f"S{len(values)}"))
        else:
            fields.append((name, _BINARY[kind]))
    dtype = np.dtype(fields)
    names = ", ".join(name for name, _kind, _values in columns)
    with cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0))
        for start in range(0, n, 1_000_000):
            stop = min(start + 1_000_000, n)
            rows = np.zeros(stop - start, dtype)
            rows["count"] = len(columns)
            for name, kind, values in columns:
                part = values[start:stop] if isinstance(values, np.ndarray) else values
                if kind == "stars":
                    half = np.asarray(part, dtype=np.int64)
                    rows[f"{name}__len"] = 12
                    rows[f"{name}__ndigits"] = 2
                    rows[f"{name}__dscale"] = 1
                    rows[f"{name}__d0"] = half // 2
                    rows[f"{name}__d1"] = (half % 2) * 5000
                    continue
                if kind == "const":
                    rows[f"{name}__len"] = len(values)
                elif kind == "timestamptz":
                    rows[f"{name}__len"] = 8
                    part = np.round((np.asarray(part, dtype=np.float64) - PG_EPOCH) * 1e6)
                else:
                    rows[f"{name}__len"] = np.dtype(_BINARY[kind]).itemsize
                rows[name] = part
            copy.write(rows.data)
        copy.write(struct.pack(">h", -1))


def _copy_rows(cursor: Cursor, table: str, columns: tuple[str, ...], rows: Iterator[tuple]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


@contextmanager
def indexes_dropped(cursor: Cursor, table: str) -> Iterator[None]:
    """Drop the table's unique constraints and secondary indexes; rebuild them on exit.

    Building an index once over sorted data is several times faster than keeping eight of
    them up to date row by row. The primary key stays.
    """
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype = 'u'",
        [table],
    )
    constraints = cursor.fetchall()
    for name, _definition in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN"
        " (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
        [table, table],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for _name, definition in indexes:
            cursor.execute(definition)


@contextmanager
def bulk_session(connection: BaseDatabaseWrapper) -> Iterator[Cursor]:
    """psycopg's own cursor, with foreign-key triggers off and room for index builds."""
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET maintenance_work_mem = '1GB'")
        try:
            yield cursor
        finally:
            cursor.execute("RESET session_replication_role")
            cursor.execute("RESET maintenance_work_mem")


def _first_id(cursor: Cursor, table: str) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
    return int(cursor.fetchone()[0])


def _when(now: float, days_ago: float) -> datetime:
    return datetime.fromtimestamp(now - days_ago * DAY, tz=UTC)


@dataclass(frozen=True)
class Ids:
    """Database ids of the world's indices."""

    titles: np.ndarray
    profiles: np.ndarray
    new_profiles: np.ndarray


def world_load(world: World, connection: BaseDatabaseWrapper) -> Ids:
    """Write the world into a migrated PostgreSQL database; return the ids it was given."""
    from django.contrib.auth.hashers import make_password
    from django.utils.text import slugify

    from accounts.models import Profile, User
    from catalog.models import Credit, Episode, Genre, Person, Season, Tag, Title
    from recommendations.models import ListItem, Rating, WatchProgress

    now = world.now
    stamp = _when(now, 0)
    with bulk_session(connection) as cursor:
        genre0 = _first_id(cursor, "catalog_genre")
        _copy_rows(
            cursor,
            "catalog_genre",
            ("id", "name", "slug"),
            ((genre0 + i, f"{name} ·", slugify(name) + "-s") for i, name in enumerate(GENRES)),
        )
        tag0 = _first_id(cursor, "catalog_tag")
        tag_names = [f"{a.lower()} {b.lower()}" for a in ADJECTIVES for b in NOUNS][: world.n_tags]
        _copy_rows(
            cursor,
            "catalog_tag",
            ("id", "name", "slug", "kind"),
            (
                (tag0 + i, name, slugify(name), "mood" if i % 4 == 0 else "theme")
                for i, name in enumerate(tag_names)
            ),
        )
        person0 = _first_id(cursor, "catalog_person")
        _copy_rows(
            cursor,
            "catalog_person",
            ("id", "name", "slug", "biography"),
            (
                (person0 + i, name, f"{slugify(name)}-{i}", "")
                for i in range(world.n_people)
                for name in [
                    f"{FIRST_NAMES[i % len(FIRST_NAMES)]} "
                    f"{LAST_NAMES[(i // len(FIRST_NAMES)) % len(LAST_NAMES)]}"
                ]
            ),
        )
        title0 = _first_id(cursor, "catalog_title")

        def titles() -> Iterator[tuple]:
            for i in range(world.n_titles):
                adjective = ADJECTIVES[i % len(ADJECTIVES)]
                noun = NOUNS[(i // len(ADJECTIVES)) % len(NOUNS)]
                round_ = i // (len(ADJECTIVES) * len(NOUNS))
                name = f"The {adjective} {noun}" + (f" {round_ + 1}" if round_ else "")
                yield (
                    title0 + i,
                    "series" if world.is_series[i] else "movie",
                    name,
                    f"{slugify(name)}-{i}",
                    f"A story of the {noun.lower()} and a {adjective.lower()} secret.",
                    int(world.year[i]),
                    int(world.runtime[i]),
                    MATURITY[world.maturity[i]],
                    "en",
                    "",
                    "",
                    True,
                    _when(now, float(world.added_days[i])),
                    stamp,
                )

        _copy_rows(
            cursor,
            "catalog_title",
            (
                "id", "kind", "name", "slug", "synopsis", "year", "runtime_minutes",
                "maturity_rating", "original_language", "country", "poster", "is_published",
                "added_at", "updated_at",
            ),
            titles(),
        )  # fmt: skip
        for table, column, pairs, first in (
            ("catalog_title_genres", "genre_id", world.title_genres, genre0),
            ("catalog_title_tags", "tag_id", world.title_tags, tag0),
        ):
            copy_binary(
                cursor,
                table,
                [("title_id", "int8", pairs[:, 0] + title0), (column, "int8", pairs[:, 1] + first)],
                len(pairs),
            )
        roles = ["director", "actor"]
        _copy_rows(
            cursor,
            "catalog_credit",
            ("title_id", "person_id", "role", "character", "billing_order"),
            (
                (int(t) + title0, int(p) + person0, roles[r], "", int(b))
                for t, p, r, b in world.credits.tolist()
            ),
        )
        season0 = _first_id(cursor, "catalog_season")
        _copy_rows(
            cursor,
            "catalog_season",
            ("id", "title_id", "number", "name"),
            ((season0 + i, t + title0, n, "") for i, (t, n) in enumerate(world.seasons.tolist())),
        )
        _copy_rows(
            cursor,
            "catalog_episode",
            ("season_id", "number", "name", "synopsis", "runtime_minutes"),
            ((s + season0, n, f"Episode {n}", "", r) for s, n, r in world.episodes.tolist()),
        )

        # Accounts of five profiles each; the profiles without signals get one of their own.
        account0 = _first_id(cursor, "accounts_user")
        n_accounts = world.n_profiles // PROFILES_PER_ACCOUNT + 1
        password = make_password(None)
        _copy_rows(
            cursor,
            "accounts_user",
            (
                "id", "password", "is_superuser", "email", "name", "is_staff", "is_active",
                "date_joined", "rating_scale",
            ),
            (
                (account0 + a, password, False, f"synthetic-{a:06d}@bench.invalid", "", False,
                 True, stamp, "stars")
                for a in range(n_accounts)
            ),
        )  # fmt: skip
        profile0 = _first_id(cursor, "accounts_profile")
        total = world.n_profiles + world.new_profiles

        def profiles() -> Iterator[tuple]:
            for i in range(total):
                new = i >= world.n_profiles
                account = n_accounts - 1 if new else i // PROFILES_PER_ACCOUNT
                number = (i - world.n_profiles if new else i % PROFILES_PER_ACCOUNT) + 1
                yield (
                    profile0 + i,
                    f"New {number}" if new else f"Viewer {number}",
                    "#3d7eff",
                    "en",
                    False,
                    18,
                    stamp,
                    account0 + account,
                    False,
                    stamp,  # onboarded (or skipped the picker): no redirect to it
                    stamp,
                    "",  # no PIN: the profile opens without one
                )

        _copy_rows(
            cursor,
            "accounts_profile",
            (
                "id", "name", "avatar_color", "language", "is_kids", "max_maturity_age",
                "created_at", "account_id", "private_session", "onboarded_at",
                "signals_changed_at", "pin_hash",
            ),
            profiles(),
        )  # fmt: skip
        profile_ids = np.arange(total, dtype=np.int64) + profile0
        ids = Ids(
            titles=np.arange(world.n_titles, dtype=np.int64) + title0,
            profiles=profile_ids[: world.n_profiles],
            new_profiles=profile_ids[world.n_profiles :],
        )
        signals_load(
            cursor,
            profile_ids=ids.profiles[world.w_profile],
            title_ids=ids.titles[world.w_title],
            runtime_minutes=world.runtime[world.w_title],
            percent=world.w_percent,
            completed=world.w_completed,
            times=world.w_times,
            watched_at=now - world.w_days * DAY,
            rated=world.w_rated,
            half_stars=world.w_half,
        )
        with indexes_dropped(cursor, "recommendations_listitem"):
            copy_binary(
                cursor,
                "recommendations_listitem",
                [
                    ("profile_id", "int8", ids.profiles[world.l_profile]),
                    ("title_id", "int8", ids.titles[world.l_title]),
                    ("added_at", "timestamptz", now - world.l_days * DAY),
                ],
                world.l_profile.size,
            )
    models = [Genre, Tag, Person, Title, Credit, Season, Episode, User, Profile]
    models += [Title.genres.through, Title.tags.through, Rating, WatchProgress, ListItem]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
    return ids


def signals_load(
    cursor: Cursor,
    *,
    profile_ids: np.ndarray,
    title_ids: np.ndarray,
    runtime_minutes: np.ndarray,
    percent: np.ndarray,
    completed: np.ndarray,
    times: np.ndarray,
    watched_at: np.ndarray,
    rated: np.ndarray,
    half_stars: np.ndarray,
) -> None:
    """One title-level progress row per entry, and a rating where `rated` (binary COPY).

    Dates are Unix seconds. Used for the synthetic world and for ml-1m's invented viewing.
    """
    runtime = np.asarray(runtime_minutes, dtype=np.int64) * 60
    furthest = np.round(percent / 100 * runtime).astype(np.int64)
    with indexes_dropped(cursor, "recommendations_watchprogress"):
        for done in (True, False):
            pick = np.flatnonzero(completed == done)
            columns = [
                ("profile_id", "int8", profile_ids[pick]),
                ("title_id", "int8", title_ids[pick]),
                ("runtime_seconds", "int4", runtime[pick]),
                ("last_position", "int4", furthest[pick]),
                ("furthest_position", "int4", furthest[pick]),
                ("seconds_watched", "int4", furthest[pick] * np.maximum(times[pick], 1)),
                ("percent", "float8", percent[pick]),
                ("started_at", "timestamptz", watched_at[pick] - runtime[pick]),
                ("last_watched_at", "timestamptz", watched_at[pick]),
                ("last_event_kind", "const", b"stop"),
                ("completed", "bool", done),
                ("times_completed", "int4", times[pick]),
                ("is_private", "bool", False),
                ("hidden_from_continue", "bool", False),
            ]
            if done:
                columns.append(("completed_at", "timestamptz", watched_at[pick]))
            copy_binary(cursor, "recommendations_watchprogress", columns, pick.size)
    pick = np.flatnonzero(rated)
    if pick.size == 0:
        return
    half = np.asarray(half_stars)[pick]
    # Thumbs derived from stars as services.stars_to_thumbs does: <= 2.5 down, < 4.5 up.
    thumbs = np.where(half <= 5, -1, np.where(half < 9, 1, 2))
    with indexes_dropped(cursor, "recommendations_rating"):
        copy_binary(
            cursor,
            "recommendations_rating",
            [
                ("profile_id", "int8", profile_ids[pick]),
                ("title_id", "int8", title_ids[pick]),
                ("stars", "stars", half),
                ("thumbs", "int2", thumbs),
                ("scale", "const", b"stars"),
                ("source", "const", b"import"),
                # A minute after the viewing, but never ahead of the clock (a real rating).
                ("rated_at", "timestamptz", np.minimum(watched_at[pick] + 60, time.time())),
            ],
            pick.size,
        )


# --------------------------------------------------------------------------------------
# Training data, as the engine would read it
# --------------------------------------------------------------------------------------


def training_data(
    world: World, ids: Ids, *, abandoned_after_days: float, abandoned_below_percent: float
) -> TrainingData:
    """The engine's training data, derived in numpy from the world instead of the database.

    `engine.training_data_read()` reads every signal back through the ORM and derives each
    profile's in Python (minutes at 10M signals); this applies the same `SignalTable`
    (defaults) to the arrays. bench/home.py checks it against `derive_signals` on a sample.
    """
    from recommendations.core.signals import Interactions, SignalTable, TrainingData

    table = SignalTable()
    low, high = table.rating_scale
    completed, percent, rated = world.w_completed, world.w_percent, world.w_rated
    finished = np.maximum(world.w_times, completed.astype(np.int32))
    abandoned = (
        ~completed & (percent < abandoned_below_percent) & (world.w_days > abandoned_after_days)
    )
    derived = np.full(percent.size, np.nan)
    derived[finished == 1] = table.finished
    derived[finished >= 2] = table.rewatched
    derived[(finished == 0) & abandoned] = table.abandoned
    stars = world.w_half / 2.0
    rating = np.clip(np.where(rated, stars, derived), low, high)
    explicit = ~np.isnan(rating)

    share = np.clip(percent, 0, 100) / 100
    extra = np.minimum(np.maximum(finished - 1, 0), table.rewatch_cap)
    weight = table.weight_watched_share * share + (finished > 0) * (
        table.weight_finished + table.weight_rewatch * extra
    )
    weight[abandoned & (finished == 0)] = 0.0
    weight += rated * (table.weight_rated + table.weight_rated_high * (stars >= table.high_rating))
    weight[rated & (stars <= table.low_rating)] = 0.0  # a dislike drops the title entirely
    positive = weight > 0

    users = np.concatenate([world.w_profile[positive], world.l_profile]).astype(np.int32)
    items = np.concatenate([world.w_title[positive], world.l_title]).astype(np.int32)
    values = np.concatenate([weight[positive], np.full(world.l_profile.size, table.weight_my_list)])
    return TrainingData(
        user_ids=np.concatenate([ids.profiles, ids.new_profiles]),
        item_ids=ids.titles,
        explicit=Interactions(
            world.w_profile[explicit].astype(np.int32),
            world.w_title[explicit].astype(np.int32),
            rating[explicit],
        ),
        implicit=Interactions(users, items, values),
    )
