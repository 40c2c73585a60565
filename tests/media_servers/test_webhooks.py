"""Playback from Jellyfin, Emby and Plex, posted as the servers post it, counts as watching."""

from __future__ import annotations

import io
import json
import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import Profile
from catalog.models import Episode, Title
from config.log_redact import RedactWebhookTokens
from recommendations.media_servers import services
from recommendations.media_servers.models import MediaServer, MediaServerUser, UnmatchedPlay
from recommendations.models import Rating, Source, WatchEvent, WatchProgress
from tests.factories import EpisodeFactory, ProfileFactory, SeasonFactory, TitleFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
# The users of the recorded bodies (fixtures/README.md).
JELLYFIN_ALICE = "5d1e7f3a9b2c4d6e8f0a1b2c3d4e5f60"
EMBY_ALICE = "0c7b3e8f1a2d4b5c9e6f7a8b9c0d1e2f"
PLEX_ALICE = "31415926"
PLEX_BOB = "12345678"


def body(name: str) -> str:
    return (FIXTURES / f"{name}.json").read_text()


def connect(kind: str, profile: Profile | None, user_id: str) -> tuple[MediaServer, str]:
    server = MediaServer(name=f"Home {kind}", kind=kind, base_url="http://192.168.1.10:8096")
    token = services.webhook_token_new(server)
    server.save()
    if profile is not None:
        MediaServerUser.objects.create(server=server, external_id=user_id, profile=profile)
    return server, token


def post_json(client: Client, token: str, text: str, content_type: str = "application/json") -> Any:
    return client.post(f"/hooks/media/{token}/", text, content_type=content_type)


def post_form(client: Client, token: str, field: str, text: str, *, thumb: bool = False) -> Any:
    data: dict[str, Any] = {field: text}
    if thumb:
        # Plex sends the poster along as a JPEG part named thumb.
        data["thumb"] = io.BytesIO(b"\xff\xd8\xff\xe0" + b"\0" * 64)
    return client.post(f"/hooks/media/{token}/", data)


@pytest.fixture
def profile() -> Profile:
    return ProfileFactory(name="Alice")


@pytest.fixture
def arrival() -> Title:
    return TitleFactory(name="Arrival", year=2016, imdb_id="tt2543164", runtime_minutes=116)


@pytest.fixture
def dark() -> Episode:
    series = TitleFactory(name="Dark", year=2017, kind=Title.Kind.SERIES)
    season = SeasonFactory(title=series, number=1)
    EpisodeFactory(season=season, number=1, runtime_minutes=51)
    return EpisodeFactory(season=season, number=2, runtime_minutes=45)


def test_a_jellyfin_viewing_from_start_to_finish(
    client: Client, profile: Profile, arrival: Title
) -> None:
    _server, token = connect("jellyfin", profile, JELLYFIN_ALICE)
    for name in (
        "jellyfin_playback_start_movie",
        "jellyfin_playback_progress_movie",
        "jellyfin_playback_stop_movie",
    ):
        # The plugin posts text/plain unless told otherwise.
        response = post_json(client, token, body(name), content_type="text/plain")
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "recorded"
    progress = WatchProgress.objects.get(profile=profile, title=arrival)
    assert progress.completed
    assert list(
        WatchEvent.objects.filter(profile=profile)
        .order_by("occurred_at")
        .values_list("kind", flat=True)
    ) == ["start", "progress", "stop"]


def test_a_webhook_sent_again_counts_once(client: Client, profile: Profile, arrival: Title) -> None:
    _server, token = connect("emby", profile, EMBY_ALICE)
    first = post_json(client, token, body("emby_playback_start_movie"))
    again = post_json(client, token, body("emby_playback_start_movie"))
    assert (first.json()["status"], again.json()["status"]) == ("recorded", "repeated")
    assert WatchEvent.objects.filter(profile=profile).count() == 1


