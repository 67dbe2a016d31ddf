"""Checks of one table: its pandera schema, the design and scale columns, its load record.

:func:`check_table` runs the schema of :mod:`.schema_checks` on a table and turns
each failure case into a problem with the row as the spreadsheet shows it;
:func:`check_record` adds what the reader recorded while reading the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from toolkit import schema
from toolkit.io.kinds import check_kind
from toolkit.io.validation.messages import (
    present,
    texts_design_value_missing,
    texts_duplicate_id,
    texts_duplicate_key,
    texts_duplicate_row,
    texts_item_not_numeric,
    texts_missing_column,
    texts_missing_value,
    texts_range,
    texts_rows_unaccounted,
    texts_text_dates,
    texts_type,
    texts_unknown,
)
from toolkit.io.validation.problems import Collector
from toolkit.io.validation.schema_checks import (
    clear_key_codes,
    in_range,
    is_date,
    item_codes,
    table_schema,
)

__all__ = ["check_record", "check_table"]


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
        clear_key_codes()
    return pd.DataFrame(columns=["schema_context", "column", "check", "failure_case",
                                 "index"])


def _first_rows(frame: pd.DataFrame, cols: list[str]) -> pd.Series:
    """For each row, the position of the first row with the same values in `cols`."""
    keyed = frame[cols]
    codes = keyed.groupby(cols, dropna=False, sort=False).ngroup()
    first = pd.Series(np.arange(len(frame)), index=frame.index).groupby(codes.to_numpy()) \
        .transform("min")
    return first


def check_table(col: Collector, kind: str, frame: pd.DataFrame,
                scales: Mapping[str, Any] | None = None,
                design: Mapping[str, str | None] | None = None) -> None:
    """Every problem of table `kind` found by its schema, its scales and its design."""
    table = check_kind(kind)
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
                    checks=[pa.Check(in_range(sc.min, sc.max, labels), name="out_of_range")],
                    required=False, nullable=True, coerce=False)
    cases = _failure_cases(data, kind, extra)

    # frame-wide checks report one failure per column: keep one per row
    frame_level = cases["schema_context"] == "DataFrameSchema"
    row_level = cases[frame_level & cases["index"].notna()]
    row_level = row_level.drop_duplicates(subset=["check", "index"])
    # without a key column, repeated keys and rows mean nothing (every row would repeat
    # another once the column is gone): those checks are skipped, and said so once
    missing_key = [c for c in table.key if c not in data.columns]
    if missing_key:
        row_level = row_level[~row_level["check"].isin(["duplicate_row", "duplicate_key"])]
        for name in missing_key:
            if len(table.key) > 1:
                col.skip(kind, name, "repeated keys", "重复的组合键")
            col.skip(kind, name, "repeated rows", "重复的行")
    dup_rows = set(row_level.loc[row_level["check"] == "duplicate_row", "index"].astype(int))
    firsts: dict[str, pd.Series] = {}

    for case in cases.to_dict("records"):
        check = case["check"]
        column = case["column"]
        if check == "column_in_dataframe":
            name = str(case["failure_case"])
            col.add(kind, position=None, column=name, value=None, check="missing_column",
                    texts=texts_missing_column(kind, name, frame))
            continue
        if case["schema_context"] == "DataFrameSchema":
            continue
        pos = int(case["index"]) if present(case["index"]) else None
        if pos is None:
            continue
        raw = data[column].iloc[pos] if column in data.columns else case["failure_case"]
        value = col.value(kind, column, raw)
        if check == "not_nullable":
            key = column in table.key
            col.add(kind, position=pos, column=column, value=None, check="missing_value",
                    severity="error" if key else "warning",
                    texts=texts_missing_value(kind, column, key=key))
        elif check == "type":
            col.add(kind, position=pos, column=column, value=value, check="type",
                    texts=texts_type(kind, column, value, table.column(column).dtype))
        elif check == "unknown_value":
            vocab = schema.VOCABULARIES[table.column(column).vocabulary]
            col.add(kind, position=pos, column=column, value=value, check="unknown_value",
                    texts=texts_unknown(kind, column, value, raw, vocab))
        elif check == "out_of_range":
            if column in item_scale:
                sc = item_scale[column]
                texts = texts_range(kind, column, value, sc.min, sc.max, scale=sc.name)
            else:
                spec = table.column(column)
                texts = texts_range(kind, column, value, spec.min_value, spec.max_value)
            col.add(kind, position=pos, column=column, value=value, check="out_of_range",
                    texts=texts)
        elif check == "field_uniqueness":
            if pos in dup_rows:
                continue
            if column not in firsts:
                firsts[column] = _first_rows(data, [column])
            first = firsts[column].iloc[pos]
            col.add(kind, position=pos, column=column, value=value, check="duplicate_id",
                    texts=texts_duplicate_id(kind, column, value, int(ctx["rows"][first])))

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
                        texts=texts_duplicate_row(first_row))
            else:
                values = {c: col.value(kind, c, data[c].iloc[pos]) for c in key_cols}
                col.add(kind, position=pos, column=None, value=None, check="duplicate_key",
                        texts=texts_duplicate_key(kind, values, first_row))

    _check_column_types(col, kind, data)
    _check_study_columns(col, kind, frame, data, scales, design)


def _check_column_types(col: Collector, kind: str, data: pd.DataFrame) -> None:
    """Whole columns stored as text where dates are expected (values all readable)."""
    table = schema.TABLES[kind]
    for spec in table.columns:
        if spec.dtype != "date" or spec.name not in data.columns:
            continue
        s = data[spec.name]
        if pd.api.types.is_datetime64_any_dtype(s.dtype) or not s.notna().any():
            continue
        if not bool(is_date(s).all()):
            continue  # the unreadable values are reported one by one
        col.add(kind, position=None, column=spec.name, value=None, check="type",
                severity="warning", texts=texts_text_dates(kind, spec.name))


def _check_study_columns(col: Collector, kind: str, frame: pd.DataFrame, data: pd.DataFrame,
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
                    texts=texts_missing_column(
                        kind, name, frame, why=f"named as `{role}` of the survey design",
                        why_zh=f"调查设计中的 `{role}`"))
            continue
        empty = np.flatnonzero(data[name].isna().to_numpy())
        spec = schema.TABLES["survey"].get(name)
        if spec is not None and spec.required:
            continue  # already reported by the schema
        for pos in empty:
            col.add(kind, position=int(pos), column=name, value=None, check="missing_value",
                    texts=texts_design_value_missing(name, role))
    codebook = frame.attrs.get("codebook") or {}
    for sc in (scales or {}).values():
        for item in sc.items:
            if item not in frame.columns:
                col.add(kind, position=None, column=item, value=None, check="missing_column",
                        texts=texts_missing_column(
                            kind, item, frame, why=f"an item of the scale `{sc.name}`",
                            why_zh=f"量表“{sc.name}”的题项"))
                continue
            labels = (codebook.get(item) or {}).get("value_labels") or None
            try:
                item_codes(data[item], labels)
            except TypeError:
                col.add(kind, position=None, column=item, value=None, check="type",
                        texts=texts_item_not_numeric(item, sc.name, data[item].dtype))


def check_record(col: Collector, kind: str, frame: pd.DataFrame) -> None:
    """Problems the reader recorded in the load record, and rows it lost."""
    rec = frame.attrs.get("load_record")
    if rec is None:
        return
    problems = rec.problems
    for fields in problems.to_dict("records"):
        col.add_record_problem(kind, fields)
    if not rec.accounts_for_every_row():
        col.add(kind, position=None, column=None, value=None, check="rows_unaccounted",
                texts=texts_rows_unaccounted(rec.rows_read, rec.rows_kept,
                                             len(rec.rows_set_aside)))
