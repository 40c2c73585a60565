"""Reading a media server's library and its users' played state over its REST API.

Jellyfin and Emby share their API (`/Items` paged by StartIndex and Limit, PascalCase,
positions in ticks); they differ in how the key is sent. Plex answers JSON when asked
(`Accept: application/json`), pages by X-Plex-Container-Start and -Size, and gives
durations and offsets in milliseconds. The README of tests/media_servers/fixtures names
the sources of every shape read here. No Django: the sync (`sync.py`) decides what the
items mean for the catalogue.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from recommendations.media_servers.payloads import user_id_normal
from recommendations.media_servers.values import (
    imdb_id,
    moment,
    seconds_of_millis,
    seconds_of_ticks,
    whole,
)

PAGE_SIZE = 200


class ServerError(Exception):
    """The server could not be read: unreachable, slow, refusing the key, or garbled."""


class Unauthorized(ServerError):
    pass


@dataclass(frozen=True)
class Person:
    name: str
    role: str  # "director", "actor", "writer"
    character: str = ""


@dataclass(frozen=True)
class LibraryItem:
    item_id: str
    is_series: bool
    name: str
    year: int | None
    imdb_id: str
    tmdb_id: int | None
    runtime_minutes: int | None
    overview: str
    genres: tuple[str, ...]
    people: tuple[Person, ...]
    maturity_rating: str
    image_path: str  # the poster's path on the server, "" when it has none


@dataclass(frozen=True)
class EpisodeItem:
    item_id: str
    season: int
    number: int
    name: str
    runtime_minutes: int | None
    overview: str


@dataclass(frozen=True)
class UserState:
    """Where one user is with one film or episode, as the server has it."""

    item_id: str  # the film's, or the episode's
    series_item_id: str  # the episode's series; "" for a film
    played: bool
    position_seconds: int
    last_played_at: datetime | None


@dataclass(frozen=True)
class ServerUser:
    user_id: str
    name: str


@dataclass
class Client:
    base_url: str
    api_key: str
    timeout: float = 20
    # Plex: the server's machineIdentifier, for links into its web app.
    server_id: str = field(default="", init=False)

    def image(self, path: str, *, max_bytes: int) -> bytes:
        """An image of the server's (a poster), at most `max_bytes`: ServerError otherwise."""
        body = self._fetch(
            path, {"maxWidth": 600} if path.startswith("/Items/") else None, max_bytes=max_bytes
        )
        if len(body) > max_bytes:
            raise ServerError(f"The image at {path} is larger than {max_bytes} bytes.")
        return body

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        body = self._fetch(path, params)
        try:
            return json.loads(body)
        except ValueError:
            raise ServerError(f"The server's answer to {path} is not JSON.") from None

    def _fetch(
        self, path: str, params: dict[str, Any] | None = None, *, max_bytes: int = -1
    ) -> bytes:
        url = self.base_url.rstrip("/") + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        request = urllib.request.Request(url, headers=self._headers())
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                # One byte over the limit is enough to refuse it.
                body = response.read(max_bytes + 1 if max_bytes >= 0 else -1)
        except urllib.error.HTTPError as error:
            if error.code in (401, 403):
                raise Unauthorized(f"The server refused the API key ({error.code}).") from None
            raise ServerError(f"The server answered {error.code} to {path}.") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            reason = getattr(error, "reason", error)
            raise ServerError(f"The server cannot be reached: {reason}.") from None
        return body

    def _headers(self) -> dict[str, str]:
        raise NotImplementedError


# --------------------------------------------------------------------------------------
# Jellyfin and Emby
# --------------------------------------------------------------------------------------

_ROLES = {"Director": "director", "Actor": "actor", "Writer": "writer", "GuestStar": "actor"}


