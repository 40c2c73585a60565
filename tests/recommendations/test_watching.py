from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Profile
from catalog.models import Title
from recommendations import services, watching
from recommendations.models import WatchEvent, WatchProgress
from recommendations.watching import Heartbeat, HeartbeatError
from tests.factories import EpisodeFactory, SeasonFactory, TitleFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 1, 20, 0, tzinfo=UTC)


def beat(
    title: Title,
    kind: str,
    position: int,
    at: int,
    *,
    episode: object = None,
    event_id: uuid.UUID | None = None,
) -> Heartbeat:
    return Heartbeat(
        client_event_id=event_id or uuid.uuid4(),
        title_id=title.pk,
        episode_id=getattr(episode, "pk", None),
        kind=kind,
        position=position,
        occurred_at=T0 + timedelta(seconds=at),
    )


@pytest.fixture
def film() -> Title:
    return TitleFactory(name="Arrival", runtime_minutes=100)


def progress_of(profile: Profile, title: Title, episode: object = None) -> WatchProgress:
    return WatchProgress.objects.get(profile=profile, title=title, episode=episode)


class TestProgress:
    def test_playing_counts_seconds_and_keeps_the_position(
        self, alice_profile: Profile, film: Title
    ) -> None:
        watching.watch_events_record(
            profile=alice_profile,
            heartbeats=[
                beat(film, "start", 0, 0),
                beat(film, "progress", 10, 10),
                beat(film, "progress", 20, 20),
                beat(film, "pause", 25, 25),
            ],
        )
        row = progress_of(alice_profile, film)
        assert (row.last_position, row.furthest_position, row.seconds_watched) == (25, 25, 25)
        assert row.percent == pytest.approx(100 * 25 / 6000, abs=0.01)
        assert not row.completed
        assert WatchEvent.objects.count() == 4

    def test_time_paused_does_not_count(self, alice_profile: Profile, film: Title) -> None:
        watching.watch_events_record(
            profile=alice_profile,
            heartbeats=[
                beat(film, "start", 0, 0),
                beat(film, "pause", 10, 10),
                beat(film, "start", 10, 3600),
                beat(film, "progress", 20, 3610),
            ],
        )
        assert progress_of(alice_profile, film).seconds_watched == 20

    def test_a_seek_forward_moves_the_position_but_is_not_watching(
        self, alice_profile: Profile, film: Title
    ) -> None:
        watching.watch_events_record(
            profile=alice_profile,
            heartbeats=[beat(film, "start", 0, 0), beat(film, "seek", 3000, 5)],
        )
        row = progress_of(alice_profile, film)
        assert (row.last_position, row.seconds_watched) == (3000, 0)

    def test_a_repeated_event_id_changes_nothing(self, alice_profile: Profile, film: Title) -> None:
        event_id = uuid.uuid4()
        watching.watch_events_record(profile=alice_profile, heartbeats=[beat(film, "start", 0, 0)])
        first = watching.watch_events_record(
            profile=alice_profile, heartbeats=[beat(film, "progress", 10, 10, event_id=event_id)]
        )
        again = watching.watch_events_record(
            profile=alice_profile, heartbeats=[beat(film, "progress", 10, 10, event_id=event_id)]
        )
        assert (first, again) == (1, 0)
        assert WatchEvent.objects.count() == 2
        assert progress_of(alice_profile, film).seconds_watched == 10

    def test_finishing_at_ninety_percent(self, alice_profile: Profile, film: Title) -> None:
        watching.watch_events_record(
            profile=alice_profile,
            heartbeats=[beat(film, "start", 5300, 0), beat(film, "progress", 5410, 110)],
        )
        row = progress_of(alice_profile, film)
        assert row.completed
        assert row.times_completed == 1

    def test_a_rewatch_counts_a_second_completion(
        self, alice_profile: Profile, film: Title
    ) -> None:
        for offset in (0, 100_000):
            watching.watch_events_record(
                profile=alice_profile,
                heartbeats=[
                    beat(film, "start", 0, offset),
                    beat(film, "seek", 5500, offset + 5),
                    beat(film, "stop", 5500, offset + 6),
                ],
            )
        assert progress_of(alice_profile, film).times_completed == 2

    def test_abandoned_after_a_quiet_fortnight(self, alice_profile: Profile, film: Title) -> None:
        watching.watch_events_record(
            profile=alice_profile,
            heartbeats=[beat(film, "start", 0, 0), beat(film, "stop", 600, 600)],
        )
        row = progress_of(alice_profile, film)
        assert row.is_abandoned  # T0 is weeks before "now" in these tests
        row.last_watched_at = timezone.now()
        assert not row.is_abandoned


