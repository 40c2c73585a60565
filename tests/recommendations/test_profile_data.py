"""A profile's data taken out (the account's JSON, the profile's CSVs) and brought in (a
Letterboxd-style ratings file), through the functions and the pages."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import Profile, User
from catalog.models import Title
from config.secret_box import seal
from recommendations import services
from recommendations.media_servers.models import MediaServer, MediaServerUser
from recommendations.media_servers.services import webhook_token_new
from recommendations.models import Rating
from recommendations.profile_data import letterboxd
from recommendations.profile_data.export import account_export
from tests.factories import (
    ProfileFactory,
    RatingFactory,
    TitleFactory,
)
from tests.helpers import T0, fill, signed_in

pytestmark = pytest.mark.django_db


def csv_file(text: str, name: str = "ratings.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def read_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode())))


# --------------------------------------------------------------------------------------
# Download my data
# --------------------------------------------------------------------------------------


class TestAccountExport:
    def test_the_download_is_a_dated_json_attachment(self, alice_client: Client) -> None:
        response = alice_client.get(reverse("profile_data:data_export"))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert response["Content-Disposition"] == (
            f'attachment; filename="marquee-data-{date.today():%Y-%m-%d}.json"'
        )
        assert "no-store" in response["Cache-Control"]
        body = json.loads(response.content)
        assert body["account"]["email"] == "alice@example.com"

    def test_it_holds_the_account_every_profile_and_all_their_rows(
        self, alice: User, alice_profile: Profile
    ) -> None:
        alice.rating_scale = "thumbs"
        alice.save()
        kid = ProfileFactory(account=alice, name="Kid", is_kids=True, max_maturity_age=7)
        titles = fill(alice_profile)
        services.private_session_set(profile=alice_profile, enabled=True)

        export = json.loads(json.dumps(account_export(account=alice)))

        assert export["account"] == {
            "email": "alice@example.com",
            "name": "Alice",
            "date_joined": alice.date_joined.isoformat(),
            "rating_scale": "thumbs",
        }
        assert [p["name"] for p in export["profiles"]] == ["Alice", "Kid"]
        mine, kids = export["profiles"]
        assert mine["private_session"] is True
        assert (kids["is_kids"], kids["max_maturity_age"]) == (True, 7)
        assert kid.pk
        assert kids["ratings"] == kids["watch_history"] == []
        assert {
            (r["title"]["slug"], r["stars"], r["thumbs"], r["scale"]) for r in mine["ratings"]
        } == {
            (titles["film"].slug, 3.5, 1, "stars"),
            (titles["liked"].slug, 5.0, 2, "thumbs"),
        }
        assert mine["ratings"][0]["title"].keys() == {"name", "slug", "year"}
        history = {(h["title"]["slug"], bool(h["episode"])): h for h in mine["watch_history"]}
        assert set(history) == {
            (titles["film"].slug, False),
            (titles["series"].slug, False),
            (titles["series"].slug, True),
        }
        film = history[(titles["film"].slug, False)]
        assert (film["last_position"], film["percent"], film["completed"]) == (600, 10.0, False)
        assert film["times_completed"] == 0
        assert film["last_watched_at"] == (T0 + timedelta(seconds=600)).isoformat()
        pilot = history[(titles["series"].slug, True)]
        assert pilot["episode"] == {"season": 1, "number": 1, "name": "Pilot"}
        assert [i["title"]["slug"] for i in mine["my_list"]] == [titles["liked"].slug]
        assert [i["title"]["slug"] for i in mine["not_interested"]] == [titles["refused"].slug]
        assert [i["title"]["slug"] for i in mine["taste_exclusions"]] == [titles["film"].slug]

    def test_it_leaves_out_other_accounts(
        self, alice: User, alice_profile: Profile, bob: User
    ) -> None:
        fill(ProfileFactory(account=bob, name="Bob"))
        export = account_export(account=alice)
        assert [p["name"] for p in export["profiles"]] == ["Alice"]
        assert "Bob" not in json.dumps(export)

    def test_it_costs_seven_queries_whatever_the_number_of_profiles(
        self, alice: User, alice_profile: Profile, django_assert_num_queries: Callable[..., Any]
    ) -> None:
        fill(alice_profile)
        for name in ("Sam", "Kit"):
            fill(ProfileFactory(account=alice, name=name))
        # 1. the account's profiles
        # 2. their ratings, with titles
        # 3. their watch progress, with titles, episodes and seasons
        # 4. their My List items, with titles
        # 5. their not-interested marks, with titles
        # 6. their taste exclusions, with titles
        # 7. the account's media servers (none here)
        with django_assert_num_queries(7):
            export = account_export(account=alice)
        assert sum(len(p["watch_history"]) for p in export["profiles"]) == 9

    def test_the_download_costs_eight_queries(
        self,
        alice_client: Client,
        alice: User,
        alice_profile: Profile,
        django_assert_num_queries: Callable[..., Any],
    ) -> None:
        fill(alice_profile)
        fill(ProfileFactory(account=alice, name="Sam"))
        # 1. the account with its current profile (accounts.viewer; the session comes from
        # the cache), 2-8. the export's seven: profiles, ratings, progress, list, not
        # interested, exclusions, media servers
        with django_assert_num_queries(8):
            alice_client.get(reverse("profile_data:data_export"))

    def test_it_holds_the_accounts_media_servers_without_their_secrets(
        self, alice: User, alice_profile: Profile
    ) -> None:
        server = MediaServer(
            name="Den", kind="emby", base_url="http://192.168.1.10:8096", account=alice
        )
        token = webhook_token_new(server)
        server.api_key_sealed = seal("the-api-key")
        server.save()
        MediaServerUser.objects.create(
            server=server, external_id="abc", name="alice", profile=alice_profile
        )
        export = account_export(account=alice)
        assert export["media_servers"] == [
            {
                "name": "Den",
                "kind": "emby",
                "address": "http://192.168.1.10:8096",
                "connected_at": export["media_servers"][0]["connected_at"],
                "users": [{"name": "alice", "id_on_server": "abc", "profile": "Alice"}],
            }
        ]
        text = json.dumps(export)
        assert token not in text
        assert server.api_key_sealed not in text

    def test_it_needs_a_signed_in_account(self, client: Client) -> None:
        response = client.get(reverse("profile_data:data_export"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


# --------------------------------------------------------------------------------------
# Per-profile CSV
# --------------------------------------------------------------------------------------


class TestProfileCsv:
    def test_the_ratings_csv_lists_the_current_profiles_ratings(
        self, alice_client: Client, alice: User, alice_profile: Profile
    ) -> None:
        titles = fill(alice_profile)
        fill(ProfileFactory(account=alice, name="Sam"))
        response = alice_client.get(reverse("profile_data:ratings_csv"))
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == (
            f'attachment; filename="marquee-alice-ratings-{date.today():%Y-%m-%d}.csv"'
        )
        assert response.content.decode().splitlines()[0] == "title,year,stars,thumbs,rated_at"
        rows = {r["title"]: r for r in read_csv(response.content)}
        assert set(rows) == {titles["film"].name, titles["liked"].name}
        assert (rows["Alice film"]["year"], rows["Alice film"]["stars"]) == ("1999", "3.5")
        assert (rows["Alice film"]["thumbs"], rows["Alice liked"]["thumbs"]) == ("up", "two_up")

    def test_the_history_csv_has_titles_and_episodes(
        self, alice_client: Client, alice_profile: Profile
    ) -> None:
        fill(alice_profile)
        response = alice_client.get(reverse("profile_data:history_csv"))
        assert response.status_code == 200
        assert "history" in response["Content-Disposition"]
        lines = response.content.decode().splitlines()
        assert lines[0] == "title,year,episode,percent,completed,last_watched_at"
        rows = read_csv(response.content)
        # Newest first; the series and its episode were last watched at the same moment.
        assert [(r["title"], r["episode"]) for r in rows] == [
            ("Alice series", ""),
            ("Alice series", "S01E01"),
            ("Alice film", ""),
        ]
        film = rows[2]
        assert (film["year"], film["percent"], film["completed"]) == ("1999", "10.0", "no")
        assert film["last_watched_at"] == (T0 + timedelta(seconds=600)).isoformat()

    @pytest.mark.parametrize("name", ["ratings_csv", "history_csv", "ratings_import"])
    def test_without_a_profile_it_sends_the_viewer_to_the_picker(
        self, client: Client, alice: User, alice_profile: Profile, name: str
    ) -> None:
        client.force_login(alice)
        url = reverse(f"profile_data:{name}")
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == (
            f"{reverse('accounts:profile_picker')}?next={url.replace('/', '%2F')}"
        )

    def test_the_picker_brings_the_viewer_back_to_the_download(
        self, client: Client, alice: User, alice_profile: Profile
    ) -> None:
        client.force_login(alice)
        picker = client.get(client.get(reverse("profile_data:ratings_csv"))["Location"])
        assert f'value="{reverse("profile_data:ratings_csv")}"' in picker.text
        response = client.post(
            reverse("accounts:profile_select", args=[alice_profile.pk]),
            {"next": reverse("profile_data:ratings_csv")},
        )
        assert response["Location"] == reverse("profile_data:ratings_csv")


# --------------------------------------------------------------------------------------
# Letterboxd import
# --------------------------------------------------------------------------------------

LETTERBOXD_HEADER = "Date,Name,Year,Letterboxd URI,Rating\n"


@pytest.fixture
def catalogue() -> dict[str, Title]:
    return {
        "matrix": TitleFactory(name="The Matrix", year=1999),
        "shining": TitleFactory(name="Shining, The", year=1980),
        "amelie": TitleFactory(name="Amélie", year=2001, maturity_rating="R"),
        "solaris72": TitleFactory(name="Solaris", year=1972, slug="solaris-1972"),
        "solaris02": TitleFactory(name="Solaris", year=2002, slug="solaris-2002"),
        "hidden": TitleFactory(name="Draft", year=2020, is_published=False),
        "adult": TitleFactory(name="Grown Up", year=2010, maturity_rating="R"),
        "toy": TitleFactory(name="Toy Story", year=1995, maturity_rating="G"),
    }


class TestLetterboxdImport:
    def test_it_rates_the_rows_of_a_letterboxd_ratings_file(
        self, alice_profile: Profile, catalogue: dict[str, Title]
    ) -> None:
        text = LETTERBOXD_HEADER + (
            "2024-01-05,The Matrix,1999,https://boxd.it/2a1m,4.5\n"
            "2024-01-06,amélie,2001,https://boxd.it/2a1n,3\n"
        )
        report = letterboxd.letterboxd_import(profile=alice_profile, file=csv_file(text))
        assert (report.rows, report.rated, report.skipped) == (2, 2, [])
        matrix = Rating.objects.get(profile=alice_profile, title=catalogue["matrix"])
        assert (matrix.stars, matrix.scale, matrix.source) == (Decimal("4.5"), "stars", "import")
        assert matrix.rated_at.date() == date(2024, 1, 5)
        assert Rating.objects.get(title=catalogue["amelie"]).stars == Decimal("3.0")

    def test_it_accepts_just_name_year_and_rating(
        self, alice_profile: Profile, catalogue: dict[str, Title]
    ) -> None:
        report = letterboxd.letterboxd_import(
            profile=alice_profile, file=csv_file("Name,Year,Rating\nthe matrix,1999,0.5\n")
        )
        assert report.rated == 1
        assert Rating.objects.get().stars == Decimal("0.5")

    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("Matrix, The", "matrix"),
            ("THE SHINING", "shining"),
            ("Shining, the", "shining"),
        ],
    )
    def test_it_finds_a_title_with_its_article_at_either_end(
        self, alice_profile: Profile, catalogue: dict[str, Title], name: str, expected: str
    ) -> None:
        year = catalogue[expected].year
        report = letterboxd.letterboxd_import(
            profile=alice_profile, file=csv_file(f'Name,Year,Rating\n"{name}",{year},4\n')
        )
        assert report.rated == 1
        assert Rating.objects.get().title == catalogue[expected]

    def test_the_year_tells_titles_of_one_name_apart(
        self, alice_profile: Profile, catalogue: dict[str, Title]
    ) -> None:
        letterboxd.letterboxd_import(
            profile=alice_profile, file=csv_file("Name,Year,Rating\nSolaris,2002,3.5\n")
        )
        assert Rating.objects.get().title == catalogue["solaris02"]

    def test_it_reports_rows_it_cannot_use(
        self, alice_profile: Profile, catalogue: dict[str, Title]
    ) -> None:
        text = LETTERBOXD_HEADER + (
            "2024-01-01,Solaris,,u,4\n"
            "2024-01-01,Solaris,1990,u,4\n"
            "2024-01-01,Draft,2020,u,4\n"
            "2024-01-01,The Matrix,1999,u,7\n"
            "2024-01-01,The Matrix,1999,u,3.3\n"
            "2024-01-01,The Matrix,1999,u,\n"
            "2024-01-01,The Matrix,nineteen,u,4\n"
            "2024-01-01,The Shining,1980,u,5\n"
        )
        report = letterboxd.letterboxd_import(profile=alice_profile, file=csv_file(text))
        assert report.rows == 8
        assert report.rated == 1
        assert [(s.line, s.name, s.year, s.reason) for s in report.skipped] == [
            (2, "Solaris", "", "ambiguous"),
            (3, "Solaris", "1990", "not found"),
            (4, "Draft", "2020", "not found"),
            (5, "The Matrix", "1999", "bad rating"),
            (6, "The Matrix", "1999", "bad rating"),
            (7, "The Matrix", "1999", "bad rating"),
            (8, "The Matrix", "nineteen", "bad year"),
        ]
        assert list(Rating.objects.values_list("title__name", flat=True)) == ["Shining, The"]

    def test_a_title_above_the_profiles_limit_is_not_found(
        self, alice: User, catalogue: dict[str, Title]
    ) -> None:
        kid = ProfileFactory(account=alice, name="Kid", is_kids=True, max_maturity_age=12)
        report = letterboxd.letterboxd_import(
            profile=kid, file=csv_file("Name,Year,Rating\nGrown Up,2010,5\nToy Story,1995,5\n")
        )
        assert report.rated == 1
        assert [(s.name, s.reason) for s in report.skipped] == [("Grown Up", "not found")]

    def test_a_repeated_title_takes_its_last_rating(
        self, alice_profile: Profile, catalogue: dict[str, Title]
    ) -> None:
        report = letterboxd.letterboxd_import(
            profile=alice_profile,
            file=csv_file(
                "Name,Year,Rating\nThe Matrix,1999,2\nMatrix, The,1999,5\n".replace(
                    "Matrix, The", '"Matrix, The"'
                )
            ),
        )
        assert report.rated == 1
        assert Rating.objects.get().stars == Decimal("5.0")

    def test_it_replaces_an_earlier_rating_of_the_profile_only(
        self, alice_profile: Profile, bob: User, catalogue: dict[str, Title]
    ) -> None:
        bobs = ProfileFactory(account=bob, name="Bob")
        RatingFactory(profile=alice_profile, title=catalogue["matrix"], stars=Decimal("1.0"))
        RatingFactory(profile=bobs, title=catalogue["matrix"], stars=Decimal("1.0"))
        letterboxd.letterboxd_import(
            profile=alice_profile, file=csv_file("Name,Year,Rating\nThe Matrix,1999,4\n")
        )
        assert Rating.objects.get(profile=alice_profile).stars == Decimal("4.0")
        assert Rating.objects.get(profile=bobs).stars == Decimal("1.0")

    def test_our_own_ratings_csv_imports_back(
        self, alice_client: Client, alice: User, alice_profile: Profile, catalogue: dict[str, Title]
    ) -> None:
        services.rating_set(profile=alice_profile, title=catalogue["matrix"], stars="3.5")
        exported = alice_client.get(reverse("profile_data:ratings_csv")).content
        sam = ProfileFactory(account=alice, name="Sam")
        report = letterboxd.letterboxd_import(profile=sam, file=io.BytesIO(exported))
        assert report.rated == 1
        rating = Rating.objects.get(profile=sam)
        assert (rating.title, rating.stars) == (catalogue["matrix"], Decimal("3.5"))

    def test_it_reads_a_file_with_a_byte_order_mark(
        self, alice_profile: Profile, catalogue: dict[str, Title]
    ) -> None:
        upload = SimpleUploadedFile("r.csv", "\ufeffName,Year,Rating\nThe Matrix,1999,4\n".encode())
        assert letterboxd.letterboxd_import(profile=alice_profile, file=upload).rated == 1

    def test_rows_that_match_nothing_cost_one_query_in_all(
        self,
        alice_profile: Profile,
        catalogue: dict[str, Title],
        django_assert_num_queries: Callable[..., Any],
    ) -> None:
        rows = "".join(f"Unknown {i},2000,3\n" for i in range(500))
        # 1. the titles the profile may see (id, name, year), matched in Python
        with django_assert_num_queries(1):
            report = letterboxd.letterboxd_import(
                profile=alice_profile, file=csv_file("Name,Year,Rating\n" + rows)
            )
        assert len(report.skipped) == 500


class TestLetterboxdImportRefusesBadFiles:
    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "not a CSV"),
            (b"", "empty"),
            (b"Name,Year\nThe Matrix,1999\n", "missing: Rating"),
            (b"Film;Jahr;Note\nThe Matrix;1999;4\n", "missing: Name, Year, Rating"),
            (b"just some text\nand more\n", "missing: Name, Year, Rating"),
            (b'Name,Year,Rating\n"The Matrix,1999,4\n', "not a readable CSV"),
        ],
    )
    def test_it_refuses_a_malformed_file_and_writes_nothing(
        self,
        alice_profile: Profile,
        catalogue: dict[str, Title],
        content: bytes,
        message: str,
    ) -> None:
        with pytest.raises(ValidationError, match=message):
            letterboxd.letterboxd_import(
                profile=alice_profile, file=SimpleUploadedFile("r.csv", content)
            )
        assert not Rating.objects.exists()

    def test_it_refuses_a_file_over_five_megabytes(
        self, alice_profile: Profile, catalogue: dict[str, Title]
    ) -> None:
        row = "The Matrix,1999,4," + "x" * 200 + "\n"
        text = "Name,Year,Rating,Note\n" + row * (5 * 1024 * 1024 // len(row) + 1)
        with pytest.raises(ValidationError, match="larger than 5 MB"):
            letterboxd.letterboxd_import(profile=alice_profile, file=csv_file(text))
        with pytest.raises(ValidationError, match="larger than 5 MB"):
            letterboxd.letterboxd_import(profile=alice_profile, file=io.BytesIO(text.encode()))
        assert not Rating.objects.exists()

    def test_it_refuses_more_than_twenty_thousand_rows(
        self, alice_profile: Profile, catalogue: dict[str, Title]
    ) -> None:
        text = "Name,Year,Rating\n" + "The Matrix,1999,4\n" * 20_001
        with pytest.raises(ValidationError, match="more than 20,000 rows"):
            letterboxd.letterboxd_import(profile=alice_profile, file=csv_file(text))
        assert not Rating.objects.exists()

    def test_twenty_thousand_rows_are_allowed(
        self, alice_profile: Profile, catalogue: dict[str, Title]
    ) -> None:
        text = "Name,Year,Rating\n" + "The Matrix,1999,4\n" * 20_000
        report = letterboxd.letterboxd_import(profile=alice_profile, file=csv_file(text))
        assert (report.rows, report.rated) == (20_000, 1)

    def test_a_failing_write_rolls_back_every_rating(
        self,
        alice_profile: Profile,
        catalogue: dict[str, Title],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        calls = []

        def rating_set(**kwargs: Any) -> Rating:
            calls.append(kwargs)
            if len(calls) == 2:
                raise RuntimeError("disk full")
            return services.rating_set(**kwargs)

        monkeypatch.setattr(letterboxd, "rating_set", rating_set)
        with pytest.raises(RuntimeError):
            letterboxd.letterboxd_import(
                profile=alice_profile,
                file=csv_file("Name,Year,Rating\nThe Matrix,1999,4\nThe Shining,1980,5\n"),
            )
        assert len(calls) == 2
        assert not Rating.objects.exists()


class TestImportPages:
    URL = reverse("profile_data:ratings_import")

    def test_the_form_page_names_the_profile(self, alice_client: Client) -> None:
        response = alice_client.get(self.URL)
        assert response.status_code == 200
        assert 'enctype="multipart/form-data"' in response.text
        assert "Alice" in response.text

    def test_the_result_page_counts_ratings_and_lists_unmatched_rows(
        self, alice_client: Client, alice_profile: Profile, catalogue: dict[str, Title]
    ) -> None:
        upload = csv_file(
            LETTERBOXD_HEADER
            + "2024-01-01,The Matrix,1999,u,4\n"
            + "2024-01-01,Solaris,,u,4\n"
            + "2024-01-01,Nope <b>bold</b>,2001,u,4\n"
            + "2024-01-01,The Shining,1980,u,9\n"
        )
        response = alice_client.post(self.URL, {"file": upload})
        assert response.status_code == 200
        assert response.templates[0].name == "recommendations/ratings_import_result.html"
        report = response.context["report"]
        assert (report.rows, report.rated) == (4, 1)
        assert "1 title rated for Alice" in response.text
        for text in ("ambiguous", "not found", "bad rating", "Nope &lt;b&gt;bold&lt;/b&gt;"):
            assert text in response.text
        assert Rating.objects.filter(profile=alice_profile, source="import").count() == 1

    def test_a_malformed_file_is_a_form_error(
        self, alice_client: Client, catalogue: dict[str, Title]
    ) -> None:
        response = alice_client.post(self.URL, {"file": csv_file("Title;Stars\nThe Matrix;4\n")})
        assert response.status_code == 200
        assert response.templates[0].name == "recommendations/ratings_import.html"
        assert "needs the columns Name, Year and Rating" in response.text
        assert not Rating.objects.exists()

    def test_a_post_without_a_file_is_a_form_error(self, alice_client: Client) -> None:
        response = alice_client.post(self.URL, {})
        assert response.status_code == 200
        assert "This field is required" in response.text

    def test_it_refuses_a_post_without_csrf(
        self, alice: User, alice_profile: Profile, catalogue: dict[str, Title]
    ) -> None:
        client = signed_in(alice, alice_profile, csrf=True)
        response = client.post(
            self.URL, {"file": csv_file("Name,Year,Rating\nThe Matrix,1999,4\n")}
        )
        assert response.status_code == 403
        assert not Rating.objects.exists()

    def test_a_post_without_a_profile_goes_to_the_picker_and_rates_nothing(
        self, client: Client, alice: User, alice_profile: Profile, catalogue: dict[str, Title]
    ) -> None:
        client.force_login(alice)
        response = client.post(
            self.URL, {"file": csv_file("Name,Year,Rating\nThe Matrix,1999,4\n")}
        )
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:profile_picker"))
        assert not Rating.objects.exists()
