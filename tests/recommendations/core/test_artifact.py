from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

from recommendations.core.artifact import (
    FORMAT_VERSION,
    ArtifactError,
    digest,
    load_model,
    save_model,
)
from recommendations.core.train import TrainedModel

CREATED = "2026-12-01T03:00:00+00:00"


def assert_same_model(a: TrainedModel, b: TrainedModel) -> None:
    for name in ("user_ids", "item_ids", "popularity"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    for name in ("user_bias", "item_bias", "P", "Q"):
        np.testing.assert_array_equal(getattr(a.rating, name), getattr(b.rating, name))
    assert a.rating.global_mean == b.rating.global_mean
    assert a.rating.rating_scale == b.rating.rating_scale
    assert a.ranker.kind == b.ranker.kind
    np.testing.assert_array_equal(a.ranker.item_factors, b.ranker.item_factors)
    np.testing.assert_array_equal(a.ranker.singular_values, b.ranker.singular_values)
    if a.ranker.weights is None:
        assert b.ranker.weights is None
    else:
        np.testing.assert_array_equal(a.ranker.weights, b.ranker.weights)
    assert (a.interactions != b.interactions).nnz == 0
    assert a.params == b.params
    assert a.counts == b.counts


def test_a_round_trip_is_exact(tmp_path: Path, planted_model: TrainedModel) -> None:
    path = tmp_path / "model.npz"
    written = save_model(path, planted_model, version="v7", created_at=CREATED, extra={"ndcg": 0.5})
    loaded = load_model(path)
    assert_same_model(planted_model, loaded.model)
    assert loaded.metadata == written
    assert loaded.metadata.version == "v7"
    assert loaded.metadata.created_at == CREATED
    assert loaded.metadata.extra == {"ndcg": 0.5}
    assert loaded.metadata.counts["users"] == planted_model.n_users


def test_an_ease_model_round_trips_through_a_file_object(planted_ease: TrainedModel) -> None:
    buffer = io.BytesIO()
    save_model(buffer, planted_ease, version="e1", created_at=CREATED)
    buffer.seek(0)
    assert_same_model(planted_ease, load_model(buffer).model)


def test_id_maps_are_stored_as_integer_arrays(tmp_path: Path, planted_model: TrainedModel) -> None:
    path = tmp_path / "model.npz"
    save_model(path, planted_model, version="v1", created_at=CREATED)
    with np.load(path, allow_pickle=False) as npz:
        assert npz["user_ids"].dtype == np.int64
        assert npz["item_ids"].dtype == np.int64
        assert all(npz[k].dtype != object for k in npz.files)


def _rewrite(path: Path, **changes: object) -> None:
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays.update(changes)
    # np.savez pickles object arrays: this is the file an attacker would hand us.
    np.savez(path, **arrays)


def test_it_refuses_a_pickled_object_array(tmp_path: Path, planted_model: TrainedModel) -> None:
    path = tmp_path / "model.npz"
    save_model(path, planted_model, version="v1", created_at=CREATED)
    _rewrite(path, user_ids=np.array([{"evil": True}], dtype=object))
    with pytest.raises(ArtifactError, match="safely"):
        load_model(path)


def test_it_refuses_another_format_version(tmp_path: Path, planted_model: TrainedModel) -> None:
    path = tmp_path / "model.npz"
    save_model(path, planted_model, version="v1", created_at=CREATED)
    with np.load(path, allow_pickle=False) as npz:
        meta = json.loads(npz["meta_json"].tobytes())
    meta["format_version"] = FORMAT_VERSION + 1
    _rewrite(path, meta_json=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))
    with pytest.raises(ArtifactError, match="Unsupported"):
        load_model(path)


def test_it_refuses_a_file_missing_arrays(tmp_path: Path) -> None:
    path = tmp_path / "other.npz"
    np.savez(path, a=np.arange(3))
    with pytest.raises(ArtifactError, match="missing"):
        load_model(path)


def test_it_refuses_arrays_that_disagree(tmp_path: Path, planted_model: TrainedModel) -> None:
    path = tmp_path / "model.npz"
    save_model(path, planted_model, version="v1", created_at=CREATED)
    _rewrite(path, item_bias=np.zeros(3))
    with pytest.raises(ArtifactError, match="item_bias"):
        load_model(path)


def test_it_refuses_metadata_that_is_not_json_serialisable(
    tmp_path: Path, planted_model: TrainedModel
) -> None:
    with pytest.raises(TypeError):
        save_model(
            tmp_path / "m.npz", planted_model, version="v", created_at=CREATED, extra={"x": {1j}}
        )


def _saved_bytes(model: TrainedModel) -> bytes:
    buffer = io.BytesIO()
    save_model(buffer, model, version="t1", created_at=CREATED)
    return buffer.getvalue()


@pytest.mark.parametrize("keep", [0.0, 0.1, 0.5, 0.9, 0.999])
def test_it_refuses_a_truncated_file(planted_model: TrainedModel, keep: float) -> None:
    data = _saved_bytes(planted_model)
    with pytest.raises(ArtifactError):
        load_model(io.BytesIO(data[: int(len(data) * keep)]))


def test_it_refuses_a_file_with_a_corrupted_member(planted_model: TrainedModel) -> None:
    data = bytearray(_saved_bytes(planted_model))
    # Flip bytes in the middle of the compressed arrays, leaving the zip directory intact.
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(b ^ 0xFF for b in data[middle : middle + 64])
    with pytest.raises(ArtifactError):
        load_model(bytes(data))


def test_it_refuses_garbage(tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 500)
    with pytest.raises(ArtifactError):
        load_model(path)


def test_a_recorded_checksum_is_checked(tmp_path: Path, planted_model: TrainedModel) -> None:
    data = _saved_bytes(planted_model)
    path = tmp_path / "model.npz"
    path.write_bytes(data)
    assert_same_model(planted_model, load_model(path, sha256=digest(data)).model)
    assert_same_model(planted_model, load_model(data, sha256=digest(data)).model)
    with pytest.raises(ArtifactError, match="checksum"):
        load_model(path, sha256=digest(data + b"x"))
    # Another valid model in its place is refused too: the digest names the bytes.
    buffer = io.BytesIO()
    save_model(buffer, planted_model, version="t2", created_at=CREATED)
    with pytest.raises(ArtifactError, match="checksum"):
        load_model(buffer.getvalue(), sha256=digest(data))
