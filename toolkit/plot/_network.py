"""Drawing of stakeholder networks: readable at A4 size, Chinese labels, seeded layouts.

A graph of a few dozen nodes is drawn node by node. A larger one is drawn as what a
reader can take in on a printed page: its group-level block graph (one node per sector
or type, sized by its members, ties between groups as lines of proportional width, as
``tk.net.groups`` counts them) or its backbone (the ties that stand out from each node's
own ties). Everything is computed on the graph in sorted node order, so the same graph
gives the same figure, byte for byte, whatever order it was built in and whatever
``PYTHONHASHSEED`` is.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any, Literal

import matplotlib as mpl
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

from toolkit._checks import Lang, check_choice, check_lang
from toolkit._docs import doc
from toolkit.errors import ArgumentError
from toolkit.plot._common import (
    apply_fonts,
    display_labels,
    has_word,
    new_axes,
    word,
    wrap_label,
)
from toolkit.plot._style import CATEGORICAL, OKABE_ITO, OTHER_COLOUR
from toolkit.schema import column_label

__all__ = ["KINDS", "MAX_FULL_NODES", "layout_positions", "network"]

#: What ``tk.plot.network`` draws: chosen by size (``"auto"``), every node (``"full"``),
#: the group-level block graph (``"blocks"``) or the backbone (``"backbone"``).
KINDS: tuple[str, ...] = ("auto", "full", "blocks", "backbone")

#: Largest graph ``kind="auto"`` draws node by node; beyond it a printed page shows a
#: hairball, so the block graph (or the backbone) is drawn instead.
MAX_FULL_NODES = 150

#: Significance level of the disparity filter that keeps the backbone's ties.
BACKBONE_LEVEL = 0.05


def layout_positions(
    G: nx.Graph,
    *,
    layout: str | Mapping[Hashable, Any] | pd.DataFrame = "fr",
    seed: int | None = None,
) -> np.ndarray:
    """Node positions (n × 2 array, graph order): given, or ``tk.net.layout(G, method=layout)``.

    Examples
    --------
    >>> tk.plot.layout_positions(nx.path_graph(3), layout="circle").shape
    (3, 2)
    """
    nodes = list(G)
    if isinstance(layout, pd.DataFrame):
        frame = layout.set_index("node") if "node" in layout.columns else layout
        missing = [v for v in nodes if v not in frame.index]
        if missing or not {"x", "y"} <= set(frame.columns):
            msg = ("A `layout` DataFrame needs columns `node`, `x`, `y` with a row for every "
                   f"node; missing e.g. {missing[:3]}.")
            raise ValueError(msg)
        return frame.loc[nodes, ["x", "y"]].to_numpy(dtype=float)
    if isinstance(layout, Mapping):
        missing = [v for v in nodes if v not in layout]
        if missing:
            msg = f"`layout` has no position for {len(missing)} node(s), e.g. {missing[:3]}."
            raise ValueError(msg)
        return np.array([layout[v] for v in nodes], dtype=float)
    from toolkit.net.positions import METHODS
    from toolkit.net.positions import layout as net_layout

    if layout not in METHODS:
        msg = (f"Unknown `layout` {layout!r}; use one of {', '.join(METHODS)}, a dict "
               "node → (x, y) or a DataFrame with node, x, y.")
        raise ValueError(msg)
    return net_layout(G, method=layout, seed=seed)[["x", "y"]].to_numpy(dtype=float)


def _values(G: nx.Graph, spec: str, nodes: list, *, seed: int | None) -> tuple[np.ndarray, str]:
    """Per-node values of an attribute, a measure, or ``"community"``."""
    attrs = nx.get_node_attributes(G, spec)
    if attrs:
        return np.array([attrs.get(v) for v in nodes], dtype=object), spec
    if spec == "community":
        from toolkit.net.structure import communities

        comm = communities(G.to_undirected() if G.is_directed() else G, seed=seed or 0)
        member = dict(zip(comm.membership["node"], comm.membership["community"], strict=True))
        return np.array([member[v] for v in nodes], dtype=object), spec
    from toolkit.net.centrality import AVAILABLE, measures

    if spec in AVAILABLE:
        frame = measures(G, measures=[spec], two_mode=False,
                         sample=min(200, len(nodes)) if len(nodes) > 5000 else None, seed=seed)
        by_node = dict(zip(frame["node"], frame[spec], strict=True))
        return np.array([by_node[v] for v in nodes], dtype=float), spec
    known = sorted({k for _, d in G.nodes(data=True) for k in d})
    msg = (f"`{spec}` is neither a node attribute ({known}), a measure ({', '.join(AVAILABLE)}) "
           "nor 'community'.")
    raise ValueError(msg)


def _is_numeric(values: np.ndarray) -> bool:
    return all(isinstance(x, int | float | np.number) and not isinstance(x, bool)
               for x in values if x is not None)


def _is_colour(color: str) -> bool:
    return color in mpl.colors.get_named_colors_mapping() or str(color).startswith("#")


def _is_scale(values: np.ndarray) -> bool:
    """Numbers with more than 8 distinct values get a colour scale, not categories."""
    return _is_numeric(values) and len({v for v in values if v is not None}) > 8


def _label_of(spec: str, lang: Lang) -> str:
    """Name of an attribute or measure in `lang` (legend titles, colour-bar labels)."""
    if spec == "community":  # the communities found, not the 村社区 of the units table
        return word("cluster", lang)
    return word(spec, lang) if has_word(spec) else column_label(spec, lang)


def _weights(G: nx.Graph) -> np.ndarray:
    return np.array([1.0 if w is None else float(w) for _, _, w in G.edges(data="weight")])


def _categories(vals: np.ndarray) -> list:
    cats = list(pd.unique(pd.Series([v for v in vals if v is not None], dtype=object)))
    try:
        return sorted(cats)
    except TypeError:
        return sorted(cats, key=str)


# ---------------------------------------------------------------------------
# which drawing


def _resolve_kind(G: nx.Graph, kind: str, *, layout: Any, color: str | None,
                  seed: int | None) -> tuple[str, np.ndarray | None]:
    """The drawing `kind="auto"` stands for, and the group of each node (blocks)."""
    nodes = list(G)
    if kind == "full" or (kind == "auto" and (len(nodes) <= MAX_FULL_NODES
                                              or not isinstance(layout, str))):
        return "full", None
    vals = None
    if kind != "backbone" and color is not None and not _is_colour(color):
        vals = _values(G, color, nodes, seed=seed)[0]
        if _is_scale(vals):
            vals = None
    if kind == "blocks":
        if vals is None:
            msg = ("`kind=\"blocks\"` draws one node per group: give the grouping as `color=` "
                   "(a categorical node attribute such as \"sector\" or \"type\", or "
                   "\"community\").")
            raise ArgumentError(msg)
        return "blocks", vals
    if kind == "backbone":
        w = _weights(G)
        if not len(w) or np.ptp(w) == 0:
            msg = ("`kind=\"backbone\"` keeps the ties that stand out by their `weight`, but "
                   "every tie here has the same weight. Draw the block graph instead "
                   "(`kind=\"blocks\", color=<group attribute>`) or every node "
                   "(`kind=\"full\"`).")
            raise ArgumentError(msg)
        return "backbone", None
    if vals is not None:
        return "blocks", vals
    w = _weights(G)
    if len(w) and np.ptp(w) > 0:
        return "backbone", None
    return "full", None


# ---------------------------------------------------------------------------
# the drawing


@doc
def network(
    G: nx.Graph,
    *,
    ax: Axes | None = None,
    kind: Literal["auto", "full", "blocks", "backbone"] = "auto",
    layout: Literal["fr", "kk", "circle", "bipartite", "spring"] | Mapping | pd.DataFrame = "fr",
    color: str | None = None,
    size: str | float | None = None,
    label: str | bool | int | None = None,
    lang: Lang = "zh",
    seed: int | None = None,
    legend: bool = True,
    allow_personal: bool = False,
) -> Axes:
    """Draw a network: nodes coloured by group, sized by a measure, labelled in Chinese.

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
        The network (e.g. from ``tk.net.project`` or ``tk.net.two_mode``).
    {ax}
    kind : {"auto", "full", "blocks", "backbone"}, default "auto"
        What to draw. ``"full"``: every node and tie. ``"blocks"``: the
        group-level block graph of the grouping `color` names — one node per
        group, its area proportional to the group's members, lines between
        groups as wide as the ties between them (``tk.net.groups``).
        ``"backbone"``: every node, but only the ties significant under the
        disparity filter at 0.05 (Serrano et al. 2009) plus each node's strongest
        tie; needs ties of differing ``weight``. ``"auto"``: ``"full"`` up to
        :data:`MAX_FULL_NODES` (150) nodes or when positions are given; above
        it ``"blocks"`` when `color` is a categorical attribute or
        ``"community"``, else ``"backbone"`` when ties are weighted, else
        ``"full"``.
    layout : {"fr", "kk", "circle", "bipartite", "spring"}, dict or DataFrame, default "fr"
        Fruchterman–Reingold or Kamada–Kawai (igraph, fast), a circle, two
        columns for a two-mode graph, networkx's spring layout (see
        ``tk.net.layout``), or given positions (dict node → (x, y), or a frame
        with ``node``, ``x``, ``y`` such as ``tk.net.layout`` returns). The
        block graph places its groups on a circle, largest at the top.
    color : str, optional
        Node attribute (categories get up to 20 distinguishable colours and a
        legend, smaller categories beyond 20 are folded into 其他 / Other;
        numbers a colour scale with a labelled colour bar), a measure name
        (``"degree"``, ``"betweenness"`` …), ``"community"`` (Louvain), or a
        colour.
    size : str or float, optional
        Node attribute or measure scaled to marker areas of 10–300 pt², or a
        fixed area. Default: by degree. The block graph sizes groups by members.
    label : str, bool or int, optional
        ``True`` labels every node with its id; an attribute name labels with
        its values; an int labels that many largest nodes. Default: ids when
        the graph has at most 40 nodes and its ids are not personal data,
        none otherwise; groups of the block graph are always labelled with
        their name and size.
    lang : {"zh", "en"}, default "zh"
        Language of every word in the figure (vocabulary values such as
        participant types and sectors are translated with :mod:`toolkit.schema`).
    seed : int, optional
        Seed of the layout and of ``color="community"``; None means 0, so the
        same graph is always drawn the same way.
    legend : bool, default True
        Draw a legend for categorical colours (a colour bar for numbers).
    allow_personal : bool, default False
        Label nodes with ids, or label and colour them by attributes, that
        hold personal data (ids built from a personal column with
        ``allow_personal=True``, phone or ID-card numbers; attributes as
        ``tk.io.find_personal`` finds them). Refused by default.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes with the drawing (axis lines off, equal aspect); its ``gid``
        is ``"network:<kind drawn>"``.

    Raises
    ------
    ValueError
        For an unknown layout or a `color`/`size` that is neither an attribute
        nor a measure.
    ArgumentError
        For ``kind="blocks"`` without a grouping, or ``kind="backbone"`` on
        ties of equal weight; for labels or colours that would show personal
        data (unless ``allow_personal=True``).

    Notes
    -----
    Edges are drawn as one line collection (widths follow ``weight`` when ties
    carry different weights; arrows only for directed graphs of at most 300
    ties). A 2,000-node, 20,000-edge graph draws in well under 2 s with the
    igraph layouts. The disparity filter keeps tie :math:`(i, j)` when
    :math:`(1 - w_{ij}/s_i)^{k_i - 1} < 0.05` for either end, :math:`s_i` the
    node's total weight and :math:`k_i` its number of ties.

    References
    ----------
    Serrano, M. Á., Boguñá, M. & Vespignani, A. (2009). Extracting the
    multiscale backbone of complex weighted networks. *PNAS* 106, 6483–6488.

    Examples
    --------
    >>> G = nx.karate_club_graph()
    >>> ax = tk.plot.network(G, color="club", size="degree", seed=1, lang="en")
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['Mr. Hi', 'Officer']

    The block graph of the same network, one node per club:

    >>> ax = tk.plot.network(G, kind="blocks", color="club", lang="en")
    >>> [t.get_text() for t in ax.texts][:2]
    ['Mr. Hi (17)', 'Officer (17)']
    """
    from toolkit.net.positions import canonical_graph

    check_lang(lang)
    check_choice(kind, KINDS, param="kind")
    if not isinstance(G, nx.Graph):
        msg = f"`G` must be a networkx graph, not {type(G).__name__}."
        raise TypeError(msg)
    H = canonical_graph(G)  # one order for everything: same graph, same figure
    if not allow_personal:
        label = _refuse_personal(H, label=label, color=color)
    drawn, groups_of = _resolve_kind(H, kind, layout=layout, color=color, seed=seed)
    own = ax is None
    ax = new_axes(ax, lang, figsize=(6.3, 6.3))
    if drawn == "blocks":
        if own:  # the whole page width for the circle and its labels
            ax.set_position((0.02, 0.1, 0.96, 0.88))
        _draw_blocks(H, ax, groups=groups_of, spec=str(color), lang=lang)
    else:
        _draw_full(H, ax, backbone=drawn == "backbone", layout=layout, color=color, size=size,
                   label=label, lang=lang, seed=seed, legend=legend)
    ax.set_gid(f"network:{drawn}")
    return apply_fonts(ax, lang)


def _refuse_personal(H: nx.Graph, *, label: str | bool | int | None,
                     color: str | None) -> str | bool | int | None:
    """The labels to draw: none by default for personal ids; refuse personal ones asked for."""
    from toolkit.net.build import personal_in_graph, refuse_personal_graph

    names = {k for _, d in H.nodes(data=True) for k in d}
    attrs = [a for a in (label, color) if isinstance(a, str) and a in names]
    shows_ids = label is True or (isinstance(label, int) and not isinstance(label, bool)) or \
        (label is None and H.number_of_nodes() <= 40)
    if label is None and shows_ids and "node ids" in personal_in_graph(H, []):
        label = False  # the default labels would be personal ids: none
        shows_ids = False
    refuse_personal_graph(H, where="tk.plot.network", attributes=attrs, ids=shows_ids)
    return label


def _backbone(G: nx.Graph) -> nx.Graph:
    """Ties significant under the disparity filter, plus each node's strongest tie."""
    nodes = list(G)
    index = {v: i for i, v in enumerate(nodes)}
    ties = list(G.edges(data="weight"))
    if not ties:
        return G.copy()
    src = np.array([index[u] for u, _, _ in ties])
    dst = np.array([index[v] for _, v, _ in ties])
    w = np.array([1.0 if x is None else float(x) for _, _, x in ties])
    n = len(nodes)
    strength = np.bincount(src, w, n) + np.bincount(dst, w, n)
    degree = np.bincount(src, minlength=n) + np.bincount(dst, minlength=n)

    def significance(end: np.ndarray) -> np.ndarray:
        k = degree[end]
        with np.errstate(divide="ignore", invalid="ignore"):
            p = np.where(k > 1, (1 - w / strength[end]) ** (k - 1), 1.0)
        return p

    keep = np.minimum(significance(src), significance(dst)) < BACKBONE_LEVEL
    best = np.full(n, -1)
    for e in np.lexsort((np.arange(len(w)), -w)):  # heaviest first, then graph order
        for end in (src[e], dst[e]):
            if best[end] < 0:
                best[end] = e
    keep[best[best >= 0]] = True
    B = G.__class__()
    B.graph.update(G.graph)
    B.add_nodes_from(G.nodes(data=True))
    B.add_edges_from((u, v, d) for (u, v, d), k in zip(G.edges(data=True), keep, strict=True)
                     if k)
    return B


