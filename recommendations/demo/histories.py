"""Viewing histories: what each demo profile watched, rated, saved for later and refused.

`profile_history()` draws a profile's history from its taste group's affinities, so a
recommender trained on demo feedback has a real signal to find. Histories hold no dates,
only seconds before the moment of loading: generated the same way on every run, they
always end "now".
"""

from __future__ import annotations

import heapq
import math
import random
from dataclasses import dataclass
from decimal import Decimal

from recommendations.demo.catalogue import TitleSpec
from recommendations.demo.draws import seeded_rng
from recommendations.demo.tastes import GROUP_BY_NAME, TasteGroup
from recommendations.demo.world import DemoWorld

DAY = 86_400
HOUR = 3_600
FINISHED = "finished"
ABANDONED = "abandoned"
IN_PROGRESS = "in progress"
# Clear of the site's own "abandoned" rule (below 25 %, quiet for 14 days: the settings
# MARQUEE_ABANDONED_*), so demo viewings stay abandoned if someone nudges those a little.
ABANDONED_BELOW = 0.22
ABANDONED_QUIET_DAYS = 16
# "Continue watching" rows: played within the last few days, 30–80 % through.
RECENT_DAYS = 6
IN_PROGRESS_LOW, IN_PROGRESS_HIGH = 0.31, 0.79
# The player counts a viewing as finished from here (MARQUEE_COMPLETED_AT is 0.9).
FINISHED_FROM = 0.93


@dataclass(frozen=True, slots=True)
class HistorySize:
    """How much a profile does; the draws can fall short on a small catalogue."""

    viewings: int
    in_progress: int
    rated_elsewhere: int
    my_list: int
    not_interested: int


# The demo household that `accounts.services.demo_accounts_ensure` creates (demo sign-in):
# three profiles with clearly different tastes, so switching profile changes the home page.
# Crime-bingers watch series, which fills episode rows and "continue watching".
DEMO_HOUSEHOLD: dict[str, tuple[str, HistorySize]] = {
    "Ana": ("crime-bingers", HistorySize(70, 3, 12, 6, 3)),
    "Ben": ("sci-fi-and-fantasy", HistorySize(55, 3, 8, 5, 3)),
    "Kids": ("family-night", HistorySize(40, 2, 0, 4, 2)),
}


@dataclass(frozen=True, slots=True)
class ProgressSpec:
    """One WatchProgress row, filled as the player's heartbeats would have filled it.

    Times are whole seconds before the moment of loading (`*_ago`), so that a history
    generated once always ends "now" when it is written.
    """

    # The episode's position in its series, season by season from 0; None for the row of
    # a film or the title-level row of a series.
    episode: int | None
    runtime_seconds: int
    last_position: int
    furthest_position: int
    seconds_watched: int
    percent: float
    started_ago: int
    last_watched_ago: int
    last_event_kind: str  # a WatchEvent.Kind value
    times_completed: int
    completed_ago: int | None
    current_episode: int | None = None  # series title-level row: the episode to resume

    @property
    def completed(self) -> bool:
        return self.times_completed > 0


@dataclass(frozen=True, slots=True)
class Viewing:
    """A title a profile started: its rows, the title-level one first."""

    title_index: int
    outcome: str  # FINISHED, ABANDONED or IN_PROGRESS
    progress: tuple[ProgressSpec, ...]

    @property
    def times_completed(self) -> int:
        return self.progress[0].times_completed


@dataclass(frozen=True, slots=True)
class RatingSpec:
    title_index: int
    stars: Decimal  # 0.5–5 in half steps, mostly whole stars
    rated_ago: int
    source: str  # a recommendations Source value: "site" or "import"
    watched: bool  # False: seen elsewhere, rated here or imported


@dataclass(frozen=True, slots=True)
class MarkSpec:
    """A My List entry or a "not interested"."""

    title_index: int
    ago: int


@dataclass(frozen=True, slots=True)
class ProfileHistory:
    viewings: tuple[Viewing, ...]  # oldest first
    ratings: tuple[RatingSpec, ...]
    my_list: tuple[MarkSpec, ...]
    not_interested: tuple[MarkSpec, ...]


def profile_history(world: DemoWorld, profile_index: int) -> ProfileHistory:
    """What a profile of the world watched, rated, saved and refused, from its taste group."""
    profile = world.profiles[profile_index]
    return history_build(
        world,
        group=profile.group,
        max_maturity_age=profile.max_maturity_age,
        stream=f"history:{profile_index}",
    )


