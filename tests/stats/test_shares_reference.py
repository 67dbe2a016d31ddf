"""Share intervals (``Design.prop(method=)``) on calibrated and replicate-weight designs
against R survey 4.1 ``svyciprop`` and ``svyby(..., svyciprop)``.

Source: ``tests/reference/R/shares.R`` (the two-stage fixture of ``design.R``; lonely PSUs
adjusted): a post-stratified two-stage design, a JKn replicate design of its first stage,
and that replicate design post-stratified; JK1 without strata, BRR and Fay (rho 0.3) on the
28 PSU pairs of ``calibrate.R``, and a survey firm's bootstrap weights
(``calibrate_bootstrap.csv``, R's own replicates) read by ``ReplicateDesign``. Each case
records its R call. Tolerance 1e-6 relative for the closed forms. The likelihood interval
follows R's spline: 1e-5 on the whole design, 5e-5 in domains of a calibrated design
(region A's lower limit is 3.8e-5 from R's).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import toolkit as tk

DATA = Path(__file__).resolve().parents[1] / "reference" / "data"
ONE = {"weights": "w", "strata": "stratum", "cluster": "psu", "fpc": "N1"}
TWO = {"weights": "w", "strata": "stratum", "cluster": ["psu", "ssu"], "fpc": ["N1", "N2"]}
METHODS = ["logit", "mean", "beta", "asin", "xlogit"]


@pytest.fixture(scope="module")
def ref(r_reference):
    return r_reference("shares")


@pytest.fixture(scope="module")
def designs(ref):
    data = pd.read_csv(DATA / "design_two_stage.csv")
    pop = pd.DataFrame(ref["pop_sex_region"]["value"])
    d2 = tk.stats.Design(data, **TWO, lonely_psu="adjust")
    jkn = tk.stats.Design(data, **ONE, lonely_psu="adjust").replicate("JKn")
    pairs = data[data["psu"] != "P057"].copy()
    index = {p: i + 1 for i, p in enumerate(sorted(pairs["psu"].unique()))}
    pairs["vstrat"] = [f"V{(index[p] + 1) // 2:02d}" for p in pairs["psu"]]
    dp = tk.stats.Design(pairs, weights="w", strata="vstrat", cluster="psu")
    boot = pd.concat([data, pd.read_csv(DATA / "calibrate_bootstrap.csv")], axis=1)
    return {"ps": d2.poststratify(pop), "jkn": jkn, "jkn_ps": jkn.poststratify(pop),
            "jk1": tk.stats.Design(data, weights="w", cluster="psu").replicate("JK1"),
            "brr": dp.replicate("BRR"), "fay": dp.replicate("Fay", rho=0.3),
            "firm": tk.stats.ReplicateDesign(boot, weights="w", repweights="^boot[0-9]+$",
                                             type="bootstrap")}


def _yes(frame):
    return frame[frame["level"] == 1].reset_index(drop=True)


@pytest.mark.parametrize("method", [*METHODS, "likelihood"])
@pytest.mark.parametrize("name", ["ps", "jkn", "jkn_ps", "jk1", "brr", "fay", "firm"])
def test_share_interval_equals_svyciprop(designs, ref, name, method):
    key = f"{name}/{method}"
    if key not in ref:  # R gives no likelihood interval on replicate weights
        with pytest.raises(tk.errors.ArgumentError, match="likelihood"):
            designs[name].prop("yes", method=method)
        return
    want, rel = ref[key], (1e-5 if method == "likelihood" else 1e-6)
    got = _yes(designs[name].prop("yes", method=method))
    assert got["estimate"].iloc[0] == pytest.approx(want["value"]["estimate"], rel=1e-9)
    assert [got["ci_low"].iloc[0], got["ci_high"].iloc[0]] == pytest.approx(
        want["value"]["ci"], rel=rel), want["call"]
    want = ref[key + "/by"]
    rel = 5e-5 if method == "likelihood" else rel
    got = _yes(designs[name].by("region").prop("yes", method=method))
    for col in ("estimate", "ci_low", "ci_high"):
        assert got[col].tolist() == pytest.approx(want["value"][col], rel=rel), want["call"]
