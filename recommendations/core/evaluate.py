"""The evaluation protocol: our rankers beside the baselines, and the blend weight search.

Protocol (:func:`run_protocol`):

1. Per user, 20% of the explicit ratings are held out at random with a fixed seed
   (:func:`.holdout.holdout_split`); the same (user, item) pairs leave the implicit data.
2. Candidates of a user are all items seen in training minus that user's training items.
3. Relevant items are the user's held-out ratings >= 4; users without one are skipped.
4. Each ranker's top 10 is scored by Precision@10, Recall@10 and NDCG@10 (binary
   relevance, :mod:`.metrics`), averaged over users, plus catalogue coverage and novelty;
   the SVD's held-out RMSE and MAE come from the same split.
5. MostPopular and SVD-by-predicted-rating are always reported beside our rankers
   (:mod:`.scorers`).
6. Blend weights are chosen on a validation split carved out of the training part
   (:func:`grid_search_blend`), never on the test split.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from .holdout import (
    RankingMetrics,
    RatingMetrics,
    batch_metrics,
    evaluate_ranking,
    evaluate_ratings,
    ground_truth,
    holdout_split,
    top_k_rows,
)
from .score import BlendWeights, blend, popularity_score
from .scorers import (
    blend_components,
    blend_scorer,
    most_popular_scorer,
    ranker_scorer,
    svd_rating_scorer,
)
from .signals import Interactions, TrainingData
from .train import RankerParams, RatingSVD, SVDParams, TrainedModel, train

__all__ = [
    "BlendSearch",
    "ProtocolReport",
    "default_blend_grid",
    "grid_search_blend",
    "run_protocol",
]


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
    g = ground_truth(train_data, validation, relevant_from)
    if g.users.size == 0:
        raise ValueError("No user has a relevant validation item.")
    pop = popularity_score(model.popularity)
    totals = np.zeros(len(grid))
    for start in range(0, g.users.size, batch_size):
        users = g.users[start : start + batch_size]
        ranking, predicted, _ = blend_components(model, users)
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
            top, valid = top_k_rows(scores, exclude, k)
            totals[n] += batch_metrics(top, valid, relevant, k)[2].sum()
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