class TestBadHeartbeats:
    @pytest.mark.parametrize(
        ("position", "message"),
        [(-1, "cannot be negative"), (6601, "beyond the runtime")],
    )
    def test_positions_are_checked(
        self, alice_profile: Profile, film: Title, position: int, message: str
    ) -> None:
        with pytest.raises(HeartbeatError, match=message):
            watching.watch_events_record(
                profile=alice_profile, heartbeats=[beat(film, "progress", position, 0)]
            )

    def test_ten_percent_past_the_runtime_is_tolerated(
        self, alice_profile: Profile, film: Title
    ) -> None:
        watching.watch_events_record(
            profile=alice_profile, heartbeats=[beat(film, "stop", 6600, 0)]
        )

    def test_one_bad_heartbeat_rejects_the_batch(self, alice_profile: Profile, film: Title) -> None:
        with pytest.raises(HeartbeatError) as error:
            watching.watch_events_record(
                profile=alice_profile,
                heartbeats=[
                    beat(film, "start", 0, 0),
                    beat(film, "progress", 10, 10),
                    beat(film, "dance", 20, 20),
                ],
            )
        assert error.value.index == 2
        assert not WatchEvent.objects.exists()
        assert not WatchProgress.objects.exists()

    def test_events_out_of_order_are_rejected(self, alice_profile: Profile, film: Title) -> None:
        watching.watch_events_record(
            profile=alice_profile, heartbeats=[beat(film, "progress", 100, 100)]
        )
        with pytest.raises(HeartbeatError, match="older than one already recorded") as error:
            watching.watch_events_record(
                profile=alice_profile,
                heartbeats=[beat(film, "progress", 110, 110), beat(film, "progress", 50, 50)],
            )
        assert error.value.index == 1
        assert WatchEvent.objects.count() == 1

    def test_a_batch_sent_again_is_not_out_of_order(
        self, alice_profile: Profile, film: Title
    ) -> None:
        batch = [beat(film, "start", 0, 0), beat(film, "progress", 10, 10)]
        watching.watch_events_record(profile=alice_profile, heartbeats=batch)
        watching.watch_events_record(
            profile=alice_profile, heartbeats=[beat(film, "progress", 20, 20)]
        )
        # The player lost the first response and sends that batch again.
        assert watching.watch_events_record(profile=alice_profile, heartbeats=batch) == 0
        assert progress_of(alice_profile, film).last_position == 20

    def test_an_id_twice_in_a_batch_counts_once(self, alice_profile: Profile, film: Title) -> None:
        event_id = uuid.uuid4()
        recorded = watching.watch_events_record(
            profile=alice_profile,
            heartbeats=[
                beat(film, "start", 0, 0),
                beat(film, "progress", 10, 10, event_id=event_id),
                beat(film, "progress", 10, 10, event_id=event_id),
            ],
        )
        assert recorded == 2
        assert progress_of(alice_profile, film).seconds_watched == 10

    def test_events_from_the_future_are_rejected(self, alice_profile: Profile, film: Title) -> None:
        future = Heartbeat(
            uuid.uuid4(), film.pk, None, "start", 0, timezone.now() + timedelta(hours=1)
        )
        with pytest.raises(HeartbeatError, match="in the future"):
            watching.watch_events_record(profile=alice_profile, heartbeats=[future])

    def test_a_title_unpublished_since_takes_no_more_events(
        self, alice_profile: Profile, film: Title
    ) -> None:
        watching.watch_events_record(profile=alice_profile, heartbeats=[beat(film, "start", 0, 0)])
        Title.objects.filter(pk=film.pk).update(is_published=False)
        with pytest.raises(HeartbeatError, match="No such title"):
            watching.watch_events_record(
                profile=alice_profile, heartbeats=[beat(film, "progress", 10, 10)]
            )

    def test_unknown_title(self, alice_profile: Profile, film: Title) -> None:
        ghost = Heartbeat(uuid.uuid4(), 999_999, None, "start", 0, T0)
        with pytest.raises(HeartbeatError, match="No such title"):
            watching.watch_events_record(profile=alice_profile, heartbeats=[ghost])

    def test_unpublished_title(self, alice_profile: Profile) -> None:
        hidden = TitleFactory(is_published=False)
        with pytest.raises(HeartbeatError, match="No such title"):
            watching.watch_events_record(
                profile=alice_profile, heartbeats=[beat(hidden, "start", 0, 0)]
            )

    def test_title_above_the_maturity_limit(self, alice_profile: Profile) -> None:
        alice_profile.max_maturity_age = 7
        alice_profile.save()
        adult = TitleFactory(maturity_rating="R")
        with pytest.raises(HeartbeatError, match="maturity"):
            watching.watch_events_record(
                profile=alice_profile, heartbeats=[beat(adult, "start", 0, 0)]
            )

    def test_episode_of_another_series(self, alice_profile: Profile) -> None:
        episode = EpisodeFactory()
        other = TitleFactory(kind=Title.Kind.SERIES)
        with pytest.raises(HeartbeatError, match="No such episode"):
            watching.watch_events_record(
                profile=alice_profile, heartbeats=[beat(other, "start", 0, 0, episode=episode)]
            )

    def test_a_series_needs_an_episode(self, alice_profile: Profile) -> None:
        series = TitleFactory(kind=Title.Kind.SERIES)
        with pytest.raises(HeartbeatError, match="one episode at a time"):
            watching.watch_events_record(
                profile=alice_profile, heartbeats=[beat(series, "start", 0, 0)]
            )


