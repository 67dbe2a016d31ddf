"""Raw reading of Excel ledgers as offices keep them.

A district ledger is rarely a clean table. Above the header sit one or two banner
rows (``XX街道2023年基层协商活动台账``, ``填报单位：… 日期：…``); the header has one
or two rows with merged cells (``协商情况`` spanning ``协商平台 | 协商轮次 |
是否达成共识``); the data have town names merged down over several rows; and below
the data come blank rows, ``合计`` rows and a signature footer (``填表人：张三
审核人：李四``). :func:`read_excel_raw` finds each part, returns only the data rows
under flat string headers, and records everything else in a :class:`LoadRecord`.

Cells are read with python-calamine (fast, and it reports merged-cell ranges of
``.xlsx`` and ``.xls`` files). Typing beyond what Excel stored is left to the value
normaliser of :func:`toolkit.io.read_table`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit._checks import close_matches
from toolkit.errors import ReadError
from toolkit.io.digits import (
    LOST_DIGITS_FIX,
    LOST_DIGITS_FIX_ZH,
    lost_digits,
    shown_number,
    suspect_cells,
)
from toolkit.io.layout import TOTAL_PATTERN
from toolkit.io.record import LoadRecord

__all__ = ["read_excel_raw"]

#: First words of signature/footer lines below a ledger (``填表人：张三`` …).
_FOOTER_WORDS = (
    "填表人", "填报人", "制表人", "审核人", "审批人", "复核人", "核对人", "统计人",
    "单位负责人", "负责人", "分管领导", "主管领导", "经办人", "联系人", "联系电话",
    "填表日期", "填报日期", "制表日期", "报送日期", "统计日期", "签字", "签名", "盖章",
    "单位盖章", "注", "备注", "说明", "附注",
)
_FOOTER = re.compile(r"^(" + "|".join(_FOOTER_WORDS) + r")(?=\s*[:：]|\s|$)")
#: Total rows: the first cell is ``合计``, ``小计`` … (possibly ``合计（12场）``).
_TOTAL = TOTAL_PATTERN
#: A banner line of the form ``填报单位：XX街道``.
#: First characters of the words above: rows starting otherwise skip the patterns.
_FIRST_CHARS = frozenset(w[0] for w in (*_FOOTER_WORDS, "合计", "总计", "小计", "累计", "共计"))
_KEY_VALUE = re.compile(r"^[^:：]{1,15}[:：]")
_NEWLINE = re.compile(r"\s*[\r\n]+\s*")


def read_excel_raw(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    header_rows: int | None = None,
) -> tuple[pd.DataFrame, LoadRecord]:
    """Read the data rows of one Excel sheet, setting banner, header and footer aside.

    The sheet is read as the office laid it out: banner rows above the header are
    noted, a header of one or two rows (merged cells included) is flattened into
    string column names, rows that are not data (blank rows, ``合计``/``小计`` rows,
    repeated header rows, signature footers) are set aside with the reason, and
    values merged down over several data rows are filled into every row they cover.

    Parameters
    ----------
    path : str or pathlib.Path
        An ``.xlsx``, ``.xlsm`` or ``.xls`` file (paths with Chinese characters work).
    sheet : str or int, optional
        Sheet name, or 0-based sheet index. The first sheet when omitted.
    header_rows : int, optional
        Number of header rows. Detected when omitted (1, or 2 for a header with a
        merged parent row); give it when the detection guesses wrong.

    Returns
    -------
    data : pandas.DataFrame
        The data rows, with string column names and a RangeIndex. Two-row headers
        are flattened as ``上级_下级`` (``协商情况_协商平台``); a column merged down
        over both header rows keeps its single name. Numbers stay numbers (whole
        numbers as ``int64``, or ``Int64`` when some are missing), Excel dates
        stay dates (``datetime64`` for a column of dates, ``datetime`` objects in a
        mixed column), empty cells are missing; text is not otherwise changed.
    record : LoadRecord
        ``file``, ``sheet``, ``header_rows``, ``first_data_row`` (Excel row number
        of the first row below the header), ``rows_read`` (rows from there to the
        last non-empty row of the sheet, blank and footer rows included),
        ``rows_kept``, ``row_numbers`` (Excel row number of each kept row),
        ``rows_set_aside`` (``row, reason, values``), ``coercions`` (merged cells
        filled), ``problems`` (Excel error cells in kept rows) and ``notes``
        (banner text, header rows, dropped blank columns, header fixes). Whole
        numbers in a mixed column are ints, so ``str()`` never shows ``2.0``.

    Raises
    ------
    FileNotFoundError
        When `path` does not exist.
    toolkit.errors.ReadError
        When the file is not a readable workbook, or `sheet` names no sheet (the
        message lists the sheets and suggests the closest name).
    ValueError
        When `header_rows` is not a positive integer.

    Notes
    -----
    Detection rules, applied to the cells as stored (a merged range holds its value
    in its top-left cell only):

    - *Header*: the first non-blank row with at least two filled cells that cover
      at least half of the table's columns (merged ranges counted by their width),
      mostly text, and not all of the form ``键：值``. Non-blank rows above it are
      banner rows; their text goes to ``notes``.
    - *Second header row*: the next row is all text and either sits under a cell of
      the first row merged across columns, or under a first row whose other cells
      are merged down over both rows, or (without merges) fills the gaps of the first
      row while leaving some of its columns empty, above a row holding a number or
      a date under one of its cells.
    - *Set aside*: blank rows; rows whose first cell is ``合计``, ``总计``, ``小计``,
      ``累计`` or ``共计``; rows repeating the header; sparse rows starting with a
      signature word (``填表人``, ``审核人``, ``制表日期``, ``注`` …) followed by
      ``：``; rows of one text cell merged across at least half of the table
      (section headings such as ``一、东城街道``); and rows of one cell below a
      blank, total or footer row at the end.
    - *Merged data cells*: the value of a range merged down is filled into each row
      it covers (recorded as a coercion of that column). Ranges merged across
      columns keep the value in their first column only (noted).
    - Columns with neither a header nor any data value are dropped (noted); a column
      with data but no header is named ``column_<letter>`` (noted).
    - Formulas are read as the values Excel last computed. Error cells (``#N/A``,
      ``#DIV/0!`` …) are read as empty; in ``.xlsx`` files each is noted and, in a
      kept row, reported in ``record.problems`` (check ``excel_error``).

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> from pathlib import Path
    >>> wb = openpyxl.Workbook()
    >>> ws = wb.active
    >>> ws.append(["XX街道2023年基层协商活动台账"])
    >>> ws.merge_cells("A1:C1")
    >>> ws.append(["活动编号", "协商平台", "协商轮次"])
    >>> ws.append(["S001", "居民议事会", 2])
    >>> ws.append(["填表人：张三"])
    >>> path = Path(tempfile.mkdtemp()) / "台账.xlsx"
    >>> wb.save(path)
    >>> df, rec = read_excel_raw(path)
    >>> df
      活动编号   协商平台  协商轮次
    0  S001  居民议事会     2
    >>> rec.row_numbers, rec.rows_set_aside["reason"].tolist()
    ([3], ['footer: 填表人'])
    >>> rec.notes[0]
    'banner (row 1): XX街道2023年基层协商活动台账'
    """
    if header_rows is not None and (
        isinstance(header_rows, bool) or not isinstance(header_rows, int) or header_rows < 1
    ):
        msg = f"`header_rows` must be a positive integer (1 or 2), not {header_rows!r}."
        raise ValueError(msg)
    file = Path(path)
    if not file.exists():
        msg = f"No such file: {str(path)!r}. Check the path passed as `path`."
        raise FileNotFoundError(msg)
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(file))
    except python_calamine.CalamineError as exc:
        msg = (f"Cannot read {file.name!r} as an Excel workbook ({exc}). Save it from "
               "Excel as .xlsx and try again.")
        raise ReadError(msg) from exc
    try:
        sheets = _sheet_list(workbook)
        if sheet is None:
            name, cells, index, why = _first_data_sheet(workbook, sheets, file)
        else:
            name, worksheet = _select_sheet(workbook, sheet, file)
            index = [n for n, _ in sheets].index(name)
            cells = _Sheet(worksheet.to_python(skip_empty_area=False),
                           worksheet.merged_cell_ranges or [])
            why = "given as `sheet`"
    except python_calamine.CalamineError as exc:
        msg = (f"Cannot read {file.name!r} as an Excel workbook ({exc}). Save it from "
               "Excel as .xlsx and try again.")
        raise ReadError(msg) from exc
    finally:
        workbook.close()
    record = LoadRecord(file=str(path), sheet=name)
    record.sheets = [n for n, _ in sheets]
    data = cells.parse(record, header_rows=header_rows)
    if len(sheets) > 1 or sheets[index][1] != "visible":
        others = ", ".join(f"{n!r}" + ("" if state == "visible" else f" ({state})")
                           for n, state in sheets if n != name) or "none"
        hidden = "" if sheets[index][1] == "visible" else f" ({sheets[index][1]})"
        record.notes.append(f"sheet {name!r}{hidden} read ({why}); other sheets: {others}")
    cells.report_long_numbers(data, record)
    if file.suffix.lower() in (".xlsx", ".xlsm"):
        errors, formulas = _error_cells(file, index)
        if errors:
            cells.report_errors(errors, record)
        if formulas:
            cells.report_formulas(formulas, record)
    return data, record


#: Sheet names of instructions rather than data (说明, 填表说明, 封面 …).
_NOTES_SHEET = re.compile(r"说明|封面|目录|注意事项|填表须知|指标解释|readme|instruction|^notes?$",
                          re.IGNORECASE)


def _sheet_list(workbook: Any) -> list[tuple[str, str]]:
    """(name, "visible" | "hidden" | "very hidden") of every worksheet, in order."""
    out = []
    for meta in workbook.sheets_metadata:
        state = str(meta.visible).rsplit(".", 1)[-1].lower()
        state = {"veryhidden": "very hidden"}.get(state, state)
        out.append((meta.name, state))
    return out


def _first_data_sheet(
    workbook: Any, sheets: list[tuple[str, str]], file: Path
) -> tuple[str, _Sheet, int, str]:
    """The sheet Excel shows first that holds a table: (name, cells, index, why).

    Hidden sheets are skipped, and so are sheets of notes (named 说明, 填表说明,
    封面 …, or holding a single column of text). Raises when no sheet holds a table.
    """
    names = [n for n, _ in sheets]
    order = [i for i, (_, state) in enumerate(sheets) if state == "visible"] or \
        list(range(len(sheets)))
    skipped: list[str] = []
    first_cells = None
    for i in order:
        worksheet = workbook.get_sheet_by_index(i)
        cells = _Sheet(worksheet.to_python(skip_empty_area=False),
                       worksheet.merged_cell_ranges or [])
        if first_cells is None:
            first_cells = (i, cells)
        notes_name = bool(_NOTES_SHEET.search(names[i]))
        if notes_name or cells.used_width() < 2:
            why = "its name says it holds notes" if notes_name else \
                ("it is empty" if cells.used_width() == 0 else "it holds one column of text")
            skipped.append(f"{names[i]!r} ({why})")
            continue
        if skipped:
            why = f"the first visible sheet that holds a table; skipped {', '.join(skipped)}"
        elif i != 0:
            why = "the first visible sheet; hidden sheets are not read unless named"
        else:
            why = "the first sheet"
        return names[i], cells, i, why
    if len(sheets) == 1 and first_cells is not None:
        return names[0], first_cells[1], 0, "the only sheet"
    listing = ", ".join(f"{n!r}" + ("" if st == "visible" else f" ({st})") for n, st in sheets)
    msg = (f"No sheet of {file.name!r} holds a table: {', '.join(skipped) or listing}. The "
           f"workbook has sheets {listing}; pass the one holding the data as `sheet=` "
           "(name or 0-based index).")
    raise ReadError(msg)


def _select_sheet(workbook: Any, sheet: str | int | None, file: Path) -> tuple[str, Any]:
    names = list(workbook.sheet_names)
    listing = ", ".join(repr(n) for n in names)
    if sheet is None:
        sheet = 0
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if not 0 <= sheet < len(names):
            msg = (f"Sheet index {sheet} is out of range in {file.name!r}, which has "
                   f"{len(names)} sheet(s): {listing}. Pass `sheet=` as a 0-based index "
                   "or a sheet name.")
            raise ReadError(msg)
        return names[sheet], workbook.get_sheet_by_index(sheet)
    if isinstance(sheet, str):
        if sheet in names:
            return sheet, workbook.get_sheet_by_name(sheet)
        stripped = {n.strip(): n for n in names}
        close = close_matches(sheet.strip(), stripped, n=3, cutoff=0.4)
        hint = f" Did you mean {stripped[close[0]]!r}?" if close else ""
        msg = (f"Sheet {sheet!r} not found in {file.name!r}.{hint} The workbook has "
               f"sheets: {listing}. Pass one of them as `sheet=` (name or 0-based index).")
        raise ReadError(msg)
    msg = f"`sheet` must be a sheet name or a 0-based index, not {sheet!r}."
    raise ReadError(msg)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _cell_text(value: object) -> str:
    """Text of a cell as Excel shows it (whole numbers without ``.0``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time(0) else str(value.date())
    return str(value)


def _is_cjk(char: str) -> bool:
    return ord(char) > 0x2E7F


def _clean_header(value: object) -> str:
    text = _cell_text(value).strip()

    def join(match: re.Match) -> str:
        before = text[match.start() - 1] if match.start() else ""
        after = text[match.end()] if match.end() < len(text) else ""
        return "" if before and after and _is_cjk(before) and _is_cjk(after) else " "

    return _NEWLINE.sub(join, text)


class _Sheet:
    """The cells of one sheet, column-wise, with the helpers of the layout rules."""

    def __init__(self, grid: list[list[Any]], merges: list) -> None:
        self.n_rows = len(grid)
        width = max((len(r) for r in grid), default=0)
        if any(len(r) != width for r in grid):
            grid = [list(r) + [""] * (width - len(r)) for r in grid]
        self.width = width
        cells = np.empty((self.n_rows, width), dtype=object)
        if self.n_rows and width:
            cells[:] = grid
        self.cells = cells  # row-major, as Excel lays it out
        self.filled = (cells != "").T if width else np.zeros((0, self.n_rows), dtype=bool)
        # a merged range may reach past the last row or column holding a value
        # (header cells merged across empty columns): keep the part inside the sheet
        inside = [((int(r0), int(c0), int(r1), int(c1)))
                  for (r0, c0), (r1, c1) in merges if int(r0) < self.n_rows and int(c0) < width]
        self.merges = [(r0, c0, min(r1, self.n_rows - 1), min(c1, width - 1))
                       for r0, c0, r1, c1 in inside]
        self.merges_as_written = inside
        self.names: dict[int, str] = {}

    def used_width(self) -> int:
        """Number of columns holding at least one value."""
        return int(self.filled.any(axis=1).sum()) if self.width else 0

    # -- small helpers -------------------------------------------------------
    def value(self, row: int, col: int) -> object:
        return self.cells[row, col]

    def anchors(self, row: int) -> list[int]:
        return np.flatnonzero(self.filled[:, row]).tolist()

    def row_text(self, row: int) -> str:
        return " | ".join(_cell_text(self.value(row, c)).strip() for c in self.anchors(row))

    def is_blank(self, row: int) -> bool:
        return all(
            isinstance(v, str) and not v.strip()
            for v in (self.value(row, c) for c in self.anchors(row))
        )

    # -- layout --------------------------------------------------------------
    def parse(self, record: LoadRecord, *, header_rows: int | None) -> pd.DataFrame:
        counts = self.filled.sum(axis=0) if self.n_rows else np.zeros(0, dtype=int)
        nonblank = self._nonblank(counts, head=True)
        if not nonblank:
            record.header_rows = 0
            record.first_data_row = 1
            record.notes.append("the sheet is empty")
            return pd.DataFrame(index=pd.RangeIndex(0))
        last = self._nonblank(counts, head=False)[0]
        used = np.flatnonzero(self.filled.any(axis=1)).tolist()
        start = self._find_header(nonblank, used, record)
        for r in nonblank:
            if r >= start:
                break
            record.notes.append(f"banner (row {r + 1}): {self.row_text(r)}")
        if header_rows is None:
            header_rows = 2 if self._second_header_row(start, used) else 1
        header_rows = min(header_rows, last - start + 1)
        first = start + header_rows
        record.header_rows = header_rows
        record.first_data_row = first + 1
        record.notes.append(
            f"header: row {start + 1}" if header_rows == 1
            else f"header: rows {start + 1}–{start + header_rows}"
        )
        levels = self._header_levels(start, header_rows)

        rows = np.arange(first, last + 1)
        record.rows_read = len(rows)
        reasons = self._classify(rows, counts, levels, used)
        keep = np.array([r for r in rows.tolist() if r not in reasons], dtype=np.int64)
        for r in sorted(reasons):
            record.set_aside(row=r + 1, reason=reasons[r],
                             values="" if reasons[r] == "blank row" else self.row_text(r))

        kept_set = set(keep.tolist())
        filled_down = self._fill_merged_data(first, kept_set, record)
        names, columns = self._names(levels, keep, record)
        data = {}
        for name, col in zip(names, columns, strict=True):
            data[name] = _to_series(self.cells[keep, col], self.filled[col, keep])
        frame = pd.DataFrame(data, index=pd.RangeIndex(len(keep)))
        for col, (count, example) in filled_down.items():
            if col in columns:
                record.coerce(column=names[columns.index(col)],
                              what="merged cell: value filled into every row it covers",
                              before=None, after=example, count=count)
        record.rows_kept = len(keep)
        record.row_numbers = (keep + 1).tolist()
        self.names = dict(zip(columns, names, strict=True))
        return frame

    def report_errors(self, errors: list[tuple[int, int, str]], record: LoadRecord) -> None:
        """Note Excel error cells (``#N/A``, ``#DIV/0!`` …): they are read as empty."""
        kept = set(record.row_numbers)
        shown = [f"{_column_letter(c)}{r} {text}" for r, c, text in errors[:10]]
        record.notes.append(
            f"{len(errors)} Excel error cell(s) read as empty: {', '.join(shown)}"
            + (" …" if len(errors) > 10 else "")
        )
        for row, col, text in errors:
            if row in kept and col in self.names:
                record.problem(
                    row=row, column=self.names[col], value=text, check="excel_error",
                    severity="warning",
                    problem=f"Excel error value {text} (a formula that failed); read as "
                            "missing.",
                    fix="Correct the formula in Excel, or type the value, and read again.",
                    problem_zh=f"Excel 错误值 {text}（公式出错），按缺失读取。",
                    fix_zh="在 Excel 中修正公式或直接填写数值后重新读取。",
                )

    def report_formulas(self, cells: list[tuple[int, int, str]], record: LoadRecord) -> None:
        """Report formula cells that carry no value Excel computed (read as missing)."""
        kept = set(record.row_numbers)
        for row, col, formula in cells:
            if row not in kept or col not in self.names:
                continue
            shown = formula if len(formula) <= 40 else formula[:40] + "…"
            record.problem(
                row=row, column=self.names[col], value=f"={shown}", check="formula_no_value",
                severity="error",
                problem=(f"Cell {_column_letter(col)}{row} holds the formula ={shown} but no "
                         "value computed from it (the file was written by a program that "
                         "does not calculate formulas); read as missing."),
                fix=("Open the workbook in Excel or WPS, let it calculate (F9), save it, and "
                     "read it again; or type the values."),
                problem_zh=(f"单元格 {_column_letter(col)}{row} 有公式 ={shown}，但没有计算结果"
                            "（文件由不计算公式的程序生成），按缺失读取。"),
                fix_zh="用 Excel 或 WPS 打开工作簿，重新计算（F9）并保存后再读取；或直接填写数值。",
            )

    def report_long_numbers(self, data: pd.DataFrame, record: LoadRecord) -> None:
        """Report ID-like numbers that Excel stored as numbers and so lost digits."""
        kept = np.asarray(record.row_numbers, dtype=np.int64) - 1
        letters = {name: _column_letter(col) for col, name in self.names.items()}
        for name in data.columns:
            for row, value in suspect_cells(data[name]):
                found = lost_digits(value)
                if found is None:
                    continue
                severity, problem, problem_zh = found
                where = f"{letters.get(name, '?')}{int(kept[row]) + 1}"
                record.problem(
                    row=int(kept[row]) + 1, column=name, value=shown_number(value),
                    check="lost_digits", severity=severity,
                    problem=f"Cell {where}: {problem}",
                    fix=LOST_DIGITS_FIX, problem_zh=f"单元格 {where}：{problem_zh}",
                    fix_zh=LOST_DIGITS_FIX_ZH,
                )

    def _nonblank(self, counts: np.ndarray, *, head: bool, n: int = 50) -> list[int]:
        """First `n` non-blank rows (``head``), or the last one; spaces count as blank."""
        sparse = max(3, self.width // 2)
        rows = np.flatnonzero(counts)
        found = []
        for r in (rows.tolist() if head else reversed(rows.tolist())):
            if counts[r] > sparse or not self.is_blank(r):
                found.append(r)
                if len(found) == (n if head else 1):
                    break
        return found

    def _covered(self, row: int) -> set[int]:
        cells = set(self.anchors(row))
        for r0, c0, r1, c1 in self.merges:
            if r0 <= row <= r1:
                cells.update(range(c0, c1 + 1))
        return cells

    def _find_header(self, nonblank: list[int], used: list[int], record: LoadRecord) -> int:
        width = len(used)
        need = max(2, math.ceil(width / 2)) if width > 1 else 1
        for r in nonblank[:50]:
            anchors = self.anchors(r)
            values = [self.value(r, c) for c in anchors]
            texts = [v.strip() for v in values if isinstance(v, str)]
            if len(anchors) < min(need, 2) or len(self._covered(r) & set(used)) < need:
                continue
            if len(texts) < len(values) / 2:
                continue
            if texts and all(_KEY_VALUE.match(t) for t in texts):
                continue
            if texts and (_FOOTER.match(texts[0]) or _TOTAL.match(re.sub(r"\s", "", texts[0]))):
                continue
            return r
        record.notes.append(
            f"no header row recognised (a row of text filling most columns); row "
            f"{nonblank[0] + 1}, the first non-blank row, was used as the header"
        )
        return nonblank[0]

    def _second_header_row(self, start: int, used: list[int]) -> bool:
        nxt = start + 1
        if nxt >= self.n_rows:
            return False
        lower = self.anchors(nxt)
        if not lower or not all(isinstance(self.value(nxt, c), str) for c in lower):
            return False
        across, down = set(), set()
        for r0, c0, r1, c1 in self.merges:
            if r0 == start and r1 == start and c1 > c0:
                across.update(range(c0, c1 + 1))
            if r0 == start and r1 > start:
                down.update(range(c0, c1 + 1))
        if across & set(lower):
            return True
        if down and not down & set(lower):
            return True
        upper = set(self.anchors(start))
        gaps = set(lower) - upper
        parents = upper & set(lower)
        singles = upper - set(lower)
        if not (gaps and singles and parents and all(any(p < g for p in parents)
                                                      for g in gaps)):
            return False
        # Without merges, a text data row can look the same: ask for a number or a
        # date in the row below under one of its cells, as in ``轮次`` over ``2``.
        below = start + 2
        return below < self.n_rows and any(
            self.filled[c, below] and not isinstance(self.value(below, c), str) for c in lower
        )

    def _header_levels(self, start: int, n: int) -> list[list[str]]:
        levels = [[_clean_header(self.value(r, c)) for c in range(self.width)]
                  for r in range(start, start + n)]
        merged_cells = set()
        for r0, c0, r1, c1 in self.merges:
            if not start <= r0 < start + n:
                continue
            text = levels[r0 - start][c0]
            for r in range(r0, min(r1, start + n - 1) + 1):
                for c in range(c0, c1 + 1):
                    levels[r - start][c] = text
                    merged_cells.add((r - start, c))
        # Unmerged parent cells: a blank parent over a named child continues the
        # parent on its left, when that parent has named children too.
        for i in range(n - 1):
            upper, lower = levels[i], levels[i + 1]
            for c in range(1, self.width):
                if (not upper[c] and lower[c] and upper[c - 1] and lower[c - 1]
                        and (i, c) not in merged_cells):
                    upper[c] = upper[c - 1]
        return levels

    def _names(
        self, levels: list[list[str]], keep: np.ndarray, record: LoadRecord
    ) -> tuple[list[str], list[int]]:
        names, columns, blank, unnamed = [], [], [], []
        has_data = self.filled[:, keep].any(axis=1) if len(keep) else np.zeros(self.width, bool)
        for c in range(self.width):
            parts: list[str] = []
            for level in levels:
                if level[c] and (not parts or parts[-1] != level[c]):
                    parts.append(level[c])
            name = "_".join(parts)
            if not name:
                if not has_data[c]:
                    blank.append(_column_letter(c))
                    continue
                name = f"column_{_column_letter(c)}"
                unnamed.append(name)
            names.append(name)
            columns.append(c)
        if blank:
            record.notes.append(f"blank column(s) dropped: {', '.join(blank)}")
        if unnamed:
            record.notes.append(f"column(s) with data but no header named: {', '.join(unnamed)}")
        seen: dict[str, int] = {}
        for i, name in enumerate(names):
            if name in seen:
                seen[name] += 1
                names[i] = f"{name}_{seen[name]}"
                record.notes.append(
                    f"duplicate header {name!r} in column {_column_letter(columns[i])} "
                    f"renamed {names[i]!r}"
                )
            else:
                seen[name] = 1
        return names, columns

    def _classify(
        self, rows: np.ndarray, counts: np.ndarray, levels: list[list[str]], used: list[int]
    ) -> dict[int, str]:
        """Reason for each data-area row that is not data (row index → reason)."""
        width = len(used)
        sparse_max = max(3, width // 2)
        reasons: dict[int, str] = {}
        strong: set[int] = set()  # blank, footer word or total: the table may end here
        weak: set[int] = set()  # one text cell: not data only below a blank/footer row
        if not len(rows):
            return reasons
        first_col = self.filled[:, rows].argmax(axis=0)
        first_values = self.cells[rows, first_col] if self.width else []
        header_texts = [tuple(level[c] for c in used) for level in levels]
        header_firsts = {level[c] for level in levels for c in used}
        for row, col, n, value in zip(rows.tolist(), first_col.tolist(),
                                      counts[rows].tolist(), first_values, strict=True):
            if n == 0:
                reasons[row] = "blank row"
                strong.add(row)
                continue
            if not isinstance(value, str):
                if n == 1:
                    weak.add(row)
                continue
            text = value.strip()
            if (n > 1 and text and text[0] not in _FIRST_CHARS
                    and text not in header_firsts):
                continue  # the usual data row
            compact = re.sub(r"\s", "", text)
            if not text and self.is_blank(row):
                reasons[row] = "blank row"
                strong.add(row)
            elif (m := _TOTAL.match(compact)) is not None:
                if m.group(1) == "小计":  # the table goes on after a subtotal
                    reasons[row] = "subtotal row: 小计"
                else:
                    reasons[row] = f"total row: {m.group(1)}"
                    strong.add(row)
            elif n <= sparse_max and (m := _FOOTER.match(text)) is not None:
                reasons[row] = f"footer: {m.group(1)}"
                strong.add(row)
            elif text == levels[-1][col] and any(
                tuple(_clean_header(self.value(row, c)) for c in used) == h
                for h in header_texts
            ):
                reasons[row] = "repeated header row"
            elif n == 1:
                weak.add(row)
        # A row of one text cell (``XX街道办事处（盖章）``, a signature date) is a footer
        # only below a blank, total or footer row with no data row after it.
        tail = []
        for row in reversed(rows.tolist()):
            if row not in weak and row not in reasons:
                break
            tail.append(row)
        ended = False
        for row in reversed(tail):
            if row in strong:
                ended = True
            elif row in weak and ended:
                reasons[row] = "footer: text below the table"
        # One text cell merged across most of the table inside the data
        # (``一、东城街道``) is a section heading, not a record.
        across = {r0: c1 - c0 + 1 for r0, c0, r1, c1 in self.merges
                  if r0 == r1 and r0 in weak and r0 not in reasons}
        for row, span in across.items():
            value = self.value(row, self.anchors(row)[0])
            if isinstance(value, str) and span >= max(2, math.ceil(width / 2)):
                reasons[row] = f"section heading: {value.strip()}"
        return reasons

    def _fill_merged_data(
        self, first: int, kept: set[int], record: LoadRecord
    ) -> dict[int, tuple[int, object]]:
        filled: dict[int, tuple[int, object]] = {}
        across = []
        for (r0, c0, r1, _c1), (_, _, w1, d1) in zip(self.merges, self.merges_as_written,
                                                   strict=True):
            if r0 < first or r0 not in kept:
                continue
            if d1 > c0:
                across.append(f"{_column_letter(c0)}{r0 + 1}:{_column_letter(d1)}{w1 + 1}")
            if r1 == r0:
                continue
            value = self.value(r0, c0)
            targets = [r for r in range(r0 + 1, r1 + 1) if r in kept]
            if not targets or not self.filled[c0, r0]:
                continue
            self.cells[targets, c0] = value
            self.filled[c0, targets] = True
            count, example = filled.get(c0, (0, value))
            filled[c0] = (count + len(targets), example)
        if across:
            record.notes.append(
                "cells merged across columns in data rows keep their value in the first "
                f"column only: {', '.join(across[:10])}" + (" …" if len(across) > 10 else "")
            )
        return filled


_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_REL_TAG = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_ERROR_CELL = re.compile(
    rb'<(?:\w+:)?c\b([^>]*\bt="e"[^>]*)>(?:<(?:\w+:)?f\b[^>]*(?:/>|>.*?</(?:\w+:)?f>))?'
    rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>"
)
#: A formula cell whose cached value is absent or empty (not a formula giving "").
_FORMULA_CELL = re.compile(
    rb"<(?:\w+:)?c\b([^>/]*)>\s*<(?:\w+:)?f\b[^>/]*>([^<]*)</(?:\w+:)?f>\s*"
    rb"(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>"
)
_CELL_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')


def _ref(attrs: bytes) -> tuple[int, int] | None:
    ref = _CELL_REF.search(attrs)
    if ref is None:
        return None
    col = 0
    for letter in ref.group(1):
        col = col * 26 + letter - 64
    return int(ref.group(2)), col - 1


def _error_cells(
    file: Path, index: int
) -> tuple[list[tuple[int, int, str]], list[tuple[int, int, str]]]:
    """Error cells and formula cells without a value of sheet `index`.

    Each as (Excel row number, 0-based column, text): python-calamine reads error
    cells (``#N/A``, ``#DIV/0!``, ``#REF!``) and formulas never calculated as
    empty; the worksheet XML still says which they were (``t="e"``; an ``<f>``
    without a ``<v>``). The XML is streamed, so only the matches are held.
    """
    import html
    import zipfile

    errors: dict[tuple[int, int], str] = {}
    formulas: dict[tuple[int, int], str] = {}
    try:
        with zipfile.ZipFile(file) as archive:
            sheets = [dict(_ATTR.findall(tag)) for tag in
                      _SHEET_TAG.findall(archive.read("xl/workbook.xml"))]
            rid = next(v for k, v in sheets[index].items() if k.endswith(b":id"))
            rels = [dict(_ATTR.findall(tag)) for tag in
                    _REL_TAG.findall(archive.read("xl/_rels/workbook.xml.rels"))]
            target = next(r[b"Target"] for r in rels if r.get(b"Id") == rid).decode()
            member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            tail = b""
            with archive.open(member) as stream:
                while chunk := stream.read(1 << 24):
                    buffer = tail + chunk
                    if b't="e"' in buffer:
                        for match in _ERROR_CELL.finditer(buffer):
                            at = _ref(match.group(1))
                            if at is not None:
                                errors[at] = match.group(2).decode()
                    if b"<f" in buffer:
                        for match in _FORMULA_CELL.finditer(buffer):
                            attrs = match.group(1)
                            if b't="str"' in attrs or b't="e"' in attrs:
                                continue
                            at = _ref(attrs)
                            if at is not None:
                                formulas[at] = html.unescape(match.group(2).decode())
                    tail = buffer[-4096:]
    except (KeyError, IndexError, StopIteration, zipfile.BadZipFile, UnicodeDecodeError):
        return [], []  # an unusual layout: the check is skipped, the data are still read
    return ([(r, c, text) for (r, c), text in sorted(errors.items())],
            [(r, c, text) for (r, c), text in sorted(formulas.items())])


def _to_series(values: np.ndarray, present: np.ndarray) -> pd.Series:
    """One column of cells as a Series: empty cells missing, numbers and dates typed.

    `values` is a fresh array owned by the caller's frame-building loop; it is
    changed in place.
    """
    values[~present] = None
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind == "boolean":
        return pd.Series(values, dtype="boolean")
    if kind == "date":  # Excel dates without a time part come as datetime.date
        series = pd.Series(pd.to_datetime(values))
    elif kind in ("floating", "integer", "string", "datetime", "empty"):
        series = pd.Series(values, dtype=object).infer_objects()
    else:  # a mixed column: whole numbers as ints, dates as datetimes, rest as is
        series = pd.Series([_tidy_cell(v) for v in values], dtype=object).infer_objects()
    if series.dtype.kind == "f":
        arr = series.to_numpy()
        finite = arr[~np.isnan(arr)]
        if finite.size and np.all(np.abs(finite) < 2**53) and np.all(finite == np.round(finite)):
            return series.astype("Int64" if finite.size < arr.size else "int64")
    return series


def _tidy_cell(value: object) -> object:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value
