"""The evaluation section of a report: index-system table, weights, league table, method note.

:func:`evaluation_section` formats what ``tk.evaluate.evaluate`` returned into
``tk.report`` tables and paragraphs, in Chinese or English:

- the index system (三级指标体系表): pillars, sub-pillars and indicators with
  direction, unit, weight and how each is computed;
- the weights at every level, with the method;
- the league table with the median rank and the rank interval of every unit;
- which choices move the ranks most (Sobol' indices), when computed;
- a method note (方法说明) saying how the index was built and how fragile the
  ranks are.

Members are people: the league table shows their pseudonymous ids unless the
caller passes ``names=`` (a deliberate choice, noted under the table).
Nothing is computed here; the numbers are the Evaluation's.

Examples
--------
>>> df = pd.DataFrame({"member_id": ["M1", "M2", "M3"], "a": [1.0, 3, 2], "b": [2.0, 1, 3]})
>>> ev = tk.evaluate.evaluate(df, n=50, seed=1)
>>> from toolkit.report.evaluation import evaluation_section
>>> section = evaluation_section(ev)
>>> [t.caption for t in section.tables][:3]
['评价指标体系', '指标权重', '综合得分与排名']
>>> rep = section.add_to(tk.report.Report("履职评价报告"))
>>> rep.headings[0]
'1 委员履职评价'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from toolkit import schema
from toolkit._checks import check_lang
from toolkit.report._format import fmt_num

__all__ = ["EvaluationSection", "evaluation_section"]

_LEVELS = {"zh": ["一级指标", "二级指标", "三级指标", "四级指标", "五级指标"],
           "en": ["Pillar", "Sub-pillar", "Indicator", "Level 4", "Level 5"]}
_METHODS = {
    "zh": {"minmax": "极差标准化（最小—最大值法）", "zscore": "Z分数标准化", "rank": "排序法",
           "target": "距目标值法", "goalposts": "门槛值（goalposts）法", "ratio": "均值比法",
           "system": "指标体系给定权重", "equal": "等权法", "entropy": "熵权法",
           "critic": "CRITIC法", "pca": "主成分分析（PCA）法", "eigenvector": "层次分析法（AHP）",
           "geometric": "几何平均合成", "arithmetic": "加权算术平均合成", "topsis": "TOPSIS法",
           "expert_direct": "专家打分法", "expert_budget": "专家预算分配法", "given": "给定权重",
           "none": "不插补（按现有指标重新分配权重）", "mean": "均值插补", "median": "中位数插补",
           "normalisation": "标准化方法", "weighting": "赋权方法", "noise": "权重扰动",
           "aggregation": "合成方法", "imputation": "缺失值处理", "nominal": "基准权重"},
    "en": {"minmax": "min–max normalisation", "zscore": "z-scores", "rank": "ranks",
           "target": "distance to target", "goalposts": "goalposts", "ratio": "ratio to the mean",
           "system": "the index system's weights", "equal": "equal weights",
           "entropy": "entropy weights", "critic": "CRITIC weights", "pca": "PCA weights",
           "eigenvector": "AHP weights", "geometric": "weighted geometric mean",
           "arithmetic": "weighted arithmetic mean", "topsis": "TOPSIS",
           "expert_direct": "experts' scores", "expert_budget": "experts' budget allocation",
           "given": "given weights", "none": "no imputation (weights rescaled over the "
           "indicators present)", "mean": "mean imputation", "median": "median imputation",
           "normalisation": "normalisation", "weighting": "weighting method",
           "noise": "weight noise", "aggregation": "aggregation", "imputation": "imputation",
           "nominal": "nominal weights"},
}
_HEAD = {
    "zh": {"title": "委员履职评价", "title_unit": "基层协商工作评价", "system": "评价指标体系",
           "weights": "指标权重", "league": "综合得分与排名",
           "sensitivity": "排名对各项选择的敏感性",
           "direction": "方向", "unit": "单位", "weight": "权重", "global": "综合权重",
           "source": "计算口径", "positive": "正向", "negative": "负向", "level": "层级",
           "name_col": "指标", "method": "赋权方法", "rank": "排名", "id": "编号",
           "name": "姓名", "score": "综合得分", "median": "中位排名", "interval": "{p}排名区间",
           "factor": "选择", "first": "一阶效应指数", "total": "总效应指数",
           "method_note": "方法说明"},
    "en": {"title": "Member performance evaluation", "title_unit": "Evaluation of consultation",
           "system": "Index system", "weights": "Weights", "league": "Scores and ranks",
           "sensitivity": "How much each choice moves the ranks", "direction": "Direction",
           "unit": "Unit", "weight": "Weight", "global": "Weight in the index",
           "source": "Computed as", "positive": "+", "negative": "−", "level": "Level",
           "name_col": "Indicator", "method": "Method", "rank": "Rank", "id": "ID",
           "name": "Name", "score": "Score", "median": "Median rank",
           "interval": "{p} rank interval", "factor": "Choice", "first": "First-order index",
           "total": "Total index", "method_note": "Method"},
}


def _table_class() -> Any:
    import toolkit as tk

    return tk.report.Table


def _m(key: Any, lang: str) -> str:
    return _METHODS[lang].get(str(key), str(key))


@dataclass
class EvaluationSection:
    """Tables and paragraphs of the evaluation section, ready to add to a Report.

    Attributes
    ----------
    title : str
        Heading of the section.
    intro : str
        First paragraph.
    tables : list of Table
        Index system, weights, league table and (when computed) sensitivity.
    method_note : str
        The method note (方法说明), one paragraph.
    """

    title: str
    intro: str
    tables: list[Any]
    method_note: str
    lang: str
    notes: list[str] = field(default_factory=list)

    def add_to(self, report: Any, *, heading_level: int = 1) -> Any:
        """Append the section to `report` (a ``tk.report.Report``) and return the report."""
        head = _HEAD[self.lang]
        report.heading(self.title, level=heading_level)
        report.text(self.intro)
        for table in self.tables:
            report.table(table)
        report.heading(head["method_note"], level=min(heading_level + 1, 3))
        report.text(self.method_note)
        return report


def _system_table(ev: Any, lang: str, *, sources: bool) -> Any:
    head = _HEAD[lang]
    system = ev.system
    depth = system.depth
    g = ev.weights.set_index("indicator")["global_weight"]
    rows, last = [], [None] * depth
    for leaf in system.leaves:
        path = system.path(leaf)
        row = {}
        for i in range(depth):
            label = system.label(path[i], lang) if i < len(path) else ""
            shown = label if (i >= len(path) - 1 or label != last[i]) else ""
            row[_LEVELS[lang][min(i, 4)]] = shown
            if i < len(path):
                last[i] = label
        node = system.node(leaf)
        row[head["direction"]] = head["positive"] if node.direction > 0 else head["negative"]
        unit = node.unit or ""
        row[head["unit"]] = schema.UNIT_WORDS.get(unit, unit) if lang == "en" else unit
        row[head["global"]] = fmt_num(100 * float(g[leaf]), 1) + "%"
        if sources and any(system.node(c).source for c in system.leaves):
            row[head["source"]] = node.source or ""
        rows.append(row)
    frame = pd.DataFrame(rows)
    notes = []
    if lang == "zh":
        notes.append(f"综合权重为各指标在综合指数中的权重（{_m(ev.options['weighting'], lang)}），"
                     "合计100%。")
    else:
        notes.append(f"Weight in the index: each indicator's share of the composite "
                     f"({_m(ev.options['weighting'], lang)}); they sum to 100%.")
    return _table_class()(frame, caption=head["system"], notes=notes, lang=lang)


def _weights_table(ev: Any, lang: str) -> Any:
    head = _HEAD[lang]
    w = ev.weights
    frame = pd.DataFrame({
        head["name_col"]: [ev.system.label(c, lang) for c in w["indicator"]],
        head["level"]: [_LEVELS[lang][min(int(v), 5) - 1] for v in w["level"]],
        head["weight"]: [fmt_num(v, 3) for v in w["weight"]],
        head["global"]: [fmt_num(v, 3) for v in w["global_weight"]],
    })
    note = (f"{head['method']}：{_m(ev.options['weighting'], lang)}；权重为同级（同一上级指标下）"
            "权重，合计为1。" if lang == "zh" else
            f"{head['method']}: {_m(ev.options['weighting'], lang)}; weights within each "
            "parent sum to 1.")
    return _table_class()(frame, caption=head["weights"], notes=[note], lang=lang)


def _league_table(ev: Any, lang: str, names: Any, top: int | None) -> Any:
    head = _HEAD[lang]
    frame = ev.league_table(names=names, top=top)  # names mapped by the Evaluation, if asked
    frame = frame[frame["rank"].notna()]
    out = pd.DataFrame({head["rank"]: [f"{int(r)}" for r in frame["rank"]],
                        head["id"]: frame[ev.id].astype(str).tolist()})
    notes = []
    if names is not None:
        out[head["name"]] = frame["name"].fillna("").astype(str).tolist()
        notes.append("表中列出姓名系应委托方要求。" if lang == "zh" else
                     "Names are shown at the commissioning body's request.")
    out[head["score"]] = [fmt_num(v, 1) for v in frame["score"]]
    u = ev.uncertainty
    if u is not None:
        share = f"{u.interval:.0%}"
        out[head["median"]] = [fmt_num(v, 0) for v in frame["median_rank"]]
        out[head["interval"].format(p=share)] = [
            f"{int(lo)}–{int(hi)}" for lo, hi in zip(frame["rank_low"], frame["rank_high"],
                                                     strict=True)]
        notes.append(
            f"排名区间为{u.rank_matrix.shape[1]:,}次蒙特卡洛模拟中该单位排名的"
            f"{(1 - u.interval) / 2:.0%}至{(1 + u.interval) / 2:.0%}分位数。"
            if lang == "zh" else
            f"Rank interval: {(1 - u.interval) / 2:.0%} to {(1 + u.interval) / 2:.0%} "
            f"percentiles of the unit's rank over {u.rank_matrix.shape[1]:,} Monte Carlo "
            "replications.")
    for pillar in ev.system.pillars:
        if pillar in frame.columns:
            out[ev.system.label(pillar, lang)] = [fmt_num(v, 1) for v in frame[pillar]]
    if top and top < int(ev.ranks["rank"].notna().sum()):
        notes.append(f"仅列前{top}名。" if lang == "zh" else f"First {top} shown.")
    return _table_class()(out.reset_index(drop=True), caption=head["league"], notes=notes,
                          lang=lang)


def _sensitivity_table(ev: Any, lang: str) -> Any | None:
    u = ev.uncertainty
    if u is None or u.sensitivity is None or u.sensitivity.empty:
        return None
    head = _HEAD[lang]
    s = u.sensitivity[u.sensitivity["output"] == "mean_rank_shift"]
    frame = pd.DataFrame({head["factor"]: [_m(f, lang) for f in s["factor"]],
                          head["first"]: [fmt_num(max(v, 0.0), 2) for v in s["first_order"]],
                          head["total"]: [fmt_num(max(v, 0.0), 2) for v in s["total"]]})
    note = ("输出为平均排名变动（Saisana等，2005）；一阶效应为单独改变该项选择引起的方差份额，"
            "总效应还包括与其他选择的交互作用（Saltelli等，2010估计量）。负的估计值按0列示。"
            if lang == "zh" else
            "Output: the mean absolute shift in rank (Saisana et al. 2005). First order: share "
            "of its variance due to the choice alone; total: including its interactions "
            "(Saltelli et al. 2010 estimators). Negative estimates are shown as 0.")
    return _table_class()(frame, caption=head["sensitivity"], notes=[note], lang=lang)


def _method_note(ev: Any, lang: str) -> str:
    o = ev.options
    system = ev.system
    n = int(ev.ranks["rank"].notna().sum())
    u = ev.uncertainty
    gaps = int(ev.checks.indicators["n_missing"].sum())
    if lang == "zh":
        missing = (f"原始数据中的{gaps}个缺失值按{_m(o['imputation'], lang)}处理，" if gaps
                   else "原始数据无缺失值，")
        parts = [f"评价采用{len(system.pillars)}个一级指标、{len(system.leaves)}个末级指标的"
                 "指标体系，"
                 f"对{n}个评价对象计算综合得分。{missing}"
                 f"以{_m(o['normalisation'], lang)}统一量纲（负向指标先取反向），"
                 f"以{_m(o['weighting'], lang)}确定权重，"
                 f"逐级{_m(o['aggregation'], lang)}得到综合指数"
                 "（参照OECD/JRC《综合指标构建手册》2008与COINr的定义）。"]
        if o.get("treatment"):
            parts.append("偏度与峰度超出阈值的指标先做了缩尾或对数处理。")
        if u is not None:
            varied = "、".join(_m(k, lang) for k in ("imputation", "normalisation", "weighting",
                                                    "aggregation")
                              if "," in str(u.options.get(k, "")))
            parts.append(
                f"为检验排名的稳健性，进行了{u.rank_matrix.shape[1]:,}次蒙特卡洛模拟，随机改变"
                f"{varied or '权重'}并对权重施加{u.options.get('noise', '')}的扰动；"
                f"各对象{u.interval:.0%}排名区间的中位宽度为{u.median_width:.0f}位"
                f"（共{n}位）。")
            top = _top_factor(u)
            if top is not None:
                parts.append(f"对排名影响最大的选择是{_m(top[0], lang)}"
                             f"（总效应指数{top[1]:.2f}）。")
            parts.append("排名区间较宽的对象之间，名次差异不宜过度解读。")
        return "".join(parts)
    parts = [f"The index has {len(system.pillars)} pillars and {len(system.leaves)} "
             f"indicators and scores {n} units. "
             + (f"Missing values ({gaps}): {_m(o['imputation'], lang)}; " if gaps else
                "No value is missing; ")
             + f"indicators were brought to a common scale by {_m(o['normalisation'], lang)} "
             f"(negative indicators reversed), weighted by {_m(o['weighting'], lang)} and "
             f"combined level by level by the {_m(o['aggregation'], lang)} (definitions of "
             "the OECD/JRC Handbook on Constructing Composite Indicators, 2008, and COINr)."]
    if o.get("treatment"):
        parts.append(" Indicators beyond the skewness and kurtosis limits were winsorised or "
                     "log-transformed first.")
    if u is not None:
        parts.append(
            f" To see how fragile the ranks are, the index was recomputed "
            f"{u.rank_matrix.shape[1]:,} times, varying the choices at random and the weights "
            f"by {u.options.get('noise', '')}; the median width of the {u.interval:.0%} rank "
            f"intervals is {u.median_width:.0f} ranks (of {n}).")
        top = _top_factor(u)
        if top is not None:
            parts.append(f" The choice that moves the ranks most is the "
                         f"{_m(top[0], lang)} (total index {top[1]:.2f}).")
        parts.append(" Differences in rank between units whose intervals overlap widely "
                     "should not be over-read.")
    return "".join(parts)


def _top_factor(u: Any) -> tuple[str, float] | None:
    if u.sensitivity is None or u.sensitivity.empty:
        return None
    s = u.sensitivity[u.sensitivity["output"] == "mean_rank_shift"]
    best = s.loc[s["total"].idxmax()]
    return str(best["factor"]), float(best["total"])


def evaluation_section(
    result: Any,
    *,
    lang: str = "zh",
    names: Any = None,
    top: int | None = None,
    title: str | None = None,
    sources: bool = False,
) -> EvaluationSection:
    """Format an Evaluation as report tables and a method note, in Chinese or English.

    Parameters
    ----------
    result : Evaluation
        The result of ``tk.evaluate.evaluate``.
    lang : {"zh", "en"}, default "zh"
        Language of headers, notes and the method note.
    names : dict, Series or DataFrame, optional
        Id → name for the league table. Only when asked: by default the table
        shows pseudonymous ids.
    top : int, optional
        Show only the first `top` units in the league table.
    title : str, optional
        Heading of the section (default 委员履职评价 / 基层协商工作评价).
    sources : bool, default False
        Add the column of formulas (计算口径) to the index-system table.

    Returns
    -------
    EvaluationSection
        ``.tables`` (tk.report Tables), ``.intro``, ``.method_note``,
        ``.add_to(report)``.

    Examples
    --------
    >>> df = pd.DataFrame({"member_id": ["M1", "M2"], "a": [1.0, 2.0], "b": [3.0, 1.0]})
    >>> ev = tk.evaluate.evaluate(df, uncertainty=False)
    >>> s = evaluation_section(ev, lang="en")
    >>> s.tables[2].to_frame().columns.tolist()
    ['Rank', 'ID', 'Score']
    """
    check_lang(lang)
    head = _HEAD[lang]
    unit_level = result.options.get("level") == "unit"
    heading = title or (head["title_unit"] if unit_level else head["title"])
    tables = [_system_table(result, lang, sources=sources), _weights_table(result, lang),
              _league_table(result, lang, names, top)]
    sens = _sensitivity_table(result, lang)
    if sens is not None:
        tables.append(sens)
    n = int(result.ranks["rank"].notna().sum())
    u = result.uncertainty
    if lang == "zh":
        intro = (f"本节依据{result.system.name}对{n}个评价对象进行评价，给出指标体系、权重、"
                 "综合得分与排名"
                 + ("，以及每个对象排名的不确定性区间。" if u is not None else "。"))
    else:
        intro = (f"This section evaluates {n} units with the {result.system.name_en}: the "
                 "index system, the weights, scores and ranks" +
                 (", and how uncertain each rank is." if u is not None else "."))
    return EvaluationSection(title=heading, intro=intro, tables=tables,
                             method_note=_method_note(result, lang), lang=lang)
