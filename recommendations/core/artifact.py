"""Store a trained model as data: one ``.npz`` of arrays with its JSON metadata inside.

Never pickle (Surprise's ``dump`` does; an artifact must not run code when loaded). Every
array is numeric, the id maps are int64 arrays, and the JSON metadata travels inside the
same file as a uint8 array, so one file (one Django storage path) is the whole model.
Loading uses ``np.load(..., allow_pickle=False)`` and reads every array eagerly, so a file
holding a pickled object array is refused at load time, not later while serving.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Any

import numpy as np
import scipy.sparse as sp

from .train import RankingModel, RatingFactors, TrainedModel

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "Artifact",
    "ArtifactError",
    "ArtifactMetadata",
    "digest",
    "load_model",
    "save_model",
]

FORMAT = "marquee-recommendations"
FORMAT_VERSION = 1

PathOrFile = str | os.PathLike[str] | IO[bytes]


class ArtifactError(ValueError):
    """The file is not a model artifact this code can load safely."""


@dataclass(frozen=True, slots=True)
class ArtifactMetadata:
    """What the JSON inside an artifact says.

    Attributes:
        version: The model version's label, chosen by the caller.
        created_at: When it was trained, as given by the caller (ISO 8601 is expected).
        params: Training parameters.
        counts: Sizes: users, items, ratings, interactions, factors.
        timings: Seconds per training phase.
        extra: Anything else the caller stored (metrics, data source, ...).
        format: Always :data:`FORMAT`.
        format_version: The layout's version; loading refuses others.
    """

    version: str
    created_at: str
    params: dict[str, Any]
    counts: dict[str, int]
    timings: dict[str, float]
    extra: dict[str, Any] = field(default_factory=dict)
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": self.format,
                "format_version": self.format_version,
                "version": self.version,
                "created_at": self.created_at,
                "params": self.params,
                "counts": self.counts,
                "timings": self.timings,
                "extra": self.extra,
            },
            sort_keys=True,
        )


@dataclass(frozen=True, slots=True)
class Artifact:
    """A loaded artifact: the model and its metadata."""

    model: TrainedModel
    metadata: ArtifactMetadata


def save_model(
    target: PathOrFile,
    model: TrainedModel,
    *,
    version: str,
    created_at: str,
    extra: Mapping[str, Any] | None = None,
) -> ArtifactMetadata:
    """Write ``model`` to ``target`` as one compressed ``.npz``.

    Args:
        target: A path (numpy adds ``.npz`` when missing) or a binary file open for writing.
        model: The trained model.
        version: A label for this model version.
        created_at: The training time, passed in (the core never reads the clock).
        extra: More JSON-serialisable metadata, such as evaluation metrics.

    Returns:
        The metadata written.

    Raises:
        TypeError: When ``extra`` is not JSON-serialisable.
    """
    X = model.interactions.tocsr()
    metadata = ArtifactMetadata(
        version=version,
        created_at=created_at,
        params=dict(model.params),
        counts={
            **{k: int(v) for k, v in model.counts.items()},
            "users": model.n_users,
            "items": model.n_items,
            "interactions": int(X.nnz),
        },
        timings={k: float(v) for k, v in model.timings.items()},
        extra=dict(extra or {}),
    )
    # Round-trip now, so a bad value fails the save, not a later load.
    meta_bytes = np.frombuffer(metadata.to_json().encode("utf-8"), dtype=np.uint8)
    weights = model.ranker.weights
    np.savez_compressed(
        target,
        meta_json=meta_bytes,
        user_ids=model.user_ids.astype(np.int64),
        item_ids=model.item_ids.astype(np.int64),
        global_mean=np.array(model.rating.global_mean, dtype=np.float64),
        rating_scale=np.array(model.rating.rating_scale, dtype=np.float64),
        user_bias=model.rating.user_bias,
        item_bias=model.rating.item_bias,
        P=model.rating.P,
        Q=model.rating.Q,
        ranker_kind=np.frombuffer(model.ranker.kind.encode("ascii"), dtype=np.uint8),
        ranker_item_factors=model.ranker.item_factors,
        ranker_singular_values=model.ranker.singular_values,
        ranker_weights=(weights if weights is not None else np.zeros((0, 0), dtype=np.float32)),
        popularity=model.popularity.astype(np.int64),
        X_indptr=X.indptr.astype(np.int64),
        X_indices=X.indices.astype(np.int32),
        X_data=X.data.astype(np.float32),
        X_shape=np.array(X.shape, dtype=np.int64),
    )
    return metadata


_KEYS = [
    "meta_json",
    "user_ids",
    "item_ids",
    "global_mean",
    "rating_scale",
    "user_bias",
    "item_bias",
    "P",
    "Q",
    "ranker_kind",
    "ranker_item_factors",
    "ranker_singular_values",
    "ranker_weights",
    "popularity",
    "X_indptr",
    "X_indices",
    "X_data",
    "X_shape",
]


def digest(data: bytes) -> str:
    """The SHA-256 of an artifact's bytes, as hex: recorded at save, checked at load."""
    return hashlib.sha256(data).hexdigest()


