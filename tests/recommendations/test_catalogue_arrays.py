"""A web process's catalogue arrays: rebuilt in a thread while requests keep the old ones."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.cache import cache

from recommendations import rows
from tests.factories import TitleFactory

# The rebuild thread has its own database connection: it must see committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


def _join_rebuild() -> None:
    for thread in threading.enumerate():
        if thread.name == "catalogue-rebuild":
            thread.join(timeout=60)


@pytest.fixture
def background(settings: Any) -> None:
    settings.MARQUEE_CATALOGUE_BACKGROUND = True


def _title_added() -> None:
    TitleFactory()
    cache.delete(rows.CATALOGUE_STAMP_KEY)  # as if the minute between checks had passed


def test_the_first_build_is_waited_for(background: None) -> None:
    TitleFactory.create_batch(3)
    assert rows.catalogue().size == 3


def test_a_stale_catalogue_is_served_while_a_thread_rebuilds_it(background: None) -> None:
    TitleFactory.create_batch(3)
    first = rows.catalogue()
    _title_added()
    assert rows.catalogue() is first  # no request waits for the rebuild
    _join_rebuild()
    assert rows.catalogue().size == 4
    assert not rows._catalogue_lock.locked()


def test_a_failed_rebuild_keeps_the_old_arrays_and_is_tried_again(
    background: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    TitleFactory.create_batch(3)
    first = rows.catalogue()
    build = rows._catalogue_build

    def broken(stamp: str) -> rows.Catalogue:
        raise RuntimeError("database went away")

    monkeypatch.setattr(rows, "_catalogue_build", broken)
    _title_added()
    assert rows.catalogue() is first
    _join_rebuild()
    assert rows.catalogue() is first  # and a new attempt has started
    _join_rebuild()
    assert "Rebuilding the catalogue arrays failed" in caplog.text
    monkeypatch.setattr(rows, "_catalogue_build", build)
    rows.catalogue()
    _join_rebuild()
    assert rows.catalogue().size == 4


def test_without_the_setting_the_request_rebuilds(settings: Any) -> None:
    settings.MARQUEE_CATALOGUE_BACKGROUND = False
    TitleFactory.create_batch(3)
    rows.catalogue()
    _title_added()
    assert rows.catalogue().size == 4


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_stamp_is_asked_of_the_shared_cache_once_per_memo_window(
    monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
) -> None:
    clock = _Clock()
    monkeypatch.setattr(rows._stamp_memo, "clock", clock)
    TitleFactory()
    first = rows._catalogue_stamp()
    # Another process's change, already in the shared cache: this process keeps its
    # memo for CATALOGUE_STAMP_MEMO_SECONDS, without a query or a cache read.
    cache.set(rows.CATALOGUE_STAMP_KEY, "another process's stamp")
    clock.now += rows.CATALOGUE_STAMP_MEMO_SECONDS - 0.1
    with django_assert_num_queries(0):
        assert rows._catalogue_stamp() == first
    clock.now += 0.1
    assert rows._catalogue_stamp() == "another process's stamp"


def test_a_title_saved_or_deleted_in_this_process_moves_the_stamp_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(rows._stamp_memo, "clock", _Clock())  # no time passes
    title, other = TitleFactory.create_batch(2)
    first = rows._catalogue_stamp()
    title.name = "Renamed"
    title.save()
    renamed = rows._catalogue_stamp()
    assert renamed != first
    other.delete()
    assert rows._catalogue_stamp() != renamed
    assert rows.catalogue().size == 1
