"""Sections on who takes part: coverage (全覆盖), participation, the members' network."""

from __future__ import annotations

import numpy as np
import pandas as pd

import toolkit as tk
from toolkit import schema
from toolkit.report._format import fmt_count
from toolkit.report.demo._section import Context, Section, num, pct, place_name, t

__all__ = ["coverage", "network", "participation"]

#: The participant type of CPPCC members, whose co-attendance network the report draws.
CPPCC_MEMBER = schema.VOCABULARIES["participant_type"].normalise("cppcc_member")


def coverage(ctx: Context) -> Section:
    """Communities with a room, a session and an assigned member or deputy (tk.net.coverage)."""
    lang = ctx.lang
    sec = Section("coverage", t(lang, "全覆盖情况", "Coverage"))
    result = tk.net.coverage(ctx.study)
    frame = result.to_frame()
    n = ctx.fact("communities", len(frame))
    covered = ctx.fact("covered", int((frame["status"] == "covered").sum()))
    share = ctx.fact("covered_share", covered / n if n else float("nan"))
    by_town = result.by_town().drop(columns="parent_id")
    gaps = {key: int(n - by_town[col].sum()) for key, col in
            (("room", "n_with_room"), ("session", "n_with_session"),
             ("member", "n_with_member"))}
    for key, value in gaps.items():
        ctx.fact(f"without_{key}", value)
    rate = by_town["n_covered"] / by_town["n_communities"]
    low = by_town.loc[rate.idxmin()] if len(by_town) else None
    sec.text(t(
        lang,
        f"研究范围内共有 {fmt_count(n)} 个村（社区），其中 {fmt_count(covered)} 个"
        f"（{pct(share)}）同时具备议事室、开展过协商活动并有代表委员联系，即实现“全覆盖”。"
        f"未覆盖的主要缺口在议事室：{fmt_count(gaps['room'])} 个村（社区）尚无议事室，"
        f"{fmt_count(gaps['session'])} 个没有协商活动记录，{fmt_count(gaps['member'])} 个"
        "没有联系的代表委员。",
        f"Of the {fmt_count(n)} villages and communities studied, {fmt_count(covered)} "
        f"({pct(share)}) have a consultation room, at least one recorded session and an "
        "assigned CPPCC member or people's deputy, i.e. are fully covered. The main gap is "
        f"rooms: {fmt_count(gaps['room'])} communities have none, {fmt_count(gaps['session'])} "
        f"have no recorded session and {fmt_count(gaps['member'])} no assigned member or "
        "deputy.",
    ))
    if low is not None:
        town = place_name(low["parent_name"], lang)
        ctx.fact("lowest_town_covered", int(low["n_covered"]))
        ctx.fact("lowest_town_communities", int(low["n_communities"]))
        sec.text(t(
            lang,
            f"各镇街的覆盖情况见下表，覆盖比例最低的是{town}："
            f"{fmt_count(low['n_communities'])} 个村（社区）中只有 {fmt_count(low['n_covered'])} "
            "个实现全覆盖。这里的覆盖只说明“有没有”，不说明议事室是否常用、活动质量如何；"
            "台账中未登记的活动也未计入。",
            f"The table below gives coverage by town; the lowest share is in {town}, where "
            f"{fmt_count(low['n_covered'])} of {fmt_count(low['n_communities'])} communities are "
            "fully covered. Coverage only says whether a room, a session and a member exist, "
            "not how often the room is used or how good the sessions are; sessions missing "
            "from the ledgers are not counted.",
        ))
    sec.summary.append(t(
        lang,
        f"{fmt_count(n)} 个村（社区）中 {fmt_count(covered)} 个（{pct(share)}）实现“全覆盖”，"
        f"主要缺口是议事室（{fmt_count(gaps['room'])} 个村社区尚无）。",
        f"{fmt_count(covered)} of {fmt_count(n)} communities ({pct(share)}) are fully covered; "
        f"the main gap is rooms ({fmt_count(gaps['room'])} communities have none).",
    ))
    sec.findings.append(sec.summary[-1] + t(
        lang, "覆盖只衡量有无，不衡量使用频率与质量。",
        " Coverage measures presence, not how often or how well the places are used."))
    by_town = by_town.assign(parent_name=[place_name(v, lang) for v in by_town["parent_name"]])
    names = {"parent_name": t(lang, "镇街", "Town/street"),
             "n_communities": t(lang, "村社区数", "Communities"),
             "n_with_member": t(lang, "有代表委员联系", "With member or deputy"),
             "n_with_room": t(lang, "有议事室", "With room"),
             "n_with_session": t(lang, "有协商活动", "With session"),
             "n_covered": t(lang, "全覆盖", "Fully covered")}
    sec.table(by_town.rename(columns=names), t(lang, "各镇街村（社区）覆盖情况",
                                               "Coverage of communities by town"),
              suppress=False,
              notes=[t(lang, "此表为村（社区）数，不涉及个人，未作小格隐藏。",
                       "The table counts communities, not people, so no cells are "
                       "suppressed.")])
    ax = tk.plot.coverage(result, lang=lang)
    sec.figure(ax, t(lang, "各镇街村（社区）覆盖情况", "Coverage of communities by town"),
               "coverage")
    sec.methods.append(t(
        lang,
        "全覆盖：一个村（社区）同时有议事室（区划表 has_room）、至少一场协商活动（活动台账）"
        "和至少一名联系的代表委员（参与者表），即计为覆盖（tk.net.coverage）。",
        "Coverage: a community counts as covered when it has a consultation room (units "
        "table, has_room), at least one session (sessions ledger) and at least one assigned "
        "member or deputy (participants table); tk.net.coverage."))
    return sec


