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
