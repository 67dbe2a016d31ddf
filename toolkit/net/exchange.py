"""Write and read graphs for Gephi (GEXF), GraphML, Pajek and UCINET (DL)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal

import networkx as nx
import numpy as np
import pandas as pd

from toolkit._checks import check_choice
from toolkit._docs import doc
from toolkit.errors import ArgumentError, ReadError
from toolkit.io.files import require_regular_file
from toolkit.net._engine import check_dense, check_graph
from toolkit.net.build import refuse_personal_graph

__all__ = ["read", "write"]

_FORMATS = {".gexf": "gexf", ".graphml": "graphml", ".xml": "graphml", ".net": "pajek",
            ".paj": "pajek", ".dl": "dl", ".txt": "dl"}


def _format_of(path: Path, fmt: str | None) -> str:
    if fmt is not None:
        check_choice(fmt, ("gexf", "graphml", "pajek", "dl"), param="format")
        return fmt
    suffix = path.suffix.lower()
    if suffix not in _FORMATS:
        msg = (f"Cannot tell the format of {path.name!r} from its extension; use .gexf, "
               ".graphml, .net (Pajek) or .dl (UCINET), or pass `format=`.")
        raise ArgumentError(msg)
    return _FORMATS[suffix]


def _plain(value: Any) -> Any:
    """An attribute value GEXF/GraphML can store, or None to drop it."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, pd.Timestamp | np.datetime64):
        return pd.Timestamp(value).isoformat()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict | list | tuple | set):
        return json.dumps(list(value) if isinstance(value, set) else value,
                          ensure_ascii=False, default=str)
    return str(value)


def _exportable(G: nx.Graph) -> nx.Graph:
    """A copy whose graph, node and edge attributes every XML format accepts."""
    H = G.__class__()
    H.graph.update({k: v for k, v in ((k, _plain(v)) for k, v in G.graph.items())
                    if v is not None})
    H.add_nodes_from((n, {k: v for k, v in ((k, _plain(v)) for k, v in d.items())
                          if v is not None}) for n, d in G.nodes(data=True))
    H.add_edges_from((u, v, {k: x for k, x in ((k, _plain(x)) for k, x in d.items())
                             if x is not None}) for u, v, d in G.edges(data=True))
    return H


@doc
def write(
    G: nx.Graph,
    path: str | Path,
    *,
    format: Literal["gexf", "graphml", "pajek", "dl"] | None = None,
    weight: str | None = "weight",
    dl_format: Literal["edgelist1", "fullmatrix"] = "edgelist1",
    encoding: str = "utf-8",
    allow_personal: bool = False,
) -> Path:
    """Write a graph for Gephi, yEd/Cytoscape, Pajek or UCINET.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
        The graph (e.g. from :func:`two_mode` or :func:`project`).
    path : str or pathlib.Path
        Target file; Chinese names are fine. The format follows the extension:
        ``.gexf`` (Gephi), ``.graphml``, ``.net`` (Pajek), ``.dl`` (UCINET).
    format : {"gexf", "graphml", "pajek", "dl"}, optional
        Overrides the extension.
    weight : str or None, default "weight"
        Edge attribute written as the tie value in Pajek and DL files
        (missing = 1); None writes 1 for every tie.
    dl_format : {"edgelist1", "fullmatrix"}, default "edgelist1"
        UCINET DL layout: an edge list with node numbers and a label block, or
        a full matrix. A bipartite graph (``bipartite`` on every node) written
        as ``"fullmatrix"`` becomes a two-mode matrix (``NR``, ``NC``; rows
        ``bipartite=0``, columns ``bipartite=1``), as UCINET expects two-mode data.
    encoding : str, default "utf-8"
        Text encoding of Pajek and DL files (GEXF and GraphML are always UTF-8).
        Old UCINET versions on Chinese Windows may need ``"gb18030"``.
    allow_personal : bool, default False
        Write node ids and attributes that hold personal data (names, phone
        or ID-card numbers, free text naming people), for a file that stays
        inside the project. By default such a graph is refused.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ArgumentError
        When node ids or attributes hold personal data (ids from a personal
        column kept with ``allow_personal=True`` in :func:`two_mode`, or phone
        and ID-card numbers as ids; attributes as ``tk.io.find_personal`` finds
        them), unless ``allow_personal=True``.
    DataTooLargeError
        For a DL full matrix of more than 20,000 nodes (use ``"edgelist1"``).

    Notes
    -----
    What each format keeps:

    - GEXF and GraphML: every graph, node and edge attribute (dates as ISO
      text, lists and dicts as JSON text, missing values left out);
    - Pajek: node ids as labels, edge weights, text node attributes as
      key/value pairs (read back by networkx);
    - DL: node labels and tie values only. An undirected graph is written
      with each tie in both directions (UCINET's symmetric matrix).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> G = nx.Graph([("张三", "李四", {"weight": 2.0})])
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> tk.net.write(G, folder / "网络.dl").read_text(encoding="utf-8").splitlines()[:4]
    ['DL N=2 FORMAT=EDGELIST1', 'LABELS:', '"张三",', '"李四"']
    """
    check_graph(G)
    path = Path(path)
    fmt = _format_of(path, format)
    if not allow_personal:
        refuse_personal_graph(G, where=f"tk.net.write({path.name!r})")
    if fmt == "gexf":
        nx.write_gexf(_exportable(G), path, encoding="utf-8")
    elif fmt == "graphml":
        nx.write_graphml(_exportable(G), path, encoding="utf-8")
    elif fmt == "pajek":
        H = _exportable(G)
        for _, d in H.nodes(data=True):
            for key in ("id", "x", "y", "shape"):  # names Pajek uses for its own fields
                d.pop(key, None)
            for key in list(d):  # Pajek stores node attributes as text
                d[key] = str(d[key])
        for _, _, d in H.edges(data=True):
            w = d.get(weight) if weight is not None else None
            for key in list(d):
                d[key] = str(d[key])
            d.pop("weight", None)
            if w is not None:
                d["weight"] = float(w)
        nx.write_pajek(H, path, encoding=encoding)
    else:
        path.write_text(_dl_text(G, weight=weight, layout=dl_format), encoding=encoding)
    return path