class TestSeries:
    @pytest.fixture
    def series(self) -> Title:
        show = TitleFactory(kind=Title.Kind.SERIES, name="Long Winter")
        season = SeasonFactory(title=show, number=1)
        for number in (1, 2):
            EpisodeFactory(season=season, number=number, runtime_minutes=30)
        return show

    def test_episodes_roll_up_into_the_series(self, alice_profile: Profile, series: Title) -> None:
        first, final = series.seasons.get().episodes.order_by("number")
        watching.watch_events_record(
            profile=alice_profile,
            heartbeats=[
                beat(series, "start", 0, 0, episode=first),
                beat(series, "progress", 1700, 1700, episode=first),
            ],
        )
        show = progress_of(alice_profile, series)
        assert progress_of(alice_profile, series, first).completed
        # Past its end credits, the series resumes with the next episode.
        assert (show.current_episode, show.seconds_watched, show.completed) == (final, 1700, False)
        assert show.runtime_seconds == 3600
        watching.watch_events_record(
            profile=alice_profile,
            heartbeats=[
                beat(series, "start", 0, 2000, episode=final),
                beat(series, "progress", 1700, 3700, episode=final),
            ],
        )
        show.refresh_from_db()
        assert show.completed
        assert show.current_episode == final


class TestPrivateSession:
    def test_position_resumes_but_it_is_no_signal(
        self, alice_profile: Profile, film: Title, django_capture_on_commit_callbacks: object
    ) -> None:
        services.private_session_set(profile=alice_profile, enabled=True)
        with django_capture_on_commit_callbacks() as callbacks:
            watching.watch_events_record(
                profile=alice_profile,
                heartbeats=[beat(film, "start", 0, 0), beat(film, "progress", 10, 10)],
            )
        row = progress_of(alice_profile, film)
        assert row.last_position == 10
        assert row.is_private
        assert WatchEvent.objects.filter(is_private=True).count() == 2
        assert callbacks == []


class TestHistory:
    def test_mark_as_watched(self, alice_profile: Profile, film: Title) -> None:
        row = services.watch_mark_watched(profile=alice_profile, title=film)
        assert (row.completed, row.times_completed, row.percent) == (True, 1, 100.0)
        services.watch_mark_watched(profile=alice_profile, title=film)
        assert progress_of(alice_profile, film).times_completed == 1

    def test_remove_from_history_forgets_everything(
        self, alice_profile: Profile, film: Title
    ) -> None:
        watching.watch_events_record(profile=alice_profile, heartbeats=[beat(film, "start", 0, 0)])
        assert services.history_remove(profile=alice_profile, title=film)
        assert not WatchProgress.objects.exists()
        assert not WatchEvent.objects.exists()


def test_a_heartbeat_costs_three_queries(alice_profile: Profile, film: Title) -> None:
    watching.watch_events_record(profile=alice_profile, heartbeats=[beat(film, "start", 0, 0)])
    with CaptureQueriesContext(connection) as context:
        watching.watch_events_record(
            profile=alice_profile, heartbeats=[beat(film, "progress", 10, 10)]
        )
    # Transaction control aside: 1. lock the rollup, 2. insert the event (ON CONFLICT DO
    # NOTHING RETURNING), 3. update the rollup.
    queries = [q["sql"] for q in context.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(queries) == 3, queries


def test_a_films_heartbeat_updates_its_rollup_without_a_case_per_field(
    alice_profile: Profile, film: Title
) -> None:
    watching.watch_events_record(profile=alice_profile, heartbeats=[beat(film, "start", 0, 0)])
    with CaptureQueriesContext(connection) as context:
        watching.watch_events_record(
            profile=alice_profile, heartbeats=[beat(film, "progress", 600, 600)]
        )
    # bulk_update's CASE per field and row was 40% of a heartbeat's time in the web process.
    updates = [q["sql"] for q in context.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert "CASE" not in updates[0]
    progress = WatchProgress.objects.get(profile=alice_profile, title=film)
    assert (progress.last_position, progress.furthest_position) == (600, 600)
    assert progress.seconds_watched == 600
    assert progress.last_event_kind == "progress"
