"""Design estimates and design-based models against R ``survey`` 4.1 on a two-stage sample.

Data and expected values: ``tests/reference/R/design.R`` builds a seeded two-stage sample
(14 strata with 1-8 PSUs, households within PSUs, fpc at both stages, a certainty
stratum S01, a lonely PSU in S02, missing y, a factor edu, binary/ordinal/count outcomes)
and records each value with its R call (``tests/reference/design.json``; data
``tests/reference/data/design_two_stage.csv``). Every case is run under each lonely-PSU
option (``options(survey.lonely.psu=)``) on the two-stage design
``svydesign(ids=~psu+ssu, strata=~stratum, fpc=~N1+N2, weights=~w)`` ("two") and the
one-stage design ``svydesign(ids=~psu, strata=~stratum, fpc=~N1, weights=~w)`` ("one").
Tolerances: 1e-6 relative for closed-form estimates and the svyglm SEs, 1e-4 for the
coefficients and SEs of iterative fits (svyolr).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import DesignError

DATA = Path(__file__).resolve().parents[1] / "reference" / "data" / "design_two_stage.csv"
OPTIONS = ["adjust", "average", "certainty", "remove"]
SPECS = {
    "two": {"weights": "w", "strata": "stratum", "cluster": ["psu", "ssu"],
            "fpc": ["N1", "N2"]},
    "one": {"weights": "w", "strata": "stratum", "cluster": "psu", "fpc": "N1"},
}
CLOSED = 1e-6
FIT = 1e-4


@pytest.fixture(scope="module")
def data():
    return pd.read_csv(DATA)


@pytest.fixture(scope="module")
def ref(r_reference):
    return r_reference("design")


def _design(data, stages, option):
    return tk.stats.Design(data, **SPECS[stages], lonely_psu=option)


def _check(got, case, key="coef", rel=CLOSED):
    want = np.ravel(np.asarray(case["value"][key], dtype=float))
    np.testing.assert_allclose(np.ravel(np.asarray(got, dtype=float)), want, rtol=rel,
                               err_msg=case["call"] + " " + case.get("note", ""))


def test_fixture_shape(data, ref):
    assert len(data) == ref["n_rows"]["value"]
    per = data.groupby("stratum")["psu"].nunique()
    assert per["S01"] == 1
    assert data.loc[data["stratum"] == "S01", "N1"].iloc[0] == 1
    assert per["S02"] == 1
    assert data.loc[data["stratum"] == "S02", "N1"].iloc[0] == 5
    assert data["y"].isna().any()


@pytest.mark.parametrize("stages", list(SPECS))
@pytest.mark.parametrize("option", OPTIONS)
def test_means_totals_and_factors(data, ref, stages, option):
    d = _design(data, stages, option)
    key = f"{stages}/{option}"
    for name, got in [("mean_y", d.mean("y")), ("total_y", d.total("y")),
                      ("mean_edu", d.mean("edu")), ("total_edu", d.total("edu"))]:
        _check(got["estimate"], ref[f"{key}/{name}"])
        _check(got["se"], ref[f"{key}/{name}"], "se")
    # svymean(~edu) is the share of each category, as prop with the Wald interval
    pd.testing.assert_frame_equal(d.mean("edu"), d.prop("edu", method="wald"))


@pytest.mark.parametrize("stages", list(SPECS))
@pytest.mark.parametrize("option", OPTIONS)
def test_domains(data, ref, stages, option):
    """svyby: under "average" the strata present in the domain are averaged over."""
    d = _design(data, stages, option)
    key = f"{stages}/{option}"
    for name, got in [("by_region_mean_y", d.by("region").mean("y")),
                      ("by_sex_mean_y", d.by("sex").mean("y")),
                      ("by_region_total_y", d.by("region").total("y"))]:
        _check(got["estimate"], ref[f"{key}/{name}"])
        _check(got["se"], ref[f"{key}/{name}"], "se")
    shares = d.by("region").mean("edu")
    nlev = shares["level"].nunique()
    case = ref[f"{key}/by_region_mean_edu"]
    # R's coef of svyby: regions vary fastest within each category
    for col in ("coef", "se"):
        want = np.asarray(case["value"][col], float).reshape(nlev, -1).T.ravel()
        got = shares["estimate" if col == "coef" else "se"].to_numpy(float)
        np.testing.assert_allclose(got, want, rtol=CLOSED, err_msg=case["call"])


@pytest.mark.parametrize("stages", list(SPECS))
@pytest.mark.parametrize("option", OPTIONS)
def test_quantiles(data, ref, stages, option):
    """svyquantile: a domain's df counts only its respondents with a value (na.rm=TRUE)."""
    d = _design(data, stages, option)
    key = f"{stages}/{option}"
    q = d.quantile("y", [0.25, 0.5])
    case = ref[f"{key}/quantile_y"]
    _check(q["estimate"], case)
    _check(q["ci_low"], case, "ci_low")
    _check(q["ci_high"], case, "ci_high")
    _check(q["se"], case, "se")
    qb = d.by("region").quantile("y", 0.5)
    _check(qb["estimate"], ref[f"{key}/by_region_quantile_y"])
    _check(qb["se"], ref[f"{key}/by_region_quantile_y"], "se")


