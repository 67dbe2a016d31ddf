"""Monte Carlo rank uncertainty of ``tk.evaluate`` against bare-numpy floors.

Target (issue 15): 1,000 Monte Carlo replications of a 30-indicator, 3-level system
(3 pillars x 2 sub-pillars x 5 indicators) over 5,000 units in under 10 s on 2 cores,
vectorised over replications. The replications vary normalisation (min-max, z-score,
rank), weighting (nominal, equal, entropy, CRITIC), weight noise (+/-25 %) and
aggregation (arithmetic, geometric).

Floors, in the same run:
- numpy, one matrix product: the composite of 1,000 noisy flat weight vectors on one
  min-max matrix, ranked by a double argsort (no choices, no hierarchy, ties ignored);
- numpy loop: the same, one replication at a time, ranked with scipy ``rankdata`` (the
  hand-written bootstrap idiom).

Run: ``python benchmarks/bench_evaluate.py``.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from scipy import stats

import toolkit as tk

UNITS = 5_000
REPLICATIONS = 1_000
TARGET = 10.0


def make_data(seed: int = 20231108) -> tuple[pd.DataFrame, tk.evaluate.IndexSystem]:
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=UNITS)
    cols: dict[str, np.ndarray] = {"unit": np.array([f"U{i:05d}" for i in range(UNITS)])}
    entries = []
    for p in range(3):
        subs = []
        for s in range(2):
            leaves = []
            for k in range(5):
                code = f"x{p}{s}{k}"
                signal = 0.3 + 0.1 * k
                if k == 4:  # one negative indicator per sub-pillar
                    cols[code] = rng.poisson(np.exp(1.0 - signal * latent)).astype(float)
                    leaves.append({"indicator": code, "direction": "-"})
                else:
                    cols[code] = rng.gamma(2.0, np.exp(signal * latent))
                    leaves.append({"indicator": code})
            subs.append({"indicator": f"S{p}{s}", "children": leaves})
        entries.append({"indicator": f"P{p}", "children": subs})
    return pd.DataFrame(cols), tk.evaluate.IndexSystem({"indicators": entries})


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    data, system = make_data()
    x = data[system.leaves].to_numpy(float)
    dirs = np.array([system.direction(c) for c in system.leaves])
    xd = x * dirs
    norm = (xd - xd.min(0)) / np.ptp(xd, axis=0) * 100
    rng = np.random.default_rng(1)
    w = rng.uniform(0.75, 1.25, (len(system.leaves), REPLICATIONS))
    w /= w.sum(0)

    def numpy_matmul():
        scores = (norm @ w).T
        return np.argsort(np.argsort(-scores, axis=1), axis=1) + 1

    def numpy_loop():
        out = np.empty((UNITS, REPLICATIONS))
        for r in range(REPLICATIONS):
            out[:, r] = stats.rankdata(-(norm @ w[:, r]), method="min")
        return out

    ev = tk.evaluate.evaluate(data, system=system, uncertainty=False)

    def toolkit_mc():
        return tk.evaluate.uncertainty(ev, n=REPLICATIONS, seed=1, sensitivity=False)

    def toolkit_sobol():
        return tk.evaluate.uncertainty(ev, n=REPLICATIONS, seed=1, sensitivity=True)

    check = toolkit_mc()
    assert check.rank_matrix.shape == (UNITS, REPLICATIONS)
    base = best(numpy_matmul)
    mc = best(toolkit_mc)
    rows = [
        ("numpy: one product, flat weights, 1 choice [floor]", base),
        ("numpy: loop over replications, flat weights", best(numpy_loop, repeat=1)),
        ("tk.evaluate.uncertainty, 1,000 replications", mc),
        ("tk.evaluate.uncertainty + Sobol' (n=1,000; 6,000 runs)", best(toolkit_sobol, 1)),
    ]
    print(f"{UNITS:,} units, {len(system.leaves)} indicators, {system.depth} levels, "
          f"{REPLICATIONS:,} replications; best of 3")
    print(f"{'task':<58}{'seconds':>10}{'x floor':>10}")
    for name, sec in rows:
        print(f"{name:<58}{sec:>10.3f}{sec / base:>10.2f}")
    verdict = "met" if mc < TARGET else "MISSED"
    print(f"target: 1,000 replications under {TARGET:.0f} s -> {mc:.2f} s ({verdict})")


if __name__ == "__main__":
    main()
