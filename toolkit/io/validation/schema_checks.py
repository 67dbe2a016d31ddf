"""Checks of one canonical table's values, as a pandera schema generated from the schema.

:func:`table_schema` turns a :class:`toolkit.schema.Table` into a
:class:`pandera.DataFrameSchema`: types (dates, whole numbers, numbers, yes/no),
vocabularies, ranges, uniqueness of identifiers, required columns, repeated rows
and keys. The element checks are vectorised, and are reused by the other checks
(dates across tables, scale items).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from toolkit import schema
from toolkit.io.kinds import check_kind

if TYPE_CHECKING:
    import pandera.pandas as pa

__all__ = [
    "as_dates",
    "as_numbers",
    "clear_key_codes",
    "in_range",
    "is_date",
    "item_codes",
    "plain",
    "table_schema",
]


def _all(index: pd.Index, *, value: bool) -> pd.Series:
    return pd.Series(value, index=index, dtype=bool)


def plain(s: pd.Series) -> pd.Series:
    """Categoricals as their values, so that numeric and date parsing works."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.astype(object)
    return s


def as_dates(s: pd.Series) -> pd.Series:
    """Dates of a column (NaT where a value is not a date)."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s
    values = plain(s)
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


def is_date(s: pd.Series) -> pd.Series:
    """Which values are dates (or missing)."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return _all(s.index, value=True)
    return as_dates(s).notna() | s.isna()


def as_numbers(s: pd.Series) -> pd.Series:
    """Numbers of a column (NaN where a value is not a number; yes/no as 1/0)."""
    values = plain(s)
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("Float64").astype("float64")
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.astype("float64")
    strings = values.map(lambda v: v.strip() if isinstance(v, str) else v)
    return pd.to_numeric(strings, errors="coerce").astype("float64")


def _is_number(s: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        return _all(s.index, value=True)
    return as_numbers(s).notna() | s.isna()


def _is_whole(s: pd.Series) -> pd.Series:
    if pd.api.types.is_integer_dtype(s.dtype):
        return _all(s.index, value=True)
    num = as_numbers(s)
    return (num.notna() & (np.floor(num) == num)) | s.isna()


def _is_bool(s: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(s.dtype):
        return _all(s.index, value=True)
    values = plain(s)
    ok = values.map(
        lambda v: isinstance(v, bool | np.bool_)
        or (isinstance(v, int | float | np.integer | np.floating) and v in (0, 1))
    )
    return ok.astype(bool) | s.isna()


_TYPE_CHECKS: dict[str, Callable[[pd.Series], pd.Series]] = {
    "date": is_date, "int": _is_whole, "float": _is_number, "bool": _is_bool,
}


def item_codes(s: pd.Series, value_labels: Mapping | None = None) -> pd.Series:
    """Numeric codes of a survey item, as ``toolkit._values.as_numeric`` gives them.

    Categoricals are converted through their categories (labels → codes, else
    position in an ordered categorical, else numeric categories), which is fast
    for a million rows. Raises TypeError when an item has no numeric codes.
    """
    if not isinstance(s.dtype, pd.CategoricalDtype):
        if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
            return as_numbers(s)
        num = as_numbers(s)
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


def in_range(low: float | None, high: float | None, value_labels: Any = None):
    """A check: which values lie within `low`–`high` (scale items by their codes)."""
    def check(s: pd.Series) -> pd.Series:
        try:
            num = item_codes(s, value_labels)
        except TypeError:
            num = as_numbers(s)
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


def clear_key_codes() -> None:
    """Forget the key codes of the frames validated (at the end of each pandera run)."""
    _KEY_CODES.clear()


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

    table = check_kind(kind)
    columns = {}
    for col in table.columns:
        checks = []
        if col.vocabulary is not None:
            checks.append(pa.Check(_vocabulary_check(schema.VOCABULARIES[col.vocabulary]),
                                   name="unknown_value"))
        elif col.dtype in _TYPE_CHECKS:
            checks.append(pa.Check(_TYPE_CHECKS[col.dtype], name="type"))
        if col.min_value is not None or col.max_value is not None:
            checks.append(pa.Check(in_range(col.min_value, col.max_value),
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
