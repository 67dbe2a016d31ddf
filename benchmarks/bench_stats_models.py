"""Speed of tk.stats models against statsmodels (run: python benchmarks/bench_stats_models.py).

Targets (issue "Statistics ..."):
- ``ologit`` on 1,000,000 rows with 13 design columns at least 5x faster than
  statsmodels' ``OrderedModel`` with identical estimates. ``OrderedModel`` (numerical
  derivatives) is measured at 100,000 rows and extrapolated linearly to 1,000,000
  (its cost is linear in rows: every likelihood evaluation touches every row);
  ``--full`` measures it at 1,000,000 too (about 3 minutes).
- the model wrappers add under 20% to statsmodels' own formula fit (OLS and logit
  GLM on 1,000,000 rows, same formula).

Data are generated with a fixed seed; nothing is stored.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np
import pandas as pd


def make_data(n: int, seed: int = 20231108) -> pd.DataFrame:
    """Survey-like rows: 4 factors + 4 numeric columns = 13 design columns."""
    rng = np.random.default_rng(seed)
    d = pd.DataFrame({
        "age_band": pd.Categorical(rng.choice(["18-29", "30-44", "45-59", "60+"], n)),
        "edu": pd.Categorical(rng.choice(["none", "primary", "middle", "high", "college"], n)),
        "female": rng.integers(0, 2, n).astype(float),
        "party": rng.integers(0, 2, n).astype(float),
        "x1": rng.normal(size=n), "x2": rng.normal(size=n),
        "x3": rng.normal(size=n), "x4": rng.normal(size=n),
    })
    eta = (0.3 * d["female"] + 0.5 * d["party"] + 0.4 * d["x1"] - 0.2 * d["x2"]
           + 0.1 * d["x3"] + d["age_band"].cat.codes * 0.15 + d["edu"].cat.codes * 0.1)
    latent = eta + rng.logistic(size=n)
    d["sat"] = pd.Categorical(np.digitize(latent, [-1.5, -0.3, 0.9, 2.2]) + 1, ordered=True)
    d["y"] = latent + rng.normal(size=n)
    d["hi"] = (latent > 0.5).astype(float)
    return d


FORMULA = "sat ~ age_band + edu + female + party + x1 + x2 + x3 + x4"


def timed(fn, repeat: int = 1):
    best = np.inf
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def ordered_model_fit(d: pd.DataFrame):
    import patsy
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    X = patsy.dmatrix(FORMULA.split("~")[1], d, return_type="dataframe").drop(
        columns="Intercept")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = OrderedModel(d["sat"], X, distr="logit").fit(method="bfgs", disp=False,
                                                           maxiter=1000)
    p = res.params.to_numpy()
    k = X.shape[1]
    cuts = np.cumsum(np.r_[p[k], np.exp(p[k + 1:])])
    return np.r_[p[:k], cuts], X.shape[1]


def main() -> int:
    import statsmodels.formula.api as smf

    import toolkit as tk

    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true",
                        help="also time OrderedModel on 1,000,000 rows")
    args = parser.parse_args()
    rows = []

    # -- ordered logit -------------------------------------------------------
    small, big = make_data(100_000), make_data(1_000_000)
    t_om_small, (om_est, k) = timed(lambda: ordered_model_fit(small))
    t_ours_small, fit_small = timed(lambda: tk.stats.ologit(FORMULA, small))
    diff = np.max(np.abs(fit_small.to_frame()["estimate"].to_numpy() - om_est))
    t_ours_big, _ = timed(lambda: tk.stats.ologit(FORMULA, big))
    if args.full:
        t_om_big, _ = timed(lambda: ordered_model_fit(big))
        om_big_label = "measured"
    else:
        t_om_big = t_om_small * 10
        om_big_label = "extrapolated x10 from 100k"
    rows += [
        (f"ologit 100k rows ({k} design cols)", t_ours_small, t_om_small,
         "OrderedModel 100k, measured", t_om_small / t_ours_small),
        (f"ologit 1M rows ({k} design cols)", t_ours_big, t_om_big,
         f"OrderedModel 1M, {om_big_label}", t_om_big / t_ours_big),
    ]

    # -- wrapper overhead ----------------------------------------------------
    ols_formula = "y ~ age_band + edu + female + party + x1 + x2 + x3 + x4"
    t_sm_ols, _ = timed(lambda: smf.ols(ols_formula, big).fit(), repeat=3)
    t_tk_ols, _ = timed(lambda: tk.stats.regress(ols_formula, big), repeat=3)
    logit_formula = "hi ~ age_band + edu + female + party + x1 + x2 + x3 + x4"
    import statsmodels.api as sm

    t_sm_glm, _ = timed(lambda: smf.glm(logit_formula, big,
                                        family=sm.families.Binomial()).fit(), repeat=2)
    t_tk_glm, _ = timed(lambda: tk.stats.regress(logit_formula, big, family="binomial"),
                        repeat=2)
    rows += [
        ("regress OLS 1M rows", t_tk_ols, t_sm_ols, "smf.ols().fit()", t_sm_ols / t_tk_ols),
        ("regress logit 1M rows", t_tk_glm, t_sm_glm, "smf.glm(Binomial).fit()",
         t_sm_glm / t_tk_glm),
    ]

    table = pd.DataFrame(rows, columns=["task", "toolkit_s", "baseline_s", "baseline",
                                        "speedup"])
    with pd.option_context("display.width", 160, "display.max_colwidth", 40):
        print(table.round(2).to_string(index=False))
    print(f"\nmax |ologit - OrderedModel| estimate difference at 100k: {diff:.2e}")
    print(f"ologit 1M speed-up: {t_om_big / t_ours_big:.1f}x (target >= 5x)")
    print(f"wrapper overhead: OLS {100 * (t_tk_ols / t_sm_ols - 1):+.1f}%, "
          f"logit {100 * (t_tk_glm / t_sm_glm - 1):+.1f}% (target < +20%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
