"""Process and responsiveness: rates with confidence intervals, lags with Kaplan-Meier.

:func:`sessions` describes consultation sessions and their topics (consensus,
rounds to consensus, escalation, implementation and the time it takes);
:func:`submissions` describes proposals and opinion pieces (adoption, leaders'
instructions, responses and response time) and tests claims such as "every
piece gets an instruction". :func:`km_curve` gives Kaplan-Meier curves as a
frame that ``tk.plot`` can draw.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from toolkit._checks import as_table, require_columns
from toolkit.stats import _process_kernel as K
from toolkit.stats._process_result import ProcessResult
from toolkit.stats.survival import km_curve

__all__ = ["ProcessResult", "km_curve", "lag_table", "sessions", "submissions"]

# The column lists and claim names live in the kernel shared with the large-data path.
RATE_COLUMNS, LAG_COLUMNS, KM_COLUMNS = K.RATE_COLUMNS, K.LAG_COLUMNS, K.KM_COLUMNS


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


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


def _with_keys(keys: pd.DataFrame, by: list[str], frame: pd.DataFrame,
               columns: list[str]) -> pd.DataFrame:
    """`frame` (one row per group) with the group keys in front."""
    if by:
        frame = pd.concat([keys[by].reset_index(drop=True), frame.reset_index(drop=True)],
                          axis=1)
    return frame.reindex(columns=[*by, *columns])


# ---------------------------------------------------------------------------
# sessions
# ---------------------------------------------------------------------------


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
        f["_consensus"] = K.yes_no_series(f["consensus"], column="consensus", table="sessions")
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
        out["implemented"] = any_known(K.yes_no_series(f["implemented"], column="implemented",
                                                       table="sessions"))
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
    ValidationError
        When ``consensus`` or ``implemented`` holds something other than a
        yes/no answer (:func:`toolkit.schema.yes_no`); ``.problems`` lists the
        rows and values.

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
    frame = as_table(data, "sessions", where="tk.stats.sessions")
    by = _by_list(by)
    require_columns(frame, {"sessions": ["session_id", "date"]}, where="the sessions table")
    frame = _with_platform_group(frame, by)
    require_columns(frame, {"by": by}, where="the sessions table")
    topics = _topics(frame, by)
    end = K.end_of_data(frame["date"], frame.get("implemented_date"))
    codes, keys = K.group_codes(frame, by)
    n_groups = len(keys)
    if by:  # a topic belongs to the group of its first session's values
        index = keys.assign(_code=np.arange(n_groups))
        tcodes = topics[by].merge(index, on=by, how="left")["_code"]
        tcodes = tcodes.fillna(-1).to_numpy(dtype=np.int64)
    else:
        tcodes = np.zeros(len(topics), dtype=np.int64)
    measures = []
    rounds = pd.DataFrame(columns=[*by, "rounds", "n", "share"])
    extra = None
    if "consensus" in frame.columns:
        flag = K.yes_no_series(frame["consensus"], column="consensus", table="sessions")
        measures.append(("consensus_rate", "session", *K.flag_counts(codes, flag, n_groups)))
        measures.append(("topic_consensus_rate", "topic",
                         *K.flag_counts(tcodes, topics["consensus"].astype("boolean"),
                                        n_groups)))
        rounds, extra = _rounds(topics["rounds_to_consensus"], tcodes, keys, by, level)
    if "escalated" in topics.columns:
        measures.append(("escalation_rate", "topic",
                         *K.flag_counts(tcodes, topics["escalated"].astype("boolean"),
                                        n_groups)))
    lags = pd.DataFrame(columns=[*by, *LAG_COLUMNS])
    km = pd.DataFrame(columns=KM_COLUMNS)
    if "implemented" in topics.columns:
        impl = topics["implemented"].astype("boolean")
        measures.append(("implementation_rate", "topic",
                         *K.flag_counts(tcodes, impl, n_groups)))
        if "implemented_date" in topics.columns:
            done = impl.fillna(value=False).to_numpy(dtype=bool)
            time, event = K.response_times(topics["first_date"], done,
                                           topics["implemented_date"], end)
            lag, km = K.km_groups(tcodes, time, event, n_groups, level=level,
                                  labels=K.labels_of(keys, by),
                                  measure="days_to_implementation")
            lags = _with_keys(keys, by, lag, LAG_COLUMNS)
    rates = K.rate_rows(keys, by, measures, level)
    return ProcessResult("Sessions", by, rates=rates, lags=lags, km=km, rounds=rounds,
                         extra=extra)


def _rounds(rounds: pd.Series, codes: np.ndarray, keys: pd.DataFrame, by: list[str],
            level: float) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Distribution and mean (t interval) of the rounds to consensus in every group."""
    keep = rounds.notna().to_numpy() & (codes >= 0)
    rc = pd.DataFrame({"_g": codes[keep], "rounds": rounds.to_numpy()[keep].astype(float)})
    if not len(rc):
        return pd.DataFrame(columns=[*by, "rounds", "n", "share"]), None
    counts = rc.groupby(["_g", "rounds"], sort=True).size().reset_index(name="n")
    size = rc.groupby("_g").size()
    dist = keys.iloc[counts["_g"]].reset_index(drop=True) if by else pd.DataFrame(
        index=range(len(counts)))
    dist["rounds"] = counts["rounds"].astype(int).to_numpy()
    dist["n"] = counts["n"].to_numpy()
    dist["share"] = counts["n"].to_numpy() / size.loc[counts["_g"]].to_numpy()
    g = rc.groupby("_g")["rounds"]
    n, mean, sd = g.size(), g.mean(), g.std(ddof=1)
    with np.errstate(invalid="ignore"):
        q = stats.t.ppf((1 + level) / 2, n.to_numpy() - 1)
    half = np.where(n.to_numpy() > 1, q * sd.to_numpy() / np.sqrt(n.to_numpy()), np.nan)
    extra = keys.iloc[n.index].reset_index(drop=True) if by else pd.DataFrame(
        index=range(len(n)))
    extra["measure"] = "mean_rounds_to_consensus"
    extra["estimate"] = mean.to_numpy()
    extra["ci_low"] = mean.to_numpy() - half
    extra["ci_high"] = mean.to_numpy() + half
    extra["n"] = n.to_numpy()
    return dist, extra


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
    ArgumentError
        For an unknown claim key or a claimed proportion outside [0, 1].
    ValidationError
        When ``adopted`` or ``responded`` holds something other than a yes/no
        answer (:func:`toolkit.schema.yes_no`); ``.problems`` lists the rows
        and values.

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

    by = _by_list(by)
    if is_large(data):  # a LazyTable (tk.io.scan) or a Dask DataFrame: counted in the engine
        from toolkit.stats import _process_large

        keys, counts, lag = _process_large.submission_counts(data, by)
    else:
        frame = as_table(data, "submissions", where="tk.stats.submissions")
        require_columns(frame, {"date": "date", "by": by}, where="the submissions table")
        keys, counts, lag = _submission_counts(frame, by)
    n_groups = len(keys)
    rates = K.rate_rows(keys, by, [(K.CLAIMS[f], "submission", *kn)
                                   for f, kn in counts.items()], level)
    lags = pd.DataFrame(columns=[*by, *LAG_COLUMNS])
    km = pd.DataFrame(columns=KM_COLUMNS)
    if lag is not None:
        codes, time, event, count = lag
        lag_frame, km = K.km_groups(codes, time, event, n_groups, count=count, level=level,
                                    labels=K.labels_of(keys, by))
        lags = _with_keys(keys, by, lag_frame, LAG_COLUMNS)
    totals = {f: (int(k.sum()), int(n.sum())) for f, (k, n) in counts.items()}
    return ProcessResult("Submissions", by, rates=rates, lags=lags, km=km,
                         claims=K.claim_rows(claim, totals, level))


