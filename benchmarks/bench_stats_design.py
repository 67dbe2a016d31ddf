"""Design-based means and SEs by town against a plain vectorised weighted groupby.

Target: ``Design(...).by("town").mean(...)`` (Taylor-linearised SEs with strata, clusters
and fpc) within 2x of a plain weighted mean per town without any standard error.
Data: 1,000,000 respondents in 139 towns (the PSUs) within 14 strata, seeded.

Run: ``python benchmarks/bench_stats_design.py``.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

import toolkit as tk

N = 1_000_000
TOWNS = 139
STRATA = 14


def make_data(seed: int = 20231108) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    town = rng.integers(0, TOWNS, size=N)
    stratum = town % STRATA
    effect = rng.normal(0, 0.3, size=TOWNS)
    y = np.clip(np.round(3 + effect[town] + rng.normal(0, 1, size=N)), 1, 5)
    return pd.DataFrame({
        "town": pd.Categorical([f"T{t:03d}" for t in range(TOWNS)])[town],
        "stratum": pd.Categorical([f"S{s:02d}" for s in range(STRATA)])[stratum],
        "fpc": 40.0,
        "weight": rng.uniform(50, 150, size=N),
        "y": y,
    })


def best(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    df = make_data()

    def plain_groupby():
        g = df.assign(wy=df["weight"] * df["y"]).groupby("town", observed=True)[["wy", "weight"]]
        s = g.sum()
        return s["wy"] / s["weight"]

    def numpy_bincount():
        codes = df["town"].cat.codes.to_numpy()
        w = df["weight"].to_numpy()
        return np.bincount(codes, w * df["y"].to_numpy()) / np.bincount(codes, w)

    design = tk.stats.Design(df, weights="weight", strata="stratum", cluster="town", fpc="fpc")

    def design_by():
        return design.by("town").mean("y")

    def design_full():
        d = tk.stats.Design(df, weights="weight", strata="stratum", cluster="town", fpc="fpc")
        return d.by("town").mean("y")

    ref = plain_groupby()
    got = design_by()
    np.testing.assert_allclose(got["estimate"].to_numpy(), ref.to_numpy(), rtol=1e-10)

    base = best(plain_groupby)
    rows = [
        ("plain weighted groupby (pandas, no SE) [baseline]", base),
        ("numpy bincount weighted mean (no SE)", best(numpy_bincount)),
        ("Design.by('town').mean (design built once)", best(design_by)),
        ("Design(...) build + by('town').mean", best(design_full)),
    ]
    print(f"{N:,} respondents, {TOWNS} towns (PSUs), {STRATA} strata, fpc; best of 5")
    print(f"{'task':<55}{'seconds':>10}{'x baseline':>12}")
    for name, sec in rows:
        print(f"{name:<55}{sec:>10.3f}{sec / base:>12.2f}")
    print("target: Design.by('town').mean within 2.00 x baseline")


if __name__ == "__main__":
    main()
