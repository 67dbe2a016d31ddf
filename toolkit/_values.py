"""Turning stored survey values into numbers.

Likert items read from SPSS/Stata are ordered Categoricals whose categories are the
value labels in code order (``非常不满意`` … ``非常满意``); the numeric code of each
label is in the column's codebook entry (``attrs["codebook"][column]["value_labels"]``).
Statistics need the codes back: :func:`as_numeric` gives them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["as_numeric"]


def as_numeric(values: pd.Series, value_labels: dict | None = None) -> pd.Series:
    """Numeric codes of a survey column, as floats with NaN for missing.

    Parameters
    ----------
    values : pandas.Series
        Numeric, boolean, or (ordered) categorical column.
    value_labels : dict, optional
        Code → label. When omitted, the codebook entry carried in
        ``values.attrs["codebook"][values.name]`` is used, and failing that an
        ordered categorical is numbered 1, 2, … in category order.

    Returns
    -------
    pandas.Series
        float64 codes, same index and name.

    Raises
    ------
    TypeError
        For an unordered categorical or text column without value labels.

    Examples
    --------
    >>> s = pd.Series(pd.Categorical(["满意", "一般", None],
    ...               categories=["不满意", "一般", "满意"], ordered=True), name="q1")
    >>> as_numeric(s).tolist()
    [3.0, 2.0, nan]
    >>> as_numeric(s, {1: "不满意", 2: "一般", 3: "满意"}).tolist()
    [3.0, 2.0, nan]
    """
    if value_labels is None:
        entry = (values.attrs.get("codebook") or {}).get(values.name) or {}
        value_labels = entry.get("value_labels")
    if isinstance(values.dtype, pd.CategoricalDtype):
        if value_labels:
            label_to_code = {str(label): code for code, label in value_labels.items()}
            mapped = values.astype(object).map(
                lambda v: label_to_code.get(str(v), np.nan) if pd.notna(v) else np.nan
            )
            return pd.to_numeric(mapped, errors="coerce").astype("float64")
        if not values.cat.ordered:
            msg = (f"Column `{values.name}` is an unordered categorical; it has no numeric "
                   "codes. Give `value_labels`, or make it ordered.")
            raise TypeError(msg)
        codes = values.cat.codes.astype("float64")
        return (codes.where(codes >= 0) + 1.0).rename(values.name)
    if pd.api.types.is_bool_dtype(values.dtype) or str(values.dtype) == "boolean":
        return values.astype("Float64").astype("float64")
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.astype("float64")
    msg = (f"Column `{values.name}` holds text ({values.dtype}); it cannot be used as "
           "numbers. Read it with value labels or convert it first.")
    raise TypeError(msg)
