"""An account's data: the full JSON export, per-profile CSVs, Letterboxd import, deletion.

Everything here works on one account or one profile, scoped in the query; the views only
turn requests into calls and results into responses.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal
from typing import IO, Any, Protocol

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from accounts.models import Profile, User
from catalog.models import Episode, Title
from catalog.selectors import title_visible_queryset
from recommendations.dates import signal_time_validate
from recommendations.models import (
    ListItem,
    NotInterested,
    Rating,
    Source,
    TasteExclusion,
    Thumbs,
    WatchProgress,
)
from recommendations.services import parse_stars, rating_set

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

    Six queries whatever the number of profiles: the profiles, then one per kind of row
    (ratings, watch progress, My List, not interested, taste exclusions) for all of them.
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
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """A cell that a spreadsheet shows as text: a leading quote before a formula sign.

    OWASP's advice for CSV injection; the importer drops the quote again.
    """
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def csv_write(rows: Iterable[list[str]], out: _TextSink) -> None:
    """Write rows to a file or an HttpResponse (file-like), each cell neutralised."""
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])


# --------------------------------------------------------------------------------------
# Letterboxd import
# --------------------------------------------------------------------------------------

IMPORT_MAX_BYTES = 5 * 1024 * 1024
IMPORT_MAX_ROWS = 20_000
# Letterboxd's ratings.csv says Name/Year/Rating; our own ratings CSV says title/year/stars.
_COLUMN_ALIASES = {
    "name": "name",
    "title": "name",
    "year": "year",
    "rating": "rating",
    "stars": "rating",
    "date": "date",
    "rated_at": "date",
}
_REQUIRED_COLUMNS = ("name", "year", "rating")
_ARTICLES = ("the", "a", "an")


class SkipReason:
    NOT_FOUND = "not found"
    AMBIGUOUS = "ambiguous"
    BAD_RATING = "bad rating"
    BAD_YEAR = "bad year"
    BAD_DATE = "date before 1870 or in the future"


@dataclass(frozen=True)
class SkippedRow:
    line: int
    name: str
    year: str
    reason: str


@dataclass(frozen=True)
class ImportReport:
    rows: int
    rated: int
    skipped: list[SkippedRow] = field(default_factory=list)


@dataclass(frozen=True)
class _Row:
    line: int
    name: str
    year_text: str
    year: int | None
    stars: Decimal
    rated_at: datetime | None


def _name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _name_variants(name: str) -> set[str]:
    """The name as given, and with a leading or trailing article moved to the other end.

    Catalogues disagree on "The Matrix" against "Matrix, The"; either spelling in the file
    finds either spelling in the catalogue.
    """
    key = _name_key(name)
    variants = {key}
    for article in _ARTICLES:
        if key.startswith(f"{article} ") and len(key) > len(article) + 1:
            variants.add(f"{key[len(article) + 1 :]}, {article}")
        suffix = f", {article}"
        if key.endswith(suffix) and len(key) > len(suffix):
            variants.add(f"{article} {key[: -len(suffix)]}")
    return variants


def _read_text(file: File | IO[bytes]) -> str:
    size = getattr(file, "size", None)
    if size is not None and size > IMPORT_MAX_BYTES:
        raise ValidationError("The file is larger than 5 MB.", code="too_large")
    raw = file.read(IMPORT_MAX_BYTES + 1)
    if len(raw) > IMPORT_MAX_BYTES:
        raise ValidationError("The file is larger than 5 MB.", code="too_large")
    try:
        # utf-8-sig: spreadsheets often save CSV with a byte-order mark.
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("This is not a CSV text file.", code="not_csv") from None
    if "\x00" in text:
        raise ValidationError("This is not a CSV text file.", code="not_csv")
    return text


def _parse_date(value: str) -> datetime | None:
    """A rating's date: Letterboxd writes `2024-03-01`, our own CSV a full timestamp."""
    value = value.strip()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if len(value) == len("2024-03-01"):
        # A bare day: noon keeps it on that day in any nearby time zone.
        moment = datetime.combine(moment.date(), time(12, 0))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _columns(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, heading in enumerate(header):
        canonical = _COLUMN_ALIASES.get(heading.strip().casefold())
        if canonical is not None and canonical not in columns:
            columns[canonical] = index
    missing = [name.title() for name in _REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ValidationError(
            "The file needs the columns Name, Year and Rating (missing: %(missing)s).",
            code="missing_columns",
            params={"missing": ", ".join(missing)},
        )
    return columns


def _cell(record: list[str], columns: dict[str, int], column: str) -> str:
    index = columns.get(column)
    value = record[index].strip() if index is not None and index < len(record) else ""
    # Our own export quotes a cell that looks like a formula (csv_cell): the quote goes.
    if value.startswith("'") and value[1:].startswith(_FORMULA_STARTS):
        value = value[1:]
    return value


def _parse_record(record: list[str], columns: dict[str, int], line: int) -> _Row | SkippedRow:
    name = _cell(record, columns, "name")
    year_text = _cell(record, columns, "year")
    if not name:
        return SkippedRow(line, name, year_text, SkipReason.NOT_FOUND)
    year: int | None = None
    if year_text:
        try:
            year = int(year_text)
        except ValueError:
            return SkippedRow(line, name, year_text, SkipReason.BAD_YEAR)
    try:
        stars = parse_stars(_cell(record, columns, "rating"))
    except ValidationError:
        return SkippedRow(line, name, year_text, SkipReason.BAD_RATING)
    rated_at = _parse_date(_cell(record, columns, "date")) if "date" in columns else None
    if rated_at is not None:
        try:
            signal_time_validate(rated_at)
        except ValidationError:
            # Stored, a year-1 date with an offset is the year 0: unreadable, every page fails.
            return SkippedRow(line, name, year_text, SkipReason.BAD_DATE)
    return _Row(line, name, year_text, year, stars, rated_at)


def _parse_rows(text: str) -> tuple[list[_Row], list[SkippedRow], int]:
    """Rows ready to match, rows already refused, and the number of data rows read."""
    # strict: an unclosed quote is an error, not one long cell swallowing the rest.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[_Row] = []
    skipped: list[SkippedRow] = []
    count = 0
    try:
        header = next(reader, None)
        if header is None:
            raise ValidationError("The file is empty.", code="empty")
        columns = _columns(header)
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            count += 1
            if count > IMPORT_MAX_ROWS:
                raise ValidationError(
                    "The file has more than %(max)s rows.",
                    code="too_many_rows",
                    params={"max": f"{IMPORT_MAX_ROWS:,}"},
                )
            parsed = _parse_record(record, columns, reader.line_num)
            if isinstance(parsed, SkippedRow):
                skipped.append(parsed)
            else:
                rows.append(parsed)
    except csv.Error:
        raise ValidationError("This is not a readable CSV file.", code="not_csv") from None
    return rows, skipped, count


def _catalogue_index(*, profile: Profile) -> dict[str, list[tuple[int, int | None]]]:
    """Every title the profile may see, by lower-cased name: (id, year) pairs.

    One query for the whole catalogue, matched in Python: case-folding is then the same on
    SQLite (whose LOWER() knows only ASCII) and PostgreSQL, and no IN list can outgrow a
    database's parameter limit.
    """
    index: dict[str, list[tuple[int, int | None]]] = {}
    for pk, name, year in title_visible_queryset(profile=profile).values_list("pk", "name", "year"):
        index.setdefault(_name_key(name), []).append((pk, year))
    return index


def _match(
    row: _Row, index: dict[str, list[tuple[int, int | None]]]
) -> tuple[int | None, str | None]:
    candidates = {
        (pk, year) for variant in _name_variants(row.name) for pk, year in index.get(variant, [])
    }
    if row.year is not None:
        candidates = {(pk, year) for pk, year in candidates if year == row.year}
    if not candidates:
        return None, SkipReason.NOT_FOUND
    if len(candidates) > 1:
        return None, SkipReason.AMBIGUOUS
    return next(iter(candidates))[0], None


def letterboxd_import(*, profile: Profile, file: File | IO[bytes]) -> ImportReport:
    """Rate the titles of a Letterboxd-style CSV (`Name,Year,Rating`, 0.5–5) for a profile.

    Rows are matched on name (any case, article at either end) and year among published
    titles the profile may see. A file that is not CSV, lacks a column, is over 5 MB or
    20,000 rows raises ValidationError and writes nothing; a row that does not match is
    reported in `skipped`. Matches are rated in one transaction, the last row winning when
    a title appears twice.

    Raises:
        ValidationError: the file as a whole cannot be imported.
    """
    text = _read_text(file)
    rows, skipped, count = _parse_rows(text)
    index = _catalogue_index(profile=profile)
    chosen: dict[int, _Row] = {}
    for row in rows:
        title_id, reason = _match(row, index)
        if title_id is None:
            skipped.append(SkippedRow(row.line, row.name, row.year_text, reason or ""))
        else:
            chosen[title_id] = row
    if chosen:
        titles = Title.objects.in_bulk(list(chosen))
        with transaction.atomic():
            for title_id, row in chosen.items():
                rating_set(
                    profile=profile,
                    title=titles[title_id],
                    stars=row.stars,
                    source=Source.IMPORT,
                    rated_at=row.rated_at,
                )
    skipped.sort(key=lambda row: row.line)
    return ImportReport(rows=count, rated=len(chosen), skipped=skipped)
