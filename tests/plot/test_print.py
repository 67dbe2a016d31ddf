"""Figures fit for print (issue 17): deterministic, readable, labelled, honest axes.

Each test would fail if one of the defects found in the demo report came back: the
network figure changing with ``PYTHONHASHSEED``, a 245-node hairball, near-duplicate
colours for 17 sectors, an unlabelled colour bar, an axis starting at 2.9 that makes a
small change look large, Kaplan–Meier curves without numbers at risk, legends over axis
labels.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection

import toolkit as tk
from toolkit.errors import ArgumentError
from toolkit.plot._network import MAX_FULL_NODES
from toolkit.plot._style import CATEGORICAL, OTHER_COLOUR

ROOT = Path(__file__).resolve().parents[2]


def _renderer(ax: Axes):
    ax.figure.canvas.draw()
    return ax.figure.canvas.get_renderer()


def _points(ax: Axes) -> np.ndarray:
    return np.vstack([c.get_offsets() for c in ax.collections if isinstance(c, PathCollection)])


def _lines(ax: Axes) -> LineCollection:
    return next(c for c in ax.collections if isinstance(c, LineCollection))


def _sectors(n: int, seed: int = 5, k: int = 4) -> nx.Graph:
    """A co-attendance-like graph: `n` members in `k` sectors, weighted ties, sparse."""
    rng = np.random.default_rng(seed)
    G = nx.Graph()
    sectors = [f"界别{i}" for i in range(k)]
    for i in range(n):
        G.add_node(f"M{i:03d}", sector=sectors[min(int(rng.exponential(1.2)), k - 1)])
    nodes = list(G)
    for _ in range(3 * n):
        a, b = rng.choice(n, 2, replace=False)
        G.add_edge(nodes[a], nodes[b], weight=int(rng.integers(1, 6)))
    return G


# ---------------------------------------------------------------------------
# deterministic output


_SCRIPT = textwrap.dedent("""
    import sys
    import matplotlib
    matplotlib.use("Agg")
    import networkx as nx
    import numpy as np
    import toolkit as tk

    out = sys.argv[1]
    rng = np.random.default_rng(1)
    ids = {f"M{i:03d}" for i in range(180)}  # a set: its order follows PYTHONHASHSEED
    G = nx.Graph()
    for v in ids:
        G.add_node(v, sector=["经济界", "教育界", "中国共产党", "妇联"][int(v[1:]) % 4])
    order = sorted(ids)
    for _ in range(500):
        a, b = rng.choice(len(order), 2, replace=False)
        G.add_edge(order[a], order[b], weight=int(rng.integers(1, 5)))
    sub = G.subgraph({v for v in ids if int(v[1:]) < 60}).copy()  # subgraph of a set
    with tk.plot.style("zh"):
        figures = {
            "blocks": tk.plot.network(G, color="sector", size="betweenness", seed=7),
            "full": tk.plot.network(sub, color="community", size="betweenness", seed=7),
            "backbone": tk.plot.network(G, kind="backbone", color="sector", seed=7),
        }
        for name, ax in figures.items():
            ax.figure.savefig(f"{out}/{name}.png", dpi=60)
            ax.figure.savefig(f"{out}/{name}.svg", metadata={"Date": None})
