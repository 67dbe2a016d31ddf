"""Disclosure control of published tables: the cost of the audited suppression.

For each table shape the toolkit publishes, the time to build the table with the
default rule (primary and secondary suppression, every hidden cell audited by linear
programming) beside the same table built with ``suppress=False`` (formatting only, the
floor), their ratio and the target. The tables are seeded and realistic in size; the
last one is deliberately hard (1,000 people over 240 cells: most cells small).

Targets (wall, 2 cores): describe table of 10 variables by 6 towns with a total column,
under 2 s; 12 x 6 cross table, under 1 s; ``groupby().size()`` of three keys, under 30 s
even when most cells are small.

Run: ``python benchmarks/bench_disclosure.py``.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

import toolkit as tk


def _time(build) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = build()
    return time.perf_counter() - t0, out


def _describe(rng: np.random.Generator):
    n = 1200
    df = pd.DataFrame({f"v{i}": rng.choice(list("ABCDEF")[:3 + i % 4], n) for i in range(8)})
    for i in range(8):
        col = df[f"v{i}"].to_numpy(dtype=object)
        col[rng.random(n) < 0.01] = None
        df[f"v{i}"] = col
    df["town"] = rng.choice([f"T{i}" for i in range(6)], n, p=[.3, .25, .2, .15, .07, .03])
    df["age"], df["score"] = rng.normal(45, 12, n), rng.normal(3, 1, n)
    vars_ = [f"v{i}" for i in range(8)] + ["age", "score"]
    res = tk.stats.describe(df, vars=vars_, by="town", include_missing=True)
    total = tk.stats.describe(df, vars=vars_, include_missing=True)
    return lambda suppress: tk.report.describe_table(res, total=total, suppress=suppress)


def _crosstab(rng: np.random.Generator):
    s = pd.DataFrame({"a": rng.choice([f"R{i}" for i in range(12)], 300),
                      "b": rng.choice([f"C{i}" for i in range(6)], 300)})
    tab = tk.stats.Design(s).crosstab("a", "b")
    return lambda suppress: tk.report.crosstab_table(tab, suppress=suppress)


def _size(rng: np.random.Generator):
    g = pd.DataFrame({"town": rng.choice([f"T{i}" for i in range(10)], 1000),
                      "type": rng.choice([f"K{i}" for i in range(8)], 1000),
                      "year": rng.choice(["2022", "2023", "2024"], 1000)}
                     ).groupby(["town", "type", "year"]).size()
    return lambda suppress: tk.report.Table.from_frame(g, suppress=suppress)


CASES = [("describe_table 10 vars x 6 towns + total", _describe, 2.0),
         ("crosstab_table 12 x 6, n = 300", _crosstab, 1.0),
         ("Table.from_frame groupby 3 keys (240 cells, n = 1,000)", _size, 30.0)]


def main() -> None:
    print(f"{'table':58s} {'toolkit':>8s} {'floor':>7s} {'ratio':>7s} {'target':>7s} "
          f"{'hidden':>7s}")
    for name, make, target in CASES:
        build = make(np.random.default_rng(1))
        floor, _ = _time(lambda build=build: build(False))
        took, table = _time(lambda build=build: build(True))
        hidden = int(table.frame.isin(["<5", "—"]).to_numpy().sum())
        print(f"{name:58s} {took:8.2f} {floor:7.2f} {took / floor:7.1f} {target:7.1f} "
              f"{hidden:7d}  {'met' if took < target else 'NOT met'}")


if __name__ == "__main__":
    main()
