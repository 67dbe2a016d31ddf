"""Write ``design_previous.json``: outputs of the design estimators before the variance engine.

The estimators were rewritten on one linearisation engine (``toolkit/stats/_linearise.py``)
and to aggregate per PSU before any full-length arithmetic; their outputs must not change.
This script ran the implementation of commit 7d59d88 (``git show
7d59d88:toolkit/stats/design.py``) on the seeded data of ``previous_data()`` and saved
its outputs; ``test_design_previous.py`` compares the current code with them to 1e-12.

Run from the project root: ``python tests/stats/make_design_previous.py <old design.py>``.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def previous_data(seed: int = 20240611, n: int = 900) -> pd.DataFrame:
    """Seeded two-stage sample: 6 strata, 2-6 PSUs each, 2-4 SSUs per PSU, fpc at both."""
    rng = np.random.default_rng(seed)
    rows = []
    psu_id = 0
    for h in range(6):
        n_psu = 2 + h % 5
        for _ in range(n_psu):
            n_ssu = 2 + rng.integers(0, 3)
            for s in range(n_ssu):
                rows.append((h, psu_id, f"{psu_id}-{s}", n_psu * 3, n_ssu * 4))
            psu_id += 1
    units = pd.DataFrame(rows, columns=["stratum", "psu", "ssu", "N1", "N2"])
    frame = units.iloc[rng.integers(0, len(units), n)].reset_index(drop=True)
    frame["w"] = rng.uniform(1, 5, n)
    y = rng.normal(3, 1, n) + frame["stratum"] * 0.2
    y[rng.random(n) < 0.08] = np.nan
    frame["y"] = y
    frame["x"] = rng.gamma(2, 3, n)
    frame["cat"] = pd.Categorical(rng.choice(list("abcde"), n, p=[.3, .25, .2, .15, .1]))
    frame["g"] = rng.choice(["g1", "g2", "g3"], n)
    frame["b"] = rng.choice(["yes", "no"], n)
    return frame


DESIGNS = {
    "one_stage": {"weights": "w", "strata": "stratum", "cluster": "psu", "fpc": "N1"},
    "two_stage": {"strata": "stratum", "cluster": ["psu", "ssu"], "fpc": ["N1", "N2"]},
    "rowwise": {"weights": "w", "strata": "stratum"},
    "srs": {},
    "clustered": {"weights": "w", "cluster": "psu"},
}


def outputs(design_cls, data: pd.DataFrame) -> dict[str, dict[str, list]]:
    """Every estimator's numeric output per design."""
    out: dict[str, dict[str, list]] = {}

    def put(name: str, frame: pd.DataFrame) -> None:
        num = frame.select_dtypes("number")
        out[name] = {str(c): [None if not np.isfinite(v) else float(v) for v in num[c]]
                     for c in num.columns}

    # the previous prop had the Wald interval only; the current one asks for it by name
    wald = ({"method": "wald"} if "method" in inspect.signature(design_cls.prop).parameters
            else {})
    for dname, spec in DESIGNS.items():
        d = design_cls(data, **spec)
        put(f"{dname}/mean", d.mean(["y", "x"]))
        put(f"{dname}/total", d.total(["y", "x"]))
        put(f"{dname}/by_mean", d.by("g").mean(["y", "x"]))
        put(f"{dname}/by2_total", d.by(["g", "b"]).total("y"))
        put(f"{dname}/prop", d.prop(["cat", "b"], **wald))
        put(f"{dname}/by_prop", d.by("g").prop("cat", **wald))
        put(f"{dname}/quantile", d.quantile("y", [0.25, 0.5, 0.9]))
        put(f"{dname}/by_quantile", d.by("g").quantile("x", 0.5))
        tab = d.crosstab("cat", "b")
        put(f"{dname}/crosstab", tab)
        put(f"{dname}/crosstab_test", pd.DataFrame([tab.attrs["test"]]))
        put(f"{dname}/by_crosstab", d.by("g").crosstab("cat", "b"))
        w = d._w
        x = data["x"].to_numpy(float)
        m = (w * x).sum() / w.sum()
        u = np.column_stack([w * (x - m) / w.sum(), w * x])
        put(f"{dname}/influence_vcov", pd.DataFrame(d.influence_vcov(u)))
    return out


def main(old: str) -> None:
    spec = importlib.util.spec_from_file_location("previous_design", old)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    res = outputs(module.Design, previous_data())
    path = HERE / "design_previous.json"
    path.write_text(json.dumps(res, indent=0), encoding="utf-8")
    print(f"wrote {path} ({len(res)} cases)")


if __name__ == "__main__":
    main(sys.argv[1])
