"""Sections on what consultation achieves: the process of sessions, responses to submissions."""

from __future__ import annotations

import numpy as np

import toolkit as tk
from toolkit import schema
from toolkit.report._format import fmt_count
from toolkit.report.demo._section import Context, Section, measure, pct, rates_table, t

__all__ = ["process", "responsiveness"]

#: The stage of sessions whose consensus the cross-table compares, online and offline.
CONSULTATION = schema.VOCABULARIES["stage"].normalise("consultation")


def process(ctx: Context) -> Section:
    """Consensus, escalation and implementation rates, rounds, time to implementation."""
    lang, study = ctx.lang, ctx.study
    sec = Section("process", t(lang, "协商过程", "Consultation process"))
    res = tk.stats.sessions(study)
    rates = res.rates
    get = rates.set_index("measure")["estimate"]
    ctx.facts.update({f"process_{k}": float(v) for k, v in get.items()})
    sec.text(t(
        lang,
        f"议事协商场次的共识率为 {pct(get.get('consensus_rate', np.nan))}；"
        f"议题落实率为 {pct(get.get('implementation_rate', np.nan))}，"
        f"提交居民会议等的比例为 {pct(get.get('escalation_rate', np.nan))}。",
        f"{pct(get.get('consensus_rate', np.nan))} of consultation sessions reached consensus; "
        f"{pct(get.get('implementation_rate', np.nan))} of topics were implemented and "
        f"{pct(get.get('escalation_rate', np.nan))} were escalated to a residents' meeting.",
    ))
    sec.table(rates_table(rates, lang), t(lang, "协商过程指标", "Process measures"))
    if res.rounds is not None and len(res.rounds):
        r = res.rounds.rename(columns={"rounds": t(lang, "达成共识的轮次", "Round of consensus")})
        sec.table(r, t(lang, "议题达成共识所需轮次", "Rounds to consensus"), digits=3)
    sessions = study.table("sessions")
    title = t(lang, "线上与线下平台的共识情况", "Consensus on online and offline platforms")
    needed = ["consensus", "platform", "stage"]
    if set(needed) <= set(sessions.columns):
        part = sessions[sessions["stage"].astype(str) == CONSULTATION].copy()
        vocab = schema.VOCABULARIES["platform"]
        part["platform_group"] = [t(lang, "线上", "Online") if vocab.group_of(p) == "online"
                                  else t(lang, "线下", "Offline")
                                  for p in part["platform"].astype(str)]
        tab = tk.stats.Design(part).crosstab("platform_group", "consensus")
        sec.table(tk.report.crosstab_table(tab, labels={"platform_group": t(lang, "平台类型",
                                                                            "Platform type")},
                                           lang=lang), title)
    else:
        sec.skip("process.platforms", title, ctx.no_column("sessions", *needed))
    title = t(lang, "议题从协商到落实的时间（Kaplan–Meier估计）",
              "Time from consultation to implementation (Kaplan–Meier)")
    if len(res.km):
        ax = tk.plot.survival(res.km, lang=lang,
                              ylabel=t(lang, "尚未落实的比例", "Share not yet implemented"))
        sec.figure(ax, title, "km_implementation")
    else:
        sec.skip("process.km", title, t(lang, "没有可计算落实时间的议题",
                                        "no topic has a date of implementation to time"))
    return sec


def responsiveness(ctx: Context) -> Section:
    """Adoption, instruction and response rates, the claims tested, time to response."""
    lang, study = ctx.lang, ctx.study
    sec = Section("responsiveness", t(lang, "提案与社情民意信息的回应性",
                                      "Responsiveness to submissions"))
    res = tk.stats.submissions(study, claim={"instructed": 1.0, "responded": 1.0})
    get = res.rates.set_index("measure")["estimate"]
    ctx.facts.update({f"submissions_{k}": float(v) for k, v in get.items()})
    n = len(study.table("submissions"))
    sec.text(t(
        lang,
        f"共 {fmt_count(n)} 件提案与信息，采用率 {pct(get.get('adoption_rate', np.nan))}，"
        f"获批示率 {pct(get.get('instruction_rate', np.nan))}，"
        f"回应率 {pct(get.get('response_rate', np.nan))}。“件件有批示、事事有回应”的说法"
        "可以用比例及其置信区间检验（见下表）。",
        f"Of {fmt_count(n)} submissions, {pct(get.get('adoption_rate', np.nan))} were adopted, "
        f"{pct(get.get('instruction_rate', np.nan))} received a leader's instruction and "
        f"{pct(get.get('response_rate', np.nan))} a response. The claim that every piece "
        "gets an instruction and a response is tested below.",
    ))
    sec.table(rates_table(res.rates, lang), t(lang, "提案与信息的办理指标",
                                              "Handling of submissions"))
    if res.claims is not None and len(res.claims):
        c = res.claims[["measure", "claimed", "estimate", "ci_low", "ci_high", "p_value"]].copy()
        c["measure"] = [measure(x, lang) for x in c["measure"]]
        sec.table(c, t(lang, "“件件有批示、事事有回应”的检验", "Test of the claims"),
                  labels={"measure": t(lang, "说法", "Claim")},
                  shares=["claimed", "estimate", "ci_low", "ci_high"])
    title = t(lang, "从报送到回应的时间（按渠道）", "Time to response by channel")
    km = tk.stats.submissions(study, by="channel").km if "channel" in \
        study.table("submissions").columns else None
    if km is None:
        sec.skip("responsiveness.km", title, ctx.no_column("submissions", "channel"))
    elif not len(km):
        sec.skip("responsiveness.km", title, t(lang, "没有可计算回应时间的提案与信息",
                                               "no submission has a response date to time"))
    else:
        ax = tk.plot.survival(km, by="group", lang=lang,
                              ylabel=t(lang, "尚未回应的比例", "Share without response"))
        legend = ax.get_legend()
        if legend is not None:
            for text in legend.get_texts():
                text.set_text(schema.label("channel", text.get_text(), lang=lang))
            legend.set_title(t(lang, "报送渠道", "Channel"))
        sec.figure(ax, title, "km_response")
    return sec
