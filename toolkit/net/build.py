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
from toolkit.io.personal import (
    find_personal,
    free_text_columns,
    pseudonymise,
    schema_personal_columns,
)
from toolkit.net._engine import MAX_GRAPH_EDGES, check_graph
from toolkit.schema import VOCABULARIES

if TYPE_CHECKING:
    from toolkit.study import Study

__all__ = ["SparseProjection", "organisation", "personal_in_graph", "project",
           "refuse_personal_graph", "submission_flow", "two_mode"]

#: Columns never copied onto nodes (personal data).
_PERSONAL = set(schema_personal_columns())

_MODES = {"actors": "actor", "events": "event"}


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


def _left_out(frame: pd.DataFrame) -> set[Any]:
    """Columns never copied onto nodes: personal data and free text (remarks, minutes)."""
    return _PERSONAL | set(find_personal(frame)["column"]) | set(free_text_columns(frame))


def _attribute_table(frame: pd.DataFrame | None, key: str) -> dict[Hashable, dict[str, Any]]:
    """Node attributes by id from a canonical table (personal and free-text columns left out)."""
    if frame is None or key not in frame.columns:
        return {}
    personal = _left_out(frame)
    cols = [c for c in frame.columns if c != key and c not in personal]
    out: dict[Hashable, dict[str, Any]] = {}
    sub = frame[[key, *cols]].drop_duplicates(subset=[key], keep="first")
    for rec in sub.to_dict("records"):
        node = rec.pop(key)
        out[node] = {k: v for k, v in ((k, _clean(v)) for k, v in rec.items()) if v is not None}
    return out


# ---------------------------------------------------------------------------
# personal data as node ids and attributes


def _personal_ids(frame: pd.DataFrame, columns: dict[str, str]) -> dict[str, str]:
    """Mode → kind, for the id columns of `frame` that hold personal data."""
    wanted = list(dict.fromkeys(columns.values()))
    found = find_personal(frame[wanted])
    kinds = dict(zip(found["column"], found["kind"], strict=True))
    return {mode: kinds[col] for mode, col in columns.items() if col in kinds}


def _guard_ids(frame: pd.DataFrame, columns: dict[str, str], *, key: str | bytes | None,
               allow_personal: bool, where: str) -> tuple[dict[str, str], dict[str, dict]]:
    """Personal id columns: refused, pseudonymised (with `key`) or allowed.

    Returns mode → kind of the personal id columns, and mode → {id: pseudonym}
    for those replaced.
    """
    personal = _personal_ids(frame, columns)
    if not personal or allow_personal:
        return personal, {}
    if key is None:
        named = ", ".join(f"`{_MODES[m]}` = `{columns[m]}` ({k})" for m, k in personal.items())
        msg = (f"{where}: {named} hold(s) personal data; as node ids they would print in "
               "every figure, table and exported file (GEXF, GraphML, Pajek, DL). Use an id "
               "column instead (e.g. `participant_id`), pass `key=` to replace the ids by "
               "keyed pseudonyms here, pseudonymise the column first "
               f"(`tk.io.pseudonymise(df, [{columns[next(iter(personal))]!r}], key=...)`), "
               "or pass `allow_personal=True` for a graph that stays inside the project.")
        raise ArgumentError(msg)
    maps: dict[str, dict] = {}
    for mode in personal:
        col = columns[mode]
        ids = frame[[col]].drop_duplicates().dropna()
        tokens = pseudonymise(ids, [col], key=key)[col]
        maps[mode] = dict(zip(ids[col].tolist(), tokens.tolist(), strict=True))
    return personal, maps


def _attribute_frame(G: nx.Graph, keys: list[str]) -> pd.DataFrame:
    data = G.nodes(data=True)
    return pd.DataFrame({k: pd.Series([d.get(k) for _, d in data], dtype=object) for k in keys})


def personal_in_graph(G: nx.Graph, attributes: list[str] | None = None, *,
                      ids: bool = True) -> dict[str, str]:
    """What in a graph holds personal data: ``"node ids"`` and attribute names → kind.

    Node ids are personal when the graph says so (built from a personal
    column with ``allow_personal=True``) or when, in one mode, at least half of
    them are phone or ID-card numbers (not looked at when `ids` is False);
    node attributes (all, or the `attributes` named) by
    :func:`toolkit.io.find_personal` on their values, free text with personal
    values included. ``label`` counts as the ids
    when those are personal.

    Examples
    --------
    >>> G = nx.Graph([("13800138000", "S1"), ("13900139000", "S1")])
    >>> nx.set_node_attributes(G, {"S1": "联系人：王小明"}, "备注")
    >>> personal_in_graph(G)
    {'node ids': 'phone', '备注': 'free_text'}
    """
    out: dict[str, str] = {}
    marked = G.graph.get("personal") or {}
    if isinstance(marked, dict) and marked:
        out["node ids"] = next(iter(marked.values()))
    if ids and "node ids" not in out and G.number_of_nodes():
        modes = nx.get_node_attributes(G, "bipartite")
        groups: dict[Any, list[str]] = {}
        for v in G:
            groups.setdefault(modes.get(v), []).append(str(v))
        for ids in groups.values():
            found = find_personal(pd.DataFrame({"node": pd.Series(ids, dtype=object)}))
            if len(found):
                out["node ids"] = str(found["kind"].iloc[0])
                break
    keys = attributes if attributes is not None else \
        sorted({k for _, d in G.nodes(data=True) for k in d}, key=str)
    keys = [k for k in keys if k != "bipartite"]
    if keys:
        found = find_personal(_attribute_frame(G, keys))
        out.update(zip(found["column"], found["kind"], strict=True))
    if "node ids" in out and "label" in keys:
        out.setdefault("label", out["node ids"])
    return out


