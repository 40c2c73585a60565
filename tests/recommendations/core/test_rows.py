"""The home page's rows as arrays: scores, explanations, neighbours, tastes, time and layout.

Models are either the planted ones of ``conftest.py`` (three tastes, known answers) or tiny
random ones built straight from the dataclasses, so that every score can be recomputed by
brute force.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from recommendations.core.fold_in import fold_in_indices
from recommendations.core.page.layout import CandidateRow, build_page
from recommendations.core.rows import (
    explain,
    neighbours_of,
    neighbours_of_each,
    profile_scores,
    theme_vectors,
    time_fit,
    unit_rows,
    within_budget,
)
from recommendations.core.score import (
    BlendWeights,
    ProfileState,
    match_percent,
    normalise,
    popularity_score,
    predict_ratings,
    ranking_scores,
)
from recommendations.core.similar import content_matrix, similar_items
from recommendations.core.taste import calibrated, feature_shares, taste_strengths
from recommendations.core.train import RankingModel, RatingFactors, TrainedModel

from .conftest import TINY_FOLD_IN, Planted

SCI_FI, ROMANCE = 0, 1


def row(
    key: str,
    items: list[int],
    *,
    prior: float = 1.0,
    pinned: int | None = None,
    claims: bool = False,
    meta: dict | None = None,
) -> CandidateRow:
    return CandidateRow(
        key=key,
        items=np.array(items, dtype=np.int64),
        prior=prior,
        pinned=pinned,
        claims=claims,
        meta=meta or {},
    )


def layout(page: list) -> list[tuple[str, list[int]]]:
    return [(placed.key, placed.items.tolist()) for placed in page]


def tiny_model(kind: str, *, n_items: int = 8, k: int = 3, seed: int = 0) -> TrainedModel:
    """A random model with mixed-sign item-item weights, so some contributions are negative."""
    rng = np.random.default_rng(seed)
    if kind == "ease":
        B = rng.normal(size=(n_items, n_items)).astype(np.float32)
        np.fill_diagonal(B, 0.0)
        ranker = RankingModel(
            kind="ease",
            item_factors=np.zeros((n_items, 0), dtype=np.float32),
            singular_values=np.zeros(0),
            weights=B,
        )
    else:
        ranker = RankingModel(
            kind="puresvd",
            item_factors=rng.normal(size=(n_items, k)).astype(np.float32),
            singular_values=np.sort(rng.uniform(1.0, 5.0, size=k))[::-1],
        )
    rating = RatingFactors(
        global_mean=3.5,
        user_bias=np.zeros(1),
        item_bias=rng.normal(scale=0.5, size=n_items),
        P=np.zeros((1, k)),
        Q=rng.normal(scale=0.5, size=(n_items, k)),
    )
    return TrainedModel(
        user_ids=np.array([1], dtype=np.int64),
        item_ids=np.arange(100, 100 + n_items, dtype=np.int64),
        rating=rating,
        ranker=ranker,
        popularity=rng.integers(1, 50, size=n_items).astype(np.int64),
        interactions=sp.csr_matrix((1, n_items), dtype=np.float32),
    )


def state_of(
    items: list[int], weights: list[float], *, k: int = 3, seen: list[int] | None = None
) -> ProfileState:
    idx = np.array(items, dtype=np.int64)
    return ProfileState(
        bias=0.2,
        factors=np.full(k, 0.3),
        items=idx,
        weights=np.array(weights, dtype=np.float32),
        seen=idx if seen is None else np.array(seen, dtype=np.int64),
    )


def empty_state(k: int, seen: list[int] | None = None) -> ProfileState:
    return state_of([], [], k=k, seen=seen)


# --------------------------------------------------------------------------------------
# build_page: de-duplication
# --------------------------------------------------------------------------------------


def test_a_title_stays_in_the_row_where_it_is_placed_best() -> None:
    a = row("a", list(range(10)))
    # Rank is place among the row_size (10) titles a row shows: 1 - position / 10.
    # Title 5: 6th in a (0.5), 2nd in b (0.9): b wins.
    # Title 2: 3rd in a (0.8), 4th in c (0.7): a wins though c is a shorter row.
    b = row("b", [20, 5, 21, 22])
    c = row("c", [30, 31, 32, 2])
    page = build_page([a, b, c], relevance=np.ones(40), min_items=1, row_size=10)
    kept = dict(layout(page))
    assert kept["a"] == [0, 1, 2, 3, 4, 6, 7, 8, 9]
    assert kept["b"] == [20, 5, 21, 22]
    assert kept["c"] == [30, 31, 32]


def test_a_short_row_does_not_win_by_being_short() -> None:
    # 3rd of a 5-title row beats 10th of a 60-title row.
    long = row("long", list(range(100, 109)) + [7] + list(range(200, 250)))
    short = row("short", [1, 2, 7, 3, 4])
    page = build_page([long, short], relevance=np.ones(300), min_items=1)
    assert 7 in dict(layout(page))["short"]


def test_every_title_is_shown_at_most_once() -> None:
    rows = [
        row("a", [1, 2, 3, 4, 5, 6]),
        row("b", [6, 5, 4, 3, 2, 1, 7, 8, 9]),
        row("c", [2, 9, 10, 11, 12]),
    ]
    page = build_page(rows, relevance=np.ones(20), min_items=1)
    shown = [item for placed in page for item in placed.items.tolist()]
    assert sorted(shown) == sorted(set(shown))
    assert set(shown) == set(range(1, 13))


@pytest.mark.parametrize(
    ("order", "winner"),
    [(("first", "second"), "first"), (("second", "first"), "second")],
)
def test_a_tie_of_relative_rank_goes_to_the_row_proposed_first(
    order: tuple[str, str], winner: str
) -> None:
    # Title 99 is 3rd in both rows, whatever their lengths: the same rank.
    candidates = {
        "first": row("first", [1, 2, 99, 3]),
        "second": row("second", [10, 11, 99, 12, 13, 14, 15, 16]),
    }
    page = build_page([candidates[key] for key in order], relevance=np.ones(100), min_items=1)
    holders = [placed.key for placed in page if 99 in placed.items.tolist()]
    assert holders == [winner]


def test_a_claiming_row_keeps_all_its_titles_and_takes_them_from_others() -> None:
    free = row("free", [0, 1, 2, 3, 4, 5, 6])
    # Proposed later, and title 0 is its last: it still takes 0 from the free row's top.
    claims = row("continue", [20, 21, 1, 0], claims=True)
    page = build_page([free, claims], relevance=np.ones(30), min_items=1)
    kept = dict(layout(page))
    assert kept["continue"] == [20, 21, 1, 0]
    assert kept["free"] == [2, 3, 4, 5, 6]


def test_of_two_claiming_rows_the_first_proposed_keeps_a_shared_title() -> None:
    first = row("continue", [1, 2, 3], claims=True)
    second = row("my-list", [4, 5, 3], claims=True)
    page = build_page([first, second], relevance=np.ones(10), min_items=1)
    assert dict(layout(page)) == {"continue": [1, 2, 3], "my-list": [4, 5]}


def test_a_title_listed_twice_in_one_row_is_shown_once() -> None:
    page = build_page([row("a", [1, 1, 2, 3, 4])], relevance=np.ones(5), min_items=1)
    assert layout(page) == [("a", [1, 2, 3, 4])]


# --------------------------------------------------------------------------------------
# build_page: short rows, size, value and order
# --------------------------------------------------------------------------------------


def test_a_row_left_with_fewer_than_min_items_is_dropped() -> None:
    a = row("a", [0, 1, 2, 3, 4, 5, 6, 7])
    # b loses 0..2 to a (a ranks each of them higher) and keeps 10, 11, 12: three titles.
    b = row("b", [10, 0, 1, 2, 11, 12])
    assert [p.key for p in build_page([a, b], relevance=np.ones(20), min_items=4)] == ["a"]
    kept = dict(layout(build_page([a, b], relevance=np.ones(20), min_items=3)))
    assert kept["b"] == [10, 11, 12]  # exactly min_items stays


def test_a_short_row_is_dropped_even_when_it_claims_or_is_pinned() -> None:
    rows = [
        row("continue", [1, 2], claims=True, pinned=0),
        row("trending", [3, 4, 5, 6, 7]),
    ]
    assert [p.key for p in build_page(rows, relevance=np.ones(10), min_items=3)] == ["trending"]


def test_row_size_cuts_after_de_duplication_so_a_row_refills() -> None:
    claims = row("continue", [0, 1], claims=True)
    free = row("top-picks", [0, 1, 2, 3, 4, 5, 6])
    page = build_page([claims, free], relevance=np.ones(10), row_size=4, min_items=2)
    kept = dict(layout(page))
    assert kept["top-picks"] == [2, 3, 4, 5]  # not [2, 3]: it refilled from 4 and 5
    assert kept["continue"] == [0, 1]


def test_row_size_also_caps_a_claiming_row() -> None:
    page = build_page(
        [row("my-list", list(range(10)), claims=True)],
        relevance=np.ones(10),
        row_size=3,
        min_items=1,
    )
    assert layout(page) == [("my-list", [0, 1, 2])]


def test_a_rows_value_is_its_prior_times_the_mean_relevance_of_its_first_kept_titles() -> None:
    relevance = np.linspace(0.0, 1.0, 11)  # relevance[i] = i / 10
    a = row("a", [10, 9, 8, 7], prior=1.0)
    # b's best title, 10, went to a (1st of 4 there, 3rd of 5 here): its value is measured
    # on 6, 5 (value_depth 2), not on the candidates 6, 5, 10.
    b = row("b", [6, 5, 10, 4, 3], prior=2.0)
    page = build_page([a, b], relevance=relevance, min_items=1, value_depth=2)
    values = {placed.key: placed.value for placed in page}
    assert values["a"] == pytest.approx(1.0 * (1.0 + 0.9) / 2)
    assert values["b"] == pytest.approx(2.0 * (0.6 + 0.5) / 2)
    assert [placed.key for placed in page] == ["b", "a"]


def test_value_depth_longer_than_the_row_averages_what_there_is() -> None:
    relevance = np.array([0.2, 0.4, 0.9])
    page = build_page([row("a", [0, 1, 2])], relevance=relevance, min_items=1, value_depth=6)
    assert page[0].value == pytest.approx((0.2 + 0.4 + 0.9) / 3)


def test_free_rows_are_ordered_by_value_best_first() -> None:
    relevance = np.zeros(40)
    relevance[10:14] = 0.2
    relevance[14:18] = 0.2
    relevance[20:24] = 0.9
    relevance[30:34] = 0.5
    rows = [
        row("low", [10, 11, 12, 13]),
        row("high", [20, 21, 22, 23]),
        row("mid", [30, 31, 32, 33]),
        # A high prior lifts a weak row over a stronger one: 3 * 0.2 = 0.6 > 0.5.
        row("boosted", [14, 15, 16, 17], prior=3.0),
    ]
    page = build_page(rows, relevance=relevance, min_items=1)
    assert [placed.key for placed in page] == ["high", "boosted", "mid", "low"]


def test_pinned_rows_come_first_by_pinned_rank_then_free_rows_by_value() -> None:
    relevance = np.zeros(60)
    relevance[50:54] = 1.0  # the free row is worth more than any pinned row
    rows = [
        row("free-weak", [40, 41, 42, 43]),
        row("pinned-1a", [10, 11, 12, 13], pinned=1),
        row("free-strong", [50, 51, 52, 53]),
        row("pinned-0", [20, 21, 22, 23], pinned=0),
        row("pinned-1b", [30, 31, 32, 33], pinned=1),
    ]
    page = build_page(rows, relevance=relevance, min_items=1)
    assert [placed.key for placed in page] == [
        "pinned-0",
        "pinned-1a",  # equal pinned rank: proposal order
        "pinned-1b",
        "free-strong",
        "free-weak",
    ]


def test_free_rows_of_equal_value_keep_their_proposed_order() -> None:
    rows = [row(key, [10 * n + i for i in range(4)]) for n, key in enumerate("dcbae")]
    page = build_page(rows, relevance=np.full(50, 0.5), min_items=1)
    assert [placed.key for placed in page] == list("dcbae")


def test_placed_rows_carry_their_key_meta_and_int_items() -> None:
    candidate = row("because-7", [3, 1, 2, 0], meta={"anchor": 7})
    (placed,) = build_page([candidate], relevance=np.ones(4), min_items=1)
    assert placed.key == "because-7"
    assert placed.meta == {"anchor": 7}
    assert placed.items.dtype == np.int64
    assert placed.items.tolist() == [3, 1, 2, 0]  # the row's own order, not relevance order


def test_no_rows_make_an_empty_page() -> None:
    assert build_page([], relevance=np.ones(3)) == []
    assert build_page([row("a", [])], relevance=np.ones(3)) == []


def _reference_page(
    rows: list[CandidateRow], relevance: np.ndarray, row_size: int, min_items: int, depth: int
) -> list[tuple[str, list[int], float]]:
    """The documented rules, written as plainly as possible: each title goes to the row
    where it ranks best among rows that still have room; short rows are dropped and their
    titles offered again."""
    dropped: set[int] = set()
    while True:
        offers = []
        for r, candidate in enumerate(rows):
            items = candidate.items.tolist()
            for position, item in enumerate(items):
                rank = 2.0 if candidate.claims else 1.0 - position / row_size
                offers.append((rank, r, position, item))
        offers.sort(key=lambda o: (-o[0], o[1], o[2]))
        owner: dict[int, int] = {}
        fill = dict.fromkeys(range(len(rows)), 0)
        for _rank, r, _position, item in offers:
            if r not in dropped and item not in owner and fill[r] < row_size:
                owner[item] = r
                fill[r] += 1
        short = {r for r in range(len(rows)) if r not in dropped and fill[r] < min_items}
        if not short:
            break
        dropped |= short
    placed = []
    for r, candidate in enumerate(rows):
        if r in dropped:
            continue
        kept = [item for item in candidate.items.tolist() if owner.get(item) == r]
        value = candidate.prior * float(np.mean(relevance[kept[:depth]]))
        placed.append((r, candidate, kept, value))
    pinned = sorted(
        (p for p in placed if p[1].pinned is not None), key=lambda p: (p[1].pinned, p[0])
    )
    free = sorted((p for p in placed if p[1].pinned is None), key=lambda p: (-p[3], p[0]))
    return [(p[1].key, p[2], p[3]) for p in pinned + free]


@pytest.mark.parametrize("seed", range(12))
def test_random_pages_follow_the_documented_rules(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_titles = 40
    relevance = rng.uniform(size=n_titles)
    rows = []
    for r in range(int(rng.integers(2, 9))):
        size = int(rng.integers(0, 25))
        rows.append(
            row(
                f"row-{r}",
                rng.choice(n_titles, size=size, replace=False).tolist(),
                prior=float(rng.uniform(0.5, 2.0)),
                pinned=int(rng.integers(0, 3)) if rng.uniform() < 0.3 else None,
                claims=bool(rng.uniform() < 0.2),
            )
        )
    page = build_page(rows, relevance=relevance, row_size=8, min_items=3, value_depth=4)
    expected = _reference_page(rows, relevance, row_size=8, min_items=3, depth=4)
    assert layout(page) == [(key, items) for key, items, _ in expected]
    np.testing.assert_allclose([p.value for p in page], [value for _, _, value in expected])
    shown = [item for placed in page for item in placed.items.tolist()]
    assert len(shown) == len(set(shown))
    assert all(3 <= len(placed.items) <= 8 for placed in page)


# --------------------------------------------------------------------------------------
# profile_scores
# --------------------------------------------------------------------------------------


def test_without_a_model_popularity_ranks_everything() -> None:
    popularity = np.array([0, 10, 100, 3])
    model_index = np.array([0, 1, 2, 3])
    for model, state in ((None, None), (tiny_model("puresvd", n_items=4), None)):
        scores = profile_scores(
            model=model, state=state, model_index=model_index, popularity=popularity
        )
        np.testing.assert_allclose(scores.relevance, popularity_score(popularity))
        assert scores.relevance.argmax() == 2
        assert np.isnan(scores.predicted).all()
        assert scores.match.tolist() == [-1, -1, -1, -1]
        assert scores.match.dtype == np.int64
        assert scores.personal is False
        np.testing.assert_array_equal(scores.terms[:2], 0.0)
        np.testing.assert_allclose(scores.terms[2], popularity_score(popularity))


def test_an_empty_catalogue_scores_nothing() -> None:
    empty = np.empty(0, dtype=np.int64)
    model = tiny_model("puresvd")
    for m, s in ((None, None), (model, state_of([1, 2], [1.0, 2.0]))):
        scores = profile_scores(model=m, state=s, model_index=empty, popularity=[])
        assert scores.relevance.shape == (0,)
        assert scores.predicted.shape == (0,)
        assert scores.match.shape == (0,)
        assert scores.terms.shape == (3, 0)


@pytest.mark.parametrize("kind", ["puresvd", "ease"])
@pytest.mark.parametrize(
    "weights",
    [None, BlendWeights(ranking=1.0, rating=0.5, popularity=0.3)],
    ids=["default", "blended"],
)
def test_with_a_model_scores_are_the_blends_terms_scaled_to_zero_one(
    kind: str, weights: BlendWeights | None
) -> None:
    model = tiny_model(kind, n_items=8)
    state = state_of([1, 4], [1.0, 3.0])
    model_index = np.arange(8)
    scores = profile_scores(
        model=model, state=state, model_index=model_index, popularity=np.ones(8), weights=weights
    )
    w = weights or BlendWeights()
    seen = np.zeros(8, dtype=bool)
    seen[state.seen] = True
    predicted = predict_ratings(model.rating, state)
    ranking = w.ranking * normalise(ranking_scores(model.ranker, state), seen)
    rating = w.rating * (predicted - 1.0) / 4.0
    popularity = w.popularity * popularity_score(model.popularity)
    np.testing.assert_allclose(scores.terms, np.vstack([ranking, rating, popularity]), atol=1e-6)
    np.testing.assert_allclose(scores.relevance, normalise(scores.terms.sum(axis=0)), atol=1e-9)
    assert scores.relevance.min() == pytest.approx(0.0)
    assert scores.relevance.max() == pytest.approx(1.0)
    np.testing.assert_allclose(scores.predicted, predicted)
    np.testing.assert_array_equal(scores.match, match_percent(predicted, (1.0, 5.0)))
    assert scores.personal is True


def test_the_ranking_term_is_normalised_over_the_unseen_titles_only() -> None:
    model = tiny_model("puresvd", n_items=10, seed=3)
    state = state_of([0, 1, 2], [2.0, 1.0, 1.0])
    raw = ranking_scores(model.ranker, state)
    scores = profile_scores(
        model=model, state=state, model_index=np.arange(10), popularity=np.ones(10)
    )
    unseen = np.setdiff1d(np.arange(10), state.seen)
    ranking = scores.terms[0]
    np.testing.assert_array_equal(ranking[state.seen], 0.0)
    # The best and worst unseen titles span the whole [0, 1], whatever the seen ones score.
    assert ranking[unseen].max() == pytest.approx(1.0)
    assert ranking[unseen].min() == pytest.approx(0.0)
    assert ranking[unseen].argmax() == raw[unseen].argmax()
    assert ranking[unseen].argmin() == raw[unseen].argmin()


def test_the_seen_titles_high_raw_scores_do_not_squash_the_rest() -> None:
    # EASE by hand: the profile's title 0 makes its other title 1 score 10, while the
    # unseen titles 2 and 3 score 0.2 and 0.1.
    B = np.zeros((4, 4), dtype=np.float32)
    B[0, 1], B[0, 2], B[0, 3] = 10.0, 0.2, 0.1
    model = TrainedModel(
        user_ids=np.array([1]),
        item_ids=np.arange(4),
        rating=tiny_model("ease", n_items=4).rating,
        ranker=RankingModel("ease", np.zeros((4, 0), np.float32), np.zeros(0), B),
        popularity=np.ones(4, dtype=np.int64),
        interactions=sp.csr_matrix((1, 4), dtype=np.float32),
    )
    state = state_of([0, 1], [1.0, 1.0])
    scores = profile_scores(
        model=model, state=state, model_index=np.arange(4), popularity=np.ones(4)
    )
    # Over the whole catalogue title 2 would get 0.02; over the unseen ones it is the best.
    np.testing.assert_allclose(scores.terms[0], [0.0, 0.0, 1.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(scores.relevance, [0.0, 0.0, 1.0, 0.0], atol=1e-6)


def test_a_catalogue_in_another_order_gets_the_same_scores_permuted() -> None:
    model = tiny_model("ease", n_items=6, seed=5)
    state = state_of([2, 5], [1.0, 1.5])
    weights = BlendWeights(ranking=1.0, rating=0.4, popularity=0.2)
    straight = profile_scores(
        model=model, state=state, model_index=np.arange(6), popularity=np.ones(6), weights=weights
    )
    order = np.array([4, 0, 5, 1, 3, 2])
    shuffled = profile_scores(
        model=model, state=state, model_index=order, popularity=np.ones(6), weights=weights
    )
    np.testing.assert_allclose(shuffled.relevance, straight.relevance[order])
    np.testing.assert_allclose(shuffled.predicted, straight.predicted[order])
    np.testing.assert_array_equal(shuffled.match, straight.match[order])
    np.testing.assert_allclose(shuffled.terms, straight.terms[:, order])


@pytest.mark.parametrize("popularity_weight", [0.0, 0.05, 0.5])
def test_a_title_unknown_to_the_model_gets_no_prediction_and_a_low_popularity_score(
    popularity_weight: float,
) -> None:
    model = tiny_model("puresvd", n_items=6, seed=1)
    state = state_of([0, 1], [1.0, 1.0])
    # Catalogue: the six model titles, then two new ones; the first new one is the most
    # popular title of the whole catalogue.
    model_index = np.array([0, 1, 2, 3, 4, 5, -1, -1])
    popularity = np.array([5, 5, 5, 5, 5, 5, 1000, 2])
    weights = BlendWeights(ranking=1.0, popularity=popularity_weight)
    scores = profile_scores(
        model=model, state=state, model_index=model_index, popularity=popularity, weights=weights
    )
    unknown = model_index < 0
    assert np.isnan(scores.predicted[unknown]).all()
    assert not np.isnan(scores.predicted[~unknown]).any()
    assert scores.match[unknown].tolist() == [-1, -1]
    assert (scores.match[~unknown] >= 0).all()
    np.testing.assert_array_equal(scores.terms[:2, unknown], 0.0)
    np.testing.assert_allclose(
        scores.terms[2, unknown],
        0.25 * popularity_score(popularity)[unknown] * max(popularity_weight, 0.1),
    )
    # Known titles use the model's own popularity, not the catalogue's.
    np.testing.assert_allclose(
        scores.terms[2, ~unknown], popularity_weight * popularity_score(model.popularity)
    )
    # The catalogue's most popular title, being unknown, ranks below every unseen known one.
    unseen_known = np.setdiff1d(np.arange(6), state.seen)
    best_unknown = scores.relevance[6]
    assert best_unknown < np.sort(scores.relevance[unseen_known])[1]
    assert scores.relevance.min() >= 0.0
    assert scores.relevance.max() <= 1.0


def test_a_profile_without_interactions_is_not_personal_and_ranks_by_popularity() -> None:
    model = tiny_model("puresvd", n_items=6, seed=2)
    # Rated (seen) title 3 but no implicit interaction.
    state = empty_state(3, seen=[3])
    scores = profile_scores(
        model=model, state=state, model_index=np.arange(6), popularity=np.ones(6)
    )
    assert scores.personal is False
    seen = np.zeros(6, dtype=bool)
    seen[3] = True
    np.testing.assert_allclose(scores.terms[0], normalise(popularity_score(model.popularity), seen))
    # Prediction does not need interactions: the rating model still answers.
    np.testing.assert_allclose(scores.predicted, predict_ratings(model.rating, state))


def test_a_sci_fi_lover_gets_unseen_sci_fi_at_the_top(
    planted: Planted, planted_model: TrainedModel
) -> None:
    sci_fi = planted.items_of(SCI_FI)
    state = fold_in_indices(
        planted_model,
        rated_items=sci_fi[:4],
        ratings=[5, 5, 5, 5],
        interacted_items=sci_fi[:4],
        weights=[1.0, 1.0, 1.0, 1.0],
        params=TINY_FOLD_IN,
    )
    n = planted_model.n_items
    scores = profile_scores(
        model=planted_model,
        state=state,
        model_index=np.arange(n),
        popularity=planted_model.popularity,
        weights=BlendWeights(ranking=1.0, rating=0.3),
    )
    assert scores.personal is True
    unseen = np.setdiff1d(np.arange(n), state.seen)
    top = unseen[np.argsort(-scores.relevance[unseen], kind="stable")[:10]]
    assert (planted.item_group[top] == SCI_FI).all()
    assert scores.match[sci_fi[4:]].mean() > scores.match[planted.items_of(ROMANCE)].mean()


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
    model = TrainedModel(
        user_ids=np.array([1]),
        item_ids=np.arange(5),
        rating=tiny_model("ease", n_items=5).rating,
        ranker=RankingModel("ease", np.zeros((5, 0), np.float32), np.zeros(0), B),
        popularity=np.ones(5, dtype=np.int64),
        interactions=sp.csr_matrix((1, 5), dtype=np.float32),
    )
    state = state_of([0, 1], [2.0, 1.0])
    contributors, shares = explain(model, state, [4, 3], top=4)
    assert contributors.tolist() == [[0, -1, -1, -1], [-1, -1, -1, -1]]
    # The share is of the positive contributions: 0's term is all of them.
    np.testing.assert_allclose(shares, [[1.0, 0, 0, 0], [0, 0, 0, 0]])


def test_equal_contributions_are_listed_in_the_profiles_order() -> None:
    B = np.zeros((4, 4), dtype=np.float32)
    B[2, 0] = B[1, 0] = B[3, 0] = 0.5
    model = TrainedModel(
        user_ids=np.array([1]),
        item_ids=np.arange(4),
        rating=tiny_model("ease", n_items=4).rating,
        ranker=RankingModel("ease", np.zeros((4, 0), np.float32), np.zeros(0), B),
        popularity=np.ones(4, dtype=np.int64),
        interactions=sp.csr_matrix((1, 4), dtype=np.float32),
    )
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


# --------------------------------------------------------------------------------------
# neighbours_of and unit_rows
# --------------------------------------------------------------------------------------

FACTORS = np.array(
    [
        [1.0, 0.0],
        [0.9, 0.1],
        [0.0, 1.0],
        [0.1, 0.9],
        [0.0, 0.0],  # nobody has watched it yet
        [-1.0, 0.2],
    ]
)
CONTENT = content_matrix(
    [["g:drama"], ["g:drama", "t:heist"], ["g:scifi"], ["g:scifi", "t:heist"], ["g:drama"], []]
)


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    return float(a @ b / (na * nb)) if na > 0 and nb > 0 else 0.0


def test_unit_rows_scale_to_length_one_and_mark_zero_rows() -> None:
    unit, has_vector = unit_rows(FACTORS)
    assert has_vector.tolist() == [True, True, True, True, False, True]
    np.testing.assert_allclose(np.linalg.norm(unit[has_vector], axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(unit[4], 0.0)
    assert unit.dtype == np.float32


def test_unit_rows_treat_a_numerically_zero_row_as_no_vector() -> None:
    vectors = np.array([[3.0, 4.0], [1e-9, 0.0], [0.0, 0.0]])
    unit, has_vector = unit_rows(vectors)
    assert has_vector.tolist() == [True, False, False]
    np.testing.assert_allclose(unit[0], [0.6, 0.8], rtol=1e-6)


@pytest.mark.parametrize(
    "vectors",
    [np.zeros((3, 2)), np.zeros((3, 0)), np.zeros((0, 4))],
    ids=["all-zero", "no-dimensions (EASE)", "no-rows"],
)
def test_unit_rows_without_any_vector(vectors: np.ndarray) -> None:
    unit, has_vector = unit_rows(vectors)
    assert unit.shape == vectors.shape
    assert has_vector.shape == (vectors.shape[0],)
    assert not has_vector.any()


@pytest.mark.parametrize("anchor", range(6))
def test_with_embeddings_only_neighbours_are_the_cosine(anchor: int) -> None:
    unit, has_vector = unit_rows(FACTORS)
    sims = neighbours_of(anchor, unit=unit, has_vector=has_vector, content=None)
    assert sims[anchor] == -np.inf
    others = [i for i in range(6) if i != anchor]
    expected = [_cosine(FACTORS[anchor], FACTORS[i]) for i in others]
    np.testing.assert_allclose(sims[others], expected, atol=1e-6)


@pytest.mark.parametrize("anchor", range(6))
def test_with_content_only_neighbours_are_the_content_cosine(anchor: int) -> None:
    sims = neighbours_of(anchor, unit=None, has_vector=None, content=CONTENT)
    assert sims[anchor] == -np.inf
    dense = CONTENT.toarray()
    others = [i for i in range(6) if i != anchor]
    np.testing.assert_allclose(sims[others], dense[others] @ dense[anchor], atol=1e-6)
    assert sims.dtype == np.float32


@pytest.mark.parametrize("cf_weight", [0.0, 0.3, 0.7, 1.0])
def test_both_sources_blend_by_cf_weight(cf_weight: float) -> None:
    unit, has_vector = unit_rows(FACTORS)
    dense = CONTENT.toarray()
    anchor = 1
    sims = neighbours_of(
        anchor, unit=unit, has_vector=has_vector, content=CONTENT, cf_weight=cf_weight
    )
    others = [i for i in range(6) if i != anchor]
    cf = np.array([_cosine(FACTORS[anchor], FACTORS[i]) for i in others])
    text = dense[others] @ dense[anchor]
    np.testing.assert_allclose(sims[others], cf_weight * cf + (1 - cf_weight) * text, atol=1e-6)
    # A candidate nobody watched only scores its content share.
    assert sims[4] == pytest.approx((1 - cf_weight) * float(dense[4] @ dense[anchor]), abs=1e-6)


def test_an_anchor_without_an_embedding_uses_content_at_full_weight() -> None:
    unit, has_vector = unit_rows(FACTORS)
    dense = CONTENT.toarray()
    sims = neighbours_of(4, unit=unit, has_vector=has_vector, content=CONTENT, cf_weight=0.7)
    others = [0, 1, 2, 3, 5]
    np.testing.assert_allclose(sims[others], dense[others] @ dense[4], atol=1e-6)
    assert sims[0] == pytest.approx(1.0, rel=1e-6)  # same single genre: content alone says 1


def test_an_anchor_without_an_embedding_and_no_content_has_no_neighbours() -> None:
    unit, has_vector = unit_rows(FACTORS)
    sims = neighbours_of(4, unit=unit, has_vector=has_vector, content=None)
    assert sims[4] == -np.inf
    np.testing.assert_array_equal(np.delete(sims, 4), 0.0)


def test_neighbours_of_agrees_with_similar_items() -> None:
    rng = np.random.default_rng(7)
    factors = rng.normal(size=(30, 4))
    factors[[3, 11]] = 0.0  # two titles without feedback
    content = content_matrix([[f"g{i % 3}", f"t{i % 5}"] for i in range(30)])
    unit, has_vector = unit_rows(factors)
    reference = similar_items(item_factors=factors, content=content, k=5, cf_weight=0.6)
    for anchor in range(30):
        sims = neighbours_of(
            anchor, unit=unit, has_vector=has_vector, content=content, cf_weight=0.6
        )
        found = reference.indices[anchor] >= 0
        np.testing.assert_allclose(
            sims[reference.indices[anchor][found]], reference.scores[anchor][found], rtol=1e-5
        )
        assert sims.max() == pytest.approx(float(reference.scores[anchor, 0]), rel=1e-5)


def test_neighbours_of_needs_embeddings_or_content() -> None:
    with pytest.raises(ValueError, match="Give embeddings, content, or both"):
        neighbours_of(0, unit=None, has_vector=None, content=None)


# --------------------------------------------------------------------------------------
# taste_strengths
# --------------------------------------------------------------------------------------


def features_of(columns: list[list[int]], n_titles: int) -> sp.csr_matrix:
    """Binary (n_titles, len(columns)) matrix; ``columns[f]`` lists the titles with f."""
    dense = np.zeros((n_titles, len(columns)), dtype=np.float32)
    for f, titles in enumerate(columns):
        dense[titles, f] = 1.0
    return sp.csr_matrix(dense)


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
# time_fit
# --------------------------------------------------------------------------------------


def test_a_title_that_fits_the_budget_fits_fully() -> None:
    np.testing.assert_array_equal(time_fit([30, 90, 120], 120), [1.0, 1.0, 1.0])


def test_the_fit_decreases_with_the_overrun() -> None:
    fit = time_fit([120, 130, 150, 180, 240, 400], 120)
    assert fit[0] == 1.0
    assert np.all(np.diff(fit) < 0)
    assert (fit > 0).all()


def test_the_fit_is_the_documented_exponential() -> None:
    # 60 minutes over a 120-minute budget is an overrun of 0.5; patience 0.5 -> tolerance 0.3.
    assert time_fit([180], 120, patience=0.5)[0] == pytest.approx(np.exp(-0.5 / 0.3))


def test_an_unknown_runtime_counts_as_fitting() -> None:
    fit = time_fit([np.nan, 500.0], 60)
    assert fit[0] == 1.0
    assert fit[1] < 1.0


def test_no_budget_fits_everything() -> None:
    fit = time_fit([10, 1000, np.nan], None)
    np.testing.assert_array_equal(fit, [1.0, 1.0, 1.0])
    assert fit.dtype == np.float64


def test_a_more_patient_profile_is_more_tolerant_of_an_overrun() -> None:
    fits = [time_fit([150], 90, patience=p)[0] for p in (0.0, 0.25, 0.5, 0.75, 1.0)]
    assert np.all(np.diff(fits) > 0)
    assert all(0.0 < f < 1.0 for f in fits)
    # Patience is a rate: values outside [0, 1] are clipped.
    assert time_fit([150], 90, patience=-3.0)[0] == fits[0]
    assert time_fit([150], 90, patience=7.0)[0] == fits[-1]


def test_a_zero_budget_does_not_divide_by_zero() -> None:
    fit = time_fit([0.0, 30.0], 0)
    assert fit[0] == 1.0
    assert 0.0 <= fit[1] < 1.0


# --------------------------------------------------------------------------------------
# within_budget
# --------------------------------------------------------------------------------------


def test_within_budget_allows_the_overrun_and_no_more() -> None:
    fits = within_budget([60, 90, 100, 101, 150], 90, overrun=0.12)
    np.testing.assert_array_equal(fits, [True, True, True, False, False])


def test_within_budget_keeps_unknown_runtimes_and_everything_without_a_budget() -> None:
    np.testing.assert_array_equal(within_budget([np.nan, 500.0], 60), [True, False])
    np.testing.assert_array_equal(within_budget([10, 1000], None), [True, True])


# --------------------------------------------------------------------------------------
# theme_vectors and neighbours by theme
# --------------------------------------------------------------------------------------


def test_theme_vectors_are_idf_weighted_unit_rows_of_genres_and_tags() -> None:
    # Five titles: genre 0 (Drama) on four, genre 1 (Western) on two; tag 0 on titles 1, 2.
    genres = features_of([[0, 1, 2, 3], [3, 4]], 5)
    tags = features_of([[1, 2]], 5)
    themes = theme_vectors(genres, tags).toarray()
    idf = np.log(6 / np.array([5, 3, 3])) + 1
    expected = np.array([[1, 0, 0], [1, 0, 1], [1, 0, 1], [1, 1, 0], [0, 1, 0]]) * idf
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    np.testing.assert_allclose(themes, expected, rtol=1e-6)
    assert themes.dtype == np.float32


def test_a_rare_genre_makes_two_titles_more_alike_than_a_common_one() -> None:
    # Titles 0, 1 share Drama (on 8 of 10); titles 2, 3 share Western (on 2 of 10); each
    # title also has a tag of its own.
    genres = features_of([[0, 1, 4, 5, 6, 7, 8, 9], [2, 3]], 10)
    tags = features_of([[t] for t in range(10)], 10)
    themes = theme_vectors(genres, tags)
    cosine = (themes @ themes.T).toarray()
    assert cosine[2, 3] > cosine[0, 1] > 0


def test_a_title_without_genres_or_tags_has_a_zero_theme_row() -> None:
    themes = theme_vectors(features_of([[0]], 2), features_of([[0]], 2)).toarray()
    np.testing.assert_array_equal(themes[1], 0.0)


def test_theme_vectors_need_matrices_of_the_same_titles() -> None:
    with pytest.raises(ValueError, match="same titles"):
        theme_vectors()
    with pytest.raises(ValueError, match="same titles"):
        theme_vectors(features_of([[0]], 2), features_of([[0]], 3))


THEMES = theme_vectors(features_of([[0, 1, 4], [2, 3], [5]], 6))


@pytest.mark.parametrize("theme_weight", [0.0, 0.5, 1.0])
def test_themes_take_their_weight_of_the_similarity(theme_weight: float) -> None:
    unit, has_vector = unit_rows(FACTORS)
    for anchor in range(6):
        plain = neighbours_of(anchor, unit=unit, has_vector=has_vector, content=CONTENT)
        themed = neighbours_of(
            anchor,
            unit=unit,
            has_vector=has_vector,
            content=CONTENT,
            themes=THEMES,
            theme_weight=theme_weight,
        )
        about = (THEMES @ THEMES[anchor].T).toarray().ravel()
        others = [i for i in range(6) if i != anchor]
        np.testing.assert_allclose(
            themed[others],
            (1 - theme_weight) * plain[others] + theme_weight * about[others],
            atol=1e-6,
        )
        assert themed[anchor] == -np.inf


def test_with_themes_the_anchors_genre_leads_neighbours_that_factors_scatter() -> None:
    # 40 titles, a rare genre on 0-7; factors are noise (learned from a handful of viewers)
    # and content is one person per title: alone they find no genre.
    rng = np.random.default_rng(3)
    n, western = 40, list(range(8))
    genres = features_of([western, list(range(8, 40))], n)
    unit, has_vector = unit_rows(rng.normal(size=(n, 6)))
    content = content_matrix([[f"p{i}", f"p{(i * 7) % n}"] for i in range(n)])

    def westerns_among_top(themes: sp.csr_matrix | None) -> int:
        sims = neighbours_of(0, unit=unit, has_vector=has_vector, content=content, themes=themes)
        return len(set(np.argsort(-sims, kind="stable")[:7].tolist()) & set(western))

    assert westerns_among_top(theme_vectors(genres)) == 7
    assert westerns_among_top(None) < 7


@pytest.mark.parametrize("themes", [None, THEMES])
def test_neighbours_of_each_anchor_are_its_own_neighbours(themes: sp.csr_matrix | None) -> None:
    unit, has_vector = unit_rows(FACTORS)
    anchors = [4, 0, 5, 4]  # one without an embedding, and one twice
    each = neighbours_of_each(
        anchors, unit=unit, has_vector=has_vector, content=CONTENT, themes=themes
    )
    assert each.shape == (4, 6)
    for row, anchor in zip(each, anchors, strict=True):
        one = neighbours_of(
            anchor, unit=unit, has_vector=has_vector, content=CONTENT, themes=themes
        )
        np.testing.assert_allclose(row, one, atol=1e-6)
        assert row[anchor] == -np.inf


def test_themes_for_another_number_of_titles_are_refused() -> None:
    unit, has_vector = unit_rows(FACTORS)
    with pytest.raises(ValueError, match="another number of titles"):
        neighbours_of(
            0,
            unit=unit,
            has_vector=has_vector,
            content=None,
            themes=theme_vectors(features_of([[0]], 3)),
        )


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
