"""Sections on residents' views: the survey (design estimates, reliability, model), change."""

from __future__ import annotations

import math
import re

import pandas as pd

import toolkit as tk
from toolkit.report._format import fmt_count, fmt_p
from toolkit.report.demo._section import Context, Section, ci, num, pct, t

__all__ = ["change", "scale_label", "survey"]

#: Outcome and predictors of the ordered logit of satisfaction.
_MODEL = "sat1 ~ attended + party_member + age"
_MODEL_COLUMNS = ["sat1", "attended", "party_member", "age"]

#: English names of common scales (a scale's ``label`` is in the study's language).
_SCALES_EN = {"satisfaction": "Satisfaction with consultation", "trust": "Trust",
              "efficacy": "Political efficacy"}
#: English wording of the demo questionnaire's satisfaction items (its codebook is Chinese).
_ITEMS_EN = {"sat1": "Overall satisfaction with consultation in the community",
             "sat2": "Satisfaction with the choice of topics",
             "sat3": "Satisfaction with the openness of the process",
             "sat4": "Satisfaction with the implementation of results"}


def scale_label(name: str, scale: object, lang: str) -> str:
    """Name of a scale in the report's language."""
    label = getattr(scale, "label", None)
    if lang == "zh":
        return label or name
    if label and not re.search(r"[\u3400-\u9fff]", label):
        return label
    return _SCALES_EN.get(name, name.replace("_", " ").capitalize())


