from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from accounts.models import Profile, User
from tests.factories import ProfileFactory, UserFactory
from tests.helpers import watch_as


@pytest.fixture
def alice(db: None) -> User:
    return UserFactory(email="alice@example.com", name="Alice")


@pytest.fixture
def alice_profile(alice: User) -> Profile:
    return ProfileFactory(account=alice, name="Alice")


@pytest.fixture
def bob(db: None) -> User:
    return UserFactory(email="bob@example.com", name="Bob")


@pytest.fixture
def alice_client(client: Client, alice: User, alice_profile: Profile) -> Client:
    """Alice, signed in, watching as her own profile."""
    client.force_login(alice)
    watch_as(client, alice_profile)
    return client


@pytest.fixture(autouse=True)
def _isolated_engine(settings: Any, tmp_path: Path) -> Iterator[None]:
    """Each test starts with no serving model cached and its own media and private folders."""
    from django.core.cache import cache

    from recommendations import engine, rows

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_ROOT = tmp_path / "private"
    private = settings.STORAGES["private"]
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {**private, "OPTIONS": {**private["OPTIONS"], "location": tmp_path / "private"}},
    }
    cache.clear()
    engine._loaded.clear()
    engine._active_memo.clear()
    rows._catalogue.clear()
    rows._stamp_memo.clear()
    yield
    engine._loaded.clear()
    engine._active_memo.clear()
    rows._catalogue.clear()
    rows._stamp_memo.clear()