def _submission_counts(frame: pd.DataFrame, by: list[str]
                       ) -> tuple[pd.DataFrame, dict[str, tuple[np.ndarray, np.ndarray]],
                                  tuple[np.ndarray, ...] | None]:
    """Group keys, flag counts by group and the (group, time, event) of every row."""
    flags = K.submission_flags(frame)
    codes, keys = K.group_codes(frame, by)
    counts = {f: K.flag_counts(codes, flags[f], len(keys)) for f in K.CLAIMS if f in flags}
    lag = None
    if "response_date" in frame.columns and "responded" in flags.columns:
        dates = pd.to_datetime(frame["date"], errors="coerce")
        rdates = pd.to_datetime(frame["response_date"], errors="coerce")
        done = flags["responded"].fillna(value=False).to_numpy(dtype=bool)
        time, event = K.response_times(dates, done, rdates, K.end_of_data(dates, rdates))
        lag = (codes, time, event, None)
    return keys, counts, lag


def lag_table(
    data: Any,
    *,
    kind: str = "submissions",
    by: str | Sequence[str] | None = None,
) -> pd.DataFrame:
    """One row per submission (or topic) with its lag in days and whether the event happened.

    The input of :func:`toolkit.stats.km_curve`, :func:`toolkit.stats.logrank`
    and :func:`toolkit.stats.cox`: the same lags ``submissions``/``sessions``
    summarise, row by row.

    Parameters
    ----------
    data : Study or pandas.DataFrame
        A Study or its submissions (sessions) table.
    kind : {"submissions", "sessions"}, default "submissions"
        ``"submissions"``: days from submission to response; ``"sessions"``:
        days from a topic's first session to its implementation.
    by : str or list of str, optional
        Columns of a topic (its first session's values) to carry, for
        ``kind="sessions"``; the submissions table keeps all its columns.

    Returns
    -------
    pandas.DataFrame
        The table's rows (topics for sessions) with ``days`` and ``event``
        (True: responded / implemented; False: censored at the end of the
        data). Rows whose lag cannot be known (negative, or an event without
        its date) are left out; their number is in ``.attrs["n_excluded"]``.

    Examples
    --------
    >>> s = pd.DataFrame({
    ...     "date": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-02-01"]),
    ...     "channel": ["提案", "提案", "社情民意信息"],
    ...     "responded": [True, False, True],
    ...     "response_date": pd.to_datetime(["2024-01-20", None, "2024-02-03"])})
    >>> tk.stats.lag_table(s)[["channel", "days", "event"]]
      channel  days  event
    0      提案  19.0   True
    1      提案  31.0  False
    2  社情民意信息   2.0   True
    """
    from toolkit._checks import check_choice

    check_choice(kind, ["submissions", "sessions"], param="kind")
    by = _by_list(by)
    frame = as_table(data, kind, where="tk.stats.lag_table")
    if kind == "submissions":
        require_columns(frame, {"lag_table": ["date", "responded", "response_date"]},
                        where="the submissions table")
        flags = K.submission_flags(frame[["responded"]])
        start = pd.to_datetime(frame["date"], errors="coerce")
        stop = pd.to_datetime(frame["response_date"], errors="coerce")
        end = K.end_of_data(start, stop)
        rows = frame
    else:
        require_columns(frame, {"lag_table": ["session_id", "date", "implemented",
                                              "implemented_date"]},
                        where="the sessions table")
        frame = _with_platform_group(frame, by)
        require_columns(frame, {"by": by}, where="the sessions table")
        rows = _topics(frame, by)
        flags = pd.DataFrame({"responded": rows["implemented"].astype("boolean")})
        start, stop = rows["first_date"], rows["implemented_date"]
        end = K.end_of_data(frame["date"], frame["implemented_date"])
    done = flags["responded"].fillna(value=False).to_numpy(dtype=bool)
    time, _ = K.response_times(start, done, stop, end)
    keep = ~np.isnan(time)
    out = rows.loc[keep].assign(days=time[keep], event=done[keep])
    out.attrs["n_excluded"] = int((~keep).sum())
    return out
