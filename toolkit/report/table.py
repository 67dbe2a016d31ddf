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
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

import pandas as pd

from toolkit._checks import check_choice
from toolkit.errors import ArgumentError
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
from toolkit.report._labels import LabelLog, header_label, value_text
from toolkit.report._layout import is_numeric_column, text_em

__all__ = ["TABLE_CSS", "Table"]

#: How a table shows shares: as percentages, as proportions, or it holds counts only.
NumberStyle = Literal["percent", "proportion", "count"]

#: Columns that hold shares of 1 without being declared (``shares=``).
SHARE_COLUMNS = frozenset({"share", "proportion", "prop"})
#: Columns whose values are names of variables (``tk.stats.change`` items …): shown by label.
NAME_COLUMNS = frozenset({"item", "variable"})
#: Columns that hold percentages (0 to 100).
PERCENT_COLUMNS = frozenset({"percent", "pct"})

#: Styles of published tables in HTML: three rules, text left, numbers right on their
#: last digit (tabular figures; stars, % and brackets hang to the right), the note
#: under the bottom rule and no wider than the table.
TABLE_CSS = """
div.tk-table{display:table;margin:1em auto;border-collapse:collapse}
div.tk-table>p.tk-note{display:table-caption;caption-side:bottom;font-size:.85em;color:#444;
text-align:left;margin:.3em 0 0 0;line-height:1.45}
table.tk-table{border-collapse:collapse;border-top:2px solid #000;border-bottom:2px solid #000;
font-variant-numeric:tabular-nums lining-nums}
table.tk-table caption{font-weight:bold;padding:.3em;caption-side:top;text-align:center}
table.tk-table caption.continued{display:none}
table.tk-table thead th{border-bottom:1px solid #000;padding:.25em .7em;vertical-align:bottom;
word-break:keep-all}
table.tk-table th.text,table.tk-table td.text{text-align:left}
table.tk-table th.num{text-align:center}
table.tk-table td{padding:.2em .7em;vertical-align:top}
table.tk-table td.text{white-space:pre-wrap}
table.tk-table td.num{text-align:right;white-space:nowrap}
table.tk-table td.num span.tail{display:inline-block;text-align:left}
"""

