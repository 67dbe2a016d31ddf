"""The shared kernel of the process measures against the per-group implementation.

Reference: golden frames written by ``tests/stats/golden/process_cases.py`` with
``toolkit/stats/process.py`` as of commit 7d59d88 (one statsmodels
``SurvfuncRight`` fit and one ``proportion_confint`` call per group, itself
checked against R ``survfit`` and published values in test_process.py).
Tolerance: 1e-12 relative (counts exactly equal).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import toolkit as tk

GOLDEN = Path(__file__).resolve().parent / "golden"


def _cases_module():
    spec = importlib.util.spec_from_file_location("process_cases",
                                                  GOLDEN / "process_cases.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CASES = _cases_module()


@pytest.fixture(scope="module")
def cases():
    return CASES.cases()


def _same(got: pd.DataFrame, want: pd.DataFrame, where: str) -> None:
    got = got.reset_index(drop=True)
    want = want.reset_index(drop=True)
    assert list(got.columns) == list(want.columns), where
    assert len(got) == len(want), where
    for col in want.columns:
        a, b = got[col], want[col]
        if pd.api.types.is_numeric_dtype(b.dtype) and not pd.api.types.is_bool_dtype(b.dtype):
            np.testing.assert_allclose(a.to_numpy(float), b.to_numpy(float), rtol=1e-12,
                                       atol=0, equal_nan=True, err_msg=f"{where}: {col}")
        else:
            def text(s: pd.Series) -> list[str]:
                return ["<missing>" if pd.isna(x) else str(x) for x in s]

            assert text(a) == text(b), f"{where}: {col}"


@pytest.mark.parametrize("name", [
    "sub_all", "sub_street", "sub_street_month", "sub_small_channel", "ses_all",
    "ses_platform_group", "ses_town_platform", "km_all", "km_group", "demo_sub",
    "demo_sub_dept", "demo_ses"])
def test_same_as_per_group_implementation(cases, name):
    fn, table, kw = cases[name]
    result = getattr(tk.stats, fn)(table, **kw)
    for part, got in CASES.outputs(result).items():
        want = pd.read_parquet(GOLDEN / "process" / f"{name}__{part}.parquet")
        if not len(want) and not len(got):
            continue
        _same(got, want, f"{name}.{part}")


@pytest.mark.parametrize("name", ["sub_street_month", "ses_town_platform", "km_group"])
def test_sorted_cells_and_batched_sums_give_the_same(cases, name, monkeypatch):
    # A tiny grid limit forces the sorted (group, time) cells and the cumulative sums in
    # batches of groups, the path of data with many groups and distinct times.
    from toolkit.stats import _process_kernel

    monkeypatch.setattr(_process_kernel, "_DENSE_CELLS", 50)
    fn, table, kw = cases[name]
    result = getattr(tk.stats, fn)(table, **kw)
    for part, got in CASES.outputs(result).items():
        want = pd.read_parquet(GOLDEN / "process" / f"{name}__{part}.parquet")
        if len(want) or len(got):
            _same(got, want, f"{name}.{part}")


def test_km_curve_fractional_times_equal_statsmodels():
    # Source: statsmodels SurvfuncRight (Greenwood SE) on each group; 1e-12.
    from statsmodels.duration.survfunc import SurvfuncRight

    rng = np.random.default_rng(5)
    d = pd.DataFrame({"t": np.round(rng.exponential(3.0, 300), 2),
                      "e": rng.random(300) < 0.7, "g": rng.choice(["x", "y"], 300)})
    km = tk.stats.km_curve(d, time="t", event="e", by="g")
    for g, part in d.groupby("g"):
        sf = SurvfuncRight(part["t"].to_numpy(), part["e"].to_numpy(float))
        got = km[(km["group"] == g) & (km["events"] > 0)]
        np.testing.assert_allclose(got["time"], sf.surv_times, rtol=1e-12)
        np.testing.assert_allclose(got["survival"], sf.surv_prob, rtol=1e-12)
        np.testing.assert_array_equal(got["at_risk"], sf.n_risk)


def test_yes_no_errors_name_column_rows_and_value():
    s = pd.DataFrame({"session_id": ["S1", "S2", "S3"], "date": pd.Timestamp("2024-01-01"),
                      "consensus": ["是", "待定", "2"]}, index=[10, 11, 12])
    with pytest.raises(tk.errors.ValidationError, match="consensus") as err:
        tk.stats.sessions(s)
    assert err.value.problems[["row", "value"]].values.tolist() == [[11, "待定"], [12, "2"]]
    numbers = pd.DataFrame({"date": pd.Timestamp("2024-01-01"), "responded": [1, 0, 2]})
    with pytest.raises(tk.errors.ValidationError, match="responded"):
        tk.stats.submissions(numbers)
    with pytest.raises(tk.errors.ValidationError, match="done"):
        tk.stats.km_curve(pd.DataFrame({"t": [1, 2], "done": [1, 2]}), time="t", event="done")
