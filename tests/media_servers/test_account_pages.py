"""An account connects its own media server, maps its users to its profiles and syncs it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from accounts.models import Profile, User
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
def owner() -> User:
    return UserFactory(email="ana@example.com")


@pytest.fixture
def signed_in(client: Client, owner: User) -> Client:
    client.force_login(owner)
    return client


def _connect(client: Client, **fields: str) -> tuple[MediaServer, str]:
    data = {"name": "Den", "kind": "emby", "base_url": "192.168.1.10:8096", "api_key": "", **fields}
    response = client.post("/account/media-servers/", data, follow=True)
    assert response.redirect_chain, response.text
    return MediaServer.objects.get(name=data["name"]), ADDRESS.search(response.text)[1]


def test_connecting_shows_the_address_once(signed_in: Client, owner: User) -> None:
    server, token = _connect(signed_in, api_key="emby-key")
    assert server.account == owner
    assert server.base_url == "http://192.168.1.10:8096"
    assert unseal(server.api_key_sealed) == "emby-key"
    assert services.server_by_token(token) == server
    page = signed_in.get(f"/account/media-servers/{server.pk}/")
    assert token not in page.text
    assert "emby-key" not in page.text
    assert f"…{token[-4:]}/" in page.text


def test_a_bad_address_is_a_form_error(signed_in: Client) -> None:
    response = signed_in.post(
        "/account/media-servers/", {"name": "Den", "kind": "emby", "base_url": "not a url"}
    )
    assert response.status_code == 200
    assert "Enter a valid URL" in response.text
    assert not MediaServer.objects.exists()


def test_users_map_to_the_accounts_profiles_and_kept_plays_count(
    signed_in: Client, owner: User
) -> None:
    server, token = _connect(signed_in)
    TitleFactory(name="Arrival", year=2016, imdb_id="tt2543164", runtime_minutes=116)
    body = (FIXTURES / "emby_playback_start_movie.json").read_text()
    Client().post(f"/hooks/media/{token}/", body, content_type="application/json")
    assert UnmatchedPlay.objects.filter(reason="user").count() == 1
    user = MediaServerUser.objects.get(server=server)
    mine = ProfileFactory(account=owner, name="Ana")
    theirs = ProfileFactory(name="Someone else")
    page = signed_in.get(f"/account/media-servers/{server.pk}/")
    assert ">Ana</option>" in page.text
    assert "Someone else" not in page.text
    refused = signed_in.post(
        f"/account/media-servers/{server.pk}/", {"map": "1", f"user-{user.pk}": theirs.pk}
    )
    assert refused.status_code == 200  # not a choice: a form error, nothing saved
    user.refresh_from_db()
    assert user.profile is None
    response = signed_in.post(
        f"/account/media-servers/{server.pk}/",
        {"map": "1", f"user-{user.pk}": mine.pk},
        follow=True,
    )
    assert "1 plays kept aside now count" in response.text
    assert WatchEvent.objects.get().profile == mine


def test_another_accounts_server_is_a_404(signed_in: Client) -> None:
    other = MediaServer.objects.create(
        name="Theirs",
        kind="plex",
        base_url="http://10.0.0.9:32400",
        account=UserFactory(),
        webhook_token_digest="x",
    )
    site = MediaServer.objects.create(
        name="Site", kind="plex", base_url="http://10.0.0.8:32400", webhook_token_digest="y"
    )
    for server in (other, site):
        assert signed_in.get(f"/account/media-servers/{server.pk}/").status_code == 404
        for action in ("sync", "rotate", "delete"):
            url = f"/account/media-servers/{server.pk}/{action}/"
            assert signed_in.post(url).status_code == 404
    assert MediaServer.objects.count() == 2
    assert "Theirs" not in signed_in.get("/account/media-servers/").text


def test_sync_now_and_rotate(signed_in: Client, django_capture_on_commit_callbacks: Any) -> None:
    with RecordedServer("jellyfin") as recorded:
        server, old = _connect(signed_in, kind="jellyfin", base_url=recorded.url, api_key=KEY)
        with django_capture_on_commit_callbacks(execute=True):
            signed_in.post(f"/account/media-servers/{server.pk}/sync/")
    server.refresh_from_db()
    assert server.sync_status == SyncStatus.DONE
    assert Title.objects.filter(name="Arrival").exists()
    response = signed_in.post(f"/account/media-servers/{server.pk}/rotate/", follow=True)
    new = ADDRESS.search(response.text)[1]
    assert services.server_by_token(old) is None
    assert services.server_by_token(new) == server


def test_sync_without_a_key_says_so(signed_in: Client) -> None:
    server, _token = _connect(signed_in)
    response = signed_in.post(f"/account/media-servers/{server.pk}/sync/", follow=True)
    assert "API key first" in response.text
    server.refresh_from_db()
    assert server.sync_status == SyncStatus.NEVER


def test_disconnecting_keeps_what_was_watched(signed_in: Client, owner: User) -> None:
    server, token = _connect(signed_in)
    profile: Profile = ProfileFactory(account=owner)
    MediaServerUser.objects.create(
        server=server, external_id="0c7b3e8f1a2d4b5c9e6f7a8b9c0d1e2f", profile=profile
    )
    TitleFactory(name="Arrival", year=2016, imdb_id="tt2543164", runtime_minutes=116)
    body = (FIXTURES / "emby_playback_start_movie.json").read_text()
    Client().post(f"/hooks/media/{token}/", body, content_type="application/json")
    signed_in.post(f"/account/media-servers/{server.pk}/delete/")
    assert not MediaServer.objects.exists()
    assert WatchEvent.objects.filter(profile=profile).count() == 1
    assert (
        Client().post(f"/hooks/media/{token}/", body, content_type="application/json").status_code
        == 404
    )


def test_signed_out_the_pages_ask_to_sign_in(client: Client) -> None:
    response = client.get("/account/media-servers/")
    assert response.status_code == 302
    assert "/account/login/" in response["Location"]


def test_the_list_takes_a_fixed_number_of_queries(
    signed_in: Client, owner: User, django_assert_max_num_queries: Any
) -> None:
    for number in range(6):
        MediaServer.objects.create(
            name=f"Server {number}",
            kind="plex",
            base_url="http://10.0.0.2:32400",
            account=owner,
            webhook_token_digest=f"d{number}",
        )
    with django_assert_max_num_queries(6):
        assert signed_in.get("/account/media-servers/").status_code == 200
