"""Webhook bodies as Jellyfin, Emby and Plex send them, read into plays (no database)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from recommendations.media_servers.payloads import (
    Action,
    Ignored,
    PayloadError,
    ServerKind,
    parse,
    user_id_normal,
)

FIXTURES = Path(__file__).parent / "fixtures"
RECEIVED = datetime(2026, 3, 15, 9, 30, 12, tzinfo=UTC)


def fixture(name: str) -> str:
    return (FIXTURES / f"{name}.json").read_text()


def play(kind: ServerKind, name: str):  # noqa: ANN201 (the Play)
    return parse(kind, fixture(name), received_at=RECEIVED)


@pytest.mark.parametrize(
    ("kind", "name", "action", "position"),
    [
        (ServerKind.JELLYFIN, "jellyfin_playback_start_movie", Action.START, 0),
        (ServerKind.JELLYFIN, "jellyfin_playback_progress_movie", Action.PROGRESS, 1800),
        (ServerKind.JELLYFIN, "jellyfin_playback_stop_movie_partial", Action.STOP, 1872),
        (ServerKind.JELLYFIN, "jellyfin_playback_stop_movie", Action.FINISHED, 6720),
        (ServerKind.EMBY, "emby_playback_start_movie", Action.START, 0),
        (ServerKind.EMBY, "emby_playback_pause_movie", Action.PAUSE, 2467),
        (ServerKind.EMBY, "emby_playback_unpause_movie", Action.RESUME, 2467),
        (ServerKind.EMBY, "emby_playback_stop_movie_partial", Action.STOP, 1872),
        (ServerKind.EMBY, "emby_playback_stop_movie", Action.FINISHED, 6720),
        (ServerKind.PLEX, "plex_media_play_movie", Action.START, None),
        (ServerKind.PLEX, "plex_media_pause_movie", Action.PAUSE, 2467),
        (ServerKind.PLEX, "plex_media_resume_movie", Action.RESUME, 2467),
        (ServerKind.PLEX, "plex_media_stop_movie", Action.STOP, 6720),
        (ServerKind.PLEX, "plex_media_scrobble_movie", Action.FINISHED, 6264),
    ],
)
def test_a_film_played(kind: ServerKind, name: str, action: Action, position: int | None) -> None:
    got = play(kind, name)
    assert got.action == action
    assert got.position_seconds == position
    assert not got.is_episode
    assert got.imdb_id in ("tt2543164", "tt4468740")
    assert got.tmdb_id in (329865, 346648)
    assert got.name in ("Arrival", "Paddington 2")
    assert got.year in (2016, 2017)
    assert got.user_name in ("alice", "bob")


def test_positions_and_runtimes_are_seconds() -> None:
    # Jellyfin and Emby count ticks of 100 ns, Plex milliseconds: 116 minutes each.
    for kind, name in [
        (ServerKind.JELLYFIN, "jellyfin_playback_start_movie"),
        (ServerKind.EMBY, "emby_playback_start_movie"),
        (ServerKind.PLEX, "plex_media_play_movie"),
    ]:
        assert play(kind, name).runtime_seconds == 116 * 60


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        (ServerKind.JELLYFIN, "jellyfin_playback_stop_episode"),
        (ServerKind.EMBY, "emby_playback_stop_episode"),
        (ServerKind.PLEX, "plex_media_scrobble_episode"),
    ],
)
def test_an_episode_names_its_series_season_and_number(kind: ServerKind, name: str) -> None:
    got = play(kind, name)
    assert got.is_episode
    assert (got.series_name, got.season, got.episode, got.name) == ("Dark", 1, 2, "Lies")
    assert got.action == Action.FINISHED


def test_jellyfin_progress_while_paused_is_a_pause() -> None:
    assert play(ServerKind.JELLYFIN, "jellyfin_playback_progress_episode").action == Action.PAUSE


def test_jellyfin_send_all_properties_reads_the_same() -> None:
    templated = play(ServerKind.JELLYFIN, "jellyfin_playback_stop_movie")
    raw = play(ServerKind.JELLYFIN, "jellyfin_playback_stop_movie_send_all_properties")
    assert (raw.action, raw.item_id, raw.user_id, raw.position_seconds) == (
        templated.action,
        templated.item_id,
        templated.user_id,
        templated.position_seconds,
    )


def test_marked_played_by_hand_is_finished() -> None:
    assert play(ServerKind.JELLYFIN, "jellyfin_user_data_saved_movie_marked_played").action == (
        Action.FINISHED
    )
    assert play(ServerKind.EMBY, "emby_item_markplayed_movie").action == Action.FINISHED


def test_a_user_data_save_that_is_not_marked_played_is_ignored() -> None:
    body = json.loads(fixture("jellyfin_user_data_saved_movie_marked_played"))
    body["SaveReason"] = "UpdateUserRating"
    with pytest.raises(Ignored):
        parse(ServerKind.JELLYFIN, json.dumps(body), received_at=RECEIVED)


def test_plex_ratings_are_stars_out_of_five() -> None:
    got = play(ServerKind.PLEX, "plex_media_rate_movie")
    assert got.action == Action.RATE
    assert got.stars == 4.5  # 9 of 10
    body = json.loads(fixture("plex_media_rate_movie"))
    body["rating"] = -1.0  # the rating cleared
    assert parse(ServerKind.PLEX, json.dumps(body), received_at=RECEIVED).stars is None


def test_the_time_is_the_servers_or_for_plex_the_arrival() -> None:
    start = play(ServerKind.JELLYFIN, "jellyfin_playback_start_movie")
    # Seven digits of fractions, as .NET prints them.
    assert start.occurred_at == datetime(2026, 3, 14, 20, 0, 5, 123456, tzinfo=UTC)
    assert play(ServerKind.PLEX, "plex_media_play_movie").occurred_at == RECEIVED


def test_the_same_event_twice_has_one_key_and_another_event_another() -> None:
    once = play(ServerKind.EMBY, "emby_playback_pause_movie")
    again = play(ServerKind.EMBY, "emby_playback_pause_movie")
    assert once.event_key == again.event_key
    assert once.event_key != play(ServerKind.EMBY, "emby_playback_unpause_movie").event_key


def test_user_ids_are_kept_without_dashes_in_lower_case() -> None:
    assert play(ServerKind.JELLYFIN, "jellyfin_playback_start_movie").user_id == (
        "5d1e7f3a9b2c4d6e8f0a1b2c3d4e5f60"
    )
    assert user_id_normal("5D1E7F3A-9B2C-4D6E-8F0A-1B2C3D4E5F60") == user_id_normal(
        "5d1e7f3a9b2c4d6e8f0a1b2c3d4e5f60"
    )


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        (ServerKind.JELLYFIN, "not json"),
        (ServerKind.JELLYFIN, "[1, 2]"),
        (ServerKind.JELLYFIN, "{}"),
        (ServerKind.EMBY, '{"Event": "playback.start"}'),
        (ServerKind.PLEX, '{"event": "media.play", "Account": {"id": 1}}'),
        (ServerKind.PLEX, '{"event": "media.play", "Account": 7, "Metadata": {}}'),
        (
            ServerKind.JELLYFIN,
            '{"NotificationType": "PlaybackStart", "ItemType": "Movie", "UserId": "a",'
            ' "ItemId": "b", "UtcTimestamp": "yesterday"}',
        ),
    ],
)
def test_a_body_that_is_not_a_webhook_is_an_error(kind: ServerKind, body: str) -> None:
    with pytest.raises(PayloadError):
        parse(kind, body, received_at=RECEIVED)


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        (ServerKind.JELLYFIN, '{"NotificationType": "ItemAdded", "ItemType": "Movie"}'),
        (ServerKind.JELLYFIN, '{"NotificationType": "PlaybackStart", "ItemType": "Audio"}'),
        (ServerKind.EMBY, '{"Event": "library.new"}'),
        (ServerKind.PLEX, '{"event": "library.new"}'),
        (ServerKind.PLEX, '{"event": "media.play", "Account": {}, "Metadata": {"type": "track"}}'),
    ],
)
def test_events_about_something_else_are_ignored(kind: ServerKind, body: str) -> None:
    with pytest.raises(Ignored):
        parse(kind, body, received_at=RECEIVED)


def test_a_jellyfin_user_name_is_read_as_the_template_prints_it() -> None:
    # Double braces HTML-encode: "Zoë & Max" arrives as "Zo&#235; &amp; Max".
    body = json.loads(fixture("jellyfin_playback_start_movie"))
    body["NotificationUsername"] = "Zo&#235; &amp; Max"
    assert parse(ServerKind.JELLYFIN, json.dumps(body), received_at=RECEIVED).user_name == (
        "Zoë & Max"
    )
