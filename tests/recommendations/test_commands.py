from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from recommendations.models import ModelVersion

pytestmark = pytest.mark.django_db


def test_train_sync_reports_the_gate(demo: None) -> None:
    out = StringIO()
    call_command("train", "--sync", "--factors", "20", verbosity=0, stdout=out)
    version = ModelVersion.objects.get()
    assert version.status == ModelVersion.Status.ACTIVE
    assert version.params["svd"]["n_factors"] == 20
    assert f"Model {version.pk}: active." in out.getvalue()
    assert "MostPopular" in out.getvalue()


def test_train_if_no_model_skips_when_one_is_active(demo: None) -> None:
    call_command("train", "--sync", verbosity=0, stdout=StringIO())
    out = StringIO()
    call_command("train", "--sync", "--if-no-model", stdout=out)
    assert "already active" in out.getvalue()
    assert ModelVersion.objects.count() == 1


@pytest.mark.parametrize("args", [["--factors", "0"], ["--reg", "-1"], ["--ranker", "knn"]])
def test_train_rejects_bad_parameters(args: list[str]) -> None:
    with pytest.raises((CommandError, SystemExit)):
        call_command("train", "--sync", *args, stdout=StringIO(), stderr=StringIO())
    assert not ModelVersion.objects.exists()


def test_evaluate_prints_ours_beside_the_baselines(demo: None) -> None:
    out = StringIO()
    call_command("evaluate", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert {"most_popular", "svd_rating", "puresvd", "blend"} <= set(report["ranking"])
    assert report["ranking"]["puresvd"]["ndcg"] > report["ranking"]["most_popular"]["ndcg"]
    table = StringIO()
    call_command("evaluate", stdout=table)
    assert "NDCG@10" in table.getvalue()
    assert not ModelVersion.objects.exists()


def test_train_queues_its_options_for_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    from recommendations import tasks

    queued: list[dict] = []
    monkeypatch.setattr(tasks.train_model, "delay", lambda **kwargs: queued.append(kwargs))
    call_command("train", "--epochs", "7", "--ranker", "ease", stdout=StringIO())
    assert queued[0]["svd"]["n_epochs"] == 7
    assert queued[0]["ranker"]["kind"] == "ease"


def test_the_task_trains_with_the_options_it_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    from recommendations import engine, tasks

    seen: dict = {}
    monkeypatch.setattr(engine, "model_train", lambda **kwargs: seen.update(kwargs))
    tasks.train_model.delay(svd={"n_epochs": 3}, ranker={"kind": "puresvd", "n_factors": 8})
    assert seen["svd"].n_epochs == 3
    assert seen["ranker"].n_factors == 8
