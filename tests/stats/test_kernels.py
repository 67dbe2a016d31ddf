"""The compiled sums of the design estimators and the two ways they are used.

- ``toolkit.stats._kernels`` against the numpy computation they replace (weighted
  ``np.bincount`` over the same entries, rows in the same order), to 1e-12 relative,
  on seeded data with rows outside every group, missing values and every integer
  width of category codes.
- A design without clusters sums per (stratum, group) cell; the same design with
  each row named as its own cluster sums per (PSU, group) pair. Every estimate, SE,
  deff and interval must agree (1e-10 relative), with fpc, a certainty stratum,
  lonely strata under each ``lonely_psu`` rule, domains and missing values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from toolkit.stats._kernels import cell_weights, centred_squares, pair_moments


@pytest.fixture(scope="module")
def rows():
    rng = np.random.default_rng(7)
    n, size = 5_000, 37
    q = rng.integers(-1, size, n)
    w = rng.uniform(0.5, 4.0, n)
    y = rng.normal(10.0, 3.0, n)
    y[rng.random(n) < 0.1] = np.nan
    level = rng.integers(-1, 4, n)
    return q, w, y, level, size


def test_pair_moments_equal_bincount(rows):
    q, w, y, _, size = rows
    use = (q >= 0) & ~np.isnan(y)
    qq, ww, yy = q[use], w[use], y[use]
    want = [np.bincount(qq, minlength=size).astype(float),
            np.bincount(qq, weights=ww, minlength=size),
            np.bincount(qq, weights=ww * yy, minlength=size),
            np.bincount(qq, weights=ww * yy * yy, minlength=size)]
    for got, exp in zip(pair_moments(q, w, y, size), want, strict=True):
        np.testing.assert_allclose(got, exp, rtol=1e-12)


def test_centred_squares_equal_bincount(rows):
    q, w, y, _, size = rows
    centre = np.linspace(5, 15, size)
    use = (q >= 0) & ~np.isnan(y)
    d = w[use] * (y[use] - centre[q[use]])
    np.testing.assert_allclose(centred_squares(q, w, y, centre, size),
                               np.bincount(q[use], weights=d * d, minlength=size), rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64])
def test_cell_weights_equal_bincount(rows, dtype):
    q, w, _, level, size = rows
    nlev = 4
    use = (q >= 0) & (level >= 0)
    key = q[use] * nlev + level[use]
    got = cell_weights(q, level.astype(dtype), w, nlev, size, 3)
    np.testing.assert_allclose(got[:, 0], np.bincount(key, weights=w[use],
                                                      minlength=size * nlev), rtol=1e-12)
    np.testing.assert_array_equal(got[:, 1], np.bincount(key, minlength=size * nlev))
    np.testing.assert_allclose(got[:, 2], np.bincount(key, weights=w[use] ** 2,
                                                      minlength=size * nlev), rtol=1e-12)
    np.testing.assert_array_equal(cell_weights(q, level.astype(dtype), w, nlev, size, 2),
                                  got[:, :2])


def test_kernels_take_empty_input():
    empty_i, empty_f = np.array([], dtype=np.int64), np.array([])
    assert [a.tolist() for a in pair_moments(empty_i, empty_f, empty_f, 2)] == [[0.0, 0.0]] * 4
    assert cell_weights(empty_i, empty_i, empty_f, 3, 1, 2).tolist() == [[0.0, 0.0]] * 3


def _survey(seed: int = 11, n: int = 600) -> pd.DataFrame:
    """Strata of varied size, one sampled whole (certainty), two with one respondent."""
    rng = np.random.default_rng(seed)
    sizes = [150, 120, 90, 80, 60, 50, 48, 1, 1]
    stratum = np.repeat(np.arange(len(sizes)), sizes)[:n]
    n = len(stratum)
    population = np.array([s * 20 for s in sizes], dtype=float)
    population[2] = sizes[2]  # sampled whole
    y = rng.normal(50, 8, n) + stratum
    y[rng.random(n) < 0.07] = np.nan
    cat = rng.choice(["甲", "乙", "丙", None], n, p=[0.4, 0.3, 0.25, 0.05])
    return pd.DataFrame({
        "row": np.arange(n), "h": stratum, "N": population[stratum],
        "w": rng.uniform(1, 6, n), "y": y, "x": rng.gamma(2, 2, n),
        "cat": pd.Categorical(cat), "town": rng.choice(["东城", "西城", "南城"], n),
        "sex": rng.choice(["男", "女"], n),
    })


def _close(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.select_dtypes(exclude="number"),
                                  b.select_dtypes(exclude="number"))
    np.testing.assert_allclose(a.select_dtypes("number").to_numpy(float),
                               b.select_dtypes("number").to_numpy(float),
                               rtol=1e-10, atol=1e-13, equal_nan=True)


@pytest.mark.parametrize("lonely", ["adjust", "average", "certainty", "remove"])
def test_cells_agree_with_pairs(lonely):
    df = _survey()
    spec = {"weights": "w", "strata": "h", "fpc": "N", "lonely_psu": lonely}
    cells = tk.stats.Design(df, **spec)
    pairs = tk.stats.Design(df, cluster="row", **spec)
    assert cells._by_cells
    assert not pairs._by_cells
    _close(cells.mean(["y", "x"]), pairs.mean(["y", "x"]))
    _close(cells.total("y"), pairs.total("y"))
    _close(cells.by("town").mean("y"), pairs.by("town").mean("y"))
    _close(cells.by(["town", "sex"]).total("x"), pairs.by(["town", "sex"]).total("x"))
    for method in ("wald", "logit", "beta", "likelihood"):
        _close(cells.prop("cat", method=method), pairs.prop("cat", method=method))
        _close(cells.by("town").prop("cat", method=method),
               pairs.by("town").prop("cat", method=method))
    _close(cells.total("cat"), pairs.total("cat"))
    _close(cells.quantile("y", [0.25, 0.5]), pairs.quantile("y", [0.25, 0.5]))
    _close(cells.by("sex").quantile("x", 0.5), pairs.by("sex").quantile("x", 0.5))


def test_cells_agree_with_pairs_in_a_domain_and_without_strata():
    df = _survey(seed=3)
    cells = tk.stats.Design(df, weights="w")
    pairs = tk.stats.Design(df, weights="w", cluster="row")
    _close(cells.mean("y"), pairs.mean("y"))
    _close(cells.by("town").prop("cat"), pairs.by("town").prop("cat"))
    domain = (df["sex"] == "女").to_numpy()
    for d in (cells, pairs):
        assert d._mean_total("y", ["town"], domain, total=False)["n"].sum() == int(
            (domain & df["y"].notna().to_numpy()).sum())
    _close(cells._mean_total("y", ["town"], domain, total=False),
           pairs._mean_total("y", ["town"], domain, total=False))
    _close(cells._prop("cat", None, domain, method="logit"),
           pairs._prop("cat", None, domain, method="logit"))
