from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

from recommendations.core.evaluate import (
    BlendSearch,
    default_blend_grid,
    grid_search_blend,
    run_protocol,
)
from recommendations.core.holdout import holdout_split
from recommendations.core.score import BlendWeights
from recommendations.core.signals import TrainingData
from recommendations.core.train import RankerParams, SVDParams, train

from .conftest import TINY_SVD, Planted

# ../shared/data beside the project, as in docs/benchmarks.md.
SHARED_ML_100K = Path(__file__).resolve().parents[4] / "shared" / "data" / "movielens" / "ml-100k"
ML_100K = Path(os.environ.get("MARQUEE_ML100K", SHARED_ML_100K))


def test_the_protocol_reports_baselines_and_our_rankers_beat_most_popular(planted: Planted) -> None:
    report = run_protocol(
        planted.data,
        svd=TINY_SVD,
        rankers={
            "puresvd": RankerParams(n_factors=3),
            "ease": RankerParams(kind="ease", ease_lambda=50),
        },
    )
    assert {"most_popular", "svd_rating", "puresvd", "ease", "blend"} <= report.ranking.keys()
    popular = report.ranking["most_popular"].ndcg
    assert report.ranking["puresvd"].ndcg > popular
    assert report.ranking["ease"].ndcg > popular
    assert report.blend is not None
    assert report.blend_weights == report.blend.best
    assert report.rating.rmse < 1.0
    assert report.counts["test_ratings"] == 360  # 15 ratings each, 3 held out, 120 viewers


def test_the_blend_search_tries_every_weight_on_the_validation_split(planted: Planted) -> None:
    split = holdout_split(planted.data, random_state=1)
    model = train(split.train, svd=TINY_SVD, ranker=RankerParams(n_factors=3))
    grid = [BlendWeights(1, 0, 0, 0), BlendWeights(0, 0, 1, 0)]
    search = grid_search_blend(model, split.train, split.test, grid=grid)
    assert isinstance(search, BlendSearch)
    assert [w for w, _ in search.results] == grid
    # Popularity alone knows nothing of the planted tastes: the ranking model must win.
    assert search.best == grid[0]
    assert len(default_blend_grid(with_freshness=True)) > len(default_blend_grid())
    with pytest.raises(ValueError, match="grid"):
        grid_search_blend(model, split.train, split.test, grid=[])


@pytest.mark.skipif(not (ML_100K / "u.data").exists(), reason="ml-100k is not available")
def test_on_ml_100k_the_ranking_model_beats_most_popular() -> None:
    started = time.perf_counter()
    raw = np.loadtxt(ML_100K / "u.data", dtype=np.int64, usecols=(0, 1, 2))
    data = TrainingData.from_triples(raw[:, 0], raw[:, 1], raw[:, 2])
    report = run_protocol(data, svd=SVDParams(random_state=0), blend_weights=BlendWeights())
    ranking = report.ranking
    assert ranking["puresvd"].ndcg > 1.5 * ranking["most_popular"].ndcg
    assert ranking["svd_rating"].ndcg < ranking["most_popular"].ndcg
    assert 0.90 < report.rating.rmse < 0.97
    assert time.perf_counter() - started < 20
