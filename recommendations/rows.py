"""The personalised home page: which rows a profile sees, with which titles, and why.

A *plan* is the whole page for one profile: its rows in order, each row's titles after
de-duplication, every card's match and evidence. Building one reads the profile's signals
(five queries), folds them into the active model and scores the catalogue with
`recommendations.core.rows`; the plan is then cached under a key that contains the
profile's `signals_changed_at`, so a click (which moves that stamp in its own transaction)
makes the very next request build a new one: the new signal counts before any retraining.
Row fragments read the cached plan and load their cards in one query.

The catalogue's arrays (maturity, runtimes, genres, content vectors, popularity) are built
once per process and rebuilt when titles change.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Avg, Count, Exists, Max, OuterRef, Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from catalog.maturity import age_for
from catalog.models import Credit, Episode, Genre, Tag, Title
from catalog.selectors import card_queryset, card_titles, title_visible_queryset
from recommendations import engine
from recommendations.core import fold_in as core_fold_in
from recommendations.core import rows as core_rows
from recommendations.core import signals as core_signals
from recommendations.core.score import top_n
from recommendations.core.similar import content_matrix, item_embeddings
from recommendations.memo import ProcessMemo
from recommendations.models import (
    ListItem,
    NotInterested,
    Rating,
    TasteExclusion,
    TrendingTitle,
    WatchProgress,
)

logger = logging.getLogger(__name__)

ROW_SIZE = 18
SEE_ALL_SIZE = 60
MIN_ROW_TITLES = 4
PLAN_SECONDS = 15 * 60
CATALOGUE_CHECK_SECONDS = 60
CATALOGUE_MAX_AGE = 15 * 60
TRENDING_SECONDS = 5 * 60
BECAUSE_ROWS = 3
# Anchors considered for those rows; one whose neighbours repeat a third of an earlier
# row's is skipped (on the demo catalogue two Westerns share 35-48% of their 60
# neighbours, unrelated anchors 0-25%).
ANCHOR_CANDIDATES = 12
ANCHOR_OVERLAP = 1 / 3
TASTE_ROWS = 2
# Fresh signals weigh more when scoring, choosing tastes and calibrating Top picks: a week
# old, 0.55 of a signal of today; after a month or more about the floor, 0.1. Six fresh
# 5★ ratings then carry 23% of the weight of the demo's Ana (86 titles over a year), 7%
# without.
RECENCY_HALF_LIFE_DAYS = 7.0
RECENCY_FLOOR = 0.1
# How strongly Top picks follows the shares of the profile's recent tastes (0: not at
# all). On the demo catalogue 0.8 keeps 96% of the row's mean relevance and 14 of its 18
# titles for a profile without a new taste, and brings six fresh 5★ Westerns 3-4 Westerns
# (0.5: 2-3).
CALIBRATION = 0.8
WATCH_AGAIN_AFTER = timedelta(days=30)
LIKED_STARS = Decimal("4.0")
# With a time budget, a title that needs more than this much over it leaves every row:
# 90 minutes admits a film of 100 (credits), not one of two hours.
BUDGET_OVERRUN = 0.12

INTENT_MINUTES = (30, 90, 150)
MOODS = {
    "new": "Something new",
    "finish": "Finish something",
    "favourite": "A favourite again",
}


# --------------------------------------------------------------------------------------
# Intent: "Tonight I have…"
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Intent:
    """A time budget in minutes and a mood, both optional.

    Read leniently from a query string: this is a control, not a form, and an unknown
    value simply means "no preference".
    """

    minutes: int | None = None
    mood: str = ""

    @classmethod
    def from_query(cls, data: Mapping[str, str]) -> Intent:
        try:
            minutes = int(data.get("minutes", ""))
        except ValueError:
            minutes = None
        mood = data.get("mood", "")
        return cls(
            minutes=minutes if minutes in INTENT_MINUTES else None,
            mood=mood if mood in MOODS else "",
        )

    @property
    def is_set(self) -> bool:
        return self.minutes is not None or bool(self.mood)

    def query(self) -> str:
        parts = []
        if self.minutes is not None:
            parts.append(f"minutes={self.minutes}")
        if self.mood:
            parts.append(f"mood={self.mood}")
        return "&".join(parts)

    @property
    def cache_key(self) -> str:
        return f"{self.minutes or 0}-{self.mood or 'any'}"


# --------------------------------------------------------------------------------------
# The catalogue as arrays
# --------------------------------------------------------------------------------------


@dataclass(eq=False)
class Catalogue:
    stamp: str
    built_at: float
    ids: np.ndarray  # published title ids, ascending: the catalogue index
    min_age: np.ndarray
    is_series: np.ndarray
    minutes: np.ndarray  # a film's runtime, a series' mean episode; NaN when unknown
    episodes: np.ndarray
    added_at: np.ndarray  # epoch seconds
    year: np.ndarray  # 0 when unknown
    popularity: np.ndarray
    genres: sp.csr_matrix
    genre_meta: list[tuple[str, str]]  # (slug, name) per column
    tags: sp.csr_matrix
    tag_meta: list[tuple[str, str]]
    content: sp.csr_matrix
    _embeddings: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return int(self.ids.size)

    def index(self, raw_ids: object) -> np.ndarray:
        return core_signals.index_of(self.ids, np.asarray(raw_ids, dtype=np.int64))

    @cached_property
    def themes(self) -> sp.csr_matrix:
        """Genres and tags as TF-IDF vectors: what "a title like this one" means to a viewer."""
        return core_rows.theme_vectors(self.genres, self.tags)

    def model_view(self, serving: engine.ServingModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The model's item index per catalogue title, and unit embeddings aligned with it."""
        cached = self._embeddings.get(serving.version.pk)
        if cached is None:
            model = serving.model
            model_index = model.item_index(self.ids)
            vectors = item_embeddings(model)
            aligned = np.zeros((self.size, vectors.shape[1]), dtype=np.float32)
            known = model_index >= 0
            aligned[known] = vectors[model_index[known]]
            unit, has_vector = core_rows.unit_rows(aligned)
            cached = (model_index, unit, has_vector)
            # One model at a time: an older version's arrays are dropped.
            self._embeddings.clear()
            self._embeddings[serving.version.pk] = cached
        return cached


_catalogue: dict[str, Catalogue] = {}
_catalogue_lock = threading.Lock()
CATALOGUE_STAMP_KEY = "marquee:catalogue-stamp"


# In front of the shared cache, like the active version's (recommendations.memo).
CATALOGUE_STAMP_MEMO_SECONDS = 5
_stamp_memo: ProcessMemo[str] = ProcessMemo(CATALOGUE_STAMP_MEMO_SECONDS)


def _catalogue_stamp() -> str:
    return _stamp_memo.get(_catalogue_stamp_read)


