"""Conventions every public function keeps (see the style guide).

- the first parameter names the data: ``data``, ``study``, ``G``, ``path`` …;
- at most two positional parameters, the rest keyword-only;
- no ``show`` or ``save`` parameters;
- plot functions accept ``ax`` and return Axes (annotated, and what their Examples draw);
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
    "name", "folder", "value", "values", "text", "texts", "title", "lang",
}


def _exported(kind):
    """(namespace, name, object) of every name in the namespaces' ``__all__`` that is `kind`."""
    for ns in NAMESPACES:
        module = importlib.import_module(ns)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if kind(obj):
                yield ns, name, obj


def _public_callables():
    for ns, name, obj in _exported(inspect.isfunction):
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


PLOT_FUNCTIONS = [name for name in importlib.import_module("toolkit.plot").__all__
                  if inspect.isfunction(getattr(importlib.import_module("toolkit.plot"), name))
                  and name != "style"]


@pytest.mark.parametrize("name", PLOT_FUNCTIONS)
def test_plot_functions_return_axes(name, monkeypatch):
    """Annotated ``-> Axes``, and what its Examples draw is a matplotlib Axes."""
    import doctest
    import typing

    import matplotlib.pyplot as plt
    import networkx as nx
    import numpy as np
    import pandas as pd
    from matplotlib.axes import Axes

    import toolkit as tk

    func = getattr(tk.plot, name)
    assert typing.get_type_hints(func).get("return") is Axes, (
        f"tk.plot.{name} is not annotated `-> Axes`")
    returned = []

    def recording(*args, **kwargs):
        out = func(*args, **kwargs)
        returned.append(out)
        return out

    monkeypatch.setattr(tk.plot, name, recording)
    globs = {"tk": tk, "pd": pd, "np": np, "nx": nx}
    test = doctest.DocTestParser().get_doctest(inspect.getdoc(func), globs, name, None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test, out=lambda _: None)
    plt.close("all")
    assert returned, f"the Examples of tk.plot.{name} do not call it as tk.plot.{name}"
    wrong = [type(r).__name__ for r in returned if not isinstance(r, Axes)]
    assert not wrong, f"tk.plot.{name} returned {wrong}, not matplotlib Axes"


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


# ---------------------------------------------------------------------------
# one word per role (toolkit/_docs.py), methods and classes as well as functions
# ---------------------------------------------------------------------------

def _short(ns: str) -> str:
    return "tk." + ns.split(".", 1)[1]


def _public_classes():
    for ns, name, obj in _exported(inspect.isclass):
        yield f"{_short(ns)}.{name}", obj


def _toolkit_modules():
    import pkgutil

    import toolkit

    for info in pkgutil.walk_packages(toolkit.__path__, "toolkit."):
        if info.name.endswith("__main__") or info.name == "toolkit.cli":
            continue  # running them does something
        yield importlib.import_module(info.name)


RESULT_METHODS = ("summary", "to_frame", "_repr_html_")

#: Classes that show themselves in a notebook but are not results of an analysis;
#: the result-object rule (summary, to_frame, _repr_html_) does not apply.
NOT_RESULTS = {
    "toolkit._summary.Summary": "the summary itself (its to_frame is the table)",
    "toolkit.study.Study": "a container of tables; its tables are the frames",
    "toolkit.stats.design.Design": "a survey design; its estimates are the results",
    "toolkit.stats.design.ReplicateDesign": "a survey design with replicate weights; its "
                                            "estimates are the results",
    "toolkit.report.document.Report": "a document being assembled",
    "toolkit.report.table.Table": "a formatted table; to_frame gives its cells",
    "toolkit.text.coding.Codebook": "a coding dictionary, an input; to_frame lists it",
    "toolkit.io.polis.PolisConversation": "tables read from a Polis export; `summary` is "
                                          "Polis's own summary.csv",
}


def _result_classes():
    seen = set()
    for module in _toolkit_modules():
        for name, obj in vars(module).items():
            if (not inspect.isclass(obj) or name.startswith("_") or obj in seen
                    or obj.__module__ != module.__name__):
                continue
            seen.add(obj)
            if any(m in vars(obj) or hasattr(obj, m) for m in RESULT_METHODS):
                qual = f"{obj.__module__}.{obj.__qualname__}"
                if qual not in NOT_RESULTS:
                    yield qual, obj


RESULTS = list(_result_classes())
RESULT_CLASSES = {c for _, c in RESULTS}


