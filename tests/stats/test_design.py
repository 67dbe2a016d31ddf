"""Survey design estimates against published R ``survey`` output.

Reference values and sources (R package ``survey``, Lumley):
- apistrat / apiclus1 svymean and svytotal: ``../shared/data/README.md`` (printed in the
  survey package documentation and vignette).
- ``svyby(~api99, ~stype, dclus1, svymean)``: SE for stype H rounds to 41.76 and the
  design effect ``DEff.api99`` for H to 2.212 (expectations in the survey package's
  database-backed design tests, ``expect_equal(round(..., 2), 41.76)``).
- ``svyby(~api99+api00, ~stype, dclus1, svymean, deff=TRUE, vartype="ci")``, stype E:
  api99 607.7917 (563.0720, 652.5114), api00 648.8681 (605.0385, 692.6976) (printed output
  quoted in an R survey issue about ``ftable.svyby``).
- ``svytotal(~stype, dclus1)``: E 4873.97 (SE 1333.32), H 473.86 (158.70),
  M 846.17 (167.55) (survey vignette "survey.pdf", section on simple summaries).
- ``svychisq(~sch.wide+stype, dclus1)``: F = 5.1934, ndf = 1.495, ddf = 20.925,
  p-value = 0.02175 (r-survey.r-forge.r-project.org/survey/example-chisq.html).
- ``svyquantile(~api00, dclus1, c(.25,.5,.75), ci=TRUE)`` (survey >= 4.1): 552 (492, 627,
  se 31.47166), 652 (561, 714, se 35.66788), 719 (696, 777, se 18.88300) (survey vignette).
- apiclus2 two-stage: ``svydesign(id=~dnum+snum, fpc=~fpc1+fpc2)``: svymean(~api00)
  670.81, SE 30.099; svytotal(~enroll) 2,639,273, SE 799,638 (srvyr/survey documentation
  examples); ``svydesign(id=~dnum+snum, weights=~pw)`` (no fpc, first stage only):
  svymean(~api00, deff=TRUE) 670.812, SE 30.712, DEff 6.5075.
- ``data(fpc)``: svymean(~x) 5.4481, SE 0.7413 without fpc and 0.616 with fpc given as
  population size ``Nh`` or as sampling fraction ``nh/Nh`` (``?fpc`` examples).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import ColumnNotFoundError, DesignError


@pytest.fixture
def apistrat(shared):
    return pd.read_csv(shared("reference", "survey_api", "apistrat.csv"))


@pytest.fixture
def apiclus1(shared):
    return pd.read_csv(shared("reference", "survey_api", "apiclus1.csv"))


@pytest.fixture
def dclus1(apiclus1):
    return tk.stats.Design(apiclus1, weights="pw", cluster="dnum", fpc="fpc")


def test_stratified_mean_and_total(apistrat):
    d = tk.stats.Design(apistrat, weights="pw", strata="stype", fpc="fpc")
    m = d.mean("api00").iloc[0]
    # svymean(~api00, dstrat): 662.29, SE 9.4089 (printed precision)
    assert m["estimate"] == pytest.approx(662.29, abs=0.005)
    assert m["se"] == pytest.approx(9.4089, abs=0.00005)
    assert m["n"] == 200
    t = d.total("enroll").iloc[0]
    # svytotal(~enroll, dstrat): 3,687,178, SE 114,642
    assert t["estimate"] == pytest.approx(3687178, abs=0.5)
    assert t["se"] == pytest.approx(114642, abs=0.5)


def test_cluster_mean_and_total(dclus1):
    m = dclus1.mean("api00").iloc[0]
    # svymean(~api00, dclus1): 644.17, SE 23.542
    assert m["estimate"] == pytest.approx(644.17, abs=0.005)
    assert m["se"] == pytest.approx(23.542, abs=0.0005)
    assert m["ci_low"] == pytest.approx(m["estimate"] - 1.959964 * m["se"], rel=1e-6)
    t = dclus1.total("enroll").iloc[0]
    # svytotal(~enroll, dclus1): 3,404,940, SE 932,235
    assert t["estimate"] == pytest.approx(3404940, abs=0.5)
    assert t["se"] == pytest.approx(932235, abs=0.5)


def test_domain_means_keep_the_full_design(dclus1):
    res = dclus1.by("stype").mean("api99").set_index("stype")
    # svyby(~api99, ~stype, dclus1, svymean, deff=TRUE): H se 41.76, DEff 2.212 (2 / 3 dp)
    assert round(res.loc["H", "se"], 2) == 41.76
    assert round(res.loc["H", "deff"], 3) == 2.212
    assert list(res["n"]) == [144, 14, 25]
    # A domain mean is not the mean of a subset design: the full design must enter
    sub = tk.stats.Design(dclus1.data[dclus1.data["stype"] == "H"], weights="pw",
                          cluster="dnum", fpc="fpc").mean("api99")
    assert res.loc["H", "estimate"] == pytest.approx(sub["estimate"].item())
    assert res.loc["H", "se"] != pytest.approx(sub["se"].item(), rel=1e-3)


def test_several_variables_by_group(dclus1):
    res = dclus1.by("stype").mean(["api99", "api00"])
    e = res[res["stype"] == "E"].set_index("variable")
    for var, est, lo, hi in [("api99", 607.7917, 563.0720, 652.5114),
                             ("api00", 648.8681, 605.0385, 692.6976)]:
        assert e.loc[var, "estimate"] == pytest.approx(est, abs=5e-5)
        assert e.loc[var, "ci_low"] == pytest.approx(lo, abs=5e-5)
        assert e.loc[var, "ci_high"] == pytest.approx(hi, abs=5e-5)


def test_totals_of_each_level(dclus1):
    # svytotal(~stype, dclus1): E 4873.97, H 473.86, M 846.17; SE 1333.32, 158.70, 167.55
    published = [("E", 4873.97, 1333.32), ("H", 473.86, 158.70), ("M", 846.17, 167.55)]
    data = dclus1.data.assign(one=1.0)
    tot = tk.stats.Design(data, weights="pw", cluster="dnum", fpc="fpc").by("stype").total("one")
    for (level, value, se), row in zip(published, tot.itertuples(), strict=True):
        assert row.stype == level
        assert row.estimate == pytest.approx(value, abs=0.005)
        assert row.se == pytest.approx(se, abs=0.005)


def test_prop_levels_sum_to_one_and_match_indicator_means(dclus1):
    p = dclus1.prop("stype")
    assert list(p["level"]) == ["E", "H", "M"]
    assert p["estimate"].sum() == pytest.approx(1.0)
    data = dclus1.data.assign(is_h=(dclus1.data["stype"] == "H").astype(float))
    m = tk.stats.Design(data, weights="pw", cluster="dnum", fpc="fpc").mean("is_h")
    row = p[p["level"] == "H"].iloc[0]
    assert row["estimate"] == pytest.approx(m["estimate"].item(), rel=1e-12)
    assert row["se"] == pytest.approx(m["se"].item(), rel=1e-12)
    assert row["deff"] == pytest.approx(m["deff"].item(), rel=1e-9)


def test_prop_by_group_matches_indicator_domain_means(dclus1):
    p = dclus1.by("stype").prop("sch.wide")
    data = dclus1.data.assign(yes=(dclus1.data["sch.wide"] == "Yes").astype(float))
    m = tk.stats.Design(data, weights="pw", cluster="dnum", fpc="fpc").by("stype").mean("yes")
    got = p[p["level"] == "Yes"].reset_index(drop=True)
    np.testing.assert_allclose(got["estimate"], m["estimate"], rtol=1e-12)
    np.testing.assert_allclose(got["se"], m["se"], rtol=1e-10)


def test_rao_scott_crosstab(dclus1):
    test = dclus1.crosstab_test("sch.wide", "stype").iloc[0]
    # svychisq(~sch.wide+stype, dclus1): F = 5.1934, ndf = 1.495, ddf = 20.925, p = 0.02175
    assert test["f"] == pytest.approx(5.1934, abs=5e-5)
    assert test["ndf"] == pytest.approx(1.495, abs=5e-4)
    assert test["ddf"] == pytest.approx(20.925, abs=5e-4)
    assert test["p_value"] == pytest.approx(0.02175, abs=5e-6)
    tab = dclus1.crosstab("sch.wide", "stype")
    # svytable(~sch.wide+stype, dclus1): No/E 406.1640, Yes/E 4467.8035, Yes/M 575.3989
    cells = {(r, c): v for r, c, v in zip(tab["sch.wide"], tab["stype"], tab["total"],
                                          strict=True)}
    assert cells[("No", "E")] == pytest.approx(406.1640, abs=5e-5)
    assert cells[("Yes", "E")] == pytest.approx(4467.8035, abs=5e-5)
    assert cells[("Yes", "M")] == pytest.approx(575.3989, abs=5e-5)
    assert tab["estimate"].sum() == pytest.approx(1.0)
    assert tab.attrs["test"]["f"] == pytest.approx(test["f"])


def test_quantiles_woodruff(dclus1):
    q = dclus1.quantile("api00", [0.25, 0.5, 0.75])
    # svyquantile(~api00, dclus1, c(.25,.5,.75), ci=TRUE), survey >= 4.1 defaults
    assert list(q["estimate"]) == [552, 652, 719]
    assert list(q["ci_low"]) == [492, 561, 696]
    assert list(q["ci_high"]) == [627, 714, 777]
    np.testing.assert_allclose(q["se"], [31.47166, 35.66788, 18.88300], atol=5e-6)


def test_quantile_by_group_uses_domain(dclus1):
    q = dclus1.by("stype").quantile("api00", 0.5)
    assert list(q["stype"]) == ["E", "H", "M"]
    # the domain median equals the weighted median of the domain's own rows
    sub = dclus1.data[dclus1.data["stype"] == "E"]
    ref = tk.stats.Design(sub, weights="pw").quantile("api00", 0.5)["estimate"].item()
    assert q.loc[0, "estimate"] == ref


@pytest.fixture
def fpc_data(shared):
    return pd.read_csv(shared("reference", "survey_small_designs", "fpc.csv"))


def test_fpc_as_population_or_fraction(fpc_data):
    # ?fpc examples: withoutfpc 5.4481 (SE 0.7413); withfpc 5.4481 (SE 0.616)
    base = {"weights": "weight", "strata": "stratid", "cluster": "psuid"}
    without = tk.stats.Design(fpc_data, **base).mean("x").iloc[0]
    assert without["estimate"] == pytest.approx(5.4481, abs=5e-5)
    assert without["se"] == pytest.approx(0.7413, abs=5e-5)
    with_n = tk.stats.Design(fpc_data, **base, fpc="Nh").mean("x").iloc[0]
    assert with_n["se"] == pytest.approx(0.616, abs=5e-4)
    frac = fpc_data.assign(f=fpc_data["nh"] / fpc_data["Nh"])
    with_f = tk.stats.Design(frac, **base, fpc="f").mean("x").iloc[0]
    assert with_f["se"] == pytest.approx(with_n["se"], rel=1e-12)
    # weights implied by the fpc when none are given (R: ids=~psuid, fpc=~Nh only)
    implied = tk.stats.Design(fpc_data, strata="stratid", cluster="psuid", fpc="Nh")
    assert implied.mean("x")["se"].item() == pytest.approx(0.616, abs=5e-4)


def test_missing_values_are_a_domain_not_a_subset(dclus1):
    data = dclus1.data.copy()
    data.loc[data.index[:10], "api00"] = np.nan
    d = tk.stats.Design(data, weights="pw", cluster="dnum", fpc="fpc")
    m = d.mean("api00").iloc[0]
    assert m["n"] == len(data) - 10
    ind = data.assign(has=data["api00"].notna().astype(float))
    dom = tk.stats.Design(ind, weights="pw", cluster="dnum", fpc="fpc").by("has").mean("api00")
    assert m["se"] == pytest.approx(dom.loc[dom["has"] == 1.0, "se"].item(), rel=1e-12)
    assert not dclus1.data["api00"].isna().any()  # input untouched


def test_lonely_psu_options():
    df = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0, 10.0], "s": ["a", "a", "b", "b", "c"],
                       "w": [2.0, 2.0, 3.0, 3.0, 1.0]})
    with pytest.raises(DesignError, match="lonely_psu"):
        tk.stats.Design(df, weights="w", strata="s")
    removed = tk.stats.Design(df, weights="w", strata="s", lonely_psu="remove").mean("y")
    certain = tk.stats.Design(df, weights="w", strata="s", lonely_psu="certainty").mean("y")
    adjusted = tk.stats.Design(df, weights="w", strata="s", lonely_psu="adjust").mean("y")
    averaged = tk.stats.Design(df, weights="w", strata="s", lonely_psu="average").mean("y")
    assert removed["se"].item() == pytest.approx(certain["se"].item())
    assert adjusted["se"].item() > removed["se"].item()
    # "average": the two regular strata's variance scaled by 3 strata / 2 strata
    assert averaged["se"].item() ** 2 == pytest.approx(removed["se"].item() ** 2 * 1.5)
    # hand computation of "adjust": the lonely PSU's influence value squared is added
    w, y = df["w"].to_numpy(), df["y"].to_numpy()
    mean = (w * y).sum() / w.sum()
    u = w * (y - mean) / w.sum()
    v_regular = sum(2 * ((u[i] - u[i:i + 2].mean()) ** 2 + (u[i + 1] - u[i:i + 2].mean()) ** 2)
                    for i in (0, 2))
    assert adjusted["se"].item() ** 2 == pytest.approx(v_regular + u[4] ** 2)


def test_errors_name_the_problem(apiclus1):
    with pytest.raises(ColumnNotFoundError, match="dnum"):
        tk.stats.Design(apiclus1, weights="pw", cluster="dnumm")
    bad = apiclus1.assign(pw=apiclus1["pw"].where(apiclus1.index > 0))
    with pytest.raises(DesignError, match="weights"):
        tk.stats.Design(bad, weights="pw", cluster="dnum")
    var_fpc = apiclus1.assign(fpc=np.arange(len(apiclus1)) + 1000)
    with pytest.raises(DesignError, match="varies within a stratum"):
        tk.stats.Design(var_fpc, weights="pw", cluster="dnum", fpc="fpc")
    d = tk.stats.Design(apiclus1, weights="pw", cluster="dnum")
    # a text column is a factor: its mean is the share of each category (R svymean(~stype))
    pd.testing.assert_frame_equal(d.mean("stype"), d.prop("stype", method="wald"))
    with pytest.raises(TypeError, match="prop"):
        d.quantile("stype")


def test_study_design_property():
    survey = pd.DataFrame({"respondent_id": [f"R{i}" for i in range(6)],
                           "weight": [1.0, 2, 1, 2, 1, 2], "q1": [1.0, 2, 3, 4, 5, 3],
                           "cluster": ["a", "a", "b", "b", "c", "c"]})
    study = tk.Study(survey=survey, design={"weights": "weight", "cluster": "cluster"})
    via_study = study.design.mean("q1")
    direct = tk.stats.Design(survey, weights="weight", cluster="cluster").mean("q1")
    pd.testing.assert_frame_equal(via_study, direct)
    assert repr(study.design).startswith("<Design n=6")


def test_categorical_and_ordered_values():
    cat = pd.Categorical(["低", "高", "中", None, "高"], categories=["低", "中", "高"],
                         ordered=True)
    df = pd.DataFrame({"q": cat, "g": ["x", "x", "y", "y", "y"]})
    d = tk.stats.Design(df)
    p = d.prop("q")
    assert list(p["level"]) == ["低", "中", "高"]
    assert list(p["n"]) == [4, 4, 4]
    assert d.mean("q")["estimate"].item() == pytest.approx((1 + 3 + 2 + 3) / 4)
    assert list(d.by("g").mean("q")["g"]) == ["x", "y"]


@pytest.fixture
def apiclus2(shared):
    return pd.read_csv(shared("reference", "survey_api", "apiclus2.csv"))


def test_two_stage_with_fpc(apiclus2):
    d = tk.stats.Design(apiclus2, cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"])
    m = d.mean("api00").iloc[0]
    assert m["estimate"] == pytest.approx(670.81, abs=0.005)
    assert m["se"] == pytest.approx(30.099, abs=5e-4)
    t = d.total("enroll").iloc[0]
    assert t["estimate"] == pytest.approx(2639273, abs=0.5)
    assert t["se"] == pytest.approx(799638, abs=0.5)
    # the cross-table covariance includes the second stage too
    data = apiclus2.assign(cell=((apiclus2["sch.wide"] == "Yes")
                                 & (apiclus2["stype"] == "E")).astype(float))
    d2 = tk.stats.Design(data, cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"])
    tab = d2.crosstab("sch.wide", "stype")
    cell = tab[(tab["sch.wide"] == "Yes") & (tab["stype"] == "E")].iloc[0]
    assert cell["se"] == pytest.approx(d2.mean("cell")["se"].item(), rel=1e-10)


def test_two_stage_without_fpc_is_first_stage_only(apiclus2):
    d = tk.stats.Design(apiclus2, weights="pw", cluster=["dnum", "snum"])
    m = d.mean("api00").iloc[0]
    assert m["se"] == pytest.approx(30.712, abs=5e-4)
    assert m["deff"] == pytest.approx(6.5075, abs=5e-5)
    one = tk.stats.Design(apiclus2, weights="pw", cluster="dnum").mean("api00")
    assert m["se"] == pytest.approx(one["se"].item())


def test_demo_study_design(demo_study):
    d = demo_study.design
    assert d.degf == 56 - 14  # 56 sampled communities in 14 strata
    res = d.by("attended").mean("sat1").set_index("attended")
    # planted: attending raises satisfaction (ordered-logit coefficient 0.6 > 0), so the
    # design-based difference in mean satisfaction must be positive and clear of zero
    diff = res.loc["是", "estimate"] - res.loc["否", "estimate"]
    se = np.hypot(res.loc["是", "se"], res.loc["否", "se"])  # covariance ignored ...
    assert diff - 4 * se > 0  # ... so demand a margin no covariance could close (|r| <= 1)
    shares = d.prop("party_member")
    assert shares["estimate"].sum() == pytest.approx(1.0)


def test_influence_vcov_reproduces_built_in_variances(apiclus2, dclus1):
    for d in (dclus1, tk.stats.Design(apiclus2, cluster=["dnum", "snum"], fpc=["fpc1", "fpc2"])):
        y = d.data["api00"].to_numpy(float)
        w = d._w
        mean = (w * y).sum() / w.sum()
        u = np.column_stack([w * (y - mean) / w.sum(), w * d.data["enroll"].fillna(0)])
        v = d.influence_vcov(u)
        assert np.sqrt(v[0, 0]) == pytest.approx(d.mean("api00")["se"].item(), rel=1e-10)
        if not d.data["enroll"].isna().any():
            assert np.sqrt(v[1, 1]) == pytest.approx(d.total("enroll")["se"].item(), rel=1e-10)
        assert v[0, 1] == pytest.approx(v[1, 0])


def test_by_two_groups_names_both_group_columns():
    data = pd.DataFrame({"town": ["A", "A", "B", "B"], "sex": ["男", "女", "男", "女"],
                         "y": [1.0, 2.0, 3.0, 5.0]})
    out = tk.stats.Design(data).by(["town", "sex"]).mean("y")
    assert {"town", "sex"} <= set(out.columns)
    got = out.set_index(["town", "sex"])["estimate"]
    assert got.loc[("B", "女")] == 5.0


def test_design_signature_and_study_cache(tmp_path):
    import inspect

    params = inspect.signature(tk.stats.Design).parameters
    assert list(params) == ["data", "weights", "strata", "cluster", "fpc", "lonely_psu"]
    survey = pd.DataFrame({"respondent_id": [f"R{i}" for i in range(6)],
                           "w": [1.0, 2, 1, 2, 1, 2], "q1": [1.0, 2, 3, 4, 5, 3],
                           "h": ["a", "a", "a", "b", "b", "b"],
                           "c": ["x", "y", "z", "u", "v", "v"], "N": [3, 3, 3, 9, 9, 9]})
    study = tk.Study(survey=survey, design={"weights": "w", "strata": "h", "cluster": "c",
                                            "fpc": "N", "lonely_psu": "adjust"})
    assert study.design is study.design  # kept, not rebuilt on each access
    assert study.design.lonely_psu == "adjust"
    first = study.design
    study.survey = survey.copy()
    assert study.design is not first  # a new table, a new design
    # the manifest's design section carries two stages and lonely_psu
    survey.to_csv(tmp_path / "survey.csv", index=False)
    (tmp_path / "study.yaml").write_text(
        "tables:\n  survey: survey.csv\ndesign:\n  strata: h\n  cluster: [c, respondent_id]\n"
        "  fpc: [N, N]\n  lonely_psu: remove\n", encoding="utf-8")
    read = tk.read_study(tmp_path)
    assert read.design_spec.cluster == ("c", "respondent_id")
    assert read.design.lonely_psu == "remove"
    (tmp_path / "study.yaml").write_text(
        "tables:\n  survey: survey.csv\ndesign:\n  lonely_psu: sometimes\n", encoding="utf-8")
    with pytest.raises(tk.errors.ManifestError, match="lonely_psu"):
        tk.read_study(tmp_path)

