"""Share intervals, tests of independence, Wald tests, lincom and model hygiene against R.

Data: the two-stage fixture of ``tests/reference/R/design.R``
(``tests/reference/data/design_two_stage.csv``); expected values:
``tests/reference/R/svytests.R`` -> ``tests/reference/svytests.json`` (R 4.2, survey 4.1.1),
each case with its R call. Designs "two" = ``svydesign(ids=~psu+ssu, strata=~stratum,
fpc=~N1+N2, weights=~w)`` and "one" = ``svydesign(ids=~psu, strata=~stratum, fpc=~N1,
weights=~w)``, ``options(survey.lonely.psu="adjust")``. Tolerances: 1e-6 relative for closed
forms (1e-4 where R's own iterative fit stops at glm's default epsilon = 1e-8, named
below), 1e-4 for iterative fits.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import ArgumentError

DATA = Path(__file__).resolve().parents[1] / "reference" / "data" / "design_two_stage.csv"
SPECS = {
    "two": {"weights": "w", "strata": "stratum", "cluster": ["psu", "ssu"],
            "fpc": ["N1", "N2"]},
    "one": {"weights": "w", "strata": "stratum", "cluster": "psu", "fpc": "N1"},
}
METHODS = ["logit", "likelihood", "asin", "beta", "mean", "xlogit"]
STATISTICS = ["F", "Chisq", "Wald", "adjWald", "saddlepoint", "lincom"]
CLOSED = 1e-6
FIT = 1e-4


@pytest.fixture(scope="module")
def data():
    """The fixture with the columns svytests.R derives."""
    df = pd.read_csv(DATA)
    df["rare"] = (df["k"] >= 5).astype(int)
    df["college"] = (df["edu"] == "college").astype(int)
    df["const"] = 1.0
    df["x3"] = df["x1"] + 2 * df["x2"]
    df["edu"] = pd.Categorical(df["edu"], categories=["college", "high", "middle", "primary"])
    df["edu5"] = pd.Categorical(df["edu"].astype(str),
                                categories=["none", "college", "high", "middle", "primary"])
    df["sat_f"] = pd.Categorical(df["sat"], ordered=True)
    return df


@pytest.fixture(scope="module")
def ref(r_reference):
    return r_reference("svytests")


@pytest.fixture(scope="module")
def designs(data):
    return {k: tk.stats.Design(data, **spec, lonely_psu="adjust") for k, spec in SPECS.items()}


def _close(got, case, key, rel=CLOSED):
    want = np.ravel(np.asarray(case["value"][key], dtype=float))
    np.testing.assert_allclose(np.ravel(np.asarray(got, dtype=float)), want, rtol=rel,
                               err_msg=case["call"] + " " + case.get("note", ""))


# -- svyciprop ---------------------------------------------------------------------------

@pytest.mark.parametrize("stages", list(SPECS))
@pytest.mark.parametrize("method", METHODS)
def test_share_intervals(designs, ref, stages, method):
    """svyciprop(~v, design, method=) for a common, a rare (3 %) and a factor-level share."""
    d = designs[stages]
    # R's likelihood interval profiles a glm stopped at epsilon = 1e-8 (see the converged case)
    rel = FIT if method == "likelihood" else CLOSED
    for var in ("yes", "rare", "college"):
        case = ref[f"{stages}/ciprop/{var}/{method}"]
        row = d.prop(var, method=method).query("level == 1").iloc[0]
        _close(row["estimate"], case, "coef", rel)
        _close([row["ci_low"], row["ci_high"]], case, "ci", rel)
        _close(row["se"], case, "se")
        case = ref[f"{stages}/ciprop_level90/yes/{method}"]
        row = d.prop("yes", method=method, level=0.9).query("level == 1").iloc[0]
        _close([row["ci_low"], row["ci_high"]], case, "ci", rel)


@pytest.mark.parametrize("stages", list(SPECS))
@pytest.mark.parametrize("method", METHODS)
def test_share_intervals_in_domains(designs, ref, stages, method):
    """svyby(~rare, ~region, design, svyciprop, method=, vartype="ci"): domain df."""
    case = ref[f"{stages}/ciprop_by_region/rare/{method}"]
    got = designs[stages].by("region").prop("rare", method=method).query("level == 1")
    rel = FIT if method in ("likelihood", "logit") else CLOSED  # R's svyglm, epsilon 1e-8
    _close(got["estimate"], case, "coef", rel)
    _close(got["ci_low"], case, "ci_low", rel)
    _close(got["ci_high"], case, "ci_high", rel)


@pytest.mark.parametrize("stages", list(SPECS))
def test_likelihood_interval_of_a_converged_fit(designs, ref, stages):
    """The svyciprop likelihood code on svyglm(v ~ 1) converged to 1e-14 (svytests.R)."""
    d = designs[stages]
    for var in ("yes", "rare", "college"):
        row = d.prop(var, method="likelihood").query("level == 1").iloc[0]
        _close([row["ci_low"], row["ci_high"]], ref[f"{stages}/ciprop_converged/{var}/likelihood"],
               "ci")
        by = d.by("region").prop(var, method="likelihood").query("level == 1")
        for region in ("A", "B", "C"):
            row = by[by["region"] == region].iloc[0]
            _close([row["ci_low"], row["ci_high"]],
                   ref[f"{stages}/ciprop_converged_region_{region}/{var}/likelihood"], "ci")


def test_logit_interval_is_the_default_and_stays_in_range(designs):
    d = designs["one"]
    default = d.prop("rare")
    pd.testing.assert_frame_equal(default, d.prop("rare", method="logit"))
    assert (default["ci_low"] > 0).all()
    wald = d.prop("rare", method="wald")
    # the Wald interval of svymean: estimate -/+ z se
    np.testing.assert_allclose(wald["ci_low"], wald["estimate"] - 1.959963984540054 * wald["se"])
    pd.testing.assert_frame_equal(d.mean("edu"), d.prop("edu", method="wald"))


def test_share_method_is_checked(designs):
    with pytest.raises(ArgumentError, match="`method` must be one of"):
        designs["one"].prop("yes", method="wilson")


# -- svychisq ------------------------------------------------------------------------------

@pytest.mark.parametrize("stages", list(SPECS))
@pytest.mark.parametrize("statistic", STATISTICS)
def test_independence_tests(designs, ref, stages, statistic):
    """svychisq(~edu + sex, design, statistic=), whole design and subset(region == "C")."""
    d = designs[stages]
    got = d.crosstab_test("edu", "sex", statistic=statistic).iloc[0]
    dom = d.by("region").crosstab("edu", "sex", statistic=statistic).attrs["test"]
    dom = dom[dom["region"] == "C"].iloc[0]
    for row, case in ((got, ref[f"{stages}/chisq/{statistic}"]),
                      (dom, ref[f"{stages}/chisq_region_C/{statistic}"])):
        _close(row["p_value"], case, "p")
        if statistic in ("F", "Wald", "adjWald"):
            _close(row["f"], case, "statistic")
            _close([row["ndf"], row["ddf"]], case, "parameter")
        else:
            _close(row["chisq"], case, "statistic")
        if statistic == "Chisq":
            _close(row["ndf"], case, "parameter")
    assert got["statistic"] == statistic


def test_default_test_is_the_rao_scott_f(designs):
    d = designs["two"]
    pd.testing.assert_frame_equal(d.crosstab_test("edu", "sex"),
                                  d.crosstab_test("edu", "sex", statistic="F"))
    test = d.crosstab("edu", "sex").attrs["test"]
    assert test["f"] == d.crosstab_test("edu", "sex")["f"].item()


def test_statistic_is_checked(designs):
    with pytest.raises(ArgumentError, match="Did you mean 'Wald'"):
        designs["one"].crosstab_test("edu", "sex", statistic="wald")


# -- regTermTest and svycontrast on design fits -------------------------------------------

def _fits(data, d):
    return {
        "gaussian": tk.stats.regress("y ~ x1 + x2 + edu", data, design=d),
        "binomial": tk.stats.regress("yes ~ x1 + x2 + edu", data, design=d, family="binomial"),
        "olr": tk.stats.ologit("sat_f ~ x1 + x2 + edu", data, design=d),
    }


@pytest.fixture(scope="module")
def fits(data, designs):
    return {k: _fits(data, d) for k, d in designs.items()}


@pytest.mark.parametrize("stages", list(SPECS))
def test_wald_tests_of_terms(fits, ref, stages):
    """regTermTest(svyglm(...), ~edu | ~x1 + x2 | all) and on svyolr: F with the model's df."""
    fit = fits[stages]
    for model, terms, key, rel in [
        ("gaussian", "edu", "gaussian/edu", CLOSED),
        ("gaussian", ["x1", "x2"], "gaussian/x1+x2", CLOSED),
        ("gaussian", "x1 + x2 + edu", "gaussian/all", CLOSED),
        ("gaussian", None, "gaussian/all", CLOSED),
        ("binomial", "edu", "binomial/edu", FIT),
        ("olr", "edu", "olr/edu", FIT),
    ]:
        case = ref[f"{stages}/regterm/{key}"]
        row = fit[model].wald_test(terms).iloc[0]
        assert row["statistic"] == "F"
        _close(row["value"], case, "f", rel)
        _close([row["ndf"], row["ddf"]], {**case, "value": {"x": [case["value"]["ndf"],
                                                                  case["value"]["ddf"]]}}, "x")
        _close(row["p_value"], case, "p", rel)


