"""Classic teaching networks: same data as the published reference copies, published facts."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest

import toolkit as tk


def test_davis_matches_reference_biadjacency(shared):
    # Reference: ../shared/data/reference/networks_classic (networkx BSD-3 copy of
    # Davis, Gardner & Gardner 1941). Exact match.
    ref = pd.read_csv(shared("reference", "networks_classic",
                             "davis_southern_women_biadjacency.csv"), encoding="utf-8")
    ref_pairs = {(w, e) for w, row in ref.set_index("woman").iterrows()
                 for e, x in row.items() if x == 1}
    att = tk.datasets.load_dataset("davis_southern_women")
    assert set(zip(att["participant_id"], att["session_id"], strict=True)) == ref_pairs


def test_davis_published_counts():
    # Davis, Gardner & Gardner (1941); Breiger (1974): 18 women, 14 events, 89 ties.
    att = tk.datasets.load_dataset("davis_southern_women")
    assert att["participant_id"].nunique() == 18
    assert att["session_id"].nunique() == 14
    assert len(att) == 89
    assert not att.duplicated().any()


def test_florentine_marriage_matches_reference(shared):
    # Reference: networks_classic/florentine_marriage_edges.csv (networkx copy of Padgett).
    ref = pd.read_csv(shared("reference", "networks_classic", "florentine_marriage_edges.csv"),
                      encoding="utf-8")
    edges = tk.datasets.load_dataset("florentine_families")
    marriage = edges[edges["relation"] == "marriage"]
    as_set = {frozenset(p) for p in zip(marriage["family1"], marriage["family2"], strict=True)}
    assert as_set == {frozenset(p) for p in zip(ref["family1"], ref["family2"], strict=True)}


def test_florentine_published_facts():
    # Padgett & Ansell (1993); Medici normalised betweenness 0.522 in the marriage network
    # (networkx test_betweenness_centrality.py, 3 decimals): tolerance 5e-4.
    edges = tk.datasets.load_dataset("florentine_families")
    marriage = nx.from_pandas_edgelist(edges[edges["relation"] == "marriage"],
                                       "family1", "family2")
    business = nx.from_pandas_edgelist(edges[edges["relation"] == "business"],
                                       "family1", "family2")
    assert (marriage.number_of_nodes(), marriage.number_of_edges()) == (15, 20)
    assert (business.number_of_nodes(), business.number_of_edges()) == (11, 15)
    assert nx.betweenness_centrality(marriage)["Medici"] == pytest.approx(0.522, abs=5e-4)
    assert marriage.degree("Medici") == 6
    assert business.degree("Medici") == 5
    fam = tk.datasets.load_dataset("florentine_families", table="families").set_index("family")
    assert len(fam) == 16
    # Padgett's wealth (thousands of lira, 1427): Strozzi 146, Medici 103.
    assert fam.loc["Strozzi", "wealth"] == 146
    assert fam.loc["Medici", "wealth"] == 103
    assert set(fam.index) >= set(marriage) | set(business)


def test_karate_matches_reference(shared):
    # Reference: networks_classic/karate_edges.csv and karate_club_labels.csv (networkx copy
    # of Zachary 1977). Exact match of edges, weights and the observed split.
    ref = pd.read_csv(shared("reference", "networks_classic", "karate_edges.csv"),
                      encoding="utf-8")
    labels = pd.read_csv(shared("reference", "networks_classic", "karate_club_labels.csv"),
                         encoding="utf-8")
    edges = tk.datasets.load_dataset("karate_club")
    ours = {(frozenset((a, b)), w) for a, b, w in edges.itertuples(index=False)}
    theirs = {(frozenset((a, b)), w) for a, b, w in ref.itertuples(index=False)}
    assert ours == theirs
    members = tk.datasets.load_dataset("karate_club", table="members")
    merged = members.merge(labels, on="node")
    assert len(merged) == 34
    assert (merged["club_x"] == merged["club_y"]).all()


def test_karate_published_facts():
    # Zachary (1977): 34 members, 78 ties; the split 17/17 (networkx's `club`).
    edges = tk.datasets.load_dataset("karate_club")
    G = nx.from_pandas_edgelist(edges, "node1", "node2")
    assert (G.number_of_nodes(), G.number_of_edges()) == (34, 78)
    assert (G.degree(33), G.degree(0)) == (17, 16)
    members = tk.datasets.load_dataset("karate_club", table="members")
    assert members["club"].value_counts().to_dict() == {"Mr. Hi": 17, "Officer": 17}