def refuse_personal_graph(G: nx.Graph, *, where: str, attributes: list[str] | None = None,
                          ids: bool = True) -> None:
    """Raise ArgumentError when a graph's ids (if `ids`) or attributes hold personal data.

    The one check of ``tk.net.write`` and ``tk.plot.network``: the message names
    what is personal and the fixes.
    """
    found = personal_in_graph(G, attributes, ids=ids)
    if not ids:
        found.pop("node ids", None)
    if not found:
        return
    parts = ", ".join(f"{'the node ids' if k == 'node ids' else f'node attribute `{k}`'} "
                      f"({kind})" for k, kind in found.items())
    fixes = []
    if "node ids" in found:
        fixes.append("build the graph with `key=` (e.g. `tk.net.two_mode(df, actor=..., "
                     "key=...)`) or from a pseudonymised table (`tk.io.pseudonymise`)")
    attrs = [k for k in found if k != "node ids"]
    if attrs:
        fixes.append("leave out the attribute(s) (`for _, d in G.nodes(data=True): "
                     f"d.pop({attrs[0]!r}, None)`)")
    msg = (f"{where}: {parts} hold(s) personal data. To publish the graph, "
           f"{' or '.join(fixes)}; or pass `allow_personal=True` if the output stays "
           "inside the project.")
    raise ArgumentError(msg)


