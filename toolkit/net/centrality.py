"""Node-level network measures, returned as one tidy DataFrame."""

from __future__ import annotations

import difflib
import random
from collections.abc import Iterable
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from toolkit._docs import doc
from toolkit.net._engine import (
    check_graph,
    is_bipartite_graph,
    node_frame,
    quiet_igraph,
    to_igraph,
)

__all__ = ["AVAILABLE", "measures"]

#: Measures :func:`measures` knows, in the order their columns appear.
AVAILABLE = (
    "degree", "in_degree", "out_degree", "weighted_degree", "betweenness", "closeness",
    "eigenvector", "clustering", "kcore", "constraint", "effective_size",
)
_IGRAPH = {"betweenness", "closeness", "eigenvector", "kcore", "clustering"}


def _bipartite_max_betweenness(n: int, m: int) -> float:
    """Largest possible betweenness of a node in a mode of size `n` (other mode `m`).

    Borgatti & Everett (1997), as ``networkx.algorithms.bipartite.betweenness_centrality``.
    """
    s, t = divmod(n - 1, m)
    return (((m**2) * ((s + 1) ** 2)) + (m * (s + 1) * (2 * t - s - 1))
            - (t * ((2 * s) - t + 3))) / 2.0


def _reach(g: Any, mode: str) -> np.ndarray:
    """Number of nodes each node reaches (itself included) along `mode` paths."""
    if mode == "all" or not g.is_directed():
        membership = np.asarray(g.connected_components(mode="weak").membership)
        sizes = np.bincount(membership)
        return sizes[membership]
    return np.asarray(g.neighborhood_size(order=g.vcount(), mode=mode))


