"""The recommendation engine's Django side: read signals, train, evaluate, gate, serve.

The numbers are computed by the framework-free `recommendations.core`; this module moves
data between the database, storage and the core, and keeps the versions' bookkeeping.
"""

from __future__ import annotations

import io
import logging
import secrets
import threading
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import IntegrityError, close_old_connections, connections, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from catalog.models import Title
from recommendations.activity import activities_read
from recommendations.core import artifact as core_artifact
from recommendations.core import evaluate as core_evaluate
from recommendations.core import score as core_score
from recommendations.core import signals as core_signals
from recommendations.core import train as core_train
from recommendations.memo import ProcessMemo
from recommendations.models import (
    ListItem,
    ModelVersion,
    NotInterested,
    Rating,
    WatchProgress,
)

logger = logging.getLogger(__name__)

ACTIVE_CACHE_KEY = "marquee:active-model-version"
# With a shared cache (REDIS_CACHE_URL) every process sees an activation at once; with the
# default per-process cache, each one asks the database again after this many seconds.
ACTIVE_CACHE_SECONDS = 30
# In front of the shared cache, in each process: every request asks, activations are rare.
# An activation in this process is seen at once (version_activate sets the memo); one in
# another process up to this many seconds after the shared cache has it.
ACTIVE_MEMO_SECONDS = 5
_active_memo: ProcessMemo[int | None] = ProcessMemo(ACTIVE_MEMO_SECONDS)
# When the active model's file cannot be read, this many earlier versions are tried.
FALLBACK_VERSIONS = 3
GATE_TOLERANCE = 0.02

Progress = Callable[[str], None]


# --------------------------------------------------------------------------------------
# Reading signals
# --------------------------------------------------------------------------------------


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
    feedback = [activity.feedback for activity in activities_read()]
    return core_signals.build_training_data(feedback, catalogue=list(catalogue))


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


def _lease_seconds() -> int:
    return settings.MARQUEE_TRAINING_LEASE_SECONDS


def _lock() -> ModelVersion | None:
    """The single-flight lock: a TRAINING row; None when a live training holds it.

    The lock is a lease: the training renews `heartbeat_at` while it runs (`_Lease`). A
    row whose lease lapsed belongs to a worker that was killed or lost its database; it is
    marked failed here so that this training can take the lock.
    """
    now = timezone.now()
    lapsed = now - timedelta(seconds=_lease_seconds())
    stale = ModelVersion.objects.alias(beat=Coalesce("heartbeat_at", "created_at")).filter(
        status=ModelVersion.Status.TRAINING, beat__lt=lapsed
    )
    for version_id in stale.values_list("pk", flat=True):
        logger.warning("Training %s stopped sending heartbeats: marked failed.", version_id)
    stale.update(
        status=ModelVersion.Status.FAILED,
        error=(
            "The worker stopped while training: no heartbeat for "
            f"{_lease_seconds()} seconds (killed, or lost its database)."
        ),
    )
    try:
        with transaction.atomic():
            return ModelVersion.objects.create(
                status=ModelVersion.Status.TRAINING, heartbeat_at=now
            )
    except IntegrityError:
        return None


class LeaseLost(RuntimeError):
    """Another process decided this training was dead and released its lock."""


