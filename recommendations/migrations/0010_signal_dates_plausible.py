"""Clamp signal dates stored before they were checked (recommendations.dates) to 1870–now.

A rating imported as "0001-01-01T00:00:00+05:00" was stored by PostgreSQL as the year 0,
which no driver can read back: every page reading the profile's signals failed. Plain
UPDATEs, so that such rows are fixed without ever being loaded into Python.
"""

from datetime import UTC, datetime, timedelta

from django.db import migrations
from django.utils import timezone

EARLIEST = datetime(1870, 1, 1, tzinfo=UTC)
SIGNAL_DATES = {
    "Rating": ["rated_at"],
    "WatchProgress": ["started_at", "last_watched_at", "completed_at"],
    "WatchEvent": ["occurred_at"],
}


def clamp_signal_dates(apps, schema_editor):
    now = timezone.now()
    latest = now + timedelta(days=1)
    for model_name, fields in SIGNAL_DATES.items():
        model = apps.get_model("recommendations", model_name)
        for field in fields:
            model.objects.filter(**{f"{field}__lt": EARLIEST}).update(**{field: EARLIEST})
            model.objects.filter(**{f"{field}__gt": latest}).update(**{field: now})


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0009_stale_candidates_schedule")]

    operations = [migrations.RunPython(clamp_signal_dates, migrations.RunPython.noop)]
