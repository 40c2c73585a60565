"""Full-text and trigram indexes for search, on PostgreSQL only.

The GIN index is built from the SearchVector expression the search selector then used
("english" text search configuration), compiled by Django, so the planner could match
them. 0004 replaces it with an unaccented one; the expression is written out here, not
imported from the selector, so that this migration keeps building what it always built.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import TrigramExtension
from django.contrib.postgres.search import SearchVector
from django.db import migrations


def title_search_vector():
    return SearchVector("name", weight="A", config="english") + SearchVector(
        "synopsis", weight="B", config="english"
    )

SEARCH_INDEX = "catalog_title_search_gin"
NAME_TRGM_INDEX = "catalog_title_name_trgm"
PERSON_TRGM_INDEX = "catalog_person_name_trgm"


def _indexes():
    return [
        ("title", GinIndex(title_search_vector(), name=SEARCH_INDEX)),
        ("title", GinIndex(fields=["name"], opclasses=["gin_trgm_ops"], name=NAME_TRGM_INDEX)),
        ("person", GinIndex(fields=["name"], opclasses=["gin_trgm_ops"], name=PERSON_TRGM_INDEX)),
    ]


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, index in _indexes():
        schema_editor.add_index(apps.get_model("catalog", model_name), index)


def remove_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, index in _indexes():
        schema_editor.remove_index(apps.get_model("catalog", model_name), index)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(add_indexes, remove_indexes),
    ]
