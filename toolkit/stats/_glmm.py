r"""Kernel of the generalised linear mixed models of :func:`~toolkit.stats.multilevel`.

lme4's ``glmer`` method (Bates et al. 2015, section 5; lme4's ``glmerLaplace`` and
``glmerAGQ``): for given :math:`(\theta, \beta)` the conditional modes :math:`u^*`
minimise the penalised deviance :math:`-2\log p(y \mid u) + \|u\|^2`
(penalised iteratively reweighted least squares, Newton steps on the system
:math:`\Lambda^T Z^T W Z \Lambda + I` of :mod:`._lmm`), and the deviance is

- Laplace (``n_agq=1``): :math:`-2\log p(y \mid u^*) + \|u^*\|^2 + \log|L|^2`, with
  :math:`-2\log p(y \mid u)` the family's ``aic`` term (binomial coefficients
  included), as lme4's ``glmResp::Laplace``;
- adaptive Gauss-Hermite (``n_agq > 1``, one scalar random-effects term): per group
  :math:`d_j = u_j^{*2} + \sum_{i \in j} \mathrm{dev}_i` (deviance residuals), and
  :math:`\sum_j d_j + \log|L|^2 - 2\sum_j \log \sum_k w_k
  e^{-(d_j(u_j^* + z_k s_j) - d_j)/2 + z_k^2/2}`, :math:`s_j = 1/L_{jj}` — lme4's
  formula, which for binomial counts with several trials leaves out the binomial
  coefficients (its log-likelihood then differs from the Laplace one by that
  constant, as lme4's does).

Optimisation as glmer: a first stage over :math:`\theta` with :math:`\beta` found
jointly with :math:`u` (lme4's ``nAGQ = 0``), then the deviance over
:math:`(\theta, \beta)`. The covariance of :math:`\hat\beta` is twice the inverse
of the finite-difference Hessian of the deviance in :math:`(\theta, \beta)` (lme4's
``deriv12`` with step 1e-4, its default for ``vcov`` of a glmer fit).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import special

from toolkit.stats._lmm import (
    _GRAD_MAX,
    RandomTerm,
    _OneTerm,
    deriv12,
    is_singular,
    make_structure,
    minimize_bounded,
    one_blas_thread,
    theta_layout,
)

__all__ = ["FAMILIES", "GlmmFit", "fit_glmm"]

FAMILIES = ("binomial", "poisson")


class _Family:
    """Canonical-link response of a GLMM: binomial (logit) or Poisson (log)."""

    def __init__(self, name: str, y: np.ndarray, trials: np.ndarray) -> None:
        self.name = name
        self.y = y                  # successes (binomial) or counts (Poisson)
        self.m = trials             # trials (binomial); ones for Poisson
        if name == "binomial":
            self.const = (special.gammaln(trials + 1) - special.gammaln(y + 1)
                          - special.gammaln(trials - y + 1))
            with np.errstate(divide="ignore", invalid="ignore"):
                p = np.where(trials > 0, y / np.where(trials > 0, trials, 1), 0.0)
                self.sat = np.where(y > 0, y * np.log(p), 0.0) + np.where(
                    trials - y > 0, (trials - y) * np.log1p(-p), 0.0)
        else:
            self.const = -special.gammaln(y + 1)
            with np.errstate(divide="ignore", invalid="ignore"):
                self.sat = np.where(y > 0, y * np.log(y) - y, 0.0)

    def loglik_terms(self, eta: np.ndarray) -> np.ndarray:
        """Log-likelihood of each row without the constant (binomial coefficients)."""
        if self.name == "binomial":
            return self.y * special.log_expit(eta) + (self.m - self.y) * special.log_expit(-eta)
        return self.y * eta - np.exp(eta)

    def weights_resid(self, eta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Working weights and score residuals d loglik / d eta."""
        if self.name == "binomial":
            mu = special.expit(eta)
            return self.m * mu * (1 - mu), self.y - self.m * mu
        mu = np.exp(eta)
        return mu, self.y - mu

    def weights_slope(self, eta: np.ndarray) -> np.ndarray:
        """Derivative of the working weights in eta."""
        if self.name == "binomial":
            mu = special.expit(eta)
            return self.m * mu * (1 - mu) * (1 - 2 * mu)
        return np.exp(eta)

    def aic(self, eta: np.ndarray) -> float:
        """-2 log-likelihood of the rows (R's ``family()$aic`` without the 2p)."""
        return -2.0 * float((self.loglik_terms(eta) + self.const).sum())

    def dev_resid(self, eta: np.ndarray) -> np.ndarray:
        """Squared deviance residuals of each row."""
        return 2.0 * (self.sat - self.loglik_terms(eta))


