"""Group structure: block densities and E–I index, communities, core–periphery."""

from __future__ import annotations

import html
import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

import networkx as nx
import numpy as np
import pandas as pd
import scipy.linalg
import scipy.sparse as sp

from toolkit._checks import check_choice
from toolkit._docs import doc, renamed
from toolkit._summary import Summary
from toolkit.errors import ArgumentError
from toolkit.net._engine import (
    adjacency,
    check_attribute,
    check_graph,
    igraph_seed,
    node_frame,
    to_igraph,
)

__all__ = ["Communities", "CorePeriphery", "GroupStructure", "communities", "core_periphery",
           "groups"]


def _html_table(title: str, frame: pd.DataFrame, lines: list[str]) -> str:
    head = "".join(f"<p>{html.escape(x)}</p>" for x in lines)
    return f"<h4>{html.escape(title)}</h4>{head}{frame.to_html(index=False)}"


# ---------------------------------------------------------------------------
# groups


@dataclass(frozen=True, repr=False)
class GroupStructure:
    """Block densities, E–I indices and assortativity of a grouping of nodes.

    Attributes
    ----------
    by : str
        The node attribute used (``.group`` is its deprecated spelling).
    blocks : pandas.DataFrame
        Tidy block table: ``group_from``, ``group_to``, ``n_from``, ``n_to``,
        ``ties``, ``possible``, ``density`` (one row per ordered pair of groups;
        for undirected graphs the between-group rows are symmetric).
    density_matrix : pandas.DataFrame
        The same densities as a group × group matrix.
    ei : pandas.DataFrame
        Per group: ``group``, ``n``, ``internal``, ``external``, ``ei_index``.
    ei_index : float
        Whole-network E–I index.
    assortativity : float
        Attribute assortativity coefficient (Newman 2003).
    """

    by: str
    blocks: pd.DataFrame
    density_matrix: pd.DataFrame
    ei: pd.DataFrame
    ei_index: float
    assortativity: float

    def to_frame(self) -> pd.DataFrame:
        """Per-group table: ``group, n, internal, external, ei_index, density_within``."""
        within = self.blocks[self.blocks.group_from == self.blocks.group_to]
        dens = dict(zip(within.group_from, within.density, strict=True))
        out = self.ei.copy()
        out["density_within"] = [dens.get(g, np.nan) for g in out["group"]]
        return out

    @property
    def group(self) -> str:
        """Deprecated spelling of :attr:`by`."""
        warnings.warn("`.group` is deprecated and will be removed in 0.3; use `.by`.",
                      FutureWarning, stacklevel=2)
        return self.by

    def summary(self) -> Summary:
        """Summary: the grouping, E–I index, assortativity and the per-group table."""
        text = (f"Groups by `{self.by}`: {len(self.ei)} groups, E–I index "
                f"{self.ei_index:.3f}, assortativity {self.assortativity:.3f}.")
        info = [("Grouping", self.by), ("Groups", str(len(self.ei))),
                ("E–I index", f"{self.ei_index:.3f}"),
                ("Assortativity", f"{self.assortativity:.3f}")]
        return Summary("Group structure", info, self.to_frame(), text=text, was="str")

    def __repr__(self) -> str:
        return (f"GroupStructure(by={self.by!r}, groups={len(self.ei)}, "
                f"ei_index={self.ei_index:.3f}, assortativity={self.assortativity:.3f})")

    def _repr_html_(self) -> str:
        return _html_table("Group structure", self.to_frame().round(3),
                           [self.summary().as_text()])


