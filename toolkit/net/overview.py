"""Coverage (全覆盖) of communities and networks over time."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from toolkit._summary import Summary
from toolkit.net.build import _PERSONAL, _need_study, project, two_mode
from toolkit.schema import MEMBER_TYPES
from toolkit.study import Study

__all__ = ["GAPS", "STATUSES", "Coverage", "Snapshots", "by_period", "coverage", "gap_status"]

PeriodLike = str | pd.Period | tuple[Any, Any] | None

#: The gaps a community can have, in the order they are reported.
GAPS: tuple[str, ...] = ("no_member", "no_room", "no_session")

#: Values of the ``status`` column of :attr:`Coverage.communities`.
STATUSES: tuple[str, ...] = ("covered", "no_member", "no_room", "no_session", "several",
                             "unknown")


def gap_status(flags: pd.DataFrame) -> pd.Series:
    """The coverage status of each row of a frame of gap flags.

    Parameters
    ----------
    flags : pandas.DataFrame
        Any of the boolean columns ``no_member``, ``no_room``, ``no_session``
        (or their negations ``has_member``, ``has_room``, ``has_session``);
        missing values (NA) mean "not recorded".

    Returns
    -------
    pandas.Series
        ``"covered"`` (no gap), ``"no_member"``, ``"no_room"`` or
        ``"no_session"`` (exactly one gap known), ``"several"`` (more than one),
        ``"unknown"`` (no gap known but a flag not recorded, so coverage cannot
        be decided), aligned with `flags`.

    Raises
    ------
    ValueError
        When `flags` has none of the gap columns.

    Examples
    --------
    >>> from toolkit.net.overview import gap_status
    >>> f = pd.DataFrame({"no_member": [False, True, True, False],
    ...                   "no_room": pd.array([False, False, True, None], dtype="boolean")})
    >>> gap_status(f).tolist()
    ['covered', 'no_member', 'several', 'unknown']
    """
    gaps = {}
    for gap in GAPS:
        has = "has_" + gap.removeprefix("no_")
        if gap in flags.columns:
            gaps[gap] = flags[gap].astype("boolean")
        elif has in flags.columns:
            gaps[gap] = ~flags[has].astype("boolean")
    if not gaps:
        msg = ("`flags` has none of the coverage columns no_member, no_room, no_session "
               "(or has_member, has_room, has_session); pass the output of "
               "`tk.net.coverage(study).to_frame()`.")
        raise ValueError(msg)
    known = np.sum([g.to_numpy(dtype=bool, na_value=False) for g in gaps.values()], axis=0)
    unknown = np.sum([g.isna().to_numpy() for g in gaps.values()], axis=0)
    status = np.full(len(flags), "covered", dtype=object)
    status[(known == 0) & (unknown > 0)] = "unknown"
    for gap, values in gaps.items():
        status[values.to_numpy(dtype=bool, na_value=False) & (known == 1)] = gap
    status[known > 1] = "several"
    return pd.Series(status, index=flags.index, name="status")


def _period_bounds(period: PeriodLike) -> tuple[pd.Timestamp | None, pd.Timestamp | None, str]:
    """Start, end (inclusive) and a label for `period`."""
    if period is None:
        return None, None, "all"
    if isinstance(period, tuple):
        if len(period) != 2:
            msg = "`period` as a tuple must be (start, end), e.g. ('2023-01-01', '2023-06-30')."
            raise ValueError(msg)
        start = pd.Timestamp(period[0]) if period[0] is not None else None
        end = pd.Timestamp(period[1]) if period[1] is not None else None
        return start, end, f"{period[0]}–{period[1]}"
    try:
        per = period if isinstance(period, pd.Period) else pd.Period(str(period))
    except ValueError as exc:
        msg = (f"Could not read `period` {period!r}; use e.g. '2023', '2023Q4', '2023-11' "
               "or a (start, end) tuple.")
        raise ValueError(msg) from exc
    return per.start_time, per.end_time, str(per)


def _in_period(dates: pd.Series, start: pd.Timestamp | None, end: pd.Timestamp | None
               ) -> pd.Series:
    d = pd.to_datetime(dates, errors="coerce")
    keep = pd.Series(data=True, index=dates.index)
    if start is not None:
        keep &= d >= start
    if end is not None:
        keep &= d <= end
    return keep.fillna(value=False).astype(bool)


@dataclass(frozen=True, repr=False)
class Coverage:
    """The 全覆盖 check of a study.

    Attributes
    ----------
    communities : pandas.DataFrame
        One row per village/community: ``unit_id``, ``name``, ``parent_id``,
        ``parent_name`` (the town or street), ``n_members``, ``has_room``,
        ``n_sessions``, ``no_member``, ``no_room``, ``no_session``, ``covered``,
        ``status`` (see :func:`gap_status`).
    members_without_community : pandas.DataFrame
        Members (CPPCC members, NPC deputies) with no community or an unknown
        one: ``participant_id``, ``type``, ``unit_id`` and their other
        non-personal columns.
    period : str
        The period checked.
    """

    communities: pd.DataFrame
    members_without_community: pd.DataFrame
    period: str

    def to_frame(self) -> pd.DataFrame:
        """The per-community table."""
        return self.communities.copy()

    def by_town(self) -> pd.DataFrame:
        """Counts per town or street (the parent unit of the communities).

        Returns
        -------
        pandas.DataFrame
            One row per town, in the order of its name: ``parent_id``,
            ``parent_name``, ``n_communities``, ``n_with_member``,
            ``n_with_room``, ``n_with_session``, ``n_covered`` (a flag not
            recorded counts as not known to be there).

        Examples
        --------
        >>> units = pd.DataFrame({"unit_id": ["T1", "C1", "C2"], "name": ["甲镇", "一村", "二村"],
        ...                       "level": ["镇街", "村社区", "村社区"],
        ...                       "parent_id": [None, "T1", "T1"], "has_room": [None, True, True]})
        >>> people = pd.DataFrame({"participant_id": ["M1"], "type": ["人大代表"],
        ...                        "unit_id": ["C1"]})
        >>> cov = tk.net.coverage(tk.Study(units=units, participants=people))
        >>> cov.by_town()[["parent_name", "n_communities", "n_with_member", "n_covered"]]
          parent_name  n_communities  n_with_member  n_covered
        0          甲镇              2              1          0
        """
        c = self.communities
        known = {"n_with_member": ~c["no_member"], "n_with_room": c["has_room"],
                 "n_with_session": ~c["no_session"], "n_covered": c["covered"]}
        counts = pd.DataFrame({k: v.astype("boolean").fillna(value=False).astype("int64")
                               for k, v in known.items()})
        keys = pd.DataFrame({"parent_id": c["parent_id"].astype(object),
                             "parent_name": c["parent_name"].astype(object)})
        frame = pd.concat([keys.fillna(""), counts.assign(n_communities=1)], axis=1)
        out = (frame.groupby(["parent_name", "parent_id"], sort=True, dropna=False)
               .sum().reset_index())
        cols = ["parent_id", "parent_name", "n_communities", *known]
        return out[cols].astype({k: "int64" for k in ["n_communities", *known]})

    def summary(self) -> Summary:
        """Counts of communities lacking a member, a room or a session; counts per town."""
        c = self.communities
        n = len(c)
        counts = {key: int(c[key].sum()) for key in ("covered", "no_member", "no_room",
                                                     "no_session")}
        lost = len(self.members_without_community)
        text = (f"Period {self.period}: {n} communities; {counts['covered']} fully "
                f"covered; without a member {counts['no_member']}, without a room "
                f"{counts['no_room']}, without a session {counts['no_session']}; "
                f"{lost} member(s) without a community.")
        info = [("Period", str(self.period)), ("Communities", str(n)),
                ("Fully covered", str(counts["covered"])),
                ("Without a member", str(counts["no_member"])),
                ("Without a room", str(counts["no_room"])),
                ("Without a session", str(counts["no_session"])),
                ("Members without a community", str(lost))]
        return Summary("Coverage (全覆盖)", info, self.by_town(), text=text, was="str")

    def __repr__(self) -> str:
        c = self.communities
        return (f"Coverage(period={self.period!r}, communities={len(c)}, "
                f"covered={int(c['covered'].sum())}, "
                f"members_without_community={len(self.members_without_community)})")

    def _repr_html_(self) -> str:
        gaps = self.communities[~self.communities["covered"].fillna(value=False).astype(bool)]
        return (f"<p>{html.escape(self.summary().as_text())}</p>"
                + gaps.head(50).to_html(index=False))


def coverage(study: Study, *, period: PeriodLike = None) -> Coverage:
    """Check 全覆盖: communities without a member, a room or a session; members without one.

    Parameters
    ----------
    study : Study
        Needs ``units`` (communities are units of level 村社区); uses
        ``participants`` (members are the types of
        :data:`toolkit.schema.MEMBER_TYPES`, 政协委员 and 人大代表, assigned to a
        community by ``unit_id``) and ``sessions`` (held at ``unit_id``, dated
        ``date``).
    period : str, pandas.Period or (start, end), optional
        Count only sessions in this period (``"2023"``, ``"2023Q4"``,
        ``"2023-11"``, or inclusive dates). Default: all sessions.

    Returns
    -------
    Coverage
        ``.communities`` (``unit_id``, ``name``, ``parent_id``, ``parent_name``,
        ``n_members``, ``has_room``, ``n_sessions``, ``no_member``, ``no_room``,
        ``no_session``, ``covered``, ``status``; ``has_room``/``no_room`` stay
        missing where the table does not say, and so does ``covered`` when that
        decides it: its ``status`` is then ``"unknown"``),
        ``.members_without_community``, ``.by_town()``, ``.summary()``,
        ``.to_frame()``.

    Raises
    ------
    KeyError
        When the study has no ``units`` table.

    Examples
    --------
    >>> units = pd.DataFrame({"unit_id": ["T1", "C1", "C2"], "name": ["甲镇", "一村", "二村"],
    ...                       "level": ["镇街", "村社区", "村社区"],
    ...                       "parent_id": [None, "T1", "T1"],
    ...                       "has_room": pd.array([None, True, False], dtype="boolean")})
    >>> people = pd.DataFrame({"participant_id": ["M1", "M2"], "type": ["政协委员"] * 2,
    ...                        "unit_id": ["C1", None]})
    >>> sessions = pd.DataFrame({"session_id": ["S1"], "unit_id": ["C1"],
    ...                          "date": pd.to_datetime(["2023-11-08"])})
    >>> cov = tk.net.coverage(tk.Study(units=units, participants=people, sessions=sessions))
    >>> cov.to_frame()[["unit_id", "n_members", "n_sessions", "covered", "status"]]
      unit_id  n_members  n_sessions  covered   status
    0      C1          1           1     True  covered
    1      C2          0           0    False  several
    >>> cov.members_without_community.participant_id.tolist()
    ['M2']
    """
    _need_study(study, "tk.net.coverage")
    units = study.require("units", "unit_id", "level")
    start, end, label = _period_bounds(period)
    level = units["level"].astype("string")
    comm = units[level.isin(["村社区"]).fillna(value=False).to_numpy()].copy()
    out = pd.DataFrame({
        "unit_id": comm["unit_id"].to_numpy(),
        "name": comm["name"].to_numpy() if "name" in comm else None,
        "parent_id": comm["parent_id"].to_numpy() if "parent_id" in comm else None,
    })
    names = (units.drop_duplicates("unit_id").set_index("unit_id")["name"]
             if "name" in units else pd.Series(dtype=object))
    out["parent_name"] = out["parent_id"].map(names).astype(object)
    members = pd.DataFrame(columns=["participant_id", "type", "unit_id"])
    if study.participants is not None:
        people = study.participants
        types = people["type"].astype("string") if "type" in people else None
        is_member = types.isin(MEMBER_TYPES).fillna(value=False) if types is not None else \
            pd.Series(data=False, index=people.index)
        cols = [c for c in people.columns if c not in _PERSONAL]
        members = people.loc[is_member.to_numpy(), cols]
    unit_of = members["unit_id"] if "unit_id" in members else pd.Series(dtype=object)
    counts = unit_of.value_counts()
    out["n_members"] = out["unit_id"].map(counts).fillna(0).astype(int)
    if "has_room" in comm:
        out["has_room"] = pd.array(comm["has_room"].to_numpy(), dtype="boolean")
    else:
        out["has_room"] = pd.array([pd.NA] * len(out), dtype="boolean")
    n_sessions = pd.Series(0, index=out.index)
    if study.sessions is not None and "unit_id" in study.sessions:
        ses = study.sessions
        if "date" in ses:
            ses = ses[_in_period(ses["date"], start, end).to_numpy()]
        n_sessions = out["unit_id"].map(ses["unit_id"].value_counts()).fillna(0).astype(int)
    out["n_sessions"] = n_sessions.to_numpy()
    out["no_member"] = pd.array(out["n_members"].to_numpy() == 0, dtype="boolean")
    out["no_room"] = ~out["has_room"]
    out["no_session"] = pd.array(out["n_sessions"].to_numpy() == 0, dtype="boolean")
    out["covered"] = ~(out["no_member"] | out["no_room"] | out["no_session"])
    out["status"] = gap_status(out[list(GAPS)]).to_numpy()
    known = set(out["unit_id"])
    lost = members[~unit_of.isin(known).fillna(value=False).to_numpy()] if len(members) else members
    return Coverage(out, lost.reset_index(drop=True), label)


# ---------------------------------------------------------------------------
# by period


@dataclass(frozen=True, repr=False)
class Snapshots:
    """Networks of successive periods and their summary metrics.

    Attributes
    ----------
    metrics : pandas.DataFrame
        One row per period (see :func:`by_period`).
    attendance : dict
        Period label → the attendance rows of that period.
    """

    metrics: pd.DataFrame
    attendance: dict[str, pd.DataFrame] = field(default_factory=dict)
    actor: str = "participant_id"
    event: str = "session_id"

    def to_frame(self) -> pd.DataFrame:
        """The per-period metrics."""
        return self.metrics.copy()

    def graph(self, period: str, *, weight: str = "count") -> nx.Graph:
        """The participant network (one-mode projection) of one period."""
        if period not in self.attendance:
            msg = (f"No period {period!r}; periods are {list(self.attendance)}.")
            raise KeyError(msg)
        return project(two_mode(self.attendance[period], actor=self.actor, event=self.event),
                       weight=weight)

    def summary(self) -> Summary:
        """Summary: the per-period metrics."""
        return Summary("Networks by period", [("Periods", str(len(self.metrics)))],
                       self.to_frame(), text=self.metrics.round(3).to_string(index=False),
                       was="str")

    def __repr__(self) -> str:
        return f"Snapshots(periods={len(self.metrics)})"

    def _repr_html_(self) -> str:
        return self.metrics.round(3).to_html(index=False)


def by_period(study: Study, *, freq: str = "Q") -> Snapshots:
    """Participant networks period by period, with summary metrics.

    Sessions are grouped by the period of their ``date``; for each period the
    attendance of its sessions is projected onto participants (two are tied
    when they attended a session together).

    Parameters
    ----------
    study : Study
        Needs ``sessions`` (``session_id``, ``date``) and ``attendance``.
    freq : str, default "Q"
        A pandas period frequency: ``"Y"`` years, ``"Q"`` quarters, ``"M"``
        months.

    Returns
    -------
    Snapshots
        ``.to_frame()`` with one row per period: ``period``, ``start``,
        ``end``, ``n_sessions``, ``n_participants`` (active), ``n_new``
        (first seen in this period), ``n_attendances``, ``n_ties``,
        ``density``, ``mean_degree``, ``n_components``,
        ``largest_component_share``, ``n_units`` (places with a session);
        ``.graph(period)`` gives that period's network.

    Examples
    --------
    >>> sessions = pd.DataFrame({"session_id": ["S1", "S2", "S3"],
    ...                          "date": pd.to_datetime(["2023-01-05", "2023-02-01",
    ...                                                  "2023-04-02"]),
    ...                          "unit_id": ["C1", "C1", "C2"]})
    >>> att = pd.DataFrame({"session_id": ["S1", "S1", "S2", "S3", "S3"],
    ...                     "participant_id": ["P1", "P2", "P3", "P1", "P4"]})
    >>> snaps = tk.net.by_period(tk.Study(sessions=sessions, attendance=att))
    >>> snaps.to_frame()[["period", "n_sessions", "n_participants", "n_new", "n_ties"]]
       period  n_sessions  n_participants  n_new  n_ties
    0  2023Q1           2               3      3       1
    1  2023Q2           1               2      1       1
    """
    _need_study(study, "tk.net.by_period")
    ses = study.require("sessions", "session_id", "date")
    att = study.require("attendance", "session_id", "participant_id")
    dates = pd.to_datetime(ses["date"], errors="coerce")
    try:
        periods = dates.dt.to_period(freq)
    except ValueError as exc:
        msg = f"`freq` {freq!r} is not a pandas period frequency; use 'Y', 'Q' or 'M'."
        raise ValueError(msg) from exc
    period_of = pd.Series(periods.to_numpy(), index=ses["session_id"].to_numpy())
    att_period = att["session_id"].map(period_of)
    seen: set = set()
    rows = []
    frames: dict[str, pd.DataFrame] = {}
    for per in sorted(periods.dropna().unique()):
        in_ses = ses[(periods == per).to_numpy()]
        sub = att[(att_period == per).to_numpy()][["participant_id", "session_id"]]
        label = str(per)
        frames[label] = sub.reset_index(drop=True)
        people = pd.unique(sub["participant_id"])
        n = len(people)
        new = len(set(people.tolist()) - seen)
        seen |= set(people.tolist())
        n_ties = 0
        n_comp = 0
        largest = np.nan
        if n:
            proj = project(sub, output="sparse")
            W = proj.matrix.copy()
            W.setdiag(0)
            W.eliminate_zeros()
            n_ties = W.nnz // 2
            n_comp, labels = connected_components(sp.csr_array(W > 0), directed=False)
            largest = np.bincount(labels).max() / n
        rows.append({
            "period": label, "start": per.start_time, "end": per.end_time.normalize(),
            "n_sessions": len(in_ses), "n_participants": n, "n_new": new,
            "n_attendances": len(sub), "n_ties": int(n_ties),
            "density": 2 * n_ties / (n * (n - 1)) if n > 1 else np.nan,
            "mean_degree": 2 * n_ties / n if n else np.nan,
            "n_components": int(n_comp), "largest_component_share": largest,
            "n_units": int(in_ses["unit_id"].nunique()) if "unit_id" in in_ses else 0,
        })
    return Snapshots(pd.DataFrame(rows), frames)
