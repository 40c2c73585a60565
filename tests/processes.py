"""A site of its own for the tests that start processes: a Celery worker, a training.

Such a test runs `manage.py` and `celery` against a SQLite file in a folder of its own
(the default settings a newcomer gets), never the suite's PostgreSQL test database.
Migrating and seeding that file costs two process starts and about ten seconds, so it is
done once per suite run, in one process, and each test copies the result
(`seeded_site`). Under pytest-xdist the workers share the copy: the first to ask builds
it, the others wait on a file lock.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The demo the drills train on: small, so a training takes a second or two.
SEED = {"titles": 120, "users": 30}
_BUILD = (
    "import django; django.setup(); "
    "from django.core.management import call_command; "
    "call_command('migrate', interactive=False, verbosity=0); "
    f"call_command('seed_demo', titles={SEED['titles']}, users={SEED['users']}, verbosity=0)"
)


def site_environ(var_dir: Path, broker: str | None) -> dict[str, str]:
    """The environment of a process on the site in `var_dir`: local settings, SQLite."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CELERY_"))}
    environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        MARQUEE_VAR_DIR=str(var_dir),
        DATABASE_URL=f"sqlite:///{var_dir / 'worker.sqlite3'}",
        CELERY_RESULT_BACKEND=f"file://{var_dir / 'results'}",
    )
    if broker:
        environ["CELERY_BROKER_URL"] = broker
    return environ


def seeded_template(shared: Path) -> Path:
    """The migrated and seeded site, built in `shared` by whichever worker asks first."""
    template = shared / "seeded-site"
    with (shared / "seeded-site.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (template / "built").exists():
            shutil.rmtree(template, ignore_errors=True)
            template.mkdir()
            subprocess.run(
                [sys.executable, "-c", _BUILD],
                cwd=ROOT,
                env=site_environ(template, None),
                check=True,
                capture_output=True,
                timeout=300,
            )
            (template / "built").touch()
    return template


def seeded_site(template: Path, var_dir: Path) -> Path:
    """A copy of the seeded site in `var_dir` (made), with an empty results folder."""
    shutil.copytree(template, var_dir, ignore=shutil.ignore_patterns("built"), dirs_exist_ok=True)
    (var_dir / "results").mkdir(exist_ok=True)
    return var_dir
