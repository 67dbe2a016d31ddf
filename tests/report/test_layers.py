"""report and plot do their own job: no cycles, no other namespace's private names, no statistics.

Read from the source with ``ast`` (imports at module level and inside functions alike).
"""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

import pytest

import toolkit as tk

ROOT = Path(tk.__file__).resolve().parent


def _imports(path: Path) -> list[tuple[str, str | None]]:
    """(module, name) of every import in a file, relative imports resolved."""
    package = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts[:-1])
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, None) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*up, *([base] if base else [])])
            out += [(base, a.name) for a in node.names]
    return out


def _modules(namespace: str) -> dict[str, Path]:
    files = sorted((ROOT / namespace).rglob("*.py"))
    return {".".join(p.relative_to(ROOT.parent).with_suffix("").parts).removesuffix(".__init__"): p
            for p in files}


@pytest.mark.parametrize("namespace", ["report", "plot"])
def test_no_import_cycle_and_no_private_import_of_another_namespace(namespace):
    mods = _modules(namespace)
    graph = {m: set() for m in mods}
    private = []
    for m, path in mods.items():
        for target, name in _imports(path):
            full = f"{target}.{name}" if name and f"{target}.{name}" in mods else target
            if full in mods and full != m:
                graph[m].add(full)
            parts = target.split(".")
            if parts[0] != "toolkit" or len(parts) < 2 or parts[1].startswith("_"):
                continue  # outside the toolkit, or shared ground (toolkit._checks …)
            if parts[1] != namespace and (
                    any(p.startswith("_") for p in parts[2:])
                    or (name or "").startswith("_")):
                private.append(f"{m}: from {target} import {name}")
    assert private == []

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph[start]:
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    assert [m for m in graph if reaches(m, m, {m})] == []


def test_report_computes_no_statistics():
    # the report formats tk.stats results: no statistical library is imported there
    found = [f"{m}: {target}" for m, path in _modules("report").items()
             for target, _ in _imports(path)
             if target.split(".")[0] in {"scipy", "statsmodels"}]
    assert found == []


def test_moved_plot_helpers_warn_and_point_to_their_owner():
    with pytest.warns(FutureWarning, match=r"tk\.schema\.term_label"):
        old = tk.plot.term_label
    assert old is tk.schema.term_label
    with pytest.warns(FutureWarning, match=r"stats\.results\.coefficient_frames"):
        old = tk.plot.coefficient_frames
    from toolkit.stats.results import coefficient_frames

    assert old is coefficient_frames
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tk.plot.coverage is not None  # other names do not warn
