"""Normalising the values of a table to the types of its canonical columns.

:func:`normalise_frame` turns each column into the type its canonical column
declares (:attr:`toolkit.schema.Column.dtype`) and writes every change into the
:class:`~toolkit.io.record.LoadRecord`: one line per column and kind of change,
with the count and one example ``before → after``. Values that cannot be read
as the declared type are never guessed: the cell becomes missing and a problem
(file, row, column, value, what is wrong, how to fix it) is recorded.

========  ==================================================================
type      what is accepted
========  ==================================================================
string    text; identifiers get NFKC (full-width ``Ｓ００１`` → ``S001``), free
          text only full-width digits and Latin letters made half-width;
          whitespace at either end stripped; numbers from Excel (``1001.0``)
          written as ``1001``
int       ``3``, ``３``, ``3.0``, ``1,234``; anything else is ``not_a_number``
float     as int, with decimals and exponents
date      ``2023-11-08``, ``2023年11月8日``, ``2023.11.8``, ``２０２３／１１／８``,
          ``2023/11/8``, ``20231108``, ISO date-times, Excel serial numbers
          (numbers between 18264 and 73415, i.e. 1950–2100); anything else is
          ``not_a_date``
bool      是/否, 有/无, √/×, ✓/✗, Y/N, yes/no, true/false, 1/0, 已/未, 对/错
category  any spelling the vocabulary knows (Chinese term, English label, code,
          alias, with stray spaces or full-width letters); unknown values are
          kept as extra categories and reported as ``unknown_value`` with the
          closest known term
========  ==================================================================

Columns a table does not know (survey items ``q1`` … ``qN``) become integers
when every value is an integer, floats when every value is a number, and text
otherwise.

Declared missing codes (``[98, 99]``, ``{98: "不知道", 99: "拒答"}`` or text
codes such as ``"不清楚"``) become missing values; each cell's code is kept in
``record.missing`` and the codes in the column's codebook entry. Global codes
apply to the columns a table does not know and to its boolean and vocabulary
columns, never to identifiers, dates or measured numbers (age, weight …); give
``{column: codes}`` to target other columns.

Examples
--------
>>> from toolkit.io.record import LoadRecord
>>> raw = pd.DataFrame({"date": ["2023年11月8日", "２０２３／１１／８", "下周"],
...                     "platform": ["居民议事会 ", "微信群", "居民议事会议"],
...                     "consensus": ["是", "×", "Y"]})
>>> rec = LoadRecord(file="a.csv", table="sessions", rows_read=3, rows_kept=3)
>>> out, _ = normalise_frame(raw, table="sessions", record=rec, rows=np.array([2, 3, 4]))
>>> out["date"].tolist()
[Timestamp('2023-11-08 00:00:00'), Timestamp('2023-11-08 00:00:00'), NaT]
>>> out["platform"].tolist(), out["consensus"].tolist()
(['居民议事会', '微信群', '居民议事会议'], [True, False, True])
>>> rec.problems[["row", "column", "value", "check"]]
   row    column   value          check
0    4      date      下周     not_a_date
1    4  platform  居民议事会议  unknown_value
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from toolkit import schema
from toolkit.io._threads import two_threads
from toolkit.io.record import LoadRecord

__all__ = [
    "FALSE_WORDS",
    "TRUE_WORDS",
    "MissingCodes",
    "halfwidth",
    "normalise_frame",
    "parse_date",
    "parse_missing_codes",
]

#: Spellings read as True / False in a yes/no column: the one vocabulary of
#: :mod:`toolkit.schema` (:func:`toolkit.schema.yes_no` reads a cell).
TRUE_WORDS = schema.YES_WORDS
FALSE_WORDS = schema.NO_WORDS

#: Excel serial numbers accepted as dates: 1950-01-01 … 2100-12-31.
SERIAL_MIN, SERIAL_MAX = 18264, 73415
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)

_FULLWIDTH = str.maketrans(
    {**{chr(0xFF10 + i): str(i) for i in range(10)},
     **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
     **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
     "\u3000": " "}
)
_FULLWIDTH_RE = r"[\x{FF10}-\x{FF19}\x{FF21}-\x{FF3A}\x{FF41}-\x{FF5A}\x{3000}]"

_DATE_RE = re.compile(
    r"(?P<y>\d{4})\s*(?P<sep>[年./\-])\s*(?P<m>\d{1,2})\s*[月./\-]\s*(?P<d>\d{1,2})\s*[日号]?"
    r"(?:(?:\s+|T)(?P<H>\d{1,2})\s*[:时]\s*(?P<M>\d{1,2})"
    r"(?:\s*[:分]\s*(?P<S>\d{1,2})(?:\.(?P<f>\d{1,6}))?\s*秒?)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?"
)
_NUMBER_RE = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")
_THOUSANDS_RE = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?")

_SEP_NAMES = {"年": "Chinese", ".": "dotted", "/": "slash", "-": "ISO"}

# Text of problems, English and Chinese: (problem, fix, problem_zh, fix_zh).
_TEXT = {
    "not_a_date": (
        "`{value}` is not a date; the cell was left empty.",
        "Write the date as 2023-11-08 (or 2023年11月8日) in the file.",
        "“{value}”不是日期，该格按缺失处理。",
        "在文件中把日期写成 2023-11-08（或 2023年11月8日）。",
    ),
    "invalid_date": (
        "`{value}` names a day that does not exist; the cell was left empty.",
        "Check the day and month in the file.",
        "“{value}”不是存在的日期，该格按缺失处理。",
        "核对文件中的年月日。",
    ),
    "serial_out_of_range": (
        "The number {value} is not an Excel date between 1950 and 2100; the cell was left "
        "empty.",
        "Format the cell as a date in Excel, or write the date as 2023-11-08.",
        "数字 {value} 不是 1950—2100 年间的 Excel 日期，该格按缺失处理。",
        "在 Excel 中把该格设为日期格式，或写成 2023-11-08。",
    ),
    "not_a_number": (
        "`{value}` is not a number; the cell was left empty.",
        "Write a number (e.g. 3), or declare the code with `missing_codes=`.",
        "“{value}”不是数字，该格按缺失处理。",
        "填写数字（如 3），或用 `missing_codes=` 声明该缺失代码。",
    ),
    "not_an_integer": (
        "{value} is not a whole number; the cell was left empty.",
        "Write a whole number in the file.",
        "{value} 不是整数，该格按缺失处理。",
        "在文件中填写整数。",
    ),
    "not_yes_no": (
        "`{value}` is not a yes/no answer; the cell was left empty.",
        "Write 是 or 否 (or Y/N, 1/0, √/×).",
        "“{value}”不是“是/否”，该格按缺失处理。",
        "填写“是”或“否”（或 Y/N、1/0、√/×）。",
    ),
    "unknown_value": (
        "`{value}` is not a known {vocab}; kept as an extra category.",
        "{suggest}Use one of: {known}.",
        "“{value}”不是已知的{vocab_zh}，作为额外类别保留。",
        "{suggest_zh}可用取值：{known}。",
    ),
    "mixed_types": (
        "`{value}` is text in a column of numbers; the column was kept as text.",
        "Write a number, or declare the code with `missing_codes=`.",
        "“{value}”是数字列中的文字，该列按文字保留。",
        "填写数字，或用 `missing_codes=` 声明该缺失代码。",
    ),
}


def halfwidth(text: str) -> str:
    """Full-width digits, Latin letters and the ideographic space made half-width.

    Other characters (Chinese punctuation included) are left alone, which is what
    free text needs; identifiers and numbers use full NFKC instead.

    Examples
    --------
    >>> halfwidth("第１２３号，ＡＢｃ")
    '第123号，ABc'
    """
    return text.translate(_FULLWIDTH)


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


# ---------------------------------------------------------------------------
# Missing codes
# ---------------------------------------------------------------------------


@dataclass
class MissingCodes:
    """Declared missing codes: global ones and per-column ones.

    Attributes
    ----------
    common : dict
        Code → label (label may be None), for every eligible column.
    by_column : dict
        Column (header or canonical name) → {code: label}.
    """

    common: dict[Any, str | None] = field(default_factory=dict)
    by_column: dict[str, dict[Any, str | None]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.common or self.by_column)

    def for_column(self, names: tuple[str, ...], *, eligible: bool) -> dict[Any, str | None]:
        """Codes that apply to a column known by any of `names`."""
        for name in names:
            if name in self.by_column:
                return self.by_column[name]
        return dict(self.common) if eligible else {}


def _as_code_dict(codes: object, *, param: str) -> dict[Any, str | None]:
    if isinstance(codes, Mapping):
        return {_code(k): (None if v is None else str(v)) for k, v in codes.items()}
    if isinstance(codes, str | int | float):
        return {_code(codes): None}
    try:
        return {_code(c): None for c in codes}  # type: ignore[union-attr]
    except TypeError:
        msg = (f"`{param}` must be a list of codes (e.g. [98, 99]), a dict of code → label "
               f"(e.g. {{98: \"不知道\"}}) or a dict of column → codes, not {codes!r}.")
        raise TypeError(msg) from None


def _code(value: object) -> object:
    """Codes compare as numbers when they are numbers (98, 98.0 and "98" alike)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return int(value) if float(value).is_integer() else float(value)
    text = _nfkc(str(value)).strip()
    if _NUMBER_RE.fullmatch(text):
        number = float(text)
        return int(number) if number.is_integer() else number
    return text


