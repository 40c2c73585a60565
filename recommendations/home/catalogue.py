"""The catalogue's arrays: built by a task into a private `.npz`, mapped by web processes.

A build reads every published title with its genres, tags, people and popularity (seconds
on 50k titles), so it runs in the worker (`refresh_catalogue_arrays`): after a curator's
change, which moves the catalogue's stamp, and every quarter of an hour on the beat, for
popularity's drift. Each web process maps the newest file read-only, so the pages of all
its workers share one copy, and keeps serving the arrays it has until a newer file is
there. Only an instance's very first page builds them itself. Cards are filtered again
when shown, so a title a curator just hid never appears meanwhile.
"""

from __future__ import annotations

import io
import logging
import secrets
import threading
import time
from datetime import timedelta

import numpy as np
import scipy.sparse as sp
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.db.models import Avg, Count, Exists, Max, OuterRef, Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from catalog.maturity import age_for
from catalog.models import Credit, Episode, Genre, Tag, Title
from config.enqueue import task_enqueue_named
from recommendations.core import artifact as core_artifact
from recommendations.core import signals as core_signals
from recommendations.core.page import catalogue as core_catalogue
from recommendations.core.page.catalogue import Catalogue
from recommendations.core.similar import content_matrix
from recommendations.memo import ProcessMemo
from recommendations.models import (
    Availability,
    CatalogueArrays,
    LibraryOptions,
    Rating,
    TrendingTitle,
    WatchProgress,
)

logger = logging.getLogger(__name__)

CATALOGUE_CHECK_SECONDS = 60
# Popularity drifts: arrays older than this are rebuilt even when no title changed.
CATALOGUE_MAX_AGE = timedelta(minutes=15)
# Files kept besides the newest: a process still mapping one keeps it (POSIX), a new one
# loads the newest.
KEEP_FILES = 2
TRENDING_SECONDS = 5 * 60
REBUILD_TASK = "recommendations.tasks.refresh_catalogue_arrays"
CATALOGUE_STAMP_KEY = "marquee:catalogue-stamp"
# Asked once per rebuild, whichever process notices first.
REBUILD_ASKED_KEY = "marquee:catalogue-rebuild-asked"

# In front of the shared cache, like the active version's (recommendations.memo).
MEMO_SECONDS = 5
_stamp_memo: ProcessMemo[str] = ProcessMemo(MEMO_SECONDS)
_newest_memo: ProcessMemo[CatalogueArrays | None] = ProcessMemo(MEMO_SECONDS)
_loaded: dict[str, object] = {}
_lock = threading.Lock()


def catalogue() -> Catalogue:
    """The newest catalogue arrays, mapped once per process and per new file."""
    newest = _newest_memo.get(_newest_read)
    if newest is None:
        with _lock:
            newest = _newest_read()
            if newest is None:
                newest = catalogue_refresh()
    elif newest.stamp != catalogue_stamp() or timezone.now() - newest.built_at > CATALOGUE_MAX_AGE:
        _rebuild_ask()
        # Run by now where tasks run in the process (tests): the new file serves at once.
        newest = _newest_memo.get(_newest_read) or newest
    current = _loaded.get("cat")
    if _loaded.get("id") != newest.pk or current is None:
        with _lock:
            if _loaded.get("id") != newest.pk:
                try:
                    _loaded.update(id=newest.pk, cat=_load(newest))
                except (OSError, core_catalogue.CatalogueFileError) as exc:
                    # The file went missing or is damaged: this process builds its own
                    # arrays and the worker writes a sound file.
                    logger.warning("Catalogue arrays %s unreadable (%s): rebuilding", newest, exc)
                    _loaded.update(id=newest.pk, cat=catalogue_build(catalogue_stamp()))
                    _rebuild_ask()
            current = _loaded["cat"]
    return current  # type: ignore[return-value]


def catalogue_refresh() -> CatalogueArrays:
    """Build the arrays, write them to the private storage and make them the newest."""
    started = time.perf_counter()
    stamp = _stamp_read()
    cat = catalogue_build(stamp)
    buffer = io.BytesIO()
    core_catalogue.save(cat, buffer)
    data = buffer.getvalue()
    name = _storage().save(f"catalogue/{secrets.token_hex(16)}.npz", ContentFile(data))
    arrays = CatalogueArrays.objects.create(
        stamp=stamp,
        artifact=name,
        artifact_sha256=core_artifact.digest(data),
        titles=cat.size,
        seconds=round(time.perf_counter() - started, 3),
    )
    for old in CatalogueArrays.objects.exclude(pk=arrays.pk)[KEEP_FILES:]:
        _storage().delete(old.artifact)
        old.delete()
    cache.delete(REBUILD_ASKED_KEY)
    _newest_memo.set(arrays)
    return arrays


