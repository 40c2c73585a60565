from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from recommendations import engine, tasks
from recommendations.models import ModelVersion
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(UserFactory(email="curator@example.com", is_staff=True, is_superuser=True))
    return client


def _version(status: str, ndcg: float, rmse: float = 0.9) -> ModelVersion:
    return ModelVersion.objects.create(
        status=status,
        metrics={
            "rating": {"rmse": rmse, "mae": 0.7},
            "ranking": {
                "ours": {"ndcg": ndcg, "coverage": 0.25},
                "most_popular": {"ndcg": 0.1},
                "svd_rating": {"ndcg": 0.05},
            },
        },
    )


def test_versions_are_listed_beside_the_baselines_with_a_chart(
    admin_client: Client, django_assert_max_num_queries: Any
) -> None:
    _version("retired", 0.2, 0.95)
    _version("active", 0.3, 0.91)
    with django_assert_max_num_queries(12):
        page = admin_client.get(reverse("admin:recommendations_modelversion_changelist")).text
    assert "NDCG@10 MostPopular" in page
    assert "0.3000" in page
    assert "0.1000" in page
    assert page.count('over versions"') == 3  # RMSE, NDCG@10 and coverage panels
    assert "Retrain now" in page
    # The active version has no readable file: the admin says pages use popularity.
    assert "cannot be read" in page


def test_retrain_now_queues_a_training(admin_client: Client, monkeypatch: Any) -> None:
    queued: list[bool] = []
    monkeypatch.setattr(tasks.train_model, "apply_async", lambda *a, **k: queued.append(True))
    response = admin_client.post(reverse("admin:recommendations_modelversion_retrain"))
    assert response.status_code == 302
    assert queued == [True]


def test_activate_asks_for_confirmation(admin_client: Client, monkeypatch: Any) -> None:
    monkeypatch.setattr(tasks.precompute_recommendations, "apply_async", lambda *a, **k: None)
    # These versions have no files; reading one is not what this test is about.
    monkeypatch.setattr(engine, "artifact_load", lambda *, version: SimpleNamespace(model=None))
    active = _version("active", 0.3)
    ready = _version("ready", 0.29)
    url = reverse("admin:recommendations_modelversion_changelist")
    confirm = admin_client.post(url, {"action": "activate", "_selected_action": [ready.pk]})
    assert confirm.status_code == 200
    assert "Yes, activate it" in confirm.text
    ready.refresh_from_db()
    assert ready.status == "ready"
    admin_client.post(url, {"action": "activate", "_selected_action": [ready.pk], "confirm": "yes"})
    ready.refresh_from_db()
    active.refresh_from_db()
    assert (ready.status, active.status) == ("active", "retired")


def test_a_failed_version_cannot_be_activated(admin_client: Client) -> None:
    failed = ModelVersion.objects.create(status="failed")
    admin_client.post(
        reverse("admin:recommendations_modelversion_changelist"),
        {"action": "activate", "_selected_action": [failed.pk], "confirm": "yes"},
    )
    failed.refresh_from_db()
    assert failed.status == "failed"


def test_training_without_data_fails_cleanly(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    version = engine.model_train()
    assert version.status == ModelVersion.Status.FAILED
    assert version.error


def test_viewers_cannot_see_versions(alice: User, client: Client) -> None:
    client.force_login(alice)
    response = client.get(reverse("admin:recommendations_modelversion_changelist"))
    assert response.status_code == 302


def test_a_version_whose_file_cannot_be_read_is_not_activated(
    admin_client: Client, monkeypatch: Any
) -> None:
    monkeypatch.setattr(tasks.precompute_recommendations, "apply_async", lambda *a, **k: None)
    active = _version("active", 0.3)
    ready = _version("ready", 0.29)
    url = reverse("admin:recommendations_modelversion_changelist")
    response = admin_client.post(
        url, {"action": "activate", "_selected_action": [ready.pk], "confirm": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert "Not activated" in response.text
    ready.refresh_from_db()
    active.refresh_from_db()
    assert (ready.status, active.status) == ("ready", "active")