@receiver([post_save, post_delete], sender=Title)
def _catalogue_changed(**_kwargs: object) -> None:
    # A title saved here: this process checks the database again at once, and so does
    # every other within the memo's seconds. Again on commit, so that no process keeps
    # the stamp it read before the change was committed.
    _catalogue_stamp_forget()
    transaction.on_commit(_catalogue_stamp_forget)


def _catalogue_stamp_forget() -> None:
    cache.delete(CATALOGUE_STAMP_KEY)
    _stamp_memo.clear()


def _catalogue_stamp_read() -> str:
    stamp = cache.get(CATALOGUE_STAMP_KEY)
    if stamp is None:
        found = Title.objects.filter(is_published=True).aggregate(
            n=Count("pk"), last=Max("updated_at")
        )
        last = found["last"].timestamp() if found["last"] else 0
        stamp = f"{found['n']}-{last:.6f}"
        cache.set(CATALOGUE_STAMP_KEY, stamp, CATALOGUE_CHECK_SECONDS)
    return stamp


def catalogue() -> Catalogue:
    """The published catalogue as arrays, built once per process and per change.

    A curator's edit moves the titles' stamp (seen within a minute; within seconds when a
    title is saved one by one, as the admin's form does); popularity drifts slowly, so
    the arrays are also rebuilt every quarter of an hour. Only the first build of a
    process is waited for. Later ones run in a thread (MARQUEE_CATALOGUE_BACKGROUND)
    while every request keeps the previous arrays: on 50k titles a build takes seconds.
    Cards are filtered again when shown, so a title a curator just hid never appears.
    """
    stamp = _catalogue_stamp()
    current = _catalogue.get("current")
    if current is not None and _fresh(current, stamp):
        return current
    if current is not None and settings.MARQUEE_CATALOGUE_BACKGROUND:
        if _catalogue_lock.acquire(blocking=False):
            threading.Thread(
                target=_catalogue_rebuild, args=(stamp,), name="catalogue-rebuild", daemon=True
            ).start()
        return current
    if not _catalogue_lock.acquire(blocking=current is None):
        return current  # type: ignore[return-value]  # a rebuild is under way
    try:
        current = _catalogue.get("current")
        if current is not None and _fresh(current, stamp):
            return current
        built = _catalogue_build(stamp)
        _catalogue["current"] = built
        return built
    finally:
        _catalogue_lock.release()


def _catalogue_rebuild(stamp: str) -> None:
    """A thread's rebuild: the lock is already held for it."""
    try:
        _catalogue["current"] = _catalogue_build(stamp)
    except Exception:
        # The old arrays stay; the next request past their age tries again.
        logger.exception("Rebuilding the catalogue arrays failed")
    finally:
        _catalogue_lock.release()
        connection.close()  # the thread's own database connection


def _fresh(current: Catalogue, stamp: str) -> bool:
    return current.stamp == stamp and time.monotonic() - current.built_at < CATALOGUE_MAX_AGE


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


def _catalogue_build(stamp: str) -> Catalogue:
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
        built_at=time.monotonic(),
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
    )


def _trending() -> list[tuple[int, float, int]]:
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


# --------------------------------------------------------------------------------------
# One profile's signals
# --------------------------------------------------------------------------------------


class Progress(NamedTuple):
    percent: float
    completed: bool
    watched_at: datetime
    hidden: bool
    completed_at: datetime | None
    times: int
    private: bool


@dataclass(frozen=True)
class ProfileRead:
    feedback: core_signals.ProfileFeedback
    # title id -> (stars, thumbs, scale, rated_at)
    ratings: dict[int, tuple[float, int, str, datetime]]
    progress: dict[int, Progress]
    my_list: list[tuple[int, datetime]]
    # series title id -> its resume point: ("S1:E2", seconds into that episode)
    resume: dict[int, tuple[str, int]] = field(default_factory=dict)


def profile_read(profile: Profile) -> ProfileRead:
    """The profile's signals with their times: five queries of tuples."""
    quiet_since = timezone.now() - timedelta(days=settings.MARQUEE_ABANDONED_AFTER_DAYS)
    ratings = {
        title_id: (float(stars), thumbs, scale, rated_at)
        for title_id, stars, thumbs, scale, rated_at in Rating.objects.filter(
            profile=profile
        ).values_list("title_id", "stars", "thumbs", "scale", "rated_at")
    }
    progress = {}
    resume = {}
    viewings = []
    for row in WatchProgress.objects.filter(profile=profile, episode__isnull=True).values_list(
        "title_id",
        "percent",
        "completed",
        "last_watched_at",
        "hidden_from_continue",
        "completed_at",
        "times_completed",
        "is_private",
        "last_position",
        "current_episode__season__number",
        "current_episode__number",
    ):
        title_id, percent, completed, watched_at, hidden, completed_at, times, private = row[:8]
        position, season, episode = row[8:]
        if episode is not None:
            resume[title_id] = (f"S{season}:E{episode}", position)
        progress[title_id] = Progress(
            percent, completed, watched_at, hidden, completed_at, times, private
        )
        viewings.append(
            core_signals.Viewing(
                item=title_id,
                percent=percent,
                completed=completed,
                times_completed=times,
                abandoned=engine.is_abandoned(completed, percent, watched_at, quiet_since),
                private=private,
            )
        )
    my_list = list(
        ListItem.objects.filter(profile=profile)
        .order_by("-added_at", "-id")
        .values_list("title_id", "added_at")
    )
    refused = list(NotInterested.objects.filter(profile=profile).values_list("title_id", flat=True))
    excluded = frozenset(
        TasteExclusion.objects.filter(profile=profile).values_list("title_id", flat=True)
    )
    feedback = core_signals.ProfileFeedback(
        profile=profile.pk,
        stars=tuple(
            (t, s) for t, (s, _th, scale, _at) in ratings.items() if scale != Rating.Scale.THUMBS
        ),
        thumbs=tuple(
            (t, th) for t, (_s, th, scale, _at) in ratings.items() if scale == Rating.Scale.THUMBS
        ),
        viewings=tuple(viewings),
        my_list=tuple(t for t, _at in my_list),
        not_interested=tuple(refused),
        excluded=excluded,
    )
    return ProfileRead(
        feedback=feedback, ratings=ratings, progress=progress, my_list=my_list, resume=resume
    )


# --------------------------------------------------------------------------------------
# Building a plan
# --------------------------------------------------------------------------------------


