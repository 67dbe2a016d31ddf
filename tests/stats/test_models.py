"""Tests of tk.stats.regress, ologit and multilevel against published reference output."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import ColumnNotFoundError, DesignError
from toolkit.stats.ordinal import _Ordinal

# ---------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------


def _housing(shared) -> pd.DataFrame:
    d = pd.read_csv(shared("reference", "ordinal_polr_housing", "housing.csv"), encoding="utf-8")
    levels = {"Sat": ["Low", "Medium", "High"], "Infl": ["Low", "Medium", "High"],
              "Type": ["Tower", "Apartment", "Atrium", "Terrace"], "Cont": ["Low", "High"]}
    for col, lv in levels.items():  # R factor level order of MASS::housing
        d[col] = pd.Categorical(d[col], categories=lv, ordered=col == "Sat")
    return d


def _api(shared, name: str) -> pd.DataFrame:
    return pd.read_csv(shared("reference", "survey_api", f"{name}.csv"), encoding="utf-8")


# ---------------------------------------------------------------------------
# ologit: MASS::polr on housing
# ---------------------------------------------------------------------------

# Source: MASS 7.3 ?polr example,
#   polr(Sat ~ Infl + Type + Cont, weights = Freq, data = housing)
# coefficients and cut-points as printed (shared/data/README.md); residual deviance
# 3479.149 and AIC 3495.149 as printed by the same example (R output reproduced in
# the polr help-page discussion, e.g. "Residual Deviance: 3479.149 AIC: 3495.149").
POLR_COEF = {"Infl[T.Medium]": 0.5663937, "Infl[T.High]": 1.2888191,
             "Type[T.Apartment]": -0.5723501, "Type[T.Atrium]": -0.3661866,
             "Type[T.Terrace]": -1.0910149, "Cont[T.High]": 0.3602841,
             "Low|Medium": -0.4961353, "Medium|High": 0.6907083}


def test_ologit_matches_polr_housing(shared):
    fit = tk.stats.ologit("Sat ~ Infl + Type + Cont", _housing(shared), weights="Freq")
    table = fit.to_frame().set_index("term")
    # tolerance: 7 printed decimals, optimiser tolerance 1e-6
    for term, value in POLR_COEF.items():
        assert table.loc[term, "estimate"] == pytest.approx(value, abs=2e-6)
    assert list(table["kind"]) == ["coefficient"] * 6 + ["cut-point"] * 2
    # printed to 3 decimals
    assert fit.deviance == pytest.approx(3479.149, abs=5e-4)
    assert fit.aic == pytest.approx(3495.149, abs=5e-4)
    assert fit.n == 1681  # households = sum of Freq


def test_ologit_se_match_statsmodels_at_solution(shared):
    # SEs: no printed polr SEs were available to cite; reference is statsmodels'
    # independent OrderedModel (numerical Hessian) on the frequency-expanded data,
    # which `.model_result` builds at the solution. Tolerance 1e-4 relative
    # (numerical differentiation).
    d = _housing(shared)
    long = d.loc[d.index.repeat(d["Freq"])].reset_index(drop=True)
    fit = tk.stats.ologit("Sat ~ Infl + Type + Cont", long)
    weighted = tk.stats.ologit("Sat ~ Infl + Type + Cont", d, weights="Freq")
    np.testing.assert_allclose(fit.to_frame()["estimate"], weighted.to_frame()["estimate"],
                               rtol=1e-7)
    np.testing.assert_allclose(fit.to_frame()["se"], weighted.to_frame()["se"], rtol=1e-7)
    raw = fit.model_result
    k = 6
    np.testing.assert_allclose(fit.to_frame()["se"][:k], raw.bse[:k], rtol=1e-4)
    np.testing.assert_allclose(fit.llf, raw.llf, rtol=1e-10)
    assert weighted.model_result is None  # documented: weighted fits have no raw result


@pytest.mark.parametrize("link", ["logit", "probit"])
def test_ologit_analytic_derivatives(rng, link):
    # Reference: central finite differences of the log-likelihood (tolerance 1e-5 rel.)
    n, K = 300, 4
    X = rng.normal(size=(n, 3))
    y = np.clip(np.round(X @ [0.8, -0.5, 0.2] + rng.normal(size=n) + 1.5), 0, K - 1)
    model = _Ordinal(y.astype(np.int64), X, rng.uniform(0.5, 2, n), K, link)
    params = np.array([-0.5, 0.4, 1.3, 0.3, -0.2, 0.1])
    _, grad, hess = model.derivatives(params)
    eps = 1e-5
    num_g = np.array([(model.loglike(params + eps * e) - model.loglike(params - eps * e))
                      / (2 * eps) for e in np.eye(6)])
    np.testing.assert_allclose(grad, num_g, rtol=1e-5, atol=1e-6)
    num_h = np.array([(model.derivatives(params + eps * e)[1]
                       - model.derivatives(params - eps * e)[1]) / (2 * eps) for e in np.eye(6)])
    np.testing.assert_allclose(hess, num_h, rtol=1e-5, atol=1e-5)


def test_ologit_probit_matches_statsmodels(rng):
    # Reference: statsmodels OrderedModel(distr="probit"), thresholds converted to
    # cut-points (theta_1, theta_1 + exp(d_2)). Tolerance 1e-4 (its BFGS optimum).
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    n = 400
    x = rng.normal(size=n)
    latent = 0.7 * x + rng.normal(size=n)
    y = pd.Categorical(np.digitize(latent, [-0.5, 0.6]), ordered=True)
    d = pd.DataFrame({"y": y, "x": x})
    fit = tk.stats.ologit("y ~ x", d, link="probit")
    ref = OrderedModel(d["y"], d[["x"]], distr="probit").fit(method="bfgs", disp=False)
    p = ref.params.to_numpy()
    expected = [p[0], p[1], p[1] + np.exp(p[2])]
    np.testing.assert_allclose(fit.to_frame()["estimate"], expected, atol=1e-4)


def test_ologit_outcome_order_and_errors():
    d = pd.DataFrame({"y": [1, 2, 3, 2, 1, 3, 3, 2, 1, 2], "x": np.arange(10.0)})
    fit = tk.stats.ologit("y ~ x", d)
    assert list(fit.to_frame()["term"]) == ["x", "1|2", "2|3"]
    d2 = d.assign(y=pd.Categorical(d["y"].astype(str)))
    with pytest.raises(TypeError, match="unordered"):
        tk.stats.ologit("y ~ x", d2)
    with pytest.raises(ValueError, match="intercept"):
        tk.stats.ologit("y ~ x - 1", d)
    with pytest.raises(ValueError, match="link"):
        tk.stats.ologit("y ~ x", d, link="cloglog")


def test_binary_ologit_equals_design_logit(shared):
    # Internal consistency: with two categories the ordered logit is the logit with
    # cut-point = -intercept; design-based SEs must agree (tolerance 1e-6).
    s = _api(shared, "apistrat")
    s["hi"] = (s["api00"] > 743).astype(int)
    design = tk.stats.Design(s, weights="pw", strata="stype", cluster="dnum")
    o = tk.stats.ologit("hi ~ ell + meals", s, design=design).to_frame().set_index("term")
    g = tk.stats.regress("hi ~ ell + meals", s, family="binomial",
                         design=design).to_frame().set_index("term")
    for term in ("ell", "meals"):
        assert o.loc[term, "estimate"] == pytest.approx(g.loc[term, "estimate"], rel=1e-6)
        assert o.loc[term, "se"] == pytest.approx(g.loc[term, "se"], rel=1e-6)
    assert o.loc["0|1", "estimate"] == pytest.approx(-g.loc["Intercept", "estimate"], rel=1e-6)


# ---------------------------------------------------------------------------
# regress with a survey design: R survey::svyglm / Stata svy
# ---------------------------------------------------------------------------


def test_svyglm_dclus2(shared):
    # Source: R survey regression example,
    # http://r-survey.r-forge.r-project.org/survey/example-regression.html
    # svyglm(api00 ~ ell + meals + mobility, design = svydesign(id = ~dnum + snum,
    # weights = ~pw, data = apiclus2)). Tolerance: half a unit in the printed digit.
    d = _api(shared, "apiclus2")
    fit = tk.stats.regress("api00 ~ ell + meals + mobility", d,
                           design=tk.stats.Design(d, weights="pw", cluster="dnum"))
    t = fit.to_frame()
    np.testing.assert_allclose(t["estimate"], [811.4907, -2.0592, -1.7772, 0.3253], atol=5e-5)
    np.testing.assert_allclose(t["se"], [30.8795, 1.4075, 1.1053, 0.5305], atol=5e-5)
    assert fit.cov_type == "design"
    assert fit.df_resid == 36  # 40 PSUs - 1 stratum - 4 + 1 (current svyglm)


def test_svyglm_dstrat(shared):
    # Source: R survey ?svyglm example, summary(svyglm(api00 ~ ell + meals + mobility,
    # design = dstrat)), dstrat = svydesign(id = ~1, strata = ~stype, weights = ~pw,
    # data = apistrat, fpc = ~fpc): 820.8873 (10.0777), -0.4806 (0.3920),
    # -3.1415 (0.2839), 0.2257 (0.3932); t 81.456, ell p 0.222. Tolerance: printed digits.
    s = _api(shared, "apistrat")
    design = tk.stats.Design(s, weights="pw", strata="stype", fpc="fpc")
    t = tk.stats.regress("api00 ~ ell + meals + mobility", s, design=design).to_frame()
    np.testing.assert_allclose(t["estimate"], [820.8873, -0.4806, -3.1415, 0.2257], atol=5e-4)
    np.testing.assert_allclose(t["se"], [10.0777, 0.3920, 0.2839, 0.3932], atol=5e-5)
    assert t["t"].iloc[0] == pytest.approx(81.456, abs=5e-4)
    assert t["p_value"].iloc[1] == pytest.approx(0.222, abs=5e-4)


def test_svy_logit_apistrat(shared):
    # Source: Stata `svyset dnum [pweight=pw], strata(stype)` + `svy: logit y_bin ell meals
    # mobility` with y_bin = api00 > 743 (= R svyglm(..., family = quasibinomial) with
    # svydesign(id = ~dnum, strata = ~stype, weights = ~pw, nest = TRUE)), as quoted in
    # the `svy` package tests (tests/svy/regression/test_glm_from_samplics.py, TEST 4).
    # Tolerance 1e-6 relative.
    s = _api(shared, "apistrat")
    s["y_bin"] = (s["api00"] > 743).astype(float)
    design = tk.stats.Design(s, weights="pw", strata="stype", cluster="dnum")
    t = tk.stats.regress("y_bin ~ ell + meals + mobility", s, family="binomial",
                         design=design).to_frame()
    np.testing.assert_allclose(t["estimate"], [2.6657559, -0.03703249, -0.08468788,
                                               -0.00442859], rtol=1e-6)
    np.testing.assert_allclose(t["se"], [0.47239532, 0.03241909, 0.01428377, 0.01546300],
                               rtol=1e-6)
    np.testing.assert_allclose(t["odds_ratio"], np.exp(t["estimate"]))


def test_svyglm_apisrs_linear_and_quasibinomial(shared):
    # Source: R output quoted in GLM.jl's documentation "Comparison with R" (section
    # Probability weights): dapi <- svydesign(id = ~1, weights = ~pw, data = apisrs);
    # svyglm(api00 ~ ell + meals + mobility, design = dapi): 848.0293 (18.3336),
    # -1.6018 (0.6324), -2.5799 (0.4560), -1.3922 (1.2483), p(ell) 0.0121;
    # svyglm(sch.wide ~ ell + meals + mobility, design = dapi, family = quasibinomial):
    # 1.743801 (0.463606), -0.021591 (0.011493), 0.010966 (0.009316),
    # -0.014805 (0.021964); t 3.761, p 0.000223. Tolerance: printed digits.
    s = _api(shared, "apisrs")
    design = tk.stats.Design(s, weights="pw")
    lin = tk.stats.regress("api00 ~ ell + meals + mobility", s, design=design).to_frame()
    np.testing.assert_allclose(lin["estimate"], [848.0293, -1.6018, -2.5799, -1.3922],
                               atol=5e-5)
    np.testing.assert_allclose(lin["se"], [18.3336, 0.6324, 0.4560, 1.2483], atol=5e-5)
    assert lin["p_value"].iloc[1] == pytest.approx(0.0121, abs=5e-5)
    s["sch_wide"] = s["sch.wide"].eq("Yes")
    logit = tk.stats.regress("sch_wide ~ ell + meals + mobility", s, family="binomial",
                             design=design).to_frame()
    np.testing.assert_allclose(logit["estimate"], [1.743801, -0.021591, 0.010966, -0.014805],
                               atol=5e-7)
    np.testing.assert_allclose(logit["se"], [0.463606, 0.011493, 0.009316, 0.021964],
                               atol=5e-7)
    assert logit["t"].iloc[0] == pytest.approx(3.761, abs=5e-4)
    assert logit["p_value"].iloc[0] == pytest.approx(0.000223, abs=5e-7)


def test_regress_design_true_with_study_and_missing_rows(shared):
    s = _api(shared, "apistrat")
    s.loc[s.index[:5], "ell"] = np.nan  # rows left out of the fit stay in the design
    study = tk.Study(survey=s, design={"weights": "pw", "strata": "stype", "fpc": "fpc"})
    fit = tk.stats.regress("api00 ~ ell + meals", study, design=True)
    assert fit.n == len(s) - 5
    direct = tk.stats.regress("api00 ~ ell + meals", s, design=study.design)
    np.testing.assert_allclose(fit.to_frame()["se"], direct.to_frame()["se"])
    with pytest.raises(DesignError, match="Study"):
        tk.stats.regress("api00 ~ ell", s, design=True)
    with pytest.raises(DesignError, match="rows"):
        tk.stats.regress("api00 ~ ell", s.iloc[:50], design=study.design)


def test_regress_families_and_cluster(rng):
    # Reference: statsmodels' own formula fits (the wrapper must return them unchanged).
    import statsmodels.formula.api as smf

    n = 200
    d = pd.DataFrame({"x": rng.normal(size=n), "g": np.repeat(np.arange(20), 10)})
    d["count"] = rng.poisson(np.exp(0.3 + 0.4 * d["x"]))
    d["y"] = 1.0 + 2.0 * d["x"] + rng.normal(size=n)
    ols = tk.stats.regress("y ~ x", d)
    ref = smf.ols("y ~ x", d).fit()
    np.testing.assert_allclose(ols.to_frame()["se"], ref.bse)
    assert ols.r2 == pytest.approx(ref.rsquared)
    assert "t" in ols.to_frame().columns
    pois = tk.stats.regress("count ~ x", d, family="poisson")
    assert np.isfinite(pois.pseudo_r2)
    assert "odds_ratio" in pois.to_frame()
    nb = tk.stats.regress("count ~ x", d, family="negbin")
    assert nb.to_frame()["kind"].tolist() == ["coefficient", "coefficient", "variance"]
    cl = tk.stats.regress("y ~ x", d, cluster="g")
    ref_cl = smf.ols("y ~ x", d).fit(cov_type="cluster", cov_kwds={"groups": d["g"]})
    np.testing.assert_allclose(cl.to_frame()["se"], ref_cl.bse)
    assert cl.cov_type == "cluster"


def test_regress_ordered_outcome_uses_codes_and_errors():
    cats = ["很差", "一般", "很好"]
    d = pd.DataFrame({"q": pd.Categorical(["很差", "一般", "很好", "很好", "一般", "很差"],
                                          categories=cats, ordered=True),
                      "x": [1.0, 2.0, 3.0, 4.0, 2.5, 0.5]})
    fit = tk.stats.regress("q ~ x", d)
    assert fit.model_result.model.endog.tolist() == [1.0, 2.0, 3.0, 3.0, 2.0, 1.0]
    with pytest.raises(ColumnNotFoundError, match="Did you mean"):
        tk.stats.regress("qq ~ x", d)
    with pytest.raises(ValueError, match="family"):
        tk.stats.regress("q ~ x", d, family="gamma")


# ---------------------------------------------------------------------------
# demo study: planted effects (datasets/demo/planted_effects.yaml) within 95% CIs
# ---------------------------------------------------------------------------


def test_demo_satisfaction_ologit(demo_study):
    # attendance_satisfaction: sat1* = 0.60 attended + 0.30 party_member + 0.010 age + e,
    # e logistic, cut-points -1.75, -0.55, 0.75, 2.25 (98/99 read as missing).
    fit = tk.stats.ologit("sat1 ~ attended + party_member + age", demo_study)
    t = fit.to_frame().set_index("term")
    truth = {"attended[T.是]": 0.6, "party_member": 0.3, "age": 0.01}
    cuts = t[t["kind"] == "cut-point"]
    for term, value in truth.items():
        assert t.loc[term, "ci_low"] <= value <= t.loc[term, "ci_high"], term
    for (_, row), value in zip(cuts.iterrows(), [-1.75, -0.55, 0.75, 2.25], strict=True):
        assert row["ci_low"] <= value <= row["ci_high"]


def test_demo_online_participants_rate_ratio(demo_study):
    # online_participants: n_participants ~ Poisson(14) offline, Poisson(35) online;
    # rate ratio 2.5 = exp(coefficient of online) from a Poisson regression.
    from toolkit.schema import VOCABULARIES

    s = demo_study.table("sessions")
    vocab = VOCABULARIES["platform"]
    d = s.assign(online=s["platform"].astype(object).map(lambda v: vocab.group_of(v)
                                                         == "online"))
    t = tk.stats.regress("n_participants ~ online", d, family="poisson").to_frame()
    row = t.set_index("term").loc["online"]
    assert row["or_ci_low"] <= 2.5 <= row["or_ci_high"]


def test_demo_room_sessions_rate_ratio(demo_study):
    # room_sessions: sessions per village/community (zero counts included) ~ has_room,
    # rate ratio 1.8; over-dispersed counts, so a negative-binomial regression.
    units = demo_study.table("units")
    communities = units[units["level"] == "村社区"]
    counts = demo_study.table("sessions").groupby("unit_id").size()
    d = communities.assign(n=communities["unit_id"].map(counts).fillna(0).astype(float))
    row = tk.stats.regress("n ~ has_room", d, family="negbin").to_frame().set_index(
        "term").loc["has_room"]
    assert row["or_ci_low"] <= 1.8 <= row["or_ci_high"]


@pytest.mark.parametrize("family", ["gaussian", "binomial", "poisson"])
def test_frequency_weights_equal_expanded_rows(rng, family):
    # Definition of frequency weights: the fit equals the fit on rows repeated `w`
    # times (estimates, SEs, n; tolerance 1e-6 relative, the IRLS convergence).
    n = 60
    d = pd.DataFrame({"x": rng.normal(size=n), "w": rng.integers(1, 4, n)})
    d["y"] = {"gaussian": d["x"] + rng.normal(size=n),
              "binomial": (rng.uniform(size=n) < 0.5 + 0.2 * np.tanh(d["x"])).astype(float),
              "poisson": rng.poisson(np.exp(0.3 * d["x"]) + 1).astype(float)}[family]
    a = tk.stats.regress("y ~ x", d, family=family, weights="w")
    b = tk.stats.regress("y ~ x", d.loc[d.index.repeat(d["w"])], family=family)
    np.testing.assert_allclose(a.to_frame()["estimate"], b.to_frame()["estimate"], rtol=1e-6)
    np.testing.assert_allclose(a.to_frame()["se"], b.to_frame()["se"], rtol=1e-6)
    assert a.n == b.n == d["w"].sum()


def test_formula_functions_from_the_callers_namespace(rng):
    # Functions used in a formula are looked up where the model function is called
    # (as statsmodels does for its own formula API).
    def centred(v):
        return v - v.mean()

    n = 80
    d = pd.DataFrame({"x": rng.normal(size=n) + 5, "g": np.repeat(np.arange(8), 10)})
    d["y"] = 2 * d["x"] + rng.normal(size=8)[d["g"]] + rng.normal(size=n)
    d["o"] = pd.Categorical(np.digitize(d["y"], [9, 10, 11]), ordered=True)
    fit = tk.stats.regress("y ~ centred(x)", d)
    assert fit.to_frame()["term"].tolist() == ["Intercept", "centred(x)"]
    assert fit.to_frame()["estimate"].iloc[0] == pytest.approx(d["y"].mean())
    assert "centred(x)" in tk.stats.ologit("o ~ centred(x)", d).to_frame()["term"].tolist()
    design = tk.stats.Design(d.assign(w=1.0), weights="w", cluster="g")
    assert tk.stats.regress("y ~ centred(x)", d.assign(w=1.0), design=design).n == n
    ml = tk.stats.multilevel("y ~ centred(x)", d, by="g")
    assert "centred(x)" in ml.to_frame()["term"].tolist()


def test_ologit_design_true_with_study(shared):
    # Same fit through a Study (design=True) and through its Design object; design
    # degrees of freedom as R svyolr's df.residual: 200 schools - 3 strata - 2 coefficients
    # = 195 (checked against R on the two-stage fixture in test_design_reference.py).
    s = _api(shared, "apistrat")
    s["band"] = pd.cut(s["api00"], [0, 600, 700, 800, 1000], labels=["D", "C", "B", "A"])
    study = tk.Study(survey=s, design={"weights": "pw", "strata": "stype", "fpc": "fpc"})
    a = tk.stats.ologit("band ~ ell + meals", study, design=True)
    b = tk.stats.ologit("band ~ ell + meals", s, design=study.design)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())
    assert a.cov_type == "design"
    assert a.df_resid == 195
    assert a.to_frame()["term"].tolist() == ["ell", "meals", "D|C", "C|B", "B|A"]
