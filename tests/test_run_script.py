"""`make run` (bin/run): up with a working site, and down within seconds of a Ctrl-C.

A terminal's Ctrl-C is a SIGINT to the whole foreground process group: the script, the
site and the worker get it at once. The worker's own warm shutdown waits for its task
and took more than 50 seconds; the script gives it a few seconds, then stops it cold.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _group_alive(process: subprocess.Popen) -> bool:
    # The script itself stays a zombie (and so a member) until it is reaped: poll first.
    process.poll()
    try:
        os.killpg(process.pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for(url: str, process: subprocess.Popen, seconds: float) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"bin/run exited early with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"{url} did not answer within {seconds:.0f} s")


@pytest.mark.skipif(sys.platform == "win32", reason="process groups")
def test_ctrl_c_stops_everything_within_seconds(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "MARQUEE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "CELERY_BROKER_URL": "filesystem://",
        "MARQUEE_PORT": str(port),
        "MARQUEE_DEMO_TITLES": "80",
        "MARQUEE_DEMO_USERS": "8",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
    }
    for name in (
        "MEDIA_ROOT",
        "MARQUEE_PRIVATE_ROOT",
        "REDIS_CACHE_URL",
        "CELERY_TASK_ALWAYS_EAGER",
    ):
        env.pop(name, None)
    log = (tmp_path / "run.log").open("w")
    process = subprocess.Popen(
        ["bin/run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        assert _wait_for(f"http://127.0.0.1:{port}/", process, seconds=240) == 200
        # Keep the worker busy as it is told to stop: a retraining in its queue.
        subprocess.run(
            [sys.executable, "manage.py", "train"], cwd=ROOT, env=env, check=True, timeout=60
        )
        time.sleep(1)
        started = time.monotonic()
        os.killpg(process.pid, signal.SIGINT)
        while _group_alive(process) and time.monotonic() - started < 30:
            time.sleep(0.1)
        elapsed = time.monotonic() - started
        assert not _group_alive(process), (tmp_path / "run.log").read_text()[-2000:]
        assert elapsed < 10, f"stopped after {elapsed:.1f} s"
        assert process.returncode == 0
        assert "Stopped." in (tmp_path / "run.log").read_text()
    finally:
        if _group_alive(process):
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