@dataclass
class _Context:
    profile: Profile
    intent: Intent
    cat: Catalogue
    read: ProfileRead
    serving: engine.ServingModel | None
    state: object
    model_index: np.ndarray | None
    scores: core_rows.ProfileScores
    allowed: np.ndarray  # may be shown at all (maturity, not interested)
    finished: np.ndarray
    seen: np.ndarray  # finished, rated, started or on the list: not a discovery
    relevance: np.ndarray  # with tonight's intent applied
    fit: np.ndarray
    fits: np.ndarray  # within tonight's budget (all True without one)
    now: datetime
    # The profile's positive titles (catalogue indices) and their weights, fresh ones
    # weighing more: what its tastes are measured on.
    liked: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    liked_weights: np.ndarray = field(default_factory=lambda: np.empty(0))
    # Evidence of the row being built, then per row key: a card says why it is in its row.
    pending: dict[int, list[dict]] = field(default_factory=dict)
    evidence: dict[str, dict[int, list[dict]]] = field(default_factory=dict)
    headings: dict[str, str] = field(default_factory=dict)
    see_all: dict[str, list[int]] = field(default_factory=dict)
    mentioned: set[int] = field(default_factory=set)


def _signal_of(read: ProfileRead, title_id: int) -> dict:
    """What the profile did with a title, for evidence: its strongest signal."""
    rating = read.ratings.get(title_id)
    if rating is not None:
        stars, thumbs, scale, _at = rating
        if scale == Rating.Scale.THUMBS:
            return {"signal": "thumbs", "thumbs": thumbs}
        return {"signal": "rated", "stars": stars}
    progress = read.progress.get(title_id)
    if progress is not None:
        return {"signal": "finished" if progress.completed else "watched"}
    return {"signal": "listed"}


def _signal_recency(read: ProfileRead, now: datetime) -> core_fold_in.Recency:
    """Days since the profile's latest signal on each title: rated, watched or listed."""
    latest: dict[int, datetime] = {}
    times = [(t, rating[3]) for t, rating in read.ratings.items()]
    times += [(t, progress.watched_at) for t, progress in read.progress.items()]
    times += read.my_list
    for title_id, when in times:
        if title_id not in latest or when > latest[title_id]:
            latest[title_id] = when
    return core_fold_in.Recency.from_ages(
        {t: (now - when).total_seconds() / 86400 for t, when in latest.items()},
        half_life_days=RECENCY_HALF_LIFE_DAYS,
        floor=RECENCY_FLOOR,
    )


def _profile_context(profile: Profile, intent: Intent) -> _Context:
    cat = catalogue()
    read = profile_read(profile)
    n = cat.size
    now = timezone.now()
    serving = engine.serving_model()
    state = None
    model_index = None
    signals = core_signals.derive_signals(read.feedback)
    recency = _signal_recency(read, now)
    if serving is not None:
        model_index, _unit, _has = cat.model_view(serving)
        state = core_fold_in.fold_in(serving.model, signals, recency=recency)
    scores = core_rows.profile_scores(
        model=serving.model if serving else None,
        state=state,
        model_index=model_index if model_index is not None else np.full(n, -1, dtype=np.int64),
        popularity=cat.popularity,
        weights=serving.weights if serving else None,
    )
    allowed = cat.min_age <= profile.max_maturity_age
    refused = cat.index(read.feedback.not_interested)
    allowed[refused[refused >= 0]] = False

    finished = np.zeros(n, dtype=bool)
    started = np.zeros(n, dtype=bool)
    percent = np.zeros(n)
    for title_id, progress in read.progress.items():
        at = int(cat.index([title_id])[0])
        if at >= 0:
            finished[at] |= progress.completed
            started[at] = True
            percent[at] = progress.percent
    rated = cat.index(list(read.ratings))
    listed = cat.index([t for t, _ in read.my_list])
    seen = finished | started
    seen[rated[rated >= 0]] = True
    seen[listed[listed >= 0]] = True

    fit = np.ones(n)
    fits = np.ones(n, dtype=bool)
    if intent.minutes is not None:
        # Tonight needs what is left of a film (all of it to watch it again) and one
        # episode of a series; to *finish* a started series, all its remaining episodes.
        film = np.where(finished, cat.minutes, cat.minutes * (1 - percent / 100))
        series = cat.minutes
        if intent.mood == "finish":
            remaining = np.ceil(np.maximum(cat.episodes, 1) * (1 - percent / 100))
            series = np.where(started & ~finished, cat.minutes * remaining, cat.minutes)
        needed = np.where(cat.is_series, series, film)
        fit = core_rows.time_fit(needed, intent.minutes, patience=_patience(read))
        fits = core_rows.within_budget(needed, intent.minutes, overrun=BUDGET_OVERRUN)
    liked = cat.index(signals.interacted_items)
    known = liked >= 0
    return _Context(
        profile=profile,
        intent=intent,
        cat=cat,
        read=read,
        serving=serving,
        state=state,
        model_index=model_index,
        scores=scores,
        allowed=allowed,
        finished=finished,
        seen=seen,
        relevance=scores.relevance * fit,
        fit=fit,
        fits=fits,
        now=now,
        liked=liked[known],
        liked_weights=(signals.weights * recency.weights(signals.interacted_items))[known],
    )


def _patience(read: ProfileRead) -> float:
    """The profile's completion rate: finished / started (5% or more), 0.5 when unknown."""
    started = [
        v for v in read.feedback.viewings if not v.private and (v.completed or v.percent >= 5)
    ]
    if len(started) < 3:
        return 0.5
    return sum(v.completed for v in started) / len(started)


def _top(ctx: _Context, score: np.ndarray, mask: np.ndarray, n: int = SEE_ALL_SIZE) -> np.ndarray:
    # Titles that do not fit tonight leave the rows rather than trail them.
    mask = mask & ctx.fits
    return top_n(score, n, exclude=~mask)[0]


def _row(
    ctx: _Context,
    key: str,
    heading: str,
    items: np.ndarray,
    *,
    prior: float = 1.0,
    pinned: int | None = None,
    claims: bool = False,
    min_items: int | None = None,
) -> core_rows.CandidateRow:
    ctx.headings[key] = heading
    ctx.see_all[key] = [int(ctx.cat.ids[i]) for i in items[:SEE_ALL_SIZE]]
    ctx.evidence[key], ctx.pending = ctx.pending, {}
    return core_rows.CandidateRow(
        key=key,
        items=np.asarray(items, dtype=np.int64),
        prior=prior,
        pinned=pinned,
        claims=claims,
        min_items=min_items,
    )


def _add_evidence(ctx: _Context, items: np.ndarray, entry: dict | list[dict]) -> None:
    for at in items.tolist():
        title_id = int(ctx.cat.ids[at])
        entries = entry if isinstance(entry, list) else [entry]
        ctx.pending.setdefault(title_id, []).extend(entries)


