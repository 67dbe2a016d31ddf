r"""Mixed models: :func:`multilevel` (linear and logistic, random intercepts and slopes).

The fits are lme4's (:mod:`toolkit.stats._lmm`, :mod:`toolkit.stats._glmm`): the
profiled deviance or REML criterion of a linear mixed model optimised over the
relative covariance factor θ with θ ≥ 0 on its diagonal (so a variance component at
zero is an optimum like any other, a *singular* fit), and for binomial or Poisson
outcomes the Laplace approximation or adaptive Gauss-Hermite quadrature with
conditional modes by penalised iteratively reweighted least squares.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from toolkit._checks import check_choice, require_columns
from toolkit._docs import renamed
from toolkit.errors import ArgumentError, ArgumentTypeError
from toolkit.stats._model_inputs import frame_and_design, prepare
from toolkit.stats.results import ModelResult, Summary, ame_frame, coefficient_table

__all__ = ["MixedResult", "multilevel"]

_FAMILIES = ("gaussian", "binomial", "poisson")


# ---------------------------------------------------------------------------
# formula: lme4's random-effects terms `(expr | group)`
# ---------------------------------------------------------------------------


@dataclass
class _RandomSpec:
    expr: str          # the model of the term, e.g. "1 + Days"
    group: str         # the grouping factor, e.g. "Subject", "town/community"
    independent: bool  # `||`: uncorrelated effects


def _split_formula(formula: str) -> tuple[str, list[_RandomSpec]]:
    """The fixed part of `formula` and its lme4 random terms ``(expr | group)``."""
    if "~" not in formula:
        msg = f"`formula` must have an outcome, e.g. 'y ~ x'; got {formula!r}."
        raise ArgumentError(msg)
    lhs, rhs = formula.split("~", 1)
    specs: list[_RandomSpec] = []
    kept, i = [], 0
    while i < len(rhs):
        ch = rhs[i]
        before = rhs[:i].rstrip()
        if ch == "(" and (not before or before[-1] in "+~(-"):
            depth, j = 0, i
            while j < len(rhs):
                depth += {"(": 1, ")": -1}.get(rhs[j], 0)
                if depth == 0:
                    break
                j += 1
            inner = rhs[i + 1:j]
            bar = _top_level_bar(inner)
            if bar is not None:
                double = inner[bar:bar + 2] == "||"
                expr = inner[:bar].strip()
                group = inner[bar + (2 if double else 1):].strip()
                if not expr or not group:
                    msg = (f"The random term `({inner})` of `formula` needs an effect and a "
                           "grouping factor, e.g. `(1 | community)` or `(Days | Subject)`.")
                    raise ArgumentError(msg)
                specs.append(_RandomSpec(expr, group, independent=double))
                kept.append(" ")
                i = j + 1
                continue
        kept.append(ch)
        i += 1
    fixed = re.sub(r"\+\s*(?=\+|$)", "", "".join(kept))
    fixed = re.sub(r"^\s*\+", "", fixed).strip()
    return f"{lhs.strip()} ~ {fixed or '1'}", specs


def _top_level_bar(text: str) -> int | None:
    depth = 0
    for k, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "|" and depth == 0:
            return k
    return None


def _expand_groups(group: str) -> list[list[str]]:
    """lme4's grouping expressions: ``a``, ``a:b`` and nesting ``a/b`` (``a`` and ``b:a``)."""
    parts = [p.strip() for p in group.split("/")]
    out = []
    for depth in range(len(parts)):
        cols = []
        for p in reversed(parts[: depth + 1]):
            cols += [c.strip() for c in p.split(":")]
        out.append(cols)
    return out


def _user_env() -> dict[str, Any]:
    """Namespace of the code calling :func:`multilevel` (functions used in formulas)."""
    frame = sys._getframe(1)
    own = {__name__, "toolkit._docs"}
    while frame is not None and frame.f_globals.get("__name__") in own:
        frame = frame.f_back
    if frame is None:
        return {}
    env = dict(frame.f_globals)
    env.update(frame.f_locals)
    return env


# ---------------------------------------------------------------------------
# the result
# ---------------------------------------------------------------------------


