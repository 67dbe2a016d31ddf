"""Validation: every problem of a table or a study, found at once.

:func:`validate` checks one canonical table (a DataFrame and its ``kind``) or a whole
:class:`toolkit.Study` and returns a :class:`ValidationReport`. Nothing stops at the
first problem: the report lists every one, each with the table, file, sheet and row
as the spreadsheet shows it, the column, the value (personal values masked), a
short ``check`` code, a severity, and what is wrong and how to fix it in English
and Chinese.

The per-table checks run through pandera (one :class:`pandera.DataFrameSchema` per
canonical table, generated from :data:`toolkit.schema.TABLES` by
:func:`table_schema`, validated with ``lazy=True``); the checks across tables
(references, date order) are vectorised pandas.

Checks (the ``check`` column of a report)
-----------------------------------------
``read``
    Problems the readers recorded while reading a file (load records).
``rows_unaccounted``
    A load record whose rows read ≠ rows kept + rows set aside.
``missing_column``
    A required column (or a column named by the survey design or a scale) is absent.
``missing_value``
    An empty cell in a required column (an error in identifier columns).
``type``
    A value of the wrong type (a text that is not a date, a number, yes/no).
``unknown_value``
    A value outside the column's vocabulary; the closest known term is suggested.
``out_of_range``
    A number outside the column's range or outside a scale's ``min``–``max``.
``duplicate_id``
    An identifier used by more than one row.
``duplicate_key``
    A key combination (e.g. session and participant in attendance) repeated.
``duplicate_row``
    A row identical to an earlier row.
``dangling_reference``
    An id pointing to a row that does not exist in the referenced table.
``impossible_date``
    A date before the date it follows (implemented before the session, response
    before submission).
``future_date``
    A date after the data's reference date (``as_of``, by default today).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from toolkit import schema
from toolkit.errors import PROBLEM_COLUMNS, ValidationError

if TYPE_CHECKING:
    import pandera.pandas as pa

    from toolkit.study import Study

__all__ = ["CHECKS", "ValidationReport", "guess_kind", "table_schema", "validate"]

#: Check codes in the order problems of one row are listed.
CHECKS = (
    "read", "rows_unaccounted", "missing_column", "missing_value", "type", "unknown_value",
    "out_of_range", "duplicate_row", "duplicate_id", "duplicate_key", "dangling_reference",
    "impossible_date", "future_date",
)
_CHECK_ORDER = {c: i for i, c in enumerate(CHECKS)}

_DTYPE_WORDS = {
    "date": ("a date", "日期", "2023-11-08"),
    "int": ("a whole number", "整数", "3"),
    "float": ("a number", "数字", "0.5"),
    "bool": ("yes/no", "是/否", "是 or 否"),
}

#: Date pairs: (table, later column, earlier column).
_DATE_ORDER = (
    ("sessions", "implemented_date", "date"),
    ("submissions", "response_date", "date"),
)


# ---------------------------------------------------------------------------
# Vectorised element checks (used inside the pandera schemas)
# ---------------------------------------------------------------------------


def _all(index: pd.Index, *, value: bool) -> pd.Series:
    return pd.Series(value, index=index, dtype=bool)


def _plain(s: pd.Series) -> pd.Series:
    """Categoricals as their values, so that numeric and date parsing works."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.astype(object)
    return s


