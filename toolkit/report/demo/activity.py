"""Sections on who takes part: coverage (全覆盖), participation, the members' network."""

from __future__ import annotations

import numpy as np

import toolkit as tk
from toolkit import schema
from toolkit.report._format import fmt_count
from toolkit.report.demo._section import Context, Section, pct, t

__all__ = ["coverage", "network", "participation"]

#: The participant type of CPPCC members, whose co-attendance network the report draws.
CPPCC_MEMBER = schema.VOCABULARIES["participant_type"].normalise("cppcc_member")


def coverage(ctx: Context) -> Section:
    """Communities with a room, a session and an assigned member or deputy (tk.net.coverage)."""
    lang = ctx.lang
    sec = Section("coverage", t(lang, "全覆盖情况", "Coverage (全覆盖)"))
    result = tk.net.coverage(ctx.study)
    frame = result.to_frame()
    n = len(frame)
    covered = int((frame["status"] == "covered").sum())
    ctx.facts["communities"] = n
    ctx.facts["covered"] = covered
    sec.text(t(
        lang,
        f"全区共有 {fmt_count(n)} 个村（社区），其中 {fmt_count(covered)} 个（{pct(covered / n)}）"
        "同时具备议事室、协商活动和代表委员联系，实现“全覆盖”。下表按镇街列出尚存的缺口。",
        f"Of the district's {fmt_count(n)} villages and communities, {fmt_count(covered)} "
        f"({pct(covered / n)}) have a consultation room, at least one session and an assigned "
        "CPPCC member or NPC deputy. The table lists the remaining gaps by town.",
    ))
    by_town = result.by_town().drop(columns="parent_id")
    names = {"parent_name": t(lang, "镇街", "Town/street"),
             "n_communities": t(lang, "村社区数", "Communities"),
             "n_with_member": t(lang, "有代表委员联系", "With member or deputy"),
             "n_with_room": t(lang, "有议事室", "With room"),
             "n_with_session": t(lang, "有协商活动", "With session"),
             "n_covered": t(lang, "全覆盖", "Fully covered")}
    sec.table(by_town, t(lang, "各镇街村（社区）覆盖情况", "Coverage of communities by town"),
              suppress=False, labels=names)
    sec.note(t(lang, "此表为村（社区）数，不涉及个人，未作小格隐藏。",
               "The table counts communities, not people, so no cells are suppressed."))
    ax = tk.plot.coverage(result, lang=lang)
    sec.figure(ax, t(lang, "各镇街村（社区）覆盖情况", "Coverage of communities by town"),
               "coverage")
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
    top = max(1, int(np.ceil(0.1 * len(counts))))
    top_share = counts.iloc[:top].sum() / counts.sum()
    ctx.facts.update(sessions=len(sessions), attendances=len(att),
                     active_participants=len(active), top10_share=float(top_share))
    sec.text(t(
        lang,
        f"共记录协商活动 {fmt_count(len(sessions))} 场、参与 {fmt_count(len(att))} 人次，"
        f"涉及 {fmt_count(len(active))} 名参与者。参与较集中：最活跃的 10% 参与者"
        f"贡献了 {pct(top_share)} 的参与人次。",
        f"{fmt_count(len(sessions))} sessions with {fmt_count(len(att))} attendances by "
        f"{fmt_count(len(active))} participants were recorded. Participation is concentrated: "
        f"the most active 10% of participants account for {pct(top_share)} of attendances.",
    ))
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


def network(ctx: Context) -> Section:
    """The CPPCC members' co-attendance network, its brokers and Gould–Fernandez roles."""
    lang, study = ctx.lang, ctx.study
    sec = Section("network", t(lang, "利益相关者网络与中介者", "Stakeholder network and brokers"))
    people = study.require("participants", "participant_id", "type")
    members = set(people.loc[people["type"].astype(str) == CPPCC_MEMBER, "participant_id"])
    att = study.table("attendance")
    g = tk.net.project(tk.net.two_mode(study), on="actors")
    sub = g.subgraph([n for n in g.nodes if n in members]).copy()
    m = tk.net.measures(sub, measures=["degree", "betweenness"])
    ctx.facts.update(network_nodes=sub.number_of_nodes(), network_edges=sub.number_of_edges())
    sec.text(t(
        lang,
        f"以共同参加协商活动为联系，{fmt_count(sub.number_of_nodes())} 名政协委员之间形成 "
        f"{fmt_count(sub.number_of_edges())} 条联系（基于 {fmt_count(len(att))} 条参与记录）。"
        "中介中心度（betweenness）高的委员连接了原本互不往来的群体。",
        f"Tying members who attended a session together, the {fmt_count(sub.number_of_nodes())} "
        f"CPPCC members form {fmt_count(sub.number_of_edges())} ties (from "
        f"{fmt_count(len(att))} attendance records). Members with high betweenness connect "
        "groups that would otherwise not meet.",
    ))
    top = m.sort_values("betweenness", ascending=False).head(10)
    keep = [c for c in ("node", "sector", "committee", "degree", "betweenness") if c in top]
    table = top[keep].rename(columns={"node": "participant_id"}).reset_index(drop=True)
    sec.table(table, t(lang, "中介中心度最高的10名委员",
                       "Ten members with the highest betweenness"), digits=3, suppress=False)
    title = t(lang, "按界别划分的 Gould–Fernandez 经纪角色",
              "Gould–Fernandez brokerage roles by sector")
    if "sector" in keep:
        roles = tk.net.brokerage(sub.to_directed(), group="sector")
        cols = [c for c in ("coordinator", "itinerant", "representative", "gatekeeper",
                            "liaison", "total") if c in roles.columns]
        summary = roles[cols].sum().rename("two_paths").rename_axis("brokerage_role")
        summary = summary.reset_index()
        sec.table(summary, title, suppress=False,
                  labels={"two_paths": t(lang, "两步路径数", "Two-paths")})
        sec.note(t(lang, "共同参与关系无方向，计算时视为双向联系。",
                   "Co-attendance ties have no direction; each counts both ways."))
    else:
        sec.skip("network.brokerage", title, ctx.no_column("participants", "sector"))
    ax = tk.plot.network(sub, color="sector" if "sector" in keep else None, size="betweenness",
                         lang=lang, seed=20231108)
    sec.figure(ax, t(lang, "政协委员共同参与网络", "Members' co-attendance network"), "network")
    return sec