class MixedResult(ModelResult):
    """A fitted multilevel model: fixed effects, variance components, conditional modes.

    Built by :func:`multilevel`. Besides the :class:`ModelResult` interface
    (``to_frame``, ``summary``, ``llf``, ``aic``, ``bic``) it offers
    :meth:`variance_components`, :meth:`random_effects`, :attr:`icc` and
    :attr:`singular`; ``.model_result`` is the kernel's fit (θ, β, u, ...).

    Examples
    --------
    >>> d = pd.DataFrame({"y": [1.0, 2.1, 2.9, 4.2, 1.5, 2.2, 3.8, 4.1],
    ...                   "g": list("aabbccdd")})
    >>> fit = tk.stats.multilevel("y ~ 1", d, by="g")
    >>> fit.variance_components()["group"].tolist()
    ['g', 'Residual']
    """

    def __init__(self, fit: Any, *, table_df: np.ndarray | None, groups: dict[str, int],
                 family: str, components: pd.DataFrame, ranef: pd.DataFrame, icc: pd.Series,
                 **kwargs: Any) -> None:
        super().__init__(fit, **kwargs)
        self._table_df = table_df
        self.groups = groups
        self.family = family
        self._components = components
        self._ranef = ranef
        self._icc = icc

    @property
    def singular(self) -> bool:
        """Whether a variance component is (numerically) zero (lme4's ``isSingular``)."""
        return self.model_result.singular

    @property
    def icc(self) -> pd.Series:
        r"""Intraclass correlation of each grouping factor (random-intercept models).

        :math:`\tau^2_g / (\sum_h \tau^2_h + \sigma^2)` with :math:`\sigma^2` the
        residual variance of a linear model, or :math:`\pi^2/3` on the latent scale of
        a logistic model; NaN for a factor with random slopes (where the share
        depends on the covariate) and for Poisson models.
        """
        return self._icc.copy()

    def variance_components(self) -> pd.DataFrame:
        """Variance components as lme4 ``as.data.frame(VarCorr(fit))``.

        Returns
        -------
        pandas.DataFrame
            ``group, effect, effect2, variance, sd, corr, n_groups``: one row per
            variance (``effect2`` empty; ``sd`` its square root) and per covariance
            (``corr`` the correlation), then ``Residual`` for linear models.
        """
        return self._components.copy()

    def random_effects(self) -> pd.DataFrame:
        """Conditional modes of the random effects (BLUPs), as lme4 ``ranef(fit, condVar=TRUE)``.

        Returns
        -------
        pandas.DataFrame
            ``group, level, effect, estimate, se, n``: one row per level and effect,
            ``estimate`` the conditional mode, ``se`` its conditional standard
            deviation (lme4's ``condsd``), ``n`` the rows of the level.
        """
        return self._ranef.copy()

    def to_frame(self, *, level: float = 0.95) -> pd.DataFrame:
        """Tidy table: fixed effects, then variance components.

        Parameters
        ----------
        level : float, default 0.95
            Confidence level.

        Returns
        -------
        pandas.DataFrame
            Fixed effects (``kind="coefficient"``): ``term, kind, estimate, se``,
            ``t`` and ``df`` (Satterthwaite, linear models) or ``z`` (binomial and
            Poisson), ``p_value, ci_low, ci_high`` (odds or rate ratios for binomial
            and Poisson); then ``kind="variance"`` rows ``var(<effect>|<group>)``,
            ``cov(<a>,<b>|<group>)`` and ``var(Residual)`` whose ``estimate`` is the
            variance or covariance (the other columns NaN).
        """
        table = coefficient_table(self.params, self.cov, df=self._table_df, level=level,
                                  exponentiate=self.exponentiate)
        if self._table_df is not None:
            table.insert(table.columns.get_loc("t") + 1, "df", self._table_df)
        if self._extra is not None and len(self._extra):
            table = pd.concat([table, self._extra.reindex(columns=table.columns)],
                              ignore_index=True)
        return table

    def summary(self) -> Summary:
        """Summary with ``as_text()``, ``as_html()`` and ``as_latex()`` (no timestamps)."""
        base = super().summary()
        info = base.info
        groups = ", ".join(f"{g} ({n})" for g, n in self.groups.items())
        info.insert(3, ("Groups", groups))
        if "reml_criterion" in self.stats:
            info.append(("REML criterion", f"{self._stat('reml_criterion'):.4f}"))
        for g, value in self.icc.items():
            if np.isfinite(value):
                info.append((f"ICC ({g})", f"{value:.4f}"))
        return Summary(base.title, info, base.table, base.notes)