def _methods(qualname, cls):
    """Public methods of a class, and the constructor of one users build themselves (a
    result is built by the function returning it; a dataclass's is written by dataclasses)."""
    import dataclasses

    written = dataclasses.is_dataclass(cls) and cls.__dataclass_params__.init
    if "__init__" in vars(cls) and not written and cls not in RESULT_CLASSES:
        yield qualname, cls
    for name, member in vars(cls).items():
        if name.startswith("_"):
            continue
        func = member.__func__ if isinstance(member, (classmethod, staticmethod)) else member
        if inspect.isfunction(func):
            yield f"{qualname}.{name}", func


def _signatures():
    for qualname, func in PUBLIC:
        module, name = qualname.rsplit(".", 1)
        yield f"{_short(module)}.{name}", func
    classes = dict(_public_classes())
    exported = set(classes.values())
    classes.update({q: c for q, c in RESULTS if c not in exported})
    for qualname, cls in classes.items():
        yield from _methods(qualname, cls)


SIGNATURES = list(_signatures())


def _parameters(func):
    return [p for p in inspect.signature(func).parameters.values()
            if p.name not in {"self", "cls"}]


@pytest.mark.parametrize(("qualname", "func"), SIGNATURES, ids=[q for q, _ in SIGNATURES])
def test_role_words(qualname, func):
    """Each role has one spelling (toolkit._docs.ROLES); old ones only through renamed()."""
    from toolkit._docs import OLD_SPELLINGS, ROLE_EXCEPTIONS

    params = {p.name: p for p in _parameters(func)}
    old = [n for n in params if n in OLD_SPELLINGS and (qualname, n) not in ROLE_EXCEPTIONS]
    assert not old, (f"{qualname} spells {old}; the role words are "
                     f"{[OLD_SPELLINGS[n] for n in old]} (keep the old one with "
                     "toolkit._docs.renamed)")
    if "weight" in params and (qualname, "weight") not in ROLE_EXCEPTIONS:
        assert qualname.startswith(("tk.net.", "tk.plot.network", "toolkit.net.")), (
            f"{qualname} has `weight=`: row weights are `weights=`; `weight=` is an "
            "edge attribute, in tk.net only")
    if "level" in params and (qualname, "level") not in ROLE_EXCEPTIONS:
        default = params["level"].default
        message = (f"{qualname}: `level=` is a confidence level (a float such as 0.95), "
                   f"here its default is {default!r}")
        assert isinstance(default, float), message
        assert 0 < default < 1, message


#: Role words whose documented type is the one of toolkit._docs.PARAMS everywhere.
DOCUMENTED_ROLES = ("weights", "level", "lang", "ax")


@pytest.mark.parametrize(("qualname", "func"), SIGNATURES, ids=[q for q, _ in SIGNATURES])
def test_role_words_documented_from_docs(qualname, func):
    """Docstrings are filled from toolkit._docs (no ``{lang}`` left over) and document a
    role word with its type there: ``lang : {"zh", "en"}``, ``level : float`` …"""
    import re

    from toolkit._docs import PARAMS, ROLE_EXCEPTIONS

    doc = inspect.getdoc(func) or ""
    left = [f"{{{key}}}" for key in PARAMS if re.search(rf"^\s*{{{key}}}$", doc, re.M)]
    assert not left, f"{qualname}: {left} not filled in (decorate it with toolkit._docs.doc)"
    params = {p.name for p in _parameters(func)}
    for role in DOCUMENTED_ROLES:
        if role not in params or (qualname, role) in ROLE_EXCEPTIONS:
            continue
        line = re.search(rf"^{role} : (.*)$", doc, re.M)
        if line is None:
            continue
        want = PARAMS[role][0].split(" : ", 1)[1].split(", default")[0].removesuffix(
            ", optional")
        assert line.group(1).startswith(want), (
            f"{qualname} documents `{role} : {line.group(1)}`; the role is "
            f"`{PARAMS[role][0]}` (toolkit._docs.PARAMS)")


