"""One kernel for the process measures: rates, Kaplan-Meier curves and medians of every group.

``tk.stats.sessions``, ``tk.stats.submissions``, ``tk.stats.km_curve`` (in
memory) and the DuckDB/Dask path of ``submissions`` (``_process_large``, which
counts in the engine) all call these functions. Each takes group codes (0 … G-1,
one per row or per counted cell) and computes the estimates of all groups at
once: counts with ``bincount``, one sort of the (group, time) cells, cumulative
sums along each group.

The numbers are those of one statsmodels fit per group: Wilson and
Clopper-Pearson intervals (``proportion_confint``), the Kaplan-Meier estimator
with Greenwood standard errors and the median with its cloglog confidence
interval (``SurvfuncRight``, ``quantile``, ``quantile_ci``), pointwise log-log
limits of the curve (R ``survfit(conf.type = "log-log")``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from toolkit.errors import ArgumentError, ColumnNotFoundError, ValidationError

__all__ = [
    "CLAIMS",
    "CLAIM_COLUMNS",
    "FLAG_SOURCE",
    "KM_COLUMNS",
    "LAG_COLUMNS",
    "RATE_COLUMNS",
    "claim_rows",
    "end_of_data",
    "group_codes",
    "km_groups",
    "rate_rows",
    "response_times",
    "submission_flags",
    "yes_no_series",
]

RATE_COLUMNS = ["measure", "unit", "successes", "n", "estimate", "ci_low", "ci_high"]
LAG_COLUMNS = ["measure", "n", "n_events", "n_censored", "median_days", "ci_low", "ci_high",
               "n_excluded"]
KM_COLUMNS = ["group", "time", "survival", "ci_low", "ci_high", "at_risk", "events"]
CLAIM_COLUMNS = ["measure", "claimed", "successes", "n", "estimate", "ci_low", "ci_high",
                 "p_value"]
#: Claim key → the rate it tests (``submissions(claim=)``).
CLAIMS = {"adopted": "adoption_rate", "instructed": "instruction_rate",
          "responded": "response_rate"}
#: Claim key → the column of the submissions table it is read from.
FLAG_SOURCE = {"adopted": "adopted", "instructed": "instructions", "responded": "responded"}

#: Largest (groups x distinct times) grid laid out densely; past it the cells are sorted.
_DENSE_CELLS = 5_000_000


# ---------------------------------------------------------------------------
# yes/no columns
# ---------------------------------------------------------------------------


def yes_no_series(s: pd.Series, *, column: str, table: str = "given") -> pd.Series:
    """Nullable boolean of a yes/no column, read by :func:`toolkit.schema.yes_no`.

    Raises
    ------
    ValidationError
        Naming every cell (column, row label, value) that is not a yes/no answer.
    """
    from toolkit.schema import yes_no

    if str(s.dtype) == "boolean" or pd.api.types.is_bool_dtype(s.dtype):
        return s.astype("boolean")
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    value = np.zeros(len(uniques) + 1, dtype=bool)
    missing = np.ones(len(uniques) + 1, dtype=bool)
    bad = []
    for i, u in enumerate(uniques):
        try:
            out = yes_no(u)
        except ValueError:
            bad.append(i)
            continue
        if out is not None:
            value[i], missing[i] = out, False
    if bad:
        raise _not_yes_no(s, codes, uniques, bad, column=column, table=table)
    idx = np.where(codes < 0, len(uniques), codes)
    return pd.Series(pd.arrays.BooleanArray(value[idx], missing[idx]), index=s.index,
                     name=s.name)


def _not_yes_no(s: pd.Series, codes: np.ndarray, uniques: Any, bad: list[int], *,
                column: str, table: str) -> ValidationError:
    return not_yes_no_error([(uniques[i], list(s.index[codes == i])) for i in bad],
                            column=column, table=table)


def not_yes_no_error(bad: Sequence[tuple[Any, Sequence[Any]]], *, column: str, table: str
                     ) -> ValidationError:
    """The error for cells of a yes/no column that hold something else.

    `bad` holds ``(value, row labels)``; an empty list of rows (a lazy table)
    gives one problem for the value.
    """
    from toolkit.errors import PROBLEM_COLUMNS

    rows = []
    for value, labels in bad:
        for label in list(labels) or [None]:
            rows.append({"table": table, "file": None, "sheet": None, "row": label,
                         "column": column, "value": value, "check": "not_yes_no",
                         "severity": "error",
                         "problem": f"`{value}` is not a yes/no answer.",
                         "fix": "Write 是/否 (有/无, √/×, 已/未, yes/no, 1/0) or leave the "
                                "cell empty.",
                         "problem_zh": f"“{value}”不是“是/否”类答案。",
                         "fix_zh": "请填写 是/否（有/无、√/×、已/未、1/0），或留空。"})
    problems = pd.DataFrame(rows, columns=PROBLEM_COLUMNS)
    values = ", ".join(repr(v) for v, _ in bad)
    msg = (f"Column `{column}` of the {table} table must hold yes/no answers; it also holds "
           f"{values} ({len(problems)} problem(s); rows are the table's index labels).")
    return ValidationError(problems, msg)


# ---------------------------------------------------------------------------
# inputs shared by the in-memory and the Dask path
# ---------------------------------------------------------------------------


def end_of_data(*dates: pd.Series | None) -> pd.Timestamp:
    """The end of the data: the latest of the given dates (NaT when there are none)."""
    values = [pd.to_datetime(d, errors="coerce").max() for d in dates if d is not None]
    values = [v for v in values if pd.notna(v)]
    return max(values) if values else pd.NaT


def submission_flags(frame: pd.DataFrame) -> pd.DataFrame:
    """The yes/no flags ``adopted``, ``instructed`` (instructions > 0) and ``responded``."""
    flags = pd.DataFrame(index=frame.index)
    if "adopted" in frame.columns:
        flags["adopted"] = yes_no_series(frame["adopted"], column="adopted",
                                         table="submissions")
    if "instructions" in frame.columns:
        k = pd.to_numeric(frame["instructions"], errors="coerce")
        flags["instructed"] = (k > 0).astype("boolean").where(k.notna(), pd.NA)
    if "responded" in frame.columns:
        flags["responded"] = yes_no_series(frame["responded"], column="responded",
                                           table="submissions")
    return flags


def response_times(start: pd.Series, done: np.ndarray, stop_date: pd.Series, end: Any
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Days from `start` to the event (`stop_date` where `done`) or to `end` (censored).

    Returns ``time`` (NaN for rows left out: a negative or unknown lag, or an
    event without its date) and ``event`` (1.0/0.0). Whole days, rounded down
    as ``Timedelta.days`` does.
    """
    a = _datetime64(start)
    b = _datetime64(stop_date).astype(a.dtype)
    unit = np.datetime_data(a.dtype)[0]
    per_day = int(np.timedelta64(1, "D") / np.timedelta64(1, unit))
    nat = np.iinfo(np.int64).min
    ai, bi = a.view(np.int64), b.view(np.int64)
    if pd.isna(end):
        end_i = nat
    else:
        end = pd.Timestamp(end)
        end = end.tz_convert("UTC").tz_localize(None) if end.tzinfo is not None else end
        end_i = np.datetime64(end).astype(a.dtype).view(np.int64)
    stop = np.where(done, bi, end_i)
    bad = (ai == nat) | (stop == nat)
    days = np.floor_divide(stop - ai, per_day).astype(float)
    days[bad | (days < 0)] = np.nan
    return days, done.astype(float)


