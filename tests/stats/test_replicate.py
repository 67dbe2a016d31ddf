"""Replicate-weight designs: construction, R's Hadamard matrices, the bootstrap, refusals.

The estimates and SEs of replicate designs are checked against R in
``test_calibrate_reference.py``. Here: ``survey:::hadamard(n)`` exactly (values recorded by
``tests/reference/R/calibrate.R``), the bootstrap in distribution (its weights are random:
the variance of a total over many replicates approaches the linearisation variance), the
replicate weights written out and read back by ``ReplicateDesign`` (R ``svrepdesign`` on
``weights(rep, "analysis")``) giving the same SEs to 1e-10, and the refusals and warnings.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import DataTooLargeError, DesignError, ToolkitWarning
from toolkit.stats import replicate as replicate_module
from toolkit.stats.replicate import hadamard

ReplicateDesign = tk.stats.ReplicateDesign

DATA = Path(__file__).resolve().parents[1] / "reference" / "data" / "design_two_stage.csv"
ONE = {"weights": "w", "strata": "stratum", "cluster": "psu", "fpc": "N1"}


@pytest.fixture(scope="module")
def data():
    return pd.read_csv(DATA)


@pytest.fixture(scope="module")
def d1(data):
    return tk.stats.Design(data, **ONE, lonely_psu="adjust")


@pytest.mark.parametrize("n", [3, 10, 14, 20, 26, 30, 50, 100])
def test_hadamard_is_r(r_reference, n):
    """survey:::hadamard(n): precooked (4, 16, 28, 36), doubled, and Paley's construction."""
    case = r_reference("calibrate")[f"hadamard/{n}"]
    want = np.array([[int(c) for c in row] for row in case["value"]])
    got = hadamard(n)
    np.testing.assert_array_equal(got, want, err_msg=case["call"])
    pm = 2 * got - 1
    assert got.shape[0] > n
    np.testing.assert_array_equal(pm @ pm.T, got.shape[0] * np.eye(got.shape[0]))


def test_is_a_design(d1):
    rep = d1.replicate("JKn")
    assert isinstance(rep, tk.stats.Design)
    assert isinstance(rep, ReplicateDesign)
    assert rep.replicates == 56  # 57 PSUs, the certainty stratum S01 without replicates
    assert "JKn" in repr(rep)
    assert "Replicate-weight" in rep._repr_html_()


@pytest.mark.parametrize("kind", ["JKn", "bootstrap"])
def test_written_weights_read_back(d1, data, kind):
    """svrepdesign(repweights = weights(rep, "analysis"), ...) has the SEs of rep itself."""
    rep = d1.replicate(kind, seed=1) if kind == "bootstrap" else d1.replicate(kind)
    firm = pd.concat([data, rep.repweights.add_prefix("r_")], axis=1)
    kw = {"rscales": rep.rscales} if kind == "JKn" else {}
    back = ReplicateDesign(firm, weights="w", repweights="^r_", type=kind, scale=rep.scale,
                           **kw)
    for a, b in ((rep.mean("y"), back.mean("y")), (rep.by("region").mean("edu"),
                                                   back.by("region").mean("edu"))):
        np.testing.assert_allclose(a["se"], b["se"], rtol=1e-10)
    # the supplied columns are grouped like PSUs again (R's compressed weights; PSUs that
    # share their factors in every replicate, like the single PSUs of S01 and S02 in the
    # bootstrap, share one unit)
    assert back._lin.n_unit <= rep._lin.n_unit
    assert back.degf == rep.degf


def test_influence_vcov_is_the_replicate_variance_of_a_total(d1):
    rep = d1.replicate("JKn", mse=True)
    rep2 = tk.stats.Design(rep.data, **ONE, lonely_psu="remove").replicate("JKn")
    for r in (rep, rep2):
        x = r.data["x1"].to_numpy(float)
        v = r.influence_vcov(r._w * x)
        if r is rep2:  # no self-representing PSU is held fixed under "remove"
            assert np.sqrt(v[0, 0]) == pytest.approx(r.total("x1")["se"].item(), rel=1e-10)


def test_bootstrap_in_distribution():
    """Many bootstrap replicates: the variance of a total nears the linearisation variance.

    Without fpc and with equal PSUs per stratum, R's rescaled bootstrap (counts, scale
    n/((n-1)(R-1))) is unbiased for the with-replacement variance of a total.
    """
    rng = np.random.default_rng(5)
    n_psu, per = 40, 8
    psu = np.repeat(np.arange(n_psu), 10)
    df = pd.DataFrame({"psu": psu, "st": psu // per,
                       "y": rng.normal(size=n_psu)[psu] + rng.normal(size=len(psu)),
                       "w": rng.uniform(1, 3, size=len(psu))})
    d = tk.stats.Design(df, weights="w", strata="st", cluster="psu")
    rep = d.replicate("bootstrap", replicates=4000, seed=11)
    assert rep.scale == pytest.approx(per / ((per - 1) * 3999), rel=1e-12)
    ratio = (rep.total("y")["se"].item() / d.total("y")["se"].item()) ** 2
    assert ratio == pytest.approx(1.0, abs=0.1)
    again = d.replicate("bootstrap", replicates=4000, seed=11)
    np.testing.assert_array_equal(again.repweights.to_numpy(), rep.repweights.to_numpy())


