"""bench/home.py's setup step: a migrated database with a dataset, trending and a model.

ml-1m: `import_movielens --skip-unknown-movies` plus invented viewing (a finished viewing
per rating, spread over four years, some recent; unrated titles in progress or recently
finished; a few My List entries), then `engine.model_train()`. The synthetic world:
generated and written by `bench/synthetic.py`, then `core.train.train` on training data
derived in numpy (checked against `derive_signals` for 30 profiles), saved and activated
like `model_train` does. Both: `VACUUM ANALYZE` and `trending_refresh()` before the model;
what was built goes to `dataset.json` in the var folder for the measure step.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.figures import peak_mib

DATA = Path("/work/shared/data/movielens")
# Names of the profiles without any signal; the measure step visits them apart.
NEW_PROFILE_PREFIX = "New "


class _Clock:
    def __init__(self) -> None:
        self.phases: dict[str, float] = {}

    def __call__(self, phase: str, fn: Callable[[], object]) -> object:
        started = time.perf_counter()
        result = fn()
        self.phases[phase] = time.perf_counter() - started
        print(f"  {phase}: {self.phases[phase]:.1f} s", flush=True)
        return result


def setup(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from recommendations import trending

    clock = _Clock()
    print(f"\nSetting up {args.only} in {connection.settings_dict['NAME']}:", flush=True)
    clock("migrate", lambda: call_command("migrate", verbosity=0))
    build = _setup_ml1m if args.only == "ml-1m" else _setup_synthetic
    extra = build(args, clock)

    def vacuum() -> None:
        # Fresh statistics and visibility maps, as autovacuum would have them by now.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    clock("VACUUM ANALYZE", vacuum)
    clock("trending_refresh", trending.trending_refresh)
    if args.only == "ml-1m":
        clock("model_train (read, evaluate, train, save, gate)", _train_ml1m)
    else:
        clock("train (SVD + ranker) and save", lambda: _train_synthetic(args, extra))
    info = {
        "dataset": args.only,
        "scale": args.scale,
        "setup_seconds": clock.phases,
        "setup_peak_rss_mib": round(peak_mib()),
        **{k: v for k, v in extra.items() if isinstance(v, int | float | str)},
    }
    (Path(os.environ["MARQUEE_VAR_DIR"]) / "dataset.json").write_text(json.dumps(info, indent=1))
    print(f"  setup peak RSS: {peak_mib():.0f} MiB", flush=True)


def _new_profiles(count: int = 5) -> None:
    """A household that skipped the picker and has no signal yet: popularity rows."""
    from django.utils import timezone

    from accounts.models import Profile, User

    account = User.objects.create_user("bench-new@bench.invalid")
    for number in range(1, count + 1):
        Profile.objects.create(
            account=account, name=f"{NEW_PROFILE_PREFIX}{number}", onboarded_at=timezone.now()
        )


def _setup_ml1m(args: argparse.Namespace, clock: _Clock) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from accounts.models import Profile
    from bench.synthetic import DAY, bulk_session, copy_binary, signals_load

    # The rebuilt ml-1m ratings file has 35 ratings of films missing from movies.dat
    # (its PROVENANCE.txt explains why): skip them rather than stop.
    clock(
        "import_movielens ml-1m",
        lambda: call_command(
            "import_movielens",
            str(DATA / "ml-1m"),
            skip_unknown_movies=True,
            no_progress=True,
            stdout=io.StringIO(),
        ),
    )
    rng = np.random.default_rng(args.seed)
    now = time.time()

    def history() -> dict:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT profile_id, title_id, (stars * 2)::int FROM recommendations_rating"
                " ORDER BY profile_id, title_id"
            )
            rated = np.array(cursor.fetchall(), dtype=np.int64)
            cursor.execute("SELECT id FROM catalog_title ORDER BY id")
            titles = np.array([row[0] for row in cursor.fetchall()], dtype=np.int64)
        profiles = np.unique(rated[:, 0])
        n_rated = len(rated)
        # Every rating was a finished viewing, over the last four years; a few this week.
        days = 30 + np.minimum(rng.exponential(400, n_rated), 1400)
        recent = rng.random(n_rated)
        days[recent < 0.03] = rng.uniform(0, 7, int((recent < 0.03).sum()))
        days[recent < 0.005] = rng.uniform(0, 1, int((recent < 0.005).sum()))
        times = np.ones(n_rated, dtype=np.int64)
        times[(rated[:, 2] >= 8) & (rng.random(n_rated) < 0.05)] = 2

        # Unrated titles: in progress for 40% of the profiles (1-4 each), finished this
        # week for 15% (1-3), on My List for 20% (1-5); drawn by popularity.
        counts = np.bincount(np.searchsorted(titles, rated[:, 1]), minlength=titles.size)
        cumulative = np.cumsum(counts + 1.0)

        def unrated(share: float, most: int) -> tuple[np.ndarray, np.ndarray]:
            who = profiles[rng.random(profiles.size) < share]
            who = np.repeat(who, rng.integers(1, most + 1, who.size))
            what = titles[np.searchsorted(cumulative, rng.random(who.size) * cumulative[-1])]
            return who, what

        taken = rated[:, 0] * 1_000_000 + rated[:, 1]
        parts = {name: unrated(*spec) for name, spec in {
            "progress": (0.4, 4), "finished": (0.15, 3), "list": (0.2, 5)
        }.items()}  # fmt: skip
        kept = {}
        for name, (who, what) in parts.items():
            keys, first = np.unique(who * 1_000_000 + what, return_index=True)
            fresh = ~np.isin(keys, taken)
            kept[name] = (who[first][fresh], what[first][fresh])
            taken = np.concatenate([taken, keys[fresh]])
        p_who, p_what = kept["progress"]
        f_who, f_what = kept["finished"]
        n_p, n_f = p_who.size, f_who.size
        percent = np.concatenate(
            [np.full(n_rated, 100.0), rng.uniform(5, 90, n_p), np.full(n_f, 100.0)]
        )
        watched_days = np.concatenate([days, rng.uniform(0, 20, n_p), rng.uniform(0, 7, n_f)])
        with bulk_session(connection) as cursor:
            signals_load(
                cursor,
                profile_ids=np.concatenate([rated[:, 0], p_who, f_who]),
                title_ids=np.concatenate([rated[:, 1], p_what, f_what]),
                # MovieLens has no runtimes; the player assumes the default for such titles.
                runtime_minutes=np.full(n_rated + n_p + n_f, 100),
                percent=percent,
                completed=percent >= 100,
                times=np.concatenate([times, np.zeros(n_p, np.int64), np.ones(n_f, np.int64)]),
                watched_at=now - watched_days * DAY,
                rated=np.zeros(n_rated + n_p + n_f, dtype=bool),
                half_stars=np.zeros(n_rated + n_p + n_f, dtype=np.int64),
            )
            l_who, l_what = kept["list"]
            copy_binary(
                cursor,
                "recommendations_listitem",
                [
                    ("profile_id", "int8", l_who),
                    ("title_id", "int8", l_what),
                    ("added_at", "timestamptz", now - rng.uniform(0, 200, l_who.size) * DAY),
                ],
                l_who.size,
            )
        # As their first visit would (needs_onboarding stamps profiles that have signals).
        Profile.objects.update(onboarded_at=timezone.now())
        return {
            "progress_rows": n_rated + n_p + n_f,
            "in_progress": n_p,
            "finished_unrated": n_f,
            "list_items": l_who.size,
        }

    extra = clock("invented viewing history (COPY)", history)
    _new_profiles()
    return extra


def _setup_synthetic(args: argparse.Namespace, clock: _Clock) -> dict:
    from django.db import connection

    from bench.synthetic import world_build, world_load

    world = clock(
        "generate (numpy)",
        lambda: world_build(scale=args.scale, seed=args.seed, now=time.time()),
    )
    ids = clock("write (COPY, indexes rebuilt)", lambda: world_load(world, connection))
    return {
        "world": world,
        "ids": ids,
        "progress_rows": int(world.w_profile.size),
        "ratings_generated": world.n_ratings,
        "list_items": int(world.l_profile.size),
    }


def _train_ml1m() -> None:
    from recommendations import engine
    from recommendations.models import ModelVersion

    version = engine.model_train()
    assert version is not None, "another training holds the lock"
    if version.status == ModelVersion.Status.READY:
        print(f"  the gate held it back ({version.gate_reason}); activating it anyway")
        engine.version_activate(version=version)
    elif version.status != ModelVersion.Status.ACTIVE:
        raise SystemExit(f"Training failed: {version.error}")
    ours = version.metrics["ranking"]["ours"]
    weights = version.metrics["blend_weights"]
    print(f"  model {version.pk}: NDCG@10 {ours['ndcg']:.4f}, blend weights {weights}")


def _train_synthetic(args: argparse.Namespace, extra: dict) -> None:
    from django.conf import settings
    from django.core.files.storage import storages
    from django.utils import timezone

    from bench.synthetic import training_data
    from recommendations import engine
    from recommendations.activity import activities_read
    from recommendations.core import signals as core_signals
    from recommendations.core import train as core_train
    from recommendations.models import ModelVersion

    world, ids = extra.pop("world"), extra.pop("ids")
    data = training_data(
        world,
        ids,
        abandoned_after_days=settings.MARQUEE_ABANDONED_AFTER_DAYS,
        abandoned_below_percent=100 * settings.MARQUEE_ABANDONED_BELOW,
    )
    del world
    # The numpy derivation must agree with the engine's own for the same rows.
    sample = random.Random(args.seed).sample(list(ids.profiles), 30)
    for activity in activities_read(profile_ids=sample):
        feedback = activity.feedback
        expected = core_signals.derive_signals(feedback)
        user = int(np.searchsorted(data.user_ids, feedback.profile))
        for part, items, values in (
            (data.explicit, expected.rated_items, expected.ratings),
            (data.implicit, expected.interacted_items, expected.weights),
        ):
            mine = part.user == user
            got = data.item_ids[part.item[mine]]
            order = np.argsort(got)
            assert np.array_equal(got[order], items), f"profile {feedback.profile}: items differ"
            assert np.allclose(part.value[mine][order], values), f"profile {feedback.profile}"
    print("  signal derivation matches derive_signals() for 30 profiles")
    ranker = engine.default_ranker(n_items=data.n_items)
    model = core_train.train(data, svd=core_train.SVDParams(random_state=0), ranker=ranker)
    print(f"  trained {ranker.kind}: {model.timings} s; counts {model.counts}")
    # Not searched on this data (that needs the evaluation protocol): the ml-1m PureSVD
    # blend of docs/benchmarks.md, which also exercises the rating term.
    metrics = {"blend_weights": {"ranking": 1.0, "rating": 1.0, "popularity": 0.0}}
    version = ModelVersion.objects.create(
        status=ModelVersion.Status.READY,
        params=dict(model.params),
        data_counts=dict(model.counts),
        metrics=metrics,
        timings=dict(model.timings),
        trained_at=timezone.now(),
    )
    version.artifact, version.artifact_sha256 = engine.artifact_store(
        version=version, model=model, metrics=metrics
    )
    version.save()
    engine.version_activate(version=version)
    extra["artifact_mib"] = round(storages["private"].size(version.artifact) / 2**20, 1)
