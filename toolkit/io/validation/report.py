"""The result of a validation: :class:`ValidationReport`, as a frame, text and HTML."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from toolkit._checks import Lang, check_lang
from toolkit._summary import Summary
from toolkit.errors import ValidationError
from toolkit.io.validation.messages import problem_line, report_heading

__all__ = ["ValidationReport"]


@dataclass
class ValidationReport:
    """Every problem found in a table or a study.

    Attributes
    ----------
    problems : pandas.DataFrame
        One row per problem, columns ``table, file, sheet, row, column, value,
        check, severity, problem, fix, problem_zh, fix_zh`` (see
        :data:`toolkit.errors.PROBLEM_COLUMNS`). ``row`` is the row number as the
        spreadsheet shows it (empty for problems of a whole column or table);
        personal values are masked.

    Examples
    --------
    >>> att = pd.DataFrame({"session_id": ["S1", "S1"], "participant_id": ["P1", "P1"]})
    >>> report = tk.validate(att, kind="attendance")
    >>> report
    <ValidationReport: 1 error(s), 0 warning(s)>
    >>> print(report.to_text(lang="en"))
    Validation: 1 error(s), 0 warning(s).
    [error] attendance, row 3: This row repeats row 2 exactly.
    Fix: Delete the repeated row (it would be counted twice).
    >>> report.summary().to_frame()
            table          check severity  n
    0  attendance  duplicate_row    error  1
    """

    problems: pd.DataFrame

    @property
    def ok(self) -> bool:
        """True when no problem has severity ``"error"``."""
        return not bool((self.problems["severity"] == "error").any())

    @property
    def n_errors(self) -> int:
        """Number of error-severity problems."""
        return int((self.problems["severity"] == "error").sum())

    @property
    def n_warnings(self) -> int:
        """Number of warning-severity problems."""
        return int((self.problems["severity"] == "warning").sum())

    def to_frame(self) -> pd.DataFrame:
        """The problems (a copy)."""
        return self.problems.copy()

    def summary(self) -> Summary:
        """Problems counted by table, check and severity.

        ``.to_frame()`` gives ``table, check, severity, n``.
        """
        cols = ["table", "check", "severity"]
        if not len(self.problems):
            out = pd.DataFrame({c: pd.Series(dtype=object) for c in cols}).assign(
                n=pd.Series(dtype="int64"))
        else:
            out = (self.problems.assign(table=self.problems["table"].fillna(""))
                   .groupby(cols, sort=False).size().rename("n").reset_index())
        info = [("Errors", str(self.n_errors)), ("Warnings", str(self.n_warnings))]
        return Summary("Validation", info, out, was="frame")

    def raise_if_errors(self) -> ValidationReport:
        """Raise one :class:`~toolkit.errors.ValidationError` listing every problem.

        Returns the report itself when there is no error (warnings do not raise).

        Raises
        ------
        ValidationError
            With ``.problems`` holding every problem, errors first.
        """
        if self.ok:
            return self
        ordered = self.problems.sort_values(
            "severity", key=lambda s: s.ne("error"), kind="stable").reset_index(drop=True)
        msg = (f"Validation found {self.n_errors} error(s) and {self.n_warnings} warning(s); "
               "every one is listed in `.problems`.")
        raise ValidationError(ordered, msg)

    def to_text(self, lang: Lang = "zh") -> str:
        """The report as plain text, one line per problem.

        Parameters
        ----------
        lang : {"zh", "en"}, default "zh"
            Language of the text.

        Raises
        ------
        toolkit.errors.ArgumentError
            When `lang` is not ``"zh"`` or ``"en"``.
        """
        check_lang(lang)
        zh = lang == "zh"
        lines = [report_heading(self.n_errors, self.n_warnings, len(self.problems), zh=zh)]
        lines += [problem_line(rec, zh=zh) for rec in self.problems.to_dict("records")]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<ValidationReport: {self.n_errors} error(s), {self.n_warnings} "
                f"warning(s)>")

    def _repr_html_(self) -> str:
        status = "OK" if self.ok else "errors found"
        head = (f"<p><b>Validation: {status}</b> — {self.n_errors} error(s), "
                f"{self.n_warnings} warning(s).</p>")
        if not len(self.problems):
            return head
        shown = self.problems[["table", "file", "sheet", "row", "column", "value", "check",
                               "severity", "problem", "fix"]]
        return head + shown.to_html(index=False, na_rep="", escape=True)
