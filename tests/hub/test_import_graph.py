"""The hub's modules import each other without a cycle, and stay small.

A cycle (even one only type checkers follow) means two modules each need the
other to be understood. The hub grew two faces (the portal and the public
pages) in issue 14; this keeps their rooms apart from the API's and from each
other, and keeps the integration from ever depending on the hub.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.import_cycles import find_cycle

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "hub" / "porchlight_hub"
INTEGRATION = ROOT / "custom_components" / "porchlight"
# "About 400 lines": a module past this has more than one job.
MAX_LINES = 420


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package_of(path: Path, name: str) -> list[str]:
    """The package a module's relative imports start from."""
    return name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]


def _targets(path: Path, name: str, modules: set[str]) -> set[str]:
    """The hub modules one module imports, by dotted name."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _package_of(path, name)[
                    : len(_package_of(path, name)) - node.level + 1
                ]
                stem = ".".join([*base, *([node.module] if node.module else [])])
            else:
                stem = node.module or ""
            for alias in node.names:
                sub = f"{stem}.{alias.name}"
                found.add(sub if sub in modules else stem)
    return (found & modules) - {name}


def graph() -> dict[str, set[str]]:
    """Module -> the hub modules it imports."""
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(paths)
    return {name: _targets(path, name, modules) for name, path in paths.items()}


def test_the_checker_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_relative_imports_resolve_across_packages() -> None:
    edges = graph()
    assert "porchlight_hub.db" in edges["porchlight_hub.api.agency"]
    assert "porchlight_hub.api.alerts" in edges["porchlight_hub.api.agency"]
    assert "porchlight_hub.demo.activity" in edges["porchlight_hub.demo"]
    assert "porchlight_hub.api.agency" in edges["porchlight_hub.app"]


def test_no_import_cycle_in_the_hub() -> None:
    edges = graph()
    assert {"porchlight_hub.api", "porchlight_hub.web", "porchlight_hub.demo"} <= set(
        edges
    )
    assert find_cycle(edges) is None


def test_the_api_and_the_web_faces_do_not_reach_into_the_app() -> None:
    """Routes are assembled by app.py; a route module importing it is upside down."""
    for name, deps in graph().items():
        if name.startswith(("porchlight_hub.api", "porchlight_hub.web")):
            assert "porchlight_hub.app" not in deps, name
            assert not any(d.startswith("porchlight_hub.demo") for d in deps), name


def test_no_module_is_too_long() -> None:
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_integration_never_imports_the_hub() -> None:
    """Home Assistant installs the integration alone; the hub is another program."""
    offenders = []
    for path in INTEGRATION.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            offenders += [
                f"{path.name}: {n}"
                for n in names
                if n.split(".")[0] == "porchlight_hub"
            ]
    assert offenders == []
