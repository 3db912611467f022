"""The runtime set (requirements.txt) is all `make run` installs: the app must never import a
package that only requirements-dev.txt brings."""

import ast
import re
import sys
from importlib.metadata import PackageNotFoundError, packages_distributions, requires
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
# Code that only development and test runs load.
DEV_ONLY = {"tests", "bench", ".ci", ".venv", "conftest.py"}


def _requirements(path: Path) -> list[Requirement]:
    lines = (re.sub(r"\s+#.*", "", line).strip() for line in path.read_text().splitlines())
    return [Requirement(line) for line in lines if line and not line.startswith(("#", "-"))]


def _installed_closure(roots: list[Requirement]) -> set[str]:
    """The distributions pip installs for these requirements: them, their extras, and what they need."""
    seen: set[str] = set()
    queue = [(canonicalize_name(req.name), set(req.extras)) for req in roots]
    while queue:
        name, extras = queue.pop()
        key = name + "[" + ",".join(sorted(extras)) + "]"
        if key in seen:
            continue
        seen.add(key)
        try:
            needs = requires(name) or []
        except PackageNotFoundError:
            continue
        for line in needs:
            req = Requirement(line)
            environments = [{"extra": extra} for extra in extras] or [{"extra": ""}]
            if req.marker is None or any(req.marker.evaluate(env) for env in environments):
                queue.append((canonicalize_name(req.name), set(req.extras)))
    return {key.split("[")[0] for key in seen}


def _runtime_modules() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("*.py")
        if not DEV_ONLY.intersection(path.relative_to(ROOT).parts) and not path.name.startswith("test_")
    ]


def _imported_top_levels(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_runtime_code_imports_only_what_requirements_txt_installs():
    runtime = _installed_closure(_requirements(ROOT / "requirements.txt"))
    distributions = packages_distributions()
    local = {path.name for path in ROOT.iterdir()} | {path.stem for path in ROOT.glob("*.py")}
    outside: dict[str, list[str]] = {}
    for path in _runtime_modules():
        for module in _imported_top_levels(path) - set(sys.stdlib_module_names) - local:
            providers = {canonicalize_name(dist) for dist in distributions.get(module, [module])}
            if not providers & runtime:
                outside.setdefault(module, []).append(str(path.relative_to(ROOT)))
    assert outside == {}, f"imported at runtime but not installed by requirements.txt: {outside}"


def test_dev_requirements_add_tools_without_repeating_the_runtime_set():
    dev_file = (ROOT / "requirements-dev.txt").read_text()
    runtime = {canonicalize_name(req.name) for req in _requirements(ROOT / "requirements.txt")}
    dev = {canonicalize_name(req.name) for req in _requirements(ROOT / "requirements-dev.txt")}
    assert "-r requirements.txt" in dev_file.splitlines()
    assert {"pytest", "playwright", "schemathesis", "ruff"} <= dev
    assert not runtime & dev, f"in both files: {runtime & dev}"
    assert not {"pytest", "playwright", "schemathesis", "ruff", "factory-boy"} & _installed_closure(
        _requirements(ROOT / "requirements.txt")
    )
