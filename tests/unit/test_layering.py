"""The layering of ARCHITECTURE §3, read from the source: dependencies point one way
(``adology_assets``, ``sensors`` → ``resources`` → ``adology``; ``workers`` → ``adology``), the core
imports no framework, the Pipes workloads in ``workers`` no Dagster but ``dagster_pipes``, and
no product package reaches the equipment (``simulators``, ``bench``), neither by an import nor by
naming one of its modules for a subprocess (``python -m ...``) or a dynamic import."""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EQUIPMENT = {"simulators", "bench"}
DAGSTER_LAYER = {"adology_assets", "sensors", "api"}
# what each product package may not reach, beyond the equipment
FORBIDDEN = {
    "adology": DAGSTER_LAYER | {"resources", "workers"},
    "resources": DAGSTER_LAYER,
    "adology_assets": {"api"},
    "sensors": {"api"},
    "workers": DAGSTER_LAYER | {"resources"},  # Pipes workloads: the core and dagster_pipes only
}
CORE_FRAMEWORKS = re.compile(r"^(dagster.*|fastapi|starlette|uvicorn)$")


def imported_modules(source: str) -> set[str]:
    """The modules a source imports by name (relative imports stay inside their package)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def referenced_modules(source: str) -> set[str]:
    """Every module a source reaches: its imports, the module after ``-m`` in a literal command
    line, dynamic imports of a literal name, and any literal that spells a dotted module path."""
    found = imported_modules(source)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [item.value if isinstance(item, ast.Constant) else None for item in node.elts]
            found.update(str(after) for flag, after in itertools.pairwise(items) if flag == "-m" and after)
        elif (
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) in {"import_module", "__import__"}
        ):
            found.add(node.args[0].value)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and re.fullmatch(r"[a-z_]+(\.[a-z_][a-z0-9_]*)+", node.value)
        ):
            found.add(node.value)
    return found


def _roots(modules: set[str]) -> set[str]:
    return {module.split(".")[0] for module in modules}


def _package_roots(package: str, reached=referenced_modules) -> dict[Path, set[str]]:
    return {path: _roots(reached(path.read_text())) for path in sorted((ROOT / package).rglob("*.py"))}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_product_packages_reach_only_what_their_layer_may(package: str) -> None:
    if not (ROOT / package).is_dir():
        pytest.skip(f"{package}/ does not exist yet")
    forbidden = FORBIDDEN[package] | EQUIPMENT
    offenders = {
        str(path.relative_to(ROOT)): sorted(roots & forbidden)
        for path, roots in _package_roots(package).items()
        if roots & forbidden
    }
    assert not offenders, f"{package} reaches packages its layer may not: {offenders}"


def test_core_imports_no_framework() -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(filter(CORE_FRAMEWORKS.match, roots))
        for path, roots in _package_roots("adology", imported_modules).items()
        if any(map(CORE_FRAMEWORKS.match, roots))
    }
    assert not offenders, f"the core imports a framework: {offenders}"


def test_workers_speak_only_the_pipes_protocol_of_dagster() -> None:
    """A Pipes workload runs where Dagster is not installed (a Lambda function, a slim ECS image)."""
    offenders = {
        str(path.relative_to(ROOT)): sorted(root for root in roots if CORE_FRAMEWORKS.match(root))
        for path, roots in _package_roots("workers", imported_modules).items()
        if any(CORE_FRAMEWORKS.match(root) and root != "dagster_pipes" for root in roots)
    }
    assert not offenders, f"a worker imports a framework: {offenders}"


@pytest.mark.parametrize(
    ("source", "reached"),
    [
        ("import simulators.ad_sources", "simulators"),
        ("from bench.run import run_benchmark", "bench"),
        ("subprocess.run([sys.executable, '-m', 'adology_assets', 'x'])", "adology_assets"),
        ("command = (python, '-m', 'sensors')", "sensors"),
        ("importlib.import_module('api')", "api"),
        ("TARGET = 'simulators.ai_service'", "simulators"),
    ],
)
def test_the_guard_sees_every_way_of_reaching_a_module(source: str, reached: str) -> None:
    assert reached in _roots(referenced_modules(source))


def test_the_guard_ignores_prose_and_relative_imports() -> None:
    assert _roots(referenced_modules("'''See the api and bench docs.'''\nfrom . import sibling\nx = 'bench'")) == set()
