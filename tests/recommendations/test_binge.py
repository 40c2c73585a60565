"""Binge-watching: finishing an episode moves a series on to the next one, everywhere."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Profile
from catalog.models import Episode, Title
from recommendations import selectors, watching
from recommendations.home import plan as plans
from recommendations.home import row_views
from recommendations.models import WatchProgress
from recommendations.watching import Heartbeat
from tests.factories import EpisodeFactory, SeasonFactory, TitleFactory, WatchProgressFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 1, 20, 0, tzinfo=UTC)
EPISODE_SECONDS = 1800  # every episode here runs 30 minutes
SERIES_SECONDS = 5 * EPISODE_SECONDS


@pytest.fixture
def series() -> Title:
    """Two seasons: three episodes, then two."""
    show = TitleFactory(kind=Title.Kind.SERIES, name="Long Winter", slug="long-winter")
    for season_number, count in ((1, 3), (2, 2)):
        season = SeasonFactory(title=show, number=season_number)
        for number in range(1, count + 1):
            EpisodeFactory(
                season=season,
                number=number,
                name=f"Winter {season_number}.{number}",
                runtime_minutes=EPISODE_SECONDS // 60,
            )
    return show


def episode(series: Title, season: int, number: int) -> Episode:
    return Episode.objects.get(season__title=series, season__number=season, number=number)


class Player:
    """Heartbeats as the player sends them, one clock for the whole evening."""

    def __init__(self, profile: Profile, series: Title) -> None:
        self.profile = profile
        self.series = series
        self.clock = 0

    def send(self, item: Episode, *events: tuple[str, int]) -> None:
        beats = []
        for kind, position in events:
            self.clock += 10
            beats.append(
                Heartbeat(
                    client_event_id=uuid.uuid4(),
                    title_id=self.series.pk,
                    episode_id=item.pk,
                    kind=kind,
                    position=position,
                    occurred_at=T0 + timedelta(seconds=self.clock),
                )
            )
        watching.watch_events_record(profile=self.profile, heartbeats=beats)

    def finish(self, item: Episode) -> None:
        """Play an episode through its end credits to the last second."""
        self.send(
            item,
            ("start", 0),
            ("progress", EPISODE_SECONDS // 2),
            ("progress", int(EPISODE_SECONDS * 0.95)),
            ("progress", int(EPISODE_SECONDS * 0.97)),
            ("stop", EPISODE_SECONDS),
        )


@pytest.fixture
def player(alice_profile: Profile, series: Title) -> Player:
    return Player(alice_profile, series)


def rollup(profile: Profile, series: Title) -> WatchProgress:
    return WatchProgress.objects.get(profile=profile, title=series, episode=None)


class TestNextEpisode:
    def test_finishing_an_episode_makes_the_next_one_the_resume_point(
        self, alice_profile: Profile, series: Title, player: Player
    ) -> None:
        player.finish(episode(series, 1, 1))
        show = rollup(alice_profile, series)
        assert show.current_episode == episode(series, 1, 2)
        assert show.last_position == 0
        assert not show.completed
        # Where the profile is in the series: one episode of five.
        assert show.percent == pytest.approx(20.0)
        resume = selectors.title_state(profile=alice_profile, title=series).resume
        assert (resume.episode, resume.position, resume.verb) == (episode(series, 1, 2), 0, "Play")

    def test_the_last_episode_of_a_season_leads_to_the_next_season(
        self, alice_profile: Profile, series: Title, player: Player
    ) -> None:
        for number in (1, 2, 3):
            player.finish(episode(series, 1, number))
        show = rollup(alice_profile, series)
        assert show.current_episode == episode(series, 2, 1)
        assert show.percent == pytest.approx(60.0)
        assert not show.completed

    def test_stopping_inside_an_episode_resumes_there(
        self, alice_profile: Profile, series: Title, player: Player
    ) -> None:
        player.finish(episode(series, 1, 1))
        second = episode(series, 1, 2)
        player.send(second, ("start", 0), ("progress", 600), ("pause", 900))
        show = rollup(alice_profile, series)
        assert (show.current_episode, show.last_position) == (second, 900)
        assert show.percent == pytest.approx(
            100 * (EPISODE_SECONDS + 900) / SERIES_SECONDS, abs=0.01
        )
        resume = selectors.title_state(profile=alice_profile, title=series).resume
        assert (resume.episode, resume.position, resume.verb) == (second, 900, "Resume")

    def test_watching_an_earlier_episode_again_resumes_that_one(
        self, alice_profile: Profile, series: Title, player: Player
    ) -> None:
        for number in (1, 2):
            player.finish(episode(series, 1, number))
        player.send(episode(series, 1, 1), ("start", 0), ("pause", 300))
        show = rollup(alice_profile, series)
        assert (show.current_episode, show.last_position) == (episode(series, 1, 1), 300)

    def test_a_progress_heartbeat_costs_three_queries(
        self, alice_profile: Profile, series: Title, player: Player
    ) -> None:
        first = episode(series, 1, 1)
        player.send(first, ("start", 0))
        with CaptureQueriesContext(connection) as context:
            player.send(first, ("progress", 10))
        # 1. lock both rollups, 2. insert the event, 3. update both rollups.
        queries = [q["sql"] for q in context.captured_queries if "SAVEPOINT" not in q["sql"]]
        assert len(queries) == 3, queries
        assert rollup(alice_profile, series).percent == pytest.approx(
            100 * 10 / SERIES_SECONDS, abs=0.01
        )

    def test_a_rollup_left_on_a_finished_episode_resumes_the_next(
        self, alice_profile: Profile, series: Title
    ) -> None:
        # As rows written before the resume point moved on at the end of an episode.
        first = episode(series, 1, 1)
        WatchProgressFactory(
            profile=alice_profile,
            title=series,
            episode=first,
            runtime_seconds=EPISODE_SECONDS,
            last_position=EPISODE_SECONDS,
            completed=True,
        )
        WatchProgressFactory(
            profile=alice_profile,
            title=series,
            runtime_seconds=SERIES_SECONDS,
            current_episode=first,
            last_position=EPISODE_SECONDS,
        )
        resume = selectors.title_state(profile=alice_profile, title=series).resume
        assert (resume.episode, resume.position, resume.verb) == (episode(series, 1, 2), 0, "Play")


class TestSeriesFinished:
    def test_the_last_episode_of_the_last_season_finishes_the_series(
        self, alice_profile: Profile, series: Title, player: Player
    ) -> None:
        for season, number in ((1, 1), (1, 2), (1, 3), (2, 1)):
            player.finish(episode(series, season, number))
        assert not rollup(alice_profile, series).completed
        player.finish(episode(series, 2, 2))
        show = rollup(alice_profile, series)
        assert show.completed
        assert show.times_completed == 1
        assert show.percent == 100.0
        resume = selectors.title_state(profile=alice_profile, title=series).resume
        assert (resume.episode, resume.position, resume.verb) == (
            episode(series, 1, 1),
            0,
            "Watch again",
        )

    def test_a_finished_series_leaves_continue_watching(
        self, alice_profile: Profile, series: Title, player: Player
    ) -> None:
        player.finish(episode(series, 1, 1))
        plan = plans.home_plan(profile=alice_profile)
        assert series.pk in plan.row("continue").title_ids
        for season, number in ((1, 2), (1, 3), (2, 1), (2, 2)):
            player.finish(episode(series, season, number))
        continuing = plans.home_plan(profile=alice_profile).row("continue")
        assert continuing is None or series.pk not in continuing.title_ids


class TestSeekWhilePaused:
    def test_a_seek_while_paused_moves_the_resume_point_and_continue_watching(
        self, alice_profile: Profile, series: Title, player: Player
    ) -> None:
        first = episode(series, 1, 1)
        player.send(first, ("start", 0), ("progress", 300), ("pause", 310))
        stamp = Profile.objects.get(pk=alice_profile.pk).signals_changed_at
        player.send(first, ("seek", 1200))
        assert Profile.objects.get(pk=alice_profile.pk).signals_changed_at > stamp
        show = rollup(alice_profile, series)
        assert (show.current_episode, show.last_position) == (first, 1200)
        assert show.percent == pytest.approx(100 * 1200 / SERIES_SECONDS, abs=0.01)
        assert selectors.title_state(profile=alice_profile, title=series).resume.position == 1200


class TestPages:
    def test_title_page_plays_the_next_episode(
        self, alice_client: Client, alice_profile: Profile, series: Title, player: Player
    ) -> None:
        player.finish(episode(series, 1, 1))
        page = alice_client.get(series.get_absolute_url()).text
        assert "Play S1:E2" in page
        assert "S1:E1" not in page.split('class="title-actions"')[1].split("</div>")[0]
        assert "20% watched" in page
        play = reverse(
            "recommendations:player_episode", args=[series.slug, episode(series, 1, 2).pk]
        )
        assert f'href="{play}"' in page

    def test_title_page_resumes_inside_an_episode(
        self, alice_client: Client, series: Title, player: Player
    ) -> None:
        player.send(episode(series, 1, 1), ("start", 0), ("pause", 600))
        assert "Resume S1:E1" in alice_client.get(series.get_absolute_url()).text

    def test_title_page_of_a_finished_series_watches_again(
        self, alice_client: Client, series: Title, player: Player
    ) -> None:
        for season, number in ((1, 1), (1, 2), (1, 3), (2, 1), (2, 2)):
            player.finish(episode(series, season, number))
        page = alice_client.get(series.get_absolute_url()).text
        assert "Watch again S1:E1" in page
        assert "Watched, last on" in page

    def test_player_opens_the_next_episode_at_the_start(
        self, alice_client: Client, series: Title, player: Player
    ) -> None:
        player.finish(episode(series, 1, 1))
        page = alice_client.get(reverse("recommendations:player", args=[series.slug])).text
        assert f'data-episode="{episode(series, 1, 2).pk}"' in page
        assert 'data-start="0"' in page
        assert "S1:E2 · Winter 1.2" in page
        assert "20% of the series watched" in page

    def test_continue_watching_shows_the_next_episode(
        self, alice_client: Client, alice_profile: Profile, series: Title, player: Player
    ) -> None:
        player.finish(episode(series, 1, 1))
        plan = plans.home_plan(profile=alice_profile)
        view = row_views.row_view(plan, "continue", profile=alice_profile)
        card = next(title for title in view.titles if title.pk == series.pk)
        assert card.resume_label == "Play S1:E2"
        assert card.progress_percent == pytest.approx(20.0)
        page = alice_client.get(reverse("recommendations:row", args=["continue"])).text
        assert "Up next: S1:E2" in page
        assert "20% of the series watched" in page

    def test_continue_watching_says_where_an_episode_stopped(
        self, alice_profile: Profile, series: Title, player: Player
    ) -> None:
        player.send(episode(series, 1, 1), ("start", 0), ("pause", 600))
        view = row_views.row_view(
            plans.home_plan(profile=alice_profile), "continue", profile=alice_profile
        )
        card = next(title for title in view.titles if title.pk == series.pk)
        assert card.resume_label == "Resume S1:E1"
        assert any("You stopped in S1:E1" in reason.text for reason in card.evidence)

    def test_history_says_what_is_next(
        self, alice_client: Client, series: Title, player: Player
    ) -> None:
        player.finish(episode(series, 1, 1))
        page = alice_client.get(reverse("recommendations:history")).text
        assert "up next S1:E2 Winter 1.2" in page
