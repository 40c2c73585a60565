"""An account's data against hostile or absurd input: dates outside 1870–tomorrow, cells
that a spreadsheet would run as formulas, and titles above a kids profile's limit."""

from __future__ import annotations

import csv
import importlib
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import Profile
from catalog.models import Title
from recommendations import services
from recommendations.models import NotInterested, Rating, WatchProgress
from recommendations.profile_data import letterboxd
from recommendations.profile_data.export import csv_cell, csv_write, ratings_csv_rows
from tests.factories import (
    ListItemFactory,
    NotInterestedFactory,
    RatingFactory,
    TitleFactory,
    WatchProgressFactory,
)
from tests.helpers import watch_as

pytestmark = pytest.mark.django_db

YEAR_ONE_EAST = "0001-01-01T00:00:00+05:00"
YEAR_9999_WEST = "9999-12-31T23:59:59-05:00"


@pytest.fixture
def arrival() -> Title:
    return TitleFactory(name="Arrival", slug="arrival", year=2016)


@pytest.fixture
def onboarded(alice_client: Client, alice_profile: Profile) -> Client:
    alice_profile.onboarded_at = timezone.now()
    alice_profile.save(update_fields=["onboarded_at"])
    return alice_client


def _csv_file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("ratings.csv", text.encode(), content_type="text/csv")


# --------------------------------------------------------------------------------------
# Dates: refused where they enter
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "when", [YEAR_ONE_EAST, YEAR_9999_WEST, "0001-01-01", "9999-12-31", "1869-12-31T23:00:00Z"]
)
def test_import_skips_a_row_with_an_implausible_date(
    alice_profile: Profile, arrival: Title, when: str
) -> None:
    report = letterboxd.letterboxd_import(
        profile=alice_profile, file=_csv_file(f"Name,Year,Rating,Date\nArrival,2016,4,{when}\n")
    )
    assert report.rated == 0
    assert [(row.line, row.reason) for row in report.skipped] == [
        (2, letterboxd.SkipReason.BAD_DATE)
    ]
    assert not Rating.objects.exists()


def test_import_keeps_plausible_dates(alice_profile: Profile, arrival: Title) -> None:
    tomorrow = (timezone.now() + timedelta(hours=20)).isoformat()
    TitleFactory(name="Metropolis", year=1927)
    text = f"Name,Year,Rating,Date\nArrival,2016,4,{tomorrow}\nMetropolis,1927,5,1927-01-10\n"
    report = letterboxd.letterboxd_import(profile=alice_profile, file=_csv_file(text))
    assert report.rated == 2
    assert Rating.objects.get(title__name="Metropolis").rated_at.year == 1927


def test_the_import_page_names_the_refused_row(onboarded: Client, arrival: Title) -> None:
    upload = _csv_file(f"Name,Year,Rating,Date\nArrival,2016,4,{YEAR_ONE_EAST}\n")
    response = onboarded.post("/account/data/import/", {"file": upload})
    assert response.status_code == 200
    assert letterboxd.SkipReason.BAD_DATE in response.text


