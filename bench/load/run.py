"""Load test (issue 14): gunicorn with production settings, PostgreSQL, Redis and one Celery
worker on this machine, ml-1m data, N viewers browsing, searching, rating and sending
player heartbeats (bench/load/locustfile.py). bench/load/README.md says what it measures.

    make bench-deps                                        # locust, once
    .venv/bin/python bench/load/run.py --keep              # setup (~4 min), 200 viewers, 5 min
    .venv/bin/python bench/load/run.py --reuse --keep -u 20 -t 30s   # a short run on it again

Steps, each printed as it runs:

1. The database `marquee_load` (and its var folder /tmp/marquee_load): with `--reuse` the
   kept one, else built by bench/home.py's ml-1m setup (import_movielens, invented viewing
   history, `model_train`), so this benchmark and the home-page one share their data.
2. With the production settings: migrate, collectstatic, and the viewers: random profiles
   with history (seed 0), each given a session (profile chosen), a CSRF secret and an API
   token, written in the database directly: no sign-ins, whose slow password hash would be
   the test. Redis databases 5 (cache) and 6 (broker) are emptied first.
3. gunicorn (`config.wsgi`, `--workers 3` sync workers as README's production example;
   `--threads N` for gthread) and `celery worker --concurrency 1`, both with
   `OPENBLAS_NUM_THREADS=1` (README), then a warm-up request per worker slot.
4. locust headless; the load average just before is recorded, and the CPU time of
   gunicorn, Celery, PostgreSQL, Redis, locust and the whole machine meanwhile.
5. The broker is given a minute to drain (the refreshes the ratings queued), then everything
   started is stopped, and every acknowledged rating (its last stars per profile and title)
   and heartbeat (its client_event_id) is looked up in the database.
6. The report: per endpoint requests/s, p50/p95/p99 and failures from locust (client side,
   queueing in gunicorn's backlog included) and p50/p95 from gunicorn's access log (the
   worker's own time), where the CPU went, printed and written to
   /tmp/marquee_load/report.md.

The database is dropped at the end unless `--keep`.

The steps live beside this script: bench/load/prepare.py (1, 2), bench/load/serve.py (3, 5),
bench/load/cpu.py (the CPU in 4) and bench/load/report.py (the counts in 5, and 6).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from bench import postgres  # noqa: E402  (after the path: run as a script)
from bench.load.cpu import cpu_snapshot, cpu_used  # noqa: E402
from bench.load.prepare import (  # noqa: E402
    DATABASE,
    SCRATCH,
    database_build,
    database_drop,
    environment,
    manage,
    redis_flush,
    viewers_make,
)
from bench.load.report import acks_count, report  # noqa: E402
from bench.load.serve import (  # noqa: E402
    VENV,
    broker_drain,
    celery_start,
    gunicorn_start,
    stop,
    wait_for,
    warm_up,
    workers_text,
)


def _step(title: str) -> None:
    print(f"\n== {title} [{datetime.now(UTC):%H:%M:%S} UTC]", flush=True)


def _child(step: str, env: dict[str, str], *extra: str) -> None:
    subprocess.run(
        [sys.executable, __file__, "--step", step, *extra], cwd=ROOT, env=env, check=True
    )


def run(args: argparse.Namespace) -> None:
    reuse = (
        args.reuse and postgres.database_exists(DATABASE) and (SCRATCH / "dataset.json").exists()
    )
    started: list[tuple[subprocess.Popen, str]] = []
    try:
        if not reuse:
            _step(f"1. {DATABASE}: ml-1m through bench/home.py's setup (~4 min)")
            database_build()
        else:
            _step(f"1. {DATABASE}: reused")
        env = environment(production=True)
        _step("2. production settings: migrate, collectstatic, viewers")
        redis_flush()
        manage("migrate", "--noinput", "-v0", env=env)
        manage("collectstatic", "--noinput", "-v0", env=env)
        viewers = SCRATCH / "viewers.json"
        _child("viewers", env, "--viewers", str(args.users), "--out", str(viewers))

        _step(f"3. gunicorn ({workers_text(args)}) and one Celery worker")
        access = SCRATCH / "access.log"
        access.unlink(missing_ok=True)
        logs = {name: (SCRATCH / f"{name}.log").open("w") for name in ("gunicorn", "celery")}
        host = f"http://127.0.0.1:{args.port}"
        gunicorn = gunicorn_start(args, env=env, access=access, log=logs["gunicorn"])
        started.append((gunicorn, "gunicorn"))
        celery = celery_start(env=env, log=logs["celery"])
        started.append((celery, "celery"))
        wait_for(f"{host}/search/?q=warm", 120)
        warm_up(host, viewers, args.workers)
        time.sleep(1)  # gunicorn writes its access log line after the answer
        warm_up_lines = len(access.read_text().splitlines())

        _step(f"4. locust: {args.users} viewers, {args.spawn_rate}/s, {args.time}")
        before = os.getloadavg()
        print(f"  load average before: {' '.join(f'{x:.2f}' for x in before)}", flush=True)
        services = {"gunicorn": gunicorn.pid, "celery": celery.pid}
        cpu_before = cpu_snapshot(services)
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        acks = SCRATCH / "acks.json"
        acks.unlink(missing_ok=True)
        locust_started = time.monotonic()
        locust = subprocess.Popen(
            [
                str(VENV / "locust"), "-f", str(ROOT / "bench/load/locustfile.py"),
                "--headless", "-u", str(args.users), "-r", str(args.spawn_rate),
                "-t", args.time, "--host", host, "--csv", str(SCRATCH / "locust"),
                "--only-summary", "--loglevel", "WARNING",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "MARQUEE_LOAD_VIEWERS": str(viewers),
                "MARQUEE_LOAD_ACKS": str(acks),
            },
        )  # fmt: skip
        started.append((locust, "locust"))
        locust.wait()
        locust_seconds = time.monotonic() - locust_started
        after = os.getloadavg()
        cpu = cpu_used(cpu_before, cpu_snapshot(services))
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu["locust"] = (children_after.ru_utime + children_after.ru_stime) - (
            children_before.ru_utime + children_before.ru_stime
        )

        _step("5. drain the broker, stop everything, count")
        left = broker_drain(60)
        print(f"  tasks left in the broker after up to 60 s: {left}", flush=True)
        for process, name in reversed(started):
            stop(process, name)
        for handle in logs.values():
            handle.close()
        counts_file = SCRATCH / "counts.json"
        _child("count", env, "--acks", str(acks), "--out", str(counts_file))
        counts = json.loads(counts_file.read_text())

        _step("6. report")
        text = report(
            args,
            counts=counts,
            load=(before, after),
            broker_left=left,
            locust_seconds=locust_seconds,
            cpu=cpu,
            access=access,
            warm_up_lines=warm_up_lines,
        )
        (SCRATCH / "report.md").write_text(text)
        print("\n" + text, flush=True)
        print(f"(written to {SCRATCH / 'report.md'})")
    finally:
        for process, name in reversed(started):
            stop(process, name)
        redis_flush()
        if not args.keep:
            database_drop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-u", "--users", type=int, default=200, help="viewers")
    parser.add_argument(
        "-r", "--spawn-rate", type=float, default=20, help="viewers started a second"
    )
    parser.add_argument("-t", "--time", default="5m", help="locust's --run-time")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per gunicorn worker (gthread when > 1)"
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--reuse", action="store_true", help=f"reuse a kept {DATABASE}")
    parser.add_argument("--keep", action="store_true", help=f"keep {DATABASE} afterwards")
    parser.add_argument("--step", choices=["viewers", "count"], help=argparse.SUPPRESS)
    parser.add_argument("--viewers", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--acks", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step == "viewers":
        viewers_make(args.viewers, args.out)
    elif args.step == "count":
        acks_count(args.acks, args.out)
    else:
        run(args)


if __name__ == "__main__":
    main()
