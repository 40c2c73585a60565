"""bench/home.py's figures and their report: what a request cost, tables, cProfile listings.

No Django here: bench/load/run.py groups its rows with `row_kind` too.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import subprocess
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from bench.figures import peak_mib, percentile, rss_mib

ROOT = Path(__file__).resolve().parent.parent
ROW_KINDS = ("because-", "like-", "popular-")
PLAN_LABEL = "`plan_build()` called directly"
REST_LABEL = "… the rest (names query, cards, evidence)"
RATE_LABEL = "rate 5★ from home (`POST /titles/<slug>/rate/`, HTMX): new plan built in it"
AFTER_LABEL = "top-picks fragment right after the rating"
MARKUP_LABEL = "row markup alone (`catalog/home.html#row`, cards loaded, no query), CPU"
MARKUP_REPEATS = 10


def part_label(name: str) -> str:
    return f"… `{name}`" + (" (inside `profile_context`)" if name == "activity_read" else "")


def row_kind(key: str) -> str:
    """Rows that come in series (`because-<slug>`, ...) grouped under one name."""
    return next((prefix + "*" for prefix in ROW_KINDS if key.startswith(prefix)), key)


class Hit(NamedTuple):
    """One request, or a sum of them: wall and CPU milliseconds, queries, bytes."""

    ms: float
    cpu: float  # this process only: PostgreSQL's own work is not in it
    queries: int
    size: int
    content: str = ""


def total(hits: list[Hit]) -> Hit:
    return Hit(
        *(sum(getattr(hit, part) for hit in hits) for part in ("ms", "cpu", "queries", "size"))
    )


class Results:
    def __init__(self) -> None:
        self.hits: dict[str, list[Hit]] = defaultdict(list)

    def add(self, label: str, hit: Hit) -> None:
        self.hits[label].append(hit._replace(content=""))  # pages would pile up in memory

    def time(self, label: str, ms: float) -> None:
        self.hits[label].append(Hit(ms, 0.0, -1, -1))

    def table(self, labels: list[str]) -> str:
        lines = [
            "| request | p50 ms | p95 ms | max ms | p50 CPU ms | p50 KiB | queries (max) | runs |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for label in labels:
            hits = self.hits.get(label)
            if not hits:
                continue
            ms = [hit.ms for hit in hits]
            timed_only = hits[0].queries < 0
            cpu = "" if timed_only else f"{statistics.median(hit.cpu for hit in hits):.1f}"
            size = "" if timed_only else f"{statistics.median(hit.size for hit in hits) / 1024:.0f}"
            queries = "" if timed_only else str(max(hit.queries for hit in hits))
            lines.append(
                f"| {label} | {statistics.median(ms):.1f} | {percentile(ms, 0.95):.1f} "
                f"| {max(ms):.1f} | {cpu} | {size} | {queries} | {len(ms)} |"
            )
        return "\n".join(lines)


@dataclass
class Measured:
    """What the measure step gathers, filled in as it goes."""

    one_off: dict[str, float] = field(default_factory=dict)
    # Seconds of each catalogue rebuild that happened inside a timed request.
    rebuilds: list[float] = field(default_factory=list)
    # RSS and peak RSS in MiB, by moment.
    memory: dict[str, tuple[float, float]] = field(default_factory=dict)
    results: Results = field(default_factory=Results)
    row_counts: list[int] = field(default_factory=list)
    # Per rating from home: the rated title was gone from top-picks in the next fragment.
    rating_checks: list[bool] = field(default_factory=list)
    card_us: list[float] = field(default_factory=list)
    plan_profiler: cProfile.Profile = field(default_factory=cProfile.Profile)
    fragment_profiler: cProfile.Profile = field(default_factory=cProfile.Profile)
    profiles: int = 0
    newcomers: int = 0
    seconds: float = 0.0


def _top_functions(profiler: cProfile.Profile, sort: str, limit: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(sort)
    stats.print_stats(limit)
    text = out.getvalue()
    return text[text.index("ncalls") :] if "ncalls" in text else text


def report(
    args: argparse.Namespace,
    *,
    info: dict,
    counts: dict[str, int],
    model: str,
    plan_parts: list[str],
    measured: Measured,
) -> None:
    """Print the report in Markdown: `info` is the setup's dataset.json, `counts` the
    database's rows, `model` a sentence on the model served, `plan_parts` the names of the
    plan build's steps timed one by one."""
    m = measured
    print(f"\n## {info['dataset']}" + (f" (scale {args.scale})" if args.only != "ml-1m" else ""))
    print("\n" + ", ".join(f"{name} {value:,}" for name, value in counts.items()) + ".")
    print(model)
    print("Setup: " + ", ".join(f"{k} {v:.1f} s" for k, v in info["setup_seconds"].items()))
    m.memory["at the end"] = (rss_mib(), peak_mib())
    print(
        f"Setup peak RSS {info['setup_peak_rss_mib']} MiB. Measuring process, RSS / peak: "
        + ", ".join(f"{when} {now:.0f} / {peak:.0f} MiB" for when, (now, peak) in m.memory.items())
        + "."
    )
    # Another engineer changes the app while this runs: say which code was measured.
    head = subprocess.run(
        ["git", "log", "-1", "--format=%h %s"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--short", "--", "recommendations", "catalog", "templates"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.split()[1::2]
    print(f"Code: {head}" + (f"; uncommitted changes in {', '.join(dirty)}" if dirty else ""))
    cache = "Redis" if os.environ.get("REDIS_CACHE_URL") else "local memory"
    print(
        f"{m.profiles} profiles with history (random, seed {args.seed}) and {m.newcomers} "
        f"new ones; {statistics.mean(m.row_counts):.1f} rows per page on average "
        f"(min {min(m.row_counts)}, max {max(m.row_counts)}); cache: {cache}; "
        f"measured in {m.seconds:.0f} s; OPENBLAS_NUM_THREADS="
        f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}; load average "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}."
    )
    print("\nOne-off per process:\n\n| step | seconds |\n| --- | --- |")
    for name, seconds in m.one_off.items():
        print(f"| {name} | {seconds:.2f} |")
    if m.rebuilds:
        print(
            f"\nThe catalogue was rebuilt {len(m.rebuilds)} time(s) inside timed requests "
            f"({', '.join(f'{s:.2f}' for s in m.rebuilds)} s)."
        )
    hits = m.results.hits
    labels = [
        "home (all rows), cold plan",
        "home (all rows), warm plan",
        "`GET /` with 3 rows inline, cold plan",
        "`GET /` with 3 rows inline, warm plan",
        "row fragment, warm plan",
    ]
    labels += sorted(label for label in hits if label.startswith("row `") and "(new" not in label)
    labels += [
        "rating widget on hover (`GET /titles/<slug>/rate/`, HTMX)",
        RATE_LABEL,
        AFTER_LABEL,
        PLAN_LABEL,
        *(part_label(name) for name in plan_parts),
        REST_LABEL,
        MARKUP_LABEL,
    ]
    labels += sorted(label for label in hits if "(new profile)" in label)
    print("\n" + m.results.table(labels))
    print(
        f"\nRows' markup alone, CPU: {statistics.median(m.card_us):.1f} µs per card at p50, "
        f"{percentile(m.card_us, 0.95):.1f} µs at p95 ({len(m.card_us)} rows of 20 warm pages, "
        f"each drawn {MARKUP_REPEATS} times)."
    )
    print(
        f"\nRated title gone from top-picks in the next fragment: "
        f"{sum(m.rating_checks)}/{len(m.rating_checks)}."
    )
    print("\ncProfile of 20 `plan_build()` calls, by cumulative time:\n")
    print(_top_functions(m.plan_profiler, "cumulative", 30))
    print("… by own time:\n")
    print(_top_functions(m.plan_profiler, "tottime", 15))
    print("cProfile of every row fragment of 10 warm pages, by own time:\n")
    print(_top_functions(m.fragment_profiler, "tottime", 15))
    print("… by cumulative time:\n")
    print(_top_functions(m.fragment_profiler, "cumulative", 25))
