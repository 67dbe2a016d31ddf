"""The demo study's commissioned-study report (``toolkit demo``).

:func:`build_demo` loads the bundled demo study and writes ``report.docx``,
``report.html`` and every figure as PNG and SVG. The report is assembled only
from the public functions of ``tk.stats``, ``tk.net``, ``tk.plot`` and
``tk.report``: a section whose analysis is not available in the installed
version (a function missing) or fails is left out, and the data section lists
what was left out and why. Nothing is estimated here that those modules do not
return, apart from plain counts of the tables.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit.report._format import Lang, check_lang, fmt_count
from toolkit.report.document import Report
from toolkit.report.tables import Table

__all__ = ["DemoReport", "build_demo", "build_study_report"]


class _Unavailable(Exception):
    """An analysis the section needs is not in this version of the toolkit."""


def _need(module: str, *names: str) -> Any:
    """Import `module` and check it has `names`; raise _Unavailable otherwise."""
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        msg = f"{module} ({exc})"
        raise _Unavailable(msg) from exc
    for name in names:
        try:
            getattr(mod, name)
        except (AttributeError, ImportError) as exc:
            msg = f"{module}.{name}"
            raise _Unavailable(msg) from exc
    return mod


@dataclass
class _Section:
    key: str
    title: str
    items: list[tuple[str, Any]] = field(default_factory=list)

    def heading(self, text: str, level: int = 2) -> None:
        self.items.append(("heading", (text, level)))

    def text(self, text: str) -> None:
        self.items.append(("text", text))

    def note(self, text: str) -> None:
        self.items.append(("note", text))

    def table(self, table: Table | pd.DataFrame, caption: str, **kw: Any) -> None:
        self.items.append(("table", (table, caption, kw)))

    def figure(self, ax: Any, caption: str, name: str) -> None:
        self.items.append(("figure", (ax.figure if hasattr(ax, "figure") else ax, caption, name)))


@dataclass
class DemoReport:
    """What :func:`build_study_report` made.

    Attributes
    ----------
    report : Report
        The assembled report.
    figures : dict
        Figure name → matplotlib Figure, in report order.
    skipped : list of (str, str, str)
        Sections left out: key, title, reason (``"unavailable: …"`` when an
        analysis is missing from this version, ``"failed: …"`` when it raised).
    facts : dict
        Key numbers quoted in the text, for checking.
    """

    report: Report
    figures: dict[str, Any]
    skipped: list[tuple[str, str, str]]
    facts: dict[str, Any]


def _t(lang: Lang, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _vocab(name: str, value: object, lang: Lang) -> str:
    from toolkit import schema

    return schema.label(name, value, lang=lang)


_MEASURES = {
    "consensus_rate": ("场次共识率", "Consensus rate (sessions)"),
    "topic_consensus_rate": ("议题共识率", "Consensus rate (topics)"),
    "escalation_rate": ("提交会议比例", "Escalation rate"),
    "implementation_rate": ("议题落实率", "Implementation rate"),
    "adoption_rate": ("采用率", "Adoption rate"),
    "instruction_rate": ("批示率", "Instruction rate"),
    "response_rate": ("回应率", "Response rate"),
    "days_to_implementation": ("从协商到落实的天数", "Days to implementation"),
    "days_to_response": ("从报送到回应的天数", "Days to response"),
    "instructed": ("获得领导批示", "Instructed"),
    "responded": ("得到回应", "Responded"),
    "adopted": ("被采用", "Adopted"),
}


def _measure(name: object, lang: Lang) -> str:
    pair = _MEASURES.get(str(name))
    return str(name) if pair is None else pair[0 if lang == "zh" else 1]


def _rates_table(rates: pd.DataFrame, lang: Lang, by: str | None = None) -> pd.DataFrame:
    cols = ([by] if by else []) + ["measure", "successes", "n", "estimate", "ci_low", "ci_high"]
    frame = rates[cols].copy()
    frame["measure"] = [_measure(m, lang) for m in frame["measure"]]
    for c in ("estimate", "ci_low", "ci_high"):
        frame[c] = (100 * frame[c].astype(float)).round(1)
    names = {"measure": _t(lang, "指标", "Measure"), "successes": _t(lang, "次数", "Count"),
             "n": _t(lang, "基数", "Base"), "estimate": _t(lang, "比例（%）", "Percent"),
             "ci_low": _t(lang, "95%CI下限", "CI low"), "ci_high": _t(lang, "95%CI上限", "CI high")}
    return frame.rename(columns=names)


# ---------------------------------------------------------------------------
# sections
# ---------------------------------------------------------------------------


def _coverage(study: Any, lang: Lang, facts: dict[str, Any]) -> _Section:
    net = _need("toolkit.net", "coverage")
    import toolkit as tk

    sec = _Section("coverage", _t(lang, "全覆盖情况", "Coverage (全覆盖)"))
    result = net.coverage(study)
    frame = result if isinstance(result, pd.DataFrame) else None
    for attr in ("communities", "units", "to_frame"):
        if frame is None and hasattr(result, attr):
            value = getattr(result, attr)
            frame = value() if callable(value) else value
    units = study.table("units")
    try:
        status = tk.plot.coverage_status(frame, units=units)
        source = frame
    except (TypeError, ValueError, KeyError):
        status = tk.plot.coverage_status(study)
        source = study
    n = len(status)
    covered = int((status["status"] == "covered").sum())
    facts["communities"] = n
    facts["covered"] = covered
    sec.text(_t(
        lang,
        f"全区共有 {fmt_count(n)} 个村（社区），其中 {fmt_count(covered)} 个（{_pct(covered / n)}）"
        "同时具备议事室、协商活动和委员联系，实现“全覆盖”。下表按镇街列出尚存的缺口。",
        f"Of the district's {fmt_count(n)} villages and communities, {fmt_count(covered)} "
        f"({_pct(covered / n)}) have a consultation room, at least one session and a linked "
        "CPPCC member. The table lists the remaining gaps by town.",
    ))
    flags = [c for c in ("has_member", "has_room", "has_session") if c in status.columns]
    by_town = status.groupby("town", sort=True).agg(
        n=("unit_id", "size"), **{f: (f, "sum") for f in flags},
        covered=("status", lambda s: int((s == "covered").sum())))
    by_town = by_town.reset_index()
    names = {"town": _t(lang, "镇街", "Town/street"), "n": _t(lang, "村社区数", "Communities"),
             "has_member": _t(lang, "有委员联系", "With member"),
             "has_room": _t(lang, "有议事室", "With room"),
             "has_session": _t(lang, "有协商活动", "With session"),
             "covered": _t(lang, "全覆盖", "Fully covered")}
    by_town = by_town.astype({c: "int64" for c in by_town.columns if c != "town"})
    sec.table(by_town.rename(columns=names), _t(lang, "各镇街村（社区）覆盖情况",
                                                "Coverage of communities by town"),
              suppress=False)
    sec.note(_t(lang, "此表为村（社区）数，不涉及个人，未作小格隐藏。",
                "The table counts communities, not people, so no cells are suppressed."))
    ax = tk.plot.coverage(source, units=units, lang=lang)
    sec.figure(ax, _t(lang, "各镇街村（社区）覆盖情况", "Coverage of communities by town"),
               "coverage")
    return sec


def _participation(study: Any, lang: Lang, facts: dict[str, Any]) -> _Section:
    import toolkit as tk

    sec = _Section("participation", _t(lang, "参与与包容", "Participation and inclusion"))
    sessions = study.require("sessions", "date", "platform")
    att = study.require("attendance", "participant_id", "session_id")
    people = study.require("participants", "participant_id", "type")
    counts = att.groupby("participant_id", observed=True).size().sort_values(ascending=False)
    active = people[people["participant_id"].isin(counts.index)]
    top = max(1, int(np.ceil(0.1 * len(counts))))
    top_share = counts.iloc[:top].sum() / counts.sum()
    facts.update(sessions=len(sessions), attendances=len(att), active_participants=len(active),
                 top10_share=float(top_share))
    sec.text(_t(
        lang,
        f"共记录协商活动 {fmt_count(len(sessions))} 场、参与 {fmt_count(len(att))} 人次，"
        f"涉及 {fmt_count(len(active))} 名参与者。参与较集中：最活跃的 10% 参与者"
        f"贡献了 {_pct(top_share)} 的参与人次。",
        f"{fmt_count(len(sessions))} sessions with {fmt_count(len(att))} attendances by "
        f"{fmt_count(len(active))} participants were recorded. Participation is concentrated: "
        f"the most active 10% of participants account for {_pct(top_share)} of attendances.",
    ))
    vars_ = [c for c in ("type", "gender", "age_band", "party_member") if c in active.columns]
    sec.table(tk.report.describe_table(active, vars=vars_, lang=lang),
              _t(lang, "参与者构成", "Participants"))
    sec.figure(tk.plot.timeline(sessions, lang=lang),
               _t(lang, "各平台每月协商次数", "Sessions per month by platform"), "timeline")
    if "units" in study.tables:
        sec.figure(tk.plot.heatmap(study, row="town", col="platform", lang=lang),
                   _t(lang, "各镇街在各平台的协商次数", "Sessions by town and platform"),
                   "heatmap_town_platform")
    return sec


def _network(study: Any, lang: Lang, facts: dict[str, Any]) -> _Section:
    net = _need("toolkit.net", "two_mode", "project", "measures")
    import toolkit as tk

    sec = _Section("network", _t(lang, "利益相关者网络与中介者",
                                 "Stakeholder network and brokers"))
    people = study.table("participants")
    members = set(people.loc[people["type"].astype(str) == "政协委员", "participant_id"])
    att = study.table("attendance")
    b = net.two_mode(study)
    g = net.project(b, on="actors")
    sub = g.subgraph([n for n in g.nodes if n in members]).copy()
    m = net.measures(sub, measures=["degree", "betweenness"])
    facts.update(network_nodes=sub.number_of_nodes(), network_edges=sub.number_of_edges())
    sec.text(_t(
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
    sec.table(table, _t(lang, "中介中心度最高的10名委员",
                        "Ten members with the highest betweenness"), digits=3, suppress=False)
    if hasattr(net, "brokerage") and "sector" in keep:
        try:
            roles = net.brokerage(sub.to_directed(), group="sector")
        except (TypeError, ValueError, KeyError) as exc:
            sec.note(_t(lang, f"未能计算经纪角色：{exc}", f"Brokerage roles not computed: {exc}"))
        else:
            cols = [c for c in ("coordinator", "itinerant", "representative", "gatekeeper",
                                "liaison", "total") if c in roles.columns]
            summary = roles[cols].sum().rename("count").reset_index()
            summary.columns = ["role", "two_paths"]
            role_zh = {"coordinator": "协调者", "itinerant": "顾问者", "representative": "代表者",
                       "gatekeeper": "守门人", "liaison": "联络者", "total": "合计"}
            if lang == "zh":
                summary["role"] = summary["role"].map(role_zh)
            summary = summary.rename(columns={"role": _t(lang, "经纪角色", "Role"),
                                              "two_paths": _t(lang, "两步路径数", "Two-paths")})
            sec.table(summary, _t(lang, "按界别划分的 Gould–Fernandez 经纪角色",
                                  "Gould–Fernandez brokerage roles by sector"), suppress=False)
            sec.note(_t(lang, "共同参与关系无方向，计算时视为双向联系。",
                        "Co-attendance ties have no direction; each counts both ways."))
    try:
        draw = tk.plot.network
    except (ImportError, AttributeError):
        draw = None
    if draw is not None:
        ax = draw(sub, color="sector", size="betweenness", lang=lang, seed=20231108)
        sec.figure(ax, _t(lang, "政协委员共同参与网络", "Members' co-attendance network"),
                   "network")
    return sec


def _process(study: Any, lang: Lang, facts: dict[str, Any]) -> _Section:
    stats = _need("toolkit.stats", "sessions")
    import toolkit as tk

    sec = _Section("process", _t(lang, "协商过程", "Consultation process"))
    res = stats.sessions(study)
    rates = res.rates
    get = rates.set_index("measure")["estimate"]
    facts.update({f"process_{k}": float(v) for k, v in get.items()})
    sec.text(_t(
        lang,
        f"议事协商场次的共识率为 {_pct(get.get('consensus_rate', np.nan))}；"
        f"议题落实率为 {_pct(get.get('implementation_rate', np.nan))}，"
        f"提交居民会议等的比例为 {_pct(get.get('escalation_rate', np.nan))}。",
        f"{_pct(get.get('consensus_rate', np.nan))} of consultation sessions reached consensus; "
        f"{_pct(get.get('implementation_rate', np.nan))} of topics were implemented and "
        f"{_pct(get.get('escalation_rate', np.nan))} were escalated to a residents' meeting.",
    ))
    sec.table(_rates_table(rates, lang), _t(lang, "协商过程指标", "Process measures"),
              digits=1, suppress=False)
    rounds = getattr(res, "rounds", None)
    if isinstance(rounds, pd.DataFrame) and len(rounds):
        r = rounds.rename(columns={"rounds": _t(lang, "达成共识的轮次", "Round of consensus"),
                                   "share": "share"})
        sec.table(r, _t(lang, "议题达成共识所需轮次", "Rounds to consensus"), digits=3)
    sessions = study.table("sessions")
    if {"consensus", "platform", "stage"} <= set(sessions.columns):
        from toolkit import schema

        part = sessions[sessions["stage"].astype(str) == "议事协商"].copy()
        vocab = schema.VOCABULARIES["platform"]
        part["platform_group"] = [_t(lang, "线上", "Online") if vocab.group_of(p) == "online"
                                  else _t(lang, "线下", "Offline")
                                  for p in part["platform"].astype(str)]
        sec.table(tk.report.crosstab_table(part, row="platform_group", col="consensus",
                                           labels={"platform_group": _t(lang, "平台类型",
                                                                        "Platform type")},
                                           lang=lang),
                  _t(lang, "线上与线下平台的共识情况", "Consensus on online and offline platforms"))
    km = getattr(res, "km", None)
    if isinstance(km, pd.DataFrame) and len(km):
        ax = tk.plot.survival(km, lang=lang,
                              ylabel=_t(lang, "尚未落实的比例", "Share not yet implemented"))
        sec.figure(ax, _t(lang, "议题从协商到落实的时间（Kaplan–Meier估计）",
                          "Time from consultation to implementation (Kaplan–Meier)"),
                   "km_implementation")
    return sec


def _responsiveness(study: Any, lang: Lang, facts: dict[str, Any]) -> _Section:
    stats = _need("toolkit.stats", "submissions")
    import toolkit as tk

    sec = _Section("responsiveness", _t(lang, "提案与社情民意信息的回应性",
                                        "Responsiveness to submissions"))
    res = stats.submissions(study, claim={"instructed": 1.0, "responded": 1.0})
    get = res.rates.set_index("measure")["estimate"]
    facts.update({f"submissions_{k}": float(v) for k, v in get.items()})
    n = len(study.table("submissions"))
    sec.text(_t(
        lang,
        f"共 {fmt_count(n)} 件提案与信息，采用率 {_pct(get.get('adoption_rate', np.nan))}，"
        f"获批示率 {_pct(get.get('instruction_rate', np.nan))}，"
        f"回应率 {_pct(get.get('response_rate', np.nan))}。“件件有批示、事事有回应”的说法"
        "可以用比例及其置信区间检验（见下表）。",
        f"Of {fmt_count(n)} submissions, {_pct(get.get('adoption_rate', np.nan))} were adopted, "
        f"{_pct(get.get('instruction_rate', np.nan))} received a leader's instruction and "
        f"{_pct(get.get('response_rate', np.nan))} a response. The claim that every piece "
        "gets an instruction and a response is tested below.",
    ))
    sec.table(_rates_table(res.rates, lang), _t(lang, "提案与信息的办理指标",
                                                "Handling of submissions"), digits=1,
              suppress=False)
    claims = getattr(res, "claims", None)
    if isinstance(claims, pd.DataFrame) and len(claims):
        c = claims[["measure", "claimed", "estimate", "ci_low", "ci_high", "p_value"]].copy()
        c["measure"] = [_measure(x, lang) for x in c["measure"]]
        c = c.rename(columns={"measure": _t(lang, "说法", "Claim"),
                              "claimed": _t(lang, "声称比例", "Claimed")})
        sec.table(c, _t(lang, "“件件有批示、事事有回应”的检验", "Test of the claims"), digits=3)
    by = stats.submissions(study, by="channel")
    km = getattr(by, "km", None)
    if isinstance(km, pd.DataFrame) and len(km):
        ax = tk.plot.survival(km, by="group" if "group" in km.columns else None, lang=lang,
                              ylabel=_t(lang, "尚未回应的比例", "Share without response"))
        if ax.get_legend() is not None:
            texts = ax.get_legend().get_texts()
            for t in texts:
                t.set_text(_vocab("channel", t.get_text(), lang))
            ax.get_legend().set_title(_t(lang, "报送渠道", "Channel"))
        sec.figure(ax, _t(lang, "从报送到回应的时间（按渠道）", "Time to response by channel"),
                   "km_response")
    return sec


def _survey(study: Any, lang: Lang, facts: dict[str, Any],
            skipped: list[tuple[str, str, str]]) -> _Section:
    stats = _need("toolkit.stats", "Design", "scale_scores")
    import toolkit as tk

    sec = _Section("survey", _t(lang, "居民调查", "Residents' survey"))
    survey = study.table("survey")
    scales = dict(study.scales)
    n = len(survey)
    facts["survey_n"] = n
    sec.text(_t(
        lang,
        f"居民调查共 {fmt_count(n)} 份有效问卷，按镇街分层、以村（社区）为整群抽样；"
        "下列估计均按抽样设计加权并计算设计标准误。",
        f"The residents' survey has {fmt_count(n)} respondents, stratified by town and "
        "clustered by community; estimates below use the design weights and design-based "
        "standard errors.",
    ))
    parts = 0
    scored = survey.copy()
    for name, scale in scales.items():
        scored[name] = stats.scale_scores(survey, scale)
    spec = study.design_spec.as_dict()
    # 1. design-based means of the scale scores
    try:
        design = stats.Design(scored, **spec)
        rows = []
        for name, scale in scales.items():
            est = design.mean(name).iloc[0]
            rows.append({"scale": scale.label or name, "estimate": est["estimate"],
                         "se": est["se"], "ci_low": est["ci_low"], "ci_high": est["ci_high"],
                         "deff": est.get("deff", np.nan), "respondents": int(est["n"])})
            facts[f"mean_{name}"] = float(est["estimate"])
        sec.heading(_t(lang, "量表得分的设计估计", "Design-based estimates of scale scores"))
        frame = pd.DataFrame(rows).rename(columns={"scale": _t(lang, "量表", "Scale"),
                                                   "respondents": _t(lang, "有效样本",
                                                                     "Respondents")})
        sec.table(frame, _t(lang, "量表均分（1–5分）的加权估计",
                            "Weighted means of the scale scores (1–5)"), digits=3)
        parts += 1
    except Exception as exc:
        skipped.append(("survey.design", _t(lang, "量表得分的设计估计", "Design estimates"),
                        f"failed: {type(exc).__name__}: {exc}"))
    # 2. reliability
    if hasattr(stats, "alpha"):
        try:
            rows = []
            for name, scale in scales.items():
                a = stats.alpha(survey, items=scale).iloc[0]
                rows.append({"scale": scale.label or name, "k": int(a["k"]),
                             "alpha": a["alpha"], "ci_low": a["ci_low"], "ci_high": a["ci_high"],
                             "respondents": int(a["n"])})
                facts[f"alpha_{name}"] = float(a["alpha"])
            sec.heading(_t(lang, "量表信度", "Scale reliability"))
            frame = pd.DataFrame(rows).rename(columns={"scale": _t(lang, "量表", "Scale"),
                                                       "respondents": _t(lang, "有效样本",
                                                                         "Respondents")})
            sec.table(frame, _t(lang, "各量表的 Cronbach's α 系数",
                                "Cronbach's alpha of the scales"), digits=3)
            parts += 1
        except Exception as exc:
            skipped.append(("survey.alpha", _t(lang, "量表信度", "Scale reliability"),
                            f"failed: {type(exc).__name__}: {exc}"))
    else:
        skipped.append(("survey.alpha", _t(lang, "量表信度", "Scale reliability"),
                        "unavailable: toolkit.stats.alpha"))
    sat = scales.get("satisfaction")
    if sat is not None:
        sec.figure(tk.plot.likert(survey, items=list(sat.items), weights=spec.get("weights"),
                                  lang=lang),
                   _t(lang, "居民对协商议事的满意度（加权）",
                      "Residents' satisfaction with consultation (weighted)"),
                   "likert_satisfaction")
    # 3. ordered logit
    if hasattr(stats, "ologit") and {"sat1", "attended", "party_member", "age"} <= set(survey):
        try:
            fit = stats.ologit("sat1 ~ attended + party_member + age", survey,
                               design=study.design)
            sec.heading(_t(lang, "满意度的影响因素：有序logit模型",
                           "What drives satisfaction: ordered logit"))
            sec.text(_t(lang, "以 sat1（对协商议事的总体满意度）为因变量，控制党员身份与年龄，"
                              "比较参加过协商活动与未参加的居民。",
                        "The outcome is sat1 (overall satisfaction with consultation); "
                        "residents who attended sessions are compared with those who did "
                        "not, holding party membership and age constant."))
            sec.table(tk.report.regression_table(fit, lang=lang),
                      _t(lang, "满意度的有序logit模型（设计加权）",
                         "Ordered logit of satisfaction (design-weighted)"))
            sec.figure(tk.plot.coefficients(fit, lang=lang),
                       _t(lang, "有序logit模型系数及95%置信区间",
                          "Ordered logit coefficients with 95% CIs"), "coefficients_ologit")
            coef = fit.to_frame().set_index("term")["estimate"]
            facts["ologit_terms"] = coef.to_dict()
            parts += 1
        except Exception as exc:
            skipped.append(("survey.ologit", _t(lang, "满意度有序logit模型", "Ordered logit"),
                            f"failed: {type(exc).__name__}: {exc}"))
    else:
        skipped.append(("survey.ologit", _t(lang, "满意度有序logit模型", "Ordered logit"),
                        "unavailable: toolkit.stats.ologit"))
    if parts == 0:
        msg = "no survey analysis could be computed"
        raise RuntimeError(msg)
    return sec


def _change(study: Any, lang: Lang, facts: dict[str, Any]) -> _Section:
    stats = _need("toolkit.stats", "change")
    datasets = _need("toolkit.datasets", "load_dataset")
    import toolkit as tk

    sec = _Section("change", _t(lang, "协商前后的变化", "Change before and after deliberation"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        panel = datasets.load_dataset("demo", table="panel")
    items = [c for c in ("op1", "op2", "op3", "op4") if c in panel.columns]
    know = [c for c in panel.columns if str(c).startswith("know")]
    ch = stats.change(panel, items=items, knowledge=know or None)
    facts["change"] = ch.set_index("item")["change"].to_dict()
    sec.text(_t(
        lang,
        f"{fmt_count(panel['respondent_id'].nunique())} 名居民在参加协商前后各接受一次访问。"
        "下表给出各题均值的配对变化、置信区间和检验；未能配对的受访者单独列出，未被剔除。",
        f"{fmt_count(panel['respondent_id'].nunique())} residents were interviewed before and "
        "after a deliberation session. The table gives the paired change of each item with its "
        "confidence interval and tests; unpaired respondents are counted, not dropped.",
    ))
    cols = [c for c in ("item", "n_pairs", "mean_before", "mean_after", "change", "ci_low",
                        "ci_high", "p_value", "sd_before", "sd_after", "n_unpaired")
            if c in ch.columns]
    book = panel.attrs.get("codebook") or {}
    item_names = {"knowledge_index": _t(lang, "知识指数（0–6）", "Knowledge index (0–6)")}
    table = ch[cols].assign(item=[item_names.get(i, i) for i in ch["item"]])
    table = table.rename(columns={"n_pairs": _t(lang, "配对数", "Pairs"),
                                     "sd_before": _t(lang, "前测标准差", "SD before"),
                                     "sd_after": _t(lang, "后测标准差", "SD after"),
                                     "n_unpaired": _t(lang, "未配对", "Unpaired")})
    sec.table(table, _t(lang, "协商前后意见与知识的变化", "Change in opinions and knowledge"),
              digits=2, suppress=False)
    if lang == "zh":
        sec.note("；".join(f"{i}：{book[i]['label']}" for i in items
                          if (book.get(i) or {}).get("label")) + "。")
    sec.figure(tk.plot.change(ch[ch["item"].isin(items)] if items else ch, lang=lang),
               _t(lang, "协商前后各意见题的均值", "Opinion means before and after"), "change")
    return sec


# ---------------------------------------------------------------------------
# assembly
# ---------------------------------------------------------------------------

_SECTIONS: list[tuple[str, str, str, Callable[..., _Section]]] = [
    ("coverage", "全覆盖情况", "Coverage", _coverage),
    ("participation", "参与与包容", "Participation and inclusion", _participation),
    ("network", "利益相关者网络与中介者", "Stakeholder network and brokers", _network),
    ("process", "协商过程", "Consultation process", _process),
    ("responsiveness", "提案与社情民意信息的回应性", "Responsiveness to submissions",
     _responsiveness),
    ("survey", "居民调查", "Residents' survey", _survey),
    ("change", "协商前后的变化", "Change before and after deliberation", _change),
]


def _data_section(study: Any, lang: Lang, skipped: list[tuple[str, str, str]],
                  facts: dict[str, Any]) -> _Section:
    from toolkit import schema

    sec = _Section("data", _t(lang, "数据与校验", "Data and validation"))
    period = study.period
    span = (f"{period[0]:%Y-%m-%d} – {period[1]:%Y-%m-%d}" if period else "—")
    sec.text(_t(
        lang,
        f"本报告使用“{study.name}”的 {len(study.tables)} 张数据表，时间范围为 {span}。"
        "数据为虚构示例，用于演示分析流程。",
        f"This report uses the {len(study.tables)} tables of “{study.name}”, covering {span}. "
        "The data are fictional and serve to demonstrate the workflow.",
    ))
    rows = []
    for name in study.tables:
        frame = study.table(name)
        rec = frame.attrs.get("load_record")
        rows.append({
            "table": schema.TABLES[name].zh if lang == "zh" else schema.TABLES[name].en,
            "file": Path(rec.file).name if rec is not None and rec.file else "",
            "rows_read": rec.rows_read if rec is not None else len(frame),
            "rows_kept": len(frame),
            "set_aside": len(rec.rows_set_aside) if rec is not None else 0,
            "values_changed": int(rec.coercions["count"].sum()) if rec is not None else 0,
            "missing_codes": len(rec.missing) if rec is not None else 0,
        })
    facts["table_rows"] = {r["table"]: r["rows_kept"] for r in rows}
    frame = pd.DataFrame(rows).astype({c: "int64" for c in ("rows_read", "rows_kept",
                                                            "set_aside", "values_changed",
                                                            "missing_codes")})
    names = {"table": _t(lang, "数据表", "Table"), "file": _t(lang, "文件", "File"),
             "rows_read": _t(lang, "读取行数", "Rows read"),
             "rows_kept": _t(lang, "保留行数", "Rows kept"),
             "set_aside": _t(lang, "剔除行数", "Rows set aside"),
             "values_changed": _t(lang, "规范化取值", "Values normalised"),
             "missing_codes": _t(lang, "缺失代码", "Missing codes")}
    sec.table(frame.rename(columns=names), _t(lang, "数据表与读取记录", "Tables and load records"),
              suppress=False)
    sec.note(_t(lang, "“缺失代码”指问卷中 98（不知道）、99（拒答）等声明为缺失的取值，"
                      "已转为缺失值并逐一记录。",
                "“Missing codes” are answers such as 98 (don't know) and 99 (refused), declared "
                "missing and set to missing, each one recorded."))
    if hasattr(study, "validate"):
        report = study.validate()
        problems = report.problems
        n_err = int(getattr(report, "n_errors", 0))
        n_warn = int(getattr(report, "n_warnings", 0))
        facts.update(validation_errors=n_err, validation_warnings=n_warn)
        sec.text(_t(lang, f"数据校验发现错误 {n_err} 项、警告 {n_warn} 项。",
                    f"Validation found {n_err} error(s) and {n_warn} warning(s)."))
        if len(problems):
            counts = (problems.groupby(["table", "check", "severity"], dropna=False).size()
                      .rename("problems").reset_index())
            sec.table(counts, _t(lang, "数据校验发现的问题", "Problems found by validation"),
                      suppress=False)
    if skipped:
        lines = [f"{title}（{reason}）" if lang == "zh" else f"{title} ({reason})"
                 for _, title, reason in skipped]
        sec.text(_t(lang, "以下分析未纳入本报告：" + "；".join(lines) + "。",
                    "Not included in this report: " + "; ".join(lines) + "."))
    else:
        sec.text(_t(lang, "所有计划的分析均已纳入本报告。",
                    "Every planned analysis is included in this report."))
    return sec


def build_study_report(study: Any, *, lang: Lang = "zh", title: str | None = None,
                       progress: bool | None = None) -> DemoReport:
    """Build the commissioned-study report of a study (the demo's layout).

    Parameters
    ----------
    study : Study
        The study (``tk.datasets.load_study("demo")`` for the demo).
    lang : {"zh", "en"}, default "zh"
        Language of the report.
    title : str, optional
        Report title (default: from the study name).
    progress : bool, optional
        Progress bar over the sections (default: only in a terminal).

    Returns
    -------
    DemoReport
        The report, its figures by name, the sections left out with the reason,
        and the key numbers quoted.

    Examples
    --------
    A study with only units and sessions: the sections that need other tables
    are left out, and the data section says so.

    >>> from toolkit.report.demo import build_study_report
    >>> units = pd.DataFrame({"unit_id": ["T1", "C1"], "name": ["东街道", "甲社区"],
    ...                       "level": ["镇街", "村社区"], "parent_id": [None, "T1"]})
    >>> sessions = pd.DataFrame({"session_id": ["S1"], "date": pd.to_datetime(["2023-05-01"]),
    ...                          "unit_id": ["C1"], "platform": ["微信群"]})
    >>> made = build_study_report(tk.Study(units=units, sessions=sessions, name="示例"))
    >>> made.report.headings[0]
    '1 数据与校验'
    >>> "survey" in [key for key, _, _ in made.skipped]
    True
    """
    from tqdm import tqdm

    import toolkit as tk

    check_lang(lang)
    facts: dict[str, Any] = {}
    skipped: list[tuple[str, str, str]] = []
    built: list[_Section] = []
    bar = tqdm(_SECTIONS, desc="report", unit="section",
               disable=None if progress is None else not progress, leave=False)
    with tk.plot.style(lang):
        for key, zh, en, make in bar:
            name = zh if lang == "zh" else en
            try:
                if make is _survey:
                    section = make(study, lang, facts, skipped)
                else:
                    section = make(study, lang, facts)
            except _Unavailable as exc:
                skipped.append((key, name, f"unavailable: {exc}"))
                continue
            except Exception as exc:
                skipped.append((key, name, f"failed: {type(exc).__name__}: {exc}"))
                continue
            built.append(section)
        sections = [_data_section(study, lang, skipped, facts), *built]
    report = Report(title or _t(lang, f"{study.name}：分析报告", f"{study.name}: report"),
                    lang=lang, author=_t(lang, "toolkit 示例报告", "toolkit demo report"))
    figures: dict[str, Any] = {}
    for section in sections:
        report.heading(section.title, level=1)
        for kind, value in section.items:
            if kind == "heading":
                report.heading(value[0], level=value[1])
            elif kind == "text":
                report.text(value)
            elif kind == "note":
                report.note(value)
            elif kind == "table":
                table, caption, kw = value
                report.table(table, caption, **kw)
            elif kind == "figure":
                fig, caption, name = value
                report.figure(fig, caption)
                figures[f"{len(figures) + 1:02d}_{name}"] = fig
    return DemoReport(report=report, figures=figures, skipped=skipped, facts=facts)


def _load_demo() -> Any:
    import toolkit as tk
    from toolkit.errors import ToolkitWarning

    try:
        load = tk.datasets.load_study
    except (ImportError, AttributeError) as exc:
        msg = ("The bundled demo study is not available in this installation "
               "(`tk.datasets.load_study` is missing).")
        raise FileNotFoundError(msg) from exc
    with warnings.catch_warnings():
        # the missing-code warning points to the load record, which the report's
        # data section tabulates
        warnings.simplefilter("ignore", ToolkitWarning)
        return load("demo")


def build_demo(out: Path | str = "toolkit-demo", lang: Lang = "zh", *,
               study: Any = None, progress: bool | None = None) -> dict[str, Path]:
    """Write the demo study's report: ``report.docx``, ``report.html`` and the figures.

    Parameters
    ----------
    out : Path or str, default "toolkit-demo"
        Output folder (created). Figures go to ``out/figures`` as PNG (300 dpi)
        and SVG.
    lang : {"zh", "en"}, default "zh"
        Language of the report.
    study : Study, optional
        A study to report on instead of the bundled demo.
    progress : bool, optional
        Progress bars (default: only in a terminal).

    Returns
    -------
    dict
        ``"docx"``, ``"html"``, then ``"figure <name>.png"``/``.svg`` → path.

    Examples
    --------
    From the command line: ``toolkit demo --out 报告 --lang zh``.
    """
    import matplotlib.pyplot as plt

    out = Path(out)
    figdir = out / "figures"
    figdir.mkdir(parents=True, exist_ok=True)
    study = study if study is not None else _load_demo()
    made = build_study_report(study, lang=lang, progress=progress)
    paths: dict[str, Path] = {
        "docx": made.report.to_docx(out / "report.docx", progress=progress),
        "html": made.report.to_html(out / "report.html"),
    }
    rendered = [b.png for b in made.report.blocks if b.kind == "figure"]
    for (name, fig), png in zip(made.figures.items(), rendered, strict=True):
        target = figdir / f"{name}.png"
        target.write_bytes(png or b"")  # the 300-dpi rendering embedded in the report
        paths[f"figure {target.name}"] = target
        target = figdir / f"{name}.svg"
        fig.savefig(target, bbox_inches="tight", facecolor="white")
        paths[f"figure {target.name}"] = target
        plt.close(fig)
    paths_note = out / "not_included.txt"
    lines = [f"{key}\t{reason}" for key, _, reason in made.skipped]
    paths_note.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
    paths["not included"] = paths_note
    return paths
