"""The indicator matrix: identifiers, indicator columns, directions and weights read once.

Every function of ``tk.evaluate`` takes a table with one row per evaluated unit
(member, town, community): identifier columns (text) and indicator columns
(numbers). This module owns how such a table is split, how a direction is
spelled (``+``/``-``, ``1``/``-1``, 正向/负向) and how a weight vector given by
the caller is matched to the indicators, with one message shape for each
mistake (it names the indicator).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from toolkit._checks import close_matches, refuse_large, require_columns
from toolkit.errors import ArgumentError, ArgumentTypeError

__all__ = [
    "Matrix",
    "as_direction",
    "as_matrix",
    "match_weights",
    "resolve_directions",
]

#: Spellings of a direction: positive (more is better) and negative (less is better).
POSITIVE = {"+", "1", "+1", "positive", "pos", "benefit", "max", "正", "正向", "正向指标",
            "越大越好", "效益型"}
NEGATIVE = {"-", "−", "-1", "negative", "neg", "cost", "min", "负", "负向", "负向指标",
            "越小越好", "逆向", "成本型"}


def as_direction(value: Any, *, indicator: str) -> int:
    """+1 or -1 from any accepted spelling of a direction.

    Examples
    --------
    >>> as_direction("+", indicator="x"), as_direction("负向", indicator="x")
    (1, -1)
    """
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int | float | np.integer | np.floating) and not pd.isna(value):
        if float(value) in (1.0, -1.0):
            return int(value)
    text = str(value).strip().lower()
    if text in POSITIVE:
        return 1
    if text in NEGATIVE:
        return -1
    msg = (f"Indicator `{indicator}` has direction {value!r}; a direction is `+` (more is "
           "better, 正向) or `-` (less is better, 负向).")
    raise ArgumentError(msg)


@dataclass
class Matrix:
    """An indicator table split into identifiers and a float matrix.

    Attributes
    ----------
    ids : pandas.DataFrame
        The identifier columns (text), index reset.
    x : numpy.ndarray
        ``n × k`` floats, NaN for missing.
    indicators : list of str
        Column names of `x`, in order.
    """

    ids: pd.DataFrame
    x: np.ndarray
    indicators: list[str]

    def frame(self, values: np.ndarray | None = None,
              columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Identifiers joined with `values` (default: the matrix itself)."""
        vals = self.x if values is None else values
        cols = list(self.indicators if columns is None else columns)
        out = pd.DataFrame(vals, columns=cols)
        return pd.concat([self.ids.reset_index(drop=True), out], axis=1)


def _is_indicator_column(series: pd.Series) -> bool:
    dtype = series.dtype
    return (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
            or str(dtype) == "boolean")


def as_matrix(
    data: Any,
    *,
    indicators: Sequence[str] | None = None,
    system: Any = None,
    where: str = "`data`",
) -> Matrix:
    """Split `data` into identifier columns and the indicator matrix.

    Indicators are, in order of precedence: `indicators`; the leaves of `system`;
    every numeric or boolean column. Other columns are identifiers and are kept
    as they are.

    Raises
    ------
    ColumnNotFoundError
        Naming every indicator missing from `data` (with close matches).
    ArgumentTypeError
        When an indicator column holds text, or `data` is not a DataFrame.

    Examples
    --------
    >>> df = pd.DataFrame({"member": ["M1", "M2"], "a": [1, 2], "b": [0.5, None]})
    >>> m = as_matrix(df)
    >>> m.indicators, m.x.shape, list(m.ids.columns)
    (['a', 'b'], (2, 2), ['member'])
    """
    refuse_large(data, where=None)
    if not isinstance(data, pd.DataFrame):
        msg = (f"{where} must be a pandas DataFrame with one row per evaluated unit and one "
               f"column per indicator, not {type(data).__name__}.")
        raise ArgumentTypeError(msg)
    if indicators is None and system is not None:
        indicators = system.leaves
    if indicators is None:
        cols = [str(c) for c in data.columns if _is_indicator_column(data[c])]
        if not cols:
            msg = (f"{where} has no numeric column to use as an indicator. Columns: "
                   f"{', '.join(f'`{c}`' for c in data.columns)}.")
            raise ArgumentError(msg)
    else:
        cols = [str(c) for c in indicators]
        require_columns(data, {"indicator": cols}, where=where)
    text = [c for c in cols if not _is_indicator_column(data[c])]
    if text:
        msg = (f"Indicator column(s) {', '.join(f'`{c}`' for c in text)} of {where} hold text, "
               "not numbers. Convert them (e.g. `pd.to_numeric`) or leave them out.")
        raise ArgumentTypeError(msg)
    values = np.column_stack([data[c].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
                              for c in cols]) if cols else np.empty((len(data), 0))
    values = values.astype(float)
    ids = data[[c for c in data.columns if str(c) not in set(cols)]].reset_index(drop=True)
    ids.attrs = {}  # records of how the table was made stay with the table, not the results
    return Matrix(ids=ids, x=values, indicators=cols)


