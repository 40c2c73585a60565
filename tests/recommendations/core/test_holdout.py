from __future__ import annotations

import math

import numpy as np
import pytest

from recommendations.core.holdout import evaluate_ranking, evaluate_ratings, holdout_split
from recommendations.core.metrics import ndcg_at_k, precision_at_k, recall_at_k
from recommendations.core.signals import Interactions, TrainingData
from recommendations.core.train import RatingFactors


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
