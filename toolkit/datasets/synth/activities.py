"""The members' activity ledger (委员履职台账) with a planted latent engagement.

Each of the 245 members has a latent *engagement* (:func:`draw_engagement`), a number
on a standard-normal scale. It drives the new indicators of the ledger: attendance at
the plenary sittings (全会) and, for the 40 standing-committee members, at the standing
committee (常委会); inspections (视察调研); contacts with the public (联系群众); studio
receptions (委员工作室接待); training (培训); and co-signing other members' proposals
(提案（联名）). Each count or rate carries its own noise: a member-and-indicator random
effect (SD :data:`ENGAGEMENT["style_sd"]`) and the Poisson or Bernoulli draw.

The members' own submissions (proposals, opinion information, speeches) were drawn
before, independently of engagement, and must stay as they are; the ledger links them
by ``submission_id`` instead of repeating them. So that the ledger hangs together,
engagement is drawn *given* them: it correlates :data:`ENGAGEMENT["rho_existing"]` with
a member's standardised count of submissions and consultation sessions attended.

A proposal filed for handling (立案, the submission's ``adopted``) is adopted (采纳) with
a probability set by its true text topic (:data:`~.topics.ADOPTION_LOGODDS`).

Everything here draws from its own stream, ``np.random.default_rng([seed, 1])``, so the
tables drawn before are untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from toolkit.datasets.synth.topics import (
    ADOPTION_INTERCEPT,
    ADOPTION_LOGODDS,
    TOPIC_OF_TEMPLATE,
    template_of_title,
)

__all__ = ["COMPOSITE_INDICATORS", "ENGAGEMENT", "STREAM", "adoption_topics", "composite",
           "draw_activities", "draw_engagement", "member_indicators"]

#: Stream id of the ledger: ``np.random.default_rng([seed, STREAM])``.
STREAM = 1

#: Parameters of the engagement model (the planted truth of the ledger).
ENGAGEMENT: dict[str, float] = {
    "rho_existing": 0.5,      # corr(engagement, standardised existing activity)
    "n_inactive": 12,         # members largely inactive: engagement shifted down
    "inactive_shift": -1.5,
    "style_sd": 0.4,          # member x indicator random effect on the log / logit scale
    # plenary sittings: P(attend) = logistic(a + b e); absent sittings 请假 or 缺席
    "plenary_a": 2.4, "plenary_b": 0.9,
    "standing_a": 2.0, "standing_b": 0.9,
    "absent_a": -0.8, "absent_b": -0.8,  # P(缺席 | not attended) = logistic(a + b e)
    "n_standing": 40,
    "missing_record_p": 0.02,  # sign-in records lost at random
    # counts over 2022-2023: Poisson(exp(log(mean) + b e + style))
    "inspection_mean": 2.5, "inspection_b": 0.5,
    "contact_mean": 1.5, "contact_b": 0.6,          # per quarter, 8 quarters
    "reception_mean": 1.2, "reception_b": 0.7,
    "training_a": 1.0, "training_b": 0.7,           # P(attend one of 11 trainings)
    "cosign_per_proposal": 1.2, "cosign_b": 0.8,    # co-signers per proposal; weight exp(b e)
    "cosign_same_committee": 3.0,                   # weight multiplier, same committee
}

#: The planted indicators of the composite (column of :func:`member_indicators` → meaning).
COMPOSITE_INDICATORS: dict[str, str] = {
    "plenary_rate": "全会出席率: sittings attended / sittings recorded for the member",
    "inspections": "视察调研: number of inspection or research visits",
    "contacts": "联系群众: times in contact with the public (sum of `count`)",
    "receptions": "委员工作室接待: studio receptions",
    "trainings": "培训: trainings attended",
    "cosigned": "提案（联名）: proposals co-signed",
}

#: The two plenary sessions (全会) and their five sittings each.
PLENARIES = (
    ("区政协第九届委员会第一次会议", ("2022-01-11", "2022-01-11", "2022-01-12", "2022-01-12",
                                       "2022-01-13")),
    ("区政协第九届委员会第二次会议", ("2023-01-10", "2023-01-10", "2023-01-11", "2023-01-11",
                                       "2023-01-12")),
)
_SITTINGS = ("开幕大会", "小组讨论（一）", "大会发言", "小组讨论（二）", "闭幕大会")
_STANDING_DATES = ("2022-02-24", "2022-04-21", "2022-06-23", "2022-08-25", "2022-10-27",
                   "2022-12-22", "2023-02-23", "2023-04-20", "2023-06-21", "2023-08-24",
                   "2023-10-26", "2023-12-21")
_TRAININGS = (
    ("2022-03-15", "第九届区政协委员岗前培训"),
    ("2022-05-18", "委员履职能力提升培训班"),
    ("2022-07-06", "专题讲座：全过程人民民主的基层实践"),
    ("2022-09-14", "专题讲座：如何撰写高质量提案"),
    ("2022-11-09", "专题讲座：社情民意信息的选题与写作"),
    ("2023-04-12", "委员履职能力提升培训班"),
    ("2023-05-24", "专题讲座：基层协商议事的方法"),
    ("2023-07-12", "委员读书活动暨履职培训"),
    ("2023-09-20", "专题讲座：乡村振兴与产业发展"),
    ("2023-10-18", "专题讲座：城市更新与老旧小区改造"),
    ("2023-11-15", "年度履职培训暨述职交流会"),
)
_INSPECTION_THEMES = (
    "老旧小区改造", "农村人居环境整治", "养老服务体系建设", "学前教育普惠发展", "营商环境",
    "垃圾分类工作", "背街小巷改造", "基层医疗服务", "乡村产业发展", "社区食堂建设",
    "交通秩序整治", "河道治理",
)
_KIND_ORDER = {k: i for i, k in enumerate((
    "全会出席", "常委会出席", "提案（领衔）", "提案（联名）", "社情民意信息", "大会发言",
    "视察调研", "联系群众", "委员工作室接待", "培训"))}
_CHANNEL_KIND = {"提案": "提案（领衔）", "社情民意信息": "社情民意信息", "大会发言": "大会发言"}


def _z(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    return (values - values.mean()) / values.std()


def _logistic(x: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def draw_engagement(rng: np.random.Generator, members: Sequence[str],
                    submissions: pd.DataFrame, attendance: pd.DataFrame) -> pd.DataFrame:
    """Each member's latent engagement, drawn given their existing activity.

    ``engagement = rho * z(existing) + sqrt(1 - rho^2) * N(0, 1)``, where ``existing`` is
    the mean of the standardised counts of the member's submissions and consultation
    sessions attended (standardised again); then :data:`ENGAGEMENT["n_inactive"]`
    members drawn at random are shifted by ``inactive_shift``.

    Returns
    -------
    pandas.DataFrame
        ``member_id, engagement, inactive, existing_activity``, one row per member.
    """
    p = ENGAGEMENT
    members = list(members)
    n_subs = submissions.groupby("author_id").size().reindex(members, fill_value=0)
    n_att = attendance.groupby("participant_id").size().reindex(members, fill_value=0)
    existing = _z((_z(n_subs.to_numpy()) + _z(n_att.to_numpy())) / 2)
    rho = p["rho_existing"]
    engagement = rho * existing + np.sqrt(1 - rho**2) * rng.standard_normal(len(members))
    inactive = np.zeros(len(members), dtype=bool)
    inactive[rng.choice(len(members), int(p["n_inactive"]), replace=False)] = True
    engagement = engagement + np.where(inactive, p["inactive_shift"], 0.0)
    return pd.DataFrame({"member_id": members, "engagement": engagement, "inactive": inactive,
                         "existing_activity": existing})


def _meeting_rows(rng: np.random.Generator, kind: str, meetings: list[tuple[str, str]],
                  members: list[str], e: dict[str, float], a: float, b: float,
                  style: dict[str, float]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """One row per member and meeting (出席/请假/缺席); some records lost."""
    p = ENGAGEMENT
    rows: list[dict[str, Any]] = []
    lost: dict[str, int] = dict.fromkeys(members, 0)
    for date, title in meetings:
        for m in members:
            attend = rng.random() < _logistic(a + b * e[m] + style[m])
            if attend:
                outcome = "出席"
            else:
                outcome = "缺席" if rng.random() < _logistic(
                    p["absent_a"] + p["absent_b"] * e[m]) else "请假"
            if rng.random() < p["missing_record_p"]:
                lost[m] += 1
                continue
            rows.append({"member_id": m, "date": date, "kind": kind, "title": title,
                         "count": 1, "outcome": outcome})
    return rows, lost


def draw_activities(seed: int, *, participants: pd.DataFrame, units: pd.DataFrame,
                    submissions: pd.DataFrame, attendance: pd.DataFrame,
                    topics: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The activity ledger and the members' hidden truth.

    Parameters
    ----------
    seed : int
        Seed of the study; the ledger draws from ``default_rng([seed, STREAM])``.
    participants, units, submissions, attendance : pandas.DataFrame
        The tables drawn before (canonical columns).
    topics : pandas.Series
        True text topic of each submission, indexed by ``submission_id``.

    Returns
    -------
    (activities, truth) : tuple of pandas.DataFrame
        ``activities`` in canonical columns (see the datasheet); ``truth`` one row per
        member: engagement, flags, expected and recorded meetings, the planted
        indicators and the composite (``truth/member_engagement.csv``).
    """
    rng = np.random.default_rng([seed, STREAM])
    p = ENGAGEMENT
    people = participants.set_index("participant_id")
    members = sorted(people.index[people["type"] == "政协委员"])
    truth = draw_engagement(rng, members, submissions, attendance).set_index("member_id")
    e = truth["engagement"].to_dict()
    indicators = ("plenary", "standing", "inspection", "contact", "reception", "training",
                  "cosign")
    style = {k: dict(zip(members, rng.normal(0, p["style_sd"], len(members)), strict=True))
             for k in indicators}
    standing = sorted(rng.choice(members, int(p["n_standing"]), replace=False))
    truth["standing_committee"] = truth.index.isin(standing)
    rows: list[dict[str, Any]] = []
    # 全会: five sittings of each plenary; one committee's sign-in sheet of one sitting lost
    sittings = [(d, f"{name}·{_SITTINGS[k]}") for name, dates in PLENARIES
                for k, d in enumerate(dates)]
    plenary, lost = _meeting_rows(rng, "全会出席", sittings, members, e, p["plenary_a"],
                                  p["plenary_b"], style["plenary"])
    lost_sheet = (sittings[8][1], "农业农村委员会")
    committee = people["committee"].astype(str).to_dict()
    for r in plenary:
        if r["title"] == lost_sheet[0] and committee[r["member_id"]] == lost_sheet[1]:
            lost[r["member_id"]] += 1
    plenary = [r for r in plenary
               if not (r["title"] == lost_sheet[0] and committee[r["member_id"]] == lost_sheet[1])]
    rows += plenary
    truth["plenary_expected"] = len(sittings)
    truth["plenary_recorded"] = truth["plenary_expected"] - pd.Series(lost)
    # 常委会: the standing-committee members only
    meetings = [(d, f"区政协九届常委会第{k + 1}次会议") for k, d in enumerate(_STANDING_DATES)]
    stand_rows, lost_s = _meeting_rows(rng, "常委会出席", meetings, standing, e,
                                       p["standing_a"], p["standing_b"], style["standing"])
    rows += stand_rows
    truth["standing_expected"] = np.where(truth["standing_committee"], len(meetings), 0)
    truth["standing_recorded"] = truth["standing_expected"] - pd.Series(lost_s).reindex(
        truth.index, fill_value=0)
    # the members' own submissions, linked; a filed proposal may be adopted (采纳)
    own = submissions[submissions["author_id"].isin(members)].sort_values("submission_id")
    proposals = []
    for s in own.itertuples():
        kind = _CHANNEL_KIND[s.channel]
        if kind == "提案（领衔）":
            if s.adopted:
                eta = ADOPTION_INTERCEPT + ADOPTION_LOGODDS[topics[s.submission_id]]
                outcome = "采纳" if rng.random() < _logistic(eta) else "立案"
            else:
                outcome = "未立案"
            proposals.append((s.submission_id, s.author_id, s.date, outcome))
        else:
            outcome = "采纳" if s.adopted else "未采用"
        rows.append({"member_id": s.author_id, "date": s.date, "kind": kind, "count": 1,
                     "outcome": outcome, "submission_id": s.submission_id})
    # co-signers: more engaged members, and members of the author's committee, sign more
    weight = np.exp(p["cosign_b"] * (truth["engagement"].to_numpy()
                                     + np.array([style["cosign"][m] for m in members])))
    for sid, author, date, outcome in proposals:
        w = weight * np.where([committee[m] == committee[author] for m in members],
                              p["cosign_same_committee"], 1.0)
        w[members.index(author)] = 0.0
        k = min(int(rng.poisson(p["cosign_per_proposal"])), 8)
        for m in rng.choice(members, k, replace=False, p=w / w.sum()):
            rows.append({"member_id": str(m), "date": date, "kind": "提案（联名）", "count": 1,
                         "outcome": outcome, "submission_id": sid})
    # inspections, contacts, receptions, training
    towns = units.loc[units["level"] == "镇街", ["unit_id", "name"]].to_numpy().tolist()
    town_of = dict(zip(units["unit_id"], units["parent_id"], strict=True))
    start, days = pd.Timestamp("2022-01-01"), 730
    for m in members:
        lam = np.exp(np.log(p["inspection_mean"]) + p["inspection_b"] * e[m]
                     + style["inspection"][m])
        for _ in range(int(rng.poisson(lam))):
            unit_id, town = towns[int(rng.integers(len(towns)))]
            theme = _INSPECTION_THEMES[int(rng.integers(len(_INSPECTION_THEMES)))]
            kind_word = "专题视察" if rng.random() < 0.5 else "专题调研"
            rows.append({"member_id": m, "date": start + pd.Timedelta(
                days=int(rng.integers(days))), "kind": "视察调研", "count": 1,
                "title": f"赴{town}开展{theme}{kind_word}", "unit_id": unit_id})
        for q in range(8):
            lam = np.exp(np.log(p["contact_mean"]) + p["contact_b"] * e[m]
                         + style["contact"][m])
            n = int(rng.poisson(lam))
            if n:
                year, quarter = 2022 + q // 4, q % 4 + 1
                end = pd.Timestamp(year, 3 * quarter, 1) + pd.offsets.MonthEnd(0)
                rows.append({"member_id": m, "date": end, "kind": "联系群众", "count": n,
                             "title": f"{year}年第{quarter}季度联系界别群众"})
        station = _station(town_of[people.loc[m, "unit_id"]])
        lam = np.exp(np.log(p["reception_mean"]) + p["reception_b"] * e[m]
                     + style["reception"][m])
        for _ in range(int(rng.poisson(lam))):
            rows.append({"member_id": m, "date": start + pd.Timedelta(
                days=int(rng.integers(days))), "kind": "委员工作室接待", "count": 1,
                "title": "委员工作室接待群众", "unit_id": station})
        for date, title in _TRAININGS:
            if rng.random() < _logistic(p["training_a"] + p["training_b"] * e[m]
                                        + style["training"][m]):
                rows.append({"member_id": m, "date": date, "kind": "培训", "count": 1,
                             "outcome": "出席", "title": title})
    acts = pd.DataFrame(rows)
    acts["date"] = pd.to_datetime(acts["date"])
    acts["_order"] = acts["kind"].map(_KIND_ORDER)
    acts = acts.sort_values(["date", "_order", "member_id", "submission_id", "title"],
                            kind="stable", na_position="first").reset_index(drop=True)
    acts.insert(0, "activity_id", [f"A{i + 1:05d}" for i in range(len(acts))])
    acts["member_name"] = acts["member_id"].map(people["name"])
    acts["count"] = acts["count"].astype("int64")
    acts = acts[["activity_id", "member_id", "member_name", "date", "kind", "title", "count",
                 "outcome", "submission_id", "unit_id"]]
    ind = member_indicators(acts, members)
    truth = truth.join(ind)
    truth["composite"] = composite(ind)
    truth = truth.reset_index()
    return acts, truth