# ---------------------------------------------------------------------------
# multilevel
# ---------------------------------------------------------------------------


@renamed(group="by")
def multilevel(
    formula: str,
    data: Any,
    *,
    by: str | list[str] | None = None,
    re_formula: str | None = None,
    family: str = "gaussian",
    reml: bool | None = None,
    n_agq: int = 1,
    trials: str | None = None,
) -> MixedResult:
    r"""Multilevel (mixed) model: random intercepts and slopes by group, as lme4.

    A linear model (``family="gaussian"``, lme4 ``lmer``) or a logistic or Poisson
    model (lme4 ``glmer``) with random effects for the units of one or more grouping
    columns (e.g. residents within communities).

    Parameters
    ----------
    formula : str
        ``"y ~ x1 + x2"`` (patsy syntax for the fixed part), optionally with lme4
        random terms: ``"(1 | community)"``, ``"(age | community)"`` (correlated
        intercept and slope), ``"(age || community)"`` (uncorrelated),
        ``"(1 | town/community)"`` (nested: ``town`` and ``community:town``),
        ``"(1 | community) + (1 | interviewer)"`` (crossed).
    data : pandas.DataFrame or Study
        The table to use, or a Study whose ``survey`` table is used.
    by : str or list of str, optional
        Grouping column(s) when `formula` has no random terms: each gets the random
        effects of `re_formula` (``by="g"`` is lme4's ``(1 | g)``). Formerly
        ``group=``.
    re_formula : str, optional
        Random effects of each `by` column, e.g. ``"~age"`` for a random intercept
        and slope of ``age`` (``(age | g)``). Default: a random intercept.
    family : {"gaussian", "binomial", "poisson"}, default "gaussian"
        Linear mixed model, or logistic (logit link) / Poisson (log link) GLMM.
    reml : bool, optional
        Linear models: restricted maximum likelihood (default, as lme4) or ML
        (``False``). GLMMs are fitted by maximum likelihood only.
    n_agq : int, default 1
        GLMMs: 1 for the Laplace approximation (lme4's default), more for adaptive
        Gauss-Hermite quadrature with that many points (one scalar random-effects
        term only, as in lme4).
    trials : str, optional
        Binomial counts: column of the number of trials, the outcome being the
        number of successes (lme4 ``cbind(successes, trials - successes)``).
        Without it a binomial outcome must be 0/1 (or boolean).

    Returns
    -------
    MixedResult
        ``.to_frame()``: fixed effects with t tests on Satterthwaite degrees of
        freedom (linear models, as lmerTest) or z tests (GLMMs, as lme4), then the
        variance components as ``kind="variance"`` rows; ``.variance_components()``
        (SDs and correlations), ``.random_effects()`` (conditional modes), ``.icc``,
        ``.singular``; ``.llf``, ``.aic``, ``.bic``, ``.deviance``; ``.notes``.

    Raises
    ------
    ColumnNotFoundError
        When a grouping column (or `trials`) is not in `data`.
    ArgumentError
        For random terms given both in `formula` and by `by`, no random terms, an
        unknown `family`, `n_agq` > 1 with several or vector random effects, a
        binomial outcome that is not 0/1 (or not between 0 and `trials`), a grouping
        factor with one level, or more random effects than observations.

    Notes
    -----
    :math:`y = X\beta + Zb + \varepsilon` with :math:`b \sim N(0, \sigma^2
    \Lambda_\theta\Lambda_\theta^T)` (linear) or :math:`g(E[y \mid b]) = X\beta + Zb`
    (GLMM). The fit is lme4's (Bates et al. 2015): the profiled deviance or REML
    criterion minimised over θ under θ ≥ 0 on the diagonal of each term's factor,
    from lme4's start, by L-BFGS-B (an analytic gradient for one grouping factor)
    and a projected Newton polish, so the optimum is reached rather than a stopping
    rule; a variance component at zero is such an optimum (a *singular* fit, noted,
    with the fixed effects of that boundary solution). Fixed-effect covariance:
    :math:`\sigma^2 (X^T V^{-1} X)^{-1}` (lme4 ``vcov``); for GLMMs twice the inverse
    finite-difference Hessian of the deviance in (θ, β), lme4's default. p-values:
    Satterthwaite t tests as ``lmerTest`` (lme4 itself prints no p-values for
    ``lmer``); normal z tests for GLMMs as lme4. Log-likelihood: the REML one for
    REML fits (lme4 ``logLik``); AIC and BIC only for ML fits and GLMMs. With
    ``n_agq > 1`` lme4's deviance leaves out the binomial coefficients of counts
    with several trials, so its log-likelihood is not comparable with the Laplace
    one there; the toolkit follows lme4. Rows with a missing value in any model
    column are left out (lme4's ``na.omit``), with a note; unused categories are
    dropped and fixed-effect columns that are linear combinations of earlier ones
    are dropped with a note (lme4's ``check.rankX``).

    References
    ----------
    Bates, D., Mächler, M., Bolker, B. and Walker, S. (2015). Fitting linear
    mixed-effects models using lme4. *J. Stat. Softw.* 67(1). Kuznetsova, A.,
    Brockhoff, P. B. and Christensen, R. H. B. (2017). lmerTest package. *J. Stat.
    Softw.* 82(13). The tests compare with lme4 1.1-31 and lmerTest 3.1-3 on
    ``sleepstudy``, ``cbpp`` and a seeded survey (``tests/reference/R/mixed.R``).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> g = np.repeat(np.arange(8), 6)
    >>> x = np.tile(np.arange(6.0), 8)
    >>> y = 2 + 0.5 * x + rng.normal(0, 1, 8)[g] + rng.normal(0, 0.5, 48)
    >>> d = pd.DataFrame({"y": y, "x": x, "g": g})
    >>> fit = tk.stats.multilevel("y ~ x + (1 | g)", d)  # lme4: lmer(y ~ x + (1 | g), d)
    >>> fit.to_frame()["kind"].tolist()
    ['coefficient', 'coefficient', 'variance', 'variance']
    >>> round(float(fit.icc["g"]), 3)  # lme4 VarCorr: 0.691
    0.691
    >>> d["z"] = (y > 4).astype(int)
    >>> logit = tk.stats.multilevel("z ~ x", d, by="g", family="binomial")
    >>> logit.params.round(2).tolist()  # glmer(z ~ x + (1 | g), d, family = binomial)
    [-4.84, 1.33]
    """
    env = _user_env()
    check_choice(family, _FAMILIES, param="family")
    gaussian = family == "gaussian"
    if reml is None:
        reml = gaussian
    if reml and not gaussian:
        msg = (f"`reml=True` applies to linear mixed models only; a {family} model is fitted "
               "by maximum likelihood (Laplace or `n_agq=` quadrature). Leave `reml` out.")
        raise ArgumentError(msg)
    if not isinstance(n_agq, int | np.integer) or isinstance(n_agq, bool) or not (
            1 <= n_agq <= 25):
        msg = f"`n_agq` must be an integer from 1 to 25 (lme4's range), not {n_agq!r}."
        raise ArgumentError(msg)
    if gaussian and n_agq != 1:
        msg = "`n_agq` applies to binomial and Poisson models; a linear model needs none."
        raise ArgumentError(msg)
    if trials is not None and family != "binomial":
        msg = '`trials=` gives the number of trials of a binomial outcome; use family="binomial".'
        raise ArgumentError(msg)

    fixed, specs = _split_formula(formula)
    if specs and (by is not None or re_formula is not None):
        msg = ("Give the random effects either in `formula` (lme4 terms such as "
               "`(1 | community)`) or with `by=`/`re_formula=`, not both.")
        raise ArgumentError(msg)
    if not specs:
        if by is None:
            msg = ("`multilevel` needs random effects: a grouping column `by=\"community\"` or "
                   "an lme4 term in `formula`, e.g. 'y ~ x + (1 | community)'.")
            raise ArgumentError(msg)
        cols = [by] if isinstance(by, str) else list(by)
        expr = re_formula.split("~", 1)[-1].strip() if re_formula else "1"
        specs = [_RandomSpec(expr or "1", c, independent=False) for c in cols]
    groups = [_expand_groups(s.group) for s in specs]
    group_cols = sorted({c for gs in groups for cols in gs for c in cols})

    from toolkit.stats._lmm import one_blas_thread

    with one_blas_thread():  # small BLAS calls throughout: threads only cost here
        return _fit(data, fixed, specs, groups, group_cols, env, family=family, reml=reml,
                    n_agq=n_agq, trials=trials)


