from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from accounts.models import Profile, User
from tests.factories import ProfileFactory, UserFactory
from tests.helpers import watch_as


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # pytest-playwright parametrizes every test whose arguments reach its `page` fixture
    # by browser, and pytest then groups those tests with the browser tests: a plain test
    # with a parameter called `page` pulled the (flushing, transactional) browser tests in
    # among the database tests, which then lost the rows the migrations seed.
    strays = [
        item.nodeid
        for item in items
        if "browser_name" in getattr(getattr(item, "callspec", None), "params", {})
        and item.get_closest_marker("browser") is None
    ]
    if strays:
        raise pytest.UsageError(
            "Tests reach Playwright's `page` fixture without the browser marker "
            f"(rename the parameter?): {', '.join(strays[:5])}"
        )


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
