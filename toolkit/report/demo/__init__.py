"""The commissioned-study report (研究报告) of a study, and ``toolkit demo``.

:func:`study_report` (also ``tk.report.study_report``) builds the report of any
study; :func:`build_demo` runs it on the bundled demo study and writes
``report.docx``, ``report.html`` and every figure as PNG and SVG. The
commissioned-report notebook calls the same builder. The report is assembled only from the
public functions of ``tk.stats``, ``tk.net``, ``tk.plot`` and ``tk.report``;
nothing is estimated here that those return, apart from plain counts of the
tables. A section the study has no data for is left out, and the data section
says which and why; a section that cannot be computed fails the report.

Chapters, one module each group: :mod:`~toolkit.report.demo.data` (design and
data, the appendix tables), :mod:`~toolkit.report.demo.activity` (coverage,
participation, network), :mod:`~toolkit.report.demo.process` (process,
responsiveness), :mod:`~toolkit.report.demo.survey` (survey, change),
:mod:`~toolkit.report.demo.assess` (members' evaluation, texts),
:mod:`~toolkit.report.demo.summary` (abstract, findings, appendix);
:mod:`~toolkit.report.demo.app` puts them together.
"""

from __future__ import annotations

from toolkit.report.demo.app import (
    SECTIONS,
    DemoReport,
    StudyReport,
    build_demo,
    build_study_report,
    load_demo,
    study_report,
)

__all__ = ["SECTIONS", "DemoReport", "StudyReport", "build_demo", "build_study_report",
           "load_demo", "study_report"]
