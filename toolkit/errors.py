"""Exceptions and warnings of the toolkit.

Every class is also a builtin exception, so ``except ValueError`` and
``except KeyError`` keep working in users' code.

Examples
--------
>>> import pandas as pd
>>> from toolkit.errors import ValidationError, PROBLEM_COLUMNS
>>> problems = pd.DataFrame(
...     [["sessions", "a.xlsx", "活动", 5, "platform", "居民议事会议", "unknown_value",
...       "error", "unknown value", "use 居民议事会", "未知取值", "改为 居民议事会"]],
...     columns=PROBLEM_COLUMNS)
>>> err = ValidationError(problems)
>>> isinstance(err, ValueError), len(err.problems)
(True, 1)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "PROBLEM_COLUMNS",
    "ArgumentError",
    "ArgumentTypeError",
    "ColumnNotFoundError",
    "DataTooLargeError",
    "DesignError",
    "DisclosureError",
    "LargeDataUnavailableError",
    "ManifestError",
    "ReadError",
    "ToolkitError",
    "ToolkitWarning",
    "UnknownKindError",
    "ValidationError",
]

#: Columns of every problems frame (validation reports, load records, ValidationError).
#: ``row`` is the row number as the spreadsheet or a text editor shows it (1-based, header
#: rows counted); ``check`` is a short code (``"unknown_value"``, ``"duplicate_id"`` …);
#: ``severity`` is ``"error"`` or ``"warning"``; ``problem``/``fix`` are English,
#: ``problem_zh``/``fix_zh`` Chinese. Personal values are masked in ``value``.
PROBLEM_COLUMNS = [
    "table", "file", "sheet", "row", "column", "value", "check", "severity",
    "problem", "fix", "problem_zh", "fix_zh",
]


class ToolkitError(Exception):
    """Base class of every error the toolkit raises on purpose."""


class ColumnNotFoundError(ToolkitError, KeyError):
    """A column named by the user is not in the data."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ArgumentError(ToolkitError, ValueError):
    """A parameter has a value the function does not accept (the message lists those it does)."""


class ArgumentTypeError(ToolkitError, TypeError):
    """A parameter has the wrong type (e.g. `data` that is neither a DataFrame nor a Study)."""


class ValidationError(ToolkitError, ValueError):
    """Data failed validation; ``.problems`` lists every problem found.

    Parameters
    ----------
    problems : pandas.DataFrame
        One row per problem with columns ``table, file, sheet, row, column,
        value, problem, fix`` (see :data:`PROBLEM_COLUMNS`).
    message : str, optional
        Leading sentence; a summary of the problems is appended.
    """

    def __init__(self, problems: pd.DataFrame, message: str | None = None) -> None:
        self.problems = problems
        head = message or f"{len(problems)} problem(s) found in the data."
        lines = [head]
        for rec in problems.head(20).to_dict("records"):
            where = ", ".join(
                f"{k} {rec[k]}"
                for k in ("table", "file", "sheet", "row", "column")
                if k in rec and rec[k] is not None and str(rec[k]) not in ("", "nan", "<NA>")
            )
            lines.append(f"- {where}: {rec.get('problem', '')} (value {rec.get('value')!r}). "
                         f"Fix: {rec.get('fix', '')}")
        if len(problems) > 20:
            lines.append(f"… and {len(problems) - 20} more; see `.problems`.")
        super().__init__("\n".join(lines))


class ReadError(ToolkitError, ValueError):
    """A file cannot be read as asked (undecodable text, unsupported format, bad layout)."""


class ManifestError(ToolkitError, ValueError):
    """A study manifest (``study.yaml``) is malformed: the message names the key and file."""


class DesignError(ToolkitError, ValueError):
    """A survey design is inconsistent (e.g. missing weights, a stratum with one PSU)."""


class DataTooLargeError(ToolkitError, MemoryError):
    """An operation would build an object too large for memory; the message names an alternative."""


class LargeDataUnavailableError(ToolkitError, NotImplementedError):
    """A method is not offered for large data (LazyTable or Dask); the message says what to do."""


class UnknownKindError(ArgumentError, KeyError):
    """A table kind that is not one of ``tk.schema.TABLE_NAMES`` (a ValueError and a KeyError)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class DisclosureError(ToolkitError, ValueError):
    """A table cannot be published without giving away a suppressed cell."""


class ToolkitWarning(UserWarning):
    """Warnings the toolkit issues (lossy but legal steps, pointing to the load record)."""
