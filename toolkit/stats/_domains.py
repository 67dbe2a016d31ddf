"""Domain estimates of a :class:`toolkit.stats.Design` (``Design.by``), as R ``svyby``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ByDesign"]


class ByDesign:
    """Domain estimates of a :class:`~toolkit.stats.Design`, one row per group."""

    def __init__(self, design: Any, groups: list[str]) -> None:
        self.design = design
        self.groups = groups

    def mean(self, var: str | Sequence[str]) -> pd.DataFrame:
        """Mean of `var` per group (R ``svyby(~var, ~group, design, svymean)``)."""
        return self.design._mean_total(var, self.groups, None, total=False)

    def total(self, var: str | Sequence[str]) -> pd.DataFrame:
        """Total of `var` per group (R ``svyby(..., svytotal)``)."""
        return self.design._mean_total(var, self.groups, None, total=True)

    def prop(self, var: str | Sequence[str], *, method: str = "logit",
             level: float = 0.95) -> pd.DataFrame:
        """Share of each level of `var` per group, intervals as ``svyby(..., svyciprop)``.

        `method` and `level` as :meth:`Design.prop`; the t quantiles use each
        domain's degrees of freedom (PSUs minus strata with rows in the domain).
        """
        from toolkit._checks import check_choice
        from toolkit.stats._share_ci import SHARE_METHODS

        self.design._in_memory("by(...).prop")
        check_choice(method, SHARE_METHODS, param="method")
        return self.design._prop(var, self.groups, None, method=method, level=level)

    def ratio(self, numerator: str | Sequence[str], denominator: str) -> pd.DataFrame:
        """Ratio of the totals of two columns per group (R ``svyby(..., svyratio)``)."""
        self.design._in_memory("by(...).ratio")
        return self.design._ratio_of(numerator, denominator, self.groups)

    def _domains(self) -> list[tuple[dict[str, Any], np.ndarray]]:
        entry = self.design._codes(self.groups)
        g, keys = entry["g"], entry["keys"]
        return [(key, g == i) for i, key in enumerate(keys.to_dict("records"))]

    def quantile(self, var: str, q: float | Sequence[float] = 0.5) -> pd.DataFrame:
        """Quantile(s) of `var` per group (Woodruff intervals, domain design)."""
        self.design._in_memory("by(...).quantile")
        frames = []
        for key, dom in self._domains():
            f = self.design._quantile(var, q, dom)
            for j, (k, v) in enumerate(key.items()):
                f.insert(1 + j, k, v)
            frames.append(f)
        return pd.concat(frames, ignore_index=True)

    def crosstab(self, row: str, col: str, *, statistic: str = "F") -> pd.DataFrame:
        """Cross-table per group; ``attrs["test"]`` holds each group's test (one row each).

        `statistic` as :meth:`Design.crosstab_test`; each test uses its domain's
        degrees of freedom, as ``svychisq(~row+col, subset(design, ...))``.
        """
        from toolkit.stats._rao_scott import crosstab

        self.design._in_memory("by(...).crosstab")
        frames, tests = [], []
        for key, dom in self._domains():
            tab, test = crosstab(self.design, row, col, dom, statistic=statistic)
            for j, (k, v) in enumerate(key.items()):
                tab.insert(1 + j, k, v)
            frames.append(tab)
            tests.append({**key, **test})
        out = pd.concat(frames, ignore_index=True)
        out.attrs["test"] = pd.DataFrame(tests)
        return out

    def __repr__(self) -> str:
        return f"<Design by {self.groups}>"
