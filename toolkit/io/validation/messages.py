"""Wording of every validation problem, in English and Chinese, in one place.

Each ``texts_*`` function returns the four texts of one problem —
``(problem, fix, problem_zh, fix_zh)`` — for the ``problem``, ``fix``,
``problem_zh`` and ``fix_zh`` columns of a report. Values reach these functions
already masked when personal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from toolkit import schema
from toolkit._checks import close_matches

__all__ = [
    "Texts",
    "col_label",
    "fmt_value",
    "group_heading",
    "present",
    "problem_line",
    "report_heading",
    "table_label",
    "texts_dangling",
    "texts_design_value_missing",
    "texts_duplicate_id",
    "texts_duplicate_key",
    "texts_duplicate_row",
    "texts_future_date",
    "texts_impossible_date",
    "texts_item_not_numeric",
    "texts_missing_column",
    "texts_missing_value",
    "texts_range",
    "texts_repeated",
    "texts_rows_unaccounted",
    "texts_skipped",
    "texts_text_dates",
    "texts_type",
    "texts_unknown",
    "where_label",
]

#: ``(problem, fix, problem_zh, fix_zh)`` of one problem.
Texts = tuple[str, str, str, str]

_DTYPE_WORDS = {
    "date": ("a date", "日期", "2023-11-08"),
    "int": ("a whole number", "整数", "3"),
    "float": ("a number", "数字", "0.5"),
    "bool": ("yes/no", "是/否", "是 or 否"),
}


# ---------------------------------------------------------------------------
# Values and labels
# ---------------------------------------------------------------------------


def fmt_value(value: object) -> str | None:
    """A value as it would be written in a cell (dates as 2023-11-08, 6.0 as 6).

    Examples
    --------
    >>> fmt_value(6.0), fmt_value(pd.Timestamp("2023-11-08")), fmt_value(None)
    ('6', '2023-11-08', None)
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return None
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, pd.Timestamp | np.datetime64 | dt.datetime):
        ts = pd.Timestamp(value)
        return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else str(ts)
    return str(value)


def present(value: object) -> bool:
    """Whether a field of a problem holds something to show (not None, NaN, NA or "")."""
    return value is not None and not (isinstance(value, float) and np.isnan(value)) \
        and value is not pd.NA and str(value) != ""


def col_label(kind: str, column: str, *, zh: bool, short: bool = False) -> str:
    """A column as messages name it: by the schema's label when it is canonical.

    Chinese messages name a canonical column by its Chinese label, with its
    canonical name once in brackets (``“参与者编号”（participant_id）``; ``short``
    leaves the name out); English ones by the name and its label.

    Examples
    --------
    >>> col_label("attendance", "participant_id", zh=True)
    '“参与者编号”（participant_id）'
    >>> col_label("attendance", "participant_id", zh=True, short=True)
    '“参与者编号”'
    >>> col_label("survey", "sat1", zh=True), col_label("survey", "sat1", zh=False)
    ('“sat1”', '`sat1`')
    """
    col = schema.TABLES[kind].get(column) if kind in schema.TABLES else None
    if col is None:
        return f"“{column}”" if zh else f"`{column}`"
    if zh:
        return f"“{col.zh}”" if short else f"“{col.zh}”（{column}）"
    return f"`{column}`" if short else f"`{column}` ({col.en.lower()})"


def where_label(kind: object, column: str, *, zh: bool) -> str:
    """A column where a line of a report places a problem (``参与者编号``, ``participant_id``)."""
    col = schema.TABLES[kind].get(column) if kind in schema.TABLES else None
    return col.zh if zh and col is not None else column


def table_label(kind: str, *, zh: bool) -> str:
    """A table as messages name it (``参与记录表（attendance）``, ``attendance table``)."""
    table = schema.TABLES.get(kind)
    if table is None:
        return kind
    return f"{table.zh}表（{kind}）" if zh else f"{kind} table"


# ---------------------------------------------------------------------------
# The report as text
# ---------------------------------------------------------------------------


def report_heading(n_errors: int, n_warnings: int, n_problems: int, *, zh: bool) -> str:
    """First line of a report's text."""
    if zh:
        return (f"校验结果：{n_errors:,} 个错误，{n_warnings:,} 个警告。"
                if n_problems else "校验结果：未发现问题。")
    return (f"Validation: {n_errors:,} error(s), {n_warnings:,} warning(s)."
            if n_problems else "Validation: no problems found.")


