from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries
from rest_framework.authtoken.models import Token

from accounts.models import Profile, User
from catalog.models import Episode, Title
from recommendations.models import WatchEvent, WatchProgress
from tests.factories import EpisodeFactory, SeasonFactory, TitleFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/watch-events/"


@pytest.fixture
def t0() -> datetime:
    # Events may not come from the future, so the story starts an hour ago.
    return timezone.now().replace(microsecond=0) - timedelta(hours=1)


@pytest.fixture
def film() -> Title:
    return TitleFactory(name="Arrival", runtime_minutes=100)


@pytest.fixture
def episode() -> Episode:
    series = TitleFactory(name="Dark", kind=Title.Kind.SERIES)
    return EpisodeFactory(season=SeasonFactory(title=series, number=1), number=1)


def event(
    title: Title,
    kind: str,
    position: int,
    at: datetime,
    *,
    episode: Episode | None = None,
    event_id: uuid.UUID | None = None,
) -> dict[str, object]:
    return {
        "id": str(event_id or uuid.uuid4()),
        "title": title.slug,
        "episode": episode.pk if episode else None,
        "kind": kind,
        "position": position,
        "at": at.isoformat(),
    }


def post(client: Client, events: list[dict[str, object]], **kwargs: object) -> object:
    return client.post(URL, {"events": events}, content_type="application/json", **kwargs)


def assert_nothing_written() -> None:
    assert WatchEvent.objects.count() == 0
    assert WatchProgress.objects.count() == 0


def test_a_batch_is_accepted(
    alice_client: Client, alice_profile: Profile, film: Title, t0: datetime
) -> None:
    response = post(
        alice_client,
        [
            event(film, "start", 0, t0),
            event(film, "progress", 10, t0 + timedelta(seconds=10)),
            event(film, "pause", 15, t0 + timedelta(seconds=15)),
        ],
    )
    assert response.status_code == 200
    assert response.json() == {"accepted": 3, "duplicates": 0}
    progress = WatchProgress.objects.get(profile=alice_profile, title=film)
    assert (progress.last_position, progress.seconds_watched) == (15, 15)


def test_episodes_of_a_series_are_accepted(
    alice_client: Client, alice_profile: Profile, episode: Episode, t0: datetime
) -> None:
    series = episode.season.title
    response = post(alice_client, [event(series, "start", 0, t0, episode=episode)])
    assert response.json() == {"accepted": 1, "duplicates": 0}
    assert WatchProgress.objects.filter(profile=alice_profile, title=series).count() == 2


def test_a_repeated_id_is_a_duplicate_and_changes_nothing(
    alice_client: Client, alice_profile: Profile, film: Title, t0: datetime
) -> None:
    batch = [
        event(film, "start", 0, t0),
        event(film, "progress", 10, t0 + timedelta(seconds=10)),
    ]
    post(alice_client, batch)
    before = WatchProgress.objects.get(profile=alice_profile, title=film)
    # The player lost the first answer and sends the same batch again.
    response = post(alice_client, batch)
    assert response.status_code == 200
    assert response.json() == {"accepted": 0, "duplicates": 2}
    assert WatchEvent.objects.count() == 2
    after = WatchProgress.objects.get(profile=alice_profile, title=film)
    assert (after.last_position, after.seconds_watched, after.last_watched_at) == (
        before.last_position,
        before.seconds_watched,
        before.last_watched_at,
    )


def test_a_repeated_id_inside_one_batch_counts_once(
    alice_client: Client, alice_profile: Profile, film: Title, t0: datetime
) -> None:
    post(alice_client, [event(film, "start", 0, t0)])
    again = uuid.uuid4()
    beat = event(film, "progress", 10, t0 + timedelta(seconds=10), event_id=again)
    response = post(alice_client, [beat, beat])
    assert response.json() == {"accepted": 1, "duplicates": 1}
    assert WatchProgress.objects.get(profile=alice_profile, title=film).seconds_watched == 10


def test_new_events_after_duplicates_are_kept(
    alice_client: Client, alice_profile: Profile, film: Title, t0: datetime
) -> None:
    first = event(film, "start", 0, t0)
    post(alice_client, [first])
    response = post(alice_client, [first, event(film, "pause", 20, t0 + timedelta(seconds=20))])
    assert response.json() == {"accepted": 1, "duplicates": 1}
    assert WatchProgress.objects.get(profile=alice_profile, title=film).last_position == 20


BAD_EVENTS = {
    "negative position": ({"position": -1}, "position", "The position cannot be negative."),
    "beyond runtime": ({"position": 6601}, "position", "The position is beyond the runtime."),
    "unknown title": ({"title": "nothing-here"}, "title", "No such title."),
    "episode of a film": ({"episode": 999_999}, "episode", "A film has no episodes."),
    "bad kind": ({"kind": "dance"}, "kind", '"dance" is not a valid choice.'),
    "bad uuid": ({"id": "not-a-uuid"}, "id", "Must be a valid UUID."),
    "bad time": ({"at": "yesterday"}, "at", None),
    "future time": ({"at": "2999-01-01T00:00:00Z"}, "at", "This time is in the future."),
    "missing kind": ({"kind": None}, "kind", "This field may not be null."),
}


@pytest.mark.parametrize("change", BAD_EVENTS.values(), ids=BAD_EVENTS.keys())
def test_one_bad_event_rejects_the_batch_naming_its_index(
    alice_client: Client, film: Title, t0: datetime, change: tuple[dict, str, str | None]
) -> None:
    fields, field, message = change
    bad = {**event(film, "progress", 20, t0 + timedelta(seconds=20)), **fields}
    response = post(
        alice_client,
        [event(film, "start", 0, t0), event(film, "progress", 10, t0 + timedelta(seconds=10)), bad],
    )
    assert response.status_code == 400
    errors = response.json()["events"]
    assert list(errors) == ["2"]
    assert list(errors["2"]) == [field]
    if message:
        assert errors["2"][field] == [message]
    assert_nothing_written()