#: The part of a number cell after its last digit: stars, %, closing brackets.
_TAIL = re.compile(r"^(.*\d)(\D*)$", re.S)


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
    style : {"percent", "proportion", "count"}, optional
        The one way the table shows shares: percentages, proportions, or only
        counts (see :meth:`from_frame`).

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
                 lang: Lang = "zh", style: NumberStyle | None = None) -> None:
        check_lang(lang)
        check_choice(style, ["percent", "proportion", "count", None], param="style")
        self.frame = frame.astype(object).where(frame.notna(), "").astype(str)
        self.caption = caption
        self.notes = [n for n in notes if n]
        self.numbers = numbers
        self.lang = lang
        self.style = style

    def with_notes(self, notes: Sequence[str] = (), *, caption: str | None = None) -> Table:
        """A copy with `notes` added after its own (and another caption, if given)."""
        return Table(self.frame, caption=caption or self.caption,
                     notes=[*self.notes, *notes], numbers=self.numbers, lang=self.lang,
                     style=self.style)

    def numeric_columns(self) -> list[bool]:
        """Which columns hold numbers (set right-aligned); the first column is the stub."""
        return [j > 0 and is_numeric_column(self.frame.iloc[:, j].tolist())
                for j in range(self.frame.shape[1])]

    @classmethod
    def from_frame(cls, data: pd.DataFrame, *, caption: str | None = None,
                   notes: Sequence[str] = (), digits: int = 2, suppress: bool = True,
                   labels: Mapping[str, str] | None = None, lang: Lang = "zh",
                   shares: Sequence[str] = (), style: NumberStyle | None = None) -> Table:
        """Format any DataFrame for publication.

        Personal columns are removed (and a note says so); column names become
        labels (result columns, the codebook in ``data.attrs``, the schema);
        vocabulary values are shown in `lang`; integers get thousands
        separators and floats `digits` decimals; count columns (``n``,
        ``count``, ``n_*``) have cells of 1–4 shown as ``<5`` unless `suppress`
        is False.

        Shares follow one style per table: columns named ``share`` or
        ``proportion`` and those listed in `shares` (shares of 1, e.g. rates and
        their confidence limits) are shown as percentages with one decimal and
        "（%）" in the header (``style="percent"``, the default), or as
        proportions with three decimals (``style="proportion"``); a ``percent``
        column follows the same style. In English, Chinese values take the
        codebook's English labels, common answer words, or for place names
        (``name``, ``town`` …) pinyin; a name without a label, or Chinese text
        without English, is shown as it is and one warning lists them.
        """
        check_lang(lang)
        check_choice(style, ["percent", "proportion", "count", None], param="style")
        frame = data.reset_index() if not isinstance(data.index, pd.RangeIndex) else data
        frame.attrs = dict(getattr(data, "attrs", {}) or {})
        notes = list(notes)
        personal = personal_columns(frame)
        if personal:
            frame = frame.drop(columns=list(personal))
            notes.append(w("personal_dropped", lang,
                           cols="、".join(map(str, personal)) if lang == "zh"
                           else ", ".join(map(str, personal))))
        labels = dict(labels or {})
        missing = [c for c in shares if c not in frame.columns]
        if missing:
            msg = (f"`shares` names column(s) {missing} that the table does not have; its "
                   f"columns are {list(map(str, frame.columns))}.")
            raise ArgumentError(msg)
        share_cols = {str(c) for c in shares} | {str(c) for c in frame.columns
                                                  if str(c) in SHARE_COLUMNS}
        percent_cols = {str(c) for c in frame.columns if str(c) in PERCENT_COLUMNS}
        if style == "count" and (share_cols or percent_cols):
            msg = (f"`style='count'` for a table with shares or percentages "
                   f"({sorted(share_cols | percent_cols)}); use 'percent' or 'proportion'.")
            raise ArgumentError(msg)
        if style is None and (share_cols or percent_cols):
            style = "percent"
        names = _english_names(frame) if lang == "en" else {}
        log = LabelLog(lang, f"table{f' “{caption}”' if caption else ''}")
        out = pd.DataFrame(index=range(len(frame)))
        numbers = frame.reset_index(drop=True).copy()
        any_suppressed = False
        for col in frame.columns:
            if str(col) == "name_en" and names:
                continue  # English names: shown in place of the Chinese ones
            s = frame[col].reset_index(drop=True)
            key = str(col)
            head = labels.get(key) or log.header(col, header_label(col, lang, frame))
            as_share = key in share_cols or key in percent_cols
            if key in percent_cols and style == "proportion" and key not in labels:
                head = header_label("share", lang, frame)
            if as_share and style == "percent" and "%" not in head:
                head += "（%）" if lang == "zh" else " (%)"
            if is_count_column(col, s) and not as_share:
                small = s.map(lambda v: hidden(v, suppress)).astype(bool)
                any_suppressed |= bool(small.any())
                out[head] = [f"<{SMALL_CELL}" if h else fmt_count(v)
                             for v, h in zip(s, small, strict=True)]
                numbers[col] = s.astype("Float64").mask(small)
            elif pd.api.types.is_bool_dtype(s.dtype) or str(s.dtype) == "boolean":
                out[head] = [value_text("", v, lang) if pd.isna(v) else
                             w("yes" if v else "no", lang) for v in s]
            elif as_share and pd.api.types.is_numeric_dtype(s.dtype):
                scale = (100 if key in share_cols else 1) if style == "percent" else (
                    1 if key in share_cols else 0.01)
                places = 1 if style == "percent" else 3
                out[head] = [fmt_num(v * scale if pd.notna(v) else v, places) for v in s]
            elif pd.api.types.is_integer_dtype(s.dtype):
                out[head] = [fmt_count(v) for v in s]
            elif pd.api.types.is_float_dtype(s.dtype):
                p_like = key in {"p_value", "p"}
                out[head] = [fmt_p(v) if p_like else fmt_num(v, digits) for v in s]
            elif pd.api.types.is_datetime64_any_dtype(s.dtype):
                out[head] = [f"{v:%Y-%m-%d}" if pd.notna(v) else "" for v in s]
            elif key in NAME_COLUMNS:  # variable names: their labels (codebook, schema)
                out[head] = ["" if (not isinstance(v, str) and pd.isna(v))
                             else log.header(v, header_label(v, lang, frame)) for v in s]
            else:
                out[head] = ["" if (not isinstance(v, str) and pd.isna(v))
                             else value_text(key, v, lang, frame=frame, log=log, names=names)
                             for v in s]
        if any_suppressed:
            notes.append(w("suppressed", lang, k=SMALL_CELL))
        log.warn()
        return cls(out, caption=caption, notes=notes, numbers=numbers, lang=lang, style=style)

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
        """An HTML table with caption and notes (no external resources; see :data:`TABLE_CSS`).

        Text columns are left-aligned; number columns right-aligned on their
        last digit, with stars, % signs and closing brackets hanging to the
        right, so that equal decimals line up; the note sits under the bottom
        rule, as wide as the table.
        """
        numeric = self.numeric_columns()
        kinds = ["num" if n else "text" for n in numeric]
        head = "".join(f"<th class='{k}'>{html.escape(str(c))}</th>"
                       for c, k in zip(self.frame.columns, kinds, strict=True))
        tails = [max((text_em(_split_tail(v)[1]) for v in self.frame.iloc[:, j]), default=0)
                 if numeric[j] else 0 for j in range(self.frame.shape[1])]
        # a number column under a wider header: its block of numbers centred under it
        insets = [max(0.0, (text_em(str(c), bold=True) - max(
            (text_em(v) for v in self.frame.iloc[:, j]), default=0)) / 2) if numeric[j] else 0
            for j, c in enumerate(self.frame.columns)]
        body = "".join(
            "<tr>" + "".join(_html_cell(v, kinds[j], tails[j], insets[j])
                             for j, v in enumerate(row))
            + "</tr>" for row in self.frame.itertuples(index=False, name=None))
        cap = self.title(number)
        caption = f"<caption>{html.escape(cap)}</caption>" if cap else ""
        note = self.note_text()
        foot = f"<p class='tk-note'>{html.escape(note)}</p>" if note else ""
        return (f"<div class='tk-table'><table class='tk-table'>{caption}<thead><tr>{head}"
                f"</tr></thead><tbody>{body}</tbody></table>{foot}</div>")

    def _repr_html_(self) -> str:
        return f"<style>{TABLE_CSS}</style>{self.to_html()}"

    def to_latex(self, number: int | None = None) -> str:
        """A LaTeX ``table`` with booktabs rules, caption and notes."""

        def esc(text: object) -> str:
            out = str(text)
            for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"),
                         ("$", r"\$"), ("#", r"\#"), ("_", r"\_"), ("{", r"\{"),
                         ("}", r"\}"), ("~", r"\textasciitilde{}"), ("^", r"\^{}")):
                out = out.replace(a, b) if a != "\\" else out.replace(a, "\0")
            return out.replace("\0", r"\textbackslash{}")

        cols = "".join("r" if n else "l" for n in self.numeric_columns())
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
        rule = "|" + "|".join("---:" if n else ":---" for n in self.numeric_columns()) + "|"
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


