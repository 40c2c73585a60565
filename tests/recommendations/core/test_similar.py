from __future__ import annotations

import numpy as np
import pytest

from recommendations.core.similar import content_matrix, item_embeddings, similar_items
from recommendations.core.train import TrainedModel

from .conftest import Planted

FACTORS = np.array(
    [
        [1.0, 0.0],
        [0.9, 0.1],  # close to 0
        [0.0, 1.0],
        [0.1, 0.9],  # close to 2
        [0.0, 0.0],  # no feedback yet
    ]
)


def test_neighbours_are_the_closest_by_cosine_and_never_the_item_itself() -> None:
    n = similar_items(item_factors=FACTORS, k=2)
    assert n.indices[0].tolist() == [1, 3]
    assert n.indices[2].tolist() == [3, 1]
    assert n.scores[0, 0] == pytest.approx(0.9 / np.hypot(0.9, 0.1), rel=1e-6)
    assert all(i not in row for i, row in enumerate(n.indices.tolist()))


def test_an_item_without_feedback_gets_content_neighbours() -> None:
    content = content_matrix(
        [["genre:Drama"], ["genre:Drama"], ["genre:SciFi"], ["genre:SciFi"], ["genre:SciFi"]]
    )
    cf_only = similar_items(item_factors=FACTORS, k=2)
    assert cf_only.indices[4].tolist() == [-1, -1]  # zero similarity is no neighbour
    blended = similar_items(item_factors=FACTORS, content=content, k=2, cf_weight=0.7)
    assert sorted(blended.indices[4].tolist()) == [2, 3]
    np.testing.assert_allclose(blended.scores[4], [1.0, 1.0], rtol=1e-6)


def test_small_blocks_give_the_same_answer_as_one_block() -> None:
    rng = np.random.default_rng(1)
    factors = rng.normal(size=(57, 5))
    content = content_matrix([[f"g{i % 4}", f"t{i % 7}"] for i in range(57)])
    whole = similar_items(item_factors=factors, content=content, k=6)
    blocks = similar_items(item_factors=factors, content=content, k=6, max_block_elements=100)
    np.testing.assert_array_equal(whole.indices, blocks.indices)
    np.testing.assert_allclose(whole.scores, blocks.scores, rtol=1e-6)
    dense = factors / np.linalg.norm(factors, axis=1, keepdims=True)
    sims = 0.7 * dense @ dense.T + 0.3 * (content @ content.T).toarray()
    np.fill_diagonal(sims, -np.inf)
    np.testing.assert_allclose(whole.scores, -np.sort(-sims, axis=1)[:, :6], rtol=1e-5)


def test_rows_can_be_asked_for_a_few_items() -> None:
    n = similar_items(item_factors=FACTORS, k=1, items=[3])
    assert n.items.tolist() == [3]
    assert n.indices.tolist() == [[2]]


def test_tfidf_weighs_rare_tokens_more_and_rows_are_unit_length() -> None:
    c = content_matrix([["genre:Drama", "person:1"], ["genre:Drama"], ["genre:Drama"], []])
    dense = c.toarray()
    np.testing.assert_allclose(np.linalg.norm(dense[:3], axis=1), 1.0, rtol=1e-6)
    assert not dense[3].any()
    row = dense[0][dense[0] > 0]
    assert row.max() > row.min()  # person:1 (rare) beats Drama (common)


def test_planted_items_have_neighbours_of_their_own_group(
    planted: Planted, planted_model: TrainedModel
) -> None:
    n = similar_items(item_factors=item_embeddings(planted_model), k=5)
    same = planted.item_group[n.indices] == planted.item_group[:, None]
    assert same.mean() > 0.95


def test_it_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="Give"):
        similar_items()
    with pytest.raises(ValueError, match="k must"):
        similar_items(item_factors=FACTORS, k=0)
    with pytest.raises(ValueError, match="different"):
        similar_items(item_factors=FACTORS, content=content_matrix([["a"]]))
    with pytest.raises(ValueError, match="No items"):
        content_matrix([])


def test_ties_go_to_the_lower_index() -> None:
    content = content_matrix([["genre:Drama"]] * 6)
    n = similar_items(content=content, k=3)
    assert n.indices[0].tolist() == [1, 2, 3]
    assert n.indices[4].tolist() == [0, 1, 2]
    np.testing.assert_allclose(n.scores, 1.0, rtol=1e-6)


def test_many_equal_similarities_match_a_full_sort() -> None:
    rng = np.random.default_rng(2)
    # Few tokens: most similarities tie, which is the hard case for the threshold.
    features = [
        [f"g{g}" for g in rng.choice(6, rng.integers(1, 3), replace=False)] for _ in range(601)
    ]
    content = content_matrix(features)
    got = similar_items(content=content, k=25, max_block_elements=601 * 40)
    dense = (content @ content.T).toarray()
    np.fill_diagonal(dense, -np.inf)
    cols = np.arange(dense.shape[1])
    for i in range(0, 601, 37):
        expected = np.lexsort((cols, -dense[i]))[:25]
        expected = expected[dense[i, expected] > 0]
        assert got.indices[i, : expected.size].tolist() == expected.tolist()
