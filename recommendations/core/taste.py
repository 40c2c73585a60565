"""A profile's tastes over the catalogue's features (genres, tags), and rows calibrated to them.

A personal row is calibrated to the profile's tastes (Steck, "Calibrated Recommendations",
RecSys 2018): its genres come in about the shares the profile's recent signals have, so a
taste of a sixth of what it watched lately gets about a sixth of the row, not none because
one larger taste outscores it title by title.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

__all__ = ["calibrated", "feature_shares", "taste_strengths"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def taste_strengths(
    items: npt.ArrayLike,
    weights: npt.ArrayLike,
    features: sp.csr_matrix,
    *,
    min_support: int = 2,
    prior: float = 3.0,
) -> tuple[IntArray, FloatArray, IntArray]:
    """The features (genres, tags) a profile likes more than the catalogue's base rate.

    Strength is the profile's weighted share of a feature times the log of its lift over
    the catalogue share, with ``prior`` pseudo-titles at the base rate so that one title
    never makes a taste.

    Args:
        items: Catalogue indices of the profile's positive titles.
        weights: Their weights (> 0).
        features: Binary (n_titles, n_features) matrix.
        min_support: Fewest of the profile's titles a taste needs.
        prior: Pseudo-count of the smoothing.

    Returns:
        ``(features, strengths, support)`` of the features with positive strength,
        strongest first.
    """
    items = np.asarray(items, dtype=np.int64)
    w = np.asarray(weights, dtype=np.float64)
    n_titles, n_features = features.shape
    if items.size == 0 or n_features == 0 or n_titles == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, np.empty(0), empty
    binary = features[items]
    support = np.asarray((binary > 0).sum(axis=0)).ravel().astype(np.int64)
    mass = np.asarray(binary.T @ w).ravel()
    base = np.asarray((features > 0).sum(axis=0)).ravel() / n_titles
    share = (mass + prior * base) / (w.sum() + prior)
    with np.errstate(divide="ignore", invalid="ignore"):
        lift = np.where(base > 0, share / base, 0.0)
        strength = np.where(lift > 1, share * np.log(lift), 0.0)
    strength[support < min_support] = 0.0
    # A share at the base rate can round to a lift of 1 + 2^-52: not a taste.
    chosen = np.flatnonzero(strength > 1e-9)
    order = chosen[np.lexsort((chosen, -strength[chosen]))]
    return order.astype(np.int64), strength[order], support[order]


def feature_shares(
    items: npt.ArrayLike, weights: npt.ArrayLike, features: sp.csr_matrix
) -> FloatArray:
    """The profile's taste as a distribution over features (genres): ``p(g | profile)``.

    Each title spreads its weight evenly over its features (a Western comedy gives half to
    each), as in Steck's calibration; titles without features are left out.

    Args:
        items: Catalogue indices of the profile's positive titles.
        weights: Their weights (> 0), e.g. recency-weighted signal weights.
        features: Binary (n_titles, n_features) matrix.

    Returns:
        Shape (n_features,), summing to 1; all zeros when no title has a feature.
    """
    items = np.asarray(items, dtype=np.int64)
    w = np.asarray(weights, dtype=np.float64)
    n_features = features.shape[1]
    if items.size == 0 or n_features == 0:
        return np.zeros(n_features)
    rows = sp.csr_matrix(features[items] > 0, dtype=np.float64)
    counts = np.asarray(rows.sum(axis=1)).ravel()
    share = w / np.where(counts > 0, counts, 1.0)
    mass = np.asarray(rows.T @ share).ravel()
    total = mass.sum()
    return mass / total if total > 0 else np.zeros(n_features)


def calibrated(
    candidates: npt.ArrayLike,
    relevance: npt.ArrayLike,
    features: sp.csr_matrix,
    target: npt.ArrayLike,
    *,
    n: int,
    weight: float = 0.5,
    alpha: float = 0.01,
) -> IntArray:
    """Re-rank candidates so that the top ``n`` carry the target's feature shares.

    Steck's greedy calibration: each next title maximises
    ``(1 - weight) * sum(relevance) - weight * KL(target || q)`` of the list so far, where
    ``q`` is the list's feature distribution (each title's features equally), mixed with
    ``alpha`` of the target so that the divergence stays finite. ``weight = 0`` keeps the
    relevance order; the candidates after the first ``n`` follow in their own order.

    Args:
        candidates: Catalogue indices, best first.
        relevance: Relevance of every catalogue title, in [0, 1].
        features: Binary (n_titles, n_features) matrix.
        target: The profile's feature distribution (:func:`feature_shares`).
        n: Length of the calibrated head.
        weight: Weight of calibration against relevance, in [0, 1).
        alpha: Share of the target mixed into the list's distribution.

    Returns:
        The candidates, reordered: the calibrated ``n`` first, then the rest.

    Raises:
        ValueError: When ``weight`` is outside [0, 1) or ``alpha`` outside (0, 1].
    """
    if not 0.0 <= weight < 1.0:
        raise ValueError("weight must be within [0, 1).")
    if not 0.0 < alpha <= 1.0:
        raise ValueError("alpha must be within (0, 1].")
    candidates = np.asarray(candidates, dtype=np.int64)
    p = np.asarray(target, dtype=np.float64)
    if weight == 0 or candidates.size == 0 or p.sum() <= 0:
        return candidates
    rel = np.asarray(relevance, dtype=np.float64)[candidates]
    rows = sp.csr_matrix(features[candidates] > 0, dtype=np.float64).toarray()
    counts = rows.sum(axis=1, keepdims=True)
    per_title = np.divide(rows, counts, out=np.zeros_like(rows), where=counts > 0)
    support = p > 0  # KL(p || q) sums over the target's features only
    chosen: list[int] = []
    free = np.ones(candidates.size, dtype=bool)
    mass = np.zeros(p.size)
    gained = 0.0
    for k in range(min(n, candidates.size)):
        # Every free candidate's list, if it were added next: (candidates, features).
        q = (mass[None, :] + per_title) / (k + 1)
        q = (1 - alpha) * q + alpha * p[None, :]
        kl = (p[support] * np.log(p[support] / q[:, support])).sum(axis=1)
        objective = (1 - weight) * (gained + rel) - weight * kl
        objective[~free] = -np.inf
        best = int(np.argmax(objective))  # ties to the better-ranked candidate
        chosen.append(best)
        free[best] = False
        mass += per_title[best]
        gained += rel[best]
    rest = np.flatnonzero(free)
    return candidates[np.concatenate([np.asarray(chosen, dtype=np.int64), rest])]
