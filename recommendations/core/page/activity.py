"""What a profile did, with its times: the one shape its signals are read into.

`recommendations.activity` reads it from the database, for one profile (its home page)
or for all (training); `feedback` is what the model learns from and folds in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import NamedTuple

from recommendations.core import signals as core_signals

THUMBS = "thumbs"  # a rating's scale when it is a thumb, not stars


class Progress(NamedTuple):
    """A profile's progress on one title (a series as a whole)."""

    percent: float
    completed: bool
    watched_at: datetime
    hidden: bool
    completed_at: datetime | None
    times: int
    private: bool
    # Given up on: unfinished, well short of the end and untouched for weeks (the reader
    # judges it with the instance's settings).
    abandoned: bool = False


@dataclass(frozen=True)
class Activity:
    """Every signal of one profile, with times; the page's evidence reads them too."""

    profile: int
    # title id -> (stars, thumbs, scale, rated_at)
    ratings: dict[int, tuple[float, int, str, datetime]] = field(default_factory=dict)
    progress: dict[int, Progress] = field(default_factory=dict)
    # newest first
    my_list: list[tuple[int, datetime]] = field(default_factory=list)
    not_interested: tuple[int, ...] = ()
    excluded: frozenset[int] = frozenset()
    # series title id -> its resume point: ("S1:E2", seconds into that episode)
    resume: dict[int, tuple[str, int]] = field(default_factory=dict)

    @cached_property
    def feedback(self) -> core_signals.ProfileFeedback:
        """The signals as the model learns from them and folds them in."""
        return core_signals.ProfileFeedback(
            profile=self.profile,
            stars=tuple(
                (t, stars)
                for t, (stars, _th, scale, _at) in self.ratings.items()
                if scale != THUMBS
            ),
            thumbs=tuple(
                (t, thumbs)
                for t, (_s, thumbs, scale, _at) in self.ratings.items()
                if scale == THUMBS
            ),
            viewings=tuple(
                core_signals.Viewing(
                    item=title_id,
                    percent=p.percent,
                    completed=p.completed,
                    times_completed=p.times,
                    abandoned=p.abandoned,
                    private=p.private,
                )
                for title_id, p in self.progress.items()
            ),
            my_list=tuple(t for t, _at in self.my_list),
            not_interested=self.not_interested,
            excluded=self.excluded,
        )
