from __future__ import annotations

import numpy as np
import pytest

from recommendations.core.fold_in import (
    FoldInParams,
    Recency,
    fold_in,
    fold_in_indices,
    fold_in_ratings,
)
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


# --------------------------------------------------------------------------------------
# Recency: fresh signals weigh more
# --------------------------------------------------------------------------------------


def test_recency_weights_halve_the_extra_weight_every_half_life() -> None:
    recency = Recency.from_ages(
        {10: 0.0, 20: 7.0, 30: 14.0, 40: 10_000.0, 50: -2.0}, half_life_days=7.0, floor=0.2
    )
    np.testing.assert_allclose(
        recency.weights([10, 20, 30, 40, 50]), [1.0, 0.6, 0.4, 0.2, 1.0], atol=1e-9
    )


def test_an_item_of_unknown_age_weighs_the_floor() -> None:
    recency = Recency.from_ages({10: 0.0}, floor=0.3)
    np.testing.assert_allclose(recency.weights([10, 99]), [1.0, 0.3])
    np.testing.assert_allclose(Recency.from_ages({}, floor=0.3).weights([1, 2]), [0.3, 0.3])


@pytest.mark.parametrize(
    ("items", "ages", "half_life", "floor", "message"),
    [
        ([2, 1], [0.0, 0.0], 7.0, 0.1, "ascending"),
        ([1, 1], [0.0, 0.0], 7.0, 0.1, "ascending"),
        ([1], [0.0, 1.0], 7.0, 0.1, "same length"),
        ([1], [0.0], 0.0, 0.1, "half_life_days"),
        ([1], [0.0], 7.0, 0.0, "floor"),
        ([1], [0.0], 7.0, 1.5, "floor"),
    ],
)
def test_recency_rejects_what_it_cannot_weigh(
    items: list[int], ages: list[float], half_life: float, floor: float, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Recency(
            items=np.array(items, dtype=np.int64),
            age_days=np.array(ages),
            half_life_days=half_life,
            floor=floor,
        )


def test_a_rating_weighing_twice_counts_as_that_rating_given_twice(
    planted_model: TrainedModel,
) -> None:
    r = planted_model.rating
    params = FoldInParams(reg=0.5, min_reg=0.0)
    weighted = fold_in_ratings(
        r, [0, 5, 30], [5.0, 4.0, 1.0], params=params, sample_weights=[2.0, 1.0, 1.0]
    )
    repeated = fold_in_ratings(r, [0, 0, 5, 30], [5.0, 5.0, 4.0, 1.0], params=params)
    np.testing.assert_allclose(np.r_[weighted[0], weighted[1]], np.r_[repeated[0], repeated[1]])
    ones = fold_in_ratings(r, [0, 5], [5.0, 4.0], sample_weights=[1.0, 1.0])
    plain = fold_in_ratings(r, [0, 5], [5.0, 4.0])
    np.testing.assert_allclose(np.r_[ones[0], ones[1]], np.r_[plain[0], plain[1]])


def test_sample_weights_must_be_one_positive_weight_per_rating(
    planted_model: TrainedModel,
) -> None:
    with pytest.raises(ValueError, match="one weight per rating"):
        fold_in_ratings(planted_model.rating, [0, 1], [5.0, 4.0], sample_weights=[1.0])
    with pytest.raises(ValueError, match="positive"):
        fold_in_ratings(planted_model.rating, [0, 1], [5.0, 4.0], sample_weights=[1.0, 0.0])


def test_a_fresh_burst_outweighs_an_old_taste_only_with_recency(
    planted: Planted, planted_model: TrainedModel
) -> None:
    # Eight sci-fi titles loved a year ago, then four romances loved today.
    sci_fi, romance = planted.items_of(SCI_FI), planted.items_of(ROMANCE)
    old, fresh = planted_model.item_ids[sci_fi[:8]], planted_model.item_ids[romance[:4]]
    feedback = ProfileFeedback(profile=999_999, stars=tuple((int(i), 5.0) for i in [*old, *fresh]))
    signals = derive_signals(feedback)
    recency = Recency.from_ages(
        {**{int(i): 365.0 for i in old}, **{int(i): 0.0 for i in fresh}},
        half_life_days=7.0,
        floor=0.1,
    )

    def romances_in_top(state: ProfileState) -> int:
        recs = recommend(planted_model, state, n=6)
        return int((planted.item_group[recs.items] == ROMANCE).sum())

    plain = fold_in(planted_model, signals, params=TINY_FOLD_IN)
    recent = fold_in(planted_model, signals, params=TINY_FOLD_IN, recency=recency)
    assert romances_in_top(plain) < 3
    assert romances_in_top(recent) >= 4
    # The rating fit follows too: unseen romances are predicted higher than before.
    unseen = romance[4:]
    assert (
        predict_ratings(planted_model.rating, recent)[unseen].mean()
        > predict_ratings(planted_model.rating, plain)[unseen].mean()
    )
    np.testing.assert_array_equal(recent.items, plain.items)
