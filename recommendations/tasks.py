"""Celery tasks: thin wrappers that take ids and call the engine or the services."""

from __future__ import annotations

from celery import chord, group, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from accounts.models import Profile
from recommendations import engine, selectors, services
from recommendations.core import train as core_train
from recommendations.models import ModelVersion

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(
    acks_late=True,
    time_limit=120,
    soft_time_limit=100,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=5,
)
def refresh_profile_recommendations(profile_id: int) -> dict[str, int]:
    return services.profile_recommendations_refresh(profile_id=profile_id)


@shared_task(
    acks_late=True,
    time_limit=3 * 60 * 60,
    soft_time_limit=3 * 60 * 60 - 300,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=2,
)
def train_model(svd: dict | None = None, ranker: dict | None = None) -> int | None:
    """Train a new version; a second request while one trains is skipped (single flight).

    `svd` and `ranker` are the fields of SVDParams and RankerParams (`manage.py train`'s
    options); without them the defaults apply.
    """
    version = engine.model_train(
        svd=core_train.SVDParams(**svd) if svd else None,
        ranker=core_train.RankerParams(**ranker) if ranker else None,
    )
    if version is not None and version.status == ModelVersion.Status.ACTIVE:
        precompute_recommendations.delay()
    return version.pk if version else None


@shared_task(
    acks_late=True, time_limit=600, soft_time_limit=570, autoretry_for=TRANSIENT, max_retries=3
)
def refresh_profiles(profile_ids: list[int]) -> int:
    return sum(
        services.profile_recommendations_refresh(profile_id=pk).get("candidates", 0) > 0
        for pk in profile_ids
    )


@shared_task(acks_late=True, time_limit=60, soft_time_limit=50)
def precompute_done(counts: list[int]) -> int:
    return sum(counts)


@shared_task(
    acks_late=True, time_limit=120, soft_time_limit=100, autoretry_for=TRANSIENT, max_retries=3
)
def precompute_recommendations(chunk_size: int = 500) -> int:
    """Refresh every profile's candidates, in chunks that several workers share (a chord)."""
    ids = list(Profile.objects.order_by("pk").values_list("pk", flat=True))
    chunks = [ids[start : start + chunk_size] for start in range(0, len(ids), chunk_size)]
    if not chunks:
        return 0
    chord(group(refresh_profiles.s(chunk) for chunk in chunks))(precompute_done.s())
    return len(chunks)


@shared_task(
    acks_late=True, time_limit=60, soft_time_limit=50, autoretry_for=TRANSIENT, max_retries=3
)
def retrain_if_stale() -> bool:
    """Retrain once MARQUEE_RETRAIN_AFTER_SIGNALS new signals arrived since the active model."""
    active = ModelVersion.objects.filter(status=ModelVersion.Status.ACTIVE).first()
    seen = active.signals_seen if active else 0
    if engine.signals_count() - seen < settings.MARQUEE_RETRAIN_AFTER_SIGNALS:
        return False
    train_model.delay()
    return True


@shared_task(
    acks_late=True,
    time_limit=600,
    soft_time_limit=540,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    max_retries=3,
)
def refresh_trending() -> int:
    return services.trending_refresh()


# Profiles refreshed per run of refresh_stale_candidates: a run stays well inside its
# time limit, and a backlog drains over a few runs.
STALE_CANDIDATES_PER_RUN = 200


@shared_task(
    acks_late=True, time_limit=600, soft_time_limit=540, autoretry_for=TRANSIENT, max_retries=3
)
def refresh_stale_candidates(limit: int = STALE_CANDIDATES_PER_RUN) -> int:
    """Refresh profiles whose refresh after a signal was lost (beat, every 5 minutes)."""
    serving = engine.serving_model()
    if serving is None:
        return 0
    stale = selectors.profiles_with_stale_candidates(version_id=serving.version.pk, limit=limit)
    return refresh_profiles(stale)
