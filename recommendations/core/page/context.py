"""One profile's page context: its scores, masks and tastes over the catalogue's arrays.

Everything a row builder needs, computed once per page from plain data: the catalogue's
arrays, the profile's activity and the serving model (or none).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from recommendations.core import fold_in as core_fold_in
from recommendations.core import rows as core_rows
from recommendations.core import signals as core_signals
from recommendations.core.page.activity import THUMBS, Activity
from recommendations.core.page.catalogue import Catalogue
from recommendations.core.page.intent import Intent
from recommendations.core.page.layout import CandidateRow
from recommendations.core.score import BlendWeights, top_n
from recommendations.core.train import TrainedModel

ROW_SIZE = 18
SEE_ALL_SIZE = 60
MIN_ROW_TITLES = 4
# Fresh signals weigh more when scoring, choosing tastes and calibrating Top picks: a week
# old, 0.55 of a signal of today; after a month or more about the floor, 0.1. Six fresh
# 5★ ratings then carry 23% of the weight of the demo's Ana (86 titles over a year), 7%
# without.
RECENCY_HALF_LIFE_DAYS = 7.0
RECENCY_FLOOR = 0.1
# With a time budget, a title that needs more than this much over it leaves every row:
# 90 minutes admits a film of 100 (credits), not one of two hours.
BUDGET_OVERRUN = 0.12


@dataclass
class PageContext:
    profile_name: str
    max_age: int  # the profile's maturity limit
    intent: Intent
    cat: Catalogue
    activity: Activity
    model: TrainedModel | None
    version: int  # the model's version, 0 without one
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


def signal_of(activity: Activity, title_id: int) -> dict:
    """What the profile did with a title, for evidence: its strongest signal."""
    rating = activity.ratings.get(title_id)
    if rating is not None:
        stars, thumbs, scale, _at = rating
        if scale == THUMBS:
            return {"signal": "thumbs", "thumbs": thumbs}
        return {"signal": "rated", "stars": stars}
    progress = activity.progress.get(title_id)
    if progress is not None:
        return {"signal": "finished" if progress.completed else "watched"}
    return {"signal": "listed"}


def _signal_recency(activity: Activity, now: datetime) -> core_fold_in.Recency:
    """Days since the profile's latest signal on each title: rated, watched or listed."""
    latest: dict[int, datetime] = {}
    times = [(t, rating[3]) for t, rating in activity.ratings.items()]
    times += [(t, progress.watched_at) for t, progress in activity.progress.items()]
    times += activity.my_list
    for title_id, when in times:
        if title_id not in latest or when > latest[title_id]:
            latest[title_id] = when
    return core_fold_in.Recency.from_ages(
        {t: (now - when).total_seconds() / 86400 for t, when in latest.items()},
        half_life_days=RECENCY_HALF_LIFE_DAYS,
        floor=RECENCY_FLOOR,
    )


def page_context(
    *,
    cat: Catalogue,
    activity: Activity,
    intent: Intent,
    now: datetime,
    profile_name: str,
    max_age: int,
    model: TrainedModel | None = None,
    version: int = 0,
    weights: BlendWeights | None = None,
) -> PageContext:
    """Fold the activity into the model (when there is one) and score the catalogue."""
    n = cat.size
    state = None
    model_index = None
    signals = core_signals.derive_signals(activity.feedback)
    recency = _signal_recency(activity, now)
    if model is not None:
        model_index, _unit, _has = cat.model_view(version, model)
        state = core_fold_in.fold_in(model, signals, recency=recency)
    scores = core_rows.profile_scores(
        model=model,
        state=state,
        model_index=model_index if model_index is not None else np.full(n, -1, dtype=np.int64),
        popularity=cat.popularity,
        weights=weights if model is not None else None,
    )
    allowed = (cat.min_age <= max_age) & cat.available
    refused = cat.index(activity.not_interested)
    allowed[refused[refused >= 0]] = False

    finished = np.zeros(n, dtype=bool)
    started = np.zeros(n, dtype=bool)
    percent = np.zeros(n)
    if activity.progress:
        # One lookup for the whole history (a long one is thousands of titles).
        at = cat.index(list(activity.progress))
        known = at >= 0
        states = list(activity.progress.values())
        count = len(states)
        finished[at[known]] = np.fromiter((p.completed for p in states), bool, count)[known]
        started[at[known]] = True
        percent[at[known]] = np.fromiter((p.percent for p in states), float, count)[known]
    rated = cat.index(list(activity.ratings))
    listed = cat.index([t for t, _ in activity.my_list])
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
        fit = core_rows.time_fit(needed, intent.minutes, patience=_patience(activity))
        fits = core_rows.within_budget(needed, intent.minutes, overrun=BUDGET_OVERRUN)
    liked = cat.index(signals.interacted_items)
    known = liked >= 0
    return PageContext(
        profile_name=profile_name,
        max_age=max_age,
        intent=intent,
        cat=cat,
        activity=activity,
        model=model,
        version=version,
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


def _patience(activity: Activity) -> float:
    """The profile's completion rate: finished / started (5% or more), 0.5 when unknown."""
    started = [
        v for v in activity.feedback.viewings if not v.private and (v.completed or v.percent >= 5)
    ]
    if len(started) < 3:
        return 0.5
    return sum(v.completed for v in started) / len(started)


def top(ctx: PageContext, score: np.ndarray, mask: np.ndarray, n: int = SEE_ALL_SIZE) -> np.ndarray:
    # Titles that do not fit tonight leave the rows rather than trail them.
    mask = mask & ctx.fits
    return top_n(score, n, exclude=~mask)[0]


def candidate_row(
    ctx: PageContext,
    key: str,
    heading: str,
    items: np.ndarray,
    *,
    prior: float = 1.0,
    pinned: int | None = None,
    claims: bool = False,
    min_items: int | None = None,
) -> CandidateRow:
    ctx.headings[key] = heading
    # Whole-array indexing: one element at a time of a memory-mapped array is slow.
    ctx.see_all[key] = ctx.cat.ids[np.asarray(items[:SEE_ALL_SIZE], dtype=np.int64)].tolist()
    ctx.evidence[key], ctx.pending = ctx.pending, {}
    return CandidateRow(
        key=key,
        items=np.asarray(items, dtype=np.int64),
        prior=prior,
        pinned=pinned,
        claims=claims,
        min_items=min_items,
    )


def add_evidence(ctx: PageContext, items: np.ndarray, entry: dict | list[dict]) -> None:
    for title_id in ctx.cat.ids[np.asarray(items, dtype=np.int64)].tolist():
        entries = entry if isinstance(entry, list) else [entry]
        ctx.pending.setdefault(title_id, []).extend(entries)
