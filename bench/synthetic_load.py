"""The synthetic world (bench/synthetic.py) written into PostgreSQL with COPY.

Rating and WatchProgress rows go in with binary COPY built straight from numpy arrays, with
the tables' secondary indexes dropped and rebuilt afterwards and foreign-key triggers off
(`session_replication_role = replica`): the data is generated consistent. Smaller tables go
through text COPY (bench/bulk_copy.py has both). The database must be fresh but migrated.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np
from django.core.management.color import no_style

from bench.bulk_copy import (
    bulk_session,
    copy_binary,
    copy_rows,
    first_id,
    indexes_dropped,
    signals_load,
)
from bench.synthetic import DAY, GENRES, MATURITY, PROFILES_PER_ACCOUNT, World

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

# What titles and people are called: the world has only their indices.
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
        genre0 = first_id(cursor, "catalog_genre")
        copy_rows(
            cursor,
            "catalog_genre",
            ("id", "name", "slug"),
            ((genre0 + i, f"{name} ·", slugify(name) + "-s") for i, name in enumerate(GENRES)),
        )
        tag0 = first_id(cursor, "catalog_tag")
        tag_names = [f"{a.lower()} {b.lower()}" for a in ADJECTIVES for b in NOUNS][: world.n_tags]
        copy_rows(
            cursor,
            "catalog_tag",
            ("id", "name", "slug", "kind"),
            (
                (tag0 + i, name, slugify(name), "mood" if i % 4 == 0 else "theme")
                for i, name in enumerate(tag_names)
            ),
        )
        person0 = first_id(cursor, "catalog_person")
        copy_rows(
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
        title0 = first_id(cursor, "catalog_title")

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

        copy_rows(
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
        copy_rows(
            cursor,
            "catalog_credit",
            ("title_id", "person_id", "role", "character", "billing_order"),
            (
                (int(t) + title0, int(p) + person0, roles[r], "", int(b))
                for t, p, r, b in world.credits.tolist()
            ),
        )
        season0 = first_id(cursor, "catalog_season")
        copy_rows(
            cursor,
            "catalog_season",
            ("id", "title_id", "number", "name"),
            ((season0 + i, t + title0, n, "") for i, (t, n) in enumerate(world.seasons.tolist())),
        )
        copy_rows(
            cursor,
            "catalog_episode",
            ("season_id", "number", "name", "synopsis", "runtime_minutes"),
            ((s + season0, n, f"Episode {n}", "", r) for s, n, r in world.episodes.tolist()),
        )

        # Accounts of five profiles each; the profiles without signals get one of their own.
        account0 = first_id(cursor, "accounts_user")
        n_accounts = world.n_profiles // PROFILES_PER_ACCOUNT + 1
        password = make_password(None)
        copy_rows(
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
        profile0 = first_id(cursor, "accounts_profile")
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

        copy_rows(
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
