"""A whole home page from a profile's context: every row, de-duplicated and ordered.

`page_build` runs the row builders, lays them out (`layout.build_page`) and collects what
each card shows. The only thing it asks of its caller is the names of the titles its
evidence mentions (`names_of`), which the caller may also use to leave out titles the
profile may not see: a rating given before a maturity limit was lowered still counts,
but is not shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from recommendations.core.page import builders
from recommendations.core.page.activity import Activity
from recommendations.core.page.context import PageContext
from recommendations.core.page.layout import CandidateRow, build_page

ROW_SIZE = 18
MIN_ROW_TITLES = 4

# (name, slug) of each title id asked for that may be named on this profile's page.
NamesOf = Callable[[Iterable[int]], dict[int, tuple[str, str]]]


@dataclass(frozen=True)
class PageRow:
    key: str
    heading: str
    title_ids: list[int]
    see_all_ids: list[int]


@dataclass(frozen=True)
class Page:
    """A profile's whole home page: rows in order, and what each card says."""

    rows: list[PageRow]
    # title id -> match and predicted stars; the profile's rating, list and progress
    cards: dict[int, dict]
    evidence: dict[str, dict[int, list[dict]]]  # row key -> title id -> entries
    names: dict[int, tuple[str, str]]  # evidence title id -> (name, slug)
    personal: bool
    has_model: bool

    def row(self, key: str) -> PageRow | None:
        return next((row for row in self.rows if row.key == key), None)

    def part(self, key: str) -> Page | None:
        """The page as one row's fragment needs it: that row, its cards and their evidence.

        A whole page is some 60 kB pickled (each row's "see all" titles have cards too);
        a row is a few kB, so a fragment read from a shared cache unpickles only its own.
        """
        row = self.row(key)
        if row is None:
            return None
        shown = set(row.title_ids)
        evidence = self.evidence.get(key, {})
        return Page(
            rows=[row],
            cards={tid: self.cards[tid] for tid in row.title_ids if tid in self.cards},
            evidence={key: {tid: e for tid, e in evidence.items() if tid in shown}},
            names=self.names,
            personal=self.personal,
            has_model=self.has_model,
        )


def page_build(
    ctx: PageContext, *, trending: list[tuple[int, float, int]], names_of: NamesOf
) -> Page:
    """Every row of the profile's home page, de-duplicated and ordered.

    `trending` is the instance's (title id, score, viewers today), best first.
    """
    pins = builders.pins(ctx.intent)
    candidates: list[CandidateRow | None] = [builders.continue_row(ctx, pins)]
    trending_rows = builders.trending_rows(ctx, pins, trending)
    # Of two rows that claim a title the first proposed keeps it: Top 10 (a ranked fact
    # about the instance) before Top picks, which claims its own head.
    candidates += [row for row in trending_rows if row.claims]
    if ctx.scores.personal:
        candidates.append(builders.top_picks_row(ctx, pins))
        candidates += builders.because_rows(ctx)
        candidates += builders.taste_rows(ctx)
    elif builders.anchor_items(ctx):
        # No model yet, but signals: neighbours by content still explain themselves.
        candidates += builders.because_rows(ctx)
        candidates += builders.taste_rows(ctx)
    candidates += [row for row in trending_rows if not row.claims]
    candidates.append(builders.new_row(ctx))
    candidates.append(builders.my_list_row(ctx, pins))
    candidates.append(builders.watch_again_row(ctx, pins))
    if not ctx.activity.feedback.viewings and not ctx.activity.ratings:
        candidates += builders.popular_rows(ctx)
    placed = build_page(
        [row for row in candidates if row is not None],
        relevance=ctx.relevance,
        row_size=ROW_SIZE,
        min_items=MIN_ROW_TITLES,
    )
    shown = {title_id for row in placed for title_id in ctx.cat.ids[row.items].tolist()}
    see_all = {tid for row in placed for tid in ctx.see_all[row.key]}
    anchors = {int(key.split("-")[1]) for key in ctx.headings if key.startswith("because-")}
    names = names_of(ctx.mentioned | anchors)
    on_page = sorted(shown | see_all)
    listed = {title_id for title_id, _at in ctx.activity.my_list}
    cards = {}
    for title_id, at in zip(on_page, ctx.cat.index(on_page).tolist(), strict=True):
        card = card_state(ctx.activity, title_id, listed)
        match = int(ctx.scores.match[at])
        if match >= 0:
            card["match"] = match
            card["stars"] = round(float(ctx.scores.predicted[at]), 1)
        if card:
            cards[title_id] = card
    rows = []
    for row in placed:
        heading = ctx.headings[row.key]
        if heading.startswith("because:"):
            _because, verb, anchor = heading.split(":")
            heading = f"Because you {verb} {names.get(int(anchor), ('this', ''))[0]}"
        rows.append(
            PageRow(
                key=row.key,
                heading=heading,
                title_ids=ctx.cat.ids[row.items].tolist(),
                see_all_ids=ctx.see_all[row.key],
            )
        )
    return Page(
        rows=rows,
        cards=cards,
        evidence={
            row.key: {
                title_id: [e for e in entries if e["kind"] != "because" or e["title"] in names]
                for title_id, entries in ctx.evidence.get(row.key, {}).items()
            }
            for row in placed
        },
        names=names,
        personal=ctx.scores.personal,
        has_model=ctx.model is not None,
    )


def card_state(activity: Activity, title_id: int, listed: set[int]) -> dict:
    """The profile's rating, list and progress for a card, as the plan read them.

    The plan's key moves with every signal (and leaving the player stops playback), so
    these are current whenever the plan is; the cards' query then needs no subqueries.
    """
    state: dict = {}
    rating = activity.ratings.get(title_id)
    if rating is not None:
        stars, thumbs, _scale, _at = rating
        state["my_stars"] = Decimal(str(stars))
        state["my_thumbs"] = thumbs
    progress = activity.progress.get(title_id)
    if progress is not None:
        state["progress_percent"] = progress.percent
        state["progress_completed"] = progress.completed
    if title_id in listed:
        state["in_my_list"] = True
    resume = activity.resume.get(title_id)
    if resume is not None and progress is not None and not progress.completed:
        episode, position = resume
        state["resume_label"] = f"{'Resume' if position else 'Play'} {episode}"
    return state
