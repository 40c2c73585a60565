"""The hold-out split, and how predicted ratings and rankings are scored on its held-out part.

Ranking is vectorised: a batch of users is scored against the whole catalogue, masked
and cut with ``argpartition``; the batched metrics equal the pure ones of :mod:`.metrics`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from .metrics import catalogue_coverage, mae, novelty, rmse
from .scorers import Scorer
from .signals import Interactions, TrainingData
from .train import RatingFactors

__all__ = [
    "Ground",
    "HoldoutSplit",
    "RankingMetrics",
    "RatingMetrics",
    "batch_metrics",
    "evaluate_ranking",
    "evaluate_ratings",
    "ground_truth",
    "holdout_split",
    "top_k_rows",
]


@dataclass(frozen=True, slots=True)
class HoldoutSplit:
    """Training data without the held-out ratings, and those ratings (same index space)."""

    train: TrainingData
    test: Interactions


def holdout_split(
    data: TrainingData, *, test_fraction: float = 0.2, random_state: int = 0
) -> HoldoutSplit:
    """Hold out ``test_fraction`` of each user's explicit ratings at random.

    Each user keeps ``round(n * (1 - test_fraction))`` ratings (half up); a user with a single
    rating keeps it. Held-out (user, item) pairs also leave the implicit data, so the
    ranking model never sees them.

    Args:
        data: All the data.
        test_fraction: Share held out per user.
        random_state: Seed; the same seed gives the same split.

    Returns:
        The split.

    Raises:
        ValueError: When there are no explicit ratings or the fraction is not in (0, 1).
    """
    if not 0 < test_fraction < 1:
        raise ValueError("test_fraction must be within (0, 1).")
    ex = data.explicit
    if len(ex) == 0:
        raise ValueError("No ratings to split.")
    rng = np.random.default_rng(random_state)
    order = np.lexsort((rng.random(len(ex)), ex.user))
    users_sorted = ex.user[order]
    counts = np.bincount(ex.user, minlength=data.n_users)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    rank = np.arange(len(ex)) - starts[users_sorted]
    n_test = np.floor(counts * test_fraction + 0.5).astype(np.int64)
    is_test = np.zeros(len(ex), dtype=bool)
    is_test[order] = rank < n_test[users_sorted]

    def subset(x: Interactions, keep: npt.NDArray[np.bool_]) -> Interactions:
        return Interactions(x.user[keep], x.item[keep], x.value[keep])

    test = subset(ex, is_test)
    test_keys = test.user.astype(np.int64) * data.n_items + test.item
    im = data.implicit
    implicit_keys = im.user.astype(np.int64) * data.n_items + im.item
    train = replace(
        data,
        explicit=subset(ex, ~is_test),
        implicit=subset(im, ~np.isin(implicit_keys, test_keys)),
    )
    return HoldoutSplit(train=train, test=test)


@dataclass(frozen=True, slots=True)
class RatingMetrics:
    """Accuracy of predicted ratings on held-out ratings."""

    rmse: float
    mae: float
    n: int


@dataclass(frozen=True, slots=True)
class RankingMetrics:
    """Top-k quality averaged over the evaluated users.

    Attributes:
        precision: Mean Precision@k.
        recall: Mean Recall@k.
        ndcg: Mean NDCG@k.
        coverage: Share of all items recommended to someone.
        novelty: Mean ``-log2`` popularity share of the recommendations.
        users: Users evaluated (those with a relevant held-out item).
        seconds: Time spent scoring and ranking them.
    """

    precision: float
    recall: float
    ndcg: float
    coverage: float
    novelty: float
    users: int
    seconds: float


def evaluate_ratings(rating: RatingFactors, test: Interactions) -> RatingMetrics:
    """RMSE and MAE of the clipped SVD estimate on held-out ratings (vectorised).

    Args:
        rating: The SVD fitted on the training part.
        test: Held-out (user, item, rating) triples.

    Returns:
        The metrics.

    Raises:
        ValueError: When ``test`` is empty.
    """
    u, i = test.user, test.item
    low, high = rating.rating_scale
    estimate = (
        rating.global_mean
        + rating.user_bias[u]
        + rating.item_bias[i]
        + np.einsum("ij,ij->i", rating.P[u], rating.Q[i])
    )
    estimate = np.clip(estimate, low, high)
    return RatingMetrics(rmse(estimate, test.value), mae(estimate, test.value), len(test))


@dataclass(frozen=True, slots=True, eq=False)
class Ground:
    """What evaluation needs of the training part and the held-out part."""

    seen: sp.csr_matrix  # users x items, True where the user has training data
    untrained: npt.NDArray[np.bool_]  # items with no training data at all
    popularity: npt.NDArray[np.int64]  # training users per item
    users: npt.NDArray[np.int64]  # users with a relevant held-out item
    relevant: sp.csr_matrix  # users x items, held-out rating >= threshold
    n_users: int
    n_items: int


def ground_truth(train_data: TrainingData, test: Interactions, relevant_from: float) -> Ground:
    n_users, n_items = train_data.n_users, train_data.n_items
    users = np.concatenate([train_data.explicit.user, train_data.implicit.user])
    items = np.concatenate([train_data.explicit.item, train_data.implicit.item])
    seen = sp.csr_matrix(
        (np.ones(users.size, dtype=bool), (users, items)), shape=(n_users, n_items), dtype=bool
    )
    seen.sum_duplicates()
    popularity = np.diff(seen.tocsc().indptr).astype(np.int64)
    keep = test.value >= relevant_from
    relevant = sp.csr_matrix(
        (np.ones(int(keep.sum()), dtype=bool), (test.user[keep], test.item[keep])),
        shape=(n_users, n_items),
        dtype=bool,
    )
    relevant.sum_duplicates()
    return Ground(
        seen=seen,
        untrained=popularity == 0,
        popularity=popularity,
        users=np.flatnonzero(np.diff(relevant.indptr) > 0).astype(np.int64),
        relevant=relevant,
        n_users=n_users,
        n_items=n_items,
    )


def top_k_rows(
    scores: npt.NDArray[np.floating], exclude: npt.NDArray[np.bool_], k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise top k by argpartition; ``valid`` is False where a row ran out of candidates."""
    masked = np.where(exclude, -np.inf, np.asarray(scores, dtype=np.float64))
    k_eff = min(k, masked.shape[1])
    top = np.argpartition(-masked, k_eff - 1, axis=1)[:, :k_eff]
    top_scores = np.take_along_axis(masked, top, axis=1)
    order = np.argsort(-top_scores, axis=1, kind="stable")
    top = np.take_along_axis(top, order, axis=1)
    valid = np.isfinite(np.take_along_axis(top_scores, order, axis=1))
    return top, valid