def profile_viewings(world: DemoWorld, profile_index: int) -> tuple[Viewing, ...]:
    """The titles a profile of the world started, oldest first."""
    return profile_history(world, profile_index).viewings


def household_history(world: DemoWorld, *, name: str, max_maturity_age: int) -> ProfileHistory:
    """The history of a demo household profile (`DEMO_HOUSEHOLD`), within its age limit."""
    group_name, size = DEMO_HOUSEHOLD[name]
    return history_build(
        world,
        group=GROUP_BY_NAME[group_name],
        max_maturity_age=max_maturity_age,
        stream=f"household:{name}",
        size=size,
    )


def title_added_ago(world: DemoWorld, title_index: int) -> int:
    """Seconds between a title's `added_at` and the moment of loading.

    The index breaks ties, so "recently added" has a stable order; `demo_load` writes
    `added_at` from this, and no viewing of the title starts before it.
    """
    return world.titles[title_index].added_days_ago * DAY + title_index


def episode_runtimes(title: TitleSpec) -> list[int]:
    """Seconds of each episode of a series, in watching order (a film: its runtime)."""
    if not title.seasons:
        return [title.runtime_minutes * 60]
    return [e.runtime_minutes * 60 for season in title.seasons for e in season.episodes]


def history_build(
    world: DemoWorld,
    *,
    group: TasteGroup,
    max_maturity_age: int,
    stream: str,
    size: HistorySize | None = None,
) -> ProfileHistory:
    """A viewer's history drawn from `group`'s affinities: the same arguments, the same result.

    Titles are drawn without replacement with a weight that grows steeply with affinity,
    among those the age limit allows. Low-affinity titles are more often abandoned and
    high-affinity ones rewatched; about 60 % of finished titles are rated, with stars
    following affinity plus noise; My List gets favourites not yet watched, "not
    interested" gets titles far from the group's taste.
    """
    rng = seeded_rng(world.seed, stream)
    pool = world.pool(group, max_maturity_age)
    if size is None:
        size = _history_size(rng)
    scores = world.affinities(group)
    taken: set[int] = set()
    watched = _draw(rng, pool.indices, pool.watch, size.viewings + size.rated_elsewhere, taken)
    # The draw order leans towards favourites: shuffle before splitting, so titles rated
    # without watching are as well liked as those watched here.
    rng.shuffle(watched)
    elsewhere = watched[size.viewings :]
    watched = watched[: size.viewings]
    wished = _draw(rng, pool.indices, pool.wish, size.my_list, taken)
    refused = _draw(rng, pool.indices, pool.refuse, size.not_interested, taken)
    # When the profile started using the site: histories spread over the last two years.
    joined_ago = rng.randint(60 * DAY, 730 * DAY)

    viewings: list[Viewing] = []
    ratings: list[RatingSpec] = []
    for position, index in enumerate(watched):
        score = scores[index]
        if position < size.in_progress:
            outcome = IN_PROGRESS
        elif rng.random() < 0.04 + 0.5 * (1 - score) ** 3:
            outcome = ABANDONED
        else:
            outcome = FINISHED
        runs = 1
        if outcome == FINISHED and rng.random() < (0.02 + 0.3 * score**3) * (
            0.5 if world.titles[index].seasons else 1
        ):
            runs = rng.choices((2, 3), weights=(3, 1))[0]
        oldest = min(joined_ago, title_added_ago(world, index)) - HOUR
        viewing = _viewing_build(
            rng, world.titles[index], index=index, outcome=outcome, runs=runs, oldest=oldest
        )
        viewings.append(viewing)
        rate_chance = 0.5 + 0.25 * abs(2 * score - 1) + (0.1 if runs > 1 else 0.0)
        if outcome == FINISHED and rng.random() < rate_chance:
            last = viewing.progress[0].last_watched_ago
            ratings.append(
                RatingSpec(
                    title_index=index,
                    stars=_stars(rng, score, bonus=0.3 if runs > 1 else 0.0),
                    rated_ago=max(0, last - rng.randint(30, 4 * HOUR)),
                    source="site",
                    watched=True,
                )
            )
    # Some viewers bring ratings from elsewhere in one sitting when they join; others rate
    # titles they saw elsewhere as they come across them.
    imported = rng.random() < 0.5
    for index in elsewhere:
        latest = min(joined_ago, title_added_ago(world, index))
        rated_ago = latest - rng.randint(0, 15 * 60) if imported else rng.randint(0, latest)
        ratings.append(
            RatingSpec(
                title_index=index,
                stars=_stars(rng, scores[index]),
                rated_ago=max(0, rated_ago),
                source="import" if imported else "site",
                watched=False,
            )
        )
    viewings.sort(key=lambda viewing: (-viewing.progress[0].started_ago, viewing.title_index))
    return ProfileHistory(
        viewings=tuple(viewings),
        ratings=tuple(ratings),
        my_list=tuple(_marks(rng, world, wished, joined_ago=joined_ago)),
        not_interested=tuple(_marks(rng, world, refused, joined_ago=joined_ago)),
    )


