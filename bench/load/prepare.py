"""The load test's data and settings: its database, the environment of each process, the viewers.

Steps 1 and 2 of bench/load/run.py; `viewers_make` runs in a child process with Django set
up (production settings).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

from bench import postgres

ROOT = Path(__file__).resolve().parent.parent.parent
DATABASE = "marquee_load"
SCRATCH = Path("/tmp") / DATABASE
CACHE_URL = "redis://127.0.0.1:6379/5"
BROKER_URL = "redis://127.0.0.1:6379/6"


def environment(*, production: bool) -> dict[str, str]:
    """The environment of a process on the load test's database: the test settings for
    the setup, else the production settings with Redis as cache and broker."""
    env = {
        **os.environ,
        "DATABASE_URL": postgres.database_url(DATABASE),
        "MARQUEE_VAR_DIR": str(SCRATCH),
        "OPENBLAS_NUM_THREADS": "1",
    }
    for name in ("REDIS_CACHE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        env.pop(name, None)
    if not production:
        return {**env, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    # One key per database: the sessions made in step 2 are signed with it.
    key_file = SCRATCH / "secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(60))
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": key_file.read_text().strip(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Plain HTTP on the loopback: no TLS in front of it here.
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "REDIS_CACHE_URL": CACHE_URL,
        "CELERY_BROKER_URL": BROKER_URL,
        "LOG_LEVEL": "WARNING",
    }


def database_build() -> None:
    """A fresh database and var folder, filled by bench/home.py's ml-1m setup."""
    postgres.pg("dropdb", "--if-exists", DATABASE)
    for stale in SCRATCH.glob("*") if SCRATCH.exists() else []:
        subprocess.run(["rm", "-rf", str(stale)], check=True)
    SCRATCH.mkdir(exist_ok=True)
    postgres.pg("createdb", DATABASE)
    subprocess.run(
        [sys.executable, "bench/home.py", "--only", "ml-1m", "--step", "setup"],
        cwd=ROOT,
        env=environment(production=False),
        check=True,
    )


def database_drop() -> None:
    postgres.pg("dropdb", "--if-exists", DATABASE)
    subprocess.run(["rm", "-rf", str(SCRATCH)], check=True)


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def redis_flush() -> None:
    import redis

    for url in (CACHE_URL, BROKER_URL):
        redis.Redis.from_url(url).flushdb()  # this benchmark's own database numbers


def viewers_make(count: int, out: Path) -> None:
    """`count` random profiles with history, each with a session, CSRF secret and token."""
    import random
    from importlib import import_module

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY
    from django.contrib.auth import SESSION_KEY as USER_SESSION_KEY
    from django.utils.crypto import get_random_string
    from rest_framework.authtoken.models import Token

    from accounts.models import Profile
    from accounts.services import SESSION_KEY as PROFILE_SESSION_KEY
    from recommendations.models import Rating

    with_history = sorted(set(Rating.objects.values_list("profile_id", flat=True).distinct()))
    chosen = random.Random(0).sample(with_history, count)
    store = import_module(settings.SESSION_ENGINE).SessionStore
    viewers = []
    for profile in Profile.objects.filter(pk__in=chosen).select_related("account"):
        session = store()
        session[USER_SESSION_KEY] = str(profile.account.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = profile.account.get_session_auth_hash()
        session[PROFILE_SESSION_KEY] = profile.pk
        session.create()
        token, _created = Token.objects.get_or_create(user=profile.account)
        viewers.append(
            {
                "profile": profile.pk,
                "session": session.session_key,
                "csrf": get_random_string(32),  # a CSRF secret: the cookie and header both
                "token": token.key,
            }
        )
    out.write_text(json.dumps(viewers))
    print(f"  {len(viewers)} viewers: sessions and tokens made", flush=True)