def batch_metrics(
    top: np.ndarray, valid: np.ndarray, relevant: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-row precision, recall and NDCG (same definitions as the pure functions)."""
    hits = np.take_along_axis(relevant, top, axis=1) & valid
    n_relevant = relevant.sum(axis=1)
    discount = 1.0 / np.log2(np.arange(2, top.shape[1] + 2))
    ideal = np.cumsum(1.0 / np.log2(np.arange(2, k + 2)))[np.minimum(n_relevant, k) - 1]
    n_hits = hits.sum(axis=1)
    return n_hits / k, n_hits / n_relevant, (hits * discount).sum(axis=1) / ideal


def evaluate_ranking(
    scorer: Scorer,
    train_data: TrainingData,
    test: Interactions,
    *,
    k: int = 10,
    relevant_from: float = 4.0,
    batch_size: int = 512,
) -> RankingMetrics:
    """Rank candidates for every user with a relevant held-out item and score the top k.

    Args:
        scorer: Scores for a batch of user indices (see :data:`Scorer`).
        train_data: The training part (defines candidates and popularity).
        test: The held-out ratings.
        k: The cut-off.
        relevant_from: Held-out ratings at least this are relevant.
        batch_size: Users scored at once.

    Returns:
        The metrics.

    Raises:
        ValueError: When no user has a relevant held-out item.
    """
    g = ground_truth(train_data, test, relevant_from)
    if g.users.size == 0:
        raise ValueError("No user has a relevant held-out item.")
    started = time.perf_counter()
    precision, recall, ndcg, lists = [], [], [], []
    for start in range(0, g.users.size, batch_size):
        users = g.users[start : start + batch_size]
        exclude = g.seen[users].toarray() | g.untrained[None, :]
        top, valid = top_k_rows(scorer(users), exclude, k)
        p, r, n = batch_metrics(top, valid, g.relevant[users].toarray(), k)
        precision.append(p)
        recall.append(r)
        ndcg.append(n)
        lists.extend(row[ok] for row, ok in zip(top, valid, strict=True))
    seconds = time.perf_counter() - started
    return RankingMetrics(
        precision=float(np.concatenate(precision).mean()),
        recall=float(np.concatenate(recall).mean()),
        ndcg=float(np.concatenate(ndcg).mean()),
        coverage=catalogue_coverage(lists, g.n_items),
        novelty=novelty(lists, g.popularity, g.n_users),
        users=int(g.users.size),
        seconds=seconds,
    )
