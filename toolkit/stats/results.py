"""Result objects of the models in ``tk.stats``.

A :class:`ModelResult` wraps a fitted statsmodels model (kept as
``.model_result``) and adds what a research report needs: a tidy coefficient
table (:meth:`ModelResult.to_frame`), a text/HTML/LaTeX summary without date or
time stamps (:meth:`ModelResult.summary`), average marginal effects
(:meth:`ModelResult.marginal_effects`) and the usual fit statistics (``n``,
``llf``, ``aic``, ``bic``, ``r2`` or ``pseudo_r2``).

Term names follow the formula engine (patsy) used by statsmodels: a factor level
is written ``Infl[T.Medium]`` (level ``Medium`` of factor ``Infl`` against its
first level), a numeric variable keeps its name, the intercept is ``Intercept``.
Cut-points of ordered models are named ``Low|Medium`` (as in R ``MASS::polr``)
and variance components of multilevel models ``var(Intercept|Subject)``,
``cov(Intercept,Days|Subject)`` and ``var(Residual)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from toolkit._summary import Summary

__all__ = ["ModelResult", "Summary", "coefficient_frames", "coefficient_table", "is_threshold",
           "personal_terms"]

_KINDS = ("coefficient", "cut-point", "variance")


def coefficient_table(
    params: pd.Series,
    cov: pd.DataFrame | np.ndarray,
    *,
    df: float | None = None,
    level: float = 0.95,
    kind: pd.Series | str = "coefficient",
    exponentiate: bool = False,
) -> pd.DataFrame:
    r"""Tidy Wald table from estimates and their covariance matrix.

    Parameters
    ----------
    params : pandas.Series
        Estimates indexed by term name.
    cov : DataFrame or ndarray
        Covariance matrix of `params` (same order).
    df : float, optional
        Degrees of freedom of a t reference distribution; ``None`` uses the
        standard normal (column ``z``), otherwise the column is ``t``.
    level : float, default 0.95
        Confidence level of ``ci_low``/``ci_high``.
    kind : str or Series, default "coefficient"
        Value(s) of the ``kind`` column.
    exponentiate : bool, default False
        Add ``odds_ratio``, ``or_ci_low``, ``or_ci_high`` (exp of the estimate and
        its limits) for rows of kind ``"coefficient"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``term, kind, estimate, se, z`` (or ``t``), ``p_value, ci_low,
        ci_high`` and, with `exponentiate`, ``odds_ratio, or_ci_low, or_ci_high``.

    Notes
    -----
    :math:`z = \hat\beta / se`, two-sided :math:`p = 2 P(Z > |z|)` (or Student t
    with `df` degrees of freedom); limits :math:`\hat\beta \pm q\,se` with
    :math:`q` the ``(1 + level) / 2`` quantile.

    Examples
    --------
    >>> from toolkit.stats.results import coefficient_table
    >>> t = coefficient_table(pd.Series({"x": 1.0}), np.array([[0.25]]))
    >>> t[["term", "estimate", "se", "z"]].round(3)
      term  estimate   se    z
    0    x       1.0  0.5  2.0
    """
    cov = np.asarray(cov, dtype=float)
    est = params.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        se = np.sqrt(np.diag(cov)) if cov.size else np.full(len(est), np.nan)
        stat = est / se
    if df is None:
        p = 2 * stats.norm.sf(np.abs(stat))
        q = stats.norm.ppf((1 + level) / 2)
        stat_name = "z"
    else:
        p = 2 * stats.t.sf(np.abs(stat), df)
        q = stats.t.ppf((1 + level) / 2, df)
        stat_name = "t"
    out = pd.DataFrame({
        "term": [str(t) for t in params.index],
        "kind": kind.to_numpy() if isinstance(kind, pd.Series) else kind,
        "estimate": est,
        "se": se,
        stat_name: stat,
        "p_value": p,
        "ci_low": est - q * se,
        "ci_high": est + q * se,
    })
    if exponentiate:
        is_coef = out["kind"].eq("coefficient").to_numpy()
        for col, src in (("odds_ratio", "estimate"), ("or_ci_low", "ci_low"),
                         ("or_ci_high", "ci_high")):
            out[col] = np.where(is_coef, np.exp(out[src].to_numpy()), np.nan)
    return out


class ModelResult:
    """A fitted model: tidy coefficients, summary and marginal effects.

    Built by :func:`tk.stats.regress`, :func:`tk.stats.ologit` and
    :func:`tk.stats.multilevel`; not usually created directly.

    Parameters
    ----------
    model_result : object
        The raw statsmodels results object (or ``None`` where it is built
        lazily, see `raw`).
    params : pandas.Series
        Estimates, indexed by term.
    cov : pandas.DataFrame
        Covariance matrix of `params` used for the table (design-based,
        cluster-robust or model-based, see `cov_type`).
    kind : pandas.Series, optional
        ``"coefficient"``, ``"cut-point"`` or ``"variance"`` per term.
    df_resid : float, optional
        Degrees of freedom of t tests; ``None`` for z tests.
    n : int
        Rows used in the fit.
    model : str
        E.g. ``"OLS"``, ``"GLM binomial (logit)"``, ``"Ordered logit"``.
    formula : str
        The model formula.
    cov_type : str
        How standard errors were computed (``"model"``, ``"cluster"``,
        ``"design"``).
    stats : dict
        Fit statistics: any of ``llf, aic, bic, r2, pseudo_r2, deviance`` (a value,
        or a function computing it on first access).
    exponentiate : bool
        Whether odds (or rate) ratios are reported.
    ame : callable, optional
        Function returning the average-marginal-effects frame.
    extra : DataFrame, optional
        Rows appended to the table after the Wald rows (variance components).
    raw : callable, optional
        Builds `model_result` on first access.
    notes : list of str, optional
        Lines shown under the summary table.
    terms : dict, optional
        Formula term -> its coefficient names, for :meth:`wald_test`.
    working : dict, optional
        The working (model-based) fit of a design-based GLM for the Rao-Scott
        tests of :meth:`wald_test`: ``naive_cov``, ``deviance`` and
        ``refit_deviance`` (a function of the column indices kept).

    Examples
    --------
    >>> d = pd.DataFrame({"y": [1.0, 2.0, 2.5, 4.0, 5.5], "x": [1, 2, 3, 4, 5]})
    >>> fit = tk.stats.regress("y ~ x", d)
    >>> fit
    <ModelResult OLS: y ~ x, n=5>
    >>> fit.to_frame()[["term", "estimate"]].round(2)
            term  estimate
    0  Intercept      -0.3
    1          x       1.1
    >>> "Date" in fit.summary().as_text()
    False
    """

    def __init__(
        self,
        model_result: Any,
        *,
        params: pd.Series,
        cov: pd.DataFrame,
        n: int,
        model: str,
        formula: str,
        kind: pd.Series | None = None,
        df_resid: float | None = None,
        cov_type: str = "model",
        stats: dict[str, Any] | None = None,
        exponentiate: bool = False,
        ame: Callable[[], pd.DataFrame] | None = None,
        extra: pd.DataFrame | None = None,
        raw: Callable[[], Any] | None = None,
        notes: list[str] | None = None,
        terms: Mapping[str, Sequence[str]] | None = None,
        working: Mapping[str, Any] | None = None,
    ) -> None:
        self._model_result = model_result
        self._raw = raw
        self.params = params
        self.cov = cov
        self.kind = kind if kind is not None else pd.Series("coefficient", index=params.index)
        self.df_resid = df_resid
        self.n = int(n)
        self.model = model
        self.formula = formula
        self.cov_type = cov_type
        self.stats = dict(stats or {})
        self.exponentiate = exponentiate
        self._ame = ame
        self._extra = extra
        self.notes = list(notes or [])
        #: formula term -> its coefficients (e.g. ``"C(type)"`` -> its level dummies)
        self.terms = {str(k): [str(c) for c in v] for k, v in (terms or {}).items()}
        self._working = dict(working or {})

    # -- raw result and statistics -------------------------------------------

    @property
    def model_result(self) -> Any:
        """The statsmodels results object (built on first access where noted)."""
        if self._model_result is None and self._raw is not None:
            self._model_result = self._raw()
        return self._model_result

    def _stat(self, name: str) -> float:
        value = self.stats.get(name, np.nan)
        if callable(value):  # computed on first access
            value = self.stats[name] = float(value())
        return float(value)

    @property
    def llf(self) -> float:
        """Log-likelihood (NaN where not defined, e.g. design-weighted fits)."""
        return self._stat("llf")

    @property
    def aic(self) -> float:
        """Akaike information criterion."""
        return self._stat("aic")

    @property
    def bic(self) -> float:
        """Bayesian information criterion."""
        return self._stat("bic")

    @property
    def r2(self) -> float:
        """R squared of linear models (NaN otherwise)."""
        return self._stat("r2")

    @property
    def pseudo_r2(self) -> float:
        """McFadden's pseudo R squared, 1 - llf / llnull (NaN where undefined)."""
        return self._stat("pseudo_r2")

    @property
    def deviance(self) -> float:
        """Residual deviance, -2 llf for ordered models (as R reports it)."""
        return self._stat("deviance")

    # -- tables ---------------------------------------------------------------

    def to_frame(self, *, level: float = 0.95) -> pd.DataFrame:
        """Tidy coefficient table.

        Parameters
        ----------
        level : float, default 0.95
            Confidence level.

        Returns
        -------
        pandas.DataFrame
            One row per term: ``term, kind, estimate, se, z`` (or ``t`` for
            linear and design-based models), ``p_value, ci_low, ci_high``; for
            logit models also ``odds_ratio, or_ci_low, or_ci_high`` (for Poisson
            and negative binomial models these are rate ratios). ``kind`` is
            ``"coefficient"``, ``"cut-point"`` or ``"variance"``.
        """
        table = coefficient_table(self.params, self.cov, df=self.df_resid, level=level,
                                  kind=self.kind, exponentiate=self.exponentiate)
        if self._extra is not None and len(self._extra):
            table = pd.concat([table, self._extra.reindex(columns=table.columns)],
                              ignore_index=True)
        return table

    def marginal_effects(self) -> pd.DataFrame:
        r"""Average marginal effects (AME) with delta-method standard errors.

        Returns
        -------
        pandas.DataFrame
            ``term, estimate, se, z, p_value, ci_low, ci_high`` (ordered models
            add ``outcome``, the category whose probability changes).

        Notes
        -----
        The AME of term :math:`j` is the (weighted) mean over the estimation
        rows of :math:`\partial \mu_i / \partial x_{ij}` at the fitted values; a
        factor level's dummy is treated as a continuous regressor (as Stata's
        ``margins, dydx(*)`` without ``i.``). Standard errors by the delta
        method with the model's covariance matrix.
        """
        if self._ame is None:
            msg = f"Average marginal effects are not available for {self.model} models."
            raise NotImplementedError(msg)
        return self._ame()

    # -- tests of several coefficients and linear combinations ------------------

    def _coefficients(self, terms: str | Sequence[str] | None) -> tuple[list[str], list[str]]:
        """The coefficient names of `terms` (formula terms or coefficient names)."""
        names = [str(t) for t in self.params.index]
        kinds = dict(zip(names, self.kind.astype(str), strict=False))
        if terms is None:
            chosen = [t for t in names if kinds.get(t) == "coefficient" and t != "Intercept"]
            return chosen, ["(all coefficients)"]
        if isinstance(terms, str):
            terms = [t.strip() for t in terms.lstrip("~").split("+")] if (
                terms not in names and terms not in self.terms) else [terms]
        chosen: list[str] = []
        for term in terms:
            if term in self.terms:
                found = self.terms[term]
            elif term in names:
                found = [term]
            else:
                found = [t for t in names if t.startswith(f"{term}[")]
            if not found:
                from toolkit._checks import close_matches

                close = close_matches(term, list(self.terms) + names)
                hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
                msg = (f"`terms`: {term!r} is neither a term of the formula nor a coefficient "
                       f"of this model.{hint} Terms: {list(self.terms) or names}.")
                raise KeyError(msg)
            chosen += [t for t in found if t not in chosen]
        return chosen, [str(t) for t in terms]

    def wald_test(self, terms: str | Sequence[str] | None = None, *, df: float | None = None,
                  method: str = "Wald") -> pd.DataFrame:
        r"""Joint Wald test that several coefficients are zero (R ``survey::regTermTest``).

        Parameters
        ----------
        terms : str or list of str, optional
            Formula terms (``"C(type)"``, ``"edu"``, ``"x1:x2"``: all their
            coefficients), coefficient names (``"edu[T.high]"``), or
            ``"x1 + x2"``. Default: every coefficient but the intercept (and
            the cut-points of ordered models).
        df : float, optional
            Denominator degrees of freedom. Default: the model's (the design
            degrees of freedom minus the coefficients for a design-based fit,
            the residual df of a linear model), giving an F test; a model with
            z tests gives a chi-square test (``df=inf`` asks for one).
        method : {"Wald", "WorkingWald", "LRT"}, default "Wald"
            ``"Wald"`` uses the model's covariance (design-based for a design
            fit). For design-based ``regress`` fits, ``"WorkingWald"`` and
            ``"LRT"`` are the Rao-Scott tests of R ``regTermTest``: the Wald
            statistic with the model-based (working) covariance, or the
            working likelihood-ratio statistic (refitting without `terms`),
            referred to :math:`\sum_j \delta_j \chi^2_1 / (\chi^2_{df}/df)`
            with :math:`\delta_j` the eigenvalues of :math:`V_0^{-1}V`
            (saddlepoint approximation, as R's default).

        Returns
        -------
        pandas.DataFrame
            One row: ``terms`` (as given), ``coefficients`` (how many),
            ``method``, ``statistic`` (``"F"`` or ``"chisq"``), ``value``,
            ``ndf``, ``ddf`` (NaN for chi-square), ``p_value``.

        Notes
        -----
        With :math:`\hateta` the tested coefficients and :math:`V` their
        covariance, :math:`W = \hateta^T V^{-1}\hateta`; the F form is
        :math:`W/q` on :math:`(q, df)` with :math:`q` coefficients, the
        chi-square form :math:`W` on :math:`q` df. For a linear model with
        model-based covariance this is the F test of the nested models.

        References
        ----------
        Lumley, T. & Scott, A. (2014). Tests for regression models fitted to
        survey data. *Australian & New Zealand Journal of Statistics* 56, 1-14.
        Test values: R ``survey`` 4.1.1 ``regTermTest`` (tests/reference/R/svytests.R).

        Examples
        --------
        >>> d = pd.DataFrame({"y": [1.0, 2.0, 2.5, 4.0, 5.5, 5.0], "x": [1, 2, 3, 4, 5, 6],
        ...                   "z": [0.5, 0.1, 0.9, 0.3, 0.2, 0.8]})
        >>> t = tk.stats.regress("y ~ x + z", d).wald_test(["x", "z"])
        >>> t[["statistic", "ndf", "ddf"]]
          statistic  ndf  ddf
        0         F    2  3.0
        """
        from toolkit._checks import check_choice

        check_choice(method, ("Wald", "WorkingWald", "LRT"), param="method")
        chosen, given = self._coefficients(terms)
        if not chosen:
            msg = "`terms` selects no coefficient to test."
            raise ValueError(msg)
        idx = [list(map(str, self.params.index)).index(t) for t in chosen]
        beta = self.params.to_numpy(dtype=float)[idx]
        vmat = np.asarray(self.cov, dtype=float)[np.ix_(idx, idx)]
        ddf = self.df_resid if df is None else df
        ddf = np.inf if ddf is None else float(ddf)
        q = len(idx)
        if method == "Wald":
            wald = float(beta @ np.linalg.solve(vmat, beta))
            if np.isfinite(ddf):
                stat, value, p = "F", wald / q, float(stats.f.sf(wald / q, q, ddf))
            else:
                stat, value, p = "chisq", wald, float(stats.chi2.sf(wald, q))
        else:
            stat, value, p = "chisq", *self._working_test(method, idx, beta, vmat, ddf)
        return pd.DataFrame([{"terms": ", ".join(given), "coefficients": q, "method": method,
                              "statistic": stat, "value": value, "ndf": q,
                              "ddf": ddf if stat == "F" or method != "Wald" else np.nan,
                              "p_value": p}])

    def _working_test(self, method: str, idx: list[int], beta: np.ndarray, vmat: np.ndarray,
                      ddf: float) -> tuple[float, float]:
        """Rao-Scott working Wald / likelihood-ratio statistic and its p-value."""
        from toolkit.stats._rao_scott import chisq_sum_upper, f_sum_upper

        if "naive_cov" not in self._working:
            msg = (f"`method={method!r}` needs a design-based `regress` fit (a working "
                   "likelihood); use method='Wald'.")
            raise NotImplementedError(msg)
        v0 = np.asarray(self._working["naive_cov"], dtype=float)[np.ix_(idx, idx)]
        if method == "LRT":
            keep = [i for i in range(len(self.params)) if i not in set(idx)]
            chisq = float(self._working["refit_deviance"](keep) - self._working["deviance"])
        else:
            chisq = float(beta @ np.linalg.solve(v0, beta))
        misspec = np.linalg.eigvals(np.linalg.solve(v0, vmat)).real
        if np.isfinite(ddf):
            return chisq, f_sum_upper(chisq, misspec, ddf, method="saddlepoint")
        return chisq, chisq_sum_upper(chisq, misspec)

    def lincom(self, expr: str | Mapping[str, float] | Sequence[Any], *,
               level: float = 0.95) -> pd.DataFrame:
        r"""Linear combinations of the coefficients with their standard errors (Stata ``lincom``).

        Parameters
        ----------
        expr : str, dict or list of them
            A linear expression in the coefficient names, e.g. ``"x1 - x2"``,
            ``"2*x1 + x2/2"``, ``"edu[T.high] - edu[T.middle]"`` or
            ``"x1 = x2"`` (the difference), or a dict name -> weight (R
            ``svycontrast(fit, c(x1 = 1, x2 = -1))``); a list gives one row each.
        level : float, default 0.95
            Confidence level.

        Returns
        -------
        pandas.DataFrame
            One row per combination: ``contrast, estimate, se, t`` (or ``z``),
            ``p_value, ci_low, ci_high`` and, for logit/Poisson models,
            ``odds_ratio, or_ci_low, or_ci_high`` (exp of the combination).

        Notes
        -----
        For weights :math:`L`, the estimate is :math:`L\hateta` with standard
        error :math:`\sqrt{L V L^T}` from the model's covariance (design-based
        for a design fit) and the model's reference distribution (t on its
        degrees of freedom, or normal).

        Examples
        --------
        >>> d = pd.DataFrame({"y": [1.0, 2.0, 2.5, 4.0, 5.5, 5.0], "x": [1, 2, 3, 4, 5, 6],
        ...                   "z": [0.5, 0.1, 0.9, 0.3, 0.2, 0.8]})
        >>> fit = tk.stats.regress("y ~ x + z", d)
        >>> fit.lincom("x - z")[["contrast", "estimate"]].round(3)
          contrast  estimate
        0    x - z     2.189
        """
        items = list(expr) if isinstance(expr, list | tuple) else [expr]
        names = [str(t) for t in self.params.index]
        rows, labels = [], []
        for item in items:
            weights, const, label = _linear_weights(item, names)
            rows.append((weights, const))
            labels.append(label)
        lmat = np.array([w for w, _ in rows])
        const = np.array([c for _, c in rows])
        est = lmat @ self.params.to_numpy(dtype=float) + const
        cov = lmat @ np.asarray(self.cov, dtype=float) @ lmat.T
        table = coefficient_table(pd.Series(est, index=labels), cov, df=self.df_resid,
                                  level=level, exponentiate=self.exponentiate)
        return table.drop(columns="kind").rename(columns={"term": "contrast"})

    def summary(self) -> Summary:
        """Summary with ``as_text()``, ``as_html()`` and ``as_latex()`` (no timestamps).

        Design-based fits have no likelihood (it is a pseudo-likelihood), so no
        llf, AIC or BIC: their summary shows the design-based Wald F test of all
        coefficients instead (:meth:`wald_test`).
        """
        info = [("Model", self.model), ("Formula", self.formula), ("Observations", str(self.n)),
                ("Standard errors", self.cov_type)]
        likelihood = ("llf", "deviance", "aic", "bic") if self.cov_type != "design" else ()
        for name in ("r2", "pseudo_r2", *likelihood):
            if name not in self.stats:
                continue
            value = self._stat(name)
            if np.isfinite(value):
                info.append((name, f"{value:.4f}"))
        if self.cov_type == "design" and self._coefficients(None)[0]:
            t = self.wald_test().iloc[0]
            ddf = f", {t['ddf']:g}" if t["statistic"] == "F" else ""
            info.append(("Wald test (all coefficients)",
                         f"{t['statistic']}({t['ndf']}{ddf}) = {t['value']:.4f}, "
                         f"p = {t['p_value']:.4g}"))
        return Summary(f"{self.model} regression", info, self.to_frame(), self.notes)

    def __repr__(self) -> str:
        return f"<ModelResult {self.model}: {self.formula}, n={self.n}>"

    def _repr_html_(self) -> str:
        return self.summary().as_html()


