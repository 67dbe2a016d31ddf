"""Tables, figures and text assembled into Word, HTML and Markdown reports.

``tk.report`` only assembles: it formats what ``tk.stats``, ``tk.net`` and
``tk.plot`` return, and never computes an analysis of its own.

- :class:`Report` — headings, text, numbered tables (表1) and figures (图1), a
  table of contents; ``.to_docx()`` (East Asian fonts set, page numbers),
  ``.to_html()`` (one self-contained file), ``.to_markdown()``;
- :func:`regression_table`, :func:`describe_table`, :func:`crosstab_table` and
  :class:`Table` — publication tables of model results, ``tk.stats.describe``
  and ``tk.stats.Design.crosstab`` output, without personal columns, as
  DataFrame, HTML, LaTeX and Word;
- :class:`SuppressionRule` — the disclosure control every published table
  passes through (:mod:`toolkit.report.disclosure`): counts of 1–4 as ``<5``,
  further cells as ``—`` until an interval audit (``Table.audit()``) finds no
  hidden value derivable;
- :func:`evaluation_section` and :func:`concerns_section` — the sections of an
  evaluation (``tk.evaluate``) and of the texts residents raise (``tk.text``), ready to add
  to a Report;
- :func:`study_report` — the whole commissioned-study report (研究报告) of a study:
  cover, contents, 摘要, design and data, one chapter per analysis, findings with a
  placeholder for the recommendations, appendix (``toolkit demo`` runs it on the demo);
- :func:`run_notebook` — execute a parameterised notebook and export it
  (``toolkit report NOTEBOOK -p key value`` on the command line).
"""

from __future__ import annotations

from toolkit._lazy import attach

_LAZY = {
    "Report": "toolkit.report.document",
    "Table": "toolkit.report.table",
    "SuppressionRule": "toolkit.report.disclosure",
    "regression_table": "toolkit.report.regression",
    "describe_table": "toolkit.report.describe",
    "crosstab_table": "toolkit.report.crosstab",
    "run_notebook": "toolkit.report.notebook",
    "inject_parameters": "toolkit.report.notebook",
    "notebook_report": "toolkit.report.notebook",
    "evaluation_section": "toolkit.report.evaluation",
    "concerns_section": "toolkit.report.texts",
    "study_report": "toolkit.report.demo.app",
}

#: Helpers reachable as ``tk.report.<name>``, kept out of ``__all__``.
_HELPERS = {"inject_parameters", "notebook_report"}

__all__ = sorted(set(_LAZY) - _HELPERS)


__getattr__, __dir__ = attach(__name__, _LAZY, __all__)
