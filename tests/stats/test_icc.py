"""Intraclass correlations against R ``psych::ICC`` 2.2.9 and Shrout & Fleiss (1979).

Expected values come from ``tests/reference/R/psych.R`` (written to ``psych.json``); each
test names the R call. Tolerances:
- ANOVA forms (closed form): 1e-6 relative (they agree to ~1e-13);
- REML forms (psych's default ``lmer = TRUE``, an iterative fit): 1e-4 relative for ICCs, F
  and limits. lme4's default optimiser stops ~1e-5 short of the optimum (a tightly converged
  lmer, ``vc_gaps_tight``, agrees with ours to 1e-6, checked too). The p-values of these
  panels are ~1e-25, where a 1e-5 change in F moves p by 1e-3 relative, so they are compared
  on the -log10 scale at 1e-4 relative.
Published values: Shrout & Fleiss (1979) Table 2 data, their mean squares (BMS 11.24,
WMS 6.26, JMS 32.49, EMS 1.02) and Table 4 coefficients (.17 .29 .71 .44 .62 .91).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import ArgumentError, ArgumentTypeError, ColumnNotFoundError, ToolkitWarning
from toolkit.stats.intraclass import ICC_COLUMNS

CLOSED_FORM = 1e-6
ITERATIVE = 1e-4


@pytest.fixture
def psych(r_reference):
    return r_reference("psych")


@pytest.fixture
def sf(shared):
    return pd.read_csv(shared("reference", "reliability_alpha", "shrout_fleiss_1979.csv"))


def _data(name: str) -> pd.DataFrame:
    from pathlib import Path

    return pd.read_csv(Path(__file__).resolve().parents[1] / "reference" / "data" / name)


def _compare(result, case, *, rel, log_p=False):
    """Every column of psych's ``$results`` against ours, with the tolerance given."""
    expected = pd.DataFrame(case["value"]["results"])
    got = result.to_frame()
    assert list(got["type"]) == list(expected["type"]), case["call"]
    assert list(got["df1"]) == list(expected["df1"]), case["call"]
    assert list(got["df2"]) == list(expected["df2"]), case["call"]
    for col in ("icc", "f", "ci_low", "ci_high"):
        np.testing.assert_allclose(got[col], expected[col], rtol=rel,
                                   err_msg=f"{case['call']} {col}")
    if log_p:
        np.testing.assert_allclose(-np.log10(got["p_value"]), -np.log10(expected["p_value"]),
                                   rtol=rel, err_msg=f"{case['call']} p")
    else:
        np.testing.assert_allclose(got["p_value"], expected["p_value"], rtol=rel,
                                   err_msg=f"{case['call']} p")
    assert (got["n_targets"] == case["value"]["n_obs"]).all()
    assert (got["n_raters"] == case["value"]["n_judge"]).all()


def test_shrout_fleiss_matches_psych_and_the_paper(sf, psych):
    assert sf.drop(columns="subject").to_dict("list") == {
        k: v for k, v in psych["sf_data"]["value"].items() if k != "_row"}
    res = tk.stats.icc(sf, targets="subject")
    _compare(res, psych["icc_sf"], rel=CLOSED_FORM)  # R: ICC(sf, lmer = FALSE)
    table = res.to_frame()
    assert list(table.columns) == ICC_COLUMNS
    # Shrout & Fleiss (1979) Table 4, two decimals
    np.testing.assert_allclose(table["icc"], [0.17, 0.29, 0.71, 0.44, 0.62, 0.91], atol=5e-3)
    # their Table 3 mean squares: BMS, JMS, EMS (WMS = 6.26 is the within-target square)
    np.testing.assert_allclose(res.anova["mean_sq"], [11.24, 32.49, 1.02], atol=5e-3)
    ms = psych["icc_sf"]["value"]["ms"]
    np.testing.assert_allclose(res.anova["mean_sq"], [ms["msb"], ms["msj"], ms["mse"]],
                               rtol=CLOSED_FORM)
    assert res.n_dropped == 0
    assert res.method == "anova"


def test_level_sets_the_intervals(sf, psych):
    res = tk.stats.icc(sf, targets="subject", level=0.90)
    _compare(res, psych["icc_sf_90"], rel=CLOSED_FORM)  # R: ICC(sf, lmer = FALSE, alpha = 0.10)


def test_reml_on_complete_data(sf, psych):
    # R: ICC(sf) (psych's default lmer = TRUE)
    _compare(tk.stats.icc(sf, targets="subject", method="reml"), psych["icc_sf_lmer"],
             rel=ITERATIVE)
    # balanced data with positive variance estimates: REML = ANOVA (Searle, Casella &
    # McCulloch 1992, ch. 6), to the optimiser's precision
    np.testing.assert_allclose(tk.stats.icc(sf, targets="subject", method="reml")
                               .to_frame()["icc"],
                               tk.stats.icc(sf, targets="subject").to_frame()["icc"], rtol=1e-6)


def test_pingouin_wine_long_input(shared, psych):
    wine = pd.read_csv(shared("reference", "reliability_alpha", "pingouin_icc.csv"))
    res = tk.stats.icc(wine, targets="Wine", raters="Judge", ratings="Scores")
    _compare(res, psych["icc_wine"], rel=CLOSED_FORM)  # R: ICC(wine_wide, lmer = FALSE)
    assert res.n_targets == 8
    assert res.n_raters == 4


