"""The recommendation engine's Django side: read signals, train, evaluate, gate, serve.

The numbers are computed by the framework-free `recommendations.core`; this module moves
data between the database, storage and the core, and keeps the versions' bookkeeping.
"""

from __future__ import annotations

import io
import logging
import threading
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Profile
from catalog.models import Title
from catalog.selectors import title_visible_queryset
from recommendations.core import artifact as core_artifact
from recommendations.core import evaluate as core_evaluate
from recommendations.core import fold_in as core_fold_in
from recommendations.core import score as core_score
from recommendations.core import signals as core_signals
from recommendations.core import train as core_train
from recommendations.models import (
    ListItem,
    ModelVersion,
    NotInterested,
    ProfileCandidates,
    Rating,
    TasteExclusion,
    WatchProgress,
)

logger = logging.getLogger(__name__)

ACTIVE_CACHE_KEY = "marquee:active-model-version"
# With a shared cache (REDIS_CACHE_URL) every process sees an activation at once; with the
# default per-process cache, each one asks the database again after this many seconds.
ACTIVE_CACHE_SECONDS = 30
CANDIDATES = 200
# A training row older than this is a worker that died: it no longer holds the lock.
TRAINING_TIMEOUT = timedelta(hours=2)
GATE_TOLERANCE = 0.02

Progress = Callable[[str], None]


# --------------------------------------------------------------------------------------
# Reading signals
# --------------------------------------------------------------------------------------


def is_abandoned(
    completed: bool, percent: float, last_watched_at: object, quiet_since: object
) -> bool:
    return (
        not completed
        and percent < 100 * settings.MARQUEE_ABANDONED_BELOW
        and last_watched_at < quiet_since
    )


def feedback_read(
    *, profile_ids: Iterable[int] | None = None
) -> list[core_signals.ProfileFeedback]:
    """Every profile's feedback as the core's plain dataclasses.

    Five queries of tuples (`values_list`, streamed), never model instances: this runs over
    every rating on the instance.
    """
    only = {"profile_id__in": list(profile_ids)} if profile_ids is not None else {}
    stars: dict[int, list[tuple[int, float]]] = defaultdict(list)
    thumbs: dict[int, list[tuple[int, int]]] = defaultdict(list)
    viewings: dict[int, list[core_signals.Viewing]] = defaultdict(list)
    my_list: dict[int, list[int]] = defaultdict(list)
    refused: dict[int, list[int]] = defaultdict(list)
    excluded: dict[int, set[int]] = defaultdict(set)

    ratings = Rating.objects.filter(**only).values_list(
        "profile_id", "title_id", "stars", "thumbs", "scale"
    )
    for profile_id, title_id, star, thumb, scale in ratings.iterator(chunk_size=20_000):
        if scale == Rating.Scale.THUMBS:
            thumbs[profile_id].append((title_id, thumb))
        else:
            stars[profile_id].append((title_id, float(star)))

    quiet_since = timezone.now() - timedelta(days=settings.MARQUEE_ABANDONED_AFTER_DAYS)
    progress = WatchProgress.objects.filter(episode__isnull=True, **only).values_list(
        "profile_id",
        "title_id",
        "percent",
        "completed",
        "times_completed",
        "last_watched_at",
        "is_private",
    )
    for profile_id, title_id, percent, completed, times, watched_at, private in progress.iterator(
        chunk_size=20_000
    ):
        viewings[profile_id].append(
            core_signals.Viewing(
                item=title_id,
                percent=percent,
                completed=completed,
                times_completed=times,
                abandoned=is_abandoned(completed, percent, watched_at, quiet_since),
                private=private,
            )
        )
    for model, target in ((ListItem, my_list), (NotInterested, refused)):
        for profile_id, title_id in model.objects.filter(**only).values_list(
            "profile_id", "title_id"
        ):
            target[profile_id].append(title_id)
    for profile_id, title_id in TasteExclusion.objects.filter(**only).values_list(
        "profile_id", "title_id"
    ):
        excluded[profile_id].add(title_id)

    profiles = Profile.objects.values_list("pk", flat=True)
    if profile_ids is not None:
        profiles = profiles.filter(pk__in=list(only["profile_id__in"]))
    return [
        core_signals.ProfileFeedback(
            profile=pk,
            stars=tuple(stars[pk]),
            thumbs=tuple(thumbs[pk]),
            viewings=tuple(viewings[pk]),
            my_list=tuple(my_list[pk]),
            not_interested=tuple(refused[pk]),
            excluded=frozenset(excluded[pk]),
        )
        for pk in profiles
    ]


def signals_count() -> int:
    """How many signals the instance holds; the retrain trigger compares it over time."""
    return (
        Rating.objects.count()
        + WatchProgress.objects.filter(episode__isnull=True, is_private=False).count()
        + ListItem.objects.count()
        + NotInterested.objects.count()
    )


def training_data_read() -> core_signals.TrainingData:
    catalogue = Title.objects.filter(is_published=True).values_list("pk", flat=True)
    return core_signals.build_training_data(feedback_read(), catalogue=list(catalogue))