def _newest_read() -> CatalogueArrays | None:
    return CatalogueArrays.objects.order_by("-built_at", "-pk").first()


def _storage() -> Storage:
    return storages["private"]


def _load(arrays: CatalogueArrays) -> Catalogue:
    storage = _storage()
    with storage.open(arrays.artifact, "rb") as handle:
        data = handle.read()
    if core_artifact.digest(data) != arrays.artifact_sha256:
        raise core_catalogue.CatalogueFileError("its checksum does not match")
    try:
        path = storage.path(arrays.artifact)
    except NotImplementedError:
        return core_catalogue.load(data=data)  # not a local file: read into memory
    return core_catalogue.load(path)


def _rebuild_ask() -> None:
    if cache.add(REBUILD_ASKED_KEY, 1, CATALOGUE_CHECK_SECONDS):
        task_enqueue_named(REBUILD_TASK)


def catalogue_stamp() -> str:
    return _stamp_memo.get(_stamp_read)


@receiver([post_save, post_delete], sender=Title)
@receiver([post_save, post_delete], sender=LibraryOptions)
def _catalogue_changed(**_kwargs: object) -> None:
    catalogue_changed()


def catalogue_changed() -> None:
    """A title, the library options or what the media servers hold changed: this process
    checks the database again at once, and so does every other within the memo's
    seconds. Again on commit, so that no process keeps the stamp it read before the
    change was committed."""
    _stamp_forget()
    transaction.on_commit(_stamp_forget)


def _stamp_forget() -> None:
    cache.delete(CATALOGUE_STAMP_KEY)
    _stamp_memo.clear()


def _stamp_read() -> str:
    stamp = cache.get(CATALOGUE_STAMP_KEY)
    if stamp is None:
        found = Title.objects.filter(is_published=True).aggregate(
            n=Count("pk"), last=Max("updated_at")
        )
        last = found["last"].timestamp() if found["last"] else 0
        stamp = f"{found['n']}-{last:.6f}"
        if _only_available():
            # What the servers hold is part of the catalogue the rows draw from.
            held = Availability.objects.aggregate(n=Count("pk"), last=Max("seen_at"))
            seen = held["last"].timestamp() if held["last"] else 0
            stamp += f"-own{held['n']}-{seen:.0f}"
        cache.set(CATALOGUE_STAMP_KEY, stamp, CATALOGUE_CHECK_SECONDS)
    return stamp


def _only_available() -> bool:
    return LibraryOptions.objects.filter(pk=1, only_available=True).exists()


def _available(ids: np.ndarray) -> np.ndarray | None:
    """With "Only what we own", the titles a synced server has; None: every title (also
    when no server has synced any, so that a new site's rows are not empty)."""
    if not _only_available():
        return None
    held = list(Availability.objects.values_list("title_id", flat=True).distinct())
    if not held:
        return None
    available = np.zeros(ids.size, dtype=bool)
    at = core_signals.index_of(ids, np.asarray(held, dtype=np.int64))
    available[at[at >= 0]] = True
    return available


def forget() -> None:
    """Drop what this process remembers (tests, and a process that must look again)."""
    _loaded.clear()
    _stamp_memo.clear()
    _newest_memo.clear()


def _binary(
    pairs: list[tuple[int, int]], rows: np.ndarray, columns: dict[int, int]
) -> sp.csr_matrix:
    if not pairs:
        return sp.csr_matrix((rows.size, len(columns)), dtype=np.float32)
    titles, features = np.asarray(pairs, dtype=np.int64).T
    at = core_signals.index_of(rows, titles)
    cols = np.array([columns.get(int(f), -1) for f in features], dtype=np.int64)
    keep = (at >= 0) & (cols >= 0)
    return sp.csr_matrix(
        (np.ones(int(keep.sum()), dtype=np.float32), (at[keep], cols[keep])),
        shape=(rows.size, len(columns)),
    )


def _positions(ids: np.ndarray, pairs: list[tuple[int, int]]) -> np.ndarray:
    """The catalogue index of each pair's title, -1 for a title not in the catalogue."""
    if not pairs:
        return np.empty(0, dtype=np.int64)
    return core_signals.index_of(ids, np.array([title for title, _ in pairs], dtype=np.int64))


