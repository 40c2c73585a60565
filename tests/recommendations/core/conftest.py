"""A tiny data set with planted tastes, so the right answer is known.

Three groups of 20 titles (sci-fi, romance, comedy) and 40 viewers per group. Each viewer
rates 12 titles of their own group 4 or 5 and 3 titles of other groups 1 or 2. Raw ids are
spread out (not 0..n-1) so that every id map is exercised.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from recommendations.core.fold_in import FoldInParams
from recommendations.core.signals import TrainingData
from recommendations.core.train import RankerParams, SVDParams, TrainedModel, train

GROUPS = ("sci-fi", "romance", "comedy")
ITEMS_PER_GROUP = 20
USERS_PER_GROUP = 40

# Three planted tastes: rank 3 is the right answer for PureSVD.
# Small data needs a faster learning rate and more epochs than Surprise's defaults.
TINY_SVD = SVDParams(n_factors=8, n_epochs=60, lr_all=0.01, reg_all=0.05, random_state=0)
# The default ridge (tuned on ML-1M) shrinks a profile of six ratings almost to its bias;
# on this tiny data set a lighter ridge shows the effect of each rating.
TINY_FOLD_IN = FoldInParams(reg=0.05, min_reg=1.0)


def item_raw_id(index: int) -> int:
    return 1000 + 7 * index


def user_raw_id(index: int) -> int:
    return 10 + 3 * index


@dataclass(frozen=True)
class Planted:
    data: TrainingData
    item_group: np.ndarray  # group of each item index
    user_group: np.ndarray  # group of each user index

    def items_of(self, group: int) -> np.ndarray:
        return np.flatnonzero(self.item_group == group)


def make_planted(seed: int = 0) -> Planted:
    rng = np.random.default_rng(seed)
    n_groups = len(GROUPS)
    item_group = np.repeat(np.arange(n_groups), ITEMS_PER_GROUP)
    user_group = np.repeat(np.arange(n_groups), USERS_PER_GROUP)
    users, items, ratings = [], [], []
    for u, g in enumerate(user_group):
        own = rng.choice(np.flatnonzero(item_group == g), 12, replace=False)
        other = rng.choice(np.flatnonzero(item_group != g), 3, replace=False)
        for i in own:
            users.append(user_raw_id(u))
            items.append(item_raw_id(int(i)))
            ratings.append(float(rng.choice([4.0, 5.0])))
        for i in other:
            users.append(user_raw_id(u))
            items.append(item_raw_id(int(i)))
            ratings.append(float(rng.choice([1.0, 2.0])))
    data = TrainingData.from_triples(users, items, ratings)
    return Planted(data=data, item_group=item_group, user_group=user_group)


@pytest.fixture(scope="session")
def planted() -> Planted:
    return make_planted()


@pytest.fixture(scope="session")
def planted_model(planted: Planted) -> TrainedModel:
    return train(planted.data, svd=TINY_SVD, ranker=RankerParams(n_factors=len(GROUPS)))


@pytest.fixture(scope="session")
def planted_ease(planted: Planted) -> TrainedModel:
    return train(planted.data, svd=TINY_SVD, ranker=RankerParams(kind="ease", ease_lambda=50.0))