class _Linear:
    """A linear form in the coefficients, for parsing :meth:`ModelResult.lincom` expressions."""

    def __init__(self, weights: np.ndarray, const: float = 0.0) -> None:
        self.weights, self.const = weights, const

    @staticmethod
    def _lift(other: Any, size: int) -> _Linear:
        if isinstance(other, _Linear):
            return other
        if isinstance(other, int | float):
            return _Linear(np.zeros(size), float(other))
        msg = f"Unexpected value {other!r} in a linear combination."
        raise ValueError(msg)

    def __add__(self, other: Any) -> _Linear:
        o = self._lift(other, len(self.weights))
        return _Linear(self.weights + o.weights, self.const + o.const)

    __radd__ = __add__

    def __neg__(self) -> _Linear:
        return _Linear(-self.weights, -self.const)

    def __pos__(self) -> _Linear:
        return self

    def __sub__(self, other: Any) -> _Linear:
        return self + (-self._lift(other, len(self.weights)))

    def __rsub__(self, other: Any) -> _Linear:
        return self._lift(other, len(self.weights)) - self

    def __mul__(self, other: Any) -> _Linear:
        if isinstance(other, _Linear):
            if other.weights.any() and self.weights.any():
                msg = "A product of two coefficients is not a linear combination."
                raise ValueError(msg)
            scalar, lin = (other.const, self) if not other.weights.any() else (self.const, other)
            return _Linear(lin.weights * scalar, lin.const * scalar)
        return _Linear(self.weights * float(other), self.const * float(other))

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> _Linear:
        if isinstance(other, _Linear):
            if other.weights.any():
                msg = "Division by a coefficient is not a linear combination."
                raise ValueError(msg)
            other = other.const
        return _Linear(self.weights / float(other), self.const / float(other))


