"""Metrics as pure functions: rating error, top-k quality, coverage and novelty.

Each takes plain sequences or arrays, says what it returns, and rejects empty input.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

__all__ = [
    "catalogue_coverage",
    "mae",
    "ndcg_at_k",
    "novelty",
    "precision_at_k",
    "recall_at_k",
    "rmse",
]


def _pair(predicted: npt.ArrayLike, actual: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(predicted, dtype=np.float64).ravel()
    a = np.asarray(actual, dtype=np.float64).ravel()
    if p.size == 0:
        raise ValueError("Prediction list is empty.")
    if p.shape != a.shape:
        raise ValueError("Predicted and actual ratings differ in length.")
    return p, a


def rmse(predicted: npt.ArrayLike, actual: npt.ArrayLike) -> float:
    """Compute RMSE (root mean squared error), ``sqrt(mean((r - r_hat)^2))``.

    Args:
        predicted: Predicted ratings.
        actual: True ratings, same length.

    Returns:
        The root mean squared error.

    Raises:
        ValueError: When the input is empty or the lengths differ.
    """
    p, a = _pair(predicted, actual)
    return float(np.sqrt(np.mean((a - p) ** 2)))


def mae(predicted: npt.ArrayLike, actual: npt.ArrayLike) -> float:
    """Compute MAE (mean absolute error), ``mean(|r - r_hat|)``.

    Args:
        predicted: Predicted ratings.
        actual: True ratings, same length.

    Returns:
        The mean absolute error.

    Raises:
        ValueError: When the input is empty or the lengths differ.
    """
    p, a = _pair(predicted, actual)
    return float(np.mean(np.abs(a - p)))


def _ranked_relevant(
    ranked: npt.ArrayLike, relevant: Iterable[int], k: int
) -> tuple[np.ndarray, set[int]]:
    top = np.asarray(ranked, dtype=np.int64).ravel()
    rel = {int(x) for x in relevant}
    if k < 1:
        raise ValueError("k must be at least 1.")
    if top.size == 0:
        raise ValueError("The ranked list is empty.")
    if not rel:
        raise ValueError("There is no relevant item.")
    return top[:k], rel


def precision_at_k(ranked: npt.ArrayLike, relevant: Iterable[int], k: int = 10) -> float:
    """Compute Precision@k: the share of the top k that is relevant.

    A list shorter than k still divides by k (the empty slots are misses).

    Args:
        ranked: Recommended item indices, best first.
        relevant: The relevant item indices (binary relevance).
        k: The cut-off.

    Returns:
        ``hits in top k / k``.

    Raises:
        ValueError: When ``ranked`` or ``relevant`` is empty, or ``k < 1``.
    """
    top, rel = _ranked_relevant(ranked, relevant, k)
    return sum(int(i) in rel for i in top) / k


def recall_at_k(ranked: npt.ArrayLike, relevant: Iterable[int], k: int = 10) -> float:
    """Compute Recall@k: the share of the relevant items found in the top k.

    Args:
        ranked: Recommended item indices, best first.
        relevant: The relevant item indices (binary relevance).
        k: The cut-off.

    Returns:
        ``hits in top k / number of relevant items``.

    Raises:
        ValueError: When ``ranked`` or ``relevant`` is empty, or ``k < 1``.
    """
    top, rel = _ranked_relevant(ranked, relevant, k)
    return sum(int(i) in rel for i in top) / len(rel)


def ndcg_at_k(ranked: npt.ArrayLike, relevant: Iterable[int], k: int = 10) -> float:
    """Compute NDCG@k with binary relevance.

    ``DCG = sum over hits at rank j (1-based) of 1 / log2(j + 1)``, divided by the DCG of an
    ideal list that puts ``min(|relevant|, k)`` relevant items first. A perfect ranking
    scores 1; one relevant item at rank 2 scores ``1 / log2(3)``.

    Args:
        ranked: Recommended item indices, best first.
        relevant: The relevant item indices.
        k: The cut-off.

    Returns:
        NDCG@k on [0, 1].

    Raises:
        ValueError: When ``ranked`` or ``relevant`` is empty, or ``k < 1``.
    """
    top, rel = _ranked_relevant(ranked, relevant, k)
    dcg = sum(1.0 / math.log2(j + 2) for j, i in enumerate(top) if int(i) in rel)
    ideal = sum(1.0 / math.log2(j + 2) for j in range(min(len(rel), k)))
    return dcg / ideal


def catalogue_coverage(recommended: Iterable[npt.ArrayLike], n_items: int) -> float:
    """Compute catalogue coverage: the share of the catalogue recommended to anyone.

    Args:
        recommended: One list of recommended item indices per user.
        n_items: Catalogue size.

    Returns:
        ``distinct recommended items / n_items``.

    Raises:
        ValueError: When there is no list, no item at all, or ``n_items < 1``.
    """
    if n_items < 1:
        raise ValueError("The catalogue is empty.")
    lists = [np.asarray(r, dtype=np.int64).ravel() for r in recommended]
    if not lists or sum(x.size for x in lists) == 0:
        raise ValueError("Nothing was recommended.")
    return float(np.unique(np.concatenate(lists)).size / n_items)


def novelty(recommended: Iterable[npt.ArrayLike], popularity: npt.ArrayLike, n_users: int) -> float:
    """Compute novelty: the mean of ``-log2(popularity share)`` over all recommendations.

    The popularity share of an item is the share of training users who interacted with it;
    an item nobody touched counts as one user (the share must be positive). Higher means
    less obvious recommendations.

    Args:
        recommended: One list of recommended item indices per user.
        popularity: Training interaction counts per item.
        n_users: Number of training users.

    Returns:
        Mean self-information in bits.

    Raises:
        ValueError: When nothing was recommended or ``n_users < 1``.
    """
    if n_users < 1:
        raise ValueError("There are no users.")
    lists = [np.asarray(r, dtype=np.int64).ravel() for r in recommended]
    items = np.concatenate(lists) if lists else np.empty(0, np.int64)
    if items.size == 0:
        raise ValueError("Nothing was recommended.")
    counts = np.maximum(np.asarray(popularity, dtype=np.float64)[items], 1.0)
    return float(np.mean(-np.log2(counts / n_users)))
