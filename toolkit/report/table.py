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
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from toolkit._checks import check_choice
from toolkit.errors import ArgumentError
from toolkit.report._format import (
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
                 lang: Lang = "zh", disclosure: Problem | Sequence[Problem] | None = None,
                 style: NumberStyle | None = None) -> None:
        check_lang(lang)
        check_choice(style, ["percent", "proportion", "count", None], param="style")
        self.frame = frame.astype(object).where(frame.notna(), "").astype(str)
        self.caption = caption
        self.notes = [n for n in notes if n]
        self.numbers = numbers
        self.lang = lang
        self.style = style
        if disclosure is None:
            disclosure = []
        self._disclosure = list(disclosure) if isinstance(disclosure, list | tuple) else [
            disclosure]

    def with_notes(self, notes: Sequence[str] = (), *, caption: str | None = None) -> Table:
        """A copy with `notes` added after its own (and another caption, if given)."""
        return Table(self.frame, caption=caption or self.caption,
                     notes=[*self.notes, *notes], numbers=self.numbers, lang=self.lang,
                     style=self.style, disclosure=self._disclosure)

    def numeric_columns(self) -> list[bool]:
        """Which columns hold numbers (set right-aligned); the first column is the stub."""
        return [j > 0 and is_numeric_column(self.frame.iloc[:, j].tolist())
                for j in range(self.frame.shape[1])]

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
                   allow_personal: bool = False, shares: Sequence[str] = (),
                   style: NumberStyle | None = None) -> Table:
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

        Shares follow one style per table: columns named ``share`` or
        ``proportion`` and those listed in `shares` (shares of 1, e.g. rates and
        their confidence limits) are shown as percentages with one decimal and
        "（%）" in the header (``style="percent"``, the default), or as
        proportions with three decimals (``style="proportion"``); a ``percent``
        column follows the same style. In English, Chinese values take the
        codebook's English labels, common answer words, or for place names
        (``name``, ``town`` …) pinyin; a name without a label, or Chinese text
        without English, is shown as it is and one warning lists them.

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
        shares : list of str, optional
            Further columns holding shares of 1 (rates, their confidence limits).
        style : {"percent", "proportion", "count"}, optional
            How shares are shown (default: percentages when there are any).

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
        check_choice(style, ["percent", "proportion", "count", None], param="style")
        rule = as_rule(suppress)
        if isinstance(data, pd.Series):
            name = data.name
            if name is None:
                name = "n" if is_count_column("n", data) else "value"
            data = data.rename(name).to_frame()
        frame = data.reset_index() if not isinstance(data.index, pd.RangeIndex) else data
        frame.attrs = dict(getattr(data, "attrs", {}) or {})
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
        numbers = frame.copy()

        def share_cells(s: pd.Series, key: str) -> list[str]:
            scale = (100 if key in share_cols else 1) if style == "percent" else (
                1 if key in share_cols else 0.01)
            places = 1 if style == "percent" else 3
            return [fmt_num(v * scale if pd.notna(v) else v, places) for v in s]

        for col in frame.columns:
            if str(col) == "name_en" and names:
                continue  # English names: shown in place of the Chinese ones
            s = frame[col]
            key = str(col)
            head = labels.get(key) or log.header(col, header_label(col, lang, frame))
            as_share = key in share_cols or key in percent_cols
            if key in percent_cols and style == "proportion" and key not in labels:
                head = header_label("share", lang, frame)
            if as_share and style == "percent" and "%" not in head:
                head += "（%）" if lang == "zh" else " (%)"
            if col in status and not as_share:
                st = status[col]
                out[head] = [f"<{rule.k}" if x == PRIMARY else "—" if x != SHOWN
                             else fmt_count(v) for v, x in zip(s, st, strict=True)]
                numbers[col] = s.astype("Float64").mask(st != SHOWN)
                continue
            if col in stats:
                gone = follow.copy()
                if f"magnitude:{col}" in status:
                    gone |= status[f"magnitude:{col}"] != SHOWN
                text = share_cells(s, key) if as_share else _numeric_cells(s, col, digits)
                out[head] = ["—" if g and pd.notna(v) else t
                             for v, t, g in zip(s, text, gone, strict=True)]
                numbers[col] = s.astype("Float64").mask(gone) if gone.any() else s
                continue
            if pd.api.types.is_bool_dtype(s.dtype) or str(s.dtype) == "boolean":
                out[head] = [value_text("", v, lang) if pd.isna(v) else
                             w("yes" if v else "no", lang) for v in s]
            elif as_share and pd.api.types.is_numeric_dtype(s.dtype):
                out[head] = share_cells(s, key)
            elif pd.api.types.is_integer_dtype(s.dtype) or pd.api.types.is_float_dtype(s.dtype):
                out[head] = _numeric_cells(s, col, digits)
            elif pd.api.types.is_datetime64_any_dtype(s.dtype):
                out[head] = [f"{v:%Y-%m-%d}" if pd.notna(v) else "" for v in s]
            elif key in NAME_COLUMNS:  # variable names: their labels (codebook, schema)
                out[head] = ["" if (not isinstance(v, str) and pd.isna(v))
                             else log.header(v, header_label(v, lang, frame)) for v in s]
            else:
                out[head] = ["" if (not isinstance(v, str) and pd.isna(v))
                             else value_text(key, v, lang, frame=frame, log=log, names=names)
                             for v in s]
        for p in problems:
            for note in suppression_notes(p, lang):
                if note not in notes:
                    notes.append(note)
        if any(f"magnitude:{c}" in status and (status[f"magnitude:{c}"] == PRIMARY).any()
               for c in stats):
            notes.append(w("dominance", lang))
        log.warn()
        return cls(out, caption=caption, notes=notes, numbers=numbers, lang=lang,
                   disclosure=problems, style=style)

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
