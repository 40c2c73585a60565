"""The one reader of profiles' signals: what each did, with times, as `core.page.Activity`.

The home page reads one profile; training reads every profile, a chunk of profiles at a
time so that memory follows the chunk, not the instance. Both read the same columns with
the same code, so what the model learns from and what a page folds in cannot disagree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Profile
from recommendations.core.page.activity import Activity, Progress
from recommendations.models import ListItem, NotInterested, Rating, TasteExclusion, WatchProgress

# Profiles read together when reading them all: five queries a chunk.
CHUNK = 2000


def is_abandoned(
    completed: bool, percent: float, last_watched_at: datetime, quiet_since: datetime
) -> bool:
    return (
        not completed
        and percent < 100 * settings.MARQUEE_ABANDONED_BELOW
        and last_watched_at < quiet_since
    )


def activity_read(profile: Profile) -> Activity:
    """One profile's signals: five queries of tuples."""
    return _read([profile.pk])[profile.pk]


def activities_read(*, profile_ids: Iterable[int] | None = None) -> Iterator[Activity]:
    """Every profile's signals (or those of `profile_ids`), a chunk of profiles at a time."""
    if profile_ids is None:
        ids = list(Profile.objects.order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted(set(profile_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        read = _read(chunk)
        for pk in chunk:
            yield read[pk]


def _read(profile_ids: list[int]) -> dict[int, Activity]:
    # Streamed tuples (`values_list`), never model instances: training reads every
    # rating on the instance through here.
    single = len(profile_ids) == 1
    only = {"profile_id": profile_ids[0]} if single else {"profile_id__in": profile_ids}

    def streamed(query: QuerySet) -> Iterable[tuple]:
        # A server-side cursor keeps training's memory to a chunk; for one profile's few
        # hundred rows its extra round trips cost more than the rows.
        return query if single else query.iterator(chunk_size=20_000)

    quiet_since = timezone.now() - timedelta(days=settings.MARQUEE_ABANDONED_AFTER_DAYS)
    ratings: dict[int, dict] = defaultdict(dict)
    for profile_id, title_id, stars, thumbs, scale, rated_at in streamed(
        Rating.objects.filter(**only)
        .order_by()
        .values_list("profile_id", "title_id", "stars", "thumbs", "scale", "rated_at")
    ):
        ratings[profile_id][title_id] = (float(stars), thumbs, scale, rated_at)
    progress: dict[int, dict] = defaultdict(dict)
    resume: dict[int, dict] = defaultdict(dict)
    rows = (
        WatchProgress.objects.filter(episode__isnull=True, **only)
        .order_by()
        .values_list(
            "profile_id",
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
        )
    )
    for row in streamed(rows):
        profile_id, title_id, percent, completed, watched_at = row[:5]
        hidden, completed_at, times, private, position, season, episode = row[5:]
        if episode is not None:
            resume[profile_id][title_id] = (f"S{season}:E{episode}", position)
        progress[profile_id][title_id] = Progress(
            percent,
            completed,
            watched_at,
            hidden,
            completed_at,
            times,
            private,
            is_abandoned(completed, percent, watched_at, quiet_since),
        )
    listed: dict[int, list] = defaultdict(list)
    for profile_id, title_id, added_at in (
        ListItem.objects.filter(**only)
        .order_by("-added_at", "-id")
        .values_list("profile_id", "title_id", "added_at")
    ):
        listed[profile_id].append((title_id, added_at))
    refused: dict[int, list] = defaultdict(list)
    for profile_id, title_id in NotInterested.objects.filter(**only).values_list(
        "profile_id", "title_id"
    ):
        refused[profile_id].append(title_id)
    excluded: dict[int, set] = defaultdict(set)
    for profile_id, title_id in TasteExclusion.objects.filter(**only).values_list(
        "profile_id", "title_id"
    ):
        excluded[profile_id].add(title_id)
    return {
        pk: Activity(
            profile=pk,
            ratings=ratings[pk],
            progress=progress[pk],
            my_list=listed[pk],
            not_interested=tuple(refused[pk]),
            excluded=frozenset(excluded[pk]),
            resume=resume[pk],
        )
        for pk in profile_ids
    }