@doc
def measures(
    G: nx.Graph,
    *,
    measures: Iterable[str] = ("degree", "betweenness", "closeness", "eigenvector"),
    weight: str | None = None,
    sample: int | None = None,
    seed: int | None = None,
    normalized: bool = True,
    two_mode: bool | None = None,
) -> pd.DataFrame:
    r"""Centrality and position measures, one row per node with its attributes.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
        The network (e.g. from :func:`project` or :func:`two_mode`).
    measures : list of str, default ("degree", "betweenness", "closeness", "eigenvector")
        Any of ``"degree"``, ``"in_degree"``, ``"out_degree"`` (directed),
        ``"weighted_degree"``, ``"betweenness"``, ``"closeness"``,
        ``"eigenvector"``, ``"clustering"``, ``"kcore"``, ``"constraint"``,
        ``"effective_size"``, or ``"all"``.
    weight : str, optional
        Edge attribute with tie strengths, used by ``weighted_degree``,
        ``eigenvector``, ``constraint`` and ``effective_size``. Path measures
        (betweenness, closeness) always use unweighted geodesics, as UCINET does.
    sample : int, optional
        Estimate betweenness from this many randomly chosen source nodes (Brandes
        & Pich 2007) instead of all of them; for graphs of more than ~20,000 nodes.
        Path counts from the k sources are scaled by (n − 1)/k, or (n − 1)/(k − 1)
        for the sampled nodes themselves, an unbiased estimate (networkx ≥ 3.5).
    {seed}
        Used to choose the sample sources (the same choice as networkx's
        ``betweenness_centrality(k=sample, seed=seed)``).
    normalized : bool, default True
        Normalise degree, betweenness and closeness as networkx and UCINET do.
    two_mode : bool, optional
        Use the two-mode normalisation of Borgatti & Everett (1997) for degree,
        betweenness and closeness. Default: True when every node carries the
        ``bipartite`` attribute (graphs from :func:`two_mode`).

    Returns
    -------
    pandas.DataFrame
        One row per node, in graph order: ``node``; the node attributes (e.g.
        ``bipartite``, ``type``, ``sector``); then one column per measure:

        - ``degree`` – degree / (n − 1) (raw degree if not normalised); two-mode:
          degree / size of the other mode;
        - ``in_degree``, ``out_degree`` – the same for directed graphs;
        - ``weighted_degree`` – sum of `weight` over the node's ties (strength);
        - ``betweenness`` – share of geodesics through the node, divided by
          (n − 1)(n − 2)/2 (undirected) or (n − 1)(n − 2) (directed); two-mode:
          divided by the largest possible value for the node's mode;
        - ``betweenness_sampled`` – True when betweenness was estimated from
          `sample` sources (also ``df.attrs["measures"]["betweenness"]``);
        - ``closeness`` – (r − 1)/Σd × (r − 1)/(n − 1), r the nodes it reaches
          (Wasserman–Faust for disconnected graphs; networkx's default);
          directed graphs use incoming distances, like networkx;
        - ``eigenvector`` – leading eigenvector, scaled to unit Euclidean length
          as networkx does (in-ties for directed graphs);
        - ``clustering`` – local clustering coefficient (0 for degree < 2);
        - ``kcore`` – core number (largest k of a k-core holding the node);
        - ``constraint``, ``effective_size`` – Burt (1992), as networkx computes
          them (NaN for isolates).

    Raises
    ------
    ValueError
        For an unknown measure (with a suggestion) or a `sample` larger than the
        graph.

    Notes
    -----
    Degree, betweenness, closeness, eigenvector, clustering and k-core run on
    igraph (the graph is converted once per call); constraint and effective
    size run on networkx. For disconnected graphs eigenvector centrality is
    concentrated in the component with the largest eigenvalue.

    Two-mode betweenness maximum for a node in a mode of size n, with the other
    of size m, is :math:`[m^2(s+1)^2 + m(s+1)(2t-s-1) - t(2s-t+3)]/2`, with
    :math:`s, t = \mathrm{divmod}(n-1, m)`; two-mode closeness is
    :math:`(m + 2(n-1))/\sum d`.

    References
    ----------
    Freeman, L. C. (1979). Centrality in social networks: conceptual clarification.
    *Social Networks* 1, 215–239.

    Borgatti, S. P., & Everett, M. G. (1997). Network analysis of 2-mode data.
    *Social Networks* 19, 243–269.

    Burt, R. S. (1992). *Structural Holes*. Harvard University Press.

    Brandes, U., & Pich, C. (2007). Centrality estimation in large networks.
    *International Journal of Bifurcation and Chaos* 17, 2303–2318.

    Padgett, J. F., & Ansell, C. K. (1993). Robust action and the rise of the
    Medici. *American Journal of Sociology* 98, 1259–1319 (the Florentine data;
    Medici betweenness 0.522 is the value tested).

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("c", "d"), ("b", "d")])
    >>> tk.net.measures(G, measures=["degree", "betweenness"]).round(3)
      node  degree  betweenness  betweenness_sampled
    0    a   0.333        0.000                False
    1    b   1.000        0.667                False
    2    c   0.667        0.000                False
    3    d   0.667        0.000                False
    """
    check_graph(G)
    wanted = _parse(measures)
    n = G.number_of_nodes()
    directed = G.is_directed()
    if not directed and (measures == "all" or "all" in list(measures)):
        wanted -= {"in_degree", "out_degree"}
    if two_mode is None:
        two_mode = is_bipartite_graph(G)
    if sample is not None and not (0 < int(sample) <= n):
        msg = f"`sample` must be between 1 and the number of nodes ({n}), not {sample}."
        raise ValueError(msg)
    if "kcore" in wanted and nx.number_of_selfloops(G):
        msg = ("`kcore` is undefined with self-loops; remove them first: "
               "`G.remove_edges_from(nx.selfloop_edges(G))` on a copy.")
        raise ValueError(msg)
    nodes = list(G)
    out = node_frame(G, nodes)
    values: dict[str, Any] = {}
    info: dict[str, Any] = {"normalized": normalized, "two_mode": bool(two_mode),
                            "weight": weight}

    top = bottom = None
    if two_mode:
        modes = np.array([G.nodes[v].get("bipartite") for v in nodes])
        top = modes == 0
        bottom = ~top
        if not top.any() or not bottom.any():
            msg = ("`two_mode=True` needs nodes of both modes (attribute `bipartite` 0 "
                   "and 1); this graph has only one.")
            raise ValueError(msg)

    degree = None
    if wanted & {"degree", "in_degree", "out_degree"}:
        deg = np.fromiter((d for _, d in G.degree()), dtype=float, count=n)
        degree = deg
        if "degree" in wanted:
            if two_mode:
                values["degree"] = np.where(top, deg / bottom.sum(), deg / top.sum()) \
                    if normalized else deg
            else:
                values["degree"] = deg / (n - 1) if normalized and n > 1 else deg
        if directed:
            for name, view in (("in_degree", G.in_degree()), ("out_degree", G.out_degree())):
                if name in wanted:
                    d = np.fromiter((x for _, x in view), dtype=float, count=n)
                    values[name] = d / (n - 1) if normalized and n > 1 else d
        elif wanted & {"in_degree", "out_degree"}:
            msg = "`in_degree`/`out_degree` need a directed graph; use `degree`."
            raise ValueError(msg)
    if "weighted_degree" in wanted:
        values["weighted_degree"] = np.fromiter(
            (d for _, d in G.degree(weight=weight)), dtype=float, count=n)

    if wanted & _IGRAPH and n > 0:
        g, _ = to_igraph(G, weight=weight)
        if "betweenness" in wanted:
            values["betweenness"], info["betweenness"] = _betweenness(
                g, nodes, sample, seed, normalized=normalized, two_mode=bool(two_mode),
                top=top)
        if "closeness" in wanted:
            values["closeness"] = _closeness(g, normalized=normalized, top=top)
        if "eigenvector" in wanted:
            values["eigenvector"] = _eigenvector(g, weighted=weight is not None)
        if "clustering" in wanted:
            if directed:
                cl = nx.clustering(G)
                values["clustering"] = np.array([cl[v] for v in nodes], dtype=float)
            else:
                values["clustering"] = np.asarray(
                    g.transitivity_local_undirected(mode="zero"), dtype=float)
        if "kcore" in wanted:
            values["kcore"] = np.asarray(g.coreness(mode="all"), dtype=float).astype(int)
    if "constraint" in wanted:
        c = nx.constraint(G, weight=weight)
        values["constraint"] = np.array([c[v] for v in nodes], dtype=float)
    if "effective_size" in wanted:
        e = nx.effective_size(G, weight=weight)
        values["effective_size"] = np.array([e[v] for v in nodes], dtype=float)
    del degree

    for name in AVAILABLE:
        if name in values:
            out[name] = values[name]
            if name == "betweenness":
                out["betweenness_sampled"] = info["betweenness"] != "exact"
    out.attrs["measures"] = info
    return out


