"""Linear mixed models: :func:`multilevel` (random intercepts and slopes by group)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from toolkit._checks import require_columns
from toolkit._docs import renamed
from toolkit.stats._model_inputs import caller_env, formula_names, frame_and_design, prepare
from toolkit.stats.results import ModelResult, ame_frame

__all__ = ["multilevel"]


@renamed(group="by")
def multilevel(
    formula: str,
    data: Any,
    *,
    by: str,
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
    by : str
        Column of the grouping units (e.g. community), one random effect per unit
        (``group=`` before 0.2, still accepted with a FutureWarning).
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
        When `by` is not a column.

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
    >>> fit = tk.stats.multilevel("y ~ x", d, by="g")
    >>> fit.to_frame()["kind"].tolist()
    ['coefficient', 'coefficient', 'variance', 'variance']
    """
    import statsmodels.formula.api as smf

    env = caller_env()
    frame, _ = frame_and_design(data, None, where="tk.stats.multilevel")
    require_columns(frame, {"by": by})
    prepared = prepare(frame, formula + (" + " + re_formula.lstrip("~") if re_formula else ""),
                        outcome_numeric=True)
    prepared[by] = frame[by].astype(object)
    prepared = prepared[prepared[by].notna()]
    # MixedLM refuses missing values; use complete cases of the model's variables, as
    # lme4 does (na.omit), and say how many rows that left out.
    used = [c for c in prepared.columns if c in formula_names(formula, re_formula, prepared)]
    complete = prepared[used].notna().all(axis=1)
    n_left_out = int((~complete).sum()) + int(len(frame) - len(prepared))
    prepared = prepared[complete]
    model = smf.mixedlm(formula, prepared, groups=by, re_formula=re_formula, eval_env=env)
    res = model.fit(reml=reml)
    fe = res.fe_params
    cov = res.cov_params().loc[fe.index, fe.index]
    re_cov = res.cov_re
    names = [("Intercept" if n in ("Group", "Intercept", by) else str(n)) for n in re_cov.index]
    rows = []
    for i, a in enumerate(names):
        rows.append((f"var({a}|{by})", float(re_cov.iloc[i, i])))
    for i, a in enumerate(names):
        for j in range(i + 1, len(names)):
            rows.append((f"cov({a},{names[j]}|{by})", float(re_cov.iloc[i, j])))
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
                       formula=formula + (f" + ({re_formula.lstrip('~')} | {by})"
                                          if re_formula else f" + (1 | {by})"),
                       cov_type="model", stats=stats_, ame=ame, extra=extra,
                       notes=[f"{n_left_out} row(s) with missing values left out."]
                       if n_left_out else None)