@renamed(group="by")
def groups(G: nx.Graph, *, by: str, weight: str | None = None) -> GroupStructure:
    r"""Block density matrix, Krackhardt's E–I index and assortativity of node groups.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
        The network.
    by : str
        Node attribute holding each node's group (e.g. ``"sector"``, ``"type"``);
        ``group=`` is its deprecated spelling.
    weight : str, optional
        Edge attribute to sum instead of counting ties (valued densities).

    Returns
    -------
    GroupStructure
        ``.blocks`` (tidy), ``.density_matrix``, ``.ei`` (per group),
        ``.ei_index``, ``.assortativity``; ``.to_frame()`` gives the per-group
        table ``group, n, internal, external, ei_index, density_within``.

    Raises
    ------
    ColumnNotFoundError
        When no node has attribute `by`.

    Notes
    -----
    Density of block (g, h) is ties / possible ties, with
    :math:`n_g(n_g-1)/2` possible within a group of an undirected graph,
    :math:`n_g(n_g-1)` in a directed one and :math:`n_g n_h` between groups.
    The E–I index is :math:`(E - I)/(E + I)`, E the ties leaving a group and I
    the ties inside it: −1 all ties inside groups, +1 all between (Krackhardt &
    Stern 1988). For a group, E counts every tie with exactly one end in it.
    Assortativity is networkx's ``attribute_assortativity_coefficient``.

    References
    ----------
    Krackhardt, D., & Stern, R. N. (1988). Informal networks and organizational
    crises: an experimental simulation. *Social Psychology Quarterly* 51, 123–140.

    Newman, M. E. J. (2003). Mixing patterns in networks. *Physical Review E*
    67, 026126.

    Examples
    --------
    >>> G = nx.Graph([(1, 2), (2, 3), (3, 4), (4, 1), (1, 3)])
    >>> nx.set_node_attributes(G, {1: "a", 2: "a", 3: "b", 4: "b"}, "sector")
    >>> res = tk.net.groups(G, by="sector")
    >>> res.density_matrix
    group_to    a     b
    group_from
    a         1.0  0.75
    b         0.75  1.0
    >>> round(res.ei_index, 3)
    0.2
    """
    check_graph(G)
    values = check_attribute(G, by, param="by")
    nodes = list(G)
    codes, uniques = pd.factorize(pd.Series([values[v] for v in nodes], dtype=object),
                                  sort=True)
    k = len(uniques)
    A, _ = adjacency(G, weight=weight, nodes=nodes)
    A.setdiag(0)
    A.eliminate_zeros()
    if weight is None:
        A.data[:] = 1.0
    M = sp.csr_array((np.ones(len(nodes)), (np.arange(len(nodes)), codes)),
                     shape=(len(nodes), k))
    S = (M.T @ A @ M).toarray()
    sizes = np.bincount(codes, minlength=k).astype(float)
    directed = G.is_directed()
    ties = S.copy()
    if not directed:
        ties[np.diag_indices(k)] /= 2
    possible = np.outer(sizes, sizes)
    within = sizes * (sizes - 1) / (1 if directed else 2)
    possible[np.diag_indices(k)] = within
    with np.errstate(divide="ignore", invalid="ignore"):
        density = np.where(possible > 0, ties / possible, np.nan)
    labels = list(uniques)
    gi, hi = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    blocks = pd.DataFrame({
        "group_from": [labels[i] for i in gi.ravel()],
        "group_to": [labels[j] for j in hi.ravel()],
        "n_from": sizes[gi.ravel()].astype(int), "n_to": sizes[hi.ravel()].astype(int),
        "ties": ties.ravel(), "possible": possible.ravel(), "density": density.ravel()})
    matrix = pd.DataFrame(density, index=pd.Index(labels, name="group_from"),
                          columns=pd.Index(labels, name="group_to"))
    internal = np.diag(ties)
    if directed:
        external = S.sum(axis=1) + S.sum(axis=0) - 2 * np.diag(S)
        total_internal, total_external = internal.sum(), S.sum() - np.trace(S)
    else:
        external = S.sum(axis=1) - np.diag(S)
        total_internal, total_external = internal.sum(), (S.sum() - np.trace(S)) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        ei_g = np.where(internal + external > 0,
                        (external - internal) / (internal + external), np.nan)
    ei = pd.DataFrame({"group": labels, "n": sizes.astype(int), "internal": internal,
                       "external": external, "ei_index": ei_g})
    tot = total_internal + total_external
    ei_all = float((total_external - total_internal) / tot) if tot > 0 else float("nan")
    if G.number_of_edges():
        assort = float(nx.attribute_assortativity_coefficient(G, by))
    else:
        assort = float("nan")
    return GroupStructure(by, blocks, matrix, ei, ei_all, assort)


