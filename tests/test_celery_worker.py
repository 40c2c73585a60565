"""A real worker with embedded beat, on the default filesystem broker and on Redis."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import Celery

from tests.helpers import redis_up
from tests.processes import ROOT, seeded_site
from tests.processes import site_environ as _environ


@pytest.fixture(scope="module")
def migrated_var(seeded_site_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seeded_site(seeded_site_template, tmp_path_factory.mktemp("var"))


def _worker(var_dir: Path, broker: str | None) -> Iterator[subprocess.Popen[str]]:
    log = open(var_dir / "worker.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-B",
            "--pool=solo",
            "--loglevel=INFO",
            "--schedule",
            str(var_dir / "beat-schedule"),
        ],
        cwd=ROOT,
        env=_environ(var_dir, broker),
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture(autouse=True)
def _no_broker_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # Celery prefers CELERY_BROKER_URL from the environment to the broker it is given: a
    # suite run with it set would send the probe's tasks where no worker listens.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)


def _client(var_dir: Path, broker: str) -> Celery:
    # Not the process's current app: the site's tasks queued by later tests would go to it.
    client = Celery(
        "probe", broker=broker, backend=f"file://{var_dir / 'results'}", set_as_current=False
    )
    if broker.startswith("filesystem://"):
        queue = str(var_dir / "celery" / "queue")
        client.conf.broker_transport_options = {
            "data_folder_in": queue,
            "data_folder_out": queue,
            "processed_folder": str(var_dir / "celery" / "processed"),
            "control_folder": str(var_dir / "celery" / "control"),
            "store_processed": False,
        }
    return client


def _wait_for_log(var_dir: Path, text: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = (var_dir / "worker.log").read_text()
        if text in log:
            return log
        time.sleep(0.5)
    raise AssertionError(f"{text!r} not in worker log:\n{log}")


@pytest.mark.parametrize(
    "broker",
    [
        pytest.param(None, id="filesystem"),
        pytest.param(
            "redis://127.0.0.1:6379/12",
            id="redis",
            marks=pytest.mark.skipif(
                not redis_up() and not os.environ.get("MARQUEE_REQUIRE_SERVICES"),
                reason="Redis is not running on 127.0.0.1:6379",
            ),
        ),
    ],
)
def test_worker_with_beat_runs_tasks(migrated_var: Path, broker: str | None) -> None:
    for worker in _worker(migrated_var, broker):
        _wait_for_log(migrated_var, "ready.")
        _wait_for_log(migrated_var, "beat: Starting")
        client = _client(migrated_var, broker or "filesystem://")
        result = client.send_task("celery.accumulate", args=(3, 4))
        assert tuple(result.get(timeout=60)) == (3, 4)
        assert worker.poll() is None
    # Beat ran with the database scheduler: it registered its built-in clean-up task there.
    with sqlite3.connect(migrated_var / "worker.sqlite3") as db:
        names = {row[0] for row in db.execute("SELECT name FROM django_celery_beat_periodictask")}
    assert "celery.backend_cleanup" in names


@pytest.mark.skipif(
    not redis_up() and not os.environ.get("MARQUEE_REQUIRE_SERVICES"),
    reason="Redis is not running on 127.0.0.1:6379",
)
def test_a_worker_on_redis_trains_and_activates_a_model(migrated_var: Path) -> None:
    broker = "redis://127.0.0.1:6379/11"
    for _process in _worker(migrated_var, broker):
        _wait_for_log(migrated_var, "ready.")
        result = _client(migrated_var, broker).send_task("recommendations.tasks.train_model")
        version_id = result.get(timeout=180)
    with sqlite3.connect(migrated_var / "worker.sqlite3") as db:
        (status,) = db.execute(
            "SELECT status FROM recommendations_modelversion WHERE id = ?", (version_id,)
        ).fetchone()
    assert status == "active"
