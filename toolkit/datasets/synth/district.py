"""The district: its units (towns, communities, liaison stations) and its participants.

Draws from the main stream of the generator, in the order :func:`..generate` calls
them; changing the order of draws changes every later table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from toolkit.datasets.synth.names import (
    AGE_BANDS,
    COMMITTEE_SIZES,
    COMMUNITIES_PER_TOWN,
    DEPARTMENTS,
    NAME_FIRST,
    NAME_SECOND,
    ORG_BY_SECTOR,
    SECTOR_P,
    STREETS,
    TOWNS,
    draw_choice,
    fake_name,
    id_card_number,
)
from toolkit.datasets.synth.planted import DISTRICT_NAME

__all__ = ["draw_participants", "draw_units"]


def draw_units(rng: np.random.Generator) -> pd.DataFrame:
    """The district, its 14 towns/streets, 139 villages/communities and 13 stations."""
    rows = [{"unit_id": "Q00", "name": DISTRICT_NAME, "level": "区县", "parent_id": None,
             "has_room": pd.NA, "population": pd.NA, "urban": pd.NA}]
    pairs = [a + b for a in NAME_FIRST for b in NAME_SECOND]
    order = rng.permutation(len(pairs))
    k = 0
    c = 0
    for t, town in enumerate(STREETS + TOWNS, start=1):
        urban = town.endswith("街道")
        town_id = f"T{t:02d}"
        rows.append({"unit_id": town_id, "name": town, "level": "镇街", "parent_id": "Q00",
                     "has_room": pd.NA, "population": pd.NA, "urban": urban})
        for _ in range(COMMUNITIES_PER_TOWN[t - 1]):
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





def _person(rng: np.random.Generator, pid: str, ptype: str, unit_id: str, town_no: int,
            seq: int, *, age_p: Sequence[float], party_p: float) -> dict[str, Any]:
    male = bool(rng.random() < 0.55)
    band = int(rng.choice(4, p=age_p))
    lo, hi = [(18, 29), (30, 44), (45, 59), (60, 75)][band]
    age = int(rng.integers(lo, hi + 1))
    birth_year = 2023 - age
    birth = dt.date(birth_year, int(rng.integers(1, 13)), int(rng.integers(1, 29)))
    return {
        "participant_id": pid, "name": fake_name(rng), "type": ptype, "sector": None,
        "committee": None, "party_member": bool(rng.random() < party_p),
        "gender": "男" if male else "女", "age_band": AGE_BANDS[band],
        "birth_year": birth_year, "unit_id": unit_id, "organisation": None,
        "id_card": id_card_number(f"5299{town_no:02d}", birth, seq, male=male),
        "phone": f"170{int(rng.integers(0, 10**8)):08d}",
    }


def draw_participants(rng: np.random.Generator, units: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Members, deputies, the four parties, the others, and the pools sessions draw from."""
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
    committees = [c for c, n in COMMITTEE_SIZES.items() for _ in range(n)]
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
        sector = str(draw_choice(rng, SECTOR_P))
        org = ORG_BY_SECTOR.get(sector, "云溪区第{}机关单位").format(i % 9 + 1)
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
    depts = sorted({d for ds in DEPARTMENTS.values() for d in ds})
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
