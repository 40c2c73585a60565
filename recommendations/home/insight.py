"""The title page's match and "More like this", for a profile or for nobody."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
from django.utils import timezone

from accounts.models import Profile
from catalog.models import Title
from catalog.selectors import card_queryset
from recommendations import engine
from recommendations.core import rows as core_rows
from recommendations.core.page.catalogue import Catalogue
from recommendations.core.page.context import PageContext
from recommendations.core.page.intent import Intent
from recommendations.core.train import TrainedModel
from recommendations.home.catalogue import catalogue
from recommendations.home.context import profile_context

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
    model: TrainedModel | None
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


def context_keep(profile: Profile, ctx: PageContext) -> _InsightContext:
    context = _InsightContext(
        cat=ctx.cat,
        model=ctx.model,
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
    model = serving.model if serving is not None else None
    if kept is not None and kept.cat is cat and kept.model is model:
        return kept
    return context_keep(profile, profile_context(profile, Intent()))


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
        _index, unit, has_vector = cat.model_view(serving.version.pk, serving.model)
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
    visible = Title.objects.visible_to(profile).filter(pk__in=ids)
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


def forget() -> None:
    """Drop the contexts this process kept (tests, and memory pressure)."""
    with _insight_contexts_lock:
        _insight_contexts.clear()
