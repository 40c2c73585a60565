"""`manage.py seed_demo` against the database."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from accounts.models import Profile, User
from catalog.demo import world_build
from catalog.maturity import ratings_up_to
from catalog.models import Credit, Episode, Genre, Person, Season, Tag, Title
from catalog.selectors import title_visible_queryset

pytestmark = pytest.mark.django_db

ALL_MODELS = (Title, Person, Credit, Season, Episode, Genre, Tag, User, Profile)


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
    assert User.objects.count() == 6
    assert Profile.objects.count() == len(world.profiles)
    assert "Seeded 40 titles" in output
    assert "6 accounts" in output


def test_the_defaults_seed_a_small_catalogue() -> None:
    _seed()

    assert Title.objects.count() == 300
    assert User.objects.count() == 50


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
    assert User.objects.count() == 8
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

    assert title_visible_queryset(profile=None).count() == 50
    kids = Profile.objects.filter(is_kids=True).first() or Profile.objects.create(
        account=User.objects.first(), name="Test kid", is_kids=True, max_maturity_age=7
    )
    visible = title_visible_queryset(profile=kids)
    allowed = set(ratings_up_to(kids.max_maturity_age))
    assert set(visible.values_list("maturity_rating", flat=True)) <= allowed


def test_profiles_respect_the_account_rules() -> None:
    _seed(titles=5, users=40, seed=2)

    most = User.objects.annotate(n=Count("profiles")).order_by("-n").first()
    assert most is not None
    assert most.n <= 5
    assert not Profile.objects.filter(is_kids=True, max_maturity_age__gt=12).exists()
    assert not User.objects.filter(profiles__isnull=True).exists()
    assert not any(user.has_usable_password() for user in User.objects.all())
