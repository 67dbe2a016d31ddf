"""Seeded generator of the demo district study (clearly fictional data with planted effects).

The demo study describes one invented district, 云溪区, at the scale of a real one
(Huichuan district, Zunyi: 14 towns/streets, 139 villages/communities, 13 member
liaison stations, 245 CPPCC members in 5 special committees and 1 office). Every
name, ID-card number and phone number is invented; ID-card numbers carry a valid
checksum but an unassigned region code (``5299xx``), and phone numbers use the
``170`` virtual-operator prefix, so that personal-data detection has something to
find without touching real people.

The generator draws from explicit models whose parameters are the *planted
effects* (:data:`PLANTED`); their true values hold exactly in expectation, so the
toolkit's analyses can be checked for recovering them. Run it with::

    python -m toolkit.datasets.synth --out datasets/demo

which writes the office-format files (``sessions.xlsx`` with a banner, two merged
header rows and a footer; ``participants.csv`` in GB18030; ``attendance.csv`` in
UTF-8 with BOM; ``survey.sav`` and ``panel.sav`` with value labels and 98/99
user-missing codes; ``units.csv``, ``submissions.csv``), the ``study.yaml``
manifest and ``planted_effects.yaml``. The same seed reproduces every file byte
for byte.

Examples
--------
>>> from toolkit.datasets.synth import PLANTED
>>> PLANTED["sat_attended_logodds"], PLANTED["room_rate_ratio"]
(0.6, 1.8)

``generate(seed)`` returns the tables in memory; ``write_demo(folder, seed=...)``
writes the files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from toolkit.schema import VOCABULARIES

__all__ = ["DEFAULT_SEED", "PLANTED", "generate", "main", "member_betweenness", "write_demo"]

#: Seed of the bundled demo study.
DEFAULT_SEED = 20231108

START = pd.Timestamp("2022-01-01")
END = pd.Timestamp("2023-12-31")
DISTRICT_NAME = "云溪区"

#: True values of the planted effects (the generator's model parameters).
PLANTED: dict[str, float] = {
    # survey: ordered logit of sat1 on attended + party_member + age
    "sat_attended_logodds": 0.60,
    "sat_party_logodds": 0.30,
    "sat_age_logodds": 0.010,
    "sat_cut1": -1.75,
    "sat_cut2": -0.55,
    "sat_cut3": 0.75,
    "sat_cut4": 2.25,
    # submissions: logit of adopted on the author's standardised betweenness
    "adopt_intercept": -0.30,
    "adopt_broker_logodds": 0.50,
    # sessions: participants and consensus by platform group
    "participants_offline_mean": 14.0,
    "participants_online_mean": 35.0,
    "consensus_offline": 0.70,
    "consensus_online": 0.45,
    # sessions per community: rate ratio room vs no room
    "topics_no_room_mean": 2.6,
    "room_rate_ratio": 1.8,
    # deliberation panel
    "know_pre_p": 0.45,
    "know_post_p": 0.65,
    "n_know_items": 6,
}

#: Pre and post distributions of opinion item op1 (codes 1–5).
OP1_PRE = (0.15, 0.20, 0.30, 0.20, 0.15)
OP1_POST = (0.03, 0.09, 0.35, 0.41, 0.12)
#: Distribution of op2–op4 (unchanged by deliberation).
OP_OTHER = (0.10, 0.20, 0.35, 0.25, 0.10)


def _moments(probs: Sequence[float]) -> tuple[float, float]:
    codes = np.arange(1, len(probs) + 1)
    p = np.asarray(probs)
    mean = float((codes * p).sum())
    sd = float(np.sqrt((p * (codes - mean) ** 2).sum()))
    return mean, sd


# ---------------------------------------------------------------------------
# Names and vocabularies
# ---------------------------------------------------------------------------

_STREETS = ["青云街道", "白鹭街道", "金桥街道", "翠湖街道", "望江街道", "新城街道"]
_TOWNS = ["松林镇", "石门镇", "桃源镇", "柳溪镇", "龙泉镇", "梅岭镇", "杏花镇", "云台镇"]
_COMMUNITIES_PER_TOWN = [12, 11, 10, 10, 9, 9, 10, 10, 11, 9, 10, 9, 10, 9]
_NAME_FIRST = "东西南北新红长光和幸团胜向丰荷桂杨竹清石马凤金银玉春秋"
_NAME_SECOND = "风星福平明华园林泉桥山湖岭坪湾塘"

_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
             "于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹")
_GIVEN = "华明芳军敏静丽强磊洋艳勇娟涛杰秀霞平刚桂英玉兰红梅建国文斌志华"

_DEPARTMENTS = {
    "住房与小区": ["区住房和城乡建设局", "区房屋征收服务中心"],
    "交通与停车": ["区交通运输局", "区城市管理局"],
    "环境卫生": ["区生态环境分局", "区城市管理局"],
    "养老与托育": ["区民政局", "区卫生健康局"],
    "公共服务": ["区教育局", "区卫生健康局", "区人力资源和社会保障局"],
    "社会治理": ["区司法局", "区公安分局", "区信访局"],
    "经济发展": ["区发展和改革局", "区商务局", "区农业农村局"],
}

_TOPICS = {
    "住房与小区": ["加装电梯", "老旧小区改造", "物业收费标准调整", "楼道杂物清理", "屋顶防水维修"],
    "交通与停车": ["停车位规划", "电动车充电桩建设", "小区道路改造", "公交站点调整"],
    "环境卫生": ["垃圾分类投放点设置", "河道环境整治", "小区绿化提升", "噪声扰民治理"],
    "养老与托育": ["养老食堂建设", "社区托育点设置", "居家养老服务", "老年活动中心改造"],
    "公共服务": ["社区卫生服务站建设", "学校周边交通安全", "便民服务点设置"],
    "社会治理": ["邻里纠纷调解机制", "夜间治安巡逻", "群租房管理", "居民公约修订"],
    "经济发展": ["农贸市场改造", "就业技能培训", "特色产业发展", "营商环境优化"],
}
_TOPIC_CATEGORY_P = [0.26, 0.18, 0.16, 0.14, 0.10, 0.10, 0.06]

_OFFLINE_CONSULT = {  # offline platforms of consultation rounds in a community
    "居民议事会": 0.35, "协商议事室": 0.20, "社区恳谈会": 0.15, "项目听证会": 0.10,
    "四方交流平台": 0.15, "民主对话会": 0.05,
}
_ONLINE_CONSULT = {
    "微信群": 0.35, "小区云论坛": 0.20, "居民投票小程序": 0.15, "网络议政平台": 0.15,
    "在线表单": 0.10, "邮件反馈": 0.03, "客服热线": 0.02,
}
_ONLINE = frozenset(t.zh for t in VOCABULARIES["platform"].terms if t.group == "online")

_SECTOR_P = {
    "中国共产党": 0.16, "民主党派": 0.12, "无党派人士": 0.04, "共青团": 0.03, "工会": 0.04,
    "妇联": 0.04, "工商联": 0.08, "科技界": 0.05, "教育界": 0.07, "文化艺术界": 0.05,
    "医药卫生界": 0.07, "经济界": 0.08, "农业界": 0.06, "社会福利和社会保障界": 0.03,
    "少数民族界": 0.02, "宗教界": 0.01, "特邀人士": 0.01,
}
_COMMITTEE_SIZES = {
    "提案委员会": 50, "经济委员会": 48, "社会和法制委员会": 47, "文化文史和学习委员会": 45,
    "农业农村委员会": 45, "办公室": 10,
}
_ORG_BY_SECTOR = {
    "教育界": "区第{}中学", "医药卫生界": "区第{}人民医院", "科技界": "云溪科技园{}号企业",
    "经济界": "云溪{}号商贸公司", "工商联": "云溪{}号民营企业", "农业界": "云溪第{}农业合作社",
    "文化艺术界": "区第{}文化馆", "社会福利和社会保障界": "区第{}社会福利院",
}

_AGE_BANDS = VOCABULARIES["age_band"].categories
_EDUCATION = {1: "小学及以下", 2: "初中", 3: "高中/中专", 4: "大专", 5: "本科及以上"}
_LIKERT_SAT = {1: "非常不满意", 2: "不太满意", 3: "一般", 4: "比较满意", 5: "非常满意"}
_LIKERT_AGREE = {1: "非常不同意", 2: "不太同意", 3: "一般", 4: "比较同意", 5: "非常同意"}
_LIKERT_TRUST = {1: "非常不信任", 2: "不太信任", 3: "一般", 4: "比较信任", 5: "非常信任"}
_MISSING = {98: "不知道", 99: "拒答"}
_YESNO = {0: "否", 1: "是"}


def _fake_name(rng: np.random.Generator) -> str:
    """An invented name of the anonymised form 王某华 (surname + 某 + one character)."""
    return rng.choice(list(_SURNAMES)) + "某" + rng.choice(list(_GIVEN))


def _id_card(region: str, birth: dt.date, seq: int, *, male: bool) -> str:
    """An 18-character mainland ID-card number with a valid ISO 7064 MOD 11-2 check digit."""
    sex_digit = seq * 2 + (1 if male else 0)
    body = f"{region}{birth:%Y%m%d}{sex_digit % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


def _choice(rng: np.random.Generator, probs: dict[str, float], size: int | None = None) -> Any:
    keys = list(probs)
    p = np.asarray(list(probs.values()), dtype=float)
    return rng.choice(keys, size=size, p=p / p.sum())


# ---------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------


def _units(rng: np.random.Generator) -> pd.DataFrame:
    rows = [{"unit_id": "Q00", "name": DISTRICT_NAME, "level": "区县", "parent_id": None,
             "has_room": pd.NA, "population": pd.NA, "urban": pd.NA}]
    pairs = [a + b for a in _NAME_FIRST for b in _NAME_SECOND]
    order = rng.permutation(len(pairs))
    k = 0
    c = 0
    for t, town in enumerate(_STREETS + _TOWNS, start=1):
        urban = town.endswith("街道")
        town_id = f"T{t:02d}"
        rows.append({"unit_id": town_id, "name": town, "level": "镇街", "parent_id": "Q00",
                     "has_room": pd.NA, "population": pd.NA, "urban": urban})
        for _ in range(_COMMUNITIES_PER_TOWN[t - 1]):
            c += 1
            name = pairs[order[k]] + ("社区" if urban else "村")
            k += 1
            pop = int(round(rng.lognormal(np.log(4200 if urban else 2200), 0.35), -1))
            rows.append({"unit_id": f"C{c:03d}", "name": name, "level": "村社区",
                         "parent_id": town_id, "has_room": bool(rng.random() < 0.75),
                         "population": pop, "urban": urban})
    for s in range(1, 14):
        rows.append({"unit_id": f"L{s:02d}", "name": f"政协委员联络站（第{s}站）",
                     "level": "委员联络站", "parent_id": f"T{s:02d}", "has_room": pd.NA,
                     "population": pd.NA, "urban": pd.NA})
    units = pd.DataFrame(rows)
    units["population"] = units["population"].astype("Int64")
    for col in ("has_room", "urban"):
        units[col] = units[col].astype("boolean")
    units.loc[units["level"] == "镇街", "population"] = (
        units[units["level"] == "村社区"].groupby("parent_id")["population"].sum()
        .reindex(units.loc[units["level"] == "镇街", "unit_id"]).to_numpy()
    )
    return units


def _station_of_town(town_id: str) -> str:
    number = min(int(town_id[1:]), 13)
    return f"L{number:02d}"


# ---------------------------------------------------------------------------
# Participants
# ---------------------------------------------------------------------------


def _person(rng: np.random.Generator, pid: str, ptype: str, unit_id: str, town_no: int,
            seq: int, *, age_p: Sequence[float], party_p: float) -> dict[str, Any]:
    male = bool(rng.random() < 0.55)
    band = int(rng.choice(4, p=age_p))
    lo, hi = [(18, 29), (30, 44), (45, 59), (60, 75)][band]
    age = int(rng.integers(lo, hi + 1))
    birth_year = 2023 - age
    birth = dt.date(birth_year, int(rng.integers(1, 13)), int(rng.integers(1, 29)))
    return {
        "participant_id": pid, "name": _fake_name(rng), "type": ptype, "sector": None,
        "committee": None, "party_member": bool(rng.random() < party_p),
        "gender": "男" if male else "女", "age_band": _AGE_BANDS[band],
        "birth_year": birth_year, "unit_id": unit_id, "organisation": None,
        "id_card": _id_card(f"5299{town_no:02d}", birth, seq, male=male),
        "phone": f"170{int(rng.integers(0, 10**8)):08d}",
    }


def _participants(rng: np.random.Generator, units: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    comms = units[units["level"] == "村社区"]
    towns = units.loc[units["level"] == "镇街", "unit_id"].tolist()
    comm_by_town = {t: g["unit_id"].tolist() for t, g in comms.groupby("parent_id")}
    rows: list[dict[str, Any]] = []
    seq = 0

    def add(pid: str, ptype: str, unit_id: str, town_id: str, **kw: Any) -> dict[str, Any]:
        nonlocal seq
        seq += 1
        row = _person(rng, pid, ptype, unit_id, int(town_id[1:]), seq,
                      age_p=kw.pop("age_p", (0.1, 0.35, 0.4, 0.15)),
                      party_p=kw.pop("party_p", 0.4))
        row.update(kw)
        rows.append(row)
        return row

    # CPPCC members: committee, sector, home town; every community gets one member first
    committees = [c for c, n in _COMMITTEE_SIZES.items() for _ in range(n)]
    committees = list(rng.permutation(committees))
    member_town = [towns[i % len(towns)] for i in range(245)]
    member_town = list(rng.permutation(member_town))
    members_of_town: dict[str, list[str]] = {t: [] for t in towns}
    member_unit: dict[str, str] = {}
    for i in range(245):
        pid = f"M{i + 1:03d}"
        members_of_town[member_town[i]].append(pid)
    for town, pids in members_of_town.items():
        cs = comm_by_town[town]
        for j, pid in enumerate(pids):
            member_unit[pid] = cs[j] if j < len(cs) else cs[int(rng.integers(len(cs)))]
    # a few towns have more communities than members: cover them with members of the town
    for town, cs in comm_by_town.items():
        covered = {member_unit[p] for p in members_of_town[town]}
        extra = [c for c in cs if c not in covered]
        for c, pid in zip(extra, members_of_town[town][len(cs) - len(extra):], strict=False):
            member_unit[pid] = c
    for i in range(245):
        pid = f"M{i + 1:03d}"
        sector = str(_choice(rng, _SECTOR_P))
        org = _ORG_BY_SECTOR.get(sector, "云溪区第{}机关单位").format(i % 9 + 1)
        add(pid, "政协委员", member_unit[pid], member_town[i], sector=sector,
            committee=committees[i], party_p=1.0 if sector == "中国共产党" else 0.25,
            age_p=(0.03, 0.30, 0.55, 0.12), organisation=org)
    # brokers: members who also take part in sessions outside their own town
    brokers = sorted(rng.choice([f"M{i + 1:03d}" for i in range(245)], 30, replace=False))

    deputies: dict[str, list[str]] = {t: [] for t in towns}
    for i in range(60):
        town = towns[i % len(towns)]
        cs = comm_by_town[town]
        pid = f"N{i + 1:03d}"
        add(pid, "人大代表", cs[int(rng.integers(len(cs)))], town, party_p=0.6,
            age_p=(0.05, 0.35, 0.5, 0.10))
        deputies[town].append(pid)
    officials: dict[str, list[str]] = {t: [] for t in [*towns, "Q00"]}
    depts = sorted({d for ds in _DEPARTMENTS.values() for d in ds})
    for i in range(84):
        pid = f"G{i + 1:03d}"
        if i < 56:  # four officials in each town/street office
            town = towns[i % len(towns)]
            org = next(u for u in units.itertuples() if u.unit_id == town).name + "办事处"
            add(pid, "政府部门", town, town, party_p=0.9, organisation=org)
            officials[town].append(pid)
        else:
            add(pid, "政府部门", "Q00", towns[i % len(towns)], party_p=0.9,
                organisation=depts[i % len(depts)])
            officials["Q00"].append(pid)
    experts = []
    for i in range(40):
        pid = f"E{i + 1:03d}"
        add(pid, "专家", "Q00", towns[i % len(towns)], party_p=0.5,
            age_p=(0.02, 0.38, 0.45, 0.15),
            organisation=["云溪职业技术学院", "区社会科学研究所", "区规划设计院",
                          "区律师协会"][i % 4])
        experts.append(pid)
    residents: dict[str, list[str]] = {}
    r = 0
    for c in comms.itertuples():
        residents[c.unit_id] = []
        for _ in range(4):
            r += 1
            pid = f"R{r:04d}"
            add(pid, "居民代表", c.unit_id, c.parent_id, party_p=0.35,
                age_p=(0.05, 0.20, 0.40, 0.35))
            residents[c.unit_id].append(pid)
    unit_reps: dict[str, list[str]] = {t: [] for t in towns}
    for i in range(140):
        town = towns[i % len(towns)]
        pid = f"U{i + 1:03d}"
        add(pid, "辖区单位代表", town, town, party_p=0.5,
            organisation=f"{town}辖区第{i // len(towns) + 1}单位")
        unit_reps[town].append(pid)
    others: dict[str, list[str]] = {t: [] for t in towns}
    other_types = [("社会组织", "O", 40), ("志愿者", "V", 120), ("社会工作者", "W", 28),
                   ("群团组织", "Z", 14), ("经营主体", "B", 20), ("新社会阶层", "X", 10),
                   ("专业技术人员", "J", 10), ("第三方机构", "F", 5)]
    for ptype, prefix, n in other_types:
        for i in range(n):
            town = towns[i % len(towns)]
            cs = comm_by_town[town]
            pid = f"{prefix}{i + 1:03d}"
            add(pid, ptype, cs[int(rng.integers(len(cs)))], town, party_p=0.3,
                age_p=(0.25, 0.40, 0.25, 0.10))
            others[town].append(pid)
    informants = []
    for i in range(60):
        pid = f"I{i + 1:03d}"
        add(pid, "特邀信息员", "Q00", towns[i % len(towns)], party_p=0.5,
            organisation=["云溪职业技术学院", "区社会科学研究所", "云溪科技园企业",
                          "区融媒体中心"][i % 4])
        informants.append(pid)

    people = pd.DataFrame(rows)
    orgs = people["type"].isin(["社会组织", "群团组织", "第三方机构", "经营主体"])
    # organisations: their name is the organisation's name; no ID card, birth year, gender
    people.loc[orgs, "name"] = [
        f"{t}（{pid}）" for t, pid in zip(people.loc[orgs, "type"],
                                      people.loc[orgs, "participant_id"], strict=True)
    ]
    people["birth_year"] = people["birth_year"].astype("Int64")
    people["party_member"] = people["party_member"].astype("boolean")
    for col in ("id_card", "gender", "age_band", "birth_year", "party_member"):
        people.loc[orgs, col] = pd.NA
    pools = {"members_of_town": members_of_town, "brokers": brokers, "deputies": deputies,
             "officials": officials, "experts": experts, "residents": residents,
             "unit_reps": unit_reps, "others": others, "informants": informants,
             "member_unit": member_unit, "comm_by_town": comm_by_town}
    return people, pools


# ---------------------------------------------------------------------------
# Sessions and attendance
# ---------------------------------------------------------------------------


def _date(days: float) -> pd.Timestamp:
    return START + pd.Timedelta(days=int(days))


def _sessions(rng: np.random.Generator, units: pd.DataFrame,
              pools: dict) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Topics and their sessions (community, town and liaison-station levels)."""
    span = (END - START).days + 1
    p = PLANTED
    sessions: list[dict[str, Any]] = []
    topic_no = 0
    cats = list(_TOPICS)
    esc_terms = VOCABULARIES["escalation"].categories

    def n_participants(platform: str) -> int:
        online = platform in _ONLINE
        return int(rng.poisson(p["participants_online_mean"] if online
                               else p["participants_offline_mean"]))

    def consensus(platform: str) -> bool:
        prob = p["consensus_online"] if platform in _ONLINE else p["consensus_offline"]
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
                add(unit, level, day, str(_choice(rng, plats)), stage, topic,
                    outcome={"议题征集": "收集居民意见", "议题筛选": "列入协商议题",
                             "议题确定": "确定协商议题"}[stage])
                day += float(rng.integers(7, 30))
        # consultation rounds
        for rnd in (1, 2, 3):
            if level == "委员联络站":
                platform = str(_choice(rng, {"“两代表一委员”工作室": 0.5, "委员联络站": 0.5}))
            elif level == "镇街":
                platform = str(_choice(rng, {"民主对话会": 0.4, "四方交流平台": 0.4,
                                             "项目听证会": 0.2}))
            elif rng.random() < 0.35:
                platform = str(_choice(rng, _ONLINE_CONSULT))
            else:
                plats = dict(_OFFLINE_CONSULT)
                if not has_room:
                    plats["居民议事会"] += plats.pop("协商议事室")
                platform = str(_choice(rng, plats))
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
                str(_choice(rng, {"在线表单": 0.3, "微信群": 0.4, "社区恳谈会": 0.3})),
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
        cat = cats[int(rng.choice(len(cats), p=_TOPIC_CATEGORY_P))]
        templates = _TOPICS[cat]
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


