"""Benchmark: time `manage.py import_movielens`, first run and re-run, on scratch databases.

    .venv/bin/python bench/import_movielens.py                 # both cases below
    .venv/bin/python bench/import_movielens.py --only postgres # ml-1m on PostgreSQL
    .venv/bin/python bench/import_movielens.py --only sqlite   # ml-100k on SQLite

ml-1m goes into the PostgreSQL database `marquee_ml1m` on 127.0.0.1 (user postgres), which
the script creates and drops; ml-100k into a SQLite file in a temp folder. Each import is
the whole command in a fresh process (Django start-up included), timed from outside, with
`--no-progress`. The data is read in place and never copied.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import postgres  # noqa: E402  (after the path: run as a script)

# The shared data sits next to the project: ../shared/data/movielens.
DATA = ROOT.parent / "shared" / "data" / "movielens"
PG_DATABASE = "marquee_ml1m"


def _manage(*args: str, env: dict[str, str]) -> tuple[float, float, str]:
    """Run manage.py; return its wall-clock seconds, peak memory in MiB and stdout."""
    started = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None
        output = process.stdout.read()
        # wait4 gives this child's own usage; ru_maxrss is in KiB on Linux.
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if process.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed ({process.returncode})")
    return seconds, usage.ru_maxrss / 1024, output.strip()


def _case(label: str, path: Path, database_url: str, extra: list[str]) -> None:
    # manage.py's own settings (config.settings.local), as someone importing would run it.
    env = {**os.environ, "DATABASE_URL": database_url}
    _manage("migrate", "--noinput", "-v0", env=env)
    print(f"\n### {label}\n")
    print("| run | wall s | peak RSS MiB | ratings added | ratings skipped |")
    print("| --- | --- | --- | --- | --- |")
    for run in ("first", "again"):
        seconds, peak, summary = _manage(
            "import_movielens", str(path), "--no-progress", *extra, env=env
        )
        counts = re.search(r"ratings ([\d,]+) added, ([\d,]+) skipped", summary)
        assert counts, summary
        print(f"| {run} | {seconds:.1f} | {peak:.0f} | {counts[1]} | {counts[2]} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["postgres", "sqlite"])
    parser.add_argument("--ml-1m", type=Path, default=DATA / "ml-1m")
    parser.add_argument("--ml-100k", type=Path, default=DATA / "ml-100k")
    args = parser.parse_args()

    if args.only in (None, "postgres"):
        postgres.pg("dropdb", "--if-exists", PG_DATABASE)
        postgres.pg("createdb", PG_DATABASE)
        try:
            # The rebuilt ml-1m ratings file has 35 ratings of films missing from movies.dat
            # (its PROVENANCE.txt explains why): skip them rather than stop.
            url = postgres.database_url(PG_DATABASE)
            _case("ml-1m on PostgreSQL", args.ml_1m, url, ["--skip-unknown-movies"])
        finally:
            postgres.pg("dropdb", PG_DATABASE)
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory(prefix="marquee-bench-") as scratch:
            _case("ml-100k on SQLite", args.ml_100k, f"sqlite:///{scratch}/ml100k.sqlite3", [])


if __name__ == "__main__":
    main()