def _where(rec: Mapping[str, Any], *, zh: bool, cell: bool = True) -> list[str]:
    where = []
    if present(rec["table"]):
        where.append(str(rec["table"]))
    if present(rec["file"]):
        name = str(rec["file"])
        if present(rec["sheet"]):
            name += f" [{rec['sheet']}]"
        where.append(name)
    if cell and present(rec["row"]):
        where.append(f"第 {int(rec['row'])} 行" if zh else f"row {int(rec['row'])}")
    if present(rec["column"]):
        col = where_label(rec["table"], str(rec["column"]), zh=zh)
        if cell and present(rec["value"]):
            col += f" = {rec['value']!r}" if not zh else f"＝“{rec['value']}”"
        where.append(col)
    return where


def _tag(severity: object, *, zh: bool) -> str:
    if zh:
        return "[错误]" if severity == "error" else "[警告]"
    return f"[{severity}]"


def group_heading(rec: Mapping[str, Any], n: int, shown: int, *, zh: bool) -> str:
    """The line introducing `n` similar problems (first `rec`), of which `shown` follow.

    Examples
    --------
    >>> rec = {"table": "attendance", "file": "参与记录.csv", "sheet": None, "row": 3,
    ...        "column": None, "value": None, "check": "duplicate_key", "severity": "error"}
    >>> print(group_heading(rec, 10153, 5, zh=True))  # doctest: +NORMALIZE_WHITESPACE
    [错误] attendance，参与记录.csv（duplicate_key）：10,153 处同类问题，前 5 处如下（全部见
    .problems）：
    """
    where = _where(rec, zh=zh, cell=False)
    if zh:
        return f"{_tag(rec['severity'], zh=True)} {'，'.join(where)}（{rec['check']}）：" \
            + texts_repeated(n, shown, zh=True)
    return f"{_tag(rec['severity'], zh=False)} {', '.join(where)} ({rec['check']}): " \
        + texts_repeated(n, shown, zh=False)


def problem_line(rec: Mapping[str, Any], *, zh: bool) -> str:
    """One problem of a report as a line of text: where, what, how to fix it."""
    where = _where(rec, zh=zh)
    sev = rec["severity"]
    if zh:
        tag = "错误" if sev == "error" else "警告"
        return f"[{tag}] {'，'.join(where)}：{rec['problem_zh']} 修改：{rec['fix_zh']}"
    return f"[{sev}] {', '.join(where)}: {rec['problem']} Fix: {rec['fix']}"


# ---------------------------------------------------------------------------
# Problems of one table
# ---------------------------------------------------------------------------


def texts_missing_column(kind: str, column: str, frame: pd.DataFrame, why: str | None = None,
                         why_zh: str | None = None) -> Texts:
    """A required column (or one named by the design or a scale) is absent."""
    known = set(schema.TABLES[kind].column_names) if kind in schema.TABLES else set()
    others = [str(c) for c in frame.columns if str(c) not in known]
    close = close_matches(column, others, n=1)
    problem = (f"Column {col_label(kind, column, zh=False)} is missing from the "
               f"{table_label(kind, zh=False)}" + (f" ({why})." if why else "."))
    problem_zh = (f"{table_label(kind, zh=True)}缺少列{col_label(kind, column, zh=True)}"
                  + (f"（{why_zh}）。" if why_zh else "。"))
    if close:
        fix = f"The table has `{close[0]}`: rename it to `{column}`."
        fix_zh = f"表中有“{close[0]}”：把它改名为“{column}”。"
    else:
        fix = (f"Add the column, or map the file's header to `{column}` (`mapping=` of "
               "`tk.io.read_table`, or `mapping:` in study.yaml).")
        fix_zh = (f"补上该列，或把文件中的表头对应到“{column}”（`tk.io.read_table` 的 "
                  "`mapping=` 或 study.yaml 中的 `mapping:`）。")
    return problem, fix, problem_zh, fix_zh


def texts_type(kind: str, column: str, value: str | None, dtype: str) -> Texts:
    """A value of the wrong type (not a date, a number, yes/no)."""
    en_word, zh_word, example = _DTYPE_WORDS[dtype]
    en_ex = example.replace(" or ", "/") if dtype == "bool" else example
    problem = f"`{value}` in {col_label(kind, column, zh=False)} is not {en_word}."
    problem_zh = f"{col_label(kind, column, zh=True)}中的“{value}”不是{zh_word}。"
    if dtype == "date":
        fix = ("Write the date as 2023-11-08, or read the file with "
               "`tk.io.read_table(kind=...)`, which understands 2023年11月8日, 2023/11/8 and "
               "Excel dates.")
        fix_zh = ("把日期写成 2023-11-08，或用 `tk.io.read_table(kind=...)` 读取文件（它能识别 "
                  "2023年11月8日、2023/11/8 和 Excel 日期）。")
    elif dtype == "bool":
        fix = "Write 是 or 否 (yes or no); leave the cell empty when it is not known."
        fix_zh = "填写“是”或“否”；不知道时留空。"
    else:
        fix = f"Write {en_word} such as {en_ex}; leave the cell empty when it is not known."
        fix_zh = f"填写{zh_word}（如 {example}）；不知道时留空。"
    return problem, fix, problem_zh, fix_zh


