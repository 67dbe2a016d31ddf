"""The problems of one validation run, each placed where the spreadsheet shows it.

A :class:`Collector` knows, for each table checked, its file and sheet, the
spreadsheet row of every row (from the load record) and its personal columns
(from :func:`toolkit.io.find_personal`), so that every problem it records names
the row as the user sees it and shows no personal value unmasked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from toolkit import schema
from toolkit.errors import PROBLEM_COLUMNS
from toolkit.io.personal import find_personal, mask
from toolkit.io.validation.messages import Texts, fmt_value, present, texts_skipped

__all__ = ["CHECKS", "Collector"]

#: Check codes in the order problems of one row are listed.
CHECKS = (
    "read", "rows_unaccounted", "missing_column", "skipped", "missing_value", "type",
    "unknown_value", "out_of_range", "duplicate_row", "duplicate_id", "duplicate_key",
    "dangling_reference", "impossible_date", "future_date",
)
_CHECK_ORDER = {c: i for i, c in enumerate(CHECKS)}


_TEXTS = ("problem", "fix", "problem_zh", "fix_zh")


class Collector:
    """Problems of one validation run, with the context of each table."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.context: dict[str, dict[str, Any]] = {}
        self.missing: set[tuple[str, str]] = set()
        self.skips: dict[tuple[str, str], list[tuple[str, str]]] = {}

    def skip(self, kind: str, column: str, what: str, what_zh: str) -> None:
        """Note that a check needing column `column` of table `kind` was not run.

        Said once per missing column (a ``skipped`` warning listing every check
        left out), and only for a column reported missing.
        """
        self.skips.setdefault((kind, column), []).append((what, what_zh))

    def add_table(self, kind: str, frame: pd.DataFrame) -> None:
        """Register table `kind` before its problems are added."""
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
            found = find_personal(ctx["frame"], kind=kind)
            ctx["personal"] = dict(zip(found["column"], found["kind"], strict=True))
        return ctx["personal"]

    def value(self, kind: str, column: str | None, value: object) -> str | None:
        """A value as a problem shows it: as written in a cell, personal data masked."""
        personal = self.personal(kind).get(column) if column is not None else None
        return mask(fmt_value(value), personal or "text")

    def add(
        self,
        kind: str,
        *,
        position: int | None,
        column: str | None,
        value: str | None,
        check: str,
        texts: Texts,
        severity: str = "error",
    ) -> None:
        """Record one problem found by a check (`value` already from :meth:`value`)."""
        if check == "missing_column" and column is not None:
            self.missing.add((kind, column))
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
        """Record a problem a reader put in the load record (its value masked here)."""
        column = fields.get("column")
        column = None if not present(column) else str(column)
        row = fields.get("row")
        row = None if not present(row) else int(row)
        ctx = self.context.get(kind, {})
        raw = fmt_value(fields.get("value"))
        text = self.value(kind, column, fields.get("value"))
        texts = {k: fields.get(k) for k in _TEXTS}
        if raw and text != raw:  # the reader's texts quote the value as it was
            texts = {k: v.replace(raw, text or "") if isinstance(v, str) else v
                     for k, v in texts.items()}
        check = fields.get("check") or "read"
        self.rows.append({
            "table": fields.get("table") or kind,
            "file": fields.get("file") or ctx.get("file"),
            "sheet": fields.get("sheet") or ctx.get("sheet"),
            "row": row, "column": column, "value": text,
            "check": check,
            "severity": fields.get("severity") or "error",
            "problem": texts["problem"], "fix": texts["fix"],
            "problem_zh": texts["problem_zh"] or texts["problem"],
            "fix_zh": texts["fix_zh"] or texts["fix"],
            "_order": (schema.TABLE_NAMES.index(kind) if kind in schema.TABLE_NAMES else 99,
                       -1 if row is None else row, ctx.get("columns", {}).get(column, 10_000)
                       if column else -1, _CHECK_ORDER.get(check, 0), 0),
        })

    def _add_skips(self) -> None:
        for (kind, column), what in self.skips.items():
            if (kind, column) in self.missing:
                self.add(kind, position=None, column=column, value=None, check="skipped",
                         severity="warning", texts=texts_skipped(kind, column, what))
        self.skips = {}

    def frame(self) -> pd.DataFrame:
        """The problems, in table, row, column and check order (columns of PROBLEM_COLUMNS).

        One cell has one problem: when the reader reported a cell (a date that does
        not exist, left empty), what follows from it (the empty cell) is not
        reported again.
        """
        self._add_skips()
        rows = sorted(self.rows, key=lambda r: r["_order"])
        out = pd.DataFrame([{k: r[k] for k in PROBLEM_COLUMNS} for r in rows],
                           columns=PROBLEM_COLUMNS)
        out = out.astype(object)
        out["value"] = pd.Series([r["value"] for r in rows], dtype=object)
        out["row"] = pd.array([r["row"] for r in rows], dtype="Int64")
        shown: dict[object, str | None] = {}  # the texts repeat: each is masked once
        for name in _TEXTS:
            out[name] = [shown[t] if t in shown else shown.setdefault(t, mask(t, "text"))
                         for t in out[name]]
        # a problem the reader already recorded is not reported twice, nor what follows
        # from it in the same cell (the reader's text, naming the file's header, is kept)
        where = out[["table", "row", "column", "check"]].astype(str)
        cell = out["row"].notna().to_numpy() & out["column"].notna().to_numpy()
        repeated = where.duplicated(keep="first").to_numpy() | (
            cell & where[["table", "row", "column"]].duplicated(keep="first").to_numpy())
        return out[~repeated].reset_index(drop=True)


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
