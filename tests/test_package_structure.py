"""Conventions every public function keeps (see the style guide).

- the first parameter names the data: ``data``, ``study``, ``G``, ``path`` …;
- at most two positional parameters, the rest keyword-only;
- no ``show`` or ``save`` parameters;
- plot functions accept ``ax`` and return Axes;
- every public function has a docstring with an Examples section.
"""

from __future__ import annotations

import importlib
import inspect
import time

import pytest

NAMESPACES = ["toolkit.io", "toolkit.datasets", "toolkit.net", "toolkit.stats", "toolkit.plot",
              "toolkit.report", "toolkit.evaluate", "toolkit.text"]

FIRST_PARAMETERS = {
    "data", "study", "G", "B", "path", "paths", "formula", "counts", "y", "results", "result",
    "name", "folder", "value", "values", "title", "lang",
}


def _public_callables():
    for ns in NAMESPACES:
        module = importlib.import_module(ns)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                yield f"{ns}.{name}", obj


PUBLIC = list(_public_callables())


def test_namespaces_export_something():
    counts = {ns: len(importlib.import_module(ns).__all__) for ns in NAMESPACES}
    assert all(n > 0 for n in counts.values()), counts


@pytest.mark.parametrize(("qualname", "func"), PUBLIC, ids=[q for q, _ in PUBLIC])
def test_signature_conventions(qualname, func):
    params = list(inspect.signature(func).parameters.values())
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    assert len(positional) <= 2, f"{qualname} takes {len(positional)} positional parameters"
    if params:
        assert params[0].name in FIRST_PARAMETERS, f"{qualname} starts with `{params[0].name}`"
    names = {p.name for p in params}
    assert not names & {"show", "save"}, f"{qualname} has a show/save parameter"


@pytest.mark.parametrize(("qualname", "func"), PUBLIC, ids=[q for q, _ in PUBLIC])
def test_docstring_has_examples(qualname, func):
    doc = inspect.getdoc(func) or ""
    assert "Examples\n--------" in doc, f"{qualname} has no Examples section"


def test_plot_functions_take_ax():
    plot = importlib.import_module("toolkit.plot")
    for name in plot.__all__:
        obj = getattr(plot, name)
        if inspect.isfunction(obj) and name not in {"style"}:
            params = inspect.signature(obj).parameters
            assert "ax" in params, f"tk.plot.{name} has no `ax` parameter"


def test_import_is_fast():
    """``import toolkit`` must not import pandas-heavy submodules eagerly."""
    import subprocess
    import sys

    code = ("import sys, time; t=time.perf_counter(); import toolkit; "
            "print(time.perf_counter()-t); "
            "print(any(m.startswith(('toolkit.net', 'toolkit.stats', 'toolkit.plot', "
            "'matplotlib', 'statsmodels', 'networkx')) for m in sys.modules))")
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert time.perf_counter() - start < 30
    assert out[1] == "False", "import toolkit pulled in heavy modules"
