"""Benchmark: the personalised home page (issue 5), on ml-1m and on a synthetic catalogue.

    .venv/bin/python bench/home.py                                # both datasets
    .venv/bin/python bench/home.py --only ml-1m
    .venv/bin/python bench/home.py --only synthetic               # 50k titles, 100k profiles
    .venv/bin/python bench/home.py --only synthetic --scale 0.1   # 5k titles, 10k profiles
    .venv/bin/python bench/home.py --only ml-1m --keep            # keep the database, then
    .venv/bin/python bench/home.py --only ml-1m --reuse --keep    # measure it again as it is
    .venv/bin/python bench/home.py --redis    # plans in Redis (db 11, emptied afterwards)
    .venv/bin/python bench/home.py --database-prefix marquee_me   # databases of your own

Each dataset gets its own PostgreSQL database on 127.0.0.1 (user postgres),
`marquee_bench_home_ml1m` or `marquee_bench_home_synth` (`--database-prefix` replaces
`marquee_bench_home`), and its own MEDIA/var folder in the temp directory; the script
creates them and drops them afterwards unless `--keep`.
Two processes per dataset, both with `config.settings.test` (DEBUG off, local-memory cache
unless `--redis`):

- setup: migrate; ml-1m is `import_movielens --skip-unknown-movies` plus invented viewing
  (a finished viewing per rating, spread over four years, some recent; unrated titles in
  progress or recently finished; a few My List entries); the synthetic world is generated
  by `bench/synthetic.py` and written by `bench/synthetic_load.py`. Then `VACUUM ANALYZE`,
  `trending_refresh()` and a model: `engine.model_train()` on ml-1m (evaluation and gate
  included), on the synthetic set `core.train.train` on training data derived in numpy
  (`bench/synthetic_training.py`, checked against `derive_signals` for 30 profiles), saved
  and activated like `model_train` does.
- measure, with `OPENBLAS_NUM_THREADS=1` as README recommends for web processes: the
  one-off costs (model load, catalogue arrays), then for a sample of profiles with history
  and the few new ones without signals, through Django's test client in this warm process:
  the home page and every lazy row fragment with a cold plan (the profile's stamp moved
  first, as a click does) and again with a warm plan; each row fragment alone; the rating
  widget a card fetches when hovered; a 5-star
  rating of the first top pick, sent with the headers htmx sends from the home page (so
  the view builds the new plan in that response), followed by the top-picks fragment,
  which must no longer show it; cProfile of plan builds and of warm fragments; and the
  rows' markup alone: the rows of 20 warm pages drawn again from cards already loaded
  (`catalog/home.html#row`, no query), per row and per card, in CPU time.
  Times are `perf_counter` around `client.get`/`client.post` (the whole Django stack,
  in-process: server time); queries are counted with `CaptureQueriesContext`; CPU is this
  process's `process_time` (PostgreSQL's own work is not in it).

With the test settings Celery would run a task inside the request that asks for it; a
web process only enqueues it (a rebuild of the catalogue arrays once they are stale), so
the measure step turns eager mode off: the task goes to an in-memory broker nobody reads
and the arrays already loaded keep serving, as between two rebuilds by the worker.

The steps live beside this script: bench/home_setup.py, bench/home_measure.py and the
report's bench/home_report.py.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import postgres  # noqa: E402  (after the path: run as a script)
from bench.home_measure import measure  # noqa: E402
from bench.home_setup import setup  # noqa: E402

DATABASE_SUFFIXES = {"ml-1m": "ml1m", "synthetic": "synth"}
REDIS_URL = "redis://127.0.0.1:6379/11"


def _database(dataset: str, args: argparse.Namespace) -> str:
    return f"{args.database_prefix}_{DATABASE_SUFFIXES[dataset]}"


def _scratch(database: str) -> Path:
    return Path(tempfile.gettempdir()) / database


def _child(
    dataset: str, step: str, args: argparse.Namespace, env: dict[str, str], *extra: str
) -> None:
    command = [sys.executable, __file__, "--only", dataset, "--step", step, *extra]
    command += ["--scale", str(args.scale), "--seed", str(args.seed)]
    command += ["--profiles", str(args.profiles), "--ratings", str(args.ratings)]
    if args.redis:
        command.append("--redis")
    subprocess.run(command, cwd=ROOT, env=env, check=True)


def _dataset(dataset: str, args: argparse.Namespace) -> None:
    database = _database(dataset, args)
    scratch = _scratch(database)
    env = {
        **os.environ,
        "DATABASE_URL": postgres.database_url(database),
        "MARQUEE_VAR_DIR": str(scratch),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    env.pop("REDIS_CACHE_URL", None)
    if args.redis:
        env["REDIS_CACHE_URL"] = REDIS_URL
    info = scratch / "dataset.json"
    reuse = args.reuse and postgres.database_exists(database) and info.exists()
    if reuse and json.loads(info.read_text()).get("scale") != args.scale:
        raise SystemExit(f"{database} was built with another --scale: run without --reuse.")
    try:
        if not reuse:
            postgres.pg("dropdb", "--if-exists", database)
            shutil.rmtree(scratch, ignore_errors=True)
            postgres.pg("createdb", database)
            _child(dataset, "setup", args, env)
        # Web processes run single-threaded BLAS (README); set before numpy loads.
        _child(dataset, "measure", args, {**env, "OPENBLAS_NUM_THREADS": "1"})
        if args.redis:
            import redis

            redis.Redis.from_url(REDIS_URL).flushdb()  # the bench's own database number
    finally:
        if not args.keep:
            postgres.pg("dropdb", "--if-exists", database)
            shutil.rmtree(scratch, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=list(DATABASE_SUFFIXES))
    parser.add_argument("--scale", type=float, default=1.0, help="synthetic size, 1 = 50k titles")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profiles", type=int, default=200, help="profiles with history")
    parser.add_argument("--ratings", type=int, default=50, help="profiles that rate a top pick")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--reuse", action="store_true", help="measure a kept database again")
    parser.add_argument("--redis", action="store_true", help=f"cache in {REDIS_URL}")
    parser.add_argument(
        "--database-prefix",
        default="marquee_bench_home",
        help="databases <prefix>_ml1m and <prefix>_synth",
    )
    parser.add_argument("--step", choices=["setup", "measure"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step == "setup":
        setup(args)
    elif args.step == "measure":
        measure(args)
    else:
        for dataset in [args.only] if args.only else list(DATABASE_SUFFIXES):
            _dataset(dataset, args)


if __name__ == "__main__":
    main()
