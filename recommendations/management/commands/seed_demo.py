"""`manage.py seed_demo`: fill the database with an invented demo catalogue and viewers.

Viewers come with histories (watching, ratings, My List, "not interested") drawn from
hidden taste groups; with --users above 0 the demo sign-in household gets one too.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from catalog.models import Title
from recommendations.demo.load import demo_load
from recommendations.demo.world import MAX_TITLES, MAX_USERS
from recommendations.trending import trending_refresh


class Command(BaseCommand):
    help = (
        "Create invented titles, people, accounts and profiles with viewing histories, and "
        "(with --users) the demo sign-in accounts. The same --seed and counts give the same "
        "data on an empty database, dated back from the moment of loading; running again "
        "adds to what is there."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # No `type=int`: every value is checked in handle(), so call_command(titles=...)
        # and the command line get the same checks and the same messages.
        parser.add_argument(
            "--titles", default=300, metavar="N", help=f"Titles to create, 1–{MAX_TITLES:,}."
        )
        parser.add_argument(
            "--users", default=50, metavar="N", help=f"Accounts to create, 0–{MAX_USERS:,}."
        )
        parser.add_argument(
            "--seed", default=42, metavar="S", help="Random seed, 0 or more (default 42)."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the catalogue already has titles.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        titles = _whole_number(options["titles"], "--titles", minimum=1, maximum=MAX_TITLES)
        users = _whole_number(options["users"], "--users", minimum=0, maximum=MAX_USERS)
        seed = _whole_number(options["seed"], "--seed", minimum=0)
        if options["if_empty"] and Title.objects.exists():
            self.stdout.write("The catalogue already has titles: not seeding (--if-empty).")
            return
        summary = demo_load(titles=titles, users=users, seed=seed, stdout=self.stdout)
        # The hourly task would get there; a fresh demo should not start with an empty row.
        trending = trending_refresh()
        self.stdout.write(f"{trending:,} titles trending.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {summary.titles:,} titles ({summary.series:,} series with "
                f"{summary.seasons:,} seasons and {summary.episodes:,} episodes), "
                f"{summary.people:,} people, {summary.credits:,} credits, "
                f"{summary.accounts:,} accounts with {summary.profiles:,} profiles; "
                f"{summary.viewings:,} titles watched ({summary.progress_rows:,} progress "
                f"rows), {summary.ratings:,} ratings, {summary.list_items:,} My List items, "
                f"{summary.not_interested:,} not interested; "
                f"{summary.household_profiles} demo sign-in profiles with a history; "
                f"{summary.genres_created} new genres and {summary.tags_created} new tags. "
                f"Seed {summary.seed}, {summary.seconds:.1f} s."
            )
        )


def _whole_number(value: object, option: str, *, minimum: int, maximum: int | None = None) -> int:
    # bool is an int subclass, but `titles=True` is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise CommandError(f"{option} must be a whole number, got {value!r}.")
    try:
        number = int(value)
    except ValueError:
        raise CommandError(f"{option} must be a whole number, got {value!r}.") from None
    if number < minimum or (maximum is not None and number > maximum):
        allowed = (
            f"between {minimum} and {maximum:,}" if maximum is not None else f"{minimum} or more"
        )
        raise CommandError(f"{option} must be {allowed}, got {number:,}.")
    return number
