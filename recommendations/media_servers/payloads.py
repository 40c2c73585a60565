"""What Jellyfin, Emby and Plex send when someone plays, stops, finishes or rates a title.

Each server's webhook body becomes one `Play`: who (the server's user), what (its item,
with the ids and names that find it in the catalogue), what happened, where in the item
and when. No Django here: the site decides what a `Play` means for a profile.

The formats, as the servers and their webhook plugins send them (the recorded bodies in
tests/media_servers/fixtures and their README name the sources):

- Jellyfin, the webhook plugin's "Generic" destination with the template Marquee gives
  (README): JSON, flat, `NotificationType` PlaybackStart/PlaybackProgress/PlaybackStop or
  UserDataSaved, positions in ticks of 100 ns, ids with dashes (the REST API has none).
  The "Send All Properties" option sends the plugin's own object: the same keys.
- Emby: JSON (`Event` playback.start/pause/unpause/stop, item.markplayed), the item with
  its `ProviderIds`, the position in `PlaybackInfo.PositionTicks`.
- Plex: the `payload` part of a multipart body (`event` media.play/pause/resume/stop/
  scrobble/rate), positions and durations in milliseconds, external ids in
  `Metadata.Guid` as "imdb://tt…" and "tmdb://…", `userRating` from 0 to 10. Plex sends
  no time: the time it arrived stands in.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from recommendations.media_servers.values import (
    imdb_id,
    moment,
    seconds_of_millis,
    seconds_of_ticks,
    whole,
)


class ServerKind(StrEnum):
    JELLYFIN = "jellyfin"
    EMBY = "emby"
    PLEX = "plex"


class Action(StrEnum):
    START = "start"
    PROGRESS = "progress"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"
    # The server says the item was watched to its end (or marked played by hand).
    FINISHED = "finished"
    RATE = "rate"


class PayloadError(ValueError):
    """The body is not a webhook this server sends; the message says what is wrong."""


class Ignored(Exception):
    """A well-formed event that says nothing about watching (a library scan, a login)."""


@dataclass(frozen=True)
class Play:
    action: Action
    user_id: str
    user_name: str
    item_id: str
    is_episode: bool
    # The film's or the episode's own name; for an episode, its series' name apart.
    name: str
    year: int | None
    series_name: str
    season: int | None
    episode: int | None
    imdb_id: str
    tmdb_id: int | None
    position_seconds: int | None
    runtime_seconds: int | None
    occurred_at: datetime
    # Stars out of 5, for RATE; None clears the rating.
    stars: float | None
    # The same event sent twice (a retry) has the same key.
    event_key: str


def parse(kind: ServerKind, text: str, *, received_at: datetime) -> Play:
    """The Play of one webhook body (JSON text). PayloadError or Ignored otherwise."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError) as error:
        raise PayloadError(f"The body is not JSON: {error}.") from None
    if not isinstance(data, dict):
        raise PayloadError("The body is not a JSON object.")
    parser = {
        ServerKind.JELLYFIN: _jellyfin,
        ServerKind.EMBY: _emby,
        ServerKind.PLEX: _plex,
    }[kind]
    try:
        return parser(data, received_at)
    except (KeyError, TypeError, AttributeError) as error:
        raise PayloadError(f"A field is missing or of the wrong type: {error}.") from None


def user_id_normal(value: object) -> str:
    """A server's user id as Marquee keeps it: Jellyfin's webhook prints ids with dashes
    and its REST API without; the case of hex digits varies."""
    return str(value or "").replace("-", "").strip().lower()


# --------------------------------------------------------------------------------------
# Jellyfin
# --------------------------------------------------------------------------------------

_JELLYFIN_ACTIONS = {
    "PlaybackStart": Action.START,
    "PlaybackProgress": Action.PROGRESS,
    "PlaybackStop": Action.STOP,
}


