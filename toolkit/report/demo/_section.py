"""What every section of the study report shares: its context, the container, wording helpers.

Every number a sentence quotes goes through :meth:`Context.fact`, which keeps
the value under a key; the report returns these facts, so each sentence can be
checked against the result it came from. Sentences are written in one language
at a time (:func:`t`); place names in English are romanised (:func:`place_name`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from toolkit import schema
from toolkit.report._format import Lang, fmt_count
from toolkit.report.table import Table

__all__ = ["CONCEPTS", "Context", "Section", "ci", "measure", "num", "pct", "pct_ci",
           "place_name", "rates_table", "t"]


@dataclass
class Section:
    """A section of the report: its key, title and items (headings, text, tables, figures).

    ``skipped`` lists the parts of the section left out because the study lacks
    what they need: (key, title, reason). ``summary`` is the sentence the
    abstract (摘要) takes from the section, ``findings`` the sentences of the
    chapter of findings (主要发现), each stating a result with its uncertainty.
    ``concepts`` names the statistics the section shows whose meaning the
    design chapter explains once (keys of :data:`CONCEPTS`); ``methods`` are
    the method notes of the appendix.
    """

    key: str
    title: str
    items: list[tuple[str, Any]] = field(default_factory=list)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    concepts: set[str] = field(default_factory=set)
    methods: list[str] = field(default_factory=list)

    def heading(self, text: str, level: int = 2) -> None:
        self.items.append(("heading", (text, level)))

    def text(self, text: str) -> None:
        self.items.append(("text", text))

    def note(self, text: str) -> None:
        self.items.append(("note", text))

    def table(self, table: Table | pd.DataFrame, caption: str | None, **kw: Any) -> None:
        self.items.append(("table", (table, caption, kw)))

    def figure(self, ax: Any, caption: str, name: str) -> None:
        self.items.append(("figure", (ax.figure if hasattr(ax, "figure") else ax, caption, name)))

    def skip(self, key: str, title: str, reason: str) -> None:
        """Leave out a part the study has no data for, saying why."""
        self.skipped.append((key, title, reason))


@dataclass
class Context:
    """What every section reads: the study, the language, the panel, the facts quoted."""

    study: Any
    lang: Lang
    panel: pd.DataFrame | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    span: str = "—"

    def fact(self, key: str, value: Any) -> Any:
        """Keep `value` under `key` (a number the text quotes) and return it."""
        if isinstance(value, bool | np.bool_):
            value = bool(value)
        elif isinstance(value, int | np.integer):
            value = int(value)
        elif isinstance(value, float | np.floating):
            value = float(value)
        self.facts[key] = value
        return value

    def t(self, zh: str, en: str) -> str:
        """The text in the report's language."""
        return zh if self.lang == "zh" else en

    def no_table(self, name: str) -> str:
        """Why a part is left out: the study has no table `name`."""
        if name == "panel":
            return t(self.lang, "未提供协商前后的追踪数据（`panel=`）",
                     "no before/after panel was given (`panel=`)")
        table = schema.TABLES[name]
        return t(self.lang, f"研究中没有“{table.zh}”表（{name}）",
                 f"the study has no {table.en.lower()} table ({name})")

    def no_column(self, table: str, *columns: str) -> str:
        """Why a part is left out: table `table` lacks some of `columns`."""
        have = set(self.study.table(table).columns)
        missing = ", ".join(f"`{c}`" for c in columns if c not in have)
        return t(self.lang, f"“{schema.TABLES[table].zh}”表缺少列 {missing}",
                 f"the {table} table has no column(s) {missing}")


def t(lang: Lang, zh: str, en: str) -> str:
    """The text in the report's language."""
    return zh if lang == "zh" else en


def pct(x: float, digits: int = 1) -> str:
    """A share as a percentage: 0.1234 → '12.3%'."""
    if x is None or not math.isfinite(float(x)):
        return "—"
    return f"{100 * x:.{digits}f}%"


