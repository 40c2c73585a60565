"""``taste_strengths``, ``feature_shares`` and ``calibrated``: a profile's tastes and
the rows calibrated to them."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from recommendations.core.taste import calibrated, feature_shares, taste_strengths

from .rows_helpers import features_of


# --------------------------------------------------------------------------------------
# taste_strengths
# --------------------------------------------------------------------------------------
def test_a_profile_heavy_in_one_feature_gets_it_first() -> None:
    # 20 titles: comedy 0-9, drama 5-14, horror 15-19.
    features = features_of([list(range(10)), list(range(5, 15)), list(range(15, 20))], 20)
    items = [0, 1, 2, 3, 5, 15]  # five comedies (one also drama), one horror
    chosen, strengths, support = taste_strengths(items, np.ones(6), features)
    assert chosen[0] == 0
    assert support[0] == 5
    assert 2 not in chosen.tolist()  # one horror title is no taste
    assert np.all(np.diff(strengths) <= 0)
    assert (strengths > 0).all()
    assert chosen.dtype == np.int64
    assert support.dtype == np.int64


def test_weights_decide_between_two_features() -> None:
    features = features_of([[0, 1, 2, 3], [4, 5, 6, 7]], 40)
    items = [0, 1, 4, 5]
    light_first, *_ = taste_strengths(items, [1.0, 1.0, 5.0, 5.0], features)
    heavy_first, *_ = taste_strengths(items, [5.0, 5.0, 1.0, 1.0], features)
    assert light_first.tolist() == [1, 0]
    assert heavy_first.tolist() == [0, 1]


def test_strength_is_the_smoothed_share_times_the_log_lift() -> None:
    features = features_of([[0, 1, 2, 3], [0, 4, 5, 6, 7, 8, 9, 10]], 20)
    items, weights = [0, 1, 2, 4], np.array([2.0, 1.0, 1.0, 0.5])
    chosen, strengths, support = taste_strengths(items, weights, features, prior=3.0)
    base = np.array([4 / 20, 8 / 20])
    mass = np.array([2.0 + 1.0 + 1.0, 2.0 + 0.5])
    share = (mass + 3.0 * base) / (weights.sum() + 3.0)
    expected = share * np.log(share / base)
    assert chosen.tolist() == [0, 1]
    np.testing.assert_allclose(strengths, expected[[0, 1]])
    assert support.tolist() == [3, 2]


@pytest.mark.parametrize("min_support", [1, 2, 3, 4])
def test_a_feature_with_support_below_min_support_never_appears(min_support: int) -> None:
    # Feature f is on titles 10f..10f+9 of 200 and the profile has f + 1 titles of it.
    features = features_of([list(range(10 * f, 10 * f + 10)) for f in range(4)], 200)
    items = [10 * f + t for f in range(4) for t in range(f + 1)]
    chosen, _, support = taste_strengths(
        items, np.ones(len(items)), features, min_support=min_support
    )
    assert sorted(chosen.tolist()) == [f for f in range(4) if f + 1 >= min_support]
    assert (support >= min_support).all()


@pytest.mark.parametrize(
    ("n_titles", "with_feature", "profile", "profile_with_feature"),
    [
        (10, 5, 4, 2),
        (20, 4, 10, 2),
        (9, 3, 9, 3),
        (22, 6, 11, 3),
    ],
)
def test_a_feature_at_exactly_the_base_rate_has_no_strength(
    n_titles: int, with_feature: int, profile: int, profile_with_feature: int
) -> None:
    features = features_of([list(range(with_feature))], n_titles)
    # The profile's share of the feature equals the catalogue's, with equal weights.
    assert profile_with_feature / profile == with_feature / n_titles
    others = list(range(with_feature, with_feature + profile - profile_with_feature))
    items = list(range(profile_with_feature)) + others
    chosen, strengths, _ = taste_strengths(items, np.ones(profile), features, min_support=1)
    assert chosen.tolist() == []
    assert strengths.tolist() == []


def test_a_feature_below_its_base_rate_or_absent_from_the_catalogue_has_no_strength() -> None:
    features = features_of([list(range(10)), [], [0]], 12)  # feature 1 on no title
    chosen, *_ = taste_strengths([10, 11, 0], np.ones(3), features, min_support=1)
    assert 0 not in chosen.tolist()  # one of three titles vs ten of twelve: below base
    assert 1 not in chosen.tolist()


def test_equal_strengths_are_ordered_by_feature_index() -> None:
    features = features_of([[4, 5], [0, 1], [2, 3]], 12)
    chosen, strengths, _ = taste_strengths([0, 1, 4, 5], np.ones(4), features)
    assert chosen.tolist() == [0, 1]
    assert strengths[0] == strengths[1]


@pytest.mark.parametrize(
    ("items", "features"),
    [
        ([], features_of([[0, 1]], 4)),
        ([0, 1], sp.csr_matrix((4, 0), dtype=np.float32)),
        ([], sp.csr_matrix((0, 3), dtype=np.float32)),
    ],
    ids=["no-items", "no-features", "no-titles"],
)
def test_empty_inputs_have_no_tastes(items: list[int], features: sp.csr_matrix) -> None:
    chosen, strengths, support = taste_strengths(items, np.ones(len(items)), features)
    assert chosen.shape == strengths.shape == support.shape == (0,)
    assert chosen.dtype == np.int64
    assert support.dtype == np.int64


# --------------------------------------------------------------------------------------
# feature_shares and calibrated
# --------------------------------------------------------------------------------------


def test_feature_shares_spread_each_titles_weight_over_its_features() -> None:
    # Title 0: genres 0 and 1; title 1: genre 1; title 2: no genre.
    features = features_of([[0], [0, 1]], 3)
    shares = feature_shares([0, 1, 2], [2.0, 1.0, 5.0], features)
    np.testing.assert_allclose(shares, [1.0 / 3.0, 2.0 / 3.0])


def test_feature_shares_of_nothing_are_zero() -> None:
    features = features_of([[0], [1]], 2)
    np.testing.assert_array_equal(feature_shares([], [], features), [0.0, 0.0])
    np.testing.assert_array_equal(
        feature_shares([0], [1.0], sp.csr_matrix((2, 0), dtype=np.float32)), []
    )


def _two_genres(n_a: int = 30, n_b: int = 30) -> tuple[sp.csr_matrix, np.ndarray]:
    """Genre A on titles 0..n_a-1, genre B on the next n_b; every A outscores every B."""
    n = n_a + n_b
    features = features_of([list(range(n_a)), list(range(n_a, n))], n)
    relevance = np.r_[np.linspace(1.0, 0.6, n_a), np.linspace(0.5, 0.1, n_b)]
    return features, relevance


def test_without_calibration_the_relevance_order_stays() -> None:
    features, relevance = _two_genres()
    candidates = np.argsort(-relevance)
    np.testing.assert_array_equal(
        calibrated(candidates, relevance, features, [0.7, 0.3], n=10, weight=0.0), candidates
    )


def test_a_taste_of_three_tenths_gets_about_three_tenths_of_the_head() -> None:
    features, relevance = _two_genres()
    candidates = np.argsort(-relevance)
    assert not (candidates[:10] >= 30).any()  # by relevance alone: no B at all
    ordered = calibrated(candidates, relevance, features, [0.7, 0.3], n=10, weight=0.8)
    b_in_head = int((ordered[:10] >= 30).sum())
    assert 2 <= b_in_head <= 4
    # Within each genre the relevance order holds.
    for genre in (ordered[:10][ordered[:10] < 30], ordered[:10][ordered[:10] >= 30]):
        assert np.all(np.diff(relevance[genre]) <= 0)


def test_a_stronger_calibration_moves_the_head_closer_to_the_target() -> None:
    features, relevance = _two_genres()
    candidates = np.argsort(-relevance)

    def b_in_head(weight: float) -> int:
        ordered = calibrated(candidates, relevance, features, [0.5, 0.5], n=10, weight=weight)
        return int((ordered[:10] >= 30).sum())

    b = [b_in_head(w) for w in (0.0, 0.3, 0.8, 0.99)]
    assert b == sorted(b)
    assert b[0] == 0
    assert b[-1] == 5  # near-full calibration: the head has the target's shares


def test_calibration_reorders_and_never_drops_or_repeats_a_candidate() -> None:
    rng = np.random.default_rng(11)
    features = sp.csr_matrix((rng.random((50, 5)) < 0.3).astype(np.float32))
    relevance = rng.random(50)
    candidates = rng.permutation(50)[:40]
    ordered = calibrated(candidates, relevance, features, [0.4, 0.3, 0.2, 0.1, 0.0], n=12)
    assert sorted(ordered.tolist()) == sorted(candidates.tolist())
    # After the calibrated head, the others keep their own order.
    rest = [c for c in candidates.tolist() if c not in set(ordered[:12].tolist())]
    assert ordered[12:].tolist() == rest


def test_each_pick_maximises_the_calibrated_objective() -> None:
    rng = np.random.default_rng(5)
    features = sp.csr_matrix((rng.random((25, 4)) < 0.4).astype(np.float32))
    relevance = rng.random(25)
    target = np.array([0.1, 0.2, 0.3, 0.4])
    candidates = np.arange(25)
    weight, alpha = 0.6, 0.01
    ordered = calibrated(candidates, relevance, features, target, n=6, weight=weight)
    rows = features.toarray()
    per_title = rows / np.maximum(rows.sum(axis=1, keepdims=True), 1)

    def objective(chosen: list[int]) -> float:
        q = (1 - alpha) * per_title[chosen].mean(axis=0) + alpha * target
        kl = float((target * np.log(target / q)).sum())
        return (1 - weight) * float(relevance[chosen].sum()) - weight * kl

    for k in range(6):
        head = ordered[:k].tolist()
        best = max(
            (c for c in range(25) if c not in head), key=lambda c: (objective([*head, c]), -c)
        )
        assert objective([*head, int(ordered[k])]) == pytest.approx(objective([*head, best]))


def test_calibration_without_a_target_or_candidates_changes_nothing() -> None:
    features, relevance = _two_genres()
    assert calibrated([], relevance, features, [0.5, 0.5], n=5).tolist() == []
    np.testing.assert_array_equal(
        calibrated([3, 1, 2], relevance, features, [0.0, 0.0], n=5), [3, 1, 2]
    )


@pytest.mark.parametrize(("weight", "alpha"), [(-0.1, 0.01), (1.0, 0.01), (0.5, 0.0)])
def test_calibration_rejects_a_weight_or_alpha_out_of_range(weight: float, alpha: float) -> None:
    features, relevance = _two_genres()
    with pytest.raises(ValueError, match="within"):
        calibrated([0, 1], relevance, features, [0.5, 0.5], n=2, weight=weight, alpha=alpha)
