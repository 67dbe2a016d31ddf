"""Process and responsiveness: rates with confidence intervals, lags with Kaplan-Meier.

:func:`sessions` describes consultation sessions and their topics (consensus,
rounds to consensus, escalation, implementation and the time it takes);
:func:`submissions` describes proposals and opinion pieces (adoption, leaders'
instructions, responses and response time) and tests claims such as "every
piece gets an instruction". :func:`km_curve` gives Kaplan-Meier curves as a
frame that ``tk.plot`` can draw.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from toolkit.errors import ColumnNotFoundError
from toolkit.stats.results import Summary

__all__ = ["ProcessResult", "km_curve", "sessions", "submissions"]

RATE_COLUMNS = ["measure", "unit", "successes", "n", "estimate", "ci_low", "ci_high"]
LAG_COLUMNS = ["measure", "n", "n_events", "n_censored", "median_days", "ci_low", "ci_high",
               "n_excluded"]
KM_COLUMNS = ["group", "time", "survival", "ci_low", "ci_high", "at_risk", "events"]
_CLAIMS = {"adopted": "adoption_rate", "instructed": "instruction_rate",
           "responded": "response_rate"}


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def _table(data: Any, name: str) -> pd.DataFrame:
    if hasattr(data, "tables") and hasattr(data, "table"):
        return data.table(name)
    if isinstance(data, pd.DataFrame):
        return data
    msg = f"`data` must be a Study or the `{name}` DataFrame, not {type(data).__name__}."
    raise TypeError(msg)


def _require(frame: pd.DataFrame, cols: Sequence[str], table: str, role: str) -> None:
    for col in cols:
        if col not in frame.columns:
            close = difflib.get_close_matches(str(col), [str(c) for c in frame.columns], n=3)
            hint = f" Did you mean {close}?" if close else ""
            msg = (f"The {table} table has no column `{col}` (needed for `{role}`).{hint} "
                   f"Available: {list(frame.columns)}.")
            raise ColumnNotFoundError(msg)


def _by_list(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _with_platform_group(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Add ``platform_group`` (online/offline, from the platform vocabulary) when asked for."""
    if "platform_group" in by and "platform_group" not in frame.columns and \
            "platform" in frame.columns:
        from toolkit.schema import VOCABULARIES

        vocab = VOCABULARIES["platform"]
        groups = {v: vocab.group_of(v) for v in frame["platform"].dropna().unique()}
        frame = frame.assign(platform_group=frame["platform"].astype(object).map(groups))
    return frame


def _bool(s: pd.Series) -> pd.Series:
    """Nullable boolean of a yes/no column (booleans, 0/1, or 是/否)."""
    if str(s.dtype) == "boolean" or pd.api.types.is_bool_dtype(s.dtype):
        return s.astype("boolean")
    if pd.api.types.is_numeric_dtype(s.dtype):
        return s.map(lambda v: pd.NA if pd.isna(v) else bool(v)).astype("boolean")
    yes = {"是", "yes", "true", "1", "y", "已", "已落实"}
    no = {"否", "no", "false", "0", "n", "未", "未落实"}
    return s.map(lambda v: pd.NA if pd.isna(v) else (True if str(v).strip().lower() in yes
                 else False if str(v).strip().lower() in no else pd.NA)).astype("boolean")


def _rate(measure: str, unit: str, flags: pd.Series, level: float,
          method: str = "wilson") -> dict[str, Any]:
    from statsmodels.stats.proportion import proportion_confint

    known = flags.dropna()
    n = len(known)
    k = int(known.sum()) if n else 0
    if n:
        lo, hi = proportion_confint(k, n, alpha=1 - level, method=method)
        est = k / n
    else:
        lo = hi = est = np.nan
    return {"measure": measure, "unit": unit, "successes": k, "n": n, "estimate": est,
            "ci_low": float(lo), "ci_high": float(hi)}


