"""Scorers: every item's score for a batch of users, for the baselines and our rankers.

A :data:`Scorer` is what :func:`recommendations.core.holdout.evaluate_ranking` ranks by.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from .score import BlendWeights, blend, normalise, popularity_score
from .signals import TrainingData
from .train import RatingFactors, TrainedModel

__all__ = [
    "Scorer",
    "blend_components",
    "blend_scorer",
    "most_popular_scorer",
    "ranker_scorer",
    "svd_rating_scorer",
]

Scorer = Callable[[npt.NDArray[np.int64]], npt.NDArray[np.floating]]
"""Scores of every item for a batch of user indices: shape (len(users), n_items)."""


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


def blend_components(
    model: TrainedModel, batch: npt.NDArray[np.int64]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What the blend takes for a batch: ranking scores normalised to [0, 1], clipped
    predicted ratings, and the mask of items each user has seen or nobody trained on."""
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
        ranking, predicted, _ = blend_components(model, batch)
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