def num(x: float, digits: int = 2) -> str:
    """A number with fixed decimals (thousands separated); integers as counts."""
    if x is None or not math.isfinite(float(x)):
        return "—"
    if digits == 0:
        return fmt_count(x)
    return f"{x:,.{digits}f}"


def ci(low: float, high: float, lang: Lang, digits: int = 2, *, level: float = 0.95) -> str:
    """'95%置信区间 3.29–3.36' / '95% CI 3.29–3.36'."""
    share = f"{100 * level:.0f}%"
    return t(lang, f"{share}置信区间 {num(low, digits)}–{num(high, digits)}",
             f"{share} CI {num(low, digits)}–{num(high, digits)}")


def pct_ci(low: float, high: float, lang: Lang, *, level: float = 0.95) -> str:
    """'95%置信区间 59.7%–65.4%' / '95% CI 59.7%–65.4%'."""
    share = f"{100 * level:.0f}%"
    return t(lang, f"{share}置信区间 {pct(low)}–{pct(high)}",
             f"{share} CI {pct(low)}–{pct(high)}")


#: Statistics whose meaning the chapter on design explains once, in plain words.
CONCEPTS: dict[str, tuple[str, str]] = {
    "ci": (
        "置信区间：报告中的比例和均值都是根据有限的样本或记录估计的。95%置信区间给出在抽样"
        "误差范围内与数据相容的取值范围；区间越窄，估计越精确。两个区间明显重叠时，不宜断言"
        "二者有差别。",
        "Confidence intervals: the shares and means in this report are estimated from a "
        "limited sample or set of records. A 95% confidence interval gives the range of "
        "values consistent with the data given sampling error; the narrower it is, the "
        "more precise the estimate. Where two intervals overlap widely, do not conclude "
        "that the two differ."),
    "pvalue": (
        "显著性检验：p值表示如果真实情况是“没有差别（或没有关联）”，观察到至少这样大差别的"
        "可能性。p值小（如小于0.05）说明差别不太可能只是抽样误差，但不说明差别的大小或重要性，"
        "也不说明原因。",
        "Significance tests: a p-value is the chance of seeing a difference at least this "
        "large if there were in truth no difference (or no association). A small p-value "
        "(say below 0.05) says that the difference is unlikely to be sampling error alone; "
        "it says nothing about how large or important the difference is, nor about its "
        "cause."),
    "deff": (
        "设计效应：居民调查按镇街分层、以村（社区）为单位整群抽取，并加权。设计效应（deff）"
        "是按这一设计计算的估计方差与同样本量简单随机抽样方差之比。大于1表示同一社区的受访者"
        "回答相近，估计的精确程度相当于只有“样本量÷设计效应”个受访者；小于1表示分层和加权使"
        "估计比简单随机抽样更精确。",
        "Design effect: the residents' survey was drawn by town (strata) and community "
        "(clusters), and weighted. The design effect (deff) is the variance of an estimate "
        "under this design divided by its variance under a simple random sample of the same "
        "size. Above 1, respondents of one community answer alike and the estimate is only "
        "as precise as one from (sample size ÷ deff) respondents; below 1, stratification "
        "and weighting make it more precise than a simple random sample."),
    "censoring": (
        "删失与 Kaplan–Meier 曲线：数据截止时，有些议题尚未落实、有些提案尚未得到回应。"
        "它们并非“永远不会”，只是我们只知道已经等了多久，这称为删失。Kaplan–Meier 方法把"
        "这些记录计入它们被观察到的那段时间，而不是把它们当作失败或直接剔除；曲线上每一点"
        "表示等待到该天数时仍未落实（回应）的比例，中位天数是曲线降到一半的时间。",
        "Censoring and Kaplan–Meier curves: when the data end, some topics are not yet "
        "implemented and some submissions not yet answered. That does not mean they never "
        "will be; we only know how long they have waited so far, which is called censoring. "
        "The Kaplan–Meier method counts these records for the time they were observed, "
        "instead of treating them as failures or dropping them; each point of a curve is the "
        "share still waiting after that many days, and the median is the day the curve "
        "falls to one half."),
    "coattendance": (
        "共同参与网络：两名委员只要至少一次出席同一场协商活动，就在网络中连一条线；线的"
        "粗细（权重）是同场的次数。这样的联系只说明两人曾经同场，不说明他们交谈、合作或"
        "相互影响。中介中心度衡量一名委员处在其他委员之间最短“同场链条”上的频繁程度；它高，"
        "说明该委员出席的活动跨越了平时较少同场的委员，而不说明他（她）实际起了沟通作用。",
        "Co-attendance network: two members are linked when they attended at least one "
        "consultation session together; the weight of the link is the number of such "
        "sessions. A link only says that the two were in the same room; it does not say that "
        "they talked, worked together or influenced each other. Betweenness measures how "
        "often a member lies on the shortest chains of co-attendance between other members; "
        "a high value means that the sessions the member attends span members who rarely "
        "meet otherwise, not that the member actually passed anything on."),
    "association": (
        "关联不等于因果：除前后测比较外，本报告的数据都是某一时点或某一时段的观察记录，"
        "没有随机分组。两个变量相关（例如参加过协商活动的居民满意度较高），可能是一方影响"
        "另一方，也可能方向相反，或二者都受其他因素影响；报告只描述这种关联，不作因果判断。",
        "Association is not causation: apart from the before/after comparison, the data of "
        "this report are observations at one time or over one period, without random "
        "assignment. When two things go together (for example, residents who attended "
        "sessions are more satisfied), either may affect the other, or both may follow from "
        "something else; the report describes the association and makes no causal claim."),
}


