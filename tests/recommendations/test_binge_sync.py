"""A page requested right after the player waits for the player's last heartbeat."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Profile
from catalog.models import Title
from recommendations import middleware, selectors, watching
from recommendations.watching import Heartbeat
from tests.factories import TitleFactory


@pytest.fixture
def film(db: None) -> Title:
    return TitleFactory(name="Arrival", slug="arrival", runtime_minutes=100)


def _heartbeat(profile: Profile, film: Title, event_id: uuid.UUID, position: int) -> None:
    watching.watch_events_record(
        profile=profile,
        heartbeats=[
            Heartbeat(
                client_event_id=event_id,
                title_id=film.pk,
                episode_id=None,
                kind="seek",
                position=position,
                occurred_at=timezone.now(),
            )
        ],
    )


def _pending(client: Client, profile: Profile, event_id: uuid.UUID | str) -> None:
    client.cookies[middleware.PENDING_COOKIE] = f"{profile.pk}.{event_id}"


def _dropped(response: object) -> bool:
    cookie = response.cookies.get(middleware.PENDING_COOKIE)
    return cookie is not None and cookie.value == "" and cookie["max-age"] == 0


@pytest.mark.django_db
class TestPendingCookie:
    def test_a_stored_event_is_not_waited_for(
        self, alice_client: Client, alice_profile: Profile, film: Title
    ) -> None:
        event_id = uuid.uuid4()
        _heartbeat(alice_profile, film, event_id, 3000)
        _pending(alice_client, alice_profile, event_id)
        started = time.monotonic()
        response = alice_client.get(film.get_absolute_url())
        assert time.monotonic() - started < middleware.PENDING_WAIT_SECONDS
        assert "Resume from 50:00" in response.text
        assert _dropped(response)

    def test_an_event_that_never_comes_costs_one_page_the_wait(
        self,
        alice_client: Client,
        alice_profile: Profile,
        film: Title,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr(middleware, "PENDING_WAIT_SECONDS", 0.3)
        _pending(alice_client, alice_profile, uuid.uuid4())
        started = time.monotonic()
        response = alice_client.get(film.get_absolute_url())
        assert time.monotonic() - started >= 0.3
        assert response.status_code == 200
        assert _dropped(response)
        # The client drops the cookie with the response: the next page does not wait.
        started = time.monotonic()
        response = alice_client.get(film.get_absolute_url())
        assert time.monotonic() - started < 0.3
        assert middleware.PENDING_COOKIE not in response.cookies

    @pytest.mark.parametrize("value", ["not-a-cookie", "7.not-a-uuid", "....", "\x00"])
    def test_a_malformed_cookie_is_dropped_without_waiting(
        self, alice_client: Client, film: Title, value: str
    ) -> None:
        alice_client.cookies[middleware.PENDING_COOKIE] = value
        started = time.monotonic()
        response = alice_client.get(film.get_absolute_url())
        assert time.monotonic() - started < middleware.PENDING_WAIT_SECONDS
        assert response.status_code == 200
        assert _dropped(response)

    def test_a_signed_out_request_does_not_wait(
        self, client: Client, alice_profile: Profile, film: Title
    ) -> None:
        _pending(client, alice_profile, uuid.uuid4())
        started = time.monotonic()
        response = client.get(film.get_absolute_url())
        assert time.monotonic() - started < middleware.PENDING_WAIT_SECONDS
        assert _dropped(response)

    def test_the_heartbeat_itself_does_not_wait(
        self,
        alice_client: Client,
        alice_profile: Profile,
        film: Title,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setattr(middleware, "PENDING_WAIT_SECONDS", 5)
        _pending(alice_client, alice_profile, uuid.uuid4())
        event = {
            "id": str(uuid.uuid4()),
            "title": film.slug,
            "kind": "start",
            "position": 0,
            "at": timezone.now().isoformat(),
        }
        started = time.monotonic()
        response = alice_client.post(
            "/api/v1/me/watch-events/",
            {"events": [event]},
            content_type="application/json",
            headers={"X-Marquee-Profile": str(alice_profile.pk)},
        )
        assert time.monotonic() - started < 5
        assert response.status_code == 200, response.content
        assert middleware.PENDING_COOKIE not in response.cookies

    def test_continue_watching_shows_the_event_waited_for(
        self,
        alice_client: Client,
        alice_profile: Profile,
        film: Title,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        _heartbeat(alice_profile, film, uuid.uuid4(), 600)
        assert 'aria-label="10% watched"' in alice_client.get("/").text
        event_id = uuid.uuid4()
        stored = selectors.watch_event_stored

        def lands_while_waiting(*, profile_id: int, client_event_id: uuid.UUID) -> bool:
            # The player's request is recorded while this one waits: the profile (whose
            # stamp keys the cached home plan) must be read after it.
            if not stored(profile_id=profile_id, client_event_id=client_event_id):
                _heartbeat(alice_profile, film, client_event_id, 3000)
            return True

        monkeypatch.setattr(selectors, "watch_event_stored", lands_while_waiting)
        _pending(alice_client, alice_profile, event_id)
        page = alice_client.get("/").text
        assert 'aria-label="50% watched"' in page
        assert 'aria-label="10% watched"' not in page

    def test_without_the_cookie_it_costs_nothing(self, alice_client: Client, film: Title) -> None:
        alice_client.get(film.get_absolute_url())
        with CaptureQueriesContext(connection) as context:
            response = alice_client.get(film.get_absolute_url())
        assert not any("recommendations_watchevent" in q["sql"] for q in context.captured_queries)
        assert middleware.PENDING_COOKIE not in response.cookies


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("here", [True, False], ids=["this-process", "another-process"])
def test_the_wait_ends_when_the_event_is_stored(
    alice_profile: Profile, film: Title, here: bool
) -> None:
    event_id = uuid.uuid4()

    def player_request() -> HttpResponse:
        time.sleep(0.3)
        _heartbeat(alice_profile, film, event_id, 1200)
        return HttpResponse()

    def heartbeat() -> None:
        try:
            if here:
                # Woken when the request ends, without polling.
                middleware._recording.run(alice_profile.pk, player_request)
            else:
                # Not seen running here: found by polling.
                player_request()
        finally:
            connection.close()

    thread = threading.Thread(target=heartbeat)
    started = time.monotonic()
    thread.start()
    try:
        arrived = middleware._recording.wait(alice_profile.pk, event_id, timeout=5)
    finally:
        thread.join()
    assert arrived
    assert 0.3 <= time.monotonic() - started < 5
    assert selectors.resume_position(profile=alice_profile, title=film, episode=None) == 1200


@pytest.mark.django_db(transaction=True)
def test_nothing_is_read_while_the_profiles_heartbeat_is_recorded(
    alice_profile: Profile, film: Title, monkeypatch: pytest.MonkeyPatch
) -> None:
    event_id = uuid.uuid4()
    recording = threading.Event()
    reads_while_recording = []
    stored = selectors.watch_event_stored

    def watched_lookup(*, profile_id: int, client_event_id: uuid.UUID) -> bool:
        reads_while_recording.append(recording.is_set())
        return stored(profile_id=profile_id, client_event_id=client_event_id)

    monkeypatch.setattr(selectors, "watch_event_stored", watched_lookup)

    def player_request() -> HttpResponse:
        recording.set()
        time.sleep(0.3)
        _heartbeat(alice_profile, film, event_id, 1200)
        recording.clear()
        return HttpResponse()

    def heartbeat() -> None:
        try:
            middleware._recording.run(alice_profile.pk, player_request)
        finally:
            connection.close()

    thread = threading.Thread(target=heartbeat)
    thread.start()
    time.sleep(0.05)
    try:
        assert middleware._recording.wait(alice_profile.pk, event_id, timeout=5)
    finally:
        thread.join()
    assert reads_while_recording
    assert not any(reads_while_recording)