@dataclass
class GlmmFit:
    """A fitted GLMM (lme4 ``glmer`` quantities; see :func:`fit_glmm`)."""

    beta: np.ndarray
    vcov: np.ndarray
    theta: np.ndarray
    deviance: float            # -2 llf: the Laplace or AGQ deviance at the optimum
    llf: float
    n_agq: int
    family: str
    n: int
    p: int
    u: np.ndarray
    b: np.ndarray
    cond_cov: list[np.ndarray]
    terms: list[RandomTerm]
    lower: np.ndarray
    converged: bool
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def singular(self) -> bool:
        """lme4's ``isSingular`` (see :func:`~toolkit.stats._lmm.is_singular`)."""
        return is_singular(self.theta, self.lower)

    @property
    def n_params(self) -> int:
        """Parameters counted by lme4's logLik df: β and θ."""
        return self.p + self.theta.size


class _Glmm:
    """Deviance of a GLMM as a function of (θ, β), with PIRLS for the modes."""

    def __init__(self, y: np.ndarray, trials: np.ndarray, x: np.ndarray,
                 terms: Sequence[RandomTerm], family: str) -> None:
        self.n, self.p = x.shape
        self.x = x
        self.terms = list(terms)
        self.fam = _Family(family, y, trials)
        self.slices, self.lower_theta, self.start_theta = theta_layout(terms)
        self.ntheta = self.start_theta.size
        self.re = make_structure(terms)
        self.u = np.zeros(self.re.q)   # warm start of the modes

    def _penalised(self, eta_fixed: np.ndarray, u: np.ndarray) -> float:
        return self.fam.aic(eta_fixed + self.re.zl(u)) + float(u @ u)

    def modes(self, theta: np.ndarray, beta: np.ndarray) -> tuple[np.ndarray, Any, np.ndarray]:
        """Conditional modes u* at (θ, β) by PIRLS; the factor at u* and the linear predictor."""
        self.re.set_theta(theta)
        eta_fixed = self.x @ beta
        u = self.u.copy()
        pdev = self._penalised(eta_fixed, u)
        for _ in range(200):
            eta = eta_fixed + self.re.zl(u)
            w, r = self.fam.weights_resid(eta)
            fac = self.re.factor(w)
            du = fac.solve(self.re.lzt(r) - u)
            size, scale = np.abs(du).max(initial=0.0), max(1.0, np.abs(u).max(initial=0.0))
            if size < 1e-13 * scale:
                u = u + du
                break
            step = 1.0
            for _half in range(40):
                cand = u + step * du
                pc = self._penalised(eta_fixed, cand)
                # a step is taken unless it raises the deviance beyond rounding
                if pc <= pdev + 1e-13 * abs(pdev) or not np.isfinite(pdev):
                    break
                step /= 2
            else:
                break
            u, pdev = cand, pc
            if step * size < 1e-11 * scale:
                break
        if np.all(np.isfinite(u)):
            self.u = u
        eta = eta_fixed + self.re.zl(u)
        w, _ = self.fam.weights_resid(eta)
        return u, self.re.factor(w), eta

    def laplace(self, pars: np.ndarray) -> float:
        theta, beta = pars[: self.ntheta], pars[self.ntheta:]
        u, fac, eta = self.modes(theta, beta)
        return self.fam.aic(eta) + float(u @ u) + fac.logdet

    def laplace_grad(self, pars: np.ndarray) -> tuple[float, np.ndarray]:
        r"""Laplace deviance and its gradient in (θ, β) (one term).

        At the modes (where :math:`M^T r = u`, :math:`M = Z\Lambda`), with
        :math:`h_i = m_i^T A^{-1} m_i`, :math:`c = h \odot dw/d\eta`,
        :math:`v = A^{-1} M^T c` and :math:`s = -2r + c - W M v`:
        :math:`\partial D/\partial\beta = X^T s` and
        :math:`\partial D/\partial\theta_k = s^T Z\Lambda_k u + r^T Z\Lambda_k v
        + 2\,\mathrm{tr}(A^{-1}\Lambda^T Z^T W Z \Lambda_k)` (implicit differentiation of
        the mode equation; the log-determinant depends on the parameters through
        :math:`\Lambda` and through :math:`W(\eta^*)`).
        """
        from toolkit.stats._lmm import _tril_index

        re, fam = self.re, self.fam
        theta, beta = pars[: self.ntheta], pars[self.ntheta:]
        u, fac, eta = self.modes(theta, beta)
        dev = fam.aic(eta) + float(u @ u) + fac.logdet
        w, r = fam.weights_resid(eta)
        if not isinstance(re, _OneTerm):
            return dev, self._sparse_grad(u, fac, eta, w, r)
        m, k, t = re.m, re.k, re.t
        codes, cols = self.terms[0].codes, self.terms[0].cols
        ainv = np.linalg.inv(fac.a) if k > 1 else (1.0 / fac.diag).reshape(m, 1, 1)
        tat = np.einsum("ij,mjl,kl->mik", t, ainv, t)          # T A_j⁻¹ T'
        h = np.einsum("ik,ikl,il->i", cols, tat[codes], cols)
        c = h * fam.weights_slope(eta)
        v = fac.solve(re.lzt(c))
        s_vec = -2.0 * r + c - w * re.zl(v)
        g_beta = self.x.T @ s_vec
        zs = re.zt(s_vec).reshape(m, k)
        zr = re.zt(r).reshape(m, k)
        p_mat = zs.T @ u.reshape(m, k) + zr.T @ v.reshape(m, k)
        kmat = np.einsum("mij,kj,mkl->il", ainv, t, fac.s)    # Σ A_j⁻¹ T' S^W_j
        rows, cols_ = _tril_index(k)
        g_theta = p_mat[rows, cols_] + 2.0 * kmat.T[rows, cols_]
        return dev, np.concatenate([g_theta, g_beta])

    def has_gradient(self) -> bool:
        """Whether :meth:`laplace_grad` applies (one term, or several of moderate size)."""
        return isinstance(self.re, _OneTerm) or (
            self.re.q <= _GRAD_MAX and self.n * self.re.q <= 2e7)

    def _sparse_grad(self, u: np.ndarray, fac: Any, eta: np.ndarray, w: np.ndarray,
                     r: np.ndarray) -> np.ndarray:
        """The gradient of :meth:`laplace_grad` for several terms (dense q x q algebra)."""
        re, fam = self.re, self.fam
        lmat = re.lmat
        mmat = (re.z @ lmat).tocsr()                       # ZΛ
        ainv = fac.solve(np.eye(re.q))
        h = np.asarray(mmat.multiply(mmat @ ainv).sum(axis=1)).ravel()
        c = h * fam.weights_slope(eta)
        v = fac.solve(re.lzt(c))
        s_vec = -2.0 * r + c - w * re.zl(v)
        g_beta = self.x.T @ s_vec
        zs, zr = re.zt(s_vec), re.zt(r)
        rows = lmat.indices
        cols = np.repeat(np.arange(lmat.shape[1]), np.diff(lmat.indptr))
        b = ainv @ np.asarray(lmat.T.tocsr() @ fac.s.toarray())   # A⁻¹Λ'Z'WZ
        g_theta = (np.bincount(re._lind, zs[rows] * u[cols] + zr[rows] * v[cols],
                               minlength=self.ntheta)
                   + 2.0 * np.bincount(re._lind, b[cols, rows], minlength=self.ntheta))
        return np.concatenate([g_theta, g_beta])

    def agq(self, pars: np.ndarray, nodes: np.ndarray, weights: np.ndarray) -> float:
        """lme4's ``glmerAGQ`` deviance (one scalar term)."""
        theta, beta = pars[: self.ntheta], pars[self.ntheta:]
        u, fac, eta = self.modes(theta, beta)
        term = self.terms[0]
        codes, zcol = term.codes, term.cols[:, 0]
        m = term.m

        def devc(eta_: np.ndarray, u_: np.ndarray) -> np.ndarray:
            return u_**2 + np.bincount(codes, self.fam.dev_resid(eta_), minlength=m)

        devc0 = devc(eta, u)
        sd = 1.0 / np.sqrt(fac.diag)
        lam = float(theta[0])
        mult = np.zeros(m)
        for z, wk in zip(nodes, weights, strict=True):
            if abs(z) < 1e-12:
                mult += wk
                continue
            shift = z * sd
            eta_k = eta + lam * zcol * shift[codes]
            mult += np.exp(-0.5 * (devc(eta_k, u + shift) - devc0) + 0.5 * z * z) * wk
        return float(devc0.sum() + fac.logdet - 2.0 * np.log(mult).sum())

    def stage1(self, theta: np.ndarray, beta0: np.ndarray) -> tuple[float, np.ndarray]:
        """lme4's nAGQ = 0 criterion at θ: β and u found together by PIRLS."""
        self.re.set_theta(theta)
        x, fam, re = self.x, self.fam, self.re
        beta, u = beta0.copy(), self.u.copy()

        def pen(b: np.ndarray, v: np.ndarray) -> float:
            return fam.aic(x @ b + re.zl(v)) + float(v @ v)

        pdev = pen(beta, u)
        for _ in range(200):
            eta = x @ beta + re.zl(u)
            w, r = fam.weights_resid(eta)
            fac = re.factor(w)
            c = re.lzt(w[:, None] * x)
            ai_c = fac.solve(c)
            rhs_u = re.lzt(r) - u
            schur = x.T @ (w[:, None] * x) - c.T @ ai_c
            db = np.linalg.solve(schur, x.T @ r - c.T @ fac.solve(rhs_u))
            du = fac.solve(rhs_u - c @ db)
            size = max(np.abs(du).max(initial=0.0), np.abs(db).max())
            scale = max(1.0, np.abs(u).max(initial=0.0), np.abs(beta).max())
            step = 1.0
            for _half in range(40):
                pc = pen(beta + step * db, u + step * du)
                if pc <= pdev + 1e-13 * abs(pdev):
                    break
                step /= 2
            else:
                break
            beta, u, pdev = beta + step * db, u + step * du, pc
            if step * size < 1e-11 * scale:
                break
        self.u = u
        eta = x @ beta + re.zl(u)
        w, _ = fam.weights_resid(eta)
        return fam.aic(eta) + float(u @ u) + re.factor(w).logdet, beta


