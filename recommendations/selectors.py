"""Reads of a profile's signals: what the pages, the API and the exports show."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from accounts.models import Profile
from catalog.models import Episode, Title, title_visibility
from recommendations.models import (
    ListItem,
    NotInterested,
    Rating,
    TasteExclusion,
    WatchEvent,
    WatchProgress,
)


def titles_with_profile_state(
    titles: QuerySet[Title], *, profile: Profile | None
) -> QuerySet[Title]:
    """Annotate titles with the profile's rating, My List, progress and refusals.

    Subqueries in the same SELECT, so a row of cards costs no extra query.
    """
    if profile is None:
        return titles
    mine = {"profile": profile, "title": OuterRef("pk")}
    title_progress = WatchProgress.objects.filter(**mine, episode__isnull=True)
    return titles.annotate(
        my_stars=Subquery(Rating.objects.filter(**mine).values("stars")[:1]),
        my_thumbs=Subquery(Rating.objects.filter(**mine).values("thumbs")[:1]),
        in_my_list=Exists(ListItem.objects.filter(**mine)),
        is_not_interested=Exists(NotInterested.objects.filter(**mine)),
        progress_percent=Subquery(title_progress.values("percent")[:1]),
        progress_completed=Subquery(title_progress.values("completed")[:1]),
    )


def card_state(titles: QuerySet[Title], profile: Profile) -> QuerySet[Title]:
    """The annotation the catalogue's cards use (registered in RecommendationsConfig.ready)."""
    return titles_with_profile_state(titles, profile=profile)


@dataclass(frozen=True)
class Resume:
    """Where Play starts: an episode for a series, and a position in seconds.

    `verb` says it on the button: "Play" (from the start: a new title, or the next
    episode), "Resume" (inside it) or "Watch again" (a finished title, from the start).
    """

    episode: Episode | None
    position: int
    verb: str = "Play"


@dataclass(frozen=True)
class TitleState:
    rating: Rating | None
    in_list: bool
    not_interested: bool
    excluded_from_taste: bool
    progress: WatchProgress | None
    resume: Resume


def progress_at_end(progress: WatchProgress) -> bool:
    """Stopped in the end credits or later: Play starts the next episode, or over.

    The same threshold that counts a viewing as finished (MARQUEE_COMPLETED_AT).
    """
    return progress.last_position >= progress.runtime_seconds * settings.MARQUEE_COMPLETED_AT


def _first_episode(title: Title) -> Episode | None:
    return (
        Episode.objects.filter(season__title=title)
        .select_related("season")
        .order_by("season__number", "number")
        .first()
    )


def _resume(
    title: Title, progress: WatchProgress | None, episode_progress: WatchProgress | None
) -> Resume:
    if not title.is_series:
        if progress is None:
            return Resume(episode=None, position=0)
        if progress_at_end(progress):
            return Resume(episode=None, position=0, verb="Watch again")
        if progress.last_position:
            return Resume(episode=None, position=progress.last_position, verb="Resume")
        return Resume(
            episode=None, position=0, verb="Watch again" if progress.completed else "Play"
        )
    episode = progress.current_episode if progress else None
    if episode is None:
        # Never played (or only marked as watched): from the first episode.
        verb = "Watch again" if progress is not None and progress.completed else "Play"
        return Resume(episode=_first_episode(title), position=0, verb=verb)
    if episode_progress is None or not episode_progress.last_position:
        return Resume(episode=episode, position=0)
    if not progress_at_end(episode_progress):
        return Resume(episode=episode, position=episode_progress.last_position, verb="Resume")
    # The series' rollup moves on to the next episode when one ends; a rollup left on a
    # finished episode (the final one, or one written before that rule) resumes here.
    following = next_episode(episode)
    if following is not None:
        return Resume(episode=following, position=0)
    return Resume(episode=_first_episode(title), position=0, verb="Watch again")


def title_state(*, profile: Profile, title: Title) -> TitleState:
    """Everything the title page shows about this profile and this title."""
    progress = (
        WatchProgress.objects.filter(profile=profile, title=title, episode__isnull=True)
        .select_related("current_episode__season")
        .first()
    )
    episode_progress = None
    if title.is_series and progress is not None and progress.current_episode_id:
        episode_progress = WatchProgress.objects.filter(
            profile=profile, episode_id=progress.current_episode_id
        ).first()
    flags = (
        Title.objects.filter(pk=title.pk)
        .annotate(
            in_list=Exists(ListItem.objects.filter(profile=profile, title=OuterRef("pk"))),
            not_interested=Exists(
                NotInterested.objects.filter(profile=profile, title=OuterRef("pk"))
            ),
            excluded=Exists(TasteExclusion.objects.filter(profile=profile, title=OuterRef("pk"))),
        )
        .values("in_list", "not_interested", "excluded")
        .get()
    )
    return TitleState(
        rating=Rating.objects.filter(profile=profile, title=title).first(),
        in_list=flags["in_list"],
        not_interested=flags["not_interested"],
        excluded_from_taste=flags["excluded"],
        progress=progress,
        resume=_resume(title, progress, episode_progress),
    )