def _groups(frame: pd.DataFrame, by: list[str]):
    if not by:
        yield {}, frame
        return
    for key, sub in frame.groupby(by, sort=True, observed=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        yield dict(zip(by, key, strict=True)), sub


def _km(time: np.ndarray, event: np.ndarray):
    from statsmodels.duration.survfunc import SurvfuncRight

    return SurvfuncRight(time, event)


def _lag(measure: str, time: np.ndarray, event: np.ndarray, excluded: int,
         level: float) -> dict[str, Any]:
    n = len(time)
    row = {"measure": measure, "n": n, "n_events": int(event.sum()),
           "n_censored": int(n - event.sum()), "median_days": np.nan, "ci_low": np.nan,
           "ci_high": np.nan, "n_excluded": excluded}
    if n and event.sum():
        sf = _km(time, event)
        row["median_days"] = float(sf.quantile(0.5))
        with np.errstate(divide="ignore", invalid="ignore"):
            # statsmodels takes log(0) where the curve reaches 0; the limit is then inf/NaN
            lo, hi = sf.quantile_ci(0.5, alpha=1 - level)
        row["ci_low"], row["ci_high"] = float(lo), float(hi)
    return row


def _curve(time: np.ndarray, event: np.ndarray, group: Any, level: float) -> pd.DataFrame:
    n = len(time)
    start = pd.DataFrame({"group": [group], "time": [0.0], "survival": [1.0], "ci_low": [1.0],
                          "ci_high": [1.0], "at_risk": [n], "events": [0]})
    if n == 0 or event.sum() == 0:
        return start
    sf = _km(time, event)
    s = np.asarray(sf.surv_prob, dtype=float)
    se = np.asarray(sf.surv_prob_se, dtype=float)
    z = stats.norm.ppf((1 + level) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = se / (s * np.abs(np.log(s)))
        lo = np.where((s > 0) & (s < 1), s ** np.exp(z * v), s)
        hi = np.where((s > 0) & (s < 1), s ** np.exp(-z * v), s)
    body = pd.DataFrame({"group": group, "time": np.asarray(sf.surv_times, dtype=float),
                         "survival": s, "ci_low": lo, "ci_high": hi,
                         "at_risk": np.asarray(sf.n_risk).astype(int),
                         "events": np.asarray(sf.n_events).astype(int)})
    return pd.concat([start, body], ignore_index=True)


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
        Column that is True (1) when the event happened at `time` and False (0)
        when the subject was still waiting at the end of the data (censored).
    by : str, optional
        Column to group by; one curve per group.
    level : float, default 0.95
        Confidence level of the pointwise limits.

    Returns
    -------
    pandas.DataFrame
        ``group, time, survival, ci_low, ci_high, at_risk, events``: a row at
        time 0 (survival 1) and one per distinct event time; ``group`` is the
        value of `by` (``"all"`` without `by`).

    Notes
    -----
    Kaplan-Meier estimator (statsmodels ``SurvfuncRight``) with Greenwood
    standard errors; pointwise limits on the log(-log) scale,
    :math:`\hat S^{\exp(\pm z\, se / (\hat S |\log \hat S|))}` (R
    ``survfit(conf.type = "log-log")``).

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
    _require(data, [time, event] + ([by] if by else []), "given", "km_curve")
    frame = data[[time, event] + ([by] if by else [])].dropna(subset=[time, event])
    parts = []
    groups = [("all", frame)] if by is None else list(frame.groupby(by, sort=True,
                                                                    observed=True))
    for g, sub in groups:
        parts.append(_curve(sub[time].to_numpy(float), sub[event].astype(float).to_numpy(),
                            g, level))
    return pd.concat(parts, ignore_index=True).reindex(columns=KM_COLUMNS)


# ---------------------------------------------------------------------------
# result object
# ---------------------------------------------------------------------------


class ProcessResult:
    """Rates, distributions and lags of a process analysis.

    Attributes
    ----------
    rates : pandas.DataFrame
        ``[by...], measure, unit, successes, n, estimate, ci_low, ci_high``.
    lags : pandas.DataFrame
        ``[by...], measure, n, n_events, n_censored, median_days, ci_low,
        ci_high, n_excluded`` (Kaplan-Meier median with its CI).
    km : pandas.DataFrame
        Kaplan-Meier curves (see :func:`km_curve`), ``group`` holding the `by`
        value.
    rounds : pandas.DataFrame
        Distribution of rounds to consensus (sessions only): ``[by...],
        rounds, n, share``.
    claims : pandas.DataFrame
        Tests of claimed proportions (submissions only): ``measure, claimed,
        successes, n, estimate, ci_low, ci_high, p_value``.
    """

    def __init__(self, title: str, by: list[str], *, rates: pd.DataFrame, lags: pd.DataFrame,
                 km: pd.DataFrame, rounds: pd.DataFrame | None = None,
                 claims: pd.DataFrame | None = None, extra: pd.DataFrame | None = None) -> None:
        self.title = title
        self.by = by
        self.rates = rates
        self.lags = lags
        self.km = km
        self.rounds = rounds if rounds is not None else pd.DataFrame()
        self.claims = claims if claims is not None else pd.DataFrame()
        self._extra = extra

    def to_frame(self) -> pd.DataFrame:
        """One tidy frame: ``[by...], measure, estimate, ci_low, ci_high, n``.

        Rates (proportions), the mean rounds to consensus and the median lags in
        days, each with its confidence interval and ``n``.
        """
        cols = [*self.by, "measure", "estimate", "ci_low", "ci_high", "n"]
        lags = self.lags.rename(columns={"median_days": "estimate"})
        lags = lags.assign(measure=lags["measure"].map(lambda m: f"median_{m}"))
        parts = [self.rates.reindex(columns=cols), lags.reindex(columns=cols)]
        if self._extra is not None:
            parts.insert(1, self._extra.reindex(columns=cols))
        return pd.concat([p for p in parts if len(p)], ignore_index=True)

    def summary(self) -> Summary:
        """Summary with ``as_text()``, ``as_html()``, ``as_latex()``."""
        info = [("Grouped by", ", ".join(self.by) or "—")]
        return Summary(self.title, info, self.to_frame())

    def __repr__(self) -> str:
        return f"<ProcessResult {self.title}: {len(self.rates)} rates, {len(self.lags)} lags>"

    def _repr_html_(self) -> str:
        return self.summary().as_html()


# ---------------------------------------------------------------------------
# sessions
# ---------------------------------------------------------------------------


def _end_of_data(*dates: pd.Series) -> pd.Timestamp:
    values = [pd.to_datetime(d, errors="coerce").max() for d in dates if d is not None]
    values = [v for v in values if pd.notna(v)]
    return max(values)


def _topics(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """One row per topic: first date, rounds, consensus, escalation, implementation."""
    f = frame.copy()
    f["date"] = pd.to_datetime(f["date"], errors="coerce")
    if "topic_id" in f.columns:
        key = f["topic_id"].astype(object).where(f["topic_id"].notna(), f["session_id"])
    elif "topic" in f.columns:
        key = f["topic"].astype(object).where(f["topic"].notna(), f["session_id"])
    else:
        key = f["session_id"]
    f["_topic"] = key.astype(str)
    f = f.sort_values(["_topic", "date"], kind="stable")
    if "round" in f.columns:
        f["_round"] = pd.to_numeric(f["round"], errors="coerce")
    else:
        f["_round"] = f.groupby("_topic").cumcount() + 1.0
    if "consensus" in f.columns:
        f["_consensus"] = _bool(f["consensus"])
    g = f.groupby("_topic", sort=False)
    out = pd.DataFrame({"topic": list(g.groups)}).set_index("topic")
    out["first_date"] = g["date"].min()
    out["n_sessions"] = g.size()
    for col in by:
        out[col] = g[col].first()
    def any_known(flag: pd.Series) -> pd.Series:
        """Per topic: True if any session is True, NA if all are missing."""
        known = flag.notna().groupby(f["_topic"], sort=False).any()
        hit = flag.fillna(value=False).astype(bool).groupby(f["_topic"], sort=False).any()
        return hit.astype("boolean").where(known, pd.NA).reindex(out.index)

    if "consensus" in f.columns:
        c = f["_consensus"]
        out["consensus"] = any_known(c)
        rc = f.loc[c.fillna(value=False).astype(bool)].groupby("_topic")["_round"].min()
        out["rounds_to_consensus"] = rc.reindex(out.index)
    if "escalated_to" in f.columns:
        out["escalated"] = (f["escalated_to"].notna().groupby(f["_topic"], sort=False).any()
                            .reindex(out.index).astype("boolean"))
    if "implemented" in f.columns:
        out["implemented"] = any_known(_bool(f["implemented"]))
    if "implemented_date" in f.columns:
        out["implemented_date"] = pd.to_datetime(g["implemented_date"].min(), errors="coerce")
    return out.reset_index()


def sessions(
    data: Any,
    *,
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
) -> ProcessResult:
    r"""Consensus, rounds, escalation and implementation of consultation sessions.

    Parameters
    ----------
    data : Study or pandas.DataFrame
        A Study (its ``sessions`` table is used) or the sessions table itself
        (canonical columns: ``session_id, date, topic_id, round, consensus,
        escalated_to, implemented, implemented_date``; missing columns drop the
        measures that need them).
    by : str or list of str, optional
        Column(s) of the sessions table to group by; one result row per group.
        ``"platform_group"`` (online/offline, from the platform vocabulary) is
        derived from ``platform`` when not a column. A topic takes the value of
        its first session.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    ProcessResult
        ``.rates``: ``consensus_rate`` (share of sessions reaching consensus),
        ``topic_consensus_rate`` (share of topics reaching consensus in some
        round), ``escalation_rate`` (share of topics sent to a residents'
        meeting), ``implementation_rate`` (share of topics implemented), each
        with a Wilson CI, successes and ``n``. ``.rounds``: distribution of the
        round in which consensus was first reached. ``.lags``:
        ``days_to_implementation`` (first session of a topic to implementation)
        with Kaplan-Meier median and CI; topics not implemented by the end of the
        data (the latest session or implementation date) are censored there.
        ``.km``: the Kaplan-Meier curves. ``.to_frame()`` stacks rates, the mean
        rounds to consensus (t interval) and the median lags.

    Raises
    ------
    ColumnNotFoundError
        Without ``session_id``/``date``, or when a `by` column is missing.

    Notes
    -----
    Topics are identified by ``topic_id`` (else ``topic``; a session without
    either is its own topic). Wilson interval for a proportion
    :math:`\hat p = k/n`:
    :math:`\frac{\hat p + z^2/2n \pm z\sqrt{\hat p(1-\hat p)/n + z^2/4n^2}}{1+z^2/n}`.
    Implemented topics without an implementation date, or with one before the
    first session, are left out of the lag (``n_excluded``).

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and
    statistical inference. *JASA* 22, 209-212. Brookmeyer, R. & Crowley, J.
    (1982). A confidence interval for the median survival time. *Biometrics*
    38, 29-41.

    Examples
    --------
    >>> s = pd.DataFrame({
    ...     "session_id": ["S1", "S2", "S3", "S4"],
    ...     "date": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-01-10", "2024-03-01"]),
    ...     "topic_id": ["T1", "T1", "T2", "T3"], "round": [1, 2, 1, 1],
    ...     "consensus": pd.array([False, True, True, False], dtype="boolean"),
    ...     "implemented": pd.array([False, True, True, False], dtype="boolean"),
    ...     "implemented_date": pd.to_datetime([None, "2024-03-05", "2024-02-10", None])})
    >>> r = tk.stats.sessions(s)
    >>> r.rates[["measure", "successes", "n", "estimate"]].round(3)
                    measure  successes  n  estimate
    0        consensus_rate          2  4     0.500
    1  topic_consensus_rate          2  3     0.667
    2   implementation_rate          2  3     0.667
    """
    frame = _table(data, "sessions")
    by = _by_list(by)
    _require(frame, ["session_id", "date"], "sessions", "sessions")
    frame = _with_platform_group(frame, by)
    _require(frame, by, "sessions", "by")
    topics = _topics(frame, by)
    end = _end_of_data(frame["date"], frame.get("implemented_date"))
    rates, lags, curves, rounds, extra = [], [], [], [], []
    topic_groups = dict(((tuple(k.values()), v) for k, v in _groups(topics, by)))
    for key, sub in _groups(frame, by):
        t = topic_groups.get(tuple(key.values()), topics.iloc[:0])
        if "consensus" in sub.columns:
            rates.append({**key, **_rate("consensus_rate", "session", _bool(sub["consensus"]),
                                         level)})
            rates.append({**key, **_rate("topic_consensus_rate", "topic",
                                         t["consensus"].astype("boolean"), level)})
            rc = t["rounds_to_consensus"].dropna()
            counts = rc.value_counts().sort_index()
            for r, c in counts.items():
                rounds.append({**key, "rounds": int(r), "n": int(c), "share": c / len(rc)})
            if len(rc):
                m = float(rc.mean())
                half = (stats.t.ppf((1 + level) / 2, len(rc) - 1) * rc.std(ddof=1)
                        / np.sqrt(len(rc))) if len(rc) > 1 else np.nan
                extra.append({**key, "measure": "mean_rounds_to_consensus", "estimate": m,
                              "ci_low": m - half, "ci_high": m + half, "n": len(rc)})
        if "escalated" in t.columns:
            rates.append({**key, **_rate("escalation_rate", "topic",
                                         t["escalated"].astype("boolean"), level)})
        if "implemented" in t.columns:
            impl = t["implemented"].astype("boolean")
            rates.append({**key, **_rate("implementation_rate", "topic", impl, level)})
            if "implemented_date" in t.columns:
                done = impl.fillna(value=False).to_numpy(dtype=bool)
                idate = t["implemented_date"]
                stop = idate.where(done, end)
                days = (stop - t["first_date"]).dt.days.astype(float)
                ok = days.notna() & (days >= 0) & ~(done & idate.isna()).to_numpy()
                excluded = int((~ok).sum())
                time = days[ok].to_numpy()
                event = done[ok.to_numpy()].astype(float)
                lags.append({**key, **_lag("days_to_implementation", time, event, excluded,
                                           level)})
                label = " / ".join(map(str, key.values())) if key else "all"
                curves.append(_curve(time, event, label, level))
    rate_df = pd.DataFrame(rates, columns=[*by, *RATE_COLUMNS])
    lag_df = pd.DataFrame(lags, columns=[*by, *LAG_COLUMNS])
    km = (pd.concat(curves, ignore_index=True).reindex(columns=KM_COLUMNS) if curves
          else pd.DataFrame(columns=KM_COLUMNS))
    return ProcessResult("Sessions", by, rates=rate_df, lags=lag_df, km=km,
                         rounds=pd.DataFrame(rounds, columns=[*by, "rounds", "n", "share"]),
                         extra=pd.DataFrame(extra) if extra else None)


# ---------------------------------------------------------------------------
# submissions
# ---------------------------------------------------------------------------


def submissions(
    data: Any,
    *,
    by: str | Sequence[str] | None = None,
    claim: Mapping[str, float] | None = None,
    level: float = 0.95,
) -> ProcessResult:
    """Adoption, instruction and response of submissions, and tests of claimed rates.

    Parameters
    ----------
    data : Study or pandas.DataFrame
        A Study (its ``submissions`` table is used) or the submissions table
        (canonical columns ``submission_id, date, adopted, instructions,
        responded, response_date``; missing columns drop their measures).
    by : str or list of str, optional
        Column(s) to group by (e.g. ``"channel"``); one result row per group.
    claim : dict, optional
        Claimed proportions to test, keyed by ``"adopted"``, ``"instructed"``
        (at least one leader's instruction) or ``"responded"``:
        ``{"instructed": 1.0}`` tests "every piece gets an instruction",
        ``{"responded": 0.9}`` "nine in ten get a response". Tested on all rows
        (not by group).
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    ProcessResult
        ``.rates``: ``adoption_rate``, ``instruction_rate``, ``response_rate``
        (Wilson CIs). ``.lags``: ``days_to_response`` (submission to response;
        pieces without a response by the end of the data, the latest date in the
        table, are censored), Kaplan-Meier median and CI. ``.km``: the curves.
        ``.claims``: ``measure, claimed, successes, n, estimate, ci_low,
        ci_high`` (Clopper-Pearson exact interval) and ``p_value`` (two-sided
        exact binomial test of the claimed proportion; for a claim of 1.0 it is
        0 as soon as one piece fails, 1 otherwise).

    Raises
    ------
    ColumnNotFoundError
        Without ``date`` or a `by` column, or a claim whose column is missing.
    ValueError
        For an unknown claim key or a claimed proportion outside [0, 1].

    Notes
    -----
    A claim is judged against the interval as well as the test: a claimed
    proportion outside ``[ci_low, ci_high]`` is not supported by the data.

    References
    ----------
    Clopper, C. J. & Pearson, E. S. (1934). The use of confidence or fiducial
    limits illustrated in the case of the binomial. *Biometrika* 26, 404-413.

    Examples
    --------
    >>> s = pd.DataFrame({
    ...     "submission_id": ["A", "B", "C", "D"],
    ...     "date": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-02-01", "2024-02-10"]),
    ...     "adopted": pd.array([True, True, False, True], dtype="boolean"),
    ...     "instructions": [1, 0, 0, 2],
    ...     "responded": pd.array([True, True, False, True], dtype="boolean"),
    ...     "response_date": pd.to_datetime(["2024-01-20", "2024-02-03", None, "2024-03-01"])})
    >>> r = tk.stats.submissions(s, claim={"instructed": 1.0})
    >>> r.claims[["measure", "claimed", "successes", "n", "p_value"]]
          measure  claimed  successes  n  p_value
    0  instructed      1.0          2  4      0.0
    """
    from toolkit._engines import is_large

    if is_large(data):  # a LazyTable (tk.io.scan) or a Dask DataFrame
        from toolkit.stats import _process_large

        return _process_large.submissions(data, by=by, claim=claim, level=level)
    frame = _table(data, "submissions")
    by = _by_list(by)
    _require(frame, ["date"], "submissions", "submissions")
    _require(frame, by, "submissions", "by")
    flags = pd.DataFrame(index=frame.index)
    if "adopted" in frame.columns:
        flags["adopted"] = _bool(frame["adopted"])
    if "instructions" in frame.columns:
        k = pd.to_numeric(frame["instructions"], errors="coerce")
        flags["instructed"] = (k > 0).astype("boolean").where(k.notna(), pd.NA)
    if "responded" in frame.columns:
        flags["responded"] = _bool(frame["responded"])
    for col in by:
        flags[col] = frame[col]
    dates = pd.to_datetime(frame["date"], errors="coerce")
    rdates = (pd.to_datetime(frame["response_date"], errors="coerce")
              if "response_date" in frame.columns else None)
    end = _end_of_data(dates, rdates)
    rates, lags, curves = [], [], []
    for key, sub in _groups(flags, by):
        for col, measure in _CLAIMS.items():
            if col in sub.columns:
                rates.append({**key, **_rate(measure, "submission", sub[col], level)})
        if rdates is not None and "responded" in sub.columns:
            done = sub["responded"].fillna(value=False).to_numpy(dtype=bool)
            rd = rdates.loc[sub.index]
            stop = rd.where(done, end)
            days = (stop - dates.loc[sub.index]).dt.days.astype(float)
            ok = (days.notna() & (days >= 0)).to_numpy() & ~(done & rd.isna().to_numpy())
            time = days.to_numpy()[ok]
            event = done[ok].astype(float)
            lags.append({**key, **_lag("days_to_response", time, event, int((~ok).sum()),
                                       level)})
            label = " / ".join(map(str, key.values())) if key else "all"
            curves.append(_curve(time, event, label, level))
    claims = []
    for measure, p0 in (claim or {}).items():
        if measure not in _CLAIMS:
            msg = (f"Unknown claim {measure!r} in `claim`; use {', '.join(_CLAIMS)} "
                   "(e.g. claim={'instructed': 1.0}).")
            raise ValueError(msg)
        if not 0 <= float(p0) <= 1:
            msg = f"The claimed proportion for {measure!r} must be between 0 and 1, not {p0}."
            raise ValueError(msg)
        if measure not in flags.columns:
            needed = {"adopted": "adopted", "instructed": "instructions",
                      "responded": "responded"}[measure]
            msg = f"The claim {measure!r} needs the column `{needed}` in the submissions table."
            raise ColumnNotFoundError(msg)
        row = _rate(measure, "submission", flags[measure], level, method="beta")
        n, k = row["n"], row["successes"]
        p = stats.binomtest(k, n, float(p0)).pvalue if n else np.nan
        claims.append({"measure": measure, "claimed": float(p0), "successes": k, "n": n,
                       "estimate": row["estimate"], "ci_low": row["ci_low"],
                       "ci_high": row["ci_high"], "p_value": float(p)})
    km = (pd.concat(curves, ignore_index=True).reindex(columns=KM_COLUMNS) if curves
          else pd.DataFrame(columns=KM_COLUMNS))
    return ProcessResult(
        "Submissions", by,
        rates=pd.DataFrame(rates, columns=[*by, *RATE_COLUMNS]),
        lags=pd.DataFrame(lags, columns=[*by, *LAG_COLUMNS]), km=km,
        claims=pd.DataFrame(claims, columns=["measure", "claimed", "successes", "n", "estimate",
                                             "ci_low", "ci_high", "p_value"]))