def _fit(data: Any, fixed: str, specs: list[_RandomSpec], groups: list[list[list[str]]],
         group_cols: list[str], env: dict[str, Any], *, family: str, reml: bool, n_agq: int,
         trials: str | None) -> MixedResult:
    """The model matrices, the fit and the result of :func:`multilevel` (arguments checked)."""
    gaussian = family == "gaussian"
    frame, _ = frame_and_design(data, None)
    require_columns(frame, {"by": group_cols, "trials": trials})
    model_text = " + ".join([fixed] + [s.expr for s in specs])
    prepared = prepare(frame, model_text, outcome_numeric=True)
    for c in group_cols + ([trials] if trials else []):
        prepared[c] = frame[c]
    used = _used_columns(fixed, specs, prepared, group_cols, trials)
    complete = prepared[used].notna().all(axis=1)
    n_left_out = int((~complete).sum())
    prepared = prepared.loc[complete].copy()
    for c in prepared.columns:
        col = prepared[c]
        if isinstance(col.dtype, pd.CategoricalDtype):
            prepared[c] = col.cat.remove_unused_categories()
        elif col.dtype == object and c not in group_cols and col.map(type).eq(str).all():
            # text as a categorical with its sorted levels: patsy's own coding of text,
            # without its per-value Python loop
            prepared[c] = pd.Categorical(col)

    y, x, x_names, dropped = _fixed_design(fixed, prepared, env)
    terms = _random_terms(specs, groups, prepared, env)
    notes = []
    if n_left_out:
        notes.append(f"{n_left_out} row(s) with missing values left out.")
    if dropped:
        notes.append("Fixed-effect model matrix is rank deficient: dropped "
                     f"{', '.join(f'`{d}`' for d in dropped)} (a linear combination of the "
                     "other columns), as lme4 does.")
    _check_sizes(terms, len(y), gaussian=gaussian)

    if gaussian:
        from toolkit.stats._lmm import fit_lmm

        fit = fit_lmm(y, x, terms, reml=reml)
        model = "Linear mixed model" + (" (REML)" if reml else " (ML)")
        table_df = fit.df_satterthwaite
        resid_var = fit.sigma**2
    else:
        from toolkit.stats._glmm import fit_glmm

        m = _binomial_counts(y, prepared, trials) if family == "binomial" else _counts(y)
        if n_agq > 1 and (len(terms) != 1 or terms[0].k != 1):
            msg = ("`n_agq` > 1 (adaptive Gauss-Hermite quadrature) needs a single scalar "
                   "random effect, e.g. `(1 | community)`, as in lme4; use the Laplace "
                   "approximation (`n_agq=1`) for this model.")
            raise ArgumentError(msg)
        fit = fit_glmm(y, m, x, terms, family=family, n_agq=n_agq)
        link = "logit" if family == "binomial" else "log"
        how = "Laplace" if n_agq == 1 else f"adaptive Gauss-Hermite, {n_agq} points"
        model = f"Generalised linear mixed model {family} ({link}; {how})"
        table_df = None
        resid_var = np.pi**2 / 3 if family == "binomial" else np.nan

    components, extra = _components(fit, terms, gaussian=gaussian)
    icc = _icc(terms, fit, resid_var)
    if fit.singular:
        zero = [f"{r.effect}|{r.group}" for r in components.itertuples()
                if r.effect2 == "" and r.group != "Residual" and r.sd < 1e-4 * max(
                    1.0, (fit.sigma if gaussian else 1.0))]
        notes.append("Boundary (singular) fit: " + (
            f"the variance of {', '.join(zero)} is estimated at 0" if zero else
            "the random-effects covariance is singular (a correlation of ±1)")
            + "; the fixed effects are those of this boundary solution (lme4's "
            "isSingular). Consider a simpler random-effects structure.")
    if not fit.converged:
        notes.append("The optimiser did not fully converge; check the model.")
    if gaussian:
        notes.append("t tests on Satterthwaite degrees of freedom (as lmerTest).")

    params = pd.Series(fit.beta, index=x_names)
    cov = pd.DataFrame(fit.vcov, index=x_names, columns=x_names)
    llf = fit.llf
    stats_: dict[str, Any] = {"llf": llf}
    k_par = fit.n_params
    if gaussian and reml:
        stats_["reml_criterion"] = fit.criterion
    else:
        dev = -2 * llf
        stats_.update(deviance=dev, aic=dev + 2 * k_par, bic=dev + np.log(fit.n) * k_par)

    ame = None
    if gaussian:
        p_arr, c_arr = fit.beta.copy(), fit.vcov.copy()
        keep = [i for i, t in enumerate(x_names) if t != "Intercept"]

        def ame() -> pd.DataFrame:
            return ame_frame([x_names[i] for i in keep], lambda b: b[keep], p_arr, c_arr)

    return MixedResult(
        fit, table_df=table_df, groups={t.group: t.m for t in terms}, family=family,
        components=components, ranef=_ranef_frame(fit, terms), icc=icc,
        params=params, cov=cov, n=fit.n, model=model, formula=_lme4_formula(fixed, specs),
        cov_type="model", stats=stats_, exponentiate=not gaussian, ame=ame, extra=extra,
        notes=notes)