_SUFFIXES_EN = (("自治区", "Autonomous Region"), ("街道", "Subdistrict"), ("社区", "Community"),
                ("省", "Province"), ("市", "City"), ("区", "District"), ("县", "County"),
                ("镇", "Town"), ("乡", "Township"), ("村", "Village"))
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


def _pinyin(text: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(text)).capitalize()


def place_name(name: object, lang: Lang) -> str:
    """A place name in the report's language: as given in Chinese, romanised in English.

    In English the administrative suffix is translated and the rest written in
    pinyin without tones: 云溪区 → Yunxi District, 望江街道 → Wangjiang
    Subdistrict. Any other Chinese text is written in pinyin.
    """
    text = str(name)
    if lang == "zh" or not _CJK.search(text):
        return text
    for suffix, english in _SUFFIXES_EN:
        stem = text[: -len(suffix)]
        if text.endswith(suffix) and stem and _CJK.fullmatch(stem):
            return f"{_pinyin(stem)} {english}"
    return _CJK.sub(lambda m: _pinyin(m.group(0)), text)


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


def measure(name: object, lang: Lang) -> str:
    """Label of a rate or lag measure of ``tk.stats.sessions`` / ``submissions``."""
    pair = _MEASURES.get(str(name))
    return str(name) if pair is None else pair[0 if lang == "zh" else 1]


def rates_table(rates: pd.DataFrame, lang: Lang, by: str | None = None) -> Table:
    """The rates of a process result as percentages, with labelled headers."""
    cols = ([by] if by else []) + ["measure", "successes", "n", "estimate", "ci_low", "ci_high"]
    frame = rates[cols].copy()
    frame["measure"] = [measure(m, lang) for m in frame["measure"]]
    names = {"successes": t(lang, "次数", "Count"), "n": t(lang, "基数", "Base"),
             "estimate": t(lang, "比例", "Percent")}
    return Table.from_frame(frame, labels=names, shares=["estimate", "ci_low", "ci_high"],
                            suppress=False, lang=lang)
