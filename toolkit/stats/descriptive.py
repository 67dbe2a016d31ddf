r"""Descriptive tables: "Table 1" summaries, Likert item summaries, ordinal agreement.

Examples
--------
>>> df = pd.DataFrame({"q1": [1, 2, 4, 5, 5, 4], "town": ["A", "A", "A", "B", "B", "B"]})
>>> tk.stats.likert(df, items=["q1"], by="town")[["item", "town", "n", "mean", "top2"]]
  item town  n      mean      top2
0   q1    A  3  2.333333  0.333333
1   q1    B  3  4.666667  1.000000
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from toolkit._checks import as_table
from toolkit._values import as_numeric
from toolkit.errors import ColumnNotFoundError

__all__ = ["describe", "likert", "ordinal_agreement"]


# -- ordinal agreement indices --------------------------------------------------


@cache
def _pattern_agreement(pattern: tuple[int, ...]) -> float:
    """Van der Eijk's agreement of a 0/1 layer pattern (A = U (1 - (S-1)/(K-1)))."""
    k = len(pattern)
    s = sum(pattern)
    if s == 0:
        return np.nan
    if s == 1:
        return 1.0
    tu = tdu = 0
    for i, j, m in itertools.combinations(range(k), 3):
        trip = (pattern[i], pattern[j], pattern[m])
        if trip in ((1, 1, 0), (0, 1, 1)):
            tu += 1
        elif trip == (1, 0, 1):
            tdu += 1
    u = 1.0 if tu + tdu == 0 else ((k - 2) * tu - (k - 1) * tdu) / ((k - 2) * (tu + tdu))
    return u * (1 - (s - 1) / (k - 1))


def _van_der_eijk(freq: np.ndarray) -> float:
    v = np.asarray(freq, dtype=float).copy()
    total = v.sum()
    if total <= 0 or len(v) < 3:
        return np.nan
    a = 0.0
    while np.any(v > 1e-12 * total):
        nz = v > 1e-12 * total
        m = v[nz].min()
        a += m * nz.sum() / total * _pattern_agreement(tuple(int(x) for x in nz))
        v = np.where(nz, v - m, 0.0)
    return a


def _leik(freq: np.ndarray) -> float:
    v = np.asarray(freq, dtype=float)
    k = len(v)
    if v.sum() <= 0 or k < 2:
        return np.nan
    cum = np.cumsum(v) / v.sum()
    return float(2 * np.where(cum <= 0.5, cum, 1 - cum).sum() / (k - 1))


def _tastle_wierman(freq: np.ndarray) -> float:
    v = np.asarray(freq, dtype=float)
    k = len(v)
    if v.sum() <= 0 or k < 2:
        return np.nan
    p = v / v.sum()
    pos = np.arange(1, k + 1)
    if p.max() >= 1 - 1e-12:
        return 1.0
    mu = float((p * pos).sum())
    with np.errstate(divide="ignore"):
        terms = np.where(p > 0, p * np.log2(1 - np.abs(pos - mu) / (k - 1)), 0.0)
    return float(1 + terms.sum())


@cache
def _pattern_table(k: int) -> np.ndarray:
    """Agreement A of every 0/1 pattern of k categories, indexed by bit mask."""
    out = np.full(2**k, np.nan)
    for mask in range(1, 2**k):
        out[mask] = _pattern_agreement(tuple((mask >> i) & 1 for i in range(k)))
    return out


