"""`manage.py seed_demo` against the database."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.maturity import KIDS_MAX_AGE
from accounts.models import Profile, User
from accounts.services import DEMO_CURATOR_EMAIL, DEMO_VIEWER_EMAIL
from catalog.maturity import ratings_up_to
from catalog.models import Credit, Episode, Genre, Person, Season, Tag, Title
from recommendations.demo.histories import household_history, profile_history
from recommendations.demo.load import demo_load
from recommendations.demo.world import EMAIL_DOMAIN, world_build
from recommendations.models import (
    HALF_STARS,
    ListItem,
    NotInterested,
    Rating,
    Source,
    WatchProgress,
)
from recommendations.services import stars_to_thumbs

pytestmark = pytest.mark.django_db

SIGNAL_MODELS = (WatchProgress, Rating, ListItem, NotInterested)
ALL_MODELS = (Title, Person, Credit, Season, Episode, Genre, Tag, User, Profile, *SIGNAL_MODELS)
# The demo sign-in accounts that seeding with users adds: the viewer and the curator.
HOUSEHOLD_ACCOUNTS = 2
HOUSEHOLD_PROFILES = 4  # Ana, Ben, Kids and the curator's own
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _seed(*args: str, **options: Any) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out, **options)
    return out.getvalue()


def _snapshot() -> dict[str, list]:
    titles = Title.objects.order_by("slug").prefetch_related("genres", "tags", "credits__person")
    return {
        "titles": [
            (
                title.name,
                title.slug,
                title.year,
                title.kind,
                title.release_date,
                title.runtime_minutes,
                title.maturity_rating,
                title.synopsis,
                sorted(genre.slug for genre in title.genres.all()),
                sorted(tag.slug for tag in title.tags.all()),
                sorted(
                    (c.person.slug, c.role, c.character, c.billing_order)
                    for c in title.credits.all()
                ),
            )
            for title in titles
        ],
        "episodes": list(
            Episode.objects.order_by("season__title__slug", "season__number", "number").values_list(
                "season__title__slug", "season__number", "season__year", "number", "name"
            )
        ),
        "people": list(Person.objects.order_by("slug").values_list("name", "slug", "birth_year")),
        "users": list(User.objects.order_by("email").values_list("email", "name")),
        "profiles": list(
            Profile.objects.order_by("account__email", "name").values_list(
                "account__email", "name", "avatar_color", "language", "is_kids", "max_maturity_age"
            )
        ),
        **_signals(with_times=False),
    }


def _signals(*, with_times: bool) -> dict[str, list]:
    """Every signal row by natural keys (no ids), with or without its dates."""
    who = ("profile__account__email", "profile__name", "title__slug")
    episode = ("episode__season__number", "episode__number", "current_episode__number")
    progress = (
        "runtime_seconds",
        "last_position",
        "furthest_position",
        "seconds_watched",
        "percent",
        "last_event_kind",
        "completed",
        "times_completed",
        "is_private",
    )
    times = {
        WatchProgress: ("started_at", "last_watched_at", "completed_at"),
        Rating: ("rated_at",),
        ListItem: ("added_at",),
        NotInterested: ("created_at",),
    }
    fields = {
        WatchProgress: who + episode + progress,
        Rating: (*who, "stars", "thumbs", "scale", "source"),
        ListItem: who,
        NotInterested: who,
    }
    return {
        model.__name__: sorted(
            model.objects.values_list(*fields[model], *(times[model] if with_times else ())),
            key=repr,
        )
        for model in SIGNAL_MODELS
    }


def _flush() -> None:
    for model in (Title, Person, Genre, Tag, User):
        model.objects.all().delete()


def test_it_creates_what_it_says() -> None:
    world = world_build(titles=40, users=6, seed=3)

    output = _seed(titles=40, users=6, seed=3)

    assert Title.objects.count() == 40
    assert Person.objects.count() == len(world.people)
    assert Genre.objects.count() == len(world.genres)
    assert Tag.objects.count() == len(world.tags)
    assert Credit.objects.count() == sum(len(t.credits) for t in world.titles)
    assert Season.objects.count() == sum(len(t.seasons) for t in world.titles)
    assert Episode.objects.count() == sum(len(s.episodes) for t in world.titles for s in t.seasons)
    assert User.objects.count() == 6 + HOUSEHOLD_ACCOUNTS
    assert Profile.objects.count() == len(world.profiles) + HOUSEHOLD_PROFILES
    histories = [profile_history(world, i) for i in range(len(world.profiles))] + [
        household_history(world, name=name, max_maturity_age=age)
        for name, age in (("Ana", 18), ("Ben", 18), ("Kids", KIDS_MAX_AGE))
    ]
    viewings = [viewing for history in histories for viewing in history.viewings]
    assert WatchProgress.objects.filter(episode__isnull=True).count() == len(viewings)
    assert WatchProgress.objects.count() == sum(len(v.progress) for v in viewings)
    assert Rating.objects.count() == sum(len(h.ratings) for h in histories)
    assert ListItem.objects.count() == sum(len(h.my_list) for h in histories)
    assert NotInterested.objects.count() == sum(len(h.not_interested) for h in histories)
    assert "Seeded 40 titles" in output
    assert "6 accounts" in output
    assert f"{len(viewings):,} titles watched" in output
    assert f"{Rating.objects.count():,} ratings" in output
    assert f"{ListItem.objects.count():,} My List items" in output
    assert f"{NotInterested.objects.count():,} not interested" in output
    assert "3 demo sign-in profiles with a history" in output


def test_the_defaults_seed_a_small_catalogue() -> None:
    _seed()

    assert Title.objects.count() == 300
    assert User.objects.count() == 50 + HOUSEHOLD_ACCOUNTS


def test_the_same_seed_gives_the_same_data_on_an_empty_database() -> None:
    _seed(titles=30, users=5, seed=11)
    first = _snapshot()
    _flush()
    assert not any(model.objects.exists() for model in ALL_MODELS)

    _seed(titles=30, users=5, seed=11)

    assert _snapshot() == first
    assert len(first["titles"]) == 30


def test_another_seed_gives_other_titles() -> None:
    _seed(titles=30, users=0, seed=1)
    first = _snapshot()["titles"]
    _flush()

    _seed(titles=30, users=0, seed=2)

    assert _snapshot()["titles"] != first


def test_running_twice_adds_to_the_catalogue_without_clashes() -> None:
    _seed(titles=25, users=4, seed=5)
    _seed(titles=25, users=4, seed=5)

    assert Title.objects.count() == 50
    assert Genre.objects.count() == 18
    assert User.objects.count() == 8 + HOUSEHOLD_ACCOUNTS
    slugs = list(Title.objects.values_list("slug", flat=True))
    assert len(set(slugs)) == 50
    assert Title.objects.filter(slug__endswith="-2").count() >= 25


def test_it_reuses_a_genre_a_curator_already_made() -> None:
    drama = Genre.objects.create(name="Drama", slug="drama-films")

    _seed(titles=30, users=0, seed=4)

    assert Genre.objects.filter(name="Drama").get() == drama
    assert Genre.objects.count() == 18


@pytest.mark.parametrize(
    ("options", "option"),
    [
        ({"titles": 0}, "--titles"),
        ({"titles": -5}, "--titles"),
        ({"titles": 200_001}, "--titles"),
        ({"titles": "many"}, "--titles"),
        ({"titles": 2.5}, "--titles"),
        ({"titles": True}, "--titles"),
        ({"users": -1}, "--users"),
        ({"users": 100_001}, "--users"),
        ({"seed": -1}, "--seed"),
        ({"seed": "forty-two"}, "--seed"),
    ],
)
def test_bad_arguments_give_a_clear_error_and_change_nothing(
    options: dict[str, Any], option: str
) -> None:
    with pytest.raises(CommandError, match=option):
        _seed(**options)

    assert not any(model.objects.exists() for model in ALL_MODELS)


def test_bad_arguments_from_the_command_line_give_the_same_error() -> None:
    with pytest.raises(CommandError, match="--titles must be a whole number"):
        _seed("--titles", "1e3")

    assert not Title.objects.exists()


def test_if_empty_skips_a_catalogue_that_has_titles() -> None:
    Title.objects.create(name="Already Here", slug="already-here")

    output = _seed(if_empty=True, titles=10, users=2)

    assert "not seeding" in output
    assert Title.objects.count() == 1
    assert not User.objects.exists()


def test_if_empty_seeds_an_empty_catalogue() -> None:
    _seed("--if-empty", "--titles", "12", "--users", "1")

    assert Title.objects.count() == 12


def test_series_have_seasons_and_episodes_and_films_do_not() -> None:
    _seed(titles=60, users=0, seed=8)

    series = Title.objects.filter(kind=Title.Kind.SERIES).annotate(n=Count("seasons"))
    assert series.exists()
    assert all(title.n >= 1 for title in series)
    assert not Season.objects.filter(title__kind=Title.Kind.MOVIE).exists()
    per_season = Season.objects.annotate(n=Count("episodes")).values_list("n", flat=True)
    assert min(per_season) >= 6


def test_seeded_titles_are_published_and_visible() -> None:
    _seed(titles=50, users=10, seed=6)

    assert Title.objects.visible_to(None).count() == 50
    kids = Profile.objects.filter(is_kids=True).first() or Profile.objects.create(
        account=User.objects.first(), name="Test kid", is_kids=True, max_maturity_age=7
    )
    visible = Title.objects.visible_to(kids)
    allowed = set(ratings_up_to(kids.max_maturity_age))
    assert set(visible.values_list("maturity_rating", flat=True)) <= allowed


def test_profiles_respect_the_account_rules() -> None:
    _seed(titles=5, users=40, seed=2)

    most = User.objects.annotate(n=Count("profiles")).order_by("-n").first()
    assert most is not None
    assert most.n <= 5
    assert not Profile.objects.filter(is_kids=True, max_maturity_age__gt=12).exists()
    assert not User.objects.filter(profiles__isnull=True).exists()
    demo = User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")
    assert demo.count() == 40
    assert not any(user.has_usable_password() for user in demo)


# --------------------------------------------------------------------------------------
# Histories
# --------------------------------------------------------------------------------------


def _episodes_in_order(title_id: int) -> list[int]:
    return list(
        Episode.objects.filter(season__title_id=title_id)
        .order_by("season__number", "number")
        .values_list("pk", flat=True)
    )


def test_the_same_seed_and_clock_give_the_same_histories() -> None:
    demo_load(titles=40, users=5, seed=11, now=NOW)
    first = _signals(with_times=True)
    _flush()
    assert not any(model.objects.exists() for model in ALL_MODELS)

    demo_load(titles=40, users=5, seed=11, now=NOW)

    assert _signals(with_times=True) == first
    assert len(first["WatchProgress"]) > 50


def test_a_later_load_shifts_every_date_and_nothing_else() -> None:
    # Histories are generated as "seconds ago": loading later moves them, so "continue
    # watching" is always recent, and the data are otherwise identical.
    shift = timedelta(days=123, seconds=45)
    demo_load(titles=40, users=5, seed=11, now=NOW)
    first = _signals(with_times=True)
    _flush()

    demo_load(titles=40, users=5, seed=11, now=NOW + shift)

    def shifted(row: tuple) -> tuple:
        return tuple(value + shift if isinstance(value, datetime) else value for value in row)

    again = _signals(with_times=True)
    assert {name: sorted(map(shifted, rows), key=repr) for name, rows in first.items()} == again


def test_histories_show_every_kind_of_viewing() -> None:
    _seed(titles=200, users=30, seed=3)
    now = timezone.now()

    rows = WatchProgress.objects.filter(episode__isnull=True).select_related("title")
    finished = [row for row in rows if row.completed]
    assert finished
    for row in finished:
        assert row.times_completed >= 1
        assert row.completed_at is not None
        if not row.title.is_series:
            per_viewing = row.seconds_watched / row.times_completed
            assert 0.9 * row.runtime_seconds <= per_viewing <= 1.03 * row.runtime_seconds
    assert {row.times_completed for row in finished} >= {1, 2, 3}
    abandoned = [row for row in rows if row.is_abandoned]
    assert len(abandoned) > len(rows) / 50
    # "Continue watching": recent relative to the real clock, 30–80 % through.
    recent = [row for row in rows if not row.completed and not row.is_abandoned]
    assert recent
    for row in recent:
        assert row.last_watched_at > now - timedelta(days=7)
        current = (
            WatchProgress.objects.get(profile=row.profile_id, episode=row.current_episode_id)
            if row.title.is_series
            else row
        )
        assert 30 <= current.percent <= 80
    assert not WatchProgress.objects.filter(last_watched_at__gt=now).exists()
    # About 60 % of finished titles are rated.
    finished_keys = {(row.profile_id, row.title_id) for row in finished}
    rated_keys = set(Rating.objects.values_list("profile_id", "title_id"))
    assert 0.45 < len(finished_keys & rated_keys) / len(finished_keys) < 0.75
    # Ratings of titles not watched here: seen elsewhere.
    assert rated_keys - {(row.profile_id, row.title_id) for row in rows}
    assert Rating.objects.filter(source=Source.IMPORT).exists()
    assert ListItem.objects.exists()
    assert NotInterested.objects.exists()


def test_signal_rows_pass_model_validation() -> None:
    _seed(titles=40, users=4, seed=9)

    assert WatchProgress.objects.exists()
    # Field validators and each model's clean(); the database itself enforced the check and
    # unique constraints when the rows went in (full_clean would ask it again, row by row).
    for model in SIGNAL_MODELS:
        for row in model.objects.all():
            row.full_clean(validate_unique=False, validate_constraints=False)
    for rating in Rating.objects.all():
        assert rating.stars in HALF_STARS
        assert rating.thumbs == stars_to_thumbs(rating.stars)
        assert rating.scale == Rating.Scale.STARS
        assert rating.source in (Source.SITE, Source.IMPORT)
    assert not WatchProgress.objects.filter(is_private=True).exists()
    # Nothing is watched, rated or saved before the title was added.
    for model, field in (
        (WatchProgress, "started_at"),
        (Rating, "rated_at"),
        (ListItem, "added_at"),
        (NotInterested, "created_at"),
    ):
        for when, added in model.objects.values_list(field, "title__added_at"):
            assert when >= added


def test_series_have_a_title_row_and_their_episodes_in_order() -> None:
    _seed(titles=120, users=20, seed=4)

    tops = WatchProgress.objects.filter(episode__isnull=True, title__kind=Title.Kind.SERIES)
    assert tops.count() > 5
    episodes_by_viewing: dict[tuple[int, int], list[WatchProgress]] = defaultdict(list)
    for row in WatchProgress.objects.filter(episode__isnull=False).order_by(
        "episode__season__number", "episode__number"
    ):
        episodes_by_viewing[(row.profile_id, row.title_id)].append(row)
    for top in tops:
        watched = episodes_by_viewing.pop((top.profile_id, top.title_id))
        in_order = _episodes_in_order(top.title_id)
        assert [row.episode_id for row in watched] == in_order[: len(watched)]
        assert top.current_episode_id == watched[-1].episode_id
        assert all(row.completed for row in watched[:-1])
        assert top.completed == (len(watched) == len(in_order) and watched[-1].completed)
        if top.completed:
            assert top.percent == 100
        runtime = sum(
            Episode.objects.filter(pk__in=in_order).values_list("runtime_minutes", flat=True)
        )
        assert top.runtime_seconds == runtime * 60
    # No episode rows without their series' title-level row, and no films with episodes.
    assert not episodes_by_viewing
    assert not WatchProgress.objects.filter(
        episode__isnull=True, title__kind=Title.Kind.MOVIE, current_episode__isnull=False
    ).exists()


def test_kids_never_get_a_title_above_their_limit() -> None:
    _seed(titles=300, users=60, seed=6)

    limited = Profile.objects.filter(max_maturity_age__lt=18)
    assert limited.filter(is_kids=True).count() > 3
    for model in SIGNAL_MODELS:
        rows = model.objects.filter(profile__in=limited).values_list(
            "profile__max_maturity_age", "title__maturity_rating"
        )
        assert rows.exists()
        for limit, rating in rows:
            assert rating in ratings_up_to(limit)


def test_the_demo_household_gets_three_histories() -> None:
    _seed(titles=300, users=3, seed=2)

    viewer = User.objects.get(email=DEMO_VIEWER_EMAIL)
    assert viewer.has_usable_password()
    assert User.objects.filter(email=DEMO_CURATOR_EMAIL, is_superuser=True).exists()
    recent = timezone.now() - timedelta(days=7)
    genres: dict[str, Counter[str]] = {}
    for profile in Profile.objects.filter(account=viewer):
        progress = WatchProgress.objects.filter(profile=profile, episode__isnull=True)
        assert progress.count() >= 30, profile.name
        assert progress.filter(completed=False, last_watched_at__gt=recent).count() >= 2
        assert Rating.objects.filter(profile=profile).exists()
        assert ListItem.objects.filter(profile=profile).exists()
        assert NotInterested.objects.filter(profile=profile).exists()
        genres[profile.name] = Counter(progress.values_list("title__genres__name", flat=True))
    assert set(genres) == {"Ana", "Ben", "Kids"}
    kids = Profile.objects.get(account=viewer, name="Kids")
    assert (
        not WatchProgress.objects.filter(profile=kids)
        .exclude(title__maturity_rating__in=ratings_up_to(kids.max_maturity_age))
        .exists()
    )
    # Three tastes: each profile's favourite genre is its own.
    favourites = {name: counts.most_common(1)[0][0] for name, counts in genres.items()}
    assert len(set(favourites.values())) == 3, favourites
    assert favourites["Kids"] in ("Animation", "Family")


def test_seeding_again_leaves_the_household_history_alone() -> None:
    _seed(titles=60, users=2, seed=1)
    household = WatchProgress.objects.filter(profile__account__email=DEMO_VIEWER_EMAIL)
    before = household.count()

    output = _seed(titles=60, users=2, seed=1)

    assert household.count() == before
    assert "0 demo sign-in profiles with a history" in output


def test_without_users_there_is_no_household_and_no_history() -> None:
    _seed(titles=30, users=0, seed=1)

    assert not User.objects.exists()
    assert not any(model.objects.exists() for model in SIGNAL_MODELS)


def test_if_empty_leaves_the_household_alone() -> None:
    Title.objects.create(name="Already Here", slug="already-here")

    _seed(if_empty=True, titles=10, users=2)

    assert not User.objects.exists()
    assert not WatchProgress.objects.exists()


def test_histories_are_written_in_bulk() -> None:
    with CaptureQueriesContext(connection) as queries:
        _seed(titles=300, users=40, seed=5)

    inserts: Counter[str] = Counter()
    others = 0
    for query in queries.captured_queries:
        match = re.match(r'\s*(?:INSERT INTO|COPY) "(recommendations_\w+)"', query["sql"])
        if match:
            inserts[match.group(1)] += 1
        elif not query["sql"].lstrip().startswith(("INSERT", "COPY")):
            others += 1
    rows = sum(model.objects.count() for model in SIGNAL_MODELS)
    assert rows > 3000
    # SQLite caps a statement at 999 parameters, so about 60 progress rows an INSERT there;
    # PostgreSQL takes BATCH_SIZE rows a COPY: either way far fewer statements than rows.
    assert sum(inserts.values()) * 40 < rows
    # Reads do not grow with profiles: slugs, vocabulary, e-mails, the demo sign-in
    # accounts and their profiles, savepoints, ANALYZE.
    assert others < 60
