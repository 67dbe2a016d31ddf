"""Gould–Fernandez brokerage roles, as R ``sna::brokerage`` reports them."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from toolkit._docs import renamed
from toolkit.net._engine import adjacency, check_attribute, check_graph

__all__ = ["ROLES", "brokerage"]

#: The five roles in the order of ``sna::brokerage`` (w_I, w_O, b_IO, b_OI, b_O).
ROLES = ("coordinator", "itinerant", "representative", "gatekeeper", "liaison")


@renamed(group="by")
def brokerage(G: nx.Graph, *, by: str) -> pd.DataFrame:
    r"""Gould–Fernandez brokerage roles of every node, with expectations and z-scores.

    A node B brokers each two-path A → B → C with no direct tie A → C. The
    groups of A, B and C give the role (UCINET's convention, also that of
    ``sna``'s code, whose documentation swapped the two middle labels between
    versions):

    ===============  ======================================  ==========
    role             groups                                  sna name
    ===============  ======================================  ==========
    coordinator      A, B, C all in the same group           ``w_I``
    itinerant        A and C in one group, B outside it      ``w_O``
    representative   A and B in the same group, C outside    ``b_IO``
    gatekeeper       A outside, B and C in the same group    ``b_OI``
    liaison          A, B and C in three different groups    ``b_O``
    ===============  ======================================  ==========

    Parameters
    ----------
    G : networkx.DiGraph or networkx.Graph
        The network. An undirected graph is read as a directed one with every
        tie reciprocated, so each open two-path is counted in both directions
        (A → B → C and C → B → A) and representative = gatekeeper counts.
    by : str
        Node attribute holding each node's group (e.g. ``"sector"``); every
        node must have one.

    Returns
    -------
    pandas.DataFrame
        One row per node, in graph order: ``node``, the `by` column, the
        observed counts ``coordinator``, ``itinerant``, ``representative``,
        ``gatekeeper``, ``liaison`` and ``total``; their expectations
        ``expected_<role>`` (and ``expected_total``) under random group
        assignment at the observed density; and ``z_<role>``/``z_total``,
        (observed − expected)/sd. ``df.attrs["density"]`` is the density used.

    Raises
    ------
    ColumnNotFoundError
        When no node has attribute `by` (close names are suggested).
    ValueError
        When some nodes lack it.

    Notes
    -----
    As ``sna::brokerage`` (Butts): with N nodes, m arcs, density
    :math:`d = m/(N(N-1))`, :math:`p = d^2(1-d)` (the chance that a given
    ordered pair forms an open two-path through B), and :math:`n_g` the size of
    B's group g, the expected counts are

    - coordinator :math:`p(n_g-1)(n_g-2)`;
    - itinerant :math:`p\sum_{h\ne g} n_h(n_h-1)`;
    - representative and gatekeeper :math:`p(N-n_g)(n_g-1)`;
    - liaison :math:`p[(\sum_{h\ne g} n_h)^2 - \sum_{h\ne g} n_h^2]`;
    - total :math:`p(N-1)(N-2)`;

    and the variances are those of ``sna`` (binomial term plus the covariance
    of two-paths sharing a tie, e.g. coordinator
    :math:`E(1-p) + 2(n_g-1)(n_g-2)(n_g-3)d^3(1-d)^3`). z is NaN where the
    variance is 0 (e.g. a group of one or two nodes for coordinator).

    References
    ----------
    Gould, R. V., & Fernandez, R. M. (1989). Structures of mediation: a formal
    approach to brokerage in transaction networks. *Sociological Methodology*
    19, 89–126.

    Butts, C. T. (2008). Social network analysis with sna. *Journal of
    Statistical Software* 24(6) (``brokerage``; the moments above).

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "c")])
    >>> nx.set_node_attributes(G, {"a": "x", "b": "x", "c": "y"}, "sector")
    >>> df = tk.net.brokerage(G, by="sector")
    >>> roles = ["coordinator", "itinerant", "representative", "gatekeeper", "liaison"]
    >>> df.loc[df.node == "b", roles]
       coordinator  itinerant  representative  gatekeeper  liaison
    1            0          0               1           0        0
    """
    check_graph(G)
    groups = check_attribute(G, by, param="by")
    nodes = list(G)
    n_nodes = len(nodes)
    labels = [groups[v] for v in nodes]
    codes, _ = pd.factorize(pd.Series(labels, dtype=object))
    A, _ = adjacency(G, nodes=nodes)
    A.setdiag(0)
    A.eliminate_zeros()
    A.data[:] = 1.0
    A_csc = A.tocsc()
    counts = np.zeros((n_nodes, 5), dtype=np.int64)
    for b in range(n_nodes):
        ins = A_csc.indices[A_csc.indptr[b]:A_csc.indptr[b + 1]]
        outs = A.indices[A.indptr[b]:A.indptr[b + 1]]
        if len(ins) == 0 or len(outs) == 0:
            continue
        closed = A[ins][:, outs].toarray() > 0
        open_ = ~closed & (ins[:, None] != outs[None, :])
        ga, gc, gb = codes[ins], codes[outs], codes[b]
        same_a = (ga == gb)[:, None]
        same_c = (gc == gb)[None, :]
        ac = ga[:, None] == gc[None, :]
        counts[b, 0] = np.count_nonzero(open_ & same_a & same_c)
        counts[b, 1] = np.count_nonzero(open_ & ~same_a & ~same_c & ac)
        counts[b, 2] = np.count_nonzero(open_ & same_a & ~same_c)
        counts[b, 3] = np.count_nonzero(open_ & ~same_a & same_c)
        counts[b, 4] = np.count_nonzero(open_ & ~same_a & ~same_c & ~ac)

    expected, sd, density = _moments(codes, n_nodes, int(A.nnz))
    observed = np.column_stack([counts, counts.sum(axis=1)])
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(sd > 0, (observed - expected) / sd, np.nan)
    out = pd.DataFrame({"node": nodes, by: labels})
    names = [*ROLES, "total"]
    for j, name in enumerate(names):
        out[name] = observed[:, j]
    for j, name in enumerate(names):
        out[f"expected_{name}"] = expected[:, j]
    for j, name in enumerate(names):
        out[f"z_{name}"] = z[:, j]
    out.attrs["density"] = density
    return out


def _moments(codes: np.ndarray, N: int, m: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Expected counts and standard deviations per node (``sna::brokerage``)."""
    N = float(N)
    d = m / (N * (N - 1)) if N > 1 else 0.0
    p = d**2 * (1 - d)
    q = d**3 * (1 - d) ** 3
    sizes = np.bincount(codes).astype(float)
    k = len(sizes)
    e_grp = np.zeros((k, 6))
    v_grp = np.zeros((k, 6))

    def choose2(x: np.ndarray | float) -> np.ndarray | float:
        return x * (x - 1) / 2

    for i in range(k):
        ni = sizes[i]
        others = np.delete(sizes, i)
        e_grp[i, 0] = p * (ni - 1) * (ni - 2)
        v_grp[i, 0] = e_grp[i, 0] * (1 - p) + 2 * (ni - 1) * (ni - 2) * (ni - 3) * q
        e_grp[i, 1] = p * np.sum(others * (others - 1))
        v_grp[i, 1] = e_grp[i, 1] * (1 - p) + 2 * np.sum(others * (others - 1) * (others - 2)) * q
        e_grp[i, 2] = p * (N - ni) * (ni - 1)
        v_grp[i, 2] = e_grp[i, 2] * (1 - p) + 2 * (
            (ni - 1) * choose2(N - ni) + (N - ni) * choose2(ni - 1)) * q
        e_grp[i, 3] = e_grp[i, 2]
        v_grp[i, 3] = v_grp[i, 2]
        e_grp[i, 4] = p * (others.sum() ** 2 - np.sum(others**2))
        v_grp[i, 4] = e_grp[i, 4] * (1 - p) + 4 * np.sum(others * choose2(N - others - ni)) * q
        e_grp[i, 5] = p * (N - 1) * (N - 2)
        v_grp[i, 5] = e_grp[i, 5] * (1 - p) + 2 * (N - 1) * (N - 2) * (N - 3) * q
    return e_grp[codes], np.sqrt(np.clip(v_grp[codes], 0, None)), d