@pytest.mark.parametrize("stages", list(SPECS))
@pytest.mark.parametrize(("method", "key"), [("LRT", "edu_lrt"), ("WorkingWald", "edu_working")])
def test_rao_scott_working_tests(fits, ref, stages, method, key):
    """regTermTest(svyglm(y ~ x1 + x2 + edu), ~edu, method=) with R's saddlepoint p-value."""
    case = ref[f"{stages}/regterm/gaussian/{key}"]
    row = fits[stages]["gaussian"].wald_test("edu", method=method).iloc[0]
    _close(row["value"], case, "chisq")
    _close(row["p_value"], case, "p")  # R's uniroot stops at tol 1e-8
    assert row["ddf"] == case["value"]["ddf"]


def test_working_tests_need_a_design_glm(fits):
    with pytest.raises(NotImplementedError, match="design-based `regress`"):
        fits["one"]["olr"].wald_test("edu", method="LRT")


@pytest.mark.parametrize("stages", list(SPECS))
def test_lincom(fits, ref, stages):
    """svycontrast(fit, c(x1 = 1, x2 = -1)) and a weighted sum including a factor level."""
    fit = fits[stages]
    for model, expr, key, rel in [
        ("gaussian", "x1 - x2", "gaussian/x1-x2", CLOSED),
        ("gaussian", "x1 = x2", "gaussian/x1-x2", CLOSED),
        ("gaussian", {"x1": 1, "x2": -1}, "gaussian/x1-x2", CLOSED),
        ("gaussian", "2*x1 + x2 + edu[T.high]/2", "gaussian/2x1+x2+eduhigh", CLOSED),
        ("binomial", "x1 + x2", "binomial/x1+x2", FIT),
        ("olr", "x1 - x2", "olr/x1-x2", FIT),
    ]:
        case = ref[f"{stages}/lincom/{key}"]
        row = fit[model].lincom(expr).iloc[0]
        _close(row["estimate"], case, "coef", rel)
        _close(row["se"], case, "se", rel)
    row = fit["gaussian"].lincom("x1 - x2").iloc[0]
    df = ref[f"{stages}/lincom/gaussian/df"]["value"]
    assert row["p_value"] == pytest.approx(2 * __import__("scipy").stats.t.sf(
        abs(row["estimate"] / row["se"]), df), rel=1e-12)


