"""Score one profile against the whole catalogue, with numpy, never per title.

The predicted rating is the SVD estimate of Surprise's ``matrix_factorization.pyx``,
``mu + bu + bi + Q @ p``, for all items at once; the ranking model's row is ``x @ V @ V^T``
(PureSVD) or ``x @ B`` (EASE). Exclusions are a boolean mask, and the top N come from
``np.argpartition`` with only those N sorted.

The final order blends four components, each brought to [0, 1] first:

- ranking: the ranking model's row, min-max normalised over the profile's candidates;
- rating: the predicted rating, ``(r - low) / (high - low)``;
- popularity: ``log1p(count) / log1p(max count)``;
- freshness: given by the caller, e.g. :func:`freshness` of each title's age.

Weights come from :class:`BlendWeights`; pick them with
:func:`recommendations.core.evaluate.grid_search_blend` on a validation split, never on the
test split.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .train import RankingModel, RatingFactors, TrainedModel

__all__ = [
    "BlendWeights",
    "ProfileState",
    "Recommendations",
    "blend",
    "exclusion_mask",
    "freshness",
    "match_percent",
    "normalise",
    "popularity_score",
    "predict_ratings",
    "profile_state",
    "ranking_scores",
    "recommend",
    "top_n",
]


@dataclass(frozen=True, slots=True, eq=False)
class ProfileState:
    """What scoring needs to know of one profile, in the model's index space.

    Build it with :func:`profile_state` for a profile the model was trained on, or with
    :func:`recommendations.core.fold_in.fold_in` from current feedback.

    Attributes:
        bias: The SVD user bias bu.
        factors: The SVD user factors p, shape (k,).
        items: Item indices of the profile's implicit interactions.
        weights: Their confidence weights.
        seen: Item indices the profile rated or interacted with (for exclusion).
        known: Whether the bias and factors come from training rather than a fold-in.
    """

    bias: float
    factors: npt.NDArray[np.float64]
    items: npt.NDArray[np.int64]
    weights: npt.NDArray[np.float32]
    seen: npt.NDArray[np.int64]
    known: bool = False


@dataclass(frozen=True, slots=True)
class BlendWeights:
    """Weights of the normalised components of the final score (only ratios matter)."""

    ranking: float = 1.0
    rating: float = 0.0
    popularity: float = 0.0
    freshness: float = 0.0


@dataclass(frozen=True, slots=True, eq=False)
class Recommendations:
    """Top-N items of one profile, best first.

    Attributes:
        items: Item indices.
        item_ids: Raw item ids.
        scores: Blended scores.
        predicted_ratings: SVD predicted ratings on the rating scale.
        match: Match percentages (see :func:`match_percent`).
    """

    items: npt.NDArray[np.int64]
    item_ids: npt.NDArray[np.int64]
    scores: npt.NDArray[np.float64]
    predicted_ratings: npt.NDArray[np.float64]
    match: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return int(self.items.shape[0])


def profile_state(model: TrainedModel, user: int) -> ProfileState:
    """The trained state of user index ``user`` (see ``TrainedModel.user_index``).

    Args:
        model: The trained model.
        user: A user index, ``0 <= user < model.n_users``.

    Returns:
        Its trained bias and factors, and its training interactions.

    Raises:
        IndexError: When ``user`` is out of range (an unknown profile needs a fold-in).
    """
    if not 0 <= user < model.n_users:
        raise IndexError(f"User index {user} is not in the model; fold the profile in.")
    row = model.interactions[user]
    items = row.indices.astype(np.int64)
    return ProfileState(
        bias=float(model.rating.user_bias[user]),
        factors=model.rating.P[user],
        items=items,
        weights=row.data.astype(np.float32),
        seen=items,
        known=True,
    )


def predict_ratings(rating: RatingFactors, state: ProfileState) -> npt.NDArray[np.float64]:
    """Predicted rating of every item: ``clip(mu + bu + bi + Q @ p)``.

    Args:
        rating: The SVD rating model.
        state: The profile.

    Returns:
        Shape (n_items,), clipped to the rating scale.
    """
    low, high = rating.rating_scale
    estimate = rating.global_mean + state.bias + rating.item_bias + rating.Q @ state.factors
    return np.clip(estimate, low, high)


def ranking_scores(ranker: RankingModel, state: ProfileState) -> npt.NDArray[np.float32]:
    """The ranking model's scores of every item for one profile.

    Only the rows of V (or B) of the profile's own items are read, so the cost is
    ``items x k`` for PureSVD and ``len(state.items) x items`` for EASE.

    Args:
        ranker: The ranking model.
        state: The profile.

    Returns:
        Shape (n_items,); all zeros for a profile without interactions.
    """
    if state.items.size == 0:
        return np.zeros(ranker.n_items, dtype=np.float32)
    w = state.weights.astype(np.float32)
    if ranker.kind == "ease":
        assert ranker.weights is not None
        return w @ ranker.weights[state.items]
    V = ranker.item_factors
    return V @ (w @ V[state.items])


def exclusion_mask(
    n_items: int,
    *,
    seen: npt.ArrayLike = (),
    not_interested: npt.ArrayLike = (),
    above_maturity: npt.NDArray[np.bool_] | None = None,
    unavailable: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.bool_]:
    """Items never to recommend, as one boolean mask (True = excluded).

    Args:
        n_items: Catalogue size.
        seen: Item indices already watched or rated.
        not_interested: Item indices the profile hid.
        above_maturity: Mask of items above the profile's maturity limit.
        unavailable: Any other mask (e.g. not in the catalogue any more).

    Returns:
        Boolean mask of shape (n_items,).

    Raises:
        ValueError: When a mask has another shape.
    """
    mask = np.zeros(n_items, dtype=bool)
    for indices in (seen, not_interested):
        idx = np.asarray(indices, dtype=np.int64)
        mask[idx[idx >= 0]] = True  # -1 marks an item unknown to the model
    for extra in (above_maturity, unavailable):
        if extra is not None:
            if extra.shape != (n_items,):
                raise ValueError(f"Mask has shape {extra.shape}, expected ({n_items},).")
            mask |= extra
    return mask


def top_n(
    scores: npt.NDArray[np.floating],
    n: int,
    *,
    exclude: npt.NDArray[np.bool_] | None = None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """The ``n`` best items by score, best first, leaving out excluded ones.

    ``np.argpartition`` finds them in linear time; only those ``n`` are sorted. Ties are
    broken by the lower index, so results are reproducible.

    Args:
        scores: Shape (n_items,).
        n: How many to return.
        exclude: Mask of items to leave out.

    Returns:
        ``(indices, scores)``; fewer than ``n`` when fewer items are allowed.

    Raises:
        ValueError: When ``n`` is negative.
    """
    if n < 0:
        raise ValueError("n must not be negative.")
    values = np.asarray(scores, dtype=np.float64)
    candidates = np.flatnonzero(~exclude) if exclude is not None else np.arange(values.size)
    if n == 0 or candidates.size == 0:
        return np.empty(0, dtype=np.int64), np.empty(0)
    candidate_scores = values[candidates]
    if n < candidates.size:
        part = np.argpartition(-candidate_scores, n - 1)[:n]
    else:
        part = np.arange(candidates.size)
    # lexsort: by score descending, then index ascending.
    order = part[np.lexsort((candidates[part], -candidate_scores[part]))]
    chosen = candidates[order]
    return chosen.astype(np.int64), values[chosen]


def normalise(
    scores: npt.NDArray[np.floating], exclude: npt.NDArray[np.bool_] | None = None
) -> npt.NDArray[np.float64]:
    """Min-max scale to [0, 1] along the last axis, over the items not excluded.

    Works on one row or a batch of rows. Excluded items, and rows that are constant or
    wholly excluded, become 0.
    """
    values = np.asarray(scores, dtype=np.float64)
    if values.size == 0:
        return np.zeros_like(values)
    if exclude is None:
        low = values.min(axis=-1, keepdims=True)
        high = values.max(axis=-1, keepdims=True)
    else:
        low = np.where(exclude, np.inf, values).min(axis=-1, keepdims=True)
        high = np.where(exclude, -np.inf, values).max(axis=-1, keepdims=True)
    span = high - low
    usable = np.isfinite(span) & (span > 0)
    out = np.where(usable, (values - np.where(usable, low, 0.0)) / np.where(usable, span, 1.0), 0.0)
    if exclude is not None:
        out[exclude] = 0.0
    return out


def popularity_score(popularity: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """``log1p(count) / log1p(max count)``: popularity on [0, 1], its long tail flattened."""
    counts = np.asarray(popularity, dtype=np.float64)
    top = np.log1p(counts.max()) if counts.size else 0.0
    return np.log1p(counts) / top if top > 0 else np.zeros_like(counts)


def freshness(age_days: npt.ArrayLike, *, half_life_days: float = 365.0) -> npt.NDArray[np.float64]:
    """Exponential decay of a title's age: 1 when new, 0.5 after one half-life.

    Args:
        age_days: Age of each title in days (negative ages count as new; NaN as very old).
        half_life_days: Age at which freshness halves.

    Returns:
        Freshness on [0, 1].
    """
    age = np.nan_to_num(np.asarray(age_days, dtype=np.float64), nan=np.inf)
    return np.exp2(-np.maximum(age, 0.0) / half_life_days)


def blend(
    *,
    ranking: npt.NDArray[np.floating],
    predicted: npt.NDArray[np.floating],
    popularity: npt.NDArray[np.floating],
    fresh: npt.NDArray[np.floating] | None,
    weights: BlendWeights,
    rating_scale: tuple[float, float] = (1.0, 5.0),
    exclude: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.float64]:
    """Blend the four components into one score per item (batch rows work too).

    Args:
        ranking: Raw ranking-model scores, shape (n_items,).
        predicted: Predicted ratings, shape (n_items,).
        popularity: :func:`popularity_score`, shape (n_items,).
        fresh: :func:`freshness`, shape (n_items,), or ``None`` for no freshness.
        weights: The component weights.
        rating_scale: The predicted ratings' range.
        exclude: Items left out of the ranking normalisation.

    Returns:
        Blended scores, shape (n_items,).
    """
    low, high = rating_scale
    score = weights.ranking * normalise(ranking, exclude)
    if weights.rating:
        score = score + weights.rating * (np.asarray(predicted) - low) / (high - low)
    if weights.popularity:
        score = score + weights.popularity * popularity
    if weights.freshness and fresh is not None:
        score = score + weights.freshness * fresh
    return score


def match_percent(
    predicted: npt.ArrayLike, rating_scale: tuple[float, float] = (1.0, 5.0)
) -> npt.NDArray[np.int64]:
    """The "97% match" badge from a predicted rating.

    Linear on the rating scale, ``round(100 * (r - low) / (high - low))``, capped at 99
    because a prediction is never a certainty: 1.0 -> 0%, 3.0 -> 50%, 4.0 -> 75%,
    4.88 -> 97%, 5.0 -> 99%.

    Args:
        predicted: Predicted ratings.
        rating_scale: Their range.

    Returns:
        Integer percentages in [0, 99].
    """
    low, high = rating_scale
    share = (np.asarray(predicted, dtype=np.float64) - low) / (high - low)
    return np.clip(np.rint(100 * share), 0, 99).astype(np.int64)


def recommend(
    model: TrainedModel,
    state: ProfileState,
    *,
    n: int = 200,
    exclude: npt.NDArray[np.bool_] | None = None,
    weights: BlendWeights | None = None,
    fresh: npt.NDArray[np.floating] | None = None,
    exclude_seen: bool = True,
) -> Recommendations:
    """The profile's top ``n`` items by the blended score.

    A profile without interactions (cold start) has an all-zero ranking row; it is then
    ranked by popularity instead, so a new profile still gets the popular titles.

    Args:
        model: The trained model.
        state: The profile, from :func:`profile_state` or a fold-in.
        n: How many items.
        exclude: Extra exclusions (see :func:`exclusion_mask`).
        weights: Blend weights; ranking model only when ``None``.
        fresh: Freshness per item, or ``None``.
        exclude_seen: Also leave out ``state.seen``.

    Returns:
        The recommendations, best first.
    """
    weights = weights or BlendWeights()
    mask = np.zeros(model.n_items, dtype=bool) if exclude is None else exclude.copy()
    if exclude_seen:
        mask[state.seen] = True
    predicted = predict_ratings(model.rating, state)
    pop = popularity_score(model.popularity)
    ranking = ranking_scores(model.ranker, state) if state.items.size else pop
    score = blend(
        ranking=ranking,
        predicted=predicted,
        popularity=pop,
        fresh=fresh,
        weights=weights,
        rating_scale=model.rating.rating_scale,
        exclude=mask,
    )
    items, scores = top_n(score, n, exclude=mask)
    return Recommendations(
        items=items,
        item_ids=model.item_ids[items],
        scores=scores,
        predicted_ratings=predicted[items],
        match=match_percent(predicted[items], model.rating.rating_scale),
    )
