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
  and written by `bench/synthetic.py`. Then `VACUUM ANALYZE`, `trending_refresh()` and a
  model: `engine.model_train()` on ml-1m (evaluation and gate included), on the synthetic
  set `core.train.train` on training data derived in numpy (checked against
  `derive_signals` for 30 profiles), saved and activated like `model_train` does.
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
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import json
import os
import pstats
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA = Path("/work/shared/data/movielens")
DATABASE_SUFFIXES = {"ml-1m": "ml1m", "synthetic": "synth"}
REDIS_URL = "redis://127.0.0.1:6379/11"
NEW_PROFILE_PREFIX = "New "
ROW_KINDS = ("because-", "like-", "popular-")
# The steps of `recommendations.home.plan.plan_build`, timed one by one by wrapping the
# module attribute each is called through (activity_read is inside profile_context).
PLAN_PARTS = (
    ("recommendations.home.plan", "profile_context"),
    ("recommendations.home.context", "activity_read"),
    *(
        ("recommendations.core.page.builders", name)
        for name in (
            "continue_row",
            "top_picks_row",
            "because_rows",
            "taste_rows",
            "trending_rows",
            "new_row",
            "my_list_row",
            "watch_again_row",
            "popular_rows",
        )
    ),
    ("recommendations.core.page.assemble", "build_page"),
)
PLAN_LABEL = "`plan_build()` called directly"
REST_LABEL = "… the rest (names query, cards, evidence)"
RATE_LABEL = "rate 5★ from home (`POST /titles/<slug>/rate/`, HTMX): new plan built in it"
AFTER_LABEL = "top-picks fragment right after the rating"
MARKUP_LABEL = "row markup alone (`catalog/home.html#row`, cards loaded, no query), CPU"
MARKUP_REPEATS = 10
CARD_LINK = re.compile(r'class="card-link" href="/titles/([^/"]+)/"')
ONE_ROW = re.compile(r'<section class="row( row-lazy)?" id="row-([^"]+)"')


# --------------------------------------------------------------------------------------
# Orchestration: databases and child processes
# --------------------------------------------------------------------------------------


def _pg(*args: str) -> None:
    subprocess.run([*args, "-h", "127.0.0.1", "-U", "postgres"], check=True)


def _database_exists(name: str) -> bool:
    found = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "SELECT datname FROM pg_database"],
        check=True,
        capture_output=True,
        text=True,
    )
    return name in found.stdout.split()


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
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "MARQUEE_VAR_DIR": str(scratch),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    env.pop("REDIS_CACHE_URL", None)
    if args.redis:
        env["REDIS_CACHE_URL"] = REDIS_URL
    info = scratch / "dataset.json"
    reuse = args.reuse and _database_exists(database) and info.exists()
    if reuse and json.loads(info.read_text()).get("scale") != args.scale:
        raise SystemExit(f"{database} was built with another --scale: run without --reuse.")
    try:
        if not reuse:
            _pg("dropdb", "--if-exists", database)
            shutil.rmtree(scratch, ignore_errors=True)
            _pg("createdb", database)
            _child(dataset, "setup", args, env)
        # Web processes run single-threaded BLAS (README); set before numpy loads.
        _child(dataset, "measure", args, {**env, "OPENBLAS_NUM_THREADS": "1"})
        if args.redis:
            import redis

            redis.Redis.from_url(REDIS_URL).flushdb()  # the bench's own database number
    finally:
        if not args.keep:
            _pg("dropdb", "--if-exists", database)
            shutil.rmtree(scratch, ignore_errors=True)


def _django() -> None:
    import django

    django.setup()


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mib() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# --------------------------------------------------------------------------------------
# Setup
# --------------------------------------------------------------------------------------


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
    _django()
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
        "setup_peak_rss_mib": round(_peak_mib()),
        **{k: v for k, v in extra.items() if isinstance(v, int | float | str)},
    }
    (Path(os.environ["MARQUEE_VAR_DIR"]) / "dataset.json").write_text(json.dumps(info, indent=1))
    print(f"  setup peak RSS: {_peak_mib():.0f} MiB", flush=True)


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


