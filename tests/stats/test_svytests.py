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
