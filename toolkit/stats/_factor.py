r"""Exploratory factor analysis behind :func:`tk.stats.omega`, step for step as R ``psych``.

- :func:`minres` — the minimum-residual fit of ``psych::fa(fm = "minres")``: the
  uniquenesses minimise the sum of squared off-diagonal residuals (Harman & Jones
  1966), found by L-BFGS-B from ``1 - smc`` with psych's bounds and gradient;
- :func:`varimax` — ``stats::varimax`` (Kaiser normalised), R's iteration kept: it
  only sets the starting point and the factor order of the oblique rotation;
- :func:`oblimin` — ``GPArotation::oblimin`` (quartimin, :math:`\gamma = 0`) by
  statsmodels' gradient projection algorithm (Bernaards & Jennrich 2005), converged
  to a gradient norm of 1e-7 (GPArotation stops at 1e-5);
- :func:`schmid_leiman` — ``psych::schmid``: a second-order factor of the oblique
  factors' correlations, and the Schmid–Leiman orthogonalisation into a general
  factor and group factors, reflected as ``psych::omega(flip = TRUE)``;
- :func:`ml` — the maximum-likelihood fit of ``psych::fa(fm = "ml")`` (and
  ``factanal``), used for one-factor omega.

References
----------
Kaiser, H. F. (1958). The varimax criterion for analytic rotation in factor
analysis. *Psychometrika* 23, 187-200.
Jöreskog, K. G. (1967). Some contributions to maximum likelihood factor analysis.
*Psychometrika* 32, 443-482.
Harman, H. H., & Jones, W. H. (1966). Factor analysis by minimizing residuals
(minres). *Psychometrika* 31, 351-368.
Bernaards, C. A., & Jennrich, R. I. (2005). Gradient projection algorithms and
software for arbitrary rotation criteria in factor analysis. *Educational and
Psychological Measurement* 65, 676-696.
Schmid, J., & Leiman, J. M. (1957). The development of hierarchical factor
solutions. *Psychometrika* 22, 53-61.
Revelle, W. psych: Procedures for Psychological, Psychometric, and Personality
Research. R package 2.2.9 (``fa``, ``schmid``, ``omega``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import optimize

from toolkit.errors import ToolkitWarning

__all__ = ["SchmidLeiman", "minres", "ml", "oblimin", "one_factor_ml", "schmid_leiman",
           "smc", "varimax"]

_TINY = 100 * np.finfo(float).eps


def smc(r: np.ndarray) -> np.ndarray:
    """Squared multiple correlations :math:`1 - 1/(R^{-1})_{ii}`, clipped to [0, 1] (psych)."""
    inv = np.linalg.pinv(r)
    with np.errstate(divide="ignore"):
        out = 1 - 1 / np.diag(inv)
    return np.clip(out, 0.0, 1.0)


def _top(s: np.ndarray, n_factors: int) -> tuple[np.ndarray, np.ndarray]:
    values, vectors = np.linalg.eigh(s)
    return values[::-1][:n_factors], vectors[:, ::-1][:, :n_factors]


def _sign_columns(loadings: np.ndarray) -> np.ndarray:
    signs = np.sign(loadings.sum(axis=0))
    signs[signs == 0] = 1
    return loadings * signs


def _uniquenesses(r: np.ndarray, objective: Callable[[np.ndarray], float],
                  gradient: Callable[[np.ndarray], np.ndarray], *, what: str) -> np.ndarray:
    """Uniquenesses minimising `objective`: psych's start (1 - smc) and bounds, L-BFGS-B.

    psych stops at L-BFGS-B's default tolerance; here it runs to the optimum, and a
    warning says so when the gradient has not vanished at an interior point.
    """
    s_mc = smc(r)
    upper = max(1.0, float(s_mc.max()))
    res = optimize.minimize(objective, np.diag(r) - s_mc, jac=gradient, method="L-BFGS-B",
                            bounds=[(0.005, upper)] * r.shape[0],
                            options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10_000})
    psi = res.x
    interior = (psi > 0.005 + 1e-9) & (psi < upper - 1e-9)
    if np.abs(gradient(psi)[interior]).max(initial=0.0) > 1e-5:
        warnings.warn(f"The {what} factor fit did not converge; the loadings may be off.",
                      ToolkitWarning, stacklevel=5)
    return psi


def minres(r: np.ndarray, n_factors: int) -> tuple[np.ndarray, np.ndarray]:
    """Unrotated minres loadings and uniquenesses of correlation matrix `r`.

    Each column's loadings sum to a positive number, as psych's ``fa`` returns them.
    """
    p = r.shape[0]
    lower = np.tril_indices(p, -1)

    def objective(psi: np.ndarray) -> float:
        s = r.copy()
        np.fill_diagonal(s, 1 - psi)
        values, vectors = _top(s, n_factors)
        loadings = vectors * np.sqrt(np.maximum(values, _TINY))
        return float(((s - loadings @ loadings.T)[lower] ** 2).sum())

    def gradient(psi: np.ndarray) -> np.ndarray:  # psych's FAgr.minres
        values, vectors = _top(r - np.diag(psi), n_factors)
        loadings = vectors * np.sqrt(np.maximum(values, 0))
        return (loadings**2).sum(axis=1) + psi - np.diag(r)

    psi = _uniquenesses(r, objective, gradient, what="minres")
    values, vectors = _top(r - np.diag(psi), n_factors)
    loadings = _sign_columns(vectors * np.sqrt(np.maximum(values, 0)))
    return loadings, psi


def varimax(loadings: np.ndarray, *, eps: float = 1e-5) -> np.ndarray:
    """Kaiser-normalised varimax as R ``stats::varimax``, columns signed and sorted as psych.

    R's iteration (Kaiser 1958, by singular value decompositions) and its stopping
    rule (relative gain in the criterion below `eps`) are kept, because the order
    of factors whose variances nearly tie depends on where it stops, and psych
    sorts the varimax factors by variance before the oblique rotation starts
    from them.
    """
    scale = np.sqrt((loadings**2).sum(axis=1))[:, None]
    x = loadings / scale
    p, k = x.shape
    rot = np.eye(k)
    d = 0.0
    for _ in range(1000):
        z = x @ rot
        u, sv, vt = np.linalg.svd(x.T @ (z**3 - z * (z**2).sum(axis=0) / p))
        rot = u @ vt
        d_past, d = d, float(sv.sum())
        if d < d_past * (1 + eps):
            break
    rotated = _sign_columns((x @ rot) * scale)
    order = np.argsort(-(rotated**2).sum(axis=0), kind="stable")
    return rotated[:, order]


def oblimin(loadings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Direct oblimin (quartimin) loadings and factor correlations, from the identity."""
    from statsmodels.multivariate.factor_rotation import rotate_factors

    # GPA's Armijo steps stall near a gradient norm of 1e-8; 1e-7 is reached in tens of steps
    rotated, t = rotate_factors(loadings, "oblimin", 0, "oblique", tol=1e-7,
                                max_tries=10_000)
    # projected gradient of the quartimin criterion (Bernaards & Jennrich 2005, eq. 13)
    sq = rotated**2
    gq = rotated * (sq.sum(axis=1, keepdims=True) - sq)
    ti = np.linalg.inv(t)
    g = -(rotated.T @ gq @ ti).T
    gp = g - t @ np.diag((t * g).sum(axis=0))
    if np.linalg.norm(gp) > 1e-6:
        warnings.warn("The oblimin rotation did not converge; the loadings may be off.",
                      ToolkitWarning, stacklevel=4)
    return rotated, t.T @ t


