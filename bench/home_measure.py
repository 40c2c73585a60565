"""bench/home.py's measure step, in a warm process on the database the setup step built.

Django is set up by `measure`: the functions here import the app inside, after it.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import random
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bench.figures import peak_mib, rss_mib
from bench.home_report import (
    AFTER_LABEL,
    MARKUP_LABEL,
    MARKUP_REPEATS,
    PLAN_LABEL,
    RATE_LABEL,
    REST_LABEL,
    Hit,
    Measured,
    part_label,
    report,
    row_kind,
    total,
)
from bench.home_setup import NEW_PROFILE_PREFIX

if TYPE_CHECKING:
    from django.test import Client

    from accounts.models import Profile

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
CARD_LINK = re.compile(r'class="card-link" href="/titles/([^/"]+)/"')
ONE_ROW = re.compile(r'<section class="row( row-lazy)?" id="row-([^"]+)"')


def measure(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.db.models import Exists, OuterRef

    from accounts.models import Profile
    from catalog.models import Credit, Episode, Title
    from config.celery_app import app
    from recommendations import engine
    from recommendations.home import catalogue as catalogues
    from recommendations.models import ListItem, Rating, TrendingTitle, WatchProgress

    settings.ALLOWED_HOSTS = ["testserver"]
    app.conf.task_always_eager = False
    info = json.loads((Path(os.environ["MARQUEE_VAR_DIR"]) / "dataset.json").read_text())
    measured = Measured()

    # Catalogue rebuilds inside timed requests (every 15 minutes, or when titles change)
    # would be outliers of their own: count them.
    build = catalogues.catalogue_build

    def counted_build(stamp: str) -> catalogues.Catalogue:
        started = time.perf_counter()
        built = build(stamp)
        measured.rebuilds.append(time.perf_counter() - started)
        return built

    catalogues.catalogue_build = counted_build

    one_off = measured.one_off
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
    measured.rebuilds.clear()
    measured.memory["after loading"] = (rss_mib(), peak_mib())

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
    measured.profiles, measured.newcomers = len(sample), len(newcomers)

    started = time.perf_counter()
    _visit(warmups[0], measured, label="", record=False, rate=False)
    one_off["first profile's visit (templates, URL resolver, connections)"] = (
        time.perf_counter() - started
    )
    for profile_id in warmups[1:]:
        _visit(profile_id, measured, label="", record=False, rate=False)
    measured_at = time.perf_counter()
    for number, profile_id in enumerate(sample):
        _visit(profile_id, measured, label="", record=True, rate=number < args.ratings)
        if (number + 1) % 50 == 0:
            print(f"  {number + 1} profiles measured", file=sys.stderr, flush=True)
    measured.memory[f"after {len(sample)} profiles"] = (rss_mib(), peak_mib())
    for profile_id in newcomers:
        _visit(profile_id, measured, label=" (new profile)", record=True, rate=False)
    measured.memory["after the new profiles"] = (rss_mib(), peak_mib())
    measured.seconds = time.perf_counter() - measured_at

    # Where the time goes, on 20 of the profiles measured.
    profiled = [Profile.objects.get(pk=pk) for pk in sample[:20]]
    _plan_parts(profiled, measured)
    _cprofiles(profiled, measured)
    _markup(profiled, measured)

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
    report(
        args,
        info=info,
        counts=counts,
        model=(
            f"Model: {model.ranker.kind}, {model.counts}; blend weights {serving.weights}; "
            f"catalogue content matrix {catalogue.content.shape} "
            f"({catalogue.content.nnz:,} nnz)."
        ),
        plan_parts=[name for _path, name in PLAN_PARTS],
        measured=measured,
    )


# --------------------------------------------------------------------------------------
# Requests through Django's test client
# --------------------------------------------------------------------------------------


def _request(client: Client, url: str, *, htmx: bool = False, data: dict | None = None) -> Hit:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

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


def _page(client: Client) -> tuple[Hit, dict[str, Hit], list[str]]:
    """`GET /` and every lazy row fragment; the home hit and the rows it rendered."""
    home = _request(client, "/")
    found = ONE_ROW.findall(home.content)
    eager = [key for lazy, key in found if not lazy]
    lazy = [key for lazy, key in found if lazy]
    fragments = {key: _request(client, f"/rows/{key}/", htmx=True) for key in lazy}
    for key, hit in fragments.items():
        assert f'id="row-{key}"' in hit.content, key
        assert "row-gone" not in hit.content, key
    return home, fragments, eager


def _signed_in(profile: Profile) -> Client:
    from django.test import Client

    from tests.helpers import watch_as

    client = Client()
    client.force_login(profile.account)
    watch_as(client, profile)
    return client


def _visit(profile_id: int, measured: Measured, *, label: str, record: bool, rate: bool) -> None:
    """A profile's home page with a cold plan and again warm, its rows alone, a hover and,
    with `rate`, a 5-star rating of the first top pick from home."""
    from accounts.models import Profile
    from catalog.models import Title
    from recommendations import services
    from recommendations.home import plan as plans

    results = measured.results
    profile = Profile.objects.select_related("account").get(pk=profile_id)
    client = _signed_in(profile)
    services.signals_changed(profile=profile)  # as a click does: the next request rebuilds
    cold_home, cold_rows, _eager = _page(client)
    warm_home, warm_rows, eager = _page(client)
    alone = {key: _request(client, f"/rows/{key}/", htmx=True) for key in eager}
    if not record:
        return
    results.add(f"home (all rows), cold plan{label}", total([cold_home, *cold_rows.values()]))
    results.add(f"home (all rows), warm plan{label}", total([warm_home, *warm_rows.values()]))
    results.add(f"`GET /` with 3 rows inline, cold plan{label}", cold_home)
    results.add(f"`GET /` with 3 rows inline, warm plan{label}", warm_home)
    measured.row_counts.append(len(eager) + len(warm_rows))
    # Hovering a card fetches its rating widget.
    slug = CARD_LINK.search(warm_home.content).group(1)
    results.add(
        f"rating widget on hover (`GET /titles/<slug>/rate/`, HTMX){label}",
        _request(client, f"/titles/{slug}/rate/", htmx=True),
    )
    for key, hit in {**warm_rows, **alone}.items():
        results.add(f"row fragment, warm plan{label}", hit)
        results.add(f"row `{row_kind(key)}`{label}", hit)
    if not rate:
        return
    plan = plans.home_plan(profile=Profile.objects.get(pk=profile_id))
    top = plan.row("top-picks")
    if top is None or not top.title_ids:
        return
    slug = Title.objects.values_list("slug", flat=True).get(pk=top.title_ids[0])
    card = f'class="card-link" href="/titles/{slug}/"'
    assert card in _request(client, "/rows/top-picks/", htmx=True).content
    rated = _request(client, f"/titles/{slug}/rate/", htmx=True, data={"stars": "5"})
    results.add(RATE_LABEL, rated)
    after = _request(client, "/rows/top-picks/", htmx=True)
    results.add(AFTER_LABEL, after)
    measured.rating_checks.append(card not in after.content)


# --------------------------------------------------------------------------------------
# Where the time goes
# --------------------------------------------------------------------------------------


def _plan_parts(profiled: list[Profile], measured: Measured) -> None:
    """Plan builds called directly (no request around them), each part timed by wrapping
    the module attribute it is called through."""
    from recommendations.home import plan as plans

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
            built = (time.perf_counter() - started) * 1000
            measured.results.time(PLAN_LABEL, built)
            for _path, name in PLAN_PARTS:
                measured.results.time(part_label(name), spent[name] * 1000)
            rest = built - 1000 * sum(v for k, v in spent.items() if k != "activity_read")
            measured.results.time(REST_LABEL, rest)
    finally:
        for (path, name), fn in originals.items():
            setattr(modules[path], name, fn)


def _cprofiles(profiled: list[Profile], measured: Measured) -> None:
    """cProfile of the same plan builds, and of every row fragment of 10 warm pages."""
    from accounts.models import Profile
    from recommendations.home import plan as plans

    measured.plan_profiler.enable()
    for profile in profiled:
        plans.plan_build(profile=profile)
    measured.plan_profiler.disable()
    for profile in profiled[:10]:
        client = _signed_in(Profile.objects.select_related("account").get(pk=profile.pk))
        _home, lazy, eager = _page(client)  # plan warm
        measured.fragment_profiler.enable()
        for key in eager + list(lazy):
            client.get(f"/rows/{key}/", headers={"HX-Request": "true"})
        measured.fragment_profiler.disable()


def _markup(profiled: list[Profile], measured: Measured) -> None:
    """The rows' markup alone: drawn again from cards already loaded (no query, no plan
    build), as the page and the fragments draw them, with the request's context. CPU time:
    markup waits for nothing, and other work on the machine inflates wall time."""
    from django.template.loader import get_template
    from django.test import RequestFactory

    from recommendations.home import plan as plans
    from recommendations.home.row_views import row_view

    row_template = get_template("catalog/home.html#row")
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
            measured.results.time(MARKUP_LABEL, ms)
            measured.card_us.append(1000 * ms / len(view.titles))
