"""Pages and HTMX actions for a profile's signals: rating, My List, not interested,
watching, and the pages that list them. Every action works as a plain form post too."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import trigger_client_event

from accounts.decorators import profile_required
from accounts.navigation import safe_next
from catalog.models import Episode, Title
from catalog.video import ranged_response, video_file
from catalog.views import HtmxHttpRequest, page_number
from recommendations import selectors, services
from recommendations.core.page.intent import Intent
from recommendations.home.plan import home_plan
from recommendations.home.row_views import row_view
from recommendations.media_servers.selectors import web_client_url
from recommendations.onboarding import (
    MAX_PICKS,
    MIN_PICKS,
    TILE_FIELDS,
    onboarding_complete,
    onboarding_groups,
    onboarding_search,
    onboarding_skip,
    picked_title_ids,
)

# Rows and pages listen for this event to refresh what depends on the profile's signals.
SIGNALS_CHANGED = "signals-changed"
# Sent instead when a title was hidden and its card offers an Undo in place: rows keep
# still so that the Undo stays on screen. Two names rather than a detail the listeners
# filter on, because an htmx event filter (`[!detail.undo]`) is evaluated with eval,
# which the Content-Security-Policy refuses.
TITLE_HIDDEN = "title-hidden"
PAGE_SIZE = 48


def _title(request: HtmxHttpRequest, slug: str) -> Title:
    return get_object_or_404(Title.objects.visible_to(request.profile), slug=slug)


def _card_title(request: HtmxHttpRequest, slug: str) -> Title:
    """The title again with the profile's state, to re-render its card or widget."""
    titles = selectors.titles_with_profile_state(
        Title.objects.visible_to(request.profile), profile=request.profile
    )
    return get_object_or_404(titles, slug=slug)


def _back(request: HtmxHttpRequest, title: Title) -> HttpResponse:
    return redirect(safe_next(request, title.get_absolute_url()))


def _fragment(
    request: HtmxHttpRequest, template: str, context: dict[str, object], *, undo: bool = False
) -> HttpResponse:
    """The swapped widget, and the event that makes dependent rows re-fetch.

    With `undo` the card itself offers an Undo in place; the event is then TITLE_HIDDEN,
    which rows do not listen to, so that the Undo stays on screen.
    """
    response = TemplateResponse(request, template, context)
    _rebuild_home(request)
    event = TITLE_HIDDEN if undo else SIGNALS_CHANGED
    return trigger_client_event(response, event, {"title": context["title"].slug})


def _rebuild_home(request: HtmxHttpRequest) -> None:
    """Clicked on the home page: build its new plan now, in this response.

    The rows re-fetch as soon as this response arrives; with the plan already cached
    (shared with every process when the cache is Redis), each re-fetch is one query of
    cards instead of a dozen rows all folding in the same signal at once.
    """
    current = urlsplit(request.htmx.current_url or "")
    if current.path != reverse("recommendations:home") and not current.path.startswith("/rows/"):
        return
    intent = Intent.from_query(QueryDict(current.query))
    home_plan(profile=request.profile, intent=intent)