def test_panel_wide_long_and_reml(psych):
    panel = _data("psych_icc_panel.csv")
    wide = tk.stats.icc(panel, targets="proposal")
    _compare(wide, psych["icc_panel"], rel=CLOSED_FORM)  # R: ICC(scores, lmer = FALSE)
    long = panel.melt(id_vars="proposal", var_name="reviewer", value_name="score")
    long = long.sample(frac=1.0, random_state=3)  # order of rows does not matter
    from_long = tk.stats.icc(long, targets="proposal", raters="reviewer", ratings="score")
    pd.testing.assert_frame_equal(from_long.to_frame(), wide.to_frame(), rtol=1e-12)
    raters = tk.stats.icc(panel, raters=[c for c in panel.columns if c != "proposal"])
    pd.testing.assert_frame_equal(raters.to_frame(), wide.to_frame())
    # R: ICC(scores) with lme4
    _compare(tk.stats.icc(panel, targets="proposal", method="reml"), psych["icc_panel_lmer"],
             rel=ITERATIVE, log_p=True)


def test_missing_ratings_listwise_is_reported(psych):
    gaps = _data("psych_icc_gaps.csv")
    before = gaps.copy()
    with pytest.warns(ToolkitWarning, match=r"6 of 30 targets left out.*method=\"reml\""):
        res = tk.stats.icc(gaps, targets="proposal")
    # R: ICC(na.omit(gaps), lmer = FALSE)
    _compare(res, psych["icc_gaps_listwise"], rel=CLOSED_FORM)
    assert res.n_dropped == 6
    assert list(res.dropped) == ["P03", "P07", "P12", "P18", "P25", "P29"]
    assert res.n_targets == 24
    assert "6 of 30 targets left out" in res.summary().as_text()
    pd.testing.assert_frame_equal(gaps, before)  # input untouched


def test_missing_ratings_reml_uses_every_rating(psych):
    gaps = _data("psych_icc_gaps.csv")
    res = tk.stats.icc(gaps, targets="proposal", method="reml")  # no warning: nothing dropped
    _compare(res, psych["icc_gaps_lmer"], rel=ITERATIVE, log_p=True)  # R: ICC(gaps)
    assert res.n_dropped == 0
    # the variance components against a tightly converged lmer of the same model
    vc = psych["vc_gaps_tight"]["value"]
    ms = res.anova.set_index("source")["mean_sq"]
    mse = ms["residual"]
    np.testing.assert_allclose(
        [(ms["targets"] - mse) / 5, (ms["raters"] - mse) / 30, mse],
        [vc["target"], vc["rater"], vc["residual"]], rtol=1e-6)


def test_negative_rater_variance_anova_vs_reml(psych):
    flat = _data("psych_icc_flat.csv")
    anova = tk.stats.icc(flat)
    _compare(anova, psych["icc_flat"], rel=CLOSED_FORM)  # R: ICC(flat, lmer = FALSE)
    reml = tk.stats.icc(flat, method="reml")
    _compare(reml, psych["icc_flat_lmer"], rel=ITERATIVE)  # R: ICC(flat)
    assert any("rater variance is estimated as 0" in n for n in reml.notes)
    assert not anova.notes


def test_result_object():
    res = tk.stats.icc(pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 3, 3, 5]}))
    assert "<table>" in res._repr_html_()
    text = res.summary().as_text()
    assert "Single random raters" in text
    assert "Date" not in text
    frame = res.to_frame()
    frame.loc[0, "icc"] = 99.0
    assert res.to_frame().loc[0, "icc"] != 99.0  # to_frame returns a copy


def test_ordered_categorical_ratings_use_their_codes():
    levels = ["差", "中", "良", "优"]
    codes = pd.DataFrame({"a": [1, 2, 3, 4, 2], "b": [1, 3, 3, 4, 1], "c": [2, 2, 4, 4, 1]})
    cats = codes.apply(lambda s: pd.Categorical.from_codes(s - 1, categories=levels,
                                                           ordered=True))
    pd.testing.assert_frame_equal(tk.stats.icc(cats).to_frame(), tk.stats.icc(codes).to_frame())


def test_errors(sf):
    with pytest.raises(ArgumentError, match=r"column `subject` has 6 text values.*targets="):
        tk.stats.icc(sf)
    with pytest.raises(ColumnNotFoundError, match="subjekt"):
        tk.stats.icc(sf, targets="subjekt")
    with pytest.raises(ArgumentError, match="names one column"):
        tk.stats.icc(sf, raters="J1")
    long = pd.DataFrame({"t": [1, 1, 2, 2, 2], "r": ["a", "b", "a", "b", "b"],
                         "y": [1.0, 2.0, 3.0, 4.0, 5.0]})
    with pytest.raises(ArgumentError, match=r"more than one rating.*rows \[4, 5\]"):
        tk.stats.icc(long, targets="t", raters="r", ratings="y")
    with pytest.raises(ArgumentError, match="needs `targets=` and `raters=`"):
        tk.stats.icc(long, targets="t", ratings="y")
    with pytest.raises(ArgumentError, match="method"):
        tk.stats.icc(sf, targets="subject", method="lmer")
    with pytest.raises(ArgumentError, match="level"):
        tk.stats.icc(sf, targets="subject", level=95)
    with pytest.raises(ArgumentError, match="at least two targets"):
        tk.stats.icc(sf.head(1), targets="subject")
    with pytest.raises(ArgumentError, match="All ratings are equal"):
        tk.stats.icc(pd.DataFrame({"a": [3, 3, 3], "b": [3, 3, 3]}))
    with pytest.raises(ArgumentError, match="`b` hold no rating"):
        tk.stats.icc(pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [np.nan] * 3}))
    with pytest.raises(ArgumentTypeError, match="DataFrame"):
        tk.stats.icc([[1, 2], [3, 4]])
    # personal data in a rating column never reaches the message
    names = sf.assign(J2=["张三", "李四", "王五", "赵六", "钱七", "孙八"])
    with pytest.raises(ArgumentError) as err:
        tk.stats.icc(names, targets="subject")
    assert "张三" not in str(err.value)