def _station(town_id: str) -> str:
    """The liaison station serving a town (station L13 serves T13 and T14)."""
    return f"L{min(int(town_id[1:]), 13):02d}"


def member_indicators(activities: pd.DataFrame, members: Sequence[str]) -> pd.DataFrame:
    """The planted indicators per member, computed from a ledger as the datasheet defines them.

    Parameters
    ----------
    activities : pandas.DataFrame
        Canonical columns ``member_id, kind, count, outcome`` (kinds and outcomes as
        stored, in Chinese).
    members : sequence of str
        The members (every one gets a row, zero counts included).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``member_id``: the columns of :data:`COMPOSITE_INDICATORS`.

    Examples
    --------
    >>> acts = pd.DataFrame({"member_id": ["M1", "M1", "M2"],
    ...                      "kind": ["全会出席", "全会出席", "培训"],
    ...                      "count": [1, 1, 1], "outcome": ["出席", "请假", "出席"]})
    >>> member_indicators(acts, ["M1", "M2"])[["plenary_rate", "trainings"]]
               plenary_rate  trainings
    member_id
    M1                  0.5          0
    M2                  NaN          1
    """
    members = list(members)
    kind = activities["kind"].astype(str)
    outcome = activities["outcome"].astype("string")
    count = activities["count"].fillna(1).astype(int)

    def total(k: str) -> pd.Series:
        sel = kind == k
        return (count[sel].groupby(activities.loc[sel, "member_id"]).sum()
                .reindex(members, fill_value=0).astype("int64"))

    plen = kind == "全会出席"
    recorded = activities[plen].groupby("member_id").size().reindex(members)
    attended = activities[plen & (outcome == "出席")].groupby("member_id").size().reindex(
        members, fill_value=0)
    out = pd.DataFrame({
        "plenary_rate": attended / recorded,
        "inspections": total("视察调研"), "contacts": total("联系群众"),
        "receptions": total("委员工作室接待"), "trainings": total("培训"),
        "cosigned": total("提案（联名）"),
    }, index=pd.Index(members, name="member_id"))
    return out


def composite(indicators: pd.DataFrame) -> pd.Series:
    """Equal-weight mean of the z-scores (population SD) of the planted indicators.

    Examples
    --------
    >>> ind = pd.DataFrame({"a": [0.0, 1.0, 2.0], "b": [1.0, 1.0, 4.0]})
    >>> composite(ind).round(3).tolist()
    [-0.966, -0.354, 1.319]
    """
    z = (indicators - indicators.mean()) / indicators.std(ddof=0)
    return z.mean(axis=1).rename("composite")


def adoption_topics(submissions: pd.DataFrame) -> pd.Series:
    """True text topic of every submission (from its title template), by ``submission_id``."""
    return pd.Series([TOPIC_OF_TEMPLATE[template_of_title(t)] for t in submissions["topic"]],
                     index=submissions["submission_id"].to_numpy(), name="topic")
