"""The core must stay free of Django: it imports with no settings at all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = """
import sys
import recommendations.core
from recommendations.core import (
    artifact, evaluate, fold_in, score, signals, similar, train,
)
assert "django" not in sys.modules, sorted(m for m in sys.modules if m.startswith("django"))
print("ok")
"""


def test_it_imports_without_django_settings() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_no_module_mentions_django() -> None:
    core = ROOT / "recommendations" / "core"
    for path in core.glob("*.py"):
        source = path.read_text()
        assert "import django" not in source, path.name
        assert "from django" not in source, path.name
