"""When a signal (a rating, a viewing) can have happened: not before cinema, not tomorrow.

A rating imported as "0001-01-01T00:00:00+05:00" is the year 0 in UTC: PostgreSQL stores
it, and then no driver can read it back, so every page that reads the profile's signals
fails until the row is deleted. Each way a date enters (an import, the API) checks it
here, and migration 0009 clamped the rows stored before.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from catalog.models import MIN_YEAR

# The catalogue's own earliest year: nothing could be watched before it.
EARLIEST = datetime(MIN_YEAR, 1, 1, tzinfo=UTC)
# Clocks and time zones disagree by hours; a day covers every zone.
FUTURE_SLACK = timedelta(days=1)


def signal_time_validate(moment: datetime) -> None:
    """Refuse a time before 1870 or more than a day ahead of now.

    Raises:
        ValidationError: code "too_early" or "in_future".
    """
    # Aware datetimes compare without converting to UTC, so even year 1 with an offset
    # (which has no UTC datetime) is compared safely.
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment < EARLIEST:
        raise ValidationError(f"A date before {MIN_YEAR} is not plausible.", code="too_early")
    if moment > timezone.now() + FUTURE_SLACK:
        raise ValidationError("This date is in the future.", code="in_future")
