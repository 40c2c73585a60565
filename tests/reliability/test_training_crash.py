"""Drill: a worker killed with SIGKILL in the middle of a training.

A real Celery worker on Redis trains with acks_late; it is killed; the training's lease
lapses; the next training marks it failed and runs. While the killed worker was alive,
its renewed lease kept every other training out, however long it ran.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.helpers import redis_up
from tests.processes import ROOT, seeded_site
from tests.processes import site_environ as _environ
from tests.test_celery_worker import _client

pytestmark = pytest.mark.skipif(
    not redis_up() and not os.environ.get("MARQUEE_REQUIRE_SERVICES"),
    reason="Redis is not running on 127.0.0.1:6379",
)

BROKER = "redis://127.0.0.1:6379/10"
# A queue of its own, so no other worker on this Redis takes the drill's tasks.
QUEUE = f"training-drill-{uuid.uuid4().hex[:8]}"
LEASE = 2


def _env(var_dir: Path) -> dict[str, str]:
    return {**_environ(var_dir, BROKER), "MARQUEE_TRAINING_LEASE_SECONDS": str(LEASE)}


@pytest.fixture(scope="module")
def seeded_var(
    seeded_site_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    yield seeded_site(seeded_site_template, tmp_path_factory.mktemp("crash"))
    _forget_queue()


def _forget_queue() -> None:
    """Drop the drill's queue and the killed worker's unacknowledged message, nothing else."""
    client = redis.Redis.from_url(BROKER)
    client.delete(QUEUE)
    for tag, raw in client.hgetall("unacked").items():
        message, _exchange, routing_key = json.loads(raw)
        if routing_key == QUEUE:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


def _start_worker(var_dir: Path, name: str) -> subprocess.Popen[bytes]:
    log = var_dir / f"{name}.log"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-n",
            name,
            "-Q",
            QUEUE,
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=_env(var_dir),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, killed whole below
    )
    deadline = time.monotonic() + 60
    while "ready." not in log.read_text():
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
    return process


def _versions(var_dir: Path) -> list[tuple[int, str, str | None, str]]:
    with sqlite3.connect(var_dir / "worker.sqlite3", timeout=10) as db:
        return db.execute(
            "SELECT id, status, heartbeat_at, error FROM recommendations_modelversion ORDER BY id"
        ).fetchall()


def _wait_for(predicate: object, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_a_killed_worker_releases_training_and_the_next_one_runs(seeded_var: Path) -> None:
    first = _start_worker(seeded_var, "first")
    try:
        # Many epochs: this training lasts minutes, far longer than the drill.
        _client(seeded_var, BROKER).send_task(
            "recommendations.tasks.train_model", kwargs={"svd": {"n_epochs": 20_000}}, queue=QUEUE
        )
        _wait_for(lambda: [v for v in _versions(seeded_var) if v[1] == "training"], "training")
        (killed_id, _status, beat, _error) = _versions(seeded_var)[-1]

        # Alive past its lease: the thread keeps renewing it, so nothing else may train.
        time.sleep(LEASE + 1)
        assert _versions(seeded_var)[-1][2] > beat
        refused = subprocess.run(
            [sys.executable, "manage.py", "train", "--sync", "-v0"],
            cwd=ROOT,
            env=_env(seeded_var),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert refused.returncode != 0
        assert "Another training is running" in refused.stderr
        assert first.poll() is None

        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
    assert _versions(seeded_var)[-1][:2] == (killed_id, "training")

    time.sleep(LEASE + 0.5)
    second = _start_worker(seeded_var, "second")
    try:
        result = _client(seeded_var, BROKER).send_task(
            "recommendations.tasks.train_model", queue=QUEUE
        )
        new_id = result.get(timeout=240)
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=60)
    versions = {v[0]: v for v in _versions(seeded_var)}
    assert new_id != killed_id
    assert versions[new_id][1] == "active"
    assert versions[killed_id][1] == "failed"
    assert "no heartbeat" in versions[killed_id][3]
