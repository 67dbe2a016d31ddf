r"""Coding reliability: Cohen's and Fleiss' kappa, Krippendorff's alpha.

Data layout as in R ``irr``: one row per coded unit (a speech, a session
transcript segment), one column per coder, the code in the cell and NaN where a
coder did not code the unit. Each function returns a one-row DataFrame.

Examples
--------
>>> codes = pd.DataFrame({"coder_a": [1, 2, 2, 3, 1, 2], "coder_b": [1, 2, 3, 3, 1, 2]})
>>> tk.stats.cohen_kappa(codes)[["kappa", "n"]].round(3)
   kappa  n
0   0.75  6
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from toolkit._checks import check_choice, refuse_large, require_columns
from toolkit._docs import renamed
from toolkit.errors import ArgumentError, ArgumentTypeError

__all__ = ["cohen_kappa", "fleiss_kappa", "krippendorff_alpha"]

_Z975 = float(sps.norm.ppf(0.975))


def _frame(data: Any, columns: list[str] | None, *, role: str, where: str) -> pd.DataFrame:
    refuse_large(data, where=where)
    if not isinstance(data, pd.DataFrame):
        values = np.asarray(data)
        if values.ndim != 2:
            msg = ("`data` must be a DataFrame (one row per unit, one column per coder) or a "
                   f"2-D array, not {type(data).__name__}.")
            raise ArgumentTypeError(msg)
        data = pd.DataFrame(values)
    if columns is not None:
        require_columns(data, {role: columns})
        data = data[columns]
    return data


def _levels(values: pd.DataFrame) -> list[Any]:
    """Observed codes in order: category order for categoricals, sorted otherwise."""
    cats = [values[c].cat.categories for c in values.columns
            if isinstance(values[c].dtype, pd.CategoricalDtype)]
    seen = pd.unique(values.stack().to_numpy())
    if cats:
        return [v for v in cats[0] if v in set(seen)]
    return sorted(seen.tolist())


def cohen_kappa(
    data: pd.DataFrame,
    *,
    coders: list[str] | None = None,
    weights: str | None = None,
) -> pd.DataFrame:
    r"""Cohen's kappa (optionally weighted) for two coders, as R ``irr::kappa2``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit, the two coders' codes in two columns.
    coders : list of str, optional
        The two columns to use; default the first two columns.
    weights : {None, "linear", "quadratic"}, default None
        Unweighted kappa, or weighted kappa with linear (irr ``"equal"``) or
        quadratic (irr ``"squared"``) agreement weights.

    Returns
    -------
    pandas.DataFrame
        One row: ``kappa, se, z, p_value, ci_low, ci_high, n`` — ``se`` is the
        large-sample standard error (Fleiss, Cohen & Everitt 1969, the SAS
        "ASE") used for the 95% interval; ``z`` and ``p_value`` test kappa = 0
        with the standard error under that hypothesis, as ``irr::kappa2``;
        ``n`` units coded by both.

    Raises
    ------
    ValueError
        For an unknown `weights` or fewer than two columns.

    Notes
    -----
    Units missing either code are dropped (listwise, as irr). The categories
    are the codes observed in either column, in sorted (or category) order;
    weights use their ranks: :math:`w_{ij} = 1-|i-j|/(k-1)` (linear) or
    :math:`1-(i-j)^2/(k-1)^2` (quadratic). With :math:`p_o=\sum w_{ij}p_{ij}`,
    :math:`p_e=\sum w_{ij}p_{i.}p_{.j}`, :math:`\kappa=(p_o-p_e)/(1-p_e)`.
    Both variances are those of Fleiss, Cohen & Everitt (1969); they agree
    with irr (``z``) and SAS PROC FREQ (``se``, interval, ``z``).

    References
    ----------
    Cohen, J. (1968). Weighted kappa. *Psychological Bulletin* 70, 213-220.
    Fleiss, J. L., Cohen, J., & Everitt, B. S. (1969). Large sample standard
    errors of kappa and weighted kappa. *Psychological Bulletin* 72, 323-327.
    Test values: R ``irr`` 0.84 ``kappa2(anxiety[,2:3])`` (unweighted,
    ``"equal"``, ``"squared"``, printed in statsmodels' test suite) and the SAS
    PROC FREQ output for a 3x3 table (statsmodels ``test_inter_rater.py``).

    Examples
    --------
    >>> codes = pd.DataFrame({"a": [1, 2, 3, 3, 2, 1, 3], "b": [1, 2, 3, 2, 2, 2, 3]})
    >>> tk.stats.cohen_kappa(codes, weights="linear")[["kappa", "n"]].round(3)
       kappa  n
    0   0.65  7
    """
    frame = _frame(data, coders, role="coders", where="tk.stats.cohen_kappa")
    if frame.shape[1] < 2:
        msg = "`data` needs two coder columns (one row per unit, one column per coder)."
        raise ArgumentError(msg)
    check_choice(weights, (None, "linear", "quadratic"), param="weights")
    frame = frame.iloc[:, :2].dropna()
    levels = _levels(frame)
    k = len(levels)
    pos = {v: i for i, v in enumerate(levels)}
    r1 = frame.iloc[:, 0].map(pos).to_numpy(int)
    r2 = frame.iloc[:, 1].map(pos).to_numpy(int)
    n = len(r1)
    table = np.zeros((k, k))
    np.add.at(table, (r1, r2), 1.0)
    idx = np.arange(k)
    dist = np.abs(idx[:, None] - idx[None, :]).astype(float)
    if weights is None or k < 2:
        w = (dist == 0).astype(float)
    elif weights == "linear":
        w = 1 - dist / (k - 1)
    else:
        w = 1 - dist**2 / (k - 1) ** 2
    p = table / max(n, 1)
    pi, pj = p.sum(axis=1), p.sum(axis=0)
    po = float((w * p).sum())
    pe_w = float((w * np.outer(pi, pj)).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        kappa = (po - pe_w) / (1 - pe_w)
        wi = w @ pj  # mean weight of row category i
        wj = pi @ w  # mean weight of column category j
        # variance under kappa = 0 (Fleiss, Cohen & Everitt 1969), as irr::kappa2
        var0 = (float((np.outer(pi, pj) * (w - (wi[:, None] + wj[None, :])) ** 2).sum())
                - pe_w**2) / (n * (1 - pe_w) ** 2)
        # Fleiss-Cohen-Everitt large-sample variance (for the interval)
        var1 = (float((p * (w - (wi[:, None] + wj[None, :]) * (1 - kappa)) ** 2).sum())
                - (kappa - pe_w * (1 - kappa)) ** 2) / (n * (1 - pe_w) ** 2)
        se0 = np.sqrt(var0)
        se = np.sqrt(max(var1, 0.0))
        z = kappa / se0
    return pd.DataFrame([{
        "kappa": kappa, "se": se, "z": z, "p_value": 2 * sps.norm.sf(abs(z)),
        "ci_low": kappa - _Z975 * se, "ci_high": kappa + _Z975 * se, "n": n,
    }])


def fleiss_kappa(data: pd.DataFrame, *, coders: list[str] | None = None) -> pd.DataFrame:
    r"""Fleiss' kappa for a fixed number of coders per unit, as R ``irr::kappam.fleiss``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit, one column per coder, nominal codes.
    coders : list of str, optional
        Columns to use; default all.

    Returns
    -------
    pandas.DataFrame
        One row: ``kappa, se, z, p_value, ci_low, ci_high, n, coders``. ``se`` is
        the standard error under kappa = 0 (Fleiss, Levin & Paik 2003), which gives ``z`` and
        ``p_value`` as irr does; the interval ``kappa ± 1.96 se`` uses the same
        standard error and is only approximate away from 0. ``n`` units,
        ``coders`` coders.

    Notes
    -----
    Units with any missing code are dropped (listwise, as irr; use
    :func:`krippendorff_alpha` for data with gaps). With :math:`n_{ij}` the
    number of coders putting unit :math:`i` in category :math:`j`, :math:`m`
    coders and :math:`N` units: :math:`P_o = \frac{1}{N}\sum_i
    \frac{\sum_j n_{ij}^2 - m}{m(m-1)}`, :math:`P_e=\sum_j p_j^2`,
    :math:`\kappa = (P_o-P_e)/(1-P_e)`; under :math:`\kappa=0`,
    :math:`\mathrm{Var}=\frac{2}{Nm(m-1)}\frac{(\sum p_jq_j)^2-\sum p_jq_j(q_j-p_j)}
    {(\sum p_jq_j)^2}` with :math:`q_j=1-p_j`.

    References
    ----------
    Fleiss, J. L., Levin, B., & Paik, M. C. (2003). *Statistical Methods for
    Rates and Proportions*, 3rd ed. Wiley.
    Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
    *Psychological Bulletin* 76, 378-382. Test value: R ``irr``
    ``kappam.fleiss(diagnoses)``: kappa 0.4302445, z 17.65183.

    Examples
    --------
    >>> codes = pd.DataFrame({"a": [1, 2, 2, 3], "b": [1, 2, 3, 3], "c": [1, 2, 2, 3]})
    >>> tk.stats.fleiss_kappa(codes)["kappa"].round(3).item()
    0.745
    """
    frame = _frame(data, coders, role="coders", where="tk.stats.fleiss_kappa").dropna()
    levels = _levels(frame)
    pos = {v: i for i, v in enumerate(levels)}
    codes = frame.apply(lambda c: c.map(pos)).to_numpy(int)
    ns, nr = codes.shape
    k = len(levels)
    counts = np.zeros((ns, k))
    np.add.at(counts, (np.repeat(np.arange(ns), nr), codes.ravel()), 1.0)
    agree = float(((counts**2).sum(axis=1) - nr).sum() / (nr * (nr - 1) * ns))
    pj = counts.sum(axis=0) / (ns * nr)
    pe2 = float((pj**2).sum())
    pq = pj * (1 - pj)
    with np.errstate(invalid="ignore", divide="ignore"):
        kappa = (agree - pe2) / (1 - pe2)
        # variance under kappa = 0 (Fleiss, Levin & Paik 2003, eq. 18.15), as irr
        var0 = (2 / (ns * nr * (nr - 1)) * (pq.sum() ** 2 - (pq * (1 - 2 * pj)).sum())
                / pq.sum() ** 2)
        se = np.sqrt(var0)
        z = kappa / se
    return pd.DataFrame([{
        "kappa": kappa, "se": se, "z": z, "p_value": 2 * sps.norm.sf(abs(z)),
        "ci_low": kappa - _Z975 * se, "ci_high": kappa + _Z975 * se, "n": ns, "coders": nr,
    }])


def _delta2(values: np.ndarray, counts: np.ndarray, level: str) -> np.ndarray:
    """Squared difference function of Krippendorff (2011) between values."""
    a, b = values[:, None], values[None, :]
    if level == "nominal":
        return (a != b).astype(float)
    if level == "interval":
        return (a - b) ** 2
    if level == "ratio":
        with np.errstate(invalid="ignore", divide="ignore"):
            out = ((a - b) / (a + b)) ** 2
        return np.nan_to_num(out)
    # ordinal: (sum of n_g from c to k minus (n_c + n_k)/2)^2, using marginal counts
    cum = np.cumsum(counts)
    i, j = np.arange(len(values))[:, None], np.arange(len(values))[None, :]
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    between = cum[hi] - np.where(lo > 0, cum[lo - 1], 0.0)
    return (between - (counts[lo] + counts[hi]) / 2) ** 2


@renamed(level="measurement")
def krippendorff_alpha(
    data: pd.DataFrame,
    *,
    coders: list[str] | None = None,
    measurement: str = "nominal",
    n_boot: int = 1000,
    seed: int | None = None,
) -> pd.DataFrame:
    r"""Krippendorff's alpha with missing data and a bootstrap interval.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit, one column per coder, NaN where a coder did not code.
        Codes are numbers (ordered Categoricals are used as their codes 1..k).
    coders : list of str, optional
        Columns to use; default all.
    measurement : {"nominal", "ordinal", "interval", "ratio"}, default "nominal"
        Level of measurement (the difference function). ``level=`` is its old
        spelling (``level`` now always means a confidence level).
    n_boot : int, default 1000
        Bootstrap replicates for the interval; 0 skips it.
    seed : int, optional
        Seed of the random number generator, for reproducible results.

    Returns
    -------
    pandas.DataFrame
        One row: ``alpha, se, z, p_value, ci_low, ci_high, n, n_pairable`` —
        ``se`` is the bootstrap standard deviation; ``ci_low``/``ci_high`` the
        2.5% and 97.5% bootstrap percentiles; ``z`` and ``p_value`` are NaN
        (alpha has no test against 0 — judge ``ci_low`` against the minimum
        acceptable alpha, e.g. 0.667 or 0.8); ``n`` units with at least two
        codes; ``n_pairable`` the number of pairable values :math:`n_{..}`.

    Notes
    -----
    :math:`\alpha = 1 - D_o/D_e` with the coincidence matrix of values pairable
    within units (Krippendorff 2011); the point estimate is computed by the
    ``krippendorff`` package. Units coded by fewer than two coders carry no
    information and are left out.

    The bootstrap follows Hayes & Krippendorff (2007): the expected
    disagreement :math:`D_e` is held fixed and the :math:`M=\sum_u m_u(m_u-1)/2`
    pairs of values within units are resampled with replacement, each pair
    contributing :math:`2\delta^2/(m_u-1)` to :math:`n_{..}D_o`.

    References
    ----------
    Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability.
    Annenberg School for Communication, University of Pennsylvania. Test
    values: its 4-coder x 12-unit example, alpha = 0.743 (nominal), 0.815
    (ordinal), 0.849 (interval), 0.797 (ratio).
    Hayes, A. F., & Krippendorff, K. (2007). Answering the call for a standard
    reliability measure for coding data. *Communication Methods and Measures*
    1, 77-89.

    Examples
    --------
    >>> codes = pd.DataFrame({"a": [1, 2, 3, 3, 2, np.nan], "b": [1, 2, 3, 3, 1, 2],
    ...                       "c": [1, 2, 3, 2, 2, 2]})
    >>> res = tk.stats.krippendorff_alpha(codes, measurement="nominal", n_boot=200, seed=1)
    >>> res[["alpha", "n"]].round(3)
       alpha  n
    0  0.652  6
    """
    import krippendorff

    check_choice(measurement, ("nominal", "ordinal", "interval", "ratio"), param="measurement")
    frame = _frame(data, coders, role="coders", where="tk.stats.krippendorff_alpha")
    if any(isinstance(frame[c].dtype, pd.CategoricalDtype) for c in frame.columns):
        from toolkit._values import as_numeric

        frame = frame.apply(as_numeric)
    values = frame.apply(pd.to_numeric, errors="coerce").to_numpy(float)
    m_u = (~np.isnan(values)).sum(axis=1)
    values = values[m_u >= 2]
    m_u = m_u[m_u >= 2]
    domain = np.unique(values[~np.isnan(values)])
    if len(domain) < 2:
        msg = ("Krippendorff's alpha needs at least two distinct codes among units coded "
               f"by two or more coders; found {domain.tolist()}.")
        raise ArgumentError(msg)
    with warnings.catch_warnings():
        # the package may warn on degenerate data; the caller gets NaN instead
        warnings.simplefilter("ignore", RuntimeWarning)
        alpha = float(krippendorff.alpha(reliability_data=values.T, value_domain=domain,
                                         level_of_measurement=measurement))
    pos = {v: i for i, v in enumerate(domain)}
    # pairs within units
    pa, pb, wgt = [], [], []
    for row, m in zip(values, m_u, strict=True):
        v = [pos[x] for x in row[~np.isnan(row)]]
        for i in range(len(v)):
            for j in range(i + 1, len(v)):
                pa.append(v[i])
                pb.append(v[j])
                wgt.append(2.0 / (m - 1))
    pa_, pb_, wgt_ = np.asarray(pa, int), np.asarray(pb, int), np.asarray(wgt)
    n_dot = float(m_u.sum())
    nc = np.bincount(np.r_[pa_, pb_], weights=np.r_[wgt_, wgt_] / 2, minlength=len(domain))
    d2 = _delta2(domain, nc, measurement)
    d_e = float((np.outer(nc, nc) * d2).sum()) / (n_dot * (n_dot - 1))
    ci_low = ci_high = se = np.nan
    if n_boot and len(pa_) and d_e > 0:
        rng = np.random.default_rng(seed)
        contrib = wgt_ * d2[pa_, pb_]
        m_pairs = len(contrib)
        draws = rng.integers(0, m_pairs, size=(n_boot, m_pairs))
        d_o = contrib[draws].sum(axis=1) / n_dot
        boot = 1 - d_o / d_e
        ci_low, ci_high = (float(x) for x in np.quantile(boot, [0.025, 0.975]))
        se = float(boot.std(ddof=1))
    return pd.DataFrame([{
        "alpha": alpha, "se": se, "z": np.nan, "p_value": np.nan,
        "ci_low": ci_low, "ci_high": ci_high, "n": len(values), "n_pairable": int(n_dot),
    }])
