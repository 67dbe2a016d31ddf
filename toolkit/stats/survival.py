"""Survival curves and their comparison: Kaplan-Meier, log-rank test, Cox model.

:func:`km_curve` is the one owner of Kaplan-Meier estimates in the toolkit
(``tk.plot.survival`` draws its output; ``tk.stats.sessions``/``submissions``
and their large-data path use the same kernel). :func:`logrank` compares the
curves of several groups (R ``survival::survdiff``); :func:`cox` fits a
proportional-hazards model (R ``survival::coxph``), both on statsmodels'
``duration`` module.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from toolkit._checks import as_table, check_choice, refuse_large, require_columns
from toolkit._summary import Summary
from toolkit.errors import ArgumentError
from toolkit.stats import _process_kernel as K

__all__ = ["CoxResult", "LogrankResult", "cox", "km_curve", "logrank"]


def km_curve(
    data: pd.DataFrame,
    *,
    time: str,
    event: str,
    by: str | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    r"""Kaplan-Meier survival curve(s) as a tidy frame.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per subject (topic, submission).
    time : str
        Column of follow-up times (e.g. days until implementation or censoring).
    event : str
        Column that is True (1, 是) when the event happened at `time` and False
        (0, 否) when the subject was still waiting at the end of the data
        (censored); yes/no words are read as ``tk.io`` reads them.
    by : str, optional
        Column to group by; one curve per group (rows with a missing group are
        left out).
    level : float, default 0.95
        Confidence level of the pointwise limits.

    Returns
    -------
    pandas.DataFrame
        ``group, time, survival, ci_low, ci_high, at_risk, events``: a row at
        time 0 (survival 1) and one per distinct event time; ``group`` is the
        value of `by` (``"all"`` without `by`).

    Raises
    ------
    ColumnNotFoundError
        When `time`, `event` or `by` is not a column.
    ValidationError
        When `event` holds something other than a yes/no answer (the cells are
        listed).

    Notes
    -----
    Kaplan-Meier estimator with Greenwood standard errors, the numbers of
    statsmodels ``SurvfuncRight``; pointwise limits on the log(-log) scale,
    :math:`\hat S^{\exp(\pm z\, se / (\hat S |\log \hat S|))}` (R
    ``survfit(conf.type = "log-log")``). All groups are estimated at once.

    References
    ----------
    Kaplan, E. L. & Meier, P. (1958). Nonparametric estimation from incomplete
    observations. *JASA* 53, 457-481.

    Examples
    --------
    >>> d = pd.DataFrame({"days": [5, 8, 8, 12, 20], "done": [1, 1, 0, 1, 0]})
    >>> tk.stats.km_curve(d, time="days", event="done")[["time", "survival", "at_risk"]].round(3)
       time  survival  at_risk
    0   0.0      1.00        5
    1   5.0      0.80        5
    2   8.0      0.60        4
    3  12.0      0.30        2
    """
    data = as_table(data, "submissions", where="tk.stats.km_curve")
    require_columns(data, {"time": time, "event": event, "by": by})
    frame = data[[time, event] + ([by] if by else [])].dropna(subset=[time, event])
    events = K.yes_no_series(frame[event], column=event).astype(float).to_numpy()
    groups = [by] if by else []
    codes, keys = K.group_codes(frame, groups, dropna=True)
    labels = keys[by].tolist() if by else ["all"]
    _, km = K.km_groups(codes, frame[time].to_numpy(float), events, len(keys), level=level,
                        labels=labels)
    return km




# ---------------------------------------------------------------------------
# comparison of curves
# ---------------------------------------------------------------------------


def _complete(data: Any, columns: list[str], where: str) -> tuple[pd.DataFrame, int]:
    """Rows with every column known (as R's ``na.omit``), and how many were left out."""
    frame = as_table(data, "submissions", where=where)
    frame = frame[columns]
    keep = frame.notna().all(axis=1)
    return frame[keep], int((~keep).sum())


def _events(frame: pd.DataFrame, event: str) -> np.ndarray:
    return K.yes_no_series(frame[event], column=event).astype(float).to_numpy()


class LogrankResult:
    """Log-rank test of equal survival across groups (R ``survdiff``).

    Attributes
    ----------
    table : pandas.DataFrame
        ``group, n, observed, expected`` (events observed and expected under
        equal hazards, summed over strata).
    statistic, df, p_value : float
        Chi-square statistic, its degrees of freedom (groups - 1) and p-value.
    n_excluded : int
        Rows left out for a missing time, event, group or stratum.
    """

    def __init__(self, table: pd.DataFrame, statistic: float, df: int, p_value: float,
                 *, by: str, strata: str | None, n_excluded: int) -> None:
        self.table = table
        self.statistic = statistic
        self.df = df
        self.p_value = p_value
        self.by = by
        self.strata = strata
        self.n_excluded = n_excluded

    def to_frame(self) -> pd.DataFrame:
        """The per-group table (``group, n, observed, expected``)."""
        return self.table.copy()

    def summary(self) -> Summary:
        """Summary with ``as_text()``, ``as_html()``, ``as_latex()``."""
        info = [("Groups", self.by), ("Strata", self.strata or "—"),
                ("Chi-square", f"{self.statistic:.4f}"), ("df", str(self.df)),
                ("p-value", f"{self.p_value:.4g}"), ("Rows left out", str(self.n_excluded))]
        return Summary("Log-rank test", info, self.table)

    def __repr__(self) -> str:
        return (f"<LogrankResult chi2={self.statistic:.4f}, df={self.df}, "
                f"p={self.p_value:.4g}>")

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def logrank(
    data: pd.DataFrame,
    *,
    time: str,
    event: str,
    by: str,
    strata: str | None = None,
) -> LogrankResult:
    r"""Log-rank test that the survival curves of the groups are equal.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per subject, e.g. :func:`toolkit.stats.lag_table`'s output.
    time : str
        Column of follow-up times.
    event : str
        Column of event indicators (1/True/是 = event, 0/False/否 = censored).
    by : str
        Column of the groups compared.
    strata : str, optional
        Column of strata: the test is then stratified (the groups are compared
        within each stratum and the statistics added), as R's ``strata()``.

    Returns
    -------
    LogrankResult
        ``.statistic``, ``.df``, ``.p_value`` and ``.table`` (observed and
        expected events by group).

    Notes
    -----
    The statistic is :math:`(O - E)^\top V^{-1} (O - E)` over the first
    :math:`G - 1` groups, with :math:`E_g = \sum_t d_t n_{gt} / n_t` and the
    hypergeometric variance; computed by statsmodels
    ``duration.survfunc.survdiff``. Checked against R ``survival::survdiff``.
    Rows with a missing value in any of the columns are left out and counted.

    References
    ----------
    Mantel, N. (1966). Evaluation of survival data and two new rank order
    statistics arising in its consideration. *Cancer Chemotherapy Reports* 50,
    163-170.

    Examples
    --------
    >>> d = pd.DataFrame({"days": [3, 5, 8, 12, 4, 9, 15, 20, 21],
    ...                   "done": [1, 1, 1, 0, 1, 1, 0, 1, 0],
    ...                   "channel": ["提案"] * 4 + ["社情民意信息"] * 5})
    >>> r = tk.stats.logrank(d, time="days", event="done", by="channel")
    >>> r.table
      channel  n  observed  expected
    0      提案  4         3  1.781349
    1  社情民意信息  5         3  4.218651
    >>> round(r.statistic, 4), r.df
    (1.3399, 1)
    """
    from scipy.stats import chi2
    from statsmodels.duration.survfunc import survdiff

    require_columns(data, {"time": time, "event": event, "by": by, "strata": strata})
    cols = [time, event, by] + ([strata] if strata else [])
    frame, excluded = _complete(data, cols, "tk.stats.logrank")
    t = frame[time].to_numpy(float)
    e = _events(frame, event)
    codes, keys = K.group_codes(frame, [by], dropna=True)
    if len(keys) < 2:
        msg = f"`by` must name a column with at least two groups; `{by}` has {len(keys)}."
        raise ArgumentError(msg)
    st = (K.group_codes(frame, [strata], dropna=True)[0] if strata
          else np.zeros(len(frame), dtype=np.int64))
    stat, _ = survdiff(t, e, codes, strata=st if strata else None)
    expected = np.zeros(len(keys))
    for s in np.unique(st):
        inside = st == s
        expected += _expected(codes[inside], t[inside], e[inside], len(keys))
    df = len(keys) - 1
    table = keys.assign(n=np.bincount(codes, minlength=len(keys)),
                        observed=np.bincount(codes, weights=e, minlength=len(keys))
                        .astype(np.int64), expected=expected)
    return LogrankResult(table, float(stat), df, float(chi2.sf(stat, df)), by=by,
                         strata=strata, n_excluded=excluded)


def _expected(codes: np.ndarray, time: np.ndarray, event: np.ndarray, n_groups: int
              ) -> np.ndarray:
    """Expected events of each group under equal hazards: sum over times of d n_g / n."""
    utime, rt = np.unique(time, return_inverse=True)
    m = np.zeros((n_groups, len(utime)))
    np.add.at(m, (codes, rt), 1.0)
    at_risk = np.cumsum(m[:, ::-1], axis=1)[:, ::-1]
    deaths = np.bincount(rt, weights=event, minlength=len(utime))
    total = at_risk.sum(axis=0)
    return (at_risk * (deaths / total)).sum(axis=1)


class CoxResult:
    """Cox proportional-hazards model (R ``coxph``).

    Attributes
    ----------
    table : pandas.DataFrame
        ``term, coef, se, z, p_value, hr, hr_low, hr_high`` (hazard ratio
        ``exp(coef)`` with its Wald interval).
    loglik, loglik_null : float
        Partial log-likelihood at the estimate and at zero.
    lr_statistic, lr_df, lr_p_value : float
        Likelihood-ratio test of all coefficients.
    n, n_events, n_excluded : int
        Rows used, events among them and rows left out for missing values.
    ties : str
        ``"efron"`` or ``"breslow"``.
    """

    def __init__(self, table: pd.DataFrame, *, formula: str, loglik: float,
                 loglik_null: float, n: int, n_events: int, n_excluded: int, ties: str,
                 strata: str | None, level: float) -> None:
        from scipy.stats import chi2

        self.table = table
        self.formula = formula
        self.loglik = loglik
        self.loglik_null = loglik_null
        self.lr_statistic = 2 * (loglik - loglik_null)
        self.lr_df = len(table)
        self.lr_p_value = float(chi2.sf(self.lr_statistic, self.lr_df))
        self.n = n
        self.n_events = n_events
        self.n_excluded = n_excluded
        self.ties = ties
        self.strata = strata
        self.level = level

    def to_frame(self) -> pd.DataFrame:
        """The coefficient table."""
        return self.table.copy()

    def summary(self) -> Summary:
        """Summary with ``as_text()``, ``as_html()``, ``as_latex()``."""
        info = [("Model", self.formula), ("Ties", self.ties), ("Strata", self.strata or "—"),
                ("n", str(self.n)), ("Events", str(self.n_events)),
                ("Rows left out", str(self.n_excluded)),
                ("Log partial likelihood", f"{self.loglik:.4f}"),
                ("Likelihood-ratio test", f"{self.lr_statistic:.4f} on {self.lr_df} df, "
                                          f"p = {self.lr_p_value:.4g}")]
        return Summary("Cox proportional-hazards model", info, self.table,
                       notes=[f"Hazard-ratio intervals at level {self.level:g}."])

    def __repr__(self) -> str:
        return f"<CoxResult {self.formula}: {len(self.table)} terms, n={self.n}>"

    def _repr_html_(self) -> str:
        return self.summary().as_html()


_SURV = re.compile(r"^\s*Surv\(\s*([^,]+?)\s*,\s*([^)]+?)\s*\)\s*~(.+)$", re.S)
_STRATA = re.compile(r"\+\s*strata\(\s*([^)]+?)\s*\)")


def cox(
    data: pd.DataFrame,
    formula: str,
    *,
    ties: str = "efron",
    strata: str | None = None,
    level: float = 0.95,
) -> CoxResult:
    """Cox proportional-hazards model of a time to event.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per subject, e.g. :func:`toolkit.stats.lag_table`'s output.
    formula : str
        R style, ``"Surv(days, event) ~ channel + sector + pages"``; text
        columns are coded against their first level (sorted, as R does; a
        categorical column's first category with rows).
        ``+ strata(town)`` in the formula is the same as ``strata="town"``.
    ties : {"efron", "breslow"}, default "efron"
        Handling of tied event times; Efron is R ``coxph``'s default.
    strata : str, optional
        Column of strata, each with its own baseline hazard.
    level : float, default 0.95
        Confidence level of the hazard-ratio intervals.

    Returns
    -------
    CoxResult
        ``.table`` (coefficients, standard errors, Wald z and p, hazard ratios
        with intervals), log partial likelihoods, the likelihood-ratio test.

    Notes
    -----
    Fitted by statsmodels ``duration.hazard_regression.PHReg``; checked
    against R ``survival::coxph`` (Efron and Breslow ties, strata). Rows with
    a missing value in a column of the model are left out and counted.

    References
    ----------
    Cox, D. R. (1972). Regression models and life-tables. *JRSS B* 34, 187-220.
    Efron, B. (1977). The efficiency of Cox's likelihood function for censored
    data. *JASA* 72, 557-565.

    Examples
    --------
    >>> d = pd.DataFrame({"days": [3, 5, 8, 12, 4, 9, 15, 20, 21, 6],
    ...                   "done": [1, 1, 1, 0, 1, 1, 0, 1, 0, 1],
    ...                   "pages": [2, 8, 4, 3, 6, 5, 1, 4, 7, 1]})
    >>> r = tk.stats.cox(d, "Surv(days, done) ~ pages")
    >>> r.table[["term", "coef", "hr"]].round(4)
        term    coef      hr
    0  pages  0.0124  1.0125
    """
    from scipy.stats import norm
    from statsmodels.duration.hazard_regression import PHReg

    check_choice(ties, ["efron", "breslow"], param="ties")
    refuse_large(data, where="tk.stats.cox")
    match = _SURV.match(formula)
    if match is None:
        msg = (f"`formula` must read like R's, `Surv(time, event) ~ x1 + x2`, not {formula!r}.")
        raise ArgumentError(msg)
    time, event, rhs = match.group(1), match.group(2), match.group(3)
    in_formula = _STRATA.findall(rhs)
    if in_formula:
        if strata is not None or len(in_formula) > 1:
            msg = "Give one stratum column, either `strata=` or `+ strata(x)` in the formula."
            raise ArgumentError(msg)
        strata = in_formula[0]
        rhs = _STRATA.sub("", rhs)
    import patsy

    terms = patsy.ModelDesc.from_formula("y ~ " + rhs).rhs_termlist
    variables = sorted({str(f.code) for t in terms for f in t.factors})
    require_columns(data, {"time": time, "event": event, "formula": variables,
                           "strata": strata})
    cols = list(dict.fromkeys([time, event, *variables] + ([strata] if strata else [])))
    frame, excluded = _complete(data, cols, "tk.stats.cox")
    frame = frame.reset_index(drop=True)
    for col in variables:  # a category with no row would give a column of zeros
        if isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = frame[col].cat.remove_unused_categories()
    status = _events(frame, event)
    st = K.group_codes(frame, [strata], dropna=True)[0] if strata else None
    model = PHReg.from_formula(f"Q('{time}') ~ {rhs}", frame, status=status, ties=ties,
                               strata=st)
    fit = model.fit()
    coef = np.asarray(fit.params, dtype=float)
    se = np.asarray(fit.bse, dtype=float)
    z = coef / se
    q = norm.ppf((1 + level) / 2)
    table = pd.DataFrame({"term": model.exog_names, "coef": coef, "se": se, "z": z,
                          "p_value": 2 * norm.sf(np.abs(z)), "hr": np.exp(coef),
                          "hr_low": np.exp(coef - q * se), "hr_high": np.exp(coef + q * se)})
    return CoxResult(table, formula=formula, loglik=float(fit.llf),
                     loglik_null=float(model.loglike(np.zeros(len(coef)))),
                     n=len(frame), n_events=int(status.sum()), n_excluded=excluded, ties=ties,
                     strata=strata, level=level)