def _continue_row(ctx: _Context, pins: dict[str, int | None]) -> core_rows.CandidateRow | None:
    rows = []
    returned = 0
    for title_id, progress in ctx.read.progress.items():
        pct, watched_at = progress.percent, progress.watched_at
        if pct >= 5 and (progress.completed or progress.times):
            returned += 1
        if progress.completed or progress.hidden or pct <= 0:
            continue
        at = int(ctx.cat.index([title_id])[0])
        if at < 0 or not ctx.allowed[at]:
            continue
        days = max((ctx.now - watched_at).total_seconds() / 86400, 0.0)
        # Likely to be resumed: recent, well under way, a series (one more episode).
        likelihood = 2 ** (-days / 7) * (0.4 + 0.6 * min(pct, 95) / 95)
        likelihood *= 1.25 if ctx.cat.is_series[at] else 1.0
        if not ctx.fits[at]:
            continue
        likelihood *= ctx.fit[at]
        rows.append((likelihood, title_id, at, pct, watched_at))
    if not rows:
        return None
    rows.sort(key=lambda r: (-r[0], r[1]))
    items = np.array([r[2] for r in rows], dtype=np.int64)
    for _l, title_id, _at, pct, watched_at in rows:
        entry = {"kind": "progress", "percent": round(pct), "when": watched_at.isoformat()}
        if title_id in ctx.read.resume:
            entry["episode"], entry["position"] = ctx.read.resume[title_id]
        ctx.pending.setdefault(title_id, []).append(entry)
    # How often this profile comes back to what it started decides the row's weight.
    started = max(len(ctx.read.progress), 1)
    prior = 0.6 + returned / started
    if ctx.intent.mood == "finish":
        prior *= 2
    elif ctx.intent.mood == "new":
        prior *= 0.3
    name = ctx.profile.name
    return _row(
        ctx,
        "continue",
        f"Continue watching for {name}",
        items,
        prior=prior,
        pinned=pins.get("continue"),
        claims=True,
        # The viewer's own unfinished titles: one is worth a row.
        min_items=1,
    )


def _top_picks_row(ctx: _Context, pins: dict[str, int | None]) -> core_rows.CandidateRow | None:
    if ctx.serving is None or not ctx.scores.personal:
        return None
    discover = ctx.allowed & ~ctx.seen & (ctx.scores.match >= 0)
    # The best by relevance, then calibrated: a taste the profile has shown lately gets
    # about its share of the row even when a larger taste outscores it title by title.
    pool = _top(ctx, ctx.relevance, discover, n=SEE_ALL_SIZE * 3)
    target = core_rows.feature_shares(ctx.liked, ctx.liked_weights, ctx.cat.genres)
    items = core_rows.calibrated(
        pool, ctx.relevance, ctx.cat.genres, target, n=SEE_ALL_SIZE, weight=CALIBRATION
    )[:SEE_ALL_SIZE]
    if items.size == 0:
        return None
    model_items = ctx.model_index[items]
    contributors, shares = core_rows.explain(ctx.serving.model, ctx.state, model_items)
    item_ids = ctx.serving.model.item_ids
    for row, at in enumerate(items.tolist()):
        title_id = int(ctx.cat.ids[at])
        entries = []
        for j, share in zip(contributors[row], shares[row], strict=True):
            if j < 0:
                continue
            source = int(item_ids[j])
            ctx.mentioned.add(source)
            entries.append(
                {
                    "kind": "because",
                    "title": source,
                    "share": round(float(share), 3),
                    **_signal_of(ctx.read, source),
                }
            )
        terms = ctx.scores.terms[:, at]
        if terms[1] > terms[0] and terms[1] >= terms[2]:
            entries.append(
                {"kind": "taste-match", "stars": round(float(ctx.scores.predicted[at]), 1)}
            )
        elif terms[2] > terms[0]:
            entries.append({"kind": "popular-here"})
        ctx.pending.setdefault(title_id, []).extend(entries)
    # The row the page is built around keeps what it shows: else a title calibrated into
    # it for a new taste goes to a "Because you…" row that ranks it higher, and Top picks
    # never shows the taste.
    return _row(
        ctx,
        "top-picks",
        f"Top picks for {ctx.profile.name}",
        items,
        pinned=pins.get("top-picks"),
        claims=True,
    )


def _anchors(ctx: _Context) -> list[int]:
    """Recently finished or highly rated titles, most telling first (catalogue indices).

    The title finished last comes first whatever else happened since: "Because you watched"
    the film just finished is the row a viewer looks for, and a burst of ratings must not
    push it out. The others follow by liking times recency; more are returned than rows
    are shown, for :func:`_because_rows` to skip those that would repeat an earlier row.
    """
    scored = []
    last: tuple[datetime, int] | None = None
    excluded = ctx.read.feedback.excluded
    for title_id, (
        _pct,
        completed,
        watched_at,
        _h,
        completed_at,
        _t,
        private,
    ) in ctx.read.progress.items():
        # Private viewing is not a signal: it never explains a row.
        if completed and not private and title_id not in excluded:
            rating = ctx.read.ratings.get(title_id)
            liking = 0.8 if rating is None else rating[0] / 5
            if rating is not None and rating[0] < 3:
                continue
            when = completed_at or watched_at
            scored.append((liking * _recency(ctx.now, when, 30), title_id))
            if last is None or (when, title_id) > last:
                last = (when, title_id)
    for title_id, (stars, _th, _scale, rated_at) in ctx.read.ratings.items():
        liked = stars >= float(LIKED_STARS) and title_id not in excluded
        if liked and title_id not in ctx.read.progress:
            scored.append((stars / 5 * _recency(ctx.now, rated_at, 30), title_id))
    scored.sort(key=lambda s: (-s[0], s[1]))
    ordered = [title_id for _score, title_id in scored]
    if last is not None:
        ordered.insert(0, last[1])
    anchors: list[int] = []
    for title_id in ordered:
        at = int(ctx.cat.index([title_id])[0])
        if at >= 0 and ctx.allowed[at] and at not in anchors:
            anchors.append(at)
        if len(anchors) == ANCHOR_CANDIDATES:
            break
    return anchors


def _recency(now: datetime, when: datetime, half_life_days: float) -> float:
    return 2 ** (-max((now - when).total_seconds(), 0) / 86400 / half_life_days)


