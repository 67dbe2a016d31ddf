"""Regression models: GLMs with survey-design standard errors, ordered logit/probit, multilevel.

All three functions take a formula and a DataFrame or Study (its ``survey`` table)
and return a :class:`toolkit.stats.results.ModelResult`; the statsmodels fit is
one attribute away (``.model_result``).
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from toolkit._values import as_numeric
from toolkit.errors import ColumnNotFoundError, DesignError
from toolkit.stats.results import ModelResult, ame_frame

__all__ = ["multilevel", "ologit", "regress"]

_FAMILIES = ("gaussian", "binomial", "poisson", "negbin")
_LINKS = ("logit", "probit")


# ---------------------------------------------------------------------------
# inputs
# ---------------------------------------------------------------------------


def _caller_env() -> dict[str, Any]:
    """Namespace of the code calling a public model function (functions used in formulas)."""
    import sys

    frame = sys._getframe(2)
    env = dict(frame.f_globals)
    env.update(frame.f_locals)
    return env


def _is_study(obj: Any) -> bool:
    return hasattr(obj, "tables") and hasattr(obj, "table") and hasattr(obj, "design_spec")


def _formula_names(formula: str, re_formula: str | None, frame: pd.DataFrame) -> set[str]:
    """Columns of `frame` named in the formulas (whole-word matches)."""
    text = formula + " " + (re_formula or "")
    return {c for c in frame.columns if re.search(rf"(?<![\w.]){re.escape(str(c))}(?![\w.])",
                                                   text)}


def _frame_and_design(data: Any, design: Any) -> tuple[pd.DataFrame, Any]:
    """The survey frame and the Design object (``design=True`` takes ``study.design``)."""
    if _is_study(data):
        frame = data.table("survey")
        if design is True:
            design = data.design
    elif isinstance(data, pd.DataFrame):
        frame = data
        if design is True:
            msg = ("`design=True` needs a Study (it uses `study.design`); with a DataFrame "
                   "pass `design=tk.stats.Design(data, weights=..., strata=..., cluster=...)`.")
            raise DesignError(msg)
    else:
        msg = (f"`data` must be a pandas DataFrame or a Study, not {type(data).__name__}.")
        raise TypeError(msg)
    if design is False:
        design = None
    return frame, design


def _names_in(formula: str, columns: pd.Index) -> list[str]:
    """Columns of the frame whose names occur as identifiers in `formula`."""
    tokens = set(re.findall(r"[^\W\d][\w.]*", formula)) | set(re.findall(r"Q\(['\"](.+?)['\"]\)",
                                                                       formula))
    return [c for c in columns if str(c) in tokens]


def _prepare(frame: pd.DataFrame, formula: str, *, outcome_numeric: bool) -> pd.DataFrame:
    """Copy of the formula's columns in types patsy understands.

    Nullable booleans become 0/1 floats, pandas string columns object, and (when
    `outcome_numeric`) a categorical outcome its numeric codes via ``as_numeric``.
    """
    if "~" not in formula:
        msg = f"`formula` must have an outcome, e.g. 'y ~ x'; got {formula!r}."
        raise ValueError(msg)
    lhs = formula.split("~", 1)[0].strip()
    used = _names_in(formula, frame.columns)
    if lhs and lhs not in frame.columns and not re.search(r"\W", lhs):
        import difflib

        close = difflib.get_close_matches(lhs, [str(c) for c in frame.columns], n=3)
        hint = f" Did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""
        msg = (f"The outcome `{lhs}` of `formula` is not a column of `data`.{hint} "
               f"Available: {list(frame.columns)}.")
        raise ColumnNotFoundError(msg)
    out = {}
    for col in used:
        s = frame[col]
        if col == lhs and outcome_numeric and (
            isinstance(s.dtype, pd.CategoricalDtype) or str(s.dtype) == "boolean"
            or pd.api.types.is_bool_dtype(s.dtype)
        ):
            s = as_numeric(s)
        elif str(s.dtype) == "boolean" or pd.api.types.is_bool_dtype(s.dtype):
            s = s.astype("Float64").astype("float64")
        elif isinstance(s.dtype, pd.CategoricalDtype):
            pass
        elif pd.api.types.is_string_dtype(s.dtype) and not pd.api.types.is_object_dtype(s.dtype):
            s = s.astype(object).where(s.notna(), None)
        elif (isinstance(s.dtype, pd.api.extensions.ExtensionDtype)
              and pd.api.types.is_numeric_dtype(s.dtype)):
            s = s.astype("float64")
        out[col] = s
    return pd.DataFrame(out, index=frame.index)


# ---------------------------------------------------------------------------
# design-based variance (Taylor linearisation)
# ---------------------------------------------------------------------------


def _design_struct(design: Any, index: pd.Index) -> dict[str, Any]:
    """Weights and PSU/stratum structure of a Design, aligned to the rows `index`.

    Uses the structure ``tk.stats.Design`` computed (so its ``lonely_psu`` rule
    applies); any object with ``data, weights, strata, cluster, fpc`` (column
    names) also works, with R's default ``lonely_psu="fail"``.
    """
    ddata = getattr(design, "data", None)
    if ddata is None:
        msg = "`design` must be a tk.stats.Design (or True with a Study)."
        raise DesignError(msg)
    if not ddata.index.equals(index):
        msg = ("The rows of `data` are not the rows of the design's data. Pass the design's "
               "own data frame, or a Study with `design=True`.")
        raise DesignError(msg)
    if not hasattr(design, "_psu"):
        from toolkit.stats.design import Design

        design = Design(ddata, weights=design.weights, strata=design.strata,
                        cluster=design.cluster, fpc=design.fpc)
    ok = ~np.asarray(design._lonely) if design.lonely_psu == "average" else None
    return {"weights": np.asarray(design._w, dtype=float), "psu": np.asarray(design._psu),
            "psu_stratum": np.asarray(design._psu_stratum), "scale": np.asarray(design._scale),
            "centre": np.asarray(design._centre), "degf": int(design.degf), "average_ok": ok}


def design_vcov_totals(u: np.ndarray, struct: dict[str, Any]) -> np.ndarray:
    r"""Linearisation covariance of the column totals of `u` under a survey design.

    Parameters
    ----------
    u : ndarray, shape (n, p)
        Weighted influence values, one row per row of the design's data (zero
        for rows outside the estimation sample: domain estimation as R does).
    struct : dict
        From ``_design_struct``: PSU of each row, stratum of each PSU, and the
        per-stratum factors ``scale`` = (1 - f_h) n_h / (n_h - 1) and
        ``centre`` = 1 / n_h of ``tk.stats.Design``.

    Returns
    -------
    ndarray
        The p x p covariance.

    Notes
    -----
    As R ``survey::svyrecvar`` with first-stage clusters:
    :math:`V = \sum_h (1-f_h) \frac{n_h}{n_h-1} \sum_c (z_{hc}-\bar z_h)(z_{hc}-\bar z_h)^T`
    with :math:`z_{hc}` the PSU totals of `u`.
    """
    psu, psu_stratum = struct["psu"], struct["psu_stratum"]
    n_psu = len(psu_stratum)
    n_str = len(struct["scale"])
    p = u.shape[1]
    z = np.column_stack([np.bincount(psu, weights=u[:, j], minlength=n_psu) for j in range(p)])
    s = np.column_stack([np.bincount(psu_stratum, weights=z[:, j], minlength=n_str)
                         for j in range(p)])
    scale, centre = struct["scale"], struct["centre"]
    ok = struct.get("average_ok")
    if ok is not None:
        keep_psu = ok[psu_stratum]
        z = z[keep_psu]
        psu_stratum = psu_stratum[keep_psu]
        s = s * ok[:, None]
    zs = z * np.sqrt(scale[psu_stratum])[:, None]
    ss = s * np.sqrt(scale * centre)[:, None]
    vcov = zs.T @ zs - ss.T @ ss
    if ok is not None:
        vcov *= n_str / max(int(ok.sum()), 1)
    return vcov


# ---------------------------------------------------------------------------
# regress
# ---------------------------------------------------------------------------


def _glm_family(family: str):
    import statsmodels.api as sm

    return {"gaussian": sm.families.Gaussian(), "binomial": sm.families.Binomial(),
            "poisson": sm.families.Poisson()}[family]


def _mean_derivs(family: str, eta: np.ndarray) -> np.ndarray:
    """Derivative d mu / d eta of the canonical link of `family`."""
    if family == "gaussian":
        return np.ones_like(eta)
    if family == "binomial":
        p = special.expit(eta)
        return p * (1 - p)
    return np.exp(eta)


def _ame_glm(res_terms: list[str], exog: np.ndarray, weights: np.ndarray, family: str,
             params: np.ndarray, cov: np.ndarray) -> pd.DataFrame:
    keep = [i for i, t in enumerate(res_terms) if t != "Intercept"]
    wsum = weights.sum()

    def func(b: np.ndarray) -> np.ndarray:
        scale = np.dot(weights, _mean_derivs(family, exog @ b)) / wsum
        return scale * b[keep]

    return ame_frame([res_terms[i] for i in keep], func, params, cov)


def regress(
    formula: str,
    data: Any,
    *,
    family: str = "gaussian",
    design: Any = None,
    cluster: str | None = None,
    weight: str | None = None,
) -> ModelResult:
    r"""Linear, logistic, Poisson or negative-binomial regression from a formula.

    Parameters
    ----------
    formula : str
        Model formula (patsy syntax, as statsmodels): ``"y ~ x + C(group)"``.
        Categorical columns become dummies against their first category. An
        ordered-categorical or boolean outcome is turned into its numeric codes
        (``toolkit._values.as_numeric``).
    data : pandas.DataFrame or Study
        The table to use, or a Study whose ``survey`` table is used.
    family : {"gaussian", "binomial", "poisson", "negbin"}, default "gaussian"
        Outcome distribution (canonical links: identity, logit, log, log).
    design : Design or True, optional
        A survey design (``tk.stats.Design``), or ``True`` with a Study to use
        ``study.design``. Point estimates are design-weighted and standard errors
        design-based (linearisation with strata, first-stage clusters and fpc),
        as R ``survey::svyglm``.
    cluster : str, optional
        Column of cluster ids: cluster-robust (sandwich) standard errors without
        a design. Rows with a missing cluster id are not used.
    weight : str, optional
        Column of frequency weights (each row stands for `weight` identical
        cases). Not survey weights: use `design` for those.

    Returns
    -------
    ModelResult
        ``.to_frame()`` gives ``term, kind, estimate, se, t|z, p_value, ci_low,
        ci_high`` (+ ``odds_ratio, or_ci_low, or_ci_high`` for binomial, Poisson
        and negbin fits: exp of the estimates, odds or rate ratios);
        ``.model_result`` is the statsmodels results object; ``n``, ``llf``,
        ``aic``, ``bic``, ``r2`` (gaussian) or ``pseudo_r2`` (McFadden).

    Raises
    ------
    ColumnNotFoundError
        When the outcome is not a column.
    DesignError
        For an inconsistent design (missing weights, single-PSU stratum).
    ValueError
        For an unknown `family`, or `design` with `cluster`.

    Notes
    -----
    Design-based fits solve the weighted score equations
    :math:`\sum_i w_i x_i (y_i - \mu_i) = 0` and estimate
    :math:`V = A^{-1} B A^{-1}` with :math:`A` the weighted information and
    :math:`B` the design covariance of the score totals; tests use Student t
    with (PSUs - strata - parameters + 1) degrees of freedom, as ``svyglm``.
    ``.model_result`` is then the design-weighted statsmodels GLM, whose own
    standard errors are *not* design-based; the table uses ``.cov``. The
    likelihood statistics (llf, AIC, BIC) are not defined for design fits and
    are NaN. A negative-binomial model with a design is not offered: the
    design-based Poisson fit is consistent under overdispersion.

    References
    ----------
    Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.
    Test values: R ``survey`` regression example,
    http://r-survey.r-forge.r-project.org/survey/example-regression.html.

    Examples
    --------
    >>> d = pd.DataFrame({"y": [0, 0, 1, 0, 1, 1, 1, 0],
    ...                   "x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 2.5]})
    >>> fit = tk.stats.regress("y ~ x", d, family="binomial")
    >>> fit.to_frame()[["term", "estimate", "odds_ratio"]].round(2)
            term  estimate  odds_ratio
    0  Intercept     -5.16        0.01
    1          x      1.41        4.10
    """
    import statsmodels.formula.api as smf

    env = _caller_env()
    if family not in _FAMILIES:
        msg = f"Unknown `family` {family!r}; use one of {', '.join(_FAMILIES)}."
        raise ValueError(msg)
    frame, design = _frame_and_design(data, design)
    if design is not None and cluster is not None:
        msg = ("Give either `design` (its clusters are used) or `cluster`, not both.")
        raise ValueError(msg)
    prepared = _prepare(frame, formula, outcome_numeric=True)
    for col in (cluster, weight):
        if col is not None:
            if col not in frame.columns:
                msg = f"Column `{col}` is not in `data`. Available: {list(frame.columns)}."
                raise ColumnNotFoundError(msg)
            prepared[col] = frame[col]
    if cluster is not None:
        prepared = prepared[prepared[cluster].notna()]
    exponentiate = family != "gaussian"
    label = {"gaussian": "OLS", "binomial": "Logit", "poisson": "Poisson",
             "negbin": "Negative binomial"}[family]

    if design is not None:
        return _regress_design(formula, prepared, frame.index, design, family, weight, label,
                               env)

    fw = None if weight is None else pd.to_numeric(prepared[weight]).to_numpy(dtype=float)
    if family == "gaussian" and fw is None:
        model = smf.ols(formula, prepared, eval_env=env)
    elif family == "negbin":
        if fw is not None:
            msg = ("`weight` is not supported with family='negbin'; use 'poisson' with "
                   "frequency weights, or expand the rows.")
            raise ValueError(msg)
        model = smf.negativebinomial(formula, prepared, eval_env=env)
    else:
        kw = {} if fw is None else {"freq_weights": prepared[weight]}
        model = smf.glm(formula, prepared, family=_glm_family(family), eval_env=env, **kw)
    fit_kw: dict[str, Any] = {}
    if cluster is not None:
        rows = model.data.row_labels
        groups = pd.factorize(prepared.loc[rows, cluster].astype(object))[0]
        fit_kw = {"cov_type": "cluster", "cov_kwds": {"groups": groups}}
    if family == "negbin":
        fit_kw["disp"] = False
    res = model.fit(**fit_kw)
    params = res.params
    cov = res.cov_params()
    kind = pd.Series("coefficient", index=params.index)
    if family == "negbin":
        kind["alpha"] = "variance"
    rows_used = model.data.row_labels
    wts = (np.ones(len(rows_used)) if fw is None
           else prepared.loc[rows_used, weight].to_numpy(dtype=float))
    n = len(rows_used) if fw is None else round(float(wts.sum()))
    # computed on first access (the pseudo R2 of a GLM refits the null model)
    stats_: dict[str, Any] = {"llf": lambda: res.llf, "aic": lambda: res.aic,
                              "bic": lambda: res.bic}
    if family == "gaussian" and fw is None:
        stats_["r2"] = lambda: res.rsquared
    elif family == "gaussian":
        def r2() -> float:
            y, fitted = np.asarray(model.endog), np.asarray(res.fittedvalues)
            ybar = np.average(y, weights=wts)
            return 1 - np.sum(wts * (y - fitted) ** 2) / np.sum(wts * (y - ybar) ** 2)

        stats_["r2"] = r2
    elif family == "negbin":
        stats_["pseudo_r2"] = lambda: res.prsquared
    else:
        stats_["pseudo_r2"] = lambda: res.pseudo_rsquared(kind="mcf")
        stats_["deviance"] = lambda: res.deviance
    # t tests for linear models (for frequency weights df = sum of weights - p)
    df = float(res.df_resid) if family == "gaussian" and cluster is None else None
    terms = list(params.index)
    exog = np.asarray(model.exog, dtype=float)
    mean_family = "poisson" if family == "negbin" else family
    beta_idx = [i for i, t in enumerate(terms) if t != "alpha"]
    p_beta = params.to_numpy()[beta_idx]
    c_beta = cov.to_numpy()[np.ix_(beta_idx, beta_idx)]

    def ame() -> pd.DataFrame:
        return _ame_glm([terms[i] for i in beta_idx], exog, wts, mean_family, p_beta, c_beta)

    return ModelResult(res, params=params, cov=cov, kind=kind, df_resid=df, n=n, model=label,
                       formula=formula, cov_type="cluster" if cluster else "model",
                       stats=stats_, exponentiate=exponentiate, ame=ame)


def _regress_design(formula: str, prepared: pd.DataFrame, full_index: pd.Index, design: Any,
                    family: str, weight: str | None, label: str, env: Any) -> ModelResult:
    import statsmodels.formula.api as smf

    if family == "negbin":
        msg = ("family='negbin' with a `design` is not offered; use family='poisson': its "
               "design-based standard errors are valid under overdispersion.")
        raise ValueError(msg)
    parts = _design_struct(design, full_index)
    w_full = parts["weights"].copy()
    if weight is not None:
        w_full = w_full * pd.to_numeric(prepared[weight]).reindex(full_index).to_numpy(float)
    prepared = prepared.assign(_design_w=w_full)
    model = smf.glm(formula, prepared, family=_glm_family(family),
                    var_weights=prepared["_design_w"], eval_env=env)
    res = model.fit()
    rows = model.data.row_labels
    pos = full_index.get_indexer(rows)
    score = model.score_obs(res.params.to_numpy(), scale=1.0)
    bread = np.asarray(res.normalized_cov_params)
    u = np.zeros((len(full_index), score.shape[1]))
    u[pos] = score @ bread
    vcov = design_vcov_totals(u, parts)
    degf = parts["degf"]
    params = res.params
    cov = pd.DataFrame(vcov, index=params.index, columns=params.index)
    df = max(degf - len(params) + 1, 1)
    exog = np.asarray(model.exog, dtype=float)
    w = w_full[pos]
    stats_: dict[str, float] = {}
    if family == "gaussian":
        y = np.asarray(model.endog, dtype=float)
        fitted = exog @ params.to_numpy()
        ybar = np.average(y, weights=w)
        stats_["r2"] = float(1 - np.sum(w * (y - fitted) ** 2) / np.sum(w * (y - ybar) ** 2))
    terms = list(params.index)
    p_arr, c_arr = params.to_numpy(), cov.to_numpy()

    def ame() -> pd.DataFrame:
        return _ame_glm(terms, exog, w, family, p_arr, c_arr)

    return ModelResult(res, params=params, cov=cov, df_resid=float(df), n=len(rows),
                       model=f"{label} (design-weighted)", formula=formula, cov_type="design",
                       stats=stats_, exponentiate=family != "gaussian", ame=ame,
                       notes=["Standard errors: Taylor linearisation of the survey design; "
                              f"t tests with {df} degrees of freedom."])


# ---------------------------------------------------------------------------
# ordered logit / probit
# ---------------------------------------------------------------------------


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


def ologit(
    formula: str,
    data: Any,
    *,
    link: str = "logit",
    design: Any = None,
    weight: str | None = None,
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
    weight : str, optional
        Column of **frequency** weights (case counts, like ``weights = Freq`` in
        ``MASS::polr``): the likelihood counts each row `weight` times and ``n``
        is their sum. Survey weights belong in `design`, whose standard errors
        are design-based; frequency weights give model-based (information) SEs.

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

    env = _caller_env()
    if link not in _LINKS:
        msg = f"Unknown `link` {link!r}; use 'logit' or 'probit'."
        raise ValueError(msg)
    frame, design = _frame_and_design(data, design)
    prepared = _prepare(frame, formula, outcome_numeric=False)
    lhs, rhs = (part.strip() for part in formula.split("~", 1))
    if weight is not None:
        if weight not in frame.columns:
            msg = (f"Column `{weight}` (`weight`) is not in `data`. "
                   f"Available: {list(frame.columns)}.")
            raise ColumnNotFoundError(msg)
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
    X = X.drop(columns="Intercept")
    sub = sub.loc[X.index]
    y, labels, dropped = _ordered_outcome(sub[lhs])
    K = len(labels)
    if K < 2:
        msg = f"The outcome `{lhs}` has fewer than two observed categories."
        raise ValueError(msg)
    w = np.ones(len(sub)) if weight is None else sub[weight].to_numpy(dtype=float)
    parts = None
    if design is not None:
        parts = _design_struct(design, frame.index)
        pos = frame.index.get_indexer(sub.index)
        w = w * parts["weights"][pos]
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
    notes = []
    if dropped:
        notes.append(f"Empty outcome categories dropped: {', '.join(dropped)}.")
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
        u = np.zeros((len(frame), len(params)))
        u[frame.index.get_indexer(sub.index)] = scores @ info_inv
        vcov = design_vcov_totals(u, parts)
        cov = vcov[np.ix_(reorder, reorder)]
        df = float(max(parts["degf"] - len(params) + 1, 1))
        cov_type = "design"
        n = len(sub)
        stats_ = {}
        notes.append("Standard errors: Taylor linearisation of the survey design.")
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
                       notes=notes)


# ---------------------------------------------------------------------------
# multilevel
# ---------------------------------------------------------------------------


def multilevel(
    formula: str,
    data: Any,
    *,
    group: str,
    re_formula: str | None = None,
    reml: bool = True,
) -> ModelResult:
    r"""Linear mixed model: random intercepts (and optionally slopes) by group.

    Parameters
    ----------
    formula : str
        Fixed part, ``"y ~ x"`` (patsy syntax).
    data : pandas.DataFrame or Study
        The table to use, or a Study whose ``survey`` table is used.
    group : str
        Column of the grouping units (e.g. community), one random effect per unit.
    re_formula : str, optional
        Random part, e.g. ``"~Days"`` for a random intercept and a random slope of
        ``Days`` (lme4 ``(Days | Subject)``). Default: random intercept only.
    reml : bool, default True
        Restricted maximum likelihood (lme4's default); False for ML.

    Returns
    -------
    ModelResult
        ``.to_frame()``: fixed effects (``kind="coefficient"``, z tests as in
        statsmodels) followed by the variance components (``kind="variance"``):
        ``var(<effect>|<group>)`` for each random effect, ``cov(<a>,<b>|<group>)``
        for each pair, and ``var(Residual)``; their ``estimate`` is the variance
        or covariance and ``se`` etc. are NaN. ``.model_result`` is the
        statsmodels ``MixedLMResults``.

    Raises
    ------
    ColumnNotFoundError
        When `group` is not a column.

    Notes
    -----
    :math:`y_{ij} = x_{ij}^T\beta + z_{ij}^T b_j + e_{ij}`,
    :math:`b_j \sim N(0, \Psi)`, :math:`e_{ij} \sim N(0, \sigma^2)`, fitted by
    statsmodels ``MixedLM``. Variance components are reported on the variance
    scale (lme4 ``VarCorr(fit)`` prints their square roots as ``Std.Dev.``).

    References
    ----------
    Bates, D. et al. (2015). Fitting linear mixed-effects models using lme4.
    *J. Stat. Softw.* 67(1). The ``sleepstudy`` values in the tests are lme4's
    printed output of ``lmer(Reaction ~ Days + (Days | Subject), sleepstudy)``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> g = np.repeat(np.arange(8), 6)
    >>> x = np.tile(np.arange(6.0), 8)
    >>> y = 2 + 0.5 * x + rng.normal(0, 1, 8)[g] + rng.normal(0, 0.5, 48)
    >>> d = pd.DataFrame({"y": y, "x": x, "g": g})
    >>> fit = tk.stats.multilevel("y ~ x", d, group="g")
    >>> fit.to_frame()["kind"].tolist()
    ['coefficient', 'coefficient', 'variance', 'variance']
    """
    import statsmodels.formula.api as smf

    env = _caller_env()
    frame, _ = _frame_and_design(data, None)
    if group not in frame.columns:
        msg = f"Column `{group}` (`group`) is not in `data`. Available: {list(frame.columns)}."
        raise ColumnNotFoundError(msg)
    prepared = _prepare(frame, formula + (" + " + re_formula.lstrip("~") if re_formula else ""),
                        outcome_numeric=True)
    prepared[group] = frame[group].astype(object)
    prepared = prepared[prepared[group].notna()]
    # MixedLM refuses missing values; use complete cases of the model's variables, as
    # lme4 does (na.omit), and say how many rows that left out.
    used = [c for c in prepared.columns if c in _formula_names(formula, re_formula, prepared)]
    complete = prepared[used].notna().all(axis=1)
    n_left_out = int((~complete).sum()) + int(len(frame) - len(prepared))
    prepared = prepared[complete]
    model = smf.mixedlm(formula, prepared, groups=group, re_formula=re_formula, eval_env=env)
    res = model.fit(reml=reml)
    fe = res.fe_params
    cov = res.cov_params().loc[fe.index, fe.index]
    re_cov = res.cov_re
    names = [("Intercept" if n in ("Group", "Intercept", group) else str(n)) for n in re_cov.index]
    rows = []
    for i, a in enumerate(names):
        rows.append((f"var({a}|{group})", float(re_cov.iloc[i, i])))
    for i, a in enumerate(names):
        for j in range(i + 1, len(names)):
            rows.append((f"cov({a},{names[j]}|{group})", float(re_cov.iloc[i, j])))
    rows.append(("var(Residual)", float(res.scale)))
    extra = pd.DataFrame({"term": [r[0] for r in rows], "kind": "variance",
                          "estimate": [r[1] for r in rows]})
    stats_ = {"llf": float(res.llf)}
    if not reml:
        stats_.update(aic=float(res.aic), bic=float(res.bic))
    terms = list(fe.index)
    p_arr, c_arr = fe.to_numpy(), cov.to_numpy()

    def ame() -> pd.DataFrame:
        keep = [i for i, t in enumerate(terms) if t != "Intercept"]
        return ame_frame([terms[i] for i in keep], lambda b: b[keep], p_arr, c_arr)

    return ModelResult(res, params=fe, cov=cov, n=int(res.nobs),
                       model="Linear mixed model" + (" (REML)" if reml else " (ML)"),
                       formula=formula + (f" + ({re_formula.lstrip('~')} | {group})"
                                          if re_formula else f" + (1 | {group})"),
                       cov_type="model", stats=stats_, ame=ame, extra=extra,
                       notes=[f"{n_left_out} row(s) with missing values left out."]
                       if n_left_out else None)
