"""The engine's Django side: training versions, the quality gate, single flight, serving."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.storage import storages
from django_celery_beat.models import PeriodicTask

from accounts.models import Profile
from catalog.models import Title
from recommendations import engine, services, tasks
from recommendations.home import plan as plans
from recommendations.models import ModelVersion

pytestmark = pytest.mark.django_db


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    """The active-version memo's clock, moved by hand."""
    clock = _Clock()
    monkeypatch.setattr(engine._active_memo, "clock", clock)
    return clock


def _metrics(ndcg: float, popular: float, rmse: float) -> dict:
    return {
        "rating": {"rmse": rmse},
        "ranking": {"ours": {"ndcg": ndcg}, "most_popular": {"ndcg": popular}},
    }


class TestQualityGate:
    def test_it_needs_to_beat_most_popular(self) -> None:
        decision = engine.quality_gate(_metrics(0.10, 0.12, 0.9), None)
        assert not decision.passed
        assert "below MostPopular" in decision.reason

    def test_a_first_model_that_beats_popularity_passes(self) -> None:
        assert engine.quality_gate(_metrics(0.20, 0.12, 0.9), None).passed

    @pytest.mark.parametrize(
        ("candidate", "passed"),
        [
            (_metrics(0.30, 0.1, 0.900), True),
            (_metrics(0.295, 0.1, 0.917), True),  # within 2 %
            (_metrics(0.30, 0.1, 0.925), False),  # RMSE 2.8 % worse
            (_metrics(0.29, 0.1, 0.900), False),  # NDCG 3.3 % worse
        ],
    )
    def test_it_compares_with_the_active_model(self, candidate: dict, passed: bool) -> None:
        active = _metrics(0.30, 0.1, 0.900)
        assert engine.quality_gate(candidate, active).passed is passed


class TestTraining:
    def test_a_trained_model_is_evaluated_and_activated(self, demo: None) -> None:
        version = engine.model_train()
        assert version.status == ModelVersion.Status.ACTIVE
        ours = version.metrics["ranking"]["ours"]["ndcg"]
        assert ours > version.metrics["ranking"]["most_popular"]["ndcg"]
        assert {"svd_rating", "most_popular"} <= set(version.metrics["ranking"])
        assert version.metrics["rating"]["rmse"] < 1.5
        assert {"read", "evaluate", "train"} <= set(version.timings)
        assert version.data_counts["items"] == Title.objects.filter(is_published=True).count()
        assert storages["private"].exists(version.artifact)
        assert version.artifact.endswith(".npz")

    def test_a_bad_model_is_not_activated(self, demo: None, monkeypatch: Any) -> None:
        first = engine.model_train()
        real = engine._report_metrics

        def worse(report: Any, ours: str) -> dict:
            metrics = real(report, ours)
            metrics["ranking"]["ours"] = {**metrics["ranking"]["ours"], "ndcg": 0.0}
            return metrics

        monkeypatch.setattr(engine, "_report_metrics", worse)
        second = engine.model_train()
        assert second.status == ModelVersion.Status.READY
        assert "below MostPopular" in second.gate_reason
        first.refresh_from_db()
        assert first.status == ModelVersion.Status.ACTIVE
        assert engine.serving_model().version == first

    def test_single_flight(self, demo: None) -> None:
        running = ModelVersion.objects.create(status=ModelVersion.Status.TRAINING)
        assert engine.model_train() is None
        assert tasks.train_model.delay().get() is None
        assert ModelVersion.objects.get() == running

    def test_a_lapsed_lease_is_released(self, demo: None, settings: Any) -> None:
        from datetime import timedelta

        from django.utils import timezone

        settings.MARQUEE_TRAINING_LEASE_SECONDS = 60
        # Started long ago, but its worker renewed the lease 10 s ago: still alive.
        alive = ModelVersion.objects.create(
            status=ModelVersion.Status.TRAINING,
            created_at=timezone.now() - timedelta(hours=5),
            heartbeat_at=timezone.now() - timedelta(seconds=10),
        )
        assert engine.model_train() is None
        # Its worker was killed: no heartbeat for longer than the lease.
        ModelVersion.objects.filter(pk=alive.pk).update(
            heartbeat_at=timezone.now() - timedelta(seconds=61)
        )
        version = engine.model_train()
        assert version.status == ModelVersion.Status.ACTIVE
        alive.refresh_from_db()
        assert alive.status == ModelVersion.Status.FAILED
        assert "no heartbeat" in alive.error

    def test_each_phase_renews_the_lease(self, demo: None) -> None:
        beats = []

        def progress(phase: str) -> None:
            beats.append(
                ModelVersion.objects.filter(status=ModelVersion.Status.TRAINING)
                .values_list("heartbeat_at", flat=True)
                .get()
            )

        engine.model_train(progress=progress)
        assert len(beats) == 5
        assert beats == sorted(beats)
        assert len(set(beats)) == 5

    def test_a_training_whose_lease_was_taken_does_not_activate(
        self, demo: None, caplog: Any
    ) -> None:
        def declared_dead(phase: str) -> None:
            if phase == "gate":
                # Another worker decided this one was dead while it was saving.
                ModelVersion.objects.filter(status=ModelVersion.Status.TRAINING).update(
                    status=ModelVersion.Status.FAILED, error="no heartbeat"
                )

        version = engine.model_train(progress=declared_dead)
        assert version.status == ModelVersion.Status.FAILED
        assert not ModelVersion.objects.filter(status=ModelVersion.Status.ACTIVE).exists()
        # Its file was discarded with it.
        assert not list(storages["private"].listdir("models")[1])
        assert any("lost its lease" in r.message for r in caplog.records)

    def test_a_failure_is_recorded(self, demo: None, monkeypatch: Any) -> None:
        def broken() -> None:
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(engine, "training_data_read", broken)
        with pytest.raises(RuntimeError):
            engine.model_train()
        version = ModelVersion.objects.get()
        assert version.status == ModelVersion.Status.FAILED
        assert "disk on fire" in version.error