def parse_missing_codes(
    missing_codes: object, *, columns: tuple[str, ...] = ()
) -> MissingCodes:
    """Read the ``missing_codes=`` argument.

    Parameters
    ----------
    missing_codes : list, dict or None
        ``[98, 99]``; ``{98: "不知道", 99: "拒答"}``; ``["不知道", "拒答"]``; or
        ``{column: codes}`` (keys that are column names of the file).
    columns : tuple of str
        Column names of the file (headers and canonical names), to tell the
        per-column form from the code → label form.

    Returns
    -------
    MissingCodes

    Examples
    --------
    >>> parse_missing_codes({98: "不知道", "99": "拒答"}).common
    {98: '不知道', 99: '拒答'}
    >>> parse_missing_codes({"q1": [9]}, columns=("q1", "q2")).by_column
    {'q1': {9: None}}
    """
    if missing_codes is None:
        return MissingCodes()
    if isinstance(missing_codes, Mapping) and missing_codes and all(
        isinstance(k, str) and k in columns and not isinstance(v, str)
        for k, v in missing_codes.items()
    ):
        return MissingCodes(by_column={
            k: _as_code_dict(v, param="missing_codes") for k, v in missing_codes.items()
        })
    return MissingCodes(common=_as_code_dict(missing_codes, param="missing_codes"))