def _jellyfin(data: dict[str, Any], received_at: datetime) -> Play:
    notification = _text(data.get("NotificationType"))
    if not notification:
        raise PayloadError("NotificationType is missing: is this the Jellyfin webhook plugin?")
    item_type = _text(data.get("ItemType"))
    if notification == "UserDataSaved":
        # Marked played by hand; other user-data saves (a favourite, a position saved
        # while playing) say nothing new.
        if not (_bool(data.get("Played")) and _text(data.get("SaveReason")) == "TogglePlayed"):
            raise Ignored("A user-data save that is not 'marked played'.")
        action = Action.FINISHED
    elif notification in _JELLYFIN_ACTIONS:
        action = _JELLYFIN_ACTIONS[notification]
        if action == Action.PROGRESS and _bool(data.get("IsPaused")):
            action = Action.PAUSE
        if action == Action.STOP and _bool(data.get("PlayedToCompletion")):
            action = Action.FINISHED
    else:
        raise Ignored(f"{notification} is not about watching.")
    if item_type not in ("Movie", "Episode"):
        raise _not_a_film(item_type)
    occurred_at = _when(data.get("UtcTimestamp")) or received_at
    runtime = seconds_of_ticks(data.get("RunTimeTicks"))
    position = seconds_of_ticks(data.get("PlaybackPositionTicks"))
    user_id = user_id_normal(data.get("UserId"))
    item_id = user_id_normal(data.get("ItemId"))
    if not user_id or not item_id:
        raise PayloadError("UserId and ItemId are required.")
    return Play(
        action=action,
        user_id=user_id,
        # Printed with Handlebars' double braces, which HTML-encode it.
        user_name=html.unescape(_text(data.get("NotificationUsername"))),
        item_id=item_id,
        is_episode=item_type == "Episode",
        name=_text(data.get("Name")),
        year=whole(data.get("Year")),
        series_name=_text(data.get("SeriesName")),
        season=whole(data.get("SeasonNumber", data.get("SeasonNumber00"))),
        episode=whole(data.get("EpisodeNumber", data.get("EpisodeNumber00"))),
        imdb_id=imdb_id(data.get("Provider_imdb")),
        tmdb_id=whole(data.get("Provider_tmdb")),
        position_seconds=position,
        runtime_seconds=runtime,
        occurred_at=occurred_at,
        stars=None,
        event_key=_key("jellyfin", notification, user_id, item_id, occurred_at, position),
    )


# --------------------------------------------------------------------------------------
# Emby
# --------------------------------------------------------------------------------------

_EMBY_ACTIONS = {
    "playback.start": Action.START,
    "playback.pause": Action.PAUSE,
    "playback.unpause": Action.RESUME,
    "playback.stop": Action.STOP,
    "playback.progress": Action.PROGRESS,
    "item.markplayed": Action.FINISHED,
}


def _emby(data: dict[str, Any], received_at: datetime) -> Play:
    event = _text(data.get("Event"))
    if not event:
        raise PayloadError("Event is missing: is this an Emby webhook?")
    if event not in _EMBY_ACTIONS:
        raise Ignored(f"{event} is not about watching.")
    action = _EMBY_ACTIONS[event]
    item, user = data.get("Item"), data.get("User")
    if not isinstance(item, dict) or not isinstance(user, dict):
        raise PayloadError("Item and User are required.")
    info = data.get("PlaybackInfo") or {}
    if action == Action.STOP and _bool(info.get("PlayedToCompletion")):
        action = Action.FINISHED
    item_type = _text(item.get("Type"))
    if item_type not in ("Movie", "Episode"):
        raise _not_a_film(item_type)
    ids = {str(k).lower(): v for k, v in (item.get("ProviderIds") or {}).items()}
    occurred_at = _when(data.get("Date")) or received_at
    position = seconds_of_ticks(info.get("PositionTicks"))
    user_id = user_id_normal(user.get("Id"))
    item_id = _text(item.get("Id"))
    if not user_id or not item_id:
        raise PayloadError("User.Id and Item.Id are required.")
    return Play(
        action=action,
        user_id=user_id,
        user_name=_text(user.get("Name")),
        item_id=item_id,
        is_episode=item_type == "Episode",
        name=_text(item.get("Name")),
        year=whole(item.get("ProductionYear")),
        series_name=_text(item.get("SeriesName")),
        season=whole(item.get("ParentIndexNumber")),
        episode=whole(item.get("IndexNumber")),
        imdb_id=imdb_id(ids.get("imdb")),
        tmdb_id=whole(ids.get("tmdb")),
        position_seconds=position,
        runtime_seconds=seconds_of_ticks(item.get("RunTimeTicks")),
        occurred_at=occurred_at,
        stars=None,
        event_key=_key("emby", event, user_id, item_id, occurred_at, position),
    )


