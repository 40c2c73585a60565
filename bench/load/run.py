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
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import secrets
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from bench import postgres  # noqa: E402  (after the path: run as a script)
from bench.figures import percentile  # noqa: E402
from bench.home_report import row_kind  # noqa: E402

DATABASE = "marquee_load"
SCRATCH = Path("/tmp") / DATABASE
CACHE_URL = "redis://127.0.0.1:6379/5"
BROKER_URL = "redis://127.0.0.1:6379/6"
VENV = ROOT / ".venv" / "bin"
# gunicorn's own time per request, in milliseconds (%(M)s), with the path without query.
ACCESS_FORMAT = "%(m)s %(U)s %(s)s %(M)s"


def _env(*, production: bool) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        "MARQUEE_VAR_DIR": str(SCRATCH),
        "OPENBLAS_NUM_THREADS": "1",
    }
    for name in ("REDIS_CACHE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        env.pop(name, None)
    if not production:
        return {**env, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    # One key per database: the sessions made in step 2 are signed with it.
    key_file = SCRATCH / "secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(60))
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": key_file.read_text().strip(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on the loopback: no TLS in front of it here.
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "REDIS_CACHE_URL": CACHE_URL,
        "CELERY_BROKER_URL": BROKER_URL,
        "LOG_LEVEL": "WARNING",
    }


def _step(title: str) -> None:
    print(f"\n== {title} [{datetime.now(UTC):%H:%M:%S} UTC]", flush=True)


def _manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def _child(step: str, env: dict[str, str], *extra: str) -> None:
    subprocess.run(
        [sys.executable, __file__, "--step", step, *extra], cwd=ROOT, env=env, check=True
    )


def _redis_flush() -> None:
    import redis

    for url in (CACHE_URL, BROKER_URL):
        redis.Redis.from_url(url).flushdb()  # this benchmark's own database numbers


def _wait_for(url: str, seconds: float) -> None:
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


def _stop(process: subprocess.Popen, name: str) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # graceful: gunicorn and celery finish what they hold
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        print(f"  {name} did not stop in 60 s: killed", flush=True)
        process.kill()
        process.wait()


def _broker_drain(seconds: float) -> int:
    import redis

    broker = redis.Redis.from_url(BROKER_URL)
    deadline = time.monotonic() + seconds
    while (left := broker.llen("celery")) and time.monotonic() < deadline:
        time.sleep(1)
    return left


# --------------------------------------------------------------------------------------
# The whole run
# --------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> None:
    reuse = (
        args.reuse and postgres.database_exists(DATABASE) and (SCRATCH / "dataset.json").exists()
    )
    started: list[tuple[subprocess.Popen, str]] = []
    try:
        if not reuse:
            _step(f"1. {DATABASE}: ml-1m through bench/home.py's setup (~4 min)")
            postgres.pg("dropdb", "--if-exists", DATABASE)
            for stale in SCRATCH.glob("*") if SCRATCH.exists() else []:
                subprocess.run(["rm", "-rf", str(stale)], check=True)
            SCRATCH.mkdir(exist_ok=True)
            postgres.pg("createdb", DATABASE)
            subprocess.run(
                [sys.executable, "bench/home.py", "--only", "ml-1m", "--step", "setup"],
                cwd=ROOT,
                env=_env(production=False),
                check=True,
            )
        else:
            _step(f"1. {DATABASE}: reused")
        env = _env(production=True)
        _step("2. production settings: migrate, collectstatic, viewers")
        _redis_flush()
        _manage("migrate", "--noinput", "-v0", env=env)
        _manage("collectstatic", "--noinput", "-v0", env=env)
        viewers = SCRATCH / "viewers.json"
        _child("viewers", env, "--viewers", str(args.users), "--out", str(viewers))

        _step(f"3. gunicorn ({_workers_text(args)}) and one Celery worker")
        access = SCRATCH / "access.log"
        access.unlink(missing_ok=True)
        logs = {name: (SCRATCH / f"{name}.log").open("w") for name in ("gunicorn", "celery")}
        host = f"http://127.0.0.1:{args.port}"
        gunicorn = subprocess.Popen(
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
            stdout=logs["gunicorn"],
            stderr=subprocess.STDOUT,
        )
        started.append((gunicorn, "gunicorn"))
        celery = subprocess.Popen(
            [str(VENV / "celery"), "-A", "config", "worker", "--concurrency", "1",
             "--loglevel", "INFO", "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=ROOT,
            env=env,
            stdout=logs["celery"],
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        started.append((celery, "celery"))
        _wait_for(f"{host}/search/?q=warm", 120)
        _warm_up(host, viewers, args.workers)
        time.sleep(1)  # gunicorn writes its access log line after the answer
        warm_up_lines = len(access.read_text().splitlines())

        _step(f"4. locust: {args.users} viewers, {args.spawn_rate}/s, {args.time}")
        before = os.getloadavg()
        print(f"  load average before: {' '.join(f'{x:.2f}' for x in before)}", flush=True)
        services = {"gunicorn": gunicorn.pid, "celery": celery.pid}
        cpu_before = _cpu_snapshot(services)
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
        cpu = _cpu_used(cpu_before, _cpu_snapshot(services))
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu["locust"] = (children_after.ru_utime + children_after.ru_stime) - (
            children_before.ru_utime + children_before.ru_stime
        )

        _step("5. drain the broker, stop everything, count")
        left = _broker_drain(60)
        print(f"  tasks left in the broker after up to 60 s: {left}", flush=True)
        for process, name in reversed(started):
            _stop(process, name)
        for handle in logs.values():
            handle.close()
        counts_file = SCRATCH / "counts.json"
        _child("count", env, "--acks", str(acks), "--out", str(counts_file))
        counts = json.loads(counts_file.read_text())

        _step("6. report")
        report = _report(
            args,
            counts=counts,
            load=(before, after),
            broker_left=left,
            locust_seconds=locust_seconds,
            cpu=cpu,
            access=access,
            warm_up_lines=warm_up_lines,
        )
        (SCRATCH / "report.md").write_text(report)
        print("\n" + report, flush=True)
        print(f"(written to {SCRATCH / 'report.md'})")
    finally:
        for process, name in reversed(started):
            _stop(process, name)
        _redis_flush()
        if not args.keep:
            postgres.pg("dropdb", "--if-exists", DATABASE)
            subprocess.run(["rm", "-rf", str(SCRATCH)], check=True)


def _warm_up(host: str, viewers: Path, workers: int) -> None:
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


# --------------------------------------------------------------------------------------
# Steps run in a child process with Django set up (production settings)
# --------------------------------------------------------------------------------------


def viewers_make(count: int, out: Path) -> None:
    """`count` random profiles with history, each with a session, CSRF secret and token."""
    import random
    from importlib import import_module

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY
    from django.contrib.auth import SESSION_KEY as USER_SESSION_KEY
    from django.utils.crypto import get_random_string
    from rest_framework.authtoken.models import Token

    from accounts.models import Profile
    from accounts.services import SESSION_KEY as PROFILE_SESSION_KEY
    from recommendations.models import Rating

    with_history = sorted(set(Rating.objects.values_list("profile_id", flat=True).distinct()))
    chosen = random.Random(0).sample(with_history, count)
    store = import_module(settings.SESSION_ENGINE).SessionStore
    viewers = []
    for profile in Profile.objects.filter(pk__in=chosen).select_related("account"):
        session = store()
        session[USER_SESSION_KEY] = str(profile.account.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = profile.account.get_session_auth_hash()
        session[PROFILE_SESSION_KEY] = profile.pk
        session.create()
        token, _created = Token.objects.get_or_create(user=profile.account)
        viewers.append(
            {
                "profile": profile.pk,
                "session": session.session_key,
                "csrf": get_random_string(32),  # a CSRF secret: the cookie and header both
                "token": token.key,
            }
        )
    out.write_text(json.dumps(viewers))
    print(f"  {len(viewers)} viewers: sessions and tokens made", flush=True)


def acks_count(acks_file: Path, out: Path) -> None:
    """Look up every acknowledged rating and heartbeat; write the counts."""
    from decimal import Decimal

    import django

    django.setup()
    from recommendations.models import Rating, WatchEvent

    acks = json.loads(acks_file.read_text())
    # A profile may rate a title twice: its last acknowledged stars must be there.
    expected = {(profile, slug): Decimal(stars) for profile, slug, stars in acks["ratings"]}
    found = {}
    profiles = {profile for profile, _slug in expected}
    for profile, slug, stars in Rating.objects.filter(
        profile_id__in=profiles, title__slug__in={slug for _p, slug in expected}
    ).values_list("profile_id", "title__slug", "stars"):
        found[(profile, slug)] = stars
    ratings_ok = sum(found.get(key) == stars for key, stars in expected.items())
    beats = {(profile, event) for profile, event in acks["heartbeats"]}
    beats_ok = 0
    ids = sorted(event for _profile, event in beats)
    for start in range(0, len(ids), 2000):
        rows = WatchEvent.objects.filter(client_event_id__in=ids[start : start + 2000])
        beats_ok += sum(
            (profile, str(event)) in beats
            for profile, event in rows.values_list("profile_id", "client_event_id")
        )
    counts = {
        "ratings_acknowledged": len(acks["ratings"]),
        "ratings_distinct": len(expected),
        "ratings_found": ratings_ok,
        "heartbeats_acknowledged": len(beats),
        "heartbeats_found": beats_ok,
    }
    out.write_text(json.dumps(counts))
    print(f"  {counts}", flush=True)


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------


def _workers_text(args: argparse.Namespace) -> str:
    if args.threads > 1:
        return f"--workers {args.workers} --threads {args.threads}"
    return f"--workers {args.workers}"


# --------------------------------------------------------------------------------------
# Where the machine's CPU went while locust ran
# --------------------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, float, str]]:
    """Every process: its parent, CPU seconds so far (user and system, its own and its
    ended children's) and command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            raw = (entry / "cmdline").read_bytes()
        except OSError:
            continue  # ended meanwhile
        command = raw.replace(b"\0", b" ").decode("utf-8", "replace")
        # The command name in parentheses may hold spaces: fields count after its ")".
        fields = stat[stat.rindex(")") + 2 :].split()
        found[int(entry.name)] = (
            int(fields[1]),
            sum(int(x) for x in fields[11:15]) / CLOCK_TICKS,
            command,
        )
    return found


def _cpu_snapshot(services: dict[str, int]) -> dict[str, dict[int, float]]:
    """CPU seconds per process of each group: gunicorn and Celery with their children,
    PostgreSQL (see below), redis-server; and the whole machine's busy seconds."""
    processes = _processes()
    children: dict[int, list[int]] = defaultdict(list)
    for pid, (parent, _cpu, _command) in processes.items():
        children[parent].append(pid)

    def tree(root: int) -> list[int]:
        pids, todo = [], [root]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            todo += children.get(pid, [])
        return pids

    groups = {name: tree(pid) for name, pid in services.items()}
    # The whole server, every database: a backend ends with its connection (gunicorn's
    # after CONN_MAX_AGE), and only the server's main process keeps what ended children
    # used. Other databases (tests run meanwhile) are counted too.
    groups["PostgreSQL (every database)"] = [
        pid
        for root, (_p, _c, command) in processes.items()
        if " -D " in command and "postgres" in command.split(" -D ")[0]
        for pid in tree(root)
    ]
    groups["Redis"] = [
        pid for pid, (_p, _c, command) in processes.items() if command.startswith("redis-server")
    ]
    snapshot = {
        name: {pid: processes[pid][1] for pid in pids if pid in processes}
        for name, pids in groups.items()
    }
    jiffies = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = jiffies[3] + jiffies[4]  # idle and iowait
    snapshot["machine"] = {0: (sum(jiffies[:8]) - idle) / CLOCK_TICKS}
    return snapshot


def _cpu_used(
    before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]
) -> dict[str, float]:
    """CPU seconds each group used in between; a process that ended meanwhile is lost."""
    return {
        name: sum(seconds - before[name].get(pid, 0.0) for pid, seconds in after[name].items())
        for name in after
    }


def _cpu_text(cpu: dict[str, float], seconds: float) -> str:
    cores = os.cpu_count() or 1
    ours = {name: used for name, used in cpu.items() if name != "machine"}
    others = cpu["machine"] - sum(ours.values())
    parts = ", ".join(f"{name} {used / seconds:.2f}" for name, used in ours.items())
    return (
        f"CPU while locust ran, in cores (of {cores}): {parts}; everything else on the "
        f"machine {max(others, 0.0) / seconds:.2f}; the machine in all "
        f"{cpu['machine'] / seconds:.2f}."
    )


def _server_times(access: Path, *, skip: int) -> dict[str, list[float]]:
    """gunicorn's time per request after the first `skip` lines (the warm-up), grouped as
    the locustfile names its requests."""
    groups: dict[str, list[float]] = defaultdict(list)
    for line in access.read_text().splitlines()[skip:]:
        method, path, _status, ms = line.split()
        if path.startswith("/rows/"):
            name = "GET /rows/<key>/ (HTMX)"
        elif path.startswith("/api/v1/me/ratings/"):
            name = "PUT /api/v1/me/ratings/<slug>/"
        elif path.startswith("/titles/") and path.endswith("/rate/"):
            name = f"{method} /titles/<slug>/rate/ (HTMX{', hover' if method == 'GET' else ''})"
        elif path.startswith("/titles/"):
            name = "GET /titles/<slug>/"
        elif path.startswith("/search/"):
            name = "GET /search/?q= (HTMX)"
        else:
            name = f"{method} {path}"
        groups[name].append(float(ms))
        if path.startswith("/rows/"):
            groups[f"row `{row_kind(path.split('/')[2])}`"].append(float(ms))
    return groups


def _report(
    args: argparse.Namespace,
    *,
    counts: dict[str, int],
    load: tuple[tuple[float, ...], tuple[float, ...]],
    broker_left: int,
    locust_seconds: float,
    cpu: dict[str, float],
    access: Path,
    warm_up_lines: int,
) -> str:
    server = _server_times(access, skip=warm_up_lines)
    head = subprocess.run(
        ["git", "log", "-1", "--format=%h"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    lines = [
        f"{args.users} viewers (spawned {args.spawn_rate}/s) for {args.time} "
        f"({locust_seconds:.0f} s with ramp-up and stop), gunicorn {_workers_text(args)}, "
        f"one Celery worker, ml-1m; code at {head}; "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Load average (1, 5, 15 min) before: "
        f"{' / '.join(f'{x:.2f}' for x in load[0])}, "
        f"after: {' / '.join(f'{x:.2f}' for x in load[1])}.",
        "",
        "| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | failures "
        "| server p50 / p95 ms |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    with (SCRATCH / "locust_stats.csv").open() as handle:
        for row in csv.DictReader(handle):
            name = row["Name"]  # the locustfile's names start with the method
            times = server.get(name, [])
            if row["Name"] == "Aggregated":
                name = "**all**"
                times = [ms for group in server.values() for ms in group]
            served = (
                f"{statistics.median(times):.0f} / {percentile(times, 0.95):.0f}" if times else ""
            )
            lines.append(
                f"| {name} | {int(row['Request Count']):,} | {float(row['Requests/s']):.1f} "
                f"| {row['50%']} | {row['95%']} | {row['99%']} "
                f"| {float(row['Max Response Time']):.0f} "
                f"| {row['Failure Count']} | {served} |"
            )
    lines += ["", _cpu_text(cpu, locust_seconds)]
    kinds = sorted(name for name in server if name.startswith("row `"))
    lines += ["", "Row fragments by kind, gunicorn's own time:", ""]
    lines += ["| row | requests | p50 ms | p95 ms | max ms |", "| --- | --- | --- | --- | --- |"]
    for kind in kinds:
        times = server[kind]
        lines.append(
            f"| {kind} | {len(times):,} | {statistics.median(times):.0f} "
            f"| {percentile(times, 0.95):.0f} | {max(times):.0f} |"
        )
    lines += [
        "",
        f"Acknowledged ratings: {counts['ratings_acknowledged']:,} "
        f"({counts['ratings_distinct']:,} distinct profile and title), in the database with "
        f"their last stars: {counts['ratings_found']:,}. Acknowledged heartbeats: "
        f"{counts['heartbeats_acknowledged']:,}, in the database: {counts['heartbeats_found']:,}. "
        f"Tasks left in the broker a minute after the run: {broker_left}.",
    ]
    failures = SCRATCH / "locust_failures.csv"
    if failures.exists():
        with failures.open() as handle:
            rows = list(csv.DictReader(handle))
        if rows:
            lines += ["", "Failures:", ""]
            lines += [
                f"- {r['Method']} {r['Name']}: {r['Error']} × {r['Occurrences']}" for r in rows
            ]
    return "\n".join(lines) + "\n"


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
