"""Generalised linear models: :func:`regress`, with survey-design standard errors.

Model-based, cluster-robust and frequency-weighted fits come from statsmodels;
design-based fits solve the weighted score equations and take their covariance
from the linearisation engine (as R ``survey::svyglm``).
"""

from __future__ import annotations

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

__all__ = ["regress"]

_FAMILIES = ("gaussian", "binomial", "poisson", "negbin")


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


def _formula_terms(model: Any) -> dict[str, list[str]]:
    """Formula term -> its coefficient names (patsy's term slices), intercept left out."""
    info = getattr(model.data, "design_info", None)
    if info is None:
        return {}
    names = list(model.exog_names)
    return {t: names[sl] for t, sl in info.term_name_slices.items()
            if t != "Intercept" and names[sl]}


def _without_aliased(model: Any, weights: np.ndarray | None) -> tuple[Any, list[str]]:
    """`model` refitted without its constant or collinear columns (R's aliased terms)."""
    import statsmodels.api as sm

    names = list(model.exog_names)
    drop = aliased_columns(np.asarray(model.exog, dtype=float), weights=weights)
    if not drop:
        return model, []
    keep = [j for j in range(len(names)) if j not in set(drop)]
    rows = model.data.row_labels
    exog = pd.DataFrame(np.asarray(model.exog)[:, keep], index=rows,
                        columns=[names[j] for j in keep])
    endog = pd.Series(np.asarray(model.endog), index=rows, name=model.endog_names)
    if isinstance(model, sm.GLM):
        new = sm.GLM(endog, exog, family=model.family, freq_weights=model.freq_weights,
                     var_weights=model.var_weights)
    else:
        new = type(model)(endog, exog)
    return new, [names[j] for j in drop]


def _aliased_note(dropped: list[str]) -> list[str]:
    if not dropped:
        return []
    import warnings

    msg = alias_message(dropped)
    warnings.warn(msg, UserWarning, stacklevel=3)
    return [msg]


@renamed(weight="weights")
def regress(
    formula: str,
    data: Any,
    *,
    family: str = "gaussian",
    design: Any = None,
    cluster: str | None = None,
    weights: str | None = None,
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
    weights : str, optional
        Column of frequency weights (each row stands for `weights` identical
        cases); ``weight=`` is its deprecated spelling. Not survey weights: use
        `design` for those.

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

    env = caller_env()
    weight = weights
    if family not in _FAMILIES:
        msg = f"Unknown `family` {family!r}; use one of {', '.join(_FAMILIES)}."
        raise ValueError(msg)
    frame, design = frame_and_design(data, design, where="tk.stats.regress")
    if design is not None and cluster is not None:
        msg = ("Give either `design` (its clusters are used) or `cluster`, not both.")
        raise ValueError(msg)
    prepared = prepare(frame, formula, outcome_numeric=True)
    require_columns(frame, {"cluster": cluster, "weights": weight})
    for col in (cluster, weight):
        if col is not None:
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
            msg = ("`weights` is not supported with family='negbin'; use 'poisson' with "
                   "frequency weights, or expand the rows.")
            raise ValueError(msg)
        model = smf.negativebinomial(formula, prepared, eval_env=env)
    else:
        kw = {} if fw is None else {"freq_weights": prepared[weight]}
        model = smf.glm(formula, prepared, family=_glm_family(family), eval_env=env, **kw)
    formula_terms = _formula_terms(model)
    model, dropped = _without_aliased(model, None if fw is None else np.asarray(
        prepared.loc[model.data.row_labels, weight], dtype=float))
    notes = level_notes(prepared) + _aliased_note(dropped)
    formula_terms = {t: [c for c in cs if c not in dropped] for t, cs in formula_terms.items()}
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
                       stats=stats_, exponentiate=exponentiate, ame=ame, notes=notes,
                       terms={t: c for t, c in formula_terms.items() if c})


