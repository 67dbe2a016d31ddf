"""Change between survey waves: the results table of a Deliberative Poll."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from toolkit._checks import as_table
from toolkit._values import as_numeric
from toolkit.errors import ColumnNotFoundError

__all__ = ["change"]

COLUMNS = [
    "item", "n_pairs", "mean_before", "mean_after", "change", "se", "ci_low", "ci_high",
    "t", "df", "p_value", "wilcoxon_p", "cohen_dz", "share_up", "share_down", "share_same",
    "sd_before", "sd_after", "sd_change", "pitman_morgan_t", "pitman_morgan_p",
    "n_unpaired", "n",
]


def _check_columns(frame: pd.DataFrame, names: Sequence[str], role: str) -> None:
    for name in names:
        if name not in frame.columns:
            close = difflib.get_close_matches(str(name), [str(c) for c in frame.columns], n=3)
            hint = f" Did you mean {close}?" if close else ""
            msg = (f"Column `{name}` given in `{role}` is not in `data`.{hint} "
                   f"Available: {list(frame.columns)}.")
            raise ColumnNotFoundError(msg)


def _waves(frame: pd.DataFrame, wave: str, before: Any, after: Any) -> tuple[Any, Any]:
    col = frame[wave]
    if before is not None and after is not None:
        present = set(col.dropna().unique())
        for name, value in (("before", before), ("after", after)):
            if value not in present:
                msg = (f"`{name}`={value!r} is not a value of column `{wave}`; values are "
                       f"{sorted(map(str, present))}.")
                raise ValueError(msg)
        return before, after
    if isinstance(col.dtype, pd.CategoricalDtype) and col.cat.ordered:
        levels = [c for c in col.cat.categories if (col == c).any()]
    else:
        levels = sorted(col.dropna().unique())
    if len(levels) != 2:
        msg = (f"Column `{wave}` has {len(levels)} waves ({[str(v) for v in levels]}); name "
               "the two to compare with `before=` and `after=`.")
        raise ValueError(msg)
    return levels[0], levels[1]


def _pitman_morgan(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Pitman-Morgan test of equal variances of paired samples (t, two-sided p)."""
    n = len(x)
    if n < 4:
        return np.nan, np.nan
    s, d = x + y, y - x
    if np.std(s) == 0 or np.std(d) == 0:
        return np.nan, np.nan
    r = np.corrcoef(s, d)[0, 1]
    if abs(r) >= 1:
        return np.nan, np.nan
    t = r * np.sqrt((n - 2) / (1 - r * r))
    return float(t), float(2 * stats.t.sf(abs(t), n - 2))


def _row(item: str, x: np.ndarray, y: np.ndarray, w: np.ndarray | None, level: float,
         design_var: Any) -> dict[str, float]:
    n = len(x)
    d = y - x
    out: dict[str, float] = {"item": item, "n_pairs": n}
    if n == 0:
        return out
    if w is None:
        mb, ma, mc = x.mean(), y.mean(), d.mean()
        sd_d = d.std(ddof=1) if n > 1 else np.nan
        se = sd_d / np.sqrt(n) if n > 1 else np.nan
        df = n - 1
        sdb = x.std(ddof=1) if n > 1 else np.nan
        sda = y.std(ddof=1) if n > 1 else np.nan
    else:
        ws = w.sum()
        mb, ma, mc = np.dot(w, x) / ws, np.dot(w, y) / ws, np.dot(w, d) / ws
        se, df = design_var(w * (d - mc) / ws)
        sd_d = np.sqrt(np.dot(w, (d - mc) ** 2) / ws * n / max(n - 1, 1))
        sdb = np.sqrt(np.dot(w, (x - mb) ** 2) / ws * n / max(n - 1, 1))
        sda = np.sqrt(np.dot(w, (y - ma) ** 2) / ws * n / max(n - 1, 1))
    q = stats.t.ppf((1 + level) / 2, df) if df and df > 0 else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        t = mc / se if se and se > 0 else np.nan
    p = float(2 * stats.t.sf(abs(t), df)) if np.isfinite(t) else np.nan
    nonzero = d[d != 0]
    if len(nonzero) >= 1:
        exact = len(nonzero) < 50 and len(np.unique(np.abs(nonzero))) == len(nonzero)
        wp = stats.wilcoxon(nonzero, zero_method="wilcox", correction=not exact,
                            method="exact" if exact else "approx").pvalue
    else:
        wp = np.nan
    pm_t, pm_p = _pitman_morgan(x, y)
    out.update({
        "mean_before": mb, "mean_after": ma, "change": mc, "se": se,
        "ci_low": mc - q * se, "ci_high": mc + q * se, "t": t, "df": df, "p_value": p,
        "wilcoxon_p": float(wp),
        "cohen_dz": mc / sd_d if sd_d and sd_d > 0 else np.nan,
        "share_up": float(np.mean(d > 0)), "share_down": float(np.mean(d < 0)),
        "share_same": float(np.mean(d == 0)),
        "sd_before": sdb, "sd_after": sda, "sd_change": sda - sdb,
        "pitman_morgan_t": pm_t, "pitman_morgan_p": pm_p,
    })
    return out


