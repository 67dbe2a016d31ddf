"""Tests of tk.stats.sessions, submissions and km_curve."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import ColumnNotFoundError

# Freireich et al. (1963) 6-MP arm, remission weeks; "+" = censored.
SIX_MP = [(6, 1), (6, 1), (6, 1), (6, 0), (7, 1), (9, 0), (10, 1), (10, 0), (11, 0), (13, 1),
          (16, 1), (17, 0), (19, 0), (20, 0), (22, 1), (23, 1), (25, 0), (32, 0), (32, 0),
          (34, 0), (35, 0)]


def test_km_curve_six_mp():
    # Source: Kaplan-Meier table of the 6-MP group (Freireich 1963 data) in Kleinbaum &
    # Klein, Survival Analysis, 3rd ed., ch. 2 (S = .8571, .8067, .7529, .6902, .6275,
    # .5378, .4482 at 6, 7, 10, 13, 16, 22, 23; median 23 weeks) and R
    # survfit(Surv(time, status) ~ 1): std.err 0.0764 at week 6. Tolerance: printed digits.
    d = pd.DataFrame(SIX_MP, columns=["weeks", "relapse"])
    km = tk.stats.km_curve(d, time="weeks", event="relapse")
    assert list(km.columns) == ["group", "time", "survival", "ci_low", "ci_high", "at_risk",
                                "events"]
    body = km.iloc[1:]
    np.testing.assert_allclose(body["time"], [6, 7, 10, 13, 16, 22, 23])
    np.testing.assert_allclose(body["survival"], [.8571, .8067, .7529, .6902, .6275, .5378,
                                                  .4482], atol=5e-5)
    assert km.iloc[0][["time", "survival", "at_risk"]].tolist() == [0.0, 1.0, 21]
    assert body["at_risk"].tolist() == [21, 17, 15, 12, 11, 7, 6]
    # log-log limits from Greenwood's SE, formula computed here by hand at week 6
    s, se = 18 / 21, 18 / 21 * np.sqrt(3 / (21 * 18))
    assert se == pytest.approx(0.0764, abs=5e-5)
    v = 1.959964 * se / (s * abs(np.log(s)))
    assert body["ci_low"].iloc[0] == pytest.approx(s ** np.exp(v), rel=1e-5)
    assert body["ci_high"].iloc[0] == pytest.approx(s ** np.exp(-v), rel=1e-5)


def test_submission_claims_binomial_reference():
    # Source: R ?binom.test example, binom.test(c(682, 243), p = 3/4):
    # p-value = 0.3825, 95% CI 0.7076683 0.7654066 (Clopper-Pearson). Tolerance: digits.
    n, k = 925, 682
    s = pd.DataFrame({"submission_id": [f"S{i}" for i in range(n)],
                      "date": pd.Timestamp("2024-01-01"),
                      "responded": pd.array([True] * k + [False] * (n - k), dtype="boolean")})
    r = tk.stats.submissions(s, claim={"responded": 0.75})
    c = r.claims.iloc[0]
    assert c["p_value"] == pytest.approx(0.3825, abs=5e-5)
    assert c["ci_low"] == pytest.approx(0.7076683, abs=5e-8)
    assert c["ci_high"] == pytest.approx(0.7654066, abs=5e-8)


def test_rates_wilson_reference():
    # Source: Newcombe (1998), Stat Med 17:857, Table I: Wilson score interval for
    # 81/263 is 0.2553 to 0.3662 and for 15/148 0.0624 to 0.1605. Tolerance: digits.
    def frame(k, n):
        return pd.DataFrame({"submission_id": [f"S{i}" for i in range(n)],
                             "date": pd.Timestamp("2024-01-01"),
                             "adopted": pd.array([True] * k + [False] * (n - k),
                                                 dtype="boolean")})

    for (k, n), (lo, hi) in {(81, 263): (0.2553, 0.3662), (15, 148): (0.0624, 0.1605)}.items():
        row = tk.stats.submissions(frame(k, n)).rates.iloc[0]
        assert row["measure"] == "adoption_rate"
        assert (row["successes"], row["n"]) == (k, n)
        assert row["ci_low"] == pytest.approx(lo, abs=5e-5)
        assert row["ci_high"] == pytest.approx(hi, abs=5e-5)


@pytest.fixture
def session_table():
    return pd.DataFrame({
        "session_id": ["S1", "S2", "S3", "S4", "S5", "S6"],
        "date": pd.to_datetime(["2024-01-05", "2024-02-01", "2024-01-10", "2024-03-01",
                                "2024-04-01", "2024-05-01"]),
        "platform": ["居民议事会", "居民议事会", "微信群", "微信群", "协商议事室", "微信群"],
        "topic_id": ["T1", "T1", "T2", "T3", "T4", "T3"],
        "round": [1, 2, 1, 1, 1, 2],
        "consensus": pd.array([False, True, True, False, True, False], dtype="boolean"),
        "escalated_to": pd.Categorical([None, None, None, None, None, "居民会议"]),
        "implemented": pd.array([False, True, True, False, False, False], dtype="boolean"),
        "implemented_date": pd.to_datetime([None, "2024-03-05", "2024-02-09", None, None,
                                            None]),
    })


def test_sessions_topics_rounds_and_censoring(session_table):
    r = tk.stats.sessions(session_table)
    rates = r.rates.set_index("measure")
    assert rates.loc["consensus_rate", ["successes", "n"]].tolist() == [3, 6]
    assert rates.loc["topic_consensus_rate", ["successes", "n"]].tolist() == [3, 4]
    assert rates.loc["escalation_rate", ["successes", "n"]].tolist() == [1, 4]
    assert rates.loc["implementation_rate", ["successes", "n"]].tolist() == [2, 4]
    assert r.rounds[["rounds", "n"]].values.tolist() == [[1, 2], [2, 1]]
    lag = r.lags.iloc[0]
    # T1: 5 Jan -> 5 Mar = 60 days; T2: 10 Jan -> 9 Feb = 30 days; T3 and T4 censored at
    # the end of the data (1 May): 61 and 30 days
    assert (lag["n"], lag["n_events"], lag["n_censored"]) == (4, 2, 2)
    km = r.km
    assert km["time"].tolist()[1:] == [30.0, 60.0]
    assert km["at_risk"].tolist()[1:] == [4, 2]  # the topic censored at day 30 is at risk
    frame = r.to_frame()
    assert {"consensus_rate", "mean_rounds_to_consensus",
            "median_days_to_implementation"} <= set(frame["measure"])
    assert "Sessions" in r.summary().as_text()
    assert repr(r).startswith("<ProcessResult Sessions")


def test_sessions_by_platform_group_and_study(session_table):
    study = tk.Study(sessions=session_table)
    r = tk.stats.sessions(study, by="platform_group")
    rates = r.rates[r.rates["measure"] == "consensus_rate"].set_index("platform_group")
    assert rates.loc["offline", ["successes", "n"]].tolist() == [2, 3]
    assert rates.loc["online", ["successes", "n"]].tolist() == [1, 3]
    with pytest.raises(ColumnNotFoundError, match="platfrom"):
        tk.stats.sessions(session_table, by="platfrom")


def test_submissions_response_lag_and_errors():
    s = pd.DataFrame({
        "submission_id": ["A", "B", "C", "D"],
        "date": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-02-01", "2024-02-10"]),
        "channel": ["提案", "提案", "社情民意信息", "社情民意信息"],
        "instructions": [1, 0, 0, 2],
        "responded": pd.array([True, True, False, True], dtype="boolean"),
        "response_date": pd.to_datetime(["2024-01-20", "2024-02-03", None, "2024-03-01"])})
    r = tk.stats.submissions(s, by="channel", claim={"instructed": 1.0})
    assert r.claims["p_value"].iloc[0] == 0.0  # one failure refutes "every piece"
    assert r.lags["n_events"].sum() == 3
    assert set(r.rates["channel"]) == {"提案", "社情民意信息"}
    with pytest.raises(ValueError, match="Unknown claim"):
        tk.stats.submissions(s, claim={"answered": 1.0})
    with pytest.raises(ValueError, match="between 0 and 1"):
        tk.stats.submissions(s, claim={"responded": 90})
    with pytest.raises(ColumnNotFoundError, match="adopted"):
        tk.stats.submissions(s, claim={"adopted": 0.5})


def test_demo_online_consensus_gap(demo_study):
    # Planted (datasets/demo/planted_effects.yaml, online_consensus): consensus share at
    # stage 议事协商, online minus offline = 0.45 - 0.70 = -0.25; must lie in the 95% CI
    # of the difference of the two rates (Wald, from the toolkit's rates and counts).
    s = demo_study.table("sessions")
    r = tk.stats.sessions(s[s["stage"] == "议事协商"], by="platform_group")
    rates = r.rates[r.rates["measure"] == "consensus_rate"].set_index("platform_group")
    p1, n1 = rates.loc["online", ["estimate", "n"]]
    p0, n0 = rates.loc["offline", ["estimate", "n"]]
    diff = p1 - p0
    se = np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    assert diff - 1.96 * se <= -0.25 <= diff + 1.96 * se