def _used_columns(fixed: str, specs: list[_RandomSpec], prepared: pd.DataFrame,
                  group_cols: list[str], trials: str | None) -> list[str]:
    text = " ".join([fixed] + [s.expr for s in specs])
    tokens = set(re.findall(r"[^\W\d][\w.]*", text)) | set(
        re.findall(r"Q\(['\"](.+?)['\"]\)", text))
    cols = [c for c in prepared.columns if str(c) in tokens]
    return list(dict.fromkeys(cols + group_cols + ([trials] if trials else [])))


def _fixed_design(fixed: str, frame: pd.DataFrame, env: dict[str, Any]
                  ) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """Outcome, fixed-effect matrix (full rank, as lme4) and its column names."""
    import patsy

    # plain matrices: patsy's data frames cost more than the rest of a small fit
    y_mat, x_mat = patsy.dmatrices(fixed, frame, eval_env=patsy.EvalEnvironment([env]),
                                   NA_action="raise", return_type="matrix")
    if y_mat.shape[1] != 1:
        msg = (f"The outcome of `formula` must be one numeric column; {fixed.split('~')[0]!r} "
               f"gives {y_mat.shape[1]} columns. Use numeric codes (e.g. 0/1).")
        raise ArgumentError(msg)
    x = np.asarray(x_mat, dtype=float)
    names = [str(c) for c in x_mat.design_info.column_names]
    keep, dropped = _full_rank(x, names)
    return (np.asarray(y_mat, dtype=float)[:, 0], x[:, keep], [names[i] for i in keep],
            dropped)


