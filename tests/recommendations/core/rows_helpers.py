"""Small arrays and models shared by the tests of the home page's rows.

Models are tiny random ones built straight from the dataclasses, so that every score
can be recomputed by brute force.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from recommendations.core.score import ProfileState
from recommendations.core.train import RankingModel, RatingFactors, TrainedModel

SCI_FI, ROMANCE = 0, 1


def tiny_model(kind: str, *, n_items: int = 8, k: int = 3, seed: int = 0) -> TrainedModel:
    """A random model with mixed-sign item-item weights, so some contributions are negative."""
    rng = np.random.default_rng(seed)
    if kind == "ease":
        B = rng.normal(size=(n_items, n_items)).astype(np.float32)
        np.fill_diagonal(B, 0.0)
        ranker = RankingModel(
            kind="ease",
            item_factors=np.zeros((n_items, 0), dtype=np.float32),
            singular_values=np.zeros(0),
            weights=B,
        )
    else:
        ranker = RankingModel(
            kind="puresvd",
            item_factors=rng.normal(size=(n_items, k)).astype(np.float32),
            singular_values=np.sort(rng.uniform(1.0, 5.0, size=k))[::-1],
        )
    rating = RatingFactors(
        global_mean=3.5,
        user_bias=np.zeros(1),
        item_bias=rng.normal(scale=0.5, size=n_items),
        P=np.zeros((1, k)),
        Q=rng.normal(scale=0.5, size=(n_items, k)),
    )
    return TrainedModel(
        user_ids=np.array([1], dtype=np.int64),
        item_ids=np.arange(100, 100 + n_items, dtype=np.int64),
        rating=rating,
        ranker=ranker,
        popularity=rng.integers(1, 50, size=n_items).astype(np.int64),
        interactions=sp.csr_matrix((1, n_items), dtype=np.float32),
    )


def ease_by_hand(weights: np.ndarray) -> TrainedModel:
    """A one-profile model whose ranker is EASE with the item-item `weights` given."""
    n_items = weights.shape[0]
    return TrainedModel(
        user_ids=np.array([1]),
        item_ids=np.arange(n_items),
        rating=tiny_model("ease", n_items=n_items).rating,
        ranker=RankingModel("ease", np.zeros((n_items, 0), np.float32), np.zeros(0), weights),
        popularity=np.ones(n_items, dtype=np.int64),
        interactions=sp.csr_matrix((1, n_items), dtype=np.float32),
    )


def state_of(
    items: list[int], weights: list[float], *, k: int = 3, seen: list[int] | None = None
) -> ProfileState:
    idx = np.array(items, dtype=np.int64)
    return ProfileState(
        bias=0.2,
        factors=np.full(k, 0.3),
        items=idx,
        weights=np.array(weights, dtype=np.float32),
        seen=idx if seen is None else np.array(seen, dtype=np.int64),
    )


def empty_state(k: int, seen: list[int] | None = None) -> ProfileState:
    return state_of([], [], k=k, seen=seen)


def features_of(columns: list[list[int]], n_titles: int) -> sp.csr_matrix:
    """Binary (n_titles, len(columns)) matrix; ``columns[f]`` lists the titles with f."""
    dense = np.zeros((n_titles, len(columns)), dtype=np.float32)
    for f, titles in enumerate(columns):
        dense[titles, f] = 1.0
    return sp.csr_matrix(dense)
