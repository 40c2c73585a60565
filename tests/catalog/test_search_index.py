"""The machinery under search on each database: SQLite's FTS5 tables and their triggers,
PostgreSQL's indexes on unaccented text. What a viewer gets is in test_search.py, which
runs on both; these tests look at what only one database has."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import search as catalog_search
from catalog import search_index
from catalog.models import Person, Tag, Title
from tests.factories import CreditFactory, PersonFactory, TitleFactory

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 index")
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes")


def _names(query: str) -> list[str]:
    return [hit.title.name for hit in catalog_search.search(query=query, profile=None).hits]


def _indexed(table: str) -> list[tuple[int, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid, name FROM {table} ORDER BY rowid")
        return cursor.fetchall()


@sqlite_only
class TestSqlite:
    def test_the_index_holds_folded_text(self) -> None:
        title = TitleFactory(name="Malmö Nights", synopsis="Ærø in WINTER.")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, synopsis FROM catalog_title_fts WHERE rowid = %s", [title.pk]
            )
            assert cursor.fetchone() == ("malmo nights", "aero in winter.")

    @pytest.mark.django_db(transaction=True)  # SQLite alters no table inside a transaction
    def test_a_table_rebuilt_by_a_migration_gets_its_triggers_back(self) -> None:
        title = TitleFactory(name="Before The Rebuild")
        try:
            # How SQLite alters a column: a new table, the rows copied, the old one
            # dropped, and its triggers with it.
            with connection.schema_editor() as editor:
                editor._remake_table(Title)
            Title.objects.filter(pk=title.pk).update(name="After The Rebuild")
            assert _indexed("catalog_title_fts") == [(title.pk, "before the rebuild")]
            call_command("migrate", verbosity=0)  # post_migrate puts the triggers back
            assert _indexed("catalog_title_fts") == [(title.pk, "after the rebuild")]
            Title.objects.filter(pk=title.pk).update(name="Renamed Again")
            assert _names("renamed again") == ["Renamed Again"]
            assert _indexed("catalog_title_fts") == [(title.pk, "renamed again")]
        finally:
            search_index.search_index_ensure(connection)

    def test_it_is_a_no_op_when_the_index_is_whole(self) -> None:
        assert search_index.search_index_ensure(connection) is False

    def test_dropped_and_built_again_it_holds_every_row(self) -> None:
        CreditFactory(
            title=TitleFactory(name="Kept Title"), person=PersonFactory(name="Kept Person")
        )
        search_index.search_index_drop(connection)
        assert search_index.search_index_ensure(connection) is True
        assert [name for _, name in _indexed("catalog_title_fts")] == ["kept title"]
        person = Person.objects.get(name="Kept Person")
        assert _indexed("catalog_person_fts") == [(person.pk, "kept person")]

    def test_the_candidates_come_from_the_index(self) -> None:
        TitleFactory(name="Thunder in the Dust")
        with CaptureQueriesContext(connection) as queries:
            catalog_search.search(query="thundr", profile=None)
        sql = " ".join(query["sql"] for query in queries.captured_queries)
        assert "catalog_title_fts MATCH" in sql
        assert "catalog_person_fts MATCH" in sql


@postgres_only
class TestPostgres:
    @pytest.fixture(autouse=True)
    def _as_if_large(self) -> None:
        # A table of a few rows is scanned whatever its indexes: ask for the plan the
        # planner would choose on a large one.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")

    def test_the_full_text_query_uses_its_index(self) -> None:
        text_query = catalog_search._prefix_tsquery(["malmo", "nig"])
        plan = (
            Title.objects.order_by()
            .alias(search=catalog_search.title_search_vector())
            .filter(search=text_query)
            .explain()
        )
        assert "catalog_title_search_gin" in plan

    @pytest.mark.parametrize(
        ("model", "index"),
        [
            (Title, "catalog_title_name_fold_trgm"),
            (Person, "catalog_person_name_fold_trgm"),
            (Tag, "catalog_tag_name_fold_trgm"),
        ],
    )
    def test_the_look_alike_queries_use_their_indexes(self, model: type, index: str) -> None:
        plan = catalog_search._trigram_filter(model.objects.order_by(), "malmo nihgts").explain()
        assert index in plan

    def test_unaccent_is_in_the_text_search_configuration(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_tsvector('marquee_english', 'Malmö Ærø')::text")
            assert cursor.fetchone()[0] == "'aero':2 'malmo':1"
            cursor.execute("SELECT marquee_unaccent('Søren Kjær')")
            assert cursor.fetchone()[0] == "Soren Kjaer"