# ---------------------------------------------------------------------------
# communities


@dataclass(frozen=True, repr=False)
class Communities:
    """A partition of the nodes into communities, with its modularity.

    Attributes
    ----------
    membership : pandas.DataFrame
        ``node``, ``community`` (0 = largest), ``size``.
    modularity : float
        Newman–Girvan modularity of the partition (at `resolution`).
    method : str
        Algorithm used.
    seed : int or None
        Seed used.
    """

    membership: pd.DataFrame
    modularity: float
    method: str
    seed: int | None = None
    resolution: float = 1.0

    @property
    def n_communities(self) -> int:
        """Number of communities."""
        return int(self.membership["community"].nunique())

    def to_frame(self) -> pd.DataFrame:
        """Membership table: ``node``, ``community``, ``size``."""
        return self.membership.copy()

    def sets(self) -> list[set]:
        """Communities as sets of nodes, largest first (the networkx format)."""
        grouped = self.membership.groupby("community", sort=True)["node"]
        return [set(v) for _, v in grouped]

    def summary(self) -> Summary:
        """Summary: method, seed, modularity and the size of each community."""
        sizes = self.membership.groupby("community").size()
        listed = sizes.tolist()
        text = (f"{self.n_communities} communities ({self.method}, seed {self.seed}), "
                f"modularity {self.modularity:.4f}; sizes {listed[:10]}"
                f"{' …' if len(listed) > 10 else ''}.")
        info = [("Method", self.method), ("Seed", str(self.seed)),
                ("Resolution", f"{self.resolution:g}"),
                ("Communities", str(self.n_communities)),
                ("Modularity", f"{self.modularity:.4f}")]
        return Summary("Communities", info, sizes.rename("size").reset_index(), text=text,
                       was="str")

    def __repr__(self) -> str:
        return (f"Communities(method={self.method!r}, n_communities={self.n_communities}, "
                f"modularity={self.modularity:.4f})")

    def _repr_html_(self) -> str:
        sizes = (self.membership.groupby("community").size().rename("size").reset_index())
        return _html_table("Communities", sizes, [self.summary().as_text()])


def _relabel_by_size(membership: np.ndarray) -> np.ndarray:
    """Community labels 0.. by decreasing size, ties by first appearance."""
    labels, first, counts = np.unique(membership, return_index=True, return_counts=True)
    order = np.lexsort((first, -counts))
    new = np.empty(len(labels), dtype=np.int64)
    new[order] = np.arange(len(labels))
    return new[np.searchsorted(labels, membership)]


