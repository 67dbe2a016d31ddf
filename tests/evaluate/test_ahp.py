"""AHP against Saaty's published example, ahpy, and hand computation; bad matrices refused."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import toolkit as tk
from toolkit.errors import ArgumentError, ToolkitWarning

# Saaty's "relative consumption of drinks in the United States" judgements (Saaty 1977;
# reprinted in Saaty 2008, Int. J. Services Sciences 1(1), 83-98, and in ahpy's README).
DRINKS = {
    ("coffee", "wine"): 9, ("coffee", "tea"): 5, ("coffee", "beer"): 2, ("coffee", "soda"): 1,
    ("coffee", "milk"): 1, ("coffee", "water"): 1 / 2, ("wine", "tea"): 1 / 3,
    ("wine", "beer"): 1 / 9, ("wine", "soda"): 1 / 9, ("wine", "milk"): 1 / 9,
    ("wine", "water"): 1 / 9, ("tea", "beer"): 1 / 3, ("tea", "soda"): 1 / 4,
    ("tea", "milk"): 1 / 3, ("tea", "water"): 1 / 9, ("beer", "soda"): 1 / 2,
    ("beer", "milk"): 1, ("beer", "water"): 1 / 3, ("soda", "milk"): 2, ("soda", "water"): 1 / 2,
    ("milk", "water"): 1 / 3,
}
# Saaty's published eigenvector ("derived priorities"), three decimals.
SAATY_DRINKS = {"coffee": 0.177, "wine": 0.019, "tea": 0.042, "beer": 0.116, "soda": 0.190,
                "milk": 0.129, "water": 0.327}


def test_drinks_example_matches_saaty_publication():
    r = tk.evaluate.ahp(DRINKS)
    got = dict(zip(r.weights["indicator"], r.weights["weight"], strict=True))
    for k, v in SAATY_DRINKS.items():
        assert got[k] == pytest.approx(v, abs=5e-4)  # published to 3 decimals
    assert r.consistent
    assert r.ri == 1.32


def test_random_index_is_saatys_table():
    # Saaty (1990), EJOR 48, p. 15: RI for n = 1..10
    expected = [0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49]
    from toolkit.evaluate.pairwise import RANDOM_INDEX

    table = RANDOM_INDEX["saaty"]
    assert [table[n] for n in range(1, 11)] == expected


@pytest.mark.parametrize("matrix", [
    DRINKS,
    {("a", "b"): 1, ("a", "c"): 5, ("a", "d"): 2, ("b", "c"): 3, ("b", "d"): 4, ("c", "d"): 3 / 4},
    {("会议", "提案"): 3, ("会议", "调研"): 5, ("提案", "调研"): 2},
])
def test_matches_ahpy(matrix):
    ahpy = pytest.importorskip("ahpy")
    ref = ahpy.Compare("x", matrix, precision=10, random_index="saaty")
    ours = tk.evaluate.ahp(matrix, random_index="saaty2005")  # ahpy's "saaty" is Saaty 2005
    got = dict(zip(ours.weights["indicator"], ours.weights["weight"], strict=True))
    for k, v in ref.target_weights.items():
        assert got[k] == pytest.approx(float(v), abs=1e-8)
    assert ours.cr == pytest.approx(ref.consistency_ratio, abs=1e-8)


def test_lambda_ci_cr_by_hand():
    m = np.array([[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]])
    r = tk.evaluate.ahp(m)
    values = np.linalg.eigvals(m).real
    lam = values.max()
    assert r.lambda_max == pytest.approx(lam)
    assert r.ci == pytest.approx((lam - 3) / 2)
    assert r.cr == pytest.approx((lam - 3) / 2 / 0.58)
    g = tk.evaluate.ahp(m, method="geometric")
    gm = np.exp(np.log(m).mean(axis=1))
    assert g.weights["weight"].to_numpy() == pytest.approx(gm / gm.sum())
    w = gm / gm.sum()
    assert g.lambda_max == pytest.approx(np.mean(m @ w / w))


def test_several_experts_geometric_mean_of_judgements():
    e1 = np.array([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
    e2 = np.array([[1, 1, 3], [1, 1, 2], [1 / 3, 1 / 2, 1]])
    r = tk.evaluate.ahp([e1, e2], labels=["a", "b", "c"])
    agg = np.sqrt(e1 * e2)
    assert r.matrix.to_numpy() == pytest.approx(agg)
    assert r.weights["weight"].to_numpy() == pytest.approx(
        tk.evaluate.ahp(agg).weights["weight"].to_numpy())
    assert list(r.experts["expert"]) == [1, 2]
    assert r.experts["cr"].iloc[0] == pytest.approx(tk.evaluate.ahp(e1).cr)


def test_inconsistent_is_refused_or_warned():
    m = [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]
    with pytest.raises(ArgumentError, match=r"CR = .* > 0.1.*furthest from the weights"):
        tk.evaluate.ahp(m, labels=["x", "y", "z"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = tk.evaluate.ahp(m, on_inconsistent="warn")
    assert not r.consistent
    assert any(issubclass(c.category, ToolkitWarning) for c in caught)


@pytest.mark.parametrize(("matrix", "match"), [
    ([[1, 3], [3, 1]], r"\(会议, 提案\) = 3 but \(提案, 会议\) = 3, not its reciprocal"),
    ([[1, -2], [-0.5, 1]], r"\(会议, 提案\) = -2 is not positive"),
    ([[2, 3], [1 / 3, 1]], "on the diagonal"),
    ([[1, 2, 3], [0.5, 1, 2]], "square"),
])
def test_bad_matrices_name_the_pair(matrix, match):
    labels = ["会议", "提案"] if len(matrix) == 2 and len(matrix[0]) == 2 else None
    with pytest.raises(ArgumentError, match=match):
        tk.evaluate.ahp(matrix, labels=labels)


def test_missing_pairs_and_result_views():
    with pytest.raises(ArgumentError, match="missing"):
        tk.evaluate.ahp({("a", "b"): 2, ("b", "c"): 2})
    r = tk.evaluate.ahp({("a", "b"): 2, ("a", "c"): 4, ("b", "c"): 2})
    assert r.cr == pytest.approx(0.0, abs=1e-12)  # a consistent matrix
    assert set(r.to_frame().columns) >= {"indicator", "weight", "lambda_max", "cr"}
    assert "CR" in r.summary().as_text()
    assert "λ" in r._repr_html_()


def test_ahp_weights_feed_an_index_system(two_pillars):
    top = tk.evaluate.ahp({("A", "B"): 3})
    s = two_pillars.with_weights(top.weights)
    assert s.local_weights()["A"] == pytest.approx(0.75)