def texts_text_dates(kind: str, column: str) -> Texts:
    """A whole date column stored as text (every value readable as a date)."""
    problem = (f"Column `{column}` holds text, not dates; date comparisons and "
               "time series need dates.")
    problem_zh = (f"列{col_label(kind, column, zh=True)}存的是文本而不是日期，日期比较和时间序列"
                  "需要日期类型。")
    fix = (f"Convert it: `df[\"{column}\"] = pd.to_datetime(df[\"{column}\"])`, or "
           "read the file with `tk.io.read_table(kind=...)`.")
    fix_zh = (f"转换为日期：`df[\"{column}\"] = pd.to_datetime(df[\"{column}\"])`，"
              "或用 `tk.io.read_table(kind=...)` 读取文件。")
    return problem, fix, problem_zh, fix_zh


def _vocab_examples(vocab: schema.Vocabulary, k: int = 6) -> str:
    terms = vocab.categories
    shown = "、".join(terms[:k])
    return shown + ("…" if len(terms) > k else "")


def texts_unknown(kind: str, column: str, value: str | None, raw: object,
                  vocab: schema.Vocabulary) -> Texts:
    """A value outside the column's vocabulary: another spelling, or the closest term."""
    known = vocab.normalise(raw)
    if known is not None:
        problem = (f"`{value}` in {col_label(kind, column, zh=False)} is another spelling of "
                   f"`{known}`; values are stored as the Chinese term.")
        problem_zh = (f"{col_label(kind, column, zh=True)}中的“{value}”是“{known}”的另一种"
                      "写法，取值应存为中文术语。")
        fix = (f"Replace it with `{known}` (`tk.io.read_table(kind=...)` does this when "
               "reading).")
        fix_zh = f"改为“{known}”（用 `tk.io.read_table(kind=...)` 读取时会自动转换）。"
        return problem, fix, problem_zh, fix_zh
    close = vocab.suggest(raw)
    problem = f"`{value}` in `{column}` is not a known {vocab.en.lower()}."
    problem_zh = f"{col_label(kind, column, zh=True)}中的“{value}”不是已知的{vocab.zh}。"
    if close is not None:
        fix = f"Did you mean `{close}`? Replace the value with a term of the vocabulary."
        fix_zh = f"是否应为“{close}”？请改为词表中的取值。"
    else:
        fix = (f"Use one of: {_vocab_examples(vocab)} (all terms: "
               f"`tk.schema.VOCABULARIES[\"{vocab.name}\"].categories`).")
        fix_zh = (f"请使用以下取值之一：{_vocab_examples(vocab)}（全部取值见 "
                  f"`tk.schema.VOCABULARIES[\"{vocab.name}\"].categories`）。")
    return problem, fix, problem_zh, fix_zh


def _bounds(low: float | None, high: float | None) -> tuple[str, str]:
    lo, hi = fmt_value(low), fmt_value(high)
    if lo is not None and hi is not None:
        return f"{lo}–{hi}", f"{lo}～{hi}"
    if lo is not None:
        return f"at least {lo}", f"不小于 {lo}"
    return f"at most {hi}", f"不大于 {hi}"


def texts_range(kind: str, column: str, value: str | None, low: float | None,
                high: float | None, scale: str | None = None) -> Texts:
    """A number outside the column's range, or outside a scale's ``min``–``max``."""
    en, zh = _bounds(low, high)
    if scale is None:
        problem = f"{value} in {col_label(kind, column, zh=False)} is outside its range ({en})."
        problem_zh = f"{col_label(kind, column, zh=True)}中的 {value} 超出取值范围（{zh}）。"
    else:
        problem = f"{value} in `{column}` is outside the {en} scale of `{scale}`."
        problem_zh = (f"{col_label(kind, column, zh=True)}中的 {value} 超出量表“{scale}”的取值范围"
                      f"（{zh}）。")
    fix = ("Correct the value; if it is a code for a missing answer (e.g. 98/99), declare it "
           "in `missing_codes`.")
    fix_zh = "更正该值；如果它是缺失代码（如 98/99），请在 `missing_codes` 中声明。"
    return problem, fix, problem_zh, fix_zh


