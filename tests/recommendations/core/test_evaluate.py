from __future__ import annotations

import math
import os
import time
from pathlib import Path

import numpy as np
import pytest

from recommendations.core.evaluate import (
    BlendSearch,
    catalogue_coverage,
    default_blend_grid,
    evaluate_ranking,
    evaluate_ratings,
    grid_search_blend,
    holdout_split,
    mae,
    most_popular_scorer,
    ndcg_at_k,
    novelty,
    precision_at_k,
    recall_at_k,
    rmse,
    run_protocol,
)
from recommendations.core.score import BlendWeights
from recommendations.core.signals import Interactions, TrainingData
from recommendations.core.train import RankerParams, RatingFactors, SVDParams, train

from .conftest import TINY_SVD, Planted

ML_100K = Path(os.environ.get("MARQUEE_ML100K", "/work/shared/data/movielens/ml-100k"))


def test_rmse_and_mae_on_a_hand_computed_example() -> None:
    assert rmse([3.0, 4.0], [1.0, 4.0]) == pytest.approx(math.sqrt(2))
    assert mae([3.0, 4.0, 2.0], [1.0, 4.0, 3.0]) == pytest.approx(1.0)


@pytest.mark.parametrize("metric", [rmse, mae])
def test_rating_metrics_reject_empty_or_mismatched_input(metric: object) -> None:
    with pytest.raises(ValueError, match="empty"):
        metric([], [])  # type: ignore[operator]
    with pytest.raises(ValueError, match="length"):
        metric([1.0], [1.0, 2.0])  # type: ignore[operator]


def test_ndcg_of_a_perfect_ranking_is_one() -> None:
    assert ndcg_at_k([4, 7, 1], {4, 7}) == pytest.approx(1.0)


def test_ndcg_of_one_relevant_item_at_rank_two_is_one_over_log2_of_3() -> None:
    assert ndcg_at_k([9, 4, 1], [4]) == pytest.approx(1 / math.log2(3))


def test_ndcg_with_hits_at_ranks_one_and_three() -> None:
    ideal = 1 + 1 / math.log2(3)
    assert ndcg_at_k([4, 9, 7], {4, 7}) == pytest.approx((1 + 1 / 2) / ideal)


def test_ndcg_ignores_hits_after_k_and_caps_the_ideal_at_k() -> None:
    assert ndcg_at_k([1, 2, 3], {3}, k=2) == 0.0
    assert ndcg_at_k([1, 2], {1, 2, 3, 4}, k=2) == pytest.approx(1.0)


def test_precision_and_recall_at_k() -> None:
    ranked = list(range(10))
    relevant = {0, 5, 42, 43}
    assert precision_at_k(ranked, relevant) == pytest.approx(0.2)
    assert recall_at_k(ranked, relevant) == pytest.approx(0.5)
    # A short list still divides by k.
    assert precision_at_k([0], relevant, k=10) == pytest.approx(0.1)


@pytest.mark.parametrize("metric", [precision_at_k, recall_at_k, ndcg_at_k])
def test_ranking_metrics_reject_empty_input(metric: object) -> None:
    with pytest.raises(ValueError, match="ranked list is empty"):
        metric([], {1})  # type: ignore[operator]
    with pytest.raises(ValueError, match="no relevant"):
        metric([1], set())  # type: ignore[operator]
    with pytest.raises(ValueError, match="k must"):
        metric([1], {1}, k=0)  # type: ignore[operator]


def test_coverage_and_novelty_on_hand_computed_examples() -> None:
    assert catalogue_coverage([[0, 1], [1, 2]], 10) == pytest.approx(0.3)
    # Shares 1/2 and 1/8 of 8 users: 1 bit and 3 bits.
    assert novelty([[0], [1]], popularity=[4, 1], n_users=8) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="Nothing"):
        catalogue_coverage([[]], 10)
    with pytest.raises(ValueError, match="Nothing"):
        novelty([], [1], 1)


def test_the_split_holds_out_a_fifth_of_each_user_reproducibly() -> None:
    users = np.repeat([1, 2, 3], [10, 5, 1])
    data = TrainingData.from_triples(users, np.arange(16), np.full(16, 4.0))
    a = holdout_split(data, random_state=3)
    b = holdout_split(data, random_state=3)
    np.testing.assert_array_equal(a.test.item, b.test.item)
    assert np.bincount(a.test.user, minlength=3).tolist() == [2, 1, 0]
    assert len(a.train.explicit) == 13
    train_keys = set(
        zip(a.train.implicit.user.tolist(), a.train.implicit.item.tolist(), strict=True)
    )
    test_keys = set(zip(a.test.user.tolist(), a.test.item.tolist(), strict=True))
    assert not train_keys & test_keys
    assert len(train_keys) == 13
    c = holdout_split(data, random_state=4)
    assert a.test.item.tolist() != c.test.item.tolist()


