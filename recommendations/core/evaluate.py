"""Metrics as pure functions, and the evaluation protocol with its baselines.

Protocol (:func:`run_protocol`):

1. Per user, 20% of the explicit ratings are held out at random with a fixed seed
   (:func:`holdout_split`); the same (user, item) pairs leave the implicit data too.
2. Candidates of a user are all items seen in training minus that user's training items.
3. Relevant items are the user's held-out ratings >= 4; users without one are skipped.
4. Each ranker's top 10 is scored by Precision@10, Recall@10 and NDCG@10 (binary
   relevance), averaged over users, plus catalogue coverage and novelty; the SVD's
   held-out RMSE and MAE come from the same split.
5. MostPopular and SVD-by-predicted-rating are always reported beside our rankers.
6. Blend weights are chosen on a validation split carved out of the training part
   (:func:`grid_search_blend`), never on the test split.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from .score import BlendWeights, blend, normalise, popularity_score
from .signals import Interactions, TrainingData
from .train import RankerParams, RatingFactors, RatingSVD, SVDParams, TrainedModel, train

__all__ = [
    "BlendSearch",
    "HoldoutSplit",
    "ProtocolReport",
    "RankingMetrics",
    "RatingMetrics",
    "blend_scorer",
    "catalogue_coverage",
    "default_blend_grid",
    "evaluate_ranking",
    "evaluate_ratings",
    "grid_search_blend",
    "holdout_split",
    "mae",
    "most_popular_scorer",
    "ndcg_at_k",
    "novelty",
    "precision_at_k",
    "ranker_scorer",
    "recall_at_k",
    "rmse",
    "run_protocol",
    "svd_rating_scorer",
]

Scorer = Callable[[npt.NDArray[np.int64]], npt.NDArray[np.floating]]
"""Scores of every item for a batch of user indices: shape (len(users), n_items)."""


# -- metrics -------------------------------------------------------------------------------


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


# -- protocol ------------------------------------------------------------------------------


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
class _Ground:
    """What evaluation needs of the training part and the held-out part."""

    seen: sp.csr_matrix  # users x items, True where the user has training data
    untrained: npt.NDArray[np.bool_]  # items with no training data at all
    popularity: npt.NDArray[np.int64]  # training users per item
    users: npt.NDArray[np.int64]  # users with a relevant held-out item
    relevant: sp.csr_matrix  # users x items, held-out rating >= threshold
    n_users: int
    n_items: int


def _ground(train_data: TrainingData, test: Interactions, relevant_from: float) -> _Ground:
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
    return _Ground(
        seen=seen,
        untrained=popularity == 0,
        popularity=popularity,
        users=np.flatnonzero(np.diff(relevant.indptr) > 0).astype(np.int64),
        relevant=relevant,
        n_users=n_users,
        n_items=n_items,
    )


def _top_k_rows(
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


def _batch_metrics(
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
    g = _ground(train_data, test, relevant_from)
    if g.users.size == 0:
        raise ValueError("No user has a relevant held-out item.")
    started = time.perf_counter()
    precision, recall, ndcg, lists = [], [], [], []
    for start in range(0, g.users.size, batch_size):
        users = g.users[start : start + batch_size]
        exclude = g.seen[users].toarray() | g.untrained[None, :]
        top, valid = _top_k_rows(scorer(users), exclude, k)
        p, r, n = _batch_metrics(top, valid, g.relevant[users].toarray(), k)
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


def most_popular_scorer(train_data: TrainingData) -> Scorer:
    """The MostPopular baseline: every user gets the items most users interacted with."""
    users = np.concatenate([train_data.explicit.user, train_data.implicit.user])
    items = np.concatenate([train_data.explicit.item, train_data.implicit.item])
    keys = np.unique(users.astype(np.int64) * train_data.n_items + items)
    counts = np.bincount(keys % train_data.n_items, minlength=train_data.n_items)
    popularity = counts.astype(np.float64)

    def score(batch: npt.NDArray[np.int64]) -> np.ndarray:
        return np.broadcast_to(popularity, (batch.size, popularity.size))

    return score


def svd_rating_scorer(rating: RatingFactors, *, clip: bool = False) -> Scorer:
    """The SVD-by-predicted-rating baseline: ``mu + bu + bi + P @ Q^T`` per user.

    Unclipped by default, because clipping at 5 ties the top items and the order among
    them would be decided by item index.
    """
    low, high = rating.rating_scale

    def score(batch: npt.NDArray[np.int64]) -> np.ndarray:
        est = (
            rating.global_mean
            + rating.user_bias[batch, None]
            + rating.item_bias[None, :]
            + rating.P[batch] @ rating.Q.T
        )
        return np.clip(est, low, high) if clip else est

    return score


def ranker_scorer(model: TrainedModel) -> Scorer:
    """The ranking model's scores from each user's training interactions."""
    X = model.interactions

    def score(batch: npt.NDArray[np.int64]) -> np.ndarray:
        return model.ranker.scores(X[batch])

    return score


def _blend_components(
    model: TrainedModel, batch: npt.NDArray[np.int64]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    exclude = (model.interactions[batch] != 0).toarray() | (model.popularity == 0)[None, :]
    ranking = normalise(model.ranker.scores(model.interactions[batch]), exclude)
    predicted = svd_rating_scorer(model.rating, clip=True)(batch)
    return ranking, predicted, exclude


def blend_scorer(
    model: TrainedModel, weights: BlendWeights, fresh: npt.NDArray[np.floating] | None = None
) -> Scorer:
    """Scores of :func:`recommendations.core.score.blend` for a batch of users."""
    pop = popularity_score(model.popularity)

    def score(batch: npt.NDArray[np.int64]) -> np.ndarray:
        ranking, predicted, _ = _blend_components(model, batch)
        # ranking is normalised already; normalising again is the identity on [0, 1].
        return blend(
            ranking=ranking,
            predicted=predicted,
            popularity=pop,
            fresh=fresh,
            weights=weights,
            rating_scale=model.rating.rating_scale,
        )

    return score


@dataclass(frozen=True, slots=True)
class BlendSearch:
    """The outcome of a blend weight search on a validation split.

    Attributes:
        best: The weights with the highest validation NDCG@k.
        results: Every ``(weights, validation NDCG@k)`` tried, in grid order.
    """

    best: BlendWeights
    results: tuple[tuple[BlendWeights, float], ...]


def default_blend_grid(*, with_freshness: bool = False) -> tuple[BlendWeights, ...]:
    """A small grid: ranking fixed at 1 (only ratios matter), the others from 0 to 2."""
    steps = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0)
    fresh_steps = (0.0, 0.05, 0.1, 0.25) if with_freshness else (0.0,)
    return tuple(
        BlendWeights(ranking=1.0, rating=r, popularity=p, freshness=f)
        for r, p, f in itertools.product(steps, steps, fresh_steps)
    )


def grid_search_blend(
    model: TrainedModel,
    train_data: TrainingData,
    validation: Interactions,
    *,
    grid: Sequence[BlendWeights] | None = None,
    fresh: npt.NDArray[np.floating] | None = None,
    k: int = 10,
    relevant_from: float = 4.0,
    batch_size: int = 512,
) -> BlendSearch:
    """Choose blend weights by NDCG@k on a validation split.

    Call it with a model trained on ``train_data`` and the ratings held out from it by
    :func:`holdout_split` of the *training* part; the test split must never be used here.

    Args:
        model: The model trained on ``train_data``.
        train_data: Its training data (defines candidates).
        validation: Held-out validation ratings.
        grid: Weights to try; :func:`default_blend_grid` when ``None``.
        fresh: Freshness per item, or ``None``.
        k: The cut-off.
        relevant_from: Validation ratings at least this are relevant.
        batch_size: Users scored at once.

    Returns:
        The best weights and every result.

    Raises:
        ValueError: When the grid is empty or no user has a relevant validation item.
    """
    grid = tuple(grid) if grid is not None else default_blend_grid(with_freshness=fresh is not None)
    if not grid:
        raise ValueError("The grid is empty.")
    g = _ground(train_data, validation, relevant_from)
    if g.users.size == 0:
        raise ValueError("No user has a relevant validation item.")
    pop = popularity_score(model.popularity)
    totals = np.zeros(len(grid))
    for start in range(0, g.users.size, batch_size):
        users = g.users[start : start + batch_size]
        ranking, predicted, _ = _blend_components(model, users)
        exclude = g.seen[users].toarray() | g.untrained[None, :]
        relevant = g.relevant[users].toarray()
        for n, weights in enumerate(grid):
            scores = blend(
                ranking=ranking,
                predicted=predicted,
                popularity=pop,
                fresh=fresh,
                weights=weights,
                rating_scale=model.rating.rating_scale,
            )
            top, valid = _top_k_rows(scores, exclude, k)
            totals[n] += _batch_metrics(top, valid, relevant, k)[2].sum()
    means = totals / g.users.size
    results = tuple((w, float(m)) for w, m in zip(grid, means, strict=True))
    return BlendSearch(best=grid[int(np.argmax(means))], results=results)


@dataclass(frozen=True, slots=True)
class ProtocolReport:
    """Everything :func:`run_protocol` measured.

    Attributes:
        rating: The SVD's RMSE and MAE on the held-out ratings (one per-user 80/20 split).
        ranking: Metrics per ranker: ``"most_popular"``, ``"svd_rating"``, each ranker by
            name, and ``"blend"`` when blending.
        blend: The validation search, when the blend weights were searched.
        blend_weights: The weights used for ``"blend"``, if any.
        timings: Seconds per phase (``svd_fit``, ``<ranker>_fit``, ``<name>_score``...).
        counts: Sizes: users, items, train and test ratings, evaluated users.
    """

    rating: RatingMetrics
    ranking: dict[str, RankingMetrics]
    blend: BlendSearch | None
    blend_weights: BlendWeights | None
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def run_protocol(
    data: TrainingData,
    *,
    svd: SVDParams | None = None,
    rankers: Mapping[str, RankerParams] | None = None,
    blend_with: str | None = None,
    blend_weights: BlendWeights | None = None,
    fresh: npt.NDArray[np.floating] | None = None,
    test_fraction: float = 0.2,
    random_state: int = 0,
    k: int = 10,
    relevant_from: float = 4.0,
) -> ProtocolReport:
    """Run the evaluation protocol (see the module docstring) with the baselines.

    Args:
        data: All the data.
        svd: SVD parameters.
        rankers: Ranking models to evaluate by name; ``{"puresvd": RankerParams()}`` when
            ``None``.
        blend_with: Name of the ranker to blend; the first ranker when ``None``. Set
            ``blend_weights`` or leave it ``None`` to search them on a validation split
            (which trains the SVD and that ranker once more on the training part).
        blend_weights: Fixed blend weights, skipping the search.
        fresh: Freshness per item for the blend, or ``None``.
        test_fraction: Share of each user's ratings held out.
        random_state: Seed of the split and the models; the validation split uses
            ``random_state + 1``.
        k: The cut-off.
        relevant_from: Held-out ratings at least this are relevant.

    Returns:
        The report.

    Raises:
        ValueError: When ``blend_with`` names no ranker, or the data is empty.
    """
    svd = svd or SVDParams(random_state=random_state)
    rankers = dict(rankers or {"puresvd": RankerParams(random_state=random_state)})
    blend_with = blend_with or next(iter(rankers))
    if blend_with not in rankers:
        raise ValueError(f"No ranker named {blend_with!r} to blend.")
    timings: dict[str, float] = {}
    split = holdout_split(data, test_fraction=test_fraction, random_state=random_state)

    started = time.perf_counter()
    rating = RatingSVD(svd).fit(split.train.explicit, data.n_users, data.n_items).factors
    timings["svd_fit"] = time.perf_counter() - started
    assert rating is not None

    ranking: dict[str, RankingMetrics] = {}
    ranking["most_popular"] = evaluate_ranking(
        most_popular_scorer(split.train), split.train, split.test, k=k, relevant_from=relevant_from
    )
    ranking["svd_rating"] = evaluate_ranking(
        svd_rating_scorer(rating), split.train, split.test, k=k, relevant_from=relevant_from
    )
    models: dict[str, TrainedModel] = {}
    for name, params in rankers.items():
        model = train(split.train, svd=svd, ranker=params, rating=rating)
        timings[f"{name}_fit"] = model.timings["ranker"]
        models[name] = model
        ranking[name] = evaluate_ranking(
            ranker_scorer(model), split.train, split.test, k=k, relevant_from=relevant_from
        )

    search = None
    if blend_weights is None:
        started = time.perf_counter()
        inner = holdout_split(
            split.train, test_fraction=test_fraction, random_state=random_state + 1
        )
        inner_model = train(inner.train, svd=svd, ranker=rankers[blend_with])
        search = grid_search_blend(
            inner_model, inner.train, inner.test, fresh=fresh, k=k, relevant_from=relevant_from
        )
        blend_weights = search.best
        timings["blend_search"] = time.perf_counter() - started
    ranking["blend"] = evaluate_ranking(
        blend_scorer(models[blend_with], blend_weights, fresh),
        split.train,
        split.test,
        k=k,
        relevant_from=relevant_from,
    )
    for name, metrics in ranking.items():
        timings[f"{name}_score"] = metrics.seconds
    return ProtocolReport(
        rating=evaluate_ratings(rating, split.test),
        ranking=ranking,
        blend=search,
        blend_weights=blend_weights,
        timings=timings,
        counts={
            "users": data.n_users,
            "items": data.n_items,
            "train_ratings": len(split.train.explicit),
            "test_ratings": len(split.test),
            "evaluated_users": ranking["most_popular"].users,
        },
    )