def _draw_full(H: nx.Graph, ax: Axes, *, backbone: bool, layout: Any, color: str | None,
               size: str | float | None, label: str | bool | int | None, lang: Lang,
               seed: int | None, legend: bool) -> None:
    """Every node; every tie, or the backbone's."""
    nodes = list(H)
    n = len(nodes)
    drawn = _backbone(H) if backbone else H
    pos = layout_positions(drawn, layout=layout, seed=seed)
    index = {v: i for i, v in enumerate(nodes)}

    # edges
    edges = list(drawn.edges(data="weight"))
    if edges:
        src = np.fromiter((index[u] for u, _, _ in edges), dtype=np.int64, count=len(edges))
        dst = np.fromiter((index[v] for _, v, _ in edges), dtype=np.int64, count=len(edges))
        w = np.array([1.0 if x is None else float(x) for _, _, x in edges])
        alpha = float(np.clip(30 / np.sqrt(len(edges)), 0.08, 0.6))
        thin = 0.4 if len(edges) > 5000 else 0.6
        width = thin if np.ptp(w) == 0 else 0.3 + 2.2 * (w - w.min()) / np.ptp(w)
        segs = np.stack([pos[src], pos[dst]], axis=1)
        ax.add_collection(LineCollection(segs, colors="#7f7f7f", linewidths=width,
                                         alpha=alpha, zorder=1), autolim=False)
        if H.is_directed() and len(edges) <= 300:
            for s, t in zip(src, dst, strict=True):
                ax.annotate("", xy=pos[t], xytext=pos[s], zorder=1,
                            arrowprops={"arrowstyle": "-|>", "color": "#7f7f7f",
                                        "lw": 0.6, "shrinkA": 4, "shrinkB": 6})

    # sizes (measures of the whole graph, also for the backbone)
    if size is None:
        raw = np.array([d for _, d in H.degree()], dtype=float)
    elif isinstance(size, int | float):
        raw = np.full(n, float(size))
    else:
        vals, _ = _values(H, size, nodes, seed=seed)
        raw = np.array([np.nan if v is None else float(v) for v in vals], dtype=float)
    if isinstance(size, int | float):
        areas = raw
    else:
        span = np.nanmax(raw) - np.nanmin(raw) if n and np.isfinite(raw).any() else 0
        base = 60.0 if n <= 200 else 12.0
        areas = (np.full(n, base) if not span else
                 10 + 290 * (np.nan_to_num(raw, nan=np.nanmin(raw)) - np.nanmin(raw)) / span)
        if n > 500:
            areas = areas / 3

    # colours
    handles: list[Line2D] = []
    scale = None
    if color is None:
        colors: Any = OKABE_ITO[0]
    elif _is_colour(color):
        colors = color
    else:
        vals, _ = _values(H, color, nodes, seed=seed)
        if _is_scale(vals):
            num = np.array([np.nan if v is None else float(v) for v in vals])
            finite = num[np.isfinite(num)]
            norm = mpl.colors.Normalize(finite.min() if len(finite) else 0.0,
                                        finite.max() if len(finite) else 1.0)
            scale = ScalarMappable(norm=norm, cmap="cividis")
            colors = [OTHER_COLOUR if not np.isfinite(x) else scale.to_rgba(x) for x in num]
        else:
            colors, handles = _categorical(vals, color, lang)
    order = np.argsort(areas, kind="stable")  # big nodes on top
    cols = np.asarray(colors, dtype=object)[order] if isinstance(colors, list | np.ndarray) \
        else colors
    if isinstance(cols, np.ndarray):
        cols = list(cols)
    ax.scatter(pos[order, 0], pos[order, 1], s=areas[order], c=cols,
               edgecolors="white", linewidths=0.4 if n <= 500 else 0.0, zorder=2)

    # labels
    if label is None:
        label = n <= 40
    if label is not False and n:
        if label is True:
            show = range(n)
            text = [str(v) for v in nodes]
        elif isinstance(label, int):
            show = np.argsort(-areas, kind="stable")[:label]
            text = [str(v) for v in nodes]
        else:
            vals, _ = _values(H, label, nodes, seed=seed)
            show = range(n)
            text = ["" if v is None else str(v) for v in vals]
        for i in show:
            ax.annotate(text[i], pos[i], xytext=(3, 3), textcoords="offset points",
                        fontsize=7 if n > 20 else 8, zorder=3)

    if handles and legend:
        ax.legend(handles=handles, title=_label_of(str(color), lang),
                  loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    if scale is not None and legend:
        bar = ax.figure.colorbar(scale, ax=ax, fraction=0.04, pad=0.02, shrink=0.6)
        bar.set_label(_label_of(str(color), lang))
        bar.ax.tick_params(labelsize=7)
    if backbone:
        note = (f"仅画出主干联系：{drawn.number_of_edges():,} / {H.number_of_edges():,} 条"
                "（差异过滤 α = 0.05，另保留每个节点最强的联系）" if lang == "zh" else
                f"Backbone only: {drawn.number_of_edges():,} of {H.number_of_edges():,} ties "
                "(disparity filter at 0.05, plus each node's strongest tie)")
        ax.text(0.0, -0.01, note, transform=ax.transAxes, ha="left", va="top",
                fontsize="small", color="#444444")
    if n:
        ax.update_datalim(pos)  # cheaper than letting the edge collection compute it
    ax.set_aspect("equal", adjustable="datalim")
    ax.autoscale_view()
    ax.margins(0.05)
    ax.set_axis_off()


def _categorical(vals: np.ndarray, spec: str, lang: Lang) -> tuple[list, list[Line2D]]:
    """Colours of categories (the smallest beyond 20 folded into 其他 / Other) and handles."""
    cats = _categories(vals)
    other: list = []
    if len(cats) > len(CATEGORICAL):
        counts = pd.Series([v for v in vals if v is not None], dtype=object).value_counts()
        ranked = sorted(cats, key=lambda c: (-counts[c], str(c)))
        keep = set(ranked[: len(CATEGORICAL) - 1])
        other = [c for c in cats if c not in keep]
        cats = [c for c in cats if c in keep]
    colours = dict(zip(cats, CATEGORICAL, strict=False))
    names = display_labels(spec, cats, lang)
    handles = [Line2D([], [], marker="o", linestyle="", markersize=6,
                      markerfacecolor=colours[c], markeredgecolor="white", label=nm)
               for c, nm in zip(cats, names, strict=True)]
    if other:
        text = (f"{word('other', lang)}（{len(other)} 类）" if lang == "zh" else
                f"{word('other', lang)} ({len(other)} groups)")
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=6,
                              markerfacecolor=OTHER_COLOUR, markeredgecolor="white", label=text))
    return [colours.get(v, OTHER_COLOUR) for v in vals], handles