def _datetime64(s: pd.Series) -> np.ndarray:
    """The values of a date column as numpy datetime64 (time zones converted to UTC)."""
    values = s.to_numpy()
    if values.dtype.kind == "M":
        return values
    s = pd.to_datetime(s, errors="coerce")
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_convert("UTC").dt.tz_localize(None)
    return s.to_numpy()


def group_codes(frame: pd.DataFrame, by: list[str], *, dropna: bool = False
                ) -> tuple[np.ndarray, pd.DataFrame]:
    """Group index of every row (``-1`` for a dropped missing key) and the keys of the groups.

    Groups are in the order of ``frame.groupby(by, sort=True, observed=True)``
    (missing keys last, kept unless `dropna`).
    """
    if not by:
        return np.zeros(len(frame), dtype=np.int64), pd.DataFrame(index=range(1))
    fast = _factor_codes(frame, by, dropna=dropna)
    if fast is not None:
        return fast
    gb = frame.groupby(by, sort=True, observed=True, dropna=dropna)
    codes = gb.ngroup().to_numpy(dtype=np.int64)
    keys = gb.size().index.to_frame(index=False)
    return codes, keys


def _factor_codes(frame: pd.DataFrame, by: list[str], *, dropna: bool
                  ) -> tuple[np.ndarray, pd.DataFrame] | None:
    """:func:`group_codes` from one factorisation per column and a grid of their codes."""
    parts = []
    for b in by:
        col = frame[b]
        if isinstance(col.dtype, pd.CategoricalDtype):
            codes = col.cat.codes.to_numpy(dtype=np.int64)
            values = pd.Categorical.from_codes(np.arange(len(col.cat.categories)),
                                               dtype=col.dtype)
        else:
            try:
                codes, values = pd.factorize(col, sort=True, use_na_sentinel=True)
            except TypeError:  # values that do not sort together: as groupby does
                return None
            codes = codes.astype(np.int64, copy=False)
        size = len(values)
        if not dropna:  # missing keys form the last group of the column
            codes = np.where(codes < 0, size, codes)
            size += 1
        parts.append((codes, values, size))
    space = int(np.prod([p[2] for p in parts], dtype=np.float64))
    if space > max(_DENSE_CELLS, 2 * len(frame)):
        return None
    combined = np.zeros(len(frame), dtype=np.int64)
    missing = np.zeros(len(frame), dtype=bool)
    for codes, _, size in parts:
        missing |= codes < 0
        combined = combined * size + codes
    combined[missing] = space  # a dropped missing key
    seen = np.bincount(combined, minlength=space + 1)[:space] > 0
    lookup = np.full(space + 1, -1, dtype=np.int64)
    present = np.flatnonzero(seen)
    lookup[present] = np.arange(len(present))
    keys = {}
    rest = present
    for b, (_, values, size) in zip(reversed(by), reversed(parts), strict=True):
        idx = rest % size
        rest = rest // size
        taken = np.where(idx < len(values), idx, -1)
        keys[b] = pd.Index(values).take(taken, allow_fill=True) if (taken < 0).any() else \
            pd.Index(values).take(taken)
    out = pd.DataFrame({b: np.asarray(keys[b], dtype=object) if keys[b].dtype == object
                        else keys[b] for b in by})
    return lookup[combined], out