def _linear_weights(expr: Any, names: list[str]) -> tuple[np.ndarray, float, str]:
    """Weights over `names` (and a constant) of a lincom expression, and its label."""
    import re

    size = len(names)
    if isinstance(expr, Mapping):
        unknown = [k for k in expr if str(k) not in names]
        if unknown:
            msg = f"`expr`: {unknown} are not coefficients of this model; coefficients: {names}."
            raise KeyError(msg)
        weights = np.array([float(expr.get(n, 0.0)) for n in names])
        label = " + ".join(f"{v:g}*{k}" for k, v in expr.items())
        return weights, 0.0, label
    if not isinstance(expr, str):
        msg = f"`expr` must be a string or a dict of weights, not {type(expr).__name__}."
        raise TypeError(msg)
    text = expr if "=" not in expr else "({}) - ({})".format(*expr.split("=", 1))
    env: dict[str, Any] = {}
    for i, name in sorted(enumerate(names), key=lambda t: -len(t[1])):
        placeholder = f"_b{i}_"
        pattern = rf"(?<![\w.\[]){re.escape(name)}(?![\w.\[])"
        if re.search(pattern, text):
            text = re.sub(pattern, placeholder, text)
            unit = np.zeros(size)
            unit[i] = 1.0
            env[placeholder] = _Linear(unit)
    rest = re.sub(r"_b\d+_", "", text)
    if not env or not re.fullmatch(r"[0-9eE.\s+\-*/()]*", rest):
        msg = (f"`expr` {expr!r} is not a linear combination of the coefficients "
               f"{names} (numbers, + - * / and parentheses).")
        raise ValueError(msg)
    # checked above: only coefficient placeholders, numbers, + - * / and parentheses
    value = eval(text, {"__builtins__": {}}, env)
    value = _Linear._lift(value, size)
    return value.weights, value.const, expr.strip()