# --------------------------------------------------------------------------------------
# Measurement
# --------------------------------------------------------------------------------------


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _part_label(name: str) -> str:
    return f"… `{name}`" + (" (inside `profile_context`)" if name == "activity_read" else "")


def _kind(key: str) -> str:
    return next((prefix + "*" for prefix in ROW_KINDS if key.startswith(prefix)), key)


class Hit(NamedTuple):
    """One request, or a sum of them: wall and CPU milliseconds, queries, bytes."""

    ms: float
    cpu: float  # this process only: PostgreSQL's own work is not in it
    queries: int
    size: int
    content: str = ""


def _total(hits: list[Hit]) -> Hit:
    return Hit(
        *(sum(getattr(hit, part) for hit in hits) for part in ("ms", "cpu", "queries", "size"))
    )


class _Results:
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
                f"| {label} | {statistics.median(ms):.1f} | {_percentile(ms, 0.95):.1f} "
                f"| {max(ms):.1f} | {cpu} | {size} | {queries} | {len(ms)} |"
            )
        return "\n".join(lines)


def _top_functions(profiler: cProfile.Profile, sort: str, limit: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(sort)
    stats.print_stats(limit)
    text = out.getvalue()
    return text[text.index("ncalls") :] if "ncalls" in text else text


def measure(args: argparse.Namespace) -> None:
    _django()
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.db.models import Exists, OuterRef
    from django.template.loader import get_template
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Profile
    from catalog.models import Credit, Episode, Title
    from config.celery_app import app
    from recommendations import engine, services
    from recommendations.home import catalogue as catalogues
    from recommendations.home import plan as plans
    from recommendations.home.row_views import row_view
    from recommendations.models import ListItem, Rating, TrendingTitle, WatchProgress
    from tests.helpers import watch_as

    settings.ALLOWED_HOSTS = ["testserver"]
    app.conf.task_always_eager = False
    info = json.loads((Path(os.environ["MARQUEE_VAR_DIR"]) / "dataset.json").read_text())

    # Catalogue rebuilds inside timed requests (every 15 minutes, or when titles change)
    # would be outliers of their own: count them.
    rebuilds: list[float] = []
    build = catalogues.catalogue_build

    def counted_build(stamp: str) -> catalogues.Catalogue:
        started = time.perf_counter()
        built = build(stamp)
        rebuilds.append(time.perf_counter() - started)
        return built

    catalogues.catalogue_build = counted_build

    one_off: dict[str, float] = {}
    started = time.perf_counter()
    serving = engine.serving_model()
    one_off["model load (`engine.serving_model()`, artifact read)"] = time.perf_counter() - started
    assert serving is not None, "no active model"
    started = time.perf_counter()
    catalogue = catalogues.catalogue()
    one_off["catalogue arrays (`catalogue()`: the newest file mapped, built if none)"] = (
        time.perf_counter() - started
    )
    started = time.perf_counter()
    catalogue.model_view(serving.version.pk, serving.model)
    one_off["model view: embeddings aligned to the catalogue"] = time.perf_counter() - started
    rebuilds.clear()
    memory = {"after loading": (_rss_mib(), _peak_mib())}

    def request(client: Client, url: str, *, htmx: bool = False, data: dict | None = None) -> Hit:
        # As htmx sends them; the rating view rebuilds the plan when the click came from home.
        headers = {"HX-Request": "true", "HX-Current-URL": "http://testserver/"} if htmx else {}
        # The context keeps the log between requests; past 9,000 entries it would count 0.
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            started, cpu = time.perf_counter(), time.process_time()
            if data is None:
                response = client.get(url, headers=headers)
            else:
                response = client.post(url, data, headers=headers)
            ms = (time.perf_counter() - started) * 1000
            cpu = (time.process_time() - cpu) * 1000
        # A settled rating answers 204: the widget already shows it.
        assert response.status_code == (200 if data is None else 204), (url, response.status_code)
        return Hit(ms, cpu, len(queries), len(response.content), response.content.decode())

    def page(client: Client) -> tuple[Hit, dict[str, Hit], list[str]]:
        """`GET /` and every lazy row fragment; the home hit and the rows it rendered."""
        home = request(client, "/")
        found = ONE_ROW.findall(home.content)
        eager = [key for lazy, key in found if not lazy]
        lazy = [key for lazy, key in found if lazy]
        fragments = {key: request(client, f"/rows/{key}/", htmx=True) for key in lazy}
        for key, hit in fragments.items():
            assert f'id="row-{key}"' in hit.content, key
            assert "row-gone" not in hit.content, key
        return home, fragments, eager

    results = _Results()
    row_counts: list[int] = []
    rating_checks: list[bool] = []

    def visit(profile_id: int, *, label: str, record: bool, rate: bool) -> None:
        profile = Profile.objects.select_related("account").get(pk=profile_id)
        client = Client()
        client.force_login(profile.account)
        watch_as(client, profile)
        services.signals_changed(profile=profile)  # as a click does: the next request rebuilds
        cold_home, cold_rows, _eager = page(client)
        warm_home, warm_rows, eager = page(client)
        alone = {key: request(client, f"/rows/{key}/", htmx=True) for key in eager}
        if not record:
            return
        results.add(f"home (all rows), cold plan{label}", _total([cold_home, *cold_rows.values()]))
        results.add(f"home (all rows), warm plan{label}", _total([warm_home, *warm_rows.values()]))
        results.add(f"`GET /` with 3 rows inline, cold plan{label}", cold_home)
        results.add(f"`GET /` with 3 rows inline, warm plan{label}", warm_home)
        row_counts.append(len(eager) + len(warm_rows))
        # Hovering a card fetches its rating widget.
        slug = CARD_LINK.search(warm_home.content).group(1)
        results.add(
            f"rating widget on hover (`GET /titles/<slug>/rate/`, HTMX){label}",
            request(client, f"/titles/{slug}/rate/", htmx=True),
        )
        for key, hit in {**warm_rows, **alone}.items():
            results.add(f"row fragment, warm plan{label}", hit)
            results.add(f"row `{_kind(key)}`{label}", hit)
        if not rate:
            return
        plan = plans.home_plan(profile=Profile.objects.get(pk=profile_id))
        top = plan.row("top-picks")
        if top is None or not top.title_ids:
            return
        slug = Title.objects.values_list("slug", flat=True).get(pk=top.title_ids[0])
        card = f'class="card-link" href="/titles/{slug}/"'
        assert card in request(client, "/rows/top-picks/", htmx=True).content
        rated = request(client, f"/titles/{slug}/rate/", htmx=True, data={"stars": "5"})
        results.add(RATE_LABEL, rated)
        after = request(client, "/rows/top-picks/", htmx=True)
        results.add(AFTER_LABEL, after)
        rating_checks.append(card not in after.content)

    chooser = random.Random(args.seed)
    has_history = Exists(Rating.objects.filter(profile=OuterRef("pk"))) | Exists(
        WatchProgress.objects.filter(profile=OuterRef("pk"))
    )
    with_history = list(
        Profile.objects.filter(has_history).order_by("pk").values_list("pk", flat=True)
    )
    newcomers = list(
        Profile.objects.filter(name__startswith=NEW_PROFILE_PREFIX).values_list("pk", flat=True)
    )
    chosen = chooser.sample(with_history, min(args.profiles + 3, len(with_history)))
    warmups, sample = chosen[:3], chosen[3:]

    started = time.perf_counter()
    visit(warmups[0], label="", record=False, rate=False)
    one_off["first profile's visit (templates, URL resolver, connections)"] = (
        time.perf_counter() - started
    )
    for profile_id in warmups[1:]:
        visit(profile_id, label="", record=False, rate=False)
    measured_at = time.perf_counter()
    for number, profile_id in enumerate(sample):
        visit(profile_id, label="", record=True, rate=number < args.ratings)
        if (number + 1) % 50 == 0:
            print(f"  {number + 1} profiles measured", file=sys.stderr, flush=True)
    memory[f"after {len(sample)} profiles"] = (_rss_mib(), _peak_mib())
    for profile_id in newcomers:
        visit(profile_id, label=" (new profile)", record=True, rate=False)
    memory["after the new profiles"] = (_rss_mib(), _peak_mib())
    measure_seconds = time.perf_counter() - measured_at

    # Where the time goes: plan builds called directly (no request around them), each
    # part timed by wrapping the module's functions; then cProfile of the same builds, and
    # of warm fragments.
    profiled = [Profile.objects.get(pk=pk) for pk in sample[:20]]
    spent: dict[str, float] = defaultdict(float)

    def timed(name: str, fn: Callable) -> Callable:
        def wrapper(*args: object, **kwargs: object) -> object:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started

        return wrapper

    modules = {path: importlib.import_module(path) for path, _name in PLAN_PARTS}
    originals = {(path, name): getattr(modules[path], name) for path, name in PLAN_PARTS}
    for (path, name), fn in originals.items():
        setattr(modules[path], name, timed(name, fn))
    try:
        for profile in profiled:
            spent.clear()
            started = time.perf_counter()
            plans.plan_build(profile=profile)
            total = (time.perf_counter() - started) * 1000
            results.time(PLAN_LABEL, total)
            for _path, name in PLAN_PARTS:
                results.time(_part_label(name), spent[name] * 1000)
            rest = total - 1000 * sum(v for k, v in spent.items() if k != "activity_read")
            results.time(REST_LABEL, rest)
    finally:
        for (path, name), fn in originals.items():
            setattr(modules[path], name, fn)
    plan_profiler = cProfile.Profile()
    plan_profiler.enable()
    for profile in profiled:
        plans.plan_build(profile=profile)
    plan_profiler.disable()
    fragment_profiler = cProfile.Profile()
    for profile in profiled[:10]:
        client = Client()
        client.force_login(Profile.objects.select_related("account").get(pk=profile.pk).account)
        watch_as(client, profile)
        _home, lazy, eager = page(client)  # plan warm
        fragment_profiler.enable()
        for key in eager + list(lazy):
            client.get(f"/rows/{key}/", headers={"HX-Request": "true"})
        fragment_profiler.disable()

    # The rows' markup alone: drawn again from cards already loaded (no query, no plan
    # build), as the page and the fragments draw them, with the request's context. CPU
    # time: markup waits for nothing, and other work on the machine inflates wall time.
    row_template = get_template("catalog/home.html#row")
    card_us: list[float] = []
    for profile in profiled:
        plan = plans.home_plan(profile=profile)
        views = [row_view(plan, row.key, profile=profile) for row in plan.rows]
        drawn_for = RequestFactory().get("/rows/top-picks/", headers={"HX-Request": "true"})
        drawn_for.user = profile.account
        drawn_for.profile = profile
        for view in views:
            if view is None or not view.titles:
                continue
            context = {"row": view, "key": view.key, "intent_query": ""}
            started = time.process_time()
            for _ in range(MARKUP_REPEATS):
                row_template.render(context, drawn_for)
            ms = (time.process_time() - started) * 1000 / MARKUP_REPEATS
            results.time(MARKUP_LABEL, ms)
            card_us.append(1000 * ms / len(view.titles))

    # Report.
    counts = {
        "titles": Title.objects.filter(is_published=True).count(),
        "series": Title.objects.filter(kind=Title.Kind.SERIES).count(),
        "episodes": Episode.objects.count(),
        "credits": Credit.objects.count(),
        "profiles": Profile.objects.count(),
        "profiles with history": len(with_history),
        "ratings": Rating.objects.count(),
        "title-level progress rows": WatchProgress.objects.filter(episode__isnull=True).count(),
        "My List entries": ListItem.objects.count(),
        "trending titles": TrendingTitle.objects.count(),
    }
    model = serving.model
    print(f"\n## {info['dataset']}" + (f" (scale {args.scale})" if args.only != "ml-1m" else ""))
    print("\n" + ", ".join(f"{name} {value:,}" for name, value in counts.items()) + ".")
    print(
        f"Model: {model.ranker.kind}, {model.counts}; blend weights {serving.weights}; "
        f"catalogue content matrix {catalogue.content.shape} ({catalogue.content.nnz:,} nnz)."
    )
    print("Setup: " + ", ".join(f"{k} {v:.1f} s" for k, v in info["setup_seconds"].items()))
    memory["at the end"] = (_rss_mib(), _peak_mib())
    print(
        f"Setup peak RSS {info['setup_peak_rss_mib']} MiB. Measuring process, RSS / peak: "
        + ", ".join(f"{when} {now:.0f} / {peak:.0f} MiB" for when, (now, peak) in memory.items())
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
        f"{len(sample)} profiles with history (random, seed {args.seed}) and {len(newcomers)} "
        f"new ones; {statistics.mean(row_counts):.1f} rows per page on average "
        f"(min {min(row_counts)}, max {max(row_counts)}); cache: {cache}; "
        f"measured in {measure_seconds:.0f} s; OPENBLAS_NUM_THREADS="
        f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}; load average "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}."
    )
    print("\nOne-off per process:\n\n| step | seconds |\n| --- | --- |")
    for name, seconds in one_off.items():
        print(f"| {name} | {seconds:.2f} |")
    if rebuilds:
        print(
            f"\nThe catalogue was rebuilt {len(rebuilds)} time(s) inside timed requests "
            f"({', '.join(f'{s:.2f}' for s in rebuilds)} s)."
        )
    labels = [
        "home (all rows), cold plan",
        "home (all rows), warm plan",
        "`GET /` with 3 rows inline, cold plan",
        "`GET /` with 3 rows inline, warm plan",
        "row fragment, warm plan",
    ]
    labels += sorted(
        label for label in results.hits if label.startswith("row `") and "(new" not in label
    )
    labels += [
        "rating widget on hover (`GET /titles/<slug>/rate/`, HTMX)",
        RATE_LABEL,
        AFTER_LABEL,
        PLAN_LABEL,
        *(_part_label(name) for _path, name in PLAN_PARTS),
        REST_LABEL,
        MARKUP_LABEL,
    ]
    labels += sorted(label for label in results.hits if "(new profile)" in label)
    print("\n" + results.table(labels))
    print(
        f"\nRows' markup alone, CPU: {statistics.median(card_us):.1f} µs per card at p50, "
        f"{_percentile(card_us, 0.95):.1f} µs at p95 ({len(card_us)} rows of 20 warm pages, "
        f"each drawn {MARKUP_REPEATS} times)."
    )
    print(
        f"\nRated title gone from top-picks in the next fragment: "
        f"{sum(rating_checks)}/{len(rating_checks)}."
    )
    print("\ncProfile of 20 `plan_build()` calls, by cumulative time:\n")
    print(_top_functions(plan_profiler, "cumulative", 30))
    print("… by own time:\n")
    print(_top_functions(plan_profiler, "tottime", 15))
    print("cProfile of every row fragment of 10 warm pages, by own time:\n")
    print(_top_functions(fragment_profiler, "tottime", 15))
    print("… by cumulative time:\n")
    print(_top_functions(fragment_profiler, "cumulative", 25))


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