def _as_dates(s: pd.Series) -> pd.Series:
    """Dates of a column (NaT where a value is not a date)."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s
    values = _plain(s)
    if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        return pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    if pd.api.types.is_string_dtype(values.dtype) and not pd.api.types.is_object_dtype(
            values.dtype):
        is_text = values.notna()
        is_date = _all(s.index, value=False)
    else:
        is_text = values.map(lambda v: isinstance(v, str)).astype(bool)
        is_date = values.map(
            lambda v: isinstance(v, dt.date | pd.Timestamp | np.datetime64)).astype(bool)
    if is_date.any():
        out[is_date] = pd.to_datetime(values[is_date].tolist(), errors="coerce")
    if is_text.any():
        text = values[is_text].astype(str).str.strip()
        out[is_text] = pd.to_datetime(text, errors="coerce", format="ISO8601")
    return out


def _is_date(s: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return _all(s.index, value=True)
    return _as_dates(s).notna() | s.isna()


def _as_numbers(s: pd.Series) -> pd.Series:
    values = _plain(s)
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("Float64").astype("float64")
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.astype("float64")
    strings = values.map(lambda v: v.strip() if isinstance(v, str) else v)
    return pd.to_numeric(strings, errors="coerce").astype("float64")


def _is_number(s: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        return _all(s.index, value=True)
    return _as_numbers(s).notna() | s.isna()


def _is_whole(s: pd.Series) -> pd.Series:
    if pd.api.types.is_integer_dtype(s.dtype):
        return _all(s.index, value=True)
    num = _as_numbers(s)
    return (num.notna() & (np.floor(num) == num)) | s.isna()


def _is_bool(s: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(s.dtype):
        return _all(s.index, value=True)
    values = _plain(s)
    ok = values.map(
        lambda v: isinstance(v, bool | np.bool_)
        or (isinstance(v, int | float | np.integer | np.floating) and v in (0, 1))
    )
    return ok.astype(bool) | s.isna()


_TYPE_CHECKS: dict[str, Callable[[pd.Series], pd.Series]] = {
    "date": _is_date, "int": _is_whole, "float": _is_number, "bool": _is_bool,
}


def _item_codes(s: pd.Series, value_labels: Mapping | None = None) -> pd.Series:
    """Numeric codes of a survey item, as ``toolkit._values.as_numeric`` gives them.

    Categoricals are converted through their categories (labels → codes, else
    position in an ordered categorical, else numeric categories), which is fast
    for a million rows. Raises TypeError when an item has no numeric codes.
    """
    if not isinstance(s.dtype, pd.CategoricalDtype):
        if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
            return _as_numbers(s)
        num = _as_numbers(s)
        if bool((num.isna() & s.notna()).any()):
            msg = "text values without numeric codes"
            raise TypeError(msg)
        return num
    cats = s.cat.categories
    if value_labels:
        to_code = {str(label): code for code, label in value_labels.items()}
        values = pd.to_numeric(pd.Series([to_code.get(str(c), np.nan) for c in cats],
                                         dtype=object), errors="coerce").to_numpy(float)
    elif s.cat.ordered:
        values = np.arange(1, len(cats) + 1, dtype=float)
    else:
        values = pd.to_numeric(pd.Series(cats, dtype=object), errors="coerce").to_numpy(float)
        if len(cats) and np.isnan(values).all():
            msg = "an unordered categorical without value labels"
            raise TypeError(msg)
    codes = s.cat.codes.to_numpy()
    out = np.full(len(codes), np.nan)
    present = codes >= 0
    out[present] = values[codes[present]]
    return pd.Series(out, index=s.index, name=s.name)


def _in_range(low: float | None, high: float | None, value_labels: Any = None):
    def check(s: pd.Series) -> pd.Series:
        try:
            num = _item_codes(s, value_labels)
        except TypeError:
            num = _as_numbers(s)
        bad = _all(s.index, value=False)
        if low is not None:
            bad |= num < low
        if high is not None:
            bad |= num > high
        return ~bad

    return check


def _vocabulary_check(vocab: schema.Vocabulary):
    terms = vocab.categories

    def check(s: pd.Series) -> pd.Series:
        return s.isin(terms) | s.isna()

    return check


#: Key codes of the frame being validated, shared by the checks of one run
#: (factorising a million ids is the costliest step; it is done once).
_KEY_CODES: dict[tuple[int, tuple[str, ...]], np.ndarray] = {}


def _key_codes(df: pd.DataFrame, cols: list[str]) -> np.ndarray:
    """One integer per row identifying its values in `cols` (-1 never occurs: NA is a value)."""
    memo_key = (id(df), tuple(cols))
    if memo_key not in _KEY_CODES:
        if len(cols) == 1:
            codes, _ = pd.factorize(df[cols[0]], use_na_sentinel=False)
        else:
            codes = df.groupby(cols, dropna=False, sort=False, observed=True).ngroup() \
                .to_numpy()
        _KEY_CODES[memo_key] = np.asarray(codes, dtype="int64")
    return _KEY_CODES[memo_key]


def _repeated(codes: np.ndarray, *, keep: str | bool) -> np.ndarray:
    return pd.Series(codes).duplicated(keep=keep).to_numpy()


def _row_check(subset: tuple[str, ...] | None, key: tuple[str, ...] = ()):
    """Rows that repeat an earlier row (all columns, or the columns of `subset`).

    A row can only repeat an earlier one whose key it shares, so the comparison of
    whole rows is limited to rows with a repeated key (fast for large tables).
    """

    def check(df: pd.DataFrame) -> pd.Series:
        if subset is not None:
            cols = [c for c in subset if c in df.columns]
            if not cols or cols[0] != subset[0]:
                return _all(df.index, value=True)
            repeated = _repeated(_key_codes(df, cols), keep="first")
            # rows with an empty key are reported as missing values, not duplicates
            return pd.Series(~repeated, index=df.index) | df[cols].isna().any(axis=1)
        present = [c for c in key if c in df.columns]
        if present and present[0] == key[0]:
            candidates = _repeated(_key_codes(df, present), keep=False)
            if not candidates.any():
                return _all(df.index, value=True)
            ok = _all(df.index, value=True)
            ok[candidates] = ~df[candidates].duplicated(keep="first")
            return ok
        return ~df.duplicated(keep="first")

    return check


@cache
def table_schema(kind: str) -> pa.DataFrameSchema:
    """The pandera schema of a canonical table, generated from :data:`schema.TABLES`.

    Every known column gets its checks: ``type`` (dates, whole numbers, numbers,
    yes/no), ``unknown_value`` (vocabulary), ``out_of_range`` (``min_value`` /
    ``max_value``), uniqueness for identifiers and non-null for required columns.
    Two frame-wide checks find repeated rows (``duplicate_row``) and repeated keys
    of tables keyed by several columns (``duplicate_key``). Columns not in the
    schema (e.g. survey items) are allowed.

    Parameters
    ----------
    kind : str
        One of ``tk.schema.TABLE_NAMES``.

    Returns
    -------
    pandera.DataFrameSchema

    Examples
    --------
    >>> s = table_schema("attendance")
    >>> sorted(s.columns)
    ['participant_id', 'role', 'session_id', 'speeches']
    >>> s.columns["role"].checks[0].name
    'unknown_value'
    """
    import pandera.pandas as pa

    table = _table(kind)
    columns = {}
    for col in table.columns:
        checks = []
        if col.vocabulary is not None:
            checks.append(pa.Check(_vocabulary_check(schema.VOCABULARIES[col.vocabulary]),
                                   name="unknown_value"))
        elif col.dtype in _TYPE_CHECKS:
            checks.append(pa.Check(_TYPE_CHECKS[col.dtype], name="type"))
        if col.min_value is not None or col.max_value is not None:
            checks.append(pa.Check(_in_range(col.min_value, col.max_value),
                                   name="out_of_range"))
        columns[col.name] = pa.Column(
            checks=checks,
            required=col.required,
            nullable=not col.required,
            unique=col.unique,
            report_duplicates="exclude_first",
            coerce=False,
        )
    frame_checks = [pa.Check(_row_check(None, key=table.key), name="duplicate_row",
                             ignore_na=False)]
    if len(table.key) > 1:
        frame_checks.append(
            pa.Check(_row_check(table.key), name="duplicate_key", ignore_na=False))
    return pa.DataFrameSchema(columns, checks=frame_checks, strict=False, name=kind)


def _table(kind: str) -> schema.Table:
    if kind not in schema.TABLES:
        close = difflib.get_close_matches(str(kind), schema.TABLE_NAMES, n=1)
        hint = f" Did you mean `{close[0]}`?" if close else ""
        msg = (f"Unknown table kind `{kind}` for `kind`.{hint} Use one of: "
               f"{', '.join(schema.TABLE_NAMES)}.")
        raise ValueError(msg)
    return schema.TABLES[kind]


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


@dataclass
class ValidationReport:
    """Every problem found in a table or a study.

    Attributes
    ----------
    problems : pandas.DataFrame
        One row per problem, columns ``table, file, sheet, row, column, value,
        check, severity, problem, fix, problem_zh, fix_zh`` (see
        :data:`toolkit.errors.PROBLEM_COLUMNS`). ``row`` is the row number as the
        spreadsheet shows it (empty for problems of a whole column or table);
        personal values are masked.

    Examples
    --------
    >>> att = pd.DataFrame({"session_id": ["S1", "S1"], "participant_id": ["P1", "P1"]})
    >>> report = tk.validate(att, kind="attendance")
    >>> report
    <ValidationReport: 1 error(s), 0 warning(s)>
    >>> print(report.to_text(lang="en"))
    Validation: 1 error(s), 0 warning(s).
    [error] attendance, row 3: This row repeats row 2 exactly.
    Fix: Delete the repeated row (it would be counted twice).
    >>> report.summary()
            table          check severity  n
    0  attendance  duplicate_row    error  1
    """

    problems: pd.DataFrame

    @property
    def ok(self) -> bool:
        """True when no problem has severity ``"error"``."""
        return not bool((self.problems["severity"] == "error").any())

    @property
    def n_errors(self) -> int:
        """Number of error-severity problems."""
        return int((self.problems["severity"] == "error").sum())

    @property
    def n_warnings(self) -> int:
        """Number of warning-severity problems."""
        return int((self.problems["severity"] == "warning").sum())

    def to_frame(self) -> pd.DataFrame:
        """The problems (a copy)."""
        return self.problems.copy()

    def summary(self) -> pd.DataFrame:
        """Problems counted by table, check and severity: ``table, check, severity, n``."""
        cols = ["table", "check", "severity"]
        if not len(self.problems):
            return pd.DataFrame({c: pd.Series(dtype=object) for c in cols}).assign(
                n=pd.Series(dtype="int64"))
        out = (self.problems.assign(table=self.problems["table"].fillna(""))
               .groupby(cols, sort=False).size().rename("n").reset_index())
        return out

    def raise_if_errors(self) -> ValidationReport:
        """Raise one :class:`~toolkit.errors.ValidationError` listing every problem.

        Returns the report itself when there is no error (warnings do not raise).

        Raises
        ------
        ValidationError
            With ``.problems`` holding every problem, errors first.
        """
        if self.ok:
            return self
        ordered = self.problems.sort_values(
            "severity", key=lambda s: s.ne("error"), kind="stable").reset_index(drop=True)
        msg = (f"Validation found {self.n_errors} error(s) and {self.n_warnings} warning(s); "
               "every one is listed in `.problems`.")
        raise ValidationError(ordered, msg)

    def to_text(self, lang: str = "zh") -> str:
        """The report as plain text, one line per problem.

        Parameters
        ----------
        lang : {"zh", "en"}, default "zh"
            Language of the text.
        """
        if lang not in ("zh", "en"):
            msg = f"`lang` must be \"zh\" or \"en\", not {lang!r}."
            raise ValueError(msg)
        zh = lang == "zh"
        if zh:
            head = (f"校验结果：{self.n_errors} 个错误，{self.n_warnings} 个警告。"
                    if len(self.problems) else "校验结果：未发现问题。")
        else:
            head = (f"Validation: {self.n_errors} error(s), {self.n_warnings} warning(s)."
                    if len(self.problems) else "Validation: no problems found.")
        lines = [head]
        for rec in self.problems.to_dict("records"):
            lines.append(_line(rec, zh=zh))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<ValidationReport: {self.n_errors} error(s), {self.n_warnings} "
                f"warning(s)>")

    def _repr_html_(self) -> str:
        status = "OK" if self.ok else "errors found"
        head = (f"<p><b>Validation: {status}</b> — {self.n_errors} error(s), "
                f"{self.n_warnings} warning(s).</p>")
        if not len(self.problems):
            return head
        shown = self.problems[["table", "file", "sheet", "row", "column", "value", "check",
                               "severity", "problem", "fix"]]
        return head + shown.to_html(index=False, na_rep="", escape=True)


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and np.isnan(value)) \
        and value is not pd.NA and str(value) != ""


def _line(rec: Mapping[str, Any], *, zh: bool) -> str:
    where = []
    if _present(rec["table"]):
        where.append(str(rec["table"]))
    if _present(rec["file"]):
        name = str(rec["file"])
        if _present(rec["sheet"]):
            name += f" [{rec['sheet']}]"
        where.append(name)
    if _present(rec["row"]):
        where.append(f"第 {int(rec['row'])} 行" if zh else f"row {int(rec['row'])}")
    if _present(rec["column"]):
        col = str(rec["column"])
        if _present(rec["value"]):
            col += f" = {rec['value']!r}" if not zh else f"＝“{rec['value']}”"
        where.append(col)
    sev = rec["severity"]
    if zh:
        tag = "错误" if sev == "error" else "警告"
        return f"[{tag}] {'，'.join(where)}：{rec['problem_zh']} 修改：{rec['fix_zh']}"
    return f"[{sev}] {', '.join(where)}: {rec['problem']} Fix: {rec['fix']}"


# ---------------------------------------------------------------------------
# Personal values
# ---------------------------------------------------------------------------


_MOBILE = re.compile(r"(\+?86)?1[3-9]\d{9}")


def _looks_personal(text: str) -> bool:
    """An ID-card or mobile number, wherever it was typed (masked even in other columns)."""
    from toolkit.io.personal import is_id_card

    compact = re.sub(r"[\s\-()（）]", "", unicodedata.normalize("NFKC", text))
    if len(compact) not in (11, 13, 14, 15, 18):
        return False
    return bool(_MOBILE.fullmatch(compact)) or bool(is_id_card(compact))


def _mask(value: object, kind: str | None) -> object:
    from toolkit.io.personal import mask

    return mask(value, kind)


def _personal_columns(frame: pd.DataFrame, kind: str | None) -> dict[str, str]:
    """Column → personal kind: schema, the frame's codebook, and detection."""
    out: dict[str, str] = {}
    if kind in schema.TABLES:
        for col in schema.TABLES[kind].columns:
            if col.personal and col.name in frame.columns:
                out[col.name] = col.personal
    for column, entry in (frame.attrs.get("codebook") or {}).items():
        if isinstance(entry, Mapping) and entry.get("personal") and column in frame.columns:
            out[str(column)] = str(entry["personal"])
    from toolkit.io.personal import find_personal

    found = find_personal(frame)
    out.update({k: v for k, v in _personal_pairs(found) if k not in out})
    return out


