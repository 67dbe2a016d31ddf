"""Loading the bundled demo study: time against the 3 s target.

Run: ``python benchmarks/datasets.py``. Prints the median of five loads of
``tk.datasets.load_study("demo")`` (every file read, mapped, normalised), the same
files read bare with pandas/pyreadstat in the same run, and the bundle's size.
"""

from __future__ import annotations

import statistics
import time
import warnings

import pandas as pd
import pyreadstat

import toolkit as tk


def _median(fn, repeat=5):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _bare():
    folder = tk.datasets.data_path("demo")
    pd.read_csv(folder / "units.csv", encoding="utf-8")
    pd.read_csv(folder / "participants.csv", encoding="gb18030")
    pd.read_excel(folder / "sessions.xlsx", header=[2, 3], engine="calamine")
    pd.read_csv(folder / "attendance.csv", encoding="utf-8-sig")
    pd.read_csv(folder / "submissions.csv", encoding="utf-8")
    pyreadstat.read_sav(folder / "survey.sav")


def main():
    warnings.simplefilter("ignore")
    tk.datasets.load_study("demo")  # warm imports
    study = _median(lambda: tk.datasets.load_study("demo"))
    bare = _median(_bare)
    root = tk.datasets.data_path("demo").parent
    size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 1e6
    rows = [
        ("load_study('demo'), median of 5", f"{study:.2f} s", "target < 3 s"),
        ("bare pandas/pyreadstat reads", f"{bare:.2f} s", "baseline"),
        ("ratio", f"{study / bare:.1f}x", ""),
        ("bundle size (datasets/)", f"{size:.1f} MB", "target: a few MB"),
    ]
    print(pd.DataFrame(rows, columns=["measure", "value", "note"]).to_string(index=False))


if __name__ == "__main__":
    main()
