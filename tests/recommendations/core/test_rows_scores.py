"""``profile_scores``: the blend of predicted rating, ranking score and popularity.

Models are either the planted ones of ``conftest.py`` (three tastes, known answers) or
the tiny random ones of ``rows_helpers.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from recommendations.core.fold_in import fold_in_indices
from recommendations.core.rows import profile_scores
from recommendations.core.score import (
    BlendWeights,
    match_percent,
    normalise,
    popularity_score,
    predict_ratings,
    ranking_scores,
)
from recommendations.core.train import TrainedModel

from .conftest import TINY_FOLD_IN, Planted
from .rows_helpers import ROMANCE, SCI_FI, ease_by_hand, empty_state, state_of, tiny_model

# --------------------------------------------------------------------------------------
# profile_scores
# --------------------------------------------------------------------------------------


def test_without_a_model_popularity_ranks_everything() -> None:
    popularity = np.array([0, 10, 100, 3])
    model_index = np.array([0, 1, 2, 3])
    for model, state in ((None, None), (tiny_model("puresvd", n_items=4), None)):
        scores = profile_scores(
            model=model, state=state, model_index=model_index, popularity=popularity
        )
        np.testing.assert_allclose(scores.relevance, popularity_score(popularity))
        assert scores.relevance.argmax() == 2
        assert np.isnan(scores.predicted).all()
        assert scores.match.tolist() == [-1, -1, -1, -1]
        assert scores.match.dtype == np.int64
        assert scores.personal is False
        np.testing.assert_array_equal(scores.terms[:2], 0.0)
        np.testing.assert_allclose(scores.terms[2], popularity_score(popularity))


def test_an_empty_catalogue_scores_nothing() -> None:
    empty = np.empty(0, dtype=np.int64)
    model = tiny_model("puresvd")
    for m, s in ((None, None), (model, state_of([1, 2], [1.0, 2.0]))):
        scores = profile_scores(model=m, state=s, model_index=empty, popularity=[])
        assert scores.relevance.shape == (0,)
        assert scores.predicted.shape == (0,)
        assert scores.match.shape == (0,)
        assert scores.terms.shape == (3, 0)


@pytest.mark.parametrize("kind", ["puresvd", "ease"])
@pytest.mark.parametrize(
    "weights",
    [None, BlendWeights(ranking=1.0, rating=0.5, popularity=0.3)],
    ids=["default", "blended"],
)
def test_with_a_model_scores_are_the_blends_terms_scaled_to_zero_one(
    kind: str, weights: BlendWeights | None
) -> None:
    model = tiny_model(kind, n_items=8)
    state = state_of([1, 4], [1.0, 3.0])
    model_index = np.arange(8)
    scores = profile_scores(
        model=model, state=state, model_index=model_index, popularity=np.ones(8), weights=weights
    )
    w = weights or BlendWeights()
    seen = np.zeros(8, dtype=bool)
    seen[state.seen] = True
    predicted = predict_ratings(model.rating, state)
    ranking = w.ranking * normalise(ranking_scores(model.ranker, state), seen)
    rating = w.rating * (predicted - 1.0) / 4.0
    popularity = w.popularity * popularity_score(model.popularity)
    np.testing.assert_allclose(scores.terms, np.vstack([ranking, rating, popularity]), atol=1e-6)
    np.testing.assert_allclose(scores.relevance, normalise(scores.terms.sum(axis=0)), atol=1e-9)
    assert scores.relevance.min() == pytest.approx(0.0)
    assert scores.relevance.max() == pytest.approx(1.0)
    np.testing.assert_allclose(scores.predicted, predicted)
    np.testing.assert_array_equal(scores.match, match_percent(predicted, (1.0, 5.0)))
    assert scores.personal is True


def test_the_ranking_term_is_normalised_over_the_unseen_titles_only() -> None:
    model = tiny_model("puresvd", n_items=10, seed=3)
    state = state_of([0, 1, 2], [2.0, 1.0, 1.0])
    raw = ranking_scores(model.ranker, state)
    scores = profile_scores(
        model=model, state=state, model_index=np.arange(10), popularity=np.ones(10)
    )
    unseen = np.setdiff1d(np.arange(10), state.seen)
    ranking = scores.terms[0]
    np.testing.assert_array_equal(ranking[state.seen], 0.0)
    # The best and worst unseen titles span the whole [0, 1], whatever the seen ones score.
    assert ranking[unseen].max() == pytest.approx(1.0)
    assert ranking[unseen].min() == pytest.approx(0.0)
    assert ranking[unseen].argmax() == raw[unseen].argmax()
    assert ranking[unseen].argmin() == raw[unseen].argmin()


def test_the_seen_titles_high_raw_scores_do_not_squash_the_rest() -> None:
    # EASE by hand: the profile's title 0 makes its other title 1 score 10, while the
    # unseen titles 2 and 3 score 0.2 and 0.1.
    B = np.zeros((4, 4), dtype=np.float32)
    B[0, 1], B[0, 2], B[0, 3] = 10.0, 0.2, 0.1
    model = ease_by_hand(B)
    state = state_of([0, 1], [1.0, 1.0])
    scores = profile_scores(
        model=model, state=state, model_index=np.arange(4), popularity=np.ones(4)
    )
    # Over the whole catalogue title 2 would get 0.02; over the unseen ones it is the best.
    np.testing.assert_allclose(scores.terms[0], [0.0, 0.0, 1.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(scores.relevance, [0.0, 0.0, 1.0, 0.0], atol=1e-6)


def test_a_catalogue_in_another_order_gets_the_same_scores_permuted() -> None:
    model = tiny_model("ease", n_items=6, seed=5)
    state = state_of([2, 5], [1.0, 1.5])
    weights = BlendWeights(ranking=1.0, rating=0.4, popularity=0.2)
    straight = profile_scores(
        model=model, state=state, model_index=np.arange(6), popularity=np.ones(6), weights=weights
    )
    order = np.array([4, 0, 5, 1, 3, 2])
    shuffled = profile_scores(
        model=model, state=state, model_index=order, popularity=np.ones(6), weights=weights
    )
    np.testing.assert_allclose(shuffled.relevance, straight.relevance[order])
    np.testing.assert_allclose(shuffled.predicted, straight.predicted[order])
    np.testing.assert_array_equal(shuffled.match, straight.match[order])
    np.testing.assert_allclose(shuffled.terms, straight.terms[:, order])


@pytest.mark.parametrize("popularity_weight", [0.0, 0.05, 0.5])
def test_a_title_unknown_to_the_model_gets_no_prediction_and_a_low_popularity_score(
    popularity_weight: float,
) -> None:
    model = tiny_model("puresvd", n_items=6, seed=1)
    state = state_of([0, 1], [1.0, 1.0])
    # Catalogue: the six model titles, then two new ones; the first new one is the most
    # popular title of the whole catalogue.
    model_index = np.array([0, 1, 2, 3, 4, 5, -1, -1])
    popularity = np.array([5, 5, 5, 5, 5, 5, 1000, 2])
    weights = BlendWeights(ranking=1.0, popularity=popularity_weight)
    scores = profile_scores(
        model=model, state=state, model_index=model_index, popularity=popularity, weights=weights
    )
    unknown = model_index < 0
    assert np.isnan(scores.predicted[unknown]).all()
    assert not np.isnan(scores.predicted[~unknown]).any()
    assert scores.match[unknown].tolist() == [-1, -1]
    assert (scores.match[~unknown] >= 0).all()
    np.testing.assert_array_equal(scores.terms[:2, unknown], 0.0)
    np.testing.assert_allclose(
        scores.terms[2, unknown],
        0.25 * popularity_score(popularity)[unknown] * max(popularity_weight, 0.1),
    )
    # Known titles use the model's own popularity, not the catalogue's.
    np.testing.assert_allclose(
        scores.terms[2, ~unknown], popularity_weight * popularity_score(model.popularity)
    )
    # The catalogue's most popular title, being unknown, ranks below every unseen known one.
    unseen_known = np.setdiff1d(np.arange(6), state.seen)
    best_unknown = scores.relevance[6]
    assert best_unknown < np.sort(scores.relevance[unseen_known])[1]
    assert scores.relevance.min() >= 0.0
    assert scores.relevance.max() <= 1.0


def test_a_profile_without_interactions_is_not_personal_and_ranks_by_popularity() -> None:
    model = tiny_model("puresvd", n_items=6, seed=2)
    # Rated (seen) title 3 but no implicit interaction.
    state = empty_state(3, seen=[3])
    scores = profile_scores(
        model=model, state=state, model_index=np.arange(6), popularity=np.ones(6)
    )
    assert scores.personal is False
    seen = np.zeros(6, dtype=bool)
    seen[3] = True
    np.testing.assert_allclose(scores.terms[0], normalise(popularity_score(model.popularity), seen))
    # Prediction does not need interactions: the rating model still answers.
    np.testing.assert_allclose(scores.predicted, predict_ratings(model.rating, state))


def test_a_sci_fi_lover_gets_unseen_sci_fi_at_the_top(
    planted: Planted, planted_model: TrainedModel
) -> None:
    sci_fi = planted.items_of(SCI_FI)
    state = fold_in_indices(
        planted_model,
        rated_items=sci_fi[:4],
        ratings=[5, 5, 5, 5],
        interacted_items=sci_fi[:4],
        weights=[1.0, 1.0, 1.0, 1.0],
        params=TINY_FOLD_IN,
    )
    n = planted_model.n_items
    scores = profile_scores(
        model=planted_model,
        state=state,
        model_index=np.arange(n),
        popularity=planted_model.popularity,
        weights=BlendWeights(ranking=1.0, rating=0.3),
    )
    assert scores.personal is True
    unseen = np.setdiff1d(np.arange(n), state.seen)
    top = unseen[np.argsort(-scores.relevance[unseen], kind="stable")[:10]]
    assert (planted.item_group[top] == SCI_FI).all()
    assert scores.match[sci_fi[4:]].mean() > scores.match[planted.items_of(ROMANCE)].mean()
