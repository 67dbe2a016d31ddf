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


def _sql(data: Any, query: str, params: list | None = None) -> pd.DataFrame:
    """Run `query` against the LazyTable (``{t}`` in the query names it); a pandas result."""
    import threading

    con = data.connection
    view = f"_tk_view_{id(data):x}_{threading.get_ident():x}"
    data.relation.create_view(view, replace=True)
    try:
        return con.execute(query.replace("{t}", view), params or []).df()
    finally:
        con.execute(f"DROP VIEW IF EXISTS {view}")


def _dask_parts(ddf: Any, fn: Callable[[pd.DataFrame], Any]) -> list[Any]:
    """``fn`` applied to every partition on the active Dask scheduler; the pandas results."""
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


def _km_counts(time: np.ndarray, event: np.ndarray, count: np.ndarray) -> Any:
    """Kaplan-Meier of statsmodels (Greenwood SEs) from counts of (time, event) pairs.

    ``SurvfuncRight(time, status)`` on the expanded rows gives the same curve;
    its ``freq_weights`` would switch to Tsiatis' standard errors, hence this.
    """
    from statsmodels.duration.survfunc import SurvfuncRight

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
    sf = SurvfuncRight.__new__(SurvfuncRight)
    sf.surv_prob, sf.surv_prob_se, sf.surv_times = sp, se, utime
    sf.n_risk, sf.n_events = n, d
    sf.title = ""
    return sf


def _lag_counts(measure: str, time: np.ndarray, event: np.ndarray, count: np.ndarray,
                excluded: int, level: float) -> dict[str, Any]:
    """As ``process._lag``, from counts."""
    n = int(count.sum())
    ev = int((event * count).sum())
    row = {"measure": measure, "n": n, "n_events": ev, "n_censored": n - ev,
           "median_days": np.nan, "ci_low": np.nan, "ci_high": np.nan, "n_excluded": excluded}
    if n and ev:
        sf = _km_counts(time, event, count)
        row["median_days"] = float(sf.quantile(0.5))
        with np.errstate(divide="ignore", invalid="ignore"):
            lo, hi = sf.quantile_ci(0.5, alpha=1 - level)
        row["ci_low"], row["ci_high"] = float(lo), float(hi)
    return row


