"""The published table: formatted cells, the numbers behind them, caption and notes.

A :class:`Table` writes itself as HTML, LaTeX, Markdown and Word, and a
:class:`toolkit.report.Report` numbers it (表1, 表2 … / Table 1 …).
Conventions: thousands separators, fixed decimals, notes under the table
(``注：* p<0.05 …``), disclosure control of counts on by default (counts of 1–4
shown as ``<5``, further cells as ``—`` until an audit finds no hidden value
derivable, see :mod:`toolkit.report.disclosure`; ``suppress=False`` turns it
off), and personal columns (names, ID-card and phone numbers) never printed
unless ``allow_personal=True``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from toolkit.report._format import (
    Lang,
    check_lang,
    fmt_count,
    fmt_num,
    fmt_p,
    personal_columns,
    w,
)
from toolkit.report._labels import header_label, value_text
from toolkit.report.disclosure import (
    AUDIT_COLUMNS,
    PRIMARY,
    SHOWN,
    SuppressionRule,
    as_rule,
    is_count_column,
    protect_breakdown,
    suppression_notes,
)

if TYPE_CHECKING:
    from toolkit.report.disclosure import Problem

__all__ = ["Table"]


def _numeric_cells(s: pd.Series, col: object, digits: int) -> list[str]:
    """Cells of a numeric column: integers with separators, floats with `digits`."""
    if pd.api.types.is_integer_dtype(s.dtype):
        return [fmt_count(v) for v in s]
    p_like = str(col) in {"p_value", "p"}
    return [fmt_p(v) if p_like else fmt_num(v, digits) for v in s]


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
    disclosure : optional
        The suppression problem(s) the table was protected with (set by the
        table builders; :meth:`audit` solves them again).

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
                 lang: Lang = "zh", disclosure: Problem | Sequence[Problem] | None = None,
                 ) -> None:
        check_lang(lang)
        self.frame = frame.astype(object).where(frame.notna(), "").astype(str)
        self.caption = caption
        self.notes = [n for n in notes if n]
        self.numbers = numbers
        self.lang = lang
        if disclosure is None:
            disclosure = []
        self._disclosure = list(disclosure) if isinstance(disclosure, list | tuple) else [
            disclosure]

    def audit(self) -> pd.DataFrame:
        """The interval audit of the table's suppressed cells.

        For every hidden value, the smallest (``low``) and largest (``high``)
        value it can take given everything the table publishes, solved by
        linear programming, and whether that is wide enough for the rule
        (``protected``). The hidden values themselves are not shown.

        Returns
        -------
        pandas.DataFrame
            Columns ``cell`` (the builder's key of the cell), ``label`` (the
            name of an unprinted total), ``kind`` (count, share, sum,
            magnitude), ``status`` (primary or secondary), ``printed``,
            ``low``, ``high``, ``protected``; no rows for a table without
            suppressed cells.

        Examples
        --------
        >>> s = pd.DataFrame({"platform": ["微信群"] * 12 + ["居民议事会"] * 9,
        ...                   "consensus": [True] * 7 + [False] * 5 + [True] * 8 + [False]})
        >>> t = tk.report.crosstab_table(tk.stats.Design(s).crosstab("platform", "consensus"))
        >>> bool(t.audit()["protected"].all())
        True
        """
        frames = [p.audit() for p in self._disclosure]
        if not frames:
            return pd.DataFrame(columns=AUDIT_COLUMNS)
        return pd.concat(frames, ignore_index=True)

    @classmethod
    def from_frame(cls, data: pd.DataFrame | pd.Series, *, caption: str | None = None,
                   notes: Sequence[str] = (), digits: int = 2,
                   suppress: bool | SuppressionRule = True,
                   labels: Mapping[str, str] | None = None, lang: Lang = "zh",
                   by: Sequence[str] | None = None,
                   contributions: pd.DataFrame | None = None,
                   allow_personal: bool = False) -> Table:
        """Format any DataFrame (or a ``groupby().size()`` Series) for publication.

        Personal columns (``tk.io.find_personal``) are removed, with a note,
        unless `allow_personal`; canonical column names become labels;
        vocabulary values are shown in `lang`; integers get thousands
        separators and floats `digits` decimals.

        Count columns — a count header (``n``, ``count``, ``size``, ``n_*``,
        频数, 人数, 人次, 参与人数, 样本量 …) holding non-negative whole numbers,
        integer or float, and the output of ``groupby().size()`` — are protected
        by the disclosure rule: counts of 1–4 shown as ``<5``, and further
        counts as ``—`` until no hidden count can be derived from the others
        and the table's margins (see `by`). The other numbers of a row whose
        size is hidden — its percentage, mean, estimate … — are hidden with it
        (the size is the column ``n``, ``count``, ``size``, 样本量 … or else the
        first count column).

        Parameters
        ----------
        data : pandas.DataFrame or pandas.Series
            The table; an index that is not a plain range becomes columns.
        caption : str, optional
            Title of the table.
        notes : list of str, optional
            Notes printed under the table.
        digits : int, default 2
            Decimals of floats.
        suppress : bool or SuppressionRule, default True
            Disclosure control (``tk.report.SuppressionRule``; True is the
            default rule, False publishes every count).
        labels : dict, optional
            Column → header label.
        lang : {"zh", "en"}, default "zh"
            Language of labels and notes.
        by : list of str, optional
            Columns whose values split the counts into parts of a whole
            (default: the text, categorical and yes/no columns). The margins
            over them are treated as known whether printed or not (a row whose
            key is 合计/总计/Total is the printed margin), so that no hidden
            count follows from a total stated elsewhere. ``by=[]`` when the
            rows are not parts of one whole.
        contributions : pandas.DataFrame, optional
            The rows that the magnitude columns of `data` sum or average,
            with the `by` columns: a magnitude of fewer than ``k``
            contributors, or failing the rule's ``dominance``, is hidden (and
            others so that it cannot be derived).
        allow_personal : bool, default False
            Keep columns that hold personal data.

        Returns
        -------
        Table

        Examples
        --------
        >>> size = pd.DataFrame({"platform": ["微信群"] * 12 + ["居民议事会"] * 9
        ...                                   + ["项目听证会"] * 3}
        ...                     ).groupby("platform", sort=False).size()
        >>> tk.report.Table.from_frame(size).to_frame()
            协商平台 样本量
        0    微信群  12
        1  居民议事会   —
        2  项目听证会  <5

        The total (24) may be stated in the text, so 9 is hidden too.
        """
        check_lang(lang)
        rule = as_rule(suppress)
        if isinstance(data, pd.Series):
            name = data.name
            if name is None:
                name = "n" if is_count_column("n", data) else "value"
            data = data.rename(name).to_frame()
        frame = data.reset_index() if not isinstance(data.index, pd.RangeIndex) else data
        notes = list(notes)
        personal = {} if allow_personal else personal_columns(frame)
        if personal:
            frame = frame.drop(columns=list(personal))
            notes.append(w("personal_dropped", lang,
                           cols="、".join(map(str, personal)) if lang == "zh"
                           else ", ".join(map(str, personal))))
        frame = frame.reset_index(drop=True)
        labels = dict(labels or {})
        counts = [c for c in frame.columns if is_count_column(c, frame[c])]
        if by is not None:
            missing = [b for b in by if b not in frame.columns]
            if missing:
                from toolkit._checks import require_columns

                require_columns(frame, {"by": list(by)})
        keys = set(by) if by is not None else set()
        stats = [c for c in frame.columns if c not in counts and c not in keys
                 and pd.api.types.is_numeric_dtype(frame[c].dtype)
                 and not pd.api.types.is_bool_dtype(frame[c].dtype)]
        def margin_name(col: object, pairs: list[tuple[str, Any]]) -> str:
            head = labels.get(str(col), header_label(col, lang))
            where = "／".join(value_text(str(k), v, lang) for k, v in pairs)
            if lang == "zh":
                return f"{where}的{head}合计" if where else f"{head}总计"
            return f"total {head} of {where}" if where else f"grand total {head}"

        status: dict[str, Any] = {}
        follow = np.zeros(len(frame), dtype=bool)
        problems = []
        if rule is not None and counts:
            found = protect_breakdown(frame, counts, by, rule, contributions=contributions,
                                      magnitudes=stats, margin_name=margin_name)
            status = dict(found.status)
            follow = found.rows_hidden
            problems = found.problems
            status.update({f"magnitude:{k}": v for k, v in found.magnitudes.items()})
        elif rule is not None and contributions is not None and stats:
            found = protect_breakdown(frame, [], by, rule, contributions=contributions,
                                      magnitudes=stats, margin_name=margin_name)
            problems = found.problems
            status.update({f"magnitude:{k}": v for k, v in found.magnitudes.items()})
        out = pd.DataFrame(index=range(len(frame)))
        numbers = frame.copy()
        for col in frame.columns:
            s = frame[col]
            head = labels.get(str(col), header_label(col, lang))
            if col in status:
                st = status[col]
                out[head] = [f"<{rule.k}" if x == PRIMARY else "—" if x != SHOWN
                             else fmt_count(v) for v, x in zip(s, st, strict=True)]
                numbers[col] = s.astype("Float64").mask(st != SHOWN)
                continue
            if col in stats:
                gone = follow.copy()
                if f"magnitude:{col}" in status:
                    gone |= status[f"magnitude:{col}"] != SHOWN
                text = _numeric_cells(s, col, digits)
                out[head] = ["—" if g and pd.notna(v) else t
                             for v, t, g in zip(s, text, gone, strict=True)]
                numbers[col] = s.astype("Float64").mask(gone) if gone.any() else s
                continue
            if pd.api.types.is_bool_dtype(s.dtype) or str(s.dtype) == "boolean":
                out[head] = [value_text("", v, lang) if pd.isna(v) else
                             w("yes" if v else "no", lang) for v in s]
            elif pd.api.types.is_integer_dtype(s.dtype) or pd.api.types.is_float_dtype(s.dtype):
                out[head] = _numeric_cells(s, col, digits)
            elif pd.api.types.is_datetime64_any_dtype(s.dtype):
                out[head] = [f"{v:%Y-%m-%d}" if pd.notna(v) else "" for v in s]
            else:
                out[head] = ["" if (not isinstance(v, str) and pd.isna(v))
                             else value_text(str(col), v, lang) for v in s]
        for p in problems:
            for note in suppression_notes(p, lang):
                if note not in notes:
                    notes.append(note)
        if any(f"magnitude:{c}" in status and (status[f"magnitude:{c}"] == PRIMARY).any()
               for c in stats):
            notes.append(w("dominance", lang))
        return cls(out, caption=caption, notes=notes, numbers=numbers, lang=lang,
                   disclosure=problems)

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