def texts_missing_value(kind: str, column: str, *, key: bool) -> Texts:
    """An empty cell in a required column (an error in identifier columns)."""
    if key:
        problem = (f"{col_label(kind, column, zh=False)} is empty; every row of the "
                   f"{table_label(kind, zh=False)} needs one.")
        problem_zh = (f"{col_label(kind, column, zh=True)}为空，"
                      f"{table_label(kind, zh=True)}每一行都必须有。")
        fix = "Fill it in, or delete the row if it is not a record."
        fix_zh = "补上该值；如果这一行不是记录，请删除。"
    else:
        problem = f"{col_label(kind, column, zh=False)} is empty in a required column."
        problem_zh = f"必需列{col_label(kind, column, zh=True)}为空。"
        fix = "Fill it in if it is known."
        fix_zh = "如已知，请补上。"
    return problem, fix, problem_zh, fix_zh


def texts_design_value_missing(column: str, role: str) -> Texts:
    """An empty cell in a column the survey design uses."""
    problem = (f"`{column}` is empty, but the survey design uses it as `{role}`; "
               "design-based estimates need it in every row.")
    problem_zh = (f"{col_label('survey', column, zh=True)}为空，但调查设计把它用作 `{role}`，"
                  "每一行都需要它。")
    fix = "Fill it in, or drop the respondent from the design-based analysis explicitly."
    fix_zh = "补上该值，或在基于设计的分析中明确排除该受访者。"
    return problem, fix, problem_zh, fix_zh


def texts_item_not_numeric(item: str, scale: str, dtype: object) -> Texts:
    """A scale item whose values have no numeric codes."""
    problem = (f"Item `{item}` of the scale `{scale}` holds {dtype} values without numeric "
               "codes, so it cannot be scored.")
    problem_zh = f"量表“{scale}”的题项“{item}”是没有数值编码的{dtype} 类型，无法计分。"
    fix = ("Store the item as numbers (1–5 …) or as an ordered categorical whose "
           "categories run from the lowest to the highest answer.")
    fix_zh = "把题项存为数字（1～5 等），或存为从最低到最高排序的有序分类变量。"
    return problem, fix, problem_zh, fix_zh


def texts_duplicate_id(kind: str, column: str, value: str | None, first_row: int) -> Texts:
    """An identifier used by more than one row."""
    problem = (f"{col_label(kind, column, zh=False)} `{value}` is used by more than one row "
               f"(first in row {first_row}).")
    problem_zh = (f"{col_label(kind, column, zh=True)}“{value}”被多行使用（首次出现在第 "
                  f"{first_row} 行）。")
    fix = "Give each record its own id, or delete this row if it repeats the same record."
    fix_zh = "为每条记录分配唯一编号；如果这一行与前面是同一条记录，请删除。"
    return problem, fix, problem_zh, fix_zh


def texts_duplicate_key(kind: str, values: Mapping[str, str | None], first_row: int) -> Texts:
    """A key combination (e.g. session and participant in attendance) repeated."""
    pairs = ", ".join(f"{k}={v}" for k, v in values.items())
    pairs_zh = "，".join(f"{where_label(kind, k, zh=True)}＝{v}" for k, v in values.items())
    problem = f"The combination {pairs} is repeated (first in row {first_row})."
    problem_zh = f"组合 {pairs_zh} 重复出现（首次出现在第 {first_row} 行）。"
    fix = "Keep one row per combination: merge the rows, or correct the wrong id."
    fix_zh = "每个组合只保留一行：合并这些行，或更正错误的编号。"
    return problem, fix, problem_zh, fix_zh


def texts_duplicate_row(first_row: int) -> Texts:
    """A row identical to an earlier row."""
    problem = f"This row repeats row {first_row} exactly."
    problem_zh = f"这一行与第 {first_row} 行完全相同。"
    fix = "Delete the repeated row (it would be counted twice)."
    fix_zh = "删除重复的行（否则会被重复计数）。"
    return problem, fix, problem_zh, fix_zh


def texts_rows_unaccounted(rows_read: int, rows_kept: int, n_aside: int) -> Texts:
    """A load record whose rows read ≠ rows kept + rows set aside."""
    lost = rows_read - rows_kept - n_aside
    problem = (f"{rows_read} rows were read but only {rows_kept} kept and {n_aside} set "
               f"aside; {lost} row(s) are unaccounted for.")
    problem_zh = (f"读取 {rows_read} 行，保留 {rows_kept} 行，搁置 {n_aside} 行，"
                  f"有 {lost} 行去向不明。")
    fix = "Re-read the file with `tk.io.read_table`; rows were lost after reading."
    fix_zh = "用 `tk.io.read_table` 重新读取文件；读取后有行丢失。"
    return problem, fix, problem_zh, fix_zh


