"""Import structure of the package: no cycles, no use of another namespace's private names.

Imports are read from the source with ``ast`` (module level and inside functions
alike), so a cycle hidden in a function body is found too. Top-level private
modules (``toolkit/_checks.py``, ``toolkit/_docs.py``, ``toolkit/_engines.py`` …) are
shared ground every namespace may use; inside a namespace (``toolkit.stats``) a
module may use its siblings' private names, never another namespace's.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parents[1] / "toolkit"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _namespace(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _imports() -> tuple[nx.DiGraph, list[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    private = []
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                pairs = [(alias.name, None) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join(up + ([base] if base else []))
                pairs = [(base, alias.name) for alias in node.names]
            else:
                continue
            for target, imported in pairs:
                if not target.startswith("toolkit"):
                    continue
                full = f"{target}.{imported}" if imported and f"{target}.{imported}" in modules \
                    else target
                if full in modules and full != name and full != "toolkit":
                    graph.add_edge(name, full)
                shared = _namespace(target) in ("",) or _namespace(target).startswith("_")
                if shared or _namespace(target) == _namespace(name):
                    continue
                private_module = any(p.startswith("_") and not p.startswith("__")
                                     for p in target.split(".")[2:])
                private_name = bool(imported) and imported.startswith("_") \
                    and not imported.startswith("__")
                if private_module or private_name:
                    private.append(f"{name}: from {target} import {imported}")
    return graph, private


GRAPH, PRIVATE = _imports()


def test_no_import_cycles():
    cycles = [sorted(c) for c in nx.strongly_connected_components(GRAPH) if len(c) > 1]
    assert not cycles, f"import cycles: {cycles}"


def test_no_private_imports_across_namespaces():
    assert not PRIVATE, "private names imported across namespaces:\n" + "\n".join(PRIVATE)


def test_the_walk_sees_the_package():
    # the checks above are only meaningful if the walk found the modules and their imports
    assert GRAPH.number_of_nodes() > 50
    assert GRAPH.has_edge("toolkit.stats.design", "toolkit.errors")
