"""Curators add media servers, see their webhook address once, map users, place plays."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from catalog.models import Title
from config.secret_box import unseal
from recommendations.media_servers import services
from recommendations.media_servers.models import (
    MediaServer,
    MediaServerUser,
    SyncStatus,
    UnmatchedPlay,
)
from recommendations.models import WatchEvent
from tests.factories import ProfileFactory, TitleFactory, UserFactory
from tests.media_servers.recorded_server import KEY, RecordedServer

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
ADDRESS = re.compile(r"http://testserver/hooks/media/([\w-]+)/")


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(UserFactory(email="curator@example.com", is_staff=True, is_superuser=True))
    return client


def _add(admin_client: Client, **fields: str) -> tuple[MediaServer, str]:
    data = {
        "name": "Living room",
        "kind": "jellyfin",
        "base_url": "http://192.168.1.10:8096",
        "account": "",
        "users-TOTAL_FORMS": "0",
        "users-INITIAL_FORMS": "0",
        **fields,
    }
    response = admin_client.post(
        reverse("admin:recommendations_mediaserver_add"), data, follow=True
    )
    assert response.redirect_chain, response.content
    return MediaServer.objects.get(name=data["name"]), ADDRESS.search(response.text)[1]


def test_a_new_server_shows_its_address_once_and_it_works(admin_client: Client) -> None:
    server, token = _add(admin_client)
    assert services.server_by_token(token) == server
    page = admin_client.get(reverse("admin:recommendations_mediaserver_change", args=[server.pk]))
    assert token not in page.text
    assert f"…{token[-4:]}" in page.text
    body = (FIXTURES / "jellyfin_playback_start_movie.json").read_text()
    hook = Client().post(f"/hooks/media/{token}/", body, content_type="application/json")
    assert hook.json()["status"] == "kept"  # no user mapped yet


def test_rotating_the_address_stops_the_old_one(admin_client: Client) -> None:
    server, old = _add(admin_client)
    response = admin_client.post(
        reverse("admin:recommendations_mediaserver_changelist"),
        {"action": "rotate_webhook_address", "_selected_action": [server.pk]},
        follow=True,
    )
    new = ADDRESS.search(response.text)[1]
    assert new != old
    assert services.server_by_token(old) is None
    assert services.server_by_token(new) == server


def test_mapping_a_user_counts_the_plays_kept_for_them(admin_client: Client) -> None:
    server, token = _add(admin_client, kind="emby")
    TitleFactory(name="Arrival", year=2016, imdb_id="tt2543164", runtime_minutes=116)
    for name in ("emby_playback_start_movie", "emby_playback_pause_movie"):
        body = (FIXTURES / f"{name}.json").read_text()
        Client().post(f"/hooks/media/{token}/", body, content_type="application/json")
    user = MediaServerUser.objects.get(server=server)
    profile = ProfileFactory(name="Alice")
    response = admin_client.post(
        reverse("admin:recommendations_mediaserver_change", args=[server.pk]),
        {
            "name": server.name,
            "kind": "emby",
            "base_url": server.base_url,
            "account": "",
            "users-TOTAL_FORMS": "1",
            "users-INITIAL_FORMS": "1",
            "users-0-id": str(user.pk),
            "users-0-server": str(server.pk),
            "users-0-profile": str(profile.pk),
        },
        follow=True,
    )
    assert "Plays kept aside: 2 recorded." in response.text
    assert list(WatchEvent.objects.order_by("occurred_at").values_list("kind", flat=True)) == [
        "start",
        "pause",
    ]


def test_an_accounts_server_maps_only_to_that_accounts_profiles(admin_client: Client) -> None:
    owner: User = UserFactory()
    mine, theirs = ProfileFactory(account=owner, name="Mine"), ProfileFactory(name="Theirs")
    server, _token = _add(admin_client, account=str(owner.pk))
    MediaServerUser.objects.create(server=server, external_id="abc", name="alice")
    page = admin_client.get(reverse("admin:recommendations_mediaserver_change", args=[server.pk]))
    assert f">{mine}</option>" in page.text
    assert f">{theirs}</option>" not in page.text


def test_a_curator_names_the_title_of_a_play_kept_aside(admin_client: Client) -> None:
    server, token = _add(admin_client, kind="plex")
    profile = ProfileFactory()
    MediaServerUser.objects.create(server=server, external_id="31415926", profile=profile)
    body = (FIXTURES / "plex_media_scrobble_movie.json").read_text()
    Client().post(f"/hooks/media/{token}/", {"payload": body})
    kept = UnmatchedPlay.objects.get()
    title = TitleFactory(name="Arrival (director's cut)", runtime_minutes=120)
    response = admin_client.post(
        reverse("admin:recommendations_unmatchedplay_change", args=[kept.pk]),
        {"title": str(title.pk), "episode": ""},
        follow=True,
    )
    assert "1 recorded" in response.text
    kept.refresh_from_db()
    assert kept.applied_at is not None
    assert WatchEvent.objects.get().title == title


def test_the_lists_take_a_fixed_number_of_queries(
    admin_client: Client, django_assert_max_num_queries: object
) -> None:
    for number in range(8):
        server = MediaServer(name=f"Server {number}", kind="plex", base_url="http://10.0.0.2:32400")
        services.webhook_token_new(server)
        server.save()
        user = MediaServerUser.objects.create(server=server, external_id=str(number))
        body = (FIXTURES / "plex_media_play_movie.json").read_text()
        services.play_record(
            server=server,
            play=services.Play(**{**_play_fields(body), "user_id": user.external_id}),
        )
    with django_assert_max_num_queries(8):
        assert (
            admin_client.get(reverse("admin:recommendations_mediaserver_changelist")).status_code
            == 200
        )
    with django_assert_max_num_queries(10):
        assert (
            admin_client.get(reverse("admin:recommendations_unmatchedplay_changelist")).status_code
            == 200
        )


def _play_fields(body: str) -> dict:
    from datetime import UTC, datetime

    from recommendations.media_servers.payloads import ServerKind, parse

    play = parse(ServerKind.PLEX, body, received_at=datetime.now(UTC))
    return {field: getattr(play, field) for field in play.__dataclass_fields__}


def test_the_api_key_is_sealed_and_never_shown(admin_client: Client) -> None:
    server, _token = _add(admin_client, api_key="k-123-secret")
    assert "k-123-secret" not in server.api_key_sealed
    assert unseal(server.api_key_sealed) == "k-123-secret"
    change = reverse("admin:recommendations_mediaserver_change", args=[server.pk])
    page = admin_client.get(change)
    assert "k-123-secret" not in page.text
    assert "Yes (sealed; never shown)" in page.text
    # Saved again without a key: the stored one stays.
    admin_client.post(
        change,
        {
            "name": server.name,
            "kind": server.kind,
            "base_url": server.base_url,
            "account": "",
            "api_key": "",
            "users-TOTAL_FORMS": "0",
            "users-INITIAL_FORMS": "0",
        },
    )
    server.refresh_from_db()
    assert unseal(server.api_key_sealed) == "k-123-secret"


def test_sync_now_reads_the_library(
    admin_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with RecordedServer("jellyfin") as recorded:
        server, _token = _add(admin_client, base_url=recorded.url, api_key=KEY)
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(
                reverse("admin:recommendations_mediaserver_changelist"),
                {"action": "sync_now", "_selected_action": [server.pk]},
            )
            server.refresh_from_db()
            assert server.sync_status == SyncStatus.QUEUED
    server.refresh_from_db()
    assert server.sync_status == SyncStatus.DONE
    assert Title.objects.filter(name="Arrival").exists()


def test_sync_now_without_a_key_says_so(admin_client: Client) -> None:
    server, _token = _add(admin_client)
    response = admin_client.post(
        reverse("admin:recommendations_mediaserver_changelist"),
        {"action": "sync_now", "_selected_action": [server.pk]},
        follow=True,
    )
    assert "cannot be synced: enter one" in response.text
    server.refresh_from_db()
    assert server.sync_status == SyncStatus.NEVER
