"""Evaluation (评价): index systems, weights, composite scores and honest rank uncertainty.

``tk.evaluate`` takes a Study (or a table of indicators) and returns tidy frames
and result objects; it never draws (``tk.plot.ranks``, ``tk.plot.profile`` and
``tk.plot.correlations`` draw its results) and may call ``tk.stats``.

- index systems: :class:`IndexSystem` (一级/二级/三级指标 as data), :func:`load_system`;
- indicators from the study's tables: :func:`indicators`, :func:`indicator_record`;
- data checks: :func:`check`, :func:`impute`, :func:`treat`;
- normalisation: :func:`normalise` (min–max, z-score, rank, target, goalposts, ratio);
- weights: :func:`weights` (equal, system, entropy 熵权法, CRITIC, PCA),
  :func:`ahp` (层次分析法), :func:`expert_weights`;
- aggregation: :func:`aggregate` (arithmetic, geometric, hierarchical), :func:`topsis`;
- the whole workflow with Monte Carlo rank intervals, Sobol' sensitivity and
  leave-one-indicator-out: :func:`evaluate` → :class:`Evaluation`.
"""

from __future__ import annotations

from toolkit._lazy import attach

_LAZY = {
    "IndexSystem": "toolkit.evaluate.system",
    "load_system": "toolkit.evaluate.system",
    "indicators": "toolkit.evaluate.formulas",
    "indicator_record": "toolkit.evaluate.formulas",
    "check": "toolkit.evaluate.checks",
    "impute": "toolkit.evaluate.checks",
    "treat": "toolkit.evaluate.checks",
    "DataCheck": "toolkit.evaluate.checks",
    "normalise": "toolkit.evaluate.normalisation",
    "weights": "toolkit.evaluate.weighting",
    "expert_weights": "toolkit.evaluate.weighting",
    "ahp": "toolkit.evaluate.pairwise",
    "AHPResult": "toolkit.evaluate.pairwise",
    "aggregate": "toolkit.evaluate.aggregation",
    "topsis": "toolkit.evaluate.aggregation",
    "evaluate": "toolkit.evaluate.evaluation",
    "Evaluation": "toolkit.evaluate.evaluation",
    "Uncertainty": "toolkit.evaluate.montecarlo",
    "uncertainty": "toolkit.evaluate.montecarlo",
}

__all__ = sorted(_LAZY)


__getattr__, __dir__ = attach(__name__, _LAZY, __all__)
