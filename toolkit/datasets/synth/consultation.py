"""Consultation: topics and their sessions, who attended, and members' submissions.

The planted effects of this part (:data:`~toolkit.datasets.synth.planted.PLANTED`):
participants and consensus by platform group, sessions per community with a room,
and adoption of a submission by its author's betweenness (:func:`member_betweenness`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from toolkit.datasets.synth.names import (
    DEPARTMENTS,
    OFFLINE_CONSULT,
    ONLINE,
    ONLINE_CONSULT,
    TOPIC_CATEGORY_P,
    TOPICS,
    draw_choice,
)
from toolkit.datasets.synth.planted import END, PLANTED, START
from toolkit.schema import VOCABULARIES

__all__ = ["draw_attendance", "draw_sessions", "draw_submissions", "member_betweenness"]


def _date(days: float) -> pd.Timestamp:
    return START + pd.Timedelta(days=int(days))


def draw_sessions(rng: np.random.Generator, units: pd.DataFrame,
              pools: dict) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Topics and their sessions (community, town and liaison-station levels)."""
    span = (END - START).days + 1
    p = PLANTED
    sessions: list[dict[str, Any]] = []
    topic_no = 0
    cats = list(TOPICS)
    esc_terms = VOCABULARIES["escalation"].categories

    def n_participants(platform: str) -> int:
        online = platform in ONLINE
        return int(rng.poisson(p["participants_online_mean"] if online
                               else p["participants_offline_mean"]))

    def consensus(platform: str) -> bool:
        prob = p["consensus_online"] if platform in ONLINE else p["consensus_offline"]
        return bool(rng.random() < prob)

    def add(unit: str, level: str, day: float, platform: str, stage: str, topic: dict,
            **kw: Any) -> dict[str, Any] | None:
        date = _date(day)
        if date > END:
            return None
        row = {"date": date, "unit_id": unit, "level": level, "platform": platform,
               "topic_id": topic["topic_id"], "topic": topic["topic"],
               "topic_category": topic["category"], "organiser": topic["organiser"],
               "stage": stage, "round": pd.NA, "n_participants": n_participants(platform),
               "consensus": pd.NA, "escalated_to": None, "outcome": None,
               "implemented": pd.NA, "implemented_date": pd.NaT}
        row.update(kw)
        sessions.append(row)
        return row

    def run_topic(unit: str, level: str, topic: dict, *, has_room: bool) -> None:
        day = float(rng.uniform(0, span - 20))
        # earlier stages, recorded for some topics
        for stage, prob, plats in (
            ("议题征集", 0.25, {"在线表单": 0.4, "微信群": 0.3, "客服热线": 0.15,
                               "邮件反馈": 0.15}),
            ("议题筛选", 0.15, {"居民议事会": 0.6, "微信群": 0.4}),
            ("议题确定", 0.15, {"居民议事会": 0.5, "社区恳谈会": 0.3, "居民投票小程序": 0.2}),
        ):
            if rng.random() < prob:
                add(unit, level, day, str(draw_choice(rng, plats)), stage, topic,
                    outcome={"议题征集": "收集居民意见", "议题筛选": "列入协商议题",
                             "议题确定": "确定协商议题"}[stage])
                day += float(rng.integers(7, 30))
        # consultation rounds
        for rnd in (1, 2, 3):
            if level == "委员联络站":
                platform = str(draw_choice(rng, {"“两代表一委员”工作室": 0.5, "委员联络站": 0.5}))
            elif level == "镇街":
                platform = str(draw_choice(rng, {"民主对话会": 0.4, "四方交流平台": 0.4,
                                             "项目听证会": 0.2}))
            elif rng.random() < 0.35:
                platform = str(draw_choice(rng, ONLINE_CONSULT))
            else:
                plats = dict(OFFLINE_CONSULT)
                if not has_room:
                    plats["居民议事会"] += plats.pop("协商议事室")
                platform = str(draw_choice(rng, plats))
            agreed = consensus(platform)
            row = add(unit, level, day, platform, "议事协商", topic, round=rnd,
                      consensus=agreed)
            if row is None:
                return
            if agreed:
                row["outcome"] = "达成共识，形成协商意见"
                break
            if rnd == 3 or (rnd == 2 and rng.random() < 0.1):
                row["escalated_to"] = str(rng.choice(esc_terms, p=[0.4, 0.35, 0.25]))
                row["outcome"] = f"未达成共识，提交{row['escalated_to']}"
                return
            row["outcome"] = "未达成共识，下一轮继续协商"
            day += float(rng.integers(10, 40))
        # consensus reached: publication and implementation
        done_day = day + 20 + float(rng.gamma(2.0, 30.0))
        implemented = bool(rng.random() < 0.8) and _date(done_day) <= END
        row["implemented"] = implemented
        row["implemented_date"] = _date(done_day) if implemented else pd.NaT
        if rng.random() < 0.6:
            add(unit, level, day + float(rng.integers(3, 10)),
                str(draw_choice(rng, {"在线表单": 0.3, "微信群": 0.4, "社区恳谈会": 0.3})),
                "结果公示", topic, outcome="协商结果公示")
        if rng.random() < 0.5:
            add(unit, level, day + float(rng.integers(12, 20)), "实施方案协调会", "组织实施",
                topic, outcome="确定实施方案")
        if implemented and rng.random() < 0.4:
            add(unit, level, done_day + float(rng.integers(5, 30)), "实施效果评议会",
                "组织实施", topic, outcome="评议实施效果")

    def new_topic(unit_name: str, organiser: str) -> dict[str, str]:
        nonlocal topic_no
        topic_no += 1
        cat = cats[int(rng.choice(len(cats), p=TOPIC_CATEGORY_P))]
        templates = TOPICS[cat]
        return {"topic_id": f"T{topic_no:04d}", "category": cat,
                "topic": unit_name + templates[int(rng.integers(len(templates)))],
                "organiser": organiser}

    names = dict(zip(units["unit_id"], units["name"], strict=True))
    base = p["topics_no_room_mean"]
    for u in units.itertuples():
        if u.level == "村社区":
            mean = base * (p["room_rate_ratio"] if u.has_room else 1.0)
            for _ in range(int(rng.poisson(mean))):
                run_topic(u.unit_id, u.level, new_topic(u.name, f"{u.name}党组织"),
                          has_room=bool(u.has_room))
        elif u.level == "镇街":
            for _ in range(int(rng.poisson(5))):
                run_topic(u.unit_id, u.level, new_topic(u.name, f"{u.name}党工委"),
                          has_room=True)
        elif u.level == "委员联络站":
            town_name = names[u.parent_id]
            for _ in range(int(rng.poisson(6))):
                run_topic(u.unit_id, u.level, new_topic(town_name, "区政协委员联络站"),
                          has_room=True)
    frame = pd.DataFrame(sessions).sort_values(["date", "unit_id", "topic_id"],
                                               kind="stable").reset_index(drop=True)
    frame.insert(0, "session_id", [f"S{i + 1:04d}" for i in range(len(frame))])
    return frame, sessions


