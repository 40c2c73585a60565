"""Benchmark: the recommendation core on MovieLens, and its serving costs at 50k titles.

    .venv/bin/python bench/engine.py                       # every case, each in its own process
    .venv/bin/python bench/engine.py --only ml-100k
    .venv/bin/python bench/engine.py --only ml-1m --tune   # also tune the SVD on validation
    .venv/bin/python bench/engine.py --only serving        # one profile, 10k/50k titles, k=50
    .venv/bin/python bench/engine.py --only neighbours     # block-wise neighbours, 50k titles

MovieLens cases read the ratings files in place (no database: reading from PostgreSQL is
the Django glue's part) and run the protocol of ``recommendations.core.evaluate``: per user
20% of the ratings held out with seed 0, candidates = trained items minus the user's own,
relevant = held-out rating >= 4. Beside it: the SVD's 5-fold RMSE, through bare Surprise
(``Dataset.load_from_file`` + ``cross_validate``) and through our core on the same kind of
random folds, and a full retrain on all the data. The serving case times what a request
does on synthetic models (score one profile, fold one in) with one BLAS thread, as a web or
Celery worker should run; the neighbours case computes "More like this" for 50k titles. Peak
memory is each case process's own peak RSS (``getrusage``), plus ``tracemalloc`` peaks of the
numpy-heavy steps.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import subprocess
import sys
import time
import tracemalloc

if "--only" in sys.argv and sys.argv[sys.argv.index("--only") + 1 :][:1] == ["serving"]:
    # Before numpy loads: on a busy 2-core machine a second OpenBLAS thread waits for a
    # scheduler tick and turns a 1 ms product into 8-16 ms. Workers serve one profile at a
    # time, so they should run single-threaded BLAS too.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.figures import peak_mib  # noqa: E402
from recommendations.core.artifact import load_model, save_model  # noqa: E402
from recommendations.core.evaluate import ProtocolReport, run_protocol  # noqa: E402
from recommendations.core.fold_in import fold_in, fold_in_indices  # noqa: E402
from recommendations.core.holdout import holdout_split  # noqa: E402
from recommendations.core.metrics import rmse  # noqa: E402
from recommendations.core.score import (  # noqa: E402
    freshness,
    predict_ratings,
    profile_state,
    ranking_scores,
    recommend,
    top_n,
)
from recommendations.core.signals import (  # noqa: E402
    Interactions,
    ProfileSignals,
    TrainingData,
)
from recommendations.core.similar import content_matrix, similar_items  # noqa: E402
from recommendations.core.train import (  # noqa: E402
    RankerParams,
    RankingModel,
    RatingFactors,
    RatingSVD,
    SVDParams,
    TrainedModel,
    interaction_matrix,
    train,
)

# The shared data sits next to the project: ../shared/data/movielens.
DATA = ROOT.parent / "shared" / "data" / "movielens"
T = TypeVar("T")


def _timed(fn: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def _traced(fn: Callable[[], T]) -> tuple[T, float, float]:
    """Result, seconds and tracemalloc peak in MiB (numpy reports its buffers to it)."""
    tracemalloc.start()
    try:
        result, seconds = _timed(fn)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    return result, seconds, peak


def _median_ms(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    fn()  # warm-up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


# -- MovieLens -----------------------------------------------------------------------------


def _read_ml_1m(folder: Path) -> tuple[np.ndarray, dict[int, int]]:
    text = (folder / "ratings_no_timestamp.dat").read_text(encoding="ascii")
    triples = np.array(text.replace("::", " ").split(), dtype=np.int64).reshape(-1, 3)
    years = {}
    for line in (folder / "movies.dat").read_text(encoding="iso-8859-1").splitlines():
        movie_id, title, _genres = line.split("::")
        found = re.search(r"\((\d{4})\)\s*$", title)
        if found:
            years[int(movie_id)] = int(found[1])
    return triples, years


def _read_ml_100k(folder: Path) -> tuple[np.ndarray, dict[int, int]]:
    triples = np.loadtxt(folder / "u.data", dtype=np.int64, usecols=(0, 1, 2))
    years = {}
    for line in (folder / "u.item").read_text(encoding="iso-8859-1").splitlines():
        fields = line.split("|")
        if fields[2]:
            years[int(fields[0])] = int(fields[2][-4:])
    return triples, years


def _surprise_cv(folder: Path, name: str, params: SVDParams) -> tuple[float, float, float]:
    """Bare Surprise: ``cross_validate(SVD, data, cv=KFold(5))``; mean RMSE, std, seconds."""
    from surprise import SVD, Dataset, Reader
    from surprise.model_selection import KFold, cross_validate

    if name == "ml-1m":
        reader = Reader(line_format="user item rating", sep="::", rating_scale=(1, 5))
        path = folder / "ratings_no_timestamp.dat"
    else:
        reader = Reader("ml-100k")
        path = folder / "u.data"
    started = time.perf_counter()
    data = Dataset.load_from_file(str(path), reader=reader)
    algo = SVD(
        n_factors=params.n_factors,
        n_epochs=params.n_epochs,
        lr_all=params.lr_all,
        reg_all=params.reg_all,
        random_state=params.random_state,
    )
    result = cross_validate(algo, data, measures=["rmse"], cv=KFold(5, random_state=0))
    scores = result["test_rmse"]
    return float(np.mean(scores)), float(np.std(scores)), time.perf_counter() - started


def _our_cv(data: TrainingData, params: SVDParams) -> tuple[float, float, float]:
    """Our core on 5 random folds of all ratings (not per user), as Surprise's KFold does."""
    started = time.perf_counter()
    ex = data.explicit
    fold = np.random.default_rng(0).permutation(len(ex)) % 5
    scores = []
    for k in range(5):
        train_part = Interactions(ex.user[fold != k], ex.item[fold != k], ex.value[fold != k])
        r = RatingSVD(params).fit(train_part, data.n_users, data.n_items).factors
        assert r is not None
        u, i, actual = ex.user[fold == k], ex.item[fold == k], ex.value[fold == k]
        est = (
            r.global_mean + r.user_bias[u] + r.item_bias[i] + np.einsum("ij,ij->i", r.P[u], r.Q[i])
        )
        scores.append(rmse(np.clip(est, 1, 5), actual))
    return float(np.mean(scores)), float(np.std(scores)), time.perf_counter() - started


