"""Large-data engines: detect a lazy DuckDB table or a Dask DataFrame, run SQL, map partitions.

The kernels that compute on large data live beside the functions they serve
(``stats/_design_large.py``, ``stats/_process_large.py``, ``net/_build_large.py``);
this module only knows the engines. Neither DuckDB nor Dask is imported when it is
imported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["INSTALL", "columns", "dask_parts", "duck_type", "engine", "is_large", "quote",
           "sort_keys", "sql"]

#: How to install the large-data engines.
INSTALL = 'pip install "toolkit[large]"'


def engine(data: Any) -> str | None:
    """``"duckdb"`` for a LazyTable (``tk.io.scan``), ``"dask"`` for a Dask DataFrame, else None.

    Examples
    --------
    >>> engine(pd.DataFrame({"a": [1]})) is None
    True
    """
    cls = type(data)
    if cls.__name__ == "LazyTable" and cls.__module__ == "toolkit.io.lazy":
        return "duckdb"
    module = cls.__module__ or ""
    if module.startswith(("dask.", "dask_expr")) and hasattr(data, "npartitions") \
            and hasattr(data, "columns"):
        return "dask"
    return None


def is_large(data: Any) -> bool:
    """True when `data` is a LazyTable (DuckDB) or a Dask DataFrame.

    Examples
    --------
    >>> is_large(pd.DataFrame())
    False
    """
    return engine(data) is not None


def columns(data: Any) -> list[str]:
    """Column names of a DataFrame, LazyTable or Dask DataFrame, as str.

    Examples
    --------
    >>> columns(pd.DataFrame({"a": [1], 2: [3]}))
    ['a', '2']
    """
    return [str(c) for c in data.columns]


def quote(name: str) -> str:
    """A SQL identifier in double quotes.

    Examples
    --------
    >>> quote('a"b')
    '"a""b"'
    """
    return '"' + str(name).replace('"', '""') + '"'


def sql(data: Any, query: str, params: dict | None = None) -> pd.DataFrame:
    """Run `query` against the LazyTable (``{t}`` in the query names it); a pandas result."""
    import threading

    con = data.connection
    view = f"_tk_view_{id(data):x}_{threading.get_ident():x}"
    data.relation.create_view(view, replace=True)
    try:
        return con.execute(query.replace("{t}", view), params).df() if params else \
            con.execute(query.replace("{t}", view)).df()
    finally:
        con.execute(f"DROP VIEW IF EXISTS {view}")


def dask_parts(ddf: Any, fn: Callable[[pd.DataFrame], Any],
               columns: Sequence[str | None] | None = None) -> list[Any]:
    """``fn`` applied to every partition on the active Dask scheduler; the pandas results.

    With `columns`, only those columns are read (Dask pushes the selection into
    ``read_parquet``).
    """
    if columns is not None:
        keep = list(dict.fromkeys(c for c in columns if c is not None))
        ddf = ddf[keep]
    try:
        import dask
    except ImportError as err:  # pragma: no cover
        msg = f"Dask DataFrames need Dask: `{INSTALL}`."
        raise ImportError(msg) from err
    parts = ddf.to_delayed()
    return list(dask.compute(*[dask.delayed(fn)(p) for p in parts]))


def duck_type(data: Any, col: str) -> str:
    """The DuckDB type of column `col` of a LazyTable, upper case (``"VARCHAR"``)."""
    return data.dtypes[col].upper()


def sort_keys(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Rows in the order of pandas ``groupby(sort=True, dropna=False)`` (missing keys last).

    Examples
    --------
    >>> sort_keys(pd.DataFrame({"g": ["b", None, "a"]}), ["g"])["g"].tolist()
    ['a', 'b', nan]
    """
    if not by:
        return frame.reset_index(drop=True)
    frame = frame.copy()
    for b in by:
        col = frame[b]
        if col.dtype == object:
            frame[b] = col.where(col.notna(), np.nan)
    return frame.sort_values(by, na_position="last", kind="stable").reset_index(drop=True)
