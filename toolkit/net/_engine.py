"""Engine room of ``tk.net``: networkx ↔ igraph/scipy conversion and the memory guard.

Researchers see and pass around :class:`networkx.Graph` objects; heavy measures,
communities and layouts run on igraph. A graph is converted once per call: the
adjacency dict is flattened into numpy position arrays (no per-edge attribute
dictionaries are read unless a weight is asked for), handed to igraph as int pairs.
"""

from __future__ import annotations

import contextlib
import itertools
import random
import warnings
from collections.abc import Hashable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from toolkit._checks import close_matches
from toolkit.errors import ArgumentTypeError, ColumnNotFoundError, DataTooLargeError

if TYPE_CHECKING:  # pragma: no cover
    import igraph as ig

#: Largest number of nodes for which a dense n × n matrix is built (8 bytes a cell:
#: 20,000 nodes are 3.2 GB). Beyond it, functions that need one raise
#: :class:`toolkit.errors.DataTooLargeError` and name a sparse or sampled alternative.
MAX_DENSE_NODES = 20_000

#: Largest number of edges a projection returns as a networkx graph (a networkx edge
#: costs about 500 bytes: 5 million edges are about 2.5 GB). Beyond it, ``project``
#: raises and suggests ``output="edges"`` or ``output="sparse"``.
MAX_GRAPH_EDGES = 5_000_000


def check_dense(n: int, *, what: str, alternative: str) -> None:
    """Refuse to build a dense ``n × n`` object beyond :data:`MAX_DENSE_NODES`.

    Examples
    --------
    >>> check_dense(10, what="the adjacency matrix", alternative="sampling")
    """
    if n > MAX_DENSE_NODES:
        gb = n * n * 8 / 1e9
        msg = (f"{what} would be a dense {n:,} × {n:,} matrix (about {gb:,.1f} GB), beyond "
               f"the limit of {MAX_DENSE_NODES:,} nodes (toolkit.net._engine.MAX_DENSE_NODES). "
               f"Use {alternative} instead.")
        raise DataTooLargeError(msg)


def node_index(G: nx.Graph) -> tuple[list[Hashable], dict[Hashable, int]]:
    """Nodes of `G` in graph order and their positions."""
    nodes = list(G)
    return nodes, {v: i for i, v in enumerate(nodes)}


