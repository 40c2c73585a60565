"""`manage.py import_movielens PATH`: titles, viewers and ratings from a MovieLens folder."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.importers.movielens.formats import MovieLensError
from catalog.importers.movielens.titles import TAG_MIN_USERS
from recommendations.importers.movielens import EMAIL_DOMAIN, UNDATED_RATED_AT, movielens_import


class Command(BaseCommand):
    help = (
        "Import a MovieLens folder: ml-100k, ml-1m (ratings.dat, or ratings_no_timestamp.dat "
        f"whose ratings are all dated {UNDATED_RATED_AT:%Y-%m-%d} UTC, when ML-1M was "
        "published), or the CSV datasets ml-latest, ml-latest-small, ml-25m and ml-32m. "
        "Creates the films (unrated, published; Sci-Fi becomes Science Fiction, Children's "
        "becomes Family), one account and profile per MovieLens user "
        f"(ml-<dataset>-<userId>@{EMAIL_DOMAIN}, no password), their ratings, and tags "
        f"given to a film by at least {TAG_MIN_USERS} users. Running it again adds nothing "
        "twice. A bad line stops the import and leaves the database as it was."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The folder holding the MovieLens files.")
        parser.add_argument(
            "--skip-unknown-movies",
            action="store_true",
            help="Skip, and count, ratings and tags of films missing from the movies file "
            "instead of stopping.",
        )
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help="No progress bars (they are off anyway when stderr is not a terminal).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = movielens_import(
                path=options["path"],
                skip_unknown_movies=options["skip_unknown_movies"],
                progress=not options["no_progress"] and sys.stderr.isatty(),
            )
        except MovieLensError as error:
            raise CommandError(str(error)) from error
        unknown = (
            f" ({summary.ratings_unknown_movie:,} of unknown films left out)"
            if summary.ratings_unknown_movie
            else ""
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"MovieLens {summary.label}: titles {summary.titles_created:,} created, "
                f"{summary.titles_updated:,} updated, {summary.id_clashes:,} IMDb/TMDb ids "
                f"left empty (held by another title); users {summary.accounts_created:,} "
                f"created, {summary.accounts_existing:,} existing; ratings "
                f"{summary.ratings_added:,} added, {summary.ratings_skipped:,} skipped"
                f"{unknown}; tags {summary.tags_created:,} created, "
                f"{summary.title_tags_added:,} put on titles. {summary.seconds:.1f} s."
            )
        )
