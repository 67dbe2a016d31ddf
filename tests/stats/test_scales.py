"""Scale reliability against R ``psych`` and pingouin's documented examples.

Reference values and sources:
- R ``psych::alpha`` 2.5.3 on bfi E1-E5 with E1, E2 reversed (7 - x), listwise:
  raw alpha 0.761, n = 2,713 (``../shared/data/README.md``).
- R ``psych::alpha`` item tables for the same scale with psych's default pairwise
  covariances (printed in the README of the R package regcleaner,
  github.com/jimmyrigby94/regcleaner): n 2777/2784/2775/2791/2779, raw.r .72/.78/.68/.75/.64,
  std.r .70/.76/.70/.75/.66, r.cor .59/.69/.58/.66/.52, r.drop .52/.61/.50/.58/.45,
  alpha if dropped .73/.69/.73/.70/.74; alpha 0.76 with Feldt bounds 0.75-0.78.
- pingouin ``cronbach_alpha`` docstring examples: long-format ``cronbach_alpha`` dataset
  (0.591719, CI [0.195, 0.84]); ``cronbach_wide_missing`` pairwise (0.732660, CI
  [0.435, 0.909]) and listwise alpha 0.801695 (pingouin's listwise interval, [0.581,
  0.933], counts all 12 rows in its degrees of freedom; ours uses the 9 complete rows).
- Omega: McDonald (1999) eq. 6.20b on a population one-factor structure; for tau-equivalent
  items omega equals standardised alpha (both 0.7272727 for 4 items with r = 0.4).
- Omega against R ``psych`` 2.2.9 (``tests/reference/R/psych.R`` -> ``psych.json``; each test
  names the call): ``omega(m, nfactors, fm = "minres", rotate = "oblimin")`` (omega_h,
  omega.tot, alpha, ECV and the Schmid-Leiman loadings) and one-factor McDonald omega from
  ``fa(m, 1, fm = "ml")``. These are iterative fits: 1e-4 relative for the coefficients,
  1e-4 absolute for loadings (values near 0 make relative error meaningless). R stops its
  optimisers early (GPArotation eps = 1e-5), ours converge further; they agree to ~3e-5.
  psych's alpha inside omega is closed form given the correlations: 1e-6 relative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

import toolkit as tk
from toolkit.errors import ArgumentError, ColumnNotFoundError, ToolkitWarning
from toolkit.study import Scale

E_SCALE = Scale("extraversion", items=("E1", "E2", "E3", "E4", "E5"), reverse=("E1", "E2"),
                min=1, max=6)


@pytest.fixture
def bfi(shared):
    return pd.read_csv(shared("reference", "reliability_alpha", "bfi.csv"))


def test_alpha_matches_psych_bfi(bfi):
    res = tk.stats.alpha(bfi, items=E_SCALE).iloc[0]
    assert res["alpha"] == pytest.approx(0.761, abs=5e-4)  # psych prints 3 decimals
    assert res["n"] == 2713
    assert res["k"] == 5
    # Feldt interval (psych's alpha.ci), recomputed from its definition
    df1, df2 = 2712, 2712 * 4
    assert res["ci_low"] == pytest.approx(1 - (1 - res["alpha"]) * sps.f.ppf(0.975, df1, df2))
    assert res["ci_high"] == pytest.approx(1 - (1 - res["alpha"]) * sps.f.ppf(0.025, df1, df2))


def test_item_analysis_definitions(bfi):
    items = tk.stats.item_analysis(bfi, items=E_SCALE)
    assert list(items["item"]) == ["E1", "E2", "E3", "E4", "E5"]
    assert list(items["reversed"]) == [True, True, False, False, False]
    scored = bfi[list(E_SCALE.items)].dropna().copy()
    scored[["E1", "E2"]] = 7 - scored[["E1", "E2"]]
    total = scored.sum(axis=1)
    for row in items.itertuples():
        rest = total - scored[row.item]
        assert row.r_drop == pytest.approx(np.corrcoef(scored[row.item], rest)[0, 1])
        assert row.raw_r == pytest.approx(np.corrcoef(scored[row.item], total)[0, 1])
        others = [c for c in E_SCALE.items if c != row.item]
        assert row.alpha_if_deleted == pytest.approx(
            tk.stats.alpha(scored, items=others)["alpha"].item())
        assert row.mean == pytest.approx(scored[row.item].mean())
    assert (items["n"] == 2713).all()


def test_item_analysis_matches_psych_pairwise(bfi):
    items = tk.stats.item_analysis(bfi, items=E_SCALE, missing="pairwise")
    assert list(items["n"]) == [2777, 2784, 2775, 2791, 2779]
    published = {  # psych prints two decimals
        "raw_r": [0.72, 0.78, 0.68, 0.75, 0.64],
        "std_r": [0.70, 0.76, 0.70, 0.75, 0.66],
        "r_cor": [0.59, 0.69, 0.58, 0.66, 0.52],
        "r_drop": [0.52, 0.61, 0.50, 0.58, 0.45],
        "alpha_if_deleted": [0.73, 0.69, 0.73, 0.70, 0.74],
    }
    for col, values in published.items():
        np.testing.assert_allclose(items[col], values, atol=0.005, err_msg=col)
    res = tk.stats.alpha(bfi, items=E_SCALE, missing="pairwise").iloc[0]
    np.testing.assert_allclose([res["ci_low"], res["alpha"], res["ci_high"]],
                               [0.75, 0.76, 0.78], atol=0.005)


def test_pingouin_long_format_example(shared):
    long = pd.read_csv(shared("reference", "reliability_alpha", "pingouin_cronbach_alpha.csv"))
    wide = long.pivot(index="Subj", columns="Items", values="Scores")
    res = tk.stats.alpha(wide, items=list(wide.columns)).iloc[0]
    assert res["alpha"] == pytest.approx(0.591719, abs=5e-7)
    assert res["ci_low"] == pytest.approx(0.195, abs=5e-4)
    assert res["ci_high"] == pytest.approx(0.84, abs=5e-3)


def test_pingouin_wide_missing_example(shared):
    path = shared("reference", "reliability_alpha", "pingouin_cronbach_wide_missing.csv")
    wide = pd.read_csv(path, encoding="utf-8-sig")
    pair = tk.stats.alpha(wide, items=list(wide.columns), missing="pairwise").iloc[0]
    assert pair["alpha"] == pytest.approx(0.732660, abs=1e-6)
    assert pair["ci_low"] == pytest.approx(0.435, abs=5e-4)
    assert pair["ci_high"] == pytest.approx(0.909, abs=5e-4)
    listwise = tk.stats.alpha(wide, items=list(wide.columns)).iloc[0]
    assert listwise["alpha"] == pytest.approx(0.801695, abs=1e-6)
    assert listwise["n"] == 9


def _exact_corr_data(target: np.ndarray, n: int, seed: int) -> pd.DataFrame:
    """Data whose sample correlation matrix is exactly `target`."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, target.shape[0]))
    x -= x.mean(axis=0)
    x = x @ np.linalg.inv(np.linalg.cholesky(np.cov(x, rowvar=False)).T)
    x = x @ np.linalg.cholesky(target).T
    return pd.DataFrame(x, columns=[f"q{i}" for i in range(target.shape[0])])


