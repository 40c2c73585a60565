"""A media server's library and played state, read from a server on 127.0.0.1 that answers
with recorded responses in the server's own format."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client

from catalog.models import Episode, Title
from config.secret_box import seal
from recommendations.media_servers import clients, services, sync
from recommendations.media_servers.models import (
    Availability,
    MediaServer,
    MediaServerUser,
    SyncStatus,
)
from recommendations.models import WatchProgress
from tests.factories import ProfileFactory, TitleFactory
from tests.media_servers.recorded_server import KEY, RecordedServer

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"

ALICE = {
    "jellyfin": "5d1e7f3a9b2c4d6e8f0a1b2c3d4e5f60",
    "emby": "0c7b3e8f1a2d4b5c9e6f7a8b9c0d1e2f",
}


@pytest.fixture(params=["jellyfin", "emby", "plex"])
def recorded(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RecordedServer]:
    # Pages of two, so that every listing takes more than one request.
    monkeypatch.setattr(clients, "PAGE_SIZE", 2)
    with RecordedServer(request.param) as server:
        yield server


def _server(recorded: RecordedServer, key: str = KEY) -> MediaServer:
    return MediaServer.objects.create(
        name="Living room",
        kind=recorded.kind,
        base_url=recorded.url,
        api_key_sealed=seal(key),
        webhook_token_digest=f"digest-{recorded.kind}",
    )


def test_a_sync_brings_the_library_into_the_catalogue(recorded: RecordedServer) -> None:
    server = _server(recorded)
    report = sync.sync_run(server.pk, timeout=5)
    assert report is not None
    films = Title.objects.filter(kind=Title.Kind.MOVIE)
    assert set(films.values_list("name", flat=True)) == {
        "Arrival",
        "Paddington 2",
        "The Matrix",
        "Spirited Away",
    }
    arrival = films.get(name="Arrival")
    assert (arrival.imdb_id, arrival.year, arrival.runtime_minutes) == ("tt2543164", 2016, 116)
    assert arrival.genres.filter(name="Science Fiction").exists()
    assert arrival.credits.filter(role="director", person__name="Denis Villeneuve").exists()
    dark = Title.objects.get(kind=Title.Kind.SERIES, name="Dark")
    assert Episode.objects.filter(season__title=dark).count() == 4
    assert Availability.objects.filter(server=server, episode=None).count() == 5
    server.refresh_from_db()
    assert server.sync_status == SyncStatus.DONE
    assert "5 titles (5 new)" in server.sync_progress
    assert server.server_id  # for links into the server's web app
    # Read across pages: more than one request for the listing.
    listing = "/Items" if recorded.kind != "plex" else "/library/sections/1/all"
    assert recorded.requests.count(listing) >= 2


def test_a_second_sync_adds_nothing_and_keeps_a_curators_edits(recorded: RecordedServer) -> None:
    server = _server(recorded)
    sync.sync_run(server.pk, timeout=5)
    Title.objects.filter(name="Arrival").update(synopsis="The curator's words.")
    report = sync.sync_run(server.pk, timeout=5)
    assert report is not None
    assert report.titles_added == report.episodes_added == 0
    assert Title.objects.count() == 5
    assert Title.objects.get(name="Arrival").synopsis == "The curator's words."


def test_titles_already_in_the_catalogue_are_found_not_added(recorded: RecordedServer) -> None:
    mine = TitleFactory(name="L'Arrivée", imdb_id="tt2543164", year=2016)
    server = _server(recorded)
    sync.sync_run(server.pk, timeout=5)
    assert Availability.objects.filter(server=server, title=mine).exists()
    assert not Title.objects.filter(name="Arrival").exists()


def test_an_item_deleted_on_the_server_is_no_longer_available(recorded: RecordedServer) -> None:
    server = _server(recorded)
    sync.sync_run(server.pk, timeout=5)
    matrix = Title.objects.get(name="The Matrix")
    gone = Availability.objects.get(server=server, title=matrix).item_id
    recorded.deleted.add(gone)
    report = sync.sync_run(server.pk, timeout=5)
    assert report is not None
    assert report.gone == 1
    assert not Availability.objects.filter(server=server, title=matrix).exists()
    # The title stays in the catalogue: it is only not on this server any more.
    assert Title.objects.filter(pk=matrix.pk).exists()


def test_a_server_down_mid_sync_writes_nothing_half_and_marks_nothing_gone(
    recorded: RecordedServer,
) -> None:
    server = _server(recorded)
    sync.sync_run(server.pk, timeout=5)
    available = set(Availability.objects.values_list("item_id", flat=True))
    recorded.requests.clear()
    recorded.fail_after = 2
    assert sync.sync_run(server.pk, timeout=5) is None
    server.refresh_from_db()
    assert server.sync_status == SyncStatus.FAILED
    assert "503" in server.last_sync_error
    assert set(Availability.objects.values_list("item_id", flat=True)) == available
    # The next sync carries on.
    recorded.fail_after = None
    assert sync.sync_run(server.pk, timeout=5) is not None


def test_a_series_is_written_whole_or_not_at_all(recorded: RecordedServer) -> None:
    # The server fails between the series in the listing and its episodes.
    server = _server(recorded)
    episodes_path = "/allLeaves" if recorded.kind == "plex" else "/Episodes"
    original = recorded.answer

    def failing(path: str, query: dict, headers: object) -> tuple[int, str, bytes]:
        if path.endswith(episodes_path):
            return 500, "text/plain", b"oops"
        return original(path, query, headers)

    recorded.answer = failing  # type: ignore[method-assign]
    assert sync.sync_run(server.pk, timeout=5) is None
    assert not Title.objects.filter(name="Dark").exists()
    assert not Episode.objects.exists()


def test_a_wrong_key_is_reported_and_changes_nothing(recorded: RecordedServer) -> None:
    server = _server(recorded, key="not-the-key")
    assert sync.sync_run(server.pk, timeout=5) is None
    server.refresh_from_db()
    assert server.sync_status == SyncStatus.FAILED
    assert "refused the API key (401)" in server.last_sync_error
    assert not Title.objects.exists()


def test_a_slow_server_times_out_with_a_clear_error(recorded: RecordedServer) -> None:
    server = _server(recorded)
    recorded.delay = 1.0
    assert sync.sync_run(server.pk, timeout=0.2) is None
    server.refresh_from_db()
    assert "cannot be reached" in server.last_sync_error


def test_an_unreachable_server(recorded: RecordedServer) -> None:
    server = _server(recorded)
    MediaServer.objects.filter(pk=server.pk).update(base_url="http://127.0.0.1:9")
    assert sync.sync_run(server.pk, timeout=2) is None
    server.refresh_from_db()
    assert "cannot be reached" in server.last_sync_error


def test_a_key_sealed_under_another_secret_asks_for_the_key_again(
    recorded: RecordedServer, settings: pytest.FixtureRequest
) -> None:
    server = _server(recorded)
    settings.MARQUEE_SECRETS_KEY = "another key"
    assert sync.sync_run(server.pk, timeout=5) is None
    server.refresh_from_db()
    assert "enter it again" in server.last_sync_error


@pytest.mark.parametrize("kind", ["jellyfin", "emby"])
def test_a_mapped_users_played_and_resumable_items_count(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clients, "PAGE_SIZE", 2)
    with RecordedServer(kind) as recorded:
        server = _server(recorded)
        profile = ProfileFactory(name="Alice")
        MediaServerUser.objects.create(server=server, external_id=ALICE[kind], profile=profile)
        report = sync.sync_run(server.pk, timeout=5)
        assert report is not None
        assert report.states.get("recorded", 0) > 0
        progress = {
            row.title.name: row
            for row in WatchProgress.objects.filter(profile=profile, episode=None).select_related(
                "title"
            )
        }
        # Played on the server: finished here; resumable: where it stopped.
        assert progress["Arrival"].completed
        assert not progress["Paddington 2"].completed
        assert progress["Paddington 2"].last_position > 0
        # Again: the same state counts once.
        again = sync.sync_run(server.pk, timeout=5)
        assert again is not None
        assert again.states.get("recorded", 0) == 0


def test_the_servers_users_arrive_for_a_curator_to_map(recorded: RecordedServer) -> None:
    server = _server(recorded)
    profile = ProfileFactory()
    MediaServerUser.objects.create(
        server=server, external_id=ALICE.get(recorded.kind, "1"), name="Alice", profile=profile
    )
    sync.sync_run(server.pk, timeout=5)
    users = {user.name: user for user in server.users.all()}
    assert set(users) == {"alice", "bob"}  # Plex's nameless account 0 is left out
    # A name taken from the server; the profile a curator chose stays.
    assert users["alice"].profile == profile


def test_a_plex_owners_webhook_finds_the_user_the_sync_listed(client: Client) -> None:
    with RecordedServer("plex") as recorded:
        server = _server(recorded)
        sync.sync_run(server.pk, timeout=5)
    alice = server.users.get(name="alice")  # /accounts says id 1
    alice.profile = ProfileFactory()
    alice.save()
    token = services.webhook_token_new(server)
    body = (FIXTURES / "plex_media_play_movie.json").read_text()  # Account.id 31415926
    response = client.post(f"/hooks/media/{token}/", {"payload": body})
    assert response.json()["status"] == "recorded"
    assert server.users.count() == 2


def test_posters_come_from_the_server_and_stay_in_storage(recorded: RecordedServer) -> None:
    server = _server(recorded)
    report = sync.sync_run(server.pk, timeout=5)
    assert report is not None
    arrival = Title.objects.get(name="Arrival")
    assert arrival.poster.name.startswith("posters/")
    assert arrival.poster.name.endswith(".png")
    assert arrival.poster.read() == recorded.poster
    # Kept: the next sync asks for none.
    recorded.requests.clear()
    sync.sync_run(server.pk, timeout=5)
    assert not [path for path in recorded.requests if "/Images/" in path or "/thumb/" in path]


def test_a_bad_or_oversized_image_is_not_taken_as_a_poster(
    recorded: RecordedServer, settings: object
) -> None:
    server = _server(recorded)
    recorded.poster = b"<html>not an image</html>"
    assert sync.sync_run(server.pk, timeout=5) is not None
    assert not Title.objects.get(name="Arrival").poster
    recorded.poster = b"\x89PNG" + b"\0" * 2_000_000
    settings.MARQUEE_POSTER_MAX_BYTES = 1_000_000
    assert sync.sync_run(server.pk, timeout=5) is not None
    assert not Title.objects.exclude(poster="").exists()


def test_the_plex_owners_played_state_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clients, "PAGE_SIZE", 2)
    with RecordedServer("plex") as recorded:
        server = _server(recorded)
        owner, shared = ProfileFactory(name="Alice"), ProfileFactory(name="Bob")
        MediaServerUser.objects.create(server=server, external_id="1", profile=owner)
        MediaServerUser.objects.create(server=server, external_id="12345678", profile=shared)
        report = sync.sync_run(server.pk, timeout=5)
    assert report is not None
    films = {
        row.title.name: row
        for row in WatchProgress.objects.filter(profile=owner, episode=None).select_related("title")
    }
    assert films["Arrival"].completed
    assert not films["Paddington 2"].completed
    assert films["Paddington 2"].last_position > 0
    # The token reads only its owner's state: a shared user's comes by webhook.
    assert not WatchProgress.objects.filter(profile=shared).exists()
