"""Weighted cross-tables of a :class:`toolkit.stats.Design` and their tests of independence.

The covariance of the cell shares (and of the cell totals) comes from the
linearisation engine (:mod:`toolkit.stats._linearise`) with the influence totals
summed per sampled unit and cell by one ``bincount``; the tests are R
``svychisq`` (survey 4.1) with each of its statistics.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import integrate, optimize
from scipy import stats as sps

from toolkit._checks import check_choice, require_columns
from toolkit.stats._linearise import Z975, factor_codes

__all__ = ["STATISTICS", "chisq_sum_upper", "crosstab", "f_sum_upper", "rao_scott", "saddle"]

#: The ``statistic`` choices of ``Design.crosstab_test``, as R ``svychisq``.
STATISTICS = ("F", "Chisq", "Wald", "adjWald", "lincom", "saddlepoint")


def _delta(p: np.ndarray, vmat: np.ndarray, n: int, nr: int, nc: int) -> np.ndarray:
    """Generalised design-effect matrix of the interaction contrasts (R ``svychisq``)."""
    k = nr * nc
    mf_r = np.tile(np.arange(nr), nc)
    mf_c = np.repeat(np.arange(nc), nr)
    x1 = np.column_stack([np.ones(k)] + [(mf_r == i).astype(float) for i in range(1, nr)]
                         + [(mf_c == j).astype(float) for j in range(1, nc)])
    x12 = np.column_stack([((mf_r == i) & (mf_c == j)).astype(float)
                           for j in range(1, nc) for i in range(1, nr)])
    beta, *_ = np.linalg.lstsq(x1, x12, rcond=None)
    cmat = x12 - x1 @ beta
    idm = np.diag(np.where(p > 0, 1 / np.where(p > 0, p, 1), 0.0))
    denom = cmat.T @ (idm / n) @ cmat
    numr = cmat.T @ idm @ vmat @ idm @ cmat
    return np.linalg.solve(denom, numr)


def _pearson(p: np.ndarray, n: int, nr: int, nc: int) -> float:
    """Pearson X^2 of the weighted table scaled to `n` respondents (R ``svytable(Ntotal=)``)."""
    obs = (p * n).reshape(nc, nr).T
    expct = obs.sum(axis=1, keepdims=True) * obs.sum(axis=0, keepdims=True) / n
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.nansum((obs - expct) ** 2 / expct))


def rao_scott(p: np.ndarray, vmat: np.ndarray, n: int, nr: int, nc: int,
              ddf_design: float) -> dict[str, float]:
    """Second-order Rao-Scott F test of independence, as R ``svychisq(statistic="F")``.

    `p` holds the cell shares with rows varying fastest (R ``interaction``),
    `vmat` their design covariance, `n` the respondents and `ddf_design` the
    design degrees of freedom (of the domain).
    """
    delta = _delta(p, vmat, n, nr, nc)
    tr = float(np.trace(delta))
    d0 = tr**2 / float(np.trace(delta @ delta))
    chisq = _pearson(p, n, nr, nc)
    fstat = chisq / tr
    return {"chisq": chisq, "f": fstat, "ndf": d0, "ddf": d0 * ddf_design,
            "p_value": float(sps.f.sf(fstat, d0, d0 * ddf_design)), "n": n}


def saddle(x: float, lam: np.ndarray) -> float:
    """Saddlepoint upper tail of a weighted sum of chi-squares on 1 df (R ``survey:::saddle``)."""
    lam = np.asarray(lam, dtype=float)
    d = lam.max()
    lam = lam / d
    x = x / d

    def k0(z: float) -> float:
        return -np.sum(np.log(1 - 2 * z * lam)) / 2

    def k1(z: float) -> float:
        return float(np.sum(lam / (1 - 2 * z * lam)))

    def k2(z: float) -> float:
        return float(2 * np.sum(lam**2 / (1 - 2 * z * lam) ** 2))

    if np.any(lam < 0):
        lmin = np.max(1 / (2 * lam[lam < 0])) * 0.99999
    elif x > lam.sum():
        lmin = -0.01
    else:
        lmin = -len(lam) / (2 * x)
    lmax = np.min(1 / (2 * lam[lam > 0])) * 0.99999
    zeta = optimize.brentq(lambda z: k1(z) - x, lmin, lmax, xtol=1e-14, rtol=1e-14)
    w = np.sign(zeta) * np.sqrt(2 * (zeta * x - k0(zeta)))
    v = zeta * np.sqrt(k2(zeta))
    if abs(zeta) < 1e-4:
        return np.nan
    return float(sps.norm.sf(w + np.log(v / w) / w))


def f_sum_upper(x: float, a: np.ndarray, ddf: float, *, method: str) -> float:
    r"""Upper tail of :math:`\sum_j a_j\chi^2_1 / (\chi^2_{ddf}/ddf)` at `x` (R ``pFsum``).

    ``method="saddlepoint"`` is R's saddlepoint approximation (with R's
    Satterthwaite F where it returns NA, and R's whole number of copies of the
    denominator term); ``"integration"`` is the exact probability by Imhof's
    integral (R uses Davies' algorithm, accuracy 1e-7).
    """
    a = np.asarray(a, dtype=float)
    if method == "integration":
        lam = np.r_[a, -x / ddf]
        h = np.r_[np.ones(len(a)), ddf]

        def f(u: float) -> float:
            theta = 0.5 * np.sum(h * np.arctan(lam * u))
            rho = np.prod((1 + lam**2 * u**2) ** (h / 4))
            return np.sin(theta) / (u * rho)

        value, _ = integrate.quad(f, 0, np.inf, limit=10000, epsabs=1e-13, epsrel=1e-12)
        return float(0.5 + value / np.pi)
    tr = a.mean()
    tr2 = np.mean(a**2) / tr**2
    out = float(sps.f.sf(x / (len(a) / tr2) / (tr * tr2), len(a) / tr2, ddf))
    s = saddle(0.0, np.r_[a, np.repeat(-x / ddf, int(ddf))])
    return out if np.isnan(s) else s


def chisq_sum_upper(x: float, a: np.ndarray) -> float:
    r"""Upper tail of :math:`\sum_j a_j\chi^2_1` at `x` by R's saddlepoint (``pchisqsum``).

    Where the saddlepoint is undefined, R's Satterthwaite approximation.
    """
    a = np.asarray(a, dtype=float)
    tr = a.mean()
    tr2 = np.mean(a**2) / tr**2
    s = saddle(x, a)
    return float(sps.chi2.sf(x / (tr * tr2), len(a) / tr2)) if np.isnan(s) else s


def _wald(design: Any, ok: np.ndarray, rc: np.ndarray, cc: np.ndarray, nr: int, nc: int,
          ddf: float, statistic: str) -> dict[str, float]:
    """Design-based Wald test of independence on the cell totals (R ``svychisq``)."""
    lin = design._lin
    k = nr * nc
    unit, w = lin.unit[ok], design._w[ok]
    r, c = rc[ok], cc[ok]
    cell_t = np.bincount(r + nr * c, weights=w, minlength=k)
    row_t = np.bincount(r, weights=w, minlength=nr)
    col_t = np.bincount(c, weights=w, minlength=nc)
    total = w.sum()
    zc = np.bincount(unit * k + r + nr * c, weights=w, minlength=lin.n_unit * k).reshape(-1, k)
    zr = np.bincount(unit * nr + r, weights=w, minlength=lin.n_unit * nr).reshape(-1, nr)
    zcol = np.bincount(unit * nc + c, weights=w, minlength=lin.n_unit * nc).reshape(-1, nc)
    zo = np.bincount(unit, weights=w, minlength=lin.n_unit)
    mr, mc = np.tile(np.arange(nr), nc), np.repeat(np.arange(nc), nr)
    # influence of Y_rc = N_rc - N_r N_c / N (the Jacobian of R's svychisq on the totals)
    z = (zc - zr[:, mr] * (col_t[mc] / total) - zcol[:, mc] * (row_t[mr] / total)
         + zo[:, None] * (row_t[mr] * col_t[mc] / total**2))
    use = np.flatnonzero((mr > 0) & (mc > 0))
    y = (cell_t - row_t[mr] * col_t[mc] / total)[use]
    vmat = lin.vcov_totals(z[:, use], present=lin.present(ok))
    stat = float(y @ np.linalg.solve(vmat, y))
    ndf = float((nr - 1) * (nc - 1))
    if statistic == "Wald":
        fstat, dd = stat / ndf, float(ddf)
    else:
        dd = float(ddf - ndf + 1)
        fstat = stat * dd / (ndf * ddf)
    return {"chisq": np.nan, "f": fstat, "ndf": ndf, "ddf": dd,
            "p_value": float(sps.f.sf(fstat, ndf, dd)), "n": int(ok.sum())}


def independence_test(p: np.ndarray, vmat: np.ndarray, n: int, nr: int, nc: int,
                      ddf: float, statistic: str) -> dict[str, float]:
    """The tests of R ``svychisq`` built on Pearson's X^2 and the design-effect matrix."""
    if statistic == "F":
        return rao_scott(p, vmat, n, nr, nc, ddf)
    delta = _delta(p, vmat, n, nr, nc)
    chisq = _pearson(p, n, nr, nc)
    if statistic == "Chisq":
        df = delta.shape[1]
        return {"chisq": chisq, "f": np.nan, "ndf": float(df), "ddf": np.inf,
                "p_value": float(sps.chi2.sf(chisq / np.mean(np.diag(delta)), df)), "n": n}
    tr = float(np.trace(delta))
    d0 = tr**2 / float(np.trace(delta @ delta))
    eig = np.linalg.eigvals(delta).real
    method = "integration" if statistic == "lincom" else "saddlepoint"
    return {"chisq": chisq, "f": np.nan, "ndf": np.nan, "ddf": d0 * ddf,
            "p_value": f_sum_upper(chisq, eig, d0 * ddf, method=method), "n": n}


def crosstab(design: Any, row: str, col: str, domain: np.ndarray | None, *,
             statistic: str = "F") -> tuple[pd.DataFrame, dict[str, float]]:
    """The cross-table of `row` by `col` (in `domain`) and its test of independence."""
    check_choice(statistic, STATISTICS, param="statistic")
    require_columns(design.data, {"row": row, "col": col}, where="the survey data")
    rc, rkeys = factor_codes(design.data[row])
    cc, ckeys = factor_codes(design.data[col])
    nr, nc = len(rkeys), len(ckeys)
    ok = (rc >= 0) & (cc >= 0)
    if domain is not None:
        ok &= domain
    lin = design._lin
    k = nr * nc
    cell = (rc + nr * cc)[ok]  # rows vary fastest, as R interaction()
    w = design._w[ok]
    unit = lin.unit[ok]
    wsum = w.sum()
    wcell = np.bincount(cell, weights=w, minlength=k)
    p = wcell / wsum
    # influence totals per sampled unit: sums of w/W (1{cell} - p)
    wn = w / wsum
    a = np.bincount(unit * k + cell, weights=wn, minlength=lin.n_unit * k).reshape(-1, k)
    b = np.bincount(unit, weights=wn, minlength=lin.n_unit)
    vmat = lin.vcov_totals(a - b[:, None] * p[None, :], present=lin.present(ok), denom=b)
    n = int(ok.sum())
    # R: degf of the (sub)design: its PSUs and strata, all rows of the domain
    ddf = design._crosstab_ddf(domain)
    if statistic in ("Wald", "adjWald"):
        test = _wald(design, ok, rc, cc, nr, nc, ddf, statistic)
    else:
        test = independence_test(p, vmat, n, nr, nc, ddf, statistic)
    counts = np.bincount(cell, minlength=k)
    se_p = np.sqrt(np.diag(vmat))
    with np.errstate(invalid="ignore", divide="ignore"):
        svar = p * (1 - p) * n / (n - 1)
        vsrs = svar * (wsum - n) / (wsum * n) if wsum > n else svar / n
        deff = se_p**2 / vsrs
    table = pd.DataFrame({
        "variable": f"{row}:{col}",
        row: np.tile(rkeys.iloc[:, 0].to_numpy(dtype=object), nc),
        col: np.repeat(ckeys.iloc[:, 0].to_numpy(dtype=object), nr),
        "total": wcell,
        "estimate": p,
        "se": se_p,
        "ci_low": p - Z975 * se_p,
        "ci_high": p + Z975 * se_p,
        "deff": deff,
        "n": counts.astype(np.int64),
    })
    return table, test
