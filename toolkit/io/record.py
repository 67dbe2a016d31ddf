"""The load record: what happened to every row and value when a file was read.

Every reader attaches a :class:`LoadRecord` to the frame it returns
(``df.attrs["load_record"]``; get it with :func:`load_record`). It answers the
question a reviewer asks of any cleaned table: how many rows were read, how many
kept, which were set aside and why, and every value that was changed.

Examples
--------
>>> import pandas as pd
>>> rec = LoadRecord(file="a.csv", table="sessions", rows_read=3)
>>> rec.set_aside(row=4, reason="footer: 填表人", values="填表人：张三")
>>> rec.coerce(column="date", what="Chinese date → date", before="2023年11月8日",
...            after="2023-11-08", count=2)
>>> rec.rows_kept = 2
>>> print(rec.summary())
a.csv: 3 rows read, 2 kept, 1 set aside; 2 value(s) changed in 1 column(s).
>>> rec.accounts_for_every_row()
True

Declared missing codes (98/99, 不知道 …) become missing values, but which code
each cell held is kept:

>>> rec.add_missing(pd.DataFrame({"row": [5], "column": ["q1"], "code": [98],
...                               "label": ["不知道"]}))
>>> rec.missing
   row column  code label
0    5     q1    98   不知道
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pandas as pd

from toolkit import schema
from toolkit._summary import Summary
from toolkit.errors import PROBLEM_COLUMNS
from toolkit.io.personal import find_personal, mask

__all__ = ["LoadRecord", "load_record"]

SET_ASIDE_COLUMNS = ["row", "reason", "values"]
COERCION_COLUMNS = ["column", "what", "count", "before", "after"]
MISSING_COLUMNS = ["row", "column", "code", "label"]


@dataclass
class LoadRecord:
    """Record of one read: rows read, kept, set aside, and every coercion made.

    Attributes
    ----------
    file : str
        Path of the file read (as given).
    sheet : str or None
        Excel sheet name, if any.
    table : str or None
        Canonical table kind the file was read as.
    rows_read : int
        Data rows found in the file (after the header, banner rows excluded).
    rows_kept : int
        Rows in the returned frame.
    header_rows : int
        Rows the header occupied (1, or 2 for a two-row merged header).
    first_data_row : int
        Row number, as the spreadsheet or a text editor shows it (1-based), of
        the first data row; row ``i`` of the frame is file row ``first_data_row + i``
        unless rows were set aside before it (see ``row_numbers``).
    row_numbers : list of int or numpy.ndarray
        File row number of every kept row, in order.
    header_map : dict
        Original header → canonical column name (identity for unmapped columns).
    encoding : str or None
        Text encoding detected or used.
    delimiter : str or None
        Field delimiter of a delimited text file (sniffed or given).
    notes : list of str
        Other facts worth knowing (banner text found, delimiter sniffed …).
    sheets : list of str
        Every sheet of an Excel workbook, in order (``sheet`` is the one read).
    """

    file: str | None = None
    sheet: str | None = None
    table: str | None = None
    rows_read: int = 0
    rows_kept: int = 0
    header_rows: int = 1
    first_data_row: int = 2
    row_numbers: Any = field(default_factory=list, repr=False)
    header_map: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    _set_aside: list[dict[str, Any]] = field(default_factory=list, repr=False)
    _coercions: list[dict[str, Any]] = field(default_factory=list, repr=False)
    _problems: list[dict[str, Any]] = field(default_factory=list, repr=False)
    _problem_frames: list[pd.DataFrame] = field(default_factory=list, repr=False)
    _missing: list[pd.DataFrame] = field(default_factory=list, repr=False)

    # A record is shared, not copied, when pandas propagates ``attrs``: pandas
    # deep-copies attrs on many operations, which would copy the record each time.
    def __deepcopy__(self, memo: dict) -> LoadRecord:
        return self

    def set_aside(self, *, row: int, reason: str, values: object = None) -> None:
        """Note that file row `row` was not kept, and why.

        The reason and the row's text are kept with personal values masked
        (:func:`toolkit.io.personal.mask`): a footer ``填表人：王小明 联系电话：…``
        is recorded as ``填表人：王** 联系电话：138****5678``.
        """
        self._set_aside.append({"row": row, "reason": _text(reason),
                                "values": _text(values)})

    def coerce(
        self,
        *,
        column: str,
        what: str,
        before: object,
        after: object,
        count: int = 1,
    ) -> None:
        """Note that `count` values of `column` were changed (one example given).

        The example is kept as it may be shown: masked whole in a personal column,
        else with ID-card and mobile numbers masked (:func:`toolkit.io.personal.mask`).
        """
        kind = _column_kind(column, self.table)
        self._coercions.append(
            {"column": column, "what": what, "count": int(count),
             "before": _shown(before, kind), "after": _shown(after, kind)}
        )

    def mask_columns(self, columns: dict[str, str | None]) -> None:
        """Mask the examples of changes and the problem values of `columns`.

        `columns` maps a column to its personal kind. Called when the columns are
        pseudonymised, so that no example or problem in the record keeps a value
        the table no longer holds.
        """
        for entry in self._coercions:
            if entry["column"] in columns:
                kind = columns[entry["column"]] or "name"
                entry["before"] = _shown(entry["before"], kind)
                entry["after"] = _shown(entry["after"], kind)
        for row in self._problems:
            if row["column"] in columns:
                row.update(_redacted_problem(row, columns[row["column"]] or "name"))
        for i, frame in enumerate(self._problem_frames):
            hit = frame["column"].isin(list(columns)).to_numpy()
            if hit.any():
                frame = frame.copy()
                for pos in hit.nonzero()[0]:
                    rec = frame.iloc[pos].to_dict()
                    shown = _redacted_problem(rec, columns[rec["column"]] or "name")
                    for name in _SHOWN:
                        frame.iloc[pos, frame.columns.get_loc(name)] = shown[name]
                self._problem_frames[i] = frame

    def problem(self, **fields: object) -> None:
        """Note a problem found while reading (fields as in ``PROBLEM_COLUMNS``)."""
        row = {k: fields.get(k) for k in PROBLEM_COLUMNS}
        row["table"] = row["table"] or self.table
        row.update(_redacted_problem(row, _column_kind(row["column"], row["table"])))
        row["file"] = row["file"] or self.file
        row["sheet"] = row["sheet"] or self.sheet
        self._problems.append(row)

    def add_problems(self, problems: pd.DataFrame) -> None:
        """Note many problems at once (a frame with the columns of ``PROBLEM_COLUMNS``).

        Missing ``table``, ``file`` and ``sheet`` values are filled from the record.
        """
        if not len(problems):
            return
        frame = problems.reindex(columns=PROBLEM_COLUMNS).astype(object)
        shown = [_redacted_problem(rec, _column_kind(
                    rec["column"], rec["table"] if isinstance(rec["table"], str) else self.table))
                 for rec in frame.to_dict("records")]
        for name in _SHOWN:
            frame[name] = pd.Series([r[name] for r in shown], index=frame.index, dtype=object)
        for key in ("table", "file", "sheet"):
            default = getattr(self, key)
            if default is not None:
                frame[key] = frame[key].astype(object).where(frame[key].notna(), default)
        self._problem_frames.append(frame)

    def add_missing(self, cells: pd.DataFrame) -> None:
        """Note cells set to missing because they held a declared missing code.

        `cells` has the columns ``row`` (file row), ``column``, ``code`` (the
        value found, e.g. ``98``) and ``label`` (e.g. ``"不知道"``, or None).
        """
        if len(cells):
            self._missing.append(cells.reindex(columns=MISSING_COLUMNS))

    @property
    def missing(self) -> pd.DataFrame:
        """Cells that held a declared missing code: ``row, column, code, label``."""
        if not self._missing:
            return pd.DataFrame(columns=MISSING_COLUMNS)
        if len(self._missing) > 1:
            self._missing = [pd.concat(self._missing, ignore_index=True)]
        return self._missing[0].copy()

    @property
    def n_missing(self) -> int:
        """How many cells held a declared missing code (:attr:`missing` without building it)."""
        return sum(len(m) for m in self._missing)

    @property
    def rows_set_aside(self) -> pd.DataFrame:
        """Rows not kept: file ``row``, ``reason``, ``values``."""
        return pd.DataFrame(self._set_aside, columns=SET_ASIDE_COLUMNS)

    @property
    def coercions(self) -> pd.DataFrame:
        """Changes made: ``column, what, count, before, after`` (one example each)."""
        return pd.DataFrame(self._coercions, columns=COERCION_COLUMNS)

    @property
    def problems(self) -> pd.DataFrame:
        """Problems found while reading, in the columns of ``PROBLEM_COLUMNS``."""
        frames = [pd.DataFrame(self._problems, columns=PROBLEM_COLUMNS)]
        frames += self._problem_frames
        frames = [f for f in frames if len(f)]
        if not frames:
            return pd.DataFrame(columns=PROBLEM_COLUMNS)
        if len(frames) == 1:
            return frames[0].reset_index(drop=True)
        return pd.concat([f.astype(object) for f in frames], ignore_index=True)

    def accounts_for_every_row(self) -> bool:
        """True when every row read is either kept or set aside with a reason.

        When ``row_numbers`` is filled in, it must also name exactly
        ``rows_kept`` distinct rows, none of which was set aside.
        """
        if self.rows_read != self.rows_kept + len(self._set_aside):
            return False
        if len(self.row_numbers):
            kept = {int(r) for r in self.row_numbers}
            aside = {s["row"] for s in self._set_aside}
            if len(kept) != self.rows_kept or len(self.row_numbers) != self.rows_kept:
                return False
            if kept & aside or len(aside) != len(self._set_aside):
                return False
        return True

    def summary(self) -> Summary:
        """Rows read, kept, set aside, values changed (one line as text; changes as table)."""
        n_changed = sum(c["count"] for c in self._coercions)
        n_cols = len({c["column"] for c in self._coercions})
        name = self.file if self.sheet is None else f"{self.file} [{self.sheet}]"
        text = (
            f"{name}: {self.rows_read} rows read, {self.rows_kept} kept, "
            f"{len(self._set_aside)} set aside; {n_changed} value(s) changed in "
            f"{n_cols} column(s)."
        )
        n_missing = self.n_missing
        if n_missing:
            text += f" {n_missing} declared missing code(s) set to missing."
        n_problems = len(self._problems) + sum(len(f) for f in self._problem_frames)
        if n_problems:
            text += f" {n_problems} problem(s) found."
        info = [("File", str(name)), ("Rows read", str(self.rows_read)),
                ("Rows kept", str(self.rows_kept)), ("Rows set aside", str(len(self._set_aside))),
                ("Values changed", str(n_changed)), ("Missing codes", str(n_missing)),
                ("Problems", str(n_problems))]
        return Summary("Load record", info, self.coercions, text=text, was="str")

    def to_frame(self) -> pd.DataFrame:
        """Every value changed while reading (the :attr:`coercions` table)."""
        return self.coercions

    def _repr_html_(self) -> str:
        parts = [f"<p>{html.escape(self.summary().as_text())}</p>"]
        if self._set_aside:
            parts.append("<h5>Rows set aside</h5>" + self.rows_set_aside.to_html(index=False))
        if self._coercions:
            parts.append("<h5>Values changed</h5>" + self.coercions.to_html(index=False))
        problems = self.problems
        if len(problems):
            shown = problems[["row", "column", "value", "problem", "fix"]].head(20)
            parts.append("<h5>Problems</h5>" + shown.to_html(index=False))
        return "\n".join(parts)


_SHOWN = ("value", "problem", "fix", "problem_zh", "fix_zh")


@lru_cache(maxsize=4096)
def _column_kind(column: object, table: str | None) -> str | None:
    """What a column holds by its name and table alone (:func:`find_personal`'s rules)."""
    if not isinstance(column, str):
        return None
    kind = table if table in schema.TABLES else None
    found = find_personal(pd.DataFrame({str(column): pd.Series([], dtype=object)}), kind=kind)
    return None if found.empty else str(found["kind"].iloc[0])


def _text(value: object) -> str | None:
    """A value or a text as the record keeps it: personal values in it masked."""
    if isinstance(value, str):
        return _masked_text(value)
    shown = mask(value, "text")
    return None if shown is None or pd.isna(shown) else str(shown)


@lru_cache(maxsize=65536)
def _masked_text(text: str) -> str:
    """:func:`mask` of a text, once per text (a reader's messages repeat)."""
    return str(mask(text, "text"))


def _shown(value: object, kind: str | None) -> object:
    """An example value as the record keeps it (numbers and dates stay as they are)."""
    if value is None or (not isinstance(value, str) and kind is None
                         and _text(value) == str(value)):
        return value
    return mask(value, kind) if kind is not None else _text(value)


def _redacted_problem(rec: dict[str, Any], kind: str | None) -> dict[str, Any]:
    """A reader's problem with its value and texts as they may be shown."""
    value = rec.get("value")
    raw = None if value is None or (isinstance(value, float) and value != value) else str(value)
    if raw is None:
        shown = value
    else:
        shown = mask(raw, kind) if kind is not None else _text(raw)
    out: dict[str, Any] = {"value": value if shown == raw else shown}  # 2 stays a number
    for name in _SHOWN[1:]:
        text = rec.get(name)
        if isinstance(text, str):
            if raw and shown is not None and raw != shown:
                text = text.replace(raw, str(shown))
            text = _text(text)
        out[name] = text
    return out


def load_record(data: pd.DataFrame) -> LoadRecord:
    """Return the :class:`LoadRecord` attached to a frame by a reader.

    Parameters
    ----------
    data : pandas.DataFrame
        A frame returned by ``tk.io.read_table`` (the record travels in
        ``data.attrs["load_record"]``).

    Returns
    -------
    LoadRecord
        Rows read, kept and set aside (``rows_set_aside``), every change
        (``coercions``), problems found while reading (``problems``), cells that
        held declared missing codes (``missing``), encoding, delimiter, sheet.

    Raises
    ------
    KeyError
        When the frame did not come from a toolkit reader.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1]})
    >>> df.attrs["load_record"] = LoadRecord(file="a.csv", rows_read=1, rows_kept=1)
    >>> print(load_record(df).summary())
    a.csv: 1 rows read, 1 kept, 0 set aside; 0 value(s) changed in 0 column(s).
    """
    rec = data.attrs.get("load_record")
    if rec is None:
        msg = (
            "This DataFrame has no load record: it was not returned by `tk.io.read_table`, "
            "or an operation dropped its `attrs`. Read the file with `tk.io.read_table`."
        )
        raise KeyError(msg)
    return rec