def _split_tail(text: str) -> tuple[str, str]:
    """A number cell as (up to its last digit, the rest): ``0.569***`` → ``0.569``, ``***``."""
    m = _TAIL.match(str(text))
    return (m.group(1), m.group(2)) if m else (str(text), "")


def _html_cell(value: str, kind: str, tail_em: float, inset_em: float) -> str:
    style = f" style='padding-right:{0.7 + inset_em:.2f}em'" if inset_em > 0.05 else ""
    if kind != "num" or not tail_em or not value:
        return f"<td class='{kind}'{style}>{html.escape(value)}</td>"
    body, tail = _split_tail(value)
    if not re.search(r"\d", value):  # "—" …: right-aligned with the digits
        body, tail = value, ""
    return (f"<td class='num'{style}>{html.escape(body)}<span class='tail' "
            f"style='width:{tail_em:.2f}em'>{html.escape(tail)}</span></td>")


def _english_names(frame: pd.DataFrame) -> dict[str, str]:
    """Chinese name → English name from a ``name_en`` column beside ``name``."""
    if "name_en" not in frame.columns or "name" not in frame.columns:
        return {}
    pairs = frame[["name", "name_en"]].dropna()
    return dict(zip(pairs["name"].astype(str), pairs["name_en"].astype(str), strict=True))
