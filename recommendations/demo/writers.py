"""Batched inserts for the demo load: `Writer` for the rows of one model, `HistoryWriter`
for a profile history's rows in the four signal tables."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import connections, router
from django.db.models import Model

from recommendations.demo.histories import ProfileHistory, ProgressSpec
from recommendations.demo.world import DemoWorld
from recommendations.models import ListItem, NotInterested, Rating, WatchProgress
from recommendations.services import stars_to_thumbs

BATCH_SIZE = 2000


def bulk_ids(model: type[Model], objects: list[Model]) -> list[int]:
    """Insert `objects` and return their new ids, in order."""
    model._default_manager.bulk_create(objects, batch_size=BATCH_SIZE)
    return [obj.pk for obj in objects]


class Writer:
    """Inserts rows of one model BATCH_SIZE at a time, as they are added.

    Rows come from generators, so at most one batch of model instances exists at a time
    (bulk_create's own batch_size needs the whole list). Given `ids`, appends the new
    primary keys to it in the order the rows were added.
    """

    def __init__(self, model: type[Model], *, ids: list[int] | None = None) -> None:
        self.model = model
        self.count = 0
        self.ids = ids
        self._batch: list[Model] = []

    def add(self, obj: Model) -> None:
        self._batch.append(obj)
        if len(self._batch) == BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        if not self._batch:
            return
        connection = connections[router.db_for_write(self.model)]
        if self.ids is None and connection.vendor == "postgresql":
            copy_rows(self.model, self._batch, using=connection.alias)
        else:
            self.model._default_manager.bulk_create(self._batch)
        self.count += len(self._batch)
        if self.ids is not None:
            self.ids += [obj.pk for obj in self._batch]
        self._batch = []


def copy_rows(model: type[Model], objects: list[Model], *, using: str) -> None:
    """Insert `objects` with PostgreSQL's COPY, without reading back their ids.

    A viewing history is most of what the demo writes (86,000 rows for `make run`'s
    catalogue): COPY takes the values as they are, where bulk_create builds and the server
    parses an INSERT with a parameter per value. Values are prepared as bulk_create
    prepares them (pre_save fills auto_now dates, get_db_prep_save adapts).
    """
    connection = connections[using]
    opts = model._meta
    fields = [f for f in opts.concrete_fields if f is not opts.auto_field and not f.generated]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for obj in objects:
            copy.write_row(
                [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
            )


def bulk(model: type[Model], objects: Iterable[Model], *, ids: list[int] | None = None) -> int:
    """Insert `objects` in batches; return how many, and append their ids to `ids` if given."""
    writer = Writer(model, ids=ids)
    for obj in objects:
        writer.add(obj)
    writer.flush()
    return writer.count


class HistoryWriter:
    """Turns profile histories into rows of the four signal tables, written in batches."""

    def __init__(
        self, world: DemoWorld, *, title_ids: list[int], episode_ids: list[int], now: datetime
    ) -> None:
        self.world = world
        self.title_ids = title_ids
        self.episode_ids = episode_ids
        self.now = now
        # Where each title's episodes start in `episode_ids`, which is in world order.
        self.first_episode: list[int] = []
        position = 0
        for title in world.titles:
            self.first_episode.append(position)
            position += sum(len(season.episodes) for season in title.seasons)
        self.viewings = 0
        self.progress = Writer(WatchProgress)
        self.ratings = Writer(Rating)
        self.list_items = Writer(ListItem)
        self.not_interested = Writer(NotInterested)

    def add(self, history: ProfileHistory, *, profile_id: int) -> None:
        for viewing in history.viewings:
            self.viewings += 1
            title_id = self.title_ids[viewing.title_index]
            first = self.first_episode[viewing.title_index]
            for spec in viewing.progress:
                self.progress.add(
                    self._progress(spec, profile_id=profile_id, title_id=title_id, first=first)
                )
        for rating in history.ratings:
            self.ratings.add(
                Rating(
                    profile_id=profile_id,
                    title_id=self.title_ids[rating.title_index],
                    stars=rating.stars,
                    thumbs=stars_to_thumbs(rating.stars),
                    scale=Rating.Scale.STARS,
                    source=rating.source,
                    rated_at=self._at(rating.rated_ago),
                )
            )
        for mark in history.my_list:
            self.list_items.add(
                ListItem(
                    profile_id=profile_id,
                    title_id=self.title_ids[mark.title_index],
                    added_at=self._at(mark.ago),
                )
            )
        for mark in history.not_interested:
            self.not_interested.add(
                NotInterested(
                    profile_id=profile_id,
                    title_id=self.title_ids[mark.title_index],
                    created_at=self._at(mark.ago),
                )
            )

    def flush(self) -> None:
        for writer in (self.progress, self.ratings, self.list_items, self.not_interested):
            writer.flush()

    def _at(self, seconds_ago: int) -> datetime:
        return self.now - timedelta(seconds=seconds_ago)

    def _progress(
        self, spec: ProgressSpec, *, profile_id: int, title_id: int, first: int
    ) -> WatchProgress:
        return WatchProgress(
            profile_id=profile_id,
            title_id=title_id,
            episode_id=None if spec.episode is None else self.episode_ids[first + spec.episode],
            runtime_seconds=spec.runtime_seconds,
            last_position=spec.last_position,
            furthest_position=spec.furthest_position,
            seconds_watched=spec.seconds_watched,
            percent=spec.percent,
            started_at=self._at(spec.started_ago),
            last_watched_at=self._at(spec.last_watched_ago),
            last_event_kind=spec.last_event_kind,
            completed=spec.completed,
            times_completed=spec.times_completed,
            completed_at=None if spec.completed_ago is None else self._at(spec.completed_ago),
            is_private=False,
            current_episode_id=(
                None
                if spec.current_episode is None
                else self.episode_ids[first + spec.current_episode]
            ),
        )
