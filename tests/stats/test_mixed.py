"""tk.stats.multilevel against lme4 (lmer, glmer) and lmerTest.

Expected values: ``tests/reference/mixed.json``, written by
``Rscript tests/reference/make_reference.R mixed`` (``tests/reference/R/mixed.R``):
lme4 1.1-31 fitted with tight optimiser tolerances (``control = tight`` / ``gtight``
in the script), lmerTest 3.1-3 for the Satterthwaite df. Each test names the R call
(the ``call`` of its case). Tolerances: 1e-4 relative for fitted parameters, their
SEs and df; 1e-8 relative for log-likelihoods and REML criteria (lme4 converged
tightly).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import ArgumentError, ColumnNotFoundError

PARAM = 1e-4
LLF = 1e-8
DATA = Path(__file__).resolve().parents[1] / "reference" / "data"


@pytest.fixture(scope="module")
def ref(r_reference):
    return r_reference("mixed")


@pytest.fixture(scope="module")
def survey():
    return pd.read_csv(DATA / "mixed_survey.csv", encoding="utf-8")


@pytest.fixture(scope="module")
def cbpp():
    d = pd.read_csv(DATA / "mixed_cbpp.csv")
    return d.assign(period=d["period"].astype(str), herd=d["herd"].astype(str))


@pytest.fixture
def sleep(shared):
    return pd.read_csv(shared("reference", "mixed_sleepstudy", "sleepstudy.csv"))


def _py_name(r_name: str, factors: tuple[str, ...]) -> str:
    """lme4's coefficient name → patsy's (``gender男`` → ``gender[T.男]``)."""
    if r_name == "(Intercept)":
        return "Intercept"
    for f in factors:
        if r_name.startswith(f) and r_name != f:
            return f"{f}[T.{r_name[len(f):]}]"
    return r_name


def _fixed(value: dict, factors: tuple[str, ...] = ()) -> pd.DataFrame:
    names = [_py_name(n, factors) for n in np.atleast_1d(value["names"])]
    cols = {"estimate": value["fixef"], "se": value["se"]}
    for key in ("satterthwaite_df", "t", "z", "p"):
        if key in value:
            cols[key] = value[key]
    return pd.DataFrame({k: np.atleast_1d(v) for k, v in cols.items()}, index=names)


def _check_fixed(fit, value: dict, factors: tuple[str, ...] = (), rel: float = PARAM):
    exp = _fixed(value, factors)
    got = fit.to_frame().set_index("term").loc[exp.index]
    np.testing.assert_allclose(got["estimate"], exp["estimate"], rtol=rel, atol=1e-10)
    np.testing.assert_allclose(got["se"], exp["se"], rtol=rel)
    if "satterthwaite_df" in exp:
        np.testing.assert_allclose(got["df"], exp["satterthwaite_df"], rtol=rel)
        np.testing.assert_allclose(got["t"], exp["t"], rtol=rel)
        np.testing.assert_allclose(got["p_value"], exp["p"], rtol=1e-3, atol=1e-12)
    if "z" in exp:
        np.testing.assert_allclose(got["z"], exp["z"], rtol=rel)
        np.testing.assert_allclose(got["p_value"], exp["p"], rtol=1e-3, atol=1e-12)


def _check_varcorr(fit, value: dict, rel: float = PARAM):
    """Variance components against lme4 as.data.frame(VarCorr(fit))."""
    vc = value["varcorr"]
    got = fit.variance_components()
    got_group = got["group"].tolist()
    for grp, v1, v2, vcov, sdcor in zip(np.atleast_1d(vc["grp"]), np.atleast_1d(vc["var1"]),
                                        np.atleast_1d(vc["var2"]), np.atleast_1d(vc["vcov"]),
                                        np.atleast_1d(vc["sdcor"]), strict=True):
        grp = re.sub(r"\.\d+$", "", grp)  # lme4 names the terms of `||` Subject, Subject.1
        e1, e2 = (v1 or "").replace("(Intercept)", "Intercept"), (v2 or "").replace(
            "(Intercept)", "Intercept")
        row = got[(got["group"] == grp) & (got["effect"] == e1) & (got["effect2"] == e2)]
        assert len(row) == 1, (grp, e1, e2, got_group)
        row = row.iloc[0]
        assert row["variance"] == pytest.approx(vcov, rel=rel, abs=1e-12)
        assert (row["corr"] if e2 else row["sd"]) == pytest.approx(sdcor, rel=rel, abs=1e-10)
    assert len(got) == len(np.atleast_1d(vc["grp"]))


def _check_ranef(fit, value: dict, rel: float = PARAM):
    """Conditional modes and SDs of the recorded groups (lme4 ranef(fit, condVar = TRUE))."""
    re_ = value["ranef"]
    got = fit.random_effects().assign(level=lambda f: f["level"].astype(str))
    for gv, term, grp, val, sd in zip(re_["grpvar"], re_["term"], re_["grp"], re_["condval"],
                                      re_["condsd"], strict=True):
        row = got[(got["group"] == re.sub(r"\.\d+$", "", gv))
                  & (got["effect"] == term.replace("(Intercept)", "Intercept"))
                  & (got["level"] == str(grp))]
        assert len(row) == 1, (gv, term, grp)
        assert row["estimate"].iloc[0] == pytest.approx(val, rel=rel, abs=1e-8)
        assert row["se"].iloc[0] == pytest.approx(sd, rel=rel)


def _check_lmer(fit, value: dict, factors: tuple[str, ...] = ()):
    _check_fixed(fit, value, factors)
    _check_varcorr(fit, value)
    _check_ranef(fit, value)
    assert fit.llf == pytest.approx(value["logLik"], rel=LLF)
    assert fit.n == value["nobs"]
    assert fit.singular is bool(value["singular"])
    if value["REML"]:
        assert fit.stats["reml_criterion"] == pytest.approx(value["REMLcrit"], rel=LLF)
    else:
        assert fit.deviance == pytest.approx(value["deviance"], rel=LLF)
        assert fit.aic == pytest.approx(value["AIC"], rel=LLF)
        assert fit.bic == pytest.approx(value["BIC"], rel=LLF)


# ---------------------------------------------------------------------------
# lmer: sleepstudy
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("case", "formula", "reml"), [
    ("lmer_sleep_slope_reml", "Reaction ~ Days + (Days | Subject)", True),
    ("lmer_sleep_slope_ml", "Reaction ~ Days + (Days | Subject)", False),
    ("lmer_sleep_int_reml", "Reaction ~ Days + (1 | Subject)", True),
    ("lmer_sleep_int_ml", "Reaction ~ Days + (1 | Subject)", False),
    ("lmer_sleep_uncorrelated", "Reaction ~ Days + (Days || Subject)", True),
])
def test_lmer_sleepstudy(ref, sleep, case, formula, reml):
    # R: lmer(Reaction ~ Days + (Days | Subject), sleepstudy, control = tight) and the
    # other calls of the case (ref[case]["call"]); lmerTest for df and p.
    fit = tk.stats.multilevel(formula, sleep, reml=reml)
    _check_lmer(fit, ref[case]["value"])


def test_lmer_sleepstudy_by_and_re_formula(ref, sleep):
    # The same model spelled with by= and re_formula= (R: lmer(Reaction ~ Days +
    # (Days | Subject), sleepstudy, control = tight)).
    fit = tk.stats.multilevel("Reaction ~ Days", sleep, by="Subject", re_formula="~Days")
    _check_lmer(fit, ref["lmer_sleep_slope_reml"]["value"])
    assert fit.formula == "Reaction ~ Days + (Days | Subject)"


def test_lmer_default_lme4_agrees_to_its_own_tolerance(ref, sleep):
    # R: lmer(Reaction ~ Days + (Days | Subject), sleepstudy) with lme4's default
    # optimiser settings: the log-likelihood agrees to 1e-6 (the tight fit to 1e-8).
    fit = tk.stats.multilevel("Reaction ~ Days + (Days | Subject)", sleep)
    value = ref["lmer_sleep_slope_reml_default"]["value"]
    assert fit.llf == pytest.approx(value["logLik"], rel=1e-6)
    np.testing.assert_allclose(fit.params, value["fixef"], rtol=1e-6)


def test_group_is_the_old_spelling_of_by(sleep):
    with pytest.warns(FutureWarning, match="use `by=`"):
        old = tk.stats.multilevel("Reaction ~ Days", sleep, group="Subject")
    new = tk.stats.multilevel("Reaction ~ Days", sleep, by="Subject")
    pd.testing.assert_frame_equal(old.to_frame(), new.to_frame())


# ---------------------------------------------------------------------------
# lmer: the seeded survey (unbalanced communities, missing values, factors)
# ---------------------------------------------------------------------------

SURVEY_FACTORS = ("gender", "edu")


@pytest.mark.parametrize(("case", "formula", "reml"), [
    ("lmer_survey_int_reml",
     "trust ~ age10 + gender + party_member + edu + (1 | community)", True),
    ("lmer_survey_int_ml",
     "trust ~ age10 + gender + party_member + edu + (1 | community)", False),
    ("lmer_survey_slope_reml",
     "trust ~ age10 + gender + party_member + (age10 | community)", True),
    ("lmer_survey_nested_reml", "trust ~ age10 + party_member + (1 | town/community)", True),
    ("lmer_survey_crossed_reml",
     "trust ~ age10 + party_member + (1 | community) + (1 | interviewer)", True),
])
def test_lmer_survey(ref, survey, case, formula, reml):
    # R: the lmer call of the case on the survey of tests/reference/R/mixed.R (25 missing
    # trust scores left out by na.omit); lmerTest Satterthwaite df.
    fit = tk.stats.multilevel(formula, survey, reml=reml)
    _check_lmer(fit, ref[case]["value"], SURVEY_FACTORS)
    assert any("25 row(s) with missing values left out" in n for n in fit.notes)


def test_lmer_singular_fit(ref, survey):
    # R: lmer(age ~ gender + (1 | community), survey, control = tight): age follows the same
    # quotas in every community, the community variance is 0 (isSingular TRUE), and the
    # fixed effects and SEs are those of lm(age ~ gender, survey) (REML sigma = lm sigma).
    value = ref["lmer_survey_singular_reml"]["value"]
    fit = tk.stats.multilevel("age ~ gender + (1 | community)", survey)
    _check_lmer(fit, value, SURVEY_FACTORS)
    assert fit.singular
    assert fit.model_result.theta[0] == 0.0
    comp = fit.variance_components().set_index("group")
    assert comp.loc["community", "variance"] == 0.0
    lm = ref["lm_survey_singular"]["value"]
    t = fit.to_frame().set_index("term")
    np.testing.assert_allclose(t.loc[["Intercept", "gender[T.男]"], "estimate"], lm["coef"],
                               rtol=1e-10)
    np.testing.assert_allclose(t.loc[["Intercept", "gender[T.男]"], "se"], lm["se"], rtol=1e-8)
    assert any(n.startswith("Boundary (singular) fit: the variance of Intercept|community")
               for n in fit.notes)
    assert fit.icc["community"] == 0.0
    ml = tk.stats.multilevel("age ~ gender + (1 | community)", survey, reml=False)
    _check_lmer(ml, ref["lmer_survey_singular_ml"]["value"], SURVEY_FACTORS)


def test_lmer_singular_random_slope(ref, survey):
    # R: lmer(trust ~ age10 + (party_member | town), survey, control = tight): with 6 towns
    # the intercept and slope effects are perfectly correlated (theta[3] = 0, corr 1).
    value = ref["lmer_survey_singular_slope"]["value"]
    fit = tk.stats.multilevel("trust ~ age10 + (party_member | town)", survey)
    _check_lmer(fit, value)
    assert fit.model_result.theta[2] == 0.0
    assert any("correlation of ±1" in n for n in fit.notes)


def test_lmer_icc(ref, survey):
    # ICC of a random-intercept model: var(community) / (var(community) + sigma^2), from the
    # VarCorr of R: lmer(trust ~ ... + (1 | community), survey, control = tight).
    vc = ref["lmer_survey_int_reml"]["value"]["varcorr"]["vcov"]
    fit = tk.stats.multilevel("trust ~ age10 + gender + party_member + edu", survey,
                              by="community")
    assert fit.icc["community"] == pytest.approx(vc[0] / (vc[0] + vc[1]), rel=PARAM)
    slope = tk.stats.multilevel("trust ~ age10 + (age10 | community)", survey)
    assert np.isnan(slope.icc["community"])  # depends on age with a random slope


# ---------------------------------------------------------------------------
# glmer
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("case", "formula", "family", "n_agq"), [
    ("glmer_survey_int_laplace",
     "attended ~ age10 + gender + party_member + (1 | community)", "binomial", 1),
    ("glmer_survey_int_agq10",
     "attended ~ age10 + gender + party_member + (1 | community)", "binomial", 10),
    ("glmer_survey_slope_laplace",
     "attended ~ age10 + gender + party_member + (age10 | community)", "binomial", 1),
    ("glmer_survey_crossed_laplace",
     "attended ~ age10 + party_member + (1 | community) + (1 | interviewer)", "binomial", 1),
    ("glmer_survey_poisson_laplace",
     "proposals ~ age10 + party_member + (1 | community)", "poisson", 1),
    ("glmer_survey_poisson_agq7",
     "proposals ~ age10 + party_member + (1 | community)", "poisson", 7),
])
def test_glmer_survey(ref, survey, case, formula, family, n_agq):
    # R: glmer(attended ~ age10 + gender + party_member + (1 | community), survey,
    # family = binomial, control = gtight) and the other calls of the cases (nAGQ = 10;
    # (age10 | community); crossed factors; Poisson counts): fixed effects, Hessian-based
    # SEs, z, p, variance components, conditional modes, logLik, AIC, BIC.
    value = ref[case]["value"]
    fit = tk.stats.multilevel(formula, survey, family=family, n_agq=n_agq)
    _check_fixed(fit, value, SURVEY_FACTORS)
    _check_varcorr(fit, value)
    _check_ranef(fit, value)
    assert fit.llf == pytest.approx(value["logLik"], rel=LLF)
    assert fit.aic == pytest.approx(value["AIC"], rel=LLF)
    assert fit.bic == pytest.approx(value["BIC"], rel=LLF)
    assert fit.deviance == pytest.approx(value["deviance"], rel=LLF)
    t = fit.to_frame().set_index("term")
    assert t.loc["age10", "odds_ratio"] == pytest.approx(np.exp(t.loc["age10", "estimate"]))


def test_glmer_latent_icc(ref, survey):
    # R: with(as.data.frame(VarCorr(glmer(...))), vcov / (vcov + pi^2 / 3)), latent scale.
    fit = tk.stats.multilevel("attended ~ age10 + gender + party_member + (1 | community)",
                              survey, family="binomial")
    assert fit.icc["community"] == pytest.approx(ref["glmer_survey_icc"]["value"], rel=PARAM)


def test_glmer_default_lme4(ref, survey):
    # R: glmer(... + (1 | community), survey, family = binomial) with lme4's defaults
    # (Nelder-Mead stage 2): its optimum agrees to 1e-6 in the log-likelihood.
    fit = tk.stats.multilevel("attended ~ age10 + gender + party_member + (1 | community)",
                              survey, family="binomial")
    assert fit.llf == pytest.approx(ref["glmer_survey_int_laplace_default"]["value"]["logLik"],
                                    rel=1e-6)


def test_glmer_singular_fit(ref, survey):
    # R: glmer(as.integer(age >= 50) ~ gender + (1 | community), survey, family = binomial,
    # control = gtight): the age quotas leave no community variance (isSingular TRUE); the
    # fixed effects, SEs and logLik are those of lme4's boundary solution, which is
    # glm(as.integer(age >= 50) ~ gender, survey, family = binomial) (lme4's SEs come from
    # its finite-difference Hessian, within 2e-5 of glm's).
    value = ref["glmer_survey_singular"]["value"]
    d = survey.assign(older=(survey["age"] >= 50).astype(int))
    fit = tk.stats.multilevel("older ~ gender + (1 | community)", d, family="binomial")
    _check_fixed(fit, value, SURVEY_FACTORS)
    _check_varcorr(fit, value)
    assert fit.llf == pytest.approx(value["logLik"], rel=LLF)
    assert fit.aic == pytest.approx(value["AIC"], rel=LLF)
    assert fit.singular is bool(value["singular"])
    assert fit.model_result.theta[0] == 0.0
    assert fit.variance_components().set_index("group").loc["community", "variance"] == 0.0
    assert fit.icc["community"] == 0.0
    assert (fit.random_effects()["estimate"] == 0.0).all()
    glm = ref["glm_survey_singular"]["value"]
    t = fit.to_frame().set_index("term")
    np.testing.assert_allclose(t.loc[["Intercept", "gender[T.男]"], "estimate"], glm["coef"],
                               rtol=1e-6)
    np.testing.assert_allclose(t.loc[["Intercept", "gender[T.男]"], "se"], glm["se"],
                               rtol=1e-4)
    assert fit.llf == pytest.approx(glm["logLik"], rel=LLF)
    assert any(n.startswith("Boundary (singular) fit: the variance of Intercept|community")
               for n in fit.notes)


@pytest.mark.parametrize(("case", "n_agq"), [("glmer_cbpp_laplace", 1), ("glmer_cbpp_agq5", 5)])
def test_glmer_cbpp_with_trials(ref, cbpp, case, n_agq):
    # R: glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), cbpp,
    # family = binomial, control = gtight) (nAGQ = 5): lme4's AGQ deviance leaves out the
    # binomial coefficients, so its logLik (-50.0) is not the Laplace one (-92.0); as lme4.
    value = ref[case]["value"]
    fit = tk.stats.multilevel("incidence ~ period + (1 | herd)", cbpp, family="binomial",
                              trials="size", n_agq=n_agq)
    _check_fixed(fit, value, ("period",))
    _check_varcorr(fit, value)
    _check_ranef(fit, value)
    assert fit.llf == pytest.approx(value["logLik"], rel=LLF)
    assert fit.n == 56


# ---------------------------------------------------------------------------
# several grouping columns, other spellings, and refusals
# ---------------------------------------------------------------------------


def test_by_list_is_crossed_random_intercepts(ref, survey):
    # by=["community", "interviewer"] is (1 | community) + (1 | interviewer)
    # (R: lmer(trust ~ age10 + party_member + (1 | community) + (1 | interviewer), ...)).
    fit = tk.stats.multilevel("trust ~ age10 + party_member", survey,
                              by=["community", "interviewer"])
    _check_lmer(fit, ref["lmer_survey_crossed_reml"]["value"])


def test_one_factor_blocks_equal_the_sparse_path(survey):
    # The block algebra used for one grouping factor and the sparse algebra used for
    # several factors compute the same profiled criterion (lme4's definition), here on
    # one factor with a random slope, inside and on the boundary (a zero diagonal).
    from toolkit.stats._lmm import RandomTerm, _Lmm, _Sparse

    d = survey.dropna(subset=["trust"])
    codes, levels = pd.factorize(d["community"], sort=True)
    x = np.column_stack([np.ones(len(d)), d["age10"]])
    term = RandomTerm("community", list(levels), codes, x, ["Intercept", "age10"])
    one = _Lmm(d["trust"].to_numpy(), x, [term])
    many = _Lmm(d["trust"].to_numpy(), x, [term])
    many.re = _Sparse([term], [slice(0, 3)])
    for theta in ([0.5, 0.1, 0.2], [1.0, -0.3, 0.0]):
        th = np.array(theta)
        for reml in (True, False):
            assert one.criterion(th, reml=reml) == pytest.approx(many.criterion(th, reml=reml),
                                                              rel=1e-12)


def test_scalar_terms_factor_equals_the_general_factor(survey):
    # Several scalar terms (Λ diagonal) take a shortcut A = D S D + I; it must equal the
    # general Λ'(Z'WZ)Λ + I with unit weights (same matrix, by definition).
    from toolkit.stats._lmm import RandomTerm, _Sparse, theta_layout

    d = survey.dropna(subset=["trust"])
    terms = []
    for g in ("community", "interviewer"):
        codes, levels = pd.factorize(d[g], sort=True)
        terms.append(RandomTerm(g, list(levels), codes, np.ones((len(d), 1)), ["Intercept"]))
    re_ = _Sparse(terms, theta_layout(terms)[0])
    re_.set_theta(np.array([0.7, 0.2]))
    fast, general = re_.factor(), re_.factor(np.ones(len(d)))
    b = np.arange(re_.q, dtype=float)
    assert fast.logdet == pytest.approx(general.logdet, rel=1e-12)
    np.testing.assert_allclose(fast.solve(b), general.solve(b), rtol=1e-10)


def test_formula_functions_from_the_callers_namespace(rng):
    # Functions used in a formula are looked up where multilevel is called (as patsy
    # does for statsmodels' formula API), through the renamed-keyword wrapper too.
    def centred(v):
        return v - v.mean()

    d = pd.DataFrame({"x": rng.normal(size=80) + 5, "g": np.repeat(np.arange(8), 10)})
    d["y"] = 2 * d["x"] + rng.normal(size=8)[d["g"]] + rng.normal(size=80)
    assert "centred(x)" in tk.stats.multilevel("y ~ centred(x)", d, by="g").to_frame()[
        "term"].tolist()
    with pytest.warns(FutureWarning):
        ml = tk.stats.multilevel("y ~ centred(x)", d, group="g")
    assert "centred(x)" in ml.to_frame()["term"].tolist()


def test_multilevel_uses_complete_cases_and_says_so():
    """Missing values: the fit equals the fit on complete cases (lme4's na.omit), with a note."""
    rng = np.random.default_rng(1)
    g = np.repeat(np.arange(8), 6)
    x = np.tile(np.arange(6.0), 8)
    y = 2 + 0.5 * x + rng.normal(0, 1, 8)[g] + rng.normal(0, 0.5, 48)
    d = pd.DataFrame({"y": y, "x": x, "g": g, "unused": np.nan})
    d.loc[3, "y"] = np.nan
    d.loc[5, "x"] = np.nan
    fit = tk.stats.multilevel("y ~ x", d, by="g")
    complete = tk.stats.multilevel("y ~ x", d.drop(index=[3, 5]).drop(columns="unused"),
                                   by="g")
    assert fit.n == 46
    np.testing.assert_allclose(fit.to_frame()["estimate"], complete.to_frame()["estimate"],
                               rtol=1e-10)
    assert any("2 row(s) with missing values left out" in n for n in fit.notes)


def test_rank_deficient_and_unused_levels_are_dropped_with_a_note(survey):
    # lme4 drops fixed-effect columns that are combinations of earlier ones
    # (check.rankX "message+drop.cols") and unused factor levels (model.frame).
    d = survey.assign(age_copy=survey["age10"] * 2,
                      edu=pd.Categorical(survey["edu"], categories=[
                          "初中", "大专及以上", "小学及以下", "高中", "研究生"]))
    fit = tk.stats.multilevel("trust ~ age10 + age_copy + edu + (1 | community)", d)
    ref = tk.stats.multilevel("trust ~ age10 + edu + (1 | community)", survey)
    terms = fit.to_frame()["term"].tolist()
    assert "age_copy" not in terms
    assert "edu[T.研究生]" not in terms
    np.testing.assert_allclose(fit.to_frame()["estimate"], ref.to_frame()["estimate"],
                               rtol=1e-8)
    assert any("dropped `age_copy`" in n for n in fit.notes)


def test_summary_and_html(sleep):
    fit = tk.stats.multilevel("Reaction ~ Days + (Days | Subject)", sleep)
    text = fit.summary().as_text()
    assert "Subject (18)" in text
    assert "REML criterion" in text
    assert "Satterthwaite" in text
    assert "<table>" in fit._repr_html_()
    assert repr(fit).startswith("<ModelResult Linear mixed model (REML)")
    me = fit.marginal_effects()
    assert me["term"].tolist() == ["Days"]


def test_refusals(sleep, survey):
    with pytest.raises(ColumnNotFoundError, match=r"(?i)did you mean"):
        tk.stats.multilevel("Reaction ~ Days", sleep, by="subject")
    with pytest.raises(ArgumentError, match="needs random effects"):
        tk.stats.multilevel("Reaction ~ Days", sleep)
    with pytest.raises(ArgumentError, match="not both"):
        tk.stats.multilevel("Reaction ~ Days + (1 | Subject)", sleep, by="Subject")
    with pytest.raises(ArgumentError, match="`family`"):
        tk.stats.multilevel("Reaction ~ Days", sleep, by="Subject", family="gamma")
    with pytest.raises(ArgumentError, match="single scalar random effect"):
        tk.stats.multilevel("attended ~ age10 + (age10 | community)", survey,
                            family="binomial", n_agq=5)
    with pytest.raises(ArgumentError, match="0/1"):
        tk.stats.multilevel("age ~ gender + (1 | community)", survey, family="binomial")
    with pytest.raises(ArgumentError, match="reml"):
        tk.stats.multilevel("attended ~ age10 + (1 | community)", survey, family="binomial",
                            reml=True)
    with pytest.raises(ArgumentError, match="at least 2 groups"):
        tk.stats.multilevel("Reaction ~ Days", sleep.assign(one="a"), by="one")
    with pytest.raises(ArgumentError, match="cannot be told apart"):
        tk.stats.multilevel("Reaction ~ Days", sleep.assign(row=range(len(sleep))), by="row")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tk.stats.multilevel("Reaction ~ Days + (1 | Subject)", sleep)


def test_optimiser_leaves_a_zero_variance_that_is_not_a_minimum():
    # Every criterion is even in the diagonal of the relative factor, so theta = 0 is a
    # stationary point whether or not it is a minimum (L-BFGS-B stops there). Like lme4's
    # restart_edge, the optimiser steps inside and starts again: f(x) = x^4 - x^2 has its
    # minimum at 1/sqrt(2) (calculus), a local maximum at the bound 0.
    from toolkit.stats._lmm import minimize_bounded

    x, f, converged, _ = minimize_bounded(lambda v: float(v[0] ** 4 - v[0] ** 2),
                                          np.array([0.0]), np.array([0.0]))
    assert x[0] == pytest.approx(2**-0.5, rel=1e-8)
    assert f == pytest.approx(-0.25, rel=1e-12)
    assert converged