def _quote(label: Any) -> str:
    return '"' + str(label).replace('"', "'") + '"'


def _dl_text(G: nx.Graph, *, weight: str | None, layout: str) -> str:
    nodes = list(G)
    pos = {v: i for i, v in enumerate(nodes)}

    def value(d: dict) -> str:
        x = d.get(weight, 1) if weight is not None else 1
        x = float(x)
        return str(int(x)) if x.is_integer() else repr(x)

    lines: list[str] = []
    if layout == "edgelist1":
        lines += [f"DL N={len(nodes)} FORMAT=EDGELIST1", "LABELS:"]
        lines += [_quote(v) + ("," if i < len(nodes) - 1 else "") for i, v in enumerate(nodes)]
        lines.append("DATA:")
        for u, v, d in G.edges(data=True):
            lines.append(f"{pos[u] + 1} {pos[v] + 1} {value(d)}")
            if not G.is_directed() and u != v:
                lines.append(f"{pos[v] + 1} {pos[u] + 1} {value(d)}")
        return "\n".join(lines) + "\n"
    check_choice(layout, ("edgelist1", "fullmatrix"), param="dl_format")
    modes = nx.get_node_attributes(G, "bipartite")
    two_mode = len(modes) == len(nodes) and set(modes.values()) == {0, 1}
    check_dense(len(nodes), what="A UCINET full matrix", alternative="dl_format=\"edgelist1\"")
    if two_mode:
        rows = [v for v in nodes if modes[v] == 0]
        cols = [v for v in nodes if modes[v] == 1]
    else:
        rows = cols = nodes
    ri = {v: i for i, v in enumerate(rows)}
    ci = {v: i for i, v in enumerate(cols)}
    M = np.zeros((len(rows), len(cols)))
    for u, v, d in G.edges(data=True):
        x = float(d.get(weight, 1)) if weight is not None else 1.0
        if u in ri and v in ci:
            M[ri[u], ci[v]] = x
        if (not G.is_directed() or two_mode) and v in ri and u in ci:
            M[ri[v], ci[u]] = x
    if two_mode:
        lines += [f"DL NR={len(rows)} NC={len(cols)} FORMAT=FULLMATRIX", "ROW LABELS:"]
        lines += [_quote(v) for v in rows]
        lines.append("COLUMN LABELS:")
        lines += [_quote(v) for v in cols]
    else:
        lines += [f"DL N={len(nodes)} FORMAT=FULLMATRIX", "LABELS:"]
        lines += [_quote(v) for v in nodes]
    lines.append("DATA:")
    for row in M:
        lines.append(" ".join(str(int(x)) if float(x).is_integer() else repr(float(x))
                              for x in row))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# reading