def test_the_import_form_refuses_a_file_over_the_limit(onboarded: Client) -> None:
    big = "Name,Year,Rating\n" + "A,2000,4\n" * (letterboxd.IMPORT_MAX_BYTES // 9 + 1)
    response = onboarded.post("/account/data/import/", {"file": _csv_file(big)})
    assert response.status_code == 200
    assert "larger than 5 MB" in response.text
    assert not Rating.objects.exists()


@pytest.mark.parametrize("when", [datetime(1, 1, 1, tzinfo=UTC), datetime(1850, 6, 1, tzinfo=UTC)])
def test_rating_set_refuses_a_date_before_1870(
    alice_profile: Profile, arrival: Title, when: datetime
) -> None:
    with pytest.raises(ValidationError):
        services.rating_set(profile=alice_profile, title=arrival, stars="4", rated_at=when)


@pytest.mark.parametrize(
    "when", [YEAR_ONE_EAST, "0001-01-01T00:00:00Z", "1800-01-01T00:00:00Z", YEAR_9999_WEST]
)
def test_the_watch_event_api_refuses_implausible_times(
    onboarded: Client, arrival: Title, when: str
) -> None:
    event = {
        "id": str(uuid.uuid4()),
        "title": "arrival",
        "kind": "start",
        "position": 0,
        "at": when,
    }
    response = onboarded.post(
        "/api/v1/me/watch-events/", {"events": [event]}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "at" in response.json()["events"]["0"]
    assert not WatchProgress.objects.exists()


# --------------------------------------------------------------------------------------
# Dates: rows stored before the check
# --------------------------------------------------------------------------------------

# What the old import stored for YEAR_ONE_EAST and YEAR_9999_WEST: on PostgreSQL the
# timestamps themselves (the year 0 and 10000 in UTC); SQLite keeps text, and Django could
# only have written years 1 to 9999 there.
if connection.vendor == "postgresql":
    STORED = [YEAR_ONE_EAST, YEAR_9999_WEST]
else:
    STORED = ["0000-12-31 19:00:00", "9999-12-31 12:00:00"]

PAGES = [
    "/",
    "/me/ratings/",
    "/me/history/",
    "/titles/arrival/",
    "/api/v1/me/ratings/",
    "/api/v1/me/history/",
    "/account/data/ratings.csv",
    "/account/data/history.csv",
    "/account/data/marquee-data.json",
]


def _store_raw(model: type, column: str, pk: int, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {model._meta.db_table} SET {column} = %s WHERE id = %s",  # noqa: S608
            [value, pk],
        )


def _clamp_signal_dates() -> None:
    migration = importlib.import_module("recommendations.migrations.0010_signal_dates_plausible")
    migration.clamp_signal_dates(apps, None)


@pytest.mark.parametrize("stored", STORED)
def test_pages_answer_once_stored_dates_are_clamped(
    onboarded: Client, alice_profile: Profile, arrival: Title, stored: str
) -> None:
    rating = RatingFactory(profile=alice_profile, title=arrival)
    progress = WatchProgressFactory(profile=alice_profile, title=arrival, last_position=600)
    _store_raw(Rating, "rated_at", rating.pk, stored)
    for column in ("started_at", "last_watched_at"):
        _store_raw(WatchProgress, column, progress.pk, stored)

    _clamp_signal_dates()

    for path in PAGES:
        assert onboarded.get(path).status_code == 200, path
    rated_at = Rating.objects.get().rated_at
    assert datetime(1870, 1, 1, tzinfo=UTC) <= rated_at <= timezone.now() + timedelta(days=1)


def test_clamping_leaves_plausible_dates_alone(alice_profile: Profile, arrival: Title) -> None:
    when = datetime(2001, 9, 1, 12, tzinfo=UTC)
    RatingFactory(profile=alice_profile, title=arrival, rated_at=when)
    _clamp_signal_dates()
    assert Rating.objects.get().rated_at == when


# --------------------------------------------------------------------------------------
# CSV exports against formula injection
# --------------------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]


def _read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("name", FORMULAS)
def test_csv_cell_neutralises_a_formula(name: str) -> None:
    assert csv_cell(name) == "'" + name


@pytest.mark.parametrize("name", ["Arrival", "2001: A Space Odyssey", "'Round Midnight", ""])
def test_csv_cell_leaves_plain_text_alone(name: str) -> None:
    assert csv_cell(name) == name


def test_both_csv_exports_neutralise_formula_names(
    onboarded: Client, alice_profile: Profile
) -> None:
    for index, name in enumerate(FORMULAS):
        title = TitleFactory(name=name, slug=f"formula-{index}")
        RatingFactory(profile=alice_profile, title=title)
        WatchProgressFactory(profile=alice_profile, title=title, last_position=60)
    for path in ("/account/data/ratings.csv", "/account/data/history.csv"):
        rows = _read_csv(onboarded.get(path).content.decode())
        names = {row[0] for row in rows[1:]}
        assert names == {"'" + name for name in FORMULAS}, path


def test_an_exported_formula_name_imports_back(alice_profile: Profile) -> None:
    title = TitleFactory(name="=Cube", year=2020)
    RatingFactory(profile=alice_profile, title=title, stars="4.5")
    out = io.StringIO()
    csv_write(ratings_csv_rows(profile=alice_profile), out)
    Rating.objects.all().delete()
    report = letterboxd.letterboxd_import(profile=alice_profile, file=_csv_file(out.getvalue()))
    assert report.rated == 1
    assert Rating.objects.get().title == title


# --------------------------------------------------------------------------------------
# Kids profiles and titles above their limit
# --------------------------------------------------------------------------------------


@pytest.fixture
def kid(alice_profile: Profile) -> Profile:
    from accounts.services import profile_create

    kid = profile_create(account=alice_profile.account, name="Kid", is_kids=True)
    kid.onboarded_at = timezone.now()
    kid.save(update_fields=["onboarded_at"])
    return kid


@pytest.fixture
def kids_client(client: Client, kid: Profile) -> Client:
    client.force_login(kid.account)
    return watch_as(client, kid)


@pytest.fixture
def adult_title() -> Title:
    return TitleFactory(name="Bloody Harbour", slug="bloody-harbour", maturity_rating="R")


def test_a_kid_cannot_mark_an_adult_title_not_interested(
    kids_client: Client, kid: Profile, adult_title: Title
) -> None:
    response = kids_client.post("/titles/bloody-harbour/not-interested/")
    assert response.status_code == 404
    assert not NotInterested.objects.filter(profile=kid).exists()


def test_a_kid_cannot_mark_it_through_the_api(
    kids_client: Client, kid: Profile, adult_title: Title
) -> None:
    response = kids_client.put("/api/v1/me/not-interested/bloody-harbour/")
    assert response.status_code == 400
    assert not NotInterested.objects.filter(profile=kid).exists()


def test_a_kid_can_still_mark_a_title_within_the_limit(kids_client: Client, kid: Profile) -> None:
    TitleFactory(name="Bedtime Bears", slug="bedtime-bears", maturity_rating="G")
    response = kids_client.post("/titles/bedtime-bears/not-interested/")
    assert response.status_code == 302
    assert NotInterested.objects.filter(profile=kid).count() == 1


@pytest.mark.parametrize(
    "path",
    [
        "/me/not-interested/",
        "/me/history/",
        "/me/ratings/",
        "/me/list/",
        "/me/rate/",
        "/api/v1/me/not-interested/",
        "/api/v1/me/history/",
        "/api/v1/me/ratings/",
        "/api/v1/me/list/",
    ],
)
def test_a_kids_lists_never_name_titles_above_its_limit(
    kids_client: Client, kid: Profile, adult_title: Title, path: str
) -> None:
    # Rows left from before the profile became a kids profile (or its limit was lowered).
    seen = TitleFactory(name="Bedtime Bears", slug="bedtime-bears", maturity_rating="G")
    for title in (adult_title, seen):
        NotInterestedFactory(profile=kid, title=title)
        RatingFactory(profile=kid, title=title)
        ListItemFactory(profile=kid, title=title)
        WatchProgressFactory(
            profile=kid,
            title=title,
            last_position=6000,
            completed=True,
            completed_at=timezone.now(),
        )
    if path == "/me/rate/":
        # "Rate what you watched" lists finished titles without a rating.
        Rating.objects.filter(profile=kid).delete()
    response = kids_client.get(path)
    assert response.status_code == 200
    assert "Bloody Harbour" not in response.content.decode()
    assert "Bedtime Bears" in response.content.decode()