def participation(ctx: Context) -> Section:
    """Sessions and attendances, concentration of participation, who takes part."""
    lang, study = ctx.lang, ctx.study
    sec = Section("participation", t(lang, "参与与包容", "Participation and inclusion"))
    sessions = study.require("sessions", "date", "platform")
    att = study.require("attendance", "participant_id", "session_id")
    people = study.require("participants", "participant_id", "type")
    counts = att.groupby("participant_id", observed=True).size().sort_values(ascending=False)
    active = people[people["participant_id"].isin(counts.index)]
    top = max(1, int(np.ceil(0.1 * len(counts)))) if len(counts) else 0
    top_share = counts.iloc[:top].sum() / counts.sum() if len(counts) else float("nan")
    n_sessions = ctx.fact("sessions", len(sessions))
    n_att = ctx.fact("attendances", len(att))
    n_active = ctx.fact("active_participants", len(active))
    top_share = ctx.fact("top10_share", float(top_share))
    median = ctx.fact("median_attendances", float(counts.median()) if len(counts) else 0.0)
    sec.text(t(
        lang,
        f"共记录协商活动 {fmt_count(n_sessions)} 场、参与 {fmt_count(n_att)} 人次，涉及 "
        f"{fmt_count(n_active)} 名参与者，每人参与次数的中位数为 {num(median, 0)} 次。参与较为"
        f"集中：参与次数最多的 10% 参与者贡献了 {pct(top_share)} 的参与人次。",
        f"{fmt_count(n_sessions)} sessions with {fmt_count(n_att)} attendances by "
        f"{fmt_count(n_active)} participants were recorded; the median participant attended "
        f"{num(median, 0)} times. Participation is concentrated: the most active 10% of "
        f"participants account for {pct(top_share)} of attendances.",
    ))
    if "gender" in active.columns and len(active):
        gender = active["gender"].astype("string")
        women = ctx.fact("women_share", float((gender == "女").sum() / len(active)))
        unknown = ctx.fact("gender_missing_share", float(gender.isna().sum() / len(active)))
        sec.text(t(
            lang,
            f"参与者中女性占 {pct(women)}（另有 {pct(unknown)} 的参与者未登记性别）；各类参与者"
            "的构成见下表。构成只说明谁到场，不说明谁在会上发言或影响了结果。",
            f"Women are {pct(women)} of participants (gender is not recorded for "
            f"{pct(unknown)}); the table below gives the make-up of participants. It says who "
            "came, not who spoke or shaped the outcome.",
        ))
    sec.summary.append(t(
        lang,
        f"记录协商活动 {fmt_count(n_sessions)} 场、参与 {fmt_count(n_att)} 人次；参与较集中，"
        f"最活跃的 10% 参与者贡献了 {pct(top_share)} 的参与人次。",
        f"{fmt_count(n_sessions)} sessions and {fmt_count(n_att)} attendances were recorded; "
        f"the most active 10% of participants account for {pct(top_share)} of attendances.",
    ))
    sec.findings.append(sec.summary[-1] + t(
        lang, "签到台账只记录到场，不记录发言与作用。",
        " Attendance ledgers record presence only, not what people said or did."))
    vars_ = [c for c in ("type", "gender", "age_band", "party_member") if c in active.columns]
    described = tk.stats.describe(active, vars=vars_, include_missing=True)
    sec.table(tk.report.describe_table(described, lang=lang),
              t(lang, "参与者构成", "Participants"))
    sec.figure(tk.plot.timeline(sessions, lang=lang),
               t(lang, "各平台每月协商次数", "Sessions per month by platform"), "timeline")
    title = t(lang, "各镇街在各平台的协商次数", "Sessions by town and platform")
    if "units" in study.tables:
        sec.figure(tk.plot.heatmap(study, row="town", col="platform", lang=lang), title,
                   "heatmap_town_platform")
    else:
        sec.skip("participation.heatmap", title, ctx.no_table("units"))
    return sec


