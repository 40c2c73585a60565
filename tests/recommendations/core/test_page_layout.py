"""``build_page``: which row keeps each title, which rows survive, and their order."""

from __future__ import annotations

import numpy as np
import pytest

from recommendations.core.page.layout import CandidateRow, build_page


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