def _full_rank(x: np.ndarray, names: list[str], tol: float = 1e-7) -> tuple[list[int], list[str]]:
    """Columns kept in order, each not (numerically) a combination of the ones before it.

    ``|R_jj|`` of an unpivoted QR is the norm of what column j adds to the columns
    before it (a dropped column adds nothing, so it does not change the span).
    """
    norms = np.linalg.norm(x, axis=0)
    added = np.zeros(x.shape[1])
    if x.size:
        diag = np.abs(np.diag(np.linalg.qr(x, mode="r")))
        added[: diag.size] = diag
    keep = [j for j in range(x.shape[1]) if norms[j] > 0 and added[j] > tol * norms[j]]
    return keep, [names[j] for j in range(x.shape[1]) if j not in keep]


def _codes(frame: pd.DataFrame, cols: list[str]) -> tuple[np.ndarray, list[Any]]:
    """Level index of each row for the grouping factor made of `cols` (sorted levels)."""
    if len(cols) == 1:
        s = frame[cols[0]]
        if isinstance(s.dtype, pd.CategoricalDtype):
            return s.cat.codes.to_numpy(), list(s.cat.categories)
        codes, levels = pd.factorize(s, sort=True)
        return codes, list(levels)
    labels = frame[cols[0]].astype(str)
    for c in cols[1:]:
        labels = labels + ":" + frame[c].astype(str)
    codes, levels = pd.factorize(labels, sort=True)
    return codes, list(levels)