def test_conversion_refusals(data, d1):
    unstrat = tk.stats.Design(data, weights="w", cluster="psu")
    with pytest.raises(DesignError, match=r"JK1.*stratified"):
        d1.replicate("JK1")
    with pytest.raises(DesignError, match="needs strata"):
        unstrat.replicate("JKn")
    nofpc = tk.stats.Design(data, weights="w", strata="stratum", cluster="psu",
                            lonely_psu="adjust")
    with pytest.raises(DesignError, match=r"two PSUs per stratum.*S01"):
        nofpc.replicate("BRR")
    odd = tk.stats.Design(data[data["stratum"].isin(["S03", "S04"])], weights="w",
                          strata="stratum", cluster="psu")
    with pytest.raises(DesignError, match="odd number of PSUs"):
        odd.replicate("BRR")
    with pytest.raises(DesignError, match="needs `rho`"):
        d1.replicate("Fay")
    with pytest.raises(DesignError, match="bootstrap replicates"):
        d1.replicate("JKn", replicates=10)
    with pytest.raises(ValueError, match="type"):
        d1.replicate("jackknife")
    with pytest.raises(DesignError, match="already has replicate weights"):
        d1.replicate("JKn").replicate()


def test_conversion_warnings(data):
    two = tk.stats.Design(data, weights="w", strata="stratum", cluster=["psu", "ssu"],
                          fpc=["N1", "N2"], lonely_psu="adjust")
    with pytest.warns(ToolkitWarning, match="second-stage finite-population correction"):
        two.replicate("JKn")
    pairs = data[data["stratum"].isin(["S03", "S10"])]
    dp = tk.stats.Design(pairs, weights="w", strata="stratum", cluster="psu", fpc="N1")
    with pytest.warns(ToolkitWarning, match="finite-population correction is dropped"):
        dp.replicate("BRR")


def test_supplied_weight_refusals(data):
    firm = data.assign(r1=data["w"], r2=data["w"] * 2)
    with pytest.raises(DesignError, match="matches no column"):
        ReplicateDesign(firm, weights="w", repweights="^rep", type="bootstrap")
    with pytest.raises(DesignError, match="not a valid regular expression"):
        ReplicateDesign(firm, weights="w", repweights="(", type="bootstrap")
    bad = firm.assign(r2=np.where(firm.index == 3, np.nan, firm["r2"]))
    with pytest.raises(DesignError, match=r"missing or non-numeric in \['r2'\]"):
        ReplicateDesign(bad, weights="w", repweights=["r1", "r2"], type="bootstrap")
    neg = firm.assign(r1=-firm["r1"])
    with pytest.raises(DesignError, match=r"negative in \['r1'\]"):
        ReplicateDesign(neg, weights="w", repweights=["r1", "r2"], type="bootstrap")
    with pytest.raises(DesignError, match="needs `rscales`"):
        ReplicateDesign(firm, weights="w", repweights=["r1", "r2"], type="JKn")
    with pytest.raises(DesignError, match="Fay's factor"):
        ReplicateDesign(firm, weights="w", repweights=["r1", "r2"], type="Fay")
    with pytest.raises(DesignError, match="fixes the scale"):
        ReplicateDesign(firm, weights="w", repweights=["r1", "r2"], type="BRR", scale=2)
    with pytest.raises(DesignError, match="`rscales` has 3 values"):
        ReplicateDesign(firm, weights="w", repweights=["r1", "r2"], type="other",
                        scale=1, rscales=[1, 1, 1])
    with pytest.raises(ValueError, match="type"):
        ReplicateDesign(firm, weights="w", repweights=["r1", "r2"], type="jackknife")
    with pytest.raises(DesignError, match="Weights column `w`"):
        ReplicateDesign(firm.assign(w=0.0), weights="w", repweights=["r1", "r2"],
                        type="bootstrap")


def test_supplied_weight_warnings(data):
    """R svrepdesign: JK1 without scale guesses (n-1)/n; no weights means all 1."""
    firm = data.assign(r1=data["w"], r2=data["w"] * 2, r3=data["w"] * 0.5)
    with pytest.warns(ToolkitWarning, match="number of replicates"):
        rep = ReplicateDesign(firm, weights="w", repweights=["r1", "r2", "r3"], type="JK1")
    assert rep.scale == pytest.approx(2 / 3)
    with pytest.warns(ToolkitWarning, match="No sampling weights"):
        ReplicateDesign(firm, repweights=["r1", "r2", "r3"], type="bootstrap")


def test_domain_without_weight_in_a_replicate(data):
    """A replicate leaving a domain empty gives no estimate; R drops it (na.omit), warning."""
    sub = data[data["stratum"].isin(["S03", "S04"])]
    dom = sub.assign(g=np.where(sub["psu"] == sub["psu"].iloc[0], "one", "rest"))
    rep = tk.stats.Design(dom, weights="w", cluster="psu").replicate("JK1")
    with pytest.warns(ToolkitWarning, match="1 replicate"):
        out = rep.by("g").mean("x1")
    assert np.isfinite(out["se"]).all()


def test_calibrating_many_replicates_is_refused(d1, monkeypatch):
    rep = d1.replicate("JKn")
    monkeypatch.setattr(replicate_module, "GRID_LIMIT", 1000)
    pop = pd.DataFrame({"sex": ["F", "M"], "Freq": [18300, 17700]})
    with pytest.raises(DataTooLargeError, match="Calibrating 56 replicates"):
        rep.poststratify(pop)


def test_jackknife_of_too_many_psus_is_refused(d1, monkeypatch):
    monkeypatch.setattr(replicate_module, "GRID_LIMIT", 1000)
    with pytest.raises(DataTooLargeError, match="jackknife of 57 PSUs"):
        d1.replicate("JKn")


def test_model_notes_name_the_replicates(d1, data):
    rep = d1.replicate("JKn")
    fit = tk.stats.regress("x1 ~ x2", data, design=rep)
    assert any("56 JKn replicate weights" in n for n in fit.notes)
    fit = tk.stats.ologit("sat ~ x1", data, design=rep)
    assert any("replicate weights" in n for n in fit.notes)
