"""``tk.stats.likert`` against a hand-written numpy ``bincount`` summary.

Target: weighted Likert summaries (distribution, mean, SD, top/bottom-2 box, agreement
indices) of 20 items by 60 communities on 1,000,000 rows within 2x of the numpy
``bincount`` baseline computing only the weighted mean and top-2-box; the common pandas
``groupby.apply`` idiom is shown for reference. Data seeded, codes 1-5 with 3% missing.

Run: ``python benchmarks/bench_stats_likert.py``.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

import toolkit as tk

N = 1_000_000
ITEMS = [f"q{i}" for i in range(1, 21)]
COMMUNITIES = 60


def make_data(seed: int = 20231108) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    community = rng.integers(0, COMMUNITIES, size=N)
    cols = {"community": pd.Categorical([f"C{c:02d}" for c in range(COMMUNITIES)])[community],
            "weight": rng.uniform(0.5, 2.0, size=N)}
    for item in ITEMS:
        x = rng.integers(1, 6, size=N).astype(float)
        x[rng.random(N) < 0.03] = np.nan
        cols[item] = x
    return pd.DataFrame(cols)


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    df = make_data()
    design = tk.stats.Design(df, weights="weight")
    g = df["community"].cat.codes.to_numpy()
    w = df["weight"].to_numpy()

    def numpy_bincount():
        out = {}
        for item in ITEMS:
            y = df[item].to_numpy()
            ok = ~np.isnan(y)
            gg, ww, yy = g[ok], w[ok], y[ok]
            wsum = np.bincount(gg, ww, minlength=COMMUNITIES)
            mean = np.bincount(gg, ww * yy, minlength=COMMUNITIES) / wsum
            top2 = np.bincount(gg, ww * (yy >= 4), minlength=COMMUNITIES) / wsum
            out[item] = (mean, top2)
        return out

    def pandas_apply():
        def summary(frame):
            return pd.Series({
                item: np.average(frame[item].dropna(),
                                 weights=frame.loc[frame[item].notna(), "weight"])
                for item in ITEMS[:5]})
        return df.groupby("community", observed=True).apply(summary, include_groups=False)

    def toolkit_likert():
        return tk.stats.likert(df, items=ITEMS, by="community", design=design)

    ref = numpy_bincount()
    got = toolkit_likert().set_index(["item", "community"])
    first = got.loc["q1"]
    np.testing.assert_allclose(first["mean"].to_numpy(), ref["q1"][0], rtol=1e-10)
    np.testing.assert_allclose(first["top2"].to_numpy(), ref["q1"][1], rtol=1e-10)

    base = best(numpy_bincount)
    rows = [
        ("numpy bincount: weighted mean + top-2 [baseline]", base),
        ("pandas groupby.apply (5 of 20 items, mean only)", best(pandas_apply, repeat=1)),
        ("tk.stats.likert (full summary, weighted)", best(toolkit_likert)),
        ("tk.stats.likert (unweighted)",
         best(lambda: tk.stats.likert(df, items=ITEMS, by="community"))),
    ]
    print(f"{N:,} rows, {len(ITEMS)} items, {COMMUNITIES} communities; best of 3")
    print(f"{'task':<55}{'seconds':>10}{'x baseline':>12}")
    for name, sec in rows:
        print(f"{name:<55}{sec:>10.3f}{sec / base:>12.2f}")
    print("target: tk.stats.likert within 2.00 x baseline")


if __name__ == "__main__":
    main()