@doc
def two_mode(
    data: pd.DataFrame | Study,
    *,
    actor: str = "participant_id",
    event: str = "session_id",
    weight: str | None = None,
    agg: Literal["sum", "mean", "max", "first", "last"] = "sum",
    key: str | bytes | None = None,
    allow_personal: bool = False,
) -> nx.Graph:
    """Two-mode (bipartite) graph of actors and the events they take part in.

    One node per actor and per event, one edge per actor–event pair found in
    `data`. Actors get node attribute ``bipartite=0`` and events ``bipartite=1``,
    the networkx convention, so ``networkx.algorithms.bipartite`` works on the
    result. From a Study, actors carry the ``participants`` columns (type,
    sector, committee, unit …) and events the ``sessions`` columns (date,
    platform, topic …); personal columns (name, ID card, phone) and free text
    (remarks, minutes: they may name people) are never copied.

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
    key : str or bytes, optional
        Secret key: when `actor` or `event` holds personal data (names, phone
        or ID-card numbers, as ``tk.io.find_personal`` finds them, e.g.
        ``actor="姓名"``), its ids are replaced by the keyed pseudonyms of
        ``tk.io.pseudonymise`` (the same tokens as in a table pseudonymised
        with this key).
    allow_personal : bool, default False
        Keep personal ids as they are (for a graph that stays inside the
        project); ``G.graph["personal"]`` then says so, and ``tk.net.write``
        and ``tk.plot.network`` still refuse to print them unless told.

    Returns
    -------
    networkx.Graph
        Bipartite graph. Node ids are the original ids (pseudonyms for personal
        ids with `key`). When an actor id equals an event id, every actor becomes
        ``"actor:<id>"`` and every event ``"event:<id>"`` (a ToolkitWarning says
        so) and the original id is kept in node attribute ``label``. ``G.graph``
        records ``actor``, ``event``, ``weight``, ``id_prefix`` (None or the two
        prefixes), and, when ids are personal, ``pseudonymised`` (the modes
        replaced) or ``personal`` (mode → kind, kept with `allow_personal`).

    Raises
    ------
    ColumnNotFoundError
        When `actor`, `event` or `weight` is not a column of the data.
    ValueError
        When some rows have a missing actor or event id.
    ArgumentError
        When `actor` or `event` holds personal data and neither `key` nor
        ``allow_personal=True`` is given.

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

    A column of names becomes pseudonymous ids with a key (and is refused
    without one):

    >>> named = att.assign(姓名=["张伟", "李娜", "李娜", "王芳"])
    >>> G = tk.net.two_mode(named, actor="姓名", key="课题组的密钥")
    >>> sorted(v[:2] for v, m in G.nodes(data="bipartite") if m == 0), G.graph["pseudonymised"]
    (['P_', 'P_', 'P_'], ['actors'])
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

    personal, maps = _guard_ids(frame, {"actors": actor, "events": event}, key=key,
                                allow_personal=allow_personal, where="tk.net.two_mode")
    actor_attrs = _attribute_table(participants, "participant_id") if actor == "participant_id" \
        else {}
    event_attrs = _attribute_table(sessions, "session_id") if event == "session_id" else {}
    if maps:
        pairs = pairs.copy()
        for mode, mapping in maps.items():
            col = actor if mode == "actors" else event
            pairs[col] = pairs[col].map(mapping)
        actor_attrs = {maps.get("actors", {}).get(k, k): v for k, v in actor_attrs.items()}
        event_attrs = {maps.get("events", {}).get(k, k): v for k, v in event_attrs.items()}
    actor_ids = pd.unique(pairs[actor])
    event_ids = pd.unique(pairs[event])

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
    if maps:
        G.graph["pseudonymised"] = list(maps)
    elif personal:
        G.graph["personal"] = personal
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


def _incidence(B: Any, on: str, actor: str, event: str, *, key: str | bytes | None = None,
               allow_personal: bool = False,
               ) -> tuple[sp.csr_array, list, nx.Graph | None, dict[str, Any]]:
    """Incidence matrix (projected mode × other mode), node ids and the source graph.

    Also returns what the projection records about personal ids
    (``personal``/``pseudonymised``).
    """
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
        marks: dict[str, Any] = {}
        mode = "actors" if keep == 0 else "events"
        if (B.graph.get("personal") or {}).get(mode):
            marks["personal"] = {mode: B.graph["personal"][mode]}
        if mode in (B.graph.get("pseudonymised") or []):
            marks["pseudonymised"] = [mode]
        return R, ours, B, marks
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
            mode = "actors" if on == "actors" else "events"
            personal, maps = _guard_ids(B, {mode: first}, key=key,
                                        allow_personal=allow_personal, where="tk.net.project")
            nodes = list(ru)
            if maps:
                nodes = [maps[mode][v] for v in nodes]
                return R, nodes, None, {"pseudonymised": [mode]}
            return R, nodes, None, {"personal": personal} if personal else {}
        values = B.to_numpy()
        if not np.issubdtype(values.dtype, np.number) and values.dtype != bool:
            msg = ("`B` is a DataFrame without the `actor` and `event` columns "
                   f"({actor!r}, {event!r}), so it is read as a biadjacency matrix "
                   "(rows actors, columns events), but it is not numeric. Pass "
                   "`actor=`/`event=` naming its id columns, or a 0/1 matrix.")
            raise ArgumentError(msg)
        M = sp.csr_array((np.nan_to_num(values.astype(float)) != 0).astype(np.float64))
        ids = pd.DataFrame({"node": pd.Series(list(B.index if on == "actors" else B.columns),
                                              dtype=object)})
        personal, maps = _guard_ids(ids, {on: "node"}, key=key, allow_personal=allow_personal,
                                    where="tk.net.project")
        nodes = [maps[on][v] for v in ids["node"]] if maps else list(ids["node"])
        marks = {"pseudonymised": [on]} if maps else ({"personal": personal} if personal else {})
        return (M if on == "actors" else sp.csr_array(M.T)), nodes, None, marks
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
    key: str | bytes | None = None,
    allow_personal: bool = False,
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
    key : str or bytes, optional
        Secret key replacing personal ids of a frame (e.g. ``actor="姓名"``) by
        keyed pseudonyms, as in :func:`two_mode`.
    allow_personal : bool, default False
        Keep personal ids as they are (see :func:`two_mode`).

    Returns
    -------
    networkx.Graph or pandas.DataFrame or SparseProjection
        For ``"graph"``: every node of the projected mode (isolates included)
        and one edge per tie with attribute ``weight``; ``G.graph["weight"]``
        names the scheme (and ``personal`` or ``pseudonymised`` are carried
        over from `B`). For ``"edges"``: columns ``source``, ``target``,
        ``weight``, each tie once.

    Raises
    ------
    ArgumentError
        When the projected ids of a frame hold personal data and neither
        `key` nor ``allow_personal=True`` is given.
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
        B = two_mode(B, actor=actor, event=event, key=key, allow_personal=allow_personal)
    R, nodes, source, marks = _incidence(B, on, actor, event, key=key,
                                         allow_personal=allow_personal)
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
    P.graph.update({"weight": weight, "projected_on": on, **marks})
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
        a committee, a sector, or type 政协委员/人大代表; personal and free-text
        columns are never copied. Committees and sectors are named by their term
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
    personal = _left_out(people)
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
