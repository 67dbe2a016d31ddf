"""Fixed words and number formatting of published tables, and the personal-column check."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from toolkit._checks import Lang, check_lang
from toolkit.io.personal import find_personal

__all__ = ["DEFAULT_FONTS", "SMALL_CELL", "WORDS", "Lang", "check_lang", "fmt_count",
           "fmt_num", "fmt_p", "fmt_short", "personal_columns", "stars", "w"]

#: Smallest count shown as it is; smaller counts are published as "<5".
SMALL_CELL = 5

#: Default fonts of Word output: 宋体 body, 黑体 headings, Times New Roman for Latin text.
DEFAULT_FONTS = {"body": "宋体", "heading": "黑体", "latin": "Times New Roman"}

WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "table": "表", "figure": "图", "note": "注：", "variable": "变量", "total": "合计",
        "model": "模型", "n": "样本量", "pseudo_r2": "伪R²", "r2": "R²", "aic": "AIC",
        "se_note": "括号内为标准误。", "ci_note": "方括号内为95%置信区间。",
        "stars": "* p<0.05，** p<0.01，*** p<0.001。",
        "suppressed": "少于{k}的频数显示为“<{k}”，以保护个人隐私。",
        "suppressed_zeros": "少于{k}的频数（含0）显示为“<{k}”，以保护个人隐私。",
        "mean_suppressed": "不足{k}人的均值（标准差）不予报告（显示为“<{k}”）。",
        "secondary": "为防止由合计或百分比反推，另有部分单元格一并隐去（显示为“—”）；"
                     "经区间审计，隐去的数值均无法由表中其他数字推出。",
        "unprinted": "本表未列出的下列合计不宜在他处公布，否则可反推被隐去的单元格：{cols}。",
        "dominance": "贡献者过少或由少数贡献者主导的数值不予报告（显示为“—”）。",
        "personal_dropped": "表中已删除含个人信息的列：{cols}。",
        "missing": "缺失", "mean_sd": "均值（标准差）", "n_pct": "人数（%）",
        "weighted": "百分比为加权百分比。", "contents": "目录",
        "rao_scott": "卡方检验：χ²({df}) = {chi2}，Rao–Scott 校正 F({ndf}, {ddf}) = {f}，p {p}。",
        "odds": "系数为比值比（OR）。", "yes": "是", "no": "否", "all": "全部",
        "toc_hint": "（在 Word 中右键单击目录并选择“更新域”可更新页码）",
        "continued": "续表",
        "cut_points": "切点", "coef": "系数", "or": "比值比（OR）",
        "outcome": "因变量：{name}。",
        "or_note": "比值比（OR）为系数的指数，方括号内为其95%置信区间。",
    },
    "en": {
        "table": "Table ", "figure": "Figure ", "note": "Note: ", "variable": "Variable",
        "total": "Total", "model": "Model ", "n": "N", "pseudo_r2": "Pseudo R²", "r2": "R²",
        "aic": "AIC", "se_note": "Standard errors in parentheses. ",
        "ci_note": "95% confidence intervals in brackets. ",
        "stars": "* p<0.05, ** p<0.01, *** p<0.001.",
        "suppressed": "Counts below {k} are shown as \"<{k}\" to protect privacy. ",
        "suppressed_zeros": "Counts below {k}, zeros included, are shown as \"<{k}\" to "
                            "protect privacy. ",
        "mean_suppressed": "Means (SD) of fewer than {k} people are not reported (shown as "
                           "\"<{k}\"). ",
        "secondary": "Further cells are hidden (shown as \"—\") so that no hidden value can be "
                     "derived from the totals or percentages; an interval audit of the table "
                     "confirms it. ",
        "unprinted": "These totals, not printed here, must not be published elsewhere, or the "
                     "hidden cells could be derived from them: {cols}. ",
        "dominance": "Values with too few contributors, or dominated by a few, are not "
                     "reported (shown as \"—\"). ",
        "personal_dropped": "Columns holding personal data were removed: {cols}. ",
        "missing": "Missing", "mean_sd": "Mean (SD)", "n_pct": "n (%)",
        "weighted": "Percentages are weighted. ", "contents": "Contents",
        "rao_scott": "Chi-square test: χ²({df}) = {chi2}; Rao–Scott F({ndf}, {ddf}) = {f}, "
                     "p {p}. ",
        "odds": "Coefficients are odds ratios. ", "yes": "Yes", "no": "No", "all": "All",
        "toc_hint": "(In Word, right-click the table of contents and choose Update Field "
                    "to refresh page numbers.)",
        "continued": "(continued)",
        "cut_points": "Cut-points", "coef": "Coef.", "or": "Odds ratio",
        "outcome": "Outcome: {name}. ",
        "or_note": "Odds ratios are the exponentiated coefficients, with 95% confidence "
                   "intervals in brackets. ",
    },
}


def w(key: str, lang: Lang, **kw: Any) -> str:
    """A fixed phrase in `lang`, with placeholders filled."""
    text = WORDS[lang][key]
    return text.format(**kw) if kw else text


def fmt_count(value: Any) -> str:
    """Integer with thousands separators: 3012 → '3,012'."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return ""
    return f"{round(float(value)):,}"


def fmt_num(value: Any, digits: int = 2) -> str:
    """Fixed decimals with thousands separators; '' for missing."""
    if value is None or pd.isna(value):
        return ""
    return f"{float(value):,.{digits}f}"


def fmt_p(value: Any) -> str:
    """p-value: three decimals, '<0.001' below that."""
    if value is None or pd.isna(value):
        return ""
    return "<0.001" if float(value) < 0.001 else f"{float(value):.3f}"


def fmt_short(value: Any, digits: int = 2) -> str:
    """At most `digits` decimals, trailing zeros dropped: 2.0 → '2', 20.925 → '20.93'."""
    if value is None or pd.isna(value):
        return ""
    text = f"{float(value):,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def stars(p: Any, levels: tuple[float, ...] = (0.05, 0.01, 0.001)) -> str:
    """'*', '**', '***' for p below each level."""
    if p is None or pd.isna(p):
        return ""
    return "*" * sum(float(p) < lv for lv in levels)


# ---------------------------------------------------------------------------
# personal data
# ---------------------------------------------------------------------------


def personal_columns(frame: pd.DataFrame) -> dict[str, str]:
    """Columns of `frame` that hold personal data, with what they hold.

    The answer of ``tk.io.find_personal`` (codebook, schema, headers, values).
    """
    found = find_personal(frame)
    return dict(zip(found["column"], found["kind"], strict=True))
