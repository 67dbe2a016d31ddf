"""The same functions on pandas, DuckDB (tk.io.scan) and Dask give the same results.

Reference values: the in-memory (pandas) path of each function, itself tested against
published values in tests/stats and tests/net. Tolerance: rates, counts, lags and
Kaplan-Meier curves exactly equal (the engines only count; the statistics are
computed by the same formulas); design-based estimates to a relative 1e-9 (sums are
added in a different order).
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import DesignError

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def records(make_records):
    return make_records(2000, seed=7)


@pytest.fixture(scope="module")
def lazy(records, tmp_path_factory):
    folder = tmp_path_factory.mktemp("dispatch")
    for i, (_, part) in enumerate(records.groupby("month")):
        part.to_parquet(folder / f"part-{i}.parquet", index=False)
    return tk.io.scan(folder / "*.parquet")


@pytest.fixture(scope="module")
def client():
    """A 2-worker LocalCluster (threads: starts in well under a second)."""
    # ":0": any free port for the dashboard, so parallel test workers do not collide
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                       dashboard_address=":0", scheduler_port=0)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture(scope="module")
def dask_frame(records, client):
    return dd.from_pandas(records, npartitions=4)


@pytest.fixture(params=["duckdb", "dask"])
def large(request, lazy, records):
    if request.param == "duckdb":
        return lazy
    return request.getfixturevalue("dask_frame")


def _frames_equal(a: pd.DataFrame, b: pd.DataFrame, rtol: float | None = None) -> None:
    kw = {"rtol": rtol} if rtol else {"check_exact": True}
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True),
                                  check_dtype=False, **kw)


# ---------------------------------------------------------------------------
# responsiveness


@pytest.mark.parametrize("by", [None, "street", ["street", "month"]])
def test_submissions_same_as_pandas(records, large, by):
    claim = {"responded": 0.8}
    ref = tk.stats.submissions(records, by=by, claim=claim)
    got = tk.stats.submissions(large, by=by, claim=claim)
    for part in ("rates", "lags", "km", "claims"):
        _frames_equal(getattr(ref, part), getattr(got, part))
    _frames_equal(ref.to_frame(), got.to_frame())
    assert len(got.rates) == (1 if by is None else records.groupby(by).ngroups)


def test_submissions_reads_yes_no_text(records, tmp_path):
    text = records.assign(responded=records["responded"].map({True: "是", False: "否"}))
    text[["date", "street", "responded", "response_date"]].to_csv(
        tmp_path / "d.csv", index=False, encoding="utf-8")
    lazy = tk.io.scan(tmp_path / "d.csv")
    ref = tk.stats.submissions(records, by="street")
    got = tk.stats.submissions(lazy, by="street")
    _frames_equal(ref.rates, got.rates)
    _frames_equal(ref.lags, got.lags)


def test_submissions_errors_match(large):
    with pytest.raises(tk.ColumnNotFoundError, match="stret"):
        tk.stats.submissions(large, by="stret")
    with pytest.raises(ValueError, match="Unknown claim"):
        tk.stats.submissions(large, claim={"answered": 1.0})


# ---------------------------------------------------------------------------
# survey design

DESIGNS = [
    {},
    {"weights": "weight", "strata": "stratum"},
    {"weights": "weight", "strata": "stratum", "cluster": "cluster"},
    {"cluster": "cluster", "lonely_psu": "average"},
]


@pytest.mark.parametrize("spec", DESIGNS, ids=lambda s: "-".join(s) or "srs")
def test_design_same_as_pandas(records, large, spec):
    ref = tk.stats.Design(records, **spec)
    got = tk.stats.Design(large, **spec)
    _frames_equal(ref.mean("satisfaction"), got.mean("satisfaction"), rtol=1e-9)
    _frames_equal(ref.total(["satisfaction", "responded"]),
                  got.total(["satisfaction", "responded"]), rtol=1e-9)
    _frames_equal(ref.by("street").mean("satisfaction"),
                  got.by("street").mean("satisfaction"), rtol=1e-9)
    a = ref.by(["street", "month"]).total("satisfaction")
    b = got.by(["street", "month"]).total("satisfaction")
    np.testing.assert_allclose(a.select_dtypes("number").to_numpy(float),
                               b.select_dtypes("number").to_numpy(float), rtol=1e-9)
    assert (a.iloc[:, 1:3].to_numpy() == b[["street", "month"]].to_numpy()).all()
    assert got.degf == ref.degf


def test_design_fpc_same_as_pandas(records, large):
    n_psu = records.groupby("stratum")["cluster"].nunique()
    with_fpc = records.assign(fpc=records["stratum"].map(n_psu * 3))
    spec = {"strata": "stratum", "cluster": "cluster", "fpc": "fpc"}
    source = large
    if isinstance(large, tk.io.LazyTable):
        cases = " ".join(f"WHEN {h} THEN {3 * k}" for h, k in n_psu.items())
        source = large.assign(fpc=f"CASE stratum {cases} END")
    else:
        source = dd.from_pandas(with_fpc, npartitions=3)
    ref = tk.stats.Design(with_fpc, **spec)
    got = tk.stats.Design(source, **spec)
    _frames_equal(ref.by("street").mean("satisfaction"),
                  got.by("street").mean("satisfaction"), rtol=1e-9)


def test_design_refusals(large):
    with pytest.raises(DesignError, match="single PSU"):
        tk.stats.Design(large, strata="street", cluster="street")
    with pytest.raises(DesignError, match="two stages"):
        tk.stats.Design(large, cluster=["cluster", "request_id"], fpc=["weight", "weight"])
    d = tk.stats.Design(large, weights="weight")
    with pytest.raises(tk.errors.LargeDataUnavailableError, match="prop"):
        d.prop("category")
    with pytest.raises(tk.ColumnNotFoundError, match="satisfaction"):
        d.mean("satisfactoin")


# ---------------------------------------------------------------------------
# two-mode networks


def _edges(G: nx.Graph) -> list:
    return sorted((min(u, v), max(u, v), w) for u, v, w in G.edges(data="weight"))


def test_two_mode_same_as_pandas(records, large):
    ref = tk.net.two_mode(records, actor="street", event="department")
    got = tk.net.two_mode(large, actor="street", event="department")
    assert sorted(ref.nodes(data=True)) == sorted(got.nodes(data=True))
    assert _edges(ref) == _edges(got)


def test_dispatch_counts_as_weights(records, large):
    ref = tk.net.two_mode(records.assign(n=1), actor="street", event="department", weight="n")
    got = tk.net.two_mode(large.assign(n=1), actor="street", event="department", weight="n")
    assert _edges(ref) == _edges(got)
    assert sum(w for *_, w in _edges(got)) == len(records)
    for agg in ("mean", "max"):
        ref = tk.net.two_mode(records, actor="street", event="department",
                              weight="satisfaction", agg=agg)
        got = tk.net.two_mode(large, actor="street", event="department",
                              weight="satisfaction", agg=agg)
        a, b = _edges(ref), _edges(got)
        assert [e[:2] for e in a] == [e[:2] for e in b]
        np.testing.assert_allclose([e[2] for e in a], [e[2] for e in b], rtol=1e-12)


@pytest.mark.parametrize("weight", ["count", "newman", "jaccard"])
def test_project_same_as_pandas(records, large, weight):
    kw = {"actor": "community", "event": "department", "weight": weight}
    ref = tk.net.project(records, **kw)
    got = tk.net.project(large, **kw)
    assert sorted(ref.nodes) == sorted(got.nodes)
    a, b = _edges(ref), _edges(got)
    assert [e[:2] for e in a] == [e[:2] for e in b]
    np.testing.assert_allclose([e[2] for e in a], [e[2] for e in b], rtol=1e-12)


def test_two_mode_refusals(large):
    with pytest.raises(ValueError, match="row order"):
        tk.net.two_mode(large, actor="street", event="department", weight="satisfaction",
                        agg="last")
    with pytest.raises(tk.ColumnNotFoundError, match="departement"):
        tk.net.two_mode(large, actor="street", event="departement")


def test_rows_without_ids_refused(records, lazy, client):
    holes = records.assign(street=records["street"].where(records.index % 500 != 0))
    sources = {
        "duckdb": lazy.assign(
            street="CASE WHEN CAST(substr(request_id, 2) AS INTEGER) % 500 = 0 THEN NULL "
                   "ELSE street END"),
        "dask": dd.from_pandas(holes, npartitions=3),
    }
    for source in sources.values():
        with pytest.raises(ValueError, match="4 row"):
            tk.net.two_mode(source, actor="street", event="department")
    with pytest.raises(ValueError, match="4 row"):
        tk.net.two_mode(holes, actor="street", event="department")


def test_two_mode_refuses_a_graph_too_large(lazy, monkeypatch):
    import toolkit.net._engine as engine

    monkeypatch.setattr(engine, "MAX_GRAPH_EDGES", 10)
    with pytest.raises(tk.errors.DataTooLargeError, match="output=\"sparse\""):
        tk.net.two_mode(lazy, actor="community", event="department")


def test_submissions_missing_group_keys(records, client, tmp_path):
    holes = records.assign(street=records["street"].where(records.index % 37 != 0))
    holes.to_parquet(tmp_path / "holes.parquet", index=False)
    ref = tk.stats.submissions(holes, by="street")
    assert pd.isna(ref.rates["street"].iloc[-1])  # the missing street is a group, last
    for source in (tk.io.scan(tmp_path / "holes.parquet"), dd.from_pandas(holes, npartitions=3)):
        got = tk.stats.submissions(source, by="street")
        for part in ("rates", "lags", "km"):
            _frames_equal(getattr(ref, part), getattr(got, part))