def test_lincom_refuses_what_is_not_linear(fits):
    fit = fits["one"]["gaussian"]
    with pytest.raises(ValueError, match="not a linear combination"):
        fit.lincom("x1 * x2")
    with pytest.raises(ValueError, match="not a linear combination"):
        fit.lincom("x9 - x2 + __import__('os')")
    with pytest.raises(KeyError, match="neither a term"):
        fit.wald_test("x9")
    two = fit.lincom(["x1 - x2", "x1 + 1"])
    assert two["estimate"][1] == pytest.approx(fit.params["x1"] + 1)


def test_design_summary_shows_wald_tests_not_aic(fits):
    fit = fits["one"]["gaussian"]
    text = fit.summary().as_text()
    assert "aic" not in text
    assert "llf" not in text
    row = fit.wald_test().iloc[0]
    assert f"F({row['ndf']}, {row['ddf']:g}) = {row['value']:.4f}" in text


# -- model hygiene -------------------------------------------------------------------------

def _r_names(names):
    """R's coefficient names in patsy's spelling."""
    out = []
    for n in names:
        if n == "(Intercept)":
            out.append("Intercept")
        elif n.startswith("edu5") and n != "edu5":
            out.append(f"edu5[T.{n[4:]}]")
        else:
            out.append(n)
    return out


def _same_fit(fit, case, rel):
    """The fit's coefficients and SEs are R's (by name; R's aliased NA terms are absent)."""
    value = case["value"]
    names = _r_names(value["names"])
    coef = dict(zip(names, value["coef"], strict=True))
    se = dict(zip(names, value["se"], strict=True))
    kept = [n for n in names if coef[n] is not None]
    assert sorted(map(str, fit.params.index)) == sorted(kept), case["call"]
    got = fit.params[kept].to_numpy()
    got_se = np.sqrt(np.diag(fit.cov.loc[kept, kept]))
    scale = max(abs(v) for v in got)
    np.testing.assert_allclose(got, [coef[n] for n in kept], rtol=rel, atol=rel * scale,
                               err_msg=case["call"])
    np.testing.assert_allclose(got_se, [se[n] for n in kept], rtol=rel, err_msg=case["call"])


