"""Numbers that lost digits in Excel: ID-card numbers stored as numbers.

Excel keeps 15 significant digits of a number. An 18-digit ID-card number typed
or pasted into a cell formatted as a number loses its last digits for good
(``110105194912310021`` is stored as ``1.10105194912310E+17``; a program that
writes it as a double makes it ``…0016``), and a CSV saved from such a sheet
holds the text Excel showed (``1.10105E+17``). No reader can bring the digits
back: :func:`lost_digits` recognises such values so that the readers report
them at their cell, with the fix of re-exporting the column as text. An
18-digit number whose GB 11643 check character fails is certainly damaged.

Examples
--------
>>> lost_digits(110105194912310016.0)[0]
'error'
>>> lost_digits("1.10105E+17")[0]
'error'
>>> lost_digits(3200.0) is None
True
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from toolkit.io.personal import is_id_card, mask

__all__ = ["LOST_DIGITS_FIX", "LOST_DIGITS_FIX_ZH", "lost_digits", "shown_number",
           "suspect_cells"]

LOST_DIGITS_FIX = ("Re-export the column as text (in Excel: set the column's format to Text "
                   "before typing or pasting, or export it from the source system as text), "
                   "and read the file again; the digits cannot be recovered from this file.")
LOST_DIGITS_FIX_ZH = ("将该列改为文本格式后重新导出（在 Excel 中先把列格式设为“文本”再录入或粘贴，"
                      "或从原系统按文本导出），然后重新读取；本文件中的数字已无法恢复。")

#: A number as Excel shows it in scientific notation (``1.10105E+17``).
_SCIENTIFIC = re.compile(r"^\s*-?\d(\.\d+)?[eE]\+(\d{2})\s*$")
#: Below this a double holds every digit of a whole number.
_EXACT = 2.0**53


def lost_digits(value: Any) -> tuple[str, str, str] | None:
    """(severity, problem, problem_zh) when `value` is a long number that lost digits.

    Parameters
    ----------
    value : float, int or str
        A cell value: a number stored by Excel, or text Excel wrote for one.

    Returns
    -------
    tuple of str or None
        ``"error"`` for an 18-digit number failing the ID check character or for
        scientific-notation text of 15 or more digits; ``"warning"`` for other
        whole numbers of 16 or more digits stored as numbers; None otherwise.
    """
    if isinstance(value, str):
        match = _SCIENTIFIC.match(value)
        if match is None or int(match.group(2)) < 14:
            return None
        digits = int(match.group(2)) + 1
        return ("error",
                f"the number {value.strip()} ({digits} digits) was written in scientific "
                "notation, so all but its first digits were lost; if it is an ID-card "
                "number, it cannot be recovered.",
                f"数字 {value.strip()}（{digits} 位）以科学计数法保存，除前几位外的数字已丢失；"
                "若为身份证号，已无法恢复。")
    if isinstance(value, bool) or not isinstance(value, float | int | np.floating | np.integer):
        return None
    number = float(value)
    if not np.isfinite(number) or abs(number) < 1e15 or number != round(number):
        return None
    if isinstance(value, int | np.integer) and abs(value) < 10**18 and abs(number) < _EXACT:
        return None
    text = str(int(number))
    digits = len(text.lstrip("-"))
    if digits == 18 and not is_id_card(text):
        return ("error",
                f"an {digits}-digit number stored as a number: Excel keeps 15 significant "
                "digits, so its last digits were lost (the ID-card check character fails); "
                "the true value cannot be recovered.",
                f"{digits} 位数字按数值保存：Excel 只保留 15 位有效数字，末几位已丢失"
                "（身份证校验位不符），无法恢复原值。")
    return ("warning",
            f"a {digits}-digit number stored as a number: Excel keeps 15 significant digits, "
            "so its last digits may have been lost.",
            f"{digits} 位数字按数值保存：Excel 只保留 15 位有效数字，末几位可能已丢失。")


def shown_number(value: Any) -> str:
    """A long number as a problem shows it: as digits, masked like an ID-card number."""
    if isinstance(value, str):
        return value.strip()
    text = str(int(float(value)))
    return str(mask(text, "id_card")) if len(text) >= 15 else text


def suspect_cells(values: pd.Series) -> list[tuple[int, Any]]:
    """(position, value) of the cells of a column that may be numbers which lost digits.

    Vectorised on number columns; text is checked only when it holds ``E+``.
    """
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return []
    if pd.api.types.is_integer_dtype(dtype):
        return []  # held exactly (int64 holds 18 digits)
    if pd.api.types.is_float_dtype(dtype):
        arr = values.to_numpy(dtype="float64", na_value=np.nan)
        with np.errstate(invalid="ignore"):
            hits = np.flatnonzero(np.abs(arr) >= 1e15)
        return [(int(i), float(arr[i])) for i in hits]
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        found = values.str.contains("E+", case=False, regex=False, na=False).to_numpy()
        return [(int(i), values.iloc[i]) for i in np.flatnonzero(found)]
    if pd.api.types.is_object_dtype(dtype):
        out = []
        for i, v in enumerate(values.tolist()):
            if (isinstance(v, float) and abs(v) >= 1e15) or (
                    isinstance(v, str) and "E+" in v.upper()):
                out.append((i, v))
        return out
    return []