@pytest.mark.parametrize("stages", list(SPECS))
@pytest.mark.parametrize("option", OPTIONS)
def test_rao_scott(data, ref, stages, option):
    """svychisq, and in a domain with the domain's PSUs and strata (subset(design, ...))."""
    d = _design(data, stages, option)
    key = f"{stages}/{option}"
    test = d.crosstab_test("edu", "sex").iloc[0]
    case = ref[f"{key}/chisq_edu_sex"]
    for ours, theirs in (("f", "f"), ("ndf", "ndf"), ("ddf", "ddf"), ("p_value", "p")):
        _check([test[ours]], case, theirs)
    by = d.by("region").crosstab("edu", "sex").attrs["test"].set_index("region")
    for region in ("A", "C"):
        case = ref[f"{key}/chisq_edu_sex_region_{region}"]
        for ours, theirs in (("f", "f"), ("ndf", "ndf"), ("ddf", "ddf"), ("p_value", "p")):
            _check([by.loc[region, ours]], case, theirs)


def test_certainty_stratum_needs_no_option(data, ref):
    """A stratum sampled whole adds no variance under R's default "fail"; a lonely one fails."""
    with pytest.raises(DesignError, match="single PSU"):
        _design(data, "two", "fail")
    kept = data[data["stratum"] != "S02"]
    for stages in SPECS:
        d = _design(kept, stages, "fail")
        case = ref[f"{stages}/fail/no_lonely_design_mean_y"]
        m = d.mean("y")
        _check(m["estimate"], case)
        _check(m["se"], case, "se")


def _r_term(name: str) -> str:
    if name == "(Intercept)":
        return "Intercept"
    if name.startswith("edu"):
        return f"edu[T.{name[3:]}]"
    return name


MODELS = [
    ("glm_gaussian", "y ~ x1 + x2 + edu", "gaussian"),
    ("glm_intercept", "y ~ 1", "gaussian"),
    ("glm_binomial", "yes ~ x1 + x2", "binomial"),
    ("glm_poisson", "k ~ x1 + x2", "poisson"),
]


@pytest.mark.parametrize("stages", list(SPECS))
@pytest.mark.parametrize("option", ["adjust", "average"])
@pytest.mark.parametrize(("case", "formula", "family"), MODELS)
def test_svyglm(data, ref, stages, option, case, formula, family):
    """regress(design=) equals svyglm (quasi families for binomial/poisson) at both stages."""
    d = _design(data, stages, option)
    fit = tk.stats.regress(formula, data, family=family, design=d)
    want = ref[f"{stages}/{option}/{case}"]
    frame = fit.to_frame().set_index("term")
    names = [_r_term(n) for n in want["value"]["names"]]
    _check(frame.loc[names, "estimate"], want)
    _check(frame.loc[names, "se"], want, "se")
    assert fit.df_resid == want["value"]["df"]


@pytest.mark.parametrize("stages", list(SPECS))
@pytest.mark.parametrize("option", ["adjust", "average"])
def test_svyolr(data, ref, stages, option):
    d = _design(data, stages, option)
    fit = tk.stats.ologit("sat ~ x1 + x2", data, design=d)
    want = ref[f"{stages}/{option}/olr"]
    frame = fit.to_frame().set_index("term")
    names = want["value"]["names"]
    _check(frame.loc[names, "estimate"], want, rel=FIT)
    _check(frame.loc[names, "se"], want, "se", rel=FIT)
    assert fit.df_resid == want["value"]["df"]


@pytest.mark.parametrize("stages", list(SPECS))
def test_intercept_model_equals_mean(data, stages):
    """Cross-path: the SE of regress("y ~ 1", design=) is the SE of Design.mean("y")."""
    d = _design(data, stages, "average")
    fit = tk.stats.regress("y ~ 1", data, design=d).to_frame().iloc[0]
    m = d.mean("y").iloc[0]
    assert fit["estimate"] == pytest.approx(m["estimate"], rel=1e-12)
    assert fit["se"] == pytest.approx(m["se"], rel=1e-10)


@pytest.mark.parametrize("stages", list(SPECS))
def test_influence_vcov_equals_estimator_ses(data, stages):
    """Cross-path: influence_vcov of the mean/total influence values gives their SEs."""
    d = _design(data, stages, "adjust")
    x = data["x1"].to_numpy(float)
    w = d._w
    m = np.dot(w, x) / w.sum()
    v = d.influence_vcov(np.column_stack([w * (x - m) / w.sum(), w * x]))
    assert np.sqrt(v[0, 0]) == pytest.approx(d.mean("x1")["se"].item(), rel=1e-10)
    assert np.sqrt(v[1, 1]) == pytest.approx(d.total("x1")["se"].item(), rel=1e-10)