_MEMBER_ROLES = {"宣传员": 0.25, "调查员": 0.25, "联络员": 0.3, "促进员": 0.2}


def draw_attendance(rng: np.random.Generator, sessions: pd.DataFrame, units: pd.DataFrame,
                pools: dict) -> pd.DataFrame:
    """Who attended each session, in which role, with how many speeches."""
    parent = dict(zip(units["unit_id"], units["parent_id"], strict=True))
    rows: list[tuple[str, str, str, int]] = []
    towns_of_station = {f"L{s:02d}": [f"T{s:02d}"] for s in range(1, 14)}
    towns_of_station["L13"].append("T14")

    def pick(pool: Sequence[str], k: int) -> list[str]:
        k = min(k, len(pool))
        return [str(x) for x in rng.choice(pool, k, replace=False)] if k > 0 else []

    member_of_comm: dict[str, list[str]] = {}
    for pid, c in pools["member_unit"].items():
        member_of_comm.setdefault(c, []).append(pid)
    deputies_of_comm: dict[str, list[str]] = {}

    for s in sessions.itertuples():
        online = s.platform in ONLINE
        members: list[str] = []
        others: list[str] = []
        chair: list[str] = []
        if s.level == "村社区":
            town = parent[s.unit_id]
            local = member_of_comm.get(s.unit_id, [])
            members = [m for m in local if rng.random() < (0.5 if online else 0.7)]
            members += pick(pools["deputies"][town], int(rng.random() < 0.3))
            res = pools["residents"][s.unit_id]
            if s.stage == "议事协商" and not online:
                chair = pick(pools["officials"][town], 1)
                others = (pick(pools["officials"]["Q00"], int(rng.integers(0, 2)))
                          + pick(pools["experts"], int(rng.random() < 0.4))
                          + pick(res, int(rng.integers(2, 5)))
                          + pick(pools["unit_reps"][town], int(rng.integers(1, 3)))
                          + pick(pools["others"][town], int(rng.integers(0, 3))))
            else:
                others = pick(res, int(rng.integers(1, 4)))
                chair = pick(pools["officials"][town], int(not online))
        elif s.level == "镇街":
            town = s.unit_id
            members = pick(pools["members_of_town"][town], int(rng.integers(3, 7)))
            members += pick(pools["deputies"][town], int(rng.integers(1, 3)))
            chair = pick(pools["officials"][town], 1)
            comm_res = [r for c in pools["comm_by_town"][town]
                        for r in pools["residents"][c]]
            others = (pick(pools["officials"]["Q00"], int(rng.integers(1, 3)))
                      + pick(pools["experts"], int(rng.integers(1, 3)))
                      + pick(comm_res, int(rng.integers(2, 5)))
                      + pick(pools["unit_reps"][town], int(rng.integers(2, 4))))
        else:  # liaison station
            towns = towns_of_station[s.unit_id]
            pool = [m for t in towns for m in pools["members_of_town"][t]]
            members = pick(pool, int(rng.integers(3, 9)))
            members += pick([d for t in towns for d in pools["deputies"][t]],
                            int(rng.integers(1, 3)))
            comm_res = [r for t in towns for c in pools["comm_by_town"][t]
                        for r in pools["residents"][c]]
            others = pick(comm_res, int(rng.integers(2, 5)))
        # brokers take part in sessions outside their own town
        if rng.random() < 0.35:
            members += pick(pools["brokers"], 1)
        seen: set[str] = set()
        people = []
        for pid in [*chair, *members, *others]:
            if pid not in seen:
                seen.add(pid)
                people.append(pid)
        people = people[: int(s.n_participants)]
        for pid in people:
            if pid in chair:
                role = "主持人"
            elif pid[0] in "MN":
                role = str(draw_choice(rng, _MEMBER_ROLES))
            elif pid[0] == "E" and rng.random() < 0.3:
                role = "列席"
            else:
                role = None
            speeches = int(rng.poisson(2.0 if online else 1.2))
            if role is None:
                role = "发言人" if speeches > 0 else "参与者"
            rows.append((s.session_id, pid, role, speeches))
    del deputies_of_comm
    att = pd.DataFrame(rows, columns=["session_id", "participant_id", "role", "speeches"])
    return att


