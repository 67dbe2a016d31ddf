"""QAP and MRQAP (tk.net.qap)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

import toolkit as tk
from toolkit.errors import DataTooLargeError


def _off(m: np.ndarray) -> np.ndarray:
    return m[~np.eye(m.shape[0], dtype=bool)]


def test_coefficients_equal_ols_on_off_diagonal_cells():
    # Reference: statsmodels OLS on the n(n-1) off-diagonal cells; tolerance 1e-10
    rng = np.random.default_rng(1)
    n = 20
    x1 = rng.random((n, n))
    x2 = 0.5 * x1 + rng.random((n, n))
    y = 1 + 0.3 * x1 - 0.2 * x2 + rng.normal(0, 1, (n, n))
    res = tk.net.qap(y, {"contact": x1, "same_sector": x2}, n_perm=50, seed=1)
    fit = sm.OLS(_off(y), sm.add_constant(np.column_stack([_off(x1), _off(x2)]))).fit()
    frame = res.to_frame()
    assert frame["term"].tolist() == ["intercept", "contact", "same_sector"]
    assert frame["estimate"].to_numpy() == pytest.approx(fit.params, abs=1e-10)
    assert frame["se"].to_numpy() == pytest.approx(fit.bse, abs=1e-10)
    assert frame["t"].to_numpy() == pytest.approx(fit.tvalues, abs=1e-8)
    assert res.r2 == pytest.approx(fit.rsquared, abs=1e-10)
    assert frame["n"].iloc[0] == n * (n - 1)
    assert np.isnan(frame["p_value"].iloc[0])  # the intercept is not permutation-tested


def test_p_values_near_uniform_under_independence():
    # Independent random digraphs: QAP p-values should be ~U(0, 1). 60 replicates of
    # 99 permutations; Kolmogorov-Smirnov against U(0, 1) must not reject at 1 %.
    ps = []
    for s in range(60):
        g = np.random.default_rng(1000 + s)
        a = (g.random((12, 12)) < 0.3).astype(float)
        b = (g.random((12, 12)) < 0.3).astype(float)
        ps.append(tk.net.qap(a, b, n_perm=99, seed=s).table["p_value"].iloc[1])
    assert stats.kstest(ps, "uniform").pvalue > 0.01
    assert 0.3 < np.mean(ps) < 0.7


def test_mrqap_detects_planted_relation_and_not_its_collinear_partner():
    rng = np.random.default_rng(7)
    n = 25
    x1 = rng.normal(size=(n, n))
    x2 = 0.7 * x1 + rng.normal(size=(n, n))     # collinear with x1, no effect of its own
    y = 0.8 * x1 + rng.normal(size=(n, n))
    res = tk.net.qap(y, [x1, x2], n_perm=199, seed=3)
    p = res.table.set_index("term")["p_value"]
    assert p["x1"] <= 0.01
    assert p["x2"] > 0.05
    assert res.table.set_index("term").loc["x1", "p_greater"] <= 0.01


def test_correlation_and_alignment_by_labels():
    rng = np.random.default_rng(0)
    labels = [f"P{i}" for i in range(10)]
    x = pd.DataFrame(rng.random((10, 10)), index=labels, columns=labels)
    y = 2 * x + 0.01 * rng.random((10, 10))
    shuffled = x.loc[labels[::-1], labels[::-1]]  # same matrix, other order
    a = tk.net.qap(y, x, n_perm=20, seed=1)
    b = tk.net.qap(y, shuffled, n_perm=20, seed=1)
    assert a.table["estimate"].tolist() == pytest.approx(b.table["estimate"].tolist())
    assert a.correlation == pytest.approx(np.corrcoef(_off(y.to_numpy()),
                                                      _off(x.to_numpy()))[0, 1])
    assert "QAP correlation" in a.summary().as_text()


def test_graph_inputs_and_errors():
    G = nx.gnp_random_graph(15, 0.3, seed=1)
    H = nx.gnp_random_graph(15, 0.3, seed=2)
    res = tk.net.qap(G, H, n_perm=20, seed=1, weight=None)
    assert res.nodes == list(G)
    with pytest.raises(ValueError, match="lacks"):
        tk.net.qap(G, nx.path_graph(3), n_perm=5)
    with pytest.raises(ValueError, match="shape"):
        tk.net.qap(np.zeros((5, 5)), np.zeros((4, 4)))
    with pytest.raises(ValueError, match="collinear"):
        tk.net.qap(np.random.default_rng(0).random((6, 6)), [np.ones((6, 6))])


def test_memory_guard(monkeypatch):
    import toolkit.net._engine as engine

    monkeypatch.setattr(engine, "MAX_DENSE_NODES", 5)
    with pytest.raises(DataTooLargeError, match="sample of nodes"):
        tk.net.qap(np.zeros((6, 6)), np.zeros((6, 6)))


def test_progress_bar_can_be_forced(capsys):
    rng = np.random.default_rng(0)
    tk.net.qap(rng.random((6, 6)), rng.random((6, 6)), n_perm=5, seed=0, progress=True)
    assert "QAP permutations" in capsys.readouterr().err
