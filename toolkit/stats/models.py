"""Regression models: GLMs with survey-design standard errors, ordered logit/probit, multilevel.

The models live in :mod:`toolkit.stats.glm` (:func:`regress`),
:mod:`toolkit.stats.ordinal` (:func:`ologit`) and :mod:`toolkit.stats.mixed`
(:func:`multilevel`); their shared inputs in :mod:`toolkit.stats._model_inputs`.
This module keeps the previous import path working.
"""

from __future__ import annotations

from toolkit.stats.glm import regress
from toolkit.stats.mixed import multilevel
from toolkit.stats.ordinal import ologit

__all__ = ["multilevel", "ologit", "regress"]