def test_emby_posts_json_or_a_form_with_a_data_part(
    client: Client, profile: Profile, arrival: Title
) -> None:
    _server, token = connect("emby", profile, EMBY_ALICE)
    assert post_form(client, token, "data", body("emby_playback_start_movie")).json()["status"] == (
        "recorded"
    )
    assert (
        post_json(client, token, body("emby_playback_pause_movie")).json()["status"] == "recorded"
    )
    progress = WatchProgress.objects.get(profile=profile, title=arrival)
    # 2,467 s into a 6,960 s file is the same share of the catalogue's 116 minutes.
    assert progress.last_position == 2467
    assert progress.last_event_kind == "pause"


def test_a_plex_viewing_and_its_rating(client: Client, profile: Profile, arrival: Title) -> None:
    _server, token = connect("plex", profile, PLEX_ALICE)
    for name in ("plex_media_play_movie", "plex_media_pause_movie", "plex_media_scrobble_movie"):
        response = post_form(client, token, "payload", body(name), thumb=True)
        assert response.json()["status"] == "recorded", response.json()
    assert WatchProgress.objects.get(profile=profile, title=arrival).completed
    assert post_form(client, token, "payload", body("plex_media_rate_movie")).status_code == 200
    rating = Rating.objects.get(profile=profile, title=arrival)
    assert (rating.stars, rating.source) == (Decimal("4.5"), Source.MEDIA_SERVER)
    cleared = json.loads(body("plex_media_rate_movie"))
    cleared["rating"] = -1.0
    post_form(client, token, "payload", json.dumps(cleared))
    assert not Rating.objects.filter(profile=profile, title=arrival).exists()


def test_an_episode_counts_for_its_series(client: Client, profile: Profile, dark: Episode) -> None:
    _server, token = connect("jellyfin", profile, JELLYFIN_ALICE)
    for name in ("jellyfin_playback_start_episode", "jellyfin_playback_stop_episode"):
        assert post_json(client, token, body(name)).json()["status"] == "recorded"
    episode = WatchProgress.objects.get(profile=profile, episode=dark)
    assert episode.completed
    series = WatchProgress.objects.get(profile=profile, title=dark.season.title, episode=None)
    assert series.seconds_watched > 0


def test_a_film_is_found_by_name_and_year_without_ids(client: Client, profile: Profile) -> None:
    paddington = TitleFactory(name="Paddington 2", year=2017, runtime_minutes=104)
    _server, token = connect("jellyfin", profile, JELLYFIN_ALICE)
    assert post_json(client, token, body("jellyfin_playback_stop_movie_partial")).json()[
        "status"
    ] == ("recorded")
    assert WatchProgress.objects.get(profile=profile, title=paddington).last_position == 1872


def test_two_titles_of_one_name_are_for_a_curator_to_tell(client: Client, profile: Profile) -> None:
    TitleFactory(name="Paddington 2", year=2017)
    TitleFactory(name="Paddington 2", year=2017, slug="paddington-2-again")
    _server, token = connect("jellyfin", profile, JELLYFIN_ALICE)
    response = post_json(client, token, body("jellyfin_playback_stop_movie_partial"))
    assert response.json()["status"] == "kept"
    assert UnmatchedPlay.objects.get().reason == UnmatchedPlay.Reason.TITLE


def test_plays_of_an_unmapped_user_wait_for_a_profile(
    client: Client, profile: Profile, arrival: Title
) -> None:
    server, token = connect("plex", None, "")
    for name in ("plex_media_play_movie", "plex_media_stop_movie"):
        response = post_form(client, token, "payload", body(name))
        assert response.json()["status"] == "kept"
    user = MediaServerUser.objects.get(server=server, external_id=PLEX_ALICE)
    assert user.name == "alice"
    assert not WatchEvent.objects.exists()
    # A curator maps the user: the plays kept aside count, in the order they happened.
    user.profile = profile
    user.save()
    counts = services.unmatched_apply(list(UnmatchedPlay.objects.filter(server_user=user)))
    assert counts == {"recorded": 2}
    assert list(WatchEvent.objects.order_by("occurred_at").values_list("kind", flat=True)) == [
        "start",
        "stop",
    ]
    assert UnmatchedPlay.objects.filter(applied_at=None).count() == 0


