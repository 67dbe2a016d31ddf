"""What a published table may not show: small counts (1–4 shown as ``<5``) and personal data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from toolkit.report._format import SMALL_CELL, personal_columns

__all__ = ["SMALL_CELL", "hidden", "is_count_column", "refuse_personal",
           "refuse_personal_values", "secondary"]

_COUNT_NAMES = {"n", "count", "freq", "frequency", "频数", "人数"}


def is_count_column(name: object, series: pd.Series) -> bool:
    """Whether a column holds counts of people (``n``, ``count``, ``n_*`` … as integers)."""
    key = str(name)
    return (key in _COUNT_NAMES or key.startswith("n_")) and pd.api.types.is_integer_dtype(
        series.dtype)


def hidden(n: Any, on: bool, /) -> bool:  # noqa: FBT001
    """Whether count `n` is published as ``<5`` (suppression `on`; zero counts are shown)."""
    return on and not pd.isna(n) and 0 < float(n) < SMALL_CELL


def secondary(small: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Hide further cells so that no row or column has exactly one hidden cell."""
    extra = np.zeros_like(small)
    changed = True
    while changed:
        changed = False
        for axis in (0, 1):
            mask = small | extra
            lines = mask if axis == 1 else mask.T
            vals = counts if axis == 1 else counts.T
            for i in range(lines.shape[0]):
                if lines[i].sum() == 1:
                    candidates = [(vals[i, j], j) for j in range(lines.shape[1])
                                  if not lines[i, j] and vals[i, j] > 0]
                    if candidates:
                        _, j = min(candidates)
                        if axis == 1:
                            extra[i, j] = True
                        else:
                            extra[j, i] = True
                        changed = True
    return extra


def refuse_personal(frame: pd.DataFrame, columns: Sequence[str | None], param: str) -> None:
    """Raise ValueError when a named column of `frame` holds personal data."""
    personal = personal_columns(frame)
    named = [c for c in columns if c is not None and c in personal]
    if named:
        msg = (f"{', '.join(f'`{c}`' for c in named)} in `{param}` hold(s) personal data "
               f"({', '.join(personal[c] for c in named)}) and cannot go into a published "
               "table. Pseudonymise it first (`tk.io.pseudonymise`) or leave it out.")
        raise ValueError(msg)


def refuse_personal_values(values: Mapping[str, Sequence[Any]], param: str, *,
                           codebook: Mapping[str, Any] | None = None) -> None:
    """Raise ValueError when the values shown for a variable are personal data.

    `values` maps each variable (or group column) of a result to the values
    that would be printed (levels, group values); they are checked as one
    column each, by header, by the `codebook`'s ``personal`` entries and by
    content.
    """
    width = max((len(v) for v in values.values()), default=0)
    frame = pd.DataFrame({str(k): pd.Series(list(v) + [None] * (width - len(v)), dtype=object)
                          for k, v in values.items()})
    frame.attrs["codebook"] = dict(codebook or {})
    refuse_personal(frame, list(frame.columns), param)
