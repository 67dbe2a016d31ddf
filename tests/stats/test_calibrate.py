"""Calibration of a Design: refused populations, warnings, and cross-checks of the variance paths.

The numbers of calibrated designs are checked against R in ``test_calibrate_reference.py``;
here the errors that name the offending cell (R ``postStratify`` and ``calibrate`` stop with
"Some strata absent from sample" / "Calibration failed"), the warnings, and identities that
tie the variance paths together (exact to 1e-10 relative unless stated).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import ArgumentTypeError, DesignError, LargeDataUnavailableError, ToolkitWarning
from toolkit.stats import _linearise
from toolkit.stats._calibration import Residualiser

DATA = Path(__file__).resolve().parents[1] / "reference" / "data" / "design_two_stage.csv"
TWO = {"weights": "w", "strata": "stratum", "cluster": ["psu", "ssu"], "fpc": ["N1", "N2"]}
POP_SR = pd.DataFrame({"sex": ["F", "M", "F", "M", "F", "M"],
                       "region": ["A", "A", "B", "B", "C", "C"],
                       "Freq": [3600, 2900, 8000, 7800, 6700, 7000]})
TOTALS = {"sex": {"F": 18300, "M": 17700}, "region": {"A": 6500, "B": 15800, "C": 13700},
          "x1": -1500}


@pytest.fixture(scope="module")
def data():
    return pd.read_csv(DATA)


@pytest.fixture(scope="module")
def d2(data):
    return tk.stats.Design(data, **TWO, lonely_psu="adjust")


# -- refused populations (R postStratify / calibrate stop on them) ------------------------

def test_cell_without_population_count_is_named(d2):
    """R postStratify: "Strata in sample absent from population"."""
    with pytest.raises(DesignError, match=r"sex=M, region=C") as err:
        d2.poststratify(POP_SR.iloc[:5])
    assert "no population count" in str(err.value)


def test_population_cell_without_respondents_is_named(d2):
    """R postStratify: "Some strata absent from sample: use partial=TRUE to ignore them"."""
    pop = pd.concat([POP_SR, pd.DataFrame({"sex": ["F"], "region": ["D"], "Freq": [100]})])
    with pytest.raises(DesignError, match=r"sex=F, region=D.*partial=True"):
        d2.poststratify(pop)
    with pytest.warns(ToolkitWarning, match="left out"):
        ps = d2.poststratify(pop, partial=True)
    assert ps.total("x2")["estimate"].item() == pytest.approx(
        d2.poststratify(POP_SR).total("x2")["estimate"].item(), rel=1e-12)


def test_zero_population_cell_absent_from_sample_is_dropped(d2):
    pop = pd.concat([POP_SR, pd.DataFrame({"sex": ["F"], "region": ["D"], "Freq": [0]})])
    assert d2.poststratify(pop)._w.sum() == pytest.approx(36000, rel=1e-12)


def test_population_table_shapes(d2):
    series = POP_SR.set_index(["sex", "region"])["Freq"]
    a, b = d2.poststratify(series), d2.poststratify(POP_SR)
    np.testing.assert_allclose(a._w, b._w, rtol=1e-14)
    with pytest.raises(DesignError, match="exactly one column of population counts"):
        d2.poststratify(POP_SR.assign(extra=1))
    with pytest.raises(DesignError, match="named index"):
        d2.poststratify(pd.Series([18300.0, 17700.0]))
    with pytest.raises(ArgumentTypeError, match="DataFrame of cells"):
        d2.poststratify({"F": 1})
    with pytest.raises(DesignError, match=r"appears more than once"):
        d2.poststratify(pd.concat([POP_SR, POP_SR.iloc[:1]]))
    with pytest.raises(DesignError, match="at least 0"):
        d2.poststratify(POP_SR.assign(Freq=[-1, 2900, 8000, 7800, 6700, 7000]))


def test_type_mismatch_hint(data):
    df = data.assign(code=np.where(data["sex"] == "F", 1, 2))
    d = tk.stats.Design(df, **TWO, lonely_psu="adjust")
    with pytest.raises(DesignError, match="holds int64 values in the data but str"):
        d.poststratify(pd.DataFrame({"code": ["1", "2"], "Freq": [1.0, 2.0]}))


def test_missing_cell_value_is_refused(data):
    df = data.copy()
    df.loc[3, "sex"] = None
    d = tk.stats.Design(df, **TWO, lonely_psu="adjust")
    with pytest.raises(DesignError, match=r"1 respondent\(s\) have no value of \['sex'\]"):
        d.poststratify(POP_SR)


def test_rake_reports_every_margin(d2):
    bad_sex = pd.DataFrame({"sex": ["F"], "Freq": [18300]})
    bad_region = pd.DataFrame({"region": ["A", "B", "C", "D"], "Freq": [1, 2, 3, 4]})
    with pytest.raises(DesignError, match=r"margins\[0\].*sex=M.*margins\[1\].*region=D"):
        d2.rake([bad_sex, bad_region])
    with pytest.raises(ArgumentTypeError, match="list of population tables"):
        d2.rake(POP_SR)


def test_rake_not_converged_warns(d2):
    """R rake: "Raking did not converge after 1 iterations" (a warning; weights kept)."""
    sex = pd.DataFrame({"sex": ["F", "M"], "Freq": [18300, 17700]})
    region = pd.DataFrame({"region": ["A", "B", "C"], "Freq": [6500, 15800, 13700]})
    with pytest.warns(ToolkitWarning, match="did not converge in 1 iterations"):
        d2.rake([sex, region], max_iter=1, tol=1e-12)


def test_calibration_totals_are_checked(d2, data):
    with pytest.raises(DesignError, match=r"no population count \(or 0\): edu=college") as err:
        d2.calibrate({"sex": {"F": 18300, "M": 17700},
                      "edu": {"college": 0, "high": 12000, "middle": 12000, "primary": 12000,
                              "phd": 0}, "region": {"A": 1, "B": 2}})
    text = str(err.value)
    assert "region=C" in text  # every margin's problem at once
    with pytest.raises(DesignError, match="add up to 36,000 but those of 'sex' to 35,000"):
        d2.calibrate({"sex": {"F": 18000, "M": 17000},
                      "region": {"A": 6500, "B": 15800, "C": 13700}})
    with pytest.raises(DesignError, match=r"'\(Intercept\)' gives a population of 1"):
        d2.calibrate({"(Intercept)": 1.0, "sex": {"F": 18300, "M": 17700}})
    missing = int(data["y"].isna().sum())
    with pytest.raises(DesignError, match=rf"`y` has {missing} missing value\(s\)"):
        d2.calibrate({"sex": {"F": 18300, "M": 17700}, "y": 1.0})
    with pytest.raises(ArgumentTypeError, match="must be a dict"):
        d2.calibrate([1, 2])
    with pytest.raises(ArgumentTypeError, match="must be a number"):
        d2.calibrate({"x1": "many"})


def test_totals_out_of_reach_name_the_totals(d2):
    """R calibrate: "Calibration failed" (grake: failed to converge in 51 iterations)."""
    with pytest.raises(DesignError, match=r"within bounds \(0\.95, 1\.05\).*region=C \("
                                          r"population 13,700, calibrated weights reach"):
        d2.calibrate(TOTALS, bounds=(0.95, 1.05))


def test_bounds_are_checked(d2):
    with pytest.raises(DesignError, match="Logit calibration needs finite `bounds`"):
        d2.calibrate(TOTALS, method="logit")
    with pytest.raises(DesignError, match="must contain 1"):
        d2.calibrate(TOTALS, bounds=(1.1, 2))
    with pytest.raises(ArgumentTypeError, match="pair"):
        d2.calibrate(TOTALS, bounds=(0.5,))
    with pytest.raises(ValueError, match="method"):
        d2.calibrate(TOTALS, method="cubic")


def test_negative_weights_warn(d2):
    with pytest.warns(ToolkitWarning, match="zero or negative"):
        d2.calibrate({"sex": {"F": 35000, "M": 1000}, "x1": 40000})


def test_trim_needs_room(d2):
    with pytest.raises(DesignError, match="Every weight lies outside"):
        d2.trim_weights(lower=1000)


def test_large_data_refused(data, tmp_path):
    pytest.importorskip("duckdb")
    data[["w", "stratum", "psu", "N1", "sex", "x1"]].to_csv(tmp_path / "d.csv", index=False)
    d = tk.stats.Design(tk.io.scan(tmp_path / "d.csv"), weights="w", strata="stratum",
                        cluster="psu", fpc="N1", lonely_psu="adjust")
    for call in (lambda: d.poststratify(POP_SR.groupby("sex", as_index=False)["Freq"].sum()),
                 lambda: d.calibrate(TOTALS), lambda: d.replicate("JKn")):
        with pytest.raises(LargeDataUnavailableError, match="not available for large data"):
            call()


# -- a new design, the old one untouched -------------------------------------------------

def test_calibration_returns_a_new_design(d2):
    before = d2._w.copy()
    ps = d2.poststratify(POP_SR)
    np.testing.assert_array_equal(d2._w, before)
    assert d2._lin.residualise is None
    assert ps._lin.residualise is not None
    assert ps.total("x2")["estimate"].item() != d2.total("x2")["estimate"].item()
    # the total weight of each cell is its population count
    cell = ps.data["sex"] + ps.data["region"]
    got = pd.Series(ps._w).groupby(cell.to_numpy()).sum()
    want = POP_SR.assign(cell=POP_SR["sex"] + POP_SR["region"]).set_index("cell")["Freq"]
    np.testing.assert_allclose(got.loc[want.index], want, rtol=1e-12)


def test_calibrated_totals_are_met_with_zero_se(d2):
    """GREG: the calibration variables' totals are reproduced, with no sampling error."""
    for method, bounds in (("linear", None), ("raking", None), ("logit", (0.85, 1.2))):
        cal = d2.calibrate(TOTALS, method=method, bounds=bounds)
        t = cal.total("x1").iloc[0]
        assert t["estimate"] == pytest.approx(-1500, rel=1e-6)
        assert t["se"] < 1e-6 * 36000
        sex = cal.total("sex")
        np.testing.assert_allclose(sex["estimate"], [18300, 17700], rtol=1e-6)