def ame_frame(
    terms: list[str],
    func: Callable[[np.ndarray], np.ndarray],
    params: np.ndarray,
    cov: np.ndarray,
    *,
    outcome: list[str] | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """AME table from a function of the parameters, with a numerical delta method.

    ``func(params)`` returns the AMEs (a flat vector, in the order of `terms`,
    repeated per `outcome` when given); its Jacobian is taken by central
    differences.
    """
    est = np.asarray(func(params), dtype=float)
    jac = np.empty((est.size, params.size))
    for k in range(params.size):
        h = 1e-6 * max(1.0, abs(params[k]))
        up, down = params.copy(), params.copy()
        up[k] += h
        down[k] -= h
        jac[:, k] = (np.asarray(func(up)) - np.asarray(func(down))) / (2 * h)
    cov_ame = jac @ cov @ jac.T
    if outcome is None:
        index = pd.Index(terms)
    else:
        index = pd.Index([f"{o}:{t}" for o in outcome for t in terms])
    table = coefficient_table(pd.Series(est, index=index), cov_ame, level=level)
    table = table.drop(columns="kind")
    if outcome is not None:
        table.insert(0, "outcome", [o for o in outcome for _ in terms])
        table["term"] = [t for _ in outcome for t in terms]
    return table


# ---------------------------------------------------------------------------
# coefficient tables of results of any kind, for tables and forest plots
# ---------------------------------------------------------------------------

#: Values of a ``kind``-like column that mark the cut-points of an ordered model.
_CUT_KINDS = {"cutpoint", "cut-point", "threshold", "thresholds", "cut"}
_MODEL_WORD = {"zh": "模型", "en": "Model"}


def _coefficients_of(result: Any) -> pd.DataFrame:
    """Coefficient table (``term, estimate, ci_low, ci_high`` …) of one result."""
    if isinstance(result, pd.DataFrame):
        frame = result
    elif hasattr(result, "to_frame"):
        frame = result.to_frame()
    elif hasattr(result, "params") and hasattr(result, "bse"):  # a raw statsmodels result
        ci = pd.DataFrame(np.asarray(result.conf_int()), index=result.params.index)
        frame = pd.DataFrame({
            "term": list(result.params.index), "estimate": np.asarray(result.params),
            "se": np.asarray(result.bse), "p_value": np.asarray(result.pvalues),
            "ci_low": ci.iloc[:, 0].to_numpy(), "ci_high": ci.iloc[:, 1].to_numpy(),
        })
    else:
        msg = (f"Cannot read coefficients from a {type(result).__name__}. Give a model result "
               "with `.to_frame()` (e.g. from `tk.stats.ologit`) or a DataFrame with columns "
               "term, estimate, ci_low, ci_high.")
        raise TypeError(msg)
    if "term" not in frame.columns:
        frame = frame.reset_index().rename(columns={"index": "term"})
    missing = [c for c in ("term", "estimate") if c not in frame.columns]
    if missing:
        msg = (f"The coefficient table has no column(s) {missing}; it needs term, estimate "
               "and either ci_low/ci_high or se.")
        raise KeyError(msg)
    frame = frame.copy()
    if "ci_low" not in frame.columns or "ci_high" not in frame.columns:
        if "se" not in frame.columns:
            msg = "The coefficient table needs ci_low and ci_high, or se."
            raise KeyError(msg)
        q = stats.norm.ppf(0.975)  # a normal 95% interval from the standard error
        frame["ci_low"] = frame["estimate"] - q * frame["se"]
        frame["ci_high"] = frame["estimate"] + q * frame["se"]
    return frame


def is_threshold(frame: pd.DataFrame) -> pd.Series:
    """Rows of a coefficient table that are cut-points of an ordered model.

    A term named ``a|b`` (R ``MASS::polr``), or a ``kind`` (``type``,
    ``term_type``, ``component``) of ``cut-point``/``threshold``.

    Examples
    --------
    >>> from toolkit.stats.results import is_threshold
    >>> is_threshold(pd.DataFrame({"term": ["x", "1|2"]})).tolist()
    [False, True]
    """
    mask = frame["term"].astype(str).str.contains("|", regex=False)
    for col in ("kind", "type", "term_type", "component"):
        if col in frame.columns:
            mask |= frame[col].astype(str).str.lower().isin(_CUT_KINDS)
    return mask


def coefficient_frames(results: Any, *, lang: str = "zh") -> dict[str, pd.DataFrame]:
    """Coefficient tables of one or several models, keyed by model name.

    Parameters
    ----------
    results : model result, DataFrame, list or dict of them
        One result (anything with ``.to_frame()``, a raw statsmodels result, or
        a DataFrame with ``term, estimate`` and ``ci_low, ci_high`` or ``se``),
        a list of them (named 模型1, 模型2 … / Model 1 …) or a dict name → result.
    lang : {"zh", "en"}, default "zh"
        Language of the default model names.

    Returns
    -------
    dict of str to pandas.DataFrame
        Model name (``""`` for a single result) → its table, with ``ci_low`` and
        ``ci_high`` (a normal 95% interval from ``se`` where the result has none).

    Examples
    --------
    >>> from toolkit.stats.results import coefficient_frames
    >>> f = pd.DataFrame({"term": ["x"], "estimate": [0.5], "se": [0.1]})
    >>> list(coefficient_frames([f, f], lang="en"))
    ['Model 1', 'Model 2']
    >>> coefficient_frames(f)[""]["ci_low"].round(3).tolist()
    [0.304]
    """
    if isinstance(results, Mapping):
        return {str(k): _coefficients_of(v) for k, v in results.items()}
    if isinstance(results, Sequence) and not isinstance(results, str | pd.DataFrame):
        word = _MODEL_WORD.get(lang, _MODEL_WORD["en"])
        sep = "" if lang == "zh" else " "
        return {f"{word}{sep}{i}": _coefficients_of(r) for i, r in enumerate(results, start=1)}
    return {"": _coefficients_of(results)}


def _model_frame(result: Any) -> pd.DataFrame | None:
    """The data a (statsmodels formula) model was fitted on, where it is kept."""
    raw = getattr(result, "_model_result", None) if hasattr(result, "_model_result") \
        else result
    frame = getattr(getattr(getattr(raw, "model", None), "data", None), "frame", None)
    return frame if isinstance(frame, pd.DataFrame) else None


def personal_terms(results: Any, *,
                   models: Mapping[str, pd.DataFrame] | None = None) -> dict[str, str]:
    """Variables whose levels the term labels print and that hold personal data.

    A term label such as ``负责人[T.张伟]`` prints a level of a categorical
    predictor. Each such variable is judged by :func:`toolkit.io.personal_values`
    (header, the codebook's ``personal`` entries, content) on all its values in
    the data the model was fitted on, where the result keeps them, else on the
    levels printed. The check of ``tk.report.regression_table`` and
    ``tk.plot.coefficients``.

    Parameters
    ----------
    results : model result, DataFrame, list or dict of them
        As for :func:`coefficient_frames`.
    models : dict of str to DataFrame, optional
        Their coefficient tables, when already made (default:
        ``coefficient_frames(results)``).

    Returns
    -------
    dict
        Variable → kind of personal data (``"name"``, ``"phone"`` …).

    Examples
    --------
    >>> f = pd.DataFrame({"term": ["Intercept", "负责人[T.张伟]", "负责人[T.李娜]"],
    ...                   "estimate": [1.0, 0.5, 0.2], "se": [0.1, 0.2, 0.2]})
    >>> personal_terms(f)
    {'负责人': 'name'}
    >>> personal_terms(f.assign(term=["Intercept", "platform[T.微信群]", "age"]))
    {}
    """
    from toolkit.io.personal import personal_values
    from toolkit.schema import term_levels

    if models is None:
        models = coefficient_frames(results)
    shown: dict[str, list[Any]] = {}
    for frame in models.values():
        for term in frame["term"].astype(str):
            for var, level in term_levels(term):
                shown.setdefault(var, []).append(level)
    if not shown:
        return {}
    raw = (list(results.values()) if isinstance(results, Mapping)
           else list(results) if isinstance(results, list | tuple) else [results])
    codebook: dict[str, Any] = {}
    for result in raw:
        if isinstance(result, pd.DataFrame):
            codebook.update(result.attrs.get("codebook") or {})
        data = _model_frame(result)
        if data is None:
            continue
        codebook.update(data.attrs.get("codebook") or {})
        for var in shown:  # judged by all the values of the column, not only those printed
            if var in data.columns:
                shown[var] = list(dict.fromkeys([*shown[var], *data[var].dropna().tolist()]))
    return personal_values(shown, codebook=codebook)