def _missing_lookup(codes: dict[Any, str | None]) -> dict[object, tuple[object, str | None]]:
    """Folded spelling → (code, label): codes by value, labels by their text."""
    lookup: dict[object, tuple[object, str | None]] = {}
    for code, label in codes.items():
        lookup[code] = (code, label)
        if isinstance(code, str):
            lookup[schema._key(code)] = (code, label)
        if label:
            lookup.setdefault(schema._key(label), (code, label))
    return lookup


# ---------------------------------------------------------------------------
# Per-value parsers (applied once per distinct value)
# ---------------------------------------------------------------------------

# An outcome: (new value, change kind or None, problem check or None, missing or None)
Outcome = tuple[Any, str | None, str | None, tuple[object, str | None] | None]


def _is_blank(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _as_number(text: str) -> tuple[float | None, str | None]:
    """Number written in `text` (NFKC, stripped) and the kind of rewriting needed."""
    folded = _nfkc(text).strip()
    kind = None
    if folded != text.strip():
        kind = "full-width digits → half-width"
    elif folded != text:
        kind = "whitespace stripped"
    if _NUMBER_RE.fullmatch(folded):
        return float(folded), kind
    if _THOUSANDS_RE.fullmatch(folded):
        return float(folded.replace(",", "")), "thousands separator removed"
    return None, kind


def parse_date(value: object) -> tuple[pd.Timestamp | None, str | None, str | None]:
    """Read one date as written in an office file: ``(date, change kind, problem)``.

    Parameters
    ----------
    value : str, number, date or datetime
        One cell.

    Returns
    -------
    tuple
        The date (or None), the kind of rewriting it took (None for ISO text,
        real dates and blanks), and a problem check code (``"not_a_date"``,
        ``"invalid_date"``, ``"serial_out_of_range"``) or None.

    Examples
    --------
    >>> parse_date("2023年11月8日")
    (Timestamp('2023-11-08 00:00:00'), 'Chinese date → date', None)
    >>> parse_date("２０２３／１１／８")[0]
    Timestamp('2023-11-08 00:00:00')
    >>> parse_date(45238)
    (Timestamp('2023-11-08 00:00:00'), 'Excel serial number → date', None)
    >>> parse_date("2023年2月30日")
    (None, None, 'invalid_date')
    >>> parse_date("明天")
    (None, None, 'not_a_date')
    """
    if _is_blank(value):
        return None, None, None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return pd.Timestamp(value).tz_localize(None) if getattr(value, "tzinfo", None) \
            else pd.Timestamp(value), None, None
    if isinstance(value, dt.date):
        return pd.Timestamp(value), None, None
    if isinstance(value, bool | np.bool_):
        return None, None, "not_a_date"
    if isinstance(value, int | float | np.integer | np.floating):
        return _from_serial(float(value))
    text = str(value)
    folded = _nfkc(text).strip()
    fullwidth = folded != _nfkc(text.strip()) or _nfkc(text.strip()) != text.strip()
    match = _DATE_RE.fullmatch(folded)
    if match is None:
        if re.fullmatch(r"\d{8}", folded):
            try:
                stamp = pd.Timestamp(dt.datetime.strptime(folded, "%Y%m%d"))
            except ValueError:
                return None, None, "invalid_date"
            return stamp, "YYYYMMDD → date", None
        if re.fullmatch(r"\d{5}(\.\d+)?", folded):
            return _from_serial(float(folded))
        return None, None, "not_a_date"
    parts = match.groupdict()
    try:
        stamp = dt.datetime(
            int(parts["y"]), int(parts["m"]), int(parts["d"]),
            int(parts["H"] or 0), int(parts["M"] or 0), int(parts["S"] or 0),
            int((parts["f"] or "0").ljust(6, "0")),
        )
    except ValueError:
        return None, None, "invalid_date"
    result = pd.Timestamp(stamp)
    kind = None
    if parts["tz"]:
        offset = pd.Timestamp(folded.replace(" ", "T", 1) if "T" not in folded else folded)
        result = offset.tz_convert("UTC").tz_localize(None)
        kind = "date-time with time zone → UTC"
    sep = parts["sep"]
    iso_shape = sep == "-" and re.fullmatch(r"\d{4}-\d{2}-\d{2}([ T].*)?", folded)
    if fullwidth:
        kind = "full-width date → date"
    elif kind is None and not iso_shape:
        kind = f"{_SEP_NAMES[sep]} date → date"
    elif kind is None and folded != text:
        kind = "whitespace stripped"
    return result, kind, None


def _from_serial(number: float) -> tuple[pd.Timestamp | None, str | None, str | None]:
    if math.isnan(number):
        return None, None, None
    if not SERIAL_MIN <= number <= SERIAL_MAX:
        return None, None, "serial_out_of_range"
    stamp = _EXCEL_EPOCH + dt.timedelta(days=number)
    return pd.Timestamp(stamp).round("s"), "Excel serial number → date", None


def _outcome_missing(value: object, lookup: dict) -> tuple[object, str | None] | None:
    if not lookup:
        return None
    if isinstance(value, str):
        key = _code(value)
        hit = lookup.get(key)
        if hit is None and isinstance(key, str):
            hit = lookup.get(schema._key(key))
        return hit
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        if isinstance(value, float | np.floating) and math.isnan(value):
            return None
        return lookup.get(_code(float(value)))
    return None


def _parse_int(value: object) -> Outcome:
    if isinstance(value, bool | np.bool_):
        return int(value), "boolean → 1/0", None, None
    if isinstance(value, int | np.integer):
        return int(value), None, None, None
    if isinstance(value, float | np.floating):
        if float(value).is_integer():
            return int(value), None, None, None
        return None, None, "not_an_integer", None
    number, kind = _as_number(str(value))
    if number is None:
        return None, None, "not_a_number", None
    if not number.is_integer():
        return None, None, "not_an_integer", None
    folded = _nfkc(str(value)).strip()
    if kind is None and not re.fullmatch(r"[-+]?\d+", folded):
        kind = "decimal written for a whole number"
    return int(number), kind, None, None


def _parse_float(value: object) -> Outcome:
    if isinstance(value, bool | np.bool_):
        return float(value), "boolean → 1/0", None, None
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value), None, None, None
    number, kind = _as_number(str(value))
    if number is None:
        return None, None, "not_a_number", None
    return number, kind, None, None


