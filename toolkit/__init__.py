"""Analysis of grassroots consultation (基层协商) data.

``import toolkit as tk`` is fast: the sub-namespaces are imported on first use.

- ``tk.io`` reads office files (Excel, CSV in any Chinese encoding, SPSS, Stata,
  Parquet) into canonical tables and records every change it makes;
- ``tk.Study`` / ``tk.read_study`` hold the tables of one study, its codebook and
  survey design; ``tk.validate`` reports every problem at once;
- ``tk.datasets`` loads the bundled data;
- ``tk.net`` builds stakeholder networks and returns measures as DataFrames;
- ``tk.stats`` estimates from surveys, sessions and submissions; it never draws;
- ``tk.evaluate`` builds index systems, weights and composite scores with rank
  intervals (member and unit evaluation, 履职评价);
- ``tk.text`` segments Chinese texts and finds keywords, codes, topics and repeats;
- ``tk.plot`` draws what the others return, with Chinese labels;
- ``tk.report`` assembles tables and figures into Word, HTML and Markdown.

Examples
--------
>>> import toolkit as tk
>>> tk.schema.label("platform", "微信群", lang="en")
'WeChat group'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from toolkit import errors, schema
from toolkit.errors import ColumnNotFoundError, DesignError, ToolkitError, ValidationError

if TYPE_CHECKING:  # pragma: no cover
    from toolkit import datasets, evaluate, io, net, plot, report, stats, text
    from toolkit.io import read_study, read_table, validate
    from toolkit.study import Study

__version__ = "0.1.0"

__all__ = [
    "ColumnNotFoundError",
    "DesignError",
    "Study",
    "ToolkitError",
    "ValidationError",
    "datasets",
    "errors",
    "evaluate",
    "io",
    "net",
    "plot",
    "read_study",
    "read_table",
    "report",
    "schema",
    "stats",
    "text",
    "validate",
]

_SUBMODULES = {"io", "datasets", "net", "stats", "evaluate", "plot", "report", "study",
               "text"}
_ATTRIBUTES = {
    "Study": ("toolkit.study", "Study"),
    "read_study": ("toolkit.io", "read_study"),
    "read_table": ("toolkit.io", "read_table"),
    "validate": ("toolkit.io.validation", "validate"),
}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        module = importlib.import_module(f"toolkit.{name}")
        globals()[name] = module
        return module
    if name in _ATTRIBUTES:
        module_name, attr = _ATTRIBUTES[name]
        value = getattr(importlib.import_module(module_name), attr)
        globals()[name] = value
        return value
    msg = f"module `toolkit` has no attribute `{name}`."
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
