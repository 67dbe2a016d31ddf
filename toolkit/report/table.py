"""The published table: formatted cells, the numbers behind them, caption and notes.

A :class:`Table` writes itself as HTML, LaTeX, Markdown and Word, and a
:class:`toolkit.report.Report` numbers it (表1, 表2 … / Table 1 …).
Conventions: thousands separators, fixed decimals, notes under the table
(``注：* p<0.05 …``), small-cell suppression of counts on by default (counts of
1–4 shown as ``<5``; ``suppress=False`` turns it off), and personal columns
(names, ID-card and phone numbers) never printed.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from toolkit.report._disclosure import hidden, is_count_column
from toolkit.report._format import (
    SMALL_CELL,
    Lang,
    check_lang,
    fmt_count,
    fmt_num,
    fmt_p,
    personal_columns,
    w,
)
from toolkit.report._labels import header_label, value_text

__all__ = ["Table"]


class Table:
    """A formatted table ready to publish: cells, numbers, caption and notes.

    Parameters
    ----------
    frame : pandas.DataFrame
        The cells as text, with display headers.
    caption : str, optional
        Title shown after the number (表1 …).
    notes : list of str, optional
        Notes printed under the table after 注： / Note:.
    numbers : pandas.DataFrame, optional
        The numbers behind the cells (tidy; suppressed counts are missing).
    lang : {"zh", "en"}, default "zh"
        Language of the fixed words.

    Examples
    --------
    >>> t = tk.report.Table.from_frame(pd.DataFrame({"platform": ["微信群"], "n": [1234]}),
    ...                                caption="平台")
    >>> t.to_frame()
      协商平台      样本量
    0  微信群  1,234
    """

    def __init__(self, frame: pd.DataFrame, *, caption: str | None = None,
                 notes: Sequence[str] = (), numbers: pd.DataFrame | None = None,
                 lang: Lang = "zh") -> None:
        check_lang(lang)
        self.frame = frame.astype(object).where(frame.notna(), "").astype(str)
        self.caption = caption
        self.notes = [n for n in notes if n]
        self.numbers = numbers
        self.lang = lang

    @classmethod
    def from_frame(cls, data: pd.DataFrame, *, caption: str | None = None,
                   notes: Sequence[str] = (), digits: int = 2, suppress: bool = True,
                   labels: Mapping[str, str] | None = None, lang: Lang = "zh") -> Table:
        """Format any DataFrame for publication.

        Personal columns are removed (and a note says so); canonical column names
        become labels; vocabulary values are shown in `lang`; integers get
        thousands separators and floats `digits` decimals; count columns (``n``,
        ``count``, ``n_*``) have cells of 1–4 shown as ``<5`` unless `suppress`
        is False.
        """
        check_lang(lang)
        frame = data.reset_index() if not isinstance(data.index, pd.RangeIndex) else data
        notes = list(notes)
        personal = personal_columns(frame)
        if personal:
            frame = frame.drop(columns=list(personal))
            notes.append(w("personal_dropped", lang,
                           cols="、".join(map(str, personal)) if lang == "zh"
                           else ", ".join(map(str, personal))))
        labels = dict(labels or {})
        out = pd.DataFrame(index=range(len(frame)))
        numbers = frame.reset_index(drop=True).copy()
        any_suppressed = False
        for col in frame.columns:
            s = frame[col].reset_index(drop=True)
            head = labels.get(str(col), header_label(col, lang))
            if is_count_column(col, s):
                small = s.map(lambda v: hidden(v, suppress)).astype(bool)
                any_suppressed |= bool(small.any())
                out[head] = [f"<{SMALL_CELL}" if h else fmt_count(v)
                             for v, h in zip(s, small, strict=True)]
                numbers[col] = s.astype("Float64").mask(small)
            elif pd.api.types.is_bool_dtype(s.dtype) or str(s.dtype) == "boolean":
                out[head] = [value_text("", v, lang) if pd.isna(v) else
                             w("yes" if v else "no", lang) for v in s]
            elif pd.api.types.is_integer_dtype(s.dtype):
                out[head] = [fmt_count(v) for v in s]
            elif pd.api.types.is_float_dtype(s.dtype):
                p_like = str(col) in {"p_value", "p"}
                out[head] = [fmt_p(v) if p_like else fmt_num(v, digits) for v in s]
            elif pd.api.types.is_datetime64_any_dtype(s.dtype):
                out[head] = [f"{v:%Y-%m-%d}" if pd.notna(v) else "" for v in s]
            else:
                out[head] = ["" if (not isinstance(v, str) and pd.isna(v))
                             else value_text(str(col), v, lang) for v in s]
        if any_suppressed:
            notes.append(w("suppressed", lang, k=SMALL_CELL))
        return cls(out, caption=caption, notes=notes, numbers=numbers, lang=lang)

    # -- output -------------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        """The cells as published (text), with display headers."""
        return self.frame.copy()

    def title(self, number: int | None = None) -> str:
        """Caption with its number: ``表1 样本构成`` / ``Table 1. Sample``."""
        cap = self.caption or ""
        if number is None:
            return cap
        if self.lang == "zh":
            return f"{w('table', 'zh')}{number} {cap}".rstrip()
        return f"{w('table', 'en')}{number}. {cap}".rstrip()

    def note_text(self) -> str:
        """All notes in one line, after 注： / Note:, or '' without notes."""
        if not self.notes:
            return ""
        joined = "".join(self.notes) if self.lang == "zh" else " ".join(
            n.strip() for n in self.notes)
        return f"{w('note', self.lang)}{joined}"

    def to_html(self, number: int | None = None) -> str:
        """An HTML ``<table>`` with caption and notes (no external resources)."""
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in self.frame.columns)
        body = "".join(
            "<tr>" + "".join(
                ("<td class='num'>" if j else "<td>") + f"{html.escape(v)}</td>"
                for j, v in enumerate(row)) + "</tr>"
            for row in self.frame.itertuples(index=False, name=None))
        cap = self.title(number)
        caption = f"<caption>{html.escape(cap)}</caption>" if cap else ""
        note = self.note_text()
        foot = (f"<tfoot><tr><td colspan='{self.frame.shape[1]}' class='note'>"
                f"{html.escape(note)}</td></tr></tfoot>") if note else ""
        return (f"<table class='tk-table'>{caption}<thead><tr>{head}</tr></thead>"
                f"{foot}<tbody>{body}</tbody></table>")

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_latex(self, number: int | None = None) -> str:
        """A LaTeX ``table`` with booktabs rules, caption and notes."""

        def esc(text: object) -> str:
            out = str(text)
            for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"),
                         ("$", r"\$"), ("#", r"\#"), ("_", r"\_"), ("{", r"\{"),
                         ("}", r"\}"), ("~", r"\textasciitilde{}"), ("^", r"\^{}")):
                out = out.replace(a, b) if a != "\\" else out.replace(a, "\0")
            return out.replace("\0", r"\textbackslash{}")

        cols = "l" + "r" * (self.frame.shape[1] - 1)
        lines = [r"\begin{table}[htbp]", r"\centering"]
        if self.caption:
            lines.append(rf"\caption{{{esc(self.caption)}}}")
        lines += [rf"\begin{{tabular}}{{{cols}}}", r"\toprule",
                  " & ".join(esc(c) for c in self.frame.columns) + r" \\", r"\midrule"]
        lines += [" & ".join(esc(v) for v in row) + r" \\"
                  for row in self.frame.itertuples(index=False, name=None)]
        lines += [r"\bottomrule", r"\end{tabular}"]
        if self.notes:
            lines.append(rf"\par\footnotesize {esc(self.note_text())}")
        lines.append(r"\end{table}")
        return "\n".join(lines)

    def to_markdown(self, number: int | None = None) -> str:
        """A Markdown pipe table with its caption above and notes below."""

        def cell(v: object) -> str:
            return str(v).replace("|", "\\|").replace("\n", " ")

        head = "| " + " | ".join(cell(c) for c in self.frame.columns) + " |"
        rule = "|" + "|".join([":---"] + ["---:"] * (self.frame.shape[1] - 1)) + "|"
        rows = ["| " + " | ".join(cell(v) for v in row) + " |"
                for row in self.frame.itertuples(index=False, name=None)]
        parts = []
        cap = self.title(number)
        if cap:
            parts.append(f"**{cap}**\n")
        parts += [head, rule, *rows]
        if self.notes:
            parts.append(f"\n{self.note_text()}")
        return "\n".join(parts)

    def to_docx(self, path: str | Path) -> Path:
        """Write a Word document holding this table (numbered 表1 / Table 1)."""
        from toolkit.report._word import Block, write_docx

        return write_docx(path, title=self.caption or "", lang=self.lang, toc=False,
                          blocks=[Block("table", table=self, number=1)])

    def __repr__(self) -> str:
        cap = f" {self.caption!r}" if self.caption else ""
        return f"<Table{cap}: {self.frame.shape[0]} rows x {self.frame.shape[1]} columns>"