def _personal_pairs(found: Any) -> list[tuple[str, str]]:
    if isinstance(found, pd.DataFrame):
        if not len(found):
            return []
        kind_col = "kind" if "kind" in found.columns else found.columns[1]
        return [(str(c), str(k)) for c, k in zip(found["column"], found[kind_col],
                                                 strict=True)]
    if isinstance(found, Mapping):
        return [(str(c), str(k)) for c, k in found.items()]
    return []


# ---------------------------------------------------------------------------
# Collecting problems
# ---------------------------------------------------------------------------


def _fmt(value: object) -> str | None:
    """A value as it would be written in a cell (dates as 2023-11-08, 6.0 as 6)."""
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


class _Collector:
    """Problems of one validation run, with the context of each table."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.context: dict[str, dict[str, Any]] = {}

    def add_table(self, kind: str, frame: pd.DataFrame) -> None:
        rec = frame.attrs.get("load_record")
        self.context[kind] = {
            "frame": frame,
            "record": rec,
            "file": getattr(rec, "file", None),
            "sheet": getattr(rec, "sheet", None),
            "rows": _row_numbers(frame, rec),
            "personal": None,  # found on first use: only values shown need it
            "columns": {c: i for i, c in enumerate(frame.columns)},
            "data": _bare(frame),
        }

    def personal(self, kind: str) -> dict[str, str]:
        """Personal columns of table `kind` (column → kind), found once."""
        ctx = self.context.get(kind)
        if ctx is None:
            return {}
        if ctx["personal"] is None:
            ctx["personal"] = _personal_columns(ctx["frame"], kind)
        return ctx["personal"]

    def value(self, kind: str, column: str | None, value: object) -> str | None:
        text = _fmt(value)
        if text is None:
            return text
        personal = self.personal(kind).get(column) if column is not None else None
        if personal or _looks_personal(text):
            masked = _mask(text, personal)
            return None if masked is None else str(masked)
        return text

    def add(
        self,
        kind: str,
        *,
        position: int | None,
        column: str | None,
        value: str | None,
        check: str,
        texts: tuple[str, str, str, str],
        severity: str = "error",
    ) -> None:
        ctx = self.context.get(kind, {})
        row = None if position is None else int(ctx["rows"][position])
        col_pos = ctx.get("columns", {}).get(column, 10_000) if column else -1
        self.rows.append({
            "table": kind, "file": ctx.get("file"), "sheet": ctx.get("sheet"), "row": row,
            "column": column, "value": value, "check": check, "severity": severity,
            "problem": texts[0], "fix": texts[1], "problem_zh": texts[2], "fix_zh": texts[3],
            "_order": (schema.TABLE_NAMES.index(kind) if kind in schema.TABLE_NAMES else 99,
                       -1 if row is None else row, col_pos, _CHECK_ORDER.get(check, 99), 1),
        })

    def add_record_problem(self, kind: str, fields: Mapping[str, Any]) -> None:
        column = fields.get("column")
        column = None if not _present(column) else str(column)
        value = fields.get("value")
        row = fields.get("row")
        row = None if not _present(row) else int(row)
        ctx = self.context.get(kind, {})
        personal = self.personal(kind).get(column) if column else None
        text = _fmt(value)
        if text is not None and (personal or _looks_personal(text)):
            text = str(_mask(text, personal))
        check = fields.get("check") or "read"
        self.rows.append({
            "table": fields.get("table") or kind,
            "file": fields.get("file") or ctx.get("file"),
            "sheet": fields.get("sheet") or ctx.get("sheet"),
            "row": row, "column": column, "value": text,
            "check": check,
            "severity": fields.get("severity") or "error",
            "problem": fields.get("problem"), "fix": fields.get("fix"),
            "problem_zh": fields.get("problem_zh") or fields.get("problem"),
            "fix_zh": fields.get("fix_zh") or fields.get("fix"),
            "_order": (schema.TABLE_NAMES.index(kind) if kind in schema.TABLE_NAMES else 99,
                       -1 if row is None else row, ctx.get("columns", {}).get(column, 10_000)
                       if column else -1, _CHECK_ORDER.get(check, 0), 0),
        })

    def frame(self) -> pd.DataFrame:
        rows = sorted(self.rows, key=lambda r: r["_order"])
        out = pd.DataFrame([{k: r[k] for k in PROBLEM_COLUMNS} for r in rows],
                           columns=PROBLEM_COLUMNS)
        out = out.astype(object)
        out["value"] = pd.Series([r["value"] for r in rows], dtype=object)
        out["row"] = pd.array([r["row"] for r in rows], dtype="Int64")
        # a problem the reader already recorded is not reported twice (the reader's
        # text, which names the file's own header, is kept)
        where = out[["table", "row", "column", "check"]].astype(str)
        return out[~where.duplicated(keep="first")].reset_index(drop=True)


def _bare(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame by position, without ``attrs``.

    pandas deep-copies ``attrs`` (codebooks with value labels) into every column
    taken from a frame; the checks read columns hundreds of times, so they work
    on a copy-on-write view without them.
    """
    data = frame.reset_index(drop=True)
    data.attrs = {}
    return data


