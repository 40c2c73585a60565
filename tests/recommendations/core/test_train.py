from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from recommendations.core.score import predict_ratings, profile_state
from recommendations.core.signals import Interactions, TrainingData
from recommendations.core.train import (
    EASE,
    PureSVD,
    RankerParams,
    RatingSVD,
    TrainedModel,
    train,
)

from .conftest import TINY_SVD, Planted


def test_it_exports_the_svd_as_plain_arrays(planted: Planted, planted_model: TrainedModel) -> None:
    r = planted_model.rating
    n_users, n_items = planted.data.n_users, planted.data.n_items
    assert r.P.shape == (n_users, TINY_SVD.n_factors)
    assert r.Q.shape == (n_items, TINY_SVD.n_factors)
    assert r.user_bias.shape == (n_users,)
    assert r.item_bias.shape == (n_items,)
    assert r.global_mean == pytest.approx(planted.data.explicit.value.mean())
    assert planted_model.params["svd"]["n_factors"] == TINY_SVD.n_factors


def test_the_svd_predicts_a_viewers_own_taste_higher(
    planted: Planted, planted_model: TrainedModel
) -> None:
    separated = 0
    for u in range(planted_model.n_users):
        state = profile_state(planted_model, u)
        predicted = predict_ratings(planted_model.rating, state)
        unseen = np.setdiff1d(np.arange(planted_model.n_items), state.seen)
        own = planted.item_group[unseen] == planted.user_group[u]
        separated += predicted[unseen[own]].mean() > predicted[unseen[~own]].mean() + 1.0
    assert separated == planted_model.n_users


def test_training_is_reproducible_with_a_seed(planted: Planted) -> None:
    a = train(planted.data, svd=TINY_SVD, ranker=RankerParams(n_factors=3))
    b = train(planted.data, svd=TINY_SVD, ranker=RankerParams(n_factors=3))
    np.testing.assert_array_equal(a.rating.P, b.rating.P)
    np.testing.assert_allclose(
        np.abs(a.ranker.item_factors), np.abs(b.ranker.item_factors), atol=1e-6
    )


def test_an_unrated_item_falls_back_to_the_biases() -> None:
    # Item index 2 exists in the catalogue but nobody rated it.
    ratings = Interactions(
        np.array([0, 0, 1], np.int32), np.array([0, 1, 0], np.int32), np.array([5.0, 3.0, 4.0])
    )
    factors = RatingSVD(TINY_SVD).fit(ratings, n_users=3, n_items=3).factors
    assert factors is not None
    assert not factors.Q[2].any()
    assert factors.item_bias[2] == 0.0
    assert not factors.P[2].any()
    assert factors.user_bias[2] == 0.0


def test_the_svd_rejects_empty_ratings() -> None:
    empty = Interactions(np.empty(0, np.int32), np.empty(0, np.int32), np.empty(0))
    with pytest.raises(ValueError, match="No ratings"):
        RatingSVD().fit(empty, 1, 1)


def test_puresvd_has_orthonormal_item_factors_and_sorted_singular_values() -> None:
    rng = np.random.default_rng(0)
    X = sp.csr_matrix((rng.random((30, 12)) < 0.3).astype(np.float32))
    model = PureSVD(n_factors=5).fit(X).model
    assert model is not None
    V = model.item_factors
    np.testing.assert_allclose(V.T @ V, np.eye(5), atol=1e-5)
    assert np.all(np.diff(model.singular_values) <= 0)
    # The singular values are the largest of the dense SVD.
    dense = np.linalg.svd(X.toarray(), compute_uv=False)
    np.testing.assert_allclose(model.singular_values, dense[:5], rtol=1e-6)


def test_puresvd_lowers_k_on_a_small_matrix() -> None:
    X = sp.csr_matrix(np.eye(4, dtype=np.float32))
    model = PureSVD(n_factors=50).fit(X).model
    assert model is not None
    assert model.item_factors.shape == (4, 3)


def test_ease_matches_the_closed_form_with_a_zero_diagonal() -> None:
    X = np.array([[1, 1, 0], [1, 0, 1], [0, 1, 1], [1, 1, 1]], dtype=np.float32)
    lam = 2.0
    model = EASE(lam).fit(sp.csr_matrix(X)).model
    assert model is not None
    assert model.weights is not None
    P = np.linalg.inv(X.T @ X + lam * np.eye(3))
    expected = np.eye(3) - P / np.diag(P)
    np.testing.assert_allclose(model.weights, expected, atol=1e-6)
    assert not np.diag(model.weights).any()


def test_ease_rejects_a_non_positive_lambda() -> None:
    with pytest.raises(ValueError, match="lambda"):
        EASE(0).fit(sp.csr_matrix(np.eye(2)))


def test_popularity_counts_profiles_per_item() -> None:
    data = TrainingData.from_triples([1, 1, 2, 3], [10, 20, 10, 10], [5, 4, 3, 1])
    model = train(data, svd=TINY_SVD, ranker=RankerParams(kind="ease", ease_lambda=1.0))
    assert model.popularity.tolist() == [3, 1]
    assert model.counts == {"users": 3, "items": 2, "ratings": 4, "interactions": 4}


def test_the_id_maps_answer_minus_one_for_unknown_ids(planted_model: TrainedModel) -> None:
    raw = planted_model.item_ids[[3, 0]]
    assert planted_model.item_index([*raw.tolist(), 5]).tolist() == [3, 0, -1]
    assert planted_model.user_index([planted_model.user_ids[7], 10**9]).tolist() == [7, -1]


def test_it_rejects_an_unknown_ranker(planted: Planted) -> None:
    with pytest.raises(ValueError, match="ranker"):
        train(planted.data, svd=TINY_SVD, ranker=RankerParams(kind="nope"))  # type: ignore[arg-type]