def read(
    path: str | Path,
    *,
    format: Literal["gexf", "graphml", "pajek", "dl"] | None = None,
    node_type: type | None = None,
    directed: bool | None = None,
    encoding: str = "utf-8",
) -> nx.Graph:
    """Read a graph written by Gephi, yEd, Pajek, UCINET or :func:`write`.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.gexf``, ``.graphml``, ``.net`` (Pajek) or ``.dl`` (UCINET) file.
    format : {"gexf", "graphml", "pajek", "dl"}, optional
        Overrides the extension.
    node_type : type, optional
        Convert node ids (which these formats store as text), e.g. ``int``.
    directed : bool, optional
        For DL files: force a DiGraph (True) or Graph (False). Default: a Graph
        when the matrix is symmetric, else a DiGraph.
    encoding : str, default "utf-8"
        Encoding of Pajek and DL files (a UTF-8 byte-order mark is accepted).

    Returns
    -------
    networkx.Graph or networkx.DiGraph
        Node and edge attributes as the format stores them; tie values as edge
        attribute ``weight``. Two-mode DL matrices give a bipartite graph
        (``bipartite`` 0 for rows, 1 for columns). Pajek multigraphs are
        collapsed to simple graphs (the last parallel edge is kept).

    Raises
    ------
    FileNotFoundError
        When `path` does not exist.
    toolkit.errors.ReadError
        For a file that is not what its format says (malformed XML, a Pajek
        line, a DL header or data block), text that does not decode in
        `encoding`, a DL tie naming a node outside 1…N, or a DL header declaring
        more nodes than memory allows: the message names the file, the line (or
        byte) and the fix. A ``ValueError`` too.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> G = nx.Graph([("a", "b"), ("b", "c")])
    >>> path = tk.net.write(G, pathlib.Path(tempfile.mkdtemp()) / "g.dl",
    ...                     dl_format="fullmatrix")
    >>> sorted(tk.net.read(path).edges())
    [('a', 'b'), ('b', 'c')]
    """
    path = require_regular_file(path, what="network file")
    fmt = _format_of(path, format)
    if fmt in ("gexf", "graphml"):
        return _read_xml(path, fmt, node_type=node_type)
    text = _text(path, encoding)
    if fmt == "pajek":
        try:
            M = nx.parse_pajek(text.splitlines())
        except (nx.NetworkXError, ValueError, IndexError, KeyError, TypeError) as exc:
            msg = (f"Cannot read `{path.name}` as a Pajek file: {exc}. Check the `*Vertices` "
                   "and `*Edges`/`*Arcs` lines (Pajek numbers vertices from 1), or pass "
                   "`format=` if the file is in another format.")
            raise ReadError(msg) from None
        H: nx.Graph = nx.DiGraph() if M.is_directed() else nx.Graph()
        H.add_nodes_from((n, {k: v for k, v in d.items() if k not in ("id", "x", "y", "shape")})
                         for n, d in M.nodes(data=True))
        H.add_edges_from(M.edges(data=True))
        modes = nx.get_node_attributes(H, "bipartite")
        if modes and set(modes.values()) <= {"0", "1"}:
            nx.set_node_attributes(H, {v: int(m) for v, m in modes.items()}, "bipartite")
        return _relabel(H, node_type, path)
    G = _parse_dl(text, path.name, directed=directed)
    return _relabel(G, node_type, path)


def _text(path: Path, encoding: str) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode(encoding).lstrip("\ufeff")
    except LookupError:
        msg = f"Unknown encoding `encoding={encoding!r}`. Try \"utf-8\" or \"gb18030\"."
        raise ReadError(msg) from None
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        msg = (f"Cannot read `{path.name}` as {encoding} text: byte {err.start} (line {line}) "
               "is not valid there. Pass the encoding the file was saved in, e.g. "
               "`encoding=\"gb18030\"` for old UCINET or Pajek files from Chinese Windows.")
        raise ReadError(msg) from None


