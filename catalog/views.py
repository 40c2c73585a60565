from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_htmx.middleware import HtmxDetails

from accounts.decorators import profile_required
from catalog import search as catalog_search
from catalog import selectors
from catalog.models import Title
from catalog.posters import poster_svg
from recommendations import rows as row_plans
from recommendations.onboarding import has_history, needs_onboarding
from recommendations.selectors import title_state


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


# No list has this many pages; a larger number would overflow the database's OFFSET.
MAX_PAGE = 10_000


def page_number(request: HttpRequest) -> int:
    """The `?page=` of a list page: 1 when absent or not a number, 404 beyond MAX_PAGE."""
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        return 1
    if number > MAX_PAGE:
        raise Http404("No such page.")
    return max(number, 1)


# Rendered with the page: the rest arrive as they scroll into view.
EAGER_ROWS = 3


# Home and title pages show where the profile stopped watching: the browser's Back from the
# player must fetch them again, not show them from its cache as they were before.
@never_cache
@require_safe
def home(request: HtmxHttpRequest) -> HttpResponse:
    profile = request.profile
    if profile is None:
        rows = selectors.home_rows(profile=None)
        return TemplateResponse(request, "catalog/home.html", {"rows": rows})
    if needs_onboarding(profile):
        return redirect("recommendations:onboarding")
    intent = row_plans.Intent.from_query(request.GET)
    plan = row_plans.home_plan(profile=profile, intent=intent)
    eager = [
        row_plans.row_view(plan, row.key, profile=profile, intent=intent)
        for row in plan.rows[:EAGER_ROWS]
    ]
    context = {
        "plan": plan,
        "eager": eager,
        "lazy": plan.rows[EAGER_ROWS:],
        "intent": intent,
        "intent_query": intent.query(),
        "minutes_choices": row_plans.INTENT_MINUTES,
        "moods": row_plans.MOODS,
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
    intent = row_plans.Intent.from_query(request.GET)
    plan = row_plans.home_plan(profile=request.profile, intent=intent)
    context = {"intent": intent, "intent_query": intent.query(), "key": key}
    if request.htmx and not request.htmx.boosted:
        context["row"] = row_plans.row_view(plan, key, profile=request.profile, intent=intent)
        return _varies_with_htmx(TemplateResponse(request, "catalog/home.html#row", context))
    view = row_plans.row_view(plan, key, profile=request.profile, intent=intent, full=True)
    if view is None:
        raise Http404("This row is not on your home page any more.")
    context["row"] = view
    return _varies_with_htmx(TemplateResponse(request, "catalog/row.html", context))


@require_safe
def browse(request: HtmxHttpRequest, genre_slug: str | None = None) -> HttpResponse:
    genre = selectors.genre_get(slug=genre_slug) if genre_slug else None
    kind = request.GET.get("kind", "")
    order = request.GET.get("order", "year")
    page = selectors.title_browse(
        profile=request.profile, genre=genre, kind=kind, order=order, page=page_number(request)
    )
    if page.number > 1 and not page.titles:
        raise Http404("No such page.")
    query = request.GET.copy()
    query["page"] = str(page.next_number)
    context = {
        "genre": genre,
        "page": page,
        "kind": kind if kind in Title.Kind.values else "",
        "order": order if order in selectors.BROWSE_ORDERS else "year",
        "next_query": query.urlencode(),
        "kinds": Title.Kind.choices,
    }
    if request.htmx and not request.htmx.boosted:
        return TemplateResponse(request, "catalog/browse.html#title_page", context)
    context["genres"] = selectors.genre_list(profile=request.profile)
    return TemplateResponse(request, "catalog/browse.html", context)


@never_cache
@require_safe
def title_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    title = selectors.title_detail(slug=slug, profile=request.profile)
    credits = list(title.credits.all())
    context = {
        "title": title,
        "directors": [c for c in credits if c.role in ("director", "creator")],
        "writers": [c for c in credits if c.role == "writer"],
        "cast": [c for c in credits if c.role == "actor"],
        "seasons": list(title.seasons.all()),
        "state": (title_state(profile=request.profile, title=title) if request.profile else None),
        "insight": row_plans.title_insight(profile=request.profile, title=title),
    }
    return TemplateResponse(request, "catalog/title_detail.html", context)


@require_safe
def person_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    filmography = selectors.person_detail(slug=slug, profile=request.profile)
    return TemplateResponse(request, "catalog/person_detail.html", {"filmography": filmography})


@require_safe
def search(request: HtmxHttpRequest) -> HttpResponse:
    results = catalog_search.search(query=request.GET.get("q", ""), profile=request.profile)
    context = {"results": results}
    if request.htmx and request.htmx.target == "search-results":
        return TemplateResponse(request, "catalog/search.html#search_results", context)
    return TemplateResponse(request, "catalog/search.html", context)


@require_safe
def poster(request: HttpRequest, slug: str) -> HttpResponse:
    # A generated poster shows the title's name: the title page's rule decides who gets it
    # (a kids profile gets no poster of a title above its limit). Curators also see the
    # posters of unpublished titles in the admin, still within their profile's limit.
    titles = Title.objects.visible_to(request.profile, unpublished=request.user.is_staff)
    title = get_object_or_404(titles.only("name", "year", "kind"), slug=slug)
    response = HttpResponse(
        poster_svg(title.name, title.year, title.kind), content_type="image/svg+xml"
    )
    # Private: whether it is served depends on who asks, so no shared cache may keep it.
    patch_cache_control(response, private=True, max_age=60 * 60 * 24)
    return response