class TestServing:
    def test_a_new_active_version_is_picked_up_without_restart(
        self, demo: None, django_capture_on_commit_callbacks: Any
    ) -> None:
        first = engine.model_train()
        assert engine.serving_model().version == first
        # Activation tells serving processes through the cache, once it is committed.
        with django_capture_on_commit_callbacks(execute=True):
            second = engine.model_train()
            if second.status != ModelVersion.Status.ACTIVE:
                engine.version_activate(version=second)
        assert engine.serving_model().version == second
        first.refresh_from_db()
        assert first.status == ModelVersion.Status.RETIRED

    def test_another_process_notices_an_activation_when_its_cache_expires(
        self, demo: None, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        clock = _clock(monkeypatch)
        first = engine.model_train()
        assert engine.serving_model().version == first
        second = engine.model_train()
        if second.status != ModelVersion.Status.ACTIVE:
            engine.version_activate(version=second)
        # This process's cache was not told (the on-commit hook ran elsewhere) ...
        assert engine.serving_model().version == first
        # ... until its entry expires, after ACTIVE_CACHE_SECONDS, and the process's own
        # memo after ACTIVE_MEMO_SECONDS.
        cache.delete(engine.ACTIVE_CACHE_KEY)
        clock.now += engine.ACTIVE_MEMO_SECONDS
        assert engine.serving_model().version == second

    def test_the_active_version_is_asked_of_the_shared_cache_once_per_memo_window(
        self, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
    ) -> None:
        clock = _clock(monkeypatch)
        first = ModelVersion.objects.create(status=ModelVersion.Status.ACTIVE)
        assert engine.active_version_id() == first.pk
        # Another process activates a version: the database and the shared cache say so.
        ModelVersion.objects.filter(pk=first.pk).update(status=ModelVersion.Status.RETIRED)
        second = ModelVersion.objects.create(status=ModelVersion.Status.ACTIVE)
        cache.set(engine.ACTIVE_CACHE_KEY, second.pk)
        clock.now += engine.ACTIVE_MEMO_SECONDS - 0.1
        with django_assert_num_queries(0):
            assert engine.active_version_id() == first.pk
        clock.now += 0.1
        assert engine.active_version_id() == second.pk

    def test_no_active_version_is_remembered_too(
        self, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
    ) -> None:
        _clock(monkeypatch)
        with django_assert_num_queries(1):
            assert engine.active_version_id() is None
        cache.clear()
        with django_assert_num_queries(0):
            assert engine.active_version_id() is None

    def test_no_model_means_no_top_picks(self, demo: None) -> None:
        assert engine.serving_model() is None
        profile = Profile.objects.get(account__email="demo@marquee.local", name="Ben")
        plan = plans.home_plan(profile=profile)
        assert plan.row("top-picks") is None
        assert not plan.has_model
        assert plan.rows  # popularity, trending, new: the page still has rows

    def test_a_missing_artifact_falls_back(self, trained: ModelVersion, caplog: Any) -> None:
        version = trained
        storages["private"].delete(version.artifact)
        engine._loaded.clear()
        assert engine.serving_model() is None
        assert engine.serving_model() is None
        assert sum("cannot be read" in r.message for r in caplog.records) == 1

    def test_a_rating_changes_the_top_picks_without_retraining(self, trained: ModelVersion) -> None:
        version = trained
        profile = Profile.objects.filter(account__email="demo@marquee.local", name="Ben").get()
        before = plans.home_plan(profile=profile).row("top-picks").see_all_ids
        top = Title.objects.get(pk=before[0])
        services.rating_set(profile=profile, title=top, stars="0.5")
        profile.refresh_from_db()
        after = plans.home_plan(profile=profile).row("top-picks").see_all_ids
        assert ModelVersion.objects.get(status=ModelVersion.Status.ACTIVE) == version
        assert top.pk not in after  # rated: seen, no longer a pick
        assert after != before

    def test_not_interested_titles_are_never_picked(self, trained: ModelVersion) -> None:
        profile = Profile.objects.filter(account__email="demo@marquee.local", name="Ana").get()
        before = plans.home_plan(profile=profile).row("top-picks").see_all_ids
        hidden = Title.objects.get(pk=before[1])
        services.not_interested_add(profile=profile, title=hidden)
        profile.refresh_from_db()
        plan = plans.home_plan(profile=profile)
        assert all(hidden.pk not in row.see_all_ids for row in plan.rows)

    def test_an_activation_builds_the_plans_pages_then_serve(
        self, trained: ModelVersion, django_assert_max_num_queries: Any
    ) -> None:
        active = plans.profiles_recently_active()
        assert active  # the demo's viewers gave signals lately
        tasks.precompute_recommendations.delay(chunk_size=25).get()
        profile = Profile.objects.get(pk=active[0])
        # The plan the page asks for is already cached: no signal read, no fold-in.
        with django_assert_max_num_queries(1):
            plan = plans.home_plan(profile=profile)
        assert plan.has_model


def test_the_engine_schedules_are_seeded() -> None:
    tasks_ = set(PeriodicTask.objects.values_list("task", flat=True))
    assert {
        "recommendations.tasks.train_model",
        "recommendations.tasks.retrain_if_stale",
        "recommendations.tasks.refresh_trending",
    } <= tasks_


def test_retrain_waits_for_enough_new_signals(settings: Any, trained: ModelVersion) -> None:
    settings.MARQUEE_RETRAIN_AFTER_SIGNALS = 10_000
    assert tasks.retrain_if_stale.delay().get() is False
    settings.MARQUEE_RETRAIN_AFTER_SIGNALS = 1
    profile = Profile.objects.first()
    services.rating_set(profile=profile, title=Title.objects.first(), stars=3)
    assert tasks.retrain_if_stale.delay().get() is True
    assert ModelVersion.objects.count() == 2


class TestTopPicks:
    def _client_for(self, client: Any, name: str) -> tuple[Any, Profile]:
        from tests.helpers import watch_as

        profile = Profile.objects.get(account__email="demo@marquee.local", name=name)
        client.force_login(profile.account)
        watch_as(client, profile)
        return client, profile

    def test_the_home_page_shows_top_picks_with_a_match(
        self, client: Any, trained: ModelVersion
    ) -> None:
        client, profile = self._client_for(client, "Ben")
        page = client.get("/").text
        assert "Top picks for Ben" in page
        assert "% match" in page
        first = Title.objects.get(pk=plans.home_plan(profile=profile).row("top-picks").title_ids[0])
        assert first.name in page

    def test_kids_picks_stay_within_the_limit(self, client: Any, trained: ModelVersion) -> None:
        from catalog.maturity import ratings_up_to

        client, kid = self._client_for(client, "Kids")
        plan = plans.home_plan(profile=kid)
        picks = [pk for row in plan.rows for pk in row.see_all_ids]
        assert picks
        ratings = set(Title.objects.filter(pk__in=picks).values_list("maturity_rating", flat=True))
        assert ratings <= set(ratings_up_to(kid.max_maturity_age))

    def test_the_see_all_page_is_the_plans_top_picks(
        self, client: Any, trained: ModelVersion, django_assert_max_num_queries: Any
    ) -> None:
        client, profile = self._client_for(client, "Ana")
        picks = plans.home_plan(profile=profile).row("top-picks").see_all_ids
        # 1. user, 2. profile (the session comes from the cache), 3. the plan's titles,
        # 4. the account's profiles for the header; the plan itself comes from the cache
        with django_assert_max_num_queries(5):
            page = client.get("/me/top-picks/").text
        assert len(picks) > 20
        assert page.count('class="card"') == len(picks)
        shown = re.findall(r'href="/titles/([^/"]+)/"', page)
        slugs = dict(Title.objects.filter(pk__in=picks).values_list("pk", "slug"))
        assert list(dict.fromkeys(shown)) == [slugs[pk] for pk in picks]
