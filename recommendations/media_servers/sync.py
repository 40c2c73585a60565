"""A media server's library in the catalogue, and its users' played state in their profiles.

Webhooks get lost (a server restarted, Marquee down for an update), so a sync reads
everything again: every film and series with its episodes becomes a title of the
catalogue (found by IMDb or TMDb id, or name and year, else added), marked available on
that server; then each mapped user's played and resumable items become the same watch
events a webhook would have sent (`services.play_apply`), idempotent across syncs.

Each item is written in its own transaction, whole or not at all. A server that stops
answering mid-sync fails the sync with its reason; what was written stays whole, nothing
is marked gone, and the next sync carries on. Only a listing read to its end says which
items the server no longer has.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image

from catalog.maturity import MaturityRating
from catalog.models import (
    MAX_RUNTIME,
    MAX_YEAR,
    MIN_YEAR,
    Credit,
    Episode,
    Genre,
    Person,
    Season,
    Title,
)
from catalog.posters import poster_upload_validate
from config.secret_box import SecretUnreadable, unseal
from recommendations.home import catalogue as home_catalogue
from recommendations.media_servers import services
from recommendations.media_servers.clients import (
    CLIENTS,
    Client,
    EpisodeItem,
    LibraryItem,
    ServerError,
    UserState,
)
from recommendations.media_servers.models import (
    Availability,
    MediaServer,
    MediaServerUser,
    SyncStatus,
)
from recommendations.media_servers.payloads import Action, Play

logger = logging.getLogger(__name__)

ACTORS_KEPT = 10
# The server owner's id in Plex's /accounts: whose state the server's token reads.
PLEX_OWNER = "1"
PROGRESS_EVERY = 25


class SyncError(Exception):
    pass


@dataclass
class SyncReport:
    users_added: int = 0
    titles_added: int = 0
    titles_found: int = 0
    episodes_added: int = 0
    posters: int = 0
    gone: int = 0
    states: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        states = ", ".join(f"{n} {status}" for status, n in sorted(self.states.items()))
        return (
            f"{self.titles_found + self.titles_added} titles ({self.titles_added} new), "
            f"{self.episodes_added} new episodes, {self.posters} posters, "
            f"{self.gone} gone from the server; "
            f"played state: {states or 'nothing new'}."
        )


def client_for(server: MediaServer, *, timeout: float) -> Client:
    if not server.api_key_sealed:
        raise SyncError("No API key: enter the server's API key (Plex: its token) first.")
    try:
        key = unseal(server.api_key_sealed)
    except SecretUnreadable as error:
        raise SyncError(str(error)) from None
    client = CLIENTS[server.kind](base_url=server.base_url, api_key=key, timeout=timeout)
    client.server_id = server.server_id
    return client


def library_sync(
    server: MediaServer, client: Client, *, progress: Callable[[str], None] = lambda _t: None
) -> SyncReport:
    """Read the whole library and the mapped users' state. ServerError when the server
    cannot be read; what was written before stays, whole."""
    report = SyncReport()
    now = timezone.now()
    if server.kind == MediaServer.Kind.PLEX:
        client.identity()
    report.users_added = _users_write(server, client)
    seen: set[str] = set()
    for number, item in enumerate(client.items(), start=1):
        episodes = client.episodes(item.item_id) if item.is_series else []
        title, written = _item_write(server, item, episodes, now, report)
        seen |= written
        if not title.poster and item.image_path:
            report.posters += _poster_fetch(client, title, item.image_path)
        if number % PROGRESS_EVERY == 0:
            progress(f"{number} titles read")
    if client.server_id and client.server_id != server.server_id:
        MediaServer.objects.filter(pk=server.pk).update(server_id=client.server_id)
        server.server_id = client.server_id
    report.gone, _ = Availability.objects.filter(server=server).exclude(item_id__in=seen).delete()
    # "Only what we own" rows draw from what the servers hold.
    home_catalogue.catalogue_changed()
    progress("played state")
    users = server.users.filter(profile__isnull=False).select_related("profile")
    if server.kind == MediaServer.Kind.PLEX:
        # Plex tells a user's state only to that user's own token, which only plex.tv
        # hands out: the server's token reads its owner's (account 1 in /accounts);
        # the other users' plays arrive by webhook.
        users = users.filter(external_id=PLEX_OWNER)
    for user in users:
        for state in client.states(user.external_id):
            status = _state_apply(server, user.profile, state)
            report.states[status] = report.states.get(status, 0) + 1
    return report


def sync_run(server_id: int, *, timeout: float) -> SyncReport | None:
    """The sync a task or a curator starts: its status and progress on the server row."""
    server = MediaServer.objects.get(pk=server_id)

    def progress(text: str) -> None:
        MediaServer.objects.filter(pk=server.pk).update(sync_progress=text[:200])

    MediaServer.objects.filter(pk=server.pk).update(
        sync_status=SyncStatus.RUNNING, sync_progress="starting"
    )
    try:
        report = library_sync(server, client_for(server, timeout=timeout), progress=progress)
    except (SyncError, ServerError) as error:
        logger.warning("Library sync of media server %s failed: %s", server.pk, error)
        MediaServer.objects.filter(pk=server.pk).update(
            sync_status=SyncStatus.FAILED,
            sync_progress="",
            last_sync_error=str(error)[:300],
            last_sync_at=timezone.now(),
        )
        return None
    MediaServer.objects.filter(pk=server.pk).update(
        sync_status=SyncStatus.DONE,
        sync_progress=report.summary()[:200],
        last_sync_error="",
        last_sync_at=timezone.now(),
    )
    return report


# --------------------------------------------------------------------------------------
# The catalogue
# --------------------------------------------------------------------------------------


def _users_write(server: MediaServer, client: Client) -> int:
    """The server's users, for a curator to choose their profiles from; a new name is
    taken, a profile chosen stays."""
    added = 0
    for user in client.users():
        found, created = MediaServerUser.objects.get_or_create(
            server=server, external_id=user.user_id, defaults={"name": user.name[:150]}
        )
        added += created
        if not created and user.name and found.name != user.name:
            MediaServerUser.objects.filter(pk=found.pk).update(name=user.name[:150])
    return added


@transaction.atomic
def _item_write(
    server: MediaServer,
    item: LibraryItem,
    episodes: list[EpisodeItem],
    now: datetime,
    report: SyncReport,
) -> tuple[Title, set[str]]:
    title, created = _title_find_or_add(item)
    if created:
        report.titles_added += 1
    else:
        report.titles_found += 1
        _title_fill(title, item)
    rows = [Availability(server=server, item_id=item.item_id, title=title, seen_at=now)]
    for found in episodes:
        episode, added = _episode_find_or_add(title, found)
        report.episodes_added += added
        rows.append(
            Availability(
                server=server, item_id=found.item_id, title=title, episode=episode, seen_at=now
            )
        )
    Availability.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["server", "item_id"],
        update_fields=["title", "episode", "seen_at"],
    )
    return title, {row.item_id for row in rows}


def _title_find_or_add(item: LibraryItem) -> tuple[Title, bool]:
    kind = Title.Kind.SERIES if item.is_series else Title.Kind.MOVIE
    found = services.title_by_ids_or_name(
        Title.objects.filter(kind=kind),
        imdb_id=item.imdb_id,
        tmdb_id=item.tmdb_id,
        name=item.name,
        year=item.year,
    )
    if found is not None:
        return found, False
    rating = item.maturity_rating if item.maturity_rating in MaturityRating.values else "NR"
    title = Title.objects.create(
        kind=kind,
        name=item.name[:255] or item.item_id,
        slug=_slug_free(Title, f"{item.name} {item.year or ''}"),
        synopsis=item.overview,
        year=item.year if item.year and MIN_YEAR <= item.year <= MAX_YEAR else None,
        runtime_minutes=_runtime(item.runtime_minutes),
        maturity_rating=rating,
        imdb_id=_free_id("imdb_id", item.imdb_id or None),
        tmdb_id=_free_id("tmdb_id", item.tmdb_id) if not item.is_series else None,
    )
    _genres_and_people(title, item)
    return title, True


def _title_fill(title: Title, item: LibraryItem) -> None:
    """What the catalogue lacks and the server knows; a curator's values stay."""
    changes: dict[str, object] = {}
    if not title.synopsis and item.overview:
        changes["synopsis"] = item.overview
    if title.runtime_minutes is None and _runtime(item.runtime_minutes):
        changes["runtime_minutes"] = _runtime(item.runtime_minutes)
    if title.imdb_id is None and item.imdb_id and _free_id("imdb_id", item.imdb_id):
        changes["imdb_id"] = item.imdb_id
    if changes:
        Title.objects.filter(pk=title.pk).update(**changes)