def _because_rows(ctx: _Context) -> list[core_rows.CandidateRow]:
    rows: list[core_rows.CandidateRow] = []
    if ctx.serving is not None:
        _index, unit, has_vector = ctx.cat.model_view(ctx.serving)
    else:
        unit = has_vector = None
    anchors = _anchors(ctx)
    if not anchors:
        return rows
    # Every candidate's neighbours in one product per source: on 50k titles 18 ms for
    # twelve anchors, 8 ms for one.
    neighbours = core_rows.neighbours_of_each(
        anchors, unit=unit, has_vector=has_vector, content=ctx.cat.content, themes=ctx.cat.themes
    )
    shown: list[set[int]] = []
    for at, sims in zip(anchors, neighbours, strict=True):
        if len(rows) == BECAUSE_ROWS:
            break
        mask = ctx.allowed & ~ctx.seen & (sims > 0.05)
        # The anchor's neighbours, re-ranked for this profile.
        score = sims * (0.5 + 0.5 * ctx.relevance)
        items = _top(ctx, score, mask)
        if items.size == 0:
            continue
        # Two Westerns rated together have much the same neighbours: a second row of them
        # would repeat the first (and de-duplication would leave both half empty).
        proposed = set(items.tolist())
        if any(
            len(proposed & other) >= ANCHOR_OVERLAP * min(len(proposed), len(other))
            for other in shown
        ):
            continue
        shown.append(proposed)
        anchor_id = int(ctx.cat.ids[at])
        ctx.mentioned.add(anchor_id)
        signal = _signal_of(ctx.read, anchor_id)
        for item in items.tolist():
            ctx.pending.setdefault(int(ctx.cat.ids[item]), []).append(
                {
                    "kind": "because",
                    "title": anchor_id,
                    "similarity": round(float(sims[item]), 3),
                    **signal,
                }
            )
        verb = "watched" if anchor_id in ctx.read.progress else "liked"
        rows.append(
            _row(ctx, f"because-{anchor_id}", f"because:{verb}:{anchor_id}", items, prior=1.1)
        )
    return rows


def _taste_rows(ctx: _Context) -> list[core_rows.CandidateRow]:
    # Weighted by recency: a taste shown lately makes a row though older ones are bigger.
    items, weights = ctx.liked, ctx.liked_weights
    if items.size == 0:
        return []
    found = []
    for features, meta, prefix in (
        (ctx.cat.genres, ctx.cat.genre_meta, "genre"),
        (ctx.cat.tags, ctx.cat.tag_meta, "tag"),
    ):
        chosen, strengths, support = core_rows.taste_strengths(items, weights, features)
        for column, strength, count in zip(chosen[:4], strengths[:4], support[:4], strict=True):
            found.append((float(strength), prefix, int(column), int(count), features, meta))
    found.sort(key=lambda f: -f[0])
    rows = []
    for _strength, prefix, column, count, features, meta in found[:TASTE_ROWS]:
        in_feature = np.zeros(ctx.cat.size, dtype=bool)
        in_feature[features[:, column].nonzero()[0]] = True
        titles = _top(ctx, ctx.relevance, ctx.allowed & ~ctx.seen & in_feature)
        if titles.size == 0:
            continue
        slug, name = meta[column]
        mine = items[in_feature[items]]
        examples = [int(ctx.cat.ids[i]) for i in mine[np.argsort(-weights[in_feature[items]])][:2]]
        ctx.mentioned.update(examples)
        _add_evidence(
            ctx,
            titles,
            {"kind": "taste", "feature": name, "count": count, "examples": examples},
        )
        rows.append(
            _row(ctx, f"like-{prefix}-{slug}", f"Because you like {name}", titles, prior=0.9)
        )
    return rows


def _first_genre(cat: Catalogue, items: np.ndarray) -> list[int]:
    """Each title's first genre column, -1 for none, without slicing rows one by one."""
    genres = cat.genres[items]
    first = np.full(items.size, -1, dtype=np.int64)
    has = np.diff(genres.indptr) > 0
    if has.any():
        first[has] = np.minimum.reduceat(genres.indices, genres.indptr[:-1][has])
    return first.tolist()


def _trending_rows(ctx: _Context, pins: dict[str, int | None]) -> list[core_rows.CandidateRow]:
    trending = _trending()
    if not trending:
        return []
    ids = np.array([t[0] for t in trending], dtype=np.int64)
    at = ctx.cat.index(ids)
    at = at[at >= 0]
    # Ranks on the instance, overall and within each title's first genre ("Trending in
    # Comedy"), before this profile's filters: they describe Marquee, not the row.
    ranks: dict[int, dict] = {}
    per_genre: dict[int, int] = {}
    for rank, (item, column) in enumerate(
        zip(at.tolist(), _first_genre(ctx.cat, at), strict=True), 1
    ):
        entry: dict = {"kind": "trending", "rank": rank}
        if column >= 0:
            per_genre[column] = per_genre.get(column, 0) + 1
            entry.update(genre=ctx.cat.genre_meta[column][1], genre_rank=per_genre[column])
        ranks[item] = entry
    trend_items = at[ctx.allowed[at] & ~ctx.finished[at]]
    rows = []
    if ctx.intent.minutes is not None:
        trend_items = trend_items[ctx.fits[trend_items]]
    if trend_items.size:
        for item in trend_items[:SEE_ALL_SIZE].tolist():
            ctx.pending.setdefault(int(ctx.cat.ids[item]), []).append(ranks[item])
        rows.append(_row(ctx, "trending", "Trending now", trend_items[:SEE_ALL_SIZE], prior=0.8))
    # Top 10 today: ranked among the titles this profile may see, by viewers today.
    today = sorted(((t[2], t[0]) for t in trending if t[2] > 0), key=lambda v: (-v[0], v[1]))
    ranked = []
    for viewers, title_id in today:
        item = int(ctx.cat.index([title_id])[0])
        if item >= 0 and ctx.cat.min_age[item] <= ctx.profile.max_maturity_age:
            ranked.append((len(ranked) + 1, viewers, item))
        if len(ranked) == 10:
            break
    top = [
        (rank, viewers, item)
        for rank, viewers, item in ranked
        if ctx.allowed[item] and not ctx.finished[item] and ctx.fits[item]
    ]
    if top:
        for rank, viewers, item in top:
            ctx.pending.setdefault(int(ctx.cat.ids[item]), []).append(
                {"kind": "top10", "rank": rank, "viewers": viewers}
            )
        rows.append(
            _row(
                ctx,
                "top-10",
                "Top 10 on Marquee today",
                np.array([t[2] for t in top], dtype=np.int64),
                prior=0.85,
                claims=True,
                pinned=pins.get("top-10"),
            )
        )
    return rows


def _new_row(ctx: _Context) -> core_rows.CandidateRow | None:
    recent = _top(ctx, ctx.cat.added_at, ctx.allowed & ~ctx.seen, n=SEE_ALL_SIZE * 2)
    if recent.size == 0:
        return None
    # The newest additions, nudged towards this profile's taste.
    age_days = (ctx.now.timestamp() - ctx.cat.added_at[recent]) / 86400
    score = np.exp2(-np.maximum(age_days, 0) / 60) * (0.6 + 0.4 * ctx.relevance[recent])
    items = recent[np.lexsort((recent, -score))][:SEE_ALL_SIZE]
    for item in items.tolist():
        added = datetime.fromtimestamp(ctx.cat.added_at[item], tz=timezone.get_current_timezone())
        ctx.pending.setdefault(int(ctx.cat.ids[item]), []).append(
            {"kind": "new", "when": added.isoformat()}
        )
    prior = 1.3 if ctx.intent.mood == "new" else 0.7
    return _row(ctx, "new", "New on Marquee", items, prior=prior)


