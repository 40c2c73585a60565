"""A profile's ratings, brought in: a Letterboxd-style CSV (`Name,Year,Rating`), or the
ratings CSV of our own export.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone

from accounts.models import Profile
from catalog.models import Title
from recommendations.dates import signal_time_validate
from recommendations.models import Source
from recommendations.profile_data.export import FORMULA_STARTS
from recommendations.services import parse_stars, rating_set

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
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
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
    for pk, name, year in Title.objects.visible_to(profile).values_list("pk", "name", "year"):
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
