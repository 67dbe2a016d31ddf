"""Weighted cross-tables of a :class:`toolkit.stats.Design` and their Rao-Scott test.

The covariance of the cell shares comes from the linearisation engine
(:mod:`toolkit.stats._linearise`) with the influence totals summed per sampled
unit and cell by one ``bincount``; the test is R ``svychisq(statistic="F")``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from toolkit._checks import require_columns
from toolkit.stats._linearise import Z975, factor_codes

__all__ = ["crosstab", "rao_scott"]


def rao_scott(p: np.ndarray, vmat: np.ndarray, n: int, nr: int, nc: int,
              ddf_design: float) -> dict[str, float]:
    """Second-order Rao-Scott F test of independence, as R ``svychisq(statistic="F")``.

    `p` holds the cell shares with rows varying fastest (R ``interaction``),
    `vmat` their design covariance, `n` the respondents and `ddf_design` the
    design degrees of freedom (of the domain).
    """
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
    delta = np.linalg.solve(denom, numr)
    tr = float(np.trace(delta))
    d0 = tr**2 / float(np.trace(delta @ delta))
    obs = (p * n).reshape(nc, nr).T
    expct = obs.sum(axis=1, keepdims=True) * obs.sum(axis=0, keepdims=True) / n
    with np.errstate(invalid="ignore", divide="ignore"):
        chisq = float(np.nansum((obs - expct) ** 2 / expct))
    fstat = chisq / tr
    return {"chisq": chisq, "f": fstat, "ndf": d0, "ddf": d0 * ddf_design,
            "p_value": float(sps.f.sf(fstat, d0, d0 * ddf_design)), "n": n}


def crosstab(design: Any, row: str, col: str, domain: np.ndarray | None
             ) -> tuple[pd.DataFrame, dict[str, float]]:
    """The cross-table of `row` by `col` (in `domain`) and its Rao-Scott test."""
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
    test = rao_scott(p, vmat, n, nr, nc, ddf)
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
