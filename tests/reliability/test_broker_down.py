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
from celery import Celery, current_app
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from kombu.exceptions import OperationalError

from accounts.models import Profile
from config import enqueue
from config.celery_app import app
from recommendations import services, tasks
from recommendations.home import catalogue as home_catalogue
from recommendations.home import plan as plans
from recommendations.models import ListItem, Rating
from tests.factories import TitleFactory

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
        # A signal queues nothing: the next page folds it in itself.
        assert _queue_warnings(caplog) == []
        assert elapsed < 2.0

    def test_a_page_asking_for_new_catalogue_arrays_is_answered(
        self, broker_down: None, alice_client: Client, caplog: pytest.LogCaptureFixture
    ) -> None:
        Profile.objects.update(onboarded_at=timezone.now())
        TitleFactory.create_batch(6)
        assert alice_client.get("/").status_code == 200  # the first arrays, built here
        TitleFactory()  # a curator's change: the arrays are now stale
        started = time.monotonic()
        for _ in range(3):
            cache.delete(home_catalogue.REBUILD_ASKED_KEY)  # each request asks again
            assert alice_client.get("/").status_code == 200
        # One refused publish, then none for the back-off: no retries paid per request.
        assert time.monotonic() - started < 2.0
        assert len(_queue_warnings(caplog)) == 1

    def test_a_silent_broker_costs_one_short_wait(
        self, silent_broker: None, alice_client: Client, caplog: pytest.LogCaptureFixture
    ) -> None:
        Profile.objects.update(onboarded_at=timezone.now())
        TitleFactory.create_batch(6)
        assert alice_client.get("/").status_code == 200
        TitleFactory()
        started = time.monotonic()
        for _ in range(3):
            cache.delete(home_catalogue.REBUILD_ASKED_KEY)
            assert alice_client.get("/").status_code == 200
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

        monkeypatch.setattr(tasks.warm_plans, "apply_async", apply_async)
        for n in range(3):
            assert enqueue.task_enqueue(tasks.warm_plans, n) is False
        assert len(_queue_warnings(caplog)) == 1
        broker_up["now"] = True
        assert enqueue.task_enqueue(tasks.warm_plans, 7) is True
        assert sent == [(7,)]
        assert _queue_warnings(caplog)[-1] == "Task queue reachable again."

    def test_it_skips_the_broker_during_the_back_off(self, monkeypatch: pytest.MonkeyPatch) -> None:
        attempts: list[int] = []

        def apply_async(args: tuple[Any, ...], kwargs: Any = None, **options: Any) -> None:
            attempts.append(1)
            raise OperationalError("refused")

        monkeypatch.setattr(tasks.warm_plans, "apply_async", apply_async)
        for n in range(20):
            enqueue.task_enqueue(tasks.warm_plans, n)
        assert len(attempts) == 1

    def test_a_task_named_goes_to_the_sites_broker_whichever_app_is_current(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        sent: list[tuple[Any, ...]] = []

        def apply_async(args: tuple[Any, ...], kwargs: Any = None, **options: Any) -> None:
            sent.append(args)

        monkeypatch.setattr(tasks.refresh_catalogue_arrays, "apply_async", apply_async)
        # A client of another broker (the worker drill's probe) becomes Celery's current app.
        other = Celery("another-broker", broker="memory://")
        try:
            assert current_app._get_current_object() is other
            assert enqueue.task_enqueue_named(home_catalogue.REBUILD_TASK) is True
        finally:
            app.set_current()
        assert sent == [()]

    def test_task_errors_in_eager_mode_are_not_swallowed(self) -> None:
        # Only the broker's absence is absorbed: a failing task (eager, in tests) still fails.
        with pytest.raises(TypeError):
            enqueue.task_enqueue(tasks.warm_plans, 1, 2, 3)

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
class TestNothingToCatchUp:
    """Pages build what they need themselves: a lost task costs speed, never a signal."""

    def test_the_catalogue_rebuild_is_scheduled(self) -> None:
        task = PeriodicTask.objects.get(task="recommendations.tasks.refresh_catalogue_arrays")
        assert task.enabled
        assert (task.interval.every, task.interval.period) == (15, "minutes")
        assert not PeriodicTask.objects.filter(task__endswith="refresh_stale_candidates").exists()

    def test_a_signal_counts_at_once_with_the_broker_down(
        self, alice_profile: Profile, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def refused(*args: Any, **kwargs: Any) -> None:
            raise OperationalError("refused")

        for task in (tasks.warm_plans, tasks.refresh_catalogue_arrays):
            monkeypatch.setattr(task, "apply_async", refused)
        titles = TitleFactory.create_batch(6)
        before = plans.home_plan(profile=alice_profile)
        assert before.row("my-list") is None
        services.list_add(profile=alice_profile, title=titles[0])
        after = plans.home_plan(profile=alice_profile)
        assert after.row("my-list").title_ids == [titles[0].pk]

    def test_a_catalogue_rebuild_lost_with_the_broker_is_asked_again(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(enqueue, "RETRY_AFTER", 0.0)
        attempts: list[int] = []

        def refused(*args: Any, **kwargs: Any) -> None:
            attempts.append(1)
            raise OperationalError("refused")

        monkeypatch.setattr(tasks.refresh_catalogue_arrays, "apply_async", refused)
        TitleFactory.create_batch(3)
        first = home_catalogue.catalogue()
        TitleFactory()
        assert home_catalogue.catalogue() is first  # the old arrays keep serving
        assert home_catalogue.catalogue() is first
        assert len(attempts) == 1  # asked once per CATALOGUE_CHECK_SECONDS...
        cache.delete(home_catalogue.REBUILD_ASKED_KEY)  # ...which have passed
        home_catalogue.catalogue()
        assert len(attempts) == 2
