"""The demo world: a catalogue and accounts whose profiles each hide a taste group.

`world_build(titles=..., users=..., seed=...)` returns plain frozen dataclasses, the same
for the same arguments: no database access here (`load` writes a world). `affinity()` says
how much a taste group likes a title; `histories` turns that into what each profile did.
"""

from __future__ import annotations

import itertools
import random
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from django.utils.text import slugify

from accounts.maturity import AGE_CHOICES, KIDS_MAX_AGE
from accounts.models import AvatarColor
from catalog.maturity import MINIMUM_AGE
from catalog.models import Tag, Title
from recommendations.demo.catalogue import (
    FIRST_YEAR,
    LAST_YEAR,
    GenreSpec,
    PersonSpec,
    TagSpec,
    TitleSpec,
    people_build,
    titles_build,
)
from recommendations.demo.draws import seeded_rng, weighted
from recommendations.demo.tastes import (
    ADULT_GROUP_WEIGHTS,
    GROUP_BY_NAME,
    KIDS_GROUP_WEIGHTS,
    TasteGroup,
)
from recommendations.demo.vocabulary import (
    FIRST_NAMES,
    GENRE_PREVALENCE,
    KIDS_NAMES,
    LAST_NAMES,
    MOODS,
    PROFILE_LANGUAGES,
    THEMES,
)

MAX_TITLES = 200_000
MAX_USERS = 100_000
MAX_PROFILES_PER_ACCOUNT = 4
EMAIL_DOMAIN = "demo.marquee.local"
KIDS_PROFILE_SHARE = 0.28  # of the profiles after an account's first: ~15% of all profiles
# Titles added in the last three weeks are nobody's history yet: they stay fresh for the
# recommender, and every watched title is old enough to have been abandoned on, or binged.
NEW_TITLE_DAYS = 20


@dataclass(frozen=True, slots=True)
class TitlePool:
    """The titles a (group, age limit) may see, with cumulative weights for three draws."""

    indices: list[int]
    watch: list[float]
    wish: list[float]
    refuse: list[float]


@dataclass(frozen=True, slots=True)
class ProfileSpec:
    name: str
    avatar_color: str
    language: str
    is_kids: bool
    max_maturity_age: int
    group: TasteGroup


@dataclass(frozen=True, slots=True)
class AccountSpec:
    name: str
    email: str
    profiles: tuple[ProfileSpec, ...]


@dataclass(frozen=True)
class DemoWorld:
    seed: int
    genres: tuple[GenreSpec, ...]
    tags: tuple[TagSpec, ...]
    people: tuple[PersonSpec, ...]
    titles: tuple[TitleSpec, ...]
    accounts: tuple[AccountSpec, ...]

    @cached_property
    def profiles(self) -> tuple[ProfileSpec, ...]:
        """Every profile, account by account: a profile's index is its position here."""
        return tuple(profile for account in self.accounts for profile in account.profiles)

    @cached_property
    def profile_groups(self) -> tuple[TasteGroup, ...]:
        return tuple(profile.group for profile in self.profiles)

    @cached_property
    def _affinity_cache(self) -> dict[TasteGroup, tuple[float, ...]]:
        return {}

    @cached_property
    def _pool_cache(self) -> dict[tuple[str, int], TitlePool]:
        return {}

    def affinities(self, group: TasteGroup) -> tuple[float, ...]:
        """`affinity()` of every title for `group`, computed once per group."""
        if group not in self._affinity_cache:
            self._affinity_cache[group] = tuple(
                affinity(self, index, group) for index in range(len(self.titles))
            )
        return self._affinity_cache[group]

    def pool(self, group: TasteGroup, max_maturity_age: int) -> TitlePool:
        """The titles `group` may draw under an age limit, computed once per pair.

        Shared by every profile of a group and age: building it is the only pass over the
        catalogue, so a profile's history costs O(titles drawn), not O(catalogue).
        """
        key = (group.name, max_maturity_age)
        if key not in self._pool_cache:
            scores = self.affinities(group)
            indices = [
                index
                for index, title in enumerate(self.titles)
                if MINIMUM_AGE[title.maturity_rating] <= max_maturity_age
            ]
            # The floors let viewers stray outside their taste now and then.
            watch = [
                scores[i] ** 4 + 0.002 if self.titles[i].added_days_ago >= NEW_TITLE_DAYS else 0.0
                for i in indices
            ]
            wish = [scores[i] ** 8 + 0.0001 for i in indices]
            refuse = [(1 - scores[i]) ** 6 + 0.0001 for i in indices]
            self._pool_cache[key] = TitlePool(
                indices=indices,
                watch=list(itertools.accumulate(watch)),
                wish=list(itertools.accumulate(wish)),
                refuse=list(itertools.accumulate(refuse)),
            )
        return self._pool_cache[key]


