"""Large-data engines behind the public functions: DuckDB (lazy tables) and Dask.

The public functions (``tk.stats.submissions``, ``tk.stats.Design``,
``tk.net.two_mode``, ``tk.net.project``) start with
``if is_large(data): return _backends.<name>(...)``. The kernels here compute
grouped sums and counts inside the engine — SQL for a
:class:`toolkit.io.lazy.LazyTable`, a per-partition pandas aggregation combined
by sums for a ``dask.dataframe.DataFrame`` (on whatever Dask scheduler or
``dask.distributed`` Client is active) — and finish in pandas with the same
formulas as the in-memory path, so the results are the same.

Neither DuckDB nor Dask is imported when this module is imported.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from toolkit.errors import ColumnNotFoundError, DataTooLargeError, DesignError

__all__ = ["LargeDesign", "engine", "is_large", "project", "submissions", "two_mode"]

_INSTALL = 'pip install "toolkit[large]"'
_YES = ("是", "yes", "true", "1", "y", "已", "已落实")
_NO = ("否", "no", "false", "0", "n", "未", "未落实")


# ---------------------------------------------------------------------------
# detection and plumbing
# ---------------------------------------------------------------------------


def engine(data: Any) -> str | None:
    """``"duckdb"`` for a LazyTable, ``"dask"`` for a Dask DataFrame, else None.

    Examples
    --------
    >>> engine(pd.DataFrame({"a": [1]})) is None
    True
    """
    from toolkit.io.lazy import LazyTable

    if isinstance(data, LazyTable):
        return "duckdb"
    module = type(data).__module__ or ""
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


def _columns(data: Any) -> list[str]:
    return [str(c) for c in data.columns]


def _require(data: Any, cols: Sequence[str | None], role: str) -> None:
    have = _columns(data)
    for col in cols:
        if col is not None and col not in have:
            close = difflib.get_close_matches(str(col), have, n=3)
            hint = f" Did you mean {close}?" if close else ""
            msg = (f"Could not find column `{col}` given as `{role}`.{hint} "
                   f"Columns available: {have}.")
            raise ColumnNotFoundError(msg)


def _q(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _sql(data: Any, query: str, params: dict | None = None) -> pd.DataFrame:
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


def _dask_parts(ddf: Any, fn: Callable[[pd.DataFrame], Any],
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
        msg = f"Dask DataFrames need Dask: `{_INSTALL}`."
        raise ImportError(msg) from err
    parts = ddf.to_delayed()
    return list(dask.compute(*[dask.delayed(fn)(p) for p in parts]))


def _duck_type(data: Any, col: str) -> str:
    return data.dtypes[col].upper()


def _bool_sql(data: Any, col: str) -> str:
    """SQL for a yes/no column as ``process._bool`` reads it (booleans, numbers, 是/否)."""
    t = _duck_type(data, col)
    c = _q(col)
    if t == "BOOLEAN":
        return c
    if t.startswith(("VARCHAR", "STRING", "TEXT")):
        yes = ", ".join("'" + v + "'" for v in _YES)
        no = ", ".join("'" + v + "'" for v in _NO)
        return (f"(CASE WHEN lower(trim({c})) IN ({yes}) THEN TRUE "
                f"WHEN lower(trim({c})) IN ({no}) THEN FALSE ELSE NULL END)")
    return f"(CASE WHEN {c} IS NULL OR isnan(CAST({c} AS DOUBLE)) THEN NULL ELSE {c} <> 0 END)"


def _sort_keys(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Rows in the order of pandas ``groupby(sort=True, dropna=False)`` (missing last)."""
    if not by:
        return frame.reset_index(drop=True)
    frame = frame.copy()
    for b in by:
        col = frame[b]
        if col.dtype == object:
            frame[b] = col.where(col.notna(), np.nan)
    return frame.sort_values(by, na_position="last", kind="stable").reset_index(drop=True)


def _key(values: Sequence[Any]) -> tuple:
    return tuple("\0NA" if (v is None or (not isinstance(v, str) and pd.isna(v))) else v
                 for v in values)


# ---------------------------------------------------------------------------
# submissions
# ---------------------------------------------------------------------------


def _rate_counts(measure: str, unit: str, k: int, n: int, level: float,
                 method: str = "wilson") -> dict[str, Any]:
    """As ``process._rate``, from the counts."""
    from statsmodels.stats.proportion import proportion_confint

    if n:
        lo, hi = proportion_confint(k, n, alpha=1 - level, method=method)
        est = k / n
    else:
        lo = hi = est = np.nan
    return {"measure": measure, "unit": unit, "successes": int(k), "n": int(n),
            "estimate": est, "ci_low": float(lo), "ci_high": float(hi)}