_ROLES = {"coordinator": ("协调者（界内中介）", "Coordinator (within a sector)"),
          "itinerant": ("顾问者（外界中介同界）", "Itinerant (outsider between members of "
                                                 "one sector)"),
          "representative": ("代表者（向外界传出）", "Representative (to another sector)"),
          "gatekeeper": ("守门人（从外界传入）", "Gatekeeper (from another sector)"),
          "liaison": ("联络者（三方各属不同界别）", "Liaison (three different sectors)"),
          "total": ("合计", "Total")}


def network(ctx: Context) -> Section:
    """The CPPCC members' co-attendance network, its brokers and Gould–Fernandez roles."""
    lang, study = ctx.lang, ctx.study
    sec = Section("network", t(lang, "委员共同参与网络与中介者",
                               "Members' co-attendance network and brokers"))
    sec.concepts.add("coattendance")
    people = study.require("participants", "participant_id", "type")
    members = set(people.loc[people["type"].astype(str) == CPPCC_MEMBER, "participant_id"])
    att = study.table("attendance")
    g = tk.net.project(tk.net.two_mode(study), on="actors")
    sub = g.subgraph([n for n in g.nodes if n in members]).copy()
    m = tk.net.measures(sub, measures=["degree", "betweenness"])
    nodes = ctx.fact("network_nodes", sub.number_of_nodes())
    edges = ctx.fact("network_edges", sub.number_of_edges())
    possible = nodes * (nodes - 1) / 2
    density = ctx.fact("network_density", edges / possible if possible else float("nan"))
    sec.text(t(
        lang,
        f"以共同出席协商活动为联系（含义见读数说明），{fmt_count(nodes)} 名政协委员之间有 "
        f"{fmt_count(edges)} 条联系（基于 {fmt_count(len(att))} 条参与记录），占所有可能委员"
        f"对的 {pct(density)}。",
        f"Linking members who attended a session together (see the notes on reading the "
        f"figures), the {fmt_count(nodes)} CPPCC members have {fmt_count(edges)} links (from "
        f"{fmt_count(len(att))} attendance records), {pct(density)} of all possible pairs.",
    ))
    top = m.sort_values("betweenness", ascending=False).head(10)
    keep = [c for c in ("node", "sector", "committee", "degree", "betweenness") if c in top]
    table = top[keep].rename(columns={"node": "participant_id"}).reset_index(drop=True)
    for col in ("sector", "committee"):
        if col in table.columns:
            table[col] = [schema.label(col, v, lang=lang) for v in table[col].astype(str)]
    if len(top):
        first = top.iloc[0]
        ctx.fact("top_betweenness", float(first["betweenness"]))
        sec.text(t(
            lang,
            f"下表列出中介中心度最高的 10 名委员（以编号代替姓名）。最高者为 {first['node']}，"
            f"中介中心度 {num(first['betweenness'], 3)}，即其他委员之间的最短同场链条中约有 "
            f"{pct(first['betweenness'])} 经过他（她）。"
            "这反映出席记录的结构，不是对个人作用的评价。",
            f"The table lists the ten members with the highest betweenness (ids instead of "
            f"names). The highest, {first['node']}, has a betweenness of "
            f"{num(first['betweenness'], 3)}: about {pct(first['betweenness'])} of the shortest "
            "co-attendance chains between other members pass through this member. This "
            "describes the attendance records, not the member's personal role.",
        ))
    sec.table(table, t(lang, "中介中心度最高的10名委员",
                       "Ten members with the highest betweenness"), digits=3, suppress=False,
              notes=[t(lang, "中心度均已标准化到0–1；委员以编号表示。",
                       "Centralities are normalised to 0–1; members are shown by id.")])
    title = t(lang, "按界别划分的 Gould–Fernandez 经纪角色",
              "Gould–Fernandez brokerage roles by sector")
    if "sector" in keep and nodes > 2:
        _brokerage(ctx, sec, sub, title)
    else:
        sec.skip("network.brokerage", title, ctx.no_column("participants", "sector"))
    ax = tk.plot.network(sub, color="sector" if "sector" in keep else None, size="betweenness",
                         lang=lang, seed=20231108)
    sec.figure(ax, t(lang, "政协委员共同参与网络", "Members' co-attendance network"), "network")
    sec.methods.append(t(
        lang,
        "网络：参与记录构成“委员 × 活动”二模网络，投影为委员之间的一模网络（tk.net.two_mode、"
        "tk.net.project），中介中心度按 Brandes 算法计算并标准化；经纪角色按 Gould 与 "
        "Fernandez（1989）的定义计数，期望值与 z 值同 R sna::brokerage（tk.net.brokerage）。",
        "Network: attendance records form a two-mode member × session network, projected "
        "onto members (tk.net.two_mode, tk.net.project); betweenness by Brandes' algorithm, "
        "normalised; brokerage roles as defined by Gould and Fernandez (1989), with "
        "expectations and z-scores as R's sna::brokerage (tk.net.brokerage)."))
    return sec


