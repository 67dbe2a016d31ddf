r"""Kernel of the linear mixed models of :func:`~toolkit.stats.multilevel`: lme4's method.

The model :math:`y = X\beta + Z b + \varepsilon`, :math:`b = \Lambda_\theta u`,
:math:`u \sim N(0, \sigma^2 I)`, :math:`\varepsilon \sim N(0, \sigma^2 I)` is fitted
as lme4 does (Bates, Mächler, Bolker and Walker 2015, *J. Stat. Softw.* 67(1),
sections 3.1-3.4): for a relative covariance factor :math:`\Lambda_\theta` the
penalised least-squares problem
:math:`\min_{u,\beta} \|y - X\beta - Z\Lambda_\theta u\|^2 + \|u\|^2` is solved
through the Cholesky factor of :math:`\Lambda_\theta^T Z^T Z \Lambda_\theta + I`,
and the profiled deviance (ML, eq. 34) or REML criterion (eq. 41) is minimised over
:math:`\theta` alone, with :math:`\theta \ge 0` on the diagonal of each term's
lower-triangular factor. A variance component at zero is a point on that bound,
reached like any other optimum (a *singular* fit).

Random-effects terms (:class:`RandomTerm`) are one grouping factor each with one or
several columns (intercept and slopes, correlated within the term). One term is
handled in blocks per group (:class:`_OneTerm`, cost linear in the rows); several
terms (nested or crossed factors) through a sparse :math:`Z` and a dense or sparse
factorisation (:class:`_Sparse`). The same structures serve the penalised
iteratively reweighted least squares of the GLMM kernel (:mod:`._glmm`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import linalg, optimize, sparse

__all__ = ["LmmFit", "RandomTerm", "deriv12", "fit_lmm", "is_singular", "make_structure",
           "minimize_bounded", "one_blas_thread", "richardson_hessian", "richardson_jacobian"]

#: Above this many random effects the several-term structure factorises sparsely.
_DENSE_MAX = 2500
#: Up to this many random effects (several terms) the criterion has its analytic gradient.
_GRAD_MAX = 1000


@dataclass
class RandomTerm:
    """One random-effects term ``(cols | group)``: a grouping factor and its columns."""

    group: str                 # label of the grouping factor, e.g. "community:town"
    levels: list[Any]          # level labels, in the order of `codes`
    codes: np.ndarray          # (n,) level index of each row
    cols: np.ndarray           # (n, k) random-effects model matrix of the term
    names: list[str]           # (k,) column names, e.g. ["Intercept", "Days"]

    @property
    def k(self) -> int:
        return self.cols.shape[1]

    @property
    def m(self) -> int:
        return len(self.levels)


def theta_layout(terms: Sequence[RandomTerm]) -> tuple[list[slice], np.ndarray, np.ndarray]:
    """Slices of θ per term, lower bounds and lme4's start (1 on diagonals, 0 below)."""
    slices, lower, start, at = [], [], [], 0
    for t in terms:
        k = t.k
        size = k * (k + 1) // 2
        slices.append(slice(at, at + size))
        rows, cols = _tril_index(k)
        lower += [0.0 if r == c else -np.inf for r, c in zip(rows, cols, strict=True)]
        start += [1.0 if r == c else 0.0 for r, c in zip(rows, cols, strict=True)]
        at += size
    return slices, np.array(lower), np.array(start)


