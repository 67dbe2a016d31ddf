"""The rewritten design estimators give the outputs of the previous implementation.

Expected values: ``design_previous.json``, written by ``make_design_previous.py`` from the
implementation of commit 7d59d88 on its seeded two-stage data (one-stage, two-stage,
stratified without clusters, simple random and clustered designs). Tolerance 1e-12
relative (1e-12 absolute for values near zero).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import toolkit as tk

from .make_design_previous import DESIGNS, outputs, previous_data

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def current():
    return outputs(tk.stats.Design, previous_data())


@pytest.fixture(scope="module")
def previous():
    return json.loads((HERE / "design_previous.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("design", list(DESIGNS))
def test_same_outputs_as_before(current, previous, design):
    names = [k for k in previous if k.startswith(design + "/")]
    assert names
    for name in names:
        got, want = current[name], previous[name]
        for col, values in want.items():
            a = np.array([np.nan if v is None else v for v in got[col]], dtype=float)
            b = np.array([np.nan if v is None else v for v in values], dtype=float)
            scale = np.nanmax(np.abs(b)) if np.isfinite(b).any() else 0.0
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12 * scale,
                                       err_msg=f"{name}: {col}")


def test_previous_data_is_two_stage():
    data = previous_data()
    assert isinstance(data, pd.DataFrame)
    assert data.groupby("psu")["ssu"].nunique().min() >= 2