# --------------------------------------------------------------------------------------
# Plex
# --------------------------------------------------------------------------------------

_PLEX_ACTIONS = {
    "media.play": Action.START,
    "media.resume": Action.RESUME,
    "media.pause": Action.PAUSE,
    "media.stop": Action.STOP,
    # Plex scrobbles at 90 %: the viewing counts as finished there.
    "media.scrobble": Action.FINISHED,
    "media.rate": Action.RATE,
}


def _plex(data: dict[str, Any], received_at: datetime) -> Play:
    event = _text(data.get("event"))
    if not event:
        raise PayloadError("event is missing: is this a Plex webhook payload?")
    if event not in _PLEX_ACTIONS:
        raise Ignored(f"{event} is not about watching.")
    action = _PLEX_ACTIONS[event]
    metadata, account = data.get("Metadata"), data.get("Account")
    if not isinstance(metadata, dict) or not isinstance(account, dict):
        raise PayloadError("Metadata and Account are required.")
    item_type = _text(metadata.get("type"))
    if item_type not in ("movie", "episode"):
        raise _not_a_film(item_type)
    guids = [_text(guid.get("id")) for guid in metadata.get("Guid") or []]
    imdb = next((g.removeprefix("imdb://") for g in guids if g.startswith("imdb://")), "")
    tmdb = next((g.removeprefix("tmdb://") for g in guids if g.startswith("tmdb://")), "")
    position = seconds_of_millis(metadata.get("viewOffset"))
    stars = None
    if action == Action.RATE:
        rating = data.get("rating", metadata.get("userRating"))
        # Plex rates from 0 to 10 in halves of a star; -1 or nothing clears it.
        stars = float(rating) / 2 if rating is not None and float(rating) > 0 else None
    user_id = user_id_normal(account.get("id"))
    item_id = _text(metadata.get("ratingKey"))
    if not user_id or not item_id:
        raise PayloadError("Account.id and Metadata.ratingKey are required.")
    is_episode = item_type == "episode"
    return Play(
        action=action,
        user_id=user_id,
        user_name=_text(account.get("title")),
        item_id=item_id,
        is_episode=is_episode,
        name=_text(metadata.get("title")),
        year=whole(metadata.get("year")),
        series_name=_text(metadata.get("grandparentTitle")) if is_episode else "",
        season=whole(metadata.get("parentIndex")) if is_episode else None,
        episode=whole(metadata.get("index")) if is_episode else None,
        imdb_id=imdb_id(imdb),
        tmdb_id=whole(tmdb),
        position_seconds=position,
        runtime_seconds=seconds_of_millis(metadata.get("duration")),
        occurred_at=received_at,
        stars=stars,
        # No time in the body: the same event at the same offset within a minute is one.
        event_key=_key(
            "plex",
            event,
            user_id,
            item_id,
            received_at.replace(second=0, microsecond=0),
            position,
            stars,
        ),
    )


# --------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------


def _not_a_film(item_type: str) -> Exception:
    if not item_type:
        return PayloadError("The item's type is missing.")
    return Ignored(f"A {item_type} is not a film or an episode.")


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _bool(value: object) -> bool:
    # Handlebars prints C# booleans as True/False.
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return value is True


def _when(value: object) -> datetime | None:
    try:
        return moment(value)
    except ValueError:
        raise PayloadError(f"{value!r} is not a time.") from None


def _key(*parts: object) -> str:
    text = "|".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(text.encode()).hexdigest()