def _attendance(rng: np.random.Generator, sessions: pd.DataFrame, units: pd.DataFrame,
                pools: dict) -> pd.DataFrame:
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
        online = s.platform in _ONLINE
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
                role = str(_choice(rng, _MEMBER_ROLES))
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


# ---------------------------------------------------------------------------
# Submissions
# ---------------------------------------------------------------------------


def _submissions(rng: np.random.Generator, participants: pd.DataFrame,
                 attendance: pd.DataFrame, pools: dict) -> pd.DataFrame:
    z = _standardise(member_betweenness(attendance, participants)).to_dict()
    p = PLANTED
    span = (END - START).days + 1
    gates = VOCABULARIES["gate"].categories
    levels = VOCABULARIES["instruction_level"].categories
    cats = list(_TOPICS)
    rows = []
    authors = [(pid, "member") for pid in z] + [(pid, "informant")
                                                      for pid in pools["informants"]]
    for pid, kind in authors:
        n = int(rng.poisson(4.8 if kind == "member" else 5.5))
        for _ in range(n):
            if kind == "member":
                channel = str(_choice(rng, {"提案": 0.45, "社情民意信息": 0.40, "大会发言": 0.15}))
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
            cat = cats[int(rng.choice(len(cats), p=_TOPIC_CATEGORY_P))]
            template = _TOPICS[cat][int(rng.integers(len(_TOPICS[cat])))]
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
            depts = _DEPARTMENTS[cat]
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


