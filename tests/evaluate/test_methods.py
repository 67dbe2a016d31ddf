"""Normalisation, weights, aggregation and TOPSIS against hand computation, R and MCDM libraries.

Sources of expected values: COINr's definitions (formulas written out below), R (`psych`,
`scale`, `rank`; tests/reference/R/evaluate.R), `pymcdm` 1.4 and `scikit-criteria` 0.10.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import ArgumentError, ColumnNotFoundError

REFERENCE_CSV = Path(__file__).resolve().parents[1] / "reference" / "data" / \
    "evaluate_indicators.csv"
# The decision matrix of pymcdm's and many textbooks' examples: 5 alternatives x 4 criteria,
# the first a cost criterion.
X = np.array([[250, 16, 12, 5], [200, 16, 8, 3], [300, 32, 16, 4], [275, 32, 8, 4],
              [225, 16, 16, 2]], dtype=float)
DIRS = {"c1": "-", "c2": "+", "c3": "+", "c4": "+"}


@pytest.fixture
def decision():
    return pd.DataFrame(X, columns=["c1", "c2", "c3", "c4"]).assign(
        alt=list("ABCDE"))[["alt", "c1", "c2", "c3", "c4"]]


# -- normalisation (COINr n_* functions) --------------------------------------------


def test_minmax_zscore_rank_by_hand(indicator_table, two_pillars, r_reference):
    x = indicator_table["a1"].to_numpy()
    out = tk.evaluate.normalise(indicator_table, system=two_pillars)
    assert out["a1"].to_numpy() == pytest.approx((x - x.min()) / (x.max() - x.min()) * 100)
    b2 = indicator_table["b2"].to_numpy()  # negative: COINr multiplies by -1 first
    assert out["b2"].to_numpy() == pytest.approx((b2.max() - b2) / (b2.max() - b2.min()) * 100)
    assert list(out["unit"]) == list(indicator_table["unit"])  # ids kept as they were
    ref = pd.read_csv(REFERENCE_CSV)
    z = tk.evaluate.normalise(ref, method="zscore")
    # R: as.numeric(scale(X$i1)), tolerance 1e-10
    assert z["i1"].to_numpy() == pytest.approx(r_reference("evaluate")["zscore_i1"]["value"],
                                               abs=1e-10)
    r = tk.evaluate.normalise(ref, method="rank", directions={c: "+" if c != "i4" else "-"
                                                              for c in ref.columns[1:]})
    # R: rank(-X$i4, ties.method = "min"), exact
    assert r["i4"].tolist() == r_reference("evaluate")["rank_min_i4"]["value"]


def test_target_goalposts_ratio(indicator_table):
    df = pd.DataFrame({"x": [2.0, 4.0, 6.0, 10.0], "y": [1.0, 2.0, 3.0, 4.0]})
    t = tk.evaluate.normalise(df, method="target", targets={"x": 8, "y": 1},
                              directions={"x": "+", "y": "-"})
    # COINr n_dist2targ: 1 - (targ - x) / (targ - min); y reversed: x' = -y, targ' = -1
    assert t["x"].tolist() == pytest.approx([0.0, 1 / 3, 2 / 3, 4 / 3])
    assert t["y"].tolist() == pytest.approx([1.0, 2 / 3, 1 / 3, 0.0])
    capped = tk.evaluate.normalise(df, method="target", targets=[8, 1], cap=True,
                                   directions={"x": "+", "y": "-"})
    assert capped["x"].max() == 1.0
    g = tk.evaluate.normalise(df, method="goalposts", goalposts={"x": (3, 9), "y": (1, 3)},
                              directions={"x": "+", "y": "-"})
    # COINr n_goalposts, truncated to [0, 1], scaled to 0-100
    assert g["x"].tolist() == pytest.approx([0.0, 100 / 6, 50.0, 100.0])
    assert g["y"].tolist() == pytest.approx([100.0, 50.0, 0.0, 0.0])
    ratio = tk.evaluate.normalise(df, method="ratio", directions={"x": "+", "y": "-"})
    assert ratio["x"].tolist() == pytest.approx([100 * v / 5.5 for v in (2, 4, 6, 10)])
    assert ratio["y"].tolist() == pytest.approx([200 - 100 * v / 2.5 for v in (1, 2, 3, 4)])


def test_normalise_errors_name_the_indicator(indicator_table):
    with pytest.raises(ArgumentError, match="Indicator `a1` has direction 'up'"):
        tk.evaluate.normalise(indicator_table, directions={"a1": "up", "a2": "+", "a3": "+",
                                                           "b1": "+", "b2": "+", "b3": "+"})
    with pytest.raises(ArgumentError, match=r"`a_1` is not an indicator.*did you mean `a1`"):
        tk.evaluate.normalise(indicator_table[["a1", "a2"]], directions={"a_1": "+", "a2": "+"})
    with pytest.raises(ArgumentError, match="`flat` have the same value"):
        tk.evaluate.normalise(indicator_table.assign(flat=3.0))
    with pytest.raises(ArgumentError, match="no value for `y`"):
        tk.evaluate.normalise(pd.DataFrame({"x": [1.0, 2.0], "y": [1.0, 3.0]}),
                              method="target", targets={"x": 2})
    with pytest.raises(ColumnNotFoundError, match=r"`a_1`.*did you mean `a1`"):
        tk.evaluate.normalise(indicator_table, indicators=["a_1"])
    with pytest.raises(ArgumentError, match="2 value\\(s\\) but there are 6"):
        tk.evaluate.normalise(indicator_table, directions=["+", "-"])


# -- weights ------------------------------------------------------------------------


def test_entropy_by_hand_and_against_libraries(decision):
    w = tk.evaluate.weights(decision, method="entropy", normalise=None)["weight"].to_numpy()
    p = X / X.sum(axis=0)
    e = -(p * np.log(p)).sum(axis=0) / np.log(len(X))
    assert w == pytest.approx((1 - e) / (1 - e).sum(), abs=1e-12)  # hand computation
    pymcdm = pytest.importorskip("pymcdm")
    assert w == pytest.approx(pymcdm.weights.entropy_weights(X), abs=1e-12)
    skw = pytest.importorskip("skcriteria.preprocessing.weighters")
    assert w == pytest.approx(skw.entropy_weights(X), abs=1e-12)


def test_entropy_on_minmax_keeps_zero_log_zero(decision):
    w = tk.evaluate.weights(decision, method="entropy", directions=DIRS)["weight"].to_numpy()
    r = np.column_stack([(X[:, 0].max() - X[:, 0]) / np.ptp(X[:, 0])] +
                        [(X[:, j] - X[:, j].min()) / np.ptp(X[:, j]) for j in range(1, 4)])
    p = r / r.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    d = 1 + plogp.sum(axis=0) / np.log(5)
    assert w == pytest.approx(d / d.sum(), abs=1e-12)


def test_critic_against_libraries(decision):
    w = tk.evaluate.weights(decision, method="critic", directions=DIRS)
    assert w["global_weight"].sum() == pytest.approx(1.0)
    skw = pytest.importorskip("skcriteria.preprocessing.weighters")
    ref = skw.critic_weights(X, objectives=np.array([-1, 1, 1, 1]))
    assert w["weight"].to_numpy() == pytest.approx(ref, abs=1e-12)
    pymcdm = pytest.importorskip("pymcdm")
    # pymcdm's CRITIC normalises every column as a benefit: compare with all directions +
    allplus = tk.evaluate.weights(decision, method="critic")["weight"].to_numpy()
    assert allplus == pytest.approx(pymcdm.weights.critic_weights(X), abs=1e-12)


def test_pca_weights_equal_r_psych(r_reference):
    ref = r_reference("evaluate")
    data = pd.read_csv(REFERENCE_CSV)
    from toolkit.evaluate.weighting import pca_weights

    w, info = pca_weights(data[[f"i{i}" for i in range(1, 7)]].to_numpy(float))
    # R: eigen(cor(X))$values; tolerance 1e-10
    assert info["eigenvalues"] == pytest.approx(ref["pca_eigenvalues"]["value"], abs=1e-10)
    assert info["n_factors"] == 2
    loadings = pd.DataFrame(ref["pca_loadings_varimax"]["value"])[["RC1", "RC2"]].to_numpy()
    # R: principal(X, 2, rotate="varimax") loadings, up to column order and sign; 1e-4
    ours = np.abs(info["loadings"])
    theirs = np.abs(loadings)
    if not np.allclose(ours[:, 0], theirs[:, 0], atol=1e-3):
        theirs = theirs[:, ::-1]
    assert ours == pytest.approx(theirs, abs=1e-4)
    assert w == pytest.approx(ref["pca_weights"]["value"], abs=1e-4)
    frame = tk.evaluate.weights(data, method="pca")
    assert frame["weight"].to_numpy() == pytest.approx(w)


def test_hierarchical_weights(indicator_table, two_pillars):
    eq = tk.evaluate.weights(indicator_table, method="equal", system=two_pillars)
    assert eq.set_index("indicator").loc["a1", "global_weight"] == pytest.approx(0.5 / 3)
    given = tk.evaluate.weights(None, method="system", system=two_pillars)
    assert given.set_index("indicator").loc["b1", "global_weight"] == pytest.approx(0.4 / 3)
    ent = tk.evaluate.weights(indicator_table, method="entropy", system=two_pillars)
    leaves = ent[ent["indicator"].isin(two_pillars.leaves)]
    assert leaves["global_weight"].sum() == pytest.approx(1.0)
    flat = tk.evaluate.weights(indicator_table[two_pillars.leaves], method="entropy",
                               directions={"b2": "-", **{c: "+" for c in
                                                         ["a1", "a2", "a3", "b1", "b3"]}})
    assert leaves["global_weight"].to_numpy() == pytest.approx(flat["weight"].to_numpy())
    pillar_a = ent.set_index("indicator").loc["A", "weight"]
    assert pillar_a == pytest.approx(leaves["global_weight"].iloc[:3].sum())  # sum of children


def test_weights_refuse_missing_values(indicator_table):
    gap = indicator_table.copy()
    gap.loc[3, "a2"] = np.nan
    with pytest.raises(ArgumentError, match=r"`a2` have missing values.*impute"):
        tk.evaluate.weights(gap, method="entropy")


def test_expert_weights():
    scores = pd.DataFrame({"expert": ["E1", "E2", "E3"], "a": [9, 5, 7], "b": [3, 5, 7],
                           "c": [1, 5, 7]})
    w = tk.evaluate.expert_weights(scores)
    shares = scores[["a", "b", "c"]].to_numpy() / scores[["a", "b", "c"]].sum(axis=1).to_numpy(
    )[:, None]
    assert w["weight"].to_numpy() == pytest.approx(shares.mean(axis=0))
    with pytest.raises(ArgumentError, match=r"E2 \(90\)"):
        tk.evaluate.expert_weights(pd.DataFrame({"expert": ["E1", "E2"], "a": [60, 40],
                                                 "b": [40, 50]}), method="budget")


# -- aggregation and TOPSIS ---------------------------------------------------------


def test_hierarchical_arithmetic_and_geometric(two_pillars):
    df = pd.DataFrame({"unit": ["u1", "u2"], "a1": [10.0, 40.0], "a2": [20.0, np.nan],
                       "a3": [30.0, 50.0], "b1": [80.0, 10.0], "b2": [50.0, 20.0],
                       "b3": [20.0, 90.0]})
    out = tk.evaluate.aggregate(df, system=two_pillars)
    assert out["A"].tolist() == pytest.approx([20.0, 45.0])  # the gap: weights rescaled
    assert out["B"].tolist() == pytest.approx([50.0, 40.0])
    assert out["index"].tolist() == pytest.approx([0.6 * 20 + 0.4 * 50, 0.6 * 45 + 0.4 * 40])
    geo = tk.evaluate.aggregate(df, system=two_pillars, method="geometric")
    a1 = (10 * 20 * 30) ** (1 / 3)
    b1 = (80 * 50 * 20) ** (1 / 3)
    assert geo.loc[0, "A"] == pytest.approx(a1)
    assert geo.loc[0, "index"] == pytest.approx(a1**0.6 * b1**0.4)
    with pytest.raises(ArgumentError, match="`a1` have values of 0"):
        tk.evaluate.aggregate(df.assign(a1=[0.0, 1.0]), system=two_pillars, method="geometric")


def test_aggregate_weight_errors(two_pillars, indicator_table):
    with pytest.raises(ArgumentError, match="3 value\\(s\\) but there are 6 indicators"):
        tk.evaluate.aggregate(indicator_table, system=two_pillars, weights=[1, 2, 3])
    with pytest.raises(ArgumentError, match="`b3` has none"):
        tk.evaluate.aggregate(indicator_table, system=two_pillars,
                              weights={"a1": 1, "a2": 1, "a3": 1, "b1": 1, "b2": 1})
    with pytest.raises(ArgumentError, match=r"non-negative.*`a2`"):
        tk.evaluate.aggregate(indicator_table, system=two_pillars,
                              weights=[1, -1, 1, 1, 1, 1])


def test_topsis_hand_and_libraries(decision):
    w = np.array([0.4, 0.2, 0.3, 0.1])
    out = tk.evaluate.topsis(decision, weights=w, directions=DIRS)
    r = X / np.sqrt((X**2).sum(axis=0))
    v = r * w
    best = np.array([v[:, 0].min(), *v[:, 1:].max(axis=0)])
    worst = np.array([v[:, 0].max(), *v[:, 1:].min(axis=0)])
    dp = np.sqrt(((v - best) ** 2).sum(axis=1))
    dm = np.sqrt(((v - worst) ** 2).sum(axis=1))
    assert out["closeness"].to_numpy() == pytest.approx(dm / (dp + dm), abs=1e-12)
    assert out["rank"].tolist() == list(pd.Series(-(dm / (dp + dm))).rank(method="min").astype(
        int))
    skc = pytest.importorskip("skcriteria")
    from skcriteria.agg.topsis import TOPSIS
    from skcriteria.preprocessing.scalers import VectorScaler

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dm_ = skc.mkdm(X, [min, max, max, max], weights=w)
        ref = TOPSIS().evaluate(VectorScaler(target="matrix").transform(dm_))
    assert out["closeness"].to_numpy() == pytest.approx(ref.e_.similarity, abs=1e-12)
    pymcdm = pytest.importorskip("pymcdm")
    mm = tk.evaluate.topsis(decision, weights=w, directions=DIRS, normalisation="minmax")
    ref2 = pymcdm.methods.TOPSIS()(X, w, np.array([-1, 1, 1, 1]))  # its default: min-max
    assert mm["closeness"].to_numpy() == pytest.approx(ref2, abs=1e-12)


def test_topsis_errors(decision):
    with pytest.raises(ArgumentError, match="4 indicators"):
        tk.evaluate.topsis(decision, weights=[1, 2])
    gap = decision.copy()
    gap.loc[0, "c3"] = np.nan
    with pytest.raises(ArgumentError, match="`c3` have missing values"):
        tk.evaluate.topsis(gap)
    with pytest.raises(ArgumentError, match="`c2` has direction '\\?'"):
        tk.evaluate.topsis(decision, directions={"c1": "-", "c2": "?", "c3": "+", "c4": "+"})


# -- data checks --------------------------------------------------------------------


def test_checks_against_r(r_reference, two_pillars):
    ref = r_reference("evaluate")
    data = pd.read_csv(REFERENCE_CSV)
    c = tk.evaluate.check(data).indicators.set_index("indicator")
    # R psych::skew / kurtosi with type = 2 (Excel's, COINr's); tolerance 1e-10
    assert c.loc["i6", "skew"] == pytest.approx(ref["skew_type2_i6"]["value"], abs=1e-10)
    assert c.loc["i6", "kurtosis"] == pytest.approx(ref["kurtosis_type2_i6"]["value"], abs=1e-10)
    assert c.loc["i3", "skew"] == pytest.approx(ref["skew_type2_i3"]["value"], abs=1e-10)
    assert c.loc["i3", "kurtosis"] == pytest.approx(ref["kurtosis_type2_i3"]["value"], abs=1e-10)
    system = tk.evaluate.IndexSystem({"indicators": [
        {"indicator": "E", "children": [{"indicator": f"i{i}"} for i in (1, 2, 3)]},
        {"indicator": "O", "children": [{"indicator": f"i{i}"} for i in (4, 5, 6)]}]})
    alpha = tk.evaluate.check(data, system=system).alpha.set_index("pillar")
    # R psych::alpha(X[, c("i1","i2","i3")])$total$raw_alpha; tolerance 1e-10
    assert alpha.loc["E", "alpha"] == pytest.approx(ref["alpha_engagement"]["value"], abs=1e-10)


def test_check_flags(indicator_table, two_pillars):
    df = indicator_table.assign(b3=indicator_table["a1"] * 2 + 1)
    df.loc[0, "a2"] = np.nan
    c = tk.evaluate.check(df, system=two_pillars)
    pair = c.pairs[(c.pairs["a"] == "a1") & (c.pairs["b"] == "b3")].iloc[0]
    assert pair["flag"] == "collinear"
    assert not pair["same_pillar"]
    assert c.indicators.set_index("indicator").loc["a2", "n_missing"] == 1
    assert "collinear" in set(c.problems()["what"])


def test_impute_and_treat():
    df = pd.DataFrame({"g": ["a", "a", "b", "b", "b"], "x": [1.0, np.nan, 4.0, np.nan, 8.0]})
    assert tk.evaluate.impute(df, method="median", by="g")["x"].tolist() == [1, 1, 4, 6, 8]
    none = tk.evaluate.impute(df, method="none")
    assert none["x"].isna().sum() == 2
    assert none.attrs["imputation"].empty
    x = np.r_[np.arange(1.0, 21.0), 200, 300, 400]
    out = tk.evaluate.treat(pd.DataFrame({"x": x}), winmax=1)
    rec = out.attrs["treatment"].iloc[0]
    # winsorising one point is not enough: COINr's log_CT of the original instead
    assert rec["treatment"] == "log"
    assert rec["passes"]
    assert out["x"].to_numpy() == pytest.approx(np.log(x - 1 + 0.01 * 399))
    win = tk.evaluate.treat(pd.DataFrame({"x": x}), winmax=5)
    rec = win.attrs["treatment"].iloc[0]
    # 400 -> 300, then both 300 -> 200, then the three 200 -> 20: three points changed
    assert rec["treatment"] == "winsorised"
    assert rec["n_winsorised"] == 3
    assert win["x"].tolist()[-4:] == [20.0, 20.0, 20.0, 20.0]
    assert abs(rec["skew_after"]) < 2