def _poster_fetch(client: Client, title: Title, path: str) -> int:
    """The server's poster for a title that has none, kept in the site's storage: 1 when
    kept. A poster that cannot be had (too big, not an image, the server busy) is left
    to the next sync; the title keeps its drawn one meanwhile."""
    try:
        data = client.image(path, max_bytes=settings.MARQUEE_POSTER_MAX_BYTES)
        upload = ContentFile(data, name=f"{title.slug}.img")
        poster_upload_validate(upload)
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}.get(image.format or "")
    except (ServerError, ValidationError, OSError, SyntaxError, ValueError) as error:
        logger.info("No poster for title %s from the server: %s", title.pk, error)
        return 0
    if extension is None:
        return 0
    title.poster.save(f"{title.slug}.{extension}", ContentFile(data), save=False)
    # A save, not an update: the catalogue's stamp moves and pages draw the new poster.
    title.save(update_fields=["poster", "updated_at"])
    return 1


def _genres_and_people(title: Title, item: LibraryItem) -> None:
    for name in item.genres:
        slug = slugify(name)[:70]
        if not slug:
            continue
        genre = Genre.objects.filter(Q(slug=slug) | Q(name__iexact=name)).first()
        if genre is None:
            genre = Genre.objects.create(name=name[:60], slug=slug)
        title.genres.add(genre)
    actors = 0
    for order, person in enumerate(item.people):
        if person.role == "actor":
            actors += 1
            if actors > ACTORS_KEPT:
                continue
        found = Person.objects.filter(name=person.name).order_by("pk").first()
        if found is None:
            found = Person.objects.create(
                name=person.name[:200], slug=_slug_free(Person, person.name)
            )
        Credit.objects.get_or_create(
            title=title,
            person=found,
            role=person.role,
            defaults={"character": person.character[:200], "billing_order": order},
        )


