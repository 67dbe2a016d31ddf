"""Large-data kernels of ``tk.net.two_mode`` and ``tk.net.project``: pairs in DuckDB or Dask.

The kernels return the distinct actor–event pairs as a small pandas frame; the public
functions in :mod:`toolkit.net.build` build the graph or the projection from it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from toolkit._checks import check_choice, require_columns
from toolkit._engines import dask_parts, duck_type, engine, quote, sql
from toolkit.errors import DataTooLargeError
from toolkit.net import _engine

__all__ = ["project_pairs", "two_mode_pairs"]


_INT_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT",
              "UINTEGER", "UBIGINT", "HUGEINT")


def _pairs_partial(part: pd.DataFrame, actor: str, event: str, weight: str | None,
                   agg: str) -> pd.DataFrame:
    bad = int((part[actor].isna() | part[event].isna()).sum())
    if weight is None:
        out = part[[actor, event]].drop_duplicates()
    else:
        g = part.groupby([actor, event], sort=False, observed=True, dropna=False)[weight]
        if agg == "mean":
            out = pd.DataFrame({"_sum": g.sum(), "_n": g.count()}).reset_index()
        else:
            out = g.agg(agg).reset_index()
    out["_bad"] = 0
    if len(out):
        out.loc[out.index[0], "_bad"] = bad
    else:
        out = pd.concat([out, pd.DataFrame({"_bad": [bad]})], ignore_index=True)
    return out


def _pairs(data: Any, actor: str, event: str, weight: str | None, agg: str) -> pd.DataFrame:
    """Distinct actor–event pairs (with `weight` combined by `agg`), sorted, in pandas."""
    if agg in ("first", "last"):
        msg = (f"`agg={agg!r}` depends on row order, which a lazy or distributed table does not "
               "keep. Use 'sum', 'mean' or 'max', or keep the wanted row per pair first (e.g. "
               "`.filter(...)` on the latest date).")
        raise ValueError(msg)
    kind = engine(data)
    a, e = quote(actor), quote(event)
    if kind == "duckdb":
        sel = [a, e]
        if weight is not None:
            w = quote(weight)
            if agg == "sum":
                expr = f"coalesce(sum({w}), 0)"
                if duck_type(data, weight) in _INT_TYPES:
                    expr = f"CAST({expr} AS BIGINT)"
            elif agg == "mean":
                expr = f"avg({w})"
            else:
                expr = f"max({w})"
            sel.append(f"{expr} AS {w}")
        # one scan: rows without an actor or event come out as groups with a NULL key
        query = (f"SELECT {', '.join(sel)}, count(*) AS _rows FROM {{t}} GROUP BY {a}, {e} "
                 "ORDER BY 1, 2")
        pairs = sql(data, query)
        null = (pairs[actor].isna() | pairs[event].isna()).to_numpy()
        bad = int(pairs.loc[null, "_rows"].sum())
        pairs = pairs.loc[~null].drop(columns="_rows").reset_index(drop=True)
    else:
        parts = dask_parts(data, lambda p: _pairs_partial(p, actor, event, weight, agg),
                            [actor, event, weight])
        raw = pd.concat(parts, ignore_index=True)
        bad = int(raw["_bad"].sum())
        raw = raw.drop(columns="_bad").dropna(subset=[actor, event])
        if weight is None:
            pairs = raw.drop_duplicates()
        else:
            g = raw.groupby([actor, event], sort=False, observed=True)
            if agg == "mean":
                s = g[["_sum", "_n"]].sum()
                pairs = (s["_sum"] / s["_n"]).rename(weight).reset_index()
            else:
                pairs = g[weight].agg("sum" if agg == "sum" else "max").reset_index()
        pairs = pairs.sort_values([actor, event], kind="stable").reset_index(drop=True)
    if bad:
        msg = (f"{bad} row(s) of `data` have no `{actor}` or `{event}`. Drop them first, e.g. "
               f"`.filter('{actor} IS NOT NULL AND {event} IS NOT NULL')` on a LazyTable or "
               f"`.dropna(subset=[{actor!r}, {event!r}])` on a Dask DataFrame.")
        raise ValueError(msg)
    return pairs


def two_mode_pairs(
    data: Any,
    *,
    actor: str = "participant_id",
    event: str = "session_id",
    weight: str | None = None,
    agg: str = "sum",
) -> pd.DataFrame:
    """The actor–event pairs ``tk.net.two_mode`` builds its graph from, on large data.

    The pairs (and their combined `weight`) are computed in the engine and come back
    unique and sorted, so the in-memory function builds the same nodes and edges from
    them (nodes in sorted order rather than order of appearance).
    """
    require_columns(data, {"actor": actor, "event": event, "weight": weight})
    check_choice(agg, ("sum", "mean", "max", "first", "last"), param="agg")
    pairs = _pairs(data, actor, event, weight, agg)
    limit = _engine.MAX_GRAPH_EDGES  # read at call time (a module setting)
    if len(pairs) > limit:
        msg = (f"The two-mode graph would have more than {limit:,} ties; a networkx "
               "graph of that size needs several GB. Aggregate to a coarser actor or event "
               "(e.g. street instead of community), or use "
               "`tk.net.project(data, ..., output=\"sparse\")` for the projection.")
        raise DataTooLargeError(msg)
    return pairs


def project_pairs(B: Any, *, actor: str = "participant_id",
                  event: str = "session_id") -> pd.DataFrame:
    """The distinct actor–event pairs ``tk.net.project`` multiplies, on large data."""
    require_columns(B, {"actor": actor, "event": event}, where="`B`")
    return _pairs(B, actor, event, None, "sum")
