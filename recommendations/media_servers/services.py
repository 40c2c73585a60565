"""What a media server's play does: the same watch events and ratings as Marquee's own.

A play from Jellyfin, Emby or Plex becomes one heartbeat of the built-in player's kind
(`watching.watch_events_record`), so the rollups, finishing rules, series episodes, the
private session and the fold-in all apply unchanged; a Plex rating becomes a rating. A
play whose user has no profile yet, or whose title the catalogue cannot find, is kept
aside (`UnmatchedPlay`) and counts once a curator places it.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from accounts.models import Profile
from catalog.models import Episode, Title
from config.enqueue import task_enqueue_named
from recommendations import services, watching
from recommendations.media_servers.models import (
    MediaServer,
    MediaServerUser,
    SyncStatus,
    UnmatchedPlay,
)
from recommendations.media_servers.payloads import Action, Play
from recommendations.models import Source, WatchEvent

logger = logging.getLogger(__name__)

# Client event ids of plays: one per server and event, the same when a server sends again.
PLAY_NAMESPACE = uuid.UUID("0b6f3c1e-8f1d-4f55-9a8e-5d2c7e4b1a90")

_KINDS = {
    Action.START: WatchEvent.Kind.START,
    Action.RESUME: WatchEvent.Kind.START,
    Action.PROGRESS: WatchEvent.Kind.PROGRESS,
    Action.PAUSE: WatchEvent.Kind.PAUSE,
    Action.STOP: WatchEvent.Kind.STOP,
    Action.FINISHED: WatchEvent.Kind.STOP,
}


@dataclass(frozen=True)
class Outcome:
    # recorded: it counts; repeated: it had already; kept: kept aside (user or title);
    # refused: it contradicts what is recorded (older, above a kid's limit).
    status: str
    detail: str


# --------------------------------------------------------------------------------------
# The webhook address
# --------------------------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def webhook_token_new(server: MediaServer) -> str:
    """A new private token for the server's webhook address; the old one stops working.

    Returns the token: it is not kept, so this is the only time it can be shown."""
    token = secrets.token_urlsafe(32)
    server.webhook_token_digest = token_digest(token)
    server.webhook_token_hint = token[-4:]
    if server.pk is not None:
        MediaServer.objects.filter(pk=server.pk).update(
            webhook_token_digest=server.webhook_token_digest,
            webhook_token_hint=server.webhook_token_hint,
        )
    return token


def sync_request(server: MediaServer) -> None:
    """Queue a library sync of the server, once this transaction commits; its status
    says "queued", and "failed" with the reason when the task queue cannot take it."""
    MediaServer.objects.filter(pk=server.pk).update(sync_status=SyncStatus.QUEUED, sync_progress="")
    transaction.on_commit(partial(_sync_enqueue, server.pk))


def _sync_enqueue(server_id: int) -> None:
    if not task_enqueue_named("recommendations.tasks.media_server_sync", server_id):
        MediaServer.objects.filter(pk=server_id).update(
            sync_status=SyncStatus.FAILED,
            last_sync_error="The task queue is down: try again shortly.",
        )


def server_by_token(token: str) -> MediaServer | None:
    return MediaServer.objects.filter(webhook_token_digest=token_digest(token)).first()


def server_error_note(server: MediaServer, message: str) -> None:
    """Count a refused body on the server, for the admin's error count."""
    MediaServer.objects.filter(pk=server.pk).update(
        events_rejected=F("events_rejected") + 1,
        last_error=message[:300],
        last_error_at=timezone.now(),
    )


# --------------------------------------------------------------------------------------
# Plays
# --------------------------------------------------------------------------------------


@transaction.atomic
def play_record(*, server: MediaServer, play: Play) -> Outcome:
    """Count one play for the profile its user watches as, or keep it aside."""
    now = timezone.now()
    user = _server_user(server, play, now)
    MediaServer.objects.filter(pk=server.pk).update(
        events_accepted=F("events_accepted") + 1, last_event_at=now
    )
    if user.profile is None:
        return _keep(server, user, play, UnmatchedPlay.Reason.USER)
    target = title_match(play)
    if target is None:
        return _keep(server, user, play, UnmatchedPlay.Reason.TITLE)
    return play_apply(server, user.profile, play, *target)


