"""Gould–Fernandez brokerage (tk.net.brokerage), counted by hand."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

import toolkit as tk
from toolkit.errors import ColumnNotFoundError

ROLES = ["coordinator", "itinerant", "representative", "gatekeeper", "liaison", "total"]


@pytest.fixture
def hand_graph():
    # Groups X = {x1, x2, x3}, Y = {y1, y2}, Z = {z1}; six arcs.
    G = nx.DiGraph([("x1", "x2"), ("y2", "x2"), ("x2", "x3"), ("x2", "y1"),
                    ("y1", "z1"), ("z1", "x1")])
    nx.set_node_attributes(G, {"x1": "X", "x2": "X", "x3": "X", "y1": "Y", "y2": "Y",
                               "z1": "Z"}, "sector")
    return G


def test_role_counts_by_hand(hand_graph):
    # Counted by hand from the Gould–Fernandez definitions (two-paths A -> B -> C
    # with no A -> C tie), UCINET's convention for the two middle roles:
    # broker x2: in-neighbours {x1, y2}, out-neighbours {x3, y1}, no closing ties:
    #   x1 -> x2 -> x3  X X X  coordinator
    #   y2 -> x2 -> y1  Y X Y  itinerant
    #   x1 -> x2 -> y1  X X Y  representative (A and B inside, C outside)
    #   y2 -> x2 -> x3  Y X X  gatekeeper (A outside, B and C inside)
    # broker y1: x2 -> y1 -> z1  X Y Z  liaison
    # broker z1: y1 -> z1 -> x1  Y Z X  liaison
    # broker x1: z1 -> x1 -> x2  Z X X  gatekeeper
    # x3 and y2 broker nothing (no out- or in-ties).
    df = tk.net.brokerage(hand_graph, by="sector").set_index("node")
    expected = {
        "x2": [1, 1, 1, 1, 0, 4], "y1": [0, 0, 0, 0, 1, 1], "z1": [0, 0, 0, 0, 1, 1],
        "x1": [0, 0, 0, 1, 0, 1], "x3": [0, 0, 0, 0, 0, 0], "y2": [0, 0, 0, 0, 0, 0],
    }
    for node, counts in expected.items():
        assert df.loc[node, ROLES].tolist() == counts, node
    assert df.loc["x2", "sector"] == "X"


def test_expected_counts_follow_sna_formulas(hand_graph):
    # sna::brokerage moments by hand: N = 6, m = 6 arcs, d = 6/30 = 0.2,
    # p = d^2 (1 - d) = 0.032. For a broker in X (n = 3; others Y = 2, Z = 1):
    # coordinator p*2*1, itinerant p*(2*1 + 1*0), representative = gatekeeper
    # p*(6-3)*(3-1), liaison p*((2+1)^2 - (4+1)), total p*5*4.
    p = 0.2**2 * 0.8
    df = tk.net.brokerage(hand_graph, by="sector").set_index("node")
    got = df.loc["x2", [f"expected_{r}" for r in ROLES]].to_numpy(dtype=float)
    assert got == pytest.approx([2 * p, 2 * p, 6 * p, 6 * p, 4 * p, 20 * p], abs=1e-12)
    # variance of the coordinator count: E(1 - p) + 2 (n-1)(n-2)(n-3) d^3 (1-d)^3 = E(1-p)
    sd = np.sqrt(2 * p * (1 - p))
    assert df.loc["x2", "z_coordinator"] == pytest.approx((1 - 2 * p) / sd, abs=1e-12)
    assert df.attrs["density"] == pytest.approx(0.2)
    # a group of one: no coordinator role possible, expectation 0, z undefined
    assert df.loc["z1", "expected_coordinator"] == 0
    assert np.isnan(df.loc["z1", "z_coordinator"])


def test_closed_two_path_is_not_brokerage():
    G = nx.DiGraph([("a", "b"), ("b", "c"), ("a", "c")])
    nx.set_node_attributes(G, "g", "sector")
    df = tk.net.brokerage(G, by="sector").set_index("node")
    assert df.loc["b", "total"] == 0


def test_undirected_ties_count_both_directions():
    # a - b - c, all in one group: a->b->c and c->b->a, two coordinator paths
    G = nx.path_graph(["a", "b", "c"])
    nx.set_node_attributes(G, {"a": "x", "b": "x", "c": "y"}, "sector")
    df = tk.net.brokerage(G, by="sector").set_index("node")
    assert df.loc["b", "representative"] == 1
    assert df.loc["b", "gatekeeper"] == 1
    assert df.loc["b", "total"] == 2


def test_missing_group_attribute():
    G = nx.DiGraph([("a", "b")])
    nx.set_node_attributes(G, {"a": "x", "b": "y"}, "sector")
    with pytest.raises(ColumnNotFoundError, match="sector"):
        tk.net.brokerage(G, by="sectr")
    G.add_node("c")
    with pytest.raises(ValueError, match="missing on 1 node"):
        tk.net.brokerage(G, by="sector")