def _draw_blocks(H: nx.Graph, ax: Axes, *, groups: np.ndarray, spec: str, lang: Lang) -> None:
    """One node per group on a circle, lines as wide as the ties between groups."""
    from toolkit.net.structure import groups as net_groups

    nodes = list(H)
    attr = "\0group"  # H is the drawing's own copy: the caller's graph is left alone
    nx.set_node_attributes(H, dict(zip(nodes, groups, strict=True)), attr)
    structure = net_groups(H, by=attr)
    sizes = structure.ei.set_index("group")["n"]
    cats = _categories(groups)
    colours = dict(zip(cats, CATEGORICAL, strict=False))
    order = sorted(cats, key=lambda c: (-sizes[c], cats.index(c)))  # largest first
    k = len(order)
    angle = np.pi / 2 - 2 * np.pi * np.arange(k) / max(k, 1)
    pos = {c: ((np.cos(a), np.sin(a)) if k > 1 else (0.0, 0.0))
           for c, a in zip(order, angle, strict=True)}

    blocks = structure.blocks
    rank = {c: i for i, c in enumerate(order)}
    between = blocks[[rank[a] < rank[b] for a, b in zip(blocks["group_from"],
                                                        blocks["group_to"], strict=True)]]
    if H.is_directed():  # ties either way between two groups
        back = blocks.set_index(["group_from", "group_to"])["ties"]
        between = between.assign(ties=[t + back[(b, a)] for a, b, t in zip(
            between["group_from"], between["group_to"], between["ties"], strict=True)])
    between = between[between["ties"] > 0].sort_values(["ties", "group_from", "group_to"],
                                                       kind="stable")
    if len(between):
        top = float(between["ties"].max())
        share = between["ties"].to_numpy(dtype=float) / top
        segs = [[pos[a], pos[b]] for a, b in zip(between["group_from"], between["group_to"],
                                                 strict=True)]
        ax.add_collection(LineCollection(
            segs, colors=[(0.35, 0.35, 0.35, 0.15 + 0.6 * s) for s in share],
            linewidths=0.3 + 7.7 * share, zorder=1, capstyle="round"), autolim=False)

    members = np.array([sizes[c] for c in order], dtype=float)
    areas = 60 + 1200 * members / members.max() if k else members
    xy = np.array([pos[c] for c in order]) if k else np.zeros((0, 2))
    ax.scatter(xy[:, 0], xy[:, 1], s=areas, c=[colours.get(c, OTHER_COLOUR) for c in order],
               edgecolors="white", linewidths=0.8, zorder=2)
    names = display_labels(spec, order, lang)
    for (x, y), name, m, area in zip(xy, names, members, areas, strict=True):
        radius = np.sqrt(area / np.pi) + 3  # points from the centre to past the marker edge
        dx, dy = (x, y) if k > 1 else (0.0, 1.0)
        ha = "left" if dx > 0.15 else "right" if dx < -0.15 else "center"
        va = "bottom" if dy > 0.15 else "top" if dy < -0.15 else "center"
        text = f"{name}（{int(m)}）" if lang == "zh" else wrap_label(f"{name} ({int(m)})", 9)
        ax.annotate(text, (x, y), xytext=(dx * radius, dy * radius),
                    textcoords="offset points", ha=ha, va=va, fontsize=7.5, zorder=3)
    ties = between["ties"].to_numpy(dtype=float)
    most = f"{ties.max():,.0f}" if len(ties) else "0"
    title = _label_of(spec, lang)
    note = (f"节点：{title}，面积与成员数成正比（括号内为成员数）。\n"
            f"连线：{title}之间的联系，粗细与联系数成正比（最多 {most} 条）；"
            f"共 {len(nodes):,} 个节点、{H.number_of_edges():,} 条联系。"
            if lang == "zh" else
            f"Nodes: {title.lower()} groups, area proportional to members (in brackets).\n"
            f"Lines: ties between groups, width proportional to their number (at most {most});"
            f"\n{len(nodes):,} nodes and {H.number_of_edges():,} ties in all.")
    ax.text(0.5, -0.01, note, transform=ax.transAxes, ha="center", va="top",
            fontsize="small", color="#444444", linespacing=1.4)
    ax.set_xlim(-1.65, 1.65)
    ax.set_ylim(-1.3, 1.3)
    ax.set_aspect("equal")
    ax.set_axis_off()
