"""Node positions of a network drawing (layouts), seeded so the same graph is always drawn alike.

"The same graph" means the same nodes and ties, however they were added: positions are
computed on the nodes in sorted order (:func:`canonical_order`) and the ties sorted, so a
graph built from a ``set`` (whose order changes with ``PYTHONHASHSEED``) is laid out
exactly as the same graph built in any other order.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import networkx as nx
import numpy as np
import pandas as pd

from toolkit._checks import check_choice
from toolkit.net._engine import check_graph, edge_arrays, igraph_seed

__all__ = ["METHODS", "canonical_graph", "canonical_order", "layout"]

#: Layout methods: igraph's Fruchterman–Reingold and Kamada–Kawai, a circle, two columns
#: for a two-mode graph, networkx's spring layout.
METHODS: tuple[str, ...] = ("fr", "kk", "circle", "bipartite", "spring")


def layout(G: nx.Graph, *, method: str = "fr", seed: int | None = None) -> pd.DataFrame:
    """Positions of the nodes of `G` for drawing: one row per node.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
        The network.
    method : {"fr", "kk", "circle", "bipartite", "spring"}, default "fr"
        Fruchterman–Reingold (igraph; its grid variant, 500 iterations, or
        200 beyond 5,000 ties) or Kamada–Kawai (igraph), a circle, two columns
        for a two-mode graph (node attribute ``bipartite`` 0/1, as
        ``tk.net.two_mode`` sets it), networkx's spring layout. Direction of
        ties is ignored.
    seed : int, optional
        Seed of the random start; None means 0, so a graph is always laid out
        the same way: positions depend on the nodes and ties only, not on the
        order they were added in (nodes are laid out in sorted order).

    Returns
    -------
    pandas.DataFrame
        ``node``, ``x``, ``y`` in graph order; ``tk.plot.network(G,
        layout=frame)`` draws it.

    Raises
    ------
    ArgumentError
        For an unknown `method`.
    ValueError
        For ``method="bipartite"`` when a node has no ``bipartite`` attribute.

    Examples
    --------
    >>> pos = tk.net.layout(nx.path_graph(3), method="circle")
    >>> pos.columns.tolist(), len(pos)
    (['node', 'x', 'y'], 3)
    >>> pos.equals(tk.net.layout(nx.path_graph(3), method="circle"))
    True
    """
    G = check_graph(G)
    check_choice(method, METHODS, param="method")
    nodes = list(G)
    return pd.DataFrame({"node": nodes, **dict(zip("xy", _coordinates(G, method, seed).T,
                                                     strict=True))})


def canonical_order(nodes: Iterable[Hashable]) -> list[Hashable]:
    """Nodes in a fixed order that does not depend on how a graph was built.

    Sorted when the nodes can be compared (ids of one type); otherwise by type
    name and text, so ``1`` and ``"1"`` keep apart.

    Examples
    --------
    >>> from toolkit.net.positions import canonical_order
    >>> canonical_order({"M3", "M1", "M2"})
    ['M1', 'M2', 'M3']
    >>> canonical_order([2, "b", 1])
    [1, 2, 'b']
    """
    nodes = list(nodes)
    try:
        return sorted(nodes)
    except TypeError:
        return sorted(nodes, key=lambda v: (type(v).__name__, str(v)))


def canonical_graph(G: nx.Graph) -> nx.Graph:
    """A copy of `G` whose nodes and ties are stored in :func:`canonical_order`.

    Everything computed on the copy (layouts, measures, communities, drawing
    order) is the same whatever order `G`'s nodes and ties were added in.
    Node, edge and graph attributes are kept (shared, not copied deeply).

    Examples
    --------
    >>> from toolkit.net.positions import canonical_graph
    >>> list(canonical_graph(nx.Graph([("b", "c"), ("a", "b")])).edges)
    [('a', 'b'), ('b', 'c')]
    """
    if not isinstance(G, nx.Graph):
        check_graph(G)
    order = canonical_order(G)
    index = {v: i for i, v in enumerate(order)}
    directed = G.is_directed()
    H = G.__class__()
    H.graph.update(G.graph)
    H.add_nodes_from((v, G.nodes[v]) for v in order)
    ties = [(u, v, d) if directed or index[u] <= index[v] else (v, u, d)
            for u, v, d in G.edges(data=True)]
    ties.sort(key=lambda e: (index[e[0]], index[e[1]]))  # stable: parallel ties keep order
    H.add_edges_from(ties)
    return H


def _coordinates(G: nx.Graph, method: str, seed: int | None) -> np.ndarray:
    """Positions as an n × 2 array, graph order (computed in canonical order)."""
    nodes = list(G)
    n = len(nodes)
    if n == 0:
        return np.zeros((0, 2))
    seed = 0 if seed is None else seed
    order = canonical_order(nodes)
    index = {v: i for i, v in enumerate(order)}
    back = np.fromiter((index[v] for v in nodes), dtype=np.int64, count=n)
    if method == "spring":
        H = canonical_graph(G)
        pos = nx.spring_layout(H, seed=seed)
        return np.array([pos[v] for v in nodes], dtype=float)
    if method == "bipartite":
        modes = nx.get_node_attributes(G, "bipartite")
        if len(modes) != n:
            msg = ("`layout=\"bipartite\"` needs node attribute `bipartite` (0/1) on every "
                   "node, as `tk.net.two_mode` sets it.")
            raise ValueError(msg)
        pos = np.zeros((n, 2))
        for mode in (0, 1):
            idx = [i for i, v in enumerate(order) if modes[v] == mode]
            pos[idx, 0] = mode
            pos[idx, 1] = np.linspace(1, 0, len(idx)) if len(idx) > 1 else 0.5
        return pos[back]
    import igraph as ig

    src, dst, _ = edge_arrays(G, index)
    lo, hi = np.minimum(src, dst), np.maximum(src, dst)
    ties = sorted(set(zip(lo.tolist(), hi.tolist(), strict=True)))  # direction ignored
    g = ig.Graph(n=n, edges=ties)
    with igraph_seed(seed):
        if method == "fr":
            # grid variant for big graphs keeps the layout well under a second
            lay = g.layout_fruchterman_reingold(
                grid="auto", niter=500 if g.ecount() <= 5000 else 200)
        elif method == "kk":
            lay = g.layout_kamada_kawai()
        else:
            lay = g.layout_circle()
    return np.array(lay.coords, dtype=float)[back]