@pytest.mark.parametrize("stages", list(SPECS))
def test_absent_levels_are_dropped_as_r(data, designs, ref, stages):
    """svyglm(y ~ x1 + edu5): the absent first level "none" is no baseline; also in a domain."""
    d = designs[stages]
    fit = tk.stats.regress("y ~ x1 + edu5", data, design=d)
    _same_fit(fit, ref[f"{stages}/hygiene/glm_absent_level"], CLOSED)
    assert any("edu5: none" in n for n in fit.notes)
    frame = fit.to_frame()
    assert np.isfinite(frame[["estimate", "se", "p_value"]].to_numpy()).all()


@pytest.mark.parametrize("stages", list(SPECS))
@pytest.mark.parametrize(("formula", "key", "dropped"), [
    ("y ~ x1 + const + x2", "glm_constant", "const"),
    ("y ~ x1 + x2 + x3", "glm_collinear", "x3"),
])
def test_constant_and_collinear_predictors_dropped_with_a_message(data, designs, ref, stages,
                                                                  formula, key, dropped):
    """svyglm aliases them (NA); the fit drops them, warns and notes it, naming the column."""
    with pytest.warns(UserWarning, match=f"Dropped `{dropped}`"):
        fit = tk.stats.regress(formula, data, design=designs[stages])
    _same_fit(fit, ref[f"{stages}/hygiene/{key}"], CLOSED)
    assert dropped not in fit.params.index
    assert any(f"`{dropped}`" in n for n in fit.notes)


@pytest.mark.parametrize("stages", list(SPECS))
@pytest.mark.parametrize(("formula", "key", "dropped"), [
    ("sat_f ~ x1 + const", "olr_constant", "const"),
    ("sat_f ~ x1 + x2 + x3", "olr_collinear", "x3"),
])
def test_ordered_model_drops_aliased_predictors(data, designs, ref, stages, formula, key,
                                                dropped):
    """svyolr: "design appears to be rank-deficient, so dropping some coefs".

    svyolr's optimiser (optim, BFGS) stops early: its estimates agree to 1e-4 of the largest.
    """
    with pytest.warns(UserWarning, match=f"Dropped `{dropped}`"):
        fit = tk.stats.ologit(formula, data, design=designs[stages])
    _same_fit(fit, ref[f"{stages}/hygiene/{key}"], FIT)


def test_model_hygiene_without_design(data, ref):
    """glm/lm: absent baseline level (also in a subset), a constant, a collinear predictor."""
    sub = data[data["region"] == "A"]
    _same_fit(tk.stats.regress("yes ~ x1 + edu5", data, family="binomial"),
              ref["glm/absent_level"], FIT)
    _same_fit(tk.stats.regress("yes ~ x1 + edu5", sub, family="binomial"),
              ref["glm/absent_level_domain"], FIT)
    with pytest.warns(UserWarning, match="Dropped `const`"):
        fit = tk.stats.regress("yes ~ x1 + const + x2", data, family="binomial")
    _same_fit(fit, ref["glm/constant"], FIT)
    with pytest.warns(UserWarning, match="Dropped `x3`"):
        fit = tk.stats.regress("y ~ x1 + x2 + x3", data)
    _same_fit(fit, ref["glm/collinear"], CLOSED)


def test_wald_and_lincom_without_design(data, ref):
    """regTermTest(glm(...), ~edu, df = Inf), regTermTest(lm(...), ~edu), svycontrast on both."""
    logit = tk.stats.regress("yes ~ x1 + x2 + edu", data, family="binomial")
    row = logit.wald_test("edu").iloc[0]
    assert row["statistic"] == "chisq"
    _close(row["value"], ref["glm/regterm_logit_edu"], "chisq", FIT)
    _close(row["p_value"], ref["glm/regterm_logit_edu"], "p", FIT)
    ols = tk.stats.regress("y ~ x1 + x2 + edu", data)
    row = ols.wald_test("edu").iloc[0]
    _close(row["value"], ref["glm/regterm_ols_edu"], "f")
    _close(row["p_value"], ref["glm/regterm_ols_edu"], "p")
    assert row["ddf"] == ref["glm/ols_df"]["value"]
    for fit, key, rel in ((logit, "glm/lincom_logit", FIT), (ols, "glm/lincom_ols", CLOSED)):
        row = fit.lincom("x1 - x2").iloc[0]
        _close(row["estimate"], ref[key], "coef", rel)
        _close(row["se"], ref[key], "se", rel)
    assert "odds_ratio" in logit.lincom("x1 - x2").columns