def test_ten_percent_beyond_the_runtime_is_tolerated(
    alice_client: Client, film: Title, t0: datetime
) -> None:
    response = post(alice_client, [event(film, "stop", 6600, t0)])
    assert response.json() == {"accepted": 1, "duplicates": 0}


def test_an_unknown_episode_of_a_series(
    alice_client: Client, episode: Episode, t0: datetime
) -> None:
    series = episode.season.title
    bad = event(series, "start", 0, t0)
    bad["episode"] = episode.pk + 1000
    response = post(alice_client, [event(series, "start", 0, t0, episode=episode), bad])
    assert response.status_code == 400
    assert response.json() == {"events": {"1": {"episode": ["No such episode in this series."]}}}
    assert_nothing_written()


def test_an_unpublished_title_is_unknown(alice_client: Client, t0: datetime) -> None:
    hidden = TitleFactory(name="Hidden", is_published=False)
    response = post(alice_client, [event(hidden, "start", 0, t0)])
    assert response.json() == {"events": {"0": {"title": ["No such title."]}}}


def test_events_out_of_order_are_rejected(alice_client: Client, film: Title, t0: datetime) -> None:
    response = post(
        alice_client,
        [event(film, "start", 0, t0), event(film, "progress", 10, t0 - timedelta(seconds=10))],
    )
    assert response.status_code == 400
    assert response.json() == {
        "events": {"1": {"at": ["This event is older than one already recorded."]}}
    }
    assert_nothing_written()


def test_an_event_older_than_what_is_recorded_is_rejected(
    alice_client: Client, film: Title, t0: datetime
) -> None:
    post(alice_client, [event(film, "start", 0, t0)])
    response = post(alice_client, [event(film, "progress", 10, t0 - timedelta(seconds=1))])
    assert response.json() == {
        "events": {"0": {"at": ["This event is older than one already recorded."]}}
    }
    assert WatchEvent.objects.count() == 1


def test_the_index_counts_skipped_duplicates(
    alice_client: Client, film: Title, t0: datetime
) -> None:
    first = event(film, "start", 0, t0)
    post(alice_client, [first])
    bad = event(film, "progress", -5, t0 + timedelta(seconds=5))
    response = post(alice_client, [first, bad])
    assert response.json() == {"events": {"1": {"position": ["The position cannot be negative."]}}}


def test_a_batch_over_the_limit_is_rejected(
    alice_client: Client, film: Title, t0: datetime
) -> None:
    events = [event(film, "progress", i, t0 + timedelta(seconds=i)) for i in range(101)]
    response = post(alice_client, events)
    assert response.status_code == 400
    assert response.json() == {"events": ["Send at most 100 events at a time."]}
    assert_nothing_written()


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"events": []}, {"events": ["Send at least one event."]}),
        ({}, {"events": ["This field is required."]}),
        ({"events": "start"}, {"events": ['Expected a list of items but got type "str".']}),
        ([], {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
    ],
)
def test_a_malformed_batch_is_rejected(alice_client: Client, body: object, errors: dict) -> None:
    response = alice_client.post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == errors


def test_a_body_that_is_not_json_is_400(alice_client: Client) -> None:
    response = alice_client.post(URL, "{events: [", content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
    assert_nothing_written()


def test_a_form_body_is_unsupported(alice_client: Client) -> None:
    response = alice_client.post(URL, {"events": "x"})
    assert response.status_code == 415


def test_session_auth_without_csrf_token_is_403(
    alice: User, alice_profile: Profile, film: Title, t0: datetime
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = post(client, [event(film, "start", 0, t0)])
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert_nothing_written()


def test_session_auth_with_csrf_token_is_accepted(
    alice: User, alice_profile: Profile, film: Title, t0: datetime
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    token = "a" * 32  # any well-formed secret, the same in the cookie and the header
    client.cookies["csrftoken"] = token
    response = post(
        client,
        [event(film, "start", 0, t0)],
        headers={"X-CSRFToken": token, "X-Marquee-Profile": str(alice_profile.pk)},
    )
    assert response.status_code == 200


def test_token_auth_needs_no_csrf_token(
    alice: User, alice_profile: Profile, film: Title, t0: datetime
) -> None:
    token = Token.objects.create(user=alice)
    client = Client(
        enforce_csrf_checks=True,
        headers={"Authorization": f"Token {token.key}", "X-Marquee-Profile": str(alice_profile.pk)},
    )
    response = post(client, [event(film, "start", 0, t0)])
    assert response.status_code == 200
    assert WatchEvent.objects.get().profile == alice_profile


def test_a_steady_heartbeat_costs_few_queries(
    alice_client: Client,
    film: Title,
    t0: datetime,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    post(alice_client, [event(film, "start", 0, t0)])
    beat = event(film, "progress", 10, t0 + timedelta(seconds=10))
    # 1. the session's account with its profile (accounts.viewer; the session itself
    # comes from the cache), 2. the batch's titles by slug,
    # then watching.watch_events_record: 3. SAVEPOINT (its atomic block inside the test's
    # transaction), 4. lock the rollup with its title, 5. insert the event (ON CONFLICT DO
    # NOTHING RETURNING: a repeated id costs no extra query), 6. update the rollup,
    # 7. RELEASE SAVEPOINT
    with django_assert_num_queries(7):
        response = post(alice_client, [beat])
    assert response.json() == {"accepted": 1, "duplicates": 0}
