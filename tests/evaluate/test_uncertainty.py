"""Monte Carlo rank intervals, Sobol' indices and removal shifts.

- The Sobol' estimator (Saltelli 2010 first order, Jansen total) is checked on the Ishigami
  function against its analytic indices (Ishigami & Homma 1990; Saltelli et al. 2008,
  *Global Sensitivity Analysis: The Primer*, section 4.4, a = 7, b = 0.1).
- The vectorised engine is checked against a plain loop over replications that calls the
  public functions one replication at a time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit.evaluate import _sobol
from toolkit.evaluate.aggregation import Plan
from toolkit.evaluate.montecarlo import _Design, _renormalise, _run, _siblings


def _ishigami(u, a=7.0, b=0.1):
    x = -np.pi + 2 * np.pi * u
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_estimator_on_ishigami():
    a, b = 7.0, 0.1
    v = a**2 / 8 + b * np.pi**4 / 5 + b**2 * np.pi**8 / 18 + 0.5
    v1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * np.pi**8 * (1 / 18 - 1 / 50)
    first = np.array([v1 / v, v2 / v, 0.0])  # 0.3139, 0.4424, 0
    total = np.array([(v1 + v13) / v, v2 / v, v13 / v])  # 0.5576, 0.4424, 0.2437
    fa, fb, fab = None, None, None
    A, B, AB = _sobol.sobol_design(np.random.default_rng(20231108), 2**15, [1, 1, 1])
    fa, fb, fab = _ishigami(A), _ishigami(B), [_ishigami(m) for m in AB]
    s1, st, var = _sobol.sobol_indices(fa, fb, fab)
    assert var == pytest.approx(v, rel=0.02)
    assert s1 == pytest.approx(first, abs=0.02)  # Monte Carlo error at N = 32768
    assert st == pytest.approx(total, abs=0.02)


def test_engine_equals_a_loop_over_replications(indicator_table, two_pillars):
    ev = tk.evaluate.evaluate(indicator_table, system=two_pillars, uncertainty=False)
    spec = ev.spec
    plan = Plan.of(spec.system, spec.leaves)
    options = {"imputation": ("none",), "normalisation": ("minmax", "zscore", "rank"),
               "weighting": ("nominal", "equal", "entropy"),
               "aggregation": ("arithmetic", "geometric")}
    rng = np.random.default_rng(3)
    r = 12
    design = _Design(imputation=np.zeros(r, int), normalisation=rng.integers(0, 3, r),
                     weighting=rng.integers(0, 3, r), aggregation=rng.integers(0, 2, r),
                     noise=rng.uniform(0.75, 1.25, (r, len(plan.nodes))))
    ranks = _run(spec, plan, design, options, _siblings(plan, spec.system))
    for k in range(r):
        norm = options["normalisation"][design.normalisation[k]]
        wname = options["weighting"][design.weighting[k]]
        agg = options["aggregation"][design.aggregation[k]]
        if wname == "nominal":
            base = two_pillars.local_weights()
        else:
            w = tk.evaluate.weights(indicator_table, method=wname, system=two_pillars)
            base = dict(zip(w["indicator"], w["weight"], strict=True))
        noisy = np.array([base[c] for c in plan.nodes]) * design.noise[k]
        local = _renormalise(noisy[:, None], _siblings(plan, spec.system))[:, 0]
        normalised = tk.evaluate.normalise(indicator_table, method=norm, system=two_pillars)
        if agg == "geometric":  # values shifted to start at 1 where not positive
            for c in two_pillars.leaves:
                low = normalised[c].min()
                if low <= 0:
                    normalised[c] = normalised[c] - low + 1
        scores = tk.evaluate.aggregate(normalised, system=two_pillars, method=agg,
                                       weights=pd.DataFrame({"indicator": plan.nodes,
                                                             "weight": local}))
        expected = scores["index"].rank(ascending=False, method="min").to_numpy()
        assert ranks[:, k] == pytest.approx(expected), (norm, wname, agg)


def test_no_uncertainty_gives_zero_width(indicator_table, two_pillars):
    ev = tk.evaluate.evaluate(indicator_table, system=two_pillars, n=50, seed=1,
                              uncertainty={"normalisation": "minmax", "weighting": "nominal",
                                           "aggregation": "arithmetic", "noise": 0.0})
    u = ev.uncertainty
    assert (u.ranks["width"] == 0).all()
    assert (u.ranks["median_rank"] == ev.ranks["rank"]).all()
    assert u.sensitivity is None


def test_seeded_intervals_are_reproducible_and_pinned(indicator_table, two_pillars):
    a = tk.evaluate.evaluate(indicator_table, system=two_pillars, n=300, seed=11)
    b = tk.evaluate.evaluate(indicator_table, system=two_pillars, n=300, seed=11)
    pd.testing.assert_frame_equal(a.uncertainty.ranks, b.uncertainty.ranks)
    u = a.uncertainty
    assert u.rank_matrix.shape == (30, 600)  # two Saltelli base samples of 300
    assert ((u.ranks["rank_low"] <= u.ranks["median_rank"])
            & (u.ranks["median_rank"] <= u.ranks["rank_high"])).all()
    # Pinned from this seeded run (numpy default_rng(11)); a change means the sampling
    # or the index computation changed.
    assert u.median_width == PINNED_WIDTH
    sens = u.sensitivity
    assert set(sens["factor"]) == {"normalisation", "weighting", "noise", "aggregation"}
    shift = sens[sens["output"] == "mean_rank_shift"]
    assert (shift["total"] >= shift["first_order"] - 0.05).all()  # ST >= S1, up to MC error
    assert ((shift["total"] > -0.05) & (shift["total"] < 1.05)).all()


PINNED_WIDTH = 4.0


def test_removal_equals_reevaluating_without_the_indicator(indicator_table, two_pillars):
    ev = tk.evaluate.evaluate(indicator_table, system=two_pillars, n=20, seed=1)
    rem = ev.uncertainty.removal.set_index("indicator")
    for leaf in ["a1", "b2"]:
        smaller = tk.evaluate.evaluate(indicator_table.drop(columns=[leaf]),
                                       system=two_pillars.without(leaf), uncertainty=False)
        shift = (smaller.ranks["rank"] - ev.ranks["rank"]).abs()
        assert rem.loc[leaf, "mean_abs_shift"] == pytest.approx(shift.mean())
        assert rem.loc[leaf, "max_abs_shift"] == pytest.approx(shift.max())


def test_uncertainty_options_are_checked(indicator_table):
    ev = tk.evaluate.evaluate(indicator_table, uncertainty=False)
    with pytest.raises(ValueError, match="`normalisation` must be one of"):
        tk.evaluate.uncertainty(ev, normalisation=["minmax", "zcore"])
    with pytest.raises(ValueError, match="`interval`"):
        tk.evaluate.uncertainty(ev, interval=90)
    with pytest.raises(ValueError, match="Unknown `uncertainty` option"):
        tk.evaluate.evaluate(indicator_table, uncertainty={"nosie": 0.1})
