r"""Multi-item scales: reliability (alpha, omega), item analysis and scale scores.

Items are survey columns holding numeric codes (or ordered Categoricals, used as
their codes). A scale can be given as a list of item columns, or as a
:class:`toolkit.study.Scale` (or the name of one of ``study.scales``), whose
reverse-keyed items are then scored ``min + max - x`` first.

Examples
--------
>>> df = pd.DataFrame({"q1": [1, 2, 3, 4, 5, 3], "q2": [2, 2, 3, 5, 4, 3],
...                    "q3": [1, 3, 3, 4, 5, 2]})
>>> tk.stats.alpha(df, items=["q1", "q2", "q3"]).round(3)
   alpha  ci_low  ci_high  n  k
0  0.932   0.711     0.99  6  3
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from toolkit._values import as_numeric
from toolkit.errors import ColumnNotFoundError
from toolkit.study import Scale

__all__ = ["alpha", "item_analysis", "omega", "scale_scores"]


def _table(data: Any) -> tuple[pd.DataFrame, dict[str, Scale]]:
    if hasattr(data, "table") and hasattr(data, "scales"):
        return data.table("survey"), dict(data.scales)
    if not isinstance(data, pd.DataFrame):
        msg = f"`data` must be a pandas DataFrame or a Study, not {type(data).__name__}."
        raise TypeError(msg)
    return data, {}


def _resolve(data: Any, items: Sequence[str] | Scale | str) -> tuple[pd.DataFrame, Scale | None]:
    """Numeric item frame (reverse-keyed items reversed when a Scale is given)."""
    frame, scales = _table(data)
    scale: Scale | None = None
    if isinstance(items, Scale):
        scale = items
    elif isinstance(items, str):
        if items not in scales:
            close = difflib.get_close_matches(items, list(scales), n=3)
            msg = (f"`items` {items!r} is neither a list of columns nor a scale of the study "
                   f"(scales: {list(scales)}{'; did you mean ' + str(close) if close else ''}).")
            raise KeyError(msg)
        scale = scales[items]
    cols = list(scale.items) if scale is not None else list(items)
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        hints = {c: difflib.get_close_matches(str(c), [str(x) for x in frame.columns], n=2)
                 for c in missing}
        msg = (f"Item column(s) {missing} given in `items` are not in the data "
               f"(close matches: {hints}). Available: {list(frame.columns)}.")
        raise ColumnNotFoundError(msg)
    if len(cols) < 2:
        msg = "`items` needs at least two item columns."
        raise ValueError(msg)
    out = pd.DataFrame({c: as_numeric(frame[c]) for c in cols}, index=frame.index)
    if scale is not None:
        for c in scale.reverse:
            if c not in out.columns:
                msg = f"Reverse-keyed item `{c}` of scale `{scale.name}` is not one of its items."
                raise ValueError(msg)
            out[c] = scale.min + scale.max - out[c]
    return out, scale


def _cov(items: pd.DataFrame, missing: str) -> tuple[np.ndarray, int, pd.DataFrame]:
    if missing == "listwise":
        used = items.dropna()
        return np.cov(used.to_numpy(float), rowvar=False), len(used), used
    if missing == "pairwise":
        return items.cov().to_numpy(float), len(items.dropna(how="all")), items
    msg = f"`missing` must be \"listwise\" or \"pairwise\", not {missing!r}."
    raise ValueError(msg)


def _alpha_from_cov(c: np.ndarray) -> float:
    k = c.shape[0]
    return k / (k - 1) * (1 - np.trace(c) / c.sum())


def alpha(
    data: Any,
    *,
    items: Sequence[str] | Scale | str,
    missing: str = "listwise",
    ci: float = 0.95,
) -> pd.DataFrame:
    r"""Cronbach's alpha with Feldt's confidence interval.

    Parameters
    ----------
    data : pandas.DataFrame or Study
        One row per respondent (a Study gives its ``survey`` table).
    items : list of str, Scale or str
        Item columns; or a :class:`~toolkit.study.Scale` (or the name of one of
        ``study.scales``) whose reverse-keyed items are reversed first.
    missing : {"listwise", "pairwise"}, default "listwise"
        Listwise: respondents missing any item are left out (R
        ``psych::alpha(use="complete.obs")``). Pairwise: covariances from all
        available pairs (pingouin's default); ``n`` then counts respondents
        with at least one item.
    ci : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        One row: ``alpha`` (raw alpha from the covariance matrix), ``ci_low``,
        ``ci_high``, ``n`` (respondents used), ``k`` (items).

    Notes
    -----
    :math:`\alpha = \frac{k}{k-1}\left(1-\frac{\sum_i \sigma^2_i}{\sigma^2_X}\right)`.
    Feldt, Woodruff & Salih (1987) interval:
    :math:`1-(1-\alpha)F_{1-a/2}` to :math:`1-(1-\alpha)F_{a/2}` with
    :math:`n-1` and :math:`(n-1)(k-1)` degrees of freedom (as psych and
    pingouin).

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of
    tests. *Psychometrika* 16, 297-334.
    Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference
    for coefficient alpha. *Applied Psychological Measurement* 11, 93-103.
    Test values: R ``psych::alpha`` on bfi E1-E5 (E1, E2 reversed), raw alpha
    0.761, n = 2,713; pingouin's documented ``cronbach_alpha`` examples.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 1, 4, 3, 5], "c": [1, 3, 2, 5, 4]})
    >>> tk.stats.alpha(df, items=["a", "b", "c"])[["alpha", "n", "k"]].round(3)
       alpha  n  k
    0  0.838  5  3
    """
    frame, _ = _resolve(data, items)
    c, n, _used = _cov(frame, missing)
    k = c.shape[0]
    a = _alpha_from_cov(c)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1 - ci) / 2
    lo = 1 - (1 - a) * sps.f.isf(tail, df1, df2)
    hi = 1 - (1 - a) * sps.f.isf(1 - tail, df1, df2)
    return pd.DataFrame([{"alpha": a, "ci_low": lo, "ci_high": hi, "n": n, "k": k}])


def item_analysis(
    data: Any,
    *,
    items: Sequence[str] | Scale | str,
    missing: str = "listwise",
) -> pd.DataFrame:
    r"""Item statistics of a scale, as R ``psych::alpha``'s item tables.

    Parameters
    ----------
    data : pandas.DataFrame or Study
        One row per respondent.
    items : list of str, Scale or str
        Item columns, or a Scale (reverse-keyed items reversed first).
    missing : {"listwise", "pairwise"}, default "listwise"
        As in :func:`alpha`.

    Returns
    -------
    pandas.DataFrame
        One row per item: ``item``, ``n`` (respondents with the item),
        ``raw_r`` (correlation of the item with the total), ``std_r`` (same
        from standardised items), ``r_cor`` (corrected for item overlap and
        reliability, using squared multiple correlations), ``r_drop``
        (correlation with the total of the other items), ``mean``, ``sd``,
        ``alpha_if_deleted`` (raw alpha without the item), ``reversed``
        (whether the item was reverse-keyed).

    Notes
    -----
    With covariance matrix :math:`C` and correlation matrix :math:`R`:
    ``raw_r`` :math:`= (C\mathbf 1)_i/\sqrt{C_{ii}\,\mathbf 1'C\mathbf 1}`,
    ``std_r`` the same on :math:`R`, ``r_cor`` the same on :math:`R` with its
    diagonal replaced by the squared multiple correlations, ``r_drop``
    :math:`=((C\mathbf 1)_i-C_{ii})/\sqrt{C_{ii}(\mathbf 1'C\mathbf 1-2(C\mathbf 1)_i
    +C_{ii})}` — the columns ``raw.r, std.r, r.cor, r.drop, mean, sd`` and
    ``raw_alpha`` of "Reliability if an item is dropped" in psych.

    References
    ----------
    Revelle, W. (2025). psych: Procedures for Psychological, Psychometric, and
    Personality Research. R package 2.5.3 (``alpha``).

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 1, 4, 3, 5], "c": [1, 3, 2, 5, 4]})
    >>> tk.stats.item_analysis(df, items=["a", "b", "c"])[["item", "r_drop"]].round(3)
      item  r_drop
    0    a   0.992
    1    b   0.580
    2    c   0.580
    """
    frame, scale = _resolve(data, items)
    c, _n, used = _cov(frame, missing)
    k = c.shape[0]
    sd = np.sqrt(np.diag(c))
    r = c / np.outer(sd, sd)
    tot = c.sum()
    col = c.sum(axis=0)
    raw_r = col / np.sqrt(np.diag(c) * tot)
    std_r = r.sum(axis=0) / np.sqrt(r.sum())
    try:
        smc = 1 - 1 / np.diag(np.linalg.inv(r))
    except np.linalg.LinAlgError:
        smc = np.full(k, np.nan)
    rc = r.copy()
    np.fill_diagonal(rc, smc)
    r_cor = rc.sum(axis=0) / np.sqrt(rc.sum())
    r_drop = (col - np.diag(c)) / np.sqrt(np.diag(c) * (tot - 2 * col + np.diag(c)))
    drop = []
    for i in range(k):
        keep = [j for j in range(k) if j != i]
        drop.append(_alpha_from_cov(c[np.ix_(keep, keep)]) if k > 2 else np.nan)
    rev = set(scale.reverse) if scale is not None else set()
    return pd.DataFrame({
        "item": list(frame.columns),
        "n": used.notna().sum().to_numpy().astype(np.int64),
        "raw_r": raw_r, "std_r": std_r, "r_cor": r_cor, "r_drop": r_drop,
        "mean": used.mean().to_numpy(float), "sd": used.std(ddof=1).to_numpy(float),
        "alpha_if_deleted": drop,
        "reversed": [c_ in rev for c_ in frame.columns],
    })


def omega(
    data: Any,
    *,
    items: Sequence[str] | Scale | str,
    missing: str = "listwise",
) -> pd.DataFrame:
    r"""McDonald's omega total from a one-factor maximum-likelihood model.

    Parameters
    ----------
    data : pandas.DataFrame or Study
        One row per respondent.
    items : list of str, Scale or str
        Item columns, or a Scale (reverse-keyed items reversed first).
    missing : {"listwise", "pairwise"}, default "listwise"
        How the correlation matrix is formed (see :func:`alpha`).

    Returns
    -------
    pandas.DataFrame
        One row: ``omega``, ``alpha`` (standardised alpha, for comparison),
        ``n``, ``k``, and ``min_loading``/``max_loading`` of the standardised
        one-factor solution.

    Notes
    -----
    One factor is fitted by maximum likelihood to the correlation matrix
    (statsmodels ``Factor(method="ml")``), giving standardised loadings
    :math:`\lambda_i` and uniquenesses :math:`\psi_i=1-\lambda_i^2`;
    :math:`\omega = (\sum\lambda_i)^2/((\sum\lambda_i)^2+\sum\psi_i)`
    (McDonald 1999, eq. 6.20b). For tau-equivalent items (equal loadings) it
    equals standardised alpha. psych's ``omega`` divides by the observed
    :math:`\mathbf 1'R\mathbf 1` instead of the model-implied total; the two
    agree when the one-factor model fits.

    References
    ----------
    McDonald, R. P. (1999). *Test Theory: A Unified Treatment*. Erlbaum.
    Test values: population omega of simulated one-factor data with known
    loadings, and equality with alpha for tau-equivalent items.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=500)
    >>> df = pd.DataFrame({f"q{i}": 0.7 * f + rng.normal(scale=0.7, size=500) for i in range(4)})
    >>> round(float(tk.stats.omega(df, items=list(df.columns))["omega"].item()), 2)
    0.8
    """
    from statsmodels.multivariate.factor import Factor

    frame, _ = _resolve(data, items)
    c, n, _used = _cov(frame, missing)
    k = c.shape[0]
    sd = np.sqrt(np.diag(c))
    r = c / np.outer(sd, sd)
    with warnings.catch_warnings():
        # statsmodels warns about convergence on near-singular data; results stay finite
        warnings.simplefilter("ignore", RuntimeWarning)
        res = Factor(corr=r, n_factor=1, method="ml", nobs=n).fit()
    lam = np.abs(np.asarray(res.loadings)[:, 0])
    psi = 1 - lam**2
    om = lam.sum() ** 2 / (lam.sum() ** 2 + psi.sum())
    std_alpha = k / (k - 1) * (1 - k / r.sum())
    return pd.DataFrame([{"omega": om, "alpha": std_alpha, "n": n, "k": k,
                          "min_loading": lam.min(), "max_loading": lam.max()}])


def scale_scores(
    data: Any,
    scale: Scale | str | Sequence[str],
    *,
    min_items: int | None = None,
) -> pd.Series:
    r"""Scale score of each respondent: the mean of its items, reverse keys honoured.

    Parameters
    ----------
    data : pandas.DataFrame or Study
        One row per respondent (a Study gives its ``survey`` table).
    scale : Scale, str or list of str
        A :class:`~toolkit.study.Scale`, the name of one of ``study.scales``,
        or a plain list of item columns (no reversal).
    min_items : int, optional
        Fewest answered items for a score (mean of those answered, like SPSS
        ``MEAN.n``). Default: all items, otherwise NaN.

    Returns
    -------
    pandas.Series
        Float scores on the items' scale, same index as `data`, named after
        the scale.

    Notes
    -----
    A reverse-keyed item :math:`x` is scored :math:`\min+\max-x` with the
    scale's ``min`` and ``max`` codes.

    Examples
    --------
    >>> from toolkit.study import Scale
    >>> df = pd.DataFrame({"q1": [5, 4, None], "q2": [1, 2, 3]})
    >>> sc = Scale("trust", items=("q1", "q2"), reverse=("q2",), min=1, max=5)
    >>> tk.stats.scale_scores(df, sc).tolist()
    [5.0, 4.0, nan]
    >>> tk.stats.scale_scores(df, sc, min_items=1).tolist()
    [5.0, 4.0, 3.0]
    """
    frame, sc = _resolve(data, scale)
    need = frame.shape[1] if min_items is None else int(min_items)
    answered = frame.notna().sum(axis=1)
    score = frame.mean(axis=1).where(answered >= need)
    name = sc.name if sc is not None else "score"
    return score.rename(name)
