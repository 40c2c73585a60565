"""Trending: what the instance watched lately, refreshed on the beat."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from recommendations.models import (
    TrendingTitle,
    WatchProgress,
)

# --------------------------------------------------------------------------------------
# Trending
# --------------------------------------------------------------------------------------

TRENDING_WINDOW = timedelta(days=7)
TRENDING_HALF_LIFE_HOURS = 36.0


@transaction.atomic
def trending_refresh(*, now: datetime | None = None) -> int:
    """Rebuild the trending table from the last week's viewing; return how many titles.

    Each profile that watched a title counts once, weighted by how recently it watched:
    the weight halves every TRENDING_HALF_LIFE_HOURS. Private viewing does not count.
    """
    now = now or timezone.now()
    recent = WatchProgress.objects.filter(
        episode__isnull=True,
        is_private=False,
        title__is_published=True,
        last_watched_at__gte=now - TRENDING_WINDOW,
        last_watched_at__lte=now,
    ).values_list("title_id", "last_watched_at")
    scores: dict[int, float] = {}
    today: dict[int, int] = {}
    decay = math.log(2) / TRENDING_HALF_LIFE_HOURS
    for title_id, watched_at in recent.iterator(chunk_size=5000):
        age_hours = (now - watched_at).total_seconds() / 3600
        scores[title_id] = scores.get(title_id, 0.0) + math.exp(-decay * age_hours)
        if age_hours < 24:
            today[title_id] = today.get(title_id, 0) + 1
    TrendingTitle.objects.all().delete()
    TrendingTitle.objects.bulk_create(
        [
            TrendingTitle(
                title_id=title_id,
                score=round(score, 6),
                viewers_today=today.get(title_id, 0),
                computed_at=now,
            )
            for title_id, score in scores.items()
        ],
        batch_size=2000,
    )
    return len(scores)
