"""Write a demo world to the database, fast.

Everything goes in with `bulk_create` inside one transaction: a failure leaves nothing
behind, and 10,000 titles take seconds rather than minutes. Loading into a database that
already has data adds to it: genres and tags are reused, and any title, person or account
whose slug or e-mail is taken gets a "-2", "-3"… suffix.

Every profile also gets its history (`histories.profile_history`): progress rows,
ratings, My List and "not interested". So do the profiles of the demo sign-in household
(`accounts.services.demo_accounts_ensure`), which loading with users creates. The player's
append-only WatchEvent log is left empty: nothing reads old heartbeats back, and the
progress rows are what the site and the recommender use.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TextIO

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import Profile, User
from accounts.services import demo_accounts_ensure
from catalog.models import Credit, Episode, Genre, Person, Season, Tag, Title
from recommendations.demo.catalogue import GenreSpec, TagSpec
from recommendations.demo.histories import (
    DEMO_HOUSEHOLD,
    household_history,
    profile_history,
    title_added_ago,
)
from recommendations.demo.world import EMAIL_DOMAIN, DemoWorld, world_build
from recommendations.demo.writers import HistoryWriter, bulk, bulk_ids
from recommendations.models import ListItem, NotInterested, Rating, WatchProgress


@dataclass(frozen=True)
class DemoSummary:
    seed: int
    titles: int
    series: int
    seasons: int
    episodes: int
    people: int
    credits: int
    genres_created: int
    tags_created: int
    accounts: int
    profiles: int
    viewings: int  # title-level progress rows: films and series started
    progress_rows: int  # those and the episode rows
    ratings: int
    list_items: int
    not_interested: int
    household_profiles: int  # demo sign-in profiles given a history
    seconds: float


def demo_load(
    *,
    titles: int,
    users: int,
    seed: int,
    stdout: TextIO | None = None,
    now: datetime | None = None,
) -> DemoSummary:
    """Generate the demo world for `seed` and write it; return what was created.

    With users, also ensure the demo sign-in accounts and give their household profiles
    histories (only those without any signals yet, so loading again does not double them).
    Every date is `now` (default: the current time) minus a generated offset: the same seed
    gives the same data, shifted to end at the moment of loading.

    Raises ImproperlyConfigured, before writing anything, on a database that cannot return
    primary keys from bulk inserts (every table after the first needs them).
    """
    started = time.perf_counter()
    now = now or timezone.now()
    if not connection.features.can_return_rows_from_bulk_insert:
        raise ImproperlyConfigured(
            "seed_demo needs a database that returns ids from bulk inserts "
            "(PostgreSQL, or SQLite 3.35 or later)."
        )
    world = world_build(titles=titles, users=users, seed=seed)
    _say(stdout, f"Generated the demo world in {time.perf_counter() - started:.1f} s.")
    with transaction.atomic():
        genre_ids, genres_created = _vocabulary_ensure(
            Genre, world.genres, lambda spec: Genre(name=spec.name, slug=spec.slug)
        )
        tag_ids, tags_created = _vocabulary_ensure(
            Tag, world.tags, lambda spec: Tag(name=spec.name, slug=spec.slug, kind=spec.kind)
        )
        person_ids = _people_create(world)
        title_ids = _titles_create(world, now=now)
        _say(stdout, f"Wrote {len(title_ids):,} titles and {len(person_ids):,} people.")
        _title_links_create(world, title_ids=title_ids, genre_ids=genre_ids, tag_ids=tag_ids)
        credits = _credits_create(world, title_ids=title_ids, person_ids=person_ids)
        seasons, episode_ids = _seasons_create(world, title_ids=title_ids)
        accounts, profile_ids = _accounts_create(world, now=now)
        writer = HistoryWriter(world, title_ids=title_ids, episode_ids=episode_ids, now=now)
        for index, profile_id in enumerate(profile_ids):
            writer.add(profile_history(world, index), profile_id=profile_id)
        household = _household_histories_create(world, writer) if users else 0
        writer.flush()
    if connection.vendor == "postgresql":
        # Fresh statistics, or the planner ignores the search indexes on a just-loaded table.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return DemoSummary(
        seed=seed,
        titles=len(title_ids),
        series=sum(1 for title in world.titles if title.seasons),
        seasons=seasons,
        episodes=len(episode_ids),
        people=len(person_ids),
        credits=credits,
        genres_created=genres_created,
        tags_created=tags_created,
        accounts=accounts,
        profiles=len(profile_ids),
        viewings=writer.viewings,
        progress_rows=writer.progress.count,
        ratings=writer.ratings.count,
        list_items=writer.list_items.count,
        not_interested=writer.not_interested.count,
        household_profiles=household,
        seconds=time.perf_counter() - started,
    )


def _say(stdout: TextIO | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def _free(wanted: list[str], existing: set[str], suffixed: Callable[[str, int], str]) -> list[str]:
    """`wanted` with every value already in the database replaced by a free variant."""
    taken = existing | set(wanted)
    result = []
    for value in wanted:
        if value in existing:
            counter = 2
            while suffixed(value, counter) in taken:
                counter += 1
            value = suffixed(value, counter)
            taken.add(value)
        result.append(value)
    return result


def _slug_suffixed(slug: str, counter: int) -> str:
    return f"{slug}-{counter}"


def _email_suffixed(email: str, counter: int) -> str:
    local, domain = email.split("@", 1)
    return f"{local}.{counter}@{domain}"


def _vocabulary_ensure(
    model: type[Genre] | type[Tag],
    specs: tuple[GenreSpec, ...] | tuple[TagSpec, ...],
    build: Callable[[GenreSpec | TagSpec], Genre | Tag],
) -> tuple[dict[str, int], int]:
    """Name → id for genres or tags, creating the missing ones; and how many were created."""
    # Match by slug, then by name: a curator may have renamed a slug or a name, and both
    # are unique, so creating a duplicate of either would fail.
    existing = list(model.objects.all())
    by_slug = {item.slug: item.pk for item in existing}
    by_name = {item.name.lower(): item.pk for item in existing}
    ids: dict[str, int] = {}
    missing = []
    for spec in specs:
        pk = by_slug.get(spec.slug) or by_name.get(spec.name.lower())
        if pk is None:
            missing.append(build(spec))
        else:
            ids[spec.name] = pk
    for item in model.objects.bulk_create(missing):
        ids[item.name] = item.pk
    return ids, len(missing)


def _people_create(world: DemoWorld) -> list[int]:
    existing = set(Person.objects.values_list("slug", flat=True))
    slugs = _free([person.slug for person in world.people], existing, _slug_suffixed)
    return bulk_ids(
        Person,
        [
            Person(name=person.name, slug=slug, birth_year=person.birth_year)
            for person, slug in zip(world.people, slugs, strict=True)
        ],
    )


def _titles_create(world: DemoWorld, *, now: datetime) -> list[int]:
    existing = set(Title.objects.values_list("slug", flat=True))
    slugs = _free([title.slug for title in world.titles], existing, _slug_suffixed)
    return bulk_ids(
        Title,
        [
            Title(
                kind=title.kind,
                name=title.name,
                slug=slug,
                synopsis=title.synopsis,
                year=title.year,
                release_date=title.release_date,
                runtime_minutes=title.runtime_minutes,
                maturity_rating=title.maturity_rating,
                original_language=title.original_language,
                country=title.country,
                is_published=True,
                added_at=now - timedelta(seconds=title_added_ago(world, index)),
            )
            for index, (title, slug) in enumerate(zip(world.titles, slugs, strict=True))
        ],
    )


def _title_links_create(
    world: DemoWorld,
    *,
    title_ids: list[int],
    genre_ids: dict[str, int],
    tag_ids: dict[str, int],
) -> None:
    title_genre = Title.genres.through
    title_tag = Title.tags.through
    bulk(
        title_genre,
        (
            title_genre(title_id=title_id, genre_id=genre_ids[name])
            for title, title_id in zip(world.titles, title_ids, strict=True)
            for name in title.genres
        ),
    )
    bulk(
        title_tag,
        (
            title_tag(title_id=title_id, tag_id=tag_ids[name])
            for title, title_id in zip(world.titles, title_ids, strict=True)
            for name in title.tags
        ),
    )


def _credits_create(world: DemoWorld, *, title_ids: list[int], person_ids: list[int]) -> int:
    return bulk(
        Credit,
        (
            Credit(
                title_id=title_id,
                person_id=person_ids[credit.person],
                role=credit.role,
                character=credit.character,
                billing_order=credit.billing_order,
            )
            for title, title_id in zip(world.titles, title_ids, strict=True)
            for credit in title.credits
        ),
    )


def _seasons_create(world: DemoWorld, *, title_ids: list[int]) -> tuple[int, list[int]]:
    """How many seasons, and the ids of every episode in world order (title, season, number)."""
    specs = [
        (title_id, season)
        for title, title_id in zip(world.titles, title_ids, strict=True)
        for season in title.seasons
    ]
    episode_ids: list[int] = []
    if not specs:
        return 0, episode_ids
    season_ids = bulk_ids(
        Season,
        [
            Season(title_id=title_id, number=season.number, year=season.year)
            for title_id, season in specs
        ],
    )
    bulk(
        Episode,
        (
            Episode(
                season_id=season_id,
                number=episode.number,
                name=episode.name,
                synopsis=episode.synopsis,
                runtime_minutes=episode.runtime_minutes,
            )
            for (_title_id, season), season_id in zip(specs, season_ids, strict=True)
            for episode in season.episodes
        ),
        ids=episode_ids,
    )
    return len(season_ids), episode_ids


def _accounts_create(world: DemoWorld, *, now: datetime) -> tuple[int, list[int]]:
    """How many accounts, and the ids of every profile in `world.profiles` order."""
    profile_ids: list[int] = []
    if not world.accounts:
        return 0, profile_ids
    # E-mails are unique ignoring case, and only demo addresses can clash with these.
    existing = {
        email.lower()
        for email in User.objects.filter(email__iendswith=f"@{EMAIL_DOMAIN}").values_list(
            "email", flat=True
        )
    }
    emails = _free([account.email for account in world.accounts], existing, _email_suffixed)
    # One unusable hash for everyone: demo accounts never sign in, and hashing a password
    # per account would dominate the run time.
    password = make_password(None)
    account_ids = bulk_ids(
        User,
        [
            User(email=email, name=account.name, password=password, date_joined=now)
            for account, email in zip(world.accounts, emails, strict=True)
        ],
    )
    bulk(
        Profile,
        (
            Profile(
                account_id=account_id,
                name=profile.name,
                avatar_color=profile.avatar_color,
                language=profile.language,
                is_kids=profile.is_kids,
                max_maturity_age=profile.max_maturity_age,
            )
            for account, account_id in zip(world.accounts, account_ids, strict=True)
            for profile in account.profiles
        ),
        ids=profile_ids,
    )
    return len(account_ids), profile_ids


def _household_histories_create(world: DemoWorld, writer: HistoryWriter) -> int:
    """Ensure the demo sign-in accounts; give histories to household profiles that have none.

    Returns how many profiles got one. `make run` seeds before `demo_login`, so without
    this the account a visitor signs in with would be the only one with nothing watched.
    """
    viewer, _curator = demo_accounts_ensure()
    quiet = (
        Profile.objects.filter(account=viewer, name__in=list(DEMO_HOUSEHOLD))
        .exclude(Exists(WatchProgress.objects.filter(profile=OuterRef("pk"))))
        .exclude(Exists(Rating.objects.filter(profile=OuterRef("pk"))))
        .exclude(Exists(ListItem.objects.filter(profile=OuterRef("pk"))))
        .exclude(Exists(NotInterested.objects.filter(profile=OuterRef("pk"))))
        .order_by("name")
    )
    count = 0
    for profile in quiet:
        history = household_history(
            world, name=profile.name, max_maturity_age=profile.max_maturity_age
        )
        writer.add(history, profile_id=profile.pk)
        count += 1
    return count
