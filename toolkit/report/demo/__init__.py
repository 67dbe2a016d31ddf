"""The demo study's commissioned-study report (``toolkit demo``): an app on the public API.

:func:`build_demo` loads the bundled demo study and writes ``report.docx``,
``report.html`` and every figure as PNG and SVG; :func:`build_study_report`
builds the same report for any study. The report is assembled only from the
public functions of ``tk.stats``, ``tk.net``, ``tk.plot`` and ``tk.report``;
nothing is estimated here that those return, apart from plain counts of the
tables. A section the study has no data for is left out, and the data section
says which and why; a section that cannot be computed fails the report.

Sections, one module each group: :mod:`~toolkit.report.demo.data` (tables,
load records, validation), :mod:`~toolkit.report.demo.activity` (coverage,
participation, network), :mod:`~toolkit.report.demo.process` (process,
responsiveness), :mod:`~toolkit.report.demo.survey` (survey, change);
:mod:`~toolkit.report.demo.app` puts them together.
"""

from __future__ import annotations

from toolkit.report.demo.app import (
    SECTIONS,
    DemoReport,
    build_demo,
    build_study_report,
    load_demo,
)

__all__ = ["SECTIONS", "DemoReport", "build_demo", "build_study_report", "load_demo"]
