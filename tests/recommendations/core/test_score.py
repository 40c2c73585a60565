from __future__ import annotations

import numpy as np
import pytest

from recommendations.core.score import (
    BlendWeights,
    ProfileState,
    blend,
    exclusion_mask,
    freshness,
    match_percent,
    normalise,
    predict_ratings,
    profile_state,
    ranking_scores,
    recommend,
    top_n,
)
from recommendations.core.train import TrainedModel

from .conftest import Planted


def empty_state(k: int) -> ProfileState:
    none = np.empty(0, np.int64)
    return ProfileState(0.0, np.zeros(k), none, np.empty(0, np.float32), none)


def test_predicted_ratings_are_the_svd_estimate_clipped(planted_model: TrainedModel) -> None:
    r = planted_model.rating
    state = profile_state(planted_model, 5)
    expected = r.global_mean + r.user_bias[5] + r.item_bias + r.Q @ r.P[5]
    np.testing.assert_allclose(predict_ratings(r, state), np.clip(expected, 1, 5))


def test_ranking_scores_are_the_puresvd_row(planted_model: TrainedModel) -> None:
    V = planted_model.ranker.item_factors
    x = planted_model.interactions[4].toarray().ravel()
    state = profile_state(planted_model, 4)
    np.testing.assert_allclose(ranking_scores(planted_model.ranker, state), x @ V @ V.T, atol=1e-5)


def test_ranking_scores_are_the_ease_row(planted_ease: TrainedModel) -> None:
    B = planted_ease.ranker.weights
    assert B is not None
    x = planted_ease.interactions[4].toarray().ravel()
    state = profile_state(planted_ease, 4)
    np.testing.assert_allclose(ranking_scores(planted_ease.ranker, state), x @ B, atol=1e-5)


def test_top_n_returns_the_best_first_and_breaks_ties_by_index() -> None:
    scores = np.array([0.1, 0.9, 0.5, 0.9, 0.3])
    items, values = top_n(scores, 3)
    assert items.tolist() == [1, 3, 2]
    assert values.tolist() == [0.9, 0.9, 0.5]


def test_top_n_never_returns_an_excluded_item() -> None:
    scores = np.array([0.1, 0.9, 0.5, 0.8])
    items, _ = top_n(scores, 10, exclude=np.array([False, True, False, True]))
    assert items.tolist() == [2, 0]
    assert top_n(scores, 2, exclude=np.ones(4, bool))[0].size == 0
    with pytest.raises(ValueError, match="negative"):
        top_n(scores, -1)


def test_the_exclusion_mask_combines_seen_hidden_and_maturity() -> None:
    maturity = np.array([False, False, False, False, True])
    mask = exclusion_mask(5, seen=[0, -1], not_interested=[2], above_maturity=maturity)
    assert mask.tolist() == [True, False, True, False, True]
    with pytest.raises(ValueError, match="shape"):
        exclusion_mask(5, above_maturity=np.zeros(4, bool))


def test_match_percent_is_linear_on_the_scale_and_never_100() -> None:
    assert match_percent([1.0, 3.0, 4.0, 4.88, 5.0, 0.2]).tolist() == [0, 50, 75, 97, 99, 0]


def test_normalise_scales_the_candidates_to_zero_one() -> None:
    out = normalise(np.array([2.0, 4.0, 100.0, 3.0]), np.array([False, False, True, False]))
    np.testing.assert_allclose(out, [0.0, 1.0, 0.0, 0.5])
    np.testing.assert_array_equal(normalise(np.array([3.0, 3.0])), [0.0, 0.0])
    rows = normalise(np.array([[1.0, 3.0], [5.0, 4.0]]))
    np.testing.assert_allclose(rows, [[0, 1], [1, 0]])


def test_the_blend_adds_the_weighted_components() -> None:
    out = blend(
        ranking=np.array([0.0, 10.0]),
        predicted=np.array([5.0, 1.0]),
        popularity=np.array([0.5, 0.0]),
        fresh=np.array([1.0, 0.0]),
        weights=BlendWeights(ranking=1.0, rating=0.5, popularity=0.2, freshness=0.1),
    )
    np.testing.assert_allclose(out, [0.5 + 0.1 + 0.1, 1.0])


def test_freshness_halves_every_half_life() -> None:
    np.testing.assert_allclose(freshness([0, 365, 730, -5, np.nan]), [1.0, 0.5, 0.25, 1.0, 0.0])


def test_a_viewer_of_one_taste_is_recommended_that_taste(
    planted: Planted, planted_model: TrainedModel, planted_ease: TrainedModel
) -> None:
    for model in (planted_model, planted_ease):
        for u in (0, 45, 100):
            recs = recommend(model, profile_state(model, u), n=5)
            assert (planted.item_group[recs.items] == planted.user_group[u]).all()


def test_recommendations_honour_every_exclusion(
    planted: Planted, planted_model: TrainedModel
) -> None:
    state = profile_state(planted_model, 0)
    own = planted.items_of(planted.user_group[0])
    unseen_own = np.setdiff1d(own, state.seen)
    hidden, too_mature = unseen_own[:2], unseen_own[2:4]
    maturity = np.zeros(planted_model.n_items, bool)
    maturity[too_mature] = True
    mask = exclusion_mask(planted_model.n_items, not_interested=hidden, above_maturity=maturity)
    recs = recommend(planted_model, state, n=planted_model.n_items, exclude=mask)
    got = set(recs.items.tolist())
    assert not got & set(state.seen.tolist())
    assert not got & set(hidden.tolist())
    assert not got & set(too_mature.tolist())
    excluded = set(state.seen.tolist()) | set(hidden.tolist()) | set(too_mature.tolist())
    assert len(recs) == planted_model.n_items - len(excluded)


def test_recommendations_carry_raw_ids_ratings_and_match(planted_model: TrainedModel) -> None:
    state = profile_state(planted_model, 3)
    recs = recommend(planted_model, state, n=4)
    np.testing.assert_array_equal(recs.item_ids, planted_model.item_ids[recs.items])
    predicted = predict_ratings(planted_model.rating, state)
    np.testing.assert_allclose(recs.predicted_ratings, predicted[recs.items])
    np.testing.assert_array_equal(recs.match, match_percent(predicted[recs.items]))
    assert np.all(np.diff(recs.scores) <= 0)


def test_a_profile_without_feedback_gets_the_popular_titles(planted_model: TrainedModel) -> None:
    recs = recommend(planted_model, empty_state(planted_model.rating.n_factors), n=3)
    expected = np.argsort(-planted_model.popularity, kind="stable")[:3]
    assert sorted(planted_model.popularity[recs.items]) == sorted(
        planted_model.popularity[expected]
    )


def test_profile_state_refuses_an_unknown_user(planted_model: TrainedModel) -> None:
    with pytest.raises(IndexError, match="fold"):
        profile_state(planted_model, planted_model.n_users)