class _Lease:
    """Keeps a training's lock alive: renews its heartbeat from a thread, and per phase.

    The thread stops with the process, so a killed worker's lease lapses after
    MARQUEE_TRAINING_LEASE_SECONDS and the next training takes over. A renewal that finds
    the row no longer training means the lease was taken away: the training stops at its
    next phase instead of activating a model nobody waits for.
    """

    def __init__(self, version: ModelVersion) -> None:
        self.version_id = version.pk
        self.interval = max(0.2, _lease_seconds() / 5)
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"training-lease-{version.pk}", daemon=True
        )

    def renew(self) -> None:
        held = ModelVersion.objects.filter(
            pk=self.version_id, status=ModelVersion.Status.TRAINING
        ).update(heartbeat_at=timezone.now())
        if not held:
            self.lost = True

    def check(self) -> None:
        if self.lost:
            raise LeaseLost(f"Training {self.version_id} lost its lease.")

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    self.renew()
                except Exception:  # a database blip: the next beat tries again
                    logger.warning("Training %s: heartbeat failed.", self.version_id)
                    close_old_connections()
        finally:
            connections.close_all()

    def __enter__(self) -> _Lease:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


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
    version = _lock()
    if version is None:
        logger.info("Training skipped: another training is running.")
        return None
    svd = svd or core_train.SVDParams(random_state=0)
    timings: dict[str, float] = {}
    path = ""
    with _Lease(version) as lease:

        def say(phase: str) -> None:
            lease.check()
            lease.renew()
            lease.check()
            if progress:
                progress(phase)

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
            path, checksum = artifact_store(version=version, model=model, metrics=metrics)

            say("gate")
            active = ModelVersion.objects.filter(status=ModelVersion.Status.ACTIVE).first()
            decision = quality_gate(metrics, active.metrics if active else None)
            version.params = dict(model.params)
            version.data_counts = dict(model.counts)
            version.metrics = metrics
            version.timings = timings
            version.artifact = path
            version.artifact_sha256 = checksum
            version.signals_seen = before
            version.trained_at = timezone.now()
            version.status = ModelVersion.Status.READY
            version.gate_reason = decision.reason
            with transaction.atomic():
                # Only while the lease is still ours: a training declared dead stays failed.
                held = ModelVersion.objects.select_for_update().filter(
                    pk=version.pk, status=ModelVersion.Status.TRAINING
                )
                if not held.exists():
                    raise LeaseLost(f"Training {version.pk} lost its lease.")
                version.save()
            if decision.passed:
                version_activate(version=version)
            return version
        except LeaseLost as exc:
            logger.warning("%s Its model is discarded.", exc)
            if path:
                _artifacts().delete(path)
            version.refresh_from_db()
            return version
        except ValueError as exc:
            # Not enough data (no ratings yet, a catalogue without feedback): an expected
            # state of a young instance, recorded on the version rather than crashing.
            _failed(version, exc, timings)
            return version
        except Exception as exc:
            _failed(version, exc, timings)
            raise


def _artifacts() -> Storage:
    """Model files: private storage, outside MEDIA_ROOT, never behind a URL."""
    return storages["private"]


def artifact_store(
    *, version: ModelVersion, model: core_train.TrainedModel, metrics: dict
) -> tuple[str, str]:
    """Write the version's model file (arrays and JSON, never a pickle).

    Returns its path in the private storage, under a random name (nothing to guess from a
    version id), and its SHA-256, which loading checks.
    """
    buffer = io.BytesIO()
    core_artifact.save_model(
        buffer,
        model,
        version=str(version.pk),
        created_at=timezone.now().isoformat(),
        extra={"metrics": metrics},
    )
    data = buffer.getvalue()
    path = _artifacts().save(f"models/{secrets.token_hex(16)}.npz", ContentFile(data))
    return path, core_artifact.digest(data)


def _failed(version: ModelVersion, exc: BaseException, timings: dict[str, float]) -> None:
    version.status = ModelVersion.Status.FAILED
    version.error = "".join(traceback.format_exception_only(exc)).strip()
    version.timings = timings
    version.save()


class ArtifactUnreadable(ValueError):
    """A version's model file is missing, damaged or not the file that was saved."""


def artifact_load(*, version: ModelVersion) -> core_artifact.Artifact:
    """Read and verify a version's model file (its checksum, then its arrays)."""
    if not version.artifact:
        raise ArtifactUnreadable(f"{version} has no model file.")
    try:
        with _artifacts().open(version.artifact, "rb") as handle:
            data = handle.read()
        return core_artifact.load_model(data, sha256=version.artifact_sha256 or None)
    except (OSError, core_artifact.ArtifactError) as exc:
        raise ArtifactUnreadable(f"{version}'s file {version.artifact!r}: {exc}") from exc