def _random_terms(specs: list[_RandomSpec], groups: list[list[list[str]]],
                  frame: pd.DataFrame, env: dict[str, Any]) -> list[Any]:
    """The random-effects terms, in lme4's order (decreasing number of levels)."""
    import patsy

    from toolkit.stats._lmm import RandomTerm

    terms = []
    for spec, gs in zip(specs, groups, strict=True):
        if spec.expr.replace(" ", "") == "1":  # a random intercept: no formula to build
            names, values, slices = ["Intercept"], np.ones((len(frame), 1)), [slice(0, 1)]
        else:
            mat = patsy.dmatrix("~ " + spec.expr, frame, eval_env=patsy.EvalEnvironment([env]),
                                NA_action="raise", return_type="matrix")
            names = [str(c) for c in mat.design_info.column_names]
            values = np.asarray(mat, dtype=float)
            slices = (list(mat.design_info.term_slices.values()) if spec.independent
                      else [slice(0, values.shape[1])])
        for cols in gs:
            codes, levels = _codes(frame, cols)
            label = ":".join(cols)
            for sl in slices:
                terms.append(RandomTerm(label, levels, codes, values[:, sl], names[sl]))
    nl = np.array([t.m for t in terms])
    if np.any(np.diff(nl) > 0):  # lme4's mkReTrms: rev(order(nl))
        order = np.argsort(nl, kind="stable")[::-1]
        terms = [terms[i] for i in order]
    return terms


def _check_sizes(terms: list[Any], n: int, *, gaussian: bool) -> None:
    for t in terms:
        if t.m < 2:
            msg = (f"The grouping factor `{t.group}` has {t.m} level in the rows used; a "
                   "random effect needs at least 2 groups (lme4 refuses this too).")
            raise ArgumentError(msg)
        if gaussian and t.m >= n:
            msg = (f"The grouping factor `{t.group}` has {t.m} levels for {n} rows: with one "
                   "row per group the random effect and the residual cannot be told apart "
                   "(lme4's check.nobs.vs.nlev). Use a grouping with several rows per group.")
            raise ArgumentError(msg)
    q = sum(t.m * t.k for t in terms)
    if gaussian and q >= n:
        msg = (f"The model has {q} random effects for {n} rows; it cannot be identified "
               "(lme4's check.nobs.vs.nRE). Use fewer random slopes or a coarser grouping.")
        raise ArgumentError(msg)


def _bad_rows(mask: np.ndarray, frame: pd.DataFrame, values: np.ndarray) -> str:
    idx = np.flatnonzero(mask)[:5]
    shown = ", ".join(f"row {frame.index[i]!r}: {values[i]:g}" for i in idx)
    more = f" and {mask.sum() - len(idx)} more" if mask.sum() > len(idx) else ""
    return f"{shown}{more}"


def _binomial_counts(y: np.ndarray, frame: pd.DataFrame, trials: str | None) -> np.ndarray:
    """Number of trials of each row, checking the outcome against it."""
    if trials is None:
        bad = (y != 0) & (y != 1)
        if bad.any():
            msg = ('A binomial outcome must be 0/1 (or boolean) without `trials=`; '
                   f"{int(bad.sum())} row(s) have other values ({_bad_rows(bad, frame, y)}). "
                   "Recode it, or give the column of trials with `trials=` when the outcome "
                   "counts successes.")
            raise ArgumentError(msg)
        return np.ones_like(y)
    try:
        m = frame[trials].astype(float).to_numpy()
    except (TypeError, ValueError) as err:
        msg = f"The `trials` column `{trials}` must be numeric counts."
        raise ArgumentTypeError(msg) from err
    bad = (m < 0) | (m != np.round(m)) | (y < 0) | (y > m) | (y != np.round(y))
    if bad.any():
        msg = (f"With `trials=\"{trials}\"` the outcome must count successes: whole numbers "
               f"from 0 to `{trials}`; {int(bad.sum())} row(s) do not "
               f"({_bad_rows(bad, frame, y)}).")
        raise ArgumentError(msg)
    return m