def _draw(
    rng: random.Random, indices: list[int], cumulative: list[float], count: int, taken: set[int]
) -> list[int]:
    """Up to `count` titles not in `taken`, by weight without replacement; adds them to it.

    Drawing with replacement and skipping repeats is exactly sequential weighted sampling
    without replacement, at O(log n) a draw; a pass over the pool finishes the job when
    repeats pile up (a small catalogue, or most of the weight already taken).
    """
    picked: list[int] = []
    if count <= 0 or not indices or cumulative[-1] <= 0:
        return picked
    for _round in range(6):
        for index in rng.choices(indices, cum_weights=cumulative, k=2 * (count - len(picked))):
            if index not in taken:
                taken.add(index)
                picked.append(index)
                if len(picked) == count:
                    return picked
    # Efraimidis–Spirakis over what is left: the largest log(u)/w keys.
    keys = []
    previous = 0.0
    for index, total in zip(indices, cumulative, strict=True):
        weight, previous = total - previous, total
        if weight > 0 and index not in taken:
            keys.append((math.log(1.0 - rng.random()) / weight, index))
    for _key, index in heapq.nlargest(count - len(picked), keys):
        taken.add(index)
        picked.append(index)
    return picked


def _history_size(rng: random.Random) -> HistorySize:
    # Some viewers watch a handful of titles, a few watch hundreds.
    viewings = max(3, round(rng.lognormvariate(math.log(40), 0.7)))
    return HistorySize(
        viewings=viewings,
        in_progress=rng.choices(range(5), weights=(15, 30, 25, 18, 12))[0],
        rated_elsewhere=round(viewings * rng.choice((0, 0, 0.1, 0.2, 0.4))),
        my_list=rng.choices(range(7), weights=(15, 15, 20, 20, 15, 10, 5))[0],
        not_interested=rng.choices(range(5), weights=(30, 25, 20, 15, 10))[0],
    )


def _stars(rng: random.Random, score: float, *, bonus: float = 0.0) -> Decimal:
    raw = 0.6 + 4.4 * score + bonus + rng.gauss(0, 0.6)
    if rng.random() < 0.7:  # most people rate in whole stars
        halves = 2 * min(5, max(1, round(raw)))
    else:
        halves = min(10, max(1, round(2 * raw)))
    return Decimal(halves) / 2


def _marks(
    rng: random.Random, world: DemoWorld, indices: list[int], *, joined_ago: int
) -> list[MarkSpec]:
    return [
        MarkSpec(
            title_index=index,
            ago=rng.randint(0, max(0, min(joined_ago, title_added_ago(world, index)) - 60)),
        )
        for index in indices
    ]


