"""The benchmarks' scratch PostgreSQL databases: on 127.0.0.1, user postgres (trust auth)."""

from __future__ import annotations

import subprocess

HOST = "127.0.0.1"
USER = "postgres"


def pg(*args: str) -> None:
    """Run a PostgreSQL client program (`createdb`, `dropdb`, ...) against the server."""
    subprocess.run([*args, "-h", HOST, "-U", USER], check=True)


def database_exists(name: str) -> bool:
    found = subprocess.run(
        ["psql", "-h", HOST, "-U", USER, "-Atc", "SELECT datname FROM pg_database"],
        check=True,
        capture_output=True,
        text=True,
    )
    return name in found.stdout.split()


def database_url(name: str) -> str:
    return f"postgres://{USER}@{HOST}:5432/{name}"