def test_batched_ranking_metrics_equal_the_pure_functions() -> None:
    # 3 users x 6 items; user 2 has no relevant held-out item and is skipped.
    train_data = TrainingData(
        user_ids=np.arange(3),
        item_ids=np.arange(6),
        explicit=Interactions(
            np.array([0, 1, 2, 2], np.int32), np.array([0, 1, 2, 3], np.int32), np.full(4, 3.0)
        ),
        implicit=Interactions(
            np.array([0, 1, 2, 2], np.int32), np.array([0, 1, 2, 3], np.int32), np.ones(4)
        ),
    )
    test = Interactions(
        np.array([0, 0, 1, 2], np.int32),
        np.array([2, 3, 0, 1], np.int32),
        np.array([5.0, 4.0, 4.0, 2.0]),
    )
    fixed = np.array([[0.0, 5, 4, 1, 3, 2], [9, 8, 1, 2, 3, 4], [0, 0, 0, 0, 0, 0]])
    metrics = evaluate_ranking(lambda users: fixed[users], train_data, test, k=2)
    # Item 4 and 5 were never trained on: never candidates. User 0 ranks 1, 2, 3; user 1 0, 3.
    lists, relevant = [[1, 2], [0, 3]], [{2, 3}, {0}]
    assert metrics.users == 2
    assert metrics.ndcg == pytest.approx(
        np.mean([ndcg_at_k(r, s, 2) for r, s in zip(lists, relevant, strict=True)])
    )
    assert metrics.precision == pytest.approx(
        np.mean([precision_at_k(r, s, 2) for r, s in zip(lists, relevant, strict=True)])
    )
    assert metrics.recall == pytest.approx(
        np.mean([recall_at_k(r, s, 2) for r, s in zip(lists, relevant, strict=True)])
    )
    assert metrics.coverage == pytest.approx(4 / 6)


def test_the_rating_metrics_use_the_clipped_estimate() -> None:
    rating = RatingFactors(
        global_mean=4.5,
        user_bias=np.array([1.0]),
        item_bias=np.zeros(2),
        P=np.zeros((1, 1)),
        Q=np.zeros((2, 1)),
    )
    test = Interactions(
        np.array([0, 0], np.int32), np.array([0, 1], np.int32), np.array([5.0, 3.0])
    )
    metrics = evaluate_ratings(rating, test)
    assert metrics.rmse == pytest.approx(math.sqrt(2))
    assert metrics.mae == pytest.approx(1.0)


def test_the_protocol_reports_baselines_and_our_rankers_beat_most_popular(planted: Planted) -> None:
    report = run_protocol(
        planted.data,
        svd=TINY_SVD,
        rankers={
            "puresvd": RankerParams(n_factors=3),
            "ease": RankerParams(kind="ease", ease_lambda=50),
        },
    )
    assert {"most_popular", "svd_rating", "puresvd", "ease", "blend"} <= report.ranking.keys()
    popular = report.ranking["most_popular"].ndcg
    assert report.ranking["puresvd"].ndcg > popular
    assert report.ranking["ease"].ndcg > popular
    assert report.blend is not None
    assert report.blend_weights == report.blend.best
    assert report.rating.rmse < 1.0
    assert report.counts["test_ratings"] == 360  # 15 ratings each, 3 held out, 120 viewers


def test_the_blend_search_tries_every_weight_on_the_validation_split(planted: Planted) -> None:
    split = holdout_split(planted.data, random_state=1)
    model = train(split.train, svd=TINY_SVD, ranker=RankerParams(n_factors=3))
    grid = [BlendWeights(1, 0, 0, 0), BlendWeights(0, 0, 1, 0)]
    search = grid_search_blend(model, split.train, split.test, grid=grid)
    assert isinstance(search, BlendSearch)
    assert [w for w, _ in search.results] == grid
    # Popularity alone knows nothing of the planted tastes: the ranking model must win.
    assert search.best == grid[0]
    assert len(default_blend_grid(with_freshness=True)) > len(default_blend_grid())
    with pytest.raises(ValueError, match="grid"):
        grid_search_blend(model, split.train, split.test, grid=[])


def test_most_popular_ranks_by_training_counts() -> None:
    data = TrainingData.from_triples([1, 2, 2, 3], [7, 7, 8, 9], [4, 4, 4, 4])
    scores = most_popular_scorer(data)(np.array([0, 1]))
    np.testing.assert_array_equal(scores, [[2, 1, 1], [2, 1, 1]])


@pytest.mark.skipif(not (ML_100K / "u.data").exists(), reason="ml-100k is not available")
def test_on_ml_100k_the_ranking_model_beats_most_popular() -> None:
    started = time.perf_counter()
    raw = np.loadtxt(ML_100K / "u.data", dtype=np.int64, usecols=(0, 1, 2))
    data = TrainingData.from_triples(raw[:, 0], raw[:, 1], raw[:, 2])
    report = run_protocol(data, svd=SVDParams(random_state=0), blend_weights=BlendWeights())
    ranking = report.ranking
    assert ranking["puresvd"].ndcg > 1.5 * ranking["most_popular"].ndcg
    assert ranking["svd_rating"].ndcg < ranking["most_popular"].ndcg
    assert 0.90 < report.rating.rmse < 0.97
    assert time.perf_counter() - started < 20