# ---------------------------------------------------------------------------
# Survey and deliberation panel
# ---------------------------------------------------------------------------

_AWARE_P = {
    "studio": 0.45, "residents_council": 0.60, "project_hearing": 0.30,
    "community_dialogue": 0.40, "democratic_dialogue": 0.25, "plan_coordination": 0.20,
    "evaluation_meeting": 0.20, "four_party_platform": 0.35, "consultation_room": 0.50,
    "liaison_station": 0.40, "wechat_group": 0.80, "cloud_forum": 0.35, "online_form": 0.45,
    "email": 0.15, "hotline": 0.55, "voting_app": 0.30, "online_platform": 0.25,
}


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _ordinal(rng: np.random.Generator, latent: np.ndarray, cuts: Sequence[float]) -> np.ndarray:
    return 1 + np.searchsorted(np.asarray(cuts), latent)


def _survey(rng: np.random.Generator, units: pd.DataFrame) -> pd.DataFrame:
    p = PLANTED
    comms = units[units["level"] == "村社区"]
    rows = []
    rid = 0
    for town, group in comms.groupby("parent_id", sort=True):
        m_h = 4
        chosen = group.iloc[np.sort(rng.choice(len(group), m_h, replace=False))]
        for c in chosen.itertuples():
            adults = round(c.population * 0.8)
            n_c = int(rng.integers(50, 59))
            weight = (len(group) / m_h) * (adults / n_c)
            for _ in range(n_c):
                rid += 1
                rows.append({"respondent_id": f"Y{rid:05d}", "unit_id": c.unit_id,
                             "stratum": town, "cluster": c.unit_id, "fpc": float(len(group)),
                             "weight": round(weight, 4)})
    svy = pd.DataFrame(rows)
    n = len(svy)
    female = rng.random(n) < 0.52
    age = np.clip(np.round(rng.normal(46, 15, n)), 18, 85).astype(int)
    party = rng.random(n) < 0.22
    educ = rng.choice([1, 2, 3, 4, 5], n, p=[0.12, 0.28, 0.27, 0.15, 0.18])
    attended = rng.random(n) < _logistic(-1.2 + 0.8 * party + 0.02 * (age - 45))
    svy["gender"] = np.where(female, 2, 1)
    svy["age"] = age
    svy["age_band"] = np.select([age < 30, age < 45, age < 60], [1, 2, 3], 4)
    svy["education"] = educ
    svy["party_member"] = party.astype(int)
    svy["attended"] = attended.astype(int)
    svy["n_sessions"] = np.where(attended, 1 + rng.poisson(1.5, n), 0)
    svy["part_online"] = (rng.random(n) < np.where(attended, 0.45, 0.12)).astype(int)
    # satisfaction: ordered logit (the planted effect is on sat1)
    eta = (p["sat_attended_logodds"] * attended + p["sat_party_logodds"] * party
           + p["sat_age_logodds"] * age)
    latent = eta + rng.logistic(0, 1, n)
    cuts = [p["sat_cut1"], p["sat_cut2"], p["sat_cut3"], p["sat_cut4"]]
    svy["sat1"] = _ordinal(rng, latent, cuts)
    for k in (2, 3, 4):
        svy[f"sat{k}"] = _ordinal(rng, latent + rng.normal(0, 1.6, n), cuts)
    # trust: community random intercept (ICC about 0.10) plus satisfaction
    comm_ids = svy["unit_id"].unique()
    u = dict(zip(comm_ids, rng.normal(0, 0.35, len(comm_ids)), strict=True))
    trust_latent = (0.35 * (latent - latent.mean()) + svy["unit_id"].map(u).to_numpy()
                    + rng.normal(0, 1.0, n))
    for k in (1, 2, 3):
        svy[f"trust{k}"] = _ordinal(rng, trust_latent + rng.normal(0, 0.9, n),
                                    [-1.8, -0.8, 0.5, 1.7])
    # political efficacy; eff3 and eff4 are reverse-keyed
    eff_latent = 0.3 * party + 0.25 * (educ - 3) + 0.3 * attended + rng.normal(0, 1.0, n)
    for k in (1, 2, 3, 4):
        item_latent = eff_latent + rng.normal(0, 0.7, n)
        if k >= 3:
            item_latent = -item_latent
        svy[f"eff{k}"] = _ordinal(rng, item_latent, [-1.6, -0.6, 0.5, 1.5])
    for code, prob in _AWARE_P.items():
        logit = np.log(prob / (1 - prob)) + 0.8 * attended
        svy[f"aware_{code}"] = (rng.random(n) < _logistic(logit)).astype(int)
    # 98 / 99 codes on the attitude items
    for col in [*(f"sat{k}" for k in range(1, 5)), *(f"trust{k}" for k in (1, 2, 3)),
                *(f"eff{k}" for k in range(1, 5))]:
        draw = rng.random(n)
        values = svy[col].to_numpy().copy()
        values[draw < 0.03] = 98
        values[draw < 0.01] = 99
        svy[col] = values
    return svy