def _parse(measures: Iterable[str] | str) -> set[str]:
    if isinstance(measures, str):
        measures = [measures]
    wanted = set()
    for m in measures:
        if m == "all":
            wanted |= set(AVAILABLE)
            continue
        if m not in AVAILABLE:
            close = difflib.get_close_matches(str(m), AVAILABLE, n=2)
            hint = f" Did you mean {close}?" if close else ""
            msg = (f"Unknown measure {m!r} in `measures`.{hint} Available: "
                   f"{', '.join(AVAILABLE)}, or 'all'.")
            raise ValueError(msg)
        wanted.add(m)
    return wanted


def _betweenness(g: Any, nodes: list, sample: int | None, seed: int | None, *,
                 normalized: bool, two_mode: bool, top: np.ndarray | None
                 ) -> tuple[np.ndarray, str]:
    n = g.vcount()
    directed = g.is_directed()
    if sample is not None and sample < n:
        # the same sources networkx draws for betweenness_centrality(k=sample, seed=seed)
        chosen = random.Random(seed).sample(nodes, int(sample))
        pos = {v: i for i, v in enumerate(nodes)}
        sources = [pos[v] for v in chosen]
        raw = np.asarray(g.betweenness(directed=directed, sources=sources), dtype=float)
        # unbiased scaling (as networkx >= 3.5): a node is never its own source, so it
        # had n - 1 possible sources, of which k (k - 1 for a sampled node) were used
        k = int(sample)
        scale = np.full(n, (n - 1) / k)
        scale[sources] = (n - 1) / (k - 1) if k > 1 else np.nan
        raw *= scale
        how = f"sampled (k={sample}, seed={seed})"
    else:
        raw = np.asarray(g.betweenness(directed=directed), dtype=float)
        how = "exact"
    if not normalized:
        return raw, how
    if two_mode and top is not None:
        n_top, n_bot = int(top.sum()), int((~top).sum())
        scale = np.where(top, _bipartite_max_betweenness(n_top, n_bot),
                         _bipartite_max_betweenness(n_bot, n_top))
        return raw / scale, how
    if n <= 2:
        return np.zeros(n), how
    pairs = (n - 1) * (n - 2) / (1 if directed else 2)
    return raw / pairs, how


def _closeness(g: Any, *, normalized: bool, top: np.ndarray | None) -> np.ndarray:
    n = g.vcount()
    mode = "in" if g.is_directed() else "all"
    # igraph: 1 / (sum of distances to the nodes reached); NaN for isolates
    inv = np.asarray(g.closeness(mode=mode, normalized=False), dtype=float)
    reach = _reach(g, mode).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        total = np.where(np.isfinite(inv) & (inv > 0), 1.0 / inv, 0.0)
        if top is not None:
            n_top, n_bot = int(top.sum()), int((~top).sum())
            numer = np.where(top, n_bot + 2 * (n_top - 1), n_top + 2 * (n_bot - 1))
        else:
            numer = reach - 1
        c = np.where(total > 0, numer / total, 0.0)
    if normalized and n > 1:
        c = c * (reach - 1) / (n - 1)
    return c


def _eigenvector(g: Any, *, weighted: bool) -> np.ndarray:
    if g.ecount() == 0:
        return np.zeros(g.vcount())
    with quiet_igraph():
        # (igraph 1.0 rejects `directed=False`; directed graphs use in-ties by default)
        ev = np.asarray(g.eigenvector_centrality(weights="weight" if weighted else None),
                        dtype=float)
    norm = np.linalg.norm(ev)
    return ev / norm if norm > 0 else ev
