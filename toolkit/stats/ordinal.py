"""Ordered logit and probit regression: :func:`ologit`, with survey-design standard errors.

Newton's method on the analytic score and Hessian of the cumulative-link model;
design-based covariance from the linearisation engine (as R ``survey::svyolr``).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from toolkit._checks import require_columns
from toolkit._docs import renamed
from toolkit.stats._model_inputs import (
    alias_message,
    aliased_columns,
    caller_env,
    design_vcov,
    design_weights,
    frame_and_design,
    level_notes,
    prepare,
)
from toolkit.stats.results import ModelResult, ame_frame

__all__ = ["ologit"]

_LINKS = ("logit", "probit")


def _dist(x: np.ndarray, link: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CDF, density and derivative of the density of the latent error."""
    if link == "logit":
        cdf = special.expit(x)
        pdf = cdf * (1 - cdf)
        dpdf = pdf * (1 - 2 * cdf)
    else:
        cdf = special.ndtr(x)
        pdf = np.exp(-0.5 * np.where(np.isfinite(x), x, 0) ** 2) / np.sqrt(2 * np.pi)
        pdf = np.where(np.isfinite(x), pdf, 0.0)
        dpdf = np.where(np.isfinite(x), -np.where(np.isfinite(x), x, 0) * pdf, 0.0)
    return cdf, pdf, dpdf


