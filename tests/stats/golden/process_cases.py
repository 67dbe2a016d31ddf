"""Seeded inputs of ``tk.stats.sessions``/``submissions``/``km_curve`` and their golden outputs.

``python tests/stats/golden/process_cases.py`` (from the worktree root) loads the
implementation of ``toolkit/stats/process.py`` as it was at commit ``OLD_COMMIT``
(one statsmodels ``SurvfuncRight`` fit and one ``proportion_confint`` call per
group), runs it on every case of :func:`cases` and writes the frames under
``tests/stats/golden/process/``. ``tests/stats/test_process_kernel.py`` checks
the vectorised kernel against them (1e-12).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

#: The last commit with one Kaplan-Meier fit per group (before the shared kernel).
OLD_COMMIT = "7d59d88"
HERE = Path(__file__).resolve().parent
OUT = HERE / "process"
PARTS = ("rates", "lags", "km", "claims", "rounds")


def submissions_table(n: int = 3000, seed: int = 11) -> pd.DataFrame:
    """Submissions with ties, censoring, missing keys and flags, yes/no words, bad lags."""
    rng = np.random.default_rng(seed)
    street = rng.choice([f"街道{i:02d}" for i in range(9)], n).astype(object)
    street[rng.random(n) < 0.03] = None
    date = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 200, n), unit="D")
    responded = rng.random(n) < 0.75
    lag = rng.integers(-2, 40, n)  # a few negative lags: excluded
    rdate = pd.Series(date + pd.to_timedelta(lag, unit="D"))
    rdate[~responded] = pd.NaT
    rdate[responded & (rng.random(n) < 0.02)] = pd.NaT  # responded without a date: excluded
    resp = pd.array(responded, dtype="boolean")
    resp[rng.random(n) < 0.02] = pd.NA
    words = np.where(rng.random(n) < 0.6, "是", "否").astype(object)
    words[rng.random(n) < 0.1] = "已"
    words[rng.random(n) < 0.05] = None
    instr = pd.Series(np.where(rng.random(n) < 0.05, -1, rng.integers(0, 3, n)),
                      dtype="Float64")
    instr[rng.random(n) < 0.03] = pd.NA
    return pd.DataFrame({
        "submission_id": [f"P{i:05d}" for i in range(n)],
        "date": date,
        "street": street,
        "channel": rng.choice(["提案", "社情民意信息", "建议"], n),
        "month": date.strftime("%Y-%m"),
        "adopted": words,
        "instructions": instr,
        "responded": resp,
        "response_date": rdate,
    })


def sessions_table(n: int = 800, seed: int = 12) -> pd.DataFrame:
    """Sessions of topics over several rounds, with consensus, escalation and implementation."""
    rng = np.random.default_rng(seed)
    topic = rng.integers(0, 300, n)
    date = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    impl = rng.random(n) < 0.5
    idate = pd.Series(date + pd.to_timedelta(rng.integers(-3, 90, n), unit="D"))
    idate[~impl] = pd.NaT
    cons = pd.array(rng.random(n) < 0.6, dtype="boolean")
    cons[rng.random(n) < 0.03] = pd.NA
    return pd.DataFrame({
        "session_id": [f"S{i:04d}" for i in range(n)],
        "date": date,
        "topic_id": [f"T{t:03d}" for t in topic],
        "round": rng.integers(1, 4, n),
        "platform": rng.choice(["居民议事会", "微信群", "协商议事室", "线上议事厅"], n),
        "town": rng.choice(["甲镇", "乙镇", "丙街道"], n),
        "consensus": cons,
        "escalated_to": np.where(rng.random(n) < 0.1, "居民会议", None),
        "implemented": np.where(impl, "已落实", "未落实"),
        "implemented_date": idate,
    })


def km_table(n: int = 500, seed: int = 13) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"days": rng.integers(0, 30, n).astype(float),
                         "done": (rng.random(n) < 0.7).astype(int),
                         "group": rng.choice(["a", "b", "c", "d"], n)})


def cases() -> dict[str, tuple[str, pd.DataFrame, dict]]:
    """Case name → (function, input table, keywords)."""
    import toolkit as tk

    demo = tk.datasets.load_study("demo")
    sub, ses, km = submissions_table(), sessions_table(), km_table()
    small = sub.iloc[:40]
    return {
        "sub_all": ("submissions", sub, {"claim": {"responded": 0.8, "adopted": 0.5,
                                                   "instructed": 1.0}}),
        "sub_street": ("submissions", sub, {"by": "street"}),
        "sub_street_month": ("submissions", sub, {"by": ["street", "month"], "level": 0.9}),
        "sub_small_channel": ("submissions", small, {"by": "channel"}),
        "ses_all": ("sessions", ses, {}),
        "ses_platform_group": ("sessions", ses, {"by": "platform_group"}),
        "ses_town_platform": ("sessions", ses, {"by": ["town", "platform"], "level": 0.9}),
        "km_all": ("km_curve", km, {"time": "days", "event": "done"}),
        "km_group": ("km_curve", km, {"time": "days", "event": "done", "by": "group",
                                      "level": 0.8}),
        "demo_sub": ("submissions", demo.table("submissions"), {"by": "channel"}),
        "demo_sub_dept": ("submissions", demo.table("submissions"),
                          {"by": ["channel", "department"], "claim": {"instructed": 0.9}}),
        "demo_ses": ("sessions", demo.table("sessions"), {"by": "platform"}),
    }


def outputs(result) -> dict[str, pd.DataFrame]:
    """The frames of a result (``km_curve`` gives the frame itself)."""
    if isinstance(result, pd.DataFrame):
        return {"km": result}
    return {p: getattr(result, p) for p in PARTS}


def _old_module():
    source = subprocess.run(["git", "show", f"{OLD_COMMIT}:toolkit/stats/process.py"],
                            check=True, capture_output=True, text=True).stdout
    path = OUT / "_old_process.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("_old_process", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path.unlink()
    return module


def main() -> None:
    OUT.mkdir(exist_ok=True)
    old = _old_module()
    for name, (fn, table, kw) in cases().items():
        for part, frame in outputs(getattr(old, fn)(table, **kw)).items():
            frame = frame.copy()
            for col in frame.columns:
                if frame[col].dtype == object or str(frame[col].dtype) == "str":
                    frame[col] = frame[col].astype("string")
            frame.to_parquet(OUT / f"{name}__{part}.parquet", index=False)
        print(name)


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parents[2]))
    main()