def _my_list_row(ctx: _Context, pins: dict[str, int | None]) -> core_rows.CandidateRow | None:
    items = []
    for title_id, added_at in ctx.read.my_list:
        at = int(ctx.cat.index([title_id])[0])
        if at >= 0 and ctx.allowed[at]:
            if not ctx.fits[at]:
                continue
            items.append(at)
            ctx.pending.setdefault(title_id, []).append(
                {"kind": "list", "when": added_at.isoformat()}
            )
    if not items:
        return None
    prior = 1.2 if ctx.intent.mood == "favourite" else 0.9
    return _row(
        ctx,
        "my-list",
        "My List",
        np.array(items, dtype=np.int64),
        prior=prior,
        claims=True,
        pinned=pins.get("my-list"),
        min_items=1,
    )


def _watch_again_row(ctx: _Context, pins: dict[str, int | None]) -> core_rows.CandidateRow | None:
    rows = []
    for title_id, (
        _pct,
        completed,
        watched_at,
        _h,
        _done,
        times,
        private,
    ) in ctx.read.progress.items():
        rating = ctx.read.ratings.get(title_id)
        if not completed or private or rating is None or rating[0] < float(LIKED_STARS):
            continue
        if ctx.now - watched_at < WATCH_AGAIN_AFTER:
            continue
        at = int(ctx.cat.index([title_id])[0])
        if at < 0 or not ctx.allowed[at]:
            continue
        if not ctx.fits[at]:
            continue
        rows.append((rating[0], watched_at, title_id, at, times))
    if not rows:
        return None
    rows.sort(key=lambda r: (-r[0], r[1], r[2]))
    for stars, watched_at, title_id, _at, times in rows:
        ctx.pending.setdefault(title_id, []).append(
            {"kind": "rewatch", "stars": stars, "when": watched_at.isoformat(), "times": times}
        )
    prior = 2.0 if ctx.intent.mood == "favourite" else 0.5
    return _row(
        ctx,
        "watch-again",
        "Watch again",
        np.array([r[3] for r in rows], dtype=np.int64),
        prior=prior,
        pinned=pins.get("watch-again"),
        claims=True,
    )


def _popular_rows(ctx: _Context) -> list[core_rows.CandidateRow]:
    """Before a profile has signals: the most watched titles of the biggest genres."""
    rows = []
    visible = ctx.allowed & ~ctx.seen
    weight = np.asarray(ctx.cat.genres[visible].sum(axis=0)).ravel()
    for column in np.argsort(-weight, kind="stable")[:4].tolist():
        if weight[column] == 0:
            break
        in_genre = np.zeros(ctx.cat.size, dtype=bool)
        in_genre[ctx.cat.genres[:, column].nonzero()[0]] = True
        items = _top(ctx, ctx.cat.popularity + 1e-9 * ctx.cat.added_at, visible & in_genre)
        slug, name = ctx.cat.genre_meta[column]
        for item in items.tolist():
            ctx.pending.setdefault(int(ctx.cat.ids[item]), []).append(
                {"kind": "popular", "feature": name, "viewers": int(ctx.cat.popularity[item])}
            )
        rows.append(_row(ctx, f"popular-{slug}", f"Popular in {name}", items, prior=0.6))
    return rows


def _pins(intent: Intent) -> dict[str, int | None]:
    """The rows kept where viewers expect them; a mood moves what it asks for to the top."""
    if intent.mood == "finish":
        return {"continue": 0, "top-picks": 1}
    if intent.mood == "favourite":
        return {"watch-again": 0, "my-list": 1, "continue": 2}
    if intent.mood == "new":
        return {"top-picks": 0}
    return {"continue": 0, "top-picks": 1}


@dataclass(frozen=True)
class Evidence:
    """One reason a card is on the page, ready to show."""

    text: str
    title_id: int | None = None
    title_name: str = ""
    title_slug: str = ""

    @property
    def strikable(self) -> bool:
        return self.title_id is not None and bool(self.title_slug)


@dataclass(frozen=True)
class PlanRow:
    key: str
    heading: str
    title_ids: list[int]
    see_all_ids: list[int]


@dataclass(frozen=True)
class Plan:
    """A profile's whole home page: rows in order, and what each card says."""

    rows: list[PlanRow]
    # title id -> match and predicted stars; the profile's rating, list and progress
    cards: dict[int, dict]
    evidence: dict[str, dict[int, list[dict]]]  # row key -> title id -> entries
    names: dict[int, tuple[str, str]]  # evidence title id -> (name, slug)
    personal: bool
    has_model: bool

    def row(self, key: str) -> PlanRow | None:
        return next((row for row in self.rows if row.key == key), None)


def _card_state(read: ProfileRead, title_id: int, listed: set[int]) -> dict:
    """The profile's rating, list and progress for a card, as the plan read them.

    The plan's key moves with every signal (and leaving the player stops playback), so
    these are current whenever the plan is; the cards' query then needs no subqueries.
    """
    state: dict = {}
    rating = read.ratings.get(title_id)
    if rating is not None:
        stars, thumbs, _scale, _at = rating
        state["my_stars"] = Decimal(str(stars))
        state["my_thumbs"] = thumbs
    progress = read.progress.get(title_id)
    if progress is not None:
        state["progress_percent"] = progress.percent
        state["progress_completed"] = progress.completed
    if title_id in listed:
        state["in_my_list"] = True
    resume = read.resume.get(title_id)
    if resume is not None and progress is not None and not progress.completed:
        episode, position = resume
        state["resume_label"] = f"{'Resume' if position else 'Play'} {episode}"
    return state


