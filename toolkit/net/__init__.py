"""Stakeholder networks: build graphs, measure them, and exchange them with Gephi and UCINET.

``tk.net`` takes a Study or a DataFrame and returns :class:`networkx.Graph` objects
(so the whole of networkx still works on them) and measures as tidy DataFrames.
Heavy computations run on igraph and scipy.sparse behind the same functions.

- build: :func:`two_mode`, :func:`project`, :func:`organisation`,
  :func:`submission_flow`;
- node measures: :func:`measures` (degree, betweenness, closeness, eigenvector,
  clustering, k-core, Burt's constraint and effective size; two-mode
  normalisation for bipartite graphs);
- brokers: :func:`brokerage` (Gould–Fernandez roles, as R ``sna::brokerage``);
- structure: :func:`groups` (block densities, E–I index, assortativity),
  :func:`communities` (Louvain, Leiden, greedy), :func:`core_periphery`
  (Borgatti–Everett);
- inference: :func:`qap` (QAP correlation, MRQAP with double semi-partialling);
- coverage (全覆盖) and change: :func:`coverage`, :func:`by_period`;
- drawing positions: :func:`layout` (seeded igraph/networkx layouts, node → x, y);
- exchange: :func:`write`, :func:`read` (GEXF, GraphML, Pajek, UCINET DL).

Modules are named apart from the functions (``centrality`` holds :func:`measures`,
``brokers`` :func:`brokerage`, ``structure`` :func:`groups`, ``permutation``
:func:`qap`, ``overview`` :func:`coverage`, ``positions`` :func:`layout`), so
``tk.net.measures`` is always the function, whatever was imported first.
"""

from __future__ import annotations

from toolkit._lazy import attach

_LAZY = {
    "two_mode": "toolkit.net.build",
    "project": "toolkit.net.build",
    "organisation": "toolkit.net.build",
    "submission_flow": "toolkit.net.build",
    "SparseProjection": "toolkit.net.build",
    "measures": "toolkit.net.centrality",
    "brokerage": "toolkit.net.brokers",
    "groups": "toolkit.net.structure",
    "communities": "toolkit.net.structure",
    "core_periphery": "toolkit.net.structure",
    "qap": "toolkit.net.permutation",
    "coverage": "toolkit.net.overview",
    "by_period": "toolkit.net.overview",
    "layout": "toolkit.net.positions",
    "write": "toolkit.net.exchange",
    "read": "toolkit.net.exchange",
}

__all__ = sorted(_LAZY)


__getattr__, __dir__ = attach(__name__, _LAZY, __all__)
