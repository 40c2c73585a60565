from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe
from django_htmx.middleware import HtmxDetails

from catalog import search as catalog_search
from catalog import selectors
from catalog.models import Title
from catalog.posters import poster_svg


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