def _read_xml(path: Path, fmt: str, *, node_type: type | None) -> nx.Graph:
    import xml.etree.ElementTree as ET

    name = "GEXF" if fmt == "gexf" else "GraphML"
    try:
        if fmt == "gexf":
            G = nx.read_gexf(path, node_type=node_type)
        else:
            G = nx.read_graphml(path, node_type=node_type or str)
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        msg = (f"Cannot read `{path.name}` as {name}: the XML is malformed at line {line}, "
               f"column {column} ({exc}). Export the graph again from the program that "
               "wrote it.")
        raise ReadError(msg) from None
    except (nx.NetworkXError, KeyError, ValueError, TypeError, IndexError,
            AttributeError) as exc:
        msg = (f"Cannot read `{path.name}` as {name}: {type(exc).__name__}: {exc}. Check "
               f"that it is a {name} file (or pass `format=`), and export it again from the "
               "program that wrote it.")
        raise ReadError(msg) from None
    if fmt == "gexf":
        for v, d in G.nodes(data=True):
            if d.get("label") == str(v):  # GEXF adds the id as label when there is none
                d.pop("label")
        for _, _, d in G.edges(data=True):
            d.pop("id", None)
    return G


def _relabel(G: nx.Graph, node_type: type | None, path: Path) -> nx.Graph:
    if node_type is None:
        return G
    try:
        return nx.relabel_nodes(G, {v: node_type(v) for v in G})
    except (TypeError, ValueError) as exc:
        msg = (f"`{path.name}`: a node id cannot be converted with `node_type="
               f"{getattr(node_type, '__name__', node_type)}` ({exc}); leave `node_type` out "
               "to keep the ids as text.")
        raise ReadError(msg) from None


_LABEL_TOKEN = re.compile(r'"([^"]*)"|([^\s,"]+)')
_SECTION = re.compile(r"^\s*(row\s+labels|column\s+labels|col\s+labels|labels|data)\s*:\s*(.*)$",
                      re.IGNORECASE)
#: Most nodes a DL file may declare beyond those its labels or ties name.
MAX_DL_ISOLATES = 1_000_000


def _labels(text: str) -> list[str]:
    return [a if a or b == "" else b for a, b in _LABEL_TOKEN.findall(text)]


def _dl_error(name: str, what: str, fix: str = "") -> ReadError:
    return ReadError(f"Cannot read `{name}` as a UCINET DL file: {what}."
                     + (f" {fix}" if fix else ""))


def _size(opts: dict[str, str], key: str, name: str) -> int:
    text = opts[key]
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (value == value and value.is_integer() and value >= 0):
        raise _dl_error(name, f"`{key.upper()}={text}` in the header is not a whole number",
                        "Write the number of nodes, e.g. `DL N=12`.")
    return int(value)