def _curve_counts(time: np.ndarray, event: np.ndarray, count: np.ndarray, group: Any,
                  level: float) -> pd.DataFrame:
    """As ``process._curve``, from counts."""
    from scipy import stats

    n = int(count.sum())
    start = pd.DataFrame({"group": [group], "time": [0.0], "survival": [1.0], "ci_low": [1.0],
                          "ci_high": [1.0], "at_risk": [n], "events": [0]})
    if n == 0 or (event * count).sum() == 0:
        return start
    sf = _km_counts(time, event, count)
    s = np.asarray(sf.surv_prob, dtype=float)
    se = np.asarray(sf.surv_prob_se, dtype=float)
    z = stats.norm.ppf((1 + level) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = se / (s * np.abs(np.log(s)))
        lo = np.where((s > 0) & (s < 1), s ** np.exp(z * v), s)
        hi = np.where((s > 0) & (s < 1), s ** np.exp(-z * v), s)
    body = pd.DataFrame({"group": group, "time": np.asarray(sf.surv_times, dtype=float),
                         "survival": s, "ci_low": lo, "ci_high": hi,
                         "at_risk": np.asarray(sf.n_risk).astype(int),
                         "events": np.asarray(sf.n_events).astype(int)})
    return pd.concat([start, body], ignore_index=True)


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


def _sub_pass1_dask(part: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    flags = _sub_flags_pandas(part)
    out = pd.DataFrame(index=part.index)
    for b in by:
        out[b] = part[b]
    out["_all"] = 0
    for f in flags.columns:
        out[f"{f}_k"] = flags[f].fillna(value=False).astype(np.int64)
        out[f"{f}_n"] = flags[f].notna().astype(np.int64)
    keys = [*by, "_all"]
    agg = out.groupby(keys, dropna=False, observed=True, sort=False).sum().reset_index()
    dates = pd.to_datetime(part["date"], errors="coerce")
    agg["_max_date"] = dates.max()
    if "response_date" in part.columns:
        agg["_max_rdate"] = pd.to_datetime(part["response_date"], errors="coerce").max()
    return agg


def _sub_pass2_dask(part: pd.DataFrame, by: list[str], end: pd.Timestamp) -> pd.DataFrame:
    from toolkit.stats.process import _bool

    dates = pd.to_datetime(part["date"], errors="coerce")
    rd = pd.to_datetime(part["response_date"], errors="coerce")
    done = _bool(part["responded"]).fillna(value=False).to_numpy(dtype=bool)
    stop = rd.where(done, end)
    days = (stop - dates).dt.days.astype(float)
    ok = (days.notna() & (days >= 0)).to_numpy() & ~(done & rd.isna().to_numpy())
    out = pd.DataFrame({b: part[b] for b in by} | {"_all": 0}, index=part.index)
    out["_time"] = np.where(ok, days.to_numpy(), np.nan)
    out["_event"] = np.where(ok, done.astype(float), np.nan)
    out["_count"] = 1
    keys = [*by, "_all", "_time", "_event"]
    return out.groupby(keys, dropna=False, observed=True, sort=False)["_count"].sum() \
        .reset_index()


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
        flags = _sub_flags_sql(data)
        keys = ", ".join(_q(b) for b in by)
        sel = [f"{_q(b)}" for b in by]
        for f, expr in flags.items():
            sel.append(f"count(*) FILTER (WHERE {expr}) AS {_q(f + '_k')}")
            sel.append(f"count({expr}) AS {_q(f + '_n')}")
        sel.append("max(TRY_CAST(\"date\" AS TIMESTAMP)) AS _max_date")
        if "response_date" in cols:
            sel.append("max(TRY_CAST(\"response_date\" AS TIMESTAMP)) AS _max_rdate")
        query = f"SELECT {', '.join(sel)} FROM {{t}}" + (f" GROUP BY {keys}" if by else "")
        agg = _sql(data, query)
        flag_names = list(flags)
    else:
        parts = _dask_parts(data, lambda p: _sub_pass1_dask(p, by))
        raw = pd.concat(parts, ignore_index=True)
        flag_names = [f for f in _FLAG_SOURCE if f"{f}_k" in raw.columns]
        sums = {c: "sum" for c in raw.columns if c.endswith(("_k", "_n"))}
        sums["_max_date"] = "max"
        if "_max_rdate" in raw.columns:
            sums["_max_rdate"] = "max"
        agg = raw.groupby([*by, "_all"], dropna=False, observed=True, sort=False).agg(sums)
        agg = agg.reset_index().drop(columns="_all")
    ends = [pd.Timestamp(agg["_max_date"].max())]
    if "_max_rdate" in agg.columns:
        ends.append(pd.Timestamp(agg["_max_rdate"].max()))
    ends = [e for e in ends if pd.notna(e)]
    end = max(ends) if ends else pd.NaT
    agg = _sort_keys(agg, by)

    lag_counts: dict[tuple, pd.DataFrame] = {}
    if has_lag:
        if kind == "duckdb":
            done = f"coalesce({_bool_sql(data, 'responded')}, FALSE)"
            rd = "TRY_CAST(\"response_date\" AS TIMESTAMP)"
            dt = "TRY_CAST(\"date\" AS TIMESTAMP)"
            stop = f"(CASE WHEN {done} THEN {rd} ELSE ?::TIMESTAMP END)"
            days = f"floor((epoch_us({stop}) - epoch_us({dt})) / 86400000000.0)"
            ok = f"({days} IS NOT NULL AND {days} >= 0 AND NOT ({done} AND {rd} IS NULL))"
            inner = ", ".join([*(_q(b) for b in by),
                               f"CASE WHEN {ok} THEN {days} END AS _time",
                               f"CASE WHEN {ok} THEN CAST({done} AS DOUBLE) END AS _event"])
            gkeys = ", ".join([*(_q(b) for b in by), "_time", "_event"])
            query = (f"SELECT {gkeys}, count(*) AS _count FROM (SELECT {inner} FROM {{t}}) "
                     f"GROUP BY {gkeys}")
            n_params = query.count("?")
            lc = _sql(data, query, [end.to_pydatetime()] * n_params)
        else:
            parts = _dask_parts(data, lambda p: _sub_pass2_dask(p, by, end))
            lc = pd.concat(parts, ignore_index=True)
            lc = lc.groupby([*by, "_all", "_time", "_event"], dropna=False, observed=True,
                            sort=False)["_count"].sum().reset_index().drop(columns="_all")
        for key, sub in (lc.groupby(by, dropna=False, observed=True, sort=False)
                         if by else [((), lc)]):
            key = key if isinstance(key, tuple) else (key,)
            lag_counts[_key(key)] = sub

    rates, lags, curves = [], [], []
    for rec in agg.to_dict("records"):
        key = {b: rec[b] for b in by}
        for f, measure in P._CLAIMS.items():
            if f in flag_names:
                rates.append({**key, **_rate_counts(measure, "submission", int(rec[f + "_k"]),
                                                    int(rec[f + "_n"]), level)})
        if has_lag:
            sub = lag_counts.get(_key(list(key.values())), pd.DataFrame(
                columns=["_time", "_event", "_count"]))
            okrows = sub["_time"].notna()
            t = sub.loc[okrows, "_time"].to_numpy(float)
            e = sub.loc[okrows, "_event"].to_numpy(float)
            c = sub.loc[okrows, "_count"].to_numpy(float)
            excluded = int(sub.loc[~okrows, "_count"].sum())
            lags.append({**key, **_lag_counts("days_to_response", t, e, c, excluded, level)})
            label = " / ".join(map(str, key.values())) if key else "all"
            curves.append(_curve_counts(t, e, c, label, level))

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
    km = (pd.concat(curves, ignore_index=True).reindex(columns=P.KM_COLUMNS) if curves
          else pd.DataFrame(columns=P.KM_COLUMNS))
    return P.ProcessResult(
        "Submissions", by,
        rates=pd.DataFrame(rates, columns=[*by, *P.RATE_COLUMNS]),
        lags=pd.DataFrame(lags, columns=[*by, *P.LAG_COLUMNS]), km=km,
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


def _pairs(data: Any, actor: str, event: str, weight: str | None, agg: str,
           *, limit: int | None = None) -> pd.DataFrame:
    """Distinct actor–event pairs (with `weight` combined by `agg`), sorted, in pandas."""
    if agg in ("first", "last"):
        msg = (f"`agg={agg!r}` depends on row order, which a lazy or distributed table does not "
               "keep. Use 'sum', 'mean' or 'max', or keep the wanted row per pair first (e.g. "
               "`.filter(...)` on the latest date).")
        raise ValueError(msg)
    kind = engine(data)
    a, e = _q(actor), _q(event)
    if kind == "duckdb":
        bad = int(_sql(data, f"SELECT count(*) AS n FROM {{t}} WHERE {a} IS NULL OR {e} IS NULL"
                       )["n"].iloc[0])
    if kind == "duckdb" and weight is None:
        query = f"SELECT DISTINCT {a}, {e} FROM {{t}} WHERE {a} IS NOT NULL AND {e} IS NOT NULL"
    elif kind == "duckdb":
        w = _q(weight)
        t = _duck_type(data, weight)
        if agg == "sum":
            expr = f"coalesce(sum({w}), 0)"
            if t in _INT_TYPES:
                expr = f"CAST({expr} AS BIGINT)"
        elif agg == "mean":
            expr = f"avg({w})"
        else:
            expr = f"max({w})"
        query = (f"SELECT {a}, {e}, {expr} AS {w} FROM {{t}} WHERE {a} IS NOT NULL AND "
                 f"{e} IS NOT NULL GROUP BY {a}, {e}")
    if kind == "duckdb":
        query = f"SELECT * FROM ({query}) ORDER BY 1, 2"
        if limit is not None:
            query += f" LIMIT {int(limit) + 1}"
        pairs = _sql(data, query)
    else:
        parts = _dask_parts(data, lambda p: _pairs_partial(p, actor, event, weight, agg))
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
    pairs = _pairs(data, actor, event, weight, agg, limit=MAX_GRAPH_EDGES)
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


def _one(value: str | Sequence[str] | None, role: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    values = list(value)
    if len(values) == 1:
        return values[0]
    msg = (f"`{role}` with two stages is not available for large data (LazyTable or Dask); "
           "the first-stage (ultimate cluster) design is. Give one column, or read a sample "
           "into pandas for the two-stage variance.")
    raise DesignError(msg)


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
        cluster = _one(cluster, "cluster")
        fpc = _one(fpc, "fpc")
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
                                                                 weights))
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
            if np.all(fmax <= 1):
                f_h = fmin.copy()
                pop_h = n_h / np.where(f_h > 0, f_h, np.nan)
            else:
                pop_h = fmin
                if np.any(pop_h < n_h - 1e-9):
                    msg = (f"fpc column `{fpc}` gives a population smaller than the number of "
                           "sampled PSUs in some stratum; give the population number of PSUs "
                           "per stratum or the sampling fraction.")
                    raise DesignError(msg)
                f_h = n_h / pop_h
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
                                                                 rowwise=rowwise))
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
