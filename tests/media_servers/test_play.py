"""Play on a title the household has on a media server opens it there, at the item."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from catalog.models import Episode, Title
from config.secret_box import seal
from recommendations.media_servers import sync
from recommendations.media_servers.models import MediaServer
from tests.factories import ProfileFactory, TitleFactory, UserFactory
from tests.helpers import watch_as
from tests.media_servers.recorded_server import KEY, RecordedServer

pytestmark = pytest.mark.django_db

EXPECTED = {
    "jellyfin": "/web/index.html#!/details?id=3f1a6c2e9b7d4e0f8a5c1d2e3b4a5f60"
    "&serverId=2f3c8a1e5b6d4e7f9a0b1c2d3e4f5a6b",
    "emby": "/web/index.html#!/item?id=1201&serverId=4c5d6e7f8a9b4c0d1e2f3a4b5c6d7e8f",
    "plex": "/web/index.html#!/server/6a2f5e1c8d3b4a7e9f0c1b2a3d4e5f6a7b8c9d0e/details"
    "?key=%2Flibrary%2Fmetadata%2F101",
}


@pytest.fixture(params=["jellyfin", "emby", "plex"])
def synced(request: pytest.FixtureRequest) -> Iterator[MediaServer]:
    with RecordedServer(request.param) as recorded:
        server = MediaServer.objects.create(
            name="Living room",
            kind=recorded.kind,
            base_url=recorded.url,
            api_key_sealed=seal(KEY),
            webhook_token_digest=f"digest-{recorded.kind}",
        )
        assert sync.sync_run(server.pk, timeout=5) is not None
        server.refresh_from_db()
        yield server


def _viewer(client: Client, account: object = None) -> Client:
    profile = ProfileFactory(account=account or UserFactory())
    client.force_login(profile.account)
    return watch_as(client, profile)


def test_play_opens_the_film_in_the_servers_web_app(client: Client, synced: MediaServer) -> None:
    arrival = Title.objects.get(name="Arrival")
    response = _viewer(client).get(f"/watch/{arrival.slug}/")
    assert response.status_code == 302
    assert response["Location"] == synced.base_url + EXPECTED[synced.kind]


def test_play_opens_the_episode(client: Client, synced: MediaServer) -> None:
    episode = Episode.objects.get(season__title__name="Dark", season__number=1, number=2)
    response = _viewer(client).get(f"/watch/{episode.season.title.slug}/{episode.pk}/")
    assert response.status_code == 302
    item = synced.items.get(episode=episode).item_id
    assert item in response["Location"]


def test_a_title_on_no_server_plays_in_marquee(client: Client, synced: MediaServer) -> None:
    other = TitleFactory(name="Not on the server", runtime_minutes=90)
    response = _viewer(client).get(f"/watch/{other.slug}/")
    assert response.status_code == 200
    assert 'class="player' in response.text


def test_an_accounts_server_is_for_that_account_only(client: Client, synced: MediaServer) -> None:
    owner = UserFactory()
    MediaServer.objects.filter(pk=synced.pk).update(account=owner)
    arrival = Title.objects.get(name="Arrival")
    assert _viewer(Client(), owner).get(f"/watch/{arrival.slug}/").status_code == 302
    assert _viewer(client).get(f"/watch/{arrival.slug}/").status_code == 200