def _parse_bool(value: object) -> Outcome:
    try:
        out = schema.yes_no(value)
    except ValueError:
        return None, None, "not_yes_no", None
    if out is None:
        return None, None, "not_yes_no", None
    if isinstance(value, bool | np.bool_):
        return out, None, None, None
    if isinstance(value, int | float | np.integer | np.floating):
        return out, "1/0 → boolean", None, None
    return out, "yes/no word → boolean", None, None


def _parse_datecell(value: object) -> Outcome:
    stamp, kind, problem = parse_date(value)
    return stamp, kind, problem, None


def _parse_id(value: object) -> Outcome:
    if isinstance(value, bool | np.bool_):
        return str(value), "boolean → text", None, None
    if isinstance(value, int | np.integer):
        return str(int(value)), "number → text", None, None
    if isinstance(value, float | np.floating):
        text = str(int(value)) if float(value).is_integer() else repr(float(value))
        return text, "number → text", None, None
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        return pd.Timestamp(value).isoformat(), "date → text", None, None
    text = str(value)
    folded = _nfkc(text).strip()
    if folded == text:
        return text, None, None, None
    if folded == text.strip():
        return folded, "whitespace stripped", None, None
    return folded, "full-width → half-width (NFKC)", None, None


def _parse_text(value: object) -> Outcome:
    if not isinstance(value, str):
        return _parse_id(value)
    half = halfwidth(value)
    out = half.strip()
    if out == value:
        return value, None, None, None
    if half != value:
        return out, "full-width digits/letters → half-width", None, None
    return out, "whitespace stripped", None, None


def _vocab_parser(vocab: schema.Vocabulary) -> Callable[[object], Outcome]:
    def parse(value: object) -> Outcome:
        if isinstance(value, float | np.floating) and float(value).is_integer():
            value = int(value)
        text = str(value)
        term = vocab.normalise(text)
        if term is None:
            kept = _nfkc(text).strip()
            return kept, None, "unknown_value", None
        if term == text:
            return term, None, None, None
        if term == text.strip():
            return term, "whitespace stripped", None, None
        return term, "spelling → vocabulary term", None, None

    return parse


# ---------------------------------------------------------------------------
# Column work
# ---------------------------------------------------------------------------


@dataclass
class _Column:
    """What is known about one column while normalising it."""

    name: str
    header: str
    dtype: str  # string/id/text/int/float/date/bool/category/ordered/infer
    vocab: schema.Vocabulary | None
    missing: dict[Any, str | None]
    record: LoadRecord
    rows: np.ndarray
    changes: dict[str, list] = field(default_factory=dict)
    problems: list[tuple[np.ndarray, object, str, str]] = field(default_factory=list)
    missing_cells: list[pd.DataFrame] = field(default_factory=list)

    def change(self, kind: str, count: int, before: object, after: object) -> None:
        if count <= 0:
            return
        if kind in self.changes:
            self.changes[kind][0] += int(count)
        else:
            self.changes[kind] = [int(count), before, after]

    def problem(self, positions: np.ndarray, value: object, check: str,
                severity: str = "error") -> None:
        self.problems.append((positions, value, check, severity))

    def missing_found(self, positions: np.ndarray, code: object, label: str | None) -> None:
        self.missing_cells.append(pd.DataFrame({
            "row": self.rows[positions], "column": self.name, "code": code, "label": label,
        }))

    def flush(self) -> None:
        for kind, (count, before, after) in self.changes.items():
            self.record.coerce(column=self.name, what=kind, before=before, after=after,
                               count=count)
        frames = []
        for positions, value, check, severity in self.problems:
            texts = _problem_text(check, value, self)
            frames.append(pd.DataFrame({
                "row": self.rows[positions], "column": self.name, "value": value,
                "check": check, "severity": severity, "problem": texts[0], "fix": texts[1],
                "problem_zh": texts[2], "fix_zh": texts[3],
            }))
        if frames:
            problems = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
            self.record.add_problems(_by_row(problems))
        if self.missing_cells:
            cells = pd.concat(self.missing_cells, ignore_index=True) \
                if len(self.missing_cells) > 1 else self.missing_cells[0]
            self.record.add_missing(_by_row(cells))


