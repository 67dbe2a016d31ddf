"""Node-level network measures, returned as one tidy DataFrame."""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any, Literal

import networkx as nx
import numpy as np
import pandas as pd

from toolkit._checks import check_choice, close_matches
from toolkit._docs import doc
from toolkit.errors import ArgumentError
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
    distance: Literal["inverse", "as_is", "unweighted"] | None = None,
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
        ``eigenvector``, ``constraint`` and ``effective_size``, and by betweenness
        and closeness as `distance` says.
    distance : {"inverse", "as_is", "unweighted"}, optional
        How `weight` turns into path lengths for ``betweenness`` and ``closeness``
        (required when both are asked for with a `weight`; a call that would
        otherwise leave the weights unused is refused):

        - ``"inverse"`` – length 1 / weight, so strong ties are short (tie
          strengths such as co-attendance counts; Brandes 2001, Opsahl et al. 2010
          with α = 1);
        - ``"as_is"`` – the weight is already a length or cost (networkx's and
          igraph's ``weight=`` on paths);
        - ``"unweighted"`` – count steps and ignore the weights on paths, as
          UCINET's geodesic measures do.

        Weights used as lengths must be positive and finite.
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
          and d the path lengths (in steps, or the lengths `distance` makes)
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
        For an unknown measure (with a suggestion), a `sample` larger than the
        graph, a `weight` without `distance` for betweenness or closeness, a
        `distance` without `weight`, or weights that cannot be lengths (zero,
        negative, missing).

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

    Brandes, U. (2001). A faster algorithm for betweenness centrality. *Journal
    of Mathematical Sociology* 25, 163–177 (weighted geodesics).

    Opsahl, T., Agneessens, F., & Skvoretz, J. (2010). Node centrality in weighted
    networks. *Social Networks* 32, 245–251 (lengths as inverse tie strengths).

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

    With tie strengths, say how they become path lengths: as inverse strengths
    the strong a–c tie is the shortest path; as lengths it is the longest, and b
    lies between a and c (networkx ``betweenness_centrality(G, weight=...)``):

    >>> W = nx.Graph()
    >>> W.add_weighted_edges_from([("a", "b", 1), ("b", "c", 1), ("a", "c", 4)])
    >>> tk.net.measures(W, measures=["betweenness"], weight="weight",
    ...                 distance="inverse")["betweenness"].tolist()
    [0.0, 0.0, 0.0]
    >>> tk.net.measures(W, measures=["betweenness"], weight="weight",
    ...                 distance="as_is")["betweenness"].tolist()
    [0.0, 1.0, 0.0]
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
        raise ArgumentError(msg)
    if "kcore" in wanted and nx.number_of_selfloops(G):
        msg = ("`kcore` is undefined with self-loops; remove them first: "
               "`G.remove_edges_from(nx.selfloop_edges(G))` on a copy.")
        raise ArgumentError(msg)
    paths = wanted & {"betweenness", "closeness"}
    lengths = _path_lengths(weight, distance, paths=bool(paths), two_mode=bool(two_mode))
    nodes = list(G)
    out = node_frame(G, nodes)
    values: dict[str, Any] = {}
    info: dict[str, Any] = {"normalized": normalized, "two_mode": bool(two_mode),
                            "weight": weight,
                            "distance": distance if paths and weight is not None else None}

    top = bottom = None
    if two_mode:
        modes = np.array([G.nodes[v].get("bipartite") for v in nodes])
        top = modes == 0
        bottom = ~top
        if not top.any() or not bottom.any():
            msg = ("`two_mode=True` needs nodes of both modes (attribute `bipartite` 0 "
                   "and 1); this graph has only one.")
            raise ArgumentError(msg)

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
            raise ArgumentError(msg)
    if "weighted_degree" in wanted:
        values["weighted_degree"] = np.fromiter(
            (d for _, d in G.degree(weight=weight)), dtype=float, count=n)

    if wanted & _IGRAPH and n > 0:
        g, _ = to_igraph(G, weight=weight)
        length = _lengths(g, lengths, weight) if paths else None
        if "betweenness" in wanted:
            values["betweenness"], info["betweenness"] = _betweenness(
                g, nodes, sample, seed, normalized=normalized, two_mode=bool(two_mode),
                top=top, length=length)
        if "closeness" in wanted:
            values["closeness"] = _closeness(g, normalized=normalized, top=top, length=length)
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
            close = close_matches(m, AVAILABLE, n=2)
            hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            msg = (f"Unknown measure {m!r} in `measures`.{hint} Available: "
                   f"{', '.join(AVAILABLE)}, or 'all'.")
            raise ArgumentError(msg)
        wanted.add(m)
    return wanted


def _path_lengths(weight: str | None, distance: str | None, *, paths: bool,
                  two_mode: bool) -> str | None:
    """How path measures read edge lengths: None (steps), "inverse" or "as_is"."""
    if distance is not None:
        check_choice(distance, ("inverse", "as_is", "unweighted"), param="distance")
    if weight is None:
        if distance in ("inverse", "as_is"):
            msg = (f"`distance={distance!r}` turns `weight` into path lengths, but no "
                   "`weight` was given. Name the edge attribute, e.g. `weight=\"weight\"`.")
            raise ArgumentError(msg)
        return None
    if not paths or distance == "unweighted":
        return None
    if distance is None:
        msg = ("`weight=` was given with betweenness or closeness, which need to know how "
               "tie strengths become path lengths. Pass `distance=\"inverse\"` (length "
               "1/weight: strong ties are short), `distance=\"as_is\"` (the weight already "
               "is a length or cost) or `distance=\"unweighted\"` (count steps, as UCINET).")
        raise ArgumentError(msg)
    if two_mode:
        msg = ("The two-mode normalisation (Borgatti & Everett 1997) counts steps; with "
               "weighted path lengths pass `two_mode=False` or `distance=\"unweighted\"`.")
        raise ArgumentError(msg)
    return distance


def _lengths(g: Any, how: str | None, weight: str | None) -> list[float] | None:
    """Edge lengths for igraph's path algorithms (None: every edge has length 1)."""
    if how is None:
        return None
    w = np.asarray(g.es["weight"], dtype=float) if g.ecount() else np.zeros(0)
    bad = ~np.isfinite(w) | (w <= 0)
    if bad.any():
        example = w[bad][0]
        msg = (f"{int(bad.sum())} tie(s) have a `{weight}` that cannot be turned into a path "
               f"length (zero, negative or missing; e.g. {example!r}). Remove those ties, or "
               "use `distance=\"unweighted\"`.")
        raise ArgumentError(msg)
    return (1.0 / w if how == "inverse" else w).tolist()


def _betweenness(g: Any, nodes: list, sample: int | None, seed: int | None, *,
                 normalized: bool, two_mode: bool, top: np.ndarray | None,
                 length: list[float] | None = None) -> tuple[np.ndarray, str]:
    n = g.vcount()
    directed = g.is_directed()
    if sample is not None and sample < n:
        # the same sources networkx draws for betweenness_centrality(k=sample, seed=seed)
        chosen = random.Random(seed).sample(nodes, int(sample))
        pos = {v: i for i, v in enumerate(nodes)}
        sources = [pos[v] for v in chosen]
        raw = np.asarray(g.betweenness(directed=directed, sources=sources, weights=length),
                         dtype=float)
        # unbiased scaling (as networkx >= 3.5): a node is never its own source, so it
        # had n - 1 possible sources, of which k (k - 1 for a sampled node) were used
        k = int(sample)
        scale = np.full(n, (n - 1) / k)
        scale[sources] = (n - 1) / (k - 1) if k > 1 else np.nan
        raw *= scale
        how = f"sampled (k={sample}, seed={seed})"
    else:
        raw = np.asarray(g.betweenness(directed=directed, weights=length), dtype=float)
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


def _closeness(g: Any, *, normalized: bool, top: np.ndarray | None,
               length: list[float] | None = None) -> np.ndarray:
    n = g.vcount()
    mode = "in" if g.is_directed() else "all"
    # igraph: 1 / (sum of distances to the nodes reached); NaN for isolates
    inv = np.asarray(g.closeness(mode=mode, normalized=False, weights=length), dtype=float)
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