@doc
def communities(
    G: nx.Graph,
    *,
    method: Literal["louvain", "leiden", "greedy"] = "louvain",
    seed: int | None = None,
    weight: str | None = "weight",
    resolution: float = 1.0,
    k: int | None = None,
    engine: Literal["igraph", "networkx"] = "igraph",
    n_iterations: int = 2,
) -> Communities:
    r"""Detect communities by modularity maximisation.

    Parameters
    ----------
    G : networkx.Graph
        An undirected network.
    method : {"louvain", "leiden", "greedy"}, default "louvain"
        Louvain (Blondel et al. 2008), Leiden (Traag et al. 2019, modularity
        objective) or greedy agglomeration (Clauset, Newman & Moore 2004).
    {seed}
    weight : str or None, default "weight"
        Edge attribute with tie strengths (missing values count as 1); None
        ignores weights.
    resolution : float, default 1.0
        Resolution γ of modularity; larger values give smaller communities.
    k : int, optional
        For ``"greedy"``: cut the merge tree at exactly `k` communities instead
        of at the modularity maximum.
    engine : {"igraph", "networkx"}, default "igraph"
        igraph is much faster; networkx is the pure-Python fallback
        (``"leiden"`` needs igraph).
    n_iterations : int, default 2
        For ``"leiden"``: iterations of the algorithm, igraph's default (each
        iteration can only improve the partition; two are usually enough). A
        negative number iterates until the partition no longer changes, which
        gives the converged partition but can take very long on large graphs
        (at 100,000 nodes it may not finish in minutes).

    Returns
    -------
    Communities
        ``.membership`` (``node``, ``community``, ``size``; community 0 is the
        largest), ``.modularity``, ``.n_communities``, ``.to_frame()``,
        ``.sets()``.

    Raises
    ------
    ValueError
        For a directed graph (use ``G.to_undirected()``), an unknown method, or
        ``k`` with a method other than ``"greedy"``.

    Notes
    -----
    Modularity :math:`Q = \frac{1}{2m}\sum_{ij}[A_{ij} - \gamma k_i k_j/2m]
    \delta(c_i, c_j)`. Louvain and Leiden are randomised: fix `seed` for
    reproducible results (the seed drives a private generator; the global
    random state is untouched).

    References
    ----------
    Blondel, V. D., Guillaume, J.-L., Lambiotte, R., & Lefebvre, E. (2008). Fast
    unfolding of communities in large networks. *J. Stat. Mech.* P10008.

    Traag, V. A., Waltman, L., & van Eck, N. J. (2019). From Louvain to Leiden.
    *Scientific Reports* 9, 5233.

    Zachary, W. W. (1977). An information flow model for conflict and fission in
    small groups. *Journal of Anthropological Research* 33, 452–473 (the karate
    club split used in the tests). Brandes, U., et al. (2008). On modularity
    clustering. *IEEE TKDE* 20, 172–188 (its maximum modularity, 0.4198).

    Examples
    --------
    >>> G = nx.barbell_graph(5, 0)
    >>> res = tk.net.communities(G, seed=1)
    >>> res.n_communities, round(res.modularity, 3)
    (2, 0.452)
    """
    check_graph(G)
    if G.is_directed():
        msg = ("`communities` needs an undirected graph; pass `G.to_undirected()` (or "
               "symmetrise the ties the way your study defines them).")
        raise ArgumentError(msg)
    check_choice(method, ("louvain", "leiden", "greedy"), param="method")
    check_choice(engine, ("igraph", "networkx"), param="engine")
    if not isinstance(n_iterations, int | np.integer) or n_iterations == 0:
        msg = (f"`n_iterations` must be a positive whole number (or negative: until "
               f"convergence), not {n_iterations!r}.")
        raise ArgumentError(msg)
    if k is not None and method != "greedy":
        msg = "`k` (a fixed number of communities) only works with `method=\"greedy\"`."
        raise ArgumentError(msg)
    nodes = list(G)
    if engine == "networkx":
        if method == "leiden":
            msg = "`method=\"leiden\"` needs `engine=\"igraph\"`."
            raise ArgumentError(msg)
        if method == "louvain":
            parts = nx.community.louvain_communities(G, weight=weight, resolution=resolution,
                                                     seed=seed)
        else:
            parts = nx.community.greedy_modularity_communities(
                G, weight=weight, resolution=resolution, cutoff=k or 1, best_n=k)
        pos = {v: i for i, v in enumerate(nodes)}
        member = np.empty(len(nodes), dtype=np.int64)
        for c, part in enumerate(parts):
            member[[pos[v] for v in part]] = c
        Q = nx.community.modularity(G, parts, weight=weight, resolution=resolution)
    else:
        g, _ = to_igraph(G, weight=weight)
        w = "weight" if weight is not None else None
        with igraph_seed(seed):
            if method == "louvain":
                clustering = g.community_multilevel(weights=w, resolution=resolution)
            elif method == "leiden":
                clustering = g.community_leiden(objective_function="modularity", weights=w,
                                                resolution=resolution,
                                                n_iterations=int(n_iterations))
            else:
                dendro = g.community_fastgreedy(weights=w)
                clustering = dendro.as_clustering(k)
        member = np.asarray(clustering.membership, dtype=np.int64)
        Q = g.modularity(member.tolist(), weights=w, resolution=resolution)
    member = _relabel_by_size(member)
    sizes = np.bincount(member)
    frame = pd.DataFrame({"node": nodes, "community": member, "size": sizes[member]})
    return Communities(frame, float(Q), method, seed, resolution)


