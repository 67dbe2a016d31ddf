"""Large-data counts of ``tk.stats.submissions``: grouped counts inside DuckDB or Dask.

The engine counts (flags by group, and (time, event) pairs by group); the rates,
Kaplan-Meier curves and medians are then computed from those counts by the same
kernel as the in-memory path (:mod:`toolkit.stats._process_kernel`). Yes/no
words are read by :func:`toolkit.schema.yes_no`: DuckDB is given the reading of
each distinct value of the column, Dask partitions are read in pandas.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from toolkit._checks import require_columns
from toolkit._engines import columns, dask_parts, duck_type, engine, quote, sort_keys, sql
from toolkit.stats import _process_kernel as K

__all__ = ["submission_counts"]


def _literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _bool_sql(data: Any, col: str) -> str:
    """SQL for a yes/no column, each distinct value read by :func:`toolkit.schema.yes_no`.

    Raises
    ------
    ValidationError
        When a value is not a yes/no answer (with the number of rows holding it).
    """
    from toolkit.schema import yes_no

    t = duck_type(data, col)
    c = quote(col)
    if t == "BOOLEAN":
        return c
    distinct = sql(data, f"SELECT {c} AS v, count(*) AS n FROM {{t}} WHERE {c} IS NOT NULL "
                         f"GROUP BY {c}")
    yes, no, bad = [], [], []
    for v, n in zip(distinct["v"], distinct["n"], strict=True):
        try:
            out = yes_no(v)
        except ValueError:
            bad.append((v, int(n)))
            continue
        if out is not None:
            (yes if out else no).append(v)
    if bad:
        raise K.not_yes_no_error([(v, []) for v, _ in bad], column=col, table="submissions")
    if t.startswith(("VARCHAR", "STRING", "TEXT")):
        def inlist(values: list) -> str:
            return ", ".join(_literal(v) for v in values) or "NULL"

        return (f"(CASE WHEN {c} IN ({inlist(yes)}) THEN TRUE "
                f"WHEN {c} IN ({inlist(no)}) THEN FALSE ELSE NULL END)")
    return f"(CASE WHEN {c} IS NULL OR isnan(CAST({c} AS DOUBLE)) THEN NULL ELSE {c} <> 0 END)"


def _flags_sql(data: Any) -> dict[str, str]:
    cols = columns(data)
    out = {}
    if "adopted" in cols:
        out["adopted"] = _bool_sql(data, "adopted")
    if "instructions" in cols:
        out["instructed"] = ("(CASE WHEN TRY_CAST(\"instructions\" AS DOUBLE) IS NULL THEN NULL "
                             "ELSE TRY_CAST(\"instructions\" AS DOUBLE) > 0 END)")
    if "responded" in cols:
        out["responded"] = _bool_sql(data, "responded")
    return out


def _ends_dask(part: pd.DataFrame) -> list:
    out = [pd.to_datetime(part["date"], errors="coerce").max()]
    if "response_date" in part.columns:
        out.append(pd.to_datetime(part["response_date"], errors="coerce").max())
    return out


def _cells_dask(part: pd.DataFrame, by: list[str], end: Any, *, has_lag: bool
                ) -> pd.DataFrame:
    """Flag counts and (time, event) counts of one partition, as the DuckDB query."""
    flags = K.submission_flags(part)
    out = pd.DataFrame({b: part[b] for b in by}, index=part.index)
    if has_lag and pd.notna(end):
        done = flags["responded"].fillna(value=False).to_numpy(dtype=bool)
        time, event = K.response_times(pd.to_datetime(part["date"], errors="coerce"), done,
                                       pd.to_datetime(part["response_date"], errors="coerce"),
                                       end)
        out["_time"] = time
        out["_event"] = np.where(np.isnan(time), np.nan, event)
    else:
        out["_time"] = np.nan
        out["_event"] = np.nan
    out["_count"] = 1
    for f in flags.columns:
        out[f"{f}_k"] = flags[f].fillna(value=False).astype(np.int64)
        out[f"{f}_n"] = flags[f].notna().astype(np.int64)
    keys = [*by, "_time", "_event"]
    return out.groupby(keys, dropna=False, observed=True, sort=False).sum().reset_index()


def _end(*values: Any) -> Any:
    """The end of the data: the latest of the given dates (as :func:`K.end_of_data`)."""
    ends = [pd.Timestamp(v) for v in values if v is not None and pd.notna(v)]
    return max(ends) if ends else pd.NaT


def _cells_duckdb(data: Any, by: list[str], *, has_lag: bool) -> tuple[pd.DataFrame, list[str]]:
    """Flag counts and (time, event) counts by group, in one grouped scan.

    A first, cheap query finds the end of the data (latest date and response
    date); censored times depend on it.
    """
    cols = columns(data)
    dt = "TRY_CAST(\"date\" AS TIMESTAMP)"
    rd = "TRY_CAST(\"response_date\" AS TIMESTAMP)"
    first = [f"max({dt}) AS d"] + ([f"max({rd}) AS r"] if "response_date" in cols else [])
    ends = sql(data, f"SELECT {', '.join(first)} FROM {{t}}")
    end = _end(*ends.iloc[0].tolist())
    flags = _flags_sql(data)
    inner = [quote(b) for b in by]
    params: dict = {}
    if has_lag and pd.notna(end):
        # innermost: per row the response flag, and days to response or to the end of data
        done = f"coalesce({_bool_sql(data, 'responded')}, FALSE)"
        base = [quote(b) for b in by]
        base += [f"{expr} AS {quote('_f_' + f)}" for f, expr in flags.items()]
        base += [f"{done} AS _done", f"{rd} IS NULL AS _rdnull",
                 f"floor((epoch_us(CASE WHEN {done} THEN {rd} ELSE $end END) - "
                 f"epoch_us({dt})) / 86400000000.0) AS _days"]
        source = f"(SELECT {', '.join(base)} FROM {{t}})"
        ok = "(_days IS NOT NULL AND _days >= 0 AND NOT (_done AND _rdnull))"
        inner += [f"CASE WHEN {ok} THEN _days END AS _time",
                  f"CASE WHEN {ok} THEN CAST(_done AS DOUBLE) END AS _event"]
        inner += [quote("_f_" + f) for f in flags]
        params = {"end": end.to_pydatetime()}
    else:
        source = "{t}"
        inner += ["CAST(NULL AS DOUBLE) AS _time", "CAST(NULL AS DOUBLE) AS _event"]
        inner += [f"{expr} AS {quote('_f_' + f)}" for f, expr in flags.items()]
    sel = [f"count(*) FILTER (WHERE {quote('_f_' + f)}) AS {quote(f + '_k')}, "
           f"count({quote('_f_' + f)}) AS {quote(f + '_n')}" for f in flags]
    gkeys = ", ".join([*(quote(b) for b in by), "_time", "_event"])
    query = (f"SELECT {gkeys}, count(*) AS _count{''.join(', ' + x for x in sel)} "
             f"FROM (SELECT {', '.join(inner)} FROM {source}) GROUP BY {gkeys}")
    return sql(data, query, params or None), list(flags)


def _cells_of_dask(data: Any, by: list[str], *, has_lag: bool
                   ) -> tuple[pd.DataFrame, list[str]]:
    """As :func:`_cells_duckdb` on a Dask DataFrame: a pass over the dates, then one over all."""
    cols = ["date", "response_date"] if "response_date" in columns(data) else ["date"]
    end = _end(*pd.DataFrame(dask_parts(data[cols], _ends_dask)).max().tolist())
    needed = [*by, "date", "adopted", "instructions", "responded", "response_date"]
    parts = dask_parts(data, lambda p: _cells_dask(p, by, end, has_lag=has_lag),
                       [c for c in needed if c in columns(data)])
    raw = pd.concat(parts, ignore_index=True)
    cells = raw.groupby([*by, "_time", "_event"], dropna=False, observed=True,
                        sort=False).sum().reset_index()
    return cells, [f for f in K.FLAG_SOURCE if f"{f}_k" in cells.columns]


def submission_counts(data: Any, by: list[str]
                      ) -> tuple[pd.DataFrame, dict[str, tuple[np.ndarray, np.ndarray]],
                                 tuple[np.ndarray, ...] | None]:
    """Group keys, flag counts by group and the counted (group, time, event) cells.

    The same three things ``process._submission_counts`` derives from a pandas
    table, here counted by DuckDB (a LazyTable) or Dask.
    """
    require_columns(data, {"date": "date", "by": by}, where="the submissions table")
    cols = columns(data)
    has_lag = "response_date" in cols and "responded" in cols
    if engine(data) == "duckdb":
        cells, flag_names = _cells_duckdb(data, by, has_lag=has_lag)
    else:
        cells, flag_names = _cells_of_dask(data, by, has_lag=has_lag)
    sums = [f"{f}_{x}" for f in flag_names for x in ("k", "n")]
    if by:
        cells = cells.copy()
        for b in by:
            if cells[b].dtype == object:
                cells[b] = cells[b].where(cells[b].notna(), np.nan)
        agg = cells.groupby(by, dropna=False, observed=True, sort=False)[sums].sum()
        agg = sort_keys(agg.reset_index(), by)
        keys = agg[by].reset_index(drop=True)
        codes = cells[by].merge(keys.assign(_g=np.arange(len(keys))), on=by, how="left")
        codes = codes["_g"].to_numpy(dtype=np.int64)
    else:
        agg = cells[sums].sum().to_frame().T if len(cells) else \
            pd.DataFrame({c: [0] for c in sums})
        keys = pd.DataFrame(index=range(1))
        codes = np.zeros(len(cells), dtype=np.int64)
    counts = {f: (agg[f + "_k"].to_numpy(np.int64), agg[f + "_n"].to_numpy(np.int64))
              for f in flag_names}
    lag = None
    if has_lag:
        lag = (codes, cells["_time"].to_numpy(float), cells["_event"].to_numpy(float),
               cells["_count"].to_numpy(float))
    return keys, counts, lag