def _server_user(server: MediaServer, play: Play, now: datetime) -> MediaServerUser:
    if server.kind == MediaServer.Kind.PLEX and play.user_name:
        # Plex's webhooks name the owner by the plex.tv account id, its /accounts list
        # (the library sync's) by the server's own: the same person, found by name.
        named = (
            MediaServerUser.objects.select_related("profile")
            .filter(server=server, name__iexact=play.user_name)
            .exclude(external_id=play.user_id)
            .first()
        )
        if (
            named is not None
            and not MediaServerUser.objects.filter(server=server, external_id=play.user_id).exists()
        ):
            MediaServerUser.objects.filter(pk=named.pk).update(last_seen_at=now)
            return named
    user, created = MediaServerUser.objects.select_related("profile").get_or_create(
        server=server,
        external_id=play.user_id,
        defaults={"name": play.user_name[:150], "last_seen_at": now},
    )
    if not created:
        changes = {"last_seen_at": now}
        if play.user_name and play.user_name != user.name:
            changes["name"] = play.user_name[:150]
        MediaServerUser.objects.filter(pk=user.pk).update(**changes)
    return user


def title_by_ids_or_name(
    titles: QuerySet[Title], *, imdb_id: str, tmdb_id: int | None, name: str, year: int | None
) -> Title | None:
    """The one title of `titles` with this IMDb id, else this TMDb id, else this name
    and year (the name alone when the year is unknown, and no name: no title). Two
    candidates are none: two titles of one name are for a curator to tell apart."""
    by_name = Q(name__iexact=name, year=year) if year else Q(name__iexact=name)
    for lookup in (
        Q(imdb_id=imdb_id) if imdb_id else None,
        Q(tmdb_id=tmdb_id) if tmdb_id else None,
        by_name if name else None,
    ):
        if lookup is None:
            continue
        found = list(titles.filter(lookup)[:2])
        if len(found) == 1:
            return found[0]
    return None


def title_match(play: Play) -> tuple[Title, Episode | None] | None:
    """The catalogue's title (and episode) of a play: by IMDb id, then TMDb id, then name
    and year; for an episode, its series by name and the episode by season and number.
    Only a single candidate counts: two titles of one name are for a curator to tell."""
    titles = Title.objects.filter(is_published=True)
    if not play.is_episode:
        film = title_by_ids_or_name(
            titles.filter(kind=Title.Kind.MOVIE),
            imdb_id=play.imdb_id,
            tmdb_id=play.tmdb_id,
            # A webhook's name without a year is too loose to go by.
            name=play.name if play.year else "",
            year=play.year,
        )
        return (film, None) if film is not None else None
    if not play.series_name or play.season is None or play.episode is None:
        return None
    series = list(titles.filter(kind=Title.Kind.SERIES, name__iexact=play.series_name)[:2])
    if len(series) != 1:
        return None
    episode = (
        Episode.objects.select_related("season")
        .filter(season__title=series[0], season__number=play.season, number=play.episode)
        .first()
    )
    return (series[0], episode) if episode is not None else None


def play_apply(
    server: MediaServer, profile: Profile, play: Play, title: Title, episode: Episode | None
) -> Outcome:
    """One play of a known title for a profile: a heartbeat, or for RATE a rating."""
    if play.action == Action.RATE:
        return _rate(profile, title, play)
    ours = services.runtime_seconds(title, episode)
    position = play.position_seconds or 0
    if play.action == Action.FINISHED:
        # The server judged it finished (Plex at 90 %, a title marked played): the end.
        position = ours
    elif play.runtime_seconds:
        # The file and the catalogue disagree by minutes: the same share of the runtime.
        position = round(position * ours / play.runtime_seconds)
    heartbeat = watching.Heartbeat(
        client_event_id=uuid.uuid5(PLAY_NAMESPACE, f"{server.pk}:{play.event_key}"),
        title_id=title.pk,
        episode_id=episode.pk if episode else None,
        kind=_KINDS[play.action],
        position=max(0, min(position, ours)),
        occurred_at=min(play.occurred_at, timezone.now()),
    )
    try:
        new = watching.watch_events_record(profile=profile, heartbeats=[heartbeat])
    except watching.HeartbeatError as error:
        return Outcome("refused", error.reason)
    if not new:
        return Outcome("repeated", "This event was recorded already.")
    return Outcome("recorded", f"{play.action} of {title.name} for {profile.name}.")


