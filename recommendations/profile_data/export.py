"""A profile's recommendation data, taken out: the account's JSON export and the
per-profile CSVs of ratings and watch history.

Everything here reads one account or one profile, scoped in the query. Files are written
into the response on request, never kept on disk or under a served path.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, Protocol

from django.db.models import Prefetch
from django.utils import timezone

from accounts.models import Profile, User
from catalog.models import Episode, Title
from recommendations.models import (
    ListItem,
    MediaServer,
    MediaServerUser,
    NotInterested,
    Rating,
    TasteExclusion,
    Thumbs,
    WatchProgress,
)

EXPORT_FORMAT = "marquee-export"
EXPORT_VERSION = 1

# --------------------------------------------------------------------------------------
# JSON export of the whole account
# --------------------------------------------------------------------------------------


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _title(title: Title) -> dict[str, Any]:
    return {"name": title.name, "slug": title.slug, "year": title.year}


def _episode(episode: Episode | None) -> dict[str, Any] | None:
    if episode is None:
        return None
    return {"season": episode.season.number, "number": episode.number, "name": episode.name}


def _profile_export(profile: Profile) -> dict[str, Any]:
    return {
        "name": profile.name,
        "avatar_color": profile.avatar_color,
        "language": profile.language,
        "is_kids": profile.is_kids,
        "max_maturity_age": profile.max_maturity_age,
        "private_session": profile.private_session,
        "created_at": _when(profile.created_at),
        "ratings": [
            {
                "title": _title(rating.title),
                # Half steps are exact in binary, so a float loses nothing.
                "stars": float(rating.stars),
                "thumbs": rating.thumbs,
                "scale": rating.scale,
                "source": rating.source,
                "rated_at": _when(rating.rated_at),
            }
            for rating in profile.ratings.all()
        ],
        "watch_history": [
            {
                "title": _title(row.title),
                "episode": _episode(row.episode),
                "runtime_seconds": row.runtime_seconds,
                "last_position": row.last_position,
                "furthest_position": row.furthest_position,
                "seconds_watched": row.seconds_watched,
                "percent": row.percent,
                "completed": row.completed,
                "times_completed": row.times_completed,
                "private": row.is_private,
                "started_at": _when(row.started_at),
                "last_watched_at": _when(row.last_watched_at),
                "completed_at": _when(row.completed_at),
            }
            for row in profile.progress.all()
        ],
        "my_list": [
            {"title": _title(item.title), "added_at": _when(item.added_at)}
            for item in profile.list_items.all()
        ],
        "not_interested": [
            {"title": _title(mark.title), "created_at": _when(mark.created_at)}
            for mark in profile.not_interested.all()
        ],
        "taste_exclusions": [
            {"title": _title(mark.title), "created_at": _when(mark.created_at)}
            for mark in profile.taste_exclusions.all()
        ],
    }


def account_export(*, account: User) -> dict[str, Any]:
    """Everything Marquee keeps about an account, as JSON-ready plain data.

    Seven queries whatever the number of profiles: the profiles, then one per kind of
    row (ratings, watch progress, My List, not interested, taste exclusions) for all of
    them, and the media servers; one more for their users when there are any.
    """
    profiles = (
        Profile.objects.filter(account=account)
        .order_by("created_at", "id")
        .prefetch_related(
            Prefetch(
                "ratings",
                queryset=Rating.objects.select_related("title").order_by("-rated_at", "-id"),
            ),
            Prefetch(
                "progress",
                queryset=WatchProgress.objects.select_related("title", "episode__season").order_by(
                    "-last_watched_at", "-id"
                ),
            ),
            Prefetch(
                "list_items",
                queryset=ListItem.objects.select_related("title").order_by("-added_at", "-id"),
            ),
            Prefetch(
                "not_interested",
                queryset=NotInterested.objects.select_related("title").order_by(
                    "-created_at", "-id"
                ),
            ),
            Prefetch(
                "taste_exclusions",
                queryset=TasteExclusion.objects.select_related("title").order_by(
                    "-created_at", "-id"
                ),
            ),
        )
    )
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": _when(timezone.now()),
        "account": {
            "email": account.email,
            "name": account.name,
            "date_joined": _when(account.date_joined),
            "rating_scale": account.rating_scale,
        },
        "profiles": [_profile_export(profile) for profile in profiles],
        # The account's own media servers; never their API key or webhook address.
        "media_servers": [
            {
                "name": server.name,
                "kind": server.kind,
                "address": server.base_url,
                "connected_at": _when(server.created_at),
                "users": [
                    {
                        "name": user.name,
                        "id_on_server": user.external_id,
                        "profile": user.profile.name if user.profile else None,
                    }
                    for user in server.users.all()
                ],
            }
            for server in MediaServer.objects.filter(account=account)
            .order_by("name", "pk")
            .prefetch_related(
                Prefetch(
                    "users",
                    queryset=MediaServerUser.objects.select_related("profile").order_by(
                        "name", "pk"
                    ),
                )
            )
        ],
    }


# --------------------------------------------------------------------------------------
# Per-profile CSV
# --------------------------------------------------------------------------------------

RATINGS_CSV_HEADER = ["title", "year", "stars", "thumbs", "rated_at"]
HISTORY_CSV_HEADER = ["title", "year", "episode", "percent", "completed", "last_watched_at"]
_THUMBS_NAMES = {Thumbs.DOWN: "down", Thumbs.UP: "up", Thumbs.TWO_UP: "two_up"}


def _year(title: Title) -> str:
    return "" if title.year is None else str(title.year)


def ratings_csv_rows(*, profile: Profile) -> Iterator[list[str]]:
    """The profile's ratings, newest first, header included.

    `title,year,stars` is also a header the importer accepts, so the file goes back in.
    """
    yield RATINGS_CSV_HEADER
    rows = (
        Rating.objects.filter(profile=profile).select_related("title").order_by("-rated_at", "-id")
    )
    for rating in rows.iterator(chunk_size=2000):
        yield [
            rating.title.name,
            _year(rating.title),
            str(rating.stars),
            _THUMBS_NAMES.get(rating.thumbs, str(rating.thumbs)),
            rating.rated_at.isoformat(),
        ]


def history_csv_rows(*, profile: Profile) -> Iterator[list[str]]:
    """What the profile watched, newest first: a row per film or series and per episode."""
    yield HISTORY_CSV_HEADER
    rows = (
        WatchProgress.objects.filter(profile=profile)
        .select_related("title", "episode__season")
        .order_by("-last_watched_at", "-id")
    )
    for row in rows.iterator(chunk_size=2000):
        episode = ""
        if row.episode is not None:
            episode = f"S{row.episode.season.number:02d}E{row.episode.number:02d}"
        yield [
            row.title.name,
            _year(row.title),
            episode,
            f"{row.percent:.1f}",
            "yes" if row.completed else "no",
            row.last_watched_at.isoformat(),
        ]


class _TextSink(Protocol):
    def write(self, text: str, /) -> object: ...


# A spreadsheet treats a cell starting with one of these as a formula: a title named
# `=HYPERLINK("http://…")` would run in the spreadsheet of whoever opens the export.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """A cell that a spreadsheet shows as text: a leading quote before a formula sign.

    OWASP's advice for CSV injection; the importer drops the quote again.
    """
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def csv_write(rows: Iterable[list[str]], out: _TextSink) -> None:
    """Write rows to a file or an HttpResponse (file-like), each cell neutralised."""
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
