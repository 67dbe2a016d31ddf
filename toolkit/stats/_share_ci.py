r"""Confidence intervals for design-based shares, as R ``survey::svyciprop`` (survey 4.1).

Every method takes the share :math:`\hat p` and its linearised variance
:math:`v` (from :mod:`toolkit.stats._linearise`), the design degrees of freedom
:math:`df` of the (domain) design and :math:`t = t_{1-\alpha/2,\,df}`:

- ``"wald"``: :math:`\hat p \pm z_{1-\alpha/2}\sqrt v` (R ``confint(svymean(...))``);
- ``"mean"``: :math:`\hat p \pm t\sqrt v`;
- ``"logit"`` (R's default) and ``"xlogit"``: :math:`\mathrm{expit}(\mathrm{logit}\,\hat p
  \pm t\sqrt v / (\hat p(1-\hat p)))` -- R fits ``svyglm(y ~ 1, quasibinomial)`` for
  ``"logit"`` and uses ``svycontrast`` for ``"xlogit"``; the two coincide;
- ``"asin"``: :math:`\sin^2(\arcsin\sqrt{\hat p} \pm t\sqrt v / (2\sqrt{\hat p(1-\hat p)}))`;
- ``"beta"``: Korn-Graubard: the effective sample size
  :math:`n^* = \hat p(1-\hat p)/v\,(t_{n-1}/t_{df})^2` in the Clopper-Pearson limits
  :math:`B^{-1}(\alpha/2;\ n^*\hat p,\ n^*(1-\hat p)+1)` and
  :math:`B^{-1}(1-\alpha/2;\ n^*\hat p+1,\ n^*(1-\hat p))`;
- ``"likelihood"``: the profile (quasi-)likelihood interval of the intercept of
  ``svyglm(y ~ 1, quasibinomial)``, scaled by the design effect (Rao-Scott), found
  exactly as R does: the signed root deviance on R's grid of intercept values, R's
  ``spline(method = "fmm")`` through it and linear interpolation at
  :math:`\pm t\sqrt{\lambda}` with :math:`\lambda` the design over the model
  variance of the intercept.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import special
from scipy import stats as sps

__all__ = ["SHARE_METHODS", "fmm_spline", "share_interval"]

#: The ``method`` choices of ``Design.prop``.
SHARE_METHODS = ("logit", "wald", "mean", "xlogit", "asin", "beta", "likelihood")


def share_interval(p: np.ndarray, var: np.ndarray, *, method: str, level: float,
                   df: np.ndarray, rows: np.ndarray | None = None,
                   likelihood: dict[str, np.ndarray] | None = None,
                   logit_var: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper limits for shares `p` with variances `var` (vectorised).

    `df` are the design degrees of freedom of each share's (domain) design,
    `rows` its number of rows (``"beta"``), `likelihood` the weighted sums of
    :func:`likelihood_interval` (``"likelihood"``), `logit_var` the variance of
    the logit of each share when it is not the delta method's (replicate
    weights: the replicates' logits, as R's ``svyglm`` refit gives, ``"logit"``).
    """
    p = np.asarray(p, dtype=float)
    se = np.sqrt(np.asarray(var, dtype=float))
    alpha = 1.0 - level
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "wald":
            q = sps.norm.ppf(1 - alpha / 2)
            return p - q * se, p + q * se
        df = np.broadcast_to(np.asarray(df, dtype=float), p.shape)
        # special.stdtrit is what stats.t.ppf evaluates, without its argument checks
        t = np.where(df > 0, special.stdtrit(np.where(df > 0, df, 1), 1 - alpha / 2), np.nan)
        if method == "mean":
            return p - t * se, p + t * se
        if method in ("logit", "xlogit"):
            eta, s = special.logit(p), se / (p * (1 - p))
            if method == "logit" and logit_var is not None:
                s = np.sqrt(np.asarray(logit_var, dtype=float))
            return special.expit(eta - t * s), special.expit(eta + t * s)
        if method == "asin":
            a, s = np.arcsin(np.sqrt(p)), se / (2 * np.sqrt(p * (1 - p)))
            return np.sin(a - t * s) ** 2, np.sin(a + t * s) ** 2
        if method == "beta":
            n_rows = np.broadcast_to(np.asarray(rows, dtype=float), p.shape)
            ratio = (sps.t.ppf(alpha / 2, n_rows - 1)
                     / np.where(df > 0, sps.t.ppf(alpha / 2, np.where(df > 0, df, 1)), np.nan))
            n_eff = p * (1 - p) / se**2 * ratio**2
            lo = np.where(p > 0, sps.beta.ppf(alpha / 2, n_eff * p, n_eff * (1 - p) + 1), 0.0)
            hi = np.where(p < 1, sps.beta.ppf(1 - alpha / 2, n_eff * p + 1, n_eff * (1 - p)),
                          1.0)
            return lo, hi
    if method == "likelihood":
        lo, hi = np.full(p.shape, np.nan), np.full(p.shape, np.nan)
        for i in range(p.size):
            lo.flat[i], hi.flat[i] = likelihood_interval(
                float(p.flat[i]), float(se.flat[i]), level=level, df=float(df.flat[i]),
                **{k: float(np.asarray(v).flat[i]) for k, v in (likelihood or {}).items()})
        return lo, hi
    msg = f"`method` must be one of {', '.join(map(repr, SHARE_METHODS))}, not {method!r}."
    raise ValueError(msg)


