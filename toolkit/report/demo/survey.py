"""Sections on residents' views: the survey (design estimates, reliability, model), change."""

from __future__ import annotations

import pandas as pd

import toolkit as tk
from toolkit.report._format import fmt_count
from toolkit.report.demo._section import Context, Section, t
from toolkit.schema import has_chinese

__all__ = ["change", "survey"]

#: Outcome and predictors of the ordered logit of satisfaction.
_MODEL = "sat1 ~ attended + party_member + age"
_MODEL_COLUMNS = ["sat1", "attended", "party_member", "age"]


def survey(ctx: Context) -> Section:
    """Design-based means of the scale scores, their reliability, the satisfaction model."""
    lang, study = ctx.lang, ctx.study
    sec = Section("survey", t(lang, "居民调查", "Residents' survey"))
    survey = study.table("survey")
    scales = dict(study.scales)
    n = len(survey)
    ctx.facts["survey_n"] = n
    sec.text(t(
        lang,
        f"居民调查共 {fmt_count(n)} 份有效问卷，按镇街分层、以村（社区）为整群抽样；"
        "下列估计均按抽样设计加权并计算设计标准误。",
        f"The residents' survey has {fmt_count(n)} respondents, stratified by town and "
        "clustered by community; estimates below use the design weights and design-based "
        "standard errors.",
    ))
    spec = study.design_spec.as_dict()
    if scales:
        _scales(ctx, sec, survey, scales, spec)
    else:
        for key, zh, en in (("survey.design", "量表得分的设计估计", "Design estimates"),
                            ("survey.alpha", "量表信度", "Scale reliability")):
            sec.skip(key, t(lang, zh, en), t(lang, "研究未定义量表（study.yaml 的 scales）",
                                             "the study defines no scales (study.yaml)"))
    sat = scales.get("satisfaction")
    title = t(lang, "居民对协商议事的满意度（加权）",
              "Residents' satisfaction with consultation (weighted)")
    if sat is not None:
        sec.figure(tk.plot.likert(survey, items=list(sat.items), weights=spec.get("weights"),
                                  lang=lang), title, "likert_satisfaction")
    else:
        sec.skip("survey.likert", title, t(lang, "研究未定义满意度量表（satisfaction）",
                                           "the study defines no `satisfaction` scale"))
    title = t(lang, "满意度有序logit模型", "Ordered logit")
    if set(_MODEL_COLUMNS) <= set(survey.columns):
        _ologit(ctx, sec, survey)
    else:
        sec.skip("survey.ologit", title, ctx.no_column("survey", *_MODEL_COLUMNS))
    return sec


def _scale_label(scale: object, name: str, lang: str) -> str:
    """A scale's label; in English its name (satisfaction → Satisfaction) if that is Chinese."""
    label = getattr(scale, "label", None) or name
    if lang == "en" and has_chinese(label):
        return str(name).replace("_", " ").capitalize()
    return label


def _scales(ctx: Context, sec: Section, survey: pd.DataFrame, scales: dict, spec: dict) -> None:
    lang = ctx.lang
    scored = survey.copy()
    for name, scale in scales.items():
        scored[name] = tk.stats.scale_scores(survey, scale)
    design = tk.stats.Design(scored, **spec)
    rows = []
    for name, scale in scales.items():
        est = design.mean(name).iloc[0]
        rows.append({"scale": _scale_label(scale, name, lang), "estimate": est["estimate"],
                     "se": est["se"], "ci_low": est["ci_low"], "ci_high": est["ci_high"],
                     "deff": est["deff"], "respondents": int(est["n"])})
        ctx.facts[f"mean_{name}"] = float(est["estimate"])
    sec.heading(t(lang, "量表得分的设计估计", "Design-based estimates of scale scores"))
    frame = pd.DataFrame(rows).rename(columns={"scale": t(lang, "量表", "Scale"),
                                               "respondents": t(lang, "有效样本", "Respondents")})
    sec.table(frame, t(lang, "量表均分（1–5分）的加权估计",
                       "Weighted means of the scale scores (1–5)"), digits=3)
    rows = []
    for name, scale in scales.items():
        a = tk.stats.alpha(survey, items=scale).iloc[0]
        rows.append({"scale": _scale_label(scale, name, lang), "k": int(a["k"]),
                     "alpha": a["alpha"],
                     "ci_low": a["ci_low"], "ci_high": a["ci_high"],
                     "respondents": int(a["n"])})
        ctx.facts[f"alpha_{name}"] = float(a["alpha"])
    sec.heading(t(lang, "量表信度", "Scale reliability"))
    frame = pd.DataFrame(rows).rename(columns={"scale": t(lang, "量表", "Scale"),
                                               "respondents": t(lang, "有效样本", "Respondents")})
    sec.table(frame, t(lang, "各量表的 Cronbach's α 系数", "Cronbach's alpha of the scales"),
              digits=3)


def _ologit(ctx: Context, sec: Section, survey: pd.DataFrame) -> None:
    lang = ctx.lang
    fit = tk.stats.ologit(_MODEL, survey, design=ctx.study.design)
    sec.heading(t(lang, "满意度的影响因素：有序logit模型",
                  "What drives satisfaction: ordered logit"))
    sec.text(t(lang, "以居民对协商议事的总体满意度（“总体而言，您对本社区（村）协商议事工作是否"
                     "满意”，五级）为因变量，控制党员身份与年龄，比较参加过协商活动与未参加的居民。",
               "The outcome is overall satisfaction with consultation (five levels); residents "
               "who attended sessions are compared with those who did not, holding party "
               "membership and age constant."))
    sec.table(tk.report.regression_table(fit, lang=lang, data=survey),
              t(lang, "满意度的有序logit模型（设计加权）",
                "Ordered logit of satisfaction (design-weighted)"))
    sec.figure(tk.plot.coefficients(fit, lang=lang),
               t(lang, "有序logit模型系数及95%置信区间", "Ordered logit coefficients with 95% CIs"),
               "coefficients_ologit")
    ctx.facts["ologit_terms"] = fit.to_frame().set_index("term")["estimate"].to_dict()


def change(ctx: Context) -> Section:
    """Paired change of opinions and knowledge in the before/after deliberation panel."""
    lang, panel = ctx.lang, ctx.panel
    sec = Section("change", t(lang, "协商前后的变化", "Change before and after deliberation"))
    items = [c for c in ("op1", "op2", "op3", "op4") if c in panel.columns]
    know = [c for c in panel.columns if str(c).startswith("know")]
    ch = tk.stats.change(panel, items=items, knowledge=know or None)
    ctx.facts["change"] = ch.set_index("item")["change"].to_dict()
    sec.text(t(
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
    table = ch[cols].copy()
    table.attrs["codebook"] = panel.attrs.get("codebook") or {}  # items shown by their labels
    sec.table(table, t(lang, "协商前后意见与知识的变化", "Change in opinions and knowledge"),
              digits=2, suppress=False)
    sec.figure(tk.plot.change(ch[ch["item"].isin(items)] if items else ch, lang=lang),
               t(lang, "协商前后各意见题的均值", "Opinion means before and after"), "change")
    return sec