def _tune_svd(data: TrainingData) -> tuple[SVDParams, list[tuple[SVDParams, float]]]:
    """Grid search of the SVD on a validation split of the *training* part (seed 1)."""
    split = holdout_split(data, random_state=0)
    inner = holdout_split(split.train, random_state=1)
    results = []
    for n_factors in (50, 100, 200):
        for n_epochs in (20, 40):
            for lr_all in (0.005, 0.01):
                for reg_all in (0.02, 0.05, 0.1):
                    p = SVDParams(n_factors, n_epochs, lr_all, reg_all, random_state=0)
                    r = RatingSVD(p).fit(inner.train.explicit, data.n_users, data.n_items).factors
                    assert r is not None
                    t = inner.test
                    est = r.global_mean + r.user_bias[t.user] + r.item_bias[t.item]
                    est = est + np.einsum("ij,ij->i", r.P[t.user], r.Q[t.item])
                    results.append((p, rmse(np.clip(est, 1, 5), t.value)))
    best = min(results, key=lambda x: x[1])[0]
    return best, results


def _freshness_of(data: TrainingData, years: dict[int, int]) -> np.ndarray:
    year = np.array([years.get(int(i), np.nan) for i in data.item_ids], dtype=np.float64)
    newest = np.nanmax(year)
    return freshness((newest - year) * 365.25, half_life_days=3650)