def test_omega_equals_alpha_for_tau_equivalent_items():
    r = np.full((4, 4), 0.4)
    np.fill_diagonal(r, 1.0)
    df = _exact_corr_data(r, 500, seed=1)
    res = tk.stats.omega(df, items=list(df.columns)).iloc[0]
    # 4 items, r = 0.4: lambda^2 = 0.4, omega = 6.4 / 8.8 = standardised alpha = 1.6 / 2.2
    assert res["omega"] == pytest.approx(6.4 / 8.8, abs=1e-4)
    assert res["alpha"] == pytest.approx(1.6 / 2.2, abs=1e-9)


def test_omega_recovers_congeneric_population_value():
    lam = np.array([0.8, 0.7, 0.6, 0.5])
    r = np.outer(lam, lam)
    np.fill_diagonal(r, 1.0)
    df = _exact_corr_data(r, 400, seed=2)
    res = tk.stats.omega(df, items=list(df.columns)).iloc[0]
    # McDonald omega = (sum lambda)^2 / ((sum lambda)^2 + sum(1 - lambda^2)) = 6.76 / 9.02
    assert res["omega"] == pytest.approx(6.76 / 9.02, abs=1e-3)
    assert res["max_loading"] == pytest.approx(0.8, abs=1e-3)


def test_scale_scores_reverse_keys_and_missing():
    df = pd.DataFrame({"a": [1.0, 5.0, np.nan], "b": [5.0, 1.0, 2.0], "c": [2.0, 4.0, 3.0]})
    sc = Scale("s", items=("a", "b", "c"), reverse=("b",), min=1, max=5)
    scores = tk.stats.scale_scores(df, sc)
    assert scores.name == "s"
    assert scores.iloc[0] == pytest.approx((1 + 1 + 2) / 3)
    assert scores.iloc[1] == pytest.approx((5 + 5 + 4) / 3)
    assert np.isnan(scores.iloc[2])
    assert tk.stats.scale_scores(df, sc, min_items=2).iloc[2] == pytest.approx((4 + 3) / 2)
    assert df.loc[0, "b"] == 5.0  # input untouched


