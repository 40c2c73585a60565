"""Benchmark: seed a scratch database, then time the public catalogue pages and search.

    .venv/bin/python bench/catalogue.py --titles 10000                 # SQLite in a temp dir
    .venv/bin/python bench/catalogue.py --titles 10000 --postgres      # scratch PostgreSQL DB

The PostgreSQL database `marquee_bench` on 127.0.0.1 (user postgres) is created and dropped
by the script. Times are server time through Django's test client in a warm process.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import postgres  # noqa: E402  (after the path: run as a script)
from bench.figures import percentile  # noqa: E402

DATABASE = "marquee_bench"
QUERIES = ["harbor", "harbr", "glass harbor", "lighthouse", "alba", "the silent", "orchestra"]


def _timed(label: str, fn, repeat: int) -> None:  # noqa: ANN001 - any callable
    fn()  # warm-up: templates, connections
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    print(
        f"| {label} | {statistics.median(samples):.1f} | {percentile(samples, 0.95):.1f} "
        f"| {repeat} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--titles", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="marquee-bench-"))
    os.environ["MARQUEE_VAR_DIR"] = str(scratch)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    if args.postgres:
        postgres.pg("dropdb", "--if-exists", DATABASE)
        postgres.pg("createdb", DATABASE)
        os.environ["DATABASE_URL"] = postgres.database_url(DATABASE)
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from catalog.models import Genre, Title

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("seed_demo", titles=args.titles, users=args.users, seed=1, verbosity=0)
    seed_seconds = time.perf_counter() - started

    print(f"\n{connection.vendor}, {args.titles:,} titles: seed_demo took {seed_seconds:.1f} s\n")
    print("| request | median ms | p95 ms | runs |")
    print("| --- | --- | --- | --- |")
    client = Client()
    genre = Genre.objects.order_by("name").first()
    series = Title.objects.filter(kind="series").order_by("id").first()
    _timed("home", lambda: client.get("/"), args.repeat)
    _timed(
        f"genre page 1 ({genre.name})", lambda: client.get(f"/browse/{genre.slug}/"), args.repeat
    )
    _timed(
        "genre page 20 (HTMX fragment)",
        lambda: client.get(f"/browse/{genre.slug}/?page=20", headers={"HX-Request": "true"}),
        args.repeat,
    )
    _timed("series page", lambda: client.get(series.get_absolute_url()), args.repeat)
    for query in QUERIES:
        _timed(
            f"search “{query}”", lambda q=query: client.get("/search/", {"q": q}), args.repeat // 2
        )

    connection.close()
    if args.postgres:
        postgres.pg("dropdb", DATABASE)


if __name__ == "__main__":
    main()
