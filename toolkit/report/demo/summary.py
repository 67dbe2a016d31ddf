"""The parts of the report made from the other sections: 摘要, 主要发现与建议, 附录.

The abstract and the findings are the sentences the sections wrote from their
results (``Section.summary``, ``Section.findings``); the recommendations are an
editable placeholder, since they are the research team's judgement, not a
computation; the appendix holds the variable list, the load and validation
records and the method notes of every section.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from toolkit.report.demo._section import Context, Section, t
from toolkit.report.demo.data import load_table, validation_table, variable_table

__all__ = ["PLACEHOLDER", "abstract", "appendix", "findings"]

#: The placeholder of the recommendations (建议), in each language.
PLACEHOLDER = {
    "zh": "【待课题组撰写：政策建议】本段为占位文字。建议属于课题组的判断，不由数据自动生成；"
          "请根据上述发现及其局限撰写，并在提交前删除本段。",
    "en": "[To be written by the research team: recommendations] This paragraph is a "
          "placeholder. Recommendations are the team's judgement and are not generated from "
          "the data; write them from the findings above and their limits, and delete this "
          "paragraph before delivery.",
}

_KEYWORDS = {
    "coverage": ("全覆盖", "coverage"), "participation": ("参与", "participation"),
    "network": ("共同参与网络", "co-attendance network"),
    "process": ("协商过程", "consultation process"),
    "responsiveness": ("回应性", "responsiveness"), "survey": ("居民满意度", "satisfaction"),
    "change": ("前后测", "before/after panel"), "evaluation": ("履职评价", "member evaluation"),
    "concerns": ("民意关切", "public concerns"),
}


def abstract(ctx: Context, sections: Sequence[Section], *, commissioner: str | None,
             span: str) -> list[tuple[str, str]]:
    """The abstract: what was studied, the key numbers with their uncertainty, the caveat.

    Returns ``(kind, text)`` items (``"text"``; the keywords as ``"note"``).
    """
    lang = ctx.lang
    study = ctx.study
    k = ctx.facts.get("tables_used", len(study.tables))
    who = (t(lang, f"本报告受{commissioner}委托，", f"Commissioned by {commissioner}, this ")
           if commissioner else t(lang, "本报告", "This "))
    topics_zh = "、".join(s.title for s in sections)
    topics_en = ", ".join(s.title.lower() for s in sections)
    items = [("text", t(
        lang,
        f"{who}依据“{study.name}”的 {k} 张数据表（{span}），分析{topics_zh}等方面的情况。",
        f"{who}report analyses {topics_en}, from {k} tables of the study ({span}).",
    ))]
    sentences = [s.summary[0] for s in sections if s.summary]
    if sentences:
        items.append(("text", t(lang, "主要结果：", "Main results: ")
                      + ("" if lang == "zh" else " ").join(sentences)))
    items.append(("text", t(
        lang,
        "括号内为95%置信区间。除前后测比较外，数据均为观察记录，文中所述为关联，不作因果推断。",
        "Ranges in brackets are 95% confidence intervals. Apart from the before/after "
        "comparison the data are observational: the report describes associations and makes "
        "no causal claims.",
    )))
    words = [_KEYWORDS[s.key][0 if lang == "zh" else 1] for s in sections if s.key in _KEYWORDS]
    if words:
        items.append(("keywords", t(lang, "关键词：", "Keywords: ")
                      + ("；" if lang == "zh" else "; ").join(words)))
    return items


def findings(ctx: Context, sections: Sequence[Section]) -> Section:
    """The chapter 主要发现与建议: numbered findings, then the recommendations placeholder."""
    lang = ctx.lang
    sec = Section("findings", t(lang, "主要发现与建议", "Findings and recommendations"))
    sec.heading(t(lang, "主要发现", "Findings"))
    numbered = [f for s in sections for f in s.findings]
    for i, text in enumerate(numbered, 1):
        sec.text(f"{i}. {text}" if lang == "en" else f"{i}．{text}")
    if not numbered:
        sec.text(t(lang, "本报告未能形成可量化的发现。", "The report has no quantified finding."))
    sec.heading(t(lang, "建议", "Recommendations"))
    sec.items.append(("placeholder", PLACEHOLDER[lang]))
    return sec


def appendix(ctx: Context, sections: Sequence[Section]) -> list[tuple[str, Any]]:
    """The appendix items: variable list, data and validation records, method notes."""
    lang = ctx.lang
    items: list[tuple[str, Any]] = []
    items.append(("heading", (t(lang, "附录A 变量说明", "Appendix A. Variables"), 2)))
    items.append(("text", t(lang, "下表列出各数据表的变量及其含义；标为个人信息的变量只用于"
                                  "核对，不进入任何结果。",
                            "The variables of each table and their meaning; variables marked "
                            "as personal data are used for checks only and enter no result.")))
    items.append(("table", (variable_table(ctx), t(lang, "变量说明", "Variables"),
                            {"suppress": False, "notes": [] if lang == "zh" else [
                                "Meanings the codebook gives only in Chinese (the wording of "
                                "the questionnaire) are quoted as written."]})))
    items.append(("heading", (t(lang, "附录B 数据读取与校验记录", "Appendix B. Reading and "
                                "validation records"), 2)))
    items.append(("table", (load_table(ctx), t(lang, "数据读取记录", "Reading records"),
                            {"suppress": False, "notes": [t(
                                lang, "“转为缺失的代码”指问卷中 98（不知道）、99（拒答）等"
                                      "声明为缺失"
                                      "的取值，已转为缺失值并逐一记录。",
                                "“Codes set to missing” are answers such as 98 (don't know) "
                                "and 99 (refused), declared missing and set to missing, each "
                                "one recorded.")]})))
    problems = validation_table(ctx)
    if problems is None:
        items.append(("text", t(lang, "数据校验未发现错误或警告。",
                                "Validation found no error or warning.")))
    else:
        items.append(("table", (problems, t(lang, "数据校验发现的问题",
                                            "Problems found by validation"),
                                {"suppress": False})))
    items.append(("heading", (t(lang, "附录C 方法说明", "Appendix C. Methods"), 2)))
    for s in sections:
        for text in s.methods:
            items.append(("text", text))
    items.append(("text", t(
        lang,
        "全部计算用开源的 toolkit 完成；各统计方法的结果均已与 R 的对应函数（survey、psych、"
        "MASS、survival、sna）核对。",
        "All computations were made with the open-source toolkit; each statistical method is "
        "checked against the corresponding R functions (survey, psych, MASS, survival, sna).")))
    return items