# ---------------------------------------------------------------------------
# core-periphery


@dataclass(frozen=True, repr=False)
class CorePeriphery:
    """Borgatti–Everett core–periphery fit.

    Attributes
    ----------
    nodes : pandas.DataFrame
        ``node``, node attributes, ``coreness`` (continuous model, unit length),
        ``core`` (discrete model, bool).
    correlation_continuous : float
        Correlation of the ties with :math:`c_i c_j` (off-diagonal cells).
    correlation_discrete : float
        Correlation of the ties with the ideal core/periphery pattern.
    n_core : int
        Size of the discrete core.
    """

    nodes: pd.DataFrame
    correlation_continuous: float
    correlation_discrete: float
    n_core: int
    extra: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """Per-node table (``node``, attributes, ``coreness``, ``core``)."""
        return self.nodes.copy()

    def summary(self) -> Summary:
        """Summary: core size, the fit of both models and the per-node table."""
        text = (f"Core of {self.n_core} of {len(self.nodes)} nodes; fit (correlation with "
                f"the ideal pattern) discrete {self.correlation_discrete:.3f}, continuous "
                f"{self.correlation_continuous:.3f}.")
        info = [("Core", f"{self.n_core} of {len(self.nodes)} nodes"),
                ("Fit, discrete", f"{self.correlation_discrete:.3f}"),
                ("Fit, continuous", f"{self.correlation_continuous:.3f}")]
        return Summary("Core–periphery", info, self.to_frame(), text=text, was="str")

    def __repr__(self) -> str:
        return (f"CorePeriphery(n_core={self.n_core}, correlation_discrete="
                f"{self.correlation_discrete:.3f}, correlation_continuous="
                f"{self.correlation_continuous:.3f})")

    def _repr_html_(self) -> str:
        top = self.nodes.sort_values("coreness", ascending=False).head(20).round(3)
        return _html_table("Core–periphery", top, [self.summary().as_text()])


def _continuous(A: sp.csr_array, *, tol: float = 1e-8, max_iter: int = 500) -> np.ndarray:
    """Minimise Σ_{i≠j}(a_ij − c_i c_j)² by iterated principal axis (minres).

    Each step replaces the diagonal by c_i² and takes the leading eigenpair
    (Lanczos, warm-started from the previous vector, so later steps are cheap).
    """
    from scipy.sparse.linalg import LinearOperator, eigsh

    n = A.shape[0]
    d = np.zeros(n)
    c = np.zeros(n)
    v0 = np.asarray(A.sum(axis=1)).ravel() + 1.0
    for _ in range(max_iter):
        if n <= 50:
            M = A.toarray()
            M[np.diag_indices(n)] = d
            vals, vecs = scipy.linalg.eigh(M, subset_by_index=[n - 1, n - 1])
            lam, v = vals[0], vecs[:, 0]
        else:
            op = LinearOperator((n, n), matvec=lambda x, dd=d: A @ x + dd * x, dtype=float)
            vals, vecs = eigsh(op, k=1, which="LA", v0=v0, tol=1e-10)
            lam, v = vals[0], vecs[:, 0]
        if v.sum() < 0:
            v = -v
        v0 = v
        new = np.sqrt(max(lam, 0.0)) * v
        done = np.max(np.abs(new - c)) < tol * max(1.0, np.max(np.abs(new)))
        c = new
        if done:
            break
        d = c**2
    return c


def _corr_continuous(A: sp.csr_array, c: np.ndarray) -> float:
    n = A.shape[0]
    N = n * (n - 1)
    sa, sa2 = A.sum(), (A.multiply(A)).sum()
    sac = float(c @ (A @ c))
    sc = c.sum() ** 2 - (c**2).sum()
    sc2 = (c**2).sum() ** 2 - (c**4).sum()
    cov = sac / N - (sa / N) * (sc / N)
    va = sa2 / N - (sa / N) ** 2
    vc = sc2 / N - (sc / N) ** 2
    return float(cov / np.sqrt(va * vc)) if va > 0 and vc > 0 else float("nan")