def _rate(profile: Profile, title: Title, play: Play) -> Outcome:
    try:
        if play.stars is None:
            services.rating_clear(profile=profile, title=title)
            return Outcome("recorded", f"{profile.name}'s rating of {title.name} cleared.")
        # Half stars only; Plex rates in tenths of ten.
        stars = max(0.5, round(play.stars * 2) / 2)
        services.rating_set(
            profile=profile,
            title=title,
            stars=f"{stars:.1f}",
            source=Source.MEDIA_SERVER,
            rated_at=min(play.occurred_at, timezone.now()),
        )
    except ValidationError as error:
        return Outcome("refused", "; ".join(error.messages))
    return Outcome("recorded", f"{profile.name} rated {title.name} {stars:g} stars.")


def _keep(
    server: MediaServer, user: MediaServerUser, play: Play, reason: UnmatchedPlay.Reason
) -> Outcome:
    try:
        with transaction.atomic():
            UnmatchedPlay.objects.create(
                server=server,
                server_user=user,
                reason=reason,
                event_key=play.event_key,
                action=play.action,
                item_id=play.item_id[:100],
                is_episode=play.is_episode,
                name=play.name[:300],
                year=play.year if play.year and 0 < play.year < 32768 else None,
                series_name=play.series_name[:300],
                season=play.season if play.season and play.season > 0 else None,
                episode_number=play.episode if play.episode and play.episode > 0 else None,
                imdb_id=play.imdb_id,
                tmdb_id=play.tmdb_id if play.tmdb_id and play.tmdb_id > 0 else None,
                position_seconds=play.position_seconds,
                runtime_seconds=play.runtime_seconds,
                stars=play.stars,
                occurred_at=play.occurred_at,
            )
    except IntegrityError:
        return Outcome("repeated", "This event was kept aside already.")
    if reason == UnmatchedPlay.Reason.USER:
        detail = f"Kept aside: {user.name or user.external_id} is not mapped to a profile yet."
    else:
        detail = "Kept aside: no title in the catalogue matches it."
    return Outcome("kept", detail)


def unmatched_apply_query(plays: QuerySet[UnmatchedPlay]) -> dict[str, int]:
    """`unmatched_apply` of the plays of a query still kept aside, read in one query."""
    return unmatched_apply(
        list(
            plays.filter(applied_at=None).select_related(
                "server", "server_user__profile", "title", "episode"
            )
        )
    )


def unmatched_apply(plays: list[UnmatchedPlay]) -> dict[str, int]:
    """Count plays kept aside whose user now has a profile and whose title is now known
    (found again by its ids and name, or set by a curator), oldest first. A play still
    without either stays aside. Returns how many ended in each outcome."""
    counts: dict[str, int] = {}
    for kept in sorted(plays, key=lambda p: (p.occurred_at, p.pk)):
        if kept.applied_at is not None:
            continue
        user = kept.server_user
        if user.profile is None:
            counts["waiting"] = counts.get("waiting", 0) + 1
            continue
        play = _play_of(kept)
        target = (kept.title, kept.episode) if kept.title_id else title_match(play)
        if target is None:
            counts["waiting"] = counts.get("waiting", 0) + 1
            continue
        outcome = play_apply(kept.server, user.profile, play, *target)
        UnmatchedPlay.objects.filter(pk=kept.pk).update(
            applied_at=timezone.now(), outcome=f"{outcome.status}: {outcome.detail}"[:300]
        )
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    return counts


def _play_of(kept: UnmatchedPlay) -> Play:
    return Play(
        action=Action(kept.action),
        user_id=kept.server_user.external_id,
        user_name=kept.server_user.name,
        item_id=kept.item_id,
        is_episode=kept.is_episode,
        name=kept.name,
        year=kept.year,
        series_name=kept.series_name,
        season=kept.season,
        episode=kept.episode_number,
        imdb_id=kept.imdb_id,
        tmdb_id=kept.tmdb_id,
        position_seconds=kept.position_seconds,
        runtime_seconds=kept.runtime_seconds,
        occurred_at=kept.occurred_at,
        stars=float(kept.stars) if kept.stars is not None else None,
        event_key=kept.event_key,
    )