def test_errors():
    df = pd.DataFrame({"a": [1, 2, 3], "b": [2, 3, 4]})
    with pytest.raises(ColumnNotFoundError, match="did you mean `b`"):
        tk.stats.alpha(df, items=["a", "bb"])
    with pytest.raises(ValueError, match="two item"):
        tk.stats.alpha(df, items=["a"])
    with pytest.raises(ValueError, match="missing"):
        tk.stats.alpha(df, items=["a", "b"], missing="none")


def test_demo_study_scales(demo_study):
    # efficacy has two reverse-keyed items (eff3, eff4) in the manifest
    eff = tk.stats.item_analysis(demo_study, items="efficacy")
    assert list(eff.loc[eff["reversed"], "item"]) == ["eff3", "eff4"]
    assert (eff["r_drop"] > 0.3).all()  # reversal makes every item load positively
    unreversed = tk.stats.alpha(demo_study, items=["eff1", "eff2", "eff3", "eff4"])
    assert tk.stats.alpha(demo_study, items="efficacy")["alpha"].item() > \
        unreversed["alpha"].item()
    scores = tk.stats.scale_scores(demo_study, "satisfaction")
    assert scores.notna().sum() > 2000
    assert scores.dropna().between(1, 5).all()
    assert len(scores) == len(demo_study.table("survey"))


# --- omega against psych -------------------------------------------------------------

ITERATIVE = 1e-4
CLOSED_FORM = 1e-6


@pytest.fixture
def psych(r_reference):
    return r_reference("psych")


@pytest.fixture
def survey():
    from pathlib import Path

    return pd.read_csv(Path(__file__).resolve().parents[1] / "reference" / "data"
                       / "psych_omega_survey.csv")


def _check_bifactor(res, sl, case, n_factors):
    value = case["value"]
    row = res.iloc[0]
    for ours, theirs in (("omega_h", "omega_h"), ("omega_total", "omega_total"),
                         ("ecv", "ecv")):
        assert row[ours] == pytest.approx(value[theirs], rel=ITERATIVE), (case["call"], ours)
    assert row["alpha"] == pytest.approx(value["alpha"], rel=CLOSED_FORM), case["call"]
    assert row["n_factors"] == n_factors
    expected = pd.DataFrame(value["sl"])
    assert list(sl["item"]) == list(expected["item"])
    assert list(sl["reflected"]) == list(expected["reflected"]), case["call"]
    assert row["n_reflected"] == int(expected["reflected"].sum())
    cols = ["g", *[f"F{j + 1}" for j in range(n_factors)], "h2", "u2", "p2"]
    theirs = ["g", *[f"F{j + 1}*" for j in range(n_factors)], "h2", "u2", "p2"]
    np.testing.assert_allclose(sl[cols].to_numpy(float), expected[theirs].to_numpy(float),
                               atol=ITERATIVE, err_msg=case["call"])


BFI15 = [f"{t}{i}" for t in "ACE" for i in range(1, 6)]


def test_omega_bifactor_matches_psych_bfi_pairwise(bfi, psych):
    # R: omega(bfi15, nfactors = 3, fm = 'minres', rotate = 'oblimin') -- pairwise cor
    res = tk.stats.omega(bfi, items=BFI15, model="bifactor", missing="pairwise")
    sl = tk.stats.schmid_leiman(bfi, items=BFI15, missing="pairwise")
    _check_bifactor(res, sl, psych["omega_bfi15"], 3)
    assert res["variance"].item() == "observed"
    assert res["n"].item() == 2800


def test_omega_bifactor_matches_psych_bfi_listwise(bfi, psych):
    res = tk.stats.omega(bfi, items=BFI15, model="bifactor")  # R: omega(na.omit(bfi15), ...)
    sl = tk.stats.schmid_leiman(bfi, items=BFI15)
    _check_bifactor(res, sl, psych["omega_bfi15_listwise"], 3)
    assert res["n"].item() == 2563
    # R: fa(na.omit(bfi15), nfactors = 1, fm = 'ml'), McDonald omega from its loadings
    one = tk.stats.omega(bfi, items=BFI15)
    assert one["omega"].item() == pytest.approx(psych["omega1_bfi15_listwise"]["value"]["omega"],
                                                rel=ITERATIVE)
    with_model = tk.stats.omega(bfi, items=BFI15, model="bifactor", variance="model")
    assert with_model["omega"].item() == pytest.approx(one["omega"].item(), rel=1e-12)


def test_omega_bifactor_five_group_factors(bfi, psych):
    items = [c for c in bfi.columns if c[0] in "ACENO" and c[1:].isdigit()]
    res = tk.stats.omega(bfi, items=items, model="bifactor", n_factors=5, missing="pairwise")
    sl = tk.stats.schmid_leiman(bfi, items=items, n_factors=5, missing="pairwise")
    _check_bifactor(res, sl, psych["omega_bfi25"], 5)  # R: omega(bfi25, nfactors = 5)