# --------------------------------------------------------------------------------------
# The quality gate
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GateDecision:
    passed: bool
    reason: str


def quality_gate(
    candidate: dict, active: dict | None, *, tolerance: float = GATE_TOLERANCE
) -> GateDecision:
    """May a newly trained model replace the active one?

    Its NDCG@10 must not be below MostPopular's on the same split, and neither its RMSE nor
    its NDCG@10 may be worse than the active model's by more than `tolerance` (relative).
    """
    ndcg = candidate["ranking"]["ours"]["ndcg"]
    popular = candidate["ranking"]["most_popular"]["ndcg"]
    if ndcg < popular:
        return GateDecision(False, f"NDCG@10 {ndcg:.4f} is below MostPopular's {popular:.4f}.")
    if active:
        rmse, active_rmse = candidate["rating"]["rmse"], active["rating"]["rmse"]
        active_ndcg = active["ranking"]["ours"]["ndcg"]
        if rmse > active_rmse * (1 + tolerance):
            return GateDecision(
                False, f"RMSE {rmse:.4f} is worse than the active model's {active_rmse:.4f}."
            )
        if ndcg < active_ndcg * (1 - tolerance):
            return GateDecision(
                False, f"NDCG@10 {ndcg:.4f} is worse than the active model's {active_ndcg:.4f}."
            )
    return GateDecision(True, "")


# --------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------


def _lock() -> ModelVersion | None:
    """The single-flight lock: a TRAINING row; None when another training holds it."""
    stale = ModelVersion.objects.filter(
        status=ModelVersion.Status.TRAINING, created_at__lt=timezone.now() - TRAINING_TIMEOUT
    )
    stale.update(status=ModelVersion.Status.FAILED, error="Training did not finish in time.")
    try:
        with transaction.atomic():
            return ModelVersion.objects.create(status=ModelVersion.Status.TRAINING)
    except IntegrityError:
        return None


def _report_metrics(report: core_evaluate.ProtocolReport, ours: str) -> dict:
    ranking = {name: asdict(metrics) for name, metrics in report.ranking.items()}
    ranking["ours"] = ranking[ours]
    return {
        "rating": asdict(report.rating),
        "ranking": ranking,
        "blend_weights": asdict(report.blend_weights) if report.blend_weights else None,
    }


# EASE inverts a dense items × items matrix: better rankings (ML-1M NDCG@10 0.38 against
# PureSVD's 0.35, blended) but memory grows with the square of the catalogue.
EASE_MAX_ITEMS = 20_000


def default_ranker(*, n_items: int) -> core_train.RankerParams:
    kind = "ease" if n_items <= EASE_MAX_ITEMS else "puresvd"
    return core_train.RankerParams(kind=kind)


def model_train(
    *,
    svd: core_train.SVDParams | None = None,
    ranker: core_train.RankerParams | None = None,
    progress: Progress | None = None,
) -> ModelVersion | None:
    """Train, evaluate and gate a new version; activate it when it passes.

    Returns None, doing nothing, when another training is running (single flight). A
    failure marks the version failed with the error, and the active version keeps serving.
    """
    say = progress or (lambda phase: None)
    version = _lock()
    if version is None:
        logger.info("Training skipped: another training is running.")
        return None
    svd = svd or core_train.SVDParams(random_state=0)
    timings: dict[str, float] = {}
    try:
        clock = timezone.now()
        say("read")
        before = signals_count()
        data = training_data_read()
        timings["read"] = (timezone.now() - clock).total_seconds()
        ranker = ranker or default_ranker(n_items=data.n_items)

        clock = timezone.now()
        say("evaluate")
        report = core_evaluate.run_protocol(
            data, svd=svd, rankers={"ranker": ranker}, blend_with="ranker", random_state=0
        )
        timings["evaluate"] = (timezone.now() - clock).total_seconds()
        metrics = _report_metrics(report, "blend" if "blend" in report.ranking else "ranker")

        clock = timezone.now()
        say("train")
        model = core_train.train(data, svd=svd, ranker=ranker)
        timings.update({f"train_{k}": v for k, v in model.timings.items()})
        timings["train"] = (timezone.now() - clock).total_seconds()

        say("save")
        path = artifact_store(version=version, model=model, metrics=metrics)

        say("gate")
        active = ModelVersion.objects.filter(status=ModelVersion.Status.ACTIVE).first()
        decision = quality_gate(metrics, active.metrics if active else None)
        version.params = dict(model.params)
        version.data_counts = dict(model.counts)
        version.metrics = metrics
        version.timings = timings
        version.artifact = path
        version.signals_seen = before
        version.trained_at = timezone.now()
        version.status = ModelVersion.Status.READY
        version.gate_reason = decision.reason
        version.save()
        if decision.passed:
            version_activate(version=version)
        return version
    except ValueError as exc:
        # Not enough data (no ratings yet, a catalogue without feedback): an expected state
        # of a young instance, recorded on the version rather than crashing the worker.
        _failed(version, exc, timings)
        return version
    except Exception as exc:
        _failed(version, exc, timings)
        raise


