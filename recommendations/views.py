"""Pages and HTMX actions for a profile's signals: rating, My List, not interested,
watching, and the pages that list them. Every action works as a plain form post too."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from accounts.decorators import profile_required
from accounts.navigation import safe_next
from catalog.models import Episode, Title
from catalog.selectors import title_visible_queryset
from catalog.views import HtmxHttpRequest
from recommendations import selectors, services

# Rows and pages listen for this event to refresh what depends on the profile's signals.
SIGNALS_CHANGED = "signals-changed"
PAGE_SIZE = 48


def _title(request: HtmxHttpRequest, slug: str) -> Title:
    return get_object_or_404(title_visible_queryset(profile=request.profile), slug=slug)


def _card_title(request: HtmxHttpRequest, slug: str) -> Title:
    """The title again with the profile's state, to re-render its card or widget."""
    titles = selectors.titles_with_profile_state(
        title_visible_queryset(profile=request.profile), profile=request.profile
    )
    return get_object_or_404(titles, slug=slug)


def _back(request: HtmxHttpRequest, title: Title) -> HttpResponse:
    return redirect(safe_next(request, title.get_absolute_url()))


def _fragment(request: HtmxHttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    response = TemplateResponse(request, template, context)
    return trigger_client_event(response, SIGNALS_CHANGED, {"title": context["title"].slug})


@profile_required
@require_POST
def rate(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    title = _title(request, slug)
    error = None
    try:
        if "clear" in request.POST:
            services.rating_clear(profile=request.profile, title=title)
        elif "thumbs" in request.POST:
            services.rating_set(profile=request.profile, title=title, thumbs=request.POST["thumbs"])
        else:
            services.rating_set(
                profile=request.profile, title=title, stars=request.POST.get("stars", "")
            )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        context = {"title": _card_title(request, slug), "rating_error": error}
        template = "recommendations/_rating.html"
        if error:
            return TemplateResponse(request, template, context)
        return _fragment(request, template, context)
    if error:
        messages.error(request, error)
    return _back(request, title)


@profile_required
@require_POST
def my_list_toggle(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    title = _title(request, slug)
    if request.POST.get("action") == "remove":
        services.list_remove(profile=request.profile, title=title)
    else:
        services.list_add(profile=request.profile, title=title)
    if request.htmx:
        return _fragment(
            request, "recommendations/_list_button.html", {"title": _card_title(request, slug)}
        )
    return _back(request, title)


@profile_required
@require_POST
def not_interested(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    # Not filtered by maturity: undoing must work even if the limit changed meanwhile.
    title = get_object_or_404(Title, slug=slug, is_published=True)
    undo = request.POST.get("action") == "undo"
    if undo:
        services.not_interested_remove(profile=request.profile, title=title)
    else:
        services.not_interested_add(profile=request.profile, title=title)
    if request.htmx:
        template = "catalog/_title_card.html" if undo else "recommendations/_hidden_card.html"
        return _fragment(request, template, {"title": _card_title(request, slug)})
    if not undo:
        messages.info(request, f"“{title.name}” won’t be recommended to you again.")
    return _back(request, title)


@profile_required
@require_POST
def taste_exclusion(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    title = _title(request, slug)
    excluded = request.POST.get("excluded") == "on"
    services.taste_exclusion_set(profile=request.profile, title=title, excluded=excluded)
    if request.htmx:
        return _fragment(
            request,
            "recommendations/_taste_toggle.html",
            {"title": title, "excluded_from_taste": excluded},
        )
    return _back(request, title)


@profile_required
@require_POST
def mark_watched(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    title = _title(request, slug)
    services.watch_mark_watched(profile=request.profile, title=title)
    messages.success(request, f"“{title.name}” is marked as watched.")
    return _back(request, title)


@profile_required
@require_POST
def history_remove(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    title = get_object_or_404(Title, slug=slug)
    services.history_remove(profile=request.profile, title=title)
    if request.htmx:
        response = HttpResponse("")
        return trigger_client_event(response, SIGNALS_CHANGED, {"title": slug})
    messages.success(request, f"“{title.name}” is removed from your history.")
    return _back(request, title)


@profile_required
@require_GET
def player(request: HtmxHttpRequest, slug: str, episode_id: int | None = None) -> HttpResponse:
    title = _title(request, slug)
    state = selectors.title_state(profile=request.profile, title=title)
    episode = None
    if title.is_series:
        if episode_id is None:
            episode = state.resume.episode
        else:
            episode = get_object_or_404(
                Episode.objects.select_related("season"), pk=episode_id, season__title=title
            )
        if episode is None:
            messages.error(request, "This series has no episodes yet.")
            return redirect(title.get_absolute_url())
    elif episode_id is not None:
        return redirect("recommendations:player", slug=slug)
    start = selectors.resume_position(profile=request.profile, title=title, episode=episode)
    runtime_minutes = (
        episode.runtime_minutes if episode else title.runtime_minutes or 0
    ) or settings.MARQUEE_DEFAULT_RUNTIME_MINUTES
    return TemplateResponse(
        request,
        "recommendations/player.html",
        {
            "title": title,
            "episode": episode,
            "next_episode": selectors.next_episode(episode) if episode else None,
            "start_position": start,
            "runtime_seconds": runtime_minutes * 60,
            "private_session": request.profile.private_session,
        },
    )


def _list_page(
    request: HtmxHttpRequest,
    template: str,
    rows: QuerySet,
    extra: dict[str, object] | None = None,
) -> HttpResponse:
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    start = (number - 1) * PAGE_SIZE
    items = list(rows[start : start + PAGE_SIZE + 1])
    context = {
        "items": items[:PAGE_SIZE],
        "page_number": number,
        "has_next": len(items) > PAGE_SIZE,
        **(extra or {}),
    }
    return TemplateResponse(request, template, context)


@profile_required
@require_GET
def history(request: HtmxHttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    rows = selectors.history_list(profile=request.profile, kind=kind)
    return _list_page(
        request,
        "recommendations/history.html",
        rows,
        {"kind": kind if kind in Title.Kind.values else "", "kinds": Title.Kind.choices},
    )


@profile_required
@require_GET
def ratings(request: HtmxHttpRequest) -> HttpResponse:
    response = _list_page(
        request, "recommendations/ratings.html", selectors.rating_list(profile=request.profile)
    )
    # The rating widget reads the profile's rating from the title, as on cards.
    for rating in response.context_data["items"]:
        rating.title.my_stars, rating.title.my_thumbs = rating.stars, rating.thumbs
    return response


@profile_required
@require_GET
def my_list(request: HtmxHttpRequest) -> HttpResponse:
    titles = selectors.titles_with_profile_state(
        selectors.my_list_titles(profile=request.profile), profile=request.profile
    )
    return _list_page(request, "recommendations/my_list.html", titles)


@profile_required
@require_GET
def not_interested_page(request: HtmxHttpRequest) -> HttpResponse:
    return _list_page(
        request,
        "recommendations/not_interested.html",
        selectors.not_interested_list(profile=request.profile),
    )


@profile_required
@require_GET
def top_picks(request: HtmxHttpRequest) -> HttpResponse:
    visible = title_visible_queryset(profile=request.profile)
    picks = selectors.top_picks(profile=request.profile, visible=visible, limit=100)
    return TemplateResponse(request, "recommendations/top_picks.html", {"items": picks})


@profile_required
@require_GET
def rate_watched(request: HtmxHttpRequest) -> HttpResponse:
    titles = selectors.titles_with_profile_state(
        selectors.finished_unrated(profile=request.profile), profile=request.profile
    )
    return _list_page(request, "recommendations/rate_watched.html", titles)
