"""'Only what we own': home rows drawn from what the household's media servers hold."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from catalog.models import Title
from recommendations.home import catalogue
from recommendations.home import plan as plans
from recommendations.media_servers.models import Availability, LibraryOptions, MediaServer
from recommendations.models import ModelVersion
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _ana() -> Profile:
    return Profile.objects.get(account__email="demo@marquee.local", name="Ana")


def _own(count: int) -> set[int]:
    server = MediaServer.objects.create(
        name="Shelf", kind="jellyfin", base_url="http://10.0.0.2:8096", webhook_token_digest="d"
    )
    ids = list(Title.objects.filter(is_published=True).order_by("pk").values_list("pk", flat=True))
    owned = set(ids[::3][:count])
    Availability.objects.bulk_create(
        Availability(server=server, item_id=str(pk), title_id=pk, seen_at=timezone.now())
        for pk in owned
    )
    catalogue.catalogue_changed()
    return owned


def _shown(profile: Profile) -> set[int]:
    return {pk for row in plans.home_plan(profile=profile).rows for pk in row.see_all_ids}


def test_rows_show_only_owned_titles_when_a_curator_asks(trained: ModelVersion) -> None:
    owned = _own(40)
    profile = _ana()
    assert _shown(profile) - owned  # off: the whole catalogue
    options = LibraryOptions.current()
    options.only_available = True
    options.save()
    shown = _shown(profile)
    assert shown
    assert shown <= owned
    options.only_available = False
    options.save()
    assert _shown(profile) - owned


def test_with_nothing_synced_the_rows_show_everything(trained: ModelVersion) -> None:
    LibraryOptions.objects.create(pk=1, only_available=True)
    catalogue.catalogue_changed()
    assert len(_shown(_ana())) > 40


def test_the_options_open_from_the_admin_list(client: Client) -> None:
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:recommendations_libraryoptions_changelist"))
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "Only what we own" in page.text