def _indices(dist: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Leik, van der Eijk's A and Tastle-Wierman for each row of a frequency table."""
    dist = np.asarray(dist, dtype=float)
    r, k = dist.shape
    nan = np.full(r, np.nan)
    if k < 2:
        return nan, nan, nan
    total = dist.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = dist / total[:, None]
        cum = np.cumsum(p, axis=1)
        leik = 2 * np.minimum(cum, 1 - cum).clip(min=0).sum(axis=1) / (k - 1)
        pos = np.arange(1, k + 1)
        mu = p @ pos
        ratio = 1 - np.abs(pos[None, :] - mu[:, None]) / (k - 1)
        terms = np.where(p > 0, p * np.log2(np.where(p > 0, ratio, 1.0)), 0.0)
        tw = np.where(p.max(axis=1) >= 1 - 1e-12, 1.0, 1 + terms.sum(axis=1))
    if k < 3:
        a = nan
    elif k <= 12:
        table = _pattern_table(k)
        srt = np.sort(dist, axis=1)
        steps = np.diff(srt, axis=1, prepend=0.0)
        bits = 1 << np.arange(k)
        a = np.zeros(r)
        for j in range(k):
            layer = dist >= srt[:, [j]]
            mask = layer.astype(np.int64) @ bits
            contrib = steps[:, j] * layer.sum(axis=1) * table[mask]
            a += np.where(steps[:, j] > 0, contrib, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            a = a / total
    else:
        a = np.array([_van_der_eijk(row) for row in dist])
    bad = ~(total > 0)
    return (np.where(bad, np.nan, leik), np.where(bad, np.nan, a), np.where(bad, np.nan, tw))


def ordinal_agreement(data: pd.Series | Sequence[float]) -> pd.DataFrame:
    r"""Agreement and dispersion of one ordered frequency distribution (R ``agrmt``).

    Parameters
    ----------
    data : pandas.Series or sequence of float
        Frequencies (or weighted counts, or shares) of the ordered response
        categories, lowest first — e.g. a Series indexed by the categories.
        Empty categories must be included (as 0).

    Returns
    -------
    pandas.DataFrame
        One row: ``n`` (sum of the frequencies), ``k`` (categories), ``leik``
        (Leik's ordinal dispersion, 0 = all in one category, 1 = split between
        the two extremes), ``van_der_eijk_a`` (agreement A: 1 unimodal, 0
        uniform, -1 bimodal), ``tastle_wierman`` (consensus, 1 = all in one
        category, 0 = split between the extremes).

    Notes
    -----
    With cumulative shares :math:`F_i`, Leik's
    :math:`D = \frac{2}{k-1}\sum_i \min(F_i, 1-F_i)` (agrmt ``Leik``).
    Van der Eijk's A decomposes the distribution into layers of equal
    frequency; each layer's 0/1 pattern has
    :math:`A = U\,(1-\frac{S-1}{K-1})` with :math:`S` non-empty categories and
    unimodality :math:`U=\frac{(K-2)TU-(K-1)TDU}{(K-2)(TU+TDU)}` from the
    triples agreeing (TU) and disagreeing (TDU) with unimodality; A is the
    layer-size weighted mean (agrmt ``agreement``). Tastle & Wierman:
    :math:`Cns = 1+\sum_i p_i\log_2(1-|i-\mu|/(k-1))` (agrmt ``consensus``).

    References
    ----------
    Leik, R. K. (1966). A measure of ordinal consensus. *Pacific Sociological
    Review* 9, 85-90. van der Eijk, C. (2001). Measuring agreement in ordered
    rating scales. *Quality & Quantity* 35, 325-341. Tastle, W. J., & Wierman,
    M. J. (2007). Consensus and dissention: a measure of ordinal dispersion.
    *International Journal of Approximate Reasoning* 45, 531-545. Test values:
    agrmt examples for V = (30, 40, 210, 130, 530, 50, 10): A = 0.6113333,
    Leik = 0.287, consensus = 0.7256876.

    Examples
    --------
    >>> tk.stats.ordinal_agreement([30, 40, 210, 130, 530, 50, 10]).round(4)
          n  k    leik  van_der_eijk_a  tastle_wierman
    0  1000  7  0.2867          0.6113          0.7257
    """
    v = np.asarray(data, dtype=float)
    if v.ndim != 1 or np.any(v < 0) or np.isnan(v).any():
        msg = "`data` must be a one-dimensional vector of non-negative frequencies."
        raise ValueError(msg)
    total = v.sum()
    return pd.DataFrame([{
        "n": int(total) if float(total).is_integer() else float(total),
        "k": len(v),
        "leik": _leik(v),
        "van_der_eijk_a": _van_der_eijk(v),
        "tastle_wierman": _tastle_wierman(v),
    }])


# -- helpers --------------------------------------------------------------------


def _frame_and_weights(data: Any, design: Any, *, where: str,
                       ) -> tuple[pd.DataFrame, np.ndarray | None]:
    data = as_table(data, "survey", where=where)
    if design is None:
        return data, None
    if len(design.data) != len(data) or not design.data.index.equals(data.index):
        msg = ("`design` was built on a different table from `data`; pass the design's own "
               "table (`design.data`) or rebuild the design on `data`.")
        raise ValueError(msg)
    return data, design._w


def _check(frame: pd.DataFrame, cols: Sequence[str], role: str) -> None:
    for c in cols:
        if c not in frame.columns:
            close = difflib.get_close_matches(str(c), [str(x) for x in frame.columns], n=3)
            hint = f" Did you mean {close}?" if close else ""
            msg = (f"Column `{c}` given in `{role}` is not in the data.{hint} "
                   f"Available: {list(frame.columns)}.")
            raise ColumnNotFoundError(msg)


def _group_codes(frame: pd.DataFrame, by: str | Sequence[str] | None,
                 ) -> tuple[np.ndarray, pd.DataFrame, list[str]]:
    if by is None:
        return np.zeros(len(frame), dtype=np.int64), pd.DataFrame(index=[0]), []
    cols = [by] if isinstance(by, str) else list(by)
    _check(frame, cols, "by")
    if len(cols) == 1:
        col = frame[cols[0]]
        if isinstance(col.dtype, pd.CategoricalDtype):
            codes = col.cat.codes.to_numpy().astype(np.int64)
            used = np.unique(codes[codes >= 0])
            remap = np.full(len(col.cat.categories), -1, dtype=np.int64)
            remap[used] = np.arange(len(used))
            g = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
            keys = pd.DataFrame({cols[0]: pd.Categorical.from_codes(used, dtype=col.dtype)})
            return g, keys, cols
        g, uniq = pd.factorize(col, sort=True)
        return g.astype(np.int64), pd.DataFrame({cols[0]: uniq}), cols
    g, uniq = pd.factorize(pd.MultiIndex.from_frame(frame[cols]), sort=True)
    return g.astype(np.int64), uniq.to_frame(index=False), cols


def _ordinal(col: pd.Series, points: Sequence[float] | None = None,
             ) -> tuple[np.ndarray, np.ndarray, list[Any]]:
    """Level number per row (1-based, 0 = missing), numeric code and label per level."""
    entry = (col.attrs.get("codebook") or {}).get(col.name) or {}
    labels_map = entry.get("value_labels") or {}
    if points is not None and not isinstance(col.dtype, pd.CategoricalDtype):
        labels_map = {p: labels_map.get(p, p) for p in points}
    if isinstance(col.dtype, pd.CategoricalDtype):
        cats = list(col.cat.categories)
        if labels_map:
            to_code = {str(lab): code for code, lab in labels_map.items()}
            values = np.array([float(to_code.get(str(c), np.nan)) for c in cats])
        elif col.cat.ordered:
            values = np.arange(1, len(cats) + 1, dtype=float)
        else:
            msg = (f"Column `{col.name}` is an unordered categorical; Likert items must be "
                   "ordered (or numeric codes).")
            raise TypeError(msg)
        return col.cat.codes.to_numpy().astype(np.int64) + 1, values, cats
    if col.dtype == np.float64:
        x = col.to_numpy()
    else:
        x = as_numeric(col).to_numpy(float)
    missing_codes = set((entry.get("missing_codes") or {}).keys())
    codes = sorted({float(c) for c in labels_map if c not in missing_codes})
    lo = float(np.fmin.reduce(x)) if len(x) else np.nan  # NaN only when all missing
    hi = float(np.fmax.reduce(x)) if len(x) else np.nan
    values = np.array(codes)
    idx1 = None
    if not np.isnan(lo) and hi - lo <= 1000:
        values = np.array(sorted(set(codes) | set(np.arange(lo, hi + 1).tolist())))
        if np.all(np.diff(values) == 1):
            with np.errstate(invalid="ignore"):
                shifted = np.where(np.isnan(x), 0.0, x - (values[0] - 1))
            idx1 = shifted.astype(np.int64)
            if not np.array_equal(idx1, shifted):
                idx1 = None
    if idx1 is None:
        ok = ~np.isnan(x)
        values = np.array(sorted(set(codes) | set(np.unique(x[ok]).tolist())))
        idx1 = np.where(ok, np.searchsorted(values, np.where(ok, x, 0)) + 1, 0).astype(np.int64)
    if points is not None:
        pts = np.array([float(p) for p in points])
        outside = ~np.isnan(x) & ~np.isin(x, pts)
        if outside.any():
            extra = np.unique(x[outside]).tolist()
            msg = (f"Column `{col.name}` holds code(s) {extra[:10]} outside `points` "
                   f"{list(points)}; declare missing codes (e.g. 98/99) as missing first.")
            raise ValueError(msg)
        if not np.array_equal(values, pts):
            ok = ~np.isnan(x)
            idx1 = np.where(ok, np.searchsorted(pts, np.where(ok, x, 0)) + 1, 0).astype(np.int64)
        values = pts
        labels_map = {float(k): v for k, v in labels_map.items()}
    labels = [labels_map.get(v, labels_map.get(int(v), v)) if float(v).is_integer()
              else labels_map.get(v, v) for v in values]
    return idx1, values, labels


def likert(
    data: Any,
    *,
    items: Sequence[str],
    by: str | Sequence[str] | None = None,
    design: Any = None,
    top: int = 2,
    points: Sequence[float] | None = None,
) -> pd.DataFrame:
    r"""Summaries of Likert items: distribution, mean, top-box share, agreement.

    Parameters
    ----------
    data : pandas.DataFrame or Study
        One row per respondent (a Study gives its ``survey`` table).
    items : list of str
        Item columns: numeric codes, or ordered Categoricals (codes from the
        codebook's value labels, else 1..k in category order).
    by : str or list of str, optional
        Column(s) to group by; one result row per item and group.
    design : Design, optional
        A survey design on the same table; its weights are used for shares and
        means. (For design-based standard errors use
        ``design.by(group).mean(item)``.)
    top : int, default 2
        Number of highest (and lowest) categories in the top-box and
        bottom-box shares.
    points : list of float, optional
        Response codes of numeric items, lowest first (e.g. ``[1, 2, 3, 4, 5]``),
        so that unused end points still count for the top box. Default: the
        codebook's value labels, else the observed range.

    Returns
    -------
    pandas.DataFrame
        One row per item (and group): ``item``, the `by` columns, ``n``
        (respondents answering), ``missing`` (respondents without an answer),
        ``mean`` and ``sd`` (of the numeric codes, weighted), ``top2``/``bottom2``
        (share in the `top` highest / lowest categories; named after `top`),
        ``p_<code>`` (share in each category, e.g. ``p_1`` … ``p_5``), ``leik``,
        ``van_der_eijk_a``, ``tastle_wierman`` (see :func:`ordinal_agreement`).
        ``attrs["levels"]`` maps each item to its category codes and labels.

    Raises
    ------
    ColumnNotFoundError
        When an item or `by` column is missing.
    TypeError
        For text or unordered categorical items.

    Notes
    -----
    Categories are the codebook's value labels (missing codes excluded), or all
    categories of an ordered Categorical, together with every integer code
    between the lowest and highest observed, so an empty middle category shows
    as 0 rather than disappearing. Shares are among respondents answering the
    item; respondents with a missing group are left out. Weighted SD is
    :math:`\sqrt{\sum w(x-\bar x)^2/\sum w\cdot n/(n-1)}` (R ``svyvar``).

    Examples
    --------
    >>> df = pd.DataFrame({"q1": [1, 2, 4, 5, 5, 4], "q2": [3, 3, 3, 4, 2, None]})
    >>> res = tk.stats.likert(df, items=["q1", "q2"], points=[1, 2, 3, 4, 5])
    >>> res[["item", "n", "missing", "p_3", "top2"]]
      item  n  missing  p_3      top2
    0   q1  6        0  0.0  0.666667
    1   q2  5        1  0.6  0.200000
    """
    frame, w = _frame_and_weights(data, design, where="tk.stats.likert")
    _check(frame, items, "items")
    g, keys, by_cols = _group_codes(frame, by)
    ngroup = len(keys)
    gvalid = g >= 0
    rows: list[pd.DataFrame] = []
    levels_info: dict[str, dict[str, list[Any]]] = {}
    all_codes: list[float] = []
    per_item = []
    gpos = np.where(gvalid, g, ngroup)  # rows without a group go to a spare row
    gk_cache: dict[int, np.ndarray] = {}
    for item in items:
        idx1, values, labels = _ordinal(frame[item], points)
        k = len(values)
        levels_info[item] = {"codes": values.tolist(), "labels": labels}
        if k + 1 not in gk_cache:
            gk_cache[k + 1] = gpos * (k + 1)
        key = gk_cache[k + 1] + idx1  # column 0 of each group row counts missing answers
        size = (ngroup + 1) * (k + 1)
        table = np.bincount(key, minlength=size).reshape(ngroup + 1, k + 1)[:ngroup]
        counts, miss = table[:, 1:], table[:, 0]
        if w is not None:
            wtab = np.bincount(key, weights=w, minlength=size).reshape(ngroup + 1, k + 1)
            wdist = wtab[:ngroup, 1:]
        else:
            wdist = counts.astype(float)
        per_item.append((item, values, counts, miss, wdist))
        all_codes.extend(values.tolist())
    code_cols = sorted(set(all_codes))
    for item, values, counts, miss, wdist in per_item:
        k = len(values)
        n = counts.sum(axis=1)
        wsum = wdist.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = wdist / wsum[:, None]
            mean = share @ values if k else np.full(ngroup, np.nan)
            dev2 = (values[None, :] - mean[:, None]) ** 2 if k else np.zeros((ngroup, 0))
            var = (share * dev2).sum(axis=1) * n / (n - 1)
        out = pd.DataFrame({"item": [item] * ngroup})
        if by_cols:
            out = pd.concat([out, keys.reset_index(drop=True)], axis=1)
        out["n"] = n.astype(np.int64)
        out["missing"] = miss.astype(np.int64)
        out["mean"] = mean
        out["sd"] = np.sqrt(var)
        t = min(top, k)
        out[f"top{top}"] = share[:, k - t:].sum(axis=1) if k else np.nan
        out[f"bottom{top}"] = share[:, :t].sum(axis=1) if k else np.nan
        pos = {v: i for i, v in enumerate(values.tolist())}
        for code in code_cols:
            name = f"p_{int(code)}" if float(code).is_integer() else f"p_{code}"
            out[name] = share[:, pos[code]] if code in pos else np.nan
        out["leik"], out["van_der_eijk_a"], out["tastle_wierman"] = _indices(wdist)
        if by_cols:
            out = out[n + miss > 0]
        rows.append(out)
    result = pd.concat(rows, ignore_index=True)
    result.attrs["levels"] = levels_info
    return result


def describe(
    data: Any,
    *,
    vars: Sequence[str],
    by: str | Sequence[str] | None = None,
    design: Any = None,
    include_missing: bool = False,
) -> pd.DataFrame:
    r"""A "Table 1": counts and (weighted) percentages, or mean (SD), per variable.

    Parameters
    ----------
    data : pandas.DataFrame or Study
        One row per respondent (a Study gives its ``survey`` table).
    vars : list of str
        Columns to describe. Categorical, boolean and text columns are
        summarised by level (n and %); numeric columns by mean and SD.
    by : str or list of str, optional
        Column(s) to group by (e.g. ``"wave"``); one set of rows per group.
    design : Design, optional
        Survey design on the same table; percentages, means and SDs are then
        weighted (counts ``n`` stay unweighted).
    include_missing : bool, default False
        Give each categorical variable with missing values a row for them
        (``level`` missing, ``n`` the respondents without a value) and take its
        percentages of all respondents, missing included, so they add up to
        100% (SPSS "Percent"; the default is SPSS "Valid Percent").

    Returns
    -------
    pandas.DataFrame
        One row per numeric variable, or per level of a categorical one (and
        per group): ``variable``, ``level`` (None for numeric), the `by`
        columns, ``n`` (respondents in the level / with a value), ``missing``
        (respondents without a value), ``percent`` (weighted % of those with a
        value, or of all with `include_missing`), ``mean``, ``sd`` (weighted,
        R ``svyvar``), ``summary`` (text: ``"n (pct%)"`` or ``"mean (sd)"``,
        one decimal). ``attrs["kinds"]`` maps each variable to
        ``"categorical"`` or ``"numeric"``, ``attrs["weighted"]`` says whether
        unequal weights were used, ``attrs["codebook"]``
        holds the codebook entries of the columns described.

    Notes
    -----
    Percentages are among respondents with a value; missing values are counted
    in ``missing``, never silently dropped. Levels of a Categorical keep their
    order, unused levels included.

    Examples
    --------
    >>> df = pd.DataFrame({"gender": ["男", "女", "女", None], "age": [30, 40, 50, 60]})
    >>> tk.stats.describe(df, vars=["gender", "age"])[["variable", "level", "n", "summary"]]
      variable level  n      summary
    0   gender     女  2    2 (66.7%)
    1   gender     男  1    1 (33.3%)
    2      age   NaN  4  45.0 (12.9)
    >>> tk.stats.describe(df, vars=["gender"], include_missing=True)[["level", "n", "percent"]]
      level  n  percent
    0     女  2     50.0
    1     男  1     25.0
    2   NaN  1     25.0
    """
    frame, w = _frame_and_weights(data, design, where="tk.stats.describe")
    _check(frame, vars, "vars")
    g, keys, by_cols = _group_codes(frame, by)
    ngroup = len(keys)
    weights = np.ones(len(frame)) if w is None else w
    gvalid = g >= 0
    gi = np.where(gvalid, g, ngroup)
    out: list[dict[str, Any]] = []
    kinds: dict[str, str] = {}
    key_records = keys.to_dict("records") if by_cols else [{}]
    for var in vars:
        col = frame[var]
        categorical = (isinstance(col.dtype, pd.CategoricalDtype)
                       or pd.api.types.is_bool_dtype(col.dtype)
                       or str(col.dtype) == "boolean"
                       or not pd.api.types.is_numeric_dtype(col.dtype))
        kinds[var] = "categorical" if categorical else "numeric"
        if categorical:
            if isinstance(col.dtype, pd.CategoricalDtype):
                lv = col.cat.codes.to_numpy().astype(np.int64)
                levels = list(col.cat.categories)
            else:
                lv, uniq = pd.factorize(col, sort=True)
                levels = list(uniq)
            k = len(levels)
            ok = lv >= 0
            cell = np.where(ok, gi * k + lv, (ngroup + 1) * k)
            size = (ngroup + 1) * k + 1
            cnt = np.bincount(cell, minlength=size)[: ngroup * k].reshape(ngroup, k)
            wct = np.bincount(cell, weights=weights, minlength=size)[: ngroup * k]
            wct = wct.reshape(ngroup, k)
            miss = np.bincount(np.where(~ok, gi, ngroup + 1), minlength=ngroup + 2)[:ngroup]
            with_missing = include_missing and bool((~ok).any())
            if with_missing:  # the missing answers as one more level, in the denominators
                wmiss = np.bincount(np.where(~ok, gi, ngroup + 1), weights=weights,
                                    minlength=ngroup + 2)[:ngroup]
                cnt = np.column_stack([cnt, miss])
                wct = np.column_stack([wct, wmiss])
            with np.errstate(invalid="ignore", divide="ignore"):
                pct = 100 * wct / wct.sum(axis=1, keepdims=True)
            for j, rec in enumerate(key_records):
                for i, level in enumerate([*levels, *([None] if with_missing else [])]):
                    out.append({"variable": var, "level": level, **rec, "n": int(cnt[j, i]),
                                "missing": int(miss[j]), "percent": float(pct[j, i]),
                                "mean": np.nan, "sd": np.nan,
                                "summary": f"{int(cnt[j, i])} ({pct[j, i]:.1f}%)"})
        else:
            x = as_numeric(col).to_numpy(float)
            ok = ~np.isnan(x)
            idx = np.where(ok, gi, ngroup + 1)
            n = np.bincount(idx, minlength=ngroup + 2)[:ngroup]
            miss = np.bincount(np.where(~ok, gi, ngroup + 1), minlength=ngroup + 2)[:ngroup]
            ww = np.where(ok, weights, 0.0)
            xx = np.where(ok, x, 0.0)
            sw = np.bincount(idx, weights=ww, minlength=ngroup + 2)[:ngroup]
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = np.bincount(idx, weights=ww * xx, minlength=ngroup + 2)[:ngroup] / sw
                dev = np.where(ok, xx - np.r_[mean, np.nan, np.nan][idx], 0.0)
                ss = np.bincount(idx, weights=ww * dev * dev, minlength=ngroup + 2)[:ngroup]
                sd = np.sqrt(ss / sw * n / (n - 1))
            for j, rec in enumerate(key_records):
                out.append({"variable": var, "level": None, **rec, "n": int(n[j]),
                            "missing": int(miss[j]), "percent": np.nan,
                            "mean": float(mean[j]), "sd": float(sd[j]),
                            "summary": f"{mean[j]:.1f} ({sd[j]:.1f})"})
    columns = ["variable", "level", *by_cols, "n", "missing", "percent", "mean", "sd", "summary"]
    result = pd.DataFrame(out, columns=columns)
    result.attrs["kinds"] = kinds
    result.attrs["weighted"] = bool(w is not None and len(w) and np.ptp(w) > 0)
    book = frame.attrs.get("codebook") or {}
    result.attrs["codebook"] = {c: book[c] for c in [*vars, *by_cols] if c in book}
    return result
