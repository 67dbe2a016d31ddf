r"""Data checks before scoring: missing values, skew and outliers, correlations, reliability.

As COINr's ``get_stats``/``Treat`` and the OECD/JRC Handbook (2008, steps 3–4)
recommend, look at the indicators before weighting them:

- :func:`check` — per indicator: availability, spread, skewness and kurtosis
  (Excel's / e1071 type 2 definitions, as COINr), outlier flag (COINr's rule:
  :math:`|skew| > 2` **and** :math:`kurtosis > 3.5`), no variance, the share of
  the most frequent value; correlations within and across pillars (collinear
  pairs above 0.9, negative pairs within a pillar below −0.4), and Cronbach's
  alpha of each pillar's indicators (``tk.stats.alpha``);
- :func:`impute` — none / mean / median, overall or within groups (``by=``),
  every imputed cell recorded;
- :func:`treat` — COINr's default outlier treatment: winsorise up to
  ``winmax`` points at the skewed end until skew and kurtosis pass, else take
  :math:`\ln(x - \min x + 0.01(\max x - \min x))` of the original (COINr
  ``log_CT``), every change recorded.

Examples
--------
>>> df = pd.DataFrame({"id": list("abcdefgh"), "x": [1, 2, 3, 4, 5, 6, 7, 100.0],
...                    "y": [3, 1, 4, 1, 5, 9, 2, 6.0]})
>>> c = tk.evaluate.check(df)
>>> c.indicators[["indicator", "n", "skew", "kurtosis", "outliers"]].round(2)
  indicator  n  skew  kurtosis  outliers
0         x  8  2.81      7.92      True
1         y  8  0.83      0.28     False
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from toolkit._checks import check_choice, require_columns
from toolkit._summary import Summary
from toolkit.evaluate._matrix import as_matrix
from toolkit.evaluate.system import IndexSystem

__all__ = ["DataCheck", "check", "impute", "kurtosis", "skewness", "treat"]

SKEW_LIMIT = 2.0
KURTOSIS_LIMIT = 3.5
COLLINEAR = 0.9
NEGATIVE_WITHIN = -0.4


def skewness(x: np.ndarray) -> float:
    """Sample skewness, type 2 (Excel's, e1071 ``type=2``, COINr ``skew``); NaN dropped.

    Examples
    --------
    >>> round(skewness(np.array([1.0, 2, 3, 10])), 4)  # R: psych::skew(c(1,2,3,10), type=2)
    1.7636
    """
    v = x[~np.isnan(x)]
    if len(v) < 3 or v.min() == v.max():
        return float("nan")
    return float(stats.skew(v, bias=False))


def kurtosis(x: np.ndarray) -> float:
    """Sample excess kurtosis, type 2 (Excel's, e1071 ``type=2``, COINr ``kurt``); NaN dropped.

    Examples
    --------
    >>> round(kurtosis(np.array([1.0, 2, 3, 10, 2])), 4)  # R: psych::kurtosi(..., type=2)
    4.2721
    """
    v = x[~np.isnan(x)]
    if len(v) < 4 or v.min() == v.max():
        return float("nan")
    return float(stats.kurtosis(v, bias=False))


def _passes(x: np.ndarray, skew_limit: float, kurt_limit: float) -> bool:
    s, k = skewness(x), kurtosis(x)
    if np.isnan(s) or np.isnan(k):
        return True
    return bool(abs(s) < skew_limit or k < kurt_limit)


@dataclass
class DataCheck:
    """What :func:`check` found.

    Attributes
    ----------
    indicators : pandas.DataFrame
        One row per indicator: ``indicator, pillar, n, n_missing, share_missing,
        mean, sd, min, max, skew, kurtosis, outliers, no_variance, share_same``.
    correlations : pandas.DataFrame
        Pearson correlations of the indicators (negative indicators reversed).
    pairs : pandas.DataFrame
        One row per pair: ``a, b, r, same_pillar, flag`` (``collinear``,
        ``negative_within`` or empty).
    alpha : pandas.DataFrame
        Cronbach's alpha per pillar: ``pillar, alpha, ci_low, ci_high, n, k``.
    """

    indicators: pd.DataFrame
    correlations: pd.DataFrame
    pairs: pd.DataFrame
    alpha: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def problems(self) -> pd.DataFrame:
        """Indicators and pairs that need a look: ``what, indicator, value, advice``."""
        rows = []
        for rec in self.indicators.to_dict("records"):
            if rec["no_variance"]:
                rows.append({"what": "no_variance", "indicator": rec["indicator"], "value": 0.0,
                             "advice": "carries no information; remove it"})
            if rec["outliers"]:
                rows.append({"what": "outliers", "indicator": rec["indicator"],
                             "value": rec["skew"], "advice": "treat outliers (tk.evaluate.treat)"})
            if rec["share_missing"] > 1 / 3:
                rows.append({"what": "missing", "indicator": rec["indicator"],
                             "value": rec["share_missing"],
                             "advice": "less than 2/3 of units have a value"})
        for rec in self.pairs[self.pairs["flag"] != ""].to_dict("records"):
            rows.append({"what": rec["flag"], "indicator": f"{rec['a']} ~ {rec['b']}",
                         "value": rec["r"], "advice": "double counting" if rec["flag"] ==
                         "collinear" else "indicators of one pillar pull apart"})
        return pd.DataFrame(rows, columns=["what", "indicator", "value", "advice"])

    def to_frame(self) -> pd.DataFrame:
        """The per-indicator table."""
        return self.indicators.copy()

    def summary(self) -> Summary:
        """Summary of the checks: counts, the things to look at, alpha per pillar."""
        probs = self.problems()
        lines = [f"{len(self.indicators)} indicators; {len(probs)} things to look at."]
        if len(probs):
            lines.append(probs.round(3).to_string(index=False))
        if len(self.alpha):
            lines.append(self.alpha.round(3).to_string(index=False))
        info = [("Indicators", str(len(self.indicators))),
                ("Things to look at", str(len(probs)))]
        return Summary("Data check", info, probs, self.notes,
                       text="\n".join(lines + self.notes), was="str")

    def _repr_html_(self) -> str:
        probs = self.problems()
        return (f"<div><b>Data check</b>: {len(self.indicators)} indicators, "
                f"{len(probs)} things to look at"
                f"{self.indicators.round(3).to_html(index=False, na_rep='')}"
                f"{probs.round(3).to_html(index=False) if len(probs) else ''}"
                f"{self.alpha.round(3).to_html(index=False) if len(self.alpha) else ''}"
                f"{''.join(f'<p>{html.escape(n)}</p>' for n in self.notes)}</div>")

    def __repr__(self) -> str:
        return f"<DataCheck: {len(self.indicators)} indicators, {len(self.problems())} flags>"


def _pillar_of(system: IndexSystem | None, code: str) -> str | None:
    if system is None:
        return None
    return system.node(code).parent


def check(
    data: pd.DataFrame,
    *,
    system: IndexSystem | None = None,
    indicators: Sequence[str] | None = None,
    directions: Any = None,
    skew: float = SKEW_LIMIT,
    kurtosis_limit: float = KURTOSIS_LIMIT,
) -> DataCheck:
    """Check indicators before scoring: missing values, outliers, variance, correlations, alpha.

    Parameters
    ----------
    data : pandas.DataFrame
        Raw indicators, one row per unit.
    system : IndexSystem, optional
        Gives the indicators, their directions and their pillars (the parent of
        each indicator, for within-pillar correlations and alpha).
    indicators : list of str, optional
        Indicator columns (default the system's leaves, else every numeric column).
    directions : dict, Series or list, optional
        ``+``/``-`` per indicator for the correlations (default the system's).
    skew, kurtosis_limit : float, default 2 and 3.5
        An indicator is flagged as having outliers when :math:`|skew|` exceeds
        `skew` and kurtosis exceeds `kurtosis_limit` (COINr's ``check_SkewKurt``).

    Returns
    -------
    DataCheck
        ``.indicators``, ``.correlations``, ``.pairs``, ``.alpha``, ``.problems()``.

    References
    ----------
    OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, steps 3–4;
    Becker et al. (2022), COINr (``get_stats``, ``check_SkewKurt``, ``get_corr``).
    Test values: R ``psych::skew(type=2)``, ``psych::kurtosi(type=2)``,
    ``psych::alpha``.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1.0, 2, 3, 4, 5], "b": [2.0, 4, 6, 8, 11], "c": [5.0] * 5})
    >>> c = tk.evaluate.check(df)
    >>> c.indicators[["indicator", "no_variance"]]
      indicator  no_variance
    0         a        False
    1         b        False
    2         c         True
    >>> c.pairs[["a", "b", "flag"]].head(1)
       a  b       flag
    0  a  b  collinear
    """
    from toolkit.evaluate._matrix import resolve_directions

    m = as_matrix(data, indicators=indicators, system=system)
    dirs = resolve_directions(m.indicators, directions=directions, system=system)
    x = m.x
    rows = []
    for j, name in enumerate(m.indicators):
        col = x[:, j]
        v = col[~np.isnan(col)]
        same = (pd.Series(v).value_counts().iloc[0] / len(v)) if len(v) else np.nan
        s, k = skewness(col), kurtosis(col)
        rows.append({
            "indicator": name, "pillar": _pillar_of(system, name), "n": len(v),
            "n_missing": int(np.isnan(col).sum()), "share_missing": float(np.isnan(col).mean()),
            "mean": float(v.mean()) if len(v) else np.nan,
            "sd": float(v.std(ddof=1)) if len(v) > 1 else np.nan,
            "min": float(v.min()) if len(v) else np.nan,
            "max": float(v.max()) if len(v) else np.nan,
            "skew": s, "kurtosis": k,
            "outliers": bool(not np.isnan(s) and not _passes(col, skew, kurtosis_limit)),
            "no_variance": bool(len(v) == 0 or v.min() == v.max()),
            "share_same": float(same),
        })
    table = pd.DataFrame(rows)
    table["pillar"] = table["pillar"].astype("string")
    oriented = pd.DataFrame(x * dirs, columns=m.indicators)
    varying = [c for c, flat in zip(m.indicators, table["no_variance"], strict=True) if not flat]
    corr = oriented[varying].corr()
    pair_rows = []
    for i, a in enumerate(varying):
        for b in varying[i + 1:]:
            r = float(corr.loc[a, b])
            same_pillar = (system is not None and _pillar_of(system, a) == _pillar_of(system, b))
            flag = ""
            if abs(r) > COLLINEAR:
                flag = "collinear"
            elif same_pillar and r < NEGATIVE_WITHIN:
                flag = "negative_within"
            pair_rows.append({"a": a, "b": b, "r": r, "same_pillar": bool(same_pillar),
                              "flag": flag})
    pairs = pd.DataFrame(pair_rows, columns=["a", "b", "r", "same_pillar", "flag"])
    alpha_rows = []
    notes: list[str] = []
    if system is not None:
        import toolkit as tk

        groups: dict[str, list[str]] = {}
        for name in varying:
            parent = system.node(name).parent
            if parent is not None:
                groups.setdefault(parent, []).append(name)
        for pillar, items in groups.items():
            if len(items) < 2:
                continue
            res = tk.stats.alpha(oriented, items=items)
            alpha_rows.append({"pillar": pillar, **res.iloc[0].to_dict()})
        if not alpha_rows:
            notes.append("No pillar has two indicators with variation: no alpha computed.")
    alpha = pd.DataFrame(alpha_rows, columns=["pillar", "alpha", "ci_low", "ci_high", "n", "k"])
    return DataCheck(indicators=table, correlations=corr, pairs=pairs, alpha=alpha, notes=notes)


def impute(
    data: pd.DataFrame,
    *,
    method: Literal["none", "mean", "median"] = "mean",
    by: str | None = None,
    indicators: Sequence[str] | None = None,
    system: IndexSystem | None = None,
) -> pd.DataFrame:
    """Fill missing indicator values, recording every imputed cell.

    Parameters
    ----------
    data : pandas.DataFrame
        Raw indicators, one row per unit.
    method : {"none", "mean", "median"}, default "mean"
        ``none`` leaves missing values (aggregation then rescales the weights of
        the indicators present); ``mean``/``median`` fill them with the
        indicator's mean or median.
    by : str, optional
        Column of groups (e.g. ``committee`` or ``town``): fill with the mean
        or median within the unit's group (the overall value where the group
        has none).
    indicators : list of str, optional
        Indicator columns (default the system's leaves, else every numeric column).
    system : IndexSystem, optional
        Gives the indicators.

    Returns
    -------
    pandas.DataFrame
        Same rows and columns, gaps filled. ``attrs["imputation"]``: one row per
        imputed cell, ``row, indicator, method, group, value``.

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a", "a", "b", "b"], "x": [1.0, None, 5.0, 7.0]})
    >>> out = tk.evaluate.impute(df, method="mean", by="g")
    >>> out["x"].tolist(), out.attrs["imputation"][["row", "group", "value"]].values.tolist()
    ([1.0, 1.0, 5.0, 7.0], [[1, 'a', 1.0]])
    """
    check_choice(method, ["none", "mean", "median"], param="method")
    if by is not None:
        require_columns(data, {"by": by})
    frame = data.drop(columns=[by]) if by is not None else data
    m = as_matrix(frame, indicators=indicators, system=system)
    out = data.copy()
    records = []
    if method != "none":
        for name in m.indicators:
            col = pd.to_numeric(data[name].astype("Float64"), errors="coerce").astype(float)
            gaps = col.isna()
            if not gaps.any():
                continue
            overall = col.mean() if method == "mean" else col.median()
            if by is None:
                fill = pd.Series(overall, index=col.index)
            else:
                grouped = col.groupby(data[by]).transform(method)
                fill = grouped.fillna(overall)
            out[name] = col.where(~gaps, fill)
            for pos in np.flatnonzero(gaps.to_numpy()):
                records.append({"row": int(pos), "indicator": name, "method": method,
                                "group": None if by is None else data[by].iloc[pos],
                                "value": float(fill.iloc[pos])})
    out.attrs["imputation"] = pd.DataFrame(
        records, columns=["row", "indicator", "method", "group", "value"])
    return out


def _winsorise(x: np.ndarray, winmax: int, skew_limit: float,
               kurt_limit: float) -> tuple[np.ndarray, int, list[int]]:
    x = x.copy()
    changed: list[int] = []
    while not _passes(x, skew_limit, kurt_limit) and len(changed) < winmax:
        v = x[~np.isnan(x)]
        if skewness(x) >= 0:
            top = np.nanmax(x)
            idx = np.flatnonzero(x == top)
            rest = v[v < top]
        else:
            low = np.nanmin(x)
            idx = np.flatnonzero(x == low)
            rest = v[v > low]
        if not len(rest):
            break
        x[idx] = rest.max() if skewness(x) >= 0 else rest.min()
        changed.extend(int(i) for i in idx)
    return x, len(set(changed)), sorted(set(changed))


def treat(
    data: pd.DataFrame,
    *,
    method: Literal["auto", "winsorise", "log"] = "auto",
    winmax: int = 5,
    skew: float = SKEW_LIMIT,
    kurtosis_limit: float = KURTOSIS_LIMIT,
    indicators: Sequence[str] | None = None,
    system: IndexSystem | None = None,
) -> pd.DataFrame:
    r"""Treat outliers of skewed indicators (COINr's default ``Treat``), recording every change.

    Parameters
    ----------
    data : pandas.DataFrame
        Raw indicators, one row per unit.
    method : {"auto", "winsorise", "log"}, default "auto"
        Only indicators failing the skew/kurtosis test are treated. ``winsorise``:
        the most extreme value at the skewed end takes the next value, repeated
        up to `winmax` points until the test passes; ``log``:
        :math:`\ln(x - \min x + 0.01(\max x - \min x))` (COINr ``log_CT``);
        ``auto``: winsorise, and if that does not pass within `winmax` points,
        log-transform the original instead.
    winmax : int, default 5
        Largest number of points winsorised per indicator.
    skew, kurtosis_limit : float, default 2 and 3.5
        The test: pass when :math:`|skew| <` `skew` or kurtosis < `kurtosis_limit`.
    indicators : list of str, optional
        Indicator columns (default the system's leaves, else every numeric column).
    system : IndexSystem, optional
        Gives the indicators.

    Returns
    -------
    pandas.DataFrame
        Same rows and columns, treated indicators changed. ``attrs["treatment"]``:
        one row per indicator, ``indicator, treatment`` (``none``,
        ``winsorised``, ``log``), ``n_winsorised, skew_before, kurtosis_before,
        skew_after, kurtosis_after, passes``.

    Examples
    --------
    >>> df = pd.DataFrame({"x": [1.0, 2, 3, 4, 5, 6, 7, 8, 9, 100]})
    >>> out = tk.evaluate.treat(df)
    >>> float(out["x"].max()), out.attrs["treatment"][["treatment", "n_winsorised"]].values.tolist()
    (9.0, [['winsorised', 1]])
    """
    check_choice(method, ["auto", "winsorise", "log"], param="method")
    m = as_matrix(data, indicators=indicators, system=system)
    out = data.copy()
    rows = []
    for j, name in enumerate(m.indicators):
        x = m.x[:, j]
        before_s, before_k = skewness(x), kurtosis(x)
        treatment, nwin, y = "none", 0, x
        if not _passes(x, skew, kurtosis_limit):
            if method in {"auto", "winsorise"}:
                y, nwin, _ = _winsorise(x, winmax, skew, kurtosis_limit)
                treatment = "winsorised" if nwin else "none"
            if method == "log" or (method == "auto" and not _passes(y, skew, kurtosis_limit)):
                lo, hi = np.nanmin(x), np.nanmax(x)
                y = np.log(x - lo + 0.01 * (hi - lo))
                treatment, nwin = "log", 0
            out[name] = y
        rows.append({"indicator": name, "treatment": treatment, "n_winsorised": nwin,
                     "skew_before": before_s, "kurtosis_before": before_k,
                     "skew_after": skewness(y), "kurtosis_after": kurtosis(y),
                     "passes": _passes(y, skew, kurtosis_limit)})
    out.attrs["treatment"] = pd.DataFrame(rows)
    return out
