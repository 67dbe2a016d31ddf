"""Large-data kernel of ``tk.stats.submissions``: grouped counts inside DuckDB or Dask.

The counts (flags by group, and (time, event) pairs) are computed in the engine;
rates and Kaplan-Meier curves are then computed from them in pandas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from toolkit._checks import require_columns
from toolkit._engines import columns, dask_parts, duck_type, engine, quote, sort_keys, sql
from toolkit.errors import ColumnNotFoundError

__all__ = ["submissions"]

_YES = ("是", "yes", "true", "1", "y", "已", "已落实")
_NO = ("否", "no", "false", "0", "n", "未", "未落实")


def _bool_sql(data: Any, col: str) -> str:
    """SQL for a yes/no column as ``process._bool`` reads it (booleans, numbers, 是/否)."""
    t = duck_type(data, col)
    c = quote(col)
    if t == "BOOLEAN":
        return c
    if t.startswith(("VARCHAR", "STRING", "TEXT")):
        yes = ", ".join("'" + v + "'" for v in _YES)
        no = ", ".join("'" + v + "'" for v in _NO)
        return (f"(CASE WHEN lower(trim({c})) IN ({yes}) THEN TRUE "
                f"WHEN lower(trim({c})) IN ({no}) THEN FALSE ELSE NULL END)")
    return f"(CASE WHEN {c} IS NULL OR isnan(CAST({c} AS DOUBLE)) THEN NULL ELSE {c} <> 0 END)"


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


def _sub_flagssql(data: Any) -> dict[str, str]:
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
    cols = columns(data)
    dt = "TRY_CAST(\"date\" AS TIMESTAMP)"
    rd = "TRY_CAST(\"response_date\" AS TIMESTAMP)"
    first = [f"max({dt}) AS d"] + ([f"max({rd}) AS r"] if "response_date" in cols else [])
    ends = sql(data, f"SELECT {', '.join(first)} FROM {{t}}")
    end = _end(*ends.iloc[0].tolist())
    flags = _sub_flagssql(data)
    inner = [quote(b) for b in by]
    params: list = []
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
    cells = sql(data, query, params or None)
    return _cells_to_agg(cells, by, list(flags), has_lag=has_lag)


def _sub_dask(data: Any, by: list[str], *, has_lag: bool
              ) -> tuple[pd.DataFrame, pd.DataFrame | None, list[str]]:
    """As :func:`_sub_duckdb` on a Dask DataFrame: a pass over the dates, then one over all."""
    cols = ["date", "response_date"] if "response_date" in columns(data) else ["date"]
    end = _end(*pd.DataFrame(dask_parts(data[cols], _ends_dask)).max().tolist())
    needed = [*by, "date", "adopted", "instructions", "responded", "response_date"]
    parts = dask_parts(data, lambda p: _sub_cells_dask(p, by, end, has_lag=has_lag),
                        [c for c in needed if c in columns(data)])
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
    require_columns(data, {"date": "date", "by": by})
    cols = columns(data)
    has_lag = "response_date" in cols and "responded" in cols
    kind = engine(data)
    if kind == "duckdb":
        agg, lc, flag_names = _sub_duckdb(data, by, has_lag=has_lag)
    else:
        agg, lc, flag_names = _sub_dask(data, by, has_lag=has_lag)
    agg = sort_keys(agg, by)

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
