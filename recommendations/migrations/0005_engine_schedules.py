"""Seed the engine's periodic tasks: a nightly retrain, and a retrain after many new signals."""

from django.db import migrations

NIGHTLY = ("Retrain the recommendation model nightly", "recommendations.tasks.train_model")
STALE = ("Retrain after many new signals", "recommendations.tasks.retrain_if_stale")


def add_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    nightly, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="3", day_of_week="*", day_of_month="*", month_of_year="*"
    )
    PeriodicTask.objects.get_or_create(
        name=NIGHTLY[0], defaults={"task": NIGHTLY[1], "crontab": nightly, "enabled": True}
    )
    every, _ = IntervalSchedule.objects.get_or_create(every=15, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=STALE[0], defaults={"task": STALE[1], "interval": every, "enabled": True}
    )


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[NIGHTLY[0], STALE[0]]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0004_model_versions"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedules, remove_schedules)]
