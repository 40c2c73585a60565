"""Turn what a profile did into training data: explicit ratings and implicit weights.

The whole mapping lives in one table, :class:`SignalTable`, so it can be read, tested and
changed in one place:

===========================  ====================  ===========================================
feedback                     explicit rating 1-5   implicit weight (ranking model)
===========================  ====================  ===========================================
stars                        as given (clipped)    ``rated`` (+ ``rated_high`` if >= 4;
                                                   none at all if <= 2: a dislike)
thumbs down / up / two up    1 / 4 / 5             as for stars of that value
finished, not rated          4.0                   ``finished`` + ``watched_share`` x share
finished twice or more       4.5                   + ``rewatch`` per extra time (capped)
watched part, not abandoned  (none)                ``watched_share`` x share watched
abandoned early              2.0                   nothing from the viewing
on My List                   (none)                ``my_list``
not interested               1.0                   none at all (the title is dropped)
===========================  ====================  ===========================================

An explicit rating (stars, else thumbs) always wins over a derived one; among derived ones
not-interested wins, then rewatch, finished, abandoned. A low explicit rating also cancels
the positive weight that watching gave: finishing a film and then rating it one star is no
reason to show more like it. Titles the profile marked "don't use
for my recommendations" and private viewings are left out entirely.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

__all__ = [
    "Interactions",
    "index_of",
    "ProfileFeedback",
    "ProfileSignals",
    "SignalTable",
    "TrainingData",
    "Viewing",
    "build_training_data",
    "derive_signals",
]

THUMBS_DOWN, THUMBS_UP, THUMBS_TWO_UP = -1, 1, 2


@dataclass(frozen=True, slots=True)
class Viewing:
    """How far a profile got in one title.

    Attributes:
        item: The title's id.
        percent: Furthest share watched, 0-100.
        completed: Watched to the end at least once.
        times_completed: How many times it was finished (2 or more is a rewatch).
        abandoned: Stopped early and not resumed for a while.
        private: Watched in a private session; such viewings are ignored.
    """

    item: int
    percent: float = 0.0
    completed: bool = False
    times_completed: int = 0
    abandoned: bool = False
    private: bool = False


@dataclass(frozen=True, slots=True)
class ProfileFeedback:
    """Everything one profile told us, as plain ids (the Django glue fills this in).

    Attributes:
        profile: The profile's id.
        stars: ``(item, stars)`` pairs, stars 0.5-5 in half steps.
        thumbs: ``(item, thumbs)`` pairs, thumbs -1 (down), 1 (up) or 2 (two up); for ratings
            given on the thumbs scale. If an item has both, the stars win.
        viewings: Watch progress per title.
        my_list: Items on My List.
        not_interested: Items the profile hid.
        excluded: Items marked "don't use for my recommendations".
    """

    profile: int
    stars: tuple[tuple[int, float], ...] = ()
    thumbs: tuple[tuple[int, int], ...] = ()
    viewings: tuple[Viewing, ...] = ()
    my_list: tuple[int, ...] = ()
    not_interested: tuple[int, ...] = ()
    excluded: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class SignalTable:
    """The documented, configurable mapping from feedback to training values.

    Attributes:
        rating_scale: Explicit ratings are clipped into this range (0.5 stars becomes 1.0).
        thumbs_down: Rating for a thumbs down.
        thumbs_up: Rating for a thumbs up.
        thumbs_two_up: Rating for "Love this!".
        finished: Rating for a finished title that was not rated.
        rewatched: Rating for a title finished twice or more, not rated.
        abandoned: Rating for a title abandoned early, not rated.
        not_interested: Rating for a hidden title, not rated.
        weight_rated: Implicit weight of an explicit rating: rating means having watched.
        weight_rated_high: Extra weight when the explicit rating is at least ``high_rating``.
        high_rating: What counts as rated high.
        low_rating: An explicit rating at most this is a dislike: the item gets no implicit
            weight at all, whatever else the profile did with it.
        weight_finished: Implicit weight of finishing a title.
        weight_rewatch: Extra weight per completion after the first ...
        rewatch_cap: ... counted up to this many extra completions.
        weight_watched_share: Weight of the share watched (0-1) of a viewing not abandoned.
        weight_my_list: Weight of an item on My List.
    """

    rating_scale: tuple[float, float] = (1.0, 5.0)
    thumbs_down: float = 1.0
    thumbs_up: float = 4.0
    thumbs_two_up: float = 5.0
    finished: float = 4.0
    rewatched: float = 4.5
    abandoned: float = 2.0
    not_interested: float = 1.0
    weight_rated: float = 1.0
    weight_rated_high: float = 0.5
    high_rating: float = 4.0
    low_rating: float = 2.0
    weight_finished: float = 1.0
    weight_rewatch: float = 0.5
    rewatch_cap: int = 3
    weight_watched_share: float = 0.5
    weight_my_list: float = 0.5

    def thumbs_rating(self, thumbs: int) -> float:
        """Map a thumbs value (-1, 1, 2) to a rating.

        Raises:
            ValueError: For any other value.
        """
        table = {
            THUMBS_DOWN: self.thumbs_down,
            THUMBS_UP: self.thumbs_up,
            THUMBS_TWO_UP: self.thumbs_two_up,
        }
        try:
            return table[thumbs]
        except KeyError:
            raise ValueError(f"Unknown thumbs value {thumbs!r}.") from None


@dataclass(frozen=True, slots=True)
class ProfileSignals:
    """One profile's training values, keyed by raw item ids (sorted, unique).

    Attributes:
        profile: The profile's id.
        rated_items: Items with an explicit or derived rating.
        ratings: Their ratings on ``SignalTable.rating_scale``.
        interacted_items: Items with a positive implicit weight.
        weights: Their weights (all > 0).
    """

    profile: int
    rated_items: npt.NDArray[np.int64]
    ratings: npt.NDArray[np.float64]
    interacted_items: npt.NDArray[np.int64]
    weights: npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Interactions:
    """Coordinate triples ready for training: ``value`` of ``item`` by ``user`` (indices)."""

    user: npt.NDArray[np.int32]
    item: npt.NDArray[np.int32]
    value: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.value.shape[0])


@dataclass(frozen=True, slots=True)
class TrainingData:
    """Index-based training data of many profiles, with the maps back to raw ids.

    Attributes:
        user_ids: Raw profile id of each user index (sorted ascending).
        item_ids: Raw item id of each item index (sorted ascending).
        explicit: Ratings for the rating model.
        implicit: Confidence weights for the ranking model.
    """

    user_ids: npt.NDArray[np.int64]
    item_ids: npt.NDArray[np.int64]
    explicit: Interactions
    implicit: Interactions

    @property
    def n_users(self) -> int:
        return int(self.user_ids.shape[0])

    @property
    def n_items(self) -> int:
        return int(self.item_ids.shape[0])

    @classmethod
    def from_triples(
        cls,
        users: npt.ArrayLike,
        items: npt.ArrayLike,
        ratings: npt.ArrayLike,
        *,
        implicit_weight: float = 1.0,
    ) -> TrainingData:
        """Build training data straight from ``(user, item, rating)`` triples (MovieLens).

        Every rating also counts as one interaction of weight ``implicit_weight``, which is
        how the published PureSVD and EASE figures treat rating data sets.

        Args:
            users: Raw user ids.
            items: Raw item ids.
            ratings: Ratings, one per (user, item); duplicates are not merged.

        Returns:
            The training data, ids mapped to sorted indices.

        Raises:
            ValueError: When the arrays are empty or differ in length.
        """
        users_a = np.asarray(users, dtype=np.int64)
        items_a = np.asarray(items, dtype=np.int64)
        ratings_a = np.asarray(ratings, dtype=np.float64)
        if not (users_a.shape == items_a.shape == ratings_a.shape) or users_a.ndim != 1:
            raise ValueError("users, items and ratings must be 1-d arrays of equal length.")
        if users_a.size == 0:
            raise ValueError("No ratings to train on.")
        user_ids, user_idx = np.unique(users_a, return_inverse=True)
        item_ids, item_idx = np.unique(items_a, return_inverse=True)
        u = user_idx.astype(np.int32)
        i = item_idx.astype(np.int32)
        return cls(
            user_ids=user_ids,
            item_ids=item_ids,
            explicit=Interactions(u, i, ratings_a),
            implicit=Interactions(u, i, np.full(ratings_a.shape, implicit_weight)),
        )


def index_of(sorted_ids: npt.NDArray[np.int64], raw_ids: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Positions of ``raw_ids`` in the ascending id map ``sorted_ids``; ``-1`` when absent."""
    raw = np.asarray(raw_ids, dtype=np.int64)
    if sorted_ids.size == 0:
        return np.full(raw.shape, -1, dtype=np.int64)
    pos = np.searchsorted(sorted_ids, raw)
    found = sorted_ids[np.minimum(pos, sorted_ids.size - 1)] == raw
    return np.where(found, pos, -1).astype(np.int64)