@dataclass
class SchmidLeiman:
    """Schmid–Leiman solution: items in rows, reflected where ``key`` is -1."""

    general: np.ndarray  # g loadings (reflected)
    groups: np.ndarray  # group-factor loadings F1* ... (reflected)
    h2: np.ndarray  # communalities of the n-factor model
    u2: np.ndarray  # uniquenesses 1 - h2
    phi: np.ndarray  # correlations of the oblique factors
    gloading: np.ndarray  # loadings of the oblique factors on g
    key: np.ndarray  # +1, or -1 for an item reflected so that it loads positively on g

    @property
    def p2(self) -> np.ndarray:
        """Share of each item's common variance due to g."""
        return self.general**2 / self.h2

    def reflected(self, r: np.ndarray) -> np.ndarray:
        """`r` with the reflected items' signs turned."""
        return r * np.outer(self.key, self.key)


def schmid_leiman(r: np.ndarray, n_factors: int) -> SchmidLeiman:
    """``psych::schmid(r, nfactors, fm = "minres", rotate = "oblimin")`` plus omega's flip."""
    unrotated, _ = minres(r, n_factors)
    if n_factors == 1:
        orth = unrotated
        fload, phi, gload = orth, np.eye(1), np.ones(1)
    else:
        orth = varimax(unrotated)
        fload, phi = oblimin(orth)
        if n_factors == 2:
            # two factors identify no second-order factor: psych's option = "equal"
            root = np.sqrt(abs(phi[0, 1]))
            gload = np.array([root, np.sign(phi[0, 1]) * root])
        else:
            gload = minres(phi, 1)[0][:, 0]
    general = fload @ gload
    h2 = (orth**2).sum(axis=1)
    u2 = np.diag(r) - h2
    rest = np.maximum(fload**2 - (fload * gload) ** 2, 0.0)
    groups = np.sign(fload) * np.sqrt(rest)
    key = np.sign(general)
    key[key == 0] = 1
    return SchmidLeiman(general=general * key, groups=groups * key[:, None], h2=h2, u2=u2,
                        phi=phi, gloading=gload, key=key)


