"""Node measures (tk.net.measures) against published values and networkx."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from networkx.algorithms import bipartite

import toolkit as tk


@pytest.fixture
def florentine(shared):
    path = shared("reference", "networks_classic", "florentine_marriage_edges.csv")
    edges = pd.read_csv(path, encoding="utf-8")
    return nx.from_pandas_edgelist(edges, "family1", "family2")


def test_medici_betweenness_published(florentine):
    # Padgett & Ansell (1993) marriage network; normalised betweenness of the Medici
    # 0.522 (shared/data/README.md; also Wasserman & Faust). Tolerance 5e-4 (3 decimals).
    df = tk.net.measures(florentine, measures=["betweenness"])
    medici = df.loc[df.node == "Medici", "betweenness"].item()
    assert medici == pytest.approx(0.522, abs=5e-4)
    assert not df["betweenness_sampled"].any()


@pytest.mark.parametrize(("name", "reference"), [
    ("degree", nx.degree_centrality),
    ("betweenness", nx.betweenness_centrality),
    ("closeness", nx.closeness_centrality),
    ("eigenvector", nx.eigenvector_centrality_numpy),
    ("clustering", nx.clustering),
    ("kcore", nx.core_number),
    ("constraint", nx.constraint),
    ("effective_size", nx.effective_size),
])
def test_measures_match_networkx_on_karate(name, reference):
    # Reference software: networkx 3.6 on Zachary's karate club; tolerance 1e-9.
    G = nx.karate_club_graph()
    df = tk.net.measures(G, measures=[name], weight=None)
    ref = reference(G)
    assert df[name].to_numpy() == pytest.approx([ref[v] for v in G], abs=1e-9)
    assert df["club"].iloc[0] == "Mr. Hi"  # node attributes joined


def test_closeness_of_disconnected_graph_is_wasserman_faust():
    # networkx's default (wf_improved=True) on a graph with an isolate
    G = nx.Graph([(1, 2), (2, 3), (4, 5)])
    G.add_node(6)
    df = tk.net.measures(G, measures=["closeness"])
    ref = nx.closeness_centrality(G)
    assert df["closeness"].to_numpy() == pytest.approx([ref[v] for v in G], abs=1e-12)


def test_directed_measures_match_networkx():
    G = nx.gnp_random_graph(25, 0.15, seed=3, directed=True)
    df = tk.net.measures(G, measures=["in_degree", "out_degree", "betweenness", "closeness"])
    for name, ref in [("in_degree", nx.in_degree_centrality(G)),
                      ("out_degree", nx.out_degree_centrality(G)),
                      ("betweenness", nx.betweenness_centrality(G)),
                      ("closeness", nx.closeness_centrality(G))]:
        assert df[name].to_numpy() == pytest.approx([ref[v] for v in G], abs=1e-12), name


def test_weighted_eigenvector_and_strength():
    G = nx.karate_club_graph()  # carries tie weights
    df = tk.net.measures(G, measures=["weighted_degree", "eigenvector"], weight="weight")
    ref = nx.eigenvector_centrality_numpy(G, weight="weight")
    assert df["eigenvector"].to_numpy() == pytest.approx([ref[v] for v in G], abs=1e-8)
    assert df["weighted_degree"].tolist() == [d for _, d in G.degree(weight="weight")]


@pytest.mark.parametrize("normalized", [True, False])
def test_sampled_betweenness_equals_networkx_with_same_seed(normalized):
    # networkx draws the k sources with random.Random(seed).sample; so do we
    G = nx.karate_club_graph()
    df = tk.net.measures(G, measures=["betweenness"], sample=8, seed=7, normalized=normalized)
    ref = nx.betweenness_centrality(G, k=8, seed=7, normalized=normalized)
    assert df["betweenness"].to_numpy() == pytest.approx([ref[v] for v in G], abs=1e-12)
    assert df["betweenness_sampled"].all()
    assert "k=8" in df.attrs["measures"]["betweenness"]


def test_two_mode_normalisation_matches_networkx_bipartite():
    # Borgatti & Everett (1997) two-mode normalisation, as networkx.algorithms.bipartite
    D = nx.davis_southern_women_graph()
    women = [v for v, m in D.nodes(data="bipartite") if m == 0]
    df = tk.net.measures(D, measures=["degree", "betweenness", "closeness"])
    for name, f in [("degree", bipartite.degree_centrality),
                    ("betweenness", bipartite.betweenness_centrality),
                    ("closeness", bipartite.closeness_centrality)]:
        ref = f(D, women)
        assert df[name].to_numpy() == pytest.approx([ref[v] for v in D], abs=1e-12), name
    # Davis et al. (1941): Evelyn Jefferson attended 8 of the 14 events
    assert df.loc[df.node == "Evelyn Jefferson", "degree"].item() == pytest.approx(8 / 14)
    assert df.attrs["measures"]["two_mode"]


def test_burt_measures_by_hand():
    # Counted by hand from Burt (1992): in K4 each ego has 3 alters with p_ij = 1/3 and
    # two indirect paths of 1/9 each, c_ij = (1/3 + 2/9)^2 = 25/81, constraint 75/81;
    # effective size n - 2t/n = 3 - 2*3/3 = 1. In a star with 5 leaves the centre has
    # constraint 5 * (1/5)^2 = 0.2 and effective size 5.
    K4 = nx.complete_graph(4)
    df = tk.net.measures(K4, measures=["constraint", "effective_size"])
    assert df["constraint"].to_numpy() == pytest.approx(np.full(4, 75 / 81), abs=1e-12)
    assert df["effective_size"].to_numpy() == pytest.approx(np.ones(4), abs=1e-12)
    star = tk.net.measures(nx.star_graph(5), measures=["constraint", "effective_size"])
    assert star.loc[0, "constraint"] == pytest.approx(0.2, abs=1e-12)
    assert star.loc[0, "effective_size"] == pytest.approx(5.0, abs=1e-12)


def test_all_measures_and_errors():
    G = nx.path_graph(5)
    df = tk.net.measures(G, measures="all")
    assert list(df.columns[:2]) == ["node", "degree"]
    assert "in_degree" not in df.columns
    with pytest.raises(ValueError, match="Did you mean"):
        tk.net.measures(G, measures=["betweeness"])
    with pytest.raises(ValueError, match="sample"):
        tk.net.measures(G, measures=["betweenness"], sample=50)
    with pytest.raises(TypeError, match="networkx"):
        tk.net.measures(pd.DataFrame(), measures=["degree"])


def _weighted_graph(directed: bool = False) -> nx.Graph:
    # weights 1, 2 and 4: their inverses and every sum of them are exact in binary, so
    # networkx's exact comparison of path lengths and igraph's tolerant one agree on ties
    G = nx.gnp_random_graph(30, 0.12, seed=5, directed=directed)
    rng = np.random.default_rng(5)
    for u, v in G.edges():
        w = float(rng.choice([1.0, 2.0, 4.0]))
        G[u][v]["w"] = w
        G[u][v]["inv"] = 1.0 / w
    G.add_node("isolate")
    return G


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize(("distance", "length"), [("as_is", "w"), ("inverse", "inv")])
def test_weighted_paths_match_networkx(directed, distance, length):
    # Reference software: networkx 3.6 betweenness_centrality(G, weight=<length>) and
    # closeness_centrality(G, distance=<length>) (Wasserman-Faust for the disconnected
    # graph), where <length> is w itself or 1/w; tolerance 1e-12.
    G = _weighted_graph(directed)
    df = tk.net.measures(G, measures=["betweenness", "closeness"], weight="w",
                         distance=distance)
    bet = nx.betweenness_centrality(G, weight=length)
    clo = nx.closeness_centrality(G, distance=length)
    assert df["betweenness"].to_numpy() == pytest.approx([bet[v] for v in G], abs=1e-12)
    assert df["closeness"].to_numpy() == pytest.approx([clo[v] for v in G], abs=1e-12)
    assert df.attrs["measures"]["distance"] == distance
    # the weights change the answer: unweighted geodesics differ on this graph
    steps = tk.net.measures(G, measures=["betweenness"], weight="w", distance="unweighted")
    assert not np.allclose(steps["betweenness"], df["betweenness"])
    assert steps.attrs["measures"]["distance"] == "unweighted"


def test_weighted_sampled_betweenness_matches_networkx():
    # networkx 3.6 betweenness_centrality(G, k=10, seed=2, weight="w"): the same sources
    # and the same unbiased scaling; tolerance 1e-12.
    G = _weighted_graph()
    df = tk.net.measures(G, measures=["betweenness"], weight="w", distance="as_is",
                         sample=10, seed=2)
    ref = nx.betweenness_centrality(G, k=10, seed=2, weight="w")
    assert df["betweenness"].to_numpy() == pytest.approx([ref[v] for v in G], abs=1e-12)
    assert df["betweenness_sampled"].all()


def test_weight_is_never_ignored_on_paths():
    G = _weighted_graph()
    with pytest.raises(ValueError, match='distance="inverse"'):
        tk.net.measures(G, measures=["degree", "closeness"], weight="w")
    with pytest.raises(ValueError, match="no `weight` was given"):
        tk.net.measures(G, measures=["betweenness"], distance="inverse")
    with pytest.raises(ValueError, match="Did you mean 'inverse'"):
        tk.net.measures(G, measures=["betweenness"], weight="w", distance="invers")
    bad = G.copy()
    u, v = next(iter(bad.edges()))
    bad[u][v]["w"] = 0.0
    with pytest.raises(ValueError, match="1 tie"):
        tk.net.measures(bad, measures=["betweenness"], weight="w", distance="inverse")
    B = tk.net.two_mode(pd.DataFrame({"participant_id": ["a", "a", "b"],
                                      "session_id": ["s", "t", "t"], "n": [1, 2, 3]}),
                        weight="n")
    with pytest.raises(ValueError, match="two_mode=False"):
        tk.net.measures(B, measures=["closeness"], weight="weight", distance="as_is")
    # measures that do not use paths take `weight` as before, without `distance`
    df = tk.net.measures(G, measures=["weighted_degree", "eigenvector"], weight="w")
    assert df.attrs["measures"]["distance"] is None
