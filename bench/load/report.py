"""The load test's results: the acknowledged writes looked up in the database, gunicorn's
access log and locust's CSV files, and the report (steps 5 and 6 of bench/load/run.py).

`acks_count` runs in a child process with Django set up (production settings).
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from bench.figures import percentile
from bench.home_report import row_kind
from bench.load.cpu import cpu_text
from bench.load.prepare import ROOT, SCRATCH
from bench.load.serve import workers_text


def acks_count(acks_file: Path, out: Path) -> None:
    """Look up every acknowledged rating and heartbeat; write the counts."""
    from decimal import Decimal

    import django

    django.setup()
    from recommendations.models import Rating, WatchEvent

    acks = json.loads(acks_file.read_text())
    # A profile may rate a title twice: its last acknowledged stars must be there, or
    # stars sent after those whose answer never came (in flight when locust stopped).
    expected = {}
    allowed: dict[tuple[int, str], set[Decimal]] = {}
    last_ack: dict[tuple[int, str], int] = {}
    for profile, slug, stars, number in sorted(acks["ratings"], key=lambda ack: ack[3]):
        expected[(profile, slug)] = Decimal(stars)
        allowed[(profile, slug)] = {Decimal(stars)}
        last_ack[(profile, slug)] = number
    for number, profile, slug, stars in acks["sent"]:
        if number > last_ack.get((profile, slug), number):
            allowed[(profile, slug)].add(Decimal(stars))
    found = {}
    profiles = {profile for profile, _slug in expected}
    for profile, slug, stars in Rating.objects.filter(
        profile_id__in=profiles, title__slug__in={slug for _p, slug in expected}
    ).values_list("profile_id", "title__slug", "stars"):
        found[(profile, slug)] = stars
    ratings_ok = sum(found.get(key) in stars for key, stars in allowed.items())
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


def report(
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
        f"({locust_seconds:.0f} s with ramp-up and stop), gunicorn {workers_text(args)}, "
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
    lines += ["", cpu_text(cpu, locust_seconds)]
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
