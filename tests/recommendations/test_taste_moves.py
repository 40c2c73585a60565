"""A burst of ratings in one genre moves the home page, and the film just finished keeps its row.

The scene of issue 10: on the catalogue `make run` seeds, Ana plays her top pick to the end,
then rates six Westerns five stars. Her page must then say so: a "Because you like Western"
row of Westerns, "Because you liked <a Western>" rows of mostly Westerns, Westerns in Top
picks, and still "Because you watched <the film she finished>".

Seeding and training take most of a minute, so the scene is played once for the module,
inside a transaction rolled back afterwards; the tests read the plans it built.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import Profile
from catalog.models import Title
from recommendations import engine, services, watching
from recommendations.activity import activity_read
from recommendations.core.page import assemble, builders
from recommendations.home import catalogue as home_catalogue
from recommendations.home import plan as plans
from recommendations.models import WatchProgress
from recommendations.watching import Heartbeat

# The tests only read the scene's plans; the mark makes pytest-django set up the database
# that the scene is played in.
pytestmark = pytest.mark.django_db

GENRE = "western"
RATED = 6


@dataclass(frozen=True, repr=False)  # whole plans would bury a failure's message
class Scene:
    westerns: frozenset[int]
    finished: int  # the film Ana played to the end
    rated: tuple[int, ...]  # the Westerns she then rated 5★
    before: plans.Plan  # her page after finishing the film
    after: plans.Plan  # and after the ratings

    @staticmethod
    def share(title_ids: list[int], genre: frozenset[int]) -> float:
        return sum(t in genre for t in title_ids) / len(title_ids)


def _forget() -> None:
    cache.clear()
    engine._loaded.clear()
    engine._active_memo.clear()
    home_catalogue.forget()
    home_catalogue._stamp_memo.clear()


def _play_to_the_end(profile: Profile, title: Title) -> None:
    """Heartbeats of one uninterrupted viewing, ending now."""
    runtime = title.runtime_minutes * 60
    start = timezone.now() - timedelta(seconds=runtime + 60)
    positions = [*range(0, runtime, 600), runtime]
    beats = [
        Heartbeat(
            uuid.uuid4(),
            title.pk,
            None,
            "start" if i == 0 else "stop" if position == runtime else "progress",
            position,
            start + timedelta(seconds=position),
        )
        for i, position in enumerate(positions)
    ]
    watching.watch_events_record(profile=profile, heartbeats=beats)


@pytest.fixture(scope="module")
def scene(
    django_db_setup: None, django_db_blocker: object, tmp_path_factory: pytest.TempPathFactory
) -> Scene:
    root: Path = tmp_path_factory.mktemp("taste-moves")
    private = settings.STORAGES["private"]
    storages = {
        **settings.STORAGES,
        "private": {**private, "OPTIONS": {**private["OPTIONS"], "location": root / "private"}},
    }
    with (
        django_db_blocker.unblock(),  # type: ignore[attr-defined]
        override_settings(
            MEDIA_ROOT=root / "media", PRIVATE_ROOT=root / "private", STORAGES=storages
        ),
    ):
        _forget()
        try:
            with transaction.atomic():
                played = _play(GENRE)
                transaction.set_rollback(True)
        finally:
            _forget()
    return played


def _play(genre: str) -> Scene:
    # What `make run` seeds (bin/run): on 150 titles there are only three Westerns.
    call_command("seed_demo", titles=1500, users=60, seed=42, verbosity=0)
    assert engine.model_train() is not None
    profile = Profile.objects.get(account__email="demo@marquee.local", name="Ana")
    westerns = frozenset(Title.objects.filter(genres__slug=genre).values_list("pk", flat=True))
    plan = plans.plan_build(profile=profile)
    finished = next(
        Title.objects.get(pk=t)
        for t in plan.row("top-picks").title_ids
        if t not in westerns and Title.objects.get(pk=t).kind == Title.Kind.MOVIE
    )
    _play_to_the_end(profile, finished)
    assert WatchProgress.objects.get(profile=profile, title=finished, episode=None).completed
    profile.refresh_from_db()
    before = plans.plan_build(profile=profile)
    read = activity_read(profile)
    rated = list(
        Title.objects.filter(pk__in=westerns, kind=Title.Kind.MOVIE)
        .exclude(pk__in=set(read.ratings) | set(read.progress))
        .order_by("pk")[:RATED]
    )
    assert len(rated) == RATED
    for title in rated:
        services.rating_set(profile=profile, title=title, stars=5)
    profile.refresh_from_db()
    return Scene(
        westerns=westerns,
        finished=finished.pk,
        rated=tuple(t.pk for t in rated),
        before=before,
        after=plans.plan_build(profile=profile),
    )


def test_a_because_you_like_westerns_row_appears_and_holds_westerns(scene: Scene) -> None:
    assert scene.before.row(f"like-genre-{GENRE}") is None
    row = scene.after.row(f"like-genre-{GENRE}")
    assert row is not None, [r.key for r in scene.after.rows]
    assert row.heading == "Because you like Western"
    assert len(row.title_ids) >= assemble.MIN_ROW_TITLES
    assert Scene.share(row.title_ids, scene.westerns) >= 0.8


def test_because_you_liked_a_western_shows_mostly_westerns(scene: Scene) -> None:
    anchored = [
        row
        for row in scene.after.rows
        if row.key.startswith("because-") and int(row.key.split("-")[1]) in scene.rated
    ]
    assert anchored, [r.key for r in scene.after.rows]
    for row in anchored:
        assert Scene.share(row.title_ids, scene.westerns) > 0.5, (row.heading, row.title_ids)


def test_two_westerns_rated_together_do_not_make_two_rows_of_the_same_titles(
    scene: Scene,
) -> None:
    anchors = [
        int(row.key.split("-")[1]) for row in scene.after.rows if row.key.startswith("because-")
    ]
    assert len([a for a in anchors if a in scene.rated]) == 1
    assert len(anchors) == builders.BECAUSE_ROWS


def test_top_picks_take_up_the_new_taste(scene: Scene) -> None:
    def westerns_in_top_picks(plan: plans.Plan) -> int:
        head = plan.row("top-picks").title_ids[: assemble.ROW_SIZE]
        return sum(t in scene.westerns for t in head)

    before, after = westerns_in_top_picks(scene.before), westerns_in_top_picks(scene.after)
    assert (before, after >= 3) == (0, True), (before, after)


def test_the_film_just_finished_keeps_its_row(scene: Scene) -> None:
    key = f"because-{scene.finished}"
    for plan in (scene.before, scene.after):
        row = plan.row(key)
        assert row is not None, [r.key for r in plan.rows]
        assert row.heading.startswith("Because you watched ")
        assert len(row.title_ids) >= assemble.MIN_ROW_TITLES