def _counts(y: np.ndarray) -> np.ndarray:
    bad = (y < 0) | (y != np.round(y))
    if bad.any():
        msg = (f"A Poisson outcome must be counts (whole numbers from 0); {int(bad.sum())} "
               "row(s) are not.")
        raise ArgumentError(msg)
    return np.ones_like(y)


def _components(fit: Any, terms: list[Any], *, gaussian: bool
                ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Variance components (lme4 VarCorr) and the variance rows of ``to_frame``."""
    from toolkit.stats._lmm import theta_layout, tril

    slices, _, _ = theta_layout(terms)
    scale = fit.sigma**2 if gaussian else 1.0
    rows, extra = [], []
    for t, sl in zip(terms, slices, strict=True):
        tt = tril(fit.theta[sl], t.k)
        cov = scale * tt @ tt.T
        sd = np.sqrt(np.diag(cov))
        names = [_effect_name(n) for n in t.names]
        for i, a in enumerate(names):
            rows.append((t.group, a, "", cov[i, i], sd[i], np.nan, t.m))
            extra.append((f"var({a}|{t.group})", cov[i, i]))
        for i, a in enumerate(names):
            for j in range(i + 1, len(names)):
                with np.errstate(invalid="ignore", divide="ignore"):
                    corr = cov[i, j] / (sd[i] * sd[j])
                rows.append((t.group, a, names[j], cov[i, j], np.nan, corr, t.m))
                extra.append((f"cov({a},{names[j]}|{t.group})", cov[i, j]))
    if gaussian:
        rows.append(("Residual", "", "", fit.sigma**2, fit.sigma, np.nan, fit.n))
        extra.append(("var(Residual)", fit.sigma**2))
    comp = pd.DataFrame(rows, columns=["group", "effect", "effect2", "variance", "sd", "corr",
                                       "n_groups"])
    ext = pd.DataFrame({"term": [e[0] for e in extra], "kind": "variance",
                        "estimate": [e[1] for e in extra]})
    return comp, ext


def _effect_name(name: str) -> str:
    return "Intercept" if name in ("Intercept", "(Intercept)") else name


def _icc(terms: list[Any], fit: Any, resid_var: float) -> pd.Series:
    """ICC per grouping factor: intercept-only terms, share of the total variance."""
    scale = fit.sigma**2 if hasattr(fit, "sigma") else 1.0
    from toolkit.stats._lmm import theta_layout

    slices, _, _ = theta_layout(terms)
    variances = {}
    scalar = True
    for t, sl in zip(terms, slices, strict=True):
        if t.k != 1 or _effect_name(t.names[0]) != "Intercept":
            scalar = False
            variances.setdefault(t.group, np.nan)
            continue
        variances[t.group] = variances.get(t.group, 0.0) + scale * float(fit.theta[sl][0]) ** 2
    total = sum(variances.values()) + resid_var
    out = {g: (v / total if scalar and np.isfinite(total) else np.nan)
           for g, v in variances.items()}
    return pd.Series(out, name="icc", dtype=float)


def _ranef_frame(fit: Any, terms: list[Any]) -> pd.DataFrame:
    """Conditional modes and SDs per level and effect (lme4 as.data.frame(ranef))."""
    parts, at = [], 0
    for t, cond in zip(terms, fit.cond_cov, strict=True):
        size = t.m * t.k
        b = fit.b[at:at + size].reshape(t.m, t.k)
        counts = np.bincount(t.codes, minlength=t.m)
        for i, name in enumerate(t.names):
            parts.append(pd.DataFrame({
                "group": t.group, "level": t.levels, "effect": _effect_name(name),
                "estimate": b[:, i], "se": np.sqrt(np.maximum(cond[:, i, i], 0.0)),
                "n": counts}))
        at += size
    return pd.concat(parts, ignore_index=True)


def _lme4_formula(fixed: str, specs: list[_RandomSpec]) -> str:
    terms = [f"({s.expr} {'||' if s.independent else '|'} {s.group})" for s in specs]
    lhs, rhs = fixed.split("~", 1)
    return f"{lhs.strip()} ~ {rhs.strip()} + " + " + ".join(terms)
