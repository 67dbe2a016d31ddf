"""The networkx → igraph conversion and the memory guard."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from toolkit.errors import DataTooLargeError
from toolkit.net._engine import adjacency, check_dense, edge_arrays, igraph_seed, to_igraph


def test_to_igraph_keeps_edges_weights_and_direction():
    G = nx.DiGraph([("a", "b", {"weight": 2.0}), ("b", "c"), ("c", "c", {"weight": 5})])
    g, nodes = to_igraph(G, weight="weight")
    assert nodes == ["a", "b", "c"]
    assert g.is_directed()
    got = {(nodes[e.source], nodes[e.target]): e["weight"] for e in g.es}
    assert got == {("a", "b"): 2.0, ("b", "c"): 1.0, ("c", "c"): 5.0}
    U = nx.Graph([(1, 0), (2, 1)])
    s, _t, _ = edge_arrays(U)
    assert len(s) == U.number_of_edges()
    A, _ = adjacency(U)
    assert (A.toarray() == nx.to_numpy_array(U)).all()


def test_igraph_seed_leaves_global_random_state_alone():
    import random

    random.seed(1)
    expected = random.random()
    random.seed(1)
    g, _ = to_igraph(nx.karate_club_graph())
    with igraph_seed(5):
        a = np.asarray(g.layout_fruchterman_reingold().coords)
    with igraph_seed(5):
        b = np.asarray(g.layout_fruchterman_reingold().coords)
    assert np.allclose(a, b)
    assert random.random() == expected


def test_check_dense_names_the_alternative():
    check_dense(100, what="x", alternative="y")
    with pytest.raises(DataTooLargeError, match="Use sampling instead"):
        check_dense(10**6, what="The matrix", alternative="sampling")
    with pytest.raises(MemoryError):  # DataTooLargeError is also a MemoryError
        check_dense(10**6, what="The matrix", alternative="sampling")