def _km_counts(time: np.ndarray, event: np.ndarray, count: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Kaplan-Meier from counts of (time, event) pairs, as statsmodels ``SurvfuncRight``.

    Returns ``surv_prob, surv_prob_se, surv_times, n_risk, n_events``, the same
    numbers ``SurvfuncRight(time, status)`` gives on the expanded rows (Greenwood
    standard errors; its ``freq_weights`` would switch to Tsiatis' formula).
    """
    utime, rtime = np.unique(time, return_inverse=True)
    ml = len(utime)
    d = np.bincount(rtime, weights=event * count, minlength=ml)
    n = np.bincount(rtime, weights=count, minlength=ml)
    n = np.cumsum(n[::-1])[::-1]
    keep = np.flatnonzero(d > 0)
    d, n, utime = d[keep], n[keep], utime[keep]
    sp = 1 - d / n
    small = sp < 1e-16
    sp[small] = 1e-16
    sp = np.exp(np.cumsum(np.log(sp)))
    sp[small] = 0
    denom = np.clip(n * (n - d), 1e-12, np.inf)
    se = d / denom
    se[(n == d) | (n == 0)] = np.nan
    se = np.sqrt(np.cumsum(se))
    locs = np.isfinite(se) | (sp != 0)
    se[locs] *= sp[locs]
    se[~locs] = np.nan
    return sp, se, utime, n, d


def _median_ci(sp: np.ndarray, se: np.ndarray, times: np.ndarray, tr: float
               ) -> tuple[float, float, float]:
    """Median and its CI as ``SurvfuncRight.quantile(0.5)``/``quantile_ci`` (cloglog)."""
    below = np.flatnonzero(sp < 0.5)
    median = times[below[0]] if len(below) else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.log(-np.log(sp)) - np.log(-np.log(0.5))
        r /= (-1 / (sp * np.log(sp))) * se
    ii = np.flatnonzero(np.abs(r) <= tr)
    if len(ii) == 0:
        return float(median), np.nan, np.nan
    lb = times[ii[0]]
    ub = np.inf if ii[-1] == len(times) - 1 else times[ii[-1] + 1]
    return float(median), float(lb), float(ub)


_FLAG_SOURCE = {"adopted": "adopted", "instructed": "instructions", "responded": "responded"}


def _sub_flags_sql(data: Any) -> dict[str, str]:
    cols = _columns(data)
    out = {}
    if "adopted" in cols:
        out["adopted"] = _bool_sql(data, "adopted")
    if "instructions" in cols:
        out["instructed"] = ("(CASE WHEN TRY_CAST(\"instructions\" AS DOUBLE) IS NULL THEN NULL "
                             "ELSE TRY_CAST(\"instructions\" AS DOUBLE) > 0 END)")
    if "responded" in cols:
        out["responded"] = _bool_sql(data, "responded")
    return out


def _sub_flags_pandas(frame: pd.DataFrame) -> pd.DataFrame:
    """The flags ``process.submissions`` derives, for one pandas partition."""
    from toolkit.stats.process import _bool

    flags = pd.DataFrame(index=frame.index)
    if "adopted" in frame.columns:
        flags["adopted"] = _bool(frame["adopted"])
    if "instructions" in frame.columns:
        k = pd.to_numeric(frame["instructions"], errors="coerce")
        flags["instructed"] = (k > 0).astype("boolean").where(k.notna(), pd.NA)
    if "responded" in frame.columns:
        flags["responded"] = _bool(frame["responded"])
    return flags


def _ends_dask(part: pd.DataFrame) -> list:
    out = [pd.to_datetime(part["date"], errors="coerce").max()]
    if "response_date" in part.columns:
        out.append(pd.to_datetime(part["response_date"], errors="coerce").max())
    return out


def _sub_cells_dask(part: pd.DataFrame, by: list[str], end: Any, *, has_lag: bool
                    ) -> pd.DataFrame:
    """Flag counts and (time, event) counts of one partition, as the DuckDB query."""
    from toolkit.stats.process import _bool

    flags = _sub_flags_pandas(part)
    out = pd.DataFrame({b: part[b] for b in by}, index=part.index)
    if has_lag and pd.notna(end):
        dates = pd.to_datetime(part["date"], errors="coerce")
        rd = pd.to_datetime(part["response_date"], errors="coerce")
        done = _bool(part["responded"]).fillna(value=False).to_numpy(dtype=bool)
        stop = rd.where(done, end)
        days = (stop - dates).dt.days.astype(float)
        ok = (days.notna() & (days >= 0)).to_numpy() & ~(done & rd.isna().to_numpy())
        out["_time"] = np.where(ok, days.to_numpy(), np.nan)
        out["_event"] = np.where(ok, done.astype(float), np.nan)
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
    """The end of the data: the latest of the given dates (as ``process._end_of_data``)."""
    ends = [pd.Timestamp(v) for v in values if v is not None and pd.notna(v)]
    return max(ends) if ends else pd.NaT


def _sub_duckdb(data: Any, by: list[str], *, has_lag: bool
                ) -> tuple[pd.DataFrame, pd.DataFrame | None, list[str]]:
    """Flag counts by group and (time, event) counts, in one grouped scan.

    A first, cheap query finds the end of the data (latest date and response
    date); censored times depend on it.
    """
    cols = _columns(data)
    dt = "TRY_CAST(\"date\" AS TIMESTAMP)"
    rd = "TRY_CAST(\"response_date\" AS TIMESTAMP)"
    first = [f"max({dt}) AS d"] + ([f"max({rd}) AS r"] if "response_date" in cols else [])
    ends = _sql(data, f"SELECT {', '.join(first)} FROM {{t}}")
    end = _end(*ends.iloc[0].tolist())
    flags = _sub_flags_sql(data)
    inner = [_q(b) for b in by]
    params: list = []
    if has_lag and pd.notna(end):
        # innermost: per row the response flag, and days to response or to the end of data
        done = f"coalesce({_bool_sql(data, 'responded')}, FALSE)"
        base = [_q(b) for b in by] + [f"{expr} AS {_q('_f_' + f)}" for f, expr in flags.items()]
        base += [f"{done} AS _done", f"{rd} IS NULL AS _rdnull",
                 f"floor((epoch_us(CASE WHEN {done} THEN {rd} ELSE $end END) - "
                 f"epoch_us({dt})) / 86400000000.0) AS _days"]
        source = f"(SELECT {', '.join(base)} FROM {{t}})"
        ok = "(_days IS NOT NULL AND _days >= 0 AND NOT (_done AND _rdnull))"
        inner += [f"CASE WHEN {ok} THEN _days END AS _time",
                  f"CASE WHEN {ok} THEN CAST(_done AS DOUBLE) END AS _event"]
        inner += [_q("_f_" + f) for f in flags]
        params = {"end": end.to_pydatetime()}
    else:
        source = "{t}"
        inner += ["CAST(NULL AS DOUBLE) AS _time", "CAST(NULL AS DOUBLE) AS _event"]
        inner += [f"{expr} AS {_q('_f_' + f)}" for f, expr in flags.items()]
    sel = [f"count(*) FILTER (WHERE {_q('_f_' + f)}) AS {_q(f + '_k')}, "
           f"count({_q('_f_' + f)}) AS {_q(f + '_n')}" for f in flags]
    gkeys = ", ".join([*(_q(b) for b in by), "_time", "_event"])
    query = (f"SELECT {gkeys}, count(*) AS _count{''.join(', ' + x for x in sel)} "
             f"FROM (SELECT {', '.join(inner)} FROM {source}) GROUP BY {gkeys}")
    cells = _sql(data, query, params or None)
    return _cells_to_agg(cells, by, list(flags), has_lag=has_lag)


def _sub_dask(data: Any, by: list[str], *, has_lag: bool
              ) -> tuple[pd.DataFrame, pd.DataFrame | None, list[str]]:
    """As :func:`_sub_duckdb` on a Dask DataFrame: a pass over the dates, then one over all."""
    cols = ["date", "response_date"] if "response_date" in _columns(data) else ["date"]
    end = _end(*pd.DataFrame(_dask_parts(data[cols], _ends_dask)).max().tolist())
    needed = [*by, "date", "adopted", "instructions", "responded", "response_date"]
    parts = _dask_parts(data, lambda p: _sub_cells_dask(p, by, end, has_lag=has_lag),
                        [c for c in needed if c in _columns(data)])
    raw = pd.concat(parts, ignore_index=True)
    cells = raw.groupby([*by, "_time", "_event"], dropna=False, observed=True,
                        sort=False).sum().reset_index()
    flag_names = [f for f in _FLAG_SOURCE if f"{f}_k" in cells.columns]
    return _cells_to_agg(cells, by, flag_names, has_lag=has_lag)


def _cells_to_agg(cells: pd.DataFrame, by: list[str], flag_names: list[str], *,
                  has_lag: bool) -> tuple[pd.DataFrame, pd.DataFrame | None, list[str]]:
    """Flag counts by group, and the (time, event) counts, from the grouped cells."""
    sums = [c for c in cells.columns if c.endswith(("_k", "_n"))]
    if by:
        cells = cells.copy()
        for b in by:
            if cells[b].dtype == object:
                cells[b] = cells[b].where(cells[b].notna(), np.nan)
        agg = cells.groupby(by, dropna=False, observed=True, sort=False)[sums].sum()
        agg = agg.reset_index()
    else:
        agg = cells[sums].sum().to_frame().T if len(cells) else \
            pd.DataFrame({c: [0] for c in sums})
    lc = cells[[*by, "_time", "_event", "_count"]] if has_lag else None
    return agg, lc, flag_names


def _rates_frame(agg: pd.DataFrame, keys: pd.DataFrame, by: list[str],
                 flag_names: list[str], level: float) -> pd.DataFrame:
    """Rates with Wilson intervals for every group at once (as ``process._rate``)."""
    from statsmodels.stats.proportion import proportion_confint

    from toolkit.stats import process as P

    parts = []
    for order, (f, measure) in enumerate(P._CLAIMS.items()):
        if f not in flag_names:
            continue
        k = agg[f + "_k"].to_numpy(np.int64)
        n = agg[f + "_n"].to_numpy(np.int64)
        est = np.full(len(k), np.nan)
        lo = np.full(len(k), np.nan)
        hi = np.full(len(k), np.nan)
        has = n > 0
        if has.any():
            lo[has], hi[has] = proportion_confint(k[has], n[has], alpha=1 - level,
                                                  method="wilson")
            est[has] = k[has] / n[has]
        part = keys.copy()
        part["measure"], part["unit"], part["successes"], part["n"] = measure, "submission", k, n
        part["estimate"], part["ci_low"], part["ci_high"] = est, lo, hi
        part["_g"], part["_m"] = np.arange(len(k)), order
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=[*by, *P.RATE_COLUMNS])
    out = pd.concat(parts, ignore_index=True).sort_values(["_g", "_m"], kind="stable")
    return out.drop(columns=["_g", "_m"]).reset_index(drop=True)


def _lags_frames(lc: pd.DataFrame, keys: pd.DataFrame, by: list[str], level: float
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Kaplan-Meier medians and curves of every group from the (time, event) counts."""
    from scipy import stats

    from toolkit.stats import process as P

    z = stats.norm.ppf((1 + level) / 2)
    tr = stats.norm.ppf(1 - (1 - level) / 2)
    g = keys.assign(_g=np.arange(len(keys)))
    if by:
        lc = lc.copy()
        for b in by:
            if lc[b].dtype == object:
                lc[b] = lc[b].where(lc[b].notna(), np.nan)
        lc = lc.merge(g, on=by, how="left")
    else:
        lc = lc.assign(_g=0)
    lc = lc.sort_values(["_g", "_time", "_event"], kind="stable")
    gi = lc["_g"].to_numpy(np.int64)
    bounds = np.searchsorted(gi, np.arange(len(keys) + 1))
    time_all = lc["_time"].to_numpy(float)
    event_all = lc["_event"].to_numpy(float)
    count_all = lc["_count"].to_numpy(float)
    rows = []
    curve_parts: dict[str, list] = {c: [] for c in P.KM_COLUMNS}
    def text(v: Any) -> str:  # a missing key reads "nan" as in the pandas path
        return str(np.nan) if v is None or v is pd.NA else str(v)

    labels = ([" / ".join(map(text, r)) for r in keys.itertuples(index=False, name=None)]
              if by else ["all"])
    for j in range(len(keys)):
        sl = slice(bounds[j], bounds[j + 1])
        t, e, c = time_all[sl], event_all[sl], count_all[sl]
        ok = ~np.isnan(t)
        excluded = int(c[~ok].sum())
        t, e, c = t[ok], e[ok], c[ok]
        n = int(c.sum())
        ev = int((e * c).sum())
        row = {"measure": "days_to_response", "n": n, "n_events": ev, "n_censored": n - ev,
               "median_days": np.nan, "ci_low": np.nan, "ci_high": np.nan,
               "n_excluded": excluded}
        add = {"group": [labels[j]], "time": [0.0], "survival": [1.0], "ci_low": [1.0],
               "ci_high": [1.0], "at_risk": [n], "events": [0]}
        if n and ev:
            sp, se, times, n_risk, d = _km_counts(t, e, c)
            row["median_days"], row["ci_low"], row["ci_high"] = _median_ci(sp, se, times, tr)
            with np.errstate(divide="ignore", invalid="ignore"):
                v = se / (sp * np.abs(np.log(sp)))
                lo = np.where((sp > 0) & (sp < 1), sp ** np.exp(z * v), sp)
                hi = np.where((sp > 0) & (sp < 1), sp ** np.exp(-z * v), sp)
            m = len(sp)
            add = {"group": [labels[j]] * (m + 1), "time": np.r_[0.0, times.astype(float)],
                   "survival": np.r_[1.0, sp], "ci_low": np.r_[1.0, lo],
                   "ci_high": np.r_[1.0, hi], "at_risk": np.r_[n, n_risk.astype(int)],
                   "events": np.r_[0, d.astype(int)]}
        rows.append(row)
        for col in P.KM_COLUMNS:
            curve_parts[col].append(add[col])
    lags = pd.concat([keys.reset_index(drop=True), pd.DataFrame(rows)], axis=1) if by \
        else pd.DataFrame(rows)
    km = pd.DataFrame({col: np.concatenate(curve_parts[col]) if curve_parts[col] else []
                       for col in P.KM_COLUMNS})
    return lags.reindex(columns=[*by, *P.LAG_COLUMNS]), km


def submissions(
    data: Any,
    *,
    by: str | Sequence[str] | None = None,
    claim: Mapping[str, float] | None = None,
    level: float = 0.95,
) -> Any:
    """``tk.stats.submissions`` on a LazyTable or Dask DataFrame (same result object)."""
    from scipy import stats

    from toolkit.stats import process as P

    by = P._by_list(by)
    _require(data, ["date"], "date")
    _require(data, by, "by")
    cols = _columns(data)
    has_lag = "response_date" in cols and "responded" in cols
    kind = engine(data)
    if kind == "duckdb":
        agg, lc, flag_names = _sub_duckdb(data, by, has_lag=has_lag)
    else:
        agg, lc, flag_names = _sub_dask(data, by, has_lag=has_lag)
    agg = _sort_keys(agg, by)

    keys = agg[by].reset_index(drop=True) if by else pd.DataFrame(index=range(len(agg)))
    rates = _rates_frame(agg, keys, by, flag_names, level)
    lags = pd.DataFrame(columns=[*by, *P.LAG_COLUMNS])
    km = pd.DataFrame(columns=P.KM_COLUMNS)
    if has_lag:
        lags, km = _lags_frames(lc, keys, by, level)
    claims = []
    for measure, p0 in (claim or {}).items():
        if measure not in P._CLAIMS:
            msg = (f"Unknown claim {measure!r} in `claim`; use {', '.join(P._CLAIMS)} "
                   "(e.g. claim={'instructed': 1.0}).")
            raise ValueError(msg)
        if not 0 <= float(p0) <= 1:
            msg = f"The claimed proportion for {measure!r} must be between 0 and 1, not {p0}."
            raise ValueError(msg)
        if measure not in flag_names:
            msg = (f"The claim {measure!r} needs the column `{_FLAG_SOURCE[measure]}` in the "
                   "submissions table.")
            raise ColumnNotFoundError(msg)
        k, n = int(agg[measure + "_k"].sum()), int(agg[measure + "_n"].sum())
        row = _rate_counts(measure, "submission", k, n, level, method="beta")
        p = stats.binomtest(k, n, float(p0)).pvalue if n else np.nan
        claims.append({"measure": measure, "claimed": float(p0), "successes": k, "n": n,
                       "estimate": row["estimate"], "ci_low": row["ci_low"],
                       "ci_high": row["ci_high"], "p_value": float(p)})
    return P.ProcessResult(
        "Submissions", by, rates=rates, lags=lags, km=km,
        claims=pd.DataFrame(claims, columns=["measure", "claimed", "successes", "n", "estimate",
                                             "ci_low", "ci_high", "p_value"]))


# ---------------------------------------------------------------------------
# two-mode networks
# ---------------------------------------------------------------------------

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
    a, e = _q(actor), _q(event)
    if kind == "duckdb":
        sel = [a, e]
        if weight is not None:
            w = _q(weight)
            if agg == "sum":
                expr = f"coalesce(sum({w}), 0)"
                if _duck_type(data, weight) in _INT_TYPES:
                    expr = f"CAST({expr} AS BIGINT)"
            elif agg == "mean":
                expr = f"avg({w})"
            else:
                expr = f"max({w})"
            sel.append(f"{expr} AS {w}")
        # one scan: rows without an actor or event come out as groups with a NULL key
        query = (f"SELECT {', '.join(sel)}, count(*) AS _rows FROM {{t}} GROUP BY {a}, {e} "
                 "ORDER BY 1, 2")
        pairs = _sql(data, query)
        null = (pairs[actor].isna() | pairs[event].isna()).to_numpy()
        bad = int(pairs.loc[null, "_rows"].sum())
        pairs = pairs.loc[~null].drop(columns="_rows").reset_index(drop=True)
    else:
        parts = _dask_parts(data, lambda p: _pairs_partial(p, actor, event, weight, agg),
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


def two_mode(
    data: Any,
    *,
    actor: str = "participant_id",
    event: str = "session_id",
    weight: str | None = None,
    agg: str = "sum",
) -> Any:
    """``tk.net.two_mode`` on a LazyTable or Dask DataFrame.

    The actor–event pairs (and their combined `weight`) are computed in the
    engine; the graph is built from them by the in-memory function, so nodes and
    edges are the same (nodes in sorted order rather than order of appearance).
    """
    from toolkit.net import build
    from toolkit.net._engine import MAX_GRAPH_EDGES

    build._require_columns(data, {"actor": actor, "event": event, "weight": weight},
                           "`data`")
    if agg not in ("sum", "mean", "max", "first", "last"):
        msg = f"`agg` must be one of 'sum', 'mean', 'max', 'first', 'last', not {agg!r}."
        raise ValueError(msg)
    pairs = _pairs(data, actor, event, weight, agg)
    if len(pairs) > MAX_GRAPH_EDGES:
        msg = (f"The two-mode graph would have more than {MAX_GRAPH_EDGES:,} ties; a networkx "
               "graph of that size needs several GB. Aggregate to a coarser actor or event "
               "(e.g. street instead of community), or use "
               "`tk.net.project(data, ..., output=\"sparse\")` for the projection.")
        raise DataTooLargeError(msg)
    # pairs are unique: "max" keeps each pair's combined value as it is (NaN included)
    return build.two_mode(pairs, actor=actor, event=event, weight=weight, agg="max")


def project(
    B: Any,
    *,
    on: str = "actors",
    weight: str = "count",
    output: str = "graph",
    actor: str = "participant_id",
    event: str = "session_id",
) -> Any:
    """``tk.net.project`` on a LazyTable or Dask DataFrame of actor–event rows.

    Distinct pairs are found in the engine; the sparse products run as in memory.
    """
    from toolkit.net import build

    build._require_columns(B, {"actor": actor, "event": event}, "`B`")
    pairs = _pairs(B, actor, event, None, "sum")
    return build.project(pairs, on=on, weight=weight, output=output, actor=actor, event=event)


# ---------------------------------------------------------------------------
# survey design: means and totals
# ---------------------------------------------------------------------------

_NUMERIC_SQL = ("BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                "USMALLINT", "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "REAL")


def _stages(cluster: str | Sequence[str] | None, fpc: str | Sequence[str] | None
            ) -> tuple[str | None, str | None]:
    """First-stage cluster and fpc; a second stage counts only with both fpcs (as in memory)."""
    clusters = [cluster] if cluster is None or isinstance(cluster, str) else list(cluster)
    fpcs = [fpc] if fpc is None or isinstance(fpc, str) else list(fpc)
    if len(clusters) > 2 or len(fpcs) > 2 or (len(fpcs) == 2 and len(clusters) < 2):
        msg = ("`cluster` takes one column, or two for a two-stage sample "
               "(e.g. [\"village\", \"household\"]); `fpc` one column per stage.")
        raise DesignError(msg)
    if len(fpcs) == 2:
        msg = ("A design with two stages (fpc at both) is not available for large data "
               "(LazyTable or Dask); the first-stage (ultimate cluster) design is. Give one "
               "`fpc` column, or bring the needed columns into pandas for the two-stage "
               "variance.")
        raise DesignError(msg)
    return clusters[0], fpcs[0]


def _strata_partial(part: pd.DataFrame, strata: str | None, cluster: str | None,
                    fpc: str | None, weights: str | None
                    ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    h = part[strata] if strata else pd.Series(0, index=part.index)
    out = pd.DataFrame({"_h": h.to_numpy()}, index=part.index)
    out["_rows"] = 1
    out["_cnull"] = part[cluster].isna().astype(np.int64) if cluster else 0
    if fpc:
        f = pd.to_numeric(part[fpc], errors="coerce")
        out["_fmin"], out["_fmax"], out["_fnull"] = f, f, f.isna().astype(np.int64)
    if weights:
        w = pd.to_numeric(part[weights], errors="coerce")
        out["_wbad"] = (w.isna() | (w <= 0)).astype(np.int64)
    aggs = {c: ("min" if c == "_fmin" else "max" if c == "_fmax" else "sum")
            for c in out.columns if c != "_h"}
    res = out.groupby("_h", dropna=False, sort=False).agg(aggs).reset_index()
    pairs = None
    if cluster:
        pairs = pd.DataFrame({"_h": h.to_numpy(), "_c": part[cluster].to_numpy()})
        pairs = pairs.dropna().drop_duplicates()
    return res, pairs


def _design_partial(part: pd.DataFrame, var: str, keys: list[str], by: list[str],
                    weights: str | None, *, rowwise: bool) -> pd.DataFrame:
    from toolkit._values import as_numeric

    y = as_numeric(part[var]).to_numpy(float)
    w = (pd.to_numeric(part[weights], errors="coerce").to_numpy(float) if weights
         else np.ones(len(part)))
    ok = ~np.isnan(y)
    for b in by:
        ok &= part[b].notna().to_numpy()
    frame = pd.DataFrame({k: part[src].to_numpy()[ok] for k, src in keys_map(keys).items()
                          if src is not None}, index=pd.RangeIndex(int(ok.sum())))
    if "_h" not in frame.columns:
        frame["_h"] = 0
    yy, ww = y[ok], w[ok]
    frame["_n"] = 1
    frame["_sw"], frame["_swy"], frame["_swy2"] = ww, ww * yy, ww * yy * yy
    if rowwise:
        frame["_sw2"], frame["_sw2y"], frame["_sw2y2"] = ww * ww, ww * ww * yy, ww * ww * yy * yy
    group = [c for c in frame.columns if not c.startswith(("_n", "_s"))]
    return frame.groupby(group, sort=False, dropna=False).sum().reset_index()


def keys_map(keys: list[str]) -> dict[str, str | None]:
    """Output name → source column of the grouping keys (``_h``, ``_c``, then by)."""
    return dict(zip(["_h", "_c", *keys[2:]], keys, strict=True))


class LargeDesign:
    """``tk.stats.Design`` over a LazyTable or a Dask DataFrame: means and totals.

    Weighted sums by stratum, PSU and domain are computed in the engine; the
    Taylor-linearised variance is then computed from them exactly as in memory
    (first-stage clusters, strata, fpc, the same ``lonely_psu`` rules).
    ``.mean``, ``.total`` and ``.by(...).mean/total`` are available; shares,
    quantiles, cross-tables and two-stage designs need the data in pandas.
    """

    def __init__(self, data: Any, *, weights: str | None = None, strata: str | None = None,
                 cluster: str | Sequence[str] | None = None,
                 fpc: str | Sequence[str] | None = None, lonely_psu: str = "fail") -> None:
        from toolkit.stats.design import _LONELY

        if lonely_psu not in _LONELY:
            msg = f"`lonely_psu` must be one of {list(_LONELY)}, not {lonely_psu!r}."
            raise DesignError(msg)
        cluster, fpc = _stages(cluster, fpc)
        for role, col in (("weights", weights), ("strata", strata), ("cluster", cluster),
                          ("fpc", fpc)):
            _require(data, [col], role)
        self.data = data
        self.weights, self.strata, self.cluster, self.fpc = weights, strata, cluster, fpc
        self.lonely_psu = lonely_psu
        self._engine = engine(data)
        self._setup()

    # -- design ----------------------------------------------------------------

    def _strata_info(self) -> pd.DataFrame:
        strata, cluster, fpc, weights = self.strata, self.cluster, self.fpc, self.weights
        if self._engine == "duckdb":
            h = _q(strata) if strata else "0"
            sel = [f"{h} AS _h", "count(*) AS _rows"]
            sel.append(f"count(DISTINCT {_q(cluster)}) AS _npsu" if cluster
                       else "count(*) AS _npsu")
            sel.append(f"count(*) - count({_q(cluster)}) AS _cnull" if cluster else "0 AS _cnull")
            if fpc:
                f = f"TRY_CAST({_q(fpc)} AS DOUBLE)"
                sel += [f"min({f}) AS _fmin", f"max({f}) AS _fmax",
                        f"count(*) - count({f}) AS _fnull"]
            if weights:
                w = f"TRY_CAST({_q(weights)} AS DOUBLE)"
                sel.append(f"count(*) FILTER (WHERE {w} IS NULL OR isnan({w}) OR {w} <= 0) "
                           "AS _wbad")
            return _sql(self.data, f"SELECT {', '.join(sel)} FROM {{t}} GROUP BY 1")
        parts = _dask_parts(self.data, lambda p: _strata_partial(p, strata, cluster, fpc,
                                                                 weights),
                            [strata, cluster, fpc, weights, _columns(self.data)[0]])
        raw = pd.concat([p[0] for p in parts], ignore_index=True)
        aggs = {c: ("min" if c == "_fmin" else "max" if c == "_fmax" else "sum")
                for c in raw.columns if c != "_h"}
        info = raw.groupby("_h", dropna=False, sort=False).agg(aggs).reset_index()
        if cluster:
            pairs = pd.concat([p[1] for p in parts], ignore_index=True).drop_duplicates()
            npsu = pairs.groupby("_h", sort=False).size()
            info["_npsu"] = info["_h"].map(npsu).fillna(0).astype(np.int64)
        else:
            info["_npsu"] = info["_rows"]
        return info

    def _setup(self) -> None:
        from toolkit.stats.design import stratum_fpc

        info = self._strata_info()
        strata, cluster, fpc, weights = self.strata, self.cluster, self.fpc, self.weights
        if strata and info["_h"].isna().any():
            k = int(info.loc[info["_h"].isna(), "_rows"].sum())
            msg = (f"Strata column `{strata}` has {k} missing value(s); every respondent needs "
                   "a stratum.")
            raise DesignError(msg)
        if cluster and info["_cnull"].sum():
            msg = (f"Cluster column `{cluster}` has {int(info['_cnull'].sum())} missing "
                   "value(s); every respondent needs a PSU.")
            raise DesignError(msg)
        info = info.sort_values("_h", kind="stable").reset_index(drop=True)
        n_h = info["_npsu"].to_numpy(float)
        f_h = np.zeros(len(info))
        pop_h = None
        if fpc:
            fmin, fmax = info["_fmin"].to_numpy(float), info["_fmax"].to_numpy(float)
            if info["_fnull"].sum():
                msg = f"fpc column `{fpc}` has missing or non-numeric values."
                raise DesignError(msg)
            if np.any(np.abs(fmax - fmin) > 1e-9 * np.maximum(1.0, np.abs(fmax))):
                msg = (f"fpc column `{fpc}` varies within a stratum; it must hold one value "
                       "per stratum (population number of PSUs, or the sampling fraction).")
                raise DesignError(msg)
            f_h, pop_h = stratum_fpc(fmin, n_h, fpc=fpc)
        if weights and info["_wbad"].sum():
            msg = (f"Weights column `{weights}` has missing, zero or negative values; drop "
                   "those respondents or fix the weights.")
            raise DesignError(msg)
        w_h = pop_h / n_h if (weights is None and pop_h is not None) else np.ones(len(info))
        lonely = n_h == 1
        if lonely.any() and self.lonely_psu == "fail":
            labels = info.loc[lonely, "_h"].tolist() if strata else ["(all)"]
            msg = (f"{int(lonely.sum())} stratum/strata have a single PSU ({labels[:5]}); its "
                   "variance cannot be estimated. Merge it with a similar stratum, or pass "
                   "`lonely_psu=` \"adjust\" (centre at the grand mean, conservative), "
                   "\"average\" (average of the other strata), or \"certainty\"/\"remove\" "
                   "(no contribution), as R's options(survey.lonely.psu).")
            raise DesignError(msg)
        scale = np.where(n_h > 1, (1 - f_h) * n_h / np.maximum(n_h - 1, 1), 0.0)
        centre = np.where(n_h > 1, 1.0 / n_h, 0.0)
        if self.lonely_psu == "adjust":
            scale = np.where(lonely, 1 - f_h, scale)
        self._info = pd.DataFrame({"_h": info["_h"], "_scale": scale, "_centre": centre,
                                   "_wh": w_h, "_lonely": lonely})
        self._n = int(info["_rows"].sum())
        self._n_psu = int(n_h.sum())
        self._n_strata = len(info)

    @property
    def degf(self) -> int:
        """Design degrees of freedom: number of PSUs minus number of strata."""
        return self._n_psu - self._n_strata

    # -- estimation ----------------------------------------------------------

    def _sums(self, var: str, by: list[str]) -> pd.DataFrame:
        """Weighted sums of the analysed rows by stratum, (PSU) and domain."""
        rowwise = self.cluster is None
        keys = [self.strata, self.cluster, *by]
        if self._engine == "duckdb":
            t = _duck_type(self.data, var)
            if not t.startswith(_NUMERIC_SQL) and not t.startswith("DECIMAL"):
                msg = (f"`{var}` is not numeric ({t}); use a numeric or yes/no column, or "
                       "cast it with `.assign(...)`.")
                raise TypeError(msg)
            y = f"CAST({_q(var)} AS DOUBLE)"
            w = f"TRY_CAST({_q(self.weights)} AS DOUBLE)" if self.weights else "1.0"
            cond = [f"{y} IS NOT NULL", f"NOT isnan({y})", *(f"{_q(b)} IS NOT NULL" for b in by)]
            names = keys_map(keys)
            sel = [f"{_q(src) if src else '0'} AS {_q(name)}" for name, src in names.items()
                   if src is not None or name == "_h"]
            group = ", ".join(str(i + 1) for i in range(len(sel)))
            sums = ["count(*) AS _n", f"sum({w}) AS _sw", f"sum({w} * {y}) AS _swy",
                    f"sum({w} * {y} * {y}) AS _swy2"]
            if rowwise:
                sums += [f"sum({w} * {w}) AS _sw2", f"sum({w} * {w} * {y}) AS _sw2y",
                         f"sum({w} * {w} * {y} * {y}) AS _sw2y2"]
            query = (f"SELECT {', '.join(sel + sums)} FROM {{t}} WHERE {' AND '.join(cond)} "
                     f"GROUP BY {group}")
            return _sql(self.data, query)
        weights = self.weights
        parts = _dask_parts(self.data, lambda p: _design_partial(p, var, keys, by, weights,
                                                                 rowwise=rowwise),
                            [var, weights, *keys])
        raw = pd.concat(parts, ignore_index=True)
        group = [c for c in raw.columns if not c.startswith(("_n", "_s"))]
        return raw.groupby(group, sort=False, dropna=False).sum().reset_index()

    def _estimate(self, var: str | Sequence[str], by: list[str], *, total: bool
                  ) -> pd.DataFrame:
        from toolkit.stats.design import _Z975

        if not isinstance(var, str):
            return pd.concat([self._estimate(v, by, total=total) for v in var],
                             ignore_index=True)
        _require(self.data, [var], "var")
        _require(self.data, by, "by")
        s = self._sums(var, by).merge(self._info, on="_h", how="left")
        wh = s["_wh"].to_numpy(float)
        for c, power in (("_sw", 1), ("_swy", 1), ("_swy2", 1), ("_sw2", 2), ("_sw2y", 2),
                         ("_sw2y2", 2)):
            if c in s.columns:
                s[c] = s[c].to_numpy(float) * wh**power
        dkeys = by if by else []
        s["_d"] = 0 if not by else pd.MultiIndex.from_frame(s[by]).factorize()[0] \
            if len(by) > 1 else pd.factorize(s[by[0]])[0]
        g = s.groupby("_d", sort=True)
        G = g[["_n", "_sw", "_swy", "_swy2"]].sum()
        if by:
            G = G.join(g[by].first())
        m = G["_swy"] / G["_sw"]
        W = G["_sw"]
        md, Wd = s["_d"].map(m).to_numpy(float), s["_d"].map(W).to_numpy(float)
        if self.cluster is not None:
            z = s["_swy"].to_numpy(float) if total else \
                (s["_swy"].to_numpy(float) - md * s["_sw"].to_numpy(float)) / Wd
            parts = pd.DataFrame({"_h": s["_h"], "_d": s["_d"], "z1": z, "z2": z * z})
        else:
            if total:
                z1, z2 = s["_swy"].to_numpy(float), s["_sw2y2"].to_numpy(float)
            else:
                z1 = (s["_swy"].to_numpy(float) - md * s["_sw"].to_numpy(float)) / Wd
                z2 = (s["_sw2y2"].to_numpy(float) - 2 * md * s["_sw2y"].to_numpy(float)
                      + md * md * s["_sw2"].to_numpy(float)) / (Wd * Wd)
            parts = pd.DataFrame({"_h": s["_h"], "_d": s["_d"], "z1": z1, "z2": z2})
        hd = parts.groupby(["_h", "_d"], sort=False, dropna=False)[["z1", "z2"]].sum()
        hd = hd.reset_index().merge(self._info, on="_h", how="left")
        contrib = hd["z2"] - hd["_centre"] * hd["z1"] ** 2
        if self.lonely_psu == "average" and self._info["_lonely"].any():
            okh = ~hd["_lonely"].astype(bool)
            v = (hd["_scale"] * contrib).where(okh, 0.0).groupby(hd["_d"]).sum()
            v = v * self._n_strata / max(int((~self._info["_lonely"]).sum()), 1)
        else:
            v = (hd["_scale"] * contrib).groupby(hd["_d"]).sum()
        var_d = v.reindex(G.index).fillna(0.0).to_numpy(float)
        n = G["_n"].to_numpy(float)
        Wv, WY, WY2 = W.to_numpy(float), G["_swy"].to_numpy(float), G["_swy2"].to_numpy(float)
        mv = m.to_numpy(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            wss = WY2 - 2 * mv * WY + mv * mv * Wv
            svar = wss / Wv * n / (n - 1)
            vsrs_mean = np.where(Wv > n, svar * (Wv - n) / (Wv * n), svar / n)
            est = WY if total else mv
            vsrs = vsrs_mean * Wv**2 if total else vsrs_mean
            deff = var_d / vsrs
        se = np.sqrt(var_d)
        out = pd.DataFrame({"variable": var}, index=range(len(G)))
        for b in dkeys:
            out[b] = G[b].to_numpy()
        out["estimate"] = est
        out["se"] = se
        out["ci_low"] = est - _Z975 * se
        out["ci_high"] = est + _Z975 * se
        out["deff"] = deff
        out["n"] = n.astype(np.int64)
        if not by and not len(out):
            out = pd.DataFrame({"variable": [var], "estimate": [np.nan], "se": [np.nan],
                                "ci_low": [np.nan], "ci_high": [np.nan], "deff": [np.nan],
                                "n": [0]})
        return _sort_keys(out, dkeys) if by else out

    def mean(self, var: str | Sequence[str]) -> pd.DataFrame:
        """Weighted mean with its design-based standard error (as ``Design.mean``)."""
        return self._estimate(var, [], total=False)

    def total(self, var: str | Sequence[str]) -> pd.DataFrame:
        """Weighted total with its design-based standard error (as ``Design.total``)."""
        return self._estimate(var, [], total=True)

    def by(self, group: str | Sequence[str]) -> _LargeBy:
        """Domain estimates by `group` (as ``Design.by``): ``.mean`` and ``.total``."""
        groups = [group] if isinstance(group, str) else list(group)
        _require(self.data, groups, "group")
        return _LargeBy(self, groups)

    def _unavailable(self, name: str) -> Any:
        msg = (f"`Design.{name}` is not available for large data (LazyTable or Dask). Use "
               "`.mean`/`.total` (a share is the mean of a yes/no column), or bring the needed "
               "columns into pandas (`.to_pandas()` on a filtered LazyTable).")
        raise NotImplementedError(msg)

    def prop(self, var: str | Sequence[str]) -> pd.DataFrame:
        """Not available for large data (raises NotImplementedError)."""
        return self._unavailable("prop")

    def quantile(self, var: str, q: float | Sequence[float] = 0.5) -> pd.DataFrame:
        """Not available for large data (raises NotImplementedError)."""
        return self._unavailable("quantile")

    def crosstab(self, row: str, col: str) -> pd.DataFrame:
        """Not available for large data (raises NotImplementedError)."""
        return self._unavailable("crosstab")

    def __repr__(self) -> str:
        return (f"<Design ({self._engine}): {self._n:,} respondents, {self._n_psu:,} PSUs, "
                f"{self._n_strata} strata>")


class _LargeBy:
    def __init__(self, design: LargeDesign, groups: list[str]) -> None:
        self.design = design
        self.groups = groups

    def mean(self, var: str | Sequence[str]) -> pd.DataFrame:
        return self.design._estimate(var, self.groups, total=False)

    def total(self, var: str | Sequence[str]) -> pd.DataFrame:
        return self.design._estimate(var, self.groups, total=True)

    def __repr__(self) -> str:
        return f"<Design by {', '.join(self.groups)}>"
