"""Celery tasks: thin wrappers that take ids and call the engine or the services."""

from __future__ import annotations

from celery import chord, group, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from recommendations import engine, trending
from recommendations.core import train as core_train
from recommendations.home import catalogue as home_catalogue
from recommendations.home import plan as plans
from recommendations.media_servers import sync
from recommendations.models import MediaServer, ModelVersion

TRANSIENT = (OperationalError, InterfaceError)


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
def warm_plans(profile_ids: list[int]) -> int:
    return plans.plans_warm(profile_ids=profile_ids)


@shared_task(acks_late=True, time_limit=60, soft_time_limit=50)
def precompute_done(counts: list[int]) -> int:
    return sum(counts)


@shared_task(
    acks_late=True, time_limit=120, soft_time_limit=100, autoretry_for=TRANSIENT, max_retries=3
)
def precompute_recommendations(chunk_size: int = 500) -> int:
    """Build the new model's plans of recently active profiles, in chunks (a chord).

    The same plans, by the same code, as a page builds on a cache miss: the first page
    after an activation is then served from the cache instead of waiting for its plan.
    """
    ids = plans.profiles_recently_active()
    chunks = [ids[start : start + chunk_size] for start in range(0, len(ids), chunk_size)]
    if not chunks:
        return 0
    chord(group(warm_plans.s(chunk) for chunk in chunks))(precompute_done.s())
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
    return trending.trending_refresh()


@shared_task(
    acks_late=True, time_limit=600, soft_time_limit=540, autoretry_for=TRANSIENT, max_retries=3
)
def refresh_catalogue_arrays() -> int:
    """Rebuild the catalogue's arrays (asked by a page after a change; beat, every 15 min)."""
    return home_catalogue.catalogue_refresh().pk


@shared_task(acks_late=True, time_limit=2 * 60 * 60, soft_time_limit=2 * 60 * 60 - 120)
def media_server_sync(server_id: int) -> str | None:
    """Read one media server's library and its users' played state."""
    report = sync.sync_run(server_id, timeout=settings.MARQUEE_MEDIA_SERVER_TIMEOUT)
    return report.summary() if report else None


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def media_servers_sync() -> int:
    """Beat's: a sync of every server that has an API key, one task each."""
    ids = list(
        MediaServer.objects.exclude(api_key_sealed="").order_by("pk").values_list("pk", flat=True)
    )
    for server_id in ids:
        media_server_sync.delay(server_id)
    return len(ids)