@pytest.mark.parametrize(("qualname", "func"), SIGNATURES, ids=[q for q, _ in SIGNATURES])
def test_methods_take_at_most_two_positional(qualname, func):
    positional = [p.name for p in _parameters(func)
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    assert len(positional) <= 2, f"{qualname} takes {positional} positionally"


def test_role_exceptions_and_renamed_are_current():
    """Every exception names a real parameter; every renamed() keyword is gone from its
    signature and its new spelling is there."""
    from toolkit._docs import RENAMED, ROLE_EXCEPTIONS

    params = {q: {p.name for p in _parameters(f)} for q, f in SIGNATURES}
    stale = [key for key in ROLE_EXCEPTIONS if key[1] not in params.get(key[0], ())]
    assert not stale, f"ROLE_EXCEPTIONS lists parameters that do not exist: {stale}"
    assert RENAMED, "nothing is wrapped by toolkit._docs.renamed"
    for wrapper in RENAMED:
        names = {p.name for p in _parameters(wrapper)}
        for old, new in wrapper.__renamed__.items():
            assert new in names, (wrapper.__qualname__, new)
            assert old not in names, (wrapper.__qualname__, old)


@pytest.mark.parametrize(("qualname", "func"), PUBLIC, ids=[q for q, _ in PUBLIC])
def test_docstring_sections(qualname, func):
    """numpydoc: Parameters (when there are any), Returns, Examples, in that order."""
    doc = "\n" + (inspect.getdoc(func) or "") + "\n"
    wanted = (["Parameters"] if _parameters(func) else []) + ["Returns", "Examples"]
    where = [doc.find(f"\n{s}\n{'-' * len(s)}\n") for s in wanted]
    missing = [s for s, i in zip(wanted, where, strict=True) if i < 0]
    assert not missing, f"{qualname} has no {missing} section"
    assert where == sorted(where), f"{qualname}: sections out of numpydoc order {wanted}"


@pytest.mark.parametrize(("qualname", "cls"), RESULTS, ids=[q for q, _ in RESULTS])
def test_result_objects(qualname, cls):
    """Every result offers summary() -> Summary, to_frame() and _repr_html_."""
    missing = [m for m in RESULT_METHODS if not callable(getattr(cls, m, None))]
    assert not missing, f"{qualname} has no {missing}"
    returns = inspect.signature(cls.summary).return_annotation
    assert returns in ("Summary", "toolkit._summary.Summary") or getattr(
        returns, "__qualname__", None) == "Summary", (
        f"{qualname}.summary() is annotated {returns!r}: every summary() returns "
        "toolkit._summary.Summary")


# ---------------------------------------------------------------------------
# large data: the functions of toolkit._checks.LARGE_DATA_FUNCTIONS accept a lazy
# table; every other public function given one says so, in one message
# ---------------------------------------------------------------------------

#: Public functions whose first parameter is not a table, so a lazy table is just a
#: wrong type for them (they say so in their own words).
NOT_TABLES = {
    "tk.io.detect_encoding": "takes the bytes of a file",
    "tk.evaluate.ahp": "takes a pairwise comparison matrix",
    "tk.stats.ordinal_agreement": "takes the answers to one item (a Series or a list)",
    "tk.evaluate.indicator_record": "takes the output of tk.evaluate.indicators",
    "tk.evaluate.uncertainty": "takes an Evaluation",
    "tk.evaluate.IndexSystem": "takes an index system (YAML, dict, list or DataFrame)",
    "tk.io.load_record": "takes a frame read by tk.io (its load record)",
    "tk.plot.coefficients": "takes a model result",
    "tk.plot.correlations": "takes an Evaluation, a DataCheck or a correlation matrix",
    "tk.plot.profile": "takes an Evaluation",
    "tk.plot.ranks": "takes an Evaluation",
    "tk.text.duplicate_groups": "takes the pairs of tk.text.near_duplicates",
    "tk.report.describe_table": "takes the output of tk.stats.describe",
    "tk.report.crosstab_table": "takes the output of Design.crosstab",
}


def _takes_data():
    from toolkit._checks import LARGE_DATA_FUNCTIONS

    for qualname, func in PUBLIC:
        module, name = qualname.rsplit(".", 1)
        short = f"{_short(module)}.{name}"
        params = list(inspect.signature(func).parameters.values())
        if (short in LARGE_DATA_FUNCTIONS or short in NOT_TABLES or not params
                or params[0].name not in {"data", "study"}):
            continue
        yield short, func
    for short, cls in _public_classes():
        params = list(inspect.signature(cls).parameters.values())
        if (short not in LARGE_DATA_FUNCTIONS and short not in NOT_TABLES and params
                and params[0].name in {"data", "study"}):
            yield short, cls


TAKES_DATA = list(_takes_data())


@pytest.fixture(scope="module")
def lazy_table(tmp_path_factory):
    import pandas as pd

    import toolkit as tk

    path = tmp_path_factory.mktemp("lazy") / "t.csv"
    pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}).to_csv(path, index=False)
    return tk.io.scan(path)


@pytest.mark.parametrize(("qualname", "func"), TAKES_DATA, ids=[q for q, _ in TAKES_DATA])
def test_lazy_table_refused_in_one_message(qualname, func, lazy_table):
    """`toolkit._checks.refuse_large`'s message, before any other check of the arguments."""
    from toolkit.errors import ArgumentTypeError

    params = list(inspect.signature(func).parameters.values())[1:]
    needed = {p.name: "a" for p in params
              if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
    with pytest.raises(ArgumentTypeError, match=r"needs the data in memory .* Functions that "
                                                r"accept large data: tk\.stats\.Design"):
        func(lazy_table, **needed)
