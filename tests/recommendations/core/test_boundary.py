"""The core must stay free of Django and of the project's apps.

Every module under recommendations/core/ is found on disk, so a new one is covered the day
it is added: its source may import only the standard library, numpy, scipy, Surprise and
the core itself, and a fresh interpreter in which Django cannot be imported imports it.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CORE = ROOT / "recommendations" / "core"
CORE_PACKAGE = "recommendations.core"
THIRD_PARTY = {"numpy", "scipy", "surprise"}
# The project's own top-level packages (accounts, catalog, config, recommendations...).
PROJECT = sorted(path.parent.name for path in ROOT.glob("*/__init__.py"))


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    _module_name(path): path
    for path in sorted(CORE.rglob("*.py"))
    if "__pycache__" not in path.parts
}


def _in_core(name: str) -> bool:
    return name == CORE_PACKAGE or name.startswith(CORE_PACKAGE + ".")


def _allowed(name: str) -> bool:
    top = name.partition(".")[0]
    return top in sys.stdlib_module_names or top in THIRD_PARTY or _in_core(name)


def _imported_names(module: str, path: Path) -> list[str]:
    """Every module the source names in an import, a relative one made absolute, lazy
    imports inside functions and `importlib.import_module("...")` included."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0]
                names.append(f"{base}.{node.module}" if node.module else base)
            else:
                names.append(node.module or "")
        elif (
            isinstance(node, ast.Call)
            and (
                (isinstance(node.func, ast.Name) and node.func.id == "__import__")
                or (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
            )
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.append(node.args[0].value)
    return names


def test_every_core_module_is_found() -> None:
    # Guards the discovery itself: a wrong path would make the checks below vacuous.
    assert {CORE_PACKAGE, f"{CORE_PACKAGE}.train", f"{CORE_PACKAGE}.evaluate"} <= MODULES.keys()
    assert {"accounts", "catalog", "recommendations"} <= set(PROJECT)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_core_module_imports_only_the_standard_library_numpy_scipy_and_surprise(
    module: str,
) -> None:
    names = _imported_names(module, MODULES[module])
    assert not [n for n in names if n.partition(".")[0] == "django"], f"{module} imports Django"
    project = [n for n in names if n.partition(".")[0] in PROJECT and not _in_core(n)]
    assert not project, f"{module} imports the project's apps: {project}"
    assert [n for n in names if not _allowed(n)] == []


# A finder first on sys.meta_path refuses Django and the project's packages outside the
# core, and notes every attempt, also one a module would catch and carry on from.
SCRIPT = """
import importlib, importlib.abc, json, sys

CORE, PROJECT, modules = sys.argv[1], set(sys.argv[2].split(",")), sys.argv[3:]
PARENT = CORE.rpartition(".")[0]  # its __init__ runs before the core's
attempts = []

class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        in_core = name in (PARENT, CORE) or name.startswith(CORE + ".")
        if top == "django" or (top in PROJECT and not in_core):
            attempts.append(name)
            raise ModuleNotFoundError(f"No module named {name!r} (blocked)", name=name)
        return None

sys.meta_path.insert(0, Blocker())
failures = {}
for module in modules:
    try:
        importlib.import_module(module)
    except Exception as exc:
        failures[module] = f"{type(exc).__name__}: {exc}"
loaded = sorted(m for m in sys.modules if m.partition(".")[0] == "django")
print(json.dumps({"failures": failures, "attempts": attempts, "django": loaded}))
"""


def test_each_core_module_imports_where_django_cannot_be_imported() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, CORE_PACKAGE, ",".join(PROJECT), *sorted(MODULES)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report == {"failures": {}, "attempts": [], "django": []}