class JellyfinClient(Client):
    FIELDS = "ProviderIds,Genres,People,Overview,OriginalTitle,DateCreated"

    def _headers(self) -> dict[str, str]:
        # The only form Jellyfin 12 accepts without its legacy setting.
        return {
            "Authorization": f'MediaBrowser Token="{self.api_key}"',
            "Accept": "application/json",
        }

    def users(self) -> list[ServerUser]:
        return [
            ServerUser(user_id_normal(user["Id"]), str(user.get("Name", "")))
            for user in self._get("/Users")
        ]

    def items(self) -> Iterator[LibraryItem]:
        for raw in self._paged(
            "/Items",
            {
                "Recursive": "true",
                "IncludeItemTypes": "Movie,Series",
                "Fields": self.FIELDS,
                "SortBy": "SortName",
            },
        ):
            self.server_id = self.server_id or str(raw.get("ServerId", ""))
            ids = {str(k).lower(): v for k, v in (raw.get("ProviderIds") or {}).items()}
            tags = raw.get("ImageTags") or {}
            yield LibraryItem(
                item_id=str(raw["Id"]),
                is_series=raw.get("Type") == "Series",
                name=str(raw.get("Name", "")),
                year=whole(raw.get("ProductionYear")),
                imdb_id=imdb_id(ids.get("imdb")),
                tmdb_id=whole(ids.get("tmdb")),
                runtime_minutes=_minutes(seconds_of_ticks(raw.get("RunTimeTicks"))),
                overview=str(raw.get("Overview") or ""),
                genres=tuple(str(g) for g in raw.get("Genres") or []),
                people=tuple(
                    Person(str(p.get("Name", "")), _ROLES[p.get("Type")], str(p.get("Role") or ""))
                    for p in raw.get("People") or []
                    if p.get("Type") in _ROLES and p.get("Name")
                ),
                maturity_rating=str(raw.get("OfficialRating") or ""),
                image_path=f"/Items/{raw['Id']}/Images/Primary" if "Primary" in tags else "",
            )

    def episodes(self, series_id: str) -> list[EpisodeItem]:
        found = self._get(f"/Shows/{series_id}/Episodes", {"Fields": "ProviderIds,Overview"})
        return [
            EpisodeItem(
                item_id=str(raw["Id"]),
                season=int(raw["ParentIndexNumber"]),
                number=int(raw["IndexNumber"]),
                name=str(raw.get("Name", "")),
                runtime_minutes=_minutes(seconds_of_ticks(raw.get("RunTimeTicks"))),
                overview=str(raw.get("Overview") or ""),
            )
            for raw in found.get("Items", [])
            if whole(raw.get("ParentIndexNumber")) and whole(raw.get("IndexNumber"))
        ]

    def states(self, user_id: str) -> Iterator[UserState]:
        """The user's played and resumable films and episodes."""
        for filters in ("IsPlayed", "IsResumable"):
            for raw in self._paged(
                f"/Users/{user_id}/Items",
                {
                    "Recursive": "true",
                    "IncludeItemTypes": "Movie,Episode",
                    "Filters": filters,
                    "Fields": "ProviderIds",
                },
            ):
                data = raw.get("UserData") or {}
                yield UserState(
                    item_id=str(raw["Id"]),
                    series_item_id=str(raw.get("SeriesId") or ""),
                    played=bool(data.get("Played")),
                    position_seconds=seconds_of_ticks(data.get("PlaybackPositionTicks")) or 0,
                    last_played_at=_when(data.get("LastPlayedDate")),
                )

    def _paged(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        start = 0
        while True:
            page = self._get(path, {**params, "StartIndex": start, "Limit": PAGE_SIZE})
            items = page.get("Items") or []
            yield from items
            start += len(items)
            if not items or start >= int(page.get("TotalRecordCount") or 0):
                return

    def web_url(self, item_id: str) -> str:
        query = urllib.parse.urlencode({"id": item_id, "serverId": self.server_id})
        return f"{self.base_url.rstrip('/')}/web/index.html#!/details?{query}"


class EmbyClient(JellyfinClient):
    def _headers(self) -> dict[str, str]:
        return {"X-Emby-Token": self.api_key, "Accept": "application/json"}

    def web_url(self, item_id: str) -> str:
        query = urllib.parse.urlencode({"id": item_id, "serverId": self.server_id})
        return f"{self.base_url.rstrip('/')}/web/index.html#!/item?{query}"


# --------------------------------------------------------------------------------------
# Plex
# --------------------------------------------------------------------------------------

_PLEX_ROLES = {"Director": "director", "Role": "actor", "Writer": "writer"}


class PlexClient(Client):
    def _headers(self) -> dict[str, str]:
        return {"X-Plex-Token": self.api_key, "Accept": "application/json"}

    def users(self) -> list[ServerUser]:
        accounts = self._get("/accounts").get("MediaContainer", {}).get("Account", [])
        return [
            ServerUser(user_id_normal(account["id"]), str(account.get("name", "")))
            for account in accounts
            # id 0 is Plex's own, nameless.
            if account.get("name")
        ]

    def identity(self) -> str:
        self.server_id = str(self._get("/identity")["MediaContainer"]["machineIdentifier"])
        return self.server_id

    def _sections(self) -> list[dict[str, Any]]:
        directories = self._get("/library/sections").get("MediaContainer", {}).get("Directory", [])
        return [d for d in directories if d.get("type") in ("movie", "show")]

    def items(self) -> Iterator[LibraryItem]:
        for section in self._sections():
            for raw in self._paged(f"/library/sections/{section['key']}/all"):
                yield self._item(raw)

    def _item(self, raw: dict[str, Any]) -> LibraryItem:
        guids = [str(g.get("id", "")) for g in raw.get("Guid") or []]
        people = [
            Person(str(p.get("tag", "")), role, str(p.get("role") or ""))
            for key, role in _PLEX_ROLES.items()
            for p in raw.get(key) or []
            if p.get("tag")
        ]
        return LibraryItem(
            item_id=str(raw["ratingKey"]),
            is_series=raw.get("type") == "show",
            name=str(raw.get("title", "")),
            year=whole(raw.get("year")),
            imdb_id=imdb_id(next((g[7:] for g in guids if g.startswith("imdb://")), "")),
            tmdb_id=whole(next((g[7:] for g in guids if g.startswith("tmdb://")), "")),
            runtime_minutes=_minutes(seconds_of_millis(raw.get("duration"))),
            overview=str(raw.get("summary") or ""),
            genres=tuple(str(g.get("tag")) for g in raw.get("Genre") or [] if g.get("tag")),
            people=tuple(people),
            maturity_rating=str(raw.get("contentRating") or ""),
            image_path=str(raw.get("thumb") or ""),
        )

    def episodes(self, series_id: str) -> list[EpisodeItem]:
        leaves = self._get(f"/library/metadata/{series_id}/allLeaves", {"includeGuids": 1})
        return [
            EpisodeItem(
                item_id=str(raw["ratingKey"]),
                season=int(raw["parentIndex"]),
                number=int(raw["index"]),
                name=str(raw.get("title", "")),
                runtime_minutes=_minutes(seconds_of_millis(raw.get("duration"))),
                overview=str(raw.get("summary") or ""),
            )
            for raw in leaves.get("MediaContainer", {}).get("Metadata", [])
            if whole(raw.get("parentIndex")) and whole(raw.get("index"))
        ]

    def states(self, user_id: str) -> Iterator[UserState]:
        """The token's owner's state (Plex tells another user's only to that user's own
        token): films from the library listing, episodes from each show's leaves."""
        for section in self._sections():
            for raw in self._paged(f"/library/sections/{section['key']}/all"):
                if raw.get("type") == "show":
                    yield from self._show_states(str(raw["ratingKey"]))
                elif raw.get("viewCount") or raw.get("viewOffset"):
                    yield self._state(raw, "")

    def _show_states(self, show_id: str) -> Iterator[UserState]:
        leaves = self._get(f"/library/metadata/{show_id}/allLeaves", {"includeGuids": 1})
        for raw in leaves.get("MediaContainer", {}).get("Metadata", []):
            if raw.get("viewCount") or raw.get("viewOffset"):
                yield self._state(raw, show_id)

    @staticmethod
    def _state(raw: dict[str, Any], series_id: str) -> UserState:
        viewed = whole(raw.get("lastViewedAt"))
        return UserState(
            item_id=str(raw["ratingKey"]),
            series_item_id=series_id,
            played=bool(raw.get("viewCount")) and not raw.get("viewOffset"),
            position_seconds=seconds_of_millis(raw.get("viewOffset")) or 0,
            last_played_at=datetime.fromtimestamp(viewed, UTC) if viewed else None,
        )

    def _paged(self, path: str) -> Iterator[dict[str, Any]]:
        start = 0
        while True:
            page = self._get(
                path,
                {
                    "includeGuids": 1,
                    "X-Plex-Container-Start": start,
                    "X-Plex-Container-Size": PAGE_SIZE,
                },
            ).get("MediaContainer", {})
            items = page.get("Metadata") or []
            yield from items
            start += len(items)
            if not items or start >= int(page.get("totalSize") or page.get("size") or 0):
                return

    def web_url(self, item_id: str) -> str:
        key = urllib.parse.quote(f"/library/metadata/{item_id}", safe="")
        base = self.base_url.rstrip("/")
        return f"{base}/web/index.html#!/server/{self.server_id}/details?key={key}"


CLIENTS: dict[str, type[Client]] = {
    "jellyfin": JellyfinClient,
    "emby": EmbyClient,
    "plex": PlexClient,
}


# --------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------


def _minutes(seconds: int | None) -> int | None:
    return max(1, round(seconds / 60)) if seconds else None


def _when(value: object) -> datetime | None:
    try:
        return moment(value)
    except ValueError:
        return None
