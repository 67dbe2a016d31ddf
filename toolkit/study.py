"""Study: the tables of one consultation study, its codebook and survey design.

A :class:`Study` holds up to seven canonical tables (see :mod:`toolkit.schema`):
``units``, ``participants``, ``sessions``, ``attendance``, ``submissions``,
``survey`` and ``activities`` (members' activity ledger), each a pandas DataFrame
with canonical columns. It also keeps the
codebook (variable labels, value labels, missing codes, personal columns), the
survey design (weights, strata, clusters, fpc), the scales (items and
reverse-keyed items) and the load record of every file.

Build one from files with :func:`toolkit.read_study` (a ``study.yaml``
manifest), or from frames already in memory.

Examples
--------
>>> import pandas as pd
>>> import toolkit as tk
>>> sessions = pd.DataFrame({"session_id": ["S1", "S2"],
...                          "date": pd.to_datetime(["2023-11-08", "2023-12-01"]),
...                          "unit_id": ["C01", "C01"], "platform": ["居民议事会", "微信群"]})
>>> attendance = pd.DataFrame({"session_id": ["S1", "S1", "S2"],
...                            "participant_id": ["P1", "P2", "P1"]})
>>> study = tk.Study(sessions=sessions, attendance=attendance, name="示例")
>>> study.tables
('sessions', 'attendance')
>>> len(study.table("attendance"))
3
>>> study.period
(Timestamp('2023-11-08 00:00:00'), Timestamp('2023-12-01 00:00:00'))
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from toolkit._checks import Lang, check_lang, require_columns
from toolkit._docs import renamed
from toolkit._summary import Summary
from toolkit.errors import ArgumentTypeError, DesignError
from toolkit.io.kinds import check_kind
from toolkit.schema import TABLE_NAMES, TABLES

if TYPE_CHECKING:
    from toolkit.io.record import LoadRecord

__all__ = ["CODEBOOK_COLUMNS", "DESIGN_FIELDS", "DesignSpec", "Scale", "Study"]

#: Columns of ``Study.codebook``.
CODEBOOK_COLUMNS = [
    "table", "column", "label", "dtype", "value_labels", "missing_codes", "personal", "source",
]


@dataclass(frozen=True)
class DesignSpec:
    """Columns of the survey table that describe its sampling design, and its options.

    Everything ``tk.stats.Design`` accepts besides the data, so that
    ``Design(study)`` and ``study.design`` need no arguments.

    Parameters
    ----------
    weights, strata : str, optional
        Column names (as in R ``svydesign(ids=~cluster, strata=~strata,
        weights=~weights, fpc=~fpc)``).
    cluster : str or tuple of two str, optional
        First-stage units, or (PSU, second-stage unit) for a two-stage sample.
    fpc : str or tuple of two str, optional
        Finite-population correction column(s), one per stage.
    lonely_psu : {"fail", "adjust", "average", "certainty", "remove"}, default "fail"
        The rule for strata with a single PSU (R ``options(survey.lonely.psu)``).

    ``None`` everywhere means an unweighted, unstratified, unclustered sample.

    Examples
    --------
    >>> DesignSpec(cluster=["village", "household"], fpc=["N1", "N2"]).cluster
    ('village', 'household')
    """

    weights: str | None = None
    strata: str | None = None
    cluster: str | tuple[str, ...] | None = None
    fpc: str | tuple[str, ...] | None = None
    lonely_psu: str = "fail"

    def __post_init__(self) -> None:
        from toolkit.stats.design import LONELY_PSU

        problems = []
        for name in ("weights", "strata"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                problems.append(f"`{name}` must be a column name, not {value!r}")
        for name in ("cluster", "fpc"):
            value = getattr(self, name)
            if value is None or isinstance(value, str):
                continue
            if (not isinstance(value, list | tuple) or not 1 <= len(value) <= 2
                    or not all(isinstance(v, str) for v in value)):
                problems.append(f"`{name}` must be a column name or a list of two (one per "
                                f"stage), not {value!r}")
                continue
            object.__setattr__(self, name, value[0] if len(value) == 1 else tuple(value))
        if self.lonely_psu not in LONELY_PSU:
            problems.append(f"`lonely_psu` must be one of {', '.join(LONELY_PSU)}, not "
                            f"{self.lonely_psu!r}")
        if problems:
            raise DesignError("Survey design: " + "; ".join(problems) + ".")

    def columns(self) -> dict[str, str]:
        """Role → column name of every column the design names (one entry per stage).

        Examples
        --------
        >>> DesignSpec(weights="w", cluster=["village", "household"]).columns()
        {'weights': 'w', 'cluster': 'village', 'cluster (second stage)': 'household'}
        """
        out: dict[str, str] = {}
        for name in ("weights", "strata", "cluster", "fpc"):
            value = getattr(self, name)
            for i, col in enumerate([value] if isinstance(value, str) else value or ()):
                out[name if i == 0 else f"{name} (second stage)"] = col
        return out

    def as_dict(self) -> dict[str, Any]:
        """The fields as keyword arguments of ``tk.stats.Design``."""
        out: dict[str, Any] = {f: getattr(self, f) for f in DESIGN_FIELDS}
        for name in ("cluster", "fpc"):
            if isinstance(out[name], tuple):
                out[name] = list(out[name])
        return out


#: The fields of a design specification (``study.yaml``'s ``design:`` keys).
DESIGN_FIELDS = ("weights", "strata", "cluster", "fpc", "lonely_psu")


@dataclass(frozen=True)
class Scale:
    """A multi-item scale of the survey.

    Parameters
    ----------
    name : str
        Scale name (e.g. ``"satisfaction"``).
    items : tuple of str
        Item columns.
    reverse : tuple of str
        Reverse-keyed items (scored ``min + max - x``).
    min, max : int
        Lowest and highest response code of the items.
    label : str, optional
        Label for tables and figures.
    """

    name: str
    items: tuple[str, ...]
    reverse: tuple[str, ...] = ()
    min: int = 1
    max: int = 5
    label: str | None = None


def _as_scale(name: str, spec: Scale | Mapping[str, Any] | list[str]) -> Scale:
    if isinstance(spec, Scale):
        return spec
    if isinstance(spec, list | tuple):
        return Scale(name, tuple(spec))
    return Scale(
        name,
        tuple(spec["items"]),
        tuple(spec.get("reverse", ())),
        int(spec.get("min", 1)),
        int(spec.get("max", 5)),
        spec.get("label"),
    )


class Study:
    """The tables of one study, its codebook, survey design and scales.

    Parameters
    ----------
    units, participants, sessions, attendance, submissions, survey, activities : DataFrame, optional
        Canonical tables, as returned by ``tk.io.read_table(kind=...)`` or built
        in pandas with canonical column names.
    name : str, optional
        Title of the study.
    design : DesignSpec or dict, optional
        Survey design columns (``weights``, ``strata``, ``cluster``, ``fpc``).
    scales : dict, optional
        Scale name → :class:`Scale` or ``{"items": [...], "reverse": [...],
        "min": 1, "max": 5}``.
    codebook : DataFrame, optional
        Extra codebook rows (columns of :data:`CODEBOOK_COLUMNS`); rows carried by
        the tables' load records are added automatically.
    lang : {"zh", "en"}, default "zh"
        Language of labels in output (``language=`` is its deprecated spelling;
        the study's ``.lang``, also readable as ``.language``).
    source : str, optional
        Where the study came from (the manifest's path).
    as_of : str or date, optional
        Date the data describe up to (e.g. the export date); validation reports
        dates after it. Defaults to the day of validation.

    Raises
    ------
    toolkit.errors.ArgumentTypeError
        When a table is not a DataFrame.
    toolkit.errors.ArgumentError
        When `lang` is not ``"zh"`` or ``"en"``.
    DesignError
        For a design field other than weights, strata, cluster and fpc.

    Notes
    -----
    The frames are stored as given (not copied); :meth:`table` returns them.
    Functions of ``tk.net`` and ``tk.stats`` never modify them.

    :meth:`validate` checks the tables read from files and frames built in
    memory alike (frames not read from files simply have no load record).

    Examples
    --------
    >>> sessions = pd.DataFrame({"session_id": ["S1", "S1"],
    ...                          "date": pd.to_datetime(["2023-11-08", "2023-12-01"]),
    ...                          "unit_id": ["C01", "C01"], "platform": ["居民议事会", "微信群"]})
    >>> study = tk.Study(sessions=sessions)
    >>> study.validate().problems[["table", "row", "column", "value", "check"]]
          table  row      column value         check
    0  sessions    3  session_id    S1  duplicate_id
    """

    #: Marks the class for ``toolkit._checks.is_study`` (no import of this module needed).
    _is_toolkit_study = True

    @renamed(language="lang")
    def __init__(
        self,
        *,
        units: pd.DataFrame | None = None,
        participants: pd.DataFrame | None = None,
        sessions: pd.DataFrame | None = None,
        attendance: pd.DataFrame | None = None,
        submissions: pd.DataFrame | None = None,
        survey: pd.DataFrame | None = None,
        activities: pd.DataFrame | None = None,
        name: str = "Study",
        design: DesignSpec | Mapping[str, str | None] | None = None,
        scales: Mapping[str, Scale | Mapping[str, Any] | list[str]] | None = None,
        codebook: pd.DataFrame | None = None,
        lang: Lang = "zh",
        source: str | None = None,
        as_of: Any = None,
    ) -> None:
        frames = {"units": units, "participants": participants, "sessions": sessions,
                  "attendance": attendance, "submissions": submissions, "survey": survey,
                  "activities": activities}
        for key, frame in frames.items():
            if frame is not None and not isinstance(frame, pd.DataFrame):
                msg = (f"`{key}` must be a pandas DataFrame, not {type(frame).__name__}. "
                       f"Read files with `tk.io.read_table(path, kind=\"{key}\")`.")
                raise ArgumentTypeError(msg)
            setattr(self, key, frame)
        self.name = name
        if design is None:
            design = DesignSpec()
        elif not isinstance(design, DesignSpec):
            unknown = set(design) - set(DESIGN_FIELDS)
            if unknown:
                msg = (f"Unknown design field(s) {sorted(unknown)}; use "
                       f"{', '.join(DESIGN_FIELDS)}.")
                raise DesignError(msg)
            design = DesignSpec(**dict(design))
        self.design_spec = design
        self.scales = {k: _as_scale(k, v) for k, v in (scales or {}).items()}
        self.extra_codebook = codebook
        check_lang(lang)
        self.lang = lang
        self.source = source
        self.as_of = None if as_of is None else pd.Timestamp(as_of)
        self._report_cache: tuple[Any, Any] | None = None
        self._design_cache: tuple[Any, Any, Any] | None = None
        self._personal_cache: dict[str, tuple[Any, dict[Any, str]]] = {}

    @property
    def language(self) -> Lang:
        """The language of labels, :attr:`lang` (the name used before 0.2)."""
        return self.lang

    # -- tables --------------------------------------------------------------

    @property
    def tables(self) -> tuple[str, ...]:
        """Names of the tables this study holds, in canonical order."""
        return tuple(t for t in TABLE_NAMES if getattr(self, t) is not None)

    def table(self, name: str) -> pd.DataFrame:
        """Return the table called `name` (one of ``tk.schema.TABLE_NAMES``).

        Raises
        ------
        KeyError
            When `name` is not a table kind, or the study does not hold it.
        """
        check_kind(name, param="name")
        frame = getattr(self, name)
        if frame is None:
            held = ", ".join(self.tables) or "none"
            msg = (f"This study has no `{name}` table (it holds: {held}). Add it to the "
                   "manifest or pass it to `tk.Study(...)`.")
            raise KeyError(msg)
        return frame

    def require(self, name: str, *columns: str) -> pd.DataFrame:
        """Return table `name`, checking that it has `columns`.

        Raises
        ------
        ColumnNotFoundError
            Naming the missing columns and the columns available.
        """
        frame = self.table(name)
        require_columns(frame, {"columns": list(columns)}, where=f"the `{name}` table")
        return frame

    @property
    def records(self) -> dict[str, LoadRecord]:
        """Load record of each table read from a file (table name → LoadRecord)."""
        out = {}
        for name in self.tables:
            rec = self.table(name).attrs.get("load_record")
            if rec is not None:
                out[name] = rec
        return out

    @property
    def period(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """First and last session (or submission) date, or None without dates."""
        dates = []
        for name in ("sessions", "submissions"):
            frame = getattr(self, name)
            if frame is not None and "date" in frame.columns:
                col = pd.to_datetime(frame["date"], errors="coerce").dropna()
                if len(col):
                    dates.extend([col.min(), col.max()])
        if not dates:
            return None
        return min(dates), max(dates)

    # -- codebook, design ----------------------------------------------------

    @property
    def codebook(self) -> pd.DataFrame:
        """Variable and value labels, missing codes and personal columns of every table.

        Columns: ``table, column, label, dtype, value_labels, missing_codes,
        personal, source``. Rows come from the readers (SPSS/Stata labels, declared
        missing codes, detected personal data) and from the manifest.
        """
        rows: list[dict[str, Any]] = []
        for name in self.tables:
            frame = self.table(name)
            entries = frame.attrs.get("codebook") or {}
            personal = self._personal(name)
            for column in frame.columns:
                info = dict(entries.get(column, {}))
                schema_col = TABLES[name].get(str(column))
                rows.append({
                    "table": name,
                    "column": column,
                    "label": info.get("label") or (schema_col.zh if schema_col else None),
                    "dtype": str(frame[column].dtype),
                    "value_labels": info.get("value_labels"),
                    "missing_codes": info.get("missing_codes"),
                    "personal": personal.get(column),
                    "source": info.get("source"),
                })
        book = pd.DataFrame(rows, columns=CODEBOOK_COLUMNS)
        if self.extra_codebook is not None and len(self.extra_codebook):
            book = pd.concat([book, self.extra_codebook.reindex(columns=CODEBOOK_COLUMNS)],
                             ignore_index=True)
            book = book.drop_duplicates(subset=["table", "column"], keep="last")
        return book.reset_index(drop=True)

    def _personal(self, name: str) -> dict[Any, str]:
        """Column → kind of the personal columns of table `name` (``tk.io.find_personal``).

        Cached per frame: a new frame (or one of another shape) is searched afresh.
        """
        frame = self.table(name)
        key = (id(frame), frame.shape)
        cached = self._personal_cache.get(name)
        if cached is not None and cached[0] == key:
            return cached[1]
        from toolkit.io.personal import find_personal

        found = find_personal(frame, kind=name)
        pairs = dict(zip(found["column"], found["kind"], strict=True))
        self._personal_cache[name] = (key, pairs)
        return pairs

    @property
    def personal_columns(self) -> dict[str, list[str]]:
        """Table name → columns marked as personal data (names, ID numbers, phones)."""
        book = self.codebook
        marked = book[book["personal"].notna()]
        return {t: list(g["column"]) for t, g in marked.groupby("table", sort=False)}

    @property
    def design(self) -> Any:
        """The survey design of the ``survey`` table as a ``tk.stats.Design``.

        Built once and kept: the same object is returned until the ``survey``
        table is replaced or ``design_spec`` changes. (Change values of the
        table in place and the kept design does not see it: assign the new
        table, ``study.survey = ...``.)

        Raises
        ------
        KeyError
            When the study has no survey table.
        """
        from toolkit.stats.design import Design

        table = self.table("survey")
        cached = self._design_cache
        if (cached is not None and cached[0] is table and cached[1] == self.design_spec
                and cached[2].data is table):
            return cached[2]
        design = Design(table, **self.design_spec.as_dict())
        self._design_cache = (table, self.design_spec, design)
        return design

    # -- validation ----------------------------------------------------------

    def validate(self, *, strict: bool = False, as_of: Any = None) -> Any:
        """Check every table and the links between them; report every problem at once.

        Parameters
        ----------
        strict : bool, default False
            Raise one :class:`~toolkit.errors.ValidationError` listing every problem
            when any is an error.
        as_of : str or date, optional
            Date the data describe up to; defaults to the study's ``as_of``, else today.

        Returns
        -------
        toolkit.io.validation.ValidationReport
            ``.ok``, ``.problems`` (table, file, sheet, row, column, value, check,
            severity, problem, fix, problem_zh, fix_zh), ``.summary()``,
            ``.to_text(lang=...)``.

        Raises
        ------
        ValidationError
            With ``strict=True`` when there is an error.

        Examples
        --------
        >>> att = pd.DataFrame({"session_id": ["S1"], "participant_id": ["P9"]})
        >>> ses = pd.DataFrame({"session_id": ["S1"], "date": pd.to_datetime(["2023-11-08"]),
        ...                     "unit_id": ["C01"], "platform": ["微信群"]})
        >>> tk.Study(sessions=ses, attendance=att).validate().ok
        True
        """
        from toolkit.io.validation import validate

        report = validate(self, as_of=as_of)
        self._report_cache = (self._fingerprint(), report)
        if strict:
            report.raise_if_errors()
        return report

    @property
    def problems(self) -> pd.DataFrame:
        """Every problem found by :meth:`validate` (validation runs afresh)."""
        return self.validate().problems

    def _fingerprint(self) -> tuple:
        return tuple((t, id(self.table(t)), self.table(t).shape) for t in self.tables)

    def _cached_report(self) -> Any:
        if self._report_cache is None or self._report_cache[0] != self._fingerprint():
            return self.validate()
        return self._report_cache[1]

    # -- display -------------------------------------------------------------

    def summary(self) -> Summary:
        """The tables of the study (``.to_frame()``: ``table, label, rows, columns, file``).

        Examples
        --------
        >>> ses = pd.DataFrame({"session_id": ["S1"], "date": pd.to_datetime(["2023-11-08"]),
        ...                     "unit_id": ["C01"], "platform": ["微信群"]})
        >>> tk.Study(sessions=ses).summary().to_frame()[["table", "rows", "columns"]]
              table  rows  columns
        0  sessions     1        4
        """
        rows = []
        for name in self.tables:
            frame = self.table(name)
            rec = frame.attrs.get("load_record")
            rows.append({
                "table": name,
                "label": TABLES[name].zh if self.lang == "zh" else TABLES[name].en,
                "rows": len(frame),
                "columns": frame.shape[1],
                "file": rec.file if rec is not None else None,
            })
        table = pd.DataFrame(rows, columns=["table", "label", "rows", "columns", "file"])
        period = self.period
        span = f"{period[0]:%Y-%m-%d} – {period[1]:%Y-%m-%d}" if period else "—"
        return Summary(self.name, [("Tables", str(len(rows))), ("Period covered", span)],
                       table, was="frame")

    def __repr__(self) -> str:
        parts = ", ".join(f"{t}={len(self.table(t))}" for t in self.tables)
        return f"<Study {self.name!r}: {parts or 'no tables'}>"

    def _repr_html_(self) -> str:
        period = self.period
        span = (f"{period[0]:%Y-%m-%d} – {period[1]:%Y-%m-%d}" if period else "—")
        table = self.summary().to_frame()
        try:
            report = self._cached_report()
        except Exception as exc:  # a display must not fail
            found = f"validation could not run: {html.escape(str(exc))}"
        else:
            counts = report.problems.groupby(["table", "severity"]).size()
            table["errors"] = [int(counts.get((t, "error"), 0)) for t in table["table"]]
            table["warnings"] = [int(counts.get((t, "warning"), 0)) for t in table["table"]]
            found = (f"{report.n_errors} error(s), {report.n_warnings} warning(s) — "
                     "see <code>.validate()</code>" if len(report.problems)
                     else "no problems found")
        head = (f"<h4>{html.escape(self.name)}</h4>"
                f"<p>Period covered: {span}<br>Problems found: {found}</p>")
        return head + table.to_html(index=False, na_rep="")