def _copula_pair(rng: np.random.Generator, n: int, pre: Sequence[float], post: Sequence[float],
                 rho: float) -> tuple[np.ndarray, np.ndarray]:
    """Paired categorical codes with exact marginals ``pre``/``post`` (Gaussian copula)."""
    from scipy.special import ndtr  # the standard normal CDF; lighter than scipy.stats

    z1 = rng.standard_normal(n)
    z2 = rho * z1 + np.sqrt(1 - rho**2) * rng.standard_normal(n)
    u1, u2 = ndtr(z1), ndtr(z2)
    c1 = 1 + np.searchsorted(np.cumsum(pre)[:-1], u1)
    c2 = 1 + np.searchsorted(np.cumsum(post)[:-1], u2)
    return c1, c2


def _panel(rng: np.random.Generator, survey: pd.DataFrame) -> pd.DataFrame:
    p = PLANTED
    chosen = survey.iloc[np.sort(rng.choice(len(survey), 300, replace=False))]
    n = len(chosen)
    pre = chosen[["respondent_id", "unit_id", "gender", "age"]].copy()
    pre["wave"] = 1
    post = pre.copy()
    post["wave"] = 2
    op1_pre, op1_post = _copula_pair(rng, n, OP1_PRE, OP1_POST, 0.5)
    pre["op1"], post["op1"] = op1_pre, op1_post
    for k in (2, 3, 4):
        a, b = _copula_pair(rng, n, OP_OTHER, OP_OTHER, 0.6)
        pre[f"op{k}"], post[f"op{k}"] = a, b
    for k in range(1, p["n_know_items"] + 1):
        a, b = _copula_pair(rng, n, (1 - p["know_pre_p"], p["know_pre_p"]),
                            (1 - p["know_post_p"], p["know_post_p"]), 0.4)
        pre[f"know{k}"], post[f"know{k}"] = a - 1, b - 1
    # twelve respondents did not return for the second interview
    dropped = set(rng.choice(pre["respondent_id"].to_numpy(), 12, replace=False))
    post = post[~post["respondent_id"].isin(dropped)]
    panel = pd.concat([pre, post], ignore_index=True)
    panel = panel.sort_values(["respondent_id", "wave"], kind="stable").reset_index(drop=True)
    return panel[["respondent_id", "wave", "unit_id", "gender", "age",
                  *(f"op{k}" for k in range(1, 5)),
                  *(f"know{k}" for k in range(1, p["n_know_items"] + 1))]]


