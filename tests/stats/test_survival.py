"""Kaplan-Meier, log-rank and Cox against R's survival package.

Reference: tests/reference/R/survival.R -> tests/reference/survival.json (R 4.2,
survival 3.5), data tests/reference/data/survival_{lags,ties}.csv (whole-day lags,
so many ties, with censoring). Tolerances: 1e-6 relative for the Kaplan-Meier
estimates and the log-rank statistics (closed form); 1e-4 relative for the Cox
coefficients, standard errors and hazard ratios (iterative fit), 1e-6 for its
log-likelihoods.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import toolkit as tk

DATA = Path(__file__).resolve().parents[1] / "reference" / "data"


@pytest.fixture(scope="module")
def lags():
    return pd.read_csv(DATA / "survival_lags.csv")


@pytest.fixture(scope="module")
def ties():
    return pd.read_csv(DATA / "survival_ties.csv")


@pytest.fixture(scope="module")
def ref(r_reference):
    return r_reference("survival")


@pytest.mark.parametrize(("case", "table", "time", "event", "by", "level"), [
    ("km_channel", "lags", "days", "responded", "channel", 0.95),
    ("km_ties_90", "ties", "days", "event", "arm", 0.9),
])
def test_km_curve_equals_survfit(request, ref, case, table, time, event, by, level):
    # R: survfit(Surv(time, event) ~ by, conf.type = "log-log"), event times only
    want = ref[case]["value"]
    km = tk.stats.km_curve(request.getfixturevalue(table), time=time, event=event, by=by,
                           level=level)
    km = km[km["events"] > 0]
    assert km["group"].tolist() == want["group"]
    np.testing.assert_array_equal(km["time"], want["time"])
    np.testing.assert_array_equal(km["at_risk"], want["n_risk"])
    np.testing.assert_array_equal(km["events"], want["n_event"])
    np.testing.assert_allclose(km["survival"], want["surv"], rtol=1e-6)
    low = np.array([np.nan if v is None else v for v in want["lower"]], dtype=float)
    high = np.array([np.nan if v is None else v for v in want["upper"]], dtype=float)
    finite = ~np.isnan(low)  # R gives no limits where the curve reaches 0
    np.testing.assert_allclose(km["ci_low"].to_numpy()[finite], low[finite], rtol=1e-6)
    np.testing.assert_allclose(km["ci_high"].to_numpy()[finite], high[finite], rtol=1e-6)


@pytest.mark.parametrize(("case", "table", "time", "event", "by", "strata"), [
    ("logrank_channel", "lags", "days", "responded", "channel", None),
    ("logrank_channel_strata", "lags", "days", "responded", "channel", "town"),
    ("logrank_ties", "ties", "days", "event", "arm", None),
])
def test_logrank_equals_survdiff(request, ref, case, table, time, event, by, strata):
    # R: survdiff(Surv(time, event) ~ by [+ strata(town)])
    want = ref[case]["value"]
    r = tk.stats.logrank(request.getfixturevalue(table), time=time, event=event, by=by,
                         strata=strata)
    assert r.table[by].tolist() == want["groups"]
    assert r.table["n"].tolist() == want["n"]
    assert r.table["observed"].tolist() == want["observed"]
    np.testing.assert_allclose(r.table["expected"], want["expected"], rtol=1e-6)
    assert r.statistic == pytest.approx(want["chisq"], rel=1e-6)
    assert r.df == want["df"]
    assert r.p_value == pytest.approx(want["p"], rel=1e-6)
    assert "Log-rank" in r.summary().as_text()
    assert r.to_frame().equals(r.table)


@pytest.mark.parametrize(("case", "formula", "ties_", "table"), [
    ("cox_efron", "Surv(days, responded) ~ channel + sector + pages", "efron", "lags"),
    ("cox_breslow", "Surv(days, responded) ~ channel + sector + pages", "breslow", "lags"),
    ("cox_strata", "Surv(days, responded) ~ channel + pages + strata(town)", "efron", "lags"),
    ("cox_ties", "Surv(days, event) ~ arm", "efron", "ties"),
])
def test_cox_equals_coxph(request, ref, case, formula, ties_, table):
    # R: coxph(Surv(days, responded) ~ ..., ties = "efron" (default) / "breslow")
    want = ref[case]["value"]
    r = tk.stats.cox(request.getfixturevalue(table), formula, ties=ties_)
    t = r.table
    for col, key in [("coef", "coef"), ("se", "se"), ("z", "z"), ("hr", "hr"),
                     ("hr_low", "hr_low"), ("hr_high", "hr_high")]:
        np.testing.assert_allclose(t[col], np.atleast_1d(want[key]), rtol=1e-4,
                                   err_msg=col)
    np.testing.assert_allclose(t["p_value"], np.atleast_1d(want["p"]), rtol=1e-3)
    assert r.loglik_null == pytest.approx(want["loglik"][0], rel=1e-6)
    assert r.loglik == pytest.approx(want["loglik"][1], rel=1e-6)
    assert r.lr_statistic == pytest.approx(want["lr"], rel=1e-4)
    assert r.lr_df == want["lr_df"]
    assert (r.n, r.n_events) == (want["n"], want["nevent"])
    assert "Cox" in r.summary().as_text()


def test_cox_and_logrank_errors(lags):
    with pytest.raises(ValueError, match="Surv"):
        tk.stats.cox(lags, "days ~ channel")
    with pytest.raises(ValueError, match="ties"):
        tk.stats.cox(lags, "Surv(days, responded) ~ pages", ties="exact")
    with pytest.raises(tk.ColumnNotFoundError, match="chanel"):
        tk.stats.cox(lags, "Surv(days, responded) ~ chanel")
    with pytest.raises(ValueError, match="two groups"):
        tk.stats.logrank(lags.assign(one="x"), time="days", event="responded", by="one")


def test_missing_rows_left_out_and_counted(lags):
    holes = lags.astype({"pages": float}).copy()
    holes.loc[[0, 5], "pages"] = np.nan
    r = tk.stats.cox(holes, "Surv(days, responded) ~ pages")
    assert (r.n, r.n_excluded) == (len(lags) - 2, 2)
    full = tk.stats.cox(lags.drop(index=[0, 5]), "Surv(days, responded) ~ pages")
    assert r.table["coef"].iloc[0] == pytest.approx(full.table["coef"].iloc[0], rel=1e-12)


def test_lag_table_wires_process_data_to_the_comparison(demo_study):
    # The lags of tk.stats.submissions, row by row: same counts and the same curves.
    rows = tk.stats.lag_table(demo_study)
    res = tk.stats.submissions(demo_study, by="channel")
    assert len(rows) == res.lags["n"].sum()
    assert rows.attrs["n_excluded"] == res.lags["n_excluded"].sum()
    km = tk.stats.km_curve(rows, time="days", event="event", by="channel")
    pd.testing.assert_frame_equal(km.assign(group=km["group"].astype(str)),
                                  res.km.reset_index(drop=True), check_dtype=False)
    lr = tk.stats.logrank(rows, time="days", event="event", by="channel")
    assert lr.table["observed"].tolist() == res.lags["n_events"].tolist()
    topics = tk.stats.lag_table(demo_study, kind="sessions", by="platform")
    impl = tk.stats.sessions(demo_study, by="platform").lags
    assert len(topics) == impl["n"].sum()
    cox = tk.stats.cox(topics, "Surv(days, event) ~ platform")
    assert len(cox.table) == topics["platform"].nunique() - 1
