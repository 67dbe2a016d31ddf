"""Survival curves and their comparison: Kaplan-Meier, log-rank test, Cox model.

:func:`km_curve` is the one owner of Kaplan-Meier estimates in the toolkit
(``tk.plot.survival`` draws its output; ``tk.stats.sessions``/``submissions``
and their large-data path use the same kernel). :func:`logrank` compares the
curves of several groups (R ``survival::survdiff``); :func:`cox` fits a
proportional-hazards model (R ``survival::coxph``), both on statsmodels'
``duration`` module.
"""

from __future__ import annotations

import pandas as pd

from toolkit._checks import as_table, require_columns
from toolkit.stats import _process_kernel as K

__all__ = ["km_curve"]


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


