"""Drills: model files stay private, and a damaged one never takes a page down."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from catalog.models import Title
from recommendations import engine
from recommendations.models import ModelVersion
from tests.factories import UserFactory
from tests.helpers import watch_as

pytestmark = pytest.mark.django_db


def _viewer(client: Client) -> Profile:
    profile = Profile.objects.get(account__email="demo@marquee.local", name="Ana")
    client.force_login(profile.account)
    watch_as(client, profile)
    return profile


def _truncate(data: bytes) -> bytes:
    return data[: len(data) // 3]


def _garbage(data: bytes) -> bytes:
    return b"PK\x03\x04" + bytes(range(256)) * 8


def _flip_a_byte(data: bytes) -> bytes:
    # Still a readable zip for the bytes numpy looks at first: only the checksum notices.
    at = len(data) - 200
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


DAMAGE: dict[str, Callable[[bytes], bytes] | None] = {
    "truncated": _truncate,
    "garbage": _garbage,
    "one-byte-changed": _flip_a_byte,
    "missing": None,
}


def _damage(version: ModelVersion, how: str) -> None:
    private = storages["private"]
    with private.open(version.artifact, "rb") as handle:
        data = handle.read()
    private.delete(version.artifact)
    change = DAMAGE[how]
    if change is not None:
        private.save(version.artifact, ContentFile(change(data)))
    engine._loaded.clear()  # as in a process that starts after the damage


def _pages(trained: ModelVersion) -> list[str]:
    title = Title.objects.filter(is_published=True).order_by("pk").first()
    return [
        "/",
        title.get_absolute_url(),
        "/rows/trending/",
        reverse("recommendations:top_picks"),
        "/api/v1/me/rows/",
        "/api/v1/me/rows/trending/",
    ]


class TestPrivacy:
    def test_model_files_are_not_under_a_served_path(self, trained: ModelVersion) -> None:
        path = Path(storages["private"].path(trained.artifact)).resolve()
        media = Path(settings.MEDIA_ROOT).resolve()
        static = Path(settings.STATIC_ROOT).resolve()
        assert media not in path.parents
        assert static not in path.parents
        # Nothing in the name to guess from a version id.
        stem = Path(trained.artifact).stem
        assert stem != f"model-{trained.pk}"
        assert len(stem) == 32
        assert int(stem, 16) >= 0

    def test_no_url_serves_a_model_file(self, trained: ModelVersion) -> None:
        # A path that climbs out of posters/ is refused as suspicious (400), not raised.
        client = Client(raise_request_exception=False)
        name = Path(trained.artifact).name
        staff = UserFactory(email="curator@example.com", is_staff=True, is_superuser=True)
        for who in (None, staff):
            if who is not None:
                client.force_login(who)
            for url in (
                f"/media/{trained.artifact}",
                f"/media/models/{name}",
                f"/media/models/model-{trained.pk}.npz",
                f"/media/posters/../models/{name}",
                f"/static/{trained.artifact}",
            ):
                assert client.get(url).status_code in (400, 404), url

    def test_a_file_left_in_media_by_an_older_release_is_not_served(
        self, client: Client, trained: ModelVersion
    ) -> None:
        storages["default"].save("models/model-1.npz", ContentFile(b"history"))
        assert client.get("/media/models/model-1.npz").status_code == 404


@pytest.mark.parametrize("how", list(DAMAGE))
class TestDamagedActiveFile:
    def test_pages_answer_with_popularity_and_one_warning(
        self, client: Client, trained: ModelVersion, how: str, caplog: Any
    ) -> None:
        _damage(trained, how)
        caplog.set_level(logging.WARNING, logger="recommendations.engine")
        anonymous = Client()
        title = Title.objects.filter(is_published=True).order_by("pk").first()
        assert anonymous.get(title.get_absolute_url()).status_code == 200
        _viewer(client)
        for url in _pages(trained):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        assert client.get("/rows/trending/", HTTP_HX_REQUEST="true").status_code == 200
        assert engine.serving_model() is None
        warnings = [r for r in caplog.records if "cannot be read" in r.getMessage()]
        assert len(warnings) == 1

    def test_an_earlier_sound_version_serves_instead(
        self, client: Client, trained: ModelVersion, how: str
    ) -> None:
        # An earlier version with a sound file (a copy of this one's, with its checksum).
        private = storages["private"]
        with private.open(trained.artifact, "rb") as handle:
            earlier_name = private.save("models/earlier.npz", ContentFile(handle.read()))
        earlier = ModelVersion.objects.create(
            status=ModelVersion.Status.RETIRED,
            metrics=trained.metrics,
            artifact=earlier_name,
            artifact_sha256=trained.artifact_sha256,
            activated_at=timezone.now() - timezone.timedelta(days=1),
        )
        _damage(trained, how)
        serving = engine.serving_model()
        assert serving is not None
        assert serving.version.pk == earlier.pk
        _viewer(client)
        for url in _pages(trained):
            assert client.get(url).status_code == 200, url
        assert "serves instead" in engine.serving_problem()

    def test_the_admin_opens_and_says_what_is_wrong(
        self, client: Client, trained: ModelVersion, how: str
    ) -> None:
        _damage(trained, how)
        client.force_login(
            UserFactory(email="curator@example.com", is_staff=True, is_superuser=True)
        )
        listing = client.get(reverse("admin:recommendations_modelversion_changelist"))
        assert listing.status_code == 200
        assert "cannot be read" in listing.text
        change = client.get(reverse("admin:recommendations_modelversion_change", args=[trained.pk]))
        assert change.status_code == 200
        assert client.get(reverse("admin:index")).status_code == 200


def test_the_upgrade_moves_served_model_files_out_of_media(trained: ModelVersion) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "recommendations.migrations.0008_model_artifacts_private_and_lease"
    )
    # As an older release left it: the file in MEDIA_ROOT/models/, named by version id.
    private, media = storages["private"], storages["default"]
    with private.open(trained.artifact, "rb") as handle:
        data = handle.read()
    private.delete(trained.artifact)
    old_name = media.save(f"models/model-{trained.pk}.npz", ContentFile(data))
    ModelVersion.objects.filter(pk=trained.pk).update(artifact=old_name, artifact_sha256="")

    migration.move_artifacts_out_of_media(apps, None)

    trained.refresh_from_db()
    assert not media.exists(old_name)
    assert private.exists(trained.artifact)
    assert trained.artifact != old_name
    assert len(trained.artifact_sha256) == 64
    engine._loaded.clear()
    assert engine.serving_model().version.pk == trained.pk