# ---------------------------------------------------------------------------
# Problems across tables and of dates
# ---------------------------------------------------------------------------


def texts_dangling(kind: str, column: str, value: str | None, target_kind: str,
                   target_col: str, close: str | None) -> Texts:
    """An id pointing to a row that does not exist in the referenced table."""
    problem = (f"{col_label(kind, column, zh=False)} `{value}` does not exist in the "
               f"{table_label(target_kind, zh=False)} (`{target_col}`).")
    problem_zh = (f"{col_label(kind, column, zh=True)}“{value}”在"
                  f"{table_label(target_kind, zh=True)}的"
                  f"{col_label(target_kind, target_col, zh=True, short=True)}中不存在。")
    hint = f" Did you mean `{close}`?" if close else ""
    hint_zh = f"是否应为“{close}”？" if close else ""
    fix = (f"{hint.strip()} Correct the id, or add the missing row to the "
           f"{table_label(target_kind, zh=False)}.").strip()
    fix_zh = f"{hint_zh}更正编号，或在{table_label(target_kind, zh=True)}中补上缺少的行。"
    return problem, fix, problem_zh, fix_zh


def texts_impossible_date(kind: str, later: str, value: str | None, earlier: str,
                          before: str | None) -> Texts:
    """A date before the date it follows (implemented before the session …)."""
    table = schema.TABLES[kind]
    lab_en, lab_zh = table.column(later).en.lower(), table.column(later).zh
    e_en, e_zh = table.column(earlier).en.lower(), table.column(earlier).zh
    problem = (f"`{later}` {value} ({lab_en}) is before `{earlier}` {before} ({e_en}), which "
               "is impossible.")
    problem_zh = f"{lab_zh}“{value}”早于{e_zh}“{before}”，这不可能。"
    fix = "Check both dates and correct the wrong one (often the year or the month)."
    fix_zh = "核对两个日期并更正错误的一个（常见是年份或月份写错）。"
    return problem, fix, problem_zh, fix_zh


def texts_future_date(kind: str, column: str, value: str | None, day: str) -> Texts:
    """A date after the date the data describe up to (``as_of``)."""
    problem = f"`{column}` {value} is after {day}, the date the data describe up to."
    problem_zh = f"{col_label(kind, column, zh=True)}的日期 {value} 晚于数据截止日期 {day}。"
    fix = ("Correct the date (often a mistyped year); if the data were exported later, pass "
           "`as_of=` (or `as_of:` in study.yaml).")
    fix_zh = ("更正日期（常见是年份写错）；如果数据导出日期更晚，请指定 `as_of=`"
              "（或 study.yaml 中的 `as_of:`）。")
    return problem, fix, problem_zh, fix_zh


def texts_skipped(kind: str, column: str, skipped: Sequence[tuple[str, str]]) -> Texts:
    """Checks not run because a column they need is missing (said once, not per row).

    `skipped` holds ``(english, chinese)`` descriptions of the checks left out.

    Examples
    --------
    >>> texts_skipped("attendance", "participant_id",
    ...               [("repeated keys", "重复的组合键")])[2]
    '缺少列“参与者编号”（participant_id），以下检查未进行：重复的组合键。'
    """
    en = "; ".join(dict.fromkeys(e for e, _ in skipped))
    zh = "；".join(dict.fromkeys(z for _, z in skipped))
    problem = (f"Column {col_label(kind, column, zh=False)} is missing, so these checks were "
               f"not run: {en}.")
    problem_zh = f"缺少列{col_label(kind, column, zh=True)}，以下检查未进行：{zh}。"
    fix = "Add the column (or map the file's header to it) and validate again."
    fix_zh = "补上该列（或把文件中的表头对应到该列）后重新校验。"
    return problem, fix, problem_zh, fix_zh


def texts_repeated(n: int, shown: int, *, zh: bool) -> str:
    """The line introducing a run of similar problems of which only the first are listed.

    Examples
    --------
    >>> texts_repeated(10153, 5, zh=True)
    '10,153 处同类问题，前 5 处如下（全部见 .problems）：'
    >>> texts_repeated(10153, 5, zh=False)
    '10,153 similar problems; the first 5 (all of them in .problems):'
    """
    if zh:
        return f"{n:,} 处同类问题，前 {shown} 处如下（全部见 .problems）："
    return f"{n:,} similar problems; the first {shown} (all of them in .problems):"