# -- the variance paths agree ---------------------------------------------------------------

def test_residualiser_composition():
    rng = np.random.default_rng(3)
    n = 40
    B1, C1, K1 = rng.normal(size=(n, 3)), rng.normal(size=(n, 3)), rng.normal(size=(3, 3))
    B2, C2, K2 = rng.normal(size=(n, 2)), rng.normal(size=(n, 2)), rng.normal(size=(2, 2))
    r1, r2 = Residualiser(B1, C1, K1), Residualiser(B2, C2, K2)
    u = rng.normal(size=(n, 4))
    np.testing.assert_allclose(r1.then(r2)(u), r2(r1(u)), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("step", ["poststratify", "rake", "calibrate", "chain"])
def test_influence_vcov_equals_estimator_se(d2, step):
    """Dense residuals (influence_vcov) and the estimators' triplet path give one variance."""
    sex = pd.DataFrame({"sex": ["F", "M"], "Freq": [18300, 17700]})
    region = pd.DataFrame({"region": ["A", "B", "C"], "Freq": [6500, 15800, 13700]})
    d = {"poststratify": lambda: d2.poststratify(POP_SR),
         "rake": lambda: d2.rake([sex, region]),
         "calibrate": lambda: d2.calibrate(TOTALS, method="raking"),
         "chain": lambda: d2.poststratify(sex).calibrate(TOTALS)}[step]()
    x = d.data["x2"].to_numpy(float)
    w = d._w
    m = np.dot(w, x) / w.sum()
    v = d.influence_vcov(np.column_stack([w * (x - m) / w.sum(), w * x]))
    assert np.sqrt(v[0, 0]) == pytest.approx(d.mean("x2")["se"].item(), rel=1e-10)
    assert np.sqrt(v[1, 1]) == pytest.approx(d.total("x2")["se"].item(), rel=1e-10)


@pytest.mark.parametrize("stages", ["one", "two", "none"])
def test_moment_path_equals_dense_path(data, monkeypatch, stages):
    """Beyond DENSE_LIMIT the residual variances come from per-group moments: same values."""
    spec = {"one": {"weights": "w", "strata": "stratum", "cluster": "psu", "fpc": "N1"},
            "two": TWO, "none": {"weights": "w", "strata": "stratum"}}[stages]
    d = tk.stats.Design(data, **spec, lonely_psu="adjust").calibrate(TOTALS, method="raking")
    dense = d.by("edu").mean("x2")
    monkeypatch.setattr(_linearise, "DENSE_LIMIT", 1)
    moments = d.by("edu").mean("x2")
    np.testing.assert_allclose(moments["se"], dense["se"], rtol=1e-8)


def test_trim_keeps_calibration_residuals(d2):
    """R trimWeights keeps postStrata: the trimmed design still uses the residuals."""
    ps = d2.poststratify(POP_SR)
    t = ps.trim_weights(upper=120)
    assert t._lin is ps._lin
    assert t._w.sum() == pytest.approx(ps._w.sum(), rel=1e-12)
    outside = ps._w > 120
    np.testing.assert_allclose(t._w[outside], 120, rtol=1e-12)
    shared = (ps._w[outside] - 120).sum() / (~outside).sum()
    np.testing.assert_allclose(t._w[~outside], ps._w[~outside] + shared, rtol=1e-12)
    strict = ps.trim_weights(upper=100, lower=20, strict=True)
    assert strict._w.max() <= 100 + 1e-9
    assert strict._w.min() >= 20 - 1e-9


def test_repr_shows_no_warning(d2):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        text = d2.poststratify(POP_SR)._repr_html_()
    assert "Survey design" in text


@pytest.mark.parametrize("kind", ["linearised", "replicate", "calibrated"])
def test_degf_by_domain_is_degf_of_each_domain(d2, data, kind):
    """Domain degrees of freedom per group equal R ``degf(subset(design, region == g))``
    as computed by each engine's ``degf(rows)`` (PSUs minus strata of the domain, also
    on a calibrated design; the rank of the replicate weights minus 1). Exact (integers)."""
    if kind == "replicate":
        with pytest.warns(ToolkitWarning, match="second-stage"):
            design = d2.replicate("JKn")
    else:
        design = d2 if kind == "linearised" else d2.poststratify(POP_SR)
    lin = design._lin
    region = pd.Categorical(data["region"])
    group = region.codes.astype(np.int64)
    got = lin.degf_by(lin.unit, group, len(region.categories))
    want = [lin.degf(group == g) for g in range(len(region.categories))]
    assert list(got) == want
    assert len(set(want)) > 1
