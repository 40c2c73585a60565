"""Video files of the household's library: named safely, served in byte ranges."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.models import Profile
from catalog.models import Title
from catalog.video import video_file
from tests.factories import ProfileFactory, TitleFactory
from tests.helpers import watch_as

pytestmark = pytest.mark.django_db

CLIP = Path(__file__).parent.parent / "fixtures" / "clip.webm"


@pytest.fixture
def folder(settings: object, tmp_path: Path) -> Path:
    root = tmp_path / "videos"
    (root / "films").mkdir(parents=True)
    shutil.copy(CLIP, root / "films" / "clip.webm")
    (tmp_path / "secret.mp4").write_bytes(b"outside the folder")
    settings.MARQUEE_VIDEO_ROOT = str(root)
    return root


@pytest.fixture
def viewer(client: Client) -> tuple[Client, Profile]:
    profile = ProfileFactory()
    client.force_login(profile.account)
    return watch_as(client, profile), profile


def test_a_name_must_stay_inside_the_video_folder(folder: Path) -> None:
    assert video_file("films/clip.webm") == folder / "films" / "clip.webm"
    for name in ("../secret.mp4", "/etc/passwd", "films/../../secret.mp4"):
        with pytest.raises(ValidationError, match="inside the video folder"):
            video_file(name)
    with pytest.raises(ValidationError, match="no file"):
        video_file("films/missing.mp4")


def test_a_container_browsers_cannot_play_is_refused(folder: Path) -> None:
    (folder / "films" / "film.mkv").write_bytes(b"x")
    with pytest.raises(ValidationError, match="convert"):
        video_file("films/film.mkv")


def test_without_a_folder_a_file_cannot_be_named(settings: object) -> None:
    settings.MARQUEE_VIDEO_ROOT = ""
    with pytest.raises(ValidationError, match="MARQUEE_VIDEO_ROOT"):
        TitleFactory(video_path="films/clip.webm").full_clean()


def test_the_file_whole_and_in_ranges(folder: Path, viewer: tuple[Client, Profile]) -> None:
    client, _profile = viewer
    title = TitleFactory(slug="clip", video_path="films/clip.webm")
    data = CLIP.read_bytes()
    whole = client.get("/watch/clip/video/")
    assert whole.status_code == 200
    assert whole["Accept-Ranges"] == "bytes"
    assert whole["Content-Type"] == "video/webm"
    assert b"".join(whole.streaming_content) == data
    part = client.get("/watch/clip/video/", HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert b"".join(part.streaming_content) == data[100:200]
    rest = client.get("/watch/clip/video/", HTTP_RANGE="bytes=1000-")
    assert b"".join(rest.streaming_content) == data[1000:]
    tail = client.get("/watch/clip/video/", HTTP_RANGE="bytes=-50")
    assert b"".join(tail.streaming_content) == data[-50:]
    beyond = client.get("/watch/clip/video/", HTTP_RANGE=f"bytes={len(data)}-")
    assert beyond.status_code == 416
    assert beyond["Content-Range"] == f"bytes */{len(data)}"
    assert title.pk


def test_no_file_a_moved_file_or_an_adult_title_is_a_404(
    folder: Path, viewer: tuple[Client, Profile]
) -> None:
    client, _profile = viewer
    TitleFactory(slug="nothing")
    assert client.get("/watch/nothing/video/").status_code == 404
    TitleFactory(slug="moved", video_path="films/clip.webm")
    (folder / "films" / "clip.webm").unlink()
    assert client.get("/watch/moved/video/").status_code == 404
    kid = ProfileFactory(is_kids=True, max_maturity_age=7)
    kid_client = Client()
    kid_client.force_login(kid.account)
    watch_as(kid_client, kid)
    TitleFactory(slug="adult", maturity_rating="R", video_path="films/clip.webm")
    assert kid_client.get("/watch/adult/video/").status_code == 404


def test_signed_out_there_is_no_video(folder: Path, client: Client) -> None:
    TitleFactory(slug="clip", video_path="films/clip.webm")
    response = client.get("/watch/clip/video/")
    assert response.status_code == 302
    assert "/account/" in response["Location"]


def test_the_player_plays_the_file_or_the_stream(
    folder: Path, viewer: tuple[Client, Profile]
) -> None:
    client, _profile = viewer
    TitleFactory(slug="clip", video_path="films/clip.webm")
    page = client.get("/watch/clip/")
    assert 'src="/watch/clip/video/"' in page.text
    TitleFactory(slug="streamed", video_url="http://192.168.1.20:8000/films/streamed.mp4")
    page = client.get("/watch/streamed/")
    assert 'src="http://192.168.1.20:8000/films/streamed.mp4"' in page.text
    # The stream is another origin: this page, and only it, may load media from there.
    assert "media-src http://192.168.1.20:8000" in page["Content-Security-Policy"]
    assert "media-src" not in client.get("/watch/clip/")["Content-Security-Policy"]
    plain = TitleFactory(slug="plain")
    assert "<video" not in client.get(f"/watch/{plain.slug}/").text
    assert Title.objects.count() == 3
