"""Figures with Chinese labels, sized for A4 Word pages.

``tk.plot`` draws what ``tk.stats`` and ``tk.net`` return. Every function here is
axes-level: it takes the data first, then role-named columns, and ``ax=None``;
it returns the Axes and never shows or saves (save with
``ax.figure.savefig(...)`` or put the figure in a ``tk.report.Report``).
Labels are in the study's language (``lang="zh"`` default, ``"en"``) from the
vocabularies in :mod:`toolkit.schema`.

- :func:`style` — the figure style (CJK font, A4 sizes, 300 dpi, Okabe–Ito colours),
  a context manager and a global switch;
- :func:`palette` — up to 20 distinguishable colours for categories (:data:`CATEGORICAL`);
- :func:`likert` — diverging stacked bars of Likert items (shares of ``tk.stats.likert``);
- :func:`coefficients` — forest plot of one or several models;
- :func:`network` — stakeholder network drawing (large graphs as their block graph or
  backbone);
- :func:`timeline` — sessions per month by platform;
- :func:`heatmap` — towns x platforms, communities x quarters …;
- :func:`survival` — Kaplan–Meier curves of response or implementation lags;
- :func:`change` — dumbbell chart of before/after means;
- :func:`coverage` — tile grid of communities by town (全覆盖, decided by
  ``tk.net.coverage``);
- :func:`ranks` — league table with rank intervals (caterpillar) of an evaluation;
- :func:`profile` — one unit's pillar scores against the median, bars or radar;
- :func:`correlations` — heatmap of the correlations between indicators;
- :func:`terms`, :func:`keyness`, :func:`topic_shares`, :func:`wordcloud` — texts: top
  terms by group, keyness, topic shares over time, word clouds.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

from toolkit._docs import REMOVED_IN
from toolkit._lazy import attach

_LAZY = {
    "style": "toolkit.plot._style",
    "Style": "toolkit.plot._style",
    "cjk_font": "toolkit.plot._style",
    "font_family": "toolkit.plot._style",
    "OKABE_ITO": "toolkit.plot._style",
    "CATEGORICAL": "toolkit.plot._style",
    "palette": "toolkit.plot._style",
    "likert": "toolkit.plot._likert",
    "likert_shares": "toolkit.plot._likert",
    "coefficients": "toolkit.plot._coefficients",
    "timeline": "toolkit.plot._process",
    "heatmap": "toolkit.plot._process",
    "survival": "toolkit.plot._survival",
    "km_frame": "toolkit.plot._survival",
    "coverage": "toolkit.plot._process",
    "coverage_status": "toolkit.plot._process",
    "change": "toolkit.plot._change",
    "network": "toolkit.plot._network",
    "layout_positions": "toolkit.plot._network",
    "ranks": "toolkit.plot._ranks",
    "profile": "toolkit.plot._ranks",
    "correlations": "toolkit.plot._ranks",
    "terms": "toolkit.plot._text",
    "keyness": "toolkit.plot._text",
    "topic_shares": "toolkit.plot._text",
    "wordcloud": "toolkit.plot._text",
}

#: Helpers reachable as ``tk.plot.<name>`` (the numbers behind a figure, fonts), kept out
#: of ``__all__``, which lists the style and the plot functions.
_HELPERS = {"cjk_font", "font_family", "palette", "likert_shares", "km_frame", "coverage_status",
            "layout_positions"}

#: Helpers that moved to the module owning them: old name → (module, new spelling).
_MOVED = {
    "term_label": ("toolkit.schema", "tk.schema.term_label"),
    "coefficient_frames": ("toolkit.stats.results", "toolkit.stats.results.coefficient_frames"),
}

__all__ = sorted(set(_LAZY) - _HELPERS)


_getattr, __dir__ = attach(__name__, _LAZY, __all__)


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        module, new = _MOVED[name]
        warnings.warn(f"`tk.plot.{name}` moved to `{new}`; the old name will be removed in "
                      f"{REMOVED_IN}.", FutureWarning, stacklevel=2)
        return getattr(importlib.import_module(module), name)
    return _getattr(name)
