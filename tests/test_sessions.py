"""Sessions (config.sessions): read from the cache, kept in the database, cached a minute."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Profile
from config import sessions
from tests.factories import TitleFactory

pytestmark = pytest.mark.django_db


def _session_queries(client: Client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response.status_code, [q["sql"] for q in queries if "django_session" in q["sql"]]


def test_a_signed_in_request_reads_its_session_from_the_cache(
    alice_client: Client, alice_profile: Profile
) -> None:
    title = TitleFactory()
    status, session_queries = _session_queries(alice_client, title.get_absolute_url())
    assert status == 200
    assert session_queries == []


def test_a_session_the_cache_lost_is_read_from_the_database(
    alice_client: Client, alice_profile: Profile
) -> None:
    title = TitleFactory()
    caches[settings.SESSION_CACHE_ALIAS].clear()  # a flush, or Redis back after an outage
    status, session_queries = _session_queries(alice_client, title.get_absolute_url())
    assert status == 200
    assert len(session_queries) == 1
    # Still Alice, watching as her profile; and cached again for the next request.
    assert alice_client.get(title.get_absolute_url()).context["current_profile"] == alice_profile
    assert _session_queries(alice_client, title.get_absolute_url())[1] == []


def test_a_cached_copy_lives_at_most_a_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    timeouts: list[Any] = []
    store = sessions.SessionStore()
    monkeypatch.setattr(
        store._cache._cache, "set", lambda key, value, timeout: timeouts.append(timeout)
    )
    store["profile"] = 1
    store.save()  # Django would cache it for the session's two weeks
    assert timeouts
    assert set(timeouts) == {sessions.CACHED_SECONDS}


def test_signing_out_forgets_the_cached_copy(alice_client: Client) -> None:
    stolen = alice_client.cookies[settings.SESSION_COOKIE_NAME].value
    alice_client.post("/account/logout/")
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = stolen
    assert not other.get("/account/").wsgi_request.user.is_authenticated