def _protocol_table(report: ProtocolReport, extra: dict[str, Any]) -> None:
    print("| model | RMSE | MAE | P@10 | R@10 | NDCG@10 | coverage | novelty | fit s | score s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    t = report.timings
    print(
        f"| SVD (rating, this split) | {report.rating.rmse:.4f} | {report.rating.mae:.4f} "
        f"| | | | | | {t['svd_fit']:.1f} | |"
    )
    names = {
        "most_popular": ("MostPopular", "—"),
        "svd_rating": ("SVD by predicted rating", f"{t['svd_fit']:.1f}"),
        "puresvd": ("PureSVD k=50", f"{t.get('puresvd_fit', 0):.2f}"),
        "ease": ("EASE λ=500", f"{t.get('ease_fit', 0):.2f}"),
        "blend": (f"blend PureSVD {_weights(report)}", "—"),
    }
    rows = [(names[k][0], names[k][1], m) for k, m in report.ranking.items()]
    rows += [(label, fit, m) for label, (fit, m) in extra.items()]
    for label, fit, m in rows:
        print(
            f"| {label} | | | {m.precision:.4f} | {m.recall:.4f} | {m.ndcg:.4f} "
            f"| {m.coverage:.1%} | {m.novelty:.2f} | {fit} | {m.seconds:.2f} |"
        )


def _weights(report: ProtocolReport) -> str:
    w = report.blend_weights
    if w is None:
        return ""
    return f"(rank {w.ranking:g}, rating {w.rating:g}, pop {w.popularity:g}, fresh {w.freshness:g})"


def movielens_case(name: str, folder: Path, *, tune: bool) -> None:
    reader = _read_ml_1m if name == "ml-1m" else _read_ml_100k
    (triples, years), read_s = _timed(lambda: reader(folder))
    data = TrainingData.from_triples(triples[:, 0], triples[:, 1], triples[:, 2])
    fresh = _freshness_of(data, years)
    print(f"\n### {name}\n")
    print(
        f"{len(triples):,} ratings, {data.n_users:,} users, {data.n_items:,} items; "
        f"read in {read_s:.2f} s.\n"
    )

    svd = SVDParams(random_state=0)  # Surprise's defaults: 100 factors, 20 epochs
    rankers = {
        "puresvd": RankerParams(n_factors=50),
        "ease": RankerParams(kind="ease", ease_lambda=500.0),
    }
    report, protocol_s = _timed(
        lambda: run_protocol(data, svd=svd, rankers=rankers, blend_with="puresvd", fresh=fresh)
    )
    ease_blend, ease_blend_s = _timed(
        lambda: run_protocol(
            data, svd=svd, rankers={"ease": rankers["ease"]}, blend_with="ease", fresh=fresh
        )
    )
    print(f"Protocol (both rankers, blend search included): {protocol_s:.1f} s.\n")
    _protocol_table(
        report, {f"blend EASE {_weights(ease_blend)}": ("—", ease_blend.ranking["blend"])}
    )
    print(
        f"\nEvaluated users: {report.counts['evaluated_users']:,} of {report.counts['users']:,}; "
        f"train/test ratings {report.counts['train_ratings']:,}/{report.counts['test_ratings']:,}."
        f" Blend search on the validation split: {report.timings['blend_search']:.1f} s "
        f"(PureSVD), {ease_blend.timings['blend_search']:.1f} s (EASE)."
    )

    print("\n5-fold RMSE of the SVD (Surprise defaults, random folds of all ratings):\n")
    print("| via | RMSE mean | std | seconds |")
    print("| --- | --- | --- | --- |")
    mean, std, seconds = _surprise_cv(folder, name, svd)
    print(f"| bare Surprise `cross_validate` | {mean:.4f} | {std:.4f} | {seconds:.1f} |")
    mean, std, seconds = _our_cv(data, svd)
    print(f"| `recommendations.core` `RatingSVD` | {mean:.4f} | {std:.4f} | {seconds:.1f} |")

    if tune:
        (best, results), tune_s = _timed(lambda: _tune_svd(data))
        split = holdout_split(data, random_state=0)
        r = RatingSVD(best).fit(split.train.explicit, data.n_users, data.n_items).factors
        assert r is not None
        t = split.test
        est = r.global_mean + r.user_bias[t.user] + r.item_bias[t.item]
        est = est + np.einsum("ij,ij->i", r.P[t.user], r.Q[t.item])
        best_val = min(x[1] for x in results)
        print(
            f"\nSVD tuned on a validation split of the training part ({len(results)} settings, "
            f"{tune_s:.0f} s): n_factors={best.n_factors}, n_epochs={best.n_epochs}, "
            f"lr_all={best.lr_all}, reg_all={best.reg_all}; validation RMSE {best_val:.4f}, "
            f"test RMSE {rmse(np.clip(est, 1, 5), t.value):.4f} (default: "
            f"{report.rating.rmse:.4f})."
        )

    print("\nFull retrain on all ratings (read excluded), default parameters:\n")
    print("| step | seconds | tracemalloc peak MiB |")
    print("| --- | --- | --- |")
    model, seconds = _timed(lambda: train(data, svd=svd, ranker=rankers["puresvd"]))
    print(f"| SVD + PureSVD (`train`) | {seconds:.1f} | |")
    ease, seconds, peak = _traced(
        lambda: train(data, svd=svd, ranker=rankers["ease"], rating=model.rating)
    )
    print(f"| EASE alone | {seconds:.1f} | {peak:.0f} |")
    _, seconds, peak = _traced(
        lambda: train(data, svd=svd, ranker=rankers["puresvd"], rating=model.rating)
    )
    print(f"| PureSVD alone | {seconds:.2f} | {peak:.0f} |")
    for label, m in (("PureSVD", model), ("EASE", ease)):
        buffer = io.BytesIO()
        _, save_s = _timed(
            lambda m=m, b=buffer: save_model(
                b, m, version="bench", created_at="2026-12-01T00:00:00Z"
            )
        )
        buffer.seek(0)
        _, load_s = _timed(lambda b=buffer: load_model(b))
        size = buffer.getbuffer().nbytes / 2**20
        print(f"| artifact {label}: save / load, {size:.1f} MiB | {save_s:.2f} / {load_s:.2f} | |")


# -- synthetic 50k titles ------------------------------------------------------------------


def synthetic_model(
    n_items: int, *, n_users: int = 2000, k: int = 50, seed: int = 0
) -> TrainedModel:
    """A model of the right shapes and magnitudes; the values do not matter for timing."""
    rng = np.random.default_rng(seed)
    V, _ = np.linalg.qr(rng.normal(size=(n_items, k)))
    per_user = 60
    users = np.repeat(np.arange(n_users), per_user)
    items = rng.integers(0, n_items, size=users.size)
    data = Interactions(users.astype(np.int32), items.astype(np.int32), np.ones(users.size))
    X = interaction_matrix(data, n_users, n_items)
    X.data[:] = 1.0
    return TrainedModel(
        user_ids=np.arange(n_users, dtype=np.int64) * 3 + 1,
        item_ids=np.arange(n_items, dtype=np.int64) * 2 + 5,
        rating=RatingFactors(
            global_mean=3.6,
            user_bias=rng.normal(0, 0.3, n_users),
            item_bias=rng.normal(0, 0.3, n_items),
            P=rng.normal(0, 0.1, (n_users, k)),
            Q=rng.normal(0, 0.1, (n_items, k)),
        ),
        ranker=RankingModel(
            kind="puresvd",
            item_factors=V.astype(np.float32),
            singular_values=np.sort(rng.uniform(1, 50, k))[::-1],
        ),
        popularity=np.bincount(items, minlength=n_items).astype(np.int64),
        interactions=X,
    )


def _serving_rows(n_items: int, rng: np.random.Generator) -> None:
    model = synthetic_model(n_items)
    state = profile_state(model, 7)
    rated = rng.choice(n_items, 20, replace=False)
    ratings = rng.integers(1, 6, 20).astype(np.float64)
    watched = rng.choice(n_items, 50, replace=False)
    signals = ProfileSignals(
        profile=123,
        rated_items=np.sort(model.item_ids[rated]),
        ratings=ratings,
        interacted_items=np.sort(model.item_ids[watched]),
        weights=np.ones(50),
    )

    def folded() -> object:
        return fold_in_indices(
            model,
            rated_items=rated,
            ratings=ratings,
            interacted_items=watched,
            weights=np.ones(50),
        )

    steps: list[tuple[str, Callable[[], Any], int]] = [
        (
            "predicted ratings `mu + bu + bi + Q @ p`",
            lambda: predict_ratings(model.rating, state),
            500,
        ),
        ("PureSVD row `V @ (x @ V)`", lambda: ranking_scores(model.ranker, state), 500),
        ("top 200 by argpartition", lambda: top_n(model.rating.item_bias, 200), 500),
        (
            "`recommend` n=200 (all of the above, blend, mask)",
            lambda: recommend(model, state, n=200),
            300,
        ),
        ("`fold_in_indices` 20 ratings, 50 interactions", folded, 1000),
        ("`fold_in` from raw ids (id maps included)", lambda: fold_in(model, signals), 1000),
        (
            "fold-in + `recommend` n=200",
            lambda: recommend(model, fold_in(model, signals), n=200),
            300,
        ),
    ]
    for label, fn, runs in steps:
        median, p95 = _median_ms(fn, runs)
        print(f"| {label} | {n_items:,} | {median:.3f} | {p95:.3f} | {runs} |")


def serving_case() -> None:
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(
        "\n### Serving costs on synthetic models (k=50 for the SVD and PureSVD, "
        f"OPENBLAS_NUM_THREADS={threads})\n"
    )
    print("| operation | catalogue | median ms | p95 ms | runs |")
    print("| --- | --- | --- | --- | --- |")
    rng = np.random.default_rng(1)
    for n_items in (10_000, 50_000):
        _serving_rows(n_items, rng)

    model = synthetic_model(50_000)
    buffer = io.BytesIO()
    _, save_s = _timed(
        lambda: save_model(buffer, model, version="bench", created_at="2026-12-01T00:00:00Z")
    )
    buffer.seek(0)
    _, load_s = _timed(lambda: load_model(buffer))
    size = buffer.getbuffer().nbytes / 2**20
    print(
        f"\nArtifact of the 50k-title model (2,000 users): {size:.1f} MiB, "
        f"saved in {save_s:.2f} s, loaded in {load_s:.2f} s."
    )


def neighbours_case() -> None:
    rng = np.random.default_rng(1)
    print("\n### Block-wise neighbours, k=20, 50,000 synthetic titles (64 MiB per block)\n")
    print("| similarity | seconds | tracemalloc peak MiB |")
    print("| --- | --- | --- |")
    model = synthetic_model(50_000)
    factors = model.ranker.item_factors * model.ranker.singular_values[None, :].astype(np.float32)
    features = [
        [f"genre:{g}" for g in rng.choice(20, rng.integers(1, 4), replace=False)]
        + [f"tag:{t}" for t in rng.choice(500, 5)]
        + [f"person:{p}" for p in rng.choice(20_000, 8)]
        for _ in range(50_000)
    ]
    content, seconds = _timed(lambda: content_matrix(features))
    print(
        f"| building TF-IDF of 1-3 genres (of 20), 5 tags (of 500), 8 people (of 20,000) "
        f"| {seconds:.2f} | |"
    )
    _, seconds, peak = _traced(lambda: similar_items(item_factors=factors, k=20))
    print(f"| cosine on PureSVD factors | {seconds:.1f} | {peak:.0f} |")
    _, seconds, peak = _traced(lambda: similar_items(item_factors=factors, content=content, k=20))
    print(f"| factors 0.7 + content 0.3 | {seconds:.1f} | {peak:.0f} |")
    _, seconds, peak = _traced(lambda: similar_items(content=content, k=20))
    print(f"| content only | {seconds:.1f} | {peak:.0f} |")
    median, _ = _median_ms(
        lambda: similar_items(item_factors=factors, content=content, k=20, items=[123]), 50
    )
    print(f"| one title's row (factors + content), median of 50 | {median / 1000:.3f} | |")


# -- driver --------------------------------------------------------------------------------

CASES = ("ml-100k", "ml-1m", "serving", "neighbours")


def _run_child(case: str, extra: list[str]) -> None:
    """One case in a fresh process, so that the peak RSS it reports is its own."""
    subprocess.run([sys.executable, __file__, "--only", case, *extra], cwd=ROOT, check=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=CASES)
    parser.add_argument("--tune", action="store_true", help="also tune the SVD on validation")
    parser.add_argument("--ml-1m", type=Path, default=DATA / "ml-1m")
    parser.add_argument("--ml-100k", type=Path, default=DATA / "ml-100k")
    args = parser.parse_args()
    if args.only is None:
        for case in CASES:
            _run_child(case, ["--tune"] if args.tune and case.startswith("ml-") else [])
        return
    if args.only == "serving":
        serving_case()
    elif args.only == "neighbours":
        neighbours_case()
    else:
        folder = args.ml_1m if args.only == "ml-1m" else args.ml_100k
        movielens_case(args.only, folder, tune=args.tune)
    print(f"\nPeak RSS of the {args.only} process: {peak_mib():.0f} MiB.", flush=True)


if __name__ == "__main__":
    main()
