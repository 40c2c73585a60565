"""Heartbeats from the player: validated, stored once, rolled up into watch progress."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Profile
from catalog.models import Episode, Title
from recommendations import selectors
from recommendations.models import (
    WatchEvent,
    WatchProgress,
)
from recommendations.services import runtime_seconds, signals_changed

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------
# Watching
# --------------------------------------------------------------------------------------

STOPPING_KINDS = {WatchEvent.Kind.PAUSE, WatchEvent.Kind.STOP}
# Events after which the pages must show a new resume point: where playback stopped, or
# a seek made while paused (no stop follows it).
RESUME_POINT_KINDS = STOPPING_KINDS | {WatchEvent.Kind.SEEK}
PLAYING_KINDS = {WatchEvent.Kind.START, WatchEvent.Kind.PROGRESS, WatchEvent.Kind.SEEK}
# Events after which the time since the last heartbeat was spent playing.
FOLLOWS_PLAYING = {WatchEvent.Kind.PROGRESS, WatchEvent.Kind.PAUSE, WatchEvent.Kind.STOP}
# Heartbeats come every 10 s; allow for a late one before time stops counting.
HEARTBEAT_SLACK = timedelta(seconds=15)
POSITION_TOLERANCE = 1.1
# Players' clocks drift; further ahead than this is a bug or a forged time.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Heartbeat:
    client_event_id: uuid.UUID
    title_id: int
    episode_id: int | None
    kind: str
    position: int
    occurred_at: datetime


class HeartbeatError(ValidationError):
    """A heartbeat in a batch is wrong; `index` says which. Nothing of the batch is kept."""

    def __init__(self, index: int, field: str, message: str) -> None:
        super().__init__({field: message})
        self.index = index
        self.field = field
        self.reason = message


def _series_layout(title_id: int) -> list[tuple[int, int]]:
    """(episode id, runtime in seconds) of every episode of a series, in watching order."""
    return [
        (episode_id, minutes * 60)
        for episode_id, minutes in Episode.objects.filter(season__title_id=title_id)
        .order_by("season__number", "number")
        .values_list("pk", "runtime_minutes")
    ]


def _insert_new_events(rows: list[WatchEvent]) -> set[uuid.UUID]:
    """Insert events whose client id is new for the profile; return the ids inserted.

    One statement, `INSERT … ON CONFLICT DO NOTHING RETURNING` (PostgreSQL, SQLite 3.35+):
    a repeated id changes nothing and costs no extra query to detect.
    """
    if not rows:
        return set()
    # The first of a repeated id is the one recorded, on every database.
    unique: dict[uuid.UUID, WatchEvent] = {}
    for row in rows:
        unique.setdefault(row.client_event_id, row)
    rows = list(unique.values())
    fields = [
        WatchEvent._meta.get_field(name)
        for name in (
            "profile",
            "title",
            "episode",
            "client_event_id",
            "kind",
            "position_seconds",
            "occurred_at",
            "received_at",
            "is_private",
        )
    ]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    placeholders = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(rows))
    params = [
        field.get_db_prep_save(getattr(row, field.attname), connection)
        for row in rows
        for field in fields
    ]
    uuid_field = WatchEvent._meta.get_field("client_event_id")
    sql = (
        f"INSERT INTO {connection.ops.quote_name(WatchEvent._meta.db_table)} ({columns}) "
        f"VALUES {placeholders} ON CONFLICT DO NOTHING "
        f"RETURNING {connection.ops.quote_name(uuid_field.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        returned = [row[0] for row in cursor.fetchall()]
    return {uuid_field.to_python(value) for value in returned}


def _apply(progress: WatchProgress, event: Heartbeat, *, private: bool) -> bool:
    """Fold one heartbeat into a rollup; True when this viewing just reached the end."""
    threshold = progress.runtime_seconds * settings.MARQUEE_COMPLETED_AT
    if (
        event.kind == WatchEvent.Kind.START
        and progress.completed
        and progress.furthest_position >= threshold
        and event.position < progress.runtime_seconds - threshold
    ):
        # Starting a finished title from the beginning is a rewatch: a new viewing.
        progress.furthest_position = 0
    if progress.last_event_kind in PLAYING_KINDS and event.kind in FOLLOWS_PLAYING:
        played = event.position - progress.last_position
        elapsed = (event.occurred_at - progress.last_watched_at) + HEARTBEAT_SLACK
        if played > 0:
            progress.seconds_watched += int(min(played, elapsed.total_seconds()))
    before = progress.furthest_position
    progress.last_position = event.position
    progress.furthest_position = max(before, event.position)
    progress.percent = round(
        min(100.0, 100 * progress.furthest_position / progress.runtime_seconds), 2
    )
    progress.last_watched_at = event.occurred_at
    progress.last_event_kind = event.kind
    if not private:
        progress.is_private = False
    finished = before < threshold <= progress.furthest_position
    if finished:
        progress.completed = True
        progress.completed_at = event.occurred_at
        progress.times_completed += 1
    return finished


def _load_targets(
    *, profile: Profile, heartbeats: Sequence[Heartbeat], known: set[tuple[int, int | None]]
) -> tuple[dict[int, Title], dict[int, Episode]]:
    """Titles and episodes of heartbeats that have no rollup yet, validated for the profile."""
    title_ids = {hb.title_id for hb in heartbeats if (hb.title_id, hb.episode_id) not in known}
    episode_ids = {
        hb.episode_id
        for hb in heartbeats
        if hb.episode_id is not None and (hb.title_id, hb.episode_id) not in known
    }
    titles = Title.objects.filter(is_published=True).in_bulk(title_ids) if title_ids else {}
    episodes = Episode.objects.select_related("season").in_bulk(episode_ids) if episode_ids else {}
    return titles, episodes


def _validate(
    *,
    profile: Profile,
    heartbeats: Sequence[Heartbeat],
    progress: dict[tuple[int, int | None], WatchProgress],
    titles: dict[int, Title],
    episodes: dict[int, Episode],
    now: datetime,
) -> dict[tuple[int, int | None], int]:
    """Runtime in seconds of every (title, episode) in the batch; HeartbeatError otherwise."""
    runtimes: dict[tuple[int, int | None], int] = {
        key: row.runtime_seconds for key, row in progress.items()
    }
    # Titles with a rollup come with it (one query); a curator may have unpublished one since.
    titles = {**{row.title_id: row.title for row in progress.values()}, **titles}
    for index, hb in enumerate(heartbeats):
        key = (hb.title_id, hb.episode_id)
        if hb.kind not in WatchEvent.Kind.values:
            raise HeartbeatError(index, "kind", "Use start, progress, pause, stop or seek.")
        title = titles.get(hb.title_id)
        if title is None or not title.is_published:
            raise HeartbeatError(index, "title", "No such title.")
        if not title.within_limit(profile):
            raise HeartbeatError(index, "title", "This title is above the maturity limit.")
        if key not in runtimes:
            if title.is_series and hb.episode_id is None:
                raise HeartbeatError(index, "episode", "A series is watched one episode at a time.")
            if not title.is_series and hb.episode_id is not None:
                raise HeartbeatError(index, "episode", "A film has no episodes.")
            episode = None
            if hb.episode_id is not None:
                episode = episodes.get(hb.episode_id)
                if episode is None or episode.season.title_id != hb.title_id:
                    raise HeartbeatError(index, "episode", "No such episode in this series.")
            runtimes[key] = runtime_seconds(title, episode)
        if hb.position < 0:
            raise HeartbeatError(index, "position", "The position cannot be negative.")
        if hb.position > runtimes[key] * POSITION_TOLERANCE:
            raise HeartbeatError(index, "position", "The position is beyond the runtime.")
        if hb.occurred_at > now + CLOCK_SKEW:
            # A far-future time would make every later event look out of order.
            raise HeartbeatError(index, "occurred_at", "This event is in the future.")
    return runtimes


def _check_order(
    heartbeats: Sequence[Heartbeat], progress: dict[tuple[int, int | None], WatchProgress]
) -> None:
    """New events of a title may not be older than what is already recorded for it."""
    last_seen = {key: row.last_watched_at for key, row in progress.items()}
    for index, hb in enumerate(heartbeats):
        key = (hb.title_id, hb.episode_id)
        if key in last_seen and hb.occurred_at < last_seen[key]:
            raise HeartbeatError(
                index, "occurred_at", "This event is older than one already recorded."
            )
        last_seen[key] = hb.occurred_at


ROLLUP_CONSTRAINTS = frozenset({"rec_progress_one_per_title", "rec_progress_one_per_episode"})


def watch_events_record(*, profile: Profile, heartbeats: Sequence[Heartbeat]) -> int:
    """Record a batch of player heartbeats; return how many were new.

    All or nothing: one bad heartbeat rejects the batch with a HeartbeatError naming its
    index. A repeated client event id is ignored. While the profile's private session is
    on, the position still moves (to resume) but the viewing is not a signal.

    A steady-state heartbeat costs three queries: lock the rollups, insert the event,
    update the rollups (the episode's and its series' in one statement).
    """
    if not heartbeats:
        return 0
    try:
        return _record(profile=profile, heartbeats=heartbeats)
    except IntegrityError as error:
        # Two batches of one profile sent together (a seek and a pause) both found a
        # title's rollup missing, and the other one's insert won. Its row is committed
        # now, so the batch runs again from the start and updates that row instead. The
        # row lock that orders steady heartbeats cannot order this: it locks nothing that
        # does not exist yet.
        if _constraint_name(error) not in ROLLUP_CONSTRAINTS:
            raise
        return _record(profile=profile, heartbeats=heartbeats)


def _constraint_name(error: IntegrityError) -> str | None:
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


@transaction.atomic
def _record(*, profile: Profile, heartbeats: Sequence[Heartbeat]) -> int:
    now = timezone.now()
    keys = {(hb.title_id, hb.episode_id) for hb in heartbeats}
    series_keys = {(hb.title_id, None) for hb in heartbeats if hb.episode_id is not None}
    title_filter = Q()
    for title_id, episode_id in keys | series_keys:
        title_filter |= Q(title_id=title_id, episode_id=episode_id)
    progress = {
        (row.title_id, row.episode_id): row
        for row in WatchProgress.objects.select_for_update(of=("self",))
        .select_related("title")
        .filter(title_filter, profile=profile)
    }
    titles, episodes = _load_targets(profile=profile, heartbeats=heartbeats, known=set(progress))
    runtimes = _validate(
        profile=profile,
        heartbeats=heartbeats,
        progress=progress,
        titles=titles,
        episodes=episodes,
        now=now,
    )
    private = profile.private_session
    inserted = _insert_new_events(
        [
            WatchEvent(
                profile_id=profile.pk,
                title_id=hb.title_id,
                episode_id=hb.episode_id,
                client_event_id=hb.client_event_id,
                kind=hb.kind,
                position_seconds=hb.position,
                occurred_at=hb.occurred_at,
                received_at=now,
                is_private=private,
            )
            for hb in heartbeats
        ]
    )
    # Only events new to the log count: a batch sent again after a lost response, or an
    # id repeated inside a batch (the first wins), changes nothing and is not "out of order".
    fresh: list[Heartbeat] = []
    for hb in heartbeats:
        if hb.client_event_id in inserted:
            inserted.discard(hb.client_event_id)
            fresh.append(hb)
    try:
        _check_order(fresh, progress)
    except HeartbeatError as error:
        raise HeartbeatError(
            heartbeats.index(fresh[error.index]), error.field, error.reason
        ) from None
    new_rows: list[WatchProgress] = []
    changed: dict[tuple[int, int | None], WatchProgress] = {}
    signal = False
    for hb in fresh:
        key = (hb.title_id, hb.episode_id)
        row = progress.get(key)
        if row is None:
            row = WatchProgress(
                profile=profile,
                title_id=hb.title_id,
                episode_id=hb.episode_id,
                runtime_seconds=runtimes[key],
                started_at=hb.occurred_at,
                last_watched_at=hb.occurred_at,
                is_private=private,
            )
            progress[key] = row
            new_rows.append(row)
        seconds_before = row.seconds_watched
        finished = _apply(row, hb, private=private)
        changed[key] = row
        if hb.episode_id is not None:
            signal |= _series_apply(
                profile=profile,
                hb=hb,
                progress=progress,
                new_rows=new_rows,
                seconds_played=row.seconds_watched - seconds_before,
                episode_row=row,
                episode_finished=finished,
                private=private,
            )
            changed[(hb.title_id, None)] = progress[(hb.title_id, None)]
        signal |= finished and not private
    returned = False
    for row in changed.values():
        returned |= row.hidden_from_continue
        row.hidden_from_continue = False
    _progress_save(new_rows, [row for row in changed.values() if row not in new_rows])
    if signal or any(not row.is_private for row in new_rows):
        signals_changed(profile=profile)
    elif returned or any(hb.kind in RESUME_POINT_KINDS for hb in fresh):
        # Not a new signal, but Continue watching shows where the profile stopped (and a
        # title removed from it comes back once watched again).
        signals_changed(profile=profile)
    return len(fresh)


def _series_apply(
    *,
    profile: Profile,
    hb: Heartbeat,
    progress: dict[tuple[int, int | None], WatchProgress],
    new_rows: list[WatchProgress],
    seconds_played: int,
    episode_row: WatchProgress,
    episode_finished: bool,
    private: bool,
) -> bool:
    """Keep the series-level rollup in step with its episodes; True when the series ended.

    The rollup holds the series' resume point: the episode being watched and the position
    in it, or, once an episode is past its end credits, the next episode from its start.
    Its percent is how far into the whole series that point lies. A finished final
    episode finishes the series.
    """
    key = (hb.title_id, None)
    row = progress.get(key)
    layout = None
    if row is None:
        # The first heartbeat of a series: two more queries, never again for it.
        layout = _series_layout(hb.title_id)
        row = WatchProgress(
            profile=profile,
            title_id=hb.title_id,
            runtime_seconds=max(60, sum(runtime for _id, runtime in layout)),
            started_at=hb.occurred_at,
            last_watched_at=hb.occurred_at,
            is_private=private,
        )
        progress[key] = row
        new_rows.append(row)
    row.seconds_watched += seconds_played
    row.last_watched_at = hb.occurred_at
    row.last_event_kind = hb.kind
    if not private:
        row.is_private = False
    at_end = selectors.progress_at_end(episode_row)
    if hb.kind == WatchEvent.Kind.PROGRESS and not episode_finished:
        # A heartbeat while playing: no query, so that steady playing stays cheap.
        if at_end:
            # The end credits of an episode that already moved the resume point on.
            return False
        if row.current_episode_id == hb.episode_id:
            if not row.completed:
                moved = 100 * (hb.position - row.last_position) / row.runtime_seconds
                row.percent = round(min(100.0, max(0.0, row.percent + moved)), 2)
            row.last_position = hb.position
            return False
    # The episode changed, playback started, stopped or jumped, or an episode ended: one
    # query for the series' episodes places the resume point exactly.
    if layout is None:
        layout = _series_layout(hb.title_id)
    order = [episode_id for episode_id, _runtime in layout]
    at = order.index(hb.episode_id)
    before = sum(runtime for _id, runtime in layout[:at])
    runtime = layout[at][1]
    final = at + 1 == len(layout)
    if at_end and not final:
        row.current_episode_id = order[at + 1]
        row.last_position = 0
        reached = before + runtime
    else:
        row.current_episode_id = hb.episode_id
        row.last_position = hb.position
        reached = before + min(hb.position, runtime)
    if not row.completed:
        row.percent = round(min(100.0, 100 * reached / row.runtime_seconds), 2)
    if episode_finished and final:
        row.completed = True
        row.completed_at = hb.occurred_at
        row.times_completed += 1
        row.furthest_position = row.runtime_seconds
        row.percent = 100.0
        return True
    return False


# What a heartbeat moves on a rollup.
ROLLUP_FIELDS = (
    "last_position",
    "furthest_position",
    "seconds_watched",
    "percent",
    "last_watched_at",
    "last_event_kind",
    "completed",
    "completed_at",
    "times_completed",
    "is_private",
    "current_episode",
    "hidden_from_continue",
)


def _progress_save(new_rows: list[WatchProgress], updated: list[WatchProgress]) -> None:
    if new_rows:
        WatchProgress.objects.bulk_create(new_rows)
    if len(updated) == 1:
        # A film's heartbeat moves one rollup: a plain UPDATE. bulk_update writes a CASE
        # per field and row; building it was 40% of a heartbeat's time in the web process.
        row = updated[0]
        WatchProgress.objects.filter(pk=row.pk).update(
            **{
                field.attname: getattr(row, field.attname)
                for field in map(WatchProgress._meta.get_field, ROLLUP_FIELDS)
            }
        )
    elif updated:
        WatchProgress.objects.bulk_update(updated, ROLLUP_FIELDS)