def derive_signals(feedback: ProfileFeedback, table: SignalTable | None = None) -> ProfileSignals:
    """Apply the signal table to one profile's feedback.

    Args:
        feedback: The profile's feedback.
        table: The mapping; the defaults of :class:`SignalTable` when ``None``.

    Returns:
        The profile's explicit ratings and implicit weights by raw item id. Excluded items,
        private viewings and items with no positive weight are absent from the weights.

    Raises:
        ValueError: On an unknown thumbs value.
    """
    table = table or SignalTable()
    excluded = feedback.excluded
    low, high = table.rating_scale
    not_interested = set(feedback.not_interested) - excluded

    explicit: dict[int, float] = {}
    for item, thumbs in feedback.thumbs:
        explicit[item] = table.thumbs_rating(thumbs)
    for item, stars in feedback.stars:
        explicit[item] = float(stars)  # stars beat thumbs on the same item

    derived: dict[int, float] = {}
    weights: dict[int, float] = {}

    def add(item: int, weight: float) -> None:
        weights[item] = weights.get(item, 0.0) + weight

    for viewing in feedback.viewings:
        if viewing.private or viewing.item in excluded:
            continue
        item = viewing.item
        finished_times = max(viewing.times_completed, 1 if viewing.completed else 0)
        if finished_times >= 2:
            rating = table.rewatched
        elif finished_times == 1:
            rating = table.finished
        elif viewing.abandoned:
            rating = table.abandoned
        else:
            rating = None
        if rating is not None:
            # Several viewings of one item (episodes summarised elsewhere): keep the best.
            derived[item] = max(derived.get(item, rating), rating)
        if viewing.abandoned and finished_times == 0:
            continue  # abandoning is no evidence of liking
        share = min(max(viewing.percent, 0.0), 100.0) / 100.0
        weight = table.weight_watched_share * share
        if finished_times:
            weight += table.weight_finished
            weight += table.weight_rewatch * min(finished_times - 1, table.rewatch_cap)
        add(item, weight)

    for item in not_interested:
        derived[item] = table.not_interested  # an explicit refusal beats what watching said

    ratings = {item: r for item, r in derived.items() if item not in excluded}
    ratings.update({item: r for item, r in explicit.items() if item not in excluded})
    ratings = {item: min(max(float(r), low), high) for item, r in ratings.items()}

    for item, r in explicit.items():
        if item in excluded:
            continue
        add(item, table.weight_rated + (table.weight_rated_high if r >= table.high_rating else 0))
    for item in feedback.my_list:
        if item not in excluded:
            add(item, table.weight_my_list)

    disliked = {item for item, r in explicit.items() if r <= table.low_rating}
    dropped = not_interested | disliked | excluded
    positive = {item: w for item, w in weights.items() if w > 0 and item not in dropped}
    rated_items = np.array(sorted(ratings), dtype=np.int64)
    interacted = np.array(sorted(positive), dtype=np.int64)
    return ProfileSignals(
        profile=feedback.profile,
        rated_items=rated_items,
        ratings=np.array([ratings[i] for i in rated_items.tolist()], dtype=np.float64),
        interacted_items=interacted,
        weights=np.array([positive[i] for i in interacted.tolist()], dtype=np.float64),
    )