def history_list(*, profile: Profile, kind: str | None = None) -> QuerySet[WatchProgress]:
    """What the profile watched, newest first: one row per film or series."""
    rows = (
        # The profile's maturity limit as everywhere: a kids profile (or one whose limit
        # was lowered since) never sees the name of a title above it, even its own row.
        WatchProgress.objects.filter(profile=profile, episode__isnull=True)
        .filter(title_visibility(profile, through="title__"))
        .select_related("title", "current_episode__season")
        .annotate(
            excluded_from_taste=Exists(
                TasteExclusion.objects.filter(profile=profile, title=OuterRef("title"))
            ),
            my_stars=Subquery(
                Rating.objects.filter(profile=profile, title=OuterRef("title")).values("stars")[:1]
            ),
        )
        .order_by("-last_watched_at", "-id")
    )
    if kind in Title.Kind.values:
        rows = rows.filter(title__kind=kind)
    return rows


def rating_list(*, profile: Profile) -> QuerySet[Rating]:
    return (
        Rating.objects.filter(profile=profile)
        .filter(title_visibility(profile, through="title__"))
        .select_related("title")
        .annotate(
            excluded_from_taste=Exists(
                TasteExclusion.objects.filter(profile=profile, title=OuterRef("title"))
            )
        )
        .order_by("-rated_at", "-id")
    )


def my_list(*, profile: Profile) -> QuerySet[ListItem]:
    return (
        ListItem.objects.filter(profile=profile)
        .filter(title_visibility(profile, through="title__"))
        .select_related("title")
        .order_by("-added_at", "-id")
    )


def not_interested_list(*, profile: Profile) -> QuerySet[NotInterested]:
    return (
        NotInterested.objects.filter(profile=profile)
        .filter(title_visibility(profile, through="title__"))
        .select_related("title")
        .order_by("-created_at", "-id")
    )


def finished_unrated(*, profile: Profile) -> QuerySet[Title]:
    """ "Rate what you watched": finished titles the profile has not rated."""
    finished = WatchProgress.objects.filter(
        profile=profile, episode__isnull=True, completed=True, title=OuterRef("pk")
    )
    rated = Rating.objects.filter(profile=profile, title=OuterRef("pk"))
    last_finished = finished.order_by("-completed_at").values("completed_at")[:1]
    return (
        Title.objects.visible_to(profile)
        .filter(Exists(finished))
        .exclude(Exists(rated))
        .annotate(finished_at=Subquery(last_finished))
        .order_by("-finished_at", "name")
    )


def my_list_titles(*, profile: Profile) -> QuerySet[Title]:
    """Published titles on My List, most recently added first."""
    added = ListItem.objects.filter(profile=profile, title=OuterRef("pk")).values("added_at")[:1]
    on_list = ListItem.objects.filter(profile=profile).values("title")
    return (
        Title.objects.visible_to(profile)
        .filter(pk__in=on_list)
        .annotate(added_to_list_at=Subquery(added))
        .order_by("-added_to_list_at", "-id")
    )


def resume_position(*, profile: Profile, title: Title, episode: Episode | None) -> int:
    """Where the player starts: the last position, or the beginning once finished."""
    progress = WatchProgress.objects.filter(profile=profile, title=title, episode=episode).first()
    if progress is None or progress_at_end(progress):
        return 0
    return progress.last_position


def watch_event_stored(*, profile_id: int, client_event_id: uuid.UUID) -> bool:
    """Whether the profile's player event with this id is stored (one indexed query)."""
    return WatchEvent.objects.filter(
        profile_id=profile_id, client_event_id=client_event_id
    ).exists()


def next_episode(episode: Episode) -> Episode | None:
    season = episode.season
    return (
        Episode.objects.filter(season__title_id=season.title_id)
        .filter(
            Q(season__number__gt=season.number)
            | Q(season__number=season.number, number__gt=episode.number)
        )
        .select_related("season")
        .order_by("season__number", "number")
        .first()
    )
