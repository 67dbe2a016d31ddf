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

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from toolkit._checks import as_table, check_choice, close_matches, is_study, require_columns
from toolkit._docs import renamed
from toolkit._values import as_numeric
from toolkit.errors import ArgumentError, ColumnNotFoundError, ToolkitWarning
from toolkit.study import Scale

__all__ = ["alpha", "item_analysis", "omega", "scale_scores", "schmid_leiman"]


def _table(data: Any) -> tuple[pd.DataFrame, dict[str, Scale]]:
    frame = as_table(data, "survey", where="tk.stats scales")
    return frame, (dict(data.scales) if is_study(data) else {})


def _resolve(data: Any, items: Sequence[str] | Scale | str) -> tuple[pd.DataFrame, Scale | None]:
    """Numeric item frame (reverse-keyed items reversed when a Scale is given)."""
    frame, scales = _table(data)
    scale: Scale | None = None
    if isinstance(items, Scale):
        scale = items
    elif isinstance(items, str):
        if items not in scales:
            close = close_matches(items, list(scales))
            hint = f" Did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""
            msg = (f"`items` {items!r} is neither a list of columns nor a scale of the study "
                   f"(scales: {', '.join(f'`{c}`' for c in scales) or 'none'}).{hint}")
            raise ColumnNotFoundError(msg)
        scale = scales[items]
    cols = list(scale.items) if scale is not None else list(items)
    require_columns(frame, {"items": cols})
    if len(cols) < 2:
        msg = "`items` needs at least two item columns."
        raise ArgumentError(msg)
    out = pd.DataFrame({c: as_numeric(frame[c]) for c in cols}, index=frame.index)
    if scale is not None:
        for c in scale.reverse:
            if c not in out.columns:
                msg = f"Reverse-keyed item `{c}` of scale `{scale.name}` is not one of its items."
                raise ArgumentError(msg)
            out[c] = scale.min + scale.max - out[c]
    return out, scale


def _cov(items: pd.DataFrame, missing: str) -> tuple[np.ndarray, int, pd.DataFrame]:
    check_choice(missing, ("listwise", "pairwise"), param="missing")
    if missing == "listwise":
        used = items.dropna()
        return np.cov(used.to_numpy(float), rowvar=False), len(used), used
    return items.cov().to_numpy(float), len(items.dropna(how="all")), items


def _corr(items: pd.DataFrame, missing: str) -> tuple[np.ndarray, int]:
    """Correlation matrix as R ``cor(use = "complete.obs" | "pairwise")``, and n."""
    check_choice(missing, ("listwise", "pairwise"), param="missing")
    used = items.dropna() if missing == "listwise" else items
    r = used.corr().to_numpy(float)
    if not np.isfinite(r).all():
        const = [str(c) for c in used.columns if used[c].nunique() < 2]
        msg = ("The item correlations cannot be computed"
               + (f": {', '.join(f'`{c}`' for c in const)} take a single value"
                  if const else " (too few respondents answer some pairs of items)")
               + ". Leave such items out of `items`.")
        raise ArgumentError(msg)
    return r, len(used.dropna(how="all"))


def _alpha_from_cov(c: np.ndarray) -> float:
    k = c.shape[0]
    return k / (k - 1) * (1 - np.trace(c) / c.sum())


