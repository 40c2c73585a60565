"""Drill: the task queue (broker) is unreachable. Feedback is saved and answered as saved."""

from __future__ import annotations

import contextlib
import importlib
import logging
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from kombu.exceptions import OperationalError

from accounts.models import Profile
from config import enqueue
from config.celery_app import app
from recommendations import engine, selectors, services, tasks
from recommendations.models import ListItem, ProfileCandidates, Rating
from tests.factories import ProfileFactory, TitleFactory

# Nothing listens on port 1: every connect is refused at once.
CLOSED = "redis://127.0.0.1:1/0"


def _redis_transport_options(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The transport options the settings give a Redis broker."""
    from config.settings import base

    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    try:
        return importlib.reload(base).CELERY_BROKER_TRANSPORT_OPTIONS
    finally:
        monkeypatch.delenv("CELERY_BROKER_URL")
        importlib.reload(base)


@contextlib.contextmanager
def _broker(monkeypatch: pytest.MonkeyPatch, url: str, options: dict[str, Any]) -> Iterator[None]:
    # Celery prefers CELERY_BROKER_URL from the environment to its configuration.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    names = ("task_always_eager", "broker_url", "broker_transport_options")
    before = {name: app.conf[name] for name in names}
    # The producer pools hold connections to the broker they were made for: set the
    # suite's aside, and give them back afterwards.
    pools = app._pool, app.amqp._producer_pool
    app._pool = app.amqp._producer_pool = None
    app.conf.update(task_always_eager=False, broker_url=url, broker_transport_options=options)
    try:
        yield
    finally:
        app.conf.update(before)
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool, app.amqp._producer_pool = pools


@pytest.fixture(autouse=True)
def _fresh_state() -> Iterator[None]:
    enqueue._broker = enqueue._Broker()
    yield
    enqueue._broker = enqueue._Broker()


@pytest.fixture
def broker_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with _broker(monkeypatch, CLOSED, _redis_transport_options(monkeypatch)):
        yield


@pytest.fixture
def silent_broker(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Accepts connections and never answers: a broker behind a dead link.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []

    def accept() -> None:
        with contextlib.suppress(OSError):
            while True:
                accepted.append(server.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    url = f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    with _broker(monkeypatch, url, _redis_transport_options(monkeypatch)):
        yield
    server.close()
    for conn in accepted:
        conn.close()


def _queue_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "config.enqueue" and record.levelno == logging.WARNING
    ]


@pytest.mark.django_db(transaction=True)
class TestFeedbackWithTheBrokerDown:
    def test_a_rating_is_saved_and_answered(
        self, broker_down: None, alice_client: Client, caplog: pytest.LogCaptureFixture
    ) -> None:
        arrival, dune = TitleFactory.create_batch(2)
        started = time.monotonic()
        page = alice_client.post(reverse("recommendations:rate", args=[arrival.slug]), {"stars": 4})
        api = alice_client.put(
            f"/api/v1/me/ratings/{dune.slug}/", {"stars": 3}, content_type="application/json"
        )
        listed = alice_client.post(reverse("recommendations:list_toggle", args=[dune.slug]))
        elapsed = time.monotonic() - started
        assert page.status_code == 302
        assert api.status_code in (200, 201)
        assert listed.status_code == 302
        assert Rating.objects.count() == 2
        assert ListItem.objects.get().title == dune
        assert len(_queue_warnings(caplog)) == 1
        # One refused publish, then none for the back-off: no retries paid per request.
        assert elapsed < 2.0

    def test_a_silent_broker_costs_one_short_wait(
        self, silent_broker: None, alice_client: Client, caplog: pytest.LogCaptureFixture
    ) -> None:
        titles = TitleFactory.create_batch(3)
        started = time.monotonic()
        for title in titles:
            response = alice_client.post(
                reverse("recommendations:rate", args=[title.slug]), {"stars": 4}
            )
            assert response.status_code == 302
        assert Rating.objects.count() == 3
        # A few seconds for the first request (the transport's timeouts), none after.
        assert time.monotonic() - started < 6.0
        assert len(_queue_warnings(caplog)) == 1


@pytest.mark.django_db
class TestEnqueue:
    def test_it_warns_once_per_outage_and_once_when_back(
        self, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
    ) -> None:
        monkeypatch.setattr(enqueue, "RETRY_AFTER", 0.0)
        broker_up = {"now": False}
        sent: list[tuple[Any, ...]] = []

        def apply_async(args: tuple[Any, ...], kwargs: Any = None, **options: Any) -> None:
            if not broker_up["now"]:
                raise OperationalError("Error 111 connecting. Connection refused.")
            sent.append(args)

        monkeypatch.setattr(tasks.refresh_profile_recommendations, "apply_async", apply_async)
        for n in range(3):
            assert enqueue.task_enqueue(tasks.refresh_profile_recommendations, n) is False
        assert len(_queue_warnings(caplog)) == 1
        broker_up["now"] = True
        assert enqueue.task_enqueue(tasks.refresh_profile_recommendations, 7) is True
        assert sent == [(7,)]
        assert _queue_warnings(caplog)[-1] == "Task queue reachable again."

    def test_it_skips_the_broker_during_the_back_off(self, monkeypatch: pytest.MonkeyPatch) -> None:
        attempts: list[int] = []

        def apply_async(args: tuple[Any, ...], kwargs: Any = None, **options: Any) -> None:
            attempts.append(1)
            raise OperationalError("refused")

        monkeypatch.setattr(tasks.refresh_profile_recommendations, "apply_async", apply_async)
        for n in range(20):
            enqueue.task_enqueue(tasks.refresh_profile_recommendations, n)
        assert len(attempts) == 1

    def test_task_errors_in_eager_mode_are_not_swallowed(self) -> None:
        # Only the broker's absence is absorbed: a failing task (eager, in tests) still fails.
        with pytest.raises(TypeError):
            enqueue.task_enqueue(tasks.refresh_profile_recommendations, 1, 2, 3)

    def test_the_admin_says_a_retraining_was_not_queued(
        self, admin_client: Client, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def refused(*args: Any, **kwargs: Any) -> None:
            raise OperationalError("refused")

        monkeypatch.setattr(tasks.train_model, "apply_async", refused)
        response = admin_client.post(
            reverse("admin:recommendations_modelversion_retrain"), follow=True
        )
        assert response.status_code == 200
        assert "Training not queued: the task queue is unreachable." in response.text


@pytest.mark.django_db
class TestCatchingUp:
    @pytest.fixture
    def trained(self) -> None:
        call_command("seed_demo", titles=150, users=12, seed=3, verbosity=0)
        engine.model_train()

    def test_the_catch_up_is_scheduled(self) -> None:
        task = PeriodicTask.objects.get(task="recommendations.tasks.refresh_stale_candidates")
        assert task.enabled
        assert (task.interval.every, task.interval.period) == (5, "minutes")

    def test_missed_refreshes_are_caught_up_within_the_limit(self, trained: None) -> None:
        tasks.precompute_recommendations.delay().get()
        profiles = list(Profile.objects.order_by("pk")[:3])
        version = engine.serving_model().version
        assert selectors.profiles_with_stale_candidates(version_id=version.pk, limit=50) == []

        # Signals whose refresh never ran: inside the test's transaction, on_commit never fires.
        title = TitleFactory()
        for profile in profiles:
            services.list_add(profile=profile, title=title)
        # And a profile with signals whose candidates were never stored.
        ProfileCandidates.objects.filter(profile=profiles[0]).delete()
        Profile.objects.filter(pk=profiles[0].pk).update(signals_changed_at=timezone.now())

        stale = selectors.profiles_with_stale_candidates(version_id=version.pk, limit=50)
        assert sorted(stale) == [p.pk for p in profiles]
        assert tasks.refresh_stale_candidates.delay(limit=2).get() == 2
        assert len(selectors.profiles_with_stale_candidates(version_id=version.pk, limit=50)) == 1
        assert tasks.refresh_stale_candidates.delay().get() == 1
        assert selectors.profiles_with_stale_candidates(version_id=version.pk, limit=50) == []
        assert ProfileCandidates.objects.filter(profile__in=profiles).count() == 3

    def test_a_profile_without_signals_is_left_alone(self, trained: None) -> None:
        quiet = ProfileFactory()
        version = engine.serving_model().version
        assert tasks.refresh_stale_candidates.delay(limit=500).get() > 0
        assert selectors.profiles_with_stale_candidates(version_id=version.pk, limit=500) == []
        assert not ProfileCandidates.objects.filter(profile=quiet).exists()

    def test_without_a_model_there_is_nothing_to_catch_up(self, alice_profile: Profile) -> None:
        services.list_add(profile=alice_profile, title=TitleFactory())
        assert tasks.refresh_stale_candidates.delay().get() == 0
