"""Build graphs from a Study or its tables: two-mode, projections, organisation, flows."""

from __future__ import annotations

import warnings
from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from toolkit._checks import as_table, check_choice, is_study, refuse_large, require_columns
from toolkit._docs import doc
from toolkit._summary import Summary
from toolkit.errors import ArgumentError, ArgumentTypeError, DataTooLargeError, ToolkitWarning
from toolkit.io.personal import find_personal, schema_personal_columns
from toolkit.net._engine import MAX_GRAPH_EDGES, check_graph
from toolkit.schema import VOCABULARIES

if TYPE_CHECKING:
    from toolkit.study import Study

__all__ = ["SparseProjection", "organisation", "project", "submission_flow", "two_mode"]

#: Columns never copied onto nodes (personal data).
_PERSONAL = set(schema_personal_columns())


def _need_study(obj: Any, where: str) -> None:
    """Raise unless `obj` is a Study (a lazy table gets the one large-data message)."""
    refuse_large(obj, where=where)
    if not is_study(obj):
        msg = (f"`{where}` needs a Study (e.g. `tk.read_study(...)` or `tk.Study(...)`), "
               f"not {type(obj).__name__}.")
        raise ArgumentTypeError(msg)


def _clean(value: Any) -> Any:
    """A node-attribute value that every exchange format can hold (None for missing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, pd.Timestamp | np.datetime64):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if isinstance(value, np.generic):
        return value.item()
    return value


def _attribute_table(frame: pd.DataFrame | None, key: str) -> dict[Hashable, dict[str, Any]]:
    """Node attributes by id from a canonical table (personal columns left out)."""
    if frame is None or key not in frame.columns:
        return {}
    personal = _PERSONAL | set(find_personal(frame)["column"])
    cols = [c for c in frame.columns if c != key and c not in personal]
    out: dict[Hashable, dict[str, Any]] = {}
    sub = frame[[key, *cols]].drop_duplicates(subset=[key], keep="first")
    for rec in sub.to_dict("records"):
        node = rec.pop(key)
        out[node] = {k: v for k, v in ((k, _clean(v)) for k, v in rec.items()) if v is not None}
    return out


@doc
def two_mode(
    data: pd.DataFrame | Study,
    *,
    actor: str = "participant_id",
    event: str = "session_id",
    weight: str | None = None,
    agg: Literal["sum", "mean", "max", "first", "last"] = "sum",
) -> nx.Graph:
    """Two-mode (bipartite) graph of actors and the events they take part in.

    One node per actor and per event, one edge per actor–event pair found in
    `data`. Actors get node attribute ``bipartite=0`` and events ``bipartite=1``,
    the networkx convention, so ``networkx.algorithms.bipartite`` works on the
    result. From a Study, actors carry the ``participants`` columns (type,
    sector, committee, unit …) and events the ``sessions`` columns (date,
    platform, topic …); personal columns (name, ID card, phone) are never copied.

    Parameters
    ----------
    data : pandas.DataFrame or Study
        An attendance-like table (one row per actor–event pair), or a Study whose
        ``attendance`` table is used. A Polis votes table works with
        ``actor="voter-id", event="comment-id", weight="vote"``.
    {actor}
    {event}
    weight : str, optional
        Column holding a value for each pair (e.g. ``"speeches"``, or Polis
        ``"vote"``: 1 agree, -1 disagree, 0 pass); stored as edge attribute
        ``weight``. Without it edges carry no weight.
    agg : {"sum", "mean", "max", "first", "last"}, default "sum"
        How repeated rows of the same pair combine into one `weight` (``"last"``
        keeps a voter's final vote).

    Returns
    -------
    networkx.Graph
        Bipartite graph. Node ids are the original ids. When an actor id equals
        an event id, every actor becomes ``"actor:<id>"`` and every event
        ``"event:<id>"`` (a ToolkitWarning says so) and the original id is kept
        in node attribute ``label``. ``G.graph`` records ``actor``, ``event``,
        ``weight`` and ``id_prefix`` (None or the two prefixes).

    Raises
    ------
    ColumnNotFoundError
        When `actor`, `event` or `weight` is not a column of the data.
    ValueError
        When some rows have a missing actor or event id.

    See Also
    --------
    project : the one-mode projections of the result.

    Examples
    --------
    >>> att = pd.DataFrame({"participant_id": ["P1", "P2", "P2", "P3"],
    ...                     "session_id": ["S1", "S1", "S2", "S2"]})
    >>> G = tk.net.two_mode(att)
    >>> sorted(G.nodes(data="bipartite"))
    [('P1', 0), ('P2', 0), ('P3', 0), ('S1', 1), ('S2', 1)]
    >>> G.number_of_edges()
    4
    """
    from toolkit._engines import is_large

    if is_large(data):  # a LazyTable (tk.io.scan) or a Dask DataFrame
        from toolkit.net import _build_large

        data = _build_large.two_mode_pairs(data, actor=actor, event=event, weight=weight,
                                           agg=agg)
        agg = "max"  # the pairs are unique: "max" keeps each combined value (NaN included)
    participants = sessions = None
    if is_study(data):
        frame = data.require("attendance", actor, event)
        participants = data.participants
        sessions = data.sessions
    else:
        frame = as_table(data, "attendance", where="tk.net.two_mode")
    require_columns(frame, {"actor": actor, "event": event, "weight": weight})
    check_choice(agg, ("sum", "mean", "max", "first", "last"), param="agg")
    cols = [actor, event] + ([weight] if weight else [])
    pairs = frame[cols]
    bad = pairs[actor].isna() | pairs[event].isna()
    if bad.any():
        rows = (np.flatnonzero(bad.to_numpy())[:5] + 1).tolist()
        msg = (f"{int(bad.sum())} row(s) of `data` have no `{actor}` or `{event}` (rows "
               f"{rows}, counting from 1). Drop or fill them first, e.g. "
               f"`df.dropna(subset=[{actor!r}, {event!r}])`.")
        raise ArgumentError(msg)
    if weight:
        pairs = pairs.groupby([actor, event], sort=False, observed=True)[weight].agg(agg)
        pairs = pairs.reset_index()
    else:
        pairs = pairs.drop_duplicates()

    actor_ids = pd.unique(pairs[actor])
    event_ids = pd.unique(pairs[event])
    actor_attrs = _attribute_table(participants, "participant_id") if actor == "participant_id" \
        else {}
    event_attrs = _attribute_table(sessions, "session_id") if event == "session_id" else {}

    collide = set(actor_ids.tolist()) & set(event_ids.tolist())
    prefix = None
    if collide:
        prefix = {"actors": "actor:", "events": "event:"}
        example = sorted(map(str, collide))[:3]
        msg = (f"{len(collide)} id(s) are both an actor (`{actor}`) and an event (`{event}`), "
               f"e.g. {example}; nodes are named 'actor:<id>' and 'event:<id>' to keep the "
               "two modes apart (the original id is in node attribute `label`).")
        warnings.warn(msg, ToolkitWarning, stacklevel=2)

    def name(v: Any, mode: str) -> Any:
        return f"{prefix[mode]}{v}" if prefix else v

    G = nx.Graph()
    G.graph.update({"actor": actor, "event": event, "weight": weight, "id_prefix": prefix})
    G.add_nodes_from(
        (name(v, "actors"), {"bipartite": 0, **({"label": str(v)} if prefix else {}),
                             **actor_attrs.get(v, {})})
        for v in actor_ids.tolist())
    G.add_nodes_from(
        (name(v, "events"), {"bipartite": 1, **({"label": str(v)} if prefix else {}),
                             **event_attrs.get(v, {})})
        for v in event_ids.tolist())
    a = pairs[actor].tolist()
    e = pairs[event].tolist()
    if prefix:
        a = [f"actor:{v}" for v in a]
        e = [f"event:{v}" for v in e]
    if weight:
        w = [_clean(x) for x in pairs[weight].tolist()]
        G.add_edges_from((u, v, {"weight": x}) for u, v, x in zip(a, e, w, strict=True))
    else:
        G.add_edges_from(zip(a, e, strict=True))
    return G


# ---------------------------------------------------------------------------
# projection


@dataclass(frozen=True)
class SparseProjection:
    """A one-mode projection kept as a sparse matrix.

    Attributes
    ----------
    matrix : scipy.sparse.csr_array
        Symmetric ``n × n`` weights; the diagonal holds each node's own value
        (number of events for ``"count"``), as UCINET's projection does.
    nodes : list
        Node ids, in matrix order.
    weight : str
        The weighting scheme.
    """

    matrix: sp.csr_array
    nodes: list
    weight: str

    def __repr__(self) -> str:
        n = len(self.nodes)
        ties = (self.matrix.nnz - int(np.count_nonzero(self.matrix.diagonal()))) // 2
        return f"SparseProjection(nodes={n:,}, ties={ties:,}, weight={self.weight!r})"

    def to_frame(self) -> pd.DataFrame:
        """Tidy edge list: ``source``, ``target``, ``weight`` (each tie once)."""
        upper = sp.triu(self.matrix, k=1, format="coo")
        nodes = np.asarray(self.nodes, dtype=object)
        return pd.DataFrame({"source": nodes[upper.row], "target": nodes[upper.col],
                             "weight": upper.data})

    def summary(self) -> Summary:
        """Summary: nodes, ties and the weighting scheme."""
        n = len(self.nodes)
        ties = (self.matrix.nnz - int(np.count_nonzero(self.matrix.diagonal()))) // 2
        return Summary("Sparse projection", [("Nodes", f"{n:,}"), ("Ties", f"{ties:,}"),
                                             ("Weight", self.weight)])

    def _repr_html_(self) -> str:
        return self.summary().as_html()


def _incidence_from_codes(rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int
                          ) -> sp.csr_array:
    data = np.ones(len(rows), dtype=np.float64)
    R = sp.csr_array((data, (rows, cols)), shape=(n_rows, n_cols))
    R.sum_duplicates()
    R.data[:] = 1.0  # repeated pairs count once
    return R


def _incidence(B: Any, on: str, actor: str, event: str
               ) -> tuple[sp.csr_array, list, nx.Graph | None]:
    """Incidence matrix (projected mode × other mode), node ids and the source graph."""
    if isinstance(B, nx.Graph):
        check_graph(B, name="B")
        modes = nx.get_node_attributes(B, "bipartite")
        if len(modes) != B.number_of_nodes():
            msg = ("`B` must be a bipartite graph whose nodes all carry attribute `bipartite` "
                   "(0 actors, 1 events), as `tk.net.two_mode` builds; "
                   f"{B.number_of_nodes() - len(modes)} node(s) lack it.")
            raise ArgumentError(msg)
        keep = 0 if on == "actors" else 1
        ours = [v for v in B if modes[v] == keep]
        other = [v for v in B if modes[v] != keep]
        oi = {v: i for i, v in enumerate(ours)}
        xi = {v: i for i, v in enumerate(other)}
        r, c = [], []
        for u, v in B.edges():
            if u in oi and v in xi:
                r.append(oi[u])
                c.append(xi[v])
            elif v in oi and u in xi:
                r.append(oi[v])
                c.append(xi[u])
            else:
                msg = (f"Edge ({u!r}, {v!r}) of `B` joins two nodes of the same mode; a "
                       "two-mode graph has ties only between actors and events.")
                raise ArgumentError(msg)
        R = _incidence_from_codes(np.asarray(r, dtype=np.int64), np.asarray(c, dtype=np.int64),
                                  len(ours), len(other))
        return R, ours, B
    if isinstance(B, pd.DataFrame):
        if actor in B.columns and event in B.columns:  # an edge list (attendance-like)
            first, second = (actor, event) if on == "actors" else (event, actor)
            if B[first].isna().any() or B[second].isna().any():
                msg = (f"`B` has rows without `{actor}` or `{event}`; drop them first, e.g. "
                       f"`df.dropna(subset=[{actor!r}, {event!r}])`.")
                raise ArgumentError(msg)
            rc, ru = pd.factorize(B[first], sort=False)
            cc, cu = pd.factorize(B[second], sort=False)
            R = _incidence_from_codes(rc, cc, len(ru), len(cu))
            return R, list(ru), None
        values = B.to_numpy()
        if not np.issubdtype(values.dtype, np.number) and values.dtype != bool:
            msg = ("`B` is a DataFrame without the `actor` and `event` columns "
                   f"({actor!r}, {event!r}), so it is read as a biadjacency matrix "
                   "(rows actors, columns events), but it is not numeric. Pass "
                   "`actor=`/`event=` naming its id columns, or a 0/1 matrix.")
            raise ArgumentError(msg)
        M = sp.csr_array((np.nan_to_num(values.astype(float)) != 0).astype(np.float64))
        if on == "actors":
            return M, list(B.index), None
        return sp.csr_array(M.T), list(B.columns), None
    msg = ("`B` must be a two-mode networkx Graph (from `tk.net.two_mode`), an "
           f"attendance-like DataFrame or a biadjacency DataFrame, not {type(B).__name__}.")
    raise ArgumentTypeError(msg)


@doc
def project(
    B: nx.Graph | pd.DataFrame | Study,
    *,
    on: Literal["actors", "events"] = "actors",
    weight: Literal["count", "newman", "jaccard"] = "count",
    output: Literal["graph", "edges", "sparse"] = "graph",
    actor: str = "participant_id",
    event: str = "session_id",
) -> nx.Graph | pd.DataFrame | SparseProjection:
    r"""One-mode projection of a two-mode network, by sparse matrix products.

    Two actors are tied when they share at least one event (or two events when
    they share an actor, with ``on="events"``).

    Parameters
    ----------
    B : networkx.Graph, pandas.DataFrame or Study
        A bipartite graph from :func:`two_mode` (nodes carry ``bipartite``), an
        attendance-like frame with `actor` and `event` columns, a biadjacency
        frame (index actors, columns events, nonzero = tie), or a Study (its
        attendance, with node attributes, via :func:`two_mode`). Only graphs and
        Studies give the projected nodes their attributes.
    on : {"actors", "events"}, default "actors"
        Which mode to project onto.
    weight : {"count", "newman", "jaccard"}, default "count"
        Tie weight: number of shared events; Newman's (2001) collaboration weight
        :math:`\sum_e 1/(k_e - 1)` over shared events `e` with :math:`k_e` members;
        or Jaccard overlap :math:`|N(u) \cap N(v)| / |N(u) \cup N(v)|`.
    output : {"graph", "edges", "sparse"}, default "graph"
        A networkx Graph (with the node attributes of `B`); a tidy edge list
        (``source, target, weight``); or a :class:`SparseProjection` (for
        millions of ties).
    {actor}
    {event}

    Returns
    -------
    networkx.Graph or pandas.DataFrame or SparseProjection
        For ``"graph"``: every node of the projected mode (isolates included)
        and one edge per tie with attribute ``weight``; ``G.graph["weight"]``
        names the scheme. For ``"edges"``: columns ``source``, ``target``,
        ``weight``, each tie once.

    Raises
    ------
    DataTooLargeError
        When a graph with more than ``MAX_GRAPH_EDGES`` (5 million) edges would
        be built; use ``output="edges"`` or ``output="sparse"``.

    Notes
    -----
    With incidence matrix :math:`R` (projected mode × other mode, 0/1; repeated
    pairs count once; edge weights of `B` are not used), the count weights are
    :math:`W = R R^T`; Newman's are :math:`R D^{-1} R^T` with
    :math:`D = \mathrm{diag}(k_e - 1)` over events with :math:`k_e \ge 2`;
    Jaccard is :math:`c_{uv} / (k_u + k_v - c_{uv})` with :math:`c = R R^T`.
    These equal networkx's ``weighted_projected_graph``,
    ``collaboration_weighted_projected_graph`` and
    ``overlap_weighted_projected_graph(jaccard=True)``.

    References
    ----------
    Newman, M. E. J. (2001). Scientific collaboration networks. II. Shortest
    paths, weighted networks, and centrality. *Physical Review E* 64, 016132.

    Davis, A., Gardner, B. B., & Gardner, M. R. (1941). *Deep South*. University
    of Chicago Press (the Southern Women data used in the tests).

    Examples
    --------
    >>> att = pd.DataFrame({"participant_id": ["P1", "P2", "P2", "P3", "P1"],
    ...                     "session_id": ["S1", "S1", "S2", "S2", "S2"]})
    >>> P = tk.net.project(tk.net.two_mode(att))
    >>> sorted(P.edges(data="weight"))
    [('P1', 'P2', 2.0), ('P1', 'P3', 1.0), ('P2', 'P3', 1.0)]
    >>> tk.net.project(att, weight="jaccard", output="edges").round(3)
      source target  weight
    0     P1     P2   1.000
    1     P1     P3   0.500
    2     P2     P3   0.500
    """
    from toolkit._engines import is_large

    if is_large(B):  # a LazyTable (tk.io.scan) or a Dask DataFrame
        from toolkit.net import _build_large

        B = _build_large.project_pairs(B, actor=actor, event=event)
    check_choice(on, ("actors", "events"), param="on")
    check_choice(weight, ("count", "newman", "jaccard"), param="weight")
    check_choice(output, ("graph", "edges", "sparse"), param="output")
    if is_study(B):
        B = two_mode(B, actor=actor, event=event)
    R, nodes, source = _incidence(B, on, actor, event)
    if weight == "newman":
        k = np.asarray(R.sum(axis=0)).ravel()
        inv = np.zeros_like(k)
        np.divide(1.0, k - 1.0, out=inv, where=k > 1)
        W = (R @ sp.diags_array(inv)) @ R.T
    else:
        W = R @ R.T
    if not isinstance(W, sp.csr_array):
        W = sp.csr_array(W)
    if weight == "jaccard":
        k = np.asarray(R.sum(axis=1)).ravel()
        coo = W.tocoo()
        denom = k[coo.row] + k[coo.col] - coo.data
        W = sp.csr_array((coo.data / denom, (coo.row, coo.col)), shape=W.shape)
    if output == "sparse":
        return SparseProjection(W, list(nodes), weight)
    upper = sp.triu(W, k=1, format="coo")
    keep = upper.data > 0
    rows, cols, vals = upper.row[keep], upper.col[keep], upper.data[keep]
    if output == "edges":
        arr = np.asarray(nodes, dtype=object)
        return pd.DataFrame({"source": arr[rows], "target": arr[cols], "weight": vals})
    if len(vals) > MAX_GRAPH_EDGES:
        msg = (f"The projection has {len(vals):,} ties; a networkx graph of that size needs "
               f"several GB (limit MAX_GRAPH_EDGES = {MAX_GRAPH_EDGES:,}). Use "
               "`output=\"edges\"` (a DataFrame) or `output=\"sparse\"` (a sparse matrix).")
        raise DataTooLargeError(msg)
    P = nx.Graph()
    P.graph.update({"weight": weight, "projected_on": on})
    if source is not None:
        P.add_nodes_from((v, {k: x for k, x in source.nodes[v].items() if k != "bipartite"})
                         for v in nodes)
    else:
        P.add_nodes_from(nodes)
    node_arr = list(nodes)
    P.add_weighted_edges_from(
        (node_arr[i], node_arr[j], float(w))
        for i, j, w in zip(rows.tolist(), cols.tolist(), vals.tolist(), strict=True))
    return P


# ---------------------------------------------------------------------------
# organisation and submission flow


def _term_code(vocab: str, value: Any) -> str | None:
    term = VOCABULARIES[vocab].term(value) if value is not None else None
    return term.code if term else None


def _add_node(G: nx.Graph, node: Hashable, kind: str, **attrs: Any) -> None:
    if node in G and G.nodes[node].get("kind") != kind:
        msg = (f"Id {node!r} is used both for a {G.nodes[node].get('kind')} and a {kind}; "
               "make the ids distinct (e.g. prefix participant ids) and try again.")
        raise ArgumentError(msg)
    clean = {k: v for k, v in ((k, _clean(v)) for k, v in attrs.items()) if v is not None}
    G.add_node(node, kind=kind, **clean)


def organisation(study: Study) -> nx.Graph:
    """Organisational structure: members, committees, sectors, communities, towns, rooms.

    Builds the member–committee–sector–community–town structure of a CPPCC
    district from the ``participants`` and ``units`` tables: members are tied to
    their special committee (专委会), their sector (界别) and the community they
    are assigned to; each unit to its parent (community → town/street → district;
    liaison stations 委员联络站 to their town); a community with a consultation
    room (``has_room``) gets a room node.

    Parameters
    ----------
    study : Study
        A study with a ``participants`` table and, optionally, ``units``.

    Returns
    -------
    networkx.Graph
        Undirected. Node attribute ``kind`` is ``"member"``, ``"committee"``,
        ``"sector"``, ``"room"`` or the unit level code (``"community"``,
        ``"town"``, ``"district"``, ``"station"`` …); ``label`` is a display name.
        Edge attribute ``relation`` is ``"committee"``, ``"sector"``,
        ``"assigned"``, ``"parent"`` or ``"room"``. Members are participants with
        a committee, a sector, or type 政协委员/人大代表; personal columns are
        never copied. Committees and sectors are named by their term
        (e.g. ``"提案委员会"``), rooms ``"议事室:<unit_id>"``.

    Raises
    ------
    KeyError
        When the study has no ``participants`` table.
    ValueError
        When one id names two kinds of node.

    Examples
    --------
    >>> units = pd.DataFrame({"unit_id": ["T1", "C1", "C2"], "name": ["甲镇", "一村", "二村"],
    ...                       "level": ["镇街", "村社区", "村社区"],
    ...                       "parent_id": [None, "T1", "T1"],
    ...                       "has_room": [None, True, False]})
    >>> people = pd.DataFrame({"participant_id": ["M1", "M2"], "type": ["政协委员"] * 2,
    ...                        "committee": ["提案委员会", "经济委员会"],
    ...                        "unit_id": ["C1", "C2"]})
    >>> G = tk.net.organisation(tk.Study(units=units, participants=people))
    >>> sorted(G.nodes(data="kind"))[:4]
    [('C1', 'community'), ('C2', 'community'), ('M1', 'member'), ('M2', 'member')]
    >>> G.number_of_edges()
    7
    """
    _need_study(study, "tk.net.organisation")
    people = study.table("participants")
    units = study.units
    G = nx.Graph()
    G.graph["name"] = "organisation"
    if units is not None:
        for rec in units.to_dict("records"):
            level = _term_code("unit_level", _clean(rec.get("level"))) or "unit"
            _add_node(G, rec["unit_id"], level, label=rec.get("name"),
                      level=rec.get("level"), has_room=rec.get("has_room"))
        for rec in units.to_dict("records"):
            parent = _clean(rec.get("parent_id"))
            if parent is not None:
                if parent not in G:
                    _add_node(G, parent, "unit", label=parent)
                G.add_edge(rec["unit_id"], parent, relation="parent")
            if _clean(rec.get("has_room")) is True:
                room = f"议事室:{rec['unit_id']}"
                _add_node(G, room, "room", label=f"{rec.get('name') or rec['unit_id']}议事室")
                G.add_edge(rec["unit_id"], room, relation="room")
    member_types = {t.zh for t in VOCABULARIES["participant_type"].terms
                    if t.group == "deputy_member"}
    personal = _PERSONAL | set(find_personal(people)["column"])
    for rec in people.to_dict("records"):
        rec = {k: _clean(v) for k, v in rec.items() if k not in personal}
        committee, sector = rec.get("committee"), rec.get("sector")
        if not (committee or sector or rec.get("type") in member_types):
            continue
        pid = rec.pop("participant_id")
        _add_node(G, pid, "member", label=pid, **rec)
        if committee:
            _add_node(G, committee, "committee", label=committee)
            G.add_edge(pid, committee, relation="committee")
        if sector:
            _add_node(G, sector, "sector", label=sector)
            G.add_edge(pid, sector, relation="sector")
        unit = rec.get("unit_id")
        if unit:
            if unit not in G:
                _add_node(G, unit, "unit", label=unit)
            G.add_edge(pid, unit, relation="assigned")
    return G


#: Stage nodes of the submission flow, in order.
FLOW_STAGES = ("采用", "未采用", "批示")


def submission_flow(study: Study) -> nx.DiGraph:
    """Flow of submissions: author → channel → adopted → instructed → responding department.

    Each submission (proposal 提案, opinion information 社情民意信息, conference
    speech 大会发言) travels from its author to its channel; from the channel to
    ``"采用"`` (adopted) or ``"未采用"`` (not adopted); adopted pieces with a
    leader's instruction go on to ``"批示"``; pieces with a responding
    department end there (from ``"批示"`` if instructed, else from ``"采用"``).

    Parameters
    ----------
    study : Study
        A study with a ``submissions`` table (``author_id``, ``channel``,
        ``adopted``; optional ``instructions``, ``department``, ``responded``).

    Returns
    -------
    networkx.DiGraph
        Edge attribute ``weight`` = number of submissions along the edge. Node
        attribute ``kind`` is ``"author"``, ``"channel"``, ``"stage"`` or
        ``"department"``; ``step`` is the position in the flow (0 author, 1
        channel, 2 adopted/not, 3 instructed, 4 department), handy for layouts.
        Authors carry their participant attributes when the study has them.

    Examples
    --------
    >>> subs = pd.DataFrame({"submission_id": ["A", "B", "C"], "author_id": ["M1", "M1", "M2"],
    ...                      "date": pd.to_datetime(["2023-01-01"] * 3),
    ...                      "channel": ["提案", "提案", "社情民意信息"],
    ...                      "adopted": [True, True, False], "instructions": [1, 0, 0],
    ...                      "department": ["民政局", "住建局", None]})
    >>> F = tk.net.submission_flow(tk.Study(submissions=subs))
    >>> F["M1"]["提案"]["weight"], F["采用"]["批示"]["weight"], F["批示"]["民政局"]["weight"]
    (2, 1, 1)
    """
    _need_study(study, "tk.net.submission_flow")
    subs = study.require("submissions", "author_id", "channel")
    people = _attribute_table(study.participants, "participant_id")
    F = nx.DiGraph()
    F.graph["name"] = "submission_flow"

    def bump(u: Hashable, v: Hashable) -> None:
        if F.has_edge(u, v):
            F[u][v]["weight"] += 1
        else:
            F.add_edge(u, v, weight=1)

    for rec in subs.to_dict("records"):
        rec = {k: _clean(v) for k, v in rec.items()}
        author, channel = rec["author_id"], rec["channel"]
        if author is None or channel is None:
            continue
        if author not in F:
            F.add_node(author, kind="author", step=0, **people.get(author, {}))
        if channel not in F:
            F.add_node(channel, kind="channel", step=1)
        bump(author, channel)
        adopted = rec.get("adopted") is True
        stage = "采用" if adopted else "未采用"
        F.add_node(stage, kind="stage", step=2)
        bump(channel, stage)
        last = stage
        if adopted and (rec.get("instructions") or 0) > 0:
            F.add_node("批示", kind="stage", step=3)
            bump(stage, "批示")
            last = "批示"
        dept = rec.get("department")
        if adopted and dept is not None and rec.get("responded") is not False:
            if dept not in F:
                F.add_node(dept, kind="department", step=4)
            bump(last, dept)
    return F
