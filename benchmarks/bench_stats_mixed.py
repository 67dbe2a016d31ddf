"""Multilevel models: ``tk.stats.multilevel`` beside R ``lme4`` on the same data, same run.

Data: the seeded survey of the R fixtures (``tests/reference/data/mixed_survey.csv``:
1,637 residents in 40 unbalanced communities, 12 interviewers) and the same design
scaled up (``--scale``: respondents and communities multiplied, seeded in numpy).
Each model is timed best of ``--repeat`` runs of the whole public call (formula,
model matrices, fit, standard errors, Satterthwaite df for linear models) beside
lme4 with its default settings (``lmer`` / ``glmer``; timed inside R with
``system.time`` after one warm-up fit; lmerTest's df not included on the R side).
Times are CPU seconds of the process (``time.process_time``; R's user + system
time): both sides run on one thread, and CPU time is far less disturbed than wall
time by other work on a shared machine. Wall-clock seconds are printed too.

Target: at most as slow as lme4 (ratio <= 1) for the random-intercept models.

Run: ``python benchmarks/bench_stats_mixed.py`` (``--scale 10`` for 16,000 rows in
400 communities).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import toolkit as tk

DATA = Path(__file__).resolve().parents[1] / "tests" / "reference" / "data" / "mixed_survey.csv"

MODELS = {
    "lmer (1 | community)": (
        "trust ~ age10 + gender + party_member + edu + (1 | community)", {},
        "lmer(trust ~ age10 + gender + party_member + edu + (1 | community), d)"),
    "lmer (age10 | community)": (
        "trust ~ age10 + gender + party_member + (age10 | community)", {},
        "lmer(trust ~ age10 + gender + party_member + (age10 | community), d)"),
    "lmer crossed community x interviewer": (
        "trust ~ age10 + party_member + (1 | community) + (1 | interviewer)", {},
        "lmer(trust ~ age10 + party_member + (1 | community) + (1 | interviewer), d)"),
    "glmer (1 | community), Laplace": (
        "attended ~ age10 + gender + party_member + (1 | community)", {"family": "binomial"},
        "glmer(attended ~ age10 + gender + party_member + (1 | community), d, "
        "family = binomial)"),
    "glmer (1 | community), nAGQ = 10": (
        "attended ~ age10 + gender + party_member + (1 | community)",
        {"family": "binomial", "n_agq": 10},
        "glmer(attended ~ age10 + gender + party_member + (1 | community), d, "
        "family = binomial, nAGQ = 10)"),
    "glmer (age10 | community), Laplace": (
        "attended ~ age10 + gender + party_member + (age10 | community)",
        {"family": "binomial"},
        "glmer(attended ~ age10 + gender + party_member + (age10 | community), d, "
        "family = binomial)"),
}


def scaled(df: pd.DataFrame, factor: int, seed: int = 7) -> pd.DataFrame:
    """The survey repeated `factor` times with new communities and fresh outcomes."""
    if factor == 1:
        return df
    rng = np.random.default_rng(seed)
    parts = []
    for k in range(factor):
        part = df.copy()
        part["community"] = part["community"] + f"_{k}"
        shift = rng.normal(0, 0.45, part["community"].nunique())
        codes = pd.factorize(part["community"])[0]
        part["trust"] = part["trust"] + shift[codes] + rng.normal(0, 0.3, len(part))
        eta = -0.6 + 0.35 * part["age10"] + 0.7 * part["party_member"] + 1.2 * shift[codes]
        part["attended"] = (rng.random(len(part)) < 1 / (1 + np.exp(-eta))).astype(int)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def best(func, repeat: int) -> tuple[float, float]:
    """Best CPU and best wall-clock seconds of `repeat` calls."""
    cpu, wall = [], []
    for _ in range(repeat):
        c0, w0 = time.process_time(), time.perf_counter()
        func()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    return min(cpu), min(wall)


R_SCRIPT = r"""
suppressPackageStartupMessages(library(lme4))
d <- read.csv("{csv}", encoding = "UTF-8")
d$gender <- factor(d$gender); d$edu <- factor(d$edu)
calls <- {calls}
t <- function(call, times) {
  e <- parse(text = call)[[1]]
  suppressMessages(eval(e))
  st <- sapply(seq_len(times), function(i) system.time(suppressMessages(eval(e))))
  c(cpu = min(st["user.self", ] + st["sys.self", ]), wall = min(st["elapsed", ]))
}
out <- lapply(calls, t, times = {repeat})
cat(jsonlite::toJSON(out, auto_unbox = TRUE, digits = NA))
"""


def r_times(df: pd.DataFrame, repeat: int) -> dict[str, list[float]] | str:
    if shutil.which("Rscript") is None:
        return "Rscript not found"
    folder = Path(tempfile.mkdtemp())
    csv = folder / "survey.csv"
    df.to_csv(csv, index=False, encoding="utf-8")
    calls = "list(" + ", ".join(f"{json.dumps(k)} = {json.dumps(v[2])}"
                                for k, v in MODELS.items()) + ")"
    script = folder / "bench.R"
    script.write_text(R_SCRIPT.replace("{csv}", str(csv)).replace("{calls}", calls)
                      .replace("{repeat}", str(repeat)), encoding="utf-8")
    try:
        run = subprocess.run(["Rscript", str(script)], capture_output=True, text=True,
                             timeout=1800, check=True)
    except (subprocess.SubprocessError, OSError) as err:
        return f"R failed: {err}"
    return json.loads(run.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    df = scaled(pd.read_csv(DATA, encoding="utf-8"), args.scale)
    print(f"{len(df):,} rows, {df['community'].nunique()} communities")
    ours = {}
    for name, (formula, kwargs, _) in MODELS.items():
        tk.stats.multilevel(formula, df, **kwargs)  # warm-up (imports)
        ours[name] = best(lambda f=formula, k=kwargs: tk.stats.multilevel(f, df, **k),
                          args.repeat)
    peer = r_times(df, args.repeat)
    print(f"{'model (CPU s; wall s in brackets)':<40} {'toolkit':>17} {'lme4':>17} "
          f"{'ratio':>6}  target")
    for name, (cpu, wall) in ours.items():
        r_cpu, r_wall = (peer.get(name, [np.nan, np.nan]) if isinstance(peer, dict)
                         else [np.nan, np.nan])
        print(f"{name:<40} {cpu:7.3f} ({wall:7.3f}) {r_cpu:7.3f} ({r_wall:7.3f}) "
              f"{cpu / r_cpu:6.2f}  <= 1")
    if not isinstance(peer, dict):
        print(peer)


if __name__ == "__main__":
    main()
