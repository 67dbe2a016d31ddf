r"""Replicate weights: the variance engine and the replicate factors, as R ``survey``.

A replicate design (:class:`toolkit.stats.ReplicateDesign`, defined beside
:class:`~toolkit.stats.Design` in :mod:`toolkit.stats.design`) carries, beside the
full-sample weights :math:`w`, replicate weights :math:`w^{(r)}` (jackknife,
balanced repeated replication, Fay's method, bootstrap, or supplied by a survey
firm). An estimate :math:`\hat\theta` is recomputed with every replicate's weights and

.. math:: \widehat V(\hat\theta) = s \sum_r c_r (\hat\theta_r - \bar\theta)
          (\hat\theta_r - \bar\theta)^T

with the overall ``scale`` :math:`s`, the replicate scales ``rscales``
:math:`c_r`, and :math:`\bar\theta` the mean of the replicates (R's default) or
:math:`\hat\theta` itself (``mse=True``), as R ``svrVar``.

This module holds what the design builds on:

- :class:`ReplicateVariance`, the variance engine with the operators of the
  linearisation engine (:class:`toolkit.stats._linearise.Linearisation`). For a
  ratio or total the estimators hand in the influence totals :math:`z_c` per unit
  (the full-sample estimate's) and, for a ratio, the units' weight totals of the
  denominator :math:`d_c`. With replicate factors :math:`a_{cr} = w^{(r)}_i / w_i`
  (constant within unit :math:`c`), the replicate estimate is exactly
  :math:`\hat\theta_r - \hat\theta = \sum_c (a_{cr} - 1) z_c \,/\,
  (\sum_c a_{cr} d_c / \sum_c d_c)`, so no estimator is recomputed per replicate.
  Models (``regress``, ``ologit``) are refitted with each replicate's weights, as R
  ``svyglm``/``svyolr`` on a replicate design (``ReplicateDesign.replicate_vcov``);
- the replicate factors of a design's PSUs (:func:`design_replicates`: JK1, JKn,
  BRR and Fay with R's Hadamard matrices (:func:`hadamard`), the bootstrap), as R
  ``as.svrepdesign``;
- the reading of supplied replicate weights (:func:`supplied`), as R ``svrepdesign``.

Rows sharing their replicate factors are one *unit* (a PSU for
``Design.replicate``; supplied weights are grouped the same way, as R's
``compress``), so every sum over rows is a sum over units.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from toolkit._checks import check_choice, require_columns
from toolkit.errors import ArgumentTypeError, DataTooLargeError, DesignError, ToolkitWarning

__all__ = ["REPLICATE_TYPES", "ReplicateVariance", "design_replicates", "hadamard",
           "recalibrated", "supplied"]

#: Types of supplied replicate weights (R ``svrepdesign(type=)``).
REPLICATE_TYPES = ("BRR", "Fay", "JK1", "JKn", "bootstrap", "ACS", "successive-difference",
                   "JK2", "other")
#: Types ``Design.replicate`` builds (R ``as.svrepdesign(type=)``).
CONVERSIONS = ("auto", "JK1", "JKn", "BRR", "Fay", "bootstrap")
#: Largest grid of replicate factors formed (rows or PSUs x replicates).
GRID_LIMIT = 200_000_000


# -- Hadamard matrices (R survey's `hadamard`) --------------------------------------

_PRECOOKED = {
    28: ["fffffff", "9c71c78", "83cd378", "83b2e66", "9a0f8d6", "952c5ae", "8cd239e",
         "58aa7f0", "45b59d4", "46cbcac", "561774a", "4b64e9a", "5959b26", "2d1eae8",
         "3666b34", "2b3b51c", "31d74b2", "32f89ca", "2ced646", "ea545e4", "f1632cc",
         "f09ce1c", "e54ad52", "e6392b2", "e8a792a", "dffe000", "bf81f80", "7f8007e"],
    36: ["fffffffff", "5c7dc8564", "b8fb90ac8", "71f721592", "e3ee42b24", "c7dc8564a",
         "8fb90ac96", "1f721592e", "3ee42b25c", "7dc8564b8", "fb90ac970", "f721592e2",
         "ee42b25c6", "dc8564b8e", "b90ac971e", "721592e3e", "e42b25c7c", "c8564b8fa",
         "90ac971f6", "21592e3ee", "42b25c7dc", "8564b8fb8", "0ac971f72", "1592e3ee4",
         "2b25c7dc8", "564b8fb90", "ac971f720", "592e3ee42", "b25c7dc84", "64b8fb90a",
         "c971f7214", "92e3ee42a", "25c7dc856", "4b8fb90ac", "971f72158", "2e3ee42b2"],
}
_SIZES = (4, 16, 28, 36)


def _doubler(H: np.ndarray) -> np.ndarray:
    return np.block([[H, H], [H, 1 - H]])


def _precooked(size: int) -> np.ndarray:
    if size == 4:
        return np.array([[1, 1, 1, 1], [1, 0, 1, 0], [1, 1, 0, 0], [1, 0, 0, 1]])
    if size == 16:
        return _doubler(_doubler(_precooked(4)))
    return np.array([[int(c) for c in bin(int(h, 16))[2:].zfill(size)]
                     for h in _PRECOOKED[size]])


def _small_primes() -> list[int]:
    """Primes of the form 4k+3 up to 7919 (R survey's ``paley`` list)."""
    sieve = np.ones(7920, dtype=bool)
    sieve[:2] = False
    for i in range(2, 90):
        if sieve[i]:
            sieve[i * i::i] = False
    return [int(p) for p in np.flatnonzero(sieve) if p % 4 == 3]


def _paley(n: int | None = None, nmax: int | None = None, prime: int | None = None
           ) -> np.ndarray | None:
    """Paley's construction, step by step as R survey's ``paley``."""
    primes = _small_primes()
    if prime is None:
        assert n is not None
        nmax = 2 * n if nmax is None else nmax
        nceil = nn = n + 4 - (n % 4)
        if (n % 4) + 4 == (n % 8):
            while nn % 8 == 0:
                nn //= 2
            if (nn - 1) in primes:
                m = _paley(prime=nn - 1)
                while nn < nceil:
                    m = _doubler(m)
                    nn *= 2
                return m
        if n > max(primes):
            return None
        p = min(q for q in primes if q >= n)
        if p + 1 > nceil + 4 and nceil + 4 < nmax:
            return _paley(nceil + 3)
        if p > nmax:
            return None
    else:
        p = prime
    m = np.add.outer(np.arange(p), np.arange(p)) % p
    residues = {0} | {(i * i) % p for i in range(1, (p - 1) // 2 + 1)}
    m = np.where(np.isin(m, list(residues)), 0, 1)
    top = np.ones((1, p), dtype=int)
    return np.column_stack([np.ones(p + 1, dtype=int), np.vstack([top, m])])


def hadamard(n: int) -> np.ndarray:
    """A 0/1 Hadamard matrix with more than `n` rows, the one R ``survey:::hadamard(n)`` returns.

    Examples
    --------
    >>> hadamard(3)
    array([[1, 1, 1, 1],
           [1, 0, 1, 0],
           [1, 1, 0, 0],
           [1, 0, 0, 1]])
    """
    m = n - (n % 4)
    pre = [s for s in _SIZES if m < s <= m + 4]
    if pre:
        return _precooked(pre[0])
    if all(m < s for s in _SIZES):
        return _precooked(4)
    sizes = [s * 2 ** max(0, int(np.ceil(np.log2((n + 1) / s)))) for s in _SIZES]
    best = int(np.argmin([s - n for s in sizes]))
    H = _paley(n, sizes[best]) if sizes[best] - n > 4 else None
    if H is None:
        H = _precooked(_SIZES[best])
        for _ in range(int(np.ceil(np.log2(sizes[best] / _SIZES[best])))):
            H = _doubler(H)
    return H


# -- replicate factors from a design (R as.svrepdesign) ------------------------------

def _first_rows(psu: np.ndarray, n_psu: int) -> np.ndarray:
    first = np.full(n_psu, len(psu), dtype=np.int64)
    np.minimum.at(first, psu, np.arange(len(psu)))
    return first


def _stratum_labels(design: Any) -> list[str]:
    h = design._h
    first = _first_rows(h, design._n_strata)
    if design.strata is None:
        return ["(all)"] * design._n_strata
    col = design.data[design.strata].to_numpy()
    return [str(v) for v in col[first]]


def _jk1(design: Any) -> tuple[np.ndarray, float, np.ndarray]:
    stage = design._lin.stage1
    n = design._n_psu
    if n < 2:
        msg = "A jackknife needs at least two PSUs."
        raise DesignError(msg)
    f = float(stage.fpc_factor[0])
    A = np.full((n, n), n / (n - 1))
    np.fill_diagonal(A, 0.0)
    return A, f * (n - 1) / n, np.ones(n)


def _jkn(design: Any) -> tuple[np.ndarray, float, np.ndarray]:
    stage = design._lin.stage1
    psu_stratum = design._psu_stratum
    n_psu, nstrat = design._n_psu, design._n_strata
    order = np.argsort(_first_rows(design._psu, n_psu), kind="stable")
    strata_order = np.argsort(_first_rows(design._h, nstrat), kind="stable")
    cols: list[np.ndarray] = []
    rscales: list[float] = []
    lonely = design.lonely_psu
    for h in strata_order:
        members = order[psu_stratum[order] == h]
        nh = len(members)
        f = float(stage.fpc_factor[h])
        if f == 0:  # sampled whole: no replicates (R's survey.drop.replicates)
            continue
        if nh == 1:
            if lonely == "adjust":
                col = np.full(n_psu, nstrat / (nstrat - 1))
                col[members] = 0.0
                cols.append(col)
                rscales.append((nstrat - 1) / nstrat)
            elif lonely == "fail":
                msg = f"Stratum {_stratum_labels(design)[h]} has only one PSU."
                raise DesignError(msg)
            continue
        for k in members:
            col = np.ones(n_psu)
            col[members] = nh / (nh - 1)
            col[k] = 0.0
            cols.append(col)
            rscales.append(f * (nh - 1) / nh)
    if not cols:
        msg = "All strata were sampled whole (the whole population): no variance to estimate."
        raise DesignError(msg)
    scale = n_psu / len(cols) if lonely == "average" and len(cols) < n_psu else 1.0
    return np.column_stack(cols), scale, np.asarray(rscales)


def _brr(design: Any, rho: float) -> tuple[np.ndarray, float, np.ndarray]:
    """Half-sample factors as R ``brrweights`` (pairs within strata, R's Hadamard matrix)."""
    n_psu = design._n_psu
    psu_stratum = design._psu_stratum
    labels = _stratum_labels(design)
    order_psu = np.argsort(_first_rows(design._psu, n_psu), kind="stable")
    sizes = np.bincount(psu_stratum, minlength=design._n_strata)
    small = [labels[h] for h in np.flatnonzero(sizes < 2)]
    if small:
        msg = (f"BRR and Fay's method need at least two PSUs per stratum; stratum/strata "
               f"{small[:5]} have one. Merge them with a similar stratum (R brrweights: "
               "small='fail').")
        raise DesignError(msg)
    odd = [labels[h] for h in np.flatnonzero((sizes > 2) & (sizes % 2 == 1))]
    if odd:
        msg = (f"BRR and Fay's method pair the PSUs of a stratum; stratum/strata {odd[:5]} "
               "have an odd number of PSUs (R: can't split with odd numbers of PSUs).")
        raise DesignError(msg)
    half = np.zeros(n_psu, dtype=int)  # R's weights[, 1]: 0 for the first PSU of each pair
    pair = np.zeros(n_psu, dtype=np.int64)
    upto = 0
    by_label = sorted(range(design._n_strata), key=lambda h: labels[h])  # R: table() order
    large = [h for h in by_label if sizes[h] > 2]  # R pairs the large strata first
    for group in (large, [h for h in by_label if sizes[h] == 2]):
        for h in group:
            members = order_psu[psu_stratum[order_psu] == h]
            half[members] = np.arange(len(members)) % 2
            pair[members] = upto + np.arange(len(members)) // 2
            upto += len(members) // 2
    H = hadamard(upto)
    sign = H[1 + pair, :]  # (n_psu, R): 1 puts the first PSU of the pair in
    first_in = np.where(half[:, None] == 0, sign, 1 - sign)
    A = first_in * (2 - rho) + (1 - first_in) * rho
    R = H.shape[1]
    return A.astype(float), 1.0 / (R * (1 - rho) ** 2), np.ones(R)


def _bootstrap(design: Any, replicates: int, seed: Any) -> tuple[np.ndarray, float,
                                                                    np.ndarray]:
    """Rescaled-count bootstrap factors as R ``bootweights`` (random: use `seed`)."""
    rng = np.random.default_rng(seed)
    n_psu, nstrat = design._n_psu, design._n_strata
    psu_stratum = design._psu_stratum
    stage = design._lin.stage1
    A = np.zeros((n_psu, replicates))
    order = np.argsort(_first_rows(design._psu, n_psu), kind="stable")
    for h in range(nstrat):
        members = order[psu_stratum[order] == h]
        nh = len(members)
        if design.fpc is None:
            A[members] = rng.multinomial(nh, np.full(nh, 1.0 / nh), size=replicates).T
            continue
        f = 1.0 - float(stage.fpc_factor[h])
        popsize = round(nh / f) if f > 0 else nh
        if popsize > 100 * nh:
            warnings.warn(f"Sampling fraction below 1% in stratum {_stratum_labels(design)[h]}"
                          " treated as zero (R bootweights).", ToolkitWarning, stacklevel=4)
        for r in range(replicates):
            pool = rng.permutation(nh)[np.arange(popsize) % nh]
            draw = rng.choice(pool, size=nh, replace=False)
            A[members, r] = np.bincount(draw, minlength=nh)
    per = 1.0 / np.mean(1.0 / np.bincount(psu_stratum, minlength=nstrat))
    return A, per / ((per - 1) * (replicates - 1)), np.ones(replicates)


def design_replicates(design: Any, type: str, *, replicates: int | None, rho: float | None,
                      seed: Any, mse: bool) -> dict[str, Any]:
    """Replicate factors of `design`'s PSUs and their scales, as R ``as.svrepdesign``.

    Returns the keyword arguments of ``ReplicateDesign._from_factors`` (``Design.replicate``).
    """
    check_choice(type, CONVERSIONS, param="type")
    stratified = design.strata is not None
    if type == "auto":
        type = "JKn" if stratified else "JK1"
    if type == "JK1" and stratified:
        msg = ("type=\"JK1\" deletes one PSU of an unstratified sample; this design is "
               "stratified: use type=\"JKn\" (R: can't use JK1 for a stratified design).")
        raise DesignError(msg)
    if type in ("JKn", "BRR", "Fay") and not stratified:
        msg = (f"type={type!r} needs strata; for an unstratified design use \"JK1\" or "
               "\"bootstrap\".")
        raise DesignError(msg)
    if type == "Fay" and (rho is None or not 0 < rho < 1):
        msg = f"type=\"Fay\" needs `rho` between 0 and 1 (e.g. rho=0.5), not {rho!r}."
        raise DesignError(msg)
    if rho is not None and type not in ("Fay", "BRR"):
        msg = f"`rho` is Fay's factor, for type=\"Fay\"; not used with type={type!r}."
        raise DesignError(msg)
    if replicates is not None and type != "bootstrap":
        msg = f"`replicates` is the number of bootstrap replicates; type={type!r} fixes its own."
        raise DesignError(msg)
    rho = 0.0 if rho is None else float(rho)
    if type == "BRR" and rho != 0:
        type = "Fay"
    fpcs = [design.fpc] if isinstance(design.fpc, str) or design.fpc is None else list(design.fpc)
    if type in ("BRR", "Fay") and design.fpc is not None:
        warnings.warn("The finite-population correction is dropped in the conversion to BRR "
                      "or Fay replicates (as R as.svrepdesign).", ToolkitWarning, stacklevel=3)
    elif len(fpcs) > 1:
        warnings.warn("The second-stage finite-population correction is dropped: replicates "
                      "resample PSUs (as R as.svrepdesign).", ToolkitWarning, stacklevel=3)
    if type in ("JK1", "JKn") and design._n_psu ** 2 > GRID_LIMIT:
        msg = (f"A jackknife of {design._n_psu:,} PSUs has as many replicates; their factors "
               f"({design._n_psu ** 2:,}) do not fit in memory. Give the design its clusters "
               "(`cluster=`), or use type=\"bootstrap\" with `replicates=`.")
        raise DataTooLargeError(msg)
    if type == "JK1":
        A, scale, rscales = _jk1(design)
    elif type == "JKn":
        A, scale, rscales = _jkn(design)
    elif type in ("BRR", "Fay"):
        A, scale, rscales = _brr(design, rho)
    else:
        A, scale, rscales = _bootstrap(design, 50 if replicates is None else int(replicates),
                                       seed)
    fixed = None
    if type in ("JK1", "JKn", "bootstrap") and design.fpc is not None:
        fixed = (design._lin.stage1.fpc_factor == 0)[design._psu_stratum]
    return {"unit": design._psu, "factors": A, "type": type, "scale": scale,
            "rscales": rscales, "mse": mse, "rho": rho if type == "Fay" else None,
            "fixed": fixed}


# -- the variance engine ------------------------------------------------------------------------

def _compress(A: np.ndarray, w: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Unit of each row (rows with equal factors share one) and the factors per unit.

    The factors are ``A`` (n x R), or ``A / w`` row by row when `w` is given
    (supplied weights and the full weights, never divided as a whole). Rows are
    grouped by a random projection of their factors, rounded so that the rounding
    noise of supplied weights (a firm's ``w * factor`` divided by ``w``) does not
    split a PSU; a grouping is accepted when every row agrees with its group's
    first row to 1e-9, else rows are grouped exactly. Rows are kept apart
    (``unit`` = row) when there are more groups than half the rows.
    """
    n, R = A.shape
    if n == 0 or R == 0:
        return np.zeros(n, dtype=np.int64), np.zeros((min(n, 1), R))

    def column(j: int) -> np.ndarray:
        return A[:, j] if w is None else A[:, j] / w

    v = np.random.default_rng(0).uniform(0.5, 1.5, R)
    h = np.zeros(n)
    for j in range(R):
        h += column(j) * v[j]
    codes, _ = pd.factorize(np.round(h, 7))
    codes = codes.astype(np.int64)
    ngroup = int(codes.max()) + 1
    if ngroup > n // 2:
        return np.arange(n), (A if w is None else A / w[:, None])
    first = _first_rows(codes, ngroup)
    rep = np.empty((ngroup, R))
    for j in range(R):
        col = column(j)
        rep[:, j] = col[first]
        if not np.all(np.abs(col - rep[codes, j]) <= 1e-9 * (1 + np.abs(col))):
            full = A if w is None else A / w[:, None]
            uniq, inverse = np.unique(full, axis=0, return_inverse=True)
            if len(uniq) > n // 2:
                return np.arange(n), full
            return inverse.reshape(-1).astype(np.int64), uniq
    return codes, rep


class ReplicateVariance:
    """Replicate-weight variances with the operators of the linearisation engine.

    Parameters
    ----------
    unit : ndarray of int
        Unit of each row (rows of a unit share their replicate factors).
    factors : ndarray, shape (n_unit, R)
        Replicate weight over full-sample weight, per unit and replicate.
    scale : float
    rscales : ndarray, shape (R,)
    mse : bool
        Centre at the full-sample estimate instead of the replicates' mean.
    fixed : ndarray of bool, shape (n_unit,), optional
        Self-representing units (PSUs of strata sampled whole): R's ``svytotal``
        leaves them out of the replicate totals (``survey.drop.replicates``), so
        totals (estimates without a denominator) hold them fixed.
    """

    residualise = None

    def __init__(self, unit: np.ndarray, factors: np.ndarray, scale: float,
                 rscales: np.ndarray, *, mse: bool, fixed: np.ndarray | None = None) -> None:
        self.unit = unit
        self.factors = np.asarray(factors, dtype=float)
        self.n_unit = self.factors.shape[0]
        self.n = len(unit)
        self.rowwise = self.n_unit == self.n and bool(np.array_equal(unit, np.arange(self.n)))
        self.scale = float(scale)
        self.rscales = np.asarray(rscales, dtype=float)
        self.mse = mse
        self.fixed = fixed
        self._dev = self.factors - 1.0
        self._dev_total = self._dev
        if fixed is not None and fixed.any():
            self._dev_total = np.where(fixed[:, None], 0.0, self._dev)
        self._rank: dict[bytes, int] = {}

    # -- the engine's interface -------------------------------------------------

    def present(self, rows: np.ndarray | None = None) -> None:
        """No lonely-PSU rule applies to replicate weights."""
        return None

    def present_by(self, *args: Any, **kwargs: Any) -> None:
        """No lonely-PSU rule applies to replicate weights."""
        return None

    def degf(self, rows: np.ndarray | None = None) -> int:
        """Rank of the replicate weights of `rows`, minus 1 (R ``degf`` of a replicate design)."""
        units = (np.arange(self.n_unit) if rows is None
                 else np.flatnonzero(np.bincount(self.unit[rows], minlength=self.n_unit)))
        return self._degf_units(units)

    def degf_by(self, unit: np.ndarray, group: np.ndarray, ngroup: int) -> np.ndarray:
        """:meth:`degf` of each group's domain, from the (unit, group) pairs holding its rows."""
        out = np.full(ngroup, -1, dtype=np.int64)
        for g in range(ngroup):
            units = np.unique(unit[group == g])
            if units.size:
                out[g] = self._degf_units(units)
        return out

    def _degf_units(self, units: np.ndarray) -> int:
        key = units.tobytes()
        if key not in self._rank:
            sub = self.factors[units]
            if sub.shape[0] > 4 * sub.shape[1]:
                sub = np.linalg.qr(sub, mode="r")
            sv = np.linalg.svd(sub, compute_uv=False) if sub.size else np.zeros(0)
            self._rank[key] = int((sv > 1e-5 * sv.max()).sum()) if sv.size else 0
        return self._rank[key] - 1

    def totals(self, u: np.ndarray) -> np.ndarray:
        """Totals of row-level values `u` (n x p) per unit."""
        if self.rowwise:
            return u
        p = u.shape[1]
        out = np.zeros((self.n_unit, p))
        np.add.at(out, self.unit, u)
        return out

    def vcov(self, u: np.ndarray, *, rows: np.ndarray | None = None) -> np.ndarray:
        """Replicate covariance of the linear statistics with row-level influence `u`."""
        u = np.asarray(u, dtype=float)
        if u.ndim == 1:
            u = u[:, None]
        return self.vcov_totals(self.totals(u))

    def variance(self, cols: np.ndarray, vals: np.ndarray, ncol: int, *,
                 rows: np.ndarray | None = None, present: Any = None) -> np.ndarray:
        """Variances of linear statistics from row-level triplets (row, column, value)."""
        unit = self.unit if rows is None else self.unit[rows]
        return self.variance_totals(unit, cols, vals, ncol)

    def vcov_totals(self, z: np.ndarray, *, present: Any = None,
                    denom: np.ndarray | None = None) -> np.ndarray:
        """Covariance from dense unit totals `z` (n_unit x p) of influence values.

        `denom` (n_unit, or n_unit x p) holds the units' totals of each ratio's
        denominator; without it the estimates are taken as linear (totals).
        """
        dev = (self._dev if denom is not None else self._dev_total).T @ z
        if denom is not None:
            denom = np.asarray(denom, dtype=float)
            d = (self.factors.T @ denom) / denom.sum(axis=0)
            dev = dev / (d[:, None] if d.ndim == 1 else d)
        return self.covariance(dev)

    def variance_totals(self, unit: np.ndarray, cols: np.ndarray, z: np.ndarray, ncol: int, *,
                        present: Any = None, denom: np.ndarray | None = None) -> np.ndarray:
        """Variances from unit totals as triplets (unit, column, total); `denom` as `z`."""
        return self.variances(self.deviations_totals(unit, cols, z, ncol, denom=denom))

    def deviations_totals(self, unit: np.ndarray, cols: np.ndarray, z: np.ndarray, ncol: int,
                          *, denom: np.ndarray | None = None) -> np.ndarray:
        """Replicate estimates minus the full-sample estimates (R x ncol), from triplets.

        For a ratio (`denom` given) the deviation is exact: ``theta_r - theta``.
        """
        shape = (self.n_unit, ncol)
        Z = sparse.csc_matrix((z, (unit, cols)), shape=shape)
        dev = np.asarray(Z.T @ (self._dev if denom is not None else self._dev_total)).T
        if denom is not None:
            D = sparse.csc_matrix((denom, (unit, cols)), shape=shape)
            with np.errstate(invalid="ignore", divide="ignore"):
                d = np.asarray(D.T @ self.factors).T / np.asarray(D.sum(axis=0))
                dev = dev / d
        return dev

    # -- R svrVar ------------------------------------------------------------------

    def _centre(self, dev: np.ndarray) -> np.ndarray | float:
        if self.mse:
            return 0.0
        use = self.rscales > 0
        return np.nanmean(dev[use], axis=0)

    def _dropped(self, dev: np.ndarray) -> np.ndarray:
        bad = ~np.isfinite(dev)
        if bad.any():
            warnings.warn(f"{int(bad.any(axis=1).sum())} replicate(s) gave no estimate (no "
                          "weight left in the domain) and were left out, as R does.",
                          ToolkitWarning, stacklevel=5)
        return bad

    def variances(self, dev: np.ndarray) -> np.ndarray:
        """``scale * sum_r rscales_r (dev_r - centre)^2`` per column of `dev` (R x p)."""
        bad = self._dropped(dev)
        dev = np.where(bad, np.nan, dev)
        c = self._centre(dev)
        sq = np.where(bad, 0.0, (dev - c) ** 2)
        return self.scale * (self.rscales @ sq)

    def covariance(self, dev: np.ndarray) -> np.ndarray:
        """Replicate covariance matrix of the estimates whose replicate deviations are `dev`."""
        bad = self._dropped(dev).any(axis=1)
        keep = ~bad
        dev = dev[keep]
        rs = self.rscales[keep]
        c = 0.0 if self.mse else dev[rs > 0].mean(axis=0)
        x = (dev - c) * np.sqrt(rs)[:, None]
        return self.scale * (x.T @ x)


# -- supplied replicate weights (R svrepdesign) ------------------------------------------

def supplied_columns(data: pd.DataFrame, repweights: Any, weights: str | None) -> list[str]:
    """The replicate weight columns: a list, or the columns a regular expression matches."""
    if isinstance(repweights, str):
        try:
            pattern = re.compile(repweights)
        except re.error as err:
            msg = f"`repweights` {repweights!r} is not a valid regular expression: {err}."
            raise DesignError(msg) from err
        cols = [c for c in data.columns if isinstance(c, str) and pattern.search(c)
                and c != weights]
        if not cols:
            msg = (f"`repweights` {repweights!r} matches no column of `data`; give the "
                   "replicate weight columns as a list, or a pattern such as '^wt[0-9]+$'.")
            raise DesignError(msg)
        return cols
    if not isinstance(repweights, Sequence) or not len(repweights):
        msg = "`repweights` must be a list of column names or a regular expression."
        raise ArgumentTypeError(msg)
    cols = list(repweights)
    require_columns(data, {"repweights": cols, "weights": weights}, where="the survey data")
    return cols


def supplied_scales(type: str, R: int, scale: Any, rscales: Any, rho: Any,
            rw: np.ndarray, *, combined: bool) -> tuple[float, np.ndarray]:
    """`scale` and `rscales` as R ``svrepdesign`` sets them for each type."""
    if rscales is not None:
        rscales = np.atleast_1d(np.asarray(rscales, dtype=float))
        if len(rscales) == 1:
            rscales = np.repeat(rscales, R)
        if len(rscales) != R:
            msg = f"`rscales` has {len(rscales)} values; there are {R} replicates."
            raise DesignError(msg)
    if type == "Fay" and rho is None:
        msg = "type=\"Fay\" needs Fay's factor `rho` (e.g. rho=0.5)."
        raise DesignError(msg)
    if rho is not None and type != "Fay":
        msg = "`rho` is Fay's factor; give it with type=\"Fay\" only."
        raise DesignError(msg)
    if type in ("BRR", "Fay", "ACS", "successive-difference", "JK2") and scale is not None:
        msg = f"type={type!r} fixes the scale; omit `scale`."
        raise DesignError(msg)
    if type == "BRR":
        scale = 1.0 / R
    elif type == "Fay":
        scale = 1.0 / (R * (1 - float(rho)) ** 2)
    elif type == "bootstrap" and scale is None:
        scale = 1.0 / (R - 1)
    elif type in ("ACS", "successive-difference"):
        scale, rscales = 4.0 / R, np.ones(R)
    elif type == "JK2":
        scale, rscales = 1.0, np.ones(R)
    elif type == "JK1" and scale is None:
        if combined:
            scale = (R - 1) / R
            warnings.warn("`scale` (n-1)/n not given: taking n as the number of replicates "
                          f"({R}), as R.", ToolkitWarning, stacklevel=4)
        else:
            scale = 1.0 / float(rw[:, 0].max())
            warnings.warn("`scale` (n-1)/n not given: guessed from the weights, as R.",
                          ToolkitWarning, stacklevel=4)
    elif type == "JKn" and rscales is None:
        if combined:
            msg = ("type=\"JKn\" with combined weights needs `rscales`, the (n_h-1)/n_h of "
                   "each replicate's stratum.")
            raise DesignError(msg)
        rscales = 1.0 / rw.max(axis=0)
    elif type == "other" and (scale is None or rscales is None):
        warnings.warn("`scale` or `rscales` not given for type=\"other\": taken as 1 (R).",
                      ToolkitWarning, stacklevel=4)
    return (1.0 if scale is None else float(scale),
            np.ones(R) if rscales is None else rscales)


def supplied(data: pd.DataFrame, *, weights: str | None, repweights: Any, type: str,
             scale: Any, rscales: Any, rho: Any, combined_weights: bool) -> dict[str, Any]:
    """Full weights, units, factors and scales of supplied replicate weights (R ``svrepdesign``)."""
    check_choice(type, REPLICATE_TYPES, param="type")
    cols = supplied_columns(data, repweights, weights)
    R = len(cols)
    rw = np.empty((len(data), R), order="F")
    bad, neg = [], []
    for j, c in enumerate(cols):
        col = pd.to_numeric(data[c], errors="coerce").to_numpy(float)
        rw[:, j] = col
        if np.isnan(col).any():
            bad.append(c)
        elif (col < 0).any():
            neg.append(c)
    if bad or neg:
        msg = ("Replicate weights must be numbers of at least 0: "
               + "; ".join(p for p in (f"missing or non-numeric in {bad[:5]}" if bad else "",
                                       f"negative in {neg[:5]}" if neg else "") if p) + ".")
        raise DesignError(msg)
    if weights is None:
        warnings.warn("No sampling weights given: all are taken as 1 (as R).",
                      ToolkitWarning, stacklevel=3)
        w = np.ones(len(data))
    else:
        w = pd.to_numeric(data[weights], errors="coerce").to_numpy(float)
        if np.isnan(w).any() or np.any(w <= 0):
            msg = (f"Weights column `{weights}` has missing, zero or negative values; "
                   "drop those respondents or fix the weights.")
            raise DesignError(msg)
    scale, rscales = supplied_scales(type, R, scale, rscales, rho, rw,
                                     combined=combined_weights)
    unit, factors = _compress(rw, w if combined_weights else None)
    return {"w": w, "unit": unit, "factors": factors, "scale": scale, "rscales": rscales,
            "names": cols}


def recalibrated(lin: ReplicateVariance, W: np.ndarray) -> tuple[np.ndarray, ReplicateVariance]:
    """Full weights and engine after calibrating full (column 0) and replicate weights `W`."""
    w = W[:, 0]
    fac = W[:, 1:] / w[:, None]
    fixed_rows = None if lin.fixed is None else lin.fixed[lin.unit]
    key = fac if fixed_rows is None else np.column_stack([fac, fixed_rows])
    unit, per_unit = _compress(key)
    fixed = None if fixed_rows is None else per_unit[:, -1] > 0
    factors = per_unit if fixed_rows is None else per_unit[:, :-1]
    return w, ReplicateVariance(unit, factors, lin.scale, lin.rscales, mse=lin.mse, fixed=fixed)
