"""The servers under load: gunicorn and one Celery worker, started, warmed up, drained, stopped.

Steps 3 and 5 of bench/load/run.py.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import IO

from bench.load.prepare import BROKER_URL, ROOT

VENV = ROOT / ".venv" / "bin"
# gunicorn's own time per request, in milliseconds (%(M)s), with the path without query.
ACCESS_FORMAT = "%(m)s %(U)s %(s)s %(M)s"


def workers_text(args: argparse.Namespace) -> str:
    if args.threads > 1:
        return f"--workers {args.workers} --threads {args.threads}"
    return f"--workers {args.workers}"


def gunicorn_start(
    args: argparse.Namespace, *, env: dict[str, str], access: Path, log: IO[str]
) -> subprocess.Popen:
    """`config.wsgi` on `args.port` with `args.workers` (and `args.threads`), its access log
    in `access`."""
    return subprocess.Popen(
        [
            str(VENV / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            *(["--threads", str(args.threads)] if args.threads > 1 else []),
            "--access-logfile",
            str(access),
            "--access-logformat",
            ACCESS_FORMAT,
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def celery_start(*, env: dict[str, str], log: IO[str]) -> subprocess.Popen:
    """One worker, one process; no beat (periodic tasks are not part of this load)."""
    return subprocess.Popen(
        [str(VENV / "celery"), "-A", "config", "worker", "--concurrency", "1",
         "--loglevel", "INFO", "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip


def wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            # A worker's first request imports and loads everything: on a busy machine
            # that alone has taken over ten seconds.
            with urllib.request.urlopen(url, timeout=seconds) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.5)


def warm_up(host: str, viewers: Path, workers: int) -> None:
    """Each worker loads the model and the catalogue arrays on its first viewer request."""
    from concurrent.futures import ThreadPoolExecutor

    cookies = [f"sessionid={viewer['session']}" for viewer in json.loads(viewers.read_text())]

    def visit(cookie: str) -> None:
        request = urllib.request.Request(f"{host}/", headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 200, response.status

    # Concurrent, so that every worker gets some: one at a time would go to one of them.
    with ThreadPoolExecutor(2 * workers) as pool:
        list(pool.map(visit, cookies[: 4 * workers]))


def broker_drain(seconds: float) -> int:
    """Wait up to `seconds` for the worker to empty the queue; return the tasks left."""
    import redis

    broker = redis.Redis.from_url(BROKER_URL)
    deadline = time.monotonic() + seconds
    while (left := broker.llen("celery")) and time.monotonic() < deadline:
        time.sleep(1)
    return left


def stop(process: subprocess.Popen, name: str) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # graceful: gunicorn and celery finish what they hold
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        print(f"  {name} did not stop in 60 s: killed", flush=True)
        process.kill()
        process.wait()