def labels_of(keys: pd.DataFrame, by: list[str]) -> list[str]:
    """Curve labels: the group's values joined by " / " (``"all"`` without groups)."""
    if not by:
        return ["all"]

    def text(v: Any) -> str:  # a missing key reads "nan"
        return str(np.nan) if v is None or v is pd.NA or v is pd.NaT else str(v)

    cols = [[text(v) for v in keys[b].to_numpy(dtype=object)] for b in by]
    return [" / ".join(r) for r in zip(*cols, strict=True)]


# ---------------------------------------------------------------------------
# rates
# ---------------------------------------------------------------------------


def flag_counts(codes: np.ndarray, flag: pd.Series, n_groups: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """Successes and known answers of a nullable boolean flag in every group."""
    state = flag.to_numpy(dtype=np.int64, na_value=2)  # 0 no, 1 yes, 2 missing
    key = codes * 3 + state
    if len(codes) and codes.min() < 0:
        key = key[codes >= 0]
    tally = np.bincount(key, minlength=3 * n_groups).reshape(n_groups, 3)
    return tally[:, 1].astype(np.int64), (tally[:, 0] + tally[:, 1]).astype(np.int64)


def proportion_ci(k: np.ndarray, n: np.ndarray, level: float, method: str = "wilson"
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Estimates and intervals of k/n (NaN where n = 0), statsmodels ``proportion_confint``."""
    from statsmodels.stats.proportion import proportion_confint

    k = np.asarray(k, dtype=np.int64)
    n = np.asarray(n, dtype=np.int64)
    est = np.full(len(k), np.nan)
    lo = np.full(len(k), np.nan)
    hi = np.full(len(k), np.nan)
    has = n > 0
    if has.any():
        if method == "beta":  # element by element: the exact interval's scalar branches
            for i in np.flatnonzero(has):
                lo[i], hi[i] = proportion_confint(int(k[i]), int(n[i]), alpha=1 - level,
                                                  method=method)
        else:
            lo[has], hi[has] = proportion_confint(k[has], n[has], alpha=1 - level,
                                                  method=method)
        est[has] = k[has] / n[has]
    return est, lo, hi


def rate_rows(keys: pd.DataFrame, by: list[str],
              measures: Sequence[tuple[str, str, np.ndarray, np.ndarray]], level: float
              ) -> pd.DataFrame:
    """Rates of every group: rows group by group, measures in the given order.

    `measures` holds ``(measure, unit, successes, n)`` with one count per group.
    """
    n_groups = len(keys)
    n_measures = len(measures)
    if not n_measures or not n_groups:
        return pd.DataFrame(columns=[*by, *RATE_COLUMNS])
    order = np.arange(n_groups * n_measures)
    g, m = order // n_measures, order % n_measures  # group-major
    k = np.column_stack([x[2] for x in measures]).ravel()
    n = np.column_stack([x[3] for x in measures]).ravel()
    est, lo, hi = proportion_ci(k, n, level)
    out = keys.iloc[g].reset_index(drop=True) if by else pd.DataFrame(index=range(len(g)))
    out["measure"] = np.array([x[0] for x in measures], dtype=object)[m]
    out["unit"] = np.array([x[1] for x in measures], dtype=object)[m]
    out["successes"], out["n"] = k, n
    out["estimate"], out["ci_low"], out["ci_high"] = est, lo, hi
    return out


def claim_rows(claim: Mapping[str, float] | None, totals: Mapping[str, tuple[int, int]],
               level: float) -> pd.DataFrame:
    """Tests of claimed proportions from the overall counts ``{claim key: (successes, n)}``.

    Clopper-Pearson interval and a two-sided exact binomial test (scipy
    ``binomtest``).
    """
    from scipy import stats

    rows = []
    for measure, p0 in (claim or {}).items():
        if measure not in CLAIMS:
            msg = (f"Unknown claim {measure!r} in `claim`; use {', '.join(CLAIMS)} "
                   "(e.g. claim={'instructed': 1.0}).")
            raise ArgumentError(msg)
        if not 0 <= float(p0) <= 1:
            msg = f"The claimed proportion for {measure!r} must be between 0 and 1, not {p0}."
            raise ArgumentError(msg)
        if measure not in totals:
            msg = (f"The claim {measure!r} needs the column `{FLAG_SOURCE[measure]}` in the "
                   "submissions table.")
            raise ColumnNotFoundError(msg)
        k, n = totals[measure]
        est, lo, hi = proportion_ci(np.array([k]), np.array([n]), level, method="beta")
        p = stats.binomtest(int(k), int(n), float(p0)).pvalue if n else np.nan
        rows.append({"measure": measure, "claimed": float(p0), "successes": int(k),
                     "n": int(n), "estimate": est[0], "ci_low": float(lo[0]),
                     "ci_high": float(hi[0]), "p_value": float(p)})
    return pd.DataFrame(rows, columns=CLAIM_COLUMNS)


# ---------------------------------------------------------------------------
# Kaplan-Meier
# ---------------------------------------------------------------------------


def _cells(codes: np.ndarray, time: np.ndarray, event: np.ndarray, count: np.ndarray | None,
           n_groups: int) -> tuple[np.ndarray, ...]:
    """Distinct (group, time) cells in group then time order: group, time, events, count."""
    if not len(time):
        empty = np.zeros(0)
        return np.zeros(0, dtype=np.int64), empty, empty, empty
    weighted = event if count is None else event * count
    lo, hi = time.min(), time.max()
    if n_groups * (hi - lo + 1) <= _DENSE_CELLS:
        whole = time.astype(np.int64)
        if np.array_equal(whole, time):
            # whole-number times (days): a dense grid, no sort
            span = int(hi - lo) + 1
            key = codes * span + (whole - int(lo))
            size = n_groups * span
            if count is None and np.array_equal(event, event.astype(bool)):
                both = np.bincount(key * 2 + event.astype(np.int64), minlength=2 * size)
                d = both[1::2].astype(float)
                m = both[0::2] + both[1::2]
            else:
                m = np.bincount(key, weights=count, minlength=size)
                d = np.bincount(key, weights=weighted, minlength=size)
            cell = np.flatnonzero(m > 0)
            return cell // span, lo + (cell % span).astype(float), d[cell], \
                m[cell].astype(float)
    utime, rtime = np.unique(time, return_inverse=True)
    key = codes * len(utime) + rtime
    ukey, inv = np.unique(key, return_inverse=True)
    m = np.bincount(inv, weights=count).astype(float)
    d = np.bincount(inv, weights=weighted)
    return ukey // len(utime), utime[ukey % len(utime)], d, m


def _cumsum_by_group(values: np.ndarray, group: np.ndarray, first: np.ndarray,
                     n_groups: int) -> np.ndarray:
    """Cumulative sums restarting at each group (`group` sorted; `first` its first index).

    Each group's sums are ``np.cumsum`` of its values, bit for bit (what one
    statsmodels fit per group gives): the groups are laid out as rows of a grid,
    padded with zeros at the end, and summed along the rows, in batches of
    consecutive groups that keep the grid small.
    """
    out = np.empty(len(values))
    if not len(values):
        return out
    length = np.diff(np.r_[first, len(values)])
    pos = np.arange(len(values)) - first[group]
    g0 = 0
    while g0 < n_groups:
        # the longest run of groups whose grid stays under the limit
        width = np.maximum.accumulate(length[g0:])
        fits = np.flatnonzero((np.arange(1, len(width) + 1) * width) <= _DENSE_CELLS)
        g1 = g0 + (int(fits[-1]) + 1 if len(fits) else 1)
        lo, hi = first[g0], (first[g1] if g1 < n_groups else len(values))
        if hi > lo:
            w = int(length[g0:g1].max())
            grid = np.zeros((g1 - g0, w))
            gi = group[lo:hi] - g0
            grid[gi, pos[lo:hi]] = values[lo:hi]
            out[lo:hi] = np.cumsum(grid, axis=1)[gi, pos[lo:hi]]
        g0 = g1
    return out


def km_groups(codes: np.ndarray, time: np.ndarray, event: np.ndarray, n_groups: int, *,
              count: np.ndarray | None = None, level: float = 0.95,
              labels: Sequence[Any] | None = None, measure: str = "days_to_response"
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Kaplan-Meier estimates of every group at once.

    Parameters
    ----------
    codes : array of int
        Group of each row or counted cell (``0 … n_groups - 1``; ``-1`` is dropped).
    time, event : arrays of float
        Follow-up time (NaN: the row is left out and counted in ``n_excluded``)
        and event indicator (1.0 event, 0.0 censored).
    count : array of int, optional
        Number of rows each entry stands for (the large-data path's counts).
    labels : sequence, optional
        Value of the ``group`` column of each group's curve.

    Returns
    -------
    lags : pandas.DataFrame
        One row per group, :data:`LAG_COLUMNS`.
    km : pandas.DataFrame
        :data:`KM_COLUMNS`: for each group a row at time 0 (survival 1) and one
        per distinct event time.
    """
    from scipy import stats

    codes = np.asarray(codes, dtype=np.int64)
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=float)
    count = None if count is None else np.asarray(count, dtype=float)
    valid = ~np.isnan(time)
    if len(codes) and codes.min() < 0:
        valid &= codes >= 0
    excluded = np.zeros(n_groups)
    if valid.all():
        c, t, e, w = codes, time, event, count
    else:
        out = ~valid & (codes >= 0)
        excluded = np.bincount(codes[out], weights=None if count is None else count[out],
                               minlength=n_groups)
        c, t, e = codes[valid], time[valid], event[valid]
        w = None if count is None else count[valid]
    cg, ct, cd, cm = _cells(c, t, e, w, n_groups)
    total = np.bincount(cg, weights=cm, minlength=n_groups)
    n_events = np.bincount(cg, weights=cd, minlength=n_groups)
    # at risk just before each cell's time: the group's count from that cell on
    before = np.cumsum(cm) - cm
    starts = np.searchsorted(cg, np.arange(n_groups))
    base = np.zeros(n_groups)
    has_cells = starts < len(cg)
    base[has_cells] = before[starts[has_cells]]
    n_risk = total[cg] - (before - base[cg])

    # event times only (statsmodels' compress=True)
    keep = cd > 0
    eg, et, d, n = cg[keep], ct[keep], cd[keep], n_risk[keep]
    first = np.searchsorted(eg, np.arange(n_groups))
    with np.errstate(divide="ignore", invalid="ignore"):
        sp = 1 - d / n
        small = sp < 1e-16
        sp[small] = 1e-16
        sp = np.exp(_cumsum_by_group(np.log(sp), eg, first, n_groups))
        sp[small] = 0
        denom = np.clip(n * (n - d), 1e-12, np.inf)
        gw = d / denom
        gw[(n == d) | (n == 0)] = np.nan
        se = np.sqrt(_cumsum_by_group(gw, eg, first, n_groups))
        locs = np.isfinite(se) | (sp != 0)
        se[locs] *= sp[locs]
        se[~locs] = np.nan

        # median (SurvfuncRight.quantile(0.5)) and its CI (quantile_ci, cloglog)
        tr = stats.norm.ppf(1 - (1 - level) / 2)
        r = np.log(-np.log(sp)) - np.log(-np.log(0.5))
        r /= (-1 / (sp * np.log(sp))) * se
        # pointwise limits of the curve on the log(-log) scale
        z = stats.norm.ppf((1 + level) / 2)
        v = se / (sp * np.abs(np.log(sp)))
        inner = (sp > 0) & (sp < 1)
        lo = np.where(inner, sp ** np.exp(z * v), sp)
        hi = np.where(inner, sp ** np.exp(-z * v), sp)

    median = np.full(n_groups, np.nan)
    fb, _ = _first_last(np.flatnonzero(sp < 0.5), eg, n_groups)
    median[fb >= 0] = et[fb[fb >= 0]]
    ci_low = np.full(n_groups, np.nan)
    ci_high = np.full(n_groups, np.nan)
    fo, la = _first_last(np.flatnonzero(np.abs(r) <= tr), eg, n_groups)
    ok = fo >= 0
    ci_low[ok] = et[fo[ok]]
    group_last = np.r_[first[1:], len(eg)] - 1
    at_end = ok & (la == group_last)
    ci_high[at_end] = np.inf
    mid = ok & ~at_end
    ci_high[mid] = et[la[mid] + 1]

    lags = pd.DataFrame({
        "measure": measure, "n": total.astype(np.int64),
        "n_events": n_events.astype(np.int64),
        "n_censored": (total - n_events).astype(np.int64), "median_days": median,
        "ci_low": ci_low, "ci_high": ci_high, "n_excluded": excluded.astype(np.int64)},
        index=range(n_groups))

    # curves: a row at time 0 for each group, then its event times
    length = np.bincount(eg, minlength=n_groups)
    offset = np.arange(n_groups) + np.r_[0, np.cumsum(length)[:-1]]
    rows = n_groups + len(eg)
    at = offset[eg] + 1 + (np.arange(len(eg)) - first[eg])

    def column(head: np.ndarray, body: np.ndarray, dtype: Any) -> np.ndarray:
        out = np.empty(rows, dtype=dtype)
        out[offset], out[at] = head, body
        return out

    ones = np.ones(n_groups)
    group = np.empty(rows, dtype=object)
    labs = np.empty(n_groups, dtype=object)
    labs[:] = list(labels) if labels is not None else list(range(n_groups))
    group[offset], group[at] = labs, labs[eg]
    km = pd.DataFrame({
        "group": group, "time": column(np.zeros(n_groups), et, float),
        "survival": column(ones, sp, float), "ci_low": column(ones, lo, float),
        "ci_high": column(ones, hi, float),
        "at_risk": column(total.astype(np.int64), n.astype(np.int64), np.int64),
        "events": column(np.zeros(n_groups, np.int64), d.astype(np.int64), np.int64)})
    return lags, km


def _first_last(hits: np.ndarray, group: np.ndarray, n_groups: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """First and last index in `hits` (sorted) of each group (-1 for none)."""
    first = np.full(n_groups, -1, dtype=np.int64)
    last = np.full(n_groups, -1, dtype=np.int64)
    if len(hits):
        g = group[hits]
        new = np.r_[True, g[1:] != g[:-1]]
        end = np.r_[g[1:] != g[:-1], True]
        first[g[new]] = hits[new]
        last[g[end]] = hits[end]
    return first, last