def _by_row(frame: pd.DataFrame) -> pd.DataFrame:
    rows = frame["row"].to_numpy()
    if len(rows) < 2 or bool(np.all(rows[1:] >= rows[:-1])):
        return frame
    return frame.sort_values("row", kind="stable", ignore_index=True)


def _problem_text(check: str, value: object, col: _Column) -> tuple[str, str, str, str]:
    problem, fix, problem_zh, fix_zh = _TEXT[check]
    fill: dict[str, object] = {"value": value}
    if col.vocab is not None:
        suggestion = col.vocab.suggest(value)
        fill.update(
            vocab=f"value of `{col.name}` ({col.vocab.en.lower()})",
            vocab_zh=col.vocab.zh,
            suggest=f"Did you mean `{suggestion}`? " if suggestion else "",
            suggest_zh=f"是否应为“{suggestion}”？" if suggestion else "",
            known="、".join(col.vocab.categories[:12])
            + (" …" if len(col.vocab.categories) > 12 else ""),
        )
    if col.header != col.name:
        problem = problem.rstrip(".") + f" (header `{col.header}`)."
        problem_zh = problem_zh.rstrip("。") + f"（表头“{col.header}”）。"
    return (problem.format(**fill), fix.format(**fill), problem_zh.format(**fill),
            fix_zh.format(**fill))


_PARSERS: dict[str, Callable[[object], Outcome]] = {
    "int": _parse_int, "float": _parse_float, "bool": _parse_bool, "date": _parse_datecell,
    "id": _parse_id, "text": _parse_text,
}


