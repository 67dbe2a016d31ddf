"""Tests of tk.stats.change (pre/post change table) against R and textbook formulas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import ColumnNotFoundError


@pytest.fixture
def sleep(shared):
    return pd.read_csv(shared("reference", "mixed_sleepstudy", "sleep_student.csv"),
                       encoding="utf-8")


def test_paired_t_matches_r_sleep(sleep):
    # Source: R `t.test(extra ~ group, data = sleep, paired = TRUE)`:
    # t = -4.0621, df = 9, p-value = 0.002833, 95% CI -2.4598858 -0.7001142,
    # mean difference -1.58 (group 1 - group 2; here after - before, so signs flip).
    # Tolerance: printed digits.
    t = tk.stats.change(sleep, items=["extra"], wave="group", respondent="ID").iloc[0]
    assert t["n_pairs"] == 10
    assert t["change"] == pytest.approx(1.58, abs=1e-12)
    assert t["t"] == pytest.approx(4.0621, abs=5e-5)
    assert t["df"] == 9
    assert t["p_value"] == pytest.approx(0.002833, abs=5e-7)
    assert t["ci_low"] == pytest.approx(0.7001142, abs=5e-8)
    assert t["ci_high"] == pytest.approx(2.4598858, abs=5e-8)
    # Cohen's d_z = mean / SD of differences = t / sqrt(n)
    assert t["cohen_dz"] == pytest.approx(4.062128 / np.sqrt(10), abs=1e-6)
    assert t["share_up"] == pytest.approx(0.9)
    assert t["share_same"] == pytest.approx(0.1)
    assert t["n_unpaired"] == 0


def test_wilcoxon_matches_r_sleep(sleep):
    # Source: R `wilcox.test(extra ~ group, data = sleep, paired = TRUE)`:
    # V = 0, p-value = 0.009091 (normal approximation with continuity correction, after
    # R warns about ties and zeroes; worked example e.g. byuistats.github.io
    # Statistics-Notebook "SleepPairedWilcoxon"). Tolerance: printed digits.
    t = tk.stats.change(sleep, items=["extra"], wave="group", respondent="ID").iloc[0]
    assert t["wilcoxon_p"] == pytest.approx(0.009091, abs=5e-7)


def test_wilcoxon_exact_without_ties():
    # R `wilcox.test(c(1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30),
    #   c(0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29), paired = TRUE)`
    # (Hollander & Wolfe depression data, ?wilcox.test): V = 40, p-value = 0.03906.
    x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
    y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
    d = pd.DataFrame({"respondent_id": list(range(9)) * 2, "wave": ["a"] * 9 + ["b"] * 9,
                      "v": y + x})
    t = tk.stats.change(d, items=["v"], before="a", after="b").iloc[0]
    assert t["wilcoxon_p"] == pytest.approx(0.03906, abs=5e-6)


def test_pitman_morgan_against_textbook_formula(sleep):
    # Reference formula (Snedecor & Cochran): t = (F - 1) sqrt(n - 2) / (2 sqrt(F (1 - r^2)))
    # with F = s_after^2 / s_before^2 and r the before/after correlation, df n - 2.
    from scipy import stats

    wide = sleep.pivot(index="ID", columns="group", values="extra")
    x, y = wide[1].to_numpy(), wide[2].to_numpy()
    n = len(x)
    f = y.var(ddof=1) / x.var(ddof=1)
    r = np.corrcoef(x, y)[0, 1]
    t_ref = (f - 1) * np.sqrt(n - 2) / (2 * np.sqrt(f * (1 - r * r)))
    row = tk.stats.change(sleep, items=["extra"], wave="group", respondent="ID").iloc[0]
    assert row["pitman_morgan_t"] == pytest.approx(t_ref, rel=1e-10)
    assert row["pitman_morgan_p"] == pytest.approx(2 * stats.t.sf(abs(t_ref), n - 2), rel=1e-10)
    assert row["sd_change"] == pytest.approx(y.std(ddof=1) - x.std(ddof=1))


def test_unpaired_reported_and_knowledge_index():
    d = pd.DataFrame({
        "respondent_id": ["a", "b", "c", "d", "a", "b", "c", "e"],
        "wave": pd.Categorical(["前测"] * 4 + ["后测"] * 4, categories=["前测", "后测"],
                               ordered=True),
        "q1": pd.Categorical(["一般", "满意", "一般", "不满意", "满意", "满意", "满意", "一般"],
                             categories=["不满意", "一般", "满意"], ordered=True),
        "k1": [0, 1, 0, 1, 1, 1, 1, 0], "k2": [0, 0, 1, 1, 1, 0, 1, 1]})
    t = tk.stats.change(d, items=["q1"], knowledge=["k1", "k2"]).set_index("item")
    assert t.loc["q1", "n_pairs"] == 3
    assert t.loc["q1", "mean_before"] == pytest.approx((2 + 3 + 2) / 3)
    assert t.loc["q1", "n_unpaired"] == 2
    assert t.loc["q1", "n"] == 5
    # knowledge: share correct before (a 0, b .5, c .5) and after (a 1, b .5, c 1)
    assert t.loc["knowledge_index", "change"] == pytest.approx((1 + 0 + 0.5) / 3)
    unpaired = tk.stats.change(d, items=["q1"]).attrs["unpaired"]
    assert sorted(unpaired["respondent"]) == ["d", "e"]
    assert set(unpaired["wave_present"]) == {"前测", "后测"}


def test_design_weighted_equal_weights_equal_unweighted(sleep):
    # With equal weights and each respondent (both waves) its own PSU, the linearised SE
    # of the mean change equals s_d / sqrt(n) exactly (algebra), so the tables match.
    d = sleep.assign(w=1.0)
    design = tk.stats.Design(d, weights="w", cluster="ID")
    a = tk.stats.change(d, items=["extra"], wave="group", respondent="ID").iloc[0]
    b = tk.stats.change(d, items=["extra"], wave="group", respondent="ID",
                        design=design).iloc[0]
    for col in ("mean_before", "mean_after", "change", "se"):
        assert b[col] == pytest.approx(a[col], rel=1e-10)


def test_errors(sleep):
    with pytest.raises(ColumnNotFoundError, match="Did you mean"):
        tk.stats.change(sleep, items=["extr"], wave="group", respondent="ID")
    with pytest.raises(ValueError, match="before"):
        tk.stats.change(sleep, items=["extra"], wave="group", respondent="ID", before=3,
                        after=1)
    three = pd.concat([sleep, sleep.assign(group=3)])
    with pytest.raises(ValueError, match="3 waves"):
        tk.stats.change(three, items=["extra"], wave="group", respondent="ID")
    dup = pd.concat([sleep, sleep.iloc[:1]])
    with pytest.raises(ValueError, match="more than one row"):
        tk.stats.change(dup, items=["extra"], wave="group", respondent="ID")


def test_demo_panel_recovers_planted_change():
    # Planted (datasets/demo/planted_effects.yaml): op1 mean change 0.5; knowledge
    # +1.2 items of 6 (= 0.2 as share correct). Each must lie in the 95% CI.
    panel = tk.datasets.load_dataset("demo", table="panel")
    t = tk.stats.change(panel, items=["op1", "op2"],
                        knowledge=[f"know{i}" for i in range(1, 7)]).set_index("item")
    assert t.loc["op1", "ci_low"] <= 0.5 <= t.loc["op1", "ci_high"]
    assert t.loc["op2", "ci_low"] <= 0.0 <= t.loc["op2", "ci_high"]  # true change 0
    assert t.loc["knowledge_index", "ci_low"] <= 0.2 <= t.loc["knowledge_index", "ci_high"]
    assert t.loc["op1", "sd_change"] < 0
    assert t.loc["op1", "pitman_morgan_p"] < 0.05