def _brokerage(ctx: Context, sec: Section, sub: object, title: str) -> None:
    lang = ctx.lang
    roles = tk.net.brokerage(sub.to_directed(), by="sector")
    keys = [k for k in _ROLES if k in roles.columns]
    rows = []
    for k in keys:
        observed = float(roles[k].sum())
        expected = float(roles[f"expected_{k}"].sum())
        high = int((roles[f"z_{k}"] >= 1.96).sum())
        rows.append({"role": _ROLES[k][0 if lang == "zh" else 1], "observed": int(observed),
                     "expected": expected,
                     "ratio": observed / expected if expected else float("nan"),
                     "high": high})
    frame = pd.DataFrame(rows)
    total = next(r for r, k in zip(rows, keys, strict=True) if k == "total")
    ratio = ctx.fact("brokerage_ratio", total["ratio"])
    ctx.fact("brokerage_observed", total["observed"])
    ctx.fact("brokerage_expected", total["expected"])
    high = ctx.fact("brokers_significant", total["high"])
    coord = next((r for r, k in zip(rows, keys, strict=True) if k == "coordinator"), None)
    more = ratio >= 1
    sec.text(t(
        lang,
        f"经纪角色把每一条“甲—乙—丙”且甲丙之间没有直接联系的路径，按三人所属界别分为五类。"
        f"期望值是在联系密度不变、界别随机分配时应有的路径数。观察到的中介路径合计 "
        f"{fmt_count(total['observed'])} 条，为期望值 {fmt_count(total['expected'])} 的 "
        f"{num(ratio, 2)} 倍" + ("，中介路径多于随机情形" if more else
                                "，少于随机情形：同场的委员彼此也常同场，联系多为闭合的小圈子")
        + (f"；界内协调路径只有期望值的 {num(coord['ratio'], 2)} 倍" if coord else "")
        + f"。按个人计，{fmt_count(high)} 名委员的中介路径总数显著高于期望（z ≥ 1.96）。",
        "Brokerage roles sort every path A–B–C without a direct A–C link by the sectors of "
        "the three members. The expected count is what a network of the same density would "
        "show if sectors were assigned at random. The observed brokerage paths total "
        f"{fmt_count(total['observed'])}, {num(ratio, 2)} times the expected "
        f"{fmt_count(total['expected'])}" + ("; there is more brokerage than chance" if more
                                              else "; there is less than chance: members "
                                                   "who meet also tend to meet each other's "
                                                   "contacts, in closed circles")
        + (f"; coordination within a sector is {num(coord['ratio'], 2)} times its expected "
           "value" if coord else "")
        + f". Individually, {fmt_count(high)} members broker significantly more paths than "
          "expected (z ≥ 1.96).",
    ))
    sec.summary.append(t(
        lang,
        f"{fmt_count(ctx.facts['network_nodes'])} 名政协委员的共同参与网络中，中介路径为随机"
        f"期望的 {num(ratio, 2)} 倍。",
        f"In the co-attendance network of {fmt_count(ctx.facts['network_nodes'])} CPPCC "
        f"members, brokerage is {num(ratio, 2)} times its expected value."))
    sec.findings.append(t(
        lang,
        f"委员共同参与网络中的中介路径为随机期望的 {num(ratio, 2)} 倍，"
        f"{fmt_count(high)} 名委员的中介路径显著多于期望；网络只记录同场，不记录交流。",
        f"Brokerage in the members' co-attendance network is {num(ratio, 2)} times its "
        f"expected value, and {fmt_count(high)} members broker significantly more than "
        "expected; the network records co-attendance, not exchange.",
    ))
    frame = frame.rename(columns={"role": t(lang, "经纪角色", "Role"),
                                  "observed": t(lang, "观察路径数", "Observed"),
                                  "expected": t(lang, "随机期望", "Expected"),
                                  "ratio": t(lang, "观察/期望", "Observed/expected"),
                                  "high": t(lang, "z≥1.96的委员数", "Members with z ≥ 1.96")})
    sec.table(frame, title, digits=2, suppress=False, notes=[t(
        lang,
        "共同参与关系无方向，计算时视为双向联系，每条路径按两个方向各计一次，因此代表者与"
        "守门人的计数相同。期望值为界别随机分配、密度不变时的期望（同 R sna::brokerage）。",
        "Co-attendance links have no direction; each counts both ways, so every path is "
        "counted in both directions and representative equals gatekeeper. Expected: under "
        "random assignment of sectors at the observed density (as R's sna::brokerage).")])
