"""The integration's modules import each other without a cycle.

A cycle (even one only type checkers follow) means two modules each need
the other to be understood; issue 12 broke the last ones, and this keeps
them broken.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.import_cycles import find_cycle

PACKAGE = Path(__file__).parent.parent / "custom_components" / "porchlight"


def _graph() -> dict[str, set[str]]:
    modules = {path.stem for path in PACKAGE.glob("*.py")}
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.glob("*.py"):
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    deps.add(node.module.split(".")[0])
                else:
                    deps.update(alias.name for alias in node.names)
        graph[path.stem] = (deps & modules) - {path.stem}
    return graph


def test_the_checker_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_in_the_integration() -> None:
    graph = _graph()
    assert "api" in graph
    assert "models" in graph
    assert find_cycle(graph) is None
