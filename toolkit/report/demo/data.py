"""The chapter on design and data (研究设计与数据), and the appendix tables of data and checks.

:func:`design` says where the data come from, how each analysis uses them (a
census of ledgers, a weighted sample survey, a before/after panel), what
validation checked and found, which parts are left out, and — once, in plain
words — how to read the statistics the report shows (:data:`CONCEPTS`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from toolkit import schema
from toolkit.report._format import fmt_count
from toolkit.report.demo._section import CONCEPTS, Context, Section, t

__all__ = ["design", "load_table", "validation_table", "variable_table"]

#: Order of the explanations in the notes on reading the figures.
_CONCEPT_ORDER = ("ci", "pvalue", "deff", "censoring", "coattendance", "association")

_WHAT = {
    "units": ("镇街、村（社区）、委员联络站及其上下级关系",
              "towns, communities, liaison stations and their hierarchy"),
    "participants": ("委员、代表、居民代表等参与者，以编号代替姓名",
                     "members, deputies, residents' representatives, by id"),
    "sessions": ("每场协商活动的日期、平台、议题、共识与落实",
                 "date, platform, topic, consensus and implementation of each session"),
    "attendance": ("谁出席了哪一场活动", "who attended which session"),
    "submissions": ("提案与社情民意信息的报送、采用、批示、回应与正文",
                    "filing, adoption, instructions, responses and texts of submissions"),
    "survey": ("抽样问卷的回答与抽样权重", "answers and sampling weights"),
    "activities": ("委员的各项履职活动", "what each member did"),
}


def design(ctx: Context, skipped: list[tuple[str, str, str]], concepts: set[str], *,
           panel: bool = False) -> Section:
    """The chapter 研究设计与数据: sources, design, sample, validation, how to read numbers."""
    lang, study = ctx.lang, ctx.study
    sec = Section("design", t(lang, "研究设计与数据", "Design and data"))
    k = ctx.fact("tables_used", len(study.tables))
    span = ctx.span
    sec.heading(t(lang, "数据来源", "Sources"))
    sec.text(t(
        lang,
        f"本报告使用“{study.name}”的 {k} 张数据表，时间范围为 {span}。"
        "数据为办事处、政协与调查机构提供的原始文件，经读取、规范和校验后使用；"
        "个人姓名、身份证号和电话不进入任何表格或图形。",
        f"This report uses {k} tables of the study, covering {span}. They are the original "
        "files of the offices, the CPPCC and the survey firm, read, normalised and validated "
        "before use; names, ID-card and phone numbers enter no table or figure.",
    ))
    rows = []
    for name in study.tables:
        frame = study.table(name)
        rec = frame.attrs.get("load_record")
        rows.append({"table": schema.TABLES[name].zh if lang == "zh" else schema.TABLES[name].en,
                     "what": _WHAT.get(name, ("", ""))[0 if lang == "zh" else 1],
                     "file": Path(rec.file).name if rec is not None and rec.file else "—",
                     "rows": len(frame)})
    ctx.facts["table_rows"] = {r["table"]: r["rows"] for r in rows}
    frame = pd.DataFrame(rows).astype({"rows": "int64"}).rename(columns={
        "table": t(lang, "数据表", "Table"), "what": t(lang, "内容", "Content"),
        "file": t(lang, "来源文件", "File"), "rows": t(lang, "记录数", "Records")})
    sec.table(frame, t(lang, "数据来源", "Data sources"), suppress=False)

    sec.heading(t(lang, "研究设计与样本", "Design and sample"))
    sec.text(t(
        lang,
        "活动台账、参与记录、提案与履职记录是对登记在册的全部记录的统计，不是抽样，"
        "其比例的置信区间反映的是同样机制下记录数有限带来的随机波动；这些记录由基层填报，"
        "漏登或误登的情况无法从数据本身发现。",
        "The ledgers of sessions, attendance, submissions and members' activities are "
        "counted in full, not sampled; the intervals of their shares reflect the chance "
        "variation of a limited number of records. They are filled in by the offices "
        "themselves: records never entered, or entered wrongly, cannot be detected from the "
        "data.",
    ))
    if "survey" in study.tables:
        sec.text(_survey_design(ctx))
    if panel and ctx.panel is not None:
        people = ctx.fact("panel_people", ctx.panel["respondent_id"].nunique())
        sec.text(t(
            lang,
            f"协商前后的变化来自一组追踪数据：{fmt_count(people)} 名参加协商的居民在协商前后"
            "各接受一次访问（前后测设计，没有未参加协商的对照组）。",
            f"Change before and after deliberation comes from a panel: {fmt_count(people)} "
            "residents who took part were interviewed before and after (a before/after design "
            "without a control group of non-participants).",
        ))

    sec.heading(t(lang, "数据校验", "Validation"))
    report = study.validate()
    n_err = ctx.fact("validation_errors", int(report.n_errors))
    n_warn = ctx.fact("validation_warnings", int(report.n_warnings))
    set_aside = sum(len(rec.rows_set_aside) for rec in study.records.values())
    ctx.fact("rows_set_aside", set_aside)
    sec.text(t(
        lang,
        "数据读取时，标题行、合计行、重复表头等非数据行被剔除并逐行记录"
        f"（共 {fmt_count(set_aside)} 行）；日期、是/否等取值被统一格式，每一处改动都有记录。"
        "随后逐表检查：必需的列是否齐全、取值是否在规定范围和词表之内、编号是否重复、"
        "引用的记录是否存在（如参与记录所指的活动和参与者）、日期先后是否合理、"
        f"是否晚于数据截止日。校验发现错误 {fmt_count(n_err)} 项、警告 {fmt_count(n_warn)} 项"
        "（明细见附录）。",
        "On reading, title rows, total rows and repeated headers were set aside, each one "
        f"recorded ({fmt_count(set_aside)} rows); dates, yes/no answers and similar values were "
        "brought to one form, every change recorded. Each table was then checked: required "
        "columns present, values within their ranges and vocabularies, no duplicate ids, "
        "every reference pointing to an existing record (e.g. the session and participant of "
        "an attendance), dates in a possible order and not after the end of the data. "
        f"Validation found {fmt_count(n_err)} errors and {fmt_count(n_warn)} warnings (details "
        "in the appendix).",
    ))
    if skipped:
        sec.heading(t(lang, "未纳入的分析", "Analyses not included"))
        lines = [f"{title}（{reason}）" if lang == "zh" else f"{title} ({reason})"
                 for _, title, reason in skipped]
        sec.text(t(lang, "以下分析因缺少所需的数据未纳入本报告：" + "；".join(lines) + "。",
                   "Not included in this report, for lack of the data they need: "
                   + "; ".join(lines) + "."))
    used = [c for c in _CONCEPT_ORDER if c in concepts]
    if used:
        sec.heading(t(lang, "读数说明", "Reading the figures"))
        for key in used:
            sec.text(t(lang, *CONCEPTS[key]))
    return sec


def _survey_design(ctx: Context) -> str:
    lang, study = ctx.lang, ctx.study
    survey = study.table("survey")
    spec = study.design_spec
    n = ctx.fact("survey_respondents", len(survey))
    parts_zh = [f"居民调查共 {fmt_count(n)} 名受访者"]
    parts_en = [f"The residents' survey has {fmt_count(n)} respondents"]
    if spec.strata and spec.strata in survey.columns:
        strata = ctx.fact("survey_strata", survey[spec.strata].nunique())
        parts_zh.append(f"按 {fmt_count(strata)} 个镇街分层")
        parts_en.append(f"drawn in {fmt_count(strata)} strata (towns)")
    cluster = spec.cluster[0] if isinstance(spec.cluster, tuple) else spec.cluster
    if cluster and cluster in survey.columns:
        clusters = ctx.fact("survey_clusters", survey[cluster].nunique())
        parts_zh.append(f"在 {fmt_count(clusters)} 个村（社区）整群抽取")
        parts_en.append(f"from {fmt_count(clusters)} communities (clusters)")
    if spec.weights and spec.weights in survey.columns:
        w = survey[spec.weights].astype(float)
        ctx.fact("weight_min", float(w.min()))
        ctx.fact("weight_max", float(w.max()))
        parts_zh.append(f"每名受访者带有抽样权重（{w.min():.1f}–{w.max():.1f}，即代表的居民数），"
                        "估计按权重推及全体居民")
        parts_en.append(f"each carrying a sampling weight ({w.min():.1f}–{w.max():.1f}, the "
                        "number of residents represented), so estimates speak for all "
                        "residents")
    if spec.fpc:
        parts_zh.append("方差计算考虑了有限总体校正")
        parts_en.append("with the finite-population correction in the variances")
    return t(lang, "，".join(parts_zh) + "。问卷中的“不知道”“拒答”（98、99）作缺失处理。",
             "; ".join(parts_en) + ". Answers “don't know” and “refused” (98, 99) are "
             "treated as missing.")


def load_table(ctx: Context) -> pd.DataFrame:
    """Per table: rows read and kept, rows set aside, missing codes."""
    lang, study = ctx.lang, ctx.study
    rows = []
    for name in study.tables:
        frame = study.table(name)
        rec = frame.attrs.get("load_record")
        rows.append({
            "table": schema.TABLES[name].zh if lang == "zh" else schema.TABLES[name].en,
            "rows_read": rec.rows_read if rec is not None else len(frame),
            "rows_kept": len(frame),
            "set_aside": len(rec.rows_set_aside) if rec is not None else 0,
            "missing_codes": len(rec.missing) if rec is not None else 0,
        })
    frame = pd.DataFrame(rows).astype({c: "int64" for c in ("rows_read", "rows_kept",
                                                            "set_aside", "missing_codes")})
    return frame.rename(columns={
        "table": t(lang, "数据表", "Table"), "rows_read": t(lang, "读取行数", "Rows read"),
        "rows_kept": t(lang, "保留行数", "Rows kept"),
        "set_aside": t(lang, "剔除的非数据行", "Non-data rows set aside"),
        "missing_codes": t(lang, "转为缺失的代码", "Codes set to missing")})


def validation_table(ctx: Context) -> pd.DataFrame | None:
    """Problems found by validation, counted by table, check and severity (None: no problem)."""
    report = ctx.study.validate()
    if not len(report.problems):
        return None
    lang = ctx.lang
    counts = (report.problems.groupby(["table", "check", "severity"], dropna=False).size()
              .rename("problems").reset_index())
    return counts.rename(columns={"table": t(lang, "数据表", "Table"),
                                  "check": t(lang, "检查", "Check"),
                                  "severity": t(lang, "级别", "Severity"),
                                  "problems": t(lang, "问题数", "Problems")})


def variable_table(ctx: Context) -> pd.DataFrame:
    """The variables of the study: table, column, meaning, and whether it is personal data."""
    lang, study = ctx.lang, ctx.study
    book = study.codebook
    rows = []
    for _, r in book.iterrows():
        name = str(r["table"])
        table_label = (schema.TABLES[name].zh if lang == "zh" else schema.TABLES[name].en) \
            if name in schema.TABLES else name
        label = schema.column_label(r["column"], lang)
        if label == r["column"] or lang == "zh":
            label = str(r["label"]) if isinstance(r["label"], str) and r["label"] else label
        personal = isinstance(r["personal"], str) and bool(r["personal"])
        rows.append({"table": table_label, "column": r["column"], "label": label,
                     "note": t(lang, "个人信息，不进入报告", "personal data, never reported")
                     if personal else ""})
    return pd.DataFrame(rows).rename(columns={
        "table": t(lang, "数据表", "Table"), "column": t(lang, "变量名", "Variable"),
        "label": t(lang, "含义", "Meaning"), "note": t(lang, "说明", "Note")})