def test_omega_bifactor_matches_psych_survey(survey, psych):
    items = list(survey.columns)
    for missing, case in (("pairwise", "omega_survey"), ("listwise", "omega_survey_listwise")):
        # R: omega(survey, nfactors = 3) and omega(na.omit(survey), nfactors = 3)
        res = tk.stats.omega(survey, items=items, model="bifactor", missing=missing)
        sl = tk.stats.schmid_leiman(survey, items=items, missing=missing)
        _check_bifactor(res, sl, psych[case], 3)
    assert sl.loc[sl["item"] == "s12", "reflected"].item()  # the reverse-worded item


def test_omega_two_group_factors_warns_and_matches_psych(survey, psych):
    items = list(survey.columns)
    with pytest.warns(ToolkitWarning, match="not identified"):
        res = tk.stats.omega(survey, items=items, model="bifactor", n_factors=2)
    with pytest.warns(ToolkitWarning, match="not identified"):
        sl = tk.stats.schmid_leiman(survey, items=items, n_factors=2)
    _check_bifactor(res, sl, psych["omega_survey_2f"], 2)  # R: omega(complete, nfactors = 2)


def test_one_factor_omega_matches_psych(survey, psych):
    items = list(survey.columns)
    res = tk.stats.omega(survey, items=items)  # default: one factor, model-implied variance
    # R: fa(complete, nfactors = 1, fm = 'ml'), (sum l)^2 / ((sum l)^2 + sum(1 - l^2))
    case = psych["omega1_survey_listwise"]["value"]
    assert res["omega"].item() == pytest.approx(case["omega"], rel=ITERATIVE)
    assert res["max_loading"].item() == pytest.approx(max(case["loadings"]), abs=ITERATIVE)
    assert list(res.columns) == ["omega", "alpha", "n", "k", "min_loading", "max_loading",
                                 "variance"]
    assert res["variance"].item() == "model"
    # R: omega(complete, nfactors = 1, fm = 'ml')$omega_h -- observed total variance sum(R)
    observed = tk.stats.omega(survey, items=items, variance="observed")
    assert observed["omega"].item() == pytest.approx(
        psych["omega1obs_survey_listwise"]["value"]["omega_h"], rel=ITERATIVE)


def test_omega_model_implied_variance(survey):
    items = list(survey.columns)
    res = tk.stats.omega(survey, items=items, model="bifactor", variance="model").iloc[0]
    sl = tk.stats.schmid_leiman(survey, items=items)
    groups = sl[["F1", "F2", "F3"]].to_numpy()
    # Rodriguez, Reise & Haviland (2016) eq. for omega_h and omega from bifactor loadings
    total = sl["g"].sum() ** 2 + (groups.sum(axis=0) ** 2).sum() + sl["u2"].sum()
    assert res["omega_h"] == pytest.approx(sl["g"].sum() ** 2 / total, rel=1e-12)
    assert res["omega_total"] == pytest.approx(1 - sl["u2"].sum() / total, rel=1e-12)
    assert res["variance"] == "model"
    one = tk.stats.omega(survey, items=items)["omega"].item()
    assert res["omega"] == pytest.approx(one, rel=1e-12)  # same convention, same value
    observed = tk.stats.omega(survey, items=items, model="bifactor").iloc[0]
    # three factors reproduce these correlations closely: the conventions nearly agree
    assert abs(res["omega_total"] - observed["omega_total"]) < 0.01


def test_omega_errors(survey):
    items = list(survey.columns)
    with pytest.raises(ArgumentError, match="model"):
        tk.stats.omega(survey, items=items, model="bifacter")
    with pytest.raises(ArgumentError, match="variance"):
        tk.stats.omega(survey, items=items, variance="implied")
    with pytest.raises(ArgumentError, match="applies to `model=\"bifactor\"`"):
        tk.stats.omega(survey, items=items, n_factors=3)
    with pytest.raises(ArgumentError, match="more than 4 items"):
        tk.stats.omega(survey, items=items[:4], model="bifactor")
    with pytest.raises(ArgumentError, match="2 or more"):
        tk.stats.schmid_leiman(survey, items=items, n_factors=1)
    const = survey.assign(s01=3)
    with pytest.raises(ArgumentError, match="`s01` take a single value"):
        tk.stats.omega(const, items=items, model="bifactor")


def test_alpha_level_and_old_ci_spelling(bfi):
    new = tk.stats.alpha(bfi, items=E_SCALE, level=0.9)
    with pytest.warns(FutureWarning, match="`ci=` is deprecated"):
        old = tk.stats.alpha(bfi, items=E_SCALE, ci=0.9)
    pd.testing.assert_frame_equal(new, old)
    assert new["ci_high"].item() - new["ci_low"].item() < (
        tk.stats.alpha(bfi, items=E_SCALE)["ci_high"].item()
        - tk.stats.alpha(bfi, items=E_SCALE)["ci_low"].item())
