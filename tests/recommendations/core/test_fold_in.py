from __future__ import annotations

import numpy as np
import pytest

from recommendations.core.fold_in import FoldInParams, fold_in, fold_in_indices, fold_in_ratings
from recommendations.core.score import ProfileState, predict_ratings, profile_state, recommend
from recommendations.core.signals import ProfileFeedback, derive_signals
from recommendations.core.train import TrainedModel

from .conftest import TINY_FOLD_IN, Planted

SCI_FI, ROMANCE = 0, 1


def test_a_new_profile_that_loves_sci_fi_gets_sci_fi_predicted_higher(
    planted: Planted, planted_model: TrainedModel
) -> None:
    sci_fi, romance = planted.items_of(SCI_FI), planted.items_of(ROMANCE)
    rated = np.concatenate([sci_fi[:3], romance[:3]])
    state = fold_in_indices(
        planted_model, rated_items=rated, ratings=[5, 5, 5, 1, 1, 1], params=TINY_FOLD_IN
    )
    predicted = predict_ratings(planted_model.rating, state)
    other_sci_fi, other_romance = predicted[sci_fi[3:]], predicted[romance[3:]]
    assert other_sci_fi.min() > other_romance.max()
    assert other_sci_fi.mean() > 4.0
    assert other_romance.mean() < 2.5


def test_fold_in_from_raw_feedback_ignores_unknown_titles(
    planted: Planted, planted_model: TrainedModel
) -> None:
    sci_fi = planted_model.item_ids[planted.items_of(SCI_FI)[:3]]
    feedback = ProfileFeedback(
        profile=999_999, stars=tuple((int(i), 5.0) for i in sci_fi) + ((123_456_789, 1.0),)
    )
    state = fold_in(planted_model, derive_signals(feedback))
    assert not state.known
    assert sorted(planted_model.item_ids[state.seen].tolist()) == sorted(sci_fi.tolist())
    recs = recommend(planted_model, state, n=5)
    assert (planted.item_group[recs.items] == SCI_FI).all()


def test_fold_in_of_a_trained_profile_reproduces_its_predictions(
    planted: Planted, planted_model: TrainedModel
) -> None:
    ex = planted.data.explicit
    correlations = []
    for u in range(planted_model.n_users):
        mine = ex.user == u
        folded = fold_in_indices(planted_model, rated_items=ex.item[mine], ratings=ex.value[mine])
        trained = predict_ratings(planted_model.rating, profile_state(planted_model, u))
        correlations.append(
            np.corrcoef(predict_ratings(planted_model.rating, folded), trained)[0, 1]
        )
    assert min(correlations) > 0.9


def test_a_new_rating_changes_the_scores_without_retraining(
    planted: Planted, planted_model: TrainedModel
) -> None:
    sci_fi, romance = planted.items_of(SCI_FI), planted.items_of(ROMANCE)
    before = fold_in_indices(
        planted_model,
        rated_items=sci_fi[:2],
        ratings=[5, 5],
        interacted_items=sci_fi[:2],
        weights=[1, 1],
        params=TINY_FOLD_IN,
    )
    after = fold_in_indices(
        planted_model,
        rated_items=np.append(sci_fi[:2], romance[0]),
        ratings=[5, 5, 5],
        interacted_items=np.append(sci_fi[:2], romance[0]),
        weights=[1, 1, 1],
        params=TINY_FOLD_IN,
    )
    p_before = predict_ratings(planted_model.rating, before)
    p_after = predict_ratings(planted_model.rating, after)
    assert p_after[romance[1:]].mean() > p_before[romance[1:]].mean() + 0.3
    everything = planted_model.n_items

    def first_romance_rank(state: ProfileState) -> int:
        recs = recommend(planted_model, state, n=everything)
        return int(np.flatnonzero(planted.item_group[recs.items] == ROMANCE)[0])

    assert romance[0] not in recommend(planted_model, after, n=everything).items
    assert first_romance_rank(after) < first_romance_rank(before)


def test_no_ratings_fall_back_to_the_item_biases(planted_model: TrainedModel) -> None:
    bias, factors = fold_in_ratings(planted_model.rating, [], [])
    assert bias == 0.0
    assert not factors.any()
    state = fold_in_indices(planted_model)
    r = planted_model.rating
    np.testing.assert_allclose(
        predict_ratings(r, state), np.clip(r.global_mean + r.item_bias, 1, 5)
    )


def test_the_solve_is_the_ridge_closed_form(planted_model: TrainedModel) -> None:
    r = planted_model.rating
    items, ratings = np.array([0, 5, 9, 30]), np.array([5.0, 4.0, 2.0, 1.0])
    params = FoldInParams(reg=0.5, min_reg=0.0)
    bias, p = fold_in_ratings(r, items, ratings, params=params)
    A = np.hstack([np.ones((4, 1)), r.Q[items]])
    y = ratings - r.global_mean - r.item_bias[items]
    expected = np.linalg.solve(A.T @ A + 2.0 * np.eye(A.shape[1]), A.T @ y)
    np.testing.assert_allclose(np.r_[bias, p], expected)


def test_it_rejects_mismatched_or_out_of_range_input(planted_model: TrainedModel) -> None:
    with pytest.raises(ValueError, match="same length"):
        fold_in_ratings(planted_model.rating, [1, 2], [5.0])
    with pytest.raises(ValueError, match="out of range"):
        fold_in_ratings(planted_model.rating, [planted_model.n_items], [5.0])