def _corr_blocks(s_cc: np.ndarray, s_pp: np.ndarray, q_cc: np.ndarray, q_pp: np.ndarray,
                 n_core: np.ndarray, n: int) -> np.ndarray:
    """Correlation of ties with the ideal pattern (core–periphery cells left out)."""
    ncc = n_core * (n_core - 1.0)
    npp = (n - n_core) * (n - n_core - 1.0)
    N = ncc + npp
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = (s_cc + s_pp) / N
        var = (q_cc + q_pp) / N - mean**2
        p = ncc / N
        cov = s_cc / N - mean * p
        r = cov / np.sqrt(var * p * (1 - p))
    return np.where(np.isfinite(r), r, -np.inf)


def _discrete(A: sp.csr_array, start: np.ndarray, *, max_iter: int) -> tuple[np.ndarray, float]:
    """Greedy single-node moves from `start` while the correlation improves."""
    n = A.shape[0]
    A = sp.csr_array(A)
    A.sort_indices()
    A2 = sp.csr_array(A.multiply(A))
    core = start.copy()
    rc = A @ core.astype(float)            # ties of each node to the core
    rp = A @ (~core).astype(float)
    qc = A2 @ core.astype(float)
    qp = A2 @ (~core).astype(float)
    s_cc = float(core.astype(float) @ rc)
    s_pp = float((~core).astype(float) @ rp)
    q_cc = float(core.astype(float) @ qc)
    q_pp = float((~core).astype(float) @ qp)
    s = int(core.sum())
    best = _corr_blocks(np.array([s_cc]), np.array([s_pp]), np.array([q_cc]),
                        np.array([q_pp]), np.array([s]), n)[0]
    for _ in range(max_iter):
        sign = np.where(core, -1.0, 1.0)     # leaving (−) or joining (+) the core
        new_scc = s_cc + sign * 2 * rc
        new_spp = s_pp - sign * 2 * rp
        new_qcc = q_cc + sign * 2 * qc
        new_qpp = q_pp - sign * 2 * qp
        new_s = s + sign
        r = _corr_blocks(new_scc, new_spp, new_qcc, new_qpp, new_s, n)
        i = int(np.argmax(r))
        if not r[i] > best + 1e-12:
            break
        best = float(r[i])
        # A is symmetric CSR: row i holds the ties of node i
        lo, hi = A.indptr[i], A.indptr[i + 1]
        nbrs, vals = A.indices[lo:hi], A.data[lo:hi]
        s_cc, s_pp, q_cc, q_pp, s = new_scc[i], new_spp[i], new_qcc[i], new_qpp[i], int(new_s[i])
        step = -1.0 if core[i] else 1.0
        rc[nbrs] += step * vals
        rp[nbrs] -= step * vals
        qc[nbrs] += step * vals**2
        qp[nbrs] -= step * vals**2
        core[i] = not core[i]
    return core, float(best)


def _best_cut(A: sp.csr_array, order: np.ndarray) -> np.ndarray:
    """Core = first s nodes of `order`, for the s with the best correlation."""
    n = A.shape[0]
    B = A[order][:, order]
    B2 = B.multiply(B)
    low = np.asarray(sp.tril(B, k=-1).sum(axis=1)).ravel()
    up = np.asarray(sp.triu(B, k=1).sum(axis=1)).ravel()
    low2 = np.asarray(sp.tril(B2, k=-1).sum(axis=1)).ravel()
    up2 = np.asarray(sp.triu(B2, k=1).sum(axis=1)).ravel()
    sizes = np.arange(1, n)
    s_cc = 2 * np.cumsum(low)[sizes - 1]
    q_cc = 2 * np.cumsum(low2)[sizes - 1]
    s_pp = 2 * np.cumsum(up[::-1])[::-1][sizes]
    q_pp = 2 * np.cumsum(up2[::-1])[::-1][sizes]
    r = _corr_blocks(s_cc, s_pp, q_cc, q_pp, sizes.astype(float), n)
    s = int(sizes[int(np.argmax(r))])
    core = np.zeros(n, dtype=bool)
    core[order[:s]] = True
    return core