def ml(r: np.ndarray, n_factors: int) -> tuple[np.ndarray, np.ndarray]:
    r"""Maximum-likelihood loadings and uniquenesses, as ``psych::fa(fm = "ml")``.

    The uniquenesses minimise the concentrated ML discrepancy
    :math:`-\sum_{m>q}(\log e_m - e_m) - q + p`, :math:`e_m` the eigenvalues of
    :math:`\Psi^{-1/2}R\Psi^{-1/2}` (Jöreskog 1967; the ``factanal``/psych
    objective and gradient), by L-BFGS-B from psych's start (``1 - smc``) with its
    bounds.
    Deterministic, unlike statsmodels' ``Factor`` whose starting values are random.
    """
    p = r.shape[0]
    q = n_factors

    def scaled(psi: np.ndarray) -> np.ndarray:
        sc = 1 / np.sqrt(psi)
        return r * np.outer(sc, sc)

    def objective(psi: np.ndarray) -> float:
        e = np.linalg.eigvalsh(scaled(psi))[::-1][q:]
        return -float((np.log(e) - e).sum() - q + p)

    def gradient(psi: np.ndarray) -> np.ndarray:  # psych's FAgr
        values, vectors = _top(scaled(psi), q)
        load = np.sqrt(psi)[:, None] * vectors * np.sqrt(np.maximum(values - 1, 0))
        return ((load**2).sum(axis=1) + psi - np.diag(r)) / psi**2

    psi = _uniquenesses(r, objective, gradient, what="maximum-likelihood")
    values, vectors = _top(scaled(psi), q)
    load = np.sqrt(psi)[:, None] * vectors * np.sqrt(np.maximum(values - 1, 0))
    return _sign_columns(load), psi


def one_factor_ml(r: np.ndarray) -> np.ndarray:
    """Loadings of one maximum-likelihood factor of correlation matrix `r` (sum > 0)."""
    return ml(r, 1)[0][:, 0]