def edge_arrays(
    G: nx.Graph,
    index: dict[Hashable, int] | None = None,
    weight: str | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Source and target positions (and weights) of the edges of `G` as numpy arrays.

    Each undirected edge appears once. Missing weights count as 1.

    Examples
    --------
    >>> s, t, w = edge_arrays(nx.path_graph(3), weight="weight")
    >>> s.tolist(), t.tolist(), w.tolist()
    ([0, 1], [1, 2], [1.0, 1.0])
    """
    if index is None:
        index = node_index(G)[1]
    adj = G._adj  # the adjacency dict-of-dicts; read only
    lens = np.fromiter(map(len, adj.values()), dtype=np.int64, count=len(adj))
    m2 = int(lens.sum())
    own = np.fromiter(map(index.__getitem__, adj), dtype=np.int64, count=len(adj))
    src = np.repeat(own, lens)
    dst = np.fromiter(map(index.__getitem__, itertools.chain.from_iterable(adj.values())),
                      dtype=np.int64, count=m2)
    w = None
    if weight is not None:
        w = np.fromiter(
            (d.get(weight, 1.0) for nbrs in adj.values() for d in nbrs.values()),
            dtype=float, count=m2)
    if not G.is_directed():
        keep = src <= dst  # each undirected edge once (self-loops once)
        if G.number_of_edges() != int(keep.sum()):  # pragma: no cover - defensive
            keep = src < dst
        src, dst = src[keep], dst[keep]
        if w is not None:
            w = w[keep]
    return src, dst, w


def to_igraph(G: nx.Graph, weight: str | None = None) -> tuple[ig.Graph, list[Hashable]]:
    """Convert `G` to an igraph Graph (vertex i is ``nodes[i]``); weights as edge attribute.

    Examples
    --------
    >>> g, nodes = to_igraph(nx.path_graph(4))
    >>> g.vcount(), g.ecount(), nodes
    (4, 3, [0, 1, 2, 3])
    """
    import igraph as ig

    nodes, index = node_index(G)
    src, dst, w = edge_arrays(G, index, weight)
    # igraph reads a list of int tuples about 3x faster than a numpy array
    edges = list(zip(src.tolist(), dst.tolist(), strict=True))
    g = ig.Graph(n=len(nodes), edges=edges, directed=G.is_directed())
    if w is not None:
        g.es["weight"] = w.tolist()
    return g, nodes


def adjacency(G: nx.Graph, weight: str | None = None, nodes: Sequence | None = None
              ) -> tuple[sp.csr_array, list[Hashable]]:
    """Sparse adjacency matrix of `G` (symmetric for undirected graphs).

    Examples
    --------
    >>> A, nodes = adjacency(nx.path_graph(3))
    >>> A.toarray().tolist()
    [[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    if nodes is None:
        nodes, index = node_index(G)
    else:
        nodes = list(nodes)
        index = {v: i for i, v in enumerate(nodes)}
    src, dst, w = edge_arrays(G, index, weight)
    if w is None:
        w = np.ones(len(src))
    n = len(nodes)
    if not G.is_directed():
        off = src != dst
        src, dst, w = (np.concatenate([src, dst[off]]), np.concatenate([dst, src[off]]),
                       np.concatenate([w, w[off]]))
    A = sp.coo_array((w, (src, dst)), shape=(n, n)).tocsr()
    return A, nodes


@contextlib.contextmanager
def igraph_seed(seed: int | None) -> Iterator[None]:
    """Run igraph's random algorithms with their own seeded generator.

    igraph draws from Python's :mod:`random` module by default; this swaps in a
    private ``random.Random(seed)`` and restores the default afterwards, so the
    user's global random state is left alone.
    """
    import igraph as ig

    if seed is None:
        yield
        return
    ig.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        ig.set_random_number_generator(random)


@contextlib.contextmanager
def quiet_igraph() -> Iterator[None]:
    """Silence igraph's RuntimeWarnings about disconnected graphs (documented caveats)."""
    with warnings.catch_warnings():
        # igraph warns from C code (eigenvector centrality of disconnected graphs);
        # the caveat is documented in the functions that call it.
        warnings.filterwarnings("ignore", category=RuntimeWarning, module="igraph")
        warnings.filterwarnings("ignore", message=".*disconnected graphs.*",
                                category=RuntimeWarning)
        yield


def check_graph(G: Any, *, name: str = "G") -> nx.Graph:
    """Raise a helpful TypeError when `G` is not a networkx graph."""
    if not isinstance(G, nx.Graph):
        msg = (f"`{name}` must be a networkx Graph or DiGraph, not {type(G).__name__}. "
               "Build one with `tk.net.two_mode(...)`, `tk.net.project(...)` or networkx.")
        raise ArgumentTypeError(msg)
    if G.is_multigraph():
        msg = (f"`{name}` is a multigraph; collapse parallel edges first, e.g. "
               "`nx.Graph(G)` (keeps one edge) or sum their weights into one edge.")
        raise ArgumentTypeError(msg)
    return G


def check_attribute(G: nx.Graph, attr: str, *, param: str = "by") -> dict[Hashable, Any]:
    """Node attribute `attr` of every node, or a ColumnNotFoundError with suggestions."""
    values = nx.get_node_attributes(G, attr)
    if len(values) == G.number_of_nodes():
        return values
    if not values:
        known = sorted({k for _, d in G.nodes(data=True) for k in d})
        close = close_matches(attr, known)
        hint = f" Did you mean {', '.join(f'`{c}`' for c in close)}?" if close else ""
        msg = (f"Could not find node attribute `{attr}` given as `{param}`.{hint} "
               f"Node attributes available: {known}.")
        raise ColumnNotFoundError(msg)
    missing = [v for v in G if v not in values][:5]
    msg = (f"Node attribute `{attr}` (given as `{param}`) is missing on "
           f"{G.number_of_nodes() - len(values)} node(s), e.g. {missing}. Set it on every "
           "node (e.g. with an 'unknown' category) or drop those nodes.")
    raise ValueError(msg)


def node_frame(G: nx.Graph, nodes: Sequence[Hashable] | None = None) -> pd.DataFrame:
    """One row per node: a ``node`` column, then the node attributes."""
    if nodes is None:
        nodes = list(G)
    records = [G.nodes[v] for v in nodes]
    attrs = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    attrs = attrs.drop(columns=[c for c in attrs.columns if c == "node"])
    frame = pd.DataFrame({"node": list(nodes)})
    if len(attrs.columns):
        frame = pd.concat([frame, attrs.reset_index(drop=True)], axis=1)
    return frame


def is_bipartite_graph(G: nx.Graph) -> bool:
    """True when every node carries ``bipartite`` in {0, 1} (as ``two_mode`` sets it)."""
    vals = nx.get_node_attributes(G, "bipartite")
    return (G.number_of_nodes() > 0 and len(vals) == G.number_of_nodes()
            and set(vals.values()) <= {0, 1})
