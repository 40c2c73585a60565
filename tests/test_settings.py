from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env

ROOT = Path(__file__).resolve().parent.parent


class TestReaders:
    @pytest.mark.parametrize(("raw", "expected"), [("1", True), ("Yes", True), ("off", False)])
    def test_bool_accepts_the_usual_spellings(self, raw: str, expected: bool) -> None:
        assert env.get_bool("DEBUG", False, environ_={"DEBUG": raw}) is expected

    def test_bool_rejects_anything_else_naming_the_variable(self) -> None:
        with pytest.raises(ImproperlyConfigured, match="^DEBUG: expected true/false"):
            env.get_bool("DEBUG", False, environ_={"DEBUG": "maybe"})

    def test_int_rejects_text(self) -> None:
        with pytest.raises(ImproperlyConfigured, match="^CONN_MAX_AGE: expected an integer"):
            env.get_int("CONN_MAX_AGE", 0, environ_={"CONN_MAX_AGE": "soon"})

    def test_int_checks_its_range(self) -> None:
        with pytest.raises(ImproperlyConfigured, match="CONN_MAX_AGE: must be at least 0"):
            env.get_int("CONN_MAX_AGE", 0, minimum=0, environ_={"CONN_MAX_AGE": "-5"})

    def test_list_rejects_empty_items(self) -> None:
        with pytest.raises(ImproperlyConfigured, match="^ALLOWED_HOSTS: empty item"):
            env.get_list("ALLOWED_HOSTS", [], environ_={"ALLOWED_HOSTS": "a.example,,b"})

    def test_list_splits_on_commas(self) -> None:
        hosts = env.get_list("ALLOWED_HOSTS", [], environ_={"ALLOWED_HOSTS": "a.example, b"})
        assert hosts == ["a.example", "b"]

    def test_timezone_must_exist(self) -> None:
        with pytest.raises(ImproperlyConfigured, match="^TIME_ZONE: unknown time zone"):
            env.get_timezone("TIME_ZONE", "UTC", environ_={"TIME_ZONE": "Mars/Olympus"})

    def test_database_url_must_be_sqlite_or_postgres(self) -> None:
        with pytest.raises(ImproperlyConfigured, match="^DATABASE_URL:"):
            env.get_database("DATABASE_URL", "", environ_={"DATABASE_URL": "mysql://x@h/db"})

    def test_database_url_garbage(self) -> None:
        with pytest.raises(ImproperlyConfigured, match="^DATABASE_URL:"):
            env.get_database("DATABASE_URL", "", environ_={"DATABASE_URL": "not a url"})

    def test_database_url_postgres(self) -> None:
        config = env.get_database(
            "DATABASE_URL", "", environ_={"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/mq"}
        )
        assert (config["ENGINE"], config["NAME"], config["PORT"]) == (
            "django.db.backends.postgresql",
            "mq",
            5432,
        )

    def test_broker_url_scheme(self) -> None:
        with pytest.raises(ImproperlyConfigured, match="^CELERY_BROKER_URL:"):
            env.get_broker_url("CELERY_BROKER_URL", "", environ_={"CELERY_BROKER_URL": "kafka://x"})

    def test_secrets_can_come_from_files(self, tmp_path: Path) -> None:
        secret = tmp_path / "key"
        secret.write_text("s3cret\n")
        assert env.get_str("SECRET_KEY", environ_={"SECRET_KEY_FILE": str(secret)}) == "s3cret"

    def test_required_values_say_so(self) -> None:
        with pytest.raises(ImproperlyConfigured, match="^SECRET_KEY: this environment variable"):
            env.get_str("SECRET_KEY", environ_={})


def _manage(*args: str, settings: str, **variables: str) -> subprocess.CompletedProcess[str]:
    # A clean environment: other tests set variables (e.g. DJANGO_ALLOW_ASYNC_UNSAFE) that
    # a deployment check rightly rejects.
    environ = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    environ.update(DJANGO_SETTINGS_MODULE=settings, **variables)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


class TestStartUp:
    def test_blas_runs_on_one_thread_unless_told_otherwise(self, tmp_path: Path) -> None:
        # Read in the process that loaded numpy: OpenBLAS sizes its pool once, at load.
        show = "import numpy, os; print(os.environ['OPENBLAS_NUM_THREADS'])"
        default = _manage("shell", "-v0", "-c", show, settings="config.settings.local",
                          MARQUEE_VAR_DIR=str(tmp_path))  # fmt: skip
        assert default.stdout.strip() == "1", default.stderr
        chosen = _manage("shell", "-v0", "-c", show, settings="config.settings.local",
                         MARQUEE_VAR_DIR=str(tmp_path), OPENBLAS_NUM_THREADS="2")  # fmt: skip
        assert chosen.stdout.strip() == "2", chosen.stderr

    def test_a_bad_value_stops_start_up_with_its_name(self, tmp_path: Path) -> None:
        result = _manage(
            "check",
            settings="config.settings.local",
            DEBUG="perhaps",
            MARQUEE_VAR_DIR=str(tmp_path),
        )
        assert result.returncode != 0
        assert "DEBUG: expected true/false" in result.stderr

    def test_production_needs_a_secret_key(self, tmp_path: Path) -> None:
        result = _manage(
            "check",
            settings="config.settings.production",
            ALLOWED_HOSTS="marquee.example",
            MARQUEE_VAR_DIR=str(tmp_path),
        )
        assert result.returncode != 0
        assert "SECRET_KEY" in result.stderr

    def test_production_passes_the_deploy_check(self, tmp_path: Path) -> None:
        result = _manage(
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            settings="config.settings.production",
            SECRET_KEY="x7#kq2!vN9pLm4@rT8wZ1yB6cF3hJ5sD0gA-uE_oI*QeWbnMpRtYa",
            ALLOWED_HOSTS="marquee.example",
            DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
            MARQUEE_VAR_DIR=str(tmp_path),
        )
        assert result.returncode == 0, result.stderr
        assert "no issues" in result.stdout
