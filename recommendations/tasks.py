from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from recommendations import services


@shared_task(
    acks_late=True,
    time_limit=120,
    soft_time_limit=100,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def refresh_profile_recommendations(profile_id: int) -> dict[str, int]:
    return services.profile_recommendations_refresh(profile_id=profile_id)


@shared_task(
    acks_late=True,
    time_limit=600,
    soft_time_limit=540,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def refresh_trending() -> int:
    return services.trending_refresh()
