"""The result object of ``tk.stats.sessions`` and ``tk.stats.submissions``."""

from __future__ import annotations

import pandas as pd

from toolkit._summary import Summary

__all__ = ["ProcessResult"]


class ProcessResult:
    """Rates, distributions and lags of a process analysis.

    Attributes
    ----------
    rates : pandas.DataFrame
        ``[by...], measure, unit, successes, n, estimate, ci_low, ci_high``.
    lags : pandas.DataFrame
        ``[by...], measure, n, n_events, n_censored, median_days, ci_low,
        ci_high, n_excluded`` (Kaplan-Meier median with its CI).
    km : pandas.DataFrame
        Kaplan-Meier curves (see :func:`km_curve`), ``group`` holding the `by`
        value.
    rounds : pandas.DataFrame
        Distribution of rounds to consensus (sessions only): ``[by...],
        rounds, n, share``.
    claims : pandas.DataFrame
        Tests of claimed proportions (submissions only): ``measure, claimed,
        successes, n, estimate, ci_low, ci_high, p_value``.
    """

    def __init__(self, title: str, by: list[str], *, rates: pd.DataFrame, lags: pd.DataFrame,
                 km: pd.DataFrame, rounds: pd.DataFrame | None = None,
                 claims: pd.DataFrame | None = None, extra: pd.DataFrame | None = None) -> None:
        self.title = title
        self.by = by
        self.rates = rates
        self.lags = lags
        self.km = km
        self.rounds = rounds if rounds is not None else pd.DataFrame()
        self.claims = claims if claims is not None else pd.DataFrame()
        self._extra = extra

    def to_frame(self) -> pd.DataFrame:
        """One tidy frame: ``[by...], measure, estimate, ci_low, ci_high, n``.

        Rates (proportions), the mean rounds to consensus and the median lags in
        days, each with its confidence interval and ``n``.
        """
        cols = [*self.by, "measure", "estimate", "ci_low", "ci_high", "n"]
        lags = self.lags.rename(columns={"median_days": "estimate"})
        lags = lags.assign(measure=lags["measure"].map(lambda m: f"median_{m}"))
        parts = [self.rates.reindex(columns=cols), lags.reindex(columns=cols)]
        if self._extra is not None:
            parts.insert(1, self._extra.reindex(columns=cols))
        return pd.concat([p for p in parts if len(p)], ignore_index=True)

    def summary(self) -> Summary:
        """Summary with ``as_text()``, ``as_html()``, ``as_latex()``."""
        info = [("Grouped by", ", ".join(self.by) or "—")]
        return Summary(self.title, info, self.to_frame())

    def __repr__(self) -> str:
        return f"<ProcessResult {self.title}: {len(self.rates)} rates, {len(self.lags)} lags>"

    def _repr_html_(self) -> str:
        return self.summary().as_html()
