"""The large-data design (DuckDB and Dask) equals the in-memory design on the R fixture.

Data: ``tests/reference/data/design_two_stage.csv`` (``tests/reference/R/design.R``):
14 strata with a certainty stratum, a lonely PSU, missing y and domains of whole strata.
The one-stage design is compared (the large path refuses two stages, with a message);
under "average" inside a domain both average over the strata present in the domain.
Tolerance 1e-9 relative (sums in another order).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import DesignError, LargeDataUnavailableError, ToolkitError

dd = pytest.importorskip("dask.dataframe")
pytest.importorskip("duckdb")

DATA = Path(__file__).resolve().parents[1] / "reference" / "data" / "design_two_stage.csv"
SPEC = {"weights": "w", "strata": "stratum", "cluster": "psu", "fpc": "N1"}


@pytest.fixture(scope="module")
def frame():
    return pd.read_csv(DATA)


@pytest.fixture(scope="module", params=["duckdb", "dask"])
def large(request, frame, tmp_path_factory):
    if request.param == "dask":
        return dd.from_pandas(frame, npartitions=3)
    folder = tmp_path_factory.mktemp("design")
    for i, (_, part) in enumerate(frame.groupby("region")):
        part.to_parquet(folder / f"part-{i}.parquet", index=False)
    return tk.io.scan(folder / "*.parquet")


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    num = ["estimate", "se", "ci_low", "ci_high", "deff", "n"]
    np.testing.assert_allclose(b[num].to_numpy(float), a[num].to_numpy(float), rtol=1e-9)


@pytest.mark.parametrize("option", ["adjust", "average", "certainty", "remove"])
def test_large_equals_in_memory(frame, large, option):
    ref = tk.stats.Design(frame, **SPEC, lonely_psu=option)
    got = tk.stats.Design(large, **SPEC, lonely_psu=option)
    assert isinstance(got, tk.stats.Design)
    assert got.degf == ref.degf
    _same(ref.mean(["y", "x1"]), got.mean(["y", "x1"]))
    _same(ref.total("y"), got.total("y"))
    _same(ref.by("region").mean("y"), got.by("region").mean("y"))
    _same(ref.by(["region", "sex"]).total("y"), got.by(["region", "sex"]).total("y"))


def test_large_refusals_are_toolkit_errors(frame, large):
    d = tk.stats.Design(large, **SPEC, lonely_psu="adjust")
    for call in (lambda: d.prop("edu"), lambda: d.quantile("y"),
                 lambda: d.crosstab("edu", "sex"), lambda: d.by("region").prop("edu"),
                 lambda: d.influence_vcov(np.zeros(len(frame)))):
        with pytest.raises(LargeDataUnavailableError, match="pandas") as err:
            call()
        assert isinstance(err.value, ToolkitError)
    with pytest.raises(DesignError, match="two stages"):
        tk.stats.Design(large, weights="w", strata="stratum", cluster=["psu", "ssu"],
                        fpc=["N1", "N2"], lonely_psu="adjust")
    with pytest.raises(DesignError, match="single PSU"):
        tk.stats.Design(large, **SPEC)