def world_build(*, titles: int, users: int, seed: int) -> DemoWorld:
    """The demo world for `seed`: the same arguments always give an equal world.

    Titles, people and accounts draw from separate random streams, so changing `users`
    leaves the catalogue as it was.
    """
    if titles < 1:
        raise ValueError("titles must be at least 1.")
    if users < 0 or seed < 0:
        raise ValueError("users and seed must be 0 or more.")
    people, crew, cast = people_build(seeded_rng(seed, "people"), titles=titles)
    return DemoWorld(
        seed=seed,
        genres=tuple(GenreSpec(name=name, slug=slugify(name)) for name in GENRE_PREVALENCE),
        tags=tuple(
            [TagSpec(name=name, slug=slugify(name), kind=Tag.Kind.MOOD) for name in MOODS]
            + [TagSpec(name=name, slug=slugify(name), kind=Tag.Kind.THEME) for name in THEMES]
        ),
        people=people,
        titles=titles_build(
            seeded_rng(seed, "titles"), count=titles, people=people, crew=crew, cast=cast
        ),
        accounts=_accounts_build(seeded_rng(seed, "accounts"), count=users),
    )


def affinity(world: DemoWorld, title_index: int, group: TasteGroup) -> float:
    """How much viewers in `group` like a title: 0 (not at all) to 1 (a favourite).

    Genre and tag weights carry most of the score. The group's taste for series and for
    recent titles, the title's shared quality, and a small noise fixed per (title, group)
    do the rest, so titles with the same genres still rank differently.
    """
    title = world.titles[title_index]
    genre_weights = dict(group.genres)
    tag_weights = dict(group.tags)
    score = 0.12
    score += 0.5 * _blend([genre_weights.get(name, 0.0) for name in title.genres])
    score += 0.25 * _blend([tag_weights.get(name, 0.0) for name in title.tags])
    if any(name in group.disliked_genres for name in title.genres):
        score -= 0.35
    score += 0.08 * group.series_preference * (1 if title.kind == Title.Kind.SERIES else -1)
    recency = 2 * (title.year - FIRST_YEAR) / (LAST_YEAR - FIRST_YEAR) - 1
    score += 0.1 * group.recency_preference * recency
    score += 0.08 * title.quality
    score += 0.12 * (_pair_noise(world.seed, title_index, group.name) - 0.5)
    return min(1.0, max(0.0, score))


def _pair_noise(seed: int, title_index: int, group_name: str) -> float:
    # A hash rather than an RNG: any (title, group) pair is scored alone, in O(1).
    return zlib.crc32(f"{seed}/{title_index}/{group_name}".encode()) / 2**32


def _blend(values: Sequence[float]) -> float:
    # The best match dominates: a horror-comedy is still horror to a horror fan.
    return 0.6 * max(values) + 0.4 * sum(values) / len(values)


def _accounts_build(rng: random.Random, *, count: int) -> tuple[AccountSpec, ...]:
    kids_ages = [age for age, _label in AGE_CHOICES if age <= KIDS_MAX_AGE]
    accounts = []
    for number in range(1, count + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        home_language = weighted(rng, PROFILE_LANGUAGES)
        profile_count = rng.choices(
            range(1, MAX_PROFILES_PER_ACCOUNT + 1), weights=(30, 35, 25, 10)
        )[0]
        colors = rng.sample(AvatarColor.values, profile_count)
        used_names: list[str] = []
        profiles = []
        for position in range(profile_count):
            # The first profile is the account holder's, so it is never a kids profile.
            is_kids = position > 0 and rng.random() < KIDS_PROFILE_SHARE
            if position == 0:
                name = first
            elif is_kids and rng.random() < 0.3:
                name = "Kids"
            else:
                name = rng.choice(KIDS_NAMES if is_kids else FIRST_NAMES)
            while name.lower() in used_names:
                name = rng.choice(KIDS_NAMES if is_kids else FIRST_NAMES)
            used_names.append(name.lower())
            if is_kids:
                max_age = rng.choice(kids_ages)
            elif position > 0 and rng.random() < 0.08:
                max_age = rng.choice((13, 16))  # a teenager's profile
            else:
                max_age = 18
            group_weights = KIDS_GROUP_WEIGHTS if is_kids else ADULT_GROUP_WEIGHTS
            profiles.append(
                ProfileSpec(
                    name=name,
                    avatar_color=colors[position],
                    language=home_language
                    if rng.random() < 0.85
                    else weighted(rng, PROFILE_LANGUAGES),
                    is_kids=is_kids,
                    max_maturity_age=max_age,
                    group=GROUP_BY_NAME[weighted(rng, group_weights)],
                )
            )
        accounts.append(
            AccountSpec(
                name=f"{first} {last}",
                email=f"{slugify(first)}.{slugify(last)}.{number}@{EMAIL_DOMAIN}",
                profiles=tuple(profiles),
            )
        )
    return tuple(accounts)
