"""Node positions of a network drawing (layouts), seeded so the same graph is always drawn alike."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from toolkit._checks import check_choice
from toolkit.net._engine import check_graph, igraph_seed, to_igraph

__all__ = ["METHODS", "layout"]

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
        the same way.

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


def _coordinates(G: nx.Graph, method: str, seed: int | None) -> np.ndarray:
    """Positions as an n × 2 array, graph order."""
    nodes = list(G)
    n = len(nodes)
    if n == 0:
        return np.zeros((0, 2))
    seed = 0 if seed is None else seed
    if method == "spring":
        pos = nx.spring_layout(G, seed=seed)
        return np.array([pos[v] for v in nodes], dtype=float)
    if method == "bipartite":
        modes = nx.get_node_attributes(G, "bipartite")
        if len(modes) != n:
            msg = ("`layout=\"bipartite\"` needs node attribute `bipartite` (0/1) on every "
                   "node, as `tk.net.two_mode` sets it.")
            raise ValueError(msg)
        pos = np.zeros((n, 2))
        for mode in (0, 1):
            idx = [i for i, v in enumerate(nodes) if modes[v] == mode]
            pos[idx, 0] = mode
            pos[idx, 1] = np.linspace(1, 0, len(idx)) if len(idx) > 1 else 0.5
        return pos
    g, _ = to_igraph(G)
    if G.is_directed():
        g = g.as_undirected()
    with igraph_seed(seed):
        if method == "fr":
            # grid variant for big graphs keeps the layout well under a second
            lay = g.layout_fruchterman_reingold(
                grid="auto", niter=500 if g.ecount() <= 5000 else 200)
        elif method == "kk":
            lay = g.layout_kamada_kawai()
        else:
            lay = g.layout_circle()
    return np.array(lay.coords, dtype=float)
