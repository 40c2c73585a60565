"""Seed the periodic tasks into django-celery-beat, where curators can edit them in the admin."""

from django.db import migrations

SCHEDULES = [
    # (name, task, minutes between runs)
    ("Refresh trending titles", "recommendations.tasks.refresh_trending", 60),
]


def add_schedules(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minutes in SCHEDULES:
        every, _ = IntervalSchedule.objects.get_or_create(every=minutes, period="minutes")
        PeriodicTask.objects.get_or_create(
            name=name, defaults={"task": task, "interval": every, "enabled": True}
        )


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, _task, _minutes in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0002_trending"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedules, remove_schedules)]
