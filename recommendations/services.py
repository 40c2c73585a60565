"""Writes of a profile's signals: ratings, watching, My List, refusals.

Every write that changes what a profile's page shows moves its stamp (`signals_changed`),
in the write's transaction: the next page builds the profile's plan again.
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Profile
from catalog.models import Episode, Title
from recommendations.dates import signal_time_validate
from recommendations.models import (
    HALF_STARS,
    ListItem,
    NotInterested,
    Rating,
    Source,
    TasteExclusion,
    Thumbs,
    WatchEvent,
    WatchProgress,
)

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------
# The profile's stamp
# --------------------------------------------------------------------------------------


def signals_changed(*, profile: Profile) -> None:
    """Move the profile's stamp, in the caller's transaction.

    The next home page built for this profile, in any process, sees a new stamp and
    builds its plan again (recommendations.home.plan), folding in what just changed.
    """
    profile.signals_changed_at = timezone.now()
    # A profile that gave a signal is past onboarding, however it came to give it.
    Profile.objects.filter(pk=profile.pk).update(
        signals_changed_at=profile.signals_changed_at,
        onboarded_at=Coalesce("onboarded_at", profile.signals_changed_at),
    )
    if profile.onboarded_at is None:
        profile.onboarded_at = profile.signals_changed_at


# --------------------------------------------------------------------------------------
# Ratings
# --------------------------------------------------------------------------------------


def stars_to_thumbs(stars: Decimal) -> int:
    if stars <= Decimal("2.5"):
        return Thumbs.DOWN
    if stars < Decimal("4.5"):
        return Thumbs.UP
    return Thumbs.TWO_UP


THUMBS_TO_STARS = {
    Thumbs.DOWN: Decimal("1.0"),
    Thumbs.UP: Decimal("4.0"),
    Thumbs.TWO_UP: Decimal("5.0"),
}


def parse_stars(value: object) -> Decimal:
    """Stars from user input: 0.5 to 5 in half steps, or ValidationError."""
    try:
        stars = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"stars": "Stars must be a number from 0.5 to 5."}) from None
    if not stars.is_finite() or stars not in HALF_STARS:
        raise ValidationError({"stars": "Stars go from 0.5 to 5 in half steps."})
    return stars.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def parse_thumbs(value: object) -> int:
    aliases = {"down": Thumbs.DOWN, "up": Thumbs.UP, "two_up": Thumbs.TWO_UP}
    if isinstance(value, str) and value in aliases:
        return aliases[value]
    try:
        thumbs = int(str(value))
    except ValueError:
        thumbs = None
    if thumbs not in Thumbs.values:
        raise ValidationError({"thumbs": "Thumbs are down, up or two_up."})
    return thumbs


def _check_visible(*, profile: Profile, title: Title) -> None:
    if not title.is_published:
        raise ValidationError({"title": "No such title."}, code="not_found")
    if not title.within_limit(profile):
        raise ValidationError({"title": "This title is above the profile's maturity limit."})


@transaction.atomic
def rating_set(
    *,
    profile: Profile,
    title: Title,
    stars: object = None,
    thumbs: object = None,
    source: str = Source.SITE,
    rated_at: datetime | None = None,
) -> Rating:
    """Rate a title on either scale; the other scale is derived. Re-rating replaces."""
    if (stars is None) == (thumbs is None):
        raise ValidationError("Give either stars or thumbs.")
    if rated_at is not None:
        signal_time_validate(rated_at)
    _check_visible(profile=profile, title=title)
    if stars is not None:
        star_value = parse_stars(stars)
        values = {"stars": star_value, "thumbs": stars_to_thumbs(star_value), "scale": "stars"}
    else:
        thumb_value = parse_thumbs(thumbs)
        values = {"stars": THUMBS_TO_STARS[thumb_value], "thumbs": thumb_value, "scale": "thumbs"}
    values.update(source=source, rated_at=rated_at or timezone.now())
    rating, _created = Rating.objects.update_or_create(
        profile=profile, title=title, defaults=values
    )
    signals_changed(profile=profile)
    return rating


def _mark_add(model: type[Model], *, profile: Profile, title: Title) -> tuple[Model, bool]:
    mark, created = model.objects.get_or_create(profile=profile, title=title)
    if created:
        signals_changed(profile=profile)
    return mark, created


def _mark_remove(model: type[Model], *, profile: Profile, title: Title) -> bool:
    deleted, _ = model.objects.filter(profile=profile, title=title).delete()
    if deleted:
        signals_changed(profile=profile)
    return bool(deleted)


@transaction.atomic
def rating_clear(*, profile: Profile, title: Title) -> bool:
    return _mark_remove(Rating, profile=profile, title=title)


# --------------------------------------------------------------------------------------
# My List, not interested, taste exclusions, private sessions
# --------------------------------------------------------------------------------------


@transaction.atomic
def list_add(*, profile: Profile, title: Title) -> ListItem:
    _check_visible(profile=profile, title=title)
    return _mark_add(ListItem, profile=profile, title=title)[0]


@transaction.atomic
def list_remove(*, profile: Profile, title: Title) -> bool:
    return _mark_remove(ListItem, profile=profile, title=title)


@transaction.atomic
def not_interested_add(*, profile: Profile, title: Title) -> NotInterested:
    _check_visible(profile=profile, title=title)
    return _mark_add(NotInterested, profile=profile, title=title)[0]


@transaction.atomic
def not_interested_remove(*, profile: Profile, title: Title) -> bool:
    return _mark_remove(NotInterested, profile=profile, title=title)


@transaction.atomic
def taste_exclusion_set(*, profile: Profile, title: Title, excluded: bool) -> bool:
    """ "Don't use this for my recommendations" on or off; True when something changed."""
    if excluded:
        return _mark_add(TasteExclusion, profile=profile, title=title)[1]
    return _mark_remove(TasteExclusion, profile=profile, title=title)


def private_session_set(*, profile: Profile, enabled: bool) -> Profile:
    profile.private_session = enabled
    profile.save(update_fields=["private_session"])
    return profile


# --------------------------------------------------------------------------------------
# Watched, by hand
# --------------------------------------------------------------------------------------


def runtime_seconds(title: Title, episode: Episode | None) -> int:
    if episode is not None:
        return episode.runtime_minutes * 60
    minutes = title.runtime_minutes or settings.MARQUEE_DEFAULT_RUNTIME_MINUTES
    return minutes * 60


def series_runtime_seconds(title_id: int) -> int:
    total = Episode.objects.filter(season__title_id=title_id).aggregate(
        total=Sum("runtime_minutes")
    )
    return max(60, (total["total"] or 0) * 60)


@transaction.atomic
def watch_mark_watched(*, profile: Profile, title: Title) -> WatchProgress:
    """ "Mark as watched": a finished viewing without playing it, and a signal."""
    _check_visible(profile=profile, title=title)
    runtime = series_runtime_seconds(title.pk) if title.is_series else runtime_seconds(title, None)
    now = timezone.now()
    row, _created = WatchProgress.objects.select_for_update().get_or_create(
        profile=profile,
        title=title,
        episode=None,
        defaults={"runtime_seconds": runtime, "started_at": now, "last_watched_at": now},
    )
    threshold = row.runtime_seconds * settings.MARQUEE_COMPLETED_AT
    if row.furthest_position < threshold:
        row.times_completed += 1
    row.completed = True
    row.completed_at = row.completed_at or now
    row.furthest_position = row.last_position = row.runtime_seconds
    row.percent = 100.0
    row.last_watched_at = now
    row.last_event_kind = WatchEvent.Kind.STOP
    row.is_private = False
    row.save()
    signals_changed(profile=profile)
    return row


@transaction.atomic
def continue_remove(*, profile: Profile, title: Title) -> bool:
    """ "Remove from row": Continue watching forgets the title, its progress stays.

    Watching it again brings it back (the heartbeat clears the flag).
    """
    hidden = WatchProgress.objects.filter(
        profile=profile, title=title, episode__isnull=True, hidden_from_continue=False
    ).update(hidden_from_continue=True)
    if hidden:
        signals_changed(profile=profile)
    return bool(hidden)


@transaction.atomic
def history_remove(*, profile: Profile, title: Title) -> bool:
    """Forget that the profile watched a title: progress, episodes and the event log."""
    deleted, _ = WatchProgress.objects.filter(profile=profile, title=title).delete()
    WatchEvent.objects.filter(profile=profile, title=title).delete()
    if deleted:
        signals_changed(profile=profile)
    return bool(deleted)
