"""Strict readers for settings that come from the environment.

django-environ parses URLs well but is lenient with booleans and lists ("maybe" is
False to it). Every reader here raises ImproperlyConfigured naming the variable, so a
typo in a deployment fails at start-up instead of silently changing behaviour.
"""

from __future__ import annotations

import os
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_UNSET = object()


def _raw(name: str, environ_: Mapping[str, str] | None) -> str | None:
    source = os.environ if environ_ is None else environ_
    file_name = source.get(f"{name}_FILE")
    if file_name:
        # Secrets mounted as files (Docker/Kubernetes style) win over plain values.
        try:
            return Path(file_name).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_name!r}: {exc}") from exc
    return source.get(name)


def get_str(name: str, default: Any = _UNSET, *, environ_: Mapping[str, str] | None = None) -> str:
    value = _raw(name, environ_)
    if value is None:
        if default is _UNSET:
            raise ImproperlyConfigured(f"{name}: this environment variable is required.")
        return default
    return value


def get_bool(name: str, default: bool, *, environ_: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ_)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}: expected true/false (1/0, yes/no, on/off), got {value!r}.")


def get_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ_: Mapping[str, str] | None = None,
) -> int:
    value = _raw(name, environ_)
    if value is None:
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}: expected an integer, got {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}: must be at least {minimum}, got {number}.")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}: must be at most {maximum}, got {number}.")
    return number


def get_list(
    name: str, default: list[str], *, environ_: Mapping[str, str] | None = None
) -> list[str]:
    value = _raw(name, environ_)
    if value is None:
        return list(default)
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name}: empty item in comma-separated list {value!r}.")
    return items


def get_timezone(name: str, default: str, *, environ_: Mapping[str, str] | None = None) -> str:
    value = get_str(name, default, environ_=environ_)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(f"{name}: unknown time zone {value!r}.") from None
    return value


def get_database(
    name: str, default: str, *, environ_: Mapping[str, str] | None = None
) -> dict[str, Any]:
    value = get_str(name, default, environ_=environ_)
    try:
        config = environ.Env.db_url_config(value)
    except (ImproperlyConfigured, ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"{name}: cannot parse database URL: {exc}") from None
    engine = config.get("ENGINE", "")
    if engine not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
        raise ImproperlyConfigured(
            f"{name}: only sqlite:// and postgres:// URLs are supported, got {value!r}."
        )
    if engine.endswith("postgresql") and not config.get("NAME"):
        raise ImproperlyConfigured(f"{name}: the PostgreSQL URL names no database: {value!r}.")
    return config


def get_broker_url(name: str, default: str, *, environ_: Mapping[str, str] | None = None) -> str:
    value = get_str(name, default, environ_=environ_)
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if scheme not in ("filesystem", "redis", "rediss", "amqp", "memory"):
        raise ImproperlyConfigured(
            f"{name}: expected a filesystem://, redis:// or amqp:// URL, got {value!r}."
        )
    return value
