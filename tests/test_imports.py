"""No import cycle in the package, lazy (function-level) imports included."""

from __future__ import annotations

import ast
import graphlib

from tests.conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "swe_srl"


def _module(path) -> str:
    name = ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts)
    return name.removesuffix(".__init__")


def import_graph() -> dict[str, set[str]]:
    """Each module of swe_srl -> the swe_srl modules it imports anywhere in its body."""
    paths = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in paths.items():
        deps = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("swe_srl"):
                deps |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in paths else node.module for a in node.names}
            elif isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name in paths}
        graph[name] = {d for d in deps if d in paths and d != name}
    return graph


def test_the_package_has_no_import_cycle():
    graph = import_graph()
    assert graph["swe_srl.sandbox.docker"] >= {"swe_srl.sandbox.engine", "swe_srl.sandbox.images"}  # the graph is read
    graphlib.TopologicalSorter(graph).prepare()  # raises CycleError naming the cycle