class _Ordinal:
    """Log-likelihood of the cumulative-link model with analytic score and Hessian.

    Rows are sorted by outcome category so that each category is a slice.
    ``P(Y <= k) = F(theta_k - x'beta)``; parameters are ``(theta_1..theta_{K-1}, beta)``.
    """

    def __init__(self, y: np.ndarray, X: np.ndarray, w: np.ndarray, K: int, link: str) -> None:
        order = np.argsort(y, kind="stable")
        self.order = order
        self.y = y[order]
        self.X = np.ascontiguousarray(X[order])
        self.w = w[order]
        self.K = K
        self.link = link
        bounds = np.searchsorted(self.y, np.arange(K + 1))
        self.slices = [slice(bounds[k], bounds[k + 1]) for k in range(K)]

    def _pieces(self, params: np.ndarray):
        K = self.K
        theta = params[:K - 1]
        beta = params[K - 1:]
        eta = self.X @ beta
        ext = np.concatenate(([-np.inf], theta, [np.inf]))
        upper = ext[self.y + 1] - eta
        lower = ext[self.y] - eta
        Fu, fu, dfu = _dist(upper, self.link)
        Fl, fl, dfl = _dist(lower, self.link)
        if self.link == "logit":
            # P = F(u) - F(l) computed without cancellation near 1
            prob = np.where(lower > 0, special.expit(-lower) - special.expit(-upper), Fu - Fl)
        else:
            prob = np.where(lower > 0, special.ndtr(-lower) - special.ndtr(-upper), Fu - Fl)
        prob = np.maximum(prob, 1e-300)
        return eta, prob, fu / prob, fl / prob, dfu / prob, dfl / prob

    def loglike(self, params: np.ndarray) -> float:
        prob = self._pieces(params)[1]
        return float(np.dot(self.w, np.log(prob)))

    def derivatives(self, params: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        K, X, w = self.K, self.X, self.w
        _, prob, a, b, a2, b2 = self._pieces(params)
        ll = float(np.dot(w, np.log(prob)))
        m = K - 1
        p = X.shape[1]
        grad = np.zeros(m + p)
        hess = np.zeros((m + p, m + p))
        d = a - b
        grad[m:] = -(X.T @ (w * d))
        hb = w * ((a2 - b2) - d * d)
        hess[m:, m:] = X.T @ (X * hb[:, None])
        cu = w * (-a2 + a * d)      # d2/dtheta_upper dbeta = x * cu
        cl = w * (b2 - b * d)       # d2/dtheta_lower dbeta = x * cl
        for k, sl in enumerate(self.slices):
            if sl.stop == sl.start:
                continue
            if k <= K - 2:  # upper cut-point index k
                grad[k] += np.dot(w[sl], a[sl])
                hess[k, k] += np.dot(w[sl], a2[sl] - a[sl] ** 2)
                hess[k, m:] += X[sl].T @ cu[sl]
            if k >= 1:      # lower cut-point index k - 1
                grad[k - 1] -= np.dot(w[sl], b[sl])
                hess[k - 1, k - 1] += np.dot(w[sl], -b2[sl] - b[sl] ** 2)
                hess[k - 1, m:] += X[sl].T @ cl[sl]
            if 1 <= k <= K - 2:
                cross = np.dot(w[sl], a[sl] * b[sl])
                hess[k, k - 1] += cross
                hess[k - 1, k] += cross
        hess[m:, :m] = hess[:m, m:].T
        return ll, grad, hess

    def scores(self, params: np.ndarray) -> np.ndarray:
        """Per-row (unweighted) scores, in the caller's original row order."""
        K = self.K
        _, _, a, b, _, _ = self._pieces(params)
        m = K - 1
        S = np.zeros((len(self.y), m + self.X.shape[1]))
        rows = np.arange(len(self.y))
        up = self.y <= K - 2
        S[rows[up], self.y[up]] += a[up]
        lo = self.y >= 1
        S[rows[lo], self.y[lo] - 1] -= b[lo]
        S[:, m:] = -self.X * (a - b)[:, None]
        out = np.empty_like(S)
        out[self.order] = S
        return out

    def start(self) -> np.ndarray:
        counts = np.bincount(self.y, weights=self.w, minlength=self.K)
        cum = np.cumsum(counts)[:-1] / counts.sum()
        cum = np.clip(cum, 1e-6, 1 - 1e-6)
        theta = special.logit(cum) if self.link == "logit" else special.ndtri(cum)
        return np.concatenate([theta, np.zeros(self.X.shape[1])])

    def fit(self, *, tol: float = 1e-9, maxiter: int = 100) -> tuple[np.ndarray, float, np.ndarray,
                                                                      int]:
        params = self.start()
        ll, grad, hess = self.derivatives(params)
        m = self.K - 1
        for it in range(1, maxiter + 1):
            try:
                step = np.linalg.solve(-hess, grad)
            except np.linalg.LinAlgError:
                step = np.linalg.lstsq(-hess, grad, rcond=None)[0]
            t = 1.0
            while True:
                new = params + t * step
                if np.all(np.diff(new[:m]) > 0):
                    # full derivatives at the trial point: Newton steps are almost
                    # always accepted, so this saves a pass over the data
                    new_ll, new_grad, new_hess = self.derivatives(new)
                    if new_ll >= ll - 1e-10 * abs(ll):
                        break
                t /= 2
                if t < 1e-10:
                    new, new_ll, new_grad, new_hess = params, ll, grad, hess
                    break
            params, ll, grad, hess = new, new_ll, new_grad, new_hess
            if np.max(np.abs(step * t)) < tol or np.max(np.abs(grad)) < tol * max(1, abs(ll)):
                return params, ll, hess, it
        msg = ("The ordered model did not converge in "
               f"{maxiter} Newton steps; check for complete separation or empty categories.")
        raise RuntimeError(msg)


def _ordered_outcome(s: pd.Series) -> tuple[np.ndarray, list[str], list[str]]:
    """Integer codes 0..K-1 of an ordinal outcome, its labels, and dropped empty categories."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        if not s.cat.ordered:
            msg = (f"The outcome `{s.name}` is an unordered categorical; its order is unknown. "
                   "Make it ordered (`.cat.as_ordered()` with the categories in order).")
            raise TypeError(msg)
        present = s.cat.remove_unused_categories()
        dropped = [str(c) for c in s.cat.categories if c not in set(present.cat.categories)]
        return present.cat.codes.to_numpy().astype(np.int64), [str(c) for c in
                                                               present.cat.categories], dropped
    if str(s.dtype) == "boolean" or pd.api.types.is_bool_dtype(s.dtype):
        s = s.astype("Float64").astype("float64")
    if not pd.api.types.is_numeric_dtype(s.dtype):
        msg = (f"The outcome `{s.name}` holds {s.dtype} values without an order. Use an "
               "ordered categorical or numeric codes.")
        raise TypeError(msg)
    values = np.sort(s.unique())
    codes = np.searchsorted(values, s.to_numpy())
    labels = [f"{v:g}" if isinstance(v, float) else str(v) for v in values]
    return codes.astype(np.int64), labels, []


@renamed(weight="weights")
def ologit(
    formula: str,
    data: Any,
    *,
    link: str = "logit",
    design: Any = None,
    weights: str | None = None,
) -> ModelResult:
    r"""Ordered logit (proportional odds) or ordered probit regression.

    Parameters
    ----------
    formula : str
        ``"outcome ~ predictors"`` (patsy syntax). The outcome's order is the
        category order of an ordered categorical, or the order of numeric codes.
        The model has cut-points instead of an intercept; the intercept of the
        formula's design is dropped, so categorical predictors are coded against
        their first category as usual.
    data : pandas.DataFrame or Study
        The table to use, or a Study whose ``survey`` table is used.
    link : {"logit", "probit"}, default "logit"
        Distribution of the latent error.
    design : Design or True, optional
        A survey design (``tk.stats.Design``; ``True`` with a Study uses
        ``study.design``): design-weighted estimates with linearisation
        (sandwich) standard errors over strata, first-stage clusters and fpc,
        as R ``survey::svyolr``.
    weights : str, optional
        Column of **frequency** weights (case counts, like ``weights = Freq`` in
        ``MASS::polr``): the likelihood counts each row `weights` times and ``n``
        is their sum (``weight=`` is its deprecated spelling). Survey weights
        belong in `design`, whose standard errors are design-based; frequency
        weights give model-based (information) SEs.

    Returns
    -------
    ModelResult
        ``.to_frame()``: coefficients (``kind="coefficient"``, with
        ``odds_ratio, or_ci_low, or_ci_high`` for the logit link) followed by the
        cut-points (``kind="cut-point"``, named ``Low|Medium``), with ``se, z,
        p_value, ci_low, ci_high``. ``llf``, ``deviance`` (-2 llf), ``aic``,
        ``bic``, ``pseudo_r2`` (McFadden, against the cut-points-only model).
        ``.marginal_effects()`` gives the average change in the probability of
        each outcome category per unit of each term. ``.model_result`` builds,
        on first access, statsmodels' ``OrderedModel`` results at this solution
        (unweighted fits only; it uses numerical derivatives and is slow on large
        data); ``None`` for weighted or design fits.

    Raises
    ------
    TypeError
        For an outcome without an order.
    ValueError
        For an unknown `link` or a formula without intercept.
    RuntimeError
        When Newton's method does not converge.

    Notes
    -----
    :math:`P(Y_i \le k) = F(\theta_k - x_i^T\beta)` with :math:`F` the logistic
    or normal CDF (the sign convention of ``MASS::polr`` and Stata ``ologit``;
    positive :math:`\beta` moves cases to higher categories). The log-likelihood
    :math:`\sum_i w_i \log[F(\theta_{y_i} - \eta_i) - F(\theta_{y_i-1} - \eta_i)]`
    is maximised by Newton's method with the analytic score and Hessian, started
    at the cut-points of the null model. Model-based covariance is the inverse
    observed information; design-based covariance is
    :math:`H^{-1} B H^{-1}` with :math:`B` the design covariance of the score
    totals. Empty outcome categories are dropped (noted in the summary).

    References
    ----------
    Venables, W. N. & Ripley, B. D. (2002). *Modern Applied Statistics with S*,
    4th ed., Springer, section 7.3 (the ``housing`` example used in the tests).
    McCullagh, P. (1980). Regression models for ordinal data. *JRSS B* 42, 109-142.

    Examples
    --------
    >>> d = pd.DataFrame({"sat": pd.Categorical(
    ...     ["low", "mid", "high", "mid", "low", "high", "high", "mid", "low", "mid"],
    ...     categories=["low", "mid", "high"], ordered=True),
    ...     "x": [0.1, 0.5, 1.8, 0.9, 0.4, 1.2, 2.0, 0.3, 0.8, 1.1]})
    >>> fit = tk.stats.ologit("sat ~ x", d)
    >>> fit.to_frame()[["term", "kind", "estimate"]].round(2)
           term         kind  estimate
    0         x  coefficient      4.94
    1   low|mid    cut-point      2.31
    2  mid|high    cut-point      6.11
    """
    import patsy

    env = caller_env()
    weight = weights
    if link not in _LINKS:
        msg = f"Unknown `link` {link!r}; use 'logit' or 'probit'."
        raise ValueError(msg)
    frame, design = frame_and_design(data, design, where="tk.stats.ologit")
    prepared = prepare(frame, formula, outcome_numeric=False)
    lhs, rhs = (part.strip() for part in formula.split("~", 1))
    require_columns(frame, {"weights": weight})
    if weight is not None:
        prepared[weight] = pd.to_numeric(frame[weight])
    keep = prepared[lhs].notna()
    if weight is not None:
        keep &= prepared[weight].notna()
    sub = prepared[keep]
    X = patsy.dmatrix(rhs, sub, return_type="dataframe", NA_action="drop",
                      eval_env=patsy.EvalEnvironment([env]))
    if "Intercept" not in X.columns:
        msg = ("An ordered model has cut-points instead of an intercept; write the formula "
               "with its intercept (no '- 1' or '0 +').")
        raise ValueError(msg)
    sub = sub.loc[X.index]
    y, labels, empty = _ordered_outcome(sub[lhs])
    K = len(labels)
    if K < 2:
        msg = f"The outcome `{lhs}` has fewer than two observed categories."
        raise ValueError(msg)
    w = np.ones(len(sub)) if weight is None else sub[weight].to_numpy(dtype=float)
    if design is not None:
        w = w * design_weights(design, frame.index)[frame.index.get_indexer(sub.index)]
    formula_terms = {t: list(X.columns[sl]) for t, sl in
                     X.design_info.term_name_slices.items() if t != "Intercept"}
    X = X.drop(columns="Intercept")
    # R svyolr: "design appears to be rank-deficient, so dropping some coefs"
    drop = aliased_columns(X.to_numpy(dtype=float), weights=w, intercept=True)
    dropped = [str(X.columns[j]) for j in drop]
    notes = level_notes(prepared)
    if dropped:
        msg = alias_message(dropped)
        warnings.warn(msg, UserWarning, stacklevel=2)
        notes.append(msg)
        X = X.drop(columns=dropped)
    formula_terms = {t: [c for c in cs if c not in dropped] for t, cs in formula_terms.items()}
    Xv = X.to_numpy(dtype=float)
    model = _Ordinal(y, Xv, w, K, link)
    ll0 = model.loglike(model.start())
    params, ll, hess, _ = model.fit()
    info_inv = np.linalg.inv(-hess)
    m = K - 1
    cut_names = [f"{labels[k]}|{labels[k + 1]}" for k in range(m)]
    names = list(X.columns) + cut_names
    reorder = list(range(m, m + Xv.shape[1])) + list(range(m))
    est = params[reorder]
    if empty:
        notes.append(f"Empty outcome categories dropped: {', '.join(empty)}.")
    if design is None:
        cov = info_inv[np.ix_(reorder, reorder)]
        df = None
        cov_type = "model"
        n = round(float(w.sum())) if weight is not None else len(sub)
        k = len(params)
        stats_ = {"llf": ll, "deviance": -2 * ll, "aic": -2 * ll + 2 * k,
                  "bic": -2 * ll + k * np.log(n), "pseudo_r2": 1 - ll / ll0}
    else:
        scores = model.scores(params) * w[:, None]
        fw = None if weight is None else sub[weight].to_numpy(dtype=float)

        def refit(wr: np.ndarray) -> np.ndarray:  # replicate-weight designs (R svyolr)
            return _Ordinal(y, Xv, wr if fw is None else wr * fw, K, link).fit()[0]

        # R svyolr: the design without the rows left out, df = degf - coefficients
        vcov, degf = design_vcov(design, frame.index, sub.index, scores @ info_inv,
                                 refit=refit, estimate=params)
        cov = vcov[np.ix_(reorder, reorder)]
        df = float(max(degf - Xv.shape[1], 1))
        cov_type = "design"
        n = len(sub)
        stats_ = {}
        notes.append("Standard errors: "
                     + getattr(design, "variance_note",
                               "Taylor linearisation of the survey design") + ".")
    index = pd.Index(names)
    kind = pd.Series(["coefficient"] * Xv.shape[1] + ["cut-point"] * m, index=index)
    params_s = pd.Series(est, index=index)
    cov_df = pd.DataFrame(cov, index=index, columns=index)
    terms = list(X.columns)
    p_count = Xv.shape[1]
    Xs, ws = model.X, model.w

    def ame() -> pd.DataFrame:
        def func(b: np.ndarray) -> np.ndarray:
            beta, theta = b[:p_count], b[p_count:]
            eta = Xs @ beta
            dens = np.array([np.dot(ws, _dist(theta[c] - eta, link)[1]) for c in range(m)])
            dens /= ws.sum()
            mpad = np.concatenate(([0.0], dens, [0.0]))
            # dP(Y=k)/dx_j = beta_j * (f(theta_{k-1} - eta) - f(theta_k - eta))
            return np.concatenate([beta * (mpad[k] - mpad[k + 1]) for k in range(K)])

        return ame_frame(terms, func, est, cov, outcome=labels)

    raw = None
    if design is None and weight is None:
        def raw() -> Any:
            from statsmodels.miscmodels.ordinal_model import OrderedModel
            from statsmodels.tools.sm_exceptions import ConvergenceWarning

            endog = pd.Series(pd.Categorical.from_codes(y, labels, ordered=True), index=X.index)
            om = OrderedModel(endog, X, distr="logit" if link == "logit" else "probit")
            theta = params[:m]
            start = np.concatenate([params[m:], [theta[0]], np.log(np.diff(theta))])
            with warnings.catch_warnings():
                # evaluated at the optimum found above: zero iterations are intended
                warnings.simplefilter("ignore", ConvergenceWarning)
                return om.fit(start_params=start, method="bfgs", maxiter=0, disp=False)

    return ModelResult(None, params=params_s, cov=cov_df, kind=kind, df_resid=df, n=n,
                       model=f"Ordered {link}", formula=formula, cov_type=cov_type,
                       stats=stats_, exponentiate=link == "logit", ame=ame, raw=raw,
                       notes=notes, terms={t: c for t, c in formula_terms.items() if c})