def change(
    data: Any,
    *,
    items: Sequence[str],
    wave: str = "wave",
    respondent: str = "respondent_id",
    before: Any = None,
    after: Any = None,
    design: Any = None,
    knowledge: Sequence[str] | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    r"""Change of each item between two survey waves, for the same respondents.

    The results table of a Deliberative Poll: per item, the mean before and
    after, the mean change with its confidence interval, paired t and Wilcoxon
    signed-rank p-values, the effect size, the shares who moved up and down, and
    the change in dispersion with a Pitman-Morgan test.

    Parameters
    ----------
    data : pandas.DataFrame or Study
        Long table, one row per respondent and wave, or a Study whose ``survey``
        table is used.
    items : list of str
        Columns holding the items (e.g. Likert questions). Ordered categoricals
        use their numeric codes (``toolkit._values.as_numeric``).
    wave : str, default "wave"
        Column identifying the wave.
    respondent : str, default "respondent_id"
        Column identifying respondents.
    before, after : optional
        Values of `wave` to compare; by default the two waves in category
        order (``前测`` then ``后测``) or sorted order.
    design : Design, optional
        A survey design (``tk.stats.Design`` of the same table): means and the
        mean change are weighted by the design weight of the respondent's
        `before` row, and the standard error of the change is design-based
        (linearisation over strata and clusters; t with the design's degrees of
        freedom). The Wilcoxon and Pitman-Morgan tests stay unweighted. Both
        waves of a respondent must lie in the same PSU: without a cluster
        column, give ``cluster=`` the respondent column when building the Design.
    knowledge : list of str, optional
        0/1 (or boolean) knowledge questions: their mean per respondent and wave
        (share correct, missing answers counted as wrong) is added as the item
        ``knowledge_index``.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        One row per item: ``item, n_pairs, mean_before, mean_after, change``
        (mean of after - before), ``se, ci_low, ci_high, t, df, p_value``
        (paired t test), ``wilcoxon_p`` (signed-rank test, zero differences
        dropped; exact without ties when n < 50, else normal approximation with
        continuity and tie correction, as R ``wilcox.test``), ``cohen_dz``
        (mean change / SD of changes), ``share_up, share_down, share_same``,
        ``sd_before, sd_after, sd_change`` (after - before),
        ``pitman_morgan_t, pitman_morgan_p`` (test of equal variances),
        ``n_unpaired`` (respondents with the item in only one wave) and ``n``
        (respondents with the item in either wave). ``attrs["unpaired"]`` lists
        the unpaired respondents: ``respondent, item, wave_present``.

    Raises
    ------
    ColumnNotFoundError
        When a named column is missing.
    ValueError
        When the waves cannot be determined, or a respondent has two rows in
        one wave.

    Notes
    -----
    With :math:`d_i = y_i - x_i` over the :math:`n` respondents answering in
    both waves: :math:`t = \bar d / (s_d/\sqrt n)` on :math:`n-1` df,
    :math:`d_z = \bar d / s_d`. Pitman-Morgan:
    :math:`r = \mathrm{cor}(x+y, y-x)`, :math:`t = r\sqrt{(n-2)/(1-r^2)}` on
    :math:`n-2` df (equal variances iff :math:`r=0`). Respondents answering
    in one wave only are not used in the paired statistics; they are counted
    in ``n_unpaired`` and listed in ``attrs["unpaired"]``.

    References
    ----------
    Fishkin, J. S. & Luskin, R. C. (2005). Experimenting with a democratic ideal:
    Deliberative Polling and public opinion. *Acta Politica* 40, 284-298.
    Pitman, E. J. G. (1939). A note on normal correlation. *Biometrika* 31, 9-12.
    Test values: Student's sleep data, R ``t.test(..., paired = TRUE)``
    (t = -4.0621, df = 9, p = 0.002833) and ``wilcox.test(..., paired = TRUE)``.

    Examples
    --------
    >>> d = pd.DataFrame({"respondent_id": ["a", "b", "c", "d", "a", "b", "c"],
    ...                   "wave": ["pre", "pre", "pre", "pre", "post", "post", "post"],
    ...                   "q1": [2, 3, 3, 4, 4, 3, 5]})
    >>> t = tk.stats.change(d, items=["q1"], before="pre", after="post")
    >>> t[["item", "n_pairs", "mean_before", "mean_after", "change", "n_unpaired"]]
      item  n_pairs  mean_before  mean_after  change  n_unpaired
    0   q1        3     2.666667         4.0  1.333333           1
    """
    frame = as_table(data, "survey", where="tk.stats.change")
    items = list(items)
    knowledge = list(knowledge or [])
    _check_columns(frame, [wave], "wave")
    _check_columns(frame, [respondent], "respondent")
    _check_columns(frame, items, "items")
    _check_columns(frame, knowledge, "knowledge")
    before, after = _waves(frame, wave, before, after)
    values = pd.DataFrame({c: as_numeric(frame[c]) for c in items}, index=frame.index)
    if knowledge:
        answers = pd.DataFrame({c: as_numeric(frame[c]) for c in knowledge}, index=frame.index)
        index = answers.fillna(0).mean(axis=1).where(answers.notna().any(axis=1))
        values["knowledge_index"] = index
    cols = list(values.columns)
    ids = frame[respondent].astype(object)
    wv = frame[wave]
    dup = pd.DataFrame({"r": ids, "w": wv})[wv.isin([before, after])].duplicated()
    if dup.any():
        first = ids[dup[dup].index[0]]
        msg = (f"Respondent {first!r} has more than one row in a wave (`{respondent}` and "
               f"`{wave}` must identify rows). Remove duplicates first.")
        raise ValueError(msg)
    pre = values[wv == before].set_axis(ids[wv == before].to_numpy())
    post = values[wv == after].set_axis(ids[wv == after].to_numpy())
    weights = None
    design_var = None
    if design is not None:
        from toolkit.stats._model_inputs import design_weights

        weights = pd.Series(design_weights(design, frame.index),
                            index=frame.index)[wv == before].set_axis(
            ids[wv == before].to_numpy())
        pos_of = pd.Series(np.arange(len(frame)), index=frame.index)[wv == before].set_axis(
            ids[wv == before].to_numpy())

        def design_var_factory(rows: np.ndarray):
            def design_var(u: np.ndarray) -> tuple[float, float]:
                full = np.zeros(len(frame))
                full[rows] = u
                var = design.influence_vcov(full)[0, 0]
                return float(np.sqrt(var)), float(design.degf)
            return design_var
    rows_out = []
    unpaired = []
    for col in cols:
        x = pre[col].dropna()
        y = post[col].dropna()
        both = x.index.intersection(y.index)
        only_x = x.index.difference(y.index)
        only_y = y.index.difference(x.index)
        unpaired += [(r, col, before) for r in only_x] + [(r, col, after) for r in only_y]
        w = None
        if weights is not None:
            w = weights.loc[both].to_numpy(dtype=float)
            design_var = design_var_factory(pos_of.loc[both].to_numpy())
        row = _row(col, x.loc[both].to_numpy(float), y.loc[both].to_numpy(float), w, level,
                   design_var)
        row["n_unpaired"] = len(only_x) + len(only_y)
        row["n"] = len(both) + len(only_x) + len(only_y)
        rows_out.append(row)
    out = pd.DataFrame(rows_out).reindex(columns=COLUMNS)
    out["n_pairs"] = out["n_pairs"].astype("int64")
    out.attrs["unpaired"] = pd.DataFrame(unpaired, columns=["respondent", "item", "wave_present"])
    return out