def plan_build(*, profile: Profile, intent: Intent | None = None) -> Plan:
    """Every row of the profile's home page, de-duplicated and ordered (not cached)."""
    intent = intent or Intent()
    ctx = _profile_context(profile, intent)
    if not intent.is_set:
        _insight_context_keep(profile, ctx)  # for the title pages that follow
    pins = _pins(intent)
    candidates: list[core_rows.CandidateRow | None] = [_continue_row(ctx, pins)]
    trending = _trending_rows(ctx, pins)
    # Of two rows that claim a title the first proposed keeps it: Top 10 (a ranked fact
    # about the instance) before Top picks, which claims its own head.
    candidates += [row for row in trending if row.claims]
    if ctx.scores.personal:
        candidates.append(_top_picks_row(ctx, pins))
        candidates += _because_rows(ctx)
        candidates += _taste_rows(ctx)
    elif _anchors(ctx):
        # No model yet, but signals: neighbours by content still explain themselves.
        candidates += _because_rows(ctx)
        candidates += _taste_rows(ctx)
    candidates += [row for row in trending if not row.claims]
    candidates.append(_new_row(ctx))
    candidates.append(_my_list_row(ctx, pins))
    candidates.append(_watch_again_row(ctx, pins))
    if not ctx.read.feedback.viewings and not ctx.read.ratings:
        candidates += _popular_rows(ctx)
    placed = core_rows.build_page(
        [row for row in candidates if row is not None],
        relevance=ctx.relevance,
        row_size=ROW_SIZE,
        min_items=MIN_ROW_TITLES,
    )
    shown = {int(ctx.cat.ids[i]) for row in placed for i in row.items.tolist()}
    see_all = {tid for row in placed for tid in ctx.see_all[row.key]}
    anchors = {int(key.split("-")[1]) for key in ctx.headings if key.startswith("because-")}
    # Evidence names only titles this profile may see: a rating given before a maturity
    # limit was lowered still counts, but is not shown.
    names = {
        pk: (name, slug)
        for pk, name, slug in title_visible_queryset(profile=profile)
        .filter(pk__in=ctx.mentioned | anchors)
        .values_list("pk", "name", "slug")
    }
    on_page = sorted(shown | see_all)
    listed = {title_id for title_id, _at in ctx.read.my_list}
    cards = {}
    for title_id, at in zip(on_page, ctx.cat.index(on_page).tolist(), strict=True):
        card = _card_state(ctx.read, title_id, listed)
        match = int(ctx.scores.match[at])
        if match >= 0:
            card["match"] = match
            card["stars"] = round(float(ctx.scores.predicted[at]), 1)
        if card:
            cards[title_id] = card
    rows = []
    for row in placed:
        heading = ctx.headings[row.key]
        if heading.startswith("because:"):
            _because, verb, anchor = heading.split(":")
            heading = f"Because you {verb} {names.get(int(anchor), ('this', ''))[0]}"
        rows.append(
            PlanRow(
                key=row.key,
                heading=heading,
                title_ids=[int(ctx.cat.ids[i]) for i in row.items.tolist()],
                see_all_ids=ctx.see_all[row.key],
            )
        )
    return Plan(
        rows=rows,
        cards=cards,
        evidence={
            row.key: {
                title_id: [e for e in entries if e["kind"] != "because" or e["title"] in names]
                for title_id, entries in ctx.evidence.get(row.key, {}).items()
            }
            for row in placed
        },
        names=names,
        personal=ctx.scores.personal,
        has_model=ctx.serving is not None,
    )


# A fixed set of locks, shared by profiles with the same remainder: bounded memory.
_building = [threading.Lock() for _ in range(64)]


def home_plan(*, profile: Profile, intent: Intent | None = None) -> Plan:
    """The profile's plan, built once per change of its signals, catalogue or model."""
    intent = intent or Intent()
    version = engine.active_version_id() or 0
    key = ":".join(
        [
            "marquee:plan",
            str(profile.pk),
            f"{profile.signals_changed_at.timestamp():.6f}",
            str(profile.max_maturity_age),
            str(version),
            _catalogue_stamp(),
            intent.cache_key,
            timezone.localdate().isoformat(),
        ]
    )
    plan = cache.get(key)
    if plan is None:
        # Rows of one page arrive together: build the plan once, the others wait for it.
        with _building[profile.pk % len(_building)]:
            plan = cache.get(key)
            if plan is None:
                plan = plan_build(profile=profile, intent=intent)
                cache.set(key, plan, PLAN_SECONDS)
    return plan


# --------------------------------------------------------------------------------------
# Rendering a row
# --------------------------------------------------------------------------------------


def evidence_text(entry: dict, names: Mapping[int, tuple[str, str]]) -> Evidence:
    kind = entry["kind"]
    if kind == "because":
        name, slug = names.get(entry["title"], ("a title you watched", ""))
        signal = entry.get("signal")
        if signal == "rated":
            did = f"you rated {name} {entry['stars']:g}★"
        elif signal == "thumbs":
            did = f"you liked {name}" if entry["thumbs"] > 0 else f"you disliked {name}"
        elif signal == "finished":
            did = f"you finished {name}"
        elif signal == "listed":
            did = f"{name} is on your list"
        else:
            did = f"you watched {name}"
        return Evidence(
            text=f"Because {did}", title_id=entry["title"], title_name=name, title_slug=slug
        )
    if kind == "taste":
        examples = [names[t][0] for t in entry["examples"] if t in names]
        such = f", such as {' and '.join(examples)}" if examples else ""
        return Evidence(text=f"You often watch {entry['feature']}: {entry['count']} titles{such}")
    if kind == "taste-match":
        stars = entry["stars"]
        # "Highly" only where it is: a predicted 3.3 is a middling rating, said as one.
        if stars >= float(LIKED_STARS):
            return Evidence(text=f"Viewers with your taste rate it highly (about {stars:g}★)")
        return Evidence(text=f"Viewers with your taste rate it about {stars:g}★")
    if kind == "popular-here":
        return Evidence(text="Popular on Marquee")
    if kind == "popular":
        viewers = entry["viewers"]
        if not viewers:
            return Evidence(text=f"New in {entry['feature']}: nobody has watched it yet")
        people = "viewer" if viewers == 1 else "viewers"
        return Evidence(text=f"Popular in {entry['feature']}: {viewers} {people}")
    if kind == "trending":
        if entry.get("genre"):
            return Evidence(
                text=f"Trending in {entry['genre']}: #{entry['genre_rank']} this week "
                f"(#{entry['rank']} on Marquee)"
            )
        return Evidence(text=f"Trending now: #{entry['rank']} on Marquee this week")
    if kind == "top10":
        people = "viewer" if entry["viewers"] == 1 else "viewers"
        return Evidence(text=f"#{entry['rank']} today: {entry['viewers']} {people}")
    if kind == "new":
        return Evidence(text=f"New on Marquee since {_day(entry['when'])}")
    if kind == "list":
        return Evidence(text=f"On your list since {_day(entry['when'])}")
    if kind == "progress":
        if entry.get("episode") and not entry.get("position"):
            return Evidence(
                text=f"Up next: {entry['episode']} · {entry['percent']}% of the series watched"
            )
        if entry.get("episode"):
            return Evidence(
                text=f"You stopped in {entry['episode']}, {entry['percent']}% of the series, "
                f"on {_day(entry['when'])}"
            )
        return Evidence(text=f"You stopped at {entry['percent']}% on {_day(entry['when'])}")
    if kind == "rewatch":
        return Evidence(
            text=f"You rated it {entry['stars']:g}★ and last watched it on {_day(entry['when'])}"
        )
    return Evidence(text="Picked for you")


