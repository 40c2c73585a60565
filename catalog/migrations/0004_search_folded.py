"""Search without accents, on both databases.

PostgreSQL: the unaccent extension (left installed when migrating back);
`marquee_unaccent(text)`, an IMMUTABLE wrapper an index may use; a text search
configuration `marquee_english` (english, unaccented first); the full-text index rebuilt
on it, and trigram indexes on the unaccented names of titles, people and tags (the genres
are few).

SQLite: FTS5 trigram tables of the folded names and synopses, with triggers that keep
them in step with the tables (catalog.search_index), filled from what is there.

The PostgreSQL expressions are written out here, not imported, so that this migration
builds the same indexes whatever the search code later becomes; the search selector must
compile to the same expressions for the planner to use them
(tests/catalog/test_search_index.py).
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector
from django.db import migrations
from django.db.models import CharField, Func

from catalog.search_index import search_index_drop, search_index_ensure

CONFIG = "marquee_english"


class Unaccented(Func):
    function = "marquee_unaccent"
    output_field = CharField()


def _text_index(config):
    vector = SearchVector("name", weight="A", config=config) + SearchVector(
        "synopsis", weight="B", config=config
    )
    return GinIndex(vector, name="catalog_title_search_gin")


def _trigram_index(name):
    return GinIndex(OpClass(Unaccented("name"), name="gin_trgm_ops"), name=name)


FOLDED_INDEXES = [
    ("title", _trigram_index("catalog_title_name_fold_trgm")),
    ("person", _trigram_index("catalog_person_name_fold_trgm")),
    ("tag", _trigram_index("catalog_tag_name_fold_trgm")),
]
# What 0002 built, dropped here (and built again when migrating back).
PLAIN_INDEXES = [
    ("title", GinIndex(fields=["name"], opclasses=["gin_trgm_ops"], name="catalog_title_name_trgm")),
    ("person", GinIndex(fields=["name"], opclasses=["gin_trgm_ops"], name="catalog_person_name_trgm")),
]


def _unaccent_schema(cursor):
    # Index expressions must not depend on the search_path (pg_dump empties it).
    cursor.execute(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'unaccent'"
    )
    return cursor.fetchone()[0]


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        search_index_ensure(connection, verbose=False)
        return
    if connection.vendor != "postgresql":
        return
    title = apps.get_model("catalog", "title")
    with connection.cursor() as cursor:
        # Here rather than UnaccentExtension(), whose reverse asks SQLite for pg_extension.
        cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        schema = connection.ops.quote_name(_unaccent_schema(cursor))
        cursor.execute(
            "CREATE OR REPLACE FUNCTION marquee_unaccent(text) RETURNS text "
            "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
            f"AS $$ SELECT {schema}.unaccent('{schema}.unaccent'::regdictionary, $1) $$"
        )
        cursor.execute(f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = pg_catalog.english)")
        cursor.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} "
            f"ALTER MAPPING FOR hword, hword_part, word WITH {schema}.unaccent, english_stem"
        )
    schema_editor.remove_index(title, _text_index("english"))
    schema_editor.add_index(title, _text_index(CONFIG))
    for model_name, index in PLAIN_INDEXES:
        schema_editor.remove_index(apps.get_model("catalog", model_name), index)
    for model_name, index in FOLDED_INDEXES:
        schema_editor.add_index(apps.get_model("catalog", model_name), index)


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        search_index_drop(connection)
        return
    if connection.vendor != "postgresql":
        return
    title = apps.get_model("catalog", "title")
    for model_name, index in FOLDED_INDEXES:
        schema_editor.remove_index(apps.get_model("catalog", model_name), index)
    for model_name, index in PLAIN_INDEXES:
        schema_editor.add_index(apps.get_model("catalog", model_name), index)
    schema_editor.remove_index(title, _text_index(CONFIG))
    schema_editor.add_index(title, _text_index("english"))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TEXT SEARCH CONFIGURATION {CONFIG}")
        cursor.execute("DROP FUNCTION marquee_unaccent(text)")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_poster_upload_limits")]

    operations = [migrations.RunPython(forwards, backwards)]
