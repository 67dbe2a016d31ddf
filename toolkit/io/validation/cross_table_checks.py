"""Checks across the tables of a study: references between tables, and dates.

- :func:`check_references` — every id pointing to another table (``references``
  in :data:`toolkit.schema.TABLES`) exists there; a near miss (``c01`` for
  ``C01``) is suggested;
- :func:`check_dates` — implementation and response dates do not precede the
  session and submission dates, and no date lies after the reference date.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

import numpy as np
import pandas as pd

from toolkit import schema
from toolkit.io.validation.messages import (
    fmt_value,
    table_label,
    texts_dangling,
    texts_future_date,
    texts_impossible_date,
)
from toolkit.io.validation.problems import Collector
from toolkit.io.validation.schema_checks import as_dates, plain

__all__ = ["check_dates", "check_references"]

#: Date pairs: (table, later column, earlier column).
_DATE_ORDER = (
    ("sessions", "implemented_date", "date"),
    ("submissions", "response_date", "date"),
)


def _ids(s: pd.Series) -> pd.Series:
    """Ids compared as text (so that 1 and "1" match)."""
    values = plain(s)
    if pd.api.types.is_string_dtype(values.dtype) and not pd.api.types.is_object_dtype(
            values.dtype):
        return values.str.strip()
    if pd.api.types.is_integer_dtype(values.dtype):
        return values.astype("string").astype(object).where(values.notna(), None)
    if pd.api.types.is_float_dtype(values.dtype):
        return values.map(fmt_value)
    return values.map(lambda v: fmt_value(v) if not isinstance(v, str) else v.strip())


def _id_key(value: object) -> str:
    """Fold an id for near-miss matching: NFKC, no spaces or dashes, upper case, no leading 0s."""
    text = unicodedata.normalize("NFKC", str(value)).upper()
    text = re.sub(r"[\s_\-·.]+", "", text)
    return re.sub(r"(?<!\d)0+(?=\d)", "", text)


def check_references(col: Collector, tables: Mapping[str, pd.DataFrame]) -> None:
    """Ids that point to a row missing from the referenced table (``dangling_reference``)."""
    for kind, data in tables.items():
        for spec in schema.TABLES[kind].columns:
            if spec.references is None:
                continue
            target_kind, target_col = spec.references.split(".")
            target = tables.get(target_kind)
            if target is None:
                continue
            if spec.name not in data.columns:
                col.skip(kind, spec.name, f"its references to the {target_kind} table",
                         f"对{table_label(target_kind, zh=True)}的引用")
                continue
            if target_col not in target.columns:
                col.skip(target_kind, target_col, f"references from `{kind}.{spec.name}`",
                         f"{table_label(kind, zh=True)}“{spec.name}”对本列的引用")
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
                        texts=texts_dangling(kind, spec.name, value, target_kind, target_col,
                                             shown_close))


def check_dates(col: Collector, tables: Mapping[str, pd.DataFrame],
                as_of: pd.Timestamp) -> None:
    """Dates before the date they follow (``impossible_date``) or after `as_of`."""
    for kind, later, earlier in _DATE_ORDER:
        frame = tables.get(kind)
        if frame is None or later not in frame.columns:
            continue
        if earlier not in frame.columns:
            col.skip(kind, earlier, f"`{later}` not before `{earlier}`",
                     f"“{later}”不早于“{earlier}”")
            continue
        late = as_dates(frame[later])
        early = as_dates(frame[earlier])
        bad = (late < early).to_numpy(dtype=bool, na_value=False)
        for pos in np.flatnonzero(bad):
            value = col.value(kind, later, late.iloc[pos])
            texts = texts_impossible_date(kind, later, value, earlier, fmt_value(early.iloc[pos]))
            col.add(kind, position=int(pos), column=later, value=value,
                    check="impossible_date", texts=texts)
    day = as_of.strftime("%Y-%m-%d")
    for kind, frame in tables.items():
        for spec in schema.TABLES[kind].columns:
            if spec.dtype != "date" or spec.name not in frame.columns:
                continue
            dates = as_dates(frame[spec.name])
            bad = (dates > as_of).to_numpy(dtype=bool, na_value=False)
            for pos in np.flatnonzero(bad):
                value = col.value(kind, spec.name, dates.iloc[pos])
                col.add(kind, position=int(pos), column=spec.name, value=value,
                        check="future_date", texts=texts_future_date(kind, spec.name, value, day))