@transaction.atomic
def version_activate(*, version: ModelVersion) -> ModelVersion:
    """Make `version` the one that serves; the previous active version is retired.

    A version whose file cannot be read is refused (ArtifactUnreadable): activating it
    would only make every page fall back.
    """
    if version.status not in (ModelVersion.Status.READY, ModelVersion.Status.RETIRED):
        raise ValueError(f"Only a ready or retired version can be activated, not {version.status}.")
    artifact_load(version=version)
    ModelVersion.objects.filter(status=ModelVersion.Status.ACTIVE).update(
        status=ModelVersion.Status.RETIRED
    )
    version.status = ModelVersion.Status.ACTIVE
    version.activated_at = timezone.now()
    version.save(update_fields=["status", "activated_at"])
    transaction.on_commit(lambda: _active_announce(version.pk))
    return version


def _active_announce(version_id: int) -> None:
    cache.set(ACTIVE_CACHE_KEY, version_id, ACTIVE_CACHE_SECONDS)
    _active_memo.set(version_id)


# --------------------------------------------------------------------------------------
# Serving
# --------------------------------------------------------------------------------------

# This process's serving state: the active version id it was loaded for ("for"), the model
# that serves for it ("serving", perhaps an earlier version, or None), and, when the
# active file could not be used, why ("problem").
_loaded: dict[str, object] = {}
_loading = threading.Lock()


@dataclass(frozen=True)
class ServingModel:
    version: ModelVersion
    model: core_train.TrainedModel
    weights: core_score.BlendWeights | None


def active_version_id() -> int | None:
    return _active_memo.get(_active_version_read)


def _active_version_read() -> int | None:
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
    """The model that serves, loaded once per process and again after an activation.

    Normally the active version. When its file is missing, damaged or fails its checksum,
    the most recent earlier version whose file is sound serves instead, and with none,
    None: callers fall back to popularity. Either way one warning is logged per process
    and activation, and `serving_problem()` tells the admin.
    """
    version_id = active_version_id()
    if version_id is None:
        return None
    if _loaded.get("for") == version_id:
        return _loaded.get("serving")  # type: ignore[return-value]
    with _loading:
        if _loaded.get("for") != version_id:
            serving, problem = _serving_load(version_id)
            _loaded.update({"for": version_id, "serving": serving, "problem": problem})
        return _loaded.get("serving")  # type: ignore[return-value]


def serving_problem() -> str | None:
    """Why the active version is not the one serving, for the admin; None when it is."""
    serving_model()
    return _loaded.get("problem")  # type: ignore[return-value]


def _serving(version: ModelVersion, artifact: core_artifact.Artifact) -> ServingModel:
    weights = (version.metrics or {}).get("blend_weights")
    return ServingModel(
        version=version,
        model=artifact.model,
        weights=core_score.BlendWeights(**weights) if weights else None,
    )


def _serving_load(version_id: int) -> tuple[ServingModel | None, str | None]:
    active = ModelVersion.objects.filter(pk=version_id).first()
    if active is None:
        return None, None
    try:
        return _serving(active, artifact_load(version=active)), None
    except ArtifactUnreadable as exc:
        reason = str(exc)
    earlier = (
        ModelVersion.objects.filter(status=ModelVersion.Status.RETIRED)
        .exclude(artifact="")
        .filter(activated_at__isnull=False)
        .order_by("-activated_at", "-pk")[:FALLBACK_VERSIONS]
    )
    for version in earlier:
        try:
            serving = _serving(version, artifact_load(version=version))
        except ArtifactUnreadable as exc:
            logger.warning("Fallback model unreadable too: %s", exc)
            continue
        problem = (
            f"The active model's file cannot be read ({reason}). "
            f"{version} serves instead until a sound version is activated."
        )
        logger.warning(problem)
        return serving, problem
    problem = (
        f"The active model's file cannot be read ({reason}), nor any earlier version's: "
        "pages fall back to popularity."
    )
    logger.warning(problem)
    return None, problem