@doc
def core_periphery(
    G: nx.Graph,
    *,
    weight: str | None = None,
    seed: int | None = None,
    n_starts: int = 10,
) -> CorePeriphery:
    r"""Borgatti–Everett core–periphery structure: continuous coreness and a discrete core.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
        The network (a directed one is symmetrised by averaging
        :math:`(a_{ij} + a_{ji})/2`, which gives the same least-squares fit).
    weight : str, optional
        Edge attribute with tie strengths; default: ties count 1.
    {seed}
        Used for the random starts of the discrete search.
    n_starts : int, default 10
        Random starting partitions tried besides the one from the coreness
        order; the best fit is kept.

    Returns
    -------
    CorePeriphery
        ``.to_frame()``: ``node``, node attributes, ``coreness`` (continuous
        model, scaled to unit length, larger = more central), ``core`` (bool,
        discrete model); ``.correlation_continuous``,
        ``.correlation_discrete`` (the fit), ``.n_core``.

    Raises
    ------
    ValueError
        For a graph of fewer than 3 nodes.

    Notes
    -----
    *Continuous model.* Coreness :math:`c` minimises
    :math:`\sum_{i \ne j}(a_{ij} - c_i c_j)^2`, found as UCINET does by the
    minimum-residual (iterated principal axis) method: the diagonal is
    replaced by :math:`c_i^2` and :math:`c = \sqrt{\lambda_1} v_1` recomputed
    until it stops changing. The fit is the Pearson correlation between
    :math:`a_{ij}` and :math:`c_i c_j` over the off-diagonal cells.

    *Discrete model.* The core C maximises the correlation between the ties and
    the ideal pattern :math:`\delta_{ij} = 1` if both i and j are in C, 0 if
    both are in the periphery; core–periphery cells are left out (treated as
    missing, UCINET's default). The search starts from the best cut of the
    coreness order and from `n_starts` random partitions, and moves single
    nodes while the correlation improves (a seeded heuristic: a local, not
    guaranteed global, optimum).

    References
    ----------
    Borgatti, S. P., & Everett, M. G. (1999). Models of core/periphery
    structures. *Social Networks* 21, 375–395.

    Examples
    --------
    >>> G = nx.complete_graph(4)
    >>> G.add_edges_from([(0, 4), (1, 5), (2, 6), (3, 7)])
    >>> cp = tk.net.core_periphery(G, seed=1)
    >>> sorted(cp.to_frame().query("core").node.tolist())
    [0, 1, 2, 3]
    >>> round(cp.correlation_discrete, 3)
    1.0
    """
    check_graph(G)
    nodes = list(G)
    n = len(nodes)
    if n < 3:
        msg = f"`core_periphery` needs at least 3 nodes; this graph has {n}."
        raise ArgumentError(msg)
    A, _ = adjacency(G, weight=weight, nodes=nodes)
    A = A.astype(float)
    if weight is None:
        A.data[:] = 1.0
    if G.is_directed():
        A = (A + A.T) / 2
    A = sp.csr_array(A)
    A.setdiag(0)
    A.eliminate_zeros()
    c = _continuous(A)
    norm = np.linalg.norm(c)
    coreness = c / norm if norm > 0 else c
    r_cont = _corr_continuous(A, c)

    order = np.argsort(-coreness, kind="stable")
    starts = [_best_cut(A, order)]
    rng = np.random.default_rng(seed)
    for _ in range(n_starts):
        size = int(rng.integers(2, max(3, n // 2 + 1)))
        start = np.zeros(n, dtype=bool)
        start[rng.choice(n, size=size, replace=False)] = True
        starts.append(start)
    best_core, best_r = None, -np.inf
    for start in starts:
        core, r = _discrete(A, start, max_iter=4 * n)
        if r > best_r + 1e-12:
            best_core, best_r = core, r
    frame = node_frame(G, nodes)
    frame["coreness"] = coreness
    frame["core"] = best_core
    return CorePeriphery(frame, r_cont, float(best_r), int(best_core.sum()))