def test_a_play_of_an_unknown_title_counts_once_a_curator_names_it(
    client: Client, profile: Profile
) -> None:
    _server, token = connect("emby", profile, EMBY_ALICE)
    assert post_json(client, token, body("emby_playback_stop_movie")).json()["status"] == "kept"
    kept = UnmatchedPlay.objects.get()
    assert (kept.reason, kept.imdb_id, kept.name) == ("title", "tt2543164", "Arrival")
    kept.title = TitleFactory(name="L'Arrivée", year=2016, runtime_minutes=116)
    kept.save()
    assert services.unmatched_apply([kept]) == {"recorded": 1}
    assert WatchProgress.objects.get(profile=profile, title=kept.title).completed


def test_a_kids_profile_is_not_given_an_adult_title(client: Client, arrival: Title) -> None:
    kid = ProfileFactory(name="Kid", is_kids=True, max_maturity_age=7)
    Title.objects.filter(pk=arrival.pk).update(maturity_rating="R")
    _server, token = connect("jellyfin", kid, JELLYFIN_ALICE)
    response = post_json(client, token, body("jellyfin_playback_start_movie"))
    assert response.json()["status"] == "refused"
    assert not WatchProgress.objects.exists()


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("{not json", "not JSON"),
        ('{"Event": "playback.start"}', "Item and User are required"),
        ("[]", "not a JSON object"),
    ],
)
def test_a_bad_body_is_a_400_and_writes_nothing(
    client: Client, profile: Profile, text: str, detail: str
) -> None:
    server, token = connect("emby", profile, EMBY_ALICE)
    response = post_json(client, token, text)
    assert response.status_code == 400
    assert detail in response.json()["detail"]
    server.refresh_from_db()
    assert (server.events_rejected, server.events_accepted) == (1, 0)
    assert detail in server.last_error
    assert MediaServerUser.objects.count() == 1  # the one mapped in set-up
    assert not WatchEvent.objects.exists()


def test_a_plex_form_without_its_payload_is_a_400(client: Client, profile: Profile) -> None:
    _server, token = connect("plex", profile, PLEX_ALICE)
    response = post_form(client, token, "data", "{}")
    assert response.status_code == 400
    assert "payload" in response.json()["detail"]


def test_events_about_something_else_are_ignored(client: Client, profile: Profile) -> None:
    _server, token = connect("jellyfin", profile, JELLYFIN_ALICE)
    response = post_json(client, token, '{"NotificationType": "ItemAdded", "ItemType": "Movie"}')
    assert (response.status_code, response.json()["status"]) == (200, "ignored")


def test_an_unknown_or_rotated_token_is_a_404(
    client: Client, profile: Profile, arrival: Title
) -> None:
    server, token = connect("jellyfin", profile, JELLYFIN_ALICE)
    assert post_json(client, "x" * 43, body("jellyfin_playback_start_movie")).status_code == 404
    services.webhook_token_new(server)
    assert post_json(client, token, body("jellyfin_playback_start_movie")).status_code == 404
    assert not WatchEvent.objects.exists()


def test_only_a_post(client: Client, profile: Profile) -> None:
    _server, token = connect("jellyfin", profile, JELLYFIN_ALICE)
    assert client.get(f"/hooks/media/{token}/").status_code == 405


def test_only_a_digest_of_the_token_is_kept(profile: Profile) -> None:
    server, token = connect("jellyfin", profile, JELLYFIN_ALICE)
    stored = MediaServer.objects.filter(pk=server.pk).values().get()
    assert token not in json.dumps(stored, default=str)
    assert stored["webhook_token_hint"] == token[-4:]


def test_logs_show_only_the_end_of_a_token() -> None:
    assert "redact" in settings.LOGGING["handlers"]["console"]["filters"]
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found: %s",
        ("/hooks/media/SECRETabcd1234/",),
        None,
    )
    RedactWebhookTokens().filter(record)
    assert record.getMessage() == "Not Found: /hooks/media/…1234/"
