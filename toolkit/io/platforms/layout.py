"""The layout of an export: raw cells, which columns form which question, which mode.

:class:`Export` holds the raw frame and its load record and words every
message (file, sheet, row, column, value); :func:`group_columns` puts the
columns of each question together; :func:`check_shape` refuses rows longer or
shorter than the header; :func:`decide_mode` finds the cells that show the
export's mode and refuses files that mix the two.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit.errors import ReadError
from toolkit.io.platforms.headers import Header, parse_header
from toolkit.io.record import LoadRecord

__all__ = ["MODES", "SKIP_CODES", "Export", "Question", "check_shape", "decide_mode",
           "group_columns", "is_missing", "is_number_skip", "shown"]

#: Export modes: answers as option texts (按选项文本) or as option numbers (按选项序号/分数).
MODES = {"text": "answer text (按选项文本)", "number": "answer numbers (按选项序号)"}

#: Skip codes the platforms write, with their meaning: an answer-text export writes
#: ``(跳过)`` for a question skipped by the questionnaire's logic and ``(空)`` for one
#: left unanswered; an answer-number export writes ``-3`` and ``-2``.
SKIP_CODES: dict[object, str] = {"(跳过)": "跳过", "(空)": "空", -3: "跳过", -2: "空"}
#: Cells only an answer-text export writes. ``(空)`` is left out: an answer-number
#: export may write it for an unanswered free-text question.
_TEXT_SKIPS = frozenset({"(跳过)", "（跳过）"})
_NUMBER_SKIPS = frozenset({-3.0, -2.0})


def is_missing(value: object) -> bool:
    """None, NA or NaN."""
    return value is None or value is pd.NA or value is pd.NaT or (
        isinstance(value, float) and np.isnan(value))


def shown(value: object) -> str:
    """A cell as a message shows it: shortened, and masked when it is personal.

    Examples
    --------
    >>> shown("13800138000"), shown("非常满意")
    ('138****8000', '非常满意')
    """
    from toolkit.io.personal import find_personal, mask

    found = find_personal(pd.DataFrame({"value": [str(value)]}))
    if len(found):
        return str(mask(value, found["kind"].iloc[0]))
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


@dataclass
class Question:
    """The columns of one question, in file order.

    ``columns`` are the question's own columns (one, or one per option or row);
    ``extras`` are fill-in text columns written after it without a number
    (``其他_____``).
    """

    number: int
    columns: list[tuple[int, Header]] = field(default_factory=list)
    extras: list[tuple[int, Header]] = field(default_factory=list)

    @property
    def name(self) -> str:
        """Stable column name: ``q3``."""
        return f"q{self.number}"

    @property
    def positions(self) -> list[int]:
        """File positions of all its columns."""
        return [pos for pos, _ in (*self.columns, *self.extras)]


class Export:
    """The raw cells of one export, its load record, and what has been decided about it."""

    def __init__(self, path: Path, raw: pd.DataFrame, record: LoadRecord, *,
                 platform: str | None, mode: str | None) -> None:
        self.path = path
        self.raw = raw
        self.record = record
        self.platform = platform
        self.mode = mode
        self.platform_detected = platform is None
        self.mode_detected = mode is None
        self.rows = np.asarray(record.row_numbers, dtype=np.int64) if len(record.row_numbers) \
            else np.arange(len(raw), dtype=np.int64) + record.first_data_row
        self.headers = [str(c) for c in raw.columns]
        self.parsed = [parse_header(h) for h in self.headers]

    @property
    def header_row(self) -> int:
        """Row number of the header, as the spreadsheet shows it."""
        return max(self.record.first_data_row - 1, 1)

    def where(self, *, row: int | None = None, column: str | None = None,
              value: object = None) -> str:
        """``file …, sheet …, row …, column …, value …`` for a message."""
        parts = [f"file `{self.record.file}`"]
        if self.record.sheet is not None:
            parts.append(f"sheet `{self.record.sheet}`")
        if row is not None:
            parts.append(f"row {row}")
        if column is not None:
            parts.append(f"column `{column}`")
        if value is not None:
            parts.append(f"value {shown(value)!r}")
        return ", ".join(parts)

    def error(self, what: str, fix: str, **where: Any) -> ReadError:
        """A ReadError saying what, where (file, sheet, row, column, value) and the fix."""
        msg = f"{what} ({self.where(**where)}). Fix: {fix}"
        return ReadError(msg)

    def first_cell(self, pos: int, test: Any) -> tuple[int, object] | None:
        """File row and value of the first cell of column `pos` that passes `test`."""
        column = self.raw.iloc[:, pos]
        hits = [u for u in pd.unique(column.dropna()) if test(u)]
        if not hits:
            return None
        i = int(np.flatnonzero(column.isin(hits).to_numpy())[0])
        value = column.iloc[i]
        return int(self.rows[i]), value.item() if isinstance(value, np.generic) else value


def group_columns(export: Export) -> tuple[list[tuple[str, Any]], list[Question]]:
    """Put the columns of each question together.

    Returns the entries in file order — ``("meta", pos)``, ``("question",
    Question)``, ``("unknown", pos)`` — and the questions.

    Raises
    ------
    ReadError
        When a question's columns are split by other columns.
    """
    entries: list[tuple[str, Any]] = []
    questions: list[Question] = []
    seen: dict[int, int] = {}
    for pos, h in enumerate(export.parsed):
        last = entries[-1] if entries else None
        if h.kind in ("question", "item"):
            assert h.number is not None
            if last is not None and last[0] == "question" and last[1].number == h.number \
                    and not last[1].extras:
                last[1].columns.append((pos, h))
                continue
            if h.number in seen:
                first = export.headers[seen[h.number]]
                err = export.error(
                    f"Question {h.number} appears in two places, `{first}` and `{h.raw}`, "
                    "with other columns between them",
                    "An export keeps the columns of one question together: restore the file "
                    "as the platform wrote it, or rename the misplaced header.",
                    row=export.header_row, column=h.raw)
                raise err
            seen[h.number] = pos
            question = Question(h.number, [(pos, h)])
            questions.append(question)
            entries.append(("question", question))
        elif h.kind == "other" and last is not None and last[0] == "question":
            last[1].extras.append((pos, h))
        elif h.kind == "meta":
            entries.append(("meta", pos))
        else:
            entries.append(("unknown", pos))
    return entries, questions


def check_shape(export: Export) -> None:
    """Refuse rows with more or fewer fields than the header.

    A CSV is checked record by record (one record is one row, as a spreadsheet
    shows it); for Excel, a column without a header that holds data is the
    sign of a longer row.
    """
    if export.record.delimiter is not None and export.record.encoding is not None:
        _check_csv_fields(export)
    for pos, h in enumerate(export.headers):
        if not (h.startswith("unnamed_") or h.startswith("column_")):
            continue
        hit = export.first_cell(pos, lambda v: str(v).strip() != "")
        if hit is not None:
            err = export.error(
                "A column without a header holds answers: some rows are longer than the "
                "header (an answer holding an unquoted delimiter, or rows pasted from another "
                "export)",
                "Export the answers again from the platform, so that every row has one field "
                "per header.",
                row=hit[0], column=h, value=hit[1])
            raise err


def _check_csv_fields(export: Export) -> None:
    record = export.record
    assert record.encoding is not None
    assert record.delimiter is not None
    text = export.path.read_bytes().decode(record.encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    header_index = max(record.first_data_row - 2, 0)
    width = None
    short: list[tuple[int, int]] = []
    long: list[tuple[int, int, str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=record.delimiter)
    for i, fields in enumerate(reader):
        if i < header_index:
            continue
        if width is None:
            width = len(fields)
            continue
        if not any(f.strip() for f in fields):
            continue
        if len(fields) < width:
            short.append((i + 1, len(fields)))
        elif len(fields) > width and any(f.strip() for f in fields[width:]):
            long.append((i + 1, len(fields), next(f for f in fields[width:] if f.strip())))
    if long:
        row, n, value = long[0]
        also = f"; so do row(s) {', '.join(str(r[0]) for r in long[1:6])}" \
            if len(long) > 1 else ""
        err = export.error(
            f"Row {row} has {n} fields but the header has {width}{also}: an answer holds an "
            "unquoted delimiter, or rows were pasted from another export, so the answers "
            "after it would shift to the wrong questions",
            "Export the answers again from the platform (or quote the field that holds the "
            "delimiter), so that every row has one field per header.",
            row=row, column=f"field {width + 1}", value=value)
        raise err
    if short:
        row, n = short[0]
        also = f"; so do row(s) {', '.join(str(r[0]) for r in short[1:6])}" \
            if len(short) > 1 else ""
        err = export.error(
            f"Row {row} has {n} fields but the header has {width}{also}: the row is cut "
            "short, so its last answers are missing",
            "Export the answers again from the platform; do not edit the CSV by hand.",
            row=row, column=export.headers[n] if n < len(export.headers) else None)
        raise err


# ---------------------------------------------------------------------------
# Mode
# ---------------------------------------------------------------------------


def _is_text_skip(value: object) -> bool:
    return isinstance(value, str) and value.strip() in _TEXT_SKIPS


def is_number_skip(value: object) -> bool:
    """``-3`` or ``-2`` (as a number or a text)."""
    if isinstance(value, bool | np.bool_):
        return False
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value) in _NUMBER_SKIPS
    return isinstance(value, str) and value.strip() in ("-3", "-2")


_EVIDENCE = (
    ("text", "the skip code of an answer-text export", _is_text_skip),
    ("text", "answers joined with ┋", lambda v: isinstance(v, str) and "┋" in v),
    ("number", "the skip code of an answer-number export", is_number_skip),
)


def decide_mode(export: Export, questions: list[Question]) -> None:
    """Set ``export.mode`` from the cells only one mode writes; refuse mixed exports.

    The skip code ``(跳过)`` and ``┋`` mark an answer-text export;
    ``-3``/``-2`` an answer-number export. When neither occurs, the mode is left
    to be decided from the answers themselves (``export.mode`` stays None).

    Raises
    ------
    ReadError
        When cells of both modes occur, or the cells contradict the `mode` given.
    """
    found: dict[str, tuple[str, int, str, object]] = {}
    for question in questions:
        for pos in question.positions:
            for kind, what, test in _EVIDENCE:
                hit = export.first_cell(pos, test)
                if hit is not None and (kind not in found or hit[0] < found[kind][1]):
                    found[kind] = (what, hit[0], export.headers[pos], hit[1])
    if "text" in found and "number" in found:
        t, n = found["text"], found["number"]
        err = export.error(
            f"The file mixes an answer-text export and an answer-number export: row {t[1]}, "
            f"column `{t[2]}` holds {shown(t[3])!r} ({t[0]}) while row {n[1]}, column `{n[2]}` "
            f"holds {shown(n[3])!r} ({n[0]})",
            "Download all answers again in one mode (按选项文本 or 按选项序号) instead of "
            "pasting exports together.",
            row=n[1], column=n[2], value=n[3])
        raise err
    strong = next(iter(found), None)
    if strong is None:
        if export.mode is not None:
            export.record.notes.insert(1, f"mode: {MODES[export.mode]} (given as `mode`)")
        return
    what, row, header, value = found[strong]
    if export.mode is not None and export.mode != strong:
        err = export.error(
            f"`mode={export.mode!r}` was given, but row {row}, column `{header}` holds "
            f"{shown(value)!r}, {what}",
            f"Pass `mode={strong!r}`, or leave `mode` out to have it detected.",
            row=row, column=header, value=value)
        raise err
    if export.mode is None:
        export.mode = strong
        export.record.notes.insert(
            1, f"mode: {MODES[strong]}, detected from {what} at row {row}, column `{header}`")
    else:
        export.record.notes.insert(1, f"mode: {MODES[strong]} (given as `mode`)")
