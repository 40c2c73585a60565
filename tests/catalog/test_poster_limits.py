"""Posters: who is served a generated poster, and what an uploaded one may weigh."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from accounts.models import Profile, User
from catalog.models import Title
from catalog.posters import poster_upload_validate
from tests.factories import TitleFactory, UserFactory
from tests.helpers import watch_as

pytestmark = pytest.mark.django_db

ADMIN_ADD = "/admin/catalog/title/add/"


@pytest.fixture
def adult_title() -> Title:
    return TitleFactory(name="Bloody Harbour", slug="bloody-harbour", maturity_rating="R")


@pytest.fixture
def kid(alice_profile: Profile) -> Profile:
    from accounts.services import profile_create

    return profile_create(account=alice_profile.account, name="Kid", is_kids=True)


def _poster(client: Client, slug: str) -> int:
    return client.get(f"/titles/{slug}/poster.svg").status_code


# --------------------------------------------------------------------------------------
# Generated posters follow the title page's visibility
# --------------------------------------------------------------------------------------


def test_a_kid_gets_no_poster_of_a_title_above_its_limit(
    client: Client, alice: User, kid: Profile, adult_title: Title
) -> None:
    TitleFactory(name="Bedtime Bears", slug="bedtime-bears", maturity_rating="G")
    client.force_login(alice)
    watch_as(client, kid)
    assert _poster(client, "bloody-harbour") == 404
    assert _poster(client, "bedtime-bears") == 200


def test_an_adult_profile_and_anonymous_visitors_get_it(
    client: Client, alice_client: Client, adult_title: Title
) -> None:
    assert _poster(alice_client, "bloody-harbour") == 200
    client.logout()
    assert _poster(client, "bloody-harbour") == 200


def test_unpublished_posters_are_for_curators_only(client: Client) -> None:
    TitleFactory(name="Draft", slug="draft", is_published=False)
    assert _poster(client, "draft") == 404
    client.force_login(UserFactory(is_staff=True))
    assert _poster(client, "draft") == 200


def test_a_curator_watching_as_a_kid_keeps_the_kids_limit(
    client: Client, alice: User, kid: Profile, adult_title: Title
) -> None:
    alice.is_staff = True
    alice.save(update_fields=["is_staff"])
    client.force_login(alice)
    watch_as(client, kid)
    assert _poster(client, "bloody-harbour") == 404


def test_no_shared_cache_keeps_a_poster(client: Client, adult_title: Title) -> None:
    response = client.get("/titles/bloody-harbour/poster.svg")
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


# --------------------------------------------------------------------------------------
# Upload limits
# --------------------------------------------------------------------------------------


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "navy").save(out, format="PNG")
    return out.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares width × height pixels in a few bytes: a decompression bomb's head."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def _upload(content: bytes, name: str = "poster.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


def test_a_poster_within_the_limits_passes() -> None:
    poster_upload_validate(_upload(_png(300, 450)))


def test_a_poster_over_the_byte_limit_is_refused(settings: object) -> None:
    settings.MARQUEE_POSTER_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as refused:
        poster_upload_validate(_upload(_png(300, 450) + b"\0" * 1000))
    assert refused.value.code == "too_large"


def test_a_poster_over_the_pixel_limit_is_refused(settings: object) -> None:
    settings.MARQUEE_POSTER_MAX_PIXELS = 100 * 100
    with pytest.raises(ValidationError) as refused:
        poster_upload_validate(_upload(_png(101, 100)))
    assert refused.value.code == "too_many_pixels"


def test_a_decompression_bomb_is_refused_from_its_header() -> None:
    # 100,000 × 100,000 pixels declared in under 100 bytes: never decoded.
    bomb = _png_header_only(100_000, 100_000)
    assert len(bomb) < 200
    with pytest.raises(ValidationError) as refused:
        poster_upload_validate(_upload(bomb))
    assert refused.value.code == "too_many_pixels"


def test_pillow_refuses_bombs_everywhere_in_the_process(settings: object) -> None:
    assert Image.MAX_IMAGE_PIXELS == settings.MARQUEE_POSTER_MAX_PIXELS


def test_something_that_is_no_image_is_left_to_the_image_field() -> None:
    poster_upload_validate(_upload(b"not an image at all"))


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _title_form(poster: SimpleUploadedFile) -> dict[str, object]:
    return {
        "kind": "movie",
        "name": "The Glass Harbor",
        "slug": "the-glass-harbor",
        "is_published": "on",
        "maturity_rating": "PG-13",
        "added_at_0": "2024-01-02",
        "added_at_1": "10:00:00",
        "credits-TOTAL_FORMS": "0",
        "credits-INITIAL_FORMS": "0",
        "seasons-TOTAL_FORMS": "0",
        "seasons-INITIAL_FORMS": "0",
        "poster": poster,
    }


def test_the_admin_shows_a_clear_error_for_a_heavy_poster(
    admin_client: Client, settings: object
) -> None:
    settings.MARQUEE_POSTER_MAX_BYTES = 2000
    response = admin_client.post(ADMIN_ADD, _title_form(_upload(_png(300, 450) + b"\0" * 3000)))
    assert response.status_code == 200
    assert "a poster may be at most 2.0" in response.text
    assert not Title.objects.exists()


def test_the_admin_shows_a_clear_error_for_a_bomb(admin_client: Client) -> None:
    response = admin_client.post(
        ADMIN_ADD, _title_form(_upload(_png_header_only(100_000, 100_000)))
    )
    assert response.status_code == 200
    assert "more than 40 megapixels" in response.text
    assert not Title.objects.exists()


def test_the_admin_stores_a_poster_within_the_limits(admin_client: Client) -> None:
    response = admin_client.post(ADMIN_ADD, _title_form(_upload(_png(300, 450))))
    assert response.status_code == 302
    assert Title.objects.get().poster.name.startswith("posters/")