def _episode_find_or_add(series: Title, found: EpisodeItem) -> tuple[Episode, bool]:
    season, _ = Season.objects.get_or_create(title=series, number=found.season)
    episode = Episode.objects.filter(season=season, number=found.number).first()
    if episode is not None:
        return episode, False
    episode = Episode.objects.create(
        season=season,
        number=found.number,
        name=found.name[:255] or f"Episode {found.number}",
        synopsis=found.overview,
        runtime_minutes=_runtime(found.runtime_minutes) or series.runtime_minutes or 45,
    )
    return episode, True


def _runtime(minutes: int | None) -> int | None:
    return min(minutes, MAX_RUNTIME) if minutes else None


def _free_id(field_name: str, value: object) -> object:
    # Unique in the catalogue: a value another title holds is left out.
    if value in (None, ""):
        return None
    return None if Title.objects.filter(**{field_name: value}).exists() else value


def _slug_free(model: type[Title] | type[Person], text: str) -> str:
    length = model._meta.get_field("slug").max_length - 10
    base = slugify(text)[:length].strip("-") or "untitled"
    slug, counter = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


# --------------------------------------------------------------------------------------
# Played state
# --------------------------------------------------------------------------------------


def _state_apply(server: MediaServer, profile: object, state: UserState) -> str:
    where = (
        Availability.objects.filter(server=server, item_id=state.item_id)
        .select_related("title", "episode")
        .first()
    )
    if where is None:
        return "not in the library"
    if not state.played and not state.position_seconds:
        return "not started"
    key = hashlib.sha256(
        f"sync|{state.item_id}|{state.played}|{state.position_seconds}|"
        f"{state.last_played_at}".encode()
    ).hexdigest()
    play = Play(
        action=Action.FINISHED if state.played else Action.PAUSE,
        user_id="",
        user_name="",
        item_id=state.item_id,
        is_episode=where.episode_id is not None,
        name=where.title.name,
        year=where.title.year,
        series_name="",
        season=None,
        episode=None,
        imdb_id="",
        tmdb_id=None,
        position_seconds=state.position_seconds,
        runtime_seconds=None,
        occurred_at=state.last_played_at or timezone.now(),
        stars=None,
        event_key=key,
    )
    outcome = services.play_apply(server, profile, play, where.title, where.episode)
    return outcome.status