def _viewing_build(
    rng: random.Random, title: TitleSpec, *, index: int, outcome: str, runs: int, oldest: int
) -> Viewing:
    """The rows of one viewing whose first session starts at most `oldest` seconds ago."""
    runtimes = episode_runtimes(title)
    # How far each session got: whole episodes up to the last one watched.
    if outcome == FINISHED:
        reached = [int(runtime * rng.uniform(FINISHED_FROM, 1.0)) for runtime in runtimes]
    elif outcome == IN_PROGRESS:
        current = rng.randrange(len(runtimes))
        reached = [int(runtime * rng.uniform(FINISHED_FROM, 1.0)) for runtime in runtimes[:current]]
        reached.append(int(runtimes[current] * rng.uniform(IN_PROGRESS_LOW, IN_PROGRESS_HIGH)))
    else:
        # Stopped early: whole episodes, then part of one, below a fifth of the series.
        target = int(sum(runtimes) * rng.uniform(0.03, ABANDONED_BELOW - 0.02))
        reached = []
        for runtime in runtimes:
            if sum(reached) + runtime > target:
                reached.append(max(120, min(target - sum(reached), int(runtime * 0.85))))
                break
            reached.append(int(runtime * rng.uniform(FINISHED_FROM, 1.0)))
    # Wall-clock length of each session: pauses stretch it a little.
    lengths = [int(seconds * rng.uniform(1.0, 1.15)) + 1 for seconds in reached]
    if outcome == IN_PROGRESS:
        newest, latest_end = 600, RECENT_DAYS * DAY
    elif outcome == ABANDONED:
        newest, latest_end = ABANDONED_QUIET_DAYS * DAY, oldest
    else:
        newest, latest_end = 300, oldest
    # A rewatch is a new run through the whole title, each in its own stretch of time.
    stretch = (oldest - newest) // runs
    starts = [
        _sessions_place(
            rng,
            lengths,
            newest=max(newest, oldest - (run + 1) * stretch),
            latest_end=min(latest_end, oldest - run * stretch),
            oldest=oldest - run * stretch,
        )
        for run in range(runs)
    ]
    rows = []
    for episode, (runtime, seconds) in enumerate(zip(runtimes, reached, strict=False)):
        # Every session but the last got to the end; the last did if the viewing did.
        done = episode < len(reached) - 1 or outcome == FINISHED
        last_ago = starts[-1][episode] - lengths[episode]
        rows.append(
            ProgressSpec(
                episode=episode if title.seasons else None,
                runtime_seconds=runtime,
                last_position=seconds,
                furthest_position=seconds,
                # Rewinds add a little, skipped recaps take a little away.
                seconds_watched=max(
                    1, int(seconds * (runs if done else 1) * rng.uniform(0.98, 1.03))
                ),
                percent=round(min(100.0, 100 * seconds / runtime), 2),
                started_ago=starts[0][episode],
                last_watched_ago=last_ago,
                last_event_kind="stop" if done or outcome == ABANDONED else "pause",
                times_completed=runs if done else 0,
                completed_ago=last_ago if done else None,
            )
        )
    if not title.seasons:
        return Viewing(title_index=index, outcome=outcome, progress=tuple(rows))
    return Viewing(
        title_index=index,
        outcome=outcome,
        progress=(
            _series_row(
                rows, runtime=max(60, sum(runtimes)), runs=runs, finished=outcome == FINISHED
            ),
            *rows,
        ),
    )


def _series_row(
    episodes: list[ProgressSpec], *, runtime: int, runs: int, finished: bool
) -> ProgressSpec:
    """The title-level row of a series, as `recommendations.services` keeps it in step.

    `runtime` is the whole series', every episode included.
    """
    last = episodes[-1]
    seconds = sum(row.seconds_watched for row in episodes)
    # How far into the series the resume point lies: the episodes before the last one
    # watched (each past its end credits), and the position in that one.
    reached = sum(row.runtime_seconds for row in episodes[:-1]) + last.last_position
    return ProgressSpec(
        episode=None,
        runtime_seconds=runtime,
        last_position=last.last_position,
        # The player moves a series' furthest position only when its final episode ends.
        furthest_position=runtime if finished else 0,
        seconds_watched=seconds,
        percent=100.0 if finished else round(min(100.0, 100 * reached / runtime), 2),
        started_ago=episodes[0].started_ago,
        last_watched_ago=last.last_watched_ago,
        last_event_kind=last.last_event_kind,
        times_completed=runs if finished else 0,
        completed_ago=last.completed_ago if finished else None,
        current_episode=last.episode,
    )


def _sessions_place(
    rng: random.Random, lengths: list[int], *, newest: int, latest_end: int, oldest: int
) -> list[int]:
    """Start times (seconds ago) of consecutive sessions lasting `lengths` seconds.

    The last session ends between `newest` and `latest_end` seconds ago and the first
    starts at most `oldest` seconds ago; between sessions pass a few hours to a day or so,
    less when the window is tight.
    """
    total = sum(lengths)
    end = rng.randint(newest, max(newest, min(latest_end, oldest - total)))
    gaps = [rng.random() for _ in lengths[1:]]
    idle = min(int(len(gaps) * rng.uniform(0.1, 1.2) * DAY), max(0, oldest - total - end))
    spread = sum(gaps) or 1.0
    start = end + total + idle
    starts = []
    for length, gap in zip(lengths, [*gaps, 0.0], strict=True):
        starts.append(start)
        start -= length + int(idle * gap / spread)
    return starts
