"""tk.plot.network: artists, legend, Chinese labels, seeded layouts."""

from __future__ import annotations

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection

import toolkit as tk
from toolkit.plot._network import layout_positions


@pytest.fixture
def people():
    G = nx.Graph([("张三", "李四"), ("李四", "王五"), ("王五", "赵六"), ("张三", "王五")])
    nx.set_node_attributes(G, {"张三": "政协委员", "李四": "专家", "王五": "政协委员",
                               "赵六": "居民代表"}, "type")
    return G


def _points(ax: Axes) -> np.ndarray:
    coll = [c for c in ax.collections if isinstance(c, PathCollection)]
    return np.vstack([c.get_offsets() for c in coll])


def test_returns_axes_with_nodes_edges_and_chinese_legend(people):
    ax = tk.plot.network(people, color="type", seed=1)
    assert isinstance(ax, Axes)
    assert len(_points(ax)) == 4
    edges = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(edges[0].get_segments()) == 4
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert sorted(legend) == sorted(["专家", "居民代表", "政协委员"])
    assert ax.get_legend().get_title().get_text() == "参与者类型"
    assert {t.get_text() for t in ax.texts} == {"张三", "李四", "王五", "赵六"}
    ax.figure.canvas.draw()  # missing glyphs would warn, and warnings are errors


def test_english_legend_translates_vocabulary(people):
    ax = tk.plot.network(people, color="type", lang="en", seed=1)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert sorted(legend) == sorted(["Expert", "Resident representative", "CPPCC member"])


def test_layout_is_deterministic_with_seed():
    G = nx.karate_club_graph()
    a = layout_positions(G, seed=3)
    b = layout_positions(G, seed=3)
    assert np.allclose(a, b)
    assert np.allclose(layout_positions(G), layout_positions(G))  # None means seed 0


def test_draws_on_given_axes_and_sizes_by_measure():
    _, ax = plt.subplots()
    G = nx.star_graph(6)
    out = tk.plot.network(G, ax=ax, size="betweenness", label=1, seed=0)
    assert out is ax
    sizes = ax.collections[-1].get_sizes()
    assert sizes.max() == pytest.approx(300)
    assert sizes.min() == pytest.approx(10)
    assert [t.get_text() for t in ax.texts] == ["0"]  # the largest node only


def test_bipartite_layout_and_given_positions():
    D = nx.davis_southern_women_graph()
    ax = tk.plot.network(D, layout="bipartite", color="bipartite", label=False)
    assert set(np.round(_points(ax)[:, 0], 6)) == {0.0, 1.0}
    pos = pd.DataFrame({"node": ["a", "b"], "x": [0.0, 1.0], "y": [0.0, 2.0]})
    ax2 = tk.plot.network(nx.Graph([("a", "b")]), layout=pos)
    assert sorted(map(tuple, _points(ax2))) == [(0.0, 0.0), (1.0, 2.0)]


def test_communities_and_errors(people):
    ax = tk.plot.network(nx.karate_club_graph(), color="community", seed=2, label=False)
    assert len(ax.get_legend().get_texts()) >= 2
    with pytest.raises(ValueError, match="neither a node attribute"):
        tk.plot.network(people, color="sectr")
    with pytest.raises(ValueError, match="Unknown `layout`"):
        tk.plot.network(people, layout="hairball")


def test_many_categories_get_distinct_colours():
    """A legend must not show two categories in one colour (17 sectors > 8 Okabe-Ito colours)."""
    G = nx.path_graph(17)
    nx.set_node_attributes(G, {i: f"界别{i:02d}" for i in range(17)}, "sector")
    ax = tk.plot.network(G, color="sector", seed=1)
    legend = ax.get_legend()
    faces = [h.get_markerfacecolor() for h in legend.legend_handles]
    assert len(faces) == 17
    assert len(set(faces)) == 17


def test_the_drawing_uses_the_positions_of_tk_net_layout(people):
    # one owner of layouts: tk.net.layout; the plot draws its positions
    pos = tk.net.layout(people, method="kk", seed=3)
    assert list(pos.columns) == ["node", "x", "y"]
    assert pos["node"].tolist() == list(people)
    assert pos.equals(tk.net.layout(people, method="kk", seed=3))  # seeded: same every time
    np.testing.assert_array_equal(layout_positions(people, layout="kk", seed=3),
                                  pos[["x", "y"]].to_numpy())
    drawn = _points(tk.plot.network(people, layout=pos, label=False))
    assert sorted(map(tuple, drawn)) == sorted(map(tuple, pos[["x", "y"]].to_numpy()))
    with pytest.raises(ValueError, match="method"):
        tk.net.layout(people, method="force")