def _row_numbers(frame: pd.DataFrame, rec: Any) -> np.ndarray:
    """Spreadsheet row number of each row of `frame` (by position)."""
    n = len(frame)
    numbers = getattr(rec, "row_numbers", None)
    numbers = np.asarray([] if numbers is None else numbers, dtype="int64")
    if len(numbers) and len(numbers) == n:
        return numbers
    if len(numbers) and n and pd.api.types.is_integer_dtype(frame.index.dtype):
        # a subset of the frame the reader returned: its index labels are positions
        labels = frame.index.to_numpy()
        if labels.min() >= 0 and labels.max() < len(numbers):
            return numbers[labels]
    first = int(getattr(rec, "first_data_row", 2) or 2) if rec is not None else 2
    return np.arange(n, dtype="int64") + first


# ---------------------------------------------------------------------------
# Texts
# ---------------------------------------------------------------------------


def _col_label(kind: str, column: str, *, zh: bool) -> str:
    col = schema.TABLES[kind].get(column) if kind in schema.TABLES else None
    if col is None:
        return f"`{column}`"
    return f"“{column}”（{col.zh}）" if zh else f"`{column}` ({col.en.lower()})"


def _table_label(kind: str, *, zh: bool) -> str:
    table = schema.TABLES.get(kind)
    if table is None:
        return kind
    return f"{table.zh}表（{kind}）" if zh else f"{kind} table"