def load_model(source: PathOrFile | bytes, *, sha256: str | None = None) -> Artifact:
    """Read an artifact written by :func:`save_model`, without ever unpickling.

    Args:
        source: A path, a binary file open for reading, or the file's bytes.
        sha256: The digest recorded when the file was written (:func:`digest`); when
            given, a file whose bytes differ is refused before numpy parses any of it.

    Returns:
        The model and its metadata.

    Raises:
        ArtifactError: When the digest differs, the file is truncated or not a zip, holds
            an object (pickled) array, misses an array, has another format or version, or
            its arrays disagree in shape.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif sha256 is not None:
        if isinstance(source, str | os.PathLike):
            with open(source, "rb") as handle:
                data = handle.read()
        else:
            data = source.read()
    else:
        data = None
    if sha256 is not None and digest(data) != sha256:
        raise ArtifactError("The file's checksum differs from the one recorded at save.")
    if data is not None:
        source = io.BytesIO(data)
    try:
        with np.load(source, allow_pickle=False) as npz:
            missing = [k for k in _KEYS if k not in npz.files]
            if missing:
                raise ArtifactError(f"Not a model artifact: missing {', '.join(missing)}.")
            # Reading every array here is what makes a pickled entry fail now.
            arrays = {k: npz[k] for k in _KEYS}
    except ArtifactError:
        raise
    # A truncated or overwritten file fails inside zipfile or zlib, not with numpy's errors.
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile, zlib.error) as exc:
        raise ArtifactError(f"Cannot load the artifact safely: {exc}") from exc

    try:
        raw_meta = json.loads(arrays["meta_json"].tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArtifactError("The artifact's metadata is not JSON.") from exc
    if raw_meta.get("format") != FORMAT or raw_meta.get("format_version") != FORMAT_VERSION:
        raise ArtifactError(
            f"Unsupported artifact format {raw_meta.get('format')!r} "
            f"version {raw_meta.get('format_version')!r}."
        )
    metadata = ArtifactMetadata(**raw_meta)

    n_users, n_items = arrays["user_ids"].shape[0], arrays["item_ids"].shape[0]
    kind = arrays["ranker_kind"].tobytes().decode("ascii")
    expected = {
        "user_bias": (n_users,),
        "item_bias": (n_items,),
        "popularity": (n_items,),
        "X_shape": (2,),
    }
    for key, shape in expected.items():
        if arrays[key].shape != shape:
            raise ArtifactError(f"{key} has shape {arrays[key].shape}, expected {shape}.")
    if arrays["P"].shape[0] != n_users or arrays["Q"].shape[0] != n_items:
        raise ArtifactError("Factor matrices do not match the id maps.")
    if arrays["ranker_item_factors"].shape[0] != n_items or kind not in ("puresvd", "ease"):
        raise ArtifactError("The ranking model does not match the id maps.")
    if kind == "ease" and arrays["ranker_weights"].shape != (n_items, n_items):
        raise ArtifactError("EASE weights do not match the id maps.")
    if tuple(arrays["X_shape"].tolist()) != (n_users, n_items):
        raise ArtifactError("The interaction matrix does not match the id maps.")

    scale = arrays["rating_scale"]
    model = TrainedModel(
        user_ids=arrays["user_ids"],
        item_ids=arrays["item_ids"],
        rating=RatingFactors(
            global_mean=float(arrays["global_mean"]),
            user_bias=arrays["user_bias"],
            item_bias=arrays["item_bias"],
            P=arrays["P"],
            Q=arrays["Q"],
            rating_scale=(float(scale[0]), float(scale[1])),
        ),
        ranker=RankingModel(
            kind=kind,  # type: ignore[arg-type]  # checked above
            item_factors=arrays["ranker_item_factors"],
            singular_values=arrays["ranker_singular_values"],
            weights=arrays["ranker_weights"] if kind == "ease" else None,
        ),
        popularity=arrays["popularity"],
        interactions=sp.csr_matrix(
            (arrays["X_data"], arrays["X_indices"], arrays["X_indptr"]),
            shape=(n_users, n_items),
        ),
        params=metadata.params,
        counts=metadata.counts,
        timings=metadata.timings,
    )
    return Artifact(model=model, metadata=metadata)