""")


def test_network_figures_are_byte_identical_under_two_hash_seeds(tmp_path):
    script = tmp_path / "figure.py"
    script.write_text(_SCRIPT, encoding="utf-8")
    outputs = []
    for seed in ("1", "2"):
        folder = tmp_path / f"seed{seed}"
        folder.mkdir()
        env = {**os.environ, "PYTHONHASHSEED": seed, "MPLBACKEND": "Agg",
               "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        run = subprocess.run([sys.executable, str(script), str(folder)], env=env,
                             capture_output=True, text=True, timeout=120, check=False)
        assert run.returncode == 0, run.stderr
        outputs.append({p.name: p.read_bytes() for p in sorted(folder.iterdir())})
    assert sorted(outputs[0]) == ["backbone.png", "backbone.svg", "blocks.png", "blocks.svg",
                                  "full.png", "full.svg"]
    for name, data in outputs[0].items():
        assert data == outputs[1][name], f"{name} differs between PYTHONHASHSEED=1 and 2"


def test_positions_do_not_depend_on_insertion_order():
    G = _sectors(60)
    shuffled = nx.Graph()
    rng = np.random.default_rng(3)
    nodes = list(G)
    shuffled.add_nodes_from((nodes[i], G.nodes[nodes[i]]) for i in rng.permutation(len(nodes)))
    edges = list(G.edges(data=True))
    shuffled.add_edges_from((edges[i][1], edges[i][0], edges[i][2])  # other order, other ends
                            for i in rng.permutation(len(edges)))
    for method in ("fr", "kk", "circle", "spring"):
        a = tk.net.layout(G, method=method, seed=4).set_index("node").sort_index()
        b = tk.net.layout(shuffled, method=method, seed=4).set_index("node").sort_index()
        np.testing.assert_array_equal(a.to_numpy(), b.to_numpy(), err_msg=method)


def test_style_fixes_the_svg_hash_salt():
    with tk.plot.style("zh") as s:
        assert mpl.rcParams["svg.hashsalt"] == "toolkit"
    assert s.rc["svg.hashsalt"] == "toolkit"


# ---------------------------------------------------------------------------
# large networks as a reader can read them


def test_a_large_graph_is_drawn_as_its_block_graph():
    G = _sectors(MAX_FULL_NODES + 50)
    ax = tk.plot.network(G, color="sector", size="betweenness", seed=1)
    assert ax.get_gid() == "network:blocks"
    structure = tk.net.groups(G, by="sector")
    members = structure.ei.set_index("group")["n"]
    # one node per sector, largest first, its area growing with its members
    assert len(_points(ax)) == len(members)
    labels = [t.get_text() for t in ax.texts][: len(members)]
    order = sorted(members.index, key=lambda g: (-members[g], g))
    assert labels == [f"{g}（{members[g]}）" for g in order]
    sizes = ax.collections[-1].get_sizes()
    assert np.all(np.diff(sizes) <= 0)
    # one line per pair of sectors with ties, widths in the order of the tie counts
    blocks = structure.blocks
    between = blocks[blocks.group_from < blocks.group_to]
    between = between[between.ties > 0]
    widths = np.asarray(_lines(ax).get_linewidths())
    assert len(widths) == len(between)
    assert widths.max() == pytest.approx(8.0)  # the pair with the most ties
    assert np.all(np.diff(widths) >= 0)  # drawn weakest first, strongest on top
    # a note says what nodes and lines mean
    assert any("连线" in t.get_text() and "成员数" in t.get_text() for t in ax.texts)


def test_the_threshold_and_the_full_graph_on_request():
    small = _sectors(MAX_FULL_NODES)
    assert tk.plot.network(small, color="sector").get_gid() == "network:full"
    big = _sectors(MAX_FULL_NODES + 1)
    assert tk.plot.network(big, color="sector").get_gid() == "network:blocks"
    full = tk.plot.network(big, kind="full", color="sector", label=False)
    assert full.get_gid() == "network:full"
    assert len(_points(full)) == MAX_FULL_NODES + 1
    # given positions mean the user wants every node where they put it
    pos = tk.net.layout(big, method="circle")
    assert tk.plot.network(big, layout=pos, color="sector").get_gid() == "network:full"
    with pytest.raises(ArgumentError, match="grouping"):
        tk.plot.network(big, kind="blocks")


def test_block_graph_of_communities_and_of_a_directed_graph():
    G = _sectors(80)
    ax = tk.plot.network(G, kind="blocks", color="community", seed=2, lang="en")
    assert ax.get_gid() == "network:blocks"
    assert "community" in ax.texts[-1].get_text().lower()
    D = nx.DiGraph([("a", "b"), ("b", "a"), ("a", "c")])
    nx.set_node_attributes(D, {"a": "经济界", "b": "教育界", "c": "教育界"}, "sector")
    ax = tk.plot.network(D, kind="blocks", color="sector")
    assert list(_lines(ax).get_linewidths()) == [8.0]  # three ties between the two sectors


def test_backbone_keeps_the_disparity_filter_ties_and_each_nodes_strongest():
    # K5 with one heavy tie: at node 0, (1 - 20/23)^3 = 0.002 < 0.05 keeps (0, 1); every
    # other tie has p >= 0.42. Nodes 2-4 keep their strongest tie (all weigh 1: the first
    # in sorted order, to node 0). Serrano, Boguna & Vespignani (2009), eq. 2.
    G = nx.complete_graph(5)
    nx.set_edge_attributes(G, 1, "weight")
    G[0][1]["weight"] = 20
    ax = tk.plot.network(G, kind="backbone", seed=0)
    assert ax.get_gid() == "network:backbone"
    segments = _lines(ax).get_segments()
    pos = dict(zip(range(5), map(tuple, tk.net.layout(
        nx.Graph([(0, 1), (0, 2), (0, 3), (0, 4)]), seed=0)[["x", "y"]].to_numpy()),
        strict=True))
    drawn = {frozenset(next(v for v, p in pos.items() if np.allclose(p, end)) for end in seg)
             for seg in segments}
    assert drawn == {frozenset(e) for e in [(0, 1), (0, 2), (0, 3), (0, 4)]}
    assert "4 / 10" in ax.texts[-1].get_text()
    # weighted and large without a grouping: the backbone by default
    big = _sectors(MAX_FULL_NODES + 20)
    assert tk.plot.network(big).get_gid() == "network:backbone"
    with pytest.raises(ArgumentError, match="same weight"):
        tk.plot.network(nx.path_graph(4), kind="backbone")


# ---------------------------------------------------------------------------
# colours


def _lab(colours) -> np.ndarray:
    """CIELAB (D65) of sRGB colours (CIE 15:2004 formulas)."""
    rgb = np.array([mpl.colors.to_rgb(c) for c in colours])
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    m = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                  [0.0193339, 0.1191920, 0.9503041]])
    xyz = lin @ m.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])],
                    axis=1)


def test_twenty_categorical_colours_are_far_apart_in_cielab():
    lab = _lab(CATEGORICAL)
    assert len(CATEGORICAL) == 20
    gaps = np.sqrt(((lab[:, None] - lab[None]) ** 2).sum(-1))
    gaps[np.diag_indices(len(lab))] = np.inf
    assert gaps.min() > 26  # ΔE*76; tab20 has pairs at 16.6
    other = np.sqrt(((lab - _lab([OTHER_COLOUR])) ** 2).sum(-1))
    assert other.min() > 20
    assert (lab[:, 0] < 90).all()  # none vanishes on white paper
    assert tk.plot.palette(8) == list(tk.plot.OKABE_ITO)
    with pytest.raises(ArgumentError, match="Other"):
        tk.plot.palette(21)


def test_seventeen_sectors_get_seventeen_distinct_colours_and_more_fold_into_other():
    G = nx.Graph()
    for i in range(25):  # category i has 25 - i members
        for j in range(25 - i):
            G.add_node(f"{i}-{j}", sector=f"界别{i:02d}")
    sub = G.subgraph([v for v in G if int(v.split("-")[0]) < 17])
    ax = tk.plot.network(sub, kind="full", color="sector", label=False)
    faces = [h.get_markerfacecolor() for h in ax.get_legend().legend_handles]
    assert len(set(faces)) == 17
    ax = tk.plot.network(G, kind="full", color="sector", label=False)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(texts) == 20
    assert texts[-1] == "其他（6 类）"  # the six smallest sectors
    assert "界别18" in texts  # the 19 largest kept
    assert "界别19" not in texts  # the 6 smallest folded


# ---------------------------------------------------------------------------
# labelled colour bars, honest axes


def _colour_bar(ax: Axes) -> Axes:
    others = [a for a in ax.figure.axes if a is not ax]
    assert len(others) == 1, "one colour bar"
    return others[0]


def test_heatmap_colour_bar_says_what_the_colour_means():
    s = pd.DataFrame({"unit_id": ["C1", "C1", "C2"], "platform": ["微信群", "微信群", "听证会"],
                      "rounds": [1, 3, 2]})
    u = pd.DataFrame({"unit_id": ["T1", "C1", "C2"], "name": ["东街道", "甲社区", "乙社区"],
                      "parent_id": [None, "T1", "T1"]})
    ax = tk.plot.heatmap(s, row="community", col="platform", units=u)
    assert _colour_bar(ax).get_ylabel() == "协商次数"
    ax = tk.plot.heatmap(s, row="community", col="platform", units=u, lang="en")
    assert _colour_bar(ax).get_ylabel() == "Sessions"
    ax = tk.plot.heatmap(s, row="community", col="platform", units=u, value="rounds",
                         agg="mean", table="other")
    assert _colour_bar(ax).get_ylabel() == "rounds均值"


def test_numeric_node_colours_get_a_labelled_colour_bar():
    ax = tk.plot.network(nx.karate_club_graph(), color="betweenness", seed=1)
    assert _colour_bar(ax).get_ylabel() == "中介中心度"


def test_bars_start_at_zero_and_changes_are_read_against_zero():
    s = pd.DataFrame({"date": pd.to_datetime(["2023-01-05", "2023-01-20", "2023-03-02"]),
                      "platform": ["微信群", "居民议事会", "微信群"]})
    assert tk.plot.timeline(s).get_ylim()[0] == 0
    ch = pd.DataFrame({"item": ["op1", "op2"], "mean_before": [2.91, 3.14],
                       "mean_after": [3.46, 3.08], "change": [0.55, -0.06],
                       "ci_low": [0.41, -0.18], "ci_high": [0.69, 0.06]})
    ax = tk.plot.change(ch)  # a change table with CIs: the change and its interval
    lo, hi = ax.get_xlim()
    assert lo == pytest.approx(-hi)  # centred on no change
    assert hi > 0.69  # the CI inside
    assert len(ax.containers) == 1  # the error bars
    assert [t.get_text() for t in ax.texts][1:] == ["2.91 → 3.46", "3.14 → 3.08"]
    means = tk.plot.change(ch, kind="means")
    assert means.get_xlim()[0] == 0  # not 2.9: a 0.5 change does not fill the axis
    assert tk.plot.change(ch, kind="means", scale=(1, 5)).get_xlim() == (1, 5)
    with pytest.raises(ArgumentError, match="ci_low"):
        tk.plot.change(ch[["item", "mean_before", "mean_after"]], kind="change")


# ---------------------------------------------------------------------------
# legends and tables under the axes never cover the axis labels


def _boxes(ax: Axes, renderer) -> list:
    labels = [t for t in ax.get_xticklabels() + ax.get_yticklabels() if t.get_text()]
    return [t.get_window_extent(renderer) for t in [ax.xaxis.label, ax.yaxis.label, *labels]
            if t.get_text()]


@pytest.mark.parametrize("rows", [1, 2, 6])
def test_likert_legend_never_covers_the_axis_label(rows):
    # teaching notebook 02: one item by a yes/no group, a short figure
    rng = np.random.default_rng(rows)
    cats = ["非常不满意", "不太满意", "一般", "比较满意", "非常满意"]
    df = pd.DataFrame({f"q{i}": pd.Categorical(rng.choice(cats, 50), categories=cats,
                                               ordered=True) for i in range(rows)})
    df["attended"] = rng.choice(["是", "否"], 50)
    for lang in ("zh", "en"):
        ax = tk.plot.likert(df, items=list(df.columns[:rows]), by="attended", lang=lang,
                            labels={f"q{i}": f"Q{i}" for i in range(rows)})
        renderer = _renderer(ax)
        legend = ax.get_legend().get_window_extent(renderer)
        for box in _boxes(ax, renderer):
            assert not legend.overlaps(box)
        assert legend.y1 < ax.xaxis.label.get_window_extent(renderer).y0


def test_change_and_coverage_legends_sit_below_their_labels():
    ch = pd.DataFrame({"item": ["q1"], "mean_before": [2.8], "mean_after": [3.4]})
    f = pd.DataFrame({"unit_id": ["C1", "C2", "C3"], "town": ["东街道", "东街道", "西镇"],
                      "has_room": [True, False, True]})
    for ax in (tk.plot.change(ch), tk.plot.coverage(f, lang="en")):
        renderer = _renderer(ax)
        legend = ax.get_legend().get_window_extent(renderer)
        assert all(not legend.overlaps(box) for box in _boxes(ax, renderer))
        assert legend.y1 < ax.get_tightbbox(renderer, for_layout_only=False).y1


def test_numbers_at_risk_sit_under_the_axis_label():
    d = pd.DataFrame({"days": [5, 10, 12, 20, 3, 8], "done": [1, 1, 0, 1, 1, 1],
                      "platform": ["微信群"] * 3 + ["居民议事会"] * 3})
    ax = tk.plot.survival(d, time="days", event="done", by="platform", at_risk=True)
    renderer = _renderer(ax)
    label = ax.xaxis.label.get_window_extent(renderer)
    table = [t for t in ax.texts if str(t.get_gid()).startswith("at_risk")]
    assert len(table) > 4
    assert all(t.get_window_extent(renderer).y1 < label.y0 for t in table)


# ---------------------------------------------------------------------------
# the demo report's figures


@pytest.fixture(scope="module")
def demo_figures():
    from toolkit.report.demo import build_study_report
    from toolkit.report.demo.app import load_demo

    study, panel = load_demo()
    with tk.plot.style("zh"):
        made = build_study_report(study, lang="zh", panel=panel, progress=False)
    yield made.figures
    for fig in made.figures.values():
        plt.close(fig)


def test_demo_figures_are_fit_for_print(demo_figures):
    network = demo_figures["04_network"].axes[0]
    assert network.get_gid() == "network:blocks"  # 245 members: 17 sectors, not a hairball
    assert len(_points(network)) == 17
    for name in ("05_km_implementation", "06_km_response"):
        ax = demo_figures[name].axes[0]
        assert [t.get_text() for t in ax.texts if t.get_gid() == "at_risk_title"] == ["在险数"]
    heat = demo_figures["03_heatmap_town_platform"]
    assert heat.axes[1].get_ylabel() == "协商次数"
    change = demo_figures["09_change"].axes[0]
    lo, hi = change.get_xlim()
    assert lo < 0 < hi
    assert lo == pytest.approx(-hi)
