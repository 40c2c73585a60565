"""The pages built from a profile's plan: home, a row (fragment or "see all"), a title."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.decorators import profile_required
from catalog import selectors as catalog_selectors
from catalog.views import HtmxHttpRequest
from recommendations.core.page.intent import INTENT_MINUTES, MOODS, Intent
from recommendations.home.fragments import row_fragment
from recommendations.home.insight import title_insight
from recommendations.home.plan import home_plan
from recommendations.home.row_views import row_view
from recommendations.onboarding import has_history, needs_onboarding
from recommendations.selectors import title_state

# Rendered with the page: the rest arrive as they scroll into view.
EAGER_ROWS = 3


# Home and title pages show where the profile stopped watching: the browser's Back from the
# player must fetch them again, not show them from its cache as they were before.
@never_cache
@require_safe
def home(request: HtmxHttpRequest) -> HttpResponse:
    profile = request.profile
    if profile is None:
        rows = catalog_selectors.home_rows(profile=None)
        return TemplateResponse(request, "catalog/home.html", {"rows": rows})
    if needs_onboarding(profile):
        return redirect("recommendations:onboarding")
    intent = Intent.from_query(request.GET)
    plan = home_plan(profile=profile, intent=intent)
    eager = [
        row_view(plan, row.key, profile=profile, intent=intent) for row in plan.rows[:EAGER_ROWS]
    ]
    context = {
        "plan": plan,
        "eager": eager,
        "lazy": plan.rows[EAGER_ROWS:],
        "intent": intent,
        "intent_query": intent.query(),
        "minutes_choices": INTENT_MINUTES,
        "moods": MOODS,
    }
    if request.htmx and request.htmx.target == "home-rows":
        response = TemplateResponse(request, "catalog/home.html#home_rows", context)
    else:
        context["welcome_back"] = has_history(profile)
        response = TemplateResponse(request, "catalog/home.html", context)
    return _varies_with_htmx(response)


def _varies_with_htmx(response: HttpResponse) -> HttpResponse:
    # One URL serves a fragment and a page: caches (and the browser's back button) must
    # not hand one out for the other.
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


@profile_required
@require_safe
def row(request: HtmxHttpRequest, key: str) -> HttpResponse:
    """A home row: the fragment for HTMX, its "see all" page otherwise."""
    intent = Intent.from_query(request.GET)
    if request.htmx and not request.htmx.boosted:
        return _varies_with_htmx(HttpResponse(row_fragment(request, key=key, intent=intent)))
    context = {"intent": intent, "intent_query": intent.query(), "key": key}
    plan = home_plan(profile=request.profile, intent=intent)
    view = row_view(plan, key, profile=request.profile, intent=intent, full=True)
    if view is None:
        raise Http404("This row is not on your home page any more.")
    context["row"] = view
    return _varies_with_htmx(TemplateResponse(request, "catalog/row.html", context))


@never_cache
@require_safe
def title_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    title = catalog_selectors.title_detail(slug=slug, profile=request.profile)
    credits = list(title.credits.all())
    context = {
        "title": title,
        "directors": [c for c in credits if c.role in ("director", "creator")],
        "writers": [c for c in credits if c.role == "writer"],
        "cast": [c for c in credits if c.role == "actor"],
        "seasons": list(title.seasons.all()),
        "state": (title_state(profile=request.profile, title=title) if request.profile else None),
        "insight": title_insight(profile=request.profile, title=title),
    }
    return TemplateResponse(request, "catalog/title_detail.html", context)