def _lookup(
    given: Mapping[str, Any] | pd.Series | Sequence[Any] | np.ndarray,
    indicators: Sequence[str],
    *,
    param: str,
) -> list[Any]:
    """Values of `given` in the order of `indicators` (by name, or by position)."""
    if isinstance(given, pd.Series | Mapping):
        mapping = dict(given.items())
        keys = [str(k) for k in mapping]
        missing = [i for i in indicators if i not in keys]
        extra = [k for k in keys if k not in set(indicators)]
        problems = []
        for name in missing:
            problems.append(f"`{name}` has none")
        for name in extra:
            close = close_matches(name, [i for i in indicators if i in missing] or indicators)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            problems.append(f"`{name}` is not an indicator{hint}")
        if problems:
            msg = (f"`{param}` must give one value for each indicator: {'; '.join(problems)}. "
                   f"Indicators: {', '.join(f'`{i}`' for i in indicators)}.")
            raise ArgumentError(msg)
        by_key = {str(k): v for k, v in mapping.items()}
        return [by_key[i] for i in indicators]
    values = list(np.asarray(given, dtype=object).ravel())
    if len(values) != len(indicators):
        msg = (f"`{param}` has {len(values)} value(s) but there are {len(indicators)} "
               f"indicators ({', '.join(f'`{i}`' for i in indicators)}); give one per "
               "indicator, or a dict keyed by indicator.")
        raise ArgumentError(msg)
    return values


def resolve_directions(
    indicators: Sequence[str],
    *,
    directions: Any = None,
    system: Any = None,
) -> np.ndarray:
    """+1/-1 per indicator from `directions` (dict, Series or list) or the system.

    Without either, every indicator is positive (more is better).

    Examples
    --------
    >>> resolve_directions(["a", "b"], directions={"a": "+", "b": "-"}).tolist()
    [1, -1]
    """
    if directions is None:
        if system is not None:
            return np.array([system.direction(i) for i in indicators], dtype=int)
        return np.ones(len(indicators), dtype=int)
    values = _lookup(directions, indicators, param="directions")
    return np.array([as_direction(v, indicator=i) for v, i in zip(values, indicators,
                                                                  strict=True)], dtype=int)


def match_weights(
    weights: Any,
    indicators: Sequence[str],
    *,
    param: str = "weights",
) -> np.ndarray:
    """A weight per indicator, non-negative and summing to 1.

    `weights` may be a list/array in indicator order, a dict or Series keyed by
    indicator, or a frame from :func:`toolkit.evaluate.weights` (its
    ``global_weight`` column, else ``weight``).

    Raises
    ------
    ArgumentError
        Wrong length, unknown or missing indicator, a negative or missing weight,
        or weights that are all zero — each naming the indicator.

    Examples
    --------
    >>> match_weights([1, 1, 2], ["a", "b", "c"]).tolist()
    [0.25, 0.25, 0.5]
    """
    if isinstance(weights, pd.DataFrame):
        require_columns(weights, {param: "indicator"}, where=f"`{param}`")
        col = "global_weight" if "global_weight" in weights.columns else "weight"
        require_columns(weights, {param: col}, where=f"`{param}`")
        frame = weights[weights["indicator"].astype(str).isin(set(indicators))]
        weights = pd.Series(frame[col].to_numpy(float), index=frame["indicator"].astype(str))
    values = _lookup(weights, indicators, param=param)
    out = []
    bad = []
    for name, value in zip(indicators, values, strict=True):
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = np.nan
        if not np.isfinite(number) or number < 0:
            bad.append(f"`{name}` ({value!r})")
        out.append(number)
    if bad:
        msg = (f"`{param}` must be non-negative numbers; not so for {', '.join(bad)}.")
        raise ArgumentError(msg)
    arr = np.asarray(out, dtype=float)
    if arr.sum() <= 0:
        msg = f"`{param}` are all zero; at least one indicator needs a positive weight."
        raise ArgumentError(msg)
    return arr / arr.sum()


def names_of(values: Iterable[Any]) -> str:
    """Backticked, comma-separated names for a message."""
    return ", ".join(f"`{v}`" for v in values)
