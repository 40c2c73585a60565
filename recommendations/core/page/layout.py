"""Laying out a page: de-duplicate titles across rows, drop short rows, order the rest.

Every row proposes candidates in its own order; a title then stays in the row where it
ranks best, short rows are dropped, and the rows are ordered by their expected value for
this profile, with the fixed rows kept where viewers expect them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

__all__ = ["CandidateRow", "build_page"]

IntArray = npt.NDArray[np.int64]


@dataclass(slots=True)
class CandidateRow:
    """A row's proposal: its titles in its own order, best first.

    Attributes:
        key: The row's stable key.
        items: Catalogue indices, best first.
        prior: How much a viewer values this kind of row, multiplied into its value.
        pinned: A rank among the rows kept at the top (0 first), or None to be ordered by
            value.
        claims: The row keeps all its titles whatever other rows think (Continue
            watching, My List, Top 10: facts about the viewer or the instance).
        min_items: This row's own minimum, instead of the page's.
    """

    key: str
    items: IntArray
    prior: float = 1.0
    pinned: int | None = None
    claims: bool = False
    min_items: int | None = None
    meta: dict = field(default_factory=dict)
    # Set by `build_page`: the row's expected value on the page, which orders free rows.
    value: float = 0.0


def build_page(
    rows: Sequence[CandidateRow],
    *,
    relevance: npt.ArrayLike,
    row_size: int = 18,
    min_items: int = 4,
    value_depth: int = 6,
) -> list[CandidateRow]:
    """De-duplicate titles across rows, drop short rows and order the rest.

    A title goes to the row where it ranks best (``1 - position / row_size``) and still
    fits within ``row_size``, ties to the row proposed first; rows that ``claim`` keep
    their titles. A row left with fewer than ``min_items`` is dropped and its titles go to
    their next-best rows. A row's value is its prior
    times the mean relevance of its first ``value_depth`` titles; pinned rows come first in
    the order of their ``pinned`` rank, the others follow by value.

    Args:
        rows: Candidate rows in their default order.
        relevance: The profile's relevance of each catalogue title, in [0, 1].
        row_size: Most titles a row shows.
        min_items: Rows with fewer titles after de-duplication are hidden.
        value_depth: How many titles measure a row's value.

    Returns:
        The rows to show, in page order.
    """
    relevance = np.asarray(relevance, dtype=np.float64)
    # Every (row, title) pair, best rank first: each row then takes its titles greedily
    # up to row_size, and a title goes to the first row that wants it.
    # Rank by place among what a row can show: 3rd of a short row beats 10th of a long one.
    offers = []
    for r, row in enumerate(rows):
        for position, item in enumerate(row.items.tolist()):
            rank = 2.0 if row.claims else 1.0 - position / max(row_size, 1)
            offers.append((-rank, r, position, item))
    offers.sort()
    dropped: set[int] = set()
    while True:
        owner: dict[int, int] = {}
        fill = [0] * len(rows)
        for _rank, r, _position, item in offers:
            if r in dropped or item in owner or fill[r] >= row_size:
                continue
            owner[item] = r
            fill[r] += 1
        # A short row is dropped and its titles offered again to their next-best rows,
        # so that a title is lost only when no row can show it.
        short = {
            r
            for r, row in enumerate(rows)
            if r not in dropped
            and fill[r] < (min_items if row.min_items is None else row.min_items)
        }
        if not short:
            break
        dropped |= short
    placed: list[CandidateRow] = []
    for r, row in enumerate(rows):
        if r in dropped:
            continue
        seen: set[int] = set()
        keep = []
        for item in row.items.tolist():
            if owner.get(item) == r and item not in seen:
                seen.add(item)
                keep.append(item)
        kept = np.asarray(keep, dtype=np.int64)
        value = row.prior * float(relevance[kept[:value_depth]].mean()) if kept.size else 0.0
        placed.append(replace(row, items=kept, value=value))
    # Pinned rows first, in their order; the others by value.
    pinned = sorted(
        (i for i, row in enumerate(placed) if row.pinned is not None),
        key=lambda i: (placed[i].pinned, i),
    )
    free = sorted(
        (i for i, row in enumerate(placed) if row.pinned is None),
        key=lambda i: (-placed[i].value, i),
    )
    order = pinned + free
    return [placed[i] for i in order]
