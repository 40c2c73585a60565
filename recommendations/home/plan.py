"""A profile's home plan: its whole page, built once per change and cached.

A *plan* is the page for one profile: its rows in order, each row's titles after
de-duplication, every card's match and evidence. Building one reads the profile's
activity (`recommendations.activity`, five queries), folds it into the serving model and
runs the row builders of `recommendations.core.page`. The plan is cached under a key that
contains the profile's `signals_changed_at`, so a click (which moves that stamp in its own
transaction) makes the very next request build a new one: the new signal counts before
any retraining. Each row is also cached on its own (`Plan.part`): a row fragment reads
only its row, then loads its cards in one query.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

from accounts.models import Profile
from catalog.models import Title
from recommendations import engine
from recommendations.core.page.assemble import Page, page_build
from recommendations.core.page.intent import Intent
from recommendations.home import insight
from recommendations.home.catalogue import catalogue_stamp, trending
from recommendations.home.context import profile_context

PLAN_SECONDS = 15 * 60

# The plan is the core's page; the name says what it is to the site.
Plan = Page


def plan_build(*, profile: Profile, intent: Intent | None = None) -> Plan:
    """Every row of the profile's home page, de-duplicated and ordered (not cached)."""
    intent = intent or Intent()
    ctx = profile_context(profile, intent)
    if not intent.is_set:
        insight.context_keep(profile, ctx)  # for the title pages that follow

    def names_of(ids: object) -> dict[int, tuple[str, str]]:
        # Evidence names only titles this profile may see.
        return {
            pk: (name, slug)
            for pk, name, slug in Title.objects.visible_to(profile)
            .filter(pk__in=list(ids))  # type: ignore[call-overload]
            .values_list("pk", "name", "slug")
        }

    return page_build(ctx, trending=trending(), names_of=names_of)


# A fixed set of locks, shared by profiles with the same remainder: bounded memory.
_building = [threading.Lock() for _ in range(64)]


def _plan_key(profile: Profile, intent: Intent) -> str:
    return ":".join(
        [
            "marquee:plan",
            str(profile.pk),
            f"{profile.signals_changed_at.timestamp():.6f}",
            str(profile.max_maturity_age),
            str(engine.active_version_id() or 0),
            catalogue_stamp(),
            intent.cache_key,
            timezone.localdate().isoformat(),
        ]
    )


def _part_key(plan_key: str, row_key: str) -> str:
    return f"{plan_key}|row:{row_key}"


def home_plan(*, profile: Profile, intent: Intent | None = None) -> Plan:
    """The profile's plan, built once per change of its signals, catalogue or model."""
    intent = intent or Intent()
    key = _plan_key(profile, intent)
    plan = cache.get(key)
    if plan is None:
        # Rows of one page arrive together: build the plan once, the others wait for it.
        with _building[profile.pk % len(_building)]:
            plan = cache.get(key)
            if plan is None:
                plan = plan_build(profile=profile, intent=intent)
                parts = {_part_key(key, row.key): plan.part(row.key) for row in plan.rows}
                cache.set_many({key: plan, **parts}, PLAN_SECONDS)
    return plan


def row_part_key(*, profile: Profile, key: str, intent: Intent | None = None) -> str:
    """The cache key of row `key`'s part of the profile's current plan: it moves with the
    plan's, so whatever is cached under it (the part, the row drawn) is of this plan."""
    return _part_key(_plan_key(profile, intent or Intent()), key)


def home_plan_row(
    *, profile: Profile, key: str, intent: Intent | None = None, part: Plan | None = None
) -> Plan:
    """The part of the profile's plan that row `key` draws (`Plan.part`), or the whole
    plan when that part is not cached (evicted, or a row no longer on the page).

    `part` is the part when the caller has read it already (with other keys, in one
    round trip)."""
    if part is None:
        part = cache.get(row_part_key(profile=profile, key=key, intent=intent))
    return part if part is not None else home_plan(profile=profile, intent=intent)


# Whose plans an activation builds ahead: profiles that gave a signal this recently.
ACTIVE_DAYS = 30


def profiles_recently_active(*, days: int = ACTIVE_DAYS) -> list[int]:
    since = timezone.now() - timedelta(days=days)
    return list(
        Profile.objects.filter(signals_changed_at__gte=since)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def plans_warm(*, profile_ids: list[int]) -> int:
    """Build and cache the default plan of each profile; how many were built."""
    profiles = Profile.objects.filter(pk__in=profile_ids).order_by("pk")
    return sum(home_plan(profile=profile) is not None for profile in profiles)