def _parse_dl(text: str, name: str, *, directed: bool | None) -> nx.Graph:
    lines = text.splitlines()
    header: list[str] = []
    sections: dict[str, list[tuple[int, str]]] = {}
    current = None
    for number, line in enumerate(lines, start=1):
        m = _SECTION.match(line)
        if m:
            current = re.sub(r"\s+", " ", m.group(1).lower()).replace("col ", "column ")
            sections[current] = [(number, m.group(2))] if m.group(2).strip() else []
        elif current is None:
            header.append(line)
        else:
            sections[current].append((number, line))
    head = " ".join(header)
    if not re.match(r"^\s*dl\b", head, re.IGNORECASE):
        first = lines[0][:40] if lines else ""
        raise _dl_error(name, f"a UCINET DL file starts with 'DL'; line 1 is {first!r}",
                        "Pass `format=` if the file is in another format.")
    opts = {k.lower(): v for k, v in re.findall(r"(\w+)\s*=\s*([\w.+-]+)", head)}
    embedded = "labels embedded" in text.lower()
    layout = opts.get("format", "fullmatrix").lower()
    if "data" not in sections:
        raise _dl_error(name, "no 'DATA:' line found; a DL file needs one before the ties")
    data = [(k, ln) for k, ln in sections["data"] if ln.strip()]

    def label_list(section: str) -> list[str]:
        return _labels(" ".join(ln for _, ln in sections.get(section, [])))

    if "nr" in opts and "nc" in opts:
        rows_n, cols_n = _size(opts, "nr", name), _size(opts, "nc", name)
        M = _matrix(data, rows_n, cols_n, name, embedded=embedded)  # N against the data
        row_labels = label_list("row labels") or [str(i + 1) for i in range(rows_n)]
        col_labels = label_list("column labels") or [str(i + 1) for i in range(cols_n)]
        if len(row_labels) != rows_n or len(col_labels) != cols_n:
            raise _dl_error(name, f"the header declares NR={rows_n}, NC={cols_n} but the "
                                  f"file has {len(row_labels)} row and {len(col_labels)} "
                                  "column labels", "Make the counts agree.")
        B = nx.Graph()
        B.add_nodes_from(row_labels, bipartite=0)
        B.add_nodes_from(col_labels, bipartite=1)
        r, c = np.nonzero(M)
        B.add_edges_from((row_labels[i], col_labels[j], {"weight": _num(M[i, j])})
                         for i, j in zip(r, c, strict=True))
        return B
    n = _size(opts, "n", name) if "n" in opts else 0
    labels = label_list("labels")
    if labels and n and len(labels) != n:
        raise _dl_error(name, f"the header declares N={n} but the file has {len(labels)} "
                              "labels", "Make N equal to the number of labels.")
    if layout.startswith("edgelist") or layout == "el1":
        edges = []
        for number, line in data:
            parts = _labels(line)
            if len(parts) < 2:
                raise _dl_error(name, f"data line {number} ({line.strip()!r}) needs two nodes "
                                      "and a value")
            try:
                value = float(parts[2]) if len(parts) > 2 else 1.0
            except ValueError:
                raise _dl_error(name, f"data line {number}: the tie value {parts[2]!r} is not "
                                      "a number") from None
            edges.append((parts[0], parts[1], value, number))
        numeric = not embedded and all(u.isdigit() and v.isdigit() for u, v, _, _ in edges)
        if numeric:
            top = max((max(int(u), int(v)) for u, v, _, _ in edges), default=0)
            size = n or len(labels) or top
            for u, v, _, number in edges:
                for x in (u, v):
                    if not 1 <= int(x) <= size:
                        raise _dl_error(
                            name, f"data line {number} names node {x}, but nodes are numbered "
                                  f"1 to {size} (N={size})",
                            "UCINET numbers nodes from 1: correct the tie, or N.")
            if not labels and size > MAX_DL_ISOLATES + top:
                raise _refuse_isolates(name, size, len(edges))
            names = labels or [str(i + 1) for i in range(size)]
            edges = [(names[int(u) - 1], names[int(v) - 1], w, k) for u, v, w, k in edges]
            nodes = names
        else:
            if not labels and n > MAX_DL_ISOLATES:
                raise _refuse_isolates(name, n, len(edges))
            nodes = labels
        arcs = {(u, v): w for u, v, w, _ in edges}
    else:
        if embedded:
            if not data:
                raise _dl_error(name, "the DATA block is empty")
            labels = _labels(data[0][1])
            data = data[1:]
        M = _matrix(data, n, n, name, embedded=embedded)  # checks N against the data first
        names = labels or [str(i + 1) for i in range(n)]
        nodes = names
        r, c = np.nonzero(M)
        arcs = {(names[i], names[j]): float(M[i, j]) for i, j in zip(r, c, strict=True)}
    symmetric = all(arcs.get((v, u)) == w for (u, v), w in arcs.items())
    as_directed = (not symmetric) if directed is None else directed
    G: nx.Graph = nx.DiGraph() if as_directed else nx.Graph()
    G.add_nodes_from(nodes)
    G.add_edges_from((u, v, {"weight": _num(w)}) for (u, v), w in arcs.items())
    return G


def _refuse_isolates(name: str, n: int, n_edges: int) -> ReadError:
    return _dl_error(
        name, f"the header declares N={n:,} nodes, but the file holds {n_edges} tie(s) and no "
              f"labels; that many nodes would not fit in memory",
        "Check N in the first line (it counts the nodes, e.g. `DL N=12`).")


def _num(x: float) -> float | int:
    x = float(x)
    return int(x) if x.is_integer() else x


def _matrix(data: list[tuple[int, str]], n_rows: int, n_cols: int, name: str, *,
            embedded: bool) -> np.ndarray:
    values: list[float] = []
    need = n_rows * n_cols
    for number, line in data:
        tokens = _labels(line)
        if embedded:
            tokens = tokens[1:]
        for token in tokens:
            try:
                values.append(float(token))
            except ValueError:
                raise _dl_error(name, f"data line {number}: {token!r} is not a number") \
                    from None
        if len(values) > need:
            break
    if len(values) != need:
        raise _dl_error(name, f"the DATA block has {len(values)}{'+' if len(values) > need else ''}"
                              f" values; a {n_rows} × {n_cols} matrix needs exactly {need:,}",
                        "Check N (or NR and NC) in the header against the data.")
    return np.array(values, dtype=float).reshape(n_rows, n_cols)
