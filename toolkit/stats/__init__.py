"""Statistics for surveys, sessions and submissions.

``tk.stats`` takes a DataFrame or Study and returns a tidy DataFrame or a result
object (``.to_frame()``, ``.summary()``, HTML repr); it never draws. Each function
reproduces reference software (R ``survey``, ``MASS``, ``psych``, ``irr``) on a
published example; the tests name the source and tolerance.

- survey design: :class:`Design` (Taylor linearisation with strata, clusters, fpc;
  calibration), :class:`ReplicateDesign` (replicate weights);
- description: :func:`describe`, :func:`likert`, :func:`ordinal_agreement`;
- scales: :func:`alpha`, :func:`item_analysis`, :func:`omega`, :func:`schmid_leiman`,
  :func:`scale_scores`;
- rater and coding reliability: :func:`icc`, :func:`cohen_kappa`, :func:`fleiss_kappa`,
  :func:`krippendorff_alpha`;
- models: :func:`regress`, :func:`ologit`, :func:`multilevel`;
- change between waves: :func:`change`;
- process: :func:`sessions`, :func:`submissions`, :func:`lag_table`;
- survival: :func:`km_curve`, :func:`logrank`, :func:`cox`.
"""

from __future__ import annotations

from toolkit._lazy import attach

_LAZY = {
    "Design": "toolkit.stats.design",
    "ReplicateDesign": "toolkit.stats.design",
    "describe": "toolkit.stats.descriptive",
    "likert": "toolkit.stats.descriptive",
    "ordinal_agreement": "toolkit.stats.descriptive",
    "alpha": "toolkit.stats.scales",
    "item_analysis": "toolkit.stats.scales",
    "omega": "toolkit.stats.scales",
    "schmid_leiman": "toolkit.stats.scales",
    "scale_scores": "toolkit.stats.scales",
    "icc": "toolkit.stats.intraclass",
    "ICCResult": "toolkit.stats.intraclass",
    "cohen_kappa": "toolkit.stats.agreement",
    "fleiss_kappa": "toolkit.stats.agreement",
    "krippendorff_alpha": "toolkit.stats.agreement",
    "regress": "toolkit.stats.glm",
    "ologit": "toolkit.stats.ordinal",
    "multilevel": "toolkit.stats.mixed",
    "change": "toolkit.stats.waves",
    "sessions": "toolkit.stats.process",
    "submissions": "toolkit.stats.process",
    "lag_table": "toolkit.stats.process",
    "km_curve": "toolkit.stats.survival",
    "logrank": "toolkit.stats.survival",
    "cox": "toolkit.stats.survival",
}

__all__ = sorted(_LAZY)


__getattr__, __dir__ = attach(__name__, _LAZY, __all__)
