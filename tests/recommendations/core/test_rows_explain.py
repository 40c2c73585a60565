"""``explain``: which profile titles contribute most to a title's ranking score."""

from __future__ import annotations

import numpy as np
import pytest

from recommendations.core.fold_in import fold_in_indices
from recommendations.core.rows import explain
from recommendations.core.score import ProfileState, ranking_scores
from recommendations.core.train import TrainedModel

from .conftest import Planted
from .rows_helpers import ROMANCE, SCI_FI, ease_by_hand, empty_state, state_of, tiny_model

# --------------------------------------------------------------------------------------
# explain
# --------------------------------------------------------------------------------------


def _terms(model: TrainedModel, state: ProfileState, item: int) -> np.ndarray:
    """Each profile item's term of ``item``'s ranking score, in float64, one at a time."""
    out = []
    for j, w in zip(state.items.tolist(), state.weights.tolist(), strict=True):
        if model.ranker.kind == "ease":
            assert model.ranker.weights is not None
            out.append(w * float(model.ranker.weights[j, item]))
        else:
            V = model.ranker.item_factors.astype(np.float64)
            out.append(w * float(V[j] @ V[item]))
    return np.array(out)


@pytest.mark.parametrize("kind", ["ease", "puresvd"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_contributions_are_the_exact_terms_of_the_ranking_score(kind: str, seed: int) -> None:
    model = tiny_model(kind, n_items=9, k=4, seed=seed)
    state = state_of([0, 3, 5, 7], [1.0, 2.5, 0.5, 1.5], k=4)
    items = np.arange(9)
    top = 3
    contributors, shares = explain(model, state, items, top=top)
    assert contributors.shape == (9, top)
    assert shares.shape == (9, top)
    score = ranking_scores(model.ranker, state)
    for i in items.tolist():
        terms = _terms(model, state, i)
        # The terms add up to the score that ranked the item.
        assert terms.sum() == pytest.approx(float(score[i]), abs=1e-4)
        positive = np.flatnonzero(terms > 0)
        best = positive[np.argsort(-terms[positive], kind="stable")][:top]
        expected = np.full(top, -1)
        expected[: best.size] = state.items[best]
        assert contributors[i].tolist() == expected.tolist()
        expected_shares = np.zeros(top)
        if positive.size:
            expected_shares[: best.size] = terms[best] / terms[positive].sum()
            assert contributors[i, 0] == state.items[terms.argmax()]
        np.testing.assert_allclose(shares[i], expected_shares, rtol=1e-5, atol=1e-7)
        assert shares[i].sum() <= 1.0 + 1e-9
        assert np.all(np.diff(shares[i]) <= 1e-12)  # best first


def test_all_positive_contributors_share_the_whole_score() -> None:
    model = tiny_model("puresvd", n_items=6, seed=4)
    state = state_of([0, 1, 2], [1.0, 1.0, 1.0])
    contributors, shares = explain(model, state, np.arange(6), top=3)
    for i in range(6):
        terms = _terms(model, state, i)
        if (terms > 0).all():
            assert shares[i].sum() == pytest.approx(1.0, rel=1e-6)
            assert (contributors[i] >= 0).all()


def test_fewer_positive_contributors_than_asked_are_padded_with_minus_one() -> None:
    # EASE weights by hand: item 4's score is 2 * 0.5 (from 0) + 1 * -0.3 (from 1).
    B = np.zeros((5, 5), dtype=np.float32)
    B[0, 4], B[1, 4] = 0.5, -0.3
    B[0, 3], B[1, 3] = -0.2, -0.1
    model = ease_by_hand(B)
    state = state_of([0, 1], [2.0, 1.0])
    contributors, shares = explain(model, state, [4, 3], top=4)
    assert contributors.tolist() == [[0, -1, -1, -1], [-1, -1, -1, -1]]
    # The share is of the positive contributions: 0's term is all of them.
    np.testing.assert_allclose(shares, [[1.0, 0, 0, 0], [0, 0, 0, 0]])


def test_equal_contributions_are_listed_in_the_profiles_order() -> None:
    B = np.zeros((4, 4), dtype=np.float32)
    B[2, 0] = B[1, 0] = B[3, 0] = 0.5
    model = ease_by_hand(B)
    contributors, shares = explain(model, state_of([2, 1, 3], [1.0, 1.0, 1.0]), [0], top=2)
    assert contributors.tolist() == [[2, 1]]
    np.testing.assert_allclose(shares, [[1 / 3, 1 / 3]])


def test_an_empty_profile_or_no_items_explain_nothing() -> None:
    model = tiny_model("puresvd")
    contributors, shares = explain(model, empty_state(3), [0, 1, 2], top=2)
    assert contributors.tolist() == [[-1, -1]] * 3
    np.testing.assert_array_equal(shares, 0.0)
    contributors, shares = explain(model, state_of([1], [1.0]), [], top=2)
    assert contributors.shape == (0, 2)
    assert shares.shape == (0, 2)


def test_a_planted_sci_fi_title_is_explained_by_the_profiles_sci_fi(
    planted: Planted, planted_ease: TrainedModel
) -> None:
    sci_fi, romance = planted.items_of(SCI_FI), planted.items_of(ROMANCE)
    mixed = np.concatenate([sci_fi[:3], romance[:3]])
    state = fold_in_indices(planted_ease, interacted_items=mixed, weights=np.ones(6))
    contributors, shares = explain(planted_ease, state, sci_fi[5:10], top=2)
    assert set(contributors[:, 0].tolist()) <= set(sci_fi[:3].tolist())
    romance_share = np.where(np.isin(contributors, romance[:3]), shares, 0.0).sum(axis=1)
    assert (romance_share < shares[:, 0]).all()
