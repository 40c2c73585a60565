"""The home page's row kinds: each proposes its titles, in its own order, with evidence.

A builder reads a `PageContext` and returns a `CandidateRow` (catalogue indices) or None;
the evidence it leaves on the context says why each title is in the row, as plain data
that the page turns into words. `page_build` runs them all and lays the page out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from recommendations.core import rows as core_rows
from recommendations.core import taste as core_taste
from recommendations.core.page.catalogue import Catalogue
from recommendations.core.page.context import (
    SEE_ALL_SIZE,
    PageContext,
    add_evidence,
    candidate_row,
    signal_of,
    top,
)
from recommendations.core.page.intent import Intent
from recommendations.core.page.layout import CandidateRow

BECAUSE_ROWS = 3
# Anchors considered for those rows; one whose neighbours repeat a third of an earlier
# row's is skipped (on the demo catalogue two Westerns share 35-48% of their 60
# neighbours, unrelated anchors 0-25%).
ANCHOR_CANDIDATES = 12
ANCHOR_OVERLAP = 1 / 3
TASTE_ROWS = 2
# How strongly Top picks follows the shares of the profile's recent tastes (0: not at
# all). On the demo catalogue 0.8 keeps 96% of the row's mean relevance and 14 of its 18
# titles for a profile without a new taste, and brings six fresh 5★ Westerns 3-4 Westerns
# (0.5: 2-3).
CALIBRATION = 0.8
WATCH_AGAIN_AFTER = timedelta(days=30)
LIKED_STARS = 4.0


def continue_row(ctx: PageContext, pins: dict[str, int | None]) -> CandidateRow | None:
    rows = []
    returned = 0
    for title_id, progress in ctx.activity.progress.items():
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
        if title_id in ctx.activity.resume:
            entry["episode"], entry["position"] = ctx.activity.resume[title_id]
        ctx.pending.setdefault(title_id, []).append(entry)
    # How often this profile comes back to what it started decides the row's weight.
    started = max(len(ctx.activity.progress), 1)
    prior = 0.6 + returned / started
    if ctx.intent.mood == "finish":
        prior *= 2
    elif ctx.intent.mood == "new":
        prior *= 0.3
    name = ctx.profile_name
    return candidate_row(
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


def top_picks_row(ctx: PageContext, pins: dict[str, int | None]) -> CandidateRow | None:
    if ctx.model is None or not ctx.scores.personal:
        return None
    discover = ctx.allowed & ~ctx.seen & (ctx.scores.match >= 0)
    # The best by relevance, then calibrated: a taste the profile has shown lately gets
    # about its share of the row even when a larger taste outscores it title by title.
    pool = top(ctx, ctx.relevance, discover, n=SEE_ALL_SIZE * 3)
    target = core_taste.feature_shares(ctx.liked, ctx.liked_weights, ctx.cat.genres)
    items = core_taste.calibrated(
        pool, ctx.relevance, ctx.cat.genres, target, n=SEE_ALL_SIZE, weight=CALIBRATION
    )[:SEE_ALL_SIZE]
    if items.size == 0:
        return None
    model_items = ctx.model_index[items]
    contributors, shares = core_rows.explain(ctx.model, ctx.state, model_items)
    item_ids = ctx.model.item_ids
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
                    **signal_of(ctx.activity, source),
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
    return candidate_row(
        ctx,
        "top-picks",
        f"Top picks for {ctx.profile_name}",
        items,
        pinned=pins.get("top-picks"),
        claims=True,
    )


def anchor_items(ctx: PageContext) -> list[int]:
    """Recently finished or highly rated titles, most telling first (catalogue indices).

    The title finished last comes first whatever else happened since: "Because you watched"
    the film just finished is the row a viewer looks for, and a burst of ratings must not
    push it out. The others follow by liking times recency; more are returned than rows
    are shown, for :func:`because_rows` to skip those that would repeat an earlier row.
    """
    scored = []
    last: tuple[datetime, int] | None = None
    excluded = ctx.activity.excluded
    for title_id, progress in ctx.activity.progress.items():
        completed, watched_at, completed_at = (
            progress.completed,
            progress.watched_at,
            progress.completed_at,
        )
        # Private viewing is not a signal: it never explains a row.
        if completed and not progress.private and title_id not in excluded:
            rating = ctx.activity.ratings.get(title_id)
            liking = 0.8 if rating is None else rating[0] / 5
            if rating is not None and rating[0] < 3:
                continue
            when = completed_at or watched_at
            scored.append((liking * _recency(ctx.now, when, 30), title_id))
            if last is None or (when, title_id) > last:
                last = (when, title_id)
    for title_id, (stars, _th, _scale, rated_at) in ctx.activity.ratings.items():
        liked = stars >= LIKED_STARS and title_id not in excluded
        if liked and title_id not in ctx.activity.progress:
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


def because_rows(ctx: PageContext) -> list[CandidateRow]:
    rows: list[CandidateRow] = []
    if ctx.model is not None:
        _index, unit, has_vector = ctx.cat.model_view(ctx.version, ctx.model)
    else:
        unit = has_vector = None
    anchors = anchor_items(ctx)
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
        items = top(ctx, score, mask)
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
        signal = signal_of(ctx.activity, anchor_id)
        for item in items.tolist():
            ctx.pending.setdefault(int(ctx.cat.ids[item]), []).append(
                {
                    "kind": "because",
                    "title": anchor_id,
                    "similarity": round(float(sims[item]), 3),
                    **signal,
                }
            )
        verb = "watched" if anchor_id in ctx.activity.progress else "liked"
        rows.append(
            candidate_row(
                ctx, f"because-{anchor_id}", f"because:{verb}:{anchor_id}", items, prior=1.1
            )
        )
    return rows


def taste_rows(ctx: PageContext) -> list[CandidateRow]:
    # Weighted by recency: a taste shown lately makes a row though older ones are bigger.
    items, weights = ctx.liked, ctx.liked_weights
    if items.size == 0:
        return []
    found = []
    for features, meta, prefix in (
        (ctx.cat.genres, ctx.cat.genre_meta, "genre"),
        (ctx.cat.tags, ctx.cat.tag_meta, "tag"),
    ):
        chosen, strengths, support = core_taste.taste_strengths(items, weights, features)
        for column, strength, count in zip(chosen[:4], strengths[:4], support[:4], strict=True):
            found.append((float(strength), prefix, int(column), int(count), features, meta))
    found.sort(key=lambda f: -f[0])
    rows = []
    for _strength, prefix, column, count, features, meta in found[:TASTE_ROWS]:
        in_feature = np.zeros(ctx.cat.size, dtype=bool)
        in_feature[features[:, column].nonzero()[0]] = True
        titles = top(ctx, ctx.relevance, ctx.allowed & ~ctx.seen & in_feature)
        if titles.size == 0:
            continue
        slug, name = meta[column]
        mine = items[in_feature[items]]
        examples = [int(ctx.cat.ids[i]) for i in mine[np.argsort(-weights[in_feature[items]])][:2]]
        ctx.mentioned.update(examples)
        add_evidence(
            ctx,
            titles,
            {"kind": "taste", "feature": name, "count": count, "examples": examples},
        )
        rows.append(
            candidate_row(
                ctx, f"like-{prefix}-{slug}", f"Because you like {name}", titles, prior=0.9
            )
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


def trending_rows(
    ctx: PageContext, pins: dict[str, int | None], trending: list[tuple[int, float, int]]
) -> list[CandidateRow]:
    """Trending now and Top 10 today; `trending` is (title id, score, viewers today), best first."""
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
        rows.append(
            candidate_row(ctx, "trending", "Trending now", trend_items[:SEE_ALL_SIZE], prior=0.8)
        )
    # Top 10 today: ranked among the titles this profile may see, by viewers today.
    today = sorted(((t[2], t[0]) for t in trending if t[2] > 0), key=lambda v: (-v[0], v[1]))
    ranked = []
    for viewers, title_id in today:
        item = int(ctx.cat.index([title_id])[0])
        if item >= 0 and ctx.cat.min_age[item] <= ctx.max_age:
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
            candidate_row(
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


def new_row(ctx: PageContext) -> CandidateRow | None:
    recent = top(ctx, ctx.cat.added_at, ctx.allowed & ~ctx.seen, n=SEE_ALL_SIZE * 2)
    if recent.size == 0:
        return None
    # The newest additions, nudged towards this profile's taste.
    age_days = (ctx.now.timestamp() - ctx.cat.added_at[recent]) / 86400
    score = np.exp2(-np.maximum(age_days, 0) / 60) * (0.6 + 0.4 * ctx.relevance[recent])
    items = recent[np.lexsort((recent, -score))][:SEE_ALL_SIZE]
    for item in items.tolist():
        added = datetime.fromtimestamp(ctx.cat.added_at[item], tz=UTC)
        ctx.pending.setdefault(int(ctx.cat.ids[item]), []).append(
            {"kind": "new", "when": added.isoformat()}
        )
    prior = 1.3 if ctx.intent.mood == "new" else 0.7
    return candidate_row(ctx, "new", "New on Marquee", items, prior=prior)


def my_list_row(ctx: PageContext, pins: dict[str, int | None]) -> CandidateRow | None:
    items = []
    for title_id, added_at in ctx.activity.my_list:
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
    return candidate_row(
        ctx,
        "my-list",
        "My List",
        np.array(items, dtype=np.int64),
        prior=prior,
        claims=True,
        pinned=pins.get("my-list"),
        min_items=1,
    )


def watch_again_row(ctx: PageContext, pins: dict[str, int | None]) -> CandidateRow | None:
    loved = []
    for title_id, progress in ctx.activity.progress.items():
        rating = ctx.activity.ratings.get(title_id)
        if not progress.completed or progress.private or rating is None or rating[0] < LIKED_STARS:
            continue
        if ctx.now - progress.watched_at < WATCH_AGAIN_AFTER:
            continue
        loved.append((title_id, progress, rating[0]))
    rows = []
    places = ctx.cat.index([title_id for title_id, _p, _s in loved]).tolist() if loved else []
    for (title_id, progress, stars), at in zip(loved, places, strict=True):
        if at < 0 or not ctx.allowed[at] or not ctx.fits[at]:
            continue
        rows.append((stars, progress.watched_at, title_id, at, progress.times))
    if not rows:
        return None
    rows.sort(key=lambda r: (-r[0], r[1], r[2]))
    for stars, watched_at, title_id, _at, times in rows:
        ctx.pending.setdefault(title_id, []).append(
            {"kind": "rewatch", "stars": stars, "when": watched_at.isoformat(), "times": times}
        )
    prior = 2.0 if ctx.intent.mood == "favourite" else 0.5
    return candidate_row(
        ctx,
        "watch-again",
        "Watch again",
        np.array([r[3] for r in rows], dtype=np.int64),
        prior=prior,
        pinned=pins.get("watch-again"),
        claims=True,
    )


def popular_rows(ctx: PageContext) -> list[CandidateRow]:
    """Before a profile has signals: the most watched titles of the biggest genres."""
    rows = []
    visible = ctx.allowed & ~ctx.seen
    weight = np.asarray(ctx.cat.genres[visible].sum(axis=0)).ravel()
    for column in np.argsort(-weight, kind="stable")[:4].tolist():
        if weight[column] == 0:
            break
        in_genre = np.zeros(ctx.cat.size, dtype=bool)
        in_genre[ctx.cat.genres[:, column].nonzero()[0]] = True
        items = top(ctx, ctx.cat.popularity + 1e-9 * ctx.cat.added_at, visible & in_genre)
        slug, name = ctx.cat.genre_meta[column]
        for item in items.tolist():
            ctx.pending.setdefault(int(ctx.cat.ids[item]), []).append(
                {"kind": "popular", "feature": name, "viewers": int(ctx.cat.popularity[item])}
            )
        rows.append(candidate_row(ctx, f"popular-{slug}", f"Popular in {name}", items, prior=0.6))
    return rows


def pins(intent: Intent) -> dict[str, int | None]:
    """The rows kept where viewers expect them; a mood moves what it asks for to the top."""
    if intent.mood == "finish":
        return {"continue": 0, "top-picks": 1}
    if intent.mood == "favourite":
        return {"watch-again": 0, "my-list": 1, "continue": 2}
    if intent.mood == "new":
        return {"top-picks": 0}
    return {"continue": 0, "top-picks": 1}
