"""The home page's rows, as arrays: score the catalogue for one profile, explain a score,
find an anchor's neighbours, measure tastes, and fit an evening.

Everything here works in one index space, the *catalogue* (the titles a page may show, in
the caller's order); the trained model has its own item index, mapped with ``model_index``
(``-1`` for a title the model never saw, e.g. one added since training).

Laying the rows out on a page is `recommendations.core.page.layout`.

Measuring tastes and calibrating a row to them is `recommendations.core.taste`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from .score import (
    BlendWeights,
    ProfileState,
    match_percent,
    normalise,
    popularity_score,
    predict_ratings,
    ranking_scores,
)
from .train import TrainedModel

__all__ = [
    "ProfileScores",
    "explain",
    "neighbours_of",
    "neighbours_of_each",
    "profile_scores",
    "theme_vectors",
    "time_fit",
    "unit_rows",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


# --------------------------------------------------------------------------------------
# Scoring the catalogue
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class ProfileScores:
    """One profile's scores of every catalogue title.

    Attributes:
        relevance: The blended score scaled to [0, 1] over the catalogue: what "how much
            this profile should like it" means for every row. Popularity alone without a
            model or for a title the model does not know.
        predicted: Predicted rating on the model's scale; NaN when unknown.
        match: Match percentage; -1 when unknown.
        terms: The blend's weighted terms per title, shape (3, n): ranking, rating and
            popularity, so a card can say which one put it there.
        personal: Whether the ranking term comes from the profile's own signals.
    """

    relevance: FloatArray
    predicted: FloatArray
    match: IntArray
    terms: FloatArray
    personal: bool


TERMS = ("ranking", "rating", "popularity")


def profile_scores(
    *,
    model: TrainedModel | None,
    state: ProfileState | None,
    model_index: IntArray,
    popularity: npt.ArrayLike,
    weights: BlendWeights | None = None,
) -> ProfileScores:
    """Score every catalogue title for one profile, in one pass of numpy.

    Args:
        model: The active model, or None (then popularity ranks everything).
        state: The profile's state in that model (a fold-in of its current signals).
        model_index: The model's item index of each catalogue title, -1 if unknown.
        popularity: Viewers per catalogue title, for titles the model does not know and
            for an instance without a model.
        weights: The model's blend weights.

    Returns:
        The scores, aligned with the catalogue.
    """
    n = model_index.shape[0]
    pop = popularity_score(np.asarray(popularity, dtype=np.float64)) if n else np.zeros(0)
    if model is None or state is None:
        terms = np.zeros((3, n))
        terms[2] = pop
        return ProfileScores(
            relevance=pop,
            predicted=np.full(n, np.nan),
            match=np.full(n, -1, dtype=np.int64),
            terms=terms,
            personal=False,
        )
    weights = weights or BlendWeights()
    known = model_index >= 0
    idx = model_index[known]
    predicted_all = predict_ratings(model.rating, state)
    model_pop = popularity_score(model.popularity)
    personal = bool(state.items.size)
    ranking_all = ranking_scores(model.ranker, state) if personal else model_pop
    low, high = model.rating.rating_scale

    terms = np.zeros((3, n))
    seen = np.zeros(model.n_items, dtype=bool)
    seen[state.seen] = True
    # Normalised over what the profile has not seen, as the ranking itself is: its own
    # titles score highest and would squash everyone else's share.
    terms[0, known] = weights.ranking * normalise(ranking_all, seen)[idx]
    if weights.rating:
        terms[1, known] = weights.rating * (predicted_all[idx] - low) / (high - low)
    if weights.popularity:
        terms[2, known] = weights.popularity * model_pop[idx]
    # A title the model does not know competes on popularity alone, at a discount: it
    # has no evidence of fitting this profile.
    terms[2, ~known] = 0.25 * pop[~known] * max(weights.popularity, 0.1)
    total = terms.sum(axis=0)
    relevance = normalise(total)
    predicted = np.full(n, np.nan)
    predicted[known] = predicted_all[idx]
    match = np.full(n, -1, dtype=np.int64)
    match[known] = match_percent(predicted_all[idx], model.rating.rating_scale)
    return ProfileScores(
        relevance=relevance, predicted=predicted, match=match, terms=terms, personal=personal
    )


def explain(
    model: TrainedModel, state: ProfileState, items: npt.ArrayLike, *, top: int = 2
) -> tuple[IntArray, FloatArray]:
    """Which of the profile's own titles put each item where it is, and by how much.

    The ranking model's score of item i is a sum over the profile's items j,
    ``w_j * B[j, i]`` (EASE) or ``w_j * V_j . V_i`` (PureSVD); each term is j's
    contribution. These are the exact terms of the score, so the evidence is the score's
    own arithmetic.

    Args:
        model: The model.
        state: The profile's state.
        items: Model item indices to explain.
        top: Contributors per item.

    Returns:
        ``(contributors, shares)``, shape (len(items), top): model item indices of the
        profile's items (-1 when fewer positive contributors) and their share of the
        item's positive contributions, best first.
    """
    items = np.asarray(items, dtype=np.int64)
    out = np.full((items.size, top), -1, dtype=np.int64)
    shares = np.zeros((items.size, top))
    if items.size == 0 or state.items.size == 0:
        return out, shares
    w = state.weights.astype(np.float64)[:, None]
    ranker = model.ranker
    if ranker.kind == "ease":
        assert ranker.weights is not None
        parts = w * ranker.weights[np.ix_(state.items, items)]
    else:
        V = ranker.item_factors
        parts = w * (V[state.items] @ V[items].T)
    parts = np.maximum(parts, 0.0)  # (profile items, items)
    totals = parts.sum(axis=0)
    k = min(top, state.items.size)
    order = np.argsort(-parts, axis=0, kind="stable")[:k]  # (k, items)
    best = np.take_along_axis(parts, order, axis=0)
    valid = best > 0
    out[:, :k] = np.where(valid, state.items[order], -1).T
    with np.errstate(invalid="ignore", divide="ignore"):
        shares[:, :k] = np.where(valid, best / np.where(totals > 0, totals, 1.0), 0.0).T
    return out, shares


# --------------------------------------------------------------------------------------
# Neighbours of an anchor ("Because you watched X")
# --------------------------------------------------------------------------------------


def unit_rows(vectors: npt.ArrayLike) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_]]:
    """Rows scaled to unit length, and which rows carry a vector at all.

    Computed once per catalogue, so that each anchor's neighbours cost one product.
    """
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1) if vectors.size else np.zeros(vectors.shape[0])
    # Titles without feedback have (numerically almost) zero vectors: no CF evidence.
    has_vector = norms > 1e-6 * (norms.max() if norms.size else 0.0)
    unit = np.zeros_like(vectors)
    unit[has_vector] = vectors[has_vector] / norms[has_vector, None]
    return unit, has_vector


def theme_vectors(*features: sp.csr_matrix) -> sp.csr_matrix:
    """What each title is about (its genres and tags), as row-normalised TF-IDF vectors.

    Unlike the full content vectors, these leave out the people: two Westerns by different
    directors share little else in the content vectors, yet a viewer sees them as alike. A
    rare genre (Western) weighs more than a common one (Drama), by
    ``idf = ln((1 + n) / (1 + df)) + 1``.

    Args:
        features: Binary (n_titles, n_features) matrices with the same rows.

    Returns:
        Sparse (n_titles, total features) float32 matrix; a title without any feature has a
        zero row.

    Raises:
        ValueError: When no matrix is given or their row counts differ.
    """
    if not features or len({f.shape[0] for f in features}) != 1:
        raise ValueError("Give feature matrices with the same titles.")
    binary = sp.csr_matrix(sp.hstack([(f > 0).astype(np.float32) for f in features]))
    n = binary.shape[0]
    df = np.asarray(binary.sum(axis=0)).ravel()
    idf = (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)
    weighted = binary @ sp.diags(idf)
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    inverse = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    return sp.csr_matrix(sp.diags(inverse.astype(np.float32)) @ weighted, dtype=np.float32)


def neighbours_of(
    anchor: int,
    *,
    unit: npt.NDArray[np.float32] | None,
    has_vector: npt.NDArray[np.bool_] | None,
    content: sp.csr_matrix | None,
    cf_weight: float = 0.7,
    themes: sp.csr_matrix | None = None,
    theme_weight: float = 0.5,
) -> npt.NDArray[np.float32]:
    """Similarity of every catalogue title to one anchor title.

    The same blend as :func:`recommendations.core.similar.similar_items`:
    ``cf_weight * cos(factors) + (1 - cf_weight) * cos(content)``, with content alone at
    full weight when the anchor has no factors (nobody has watched it yet). Given
    ``themes``, that blend takes ``1 - theme_weight`` and the cosine of the themes
    (:func:`theme_vectors`) the rest: "Because you liked a Western" then shows mostly
    Westerns, which factors learned from a handful of viewers and content vectors led by
    the cast do not.

    Args:
        anchor: The anchor's catalogue index.
        unit: Unit item embeddings per catalogue title (:func:`unit_rows`), or None.
        has_vector: Which titles have an embedding.
        content: Row-normalised TF-IDF content vectors, or None.
        cf_weight: Share of the factor cosine.
        themes: Row-normalised genre and tag vectors, or None.
        theme_weight: Share of the themes' cosine when given.

    Returns:
        Shape (n,), the anchor itself at -inf.
    """
    return neighbours_of_each(
        [anchor],
        unit=unit,
        has_vector=has_vector,
        content=content,
        cf_weight=cf_weight,
        themes=themes,
        theme_weight=theme_weight,
    )[0]


def neighbours_of_each(
    anchors: npt.ArrayLike,
    *,
    unit: npt.NDArray[np.float32] | None,
    has_vector: npt.NDArray[np.bool_] | None,
    content: sp.csr_matrix | None,
    cf_weight: float = 0.7,
    themes: sp.csr_matrix | None = None,
    theme_weight: float = 0.5,
) -> npt.NDArray[np.float32]:
    """:func:`neighbours_of` for several anchors at once: one product per source.

    Returns:
        Shape (len(anchors), n); row r holds anchor r's similarities, itself at -inf.
    """
    anchors = np.asarray(anchors, dtype=np.int64).reshape(-1)
    sizes = [x.shape[0] for x in (unit, content) if x is not None]
    if not sizes:
        raise ValueError("Give embeddings, content, or both.")
    n = sizes[0]
    sims = np.zeros((anchors.size, n), dtype=np.float32)
    use_cf = np.zeros(anchors.size, dtype=bool)
    if unit is not None and has_vector is not None:
        use_cf = has_vector[anchors].astype(bool)
        if use_cf.any():
            share = cf_weight if content is not None else 1.0
            sims[use_cf] = share * (unit[anchors[use_cf]] @ unit.T)
    if content is not None:
        # Catalogue-side CSR times the anchors' columns: the fast orientation of the product.
        text = np.asarray((content @ content[anchors].T).todense(), dtype=np.float32).T
        sims += np.where(use_cf, 1.0 - cf_weight, 1.0).astype(np.float32)[:, None] * text
    if themes is not None:
        if themes.shape[0] != n:
            raise ValueError("themes describe another number of titles.")
        about = np.asarray((themes @ themes[anchors].T).todense(), dtype=np.float32).T
        sims = (1.0 - theme_weight) * sims + theme_weight * about
    sims[np.arange(anchors.size), anchors] = -np.inf
    return sims


# --------------------------------------------------------------------------------------
# Intent ("Tonight I have…")
# --------------------------------------------------------------------------------------


def time_fit(
    minutes_needed: npt.ArrayLike, budget: float | None, *, patience: float = 0.5
) -> FloatArray:
    """How well each title fits an evening of ``budget`` minutes, in [0, 1].

    1 when it fits; beyond the budget it decays with the overrun, faster for a profile
    that rarely finishes what it starts (low ``patience``, its completion rate), since such
    a profile will not stay up for the last hour of a long film.

    Args:
        minutes_needed: Minutes each title needs tonight (what is left of a film, one
            episode of a series).
        budget: The time budget in minutes, or None for no limit.
        patience: The profile's completion rate, in [0, 1].

    Returns:
        The fit per title (1 for unknown runtimes, NaN).
    """
    needed = np.asarray(minutes_needed, dtype=np.float64)
    if budget is None:
        return np.ones_like(needed)
    overrun = np.maximum(np.nan_to_num(needed, nan=0.0) - budget, 0.0) / max(budget, 1.0)
    tolerance = 0.1 + 0.4 * float(np.clip(patience, 0.0, 1.0))
    return np.exp(-overrun / tolerance)


def within_budget(
    minutes_needed: npt.ArrayLike, budget: float | None, *, overrun: float = 0.0
) -> npt.NDArray[np.bool_]:
    """Which titles fit an evening of ``budget`` minutes, allowing ``overrun`` (a fraction).

    Unknown runtimes (NaN) fit: a missing runtime should not hide a title.
    """
    needed = np.asarray(minutes_needed, dtype=np.float64)
    if budget is None:
        return np.ones(needed.shape, dtype=bool)
    return np.isnan(needed) | (needed <= budget * (1.0 + overrun))
