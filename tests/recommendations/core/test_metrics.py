from __future__ import annotations

import math

import pytest

from recommendations.core.metrics import (
    catalogue_coverage,
    mae,
    ndcg_at_k,
    novelty,
    precision_at_k,
    recall_at_k,
    rmse,
)


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
