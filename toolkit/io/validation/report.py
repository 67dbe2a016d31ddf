"""The result of a validation: :class:`ValidationReport`, as a frame, text and HTML."""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from toolkit._checks import Lang, check_lang
from toolkit._summary import Summary
from toolkit.errors import ValidationError
from toolkit.io.personal import mask
from toolkit.io.validation.messages import (
    group_heading,
    problem_line,
    report_heading,
    texts_repeated,
)

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
        ordered = _redacted(ordered)
        msg = (f"Validation found {self.n_errors} error(s) and {self.n_warnings} warning(s); "
               "every one is listed in `.problems`.")
        raise ValidationError(ordered, msg)

    def _runs(self, limit: int | None) -> list[tuple[int, list[int]]]:
        """The problems as shown: ``(n, positions)`` per line or run of similar problems.

        Similar problems are those of one check in one column of one table; a run
        of more than `limit` of them is shown once, at its first problem, with its
        first `limit` problems. Other problems keep their place.
        """
        if not len(self.problems):
            return []
        cols = ["table", "file", "sheet", "check", "column", "severity"]
        keys = self.problems[cols].astype(object).fillna("").astype(str)
        codes = keys.groupby(cols, sort=False, dropna=False).ngroup().to_numpy()
        members: dict[int, list[int]] = {}
        for pos, code in enumerate(codes):
            members.setdefault(int(code), []).append(pos)
        out: list[tuple[int, list[int]]] = []
        for pos, code in enumerate(codes):
            group = members[int(code)]
            if limit is None or len(group) <= limit:
                out.append((1, [pos]))
            elif group[0] == pos:
                out.append((len(group), group[:limit]))
        return out

    def to_text(self, lang: Lang = "zh", *, limit: int | None = 5) -> str:
        """The report as plain text, one line per problem, similar problems summarised.

        Parameters
        ----------
        lang : {"zh", "en"}, default "zh"
            Language of the text.
        limit : int or None, default 5
            More than `limit` problems of one check in one column of one table are
            introduced by one line (``10,153 处同类问题，前 5 处如下``) and only the
            first `limit` are listed; ``.problems`` keeps every one. None lists all.

        Raises
        ------
        toolkit.errors.ArgumentError
            When `lang` is not ``"zh"`` or ``"en"``.

        Examples
        --------
        >>> att = pd.DataFrame({"session_id": ["S1"] * 8,
        ...                     "participant_id": [f"P{i}" for i in range(8)],
        ...                     "speeches": [-1] * 8})
        >>> print(tk.validate(att, kind="attendance").to_text(lang="en", limit=2))
        ... # doctest: +NORMALIZE_WHITESPACE
        Validation: 8 error(s), 0 warning(s).
        [error] attendance, speeches (out_of_range): 8 similar problems; the first 2 (all of
        them in .problems):
          [error] attendance, row 2, speeches = '-1': -1 in `speeches` (speeches) is outside
          its range (at least 0). Fix: Correct the value; if it is a code for a missing
          answer (e.g. 98/99), declare it in `missing_codes`.
          [error] attendance, row 3, speeches = '-1': -1 in `speeches` (speeches) is outside
          its range (at least 0). Fix: Correct the value; if it is a code for a missing
          answer (e.g. 98/99), declare it in `missing_codes`.
        """
        check_lang(lang)
        zh = lang == "zh"
        lines = [report_heading(self.n_errors, self.n_warnings, len(self.problems), zh=zh)]
        records = _redacted(self.problems).to_dict("records")
        for n, positions in self._runs(limit):
            if n == 1:
                lines.append(problem_line(records[positions[0]], zh=zh))
                continue
            lines.append(group_heading(records[positions[0]], n, len(positions), zh=zh))
            lines += ["  " + problem_line(records[p], zh=zh) for p in positions]
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
        runs = self._runs(5)
        notes = [f"<p>{rec['table']}, {rec['check']}: " + html.escape(texts_repeated(n, len(p),
                                                                                 zh=False))
                 + "</p>"
                 for n, p in runs if n > 1
                 for rec in [self.problems.iloc[p[0]]]]
        rows = [pos for _, positions in runs for pos in positions]
        cols = ["table", "file", "sheet", "row", "column", "value", "check", "severity",
                "problem", "fix"]
        shown = _redacted(self.problems.iloc[rows])[cols]
        return head + "".join(notes) + shown.to_html(index=False, na_rep="", escape=True)


def _redacted(problems: pd.DataFrame) -> pd.DataFrame:
    """The problems with every value and text shown through :func:`mask`.

    The problems of :func:`validate` are already redacted; a report built by hand
    from a frame is made safe here before it is printed, shown or raised.
    """
    out = problems.copy()
    shown: dict[object, object] = {}  # the texts repeat: each is masked once
    for name in ("value", "problem", "fix", "problem_zh", "fix_zh"):
        if name in out.columns:
            out[name] = pd.Series(
                [shown[v] if isinstance(v, str) and v in shown else
                 shown.setdefault(v, mask(v, "text")) if isinstance(v, str) else mask(v, "text")
                 for v in out[name]], index=out.index, dtype=object)
    return out
