"""Validation: every problem of a table or a study, found at once.

:func:`validate` checks one canonical table (a DataFrame and its ``kind``) or a whole
:class:`toolkit.Study` and returns a :class:`ValidationReport`. Nothing stops at the
first problem: the report lists every one, each with the table, file, sheet and row
as the spreadsheet shows it, the column, the value (personal values masked), a
short ``check`` code, a severity, and what is wrong and how to fix it in English
and Chinese.

The per-table checks run through pandera (one :class:`pandera.DataFrameSchema` per
canonical table, generated from :data:`toolkit.schema.TABLES` by
:func:`table_schema`, validated with ``lazy=True``); the checks across tables
(references, date order) are vectorised pandas.

The package holds one job per module:

- :mod:`.schema_checks` — the pandera schema of each table and its element
  checks (types, vocabularies, ranges, repeated rows and keys);
- :mod:`.table_checks` — the checks of one table (schema, survey design and
  scale columns, load record);
- :mod:`.cross_table_checks` — references between tables, and dates;
- :mod:`.problems` — the problems of one run, with spreadsheet rows and masked
  personal values;
- :mod:`.messages` — the English and Chinese wording of every problem;
- :mod:`.report` — :class:`ValidationReport`, as a frame, text and HTML.

Checks (the ``check`` column of a report)
-----------------------------------------
``read``
    Problems the readers recorded while reading a file (load records).
``rows_unaccounted``
    A load record whose rows read ≠ rows kept + rows set aside.
``missing_column``
    A required column (or a column named by the survey design or a scale) is absent.
``skipped``
    Checks not run because a column they need is missing (repeated keys and rows
    without a key column, references without the id column, date order without
    the earlier date): one warning per missing column, listing them.
``missing_value``
    An empty cell in a required column (an error in identifier columns).
``type``
    A value of the wrong type (a text that is not a date, a number, yes/no).
``unknown_value``
    A value outside the column's vocabulary; the closest known term is suggested.
``out_of_range``
    A number outside the column's range or outside a scale's ``min``–``max``.
``duplicate_id``
    An identifier used by more than one row.
``duplicate_key``
    A key combination (e.g. session and participant in attendance) repeated.
``duplicate_row``
    A row identical to an earlier row.
``dangling_reference``
    An id pointing to a row that does not exist in the referenced table.
``impossible_date``
    A date before the date it follows (implemented before the session, response
    before submission).
``future_date``
    A date after the data's reference date (``as_of``, by default today).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from toolkit import schema
from toolkit._checks import is_study, refuse_large
from toolkit.errors import ArgumentError, ArgumentTypeError
from toolkit.io.kinds import check_kind
from toolkit.io.validation.cross_table_checks import check_dates, check_references
from toolkit.io.validation.problems import CHECKS, Collector
from toolkit.io.validation.report import ValidationReport
from toolkit.io.validation.schema_checks import table_schema
from toolkit.io.validation.table_checks import check_record, check_table

__all__ = ["CHECKS", "ValidationReport", "guess_kind", "table_schema", "validate"]




def validate(
    data: pd.DataFrame | Any,
    *,
    kind: str | None = None,
    strict: bool = False,
    as_of: str | dt.date | None = None,
) -> ValidationReport:
    """Check a canonical table or a whole study and report every problem at once.

    Parameters
    ----------
    data : pandas.DataFrame or Study
        One table with canonical column names (as returned by
        ``tk.io.read_table(kind=...)``), or a :class:`toolkit.Study`.
    kind : str, optional
        Table kind of a DataFrame (``"units"``, ``"participants"``, ``"sessions"``,
        ``"attendance"``, ``"submissions"``, ``"survey"``). May be omitted when the
        frame carries a load record naming its kind. Not used with a Study.
    strict : bool, default False
        Raise one :class:`~toolkit.errors.ValidationError` listing every problem
        when any has severity ``"error"``.
    as_of : str or date, optional
        Date the data describe up to (e.g. the export date); dates after it are
        reported. Defaults to the study's ``as_of`` or, failing that, today.

    Returns
    -------
    ValidationReport
        ``.ok`` is True when no problem is an error; ``.problems`` has the columns
        ``table, file, sheet, row, column, value, check, severity, problem, fix,
        problem_zh, fix_zh`` (``row`` as the spreadsheet shows it: from the load
        record, else position + 2 for one header row; personal values masked).

    Raises
    ------
    ValidationError
        With ``strict=True`` when there is an error-severity problem.
    toolkit.errors.ArgumentError
        When `kind` is missing or unknown for a DataFrame (a ValueError).
    toolkit.errors.ArgumentTypeError
        When `data` is neither a DataFrame nor a Study (a TypeError).

    Notes
    -----
    A Study is checked table by table (pandera schema per table generated from
    :data:`toolkit.schema.TABLES`, scale items against the scale's ``min``/``max``,
    the survey design's columns) and then across tables: every id pointing to
    another table (``references`` in the schema) must exist there, implementation
    and response dates may not precede session and submission dates, and no date
    may lie after `as_of`. A DataFrame alone gets the per-table checks and the
    date checks within it.

    Each cell has at most one problem (a date the reader could not read is not
    reported again as an empty cell); a check that needs a missing column is not
    run, and one ``skipped`` warning says so (no cascade of repeated keys when the
    participant column is gone).

    Examples
    --------
    >>> sessions = pd.DataFrame({
    ...     "session_id": ["S1", "S2", "S2"],
    ...     "date": pd.to_datetime(["2023-11-08", "2023-11-20", "2023-12-01"]),
    ...     "unit_id": ["C01", "C01", "C02"],
    ...     "platform": ["居民议事会", "居民议事会议", "微信群"],
    ... })
    >>> report = tk.validate(sessions, kind="sessions")
    >>> report.ok
    False
    >>> report.problems[["row", "column", "value", "check"]]
       row      column   value          check
    0    3    platform  居民议事会议  unknown_value
    1    4  session_id      S2   duplicate_id
    >>> report.problems.loc[0, "fix"]
    'Did you mean `居民议事会`? Replace the value with a term of the vocabulary.'
    """
    reference = _as_of(as_of, data)
    col = Collector()
    if is_study(data):
        tables = {name: data.table(name) for name in data.tables}
        for name, frame in tables.items():
            col.add_table(name, frame)
        for name, frame in tables.items():
            check_record(col, name, frame)
            check_table(col, name, frame,
                        scales=data.scales if name == "survey" else None,
                        design=data.design_spec.columns() if name == "survey" else None)
        bare = {name: col.context[name]["data"] for name in tables}
        check_references(col, bare)
        check_dates(col, bare, reference)
    elif isinstance(data, pd.DataFrame):
        rec = data.attrs.get("load_record")
        if kind is None:
            kind = getattr(rec, "table", None)
        if kind is None:
            msg = ("Give the table kind with `kind=` (one of "
                   f"{', '.join(schema.TABLE_NAMES)}); this DataFrame has no load record "
                   "naming it.")
            raise ArgumentError(msg)
        check_kind(kind)
        col.add_table(kind, data)
        check_record(col, kind, data)
        check_table(col, kind, data)
        check_dates(col, {kind: col.context[kind]["data"]}, reference)
    else:
        refuse_large(data, where="tk.io.validate")
        msg = (f"`data` must be a pandas DataFrame or a Study, not {type(data).__name__}. "
               "Read a file with `tk.io.read_table(path, kind=...)` first.")
        raise ArgumentTypeError(msg)
    report = ValidationReport(col.frame())
    if strict:
        report.raise_if_errors()
    return report


def guess_kind(columns: list[str] | pd.Index) -> str | None:
    """The table kind whose required columns a file's headers name, or None.

    Used by ``toolkit validate FILE`` without ``--kind``: a kind is chosen only
    when every required column of exactly one best-matching kind is found among
    the headers (through the header aliases). Never used silently by
    :func:`validate` itself.

    Parameters
    ----------
    columns : list of str
        Headers of the file as read.

    Returns
    -------
    str or None

    Examples
    --------
    >>> guess_kind(["活动编号", "参与者编号", "角色"])
    'attendance'
    >>> guess_kind(["姓名", "备注"]) is None
    True
    """
    scores: dict[str, int] = {}
    for kind, table in schema.TABLES.items():
        found = {schema.canonical_column(c, table=kind) for c in columns} - {None}
        if set(table.required) <= found:
            scores[kind] = len(found)
    if not scores:
        return None
    best = max(scores.values())
    winners = [k for k, v in scores.items() if v == best]
    return winners[0] if len(winners) == 1 else None


def _as_of(as_of: str | dt.date | None, data: object) -> pd.Timestamp:
    if as_of is None:
        as_of = getattr(data, "as_of", None)
    if as_of is None:
        return pd.Timestamp(dt.date.today())
    try:
        return pd.Timestamp(as_of)
    except (ValueError, TypeError) as exc:
        msg = f"`as_of` must be a date such as 2023-12-31, not {as_of!r}."
        raise ArgumentError(msg) from exc