def member_betweenness(attendance: pd.DataFrame, participants: pd.DataFrame) -> pd.Series:
    """Betweenness of each CPPCC member in the member projection of attendance.

    Two members are tied when they attended at least one session together
    (unweighted); betweenness is networkx's normalised betweenness centrality
    (``2 / ((n - 1)(n - 2))`` for an undirected graph), every member a node,
    isolates scoring 0. This is the broker measure of the planted adoption effect.

    Parameters
    ----------
    attendance : pandas.DataFrame
        Columns ``session_id`` and ``participant_id``.
    participants : pandas.DataFrame
        Columns ``participant_id`` and ``type``; members are ``type == "政协委员"``.

    Returns
    -------
    pandas.Series
        Betweenness indexed by member id (float), sorted by id.

    Examples
    --------
    >>> att = pd.DataFrame({"session_id": ["S1", "S1", "S2", "S2"],
    ...                     "participant_id": ["M1", "M2", "M2", "M3"]})
    >>> ppl = pd.DataFrame({"participant_id": ["M1", "M2", "M3"], "type": ["政协委员"] * 3})
    >>> member_betweenness(att, ppl).round(3).tolist()
    [0.0, 1.0, 0.0]
    """
    members = sorted(participants.loc[participants["type"].astype(str) == "政协委员",
                                      "participant_id"].astype(str))
    att = pd.DataFrame({"session_id": attendance["session_id"].astype(str),
                        "participant_id": attendance["participant_id"].astype(str)})
    att = att[att["participant_id"].isin(members)].drop_duplicates()
    pairs = att.merge(att, on="session_id")
    pairs = pairs[pairs["participant_id_x"] < pairs["participant_id_y"]]
    pairs = pairs.drop_duplicates(["participant_id_x", "participant_id_y"]).sort_values(
        ["participant_id_x", "participant_id_y"])
    graph = nx.Graph()
    graph.add_nodes_from(members)
    graph.add_edges_from(zip(pairs["participant_id_x"], pairs["participant_id_y"], strict=True))
    between = nx.betweenness_centrality(graph, normalized=True)
    return pd.Series(between, dtype=float).reindex(members).rename("betweenness")