def _day(iso: str) -> str:
    when = timezone.localtime(datetime.fromisoformat(iso))
    return f"{when:%-d %b %Y}"


@dataclass(frozen=True)
class RowView:
    key: str
    heading: str
    titles: list[Title]
    see_all_url: str
    numbered: bool = False


def row_view(
    plan: Plan, key: str, *, profile: Profile, full: bool = False, intent: Intent | None = None
) -> RowView | None:
    """A row's cards, in one query, each with its match, stars and evidence."""
    row = plan.row(key)
    if row is None:
        return None
    ids = row.see_all_ids if full else row.title_ids
    # Filtered again: a curator may have unpublished or re-rated a title since the plan.
    visible = title_visible_queryset(profile=profile).filter(pk__in=ids)
    found = card_titles(visible).in_bulk()
    titles = []
    for title_id in ids:
        title = found.get(title_id)
        if title is None:
            continue
        card = plan.cards.get(title_id, {})
        title.match = card.get("match")
        title.predicted_stars = card.get("stars")
        title.my_stars = card.get("my_stars")
        title.my_thumbs = card.get("my_thumbs")
        title.in_my_list = card.get("in_my_list", False)
        title.is_not_interested = False  # the plan leaves them out
        title.progress_percent = card.get("progress_percent")
        title.progress_completed = card.get("progress_completed")
        # A series' resume point for the card's Play ("Play S1:E2"); None for a film.
        title.resume_label = card.get("resume_label")
        entries = plan.evidence.get(key, {}).get(title_id, [])
        title.evidence = [evidence_text(e, plan.names) for e in entries]
        title.rank = next((e["rank"] for e in entries if e["kind"] == "top10"), None)
        titles.append(title)
    query = intent.query() if intent else ""
    url = reverse("catalog:row", args=[key]) + (f"?{query}" if query else "")
    return RowView(
        key=key, heading=row.heading, titles=titles, see_all_url=url, numbered=key == "top-10"
    )


# --------------------------------------------------------------------------------------
# The title page: match and "More like this"
# --------------------------------------------------------------------------------------

MORE_LIKE_THIS = 12
# The profiles' contexts this process built lately are kept for the title pages that
# follow, up to this many bytes of arrays (25 bytes a title: 100 kB a profile on ml-1m,
# 1.2 MB on 50k).
INSIGHT_CONTEXTS_MAX_BYTES = 32 * 2**20


@dataclass(frozen=True)
class TitleInsight:
    match: int | None
    predicted_stars: float | None
    more_like_this: list[Title]


@dataclass(frozen=True)
class _InsightContext:
    """What a title page needs of a profile's context (no intent), per catalogue title."""

    cat: Catalogue
    serving: engine.ServingModel | None
    eligible: np.ndarray  # may be shown and not finished
    relevance: np.ndarray
    match: np.ndarray
    predicted: np.ndarray

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.eligible, self.relevance, self.match, self.predicted))


# By profile and what its context was built from; checked against the catalogue and model
# in use, like a plan's cache key (its signals' stamp, maturity limit, the day).
_insight_contexts: OrderedDict[tuple[int, datetime, int, date], _InsightContext] = OrderedDict()
_insight_contexts_lock = threading.Lock()


def _insight_context_key(profile: Profile) -> tuple[int, datetime, int, date]:
    return (
        profile.pk,
        profile.signals_changed_at,
        profile.max_maturity_age,
        timezone.localdate(),
    )


def _insight_context_keep(profile: Profile, ctx: _Context) -> _InsightContext:
    context = _InsightContext(
        cat=ctx.cat,
        serving=ctx.serving,
        # Copies: a row being built may not change what the title pages will read.
        eligible=ctx.allowed & ~ctx.finished,
        relevance=ctx.relevance.copy(),
        match=ctx.scores.match.copy(),
        predicted=ctx.scores.predicted.copy(),
    )
    key = _insight_context_key(profile)
    with _insight_contexts_lock:
        _insight_contexts[key] = context
        _insight_contexts.move_to_end(key)
        total = sum(kept.nbytes for kept in _insight_contexts.values())
        while total > INSIGHT_CONTEXTS_MAX_BYTES and len(_insight_contexts) > 1:
            _key, dropped = _insight_contexts.popitem(last=False)
            total -= dropped.nbytes
    return context


def _insight_context(
    profile: Profile, cat: Catalogue, serving: engine.ServingModel | None
) -> _InsightContext:
    """What a title page needs of the profile's context: kept from its plan's build or an
    earlier title page, or built (five queries and the fold-in) and kept."""
    key = _insight_context_key(profile)
    with _insight_contexts_lock:
        kept = _insight_contexts.get(key)
        if kept is not None:
            _insight_contexts.move_to_end(key)
    if kept is not None and kept.cat is cat and kept.serving is serving:
        return kept
    return _insight_context_keep(profile, _profile_context(profile, Intent()))


def title_insight(*, profile: Profile | None, title: Title) -> TitleInsight:
    """The profile's match for one title, and its neighbours re-ranked for the profile.

    Neighbours blend what the same viewers watch with content (genres, tags, people), so
    a title nobody has watched yet still has some. Without a profile they are ranked by
    similarity alone.
    """
    cat = catalogue()
    at = int(cat.index([title.pk])[0])
    if at < 0:
        return TitleInsight(match=None, predicted_stars=None, more_like_this=[])
    serving = engine.serving_model()
    unit = has_vector = None
    if serving is not None:
        _index, unit, has_vector = cat.model_view(serving)
    sims = core_rows.neighbours_of(at, unit=unit, has_vector=has_vector, content=cat.content)
    match = stars = None
    context = None
    if profile is not None:
        context = _insight_context(profile, cat, serving)
        mask = context.eligible & (sims > 0.05)
        score = sims * (0.5 + 0.5 * context.relevance)
        if context.match[at] >= 0:
            match = int(context.match[at])
            stars = round(float(context.predicted[at]), 1)
    else:
        mask = (cat.min_age <= 18) & (sims > 0.05)
        score = sims.astype(np.float64)
    candidates = np.flatnonzero(mask)
    order = candidates[np.lexsort((candidates, -score[candidates]))][:MORE_LIKE_THIS]
    ids = [int(cat.ids[i]) for i in order]
    visible = title_visible_queryset(profile=profile).filter(pk__in=ids)
    found = card_queryset(visible, profile).in_bulk()
    similar = []
    for item, title_id in zip(order.tolist(), ids, strict=True):
        card = found.get(title_id)
        if card is None:
            continue
        card.match = int(context.match[item]) if context and context.match[item] >= 0 else None
        card.predicted_stars = (
            round(float(context.predicted[item]), 1) if card.match is not None else None
        )
        similar.append(card)
    return TitleInsight(match=match, predicted_stars=stars, more_like_this=similar)
