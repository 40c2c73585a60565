"""The catalogue's arrays: built by a task into a private file that web processes map."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from django.core.cache import cache
from django.core.files.storage import storages

from recommendations.core.page import catalogue as core_catalogue
from recommendations.home import catalogue as home_catalogue
from recommendations.models import CatalogueArrays
from tests.factories import TitleFactory

pytestmark = pytest.mark.django_db


def _title_added() -> None:
    TitleFactory()
    cache.delete(home_catalogue.CATALOGUE_STAMP_KEY)  # as if the minute between checks had passed


def test_the_first_page_builds_the_arrays_and_writes_them_privately(settings: Any) -> None:
    TitleFactory.create_batch(3)
    cat = home_catalogue.catalogue()
    assert cat.size == 3
    arrays = CatalogueArrays.objects.get()
    assert arrays.titles == 3
    assert arrays.artifact.startswith("catalogue/")
    assert arrays.artifact.endswith(".npz")
    path = storages["private"].path(arrays.artifact)
    assert path.startswith(str(settings.PRIVATE_ROOT))
    assert not path.startswith(str(settings.MEDIA_ROOT))
    # Mapped from that file, not read into this process's memory.
    assert isinstance(cat.ids, np.memmap)
    assert cat.ids.filename == path


def test_a_change_is_rebuilt_by_the_task_and_served_once_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    TitleFactory.create_batch(3)
    first = home_catalogue.catalogue()
    asked: list[str] = []
    monkeypatch.setattr(home_catalogue, "task_enqueue_named", lambda name: asked.append(name))
    _title_added()
    # The task is queued once, and pages keep the arrays they have until it has run.
    assert home_catalogue.catalogue() is first
    assert home_catalogue.catalogue() is first
    assert asked == [home_catalogue.REBUILD_TASK]
    from recommendations import tasks

    tasks.refresh_catalogue_arrays()
    home_catalogue._newest_memo.clear()  # another process: after its memo's seconds
    assert home_catalogue.catalogue().size == 4


def test_with_tasks_run_in_process_the_new_arrays_serve_at_once() -> None:
    TitleFactory.create_batch(3)
    home_catalogue.catalogue()
    _title_added()  # CELERY_TASK_ALWAYS_EAGER in the test settings
    assert home_catalogue.catalogue().size == 4
    # Old files are deleted beyond the newest few.
    for _ in range(home_catalogue.KEEP_FILES + 2):
        home_catalogue.catalogue_refresh()
    assert CatalogueArrays.objects.count() == home_catalogue.KEEP_FILES + 1
    storage = storages["private"]
    _dirs, files = storage.listdir("catalogue")
    assert len(files) == home_catalogue.KEEP_FILES + 1


def test_a_damaged_file_is_rebuilt_and_pages_keep_working(
    caplog: pytest.LogCaptureFixture,
) -> None:
    TitleFactory.create_batch(3)
    arrays = home_catalogue.catalogue_refresh()
    with open(storages["private"].path(arrays.artifact), "r+b") as handle:
        handle.seek(200)
        handle.write(b"\0garbage\0")
    home_catalogue.forget()
    assert home_catalogue.catalogue().size == 3
    assert "unreadable" in caplog.text
    # The worker wrote a sound file (in process here), which the next process maps.
    home_catalogue.forget()
    newest = CatalogueArrays.objects.first()
    assert newest.pk != arrays.pk
    assert isinstance(home_catalogue.catalogue().ids, np.memmap)


def test_a_file_never_holds_pickles(tmp_path: Any) -> None:
    path = tmp_path / "objects.npz"
    np.savez(path, ids=np.array([object()], dtype=object), stamp=np.asarray("x"))
    with pytest.raises(core_catalogue.CatalogueFileError):
        core_catalogue.load(str(path))
    with pytest.raises(core_catalogue.CatalogueFileError):
        core_catalogue.load(data=path.read_bytes())


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_stamp_is_asked_of_the_shared_cache_once_per_memo_window(
    monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
) -> None:
    clock = _Clock()
    monkeypatch.setattr(home_catalogue._stamp_memo, "clock", clock)
    TitleFactory()
    first = home_catalogue.catalogue_stamp()
    # Another process's change, already in the shared cache: this process keeps its
    # memo for CATALOGUE_STAMP_MEMO_SECONDS, without a query or a cache read.
    cache.set(home_catalogue.CATALOGUE_STAMP_KEY, "another process's stamp")
    clock.now += home_catalogue.MEMO_SECONDS - 0.1
    with django_assert_num_queries(0):
        assert home_catalogue.catalogue_stamp() == first
    clock.now += 0.1
    assert home_catalogue.catalogue_stamp() == "another process's stamp"


def test_a_title_saved_or_deleted_in_this_process_moves_the_stamp_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(home_catalogue._stamp_memo, "clock", _Clock())  # no time passes
    title, other = TitleFactory.create_batch(2)
    first = home_catalogue.catalogue_stamp()
    title.name = "Renamed"
    title.save()
    renamed = home_catalogue.catalogue_stamp()
    assert renamed != first
    other.delete()
    assert home_catalogue.catalogue_stamp() != renamed
    assert home_catalogue.catalogue().size == 1


def test_a_file_from_before_only_what_we_own_reads_as_every_title(tmp_path: Any) -> None:
    TitleFactory.create_batch(3)
    cat = home_catalogue.catalogue_build("old")
    path = tmp_path / "old.npz"
    with path.open("wb") as out:
        core_catalogue.save(cat, out)
    with np.load(path) as npz:
        arrays = {name: npz[name] for name in npz.files if name != "available"}
    np.savez(path, **arrays)
    loaded = core_catalogue.load(str(path))
    assert loaded.available.tolist() == [True, True, True]
