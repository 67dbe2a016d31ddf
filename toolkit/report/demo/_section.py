"""What every section of the demo report shares: its context, the container, wording helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from toolkit import schema
from toolkit.report._format import Lang
from toolkit.report.table import Table

__all__ = ["Context", "Section", "measure", "pct", "rates_table", "t"]


@dataclass
class Section:
    """A section of the report: its key, title and items (headings, text, tables, figures).

    ``skipped`` lists the parts of the section left out because the study lacks
    what they need: (key, title, reason).
    """

    key: str
    title: str
    items: list[tuple[str, Any]] = field(default_factory=list)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)

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


def pct(x: float) -> str:
    """A share as a percentage with one decimal: 0.1234 → '12.3%'."""
    return f"{100 * x:.1f}%"


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
