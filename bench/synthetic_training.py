"""The engine's training data for the synthetic world, derived in numpy, not read back."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from bench.synthetic import World
    from bench.synthetic_load import Ids
    from recommendations.core.signals import TrainingData


def training_data(
    world: World, ids: Ids, *, abandoned_after_days: float, abandoned_below_percent: float
) -> TrainingData:
    """The engine's training data, derived in numpy from the world instead of the database.

    `engine.training_data_read()` reads every signal back through the ORM and derives each
    profile's in Python (minutes at 10M signals); this applies the same `SignalTable`
    (defaults) to the arrays. bench/home.py checks it against `derive_signals` on a sample.
    """
    from recommendations.core.signals import Interactions, SignalTable, TrainingData

    table = SignalTable()
    low, high = table.rating_scale
    completed, percent, rated = world.w_completed, world.w_percent, world.w_rated
    finished = np.maximum(world.w_times, completed.astype(np.int32))
    abandoned = (
        ~completed & (percent < abandoned_below_percent) & (world.w_days > abandoned_after_days)
    )
    derived = np.full(percent.size, np.nan)
    derived[finished == 1] = table.finished
    derived[finished >= 2] = table.rewatched
    derived[(finished == 0) & abandoned] = table.abandoned
    stars = world.w_half / 2.0
    rating = np.clip(np.where(rated, stars, derived), low, high)
    explicit = ~np.isnan(rating)

    share = np.clip(percent, 0, 100) / 100
    extra = np.minimum(np.maximum(finished - 1, 0), table.rewatch_cap)
    weight = table.weight_watched_share * share + (finished > 0) * (
        table.weight_finished + table.weight_rewatch * extra
    )
    weight[abandoned & (finished == 0)] = 0.0
    weight += rated * (table.weight_rated + table.weight_rated_high * (stars >= table.high_rating))
    weight[rated & (stars <= table.low_rating)] = 0.0  # a dislike drops the title entirely
    positive = weight > 0

    users = np.concatenate([world.w_profile[positive], world.l_profile]).astype(np.int32)
    items = np.concatenate([world.w_title[positive], world.l_title]).astype(np.int32)
    values = np.concatenate([weight[positive], np.full(world.l_profile.size, table.weight_my_list)])
    return TrainingData(
        user_ids=np.concatenate([ids.profiles, ids.new_profiles]),
        item_ids=ids.titles,
        explicit=Interactions(
            world.w_profile[explicit].astype(np.int32),
            world.w_title[explicit].astype(np.int32),
            rating[explicit],
        ),
        implicit=Interactions(users, items, values),
    )