@renamed(ci="level")
def alpha(
    data: Any,
    *,
    items: Sequence[str] | Scale | str,
    missing: str = "listwise",
    level: float = 0.95,
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
    level : float, default 0.95
        Confidence level of the interval (``ci=`` is its old spelling).

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
    tail = (1 - level) / 2
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


_MODELS = ("one_factor", "bifactor")
_VARIANCES = ("observed", "model")


def _reflect_omega(lam: np.ndarray, r: np.ndarray) -> tuple[float, float]:
    """One-factor omega with model-implied and with observed total variance."""
    key = np.where(lam < 0, -1.0, 1.0)
    common = float(np.abs(lam).sum() ** 2)
    model = common / (common + float((1 - lam**2).sum()))
    observed = common / float((r * np.outer(key, key)).sum())
    return model, observed


def _n_factors(model: str, n_factors: int | None, k: int) -> int:
    if model == "one_factor":
        if n_factors not in (None, 1):
            msg = (f"`n_factors={n_factors}` applies to `model=\"bifactor\"`; the one-factor "
                   "model has one factor. Give `model=\"bifactor\"` for group factors.")
            raise ArgumentError(msg)
        return 1
    nf = 3 if n_factors is None else n_factors
    if isinstance(nf, bool) or not isinstance(nf, int | np.integer) or nf < 2:
        msg = (f"`n_factors` must be a whole number of group factors, 2 or more (psych's "
               f"default is 3), not {n_factors!r}; for one factor use `model=\"one_factor\"`.")
        raise ArgumentError(msg)
    if nf >= k - 1:
        msg = (f"{nf} group factors need more than {nf + 1} items; the scale has {k}. "
               "Give a smaller `n_factors`.")
        raise ArgumentError(msg)
    if nf == 2:
        warnings.warn("With two group factors the general factor is not identified; as psych "
                      "does, both load equally on it (sqrt of their correlation). Three or "
                      "more group factors are needed for a trustworthy omega_h.",
                      ToolkitWarning, stacklevel=3)
    return int(nf)


def omega(
    data: Any,
    *,
    items: Sequence[str] | Scale | str,
    missing: str = "listwise",
    model: str = "one_factor",
    n_factors: int | None = None,
    variance: str | None = None,
) -> pd.DataFrame:
    r"""McDonald's omega: one-factor omega, or psych's hierarchical and total omega.

    Parameters
    ----------
    data : pandas.DataFrame or Study
        One row per respondent.
    items : list of str, Scale or str
        Item columns, or a Scale (reverse-keyed items reversed first).
    missing : {"listwise", "pairwise"}, default "listwise"
        How the correlation matrix is formed: from respondents who answered
        every item (R ``cor(use = "complete.obs")``), or each correlation from
        the respondents who answered both items (R ``cor(use = "pairwise")``,
        which ``psych::omega`` uses on raw data).
    model : {"one_factor", "bifactor"}, default "one_factor"
        ``"one_factor"``: one maximum-likelihood factor (omega total of a
        unidimensional scale). ``"bifactor"``: ``psych::omega``'s default model —
        `n_factors` minres factors, oblimin rotation, a general factor from their
        correlations and the Schmid–Leiman transformation (see
        :func:`schmid_leiman` for its loadings).
    n_factors : int, optional
        Group factors of the bifactor model (default 3, as psych); at least 2.
    variance : {"observed", "model"}, optional
        The total variance in the denominator. ``"observed"``: the sum of the
        item correlation matrix, :math:`\mathbf 1'R\mathbf 1` (psych's omega).
        ``"model"``: the variance the fitted model implies (McDonald 1999;
        Rodriguez, Reise & Haviland 2016). Default: ``"model"`` for
        ``"one_factor"`` (the value this function has always returned),
        ``"observed"`` for ``"bifactor"`` (psych). The two agree when the model
        reproduces the correlations.

    Returns
    -------
    pandas.DataFrame
        One row. ``model="one_factor"``: ``omega``, ``alpha`` (standardised alpha,
        for comparison), ``n``, ``k``, ``min_loading``/``max_loading`` of the
        standardised solution, ``variance``. ``model="bifactor"``: ``omega_h``
        (the general factor's share of the total variance), ``omega_total`` (all
        common factors' share), ``omega`` (the one-factor omega, with the same
        `variance`), ``alpha`` (standardised alpha of the reflected items, as
        psych prints it), ``ecv`` (explained common variance of the general
        factor), ``n``, ``k``, ``n_factors``, ``n_reflected`` (items reflected
        because they load negatively on the general factor, as psych's
        ``flip = TRUE``), ``variance``.

    Raises
    ------
    ColumnNotFoundError
        An item column is not in `data`.
    ArgumentError
        An unknown `model`, `missing` or `variance`, too many factors for the
        items, or items whose correlations cannot be computed.

    Notes
    -----
    One factor, loadings :math:`\lambda_i`, uniquenesses :math:`1-\lambda_i^2`:
    :math:`\omega = (\sum\lambda_i)^2/V` with :math:`V=(\sum\lambda_i)^2+
    \sum(1-\lambda_i^2)` (model) or :math:`V=\mathbf 1'R\mathbf 1` (observed;
    items with a negative loading reflected). For tau-equivalent items it equals
    standardised alpha.

    Bifactor (Schmid–Leiman loadings :math:`g_i` on the general factor,
    :math:`f_{ij}` on group factor :math:`j`, uniquenesses :math:`u_i^2 = 1-h_i^2`):
    :math:`\omega_h = (\sum g_i)^2/V` and :math:`\omega_t = 1-\sum u_i^2/V`, with
    :math:`V = \mathbf 1'R\mathbf 1` (observed, psych) or :math:`V=(\sum g_i)^2+
    \sum_j(\sum_i f_{ij})^2+\sum u_i^2` (model); ECV :math:`=\sum g_i^2/
    \sum_i(g_i^2+\sum_j f_{ij}^2)`. The fit follows psych step for step: minres
    (``fa(fm = "minres")``), varimax then oblimin (``GPArotation``), a minres
    factor of the factor correlations (two group factors: equal loadings), and
    ``schmid``; the optimisers are converged more tightly than R's defaults, so
    values differ from psych's in the fifth or sixth digit.

    References
    ----------
    McDonald, R. P. (1999). *Test Theory: A Unified Treatment*. Erlbaum.
    Zinbarg, R. E., Revelle, W., Yovel, I., & Li, W. (2005). Cronbach's alpha,
    Revelle's beta, and McDonald's omega_h. *Psychometrika* 70, 123-133.
    Rodriguez, A., Reise, S. P., & Haviland, M. G. (2016). Evaluating bifactor
    models: calculating and interpreting statistical indices. *Psychological
    Methods* 21, 137-150.
    Test values: R ``psych::omega`` 2.2.9 and ``psych::fa(fm = "ml")``
    (``tests/reference/R/psych.R``) on bfi A1-E5 and all 25 bfi items, and on a
    seeded 12-item survey with one reverse-worded item; one-factor population
    values for congeneric and tau-equivalent items.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=500)
    >>> df = pd.DataFrame({f"q{i}": 0.7 * f + rng.normal(scale=0.7, size=500) for i in range(4)})
    >>> round(float(tk.stats.omega(df, items=list(df.columns))["omega"].item()), 2)
    0.8
    >>> g, s = rng.normal(size=(2, 400)), rng.normal(size=(3, 400))
    >>> bf = pd.DataFrame({f"x{j}{i}": 0.6 * g[0] + 0.5 * s[j] + rng.normal(scale=0.6, size=400)
    ...                    for j in range(3) for i in range(3)})
    >>> res = tk.stats.omega(bf, items=list(bf.columns), model="bifactor")  # psych::omega(bf)
    >>> res[["omega_h", "omega_total", "n_factors", "variance"]].round(2)
       omega_h  omega_total  n_factors  variance
    0     0.76         0.92          3  observed
    """
    from toolkit.stats import _factor

    check_choice(model, _MODELS, param="model")
    if variance is not None:
        check_choice(variance, _VARIANCES, param="variance")
    frame, _ = _resolve(data, items)
    k = frame.shape[1]
    nf = _n_factors(model, n_factors, k)
    var = variance or ("model" if model == "one_factor" else "observed")
    r, n = _corr(frame, missing)
    lam = _factor.one_factor_ml(r)
    one_model, one_observed = _reflect_omega(lam, r)
    one = one_model if var == "model" else one_observed
    if model == "one_factor":
        std_alpha = k / (k - 1) * (1 - k / r.sum())
        return pd.DataFrame([{"omega": one, "alpha": std_alpha, "n": n, "k": k,
                              "min_loading": np.abs(lam).min(), "max_loading": np.abs(lam).max(),
                              "variance": var}])
    sl = _factor.schmid_leiman(r, nf)
    common_g = float(sl.general.sum() ** 2)
    u2 = float(sl.u2.sum())
    if var == "observed":
        total = float(sl.reflected(r).sum())
    else:
        total = common_g + float((sl.groups.sum(axis=0) ** 2).sum()) + u2
    vt = float(sl.reflected(r).sum())
    gsq = float((sl.general**2).sum())
    return pd.DataFrame([{
        "omega_h": common_g / total,
        "omega_total": 1 - u2 / total,
        "omega": one,
        "alpha": (vt - k) / vt * k / (k - 1),
        "ecv": gsq / (gsq + float((sl.groups**2).sum())),
        "n": n, "k": k, "n_factors": nf,
        "n_reflected": int((sl.key < 0).sum()),
        "variance": var,
    }])


def schmid_leiman(
    data: Any,
    *,
    items: Sequence[str] | Scale | str,
    missing: str = "listwise",
    n_factors: int = 3,
) -> pd.DataFrame:
    r"""Schmid–Leiman loadings of psych's bifactor model, one row per item.

    Parameters
    ----------
    data : pandas.DataFrame or Study
        One row per respondent.
    items : list of str, Scale or str
        Item columns, or a Scale (reverse-keyed items reversed first).
    missing : {"listwise", "pairwise"}, default "listwise"
        How the correlation matrix is formed (see :func:`omega`).
    n_factors : int, default 3
        Group factors (psych's default 3); at least 2.

    Returns
    -------
    pandas.DataFrame
        One row per item: ``item``, ``g`` (loading on the general factor),
        ``F1`` … (loadings on the group factors, psych's ``F1*`` …, in psych's
        order), ``h2`` (communality), ``u2`` (uniqueness), ``p2`` (share of the
        communality due to g), ``reflected`` (the item's sign was turned because
        it loads negatively on g; its loadings are those of the reflected item,
        as psych marks with ``-``).

    Raises
    ------
    ColumnNotFoundError, ArgumentError
        As :func:`omega`.

    Notes
    -----
    ``psych::schmid(R, nfactors, fm = "minres", rotate = "oblimin")`` with
    ``psych::omega``'s reflection; see :func:`omega` for the steps. With oblique
    loadings :math:`F` and second-order loadings :math:`\gamma`:
    :math:`g = F\gamma` and group loadings :math:`f_{ij} = F_{ij}
    \sqrt{1-\gamma_j^2}`.

    References
    ----------
    Schmid, J., & Leiman, J. M. (1957). The development of hierarchical factor
    solutions. *Psychometrika* 22, 53-61.
    Test values: R ``psych::omega`` 2.2.9 ``$schmid$sl`` (see :func:`omega`).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> g, s = rng.normal(size=(2, 400)), rng.normal(size=(3, 400))
    >>> bf = pd.DataFrame({f"x{j}{i}": 0.6 * g[0] + 0.5 * s[j] + rng.normal(scale=0.6, size=400)
    ...                    for j in range(3) for i in range(3)})
    >>> sl = tk.stats.schmid_leiman(bf, items=list(bf.columns))  # psych::schmid(cor(bf))
    >>> sl.loc[[0, 3, 6], ["item", "g", "F1", "F2", "F3", "h2"]].round(2)
      item     g    F1    F2    F3    h2
    0  x00  0.64  0.02  0.01  0.43  0.60
    3  x10  0.57 -0.04  0.59 -0.00  0.68
    6  x20  0.65  0.55  0.01 -0.00  0.72
    """
    from toolkit.stats import _factor

    frame, _ = _resolve(data, items)
    nf = _n_factors("bifactor", n_factors, frame.shape[1])
    r, _n = _corr(frame, missing)
    sl = _factor.schmid_leiman(r, nf)
    out = pd.DataFrame({"item": [str(c) for c in frame.columns], "g": sl.general})
    for j in range(nf):
        out[f"F{j + 1}"] = sl.groups[:, j]
    out["h2"] = sl.h2
    out["u2"] = sl.u2
    out["p2"] = sl.p2
    out["reflected"] = sl.key < 0
    return out


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
