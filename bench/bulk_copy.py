"""Bulk writes into the benchmarks' PostgreSQL databases, laid out by numpy.

Binary COPY built straight from arrays (`copy_binary`), text COPY for smaller tables
(`copy_rows`), a table's secondary indexes dropped and rebuilt afterwards
(`indexes_dropped`) and foreign-key triggers off (`bulk_session`): the data written is
generated consistent. `signals_load` writes viewing (progress rows and ratings) that way,
for the synthetic world (bench/synthetic_load.py) and for ml-1m's invented viewing
(bench/home_setup.py).
"""

from __future__ import annotations

import struct
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from psycopg import Cursor

PG_EPOCH = 946_684_800  # 2000-01-01T00:00:00Z in Unix seconds: binary timestamps count from it

_BINARY = {
    "int8": ">i8",
    "int4": ">i4",
    "int2": ">i2",
    "float8": ">f8",
    "bool": "u1",
    "timestamptz": ">i8",
}
_STARS_PARTS = ("ndigits", "weight", "sign", "dscale", "d0", "d1")


def copy_binary(cursor: Cursor, table: str, columns: list[tuple[str, str, object]], n: int) -> None:
    """COPY `n` rows in PostgreSQL's binary format, laid out by numpy: no Python per row.

    Each column is (name, kind, values): kind is a key of `_BINARY` (values an array of `n`
    or a scalar; timestamptz in Unix seconds), "stars" (half stars 1-10, written as
    numeric(2,1) with two base-10000 digits) or "const" (bytes, the same in every row).
    """
    fields: list[tuple[str, str]] = [("count", ">i2")]
    for name, kind, values in columns:
        fields.append((f"{name}__len", ">i4"))
        if kind == "stars":
            fields += [(f"{name}__{part}", ">i2") for part in _STARS_PARTS]
        elif kind == "const":
            assert isinstance(values, bytes)
            fields.append((name, f"S{len(values)}"))
        else:
            fields.append((name, _BINARY[kind]))
    dtype = np.dtype(fields)
    names = ", ".join(name for name, _kind, _values in columns)
    with cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0))
        for start in range(0, n, 1_000_000):
            stop = min(start + 1_000_000, n)
            rows = np.zeros(stop - start, dtype)
            rows["count"] = len(columns)
            for name, kind, values in columns:
                part = values[start:stop] if isinstance(values, np.ndarray) else values
                if kind == "stars":
                    half = np.asarray(part, dtype=np.int64)
                    rows[f"{name}__len"] = 12
                    rows[f"{name}__ndigits"] = 2
                    rows[f"{name}__dscale"] = 1
                    rows[f"{name}__d0"] = half // 2
                    rows[f"{name}__d1"] = (half % 2) * 5000
                    continue
                if kind == "const":
                    rows[f"{name}__len"] = len(values)
                elif kind == "timestamptz":
                    rows[f"{name}__len"] = 8
                    part = np.round((np.asarray(part, dtype=np.float64) - PG_EPOCH) * 1e6)
                else:
                    rows[f"{name}__len"] = np.dtype(_BINARY[kind]).itemsize
                rows[name] = part
            copy.write(rows.data)
        copy.write(struct.pack(">h", -1))


def copy_rows(cursor: Cursor, table: str, columns: tuple[str, ...], rows: Iterator[tuple]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


@contextmanager
def indexes_dropped(cursor: Cursor, table: str) -> Iterator[None]:
    """Drop the table's unique constraints and secondary indexes; rebuild them on exit.

    Building an index once over sorted data is several times faster than keeping eight of
    them up to date row by row. The primary key stays.
    """
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype = 'u'",
        [table],
    )
    constraints = cursor.fetchall()
    for name, _definition in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN"
        " (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
        [table, table],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for _name, definition in indexes:
            cursor.execute(definition)


@contextmanager
def bulk_session(connection: BaseDatabaseWrapper) -> Iterator[Cursor]:
    """psycopg's own cursor, with foreign-key triggers off and room for index builds."""
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET maintenance_work_mem = '1GB'")
        try:
            yield cursor
        finally:
            cursor.execute("RESET session_replication_role")
            cursor.execute("RESET maintenance_work_mem")


def first_id(cursor: Cursor, table: str) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
    return int(cursor.fetchone()[0])


def signals_load(
    cursor: Cursor,
    *,
    profile_ids: np.ndarray,
    title_ids: np.ndarray,
    runtime_minutes: np.ndarray,
    percent: np.ndarray,
    completed: np.ndarray,
    times: np.ndarray,
    watched_at: np.ndarray,
    rated: np.ndarray,
    half_stars: np.ndarray,
) -> None:
    """One title-level progress row per entry, and a rating where `rated` (binary COPY).

    Dates are Unix seconds. Used for the synthetic world and for ml-1m's invented viewing.
    """
    runtime = np.asarray(runtime_minutes, dtype=np.int64) * 60
    furthest = np.round(percent / 100 * runtime).astype(np.int64)
    with indexes_dropped(cursor, "recommendations_watchprogress"):
        for done in (True, False):
            pick = np.flatnonzero(completed == done)
            columns = [
                ("profile_id", "int8", profile_ids[pick]),
                ("title_id", "int8", title_ids[pick]),
                ("runtime_seconds", "int4", runtime[pick]),
                ("last_position", "int4", furthest[pick]),
                ("furthest_position", "int4", furthest[pick]),
                ("seconds_watched", "int4", furthest[pick] * np.maximum(times[pick], 1)),
                ("percent", "float8", percent[pick]),
                ("started_at", "timestamptz", watched_at[pick] - runtime[pick]),
                ("last_watched_at", "timestamptz", watched_at[pick]),
                ("last_event_kind", "const", b"stop"),
                ("completed", "bool", done),
                ("times_completed", "int4", times[pick]),
                ("is_private", "bool", False),
                ("hidden_from_continue", "bool", False),
            ]
            if done:
                columns.append(("completed_at", "timestamptz", watched_at[pick]))
            copy_binary(cursor, "recommendations_watchprogress", columns, pick.size)
    pick = np.flatnonzero(rated)
    if pick.size == 0:
        return
    half = np.asarray(half_stars)[pick]
    # Thumbs derived from stars as services.stars_to_thumbs does: <= 2.5 down, < 4.5 up.
    thumbs = np.where(half <= 5, -1, np.where(half < 9, 1, 2))
    with indexes_dropped(cursor, "recommendations_rating"):
        copy_binary(
            cursor,
            "recommendations_rating",
            [
                ("profile_id", "int8", profile_ids[pick]),
                ("title_id", "int8", title_ids[pick]),
                ("stars", "stars", half),
                ("thumbs", "int2", thumbs),
                ("scale", "const", b"stars"),
                ("source", "const", b"import"),
                # A minute after the viewing, but never ahead of the clock (a real rating).
                ("rated_at", "timestamptz", np.minimum(watched_at[pick] + 60, time.time())),
            ],
            pick.size,
        )
