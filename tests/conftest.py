from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db.models.signals import post_migrate
from django.test import Client, override_settings

from accounts.models import Profile, User
from recommendations import engine
from recommendations.home import catalogue
from recommendations.models import ModelVersion
from tests import processes
from tests.factories import ProfileFactory, UserFactory
from tests.helpers import watch_as
from tests.snapshot import Snapshot, ids_reserve, rolled_back, rows_added, rows_read, snapshot_take

# The demo most page tests look at: viewers drawn from hidden taste groups, so a model has
# real signal to find.
DEMO = {"titles": 150, "users": 40, "seed": 3}
# Rows Django makes again itself after a flush (post_migrate); putting back the old ones
# would clash with the new.
REMADE_AFTER_FLUSH = ("contenttypes.ContentType", "auth.Permission")


@pytest.hookimpl(trylast=True)  # after pytest-django's own ordering
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
    # pytest-django runs the database tests first, then the transactional ones (the
    # browser's), then those without a database (the ones that start processes). Those
    # last two kinds take 5-35 s a test, most database tests well under a second: under
    # pytest-xdist they came last, and one worker was left finishing them alone. Slow
    # kinds first, then, and the many short tests to even out the end. A flush no longer
    # takes the migrations' rows from the tests after it (django_db_setup puts them back).
    items.sort(key=_slow_kinds_first)


def _slow_kinds_first(item: pytest.Item) -> int:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    transaction = marker is not None and marker.kwargs.get(
        "transaction", bool(marker.args and marker.args[0])
    )
    if transaction or "transactional_db" in fixtures or "live_server" in fixtures:
        return 0
    if marker is None and "db" not in fixtures:
        return 1
    return 2


@pytest.fixture(scope="session")
def seeded_site_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, seeded SQLite site for the tests that start processes (tests.processes):
    one per run, shared by pytest-xdist's workers through their common temporary folder."""
    base = tmp_path_factory.getbasetemp()
    return processes.seeded_template(base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base)


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


@pytest.fixture(scope="session", autouse=True)
def _worker_cache() -> Iterator[None]:
    """Under pytest-xdist, each worker keeps its cache in a Redis database of its own.

    Tests clear the cache (a FLUSHDB): on a shared database one worker would empty another's
    in the middle of a test. Only where REDIS_CACHE_URL is set; local memory is per process.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    default = django_settings.CACHES["default"]
    if not worker.startswith("gw") or "redis" not in default["BACKEND"].lower():
        yield
        return
    url = urlsplit(default["LOCATION"])
    database = int(url.path.strip("/") or 0) + int(worker.removeprefix("gw"))
    location = urlunsplit(url._replace(path=f"/{database}"))
    with override_settings(
        CACHES={**django_settings.CACHES, "default": {**default, "LOCATION": location}}
    ):
        yield


@pytest.fixture(autouse=True)
def _isolated_engine(settings: Any, tmp_path: Path) -> Iterator[None]:
    """Each test starts with no serving model cached and its own media and private folders."""
    from django.core.cache import cache

    from recommendations import engine
    from recommendations.home import catalogue, insight

    for name, value in _storage_settings(tmp_path).items():
        setattr(settings, name, value)
    cache.clear()
    engine._loaded.clear()
    engine._active_memo.clear()
    catalogue.forget()
    insight.forget()
    yield
    engine._loaded.clear()
    engine._active_memo.clear()
    catalogue.forget()
    insight.forget()


def _storage_settings(root: Path) -> dict[str, Any]:
    """Media and private (model file) folders under `root`."""
    private = django_settings.STORAGES["private"]
    return {
        "MEDIA_ROOT": root / "media",
        "PRIVATE_ROOT": root / "private",
        "STORAGES": {
            **django_settings.STORAGES,
            "private": {**private, "OPTIONS": {**private["OPTIONS"], "location": root / "private"}},
        },
    }


@pytest.fixture(scope="session")
def django_db_createdb(request: pytest.FixtureRequest, django_db_modify_db_settings: None) -> bool:
    """Make the test database anew when the one kept (--reuse-db) lacks a migration.

    Its tables are UNLOGGED (below), and PostgreSQL refuses a new table that references
    one of them: migrating a kept database forward fails, so it is made from scratch.
    """
    return bool(request.config.getvalue("create_db")) or _kept_database_behind()


def _kept_database_behind() -> bool:
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    if connection.vendor != "postgresql":
        return False
    import psycopg

    params = connection.get_connection_params()
    params["dbname"] = connection.creation._get_test_db_name()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    try:
        with psycopg.connect(**params, connect_timeout=5) as kept:
            applied = set(kept.execute("SELECT app, name FROM django_migrations").fetchall())
    except psycopg.Error:
        return False  # no such database yet (or no table): it is made anyway
    on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return bool(on_disk - applied)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The rows the data migrations made (the beat schedules) are put back after a flush.

    Transactional tests (the browser's among them) end by emptying every table; with
    --reuse-db the next run would start without those rows, and so would any test that
    runs after a flush in this one.
    """
    with django_db_blocker.unblock():
        _unlogged()
        remade = {apps.get_model(label) for label in REMADE_AFTER_FLUSH}
        migrated = {m: rows for m, rows in rows_read().items() if m not in remade and rows}
        snapshot = snapshot_take(migrated, files={})
    last_app = [config for config in apps.get_app_configs() if config.models_module][-1]

    def put_back(**kwargs: Any) -> None:
        # Sent once per app after each flush (and after a test's own `migrate`, which
        # leaves the rows where they are): the last app is enough.
        if not any(model._base_manager.exists() for model in migrated):
            snapshot.restore(folders={})

    post_migrate.connect(put_back, sender=last_app, dispatch_uid="tests.migrated_rows")
    yield
    post_migrate.disconnect(sender=last_app, dispatch_uid="tests.migrated_rows")