def _glm_start(x: np.ndarray, fam: _Family) -> np.ndarray:
    """Fixed effects of the GLM without random effects (IRLS), the start of stage 1."""
    if fam.name == "binomial":
        p = (fam.y + 0.5) / (fam.m + 1.0)
        eta = np.log(p / (1 - p))
    else:
        eta = np.log(fam.y + 0.5)
    beta = np.linalg.lstsq(x, eta, rcond=None)[0]
    for _ in range(50):
        eta = x @ beta
        w, r = fam.weights_resid(eta)
        step = np.linalg.solve(x.T @ (w[:, None] * x), x.T @ r)
        beta = beta + step
        if np.abs(step).max() < 1e-12 * max(1.0, np.abs(beta).max()):
            break
    return beta


def gauss_hermite(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of the n-point Gauss-Hermite rule for the standard normal."""
    z, w = np.polynomial.hermite_e.hermegauss(n)
    return z, w / np.sqrt(2 * np.pi)


def fit_glmm(y: np.ndarray, trials: np.ndarray, x: np.ndarray, terms: Sequence[RandomTerm],
             *, family: str = "binomial", n_agq: int = 1) -> GlmmFit:
    """Fit a GLMM by lme4's Laplace approximation (``n_agq=1``) or AGQ (``n_agq>1``)."""
    with one_blas_thread():
        return _fit_glmm(y, trials, x, terms, family=family, n_agq=n_agq)


def _fit_glmm(y: np.ndarray, trials: np.ndarray, x: np.ndarray, terms: Sequence[RandomTerm],
              *, family: str, n_agq: int) -> GlmmFit:
    model = _Glmm(y, trials, x, terms, family)
    beta0 = _glm_start(x, model.fam)
    lower = np.concatenate([model.lower_theta, np.full(model.p, -np.inf)])
    start = np.concatenate([model.start_theta, beta0])
    fun_grad = model.laplace_grad if model.has_gradient() else None
    if fun_grad is None:
        # lme4's first stage (its nAGQ = 0 fit: β found with the modes) for the start
        state = {"beta": beta0}

        def crit1(theta: np.ndarray) -> float:
            dev, beta = model.stage1(theta, state["beta"])
            state["beta"] = beta
            return dev

        theta1 = minimize_bounded(crit1, model.start_theta, model.lower_theta, polish=0,
                                  rough=True)[0]
        start = np.concatenate([theta1, model.stage1(theta1, state["beta"])[1]])
    crit = model.laplace
    if n_agq > 1:
        # the Laplace optimum (quick with its gradient) is a close start for AGQ
        start = minimize_bounded(crit, start, lower, fun_grad=fun_grad, polish=0,
                                 rough=True)[0]
        nodes, weights = gauss_hermite(n_agq)
        fun_grad = None

        def crit(pars: np.ndarray) -> float:
            return model.agq(pars, nodes, weights)

    # the polish differences use lme4's step (deriv12, 1e-4), so its last Hessian,
    # taken within one negligible Newton step of the optimum, is the one for vcov
    pars, dev, converged, hess = minimize_bounded(crit, start, lower, fun_grad=fun_grad,
                                                  step=1e-4)
    if hess is None:
        hess = deriv12(crit, pars, fx=dev)
    nt = model.ntheta
    try:
        inv = np.linalg.inv(hess)
        vcov = inv[nt:, nt:] + inv[nt:, nt:].T
    except np.linalg.LinAlgError:
        vcov = np.full((model.p, model.p), np.nan)
    theta, beta = pars[:nt], pars[nt:]
    u, fac, _ = model.modes(theta, beta)
    dev = float(crit(pars))
    return GlmmFit(beta=beta, vcov=vcov, theta=theta, deviance=dev, llf=-dev / 2,
                   n_agq=n_agq, family=family, n=model.n, p=model.p, u=u,
                   b=model.re.lam(u), cond_cov=model.re.cond_cov(fac), terms=list(terms),
                   lower=model.lower_theta, converged=converged,
                   extra={"hessian": hess})