def _standardise(values: pd.Series) -> pd.Series:
    return (values - values.mean()) / values.std(ddof=0)




def draw_submissions(rng: np.random.Generator, participants: pd.DataFrame,
                 attendance: pd.DataFrame, pools: dict) -> pd.DataFrame:
    """Members' and informants' submissions; adoption depends on the member's betweenness."""
    z = _standardise(member_betweenness(attendance, participants)).to_dict()
    p = PLANTED
    span = (END - START).days + 1
    gates = VOCABULARIES["gate"].categories
    levels = VOCABULARIES["instruction_level"].categories
    cats = list(TOPICS)
    rows = []
    authors = [(pid, "member") for pid in z] + [(pid, "informant")
                                                      for pid in pools["informants"]]
    for pid, kind in authors:
        n = int(rng.poisson(4.8 if kind == "member" else 5.5))
        for _ in range(n):
            if kind == "member":
                channel = str(draw_choice(rng, {"提案": 0.45, "社情民意信息": 0.40,
                                                "大会发言": 0.15}))
                eta = p["adopt_intercept"] + p["adopt_broker_logodds"] * z[pid]
                prob = 1.0 / (1.0 + np.exp(-eta))
            else:
                channel = "社情民意信息"
                prob = 0.40
            if channel in ("提案", "大会发言") and rng.random() < 0.7:
                year = int(rng.choice([2022, 2023]))
                date = pd.Timestamp(year, 1, 1) + pd.Timedelta(days=int(rng.integers(0, 55)))
            else:
                date = START + pd.Timedelta(days=int(rng.integers(0, span)))
            adopted = bool(rng.random() < prob)
            gate = gates[-1] if adopted else gates[int(rng.choice(5, p=[0.1, 0.2, 0.25,
                                                                          0.25, 0.2]))]
            cat = cats[int(rng.choice(len(cats), p=TOPIC_CATEGORY_P))]
            template = TOPICS[cat][int(rng.integers(len(TOPICS[cat])))]
            title = (f"关于{template}的提案" if channel == "提案" else
                     f"关于{template}问题的情况反映" if channel == "社情民意信息" else
                     f"推进{template}的大会发言")
            instructions = int(rng.poisson(0.7)) if adopted else 0
            level = (str(rng.choice(levels, p=[0.6, 0.3, 0.1])) if instructions else None)
            responded = bool(rng.random() < (0.9 if adopted else 0.35))
            lag = 15 + float(rng.gamma(2.0, 20.0))
            response_date = date + pd.Timedelta(days=int(lag))
            if response_date > END:
                responded = False
            depts = DEPARTMENTS[cat]
            rows.append({
                "author_id": pid, "date": date, "channel": channel, "topic": title,
                "topic_category": cat, "gate_reached": gate, "adopted": adopted,
                "instructions": instructions, "instruction_level": level,
                "responded": responded,
                "response_date": response_date if responded else pd.NaT,
                "department": depts[int(rng.integers(len(depts)))] if responded else None,
            })
    subs = pd.DataFrame(rows).sort_values(["date", "author_id"], kind="stable")
    subs = subs.reset_index(drop=True)
    subs.insert(0, "submission_id", [f"X{i + 1:04d}" for i in range(len(subs))])
    return subs
