r"""Intraclass correlation: the six Shrout–Fleiss forms, as R ``psych::ICC``.

Ratings come one row per target (a proposal, a session, a submitted text) and
one column per rater (a reviewer, an assessor), or in long form with one row per
rating (``targets=``, ``raters=``, ``ratings=`` columns). :func:`icc` returns an
:class:`ICCResult`; its ``.to_frame()`` is the tidy table of the six forms.

Examples
--------
>>> scores = pd.DataFrame({"r1": [9, 6, 8, 7, 10, 6], "r2": [2, 1, 4, 1, 5, 2],
...                        "r3": [5, 3, 6, 2, 6, 4], "r4": [8, 2, 8, 6, 9, 7]})
>>> tk.stats.icc(scores).to_frame()[["type", "icc"]].round(2)  # R: psych::ICC(scores)
    type   icc
0   ICC1  0.17
1   ICC2  0.29
2   ICC3  0.71
3  ICC1k  0.44
4  ICC2k  0.62
5  ICC3k  0.91
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import linalg, optimize
from scipy import stats as sps

from toolkit._checks import check_choice, refuse_large, require_columns
from toolkit._summary import Summary
from toolkit._values import as_numeric
from toolkit.errors import ArgumentError, ArgumentTypeError, ToolkitWarning

__all__ = ["ICC_COLUMNS", "ICCResult", "icc"]

#: Columns of :meth:`ICCResult.to_frame`.
ICC_COLUMNS = ["type", "description", "icc", "f", "df1", "df2", "p_value", "ci_low", "ci_high",
               "n_targets", "n_raters"]

_FORMS = [
    ("ICC1", "Single raters absolute"),
    ("ICC2", "Single random raters"),
    ("ICC3", "Single fixed raters"),
    ("ICC1k", "Average raters absolute"),
    ("ICC2k", "Average random raters"),
    ("ICC3k", "Average fixed raters"),
]

_METHODS = ("anova", "reml")


class ICCResult:
    """Intraclass correlations of one set of ratings (built by :func:`icc`).

    Attributes
    ----------
    table : pandas.DataFrame
        The six forms, columns as :data:`ICC_COLUMNS` (also :meth:`to_frame`).
    anova : pandas.DataFrame
        ``source`` (``targets``, ``raters``, ``residual``), ``df``, ``sum_sq``,
        ``mean_sq``, ``f``, ``p_value``: the two-way table behind the forms (psych's
        ``$stats``); with ``method="reml"`` the mean squares are rebuilt from the
        variance components, as psych does.
    method : str
        ``"anova"`` or ``"reml"``.
    level : float
        Confidence level of ``ci_low``/``ci_high``.
    n_targets, n_raters : int
        Targets used and raters.
    dropped : pandas.Index
        Labels of the targets left out (``n_dropped`` of them).
    notes : list of str
        What was left out, and boundary fits.

    Examples
    --------
    >>> res = tk.stats.icc(pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 3, 3, 5]}))
    >>> res
    <ICCResult anova: 4 targets x 2 raters, ICC2 = 0.889>
    >>> res.anova["source"].tolist()
    ['targets', 'raters', 'residual']
    """

    def __init__(self, table: pd.DataFrame, anova: pd.DataFrame, *, method: str, level: float,
                 n_targets: int, n_raters: int, dropped: pd.Index,
                 notes: list[str] | None = None) -> None:
        self.table = table
        self.anova = anova
        self.method = method
        self.level = level
        self.n_targets = n_targets
        self.n_raters = n_raters
        self.dropped = dropped
        self.notes = list(notes or [])

    @property
    def n_dropped(self) -> int:
        """Number of targets left out."""
        return len(self.dropped)

    def to_frame(self) -> pd.DataFrame:
        """The six forms as a tidy frame (a copy of :attr:`table`)."""
        return self.table.copy()

    def summary(self) -> Summary:
        """Summary with ``as_text()``, ``as_html()`` and ``as_latex()``."""
        how = {"anova": "two-way ANOVA mean squares (Shrout & Fleiss 1979)",
               "reml": "REML variance components (psych::ICC, lmer = TRUE)"}[self.method]
        info = [("Targets", str(self.n_targets)), ("Raters", str(self.n_raters)),
                ("Targets left out", str(self.n_dropped)), ("Estimation", how),
                ("Confidence level", f"{self.level:g}")]
        return Summary("Intraclass correlation", info, self.table, self.notes)

    def __repr__(self) -> str:
        icc2 = float(self.table.loc[self.table["type"] == "ICC2", "icc"].iloc[0])
        return (f"<ICCResult {self.method}: {self.n_targets} targets x {self.n_raters} raters, "
                f"ICC2 = {icc2:.3f}>")

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def _numeric(frame: pd.DataFrame, *, role: str) -> pd.DataFrame:
    """Float ratings; text columns are refused without showing their values."""
    out = {}
    bad = []
    for col in frame.columns:
        s = frame[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            out[col] = as_numeric(s)
            continue
        if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
            out[col] = s.astype("float64")
            continue
        num = pd.to_numeric(s, errors="coerce")
        text = s.notna() & num.isna()
        if text.any():
            first = int(np.flatnonzero(text.to_numpy())[0]) + 1
            bad.append(f"column `{col}` has {int(text.sum())} text values (the first in "
                       f"row {first})")
        out[col] = num.astype("float64")
    if bad:
        hint = ("name the column holding target labels as `targets=`, or list the rater "
                "columns in `raters=`" if role == "raters" else "recode them as numbers")
        msg = f"Ratings must be numbers, but {'; '.join(bad)}. To fix: {hint}."
        raise ArgumentError(msg)
    return pd.DataFrame(out, index=frame.index)


def _long_to_wide(data: pd.DataFrame, targets: Any, raters: Any, ratings: str) -> pd.DataFrame:
    if targets is None or raters is None or not isinstance(raters, str):
        msg = ("Long input (one row per rating, `ratings=` given) needs `targets=` and "
               "`raters=`, each the name of one column. For wide input (one row per target, "
               "one column per rater) leave out `ratings=`.")
        raise ArgumentError(msg)
    require_columns(data, {"targets": targets, "raters": raters, "ratings": ratings})
    keys = data[[targets, raters]]
    unplaced = keys.isna().any(axis=1).to_numpy()
    if unplaced.any():
        rows = (np.flatnonzero(unplaced) + 1)[:10].tolist()
        msg = (f"{int(unplaced.sum())} ratings have no target or no rater (rows {rows} of "
               f"`data`, counting from 1), so they cannot be placed. Fill in `{targets}` and "
               f"`{raters}` for them or remove them.")
        raise ArgumentError(msg)
    dup = keys.duplicated(keep=False).to_numpy()
    if dup.any():
        rows = (np.flatnonzero(dup) + 1)[:10].tolist()
        msg = (f"{int(dup.sum())} rows give more than one rating for the same target and "
               f"rater (rows {rows} of `data`, counting from 1). Keep one rating per target "
               "and rater (e.g. average them first).")
        raise ArgumentError(msg)
    values = _numeric(data[[ratings]], role="ratings")[ratings]
    long = pd.DataFrame({"t": keys[targets].to_numpy(), "r": keys[raters].to_numpy(),
                         "y": values.to_numpy()})
    wide = long.pivot(index="t", columns="r", values="y")
    wide.index.name = targets
    wide.columns.name = None
    return wide


def _wide(data: pd.DataFrame, targets: Any, raters: Any) -> pd.DataFrame:
    if isinstance(raters, str):
        msg = (f"`raters={raters!r}` names one column. Wide input (one row per target) needs "
               "a list of two or more rater columns; for long input (one row per rating) "
               "also give `targets=` and `ratings=`.")
        raise ArgumentError(msg)
    require_columns(data, {"targets": targets, "raters": raters})
    cols = list(raters) if raters is not None else [c for c in data.columns if c != targets]
    wide = _numeric(data[cols], role="raters")
    if targets is not None:
        labels = data[targets]
        if labels.duplicated().any():
            msg = (f"The `targets` column `{targets}` repeats labels, but wide input needs one "
                   "row per target. For one row per rating give `raters=` (a column) and "
                   "`ratings=` as well.")
            raise ArgumentError(msg)
        wide.index = pd.Index(labels.to_numpy(), name=targets)
    return wide


def _anova(y: np.ndarray) -> tuple[float, float, float, float]:
    """Mean squares of the two-way layout without replication: MSB, MSJ, MSE, MSW."""
    n, k = y.shape
    grand = y.mean()
    ssb = k * float(((y.mean(axis=1) - grand) ** 2).sum())
    ssj = n * float(((y.mean(axis=0) - grand) ** 2).sum())
    sse = float(((y - grand) ** 2).sum()) - ssb - ssj
    return ssb / (n - 1), ssj / (k - 1), sse / ((n - 1) * (k - 1)), (ssj + sse) / (n * (k - 1))


def _reml(y: np.ndarray) -> tuple[float, float, float]:
    r"""REML variances of targets, raters and residual in ``y ~ 1 + (1|target) + (1|rater)``.

    The profiled REML criterion of Bates et al. (2015, eq. 41) in the relative
    standard deviations :math:`\theta`, with the penalised least-squares system
    solved by eliminating the (diagonal) target block first, so the cost is
    :math:`O(n k^2)` for `n` targets and `k` raters. Missing cells are left out.
    """
    obs = ~np.isnan(y)
    ti, rj = np.nonzero(obs)
    v = y[obs]
    n_obs = v.size
    n_i = obs.sum(axis=1).astype(float)
    m_j = obs.sum(axis=0).astype(float)
    inc = obs.astype(float)
    sum_i = np.where(obs, y, 0.0).sum(axis=1)
    sum_j = np.where(obs, y, 0.0).sum(axis=0)
    total = float(v.sum())

    def criterion(theta: np.ndarray) -> tuple[float, float]:
        ta, tb = float(theta[0]), float(theta[1])
        da = ta * ta * n_i + 1.0
        b = ta * tb * inc
        schur = np.diag(tb * tb * m_j + 1.0) - b.T @ (b / da[:, None])
        chol = linalg.cho_factor(schur, lower=True)

        def solve(va: np.ndarray, vb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            xb = linalg.cho_solve(chol, vb - b.T @ (va / da))
            return (va - b @ xb) / da, xb

        ca, cb = ta * n_i, tb * m_j
        x1a, x1b = solve(ca, cb)
        x2a, x2b = solve(ta * sum_i, tb * sum_j)
        rx = n_obs - float(ca @ x1a + cb @ x1b)
        beta = (total - float(ca @ x2a + cb @ x2b)) / rx
        ua, ub = x2a - x1a * beta, x2b - x1b * beta
        fitted = beta + ta * ua[ti] + tb * ub[rj]
        pwrss = float(((v - fitted) ** 2).sum() + (ua**2).sum() + (ub**2).sum())
        logdet = float(np.log(da).sum()) + 2.0 * float(np.log(np.diag(chol[0])).sum())
        dev = logdet + np.log(rx) + (n_obs - 1) * (1 + np.log(2 * np.pi * pwrss / (n_obs - 1)))
        return dev, pwrss

    res = optimize.minimize(lambda t: criterion(t)[0], np.array([1.0, 1.0]), method="L-BFGS-B",
                            bounds=[(0.0, None), (0.0, None)],
                            options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 2000})
    theta = res.x
    # polish: the criterion is smooth in theta; a derivative-free pass settles the last digits
    polish = optimize.minimize(lambda t: criterion(np.abs(t))[0], theta, method="Nelder-Mead",
                               options={"xatol": 1e-9, "fatol": 1e-13 * max(1.0, abs(res.fun)),
                                        "maxiter": 2000})
    if polish.fun < res.fun:
        theta = np.abs(polish.x)
    _, pwrss = criterion(theta)
    sigma2 = pwrss / (n_obs - 1)
    return theta[0] ** 2 * sigma2, theta[1] ** 2 * sigma2, sigma2


def _forms(msb: float, msj: float, mse: float, msw: float, n: int, k: int,
           level: float) -> pd.DataFrame:
    """The six forms with F tests and intervals, formula for formula as psych::ICC."""
    a = 1 - level
    with np.errstate(divide="ignore", invalid="ignore"):
        icc1 = (msb - msw) / (msb + (k - 1) * msw)
        icc2 = (msb - mse) / (msb + (k - 1) * mse + k * (msj - mse) / n)
        icc3 = (msb - mse) / (msb + (k - 1) * mse)
        icc1k = (msb - msw) / msb
        icc2k = (msb - mse) / (msb + (msj - mse) / n)
        icc3k = (msb - mse) / msb
        f11, d11n, d11d = msb / msw, n - 1, n * (k - 1)
        f21, d21n, d21d = msb / mse, n - 1, (n - 1) * (k - 1)
        p11 = sps.f.sf(f11, d11n, d11d)
        p21 = sps.f.sf(f21, d21n, d21d)
        f1l = f11 / sps.f.isf(a / 2, d11n, d11d)
        f1u = f11 * sps.f.isf(a / 2, d11d, d11n)
        f3l = f21 / sps.f.isf(a / 2, d21n, d21d)
        f3u = f21 * sps.f.isf(a / 2, d21d, d21n)
        # ICC2: Satterthwaite degrees of freedom (Shrout & Fleiss 1979, eq. 6-7)
        fj = msj / mse
        vn = (k - 1) * (n - 1) * (k * icc2 * fj + n * (1 + (k - 1) * icc2) - k * icc2) ** 2
        vd = (n - 1) * k**2 * icc2**2 * fj**2 + (n * (1 + (k - 1) * icc2) - k * icc2) ** 2
        nu = vn / vd
        fu2 = sps.f.isf(a / 2, n - 1, nu)
        fl2 = sps.f.isf(a / 2, nu, n - 1)
        l2 = n * (msb - fu2 * mse) / (fu2 * (k * msj + (k * n - k - n) * mse) + n * msb)
        u2 = n * (fl2 * msb - mse) / (k * msj + (k * n - k - n) * mse + n * fl2 * msb)
        lo = [(f1l - 1) / (f1l + k - 1), l2, (f3l - 1) / (f3l + k - 1), 1 - 1 / f1l,
              l2 * k / (1 + l2 * (k - 1)), 1 - 1 / f3l]
        hi = [(f1u - 1) / (f1u + k - 1), u2, (f3u - 1) / (f3u + k - 1), 1 - 1 / f1u,
              u2 * k / (1 + u2 * (k - 1)), 1 - 1 / f3u]
    return pd.DataFrame({
        "type": [t for t, _ in _FORMS],
        "description": [d for _, d in _FORMS],
        "icc": [icc1, icc2, icc3, icc1k, icc2k, icc3k],
        "f": [f11, f21, f21, f11, f21, f21],
        "df1": [d11n, d21n, d21n, d11n, d21n, d21n],
        "df2": [d11d, d21d, d21d, d11d, d21d, d21d],
        "p_value": [p11, p21, p21, p11, p21, p21],
        "ci_low": np.asarray(lo, dtype=float),
        "ci_high": np.asarray(hi, dtype=float),
        "n_targets": n,
        "n_raters": k,
    }).astype({"icc": float, "f": float, "df1": np.int64, "df2": np.int64, "p_value": float})


def icc(
    data: pd.DataFrame,
    *,
    targets: str | None = None,
    raters: str | Sequence[str] | None = None,
    ratings: str | None = None,
    level: float = 0.95,
    method: str = "anova",
) -> ICCResult:
    r"""Intraclass correlations (Shrout & Fleiss 1979), with F tests and intervals as psych.

    Parameters
    ----------
    data : pandas.DataFrame
        Wide: one row per target (a proposal, a session), one column per rater.
        Long: one row per rating, with the target, the rater and the rating in
        three columns named by `targets`, `raters` and `ratings`.
    targets : str, optional
        Wide input: a column holding the target labels (the index is used
        otherwise). Long input: the column identifying the target.
    raters : str or list of str, optional
        Wide input: the rater columns (default every column but `targets`). Long
        input: the column identifying the rater.
    ratings : str, optional
        Long input only: the column holding the rating. Giving it selects long input.
    level : float, default 0.95
        Confidence level of the intervals.
    method : {"anova", "reml"}, default "anova"
        ``"anova"``: the mean squares of the two-way table (Shrout & Fleiss; R
        ``psych::ICC(x, lmer = FALSE)``, SPSS ``RELIABILITY /ICC``); every target
        must be rated by every rater, so targets with a missing rating are left
        out (listwise), with a :class:`~toolkit.errors.ToolkitWarning` saying how
        many and ``.dropped`` naming them. ``"reml"``: the three variance
        components of ``rating ~ 1 + (1|target) + (1|rater)`` by REML from every
        rating given, as ``psych::ICC(x)`` (its default, ``lmer = TRUE``) does;
        no target is left out unless it has no rating at all.

    Returns
    -------
    ICCResult
        ``.to_frame()``: one row per form, columns ``type`` (``ICC1, ICC2, ICC3,
        ICC1k, ICC2k, ICC3k``), ``description`` (e.g. "Single random raters"),
        ``icc``, ``f`` (the F statistic testing ICC = 0), ``df1``, ``df2``,
        ``p_value``, ``ci_low``, ``ci_high``, ``n_targets`` (targets used),
        ``n_raters``. Also ``.anova`` (the two-way table), ``.dropped``,
        ``.n_dropped``, ``.notes``, ``.summary()``.

    Raises
    ------
    ColumnNotFoundError
        A column named in `targets`, `raters` or `ratings` is not in `data`.
    ArgumentError
        Text in a rating column (the message names the column, not its values),
        two ratings by one rater of one target (long input), fewer than two
        targets or raters, all ratings equal, or an unknown `method`.

    Notes
    -----
    With :math:`n` targets, :math:`k` raters and the mean squares between
    targets (:math:`MSB`), between raters (:math:`MSJ`), residual (:math:`MSE`)
    and within targets (:math:`MSW`):

    - ICC1 :math:`=(MSB-MSW)/(MSB+(k-1)MSW)` — one-way random, each target rated
      by different raters; ICC1k :math:`=(MSB-MSW)/MSB`, the mean of :math:`k`;
    - ICC2 :math:`=(MSB-MSE)/(MSB+(k-1)MSE+k(MSJ-MSE)/n)` — two-way random,
      absolute agreement; ICC2k :math:`=(MSB-MSE)/(MSB+(MSJ-MSE)/n)`;
    - ICC3 :math:`=(MSB-MSE)/(MSB+(k-1)MSE)` — two-way mixed, consistency;
      ICC3k :math:`=(MSB-MSE)/MSB`.

    F tests: :math:`MSB/MSW` on :math:`(n-1, n(k-1))` for ICC1/ICC1k,
    :math:`MSB/MSE` on :math:`(n-1, (n-1)(k-1))` otherwise. Intervals are exact
    F-based for ICC1, ICC3 and their averages, and use Satterthwaite's degrees
    of freedom for ICC2 (Shrout & Fleiss 1979; McGraw & Wong 1996), with psych's
    formulas. With ``method="reml"`` the mean squares are rebuilt from the REML
    variances :math:`\hat\sigma^2_t, \hat\sigma^2_r, \hat\sigma^2_e` as
    :math:`MSB = k\hat\sigma^2_t+\hat\sigma^2_e`, :math:`MSJ = n\hat\sigma^2_r+
    \hat\sigma^2_e`, :math:`MSE=\hat\sigma^2_e`, :math:`MSW = \hat\sigma^2_e+
    \hat\sigma^2_r` and the degrees of freedom are those of complete data, as
    psych does. On complete data both methods agree, except when an ANOVA
    variance estimate is negative: REML then sets it to 0 (a boundary fit, noted
    in ``.notes``) and the forms differ.

    References
    ----------
    Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in
    assessing rater reliability. *Psychological Bulletin* 86, 420-428.
    McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some
    intraclass correlation coefficients. *Psychological Methods* 1, 30-46.
    Bates, D., Mächler, M., Bolker, B., & Walker, S. (2015). Fitting linear
    mixed-effects models using lme4. *Journal of Statistical Software* 67(1).
    Test values: R ``psych::ICC`` 2.2.9 (``tests/reference/R/psych.R``) on
    Shrout & Fleiss's Table 2 (ICC2 = 0.29, ICC3 = 0.71 as published), on
    pingouin's wine ratings, and on a seeded 30 x 5 panel, complete and with
    gaps.

    Examples
    --------
    >>> long = pd.DataFrame({"proposal": ["p1", "p1", "p2", "p2", "p3", "p3", "p4", "p4"],
    ...                      "reviewer": ["a", "b"] * 4, "score": [7, 8, 3, 4, 5, 7, 9, 9]})
    >>> res = tk.stats.icc(long, targets="proposal", raters="reviewer", ratings="score")
    >>> res.to_frame().loc[:2, ["type", "icc", "ci_low", "ci_high"]].round(3)
       type    icc  ci_low  ci_high
    0  ICC1  0.872   0.190    0.991
    1  ICC2  0.877   0.014    0.991
    2  ICC3  0.941   0.363    0.996
    """
    check_choice(method, _METHODS, param="method")
    refuse_large(data, where="tk.stats.icc")
    if not isinstance(data, pd.DataFrame):
        if isinstance(data, np.ndarray) and data.ndim == 2:
            data = pd.DataFrame(data, columns=[f"rater_{j + 1}" for j in range(data.shape[1])])
        else:
            msg = ("`data` must be a pandas DataFrame (one row per target and one column per "
                   f"rater, or one row per rating), not {type(data).__name__}.")
            raise ArgumentTypeError(msg)
    if not 0 < level < 1:
        msg = f"`level` must be between 0 and 1 (e.g. 0.95), not {level!r}."
        raise ArgumentError(msg)
    long = ratings is not None
    wide = _long_to_wide(data, targets, raters, ratings) if long else _wide(data, targets, raters)
    empty_raters = [str(c) for c in wide.columns if wide[c].isna().all()]
    if empty_raters:
        msg = (f"Rater column(s) {', '.join(f'`{c}`' for c in empty_raters)} hold no rating; "
               "leave them out of `raters=`.")
        raise ArgumentError(msg)
    rated = wide.notna().sum(axis=1).to_numpy()
    k = wide.shape[1]
    keep = rated == k if method == "anova" else rated > 0
    notes: list[str] = []
    dropped = wide.index[~keep]
    if (~keep).any():
        n_all = len(wide)
        where = "" if long else (
            f" (rows {(np.flatnonzero(~keep) + 1)[:10].tolist()} of `data`, counting from 1)")
        if method == "anova":
            why = ("with a missing rating: the ANOVA forms need every target rated by every "
                   "rater (listwise, as psych::ICC(na.omit(x), lmer = FALSE)). "
                   "`method=\"reml\"` uses every rating given, as psych::ICC does by default")
        else:
            why = "with no rating at all"
        note = (f"{int((~keep).sum())} of {n_all} targets left out, {why}{where}; "
                "`.dropped` lists them.")
        notes.append(note)
        warnings.warn(f"tk.stats.icc: {note}", ToolkitWarning, stacklevel=2)
    y = wide.to_numpy(float)[keep]
    n = y.shape[0]
    if n < 2 or k < 2:
        msg = (f"The ICC needs at least two targets and two raters; {n} target(s) and {k} "
               "rater(s) remain" + (" after leaving out incomplete targets." if
                                    len(dropped) else "."))
        raise ArgumentError(msg)
    if np.nanstd(y) == 0:
        msg = "All ratings are equal, so the intraclass correlation is undefined."
        raise ArgumentError(msg)
    if method == "anova":
        msb, msj, mse, msw = _anova(y)
    else:
        var_t, var_r, mse = _reml(y)
        msb, msj, msw = k * var_t + mse, n * var_r + mse, mse + var_r
        for name, value in (("target", var_t), ("rater", var_r)):
            if value <= 1e-10 * mse:
                notes.append(f"Boundary (singular) fit: the {name} variance is estimated as 0.")
    table = _forms(msb, msj, mse, msw, n, k, level).reindex(columns=ICC_COLUMNS)
    dfs = np.array([n - 1, k - 1, (n - 1) * (k - 1)], dtype=float)
    ms = np.array([msb, msj, mse])
    with np.errstate(divide="ignore", invalid="ignore"):
        fs = np.array([msb / mse, msj / mse, np.nan])
    anova = pd.DataFrame({
        "source": ["targets", "raters", "residual"],
        "df": dfs.astype(np.int64),
        "sum_sq": ms * dfs,
        "mean_sq": ms,
        "f": fs,
        "p_value": [sps.f.sf(fs[0], dfs[0], dfs[2]), sps.f.sf(fs[1], dfs[1], dfs[2]), np.nan],
    })
    return ICCResult(table, anova, method=method, level=level, n_targets=n, n_raters=k,
                     dropped=dropped, notes=notes)
