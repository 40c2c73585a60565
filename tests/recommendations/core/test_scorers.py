from __future__ import annotations

import numpy as np

from recommendations.core.scorers import most_popular_scorer
from recommendations.core.signals import TrainingData


def test_most_popular_ranks_by_training_counts() -> None:
    data = TrainingData.from_triples([1, 2, 2, 3], [7, 7, 8, 9], [4, 4, 4, 4])
    scores = most_popular_scorer(data)(np.array([0, 1]))
    np.testing.assert_array_equal(scores, [[2, 1, 1], [2, 1, 1]])