def catalogue_build(stamp: str) -> Catalogue:
    """The published catalogue's arrays, from the database (seconds on 50k titles)."""
    titles = list(
        Title.objects.filter(is_published=True)
        .order_by("pk")
        .values_list("pk", "kind", "runtime_minutes", "maturity_rating", "added_at", "year")
    )
    ids = np.array([t[0] for t in titles], dtype=np.int64)
    n = ids.size
    is_series = np.array([t[1] == Title.Kind.SERIES for t in titles], dtype=bool)
    minutes = np.array(
        [t[2] if t[2] is not None else np.nan for t in titles], dtype=np.float64
    ).reshape(n)
    min_age = np.array([age_for(t[3]) for t in titles], dtype=np.int16).reshape(n)
    added_at = np.array([t[4].timestamp() for t in titles], dtype=np.float64).reshape(n)
    year = np.array([t[5] or 0 for t in titles], dtype=np.int64).reshape(n)
    episodes = np.zeros(n, dtype=np.int64)
    per_series = (
        Episode.objects.filter(season__title__is_published=True)
        .values("season__title_id")
        .annotate(n=Count("pk"), minutes=Avg("runtime_minutes"))
        .values_list("season__title_id", "n", "minutes")
    )
    per_series = [(title, count, mean) for title, count, mean in per_series if mean]
    if per_series:
        series_at = _positions(ids, [(title, 0) for title, _count, _mean in per_series])
        known = series_at >= 0
        episodes[series_at[known]] = np.array([c for _t, c, _m in per_series])[known]
        minutes[series_at[known]] = np.array([float(m) for _t, _c, m in per_series])[known]

    genre_meta = list(Genre.objects.order_by("pk").values_list("pk", "slug", "name"))
    tag_meta = list(Tag.objects.order_by("pk").values_list("pk", "slug", "name"))
    genre_cols = {pk: i for i, (pk, _s, _n) in enumerate(genre_meta)}
    tag_cols = {pk: i for i, (pk, _s, _n) in enumerate(tag_meta)}
    genre_pairs = list(Title.genres.through.objects.values_list("title_id", "genre_id"))
    tag_pairs = list(Title.tags.through.objects.values_list("title_id", "tag_id"))
    genres = _binary(genre_pairs, ids, genre_cols)
    tags = _binary(tag_pairs, ids, tag_cols)

    # Content tokens: genres, tags, directors and the three top-billed actors.
    tokens: list[list[str]] = [[] for _ in range(n)]
    people = list(
        Credit.objects.filter(Q(role__in=["director", "creator"]) | Q(billing_order__lt=3))
        .order_by()  # Credit's ordering would join and sort by the titles' names
        .values_list("title_id", "person_id")
        .iterator(chunk_size=20_000)
    )
    for prefix, pairs in (("g", genre_pairs), ("t", tag_pairs), ("p", people)):
        for at, (_title, feature) in zip(_positions(ids, pairs), pairs, strict=True):
            if at >= 0:
                tokens[at].append(f"{prefix}{feature}")
    content = content_matrix(tokens) if n else sp.csr_matrix((0, 0), dtype=np.float32)

    # Viewers per title: profiles that rated it, plus those that watched it without
    # rating it (each profile once; private viewing does not count, as for trending).
    popularity = np.zeros(n, dtype=np.float64)
    rated = Rating.objects.filter(profile=OuterRef("profile"), title=OuterRef("title"))
    for rows in (
        Rating.objects.all(),
        WatchProgress.objects.filter(episode__isnull=True, is_private=False).exclude(Exists(rated)),
    ):
        counts = list(
            rows.order_by().values("title_id").annotate(n=Count("pk")).values_list("title_id", "n")
        )
        at = _positions(ids, counts)
        known = at >= 0
        np.add.at(popularity, at[known], np.array([c for _t, c in counts])[known])
    return Catalogue(
        stamp=stamp,
        ids=ids,
        min_age=min_age,
        is_series=is_series,
        minutes=minutes,
        episodes=episodes,
        added_at=added_at,
        year=year,
        popularity=popularity,
        genres=genres,
        genre_meta=[(slug, name) for _pk, slug, name in genre_meta],
        tags=tags,
        tag_meta=[(slug, name) for _pk, slug, name in tag_meta],
        content=content,
        available=_available(ids),
    )


def trending() -> list[tuple[int, float, int]]:
    """(title id, score, viewers today) of the instance's trending titles, best first."""
    key = "marquee:trending-rows"
    rows = cache.get(key)
    if rows is None:
        rows = list(
            TrendingTitle.objects.order_by("-score", "title_id").values_list(
                "title_id", "score", "viewers_today"
            )[:500]
        )
        cache.set(key, rows, TRENDING_SECONDS)
    return rows
