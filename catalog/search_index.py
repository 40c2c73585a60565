"""SQLite's search index: FTS5 trigram tables of folded names, kept in step by triggers.

SQLite's trigram tokenizer only drops accents from version 3.45 on, so the text is folded
before it is indexed, by `marquee_fold` (catalog.search_text.fold), a function every
Django connection registers. Triggers, not model signals, keep the tables in step:
bulk imports, `QuerySet.update()` and raw SQL are all seen. One consequence: changing a
title's name or synopsis, or a person's, genre's or tag's name, from the `sqlite3` shell
fails with "no such function: marquee_fold" (go through Django instead).

A migration that rebuilds a table (SQLite's way to alter a column) drops that table's
triggers with it; `search_index_ensure` runs after every `migrate` to put them back and
refill the index.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from catalog.search_text import fold

logger = logging.getLogger(__name__)

FOLD_FUNCTION = "marquee_fold"

# Index table → (table it indexes, the columns it holds).
INDEXES: dict[str, tuple[str, tuple[str, ...]]] = {
    "catalog_title_fts": ("catalog_title", ("name", "synopsis")),
    "catalog_person_fts": ("catalog_person", ("name",)),
    "catalog_genre_fts": ("catalog_genre", ("name",)),
    "catalog_tag_fts": ("catalog_tag", ("name",)),
}
# bm25 weights per column: a word in a title's name counts ten times one in its synopsis,
# so names come first among the candidates a LIMIT keeps.
RANK = {"catalog_title_fts": "bm25(10.0, 1.0)"}
TRIGGER_EVENTS = ("insert", "update", "delete")


def sqlite_fold_register(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """connection_created: give every SQLite connection the function the triggers call."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(FOLD_FUNCTION, 1, fold, deterministic=True)


def _trigger_names() -> list[str]:
    return [f"{index}_{event}" for index in INDEXES for event in TRIGGER_EVENTS]


def _create_statements(index: str) -> list[str]:
    source, columns = INDEXES[index]
    names = ", ".join(columns)
    folded_new = ", ".join(f"{FOLD_FUNCTION}(new.{column})" for column in columns)
    insert_new = f"INSERT INTO {index}(rowid, {names}) VALUES (new.id, {folded_new});"
    delete_old = f"DELETE FROM {index} WHERE rowid = old.id;"
    statements = [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {index} USING fts5({names}, tokenize='trigram')",
        f"DROP TRIGGER IF EXISTS {index}_insert",
        f"DROP TRIGGER IF EXISTS {index}_update",
        f"DROP TRIGGER IF EXISTS {index}_delete",
        f"CREATE TRIGGER {index}_insert AFTER INSERT ON {source} BEGIN {insert_new} END",
        f"CREATE TRIGGER {index}_update AFTER UPDATE OF id, {names} ON {source} "
        f"BEGIN {delete_old} {insert_new} END",
        f"CREATE TRIGGER {index}_delete AFTER DELETE ON {source} BEGIN {delete_old} END",
        # Refill from the table: what was written while the triggers were missing.
        f"DELETE FROM {index}",
        f"INSERT INTO {index}(rowid, {names}) SELECT id, "
        + ", ".join(f"{FOLD_FUNCTION}({column})" for column in columns)
        + f" FROM {source}",
    ]
    if index in RANK:
        statements.append(f"INSERT INTO {index}({index}, rank) VALUES ('rank', '{RANK[index]}')")
    return statements


def search_index_ensure(connection: BaseDatabaseWrapper, *, verbose: bool = True) -> bool:
    """Create the index tables and triggers that are missing and refill those tables.

    Cheap when everything is there (one look at sqlite_master); returns whether anything
    had to be built. Does nothing on other databases.
    """
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {row[0] for row in cursor.fetchall()}
        missing = [
            index
            for index in INDEXES
            if index not in present
            or any(f"{index}_{event}" not in present for event in TRIGGER_EVENTS)
        ]
        for index in missing:
            for statement in _create_statements(index):
                cursor.execute(statement)
    if missing and verbose and any(index in present for index in missing):
        logger.warning("Search index rebuilt (its triggers had been dropped): %s", missing)
    return bool(missing)


def search_index_drop(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in _trigger_names():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        for index in INDEXES:
            cursor.execute(f"DROP TABLE IF EXISTS {index}")


# The migration that first builds the index: before it (or migrated back past it), the
# tables it indexes may not have the columns the triggers name.
MIGRATION = ("catalog", "0004_search_folded")


def search_index_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """post_migrate: a migration that rebuilt a table has dropped its triggers."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    if MIGRATION in MigrationRecorder(connection).applied_migrations():
        search_index_ensure(connection)