def build_training_data(
    profiles: Iterable[ProfileFeedback | ProfileSignals],
    *,
    table: SignalTable | None = None,
    catalogue: Sequence[int] | npt.ArrayLike | None = None,
) -> TrainingData:
    """Derive every profile's signals and lay them out as index triples for training.

    Args:
        profiles: Feedback (or already derived signals) of each profile, one per profile.
        table: The mapping; the defaults of :class:`SignalTable` when ``None``.
        catalogue: Raw ids of every item to give an index, also items nobody touched (so
            content similarity and popularity cover the whole catalogue). Feedback on items
            outside it is dropped. When ``None``, the items with any feedback.

    Returns:
        The training data. Every profile gets a user index, even one without signals.

    Raises:
        ValueError: When no profile is given or two share an id.
    """
    signals = [p if isinstance(p, ProfileSignals) else derive_signals(p, table) for p in profiles]
    if not signals:
        raise ValueError("No profiles to train on.")
    # User indices follow ascending profile ids, like item indices.
    signals.sort(key=lambda s: s.profile)
    user_ids = np.array([s.profile for s in signals], dtype=np.int64)
    if np.unique(user_ids).size != user_ids.size:
        raise ValueError("Two profiles share an id.")
    if catalogue is None:
        parts = [s.rated_items for s in signals] + [s.interacted_items for s in signals]
        item_ids = np.unique(np.concatenate(parts))
    else:
        item_ids = np.unique(np.asarray(catalogue, dtype=np.int64))

    def triples(pairs: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]]) -> Interactions:
        users, items, values = [], [], []
        for u, (raw_items, raw_values) in enumerate(pairs):
            idx = index_of(item_ids, raw_items)
            known = idx >= 0
            users.append(np.full(int(known.sum()), u, dtype=np.int32))
            items.append(idx[known].astype(np.int32))
            values.append(raw_values[known])
        return Interactions(np.concatenate(users), np.concatenate(items), np.concatenate(values))

    return TrainingData(
        user_ids=user_ids,
        item_ids=item_ids,
        explicit=triples([(s.rated_items, s.ratings) for s in signals]),
        implicit=triples([(s.interacted_items, s.weights) for s in signals]),
    )