def _factorize(values: pd.Series) -> tuple[np.ndarray, list[object]]:
    """Codes (-1 for missing) and distinct values, by Arrow when the column is text."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = np.asarray(values.cat.codes.to_numpy(), dtype=np.intp)
        return codes, list(values.cat.categories)
    if isinstance(values.dtype, pd.StringDtype) or values.dtype == "str":
        arr = pa.array(values)
        enc = pc.dictionary_encode(arr)
        if isinstance(enc, pa.ChunkedArray):
            enc = enc.combine_chunks()
        codes = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False)
        return codes.astype(np.intp, copy=False), enc.dictionary.to_pylist()
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes, list(uniques)


def _by_distinct(values: pd.Series, col: _Column, parse: Callable[[object], Outcome]) -> tuple:
    """Apply `parse` once per distinct value; return codes and per-distinct outcomes."""
    codes, uniques = _factorize(values)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques)) if len(uniques) else \
        np.zeros(0, dtype=np.int64)
    lookup = _missing_lookup(col.missing) if col.missing else {}
    outcomes: list[Outcome] = []
    for u in uniques:
        if _is_blank(u):
            outcomes.append((None, "blank (spaces only) → missing", None, None))
            continue
        hit = _outcome_missing(u, lookup)
        if hit is not None:
            outcomes.append((None, None, None, hit))
            continue
        outcomes.append(parse(u))
    return codes, uniques, counts, outcomes


def _record_outcomes(col: _Column, codes: np.ndarray, uniques: list, counts: np.ndarray,
                     outcomes: list[Outcome]) -> None:
    need_positions = [i for i, o in enumerate(outcomes) if o[2] is not None or o[3] is not None]
    positions_of: dict[int, np.ndarray] = {}
    if need_positions:
        order = np.argsort(codes, kind="stable")
        sorted_codes = codes[order]
        for i in need_positions:
            lo, hi = np.searchsorted(sorted_codes, [i, i + 1])
            positions_of[i] = np.sort(order[lo:hi])
    for i, (new, kind, problem, missing) in enumerate(outcomes):
        if kind is not None:
            col.change(kind, counts[i], uniques[i], _show(new))
        if problem is not None:
            severity = "warning" if problem == "mixed_types" else "error"
            col.problem(positions_of[i], _show(uniques[i]), problem, severity)
        if missing is not None:
            col.missing_found(positions_of[i], missing[0], missing[1])


def _show(value: object) -> object:
    if isinstance(value, pd.Timestamp):
        return value.isoformat().replace("T00:00:00", "")
    return value


def _take(uniq_values: Any, codes: np.ndarray) -> Any:
    return uniq_values.take(codes, allow_fill=True)


def _build(dtype: str, values: list, codes: np.ndarray, n: int) -> Any:
    """Column of `dtype` from per-distinct values and codes."""
    if dtype == "int":
        arr = pd.array(values, dtype="Int64") if values else pd.array([], dtype="Int64")
        return _take(arr, codes)
    if dtype == "float":
        arr = np.array([np.nan if v is None else v for v in values], dtype="float64")
        out = arr[codes] if len(arr) else np.full(n, np.nan)
        out[codes < 0] = np.nan
        return out
    if dtype == "date":
        arr = np.array([np.datetime64("NaT") if v is None else pd.Timestamp(v).asm8
                        for v in values], dtype="datetime64[ns]")
        out = arr[codes] if len(arr) else np.full(n, np.datetime64("NaT"), "datetime64[ns]")
        out[codes < 0] = np.datetime64("NaT")
        return out
    if dtype == "bool":
        arr = pd.array(values, dtype="boolean") if values else pd.array([], dtype="boolean")
        return _take(arr, codes)
    arr = pd.array(values, dtype="str") if values else pd.array([], dtype="str")
    return _take(arr, codes)


def _arrow(values: pd.Series, *, combine: bool = True) -> pa.Array | pa.ChunkedArray | None:
    """The column as an Arrow string array, when it is text (its chunks joined if `combine`)."""
    if isinstance(values.dtype, pd.StringDtype) or values.dtype == "str":
        arr = pa.array(values)
        if combine and isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        return arr
    return None


def _numeric_fast(values: pd.Series, col: _Column, target: str) -> Any | None:
    """Clean numbers read in one vectorised cast; None when some value needs care."""
    arr = _arrow(values)
    if arr is not None:
        try:
            cast = pc.cast(arr, pa.int64() if target == "int" else pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
        if target == "float" and not pc.all(pc.or_kleene(pc.is_finite(cast),
                                                         pc.is_null(cast))).as_py():
            return None  # "nan"/"inf" written as text: read per value
        if target == "int":
            data = pc.fill_null(cast, 0).to_numpy(zero_copy_only=False)
            mask = pc.is_null(cast).to_numpy(zero_copy_only=False)
            out: Any = pd.arrays.IntegerArray(data.astype(np.int64), mask.copy())
        else:
            out = cast.to_numpy(zero_copy_only=False).astype("float64")
    elif isinstance(values.dtype, pd.Int64Dtype):
        out = values.array if target == "int" else \
            values.to_numpy(dtype="float64", na_value=np.nan)
    elif pd.api.types.is_integer_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
            values.dtype):
        if target == "int":
            data = values.to_numpy(dtype="int64", na_value=0)
            out = pd.arrays.IntegerArray(data, values.isna().to_numpy())
        else:
            out = values.to_numpy(dtype="float64", na_value=np.nan)
    elif pd.api.types.is_float_dtype(values.dtype):
        data = values.to_numpy(dtype="float64", na_value=np.nan)
        if target == "float":
            out = data.copy()
        else:
            finite = ~np.isnan(data)
            if not np.all(data[finite] == np.round(data[finite])):
                return None
            out = pd.arrays.IntegerArray(np.where(finite, data, 0).astype(np.int64), ~finite)
    else:
        return None
    if col.missing:
        out = _numeric_missing(out, col)
    return out


def _numeric_missing(out: Any, col: _Column) -> Any:
    """Declared numeric codes set to missing; which code each cell held is noted."""
    codes = {c: label for c, label in col.missing.items()
             if isinstance(c, int | float) and not isinstance(c, bool)}
    if not codes:
        return out
    if isinstance(out, pd.arrays.IntegerArray):
        data, mask = out._data, out._mask
        hit = np.zeros(len(data), dtype=bool)
        for code in codes:
            if float(code).is_integer():
                hit |= data == int(code)
        hit &= ~mask
    else:
        data = out
        hit = np.zeros(len(data), dtype=bool)
        for code in codes:
            hit |= data == float(code)
    positions = np.flatnonzero(hit)
    if not len(positions):
        return out
    found = pd.Series(data[positions])
    if isinstance(out, pd.arrays.IntegerArray):
        labels = {int(c): label for c, label in codes.items() if float(c).is_integer()}
    else:
        labels = {float(c): label for c, label in codes.items()}
        found = found.map({float(c): c for c in codes})
    col.missing_cells.append(pd.DataFrame({
        "row": col.rows[positions], "column": col.name,
        "code": found.to_numpy(dtype=object), "label": found.map(labels).to_numpy(dtype=object),
    }))
    if isinstance(out, pd.arrays.IntegerArray):
        return pd.arrays.IntegerArray(data, mask | hit)
    out = out.copy()
    out[hit] = np.nan
    return out


def _date_fast(values: pd.Series) -> np.ndarray | None:
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        if getattr(values.dtype, "tz", None) is not None:
            return None
        return values.to_numpy().astype("datetime64[ns]")
    arr = _arrow(values)
    if arr is None:
        return None
    try:
        cast = pc.cast(arr, pa.timestamp("s"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return cast.to_numpy(zero_copy_only=False).astype("datetime64[ns]")


def _text_fast(values: pd.Series, col: _Column) -> Any | None:
    """Text that needs no change, found with one vectorised check; None otherwise."""
    arr = None if col.missing else _arrow(values, combine=False)
    if arr is None:
        return None
    if _plain_ascii(arr):  # then the pattern below matches nowhere
        return values.array
    pattern = r"^\s|\s$|^$|" + (r"[^\x00-\x7f]" if col.dtype == "id" else _FULLWIDTH_RE)
    if pc.any(pc.match_substring_regex(arr, pattern)).as_py():
        return None
    return values.array


#: The bytes RE2's ``\s`` matches: tab, line feed, form feed, carriage return, space.
_SPACE_BYTE = np.zeros(256, dtype=bool)
_SPACE_BYTE[[9, 10, 12, 13, 32]] = True


def _plain_ascii(arr: pa.Array | pa.ChunkedArray) -> bool:
    """Whether every text is ASCII, not empty and without a space at either end.

    Read from the bytes of the Arrow buffers (one pass over the characters, one
    over the first and last byte of each text), ten times faster than the
    regular expression; False also when the buffers are not plain ``string``
    or ``large_string`` (the caller then asks the expression).
    """
    for chunk in arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]:
        if chunk.null_count == len(chunk):
            continue
        if pa.types.is_large_string(chunk.type):
            width = np.int64
        elif pa.types.is_string(chunk.type):
            width = np.int32
        else:
            return False
        _, offsets_buffer, data_buffer = chunk.buffers()
        offsets = np.frombuffer(offsets_buffer, dtype=width)[
            chunk.offset:chunk.offset + len(chunk) + 1]
        data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None \
            else np.zeros(0, dtype=np.uint8)
        if offsets[-1] > offsets[0] and data[offsets[0]:offsets[-1]].max() >= 0x80:
            return False
        starts, ends = offsets[:-1], offsets[1:]
        if chunk.null_count:
            valid = chunk.is_valid().to_numpy(zero_copy_only=False)
            starts, ends = starts[valid], ends[valid]
        if (ends <= starts).any():
            return False  # an empty text
        if _SPACE_BYTE[data[starts]].any() or _SPACE_BYTE[data[ends - 1]].any():
            return False
    return True


def _normalise_column(values: pd.Series, col: _Column) -> Any:
    """The normalised column (an array), with changes and problems noted on `col`."""
    n = len(values)
    kind = col.dtype
    if kind in ("int", "float"):
        fast = _numeric_fast(values, col, kind)
        if fast is not None:
            return fast
    if kind == "date":
        fast = _date_fast(values)
        if fast is not None:
            return fast
    if kind == "bool" and (pd.api.types.is_bool_dtype(values.dtype)):
        return values.astype("boolean").array
    if kind in ("id", "text"):
        fast = _text_fast(values, col)
        if fast is not None:
            return fast
    if kind in ("category", "ordered"):
        return _normalise_vocab(values, col)
    if kind == "infer":
        return _normalise_infer(values, col)
    codes, uniques, counts, outcomes = _by_distinct(values, col, _PARSERS[kind])
    _record_outcomes(col, codes, uniques, counts, outcomes)
    return _build(kind, [o[0] for o in outcomes], codes, n)


def _normalise_vocab(values: pd.Series, col: _Column) -> pd.Categorical:
    vocab = col.vocab
    assert vocab is not None
    codes, uniques, counts, outcomes = _by_distinct(values, col, _vocab_parser(vocab))
    _record_outcomes(col, codes, uniques, counts, outcomes)
    categories = list(vocab.categories)
    for new, _kind, _problem, _missing in outcomes:
        if new is not None and new not in categories:
            categories.append(new)
    index = {c: i for i, c in enumerate(categories)}
    uniq_codes = np.array([-1 if o[0] is None else index[o[0]] for o in outcomes] + [-1],
                          dtype=np.int64)
    cat_codes = uniq_codes[codes]  # codes == -1 picks the trailing -1
    return pd.Categorical.from_codes(cat_codes, categories=categories,
                                     ordered=col.dtype == "ordered")


def _normalise_infer(values: pd.Series, col: _Column) -> Any:
    """A column the table does not know: numbers when every value is one, else text."""
    if isinstance(values.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(
            values.dtype) or pd.api.types.is_datetime64_any_dtype(values.dtype):
        if col.missing and isinstance(values.dtype, pd.CategoricalDtype):
            return _categorical_missing(values, col)
        return values.array
    arr = _arrow(values)
    if arr is not None:
        zeros = pc.and_(pc.starts_with(arr, "0"), pc.greater(pc.utf8_length(arr), 1))
        leading_zero = bool(pc.any(pc.and_(zeros, pc.invert(pc.starts_with(arr, "0.")))).as_py())
        if not leading_zero:
            for target in ("int", "float"):
                fast = _numeric_fast(values, col, target)
                if fast is not None:
                    return fast
    elif pd.api.types.is_numeric_dtype(values.dtype):
        for target in ("int", "float"):
            fast = _numeric_fast(values, col, target)
            if fast is not None:
                return fast
        return values.array
    else:
        leading_zero = False
    codes, uniques, counts, outcomes = _by_distinct(values, col, lambda v: (v, None, None, None))
    numbers: list[Outcome] = []
    non_numbers = []
    for u, o in zip(uniques, outcomes, strict=True):
        if o[0] is None:  # blank or missing code
            numbers.append(o)
            continue
        parsed = _parse_float(u)
        if parsed[2] is not None or (isinstance(u, str) and leading_zero):
            non_numbers.append(u)
        numbers.append(parsed)
    if not non_numbers and uniques:
        whole = all(o[0] is None or float(o[0]).is_integer() for o in numbers)
        target = "int" if whole else "float"
        final = [(None if o[0] is None else (int(o[0]) if whole else float(o[0])),
                  o[1], o[2], o[3]) for o in numbers]
        _record_outcomes(col, codes, uniques, counts, final)
        return _build(target, [o[0] for o in final], codes, len(values))
    # text: note stray text in a column that is otherwise numbers
    text_outcomes = []
    n_numbers = sum(1 for o in numbers if o[0] is not None and o[2] is None)
    mostly_numbers = n_numbers >= 3 * len(non_numbers) and not leading_zero
    for u, o in zip(uniques, outcomes, strict=True):
        if o[0] is None:
            text_outcomes.append(o)
            continue
        parsed = _parse_text(u)
        if mostly_numbers and u in non_numbers:
            parsed = (parsed[0], parsed[1], "mixed_types", None)
        text_outcomes.append(parsed)
    _record_outcomes(col, codes, uniques, counts, text_outcomes)
    return _build("text", [o[0] for o in text_outcomes], codes, len(values))


def _categorical_missing(values: pd.Series, col: _Column) -> pd.Categorical:
    """Declared missing codes in a labelled (categorical) column: by label or by code."""
    cat = values.array.copy()
    lookup = _missing_lookup(col.missing)
    codebook = (values.attrs.get("codebook") or {}).get(values.name) or {}
    label_codes = {str(v): k for k, v in (codebook.get("value_labels") or {}).items()}
    drop = []
    for category in cat.categories:
        hit = _outcome_missing(category, lookup)
        if hit is None and str(category) in label_codes:
            hit = _outcome_missing(label_codes[str(category)], lookup)
        if hit is not None:
            positions = np.flatnonzero(np.asarray(cat == category))
            if len(positions):
                col.missing_found(positions, hit[0], hit[1] or str(category))
            drop.append(category)
    if drop:
        cat = cat.remove_categories(drop)
    return cat


# ---------------------------------------------------------------------------
# Frames
# ---------------------------------------------------------------------------


def _kind_of(column: schema.Column | None) -> str:
    if column is None:
        return "infer"
    if column.dtype == "string":
        is_id = column.unique or column.references is not None or column.name.endswith("_id")
        is_id = is_id or column.name in ("stratum", "cluster", "topic_id")
        return "id" if is_id else "text"
    return column.dtype


def _eligible_for_common_codes(column: schema.Column | None) -> bool:
    return column is None or column.dtype in ("category", "ordered", "bool")


def normalise_frame(
    data: pd.DataFrame,
    *,
    table: str | None,
    record: LoadRecord,
    rows: np.ndarray | None = None,
    missing_codes: object = None,
    headers: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, dict[str, dict[str, Any]]]:
    """Normalise every column of `data` to its canonical type.

    Parameters
    ----------
    data : pandas.DataFrame
        Columns already named canonically (unknown columns keep their header).
    table : str or None
        Table kind; None treats every column as unknown (numbers or text).
    record : LoadRecord
        Receives changes, problems and missing-code cells.
    rows : numpy.ndarray, optional
        File row of each row of `data` (default: ``record.row_numbers``, else
        ``record.first_data_row + position``).
    missing_codes : list or dict, optional
        Declared missing codes (see :func:`parse_missing_codes`).
    headers : dict, optional
        Column → original header, used in problem messages and to match
        per-column missing codes given by header.

    Returns
    -------
    frame : pandas.DataFrame
        A new frame; the input is not modified.
    codebook : dict
        Column → ``{"missing_codes": {code: label}}`` for columns with codes.
    """
    headers = dict(headers or {})
    if rows is None:
        rows = np.asarray(record.row_numbers, dtype=np.int64) if len(record.row_numbers) \
            else np.arange(len(data), dtype=np.int64) + record.first_data_row
    rows = np.asarray(rows, dtype=np.int64)
    names = tuple(map(str, data.columns)) + tuple(str(v) for v in headers.values())
    codes = missing_codes if isinstance(missing_codes, MissingCodes) else \
        parse_missing_codes(missing_codes, columns=names)
    spec = schema.TABLES[table] if table is not None else None
    work: list[tuple[pd.Series, _Column]] = []
    for name in data.columns:
        column = spec.get(name) if spec is not None else None
        header = headers.get(name, name)
        col = _Column(
            name=name, header=header, dtype=_kind_of(column),
            vocab=schema.VOCABULARIES[column.vocabulary] if column is not None
            and column.vocabulary else None,
            missing=codes.for_column((name, header),
                                     eligible=_eligible_for_common_codes(column)),
            record=record, rows=rows,
        )
        if col.dtype in ("category", "ordered") and col.vocab is None:
            col.dtype = "text"
        work.append((data[name], col))
    out: dict[str, Any] = {}
    codebook: dict[str, dict[str, Any]] = {}
    for (_, col), normalised in zip(work, _normalised(work, n_rows=len(data)), strict=True):
        out[col.name] = normalised
        col.flush()  # in column order, as each column is done
        if col.missing:
            codebook[col.name] = {"missing_codes": dict(col.missing)}
    frame = pd.DataFrame(out, index=data.index, copy=False)
    return frame, codebook


def _normalised(work: list[tuple[pd.Series, _Column]], *, n_rows: int) -> Iterator[Any]:
    """`_normalise_column` of each (values, column), yielded in order.

    On a large frame two columns are worked on at a time: the work is mostly
    NumPy and Arrow, which release the GIL, and each column notes its changes
    on its own `_Column`, which is flushed to the record in column order.
    """
    if len(work) < 2 or not two_threads(n_rows):
        for values, col in work:
            yield _normalise_column(values, col)
        return
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield from pool.map(lambda item: _normalise_column(*item), work)
