"""What an expensive fixture made, kept once per session and put back for each test.

Seeding the demo catalogue takes seconds; inserting the rows it made takes a fraction of
that. A snapshot holds the rows that appeared in the database while a block ran (the
block may only add rows) and the files it wrote under the storage folders. The block runs
in a transaction that is rolled back, so the database is left as it was; each test that
asks for the data gets the rows inserted in its own transaction and a copy of the files
in its own folders.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Model

# bulk_create's default puts every row in one statement, past SQLite's limit on
# parameters.
BATCH_SIZE = 500

Table = dict[object, tuple]  # primary key -> the row's values, in concrete-field order


def _models() -> list[type[Model]]:
    # Many-to-many tables too (auto-created models); a proxy shares its model's table.
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def rows_read(*, using: str = DEFAULT_DB_ALIAS) -> dict[type[Model], Table]:
    """Every row of every table Django manages, by model and primary key."""
    tables: dict[type[Model], Table] = {}
    for model in _models():
        names = [f.attname for f in model._meta.concrete_fields]
        pk = names.index(model._meta.pk.attname)
        rows = model._base_manager.using(using).order_by().values_list(*names)
        tables[model] = {row[pk]: row for row in rows.iterator(chunk_size=5000)}
    return tables


def rows_added(
    before: dict[type[Model], Table], after: dict[type[Model], Table]
) -> dict[type[Model], Table]:
    """The rows of `after` that `before` did not have, by model.

    Raises ValueError if a row of `before` was changed or deleted: putting back only what
    was added would then give a test other data than the block left.
    """
    added: dict[type[Model], Table] = {}
    touched = []
    for model, rows in after.items():
        old = before.get(model, {})
        if any(pk not in rows or rows[pk] != row for pk, row in old.items()):
            touched.append(model._meta.label)
        new = {pk: row for pk, row in rows.items() if pk not in old}
        if new:
            added[model] = new
    if touched:
        raise ValueError(f"Rows that were there before were changed or deleted: {touched}")
    return added


@contextmanager
def rolled_back(*, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Run the block in a transaction (or a savepoint) that is always rolled back."""
    with transaction.atomic(using=using):
        yield
        transaction.set_rollback(True, using=using)


@dataclass(frozen=True)
class Snapshot:
    """Rows to insert and folders of files to copy (by the setting naming the folder)."""

    restore_rows: Callable[[], None]
    rows: int
    files: dict[str, Path]

    def restore(self, *, folders: dict[str, Path]) -> None:
        """Insert the rows, then copy the files into `folders` (setting name -> folder).

        Foreign keys are checked at commit on both databases, so the tables are filled in
        any order. The rows keep their primary keys: a rollback does not move a
        PostgreSQL sequence back, and `ids_reserve` moves SQLite's counters past them.
        """
        self.restore_rows()
        for name, source in self.files.items():
            if source.exists():
                shutil.copytree(source, folders[name], dirs_exist_ok=True)


def snapshot_take(
    added: dict[type[Model], Table], *, files: dict[str, Path], using: str = DEFAULT_DB_ALIAS
) -> Snapshot:
    """A snapshot of `added`, read while its rows are still in the database."""
    connection = connections[using]
    rows = sum(len(table) for table in added.values())
    if connection.vendor == "postgresql":
        restore = _copy_out(added, using=using)
    else:
        restore = _bulk(added, using=using)
    return Snapshot(restore_rows=restore, rows=rows, files=files)


def _columns(model: type[Model], quote: Callable[[str], str]) -> str:
    return ", ".join(quote(f.column) for f in model._meta.concrete_fields)


def _copy_out(added: dict[type[Model], Table], *, using: str) -> Callable[[], None]:
    # PostgreSQL's own text format both ways: no value is converted in Python, which makes
    # putting 20,000 rows back about ten times faster than bulk_create.
    connection = connections[using]
    quote = connection.ops.quote_name
    dumps: list[tuple[str, bytes]] = []
    with connection.cursor() as cursor:
        # The foreign keys are checked here, once: a test's teardown checks the deferred
        # constraints again, which costs as much as the copy itself; rows copied as a
        # replica queue no check. Only a superuser may copy that way.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        (unchecked,) = cursor.fetchone()
        for model, table in added.items():
            columns = _columns(model, quote)
            name, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
            query = f"COPY (SELECT {columns} FROM {name} WHERE {pk} = ANY(%s)) TO STDOUT"
            with cursor.copy(query, [list(table)]) as copy:
                data = b"".join(bytes(block) for block in copy)
            dumps.append((f"COPY {name} ({columns}) FROM STDIN", data))

    def restore() -> None:
        with transaction.atomic(using=using), connections[using].cursor() as cursor:
            if unchecked:
                cursor.execute("SET LOCAL session_replication_role = replica")
            for statement, data in dumps:
                with cursor.copy(statement) as copy:
                    copy.write(data)
            if unchecked:
                cursor.execute("SET LOCAL session_replication_role = origin")

    return restore


def _bulk(added: dict[type[Model], Table], *, using: str) -> Callable[[], None]:
    batches = [(model, sorted(table.items())) for model, table in added.items()]

    def restore() -> None:
        with transaction.atomic(using=using):
            for model, rows in batches:
                model._base_manager.using(using).bulk_create(
                    [model(*row) for _pk, row in rows], batch_size=BATCH_SIZE
                )

    return restore


def ids_reserve(added: dict[type[Model], Table], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Keep the ids of `added` for the snapshot, once the block has been rolled back.

    PostgreSQL's sequences are never rolled back. SQLite's AUTOINCREMENT counters are: move
    them past the snapshot's ids, or a row a test made before asking for the snapshot
    would take one of them.
    """
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for model, table in added.items():
            if model._meta.pk.get_internal_type() not in ("AutoField", "BigAutoField"):
                continue
            name, top = model._meta.db_table, max(table)
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s AND seq < %s", [name, top])
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) SELECT %s, %s WHERE NOT EXISTS "
                "(SELECT 1 FROM sqlite_sequence WHERE name = %s)",
                [name, top, name],
            )