def likelihood_interval(p: float, se: float, *, level: float, df: float, n: float,
                        sw: float, mean_w: float) -> tuple[float, float]:
    r"""Profile-likelihood interval of one share, as R ``svyciprop(method="likelihood")``.

    Parameters
    ----------
    p, se : float
        The share and its design standard error.
    level, df : float
        Confidence level and design degrees of freedom.
    n : float
        Rows with a value (the rows of R's model frame).
    sw : float
        Their weight sum :math:`\sum w`.
    mean_w : float
        Mean weight of the (domain) design's rows, R's normalisation of the
        prior weights (:math:`W = w / \bar w`).

    Notes
    -----
    R's dispersion is ``svyvar`` of the Pearson residuals
    :math:`(y-\hat p)/\sqrt{\hat p(1-\hat p)}`, which is :math:`n/(n-1)` at the
    fitted share.
    """
    if not (0 < p < 1) or not se > 0 or not df > 0 or n < 2:
        return np.nan, np.nan
    b0 = float(special.logit(p))
    s_w = sw / mean_w                      # sum of the normalised weights W
    s1 = p * s_w                           # ... of the rows in the level
    var_design = se**2 / (p * (1 - p)) ** 2
    lam = var_design * (s_w * p * (1 - p))  # over the model variance 1 / (sum W mu (1-mu))
    se_b = np.sqrt(var_design)
    dispersion = n / (n - 1)

    def deviance(beta: float) -> float:
        return -2.0 * (s1 * np.log(special.expit(beta)) + (s_w - s1) * np.log(special.expit(-beta)))

    dev0 = deviance(b0)
    tq = sps.t.ppf((1 - level) / 2, df)
    alpha = sps.norm.cdf(tq * np.sqrt(lam)) / 2
    zmax = np.sqrt(sps.f.isf(alpha, 1, n - 1))
    delta = zmax / 5
    zi, bi = [0.0], [b0]
    for sgn in (-1.0, 1.0):
        step, z = 0, 0.0
        while (step := step + 1) < 10 and abs(z) < zmax:
            b = b0 + sgn * step * delta * se_b
            zz = (deviance(b) - dev0) / dispersion
            z = sgn * np.sqrt(max(zz, 0.0))
            zi.append(z)
            bi.append(b)
    order = np.argsort(zi, kind="stable")
    x, y = np.asarray(bi)[order], np.asarray(zi)[order]
    # R: sp <- spline(x = par.vals, y = z); approx(sp$y, sp$x, xout = cutoff)
    xs = np.sort(x)
    ys = y[np.argsort(x, kind="stable")]
    grid = np.linspace(xs[0], xs[-1], 3 * len(xs))
    fitted = fmm_spline(xs, ys)(grid)
    cutoff = np.array([tq * np.sqrt(lam), -tq * np.sqrt(lam)])
    srt = np.argsort(fitted, kind="stable")
    limits = np.interp(cutoff, fitted[srt], grid[srt], left=np.nan, right=np.nan)
    return float(special.expit(limits[0])), float(special.expit(limits[1]))


def fmm_spline(x: np.ndarray, y: np.ndarray) -> Any:
    """The interpolating cubic spline of R ``spline(method="fmm")`` (Forsythe, Malcolm, Moler).

    End conditions match the third derivatives of the cubics through the four
    points at each end. Returns a function evaluating the spline (extrapolating
    with the end cubics, as R).

    Examples
    --------
    >>> f = fmm_spline(np.array([0.0, 1, 2, 3]), np.array([0.0, 1, 8, 27]))
    >>> float(f(np.array([1.5]))[0])  # a cubic is reproduced exactly
    3.375
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n = len(x)
    b, c, d = np.zeros(n), np.zeros(n), np.zeros(n)
    if n < 3:
        b[:] = (y[1] - y[0]) / (x[1] - x[0])
    else:
        d[0] = x[1] - x[0]
        c[1] = (y[1] - y[0]) / d[0]
        for i in range(1, n - 1):
            d[i] = x[i + 1] - x[i]
            b[i] = 2.0 * (d[i - 1] + d[i])
            c[i + 1] = (y[i + 1] - y[i]) / d[i]
            c[i] = c[i + 1] - c[i]
        b[0], b[n - 1] = -d[0], -d[n - 2]
        c[0] = c[n - 1] = 0.0
        if n > 3:
            c[0] = c[2] / (x[3] - x[1]) - c[1] / (x[2] - x[0])
            c[n - 1] = c[n - 2] / (x[n - 1] - x[n - 3]) - c[n - 3] / (x[n - 2] - x[n - 4])
            c[0] = c[0] * d[0] * d[0] / (x[3] - x[0])
            c[n - 1] = -c[n - 1] * d[n - 2] * d[n - 2] / (x[n - 1] - x[n - 4])
        for i in range(1, n):
            t = d[i - 1] / b[i - 1]
            b[i] -= t * d[i - 1]
            c[i] -= t * c[i - 1]
        c[n - 1] /= b[n - 1]
        for i in range(n - 2, -1, -1):
            c[i] = (c[i] - d[i] * c[i + 1]) / b[i]
        b[n - 1] = (y[n - 1] - y[n - 2]) / d[n - 2] + d[n - 2] * (c[n - 2] + 2.0 * c[n - 1])
        for i in range(n - 1):
            b[i] = (y[i + 1] - y[i]) / d[i] - d[i] * (c[i + 1] + 2.0 * c[i])
            d[i] = (c[i + 1] - c[i]) / d[i]
            c[i] = 3.0 * c[i]
        c[n - 1] *= 3.0
        d[n - 1] = d[n - 2]

    def evaluate(u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        i = np.clip(np.searchsorted(x, u, side="right") - 1, 0, n - 1)
        dx = u - x[i]
        return y[i] + dx * (b[i] + dx * (c[i] + dx * d[i]))

    return evaluate