def _texts_missing_column(kind: str, column: str, frame: pd.DataFrame, why: str | None = None,
                          why_zh: str | None = None) -> tuple[str, str, str, str]:
    known = set(schema.TABLES[kind].column_names) if kind in schema.TABLES else set()
    others = [str(c) for c in frame.columns if str(c) not in known]
    close = difflib.get_close_matches(column, others, n=1, cutoff=0.6)
    problem = (f"Column {_col_label(kind, column, zh=False)} is missing from the "
               f"{_table_label(kind, zh=False)}" + (f" ({why})." if why else "."))
    problem_zh = (f"{_table_label(kind, zh=True)}缺少列{_col_label(kind, column, zh=True)}"
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


def _texts_type(kind: str, column: str, value: str | None, dtype: str):
    en_word, zh_word, example = _DTYPE_WORDS[dtype]
    en_ex = example.replace(" or ", "/") if dtype == "bool" else example
    problem = f"`{value}` in {_col_label(kind, column, zh=False)} is not {en_word}."
    problem_zh = f"{_col_label(kind, column, zh=True)}中的“{value}”不是{zh_word}。"
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


def _vocab_examples(vocab: schema.Vocabulary, k: int = 6) -> str:
    terms = vocab.categories
    shown = "、".join(terms[:k])
    return shown + ("…" if len(terms) > k else "")


def _texts_unknown(kind: str, column: str, value: str | None, raw: object,
                   vocab: schema.Vocabulary):
    known = vocab.normalise(raw)
    if known is not None:
        problem = (f"`{value}` in {_col_label(kind, column, zh=False)} is another spelling of "
                   f"`{known}`; values are stored as the Chinese term.")
        problem_zh = (f"{_col_label(kind, column, zh=True)}中的“{value}”是“{known}”的另一种"
                      "写法，取值应存为中文术语。")
        fix = (f"Replace it with `{known}` (`tk.io.read_table(kind=...)` does this when "
               "reading).")
        fix_zh = f"改为“{known}”（用 `tk.io.read_table(kind=...)` 读取时会自动转换）。"
        return problem, fix, problem_zh, fix_zh
    close = vocab.suggest(raw)
    problem = f"`{value}` in `{column}` is not a known {vocab.en.lower()}."
    problem_zh = f"“{column}”中的“{value}”不是已知的{vocab.zh}。"
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
    lo, hi = _fmt(low), _fmt(high)
    if lo is not None and hi is not None:
        return f"{lo}–{hi}", f"{lo}～{hi}"
    if lo is not None:
        return f"at least {lo}", f"不小于 {lo}"
    return f"at most {hi}", f"不大于 {hi}"


def _texts_range(kind: str, column: str, value: str | None, low, high, scale: str | None = None):
    en, zh = _bounds(low, high)
    if scale is None:
        problem = f"{value} in {_col_label(kind, column, zh=False)} is outside its range ({en})."
        problem_zh = f"{_col_label(kind, column, zh=True)}中的 {value} 超出取值范围（{zh}）。"
    else:
        problem = f"{value} in `{column}` is outside the {en} scale of `{scale}`."
        problem_zh = f"“{column}”中的 {value} 超出量表“{scale}”的取值范围（{zh}）。"
    fix = ("Correct the value; if it is a code for a missing answer (e.g. 98/99), declare it "
           "in `missing_codes`.")
    fix_zh = "更正该值；如果它是缺失代码（如 98/99），请在 `missing_codes` 中声明。"
    return problem, fix, problem_zh, fix_zh


# ---------------------------------------------------------------------------
# Per-table checks
# ---------------------------------------------------------------------------


def _failure_cases(frame: pd.DataFrame, kind: str, extra: Mapping[str, Any]) -> pd.DataFrame:
    """Run the pandera schema of `kind` (plus `extra` columns) on a position-indexed frame."""
    import pandera.pandas as pa

    sch = table_schema(kind)
    if extra:
        sch = sch.add_columns(dict(extra))
    try:
        # `frame` is a copy-on-write view made for validation, and nothing is coerced:
        # pandera need not copy it again
        sch.validate(frame, lazy=True, inplace=True)
    except pa.errors.SchemaErrors as exc:
        return exc.failure_cases
    finally:
        _KEY_CODES.clear()
    return pd.DataFrame(columns=["schema_context", "column", "check", "failure_case",
                                 "index"])


def _first_rows(frame: pd.DataFrame, cols: list[str]) -> pd.Series:
    """For each row, the position of the first row with the same values in `cols`."""
    keyed = frame[cols]
    codes = keyed.groupby(cols, dropna=False, sort=False).ngroup()
    first = pd.Series(np.arange(len(frame)), index=frame.index).groupby(codes.to_numpy()) \
        .transform("min")
    return first


def _check_table(col: _Collector, kind: str, frame: pd.DataFrame,
                 scales: Mapping[str, Any] | None = None,
                 design: Mapping[str, str | None] | None = None) -> None:
    table = _table(kind)
    ctx = col.context[kind]
    data = ctx["data"]
    codebook = frame.attrs.get("codebook") or {}

    # scale items: range checks on study-specific columns, generated as pandera columns
    extra: dict[str, Any] = {}
    item_scale: dict[str, Any] = {}
    if scales:
        import pandera.pandas as pa

        for sc in scales.values():
            for item in sc.items:
                if item in table.column_names or item in item_scale:
                    continue
                item_scale[item] = sc
                labels = (codebook.get(item) or {}).get("value_labels")
                extra[item] = pa.Column(
                    checks=[pa.Check(_in_range(sc.min, sc.max, labels), name="out_of_range")],
                    required=False, nullable=True, coerce=False)
    cases = _failure_cases(data, kind, extra)

    # frame-wide checks report one failure per column: keep one per row
    frame_level = cases["schema_context"] == "DataFrameSchema"
    row_level = cases[frame_level & cases["index"].notna()]
    row_level = row_level.drop_duplicates(subset=["check", "index"])
    dup_rows = set(row_level.loc[row_level["check"] == "duplicate_row", "index"].astype(int))
    firsts: dict[str, pd.Series] = {}

    for case in cases.to_dict("records"):
        check = case["check"]
        column = case["column"]
        if check == "column_in_dataframe":
            name = str(case["failure_case"])
            col.add(kind, position=None, column=name, value=None, check="missing_column",
                    texts=_texts_missing_column(kind, name, frame))
            continue
        if case["schema_context"] == "DataFrameSchema":
            continue
        pos = int(case["index"]) if _present(case["index"]) else None
        if pos is None:
            continue
        raw = data[column].iloc[pos] if column in data.columns else case["failure_case"]
        value = col.value(kind, column, raw)
        if check == "not_nullable":
            key = column in table.key
            col.add(kind, position=pos, column=column, value=None, check="missing_value",
                    severity="error" if key else "warning",
                    texts=_texts_missing_value(kind, column, key=key))
        elif check == "type":
            col.add(kind, position=pos, column=column, value=value, check="type",
                    texts=_texts_type(kind, column, value, table.column(column).dtype))
        elif check == "unknown_value":
            vocab = schema.VOCABULARIES[table.column(column).vocabulary]
            col.add(kind, position=pos, column=column, value=value, check="unknown_value",
                    texts=_texts_unknown(kind, column, value, raw, vocab))
        elif check == "out_of_range":
            if column in item_scale:
                sc = item_scale[column]
                texts = _texts_range(kind, column, value, sc.min, sc.max, scale=sc.name)
            else:
                spec = table.column(column)
                texts = _texts_range(kind, column, value, spec.min_value, spec.max_value)
            col.add(kind, position=pos, column=column, value=value, check="out_of_range",
                    texts=texts)
        elif check == "field_uniqueness":
            if pos in dup_rows:
                continue
            if column not in firsts:
                firsts[column] = _first_rows(data, [column])
            first = firsts[column].iloc[pos]
            col.add(kind, position=pos, column=column, value=value, check="duplicate_id",
                    texts=_texts_duplicate_id(kind, column, value, int(ctx["rows"][first])))

    for check in ("duplicate_row", "duplicate_key"):
        hits = sorted(set(row_level.loc[row_level["check"] == check, "index"].astype(int)))
        if not hits:
            continue
        if check == "duplicate_key":
            hits = [h for h in hits if h not in dup_rows]
            if not hits:
                continue
            key_cols = [c for c in table.key if c in data.columns]
            first = _first_rows(data, key_cols)
        else:
            first = _first_rows(data, list(data.columns))
        for pos in hits:
            first_row = int(ctx["rows"][first.iloc[pos]])
            if check == "duplicate_row":
                col.add(kind, position=pos, column=None, value=None, check="duplicate_row",
                        texts=_texts_duplicate_row(kind, first_row))
            else:
                values = {c: col.value(kind, c, data[c].iloc[pos]) for c in key_cols}
                col.add(kind, position=pos, column=None, value=None, check="duplicate_key",
                        texts=_texts_duplicate_key(kind, values, first_row))

    _check_column_types(col, kind, data)
    _check_study_columns(col, kind, frame, data, scales, design)


def _check_column_types(col: _Collector, kind: str, data: pd.DataFrame) -> None:
    """Whole columns stored as text where dates are expected (values all readable)."""
    table = schema.TABLES[kind]
    for spec in table.columns:
        if spec.dtype != "date" or spec.name not in data.columns:
            continue
        s = data[spec.name]
        if pd.api.types.is_datetime64_any_dtype(s.dtype) or not s.notna().any():
            continue
        if not bool(_is_date(s).all()):
            continue  # the unreadable values are reported one by one
        problem = (f"Column `{spec.name}` holds text, not dates; date comparisons and "
                   "time series need dates.")
        problem_zh = f"列“{spec.name}”存的是文本而不是日期，日期比较和时间序列需要日期类型。"
        fix = (f"Convert it: `df[\"{spec.name}\"] = pd.to_datetime(df[\"{spec.name}\"])`, or "
               "read the file with `tk.io.read_table(kind=...)`.")
        fix_zh = (f"转换为日期：`df[\"{spec.name}\"] = pd.to_datetime(df[\"{spec.name}\"])`，"
                  "或用 `tk.io.read_table(kind=...)` 读取文件。")
        col.add(kind, position=None, column=spec.name, value=None, check="type",
                severity="warning", texts=(problem, fix, problem_zh, fix_zh))


def _check_study_columns(col: _Collector, kind: str, frame: pd.DataFrame, data: pd.DataFrame,
                         scales: Mapping[str, Any] | None,
                         design: Mapping[str, str | None] | None) -> None:
    """Columns named by the survey design and the scales must exist."""
    if kind != "survey":
        return
    for role, name in (design or {}).items():
        if not name:
            continue
        if name not in frame.columns:
            col.add(kind, position=None, column=name, value=None, check="missing_column",
                    texts=_texts_missing_column(
                        kind, name, frame, why=f"named as `{role}` of the survey design",
                        why_zh=f"调查设计中的 `{role}`"))
            continue
        empty = np.flatnonzero(data[name].isna().to_numpy())
        spec = schema.TABLES["survey"].get(name)
        if spec is not None and spec.required:
            continue  # already reported by the schema
        for pos in empty:
            problem = (f"`{name}` is empty, but the survey design uses it as `{role}`; "
                       "design-based estimates need it in every row.")
            problem_zh = f"“{name}”为空，但调查设计把它用作 `{role}`，每一行都需要它。"
            fix = ("Fill it in, or drop the respondent from the design-based analysis "
                   "explicitly.")
            fix_zh = "补上该值，或在基于设计的分析中明确排除该受访者。"
            col.add(kind, position=int(pos), column=name, value=None, check="missing_value",
                    texts=(problem, fix, problem_zh, fix_zh))
    codebook = frame.attrs.get("codebook") or {}
    for sc in (scales or {}).values():
        for item in sc.items:
            if item not in frame.columns:
                col.add(kind, position=None, column=item, value=None, check="missing_column",
                        texts=_texts_missing_column(
                            kind, item, frame, why=f"an item of the scale `{sc.name}`",
                            why_zh=f"量表“{sc.name}”的题项"))
                continue
            labels = (codebook.get(item) or {}).get("value_labels") or None
            try:
                _item_codes(data[item], labels)
            except TypeError:
                problem = (f"Item `{item}` of the scale `{sc.name}` holds "
                           f"{data[item].dtype} values without numeric codes, so it cannot "
                           "be scored.")
                problem_zh = (f"量表“{sc.name}”的题项“{item}”是没有数值编码的"
                              f"{data[item].dtype} 类型，无法计分。")
                fix = ("Store the item as numbers (1–5 …) or as an ordered categorical whose "
                       "categories run from the lowest to the highest answer.")
                fix_zh = "把题项存为数字（1～5 等），或存为从最低到最高排序的有序分类变量。"
                col.add(kind, position=None, column=item, value=None, check="type",
                        texts=(problem, fix, problem_zh, fix_zh))


def _texts_missing_value(kind: str, column: str, *, key: bool):
    if key:
        problem = (f"{_col_label(kind, column, zh=False)} is empty; every row of the "
                   f"{_table_label(kind, zh=False)} needs one.")
        problem_zh = (f"{_col_label(kind, column, zh=True)}为空，"
                      f"{_table_label(kind, zh=True)}每一行都必须有。")
        fix = "Fill it in, or delete the row if it is not a record."
        fix_zh = "补上该值；如果这一行不是记录，请删除。"
    else:
        problem = f"{_col_label(kind, column, zh=False)} is empty in a required column."
        problem_zh = f"必需列{_col_label(kind, column, zh=True)}为空。"
        fix = "Fill it in if it is known."
        fix_zh = "如已知，请补上。"
    return problem, fix, problem_zh, fix_zh


def _texts_duplicate_id(kind: str, column: str, value: str | None, first_row: int):
    problem = (f"{_col_label(kind, column, zh=False)} `{value}` is used by more than one row "
               f"(first in row {first_row}).")
    problem_zh = (f"{_col_label(kind, column, zh=True)}“{value}”被多行使用（首次出现在第 "
                  f"{first_row} 行）。")
    fix = "Give each record its own id, or delete this row if it repeats the same record."
    fix_zh = "为每条记录分配唯一编号；如果这一行与前面是同一条记录，请删除。"
    return problem, fix, problem_zh, fix_zh


def _texts_duplicate_key(kind: str, values: Mapping[str, str | None], first_row: int):
    pairs = ", ".join(f"{k}={v}" for k, v in values.items())
    pairs_zh = "，".join(f"{k}＝{v}" for k, v in values.items())
    problem = f"The combination {pairs} is repeated (first in row {first_row})."
    problem_zh = f"组合 {pairs_zh} 重复出现（首次出现在第 {first_row} 行）。"
    fix = "Keep one row per combination: merge the rows, or correct the wrong id."
    fix_zh = "每个组合只保留一行：合并这些行，或更正错误的编号。"
    return problem, fix, problem_zh, fix_zh


def _texts_duplicate_row(kind: str, first_row: int):
    problem = f"This row repeats row {first_row} exactly."
    problem_zh = f"这一行与第 {first_row} 行完全相同。"
    fix = "Delete the repeated row (it would be counted twice)."
    fix_zh = "删除重复的行（否则会被重复计数）。"
    return problem, fix, problem_zh, fix_zh


# ---------------------------------------------------------------------------
# Checks across tables and dates
# ---------------------------------------------------------------------------


def _ids(s: pd.Series) -> pd.Series:
    """Ids compared as text (so that 1 and "1" match)."""
    plain = _plain(s)
    if pd.api.types.is_string_dtype(plain.dtype) and not pd.api.types.is_object_dtype(
            plain.dtype):
        return plain.str.strip()
    if pd.api.types.is_integer_dtype(plain.dtype):
        return plain.astype("string").astype(object).where(plain.notna(), None)
    if pd.api.types.is_float_dtype(plain.dtype):
        return plain.map(_fmt)
    return plain.map(lambda v: _fmt(v) if not isinstance(v, str) else v.strip())


def _id_key(value: object) -> str:
    """Fold an id for near-miss matching: NFKC, no spaces or dashes, upper case, no leading 0s."""
    text = unicodedata.normalize("NFKC", str(value)).upper()
    text = re.sub(r"[\s_\-·.]+", "", text)
    return re.sub(r"(?<!\d)0+(?=\d)", "", text)


def _check_references(col: _Collector, tables: Mapping[str, pd.DataFrame]) -> None:
    for kind, frame in tables.items():
        data = frame
        for spec in schema.TABLES[kind].columns:
            if spec.references is None or spec.name not in data.columns:
                continue
            target_kind, target_col = spec.references.split(".")
            target = tables.get(target_kind)
            if target is None or target_col not in target.columns:
                continue
            values = _ids(data[spec.name])
            known = _ids(target[target_col]).dropna()
            bad = values.notna() & ~values.isin(set(known))
            if not bad.any():
                continue
            folded = {_id_key(k): k for k in set(known)}
            suggestions = {v: folded.get(_id_key(v)) for v in pd.unique(values[bad])}
            for pos in np.flatnonzero(bad.to_numpy()):
                raw = data[spec.name].iloc[pos]
                value = col.value(kind, spec.name, raw)
                close = suggestions.get(values.iloc[pos])
                shown_close = col.value(target_kind, target_col, close) if close else None
                col.add(kind, position=int(pos), column=spec.name, value=value,
                        check="dangling_reference",
                        texts=_texts_dangling(kind, spec.name, value, target_kind, target_col,
                                              shown_close))


def _texts_dangling(kind: str, column: str, value: str | None, target_kind: str,
                    target_col: str, close: str | None):
    problem = (f"{_col_label(kind, column, zh=False)} `{value}` does not exist in the "
               f"{_table_label(target_kind, zh=False)} (`{target_col}`).")
    problem_zh = (f"{_col_label(kind, column, zh=True)}“{value}”在"
                  f"{_table_label(target_kind, zh=True)}的 {target_col} 中不存在。")
    hint = f" Did you mean `{close}`?" if close else ""
    hint_zh = f"是否应为“{close}”？" if close else ""
    fix = (f"{hint.strip()} Correct the id, or add the missing row to the "
           f"{_table_label(target_kind, zh=False)}.").strip()
    fix_zh = f"{hint_zh}更正编号，或在{_table_label(target_kind, zh=True)}中补上缺少的行。"
    return problem, fix, problem_zh, fix_zh


def _check_dates(col: _Collector, tables: Mapping[str, pd.DataFrame],
                 as_of: pd.Timestamp) -> None:
    for kind, later, earlier in _DATE_ORDER:
        frame = tables.get(kind)
        if frame is None or later not in frame.columns or earlier not in frame.columns:
            continue
        late = _as_dates(frame[later])
        early = _as_dates(frame[earlier])
        bad = (late < early).to_numpy(dtype=bool, na_value=False)
        for pos in np.flatnonzero(bad):
            value = col.value(kind, later, late.iloc[pos])
            before = _fmt(early.iloc[pos])
            lab_en = schema.TABLES[kind].column(later).en.lower()
            lab_zh = schema.TABLES[kind].column(later).zh
            e_en = schema.TABLES[kind].column(earlier).en.lower()
            e_zh = schema.TABLES[kind].column(earlier).zh
            problem = (f"`{later}` {value} ({lab_en}) is before `{earlier}` {before} "
                       f"({e_en}), which is impossible.")
            problem_zh = (f"{lab_zh}“{value}”早于{e_zh}“{before}”，这不可能。")
            fix = "Check both dates and correct the wrong one (often the year or the month)."
            fix_zh = "核对两个日期并更正错误的一个（常见是年份或月份写错）。"
            col.add(kind, position=int(pos), column=later, value=value,
                    check="impossible_date", texts=(problem, fix, problem_zh, fix_zh))
    day = as_of.strftime("%Y-%m-%d")
    for kind, frame in tables.items():
        for spec in schema.TABLES[kind].columns:
            if spec.dtype != "date" or spec.name not in frame.columns:
                continue
            dates = _as_dates(frame[spec.name])
            bad = (dates > as_of).to_numpy(dtype=bool, na_value=False)
            for pos in np.flatnonzero(bad):
                value = col.value(kind, spec.name, dates.iloc[pos])
                problem = (f"`{spec.name}` {value} is after {day}, the date the data "
                           "describe up to.")
                problem_zh = f"“{spec.name}”的日期 {value} 晚于数据截止日期 {day}。"
                fix = ("Correct the date (often a mistyped year); if the data were exported "
                       "later, pass `as_of=` (or `as_of:` in study.yaml).")
                fix_zh = ("更正日期（常见是年份写错）；如果数据导出日期更晚，请指定 `as_of=`"
                          "（或 study.yaml 中的 `as_of:`）。")
                col.add(kind, position=int(pos), column=spec.name, value=value,
                        check="future_date", texts=(problem, fix, problem_zh, fix_zh))


def _check_records(col: _Collector, kind: str, frame: pd.DataFrame) -> None:
    rec = frame.attrs.get("load_record")
    if rec is None:
        return
    problems = rec.problems
    for fields in problems.to_dict("records"):
        col.add_record_problem(kind, fields)
    if not rec.accounts_for_every_row():
        n_aside = len(rec.rows_set_aside)
        problem = (f"{rec.rows_read} rows were read but only {rec.rows_kept} kept and "
                   f"{n_aside} set aside; {rec.rows_read - rec.rows_kept - n_aside} row(s) are "
                   "unaccounted for.")
        problem_zh = (f"读取 {rec.rows_read} 行，保留 {rec.rows_kept} 行，搁置 {n_aside} 行，"
                      f"有 {rec.rows_read - rec.rows_kept - n_aside} 行去向不明。")
        fix = "Re-read the file with `tk.io.read_table`; rows were lost after reading."
        fix_zh = "用 `tk.io.read_table` 重新读取文件；读取后有行丢失。"
        col.add(kind, position=None, column=None, value=None, check="rows_unaccounted",
                texts=(problem, fix, problem_zh, fix_zh))


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def validate(
    data: pd.DataFrame | Study,
    *,
    kind: str | None = None,
    strict: bool = False,
    as_of: str | dt.date | None = None,
) -> ValidationReport:
    """Check a canonical table or a whole study and report every problem at once.

    Parameters
    ----------
    data : pandas.DataFrame or Study
        One table with canonical column names (as returned by
        ``tk.io.read_table(kind=...)``), or a :class:`toolkit.Study`.
    kind : str, optional
        Table kind of a DataFrame (``"units"``, ``"participants"``, ``"sessions"``,
        ``"attendance"``, ``"submissions"``, ``"survey"``). May be omitted when the
        frame carries a load record naming its kind. Not used with a Study.
    strict : bool, default False
        Raise one :class:`~toolkit.errors.ValidationError` listing every problem
        when any has severity ``"error"``.
    as_of : str or date, optional
        Date the data describe up to (e.g. the export date); dates after it are
        reported. Defaults to the study's ``as_of`` or, failing that, today.

    Returns
    -------
    ValidationReport
        ``.ok`` is True when no problem is an error; ``.problems`` has the columns
        ``table, file, sheet, row, column, value, check, severity, problem, fix,
        problem_zh, fix_zh`` (``row`` as the spreadsheet shows it: from the load
        record, else position + 2 for one header row; personal values masked).

    Raises
    ------
    ValidationError
        With ``strict=True`` when there is an error-severity problem.
    ValueError
        When `kind` is missing or unknown for a DataFrame.

    Notes
    -----
    A Study is checked table by table (pandera schema per table generated from
    :data:`toolkit.schema.TABLES`, scale items against the scale's ``min``/``max``,
    the survey design's columns) and then across tables: every id pointing to
    another table (``references`` in the schema) must exist there, implementation
    and response dates may not precede session and submission dates, and no date
    may lie after `as_of`. A DataFrame alone gets the per-table checks and the
    date checks within it.

    Examples
    --------
    >>> sessions = pd.DataFrame({
    ...     "session_id": ["S1", "S2", "S2"],
    ...     "date": pd.to_datetime(["2023-11-08", "2023-11-20", "2023-12-01"]),
    ...     "unit_id": ["C01", "C01", "C02"],
    ...     "platform": ["居民议事会", "居民议事会议", "微信群"],
    ... })
    >>> report = tk.validate(sessions, kind="sessions")
    >>> report.ok
    False
    >>> report.problems[["row", "column", "value", "check"]]
       row      column   value          check
    0    3    platform  居民议事会议  unknown_value
    1    4  session_id      S2   duplicate_id
    >>> report.problems.loc[0, "fix"]
    'Did you mean `居民议事会`? Replace the value with a term of the vocabulary.'
    """
    from toolkit.study import Study

    reference = _as_of(as_of, data)
    col = _Collector()
    if isinstance(data, Study):
        tables = {name: data.table(name) for name in data.tables}
        for name, frame in tables.items():
            col.add_table(name, frame)
        for name, frame in tables.items():
            _check_records(col, name, frame)
            _check_table(col, name, frame,
                         scales=data.scales if name == "survey" else None,
                         design=data.design_spec.columns() if name == "survey" else None)
        bare = {name: col.context[name]["data"] for name in tables}
        _check_references(col, bare)
        _check_dates(col, bare, reference)
    elif isinstance(data, pd.DataFrame):
        rec = data.attrs.get("load_record")
        if kind is None:
            kind = getattr(rec, "table", None)
        if kind is None:
            msg = ("Give the table kind with `kind=` (one of "
                   f"{', '.join(schema.TABLE_NAMES)}); this DataFrame has no load record "
                   "naming it.")
            raise ValueError(msg)
        _table(kind)
        col.add_table(kind, data)
        _check_records(col, kind, data)
        _check_table(col, kind, data)
        _check_dates(col, {kind: col.context[kind]["data"]}, reference)
    else:
        msg = (f"`data` must be a pandas DataFrame or a Study, not {type(data).__name__}. "
               "Read a file with `tk.io.read_table(path, kind=...)` first.")
        raise TypeError(msg)
    report = ValidationReport(col.frame())
    if strict:
        report.raise_if_errors()
    return report


def guess_kind(columns: list[str] | pd.Index) -> str | None:
    """The table kind whose required columns a file's headers name, or None.

    Used by ``toolkit validate FILE`` without ``--kind``: a kind is chosen only
    when every required column of exactly one best-matching kind is found among
    the headers (through the header aliases). Never used silently by
    :func:`validate` itself.

    Parameters
    ----------
    columns : list of str
        Headers of the file as read.

    Returns
    -------
    str or None

    Examples
    --------
    >>> guess_kind(["活动编号", "参与者编号", "角色"])
    'attendance'
    >>> guess_kind(["姓名", "备注"]) is None
    True
    """
    scores: dict[str, int] = {}
    for kind, table in schema.TABLES.items():
        found = {schema.canonical_column(c, table=kind) for c in columns} - {None}
        if set(table.required) <= found:
            scores[kind] = len(found)
    if not scores:
        return None
    best = max(scores.values())
    winners = [k for k, v in scores.items() if v == best]
    return winners[0] if len(winners) == 1 else None


def _as_of(as_of: str | dt.date | None, data: object) -> pd.Timestamp:
    if as_of is None:
        as_of = getattr(data, "as_of", None)
    if as_of is None:
        return pd.Timestamp(dt.date.today())
    try:
        return pd.Timestamp(as_of)
    except (ValueError, TypeError) as exc:
        msg = f"`as_of` must be a date such as 2023-12-31, not {as_of!r}."
        raise ValueError(msg) from exc