def _regress_design(formula: str, prepared: pd.DataFrame, full_index: pd.Index, design: Any,
                    family: str, weight: str | None, label: str, env: Any) -> ModelResult:
    import statsmodels.formula.api as smf

    if family == "negbin":
        msg = ("family='negbin' with a `design` is not offered; use family='poisson': its "
               "design-based standard errors are valid under overdispersion.")
        raise ValueError(msg)
    w_full = design_weights(design, full_index).copy()
    if weight is not None:
        w_full = w_full * pd.to_numeric(prepared[weight]).reindex(full_index).to_numpy(float)
    prepared = prepared.assign(_design_w=w_full)
    model = smf.glm(formula, prepared, family=_glm_family(family),
                    var_weights=prepared["_design_w"], eval_env=env)
    formula_terms = _formula_terms(model)
    model, dropped = _without_aliased(model, np.asarray(model.var_weights, dtype=float))
    formula_terms = {t: [c for c in cs if c not in dropped] for t, cs in formula_terms.items()}
    notes = level_notes(prepared) + _aliased_note(dropped)
    res = model.fit()
    rows = model.data.row_labels
    pos = full_index.get_indexer(rows)
    score = model.score_obs(res.params.to_numpy(), scale=1.0)
    bread = np.asarray(res.normalized_cov_params)
    # R svyglm: the design without the rows the model left out, df = degf + 1 - p
    fw = None if weight is None else pd.to_numeric(prepared[weight]).to_numpy(float)[pos]
    vcov, degf = design_vcov(design, full_index, rows, score @ bread,
                             refit=_refit(np.asarray(model.exog, dtype=float),
                                          np.asarray(model.endog, dtype=float), family,
                                          res.params.to_numpy(), fw),
                             estimate=res.params.to_numpy())
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

    # R svyglm's working model: the glm with the weights scaled to mean 1 over the design
    mean_w = float(np.mean(w_full))
    endog = np.asarray(model.endog, dtype=float)

    def refit_deviance(keep: list[int]) -> float:
        import statsmodels.api as sm

        if not keep:
            msg = "The model without the tested terms has no coefficient left to fit."
            raise ValueError(msg)
        sub = sm.GLM(endog, exog[:, keep], family=model.family, var_weights=w).fit()
        return float(sub.deviance) / mean_w

    working = {"naive_cov": np.asarray(res.normalized_cov_params) * mean_w,
               "deviance": float(res.deviance) / mean_w, "refit_deviance": refit_deviance}
    notes.append(f"Standard errors: {_variance_note(design)}; "
                 f"t tests with {df} degrees of freedom. No likelihood (AIC, BIC) for a "
                 "design-weighted fit: see the design-based Wald tests (`.wald_test`).")
    return ModelResult(res, params=params, cov=cov, df_resid=float(df), n=len(rows),
                       model=f"{label} (design-weighted)", formula=formula, cov_type="design",
                       stats=stats_, exponentiate=family != "gaussian", ame=ame,
                       notes=notes, terms={t: c for t, c in formula_terms.items() if c},
                       working=working)


def _variance_note(design: Any) -> str:
    return getattr(design, "variance_note", "Taylor linearisation of the survey design")


def _refit(exog: np.ndarray, endog: np.ndarray, family: str, start: np.ndarray,
           freq: np.ndarray | None):
    """The GLM refitted by Newton's method with other weights (replicate-weight designs)."""
    def refit(w: np.ndarray) -> np.ndarray:
        w = w if freq is None else w * freq
        if family == "gaussian":  # weighted least squares
            return np.linalg.solve(exog.T @ (exog * w[:, None]), exog.T @ (w * endog))
        beta = start.copy()
        for _ in range(100):
            eta = exog @ beta
            mu = special.expit(eta) if family == "binomial" else np.exp(eta)
            hess = exog.T @ (exog * (w * _mean_derivs(family, eta))[:, None])
            step = np.linalg.solve(hess, exog.T @ (w * (endog - mu)))
            beta = beta + step
            if np.max(np.abs(step)) <= 1e-12 * (1 + np.max(np.abs(beta))):
                break
        return beta

    return refit