@profile_required
@require_http_methods(["GET", "POST"])
def rate(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    if request.method == "GET":
        # Cards fetch the widget when hovered or focused; without JS the title page has it.
        if request.htmx:
            context = {"title": _card_title(request, slug)}
            return TemplateResponse(request, "recommendations/_rating.html", context)
        return redirect(_title(request, slug).get_absolute_url() + "#your-rating")
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
        if error is None and "clear" not in request.POST:
            # The widget already shows the value chosen: redrawing it would drop a change
            # made while this request was on its way (arrow keys move on meanwhile).
            _rebuild_home(request)
            return trigger_client_event(
                HttpResponse(status=204), SIGNALS_CHANGED, {"title": title.slug}
            )
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
        context = {"title": _card_title(request, slug), "wide": request.POST.get("wide") == "1"}
        return _fragment(request, "recommendations/_list_button.html", context)
    return _back(request, title)


@profile_required
@require_POST
def not_interested(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    # Like any action, only on a title the profile may see: a kids profile marking an adult
    # title would find its name on its "not interested" page. A mark left from before a
    # limit was lowered stays hidden, and can be undone once the title is visible again.
    title = _title(request, slug)
    undo = request.POST.get("action") == "undo"
    if undo:
        services.not_interested_remove(profile=request.profile, title=title)
    else:
        services.not_interested_add(profile=request.profile, title=title)
    if request.htmx:
        template = "catalog/_title_card.html" if undo else "recommendations/_hidden_card.html"
        # Hiding leaves an Undo on the card, so the rows keep still; undoing refreshes them
        # and the title returns to its row with its match and evidence.
        context = {"title": _card_title(request, slug)}
        return _fragment(request, template, context, undo=not undo)
    if not undo:
        messages.info(request, f"“{title.name}” won’t be recommended to you again.")
    return _back(request, title)


@profile_required
@require_POST
def continue_remove(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    title = get_object_or_404(Title, slug=slug, is_published=True)
    services.continue_remove(profile=request.profile, title=title)
    if request.htmx:
        # The card goes at once; the row re-fetches and fills the gap.
        _rebuild_home(request)
        response = HttpResponse("")
        return trigger_client_event(response, SIGNALS_CHANGED, {"title": slug})
    messages.info(request, f"“{title.name}” is off Continue watching; your progress is kept.")
    return redirect(safe_next(request, reverse("recommendations:home")))


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
@require_safe
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
    real = web_client_url(profile=request.profile, title=title, episode=episode)
    if real is not None:
        # The household has it on a media server: it plays there, for real, and the
        # server's webhooks tell Marquee what was watched.
        return redirect(real)
    if episode_id is None:
        start = state.resume.position
    else:
        start = selectors.resume_position(profile=request.profile, title=title, episode=episode)
    runtime_minutes = (
        episode.runtime_minutes if episode else title.runtime_minutes or 0
    ) or settings.MARQUEE_DEFAULT_RUNTIME_MINUTES
    playable = episode or title
    video_src = playable.video_url or None
    if playable.video_path:
        video_src = (
            reverse("recommendations:video_episode", args=[title.slug, episode.pk])
            if episode
            else reverse("recommendations:video", args=[title.slug])
        )
    response = TemplateResponse(
        request,
        "recommendations/player.html",
        {
            "title": title,
            "episode": episode,
            "next_episode": selectors.next_episode(episode) if episode else None,
            "start_position": start,
            "runtime_seconds": runtime_minutes * 60,
            "private_session": request.profile.private_session,
            # For a series, how far into the whole series its resume point lies.
            "series_progress": state.progress if title.is_series else None,
            # A real video where a curator gave one; otherwise the player plays time.
            "video_src": video_src,
        },
    )
    if video_src and playable.video_url and not playable.video_path:
        # A stream on the household's network is another origin: this page may load it.
        stream = urlsplit(playable.video_url)
        response._csp_update = {"media-src": [f"{stream.scheme}://{stream.netloc}"]}
    return response


@profile_required
@require_safe
def video(request: HtmxHttpRequest, slug: str, episode_id: int | None = None) -> HttpResponse:
    """The video file of a title or episode the profile may watch, in byte ranges."""
    title = _title(request, slug)
    playable: Title | Episode = title
    if episode_id is not None:
        playable = get_object_or_404(Episode, pk=episode_id, season__title=title)
    if not playable.video_path:
        raise Http404("This title has no video file.")
    try:
        path = video_file(playable.video_path)
    except ValidationError:
        # Moved or deleted since the curator named it.
        raise Http404("The video file is not in the video folder any more.") from None
    return ranged_response(request, path)


def _list_page(
    request: HtmxHttpRequest,
    template: str,
    rows: QuerySet,
    extra: dict[str, object] | None = None,
) -> HttpResponse:
    number = page_number(request)
    start = (number - 1) * PAGE_SIZE
    items = list(rows[start : start + PAGE_SIZE + 1])
    if number > 1 and not items:
        raise Http404("No such page.")
    context = {
        "items": items[:PAGE_SIZE],
        "page_number": number,
        "has_next": len(items) > PAGE_SIZE,
        **(extra or {}),
    }
    return TemplateResponse(request, template, context)


@profile_required
@require_safe
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
@require_safe
def ratings(request: HtmxHttpRequest) -> HttpResponse:
    response = _list_page(
        request, "recommendations/ratings.html", selectors.rating_list(profile=request.profile)
    )
    # The rating widget reads the profile's rating from the title, as on cards.
    for rating in response.context_data["items"]:
        rating.title.my_stars, rating.title.my_thumbs = rating.stars, rating.thumbs
    return response


@profile_required
@require_safe
def my_list(request: HtmxHttpRequest) -> HttpResponse:
    titles = selectors.titles_with_profile_state(
        selectors.my_list_titles(profile=request.profile), profile=request.profile
    )
    return _list_page(request, "recommendations/my_list.html", titles)


@profile_required
@require_safe
def not_interested_page(request: HtmxHttpRequest) -> HttpResponse:
    return _list_page(
        request,
        "recommendations/not_interested.html",
        selectors.not_interested_list(profile=request.profile),
    )


@profile_required
@require_safe
def top_picks(request: HtmxHttpRequest) -> HttpResponse:
    """The home plan's Top picks row, all of it: the same titles, in the same order."""
    plan = home_plan(profile=request.profile)
    view = row_view(plan, "top-picks", profile=request.profile, full=True)
    picks = view.titles if view is not None else []
    return TemplateResponse(request, "recommendations/top_picks.html", {"items": picks})


@profile_required
@require_safe
def rate_watched(request: HtmxHttpRequest) -> HttpResponse:
    titles = selectors.titles_with_profile_state(
        selectors.finished_unrated(profile=request.profile), profile=request.profile
    )
    return _list_page(request, "recommendations/rate_watched.html", titles)


# The container that live search swaps; the view answers HTMX requests aimed at it with
# the fragment of the same name.
ONBOARDING_RESULTS = "onboarding-results"


def _onboarding_page(
    request: HtmxHttpRequest, data: QueryDict, error: str | None = None
) -> HttpResponse:
    profile = request.profile
    query = " ".join(data.get("q", "").split())
    picked = picked_title_ids(data.getlist("titles")[:MAX_PICKS])
    found = onboarding_search(profile=profile, query=query) if query else []
    groups = [] if query else onboarding_groups(profile=profile)
    shown = {title.pk for title in found} | {t.pk for group in groups for t in group.titles}
    # Ticked titles the grid or the results do not show stay on the page, ticked, so a
    # search (with or without JavaScript) never drops what was picked before it.
    unshown = [pk for pk in picked if pk not in shown]
    earlier = []
    if unshown:
        titles = Title.objects.visible_to(profile).only(*TILE_FIELDS).in_bulk(unshown)
        earlier = [titles[pk] for pk in unshown if pk in titles]
    context = {
        "query": query,
        "found": found,
        "groups": groups,
        "earlier_picks": earlier,
        "picked_ids": set(picked),
        "min_picks": MIN_PICKS,
        "next": data.get("next", ""),
        "error": error,
    }
    if request.htmx and request.htmx.target == ONBOARDING_RESULTS:
        return TemplateResponse(
            request, "recommendations/onboarding.html#onboarding_results", context
        )
    return TemplateResponse(
        request, "recommendations/onboarding.html", context, status=400 if error else 200
    )


@profile_required
@require_http_methods(["GET", "HEAD", "POST"])
def onboarding(request: HtmxHttpRequest) -> HttpResponse:
    """A new profile picks titles it likes (or skips), then goes home to see them used."""
    if request.method != "POST":
        return _onboarding_page(request, request.GET)
    home = safe_next(request, reverse("recommendations:home"))
    if "skip" in request.POST:
        onboarding_skip(profile=request.profile)
        return redirect(home)
    if "search" in request.POST:
        # Searching without JavaScript: the picks so far travel in the address of a plain
        # GET, and the CSRF token, posted with them, stays out of it.
        params = QueryDict(mutable=True)
        if request.POST["search"] != "clear" and request.POST.get("q", "").strip():
            params["q"] = request.POST["q"]
        if picked := request.POST.getlist("titles")[:MAX_PICKS]:
            params.setlist("titles", picked)
        if request.POST.get("next"):
            params["next"] = request.POST["next"]
        url = reverse("recommendations:onboarding")
        return redirect(f"{url}?{params.urlencode()}" if params else url)
    try:
        recorded = onboarding_complete(
            profile=request.profile, title_ids=request.POST.getlist("titles")
        )
    except ValidationError as exc:
        return _onboarding_page(request, request.POST, error=" ".join(exc.messages))
    if recorded:
        messages.success(
            request, f"Thanks! {request.profile.name}’s recommendations now start from your picks."
        )
    return redirect(home)