# Every table of the test database UNLOGGED, in as many passes as the foreign keys need
# (a logged table may not reference an unlogged one). A test database need not survive a
# crash, and without the write-ahead log PostgreSQL spends about a third less on the rows
# a test writes and rolls back (the demo snapshot's 18,600, put back for each test that
# asks, took 0.22 s of the server's CPU, then 0.15 s).
UNLOGGED = """
DO $$
DECLARE table_name regclass; changed boolean := true;
BEGIN
  WHILE changed LOOP
    changed := false;
    FOR table_name IN
      SELECT c.oid::regclass FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND c.relpersistence = 'p' AND n.nspname = current_schema()
    LOOP
      BEGIN
        EXECUTE format('ALTER TABLE %s SET UNLOGGED', table_name);
        changed := true;
      EXCEPTION WHEN invalid_table_definition THEN
        NULL;  -- still referenced by a logged table: the next pass
      END;
    END LOOP;
  END LOOP;
END $$
"""


def _unlogged() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(UNLOGGED)


@dataclass(frozen=True)
class _Demo:
    seeded: Snapshot
    trained: Snapshot


@pytest.fixture(scope="session")
def _demo_snapshots(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> _Demo:
    """The demo seeded and trained once per session, in a transaction rolled back."""
    root = tmp_path_factory.mktemp("demo")
    made, seeded_files = root / "made", root / "seeded"
    with django_db_blocker.unblock(), override_settings(**_storage_settings(made)):
        with rolled_back():
            before = rows_read()
            call_command("seed_demo", **DEMO, verbosity=0)
            # The catalogue arrays a running site keeps (the worker builds them): a test's
            # first page loads them instead of building them.
            catalogue.catalogue_refresh()
            seeded = rows_added(before, rows_read())
            if made.exists():
                shutil.copytree(made, seeded_files)
            seeded_snapshot = snapshot_take(seeded, files=_folders(seeded_files))
            version = engine.model_train()
            assert version is not None
            assert version.status == ModelVersion.Status.ACTIVE, version.error
            trained = rows_added(before, rows_read())
            trained_snapshot = snapshot_take(trained, files=_folders(made))
        ids_reserve(trained)
    return _Demo(seeded=seeded_snapshot, trained=trained_snapshot)


def _folders(root: Path) -> dict[str, Path]:
    return {"MEDIA_ROOT": root / "media", "PRIVATE_ROOT": root / "private"}


def _restore(snapshot: Snapshot) -> None:
    snapshot.restore(
        folders={
            name: Path(getattr(django_settings, name)) for name in ("MEDIA_ROOT", "PRIVATE_ROOT")
        }
    )


@pytest.fixture
def demo(_demo_snapshots: _Demo) -> None:
    """The small demo catalogue (`DEMO`), seeded but with no model trained."""
    _restore(_demo_snapshots.seeded)


@pytest.fixture
def trained(_demo_snapshots: _Demo) -> ModelVersion:
    """The small demo catalogue with a trained, active model."""
    _restore(_demo_snapshots.trained)
    return ModelVersion.objects.get(status=ModelVersion.Status.ACTIVE)