def _p(p: float) -> str:
    text = fmt_p(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def survey(ctx: Context) -> Section:
    """Design-based means of the scale scores, their reliability, the satisfaction model."""
    lang, study = ctx.lang, ctx.study
    sec = Section("survey", t(lang, "居民调查", "Residents' survey"))
    survey = study.table("survey")
    scales = dict(study.scales)
    n = ctx.fact("survey_n", len(survey))
    spec = study.design_spec.as_dict()
    design_zh = []
    design_en = []
    if spec.get("strata"):
        design_zh.append("分层")
        design_en.append("stratified")
    if spec.get("cluster"):
        design_zh.append("整群抽样")
        design_en.append("cluster")
    weighted = bool(spec.get("weights"))
    sec.text(t(
        lang,
        f"居民调查共 {fmt_count(n)} 份问卷"
        + (f"，采用{'、'.join(design_zh)}设计" if design_zh else "")
        + ("；下列估计均按抽样权重加权，标准误和置信区间按抽样设计计算，可以推及调查所代表的"
           "全体居民。" if weighted else "；未设抽样权重，估计只代表受访者本身。"),
        f"The residents' survey has {fmt_count(n)} respondents"
        + (f" from a {' '.join(design_en)} sample" if design_en else "")
        + ("; the estimates below are weighted, with standard errors and confidence intervals "
           "from the sampling design, so they speak for the residents the survey represents."
           if weighted else "; there are no sampling weights, so estimates describe the "
           "respondents only."),
    ))
    sec.concepts |= {"ci"}
    if scales:
        _scales(ctx, sec, survey, scales, spec)
    else:
        for key, zh, en in (("survey.design", "量表得分的设计估计", "Design estimates"),
                            ("survey.alpha", "量表信度", "Scale reliability")):
            sec.skip(key, t(lang, zh, en), t(lang, "研究未定义量表（study.yaml 的 scales）",
                                             "the study defines no scales (study.yaml)"))
    title = t(lang, "满意度的相关因素", "What satisfaction goes with")
    if set(_MODEL_COLUMNS) <= set(survey.columns):
        _ologit(ctx, sec, survey)
    else:
        sec.skip("survey.ologit", title, ctx.no_column("survey", *_MODEL_COLUMNS))
    sec.methods.append(t(
        lang,
        "居民调查：量表得分为各题均值；均值、标准误与设计效应按分层整群设计和抽样权重计算"
        "（tk.stats.Design，线性化方差，与 R survey::svymean 一致）；信度为 Cronbach's α 及其"
        "置信区间（与 R psych::alpha 一致）；满意度模型为设计加权的有序 logit 模型"
        "（与 R survey::svyolr 一致）。",
        "Survey: scale scores are item means; means, standard errors and design effects "
        "follow the stratified cluster design and the weights (tk.stats.Design, linearised "
        "variance, as R's survey::svymean); reliability is Cronbach's alpha with its interval "
        "(as R's psych::alpha); the satisfaction model is a design-weighted ordered logit "
        "(as R's survey::svyolr)."))
    return sec


def _scales(ctx: Context, sec: Section, survey: pd.DataFrame, scales: dict, spec: dict) -> None:
    lang = ctx.lang
    scored = survey.copy()
    for name, scale in scales.items():
        scored[name] = tk.stats.scale_scores(survey, scale)
    design = tk.stats.Design(scored, **spec)
    rows, ests = [], {}
    for name, scale in scales.items():
        est = design.mean(name).iloc[0]
        ests[name] = est
        for col in ("estimate", "ci_low", "ci_high", "deff", "n"):
            ctx.fact(f"mean_{name}" if col == "estimate" else f"mean_{name}_{col}", est[col])
        rows.append({"scale": scale_label(name, scale, lang), "estimate": est["estimate"],
                     "se": est["se"], "ci_low": est["ci_low"], "ci_high": est["ci_high"],
                     "deff": est["deff"], "respondents": int(est["n"])})
    sec.heading(t(lang, "居民对协商议事的满意度", "Residents' satisfaction with consultation"))
    first = "satisfaction" if "satisfaction" in scales else next(iter(scales))
    sat, sat_scale = ests[first], scales[first]
    label = scale_label(first, sat_scale, lang)
    lo, hi = sat_scale.min, sat_scale.max
    mid = (lo + hi) / 2
    side = t(lang, "略高于" if sat["estimate"] > mid else "略低于",
             "slightly above" if sat["estimate"] > mid else "slightly below")
    sec.text(t(
        lang,
        f"“{label}”量表（{lo}–{hi} 分，分数越高越满意）的加权均值为 {num(sat['estimate'])} 分"
        f"（{ci(sat['ci_low'], sat['ci_high'], 'zh')}），{side}量表中点 {num(mid, 1)} 分。"
        + "".join(f"“{scale_label(k, scales[k], 'zh')}”为 {num(e['estimate'])} 分"
                  f"（{ci(e['ci_low'], e['ci_high'], 'zh')}）；"
                  for k, e in ests.items() if k != first).rstrip("；")
        + ("。" if len(ests) > 1 else ""),
        f"The weighted mean of the “{label}” scale ({lo}–{hi}, higher is more satisfied) is "
        f"{num(sat['estimate'])} ({ci(sat['ci_low'], sat['ci_high'], 'en')}), {side} the "
        f"midpoint of {num(mid, 1)}. "
        + "; ".join(f"“{scale_label(k, scales[k], 'en')}” is {num(e['estimate'])} "
                    f"({ci(e['ci_low'], e['ci_high'], 'en')})"
                    for k, e in ests.items() if k != first)
        + ("." if len(ests) > 1 else ""),
    ))
    sec.summary.append(t(
        lang,
        f"居民“{label}”的加权均值为 {num(sat['estimate'])} 分（{lo}–{hi} 分，"
        f"{ci(sat['ci_low'], sat['ci_high'], 'zh')}）。",
        f"Residents' “{label}” averages {num(sat['estimate'])} on a {lo}–{hi} scale "
        f"({ci(sat['ci_low'], sat['ci_high'], 'en')}).",
    ))
    sec.findings.append(sec.summary[-1] + t(
        lang, "这是调查时点的水平，不能说明变化趋势。",
        " This is the level at the time of the survey and says nothing about trends."))
    deffs = {k: float(e["deff"]) for k, e in ests.items() if not math.isnan(float(e["deff"]))}
    if deffs:
        sec.concepts |= {"deff"}
        worst = max(deffs, key=deffs.get)
        big = deffs[worst]
        eff_n = ctx.fact(f"effective_n_{worst}", float(ests[worst]["n"]) / big)
        small = [k for k, d in deffs.items() if d < 1]
        text_zh = (f"各量表的设计效应在 {num(min(deffs.values()))}–{num(max(deffs.values()))} "
                   "之间（含义见读数说明）。")
        text_en = (f"The design effects of the scales range from {num(min(deffs.values()))} "
                   f"to {num(max(deffs.values()))} (see the notes on reading the figures).")
        if big > 1:
            text_zh += (f"“{scale_label(worst, scales[worst], 'zh')}”的设计效应为 {num(big)}："
                        "同一社区居民的回答相近，"
                        f"{fmt_count(ests[worst]['n'])} 名受访者的估计精度只相当于约 "
                        f"{fmt_count(eff_n)} 名简单随机抽样的受访者，其置信区间也因此较宽。")
            text_en += (f" For “{scale_label(worst, scales[worst], 'en')}” it is {num(big)}: "
                        "residents of one community answer alike, so the "
                        f"{fmt_count(ests[worst]['n'])} respondents are only as informative as "
                        f"about {fmt_count(eff_n)} respondents of a simple random sample, and "
                        "its interval is correspondingly wider.")
        if small:
            text_zh += ("、".join(f"“{scale_label(k, scales[k], 'zh')}”" for k in small)
                        + "的设计效应小于1，分层与加权使其估计比简单随机抽样更精确。")
            text_en += (" " + " and ".join(f"“{scale_label(k, scales[k], 'en')}”"
                                           for k in small)
                        + " have design effects below 1: stratification and weighting make "
                          "them more precise than a simple random sample.")
        sec.text(t(lang, text_zh, text_en))
    frame = pd.DataFrame(rows).rename(columns={"scale": t(lang, "量表", "Scale"),
                                               "respondents": t(lang, "有效样本", "Respondents")})
    # respondents are counts of people (suppressed when small); the scales are not parts
    # of one whole (`by=[]`), so one scale's count does not follow from the others
    sec.table(tk.report.Table.from_frame(frame, digits=3, by=[], lang=lang),
              t(lang, "量表均分的加权估计", "Weighted means of the scale scores"),
              notes=[t(lang, "设计效应为按抽样设计计算的方差与同样本量简单随机抽样方差"
                                       "之比。", "Design effect: the variance under the "
                                 "sampling design over that of a simple random sample of the "
                                 "same size.")])
    items = list(sat_scale.items)
    labels = {i: _ITEMS_EN[i] for i in items if i in _ITEMS_EN} if lang == "en" else None
    sec.figure(tk.plot.likert(survey, items=items, weights=spec.get("weights"), labels=labels,
                              lang=lang),
               t(lang, f"“{label}”各题的回答分布（加权）",
                 f"Answers to the “{label}” items (weighted)"), "likert_satisfaction")
    _alpha(ctx, sec, survey, scales)


def _alpha(ctx: Context, sec: Section, survey: pd.DataFrame, scales: dict) -> None:
    lang = ctx.lang
    rows = []
    for name, scale in scales.items():
        a = tk.stats.alpha(survey, items=scale).iloc[0]
        rows.append({"scale": scale_label(name, scale, lang), "k": int(a["k"]),
                     "alpha": a["alpha"], "ci_low": a["ci_low"], "ci_high": a["ci_high"],
                     "respondents": int(a["n"])})
        ctx.fact(f"alpha_{name}", a["alpha"])
    sec.heading(t(lang, "量表信度", "Scale reliability"))
    alphas = [r["alpha"] for r in rows]
    low, high = min(alphas), max(alphas)
    sec.text(t(
        lang,
        f"各量表的 Cronbach's α 系数在 {num(low, 3)}–{num(high, 3)} 之间"
        + ("，均达到常用的 0.70 标准，说明同一量表各题的回答一致，合成得分是可靠的。"
           if low >= 0.7 else "，部分量表低于常用的 0.70 标准，其合成得分应谨慎解读。"),
        f"Cronbach's alpha of the scales ranges from {num(low, 3)} to {num(high, 3)}"
        + (", all above the usual 0.70 threshold: answers to the items of a scale agree, so "
           "the scale scores are reliable." if low >= 0.7 else
           "; some scales fall below the usual 0.70 threshold, so read their scores with "
           "care."),
    ))
    frame = pd.DataFrame(rows).rename(columns={"scale": t(lang, "量表", "Scale"),
                                               "respondents": t(lang, "有效样本", "Respondents")})
    sec.table(tk.report.Table.from_frame(frame, digits=3, by=[], lang=lang),
              t(lang, "各量表的 Cronbach's α 系数", "Cronbach's alpha of the scales"))


def _ologit(ctx: Context, sec: Section, survey: pd.DataFrame) -> None:
    lang = ctx.lang
    sec.concepts |= {"association", "pvalue"}
    fit = tk.stats.ologit(_MODEL, survey, design=ctx.study.design)
    sec.heading(t(lang, "满意度的相关因素：有序logit模型",
                  "What satisfaction goes with: ordered logit"))
    coefs = fit.to_frame().set_index("term")
    ctx.facts["ologit_terms"] = coefs["estimate"].to_dict()
    attended = next((term for term in coefs.index if str(term).startswith("attended")), None)
    text_zh = ("以居民对协商议事的总体满意度（五级）为因变量，同时纳入是否参加过协商活动、"
               "是否党员和年龄，估计设计加权的有序 logit 模型。")
    text_en = ("An ordered logit model, weighted by the design, relates overall satisfaction "
               "with consultation (five levels) to having attended a session, party "
               "membership and age together.")
    if attended is not None and "odds_ratio" in coefs.columns:
        row = coefs.loc[attended]
        odds = ctx.fact("ologit_attended_or", row["odds_ratio"])
        ctx.fact("ologit_attended_or_low", row["or_ci_low"])
        ctx.fact("ologit_attended_or_high", row["or_ci_high"])
        ctx.fact("ologit_attended_p", row["p_value"])
        more = odds > 1
        text_zh += (f"在党员身份和年龄相同的居民中，参加过协商活动者给出更高满意度等级的几率是"
                    f"未参加者的 {num(odds)} 倍（比值比，95%置信区间 {num(row['or_ci_low'])}–"
                    f"{num(row['or_ci_high'])}，{_p(row['p_value'])}）。这是横截面数据中的关联："
                    "可能是参加活动提高了满意度，也可能是本来满意的居民更愿意参加，模型无法区分。")
        text_en += (f" Among residents of the same party membership and age, the odds of a "
                    f"higher satisfaction level are {num(odds)} times as high for those who "
                    f"attended a session (odds ratio, 95% CI {num(row['or_ci_low'])}–"
                    f"{num(row['or_ci_high'])}, {_p(row['p_value'])}). This is an "
                    "association in cross-sectional data: attending may raise satisfaction, "
                    "or satisfied residents may be more willing to attend; the model cannot "
                    "tell which.")
        sec.findings.append(t(
            lang,
            "参加过协商活动的居民满意度较高（比值比 "
            f"{num(odds)}，95%置信区间 {num(row['or_ci_low'])}–{num(row['or_ci_high'])}），"
            "但这是关联而非因果。" if more else
            f"参加过协商活动的居民满意度并不更高（比值比 {num(odds)}，95%置信区间 "
            f"{num(row['or_ci_low'])}–{num(row['or_ci_high'])}）。",
            "Residents who attended a session are more satisfied (odds ratio "
            f"{num(odds)}, 95% CI {num(row['or_ci_low'])}–{num(row['or_ci_high'])}), an "
            "association, not a proven effect." if more else
            f"Residents who attended a session are not more satisfied (odds ratio {num(odds)}, "
            f"95% CI {num(row['or_ci_low'])}–{num(row['or_ci_high'])}).",
        ))
    sec.text(t(lang, text_zh, text_en))
    labels = {term: t(lang, "参加过协商活动（参照：未参加）", "Attended a session (ref.: no)")
              for term in coefs.index if str(term).startswith("attended")}
    labels.update({"party_member": t(lang, "党员（参照：非党员）", "Party member (ref.: no)"),
                   "age": t(lang, "年龄（岁）", "Age (years)"),
                   "sat1": t(lang, "总体满意度", "Overall satisfaction")})
    sec.table(tk.report.regression_table(fit, lang=lang, labels=labels, data=survey),
              t(lang, "满意度的有序logit模型（设计加权）",
                "Ordered logit of satisfaction (design-weighted)"))
    sec.figure(tk.plot.coefficients(fit, lang=lang),
               t(lang, "有序logit模型系数及95%置信区间", "Ordered logit coefficients with 95% CIs"),
               "coefficients_ologit")


def change(ctx: Context) -> Section:
    """Paired change of opinions and knowledge in the before/after deliberation panel."""
    lang, panel = ctx.lang, ctx.panel
    sec = Section("change", t(lang, "协商前后的变化", "Change before and after deliberation"))
    sec.concepts |= {"ci", "pvalue"}
    items = [c for c in ("op1", "op2", "op3", "op4") if c in panel.columns]
    know = [c for c in panel.columns if str(c).startswith("know")]
    ch = tk.stats.change(panel, items=items, knowledge=know or None)
    ctx.facts["change"] = ch.set_index("item")["change"].to_dict()
    people = ctx.fact("panel_respondents", panel["respondent_id"].nunique())
    names = {item: t(lang, f"意见{i}", f"Opinion {i}") for i, item in enumerate(items, 1)}
    names["knowledge_index"] = t(lang, "知识题答对比例", "Share of knowledge items correct")
    moved = ch[(ch["item"].isin(items)) & (ch["p_value"] < 0.05)]
    unpaired = int(ch["n_unpaired"].max()) if "n_unpaired" in ch.columns else 0
    pairs = int(ch["n_pairs"].max())
    ctx.fact("panel_pairs", pairs)
    text_zh = (f"{fmt_count(people)} 名居民在参加协商前后各接受一次访问，其中 {fmt_count(pairs)} 人"
               f"两次都回答了（{fmt_count(unpaired)} 人只有一次，单独计数，未被剔除）。")
    text_en = (f"{fmt_count(people)} residents were interviewed before and after a "
               f"deliberation session; {fmt_count(pairs)} answered both times "
               f"({fmt_count(unpaired)} "
               "answered once and are counted separately, not dropped).")
    for _, row in moved.iterrows():
        key = str(row["item"])
        ctx.fact(f"change_{key}", row["change"])
        ctx.fact(f"change_{key}_low", row["ci_low"])
        ctx.fact(f"change_{key}_high", row["ci_high"])
        text_zh += (f"{names[key]}的平均同意程度由 {num(row['mean_before'])} 变为 "
                    f"{num(row['mean_after'])}（变化 {num(row['change'])}，"
                    f"{ci(row['ci_low'], row['ci_high'], 'zh')}，{_p(row['p_value'])}）。")
        text_en += (f" Agreement with {names[key].lower()} moved from {num(row['mean_before'])} "
                    f"to {num(row['mean_after'])} (change {num(row['change'])}, "
                    f"{ci(row['ci_low'], row['ci_high'], 'en')}, {_p(row['p_value'])}).")
    still = [names[i] for i in items if i not in set(moved["item"])]
    if still:
        text_zh += "、".join(still) + "的变化在统计上不显著，可能只是随机波动。"
        text_en += (" The changes in " + ", ".join(s.lower() for s in still)
                    + " are not statistically significant and may be chance.")
    kn = ch[ch["item"] == "knowledge_index"]
    if len(kn):
        k = kn.iloc[0]
        ctx.fact("knowledge_before", k["mean_before"])
        ctx.fact("knowledge_after", k["mean_after"])
        ctx.fact("knowledge_change", k["change"])
        ctx.fact("knowledge_change_low", k["ci_low"])
        ctx.fact("knowledge_change_high", k["ci_high"])
        text_zh += (f"知识题的答对比例由 {pct(k['mean_before'])} 升至 {pct(k['mean_after'])}"
                    f"（提高 {num(100 * k['change'], 1)} 个百分点，95%置信区间 "
                    f"{num(100 * k['ci_low'], 1)}–{num(100 * k['ci_high'], 1)}）。")
        text_en += (f" The share of knowledge items answered correctly rose from "
                    f"{pct(k['mean_before'])} to {pct(k['mean_after'])} (up "
                    f"{num(100 * k['change'], 1)} percentage points, 95% CI "
                    f"{num(100 * k['ci_low'], 1)}–{num(100 * k['ci_high'], 1)}).")
        sec.summary.append(t(
            lang,
            f"参加协商后，居民知识题的答对比例由 {pct(k['mean_before'])} 升至 "
            f"{pct(k['mean_after'])}（提高 {num(100 * k['change'], 1)} 个百分点，95%置信区间 "
            f"{num(100 * k['ci_low'], 1)}–{num(100 * k['ci_high'], 1)}）；该比较没有对照组。",
            f"After deliberation, the share of knowledge items answered correctly rose from "
            f"{pct(k['mean_before'])} to {pct(k['mean_after'])} (up "
            f"{num(100 * k['change'], 1)} points, 95% CI {num(100 * k['ci_low'], 1)}–"
            f"{num(100 * k['ci_high'], 1)}); the comparison has no control group.",
        ))
        sec.findings.append(sec.summary[-1] + t(
            lang, f"{len(items)} 道意见题中有 {len(moved)} 道出现显著变化。",
            f" {len(moved)} of {len(items)} opinion items changed significantly."))
    sec.text(t(lang, text_zh, text_en))
    sec.text(t(
        lang,
        "前后测设计没有对照组：变化中可能有一部分来自两次访问之间的其他事件、第一次访问本身"
        "（受访者熟悉了题目）或极端回答向平均值的回归，不能全部归于协商。",
        "The before/after design has no control group: part of the change may come from "
        "other events between the two interviews, from the first interview itself (people "
        "learn the questions) or from regression of extreme answers to the mean, so not all "
        "of it can be credited to deliberation.",
    ))
    cols = [c for c in ("item", "n_pairs", "mean_before", "mean_after", "change", "ci_low",
                        "ci_high", "p_value", "n_unpaired") if c in ch.columns]
    table = ch[cols].assign(item=[names.get(i, i) for i in ch["item"]])
    table = table.rename(columns={"n_pairs": t(lang, "配对数", "Pairs"),
                                  "n_unpaired": t(lang, "未配对", "Unpaired")})
    book = panel.attrs.get("codebook") or {}
    notes = []
    if lang == "zh":
        notes.append("；".join(f"{names[i]}：{book[i]['label']}" for i in items
                              if (book.get(i) or {}).get("label")) + "。"
                     "意见题为 1（非常不同意）至 5（非常同意）；知识题答对比例为 0–1。")
    else:
        notes.append("Opinion items are statements rated from 1 (strongly disagree) to 5 "
                     "(strongly agree); their wording is in the questionnaire. The knowledge "
                     "score is the share of six items answered correctly (0–1).")
    # pairs and unpaired respondents are counts of people: suppressed when small, item
    # by item (the items are not parts of one whole)
    sec.table(tk.report.Table.from_frame(table, digits=2, by=[], lang=lang),
              t(lang, "协商前后意见与知识的变化", "Change in opinions and knowledge"),
              notes=notes)
    shown = ch[ch["item"].isin(items)] if items else ch
    shown = shown.assign(item=[names.get(i, i) for i in shown["item"]])
    sec.figure(tk.plot.change(shown, lang=lang),
               t(lang, "协商前后各意见题的均值", "Opinion means before and after"), "change")
    sec.methods.append(t(
        lang,
        "前后变化：配对 t 检验及其置信区间，Wilcoxon 符号秩检验作稳健性核对（tk.stats.change，"
        "与 R t.test(paired = TRUE) 一致）；只回答一次的受访者单独计数。",
        "Change: paired t-test with its interval, the Wilcoxon signed-rank test as a check "
        "(tk.stats.change, as R's t.test(paired = TRUE)); respondents who answered once are "
        "counted separately."))
    return sec