def artifact_store(*, version: ModelVersion, model: core_train.TrainedModel, metrics: dict) -> str:
    """Write the version's model file (arrays and JSON, never a pickle); return its path."""
    buffer = io.BytesIO()
    core_artifact.save_model(
        buffer,
        model,
        version=str(version.pk),
        created_at=timezone.now().isoformat(),
        extra={"metrics": metrics},
    )
    return default_storage.save(f"models/model-{version.pk}.npz", ContentFile(buffer.getvalue()))


def _failed(version: ModelVersion, exc: BaseException, timings: dict[str, float]) -> None:
    version.status = ModelVersion.Status.FAILED
    version.error = "".join(traceback.format_exception_only(exc)).strip()
    version.timings = timings
    version.save()


@transaction.atomic
def version_activate(*, version: ModelVersion) -> ModelVersion:
    """Make `version` the one that serves; the previous active version is retired."""
    if version.status not in (ModelVersion.Status.READY, ModelVersion.Status.RETIRED):
        raise ValueError(f"Only a ready or retired version can be activated, not {version.status}.")
    ModelVersion.objects.filter(status=ModelVersion.Status.ACTIVE).update(
        status=ModelVersion.Status.RETIRED
    )
    version.status = ModelVersion.Status.ACTIVE
    version.activated_at = timezone.now()
    version.save(update_fields=["status", "activated_at"])
    transaction.on_commit(lambda: cache.set(ACTIVE_CACHE_KEY, version.pk, ACTIVE_CACHE_SECONDS))
    return version


# --------------------------------------------------------------------------------------
# Serving
# --------------------------------------------------------------------------------------

_loaded: dict[str, object] = {}
_loading = threading.Lock()


@dataclass(frozen=True)
class ServingModel:
    version: ModelVersion
    model: core_train.TrainedModel
    weights: core_score.BlendWeights | None


def active_version_id() -> int | None:
    version_id = cache.get(ACTIVE_CACHE_KEY)
    if version_id is None:
        version_id = (
            ModelVersion.objects.filter(status=ModelVersion.Status.ACTIVE)
            .values_list("pk", flat=True)
            .first()
        )
        # "None" is cached too, so an instance without a model doesn't query every request.
        cache.set(ACTIVE_CACHE_KEY, version_id or 0, ACTIVE_CACHE_SECONDS)
    return version_id or None


def serving_model() -> ServingModel | None:
    """The active model, loaded once per process and reloaded when another one is activated.

    None when no model is active or its artifact cannot be read (logged once per version);
    callers fall back to popularity.
    """
    version_id = active_version_id()
    if version_id is None:
        return None
    current = _loaded.get("serving")
    if isinstance(current, ServingModel) and current.version.pk == version_id:
        return current
    if _loaded.get("failed") == version_id:
        return None
    with _loading:
        version = ModelVersion.objects.filter(pk=version_id).first()
        if version is None:
            return None
        try:
            with default_storage.open(version.artifact, "rb") as handle:
                loaded = core_artifact.load_model(io.BytesIO(handle.read()))
        except (OSError, core_artifact.ArtifactError, ValueError) as exc:
            logger.error("Model %s cannot be loaded from %r: %s", version.pk, version.artifact, exc)
            _loaded["failed"] = version_id
            return None
        weights = (version.metrics or {}).get("blend_weights")
        serving = ServingModel(
            version=version,
            model=loaded.model,
            weights=core_score.BlendWeights(**weights) if weights else None,
        )
        _loaded["serving"] = serving
        return serving


def profile_candidates_refresh(*, profile_id: int) -> ProfileCandidates | None:
    """Fold the profile's current feedback into the active model; store its top candidates."""
    serving = serving_model()
    if serving is None:
        return None
    profile = Profile.objects.filter(pk=profile_id).first()
    if profile is None:
        return None
    feedback = feedback_read(profile_ids=[profile_id])[0]
    signals = core_signals.derive_signals(feedback)
    model = serving.model
    state = core_fold_in.fold_in(model, signals)
    # Everything the profile may not see (unpublished since training, above its maturity
    # limit) or asked not to see is masked out, so candidates never need filtering again.
    visible = np.fromiter(
        title_visible_queryset(profile=profile).values_list("pk", flat=True), dtype=np.int64
    )
    visible_index = model.item_index(visible)
    exclude = np.ones(model.n_items, dtype=bool)
    exclude[visible_index[visible_index >= 0]] = False
    hidden = model.item_index(np.array(feedback.not_interested, dtype=np.int64))
    exclude[hidden[hidden >= 0]] = True
    result = core_score.recommend(
        model, state, n=CANDIDATES, exclude=exclude, weights=serving.weights
    )
    candidates, _ = ProfileCandidates.objects.update_or_create(
        profile=profile,
        defaults={
            "version": serving.version,
            "title_ids": [int(i) for i in result.item_ids],
            "scores": [round(float(s), 6) for s in result.scores],
            "predicted_stars": [round(float(r), 2) for r in result.predicted_ratings],
            "match": [int(m) for m in result.match],
            "computed_at": timezone.now(),
        },
    )
    return candidates
