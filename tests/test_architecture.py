"""Architecture: the import contracts of pyproject.toml hold, and no import hides inside a function.

Arrows point one way (../shared/DESIGN.md): ``grids``, ``partners``, ``mediation`` and
``governance.consultation`` → the governance core; ``mediation`` → ``grids``; the core imports no
domain app; no circle inside an app; services never import tasks. ``lint-imports`` checks the
contracts one by one; the AST walk below catches the usual way a circle is dodged, an ``import``
inside a function body.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
APPS = ("governance", "grids", "partners", "mediation")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

CONTRACTS = [
    "core-imports-no-domain-app",
    "grids-imports-core-only",
    "partners-imports-core-only",
    "mediation-imports-core-and-grids",
    "services-never-import-tasks",
    "no-circle-inside-an-app",
]


def lint_imports(*args: str) -> subprocess.CompletedProcess:
    assert LINT_IMPORTS.exists(), f"{LINT_IMPORTS} is missing: pip install -e '.[dev]'"
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", *args],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("contract", CONTRACTS)
def test_import_contract_holds(contract):
    result = lint_imports("--contract", contract)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "1 kept, 0 broken" in result.stdout


def test_every_contract_in_pyproject_is_checked_here():
    listed = {c if isinstance(c, str) else c.values[0] for c in CONTRACTS}
    declared = set()
    for line in (BASE_DIR / "pyproject.toml").read_text(encoding="utf-8").splitlines():
        if line.startswith("id = "):
            declared.add(line.split("=", 1)[1].strip().strip('"'))
    assert declared == listed


def test_all_import_contracts_hold():
    result = lint_imports()
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


# --- No import inside a function ---------------------------------------------------------------

# The modules where an import inside a function would hide a circle: services, selectors,
# policies, tasks, the workflow kit.
GUARDED_NAMES = {"services", "selectors", "policies", "tasks", "workflow", "policy"}


def guarded_modules() -> list[Path]:
    found = []
    for app in APPS:
        for path in sorted((BASE_DIR / app).rglob("*.py")):
            relative = path.relative_to(BASE_DIR)
            if "migrations" in relative.parts or "tests" in relative.parts:
                continue
            if path.stem in GUARDED_NAMES or any(part in GUARDED_NAMES for part in relative.parts[:-1]):
                found.append(path)
    return found


def imports_inside_functions(path: Path, root: Path = BASE_DIR) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    offenders = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            name = function
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                name = getattr(child, "name", "<lambda>")
            elif isinstance(child, ast.Import | ast.ImportFrom) and function is not None:
                if isinstance(child, ast.ImportFrom):
                    what = ", ".join(f"{child.module}.{alias.name}" for alias in child.names)
                else:
                    what = ", ".join(alias.name for alias in child.names)
                offenders.append(f"{path.relative_to(root)}:{child.lineno} {function}() imports {what}")
            visit(child, name)

    visit(tree, None)
    return offenders


def test_the_walk_finds_the_guarded_modules():
    names = {str(p.relative_to(BASE_DIR)) for p in guarded_modules()}
    assert {"governance/services/audit.py", "governance/tasks.py", "grids/tasks.py"} <= names
    assert {"grids/services/events.py", "grids/services/escalation.py", "governance/selectors.py"} <= names
    assert "grids/selectors.py" in names
    assert not any("migrations" in n for n in names)


def test_the_walk_sees_an_import_inside_a_function_and_nothing_else(tmp_path):
    probe = tmp_path / "services.py"
    probe.write_text(
        "import os\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from grids.models import Event\n\n\n"
        "def f():\n    from grids import tasks\n\n    return tasks, os\n\n\n"
        "class C:\n    async def g(self):\n        import json\n\n        return json\n"
    )
    assert imports_inside_functions(probe, root=tmp_path) == [
        "services.py:9 f() imports grids.tasks",
        "services.py:16 g() imports json",
    ]


def test_no_import_inside_a_function_in_services_selectors_policies_or_tasks():
    offenders = [o for path in guarded_modules() for o in imports_inside_functions(path)]
    assert offenders == []


# A module that passes about 400 lines becomes a package by job (../shared/STYLE.md §1); the
# settings are one file on purpose. 450 leaves room for "about".
LONGEST = 450
ONE_FILE_ON_PURPOSE = {"governance/settings.py"}


def app_modules() -> list[Path]:
    """Every module of the four apps, migrations left out."""
    return [path for app in APPS for path in sorted((BASE_DIR / app).rglob("*.py")) if "migrations" not in path.parts]


def test_no_app_module_is_past_about_400_lines():
    long = {
        str(path.relative_to(BASE_DIR)): n
        for path in app_modules()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > LONGEST
    }
    assert {name: n for name, n in long.items() if name not in ONE_FILE_ON_PURPOSE} == {}