@functools.cache
def _tril_index(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of each element of a k x k lower triangle in lme4's θ order."""
    cols, rows = np.triu_indices(k)  # column-major lower triangle = row-major upper of T'
    rows.flags.writeable = False
    cols.flags.writeable = False
    return rows, cols


def tril(theta: np.ndarray, k: int) -> np.ndarray:
    """The lower-triangular factor T of one term from its θ segment (column-major)."""
    t = np.zeros((k, k))
    rows, cols = _tril_index(k)
    t[rows, cols] = theta
    return t


# ---------------------------------------------------------------------------
# random-effects structures: Λ'Z'v, ZΛu and the factor of Λ'Z'WZΛ + I
# ---------------------------------------------------------------------------


class _OneTerm:
    """One term: Λ'Z'WZΛ + I is block diagonal with one k x k block per group."""

    def __init__(self, term: RandomTerm) -> None:
        self.term = term
        n, k = term.cols.shape
        self.n, self.k, self.m = n, k, term.m
        self.q = self.m * k
        self.scalar = k == 1
        self.indicator = sparse.csr_matrix(
            (np.ones(n), (term.codes, np.arange(n))), shape=(self.m, n))
        self.outer = (term.cols[:, :, None] * term.cols[:, None, :]).reshape(n, k * k)
        self.ztz = self._blocks(None)
        self.t = np.eye(k)

    def set_theta(self, theta: np.ndarray) -> None:
        self.t = tril(theta, self.k)

    def _blocks(self, w: np.ndarray | None) -> np.ndarray:
        """Σ_i w_i z_i z_i' per group, shape (m, k, k)."""
        src = self.outer if w is None else self.outer * w[:, None]
        return np.asarray(self.indicator @ src).reshape(self.m, self.k, self.k)

    def zt(self, v: np.ndarray) -> np.ndarray:
        """Z'v for v of shape (n,) or (n, p); result (q,) or (q, p)."""
        cols = self.term.cols
        if v.ndim == 1:
            return np.asarray(self.indicator @ (cols * v[:, None])).reshape(self.q)
        p = v.shape[1]
        prod = (cols[:, :, None] * v[:, None, :]).reshape(self.n, self.k * p)
        return np.asarray(self.indicator @ prod).reshape(self.q, p)

    def lam_t(self, b: np.ndarray) -> np.ndarray:
        """Λ'b."""
        if b.ndim == 1:
            return (b.reshape(self.m, self.k) @ self.t).reshape(self.q)
        p = b.shape[1]
        return np.einsum("ji,mjp->mip", self.t, b.reshape(self.m, self.k, p)).reshape(self.q, p)

    def lam(self, u: np.ndarray) -> np.ndarray:
        """Λu (the random effects b from the spherical u)."""
        return (u.reshape(self.m, self.k) @ self.t.T).reshape(self.q)

    def lzt(self, v: np.ndarray) -> np.ndarray:
        return self.lam_t(self.zt(v))

    def zl(self, u: np.ndarray) -> np.ndarray:
        """ZΛu."""
        b = self.lam(u).reshape(self.m, self.k)
        return np.einsum("ik,ik->i", self.term.cols, b[self.term.codes])

    def factor(self, w: np.ndarray | None = None) -> _BlockFactor:
        s = self.ztz if w is None else self._blocks(w)
        a = np.einsum("ji,mjl,lk->mik", self.t, s, self.t) + np.eye(self.k)
        fac = _BlockFactor(a)
        fac.s = s
        return fac

    def cond_cov(self, fac: _BlockFactor) -> list[np.ndarray]:
        """Blocks of Λ A⁻¹ Λ' per group, as one (m, k, k) array in a list of one term."""
        inv = np.linalg.inv(fac.a)
        return [np.einsum("ij,mjl,kl->mik", self.t, inv, self.t)]


class _BlockFactor:
    """Factor of a block-diagonal SPD matrix given as its (m, k, k) blocks."""

    def __init__(self, a: np.ndarray) -> None:
        self.a = a
        self.s: np.ndarray | None = None   # the Z'WZ blocks A was made from
        self.m, self.k = a.shape[0], a.shape[1]
        if self.k == 1:
            self.diag = a[:, 0, 0]
            self.logdet = float(np.log(self.diag).sum())
        else:
            chol = np.linalg.cholesky(a)
            self.logdet = 2.0 * float(np.log(np.diagonal(chol, axis1=1, axis2=2)).sum())

    def solve(self, b: np.ndarray) -> np.ndarray:
        if self.k == 1:
            return b / (self.diag if b.ndim == 1 else self.diag[:, None])
        if b.ndim == 1:
            return np.linalg.solve(self.a, b.reshape(self.m, self.k, 1)).reshape(-1)
        p = b.shape[1]
        return np.linalg.solve(self.a, b.reshape(self.m, self.k, p)).reshape(-1, p)


class _Sparse:
    """Several terms (nested or crossed factors): sparse Z, Λ rebuilt for each θ."""

    def __init__(self, terms: Sequence[RandomTerm], slices: list[slice]) -> None:
        self.terms = list(terms)
        self.slices = slices
        self.n = terms[0].cols.shape[0]
        self.offsets = np.cumsum([0] + [t.m * t.k for t in terms])
        self.q = int(self.offsets[-1])
        self.scalar = False
        blocks = []
        for t in terms:
            rows = np.repeat(np.arange(self.n), t.k)
            cols = (t.codes[:, None] * t.k + np.arange(t.k)[None, :]).reshape(-1)
            blocks.append(sparse.csc_matrix((t.cols.reshape(-1), (rows, cols)),
                                            shape=(self.n, t.m * t.k)))
        self.z = sparse.hstack(blocks, format="csc")
        self.ztz = (self.z.T @ self.z).tocsc()
        self._ztz_dense: np.ndarray | None = None
        self._pieces: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        # Λ's pattern is fixed: which θ fills each stored value (lme4's Lind)
        rows, cols, lind = [], [], []
        for t, s, lo in zip(self.terms, slices, self.offsets[:-1], strict=True):
            tr, tc = _tril_index(t.k)
            base = lo + np.arange(t.m)[:, None] * t.k
            rows.append((base + tr[None, :]).reshape(-1))
            cols.append((base + tc[None, :]).reshape(-1))
            lind.append(np.tile(np.arange(s.start, s.stop), t.m))
        pattern = sparse.csc_matrix((np.arange(1, sum(r.size for r in rows) + 1, dtype=float),
                                     (np.concatenate(rows), np.concatenate(cols))),
                                    shape=(self.q, self.q))
        self._lind = np.concatenate(lind)[(pattern.data - 1).astype(int)]
        self._pattern = pattern
        # scalar terms only: Λ is diagonal (one stored value per column, in column order)
        self.diagonal = all(t.k == 1 for t in self.terms)
        self._lmat: sparse.csc_matrix | None = None
        self.d = np.ones(self.q)
        self.set_theta(np.concatenate([tril(np.ones(s.stop - s.start), t.k)[_tril_index(t.k)]
                                       for t, s in zip(self.terms, slices, strict=True)]))

    def set_theta(self, theta: np.ndarray) -> None:
        values = np.asarray(theta, dtype=float)[self._lind]
        if self.diagonal:
            self.d = values
            self._lmat = None  # built when asked for
            return
        lmat = self._pattern.copy()
        lmat.data = values
        self._lmat = lmat

    @property
    def lmat(self) -> sparse.csc_matrix:
        """Λ as a sparse matrix with its fixed pattern (zeros stored where θ is 0)."""
        if self._lmat is None:
            lmat = self._pattern.copy()
            lmat.data = self.d.copy()
            self._lmat = lmat
        return self._lmat

    def zt(self, v: np.ndarray) -> np.ndarray:
        return np.asarray(self.z.T @ v)

    def lam_t(self, b: np.ndarray) -> np.ndarray:
        if self.diagonal and not sparse.issparse(b):
            return self.d * b if b.ndim == 1 else self.d[:, None] * b
        return np.asarray(self.lmat.T @ b)

    def lam(self, u: np.ndarray) -> np.ndarray:
        if self.diagonal and not sparse.issparse(u):
            return self.d * u if u.ndim == 1 else self.d[:, None] * u
        return np.asarray(self.lmat @ u)

    def lzt(self, v: np.ndarray) -> np.ndarray:
        return self.lam_t(self.zt(v))

    def zl(self, u: np.ndarray) -> np.ndarray:
        return np.asarray(self.z @ self.lam(u))

    def factor(self, w: np.ndarray | None = None) -> _SparseFactor | _SchurFactor:
        """Factor of Λ'Z'WZΛ + I.

        The first term's block is block diagonal (one k x k block per level, the term
        with most levels, as lme4 orders them), so it is eliminated first and only the
        Schur complement of the other terms is factorised densely; when that is too
        large, a sparse LU of the whole matrix.
        """
        first = self.terms[0]
        q1 = first.m * first.k
        q2 = self.q - q1
        schur = q2 <= _DENSE_MAX and q1 * q2 <= 5e7
        if w is None and schur and all(t.k == 1 for t in self.terms):
            # scalar terms: Λ is diagonal, A = D S D + I from S's fixed dense pieces
            if self._pieces is None:
                full = self.ztz.tocsr()
                self._pieces = (full[:q1, :q1].diagonal(), full[:q1, q1:].toarray(),
                                full[q1:, q1:].toarray())
            s11, s12, s22 = self._pieces
            d1, d2 = self.d[:q1], self.d[q1:]
            a22 = np.outer(d2, d2) * s22
            a22[np.diag_indices_from(a22)] += 1.0
            fac: _SparseFactor | _SchurFactor = _SchurFactor(
                (d1 * d1 * s11 + 1.0).reshape(q1, 1, 1), d1[:, None] * s12 * d2[None, :], a22)
            fac.s = self.ztz
            return fac
        ztwz = self.ztz if w is None else (self.z.T @ self.z.multiply(w[:, None])).tocsc()
        lt = self.lmat.T.tocsr()
        a = (lt @ ztwz @ self.lmat).tocsr()
        if schur:
            fac = _SchurFactor.of(a, q1, first.k)
        else:
            fac = _SparseFactor((a + sparse.identity(self.q)).tocsc())
        fac.s = ztwz
        return fac

    def cond_cov(self, fac: _SparseFactor) -> list[np.ndarray]:
        """Per term, the (m, k, k) blocks of Λ A⁻¹ Λ' (NaN when A is too large)."""
        out = []
        if self.q > _DENSE_MAX:
            return [np.full((t.m, t.k, t.k), np.nan) for t in self.terms]
        full = self.lmat @ sparse.csc_matrix(fac.solve(np.asarray(self.lmat.T.todense())))
        full = np.asarray(full.todense()) if sparse.issparse(full) else np.asarray(full)
        for t, lo in zip(self.terms, self.offsets[:-1], strict=True):
            idx = lo + np.arange(t.m * t.k).reshape(t.m, t.k)
            out.append(full[idx[:, :, None], idx[:, None, :]])
        return out


class _SparseFactor:
    """Factor of an SPD matrix: dense Cholesky (given dense), sparse LU (given sparse)."""

    def __init__(self, a: sparse.csc_matrix | np.ndarray) -> None:
        self.q = a.shape[0]
        self.s: Any = None   # the Z'WZ that A was made from
        if not sparse.issparse(a):
            self.chol = linalg.cho_factor(a, lower=True, check_finite=False)
            self.lu = None
            self.logdet = 2.0 * float(np.log(np.diag(self.chol[0])).sum())
        else:
            from scipy.sparse.linalg import splu

            self.chol = None
            self.lu = splu(a, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0,
                           options={"SymmetricMode": True})
            self.logdet = float(np.log(np.abs(self.lu.U.diagonal())).sum())

    def solve(self, b: np.ndarray) -> np.ndarray:
        if self.chol is not None:
            return linalg.cho_solve(self.chol, b, check_finite=False)
        return self.lu.solve(b)


class _SchurFactor:
    """Factor of an SPD matrix whose leading block is block diagonal, by its Schur complement.

    Given the leading blocks (m, k, k), the off-diagonal block A12 and A22 (dense).
    """

    def __init__(self, blocks: np.ndarray, a12: np.ndarray | None, a22: np.ndarray | None
                 ) -> None:
        self.s: Any = None   # the Z'WZ that A was made from
        self.lead = _BlockFactor(blocks)
        self.q1 = blocks.shape[0] * blocks.shape[1]
        if a12 is None or a22 is None or a22.shape[0] == 0:  # one term: nothing else
            self.chol = None
            self.logdet = self.lead.logdet
            return
        self.a12 = a12
        self.c = self.lead.solve(a12)                       # A11⁻¹ A12
        self.chol = linalg.cho_factor(a22 - a12.T @ self.c, lower=True, check_finite=False)
        self.logdet = self.lead.logdet + 2.0 * float(np.log(np.diag(self.chol[0])).sum())

    @classmethod
    def of(cls, a: sparse.csr_matrix, q1: int, k1: int) -> _SchurFactor:
        """Factor of ``a + I`` (sparse ``a``) with a leading block of q1 rows in k1 x k1 blocks."""
        lead = a[:q1, :q1].tocoo()
        blocks = np.zeros((q1 // k1, k1, k1))
        np.add.at(blocks, (lead.row // k1, lead.row % k1, lead.col % k1), lead.data)
        blocks += np.eye(k1)
        if a.shape[0] == q1:
            return cls(blocks, None, None)
        a22 = a[q1:, q1:].toarray()
        a22[np.diag_indices_from(a22)] += 1.0
        return cls(blocks, a[:q1, q1:].toarray(), a22)

    def solve(self, b: np.ndarray) -> np.ndarray:
        if self.chol is None:
            return self.lead.solve(b)
        b1, b2 = b[: self.q1], b[self.q1:]
        y1 = self.lead.solve(b1)
        x2 = linalg.cho_solve(self.chol, b2 - self.a12.T @ y1, check_finite=False)
        return np.concatenate([y1 - self.c @ x2, x2])


def make_structure(terms: Sequence[RandomTerm]) -> _OneTerm | _Sparse:
    """The random-effects structure for `terms` (blocks for one term, sparse otherwise)."""
    slices, _, _ = theta_layout(terms)
    if len(terms) == 1:
        return _OneTerm(terms[0])
    return _Sparse(terms, slices)


# ---------------------------------------------------------------------------
# bounded minimisation with a Newton polish, and numerical derivatives
# ---------------------------------------------------------------------------


def _fd_grad_hess(fun: Callable[[np.ndarray], float], x: np.ndarray, h: np.ndarray,
                  f0: float) -> tuple[np.ndarray, np.ndarray]:
    """Central-difference gradient and Hessian with steps `h`."""
    d = x.size
    g = np.empty(d)
    hess = np.empty((d, d))
    fp, fm = np.empty(d), np.empty(d)
    for i in range(d):
        e = np.zeros(d)
        e[i] = h[i]
        fp[i], fm[i] = fun(x + e), fun(x - e)
        g[i] = (fp[i] - fm[i]) / (2 * h[i])
        hess[i, i] = (fp[i] - 2 * f0 + fm[i]) / h[i] ** 2
    for i in range(d):
        for j in range(i):
            ei, ej = np.zeros(d), np.zeros(d)
            ei[i], ej[j] = h[i], h[j]
            val = (fun(x + ei + ej) - fun(x + ei - ej) - fun(x - ei + ej)
                   + fun(x - ei - ej)) / (4 * h[i] * h[j])
            hess[i, j] = hess[j, i] = val
    return g, hess


def minimize_bounded(fun: Callable[[np.ndarray], float], x0: np.ndarray, lower: np.ndarray,
                     *, fun_grad: Callable[[np.ndarray], tuple[float, np.ndarray]] | None = None,
                     polish: int = 30, step: float | None = None, rough: bool = False
                     ) -> tuple[np.ndarray, float, bool, np.ndarray | None]:
    """Minimise `fun` subject to ``x >= lower`` to the optimum, not to a stopping rule.

    L-BFGS-B from `x0` (with the analytic gradient when `fun_grad` gives it), then
    projected Newton steps with central-difference second derivatives on the
    coordinates not held at their bound (a coordinate stays at its bound while the
    gradient pushes it outwards), with step halving. `step` is the absolute
    difference step (default relative, 1e-5); `rough` stops L-BFGS-B early (for
    starting values). Returns the minimiser, the minimum, whether the Newton polish
    converged and the last Hessian (at the minimiser to within the last Newton step).
    """
    bounds = [(lo if np.isfinite(lo) else None, None) for lo in lower]
    options = ({"ftol": 1e-7, "gtol": 1e-4, "maxiter": 200} if rough else
               {"ftol": 1e-15, "gtol": 1e-9, "maxiter": 5000, "maxfun": 50000})
    def run(start: np.ndarray) -> tuple[np.ndarray, float]:
        if fun_grad is None:
            res = optimize.minimize(fun, start, method="L-BFGS-B", bounds=bounds,
                                    options=options)
        else:
            res = optimize.minimize(fun_grad, start, method="L-BFGS-B", jac=True,
                                    bounds=bounds, options=options)
        xr = np.maximum(np.asarray(res.x, dtype=float), lower)
        return xr, float(fun(xr))

    x, f = run(np.asarray(x0, dtype=float))
    # A variance at zero is a stationary point of criteria that are even in the
    # diagonal of the factor, minimum or not; step inside, as lme4's restart_edge does,
    # and start again from there when that is lower.
    for _restart in range(5):
        best = (f, None)
        for i in np.flatnonzero(np.isfinite(lower) & (x <= lower + 1e-12)):
            for h in (1e-5, 1e-3, 1e-1, 1.0):
                cand = x.copy()
                cand[i] = lower[i] + h
                fc = float(fun(cand))
                if fc < best[0] - 1e-12 * max(1.0, abs(f)):
                    best = (fc, cand)
        if best[1] is None:
            break
        x, f = run(best[1])
    converged, hess = False, None
    for _ in range(polish):
        h = np.full(x.size, step) if step else 1e-5 * np.maximum(np.abs(x), 1e-2)
        # at a bound the differences reach just outside it, where the criteria are
        # still defined and smooth (a negative diagonal is another valid factor)
        if fun_grad is None:
            g, hess = _fd_grad_hess(fun, x, h, f)
        else:
            g = fun_grad(x)[1]
            hess = _fd_jacobian(lambda v: fun_grad(v)[1], x, h)
        at_bound = (x <= lower + 1e-12) & np.isfinite(lower)
        free = ~(at_bound & (g >= 0))
        if not free.any():
            converged = True
            break
        gf, hf = g[free], hess[np.ix_(free, free)]
        evals, evecs = np.linalg.eigh(hf)
        evals = np.maximum(evals, 1e-8 * max(1.0, np.abs(evals).max()))
        delta = np.zeros_like(x)
        delta[free] = -evecs @ ((evecs.T @ gf) / evals)
        improved = False
        for _half in range(30):
            cand = np.maximum(x + delta, lower)
            fc = float(fun(cand))
            if fc <= f:
                improved = True
                break
            delta /= 2
        if not improved:
            converged = True  # no descent left at this precision
            break
        moved = np.abs(cand - x).max()
        x, f_old, f = cand, f, fc
        if moved < 1e-10 * max(1.0, np.abs(x).max()) or f_old - f < 1e-14 * max(1.0, abs(f)):
            converged = True
            break
    return x, f, converged, hess


def _fd_jacobian(grad: Callable[[np.ndarray], np.ndarray], x: np.ndarray, h: np.ndarray
                 ) -> np.ndarray:
    """Symmetrised central-difference Jacobian of a gradient (a Hessian)."""
    hess = np.empty((x.size, x.size))
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = h[i]
        hess[:, i] = (grad(x + e) - grad(x - e)) / (2 * h[i])
    return (hess + hess.T) / 2


def deriv12(fun: Callable[[np.ndarray], float], x: np.ndarray, *, delta: float = 1e-4,
            fx: float | None = None) -> np.ndarray:
    """Hessian by central differences with step `delta`, as lme4's ``deriv12``."""
    f0 = float(fun(x)) if fx is None else fx
    _, hess = _fd_grad_hess(fun, x, np.full(x.size, delta), f0)
    return hess


def _richardson(values: list[np.ndarray]) -> np.ndarray:
    """Richardson extrapolation of central differences at steps h, h/2, h/4, ..."""
    table = list(values)
    for level in range(1, len(values)):
        factor = 4.0**level
        table = [(factor * table[i + 1] - table[i]) / (factor - 1)
                 for i in range(len(table) - 1)]
    return table[0]


def _steps(x: np.ndarray, d: float = 1e-3) -> np.ndarray:
    """Steps as numDeriv's: relative to |x|, absolute near zero."""
    return np.where(np.abs(x) < 1e-5, d, d * np.abs(x))


def richardson_jacobian(fun: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
                        *, r: int = 4) -> np.ndarray:
    """Jacobian of a vector function by extrapolated central differences (numDeriv)."""
    h0 = _steps(x)
    cols = []
    for i in range(x.size):
        vals = []
        for level in range(r):
            e = np.zeros(x.size)
            e[i] = h0[i] / 2**level
            vals.append((np.asarray(fun(x + e)) - np.asarray(fun(x - e))) / (2 * e[i]))
        cols.append(_richardson(vals).reshape(-1))
    return np.column_stack(cols)


def richardson_hessian(fun: Callable[[np.ndarray], float], x: np.ndarray,
                       *, r: int = 4) -> np.ndarray:
    """Hessian by extrapolated central differences (numDeriv's ``hessian``)."""
    h0 = _steps(x)
    f0 = float(fun(x))
    d = x.size
    hess = np.empty((d, d))
    for i in range(d):
        for j in range(i + 1):
            vals = []
            for level in range(r):
                hi, hj = h0[i] / 2**level, h0[j] / 2**level
                ei, ej = np.zeros(d), np.zeros(d)
                ei[i], ej[j] = hi, hj
                if i == j:
                    vals.append(np.array((fun(x + ei) - 2 * f0 + fun(x - ei)) / hi**2))
                else:
                    vals.append(np.array((fun(x + ei + ej) - fun(x + ei - ej)
                                          - fun(x - ei + ej) + fun(x - ei - ej))
                                         / (4 * hi * hj)))
            hess[i, j] = hess[j, i] = float(_richardson(vals))
    return hess


# ---------------------------------------------------------------------------
# the linear mixed model
# ---------------------------------------------------------------------------


def is_singular(theta: np.ndarray, lower: np.ndarray, tol: float = 1e-4) -> bool:
    """lme4's ``isSingular``: a diagonal element of θ (bounded at 0) below `tol`."""
    return bool(np.any(theta[lower == 0] < tol))


@dataclass
class LmmFit:
    """A fitted linear mixed model (lme4's quantities; see :func:`fit_lmm`)."""

    beta: np.ndarray
    vcov: np.ndarray
    theta: np.ndarray
    sigma: float
    reml: bool
    criterion: float           # REML criterion (REML fit) or deviance -2 llf (ML fit)
    llf: float                 # -criterion / 2, as lme4's logLik
    n: int
    p: int
    u: np.ndarray
    b: np.ndarray              # conditional modes Λu
    cond_cov: list[np.ndarray]  # per term: (m, k, k) conditional covariances of b
    terms: list[RandomTerm]
    lower: np.ndarray
    converged: bool
    df_satterthwaite: np.ndarray | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def singular(self) -> bool:
        """lme4's ``isSingular`` (see :func:`is_singular`)."""
        return is_singular(self.theta, self.lower)

    @property
    def n_params(self) -> int:
        """Parameters counted by lme4's logLik df: β, θ and σ."""
        return self.p + self.theta.size + 1


class _Lmm:
    """Profiled deviance of a linear mixed model at given θ (lme4's ``lmer_Deviance``)."""

    def __init__(self, y: np.ndarray, x: np.ndarray, terms: Sequence[RandomTerm]) -> None:
        self.n, self.p = x.shape
        self.x = x
        self.terms = list(terms)
        self.slices, self.lower, self.start = theta_layout(terms)
        self.re = make_structure(terms)
        # work with the OLS residuals: β = β_ols + δ leaves every criterion unchanged
        # and keeps the sums of squares free of cancellation
        self.beta_ols = np.linalg.lstsq(x, y, rcond=None)[0]
        self.e = y - x @ self.beta_ols
        self.ete = float(self.e @ self.e)
        self.xtx = x.T @ x
        self.xte = x.T @ self.e
        self.zte = self.re.zt(self.e)
        self.ztx = self.re.zt(x)

    def solve(self, theta: np.ndarray) -> dict[str, Any]:
        """Penalised least squares at θ: δ, u, r², log-determinants and X'V⁻¹X."""
        self.re.set_theta(theta)
        fac = self.re.factor()
        lzte = self.re.lam_t(self.zte)
        lztx = self.re.lam_t(self.ztx)
        ai_x = fac.solve(lztx)
        ai_e = fac.solve(lzte)
        rxtrx = self.xtx - lztx.T @ ai_x
        rxtrx = (rxtrx + rxtrx.T) / 2
        rhs = self.xte - lztx.T @ ai_e
        chol = linalg.cho_factor(rxtrx, lower=True)
        delta = linalg.cho_solve(chol, rhs)
        u = ai_e - ai_x @ delta
        r2 = self.ete - float(u @ lzte) - float(delta @ self.xte)
        ld_rx2 = 2.0 * float(np.log(np.diag(chol[0])).sum())
        return {"fac": fac, "delta": delta, "u": u, "r2": max(r2, 0.0), "ld_l2": fac.logdet,
                "ld_rx2": ld_rx2, "rxtrx": rxtrx, "chol": chol}

    def criterion(self, theta: np.ndarray, *, reml: bool) -> float:
        """REML criterion or ML deviance at θ (lme4 ``lmerResp::Laplace``)."""
        s = self.solve(theta)
        n = self.n
        if s["r2"] <= 0:
            return np.inf
        if not reml:
            return s["ld_l2"] + n * (1 + np.log(2 * np.pi * s["r2"] / n))
        nmp = n - self.p
        return s["ld_l2"] + s["ld_rx2"] + nmp * (1 + np.log(2 * np.pi * s["r2"] / nmp))

    def criterion_grad(self, theta: np.ndarray, *, reml: bool) -> tuple[float, np.ndarray]:
        r"""The criterion and its gradient in θ.

        With :math:`V = Z\Lambda\Lambda^TZ^T + I`, the PLS residual
        :math:`\tilde e = V^{-1}(y - X\hat\beta)` and
        :math:`\partial V/\partial\theta_i = Z(\Lambda_i\Lambda^T + \Lambda\Lambda_i^T)Z^T`:
        :math:`\partial d/\partial\theta_i = \mathrm{tr}(Q\,\partial V_i)
        - (N / r^2)\,\tilde e^T \partial V_i \tilde e`, where :math:`Q = V^{-1}` (ML,
        :math:`N = n`) or :math:`V^{-1} - V^{-1}X(X^TV^{-1}X)^{-1}X^TV^{-1}` (REML,
        :math:`N = n - p`). For one term everything reduces to k x k blocks per group;
        for several terms it takes q x q dense algebra (used up to ``_GRAD_MAX``).
        """
        re = self.re
        s = self.solve(theta)
        n, p = self.n, self.p
        big_n = n - p if reml else n
        if s["r2"] <= 0:
            return np.inf, np.zeros_like(theta)
        crit = (s["ld_l2"] + (s["ld_rx2"] if reml else 0.0)
                + big_n * (1 + np.log(2 * np.pi * s["r2"] / big_n)))
        if isinstance(re, _Sparse):
            return float(crit), self._sparse_grad(s, reml=reml, big_n=big_n, ntheta=theta.size)
        m, k, t = re.m, re.k, re.t
        blocks = re.ztz                                     # S_j = Z_j'Z_j, (m, k, k)
        u = s["u"].reshape(m, k)
        st = blocks @ t                                     # S_j T
        ztr = (self.zte - self.ztx @ s["delta"]).reshape(m, k)
        g = ztr - np.einsum("mij,mj->mi", st, u)            # Z'ẽ per group
        a = s["fac"].a if k > 1 else s["fac"].diag.reshape(m, 1, 1)
        ai_tts = np.linalg.solve(a, np.transpose(st, (0, 2, 1)))   # A_j⁻¹ T'S_j
        w = blocks - st @ ai_tts                            # Z_j'V⁻¹Z_j
        if reml:
            ztx = self.ztx.reshape(m, k, p)
            h = ztx - st @ np.linalg.solve(a, np.einsum("ji,mjp->mip", t, ztx))
            c = linalg.cho_solve(s["chol"], np.eye(p))
            w = w - np.einsum("mip,pq,mjq->mij", h, c, h)
        trace = 2 * (w.sum(axis=0) @ t)                    # tr(Q ∂V) for each (r, c)
        quad = 2 * (g.T @ u)                                # ẽ'∂Vẽ for each (r, c)
        rows, cols = _tril_index(k)
        grad = trace[rows, cols] - (big_n / s["r2"]) * quad[rows, cols]
        return float(crit), grad

    def _sparse_grad(self, s: dict[str, Any], *, reml: bool, big_n: int, ntheta: int
                     ) -> np.ndarray:
        r"""The gradient of :meth:`criterion_grad` for several terms.

        Uses :math:`Z^TV^{-1}Z\Lambda = S\Lambda A^{-1}` (as
        :math:`\Lambda^TS\Lambda = A - I`), needed only where :math:`\Lambda` has
        its pattern: q x q work for :math:`A^{-1}`, no q x q x q product.
        """
        re, fac = self.re, s["fac"]
        lmat = re.lmat
        rows = lmat.indices
        cols = np.repeat(np.arange(lmat.shape[1]), np.diff(lmat.indptr))
        sl = (re.ztz @ lmat).toarray()                      # SΛ
        ainv = fac.solve(np.eye(re.q))
        vals = np.einsum("ij,ij->i", sl[rows], ainv[cols])  # (SΛA⁻¹) on Λ's pattern
        if reml:
            lt = lmat.T.tocsr()
            h = self.ztx - sl @ fac.solve(np.asarray(lt @ self.ztx))   # Z'V⁻¹X
            lh = np.asarray(lt @ h)
            c = linalg.cho_solve(s["chol"], np.eye(self.p))
            vals = vals - np.einsum("ip,pq,iq->i", h[rows], c, lh[cols])
        u = s["u"]
        g = (self.zte - self.ztx @ s["delta"]) - sl @ u     # Z'ẽ
        trace = 2 * np.bincount(re._lind, weights=vals, minlength=ntheta)
        quad = 2 * np.bincount(re._lind, weights=g[rows] * u[cols], minlength=ntheta)
        return trace - (big_n / s["r2"]) * quad

    # lmerTest's functions of the variance parameters (θ, σ)
    def deviance_vp(self, varpar: np.ndarray, *, reml: bool) -> float:
        theta, sigma2 = varpar[:-1], varpar[-1] ** 2
        s = self.solve(theta)
        dev = s["ld_l2"] + s["r2"] / sigma2 + self.n * np.log(2 * np.pi * sigma2)
        if reml:
            dev += s["ld_rx2"] - self.p * np.log(2 * np.pi * sigma2)
        return float(dev)

    def covbeta_vp(self, varpar: np.ndarray) -> np.ndarray:
        theta, sigma2 = varpar[:-1], varpar[-1] ** 2
        s = self.solve(theta)
        return sigma2 * linalg.cho_solve(s["chol"], np.eye(self.p))


def satterthwaite(model: _Lmm, theta: np.ndarray, sigma: float, vcov: np.ndarray, *,
                  reml: bool) -> np.ndarray:
    r"""Satterthwaite denominator df of each coefficient, as lmerTest (``contest1D``).

    lmerTest differentiates the deviance and cov(β) numerically in the variance
    parameters (θ, σ); the asymptotic covariance of (θ, σ) is twice the inverse
    Hessian (over its positive eigenvalues) and
    :math:`df_j = 2 V_{jj}^2 / (g_j^T A g_j)` with
    :math:`g_j = \partial V_{jj}/\partial(\theta, \sigma)`.
    """
    varpar = np.append(theta, sigma)
    hess = richardson_hessian(lambda v: model.deviance_vp(v, reml=reml), varpar, r=2)
    evals, evecs = np.linalg.eigh((hess + hess.T) / 2)
    pos = evals > 1e-8
    a = 2 * (evecs[:, pos] / evals[pos]) @ evecs[:, pos].T
    jac = richardson_jacobian(lambda v: model.covbeta_vp(v).reshape(-1), varpar, r=2)
    p = vcov.shape[0]
    diag_idx = np.arange(p) * p + np.arange(p)
    grads = jac[diag_idx]  # (p, n_varpar): derivative of each V_jj
    denom = np.einsum("jk,kl,jl->j", grads, a, grads)
    with np.errstate(divide="ignore", invalid="ignore"):
        return 2 * np.diag(vcov) ** 2 / denom


@functools.cache
def _blas_controller() -> Any:
    """The loaded BLAS libraries as threadpoolctl sees them (found once: finding them is slow)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def one_blas_thread() -> Any:
    """Context limiting BLAS to one thread.

    The fits call BLAS on small matrices thousands of times; a threaded BLAS on a
    busy machine spends far longer waking its threads than computing (a QR of a
    1,600 x 8 matrix: 16 ms with two threads, 0.06 ms with one).
    """
    return _blas_controller().limit(limits=1, user_api="blas")


def fit_lmm(y: np.ndarray, x: np.ndarray, terms: Sequence[RandomTerm], *, reml: bool = True,
            df: bool = True) -> LmmFit:
    """Fit a linear mixed model by lme4's profiled deviance or REML criterion."""
    with one_blas_thread():
        return _fit_lmm(y, x, terms, reml=reml, df=df)


def _fit_lmm(y: np.ndarray, x: np.ndarray, terms: Sequence[RandomTerm], *, reml: bool,
             df: bool) -> LmmFit:
    model = _Lmm(y, x, terms)
    fun_grad = ((lambda th: model.criterion_grad(th, reml=reml))
                if isinstance(model.re, _OneTerm) or model.re.q <= _GRAD_MAX else None)
    theta, crit, converged, _ = minimize_bounded(lambda th: model.criterion(th, reml=reml),
                                                 model.start, model.lower, fun_grad=fun_grad)
    s = model.solve(theta)
    n, p = model.n, model.p
    sigma2 = s["r2"] / (n - p if reml else n)
    beta = model.beta_ols + s["delta"]
    vcov = sigma2 * linalg.cho_solve(s["chol"], np.eye(p))
    vcov = (vcov + vcov.T) / 2
    u = s["u"]
    b = model.re.lam(u)
    cond = [sigma2 * c for c in model.re.cond_cov(s["fac"])]
    fit = LmmFit(beta=beta, vcov=vcov, theta=theta, sigma=float(np.sqrt(sigma2)), reml=reml,
                 criterion=float(crit), llf=-float(crit) / 2, n=n, p=p, u=u, b=b,
                 cond_cov=cond, terms=list(terms), lower=model.lower, converged=converged)
    fit.extra["pwrss"] = s["r2"]
    if df:
        fit.df_satterthwaite = satterthwaite(model, theta, fit.sigma, vcov, reml=reml)
    return fit
