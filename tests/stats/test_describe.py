"""Descriptive tables, Likert summaries and ordinal agreement indices.

Reference values and sources:
- R ``agrmt`` 1.42 examples for V = (30, 40, 210, 130, 530, 50, 10):
  ``agreement(V)`` = 0.6113333 (van der Eijk 2001, p. 331), ``Leik(V)`` = 0.287,
  ``consensus(V)`` (Tastle & Wierman) = 0.7256876 (agrmt ``?consensus`` example).
- Tastle & Wierman (2007) consensus, from its definition
  :math:`1+\\sum p_i\\log_2(1-|i-\\mu|/(k-1))`: all answers in one category 1; half in
  each extreme 0; uniform over 5 categories 1 + 0.4 (log2 0.5 + log2 0.75) = 0.4339850.
- Van der Eijk (2001): A = 1 for one category, 0 for a uniform distribution, -1 for a
  split between the two extremes.
- Demo study: planted ``deliberation_opinion_dispersion`` (SD of op1 after minus before,
  -0.342957) and ``deliberation_opinion_shift`` (+0.5) in
  ``datasets/demo/planted_effects.yaml``; op2 has a true change of 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit._values import as_numeric
from toolkit.errors import ColumnNotFoundError

V = [30, 40, 210, 130, 530, 50, 10]


def test_ordinal_agreement_matches_agrmt():
    res = tk.stats.ordinal_agreement(pd.Series(V, index=range(1, 8))).iloc[0]
    assert res["van_der_eijk_a"] == pytest.approx(0.6113333, abs=5e-8)
    assert round(res["leik"], 3) == 0.287
    assert res["tastle_wierman"] == pytest.approx(0.7256876, abs=5e-8)
    assert res["n"] == 1000
    assert res["k"] == 7


def test_ordinal_agreement_reference_vector_file(shared):
    f = pd.read_csv(shared("reference", "ordinal_agreement_indices", "frequency_vectors.csv"))
    v = f.loc[f["distribution"] == "V_example", "frequency"].to_numpy()
    assert tk.stats.ordinal_agreement(v)["van_der_eijk_a"].item() == pytest.approx(
        0.6113333, abs=5e-8)


@pytest.mark.parametrize(("freq", "leik", "a", "cns"), [
    ([0, 0, 10, 0, 0], 0.0, 1.0, 1.0),
    ([5, 0, 0, 0, 5], 1.0, -1.0, 0.0),
    ([4, 4, 4, 4, 4], 0.6, 0.0, 1 + 0.4 * (np.log2(0.5) + np.log2(0.75))),
])
def test_ordinal_agreement_extremes(freq, leik, a, cns):
    res = tk.stats.ordinal_agreement(freq).iloc[0]
    assert res["leik"] == pytest.approx(leik)
    assert res["van_der_eijk_a"] == pytest.approx(a, abs=1e-12)
    assert res["tastle_wierman"] == pytest.approx(cns)


def test_ordinal_agreement_rejects_bad_input():
    with pytest.raises(ValueError, match="non-negative"):
        tk.stats.ordinal_agreement([1, -2, 3])


def test_likert_from_raw_responses_matches_frequency_vector(shared):
    raw = pd.read_csv(shared("reference", "ordinal_agreement_indices", "raw26_responses.csv"))
    f = pd.read_csv(shared("reference", "ordinal_agreement_indices", "frequency_vectors.csv"))
    freq = f.loc[f["distribution"] == "raw26_collapsed", "frequency"].to_numpy()
    res = tk.stats.likert(raw, items=["response"], points=range(1, 8)).iloc[0]
    shares = res[[f"p_{i}" for i in range(1, 8)]].to_numpy(float)
    np.testing.assert_allclose(shares, freq / freq.sum())
    ref = tk.stats.ordinal_agreement(freq).iloc[0]
    for col in ("leik", "van_der_eijk_a", "tastle_wierman"):
        assert res[col] == pytest.approx(ref[col])
    assert res["mean"] == pytest.approx(raw["response"].mean())
    assert res["top2"] == pytest.approx(2 / 26)  # category 6 empty, 7 has 2


def test_likert_weighted_by_design_and_grouped():
    df = pd.DataFrame({"q": [1, 2, 5, 4, 4, 5, 3, np.nan], "g": list("aaaabbbb"),
                       "w": [1.0, 3.0, 1.0, 1.0, 2.0, 2.0, 1.0, 5.0]})
    d = tk.stats.Design(df, weights="w")
    res = tk.stats.likert(df, items=["q"], by="g", design=d)
    means = d.by("g").mean("q")
    np.testing.assert_allclose(res["mean"], means["estimate"])
    assert list(res["n"]) == [4, 3]
    assert list(res["missing"]) == [0, 1]
    assert res.loc[0, "p_2"] == pytest.approx(3 / 6)
    with pytest.raises(ValueError, match="different table"):
        tk.stats.likert(df.iloc[:4], items=["q"], design=d)


def test_likert_ordered_categorical_uses_codebook_codes():
    cats = ["很差", "差", "一般", "好", "很好"]
    s = pd.Series(pd.Categorical(["好", "很好", "一般", None], categories=cats, ordered=True),
                  name="q1")
    df = s.to_frame()
    res = tk.stats.likert(df, items=["q1"]).iloc[0]
    assert res["mean"] == pytest.approx(4.0)
    assert res["p_1"] == 0.0
    assert res["top2"] == pytest.approx(2 / 3)
    assert tk.stats.likert(df, items=["q1"]).attrs["levels"]["q1"]["labels"] == cats
    with pytest.raises(ColumnNotFoundError, match="q2"):
        tk.stats.likert(df, items=["q2"])


def test_describe_table_one():
    df = pd.DataFrame({
        "gender": pd.Categorical(["男", "女", "女", None, "男", "女"], categories=["男", "女"]),
        "age": [30.0, 40.0, np.nan, 60.0, 50.0, 20.0],
        "wave": ["前测", "前测", "前测", "后测", "后测", "后测"],
    })
    tab = tk.stats.describe(df, vars=["gender", "age"], by="wave")
    assert list(tab.columns) == ["variable", "level", "wave", "n", "missing", "percent",
                                 "mean", "sd", "summary"]
    pre_f = tab[(tab["variable"] == "gender") & (tab["level"] == "女") & (tab["wave"] == "前测")]
    assert pre_f["n"].item() == 2
    assert pre_f["percent"].item() == pytest.approx(200 / 3)
    post_age = tab[(tab["variable"] == "age") & (tab["wave"] == "后测")].iloc[0]
    assert post_age["mean"] == pytest.approx(np.mean([60, 50, 20]))
    assert post_age["sd"] == pytest.approx(np.std([60, 50, 20], ddof=1))
    pre_age = tab[(tab["variable"] == "age") & (tab["wave"] == "前测")].iloc[0]
    assert pre_age["missing"] == 1
    assert pre_age["summary"] == "35.0 (7.1)"


def test_describe_weighted():
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "c": ["a", "b", "b"], "w": [2.0, 1.0, 1.0]})
    d = tk.stats.Design(df, weights="w")
    tab = tk.stats.describe(df, vars=["x", "c"], design=d)
    assert tab.loc[0, "mean"] == pytest.approx(d.mean("x")["estimate"].item())
    assert tab.loc[tab["level"] == "a", "percent"].item() == pytest.approx(50.0)
    assert tab.loc[tab["level"] == "a", "n"].item() == 1


@pytest.fixture(scope="module")
def panel():
    try:
        return tk.datasets.load_dataset("demo", table="panel")
    except (FileNotFoundError, KeyError) as err:  # pragma: no cover - demo not built
        pytest.skip(f"demo panel not available: {err}")


def _bootstrap_wave_stat(panel, item, stat, *, n_boot=2000, seed=7):
    """Respondent bootstrap of stat(after) - stat(before); 95% percentile interval."""
    codes = as_numeric(panel[item])  # codebook codes 1..5
    num = panel.assign(code=codes).pivot_table(index="respondent_id", columns="wave",
                                               values="code", aggfunc="first", observed=False)
    before, after = num["前测"].to_numpy(), num["后测"].to_numpy()
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(before), size=(n_boot, len(before)))
    b, a = before[idx], after[idx]
    diffs = stat(a) - stat(b)
    return np.quantile(diffs, [0.025, 0.975])


def _sd(x):
    return np.nanstd(x, axis=1, ddof=1)


def _mean(x):
    return np.nanmean(x, axis=1)


def test_demo_planted_dispersion_and_shift(panel):
    res = tk.stats.likert(panel, items=["op1", "op2"], by="wave").set_index(["item", "wave"])
    sd_change = res.loc[("op1", "后测"), "sd"] - res.loc[("op1", "前测"), "sd"]
    lo, hi = _bootstrap_wave_stat(panel, "op1", _sd)
    assert lo <= -0.342957 <= hi  # planted deliberation_opinion_dispersion
    assert lo <= sd_change <= hi
    shift = res.loc[("op1", "后测"), "mean"] - res.loc[("op1", "前测"), "mean"]
    lo, hi = _bootstrap_wave_stat(panel, "op1", _mean)
    assert lo <= 0.5 <= hi  # planted deliberation_opinion_shift
    assert lo <= shift <= hi
    lo, hi = _bootstrap_wave_stat(panel, "op2", _mean)
    assert lo <= 0.0 <= hi  # op2 unchanged
    # deliberation concentrates op1: agreement up, Leik dispersion down
    assert res.loc[("op1", "后测"), "van_der_eijk_a"] > res.loc[("op1", "前测"), "van_der_eijk_a"]
    assert res.loc[("op1", "后测"), "leik"] < res.loc[("op1", "前测"), "leik"]


def test_likert_points_fix_the_scale_and_reject_stray_codes():
    df = pd.DataFrame({"q": [2.0, 3.0, 5.0, np.nan]})
    res = tk.stats.likert(df, items=["q"], points=[1, 2, 3, 4, 5]).iloc[0]
    assert res["p_1"] == 0.0
    assert res["top2"] == pytest.approx(1 / 3)  # 4 and 5 are the top two points
    spaced = tk.stats.likert(pd.DataFrame({"q": [0.0, 2.0, 4.0, 4.0]}), items=["q"],
                             points=[0, 2, 4]).iloc[0]
    assert [spaced["p_0"], spaced["p_2"], spaced["p_4"]] == [0.25, 0.25, 0.5]
    with pytest.raises(ValueError, match=r"\[98.0\]"):
        tk.stats.likert(pd.DataFrame({"q": [1.0, 98.0]}), items=["q"], points=[1, 2, 3])
