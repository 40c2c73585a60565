"""The published catalogue as arrays: the index space every row of a page is built in.

Built from the database by `recommendations.home.catalogue` and kept as a plain `.npz`
artifact (`save`/`load`: arrays only, never pickles), which web processes map into memory.
"""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from typing import BinaryIO

import numpy as np
import scipy.sparse as sp

from recommendations.core import rows as core_rows
from recommendations.core import signals as core_signals
from recommendations.core.similar import item_embeddings
from recommendations.core.train import TrainedModel


@dataclass(eq=False)
class Catalogue:
    stamp: str
    ids: np.ndarray  # published title ids, ascending: the catalogue index
    min_age: np.ndarray
    is_series: np.ndarray
    minutes: np.ndarray  # a film's runtime, a series' mean episode; NaN when unknown
    episodes: np.ndarray
    added_at: np.ndarray  # epoch seconds
    year: np.ndarray  # 0 when unknown
    popularity: np.ndarray
    genres: sp.csr_matrix
    genre_meta: list[tuple[str, str]]  # (slug, name) per column
    tags: sp.csr_matrix
    tag_meta: list[tuple[str, str]]
    content: sp.csr_matrix
    # What the rows may show: every title, or with the site's "Only what we own" those a
    # media server has. None: every title.
    available: np.ndarray | None = None
    _embeddings: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.available is None:
            self.available = np.ones(self.ids.size, dtype=bool)

    @property
    def size(self) -> int:
        return int(self.ids.size)

    def index(self, raw_ids: object) -> np.ndarray:
        return core_signals.index_of(self.ids, np.asarray(raw_ids, dtype=np.int64))

    @cached_property
    def themes(self) -> sp.csr_matrix:
        """Genres and tags as TF-IDF vectors: what "a title like this one" means to a viewer."""
        return core_rows.theme_vectors(self.genres, self.tags)

    def model_view(
        self, version: int, model: TrainedModel
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The model's item index per catalogue title, and unit embeddings aligned with it."""
        cached = self._embeddings.get(version)
        if cached is None:
            model_index = model.item_index(self.ids)
            vectors = item_embeddings(model)
            aligned = np.zeros((self.size, vectors.shape[1]), dtype=np.float32)
            known = model_index >= 0
            aligned[known] = vectors[model_index[known]]
            unit, has_vector = core_rows.unit_rows(aligned)
            cached = (model_index, unit, has_vector)
            # One model at a time: an older version's arrays are dropped.
            self._embeddings.clear()
            self._embeddings[version] = cached
        return cached


# --------------------------------------------------------------------------------------
# The artifact: plain arrays in an uncompressed .npz, never a pickle
# --------------------------------------------------------------------------------------

_DENSE = (
    "ids",
    "min_age",
    "is_series",
    "minutes",
    "episodes",
    "added_at",
    "year",
    "popularity",
    "available",
)
_SPARSE = ("genres", "tags", "content")


class CatalogueFileError(ValueError):
    """The file is not a catalogue's arrays, or not a whole one."""


def save(cat: Catalogue, file: BinaryIO) -> None:
    """Write the arrays uncompressed, so that `load` can map them instead of reading them."""
    arrays: dict[str, np.ndarray] = {name: getattr(cat, name) for name in _DENSE}
    for name in _SPARSE:
        matrix = getattr(cat, name).tocsr()
        arrays[f"{name}.data"] = matrix.data
        arrays[f"{name}.indices"] = matrix.indices
        arrays[f"{name}.indptr"] = matrix.indptr
        arrays[f"{name}.shape"] = np.asarray(matrix.shape, dtype=np.int64)
    for name in ("genre_meta", "tag_meta"):
        meta = getattr(cat, name)
        arrays[f"{name}.slug"] = np.asarray([slug for slug, _ in meta], dtype=np.str_)
        arrays[f"{name}.name"] = np.asarray([label for _, label in meta], dtype=np.str_)
    arrays["stamp"] = np.asarray(cat.stamp, dtype=np.str_)
    np.savez(file, **arrays)


def load(path: str | None = None, *, data: bytes | None = None) -> Catalogue:
    """Read a catalogue written by `save`: mapped from `path` (shared by every process that
    maps the same file), or from `data` in memory when there is no local file."""
    try:
        arrays = _mapped(path) if path is not None else _read(data or b"")
        return Catalogue(
            stamp=str(arrays["stamp"]),
            **{name: arrays[name] for name in _DENSE if name != "available"},
            # Files written before "Only what we own" have none: every title.
            available=arrays.get("available"),
            **{
                name: sp.csr_matrix(
                    (arrays[f"{name}.data"], arrays[f"{name}.indices"], arrays[f"{name}.indptr"]),
                    shape=tuple(int(n) for n in arrays[f"{name}.shape"]),
                )
                for name in _SPARSE
            },
            genre_meta=_meta(arrays, "genre_meta"),
            tag_meta=_meta(arrays, "tag_meta"),
        )
    except (KeyError, ValueError, OSError, zipfile.BadZipFile) as exc:
        raise CatalogueFileError(str(exc)) from exc


def _meta(arrays: dict[str, np.ndarray], name: str) -> list[tuple[str, str]]:
    return list(zip(arrays[f"{name}.slug"].tolist(), arrays[f"{name}.name"].tolist(), strict=True))


def _read(data: bytes) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        return {name: npz[name] for name in npz.files}


def _mapped(path: str) -> dict[str, np.ndarray]:
    """Each stored (uncompressed) member of the .npz mapped read-only where it lies."""
    arrays = {}
    with zipfile.ZipFile(path) as archive, open(path, "rb") as handle:
        for info in archive.infolist():
            name = info.filename.removesuffix(".npy")
            if info.compress_type != zipfile.ZIP_STORED:
                arrays[name] = np.load(io.BytesIO(archive.read(info)), allow_pickle=False)
                continue
            # The member's data follows its local header: 30 bytes, its name and extra.
            handle.seek(info.header_offset)
            header = handle.read(30)
            name_length, extra_length = struct.unpack("<HH", header[26:30])
            start = info.header_offset + 30 + name_length + extra_length
            handle.seek(start)
            version = np.lib.format.read_magic(handle)
            read_header = (
                np.lib.format.read_array_header_1_0
                if version == (1, 0)
                else np.lib.format.read_array_header_2_0
            )
            shape, fortran, dtype = read_header(handle)
            if dtype.hasobject:
                raise CatalogueFileError(f"{name} holds objects")
            offset = handle.tell()
            if not shape or int(np.prod(shape)) == 0:
                # Nothing worth mapping (a scalar, an empty array).
                arrays[name] = np.load(io.BytesIO(archive.read(info)), allow_pickle=False)
                continue
            arrays[name] = np.memmap(
                path,
                dtype=dtype,
                mode="r",
                offset=offset,
                shape=shape,
                order="F" if fortran else "C",
            )
    return arrays