# ---------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------


def generate(seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """Generate the demo study's tables in memory (canonical columns).

    Parameters
    ----------
    seed : int, default DEFAULT_SEED
        Seed of the random number generator; the same seed gives the same tables.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``units``, ``participants``, ``sessions`` (with a helper ``level`` column:
        the level of the session's unit), ``attendance``, ``submissions``,
        ``survey`` (numeric codes, 98/99 kept) and ``panel`` (long format,
        ``wave`` 1 = before, 2 = after).
    """
    rng = np.random.default_rng(seed)
    units = _units(rng)
    participants, pools = _participants(rng, units)
    sessions, _ = _sessions(rng, units, pools)
    attendance = _attendance(rng, sessions, units, pools)
    submissions = _submissions(rng, participants, attendance, pools)
    survey = _survey(rng, units)
    panel = _panel(rng, survey)
    return {"units": units, "participants": participants, "sessions": sessions,
            "attendance": attendance, "submissions": submissions, "survey": survey,
            "panel": panel}


# ---------------------------------------------------------------------------
# Writing the office files
# ---------------------------------------------------------------------------

_FIXED_TIME = dt.datetime(2024, 1, 10, 9, 0, 0)  # a fixed stamp, no time zone


def _yes_no(values: pd.Series) -> pd.Series:
    return values.map(lambda v: None if pd.isna(v) else ("是" if v else "否"))


def _write_units(units: pd.DataFrame, path: Path) -> None:
    out = pd.DataFrame({
        "编码": units["unit_id"], "名称": units["name"], "层级": units["level"],
        "上级编码": units["parent_id"], "是否有议事室": _yes_no(units["has_room"]),
        "常住人口": units["population"], "是否城市社区": _yes_no(units["urban"]),
    })
    out.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def _write_participants(people: pd.DataFrame, path: Path) -> None:
    out = pd.DataFrame({
        "参与者编号": people["participant_id"], "姓名": people["name"],
        "参与者类型": people["type"], "界别": people["sector"], "专委会": people["committee"],
        "是否党员": _yes_no(people["party_member"]), "性别": people["gender"],
        "年龄段": people["age_band"], "出生年份": people["birth_year"],
        "所在单位编码": people["unit_id"], "工作单位": people["organisation"],
        "身份证号": people["id_card"], "手机号": people["phone"],
    })
    # Excel on Chinese Windows saves "CSV" in the ANSI code page: GB18030/GBK, CRLF
    out.to_csv(path, index=False, encoding="gb18030", lineterminator="\r\n")


def _write_attendance(att: pd.DataFrame, path: Path) -> None:
    out = pd.DataFrame({"活动编号": att["session_id"], "参与者编号": att["participant_id"],
                        "角色": att["role"], "发言次数": att["speeches"]})
    out.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")


def _write_submissions(subs: pd.DataFrame, path: Path) -> None:
    def day(col: pd.Series) -> pd.Series:
        return col.dt.strftime("%Y-%m-%d")

    out = pd.DataFrame({
        "编号": subs["submission_id"], "提交人编号": subs["author_id"],
        "提交日期": day(subs["date"]), "报送渠道": subs["channel"], "标题": subs["topic"],
        "议题类别": subs["topic_category"], "通过关口": subs["gate_reached"],
        "是否采用": _yes_no(subs["adopted"]), "批示数": subs["instructions"],
        "批示层级": subs["instruction_level"], "是否回应": _yes_no(subs["responded"]),
        "回应日期": day(subs["response_date"]), "承办部门": subs["department"],
    })
    out.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


#: Layout of sessions.xlsx: (group header or None, column header, canonical column).
SESSION_LAYOUT: list[tuple[str | None, str, str]] = [
    (None, "活动编号", "session_id"),
    (None, "协商日期", "date"),
    (None, "单位编码", "unit_id"),
    ("议题信息", "议题编号", "topic_id"),
    ("议题信息", "议题", "topic"),
    ("议题信息", "议题类别", "topic_category"),
    ("协商情况", "协商平台", "platform"),
    ("协商情况", "协商阶段", "stage"),
    ("协商情况", "协商轮次", "round"),
    ("协商情况", "参与人数", "n_participants"),
    ("协商情况", "是否达成共识", "consensus"),
    ("协商情况", "提交会议", "escalated_to"),
    ("协商情况", "协商结果", "outcome"),
    ("实施情况", "是否落实", "implemented"),
    ("实施情况", "落实日期", "implemented_date"),
    (None, "组织单位", "organiser"),
]
SESSIONS_SHEET = "协商活动台账"


def _write_sessions_xlsx(sessions: pd.DataFrame, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = SESSIONS_SHEET
    ncol = len(SESSION_LAYOUT)
    last = get_column_letter(ncol)
    ws["A1"] = f"{DISTRICT_NAME}基层协商活动台账（2022年1月—2023年12月）"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A1:{last}1")
    ws["A2"] = f"填报单位：{DISTRICT_NAME}政协办公室（虚构示例数据）"
    ws.merge_cells(f"A2:{last}2")
    bold = Font(bold=True)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    col = 1
    while col <= ncol:
        group, header, _ = SESSION_LAYOUT[col - 1]
        if group is None:
            ws.cell(3, col, header)
            ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
            col += 1
            continue
        span = sum(1 for g, _, _ in SESSION_LAYOUT if g == group)
        ws.cell(3, col, group)
        ws.merge_cells(start_row=3, start_column=col, end_row=3, end_column=col + span - 1)
        for k in range(span):
            ws.cell(4, col + k, SESSION_LAYOUT[col - 1 + k][1])
        col += span
    for row in ws.iter_rows(min_row=3, max_row=4):
        for cell in row:
            cell.font = bold
            cell.alignment = centre
    r = 5
    for rec in sessions.to_dict("records"):
        for c, (_, _, name) in enumerate(SESSION_LAYOUT, start=1):
            value = rec[name]
            if name in ("consensus", "implemented"):
                value = None if pd.isna(value) else ("是" if value else "否")
            elif name in ("date", "implemented_date"):
                value = None if pd.isna(value) else value.date()
            elif pd.isna(value) if not isinstance(value, str) else False:
                value = None
            elif isinstance(value, np.integer):
                value = int(value)
            cell = ws.cell(r, c, value)
            if name in ("date", "implemented_date") and value is not None:
                cell.number_format = "yyyy-mm-dd"
        r += 1
    r += 1
    ws.cell(r, 1, "填表人：王某某　　审核人：李某某　　填报日期：2024年1月10日")
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncol)
    widths = {"议题": 28, "协商结果": 26, "组织单位": 20, "协商平台": 18}
    for c, (_, header, _) in enumerate(SESSION_LAYOUT, start=1):
        ws.column_dimensions[get_column_letter(c)].width = widths.get(header, 12)
    ws.freeze_panes = "B5"
    wb.properties.creator = f"{DISTRICT_NAME}政协办公室"
    wb.properties.created = _FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(_normalise_zip(buffer.getvalue()))


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite an xlsx with fixed timestamps, so the same content gives the same bytes."""
    stamp = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = content.decode("utf-8")
                text = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                              rf"\g<1>{stamp}\g<2>", text)
                content = text.encode("utf-8")
            fixed = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 10, 9, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, content)
    return out.getvalue()


def _likert_items() -> dict[str, tuple[str, dict[int, str]]]:
    items: dict[str, tuple[str, dict[int, str]]] = {
        "sat1": ("总体而言，您对本社区（村）协商议事工作是否满意", _LIKERT_SAT),
        "sat2": ("您对协商议题的选择是否满意", _LIKERT_SAT),
        "sat3": ("您对协商过程的公开程度是否满意", _LIKERT_SAT),
        "sat4": ("您对协商结果的落实情况是否满意", _LIKERT_SAT),
        "trust1": ("您对社区（村）党组织的信任程度", _LIKERT_TRUST),
        "trust2": ("您对街道（镇）政府的信任程度", _LIKERT_TRUST),
        "trust3": ("您对政协委员和人大代表的信任程度", _LIKERT_TRUST),
        "eff1": ("像我这样的人的意见能够影响社区的决定", _LIKERT_AGREE),
        "eff2": ("我有能力参与社区公共事务的讨论", _LIKERT_AGREE),
        "eff3": ("社区的事情太复杂，像我这样的人搞不懂（反向题）", _LIKERT_AGREE),
        "eff4": ("干部不太在乎像我这样的人怎么想（反向题）", _LIKERT_AGREE),
    }
    return items


def _write_survey_sav(survey: pd.DataFrame, path: Path) -> None:
    import pyreadstat

    labels = {
        "respondent_id": "受访者编号", "unit_id": "社区编码", "stratum": "抽样层（镇街）",
        "cluster": "初级抽样单元（社区）", "fpc": "层内社区总数（有限总体校正）",
        "weight": "设计权重", "gender": "性别", "age": "年龄（周岁）", "age_band": "年龄段",
        "education": "文化程度", "party_member": "是否中共党员",
        "attended": "过去12个月是否参加过协商议事活动",
        "n_sessions": "过去12个月参加协商议事活动次数",
        "part_online": "过去12个月是否通过网络渠道参与协商",
    }
    value_labels: dict[str, dict[int | float, str]] = {
        "gender": {1: "男", 2: "女"},
        "age_band": {i + 1: b for i, b in enumerate(_AGE_BANDS)},
        "education": dict(_EDUCATION),
        "party_member": dict(_YESNO), "attended": dict(_YESNO), "part_online": dict(_YESNO),
    }
    missing: dict[str, list[int | float | str]] = {}
    for name, (label, codes) in _likert_items().items():
        labels[name] = label
        value_labels[name] = {**codes, **_MISSING}
        missing[name] = [98, 99]
    platforms = {t.code: t.zh for t in VOCABULARIES["platform"].terms}
    for code in _AWARE_P:
        col = f"aware_{code}"
        labels[col] = f"是否听说过“{platforms[code]}”"
        value_labels[col] = {0: "没听说过", 1: "听说过"}
    frame = survey.copy()
    for col in frame.columns:
        if col not in {"respondent_id", "unit_id", "stratum", "cluster"}:
            frame[col] = frame[col].astype("float64")
    measure = {c: ("scale" if c in {"fpc", "weight", "age", "n_sessions"} else
                   "nominal" if c in {"respondent_id", "unit_id", "stratum", "cluster",
                                      "gender", "party_member", "attended", "part_online"}
                   or c.startswith("aware_") else "ordinal") for c in frame.columns}
    pyreadstat.write_sav(frame, str(path), file_label=f"{DISTRICT_NAME}居民协商参与调查（虚构）",
                         column_labels=[labels[c] for c in frame.columns],
                         variable_value_labels=value_labels, missing_ranges=missing,
                         variable_measure=measure)
    _fix_sav_timestamp(path)


def _write_panel_sav(panel: pd.DataFrame, path: Path) -> None:
    import pyreadstat

    labels = {"respondent_id": "受访者编号", "wave": "测量波次", "unit_id": "社区编码",
              "gender": "性别", "age": "年龄（周岁）"}
    opinions = {
        "op1": "老旧小区加装电梯应由受益住户按楼层分摊费用",
        "op2": "社区公共停车位应优先分配给本小区业主",
        "op3": "垃圾分类应实行定时定点投放",
        "op4": "物业费应随服务质量评价上下浮动",
    }
    quiz = {
        "know1": "居民议事会的议题由谁提出（知识题）",
        "know2": "协商结果是否需要公示（知识题）",
        "know3": "未达成共识的议题可提交哪类会议表决（知识题）",
        "know4": "加装电梯需要多大比例业主同意（知识题）",
        "know5": "“两代表一委员”指哪些人（知识题）",
        "know6": "本社区议事室的开放时间（知识题）",
    }
    value_labels: dict[str, dict[int | float, str]] = {
        "wave": {1: VOCABULARIES["wave"].categories[0], 2: VOCABULARIES["wave"].categories[1]},
        "gender": {1: "男", 2: "女"},
    }
    for col, label in opinions.items():
        labels[col] = label
        value_labels[col] = dict(_LIKERT_AGREE)
    for col, label in quiz.items():
        labels[col] = label
        value_labels[col] = {0: "答错", 1: "答对"}
    frame = panel.copy()
    for col in frame.columns:
        if col not in {"respondent_id", "unit_id"}:
            frame[col] = frame[col].astype("float64")
    pyreadstat.write_sav(frame, str(path), file_label=f"{DISTRICT_NAME}协商前后测问卷（虚构）",
                         column_labels=[labels[c] for c in frame.columns],
                         variable_value_labels=value_labels)
    _fix_sav_timestamp(path)


def _fix_sav_timestamp(path: Path) -> None:
    """Overwrite the creation date and time in a .sav header with a fixed stamp.

    The SPSS header holds ``creation_date`` (9 bytes, ``dd mmm yy``) at byte 92
    and ``creation_time`` (8 bytes, ``hh:mm:ss``) right after it.
    """
    data = bytearray(path.read_bytes())
    offset = 4 + 60 + 4 + 4 + 4 + 4 + 4 + 8
    data[offset:offset + 17] = b"10 Jan 2409:00:00"
    path.write_bytes(bytes(data))


def write_demo(out: str | Path, *, seed: int = DEFAULT_SEED) -> dict[str, Path]:
    """Write the demo study's files, manifest and planted effects into folder `out`.

    Parameters
    ----------
    out : str or pathlib.Path
        Folder to write into (created if needed). Existing files are replaced.
    seed : int, default DEFAULT_SEED
        Seed; the same seed reproduces every file byte for byte.

    Returns
    -------
    dict of str to pathlib.Path
        File kind → path written.
    """
    from toolkit.datasets._demo_meta import manifest_yaml, planted_yaml

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    tables = generate(seed)
    paths = {
        "units": folder / "units.csv",
        "participants": folder / "participants.csv",
        "sessions": folder / "sessions.xlsx",
        "attendance": folder / "attendance.csv",
        "submissions": folder / "submissions.csv",
        "survey": folder / "survey.sav",
        "panel": folder / "panel.sav",
        "manifest": folder / "study.yaml",
        "planted_effects": folder / "planted_effects.yaml",
    }
    _write_units(tables["units"], paths["units"])
    _write_participants(tables["participants"], paths["participants"])
    _write_sessions_xlsx(tables["sessions"], paths["sessions"])
    _write_attendance(tables["attendance"], paths["attendance"])
    _write_submissions(tables["submissions"], paths["submissions"])
    _write_survey_sav(tables["survey"], paths["survey"])
    _write_panel_sav(tables["panel"], paths["panel"])
    paths["manifest"].write_text(manifest_yaml(), encoding="utf-8", newline="\n")
    paths["planted_effects"].write_text(planted_yaml(seed), encoding="utf-8", newline="\n")
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m toolkit.datasets.synth --out datasets/demo [--seed N]``."""
    parser = argparse.ArgumentParser(description="Write the demo district study's files.")
    parser.add_argument("--out", default="datasets/demo", help="output folder")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    args = parser.parse_args(argv)
    for kind, path in write_demo(args.out, seed=args.seed).items():
        print(f"{kind}: {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
